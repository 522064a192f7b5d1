/*
 * داشبورد: the dashboard of a subtree.  Its figures of the issue register
 * come from the aggregates (aggregate.c), never from the records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/aggregate.h"
#include "domain/allocate.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/fresh.h"
#include "domain/health.h"
#include "domain/register.h"
#include "domain/reports.h"
#include "domain/selection.h"
#include "store/hlc.h"

/* ---- the consolidated register, as reg_summary() builds it ---- */

static int64_t
text_int(struct store *st, const char *sql, const char *p1, char *text, size_t n)
{
	sqlite3_stmt *q = store_prepare(st, sql, NULL);
	int64_t v = 0;

	if (text != NULL)
		text[0] = '\0';
	if (q == NULL)
		return 0;
	sqlite3_bind_text(q, 1, p1, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW) {
		if (text != NULL && sqlite3_column_text(q, 0) != NULL)
			snprintf(text, n, "%s", (const char *)sqlite3_column_text(q, 0));
		v = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	return v;
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
add(json_t *obj, const char *key, json_int_t by)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + by));
}

/*
 * What the summary counts of the other tables: every key of the table's
 * counts (agg_key NULL) or only one; an organisation counts as active or
 * retired (aggregate.c keys it so), never both.
 */
static const struct {
	const char *key, *table, *agg_key;
} counted[] = {
	{"sessions", "delib_session", NULL},
	{"scores", "issue_score", NULL},
	{"solutions", "solution", NULL},
	{"decisions", "council_decision", NULL},
	{"interventions", "intervention", NULL},
	{"evaluations", "evaluation", NULL},
	{"organisations", "organisation", ""},
	{"organisations_retired", "organisation", "retired"},
	{"introductions", "org_intro", NULL},
};

#define NCOUNTED (sizeof(counted) / sizeof(counted[0]))

static json_t *
new_unit(struct store *st, const char *code, bool own)
{
	json_t *u = json_object();
	char name[512];
	size_t j;

	text_int(st, "SELECT name_fa FROM orgunit WHERE id = ?1 AND deleted = 0", code, name, sizeof(name));
	json_object_set_new(u, "unit", json_string(code));
	json_object_set_new(u, "name_fa", json_string(name));
	json_object_set_new(u, "own", json_boolean(own));
	fresh_stamp(st, u, code);
	json_object_set_new(u, "problems", json_integer(0));
	json_object_set_new(u, "by_state", zero_states());
	for (j = 0; j < NCOUNTED; j++)
		json_object_set_new(u, counted[j].key, json_integer(0));
	return u;
}

/* ---- top problems ---- */

struct cand {
	char id[NZ_RID_MAX];
	double prio2;
	int64_t pe;
	int unit, cat; /* indexes of the bucket and the category it was listed for */
};

/* The order of the top lists: priority, then people affected, then id (by_priority in register/reg_summary.c). */
static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->prio2 != y->prio2)
		return x->prio2 > y->prio2 ? -1 : 1;
	if (x->pe != y->pe)
		return x->pe > y->pe ? -1 : 1;
	return strcmp(x->id, y->id);
}

/*
 * The best top ranked problems of category cat in one bucket of base,
 * appended to c.  A national bucket other than the national unit itself is
 * a province's whole subtree.
 */
static void
top_of(struct store *st, const char *base, const char *bucket, const char *cat, int top, struct cand *c, int *n)
{
	bool prov = unit_level(base) == NZ_LEVEL_NATIONAL && strcmp(bucket, base) != 0;
	sqlite3_stmt *q;

	q = store_prepare(st,
			  prov ? "SELECT id, prio2, pe FROM dash_rank WHERE prov = ?1 AND category = ?2"
				 " ORDER BY prio2 DESC, pe DESC, id LIMIT ?3"
			       : "SELECT id, prio2, pe FROM dash_rank WHERE owner = ?1 AND category = ?2"
				 " ORDER BY prio2 DESC, pe DESC, id LIMIT ?3",
			  NULL);
	if (q == NULL)
		return;
	sqlite3_bind_text(q, 1, bucket, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, cat, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 3, top);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct cand *k = &c[(*n)++];
		snprintf(k->id, sizeof(k->id), "%s", (const char *)sqlite3_column_text(q, 0));
		k->prio2 = sqlite3_column_double(q, 1);
		k->pe = sqlite3_column_int64(q, 2);
	}
	sqlite3_reset(q);
}

static int64_t
count_where(struct store *st, const char *sql, sqlite3_stmt *row)
{
	sqlite3_stmt *q = store_prepare(st, sql, NULL);
	int64_t v = 0;
	int i;

	if (q == NULL)
		return 0;
	/* ?1 owner, ?2 prio, ?3 pr, ?4 created, ?5 id: the row's own values, types and all. */
	for (i = 0; i < sqlite3_bind_parameter_count(q); i++)
		sqlite3_bind_value(q, i + 1, sqlite3_column_value(row, i));
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/*
 * The rank of problem id within its area among the ranked problems, by
 * priority, people affected, age and id (issue_list's window), counted on
 * the area index: the rows ahead of it, in three index ranges.
 */
static int64_t
area_rank(struct store *st, const char *id)
{
	sqlite3_stmt *row = store_prepare(st, "SELECT owner, prio, pr, created, id FROM dash_rank WHERE id = ?1", NULL);
	int64_t rank = 0;

	if (row == NULL)
		return 0;
	sqlite3_bind_text(row, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(row) == SQLITE_ROW)
		rank = 1 +
		       count_where(st, "SELECT count(*) FROM dash_rank WHERE owner = ?1 AND prio > ?2", row) +
		       count_where(st, "SELECT count(*) FROM dash_rank WHERE owner = ?1 AND prio = ?2 AND pr > ?3", row) +
		       count_where(st, "SELECT count(*) FROM dash_rank WHERE owner = ?1 AND prio = ?2 AND pr = ?3"
				       " AND ((created IS NULL AND ?4 IS NOT NULL) OR created < ?4 OR"
				       " (created IS ?4 AND id < ?5))", row);
	sqlite3_reset(row);
	return rank;
}

/* top_row is a problem as the top lists show it, built once per summary (cache). */
static json_t *
top_row(struct store *st, json_t *cache, const struct cand *c)
{
	static const char *const keys[] = {"id", "owner", "title", "category", "state", "priority", "rank",
					   "people_affected", NULL};
	json_t *o, *rows, *r;
	sqlite3_stmt *q;
	int i;

	if ((o = json_object_get(cache, c->id)) != NULL)
		return json_incref(o);
	o = json_object();
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT i.id, i.owner, i.title, i.category, " REG_ISSUE_STATE " AS state,"
			       " i.people_affected FROM issue i WHERE i.id = ?1",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
		rows = reg_rows(q);
		r = json_array_get(rows, 0);
		for (i = 0; keys[i] != NULL; i++)
			json_object_set(o, keys[i], r && json_object_get(r, keys[i]) ? json_object_get(r, keys[i])
										 : json_null());
		json_decref(rows);
	}
	json_object_set_new(o, "priority", json_real(c->prio2));
	json_object_set_new(o, "rank", json_integer(area_rank(st, c->id)));
	json_object_set(cache, c->id, o);
	return o;
}

/*
 * The best top of the candidates c (n of them) listed for unit (or any
 * when < 0) and category (or any), as a new array of top rows; pick is
 * room for n.
 */
static json_t *
best(struct store *st, json_t *cache, const struct cand *c, int n, int unit, int cat, struct cand *pick, int top)
{
	json_t *a = json_array();
	int i, m = 0;

	for (i = 0; i < n; i++)
		if ((unit < 0 || c[i].unit == unit) && (cat < 0 || c[i].cat == cat))
			pick[m++] = c[i];
	qsort(pick, (size_t)m, sizeof(*pick), cand_cmp);
	for (i = 0; i < m && i < top; i++)
		json_array_append_new(a, top_row(st, cache, &pick[i]));
	return a;
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

static int
cat_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t nx = json_integer_value(json_object_get(x, "problems"));
	json_int_t ny = json_integer_value(json_object_get(y, "problems"));

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "category")),
		      json_string_value(json_object_get(y, "category")));
}

/* sorted turns the values of obj into a new array ordered by cmp. */
static json_t *
sorted(json_t *obj, int (*cmp)(const void *, const void *))
{
	size_t i = 0, n = json_object_size(obj);
	json_t **v, *arr = json_array(), *x;
	const char *k;

	if (n == 0 || (v = malloc(n * sizeof(*v))) == NULL)
		return arr;
	json_object_foreach(obj, k, x)
		v[i++] = x;
	qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++)
		json_array_append(arr, v[i]);
	free(v);
	return arr;
}

static int64_t
sync_ms(json_t *o)
{
	if (json_is_true(json_object_get(o, "local")))
		return INT64_MAX;
	return json_integer_value(json_object_get(o, "last_sync_ms"));
}

json_t *
dash_register(struct store *st, const char *under, int top, struct nz_err *err)
{
	const char *base = under != NULL && under[0] ? under : store_node(st);
	json_t *out = NULL, *units, *cats, *pairs, *cache, *totals, *u, *c;
	char code[NZ_ID_MAX], via[NZ_ID_MAX];
	struct cand *cand = NULL, *pick = NULL;
	const char **ukeys = NULL, **ckeys = NULL;
	int64_t oldest = INT64_MAX;
	struct fresh_sum fs;
	sqlite3_stmt *q;
	const char *k, *ck;
	size_t j, nunits, ncats, npairs;
	int i, n;

	if (unit_level(base) < 0) {
		nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", base);
		return NULL;
	}
	if (!unit_within(base, store_node(st))) {
		nz_fail(err, NZ_EDENIED, "this node (%s) holds no register of %s", store_node(st), base);
		return NULL;
	}
	if (agg_init(st, err) != 0)
		return NULL;
	if (top < 0 || top > 100)
		top = 5;
	units = json_object();
	cats = json_object();
	pairs = json_object();
	cache = json_object();

	/* The units: base, each unit under it in the org-unit tree, and any that holds data. */
	json_object_set_new(units, base, new_unit(st, base, true));
	if (unit_level(base) != NZ_LEVEL_COUNTY &&
	    (q = store_prepare(st, "SELECT id FROM orgunit WHERE parent = ?1 AND deleted = 0 ORDER BY id", err)) != NULL) {
		sqlite3_bind_text(q, 1, base, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(q, 0);
			if (id != NULL && unit_level(id) == unit_level(base) + 1 && json_object_get(units, id) == NULL)
				json_object_set_new(units, id, new_unit(st, id, false));
		}
		sqlite3_reset(q);
	}

	/* Problems per unit and status, and per category with its sources. */
	if ((q = agg_rows(st, base, true, err)) == NULL)
		goto out;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(q, 0);
		const char *cat = (const char *)sqlite3_column_text(q, 1);
		const char *state = (const char *)sqlite3_column_text(q, 2);
		json_int_t cnt = sqlite3_column_int64(q, 3), people = sqlite3_column_int64(q, 4);
		json_t *src;
		/* A status that is not text counts as register.c counts a missing one. */
		const char *sk = state[0] ? state : "identified";

		unit_toward(base, unit, code);
		if ((u = json_object_get(units, code)) == NULL) {
			u = new_unit(st, code, strcmp(code, base) == 0);
			json_object_set_new(units, code, u);
		}
		add(u, "problems", cnt);
		add(json_object_get(u, "by_state"), sk, cnt);
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
		add(c, "problems", cnt);
		if (state[0] && strcmp(state, "closed") != 0) {
			json_t *has = json_object_get(pairs, code);
			add(c, "open", cnt);
			/* Only open problems rank: this unit may list some of this category. */
			if (has == NULL)
				json_object_set_new(pairs, code, has = json_object());
			json_object_set(has, cat, json_true());
		}
		add(c, "people_affected", people);
		add(json_object_get(c, "by_state"), sk, cnt);
		unit_toward(store_node(st), unit, via);
		if ((src = json_object_get(json_object_get(c, "sources"), via)) == NULL) {
			src = json_object();
			json_object_set_new(src, "problems", json_integer(0));
			fresh_stamp(st, src, via);
			json_object_set_new(json_object_get(c, "sources"), via, src);
		}
		add(src, "problems", cnt);
	}
	sqlite3_reset(q);

	/* Counts of the other records, per unit. */
	if ((q = agg_rows(st, base, false, err)) == NULL)
		goto out;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(q, 0);
		const char *key = (const char *)sqlite3_column_text(q, 2);
		for (j = 0; j < NCOUNTED && (strcmp(counted[j].table, tbl) != 0 ||
					     (counted[j].agg_key != NULL && strcmp(counted[j].agg_key, key ? key : "") != 0));
		     j++)
			;
		if (j == NCOUNTED)
			continue;
		unit_toward(base, (const char *)sqlite3_column_text(q, 1), code);
		if ((u = json_object_get(units, code)) == NULL) {
			u = new_unit(st, code, false);
			json_object_set_new(units, code, u);
		}
		add(u, counted[j].key, sqlite3_column_int64(q, 3));
	}
	sqlite3_reset(q);

	/*
	 * The best of each unit in each category where it has open problems:
	 * a unit's top is the best of its lists, a category's the best of its
	 * lists, the overall top the best of all (units and categories share
	 * no problem).
	 */
	nunits = json_object_size(units);
	ncats = json_object_size(cats);
	npairs = 0;
	json_object_foreach(pairs, k, u)
		npairs += json_object_size(u);
	ukeys = calloc(nunits + 1, sizeof(*ukeys));
	ckeys = calloc(ncats + 1, sizeof(*ckeys));
	cand = calloc(npairs * (size_t)top + 1, sizeof(*cand));
	pick = calloc(npairs * (size_t)top + 1, sizeof(*pick));
	if (ukeys == NULL || ckeys == NULL || cand == NULL || pick == NULL) {
		nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	i = 0;
	json_object_foreach(units, k, u)
		ukeys[i++] = k;
	i = 0;
	json_object_foreach(cats, ck, c)
		ckeys[i++] = ck;
	n = 0;
	for (i = 0; i < (int)nunits; i++) {
		json_t *has = json_object_get(pairs, ukeys[i]);
		int ci, from = n;
		for (ci = 0; has != NULL && ci < (int)ncats; ci++) {
			if (json_object_get(has, ckeys[ci]) == NULL)
				continue;
			from = n;
			top_of(st, base, ukeys[i], ckeys[ci], top, cand, &n);
			for (; from < n; from++) {
				cand[from].unit = i;
				cand[from].cat = ci;
			}
		}
	}

	/* Per unit its top; then the totals, which are the sums of the units. */
	totals = json_object();
	json_object_set_new(totals, "problems", json_integer(0));
	json_object_set_new(totals, "by_state", zero_states());
	for (j = 0; j < NCOUNTED; j++)
		json_object_set_new(totals, counted[j].key, json_integer(0));
	for (i = 0; i < (int)nunits; i++) {
		const char *sk;
		json_t *sv;
		int64_t ms;
		u = json_object_get(units, ukeys[i]);
		json_object_set_new(u, "top", best(st, cache, cand, n, i, -1, pick, top));
		add(totals, "problems", json_integer_value(json_object_get(u, "problems")));
		json_object_foreach(json_object_get(u, "by_state"), sk, sv)
			add(json_object_get(totals, "by_state"), sk, json_integer_value(sv));
		for (j = 0; j < NCOUNTED; j++)
			add(totals, counted[j].key, json_integer_value(json_object_get(u, counted[j].key)));
		if ((ms = sync_ms(u)) < oldest)
			oldest = ms;
	}
	out = json_object();
	json_object_set_new(out, "top", best(st, cache, cand, n, -1, -1, pick, top));
	json_object_set_new(totals, "oldest_sync_ms", oldest == INT64_MAX ? json_null() : json_integer(oldest));
	json_object_set_new(totals, "freshness",
			    fresh_subtree(st, base, &fs, NULL) == 0 ? fresh_sum_json(&fs) : json_null());
	json_object_set_new(out, "node", json_string(store_node(st)));
	json_object_set_new(out, "level", json_string(unit_level_name(unit_level(store_node(st)))));
	json_object_set_new(out, "under", json_string(base));
	json_object_set_new(out, "generated_ms", json_integer((json_int_t)time(NULL) * 1000));
	json_object_set_new(out, "freshness",
			    json_string("each unit's figures are as recent as the last successful sync (last_sync)"
					" of the child of this node that carries them ('via'); this node's own"
					" records are local and current"));
	json_object_set_new(out, "units", sorted(units, unit_cmp));
	json_object_set_new(out, "totals", totals);

	/* Per category: its top problems, sources, freshness and name. */
	for (i = 0; i < (int)ncats; i++) {
		json_t *srcs = json_array(), *sv;
		const char *sk;
		int64_t old = INT64_MAX, ms;
		char name[512];
		ck = ckeys[i];
		c = json_object_get(cats, ck);
		json_object_set_new(c, "top", best(st, cache, cand, n, -1, i, pick, top));
		json_object_foreach(json_object_get(c, "sources"), sk, sv) {
			json_t *s = json_deep_copy(sv);
			json_object_set_new(s, "via", json_string(sk));
			if ((ms = sync_ms(s)) < old)
				old = ms;
			json_array_append_new(srcs, s);
		}
		json_object_set_new(c, "sources", srcs);
		json_object_set_new(c, "oldest_sync_ms", old == INT64_MAX ? json_null() : json_integer(old));
		text_int(st, "SELECT name_fa FROM problem_category WHERE code = ?1 AND deleted = 0", ck, name,
			 sizeof(name));
		json_object_set_new(c, "name_fa", json_string(name));
	}
	json_object_set_new(out, "by_category", sorted(cats, cat_cmp));
out:
	free(ukeys);
	free(ckeys);
	free(cand);
	free(pick);
	json_decref(pairs);
	json_decref(cache);
	json_decref(cats);
	json_decref(units);
	return out;
}

/* ---- the dashboard ---- */

/* bump adds by to obj[unit][key], creating what is missing. */
static void
bump(json_t *obj, const char *unit, const char *key, json_int_t by)
{
	json_t *u = json_object_get(obj, unit);

	if (u == NULL) {
		u = json_object();
		json_object_set_new(obj, unit, u);
	}
	add(u, key, by);
}

/* bucket is the unit a figure of code counts under in a dashboard of under: itself or its child. */
static void
bucket(const char *under, const char *code, char out[NZ_ID_MAX])
{
	unit_toward(under, code != NULL ? code : under, out);
}

/*
 * Problems by effective status, council decisions, intervention stages and
 * active appointments, per unit, from the aggregates.
 */
static int
register_figures(struct store *st, const char *under, json_t *fig, struct nz_err *err)
{
	char b[NZ_ID_MAX], key[64];
	sqlite3_stmt *q;

	if ((q = agg_rows(st, under, true, err)) == NULL)
		return NZ_EDB;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(q, 2);
		json_int_t n = sqlite3_column_int64(q, 3);
		bucket(under, (const char *)sqlite3_column_text(q, 0), b);
		if (state[0]) {
			snprintf(key, sizeof(key), "issues_%s", state);
			bump(fig, b, key, n);
		}
		bump(fig, b, "issues", n);
	}
	sqlite3_reset(q);
	if ((q = agg_rows(st, under, false, err)) == NULL)
		return NZ_EDB;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(q, 0);
		const char *k = (const char *)sqlite3_column_text(q, 2);
		json_int_t n = sqlite3_column_int64(q, 3);
		bucket(under, (const char *)sqlite3_column_text(q, 1), b);
		if (strcmp(tbl, "sel_appointment") == 0 && strcmp(k, "active") == 0) {
			bump(fig, b, "appointed", n);
		} else if (strcmp(tbl, "council_decision") == 0 && k[0]) {
			snprintf(key, sizeof(key), "decision_%s", k);
			bump(fig, b, key, n);
		} else if (strcmp(tbl, "intervention") == 0) {
			snprintf(key, sizeof(key), "stage_%s", k);
			bump(fig, b, key, n);
			bump(fig, b, "interventions", n);
		}
	}
	sqlite3_reset(q);
	return 0;
}

/*
 * Appointments against quota, as sel_appoint_summary() lists them: every
 * province and county of the tree under under and any unit that holds a
 * call or an appointment, each with its quota; the active appointments
 * come with the other counts (register_figures).  tree is under's org units.
 */
static void
quotas(struct store *st, const char *under, json_t *tree, json_t *fig)
{
	struct sel_std s;
	json_t *seen = json_object(), *row;
	char b[NZ_ID_MAX];
	sqlite3_stmt *q;
	size_t i;

	if (sel_std_load(st, 0, &s, NULL) != 0)
		sel_std_defaults(&s);
	json_array_foreach(tree, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		json_int_t lv = json_integer_value(json_object_get(row, "level"));
		if (id == NULL || (lv != NZ_LEVEL_PROVINCE && lv != NZ_LEVEL_COUNTY) || json_object_get(seen, id))
			continue;
		json_object_set_new(seen, id, json_true());
		bucket(under, id, b);
		bump(fig, b, "appointed", 0);
		bump(fig, b, "quota", sel_std_quota(&s, id));
	}
	if ((q = store_prepare(st,
			       "SELECT DISTINCT unit FROM dash_rec_n WHERE scope = 0 AND tbl IN ('sel_call',"
			       " 'sel_appointment') AND unit >= ?1 AND unit < ?1 || '.' AND n > 0",
			       NULL)) != NULL) {
		sqlite3_bind_text(q, 1, under, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(q, 0);
			if (json_object_get(seen, id))
				continue;
			json_object_set_new(seen, id, json_true());
			bucket(under, id, b);
			bump(fig, b, "appointed", 0);
			bump(fig, b, "quota", sel_std_quota(&s, id));
		}
		sqlite3_reset(q);
	}
	json_decref(seen);
}

json_t *
dash_compute(struct store *st, const char *under, int sync_interval, struct nz_err *err)
{
	json_t *j, *units, *names, *fig, *x, *row;
	char b[NZ_ID_MAX], period[JPERIOD_TEXT_MAX], today[11], tj[11];
	struct fresh_sum sum;
	struct nz_err e = {0};
	const char *k;
	size_t i;
	int level;

	if (under == NULL)
		under = store_node(st);
	if (domain_check_under(st, under, err) != 0)
		return NULL;
	level = unit_level(under);
	if (agg_init(st, err) != 0)
		return NULL;
	fig = json_object();
	names = json_object();
	/* Names of under and of the units below it that the tree knows; the quota of every secretariat. */
	if ((x = orgunit_list(st, under)) != NULL) {
		json_array_foreach(x, i, row) {
			const char *c = json_string_value(json_object_get(row, "id"));
			if (c == NULL)
				c = json_string_value(json_object_get(row, "code"));
			if (c && (strcmp(c, under) == 0 || unit_level(c) == level + 1) && unit_within(c, under)) {
				json_object_set(names, c, json_object_get(row, "name_fa"));
				if (strcmp(c, under) != 0)
					bump(fig, c, "known", 1);
			}
		}
		quotas(st, under, x, fig);
		json_decref(x);
	}
	bump(fig, under, "known", 1);
	/* Orientation course: appointments that completed it. */
	if ((x = sel_course_status(st, under, false)) != NULL) {
		json_array_foreach(x, i, row) {
			bucket(under, json_string_value(json_object_get(row, "owner")), b);
			bump(fig, b, "course_total", 1);
			if (json_is_true(json_object_get(row, "completed")))
				bump(fig, b, "course_done", 1);
		}
		json_decref(x);
	}
	if (register_figures(st, under, fig, err) != 0) {
		json_decref(fig);
		json_decref(names);
		return NULL;
	}
	/* Reports of the last ended month: expected, received, on time. */
	rep_default_period(period);
	if ((x = cpl_compute(st, under, period, 2, &e)) != NULL) {
		json_t *rows = json_object_get(x, "units");
		json_array_foreach(rows, i, row) {
			const char *u = json_string_value(json_object_get(row, "unit"));
			json_t *own = json_object_get(row, "own");
			if (u == NULL || own == NULL)
				continue;
			bucket(under, u, b);
			bump(fig, b, "reports_expected", json_integer_value(json_object_get(own, "expected")));
			bump(fig, b, "reports_received", json_integer_value(json_object_get(own, "received")));
			bump(fig, b, "reports_on_time", json_integer_value(json_object_get(own, "on_time")));
			bump(fig, b, "reports_late", json_integer_value(json_object_get(own, "late")));
		}
		json_decref(x);
	}
	nz_err_clear(&e);
	/* Freshness: when this node last heard from each unit, and from the units below it. */
	units = json_array();
	json_object_foreach(fig, k, x) {
		struct fresh f;
		struct fresh_sum below;
		char text[64];
		/* This node's own records (and its ancestors' directives) are current. */
		if (unit_within(store_node(st), k) || fresh_of(st, k, &f, &e) != 0) {
			memset(&f, 0, sizeof(f));
			f.last_sync = FRESH_LOCAL;
		}
		nz_err_clear(&e);
		fresh_text(&f, text, sizeof(text));
		json_object_set_new(x, "unit", json_string(k));
		json_object_set(x, "name", json_object_get(names, k) ? json_object_get(names, k) : json_null());
		json_object_set_new(x, "fresh_ms", json_integer(f.last_sync == FRESH_LOCAL ? -1 : f.last_sync));
		json_object_set_new(x, "fresh", json_string(text));
		json_object_set_new(x, "freshness", fresh_json(&f));
		if (fresh_subtree(st, k, &below, &e) == 0)
			json_object_set_new(x, "below", fresh_sum_json(&below));
		nz_err_clear(&e);
		json_object_set_new(x, "self", json_boolean(strcmp(k, under) == 0));
		json_array_append(units, x);
	}
	nz_today(today);
	jalali_from_iso(today, tj, &e);
	j = json_pack("{s:s, s:o, s:s, s:i, s:s, s:I, s:s, s:o}", "under", under, "name",
		      json_object_get(names, under) ? json_incref(json_object_get(names, under)) : json_null(),
		      "level", unit_level_name(level), "level_n", level, "period", period, "generated",
		      (json_int_t)hlc_wall_ms(), "today", tj, "units", units);
	/* Top problems and categories of the subtree, as the register consolidates them. */
	nz_err_clear(&e);
	if ((x = dash_register(st, under, 5, &e)) != NULL)
		json_object_set_new(j, "register", x);
	nz_err_clear(&e);
	/* The share of each unit below, by the national indicators (a nominal budget: shares as percent). */
	if (level < NZ_LEVEL_COUNTY &&
	    (x = alloc_compute(st, 1000000, level == NZ_LEVEL_NATIONAL ? "province" : "county", under, NULL,
			       ALLOC_UNKNOWN_EXCLUDE, &e)) != NULL)
		json_object_set_new(j, "allocation", x);
	else
		json_object_set_new(j, "allocation_error", json_string(e.msg));
	json_object_set_new(j, "sync", health_peers(st, sync_interval));
	/* How fresh the figures are: the oldest unit heard from, and how many never were. */
	if (fresh_subtree(st, under, &sum, &e) == 0)
		json_object_set_new(j, "freshness", fresh_sum_json(&sum));
	nz_err_clear(&e);
	json_decref(fig);
	json_decref(names);
	return j;
}
