/*
 * The national indicators of allocation (شاخص‌ها): a directive of the
 * national secretariat, one record per indicator with an integer weight and
 * the source it counts; every change raises the indicator set's version,
 * which an allocation is stamped with.  The allocation itself is
 * allocate.c's.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/jalali.h"
#include "domain/allocate.h"
#include "domain/health.h"
#include "domain/record.h"

#define WEIGHT_MAX 1000000

static const struct col_def ind_cols[] = {
	{"code", COL_TEXT},
	{"title", COL_TEXT},
	{"source", COL_TEXT},
	{"weight", COL_INT},
	{"active", COL_INT},
	{"version", COL_INT}, /* the indicator set's version after this change */
	{"changed", COL_TEXT},
	{NULL, 0},
};
static const char *const ind_idx[] = {"code", NULL};
const struct tbl_def indicator_table = {"indicator", VIS_DIRECTIVE, ind_cols, ind_idx};

static const char *const source_names[SRC_N] = {
	[SRC_POPULATION] = "population",
	[SRC_OPEN_ISSUES] = "open_issues",
	[SRC_INTERVENTIONS] = "interventions",
	[SRC_HELPERS] = "helpers",
	[SRC_COMPLETENESS] = "completeness",
};

/* What each source counts, for help texts and the result. */
static const char *const source_help[SRC_N] = {
	[SRC_POPULATION] = "population of the unit (org-unit figures set by national); a unit without one is unknown, never 0",
	[SRC_OPEN_ISSUES] = "problems of the issue register in the unit's subtree not closed (مختومه)",
	[SRC_INTERVENTIONS] = "community-based interventions in the subtree (cancelled or rejected ones aside)",
	[SRC_HELPERS] = "appointed helper groups in the subtree (revoked or cancelled ones aside)",
	[SRC_COMPLETENESS] = "reports received per million expected in the subtree, for the period",
};

int
ind_source_of(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < SRC_N; i++)
		if (strcmp(name, source_names[i]) == 0)
			return i;
	return -1;
}

static bool
valid_ind_code(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > IND_CODE_MAX || !islower((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

const char *
ind_source_name(int source)
{
	return source >= 0 && source < SRC_N ? source_names[source] : "";
}

const char *
ind_source_help(int source)
{
	return source >= 0 && source < SRC_N ? source_help[source] : "unknown source";
}

/* ---- indicators ---- */

static int
ind_write(struct store *st, const char *code, const char *title, const char *source, int64_t weight,
	  bool active, const char *author, struct nz_err *err)
{
	char id[NZ_RID_MAX] = "", today[11];
	struct colset *cs;
	sqlite3_stmt *q;
	int64_t version;

	if (sqlite3_prepare_v2(store_db(st), "SELECT id FROM indicator WHERE deleted = 0 AND code = ? ORDER BY id",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "indicator");
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (id[0] == '\0' && !active)
		return nz_fail(err, NZ_ENOTFOUND, "no indicator '%s'", code);
	if (id[0] == '\0' && source == NULL)
		return nz_fail_at(err, NZ_EINVAL, "source", NULL, "a new indicator needs its source");
	if (id[0] == '\0' && weight < 0)
		return nz_fail_at(err, NZ_EINVAL, "weight", NULL, "a new indicator needs its weight");
	if (id[0] == '\0')
		store_new_id(id);
	version = rec_scalar(st, "SELECT coalesce(MAX(version), 0) FROM indicator", NULL, NULL) + 1;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "code", code);
	if (title != NULL)
		colset_text(cs, "title", title);
	if (source != NULL)
		colset_text(cs, "source", source);
	if (weight >= 0)
		colset_int(cs, "weight", weight);
	colset_int(cs, "active", active);
	colset_int(cs, "version", version);
	colset_text(cs, "changed", today);
	return rec_write(st, "indicator", id, "IR", cs, author, err);
}

int
ind_set(struct store *st, const char *code, const char *title, const char *source, int64_t weight,
	const char *author, struct nz_err *err)
{
	int rc;

	if (strcmp(store_node(st), "IR") != 0)
		return nz_fail(err, NZ_EDENIED, "indicators are set by the national secretariat (IR); this node is %s",
			       store_node(st));
	if (code == NULL || !valid_ind_code(code))
		return nz_fail(err, NZ_EINVAL,
			       "indicator code '%s' must be 1 to %d lower-case letters, digits, '_' or '-'",
			       code ? code : "", IND_CODE_MAX);
	if (source != NULL && ind_source_of(source) < 0)
		return nz_fail(err, NZ_EINVAL,
			       "source '%s' is not one of population, open_issues, interventions, helpers, "
			       "completeness",
			       source);
	if (weight > WEIGHT_MAX || (weight < 0 && weight != -1))
		return nz_fail(err, NZ_EINVAL, "weight %lld is not 0 to %d", (long long)weight, WEIGHT_MAX);
	if (title != NULL && strlen(title) > 300)
		return nz_fail(err, NZ_EINVAL, "title is %zu bytes; at most 300", strlen(title));
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (rec_scalar(st, "SELECT count(*) FROM indicator WHERE deleted = 0 AND active = 1 AND code <> ?", code, NULL) >=
	    IND_MAX) {
		store_rollback(st);
		return nz_fail(err, NZ_ETOOBIG, "at most %d indicators are active", IND_MAX);
	}
	if ((rc = ind_write(st, code, title, source, weight, true, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int
ind_remove(struct store *st, const char *code, const char *author, struct nz_err *err)
{
	int rc;

	if (strcmp(store_node(st), "IR") != 0)
		return nz_fail(err, NZ_EDENIED, "indicators are set by the national secretariat (IR); this node is %s",
			       store_node(st));
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (rec_scalar(st, "SELECT count(*) FROM indicator WHERE deleted = 0 AND active = 1 AND code = ?", code, NULL) == 0) {
		store_rollback(st);
		return nz_fail(err, NZ_ENOTFOUND, "no active indicator '%s'", code);
	}
	if ((rc = ind_write(st, code, NULL, NULL, -1, false, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

json_t *
ind_list(struct store *st, bool all)
{
	json_t *rows = rec_list(st, &indicator_table, NULL, all ? NULL : "active = 1", NULL, "code");
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r) {
		int s = ind_source_of(json_string_value(json_object_get(r, "source")));
		const char *d = json_string_value(json_object_get(r, "changed"));
		char j[11];
		json_object_set_new(r, "counts", json_string(ind_source_help(s)));
		if (d != NULL && jalali_from_iso(d, j, NULL) == 0)
			json_object_set_new(r, "changed", json_string(j));
	}
	return rows;
}

