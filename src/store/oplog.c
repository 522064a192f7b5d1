/*
 * The change log's storage: every change this node holds, once, in the
 * order it was written or received (PROTOCOL.md §12).  Everything that
 * knows how a log entry is stored is here.
 *
 * Since schema 5 the log is table chlog: its origin, table, owner, author
 * and via are numbers into a dictionary of strings (sym: the units of the
 * tree, the tables, the users; a few hundred at most), and its column map
 * numbers the columns (colmap.c).  A problem's entry takes about 100 bytes
 * instead of 190.  View oplog shows the log with its strings, for SQL
 * (the column map as stored; cols_named(tbl, cols) names it again).
 */
#include <string.h>

#include "base/unit.h"
#include "store/store_int.h"

static unsigned
sym_hash(const char *s)
{
	unsigned h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/*
 * sym_id returns the number of s in the dictionary, adding it when add (in
 * the caller's transaction); 0 when it is not there and add is false, -1 on
 * a database error.  Numbers once committed never change, so they are
 * cached; a rollback may take back those it added (store.c moves sym_gen).
 */
static int64_t
sym_id(struct store *st, const char *s, bool add, struct nz_err *err)
{
	unsigned h = sym_hash(s) % SYM_CACHE, i;
	struct sym_slot *slot = &st->syms[h];
	sqlite3_stmt *q;
	int64_t id = 0;
	int step;

	for (i = 0; i < 4; i++) {
		struct sym_slot *e = &st->syms[(h + i) % SYM_CACHE];
		if (e->gen == st->sym_gen && strcmp(e->s, s) == 0)
			return e->id;
		if (e->gen != st->sym_gen && slot->gen == st->sym_gen)
			slot = e;
	}
	if ((q = store_prepare(st, "SELECT id FROM sym WHERE s = ?", err)) == NULL)
		return -1;
	sqlite3_bind_text(q, 1, s, -1, SQLITE_STATIC);
	step = sqlite3_step(q);
	if (step == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sqlerr(st, err, "read the log's dictionary"), -1;
	if (id == 0 && add) {
		if ((q = store_prepare(st, "INSERT INTO sym(s) VALUES (?)", err)) == NULL)
			return -1;
		sqlite3_bind_text(q, 1, s, -1, SQLITE_STATIC);
		step = sqlite3_step(q);
		sqlite3_reset(q);
		if (step != SQLITE_DONE)
			return store_sqlerr(st, err, "add to the log's dictionary"), -1;
		id = sqlite3_last_insert_rowid(st->db);
	}
	if (id > 0 && strlen(s) < sizeof(slot->s)) {
		memcpy(slot->s, s, strlen(s) + 1);
		slot->id = id;
		slot->gen = st->sym_gen;
	}
	return id;
}

/* log_int answers sql's one integer for the positive key k (an origin's number, a position); 0 when
 * k is not positive, there is no row or the statement cannot be prepared. */
static int64_t
log_int(struct store *st, const char *sql, int64_t k)
{
	sqlite3_stmt *s;
	int64_t v = 0;

	if (k <= 0 || (s = store_prepare(st, sql, NULL)) == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, k);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

uint64_t
oplog_last_hlc(struct store *st, const char *origin)
{
	return (uint64_t)log_int(st, "SELECT hlc FROM chlog WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1",
				 sym_id(st, origin, false, NULL));
}

int64_t
store_origin_max(struct store *st, const char *origin)
{
	return log_int(st, "SELECT max(origin_seq) FROM chlog WHERE origin = ?", sym_id(st, origin, false, NULL));
}

int64_t
store_log_head(struct store *st)
{
	int64_t v;

	return store_int(st, "SELECT max(seq) FROM chlog", &v, NULL) == 0 ? v : 0;
}

int64_t
store_log_pending(struct store *st, const char *peer, bool up, int64_t after, int64_t until)
{
	/* The routing of sync.c's route_to, as SQL: one range scan of the log after `after`. */
	sqlite3_stmt *s = store_prepare(st,
					up ? "SELECT count(*) FROM chlog l JOIN sym w ON w.id = l.owner"
					     " WHERE l.seq > ?1 AND l.seq <= ?4 AND l.via != ?5 AND"
					     " " UNIT_SQL_WITHIN("w.s", "?3")
					   : "SELECT count(*) FROM chlog l JOIN sym w ON w.id = l.owner"
					     " WHERE l.seq > ?1 AND l.seq <= ?4 AND l.via != ?5 AND"
					     " (" UNIT_SQL_WITHIN("w.s", "?2") " OR"
					     "  (l.dir = 1 AND " UNIT_SQL_WITHIN("?2", "w.s") "))",
					NULL);
	int64_t v = -1, via;

	if (s == NULL || (via = sym_id(st, peer, false, NULL)) < 0)
		return -1;
	sqlite3_bind_int64(s, 1, after);
	sqlite3_bind_text(s, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, until);
	sqlite3_bind_int64(s, 5, via);
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
	return (uint64_t)log_int(st, "SELECT hlc FROM chlog WHERE seq = ?", seq);
}

bool
oplog_find(struct store *st, const struct nz_change *c, bool *same)
{
	sqlite3_stmt *s;
	int64_t origin = sym_id(st, c->origin, false, NULL), tbl;
	bool found;

	*same = true;
	if (origin <= 0 || (tbl = sym_id(st, c->tbl, false, NULL)) < 0)
		return false;
	s = store_prepare(st, "SELECT hlc = ?3 AND tbl = ?4 AND rid = ?5 FROM chlog WHERE origin = ?1 AND origin_seq = ?2",
			  NULL);
	if (s == NULL)
		return false;
	sqlite3_bind_int64(s, 1, origin);
	sqlite3_bind_int64(s, 2, c->origin_seq);
	sqlite3_bind_int64(s, 3, (int64_t)c->hlc);
	sqlite3_bind_int64(s, 4, tbl);
	sqlite3_bind_text(s, 5, c->rid, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	if (found)
		*same = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	return found;
}

int
oplog_append(struct store *st, const struct nz_change *c, const struct tbl_def *t, const char *via,
	     struct nz_err *err)
{
	sqlite3_stmt *log;
	int64_t id[5];
	const char *s[5] = {c->origin, c->tbl, c->owner, c->author, via ? via : ""};
	size_t cols_len;
	int i, step;

	for (i = 0; i < 5; i++)
		if ((id[i] = sym_id(st, s[i], true, err)) < 0)
			return NZ_EDB;
	if (colmap_number(t, c->cols, c->cols_len, st->colbuf, &cols_len) != 0)
		return nz_fail(err, NZ_EDB, "%s/%s: column values are not a map of the table's columns", c->tbl,
			       c->rid);
	log = store_prepare(st,
			    "INSERT INTO chlog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    err);
	if (log == NULL)
		return NZ_EDB;
	sqlite3_bind_int64(log, 1, id[0]);
	sqlite3_bind_int64(log, 2, c->origin_seq);
	sqlite3_bind_int64(log, 3, (sqlite3_int64)c->hlc);
	sqlite3_bind_int64(log, 4, id[1]);
	sqlite3_bind_text(log, 5, c->rid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(log, 6, id[2]);
	sqlite3_bind_int(log, 7, t->vis == VIS_DIRECTIVE);
	sqlite3_bind_int64(log, 8, id[3]);
	sqlite3_bind_blob(log, 9, st->colbuf, (int)cols_len, SQLITE_STATIC);
	sqlite3_bind_int64(log, 10, id[4]);
	step = sqlite3_step(log);
	sqlite3_reset(log);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, "append to change log");
}
