/*
 * Approval by the parent: a report's review (accepted or returned) and the
 * approval of a unit's consolidated period.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/record.h"
#include "domain/reports/rep_int.h"

/* ---- approval ---- */

int
rep_review(struct store *st, const char *id, bool accept, const char *note, const char *author,
	   struct nz_err *err)
{
	char parent[NZ_ID_MAX], newer[NZ_RID_MAX], nstatus[16], today[11];
	struct colset *cs = NULL;
	json_t *r;
	int rc;

	if (!accept && (note == NULL || note[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "returning a report needs a note saying what to correct");
	if (note != NULL && strlen(note) > NOTE_MAX)
		return nz_fail(err, NZ_EINVAL, "note is %zu bytes; at most %d", strlen(note), NOTE_MAX);
	if ((rc = rep_open(st, id, false, &r, err)) != 0)
		return rc;
	if (unit_parent(jstr(r, "owner"), parent) != 0 || strcmp(parent, store_node(st)) != 0) {
		rc = nz_fail(err, NZ_EDENIED, "report '%s' of %s is reviewed by %s, not by this node (%s)", id,
			     jstr(r, "owner"), unit_parent(jstr(r, "owner"), parent) == 0 ? parent : "nobody",
			     store_node(st));
		goto out;
	}
	if (strcmp(jstr(r, "status"), "submitted") != 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' is a draft; only a submitted report is reviewed", id);
		goto out;
	}
	if (jstr(r, "review")[0] != '\0') {
		char j[11];
		jalali_or_iso(jstr(r, "reviewed"), j);
		rc = nz_fail(err, NZ_ESTATE, "report '%s' was already %s on %s", id, jstr(r, "review"), j);
		goto out;
	}
	if ((rc = rep_newer_revision(st, r, newer, nstatus, err)) != 0)
		goto out;
	if (newer[0] != '\0' && strcmp(nstatus, "submitted") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' is superseded by revision '%s'; review that one", id,
			     newer);
		goto out;
	}
	if ((rc = rep_refuse_if_approved(st, r, accept ? "accepted" : "returned", err)) != 0)
		goto out;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "review", accept ? "accepted" : "returned");
	colset_text(cs, "review_note", note ? note : "");
	colset_text(cs, "reviewed", today);
	colset_text(cs, "reviewer", store_node(st));
	colset_text(cs, "reviewer_user", author);
	rc = store_write(st, "report", id, jstr(r, "owner"), cs, author, err);
out:
	rc = rec_finish(st, rc, err);
	colset_free(cs);
	json_decref(r);
	return rc;
}

/* describe_failing lists up to five units whose reports stop an approval. */
static void
describe_failing(struct cpl *c, char *buf, size_t n)
{
	size_t used = 0;
	int i, shown = 0;

	buf[0] = '\0';
	for (i = 0; i < c->nunits; i++) {
		struct counts *k = &c->units[i].own;
		int w;
		if (!c->units[i].failing)
			continue;
		if (shown == 5) {
			snprintf(buf + used, n - used, "; ...");
			return;
		}
		w = snprintf(buf + used, n - used, "%s%s: %lld of %lld accepted", shown ? "; " : "",
			     c->units[i].code, (long long)k->accepted, (long long)k->expected);
		if (w < 0 || (size_t)w >= n - used)
			return;
		used += (size_t)w;
		shown++;
	}
}

int
period_approve(struct store *st, const char *unit, const char *period, const char *note,
	       bool require_accepted, const char *author, struct nz_err *err)
{
	char parent[NZ_ID_MAX], first[11], last[11], today[11], label[JPERIOD_TEXT_MAX], id[NZ_RID_MAX];
	char why[600];
	struct cpl c;
	struct colset *cs = NULL;
	sqlite3_stmt *q = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	if (unit == NULL || unit_level(unit) < 0)
		return nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", unit ? unit : "");
	if (unit_parent(unit, parent) != 0 || strcmp(parent, store_node(st)) != 0)
		return nz_fail(err, NZ_EDENIED, "the period of %s is approved by its parent, not by this node (%s)",
			       unit, store_node(st));
	if (note != NULL && strlen(note) > NOTE_MAX)
		return nz_fail(err, NZ_EINVAL, "note is %zu bytes; at most %d", strlen(note), NOTE_MAX);
	if ((rc = rep_period_dates(period, 0, &c.p, first, last, err)) != 0)
		return rc;
	jperiod_format(&c.p, label, sizeof(label));
	nz_today(today);
	if (strcmp(last, today) >= 0)
		return nz_fail(err, NZ_ESTATE, "period %s has not ended yet", label);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT decided FROM period_approval WHERE deleted = 0 AND owner = ? AND period = ?",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, err, "period_approval");
		goto out;
	}
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, label, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		char j[11];
		jalali_or_iso((const char *)sqlite3_column_text(q, 0), j);
		rc = nz_fail(err, NZ_EEXIST, "period %s of %s was already approved on %s", label, unit, j);
		goto out;
	}
	c.st = st;
	c.data_only = true;
	if ((rc = cpl_run(&c, unit, err)) != 0)
		goto out;
	if (require_accepted && c.nunits > 0 && c.units[0].total.accepted < c.units[0].total.expected) {
		describe_failing(&c, why, sizeof(why));
		rc = nz_fail(err, NZ_ESTATE,
			     "period %s of %s cannot be approved: %lld of %lld expected reports are accepted (%s)",
			     label, unit, (long long)c.units[0].total.accepted,
			     (long long)c.units[0].total.expected, why);
		goto out;
	}
	cs = colset_new();
	colset_text(cs, "period", label);
	colset_text(cs, "period_start", first);
	colset_text(cs, "period_end", last);
	colset_text(cs, "approver", store_node(st));
	colset_text(cs, "approver_user", author);
	colset_text(cs, "decided", today);
	colset_text(cs, "note", note ? note : "");
	colset_int(cs, "expected", c.nunits > 0 ? c.units[0].total.expected : 0);
	colset_int(cs, "accepted", c.nunits > 0 ? c.units[0].total.accepted : 0);
	store_new_id(id);
	rc = store_write(st, "period_approval", id, unit, cs, author, err);
out:
	sqlite3_finalize(q);
	rc = rec_finish(st, rc, err);
	colset_free(cs);
	cpl_release(&c);
	return rc;
}

json_t *
period_approval_list(struct store *st, const char *under, const char *period, struct nz_err *err)
{
	char first[11] = "", last[11] = "", both[32];
	struct jperiod p;
	json_t *rows;
	size_t i;
	json_t *r;

	if (period != NULL && rep_period_dates(period, 0, &p, first, last, err) != 0)
		return NULL;
	/* rec_list takes one text parameter: both bounds travel in it. */
	snprintf(both, sizeof(both), "%s %s", first, last);
	rows = rec_list(st, &period_approval_table, under,
			period != NULL ? "period_start >= substr(?2, 1, 10) AND period_end <= substr(?2, 12)"
				       : NULL,
			period != NULL ? both : NULL, "period_start, owner");
	json_array_foreach(rows, i, r)
		rep_jalali_cols(r, (const char *const[]){"period_start", "period_end", "decided", NULL});
	return rows;
}

json_t *
rep_pending(struct store *st)
{
	json_t *all = rep_list(st, store_node(st), NULL, NULL, false, NULL), *out = json_array();
	char parent[NZ_ID_MAX];
	size_t i;
	json_t *r;

	json_array_foreach(all, i, r)
		if (strcmp(jstr(r, "state"), "submitted") == 0 && unit_parent(jstr(r, "owner"), parent) == 0 &&
		    strcmp(parent, store_node(st)) == 0)
			json_array_append(out, r);
	json_decref(all);
	return out;
}

