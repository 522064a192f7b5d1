#ifndef NZ_STORE_INT_H
#define NZ_STORE_INT_H

/* The store's private state, shared by its files only. */

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

/* store_flush_clock persists a clock advanced in this transaction (write.c). */
int store_flush_clock(struct store *st, struct nz_err *err);

#endif
