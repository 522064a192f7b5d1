#ifndef NZ_STORE_INT_H
#define NZ_STORE_INT_H

/* The store's private state, shared by its files only. */

#include <msgpack.h>

#include "store/store.h"

#define STMT_CACHE 256

struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

/* A string of the change log's dictionary (table sym) and its number; valid while gen is the store's. */
struct sym_slot {
	char s[NZ_AUTHOR_MAX];
	int64_t id;
	unsigned gen;
};

#define SYM_CACHE 512

/* A change's column map, named (every key up to 32 bytes), with room to spare. */
#define LOGBUF_MAX (NZ_COLS_MAX + 32 * (NZ_COLS_NMAX + 1) + 64)

/*
 * What the change log holds of this node's own changes: among the entries
 * at positions up to seen, the one with the highest origin_seq (max) is at
 * position seq (0 and 0: none).  loaded: read once (from the hint in meta,
 * or the log); fresh: still true of the log as this connection sees it in
 * its transaction (nobody else has committed since it was brought up to
 * date); due: the hint in meta is worth writing (read far, or none);
 * wrote: we logged a change of ours since the hint was last written.
 */
struct own_log {
	int64_t seen, seq, max;
	bool loaded, fresh, due, wrote;
};

struct store {
	sqlite3 *db;
	const struct tbl_def *const *tables;
	char node[NZ_ID_MAX];
	uint8_t dbid[16];
	int depth;   /* transaction nesting */
	bool failed; /* an inner level rolled back */
	struct stmt_slot stmts[STMT_CACHE];
	sqlite3_stmt *extra[64];
	unsigned nextra;
	/* per table (parallel to tables): the cached writes and row lookup */
	sqlite3_stmt **upsert; /* the INSERT of a record new here */
	sqlite3_stmt **update; /* the UPDATE of one we hold */
	sqlite3_stmt **lookup;
	int ntables;
	/* clock and origin sequence, held while a transaction is open */
	uint64_t hlc;
	bool hlc_loaded, hlc_dirty;
	int64_t next_seq; /* 0: not loaded */
	bool cache_valid; /* hlc and next_seq still hold: nobody else wrote */
	unsigned dv_after; /* data version after our last commit */
	/* the log's dictionary as far as known: a rollback may take numbers back, so it moves sym_gen */
	struct sym_slot *syms;
	unsigned sym_gen;
	uint8_t *colbuf; /* NZ_COLS_MAX bytes: a change's numbered column map on its way to the log */
	unsigned epoch;  /* store_epoch: moves when caches of the database must be read again */
	void *ext;       /* store_ext, freed by ext_free */
	void (*ext_free)(void *);
	int (*ext_commit)(struct store *st, struct nz_err *err);
	void (*ext_committed)(struct store *st);
	void (*ext_rollback)(struct store *st);
	sqlite3_stmt **rowread; /* per table: a record's clocks and values by id (oplog.c) */
	uint8_t *valbuf;        /* LOGBUF_MAX bytes: values read from a row for a log entry */
	uint8_t *logbuf;        /* LOGBUF_MAX bytes: a log entry's whole column map (store_log_cols) */
	/*
	 * This node's own log entries, which index chlog_key leaves out (a
	 * local write would otherwise write its right-edge page too: README,
	 * P2).  self is the node's number in sym, 0 while it has no identity
	 * (then the index holds every entry).  own: what the log holds of ours,
	 * kept up by oplog.c (own_refresh); own_saved: as it stood when the
	 * transaction began, for a rollback.
	 */
	int64_t self;
	struct own_log own, own_saved;
	char sql_find[200];  /* oplog_find's lookup, with chlog_key's WHERE so SQLite may use it */
	char sql_max[120];   /* store_origin_max's, likewise */
	int64_t sql_self;    /* the self they were made for */
	sqlite3_stmt *find;  /* sql_find prepared (the statement cache's) */
};

/* ---- store.c ---- */

/*
 * store_own_hint writes st->own's "seen seq" to meta's own_hint, where the
 * next open starts reading the log for our own entries (oplog.c, own_refresh).
 */
int store_own_hint(struct store *st, struct nz_err *err);

/* ---- migrations.c ---- */

/* store_migrations: the SQL of each schema version, in order (store_schema_version of them). */
extern const char *const store_migrations[];

/* ---- colmap.c: a change's column map, by name or by number ---- */

/* store_table_index returns the position of table name in st->tables, or -1 (here, so logcols.c may use it). */
int store_table_index(const struct store *st, const char *name);

/* tbl_ncols counts a table's columns (its own, not id, owner, deleted, clk). */
int tbl_ncols(const struct tbl_def *t);

/*
 * tbl_col finds a column by name (len bytes, not terminated): -1 for
 * "deleted", its index in t->cols, or -2 when the table has no such column.
 */
int tbl_col(const struct tbl_def *t, const char *name, size_t len);

/* One entry of a column map: its column's number (0 "deleted", column i as i + 1) and its value's bytes. */
struct colent {
	int num;
	const uint8_t *v;
	size_t vlen;
};

/*
 * colmap_item_len returns the length of the msgpack scalar at p (nil, bool,
 * an integer, a float or a str: what a column map holds), 0 when it is of
 * another kind or runs past end.  *str_len gets a str's length (else -1).
 */
size_t colmap_item_len(const uint8_t *p, const uint8_t *end, int64_t *str_len);

/* colmap_head reads a msgpack map (map) or array header at *p, moving past it; its size, -1 when it is none. */
int64_t colmap_head(const uint8_t **p, const uint8_t *end, bool map);

/* colmap_uint reads the msgpack unsigned integer at *p (before end), moving past it; false when it is none. */
bool colmap_uint(const uint8_t **p, const uint8_t *end, uint64_t *v);

/*
 * colmap_entries reads the column map at in (keys names or numbers) into
 * out (at most max entries, pointing into in); returns their number, or -1
 * when in is not a map of t's columns.
 */
int colmap_entries(const struct tbl_def *t, const uint8_t *in, size_t len, struct colent *out, int max);

/*
 * colmap_write sorts the n entries by column number and writes them to out
 * as a map keyed by number (at most 3 + n + their values' bytes), or by
 * name when names is a table (at most 32 bytes a key); returns its length.
 */
size_t colmap_write(struct colent *e, int n, const struct tbl_def *names, uint8_t *out);

/*
 * colmap_held returns, of the columns in won (bit k: column number k), those
 * whose value in e the record's row gives back byte for byte (val_from_row).
 */
uint64_t colmap_held(const struct tbl_def *t, const struct colent *e, int n, uint64_t won);

/* val_from_row encodes column i of s's row as msgpack into o (5 + NZ_COLS_MAX bytes); its length, -1 for a blob. */
int val_from_row(sqlite3_stmt *s, int i, uint8_t *o);

/*
 * colmap_name is the reverse: *out gets a new buffer (the caller frees it)
 * holding the map at in with t's column names as keys.  Returns 0 or -1.
 */
int colmap_name(const struct tbl_def *t, const uint8_t *in, size_t len, uint8_t **out, size_t *outlen);

/* colmap_register makes SQL function cols_named(tbl, cols) on db, for reading the log by SQL. */
int colmap_register(sqlite3 *db, const struct tbl_def *const *tables);

/* colset.c: one write's column values, the entries of a msgpack map without its header. */
struct colset {
	msgpack_sbuffer body; /* the map's entries, without the header */
	msgpack_packer pk;
	int n;
};

/* ---- clock.c: the node's clock and origin sequence, cached while a transaction is open ---- */

/* store_cur_hlc returns the clock, reading it from the database once per transaction. */
uint64_t store_cur_hlc(struct store *st);

/*
 * store_next_seq returns the origin sequence the next local change takes
 * (reading it once per transaction), or 0 with err set when it is exhausted.
 */
int64_t store_next_seq(struct store *st, struct nz_err *err);

/* ---- oplog.c: the change log's storage ---- */

/*
 * own_refresh brings st->own up to date with the log: from the hint in meta
 * the first time, then by looking at the entries after own.seen only.
 */
int own_refresh(struct store *st, struct nz_err *err);

/* oplog_own_hlc returns the clock of this node's latest change in the log (0 if none). */
uint64_t oplog_own_hlc(struct store *st);

/*
 * oplog_find tells whether c's (origin, origin_seq) is in the log; *same
 * says whether the entry there has c's clock, table and record.
 */
bool oplog_find(struct store *st, const struct nz_change *c, bool *same);

/*
 * oplog_append appends c, a change of table t whose columns were checked,
 * to the log; via names the peer it came from ("" or NULL: written here).
 * won (bit k: column number k) are the columns it wins in the record's row:
 * those the row gives back as they were sent are not copied into the entry,
 * which refers to the row for them (rowcols).  *seq gets its position.
 */
int oplog_append(struct store *st, const struct nz_change *c, const struct tbl_def *t, const char *via,
		 uint64_t won, int64_t *seq, struct nz_err *err);

/*
 * oplog_release copies into log entry seq the values of the columns in mask
 * that it refers to in record rid of table ti, before a later change
 * overwrites them there.
 */
int oplog_release(struct store *st, int ti, const char *rid, int64_t seq, uint64_t mask, struct nz_err *err);

/* oplog_stamp gets the clock and origin of log entry seq (the change a column clock names). */
int oplog_stamp(struct store *st, int64_t seq, uint64_t *hlc, char origin[NZ_ID_MAX], struct nz_err *err);

/* ---- logcols.c: a log entry's whole column map ---- */

/*
 * log_entry_cols writes into st->logbuf the column map of log entry seq,
 * keyed by number, or by name when named, in column order: the values it
 * keeps (kept, a map, or nothing) and those of the columns in mask, read
 * from record rid of table ti, whose clocks must still name the entry.
 * *outlen gets its length.  Returns 0 or an error.
 */
int log_entry_cols(struct store *st, int ti, const char *rid, int64_t seq, const uint8_t *kept, size_t klen,
		   uint64_t mask, bool named, size_t *outlen, struct nz_err *err);

/* logcols_register makes SQL function log_cols(tbl, rid, cols, rowcols, seq) on the store's connection. */
int logcols_register(struct store *st);

/* ---- hook.c ---- */

/* store_hook_get returns table t's write hook, or NULL. */
store_write_hook store_hook_get(const struct tbl_def *t);

/* ---- clk.c: a record's column clocks ---- */

#define CLK_MAX (NZ_COLS_NMAX + 1) /* every column and "deleted" */

/*
 * A column's clock; col is -1 for "deleted", else the column's index in its
 * table.  seq, when not 0, is the log entry of the change that set it (whose
 * hlc and origin are the clock: oplog_stamp); 0 for a clock written before
 * schema 6, which holds hlc and origin itself.
 */
struct colclock {
	int col;
	int64_t seq;
	uint64_t hlc;
	char origin[NZ_ID_MAX];
};

/*
 * clk_decode reads the column clocks a record's clk holds into out (at most
 * max); u holds the decoded blob and is the caller's.  Returns their number,
 * or -1 when the blob is corrupt.
 */
int clk_decode(const struct tbl_def *t, const void *blob, int len, struct colclock *out, int max,
	       msgpack_unpacked *u);

/*
 * clk_named sets in *named the columns (bit k: column number k) whose clock
 * in a record's clk is log entry seq's, reading the blob in place (cheaper
 * than clk_decode, for every change a batch sends).  0, or -1 when corrupt.
 */
int clk_named(const void *blob, int len, int64_t seq, uint64_t *named);

/* clk_pack writes n clocks as clk holds them: one group per distinct clock. */
void clk_pack(msgpack_packer *pk, const struct colclock *clocks, int n);

/* clk_newer tells whether a change stamped (hlc, origin) wins over the clock cur. */
bool clk_newer(uint64_t hlc, const char *origin, const struct colclock *cur);

#endif
