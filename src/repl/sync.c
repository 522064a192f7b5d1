#include "repl/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "base/unit.h"
#include "proto/wire.h"
#include "repl/enrol.h"
#include "store/hlc.h"

#define MAX_BINDINGS 1024
#define SCAN_ROWS 20000 /* log entries looked at for one batch, at most */

/*
 * What the last batch sent to a peer left pending (PROTOCOL.md §5): the next
 * batch from `upto` on counts only what it sends and what was logged after
 * `head`, not the whole log after it again.
 */
struct pending {
	bool valid;
	int64_t upto, head, n;
};

struct binding {
	struct pending pend; /* of the PULL_OKs on this pipe */
	uint32_t pipe;
	char child[NZ_ID_MAX];
	uint32_t codec;     /* WIRE_CODEC_* settled in the HELLO_OK */
	uint32_t plain_max; /* the child's largest decompressed batch */
};

/* What this node offers and takes (PROTOCOL.md §6.1). */
#define CODEC_OFFER (WIRE_CODEC_COLNUMS | WIRE_CODEC_ZSTD)
/* How much bigger than its budget a batch may be before compression. */
#define ZSTD_STRETCH 8

struct sync {
	struct store *st;
	uint8_t sk[64];
	size_t batch_bytes;
	size_t recv_max;
	uint32_t offer;            /* WIRE_CODEC_* this node offers */
	struct wire_batch *batch;
	struct pending up_pend; /* of our PUSHes */
	struct wire_schema schema; /* column numbers of this node's tables */
	char self[NZ_ID_MAX];
	/* parent side */
	struct binding bind[MAX_BINDINGS];
	int nbind;
	sync_synced_fn synced;
	void *synced_arg;
	/* child side */
	char parent[NZ_ID_MAX];
	uint8_t parent_pk[32];
	enum sync_phase phase;
	uint64_t counter;    /* auth counter of the current session */
	uint32_t codec;      /* WIRE_CODEC_* the parent settled */
	uint32_t parent_plain; /* the parent's largest decompressed batch */
	int64_t push_cursor; /* the parent's acknowledged position in our log */
	int64_t push_sent;   /* upto of the PUSH in flight */
	size_t push_count;   /* its changes: the batch is reused by serve_pull meanwhile */
	struct sync_stats stats;
	/* a key rotation to announce after the next HELLO_OK */
	bool rotating;
	bool rotate_refused; /* the parent refused it: not asked again until restarted */
	bool zstd_now;       /* the batch being filled may be compressed */
	uint8_t next_sk[64];
	/* parent side: our next key, announced to the children in HELLO_OK */
	bool announcing;
	uint8_t own_next_sk[64];
	uint8_t own_next_pk[32];
	sync_rotated_cb rotated;
	void *rotated_arg;
	struct sync_limits lim;
};

/*
 * schema_build numbers the columns of the node's tables; a table that does
 * not fit a schema (more than WIRE_SCHEMA_COLS columns) is left out, and
 * its changes travel with names.
 */
static void
schema_build(struct sync *s)
{
	const struct tbl_def *const *t = store_tables(s->st);
	const char *names[WIRE_SCHEMA_COLS];
	int i, n;

	for (i = 0; t != NULL && t[i] != NULL; i++) {
		for (n = 0; t[i]->cols[n].name != NULL && n < WIRE_SCHEMA_COLS; n++)
			names[n] = t[i]->cols[n].name;
		if (t[i]->cols[n].name == NULL)
			wire_schema_add(&s->schema, t[i]->name, names, n);
	}
}

void
sync_set_recv_max(struct sync *s, size_t recv_max)
{
	s->recv_max = recv_max;
}

void
sync_set_compress(struct sync *s, bool on)
{
	s->offer = on ? CODEC_OFFER : CODEC_OFFER & ~WIRE_CODEC_ZSTD;
}

struct sync *
sync_new(struct store *st, const uint8_t sk[64], size_t batch_bytes)
{
	struct sync *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->batch = wire_batch_new()) == NULL) {
		free(s);
		return NULL;
	}
	s->st = st;
	memcpy(s->sk, sk, 64);
	s->batch_bytes = batch_bytes;
	s->recv_max = 4u << 20;
	s->offer = CODEC_OFFER;
	schema_build(s);
	s->lim.max_clock_ahead_ms = SYNC_MAX_CLOCK_AHEAD_MS;
	s->lim.quarantine_max = SYNC_QUARANTINE_MAX;
	s->lim.quarantine_bytes = SYNC_QUARANTINE_BYTES;
	snprintf(s->self, sizeof(s->self), "%s", store_node(st));
	if (unit_parent(s->self, s->parent) != 0)
		s->parent[0] = '\0';
	return s;
}

void
sync_set_limits(struct sync *s, const struct sync_limits *lim)
{
	s->lim = *lim;
}

void
sync_free(struct sync *s)
{
	if (s == NULL)
		return;
	wire_batch_free(s->batch);
	sodium_memzero(s->sk, sizeof(s->sk));
	sodium_memzero(s->next_sk, sizeof(s->next_sk));
	sodium_memzero(s->own_next_sk, sizeof(s->own_next_sk));
	free(s);
}

/* ---- helpers over the peer table ---- */

static int64_t
now_ms(void)
{
	return (int64_t)hlc_wall_ms();
}

int64_t
sync_time_ms(struct sync *s)
{
	int64_t off = store_meta_get_int(s->st, "parent_clock_offset", 0);

	return now_ms() + (off > 0 ? off : 0);
}

/* span writes a duration for people: "2 d 3 h", "5 min 12 s". */
static void
span(int64_t ms, char *buf, size_t n)
{
	int64_t sec = ms / 1000;

	/* Rounded to the minute past an hour: a clock a day ahead is "1 d 0 h",
	 * not "23 h 59 min" for the milliseconds since it was read. */
	if (sec >= 3600)
		sec = (ms + 30000) / 60000 * 60;
	if (sec >= 86400)
		snprintf(buf, n, "%lld d %lld h", (long long)(sec / 86400), (long long)(sec % 86400 / 3600));
	else if (sec >= 3600)
		snprintf(buf, n, "%lld h %lld min", (long long)(sec / 3600), (long long)(sec % 3600 / 60));
	else if (sec >= 60)
		snprintf(buf, n, "%lld min %lld s", (long long)(sec / 60), (long long)(sec % 60));
	else
		snprintf(buf, n, "%lld s", (long long)sec);
}

/*
 * too_far_ahead tells whether a clock value from a child is further ahead of
 * this node's time than the bound, and writes the child's message if so.
 */
static bool
too_far_ahead(struct sync *s, uint64_t hlc, const char *what, char *msg, size_t n)
{
	int64_t now = sync_time_ms(s), ahead;
	char d[48], m[48];

	if (s->lim.max_clock_ahead_ms <= 0 || hlc_ms(hlc) <= (uint64_t)(now + s->lim.max_clock_ahead_ms))
		return false;
	ahead = hlc_ms(hlc) > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)hlc_ms(hlc) - now;
	span(ahead, d, sizeof(d));
	span(s->lim.max_clock_ahead_ms, m, sizeof(m));
	snprintf(msg, n, "this computer's clock is %s ahead of %s's (%s; the limit is %s): fix it", d, s->self,
		 what, m);
	return true;
}

static int
peer_key(struct sync *s, const char *id, const char *role, uint8_t pk[32])
{
	sqlite3_stmt *q = store_prepare(s->st, "SELECT pubkey FROM peer WHERE id = ? AND role = ?", NULL);
	int rc = NZ_ENOTFOUND;

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32) {
		memcpy(pk, sqlite3_column_blob(q, 0), 32);
		rc = 0;
	}
	sqlite3_reset(q);
	return rc;
}

static int64_t
peer_int(struct sync *s, const char *id, const char *col)
{
	char sql[96];
	sqlite3_stmt *q;
	int64_t v = 0;

	snprintf(sql, sizeof(sql), "SELECT %s FROM peer WHERE id = ?", col);
	if ((q = store_prepare(s->st, sql, NULL)) == NULL)
		return 0;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/* peer_set writes integer columns of a peer row; cols like "ack = ?2, ack_token = ?3". */
static int
peer_set(struct sync *s, const char *id, const char *cols, int64_t a, int64_t b, int64_t c)
{
	char sql[256];
	sqlite3_stmt *q;
	int rc;

	snprintf(sql, sizeof(sql), "UPDATE peer SET %s WHERE id = ?1", cols);
	if ((q = store_prepare(s->st, sql, NULL)) == NULL)
		return NZ_EDB;
	sqlite3_clear_bindings(q);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	/* Only the parameters the SQL names may be bound. */
	if (sqlite3_bind_parameter_count(q) >= 2)
		sqlite3_bind_int64(q, 2, a);
	if (sqlite3_bind_parameter_count(q) >= 3)
		sqlite3_bind_int64(q, 3, b);
	if (sqlite3_bind_parameter_count(q) >= 4)
		sqlite3_bind_int64(q, 4, c);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : NZ_EDB;
	sqlite3_reset(q);
	return rc;
}

void
sync_on_synced(struct sync *s, sync_synced_fn fn, void *arg)
{
	s->synced = fn;
	s->synced_arg = arg;
}

void
sync_note_error(struct sync *s, const char *what)
{
	sqlite3_stmt *q;

	if (s->parent[0] == '\0')
		return;
	if (sqlite3_prepare_v2(store_db(s->st), "UPDATE peer SET last_error = ?2 WHERE id = ?1", -1, &q,
			       NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, s->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, what, -1, SQLITE_STATIC);
	sqlite3_step(q);
	sqlite3_finalize(q);
}

static void
quarantine(struct sync *s, const char *peer, const struct nz_change *c, const char *reason)
{
	sqlite3_stmt *q = store_prepare(
		s->st,
		"INSERT OR IGNORE INTO quarantine (at, peer, reason, origin, origin_seq, hlc, tbl, rid, owner,"
		" author, cols) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		NULL);

	nz_log(NZ_LOG_WARN, "sync.refused", "peer=%s origin=%s seq=%lld reason=\"%s\"", peer, c->origin,
	       (long long)c->origin_seq, reason);
	if (q == NULL)
		return;
	sqlite3_bind_int64(q, 1, now_ms());
	sqlite3_bind_text(q, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, c->origin_seq);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)c->hlc);
	sqlite3_bind_text(q, 7, c->tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, c->rid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, c->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, c->author, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 11, c->cols, (int)c->cols_len, SQLITE_STATIC);
	sqlite3_step(q);
	sqlite3_reset(q);
}

/* quarantine_held counts the refused changes kept from peer and the bytes of their columns. */
static int
quarantine_held(struct sync *s, const char *peer, int64_t *rows, int64_t *bytes, struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(
		s->st, "SELECT count(*), coalesce(sum(length(cols)), 0) FROM quarantine WHERE peer = ?", err);

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, peer, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return store_sqlerr(s->st, err, "count quarantine");
	}
	*rows = sqlite3_column_int64(q, 0);
	*bytes = sqlite3_column_int64(q, 1);
	sqlite3_reset(q);
	return 0;
}

int
sync_quarantine_clear(struct store *st, const char *peer, int64_t *n, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM quarantine WHERE peer = ?", -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "clear quarantine");
	sqlite3_bind_text(q, 1, peer, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sqlerr(st, err, "clear quarantine");
	if (rc == 0)
		*n = sqlite3_changes(store_db(st));
	sqlite3_finalize(q);
	return rc;
}

/* ---- routing ---- */

/*
 * What a child asks back of its own changes, when it lost them (restored
 * from an older backup, or made anew): those it wrote with an origin
 * sequence of recover_from or more (0: none).
 */
/* Whether a log entry goes to peer: never back where it came from (but for
 * the peer's own changes it asks back); up only what the parent may hold;
 * down only what the child may see. */
static bool
route_to(const char *self, const char *peer, bool up, const char *owner, bool dir, const char *via,
	 const char *origin, int64_t origin_seq, int64_t recover_from)
{
	if (strcmp(via, peer) == 0)
		return recover_from > 0 && origin_seq >= recover_from && strcmp(origin, peer) == 0;
	if (up)
		return unit_within(owner, self);
	return unit_within(owner, peer) || (dir && unit_within(peer, owner));
}

/*
 * fill_batch scans the log after `from` for entries routed to peer and adds
 * them to the batch until it is full; *upto is the position covered (every
 * entry up to it is either in the batch or not for this peer).
 */
static int
fill_batch(struct sync *s, const char *peer, bool up, int64_t from, int64_t recover_from, size_t max,
	   int64_t *upto, uint64_t *token, struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(s->st,
					"SELECT seq, origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols,"
					" via FROM oplog WHERE seq > ? ORDER BY seq LIMIT ?",
					err);
	int step, rc = 0, scanned = 0;

	wire_batch_reset(s->batch);
	*upto = from;
	*token = store_log_token(s->st, from);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_int64(q, 1, from);
	sqlite3_bind_int(q, 2, SCAN_ROWS);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct nz_change c;
		int64_t seq = sqlite3_column_int64(q, 0);
		const char *owner = (const char *)sqlite3_column_text(q, 6);
		const char *via = (const char *)sqlite3_column_text(q, 10);
		bool dir = sqlite3_column_int(q, 7) != 0;

		scanned++;
		if (route_to(s->self, peer, up, owner, dir, via, (const char *)sqlite3_column_text(q, 1),
			     sqlite3_column_int64(q, 2), recover_from)) {
			memset(&c, 0, sizeof(c));
			snprintf(c.origin, sizeof(c.origin), "%s", (const char *)sqlite3_column_text(q, 1));
			c.origin_seq = sqlite3_column_int64(q, 2);
			c.hlc = (uint64_t)sqlite3_column_int64(q, 3);
			snprintf(c.tbl, sizeof(c.tbl), "%s", (const char *)sqlite3_column_text(q, 4));
			snprintf(c.rid, sizeof(c.rid), "%s", (const char *)sqlite3_column_text(q, 5));
			snprintf(c.owner, sizeof(c.owner), "%s", owner);
			snprintf(c.author, sizeof(c.author), "%s", (const char *)sqlite3_column_text(q, 8));
			c.cols = sqlite3_column_blob(q, 9);
			c.cols_len = (size_t)sqlite3_column_bytes(q, 9);
			rc = wire_batch_add(s->batch, &c, max);
			if ((rc == NZ_ETOOBIG || rc == NZ_ENOTFOUND) && wire_batch_count(s->batch) > 0) {
				rc = 0;
				break; /* full, or not numbered alike: this entry starts the next batch */
			}
			if (rc == NZ_ENOTFOUND) {
				/* A table or column outside the schema: this batch goes with names. */
				wire_batch_codec(s->batch, NULL, s->zstd_now);
				rc = wire_batch_add(s->batch, &c, max);
			}
			/*
			 * A budget smaller than one change (thin links run with a
			 * few KiB) still lets that change through alone: every
			 * valid change fits in WIRE_BATCH_MIN, far below recv_max.
			 */
			if (rc == NZ_ETOOBIG && max < WIRE_BATCH_MIN)
				rc = wire_batch_add(s->batch, &c, WIRE_BATCH_MIN);
			if (rc != 0) {
				nz_fail(err, rc, "change %s/%lld does not fit in a batch of %zu bytes", c.origin,
					(long long)c.origin_seq, max);
				break;
			}
		}
		*upto = seq;
		*token = (uint64_t)sqlite3_column_int64(q, 3);
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = store_sqlerr(s->st, err, "read change log");
	sqlite3_reset(q);
	return rc;
}

/*
 * pending_after counts the log entries after upto that go to peer (head: our
 * log head), from what the batch sent before left pending (pc) when it ended
 * at from: one count over the log after upto per session, then one over each
 * batch's range and what was logged since.  *next is what this batch leaves
 * pending.  -1 when the log cannot be read.
 */
static int64_t
pending_after(struct sync *s, const struct pending *pc, const char *peer, bool up, int64_t from, int64_t upto,
	      int64_t head, struct pending *next)
{
	int64_t sent = -1, since = -1, n;

	if (!up && upto >= head)
		n = 0; /* read through */
	else if (pc->valid && pc->upto == from && pc->head <= head &&
		 (sent = store_log_pending(s->st, peer, up, from, upto)) >= 0 &&
		 (since = store_log_pending(s->st, peer, up, pc->head, head)) >= 0 && pc->n - sent + since >= 0)
		n = pc->n - sent + since;
	else
		n = store_log_pending(s->st, peer, up, upto, head);
	next->valid = n >= 0;
	next->upto = upto;
	next->head = head;
	next->n = n;
	return n;
}

/*
 * send_batch fills the batch for peer from `from` on and encodes it into out
 * as a PUSH (up) or a PULL_OK, in the codec settled with peer, within budget
 * bytes on the wire.  Compressed, a batch may hold up to ZSTD_STRETCH times
 * its budget before compression (never more than the peer decompresses);
 * when the frame comes out over the budget, it is filled again with fewer.
 * *upto is what it covers; out stays empty when a PUSH has nothing to send.
 */
static int
send_batch(struct sync *s, const char *peer, bool up, int64_t from, int64_t recover_from, size_t budget,
	   uint32_t codec, size_t peer_plain, struct pending *pc, msgpack_sbuffer *out, int64_t *upto,
	   struct nz_err *err)
{
	size_t plain = budget;
	struct pending next;
	uint64_t token;
	int64_t head;
	int rc, tries;

	s->zstd_now = (codec & WIRE_CODEC_ZSTD) != 0;
	if (s->zstd_now) {
		plain = budget * ZSTD_STRETCH;
		if (plain > peer_plain)
			plain = peer_plain;
		if (plain > NZ_WIRE_MAX)
			plain = NZ_WIRE_MAX;
		if (plain < budget)
			plain = budget;
	}
	for (tries = 0;; tries++) {
		msgpack_sbuffer_clear(out);
		wire_batch_codec(s->batch, (codec & WIRE_CODEC_COLNUMS) ? &s->schema : NULL, s->zstd_now);
		if ((rc = fill_batch(s, peer, up, from, recover_from, plain, upto, &token, err)) != 0)
			return rc;
		if (up && *upto == from)
			return 0; /* nothing after the acknowledged position */
		/* What the peer still lacks after this batch, for its status (PROTOCOL.md §5). */
		head = store_log_head(s->st);
		wire_batch_pending(s->batch, pending_after(s, pc, peer, up, from, *upto, head, &next));
		if (up) {
			rc = wire_enc_push(out, *upto, token, s->batch);
		} else {
			rc = wire_enc_pull_ok(out, *upto, token, *upto < head, head, store_hlc(s->st), s->batch);
		}
		if (rc != 0)
			return nz_fail(err, rc, "cannot encode a batch of %zu changes", wire_batch_count(s->batch));
		if (out->size <= budget || plain <= budget || wire_batch_count(s->batch) <= 1) {
			*pc = next; /* the batch that goes */
			return 0;
		}
		/* Compressed less than hoped: fewer changes, down to the budget itself. */
		plain = tries >= 2 ? budget : (size_t)((double)plain * budget / out->size * 0.9);
		if (plain < budget)
			plain = budget;
	}
}

/*
 * apply_batch applies changes from peer in one transaction with the cursor
 * update (cursor_sql, on the peer row), refusing what peer has no authority
 * over; refusals go to the quarantine and, when refusals is not NULL, to
 * the caller's list.
 */
static int
apply_batch(struct sync *s, const char *peer, bool from_child, const struct nz_change *changes, size_t n,
	    const char *cursor_sql, int64_t cur, int64_t token, struct wire_refusal *refusals,
	    size_t *nrefused, struct nz_err *err)
{
	int64_t qrows = -1, qbytes = 0;
	size_t i;
	int rc;

	*nrefused = 0;
	if ((rc = store_begin(s->st, err)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		const struct nz_change *c = &changes[i];
		const struct tbl_def *t = store_table(s->st, c->tbl);
		char reason[WIRE_TEXT_MAX];
		struct nz_err aerr = {0};

		reason[0] = '\0';
		/* A child speaks for its own subtree only: a change whose origin is
		 * outside it is a forgery, whoever it names (PROTOCOL.md §13). */
		if (from_child && !unit_within(c->origin, peer))
			snprintf(reason, sizeof(reason), "%s may not send changes of origin %s", peer, c->origin);
		else if (from_child && !unit_within(c->owner, peer))
			snprintf(reason, sizeof(reason), "%s may not write records of %s", peer, c->owner);
		else if (c->origin_seq > NZ_SEQ_MAX)
			snprintf(reason, sizeof(reason), "origin_seq %lld is above the limit %lld",
				 (long long)c->origin_seq, (long long)NZ_SEQ_MAX);
		else if (!from_child && !(unit_within(c->owner, s->self) ||
					  (t != NULL && t->vis == VIS_DIRECTIVE && unit_within(s->self, c->owner))))
			snprintf(reason, sizeof(reason), "a record of %s is not visible to %s", c->owner,
				 s->self);
		if (reason[0] == '\0') {
			rc = store_apply(s->st, c, peer, &aerr);
			if (rc == APPLY_NEW && !from_child)
				s->stats.pulled++;
			if (rc == APPLY_DUPLICATE)
				s->stats.duplicates++;
			if (rc == NZ_EINVAL)
				snprintf(reason, sizeof(reason), "%.*s", (int)sizeof(reason) - 1, aerr.msg);
			else if (rc < 0) {
				store_rollback(s->st);
				return nz_fail(err, rc, "%s", aerr.msg);
			}
		}
		if (reason[0] != '\0' && from_child) {
			if (qrows < 0 && (rc = quarantine_held(s, peer, &qrows, &qbytes, err)) != 0) {
				store_rollback(s->st);
				return rc;
			}
			if (qrows + 1 > s->lim.quarantine_max ||
			    qbytes + (int64_t)c->cols_len > s->lim.quarantine_bytes) {
				store_rollback(s->st);
				nz_log(NZ_LOG_WARN, "sync.quarantine_full", "peer=%s rows=%lld bytes=%lld", peer,
				       (long long)qrows, (long long)qbytes);
				return nz_fail(err, NZ_EQUOTA,
					       "%s keeps at most %lld refused changes (%lld MiB) from %s and this batch "
					       "would go over: nothing more is taken until an operator reviews them "
					       "('nehzat quarantine list')",
					       s->self, (long long)s->lim.quarantine_max,
					       (long long)(s->lim.quarantine_bytes >> 20), peer);
			}
			qrows++;
			qbytes += (int64_t)c->cols_len;
		}
		if (reason[0] != '\0') {
			quarantine(s, peer, c, reason);
			if (refusals != NULL) {
				struct wire_refusal *r = &refusals[(*nrefused)];
				snprintf(r->origin, sizeof(r->origin), "%s", c->origin);
				r->origin_seq = c->origin_seq;
				snprintf(r->reason, sizeof(r->reason), "%s", reason);
			}
			(*nrefused)++;
		}
	}
	if (peer_set(s, peer, cursor_sql, cur, token, now_ms()) != 0) {
		store_rollback(s->st);
		return store_sqlerr(s->st, err, "cursor");
	}
	return store_commit(s->st, err);
}

/* ---- parent side ---- */

static struct binding *
binding(struct sync *s, uint32_t pipe)
{
	int i;

	for (i = 0; i < s->nbind; i++)
		if (s->bind[i].pipe == pipe)
			return &s->bind[i];
	return NULL;
}

static const char *
bound(struct sync *s, uint32_t pipe)
{
	const struct binding *b = binding(s, pipe);

	return b != NULL ? b->child : NULL;
}

static void
bind_pipe(struct sync *s, uint32_t pipe, const char *child, uint32_t codec, uint32_t plain_max)
{
	int i;

	for (i = 0; i < s->nbind; i++)
		if (s->bind[i].pipe == pipe)
			break;
	if (i == s->nbind) {
		if (s->nbind == MAX_BINDINGS)
			i = 0; /* full: the oldest goes; it re-authenticates if still there */
		else
			s->nbind++;
	}
	memset(&s->bind[i].pend, 0, sizeof(s->bind[i].pend));
	s->bind[i].pipe = pipe;
	snprintf(s->bind[i].child, sizeof(s->bind[i].child), "%s", child);
	s->bind[i].codec = codec;
	s->bind[i].plain_max = plain_max;
}

void
sync_pipe_closed(struct sync *s, uint32_t pipe)
{
	int i;

	for (i = 0; i < s->nbind; i++)
		if (s->bind[i].pipe == pipe) {
			s->bind[i] = s->bind[--s->nbind];
			return;
		}
}


static void
reply_error(msgpack_sbuffer *out, int code, const char *msg)
{
	msgpack_sbuffer_clear(out);
	wire_enc_error(out, code, msg);
}

/* peer_blob reads a 32-byte key column of a peer's row. */
static int
peer_blob(struct sync *s, const char *id, const char *role, const char *col, uint8_t pk[32])
{
	char sql[96];
	sqlite3_stmt *q;
	int rc = NZ_ENOTFOUND;

	snprintf(sql, sizeof(sql), "SELECT %s FROM peer WHERE id = ? AND role = ?", col);
	if ((q = store_prepare(s->st, sql, NULL)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32) {
		memcpy(pk, sqlite3_column_blob(q, 0), 32);
		rc = 0;
	}
	sqlite3_reset(q);
	return rc;
}

/*
 * refuse_revoked answers ERROR for a child whose key was revoked (`nehzat
 * peer revoke`), says so in the log, and returns true; false otherwise.
 */
static bool
refuse_revoked(struct sync *s, const char *child, msgpack_sbuffer *out)
{
	int64_t at = peer_int(s, child, "revoked");
	char msg[WIRE_TEXT_MAX], when[32];

	if (at <= 0)
		return false;
	enrol_time_text(at, when, sizeof(when));
	snprintf(msg, sizeof(msg), "the key of %s was revoked at %s by %s", child, when, s->self);
	reply_error(out, NZ_EAUTH, msg);
	nz_log(NZ_LOG_WARN, "sync.auth", "child=%s result=revoked revoked_at=%s", child, when);
	return true;
}

/*
 * seq_claim_bad checks a HELLO's seen_parent_seq against what this node can
 * have written (PROTOCOL.md §12): no more than it holds, unless the child's
 * pull cursor is not in this node's log (this node was restored from an
 * older backup), and then no more than it holds plus that cursor, since
 * each change of ours took one position of the log the child read.
 */
static bool
seq_claim_bad(struct sync *s, const struct wire_hello *h, char *msg, size_t n)
{
	int64_t own = store_origin_max(s->st, s->self), floor = store_meta_get_int(s->st, "seq_floor", 0);
	int64_t limit = own > floor ? own : floor, head = store_log_head(s->st);
	bool restored = h->pull_cursor > head ||
			(h->pull_cursor > 0 && store_log_token(s->st, h->pull_cursor) != h->pull_token);

	if (restored)
		limit = h->pull_cursor > NZ_SEQ_MAX - limit ? NZ_SEQ_MAX : limit + h->pull_cursor;
	if (h->seen_parent_seq <= limit)
		return false;
	snprintf(msg, n, "seen_parent_seq %lld is above any sequence %s can have written (%lld)",
		 (long long)h->seen_parent_seq, s->self, (long long)limit);
	return true;
}

/* key_ack_name writes the meta key that holds child's acknowledgement of our next key. */
static void
key_ack_name(const char *child, char *buf, size_t n)
{
	snprintf(buf, n, "key_ack.%s", child);
}

/*
 * record_key_ack keeps, inside the caller's transaction, a child's
 * acknowledgement of our next key if its signature verifies with the key
 * that signed its HELLO; a forged or stale one is logged and ignored.
 */
static void
record_key_ack(struct sync *s, const struct wire_hello *h, const uint8_t child_pk[32])
{
	uint8_t msg[WIRE_SIGNED_MAX];
	char name[NZ_ID_MAX + 16], hex[65], was[65];
	size_t len;

	if (wire_next_key_signed(true, h->node_id, s->self, h->auth_counter, s->own_next_pk, msg, &len) != 0 ||
	    crypto_sign_verify_detached(h->key_ack, msg, len, child_pk) != 0) {
		nz_log(NZ_LOG_WARN, "sync.auth", "child=%s result=bad-key-ack", h->node_id);
		return;
	}
	key_ack_name(h->node_id, name, sizeof(name));
	sodium_bin2hex(hex, sizeof(hex), s->own_next_pk, 32);
	store_meta_get_text(s->st, name, was, sizeof(was));
	if (strcmp(was, hex) == 0)
		return;
	store_meta_set_text(s->st, name, hex, NULL);
	nz_log(NZ_LOG_INFO, "key.ack", "child=%s", h->node_id);
}

static void
serve_hello(struct sync *s, uint32_t pipe, const struct wire_hello *h, msgpack_sbuffer *out)
{
	struct wire_hello_ok ok;
	struct nz_err err = {0};
	uint8_t pk[32];
	char parent[NZ_ID_MAX], msg[WIRE_TEXT_MAX];
	bool rotated_to_next = false;
	int64_t last;

	if (strcmp(h->parent_id, s->self) != 0) {
		snprintf(msg, sizeof(msg), "this is %s, not %s", s->self, h->parent_id);
		reply_error(out, NZ_EDENIED, msg);
		return;
	}
	if (unit_parent(h->node_id, parent) != 0 || strcmp(parent, s->self) != 0 ||
	    peer_key(s, h->node_id, "child", pk) != 0) {
		/* Not a child, or one without a registered key: the same answer,
		 * so that a stranger learns nothing about which children exist. */
		snprintf(msg, sizeof(msg), "%s is not a registered child of %s", h->node_id, s->self);
		reply_error(out, NZ_EAUTH, msg);
		nz_log(NZ_LOG_WARN, "sync.auth", "child=%s result=unknown", h->node_id);
		return;
	}
	if (refuse_revoked(s, h->node_id, out))
		return;
	if (wire_hello_verify(h, pk) != 0) {
		/* The child may sign with the next key it announced (ROTATE). */
		if (peer_blob(s, h->node_id, "child", "pubkey_next", pk) != 0 || wire_hello_verify(h, pk) != 0) {
			reply_error(out, NZ_EAUTH, "signature does not verify with the registered key");
			nz_log(NZ_LOG_WARN, "sync.auth", "child=%s result=bad-signature", h->node_id);
			return;
		}
		rotated_to_next = true;
	}
	if (too_far_ahead(s, h->auth_counter, "its hello", msg, sizeof(msg))) {
		/* Nothing is stored and no clock moves: the child keeps its
		 * changes until its clock is set right (PROTOCOL.md §11). */
		reply_error(out, NZ_ECLOCK, msg);
		nz_log(NZ_LOG_WARN, "sync.clock", "child=%s ahead_ms=%lld", h->node_id,
		       (long long)((int64_t)hlc_ms(h->auth_counter) - sync_time_ms(s)));
		return;
	}
	if (seq_claim_bad(s, h, msg, sizeof(msg))) {
		reply_error(out, NZ_EPROTO, msg);
		nz_log(NZ_LOG_WARN, "sync.auth", "child=%s result=bad-seen-seq", h->node_id);
		return;
	}
	last = peer_int(s, h->node_id, "auth_counter");
	if ((int64_t)h->auth_counter <= last) {
		/* A replayed HELLO, or a child whose clock went back: it may retry above ours. */
		snprintf(msg, sizeof(msg), "stale hello: counter %llu, last accepted %lld",
			 (unsigned long long)h->auth_counter, (long long)last);
		reply_error(out, NZ_EAUTH, msg);
		return;
	}
	if (store_begin(s->st, &err) != 0) {
		reply_error(out, NZ_EBUSY, err.msg);
		return;
	}
	peer_set(s, h->node_id, "auth_counter = ?2, last_contact = ?3", (int64_t)h->auth_counter, now_ms(), 0);
	if (s->announcing && h->has_key_ack)
		record_key_ack(s, h, pk);
	if (rotated_to_next) {
		/* The first HELLO signed by the announced key: it is the key now. */
		peer_set(s, h->node_id, "pubkey = pubkey_next, pubkey_next = NULL", 0, 0, 0);
		nz_log(NZ_LOG_INFO, "peer.rotated", "child=%s", h->node_id);
	}
	/* The child has seen our changes up to this sequence: after a restore
	 * from backup, never hand out those sequence numbers again. */
	if (store_seq_floor(s->st, h->seen_parent_seq, &err) != 0 ||
	    store_hlc_observe(s->st, h->auth_counter, &err) != 0) {
		store_rollback(s->st);
		reply_error(out, NZ_EBUSY, err.msg);
		return;
	}
	if (store_commit(s->st, &err) != 0) {
		reply_error(out, NZ_EBUSY, err.msg);
		return;
	}
	memset(&ok, 0, sizeof(ok));
	if (h->has_codec) {
		/* Column numbers only when both number the same schema (PROTOCOL.md §6.1). */
		ok.has_codec = true;
		ok.codec.schema = s->schema.digest;
		ok.codec.flags = h->codec.flags & s->offer;
		if (h->codec.schema != s->schema.digest)
			ok.codec.flags &= ~WIRE_CODEC_COLNUMS;
		ok.codec.plain_max = (uint32_t)s->recv_max;
	}
	bind_pipe(s, pipe, h->node_id, ok.codec.flags, h->codec.plain_max);

	snprintf(ok.node_id, sizeof(ok.node_id), "%s", s->self);
	store_dbid(s->st, ok.dbid);
	ok.ack_cursor = peer_int(s, h->node_id, "ack");
	ok.ack_token = (uint64_t)peer_int(s, h->node_id, "ack_token");
	ok.seen_child_seq = store_origin_max(s->st, h->node_id);
	ok.head = store_log_head(s->st);
	ok.pull_reset = h->pull_cursor > 0 && (h->pull_cursor > ok.head ||
					       store_log_token(s->st, h->pull_cursor) != h->pull_token);
	ok.hlc = store_hlc(s->st);
	wire_hello_ok_sign(&ok, h->node_id, h->auth_counter, s->sk);
	if (s->announcing && ok.has_codec) {
		/* Our next key, signed by the current one; a child that predates it skips it (§10). */
		uint8_t bytes[WIRE_SIGNED_MAX];
		size_t len;

		ok.has_next_key = true;
		memcpy(ok.next_key, s->own_next_pk, 32);
		wire_next_key_signed(false, h->node_id, s->self, h->auth_counter, ok.next_key, bytes, &len);
		crypto_sign_detached(ok.next_sig, NULL, bytes, len, s->sk);
	}
	wire_enc_hello_ok(out, &ok);
	nz_log(NZ_LOG_INFO, "sync.hello", "child=%s ack=%lld head=%lld reset=%d codec=%u", h->node_id,
	       (long long)ok.ack_cursor, (long long)ok.head, ok.pull_reset, ok.codec.flags);
}

/*
 * backlog_sql makes the peer-row update of a batch (cols) also record what
 * the peer said it still has for us after it (pending, -1: not said, NULL).
 */
static const char *
backlog_sql(char *buf, size_t size, const char *cols, int64_t pending)
{
	if (pending >= 0)
		snprintf(buf, size, "%s, backlog = %lld", cols, (long long)pending);
	else
		snprintf(buf, size, "%s, backlog = NULL", cols);
	return buf;
}

static void
serve_push(struct sync *s, const char *child, const struct wire_push *p, msgpack_sbuffer *out)
{
	struct wire_push_ok ok;
	struct nz_err err = {0};
	char cursor[128];
	size_t nref = 0;
	int rc;

	char msg[WIRE_TEXT_MAX], what[96];
	size_t i;

	for (i = 0; i < p->nchanges; i++) {
		snprintf(what, sizeof(what), "change %s/%lld", p->changes[i].origin,
			 (long long)p->changes[i].origin_seq);
		if (too_far_ahead(s, p->changes[i].hlc, what, msg, sizeof(msg))) {
			/* The whole batch waits at the child, cursor unmoved. */
			reply_error(out, NZ_ECLOCK, msg);
			nz_log(NZ_LOG_WARN, "sync.clock", "child=%s %s", child, what);
			return;
		}
	}
	memset(&ok, 0, sizeof(ok));
	ok.refusals = p->nchanges ? calloc(p->nchanges, sizeof(*ok.refusals)) : NULL;
	if (p->nchanges > 0 && ok.refusals == NULL) {
		reply_error(out, NZ_ENOMEM, "out of memory");
		return;
	}
	rc = apply_batch(s, child, true, p->changes, p->nchanges,
			 backlog_sql(cursor, sizeof(cursor), "ack = ?2, ack_token = ?3, last_contact = ?4", p->pending),
			 p->upto, (int64_t)p->upto_token, ok.refusals, &nref, &err);
	if (rc != 0) {
		reply_error(out, rc, err.msg);
		free(ok.refusals);
		return;
	}
	ok.nrefusals = nref;
	ok.ack_cursor = p->upto;
	ok.ack_token = p->upto_token;
	ok.hlc = store_hlc(s->st);
	wire_enc_push_ok(out, &ok);
	free(ok.refusals);
	nz_log(NZ_LOG_DEBUG, "sync.push", "child=%s changes=%zu refused=%zu ack=%lld duplicates_total=%lld",
	       child, p->nchanges, nref, (long long)p->upto, (long long)s->stats.duplicates);
}

static void
serve_pull(struct sync *s, uint32_t pipe, const char *child, const struct wire_pull *p, msgpack_sbuffer *out)
{
	struct nz_err err = {0};
	struct binding *b = binding(s, pipe);
	struct pending none = {0};
	int64_t upto;
	size_t budget = s->batch_bytes;
	int rc;

	/* The child's push backlog is empty when it pulls: a watermark for reports. */
	peer_set(s, child, "last_sync = ?2, last_contact = ?2", now_ms(), 0, 0);
	/* The child's budget, when smaller than ours, rules (a thin link). */
	if (p->max_bytes >= 1024 && p->max_bytes < budget)
		budget = p->max_bytes;
	if (p->recover_from > 0)
		nz_log(NZ_LOG_INFO, "sync.recover", "child=%s cursor=%lld from_seq=%lld", child,
		       (long long)p->cursor, (long long)p->recover_from);
	rc = send_batch(s, child, false, p->cursor, p->recover_from, budget, b ? b->codec : 0,
			b ? b->plain_max : 0, b ? &b->pend : &none, out, &upto, &err);
	if (rc != 0) {
		reply_error(out, rc, err.msg);
		return;
	}
	/* What any child may hold of our log: a clock set right never restamps it. */
	if (upto > store_meta_get_int(s->st, "served_max", 0))
		store_meta_set_int(s->st, "served_max", upto, NULL);
	/* Where the child will read from next: what it still lacks is after it (status). */
	peer_set(s, child, "pull = ?2", upto, 0, 0);
	if (s->synced != NULL)
		s->synced(s->synced_arg, child);
}

/* serve_enrol registers a child's key by its one-time code (PROTOCOL.md §11, Enrolment). */
static void
serve_enrol(struct sync *s, const struct wire_enrol *e, msgpack_sbuffer *out)
{
	struct wire_enrol_ok ok;
	struct nz_err err = {0};
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len;
	int rc;

	if ((rc = enrol_accept(s->st, e, &err)) != 0) {
		reply_error(out, rc, err.msg);
		nz_log(NZ_LOG_WARN, "sync.enrol", "child=%s result=refused reason=\"%s\"", e->node_id, err.msg);
		return;
	}
	memset(&ok, 0, sizeof(ok));
	snprintf(ok.node_id, sizeof(ok.node_id), "%s", s->self);
	crypto_sign_ed25519_sk_to_pk(ok.pubkey, s->sk);
	wire_enrol_ok_signed(&ok, e->node_id, e->pubkey, msg, &len);
	crypto_sign_detached(ok.sig, NULL, msg, len, s->sk);
	wire_enc_enrol_ok(out, &ok);
	nz_log(NZ_LOG_INFO, "peer.enrolled", "child=%s", e->node_id);
}

/* serve_rotate records the next key of the child bound to this connection. */
static void
serve_rotate(struct sync *s, const char *child, const struct wire_rotate *r, msgpack_sbuffer *out)
{
	struct wire_rotate_ok ok;
	uint8_t pk[32], msg[WIRE_SIGNED_MAX];
	uint64_t counter = (uint64_t)peer_int(s, child, "auth_counter");
	sqlite3_stmt *q;
	size_t len;
	int step;

	if (peer_key(s, child, "child", pk) != 0 ||
	    wire_rotate_signed(false, child, s->self, counter, r->pubkey, msg, &len) != 0 ||
	    crypto_sign_verify_detached(r->sig_old, msg, len, pk) != 0 ||
	    crypto_sign_verify_detached(r->sig_new, msg, len, r->pubkey) != 0) {
		reply_error(out, NZ_EAUTH, "the next key is not signed by the current key and by itself");
		nz_log(NZ_LOG_WARN, "peer.rotate", "child=%s result=bad-signature", child);
		return;
	}
	if ((q = store_prepare(s->st, "UPDATE peer SET pubkey_next = ?2 WHERE id = ?1", NULL)) == NULL) {
		reply_error(out, NZ_EDB, "cannot record the next key");
		return;
	}
	sqlite3_bind_text(q, 1, child, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, r->pubkey, 32, SQLITE_STATIC);
	step = sqlite3_step(q);
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		reply_error(out, NZ_EBUSY, "cannot record the next key now");
		return;
	}
	wire_rotate_signed(true, child, s->self, counter, r->pubkey, msg, &len);
	crypto_sign_detached(ok.sig, NULL, msg, len, s->sk);
	wire_enc_rotate_ok(out, &ok);
	nz_log(NZ_LOG_INFO, "peer.rotate", "child=%s result=next-key-recorded", child);
}

void
sync_serve(struct sync *s, uint32_t pipe, const uint8_t *req, size_t len, msgpack_sbuffer *out)
{
	struct wire_msg m;
	struct nz_err err = {0};
	const char *child;
	int rc;

	msgpack_sbuffer_clear(out);
	if ((rc = wire_decode_with(req, len, &s->schema, s->recv_max, &m, &err)) != 0) {
		nz_log(NZ_LOG_WARN, "sync.bad_request", "pipe=%u error=\"%s\"", pipe, err.msg);
		reply_error(out, rc, err.msg);
		return;
	}
	if (m.type == WIRE_HELLO) {
		serve_hello(s, pipe, &m.hello, out);
	} else if (m.type == WIRE_ENROL) {
		serve_enrol(s, &m.enrol, out);
	} else if ((child = bound(s, pipe)) == NULL) {
		reply_error(out, NZ_EAUTH, "not authenticated on this connection: send HELLO first");
	} else if (refuse_revoked(s, child, out)) {
		/* Revoked while connected: refused at once, not at its next HELLO. */
		sync_pipe_closed(s, pipe);
	} else if (m.type == WIRE_ROTATE) {
		serve_rotate(s, child, &m.rotate, out);
	} else if (m.type == WIRE_PUSH) {
		serve_push(s, child, &m.push, out);
	} else if (m.type == WIRE_PULL) {
		serve_pull(s, pipe, child, &m.pull, out);
	} else {
		char msg[64];
		snprintf(msg, sizeof(msg), "%s is not a request", wire_type_name(m.type));
		reply_error(out, NZ_EPROTO, msg);
	}
	wire_msg_release(&m);
}

/* ---- child side ---- */

enum sync_phase
sync_child_phase(const struct sync *s)
{
	return s->phase;
}

const struct sync_stats *
sync_child_stats(const struct sync *s)
{
	return &s->stats;
}

const struct wire_schema *
sync_schema(const struct sync *s)
{
	return &s->schema;
}

int64_t
sync_backlog_up(struct sync *s)
{
	return store_log_pending(s->st, s->parent, true, peer_int(s, s->parent, "ack"), INT64_MAX);
}

/*
 * clock_check runs before each session.  A clock far ahead of this node's
 * time while the wall clock is not means the wall clock was ahead and has
 * been set right (or a peer's clock reached us): the changes we wrote
 * meanwhile and no peer holds yet get sane clocks, and so does the node
 * (store_clock_rewind), or our parent would refuse them until the real time
 * caught up with them.  What a peer holds keeps its stamp: our parent's
 * acknowledged position, and the furthest any child of ours has pulled.
 */
static int
clock_check(struct sync *s, struct nz_err *err)
{
	int64_t now = sync_time_ms(s), after, served, n = 0;
	uint64_t clock = store_hlc(s->st), ceiling;
	int rc;

	if (s->lim.max_clock_ahead_ms <= 0 || hlc_ms(clock) <= (uint64_t)(now + s->lim.max_clock_ahead_ms))
		return 0;
	ceiling = hlc_make((uint64_t)(now + s->lim.max_clock_ahead_ms), (uint16_t)HLC_LOGICAL_MASK);
	after = peer_int(s, s->parent, "ack");
	served = store_meta_get_int(s->st, "served_max", 0);
	if (served > after)
		after = served;
	if ((rc = store_begin(s->st, err)) != 0)
		return rc;
	if ((rc = store_clock_rewind(s->st, after, ceiling, &n, err)) != 0) {
		store_rollback(s->st);
		return rc;
	}
	/* Our own record of the counters we used ran ahead with the clock. */
	peer_set(s, s->parent, "auth_counter = min(auth_counter, ?2)", (int64_t)store_hlc(s->st), 0, 0);
	if ((rc = store_commit(s->st, err)) != 0)
		return rc;
	nz_log(NZ_LOG_WARN, "sync.clock_rewound", "parent=%s ahead_ms=%lld restamped=%lld after=%lld", s->parent,
	       (long long)((int64_t)hlc_ms(clock) - now), (long long)n, (long long)after);
	return 0;
}

int
sync_child_start(struct sync *s, msgpack_sbuffer *out, struct nz_err *err)
{
	struct wire_hello h;
	uint8_t next_pk[32];
	uint64_t counter;
	int rc;

	msgpack_sbuffer_clear(out);
	if (s->parent[0] == '\0')
		return nz_fail(err, NZ_ECONF, "the national node has no parent to sync with");
	if (peer_key(s, s->parent, "parent", s->parent_pk) != 0)
		return nz_fail(err, NZ_EAUTH,
			       "the parent's key is not registered: run 'nehzat peer add --id %s --key HEX' "
			       "with the output of 'nehzat key' on the parent",
			       s->parent);
	if ((rc = clock_check(s, err)) != 0)
		return rc;
	counter = store_hlc(s->st);
	if ((int64_t)counter <= peer_int(s, s->parent, "auth_counter"))
		counter = (uint64_t)peer_int(s, s->parent, "auth_counter") + 1;
	if ((rc = store_begin(s->st, err)) != 0)
		return rc;
	peer_set(s, s->parent, "auth_counter = ?2", (int64_t)counter, 0, 0);
	store_hlc_observe(s->st, counter, NULL);
	if ((rc = store_commit(s->st, err)) != 0)
		return rc;
	memset(&h, 0, sizeof(h));
	snprintf(h.node_id, sizeof(h.node_id), "%s", s->self);
	snprintf(h.parent_id, sizeof(h.parent_id), "%s", s->parent);
	store_dbid(s->st, h.dbid);
	h.auth_counter = counter;
	h.pull_cursor = peer_int(s, s->parent, "pull");
	h.pull_token = (uint64_t)peer_int(s, s->parent, "pull_token");
	h.seen_parent_seq = store_origin_max(s->st, s->parent);
	h.has_codec = true;
	h.codec.schema = s->schema.digest;
	h.codec.flags = s->offer;
	h.codec.plain_max = (uint32_t)s->recv_max;
	s->codec = 0;
	if (peer_blob(s, s->parent, "parent", "pubkey_next", next_pk) == 0) {
		/* We hold the parent's announced next key: say so, signed (§11). */
		uint8_t msg[WIRE_SIGNED_MAX];
		size_t len;

		wire_next_key_signed(true, s->self, s->parent, counter, next_pk, msg, &len);
		crypto_sign_detached(h.key_ack, NULL, msg, len, s->sk);
		h.has_key_ack = true;
	}
	wire_hello_sign(&h, s->sk);
	s->counter = counter;
	s->phase = PHASE_HELLO;
	s->stats.round_trips++;
	return wire_enc_hello(out, &h);
}

static int
next_push(struct sync *s, msgpack_sbuffer *out, struct nz_err *err)
{
	int64_t upto;
	int rc;

	if ((rc = send_batch(s, s->parent, true, s->push_cursor, 0, s->batch_bytes, s->codec, s->parent_plain, &s->up_pend,
			     out, &upto, err)) != 0 || out->size == 0)
		return rc; /* out empty: nothing after the acknowledged position */
	s->push_sent = upto;
	s->push_count = wire_batch_count(s->batch);
	s->phase = PHASE_PUSH;
	s->stats.batches++;
	s->stats.round_trips++;
	return 0;
}

static int
next_pull(struct sync *s, msgpack_sbuffer *out)
{
	struct wire_pull p;

	p.cursor = peer_int(s, s->parent, "pull");
	p.token = (uint64_t)peer_int(s, s->parent, "pull_token");
	p.max_bytes = (uint32_t)s->batch_bytes;
	p.recover_from = store_meta_get_int(s->st, "recover_from", 0);
	s->phase = PHASE_PULL;
	s->stats.round_trips++;
	return wire_enc_pull(out, &p);
}

int
sync_child_resume(struct sync *s, msgpack_sbuffer *out, struct nz_err *err)
{
	int rc;

	msgpack_sbuffer_clear(out);
	if (s->phase != PHASE_IDLE)
		return 0;
	if ((rc = next_push(s, out, err)) != 0 || out->size > 0)
		return rc;
	return next_pull(s, out);
}

/* send_rotate announces the next key, signed by the current one and by itself. */
static int
send_rotate(struct sync *s, msgpack_sbuffer *out)
{
	struct wire_rotate r;
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len;
	int rc;

	crypto_sign_ed25519_sk_to_pk(r.pubkey, s->next_sk);
	if ((rc = wire_rotate_signed(false, s->self, s->parent, s->counter, r.pubkey, msg, &len)) != 0)
		return rc;
	crypto_sign_detached(r.sig_old, NULL, msg, len, s->sk);
	crypto_sign_detached(r.sig_new, NULL, msg, len, s->next_sk);
	s->phase = PHASE_ROTATE;
	s->stats.round_trips++;
	return wire_enc_rotate(out, &r);
}

/* on_rotate_ok makes the next key ours once the parent has recorded it. */
static int
on_rotate_ok(struct sync *s, const struct wire_rotate_ok *ok, msgpack_sbuffer *out, struct nz_err *err)
{
	uint8_t pk[32], msg[WIRE_SIGNED_MAX];
	size_t len;
	int rc;

	crypto_sign_ed25519_sk_to_pk(pk, s->next_sk);
	if (wire_rotate_signed(true, s->self, s->parent, s->counter, pk, msg, &len) != 0 ||
	    crypto_sign_verify_detached(ok->sig, msg, len, s->parent_pk) != 0)
		return nz_fail(err, NZ_EAUTH, "the parent's ROTATE_OK does not verify with its registered key");
	if (s->rotated != NULL && (rc = s->rotated(s->rotated_arg, s->next_sk, err)) != 0)
		return rc;
	sync_switch_key(s, s->next_sk);
	sodium_memzero(s->next_sk, sizeof(s->next_sk));
	s->rotating = false;
	nz_log(NZ_LOG_INFO, "key.rotated", "parent=%s", s->parent);
	s->phase = PHASE_IDLE;
	return sync_child_resume(s, out, err);
}

bool
sync_rotate_to(struct sync *s, const uint8_t next_sk[64], sync_rotated_cb done, void *arg)
{
	if (s->rotate_refused)
		return false;
	memcpy(s->next_sk, next_sk, sizeof(s->next_sk));
	s->rotating = true;
	s->rotated = done;
	s->rotated_arg = arg;
	return true;
}

void
sync_announce_key(struct sync *s, const uint8_t next_sk[64])
{
	sqlite3_stmt *q;
	bool children = false;

	if (s->announcing && memcmp(s->own_next_sk, next_sk, 64) == 0)
		return;
	if ((q = store_prepare(s->st, "SELECT 1 FROM peer WHERE role = 'child' LIMIT 1", NULL)) != NULL) {
		children = sqlite3_step(q) == SQLITE_ROW;
		sqlite3_reset(q);
	}
	if (!children)
		return; /* nobody pinned our key: nothing to announce */
	memcpy(s->own_next_sk, next_sk, 64);
	crypto_sign_ed25519_sk_to_pk(s->own_next_pk, s->own_next_sk);
	s->announcing = true;
	/* Children bound before hear of it only in a HELLO_OK: their next
	 * request is refused as unbound, and their new session says HELLO (§11). */
	nz_log(NZ_LOG_INFO, "key.rotate", "state=announcing-to-children sessions_ended=%d", s->nbind);
	s->nbind = 0;
}

int64_t
sync_key_unacked(struct sync *s)
{
	sqlite3_stmt *q;
	char hex[65];
	int64_t n = -1;

	if (!s->announcing)
		return 0;
	sodium_bin2hex(hex, sizeof(hex), s->own_next_pk, 32);
	if ((q = store_prepare(s->st,
			       "SELECT count(*) FROM peer WHERE role = 'child' AND revoked = 0 AND pubkey IS NOT NULL"
			       " AND coalesce((SELECT value FROM meta WHERE key = 'key_ack.' || peer.id), '') <> ?1",
			       NULL)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, hex, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return n;
}

void
sync_switch_key(struct sync *s, const uint8_t next_sk[64])
{
	memcpy(s->sk, next_sk, sizeof(s->sk));
	if (s->announcing) {
		s->announcing = false;
		sodium_memzero(s->own_next_sk, sizeof(s->own_next_sk));
		sqlite3_exec(store_db(s->st), "DELETE FROM meta WHERE key LIKE 'key\\_ack.%' ESCAPE '\\'"
					      " OR key = 'key_finish'", NULL, NULL, NULL);
	}
}

bool
sync_rotating(const struct sync *s)
{
	return s->rotating;
}

/*
 * parent_key_check verifies a HELLO_OK with the parent's registered key or
 * with the next key it announced; the first HELLO_OK signed by the next key
 * makes it the registered one, and the old key is refused from then on.
 * An announcement of a next key is recorded if the current key signed it,
 * else logged and ignored (PROTOCOL.md §11, Rotation of a parent's key);
 * *recorded tells whether it was new.
 */
static int
parent_key_check(struct sync *s, const struct wire_hello_ok *ok, bool *recorded, struct nz_err *err)
{
	uint8_t next_pk[32], msg[WIRE_SIGNED_MAX];
	sqlite3_stmt *q;
	size_t len;

	if (wire_hello_ok_verify(ok, s->self, s->counter, s->parent_pk) != 0) {
		if (peer_blob(s, s->parent, "parent", "pubkey_next", next_pk) != 0 ||
		    wire_hello_ok_verify(ok, s->self, s->counter, next_pk) != 0)
			return nz_fail(err, NZ_EAUTH, "the parent's signature does not verify with its registered key");
		peer_set(s, s->parent, "pubkey = pubkey_next, pubkey_next = NULL", 0, 0, 0);
		memcpy(s->parent_pk, next_pk, 32);
		nz_log(NZ_LOG_INFO, "parent.rotated", "parent=%s", s->parent);
	}
	if (!ok->has_next_key || memcmp(ok->next_key, s->parent_pk, 32) == 0)
		return 0;
	if (wire_next_key_signed(false, s->self, s->parent, s->counter, ok->next_key, msg, &len) != 0 ||
	    crypto_sign_verify_detached(ok->next_sig, msg, len, s->parent_pk) != 0) {
		nz_log(NZ_LOG_WARN, "sync.auth", "parent=%s result=bad-next-key-signature ignored=yes", s->parent);
		return 0;
	}
	if (peer_blob(s, s->parent, "parent", "pubkey_next", next_pk) == 0 && memcmp(next_pk, ok->next_key, 32) == 0)
		return 0;
	if ((q = store_prepare(s->st, "UPDATE peer SET pubkey_next = ?2 WHERE id = ?1 AND role = 'parent'", NULL)) ==
	    NULL)
		return nz_fail(err, NZ_EDB, "cannot record the parent's next key: %s", sqlite3_errmsg(store_db(s->st)));
	sqlite3_bind_text(q, 1, s->parent, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, ok->next_key, 32, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		sqlite3_reset(q);
		return nz_fail(err, NZ_EDB, "cannot record the parent's next key: %s", sqlite3_errmsg(store_db(s->st)));
	}
	sqlite3_reset(q);
	*recorded = true;
	nz_log(NZ_LOG_INFO, "parent.key_next", "parent=%s state=recorded", s->parent);
	return 0;
}

static int
on_hello_ok(struct sync *s, const struct wire_hello_ok *ok, msgpack_sbuffer *out, struct nz_err *err)
{
	uint8_t old_dbid[16];
	sqlite3_stmt *q;
	bool dbid_changed = false, next_recorded = false;
	int64_t own, offset;
	int rc;

	if (strcmp(ok->node_id, s->parent) != 0)
		return nz_fail(err, NZ_EAUTH, "expected parent %s, %s answered", s->parent, ok->node_id);
	if ((rc = parent_key_check(s, ok, &next_recorded, err)) != 0)
		return rc;
	/* An older parent says nothing of a codec: names, uncompressed (PROTOCOL.md §6.1). */
	s->codec = ok->has_codec ? ok->codec.flags & s->offer : 0;
	if (ok->has_codec && ok->codec.schema != s->schema.digest)
		s->codec &= ~WIRE_CODEC_COLNUMS;
	s->parent_plain = ok->has_codec ? ok->codec.plain_max : 0;
	if (sqlite3_prepare_v2(store_db(s->st), "SELECT dbid FROM peer WHERE id = ?", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(q, 1, s->parent, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 16) {
			memcpy(old_dbid, sqlite3_column_blob(q, 0), 16);
			dbid_changed = memcmp(old_dbid, ok->dbid, 16) != 0;
		}
		sqlite3_finalize(q);
	}
	if ((rc = store_begin(s->st, err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(s->st), "UPDATE peer SET dbid = ?2 WHERE id = ?1", -1, &q, NULL) ==
	    SQLITE_OK) {
		sqlite3_bind_text(q, 1, s->parent, -1, SQLITE_STATIC);
		sqlite3_bind_blob(q, 2, ok->dbid, 16, SQLITE_STATIC);
		sqlite3_step(q);
		sqlite3_finalize(q);
	}
	if (ok->pull_reset || dbid_changed) {
		nz_log(NZ_LOG_WARN, "sync.reset", "parent=%s reason=%s", s->parent,
		       dbid_changed ? "database-identity-changed" : "cursor-not-in-parent-log");
		peer_set(s, s->parent, "pull = 0, pull_token = 0", 0, 0, 0);
	}
	/* Our log must hold the entry the parent acknowledged, or it was restored. */
	if (ok->ack_cursor > 0 && store_log_token(s->st, ok->ack_cursor) != ok->ack_token) {
		nz_log(NZ_LOG_WARN, "sync.reset", "parent=%s reason=our-log-differs ack=%lld", s->parent,
		       (long long)ok->ack_cursor);
		s->push_cursor = 0;
	} else {
		s->push_cursor = ok->ack_cursor;
	}
	if (ok->ack_cursor < peer_int(s, s->parent, "ack"))
		nz_log(NZ_LOG_WARN, "sync.parent_behind", "parent=%s ack=%lld was=%lld resending=yes",
		       s->parent, (long long)ok->ack_cursor, (long long)peer_int(s, s->parent, "ack"));
	/*
	 * The parent holds changes of ours we do not: we were restored from an
	 * older backup, or made anew.  Our pulls ask them back until we are in
	 * step (PROTOCOL.md §12); meanwhile nothing we write reuses their numbers.
	 */
	own = store_origin_max(s->st, s->self);
	if (ok->seen_child_seq > NZ_SEQ_MAX) {
		store_rollback(s->st);
		return nz_fail(err, NZ_EPROTO, "the parent says it holds our sequence %lld, above the limit %lld",
			       (long long)ok->seen_child_seq, (long long)NZ_SEQ_MAX);
	}
	if (ok->seen_child_seq > own && store_meta_get_int(s->st, "recover_from", 0) == 0) {
		nz_log(NZ_LOG_WARN, "sync.recover", "parent=%s ours=%lld parent_holds=%lld", s->parent,
		       (long long)own, (long long)ok->seen_child_seq);
		store_meta_set_int(s->st, "recover_from", own + 1, NULL);
	}
	store_seq_floor(s->st, ok->seen_child_seq, NULL);
	peer_set(s, s->parent, "ack = ?2, head = ?3, last_contact = ?4, last_error = ''", s->push_cursor,
		 ok->head, now_ms());
	store_hlc_observe(s->st, ok->hlc, NULL);
	/* The parent's time, as far as it is ahead of our wall clock, is ours (sync_time_ms). */
	offset = (int64_t)(hlc_ms(ok->hlc) > (uint64_t)INT64_MAX ? INT64_MAX : hlc_ms(ok->hlc)) - now_ms();
	store_meta_set_int(s->st, "parent_clock_offset", offset > 0 ? offset : 0, NULL);
	if ((rc = store_commit(s->st, err)) != 0)
		return rc;
	nz_log(NZ_LOG_INFO, "sync.connected", "parent=%s ack=%lld head=%lld", s->parent,
	       (long long)s->push_cursor, (long long)ok->head);
	if (next_recorded)
		return sync_child_start(s, out, err); /* a new HELLO acknowledges the parent's next key */
	if (s->rotating)
		return send_rotate(s, out);
	s->phase = PHASE_IDLE;
	return sync_child_resume(s, out, err);
}

int
sync_child_reply(struct sync *s, const uint8_t *buf, size_t len, msgpack_sbuffer *out, struct nz_err *err)
{
	struct wire_msg m;
	char cursor[128];
	size_t i, nref = 0;
	int rc;

	msgpack_sbuffer_clear(out);
	s->stats.bytes_received += (int64_t)len;
	if ((rc = wire_decode_with(buf, len, &s->schema, s->recv_max, &m, err)) != 0)
		return rc;
	if (m.type == WIRE_ERROR) {
		rc = nz_fail(err, m.error.code < 0 && m.error.code > NZ_ECODES ? m.error.code : NZ_EPROTO,
			     "parent refused: %s", m.error.message);
		if (s->phase == PHASE_ROTATE) {
			/* An older parent, or one that will not take the key: sync on
			 * with the current key rather than ask again in a loop. */
			nz_log(NZ_LOG_ERROR, "key.rotate", "parent=%s result=refused reason=\"%s\"", s->parent,
			       m.error.message);
			s->rotating = false;
			s->rotate_refused = true;
			sodium_memzero(s->next_sk, sizeof(s->next_sk));
		}
		goto out;
	}
	switch (s->phase) {
	case PHASE_HELLO:
		if (m.type != WIRE_HELLO_OK)
			break;
		rc = on_hello_ok(s, &m.hello_ok, out, err);
		goto out;
	case PHASE_PUSH:
		if (m.type != WIRE_PUSH_OK)
			break;
		if (m.push_ok.ack_cursor != s->push_sent) {
			rc = nz_fail(err, NZ_EPROTO, "parent acknowledged %lld, we sent up to %lld",
				     (long long)m.push_ok.ack_cursor, (long long)s->push_sent);
			goto out;
		}
		s->stats.pushed += (int64_t)s->push_count;
		for (i = 0; i < m.push_ok.nrefusals; i++) {
			nz_log(NZ_LOG_WARN, "sync.refused_by_parent", "origin=%s seq=%lld reason=\"%s\"",
			       m.push_ok.refusals[i].origin, (long long)m.push_ok.refusals[i].origin_seq,
			       m.push_ok.refusals[i].reason);
			s->stats.refused++;
		}
		s->push_cursor = m.push_ok.ack_cursor;
		peer_set(s, s->parent, "ack = ?2, ack_token = ?3, last_contact = ?4", s->push_cursor,
			 (int64_t)m.push_ok.ack_token, now_ms());
		store_hlc_observe(s->st, m.push_ok.hlc, NULL);
		s->phase = PHASE_IDLE;
		rc = sync_child_resume(s, out, err);
		goto out;
	case PHASE_PULL:
		if (m.type != WIRE_PULL_OK)
			break;
		rc = apply_batch(s, s->parent, false, m.pull_ok.changes, m.pull_ok.nchanges,
				 backlog_sql(cursor, sizeof(cursor), "pull = ?2, pull_token = ?3, last_contact = ?4",
					     m.pull_ok.pending),
				 m.pull_ok.upto,
				 (int64_t)m.pull_ok.upto_token, NULL, &nref, err);
		if (rc != 0)
			goto out;
		s->stats.refused += (int64_t)nref;
		peer_set(s, s->parent, "head = ?2", m.pull_ok.head, 0, 0);
		s->phase = PHASE_IDLE;
		if (m.pull_ok.more) {
			rc = next_pull(s, out);
			goto out;
		}
		/* Pushed, then pulled through: the last successful exchange. */
		peer_set(s, s->parent, "last_sync = ?2", now_ms(), 0, 0);
		/* The parent's log is read through: what we had lost of ours is back. */
		if (store_meta_get_int(s->st, "recover_from", 0) > 0) {
			nz_log(NZ_LOG_INFO, "sync.recovered", "parent=%s ours=%lld", s->parent,
			       (long long)store_origin_max(s->st, s->self));
			store_meta_set_int(s->st, "recover_from", 0, NULL);
		}
		/* In step with the parent: push anything written meanwhile. */
		rc = next_push(s, out, err);
		if (rc == 0 && out->size == 0)
			s->phase = PHASE_IDLE;
		goto out;
	case PHASE_ROTATE:
		if (m.type != WIRE_ROTATE_OK)
			break;
		rc = on_rotate_ok(s, &m.rotate_ok, out, err);
		goto out;
	case PHASE_IDLE:
		break;
	}
	rc = nz_fail(err, NZ_EPROTO, "unexpected %s from the parent", wire_type_name(m.type));
out:
	wire_msg_release(&m);
	return rc;
}
