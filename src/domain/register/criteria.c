/*
 * The national standards the register is scored against: problem categories
 * and prioritisation criteria with their weights (national directives).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"

/* ---- standards: categories and criteria ---- */

int
reg_category_check(struct store *st, const char *code, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc, active = -1;

	if (code == NULL || code[0] == '\0')
		return 0;
	if ((rc = reg_check_code("category", code, err)) != 0)
		return rc;
	if (rec_scalar(st, "SELECT count(*) FROM problem_category WHERE deleted = 0", NULL, NULL) <= 0)
		return 0;
	if ((q = reg_prep(st, "SELECT active FROM problem_category WHERE code = ?1 AND deleted = 0", code, NULL,
		      NULL)) == NULL)
		return store_sqlerr(st, err, "category");
	if (sqlite3_step(q) == SQLITE_ROW)
		active = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (active < 0)
		return nz_fail_at(err, NZ_EINVAL, NULL, "register category list",
				  "category '%s' is not on the national list", code);
	if (active == 0)
		return nz_fail(err, NZ_EINVAL, "category '%s' has been retired by the national secretariat",
			       code);
	return 0;
}

/* The two national lists of standards, written the same way. */
struct std_list {
	const char *what;      /* one entry: "category" */
	const char *directive; /* the list, as the national-only refusal names it */
	const char *table;
	const char *id_prefix; /* the record id is the prefix and the code: one record per code everywhere */
	const char *set;       /* the command that edits an entry */
	const char *list;      /* the listing, in the national order */
};

static const struct std_list categories = {
	"category", "problem categories", "problem_category", "cat-", "register category set",
	"SELECT code, name_fa, name_en, active, ord FROM problem_category WHERE deleted = 0 ORDER BY ord, code"};
static const struct std_list criteria = {
	"criterion", "prioritisation criteria", "priority_criterion", "crit-", "register criterion set",
	"SELECT code, name_fa, name_en, weight, scale_max, active, ord FROM priority_criterion WHERE deleted = 0"
	" ORDER BY ord, code"};

/*
 * std_open checks what adding (add) or editing entry code of list l takes, begins the write and refuses
 * an entry that exists when adding or is missing when editing; on success a transaction is open, rid
 * names the record and *cs holds the columns the two lists share.
 */
static int
std_open(struct store *st, const struct std_list *l, bool add, const char *code, const char *name_fa,
	 const char *name_en, int active, char rid[NZ_RID_MAX], struct colset **cs, struct nz_err *err)
{
	char sql[128];
	int64_t exists;
	int rc;

	*cs = NULL;
	if ((rc = reg_national_only(st, l->directive, err)) != 0 || (rc = reg_check_code(l->what, code, err)) != 0)
		return rc;
	if (add && (name_fa == NULL || name_fa[0] == '\0'))
		return nz_fail_at(err, NZ_EINVAL, "name_fa", NULL, "%s '%s' needs a Persian name", l->what, code);
	if (active < -1 || active > 1)
		return nz_fail(err, NZ_EINVAL, "active is 0 or 1, not %d", active);
	if ((rc = field_text("name", name_fa, 0, false, err)) != 0 || (rc = field_text("name", name_en, 0, false, err)) != 0)
		return rc;
	snprintf(rid, NZ_RID_MAX, "%s%s", l->id_prefix, code);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE id = ?1 AND deleted = 0", l->table);
	if ((exists = rec_scalar(st, sql, rid, NULL)) < 0)
		rc = store_sqlerr(st, err, l->table);
	else if (add && exists > 0)
		rc = nz_fail_at(err, NZ_EEXIST, NULL, l->set, "%s '%s' already exists; change it instead", l->what,
				code);
	else if (!add && exists == 0)
		rc = nz_fail(err, NZ_ENOTFOUND, "no %s '%s'", l->what, code);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	*cs = colset_new();
	if (add) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", l->table);
		colset_text(*cs, "code", code);
		colset_int(*cs, "ord", rec_scalar(st, sql, NULL, NULL) + 1);
		colset_int(*cs, "active", active < 0 ? 1 : active);
		colset_text(*cs, "name_en", nz_str(name_en));
	} else {
		if (active >= 0)
			colset_int(*cs, "active", active);
		if (name_en != NULL)
			colset_text(*cs, "name_en", name_en);
	}
	if (name_fa != NULL && name_fa[0] != '\0')
		colset_text(*cs, "name_fa", name_fa);
	return 0;
}

/* std_write writes cs (freed) to entry rid of list l and ends the write std_open began. */
static int
std_write(struct store *st, const struct std_list *l, const char *code, const char *rid, struct colset *cs,
	  const char *author, struct nz_err *err)
{
	int rc;

	if (colset_count(cs) == 0)
		rc = nz_fail(err, NZ_EINVAL, "nothing to change for %s '%s'", l->what, code);
	else
		rc = store_write(st, l->table, rid, "IR", cs, author, err);
	colset_free(cs);
	return rec_finish(st, rc, err);
}

int
category_put(struct store *st, bool add, const char *code, const char *name_fa, const char *name_en,
	     int active, const char *author, struct nz_err *err)
{
	char rid[NZ_RID_MAX];
	struct colset *cs;
	int rc;

	if ((rc = std_open(st, &categories, add, code, name_fa, name_en, active, rid, &cs, err)) != 0)
		return rc;
	return std_write(st, &categories, code, rid, cs, author, err);
}

json_t *
category_list(struct store *st)
{
	return reg_query(st, categories.list, NULL, NULL, NULL);
}

int
criterion_put(struct store *st, bool add, const char *code, const char *name_fa, const char *name_en,
	      double weight, int scale_max, int active, const char *author, struct nz_err *err)
{
	char rid[NZ_RID_MAX], buf[32];
	struct colset *cs;
	int rc;

	if (add && weight < 0)
		return nz_fail_at(err, NZ_EINVAL, "weight", NULL, "criterion '%s' needs a weight", code);
	if (weight >= 0 && !(weight > 0 && weight <= 1000))
		return nz_fail(err, NZ_EINVAL, "weight %g is out of range: more than 0, at most 1000", weight);
	if (scale_max != 0 && (scale_max < 2 || scale_max > 100))
		return nz_fail(err, NZ_EINVAL, "scale maximum %d is out of range: 2 to 100", scale_max);
	if ((rc = std_open(st, &criteria, add, code, name_fa, name_en, active, rid, &cs, err)) != 0)
		return rc;
	/* Scores given on the old scale must still fit the new one. */
	snprintf(buf, sizeof(buf), "%d", scale_max);
	if (!add && scale_max != 0 &&
	    rec_scalar(st, "SELECT count(*) FROM issue_score WHERE criterion = ?1 AND deleted = 0 AND score > ?2 + 0",
		       code, buf) > 0) {
		colset_free(cs);
		store_rollback(st);
		return nz_fail(err, NZ_EINVAL, "criterion '%s' has scores above %d; the scale cannot shrink below them",
			       code, scale_max);
	}
	if (add)
		colset_int(cs, "scale_max", scale_max ? scale_max : 5);
	else if (scale_max != 0)
		colset_int(cs, "scale_max", scale_max);
	if (weight >= 0)
		colset_real(cs, "weight", weight);
	return std_write(st, &criteria, code, rid, cs, author, err);
}

json_t *
criterion_list(struct store *st)
{
	return reg_query(st, criteria.list, NULL, NULL, NULL);
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
	if ((rc = reg_national_only(st, "problem categories and prioritisation criteria", err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	for (i = 0; rc == 0 && i < sizeof(default_categories) / sizeof(default_categories[0]); i++) {
		snprintf(rid, sizeof(rid), "cat-%s", default_categories[i].code);
		if (rec_scalar(st, "SELECT count(*) FROM problem_category WHERE id = ?1", rid, NULL) > 0)
			continue;
		if ((rc = category_put(st, true, default_categories[i].code, default_categories[i].fa,
				       default_categories[i].en, 1, author, err)) == 0)
			++*ncat;
	}
	for (i = 0; rc == 0 && i < sizeof(default_criteria) / sizeof(default_criteria[0]); i++) {
		snprintf(rid, sizeof(rid), "crit-%s", default_criteria[i].code);
		if (rec_scalar(st, "SELECT count(*) FROM priority_criterion WHERE id = ?1", rid, NULL) > 0)
			continue;
		if ((rc = criterion_put(st, true, default_criteria[i].code, default_criteria[i].fa,
					default_criteria[i].en, default_criteria[i].weight, 5, 1, author,
					err)) == 0)
			++*ncrit;
	}
	if (rc != 0)
		*ncat = *ncrit = 0;
	return rec_finish(st, rc, err);
}
