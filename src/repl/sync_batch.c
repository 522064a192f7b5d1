#include <stdio.h>
#include <string.h>

#include "base/unit.h"
#include "repl/sync_int.h"

/*
 * What this node sends a peer: the routing of the change log (what goes up
 * to the parent, what goes down to a child) and its batches, the PUSHes of
 * a child and the PULL_OKs of a parent (PROTOCOL.md §6, §13).
 */

#define SCAN_ROWS 20000 /* log entries looked at for one batch, at most */
/* How much bigger than its budget a batch may be before compression. */
#define ZSTD_STRETCH 8

/*
 * What a child asks back of its own changes, when it lost them (restored
 * from an older backup, or made anew): those it wrote with an origin
 * sequence of recover_from or more (0: none).
 */
/* Whether a log entry goes to peer: never back where it came from (but for
 * the peer's own changes it asks back); up only what the parent may hold;
 * down only what the child may see. */
static bool
route_to(const char *self, const char *peer, bool up, const char *owner, bool dir, const char *via, const char *origin,
	 int64_t origin_seq, int64_t recover_from)
{
	if (strcmp(via, peer) == 0)
		return recover_from > 0 && origin_seq >= recover_from && strcmp(origin, peer) == 0;
	if (up)
		return unit_within(owner, self);
	return unit_within(owner, peer) || (dir && unit_within(peer, owner));
}

/*
 * child_only tells whether a log entry goes to no child of self without
 * being asked back: it came through a child (via) and is owned inside that
 * child's subtree, which no sibling sees (PROTOCOL.md §13).
 */
static bool
child_only(const char *self, const char *via, const char *owner)
{
	char parent[NZ_ID_MAX];

	return via[0] != '\0' && unit_parent(via, parent) == 0 && strcmp(parent, self) == 0 &&
	       unit_within(owner, via);
}

/* col_copy copies text column i of q's row into out (n bytes); -1 when it does not fit. */
static int
col_copy(char *out, size_t n, sqlite3_stmt *q, int i)
{
	const unsigned char *v = sqlite3_column_text(q, i);
	size_t len = (size_t)sqlite3_column_bytes(q, i);

	if (v == NULL || len >= n)
		return -1;
	memcpy(out, v, len + 1);
	return 0;
}

/*
 * skip_at steps pos over the stretch it lies in (lo <= pos < hi) and returns
 * where to read after; *next is where the following stretch begins (its lo,
 * itself outside it), INT64_MAX when none does.
 */
static int64_t
skip_at(const struct sync *s, int64_t pos, int64_t *next)
{
	int a = 0, b = s->nskip, m;

	while (a < b) { /* the first stretch ending after pos */
		m = a + (b - a) / 2;
		if (s->skip[m].hi <= pos)
			a = m + 1;
		else
			b = m;
	}
	if (a < s->nskip && s->skip[a].lo <= pos)
		pos = s->skip[a++].hi;
	*next = a < s->nskip ? s->skip[a].lo : INT64_MAX;
	return pos;
}

/* A stretch shorter than this is not kept unless it joins one kept. */
#define SPAN_MIN 32

/* learn keeps (lo, hi] as a stretch no child takes, merged with those it touches. */
static void
learn(struct sync *s, int64_t lo, int64_t hi)
{
	int i = 0, j;

	if (hi <= lo)
		return;
	while (i < s->nskip && s->skip[i].hi < lo)
		i++;
	for (j = i; j < s->nskip && s->skip[j].lo <= hi; j++)
		;
	if (j > i) {
		s->skip[i].lo = s->skip[i].lo < lo ? s->skip[i].lo : lo;
		s->skip[i].hi = s->skip[j - 1].hi > hi ? s->skip[j - 1].hi : hi;
		memmove(&s->skip[i + 1], &s->skip[j], (size_t)(s->nskip - j) * sizeof(s->skip[0]));
		s->nskip -= j - i - 1;
		return;
	}
	if (s->nskip == SPANS_MAX || hi - lo < SPAN_MIN)
		return;
	memmove(&s->skip[i + 1], &s->skip[i], (size_t)(s->nskip - i) * sizeof(s->skip[0]));
	s->skip[i] = (struct span){lo, hi};
	s->nskip++;
}

/*
 * fill_batch scans the log after `from` for entries routed to peer and adds
 * them to the batch until it is full; *upto is the position covered (every
 * entry up to it is either in the batch or not for this peer).  It learns
 * the stretches no child takes as it reads, and a child's pull that asks
 * nothing back steps over them (at national, the other provinces' changes).
 */
static int
fill_batch(struct sync *s, const char *peer, bool up, int64_t from, int64_t recover_from, size_t max, int64_t *upto,
	   uint64_t *token, struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(s->st,
					"SELECT seq, origin, origin_seq, hlc, tbl, rid, owner, dir, author,"
					" cols, via, rowcols FROM oplog WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
					err);
	bool skipping = !up && recover_from == 0, full = false, jumped = false;
	int64_t pos = from, stop = INT64_MAX, run, last, past;
	int step = SQLITE_DONE, rc = 0, scanned = 0;

	wire_batch_reset(s->batch);
	*upto = from;
	*token = store_log_token(s->st, from);
	if (q == NULL)
		return NZ_EDB;
	while (!full && rc == 0 && scanned < SCAN_ROWS) {
		if (skipping && (past = skip_at(s, pos, &stop)) != pos) {
			s->stats.skipped += past - pos;
			pos = *upto = past;
			jumped = true;
		}
		sqlite3_bind_int64(q, 1, pos);
		sqlite3_bind_int64(q, 2, stop);
		sqlite3_bind_int(q, 3, SCAN_ROWS - scanned);
		run = -1;
		last = pos;
		while ((step = sqlite3_step(q)) == SQLITE_ROW) {
			struct nz_change c;
			int64_t seq = sqlite3_column_int64(q, 0);
			const char *owner = (const char *)sqlite3_column_text(q, 6);
			const char *via = (const char *)sqlite3_column_text(q, 10);
			bool dir = sqlite3_column_int(q, 7) != 0;

			scanned++;
			if (child_only(s->self, via, owner)) {
				if (run < 0)
					run = last;
			} else if (run >= 0) {
				learn(s, run, last);
				run = -1;
			}
			if (route_to(s->self, peer, up, owner, dir, via, (const char *)sqlite3_column_text(q, 1),
				     sqlite3_column_int64(q, 2), recover_from)) {
				/* Copied as they are (snprintf's formatting was a sixth of a sender's time). */
				if (col_copy(c.origin, sizeof(c.origin), q, 1) != 0 ||
				    col_copy(c.tbl, sizeof(c.tbl), q, 4) != 0 || col_copy(c.rid, sizeof(c.rid), q, 5) != 0 ||
				    col_copy(c.owner, sizeof(c.owner), q, 6) != 0 ||
				    col_copy(c.author, sizeof(c.author), q, 8) != 0) {
					rc = nz_fail(err, NZ_EDB, "change log entry %lld: a field is missing or too long",
						     (long long)seq);
					break;
				}
				c.origin_seq = sqlite3_column_int64(q, 2);
				c.hlc = (uint64_t)sqlite3_column_int64(q, 3);
				/* Its values as the entry keeps them, and those of its record's row it refers to. */
				if ((rc = store_log_cols(s->st, c.tbl, c.rid, seq, sqlite3_column_blob(q, 9),
							 (size_t)sqlite3_column_bytes(q, 9), sqlite3_column_int64(q, 11),
							 &c.cols, &c.cols_len, err)) != 0)
					break;
				rc = wire_batch_add(s->batch, &c, max);
				if ((rc == NZ_ETOOBIG || rc == NZ_ENOTFOUND) && wire_batch_count(s->batch) > 0) {
					rc = 0;
					full = true;
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
			last = *upto = seq;
			*token = (uint64_t)sqlite3_column_int64(q, 3);
			jumped = false;
		}
		if (run >= 0)
			learn(s, run, last);
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = store_sqlerr(s->st, err, "read change log");
		sqlite3_reset(q);
		if (stop == INT64_MAX)
			break; /* read to the log's head, or as far as one batch reads */
		pos = stop; /* read up to a stretch: step over it */
	}
	if (jumped)
		*token = store_log_token(s->st, *upto);
	return rc;
}

/* log_pending counts what goes to peer in (after, until], stepping over the stretches no child takes. */
static int64_t
log_pending(struct sync *s, const char *peer, bool up, int64_t after, int64_t until)
{
	int64_t n = 0, next, v;

	if (up)
		return store_log_pending(s->st, peer, up, after, until);
	for (;;) {
		if ((after = skip_at(s, after, &next)) >= until)
			return n;
		if ((v = store_log_pending(s->st, peer, false, after, next < until ? next : until)) < 0)
			return -1;
		n += v;
		if (next >= until)
			return n;
		after = next;
	}
}

/*
 * pending_after counts the log entries after upto that go to peer (head: our
 * log head), from what the batch sent before left pending (pc) when it ended
 * at from: one count over the log after upto per session, then one over each
 * batch's range (unless the caller knows it: sent, else -1) and what was
 * logged since.  *next is what this batch leaves pending.  -1 when the log
 * cannot be read.
 */
static int64_t
pending_after(struct sync *s, const struct pending *pc, const char *peer, bool up, int64_t from, int64_t upto,
	      int64_t head, int64_t sent, struct pending *next)
{
	int64_t since = -1, n;

	if (!up && upto >= head)
		n = 0; /* read through */
	else if (pc->valid && pc->upto == from && pc->head <= head &&
		 (sent >= 0 || (sent = log_pending(s, peer, up, from, upto)) >= 0) &&
		 (since = log_pending(s, peer, up, pc->head, head)) >= 0 && pc->n - sent + since >= 0)
		n = pc->n - sent + since;
	else
		n = log_pending(s, peer, up, upto, head);
	next->valid = n >= 0;
	next->upto = upto;
	next->head = head;
	next->n = n;
	return n;
}

int
sync_send_batch(struct sync *s, const char *peer, bool up, int64_t from, int64_t recover_from, size_t budget,
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
		/* Where the last batch to this peer came to its budget: filled once, not twice. */
		if (pc->plain >= budget && pc->plain < plain)
			plain = pc->plain;
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
		/*
		 * Up, every entry of (from, upto] routed to the parent is in the
		 * batch (store_log_pending's routing is route_to's): no need to count
		 * them again.
		 */
		wire_batch_pending(s->batch, pending_after(s, pc, peer, up, from, *upto, head,
							   up && recover_from == 0 ? (int64_t)wire_batch_count(s->batch) : -1,
							   &next));
		if (up) {
			rc = wire_enc_push(out, *upto, token, s->batch);
		} else {
			rc = wire_enc_pull_ok(out, *upto, token, *upto < head, head, store_hlc(s->st), s->batch);
		}
		if (rc != 0)
			return nz_fail(err, rc, "cannot encode a batch of %zu changes", wire_batch_count(s->batch));
		if (out->size <= budget || plain <= budget || wire_batch_count(s->batch) <= 1) {
			/* The next batch starts at what would have filled this one's budget (at what
			 * this one was given, when the log ran out before it was full). */
			next.plain = !s->zstd_now ? 0
				     : out->size < budget / 2 ? plain
				     : (size_t)((double)plain * budget / out->size * 0.95);
			*pc = next; /* the batch that goes */
			return 0;
		}
		/* Compressed less than hoped: fewer changes, down to the budget itself. */
		plain = tries >= 2 ? budget : (size_t)((double)plain * budget / out->size * 0.9);
		if (plain < budget)
			plain = budget;
	}
}
