#include "repl/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "base/unit.h"
#include "repl/enrol.h"
#include "repl/sync_int.h"
#include "store/hlc.h"

/*
 * The parent's side of the sync protocol: each request that arrives on a
 * connection (pipe) becomes one reply.  A HELLO binds the pipe to the child
 * it authenticates; PUSH, PULL and ROTATE are taken only on a bound pipe.
 */

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
	snprintf(msg, n, "this computer's clock is %s ahead of %s's (%s; the limit is %s): fix it", d, s->self, what,
		 m);
	return true;
}

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

/*
 * refuse_revoked answers ERROR for a child whose key was revoked (`nehzat
 * peer revoke`), says so in the log, and returns true; false otherwise.
 */
static bool
refuse_revoked(struct sync *s, const char *child, msgpack_sbuffer *out)
{
	int64_t at = sync_peer_int(s, child, "revoked");
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
	    sync_peer_key(s, h->node_id, "child", pk) != 0) {
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
		if (sync_peer_blob(s, h->node_id, "child", "pubkey_next", pk) != 0 || wire_hello_verify(h, pk) != 0) {
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
	last = sync_peer_int(s, h->node_id, "auth_counter");
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
	sync_peer_set(s, h->node_id, "auth_counter = ?2, last_contact = ?3", (int64_t)h->auth_counter, sync_now_ms(),
		      0);
	if (s->announcing && h->has_key_ack)
		sync_key_ack_record(s, h, pk);
	if (rotated_to_next) {
		/* The first HELLO signed by the announced key: it is the key now. */
		sync_peer_set(s, h->node_id, "pubkey = pubkey_next, pubkey_next = NULL", 0, 0, 0);
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
	ok.ack_cursor = sync_peer_int(s, h->node_id, "ack");
	ok.ack_token = (uint64_t)sync_peer_int(s, h->node_id, "ack_token");
	ok.seen_child_seq = store_origin_max(s->st, h->node_id);
	ok.head = store_log_head(s->st);
	ok.pull_reset = h->pull_cursor > 0 &&
			(h->pull_cursor > ok.head || store_log_token(s->st, h->pull_cursor) != h->pull_token);
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

static void
serve_push(struct sync *s, const char *child, const struct wire_push *p, msgpack_sbuffer *out)
{
	struct wire_push_ok ok;
	struct nz_err err = {0};
	size_t nref = 0;
	int rc;

	char msg[WIRE_TEXT_MAX], what[96];
	uint64_t latest = 0;
	size_t i;

	/* The batch's latest clock first: the node's time is read once, not per change. */
	for (i = 0; i < p->nchanges; i++)
		latest = p->changes[i].hlc > latest ? p->changes[i].hlc : latest;
	if (p->nchanges > 0 && too_far_ahead(s, latest, "", msg, sizeof(msg))) {
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
	}
	memset(&ok, 0, sizeof(ok));
	ok.refusals = p->nchanges ? calloc(p->nchanges, sizeof(*ok.refusals)) : NULL;
	if (p->nchanges > 0 && ok.refusals == NULL) {
		reply_error(out, NZ_ENOMEM, "out of memory");
		return;
	}
	rc = sync_apply_batch(s, child, true, p->changes, p->nchanges, "ack = ?2, ack_token = ?3, last_contact = ?4",
			      p->upto, (int64_t)p->upto_token, p->pending, ok.refusals, &nref, &err);
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
	nz_log(NZ_LOG_DEBUG, "sync.push", "child=%s changes=%zu refused=%zu ack=%lld duplicates_total=%lld", child,
	       p->nchanges, nref, (long long)p->upto, (long long)s->stats.duplicates);
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

	/* The child's budget, when smaller than ours, rules (a thin link). */
	if (p->max_bytes >= 1024 && p->max_bytes < budget)
		budget = p->max_bytes;
	if (p->recover_from > 0)
		nz_log(NZ_LOG_INFO, "sync.recover", "child=%s cursor=%lld from_seq=%lld", child, (long long)p->cursor,
		       (long long)p->recover_from);
	rc = sync_send_batch(s, child, false, p->cursor, p->recover_from, budget, b ? b->codec : 0,
			     b ? b->plain_max : 0, b ? &b->pend : &none, out, &upto, &err);
	if (rc != 0) {
		reply_error(out, rc, err.msg);
		return;
	}
	/* What any child may hold of our log: a clock set right never restamps it. */
	if (upto > store_meta_get_int(s->st, "served_max", 0))
		store_meta_set_int(s->st, "served_max", upto, NULL);
	/* Where the child will read from next: what it still lacks is after it (status).  Its
	 * push backlog is empty when it pulls: a watermark for reports.  One write a pull. */
	sync_peer_set(s, child, "last_sync = ?2, last_contact = ?2, pull = ?3", sync_now_ms(), upto, 0);
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
	uint64_t counter = (uint64_t)sync_peer_int(s, child, "auth_counter");
	sqlite3_stmt *q;
	size_t len;
	int step;

	if (sync_peer_key(s, child, "child", pk) != 0 ||
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
