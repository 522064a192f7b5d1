/*
 * P2, local write overhead: a problem record written through the write path
 * (row, column clocks, change log, clock) against a plain INSERT of the same
 * row into a table of the same shape, each write its own transaction, both
 * in WAL mode with the same synchronous setting, in the same run.  The two
 * are interleaved in 25 rounds, each way first by turns, so that machine
 * noise (the machine is shared) hits both alike.
 *
 * The second figure is a serving node's: the dashboard's aggregates kept,
 * and the problem counts of its own writes held and written behind
 * (agg_defer), as `nehzat serve` does.  This process has no loop to write
 * them when it idles: its commits write them when the oldest is
 * AGG_HELD_MS old, and each round ends with what is left written, inside
 * the time measured.  The WAL frames a write adds are counted apart, in an
 * untimed pass with automatic checkpoints off.
 */
#include <sqlite3.h>
#include <time.h>

#include "domain/aggregate.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "store/store.h"
#include "plain.h"
#include "test.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * copy_schema gives the plain database the issue table exactly as the store
 * has it (same columns, same indexes): "the same row" in the same table.
 */
static void
copy_schema(struct store *st, sqlite3 *plain)
{
	sqlite3_stmt *q;

	sqlite3_prepare_v2(store_db(st), "SELECT sql FROM sqlite_master WHERE tbl_name = 'issue' AND sql IS NOT NULL",
			   -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW)
		sqlite3_exec(plain, (const char *)sqlite3_column_text(q, 0), NULL, NULL, NULL);
	sqlite3_finalize(q);
}

static void
plain_writes(sqlite3 *plain, sqlite3_stmt *ins, int n, int r)
{
	char rid[NZ_RID_MAX], title[64];
	int i;

	for (i = 0; i < n; i++) {
		store_new_id(rid);
		snprintf(title, sizeof(title), "problem %d of round %d", i, r);
		sqlite3_exec(plain, "BEGIN", NULL, NULL, NULL);
		plain_insert(ins, rid, title);
		sqlite3_exec(plain, "COMMIT", NULL, NULL, NULL);
	}
}

/* path_writes writes n problems through the write path, then what their counts left held. */
static void
path_writes(struct store *st, int n, int r)
{
	struct nz_err err = {0};
	char rid[NZ_RID_MAX], title[64];
	int i;

	for (i = 0; i < n; i++) {
		struct colset *cs = colset_new();
		store_new_id(rid);
		snprintf(title, sizeof(title), "problem %d of round %d", i, r);
		colset_text(cs, "title", title);
		colset_text(cs, "description", "a description of the problem");
		colset_text(cs, "category", "water");
		colset_text(cs, "status", "identified");
		colset_text(cs, "created", "2026-11-28");
		if (store_write(st, "issue", rid, "IR-07-03", cs, "bench", &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			exit(1);
		}
		colset_free(cs);
	}
	if (agg_flush(st, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
}

static void
measure(struct store *st, sqlite3 *plain, sqlite3_stmt *ins, int n, int rounds, double *tp_plain,
	double *tp_path)
{
	double t_plain = 0, t_path = 0, t0;
	int r;

	for (r = 0; r < rounds; r++) {
		if (r % 2 == 1) {
			t0 = now();
			path_writes(st, n, r);
			t_path += now() - t0;
		}
		t0 = now();
		plain_writes(plain, ins, n, r);
		t_plain += now() - t0;
		if (r % 2 == 0) {
			t0 = now();
			path_writes(st, n, r);
			t_path += now() - t0;
		}
	}
	*tp_plain = t_plain;
	*tp_path = t_path;
}

/* wal_frames is the number of frames in db's WAL (which the call then checkpoints). */
static int
wal_frames(sqlite3 *db)
{
	int nlog = -1;

	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &nlog, NULL);
	return nlog;
}

/* frames prints the WAL frames a write adds, each way, over n writes with automatic checkpoints off. */
static void
frames(struct store *st, sqlite3 *plain, sqlite3_stmt *ins, int n, const char *what)
{
	sqlite3 *db = store_db(st);

	sqlite3_exec(plain, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA wal_autocheckpoint=0", NULL, NULL, NULL);
	sqlite3_wal_checkpoint_v2(plain, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	plain_writes(plain, ins, n, 99);
	path_writes(st, n, 99);
	printf("# WAL frames per write%s: plain %.2f, write path %.2f\n", what, (double)wal_frames(plain) / n,
	       (double)wal_frames(db) / n);
	sqlite3_exec(plain, "PRAGMA wal_autocheckpoint=1000", NULL, NULL, NULL);
	sqlite3_exec(db, "PRAGMA wal_autocheckpoint=1000", NULL, NULL, NULL);
}

int
main(int argc, char **argv)
{
	const char *dir = t_tmpdir();
	/* b_write N: 5 * N writes each way, in 25 rounds of N / 5. */
	int n = (argc > 1 ? atoi(argv[1]) : 5000) / 5, rounds = 25;
	char path[512];
	struct nz_err err = {0};
	struct store *st;
	sqlite3 *plain;
	sqlite3_stmt *ins;
	double t_plain = 0, t_path = 0;

	snprintf(path, sizeof(path), "%s/path.db", dir);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, "IR-07-03", &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/plain.db", dir);
	sqlite3_open(path, &plain);
	sqlite3_exec(plain, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, NULL);
	copy_schema(st, plain);
	sqlite3_prepare_v2(plain, PLAIN_INSERT, -1, &ins, NULL);
	frames(st, plain, ins, 2000, "");
	measure(st, plain, ins, n, rounds, &t_plain, &t_path);
	printf("# %d writes each way: plain %.1f us/write, write path %.1f us/write\n", n * rounds,
	       t_plain / (n * rounds) * 1e6, t_path / (n * rounds) * 1e6);
	printf("BENCH name=P2_local_write_overhead value=%.3f unit=ratio goal=<=1.5\n", t_path / t_plain);
	/* A serving node also keeps the dashboard's aggregates, its own writes' problem counts written behind. */
	if (agg_init(st, &err) != 0 || agg_defer(st, true, NULL, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	frames(st, plain, ins, 2000, " with the dashboard aggregates");
	t_plain = t_path = 0;
	measure(st, plain, ins, n, rounds, &t_plain, &t_path);
	printf("# with the dashboard aggregates: plain %.1f us/write, write path %.1f us/write\n",
	       t_plain / (n * rounds) * 1e6, t_path / (n * rounds) * 1e6);
	printf("BENCH name=P2_local_write_overhead_with_dashboard value=%.3f unit=ratio goal=<=1.5\n",
	       t_path / t_plain);
	/* Written behind, still exact: the counts equal the problems written. */
	{
		int64_t counted = -1, written = -1;
		if (agg_defer(st, false, NULL, &err) != 0 ||
		    store_int(st, "SELECT sum(n) FROM dash_issue_n WHERE scope = 0", &counted, &err) != 0 ||
		    store_int(st, "SELECT count(*) FROM issue WHERE deleted = 0", &written, &err) != 0 ||
		    counted != written) {
			fprintf(stderr, "b_write: the dashboard counts %lld problems of %lld written %s\n",
				(long long)counted, (long long)written, err.msg);
			return 1;
		}
	}
	sqlite3_finalize(ins);
	sqlite3_close(plain);
	store_close(st);
	return 0;
}
