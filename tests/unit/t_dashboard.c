/*
 * The dashboard's aggregates: random changes applied at a national, a
 * province and a county node (inserts, edits, tombstones, status moves,
 * council decisions, re-scoring, changes of the national criteria, changes
 * that lose by last-writer-wins, records arriving before those they hang
 * on), and after every few of them the dashboard's figures compared with a
 * recomputation over the replicated tables: the register summary against
 * reg_summary() (which reads every problem), the dashboard's counts against
 * the GROUP BY queries it used to run and sel_appoint_summary(), the
 * allocation against one computed from the records, and the aggregate
 * tables row by row.  Then the one-time fill of
 * a database that already holds the records, and a rebuild after a version
 * change, must give the same.
 */
#include <msgpack.h>
#include <sqlite3.h>
#include <stdarg.h>

#include "base/unit.h"
#include "domain/aggregate.h"
#include "domain/allocate.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/register.h"
#include "domain/reports.h"
#include "domain/selection.h"
#include "store/store.h"
#include "test.h"

#include "reg_summary_oracle.c"

static const char *tmp;
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static struct store *
open_node(const char *name, const char *id)
{
	char path[512];
	struct nz_err err = {0};
	struct store *st = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", tmp, name);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, id, &err) != 0) {
		printf("# cannot open %s: %s\n", id, err.msg);
		exit(2);
	}
	return st;
}

/* ---- changes as a peer would send them ---- */

struct val {
	const char *col;
	int type; /* 's' text, 'i' integer, 'd' real, 'n' nil */
	char s[48];
	int64_t i;
	double d;
};

struct chg {
	struct val v[16];
	int n;
};

static void
set_s(struct chg *c, const char *col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
set_s(struct chg *c, const char *col, const char *fmt, ...)
{
	struct val *v = &c->v[c->n++];
	va_list ap;

	v->col = col;
	v->type = 's';
	va_start(ap, fmt);
	vsnprintf(v->s, sizeof(v->s), fmt, ap);
	va_end(ap);
}

static void
set_i(struct chg *c, const char *col, int64_t i)
{
	c->v[c->n++] = (struct val){col, 'i', "", i, 0};
}

static void
set_d(struct chg *c, const char *col, double d)
{
	c->v[c->n++] = (struct val){col, 'd', "", 0, d};
}

static void
set_nil(struct chg *c, const char *col)
{
	c->v[c->n++] = (struct val){col, 'n', "", 0, 0};
}

static uint64_t hlc = 1000000;
static int64_t seqs[64];
static char origins[64][NZ_ID_MAX];
static int norigins;

/* apply applies c as a change of tbl/rid owned by owner, written at origin, now or (late) in the past. */
static int
apply(struct store *st, const char *tbl, const char *rid, const char *owner, const char *origin, bool late,
     const struct chg *c)
{
	struct nz_change ch;
	struct nz_err err = {0};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int i, o, rc;

	for (o = 0; o < norigins && strcmp(origins[o], origin) != 0; o++)
		;
	if (o == norigins && norigins < 64)
		snprintf(origins[norigins++], NZ_ID_MAX, "%s", origin);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (size_t)c->n);
	for (i = 0; i < c->n; i++) {
		const struct val *v = &c->v[i];
		msgpack_pack_str(&pk, strlen(v->col));
		msgpack_pack_str_body(&pk, v->col, strlen(v->col));
		if (v->type == 's') {
			msgpack_pack_str(&pk, strlen(v->s));
			msgpack_pack_str_body(&pk, v->s, strlen(v->s));
		} else if (v->type == 'i') {
			msgpack_pack_int64(&pk, v->i);
		} else if (v->type == 'd') {
			msgpack_pack_double(&pk, v->d);
		} else {
			msgpack_pack_nil(&pk);
		}
	}
	memset(&ch, 0, sizeof(ch));
	snprintf(ch.origin, sizeof(ch.origin), "%s", origin);
	ch.origin_seq = ++seqs[o];
	hlc += 10;
	/* A late change carries an older clock: the columns it sets lose where newer ones were written. */
	ch.hlc = late ? hlc - 10 * (uint64_t)(1 + t_pick(&rng, 50)) : hlc;
	snprintf(ch.tbl, sizeof(ch.tbl), "%s", tbl);
	snprintf(ch.rid, sizeof(ch.rid), "%s", rid);
	snprintf(ch.owner, sizeof(ch.owner), "%s", owner);
	snprintf(ch.author, sizeof(ch.author), "t");
	ch.cols = (const uint8_t *)sb.data;
	ch.cols_len = sb.size;
	rc = store_apply(st, &ch, "peer", &err);
	msgpack_sbuffer_destroy(&sb);
	if (rc != APPLY_NEW)
		printf("# apply %s/%s: %d %s\n", tbl, rid, rc, err.msg);
	return rc != APPLY_NEW ? -1 : 0;
}

/* ---- a random history ---- */

#define NI 60 /* problems */
#define NS 14 /* solutions */
#define NV 10 /* interventions */
#define NX 90 /* scores */
#define NO 12 /* sessions, evaluations, organisations, introductions */

struct world {
	const char *const *owners; /* of this node's subtree */
	int nowners;
	char iown[NI][NZ_ID_MAX], sown[NS][NZ_ID_MAX], vown[NV][NZ_ID_MAX], xown[NX][NZ_ID_MAX];
	char oown[7][NO][NZ_ID_MAX];
	bool decided[NS][4];
};

static const char *const cats[] = {"water", "jobs", "roads", NULL};
static const char *const decisions[] = {"approved", "rejected", "returned", NULL};
static const char *const others[] = {"delib_session", "evaluation", "organisation", "org_intro"};

static const char *
owner_of(struct world *w, char own[NZ_ID_MAX])
{
	if (own[0] == '\0')
		snprintf(own, NZ_ID_MAX, "%s", w->owners[t_pick(&rng, w->nowners)]);
	return own;
}

static int
directives(struct store *st)
{
	static const struct {
		const char *id, *parent;
		int level;
		const char *name;
	} units[] = {{"IR", "", 0, "ایران"},           {"IR-07", "IR", 1, "فارس"},
		     {"IR-07-03", "IR-07", 2, "شیراز"}, {"IR-08", "IR", 1, "بوشهر"}};
	struct chg c;
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		memset(&c, 0, sizeof(c));
		set_s(&c, "parent", "%s", units[i].parent);
		set_i(&c, "level", units[i].level);
		set_s(&c, "name_fa", "%s", units[i].name);
		if (apply(st, "orgunit", units[i].id, "IR", "IR", false, &c) != 0)
			return -1;
	}
	/* A monthly report of every county, expected from the first period of 1405. */
	memset(&c, 0, sizeof(c));
	set_s(&c, "code", "monthly");
	set_i(&c, "version", 1);
	set_s(&c, "period", "month");
	set_s(&c, "reporter", "secretariat");
	set_s(&c, "level", "county");
	set_i(&c, "due_days", 10);
	set_s(&c, "from_date", "2026-03-21");
	if (apply(st, "report_template", "tpl-monthly", "IR", "IR", false, &c) != 0)
		return -1;
	/* Allocation by the open problems and the interventions, both counted from the aggregates. */
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		set_s(&c, "code", "%s", i ? "ivs" : "open");
		set_s(&c, "source", "%s", i ? "interventions" : "open_issues");
		set_i(&c, "weight", 3 - (int64_t)i);
		set_i(&c, "active", 1);
		set_i(&c, "version", 1);
		if (apply(st, "indicator", i ? "ind-ivs" : "ind-open", "IR", "IR", false, &c) != 0)
			return -1;
	}
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		set_s(&c, "code", "%s", cats[i]);
		set_s(&c, "name_fa", "%s", i ? "اشتغال" : "آب");
		set_i(&c, "ord", (int64_t)i);
		set_i(&c, "active", 1);
		if (apply(st, "problem_category", cats[i], "IR", "IR", false, &c) != 0)
			return -1;
	}
	return 0;
}

/* A national criterion: made or changed, which re-prices every scored problem. */
static int
criterion(struct store *st, int k, bool first)
{
	static const char *const codes[] = {"c1", "c2", "c3"};
	struct chg c;

	memset(&c, 0, sizeof(c));
	if (first) {
		set_s(&c, "code", "%s", codes[k]);
		set_d(&c, "weight", k == 0 ? 2 : 1);
		set_i(&c, "scale_max", k == 1 ? 10 : 5);
		set_i(&c, "active", 1);
		set_i(&c, "ord", k);
	} else if (t_pick(&rng, 2)) {
		set_d(&c, "weight", t_pick(&rng, 4));
	} else {
		set_i(&c, "active", t_pick(&rng, 3) != 0);
	}
	return apply(st, "priority_criterion", codes[k], "IR", "IR", false, &c);
}

static const char *
date(void)
{
	static char d[32]; /* room for any int, so that -O0 builds warn of nothing */

	snprintf(d, sizeof(d), "2026-%02d-%02d", 1 + t_pick(&rng, 12), 1 + t_pick(&rng, 28));
	return d;
}

static int
step(struct store *st, struct world *w, bool *made)
{
	int r = t_pick(&rng, 100), k;
	bool late = t_pick(&rng, 8) == 0;
	char rid[NZ_RID_MAX + 8];
	struct chg c;
	const char *own;

	memset(&c, 0, sizeof(c));
	if (r < 40) { /* a problem */
		bool first;
		k = t_pick(&rng, NI);
		first = w->iown[k][0] == '\0';
		own = owner_of(w, w->iown[k]);
		snprintf(rid, sizeof(rid), "I%02d", k);
		if (first || t_pick(&rng, 3) == 0) {
			set_s(&c, "title", "problem %d", k);
			set_s(&c, "status", "%s", reg_statuses[t_pick(&rng, 10)]);
		} else if (t_pick(&rng, 2)) {
			set_s(&c, "status", "%s", t_pick(&rng, 3) ? "council" : reg_statuses[t_pick(&rng, 10)]);
		}
		if (first || t_pick(&rng, 4) == 0) {
			const char *cat = cats[t_pick(&rng, 4)];
			if (cat != NULL)
				set_s(&c, "category", "%s", cat);
			else
				set_nil(&c, "category");
		}
		if (first || t_pick(&rng, 4) == 0) {
			int p = t_pick(&rng, 10);
			if (p == 0)
				set_nil(&c, "people_affected");
			else if (p == 1)
				set_d(&c, "people_affected", 12.5);
			else if (p == 2)
				set_s(&c, "people_affected", "many");
			else
				set_i(&c, "people_affected", 10 * t_pick(&rng, 4));
		}
		if (first || t_pick(&rng, 4) == 0) {
			if (t_pick(&rng, 4))
				set_s(&c, "solution", "S%02d", t_pick(&rng, NS));
			else
				set_nil(&c, "solution");
		}
		if (first || t_pick(&rng, 6) == 0) {
			if (t_pick(&rng, 5))
				set_s(&c, "created", "%s", date());
			else
				set_nil(&c, "created");
		}
		if (!first && t_pick(&rng, 6) == 0)
			set_i(&c, "deleted", t_pick(&rng, 3) != 0);
		if (c.n == 0)
			set_s(&c, "title", "problem %d again", k);
		return apply(st, "issue", rid, own, t_pick(&rng, 3) ? own : w->owners[0], late && !first, &c);
	}
	if (r < 58) { /* a score, perhaps before its problem */
		bool first;
		k = t_pick(&rng, NX);
		first = w->xown[k][0] == '\0';
		snprintf(rid, sizeof(rid), "X%02d", k);
		own = owner_of(w, w->xown[k]);
		if (first || t_pick(&rng, 3) == 0)
			set_s(&c, "issue", "I%02d", t_pick(&rng, NI));
		if (first || t_pick(&rng, 3) == 0)
			set_s(&c, "criterion", "c%d", 1 + t_pick(&rng, 3));
		if (first || t_pick(&rng, 2) == 0)
			set_d(&c, "score", t_pick(&rng, 6));
		if (first)
			set_s(&c, "session", "E00");
		if (!first && t_pick(&rng, 5) == 0)
			set_i(&c, "deleted", t_pick(&rng, 3) != 0);
		if (c.n == 0)
			set_d(&c, "score", t_pick(&rng, 6));
		return apply(st, "issue_score", rid, own, own, late && !first, &c);
	}
	if (r < 68) { /* a solution, before a council or moving on */
		k = t_pick(&rng, NS);
		snprintf(rid, sizeof(rid), "S%02d", k);
		own = owner_of(w, w->sown[k]);
		set_s(&c, "status", "%s", t_pick(&rng, 2) ? "council" : reg_statuses[2 + t_pick(&rng, 6)]);
		if (t_pick(&rng, 2))
			set_i(&c, "round", 1 + t_pick(&rng, 3));
		if (t_pick(&rng, 8) == 0)
			set_i(&c, "deleted", t_pick(&rng, 2));
		return apply(st, "solution", rid, own, own, late, &c);
	}
	if (r < 80) { /* a council decision on some round of a solution */
		int round = 1 + t_pick(&rng, 3);
		const char *d = decisions[t_pick(&rng, 4)];
		k = t_pick(&rng, NS);
		own = owner_of(w, w->sown[k]);
		snprintf(rid, sizeof(rid), "S%02d-r%d", k, round);
		set_s(&c, "solution", "S%02d", k);
		set_i(&c, "round", round);
		if (d != NULL)
			set_s(&c, "decision", "%s", d);
		else
			set_nil(&c, "decision");
		if (w->decided[k][round] && t_pick(&rng, 4) == 0)
			set_i(&c, "deleted", t_pick(&rng, 2));
		w->decided[k][round] = true;
		return apply(st, "council_decision", rid, own, t_pick(&rng, 2) ? own : w->owners[0], late, &c);
	}
	if (r < 90) { /* an intervention's stages */
		static const char *const ends[] = {"needs_end", "priority_end", "planning_end", "implementation_end",
						   "evaluation_end"};
		int i, n = 1 + t_pick(&rng, 3);
		k = t_pick(&rng, NV);
		snprintf(rid, sizeof(rid), "V%02d", k);
		own = owner_of(w, w->vown[k]);
		for (i = 0; i < n; i++) {
			int e = t_pick(&rng, 5), j;
			for (j = 0; j < c.n && strcmp(c.v[j].col, ends[e]) != 0; j++)
				;
			if (j < c.n)
				continue;
			if (t_pick(&rng, 4))
				set_s(&c, ends[e], "%s", date());
			else
				set_s(&c, ends[e], "%s", "");
		}
		if (t_pick(&rng, 8) == 0)
			set_i(&c, "deleted", t_pick(&rng, 2));
		return apply(st, "intervention", rid, own, own, late, &c);
	}
	if (r < 94) { /* calls, appointments (active, revoked or expired) and reports */
		static const char *const st_[] = {"active", "active", "revoked", "expired"};
		static const char *const tbl[] = {"sel_call", "sel_appointment", "report"};
		int t = t_pick(&rng, 3);
		k = t_pick(&rng, NO);
		snprintf(rid, sizeof(rid), "%c%02d", "CAR"[t], k);
		own = owner_of(w, w->oown[4 + t][k]);
		if (t == 1) {
			set_s(&c, "status", "%s", st_[t_pick(&rng, 4)]);
		} else if (t == 2) {
			set_s(&c, "template_code", "monthly");
			set_s(&c, "period", "1405-08");
			set_s(&c, "grp", "%s", "");
			set_s(&c, "status", "%s", t_pick(&rng, 3) ? "submitted" : "draft");
			set_s(&c, "submitted", "2026-11-%02d", 1 + t_pick(&rng, 20));
			set_s(&c, "due", "2026-11-10");
			set_i(&c, "revision", 1);
		} else {
			set_s(&c, "title", "%s", date());
		}
		if (t_pick(&rng, 6) == 0)
			set_i(&c, "deleted", t_pick(&rng, 2));
		return apply(st, tbl[t], rid, own, own, late, &c);
	}
	if (r < 97) { /* sessions, evaluations, organisations, introductions */
		int t = t_pick(&rng, 4);
		k = t_pick(&rng, NO);
		snprintf(rid, sizeof(rid), "%c%02d", "EVOT"[t], k);
		own = owner_of(w, w->oown[t][k]);
		set_s(&c, t == 0 ? "date" : t == 1 ? "date" : t == 2 ? "name" : "body", "%s", date());
		/* An organisation retired, re-activated by hand, or written before it had the flag (NULL). */
		if (t == 2 && t_pick(&rng, 3) != 0)
			set_i(&c, "active", t_pick(&rng, 3) == 0 ? 0 : 1);
		if (t_pick(&rng, 5) == 0)
			set_i(&c, "deleted", t_pick(&rng, 2));
		return apply(st, others[t], rid, own, own, late, &c);
	}
	k = t_pick(&rng, 3);
	*made = true;
	return criterion(st, k, false);
}

/* ---- what the dashboard must equal ---- */

/* The unit directly below under on the way to code, or under (the dashboard's buckets). */
static void
bucket(const char *under, const char *code, char out[NZ_ID_MAX])
{
	const char *dash;

	if (code == NULL || !unit_within(code, under) || strcmp(code, under) == 0) {
		snprintf(out, NZ_ID_MAX, "%s", under);
		return;
	}
	dash = strchr(code + strlen(under) + 1, '-');
	snprintf(out, NZ_ID_MAX, "%.*s", (int)(dash ? (size_t)(dash - code) : strlen(code)), code);
}

static void
bump(json_t *fig, const char *unit, const char *key, json_int_t by)
{
	json_t *u = json_object_get(fig, unit);

	if (by == 0)
		return; /* figures that are zero are left out on both sides */
	if (u == NULL)
		json_object_set_new(fig, unit, u = json_object());
	json_object_set_new(u, key, json_integer(json_integer_value(json_object_get(u, key)) + by));
}

/* The problems, decisions and stages per unit as the dashboard counted them before its aggregates. */
static json_t *
direct_figures(struct store *st, const char *under)
{
	json_t *fig = json_object(), *x, *row;
	sqlite3_stmt *q;
	char b[NZ_ID_MAX], key[64];
	size_t i;

	sqlite3_prepare_v2(store_db(st),
			   "SELECT i.owner, " REG_ISSUE_STATE ", count(*) FROM issue i WHERE i.deleted = 0 AND "
			   UNIT_SQL_UNDER("i.owner") " GROUP BY 1, 2",
			   -1, &q, NULL);
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		bucket(under, (const char *)sqlite3_column_text(q, 0), b);
		if (sqlite3_column_text(q, 1) != NULL) {
			snprintf(key, sizeof(key), "issues_%s", sqlite3_column_text(q, 1));
			bump(fig, b, key, sqlite3_column_int64(q, 2));
		}
		bump(fig, b, "issues", sqlite3_column_int64(q, 2));
	}
	sqlite3_finalize(q);
	sqlite3_prepare_v2(store_db(st),
			   "SELECT owner, decision, count(*) FROM council_decision WHERE deleted = 0 AND decision"
			   " IS NOT NULL AND " UNIT_SQL_UNDER("owner") " GROUP BY 1, 2",
			   -1, &q, NULL);
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		bucket(under, (const char *)sqlite3_column_text(q, 0), b);
		snprintf(key, sizeof(key), "decision_%s", sqlite3_column_text(q, 1));
		bump(fig, b, key, sqlite3_column_int64(q, 2));
	}
	sqlite3_finalize(q);
	x = sel_appoint_summary(st, under);
	json_array_foreach(x, i, row) {
		bucket(under, json_string_value(json_object_get(row, "unit")), b);
		bump(fig, b, "appointed", json_integer_value(json_object_get(row, "active")));
		bump(fig, b, "quota", json_integer_value(json_object_get(row, "quota")));
	}
	json_decref(x);
	x = intervention_list(st, under);
	json_array_foreach(x, i, row) {
		bucket(under, json_string_value(json_object_get(row, "owner")), b);
		snprintf(key, sizeof(key), "stage_%s", json_string_value(json_object_get(row, "current_stage")));
		bump(fig, b, key, 1);
		bump(fig, b, "interventions", 1);
	}
	json_decref(x);
	return fig;
}

/* The same figures picked out of a dashboard. */
static json_t *
dash_figures(json_t *dash)
{
	json_t *fig = json_object(), *u, *v;
	const char *k;
	size_t i;

	json_array_foreach(json_object_get(dash, "units"), i, u) {
		const char *unit = json_string_value(json_object_get(u, "unit"));
		json_object_foreach(u, k, v) {
			if ((strncmp(k, "issues", 6) == 0 || strncmp(k, "decision_", 9) == 0 ||
			     strncmp(k, "stage_", 6) == 0 || strcmp(k, "interventions") == 0 ||
			     strcmp(k, "appointed") == 0 || strcmp(k, "quota") == 0) &&
			    json_integer_value(v) != 0)
				bump(fig, unit, k, json_integer_value(v));
		}
	}
	return fig;
}

/* same reports whether a and b are equal JSON, printing both (shortened) when they are not. */
static bool
same(const char *what, json_t *a, json_t *b)
{
	char *x, *y;

	if (json_equal(a, b))
		return true;
	x = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
	y = json_dumps(b, JSON_SORT_KEYS | JSON_COMPACT);
	printf("#   %s differ\n#   got  %.1500s\n#   want %.1500s\n", what, x ? x : "?", y ? y : "?");
	free(x);
	free(y);
	return false;
}

static int64_t
count(struct store *st, const char *sql, const char *p)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL);
	sqlite3_bind_text(q, 1, p, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* A register summary without the moment it was made. */
static json_t *
summary(json_t *s)
{
	if (s != NULL)
		json_object_del(s, "generated_ms");
	return s;
}

/* check compares every figure under every base of st; returns the number of mismatches. */
static int
check(struct store *st, const char *const *bases, int nbases, const char *const *units, int nunits, const char *when)
{
	struct nz_err err = {0};
	int i, j, bad = 0, top;

	for (i = 0; i < nbases; i++) {
		json_t *a, *b, *d;
		for (top = 1; top <= 5; top += 4) {
			a = summary(dash_register(st, bases[i], top, &err));
			b = summary(reg_summary(st, bases[i], top, &err));
			if (a == NULL || b == NULL || !same("register summaries", a, b)) {
				printf("#   %s: register of %s, top %d\n", when, bases[i], top);
				bad++;
			}
			json_decref(a);
			json_decref(b);
		}
		if ((d = dash_compute(st, bases[i], 10, &err)) == NULL) {
			printf("#   %s: dashboard of %s: %s\n", when, bases[i], err.msg);
			bad++;
			continue;
		}
		a = dash_figures(d);
		b = direct_figures(st, bases[i]);
		if (!same("dashboard figures", a, b)) {
			printf("#   %s: dashboard of %s\n", when, bases[i]);
			bad++;
		}
		json_decref(a);
		json_decref(b);
		json_decref(d);
	}
	for (j = 0; j < nunits; j++) {
		int64_t got = -1, want;
		want = count(st,
			     "SELECT count(*) FROM issue WHERE deleted = 0 AND coalesce(status, '') <> 'closed' AND"
			     " (owner = ?1 OR (owner > ?1 || '-' AND owner < ?1 || '.'))",
			     units[j]);
		if (!agg_subtree_count(st, "open_issues", units[j], &got) || got != want) {
			printf("#   %s: open problems of %s: got %lld, want %lld\n", when, units[j], (long long)got,
			       (long long)want);
			bad++;
		}
		want = count(st,
			     "SELECT count(*) FROM intervention WHERE deleted = 0 AND"
			     " (owner = ?1 OR (owner > ?1 || '-' AND owner < ?1 || '.'))",
			     units[j]);
		if (!agg_subtree_count(st, "interventions", units[j], &got) || got != want) {
			printf("#   %s: interventions of %s: got %lld, want %lld\n", when, units[j], (long long)got,
			       (long long)want);
			bad++;
		}
	}
	return bad;
}

/* rows returns the non-zero rows of the aggregate tables as text, to compare two stores. */
static json_t *
rows(struct store *st)
{
	static const char *const sql[] = {
		"SELECT scope, unit, category, state, n, people FROM dash_issue_n WHERE n != 0 OR people != 0"
		" ORDER BY 1, 2, 3, 4",
		"SELECT scope, tbl, unit, key, n FROM dash_rec_n WHERE n != 0 ORDER BY 1, 2, 3, 4",
		"SELECT id, owner, prov, category, prio, prio2, pe, pr, created FROM dash_rank ORDER BY id",
	};
	json_t *out = json_array();
	size_t i;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		sqlite3_stmt *q;
		sqlite3_prepare_v2(store_db(st), sql[i], -1, &q, NULL);
		json_array_append_new(out, reg_rows(q));
	}
	return out;
}

/* copy applies every change of src's log to dst, in order. */
static int
copy(struct store *src, struct store *dst)
{
	struct nz_err err = {0};
	sqlite3_stmt *q;
	int rc = 0;

	sqlite3_prepare_v2(store_db(src),
			   "SELECT origin, origin_seq, hlc, tbl, rid, owner, author,"
			   " log_cols(tbl, rid, cols, rowcols, seq) FROM oplog ORDER BY seq", -1,
			   &q, NULL);
	store_begin(dst, &err);
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW) {
		struct nz_change c;
		memset(&c, 0, sizeof(c));
		snprintf(c.origin, sizeof(c.origin), "%s", sqlite3_column_text(q, 0));
		c.origin_seq = sqlite3_column_int64(q, 1);
		c.hlc = (uint64_t)sqlite3_column_int64(q, 2);
		snprintf(c.tbl, sizeof(c.tbl), "%s", sqlite3_column_text(q, 3));
		snprintf(c.rid, sizeof(c.rid), "%s", sqlite3_column_text(q, 4));
		snprintf(c.owner, sizeof(c.owner), "%s", sqlite3_column_text(q, 5));
		snprintf(c.author, sizeof(c.author), "%s", sqlite3_column_text(q, 6));
		c.cols = sqlite3_column_blob(q, 7);
		c.cols_len = (size_t)sqlite3_column_bytes(q, 7);
		if (store_apply(dst, &c, "copy", &err) < 0)
			rc = -1;
	}
	sqlite3_finalize(q);
	if (store_commit(dst, &err) != 0)
		rc = -1;
	return rc;
}

/* One node level: a random history applied with the aggregates live, checked as it goes. */
static void
level(const char *id, const char *const *owners, int nowners, const char *const *bases, int nbases, int steps)
{
	struct nz_err err = {0};
	struct store *st, *late;
	struct world w;
	char name[64], when[64];
	int i, bad = 0, checks = 0, failed = 0;
	bool repriced = false;
	const char *alloc_level;
	json_t *a, *b, *direct = NULL, *cpl;

	memset(&w, 0, sizeof(w));
	w.owners = owners;
	w.nowners = nowners;
	snprintf(name, sizeof(name), "live-%s", id);
	st = open_node(name, id);
	CHECK(agg_init(st, &err) == 0);
	CHECK(agg_init(st, &err) == 0); /* a no-op the second time */
	CHECK(directives(st) == 0);
	for (i = 0; i < 3; i++)
		CHECK(criterion(st, i, true) == 0);
	for (i = 1; i <= steps; i++) {
		if (step(st, &w, &repriced) != 0)
			failed++;
		if (i % 50 == 0 || i == steps) {
			snprintf(when, sizeof(when), "%s after %d changes", id, i);
			bad += check(st, bases, nbases, owners, nowners, when) != 0;
			checks++;
		}
	}
	/* The criteria as they began (weights back, all active): every scored problem re-priced. */
	for (i = 0; i < 3; i++)
		if (criterion(st, i, true) != 0)
			failed++;
	snprintf(when, sizeof(when), "%s with the criteria restored", id);
	bad += check(st, bases, nbases, owners, nowners, when) != 0;
	printf("# %s: %d changes, %d checkpoints, criteria changed: %s\n", id, steps, checks, repriced ? "yes" : "no");
	CHECK_INT(failed, 0);
	CHECK_INT(bad, 0);
	CHECK(count(st, "SELECT count(*) FROM dash_rank", "") > 0);
	CHECK(count(st, "SELECT count(*) FROM issue WHERE status = 'council' AND deleted = 0", "") > 0);

	/* The one-time fill of a database holding the same records gives the same aggregates. */
	snprintf(name, sizeof(name), "late-%s", id);
	late = open_node(name, id);
	CHECK(copy(st, late) == 0);
	CHECK(!agg_subtree_count(late, "open_issues", id, &(int64_t){0}));
	alloc_level = unit_level(id) == NZ_LEVEL_NATIONAL ? "province" : "county";
	if (unit_level(id) < NZ_LEVEL_COUNTY)
		direct = alloc_compute(late, 1000000, alloc_level, id, "1405-08", ALLOC_UNKNOWN_ZERO, &err);
	cpl = cpl_compute(late, id, "1405-08", 0, &err);
	CHECK(agg_init(late, &err) == 0);
	/* Completeness finds the units with reports from the aggregates now: the same figures. */
	a = cpl_compute(st, id, "1405-08", 0, &err);
	CHECK(cpl != NULL && a != NULL &&
	      json_array_size(json_object_get(a, "units")) >= (size_t)(unit_level(id) == NZ_LEVEL_COUNTY ? 1 : 2));
	CHECK(same("completeness from the aggregates and from the records", a, cpl));
	json_decref(a);
	json_decref(cpl);
	a = rows(late);
	b = rows(st);
	CHECK(same("aggregates filled once and kept live", a, b));
	json_decref(a);
	json_decref(b);
	/* The allocation reads its counts and its units from the aggregates now: the same shares. */
	if (unit_level(id) < NZ_LEVEL_COUNTY) {
		a = alloc_compute(st, 1000000, alloc_level, id, "1405-08", ALLOC_UNKNOWN_ZERO, &err);
		CHECK(direct != NULL && a != NULL && json_array_size(json_object_get(a, "units")) > 1);
		CHECK(same("allocations from the aggregates and from the records", a, direct));
		json_decref(a);
		json_decref(direct);
	}
	snprintf(when, sizeof(when), "%s filled once", id);
	CHECK_INT(check(late, bases, nbases, owners, nowners, when), 0);

	/* A new version rebuilds them from scratch: the same again. */
	CHECK(store_meta_set_int(st, "dash_version", 0, &err) == 0);
	a = rows(st);
	CHECK(agg_init(st, &err) == 0);
	b = rows(st);
	CHECK(same("aggregates before and after a rebuild", b, a));
	json_decref(a);
	json_decref(b);
	store_close(late);
	store_close(st);
}

/* write_issue writes problem rid of IR-07-03 in category cat with status stat through st. */
static int
write_issue(struct store *st, const char *rid, const char *cat, const char *stat, int people)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	int rc;

	colset_text(cs, "title", rid);
	colset_text(cs, "category", cat);
	colset_text(cs, "status", stat);
	colset_int(cs, "people_affected", people);
	rc = store_write(st, "issue", rid, "IR-07-03", cs, "t", &err);
	colset_free(cs);
	return rc;
}

/*
 * Two connections to one database: the one that writes learns that the
 * other built the aggregates after its last write, and keeps them from its
 * next write on (the counts of problems are kept by the write path, which
 * reads whether they are there only when another connection committed).
 */
static void
two_connections(void)
{
	struct nz_err err = {0};
	struct store *a = open_node("two", "IR"), *b = NULL;
	char path[512];
	json_t *before, *after;

	snprintf(path, sizeof(path), "%s/two.db", tmp);
	CHECK(store_open(&b, path, domain_tables(), false, &err) == 0);
	CHECK(write_issue(a, "two-x", "water", "identified", 10) == 0); /* no aggregates yet: nothing kept */
	CHECK(agg_init(b, &err) == 0);                                   /* b builds them: x counted */
	CHECK(write_issue(a, "two-y", "water", "identified", 5) == 0);   /* a keeps them now */
	CHECK(write_issue(a, "two-x", "water", "prioritised", 10) == 0); /* x moves */
	CHECK_INT(count(b, "SELECT sum(n) FROM dash_issue_n WHERE scope = ?1", "0"), 2);
	CHECK_INT(count(b, "SELECT sum(people) FROM dash_issue_n WHERE scope = ?1 AND state = 'identified'", "1"), 5);
	CHECK_INT(count(b, "SELECT n FROM dash_issue_n WHERE scope = 1 AND unit = ?1 AND state = 'prioritised'",
			"IR-07"), 1);
	/* A transaction's moves are written when it commits, and forgotten when it rolls back. */
	CHECK(store_begin(a, &err) == 0);
	CHECK(write_issue(a, "two-z", "roads", "identified", 3) == 0);
	CHECK(write_issue(a, "two-y", "roads", "identified", 5) == 0);
	store_rollback(a);
	CHECK_INT(count(b, "SELECT count(*) FROM dash_issue_n WHERE category = ?1 AND n != 0", "roads"), 0);
	CHECK_INT(count(b, "SELECT sum(n) FROM dash_issue_n WHERE scope = 0 AND category = ?1", "water"), 2);
	CHECK(store_begin(a, &err) == 0);
	CHECK(write_issue(a, "two-z", "roads", "identified", 3) == 0);
	CHECK(write_issue(a, "two-y", "roads", "identified", 5) == 0);
	CHECK(store_commit(a, &err) == 0);
	CHECK_INT(count(b, "SELECT sum(people) FROM dash_issue_n WHERE scope = 0 AND category = ?1", "roads"), 8);
	CHECK_INT(count(b, "SELECT sum(n) FROM dash_issue_n WHERE scope = 1 AND category = ?1", "water"), 1);
	/* The counts refused when they are written, at commit: the whole transaction fails, saying why. */
	CHECK_INT(sqlite3_exec(store_db(b),
			       "CREATE TRIGGER t_refuse BEFORE UPDATE ON dash_issue_n BEGIN"
			       " SELECT RAISE(ABORT, 'counts refused'); END;",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	CHECK(store_begin(a, &err) == 0);
	CHECK(write_issue(a, "two-w", "roads", "identified", 4) == 0);
	CHECK(store_commit(a, &err) != 0);
	CHECK(strstr(err.msg, "counts refused") != NULL);
	CHECK_INT(count(b, "SELECT count(*) FROM issue WHERE id = ?1", "two-w"), 0);
	CHECK_INT(count(b, "SELECT count(*) FROM oplog WHERE rid = ?1", "two-w"), 0);
	CHECK_INT(count(b, "SELECT sum(people) FROM dash_issue_n WHERE scope = 0 AND category = ?1", "roads"), 8);
	CHECK_INT(sqlite3_exec(store_db(b), "DROP TRIGGER t_refuse", NULL, NULL, NULL), SQLITE_OK);
	CHECK(write_issue(a, "two-w", "roads", "identified", 4) == 0);
	CHECK_INT(count(b, "SELECT sum(people) FROM dash_issue_n WHERE scope = 0 AND category = ?1", "roads"), 12);
	/* What a rebuild from the records gives. */
	before = rows(a);
	CHECK(store_meta_set_int(a, "dash_version", 0, &err) == 0);
	CHECK(agg_init(a, &err) == 0);
	after = rows(a);
	CHECK(same("aggregates kept across two connections and rebuilt", after, before));
	json_decref(before);
	json_decref(after);
	store_close(b);
	store_close(a);
}

/* The register's own operations at a county, replicated up, checked at every level. */
static void
lifecycle(void)
{
	static const char *const nat[] = {"IR", "IR-07", "IR-07-03"};
	struct nz_err err = {0};
	struct store *n = open_node("flow-IR", "IR"), *p = open_node("flow-IR-07", "IR-07"),
		     *c = open_node("flow-IR-07-03", "IR-07-03");
	struct issue_input in = {0};
	struct decision_input d = {0};
	struct session_input s = {0};
	char ids[4][NZ_RID_MAX], sid[NZ_RID_MAX], sol[NZ_RID_MAX], iv[NZ_RID_MAX], cat[64];
	const char *list[2];
	struct solution_input si = {0};
	int i, nc, ncr;

	CHECK(agg_init(n, &err) == 0 && agg_init(p, &err) == 0 && agg_init(c, &err) == 0);
	/* The county serves: its own writes' problem counts are written behind, the triggers' at once. */
	CHECK(agg_defer(c, true, NULL, &err) == 0);
	CHECK(reg_seed_standards(n, "t", &nc, &ncr, &err) == 0);
	CHECK(copy(n, p) == 0 && copy(n, c) == 0);
	{
		json_t *cl = category_list(c);
		snprintf(cat, sizeof(cat), "%s", json_string_value(json_object_get(json_array_get(cl, 0), "code")));
		json_decref(cl);
	}
	for (i = 0; i < 4; i++) {
		in.title = "مشکل";
		in.category = cat;
		in.people = 100 * i;
		in.area = NULL;
		CHECK(issue_create(c, &in, "t", ids[i], &err) == 0);
		if (err.msg[0])
			printf("#   %s\n", err.msg);
	}
	s.date = "1405-09-01";
	s.participants = -1;
	CHECK(session_add(c, &s, "t", sid, &err) == 0);
	{
		json_t *crit = criterion_list(c);
		struct score_input one = {json_string_value(json_object_get(json_array_get(crit, 0), "code")), 4};
		struct score_input two = {json_string_value(json_object_get(json_array_get(crit, 1), "code")), 2};
		for (i = 0; i < 3; i++) {
			CHECK(session_score(c, sid, ids[i], "", &one, 1, "t", &err) == 0);
			CHECK(session_score(c, sid, ids[i], "g", &two, 1, "t", &err) == 0);
		}
		json_decref(crit);
	}
	list[0] = ids[0];
	list[1] = ids[1];
	si.title = "راه حل";
	si.budget = -1;
	si.issues = list;
	si.nissues = 2;
	CHECK(solution_add(c, &si, "t", sol, &err) == 0);
	CHECK(solution_submit(c, sol, "county", "1405-09-02", "t", &err) == 0);
	d.solution = sol;
	d.date = "1405-09-03";
	d.resolution = "12";
	d.decision = "approved";
	CHECK(council_decide(c, &d, "t", &err) == 0);
	CHECK(intervention_add(c, sol, "مداخله", "t", iv, &err) == 0);
	CHECK(intervention_stage(c, iv, "needs", "1405-09-04", "1405-09-05", 10, NULL, "t", &err) == 0);
	CHECK(issue_close(c, ids[2], "حل شد", "t", &err) == 0);
	CHECK(copy(c, p) == 0);
	CHECK(copy(c, n) == 0);
	CHECK_INT(check(c, nat + 2, 1, nat + 2, 1, "county after the lifecycle"), 0);
	CHECK_INT(check(p, nat + 1, 2, nat + 1, 2, "province after the lifecycle"), 0);
	CHECK_INT(check(n, nat, 3, nat, 3, "national after the lifecycle"), 0);
	{
		json_t *r = dash_register(n, "IR", 5, &err);
		CHECK_INT(json_array_size(json_object_get(r, "top")), 2);

		json_decref(r);
	}
	CHECK(agg_defer(c, false, NULL, &err) == 0);
	store_close(c);
	store_close(p);
	store_close(n);
}

int
main(void)
{
	static const char *const nat_owners[] = {"IR", "IR-07", "IR-07-03", "IR-07-05", "IR-08", "IR-08-01"};
	static const char *const nat_bases[] = {"IR", "IR-07", "IR-07-03", "IR-08-01"};
	static const char *const prov_owners[] = {"IR-07", "IR-07-03", "IR-07-05"};
	static const char *const prov_bases[] = {"IR-07", "IR-07-05"};
	static const char *const cty[] = {"IR-07-03"};
	struct nz_err err = {0};
	struct store *st;

	tmp = t_tmpdir();
	setenv("NEHZAT_TODAY", "2026-11-28", 0);

	/* Without a node identity there is nothing to keep. */
	{
		char path[512];
		snprintf(path, sizeof(path), "%s/anon.db", tmp);
		CHECK(store_open(&st, path, domain_tables(), true, &err) == 0);
		CHECK_INT(agg_init(st, &err), NZ_ENOTFOUND);
		store_close(st);
	}
	level("IR", nat_owners, 6, nat_bases, 4, 1500);
	level("IR-07", prov_owners, 3, prov_bases, 2, 1000);
	level("IR-07-03", cty, 1, cty, 1, 800);
	lifecycle();
	two_connections();
	TEST_DONE();
}
