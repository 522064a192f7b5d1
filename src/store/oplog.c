/*
 * The change log's storage: every change this node holds, once, in the
 * order it was written or received (PROTOCOL.md §12).  Everything that
 * knows how a log entry is stored is here.
 *
 * Since schema 5 the log is table chlog: its origin, table, owner, author
 * and via are numbers into a dictionary of strings (sym: the units of the
 * tree, the tables, the users; a few hundred at most), and its column map
 * numbers the columns (colmap.c).  A problem's entry takes about 100 bytes
 * instead of 190.  View oplog shows the log with its strings, for SQL.
 *
 * Since schema 6 an entry refers to its record's row for the values the row
 * holds under the entry's clock (rowcols: bit k for column number k; the
 * row's column clocks name the entry, clk.c) and keeps only the others in
 * cols: a problem's entry takes about 55 bytes.  Before a change overwrites
 * such a value in the row, oplog_release copies it into the entry, so that
 * every entry reads as it was written (logcols.c: the batches sent, the
 * history, SQL function log_cols).  A value the row would not give back
 * byte for byte stays in the entry (colmap_held).
 */
#include <stdio.h>
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

/*
 * This node's own entries.  Index chlog_key on (origin, origin_seq) leaves
 * them out: a local write would land at the right edge of the node's range
 * in it, a second page in every commit beside the log's own (README, P2).
 * What the index answered for them is kept in st->own instead: which of our
 * entries has the highest origin_seq (store_next_seq, store_origin_max, the
 * clock).  Positions only grow, so it is brought up to date by looking at
 * the entries after the last position looked at (own.seen), a range of the
 * table's rowid; after our own commits nothing at all (oplog_append keeps
 * it).  The highest need not be our last entry: changes we lost and ask
 * back after a restore (PROTOCOL.md §12, recover_from) arrive after those
 * we wrote since, with lower numbers.
 *
 * So that opening a store does not read the whole log (a national node's
 * last write of its own may be a million entries back), meta's own_hint
 * holds "seen seq" as of some commit: written when a refresh in a
 * transaction read far (OWN_HINT_GAP, or found no hint), and by store.c
 * (flush_own) when a transaction writes meta anyway and at close by a
 * process that logged changes of its own; never a page per local write.
 */
#define OWN_HINT_GAP 4096

/* own_at tells whether entry seq is ours (1, its origin_seq in *n) or not (0); <0 on an error. */
static int
own_at(struct store *st, int64_t seq, int64_t *n, struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(st, "SELECT origin, origin_seq FROM chlog WHERE seq = ?", err);
	int step, ours = 0;

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_int64(q, 1, seq);
	if ((step = sqlite3_step(q)) == SQLITE_ROW && sqlite3_column_int64(q, 0) == st->self) {
		*n = sqlite3_column_int64(q, 1);
		ours = 1;
	}
	sqlite3_reset(q);
	return step == SQLITE_ROW || step == SQLITE_DONE ? ours : store_sqlerr(st, err, "read the change log");
}

int
own_refresh(struct store *st, struct nz_err *err)
{
	struct own_log *o = &st->own;
	sqlite3_stmt *q;
	char hint[64];
	long long hs, hq;
	int64_t head, n = 0;
	bool hinted = false;
	int rc, step;

	if (st->self <= 0 || (st->depth > 0 && o->fresh))
		return 0;
	if ((rc = store_int(st, "SELECT max(seq) FROM chlog", &head, err)) != 0)
		return rc;
	if (!o->loaded) {
		memset(o, 0, sizeof(*o));
		store_meta_get_text(st, "own_hint", hint, sizeof(hint));
		if (sscanf(hint, "%lld %lld", &hs, &hq) == 2 && hq >= 0 && hq <= hs && hs <= head) {
			o->seen = hs;
			o->seq = hq;
			hinted = true;
		} else {
			o->due = true;
		}
		o->loaded = true;
	}
	/* The entry we hold for the highest must still be there: the log may have been cut by hand. */
	if (o->seq > 0 && (rc = own_at(st, o->seq, &n, err)) < 0)
		return rc;
	if (head < o->seen || (o->seq > 0 && (rc == 0 || (!hinted && n != o->max)))) {
		o->seen = o->seq = 0;
		o->due = true;
	}
	o->max = o->seq > 0 ? n : 0;
	if (head > o->seen) {
		if ((q = store_prepare(st, "SELECT seq, origin_seq FROM chlog WHERE seq > ?1 AND seq <= ?2 AND origin = ?3",
				       err)) == NULL)
			return NZ_EDB;
		sqlite3_bind_int64(q, 1, o->seen);
		sqlite3_bind_int64(q, 2, head);
		sqlite3_bind_int64(q, 3, st->self);
		while ((step = sqlite3_step(q)) == SQLITE_ROW)
			if (sqlite3_column_int64(q, 1) > o->max) {
				o->seq = sqlite3_column_int64(q, 0);
				o->max = sqlite3_column_int64(q, 1);
			}
		sqlite3_reset(q);
		if (step != SQLITE_DONE)
			return store_sqlerr(st, err, "read the change log");
		if (head - o->seen > OWN_HINT_GAP)
			o->due = true;
		o->seen = head;
	}
	/* Outside a transaction another process may commit at any moment. */
	if ((o->fresh = st->depth > 0) && o->due) {
		/* Read far: the next open starts here (one page, once). */
		return store_own_hint(st, err);
	}
	return 0;
}

/*
 * own_sql makes the lookups by (origin, origin_seq) for st->self: each
 * repeats chlog_key's WHERE (store.c, keep_key) word for word, since SQLite
 * uses a partial index only for a query that says so.
 */
static void
own_sql(struct store *st)
{
	char where[48] = "";

	if (st->sql_find[0] != '\0' && st->sql_self == st->self)
		return;
	st->find = NULL;
	if (st->self > 0)
		snprintf(where, sizeof(where), " AND origin <> %lld", (long long)st->self);
	snprintf(st->sql_find, sizeof(st->sql_find),
		 "SELECT hlc = ?3 AND tbl = ?4 AND rid = ?5 FROM chlog WHERE origin = ?1 AND origin_seq = ?2%s", where);
	snprintf(st->sql_max, sizeof(st->sql_max), "SELECT max(origin_seq) FROM chlog WHERE origin = ?%s", where);
	st->sql_self = st->self;
}

uint64_t
oplog_own_hlc(struct store *st)
{
	if (st->self <= 0 || own_refresh(st, NULL) != 0)
		return 0;
	return store_log_token(st, st->own.seq);
}

int64_t
store_origin_max(struct store *st, const char *origin)
{
	if (st->self > 0 && strcmp(origin, st->node) == 0)
		return own_refresh(st, NULL) == 0 ? st->own.max : 0;
	own_sql(st);
	return log_int(st, st->sql_max, sym_id(st, origin, false, NULL));
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
	if (origin != st->self) {
		/* Kept at hand: once a change applied, the cache's hash of its text cost 80 instructions. */
		own_sql(st);
		if (st->find == NULL)
			st->find = store_prepare(st, st->sql_find, NULL);
		s = st->find;
	} else {
		/*
		 * Ours, which chlog_key leaves out.  Only our parent may send
		 * them (PROTOCOL.md §13), and only those we ask back after a
		 * restore (§12): above the highest we hold, unless we wrote
		 * before they came.  Below it, the log is read through: rare,
		 * and no page of an index on every local write for it.
		 */
		if (own_refresh(st, NULL) == 0 && c->origin_seq > st->own.max)
			return false;
		s = store_prepare(st,
				  "SELECT hlc = ?3 AND tbl = ?4 AND rid = ?5 FROM chlog WHERE origin = ?1 AND origin_seq = ?2",
				  NULL);
	}
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
oplog_append(struct store *st, const struct nz_change *c, const struct tbl_def *t, const char *via, uint64_t won,
	     int64_t *seq, struct nz_err *err)
{
	sqlite3_stmt *log;
	int64_t id[5];
	const char *s[5] = {c->origin, c->tbl, c->owner, c->author, via ? via : ""};
	struct colent e[NZ_COLS_NMAX], keep[NZ_COLS_NMAX];
	uint64_t held;
	size_t cols_len;
	int i, n, nkeep = 0, step;

	for (i = 0; i < 5; i++)
		if ((id[i] = sym_id(st, s[i], true, err)) < 0)
			return NZ_EDB;
	if ((n = colmap_entries(t, c->cols, c->cols_len, e, NZ_COLS_NMAX)) < 0)
		return nz_fail(err, NZ_EDB, "%s/%s: column values are not a map of the table's columns", c->tbl,
			       c->rid);
	/* The values the row now holds as they were sent stay there: the entry refers to them. */
	held = colmap_held(t, e, n, won);
	for (i = 0; i < n; i++)
		if ((held >> e[i].num & 1) == 0)
			keep[nkeep++] = e[i];
	cols_len = nkeep == 0 && held != 0 ? 0 : colmap_write(keep, nkeep, NULL, st->colbuf);
	log = store_prepare(st,
			    "INSERT INTO chlog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via, rowcols)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
	sqlite3_bind_int64(log, 11, (sqlite3_int64)held);
	step = sqlite3_step(log);
	sqlite3_reset(log);
	if (step != SQLITE_DONE)
		return store_sqlerr(st, err, "append to change log");
	*seq = sqlite3_last_insert_rowid(st->db);
	/* What we hold of our own, kept up without reading the log again (own_refresh). */
	if (st->self > 0 && id[0] == st->self)
		st->own.wrote = true;
	if (st->own.fresh && *seq != st->own.seen + 1) {
		st->own.fresh = false;
	} else if (st->own.fresh) {
		st->own.seen = *seq;
		if (id[0] == st->self && c->origin_seq > st->own.max) {
			st->own.seq = *seq;
			st->own.max = c->origin_seq;
		}
	}
	return 0;
}

int
oplog_release(struct store *st, int ti, const char *rid, int64_t seq, uint64_t mask, struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(st, "SELECT cols, rowcols FROM chlog WHERE seq = ?", err);
	size_t klen = 0, flen;
	uint64_t rowcols = 0;
	int rc = 0, step;

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_int64(q, 1, seq);
	if ((step = sqlite3_step(q)) == SQLITE_ROW) {
		rowcols = (uint64_t)sqlite3_column_int64(q, 1);
		klen = (size_t)sqlite3_column_bytes(q, 0);
		if ((mask & rowcols) != 0 && klen > 0 && klen <= NZ_COLS_MAX)
			memcpy(st->colbuf, sqlite3_column_blob(q, 0), klen);
	}
	sqlite3_reset(q);
	if (step != SQLITE_ROW)
		return step == SQLITE_DONE ? nz_fail(err, NZ_EDB, "a column clock names change log entry %lld, which "
								  "is not there", (long long)seq)
					   : store_sqlerr(st, err, "read the change log");
	if ((mask &= rowcols) == 0)
		return 0;
	if (klen > NZ_COLS_MAX)
		return nz_fail(err, NZ_EDB, "change log entry %lld: its column map is too big", (long long)seq);
	if ((rc = log_entry_cols(st, ti, rid, seq, st->colbuf, klen, mask, false, &flen, err)) != 0)
		return rc;
	/* The entry now keeps those values itself (all of them when no column is left in the row). */
	if ((q = store_prepare(st, "UPDATE chlog SET cols = ?2, rowcols = ?3 WHERE seq = ?1", err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_int64(q, 1, seq);
	sqlite3_bind_blob(q, 2, st->logbuf, (int)flen, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)(rowcols & ~mask));
	step = sqlite3_step(q);
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, "keep a change's values in the log");
}

int
oplog_stamp(struct store *st, int64_t seq, uint64_t *hlc, char origin[NZ_ID_MAX], struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(st, "SELECT l.hlc, s.s FROM chlog l JOIN sym s ON s.id = l.origin WHERE l.seq = ?",
					err);
	int step;

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_int64(q, 1, seq);
	if ((step = sqlite3_step(q)) == SQLITE_ROW) {
		*hlc = (uint64_t)sqlite3_column_int64(q, 0);
		snprintf(origin, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_reset(q);
	if (step == SQLITE_ROW)
		return 0;
	return step == SQLITE_DONE
		       ? nz_fail(err, NZ_EDB, "a column clock names change log entry %lld, which is not there",
				 (long long)seq)
		       : store_sqlerr(st, err, "read the change log");
}
