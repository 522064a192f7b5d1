/*
 * احکام: appointments of the groups a call ranked, their decrees and revocations.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/selection/sel_int.h"

/* ---- appointments and decrees ---- */

/* jalali_year returns the Jalali year of an ISO date, or 0. */
static int
jalali_year(const char *iso)
{
	struct jdate j;

	return jdate_of_iso(iso, &j, NULL) == 0 ? j.y : 0;
}

/* term_end writes the last day of a term of months starting on start: the day before the same Jalali day
 * months later. */
static int
term_end(const char *start, int months, char out[11])
{
	struct jdate j;
	int y, m, d, dim;
	char next[11];

	if (jdate_of_iso(start, &j, NULL) != 0)
		return NZ_EINVAL;
	j.m += months;
	j.y += (j.m - 1) / 12;
	j.m = (j.m - 1) % 12 + 1;
	if ((dim = jalali_month_days(j.y, j.m)) == 0)
		return NZ_EINVAL;
	if (j.d > dim)
		j.d = dim;
	if (jalali_to_gregorian(&j, &y, &m, &d) != 0)
		return NZ_EINVAL;
	snprintf(next, sizeof(next), "%04d-%02d-%02d", y, m, d);
	return iso_add_days(next, -1, out);
}

static bool
decree_no_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) >= SEL_DECREE_NO_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return false;
	return true;
}

/* own_seq reads the sequence of a number in this secretariat's format for year, or returns 0. */
static int
own_seq(const char *number, const char *owner, int year)
{
	char prefix[NZ_ID_MAX + 8];
	const char *p;
	char *end;
	long v;

	snprintf(prefix, sizeof(prefix), "%s/%d/", owner, year);
	if (strncmp(number, prefix, strlen(prefix)) != 0)
		return 0;
	p = number + strlen(prefix);
	v = strtol(p, &end, 10);
	return *p >= '0' && *p <= '9' && *end == '\0' && v > 0 && v < 1000000 ? (int)v : 0;
}

/* struct freed is the revoked appointment a waiting-list appointment replaces. */
struct freed {
	char id[NZ_RID_MAX];
	char name[NAME_MAX_BYTES + 1];
	char term_end[11];
};

/*
 * load_freed checks that appointment id is a revoked one of call c, not yet
 * replaced, whose term has not ended on day, and reads it into f.
 */
static int
load_freed(struct store *st, const struct call *c, const char *id, const char *day, struct freed *f,
	   struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(st,
					"SELECT call_id, status, group_name, term_end FROM sel_appointment"
					" WHERE id = ? AND deleted = 0",
					err);
	char call[NZ_RID_MAX] = "", status[16] = "", when[11];
	int found;

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if ((found = sqlite3_step(q) == SQLITE_ROW)) {
		copy(call, sizeof(call), col_text(q, 0));
		copy(status, sizeof(status), col_text(q, 1));
		copy(f->name, sizeof(f->name), col_text(q, 2));
		copy(f->term_end, sizeof(f->term_end), col_text(q, 3));
	}
	sqlite3_reset(q);
	copy(f->id, sizeof(f->id), id);
	if (!found)
		return nz_fail(err, NZ_ENOTFOUND, "no appointment with id '%s'", id);
	if (strcmp(call, c->id) != 0) {
		nz_fail(err, NZ_EINVAL, "appointment '%s' is of call '%s'; a place is filled from its own call's"
			" ranked list", id, call);
		nz_why(err, "sel.replace_other_call", "group", f->name, NULL);
		return NZ_EINVAL;
	}
	if (strcmp(status, "revoked") != 0) {
		nz_fail(err, NZ_ESTATE, "appointment '%s' (%s) is %s; only a revoked one frees a place", id, f->name,
			status);
		nz_why(err, "sel.replace_not_revoked", "group", f->name, NULL);
		return NZ_ESTATE;
	}
	if (rec_scalar(st, "SELECT count(*) FROM sel_appointment WHERE replaces = ? AND deleted = 0", id,
			   NULL) > 0) {
		nz_fail(err, NZ_EEXIST, "the place of appointment '%s' (%s) is filled already", id, f->name);
		nz_why(err, "sel.replace_filled", "group", f->name, NULL);
		return NZ_EEXIST;
	}
	if (strcmp(day, f->term_end) > 0) {
		jalali_or_iso(f->term_end, when);
		nz_fail(err, NZ_ESTATE, "the term of appointment '%s' ended on %s; open a new call", id, when);
		nz_why(err, "sel.replace_term_ended", "group", f->name, "date", when, NULL);
		return NZ_ESTATE;
	}
	return 0;
}

/*
 * next_waiting returns the best-ranked row of rows that qualifies, has not
 * withdrawn and was never appointed in this call: the head of the waiting list.
 */
static struct rrow *
next_waiting(struct store *st, struct rrow *rows, int n)
{
	struct rrow *best = NULL;
	int i;

	for (i = 0; i < n; i++) {
		if (!rows[i].qualified || rows[i].withdrawn || rows[i].rank <= 0)
			continue;
		if (rec_scalar(st, "SELECT count(*) FROM sel_appointment WHERE applicant_id = ? AND deleted = 0",
				   rows[i].id, NULL) != 0)
			continue;
		if (best == NULL || rows[i].rank < best->rank)
			best = &rows[i];
	}
	return best;
}

static int
appoint(struct store *st, const char *applicant, const char *replaces, const char *date, int term_months,
	const char *number, const char *author, char appt_id[NZ_RID_MAX], char decree_no[SEL_DECREE_NO_MAX],
	struct nz_err *err)
{
	struct freed fr = {"", "", ""};
	struct applicant a;
	struct call c;
	struct sel_std s, cur;
	struct rrow *rows = NULL, *r;
	struct colset *cs = NULL;
	char day[11], end[11], decree_id[NZ_RID_MAX];
	int64_t active;
	int nrows = 0, year, seq = 0, quota, rc;
	sqlite3_stmt *q;

	appt_id[0] = decree_no[0] = '\0';
	if (date != NULL && (rc = sel_check_date("the decree's date", date, err)) != 0)
		return rc;
	if (term_months != 0 && (term_months < 1 || term_months > 60))
		return nz_fail(err, NZ_EINVAL, "a term of %d months is outside 1..60", term_months);
	if (number != NULL && !decree_no_ok(number))
		return nz_fail(err, NZ_EINVAL, "decree number '%s' must be 1-%d printable characters", number,
			       SEL_DECREE_NO_MAX - 1);
	if (date != NULL)
		copy(day, sizeof(day), date);
	else
		nz_today(day);
	if ((year = jalali_year(day)) == 0)
		return nz_fail(err, NZ_EINVAL, "date '%s' has no Jalali year", day);

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_load_both(st, applicant, &a, &c, err)) != 0)
		goto fail;
	/* A completed call still fills a freed place from its ranked list, within the term (waiting list). */
	if (c.state != CALL_REVIEWED && !(replaces != NULL && c.state == CALL_COMPLETED)) {
		rc = nz_fail_at(err, NZ_ESTATE, c.state < CALL_REVIEWED ? NULL : "replaces", NULL, "call '%s' is %s; %s",
				c.id, sel_call_state_name(c.state),
				c.state < CALL_REVIEWED ? "groups are selected once its review is finished"
							: "a place freed by a revocation is filled by naming the revoked"
							  " appointment it replaces, else open a new call");
		goto fail;
	}
	if ((rc = sel_call_std(st, &c, &s, err)) != 0 || (rc = sel_rank_build(st, &c, &s, &rows, &nrows, err)) != 0)
		goto fail;
	if ((r = sel_rrow_find(rows, nrows, applicant)) == NULL) {
		rc = nz_fail(err, NZ_ENOTFOUND, "applicant '%s' is not in call '%s'", applicant, c.id);
		goto fail;
	}
	if (replaces != NULL) {
		struct rrow *head;
		if ((rc = load_freed(st, &c, replaces, day, &fr, err)) != 0)
			goto fail;
		if (r->qualified && (head = next_waiting(st, rows, nrows)) != NULL && head != r &&
		    head->rank < r->rank) {
			char hr[16], rr[16];
			nz_fail(err, NZ_ESTATE, "the waiting list goes in rank order: '%s' (%s, rank %d) comes before"
				" '%s' (rank %d)", head->name, head->id, head->rank, a.name, r->rank);
			snprintf(hr, sizeof(hr), "%d", head->rank);
			snprintf(rr, sizeof(rr), "%d", r->rank);
			nz_why(err, "sel.waiting_order", "first", head->name, "first_rank", hr, "group", a.name, "rank", rr,
			       NULL);
			rc = NZ_ESTATE;
			goto fail;
		}
	}
	if (rec_scalar(st,
		       "SELECT count(*) FROM sel_appointment WHERE applicant_id = ? AND deleted = 0"
		       " AND status = 'active'",
		       applicant, NULL) > 0) {
		rc = nz_fail(err, NZ_EEXIST, "'%s' (%s) is appointed already", a.name, applicant);
		goto fail;
	}
	if (!r->qualified) {
		rc = nz_fail(err, NZ_ESTATE, "'%s' (%s) does not qualify: %s", a.name, applicant, r->reason);
		goto fail;
	}
	/* Quotas bound the groups a secretariat holds, not one call: the latest standards set them. */
	if (sel_std_load(st, 0, &cur, NULL) != 0)
		cur = s;
	quota = sel_std_quota(&cur, c.owner);
	active = rec_scalar(
		st,
		"SELECT count(*) FROM sel_appointment WHERE owner = ? AND deleted = 0 AND status = 'active'",
		c.owner, NULL);
	if (active < 0) {
		rc = store_sqlerr(st, err, "count appointments");
		goto fail;
	}
	if (active >= quota) {
		rc = nz_fail(
			err, NZ_EQUOTA,
			"%s holds %lld active appointment(s), its quota of %d; revoke one to free a place",
			c.owner, (long long)active, quota);
		{
			char na[24], nq[24];
			snprintf(na, sizeof(na), "%lld", (long long)active);
			snprintf(nq, sizeof(nq), "%d", quota);
			nz_why(err, "sel.quota_full", "unit", c.owner, "active", na, "quota", nq, NULL);
		}
		goto fail;
	}
	if (number != NULL) {
		copy(decree_no, SEL_DECREE_NO_MAX, number);
		seq = own_seq(number, c.owner, year);
	} else {
		if ((q = store_prepare(
			     st,
			     "SELECT coalesce(max(seq), 0) FROM sel_decree WHERE owner = ? AND year = ?"
			     " AND deleted = 0",
			     err)) == NULL) {
			rc = NZ_EDB;
			goto fail;
		}
		sqlite3_bind_text(q, 1, c.owner, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 2, year);
		seq = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) + 1 : 1;
		sqlite3_reset(q);
		snprintf(decree_no, SEL_DECREE_NO_MAX, "%s/%d/%04d", c.owner, year, seq);
	}
	if (rec_scalar(st, "SELECT count(*) FROM sel_decree WHERE owner = ? AND number = ? AND deleted = 0",
		       c.owner, decree_no) != 0) {
		rc = nz_fail(err, NZ_EEXIST, "decree number %s is used already by %s", decree_no, c.owner);
		goto fail;
	}
	if (term_months == 0)
		term_months = s.term_months;
	if (replaces != NULL) {
		copy(end, sizeof(end), fr.term_end); /* the rest of the term it fills */
	} else if (term_end(day, term_months, end) != 0) {
		rc = nz_fail(err, NZ_EINVAL, "a term of %d months from %s leaves the calendar", term_months,
			     day);
		goto fail;
	}
	store_new_id(appt_id);
	store_new_id(decree_id);
	cs = colset_new();
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "group_name", a.name);
	colset_int(cs, "rank", r->rank);
	colset_real(cs, "combined", r->combined);
	colset_text(cs, "status", "active");
	colset_text(cs, "appointed", day);
	colset_text(cs, "term_start", day);
	colset_text(cs, "term_end", end);
	colset_text(cs, "decree_id", decree_id);
	colset_text(cs, "decree_no", decree_no);
	colset_text(cs, "by_node", store_node(st));
	if (replaces != NULL)
		colset_text(cs, "replaces", fr.id);
	if ((rc = rec_write(st, "sel_appointment", appt_id, c.owner, cs, author, err)) != 0)
		goto fail;
	cs = colset_new();
	colset_text(cs, "appointment_id", appt_id);
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "number", decree_no);
	colset_int(cs, "year", year);
	if (seq > 0)
		colset_int(cs, "seq", seq);
	colset_text(cs, "date", day);
	colset_int(cs, "term_months", term_months);
	colset_text(cs, "term_start", day);
	colset_text(cs, "term_end", end);
	colset_text(cs, "group_name", a.name);
	colset_text(cs, "group_kind", a.kind);
	colset_text(cs, "by_node", store_node(st));
	if (replaces != NULL) {
		colset_text(cs, "replaces", fr.id);
		colset_text(cs, "replaces_name", fr.name);
	}
	if ((rc = rec_write(st, "sel_decree", decree_id, c.owner, cs, author, err)) != 0)
		goto fail;
	free(rows);
	return store_commit(st, err);
fail:
	free(rows);
	store_rollback(st);
	appt_id[0] = decree_no[0] = '\0';
	return rc;
}

int
sel_appoint(struct store *st, const char *applicant, const char *date, int term_months, const char *number,
	    const char *author, char appt_id[NZ_RID_MAX], char decree_no[SEL_DECREE_NO_MAX],
	    struct nz_err *err)
{
	return appoint(st, applicant, NULL, date, term_months, number, author, appt_id, decree_no, err);
}

int
sel_appoint_replace(struct store *st, const char *applicant, const char *replaces, const char *date,
		    const char *number, const char *author, char appt_id[NZ_RID_MAX],
		    char decree_no[SEL_DECREE_NO_MAX], struct nz_err *err)
{
	if (replaces == NULL || replaces[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "name the revoked appointment whose place is filled");
	return appoint(st, applicant, replaces, date, 0, number, author, appt_id, decree_no, err);
}

int
sel_revoke(struct store *st, const char *appt_id, const char *reason, const char *author, struct nz_err *err)
{
	struct colset *cs;
	sqlite3_stmt *q;
	char owner[NZ_ID_MAX], status[16], today[11];
	int rc;

	if ((rc = field_text("the reason for revoking", reason, 1000, true, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((q = store_prepare(st, "SELECT owner, status FROM sel_appointment WHERE id = ? AND deleted = 0",
			       err)) == NULL) {
		rc = NZ_EDB;
		goto fail;
	}
	sqlite3_bind_text(q, 1, appt_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		rc = nz_fail(err, NZ_ENOTFOUND, "no appointment with id '%s'", appt_id);
		goto fail;
	}
	copy(owner, sizeof(owner), col_text(q, 0));
	copy(status, sizeof(status), col_text(q, 1));
	sqlite3_reset(q);
	if (strcmp(status, "active") != 0) {
		rc = nz_fail(err, NZ_ESTATE, "appointment '%s' is %s already", appt_id, status);
		goto fail;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", "revoked");
	colset_text(cs, "revoked", today);
	colset_text(cs, "revoke_reason", reason);
	rc = rec_write(st, "sel_appointment", appt_id, owner, cs, author, err);
fail:
	return rec_finish(st, rc, err);
}

json_t *
sel_appoint_list(struct store *st, const char *under, const char *call_id, bool all)
{
	return sel_query_json(
		st,
		"SELECT id, owner, call_id, applicant_id, group_name, rank, combined, status, appointed,"
		" term_start, term_end, decree_id, decree_no, revoked, revoke_reason, by_node, replaces"
		" FROM sel_appointment WHERE deleted = 0 AND " UNDER_SQL
		" AND (?2 IS NULL OR call_id = ?2) AND (?3 IS NOT NULL OR status = 'active')"
		" ORDER BY owner, appointed, decree_no, id",
		under, call_id, all ? "all" : NULL);
}

json_t *
sel_appoint_summary(struct store *st, const char *under)
{
	struct sel_std s;
	json_t *rows;
	size_t i;
	json_t *r;

	/* The org-unit tree reaches every node whole: a node sums up its own subtree unless told otherwise. */
	if (under == NULL)
		under = store_node(st);
	if (sel_std_load(st, 0, &s, NULL) != 0)
		sel_std_defaults(&s);
	/* Every secretariat the org-unit tree knows, and any that has a call or an appointment. */
	rows = sel_query_json(
		st,
		"WITH units(unit) AS ("
		"  SELECT id FROM orgunit WHERE deleted = 0 AND level IN (1, 2) AND " UNIT_SQL_UNDER(
			"id") "  UNION SELECT owner FROM sel_call WHERE deleted = 0 AND " UNDER_SQL
			      "  UNION SELECT owner FROM sel_appointment WHERE deleted = 0 AND " UNDER_SQL ")"
			      " SELECT unit, (SELECT name_fa FROM orgunit o WHERE o.id = unit AND o.deleted = 0) AS name_fa,"
			      " (SELECT count(*) FROM sel_appointment p WHERE p.owner = unit AND p.deleted = 0"
			      "   AND p.status = 'active') AS active,"
			      " (SELECT count(*) FROM sel_appointment p WHERE p.owner = unit AND p.deleted = 0"
			      "   AND p.status = 'revoked') AS revoked"
			      " FROM units WHERE unit IS NOT NULL ORDER BY unit",
		under, NULL, NULL);
	json_array_foreach(rows, i, r) {
		const char *unit = json_string_value(json_object_get(r, "unit"));
		json_int_t active = json_integer_value(json_object_get(r, "active"));
		int quota = sel_std_quota(&s, unit ? unit : "");
		json_object_set_new(r, "level", json_string(unit_level_name(unit_level(unit ? unit : ""))));
		json_object_set_new(r, "quota", json_integer(quota));
		json_object_set_new(r, "free", json_integer(quota - active));
		json_object_set_new(r, "over", json_boolean(active > quota));
	}
	return rows;
}

json_t *
sel_decree_list(struct store *st, const char *under)
{
	return sel_query_json(st,
			  "SELECT id, owner, number, date, group_name, group_kind, term_months, term_start,"
			  " term_end, appointment_id, call_id, by_node,"
			  " (SELECT status FROM sel_appointment p WHERE p.id = d.appointment_id) AS status"
			  " FROM sel_decree d WHERE deleted = 0 AND " UNDER_SQL
			  " ORDER BY owner, year, seq, number, id",
			  under, NULL, NULL);
}

int
sel_decree_get(struct store *st, const char *key, json_t **out, struct nz_err *err)
{
	return rec_one(
		st,
		sel_query_json(
			st,
			"SELECT id, owner, number, year, seq, date, group_name, group_kind, term_months,"
			" term_start, term_end, appointment_id, applicant_id, call_id, by_node, replaces, replaces_name,"
			" (SELECT status FROM sel_appointment p WHERE p.id = d.appointment_id) AS status,"
			" (SELECT revoked FROM sel_appointment p WHERE p.id = d.appointment_id) AS revoked,"
			" (SELECT revoke_reason FROM sel_appointment p WHERE p.id = d.appointment_id)"
			"   AS revoke_reason"
			" FROM sel_decree d WHERE deleted = 0 AND (id = ?1 OR number = ?1 OR appointment_id = ?1)"
			" ORDER BY id = ?1 DESC, id LIMIT 1",
			key, NULL, NULL),
		"decree", key, out, err);
}

int
sel_group_check(struct store *st, const char *unit, const char *name, struct nz_err *err)
{
	char names[600] = "";
	size_t n = 0;
	sqlite3_stmt *q;
	int found = 0;

	q = store_prepare(st,
			  "SELECT group_name FROM sel_appointment WHERE deleted = 0 AND status = 'active' AND owner = ?"
			  " ORDER BY group_name",
			  err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (name != NULL && strcmp(col_text(q, 0), name) == 0)
			found = 1;
		if (n < sizeof(names))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "", col_text(q, 0));
	}
	sqlite3_reset(q);
	if (found)
		return 0;
	nz_fail(err, NZ_EINVAL, "'%s' is not a helper group %s appointed (%s)", name ? name : "", unit,
		n ? names : "it has appointed none");
	nz_why(err, "sel.no_such_group", "group", name ? name : "", "unit", unit, NULL);
	return NZ_EINVAL; /* nz_why answers 0 for a NULL err */
}

int
sel_helper_group(struct store *st, const char *unit, const char *key, char appt[NZ_RID_MAX], char *name, size_t n,
		 struct nz_err *err)
{
	char id[NZ_RID_MAX] = "", owner[NZ_ID_MAX] = "", group[SEL_GROUP_MAX] = "", status[16] = "";
	sqlite3_stmt *q;
	int rc;

	if (key == NULL || key[0] == '\0')
		return sel_group_check(st, unit, key, err);
	/* This secretariat's first, an active one first: a name reappointed after a revocation is the new one. */
	q = store_prepare(st,
			  "SELECT id, owner, group_name, status FROM sel_appointment WHERE deleted = 0"
			  " AND (id = ?1 OR decree_no = ?1 OR group_name = ?1)"
			  " ORDER BY owner = ?2 DESC, status = 'active' DESC, id = ?1 DESC, id LIMIT 1",
			  err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, unit, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		snprintf(id, sizeof(id), "%s", col_text(q, 0));
		snprintf(owner, sizeof(owner), "%s", col_text(q, 1));
		snprintf(group, sizeof(group), "%s", col_text(q, 2));
		snprintf(status, sizeof(status), "%s", col_text(q, 3));
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "appointments");
	if (rc == SQLITE_DONE)
		return sel_group_check(st, unit, key, err);
	if (strcmp(owner, unit) != 0) {
		nz_fail(err, NZ_EDENIED, "helper group '%s' (%s) was appointed by %s, not by %s", group, id, owner, unit);
		nz_why(err, "sel.group_elsewhere", "group", group, "unit", unit, "owner", owner, NULL);
		return NZ_EDENIED;
	}
	if (strcmp(status, "active") != 0) {
		nz_fail(err, NZ_ESTATE, "the appointment of helper group '%s' (%s) is revoked: its helpers can no longer act",
			group, id);
		nz_why(err, "sel.group_revoked", "group", group, NULL);
		return NZ_ESTATE;
	}
	if (appt != NULL)
		snprintf(appt, NZ_RID_MAX, "%s", id);
	if (name != NULL && n > 0)
		snprintf(name, n, "%s", group);
	return 0;
}
