/*
 * فراخوان: calls for applications and their lifecycle (draft, open, closed,
 * reviewed, completed).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/selection/sel_int.h"

/* ---- calls ---- */

static const char *const state_names[] = {"draft", "open", "closed", "reviewed", "completed"};
#define NSTATES 5

const char *
sel_call_state_name(int state)
{
	return state >= 0 && state < NSTATES ? state_names[state] : "unknown";
}

int
sel_call_state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < NSTATES; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

int
sel_load_call(struct store *st, const char *id, struct call *c, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	q = store_prepare(
		st,
		"SELECT owner, status, std_id, opens, closes, closed_on FROM sel_call WHERE id = ? AND deleted = 0",
		err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if ((rc = rec_step_one(st, q, "call", id, err)) == 0) {
		copy(c->id, sizeof(c->id), id);
		copy(c->owner, sizeof(c->owner), col_text(q, 0));
		c->state = sel_call_state_parse(col_text(q, 1));
		copy(c->std_id, sizeof(c->std_id), col_text(q, 2));
		copy(c->opens, sizeof(c->opens), col_text(q, 3));
		copy(c->closes, sizeof(c->closes), col_text(q, 4));
		copy(c->closed_on, sizeof(c->closed_on), col_text(q, 5));
	}
	sqlite3_reset(q);
	return rc;
}

/* call_std loads the standards a call runs under (pinned when it opened). */
int
sel_call_std(struct store *st, const struct call *c, struct sel_std *s, struct nz_err *err)
{
	if (c->std_id[0] == '\0')
		return nz_fail(err, NZ_ESTATE, "call '%s' is a draft; it has no standards until it opens",
			       c->id);
	return sel_std_load_id(st, c->std_id, s, err);
}

int
sel_check_secretariat(struct store *st, const char **secretariat, struct nz_err *err)
{
	const char *unit = *secretariat != NULL ? *secretariat : (*secretariat = store_node(st));
	int level = unit_level(unit);

	if (level != NZ_LEVEL_COUNTY && level != NZ_LEVEL_PROVINCE)
		return nz_fail(
			err, NZ_EINVAL,
			"'%s' is not a county or provincial secretariat; only they select helper groups",
			unit);
	if (!unit_within(unit, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "this node (%s) may not act for %s", store_node(st), unit);
	return 0;
}

static int
check_window(const char *opens, const char *closes, struct nz_err *err)
{
	int rc;

	if ((rc = sel_check_date("the opening date", opens, err)) != 0 ||
	    (rc = sel_check_date("the closing date", closes, err)) != 0)
		return rc;
	if (strcmp(opens, closes) > 0) {
		char a[11], b[11];
		jalali_or_iso(opens, a);
		jalali_or_iso(closes, b);
		return nz_fail(err, NZ_EINVAL, "the window opens on %s, after it closes on %s", a, b);
	}
	return 0;
}

int
sel_call_add(struct store *st, const char *secretariat, const char *title, const char *description,
	     const char *opens, const char *closes, const char *author, char id[NZ_RID_MAX],
	     struct nz_err *err)
{
	struct colset *cs;
	char today[11];
	int rc;

	if ((rc = sel_check_secretariat(st, &secretariat, err)) != 0 ||
	    (rc = field_text("the call's title", title, 300, true, err)) != 0 ||
	    (rc = field_text("the call's description", description, TEXT_MAX_BYTES, false, err)) != 0 ||
	    (rc = check_window(opens, closes, err)) != 0)
		return rc;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "title", title);
	colset_text(cs, "description", description ? description : "");
	colset_text(cs, "opens", opens);
	colset_text(cs, "closes", closes);
	colset_text(cs, "status", "draft");
	colset_text(cs, "created", today);
	store_new_id(id);
	return rec_write(st, "sel_call", id, secretariat, cs, author, err);
}

/* sel_call_edit_tx checks and writes inside its caller's transaction, so no other write comes between. */
static int
sel_call_edit_tx(struct store *st, const char *id, const char *title, const char *description, const char *opens,
	      const char *closes, const char *author, struct nz_err *err)
{
	struct call c;
	struct colset *cs;
	int rc;

	if ((rc = sel_load_call(st, id, &c, err)) != 0)
		return rc;
	if (c.state != CALL_DRAFT)
		return nz_fail(err, NZ_ESTATE, "call '%s' is %s; only a draft can be edited", id,
			       sel_call_state_name(c.state));
	if ((title != NULL && (rc = field_text("the call's title", title, 300, true, err)) != 0) ||
	    (rc = field_text("the call's description", description, TEXT_MAX_BYTES, false, err)) != 0 ||
	    (rc = check_window(opens ? opens : c.opens, closes ? closes : c.closes, err)) != 0)
		return rc;
	cs = colset_new();
	if (title != NULL)
		colset_text(cs, "title", title);
	if (description != NULL)
		colset_text(cs, "description", description);
	if (opens != NULL)
		colset_text(cs, "opens", opens);
	if (closes != NULL)
		colset_text(cs, "closes", closes);
	if (colset_count(cs) == 0) {
		colset_free(cs);
		return nz_fail(err, NZ_EINVAL, "nothing to change in call '%s'", id);
	}
	return rec_write(st, "sel_call", id, c.owner, cs, author, err);
}

int
sel_call_edit(struct store *st, const char *id, const char *title, const char *description, const char *opens,
	      const char *closes, const char *author, struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	rc = sel_call_edit_tx(st, id, title, description, opens, closes, author, err);
	return rec_finish(st, rc, err);
}

/* reviews_missing names the first live applicant of a call with too few complete reviews. */
static int
reviews_missing(struct store *st, const char *call_id, int need, char name[256], int *have)
{
	sqlite3_stmt *q;
	int found = 0;

	q = store_prepare(
		st,
		"SELECT a.name, (SELECT count(*) FROM sel_review r WHERE r.applicant_id = a.id"
		"   AND r.deleted = 0 AND r.total IS NOT NULL) AS n"
		" FROM sel_applicant a WHERE a.call_id = ? AND a.deleted = 0 AND a.status = 'applied'"
		" AND n < ? ORDER BY a.applied_at, a.id LIMIT 1",
		NULL);
	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, call_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, need);
	if (sqlite3_step(q) == SQLITE_ROW) {
		copy(name, 256, col_text(q, 0));
		*have = sqlite3_column_int(q, 1);
		found = 1;
	}
	sqlite3_reset(q);
	return found;
}

/* call_move moves call id to state to; early is the reason for closing before the announced date. */
static int
call_move(struct store *st, const char *id, int to, const char *early, const char *author, struct nz_err *err)
{
	struct call c;
	struct sel_std s;
	struct colset *cs = NULL;
	char today[11], name[256], when[11];
	int rc, have = 0;

	if (to < CALL_OPEN || to >= NSTATES)
		return nz_fail(err, NZ_EINVAL, "a call moves to open, closed, reviewed or completed");
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_load_call(st, id, &c, err)) != 0)
		goto fail;
	if (c.state < 0) {
		rc = nz_fail(err, NZ_ESTATE, "call '%s' has an unknown status", id);
		goto fail;
	}
	if (to != c.state + 1) {
		if (c.state == CALL_COMPLETED)
			rc = nz_fail(err, NZ_ESTATE, "call '%s' is completed; it cannot become %s", id,
				     sel_call_state_name(to));
		else
			rc = nz_fail(err, NZ_ESTATE, "call '%s' is %s; it can move only to %s, not to %s", id,
				     sel_call_state_name(c.state), sel_call_state_name(c.state + 1),
				     sel_call_state_name(to));
		goto fail;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", sel_call_state_name(to));
	switch (to) {
	case CALL_OPEN:
		if (strcmp(c.closes, today) < 0) {
			jalali_or_iso(c.closes, when);
			rc = nz_fail(err, NZ_ESTATE,
				     "call '%s' closes on %s, which has passed; move its closing date first",
				     id, when);
			goto fail;
		}
		if ((rc = sel_std_load(st, 0, &s, err)) != 0)
			goto fail;
		colset_text(cs, "std_id", s.id);
		colset_int(cs, "std_version", s.version);
		colset_text(cs, "opened_on", today);
		break;
	case CALL_CLOSED:
		/* Closing before the announced date is a decision to record, with its reason. */
		if (strcmp(today, c.closes) < 0) {
			if (empty(early)) {
				jalali_or_iso(c.closes, when);
				nz_fail_at(err, NZ_ESTATE, "early", NULL,
					   "call '%s' was announced to close on %s; closing it earlier needs the"
					   " reason for it",
					   id, when);
				rc = nz_why(err, "sel.close_early", "closes", when, NULL);
				goto fail;
			}
			if ((rc = field_text("the reason for closing early", early, 1000, true, err)) != 0)
				goto fail;
			colset_text(cs, "early_reason", early);
		} else if (!empty(early)) {
			rc = nz_fail_at(err, NZ_EINVAL, "early", NULL,
					"call '%s' closes on its announced date or later: a reason for closing early"
					" is for closing before it",
					id);
			goto fail;
		}
		colset_text(cs, "closed_on", today);
		break;
	case CALL_REVIEWED:
		if ((rc = sel_call_std(st, &c, &s, err)) != 0)
			goto fail;
		if (s.review_weight > 0) {
			int r = reviews_missing(st, id, s.min_reviewers, name, &have);
			if (r < 0) {
				rc = store_sqlerr(st, err, "count reviews");
				goto fail;
			}
			if (r > 0) {
				rc = nz_fail(
					err, NZ_ESTATE,
					"applicant '%s' has %d complete review(s); the standards ask for %d "
					"before the review is finished",
					name, have, s.min_reviewers);
				goto fail;
			}
		}
		colset_text(cs, "reviewed_on", today);
		break;
	case CALL_COMPLETED: {
		int64_t n = rec_scalar(
			st,
			"SELECT count(*) FROM sel_interview i JOIN sel_applicant a ON a.id = i.applicant_id"
			" WHERE i.call_id = ? AND i.deleted = 0 AND i.status = 'scheduled'"
			" AND a.deleted = 0 AND a.status = 'applied'",
			id, NULL);
		if (n != 0) {
			rc = nz_fail(
				err, NZ_ESTATE,
				"call '%s' has %lld interview(s) still scheduled; score them or mark them "
				"no-show first",
				id, (long long)n);
			goto fail;
		}
		colset_text(cs, "completed_on", today);
		break;
	}
	}
	if ((rc = store_write(st, "sel_call", id, c.owner, cs, author, err)) != 0)
		goto fail;
	colset_free(cs);
	return store_commit(st, err);
fail:
	colset_free(cs);
	store_rollback(st);
	return rc;
}

int
sel_call_move(struct store *st, const char *id, int to, const char *author, struct nz_err *err)
{
	return call_move(st, id, to, NULL, author, err);
}

int
sel_call_close(struct store *st, const char *id, const char *early, const char *author, struct nz_err *err)
{
	return call_move(st, id, CALL_CLOSED, early, author, err);
}

json_t *
sel_call_list(struct store *st, const char *under)
{
	return sel_query_json(st,
			  "SELECT id, owner, title, status, opens, closes, std_version, created,"
			  " (SELECT count(*) FROM sel_applicant a WHERE a.call_id = c.id AND a.deleted = 0"
			  "   AND a.status = 'applied') AS applicants,"
			  " (SELECT count(*) FROM sel_appointment p WHERE p.call_id = c.id AND p.deleted = 0"
			  "   AND p.status = 'active') AS appointed"
			  " FROM sel_call c WHERE deleted = 0 AND " UNDER_SQL " ORDER BY created DESC, id",
			  under, NULL, NULL);
}

int
sel_call_get(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	return rec_one(st,
		       sel_query_json(st,
				      "SELECT id, owner, title, description, status, opens, closes, std_id, std_version,"
				      " created, opened_on, closed_on, early_reason, reviewed_on, completed_on,"
				      " (SELECT count(*) FROM sel_applicant a WHERE a.call_id = c.id AND a.deleted = 0"
				      "   AND a.status = 'applied') AS applicants,"
				      " (SELECT count(*) FROM sel_applicant a WHERE a.call_id = c.id AND a.deleted = 0"
				      "   AND a.status = 'withdrawn') AS withdrawn,"
				      " (SELECT count(*) FROM sel_appointment p WHERE p.call_id = c.id AND p.deleted = 0"
				      "   AND p.status = 'active') AS appointed"
				      " FROM sel_call c WHERE id = ? AND deleted = 0",
				      id, NULL, NULL),
		       "call", id, out, err);
}
