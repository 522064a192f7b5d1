#ifndef NZ_SYNC_INT_H
#define NZ_SYNC_INT_H

/*
 * What the files of the sync machinery share, and nothing outside src/repl/
 * includes (as SQLite's vdbeInt.h): sync.c (struct sync, settings, the peer
 * table), sync_batch.c (routing and outgoing batches), sync_apply.c
 * (incoming batches, authority, quarantine), sync_keys.c (key rotation),
 * sync_serve.c (the parent's side) and sync_child.c (the child's side).
 * sync.h stays the interface.  The files use each other one way only:
 * sync.c below all, sync_batch.c, sync_apply.c and sync_keys.c above it,
 * sync_serve.c and sync_child.c on top.
 */
#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>

#include "proto/wire.h"
#include "repl/sync.h"
#include "store/store.h"

#define MAX_BINDINGS 1024

/*
 * What the last batch sent to a peer left pending (PROTOCOL.md §5): the next
 * batch from `upto` on counts only what it sends and what was logged after
 * `head`, not the whole log after it again.
 */
struct pending {
	bool valid;
	int64_t upto, head, n;
	size_t plain; /* compressed: what to fill before compression to come to the budget, from the last batch */
};

/*
 * A stretch (lo, hi] of this node's log that no child's pull takes
 * (PROTOCOL.md §13): every entry in it came through a child and is owned
 * inside that child's subtree, so it goes to no other child, and back to
 * that child only when it asks for its own (recover_from).  hi is the
 * position of an entry.  Learnt as pulls read the log, so that each other
 * child's pull steps over it instead of reading it again; kept in memory.
 */
struct span {
	int64_t lo, hi;
};

#define SPANS_MAX 256

struct binding {
	struct pending pend; /* of the PULL_OKs on this pipe */
	uint32_t pipe;
	char child[NZ_ID_MAX];
	uint32_t codec;     /* WIRE_CODEC_* settled in the HELLO_OK */
	uint32_t plain_max; /* the child's largest decompressed batch */
};

/* What this node offers and takes (PROTOCOL.md §6.1). */
#define CODEC_OFFER (WIRE_CODEC_COLNUMS | WIRE_CODEC_ZSTD)

struct sync {
	struct store *st;
	uint8_t sk[64];
	size_t batch_bytes;
	size_t recv_max;
	uint32_t offer; /* WIRE_CODEC_* this node offers */
	struct wire_batch *batch;
	struct pending up_pend;    /* of our PUSHes */
	struct wire_schema schema; /* column numbers of this node's tables */
	char self[NZ_ID_MAX];
	/* parent side */
	struct binding bind[MAX_BINDINGS];
	struct span skip[SPANS_MAX]; /* sorted, disjoint, not adjacent */
	int nskip;
	int nbind;
	sync_synced_fn synced;
	void *synced_arg;
	/* child side */
	char parent[NZ_ID_MAX];
	uint8_t parent_pk[32];
	enum sync_phase phase;
	uint64_t counter;      /* auth counter of the current session */
	uint32_t codec;        /* WIRE_CODEC_* the parent settled */
	uint32_t parent_plain; /* the parent's largest decompressed batch */
	int64_t push_cursor;   /* the parent's acknowledged position in our log */
	int64_t push_sent;     /* upto of the PUSH in flight */
	size_t push_count;     /* its changes: the batch is reused by serve_pull meanwhile */
	/* the PUSH after the one in flight, made while the parent applies that one (sync_child_prefetch) */
	msgpack_sbuffer pre;
	bool pre_valid;
	int64_t pre_from, pre_upto; /* it covers (pre_from, pre_upto] of our log */
	size_t pre_count;
	struct pending pre_pend;
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

/* ---- sync.c: time and the peer table ---- */

/* sync_now_ms is the wall clock in ms (hlc_wall_ms), the time peer rows record. */
int64_t sync_now_ms(void);

/* sync_peer_key reads the registered public key of peer id in role ("parent", "child"); NZ_ENOTFOUND without one. */
int sync_peer_key(struct sync *s, const char *id, const char *role, uint8_t pk[32]);

/* sync_peer_blob reads a 32-byte key column (col) of a peer's row; NZ_ENOTFOUND when it holds none. */
int sync_peer_blob(struct sync *s, const char *id, const char *role, const char *col, uint8_t pk[32]);

/* sync_peer_int reads an integer column of peer id's row (0 when there is none). */
int64_t sync_peer_int(struct sync *s, const char *id, const char *col);

/*
 * sync_peer_set writes integer columns of a peer row; cols like "ack = ?2,
 * ack_token = ?3", whose parameters ?2..?4 take a, b, c.
 */
int sync_peer_set(struct sync *s, const char *id, const char *cols, int64_t a, int64_t b, int64_t c);

/* ---- sync_batch.c: what goes out ---- */

/*
 * sync_send_batch fills the batch for peer from `from` on and encodes it into out
 * as a PUSH (up) or a PULL_OK, in the codec settled with peer, within budget
 * bytes on the wire.  Compressed, a batch may hold up to ZSTD_STRETCH times
 * its budget before compression (never more than the peer decompresses);
 * when the frame comes out over the budget, it is filled again with fewer.
 * *upto is what it covers; out stays empty when a PUSH has nothing to send.
 * pc is what the previous batch to peer left pending, updated.
 */
int sync_send_batch(struct sync *s, const char *peer, bool up, int64_t from, int64_t recover_from, size_t budget,
		    uint32_t codec, size_t peer_plain, struct pending *pc, msgpack_sbuffer *out, int64_t *upto,
		    struct nz_err *err);

/* ---- sync_apply.c: what comes in ---- */

/*
 * sync_apply_batch applies changes from peer in one transaction with the
 * cursor update (cursor_sql, on the peer row, taking cur, token and the
 * time) and what the peer said it still has for us after them (pending,
 * -1: not said, NULL), refusing what peer has no authority over; refusals
 * go to the quarantine and, when refusals is not NULL, to the caller's list.
 */
int sync_apply_batch(struct sync *s, const char *peer, bool from_child, const struct nz_change *changes, size_t n,
		     const char *cursor_sql, int64_t cur, int64_t token, int64_t pending,
		     struct wire_refusal *refusals, size_t *nrefused, struct nz_err *err);

/* ---- sync_keys.c: key rotation ---- */

/*
 * sync_key_ack_record keeps, inside the caller's transaction, a child's
 * acknowledgement of our next key if its signature verifies with the key
 * that signed its HELLO (child_pk); a forged or stale one is logged and
 * ignored.
 */
void sync_key_ack_record(struct sync *s, const struct wire_hello *h, const uint8_t child_pk[32]);

/* sync_rotate_send writes a ROTATE announcing the next key, signed by the current one and by itself. */
int sync_rotate_send(struct sync *s, msgpack_sbuffer *out);

/*
 * sync_parent_key_check verifies a HELLO_OK with the parent's registered key or
 * with the next key it announced; the first HELLO_OK signed by the next key
 * makes it the registered one, and the old key is refused from then on.
 * An announcement of a next key is recorded if the current key signed it,
 * else logged and ignored (PROTOCOL.md §11, Rotation of a parent's key);
 * *recorded tells whether it was new.
 */
int sync_parent_key_check(struct sync *s, const struct wire_hello_ok *ok, bool *recorded, struct nz_err *err);

#endif
