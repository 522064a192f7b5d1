/*
 * Freshness (domain/fresh.c): the rule that keeps freshness records from
 * flooding the log, with the records a simulated day of 2-second syncs
 * writes; the merge of what observers report; and the sums a consolidated
 * figure carries.  Stores stand for national IR, province IR-07 and its
 * counties; changes travel as the sync layer would carry them (t_copy_after, repl.h),
 * and peer rows are written as the sync server would.
 */
#include <stdlib.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/domain.h"
#include "domain/fresh.h"

#include "repl.h"
#include "test.h"

static const char *tmp;

static struct store *
mkstore(const char *id)
{
	struct store *st = NULL;
	struct nz_err err = {0};
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.db", tmp, id);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, id, &err) != 0) {
		printf("# cannot make store %s: %s\n", id, err.msg);
		exit(2);
	}
	return st;
}

/* ms_of is the unix time in ms of an ISO date at hh:mm UTC. */
static int64_t
ms_of(const char *iso, int hh, int mm)
{
	int y, m, d;

	iso_parse(iso, &y, &m, &d, NULL);
	return ((int64_t)days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60) * 1000;
}

/* sync_at stands for a successful session of child at ms: the peer row, then the server's hook. */
static int
sync_at(struct store *st, const char *child, int64_t ms, int64_t step_ms, bool *wrote)
{
	char sql[256];
	struct nz_err err = {0};

	snprintf(sql, sizeof(sql),
		 "INSERT INTO peer (id, role, last_sync, last_contact, ack) VALUES ('%s', 'child', %lld, %lld, 7)"
		 " ON CONFLICT (id) DO UPDATE SET last_sync = excluded.last_sync, last_contact = excluded.last_contact",
		 child, (long long)ms, (long long)ms);
	if (store_exec(st, sql, &err) != 0 || fresh_observe(st, child, step_ms, wrote, &err) != 0) {
		printf("# sync %s: %s\n", child, err.msg);
		return -1;
	}
	return 0;
}

static int64_t
count(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* record writes st's own freshness record of unit, as an observer would. */
static int
record(struct store *st, const char *unit, int64_t ms)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	char rid[NZ_RID_MAX];
	int rc;

	snprintf(rid, sizeof(rid), "%s/%s", store_node(st), unit);
	colset_text(cs, "unit", unit);
	colset_int(cs, "last_sync", ms);
	rc = store_write(st, "freshness", rid, store_node(st), cs, "t", &err);
	colset_free(cs);
	return rc;
}

static void
orgunit(struct store *ir, const char *id)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	char parent[NZ_ID_MAX];

	unit_parent(id, parent);
	colset_text(cs, "parent", parent);
	colset_int(cs, "level", unit_level(id));
	colset_text(cs, "name_fa", id);
	if (store_write(ir, "orgunit", id, "IR", cs, "t", &err) != 0)
		printf("# orgunit %s: %s\n", id, err.msg);
	colset_free(cs);
}

static void
test_rule(void)
{
	int64_t six = 6 * 3600 * 1000LL;

	CHECK(fresh_matters(0, ms_of("2026-11-20", 10, 0), six));          /* first contact */
	CHECK(!fresh_matters(ms_of("2026-11-20", 10, 0), ms_of("2026-11-20", 15, 59), six));
	CHECK(fresh_matters(ms_of("2026-11-20", 10, 0), ms_of("2026-11-20", 16, 0), six)); /* the step */
	CHECK(!fresh_matters(ms_of("2026-11-20", 10, 0), ms_of("2026-11-20", 19, 0), 0));  /* days only */
	/* Iran's day ends at 20:30 UTC: 20:29 and 20:31 are different days there. */
	CHECK(fresh_matters(ms_of("2026-11-20", 20, 29), ms_of("2026-11-20", 20, 31), six));
	CHECK(!fresh_matters(ms_of("2026-11-20", 20, 31), ms_of("2026-11-21", 2, 0), six));
	CHECK(!fresh_matters(ms_of("2026-11-20", 10, 0), ms_of("2026-11-20", 9, 0), six)); /* never backwards */
}

/*
 * A county syncing every 20 seconds for two days (8,640 sessions; every 2
 * seconds would only be slower to run) writes one record per step of a
 * day: 4 a day with the default step, 1 with step 0 (days only).
 */
static void
test_cost(struct store *prov)
{
	int64_t start = ms_of("2026-11-20", 20, 30) + 1000, ms, before, n;
	int64_t steps[] = {FRESH_STEP_DEFAULT * 1000LL, 0};
	const char *child[] = {"IR-07-08", "IR-07-09"};
	int i;
	long s;

	for (i = 0; i < 2; i++) {
		before = count(prov, "SELECT count(*) FROM oplog");
		for (s = 0; s < 2 * 86400 / 20; s++) {
			ms = start + s * 20000;
			if (sync_at(prov, child[i], ms, steps[i], NULL) != 0)
				break;
		}
		n = count(prov, "SELECT count(*) FROM oplog") - before;
		printf("# freshness records for 8,640 sessions over 2 days, step %lld s: %lld\n",
		       (long long)steps[i] / 1000, (long long)n);
		CHECK_INT(n, i == 0 ? 2 * 4 : 2);
	}
	/* At national: 513 units (31 provinces, 482 counties), so at most 513 * 4 a day. */
	printf("# at national: at most %d changes a day with the default step, %d days only\n", 513 * 4, 513);
}

static void
test_merge(struct store *ir, struct store *prov)
{
	struct nz_err err = {0};
	struct fresh f;
	struct fresh_sum sum;
	int64_t t1 = ms_of("2026-11-20", 8, 0), t2 = ms_of("2026-11-25", 8, 0);
	bool wrote = false;
	json_t *list;
	char text[32];

	/* The province hears from IR-07-01 twice; IR-07-02 is registered but never synced. */
	CHECK_INT(sync_at(prov, "IR-07-01", t1, 0, &wrote), 0);
	CHECK(wrote);
	CHECK_INT(sync_at(prov, "IR-07-01", t1 + 60000, 0, &wrote), 0);
	CHECK(!wrote); /* the same day: nothing to tell */
	CHECK_INT(sync_at(prov, "IR-07-02", 0, 0, &wrote), 0);
	CHECK(!wrote);
	/* At the province, a child's freshness is its peer row, to the minute. */
	CHECK_INT(fresh_of(prov, "IR-07-01", &f, &err), 0);
	CHECK_INT(f.last_sync, t1 + 60000);
	CHECK_INT(f.first_sync, t1);
	CHECK_INT(f.acked, 7);
	CHECK_STR(f.observer, "IR-07");
	CHECK_STR(f.via, "IR-07-01");
	CHECK_INT(fresh_of(prov, "IR-07-02", &f, &err), 0);
	CHECK_INT(f.last_sync, 0);
	fresh_text(&f, text, sizeof(text));
	CHECK_STR(text, "never");
	CHECK_INT(fresh_of(prov, "IR-07", &f, &err), 0);
	CHECK(f.last_sync == FRESH_LOCAL);
	CHECK_INT(fresh_of(prov, "IR-08-01", &f, &err), NZ_EDENIED);

	/* National has nothing of the counties until the province syncs. */
	CHECK_INT(fresh_of(ir, "IR-07-01", &f, &err), 0);
	CHECK_INT(f.last_sync, 0);
	CHECK_STR(f.via, "IR-07");
	t_copy_after(prov, ir, 0, false);
	CHECK_INT(sync_at(ir, "IR-07", t2, 0, NULL), 0);
	/* Then it knows what the province knew, and who told: the record's day is the true day. */
	CHECK_INT(fresh_of(ir, "IR-07-01", &f, &err), 0);
	CHECK_INT(f.last_sync, t1);
	CHECK_STR(f.observer, "IR-07");
	CHECK_STR(f.via, "IR-07");
	CHECK_INT(fresh_of(ir, "IR-07", &f, &err), 0);
	CHECK_INT(f.last_sync, t2);
	CHECK_STR(f.observer, "IR");

	/* Another observer's record of the same unit: the best one wins, with its observer. */
	CHECK_INT(record(ir, "IR-07-01", t1 - 1000), 0);
	CHECK_INT(fresh_of(ir, "IR-07-01", &f, &err), 0);
	CHECK_INT(f.last_sync, t1);
	CHECK_STR(f.observer, "IR-07");
	CHECK_INT(record(ir, "IR-07-01", t1 + 1000), 0);
	CHECK_INT(fresh_of(ir, "IR-07-01", &f, &err), 0);
	CHECK_INT(f.last_sync, t1 + 1000);
	CHECK_STR(f.observer, "IR");

	/* The sums of a consolidated figure: the units of the tree, heard from or not. */
	CHECK_INT(fresh_subtree(ir, "IR-07", &sum, &err), 0);
	CHECK_INT(sum.units, 1);
	CHECK_INT(sum.never, 0);
	orgunit(ir, "IR-07");
	orgunit(ir, "IR-07-01");
	orgunit(ir, "IR-07-02");
	orgunit(ir, "IR-07-03");
	CHECK_INT(fresh_subtree(ir, "IR-07", &sum, &err), 0);
	CHECK_INT(sum.units, 3);
	CHECK_INT(sum.never, 2);
	CHECK_INT(sum.oldest, t1 + 1000);
	CHECK_STR(sum.oldest_unit, "IR-07-01");
	CHECK_INT(fresh_subtree(ir, "IR", &sum, &err), 0);
	CHECK_INT(sum.units, 4); /* the province too */
	CHECK_INT(sum.oldest, t1 + 1000);
	list = fresh_list(ir, "IR-07", &err);
	CHECK(list != NULL && json_array_size(list) >= 3);
	CHECK_STR(json_string_value(json_object_get(json_array_get(list, 0), "unit")), "IR-07");
	json_decref(list);
	CHECK(fresh_list(prov, "IR-08", &err) == NULL);
	CHECK_INT(err.code, NZ_EDENIED);
}

int
main(void)
{
	struct store *ir, *prov, *cty;

	tmp = t_tmpdir();
	ir = mkstore("IR");
	prov = mkstore("IR-07");
	cty = mkstore("IR-07-01");
	test_rule();
	test_merge(ir, prov);
	test_cost(prov);
	store_close(cty);
	store_close(prov);
	store_close(ir);
	TEST_DONE();
}
