#ifndef NZ_STORE_H
#define NZ_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <sqlite3.h>

#include "base/change.h"
#include "base/err.h"

/*
 * The store: one node's SQLite database (WAL mode, foreign keys on).
 *
 * Replicated records live in ordinary tables, one per kind of record, each
 * described by a struct tbl_def.  Every such table has the columns
 *   id TEXT PRIMARY KEY, owner TEXT NOT NULL, deleted INTEGER, clk BLOB
 * then its own.  clk holds the per-column clocks that last-writer-wins
 * compares against: msgpack groups [log entry, column numbers...], one per
 * clock, the entry of the change that set them holding its hlc and origin
 * (clk.c); that entry refers to the row for those values (oplog.c).
 *
 * Every change to a replicated record goes through store_write() (local)
 * or store_apply() (remote); both run the same apply and append to the
 * change log in one transaction.  Nothing else writes those tables.
 */

enum col_type { COL_TEXT, COL_INT, COL_REAL };

struct col_def {
	const char *name;
	enum col_type type;
};

/* Who sees a record: its owner and the owner's ancestors (OWNED), or also
 * every descendant of the owner (DIRECTIVE: standards, org units...). */
enum tbl_vis { VIS_OWNED, VIS_DIRECTIVE };

struct tbl_def {
	const char *name;
	enum tbl_vis vis;
	const struct col_def *cols;     /* terminated by { NULL } */
	const char *const *indexes;     /* column lists to index, each perhaps followed by " WHERE ..."
					   (a partial index); NULL-terminated; may be NULL */
};

struct store;

/*
 * store_open opens (creating when create is true) the database at path,
 * applies pending migrations, and makes sure every table in tables (a
 * NULL-terminated array the caller keeps alive) exists with every column.
 * On success *out is a new store the caller frees with store_close().
 */
int store_open(struct store **out, const char *path, const struct tbl_def *const *tables,
	       bool create, struct nz_err *err);

/* store_schema_version returns the schema version this program writes (PRAGMA user_version). */
int store_schema_version(void);

/* store_close closes the database and frees st; NULL is ignored. */
void store_close(struct store *st);

/* store_db returns the SQLite handle for reads; writes go through store_write. */
sqlite3 *store_db(struct store *st);

/* store_node returns this node's id ("" before store_init_node). */
const char *store_node(const struct store *st);

/* store_init_node records a new node's id and a fresh database identity. */
int store_init_node(struct store *st, const char *node_id, struct nz_err *err);

/* store_dbid copies this database's 16-byte random identity. */
void store_dbid(const struct store *st, uint8_t out[16]);

/* store_table finds a table definition by name, or NULL. */
const struct tbl_def *store_table(const struct store *st, const char *name);

/* store_tables returns the NULL-terminated table list given to store_open. */
const struct tbl_def *const *store_tables(const struct store *st);

/*
 * store_begin/store_commit/store_rollback bracket a write transaction
 * (BEGIN IMMEDIATE).  They nest: only the outermost pair touches SQLite, and
 * a rollback at any depth makes the outermost commit fail.
 */
int store_begin(struct store *st, struct nz_err *err);
int store_commit(struct store *st, struct nz_err *err);
void store_rollback(struct store *st);

/* store_exec runs SQL without results (DDL, pragmas), translating errors. */
int store_exec(struct store *st, const char *sql, struct nz_err *err);

/*
 * store_prepare returns a statement cached by its SQL text (any buffer: the
 * cache keeps a copy); do not finalize it, reset it after use.  Statements
 * of one-off SQL should use sqlite3_prepare_v2 instead: the cache is finite.
 */
sqlite3_stmt *store_prepare(struct store *st, const char *sql, struct nz_err *err);

/*
 * store_int reads into *v the one integer that sql, a statement with no
 * parameter (a pragma, a max() or count()), answers in its first row's first
 * column, through the statement cache: 0 when there is no row or it is NULL.
 * Returns 0, or NZ_EDB (NZ_EBUSY) with SQLite's reason in err and *v 0.
 */
int store_int(struct store *st, const char *sql, int64_t *v, struct nz_err *err);

/* store_sqlerr records SQLite's last error on err with a prefix and returns NZ_EDB. */
int store_sqlerr(struct store *st, struct nz_err *err, const char *what);

/* store_meta_get_int/store_meta_set_int read and write node metadata. */
int64_t store_meta_get_int(struct store *st, const char *key, int64_t dflt);
int store_meta_set_int(struct store *st, const char *key, int64_t value, struct nz_err *err);
/* store_meta_get_text copies a text value into buf ("" when absent). */
void store_meta_get_text(struct store *st, const char *key, char *buf, size_t n);
int store_meta_set_text(struct store *st, const char *key, const char *value, struct nz_err *err);

#define STORE_ID_TIME 7    /* base32 digits of the creation time in seconds */
#define STORE_ID_RANDOM 10 /* random base32 digits after it */
#define STORE_ID_RANDOM_MAX ((UINT64_C(1) << (5 * STORE_ID_RANDOM)) - 1)

/*
 * store_new_id writes a fresh record id: 17 base32 characters, the creation
 * time in seconds then 50 bits, random but climbing within the second for
 * ids made by the same thread, so that ids made later sort after earlier ones.
 */
void store_new_id(char out[NZ_RID_MAX]);

/* ---- the write path (write.c, colset.c, clock.c, oplog.c) ---- */

struct colset;

/*
 * colset_new starts a set of column values for one write; add values with
 * the colset_* setters below and hand it to store_write().  The caller
 * frees it with colset_free().
 */
struct colset *colset_new(void);
void colset_free(struct colset *cs);
void colset_text(struct colset *cs, const char *col, const char *value); /* NULL value writes NULL */
void colset_int(struct colset *cs, const char *col, int64_t value);
void colset_real(struct colset *cs, const char *col, double value);
void colset_null(struct colset *cs, const char *col);
/* colset_count tells how many columns have been set. */
int colset_count(const struct colset *cs);

/*
 * store_write is the one write path for local edits: it stamps a change of
 * record rid in tbl owned by owner with this node's origin, next origin
 * sequence and HLC, applies it and appends it to the change log, all in one
 * transaction.  author names the user.  cs is not consumed.
 */
int store_write(struct store *st, const char *tbl, const char *rid, const char *owner,
		const struct colset *cs, const char *author, struct nz_err *err);

/* store_delete writes a tombstone for a record (deleted = 1) through store_write. */
int store_delete(struct store *st, const char *tbl, const char *rid, const char *owner,
		 const char *author, struct nz_err *err);

enum apply_result { APPLY_NEW = 0, APPLY_DUPLICATE = 1 };

/*
 * store_apply applies one change from elsewhere (via names the peer it came
 * from): a change already in the log is a no-op (APPLY_DUPLICATE); otherwise
 * each column wins if its (hlc, origin) is newer than the column's clock, the
 * change is appended to the log and APPLY_NEW returned.  A change that cannot
 * apply (unknown table or column, owner differing from the record's, or a
 * different change under an (origin, origin_seq) already held) returns
 * NZ_EINVAL with the reason and changes nothing.  Must run inside a
 * transaction when used for a batch; opens its own otherwise.
 */
int store_apply(struct store *st, const struct nz_change *c, const char *via, struct nz_err *err);

/* ---- write hooks (hook.c) ---- */

struct msgpack_object;

enum store_hook_phase { STORE_HOOK_BEFORE, STORE_HOOK_AFTER };

/*
 * What a table's write hook hears of one write of a record, local
 * (store_write) or remote (store_apply): the record, whether it was held
 * here before, and the columns the change won, each as its index in the
 * table's cols (-1 for "deleted") and its value as the change carries it.
 * The hook runs in the write's transaction: with STORE_HOOK_BEFORE just
 * before the row changes (only for a record held here, when the change won
 * a column), with STORE_HOOK_AFTER just after (every write, the columns
 * none when nothing won).
 */
struct row_write {
	enum store_hook_phase phase;
	const struct tbl_def *t;
	const char *rid, *owner;
	bool existed;
	bool local; /* written here (store_write), not applied from elsewhere (store_apply) */
	int n;
	const int *cols;
	const struct msgpack_object *const *vals;
};

/* A write hook: 0, or an error (the write and its transaction fail). */
typedef int (*store_write_hook)(struct store *st, const struct row_write *w, struct nz_err *err);

/*
 * store_hook_set makes fn the write hook of table t in every store of the
 * process (at most 8 tables have one), so that whoever opens a database
 * keeps what hangs on its rows; NULL removes it.  Set it before writing.
 */
void store_hook_set(const struct tbl_def *t, store_write_hook fn);

/*
 * store_ext returns the pointer the layer above keeps with this store (the
 * state of its hooks; NULL until store_ext_set), and store_ext_set sets it;
 * store_close frees it with free_fn.
 */
void *store_ext(struct store *st);
void store_ext_set(struct store *st, void *p, void (*free_fn)(void *));

/*
 * store_ext_txn has the store call commit at the end of every outermost
 * transaction, just before it commits (what the hooks kept in memory for
 * the whole transaction goes in then; an error rolls it all back),
 * committed once its COMMIT has succeeded (what they hold on past it may
 * be taken as written), and rollback whenever one rolls back, COMMIT
 * itself failing included (what they kept is to be forgotten).  Each may
 * be NULL.
 */
void store_ext_txn(struct store *st, int (*commit)(struct store *st, struct nz_err *err),
		   void (*committed)(struct store *st), void (*rollback)(struct store *st));

/*
 * store_epoch changes whenever what a caller read from the database may no
 * longer hold: another connection committed since this one's last
 * transaction, or this one rolled back.  Read it inside a transaction.
 */
unsigned store_epoch(const struct store *st);

/* store_hlc returns the node's current clock value (as persisted). */
uint64_t store_hlc(struct store *st);

/* store_hlc_observe advances the persisted clock past a remote value. */
int store_hlc_observe(struct store *st, uint64_t remote, struct nz_err *err);

/*
 * store_clock_rewind is for a clock that ran ahead and has been set right.
 * This node's own changes logged after position `after` (which no peer
 * holds yet) and stamped later than `ceiling` get new clocks, in log order,
 * counting on from the latest clock held at or below ceiling (or from now),
 * and so do the column clocks they left in their records; the node's clock
 * comes back with them.  *n says how many were restamped.  Changes at or
 * before `after` keep their stamps: a peer holds them.
 */
int store_clock_rewind(struct store *st, int64_t after, uint64_t ceiling, int64_t *n, struct nz_err *err);

/*
 * store_seq_floor raises the floor of this node's origin sequence: a peer
 * has seen our changes up to seq (we were restored from an older backup),
 * so those numbers must never be handed out again.  A seq outside
 * 0..NZ_SEQ_MAX is refused (NZ_EINVAL).
 */
int store_seq_floor(struct store *st, int64_t seq, struct nz_err *err);

/* store_log_head returns the change log's last position (0 when empty). */
int64_t store_log_head(struct store *st);

/* store_origin_max returns the highest origin_seq held from origin (0 if none). */
int64_t store_origin_max(struct store *st, const char *origin);

/*
 * store_log_pending counts the log entries after position `after`, up to
 * `until` (INT64_MAX: the end), that go to peer: up (peer is our parent), those of our subtree it did not send us;
 * down (peer is a child), those of its subtree or of a directive over it that
 * it did not send us.  One range scan of the log on seq; -1 on a read error.
 */
int64_t store_log_pending(struct store *st, const char *peer, bool up, int64_t after, int64_t until);

/*
 * store_history returns, newest first and at most limit, the changes the log
 * holds to record rid of table tbl (every record of tbl when rid is NULL):
 * [{seq, hlc, at (its wall ms), origin, author, rid, owner, cols: {column:
 * value}}], a new array the caller owns; NULL with err set when tbl is not a
 * replicated table (NZ_ENOTFOUND) or the log cannot be read.  One scan of the
 * log (it has no index by table): for a page opened on demand, not a loop.
 */
json_t *store_history(struct store *st, const char *tbl, const char *rid, int limit, struct nz_err *err);

/*
 * store_log_cols gives the whole column map of log entry seq of record rid
 * of table tbl, named, as a change carries it: the values the entry keeps
 * (cols, len bytes, as oplog shows them) and, for the columns in rowcols
 * (oplog's rowcols), those its record's row holds under the entry's clock.
 * *out is the store's buffer (or cols), valid until the next call.
 */
int store_log_cols(struct store *st, const char *tbl, const char *rid, int64_t seq, const void *cols, size_t len,
		   int64_t rowcols, const uint8_t **out, size_t *outlen, struct nz_err *err);

/* store_log_token returns the HLC of the log entry at seq (0 when seq is 0 or absent). */
uint64_t store_log_token(struct store *st, int64_t seq);

/*
 * store_digest computes an order-independent digest of the current values of
 * every replicated record owned inside subtree (every record when NULL) and
 * writes it as 64 hex characters.
 */
int store_digest(struct store *st, const char *subtree, char out[65], struct nz_err *err);

#endif
