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
};

/* store_table_index returns the position of table name in st->tables, or -1. */
int store_table_index(struct store *st, const char *name);

/* tbl_ncols counts a table's columns (its own, not id, owner, deleted, clk). */
int tbl_ncols(const struct tbl_def *t);

/*
 * tbl_col finds a column by name (len bytes, not terminated): -1 for
 * "deleted", its index in t->cols, or -2 when the table has no such column.
 */
int tbl_col(const struct tbl_def *t, const char *name, size_t len);

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

/* oplog_append appends c to the log; dir marks a directive table, via the peer it came from ("" or NULL: local). */
int oplog_append(struct store *st, const struct nz_change *c, bool dir, const char *via, struct nz_err *err);

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
