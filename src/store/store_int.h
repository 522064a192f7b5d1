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
	void (*ext_rollback)(struct store *st);
};

/* store_table_index returns the position of table name in st->tables, or -1. */
int store_table_index(struct store *st, const char *name);

/* ---- colmap.c: a change's column map, by name or by number ---- */

/* tbl_ncols counts a table's columns (its own, not id, owner, deleted, clk). */
int tbl_ncols(const struct tbl_def *t);

/*
 * tbl_col finds a column by name (len bytes, not terminated): -1 for
 * "deleted", its index in t->cols, or -2 when the table has no such column.
 */
int tbl_col(const struct tbl_def *t, const char *name, size_t len);

/*
 * colmap_number writes into out (at least len bytes) the column map at in,
 * whose keys are names or numbers, with t's column numbers as keys (0
 * "deleted", column i as i + 1), values byte for byte; *outlen gets its
 * length.  Returns 0, or -1 when in is not a map of t's columns.
 */
int colmap_number(const struct tbl_def *t, const uint8_t *in, size_t len, uint8_t *out, size_t *outlen);

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

/* oplog_last_hlc returns the clock of origin's latest change in the log (0 if none). */
uint64_t oplog_last_hlc(struct store *st, const char *origin);

/*
 * oplog_find tells whether c's (origin, origin_seq) is in the log; *same
 * says whether the entry there has c's clock, table and record.
 */
bool oplog_find(struct store *st, const struct nz_change *c, bool *same);

/*
 * oplog_append appends c, a change of table t whose columns were checked,
 * to the log; via names the peer it came from ("" or NULL: written here).
 */
int oplog_append(struct store *st, const struct nz_change *c, const struct tbl_def *t, const char *via,
		 struct nz_err *err);

/* ---- hook.c ---- */

/* store_hook_get returns table t's write hook, or NULL. */
store_write_hook store_hook_get(const struct tbl_def *t);

/* ---- clk.c: a record's column clocks ---- */

#define CLK_MAX (NZ_COLS_NMAX + 1) /* every column and "deleted" */

/* A column's clock; col is -1 for "deleted", else the column's index in its table. */
struct colclock {
	int col;
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

/* clk_pack writes n clocks as clk holds them: one group per distinct clock. */
void clk_pack(msgpack_packer *pk, const struct colclock *clocks, int n);

/* clk_newer tells whether a change stamped (hlc, origin) wins over the clock cur. */
bool clk_newer(uint64_t hlc, const char *origin, const struct colclock *cur);

#endif
