/*
 * A log entry's whole column map, as a change carries it: the values the
 * entry keeps itself and, since schema 6, those its record's row holds
 * under the entry's clock (oplog.c writes entries so).  For the batches
 * sent (store_log_cols), the history and SQL (log_cols), and oplog_release.
 * It reads the store's connection directly: store.c registers log_cols.
 */
#include "store/store_int.h"

/* row_read is table ti's statement reading a record by id: clk, deleted, then its columns. */
static sqlite3_stmt *
row_read(struct store *st, int ti, struct nz_err *err)
{
	const struct tbl_def *t = st->tables[ti];
	char sql[4096];
	size_t len;
	int i;

	if (st->rowread[ti] != NULL)
		return st->rowread[ti];
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT clk, deleted");
	for (i = 0; t->cols[i].name != NULL && len < sizeof(sql); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s", t->cols[i].name);
	if (len + NZ_TBL_MAX + 32 >= sizeof(sql)) {
		nz_fail(err, NZ_EINVAL, "table %s: too many columns", t->name);
		return NULL;
	}
	snprintf(sql + len, sizeof(sql) - len, " FROM %s WHERE id = ?", t->name);
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->rowread[ti], NULL) != SQLITE_OK) {
		nz_fail(err, NZ_EDB, "prepare a record's read: %s", sqlite3_errmsg(st->db));
		st->rowread[ti] = NULL;
	}
	return st->rowread[ti];
}

int
log_entry_cols(struct store *st, int ti, const char *rid, int64_t seq, const uint8_t *kept, size_t klen, uint64_t mask,
	   bool named, size_t *outlen, struct nz_err *err)
{
	const struct tbl_def *t = st->tables[ti];
	struct colent e[NZ_COLS_NMAX + 1];
	sqlite3_stmt *r = NULL;
	size_t used = 0;
	uint64_t holds = 0;
	int n = 0, nc = tbl_ncols(t), k, len, rc = 0, step;

	if (klen > 0 && (n = colmap_entries(t, kept, klen, e, NZ_COLS_NMAX)) < 0) {
		rc = nz_fail(err, NZ_EDB, "change log entry %lld: its column map is corrupt", (long long)seq);
		goto out;
	}
	if (mask != 0) {
		if ((r = row_read(st, ti, err)) == NULL) {
			rc = NZ_EDB;
			goto out;
		}
		sqlite3_bind_text(r, 1, rid, -1, SQLITE_STATIC);
		if ((step = sqlite3_step(r)) != SQLITE_ROW) {
			rc = step == SQLITE_DONE ? nz_fail(err, NZ_EDB, "change log entry %lld: record %s/%s is gone",
							   (long long)seq, t->name, rid)
						 : nz_fail(err, NZ_EDB, "read a record of the change log: %s", sqlite3_errmsg(st->db));
			goto out;
		}
		if (clk_named(sqlite3_column_blob(r, 0), sqlite3_column_bytes(r, 0), seq, &holds) != 0) {
			rc = nz_fail(err, NZ_EDB, "%s/%s: stored column clocks are corrupt", t->name, rid);
			goto out;
		}
		/* The row holds this entry's values only while the columns' clocks name it. */
		if ((mask & ~holds) != 0) {
			for (k = 0; ((mask & ~holds) >> k & 1) == 0; k++)
				;
			rc = nz_fail(err, NZ_EDB, "change log entry %lld: %s/%s no longer holds its column %d",
				     (long long)seq, t->name, rid, k);
			goto out;
		}
	}
	for (k = 0; mask != 0 && k <= nc; k++) {
		if ((mask >> k & 1) == 0)
			continue;
		/* One change's values: within NZ_COLS_MAX, or the row was changed behind the write path. */
		if (n == NZ_COLS_NMAX ||
		    (sqlite3_column_type(r, 1 + k) == SQLITE_TEXT &&
		     (size_t)sqlite3_column_bytes(r, 1 + k) + 5 > LOGBUF_MAX - used) ||
		    LOGBUF_MAX - used < 9 || (len = val_from_row(r, 1 + k, st->valbuf + used)) < 0) {
			rc = nz_fail(err, NZ_EDB, "change log entry %lld: %s/%s holds more than a change's values",
				     (long long)seq, t->name, rid);
			goto out;
		}
		e[n].num = k;
		e[n].v = st->valbuf + used;
		e[n].vlen = (size_t)len;
		used += (size_t)len;
		n++;
	}
	if (klen + used + 32 * (size_t)n + 3 > LOGBUF_MAX) {
		rc = nz_fail(err, NZ_EDB, "change log entry %lld: too big", (long long)seq);
		goto out;
	}
	*outlen = colmap_write(e, n, named ? t : NULL, st->logbuf);
out:
	if (r != NULL) {
		sqlite3_reset(r);
		sqlite3_clear_bindings(r);
	}
	return rc;
}

int
store_log_cols(struct store *st, const char *tbl, const char *rid, int64_t seq, const void *cols, size_t len,
	       int64_t rowcols, const uint8_t **out, size_t *outlen, struct nz_err *err)
{
	int ti = store_table_index(st, tbl), rc;

	if (ti < 0) {
		/* A table this program does not know: the map as it was logged (it refers to no row). */
		if (rowcols != 0)
			return nz_fail(err, NZ_EDB, "change log entry %lld refers to a record of table '%s', unknown here",
				       (long long)seq, tbl);
		*out = cols;
		*outlen = len;
		return 0;
	}
	if ((rc = log_entry_cols(st, ti, rid, seq, cols, len, (uint64_t)rowcols, true, outlen, err)) != 0)
		return rc;
	*out = st->logbuf;
	return 0;
}

/*
 * log_cols(tbl, rid, cols, rowcols, seq): a log entry's whole column map, by
 * number, in column order: the values it keeps (cols) and those of the
 * columns in rowcols, read from the record's row in the connection's main
 * database.
 */
static void
sql_log_cols(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store *st = sqlite3_user_data(ctx);
	const char *tbl = (const char *)sqlite3_value_text(argv[0]), *rid = (const char *)sqlite3_value_text(argv[1]);
	struct nz_err err = {0};
	size_t n;
	int ti;

	(void)argc;
	if (tbl == NULL || rid == NULL || (ti = store_table_index(st, tbl)) < 0) {
		/* A table this program does not know: the map as it was logged. */
		sqlite3_result_value(ctx, argv[2]);
		return;
	}
	if (log_entry_cols(st, ti, rid, sqlite3_value_int64(argv[4]), sqlite3_value_blob(argv[2]),
		       (size_t)sqlite3_value_bytes(argv[2]), (uint64_t)sqlite3_value_int64(argv[3]), false, &n, &err) != 0) {
		sqlite3_result_error(ctx, err.msg, -1);
		return;
	}
	sqlite3_result_blob(ctx, st->logbuf, (int)n, SQLITE_TRANSIENT);
}

int
logcols_register(struct store *st)
{
	return sqlite3_create_function(st->db, "log_cols", 5, SQLITE_UTF8, st, sql_log_cols, NULL, NULL) == SQLITE_OK
		       ? 0
		       : NZ_EDB;
}
