/*
 * The change log's storage: every change this node holds, once, in the
 * order it was written or received (PROTOCOL.md §12).  Everything that
 * knows how a log entry is stored is here.
 */
#include <string.h>

#include "base/unit.h"
#include "store/store_int.h"

uint64_t
oplog_last_hlc(struct store *st, const char *origin)
{
	sqlite3_stmt *s = store_prepare(st,
					"SELECT hlc FROM oplog WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1",
					NULL);
	uint64_t v = 0;

	if (s == NULL)
		return 0;
	sqlite3_bind_text(s, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

int64_t
store_origin_max(struct store *st, const char *origin)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(origin_seq) FROM oplog WHERE origin = ?", NULL);
	int64_t v = 0;

	if (s == NULL)
		return 0;
	sqlite3_bind_text(s, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

int64_t
store_log_head(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT max(seq) FROM oplog", NULL);
	int64_t v = 0;

	if (s == NULL)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

int64_t
store_log_pending(struct store *st, const char *peer, bool up, int64_t after, int64_t until)
{
	/* The routing of sync.c's route_to, as SQL: one range scan of the log after `after`. */
	sqlite3_stmt *s = store_prepare(st,
					up ? "SELECT count(*) FROM oplog WHERE seq > ?1 AND seq <= ?4 AND via != ?2 AND"
					     " " UNIT_SQL_WITHIN("owner", "?3")
					   : "SELECT count(*) FROM oplog WHERE seq > ?1 AND seq <= ?4 AND via != ?2 AND"
					     " (" UNIT_SQL_WITHIN("owner", "?2") " OR"
					     "  (dir = 1 AND " UNIT_SQL_WITHIN("?2", "owner") "))",
					NULL);
	int64_t v = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, until);
	if (up)
		sqlite3_bind_text(s, 3, store_node(st), -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return v;
}

uint64_t
store_log_token(struct store *st, int64_t seq)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT hlc FROM oplog WHERE seq = ?", NULL);
	uint64_t v = 0;

	if (s == NULL || seq <= 0)
		return 0;
	sqlite3_bind_int64(s, 1, seq);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

bool
oplog_find(struct store *st, const struct nz_change *c, bool *same)
{
	sqlite3_stmt *s = store_prepare(
		st, "SELECT hlc = ?3 AND tbl = ?4 AND rid = ?5 FROM oplog WHERE origin = ?1 AND origin_seq = ?2", NULL);
	bool found;

	*same = true;
	if (s == NULL)
		return false;
	sqlite3_bind_text(s, 1, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->origin_seq);
	sqlite3_bind_int64(s, 3, (int64_t)c->hlc);
	sqlite3_bind_text(s, 4, c->tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, c->rid, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	if (found)
		*same = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	return found;
}

int
oplog_append(struct store *st, const struct nz_change *c, bool dir, const char *via, struct nz_err *err)
{
	sqlite3_stmt *log = store_prepare(st,
					  "INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)"
					  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					  err);
	int step;

	if (log == NULL)
		return NZ_EDB;
	sqlite3_bind_text(log, 1, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(log, 2, c->origin_seq);
	sqlite3_bind_int64(log, 3, (sqlite3_int64)c->hlc);
	sqlite3_bind_text(log, 4, c->tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(log, 5, c->rid, -1, SQLITE_STATIC);
	sqlite3_bind_text(log, 6, c->owner, -1, SQLITE_STATIC);
	sqlite3_bind_int(log, 7, dir);
	sqlite3_bind_text(log, 8, c->author, -1, SQLITE_STATIC);
	sqlite3_bind_blob(log, 9, c->cols, (int)c->cols_len, SQLITE_STATIC);
	sqlite3_bind_text(log, 10, via ? via : "", -1, SQLITE_STATIC);
	step = sqlite3_step(log);
	sqlite3_reset(log);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, "append to change log");
}
