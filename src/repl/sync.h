#ifndef NZ_SYNC_H
#define NZ_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include <msgpack.h>

#include "store/store.h"

/*
 * The sync protocol's logic on both ends, over the store and the wire codec
 * (proto/PROTOCOL.md), with no transport: the parent turns one request into
 * one reply (sync_serve), the child turns one reply into its next request
 * (sync_child_*).  src/net carries the bytes.
 */

struct sync;

/* sync_new makes the replication state of a node; sk is its Ed25519 secret key (copied). */
struct sync *sync_new(struct store *st, const uint8_t sk[64], size_t batch_bytes);

/*
 * sync_set_recv_max tells s the node's recv_max (default 4 MiB): the
 * largest batch it takes once decompressed, offered to its peers.
 */
void sync_set_recv_max(struct sync *s, size_t recv_max);

/* sync_set_compress says whether s offers zstd-compressed batches (default yes). */
void sync_set_compress(struct sync *s, bool on);

/*
 * What a parent takes from its children (proto/PROTOCOL.md §11, §13):
 *   max_clock_ahead_ms  a HELLO or change stamped further ahead of this
 *                       node's time is refused with NZ_ECLOCK (0: no bound)
 *   quarantine_max      refused changes kept per child; beyond it, or
 *   quarantine_bytes    beyond this many bytes of their columns, the
 *                       child's pushes are refused with NZ_EQUOTA
 */
struct sync_limits {
	int64_t max_clock_ahead_ms;
	int64_t quarantine_max;
	int64_t quarantine_bytes;
};

#define SYNC_MAX_CLOCK_AHEAD_MS (300 * 1000)
#define SYNC_QUARANTINE_MAX 10000
#define SYNC_QUARANTINE_BYTES (16 << 20)

/* sync_set_limits replaces the defaults above (which sync_new sets). */
void sync_set_limits(struct sync *s, const struct sync_limits *lim);

/*
 * sync_time_ms is this node's idea of the time, in ms: its wall clock, or
 * its parent's as last heard (carried on by the wall clock) when that is
 * later.  The root's time rules the tree; a node whose clock is behind its
 * parent's does not refuse its children for being right.
 */
int64_t sync_time_ms(struct sync *s);

/*
 * sync_quarantine_clear forgets the refused changes kept from peer (after an
 * operator reviewed them), so that a child stopped at its quarantine limit
 * may push again; *n says how many went.
 */
int sync_quarantine_clear(struct store *st, const char *peer, int64_t *n, struct nz_err *err);

/* sync_free frees s; NULL is ignored. */
void sync_free(struct sync *s);

/* sync_shed frees the batch buffers and compression context s keeps between
 * batches (made again by the next one): for a node going idle. */
void sync_shed(struct sync *s);

/* ---- parent side ---- */

/*
 * sync_serve handles one request that arrived on NNG pipe `pipe` and appends
 * the reply to out.  It always produces a reply (ERROR for what it refuses).
 */
void sync_serve(struct sync *s, uint32_t pipe, const uint8_t *req, size_t len, msgpack_sbuffer *out);

/*
 * sync_synced_fn is told, on the parent's side, that child's session
 * succeeded (its changes are in, it pulled): the node records what that
 * says of the child's freshness (domain/fresh.h), outside the protocol.
 */
typedef void (*sync_synced_fn)(void *arg, const char *child);

/* sync_on_synced sets the function told of every child's successful session (NULL: none). */
void sync_on_synced(struct sync *s, sync_synced_fn fn, void *arg);

/* sync_pipe_closed forgets the child bound to pipe. */
void sync_pipe_closed(struct sync *s, uint32_t pipe);

/* ---- child side ---- */

enum sync_phase { PHASE_HELLO, PHASE_PUSH, PHASE_PULL, PHASE_IDLE, PHASE_ROTATE };

/* Counters of one child session, for status and tests. */
struct sync_stats {
	int64_t pushed, pulled, refused, round_trips, batches;
	int64_t bytes_sent, bytes_received;
	int64_t duplicates; /* changes received that were already here */
	int64_t skipped;    /* log positions children's pulls stepped over unread (sync_batch.c) */
	int64_t prefetched; /* PUSHes made while the parent applied the one before (sync_child_prefetch) */
};

/*
 * sync_child_start begins a session with the parent: it writes a HELLO to
 * out.  Returns NZ_EAUTH when the parent's key is not registered.
 */
int sync_child_start(struct sync *s, msgpack_sbuffer *out, struct nz_err *err);

/*
 * sync_child_reply takes the parent's reply to the last request and writes
 * the next request to out (out stays empty when the session is in step and
 * idle).  An error means the session is over: start again after a backoff.
 */
int sync_child_reply(struct sync *s, const uint8_t *buf, size_t len, msgpack_sbuffer *out,
		     struct nz_err *err);

/*
 * sync_child_prefetch makes, while a PUSH is in flight, the PUSH that
 * follows it once the parent acknowledges it, so that this node reads,
 * encodes and compresses its next batch while the parent applies the
 * last (on two cores, the two at once).  Call it after sending a request;
 * it does nothing in another phase.  The next request uses it only if
 * the parent acknowledged exactly the PUSH in flight; a new session drops it.
 */
void sync_child_prefetch(struct sync *s);

/* sync_child_resume writes the next request of an authenticated idle session (empty when nothing to do). */
int sync_child_resume(struct sync *s, msgpack_sbuffer *out, struct nz_err *err);

/* sync_child_phase tells where the session stands. */
enum sync_phase sync_child_phase(const struct sync *s);

/* sync_child_stats returns the session's counters. */
const struct sync_stats *sync_child_stats(const struct sync *s);

/* sync_schema returns the column numbering this node offers its peers (owned by s). */
const struct wire_schema *sync_schema(const struct sync *s);

/* sync_backlog_up counts this node's changes its parent has not acknowledged. */
int64_t sync_backlog_up(struct sync *s);

/*
 * A key rotation's last step on the child: make next_sk the node's key on
 * disk.  Returns 0, or an error that ends the session (the parent then
 * still takes the current key, and the rotation is announced again).
 */
typedef int (*sync_rotated_cb)(void *arg, const uint8_t next_sk[64], struct nz_err *err);

/*
 * sync_rotate_to makes the next session announce next_sk's public key
 * (ROTATE, signed by the current key and by next_sk) right after HELLO_OK.
 * When the parent's ROTATE_OK verifies, done(arg, next_sk) is called and s
 * signs with next_sk from then on; the parent takes the new key for good at
 * the first HELLO signed by it.  next_sk is copied.  When the parent answers
 * ROTATE with ERROR, the session fails and s keeps its key; a later call is
 * then ignored, returning false (until a new struct sync), so that syncing
 * goes on.
 */
bool sync_rotate_to(struct sync *s, const uint8_t next_sk[64], sync_rotated_cb done, void *arg);

/* sync_rotating tells whether a rotation is waiting for the parent's ROTATE_OK. */
bool sync_rotating(const struct sync *s);

/*
 * sync_announce_key makes every HELLO_OK this node sends its children carry
 * next_sk's public key, signed by the current key (PROTOCOL.md §11,
 * Rotation of a parent's key), and records the children that acknowledge
 * it.  next_sk is copied; calling it again with the same key, or on a node
 * without children, does nothing.
 */
void sync_announce_key(struct sync *s, const uint8_t next_sk[64]);

/*
 * sync_key_unacked returns how many registered, non-revoked children have
 * not yet acknowledged the announced key (0 when none is announced), or -1
 * when the database cannot tell.
 */
int64_t sync_key_unacked(struct sync *s);

/*
 * sync_switch_key makes next_sk the key s signs with, ends an announcement
 * and forgets the acknowledgements (a node without a parent, once its
 * children have acknowledged; a node with one does it at ROTATE_OK).
 */
void sync_switch_key(struct sync *s, const uint8_t next_sk[64]);

/* sync_note_error records the last transport error on the parent's peer row. */
void sync_note_error(struct sync *s, const char *what);

#endif
