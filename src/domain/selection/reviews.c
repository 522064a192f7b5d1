/*
 * Scores by criterion: the resume reviews and the interviews of applicants.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/selection/sel_int.h"
#include "domain/sense.h"

/* ---- scores ---- */

static void
crit_codes(const struct sel_criterion *list, int n, char *out, size_t size)
{
	size_t w = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && w < size; i++)
		w += (size_t)snprintf(out + w, size - w, "%s%s", i ? ", " : "", list[i].code);
}

/* parse_scores merges "code=score" pairs into scores, each checked against its criterion's bounds. */
static int
parse_scores(const struct sel_criterion *list, int n, const char *what, int npairs, char *const *pairs,
	     json_t *scores, struct nz_err *err)
{
	char code[SEL_CODE_MAX + 1], codes[SEL_CRIT_MAX * (SEL_CODE_MAX + 2)];
	const struct sel_criterion *c;
	double v;
	int i;

	if (npairs <= 0)
		return nz_fail(err, NZ_EINVAL, "no scores given: give CODE=SCORE for the %s criteria", what);
	for (i = 0; i < npairs; i++) {
		const char *eq = strchr(pairs[i], '=');
		if (eq == NULL || eq == pairs[i] || (size_t)(eq - pairs[i]) >= sizeof(code))
			return nz_fail(err, NZ_EINVAL, "'%s' is not CODE=SCORE", pairs[i]);
		memcpy(code, pairs[i], (size_t)(eq - pairs[i]));
		code[eq - pairs[i]] = '\0';
		if ((c = sel_crit_find(list, n, code)) == NULL) {
			crit_codes(list, n, codes, sizeof(codes));
			return nz_fail(err, NZ_EINVAL, "'%s' is not a %s criterion of these standards (%s)",
				       code, what, codes);
		}
		if (sel_parse_number(eq + 1, &v) != 0)
			return nz_fail(err, NZ_EINVAL, "score '%s' for '%s' is not a number", eq + 1, code);
		if (v < c->min || v > c->max)
			return nz_fail(err, NZ_EINVAL, "score %g for '%s' lies outside its bounds %g..%g", v,
				       code, c->min, c->max);
		json_object_set_new(scores, code, json_real(v));
	}
	return 0;
}

/*
 * weighted_total computes the 0..100 weighted total of scores over list;
 * false, with the first unscored criterion in *missing, when incomplete.
 */
static bool
weighted_total(const struct sel_criterion *list, int n, json_t *scores, double *total, const char **missing)
{
	double sum = 0, wsum = 0;
	int i;

	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(scores, list[i].code);
		if (!json_is_number(v)) {
			if (missing != NULL)
				*missing = list[i].code;
			return false;
		}
		sum += list[i].weight * (json_number_value(v) - list[i].min) / (list[i].max - list[i].min);
		wsum += list[i].weight;
	}
	*total = wsum > 0 ? sel_round2(100.0 * sum / wsum) : 0;
	return true;
}

/*
 * merge_scores reads the scores of record rid of table (sel_review, sel_interview; none yet: an empty
 * object) into *scores, a new object the caller releases, and merges the "code=score" pairs into it.
 */
static int
merge_scores(struct store *st, const char *table, const char *rid, const struct sel_criterion *list, int n,
	     const char *what, int npairs, char *const *pairs, json_t **scores, struct nz_err *err)
{
	char sql[96];
	sqlite3_stmt *q;
	int step;

	*scores = NULL;
	snprintf(sql, sizeof(sql), "SELECT scores FROM %s WHERE id = ? AND deleted = 0", table);
	if ((q = store_prepare(st, sql, err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, rid, -1, SQLITE_TRANSIENT);
	if ((step = sqlite3_step(q)) == SQLITE_ROW)
		*scores = sel_parse_json_object(col_text(q, 0));
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sqlerr(st, err, table);
	if (*scores == NULL)
		*scores = json_object();
	return parse_scores(list, n, what, npairs, pairs, *scores, err);
}

/*
 * write_scores adds scores (compact JSON, its keys sorted) and the day updated to cs, then writes cs to
 * record rid of table under owner; frees cs.
 */
static int
write_scores(struct store *st, const char *table, const char *rid, const char *owner, struct colset *cs,
	     json_t *scores, const char *today, const char *author, struct nz_err *err)
{
	int rc;

	if ((rc = rec_colset_json(cs, "scores", scores, SIZE_MAX, "the scores", err)) != 0) {
		colset_free(cs);
		return rc;
	}
	colset_text(cs, "updated", today);
	return rec_write(st, table, rid, owner, cs, author, err);
}

/* ---- review and weighting ---- */

int
sel_review_score(struct store *st, const char *applicant, const char *reviewer, int npairs,
		 char *const *pairs, bool draft, const char *author, struct nz_err *err)
{
	char lacking[SEL_CRIT_MAX * (SEL_CODE_MAX + 2)] = "";
	size_t nl = 0;
	int i;
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct colset *cs;
	json_t *scores = NULL;
	char rid[NZ_RID_MAX], today[11];
	double total;
	int rc;

	if ((rc = field_text("the reviewer", reviewer, 64, true, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_load_both(st, applicant, &a, &c, err)) != 0)
		goto out;
	if (c.state != CALL_CLOSED) {
		rc = nz_fail(err, NZ_ESTATE, "call '%s' is %s; %s", c.id, sel_call_state_name(c.state),
			     c.state < CALL_CLOSED ? "reviews start when it closes"
						   : "its review scores are final");
		goto out;
	}
	if ((rc = sel_call_std(st, &c, &s, err)) != 0)
		goto out;
	if (s.nreview == 0) {
		rc = nz_fail(err, NZ_EINVAL, "the standards of call '%s' have no review criteria", c.id);
		goto out;
	}
	sel_derived_id("rv-", applicant, reviewer, rid);
	if ((rc = merge_scores(st, "sel_review", rid, s.review, s.nreview, "review", npairs, pairs, &scores,
			       err)) != 0)
		goto out;
	for (i = 0; i < s.nreview; i++)
		if (!json_is_number(json_object_get(scores, s.review[i].code)) && nl < sizeof(lacking))
			nl += (size_t)snprintf(lacking + nl, sizeof(lacking) - nl, "%s%s", nl ? ", " : "",
					       s.review[i].code);
	if (nl > 0 && !draft) {
		nz_fail(err, NZ_EINVAL,
			"a review scores every criterion; %s has none from %s yet (to finish later, save it as a"
			" draft)",
			lacking, reviewer);
		rc = nz_why(err, "sel.review_incomplete", "missing", lacking, "reviewer", reviewer, NULL);
		goto out;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "reviewer", reviewer);
	if (!draft && weighted_total(s.review, s.nreview, scores, &total, NULL))
		colset_real(cs, "total", total);
	else
		colset_null(cs, "total");
	colset_int(cs, "draft", draft ? 1 : 0);
	rc = write_scores(st, "sel_review", rid, a.owner, cs, scores, today, author, err);
out:
	json_decref(scores);
	return rec_finish(st, rc, err);
}

json_t *
sel_review_list(struct store *st, const char *applicant, const char *call_id)
{
	json_t *rows = sel_query_json(
		st,
		"SELECT r.id, r.owner, r.call_id, r.applicant_id, a.name, r.reviewer, r.scores,"
		" r.total, r.updated, r.draft FROM sel_review r JOIN sel_applicant a ON a.id = r.applicant_id"
		" WHERE r.deleted = 0 AND (?1 IS NULL OR r.applicant_id = ?1)"
		" AND (?2 IS NULL OR r.call_id = ?2) ORDER BY a.applied_at, a.id, r.reviewer",
		applicant, call_id, NULL);

	sel_expand_json(rows, "scores");
	return rows;
}

/* ---- interviews ---- */

struct interview {
	bool exists;
	char status[16];
	char date[11]; /* ISO, the day it is scheduled for */
};

static int
load_interview(struct store *st, const char *rid, struct interview *iv, struct nz_err *err)
{
	sqlite3_stmt *q =
		store_prepare(st, "SELECT status, date FROM sel_interview WHERE id = ? AND deleted = 0", err);

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, rid, -1, SQLITE_TRANSIENT);
	iv->exists = sqlite3_step(q) == SQLITE_ROW;
	copy(iv->status, sizeof(iv->status), iv->exists ? col_text(q, 0) : "");
	copy(iv->date, sizeof(iv->date), iv->exists ? col_text(q, 1) : "");
	sqlite3_reset(q);
	return 0;
}

/*
 * interview_ready begins the write of an interview operation: a transaction (the caller ends it with
 * rec_finish), what the operation needs loaded, the call's state checked; on an error nothing is left open.
 */
static int
interview_ready(struct store *st, const char *applicant, struct applicant *a, struct call *c,
		struct sel_std *s, char rid[NZ_RID_MAX], struct interview *iv, struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_load_both(st, applicant, a, c, err)) != 0)
		goto out;
	if (c->state != CALL_CLOSED && c->state != CALL_REVIEWED) {
		rc = nz_fail(err, NZ_ESTATE,
			     "call '%s' is %s; interviews take place once it is closed and until it is completed",
			     c->id, sel_call_state_name(c->state));
		goto out;
	}
	if ((rc = sel_call_std(st, c, s, err)) != 0)
		goto out;
	if (s->ninterview == 0) {
		rc = nz_fail(err, NZ_EINVAL, "the standards of call '%s' have no interview criteria", c->id);
		goto out;
	}
	sel_derived_id("iv-", applicant, "", rid);
	rc = load_interview(st, rid, iv, err);
out:
	if (rc != 0)
		store_rollback(st);
	return rc;
}

int
sel_interview_schedule(struct store *st, const char *applicant, const char *date, const char *time,
		       const char *place, const char *panel, const char *author, struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct interview iv;
	struct colset *cs;
	char rid[NZ_RID_MAX], today[11], hhmm[6];
	int rc;

	if ((rc = sel_check_date("the interview's date", date, err)) != 0 ||
	    (rc = field_text("the interview panel", panel, 1000, true, err)) != 0 ||
	    (rc = field_text("the interview's place", place, 300, false, err)) != 0)
		return rc;
	if ((rc = time_parse("interview time", time, hhmm, err)) != 0)
		return rc;
	if ((rc = interview_ready(st, applicant, &a, &c, &s, rid, &iv, err)) != 0)
		return rc;
	if (iv.exists && strcmp(iv.status, "held") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "the interview of '%s' (%s) has been held already", applicant,
			     a.name);
		goto fail;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "date", date);
	colset_text(cs, "time", hhmm);
	colset_text(cs, "place", place ? place : "");
	colset_text(cs, "panel", panel);
	colset_text(cs, "status", "scheduled");
	colset_text(cs, "updated", today);
	rc = rec_write(st, "sel_interview", rid, a.owner, cs, author, err);
fail:
	return rec_finish(st, rc, err);
}

int
sel_interview_score(struct store *st, const char *applicant, int npairs, char *const *pairs,
		    const char *notes, const char *author, struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct interview iv;
	struct colset *cs;
	json_t *scores = NULL;
	const char *missing = NULL;
	char rid[NZ_RID_MAX], today[11];
	double total;
	int rc;

	if ((rc = field_text("the notes", notes, TEXT_MAX_BYTES, false, err)) != 0)
		return rc;
	if ((rc = interview_ready(st, applicant, &a, &c, &s, rid, &iv, err)) != 0)
		return rc;
	if (!iv.exists || strcmp(iv.status, "no_show") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "the interview of '%s' (%s) is not scheduled; schedule it first",
			     applicant, a.name);
		goto out;
	}
	nz_today(today);
	if ((rc = sense_not_before("sense.interview_score_early", "scoring today", today, "the interview's date",
				   iv.date, err)) != 0)
		goto out;
	if ((rc = merge_scores(st, "sel_interview", rid, s.interview, s.ninterview, "interview", npairs, pairs,
			       &scores, err)) != 0)
		goto out;
	if (!weighted_total(s.interview, s.ninterview, scores, &total, &missing)) {
		rc = nz_fail(err, NZ_EINVAL, "an interview is scored on every criterion; '%s' has no score",
			     missing);
		goto out;
	}
	cs = colset_new();
	colset_text(cs, "status", "held");
	colset_real(cs, "total", total);
	if (notes != NULL)
		colset_text(cs, "notes", notes);
	rc = write_scores(st, "sel_interview", rid, a.owner, cs, scores, today, author, err);
out:
	json_decref(scores);
	return rec_finish(st, rc, err);
}

int
sel_interview_noshow(struct store *st, const char *applicant, const char *notes, const char *author,
		     struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct interview iv;
	struct colset *cs;
	char rid[NZ_RID_MAX], today[11];
	int rc;

	if ((rc = field_text("the notes", notes, TEXT_MAX_BYTES, false, err)) != 0)
		return rc;
	if ((rc = interview_ready(st, applicant, &a, &c, &s, rid, &iv, err)) != 0)
		return rc;
	if (!iv.exists || strcmp(iv.status, "scheduled") != 0) {
		rc = nz_fail(err, NZ_ESTATE,
			     "the interview of '%s' (%s) is %s; only a scheduled one can be missed",
			     applicant, a.name, iv.exists ? iv.status : "not scheduled");
		goto fail;
	}
	nz_today(today);
	if ((rc = sense_not_before("sense.interview_noshow_early", "marking absent today", today,
				   "the interview's date", iv.date, err)) != 0)
		goto fail;
	cs = colset_new();
	colset_text(cs, "status", "no_show");
	colset_null(cs, "total");
	if (notes != NULL)
		colset_text(cs, "notes", notes);
	colset_text(cs, "updated", today);
	rc = rec_write(st, "sel_interview", rid, a.owner, cs, author, err);
fail:
	return rec_finish(st, rc, err);
}

json_t *
sel_interview_list(struct store *st, const char *call_id)
{
	json_t *rows =
		sel_query_json(st,
			   "SELECT i.id, i.owner, i.applicant_id, a.name, i.date, i.time, i.place, i.panel,"
			   " i.status, i.scores, i.total, i.notes FROM sel_interview i"
			   " JOIN sel_applicant a ON a.id = i.applicant_id"
			   " WHERE i.call_id = ? AND i.deleted = 0 AND a.deleted = 0"
			   " ORDER BY i.date, i.time, a.applied_at, a.id",
			   call_id, NULL, NULL);

	sel_expand_json(rows, "scores");
	return rows;
}
