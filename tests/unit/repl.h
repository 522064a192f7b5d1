/*
 * Replication by hand for the unit tests: what a sync session would carry
 * from one store to another, without a session.  Included by a test file.
 */
#ifndef NZ_TEST_REPL_H
#define NZ_TEST_REPL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "base/change.h"
#include "base/unit.h"
#include "store/store.h"

/* t_copy_after applies to dst every change of src's log after position from that dst may see, oldest
 * first or newest first; returns the last position read. */
static inline int64_t
t_copy_after(struct store *src, struct store *dst, int64_t from, bool reverse)
{
	sqlite3_stmt *q;
	struct nz_err err = {0};
	const char *self = store_node(dst);
	int64_t last = from;

	if (sqlite3_prepare_v2(store_db(src),
			       reverse ? "SELECT origin, origin_seq, hlc, tbl, rid, owner, author,"
					 " log_cols(tbl, rid, cols, rowcols, seq), dir, seq FROM oplog"
					 " WHERE seq > ? ORDER BY seq DESC"
				       : "SELECT origin, origin_seq, hlc, tbl, rid, owner, author,"
					 " log_cols(tbl, rid, cols, rowcols, seq), dir, seq FROM oplog"
					 " WHERE seq > ? ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		return from;
	sqlite3_bind_int64(q, 1, from);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct nz_change c;
		const char *owner = (const char *)sqlite3_column_text(q, 5);
		if (sqlite3_column_int64(q, 9) > last)
			last = sqlite3_column_int64(q, 9);
		if (!unit_within(owner, self) && !(sqlite3_column_int(q, 8) && unit_within(self, owner)))
			continue;
		memset(&c, 0, sizeof(c));
		snprintf(c.origin, sizeof(c.origin), "%s", (const char *)sqlite3_column_text(q, 0));
		c.origin_seq = sqlite3_column_int64(q, 1);
		c.hlc = (uint64_t)sqlite3_column_int64(q, 2);
		snprintf(c.tbl, sizeof(c.tbl), "%s", (const char *)sqlite3_column_text(q, 3));
		snprintf(c.rid, sizeof(c.rid), "%s", (const char *)sqlite3_column_text(q, 4));
		snprintf(c.owner, sizeof(c.owner), "%s", owner);
		snprintf(c.author, sizeof(c.author), "%s", (const char *)sqlite3_column_text(q, 6));
		c.cols = sqlite3_column_blob(q, 7);
		c.cols_len = (size_t)sqlite3_column_bytes(q, 7);
		if (store_apply(dst, &c, store_node(src), &err) < 0)
			printf("# apply %s/%lld to %s: %s\n", c.origin, (long long)c.origin_seq, self, err.msg);
	}
	sqlite3_finalize(q);
	return last;
}

/* t_copy_log applies to dst every change of src's log that dst may see, oldest first or newest first. */
static inline void
t_copy_log(struct store *src, struct store *dst, bool reverse)
{
	t_copy_after(src, dst, 0, reverse);
}

#endif
