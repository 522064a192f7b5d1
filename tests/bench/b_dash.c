/*
 * P7, dashboard growth: the national dashboard (dash_compute, what GET
 * /api/v1/dashboard answers) over a national store holding N replicated
 * records, timed at a small and a large N in the same run; the figure is
 * the ratio of the two medians.
 *
 * b_dash [SMALL [LARGE [RUNS]]]   (default 50000 5000000 7)
 *
 * Each store is a national node ("IR") with the real tree of 31 provinces
 * and 482 counties (read from ../shared/data at run time; skipped when
 * absent), the seeded categories and criteria, a monthly report template
 * and allocation indicators.  Records arrive as they would from the
 * provinces: store_apply() of changes whose origin is the county (or
 * province) that wrote them, via its province, in transactions of 500000
 * (the page cache is made big enough to hold what they touch).  Most
 * arrive before the dashboard's aggregates exist and are counted by their
 * one-time fill; the last ones (a tenth, at most 50000) with the triggers
 * keeping them live.
 * The mix, drawn from a fixed seed: problems along the whole lifecycle
 * (identified, prioritised with scores, closed, proposed, before the
 * council with or without a decision, under intervention, evaluated) with
 * their sessions, scores, solutions, council decisions, interventions and
 * evaluations; a few tombstones; organisations; monthly reports of every
 * county going back in time as the store grows; and appointments within
 * the quota with revoked ones accumulating.  Every province is a child
 * peer that synced a moment ago.
 */
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <stdarg.h>
#include <unistd.h>

#include <msgpack.h>

#include "base/jalali.h"
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
#include "test.h"

#define BATCH 500000
#define MAX_UNITS 600
#define MAX_RUNS 31

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- deterministic choices ---- */

static uint64_t rng_state;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

static int
pick(int n)
{
	return (int)(rnd() % (uint32_t)n);
}

/* Skewed towards the first of n: some categories are far commoner than others. */
static int
pick_skewed(int n)
{
	int a = pick(n), b = pick(n);

	return a < b ? a : b;
}

/* ---- the tree ---- */

struct unit {
	char code[NZ_ID_MAX];
	char via[NZ_ID_MAX]; /* the province the change comes through */
	int64_t seq;         /* origin sequence of this unit's changes */
};

static struct unit units[MAX_UNITS];
static int nunits, nprov;
static char cats[32][40], crits[8][40];
static int ncats, ncrits, crit_scale[8];

static int
load_codes(struct store *st)
{
	sqlite3_stmt *q;

	nunits = 0;
	sqlite3_prepare_v2(store_db(st), "SELECT id FROM orgunit WHERE deleted = 0 AND id != 'IR' ORDER BY"
					 " length(id), id", -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW && nunits < MAX_UNITS) {
		struct unit *u = &units[nunits++];
		snprintf(u->code, sizeof(u->code), "%s", (const char *)sqlite3_column_text(q, 0));
		memcpy(u->via, u->code, 5);
		u->via[5] = '\0';
		u->seq = 0;
		if (unit_level(u->code) == NZ_LEVEL_PROVINCE)
			nprov++;
	}
	sqlite3_finalize(q);
	ncats = 0;
	sqlite3_prepare_v2(store_db(st), "SELECT code FROM problem_category WHERE deleted = 0 ORDER BY ord, code",
			   -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW && ncats < 32)
		snprintf(cats[ncats++], sizeof(cats[0]), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	ncrits = 0;
	sqlite3_prepare_v2(store_db(st), "SELECT code, scale_max FROM priority_criterion WHERE deleted = 0"
					 " ORDER BY ord, code", -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW && ncrits < 8) {
		crit_scale[ncrits] = sqlite3_column_int(q, 1);
		snprintf(crits[ncrits++], sizeof(crits[0]), "%s", (const char *)sqlite3_column_text(q, 0));
	}
	sqlite3_finalize(q);
	return nprov > 0 && nunits > nprov && ncats > 0 && ncrits > 0 ? 0 : -1;
}

/* A county most of the time, now and then a province's own record. */
static struct unit *
pick_unit(void)
{
	if (pick(100) < 5)
		return &units[pick(nprov)];
	return &units[nprov + pick(nunits - nprov)];
}

/* ---- changes as they arrive from the provinces ---- */

enum vtype { V_TEXT, V_INT, V_REAL };

struct val {
	const char *name;
	enum vtype t;
	const char *s;
	int64_t i;
	double d;
};

struct gen {
	struct store *st;
	struct val v[24];
	int nv;
	uint64_t hlc;
	int64_t records, changes, in_batch;
	int64_t per_table[32];
	char sbuf[24][96]; /* text values built on the fly */
};

static const char *const counted[] = {"issue", "issue_score", "delib_session", "solution", "council_decision",
				      "intervention", "evaluation", "organisation", "org_intro", "report",
				      "sel_call", "sel_appointment", NULL};

static void
put_s(struct gen *g, const char *name, const char *s)
{
	g->v[g->nv++] = (struct val){name, V_TEXT, s, 0, 0};
}

static void
put_i(struct gen *g, const char *name, int64_t i)
{
	g->v[g->nv++] = (struct val){name, V_INT, NULL, i, 0};
}

static void
put_d(struct gen *g, const char *name, double d)
{
	g->v[g->nv++] = (struct val){name, V_REAL, NULL, 0, d};
}

/* A text value that lives until the change is sent. */
static const char *
tmp(struct gen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *
tmp(struct gen *g, const char *fmt, ...)
{
	char *s = g->sbuf[g->nv];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s, sizeof(g->sbuf[0]), fmt, ap);
	va_end(ap);
	return s;
}

/* send_change applies the values put so far as one change of tbl/rid written at u, and starts afresh. */
static int
send_change(struct gen *g, struct unit *u, const char *tbl, const char *rid)
{
	struct nz_change c;
	struct nz_err err = {0};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int i, rc;

	if (g->in_batch == 0 && store_begin(g->st, &err) != 0)
		goto fail;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (size_t)g->nv);
	for (i = 0; i < g->nv; i++) {
		size_t n = strlen(g->v[i].name);
		msgpack_pack_str(&pk, n);
		msgpack_pack_str_body(&pk, g->v[i].name, n);
		if (g->v[i].t == V_TEXT) {
			n = strlen(g->v[i].s);
			msgpack_pack_str(&pk, n);
			msgpack_pack_str_body(&pk, g->v[i].s, n);
		} else if (g->v[i].t == V_INT) {
			msgpack_pack_int64(&pk, g->v[i].i);
		} else {
			msgpack_pack_double(&pk, g->v[i].d);
		}
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", u->code);
	c.origin_seq = ++u->seq;
	c.hlc = ++g->hlc;
	snprintf(c.tbl, sizeof(c.tbl), "%s", tbl);
	snprintf(c.rid, sizeof(c.rid), "%s", rid);
	snprintf(c.owner, sizeof(c.owner), "%s", u->code);
	snprintf(c.author, sizeof(c.author), "bench");
	c.cols = (const uint8_t *)sb.data;
	c.cols_len = sb.size;
	rc = store_apply(g->st, &c, u->via, &err);
	msgpack_sbuffer_destroy(&sb);
	g->nv = 0;
	if (rc < 0)
		goto fail;
	g->changes++;
	if (++g->in_batch == BATCH) {
		if (store_commit(g->st, &err) != 0)
			goto fail;
		g->in_batch = 0;
	}
	return 0;
fail:
	fprintf(stderr, "b_dash: %s/%s: %s\n", tbl, rid, err.msg);
	return -1;
}

/* record sends the first change of a new record of tbl and counts it. */
static int
record(struct gen *g, struct unit *u, const char *tbl, const char *rid)
{
	int i;

	for (i = 0; counted[i] != NULL; i++)
		if (strcmp(counted[i], tbl) == 0)
			g->per_table[i]++;
	g->records++;
	return send_change(g, u, tbl, rid);
}

static void
date_back(int days, char out[11])
{
	char today[11];

	nz_today(today);
	iso_add_days(today, -days, out);
}

static int
issue(struct gen *g, struct unit *u, const char *cat, const char *status, const char *solution, char rid[NZ_RID_MAX])
{
	char created[11];

	store_new_id(rid);
	date_back(pick(3000), created);
	put_s(g, "title", tmp(g, "problem %lld of %s", (long long)g->records, u->code));
	put_s(g, "category", cat);
	put_s(g, "status", status);
	if (pick(4) != 0)
		put_i(g, "people_affected", 10 + pick(5000));
	put_s(g, "created", tmp(g, "%s", created));
	put_s(g, "source", pick(2) ? "session" : "views");
	if (solution != NULL)
		put_s(g, "solution", solution);
	return record(g, u, "issue", rid);
}

static int
score(struct gen *g, struct unit *u, const char *session, const char *issue_id)
{
	char rid[NZ_RID_MAX];
	int c = pick(ncrits);

	store_new_id(rid);
	put_s(g, "session", session);
	put_s(g, "issue", issue_id);
	put_s(g, "criterion", crits[c]);
	put_s(g, "stakeholder", "");
	put_d(g, "score", pick(crit_scale[c] * 4 + 1) / 4.0);
	return record(g, u, "issue_score", rid);
}

static int
session(struct gen *g, struct unit *u, char rid[NZ_RID_MAX])
{
	char d[11];

	store_new_id(rid);
	date_back(pick(3000), d);
	put_s(g, "date", tmp(g, "%s", d));
	put_i(g, "participants", 5 + pick(40));
	put_s(g, "place", "سالن اجتماعات");
	return record(g, u, "delib_session", rid);
}

/*
 * One group of problems of one unit and category taken along a path of the
 * lifecycle, with every record that path leaves behind.
 */
static int
group(struct gen *g)
{
	struct unit *u = pick_unit();
	const char *cat = cats[pick_skewed(ncats)];
	char ids[3][NZ_RID_MAX], sol[NZ_RID_MAX], sess[NZ_RID_MAX], rid[NZ_RID_MAX], iv[NZ_RID_MAX];
	int r = pick(100), k = 1 + pick(3), i, ended = 0;
	const char *status, *decision = NULL;

	if (pick(10) == 0) {
		if (session(g, u, sess) != 0)
			return -1;
	} else {
		store_new_id(sess);
	}
	if (r < 45) { /* identified; now and then deleted again */
		if (issue(g, u, cat, "identified", NULL, rid) != 0)
			return -1;
		if (pick(50) == 0) {
			put_i(g, "deleted", 1);
			return send_change(g, u, "issue", rid);
		}
		return 0;
	}
	if (r < 65) /* prioritised */
		return issue(g, u, cat, "prioritised", NULL, rid) || score(g, u, sess, rid);
	if (r < 82) /* closed, scored or not */
		return issue(g, u, cat, "closed", NULL, rid) || (pick(3) == 0 && score(g, u, sess, rid));
	/* A solution for k problems, and as far as it went. */
	store_new_id(sol);
	status = r < 87 ? "proposed" : r < 91 ? "council" : r < 96 ? "intervention" : "evaluated";
	if (strcmp(status, "council") == 0) {
		int d = pick(5);
		decision = d == 0 ? "approved" : d == 1 ? "rejected" : d == 2 ? "returned" : NULL;
	} else if (strcmp(status, "proposed") != 0) {
		decision = "approved";
	}
	for (i = 0; i < k; i++)
		if (issue(g, u, cat, status, sol, ids[i]) != 0 || score(g, u, sess, ids[i]) != 0)
			return -1;
	put_s(g, "title", tmp(g, "solution of %s", ids[0]));
	put_s(g, "issues", tmp(g, "%s%s%s%s%s", ids[0], k > 1 ? " " : "", k > 1 ? ids[1] : "", k > 2 ? " " : "",
			       k > 2 ? ids[2] : ""));
	put_s(g, "status", status);
	if (strcmp(status, "proposed") != 0) {
		put_i(g, "round", 1);
		put_s(g, "council", u->code);
	}
	put_i(g, "budget", 1000000 * (1 + pick(500)));
	if (record(g, u, "solution", sol) != 0)
		return -1;
	if (decision != NULL) {
		snprintf(rid, sizeof(rid), "%.32s-r1", sol);
		put_s(g, "solution", sol);
		put_i(g, "round", 1);
		put_s(g, "council", u->code);
		put_s(g, "date", "2025-06-01");
		put_s(g, "resolution", tmp(g, "%d", 1000 + pick(9000)));
		put_s(g, "decision", decision);
		if (record(g, u, "council_decision", rid) != 0)
			return -1;
	}
	if (strcmp(status, "intervention") == 0 || strcmp(status, "evaluated") == 0) {
		static const char *const ends[REG_NSTAGES] = {"needs_end", "priority_end", "planning_end",
							      "implementation_end", "evaluation_end"};
		store_new_id(iv);
		ended = strcmp(status, "evaluated") == 0 ? 4 + pick(2) : pick(REG_NSTAGES + 1);
		put_s(g, "solution", sol);
		put_s(g, "title", tmp(g, "intervention of %s", sol));
		put_s(g, "created", "2025-07-01");
		for (i = 0; i < ended; i++)
			put_s(g, ends[i], "2025-08-01");
		if (record(g, u, "intervention", iv) != 0)
			return -1;
		if (strcmp(status, "evaluated") == 0) {
			store_new_id(rid);
			put_s(g, "intervention", iv);
			put_s(g, "date", "2025-12-01");
			put_s(g, "strengths", "مشارکت خوب");
			put_s(g, "weaknesses", "کمبود منابع");
			if (record(g, u, "evaluation", rid) != 0)
				return -1;
		}
	}
	if (pick(40) == 0) {
		store_new_id(rid);
		put_s(g, "name", tmp(g, "organisation %lld", (long long)g->records));
		put_s(g, "kind", "ngo");
		if (record(g, u, "organisation", rid) != 0)
			return -1;
		put_s(g, "org", rid);
		store_new_id(rid);
		put_s(g, "body", "فرمانداری");
		put_s(g, "level", "county");
		put_s(g, "outcome", "accepted");
		if (record(g, u, "org_intro", rid) != 0)
			return -1;
	}
	return 0;
}

/* Monthly reports of every county for the months months back from the last one that ended. */
static int
reports(struct gen *g, int months)
{
	char period[JPERIOD_TEXT_MAX], first[11], last[11], due[11], sub[11], rid[NZ_RID_MAX];
	struct jperiod p;
	int m, i;

	rep_default_period(period);
	jperiod_parse(period, &p, NULL);
	for (m = 0; m < months; m++) {
		jperiod_format(&p, period, sizeof(period));
		jperiod_bounds(&p, first, last);
		iso_add_days(last, 10, due);
		for (i = nprov; i < nunits; i++) {
			struct unit *u = &units[i];
			if (pick(10) == 0) /* not sent */
				continue;
			iso_add_days(last, 1 + pick(14), sub);
			store_new_id(rid);
			put_s(g, "template_code", "monthly");
			put_i(g, "template_version", 1);
			put_s(g, "period", period);
			put_s(g, "period_start", first);
			put_s(g, "period_end", last);
			put_s(g, "due", due);
			put_s(g, "grp", "");
			put_i(g, "revision", 1);
			put_s(g, "status", "submitted");
			put_s(g, "submitted", sub);
			put_s(g, "data", "{\"sessions\": 3}");
			put_s(g, "review", pick(3) ? "accepted" : "");
			if (record(g, u, "report", rid) != 0)
				return -1;
		}
		jperiod_prev(&p);
	}
	return 0;
}

/* Every secretariat's call and appointments: its quota active, and revoked ones of past terms. */
static int
appointments(struct gen *g, int revoked_per_county)
{
	char call[NZ_RID_MAX], rid[NZ_RID_MAX];
	int i, j, n;

	for (i = 0; i < nunits; i++) {
		struct unit *u = &units[i];
		bool county = unit_level(u->code) == NZ_LEVEL_COUNTY;
		store_new_id(call);
		put_s(g, "title", "فراخوان همیاران");
		put_s(g, "opens", "2025-01-01");
		put_s(g, "closes", "2025-02-01");
		put_s(g, "status", "completed");
		if (record(g, u, "sel_call", call) != 0)
			return -1;
		n = (county ? 2 : 5) + (county ? revoked_per_county : 0);
		for (j = 0; j < n; j++) {
			bool active = j < (county ? 2 : 5);
			store_new_id(rid);
			put_s(g, "call_id", call);
			put_s(g, "group_name", tmp(g, "group %d of %s", j, u->code));
			put_s(g, "status", active ? "active" : "revoked");
			put_s(g, "appointed", "2025-03-01");
			put_s(g, "decree_no", tmp(g, "%s-%d", u->code, j));
			if (record(g, u, "sel_appointment", rid) != 0)
				return -1;
		}
	}
	return 0;
}

/* ---- one store ---- */

struct result {
	double build_s, plain_s, fill_s, live_s, median_ms, min_ms, max_ms, parts_ms[7];
	int64_t records, changes, bytes, plain_changes, live_changes;
	int64_t per_table[32];
};

static int
standards(struct store *st, const char *prov, const char *cnty)
{
	struct tpl_spec sp = {"monthly", "گزارش ماهانه", "month", "secretariat", "county", 10, "1390-01", NULL,
			      "[{\"name\": \"sessions\", \"type\": \"number\"}]"};
	struct nz_err err = {0};
	char id[NZ_RID_MAX];
	int n, nc, ncr;

	if (orgunit_import_csv(st, prov, "bench", &n, &err) != 0 || orgunit_import_csv(st, cnty, "bench", &n, &err) != 0 ||
	    reg_seed_standards(st, "bench", &nc, &ncr, &err) != 0 || tpl_add(st, &sp, "bench", id, &err) != 0 ||
	    ind_set(st, "population", "جمعیت", "population", 40, "bench", &err) != 0 ||
	    ind_set(st, "open_issues", "مسائل باز", "open_issues", 30, "bench", &err) != 0 ||
	    ind_set(st, "interventions", "مداخلات", "interventions", 20, "bench", &err) != 0 ||
	    ind_set(st, "completeness", "کامل بودن گزارش", "completeness", 10, "bench", &err) != 0) {
		fprintf(stderr, "b_dash: standards: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
ms_since(double t0)
{
	return (now() - t0) * 1000;
}

static int
one_size(int64_t n, int runs, const char *prov, const char *cnty, struct result *res)
{
	struct nz_err err = {0};
	struct gen g;
	struct store *st = NULL;
	char dir[300], path[512], wal[540], period[JPERIOD_TEXT_MAX];
	double t0, times[MAX_RUNS];
	struct stat sb;
	json_t *j;
	int64_t live;
	int i, months, rc = -1;

	memset(res, 0, sizeof(*res));
	snprintf(dir, sizeof(dir), "%s", t_tmpdir());
	snprintf(path, sizeof(path), "%s/dash.db", dir);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, "IR", &err) != 0) {
		fprintf(stderr, "b_dash: %s\n", err.msg);
		goto out;
	}
	if (standards(st, prov, cnty) != 0 || load_codes(st) != 0)
		goto out;
	/* A big page cache while building; the default one when timing. */
	store_exec(st, "PRAGMA cache_size = -4194304", NULL);
	memset(&g, 0, sizeof(g));
	g.st = st;
	g.hlc = hlc_make(hlc_wall_ms() - 86400000, 0);
	rng_state = 0x2545f4914f6cdd1dULL;
	t0 = now();
	/* Reports are about one in a hundred records: as the store grows, so does their history. */
	months = (int)(n / 100 / (nunits - nprov));
	if (months < 1)
		months = 1;
	if (reports(&g, months) != 0 || appointments(&g, (int)(n / 1000000)) != 0)
		goto out;
	/*
	 * Most records arrive before the aggregates exist (as in a database
	 * that had them before this version) and are counted by the one-time
	 * fill; the last tenth, at most 50000, arrives with them kept live.
	 */
	live = n / 10 < 50000 ? n / 10 : 50000;
	while (g.records < n - live)
		if (group(&g) != 0)
			goto out;
	if (g.in_batch > 0 && store_commit(st, &err) != 0) {
		fprintf(stderr, "b_dash: %s\n", err.msg);
		goto out;
	}
	g.in_batch = 0;
	res->plain_s = now() - t0;
	res->plain_changes = g.changes;
	t0 = now();
	if (agg_init(st, &err) != 0) {
		fprintf(stderr, "b_dash: %s\n", err.msg);
		goto out;
	}
	res->fill_s = now() - t0;
	t0 = now();
	while (g.records < n)
		if (group(&g) != 0)
			goto out;
	if (g.in_batch > 0 && store_commit(st, &err) != 0) {
		fprintf(stderr, "b_dash: %s\n", err.msg);
		goto out;
	}
	res->live_s = now() - t0;
	res->live_changes = g.changes - res->plain_changes;
	/* The provinces, as children that synced a moment ago and are caught up. */
	{
		char sql[512];
		snprintf(sql, sizeof(sql),
			 "INSERT INTO peer (id, role, url, pull, ack, head, last_contact, last_sync)"
			 " SELECT id, 'child', '', %lld, 0, 0, %lld, %lld FROM orgunit WHERE deleted = 0 AND level = 1",
			 (long long)store_log_head(st), (long long)hlc_wall_ms(), (long long)hlc_wall_ms());
		if (store_exec(st, sql, &err) != 0) {
			fprintf(stderr, "b_dash: peers: %s\n", err.msg);
			goto out;
		}
	}
	store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA cache_size = -2000", NULL);
	res->build_s = res->plain_s + res->fill_s + res->live_s;
	res->records = g.records;
	res->changes = g.changes;
	memcpy(res->per_table, g.per_table, sizeof(g.per_table));
	snprintf(wal, sizeof(wal), "%s-wal", path);
	res->bytes = stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;

	/* One run to warm up, then the timed ones. */
	json_decref(dash_compute(st, "IR", 10, &err));
	for (i = 0; i < runs; i++) {
		t0 = now();
		if ((j = dash_compute(st, "IR", 10, &err)) == NULL) {
			fprintf(stderr, "b_dash: dashboard: %s\n", err.msg);
			goto out;
		}
		times[i] = ms_since(t0);
		if (i == 0 && json_array_size(json_object_get(json_object_get(j, "register"), "top")) == 0)
			fprintf(stderr, "b_dash: warning: no top problems on the dashboard\n");
		json_decref(j);
	}
	qsort(times, (size_t)runs, sizeof(times[0]), cmp_double);
	res->median_ms = times[runs / 2];
	res->min_ms = times[0];
	res->max_ms = times[runs - 1];
	/* Where the time goes: the parts the dashboard is made of, each once. */
	rep_default_period(period);
	t0 = now();
	json_decref(dash_register(st, "IR", 5, &err));
	res->parts_ms[0] = ms_since(t0);
	t0 = now();
	json_decref(alloc_compute(st, 1000000, "province", "IR", NULL, ALLOC_UNKNOWN_EXCLUDE, &err));
	res->parts_ms[1] = ms_since(t0);
	t0 = now();
	json_decref(cpl_compute(st, "IR", period, 2, &err));
	res->parts_ms[2] = ms_since(t0);
	t0 = now();
	json_decref(sel_course_status(st, "IR", false));
	res->parts_ms[3] = ms_since(t0);
	t0 = now();
	json_decref(health_peers(st, 10));
	res->parts_ms[4] = ms_since(t0);
	t0 = now();
	json_decref(orgunit_list(st, "IR"));
	res->parts_ms[5] = ms_since(t0);
	/* Freshness as the dashboard sums it: the whole tree, then each province's counties. */
	t0 = now();
	{
		struct fresh_sum fs;
		char code[NZ_ID_MAX];
		int p;
		fresh_subtree(st, "IR", &fs, &err);
		for (p = 0; p < 32; p++) {
			snprintf(code, sizeof(code), "IR-%02d", p);
			fresh_subtree(st, code, &fs, &err);
		}
	}
	res->parts_ms[6] = ms_since(t0);
	rc = 0;
out:
	store_close(st);
	unlink(path);
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	rmdir(dir);
	return rc;
}

static void
print_size(const struct result *r)
{
	int i;

	printf("# N=%lld: built in %.1f s (%lld changes, %.0f MiB); dashboard median %.2f ms (min %.2f, max %.2f)\n",
	       (long long)r->records, r->build_s, (long long)r->changes, r->bytes / 1048576.0, r->median_ms,
	       r->min_ms, r->max_ms);
	printf("#   applied %.0f changes/s without the aggregates, %.0f changes/s with them; one-time fill %.1f s\n",
	       r->plain_changes / r->plain_s, r->live_changes / r->live_s, r->fill_s);
	printf("#   records:");
	for (i = 0; counted[i] != NULL; i++)
		printf(" %s %lld", counted[i], (long long)r->per_table[i]);
	printf("\n#   parts (ms): register %.2f, allocation %.2f, completeness %.2f, orientation course %.2f,"
	       " sync %.2f, org units %.2f, freshness %.2f\n",
	       r->parts_ms[0], r->parts_ms[1], r->parts_ms[2], r->parts_ms[3], r->parts_ms[4], r->parts_ms[5],
	       r->parts_ms[6]);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	int64_t small = argc > 1 ? atoll(argv[1]) : 50000, large = argc > 2 ? atoll(argv[2]) : 5000000;
	int runs = argc > 3 ? atoi(argv[3]) : 7;
	char prov[1024], cnty[1024];
	struct result a, b;
	const char *p;

	if (small <= 0 || large <= 0 || runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: b_dash [SMALL [LARGE [RUNS]]]\n");
		return 2;
	}
	setenv("NEHZAT_TODAY", "2026-11-28", 0);
	if ((p = t_shared("data/iran_provinces.csv")) == NULL) {
		printf("# P7: skipped: no %s/data/iran_provinces.csv\n",
		       getenv("NEHZAT_SHARED") ? getenv("NEHZAT_SHARED") : "../shared");
		printf("BENCH name=P7_dashboard_growth value=null unit=ratio goal=<=1.5\n");
		return 0;
	}
	snprintf(prov, sizeof(prov), "%s", p);
	if ((p = t_shared("data/iran_counties.csv")) == NULL) {
		printf("# P7: skipped: no iran_counties.csv beside %s\n", prov);
		printf("BENCH name=P7_dashboard_growth value=null unit=ratio goal=<=1.5\n");
		return 0;
	}
	snprintf(cnty, sizeof(cnty), "%s", p);
	if (one_size(small, runs, prov, cnty, &a) != 0)
		return 1;
	print_size(&a);
	if (one_size(large, runs, prov, cnty, &b) != 0)
		return 1;
	print_size(&b);
	printf("# P7: national dashboard %.2f ms at %lld records, %.2f ms at %lld records (median of %d)\n", b.median_ms,
	       (long long)b.records, a.median_ms, (long long)a.records, runs);
	printf("BENCH name=P7_dashboard_growth value=%.3f unit=ratio goal=<=1.5\n", b.median_ms / a.median_ms);
	return 0;
}
