/*
 * b_own [N]: what leaving a node's own entries out of the change log's index
 * chlog_key costs and saves (README, P2; src/store/oplog.c).
 *
 * - WAL frames (pages) each local write commits, one problem a transaction
 *   as b_write writes them, without and with the dashboard's aggregates
 *   (frames counted by a WAL hook; no checkpoint runs meanwhile).
 * - At a province whose one write of its own is N entries (1,000,000) back
 *   in its log: the first answer to "our highest sequence" after an open
 *   (store_origin_max, what every sync handshake and the first local write
 *   ask), with the hint in meta that a process leaves, and without it (the
 *   whole log read once); and the one-off rebuild of the index when a store
 *   made before is opened.  Warm page cache; the open's own time beside it.
 */
#include <sqlite3.h>
#include <time.h>

#include "domain/aggregate.h"
#include "domain/domain.h"
#include "store/store.h"
#include "test.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct store *
open_or_die(const char *path, const char *node)
{
	struct nz_err err = {0};
	struct store *st;

	if (store_open(&st, path, domain_tables(), true, &err) != 0 ||
	    (node != NULL && store_init_node(st, node, &err) != 0)) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		exit(1);
	}
	return st;
}

static void
write_problem(struct store *st, int i)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	char rid[NZ_RID_MAX], title[64];

	store_new_id(rid);
	snprintf(title, sizeof(title), "problem %d", i);
	colset_text(cs, "title", title);
	colset_text(cs, "description", "a description of the problem");
	colset_text(cs, "category", "water");
	colset_text(cs, "status", "identified");
	colset_text(cs, "created", "2026-11-28");
	if (store_write(st, "issue", rid, store_node(st), cs, "bench", &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	colset_free(cs);
}

static long frames, last_frames;

static int
on_wal(void *arg, sqlite3 *db, const char *name, int n)
{
	(void)arg;
	(void)db;
	(void)name;
	frames += n - last_frames;
	last_frames = n;
	return SQLITE_OK;
}

/* frames_per_write writes n problems at st and returns the WAL frames each commit took. */
static double
frames_per_write(struct store *st, int n)
{
	int i;

	frames = 0;
	sqlite3_wal_checkpoint_v2(store_db(st), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	last_frames = 0;
	sqlite3_wal_hook(store_db(st), on_wal, NULL);
	for (i = 0; i < n; i++)
		write_problem(st, i);
	sqlite3_wal_hook(store_db(st), NULL, NULL);
	return (double)frames / n;
}

/* first_answer opens the store at path and times the open and its first store_origin_max of itself. */
static void
first_answer(const char *path, const char *what)
{
	double t0 = now(), t1, t2;
	struct store *st = open_or_die(path, NULL);
	int64_t max;

	t1 = now();
	/* As a sync handshake asks it, in a transaction. */
	store_begin(st, NULL);
	max = store_origin_max(st, store_node(st));
	store_commit(st, NULL);
	t2 = now();
	printf("# %s: open %.1f ms, first store_origin_max %.1f ms (%lld)\n", what, (t1 - t0) * 1e3,
	       (t2 - t1) * 1e3, (long long)max);
	store_close(st);
}

/* sql_on runs sql on the database at path by a connection of its own, as another process would. */
static void
sql_on(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
		exit(1);
	}
	sqlite3_close(db);
}

int
main(int argc, char **argv)
{
	const char *dir = t_tmpdir();
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	struct nz_err err = {0};
	struct store *st;
	char path[512], sql[512];
	double t0;

	snprintf(path, sizeof(path), "%s/frames.db", dir);
	st = open_or_die(path, "IR-07-03");
	write_problem(st, 0);
	printf("# WAL frames a local write commits: %.2f", frames_per_write(st, 2000));
	if (agg_init(st, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf(", with the dashboard's aggregates %.2f\n", frames_per_write(st, 2000));
	store_close(st);

	/* A province: one write of its own, then n entries from its counties. */
	snprintf(path, sizeof(path), "%s/province.db", dir);
	st = open_or_die(path, "IR-07");
	write_problem(st, 0);
	store_close(st);
	sql_on(path, "INSERT OR IGNORE INTO sym(s) VALUES ('IR-07-03'), ('issue'), ('bench')");
	snprintf(sql, sizeof(sql),
		 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld)"
		 " INSERT INTO chlog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via, rowcols)"
		 " SELECT o.id, i, i, t.id, printf('r%%016d', i), o.id, 0, a.id, x'80', o.id, 0 FROM n,"
		 " (SELECT id FROM sym WHERE s = 'IR-07-03') o, (SELECT id FROM sym WHERE s = 'issue') t,"
		 " (SELECT id FROM sym WHERE s = 'bench') a",
		 n);
	t0 = now();
	sql_on(path, sql);
	printf("# %ld entries from a county after the province's own one, by SQL in %.1f s\n", n, now() - t0);
	/* As a process that received them through the store would have left it: the hint at the head. */
	sql_on(path, "UPDATE meta SET value = (SELECT max(seq) FROM chlog) || ' 1' WHERE key = 'own_hint'");
	first_answer(path, "hint at the log's head");
	first_answer(path, "again");
	sql_on(path, "DELETE FROM meta WHERE key = 'own_hint'");
	first_answer(path, "no hint: the log read through once");
	first_answer(path, "the hint that open left");
	sql_on(path, "DROP INDEX chlog_key; CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq)");
	t0 = now();
	st = open_or_die(path, NULL);
	printf("# a store made before opened: chlog_key rebuilt without our entries, open %.1f ms\n",
	       (now() - t0) * 1e3);
	store_close(st);
	return 0;
}
