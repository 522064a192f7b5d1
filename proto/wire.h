#ifndef NZ_WIRE_H
#define NZ_WIRE_H

/*
 * The sync protocol's wire format: msgpack messages between a child node and
 * its parent, described byte for byte in proto/PROTOCOL.md.  This module only
 * turns structs into bytes and back: it does no I/O and knows nothing of
 * SQLite or NNG.  Decoding is bounded and strict: any input, however hostile,
 * is either a valid message or refused with a reason naming the field.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>

#include "base/change.h"
#include "base/err.h"
#include "base/unit.h"

#define NZ_PROTO_VERSION 1

/*
 * Message types.  The ranges group them by concern.  A number, once used, is
 * retired with its message and never reused for another meaning, so that an
 * old peer can never mistake a new message for one it knows.
 */
enum wire_type {
	/* session: 1-15 */
	WIRE_HELLO = 1,
	WIRE_HELLO_OK = 2,
	WIRE_ENROL = 3,      /* a new child proves a one-time code's secret */
	WIRE_ENROL_OK = 4,
	WIRE_ROTATE = 5,     /* a child announces its next key, signed by the current one */
	WIRE_ROTATE_OK = 6,
	/* changes: 16-31 */
	WIRE_PUSH = 16,
	WIRE_PUSH_OK = 17,
	WIRE_PULL = 18,
	WIRE_PULL_OK = 19,
	/* status: 32-47, reserved */
	/* 48-63: unassigned */
	/* errors: 64-79 */
	WIRE_ERROR = 64
};

/* Hard limits, enforced by every encoder and decoder here. */
#define NZ_WIRE_MAX (64u << 20)    /* bytes in any one message */
#define WIRE_STRINGS_MAX 1024      /* entries of a batch's string table */
#define WIRE_STRING_MAX 63         /* bytes of one string-table entry */
#define WIRE_CTXS_MAX 1024         /* contexts of a batch */
#define WIRE_CHANGES_MAX 10000     /* changes in a batch */
#define WIRE_REFUSALS_MAX 10000    /* refusals in a PUSH_OK */
#define WIRE_TEXT_MAX 256          /* refusal reason, error message, incl. NUL */
#define WIRE_DBID_LEN 16
#define WIRE_SIG_LEN 64            /* Ed25519 signature */
#define WIRE_KEY_LEN 32            /* Ed25519 public key */
#define WIRE_PROOF_LEN 32          /* BLAKE2b-256 proof of an enrolment secret */
#define WIRE_SIGNED_MAX 128        /* longest signed-bytes string */

/*
 * The codec of a session (PROTOCOL.md §6.1): what the child offers in HELLO
 * and the parent settles in HELLO_OK.  flags says which batch encodings the
 * sender of the field reads and writes; plain_max is the largest batch it
 * takes once decompressed (its recv_max).
 */
#define WIRE_CODEC_COLNUMS 1u      /* column numbers of the shared schema, not names */
#define WIRE_CODEC_ZSTD 2u         /* batches may travel as one zstd frame */
#define WIRE_ZSTD_MIN 256          /* a batch smaller than this is never compressed */
#define WIRE_SCHEMA_TABLES 64      /* tables a schema numbers */
#define WIRE_SCHEMA_COLS 63        /* columns of one table, besides "deleted" */

struct wire_codec {
	uint64_t schema;             /* the sender's schema digest */
	uint32_t flags;              /* WIRE_CODEC_* */
	uint32_t plain_max;          /* largest decompressed batch the sender accepts */
};

/*
 * struct wire_schema numbers the columns of every replicated table: in a
 * table, 0 is "deleted" and 1..ncols its columns in the order given.  Two
 * nodes whose digests are equal number them alike.  It borrows the names.
 */
struct wire_schema {
	uint64_t digest;
	size_t ntables;
	struct wire_schema_table {
		const char *name;
		int ncols;
		const char *cols[WIRE_SCHEMA_COLS + 1]; /* [0] is "deleted" */
	} t[WIRE_SCHEMA_TABLES];
};

/*
 * wire_schema_add appends table name with its ncols column names (kept by
 * the caller for s's life) and recomputes s->digest; s starts zeroed.
 * Returns 0, NZ_EINVAL (a name that is not [a-z_0-9]{1,31}, a table twice)
 * or NZ_ETOOBIG (over WIRE_SCHEMA_TABLES tables or WIRE_SCHEMA_COLS columns).
 */
int wire_schema_add(struct wire_schema *s, const char *name, const char *const *cols, int ncols);

/*
 * The smallest sync.batch_bytes that still lets every valid change through:
 * a PULL_OK holding one change with the longest fields and a full column map
 * takes 65,767 bytes.
 */
#define WIRE_BATCH_MIN (NZ_COLS_MAX + 2048)

/* HELLO, child to parent: who I am, and where I stand in your log. */
struct wire_hello {
	char node_id[NZ_ID_MAX];
	bool has_codec;              /* optional field 10 present */
	struct wire_codec codec;
	bool has_key_ack;            /* optional field 11 present (needs field 10) */
	uint8_t key_ack[WIRE_SIG_LEN]; /* the child's signature of the parent's next key */
	char parent_id[NZ_ID_MAX];
	uint8_t dbid[WIRE_DBID_LEN];
	uint64_t auth_counter;       /* strictly increasing per child (its HLC) */
	int64_t pull_cursor;         /* position in the parent's log, >= 0 */
	uint64_t pull_token;         /* HLC of the parent's entry at pull_cursor */
	int64_t seen_parent_seq;     /* >= 0 */
	uint8_t sig[WIRE_SIG_LEN];
};

/* HELLO_OK, parent to child: how much of your log I hold. */
struct wire_hello_ok {
	char node_id[NZ_ID_MAX];
	bool has_codec;              /* optional field 11 present */
	struct wire_codec codec;
	bool has_next_key;           /* optional field 12 present (needs field 11) */
	uint8_t next_key[WIRE_KEY_LEN]; /* the parent's next public key */
	uint8_t next_sig[WIRE_SIG_LEN]; /* signed by its current key */
	uint8_t dbid[WIRE_DBID_LEN];
	int64_t ack_cursor;          /* position in the child's log, >= 0 */
	uint64_t ack_token;          /* HLC of the child's entry at ack_cursor */
	int64_t seen_child_seq;      /* >= 0 */
	int64_t head;                /* the parent's log head, >= 0 */
	bool pull_reset;
	uint64_t hlc;
	uint8_t sig[WIRE_SIG_LEN];
};

/*
 * ENROL, child to parent, on a connection without HELLO: a node made from a
 * one-time code registers its key by proving the code's secret (proof) and
 * holding the key (sig).
 */
struct wire_enrol {
	char node_id[NZ_ID_MAX];
	char parent_id[NZ_ID_MAX];
	uint8_t pubkey[WIRE_KEY_LEN];
	uint8_t proof[WIRE_PROOF_LEN];
	uint8_t sig[WIRE_SIG_LEN];
};

/* ENROL_OK, parent to child: the parent's key, which the child pins by the code's fingerprint. */
struct wire_enrol_ok {
	char node_id[NZ_ID_MAX];
	uint8_t pubkey[WIRE_KEY_LEN];
	uint8_t sig[WIRE_SIG_LEN];
};

/* ROTATE, child to parent after HELLO: my next key, signed by the current one and by itself. */
struct wire_rotate {
	uint8_t pubkey[WIRE_KEY_LEN];
	uint8_t sig_old[WIRE_SIG_LEN];
	uint8_t sig_new[WIRE_SIG_LEN];
};

/* ROTATE_OK, parent to child: the next key is recorded. */
struct wire_rotate_ok {
	uint8_t sig[WIRE_SIG_LEN];
};

/* One change a receiver would not apply, and why. */
struct wire_refusal {
	char origin[NZ_ID_MAX];
	int64_t origin_seq;          /* >= 1 */
	char reason[WIRE_TEXT_MAX];
};

/*
 * PUSH (child to parent) and PULL_OK (parent to child), once decoded: the
 * changes array and every changes[i].cols belong to the struct wire_msg.
 */
struct wire_push {
	int64_t upto;                /* sender's log position of the last change */
	uint64_t upto_token;         /* HLC of that entry */
	struct nz_change *changes;
	size_t nchanges;
	int64_t pending;             /* optional field 5: the sender's changes still after upto, -1 when absent */
};

struct wire_push_ok {
	int64_t ack_cursor;
	uint64_t ack_token;
	uint64_t hlc;
	struct wire_refusal *refusals; /* caller's when encoding, message's when decoded */
	size_t nrefusals;
};

struct wire_pull {
	int64_t cursor;
	uint64_t token;
	uint32_t max_bytes;
	int64_t recover_from;  /* optional field 4: >= 1, or 0 when absent; see PROTOCOL.md */
};

struct wire_pull_ok {
	int64_t upto;
	uint64_t upto_token;
	bool more;
	int64_t head;
	uint64_t hlc;
	struct nz_change *changes;
	size_t nchanges;
	int64_t pending;             /* optional field 8: changes for the child still after upto, -1 when absent */
};

struct wire_error {
	int32_t code;                /* an NZ_E* code, negative */
	char message[WIRE_TEXT_MAX];
};

/*
 * struct wire_msg is one decoded message: type says which member of the
 * union is filled.  It owns whatever its arrays point to until
 * wire_msg_release().
 */
struct wire_msg {
	int type;
	union {
		struct wire_hello hello;
		struct wire_hello_ok hello_ok;
		struct wire_push push;
		struct wire_push_ok push_ok;
		struct wire_pull pull;
		struct wire_pull_ok pull_ok;
		struct wire_error error;
		struct wire_enrol enrol;
		struct wire_enrol_ok enrol_ok;
		struct wire_rotate rotate;
		struct wire_rotate_ok rotate_ok;
	};
	uint8_t *buf_;               /* private: the copy the changes point into */
	uint8_t *plain_;             /* private: a compressed batch, decompressed */
	uint8_t *named_;             /* private: numbered columns, named again */
};

/*
 * wire_decode parses one whole message of len bytes into m, which the caller
 * releases with wire_msg_release() after a success.  It returns 0, NZ_EPROTO
 * (malformed, or a field out of its bounds), NZ_EVERSION (another protocol
 * version), NZ_ETOOBIG (the message, or a count in it, over its limit) or
 * NZ_ENOMEM, with err naming the field ("change 12: rid is 80 bytes, limit
 * 39").  On failure m holds nothing to release.  buf is not kept.
 */
int wire_decode(const uint8_t *buf, size_t len, struct wire_msg *m, struct nz_err *err);

/*
 * wire_decode_with is wire_decode for a node with a schema (NULL: a batch
 * with column numbers is refused) that takes compressed batches of at most
 * plain_max bytes once decompressed (a larger one is refused, NZ_ETOOBIG,
 * before anything is decompressed).  The changes it returns always carry
 * column names.  wire_decode is this with no schema and NZ_WIRE_MAX.
 */
int wire_decode_with(const uint8_t *buf, size_t len, const struct wire_schema *schema, size_t plain_max,
		     struct wire_msg *m, struct nz_err *err);

/* wire_msg_release frees what m owns and zeroes it; a zeroed m is a no-op. */
void wire_msg_release(struct wire_msg *m);

/* wire_type_name returns "HELLO", "PUSH_OK"... or "unknown". */
const char *wire_type_name(int type);

/*
 * The encoders append one message to out, which the caller owns.  They
 * return 0, NZ_EINVAL when a field breaks a rule the decoder enforces
 * (nothing is appended then), or NZ_ENOMEM (out is cut back to its length
 * before the call).
 */

/* wire_enc_hello appends a HELLO; sign it first with wire_hello_sign(). */
int wire_enc_hello(msgpack_sbuffer *out, const struct wire_hello *h);

/* wire_enc_hello_ok appends a HELLO_OK; sign it first with wire_hello_ok_sign(). */
int wire_enc_hello_ok(msgpack_sbuffer *out, const struct wire_hello_ok *h);

/*
 * wire_enc_push_ok appends a PUSH_OK with p->nrefusals refusals; a reason
 * that is not valid UTF-8 is cut before its first bad byte.
 */
int wire_enc_push_ok(msgpack_sbuffer *out, const struct wire_push_ok *p);

/* wire_enc_pull appends a PULL. */
int wire_enc_pull(msgpack_sbuffer *out, const struct wire_pull *p);

/*
 * wire_enc_error appends an ERROR with code (negative) and message, cut to
 * at most 255 bytes at a UTF-8 character boundary.
 */
int wire_enc_error(msgpack_sbuffer *out, int code, const char *message);

/*
 * struct wire_batch builds the batch of a PUSH or PULL_OK one change at a
 * time, keeping the size of the whole encoded message known so that a
 * sender can stop before its byte budget.  It copies what it is given.
 */
struct wire_batch;

/* wire_batch_new allocates an empty batch builder, or returns NULL. */
struct wire_batch *wire_batch_new(void);

/*
 * wire_batch_codec sets how b encodes what it is given from now on (it must
 * be empty): with schema's column numbers (NULL: names), and compressed when
 * zstd is true and a batch of WIRE_ZSTD_MIN bytes or more shrinks by it.
 * wire_batch_size stays the uncompressed size.
 */
void wire_batch_codec(struct wire_batch *b, const struct wire_schema *schema, bool zstd);

/* wire_batch_free frees b; NULL is a no-op. */
void wire_batch_free(struct wire_batch *b);

/*
 * wire_batch_add appends a copy of change c.  It returns 0; NZ_EINVAL when c
 * breaks a rule of wire_change_check(); NZ_ETOOBIG when the message would
 * then exceed max_bytes (or NZ_WIRE_MAX), or the batch is full (10000
 * changes, 1024 strings or 1024 contexts): the first change of an empty
 * batch is refused only when it alone does not fit; NZ_ENOTFOUND when b
 * numbers columns and c's table or a column of it is not in the schema;
 * or NZ_ENOMEM.  On any
 * failure b is unchanged.
 */
int wire_batch_add(struct wire_batch *b, const struct nz_change *c, size_t max_bytes);

/* wire_batch_count returns the number of changes in b. */
size_t wire_batch_count(const struct wire_batch *b);

/*
 * wire_batch_size returns an upper bound of the encoded size of a PUSH or
 * PULL_OK message carrying b, whatever its other fields (at most 49 bytes
 * over the true size).
 */
size_t wire_batch_size(const struct wire_batch *b);

/* The largest pending count a PUSH or PULL_OK may carry (2^40): a display figure. */
#define WIRE_PENDING_MAX (1LL << 40)

/*
 * wire_batch_pending makes the PUSH or PULL_OK encoded next from b carry the
 * optional pending field: how many changes for the receiver remain after
 * this batch (PROTOCOL.md §5).  A value outside 0..WIRE_PENDING_MAX, or a
 * wire_batch_reset, leaves it out.
 */
void wire_batch_pending(struct wire_batch *b, int64_t pending);

/* wire_batch_reset empties b, keeping its memory. */
void wire_batch_reset(struct wire_batch *b);

/*
 * wire_batch_shed frees b's compression context and scratch buffers, and its
 * buffers when it is empty; all are made again when next needed.  For a node
 * going idle.
 */
void wire_batch_shed(struct wire_batch *b);

/* wire_enc_push appends a PUSH carrying batch b (which may be empty). */
int wire_enc_push(msgpack_sbuffer *out, int64_t upto, uint64_t upto_token,
                  const struct wire_batch *b);

/* wire_enc_pull_ok appends a PULL_OK carrying batch b (which may be empty). */
int wire_enc_pull_ok(msgpack_sbuffer *out, int64_t upto, uint64_t upto_token, bool more,
                     int64_t head, uint64_t hlc, const struct wire_batch *b);

/*
 * wire_change_check tells whether c may travel: origin and owner org-unit
 * codes, tbl 1-31 of [a-z_], rid 1-39 bytes of UTF-8 without NUL, author at
 * most 63 bytes of UTF-8, origin_seq >= 1 and valid cols.  Returns 0 or
 * NZ_EINVAL with the reason in err.
 */
int wire_change_check(const struct nz_change *c, struct nz_err *err);

/*
 * wire_cols_check tells whether the len bytes at cols are one msgpack map of
 * at most NZ_COLS_NMAX distinct str keys of 1-31 bytes of [a-z_0-9] to nil,
 * bool, integer, float or str values, and nothing else.  Returns 0 or
 * NZ_EINVAL with the reason in err.
 */
int wire_cols_check(const uint8_t *cols, size_t len, struct nz_err *err);

/*
 * wire_hello_signed writes into out the bytes a HELLO's signature covers
 * (PROTOCOL.md, "Signed bytes") and their number into *len.  Returns 0, or
 * NZ_EINVAL when an id is not an org-unit code.
 */
int wire_hello_signed(const struct wire_hello *h, uint8_t out[WIRE_SIGNED_MAX], size_t *len);

/*
 * wire_hello_ok_signed does the same for a HELLO_OK answering the HELLO of
 * child_id that carried auth_counter child_counter.
 */
int wire_hello_ok_signed(const struct wire_hello_ok *h, const char *child_id,
                         uint64_t child_counter, uint8_t out[WIRE_SIGNED_MAX], size_t *len);

/*
 * wire_hello_sign fills h->sig with the Ed25519 signature of h's signed bytes
 * by secret key sk (libsodium's 64-byte form).  Returns 0, NZ_EINVAL for a
 * malformed id, or NZ_EAUTH when libsodium cannot start.
 */
int wire_hello_sign(struct wire_hello *h, const uint8_t sk[64]);

/* wire_hello_verify checks h->sig against public key pk: 0 or NZ_EAUTH. */
int wire_hello_verify(const struct wire_hello *h, const uint8_t pk[32]);

/* wire_hello_ok_sign fills h->sig, by the parent's sk, for child_id's HELLO. */
int wire_hello_ok_sign(struct wire_hello_ok *h, const char *child_id, uint64_t child_counter,
                       const uint8_t sk[64]);

/*
 * wire_hello_ok_verify checks h->sig against the parent's public key pk for
 * the HELLO this child sent as child_id with child_counter: 0 or NZ_EAUTH.
 */
int wire_hello_ok_verify(const struct wire_hello_ok *h, const char *child_id,
                         uint64_t child_counter, const uint8_t pk[32]);

/* wire_enc_enrol appends an ENROL (sign it first: wire_enrol_signed). */
int wire_enc_enrol(msgpack_sbuffer *out, const struct wire_enrol *e);

/* wire_enc_enrol_ok appends an ENROL_OK. */
int wire_enc_enrol_ok(msgpack_sbuffer *out, const struct wire_enrol_ok *e);

/* wire_enc_rotate appends a ROTATE. */
int wire_enc_rotate(msgpack_sbuffer *out, const struct wire_rotate *r);

/* wire_enc_rotate_ok appends a ROTATE_OK. */
int wire_enc_rotate_ok(msgpack_sbuffer *out, const struct wire_rotate_ok *r);

/*
 * The signed bytes of the key messages (PROTOCOL.md §8).  Each writes them
 * into out and their number into *len, and returns 0 or NZ_EINVAL when an id
 * is not an org-unit code.
 *
 * wire_enrol_signed: what ENROL's proof and sig cover.
 */
int wire_enrol_signed(const struct wire_enrol *e, uint8_t out[WIRE_SIGNED_MAX], size_t *len);

/* wire_enrol_ok_signed: what ENROL_OK's sig covers, for child_id enrolling child_pk. */
int wire_enrol_ok_signed(const struct wire_enrol_ok *e, const char *child_id,
                         const uint8_t child_pk[WIRE_KEY_LEN], uint8_t out[WIRE_SIGNED_MAX], size_t *len);

/*
 * wire_rotate_signed: what ROTATE's two signatures cover, for child_id
 * (parent parent_id) in the session whose HELLO carried counter; ok selects
 * the bytes of the ROTATE_OK that answers it.
 */
int wire_rotate_signed(bool ok, const char *child_id, const char *parent_id, uint64_t counter,
                       const uint8_t next_pk[WIRE_KEY_LEN], uint8_t out[WIRE_SIGNED_MAX], size_t *len);

/*
 * wire_next_key_signed: what a parent's announcement of its next key covers
 * (HELLO_OK's next_key, signed by the parent's current key; ack false), or
 * the child's acknowledgement of it (HELLO's key_ack, signed by the child's
 * key; ack true), in the session whose HELLO carried counter (PROTOCOL.md §8).
 */
int wire_next_key_signed(bool ack, const char *child_id, const char *parent_id, uint64_t counter,
                         const uint8_t next_pk[WIRE_KEY_LEN], uint8_t out[WIRE_SIGNED_MAX], size_t *len);

#endif
