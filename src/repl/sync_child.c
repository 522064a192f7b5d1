#include "repl/sync.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "repl/sync_int.h"
#include "store/hlc.h"

/*
 * The child's side of the sync protocol: a session is HELLO, then PUSHes of
 * what the parent lacks until acknowledged, then PULLs until read through
 * (PROTOCOL.md §11); each reply of the parent becomes the next request.
 */

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
	return store_log_pending(s->st, s->parent, true, sync_peer_int(s, s->parent, "ack"), INT64_MAX);
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
	after = sync_peer_int(s, s->parent, "ack");
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
	sync_peer_set(s, s->parent, "auth_counter = min(auth_counter, ?2)", (int64_t)store_hlc(s->st), 0, 0);
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
	if (sync_peer_key(s, s->parent, "parent", s->parent_pk) != 0)
		return nz_fail(err, NZ_EAUTH,
			       "the parent's key is not registered: run 'nehzat peer add --id %s --key HEX' "
			       "with the output of 'nehzat key' on the parent",
			       s->parent);
	s->pre_valid = false; /* a new session: the parent says anew where it stands */
	if ((rc = clock_check(s, err)) != 0)
		return rc;
	counter = store_hlc(s->st);
	if ((int64_t)counter <= sync_peer_int(s, s->parent, "auth_counter"))
		counter = (uint64_t)sync_peer_int(s, s->parent, "auth_counter") + 1;
	if ((rc = store_begin(s->st, err)) != 0)
		return rc;
	sync_peer_set(s, s->parent, "auth_counter = ?2", (int64_t)counter, 0, 0);
	store_hlc_observe(s->st, counter, NULL);
	if ((rc = store_commit(s->st, err)) != 0)
		return rc;
	memset(&h, 0, sizeof(h));
	snprintf(h.node_id, sizeof(h.node_id), "%s", s->self);
	snprintf(h.parent_id, sizeof(h.parent_id), "%s", s->parent);
	store_dbid(s->st, h.dbid);
	h.auth_counter = counter;
	h.pull_cursor = sync_peer_int(s, s->parent, "pull");
	h.pull_token = (uint64_t)sync_peer_int(s, s->parent, "pull_token");
	h.seen_parent_seq = store_origin_max(s->st, s->parent);
	h.has_codec = true;
	h.codec.schema = s->schema.digest;
	h.codec.flags = s->offer;
	h.codec.plain_max = (uint32_t)s->recv_max;
	s->codec = 0;
	if (sync_peer_blob(s, s->parent, "parent", "pubkey_next", next_pk) == 0) {
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

void
sync_child_prefetch(struct sync *s)
{
	struct nz_err err = {0};
	struct pending pc = s->up_pend;
	int64_t upto;

	if (s->phase != PHASE_PUSH || (s->pre_valid && s->pre_from == s->push_sent))
		return;
	s->pre_valid = false;
	if (sync_send_batch(s, s->parent, true, s->push_sent, 0, s->batch_bytes, s->codec, s->parent_plain, &pc,
			    &s->pre, &upto, &err) != 0 ||
	    s->pre.size == 0)
		return; /* made again when it is due: then an error counts */
	s->pre_valid = true;
	s->pre_from = s->push_sent;
	s->pre_upto = upto;
	s->pre_count = wire_batch_count(s->batch);
	s->pre_pend = pc;
}

static int
next_push(struct sync *s, msgpack_sbuffer *out, struct nz_err *err)
{
	int64_t upto;
	int rc;

	/* Made while the parent applied the last PUSH, from where it now stands: the same bytes as now. */
	if (s->pre_valid && s->pre_from == s->push_cursor) {
		msgpack_sbuffer t = *out;
		*out = s->pre;
		s->pre = t;
		msgpack_sbuffer_clear(&s->pre);
		s->pre_valid = false;
		s->up_pend = s->pre_pend;
		s->push_sent = s->pre_upto;
		s->push_count = s->pre_count;
		s->phase = PHASE_PUSH;
		s->stats.batches++;
		s->stats.round_trips++;
		s->stats.prefetched++;
		return 0;
	}
	s->pre_valid = false;
	if ((rc = sync_send_batch(s, s->parent, true, s->push_cursor, 0, s->batch_bytes, s->codec, s->parent_plain,
				  &s->up_pend, out, &upto, err)) != 0 ||
	    out->size == 0)
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

	p.cursor = sync_peer_int(s, s->parent, "pull");
	p.token = (uint64_t)sync_peer_int(s, s->parent, "pull_token");
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
	if ((rc = sync_parent_key_check(s, ok, &next_recorded, err)) != 0)
		return rc;
	/* An older parent says nothing of a codec: names, uncompressed (PROTOCOL.md §6.1). */
	s->codec = ok->has_codec ? ok->codec.flags & s->offer : 0;
	if (ok->has_codec && ok->codec.schema != s->schema.digest)
		s->codec &= ~WIRE_CODEC_COLNUMS;
	s->parent_plain = ok->has_codec ? ok->codec.plain_max : 0;
	if (sqlite3_prepare_v2(store_db(s->st), "SELECT dbid FROM peer WHERE id = ?", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, s->parent, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 16) {
			memcpy(old_dbid, sqlite3_column_blob(q, 0), 16);
			dbid_changed = memcmp(old_dbid, ok->dbid, 16) != 0;
		}
		sqlite3_finalize(q);
	}
	if ((rc = store_begin(s->st, err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(s->st), "UPDATE peer SET dbid = ?2 WHERE id = ?1", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, s->parent, -1, SQLITE_STATIC);
		sqlite3_bind_blob(q, 2, ok->dbid, 16, SQLITE_STATIC);
		sqlite3_step(q);
		sqlite3_finalize(q);
	}
	if (ok->pull_reset || dbid_changed) {
		nz_log(NZ_LOG_WARN, "sync.reset", "parent=%s reason=%s", s->parent,
		       dbid_changed ? "database-identity-changed" : "cursor-not-in-parent-log");
		sync_peer_set(s, s->parent, "pull = 0, pull_token = 0", 0, 0, 0);
	}
	/* Our log must hold the entry the parent acknowledged, or it was restored. */
	if (ok->ack_cursor > 0 && store_log_token(s->st, ok->ack_cursor) != ok->ack_token) {
		nz_log(NZ_LOG_WARN, "sync.reset", "parent=%s reason=our-log-differs ack=%lld", s->parent,
		       (long long)ok->ack_cursor);
		s->push_cursor = 0;
	} else {
		s->push_cursor = ok->ack_cursor;
	}
	if (ok->ack_cursor < sync_peer_int(s, s->parent, "ack"))
		nz_log(NZ_LOG_WARN, "sync.parent_behind", "parent=%s ack=%lld was=%lld resending=yes", s->parent,
		       (long long)ok->ack_cursor, (long long)sync_peer_int(s, s->parent, "ack"));
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
		nz_log(NZ_LOG_WARN, "sync.recover", "parent=%s ours=%lld parent_holds=%lld", s->parent, (long long)own,
		       (long long)ok->seen_child_seq);
		store_meta_set_int(s->st, "recover_from", own + 1, NULL);
	}
	store_seq_floor(s->st, ok->seen_child_seq, NULL);
	sync_peer_set(s, s->parent, "ack = ?2, head = ?3, last_contact = ?4, last_error = ''", s->push_cursor, ok->head,
		      sync_now_ms());
	store_hlc_observe(s->st, ok->hlc, NULL);
	/* The parent's time, as far as it is ahead of our wall clock, is ours (sync_time_ms). */
	offset = (int64_t)(hlc_ms(ok->hlc) > (uint64_t)INT64_MAX ? INT64_MAX : hlc_ms(ok->hlc)) - sync_now_ms();
	store_meta_set_int(s->st, "parent_clock_offset", offset > 0 ? offset : 0, NULL);
	if ((rc = store_commit(s->st, err)) != 0)
		return rc;
	nz_log(NZ_LOG_INFO, "sync.connected", "parent=%s ack=%lld head=%lld", s->parent, (long long)s->push_cursor,
	       (long long)ok->head);
	if (next_recorded)
		return sync_child_start(s, out, err); /* a new HELLO acknowledges the parent's next key */
	if (s->rotating)
		return sync_rotate_send(s, out);
	s->phase = PHASE_IDLE;
	return sync_child_resume(s, out, err);
}

int
sync_child_reply(struct sync *s, const uint8_t *buf, size_t len, msgpack_sbuffer *out, struct nz_err *err)
{
	struct wire_msg m;
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
		sync_peer_set(s, s->parent, "ack = ?2, ack_token = ?3, last_contact = ?4", s->push_cursor,
			      (int64_t)m.push_ok.ack_token, sync_now_ms());
		store_hlc_observe(s->st, m.push_ok.hlc, NULL);
		s->phase = PHASE_IDLE;
		rc = sync_child_resume(s, out, err);
		goto out;
	case PHASE_PULL:
		if (m.type != WIRE_PULL_OK)
			break;
		/* Read through (pushed, then pulled through): the last successful exchange, in the
		 * batch's transaction.  An idle round writes once. */
		rc = sync_apply_batch(s, s->parent, false, m.pull_ok.changes, m.pull_ok.nchanges,
				      m.pull_ok.more ? "pull = ?2, pull_token = ?3, last_contact = ?4"
						     : "pull = ?2, pull_token = ?3, last_contact = ?4, last_sync = ?4",
				      m.pull_ok.upto, (int64_t)m.pull_ok.upto_token, m.pull_ok.pending, NULL, &nref, err);
		if (rc != 0)
			goto out;
		s->stats.refused += (int64_t)nref;
		if (m.pull_ok.head != sync_peer_int(s, s->parent, "head"))
			sync_peer_set(s, s->parent, "head = ?2", m.pull_ok.head, 0, 0);
		s->phase = PHASE_IDLE;
		if (m.pull_ok.more) {
			rc = next_pull(s, out);
			goto out;
		}
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
