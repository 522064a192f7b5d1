/*
 * The issue register beyond the problems themselves: the national standards
 * it is scored against, deliberation sessions and scores, solutions, council
 * decisions, interventions, evaluations, organisations, and the consolidated
 * view of a subtree.  The lifecycle table lives in issues.c.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/domain.h"
#include "domain/record.h"
#include "domain/selection.h"
#include "domain/register.h"

/* ---- tables ---- */

static const struct col_def category_cols[] = {
	{"code", COL_TEXT},
	{"name_fa", COL_TEXT},
	{"name_en", COL_TEXT},
	{"ord", COL_INT},
	{"active", COL_INT},
	{NULL, 0},
};

/* دسته بندی مسائل: set nationally (owner IR), seen by every node. */
const struct tbl_def problem_category_table = {"problem_category", VIS_DIRECTIVE, category_cols, NULL};

static const struct col_def criterion_cols[] = {
	{"code", COL_TEXT},
	{"name_fa", COL_TEXT},
	{"name_en", COL_TEXT},
	{"weight", COL_REAL},
	{"scale_max", COL_INT},
	{"ord", COL_INT},
	{"active", COL_INT},
	{NULL, 0},
};

/* معیارهای اولویت بندی and their weights: set nationally, seen by every node. */
const struct tbl_def priority_criterion_table = {"priority_criterion", VIS_DIRECTIVE, criterion_cols, NULL};

static const struct col_def session_cols[] = {
	{"date", COL_TEXT},
	{"place", COL_TEXT},
	{"facilitator", COL_TEXT},
	{"participants", COL_INT},
	{"stakeholder_groups", COL_TEXT},
	{"issues", COL_TEXT}, /* problems discussed, ids separated by spaces */
	{"outcomes", COL_TEXT},
	{"created", COL_TEXT},
	{NULL, 0},
};

static const char *const session_idx[] = {"date", NULL};

const struct tbl_def delib_session_table = {"delib_session", VIS_OWNED, session_cols, session_idx};

static const struct col_def score_cols[] = {
	{"session", COL_TEXT},
	{"issue", COL_TEXT},
	{"criterion", COL_TEXT},
	{"stakeholder", COL_TEXT}, /* the stakeholder group scoring; "" for the session as a whole */
	{"score", COL_REAL},
	{NULL, 0},
};

static const char *const score_idx[] = {"issue, criterion", "session", NULL};

const struct tbl_def issue_score_table = {"issue_score", VIS_OWNED, score_cols, score_idx};

static const struct col_def solution_cols[] = {
	{"title", COL_TEXT},
	{"issues", COL_TEXT}, /* ids separated by spaces */
	{"exec_plan", COL_TEXT},
	{"bodies", COL_TEXT},
	{"resources", COL_TEXT},
	{"budget", COL_INT}, /* rials */
	{"start_date", COL_TEXT},
	{"end_date", COL_TEXT},
	{"status", COL_TEXT}, /* stored; see REG_SOLUTION_STATE */
	{"status_date", COL_TEXT},
	{"round", COL_INT},   /* submissions to a council so far */
	{"council", COL_TEXT}, /* unit code of the council of the current round */
	{"submitted", COL_TEXT},
	{"close_reason", COL_TEXT},
	{"created", COL_TEXT},
	{NULL, 0},
};

static const char *const solution_idx[] = {"status", NULL};

const struct tbl_def solution_table = {"solution", VIS_OWNED, solution_cols, solution_idx};

/*
 * One decision per submission round, with the id SOLUTION-rROUND: a council
 * correcting its decision rewrites the same record, and whichever node writes
 * it, it converges to one decision per round.
 */
static const struct col_def decision_cols[] = {
	{"solution", COL_TEXT},
	{"round", COL_INT},
	{"council", COL_TEXT}, /* the council's unit */
	{"date", COL_TEXT},    /* the council's session */
	{"resolution", COL_TEXT},
	{"decision", COL_TEXT}, /* approved, rejected, returned */
	{"conditions", COL_TEXT},
	{"recorded", COL_TEXT},
	{NULL, 0},
};

static const char *const decision_idx[] = {"solution", NULL};

const struct tbl_def council_decision_table = {"council_decision", VIS_OWNED, decision_cols, decision_idx};

const char *const reg_stages[REG_NSTAGES] = {"needs", "priority", "planning", "implementation", "evaluation"};
const char *const reg_stages_fa[REG_NSTAGES] = {"نیازسنجی", "اولویت بندی", "برنامه ریزی", "اجرا",
						"ارزشیابی"};

#define STAGE_COLS(s)                                                                                \
	{s "_start", COL_TEXT}, {s "_end", COL_TEXT}, {s "_people", COL_INT}, {s "_notes", COL_TEXT}

static const struct col_def intervention_cols[] = {
	{"solution", COL_TEXT},
	{"title", COL_TEXT},
	{"created", COL_TEXT},
	STAGE_COLS("needs"),
	STAGE_COLS("priority"),
	STAGE_COLS("planning"),
	STAGE_COLS("implementation"),
	STAGE_COLS("evaluation"),
	{NULL, 0},
};

static const char *const intervention_idx[] = {"solution", NULL};

const struct tbl_def intervention_table = {"intervention", VIS_OWNED, intervention_cols, intervention_idx};

static const struct col_def evaluation_cols[] = {
	{"intervention", COL_TEXT},
	{"solution", COL_TEXT},
	{"date", COL_TEXT},
	{"evaluator", COL_TEXT},
	{"strengths", COL_TEXT},
	{"weaknesses", COL_TEXT},
	{"indicators", COL_TEXT},
	{"recommendations", COL_TEXT},
	{NULL, 0},
};

static const char *const evaluation_idx[] = {"intervention", "solution", NULL};

const struct tbl_def evaluation_table = {"evaluation", VIS_OWNED, evaluation_cols, evaluation_idx};

static const struct col_def org_cols[] = {
	{"name", COL_TEXT},
	{"kind", COL_TEXT},
	{"field", COL_TEXT},
	{"contact", COL_TEXT},
	{"identified_by", COL_TEXT}, /* the helper group that found it */
	{"identified", COL_TEXT},
	{"notes", COL_TEXT},
	{NULL, 0},
};

const struct tbl_def organisation_table = {"organisation", VIS_OWNED, org_cols, NULL};

static const struct col_def intro_cols[] = {
	{"org", COL_TEXT},
	{"body", COL_TEXT},
	{"level", COL_TEXT}, /* province, county */
	{"date", COL_TEXT},
	{"outcome", COL_TEXT}, /* pending, accepted, declined */
	{"outcome_date", COL_TEXT},
	{"notes", COL_TEXT},
	{NULL, 0},
};

static const char *const intro_idx[] = {"org", NULL};

const struct tbl_def org_intro_table = {"org_intro", VIS_OWNED, intro_cols, intro_idx};

static const struct col_def fac_cols[] = {
	{"name", COL_TEXT},
	{"phone", COL_TEXT},
	{"serves", COL_TEXT},
	{"designated", COL_TEXT},
	{"active", COL_INT},
	{"retired", COL_TEXT},
	{"notes", COL_TEXT},
	{NULL, 0},
};

static const char *const fac_idx[] = {"serves", NULL};

/* تسهیلگران: chosen by the national secretariat (guideline, definition 3), seen by every node. */
const struct tbl_def facilitator_table = {"facilitator", VIS_DIRECTIVE, fac_cols, fac_idx};

/* ---- helpers ---- */

#define TEXT_MAX 20000 /* bytes of any free-text field */
#define LIST_MAX 100   /* problems in one session or solution */

int
reg_date(const char *text, const char *field, char iso[11], struct nz_err *err)
{
	struct nz_err e = {0};
	const char *msg;
	int rc, y, m, d;

	if (text == NULL || text[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "%s: no date given", field);
	/* Four ASCII digits from 1700 on are a Gregorian year: Jalali years are near 1400. */
	if (isdigit((unsigned char)text[0]) && isdigit((unsigned char)text[1]) &&
	    isdigit((unsigned char)text[2]) && isdigit((unsigned char)text[3]) && atoi(text) >= 1700)
		rc = iso_parse(text, &y, &m, &d, &e);
	else
		rc = jalali_to_iso(text, iso, &e);
	if (rc != 0) {
		msg = strncmp(e.msg, "nehzat: ", 8) == 0 ? e.msg + 8 : e.msg;
		return nz_fail(err, NZ_EINVAL, "%s: %s", field, msg[0] ? msg : "not a date");
	}
	if (atoi(text) >= 1700)
		snprintf(iso, 11, "%04d-%02d-%02d", y, m, d);
	return 0;
}

json_t *
reg_rows(sqlite3_stmt *s)
{
	json_t *a = json_array();

	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(a, rec_row_json(s));
	sqlite3_finalize(s);
	return a;
}

/* prep prepares sql and binds up to three text parameters (NULL binds NULL). */
static sqlite3_stmt *
prep(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	if (p1 != NULL)
		sqlite3_bind_text(q, 1, p1, -1, SQLITE_TRANSIENT);
	if (p2 != NULL)
		sqlite3_bind_text(q, 2, p2, -1, SQLITE_TRANSIENT);
	if (p3 != NULL)
		sqlite3_bind_text(q, 3, p3, -1, SQLITE_TRANSIENT);
	return q;
}

static json_t *
query(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3)
{
	sqlite3_stmt *q = prep(st, sql, p1, p2, p3);

	return q != NULL ? reg_rows(q) : json_array();
}

static int64_t
scalar(struct store *st, const char *sql, const char *p1, const char *p2)
{
	sqlite3_stmt *q = prep(st, sql, p1, p2, NULL);
	int64_t v = 0;

	if (q == NULL)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* finish commits when rc is 0, rolls back otherwise; returns the outcome. */
static int
finish(struct store *st, int rc, struct nz_err *err)
{
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

static int
check_text(const char *field, const char *v, struct nz_err *err)
{
	if (v != NULL && strlen(v) > TEXT_MAX)
		return nz_fail(err, NZ_EINVAL, "%s is %zu bytes; at most %d", field, strlen(v), TEXT_MAX);
	return 0;
}

static const char *
nz_str(const char *s)
{
	return s != NULL ? s : "";
}

static int
national_only(struct store *st, const char *what, struct nz_err *err)
{
	if (unit_level(store_node(st)) != NZ_LEVEL_NATIONAL)
		return nz_fail(err, NZ_EDENIED,
			       "%s are a national directive: only the national secretariat (IR) sets them,"
			       " and this node is %s",
			       what, store_node(st));
	return 0;
}

static int
check_code(const char *what, const char *code, struct nz_err *err)
{
	size_t i, n = code != NULL ? strlen(code) : 0;

	if (n == 0 || n > 24 || !islower((unsigned char)code[0]))
		goto bad;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)code[i]) && !isdigit((unsigned char)code[i]) && code[i] != '_')
			goto bad;
	return 0;
bad:
	return nz_fail(err, NZ_EINVAL,
		       "%s code '%s' is not valid: 1 to 24 of a-z, 0-9 and _, starting with a letter", what,
		       nz_str(code));
}

/* Area of a new record: this node when not given, else a unit of its subtree. */
static int
check_area(struct store *st, const char *area, const char **out, struct nz_err *err)
{
	*out = area != NULL && area[0] ? area : store_node(st);
	if (unit_level(*out) < 0)
		return nz_fail(err, NZ_EINVAL, "area '%s' is not an org-unit code", *out);
	if (!unit_within(*out, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "area %s lies outside this node's register (%s)", *out,
			       store_node(st));
	return 0;
}

/*
 * set_pairs applies FIELD=VALUE pairs to record id of t: locked fields are
 * refused, fields named in dates are read as Jalali or ISO dates, whole
 * numbers may not be negative, and free text is bounded.
 */
static int
set_pairs(struct store *st, const struct tbl_def *t, const char *what, const char *id, int npairs,
	  char *const *pairs, const char *const *locked, const char *const *dates, const char *author,
	  struct nz_err *err)
{
	char owner[NZ_ID_MAX], name[64], iso[11];
	struct colset *cs;
	int i, j, rc;

	if ((rc = rec_owner(st, t, id, owner, NULL)) != 0)
		return nz_fail(err, rc, "no %s with id '%s'", what, id);
	if (npairs == 0)
		return nz_fail(err, NZ_EINVAL, "nothing to set: give FIELD=VALUE pairs");
	cs = colset_new();
	for (i = 0; i < npairs; i++) {
		const char *eq = strchr(pairs[i], '='), *v;
		const struct col_def *c;
		if (eq == NULL || eq == pairs[i] || (size_t)(eq - pairs[i]) >= sizeof(name)) {
			rc = nz_fail(err, NZ_EINVAL, "'%s' is not FIELD=VALUE", pairs[i]);
			goto out;
		}
		memcpy(name, pairs[i], (size_t)(eq - pairs[i]));
		name[eq - pairs[i]] = '\0';
		v = eq + 1;
		if ((rc = check_text(name, v, err)) != 0)
			goto out;
		for (j = 0; dates != NULL && dates[j] != NULL; j++) {
			if (strcmp(dates[j], name) != 0 || v[0] == '\0')
				continue;
			if ((rc = reg_date(v, name, iso, err)) != 0)
				goto out;
			v = iso;
		}
		if ((c = rec_col(t, name)) != NULL && c->type == COL_INT && v[0] == '-') {
			rc = nz_fail(err, NZ_EINVAL, "%s is %s; give a number of 0 or more", name, v);
			goto out;
		}
		if ((rc = rec_colset_add(cs, t, name, v, locked, err)) != 0)
			goto out;
	}
	rc = store_write(st, t->name, id, owner, cs, author, err);
out:
	colset_free(cs);
	return rc;
}

/* ---- standards: categories and criteria ---- */

int
reg_category_check(struct store *st, const char *code, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc, active = -1;

	if (code == NULL || code[0] == '\0')
		return 0;
	if ((rc = check_code("category", code, err)) != 0)
		return rc;
	if (scalar(st, "SELECT count(*) FROM problem_category WHERE deleted = 0", NULL, NULL) <= 0)
		return 0;
	if ((q = prep(st, "SELECT active FROM problem_category WHERE code = ?1 AND deleted = 0", code, NULL,
		      NULL)) == NULL)
		return store_sqlerr(st, err, "category");
	if (sqlite3_step(q) == SQLITE_ROW)
		active = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (active < 0)
		return nz_fail(err, NZ_EINVAL,
			       "category '%s' is not on the national list (see 'nehzat register category list')",
			       code);
	if (active == 0)
		return nz_fail(err, NZ_EINVAL, "category '%s' has been retired by the national secretariat",
			       code);
	return 0;
}

int
category_put(struct store *st, bool add, const char *code, const char *name_fa, const char *name_en,
	     int active, const char *author, struct nz_err *err)
{
	char rid[NZ_RID_MAX];
	struct colset *cs = NULL;
	int64_t exists;
	int rc;

	if ((rc = national_only(st, "problem categories", err)) != 0 ||
	    (rc = check_code("category", code, err)) != 0)
		return rc;
	if (add && (name_fa == NULL || name_fa[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "category '%s' needs a Persian name (--fa)", code);
	if (active < -1 || active > 1)
		return nz_fail(err, NZ_EINVAL, "active is 0 or 1, not %d", active);
	if ((rc = check_text("name", name_fa, err)) != 0 || (rc = check_text("name", name_en, err)) != 0)
		return rc;
	snprintf(rid, sizeof(rid), "cat-%s", code);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	exists = scalar(st, "SELECT count(*) FROM problem_category WHERE id = ?1 AND deleted = 0", rid, NULL);
	if (add && exists > 0) {
		rc = nz_fail(err, NZ_EEXIST, "category '%s' already exists; change it with 'set'", code);
		goto out;
	}
	if (!add && exists == 0) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no category '%s'", code);
		goto out;
	}
	cs = colset_new();
	if (add) {
		colset_text(cs, "code", code);
		colset_int(cs, "ord", scalar(st, "SELECT count(*) FROM problem_category", NULL, NULL) + 1);
		colset_int(cs, "active", active < 0 ? 1 : active);
		colset_text(cs, "name_en", nz_str(name_en));
	} else {
		if (active >= 0)
			colset_int(cs, "active", active);
		if (name_en != NULL)
			colset_text(cs, "name_en", name_en);
	}
	if (name_fa != NULL && name_fa[0] != '\0')
		colset_text(cs, "name_fa", name_fa);
	if (colset_count(cs) == 0) {
		rc = nz_fail(err, NZ_EINVAL, "nothing to change for category '%s'", code);
		goto out;
	}
	rc = store_write(st, "problem_category", rid, "IR", cs, author, err);
out:
	colset_free(cs);
	return finish(st, rc, err);
}

json_t *
category_list(struct store *st)
{
	return query(st,
		     "SELECT code, name_fa, name_en, active, ord FROM problem_category WHERE deleted = 0"
		     " ORDER BY ord, code",
		     NULL, NULL, NULL);
}

int
criterion_put(struct store *st, bool add, const char *code, const char *name_fa, const char *name_en,
	      double weight, int scale_max, int active, const char *author, struct nz_err *err)
{
	char rid[NZ_RID_MAX], buf[32];
	struct colset *cs = NULL;
	int64_t exists;
	int rc;

	if ((rc = national_only(st, "prioritisation criteria", err)) != 0 ||
	    (rc = check_code("criterion", code, err)) != 0)
		return rc;
	if (add && (name_fa == NULL || name_fa[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "criterion '%s' needs a Persian name (--fa)", code);
	if (add && weight < 0)
		return nz_fail(err, NZ_EINVAL, "criterion '%s' needs a weight (--weight)", code);
	if (weight >= 0 && !(weight > 0 && weight <= 1000))
		return nz_fail(err, NZ_EINVAL, "weight %g is out of range: more than 0, at most 1000", weight);
	if (scale_max != 0 && (scale_max < 2 || scale_max > 100))
		return nz_fail(err, NZ_EINVAL, "scale maximum %d is out of range: 2 to 100", scale_max);
	if (active < -1 || active > 1)
		return nz_fail(err, NZ_EINVAL, "active is 0 or 1, not %d", active);
	if ((rc = check_text("name", name_fa, err)) != 0 || (rc = check_text("name", name_en, err)) != 0)
		return rc;
	snprintf(rid, sizeof(rid), "crit-%s", code);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	exists = scalar(st, "SELECT count(*) FROM priority_criterion WHERE id = ?1 AND deleted = 0", rid, NULL);
	if (add && exists > 0) {
		rc = nz_fail(err, NZ_EEXIST, "criterion '%s' already exists; change it with 'set'", code);
		goto out;
	}
	if (!add && exists == 0) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no criterion '%s'", code);
		goto out;
	}
	/* Scores given on the old scale must still fit the new one. */
	snprintf(buf, sizeof(buf), "%d", scale_max);
	if (!add && scale_max != 0 &&
	    scalar(st, "SELECT count(*) FROM issue_score WHERE criterion = ?1 AND deleted = 0 AND score > ?2 + 0",
		   code, buf) > 0) {
		rc = nz_fail(err, NZ_EINVAL, "criterion '%s' has scores above %d; the scale cannot shrink below them",
			     code, scale_max);
		goto out;
	}
	cs = colset_new();
	if (add) {
		colset_text(cs, "code", code);
		colset_int(cs, "ord", scalar(st, "SELECT count(*) FROM priority_criterion", NULL, NULL) + 1);
		colset_int(cs, "active", active < 0 ? 1 : active);
		colset_int(cs, "scale_max", scale_max ? scale_max : 5);
		colset_text(cs, "name_en", nz_str(name_en));
	} else {
		if (active >= 0)
			colset_int(cs, "active", active);
		if (scale_max != 0)
			colset_int(cs, "scale_max", scale_max);
		if (name_en != NULL)
			colset_text(cs, "name_en", name_en);
	}
	if (weight >= 0)
		colset_real(cs, "weight", weight);
	if (name_fa != NULL && name_fa[0] != '\0')
		colset_text(cs, "name_fa", name_fa);
	if (colset_count(cs) == 0) {
		rc = nz_fail(err, NZ_EINVAL, "nothing to change for criterion '%s'", code);
		goto out;
	}
	rc = store_write(st, "priority_criterion", rid, "IR", cs, author, err);
out:
	colset_free(cs);
	return finish(st, rc, err);
}

json_t *
criterion_list(struct store *st)
{
	return query(st,
		     "SELECT code, name_fa, name_en, weight, scale_max, active, ord FROM priority_criterion"
		     " WHERE deleted = 0 ORDER BY ord, code",
		     NULL, NULL, NULL);
}

static const struct {
	const char *code, *fa, *en;
} default_categories[] = {
	{"addiction", "اعتیاد", "Addiction"},
	{"unemployment", "بیکاری", "Unemployment"},
	{"poverty", "فقر و محرومیت", "Poverty and deprivation"},
	{"family", "آسیب های خانواده و طلاق", "Family breakdown and divorce"},
	{"settlement", "حاشیه نشینی", "Informal settlement"},
	{"violence", "نزاع و خشونت", "Violence and fighting"},
	{"crime", "سرقت و جرائم", "Theft and crime"},
	{"education", "ترک تحصیل و آموزش", "School dropout and education"},
	{"health", "سلامت و بهداشت", "Health"},
	{"environment", "محیط زیست و آب", "Environment and water"},
	{"youth", "جوانان و اوقات فراغت", "Youth and leisure"},
	{"trust", "اعتماد و همبستگی اجتماعی", "Social trust and cohesion"},
	{"other", "سایر", "Other"},
};

/* Weights in percent; every criterion scored 0..5, higher meaning more pressing. */
static const struct {
	const char *code, *fa, *en;
	double weight;
} default_criteria[] = {
	{"severity", "شدت", "Severity", 35},
	{"prevalence", "شیوع و گستردگی", "Prevalence", 25},
	{"urgency", "فوریت", "Urgency", 25},
	{"feasibility", "امکان پذیری حل", "Feasibility", 15},
};

int
reg_seed_standards(struct store *st, const char *author, int *ncat, int *ncrit, struct nz_err *err)
{
	char rid[NZ_RID_MAX];
	size_t i;
	int rc;

	*ncat = *ncrit = 0;
	if ((rc = national_only(st, "problem categories and prioritisation criteria", err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < sizeof(default_categories) / sizeof(default_categories[0]); i++) {
		snprintf(rid, sizeof(rid), "cat-%s", default_categories[i].code);
		if (scalar(st, "SELECT count(*) FROM problem_category WHERE id = ?1", rid, NULL) > 0)
			continue;
		if ((rc = category_put(st, true, default_categories[i].code, default_categories[i].fa,
				       default_categories[i].en, 1, author, err)) == 0)
			++*ncat;
	}
	for (i = 0; rc == 0 && i < sizeof(default_criteria) / sizeof(default_criteria[0]); i++) {
		snprintf(rid, sizeof(rid), "crit-%s", default_criteria[i].code);
		if (scalar(st, "SELECT count(*) FROM priority_criterion WHERE id = ?1", rid, NULL) > 0)
			continue;
		if ((rc = criterion_put(st, true, default_criteria[i].code, default_criteria[i].fa,
					default_criteria[i].en, default_criteria[i].weight, 5, 1, author,
					err)) == 0)
			++*ncrit;
	}
	if (rc != 0)
		*ncat = *ncrit = 0;
	return finish(st, rc, err);
}

/* ---- lists of problem ids ---- */

struct idlist {
	char id[LIST_MAX][NZ_RID_MAX];
	int n;
};

static bool
idlist_has(const struct idlist *l, const char *id)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->id[i], id) == 0)
			return true;
	return false;
}

static int
idlist_add(struct idlist *l, const char *id, struct nz_err *err)
{
	if (idlist_has(l, id))
		return 0;
	if (l->n == LIST_MAX)
		return nz_fail(err, NZ_ETOOBIG, "more than %d problems in one list", LIST_MAX);
	if (strlen(id) >= NZ_RID_MAX)
		return nz_fail(err, NZ_EINVAL, "'%.40s...' is not a record id", id);
	snprintf(l->id[l->n++], NZ_RID_MAX, "%s", id);
	return 0;
}

/* idlist_parse adds the ids of text separated by spaces or commas. */
static int
idlist_parse(struct idlist *l, const char *text, struct nz_err *err)
{
	char id[NZ_RID_MAX];
	size_t n;
	int rc;

	while (text != NULL && *text != '\0') {
		text += strspn(text, " ,\t");
		n = strcspn(text, " ,\t");
		if (n == 0)
			break;
		if (n >= sizeof(id))
			return nz_fail(err, NZ_EINVAL, "'%.*s' is not a record id", (int)n, text);
		memcpy(id, text, n);
		id[n] = '\0';
		if ((rc = idlist_add(l, id, err)) != 0)
			return rc;
		text += n;
	}
	return 0;
}

static void
idlist_text(const struct idlist *l, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < l->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "", l->id[i]);
}

/* Every problem of l must be live and owned by area. */
static int
idlist_check_area(struct store *st, const struct idlist *l, const char *area, struct nz_err *err)
{
	char owner[NZ_ID_MAX];
	int i;

	for (i = 0; i < l->n; i++) {
		if (rec_owner(st, &issue_table, l->id[i], owner, NULL) != 0)
			return nz_fail(err, NZ_ENOTFOUND, "no problem with id '%s'", l->id[i]);
		if (strcmp(owner, area) != 0)
			return nz_fail(err, NZ_EINVAL, "problem '%s' belongs to %s, not to %s", l->id[i], owner,
				       area);
	}
	return 0;
}

/* ---- deliberation sessions and scores ---- */

int
session_add(struct store *st, const struct session_input *in, const char *author, char id[NZ_RID_MAX],
	    struct nz_err *err)
{
	struct idlist *l;
	const char *area;
	char date[11], today[11], *issues = NULL;
	struct colset *cs = NULL;
	int i, rc;

	if ((rc = check_area(st, in->area, &area, err)) != 0 ||
	    (rc = reg_date(in->date, "session date", date, err)) != 0)
		return rc;
	if (in->participants < -1)
		return nz_fail(err, NZ_EINVAL, "participants is %lld; give a count of 0 or more", in->participants);
	if ((rc = check_text("place", in->place, err)) != 0 ||
	    (rc = check_text("facilitator", in->facilitator, err)) != 0 ||
	    (rc = check_text("groups", in->groups, err)) != 0 ||
	    (rc = check_text("outcomes", in->outcomes, err)) != 0)
		return rc;
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	for (i = 0; i < in->nissues; i++)
		if ((rc = idlist_parse(l, in->issues[i], err)) != 0)
			goto out;
	if ((rc = idlist_check_area(st, l, area, err)) != 0)
		goto out;
	if ((issues = malloc(LIST_MAX * NZ_RID_MAX)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	idlist_text(l, issues, LIST_MAX * NZ_RID_MAX);
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "date", date);
	colset_text(cs, "place", nz_str(in->place));
	colset_text(cs, "facilitator", nz_str(in->facilitator));
	colset_text(cs, "stakeholder_groups", nz_str(in->groups));
	colset_text(cs, "outcomes", nz_str(in->outcomes));
	colset_text(cs, "issues", issues);
	colset_text(cs, "created", today);
	if (in->participants >= 0)
		colset_int(cs, "participants", in->participants);
	store_new_id(id);
	rc = store_write(st, "delib_session", id, area, cs, author, err);
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
	static const char *const locked[] = {"issues", "created", NULL};
	static const char *const dates[] = {"date", NULL};

	return set_pairs(st, &delib_session_table, "session", id, npairs, pairs, locked, dates, author, err);
}

/* Reads a session's owner and problem list. */
static int
session_load(struct store *st, const char *sid, char owner[NZ_ID_MAX], struct idlist *l, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc = NZ_ENOTFOUND;

	if ((q = prep(st, "SELECT owner, COALESCE(issues, '') FROM delib_session WHERE id = ?1 AND deleted = 0",
		      sid, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "session");
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(owner, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
		rc = idlist_parse(l, (const char *)sqlite3_column_text(q, 1), err);
	}
	sqlite3_finalize(q);
	if (rc == NZ_ENOTFOUND)
		return nz_fail(err, rc, "no deliberation session with id '%s'", sid);
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

	if ((rc = check_code("criterion", s->criterion, err)) != 0)
		return rc;
	if ((q = prep(st, "SELECT scale_max, active FROM priority_criterion WHERE code = ?1 AND deleted = 0",
		      s->criterion, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "criterion");
	if (sqlite3_step(q) == SQLITE_ROW) {
		max = sqlite3_column_double(q, 0);
		active = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	if (max < 0)
		return nz_fail(err, NZ_EINVAL,
			       "criterion '%s' is not a national prioritisation criterion"
			       " (see 'nehzat register criterion list')",
			       s->criterion);
	if (!active)
		return nz_fail(err, NZ_EINVAL, "criterion '%s' has been retired by the national secretariat",
			       s->criterion);
	if (!(s->score >= 0 && s->score <= max))
		return nz_fail(err, NZ_EINVAL, "score %g on '%s' is out of range: 0 to %g", s->score, s->criterion,
			       max);
	/* The same group scoring again in the same session replaces its score. */
	if ((q = prep(st,
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
	rc = store_write(st, "issue_score", rid, owner, cs, author, err);
	colset_free(cs);
	return rc;
}

int
session_score(struct store *st, const char *sid, const char *issue, const char *group,
	      const struct score_input *scores, int nscores, const char *author, struct nz_err *err)
{
	char owner[NZ_ID_MAX], iowner[NZ_ID_MAX], state[16], *text = NULL;
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
	if ((rc = session_load(st, sid, owner, l, err)) != 0 ||
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
	if (scalar(st, "SELECT count(*) FROM priority_criterion WHERE deleted = 0 AND active = 1", NULL, NULL) <= 0) {
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
	if (!idlist_has(l, issue)) {
		if ((rc = idlist_add(l, issue, err)) != 0)
			goto out;
		if ((text = malloc(LIST_MAX * NZ_RID_MAX)) == NULL) {
			rc = nz_fail(err, NZ_ENOMEM, "out of memory");
			goto out;
		}
		idlist_text(l, text, LIST_MAX * NZ_RID_MAX);
		cs = colset_new();
		colset_text(cs, "issues", text);
		rc = store_write(st, "delib_session", sid, owner, cs, author, err);
		colset_free(cs);
	}
out:
	free(text);
	free(l);
	return finish(st, rc, err);
}

json_t *
session_list(struct store *st, const char *under)
{
	return query(st,
		     "SELECT s.id, s.owner, s.date, s.place, s.facilitator, s.participants,"
		     " s.stakeholder_groups, s.issues, s.outcomes,"
		     " (SELECT count(*) FROM issue_score x WHERE x.session = s.id AND x.deleted = 0) AS nscores"
		     " FROM delib_session s WHERE s.deleted = 0 AND " REG_UNDER("s.owner")
		     " ORDER BY s.date DESC, s.id",
		     under, NULL, NULL);
}

json_t *
session_get(struct store *st, const char *id)
{
	json_t *rows = query(st,
			     "SELECT s.id, s.owner, s.date, s.place, s.facilitator, s.participants,"
			     " s.stakeholder_groups, s.issues, s.outcomes, s.created FROM delib_session s"
			     " WHERE s.id = ?1 AND s.deleted = 0",
			     id, NULL, NULL);
	json_t *rec = json_incref(json_array_get(rows, 0));

	json_decref(rows);
	if (rec != NULL)
		json_object_set_new(rec, "scores",
				    query(st,
					  "SELECT x.issue, i.title, x.stakeholder, x.criterion, x.score"
					  " FROM issue_score x LEFT JOIN issue i ON i.id = x.issue"
					  " WHERE x.session = ?1 AND x.deleted = 0"
					  " ORDER BY x.issue, x.stakeholder, x.criterion",
					  id, NULL, NULL));
	return rec;
}

/* ---- solutions ---- */

struct sol {
	char owner[NZ_ID_MAX];
	char status[16]; /* stored */
	char state[16];  /* effective */
	char council[NZ_ID_MAX];
	char submitted[11];
	char start[11], end[11];
	int64_t round;
};

static int
sol_load(struct store *st, const char *id, struct sol *s, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc = NZ_ENOTFOUND;

	memset(s, 0, sizeof(*s));
	if ((q = prep(st,
		      "SELECT s.owner, COALESCE(s.status, ''), " REG_SOLUTION_STATE ", COALESCE(s.council, ''),"
		      " COALESCE(s.submitted, ''), COALESCE(s.round, 0), COALESCE(s.start_date, ''),"
		      " COALESCE(s.end_date, '') FROM solution s WHERE s.id = ?1 AND s.deleted = 0",
		      id, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "solution");
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(s->owner, sizeof(s->owner), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(s->status, sizeof(s->status), "%s", (const char *)sqlite3_column_text(q, 1));
		snprintf(s->state, sizeof(s->state), "%s", (const char *)sqlite3_column_text(q, 2));
		snprintf(s->council, sizeof(s->council), "%s", (const char *)sqlite3_column_text(q, 3));
		snprintf(s->submitted, sizeof(s->submitted), "%s", (const char *)sqlite3_column_text(q, 4));
		s->round = sqlite3_column_int64(q, 5);
		snprintf(s->start, sizeof(s->start), "%s", (const char *)sqlite3_column_text(q, 6));
		snprintf(s->end, sizeof(s->end), "%s", (const char *)sqlite3_column_text(q, 7));
		rc = 0;
	}
	sqlite3_finalize(q);
	if (rc != 0)
		return nz_fail(err, rc, "no solution with id '%s'", id);
	return 0;
}

int
solution_state(struct store *st, const char *id, char state[16], char owner[NZ_ID_MAX], struct nz_err *err)
{
	struct sol s;
	int rc;

	if ((rc = sol_load(st, id, &s, err)) != 0)
		return rc;
	snprintf(state, 16, "%s", s.state);
	if (owner != NULL)
		snprintf(owner, NZ_ID_MAX, "%s", s.owner);
	return 0;
}

/* Writes a solution's new stored status (and more columns from cs when given). */
static int
sol_write_status(struct store *st, const char *id, const struct sol *s, const char *to, struct colset *cs,
		 const char *author, struct nz_err *err)
{
	char today[11];
	int rc;

	nz_today(today);
	colset_text(cs, "status", to);
	colset_text(cs, "status_date", today);
	rc = store_write(st, "solution", id, s->owner, cs, author, err);
	colset_free(cs);
	return rc;
}

/* The problems a solution carries, moving with it: those whose current solution it is, in state from. */
static int
cascade(struct store *st, const char *sol, const char *from, const char *to, enum reg_via via,
	const char *author, struct nz_err *err)
{
	struct idlist *l;
	sqlite3_stmt *q;
	int i, rc = 0;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if ((q = prep(st, "SELECT i.id FROM issue i WHERE i.solution = ?1 AND i.deleted = 0 AND " REG_ISSUE_STATE
			  " = ?2 ORDER BY i.id",
		      sol, from, NULL)) == NULL) {
		free(l);
		return store_sqlerr(st, err, "problems of a solution");
	}
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW)
		rc = idlist_add(l, (const char *)sqlite3_column_text(q, 0), err);
	sqlite3_finalize(q);
	for (i = 0; rc == 0 && i < l->n; i++)
		rc = issue_move(st, l->id[i], to, via, NULL, author, err);
	free(l);
	return rc;
}

static int
check_timeline(const char *start, const char *end, struct nz_err *err)
{
	if (start[0] != '\0' && end[0] != '\0' && strcmp(start, end) > 0)
		return nz_fail(err, NZ_EINVAL, "the timeline ends (%s) before it starts (%s)", end, start);
	return 0;
}

int
solution_add(struct store *st, const struct solution_input *in, const char *author, char id[NZ_RID_MAX],
	     struct nz_err *err)
{
	char owner[NZ_ID_MAX] = "", o[NZ_ID_MAX], state[16], start[11] = "", end[11] = "", today[11];
	char *issues = NULL;
	struct idlist *l = NULL;
	struct colset *cs;
	struct sol s;
	bool began = false;
	int i, rc;

	if (in->title == NULL || in->title[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "a solution needs a title (--title)");
	if (strlen(in->title) > 300)
		return nz_fail(err, NZ_EINVAL, "title is %zu bytes; at most 300", strlen(in->title));
	if ((rc = check_text("plan", in->plan, err)) != 0 || (rc = check_text("bodies", in->bodies, err)) != 0 ||
	    (rc = check_text("resources", in->resources, err)) != 0)
		return rc;
	if (in->budget < -1)
		return nz_fail(err, NZ_EINVAL, "budget is %lld; give rials, 0 or more", in->budget);
	if ((in->start != NULL && in->start[0] && (rc = reg_date(in->start, "start", start, err)) != 0) ||
	    (in->end != NULL && in->end[0] && (rc = reg_date(in->end, "end", end, err)) != 0) ||
	    (rc = check_timeline(start, end, err)) != 0)
		return rc;
	if ((l = calloc(1, sizeof(*l))) == NULL || (issues = malloc(LIST_MAX * NZ_RID_MAX)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < in->nissues; i++)
		if ((rc = idlist_parse(l, in->issues[i], err)) != 0)
			goto out;
	if (l->n == 0) {
		rc = nz_fail(err, NZ_EINVAL, "a solution addresses at least one problem (--issue ID)");
		goto out;
	}
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	began = true;
	for (i = 0; i < l->n; i++) {
		if ((rc = issue_state(st, l->id[i], state, o, NULL, err)) != 0)
			goto out;
		if (owner[0] == '\0')
			snprintf(owner, sizeof(owner), "%s", o);
		if (strcmp(owner, o) != 0) {
			rc = nz_fail(err, NZ_EINVAL, "problems of one solution share one area: '%s' is of %s, '%s' of %s",
				     l->id[0], owner, l->id[i], o);
			goto out;
		}
		if ((rc = reg_check_move(REG_ISSUE, "problem", l->id[i], state, "proposed", REG_VIA_SOLUTION,
					 err)) != 0)
			goto out;
	}
	if (!unit_within(owner, store_node(st))) {
		rc = nz_fail(err, NZ_EDENIED, "this node (%s) may not propose solutions for %s", store_node(st),
			     owner);
		goto out;
	}
	idlist_text(l, issues, LIST_MAX * NZ_RID_MAX);
	nz_today(today);
	store_new_id(id);
	cs = colset_new();
	colset_text(cs, "title", in->title);
	colset_text(cs, "issues", issues);
	colset_text(cs, "exec_plan", nz_str(in->plan));
	colset_text(cs, "bodies", nz_str(in->bodies));
	colset_text(cs, "resources", nz_str(in->resources));
	colset_text(cs, "start_date", start);
	colset_text(cs, "end_date", end);
	if (in->budget >= 0)
		colset_int(cs, "budget", in->budget);
	colset_int(cs, "round", 0);
	colset_text(cs, "council", "");
	colset_text(cs, "created", today);
	memset(&s, 0, sizeof(s));
	snprintf(s.owner, sizeof(s.owner), "%s", owner);
	rc = sol_write_status(st, id, &s, "proposed", cs, author, err);
	for (i = 0; rc == 0 && i < l->n; i++)
		rc = issue_move(st, l->id[i], "proposed", REG_VIA_SOLUTION, id, author, err);
out:
	if (began)
		rc = finish(st, rc, err);
	free(issues);
	free(l);
	return rc;
}

int
solution_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	     struct nz_err *err)
{
	static const char *const locked[] = {"status", "status_date", "round", "council", "submitted", "issues",
					     "created", "close_reason", NULL};
	static const char *const dates[] = {"start_date", "end_date", NULL};
	struct sol s;
	int i, rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	for (i = 0; i < npairs; i++)
		if (strncmp(pairs[i], "title=", 6) == 0 && pairs[i][6] == '\0') {
			rc = nz_fail(err, NZ_EINVAL, "a solution's title cannot be empty");
			goto out;
		}
	if ((rc = set_pairs(st, &solution_table, "solution", id, npairs, pairs, locked, dates, author, err)) != 0)
		goto out;
	/* Checked on the result, so that start and end may change together. */
	if ((rc = sol_load(st, id, &s, err)) == 0)
		rc = check_timeline(s.start, s.end, err);
out:
	return finish(st, rc, err);
}

int
solution_submit(struct store *st, const char *id, const char *council, const char *date, const char *author,
		struct nz_err *err)
{
	char unit[NZ_ID_MAX], parent[NZ_ID_MAX], when[11];
	struct colset *cs;
	struct sol s;
	int rc;

	if (date != NULL && date[0] != '\0') {
		if ((rc = reg_date(date, "submission date", when, err)) != 0)
			return rc;
	} else {
		nz_today(when);
	}
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sol_load(st, id, &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", id, s.state, "council", REG_VIA_SUBMIT, err)) != 0)
		goto out;
	if (unit_parent(s.owner, parent) != 0)
		parent[0] = '\0';
	if (council == NULL || council[0] == '\0') {
		rc = nz_fail(err, NZ_EINVAL, "name the council: county or province (--council)");
		goto out;
	}
	if (strcmp(council, "county") == 0) {
		if (unit_level(s.owner) != NZ_LEVEL_COUNTY) {
			rc = nz_fail(err, NZ_EINVAL, "solution '%s' is of %s, which has no county council", id,
				     s.owner);
			goto out;
		}
		snprintf(unit, sizeof(unit), "%s", s.owner);
	} else if (strcmp(council, "province") == 0) {
		if (unit_level(s.owner) == NZ_LEVEL_PROVINCE)
			snprintf(unit, sizeof(unit), "%s", s.owner);
		else if (unit_level(s.owner) == NZ_LEVEL_COUNTY)
			snprintf(unit, sizeof(unit), "%s", parent);
		else {
			rc = nz_fail(err, NZ_EINVAL, "solution '%s' is of %s, which has no provincial council", id,
				     s.owner);
			goto out;
		}
	} else if (strcmp(council, s.owner) == 0 || strcmp(council, parent) == 0) {
		snprintf(unit, sizeof(unit), "%s", council);
	} else {
		rc = nz_fail(err, NZ_EINVAL,
			     "council '%s' is neither county nor province: a solution of %s goes to the social"
			     " council of %s or of its province",
			     council, s.owner, s.owner);
		goto out;
	}
	if (unit_level(unit) == NZ_LEVEL_NATIONAL) {
		rc = nz_fail(err, NZ_EINVAL, "the issue register has no national social council");
		goto out;
	}
	cs = colset_new();
	colset_int(cs, "round", s.round + 1);
	colset_text(cs, "council", unit);
	colset_text(cs, "submitted", when);
	if ((rc = sol_write_status(st, id, &s, "council", cs, author, err)) != 0)
		goto out;
	rc = cascade(st, id, "proposed", "council", REG_VIA_SUBMIT, author, err);
out:
	return finish(st, rc, err);
}

int
solution_revise(struct store *st, const char *id, const char *author, struct nz_err *err)
{
	struct sol s;
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sol_load(st, id, &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", id, s.state, "proposed", REG_VIA_REVISE, err)) != 0)
		goto out;
	/* The problems first: their state reads the decision, which the solution's move hides. */
	if ((rc = cascade(st, id, "returned", "proposed", REG_VIA_REVISE, author, err)) != 0)
		goto out;
	rc = sol_write_status(st, id, &s, "proposed", colset_new(), author, err);
out:
	return finish(st, rc, err);
}

int
solution_close(struct store *st, const char *id, const char *reason, const char *author, struct nz_err *err)
{
	struct colset *cs;
	struct sol s;
	int rc;

	if ((rc = check_text("reason", reason, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sol_load(st, id, &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", id, s.state, "closed", REG_VIA_CLOSE, err)) != 0)
		goto out;
	if ((rc = cascade(st, id, s.state, "closed", REG_VIA_CLOSE, author, err)) != 0)
		goto out;
	cs = colset_new();
	colset_text(cs, "close_reason", nz_str(reason));
	rc = sol_write_status(st, id, &s, "closed", cs, author, err);
out:
	return finish(st, rc, err);
}

static const char solution_select[] =
	"SELECT s.id, s.owner, s.title, " REG_SOLUTION_STATE " AS state, s.status, s.issues, s.exec_plan,"
	" s.bodies, s.resources, s.budget, s.start_date, s.end_date, s.round, s.council, s.submitted,"
	" s.status_date, s.close_reason, s.created FROM solution s WHERE s.deleted = 0";

json_t *
solution_list(struct store *st, const char *under, const char *state)
{
	char sql[1536];

	snprintf(sql, sizeof(sql), "SELECT * FROM (%s AND " REG_UNDER("s.owner") ") WHERE (?2 IS NULL OR state = ?2)"
		 " ORDER BY owner, created, id", solution_select);
	return query(st, sql, under, state, NULL);
}

json_t *
solution_get(struct store *st, const char *id)
{
	char sql[1536];
	json_t *rows, *rec;

	snprintf(sql, sizeof(sql), "%s AND s.id = ?1", solution_select);
	rows = query(st, sql, id, NULL, NULL);
	rec = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (rec == NULL)
		return NULL;
	json_object_set_new(rec, "problems",
			    query(st,
				  "SELECT i.id, i.title, " REG_ISSUE_STATE " AS state FROM issue i"
				  " WHERE i.deleted = 0 AND (' ' || ?1 || ' ') LIKE ('% ' || i.id || ' %')"
				  " ORDER BY i.id",
				  json_string_value(json_object_get(rec, "issues")), NULL, NULL));
	json_object_set_new(rec, "decisions",
			    query(st,
				  "SELECT d.id, d.round, d.council, d.date, d.resolution, d.decision, d.conditions,"
				  " d.recorded FROM council_decision d WHERE d.solution = ?1 AND d.deleted = 0"
				  " ORDER BY d.round",
				  id, NULL, NULL));
	json_object_set_new(rec, "interventions",
			    query(st, "SELECT id, title, created FROM intervention WHERE solution = ?1 AND deleted = 0",
				  id, NULL, NULL));
	json_object_set_new(rec, "evaluations",
			    query(st,
				  "SELECT id, date, evaluator, intervention FROM evaluation WHERE solution = ?1"
				  " AND deleted = 0 ORDER BY date",
				  id, NULL, NULL));
	return rec;
}

/* ---- council decisions ---- */

int
council_decide(struct store *st, const struct decision_input *in, const char *author, struct nz_err *err)
{
	char date[11], today[11], rid[NZ_RID_MAX];
	const char *d = in->decision;
	struct colset *cs;
	struct sol s;
	int rc;

	if (in->solution == NULL || in->solution[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "name the solution decided on");
	if (d == NULL || (strcmp(d, "approved") != 0 && strcmp(d, "rejected") != 0 && strcmp(d, "returned") != 0))
		return nz_fail(err, NZ_EINVAL, "decision '%s' is not one of approved, rejected, returned", nz_str(d));
	if ((rc = reg_date(in->date, "council session date", date, err)) != 0)
		return rc;
	if (strcmp(d, "returned") != 0 && (in->resolution == NULL || in->resolution[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "a decision to approve or reject needs its resolution number (--resolution)");
	if ((rc = check_text("resolution", in->resolution, err)) != 0 ||
	    (rc = check_text("conditions", in->conditions, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sol_load(st, in->solution, &s, err)) != 0)
		goto out;
	/* A decision already on this round may be corrected until the solution's unit acts on it. */
	if (strcmp(s.status, "council") != 0) {
		rc = reg_check_move(REG_SOLUTION, "solution", in->solution, s.state, d, REG_VIA_DECISION, err);
		if (rc == 0)
			rc = nz_fail(err, NZ_ESTATE, "solution '%s' is not before a council", in->solution);
		goto out;
	}
	if (strcmp(s.council, store_node(st)) != 0) {
		rc = nz_fail(err, NZ_EDENIED,
			     "solution '%s' is before the social council of %s; its decision is recorded at %s,"
			     " not at %s",
			     in->solution, s.council, s.council, store_node(st));
		goto out;
	}
	if (s.submitted[0] != '\0' && strcmp(date, s.submitted) < 0) {
		rc = nz_fail(err, NZ_EINVAL, "the council's session (%s) is before the solution was submitted (%s)",
			     date, s.submitted);
		goto out;
	}
	snprintf(rid, sizeof(rid), "%s-r%lld", in->solution, (long long)s.round);
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "solution", in->solution);
	colset_int(cs, "round", s.round);
	colset_text(cs, "council", s.council);
	colset_text(cs, "date", date);
	colset_text(cs, "resolution", nz_str(in->resolution));
	colset_text(cs, "decision", d);
	colset_text(cs, "conditions", nz_str(in->conditions));
	colset_text(cs, "recorded", today);
	/* Owned by the solution's unit: it travels down to it and up from here. */
	rc = store_write(st, "council_decision", rid, s.owner, cs, author, err);
	colset_free(cs);
out:
	return finish(st, rc, err);
}

json_t *
council_list(struct store *st, const char *under, bool pending)
{
	if (pending)
		return query(st,
			     "SELECT s.id, s.owner, s.title, s.round, s.council, s.submitted, s.issues FROM solution s"
			     " WHERE s.deleted = 0 AND s.status = 'council' AND s.council = ?2 AND " REG_UNDER("s.owner")
			     " AND NOT EXISTS (SELECT 1 FROM council_decision d WHERE d.id = s.id || '-r' || s.round"
			     " AND d.deleted = 0) ORDER BY s.submitted, s.id",
			     under, store_node(st), NULL);
	return query(st,
		     "SELECT d.id, d.owner, d.solution, s.title, d.round, d.council, d.date, d.resolution, d.decision,"
		     " d.conditions, d.recorded FROM council_decision d LEFT JOIN solution s ON s.id = d.solution"
		     " WHERE d.deleted = 0 AND " REG_UNDER("d.owner") " ORDER BY d.date, d.id",
		     under, NULL, NULL);
}

/* ---- interventions ---- */

static int
stage_index(const char *stage)
{
	int i;

	if (stage == NULL)
		return -1;
	if (stage[0] >= '1' && stage[0] <= '5' && stage[1] == '\0')
		return stage[0] - '1';
	for (i = 0; i < REG_NSTAGES; i++)
		if (strcmp(stage, reg_stages[i]) == 0 || strcmp(stage, reg_stages_fa[i]) == 0)
			return i;
	return -1;
}

int
intervention_add(struct store *st, const char *solution, const char *title, const char *author,
		 char id[NZ_RID_MAX], struct nz_err *err)
{
	char today[11], stitle[301] = "";
	struct colset *cs;
	sqlite3_stmt *q;
	struct sol s;
	int rc;

	if ((rc = check_text("title", title, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sol_load(st, nz_str(solution), &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", solution, s.state, "intervention", REG_VIA_INTERVENTION,
				 err)) != 0)
		goto out;
	if ((q = prep(st, "SELECT COALESCE(title, '') FROM solution WHERE id = ?1", solution, NULL, NULL)) != NULL) {
		if (sqlite3_step(q) == SQLITE_ROW)
			snprintf(stitle, sizeof(stitle), "%s", (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	nz_today(today);
	store_new_id(id);
	cs = colset_new();
	colset_text(cs, "solution", solution);
	colset_text(cs, "title", title != NULL && title[0] ? title : stitle);
	colset_text(cs, "created", today);
	rc = store_write(st, "intervention", id, s.owner, cs, author, err);
	colset_free(cs);
	if (rc != 0)
		goto out;
	/* The problems first: their state reads the decision, which the solution's move hides. */
	if ((rc = cascade(st, solution, "approved", "intervention", REG_VIA_INTERVENTION, author, err)) != 0)
		goto out;
	rc = sol_write_status(st, solution, &s, "intervention", colset_new(), author, err);
out:
	return finish(st, rc, err);
}

struct stage_row {
	char start[11], end[11];
};

static int
stages_load(struct store *st, const char *id, char owner[NZ_ID_MAX], struct stage_row rows[REG_NSTAGES],
	    struct nz_err *err)
{
	char sql[512];
	sqlite3_stmt *q;
	int i, rc = NZ_ENOTFOUND;

	snprintf(sql, sizeof(sql),
		 "SELECT owner, needs_start, needs_end, priority_start, priority_end, planning_start,"
		 " planning_end, implementation_start, implementation_end, evaluation_start, evaluation_end"
		 " FROM intervention WHERE id = ?1 AND deleted = 0");
	if ((q = prep(st, sql, id, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "intervention");
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(owner, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
		for (i = 0; i < REG_NSTAGES; i++) {
			const unsigned char *a = sqlite3_column_text(q, 1 + 2 * i);
			const unsigned char *b = sqlite3_column_text(q, 2 + 2 * i);
			snprintf(rows[i].start, sizeof(rows[i].start), "%s", a ? (const char *)a : "");
			snprintf(rows[i].end, sizeof(rows[i].end), "%s", b ? (const char *)b : "");
		}
		rc = 0;
	}
	sqlite3_finalize(q);
	if (rc != 0)
		return nz_fail(err, rc, "no intervention with id '%s'", id);
	return 0;
}

int
intervention_stage(struct store *st, const char *id, const char *stage, const char *start, const char *end,
		   long long participants, const char *notes, const char *author, struct nz_err *err)
{
	struct stage_row rows[REG_NSTAGES];
	char owner[NZ_ID_MAX], col[40];
	struct colset *cs = NULL;
	int k, i, rc;

	if ((k = stage_index(stage)) < 0)
		return nz_fail(err, NZ_EINVAL,
			       "stage '%s' is not one of needs, priority, planning, implementation, evaluation (or 1-5)",
			       nz_str(stage));
	if (participants < -1)
		return nz_fail(err, NZ_EINVAL, "participants is %lld; give a count of 0 or more", participants);
	if ((rc = check_text("notes", notes, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = stages_load(st, id, owner, rows, err)) != 0)
		goto out;
	if (start != NULL && start[0] != '\0' && (rc = reg_date(start, "start", rows[k].start, err)) != 0)
		goto out;
	if (start != NULL && start[0] == '\0')
		rows[k].start[0] = '\0';
	if (end != NULL && end[0] != '\0' && (rc = reg_date(end, "end", rows[k].end, err)) != 0)
		goto out;
	if (end != NULL && end[0] == '\0')
		rows[k].end[0] = '\0';
	if (rows[k].end[0] != '\0' && rows[k].start[0] == '\0') {
		rc = nz_fail(err, NZ_EINVAL, "stage %s cannot end before it has started: give --start too",
			     reg_stages[k]);
		goto out;
	}
	if ((rc = check_timeline(rows[k].start, rows[k].end, err)) != 0)
		goto out;
	/* The stages follow one another: one ends only after those before it. */
	for (i = 0; rows[k].end[0] != '\0' && i < k; i++)
		if (rows[i].end[0] == '\0') {
			rc = nz_fail(err, NZ_ESTATE, "stage %s (%s) cannot end while stage %s (%s) has not",
				     reg_stages[k], reg_stages_fa[k], reg_stages[i], reg_stages_fa[i]);
			goto out;
		}
	for (i = k + 1; rows[k].end[0] == '\0' && i < REG_NSTAGES; i++)
		if (rows[i].end[0] != '\0') {
			rc = nz_fail(err, NZ_ESTATE, "stage %s cannot be reopened: stage %s after it has ended",
				     reg_stages[k], reg_stages[i]);
			goto out;
		}
	cs = colset_new();
	if (start != NULL) {
		snprintf(col, sizeof(col), "%s_start", reg_stages[k]);
		colset_text(cs, col, rows[k].start);
	}
	if (end != NULL) {
		snprintf(col, sizeof(col), "%s_end", reg_stages[k]);
		colset_text(cs, col, rows[k].end);
	}
	if (participants >= 0) {
		snprintf(col, sizeof(col), "%s_people", reg_stages[k]);
		colset_int(cs, col, participants);
	}
	if (notes != NULL) {
		snprintf(col, sizeof(col), "%s_notes", reg_stages[k]);
		colset_text(cs, col, notes);
	}
	if (colset_count(cs) == 0) {
		rc = nz_fail(err, NZ_EINVAL, "nothing to record for stage %s: give dates, participants or notes",
			     reg_stages[k]);
		goto out;
	}
	rc = store_write(st, "intervention", id, owner, cs, author, err);
out:
	colset_free(cs);
	return finish(st, rc, err);
}

/* Adds stages_done, progress and current_stage (and with full, the stages) to an intervention row. */
static void
add_progress(json_t *row, bool full)
{
	json_t *stages = json_array();
	char col[40];
	int i, done = 0, current = -1;

	json_object_del(row, "deleted");
	for (i = 0; i < REG_NSTAGES; i++) {
		json_t *s = json_object();
		const char *f[] = {"start", "end", "people", "notes"};
		int j;
		bool ended;
		json_object_set_new(s, "stage", json_string(reg_stages[i]));
		json_object_set_new(s, "name_fa", json_string(reg_stages_fa[i]));
		for (j = 0; j < 4; j++) {
			snprintf(col, sizeof(col), "%s_%s", reg_stages[i], f[j]);
			json_object_set(s, j == 2 ? "participants" : f[j], json_object_get(row, col));
			if (full)
				json_object_del(row, col);
		}
		ended = json_string_length(json_object_get(s, "end")) > 0;
		json_object_set_new(s, "done", json_boolean(ended));
		if (ended)
			done++;
		else if (current < 0)
			current = i;
		json_array_append_new(stages, s);
	}
	json_object_set_new(row, "stages_done", json_integer(done));
	json_object_set_new(row, "progress", json_integer(done * 100 / REG_NSTAGES));
	json_object_set_new(row, "current_stage", json_string(current < 0 ? "done" : reg_stages[current]));
	if (full)
		json_object_set_new(row, "stages", stages);
	else
		json_decref(stages);
}

static const char intervention_select[] =
	"SELECT v.*, s.title AS solution_title, " REG_SOLUTION_STATE " AS state FROM intervention v"
	" LEFT JOIN solution s ON s.id = v.solution WHERE v.deleted = 0";

json_t *
intervention_list(struct store *st, const char *under)
{
	char sql[1024];
	json_t *rows, *r;
	size_t i;

	snprintf(sql, sizeof(sql), "%s AND " REG_UNDER("v.owner") " ORDER BY v.owner, v.created, v.id",
		 intervention_select);
	rows = query(st, sql, under, NULL, NULL);
	json_array_foreach(rows, i, r)
		add_progress(r, false);
	return rows;
}

json_t *
intervention_get(struct store *st, const char *id)
{
	char sql[1024];
	json_t *rows, *rec;

	snprintf(sql, sizeof(sql), "%s AND v.id = ?1", intervention_select);
	rows = query(st, sql, id, NULL, NULL);
	rec = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (rec != NULL) {
		add_progress(rec, true);
		json_object_set_new(rec, "evaluations",
				    query(st,
					  "SELECT id, date, evaluator FROM evaluation WHERE intervention = ?1"
					  " AND deleted = 0 ORDER BY date",
					  id, NULL, NULL));
	}
	return rec;
}

/* ---- evaluations ---- */

int
evaluation_add(struct store *st, const struct evaluation_input *in, const char *author, char id[NZ_RID_MAX],
	       struct nz_err *err)
{
	bool iv = in->intervention != NULL && in->intervention[0];
	bool sv = in->solution != NULL && in->solution[0];
	char owner[NZ_ID_MAX], date[11], sol[NZ_RID_MAX] = "";
	struct stage_row rows[REG_NSTAGES];
	struct colset *cs;
	sqlite3_stmt *q;
	struct sol s;
	int rc;

	if (iv == sv)
		return nz_fail(err, NZ_EINVAL, "evaluate either an intervention (implemented) or a solution (proposed)");
	if ((in->strengths == NULL || in->strengths[0] == '\0') &&
	    (in->weaknesses == NULL || in->weaknesses[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "an evaluation records strengths or weaknesses (or both)");
	if ((rc = check_text("strengths", in->strengths, err)) != 0 ||
	    (rc = check_text("weaknesses", in->weaknesses, err)) != 0 ||
	    (rc = check_text("indicators", in->indicators, err)) != 0 ||
	    (rc = check_text("recommendations", in->recommendations, err)) != 0 ||
	    (rc = check_text("evaluator", in->evaluator, err)) != 0)
		return rc;
	if (in->date != NULL && in->date[0] != '\0') {
		if ((rc = reg_date(in->date, "evaluation date", date, err)) != 0)
			return rc;
	} else {
		nz_today(date);
	}
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (iv) {
		if ((rc = stages_load(st, in->intervention, owner, rows, err)) != 0)
			goto out;
		if ((q = prep(st, "SELECT solution FROM intervention WHERE id = ?1", in->intervention, NULL, NULL)) !=
		    NULL) {
			if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
				snprintf(sol, sizeof(sol), "%s", (const char *)sqlite3_column_text(q, 0));
			sqlite3_finalize(q);
		}
		if ((rc = sol_load(st, sol, &s, err)) != 0)
			goto out;
		if (strcmp(s.state, "intervention") == 0) {
			if (rows[3].start[0] == '\0') {
				rc = nz_fail(err, NZ_ESTATE,
					     "intervention '%s' has not started implementation (اجرا); evaluate the"
					     " proposed plan with --solution instead",
					     in->intervention);
				goto out;
			}
			if ((rc = cascade(st, sol, "intervention", "evaluated", REG_VIA_EVALUATION, author, err)) != 0 ||
			    (rc = reg_check_move(REG_SOLUTION, "solution", sol, s.state, "evaluated",
						 REG_VIA_EVALUATION, err)) != 0 ||
			    (rc = sol_write_status(st, sol, &s, "evaluated", colset_new(), author, err)) != 0)
				goto out;
		}
	} else {
		if ((rc = sol_load(st, in->solution, &s, err)) != 0)
			goto out;
		snprintf(owner, sizeof(owner), "%s", s.owner);
		snprintf(sol, sizeof(sol), "%s", in->solution);
	}
	store_new_id(id);
	cs = colset_new();
	colset_text(cs, "intervention", iv ? in->intervention : "");
	colset_text(cs, "solution", sol);
	colset_text(cs, "date", date);
	colset_text(cs, "evaluator", nz_str(in->evaluator));
	colset_text(cs, "strengths", nz_str(in->strengths));
	colset_text(cs, "weaknesses", nz_str(in->weaknesses));
	colset_text(cs, "indicators", nz_str(in->indicators));
	colset_text(cs, "recommendations", nz_str(in->recommendations));
	rc = store_write(st, "evaluation", id, owner, cs, author, err);
	colset_free(cs);
out:
	return finish(st, rc, err);
}

json_t *
evaluation_list(struct store *st, const char *under)
{
	return query(st,
		     "SELECT e.id, e.owner, e.date, e.intervention, e.solution, s.title AS solution_title,"
		     " CASE WHEN e.intervention != '' THEN 'implemented' ELSE 'proposed' END AS plan,"
		     " e.evaluator, e.strengths, e.weaknesses, e.indicators, e.recommendations"
		     " FROM evaluation e LEFT JOIN solution s ON s.id = e.solution"
		     " WHERE e.deleted = 0 AND " REG_UNDER("e.owner") " ORDER BY e.date, e.id",
		     under, NULL, NULL);
}

/* ---- organisations ---- */

int
org_add(struct store *st, const struct org_input *in, const char *author, char id[NZ_RID_MAX],
	struct nz_err *err)
{
	const char *area;
	char date[11];
	struct colset *cs;
	int rc;

	if (in->name == NULL || in->name[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "an organisation needs a name (--name)");
	if ((rc = check_area(st, in->area, &area, err)) != 0 || (rc = check_text("name", in->name, err)) != 0 ||
	    (rc = check_text("notes", in->notes, err)) != 0 || (rc = check_text("kind", in->kind, err)) != 0 ||
	    (rc = check_text("field", in->field, err)) != 0 || (rc = check_text("contact", in->contact, err)) != 0 ||
	    (rc = check_text("identified by", in->identified_by, err)) != 0)
		return rc;
	if (in->date != NULL && in->date[0] != '\0') {
		if ((rc = reg_date(in->date, "date identified", date, err)) != 0)
			return rc;
	} else {
		nz_today(date);
	}
	cs = colset_new();
	colset_text(cs, "name", in->name);
	colset_text(cs, "kind", nz_str(in->kind));
	colset_text(cs, "field", nz_str(in->field));
	colset_text(cs, "contact", nz_str(in->contact));
	colset_text(cs, "identified_by", nz_str(in->identified_by));
	colset_text(cs, "identified", date);
	colset_text(cs, "notes", nz_str(in->notes));
	store_new_id(id);
	rc = store_write(st, "organisation", id, area, cs, author, err);
	colset_free(cs);
	return rc;
}

int
org_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author, struct nz_err *err)
{
	static const char *const dates[] = {"identified", NULL};
	int i;

	for (i = 0; i < npairs; i++)
		if (strcmp(pairs[i], "name=") == 0)
			return nz_fail(err, NZ_EINVAL, "an organisation's name cannot be empty");
	return set_pairs(st, &organisation_table, "organisation", id, npairs, pairs, NULL, dates, author, err);
}

static int
check_outcome(const char *outcome, struct nz_err *err)
{
	if (strcmp(outcome, "pending") == 0 || strcmp(outcome, "accepted") == 0 || strcmp(outcome, "declined") == 0)
		return 0;
	return nz_fail(err, NZ_EINVAL, "outcome '%s' is not one of pending, accepted, declined", outcome);
}

int
org_introduce(struct store *st, const char *org, const char *body, const char *level, const char *date,
	      const char *outcome, const char *notes, const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	char owner[NZ_ID_MAX], when[11], today[11];
	struct colset *cs;
	int rc;

	if (rec_owner(st, &organisation_table, nz_str(org), owner, NULL) != 0)
		return nz_fail(err, NZ_ENOTFOUND, "no organisation with id '%s'", nz_str(org));
	if (body == NULL || body[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "name the body it is introduced to (--body)");
	if (level == NULL || (strcmp(level, "province") != 0 && strcmp(level, "county") != 0))
		return nz_fail(err, NZ_EINVAL, "level '%s' is not province or county", nz_str(level));
	if (outcome == NULL || outcome[0] == '\0')
		outcome = "pending";
	if ((rc = check_outcome(outcome, err)) != 0 || (rc = check_text("body", body, err)) != 0 ||
	    (rc = check_text("notes", notes, err)) != 0)
		return rc;
	if (date != NULL && date[0] != '\0') {
		if ((rc = reg_date(date, "introduction date", when, err)) != 0)
			return rc;
	} else {
		nz_today(when);
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "org", org);
	colset_text(cs, "body", body);
	colset_text(cs, "level", level);
	colset_text(cs, "date", when);
	colset_text(cs, "outcome", outcome);
	colset_text(cs, "outcome_date", strcmp(outcome, "pending") == 0 ? "" : today);
	colset_text(cs, "notes", nz_str(notes));
	store_new_id(id);
	rc = store_write(st, "org_intro", id, owner, cs, author, err);
	colset_free(cs);
	return rc;
}

int
org_outcome(struct store *st, const char *intro, const char *outcome, const char *notes, const char *author,
	    struct nz_err *err)
{
	char owner[NZ_ID_MAX], today[11];
	struct colset *cs;
	int rc;

	if (rec_owner(st, &org_intro_table, nz_str(intro), owner, NULL) != 0)
		return nz_fail(err, NZ_ENOTFOUND, "no introduction with id '%s'", nz_str(intro));
	if ((rc = check_outcome(nz_str(outcome), err)) != 0 || (rc = check_text("notes", notes, err)) != 0)
		return rc;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "outcome", outcome);
	colset_text(cs, "outcome_date", strcmp(outcome, "pending") == 0 ? "" : today);
	if (notes != NULL)
		colset_text(cs, "notes", notes);
	rc = store_write(st, "org_intro", intro, owner, cs, author, err);
	colset_free(cs);
	return rc;
}

json_t *
org_list(struct store *st, const char *under)
{
	return query(st,
		     "SELECT o.id, o.owner, o.name, o.kind, o.field, o.contact, o.identified_by, o.identified,"
		     " o.notes,"
		     " (SELECT count(*) FROM org_intro n WHERE n.org = o.id AND n.deleted = 0) AS introductions,"
		     " (SELECT count(*) FROM org_intro n WHERE n.org = o.id AND n.deleted = 0"
		     "  AND n.outcome = 'accepted') AS accepted"
		     " FROM organisation o WHERE o.deleted = 0 AND " REG_UNDER("o.owner") " ORDER BY o.owner, o.name",
		     under, NULL, NULL);
}

json_t *
org_intro_list(struct store *st, const char *under, const char *org)
{
	return query(st,
		     "SELECT n.id, n.owner, n.org, o.name AS org_name, n.body, n.level, n.date, n.outcome,"
		     " n.outcome_date, n.notes FROM org_intro n LEFT JOIN organisation o ON o.id = n.org"
		     " WHERE n.deleted = 0 AND " REG_UNDER("n.owner") " AND (?2 IS NULL OR n.org = ?2)"
		     " ORDER BY n.date, n.id",
		     under, org, NULL);
}

/* ---- facilitators ---- */

#define NAME_MAX_BYTES 200

/* A phone number as applicants' are read (sel_phone_key): Persian digits too, 7 to 15 of them. */
static int
check_phone(const char *phone, struct nz_err *err)
{
	char digits[32];

	sel_phone_key(phone, digits, sizeof(digits));
	if (strlen(phone) > 40 || strlen(digits) < 7 || strlen(digits) > 15)
		return nz_fail(err, NZ_EINVAL, "phone '%s' is not a phone number: 7 to 15 digits", phone);
	return 0;
}

int
fac_add(struct store *st, const struct fac_input *in, const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	char date[11];
	struct colset *cs;
	int rc;

	if ((rc = national_only(st, "facilitator designations", err)) != 0)
		return rc;
	if (in->name == NULL || in->name[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "a facilitator needs a name (--name)");
	if (strlen(in->name) > NAME_MAX_BYTES)
		return nz_fail(err, NZ_EINVAL, "name is %zu bytes; at most %d", strlen(in->name), NAME_MAX_BYTES);
	if (in->serves == NULL || unit_level(in->serves) < 0)
		return nz_fail(err, NZ_EINVAL, "serves: '%s' is not an org-unit code (IR, IR-07, IR-07-03)",
			       nz_str(in->serves));
	/* Once the org-unit tree is imported, the unit must be in it. */
	if (scalar(st, "SELECT count(*) FROM orgunit WHERE deleted = 0", NULL, NULL) > 0 &&
	    scalar(st, "SELECT count(*) FROM orgunit WHERE id = ?1 AND deleted = 0", in->serves, NULL) == 0)
		return nz_fail(err, NZ_EINVAL, "serves: there is no org unit %s", in->serves);
	if (in->phone != NULL && in->phone[0] != '\0' && (rc = check_phone(in->phone, err)) != 0)
		return rc;
	if ((rc = check_text("notes", in->notes, err)) != 0)
		return rc;
	if (in->designated != NULL && in->designated[0] != '\0') {
		if ((rc = reg_date(in->designated, "date designated", date, err)) != 0)
			return rc;
	} else {
		nz_today(date);
	}
	cs = colset_new();
	colset_text(cs, "name", in->name);
	colset_text(cs, "phone", nz_str(in->phone));
	colset_text(cs, "serves", in->serves);
	colset_text(cs, "designated", date);
	colset_int(cs, "active", 1);
	colset_text(cs, "retired", "");
	colset_text(cs, "notes", nz_str(in->notes));
	store_new_id(id);
	rc = store_write(st, "facilitator", id, store_node(st), cs, author, err);
	colset_free(cs);
	return rc;
}

int
fac_retire(struct store *st, const char *id, const char *author, struct nz_err *err)
{
	char today[11];
	struct colset *cs;
	int64_t active;
	int rc;

	if ((rc = national_only(st, "facilitator designations", err)) != 0)
		return rc;
	active = scalar(st, "SELECT CASE WHEN active THEN 1 ELSE 2 END FROM facilitator WHERE id = ?1 AND deleted = 0",
			id, NULL);
	if (active == 0)
		return nz_fail(err, NZ_ENOTFOUND, "no facilitator with id '%s'", id);
	if (active == 2)
		return nz_fail(err, NZ_ESTATE, "facilitator '%s' is retired already", id);
	nz_today(today);
	cs = colset_new();
	colset_int(cs, "active", 0);
	colset_text(cs, "retired", today);
	rc = store_write(st, "facilitator", id, store_node(st), cs, author, err);
	colset_free(cs);
	return rc;
}

json_t *
fac_list(struct store *st, const char *under, bool all)
{
	/* Those serving inside under, and those serving a unit above it (a province's serve its counties). */
	return query(st,
		     "SELECT id, name, phone, serves,"
		     " (SELECT name_fa FROM orgunit o WHERE o.id = f.serves AND o.deleted = 0) AS serves_name,"
		     " designated, active, retired, notes FROM facilitator f WHERE deleted = 0"
		     " AND (" REG_UNDER("serves") " OR substr(?1, 1, length(serves) + 1) = serves || '-')"
		     " AND (?2 IS NOT NULL OR active = 1) ORDER BY serves, name, id",
		     under, all ? "all" : NULL, NULL);
}

/* ---- consolidation ---- */

/* The direct child of this node through which the data of unit arrives; "" for this node's own. */
static void
via_child(const char *node, const char *unit, char out[NZ_ID_MAX])
{
	size_t len = unit_level(node) == NZ_LEVEL_NATIONAL ? 5 : 8;

	out[0] = '\0';
	if (strcmp(node, unit) == 0 || !unit_within(unit, node) || strlen(unit) < len)
		return;
	memcpy(out, unit, len);
	out[len] = '\0';
}

/* Stamps obj with the freshness of the data of unit as seen at this node. */
static int64_t
stamp(struct store *st, json_t *obj, const char *unit)
{
	char via[NZ_ID_MAX];
	int64_t ms;

	via_child(store_node(st), unit, via);
	if (via[0] == '\0') {
		json_object_set_new(obj, "via", json_string(store_node(st)));
		json_object_set_new(obj, "local", json_true());
		json_object_set_new(obj, "last_sync_ms", json_null());
		return INT64_MAX;
	}
	ms = scalar(st, "SELECT last_sync FROM peer WHERE id = ?1 AND role = 'child'", via, NULL);
	json_object_set_new(obj, "via", json_string(via));
	json_object_set_new(obj, "local", json_false());
	json_object_set_new(obj, "last_sync_ms", json_integer(ms > 0 ? ms : 0));
	return ms > 0 ? ms : 0;
}

static json_t *
zero_states(void)
{
	json_t *o = json_object();
	int i;

	for (i = 0; reg_statuses[i] != NULL; i++)
		json_object_set_new(o, reg_statuses[i], json_integer(0));
	return o;
}

static void
bump(json_t *obj, const char *key, json_int_t by)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + by));
}

static json_t *
top_row(json_t *r)
{
	json_t *o = json_object();
	static const char *const keys[] = {"id", "owner", "title", "category", "state", "priority", "rank",
					   "people_affected", NULL};
	int i;

	for (i = 0; keys[i] != NULL; i++)
		json_object_set(o, keys[i], json_object_get(r, keys[i]) ? json_object_get(r, keys[i]) : json_null());
	return o;
}

static int
by_priority(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_t *px = json_object_get(x, "priority"), *py = json_object_get(y, "priority");
	double dx = json_is_number(px) ? json_number_value(px) : -1;
	double dy = json_is_number(py) ? json_number_value(py) : -1;
	json_int_t nx = json_integer_value(json_object_get(x, "people_affected"));
	json_int_t ny = json_integer_value(json_object_get(y, "people_affected"));

	if (dx != dy)
		return dx > dy ? -1 : 1;
	if (nx != ny)
		return nx > ny ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "id")), json_string_value(json_object_get(y, "id")));
}

/* The top n open, scored problems of rows (sorted by priority), as a new array. */
static json_t *
top_of(json_t **rows, size_t nrows, int n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < nrows && (int)json_array_size(a) < n; i++) {
		const char *state = json_string_value(json_object_get(rows[i], "state"));
		if (!json_is_number(json_object_get(rows[i], "priority")) || state == NULL ||
		    strcmp(state, "closed") == 0)
			continue;
		json_array_append_new(a, top_row(rows[i]));
	}
	return a;
}

/* Unit of row owner in a summary of base: base itself, or the unit directly below base containing it. */
static void
unit_of(const char *base, const char *owner, char out[NZ_ID_MAX])
{
	size_t len = unit_level(base) == NZ_LEVEL_NATIONAL ? 5 : 8;

	if (strcmp(owner, base) == 0 || unit_level(base) == NZ_LEVEL_COUNTY || strlen(owner) < len) {
		snprintf(out, NZ_ID_MAX, "%s", base);
		return;
	}
	memcpy(out, owner, len);
	out[len] = '\0';
}

static json_t *
new_unit(struct store *st, const char *code, bool own)
{
	json_t *u = json_object();
	sqlite3_stmt *q;

	json_object_set_new(u, "unit", json_string(code));
	json_object_set_new(u, "name_fa", json_string(""));
	if ((q = prep(st, "SELECT name_fa FROM orgunit WHERE id = ?1 AND deleted = 0", code, NULL, NULL)) != NULL) {
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
			json_object_set_new(u, "name_fa", json_string((const char *)sqlite3_column_text(q, 0)));
		sqlite3_finalize(q);
	}
	json_object_set_new(u, "own", json_boolean(own));
	stamp(st, u, code);
	json_object_set_new(u, "problems", json_integer(0));
	json_object_set_new(u, "by_state", zero_states());
	return u;
}

static int
unit_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int ox = json_is_true(json_object_get(x, "own")), oy = json_is_true(json_object_get(y, "own"));

	if (ox != oy)
		return oy - ox;
	return strcmp(json_string_value(json_object_get(x, "unit")), json_string_value(json_object_get(y, "unit")));
}

/* The unit being summarised first, then the units below it by code. */
static void
sort_units(json_t *arr)
{
	size_t i, n = json_array_size(arr);
	json_t **v;

	if (n < 2 || (v = malloc(n * sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), unit_cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

static const struct {
	const char *key, *table;
} counted[] = {
	{"sessions", "delib_session"},     {"scores", "issue_score"},        {"solutions", "solution"},
	{"decisions", "council_decision"}, {"interventions", "intervention"}, {"evaluations", "evaluation"},
	{"organisations", "organisation"}, {"introductions", "org_intro"},
};

#define NCOUNTED (sizeof(counted) / sizeof(counted[0]))

json_t *
reg_summary(struct store *st, const char *under, int top, struct nz_err *err)
{
	const char *base = under != NULL && under[0] ? under : store_node(st);
	json_t *out, *units, *totals, *cats, *issues, *r, **sorted = NULL, *u;
	char code[NZ_ID_MAX], sql[512];
	size_t i, n, j;
	int64_t oldest = INT64_MAX;
	sqlite3_stmt *q;

	if (unit_level(base) < 0) {
		nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", base);
		return NULL;
	}
	if (!unit_within(base, store_node(st))) {
		nz_fail(err, NZ_EDENIED, "this node (%s) holds no register of %s", store_node(st), base);
		return NULL;
	}
	if (top < 0 || top > 100)
		top = 5;
	out = json_object();
	units = json_object();
	json_object_set_new(out, "node", json_string(store_node(st)));
	json_object_set_new(out, "level", json_string(unit_level_name(unit_level(store_node(st)))));
	json_object_set_new(out, "under", json_string(base));
	json_object_set_new(out, "generated_ms", json_integer((json_int_t)time(NULL) * 1000));
	json_object_set_new(out, "freshness",
			    json_string("each unit's figures are as recent as the last successful sync (last_sync)"
					" of the child of this node that carries them ('via'); this node's own"
					" records are local and current"));

	/* The units: base, each unit under it in the org-unit tree, and any that holds data. */
	json_object_set_new(units, base, new_unit(st, base, true));
	if (unit_level(base) != NZ_LEVEL_COUNTY &&
	    (q = prep(st, "SELECT id FROM orgunit WHERE parent = ?1 AND deleted = 0 ORDER BY id", base, NULL,
		      NULL)) != NULL) {
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(q, 0);
			if (c != NULL && unit_level(c) == unit_level(base) + 1 && json_object_get(units, c) == NULL)
				json_object_set_new(units, c, new_unit(st, c, false));
		}
		sqlite3_finalize(q);
	}

	issues = issue_list(st, base, NULL, NULL);
	n = json_array_size(issues);
	if (n > 0 && (sorted = malloc(n * sizeof(*sorted))) == NULL) {
		json_decref(issues);
		json_decref(units);
		json_decref(out);
		nz_fail(err, NZ_ENOMEM, "out of memory");
		return NULL;
	}
	cats = json_object();
	json_array_foreach(issues, i, r) {
		const char *owner = json_string_value(json_object_get(r, "owner"));
		const char *state = json_string_value(json_object_get(r, "state"));
		const char *cat = json_string_value(json_object_get(r, "category"));
		json_t *c, *src;
		char via[NZ_ID_MAX];
		sorted[i] = r;
		unit_of(base, owner, code);
		if ((u = json_object_get(units, code)) == NULL) {
			u = new_unit(st, code, strcmp(code, base) == 0);
			json_object_set_new(units, code, u);
		}
		bump(u, "problems", 1);
		bump(json_object_get(u, "by_state"), state ? state : "identified", 1);
		if (cat == NULL)
			cat = "";
		if ((c = json_object_get(cats, cat)) == NULL) {
			c = json_object();
			json_object_set_new(c, "category", json_string(cat));
			json_object_set_new(c, "problems", json_integer(0));
			json_object_set_new(c, "open", json_integer(0));
			json_object_set_new(c, "people_affected", json_integer(0));
			json_object_set_new(c, "by_state", zero_states());
			json_object_set_new(c, "sources", json_object());
			json_object_set_new(cats, cat, c);
		}
		bump(c, "problems", 1);
		if (state != NULL && strcmp(state, "closed") != 0)
			bump(c, "open", 1);
		bump(c, "people_affected", json_integer_value(json_object_get(r, "people_affected")));
		bump(json_object_get(c, "by_state"), state ? state : "identified", 1);
		/* The category's figure rests on every child carrying one of its problems. */
		via_child(store_node(st), owner, via);
		if (via[0] == '\0')
			snprintf(via, sizeof(via), "%s", store_node(st));
		if ((src = json_object_get(json_object_get(c, "sources"), via)) == NULL) {
			src = json_object();
			json_object_set_new(src, "problems", json_integer(0));
			stamp(st, src, owner);
			json_object_set_new(json_object_get(c, "sources"), via, src);
		}
		bump(src, "problems", 1);
	}
	if (n > 0)
		qsort(sorted, n, sizeof(*sorted), by_priority);

	/* Counts of the other records, per unit. */
	for (j = 0; j < NCOUNTED; j++) {
		size_t len = unit_level(base) == NZ_LEVEL_NATIONAL ? 5 : 8;
		snprintf(sql, sizeof(sql),
			 "SELECT CASE WHEN owner = ?1 OR length(owner) < %zu THEN ?1 ELSE substr(owner, 1, %zu) END"
			 " AS u, count(*) FROM %s WHERE deleted = 0 AND " REG_UNDER("owner") " GROUP BY u",
			 len, len, counted[j].table);
		{
			const char *k;
			json_object_foreach(units, k, u)
				json_object_set_new(u, counted[j].key, json_integer(0));
		}
		if ((q = prep(st, sql, base, NULL, NULL)) == NULL)
			continue;
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(q, 0);
			if (unit_level(base) == NZ_LEVEL_COUNTY)
				c = base;
			if ((u = json_object_get(units, c)) == NULL) {
				u = new_unit(st, c, false);
				for (i = 0; i < NCOUNTED; i++)
					json_object_set_new(u, counted[i].key, json_integer(0));
				json_object_set_new(units, c, u);
			}
			bump(u, counted[j].key, sqlite3_column_int64(q, 1));
		}
		sqlite3_finalize(q);
	}

	/* Per unit: its top problems; then the totals, which are the sums of the units. */
	totals = json_object();
	json_object_set_new(totals, "problems", json_integer(0));
	json_object_set_new(totals, "by_state", zero_states());
	for (j = 0; j < NCOUNTED; j++)
		json_object_set_new(totals, counted[j].key, json_integer(0));
	{
		json_t *arr = json_array();
		const char *k;
		json_object_foreach(units, k, u) {
			json_t *sub = json_array();
			const char *sk;
			json_t *sv;
			int64_t ms;
			for (i = 0; i < n && (int)json_array_size(sub) < top; i++) {
				const char *owner = json_string_value(json_object_get(sorted[i], "owner"));
				const char *state = json_string_value(json_object_get(sorted[i], "state"));
				unit_of(base, owner, code);
				if (strcmp(code, k) != 0 || !json_is_number(json_object_get(sorted[i], "priority")) ||
				    strcmp(state, "closed") == 0)
					continue;
				json_array_append_new(sub, top_row(sorted[i]));
			}
			json_object_set_new(u, "top", sub);
			bump(totals, "problems", json_integer_value(json_object_get(u, "problems")));
			json_object_foreach(json_object_get(u, "by_state"), sk, sv)
				bump(json_object_get(totals, "by_state"), sk, json_integer_value(sv));
			for (j = 0; j < NCOUNTED; j++)
				bump(totals, counted[j].key, json_integer_value(json_object_get(u, counted[j].key)));
			ms = json_is_true(json_object_get(u, "local")) ? INT64_MAX
								       : json_integer_value(json_object_get(u, "last_sync_ms"));
			if (ms < oldest)
				oldest = ms;
			json_array_append(arr, u);
		}
		sort_units(arr);
		json_object_set_new(totals, "oldest_sync_ms", oldest == INT64_MAX ? json_null() : json_integer(oldest));
		json_object_set_new(out, "units", arr);
	}
	json_object_set_new(out, "totals", totals);

	/* Per category, most problems first, each with its top problems and sources. */
	{
		json_t *arr = json_array(), *c;
		const char *k;
		json_object_foreach(cats, k, c) {
			json_t *sub = json_array(), *srcs = json_array(), *sv, *cat;
			const char *sk;
			int64_t old = INT64_MAX;
			sqlite3_stmt *nq;
			for (i = 0; i < n && (int)json_array_size(sub) < top; i++) {
				const char *rc_ = json_string_value(json_object_get(sorted[i], "category"));
				const char *state = json_string_value(json_object_get(sorted[i], "state"));
				if (strcmp(rc_ ? rc_ : "", k) != 0 ||
				    !json_is_number(json_object_get(sorted[i], "priority")) || strcmp(state, "closed") == 0)
					continue;
				json_array_append_new(sub, top_row(sorted[i]));
			}
			json_object_set_new(c, "top", sub);
			json_object_foreach(json_object_get(c, "sources"), sk, sv) {
				json_t *s = json_deep_copy(sv);
				int64_t ms = json_is_true(json_object_get(s, "local"))
						     ? INT64_MAX
						     : json_integer_value(json_object_get(s, "last_sync_ms"));
				json_object_set_new(s, "via", json_string(sk));
				if (ms < old)
					old = ms;
				json_array_append_new(srcs, s);
			}
			json_object_set_new(c, "sources", srcs);
			json_object_set_new(c, "oldest_sync_ms", old == INT64_MAX ? json_null() : json_integer(old));
			json_object_set_new(c, "name_fa", json_string(""));
			if ((nq = prep(st, "SELECT name_fa FROM problem_category WHERE code = ?1 AND deleted = 0", k, NULL,
				       NULL)) != NULL) {
				if (sqlite3_step(nq) == SQLITE_ROW && sqlite3_column_text(nq, 0) != NULL)
					json_object_set_new(c, "name_fa",
							    json_string((const char *)sqlite3_column_text(nq, 0)));
				sqlite3_finalize(nq);
			}
			cat = json_incref(c);
			json_array_append_new(arr, cat);
		}
		/* Most problems first, then by name. */
		for (i = 1; i < json_array_size(arr); i++)
			for (j = i; j > 0; j--) {
				json_t *a = json_array_get(arr, j - 1), *b = json_array_get(arr, j);
				json_int_t na = json_integer_value(json_object_get(a, "problems"));
				json_int_t nb = json_integer_value(json_object_get(b, "problems"));
				if (na > nb || (na == nb && strcmp(json_string_value(json_object_get(a, "category")),
								   json_string_value(json_object_get(b, "category"))) <= 0))
					break;
				json_incref(a);
				json_array_set(arr, j - 1, b);
				json_array_set_new(arr, j, a);
			}
		json_object_set_new(out, "by_category", arr);
	}
	json_object_set_new(out, "top", top_of(sorted, n, top));
	free(sorted);
	json_decref(cats);
	json_decref(issues);
	json_decref(units);
	return out;
}
