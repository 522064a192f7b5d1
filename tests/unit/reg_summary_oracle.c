/*
 * The test oracle of the consolidated register: the register of a subtree
 * built the plain way, from every problem and record (issue_list, counts
 * per table), as nehzat did before the aggregates.  The program serves
 * dash_register (domain/dashboard.c), which reads the aggregates instead;
 * t_dashboard checks the two agree figure for figure.  Included by the
 * tests that use it (a test binary is one source file).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/fresh.h"
#include "domain/register/reg_int.h"

/* ---- consolidation ---- */

static json_t *
oracle_zero_states(void)
{
	json_t *o = json_object();
	int i;

	for (i = 0; reg_statuses[i] != NULL; i++)
		json_object_set_new(o, reg_statuses[i], json_integer(0));
	return o;
}

static void
oracle_bump(json_t *obj, const char *key, json_int_t by)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + by));
}

static json_t *
oracle_top_row(json_t *r)
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
oracle_by_priority(const void *a, const void *b)
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
oracle_top_of(json_t **rows, size_t nrows, int n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < nrows && (int)json_array_size(a) < n; i++) {
		const char *state = json_string_value(json_object_get(rows[i], "state"));
		if (!json_is_number(json_object_get(rows[i], "priority")) || state == NULL ||
		    strcmp(state, "closed") == 0)
			continue;
		json_array_append_new(a, oracle_top_row(rows[i]));
	}
	return a;
}

/* Unit of row owner in a summary of base: base itself, or the unit directly below base containing it. */
static void
oracle_unit_of(const char *base, const char *owner, char out[NZ_ID_MAX])
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
oracle_new_unit(struct store *st, const char *code, bool own)
{
	json_t *u = json_object();
	sqlite3_stmt *q;

	json_object_set_new(u, "unit", json_string(code));
	json_object_set_new(u, "name_fa", json_string(""));
	if ((q = reg_prep(st, "SELECT name_fa FROM orgunit WHERE id = ?1 AND deleted = 0", code, NULL, NULL)) != NULL) {
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
			json_object_set_new(u, "name_fa", json_string((const char *)sqlite3_column_text(q, 0)));
		sqlite3_finalize(q);
	}
	json_object_set_new(u, "own", json_boolean(own));
	fresh_stamp(st, u, code);
	json_object_set_new(u, "problems", json_integer(0));
	json_object_set_new(u, "by_state", oracle_zero_states());
	return u;
}

static int
oracle_unit_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int ox = json_is_true(json_object_get(x, "own")), oy = json_is_true(json_object_get(y, "own"));

	if (ox != oy)
		return oy - ox;
	return strcmp(json_string_value(json_object_get(x, "unit")), json_string_value(json_object_get(y, "unit")));
}

/* The unit being summarised first, then the units below it by code. */
static void
oracle_sort_units(json_t *arr)
{
	size_t i, n = json_array_size(arr);
	json_t **v;

	if (n < 2 || (v = malloc(n * sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort(v, n, sizeof(*v), oracle_unit_cmp);
	json_array_clear(arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, v[i]);
	free(v);
}

/* A retired organisation (active 0; NULL is active) counts apart from the active ones. */
static const struct {
	const char *key, *table, *where;
} oracle_counted[] = {
	{"sessions", "delib_session", "1"},
	{"scores", "issue_score", "1"},
	{"solutions", "solution", "1"},
	{"decisions", "council_decision", "1"},
	{"interventions", "intervention", "1"},
	{"evaluations", "evaluation", "1"},
	{"organisations", "organisation", "coalesce(active, 1) != 0"},
	{"organisations_retired", "organisation", "coalesce(active, 1) = 0"},
	{"introductions", "org_intro", "1"},
};

#define O_NCOUNTED (sizeof(oracle_counted) / sizeof(oracle_counted[0]))

static json_t *
reg_summary(struct store *st, const char *under, int top, struct nz_err *err)
{
	const char *base = under != NULL && under[0] ? under : store_node(st);
	json_t *out, *units, *totals, *cats, *issues, *r, **sorted = NULL, *u;
	char code[NZ_ID_MAX], sql[512];
	size_t i, n, j;
	int64_t oldest = INT64_MAX;
	struct fresh_sum fs;
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
	json_object_set_new(units, base, oracle_new_unit(st, base, true));
	if (unit_level(base) != NZ_LEVEL_COUNTY &&
	    (q = reg_prep(st, "SELECT id FROM orgunit WHERE parent = ?1 AND deleted = 0 ORDER BY id", base, NULL,
		      NULL)) != NULL) {
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(q, 0);
			if (c != NULL && unit_level(c) == unit_level(base) + 1 && json_object_get(units, c) == NULL)
				json_object_set_new(units, c, oracle_new_unit(st, c, false));
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
		oracle_unit_of(base, owner, code);
		if ((u = json_object_get(units, code)) == NULL) {
			u = oracle_new_unit(st, code, strcmp(code, base) == 0);
			json_object_set_new(units, code, u);
		}
		oracle_bump(u, "problems", 1);
		oracle_bump(json_object_get(u, "by_state"), state ? state : "identified", 1);
		if (cat == NULL)
			cat = "";
		if ((c = json_object_get(cats, cat)) == NULL) {
			c = json_object();
			json_object_set_new(c, "category", json_string(cat));
			json_object_set_new(c, "problems", json_integer(0));
			json_object_set_new(c, "open", json_integer(0));
			json_object_set_new(c, "people_affected", json_integer(0));
			json_object_set_new(c, "by_state", oracle_zero_states());
			json_object_set_new(c, "sources", json_object());
			json_object_set_new(cats, cat, c);
		}
		oracle_bump(c, "problems", 1);
		if (state != NULL && strcmp(state, "closed") != 0)
			oracle_bump(c, "open", 1);
		oracle_bump(c, "people_affected", json_integer_value(json_object_get(r, "people_affected")));
		oracle_bump(json_object_get(c, "by_state"), state ? state : "identified", 1);
		/* The category's figure rests on every child carrying one of its problems. */
		unit_toward(store_node(st), owner, via);
		if ((src = json_object_get(json_object_get(c, "sources"), via)) == NULL) {
			src = json_object();
			json_object_set_new(src, "problems", json_integer(0));
			fresh_stamp(st, src, via);
			json_object_set_new(json_object_get(c, "sources"), via, src);
		}
		oracle_bump(src, "problems", 1);
	}
	if (n > 0)
		qsort(sorted, n, sizeof(*sorted), oracle_by_priority);

	/* Counts of the other records, per unit. */
	for (j = 0; j < O_NCOUNTED; j++) {
		size_t len = unit_level(base) == NZ_LEVEL_NATIONAL ? 5 : 8;
		snprintf(sql, sizeof(sql),
			 "SELECT CASE WHEN owner = ?1 OR length(owner) < %zu THEN ?1 ELSE substr(owner, 1, %zu) END"
			 " AS u, count(*) FROM %s WHERE deleted = 0 AND (%s) AND " UNIT_SQL_UNDER("owner") " GROUP BY u",
			 len, len, oracle_counted[j].table, oracle_counted[j].where);
		{
			const char *k;
			json_object_foreach(units, k, u)
				json_object_set_new(u, oracle_counted[j].key, json_integer(0));
		}
		if ((q = reg_prep(st, sql, base, NULL, NULL)) == NULL)
			continue;
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *c = (const char *)sqlite3_column_text(q, 0);
			if (unit_level(base) == NZ_LEVEL_COUNTY)
				c = base;
			if ((u = json_object_get(units, c)) == NULL) {
				u = oracle_new_unit(st, c, false);
				for (i = 0; i < O_NCOUNTED; i++)
					json_object_set_new(u, oracle_counted[i].key, json_integer(0));
				json_object_set_new(units, c, u);
			}
			oracle_bump(u, oracle_counted[j].key, sqlite3_column_int64(q, 1));
		}
		sqlite3_finalize(q);
	}

	/* Per unit: its top problems; then the totals, which are the sums of the units. */
	totals = json_object();
	json_object_set_new(totals, "problems", json_integer(0));
	json_object_set_new(totals, "by_state", oracle_zero_states());
	for (j = 0; j < O_NCOUNTED; j++)
		json_object_set_new(totals, oracle_counted[j].key, json_integer(0));
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
				oracle_unit_of(base, owner, code);
				if (strcmp(code, k) != 0 || !json_is_number(json_object_get(sorted[i], "priority")) ||
				    strcmp(state, "closed") == 0)
					continue;
				json_array_append_new(sub, oracle_top_row(sorted[i]));
			}
			json_object_set_new(u, "top", sub);
			oracle_bump(totals, "problems", json_integer_value(json_object_get(u, "problems")));
			json_object_foreach(json_object_get(u, "by_state"), sk, sv)
				oracle_bump(json_object_get(totals, "by_state"), sk, json_integer_value(sv));
			for (j = 0; j < O_NCOUNTED; j++)
				oracle_bump(totals, oracle_counted[j].key, json_integer_value(json_object_get(u, oracle_counted[j].key)));
			ms = json_is_true(json_object_get(u, "local")) ? INT64_MAX
								       : json_integer_value(json_object_get(u, "last_sync_ms"));
			if (ms < oldest)
				oldest = ms;
			json_array_append(arr, u);
		}
		oracle_sort_units(arr);
		json_object_set_new(totals, "oldest_sync_ms", oldest == INT64_MAX ? json_null() : json_integer(oldest));
		json_object_set_new(totals, "freshness",
				    fresh_subtree(st, base, &fs, NULL) == 0 ? fresh_sum_json(&fs) : json_null());
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
				json_array_append_new(sub, oracle_top_row(sorted[i]));
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
			if ((nq = reg_prep(st, "SELECT name_fa FROM problem_category WHERE code = ?1 AND deleted = 0", k, NULL,
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
	json_object_set_new(out, "top", oracle_top_of(sorted, n, top));
	free(sorted);
	json_decref(cats);
	json_decref(issues);
	json_decref(units);
	return out;
}
