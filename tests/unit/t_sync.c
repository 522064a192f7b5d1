/* The sync protocol's logic, parent and child, without a network. */
#include <sodium.h>
#include <sqlite3.h>

#include "domain/domain.h"
#include "domain/health.h"
#include "proto/wire.h"
#include "repl/sync.h"
#include "store/hlc.h"
#include "store/store.h"
#include "test.h"

struct replica {
	struct store *st;
	struct sync *sync;
	uint8_t pk[32], sk[64];
};

static const char *dir;

static void
open_replica(struct replica *r, const char *id, size_t batch)
{
	char path[512];
	struct nz_err err = {0};

	snprintf(path, sizeof(path), "%s/%s.db", dir, id);
	if (store_open(&r->st, path, domain_tables(), true, &err) != 0 || store_init_node(r->st, id, &err) != 0) {
		printf("# %s\n", err.msg);
		exit(2);
	}
	crypto_sign_keypair(r->pk, r->sk);
	r->sync = sync_new(r->st, r->sk, batch);
}

static void
trust(struct replica *at, const char *id, const char *role, const uint8_t pk[32])
{
	sqlite3_stmt *q;

	sqlite3_prepare_v2(store_db(at->st), "INSERT OR REPLACE INTO peer (id, role, pubkey) VALUES (?, ?, ?)", -1,
			   &q, NULL);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, pk, 32, SQLITE_STATIC);
	sqlite3_step(q);
	sqlite3_finalize(q);
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

static size_t wire_total; /* bytes of every request and reply run_session carried */

/* run_session drives a child's session against its parent until in step; returns round trips or -1. */
static int
run_session(struct replica *child, struct replica *parent, uint32_t pipe, size_t *max_msg, struct nz_err *err)
{
	msgpack_sbuffer req, rep;
	int trips = 0, rc = 0;

	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);
	if ((rc = sync_child_start(child->sync, &req, err)) != 0)
		goto out;
	while (req.size > 0 && trips < 10000) {
		if (max_msg && req.size > *max_msg)
			*max_msg = req.size;
		sync_serve(parent->sync, pipe, (const uint8_t *)req.data, req.size, &rep);
		wire_total += req.size + rep.size;
		if (max_msg && rep.size > *max_msg)
			*max_msg = rep.size;
		trips++;
		if ((rc = sync_child_reply(child->sync, (const uint8_t *)rep.data, rep.size, &req, err)) != 0)
			goto out;
	}
out:
	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&rep);
	return rc != 0 ? -1 : trips;
}

/* noise fills s with n - 1 random letters and digits, which zstd cannot shrink much. */
static void
noise(char *s, size_t n)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	randombytes_buf(s, n);
	for (i = 0; i + 1 < n; i++)
		s[i] = abc[(unsigned char)s[i] & 63];
	s[n - 1] = '\0';
}

static void
add_issue(struct replica *r, const char *owner, const char *rid, const char *title)
{
	struct colset *cs = colset_new();
	struct nz_err err = {0};

	colset_text(cs, "title", title);
	if (store_write(r->st, "issue", rid, owner, cs, "t", &err) != 0)
		printf("# write: %s\n", err.msg);
	colset_free(cs);
}

static void
test_auth(void)
{
	struct replica p, c, stranger;
	msgpack_sbuffer req, rep;
	struct nz_err err = {0};
	struct wire_msg m;

	open_replica(&p, "IR-07", 262144);
	open_replica(&c, "IR-07-03", 262144);
	open_replica(&stranger, "IR-07-05", 262144);
	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);

	/* The child refuses to start without its parent's key. */
	CHECK_INT(sync_child_start(c.sync, &req, &err), NZ_EAUTH);
	CHECK(strstr(err.msg, "peer add") != NULL);
	trust(&c, "IR-07", "parent", p.pk);

	/* The parent refuses a child it does not know. */
	CHECK_INT(run_session(&c, &p, 1, NULL, &err), -1);
	CHECK(strstr(err.msg, "not a registered child") != NULL);

	/* A node signing with the wrong key is refused. */
	trust(&p, "IR-07-03", "child", stranger.pk);
	CHECK_INT(run_session(&c, &p, 1, NULL, &err), -1);
	CHECK(strstr(err.msg, "signature") != NULL);
	trust(&p, "IR-07-03", "child", c.pk);

	/* A push on a connection that has not said HELLO is refused. */
	{
		struct wire_batch *b = wire_batch_new();
		wire_enc_push(&req, 0, 0, b);
		sync_serve(p.sync, 9, (const uint8_t *)req.data, req.size, &rep);
		CHECK_INT(wire_decode((const uint8_t *)rep.data, rep.size, &m, &err), 0);
		CHECK_INT(m.type, WIRE_ERROR);
		CHECK_INT(m.error.code, NZ_EAUTH);
		wire_msg_release(&m);
		wire_batch_free(b);
	}

	/* With keys in place the session runs; a replayed HELLO is refused. */
	add_issue(&c, "IR-07-03", "a1", "one");
	CHECK(run_session(&c, &p, 2, NULL, &err) > 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'a1'"), 1);
	msgpack_sbuffer_clear(&req);
	sync_child_start(c.sync, &req, &err);
	sync_serve(p.sync, 3, (const uint8_t *)req.data, req.size, &rep);
	CHECK(scalar(p.st, "SELECT auth_counter FROM peer WHERE id = 'IR-07-03'") > 0);
	sync_serve(p.sync, 4, (const uint8_t *)req.data, req.size, &rep);
	CHECK_INT(wire_decode((const uint8_t *)rep.data, rep.size, &m, &err), 0);
	CHECK_INT(m.type, WIRE_ERROR);
	CHECK(strstr(m.error.message, "stale") != NULL);
	wire_msg_release(&m);

	/* Garbage gets an error reply, not a crash. */
	sync_serve(p.sync, 5, (const uint8_t *)"\x93\x01\x10", 3, &rep);
	CHECK_INT(wire_decode((const uint8_t *)rep.data, rep.size, &m, &err), 0);
	CHECK_INT(m.type, WIRE_ERROR);
	wire_msg_release(&m);

	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&rep);
	sync_free(p.sync);
	sync_free(c.sync);
	sync_free(stranger.sync);
	store_close(p.st);
	store_close(c.st);
	store_close(stranger.st);
}

/* A child that pushes a sibling's record: that one is quarantined, the rest applies. */
static void
test_quarantine(void)
{
	struct replica p, c;
	struct nz_err err = {0};

	open_replica(&p, "IR-09", 262144);
	open_replica(&c, "IR-09-01", 262144);
	trust(&c, "IR-09", "parent", p.pk);
	trust(&p, "IR-09-01", "child", c.pk);
	add_issue(&c, "IR-09-01", "q1", "mine");
	/* Forge a sibling's record into the child's log, as a tampered node would. */
	sqlite3_exec(store_db(c.st),
		     "INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)"
		     " SELECT 'IR-09-02', 1, hlc + 1, 'issue', 'q2', 'IR-09-02', 0, 'x',"
		     " log_cols(tbl, rid, cols, rowcols, seq), '' FROM oplog"
		     " WHERE rid = 'q1';"
		     "UPDATE oplog SET owner = 'IR-09-01' WHERE rid = 'q2';",
		     NULL, NULL, NULL);
	/* The child's own routing never sends it, so edit the owner back after routing:
	 * instead, make the forged change look routable (owner inside the child) but
	 * claim a sibling's record id already owned by the sibling at the parent. */
	add_issue(&p, "IR-09-02", "q2", "sibling's");
	add_issue(&c, "IR-09-01", "q3", "mine too");
	CHECK(run_session(&c, &p, 1, NULL, &err) > 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id IN ('q1', 'q3')"), 2);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM quarantine WHERE rid = 'q2' AND peer = 'IR-09-01'"), 1);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'q2' AND title = 'sibling''s'"), 1);
	CHECK_INT(sync_child_stats(c.sync)->refused, 1);
	/* A hand-made PUSH on the authenticated pipe: one change for a sibling,
	 * one of the child's own.  The first is refused, the second applies. */
	{
		msgpack_sbuffer req, rep;
		struct wire_batch *b = wire_batch_new();
		struct nz_change ch;
		struct wire_msg m;
		const char cols[] = "\x81\xa5" "title" "\xa6" "forged";
		memset(&ch, 0, sizeof(ch));
		snprintf(ch.origin, sizeof(ch.origin), "IR-09-01");
		ch.origin_seq = 100;
		ch.hlc = store_hlc(c.st) + 10;
		snprintf(ch.tbl, sizeof(ch.tbl), "issue");
		snprintf(ch.rid, sizeof(ch.rid), "q9");
		snprintf(ch.owner, sizeof(ch.owner), "IR-09-02");
		snprintf(ch.author, sizeof(ch.author), "x");
		ch.cols = (const uint8_t *)cols;
		ch.cols_len = sizeof(cols) - 1;
		wire_batch_add(b, &ch, 65536);
		ch.origin_seq = 101;
		snprintf(ch.rid, sizeof(ch.rid), "q10");
		snprintf(ch.owner, sizeof(ch.owner), "IR-09-01");
		wire_batch_add(b, &ch, 65536);
		msgpack_sbuffer_init(&req);
		msgpack_sbuffer_init(&rep);
		wire_enc_push(&req, 1000, 1, b);
		sync_serve(p.sync, 1, (const uint8_t *)req.data, req.size, &rep);
		CHECK_INT(wire_decode((const uint8_t *)rep.data, rep.size, &m, &err), 0);
		CHECK_INT(m.type, WIRE_PUSH_OK);
		CHECK_INT(m.push_ok.nrefusals, 1);
		if (m.push_ok.nrefusals == 1)
			CHECK(strstr(m.push_ok.refusals[0].reason, "may not write records of IR-09-02") != NULL);
		wire_msg_release(&m);
		CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'q10'"), 1);
		CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'q9'"), 0);
		CHECK_INT(scalar(p.st, "SELECT count(*) FROM quarantine WHERE rid = 'q9'"), 1);
		msgpack_sbuffer_destroy(&req);
		msgpack_sbuffer_destroy(&rep);
		wire_batch_free(b);
		sqlite3_exec(store_db(p.st), "UPDATE peer SET ack = 0, ack_token = 0", NULL, NULL, NULL);
	}
	/* Sent once, refused once: a second session does not resend it. */
	CHECK(run_session(&c, &p, 2, NULL, &err) > 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM quarantine"), 2);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/* Batches stay under the byte budget: a backlog is split, never sent whole. */
static void
test_split(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	size_t max_msg = 0;
	char rid[32], title[400];
	int i, trips;

	open_replica(&p, "IR-10", WIRE_BATCH_MIN);
	open_replica(&c, "IR-10-01", WIRE_BATCH_MIN);
	trust(&c, "IR-10", "parent", p.pk);
	trust(&p, "IR-10-01", "child", c.pk);
	store_begin(c.st, &err);
	for (i = 0; i < 2000; i++) {
		snprintf(rid, sizeof(rid), "s%d", i);
		noise(title, sizeof(title));
		add_issue(&c, "IR-10-01", rid, title);
	}
	store_commit(c.st, &err);
	trips = run_session(&c, &p, 1, &max_msg, &err);
	CHECK(trips > 5);
	CHECK(max_msg <= WIRE_BATCH_MIN);
	printf("# 2000 changes of ~420 bytes in %d round trips, largest message %zu bytes (budget %d)\n", trips,
	       max_msg, (int)WIRE_BATCH_MIN);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue"), 2000);
	CHECK_INT(sync_child_stats(c.sync)->pushed, 2000);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/* peer_backlog reads the backlog column of a peer row: what it said it still had for us (-1: NULL). */
static int64_t
peer_backlog(struct store *st, const char *id)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT coalesce(backlog, -1) FROM peer WHERE id = '%s'", id);
	return scalar(st, sql);
}

/*
 * A child that makes its next PUSH while the parent applies the last
 * (sync_child_prefetch, as the node calls it after sending each request):
 * everything arrives once, with a write made while a PUSH is in flight, and
 * after a PUSH lost with its session the child pushes again from what the
 * parent holds, not from what it had made ahead.
 */
static void
test_prefetch(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	msgpack_sbuffer req, rep;
	char rid[32], title[400];
	int i, trips = 0;
	bool lost = false, late = false;

	open_replica(&p, "IR-31", WIRE_BATCH_MIN);
	open_replica(&c, "IR-31-01", WIRE_BATCH_MIN);
	trust(&c, "IR-31", "parent", p.pk);
	trust(&p, "IR-31-01", "child", c.pk);
	store_begin(c.st, &err);
	for (i = 0; i < 1500; i++) {
		snprintf(rid, sizeof(rid), "f%d", i);
		noise(title, sizeof(title));
		add_issue(&c, "IR-31-01", rid, title);
	}
	store_commit(c.st, &err);
	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);
	CHECK(sync_child_start(c.sync, &req, &err) == 0);
	while (req.size > 0 && trips < 1000) {
		bool push = sync_child_phase(c.sync) == PHASE_PUSH;
		sync_child_prefetch(c.sync);
		trips++;
		if (push && trips == 6 && !lost) {
			/* The PUSH never reaches the parent, and its session ends: a new one. */
			lost = true;
			CHECK(sync_child_start(c.sync, &req, &err) == 0);
			continue;
		}
		if (push && trips == 9 && !late) {
			late = true;
			add_issue(&c, "IR-31-01", "late", "written while a push was in flight");
		}
		sync_serve(p.sync, 1, (const uint8_t *)req.data, req.size, &rep);
		if (sync_child_reply(c.sync, (const uint8_t *)rep.data, rep.size, &req, &err) != 0) {
			printf("# %s\n", err.msg);
			break;
		}
	}
	CHECK(lost && late);
	CHECK(sync_child_stats(c.sync)->prefetched >= 5);
	printf("# prefetch: %d round trips, %lld PUSHes made while the last was applied\n", trips,
	       (long long)sync_child_stats(c.sync)->prefetched);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue"), 1501);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'late'"), 1);
	CHECK_INT(peer_backlog(p.st, "IR-31-01"), 0);
	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&rep);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/* health_num reads one number of a peer in health_peers (status, /metrics, the UI); -1 for null. */
static int64_t
health_num(struct store *st, const char *id, const char *key)
{
	json_t *a = health_peers(st, 1), *p;
	int64_t v = -2;
	size_t i;

	json_array_foreach(a, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "id")), id) == 0)
			v = json_is_integer(json_object_get(p, key)) ? json_integer_value(json_object_get(p, key)) : -1;
	}
	json_decref(a);
	return v;
}

/* statements counts the statements prepared on st's connection. */
static int
statements(struct store *st)
{
	sqlite3_stmt *q = NULL;
	int n = 0;

	while ((q = sqlite3_next_stmt(store_db(st), q)) != NULL)
		n++;
	return n;
}

/*
 * Backlogs told over the wire (PROTOCOL.md §5, pending): after every PUSH the
 * parent knows exactly how many of the child's changes are still to come, and
 * after every PULL_OK the child knows exactly how many of the parent's
 * changes for it are; both 0 once in step, and shown as such by health_peers.
 */
static void
test_backlog(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	msgpack_sbuffer req, rep;
	char rid[32], title[300];
	int64_t up, down, up_seen = 0, down_seen = 0, up_want = 12, down_want = 12;
	int i, trips = 0, exact = 1;

	open_replica(&p, "IR-25", 1024);
	open_replica(&c, "IR-25-01", 1024);
	trust(&c, "IR-25", "parent", p.pk);
	trust(&p, "IR-25-01", "child", c.pk);
	for (i = 0; i < 12; i++) {
		snprintf(rid, sizeof(rid), "u%d", i);
		noise(title, sizeof(title));
		add_issue(&c, "IR-25-01", rid, title);
		snprintf(rid, sizeof(rid), "d%d", i);
		add_issue(&p, "IR-25-01", rid, title);
		snprintf(rid, sizeof(rid), "p%d", i);
		add_issue(&p, "IR-25", rid, title); /* the province's own: never the child's backlog */
	}
	CHECK_INT(peer_backlog(p.st, "IR-25-01"), -1);
	CHECK_INT(health_num(p.st, "IR-25-01", "backlog_up"), -1);
	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);
	CHECK_INT(sync_child_start(c.sync, &req, &err), 0);
	while (req.size > 0 && trips++ < 1000) {
		sync_serve(p.sync, 1, (const uint8_t *)req.data, req.size, &rep);
		/*
		 * What each side was told, plus what it holds, is all there is:
		 * exact at every step, a change written mid-session included
		 * (each is written before the other side's next batch is made).
		 */
		if ((up = peer_backlog(p.st, "IR-25-01")) >= 0) {
			exact &= up + scalar(p.st, "SELECT count(*) FROM oplog WHERE origin = 'IR-25-01'") == up_want;
			if (up > 0 && !up_seen) {
				add_issue(&c, "IR-25-01", "um", "meanwhile at the county");
				up_want++;
			}
			up_seen |= up > 0;
		}
		if (sync_child_reply(c.sync, (const uint8_t *)rep.data, rep.size, &req, &err) != 0)
			break;
		if ((down = peer_backlog(c.st, "IR-25")) >= 0) {
			exact &= down + scalar(c.st, "SELECT count(*) FROM oplog WHERE origin = 'IR-25'") == down_want;
			if (down > 0 && !down_seen) {
				add_issue(&p, "IR-25-01", "dm", "meanwhile at the province");
				down_want++;
			}
			down_seen |= down > 0;
		}
	}
	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&rep);
	CHECK(trips > 4);
	CHECK(exact);
	CHECK(up_seen);
	CHECK(down_seen);
	printf("# %d round trips; the told backlogs matched what was still to come at every step\n", trips);
	CHECK_INT(peer_backlog(p.st, "IR-25-01"), 0);
	CHECK_INT(peer_backlog(c.st, "IR-25"), 0);
	CHECK_INT(health_num(p.st, "IR-25-01", "backlog_up"), 0);
	CHECK_INT(health_num(p.st, "IR-25-01", "backlog_down"), 0);
	CHECK_INT(health_num(c.st, "IR-25", "backlog_up"), 0);
	CHECK_INT(health_num(c.st, "IR-25", "backlog_down"), 0);
	/* Two more for the child at the parent: counted there at once, told to the child at its next pull. */
	add_issue(&p, "IR-25-01", "d12", "one more");
	add_issue(&p, "IR-25-01", "d13", "and another");
	CHECK_INT(health_num(p.st, "IR-25-01", "backlog_down"), 2);
	/* Backlogs of other sizes are told in the same statements: no new ones for each figure. */
	{
		int before, before_c;
		/*
		 * The child's lookup of the parent's highest sequence is first
		 * prepared once the parent's name has a number here (since the
		 * first change from it): prepare it before counting.
		 */
		CHECK(store_origin_max(c.st, "IR-25") > 0);
		before = statements(p.st);
		before_c = statements(c.st);
		for (i = 0; i < 30; i++) {
			snprintf(rid, sizeof(rid), "w%d", i);
			noise(title, sizeof(title));
			add_issue(&c, "IR-25-01", rid, title);
			snprintf(rid, sizeof(rid), "x%d", i);
			add_issue(&p, "IR-25-01", rid, title);
		}
		CHECK(run_session(&c, &p, 2, NULL, &err) > 4);
		CHECK_INT(peer_backlog(p.st, "IR-25-01"), 0);
		CHECK_INT(statements(p.st), before);
		CHECK_INT(statements(c.st), before_c);
	}
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/* A thin link's small budget: changes bigger than it still pass, one per batch. */
static void
test_small_budget(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	char big[3000];
	size_t max_msg = 0;
	int trips;

	open_replica(&p, "IR-12", 1024);
	open_replica(&c, "IR-12-01", 1024);
	trust(&c, "IR-12", "parent", p.pk);
	trust(&p, "IR-12-01", "child", c.pk);
	noise(big, sizeof(big));
	add_issue(&c, "IR-12-01", "t1", "small");
	add_issue(&c, "IR-12-01", "t2", big);
	add_issue(&c, "IR-12-01", "t3", "small again");
	add_issue(&p, "IR-12-01", "t4", big);
	trips = run_session(&c, &p, 1, &max_msg, &err);
	CHECK(trips > 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue"), 4);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue WHERE id = 't4'"), 1);
	CHECK(max_msg > 1024 && max_msg < WIRE_BATCH_MIN);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/*
 * Both ends of one release number columns and compress (PROTOCOL.md §6.1):
 * a backlog of Persian text crosses in far fewer bytes than the log holds,
 * each message within a thin link's budget, and arrives intact both ways.
 */
static void
test_codec(void)
{
	static const char *const words[] = { "کمبود", "آب", "آشامیدنی", "روستای", "مدرسه", "جاده", "خراب",
					     "است", "و", "اهالی", "درخواست", "دارند", "برق", "درمانگاه" };
	struct replica p, c;
	struct nz_err err = {0};
	char rid[32], title[600];
	size_t max_msg = 0, len;
	int64_t logged;
	int i, k;

	open_replica(&p, "IR-13", 2048);
	open_replica(&c, "IR-13-01", 2048);
	trust(&c, "IR-13", "parent", p.pk);
	trust(&p, "IR-13-01", "child", c.pk);
	store_begin(c.st, &err);
	for (i = 0; i < 400; i++) {
		snprintf(rid, sizeof(rid), "z%d", i);
		for (len = 0, k = 0; k < 30; k++)
			len += (size_t)snprintf(title + len, sizeof(title) - len, "%s ",
						words[randombytes_uniform(sizeof(words) / sizeof(words[0]))]);
		add_issue(&c, "IR-13-01", rid, title);
	}
	store_commit(c.st, &err);
	for (i = 0; i < 50; i++) {
		snprintf(rid, sizeof(rid), "y%d", i);
		add_issue(&p, "IR-13-01", rid, title);
	}
	wire_total = 0;
	CHECK(run_session(&c, &p, 1, &max_msg, &err) > 0);
	CHECK(max_msg <= 2048);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue"), 450);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue"), 450);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue i WHERE title = (SELECT title FROM issue WHERE id = 'y49')"),
		  51);
	logged = scalar(c.st, "SELECT sum(length(log_cols(tbl, rid, cols, rowcols, seq)) + length(rid)) FROM oplog");
	printf("# 450 changes, %lld bytes of columns and ids in the log, %zu bytes on the wire, largest message %zu\n",
	       (long long)logged, wire_total, max_msg);
	CHECK((int64_t)wire_total * 2 < logged);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/* A parent restored from an older backup: the child notices and re-sends. */
static void
test_restored_parent(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	char src[600], dst[600], cmd[2600];
	int rc;

	open_replica(&p, "IR-11", 262144);
	open_replica(&c, "IR-11-01", 262144);
	trust(&c, "IR-11", "parent", p.pk);
	trust(&p, "IR-11-01", "child", c.pk);
	add_issue(&c, "IR-11-01", "b1", "before backup");
	CHECK(run_session(&c, &p, 1, NULL, &err) > 0);
	/* Back up the parent, sync more, restore the backup. */
	snprintf(src, sizeof(src), "%s/IR-11.db", dir);
	snprintf(dst, sizeof(dst), "%s/IR-11.backup", dir);
	snprintf(cmd, sizeof(cmd), "VACUUM INTO '%s'", dst);
	CHECK_INT(sqlite3_exec(store_db(p.st), cmd, NULL, NULL, NULL), SQLITE_OK);
	add_issue(&c, "IR-11-01", "b2", "after backup");
	add_issue(&p, "IR-11-01", "b3", "parent's edit after backup");
	CHECK(run_session(&c, &p, 2, NULL, &err) > 0);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue WHERE id = 'b3'"), 1);
	sync_free(p.sync);
	store_close(p.st);
	snprintf(cmd, sizeof(cmd), "rm -f '%s-wal' '%s-shm' && cp '%s' '%s'", src, src, dst, src);
	rc = system(cmd);
	CHECK_INT(rc, 0);
	if (store_open(&p.st, src, domain_tables(), false, &err) != 0) {
		printf("# reopen: %s\n", err.msg);
		return;
	}
	p.sync = sync_new(p.st, p.sk, 262144);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'b2'"), 0);
	CHECK(run_session(&c, &p, 3, NULL, &err) > 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'b2'"), 1);
	/* The parent's next change does not reuse a sequence number the child has seen. */
	add_issue(&p, "IR-11-01", "b4", "parent's edit after restore");
	CHECK(run_session(&c, &p, 4, NULL, &err) > 0);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue WHERE id = 'b4'"), 1);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/* serve_one hands the parent one request and decodes its reply into m (released by the caller). */
static int
serve_one(struct replica *p, uint32_t pipe, msgpack_sbuffer *req, struct wire_msg *m)
{
	msgpack_sbuffer rep;
	struct nz_err err = {0};
	int rc;

	msgpack_sbuffer_init(&rep);
	sync_serve(p->sync, pipe, (const uint8_t *)req->data, req->size, &rep);
	rc = wire_decode((const uint8_t *)rep.data, rep.size, m, &err);
	msgpack_sbuffer_destroy(&rep);
	return rc;
}

/* forged_push writes a PUSH of n changes of origin/owner from seq first on. */
static void
forged_push(msgpack_sbuffer *req, const char *origin, const char *owner, int64_t first, int n, uint64_t hlc)
{
	struct wire_batch *b = wire_batch_new();
	struct nz_change ch;
	const char cols[] = "\x81\xa5" "title" "\xa6" "forged";
	int i;

	memset(&ch, 0, sizeof(ch));
	snprintf(ch.origin, sizeof(ch.origin), "%s", origin);
	snprintf(ch.tbl, sizeof(ch.tbl), "issue");
	snprintf(ch.owner, sizeof(ch.owner), "%s", owner);
	snprintf(ch.author, sizeof(ch.author), "x");
	ch.cols = (const uint8_t *)cols;
	ch.cols_len = sizeof(cols) - 1;
	for (i = 0; i < n; i++) {
		ch.origin_seq = first + i;
		ch.hlc = hlc + (uint64_t)i;
		snprintf(ch.rid, sizeof(ch.rid), "f%s%lld", origin, (long long)(first + i));
		wire_batch_add(b, &ch, 262144);
	}
	msgpack_sbuffer_clear(req);
	wire_enc_push(req, 0, 0, b);
	wire_batch_free(b);
}

/*
 * A HELLO whose seen_parent_seq is 2^63-1 (the child's log forged to hold
 * such a change of its parent's) is refused, and the parent's sequence is
 * untouched: its next write, and its sync, still work.
 */
static void
test_seq_floor(void)
{
	struct replica p, c;
	struct nz_err err = {0};

	open_replica(&p, "IR-21", 262144);
	open_replica(&c, "IR-21-01", 262144);
	trust(&c, "IR-21", "parent", p.pk);
	trust(&p, "IR-21-01", "child", c.pk);
	add_issue(&p, "IR-21-01", "s1", "parent's edit");
	CHECK(run_session(&c, &p, 1, NULL, &err) > 0);
	sqlite3_exec(store_db(c.st), "UPDATE oplog SET origin_seq = 9223372036854775807 WHERE origin = 'IR-21'", NULL,
		     NULL, NULL);
	CHECK_INT(run_session(&c, &p, 2, NULL, &err), -1);
	CHECK(strstr(err.msg, "seen_parent_seq 9223372036854775807 is above") != NULL);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM meta WHERE key = 'seq_floor'"), 0);
	add_issue(&p, "IR-21-01", "s2", "the parent still writes");
	CHECK_INT(scalar(p.st, "SELECT max(origin_seq) FROM oplog WHERE origin = 'IR-21'"), 2);
	/* The store itself refuses a floor out of range, and an exhausted sequence. */
	CHECK_INT(store_seq_floor(p.st, INT64_MAX, &err), NZ_EINVAL);
	CHECK_INT(store_meta_set_int(p.st, "seq_floor", INT64_MAX, &err), 0);
	{
		struct colset *cs = colset_new();
		colset_text(cs, "title", "x");
		CHECK_INT(store_write(p.st, "issue", "s3", "IR-21", cs, "t", &err), NZ_EDB);
		CHECK(strstr(err.msg, "exhausted") != NULL);
		colset_free(cs);
	}
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/*
 * A rogue county pushes changes under its sibling's origin (and the
 * national's): refused, reported, and the sibling's own changes with the
 * same sequence numbers arrive.
 */
static void
test_origin_spoof(void)
{
	struct replica p, victim, rogue;
	struct nz_err err = {0};
	msgpack_sbuffer req;
	struct wire_msg m;

	open_replica(&p, "IR-22", 262144);
	open_replica(&victim, "IR-22-01", 262144);
	open_replica(&rogue, "IR-22-02", 262144);
	trust(&victim, "IR-22", "parent", p.pk);
	trust(&rogue, "IR-22", "parent", p.pk);
	trust(&p, "IR-22-01", "child", victim.pk);
	trust(&p, "IR-22-02", "child", rogue.pk);
	msgpack_sbuffer_init(&req);
	CHECK(run_session(&rogue, &p, 1, NULL, &err) > 0); /* pipe 1 is the rogue's */
	forged_push(&req, "IR-22-01", "IR-22-02", 1, 3, store_hlc(rogue.st) + 1);
	CHECK_INT(serve_one(&p, 1, &req, &m), 0);
	CHECK_INT(m.type, WIRE_PUSH_OK);
	CHECK_INT(m.push_ok.nrefusals, 3);
	if (m.push_ok.nrefusals == 3)
		CHECK_STR(m.push_ok.refusals[0].reason, "IR-22-02 may not send changes of origin IR-22-01");
	wire_msg_release(&m);
	forged_push(&req, "IR", "IR-22-02", 1, 1, store_hlc(rogue.st) + 1);
	CHECK_INT(serve_one(&p, 1, &req, &m), 0);
	CHECK_INT(m.type, WIRE_PUSH_OK);
	CHECK_INT(m.push_ok.nrefusals, 1);
	wire_msg_release(&m);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM oplog WHERE origin IN ('IR-22-01', 'IR')"), 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM quarantine WHERE peer = 'IR-22-02'"), 4);
	add_issue(&victim, "IR-22-01", "v1", "one");
	add_issue(&victim, "IR-22-01", "v2", "two");
	add_issue(&victim, "IR-22-01", "v3", "three");
	CHECK(run_session(&victim, &p, 2, NULL, &err) > 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id IN ('v1', 'v2', 'v3')"), 3);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM quarantine WHERE peer = 'IR-22-01'"), 0);
	CHECK_INT(sync_child_stats(victim.sync)->refused, 0);
	msgpack_sbuffer_destroy(&req);
	sync_free(p.sync);
	sync_free(victim.sync);
	sync_free(rogue.sync);
	store_close(p.st);
	store_close(victim.st);
	store_close(rogue.st);
}

#define DAY_MS (86400LL * 1000)

/*
 * A child whose clock is a day ahead: its HELLO and its changes are refused
 * with NZ_ECLOCK, no clock moves, nothing is lost; once its clock is right
 * its unsent changes are restamped and arrive, and its own rows take its
 * next edits.
 */
static void
test_clock_ahead(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	msgpack_sbuffer req;
	struct wire_msg m;
	uint64_t before, lim;

	open_replica(&p, "IR-23", 262144);
	open_replica(&c, "IR-23-01", 262144);
	trust(&c, "IR-23", "parent", p.pk);
	trust(&p, "IR-23-01", "child", c.pk);
	msgpack_sbuffer_init(&req);
	add_issue(&c, "IR-23-01", "k0", "before");
	CHECK(run_session(&c, &p, 1, NULL, &err) > 0);
	before = store_hlc(p.st);

	/* The child's clock runs a day ahead: it writes and says HELLO. */
	hlc_set_skew_ms(DAY_MS);
	add_issue(&c, "IR-23-01", "k1", "written a day ahead");
	CHECK_INT(sync_child_start(c.sync, &req, &err), 0);
	hlc_set_skew_ms(0);
	CHECK_INT(serve_one(&p, 2, &req, &m), 0);
	CHECK_INT(m.type, WIRE_ERROR);
	CHECK_INT(m.error.code, NZ_ECLOCK);
	CHECK(strstr(m.error.message, "this computer's clock is 1 d 0 h ahead of IR-23's") != NULL);
	CHECK(strstr(m.error.message, "fix it") != NULL);
	wire_msg_release(&m);
	lim = hlc_make(hlc_wall_ms() + 60000, 0);
	CHECK(store_hlc(p.st) < lim);
	CHECK(scalar(p.st, "SELECT auth_counter FROM peer WHERE id = 'IR-23-01'") < (int64_t)lim);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'k1'"), 0);

	/* A change stamped ahead on a connection already authenticated: refused whole. */
	forged_push(&req, "IR-23-01", "IR-23-01", 50, 2, hlc_make(hlc_wall_ms() + DAY_MS, 0));
	CHECK_INT(serve_one(&p, 1, &req, &m), 0);
	CHECK_INT(m.type, WIRE_ERROR);
	CHECK_INT(m.error.code, NZ_ECLOCK);
	CHECK(strstr(m.error.message, "(change IR-23-01/50;") != NULL);
	wire_msg_release(&m);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM oplog WHERE origin_seq >= 50"), 0);
	CHECK(store_hlc(p.st) < lim);
	CHECK(store_hlc(p.st) >= before);

	/* The clock is set right: the next session restamps and delivers. */
	CHECK(run_session(&c, &p, 3, NULL, &err) > 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'k1'"), 1);
	lim = hlc_make(hlc_wall_ms() + 60000, 0);
	CHECK(store_hlc(p.st) < lim);
	CHECK(store_hlc(c.st) < lim);
	CHECK(scalar(p.st, "SELECT max(hlc) FROM oplog") < (int64_t)lim);
	/* The child's next edit of its own record wins there and at the parent. */
	{
		struct colset *cs = colset_new();
		colset_text(cs, "title", "edited after the fix");
		CHECK_INT(store_write(c.st, "issue", "k1", "IR-23-01", cs, "t", &err), 0);
		colset_free(cs);
	}
	CHECK(run_session(&c, &p, 4, NULL, &err) > 0);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue WHERE id = 'k1' AND title = 'edited after the fix'"), 1);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'k1' AND title = 'edited after the fix'"), 1);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM quarantine"), 0);
	msgpack_sbuffer_destroy(&req);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/* A child that keeps sending what is refused: its quarantine stops at the limit. */
static void
test_quarantine_limit(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	msgpack_sbuffer req;
	struct wire_msg m;

	open_replica(&p, "IR-24", 262144);
	open_replica(&c, "IR-24-01", 262144);
	trust(&c, "IR-24", "parent", p.pk);
	trust(&p, "IR-24-01", "child", c.pk);
	sync_set_limits(p.sync, &(struct sync_limits){SYNC_MAX_CLOCK_AHEAD_MS, 100, SYNC_QUARANTINE_BYTES});
	msgpack_sbuffer_init(&req);
	CHECK(run_session(&c, &p, 1, NULL, &err) > 0);
	forged_push(&req, "IR-24-01", "IR-24-02", 1, 60, store_hlc(c.st) + 1);
	CHECK_INT(serve_one(&p, 1, &req, &m), 0);
	CHECK_INT(m.type, WIRE_PUSH_OK);
	wire_msg_release(&m);
	forged_push(&req, "IR-24-01", "IR-24-02", 61, 60, store_hlc(c.st) + 100);
	CHECK_INT(serve_one(&p, 1, &req, &m), 0);
	CHECK_INT(m.type, WIRE_ERROR);
	CHECK_INT(m.error.code, NZ_EQUOTA);
	if (m.type == WIRE_ERROR)
		CHECK(strstr(m.error.message, "keeps at most 100 refused changes") != NULL);
	wire_msg_release(&m);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM quarantine"), 60);
	msgpack_sbuffer_destroy(&req);
	sync_free(p.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(c.st);
}

/*
 * A parent steps over what one child sent when another pulls (sync_batch.c,
 * PROTOCOL.md §13): the sibling still gets every change of the parent's for
 * it, written between and after the stretches it steps over, with its
 * backlog told exactly, and the child that sent them still gets its own
 * back when it lost them.
 */
static void
test_siblings(void)
{
	struct replica p, a, b;
	struct nz_err err = {0};
	char rid[32], src[600], dst[600], cmd[2600];
	int i, round, rc;

	open_replica(&p, "IR-26", 262144);
	open_replica(&a, "IR-26-01", 262144);
	open_replica(&b, "IR-26-02", 262144);
	trust(&a, "IR-26", "parent", p.pk);
	trust(&b, "IR-26", "parent", p.pk);
	trust(&p, "IR-26-01", "child", a.pk);
	trust(&p, "IR-26-02", "child", b.pk);
	snprintf(src, sizeof(src), "%s/IR-26-01.db", dir);
	snprintf(dst, sizeof(dst), "%s/IR-26-01.backup", dir);
	snprintf(cmd, sizeof(cmd), "VACUUM INTO '%s'", dst);
	CHECK_INT(sqlite3_exec(store_db(a.st), cmd, NULL, NULL, NULL), SQLITE_OK);
	for (round = 0; round < 3; round++) {
		store_begin(a.st, &err);
		for (i = 0; i < 200; i++) {
			snprintf(rid, sizeof(rid), "a%d-%d", round, i);
			add_issue(&a, "IR-26-01", rid, "the sibling's");
		}
		store_commit(a.st, &err);
		CHECK(run_session(&a, &p, 1, NULL, &err) > 0);
		snprintf(rid, sizeof(rid), "b%d", round);
		add_issue(&p, "IR-26-02", rid, "the parent's, for IR-26-02");
		snprintf(rid, sizeof(rid), "o%d", round);
		add_issue(&p, "IR-26", rid, "the parent's own");
		CHECK(run_session(&b, &p, 2, NULL, &err) > 0);
		CHECK_INT(scalar(b.st, "SELECT count(*) FROM issue"), round + 1);
		CHECK_INT(peer_backlog(b.st, "IR-26"), 0);
		CHECK_INT(health_num(p.st, "IR-26-02", "backlog_down"), 0);
	}
	CHECK_INT(scalar(b.st, "SELECT count(*) FROM issue WHERE owner = 'IR-26-02'"), 3);
	/* Read once, stepped over by the pulls after: two of the three rounds at least. */
	printf("# %lld log positions stepped over by IR-26-02's pulls\n", (long long)sync_child_stats(p.sync)->skipped);
	CHECK(sync_child_stats(p.sync)->skipped >= 400);
	/* A child that lost its changes asks them back: the stretches do not hide them from it. */
	sync_free(a.sync);
	store_close(a.st);
	snprintf(cmd, sizeof(cmd), "rm -f '%s-wal' '%s-shm' && cp '%s' '%s'", src, src, dst, src);
	rc = system(cmd);
	CHECK_INT(rc, 0);
	if (store_open(&a.st, src, domain_tables(), false, &err) != 0) {
		printf("# reopen: %s\n", err.msg);
		return;
	}
	a.sync = sync_new(a.st, a.sk, 262144);
	CHECK_INT(scalar(a.st, "SELECT count(*) FROM issue"), 0);
	/* Its clock has gone on since the backup (the HELLO's counter with it). */
	store_begin(a.st, &err);
	store_hlc_observe(a.st, store_hlc(p.st), &err);
	store_commit(a.st, &err);
	rc = run_session(&a, &p, 3, NULL, &err);
	CHECK(rc > 0);
	if (rc <= 0)
		printf("# %s\n", err.msg);
	CHECK_INT(scalar(a.st, "SELECT count(*) FROM issue WHERE owner = 'IR-26-01'"), 600);
	CHECK_INT(scalar(a.st, "SELECT count(*) FROM issue WHERE owner != 'IR-26-01'"), 0);
	sync_free(p.sync);
	sync_free(a.sync);
	sync_free(b.sync);
	store_close(p.st);
	store_close(a.st);
	store_close(b.st);
}

/*
 * A child registered after its parent learnt the stretches of its log that
 * no child takes (a sibling's changes) pulls from the start, steps over them,
 * and gets all that is its: what the parent wrote for it between them, none
 * of its sibling's records.
 */
static void
test_new_child(void)
{
	struct replica p, a, b, c;
	struct nz_err err = {0};
	char rid[32];
	int64_t skipped;
	int i, round;

	open_replica(&p, "IR-28", 262144);
	open_replica(&a, "IR-28-01", 262144);
	open_replica(&b, "IR-28-02", 262144);
	open_replica(&c, "IR-28-03", 262144);
	trust(&a, "IR-28", "parent", p.pk);
	trust(&b, "IR-28", "parent", p.pk);
	trust(&p, "IR-28-01", "child", a.pk);
	trust(&p, "IR-28-02", "child", b.pk);
	for (round = 0; round < 3; round++) {
		store_begin(a.st, &err);
		for (i = 0; i < 200; i++) {
			snprintf(rid, sizeof(rid), "n%d-%d", round, i);
			add_issue(&a, "IR-28-01", rid, "the sibling's");
		}
		store_commit(a.st, &err);
		CHECK(run_session(&a, &p, 1, NULL, &err) > 0);
		snprintf(rid, sizeof(rid), "c%d", round);
		add_issue(&p, "IR-28-03", rid, "the parent's, for the county to come");
		CHECK(run_session(&b, &p, 2, NULL, &err) > 0);
	}
	skipped = sync_child_stats(p.sync)->skipped;
	CHECK(skipped >= 400);
	trust(&c, "IR-28", "parent", p.pk);
	trust(&p, "IR-28-03", "child", c.pk);
	CHECK(run_session(&c, &p, 3, NULL, &err) > 0);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue WHERE owner = 'IR-28-03'"), 3);
	CHECK_INT(scalar(c.st, "SELECT count(*) FROM issue WHERE owner != 'IR-28-03'"), 0);
	CHECK_INT(peer_backlog(c.st, "IR-28"), 0);
	/* Its first pull stepped over the stretches its sibling's pulls had learnt. */
	CHECK(sync_child_stats(p.sync)->skipped - skipped >= 400);
	sync_free(p.sync);
	sync_free(a.sync);
	sync_free(b.sync);
	sync_free(c.sync);
	store_close(p.st);
	store_close(a.st);
	store_close(b.st);
	store_close(c.st);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 2;
	dir = t_tmpdir();
	test_auth();
	test_quarantine();
	test_split();
	test_prefetch();
	test_small_budget();
	test_backlog();
	test_restored_parent();
	test_codec();
	test_seq_floor();
	test_origin_spoof();
	test_clock_ahead();
	test_quarantine_limit();
	test_siblings();
	test_new_child();
	TEST_DONE();
}
