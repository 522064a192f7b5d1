/* The store: schema, the one write path, the change log, HLC, apply, digest. */
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <msgpack.h>

#include "base/unit.h"
#include "domain/domain.h"
#include "store/hlc.h"
#include "store/store.h"
#include "test.h"

static struct store *
open_node(const char *dir, const char *name, const char *id)
{
	char path[512];
	struct nz_err err = {0};
	struct store *st = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 ||
	    (id != NULL && store_init_node(st, id, &err) != 0)) {
		printf("# open %s: %s\n", path, err.msg);
		exit(2);
	}
	return st;
}

static int64_t
scalar(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static void
test_hlc(void)
{
	uint64_t a = hlc_make(1000, 0), b;

	CHECK_INT(hlc_ms(a), 1000);
	b = hlc_tick(a, 2000);
	CHECK_INT(hlc_ms(b), 2000);
	CHECK_INT(b & HLC_LOGICAL_MASK, 0);
	/* The wall clock steps back: the clock does not. */
	b = hlc_tick(b, 500);
	CHECK(b > hlc_make(2000, 0));
	CHECK_INT(hlc_ms(b), 2000);
	CHECK_INT(b & HLC_LOGICAL_MASK, 1);
	/* A remote clock ahead of ours is overtaken. */
	b = hlc_recv(hlc_make(100, 5), hlc_make(3000, 7), 200);
	CHECK(b == hlc_make(3000, 8));
	b = hlc_recv(hlc_make(100, 5), hlc_make(50, 9), 4000);
	CHECK(b == hlc_make(4000, 0));
	/* Exhausting the counter borrows the next millisecond, never repeats. */
	b = hlc_tick(hlc_make(10, 0xffff), 10);
	CHECK(b > hlc_make(10, 0xffff));
}

static void
test_write_path(const char *dir)
{
	struct store *st = open_node(dir, "w", "IR-07-03");
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	uint64_t h1, h2;
	char id[NZ_RID_MAX], dbid_before[16], dbid_after[16];
	int rc;

	colset_text(cs, "title", "water");
	colset_int(cs, "people_affected", 120);
	rc = store_write(st, "issue", "r1", "IR-07-03", cs, "tester", &err);
	CHECK_INT(rc, 0);
	CHECK_INT(store_log_head(st), 1);
	CHECK_INT(scalar(st, "SELECT count(*) FROM issue WHERE id = 'r1' AND title = 'water'"), 1);
	CHECK_INT(scalar(st, "SELECT origin_seq FROM oplog WHERE seq = 1"), 1);
	CHECK_INT(scalar(st, "SELECT count(*) FROM oplog WHERE origin = 'IR-07-03' AND author = 'tester'"), 1);
	h1 = store_hlc(st);
	CHECK(h1 != 0);
	CHECK(store_log_token(st, 1) == h1);
	rc = store_write(st, "issue", "r1", "IR-07-03", cs, "tester", &err);
	CHECK_INT(rc, 0);
	h2 = store_hlc(st);
	CHECK(h2 > h1);
	CHECK_INT(scalar(st, "SELECT max(origin_seq) FROM oplog"), 2);

	/* Refusals change nothing. */
	rc = store_write(st, "issue", "r2", "IR-07-04", cs, "tester", &err);
	CHECK_INT(rc, NZ_EDENIED);
	CHECK(strstr(err.msg, "IR-07-04") != NULL);
	rc = store_write(st, "issue", "r2", "IR", cs, "tester", &err);
	CHECK_INT(rc, NZ_EDENIED);
	rc = store_write(st, "nosuch", "r2", "IR-07-03", cs, "tester", &err);
	CHECK_INT(rc, NZ_EINVAL);
	CHECK(strstr(err.msg, "nosuch") != NULL);
	rc = store_write(st, "issue", "bad id", "IR-07-03", cs, "tester", &err);
	CHECK_INT(rc, NZ_EINVAL);
	colset_free(cs);
	cs = colset_new();
	colset_text(cs, "no_such_column", "x");
	rc = store_write(st, "issue", "r3", "IR-07-03", cs, "tester", &err);
	CHECK_INT(rc, NZ_EINVAL);
	CHECK(strstr(err.msg, "no_such_column") != NULL);
	CHECK_INT(store_log_head(st), 2);
	CHECK_INT(scalar(st, "SELECT count(*) FROM issue"), 1);

	/* A failing write inside a transaction takes the others with it. */
	colset_free(cs);
	cs = colset_new();
	colset_text(cs, "title", "in txn");
	CHECK_INT(store_begin(st, &err), 0);
	CHECK_INT(store_write(st, "issue", "r4", "IR-07-03", cs, "tester", &err), 0);
	store_rollback(st);
	CHECK_INT(scalar(st, "SELECT count(*) FROM issue WHERE id = 'r4'"), 0);
	CHECK_INT(store_log_head(st), 2);

	/* Tombstones. */
	CHECK_INT(store_delete(st, "issue", "r1", "IR-07-03", "tester", &err), 0);
	CHECK_INT(scalar(st, "SELECT deleted FROM issue WHERE id = 'r1'"), 1);

	/* The clock and the sequence survive a restart, and the identity too. */
	store_dbid(st, (uint8_t *)dbid_before);
	h1 = store_hlc(st);
	store_close(st);
	st = open_node(dir, "w", NULL);
	CHECK_STR(store_node(st), "IR-07-03");
	store_dbid(st, (uint8_t *)dbid_after);
	CHECK(memcmp(dbid_before, dbid_after, 16) == 0);
	CHECK(store_hlc(st) == h1);
	/* Even with the wall clock a day behind. */
	hlc_set_skew_ms(-86400000LL);
	store_new_id(id);
	CHECK_INT(strlen(id), 17);
	{
		/* Ids sort by when they were made: a later one after an earlier one. */
		char later[NZ_RID_MAX];
		hlc_set_skew_ms(0);
		store_new_id(later);
		CHECK(strcmp(id, later) < 0);
		CHECK(strspn(later, "0123456789abcdefghjkmnpqrstvwxyz") == 17);
		/* And so do ids made in a burst, mostly within one second: a bulk
		 * of records lands at the right edge of the id index (P1_flat). */
		{
			char prev[NZ_RID_MAX];
			int k, ordered = 0;
			for (k = 0; k < 2000; k++) {
				memcpy(prev, later, sizeof(prev));
				store_new_id(later);
				ordered += strcmp(prev, later) < 0;
			}
			CHECK_INT(ordered, 2000);
		}
		hlc_set_skew_ms(-86400000LL);
	}
	colset_free(cs);
	cs = colset_new();
	colset_text(cs, "title", "after restart");
	CHECK_INT(store_write(st, "issue", id, "IR-07-03", cs, "tester", &err), 0);
	CHECK(store_hlc(st) > h1);
	CHECK_INT(scalar(st, "SELECT max(origin_seq) FROM oplog"), 4);
	hlc_set_skew_ms(0);
	CHECK_INT(scalar(st, "PRAGMA foreign_keys"), 1);
	colset_free(cs);
	store_close(st);

	/* A database belongs to one node. */
	st = open_node(dir, "w", NULL);
	CHECK_INT(store_init_node(st, "IR-07", &err), NZ_EEXIST);
	store_close(st);
}

/* ---- apply: order independence ---- */

#define NCH 60

struct gen {
	struct nz_change c;
	msgpack_sbuffer buf;
};

static uint32_t rng_state;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void
make_changes(struct gen *g, int n)
{
	static const char *const origins[] = {"IR-07-03", "IR-07", "IR"};
	static const char *const cols[] = {"title", "category", "status", "people_affected"};
	int i, j, ncols;
	char v[32];

	for (i = 0; i < n; i++) {
		msgpack_packer pk;
		memset(&g[i].c, 0, sizeof(g[i].c));
		snprintf(g[i].c.origin, sizeof(g[i].c.origin), "%s", origins[i % 3]);
		g[i].c.origin_seq = i / 3 + 1;
		/* Few distinct clocks, so that ties between origins happen and are
		 * broken by origin; one origin never repeats a clock value. */
		g[i].c.hlc = hlc_make(1000 + rnd() % 8, (uint16_t)(i / 3));
		snprintf(g[i].c.tbl, sizeof(g[i].c.tbl), "issue");
		snprintf(g[i].c.rid, sizeof(g[i].c.rid), "rec%u", rnd() % 5);
		snprintf(g[i].c.owner, sizeof(g[i].c.owner), "IR-07-03");
		snprintf(g[i].c.author, sizeof(g[i].c.author), "u%d", i);
		msgpack_sbuffer_init(&g[i].buf);
		msgpack_packer_init(&pk, &g[i].buf, msgpack_sbuffer_write);
		ncols = 1 + (int)(rnd() % 3);
		if (rnd() % 10 == 0) {
			msgpack_pack_map(&pk, 1);
			msgpack_pack_str(&pk, 7);
			msgpack_pack_str_body(&pk, "deleted", 7);
			msgpack_pack_int(&pk, (int)(rnd() % 2));
		} else {
			msgpack_pack_map(&pk, (size_t)ncols);
			for (j = 0; j < ncols; j++) {
				const char *c = cols[(i + j) % 4];
				msgpack_pack_str(&pk, strlen(c));
				msgpack_pack_str_body(&pk, c, strlen(c));
				if (strcmp(c, "people_affected") == 0) {
					msgpack_pack_int64(&pk, (int64_t)(rnd() % 1000));
				} else {
					snprintf(v, sizeof(v), "v%u", rnd() % 100);
					msgpack_pack_str(&pk, strlen(v));
					msgpack_pack_str_body(&pk, v, strlen(v));
				}
			}
		}
		g[i].c.cols = (const uint8_t *)g[i].buf.data;
		g[i].c.cols_len = g[i].buf.size;
	}
}

static void
test_order_independence(const char *dir)
{
	struct gen g[NCH];
	char first[65] = "", d[65], name[32];
	int order[NCH * 2], round, i, n, dups, same = 0, rounds = 40;
	struct nz_err err = {0};

	rng_state = 12345;
	make_changes(g, NCH);
	for (round = 0; round < rounds; round++) {
		struct store *st;
		snprintf(name, sizeof(name), "o%d", round);
		st = open_node(dir, name, "IR-07-03");
		rng_state = 777u + (uint32_t)round * 7919u;
		for (i = 0; i < NCH; i++)
			order[i] = i;
		/* Duplicates: some changes arrive twice. */
		dups = (int)(rnd() % 20);
		for (i = 0; i < dups; i++)
			order[NCH + i] = (int)(rnd() % NCH);
		n = NCH + dups;
		for (i = n - 1; i > 0; i--) {
			int j = (int)(rnd() % (uint32_t)(i + 1)), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		store_begin(st, &err);
		for (i = 0; i < n; i++)
			if (store_apply(st, &g[order[i]].c, "IR-07", &err) < 0)
				printf("# apply: %s\n", err.msg);
		store_commit(st, &err);
		store_digest(st, NULL, d, &err);
		if (round == 0)
			memcpy(first, d, sizeof(first));
		same += strcmp(first, d) == 0;
		if (round == 0)
			CHECK_INT(scalar(st, "SELECT count(*) FROM oplog"), NCH);
		store_close(st);
	}
	CHECK_INT(same, rounds);

	/* A second apply of the same change is a no-op. */
	{
		struct store *st = open_node(dir, "dup", "IR-07");
		CHECK_INT(store_apply(st, &g[0].c, "IR-07-03", &err), APPLY_NEW);
		CHECK_INT(store_apply(st, &g[0].c, "IR-07-03", &err), APPLY_DUPLICATE);
		CHECK_INT(scalar(st, "SELECT count(*) FROM oplog"), 1);
		/* A remote clock far ahead moves ours past it. */
		CHECK(store_hlc(st) > g[0].c.hlc);
		store_close(st);
	}
	for (i = 0; i < NCH; i++)
		msgpack_sbuffer_destroy(&g[i].buf);
}

static int64_t one_seq;

static void
one_change(struct nz_change *c, msgpack_sbuffer *b, const char *origin, uint64_t hlc, const char *col,
	   const char *val)
{
	msgpack_packer pk;

	memset(c, 0, sizeof(*c));
	msgpack_sbuffer_clear(b);
	msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	msgpack_pack_str(&pk, strlen(col));
	msgpack_pack_str_body(&pk, col, strlen(col));
	msgpack_pack_str(&pk, strlen(val));
	msgpack_pack_str_body(&pk, val, strlen(val));
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->origin_seq = ++one_seq;
	c->hlc = hlc;
	snprintf(c->tbl, sizeof(c->tbl), "issue");
	snprintf(c->rid, sizeof(c->rid), "x");
	snprintf(c->owner, sizeof(c->owner), "IR-07-03");
	snprintf(c->author, sizeof(c->author), "t");
	c->cols = (const uint8_t *)b->data;
	c->cols_len = b->size;
}

static void
test_lww(const char *dir)
{
	struct store *st = open_node(dir, "lww", "IR-07");
	struct nz_err err = {0};
	struct nz_change c;
	msgpack_sbuffer b;
	sqlite3_stmt *q;
	char title[64] = "", status[64] = "";

	msgpack_sbuffer_init(&b);
	/* Different columns of one record, edited at two levels: both survive. */
	one_change(&c, &b, "IR-07-03", hlc_make(5000, 0), "title", "county title");
	CHECK_INT(store_apply(st, &c, "IR-07-03", &err), APPLY_NEW);
	one_change(&c, &b, "IR-07", hlc_make(4000, 0), "status", "prioritised");
	CHECK_INT(store_apply(st, &c, "", &err), APPLY_NEW);
	/* Same column, older clock: loses. */
	one_change(&c, &b, "IR", hlc_make(4500, 0), "title", "older title");
	CHECK_INT(store_apply(st, &c, "IR", &err), APPLY_NEW);
	/* Same clock: the greater origin wins ("IR-07-03" > "IR-07"). */
	one_change(&c, &b, "IR-07", hlc_make(5000, 0), "title", "tie loses");
	CHECK_INT(store_apply(st, &c, "", &err), APPLY_NEW);
	if (sqlite3_prepare_v2(store_db(st), "SELECT title, status FROM issue WHERE id = 'x'", -1, &q, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW) {
		snprintf(title, sizeof(title), "%s", sqlite3_column_text(q, 0));
		snprintf(status, sizeof(status), "%s", sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	CHECK_STR(title, "county title");
	CHECK_STR(status, "prioritised");
	/* A change claiming another owner for an existing record is refused, nothing written. */
	one_change(&c, &b, "IR-07", hlc_make(9000, 0), "title", "hijack");
	snprintf(c.owner, sizeof(c.owner), "IR-07-04");
	CHECK_INT(store_apply(st, &c, "", &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "owned by IR-07-03") != NULL);
	CHECK_INT(scalar(st, "SELECT count(*) FROM oplog"), 4);
	/* Unknown table and column are refused with the name. */
	one_change(&c, &b, "IR-07", hlc_make(9001, 0), "bogus", "v");
	CHECK_INT(store_apply(st, &c, "", &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "bogus") != NULL);
	/* Inside a batch, a refusal does not spoil the rest. */
	CHECK_INT(store_begin(st, &err), 0);
	CHECK_INT(store_apply(st, &c, "", &err), NZ_EINVAL);
	one_change(&c, &b, "IR-07", hlc_make(9002, 0), "category", "water");
	CHECK_INT(store_apply(st, &c, "", &err), APPLY_NEW);
	CHECK_INT(store_commit(st, &err), 0);
	CHECK_INT(scalar(st, "SELECT count(*) FROM issue WHERE category = 'water'"), 1);
	msgpack_sbuffer_destroy(&b);
	store_close(st);
}

static void
test_digest(const char *dir)
{
	struct store *a = open_node(dir, "da", "IR-07"), *b = open_node(dir, "db", "IR-07");
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	char da[65], db[65], dc[65];
	sqlite3_stmt *q;

	colset_text(cs, "title", "t");
	store_write(a, "issue", "r1", "IR-07-03", cs, "x", &err);
	store_write(a, "issue", "r2", "IR-07-04", cs, "x", &err);
	/* b receives a's log in reverse order. */
	if (sqlite3_prepare_v2(store_db(a),
			       "SELECT origin, origin_seq, hlc, tbl, rid, owner, author,"
			       " log_cols(tbl, rid, cols, rowcols, seq) FROM oplog ORDER BY seq DESC",
			       -1, &q, NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW) {
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
			if (store_apply(b, &c, "IR-07", &err) < 0) printf("# %s\n", err.msg);
		}
		sqlite3_finalize(q);
	}
	store_digest(a, NULL, da, &err);
	store_digest(b, NULL, db, &err);
	CHECK_STR(da, db);
	store_digest(a, "IR-07-03", da, &err);
	store_digest(a, "IR-07-04", dc, &err);
	CHECK(strcmp(da, dc) != 0);
	/* A subtree is its owner's rows and those below it: the province's are both counties'. */
	store_digest(b, "IR-07-03", db, &err);
	CHECK_STR(da, db);
	store_digest(a, "IR-07", da, &err);
	store_digest(b, NULL, db, &err);
	CHECK_STR(da, db);
	store_digest(a, "IR-07-0", dc, &err);
	CHECK_STR(dc, "0000000000000000000000000000000000000000000000000000000000000000");
	/* IR-07-0 is not an ancestor of IR-07-03: prefix at a '-' boundary only. */
	CHECK(unit_within("IR-07-03", "IR-07"));
	CHECK(!unit_within("IR-07-03", "IR-07-0"));
	CHECK(!unit_within("IR-070", "IR-07"));
	colset_free(cs);
	store_close(a);
	store_close(b);
}

/* put_title packs a change setting title of issue r to v at clock hlc from origin. */
static void
put_title(struct nz_change *c, msgpack_sbuffer *b, const char *origin, uint64_t hlc, const char *v)
{
	msgpack_packer pk;

	memset(c, 0, sizeof(*c));
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->origin_seq = (int64_t)hlc;
	c->hlc = hlc;
	snprintf(c->tbl, sizeof(c->tbl), "issue");
	snprintf(c->rid, sizeof(c->rid), "r");
	snprintf(c->owner, sizeof(c->owner), "IR-07-03");
	snprintf(c->author, sizeof(c->author), "t");
	msgpack_sbuffer_clear(b);
	msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	msgpack_pack_str(&pk, 5);
	msgpack_pack_str_body(&pk, "title", 5);
	msgpack_pack_str(&pk, strlen(v));
	msgpack_pack_str_body(&pk, v, strlen(v));
	msgpack_pack_str(&pk, 6);
	msgpack_pack_str_body(&pk, "status", 6);
	msgpack_pack_str(&pk, 10);
	msgpack_pack_str_body(&pk, "identified", 10);
	c->cols = (const uint8_t *)b->data;
	c->cols_len = b->size;
}

/*
 * Column clocks: one group per clock, columns by number; clocks a store of
 * schema 2 wrote (a map of names) are still read, and written anew.
 */
static void
test_clocks(const char *dir)
{
	struct store *st = open_node(dir, "clk", "IR-07");
	struct nz_err err = {0};
	struct nz_change c;
	msgpack_sbuffer b, old;
	msgpack_packer pk;
	sqlite3_stmt *q;

	msgpack_sbuffer_init(&b);
	msgpack_sbuffer_init(&old);
	put_title(&c, &b, "IR-07-03", hlc_make(5000, 0), "first");
	CHECK_INT(store_apply(st, &c, "IR-07-03", &err), APPLY_NEW);
	/* [[1, 1, 4]]: title and status under one clock, log entry 1's (its hlc and origin took 14 bytes more). */
	CHECK_INT(scalar(st, "SELECT hex(clk) = '9193010104' FROM issue WHERE id = 'r'"), 1);
	/* What schema 2 wrote: {"title": [hlc, origin], "status": [hlc, origin]}. */
	msgpack_packer_init(&pk, &old, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	msgpack_pack_str(&pk, 5);
	msgpack_pack_str_body(&pk, "title", 5);
	msgpack_pack_array(&pk, 2);
	msgpack_pack_uint64(&pk, hlc_make(6000, 0));
	msgpack_pack_str(&pk, 2);
	msgpack_pack_str_body(&pk, "IR", 2);
	msgpack_pack_str(&pk, 6);
	msgpack_pack_str_body(&pk, "status", 6);
	msgpack_pack_array(&pk, 2);
	msgpack_pack_uint64(&pk, hlc_make(5000, 0));
	msgpack_pack_str(&pk, 8);
	msgpack_pack_str_body(&pk, "IR-07-03", 8);
	sqlite3_prepare_v2(store_db(st), "UPDATE issue SET clk = ? WHERE id = 'r'", -1, &q, NULL);
	sqlite3_bind_blob(q, 1, old.data, (int)old.size, SQLITE_STATIC);
	CHECK_INT(sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	/* Older than the stored title's clock: loses it. */
	put_title(&c, &b, "IR-07-03", hlc_make(5500, 0), "older");
	CHECK_INT(store_apply(st, &c, "IR-07-03", &err), APPLY_NEW);
	CHECK_INT(scalar(st, "SELECT count(*) FROM issue WHERE id = 'r' AND title = 'first'"), 1);
	/* Written anew: two clocks, two groups, no names. */
	CHECK_INT(scalar(st, "SELECT hex(substr(clk, 1, 1)) = '92' FROM issue WHERE id = 'r'"), 1);
	CHECK_INT(scalar(st, "SELECT instr(clk, 'title') FROM issue WHERE id = 'r'"), 0);
	/* Newer than both: wins both, one group again. */
	put_title(&c, &b, "IR-07-03", hlc_make(7000, 0), "newer");
	CHECK_INT(store_apply(st, &c, "IR-07-03", &err), APPLY_NEW);
	CHECK_INT(scalar(st, "SELECT count(*) FROM issue WHERE id = 'r' AND title = 'newer'"), 1);
	CHECK_INT(scalar(st, "SELECT hex(clk) = '9193030104' FROM issue WHERE id = 'r'"), 1);
	/* A clock that is neither is refused, nothing written. */
	CHECK_INT(store_exec(st, "UPDATE issue SET clk = x'a3616263' WHERE id = 'r'", &err), 0);
	put_title(&c, &b, "IR-07-03", hlc_make(8000, 0), "corrupt");
	CHECK_INT(store_apply(st, &c, "IR-07-03", &err), NZ_EDB);
	CHECK_INT(scalar(st, "SELECT count(*) FROM issue WHERE id = 'r' AND title = 'newer'"), 1);
	msgpack_sbuffer_destroy(&b);
	msgpack_sbuffer_destroy(&old);
	store_close(st);
}

static int
text_is(struct store *st, const char *sql, const char *want)
{
	sqlite3_stmt *q;
	int same = 0;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(store_db(st)));
		return 0;
	}
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
		same = strcmp((const char *)sqlite3_column_text(q, 0), want) == 0;
	if (!same)
		printf("# %s: got '%s', want '%s'\n", sql,
		       sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "(none)", want);
	sqlite3_finalize(q);
	return same;
}

/* The change log's storage (schema 5): numbers for strings and columns, the oplog view, the indexes. */
static void
test_log_storage(const char *dir)
{
	struct store *st = open_node(dir, "ls", "IR-07-03"), *st2 = open_node(dir, "ls2", "IR-07");
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	msgpack_sbuffer named;
	msgpack_packer pk;
	struct nz_change c;
	sqlite3_stmt *q;
	char hex[256];
	size_t i;
	int rc;

	colset_text(cs, "title", "water");
	colset_int(cs, "people_affected", 300);
	colset_text(cs, "status", "identified");
	CHECK_INT(store_write(st, "issue", "a1", "IR-07-03", cs, "tester", &err), 0);
	/* The map as it was written, named: what the view gives back through cols_named. */
	msgpack_sbuffer_init(&named);
	msgpack_packer_init(&pk, &named, msgpack_sbuffer_write);
	/* (in the order of the table's columns: title 1, status 4, people_affected 6) */
	msgpack_pack_map(&pk, 3);
	msgpack_pack_str_with_body(&pk, "title", 5);
	msgpack_pack_str_with_body(&pk, "water", 5);
	msgpack_pack_str_with_body(&pk, "status", 6);
	msgpack_pack_str_with_body(&pk, "identified", 10);
	msgpack_pack_str_with_body(&pk, "people_affected", 15);
	msgpack_pack_int(&pk, 300);
	for (i = 0; i < named.size && 2 * i + 2 < sizeof(hex); i++)
		snprintf(hex + 2 * i, 3, "%02X", (unsigned char)named.data[i]);
	CHECK(text_is(st, "SELECT hex(cols_named(tbl,"
			  " log_cols(tbl, rid, cols, rowcols, seq))) FROM oplog WHERE rid = 'a1'",
		      hex));
	/* Numbered, from the row: the entry keeps no value itself (schema 6), only which columns are the row's. */
	CHECK(text_is(st, "SELECT hex(log_cols(tbl, rid, cols, rowcols, seq)) FROM oplog",
		      "8301A57761746572" "04AA6964656E746966696564" "06CD012C"));
	CHECK(text_is(st, "SELECT hex(cols) || ' ' || rowcols FROM chlog", " 82")); /* bits 1, 4 and 6 */
	CHECK_INT(scalar(st, "SELECT count(*) FROM chlog WHERE typeof(origin) = 'integer' AND typeof(owner) = 'integer'"
			     " AND typeof(tbl) = 'integer' AND typeof(author) = 'integer' AND typeof(via) = 'integer'"),
		  1);
	CHECK(text_is(st, "SELECT origin || ' ' || tbl || ' ' || owner || ' ' || author || ' [' || via || ']' FROM oplog",
		      "IR-07-03 issue IR-07-03 tester []"));

	/* A change read back by SQL, numbered, applies elsewhere as the named one would. */
	CHECK_INT(sqlite3_prepare_v2(store_db(st),
				     "SELECT origin, origin_seq, hlc, tbl, rid, owner, author,"
				     " log_cols(tbl, rid, cols, rowcols, seq) FROM oplog", -1, &q,
				     NULL),
		  SQLITE_OK);
	CHECK_INT(sqlite3_step(q), SQLITE_ROW);
	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", (const char *)sqlite3_column_text(q, 0));
	c.origin_seq = sqlite3_column_int64(q, 1);
	c.hlc = (uint64_t)sqlite3_column_int64(q, 2);
	snprintf(c.tbl, sizeof(c.tbl), "%s", (const char *)sqlite3_column_text(q, 3));
	snprintf(c.rid, sizeof(c.rid), "%s", (const char *)sqlite3_column_text(q, 4));
	snprintf(c.owner, sizeof(c.owner), "%s", (const char *)sqlite3_column_text(q, 5));
	snprintf(c.author, sizeof(c.author), "%s", (const char *)sqlite3_column_text(q, 6));
	c.cols = sqlite3_column_blob(q, 7);
	c.cols_len = (size_t)sqlite3_column_bytes(q, 7);
	CHECK_INT(store_apply(st2, &c, "IR-07-03", &err), APPLY_NEW);
	sqlite3_finalize(q);
	CHECK_INT(scalar(st2, "SELECT people_affected FROM issue WHERE id = 'a1' AND title = 'water'"), 300);
	CHECK(text_is(st2, "SELECT hex(cols_named(tbl, log_cols(tbl, rid, cols, rowcols, seq))) FROM oplog", hex));
	CHECK(text_is(st2, "SELECT via FROM oplog", "IR-07-03"));
	/* A column number the table does not have is refused, and nothing is written. */
	{
		static const uint8_t bad[] = {0x81, 0x3f, 0x01};
		c.origin_seq = 2;
		c.cols = bad;
		c.cols_len = sizeof(bad);
		rc = store_apply(st2, &c, "IR-07-03", &err);
		CHECK_INT(rc, NZ_EINVAL);
		CHECK(strstr(err.msg, "no column number 63") != NULL);
		CHECK_INT(scalar(st2, "SELECT count(*) FROM chlog"), 1);
	}

	/*
	 * A string added in a transaction rolled back takes its number with
	 * it: the next string gets that number, and the first is numbered
	 * anew, not mistaken for it.
	 */
	CHECK_INT(store_begin(st, &err), 0);
	CHECK_INT(store_write(st, "issue", "a2", "IR-07-03", cs, "ghost", &err), 0);
	store_rollback(st);
	CHECK_INT(scalar(st, "SELECT count(*) FROM sym WHERE s = 'ghost'"), 0);
	CHECK_INT(store_write(st, "issue", "a3", "IR-07-03", cs, "other", &err), 0);
	CHECK_INT(store_write(st, "issue", "a4", "IR-07-03", cs, "ghost", &err), 0);
	CHECK(text_is(st, "SELECT author FROM oplog WHERE rid = 'a3'", "other"));
	CHECK(text_is(st, "SELECT author FROM oplog WHERE rid = 'a4'", "ghost"));

	/* The view writes through, for repairs by hand (and the tests that forge entries). */
	CHECK_INT(sqlite3_exec(store_db(st),
			       "INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols)"
			       " SELECT 'IR-07-05', 1, hlc + 1, tbl, 'f1', 'IR-07-05', 0, 'forger',"
			       " log_cols(tbl, rid, cols, rowcols, seq) FROM oplog"
			       " WHERE rid = 'a1';"
			       "UPDATE oplog SET owner = 'IR-07-06', via = 'IR-07' WHERE rid = 'f1';",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	CHECK(text_is(st, "SELECT origin || ' ' || owner || ' ' || author || ' ' || via FROM oplog WHERE rid = 'f1'",
		      "IR-07-05 IR-07-06 forger IR-07"));
	CHECK_INT(sqlite3_exec(store_db(st), "DELETE FROM oplog WHERE rid = 'f1'", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(scalar(st, "SELECT count(*) FROM chlog WHERE rid = 'f1'"), 0);
	CHECK_INT(store_origin_max(st, "IR-07-05"), 0);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 3);

	/* Indexes as declared: an undeclared one is dropped, one declared otherwise made again. */
	CHECK(text_is(st, "SELECT sql FROM sqlite_schema WHERE name = 'issue_solution'",
		      "CREATE INDEX issue_solution ON issue(solution) WHERE solution IS NOT NULL"));
	CHECK_INT(sqlite3_exec(store_db(st),
			       "CREATE INDEX issue_status ON issue(status); DROP INDEX issue_solution;"
			       "CREATE INDEX issue_solution ON issue(solution);",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	store_close(st);
	st = open_node(dir, "ls", NULL);
	CHECK_INT(scalar(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'issue_status'"), 0);
	CHECK(text_is(st, "SELECT sql FROM sqlite_schema WHERE name = 'issue_solution'",
		      "CREATE INDEX issue_solution ON issue(solution) WHERE solution IS NOT NULL"));
	CHECK_INT(scalar(st, "SELECT count(*) FROM sqlite_schema WHERE name = 'issue_owner'"), 1);

	msgpack_sbuffer_destroy(&named);
	colset_free(cs);
	store_close(st);
	store_close(st2);
}

/*
 * Schema 6: a log entry refers to the row for the values the row holds under
 * its clock, and keeps the others; a change that overwrites a column first
 * copies the old value into the entry that set it, so every entry still
 * reads as it was written (history, the batches sent).
 */
static void
test_log_refers(const char *dir)
{
	struct store *st = open_node(dir, "lr", "IR-07-03");
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	struct nz_change c;
	msgpack_sbuffer b;
	json_t *h;
	char *msg = NULL;

	msgpack_sbuffer_init(&b);
	colset_text(cs, "title", "water");
	colset_text(cs, "status", "identified");
	colset_int(cs, "people_affected", 300);
	CHECK_INT(store_write(st, "issue", "r", "IR-07-03", cs, "t", &err), 0);
	colset_free(cs);
	cs = colset_new();
	colset_text(cs, "title", "wells");
	CHECK_INT(store_write(st, "issue", "r", "IR-07-03", cs, "t", &err), 0);
	/* Entry 1 now keeps the title it set; status and people_affected are still the row's. */
	CHECK(text_is(st, "SELECT hex(cols) || ' ' || rowcols FROM chlog WHERE seq = 1", "8101A57761746572 80"));
	CHECK(text_is(st, "SELECT hex(cols) || ' ' || rowcols FROM chlog WHERE seq = 2", " 2"));
	CHECK(text_is(st, "SELECT hex(log_cols(tbl, rid, cols, rowcols, seq)) FROM oplog WHERE seq = 1",
		      "8301A5776174657204AA6964656E74696669656406CD012C"));
	CHECK(text_is(st, "SELECT hex(log_cols(tbl, rid, cols, rowcols, seq)) FROM oplog WHERE seq = 2",
		      "8101A577656C6C73"));
	h = store_history(st, "issue", "r", 10, &err);
	CHECK(h != NULL && json_array_size(h) == 2);
	CHECK(h != NULL && strcmp(json_string_value(json_object_get(json_object_get(json_array_get(h, 1), "cols"),
								     "title")),
				  "water") == 0);
	json_decref(h);
	/* Both columns of entry 1 overwritten: it keeps every value, in the table's order. */
	colset_free(cs);
	cs = colset_new();
	colset_text(cs, "status", "closed");
	colset_int(cs, "people_affected", 12);
	CHECK_INT(store_write(st, "issue", "r", "IR-07-03", cs, "t", &err), 0);
	CHECK(text_is(st, "SELECT hex(cols) || ' ' || rowcols FROM chlog WHERE seq = 1",
		      "8301A5776174657204AA6964656E74696669656406CD012C 0"));
	/* A value the row would not give back as sent (a number in a text column, a bool) stays in the entry. */
	colset_free(cs);
	cs = colset_new();
	colset_int(cs, "title", 7);
	colset_real(cs, "people_affected", 2.5);
	CHECK_INT(store_write(st, "issue", "r", "IR-07-03", cs, "t", &err), 0);
	CHECK(text_is(st, "SELECT hex(cols) || ' ' || rowcols FROM chlog WHERE seq = 4", "82010706CB4004000000000000 0"));
	CHECK(text_is(st, "SELECT title || ' ' || people_affected FROM issue WHERE id = 'r'", "7 2.5"));
	/* A change that loses every column (older than the row's) keeps all its values. */
	put_title(&c, &b, "IR-07-02", 1000, "stale");
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_NEW);
	CHECK(text_is(st, "SELECT rowcols FROM chlog WHERE seq = 5", "0"));
	CHECK(text_is(st, "SELECT title FROM issue WHERE id = 'r'", "7"));
	/* A row changed by hand under an entry that refers to it: reading the entry fails, loudly. */
	CHECK(text_is(st, "SELECT hex(log_cols(tbl, rid, cols, rowcols, seq)) FROM oplog WHERE seq = 3",
		      "8204A6636C6F736564060C"));
	CHECK_INT(store_exec(st, "UPDATE issue SET clk = x'919301' || x'0104' WHERE id = 'r'", &err), 0);
	CHECK_INT(sqlite3_exec(store_db(st), "SELECT log_cols(tbl, rid, cols, rowcols, seq) FROM oplog WHERE seq = 3",
			       NULL, NULL, &msg),
		  SQLITE_ERROR);
	CHECK(msg != NULL && strstr(msg, "entry 3: issue/r no longer holds its column 4") != NULL);
	sqlite3_free(msg);
	CHECK(store_history(st, "issue", "r", 10, &err) == NULL && strstr(err.msg, "no longer holds") != NULL);
	msgpack_sbuffer_destroy(&b);
	colset_free(cs);
	store_close(st);
}

/* put_local writes problem rid at st's own unit; returns store_write's result. */
static int
put_local(struct store *st, const char *rid)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	int rc;

	colset_text(cs, "title", rid);
	rc = store_write(st, "issue", rid, store_node(st), cs, "tester", &err);
	if (rc != 0)
		printf("# put_local %s: %s\n", rid, err.msg);
	colset_free(cs);
	return rc;
}

/* last_own is the origin_seq of st's last log entry when it is st's own, else -1. */
static int64_t
last_own(struct store *st)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT origin_seq FROM oplog WHERE seq = (SELECT max(seq) FROM chlog) AND origin = ?", -1,
			       &q, NULL) != SQLITE_OK)
		return -2;
	sqlite3_bind_text(q, 1, store_node(st), -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* fullscan_steps is SQLite's count of full-scan steps of the statement of st whose text holds sql (-1: none). */
static int
fullscan_steps(struct store *st, const char *sql)
{
	sqlite3_stmt *q = NULL;

	while ((q = sqlite3_next_stmt(store_db(st), q)) != NULL)
		if (strstr(sqlite3_sql(q), sql) != NULL)
			return sqlite3_stmt_status(q, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
	return -1;
}

/* set_hint opens the store at dir/name, sets meta's own_hint by SQL and closes it: no use of the log between. */
static void
set_hint(const char *dir, const char *name, const char *hint)
{
	struct store *st = open_node(dir, name, NULL);
	char sql[160];
	struct nz_err err = {0};

	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(key, value) VALUES ('own_hint', '%s')", hint);
	CHECK_INT(store_exec(st, sql, &err), 0);
	store_close(st);
}

/*
 * The change log's index chlog_key leaves out this node's own entries (a
 * local write writes no page of it: README, P2), and what it answered for
 * them still holds: the next sequence after a rollback, beside another
 * connection, after a restore's floor and after changes of ours sent back;
 * a foreign duplicate is still refused, through the index.
 */
static void
test_own_log(const char *dir)
{
	struct store *st = open_node(dir, "own", "IR-07-03"), *st2;
	struct nz_err err = {0};
	struct nz_change c;
	msgpack_sbuffer b;
	char key[160], rid[16];
	int64_t self, h;
	int i;

	msgpack_sbuffer_init(&b);
	self = scalar(st, "SELECT id FROM sym WHERE s = 'IR-07-03'");
	CHECK(self > 0);
	snprintf(key, sizeof(key), "CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq) WHERE origin <> %lld",
		 (long long)self);
	CHECK(text_is(st, "SELECT sql FROM sqlite_schema WHERE name = 'chlog_key'", key));
	for (i = 1; i <= 3; i++) {
		snprintf(rid, sizeof(rid), "own%d", i);
		CHECK_INT(put_local(st, rid), 0);
		CHECK_INT(last_own(st), i);
	}
	one_change(&c, &b, "IR-07", hlc_make(1000, 0), "title", "from the province");
	c.origin_seq = 1;
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_NEW);
	one_change(&c, &b, "IR-07", hlc_make(1001, 0), "title", "and again");
	c.origin_seq = 2;
	snprintf(c.rid, sizeof(c.rid), "y");
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_NEW);
	/* The index's pages hold the province's two entries, not our three. */
	CHECK_INT(scalar(st, "SELECT count(*) FROM chlog"), 5);
	CHECK_INT(scalar(st, "SELECT sum(ncell) FROM dbstat WHERE name = 'chlog_key'"), 2);
	snprintf(key, sizeof(key), "SELECT count(*) FROM chlog INDEXED BY chlog_key WHERE origin <> %lld",
		 (long long)self);
	CHECK_INT(scalar(st, key), 2);

	/* A foreign duplicate: the same is a no-op, another under its number refused, found through the index. */
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_DUPLICATE);
	c.hlc++;
	CHECK_INT(store_apply(st, &c, "IR-07", &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "another change under sequence 2") != NULL);
	CHECK_INT(fullscan_steps(st, "origin_seq = ?2 AND origin <>"), 0);
	CHECK_INT(store_origin_max(st, "IR-07"), 2);
	CHECK_INT(sqlite3_exec(store_db(st),
			       "INSERT INTO chlog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)"
			       " SELECT origin, origin_seq, hlc + 1, tbl, 'z', owner, dir, author, cols, via FROM chlog"
			       " WHERE seq = 5",
			       NULL, NULL, NULL),
		  SQLITE_CONSTRAINT);

	/*
	 * Changes of ours sent back (after a restore, PROTOCOL.md §12): one
	 * we hold is a duplicate, another under its number refused; one
	 * above what we hold is taken and counted, and one below, lost and
	 * sent back after we wrote again, too.
	 */
	one_change(&c, &b, "IR-07-03", (uint64_t)scalar(st, "SELECT hlc FROM chlog WHERE seq = 2"), "title", "own2");
	c.origin_seq = 2;
	snprintf(c.rid, sizeof(c.rid), "own2");
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_DUPLICATE);
	c.hlc++;
	CHECK_INT(store_apply(st, &c, "IR-07", &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "another change under sequence 2") != NULL);
	c.origin_seq = 10;
	snprintf(c.rid, sizeof(c.rid), "back10");
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_NEW);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 10);
	CHECK_INT(put_local(st, "own11"), 0);
	CHECK_INT(last_own(st), 11);
	c.origin_seq = 7;
	snprintf(c.rid, sizeof(c.rid), "back7");
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_NEW);
	CHECK_INT(store_apply(st, &c, "IR-07", &err), APPLY_DUPLICATE);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 11);
	CHECK_INT(put_local(st, "own12"), 0);
	CHECK_INT(last_own(st), 12);
	CHECK_INT(scalar(st, "SELECT sum(ncell) FROM dbstat WHERE name = 'chlog_key'"), 2);

	/* A rolled-back write takes nothing: its number was never given. */
	CHECK_INT(store_begin(st, &err), 0);
	CHECK_INT(put_local(st, "ghost"), 0);
	store_rollback(st);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 12);
	CHECK_INT(put_local(st, "own13"), 0);
	CHECK_INT(last_own(st), 13);

	/* Another connection writing the same store (the CLI while serve runs): each sees the other's numbers. */
	st2 = open_node(dir, "own", NULL);
	CHECK_INT(put_local(st2, "other14"), 0);
	CHECK_INT(last_own(st2), 14);
	CHECK_INT(put_local(st, "own15"), 0);
	CHECK_INT(last_own(st), 15);
	CHECK_INT(put_local(st2, "other16"), 0);
	CHECK_INT(last_own(st2), 16);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 16);
	h = scalar(st, "SELECT hlc FROM chlog WHERE seq = (SELECT max(seq) FROM chlog)");
	CHECK(store_hlc(st) >= (uint64_t)h);
	/* A restore's floor, taken by one, holds for the other. */
	CHECK_INT(store_seq_floor(st, 40, &err), 0);
	CHECK_INT(put_local(st2, "other41"), 0);
	CHECK_INT(last_own(st2), 41);
	CHECK_INT(put_local(st, "own42"), 0);
	CHECK_INT(last_own(st), 42);
	CHECK_INT(scalar(st, "SELECT count(*) - count(DISTINCT origin_seq) FROM oplog WHERE origin = 'IR-07-03'"), 0);
	store_close(st2);
	store_close(st);

	/* The process that wrote left where our entries end, and the next open starts there. */
	st = open_node(dir, "own", NULL);
	CHECK(text_is(st,
		      "SELECT value = (SELECT max(seq) FROM chlog) || ' ' || (SELECT seq FROM oplog"
		      " WHERE origin = 'IR-07-03' AND origin_seq = 42) FROM meta WHERE key = 'own_hint'",
		      "1"));
	CHECK_INT(store_origin_max(st, "IR-07-03"), 42);
	CHECK_INT(put_local(st, "own43"), 0);
	CHECK_INT(last_own(st), 43);
	store_close(st);
	msgpack_sbuffer_destroy(&b);
}

/*
 * Where our entries end is found again whatever the hint in meta says: a
 * process killed after writing (the hint behind), a hint past the log's end
 * or naming another node's entry; a store made before (the whole index)
 * gets chlog_key rebuilt at open, and a store without identity keeps it whole.
 */
static void
test_own_open(const char *dir)
{
	struct store *st = open_node(dir, "own", NULL);
	struct nz_err err = {0};
	char key[160];
	int64_t self = scalar(st, "SELECT id FROM sym WHERE s = 'IR-07-03'"), foreign;
	pid_t pid;
	int status = -1;

	store_close(st);
	pid = fork();
	if (pid == 0) {
		/* Writes and dies without closing: no hint of these. */
		st = open_node(dir, "own", NULL);
		if (put_local(st, "killed44") != 0 || put_local(st, "killed45") != 0)
			_exit(1);
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st = open_node(dir, "own", NULL);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 45);
	CHECK_INT(put_local(st, "own46"), 0);
	CHECK_INT(last_own(st), 46);
	foreign = scalar(st, "SELECT min(seq) FROM oplog WHERE origin = 'IR-07'");
	store_close(st);

	set_hint(dir, "own", "999999 1");
	st = open_node(dir, "own", NULL);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 46);
	store_close(st);
	{
		char hint[64];
		snprintf(hint, sizeof(hint), "%lld %lld", (long long)foreign + 1, (long long)foreign);
		set_hint(dir, "own", hint);
	}
	st = open_node(dir, "own", NULL);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 46);
	CHECK_INT(put_local(st, "own47"), 0);
	CHECK_INT(last_own(st), 47);
	set_hint(dir, "own", "3 1");
	store_close(st);
	st = open_node(dir, "own", NULL);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 47);
	/*
	 * 5,000 entries from the province behind the hint (by another
	 * connection): the first look in a transaction reads them and leaves
	 * the hint at the head, so the next open need not read them again.
	 */
	CHECK_INT(sqlite3_exec(store_db(st),
			       "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n WHERE i < 5099)"
			       " INSERT INTO chlog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)"
			       " SELECT origin, i, hlc + i, tbl, 'bulk' || i, owner, dir, author, cols, via FROM n, chlog"
			       " WHERE seq = (SELECT min(seq) FROM oplog WHERE origin = 'IR-07')",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	store_close(st);
	st = open_node(dir, "own", NULL);
	CHECK_INT(store_begin(st, &err), 0);
	CHECK_INT(store_origin_max(st, "IR-07-03"), 47);
	CHECK_INT(store_commit(st, &err), 0);
	CHECK(text_is(st,
		      "SELECT value = (SELECT max(seq) FROM chlog) || ' ' || (SELECT seq FROM oplog"
		      " WHERE origin = 'IR-07-03' AND origin_seq = 47) FROM meta WHERE key = 'own_hint'",
		      "1"));

	/* Made before: the whole index, rebuilt at open without our entries. */
	CHECK_INT(sqlite3_exec(store_db(st),
			       "DROP INDEX chlog_key; CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq)", NULL,
			       NULL, NULL),
		  SQLITE_OK);
	CHECK(scalar(st, "SELECT sum(ncell) FROM dbstat WHERE name = 'chlog_key'") >
	      scalar(st, "SELECT count(*) FROM oplog WHERE origin <> 'IR-07-03'"));
	store_close(st);
	st = open_node(dir, "own", NULL);
	snprintf(key, sizeof(key), "CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq) WHERE origin <> %lld",
		 (long long)self);
	CHECK(text_is(st, "SELECT sql FROM sqlite_schema WHERE name = 'chlog_key'", key));
	CHECK_INT(scalar(st, "SELECT sum(ncell) FROM dbstat WHERE name = 'chlog_key'"),
		  scalar(st, "SELECT count(*) FROM oplog WHERE origin <> 'IR-07-03'"));
	CHECK(text_is(st, "PRAGMA integrity_check", "ok"));
	CHECK_INT(put_local(st, "own48"), 0);
	CHECK_INT(last_own(st), 48);
	store_close(st);

	/* No identity yet: the whole index; the node's identity makes it leave the node out. */
	st = open_node(dir, "noid", NULL);
	CHECK(text_is(st, "SELECT sql FROM sqlite_schema WHERE name = 'chlog_key'",
		      "CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq)"));
	CHECK_INT(store_init_node(st, "IR-07-04", &err), 0);
	snprintf(key, sizeof(key), "CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq) WHERE origin <> %lld",
		 (long long)scalar(st, "SELECT id FROM sym WHERE s = 'IR-07-04'"));
	CHECK(text_is(st, "SELECT sql FROM sqlite_schema WHERE name = 'chlog_key'", key));
	CHECK_INT(put_local(st, "n1"), 0);
	CHECK_INT(last_own(st), 1);
	snprintf(key, sizeof(key), "SELECT count(*) FROM chlog INDEXED BY chlog_key WHERE origin <> %lld",
		 (long long)scalar(st, "SELECT id FROM sym WHERE s = 'IR-07-04'"));
	CHECK_INT(scalar(st, key), 0);
	store_close(st);
}

int
main(void)
{
	const char *dir = t_tmpdir();

	test_hlc();
	test_write_path(dir);
	test_order_independence(dir);
	test_lww(dir);
	test_clocks(dir);
	test_digest(dir);
	test_log_storage(dir);
	test_log_refers(dir);
	test_own_log(dir);
	test_own_open(dir);
	TEST_DONE();
}
