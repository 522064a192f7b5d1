#ifndef NZ_REPORTS_H
#define NZ_REPORTS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "base/jalali.h"
#include "store/store.h"

/*
 * رصد و گزارش: monitoring reports against national templates, their
 * completeness and timeliness up the tree, and approval by the parent.
 * The national indicators that allocate resources are allocate.h's.
 *
 * Records:
 *   report_template  national directive (owner IR), one record per version
 *                    of a template; the fields are a JSON array checked on
 *                    write.  A report names the version it was written
 *                    against, so old reports keep their meaning.
 *   report           owned by the reporting unit.  One record per revision:
 *                    a correction is a new record (revision + 1) and the old
 *                    one is kept.  The parent's review (accepted/returned)
 *                    lives in its own columns of the same record, written
 *                    at the parent: the unit never writes them after
 *                    submitting, so per-column merge keeps both sides.
 *   period_approval  owned by the unit whose consolidated period is
 *                    approved, written at its parent.
 *
 * Periods are Jalali ("1405-07", "1405-Q3") in and out; their bounds and
 * every date are stored as ISO text.  JSON returned here is new (caller
 * decrefs); dates in it are Jalali.
 */

extern const struct tbl_def report_template_table;
extern const struct tbl_def report_table;
extern const struct tbl_def period_approval_table;

/* Limits of what a template and a report may hold. */
#define REP_FIELDS_MAX 50
#define REP_CHOICES_MAX 50
#define REP_JSON_MAX 32000
#define REP_DUE_DAYS_MAX 366

/* ---- templates ---- */

/*
 * struct tpl_spec describes a template for tpl_add, or the changes of a new
 * version for tpl_revise (there NULL strings and due_days < 0 mean "as the
 * previous version").  period is "month" or "quarter"; reporter is
 * "secretariat" or "helper" (one report per appointed helper group); level is
 * "province" or "county"; from and until are Jalali periods bounding the
 * periods for which reports are expected (from NULL: the current period;
 * until NULL: open); fields is the JSON array of fields.
 */
struct tpl_spec {
	const char *code, *title, *period, *reporter, *level;
	int due_days;
	const char *from, *until;
	const char *fields;
};

/*
 * tpl_fields_check parses and checks a template's fields (JSON text): an
 * array of 1..REP_FIELDS_MAX objects with name ([a-z][a-z0-9_]*, unique),
 * type ("number", "text" or "choice"), and optionally label, required,
 * min, max, integer (numbers), max_length (text) and choices (required for
 * choice).  On success *out (when not NULL) gets the parsed array.
 */
int tpl_fields_check(const char *json_text, json_t **out, struct nz_err *err);

/* tpl_add defines template version 1 (national node only); its record id goes to id. */
int tpl_add(struct store *st, const struct tpl_spec *sp, const char *author, char id[NZ_RID_MAX],
	    struct nz_err *err);

/* tpl_revise writes the next version of template code; *version gets its number. */
int tpl_revise(struct store *st, const char *code, const struct tpl_spec *sp, const char *author,
	       int *version, struct nz_err *err);

/*
 * tpl_retire ends template code after period last (Jalali; NULL: the current
 * period): no report is expected for later periods.
 */
int tpl_retire(struct store *st, const char *code, const char *last, const char *author,
	       struct nz_err *err);

/* tpl_list returns the templates (latest versions, or every version when all) as a JSON array. */
json_t *tpl_list(struct store *st, bool all);

/* tpl_get reads version (0: the latest) of template code as a JSON object into *out (record.h's convention
 * for reads). */
int tpl_get(struct store *st, const char *code, int version, json_t **out, struct nz_err *err);

/* ---- reports ---- */

/*
 * rep_draft starts a report of template code for Jalali period and org
 * unit (NULL: this node; a parent may enter a child's report) and, when
 * the template is reported by helper groups, group.  pairs are FIELD=VALUE
 * (argv-style), checked against the template.  With submit the report is
 * also submitted (every required field then needed).  The id goes to id.
 */
int rep_draft(struct store *st, const char *unit, const char *code, const char *period,
	      const char *group, int npairs, char *const *pairs, bool submit, const char *author,
	      char id[NZ_RID_MAX], struct nz_err *err);

/* rep_set assigns FIELD=VALUE pairs to draft id. */
int rep_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	    struct nz_err *err);

/* rep_submit checks draft id in full against its template and submits it; it is locked then. */
int rep_submit(struct store *st, const char *id, const char *author, struct nz_err *err);

/*
 * rep_revise starts a correction of submitted report id: a new draft
 * revision with the same values, then pairs applied; the old revision is
 * kept.  Refused once the report is accepted or its period approved.
 */
int rep_revise(struct store *st, const char *id, const char *reason, int npairs, char *const *pairs,
	       const char *author, char newid[NZ_RID_MAX], struct nz_err *err);

/*
 * rep_list returns the reports owned within under (NULL: all) as a JSON
 * array, optionally only of one Jalali period (a quarter includes its
 * months) and one template code; with current only the latest revisions.
 */
json_t *rep_list(struct store *st, const char *under, const char *period, const char *code,
		 bool current, struct nz_err *err);

/* rep_show reads report id with its template's fields and its revisions into *out (record.h's convention
 * for reads). */
int rep_show(struct store *st, const char *id, json_t **out, struct nz_err *err);

/* ---- completeness and timeliness ---- */

/*
 * cpl_compute returns the completeness of Jalali period (NULL: the last
 * month that has ended) under org unit under (NULL: this node), as seen at
 * this node: for every unit its own and subtree counts (expected, received,
 * on_time, late, accepted, returned, not_due, not_submitted, unknown and,
 * of unknown, never_heard), items, its freshness (fresh_json) and below
 * (fresh_sum_json of the units under it); the result's freshness sums the
 * subtree.  A missing report is "not_submitted" only when the unit was
 * heard from after its due day (fresh_of: its data up to then is here);
 * otherwise it is "unknown" since it was last heard from, or "never".
 * depth limits the rows (0: all).  NULL with err filled on bad input.
 */
json_t *cpl_compute(struct store *st, const char *under, const char *period, int depth,
		    struct nz_err *err);

/*
 * cpl_counts counts the reports expected and received for period p in the
 * subtree of unit from the replicated data alone (no clock, no sync state),
 * so that every node holding the same data gets the same numbers.
 */
int cpl_counts(struct store *st, const char *unit, const struct jperiod *p, int64_t *expected,
	       int64_t *received, struct nz_err *err);

/* rep_default_period writes the last Jalali month that has ended ("1405-08"). */
void rep_default_period(char out[JPERIOD_TEXT_MAX]);

/*
 * rep_period_or_default reads period, NULL for rep_default_period's, into p
 * and writes its label ("1405-08", "1405-Q3"); 0 or NZ_EINVAL (err says why).
 */
int rep_period_or_default(const char *period, struct jperiod *p, char label[JPERIOD_TEXT_MAX], struct nz_err *err);

/* ---- approval ---- */

/*
 * rep_review records this node's decision on its child's report id:
 * accept (locks it) or return (note required; the unit corrects it with a
 * new revision).  Only the owner's parent reviews, only the latest
 * submitted revision, once.
 */
int rep_review(struct store *st, const char *id, bool accept, const char *note, const char *author,
	       struct nz_err *err);

/*
 * period_approve approves the consolidated Jalali period of unit, a child
 * of this node.  With require_accepted every report expected for it in the
 * unit's subtree must be accepted first.
 */
int period_approve(struct store *st, const char *unit, const char *period, const char *note,
		   bool require_accepted, const char *author, struct nz_err *err);

/* period_approval_list returns the approvals of units within under (NULL: all), of one period or all. */
json_t *period_approval_list(struct store *st, const char *under, const char *period,
			     struct nz_err *err);

/* rep_pending returns the latest submitted revisions awaiting this node's review. */
json_t *rep_pending(struct store *st);

#endif
