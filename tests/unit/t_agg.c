/*
 * The problem counts of a serving node's own writes, held and written
 * behind (agg_defer): after random local writes, edits, tombstones,
 * rolled-back transactions and changes applied from a peer, the counts are
 * what the fill counts from the records over the same database; a read in
 * the process sees what it holds, another connection sees it once written;
 * a transaction that rolls back, or whose COMMIT fails, leaves what is held
 * as it was; a process that dies holding moves leaves a mark, and the next
 * serving start counts again to the exact figures; a rebuild by another
 * connection is not counted twice.
 */
#include <msgpack.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "domain/agg_int.h"
#include "domain/domain.h"
#include "store/store.h"
#include "test.h"

static const char *tmp;
static uint64_t rng = 0x2545f4914f6cdd1dULL;

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static struct store *
open_at(const char *name, const char *id)
{
	char path[512];
	struct nz_err err = {0};
	struct store *st = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", tmp, name);
	if (store_open(&st, path, domain_tables(), id != NULL, &err) != 0 ||
	    (id != NULL && store_init_node(st, id, &err) != 0) || agg_init(st, &err) != 0) {
		printf("# cannot open %s: %s\n", name, err.msg);
		exit(2);
	}
	return st;
}

static int64_t
num(struct store *st, const char *sql)
{
	int64_t v = -1;

	if (store_int(st, sql, &v, NULL) != 0)
		return -1;
	return v;
}

#define COUNTED(st) num(st, "SELECT COALESCE(sum(n), 0) FROM dash_issue_n WHERE scope = 0")
#define LIVE(st) num(st, "SELECT count(*) FROM issue WHERE deleted = 0")

/* write_issue writes problem rid of owner through the write path. */
static int
write_issue(struct store *st, const char *rid, const char *owner, const char *cat, const char *stat, int people,
	    bool deleted)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	int rc;

	colset_text(cs, "title", rid);
	colset_text(cs, "category", cat);
	colset_text(cs, "status", stat);
	colset_int(cs, "people_affected", people);
	if (deleted)
		colset_int(cs, "deleted", 1);
	rc = store_write(st, "issue", rid, owner, cs, "t", &err);
	if (rc != 0 && getenv("VERBOSE"))
		printf("# write %s: %s\n", rid, err.msg);
	colset_free(cs);
	return rc;
}

/* apply_issue applies a new problem of owner as a change from peer origin. */
static int
apply_issue(struct store *st, const char *rid, const char *owner, const char *cat, int people)
{
	static int64_t seq;
	struct nz_change c;
	struct nz_err err = {0};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 4);
	msgpack_pack_str_with_body(&pk, "title", 5);
	msgpack_pack_str_with_body(&pk, rid, strlen(rid));
	msgpack_pack_str_with_body(&pk, "category", 8);
	msgpack_pack_str_with_body(&pk, cat, strlen(cat));
	msgpack_pack_str_with_body(&pk, "status", 6);
	msgpack_pack_str_with_body(&pk, "identified", 10);
	msgpack_pack_str_with_body(&pk, "people_affected", 15);
	msgpack_pack_int(&pk, people);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", owner);
	c.origin_seq = ++seq;
	c.hlc = store_hlc(st) + 1;
	snprintf(c.tbl, sizeof(c.tbl), "issue");
	snprintf(c.rid, sizeof(c.rid), "%s", rid);
	snprintf(c.owner, sizeof(c.owner), "%s", owner);
	snprintf(c.author, sizeof(c.author), "t");
	c.cols = (const uint8_t *)sb.data;
	c.cols_len = sb.size;
	rc = store_apply(st, &c, owner, &err);
	msgpack_sbuffer_destroy(&sb);
	if (rc != APPLY_NEW)
		printf("# apply %s: %d %s\n", rid, rc, err.msg);
	return rc == APPLY_NEW ? 0 : -1;
}

/* counts is dash_issue_n's non-zero rows as text. */
static char *
counts(struct store *st)
{
	sqlite3_stmt *q;
	char *out = calloc(1, 1 << 18);
	size_t len = 0;

	if (out == NULL)
		exit(2);
	sqlite3_prepare_v2(store_db(st),
			   "SELECT scope, unit, category, state, n, people FROM dash_issue_n"
			   " WHERE n != 0 OR people != 0 ORDER BY 1, 2, 3, 4",
			   -1, &q, NULL);
	while (sqlite3_step(q) == SQLITE_ROW && len < (1 << 18) - 256)
		len += (size_t)snprintf(out + len, (1 << 18) - len, "%d|%s|%s|%s|%lld|%lld\n", sqlite3_column_int(q, 0),
					sqlite3_column_text(q, 1), sqlite3_column_text(q, 2), sqlite3_column_text(q, 3),
					(long long)sqlite3_column_int64(q, 4), (long long)sqlite3_column_int64(q, 5));
	sqlite3_finalize(q);
	return out;
}

/*
 * as_recounted tells whether the counts other (a connection that holds
 * nothing) reads are those the fill gives over the same records: counted
 * again in a transaction that is then rolled back.
 */
static bool
as_recounted(struct store *other, const char *when)
{
	struct nz_err err = {0};
	char *kept, *fresh = NULL;
	bool same;

	kept = counts(other);
	if (store_begin(other, &err) != 0 || agg_recount(other, &err) != 0) {
		printf("# %s: recount: %s\n", when, err.msg);
		free(kept);
		return false;
	}
	fresh = counts(other);
	store_rollback(other);
	same = strcmp(kept, fresh) == 0 && fresh[0] != '\0';
	if (!same)
		printf("# %s: kept\n%s# counted from the records\n%s", when, kept, fresh);
	free(kept);
	free(fresh);
	return same;
}

static const char *const owners[] = {"IR", "IR-07", "IR-07-03", "IR-07-05", "IR-08", "IR-08-01"};
static const char *const cats[] = {"water", "jobs", "roads", ""};
static const char *const states[] = {"identified", "prioritised", "closed", "referred"};

/* Random local writes with deferral on, checked against the fill as they go. */
static void
random_history(void)
{
	struct nz_err err = {0};
	struct store *a = open_at("hist", "IR"), *b = open_at("hist", NULL);
	char rid[40];
	int i, j, n = 0, bad = 0, failed = 0, checks = 0, applied = 0;
	int64_t c;

	CHECK(agg_defer(a, true, NULL, &err) == 0);
	CHECK_INT(num(b, "SELECT value FROM meta WHERE key = 'dash_held'"), 1);
	for (i = 1; i <= 600; i++) {
		int what = t_pick(&rng, 20), k = 1 + t_pick(&rng, 4);
		bool txn = what == 0 || what == 1;
		if (txn && store_begin(a, &err) != 0)
			failed++;
		for (j = 0; j < (txn ? k : 1); j++) {
			bool edit = n > 0 && t_pick(&rng, 3) == 0;
			if (edit)
				snprintf(rid, sizeof(rid), "p%d", t_pick(&rng, n));
			else
				snprintf(rid, sizeof(rid), "p%d", n++);
			if (what == 2) {
				snprintf(rid, sizeof(rid), "q%d", i);
				failed += apply_issue(a, rid, "IR-08-01", cats[t_pick(&rng, 4)], t_pick(&rng, 50)) != 0;
				applied++;
				continue;
			}
			/* An edit keeps the owner: the first of a problem's writes chose it by its number. */
			failed += write_issue(a, rid, owners[atoi(rid + 1) % 6], cats[t_pick(&rng, 4)],
					      states[t_pick(&rng, 4)], t_pick(&rng, 100),
					      edit && t_pick(&rng, 5) == 0) != 0;
		}
		if (what == 0)
			store_rollback(a);
		else if (what == 1 && store_commit(a, &err) != 0)
			failed++;
		if (what == 3 && i % 7 == 0)
			sleep_ms(AGG_HELD_MS + 10); /* the next commit writes what is held */
		if (i % 60 == 0) {
			char when[64];
			snprintf(when, sizeof(when), "after %d steps", i);
			if (t_pick(&rng, 2) == 0) {
				CHECK(agg_subtree_count(a, "open_issues", "IR", &c)); /* a read in process writes them */
			} else if (agg_flush(a, &err) != 0) {
				failed++;
			}
			CHECK_INT(agg_held_ms(a), -1);
			bad += !as_recounted(b, when);
			checks++;
		}
	}
	printf("# %d steps, %d problems, %d applied, %d checks\n", i - 1, n, applied, checks);
	CHECK_INT(failed, 0);
	CHECK_INT(bad, 0);
	CHECK(agg_defer(a, false, NULL, &err) == 0);
	CHECK_INT(num(b, "SELECT value FROM meta WHERE key = 'dash_held'"), 0);
	CHECK(as_recounted(b, "deferral stopped"));
	store_close(b);
	store_close(a);
}

static int
refuse_commit(void *arg)
{
	(void)arg;
	return 1;
}

/* What another connection sees, when; rollbacks and a failing COMMIT; applied changes; the age rule. */
static void
when_written(void)
{
	struct nz_err err = {0};
	struct store *a = open_at("when", "IR"), *b = open_at("when", NULL);
	sqlite3_stmt *q;
	int64_t c = -1, sum = 0;

	CHECK(agg_defer(a, true, NULL, &err) == 0);
	CHECK(agg_defer(a, true, NULL, &err) == 0); /* a no-op the second time */
	CHECK_INT(agg_held_ms(a), -1);
	CHECK(write_issue(a, "w1", "IR-07-03", "water", "identified", 7, false) == 0);
	CHECK(agg_held_ms(a) >= 0);
	CHECK_INT(COUNTED(b), 0); /* held: another process does not see it yet */
	CHECK(agg_subtree_count(a, "open_issues", "IR-07-03", &c));
	CHECK_INT(c, 1); /* the process itself does */
	CHECK_INT(agg_held_ms(a), -1);
	CHECK_INT(COUNTED(b), 1);
	/* agg_rows writes them before it reads. */
	CHECK(write_issue(a, "w2", "IR-07-05", "jobs", "identified", 3, false) == 0);
	CHECK_INT(COUNTED(b), 1);
	CHECK((q = agg_rows(a, "IR-07", true, &err)) != NULL);
	while (q != NULL && sqlite3_step(q) == SQLITE_ROW)
		sum += sqlite3_column_int64(q, 3);
	if (q != NULL)
		sqlite3_reset(q);
	CHECK_INT(sum, 2);
	CHECK_INT(COUNTED(b), 2);
	/* So does agg_live_owners, for problems. */
	CHECK(write_issue(a, "w3", "IR-08", "jobs", "identified", 3, false) == 0);
	CHECK_STR(agg_live_owners(a, "issue"), "dash_live_issue");
	CHECK_INT(num(b, "SELECT count(*) FROM dash_live_issue WHERE owner = 'IR-08'"), 1);

	/* A transaction rolled back: its moves are dropped, what was held before stays held. */
	CHECK(write_issue(a, "w4", "IR-07-03", "roads", "identified", 2, false) == 0);
	CHECK(store_begin(a, &err) == 0);
	CHECK(write_issue(a, "w5", "IR-07-03", "roads", "identified", 5, false) == 0);
	CHECK(write_issue(a, "w4", "IR-07-03", "water", "closed", 2, false) == 0);
	store_rollback(a);
	CHECK(agg_held_ms(a) >= 0);
	/* COMMIT itself failing, the held moves due and written in it: they stay held, its own are dropped. */
	sleep_ms(AGG_HELD_MS + 10);
	sqlite3_commit_hook(store_db(a), refuse_commit, NULL);
	CHECK(write_issue(a, "w6", "IR-07-03", "roads", "identified", 9, false) != 0);
	sqlite3_commit_hook(store_db(a), NULL, NULL);
	CHECK_INT(num(b, "SELECT count(*) FROM issue WHERE id = 'w6'"), 0);
	CHECK(agg_held_ms(a) >= AGG_HELD_MS);
	CHECK_INT(COUNTED(b), 3);
	CHECK(agg_flush(a, &err) == 0);
	CHECK_INT(COUNTED(b), 4);
	CHECK_INT(num(b, "SELECT sum(people) FROM dash_issue_n WHERE scope = 0 AND category = 'roads'"), 2);
	CHECK(as_recounted(b, "after a rollback and a failed commit"));

	/* The age rule: a commit AGG_HELD_MS after the oldest held move writes them; its own are held. */
	CHECK(write_issue(a, "w7", "IR-07-03", "water", "identified", 1, false) == 0);
	sleep_ms(AGG_HELD_MS + 10);
	CHECK(write_issue(a, "w8", "IR-07-03", "water", "identified", 1, false) == 0);
	CHECK_INT(COUNTED(b), 5);
	CHECK(agg_held_ms(a) >= 0);
	/* A change applied from a peer writes its counts at its commit, and what is held with them. */
	CHECK(apply_issue(a, "r1", "IR-08-01", "water", 4) == 0);
	CHECK_INT(agg_held_ms(a), -1);
	CHECK_INT(COUNTED(b), 7);
	CHECK_INT(num(b, "SELECT n FROM dash_issue_n WHERE scope = 1 AND unit = 'IR-08' AND category = 'water'"), 1);
	CHECK(as_recounted(b, "after an applied change"));

	/* More counts than held keeps, and than a transaction sums: written, none lost. */
	{
		char rid[32], cat[32];
		int i, failed = 0;
		CHECK(store_begin(a, &err) == 0);
		for (i = 0; i < 200; i++) {
			snprintf(rid, sizeof(rid), "m%d", i);
			snprintf(cat, sizeof(cat), "c%d", i);
			failed += write_issue(a, rid, "IR-07-03", cat, "identified", 1, false) != 0;
		}
		CHECK(store_commit(a, &err) == 0);
		for (i = 0; i < 300; i++) {
			snprintf(rid, sizeof(rid), "n%d", i);
			snprintf(cat, sizeof(cat), "d%d", i);
			failed += write_issue(a, rid, "IR-07-05", cat, "identified", 1, false) != 0;
		}
		CHECK_INT(failed, 0);
		CHECK(COUNTED(b) > 7 + 200);
		CHECK(agg_flush(a, &err) == 0);
		CHECK_INT(COUNTED(b), 507);
		CHECK(as_recounted(b, "after many counts"));
	}

	/* Another connection rebuilds the aggregates: what a holds was counted, and is not counted twice. */
	CHECK(write_issue(a, "w9", "IR-07-03", "jobs", "identified", 1, false) == 0);
	CHECK(agg_held_ms(a) >= 0);
	CHECK(store_meta_set_int(b, "dash_version", 0, &err) == 0);
	CHECK(agg_init(b, &err) == 0);
	CHECK_INT(num(b, "SELECT value FROM meta WHERE key = 'dash_held'"), 0);
	CHECK_INT(COUNTED(b), 508);
	CHECK(write_issue(a, "w10", "IR-07-03", "jobs", "identified", 1, false) == 0);
	CHECK_INT(num(b, "SELECT value FROM meta WHERE key = 'dash_held'"), 1); /* held again: marked again */
	CHECK(agg_flush(a, &err) == 0);
	CHECK_INT(COUNTED(b), 509);
	CHECK(as_recounted(b, "after a rebuild by another connection"));
	/* And by its own (a dashboard read finding an older version rebuilds them): the same. */
	CHECK(write_issue(a, "w11", "IR-07-03", "jobs", "identified", 1, false) == 0);
	CHECK(store_meta_set_int(a, "dash_version", 0, &err) == 0);
	CHECK(agg_init(a, &err) == 0);
	CHECK_INT(agg_held_ms(a), -1);
	CHECK_INT(COUNTED(b), 510);
	CHECK_INT(num(b, "SELECT value FROM meta WHERE key = 'dash_held'"), 0);
	CHECK(write_issue(a, "w12", "IR-07-03", "jobs", "identified", 1, false) == 0);
	CHECK_INT(num(b, "SELECT value FROM meta WHERE key = 'dash_held'"), 1);
	CHECK(agg_flush(a, &err) == 0);
	CHECK_INT(COUNTED(b), 511);
	CHECK(as_recounted(b, "after a rebuild by its own connection"));
	CHECK(agg_defer(a, false, NULL, &err) == 0);
	store_close(b);
	store_close(a);
}

/* A process that dies holding moves: the next serving start counts again, exactly. */
static void
died_holding(void)
{
	struct nz_err err = {0};
	struct store *st = open_at("died", "IR");
	bool recounted = true;
	pid_t pid;
	int status = -1, live;

	CHECK(write_issue(st, "d0", "IR-07-03", "water", "identified", 5, false) == 0);
	store_close(st);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct store *c = open_at("died", NULL);
		char rid[32];
		int i, rc = 0;
		if (agg_defer(c, true, NULL, &err) != 0)
			_exit(3);
		for (i = 0; i < 40 && rc == 0; i++) {
			snprintf(rid, sizeof(rid), "d%d", i + 1);
			rc = write_issue(c, rid, i % 2 ? "IR-07-05" : "IR-08-01", cats[i % 4], states[i % 3], i, false);
		}
		rc |= write_issue(c, "d0", "IR-07-03", "jobs", "prioritised", 6, false); /* a move, not a new one */
		/* Its last commit held what it moved: dying now loses it from the counts. */
		_exit(rc != 0 ? 4 : agg_held_ms(c) >= 0 ? 0 : 5);
	}
	CHECK(pid > 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st = open_at("died", NULL);
	live = (int)LIVE(st);
	CHECK_INT(live, 41);
	CHECK_INT(num(st, "SELECT value FROM meta WHERE key = 'dash_held'"), 1);
	CHECK(!as_recounted(st, "(expected to differ) left by the process that died"));
	CHECK(agg_defer(st, true, &recounted, &err) == 0);
	CHECK(recounted);
	CHECK_INT(COUNTED(st), live);
	CHECK(as_recounted(st, "counted again at the next start"));
	CHECK_INT(num(st, "SELECT value FROM meta WHERE key = 'dash_held'"), 1);
	CHECK(agg_defer(st, false, NULL, &err) == 0);
	CHECK_INT(num(st, "SELECT value FROM meta WHERE key = 'dash_held'"), 0);
	store_close(st);
	/* Stopped cleanly: the next start has nothing to count again. */
	st = open_at("died", NULL);
	CHECK(agg_defer(st, true, &recounted, &err) == 0);
	CHECK(!recounted);
	CHECK(agg_defer(st, false, NULL, &err) == 0);
	store_close(st);
}

int
main(void)
{
	tmp = t_tmpdir();
	setenv("NEHZAT_TODAY", "2026-11-28", 0);
	random_history();
	when_written();
	died_holding();
	TEST_DONE();
}
