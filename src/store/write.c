/*
 * The write path: local writes (store_write) and remote changes
 * (store_apply) meet in apply_change(), which resolves every column by
 * last-writer-wins on (hlc, origin) and appends the change to the log in
 * the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>
#include <sodium.h>

#include "base/unit.h"
#include "store/hlc.h"
#include "store/store_int.h"

/* ---- column sets ---- */

struct colset {
	msgpack_sbuffer body; /* the map's entries, without the header */
	msgpack_packer pk;
	int n;
};

struct colset *
colset_new(void)
{
	struct colset *cs = calloc(1, sizeof(*cs));

	if (cs == NULL)
		abort(); /* a few bytes: nothing sensible to do without them */
	msgpack_sbuffer_init(&cs->body);
	msgpack_packer_init(&cs->pk, &cs->body, msgpack_sbuffer_write);
	return cs;
}

void
colset_free(struct colset *cs)
{
	if (cs == NULL)
		return;
	msgpack_sbuffer_destroy(&cs->body);
	free(cs);
}

int
colset_count(const struct colset *cs)
{
	return cs->n;
}

static void
colset_key(struct colset *cs, const char *col)
{
	size_t n = strlen(col);

	msgpack_pack_str(&cs->pk, n);
	msgpack_pack_str_body(&cs->pk, col, n);
	cs->n++;
}

void
colset_text(struct colset *cs, const char *col, const char *value)
{
	size_t n;

	colset_key(cs, col);
	if (value == NULL) {
		msgpack_pack_nil(&cs->pk);
		return;
	}
	n = strlen(value);
	msgpack_pack_str(&cs->pk, n);
	msgpack_pack_str_body(&cs->pk, value, n);
}

void
colset_int(struct colset *cs, const char *col, int64_t value)
{
	colset_key(cs, col);
	msgpack_pack_int64(&cs->pk, value);
}

void
colset_real(struct colset *cs, const char *col, double value)
{
	colset_key(cs, col);
	msgpack_pack_double(&cs->pk, value);
}

void
colset_null(struct colset *cs, const char *col)
{
	colset_key(cs, col);
	msgpack_pack_nil(&cs->pk);
}

/* ---- clock and sequence, cached for the length of a transaction ---- */

/*
 * The clock is persisted two ways: a local write's value is the HLC of the
 * change it logs, found again through the (origin, origin_seq) index; any
 * other advance (a remote change, a peer's clock) goes to meta at commit.
 * Sparing the meta row on local writes spares a page per transaction.
 */
static uint64_t
last_local_hlc(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st,
					"SELECT hlc FROM oplog WHERE origin = ? ORDER BY origin_seq DESC LIMIT 1",
					NULL);
	uint64_t v = 0;

	if (s == NULL)
		return 0;
	sqlite3_bind_text(s, 1, st->node, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = (uint64_t)sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return v;
}

static uint64_t
cur_hlc(struct store *st)
{
	uint64_t local;

	if (!st->hlc_loaded) {
		st->hlc = (uint64_t)store_meta_get_int(st, "hlc", 0);
		local = last_local_hlc(st);
		if (local > st->hlc)
			st->hlc = local;
		st->hlc_loaded = true;
	}
	return st->hlc;
}

uint64_t
store_hlc(struct store *st)
{
	uint64_t v;

	if (st->depth > 0)
		return cur_hlc(st);
	st->hlc_loaded = false; /* outside a transaction another process may have moved it */
	v = cur_hlc(st);
	st->hlc_loaded = false;
	return v;
}

int
store_flush_clock(struct store *st, struct nz_err *err)
{
	int rc = 0;

	if (st->hlc_dirty)
		rc = store_meta_set_int(st, "hlc", (int64_t)st->hlc, err);
	st->hlc_dirty = false;
	return rc;
}

int
store_hlc_observe(struct store *st, uint64_t remote, struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	st->hlc = hlc_recv(cur_hlc(st), remote, hlc_wall_ms());
	st->hlc_dirty = true;
	return store_commit(st, err);
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

int
store_seq_floor(struct store *st, int64_t seq, struct nz_err *err)
{
	int rc;

	if (seq < 0 || seq > NZ_SEQ_MAX)
		return nz_fail(err, NZ_EINVAL, "sequence floor %lld is out of range (0..%lld)", (long long)seq,
			       (long long)NZ_SEQ_MAX);
	if (seq <= store_origin_max(st, st->node) || seq <= store_meta_get_int(st, "seq_floor", 0))
		return 0;
	if ((rc = store_meta_set_int(st, "seq_floor", seq, err)) == 0)
		st->next_seq = 0;
	return rc;
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

/* ---- per-table statements ---- */

static int
table_index(struct store *st, const char *name)
{
	int i;

	for (i = 0; st->tables[i] != NULL; i++)
		if (strcmp(st->tables[i]->name, name) == 0)
			return i;
	return -1;
}

static int
ncols(const struct tbl_def *t)
{
	int n = 0;

	while (t->cols[n].name != NULL)
		n++;
	return n;
}

/*
 * Two statements per table cover every column: an INSERT for a record new
 * here and an UPDATE for one we hold (the lookup before tells which; an
 * upsert would make SQLite keep a statement journal on tables with
 * triggers).  Parameters: ?1 id, ?2 owner, ?3 deleted, ?4 clk, ?5.. the
 * column values, then one flag per column (and one for deleted) saying
 * whether this change wins it; the INSERT has no use for the flags.
 */
static sqlite3_stmt *
table_write(struct store *st, int ti, bool exists, struct nz_err *err)
{
	const struct tbl_def *t = st->tables[ti];
	sqlite3_stmt **slot = exists ? &st->update[ti] : &st->upsert[ti];
	int i, n = ncols(t);
	size_t len = 0, cap = 512 + (size_t)n * 96;
	char *sql;
	sqlite3_stmt *s = NULL;

	if (*slot != NULL)
		return *slot;
	if ((sql = malloc(cap)) == NULL)
		return NULL;
	if (!exists) {
		len += (size_t)snprintf(sql + len, cap - len, "INSERT OR FAIL INTO %s (id, owner, deleted, clk",
					t->name);
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(sql + len, cap - len, ", %s", t->cols[i].name);
		len += (size_t)snprintf(sql + len, cap - len, ") VALUES (?1, ?2, coalesce(?3, 0), ?4");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(sql + len, cap - len, ", ?%d", 5 + i);
		len += (size_t)snprintf(sql + len, cap - len, ")");
	} else {
		len += (size_t)snprintf(sql + len, cap - len,
					"UPDATE OR FAIL %s SET clk = ?4,"
					" deleted = CASE WHEN ?%d THEN coalesce(?3, 0) ELSE deleted END",
					t->name, 5 + 2 * n);
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(sql + len, cap - len, ", %s = CASE WHEN ?%d THEN ?%d ELSE %s END",
						t->cols[i].name, 5 + n + i, 5 + i, t->cols[i].name);
		len += (size_t)snprintf(sql + len, cap - len, " WHERE id = ?1 AND owner = ?2");
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "prepare write");
		s = NULL;
	}
	free(sql);
	*slot = s;
	return s;
}

/* bind_flag sets a win flag, where the statement has it (the INSERT has none). */
static void
bind_flag(sqlite3_stmt *s, int idx, int v)
{
	if (idx <= sqlite3_bind_parameter_count(s))
		sqlite3_bind_int(s, idx, v);
}

static sqlite3_stmt *
table_lookup(struct store *st, int ti, struct nz_err *err)
{
	char sql[160];
	sqlite3_stmt *s = NULL;

	if (st->lookup[ti] != NULL)
		return st->lookup[ti];
	snprintf(sql, sizeof(sql), "SELECT owner, clk FROM %s WHERE id = ?", st->tables[ti]->name);
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "prepare lookup");
		s = NULL;
	}
	st->lookup[ti] = s;
	return s;
}

/* ---- apply ---- */

/* A column's clock; col as in struct incoming (-1 "deleted", else the column's index). */
struct colclock {
	int col;
	uint64_t hlc;
	char origin[NZ_ID_MAX];
};

/* Column -1 stands for "deleted". */
struct incoming {
	int col;
	const msgpack_object *val;
};

static int
find_col(const struct tbl_def *t, const char *name, size_t len)
{
	int i;

	if (len == 7 && memcmp(name, "deleted", 7) == 0)
		return -1;
	for (i = 0; t->cols[i].name != NULL; i++)
		if (strlen(t->cols[i].name) == len && memcmp(t->cols[i].name, name, len) == 0)
			return i;
	return -2;
}

static bool
clk_origin(const msgpack_object *o, char out[NZ_ID_MAX])
{
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= NZ_ID_MAX)
		return false;
	memcpy(out, o->via.str.ptr, o->via.str.size);
	out[o->via.str.size] = '\0';
	return true;
}

/*
 * The column clocks of a record, as stored in its clk: since schema 3 an
 * array of groups [hlc, origin, column numbers...], one group per clock, the
 * columns numbered as on the wire (0 "deleted", then the table's columns from
 * 1; PROTOCOL.md §6.1), so a record written once carries its clock once;
 * before, a map from column name to [hlc, origin], still read (and written
 * anew the next time the record changes).  Returns the number of clocks, or
 * -1 when the blob is neither.
 */
static int
decode_clk(const struct tbl_def *t, const void *blob, int len, struct colclock *out, int max,
	   msgpack_unpacked *u)
{
	const msgpack_object *o;
	uint32_t i, k;
	int n = 0;

	if (blob == NULL || len <= 0)
		return 0;
	if (msgpack_unpack_next(u, blob, (size_t)len, NULL) != MSGPACK_UNPACK_SUCCESS)
		return -1;
	o = &u->data;
	if (o->type == MSGPACK_OBJECT_ARRAY) {
		for (i = 0; i < o->via.array.size; i++) {
			const msgpack_object *g = &o->via.array.ptr[i];
			if (g->type != MSGPACK_OBJECT_ARRAY || g->via.array.size < 3 ||
			    g->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
				return -1;
			for (k = 2; k < g->via.array.size; k++) {
				const msgpack_object *c = &g->via.array.ptr[k];
				if (n == max || c->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
				    c->via.u64 > (uint64_t)ncols(t) ||
				    !clk_origin(&g->via.array.ptr[1], out[n].origin))
					return -1;
				out[n].col = (int)c->via.u64 - 1;
				out[n].hlc = g->via.array.ptr[0].via.u64;
				n++;
			}
		}
		return n;
	}
	if (o->type != MSGPACK_OBJECT_MAP)
		return -1;
	for (i = 0; i < o->via.map.size && n < max; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		const msgpack_object *v = &kv->val;
		if (kv->key.type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size != 2 ||
		    v->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    !clk_origin(&v->via.array.ptr[1], out[n].origin))
			return -1;
		if ((out[n].col = find_col(t, kv->key.via.str.ptr, kv->key.via.str.size)) == -2)
			return -1;
		out[n].hlc = v->via.array.ptr[0].via.u64;
		n++;
	}
	return n;
}

static void
bind_value(sqlite3_stmt *s, int idx, const msgpack_object *v)
{
	switch (v->type) {
	case MSGPACK_OBJECT_BOOLEAN:
		sqlite3_bind_int(s, idx, v->via.boolean);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		sqlite3_bind_int64(s, idx, (sqlite3_int64)v->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		sqlite3_bind_int64(s, idx, v->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		sqlite3_bind_double(s, idx, v->via.f64);
		break;
	case MSGPACK_OBJECT_STR:
		sqlite3_bind_text(s, idx, v->via.str.ptr, (int)v->via.str.size, SQLITE_TRANSIENT);
		break;
	default:
		sqlite3_bind_null(s, idx);
		break;
	}
}

static bool
newer(uint64_t hlc, const char *origin, const struct colclock *cur)
{
	if (hlc != cur->hlc)
		return hlc > cur->hlc;
	return strcmp(origin, cur->origin) > 0;
}

static void
pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

#define MAX_CLOCKS (NZ_COLS_NMAX + 1)

static bool
same_clock(const struct colclock *a, const struct colclock *b)
{
	return a->hlc == b->hlc && strcmp(a->origin, b->origin) == 0;
}

/* pack_clk writes clocks as clk holds them: one group per distinct clock (decode_clk). */
static void
pack_clk(msgpack_packer *pk, const struct colclock *clocks, int n)
{
	bool done[MAX_CLOCKS] = {false};
	int i, j, groups = 0, members;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && !same_clock(&clocks[i], &clocks[j]); j++)
			;
		groups += j == i;
	}
	msgpack_pack_array(pk, (size_t)groups);
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		for (members = 0, j = i; j < n; j++)
			members += same_clock(&clocks[i], &clocks[j]);
		msgpack_pack_array(pk, (size_t)members + 2);
		msgpack_pack_uint64(pk, clocks[i].hlc);
		pack_str(pk, clocks[i].origin);
		for (j = i; j < n; j++)
			if (!done[j] && same_clock(&clocks[i], &clocks[j])) {
				msgpack_pack_uint32(pk, (uint32_t)(clocks[j].col + 1));
				done[j] = true;
			}
	}
}

static int
apply_change(struct store *st, const struct nz_change *c, const char *via, struct nz_err *err)
{
	const struct tbl_def *t;
	sqlite3_stmt *look, *up, *log;
	msgpack_unpacked cu, ku;
	struct colclock clocks[MAX_CLOCKS];
	struct incoming in[NZ_COLS_NMAX];
	bool win[NZ_COLS_NMAX];
	msgpack_sbuffer kb;
	msgpack_packer kp;
	int ti, n, nclk = 0, nin = 0, i, j, rc = 0, step;
	bool exists = false;

	msgpack_unpacked_init(&cu);
	msgpack_unpacked_init(&ku);
	msgpack_sbuffer_init(&kb);

	if ((ti = table_index(st, c->tbl)) < 0) {
		rc = nz_fail(err, NZ_EINVAL, "unknown table '%s'", c->tbl);
		goto out;
	}
	t = st->tables[ti];
	n = ncols(t);
	if (unit_level(c->owner) < 0) {
		rc = nz_fail(err, NZ_EINVAL, "owner '%s' is not an org-unit code", c->owner);
		goto out;
	}

	/* The columns this change sets. */
	if (msgpack_unpack_next(&cu, (const char *)c->cols, c->cols_len, NULL) != MSGPACK_UNPACK_SUCCESS ||
	    cu.data.type != MSGPACK_OBJECT_MAP) {
		rc = nz_fail(err, NZ_EINVAL, "%s/%s: column values are not a msgpack map", c->tbl, c->rid);
		goto out;
	}
	if (cu.data.via.map.size > NZ_COLS_NMAX) {
		rc = nz_fail(err, NZ_EINVAL, "%s/%s: %u columns, limit %d", c->tbl, c->rid,
			     cu.data.via.map.size, NZ_COLS_NMAX);
		goto out;
	}
	for (i = 0; i < (int)cu.data.via.map.size; i++) {
		const msgpack_object_kv *kv = &cu.data.via.map.ptr[i];
		int col;
		if (kv->key.type != MSGPACK_OBJECT_STR) {
			rc = nz_fail(err, NZ_EINVAL, "%s/%s: a column name is not a string", c->tbl, c->rid);
			goto out;
		}
		col = find_col(t, kv->key.via.str.ptr, kv->key.via.str.size);
		if (col == -2) {
			rc = nz_fail(err, NZ_EINVAL, "table '%s' has no column '%.*s'", c->tbl,
				     (int)kv->key.via.str.size, kv->key.via.str.ptr);
			goto out;
		}
		switch (kv->val.type) {
		case MSGPACK_OBJECT_NIL:
		case MSGPACK_OBJECT_BOOLEAN:
		case MSGPACK_OBJECT_POSITIVE_INTEGER:
		case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		case MSGPACK_OBJECT_FLOAT32:
		case MSGPACK_OBJECT_FLOAT64:
		case MSGPACK_OBJECT_STR:
			break;
		default:
			rc = nz_fail(err, NZ_EINVAL, "%s/%s: column '%.*s' has a value of unsupported type",
				     c->tbl, c->rid, (int)kv->key.via.str.size, kv->key.via.str.ptr);
			goto out;
		}
		for (j = 0; j < nin; j++)
			if (in[j].col == col) {
				rc = nz_fail(err, NZ_EINVAL, "%s/%s: column '%.*s' set twice", c->tbl, c->rid,
					     (int)kv->key.via.str.size, kv->key.via.str.ptr);
				goto out;
			}
		in[nin].col = col;
		in[nin].val = &kv->val;
		nin++;
	}

	/* The record as it stands. */
	if ((look = table_lookup(st, ti, err)) == NULL) {
		rc = NZ_EDB;
		goto out;
	}
	sqlite3_bind_text(look, 1, c->rid, -1, SQLITE_STATIC);
	step = sqlite3_step(look);
	if (step == SQLITE_ROW) {
		const char *owner = (const char *)sqlite3_column_text(look, 0);
		exists = true;
		if (owner == NULL || strcmp(owner, c->owner) != 0) {
			rc = nz_fail(err, NZ_EINVAL, "%s/%s is owned by %s; the change says %s", c->tbl,
				     c->rid, owner ? owner : "nobody", c->owner);
			sqlite3_reset(look);
			goto out;
		}
		nclk = decode_clk(t, sqlite3_column_blob(look, 1), sqlite3_column_bytes(look, 1), clocks,
				  MAX_CLOCKS, &ku);
		if (nclk < 0) {
			rc = nz_fail(err, NZ_EDB, "%s/%s: stored column clocks are corrupt", c->tbl, c->rid);
			sqlite3_reset(look);
			goto out;
		}
	} else if (step != SQLITE_DONE) {
		rc = store_sqlerr(st, err, "lookup");
		sqlite3_reset(look);
		goto out;
	}
	sqlite3_reset(look);

	/* Last writer wins, column by column. */
	for (i = 0; i < nin; i++) {
		for (j = 0; j < nclk; j++)
			if (clocks[j].col == in[i].col)
				break;
		if (j == nclk) {
			if (nclk == MAX_CLOCKS) {
				rc = nz_fail(err, NZ_EDB, "%s/%s: too many column clocks", c->tbl, c->rid);
				goto out;
			}
			clocks[j].col = in[i].col;
			clocks[j].hlc = 0;
			clocks[j].origin[0] = '\0';
			nclk++;
			win[i] = true;
		} else {
			win[i] = newer(c->hlc, c->origin, &clocks[j]);
		}
		if (win[i]) {
			clocks[j].hlc = c->hlc;
			snprintf(clocks[j].origin, sizeof(clocks[j].origin), "%s", c->origin);
		}
	}

	/* Write the winners with their new clocks. */
	msgpack_packer_init(&kp, &kb, msgpack_sbuffer_write);
	pack_clk(&kp, clocks, nclk);
	if ((up = table_write(st, ti, exists, err)) == NULL) {
		rc = NZ_EDB;
		goto out;
	}
	sqlite3_clear_bindings(up);
	sqlite3_bind_text(up, 1, c->rid, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 2, c->owner, -1, SQLITE_STATIC);
	sqlite3_bind_blob(up, 4, kb.data, (int)kb.size, SQLITE_STATIC);
	for (i = 0; i < n; i++)
		bind_flag(up, 5 + n + i, 0);
	bind_flag(up, 5 + 2 * n, 0);
	for (i = 0; i < nin; i++) {
		if (!win[i])
			continue;
		if (in[i].col < 0) {
			bind_value(up, 3, in[i].val);
			bind_flag(up, 5 + 2 * n, 1);
		} else {
			bind_value(up, 5 + in[i].col, in[i].val);
			bind_flag(up, 5 + n + in[i].col, 1);
		}
	}
	step = sqlite3_step(up);
	sqlite3_reset(up);
	if (step != SQLITE_DONE) {
		rc = store_sqlerr(st, err, "apply");
		goto out;
	}

	/* And the log, whether or not any column won: others may need it. */
	log = store_prepare(st,
			    "INSERT INTO oplog (origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via)"
			    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			    err);
	if (log == NULL) {
		rc = NZ_EDB;
		goto out;
	}
	sqlite3_bind_text(log, 1, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(log, 2, c->origin_seq);
	sqlite3_bind_int64(log, 3, (sqlite3_int64)c->hlc);
	sqlite3_bind_text(log, 4, c->tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(log, 5, c->rid, -1, SQLITE_STATIC);
	sqlite3_bind_text(log, 6, c->owner, -1, SQLITE_STATIC);
	sqlite3_bind_int(log, 7, t->vis == VIS_DIRECTIVE);
	sqlite3_bind_text(log, 8, c->author, -1, SQLITE_STATIC);
	sqlite3_bind_blob(log, 9, c->cols, (int)c->cols_len, SQLITE_STATIC);
	sqlite3_bind_text(log, 10, via ? via : "", -1, SQLITE_STATIC);
	step = sqlite3_step(log);
	sqlite3_reset(log);
	if (step != SQLITE_DONE)
		rc = store_sqlerr(st, err, "append to change log");
out:
	msgpack_sbuffer_destroy(&kb);
	msgpack_unpacked_destroy(&ku);
	msgpack_unpacked_destroy(&cu);
	return rc;
}

/* in_log tells whether (origin, origin_seq) is in the log, and with which clock, table and record. */
static bool
in_log(struct store *st, const struct nz_change *c, bool *same)
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
store_apply(struct store *st, const struct nz_change *c, const char *via, struct nz_err *err)
{
	bool same;
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (in_log(st, c, &same)) {
		/*
		 * The same number on another change: its origin was restored from
		 * an older backup and wrote before it synced.  Taking it for the
		 * one we hold would lose it without a word; it is refused instead.
		 */
		if (!same) {
			store_commit(st, NULL);
			return nz_fail(err, NZ_EINVAL,
				       "%s sent another change under sequence %lld before: was it restored from a "
				       "backup and written on before it synced?",
				       c->origin, (long long)c->origin_seq);
		}
		rc = store_commit(st, err);
		return rc != 0 ? rc : APPLY_DUPLICATE;
	}
	if ((rc = apply_change(st, c, via, err)) != 0) {
		/* Refusals are found before anything is written: the
		 * transaction (perhaps a whole batch) goes on without it. */
		if (rc == NZ_EINVAL)
			store_commit(st, NULL);
		else
			store_rollback(st);
		return rc;
	}
	st->hlc = hlc_recv(cur_hlc(st), c->hlc, hlc_wall_ms());
	st->hlc_dirty = true;
	rc = store_commit(st, err);
	return rc != 0 ? rc : APPLY_NEW;
}

static bool
valid_rid(const char *rid)
{
	size_t i, n = strlen(rid);

	if (n == 0 || n >= NZ_RID_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)rid[i] <= ' ' || rid[i] == 0x7f)
			return false;
	return true;
}

int
store_write(struct store *st, const char *tbl, const char *rid, const char *owner,
	    const struct colset *cs, const char *author, struct nz_err *err)
{
	struct nz_change c;
	msgpack_sbuffer buf;
	msgpack_packer pk;
	int rc;

	if (st->node[0] == '\0')
		return nz_fail(err, NZ_ENOTFOUND, "database has no node identity (run 'nehzat init')");
	/* A secretariat edits its own records and its subtree's, never above or beside. */
	if (unit_level(owner) < 0)
		return nz_fail(err, NZ_EINVAL, "owner '%s' is not an org-unit code", owner);
	if (!unit_within(owner, st->node))
		return nz_fail(err, NZ_EDENIED, "this node (%s) may not edit records of %s", st->node,
			       owner);
	if (!valid_rid(rid))
		return nz_fail(err, NZ_EINVAL, "record id '%s' is not valid", rid);
	if (strlen(tbl) >= NZ_TBL_MAX || strlen(author) >= NZ_AUTHOR_MAX)
		return nz_fail(err, NZ_EINVAL, "table or author name too long");
	if (cs->n == 0)
		return nz_fail(err, NZ_EINVAL, "%s/%s: nothing to write", tbl, rid);
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (size_t)cs->n);
	msgpack_sbuffer_write(&buf, cs->body.data, cs->body.size);
	if (buf.size > NZ_COLS_MAX) {
		rc = nz_fail(err, NZ_ETOOBIG, "%s/%s: %zu bytes of values, limit %d", tbl, rid, buf.size,
			     NZ_COLS_MAX);
		goto out;
	}

	memset(&c, 0, sizeof(c));
	snprintf(c.origin, sizeof(c.origin), "%s", st->node);
	snprintf(c.tbl, sizeof(c.tbl), "%s", tbl);
	snprintf(c.rid, sizeof(c.rid), "%s", rid);
	snprintf(c.owner, sizeof(c.owner), "%s", owner);
	snprintf(c.author, sizeof(c.author), "%s", author);
	c.cols = (const uint8_t *)buf.data;
	c.cols_len = buf.size;

	if ((rc = store_begin(st, err)) != 0)
		goto out;
	/* Read inside the transaction: another process may have written. */
	if (st->next_seq == 0) {
		/* seq_floor: what a peer saw of ours before we were restored from a backup. */
		int64_t max = store_origin_max(st, st->node), floor = store_meta_get_int(st, "seq_floor", 0);
		int64_t base = max > floor ? max : floor;
		/* Floors are bounded where they are taken; this holds whatever the database says. */
		st->next_seq = base >= 0 && base < NZ_SEQ_MAX ? base + 1 : -1;
	}
	if (st->next_seq < 1 || st->next_seq > NZ_SEQ_MAX) {
		rc = nz_fail(err, NZ_EDB, "this node's origin sequence is exhausted (limit %lld)",
			     (long long)NZ_SEQ_MAX);
		st->next_seq = 0;
		store_rollback(st);
		goto out;
	}
	c.origin_seq = st->next_seq;
	c.hlc = hlc_tick(cur_hlc(st), hlc_wall_ms());
	if ((rc = apply_change(st, &c, NULL, err)) != 0) {
		store_rollback(st);
		goto out;
	}
	st->next_seq++;
	st->hlc = c.hlc; /* recoverable from the log: no need to mark it dirty */
	rc = store_commit(st, err);
out:
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/* ---- a clock set right ---- */

/* restamp_row moves the column clocks (old, this node) of one record to new. */
static int
restamp_row(struct store *st, const char *tbl, const char *rid, uint64_t old, uint64_t new,
	    struct nz_err *err)
{
	struct colclock clocks[MAX_CLOCKS];
	msgpack_unpacked ku;
	msgpack_sbuffer kb;
	msgpack_packer kp;
	sqlite3_stmt *q = NULL;
	char sql[128];
	int ti, n, j, rc = 0, moved = 0;

	if ((ti = table_index(st, tbl)) < 0)
		return 0; /* not a table of this version: nothing of it is stored */
	msgpack_unpacked_init(&ku);
	msgpack_sbuffer_init(&kb);
	snprintf(sql, sizeof(sql), "SELECT clk FROM %s WHERE id = ?", st->tables[ti]->name);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, err, "read column clocks");
		goto out;
	}
	sqlite3_bind_text(q, 1, rid, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW)
		goto out;
	if ((n = decode_clk(st->tables[ti], sqlite3_column_blob(q, 0), sqlite3_column_bytes(q, 0), clocks,
			    MAX_CLOCKS, &ku)) < 0) {
		rc = nz_fail(err, NZ_EDB, "%s/%s: stored column clocks are corrupt", tbl, rid);
		goto out;
	}
	for (j = 0; j < n; j++)
		if (clocks[j].hlc == old && strcmp(clocks[j].origin, st->node) == 0) {
			clocks[j].hlc = new;
			moved++;
		}
	sqlite3_finalize(q);
	q = NULL;
	if (moved == 0)
		goto out;
	msgpack_packer_init(&kp, &kb, msgpack_sbuffer_write);
	pack_clk(&kp, clocks, n);
	snprintf(sql, sizeof(sql), "UPDATE %s SET clk = ?2 WHERE id = ?1", st->tables[ti]->name);
	if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, err, "write column clocks");
		goto out;
	}
	sqlite3_bind_text(q, 1, rid, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, kb.data, (int)kb.size, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = store_sqlerr(st, err, "write column clocks");
out:
	sqlite3_finalize(q);
	msgpack_sbuffer_destroy(&kb);
	msgpack_unpacked_destroy(&ku);
	return rc;
}

struct stamp {
	int64_t seq;
	uint64_t hlc;
	char tbl[NZ_TBL_MAX];
	char rid[NZ_RID_MAX];
};

int
store_clock_rewind(struct store *st, int64_t after, uint64_t ceiling, int64_t *n, struct nz_err *err)
{
	struct stamp *v = NULL, *grown;
	sqlite3_stmt *q = NULL;
	uint64_t clock, now;
	size_t nv = 0, cap = 0, i;
	int rc, step;

	*n = 0;
	if (ceiling > (uint64_t)INT64_MAX)
		ceiling = (uint64_t)INT64_MAX;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	/* Clocks travel as uint64 and are stored as int64: above 2^63 they read negative. */
	if (sqlite3_prepare_v2(st->db, "SELECT max(hlc) FROM oplog WHERE hlc >= 0 AND hlc <= ?", -1, &q, NULL) !=
	    SQLITE_OK) {
		rc = store_sqlerr(st, err, "read clocks");
		goto out;
	}
	sqlite3_bind_int64(q, 1, (int64_t)ceiling);
	clock = sqlite3_step(q) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(q, 0) : 0;
	sqlite3_finalize(q);
	now = hlc_make(hlc_wall_ms(), 0);
	if (clock < now)
		clock = now;
	if (sqlite3_prepare_v2(st->db,
			       "SELECT seq, hlc, tbl, rid FROM oplog WHERE seq > ?1 AND origin = ?2 AND"
			       " (hlc > ?3 OR hlc < 0) ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, err, "read change log");
		goto out;
	}
	sqlite3_bind_int64(q, 1, after);
	sqlite3_bind_text(q, 2, st->node, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (int64_t)ceiling);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (nv == cap) {
			cap = cap ? 2 * cap : 64;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL) {
				rc = nz_fail(err, NZ_ENOMEM, "out of memory");
				goto out;
			}
			v = grown;
		}
		v[nv].seq = sqlite3_column_int64(q, 0);
		v[nv].hlc = (uint64_t)sqlite3_column_int64(q, 1);
		snprintf(v[nv].tbl, sizeof(v[nv].tbl), "%s", (const char *)sqlite3_column_text(q, 2));
		snprintf(v[nv].rid, sizeof(v[nv].rid), "%s", (const char *)sqlite3_column_text(q, 3));
		nv++;
	}
	sqlite3_finalize(q);
	q = NULL;
	if (step != SQLITE_DONE) {
		rc = store_sqlerr(st, err, "read change log");
		goto out;
	}
	/* In log order, so that of two writes to one column the later still wins. */
	for (i = 0; i < nv; i++) {
		clock = hlc_tick(clock, hlc_wall_ms());
		if (sqlite3_prepare_v2(st->db, "UPDATE oplog SET hlc = ?2 WHERE seq = ?1", -1, &q, NULL) != SQLITE_OK) {
			rc = store_sqlerr(st, err, "restamp");
			goto out;
		}
		sqlite3_bind_int64(q, 1, v[i].seq);
		sqlite3_bind_int64(q, 2, (int64_t)clock);
		step = sqlite3_step(q);
		sqlite3_finalize(q);
		q = NULL;
		if (step != SQLITE_DONE) {
			rc = store_sqlerr(st, err, "restamp");
			goto out;
		}
		if ((rc = restamp_row(st, v[i].tbl, v[i].rid, v[i].hlc, clock, err)) != 0)
			goto out;
	}
	st->hlc = clock;
	st->hlc_loaded = true;
	st->hlc_dirty = true;
	*n = (int64_t)nv;
out:
	sqlite3_finalize(q);
	free(v);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int
store_delete(struct store *st, const char *tbl, const char *rid, const char *owner, const char *author,
	     struct nz_err *err)
{
	struct colset *cs = colset_new();
	int rc;

	colset_int(cs, "deleted", 1);
	rc = store_write(st, tbl, rid, owner, cs, author, err);
	colset_free(cs);
	return rc;
}

/* ---- digest ---- */

static void
hash_value(crypto_generichash_state *h, sqlite3_stmt *s, int i)
{
	unsigned char type = (unsigned char)sqlite3_column_type(s, i);
	int64_t iv;
	double dv;
	int len;

	crypto_generichash_update(h, &type, 1);
	switch (type) {
	case SQLITE_INTEGER:
		iv = sqlite3_column_int64(s, i);
		crypto_generichash_update(h, (const unsigned char *)&iv, sizeof(iv));
		break;
	case SQLITE_FLOAT:
		dv = sqlite3_column_double(s, i);
		crypto_generichash_update(h, (const unsigned char *)&dv, sizeof(dv));
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		len = sqlite3_column_bytes(s, i);
		crypto_generichash_update(h, (const unsigned char *)&len, sizeof(len));
		crypto_generichash_update(h, sqlite3_column_blob(s, i), (size_t)len);
		break;
	default:
		break;
	}
}

int
store_digest(struct store *st, const char *subtree, char out[65], struct nz_err *err)
{
	uint64_t acc[4] = {0, 0, 0, 0};
	unsigned char sum[32];
	int ti, i, rc = 0;

	for (ti = 0; st->tables[ti] != NULL; ti++) {
		const struct tbl_def *t = st->tables[ti];
		int n = ncols(t), step;
		char sql[4096];
		size_t len;
		sqlite3_stmt *s;

		len = (size_t)snprintf(sql, sizeof(sql), "SELECT id, owner, deleted");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s", t->cols[i].name);
		snprintf(sql + len, sizeof(sql) - len,
			 " FROM %s WHERE ?1 IS NULL OR owner = ?1 OR " UNIT_SQL_BELOW("owner", "?1"),
			 t->name);
		if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
			return store_sqlerr(st, err, "digest");
		if (subtree != NULL)
			sqlite3_bind_text(s, 1, subtree, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			crypto_generichash_state h;
			uint64_t lane;
			crypto_generichash_init(&h, NULL, 0, sizeof(sum));
			crypto_generichash_update(&h, (const unsigned char *)t->name, strlen(t->name) + 1);
			for (i = 0; i < 3 + n; i++) {
				if (i >= 3)
					crypto_generichash_update(&h, (const unsigned char *)t->cols[i - 3].name,
								  strlen(t->cols[i - 3].name) + 1);
				hash_value(&h, s, i);
			}
			crypto_generichash_final(&h, sum, sizeof(sum));
			/* Summing row hashes makes the digest independent of row order. */
			for (i = 0; i < 4; i++) {
				memcpy(&lane, sum + 8 * i, 8);
				acc[i] += lane;
			}
		}
		if (step != SQLITE_DONE)
			rc = store_sqlerr(st, err, "digest");
		sqlite3_finalize(s);
		if (rc != 0)
			return rc;
	}
	memcpy(sum, acc, sizeof(sum));
	sodium_bin2hex(out, 65, sum, sizeof(sum));
	return 0;
}
