/*
 * b_fill DIR N [BATCH]: writes N problem records into the node in DIR
 * through the write path, BATCH per transaction (setup for the replication
 * benchmarks; not timed there).
 * b_fill --plain FILE N BATCH: the baseline: inserts the same rows into a
 * plain table, BATCH per transaction, and prints the rows per second.
 */
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

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

static void
row_text(int i, char *title, size_t n)
{
	snprintf(title, n, "problem %d", i);
}

static int
plain(const char *path, int n, int batch)
{
	sqlite3 *db;
	sqlite3_stmt *ins;
	char rid[NZ_RID_MAX], title[64];
	double t0;
	int i;

	unlink(path);
	sqlite3_open(path, &db);
	sqlite3_exec(db,
		     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		     "CREATE TABLE issue (id TEXT PRIMARY KEY, owner TEXT NOT NULL, deleted INTEGER NOT NULL"
		     " DEFAULT 0, title TEXT, description TEXT, category TEXT, status TEXT, created TEXT);"
		     "CREATE INDEX issue_owner ON issue(owner); CREATE INDEX issue_status ON issue(status);"
		     "CREATE INDEX issue_category ON issue(category);",
		     NULL, NULL, NULL);
	sqlite3_prepare_v2(db,
			   "INSERT INTO issue (id, owner, title, description, category, status, created)"
			   " VALUES (?, ?, ?, ?, ?, ?, ?)",
			   -1, &ins, NULL);
	t0 = now();
	for (i = 0; i < n; i++) {
		if (i % batch == 0)
			sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
		store_new_id(rid);
		row_text(i, title, sizeof(title));
		sqlite3_bind_text(ins, 1, rid, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, "IR-07-03", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, title, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, "a description of the problem", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, "water", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, "identified", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, "2026-11-28", -1, SQLITE_STATIC);
		sqlite3_step(ins);
		sqlite3_reset(ins);
		if (i % batch == batch - 1 || i == n - 1)
			sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	}
	printf("%.0f\n", n / (now() - t0));
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return 0;
}

int
main(int argc, char **argv)
{
	char path[1024], rid[NZ_RID_MAX], title[64], id[NZ_ID_MAX] = "";
	struct nz_err err = {0};
	struct store *st;
	int n, batch, i;

	if (argc >= 5 && strcmp(argv[1], "--plain") == 0)
		return plain(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc < 3) {
		fprintf(stderr, "usage: b_fill DIR N [BATCH] | b_fill --plain FILE N BATCH\n");
		return 2;
	}
	n = atoi(argv[2]);
	batch = argc > 3 ? atoi(argv[3]) : 10000;
	snprintf(path, sizeof(path), "%s/nehzat.db", argv[1]);
	if (store_open(&st, path, domain_tables(), false, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	snprintf(id, sizeof(id), "%s", store_node(st));
	for (i = 0; i < n; i++) {
		struct colset *cs = colset_new();
		if (i % batch == 0)
			store_begin(st, &err);
		store_new_id(rid);
		row_text(i, title, sizeof(title));
		colset_text(cs, "title", title);
		colset_text(cs, "description", "a description of the problem");
		colset_text(cs, "category", "water");
		colset_text(cs, "status", "identified");
		colset_text(cs, "created", "2026-11-28");
		if (store_write(st, "issue", rid, id, cs, "bench", &err) != 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		colset_free(cs);
		if (i % batch == batch - 1 || i == n - 1)
			store_commit(st, &err);
	}
	store_close(st);
	return 0;
}
