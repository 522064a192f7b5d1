/*
 * Ranking and qualification of a call's applicants, and the ranking as CSV.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "domain/selection/sel_int.h"

/* ---- ranking and qualification ---- */

enum { IV_NONE, IV_SCHEDULED, IV_HELD, IV_NOSHOW };
static const char *const iv_names[] = {"none", "scheduled", "held", "no_show"};

struct rrow *
sel_rrow_find(struct rrow *rows, int n, const char *id)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].id, id) == 0)
			return &rows[i];
	return NULL;
}

static long long
hundredths(double x)
{
	return llround(x * 100.0);
}

static int
rrow_cmp(const void *pa, const void *pb)
{
	const struct rrow *a = pa, *b = pb;
	long long x, y;

	if (a->has_combined != b->has_combined)
		return a->has_combined ? -1 : 1;
	if (a->has_combined) {
		if ((x = hundredths(a->combined)) != (y = hundredths(b->combined)))
			return x > y ? -1 : 1;
		if ((x = hundredths(a->interview)) != (y = hundredths(b->interview)))
			return x > y ? -1 : 1;
		if ((x = hundredths(a->review)) != (y = hundredths(b->review)))
			return x > y ? -1 : 1;
	}
	if (a->applied_at != b->applied_at)
		return a->applied_at < b->applied_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* rank_build computes the ranked list of call c under s into *out (the caller frees it). */
int
sel_rank_build(struct store *st, const struct call *c, const struct sel_std *s, struct rrow **out, int *nout,
	   struct nz_err *err)
{
	struct rrow *rows = NULL, *r;
	sqlite3_stmt *q;
	int n = 0, cap = 0, i, rank = 0;
	bool need_review = s->review_weight > 0, need_interview = s->interview_weight > 0;

	*out = NULL;
	*nout = 0;
	q = store_prepare(st,
			  "SELECT id, name, kind, status, applied_at FROM sel_applicant"
			  " WHERE call_id = ? AND deleted = 0 ORDER BY applied_at, id",
			  err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW && n < RANK_MAX) {
		if (n == cap) {
			struct rrow *grown =
				realloc(rows, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*rows));
			if (grown == NULL) {
				sqlite3_reset(q);
				free(rows);
				return nz_fail(err, NZ_ENOMEM, "out of memory");
			}
			rows = grown;
		}
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		copy(r->id, sizeof(r->id), col_text(q, 0));
		copy(r->name, sizeof(r->name), col_text(q, 1));
		copy(r->kind, sizeof(r->kind), col_text(q, 2));
		r->withdrawn = strcmp(col_text(q, 3), "withdrawn") == 0;
		r->applied_at = sqlite3_column_int64(q, 4);
	}
	sqlite3_reset(q);

	q = store_prepare(st,
			  "SELECT applicant_id, total FROM sel_review WHERE call_id = ? AND deleted = 0"
			  " AND total IS NOT NULL",
			  err);
	if (q == NULL)
		goto dberr;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		double t = sqlite3_column_double(q, 1);
		if ((r = sel_rrow_find(rows, n, col_text(q, 0))) == NULL)
			continue;
		r->rmin = r->nrev == 0 || t < r->rmin ? t : r->rmin;
		r->rmax = r->nrev == 0 || t > r->rmax ? t : r->rmax;
		r->rsum += t;
		r->nrev++;
	}
	sqlite3_reset(q);

	q = store_prepare(
		st, "SELECT applicant_id, status, total FROM sel_interview WHERE call_id = ? AND deleted = 0",
		err);
	if (q == NULL)
		goto dberr;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *status = col_text(q, 1);
		if ((r = sel_rrow_find(rows, n, col_text(q, 0))) == NULL)
			continue;
		r->iv = strcmp(status, "held") == 0      ? IV_HELD
			: strcmp(status, "no_show") == 0 ? IV_NOSHOW
							 : IV_SCHEDULED;
		if (r->iv == IV_HELD)
			r->interview = sqlite3_column_double(q, 2);
	}
	sqlite3_reset(q);

	q = store_prepare(
		st,
		"SELECT applicant_id, id, decree_no FROM sel_appointment WHERE call_id = ? AND deleted = 0"
		" AND status = 'active' ORDER BY id",
		err);
	if (q == NULL)
		goto dberr;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if ((r = sel_rrow_find(rows, n, col_text(q, 0))) == NULL || r->appt[0] != '\0')
			continue;
		copy(r->appt, sizeof(r->appt), col_text(q, 1));
		copy(r->decree_no, sizeof(r->decree_no), col_text(q, 2));
	}
	sqlite3_reset(q);

	for (i = 0; i < n; i++) {
		r = &rows[i];
		if (r->nrev > 0) {
			r->review = sel_round2(r->rsum / r->nrev);
			r->spread = sel_round2(r->rmax - r->rmin);
			r->flagged = r->nrev >= 2 && hundredths(r->spread) > hundredths(s->disagreement);
		}
		if (!r->withdrawn && (!need_review || r->nrev > 0) && (!need_interview || r->iv == IV_HELD)) {
			r->has_combined = true;
			r->combined = sel_round2(
				(s->review_weight * r->review + s->interview_weight * r->interview) / 100.0);
		}
		if (r->withdrawn) {
			r->why = "rank.withdrawn";
			snprintf(r->reason, sizeof(r->reason), "withdrawn");
		} else if (need_review && r->nrev < s->min_reviewers) {
			r->why = "rank.reviews";
			snprintf(r->reason, sizeof(r->reason), "%d of %d reviews", r->nrev, s->min_reviewers);
		} else if (need_interview && r->iv == IV_NOSHOW) {
			r->why = "rank.noshow";
			snprintf(r->reason, sizeof(r->reason), "did not come to the interview");
		} else if (need_interview && r->iv != IV_HELD) {
			r->why = "rank.not_interviewed";
			snprintf(r->reason, sizeof(r->reason), "not interviewed yet");
		} else if (hundredths(r->combined) < hundredths(s->threshold)) {
			r->why = "rank.below_threshold";
			snprintf(r->reason, sizeof(r->reason),
				 "combined score %.2f is below the threshold %.2f", r->combined,
				 s->threshold);
		}
		else
			r->qualified = true;
	}
	if (n > 1)
		qsort(rows, (size_t)n, sizeof(*rows), rrow_cmp);
	for (i = 0; i < n; i++)
		rows[i].rank = rows[i].has_combined ? ++rank : 0;
	*out = rows;
	*nout = n;
	return 0;
dberr:
	free(rows);
	return NZ_EDB;
}

/*
 * rank_params are the values the sentence of r's why names, as text (as a
 * refusal's params are): reviews had and needed, the combined score and the
 * threshold.
 */
static json_t *
rank_params(const struct rrow *r, const struct sel_std *s)
{
	char a[32], b[32];

	if (r->why == NULL)
		return json_object();
	if (strcmp(r->why, "rank.reviews") == 0) {
		snprintf(a, sizeof(a), "%d", r->nrev);
		snprintf(b, sizeof(b), "%d", s->min_reviewers);
		return json_pack("{s:s, s:s}", "have", a, "need", b);
	}
	if (strcmp(r->why, "rank.below_threshold") == 0) {
		snprintf(a, sizeof(a), "%.2f", r->combined);
		snprintf(b, sizeof(b), "%.2f", s->threshold);
		return json_pack("{s:s, s:s}", "score", a, "threshold", b);
	}
	return json_object();
}

static json_t *
score_json(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

json_t *
sel_rank(struct store *st, const char *call_id, struct nz_err *err)
{
	struct call c;
	struct sel_std s;
	struct rrow *rows;
	json_t *a;
	int n, i;

	if (sel_load_call(st, call_id, &c, err) != 0 || sel_call_std(st, &c, &s, err) != 0 ||
	    sel_rank_build(st, &c, &s, &rows, &n, err) != 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++) {
		struct rrow *r = &rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "rank", r->rank ? json_integer(r->rank) : json_null());
		json_object_set_new(o, "applicant_id", json_string(r->id));
		json_object_set_new(o, "name", json_string(r->name));
		json_object_set_new(o, "kind", json_string(r->kind));
		json_object_set_new(o, "reviews", json_integer(r->nrev));
		json_object_set_new(o, "review", score_json(r->nrev > 0, r->review));
		json_object_set_new(o, "spread", score_json(r->nrev > 1, r->spread));
		json_object_set_new(o, "flagged", json_boolean(r->flagged));
		json_object_set_new(o, "interview_status", json_string(iv_names[r->iv]));
		json_object_set_new(o, "interview", score_json(r->iv == IV_HELD, r->interview));
		json_object_set_new(o, "combined", score_json(r->has_combined, r->combined));
		json_object_set_new(o, "qualified", json_boolean(r->qualified));
		json_object_set_new(o, "reason", json_string(r->reason));
		json_object_set_new(o, "why", r->why != NULL ? json_string(r->why) : json_null());
		json_object_set_new(o, "params", rank_params(r, &s));
		json_object_set_new(o, "appointment_id", r->appt[0] ? json_string(r->appt) : json_null());
		json_object_set_new(o, "decree_no", r->appt[0] ? json_string(r->decree_no) : json_null());
		json_object_set_new(o, "threshold", json_real(s.threshold));
		json_object_set_new(o, "std_version", json_integer(s.version));
		json_array_append_new(a, o);
	}
	free(rows);
	return a;
}

int
sel_rank_csv(json_t *rows, FILE *out)
{
	static const char *const cols[] = {"rank",      "applicant_id",   "name",
					   "kind",      "reviews",        "review",
					   "spread",    "flagged",        "interview_status",
					   "interview", "combined",       "qualified",
					   "reason",    "appointment_id", "decree_no",
					   NULL};
	return csv_write(out, rows, cols);
}
