#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/log.h"
#include "repl/sync_int.h"

/*
 * Key rotation on both sides (PROTOCOL.md §11): a child announcing its
 * next key to its parent (ROTATE), and a parent announcing its own to its
 * children in HELLO_OK and recording their acknowledgements.
 */

/* key_ack_name writes the meta key that holds child's acknowledgement of our next key. */
static void
key_ack_name(const char *child, char *buf, size_t n)
{
	snprintf(buf, n, "key_ack.%s", child);
}

void
sync_key_ack_record(struct sync *s, const struct wire_hello *h, const uint8_t child_pk[32])
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

int
sync_rotate_send(struct sync *s, msgpack_sbuffer *out)
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

int
sync_parent_key_check(struct sync *s, const struct wire_hello_ok *ok, bool *recorded, struct nz_err *err)
{
	uint8_t next_pk[32], msg[WIRE_SIGNED_MAX];
	sqlite3_stmt *q;
	size_t len;

	if (wire_hello_ok_verify(ok, s->self, s->counter, s->parent_pk) != 0) {
		if (sync_peer_blob(s, s->parent, "parent", "pubkey_next", next_pk) != 0 ||
		    wire_hello_ok_verify(ok, s->self, s->counter, next_pk) != 0)
			return nz_fail(err, NZ_EAUTH, "the parent's signature does not verify with its registered key");
		sync_peer_set(s, s->parent, "pubkey = pubkey_next, pubkey_next = NULL", 0, 0, 0);
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
	if (sync_peer_blob(s, s->parent, "parent", "pubkey_next", next_pk) == 0 &&
	    memcmp(next_pk, ok->next_key, 32) == 0)
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
		sqlite3_exec(store_db(s->st),
			     "DELETE FROM meta WHERE key LIKE 'key\\_ack.%' ESCAPE '\\'"
			     " OR key = 'key_finish'",
			     NULL, NULL, NULL);
	}
}

bool
sync_rotating(const struct sync *s)
{
	return s->rotating;
}
