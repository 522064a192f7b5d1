#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "store/hlc.h"
#include "store/store_int.h"

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

const char *
store_node(const struct store *st)
{
	return st->node;
}

const struct tbl_def *const *
store_tables(const struct store *st)
{
	return st->tables;
}

const struct tbl_def *
store_table(const struct store *st, const char *name)
{
	int i;

	for (i = 0; st->tables[i] != NULL; i++)
		if (strcmp(st->tables[i]->name, name) == 0)
			return st->tables[i];
	return NULL;
}

int
store_sqlerr(struct store *st, struct nz_err *err, const char *what)
{
	int rc = sqlite3_errcode(st->db);

	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return nz_fail(err, NZ_EBUSY, "%s: database is busy (another process holds it): %s",
			       what, sqlite3_errmsg(st->db));
	return nz_fail(err, NZ_EDB, "%s: %s", what, sqlite3_errmsg(st->db));
}

int
store_exec(struct store *st, const char *sql, struct nz_err *err)
{
	char *msg = NULL;
	int rc;

	rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		rc = nz_fail(err, rc == SQLITE_BUSY ? NZ_EBUSY : NZ_EDB, "database: %s",
			     msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return rc;
	}
	return 0;
}

int
store_int(struct store *st, const char *sql, int64_t *v, struct nz_err *err)
{
	sqlite3_stmt *s = store_prepare(st, sql, err);
	int step;

	*v = 0;
	if (s == NULL)
		return NZ_EDB;
	if ((step = sqlite3_step(s)) == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return step == SQLITE_ROW || step == SQLITE_DONE ? 0 : store_sqlerr(st, err, sql);
}

sqlite3_stmt *
store_prepare(struct store *st, const char *sql, struct nz_err *err)
{
	unsigned h = 2166136261u, i;
	const char *p;
	sqlite3_stmt *stmt;
	char *copy;

	/* Keyed by the text (FNV-1a), which the cache owns a copy of, so
	 * callers may build their SQL in a buffer of their own. */
	for (p = sql; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	h %= STMT_CACHE;
	for (i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *s = &st->stmts[(h + i) % STMT_CACHE];
		if (s->sql == NULL)
			break;
		if (strcmp(s->sql, sql) == 0)
			return s->stmt;
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "prepare");
		return NULL;
	}
	for (i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *s = &st->stmts[(h + i) % STMT_CACHE];
		if (s->sql == NULL) {
			if ((copy = strdup(sql)) == NULL)
				break;
			s->sql = copy;
			s->stmt = stmt;
			return stmt;
		}
	}
	/* Cache full: callers reset, never finalize, so keep it on the overflow list. */
	if (st->nextra == sizeof(st->extra) / sizeof(st->extra[0])) {
		sqlite3_finalize(stmt);
		nz_fail(err, NZ_ENOMEM, "statement cache is full");
		return NULL;
	}
	st->extra[st->nextra++] = stmt;
	return stmt;
}

int64_t
store_meta_get_int(struct store *st, const char *key, int64_t dflt)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM meta WHERE key = ?", NULL);
	int64_t v = dflt;

	if (s == NULL)
		return dflt;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

void
store_meta_get_text(struct store *st, const char *key, char *buf, size_t n)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT value FROM meta WHERE key = ?", NULL);

	buf[0] = '\0';
	if (s == NULL)
		return;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0) != NULL)
		snprintf(buf, n, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
}

int
store_meta_set_int(struct store *st, const char *key, int64_t value, struct nz_err *err)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", err);
	int rc;

	if (s == NULL)
		return NZ_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, value);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(st, err, "meta");
}

int
store_meta_set_text(struct store *st, const char *key, const char *value, struct nz_err *err)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", err);
	int rc;

	if (s == NULL)
		return NZ_EDB;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_sqlerr(st, err, "meta");
}

/*
 * flush_clock persists a clock advanced in this transaction.  A local
 * write's clock is not marked dirty: it is the clock of the change it logged
 * (clock.c reads it back from there), which spares the meta row a page per
 * transaction.
 */
static int
flush_clock(struct store *st, struct nz_err *err)
{
	int rc = 0;

	if (st->hlc_dirty)
		rc = store_meta_set_int(st, "hlc", (int64_t)st->hlc, err);
	st->hlc_dirty = false;
	return rc;
}

int
store_own_hint(struct store *st, struct nz_err *err)
{
	char hint[48];
	int rc;

	snprintf(hint, sizeof(hint), "%lld %lld", (long long)st->own.seen, (long long)st->own.seq);
	if ((rc = store_meta_set_text(st, "own_hint", hint, err)) == 0)
		st->own.due = false;
	return rc;
}

/*
 * flush_own persists where this node's own log entries end (oplog.c,
 * own_refresh), so that the next open need not read the log through: when
 * the transaction writes meta anyway (the clock), or at close after we
 * logged changes of ours, and only as it holds in this transaction.  Never
 * a page per local write.
 */
static int
flush_own(struct store *st, bool closing, struct nz_err *err)
{
	int rc;

	if (!st->own.loaded || !st->own.fresh || !(st->hlc_dirty || (closing && st->own.wrote)))
		return 0;
	if ((rc = store_own_hint(st, err)) == 0)
		st->own.wrote = false;
	return rc;
}

/*
 * txn runs BEGIN IMMEDIATE, COMMIT or ROLLBACK from the statement cache:
 * sqlite3_exec would parse it again for every write.
 */
static int
txn(struct store *st, const char *sql, struct nz_err *err)
{
	sqlite3_stmt *s = store_prepare(st, sql, err);
	int step;

	if (s == NULL)
		return NZ_EDB;
	step = sqlite3_step(s);
	sqlite3_reset(s);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, sql);
}

static unsigned
data_version(struct store *st)
{
	unsigned v = 0;

	sqlite3_file_control(st->db, "main", SQLITE_FCNTL_DATA_VERSION, &v);
	return v;
}

int
store_begin(struct store *st, struct nz_err *err)
{
	int rc;

	if (st->depth++ > 0)
		return 0;
	st->failed = false;
	st->hlc_dirty = false;
	rc = txn(st, "BEGIN IMMEDIATE", err);
	if (rc != 0) {
		st->depth = 0;
		return rc;
	}
	/*
	 * The clock and the next origin sequence stay cached between our own
	 * transactions; if any other connection committed since, re-read them.
	 */
	if (!st->cache_valid || data_version(st) != st->dv_after) {
		st->hlc_loaded = false;
		st->next_seq = 0;
		st->own.fresh = false;
		st->epoch++;
	}
	st->own_saved = st->own;
	return 0;
}

int
store_commit(struct store *st, struct nz_err *err)
{
	int rc;

	if (st->depth == 0)
		return nz_fail(err, NZ_EDB, "commit without a transaction");
	if (--st->depth > 0)
		return 0;
	if (st->failed) {
		txn(st, "ROLLBACK", NULL);
		st->cache_valid = false;
		st->sym_gen++;
		st->own = st->own_saved;
		if (st->ext_rollback != NULL)
			st->ext_rollback(st);
		return nz_fail(err, NZ_EDB, "transaction rolled back by an inner failure");
	}
	if ((rc = st->ext_commit != NULL ? st->ext_commit(st, err) : 0) == 0 && (rc = flush_own(st, false, err)) == 0 &&
	    (rc = flush_clock(st, err)) == 0)
		rc = txn(st, "COMMIT", err);
	if (rc != 0) {
		txn(st, "ROLLBACK", NULL);
		st->cache_valid = false;
		st->sym_gen++;
		st->own = st->own_saved;
		if (st->ext_rollback != NULL)
			st->ext_rollback(st);
		return rc;
	}
	st->dv_after = data_version(st);
	st->cache_valid = true;
	if (st->ext_committed != NULL)
		st->ext_committed(st);
	return 0;
}

void
store_rollback(struct store *st)
{
	if (st->depth == 0)
		return;
	if (--st->depth > 0) {
		st->failed = true;
		return;
	}
	txn(st, "ROLLBACK", NULL);
	st->hlc_loaded = false;
	st->hlc_dirty = false;
	st->next_seq = 0;
	st->cache_valid = false;
	st->sym_gen++;
	st->own = st->own_saved;
	if (st->ext_rollback != NULL)
		st->ext_rollback(st);
}

/* id_digits writes v as n base32 digits, most significant first: they sort as the numbers do. */
static void
id_digits(char *out, int n, uint64_t v)
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz"; /* ascending in ASCII */
	int i;

	for (i = n - 1; i >= 0; i--, v >>= 5)
		out[i] = alphabet[v & 31];
}

void
store_new_id(char out[NZ_RID_MAX])
{
	/* The last id this thread made: its second and its random part. */
	static _Thread_local uint64_t last_secs, last_rand;
	uint64_t secs = hlc_wall_ms() / 1000, r;

	/*
	 * The time first, so that ids sort by when they were made: a record
	 * lands at the right edge of every index keyed by its id instead of on
	 * a random page, and a growing store keeps writing the same few pages
	 * (random ids made a hop slow down as the store grew; README, P1_flat).
	 * Within a second the random part climbs too: the first id of a second
	 * takes 49 random bits, each next one adds 1 to 2^20 at random.  With
	 * 50 random bits each, a bulk of 120,000 records made in one second
	 * (b_fill, an import) was inserted at random places among that
	 * second's, and a batch of them wrote more pages the more of that
	 * second the store held: 1.4 times a batch's usual cost by the end of
	 * it.  A thread's first 2^29 ids of a second stay in order; after
	 * them the climb starts again from a random point.
	 */
	randombytes_buf(&r, sizeof(r));
	if (secs == last_secs && last_rand + (1 << 20) < STORE_ID_RANDOM_MAX)
		r = last_rand + 1 + (r & ((1 << 20) - 1));
	else
		r &= STORE_ID_RANDOM_MAX >> 1;
	last_secs = secs;
	last_rand = r;
	id_digits(out, STORE_ID_TIME, secs);
	id_digits(out + STORE_ID_TIME, STORE_ID_RANDOM, r);
	out[STORE_ID_TIME + STORE_ID_RANDOM] = '\0';
}

void
store_dbid(const struct store *st, uint8_t out[16])
{
	memcpy(out, st->dbid, 16);
}

static int
load_identity(struct store *st)
{
	char hex[64];

	store_meta_get_text(st, "node_id", st->node, sizeof(st->node));
	store_meta_get_text(st, "dbid", hex, sizeof(hex));
	memset(st->dbid, 0, sizeof(st->dbid));
	if (hex[0] != '\0')
		sodium_hex2bin(st->dbid, sizeof(st->dbid), hex, strlen(hex), NULL, NULL, NULL);
	return 0;
}

static int keep_key(struct store *st, struct nz_err *err);

int
store_init_node(struct store *st, const char *node_id, struct nz_err *err)
{
	uint8_t dbid[16];
	char hex[33];
	int rc;

	if (st->node[0] != '\0')
		return nz_fail(err, NZ_EEXIST, "database already belongs to node '%s'", st->node);
	randombytes_buf(dbid, sizeof(dbid));
	sodium_bin2hex(hex, sizeof(hex), dbid, sizeof(dbid));
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = store_meta_set_text(st, "node_id", node_id, err)) != 0 ||
	    (rc = store_meta_set_text(st, "dbid", hex, err)) != 0 ||
	    (rc = store_meta_set_int(st, "hlc", 0, err)) != 0 || (rc = load_identity(st)) != 0 ||
	    (rc = keep_key(st, err)) != 0) {
		store_rollback(st);
		goto fail;
	}
	if ((rc = store_commit(st, err)) == 0)
		return 0;
fail:
	/* As it was: no identity (the whole index, as the rollback left it). */
	load_identity(st);
	st->self = 0;
	return rc;
}

static const char *
type_sql(enum col_type t)
{
	switch (t) {
	case COL_INT:
		return "INTEGER";
	case COL_REAL:
		return "REAL";
	case COL_TEXT:
		break;
	}
	return "TEXT";
}

static bool
has_column(struct store *st, const char *tbl, const char *col)
{
	char sql[160];
	sqlite3_stmt *s;
	bool found = false;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM pragma_table_info('%s') WHERE name = ?", tbl);
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(s, 1, col, -1, SQLITE_STATIC);
	found = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	return found;
}

/* keep_index makes index name by create (its whole CREATE INDEX), dropping one of that name made otherwise. */
static int
keep_index(struct store *st, const char *name, const char *create, struct nz_err *err)
{
	sqlite3_stmt *s;
	char drop[NZ_TBL_MAX + 96];
	int rc, step;
	bool same = false, found = false;

	if (sqlite3_prepare_v2(st->db, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?", -1, &s,
			       NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "read the schema");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(s)) == SQLITE_ROW) {
		found = true;
		same = sqlite3_column_text(s, 0) != NULL && strcmp((const char *)sqlite3_column_text(s, 0), create) == 0;
	}
	sqlite3_finalize(s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sqlerr(st, err, "read the schema");
	if (same)
		return 0;
	if (found) {
		snprintf(drop, sizeof(drop), "DROP INDEX %.*s", (int)(sizeof(drop) - 12), name);
		if ((rc = store_exec(st, drop, err)) != 0)
			return rc;
	}
	return store_exec(st, create, err);
}

/*
 * keep_key gives the change log's index chlog_key the definition this
 * node's identity asks for: without the node's own entries (origin, its
 * number in sym, made here if need be, becomes st->self; oplog.c answers
 * for them).  The first open after an upgrade, or store_init_node, sorts
 * the log into it once.  Without identity, the whole index.
 */
static int
keep_key(struct store *st, struct nz_err *err)
{
	static const char key[] = "CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq)";
	char create[160];
	int rc;

	memset(&st->own, 0, sizeof(st->own));
	st->self = 0;
	/* (The node's name is added the first time only: a statement that changes nothing writes no page.) */
	if (st->node[0] != '\0' &&
	    ((rc = store_exec(st, "INSERT OR IGNORE INTO sym(s) SELECT value FROM meta WHERE key = 'node_id'", err)) != 0 ||
	     (rc = store_int(st, "SELECT id FROM sym WHERE s = (SELECT value FROM meta WHERE key = 'node_id')", &st->self,
			     err)) != 0))
		return rc;
	if (st->self > 0)
		snprintf(create, sizeof(create), "%s WHERE origin <> %lld", key, (long long)st->self);
	else
		snprintf(create, sizeof(create), "%s", key);
	return keep_index(st, "chlog_key", create, err);
}

/* drop_undeclared drops the indexes of table tbl (not SQLite's own) whose names are not among want. */
static int
drop_undeclared(struct store *st, const char *tbl, char want[][NZ_TBL_MAX + 64], int nwant, struct nz_err *err)
{
	sqlite3_stmt *s;
	char drop[16][NZ_TBL_MAX + 96];
	int i, n = 0, rc = 0, step;

	if (sqlite3_prepare_v2(st->db,
			       "SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
			       -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "read the schema");
	sqlite3_bind_text(s, 1, tbl, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(s)) == SQLITE_ROW && n < 16) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		for (i = 0; i < nwant && strcmp(want[i], name) != 0; i++)
			;
		if (i == nwant)
			snprintf(drop[n++], sizeof(drop[0]), "DROP INDEX \"%.*s\"", (int)(sizeof(drop[0]) - 16), name);
	}
	sqlite3_finalize(s);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sqlerr(st, err, "read the schema");
	for (i = 0; i < n && rc == 0; i++)
		rc = store_exec(st, drop[i], err);
	return rc;
}

/*
 * Replicated tables are created from their definitions, and columns added
 * in later versions are added to existing tables: a definition only grows.
 */
static int
reconcile_table(struct store *st, const struct tbl_def *t, struct nz_err *err)
{
	char sql[4096], idx[64], want[16][NZ_TBL_MAX + 64];
	size_t n;
	int i, rc, nwant = 0;

	n = (size_t)snprintf(sql, sizeof(sql),
			     "CREATE TABLE IF NOT EXISTS %s (id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
			     " deleted INTEGER NOT NULL DEFAULT 0, clk BLOB",
			     t->name);
	for (i = 0; t->cols[i].name != NULL && n < sizeof(sql); i++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s %s", t->cols[i].name,
				      type_sql(t->cols[i].type));
	if (n + 4 >= sizeof(sql))
		return nz_fail(err, NZ_EINVAL, "table %s: definition too long", t->name);
	snprintf(sql + n, sizeof(sql) - n, ")");
	if ((rc = store_exec(st, sql, err)) != 0)
		return rc;
	for (i = 0; t->cols[i].name != NULL; i++) {
		if (has_column(st, t->name, t->cols[i].name))
			continue;
		snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN %s %s", t->name, t->cols[i].name,
			 type_sql(t->cols[i].type));
		if ((rc = store_exec(st, sql, err)) != 0)
			return rc;
	}
	/*
	 * Its indexes: each declared column list (with a WHERE clause after
	 * it for a partial index), and the owner.  An index of the table that
	 * the definition no longer declares, or declares otherwise, is
	 * dropped (and made again as declared): an index costs every record
	 * bytes on disk and every write a page (README, P8).
	 */
	for (i = -1; i < 0 || (t->indexes != NULL && t->indexes[i] != NULL); i++) {
		const char *spec = i < 0 ? "owner" : t->indexes[i], *where = strstr(spec, " WHERE ");
		size_t j, len = where != NULL ? (size_t)(where - spec) : strlen(spec), k = 0;
		if (nwant == (int)(sizeof(want) / sizeof(want[0])))
			return nz_fail(err, NZ_EINVAL, "table %s: too many indexes", t->name);
		for (j = 0; j < len && k + 1 < sizeof(idx); j++) {
			char ch = spec[j];
			idx[k++] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '_';
		}
		idx[k] = '\0';
		snprintf(want[nwant], sizeof(want[nwant]), "%s_%s", t->name, idx);
		snprintf(sql, sizeof(sql), "CREATE INDEX %s ON %s(%.*s)%s", want[nwant], t->name, (int)len, spec,
			 spec + len);
		if ((rc = keep_index(st, want[nwant], sql, err)) != 0)
			return rc;
		nwant++;
	}
	return drop_undeclared(st, t->name, want, nwant, err);
}

static int
migrate(struct store *st, struct nz_err *err)
{
	sqlite3_stmt *s;
	int version = 0, rc, i;
	char sql[64];

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "schema version");
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (version > store_schema_version())
		return nz_fail(err, NZ_EVERSION,
			       "database schema version %d is newer than this program knows (%d)",
			       version, store_schema_version());
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	for (; version < store_schema_version(); version++) {
		if ((rc = store_exec(st, store_migrations[version], err)) != 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if ((rc = store_exec(st, sql, err)) != 0)
			goto fail;
	}
	for (i = 0; st->tables[i] != NULL; i++)
		if ((rc = reconcile_table(st, st->tables[i], err)) != 0)
			goto fail;
	if ((rc = load_identity(st)) != 0 || (rc = keep_key(st, err)) != 0)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return rc;
}

int
store_open(struct store **out, const char *path, const struct tbl_def *const *tables, bool create,
	   struct nz_err *err)
{
	struct store *st;
	/*
	 * A store is used by one thread at a time (the loop's: NNG's threads
	 * only queue work, STYLE.md), so its connection needs no mutex of its
	 * own; nor does SQLite's allocator need one for statistics nobody
	 * reads (the first store opened in a process turns them off).  Both
	 * were a tenth of a local write's instructions (README, P2).
	 */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	static bool configured;
	bool existed;
	int rc;

	if (sodium_init() < 0)
		return nz_fail(err, NZ_EIO, "libsodium failed to initialise");
	if ((st = calloc(1, sizeof(*st))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	st->tables = tables;
	while (tables[st->ntables] != NULL)
		st->ntables++;
	st->syms = calloc(SYM_CACHE, sizeof(*st->syms));
	st->sym_gen = 1;
	st->colbuf = malloc(NZ_COLS_MAX);
	st->upsert = calloc((size_t)st->ntables + 1, sizeof(*st->upsert));
	st->update = calloc((size_t)st->ntables + 1, sizeof(*st->update));
	st->lookup = calloc((size_t)st->ntables + 1, sizeof(*st->lookup));
	st->rowread = calloc((size_t)st->ntables + 1, sizeof(*st->rowread));
	st->valbuf = malloc(LOGBUF_MAX);
	st->logbuf = malloc(LOGBUF_MAX);
	if (st->upsert == NULL || st->update == NULL || st->lookup == NULL || st->rowread == NULL || st->syms == NULL ||
	    st->colbuf == NULL || st->valbuf == NULL || st->logbuf == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto fail;
	}
	if (!configured) {
		configured = true;
		sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); /* refused once SQLite runs: then it stays on */
	}
	existed = access(path, F_OK) == 0;
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK) {
		rc = nz_fail(err, create ? NZ_EIO : NZ_ENOTFOUND, "cannot open database '%s': %s", path,
			     st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	/* A new database is its owner's alone; SQLite gives its WAL the same mode. */
	if (create && !existed && path[0] != '\0' && strcmp(path, ":memory:") != 0 && chmod(path, 0600) != 0) {
		rc = nz_fail(err, NZ_EIO, "cannot make database '%s' private: %s", path, strerror(errno));
		goto fail;
	}
	if (colmap_register(st->db, tables) != 0 || logcols_register(st) != 0) {
		rc = store_sqlerr(st, err, "register cols_named and log_cols");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 10000);
	sqlite3_extended_result_codes(st->db, 0);
	/*
	 * WAL lets readers (the HTTP server, another command) run beside the
	 * writer; synchronous=NORMAL in WAL keeps every commit atomic and the
	 * database consistent after a crash or kill -9 at any moment; a power
	 * loss may cost the last commits, which the parent still holds or the
	 * child re-sends.  sync.durable=full in the future would set FULL.
	 */
	if ((rc = store_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
				 "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
			     err)) != 0)
		goto fail;
	if ((rc = migrate(st, err)) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return rc;
}

void
store_close(struct store *st)
{
	unsigned i;

	if (st == NULL)
		return;
	/*
	 * A process that logged changes of its own leaves the next open a
	 * hint where they end (oplog.c), unless the database is busy.
	 */
	if (st->db != NULL && st->depth == 0 && st->own.loaded && st->own.fresh && st->own.wrote) {
		sqlite3_busy_timeout(st->db, 100);
		if (store_begin(st, NULL) == 0) {
			if (flush_own(st, true, NULL) == 0)
				store_commit(st, NULL);
			else
				store_rollback(st);
		}
	}
	for (i = 0; i < STMT_CACHE; i++) {
		if (st->stmts[i].stmt != NULL)
			sqlite3_finalize(st->stmts[i].stmt);
		free((char *)st->stmts[i].sql);
	}
	for (i = 0; i < st->nextra; i++)
		sqlite3_finalize(st->extra[i]);
	for (i = 0; st->upsert != NULL && i < (unsigned)st->ntables; i++) {
		sqlite3_finalize(st->upsert[i]);
		sqlite3_finalize(st->update[i]);
		sqlite3_finalize(st->lookup[i]);
		if (st->rowread != NULL)
			sqlite3_finalize(st->rowread[i]);
	}
	free(st->upsert);
	free(st->update);
	free(st->lookup);
	free(st->rowread);
	free(st->valbuf);
	free(st->logbuf);
	free(st->syms);
	free(st->colbuf);
	if (st->ext_free != NULL)
		st->ext_free(st->ext);
	sqlite3_close(st->db);
	free(st);
}
