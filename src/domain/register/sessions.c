/*
 * جلسات گفت و گو: deliberation sessions and the scores they give problems.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"
#include "domain/sense.h"

/* ---- deliberation sessions and scores ---- */

/*
 * facilitator_check refuses designation id unless it serves area (or a unit
 * above it) on date: designated on or before it, not ended before it.  Its
 * name goes to name.
 */
static int
facilitator_check(struct store *st, const char *area, const char *date, const char *id, char name[256],
		  struct nz_err *err)
{
	char serves[NZ_ID_MAX] = "", designated[11] = "", retired[11] = "", list[600], jdate[16], jday[16];
	sqlite3_stmt *q;
	int active = -1;

	if ((q = reg_prep(st, "SELECT name, serves, COALESCE(designated, ''), active, COALESCE(retired, '')"
			      " FROM facilitator WHERE id = ?1 AND deleted = 0", id, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "facilitator");
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(name, 256, "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(serves, sizeof(serves), "%s", (const char *)sqlite3_column_text(q, 1));
		snprintf(designated, sizeof(designated), "%s", (const char *)sqlite3_column_text(q, 2));
		active = sqlite3_column_int(q, 3);
		snprintf(retired, sizeof(retired), "%s", (const char *)sqlite3_column_text(q, 4));
	}
	sqlite3_finalize(q);
	if (active < 0) {
		reg_names(st,
			  "SELECT id || ' ' || name FROM facilitator WHERE deleted = 0 AND active = 1 AND"
			  " (serves = ?1 OR " UNIT_SQL_BELOW("?1", "serves") ") ORDER BY name, id",
			  area, "none", list, sizeof(list));
		nz_fail(err, NZ_EINVAL, "'%s' is not a facilitator designation (serving %s: %s); a facilitator the"
			" national secretariat has not designated is given as --facilitator-name, flagged", id, area, list);
		return nz_why(err, "session.no_such_facilitator", "facilitator", id, "unit", area, NULL);
	}
	if (!unit_within(area, serves)) {
		nz_fail(err, NZ_EINVAL, "facilitator '%s' is designated to serve %s, not %s", name, serves, area);
		return nz_why(err, "session.facilitator_elsewhere", "facilitator", name, "serves", serves, "unit", area,
			      NULL);
	}
	if (jalali_from_iso(date, jdate, NULL) != 0)
		snprintf(jdate, sizeof(jdate), "%s", date);
	if (designated[0] != '\0' && strcmp(designated, date) > 0) {
		if (jalali_from_iso(designated, jday, NULL) != 0)
			snprintf(jday, sizeof(jday), "%s", designated);
		nz_fail(err, NZ_EINVAL, "facilitator '%s' was designated on %s, after the session's date %s", name,
			jday, jdate);
		return nz_why(err, "session.facilitator_not_yet", "facilitator", name, "designated", jday, "date",
			      jdate, NULL);
	}
	if (!active && (retired[0] == '\0' || strcmp(retired, date) <= 0)) {
		if (jalali_from_iso(retired, jday, NULL) != 0)
			snprintf(jday, sizeof(jday), "%s", retired);
		nz_fail(err, NZ_EINVAL, "facilitator '%s''s designation ended on %s, not after the session's date %s",
			name, jday, jdate);
		return nz_why(err, "session.facilitator_ended", "facilitator", name, "retired", jday, "date", jdate,
			      NULL);
	}
	return 0;
}

/* facilitator_of sets cs's facilitator columns from a designation id or a fallback name (at most one). */
static int
facilitator_of(struct store *st, const char *area, const char *date, const char *id, const char *name,
	       struct colset *cs, struct nz_err *err)
{
	char fname[256];
	int rc;

	if (id != NULL && id[0] != '\0' && name != NULL && name[0] != '\0')
		return nz_fail(err, NZ_EINVAL, "give a facilitator designation or a fallback name, not both");
	if (id != NULL && id[0] != '\0') {
		if ((rc = facilitator_check(st, area, date, id, fname, err)) != 0)
			return rc;
		colset_text(cs, "facilitator", fname);
		colset_text(cs, "facilitator_id", id);
		return 0;
	}
	if ((rc = field_text("facilitator name", name, 0, false, err)) != 0)
		return rc;
	colset_text(cs, "facilitator", nz_str(name));
	colset_text(cs, "facilitator_id", "");
	return 0;
}

/* A session's facilitator: the designation's id, and whether the name was typed as a fallback (old
 * sessions' free text too). */
#define FACILITATOR_COLS                                                                                       \
	"COALESCE(s.facilitator_id, '') AS facilitator_id, (COALESCE(s.facilitator, '') <> '' AND"                \
	" COALESCE(s.facilitator_id, '') = '') AS facilitator_fallback"

int
session_add(struct store *st, const struct session_input *in, const char *author, char id[NZ_RID_MAX],
	    struct nz_err *err)
{
	struct idlist *l;
	const char *area;
	char date[11], today[11], *issues = NULL;
	struct colset *cs = NULL;
	int i, rc;

	if ((rc = field_area(st, "area", in->area, &area, err)) != 0 ||
	    (rc = date_parse("session date", in->date, date, err)) != 0)
		return rc;
	if (in->participants < -1)
		return nz_fail(err, NZ_EINVAL, "participants is %lld; give a count of 0 or more", in->participants);
	if ((rc = field_text("place", in->place, 0, false, err)) != 0 ||
	    (rc = field_text("groups", in->groups, 0, false, err)) != 0 ||
	    (rc = field_text("outcomes", in->outcomes, 0, false, err)) != 0)
		return rc;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	for (i = 0; i < in->nissues; i++)
		if ((rc = reg_idlist_parse(l, in->issues[i], err)) != 0)
			goto out;
	if ((rc = reg_idlist_check_area(st, l, area, err)) != 0)
		goto out;
	if ((issues = malloc(LIST_MAX * NZ_RID_MAX)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	reg_idlist_text(l, issues, LIST_MAX * NZ_RID_MAX);
	nz_today(today);
	cs = colset_new();
	if ((rc = facilitator_of(st, area, date, in->facilitator, in->facilitator_name, cs, err)) != 0)
		goto out;
	colset_text(cs, "date", date);
	colset_text(cs, "place", nz_str(in->place));
	colset_text(cs, "stakeholder_groups", nz_str(in->groups));
	colset_text(cs, "outcomes", nz_str(in->outcomes));
	colset_text(cs, "issues", issues);
	colset_text(cs, "created", today);
	if (in->participants >= 0)
		colset_int(cs, "participants", in->participants);
	store_new_id(id);
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	rc = store_write(st, "delib_session", id, area, cs, author, err);
	for (i = 0; rc == 0 && i < in->nhelpers; i++)
		rc = link_attach(st, LINK_HELPER, "session", id, in->helpers[i], author, err);
	for (i = 0; rc == 0 && i < in->nactors; i++)
		rc = link_attach(st, LINK_ACTOR, "session", id, in->actors[i], author, err);
	rc = rec_finish(st, rc, err);
out:
	colset_free(cs);
	free(issues);
	free(l);
	return rc;
}

int
session_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	    struct nz_err *err)
{
	static const char *const locked[] = {"issues", "created", "facilitator_id", NULL};
	static const char *const dates[] = {"date", NULL};
	static const char *const aliases[] = {"groups", "stakeholder_groups", NULL};
	const char *fac = NULL, *fname = NULL;
	char owner[NZ_ID_MAX], date[11] = "", desig[NZ_RID_MAX] = "", fname_buf[256];
	char **rest = NULL;
	bool redate = false;
	struct colset *cs = NULL;
	sqlite3_stmt *q;
	int i, n = 0, rc;

	/* The facilitator is checked against the session's date, the one this set gives when it does. */
	if (npairs > 0 && (rest = calloc((size_t)npairs, sizeof(*rest))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	for (i = 0; i < npairs; i++) {
		if (strncmp(pairs[i], "facilitator=", 12) == 0)
			fac = pairs[i] + 12;
		else if (strncmp(pairs[i], "facilitator_name=", 17) == 0)
			fname = pairs[i] + 17;
		else
			rest[n++] = pairs[i];
		redate |= strncmp(pairs[i], "date=", 5) == 0;
	}
	if ((rc = store_begin(st, err)) != 0) {
		free(rest);
		return rc;
	}
	if ((n > 0 || (fac == NULL && fname == NULL)) &&
	    (rc = reg_set_pairs(st, &delib_session_table, "session", id, n, rest, locked, dates, aliases, author,
				err)) != 0)
		goto out;
	if (fac == NULL && fname == NULL && !redate)
		goto out;
	if ((rc = rec_owner(st, &delib_session_table, id, "session", owner, err)) != 0)
		goto out;
	if ((q = reg_prep(st, "SELECT date, COALESCE(facilitator_id, '') FROM delib_session WHERE id = ?1", id, NULL,
			  NULL)) == NULL) {
		rc = store_sqlerr(st, err, "session");
		goto out;
	}
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL) {
		snprintf(date, sizeof(date), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(desig, sizeof(desig), "%s", (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	if (fac == NULL && fname == NULL) {
		/* A new date: the designation must still serve on it. */
		if (desig[0] != '\0')
			rc = facilitator_check(st, owner, date, desig, fname_buf, err);
		goto out;
	}
	cs = colset_new();
	if ((rc = facilitator_of(st, owner, date, fac, fname, cs, err)) == 0)
		rc = store_write(st, "delib_session", id, owner, cs, author, err);
out:
	colset_free(cs);
	free(rest);
	return rec_finish(st, rc, err);
}

/* Reads a session's owner, date (ISO) and problem list. */
static int
session_load(struct store *st, const char *sid, char owner[NZ_ID_MAX], char date[11], struct idlist *l,
	     struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if ((q = reg_prep(st,
			  "SELECT owner, COALESCE(issues, ''), COALESCE(date, '') FROM delib_session"
			  " WHERE id = ?1 AND deleted = 0",
			  sid, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "session");
	if ((rc = rec_step_one(st, q, "deliberation session", sid, err)) == 0) {
		snprintf(owner, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(date, 11, "%s", (const char *)sqlite3_column_text(q, 2));
		rc = reg_idlist_parse(l, (const char *)sqlite3_column_text(q, 1), err);
	}
	sqlite3_finalize(q);
	return rc;
}

static int
score_one(struct store *st, const char *sid, const char *owner, const char *issue, const char *group,
	  const struct score_input *s, const char *author, struct nz_err *err)
{
	char rid[NZ_RID_MAX] = "";
	struct colset *cs;
	sqlite3_stmt *q;
	double max = -1;
	int active = 0, rc;

	if ((rc = reg_check_code("criterion", s->criterion, err)) != 0)
		return rc;
	if ((q = reg_prep(st, "SELECT scale_max, active FROM priority_criterion WHERE code = ?1 AND deleted = 0",
		      s->criterion, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "criterion");
	if (sqlite3_step(q) == SQLITE_ROW) {
		max = sqlite3_column_double(q, 0);
		active = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	if (max < 0)
		return nz_fail_at(err, NZ_EINVAL, NULL, "register criterion list",
				  "criterion '%s' is not a national prioritisation criterion", s->criterion);
	if (!active)
		return nz_fail(err, NZ_EINVAL, "criterion '%s' has been retired by the national secretariat",
			       s->criterion);
	if (!(s->score >= 0 && s->score <= max))
		return nz_fail(err, NZ_EINVAL, "score %g on '%s' is out of range: 0 to %g", s->score, s->criterion,
			       max);
	/* The same group scoring again in the same session replaces its score. */
	if ((q = reg_prep(st,
		      "SELECT id FROM issue_score WHERE session = ?1 AND issue = ?2 AND criterion = ?3"
		      " AND stakeholder = ?4 AND deleted = 0",
		      sid, issue, s->criterion)) == NULL)
		return store_sqlerr(st, err, "score");
	sqlite3_bind_text(q, 4, group, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(rid, sizeof(rid), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	cs = colset_new();
	if (rid[0] == '\0') {
		store_new_id(rid);
		colset_text(cs, "session", sid);
		colset_text(cs, "issue", issue);
		colset_text(cs, "criterion", s->criterion);
		colset_text(cs, "stakeholder", group);
	}
	colset_real(cs, "score", s->score);
	return rec_write(st, "issue_score", rid, owner, cs, author, err);
}

int
session_score(struct store *st, const char *sid, const char *issue, const char *group,
	      const struct score_input *scores, int nscores, const char *author, struct nz_err *err)
{
	char owner[NZ_ID_MAX], iowner[NZ_ID_MAX], state[16], sdate[11] = "", today[11], *text = NULL;
	struct idlist *l;
	struct colset *cs;
	int i, j, rc;

	if (group == NULL)
		group = "";
	if (strlen(group) > 200)
		return nz_fail(err, NZ_EINVAL, "stakeholder group is %zu bytes; at most 200", strlen(group));
	if (nscores <= 0)
		return nz_fail(err, NZ_EINVAL, "no scores given: give CRITERION=SCORE pairs");
	for (i = 0; i < nscores; i++)
		for (j = 0; j < i; j++)
			if (strcmp(scores[i].criterion, scores[j].criterion) == 0)
				return nz_fail(err, NZ_EINVAL, "criterion '%s' is scored twice",
					       scores[i].criterion);
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if ((rc = store_begin(st, err)) != 0) {
		free(l);
		return rc;
	}
	nz_today(today);
	if ((rc = session_load(st, sid, owner, sdate, l, err)) != 0 ||
	    (rc = sense_not_before("sense.session_score_future", "scoring today", today, "the session's date", sdate,
				   err)) != 0 ||
	    (rc = issue_state(st, issue, state, iowner, NULL, err)) != 0)
		goto out;
	if (strcmp(owner, iowner) != 0) {
		rc = nz_fail(err, NZ_EINVAL, "problem '%s' belongs to %s; session '%s' is of %s", issue, iowner,
			     sid, owner);
		goto out;
	}
	if (strcmp(state, "closed") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "problem '%s' is closed; it is scored no more", issue);
		goto out;
	}
	if (rec_scalar(st, "SELECT count(*) FROM priority_criterion WHERE deleted = 0 AND active = 1", NULL, NULL) <= 0) {
		rc = nz_fail(err, NZ_EINVAL,
			     "this node holds no prioritisation criteria yet: the national secretariat sets"
			     " them and they arrive with sync");
		goto out;
	}
	for (i = 0; i < nscores; i++)
		if ((rc = score_one(st, sid, owner, issue, group, &scores[i], author, err)) != 0)
			goto out;
	if (strcmp(state, "identified") == 0 &&
	    (rc = issue_move(st, issue, "prioritised", REG_VIA_SCORE, NULL, author, err)) != 0)
		goto out;
	if (!reg_idlist_has(l, issue)) {
		if ((rc = reg_idlist_add(l, issue, err)) != 0)
			goto out;
		if ((text = malloc(LIST_MAX * NZ_RID_MAX)) == NULL) {
			rc = nz_fail(err, NZ_ENOMEM, "out of memory");
			goto out;
		}
		reg_idlist_text(l, text, LIST_MAX * NZ_RID_MAX);
		cs = colset_new();
		colset_text(cs, "issues", text);
		rc = store_write(st, "delib_session", sid, owner, cs, author, err);
		colset_free(cs);
	}
out:
	free(text);
	free(l);
	return rec_finish(st, rc, err);
}

json_t *
session_list(struct store *st, const char *under)
{
	return reg_query(st,
		     "SELECT s.id, s.owner, s.date, s.place, s.facilitator, " FACILITATOR_COLS ", s.participants,"
		     " s.stakeholder_groups, s.issues, s.outcomes,"
		     " (SELECT count(*) FROM issue_score x WHERE x.session = s.id AND x.deleted = 0) AS nscores,"
		     " " REG_LINKS("helper", "session", "s.id") " AS helpers,"
		     " " REG_LINKS("actor", "session", "s.id") " AS actors"
		     " FROM delib_session s WHERE s.deleted = 0 AND " UNIT_SQL_UNDER("s.owner")
		     " ORDER BY s.date DESC, s.id",
		     under, NULL, NULL);
}

int
session_get(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	static const struct reg_part parts[] = {
		{"scores", "SELECT x.issue, i.title, x.stakeholder, x.criterion, x.score"
			   " FROM issue_score x LEFT JOIN issue i ON i.id = x.issue"
			   " WHERE x.session = ?1 AND x.deleted = 0 ORDER BY x.issue, x.stakeholder, x.criterion"},
		{NULL, NULL},
	};
	int rc;

	if ((rc = rec_one(st,
			  reg_query(st,
				    "SELECT s.id, s.owner, s.date, s.place, s.facilitator, " FACILITATOR_COLS ","
				    " s.participants, s.stakeholder_groups, s.issues, s.outcomes, s.created"
				    " FROM delib_session s WHERE s.id = ?1 AND s.deleted = 0",
				    id, NULL, NULL),
			  "session", id, out, err)) != 0 ||
	    (rc = rec_attach(st, out, "helper_groups", link_list(st, LINK_HELPER, "session", id), err)) != 0 ||
	    (rc = rec_attach(st, out, "actors", link_list(st, LINK_ACTOR, "session", id), err)) != 0)
		return rc;
	return reg_attach_parts(st, out, parts, id, err);
}
