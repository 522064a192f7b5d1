/*
 * Records linked as the guideline links them: the helper groups working on a
 * problem, a deliberation session or an intervention (art. 4-6: volunteer
 * groups working together on the identified problems; several groups may
 * work on one), and the key local actors who took part in a session
 * (art. 1-4, 4-2).
 *
 * One table holds every link, declared once below with the kinds of links
 * it may hold.  A link belongs to the secretariat that owns the record it is
 * on, and travels with it (up the tree, and down to the owner when an
 * ancestor writes it).  Its id is derived from the record and the group or
 * actor, so that two nodes attaching the same group converge to one link;
 * detaching keeps the record, inactive, with the day it ended.
 *
 * A helper group is an appointment (انتصاب، حکم) of the selection: named by
 * its id, its decree number or its group's name.  Only an active appointment
 * made inside the subtree of the record's owner can be attached; an actor
 * must be active and registered inside that subtree too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/register/reg_int.h"

static const struct col_def link_cols[] = {
	{"rel", COL_TEXT},          /* helper, actor */
	{"kind", COL_TEXT},         /* issue, session, intervention */
	{"record", COL_TEXT},       /* the record's id */
	{"target", COL_TEXT},       /* the appointment's or the actor's id */
	{"target_owner", COL_TEXT}, /* the secretariat that appointed the group or registered the actor */
	{"name", COL_TEXT},         /* the group's or the actor's name when linked */
	{"active", COL_INT},
	{"since", COL_TEXT}, /* ISO date */
	{"until", COL_TEXT}, /* ISO date it was detached, "" while active */
	{NULL, 0},
};

static const char *const link_idx[] = {"record", "target", NULL};

const struct tbl_def record_link_table = {"record_link", VIS_OWNED, link_cols, link_idx};

/* What may be linked to what: a row per kind of link. */
static const struct link_kind {
	enum link_rel rel;
	const char *kind, *plural; /* as commands and routes name the record */
	const struct tbl_def *tbl;
	const char *what; /* the record in messages */
} kinds[] = {
	{LINK_HELPER, "issue", "issues", &issue_table, "problem"},
	{LINK_HELPER, "session", "sessions", &delib_session_table, "session"},
	{LINK_HELPER, "intervention", "interventions", &intervention_table, "intervention"},
	{LINK_ACTOR, "session", "sessions", &delib_session_table, "session"},
	{0, NULL, NULL, NULL, NULL},
};

static const char *const rel_names[] = {"helper", "actor"};

/* kind_of finds the kind of link rel on a record of kind (or its plural), refusing any other. */
static const struct link_kind *
kind_of(enum link_rel rel, const char *kind, struct nz_err *err)
{
	const struct link_kind *k;
	char names[128] = "";

	for (k = kinds; k->kind != NULL; k++) {
		if (k->rel != rel)
			continue;
		if (kind != NULL && (strcmp(k->kind, kind) == 0 || strcmp(k->plural, kind) == 0))
			return k;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", names[0] ? ", " : "", k->kind);
	}
	nz_fail(err, NZ_EINVAL, "%s: %s are linked to %s only", kind != NULL ? kind : "(none)",
		rel == LINK_HELPER ? "helper groups" : "actors", names);
	return NULL;
}

/* link_id writes the id of the link of rel between a record of k and target. */
static void
link_id(const struct link_kind *k, const char *record, const char *target, char id[NZ_RID_MAX])
{
	char a[NZ_RID_MAX + 32];

	snprintf(a, sizeof(a), "%s:%s:%s", rel_names[k->rel], k->kind, record);
	rec_derived_id("ln-", a, target, id);
}

/* struct target is the group or actor a link names. */
struct target {
	char id[NZ_RID_MAX];
	char owner[NZ_ID_MAX];
	char name[256];
};

/*
 * find_group resolves text (an appointment's id, its decree number or its
 * group's name) to an appointment: by id or number that one; by name the one
 * active inside under (two of them: refused as ambiguous), else the latest.
 * With active, refuses one revoked or appointed outside under.  None found
 * is absent (NZ_EINVAL: a field names it; NZ_ENOTFOUND: the path does).
 */
static int
find_group(struct store *st, const char *under, const char *text, bool active, int absent, struct target *t,
	   struct nz_err *err)
{
	char status[16] = "", names[600];
	int n = 0, fits = 0, step;
	bool exact = false, inside = false;
	sqlite3_stmt *q;

	if (text == NULL || text[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "name the helper group: its appointment id, decree number or name");
	/* The best first: by id or number, then active inside under, then the latest. */
	q = reg_prep(st,
		     "SELECT id, owner, COALESCE(group_name, ''), status, id = ?2 OR decree_no = ?2,"
		     " status = 'active' AND " UNIT_SQL_UNDER("owner") " FROM sel_appointment WHERE deleted = 0 AND"
		     " (id = ?2 OR decree_no = ?2 OR group_name = ?2) ORDER BY 5 DESC, 6 DESC, appointed DESC, id",
		     under, text, NULL);
	if (q == NULL)
		return store_sqlerr(st, err, "appointment");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n++ == 0) {
			snprintf(t->id, sizeof(t->id), "%s", (const char *)sqlite3_column_text(q, 0));
			snprintf(t->owner, sizeof(t->owner), "%s", (const char *)sqlite3_column_text(q, 1));
			snprintf(t->name, sizeof(t->name), "%s", (const char *)sqlite3_column_text(q, 2));
			snprintf(status, sizeof(status), "%s", (const char *)sqlite3_column_text(q, 3));
			exact = sqlite3_column_int(q, 4) != 0;
			inside = under == NULL || unit_within(t->owner, under);
		}
		fits += sqlite3_column_int(q, 5) != 0;
	}
	sqlite3_finalize(q);
	if (step != SQLITE_DONE)
		return store_sqlerr(st, err, "appointment");
	if (n == 0) {
		reg_names(st,
			  "SELECT group_name || ' (' || decree_no || ')' FROM sel_appointment WHERE deleted = 0 AND"
			  " status = 'active' AND " UNIT_SQL_UNDER("owner") " ORDER BY owner, decree_no",
			  under, "none is appointed there", names, sizeof(names));
		nz_fail(err, absent, "'%s' is not a helper group appointed inside %s (active: %s)", text,
			under != NULL ? under : "this node", names);
		return nz_why(err, "link.no_such_group", "group", text, "unit", under != NULL ? under : "", NULL);
	}
	if (!exact && fits > 1) {
		nz_fail(err, NZ_EINVAL, "%d helper groups appointed inside %s are called '%s': name one by its decree"
			" number", fits, under != NULL ? under : "this node", text);
		return nz_why(err, "link.group_ambiguous", "group", text, "unit", under != NULL ? under : "", NULL);
	}
	if (!active)
		return 0;
	if (strcmp(status, "active") != 0) {
		nz_fail(err, NZ_ESTATE, "the appointment of helper group '%s' (%s) is %s: only an active appointment's"
			" group works on a record", t->name, t->id, status);
		return nz_why(err, "link.group_inactive", "group", t->name, NULL);
	}
	if (!inside) {
		nz_fail(err, NZ_EDENIED, "helper group '%s' is appointed by %s, outside %s: a record takes the groups"
			" appointed inside the subtree of the secretariat that owns it", t->name, t->owner, under);
		return nz_why(err, "link.group_outside", "group", t->name, "unit", under, "by", t->owner, NULL);
	}
	return 0;
}

/* find_actor resolves the id of an actor registered inside under; with active, refuses a retired one. */
static int
find_actor(struct store *st, const char *under, const char *id, bool active, struct target *t, struct nz_err *err)
{
	sqlite3_stmt *q;
	int live = -1;

	if (id == NULL || id[0] == '\0')
		return nz_fail_at(err, NZ_EINVAL, NULL, "actor list", "name the actor by its id");
	if ((q = reg_prep(st, "SELECT owner, name, active FROM actor WHERE id = ?1 AND deleted = 0", id, NULL, NULL)) ==
	    NULL)
		return store_sqlerr(st, err, "actor");
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(t->id, sizeof(t->id), "%s", id);
		snprintf(t->owner, sizeof(t->owner), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(t->name, sizeof(t->name), "%s", (const char *)sqlite3_column_text(q, 1));
		live = sqlite3_column_int(q, 2);
	}
	sqlite3_finalize(q);
	if (live < 0) {
		nz_fail_at(err, NZ_EINVAL, NULL, "actor list", "no key local actor with id '%s'", id);
		return nz_why(err, "link.no_such_actor", "actor", id, NULL);
	}
	if (active && live == 0) {
		nz_fail(err, NZ_ESTATE, "actor '%s' (%s) is retired from the register", t->name, id);
		return nz_why(err, "link.actor_retired", "actor", t->name, NULL);
	}
	if (active && !unit_within(t->owner, under)) {
		nz_fail(err, NZ_EDENIED, "actor '%s' is registered by %s, outside %s", t->name, t->owner, under);
		return nz_why(err, "link.actor_outside", "actor", t->name, "unit", under, "by", t->owner, NULL);
	}
	return 0;
}

/* record_owner reads the owner of record of k, refusing an absent one and a closed problem when open. */
static int
record_owner(struct store *st, const struct link_kind *k, const char *record, bool open, char owner[NZ_ID_MAX],
	     struct nz_err *err)
{
	int rc = rec_owner(st, k->tbl, record != NULL ? record : "", k->what, owner, err);

	if (rc != 0 || !open || k->tbl != &issue_table)
		return rc;
	if (rec_scalar(st, "SELECT count(*) FROM issue WHERE id = ?1 AND status = 'closed'", record, NULL) > 0) {
		nz_fail(err, NZ_ESTATE, "problem '%s' is closed; no group is attached to it any more", record);
		return nz_why(err, "link.closed", "record", record, NULL);
	}
	return 0;
}

/* link_state reads the link id: 1 active, 0 detached, -1 absent, NZ_EDB on a database error. */
static int
link_state(struct store *st, const char *id)
{
	int64_t v = rec_scalar(st, "SELECT 1 + active FROM record_link WHERE id = ?1 AND deleted = 0", id, NULL);

	return v < 0 ? NZ_EDB : (int)v - 1;
}

/*
 * link_set attaches (on) or detaches target on record: the checks of an
 * attach (an open record, an active target inside the owner's subtree) or
 * of a detach (a link active now), then one write of the link, owned by the
 * record's owner.
 */
static int
link_set(struct store *st, enum link_rel rel, const char *kind, const char *record, const char *target, bool on,
	 const char *author, struct nz_err *err)
{
	const struct link_kind *k = kind_of(rel, kind, err);
	const char *what = rel == LINK_HELPER ? "helper group" : "actor";
	char owner[NZ_ID_MAX], id[NZ_RID_MAX], today[11];
	struct colset *cs = NULL;
	struct target t;
	int rc, was;

	if (k == NULL)
		return NZ_EINVAL;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = record_owner(st, k, record, on, owner, err)) != 0 ||
	    (rc = rel == LINK_HELPER ? find_group(st, on ? owner : NULL, target, on, NZ_EINVAL, &t, err)
				     : find_actor(st, on ? owner : NULL, target, on, &t, err)) != 0)
		goto out;
	link_id(k, record, t.id, id);
	if ((was = link_state(st, id)) < -1) {
		rc = store_sqlerr(st, err, "link");
		goto out;
	}
	if (on && was == 1) {
		rc = nz_fail(err, NZ_EEXIST, "%s '%s' is on %s '%s' already", what, t.name, k->what, record);
		goto out;
	}
	if (!on && was != 1) {
		rc = nz_fail(err, NZ_ENOTFOUND, "%s '%s' is not on %s '%s'", what, t.name, k->what, record);
		goto out;
	}
	nz_today(today);
	cs = colset_new();
	if (was < 0) {
		colset_text(cs, "rel", rel_names[rel]);
		colset_text(cs, "kind", k->kind);
		colset_text(cs, "record", record);
		colset_text(cs, "target", t.id);
		colset_text(cs, "target_owner", t.owner);
	}
	if (on) {
		colset_text(cs, "name", t.name);
		colset_text(cs, "since", today);
	}
	colset_int(cs, "active", on);
	colset_text(cs, "until", on ? "" : today);
	rc = store_write(st, "record_link", id, owner, cs, author, err);
out:
	colset_free(cs);
	return rec_finish(st, rc, err);
}

int
link_attach(struct store *st, enum link_rel rel, const char *kind, const char *record, const char *target,
	    const char *author, struct nz_err *err)
{
	return link_set(st, rel, kind, record, target, true, author, err);
}

int
link_detach(struct store *st, enum link_rel rel, const char *kind, const char *record, const char *target,
	    const char *author, struct nz_err *err)
{
	return link_set(st, rel, kind, record, target, false, author, err);
}

json_t *
link_list(struct store *st, enum link_rel rel, const char *kind, const char *record)
{
	const struct link_kind *k = kind_of(rel, kind, NULL);

	if (k == NULL)
		return NULL;
	if (rel == LINK_ACTOR)
		return reg_query(st,
				 "SELECT l.target AS id, COALESCE(x.name, l.name) AS name, x.role, x.neighbourhood,"
				 " CASE WHEN x.consent = 'yes' THEN x.contact ELSE '' END AS contact, x.consent,"
				 " l.target_owner AS owner, l.since FROM record_link l LEFT JOIN actor x ON x.id = l.target"
				 " AND x.deleted = 0 WHERE l.record = ?1 AND l.kind = ?2 AND l.rel = 'actor' AND"
				 " l.active = 1 AND l.deleted = 0 ORDER BY name, l.target",
				 record, k->kind, NULL);
	return reg_query(st,
			 "SELECT l.target AS id, COALESCE(a.group_name, l.name) AS name, a.decree_no, a.status,"
			 " l.target_owner AS owner, l.since FROM record_link l LEFT JOIN sel_appointment a"
			 " ON a.id = l.target AND a.deleted = 0 WHERE l.record = ?1 AND l.kind = ?2 AND l.rel = 'helper'"
			 " AND l.active = 1 AND l.deleted = 0 ORDER BY a.decree_no, l.target",
			 record, k->kind, NULL);
}

/* The reports of a group: the current revision of each, its group named as the appointment names it. */
#define GROUP_REPORTS                                                                                            \
	" FROM report r WHERE r.deleted = 0 AND r.owner = a.owner AND r.grp = a.group_name AND NOT EXISTS"     \
	" (SELECT 1 FROM report r2 WHERE r2.supersedes = r.id AND r2.deleted = 0)"

/* The links of a group, of one kind. */
#define GROUP_LINKS(kind)                                                                                        \
	"(SELECT count(*) FROM record_link l WHERE l.target = a.id AND l.rel = 'helper' AND l.kind = '" kind "'" \
	" AND l.active = 1 AND l.deleted = 0)"

json_t *
link_groups(struct store *st, const char *under, bool all)
{
	return reg_query(st,
			 "SELECT a.id, a.owner, a.group_name, a.decree_no, a.status, a.term_start, a.term_end,"
			 " " GROUP_LINKS("issue") " AS problems, " GROUP_LINKS("session") " AS sessions,"
			 " " GROUP_LINKS("intervention") " AS interventions, (SELECT count(*)" GROUP_REPORTS ") AS reports"
			 " FROM sel_appointment a WHERE a.deleted = 0 AND " UNIT_SQL_UNDER("a.owner")
			 " AND (?2 IS NOT NULL OR a.status = 'active') ORDER BY a.owner, a.decree_no, a.id",
			 under, all ? "1" : NULL, NULL);
}

/* The records of one kind a group works on, joined to their table aliased x. */
#define GROUP_WORK(cols, table, kind)                                                                           \
	"SELECT x.id, x.owner, " cols ", l.since FROM record_link l JOIN " table " ON x.id = l.record AND"      \
	" x.deleted = 0 WHERE l.target = ?1 AND l.rel = 'helper' AND l.kind = '" kind "' AND l.active = 1 AND" \
	" l.deleted = 0"

int
link_group_work(struct store *st, const char *group, json_t **out, struct nz_err *err)
{
	struct target t;
	int rc;
	static const struct reg_part parts[] = {
		{"problems", GROUP_WORK("x.title, x.category, (SELECT " REG_ISSUE_STATE " FROM issue i WHERE i.id = x.id)"
					" AS state",
					"issue x", "issue") " ORDER BY x.created DESC, x.id"},
		{"sessions", GROUP_WORK("x.date, x.place, x.facilitator", "delib_session x", "session")
			 " ORDER BY x.date DESC, x.id"},
		{"interventions", GROUP_WORK("x.title, x.solution, x.created", "intervention x", "intervention")
			 " ORDER BY x.created DESC, x.id"},
		{"reports", "SELECT r.id, r.owner, r.template_code, (SELECT t.title FROM report_template t WHERE"
			    " t.code = r.template_code AND t.deleted = 0 ORDER BY t.version DESC LIMIT 1) AS template_title,"
			    " r.period, r.revision, r.status, r.submitted, r.review FROM sel_appointment a, report r WHERE a.id = ?1 AND r.deleted = 0 AND"
			    " r.owner = a.owner AND r.grp = a.group_name AND NOT EXISTS (SELECT 1 FROM report r2"
			    " WHERE r2.supersedes = r.id AND r2.deleted = 0) ORDER BY r.period_start DESC,"
			    " r.template_code"},
		{NULL, NULL},
	};

	if ((rc = find_group(st, NULL, group, false, NZ_ENOTFOUND, &t, err)) != 0 ||
	    (rc = rec_one(st,
			  reg_query(st,
				    "SELECT a.id, a.owner, a.group_name, a.decree_no, a.status, a.appointed,"
				    " a.term_start, a.term_end FROM sel_appointment a WHERE a.id = ?1",
				    t.id, NULL, NULL),
			  "helper group", group, out, err)) != 0)
		return rc;
	return reg_attach_parts(st, out, parts, t.id, err);
}
