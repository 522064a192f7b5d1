/*
 * The write path: local writes (store_write) and remote changes
 * (store_apply) meet in apply_change(), which resolves every column by
 * last-writer-wins on (hlc, origin) and appends the change to the log in
 * the same transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/unit.h"
#include "store/hlc.h"
#include "store/store_int.h"

/* ---- per-table statements ---- */

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
	int i, n = tbl_ncols(t);
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
/* Column -1 stands for "deleted". */
struct incoming {
	int col;
	const msgpack_object *val;
};

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

static int
apply_change(struct store *st, const struct nz_change *c, const char *via, struct nz_err *err)
{
	const struct tbl_def *t;
	sqlite3_stmt *look, *up;
	msgpack_unpacked cu, ku;
	struct colclock clocks[CLK_MAX];
	struct incoming in[NZ_COLS_NMAX];
	bool win[NZ_COLS_NMAX];
	int hcols[NZ_COLS_NMAX];
	const msgpack_object *hvals[NZ_COLS_NMAX];
	struct row_write hw = {0};
	store_write_hook hook;
	int at[NZ_COLS_NMAX];
	uint64_t won = 0;
	int64_t seq = 0;
	msgpack_sbuffer kb;
	msgpack_packer kp;
	int ti, n, nclk = 0, nin = 0, i, j, rc = 0, step;
	bool exists = false;

	msgpack_unpacked_init(&cu);
	msgpack_unpacked_init(&ku);
	msgpack_sbuffer_init(&kb);

	if ((ti = store_table_index(st, c->tbl)) < 0) {
		rc = nz_fail(err, NZ_EINVAL, "unknown table '%s'", c->tbl);
		goto out;
	}
	t = st->tables[ti];
	n = tbl_ncols(t);
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
		const char *name;
		/* A name, or a column's number as the log keeps it (a change read back from it by SQL). */
		if (kv->key.type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
			if (kv->key.via.u64 > (uint64_t)n) {
				rc = nz_fail(err, NZ_EINVAL, "table '%s' has no column number %llu", c->tbl,
					     (unsigned long long)kv->key.via.u64);
				goto out;
			}
			col = (int)kv->key.via.u64 - 1;
		} else if (kv->key.type != MSGPACK_OBJECT_STR) {
			rc = nz_fail(err, NZ_EINVAL, "%s/%s: a column name is not a string", c->tbl, c->rid);
			goto out;
		} else if ((col = tbl_col(t, kv->key.via.str.ptr, kv->key.via.str.size)) == -2) {
			rc = nz_fail(err, NZ_EINVAL, "table '%s' has no column '%.*s'", c->tbl,
				     (int)kv->key.via.str.size, kv->key.via.str.ptr);
			goto out;
		}
		name = col < 0 ? "deleted" : t->cols[col].name;
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
			rc = nz_fail(err, NZ_EINVAL, "%s/%s: column '%s' has a value of unsupported type", c->tbl,
				     c->rid, name);
			goto out;
		}
		for (j = 0; j < nin; j++)
			if (in[j].col == col) {
				rc = nz_fail(err, NZ_EINVAL, "%s/%s: column '%s' set twice", c->tbl, c->rid, name);
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
		nclk = clk_decode(t, sqlite3_column_blob(look, 1), sqlite3_column_bytes(look, 1), clocks,
				  CLK_MAX, &ku);
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

	/* The clocks that name a log entry: its hlc and origin. */
	for (j = 0; j < nclk; j++) {
		if (clocks[j].seq == 0)
			continue;
		for (i = 0; i < j && clocks[i].seq != clocks[j].seq; i++)
			;
		if (i < j) {
			clocks[j].hlc = clocks[i].hlc;
			memcpy(clocks[j].origin, clocks[i].origin, sizeof(clocks[j].origin));
		} else if ((rc = oplog_stamp(st, clocks[j].seq, &clocks[j].hlc, clocks[j].origin, err)) != 0) {
			goto out;
		}
	}

	/* Last writer wins, column by column. */
	for (i = 0; i < nin; i++) {
		for (j = 0; j < nclk; j++)
			if (clocks[j].col == in[i].col)
				break;
		if (j == nclk) {
			if (nclk == CLK_MAX) {
				rc = nz_fail(err, NZ_EDB, "%s/%s: too many column clocks", c->tbl, c->rid);
				goto out;
			}
			clocks[j].col = in[i].col;
			clocks[j].seq = 0;
			clocks[j].hlc = 0;
			clocks[j].origin[0] = '\0';
			nclk++;
			win[i] = true;
		} else {
			win[i] = clk_newer(c->hlc, c->origin, &clocks[j]);
		}
		at[i] = j;
		if (win[i]) {
			won |= (uint64_t)1 << (in[i].col + 1);
			clocks[j].hlc = c->hlc;
			memcpy(clocks[j].origin, c->origin, strlen(c->origin) + 1); /* < NZ_ID_MAX: a change's origin */
		}
	}

	/*
	 * The log entries whose values in the row this change overwrites keep
	 * them from now on; then this change's entry, which refers to the row
	 * for the values it wins.
	 */
	for (i = 0; i < nin; i++) {
		int64_t old = clocks[at[i]].seq;
		uint64_t mask = 0;
		if (!win[i] || old <= 0)
			continue;
		for (j = i; j < nin; j++)
			if (win[j] && clocks[at[j]].seq == old) {
				mask |= (uint64_t)1 << (in[j].col + 1);
				clocks[at[j]].seq = -1; /* released; set below */
			}
		if ((rc = oplog_release(st, ti, c->rid, old, mask, err)) != 0)
			goto out;
	}
	if ((rc = oplog_append(st, c, t, via, won, &seq, err)) != 0)
		goto out;
	for (i = 0; i < nin; i++)
		if (win[i])
			clocks[at[i]].seq = seq;

	/* Write the winners with their new clocks. */
	msgpack_packer_init(&kp, &kb, msgpack_sbuffer_write);
	clk_pack(&kp, clocks, nclk);
	if ((up = table_write(st, ti, exists, err)) == NULL) {
		rc = NZ_EDB;
		goto out;
	}
	/* What hangs on the row (a table's write hook) sees it before and after, in this transaction. */
	hook = store_hook_get(t);
	if (hook != NULL) {
		for (i = 0; i < nin; i++)
			if (win[i]) {
				hw.cols = hcols;
				hcols[hw.n] = in[i].col;
				hvals[hw.n++] = in[i].val;
			}
		hw.vals = hvals;
		hw.t = t;
		hw.rid = c->rid;
		hw.owner = c->owner;
		hw.existed = exists;
		hw.local = via == NULL; /* store_write names no peer */
		hw.phase = STORE_HOOK_BEFORE;
		if (exists && hw.n > 0 && (rc = hook(st, &hw, err)) != 0)
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

	hw.phase = STORE_HOOK_AFTER;
	if (hook != NULL)
		rc = hook(st, &hw, err);
out:
	msgpack_sbuffer_destroy(&kb);
	msgpack_unpacked_destroy(&ku);
	msgpack_unpacked_destroy(&cu);
	return rc;
}

int
store_apply(struct store *st, const struct nz_change *c, const char *via, struct nz_err *err)
{
	bool same;
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (oplog_find(st, c, &same)) {
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
	st->hlc = hlc_recv(store_cur_hlc(st), c->hlc, hlc_wall_ms());
	st->hlc_dirty = true;
	/* A change of ours sent back (PROTOCOL.md §12): our next number is read again, above it. */
	if (strcmp(c->origin, st->node) == 0)
		st->next_seq = 0;
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
	/* Every length was checked above. */
	memcpy(c.origin, st->node, strlen(st->node) + 1);
	memcpy(c.tbl, tbl, strlen(tbl) + 1);
	memcpy(c.rid, rid, strlen(rid) + 1);
	memcpy(c.owner, owner, strlen(owner) + 1);
	memcpy(c.author, author, strlen(author) + 1);
	c.cols = (const uint8_t *)buf.data;
	c.cols_len = buf.size;

	if ((rc = store_begin(st, err)) != 0)
		goto out;
	if ((c.origin_seq = store_next_seq(st, err)) == 0) {
		rc = NZ_EDB;
		store_rollback(st);
		goto out;
	}
	c.hlc = hlc_tick(store_cur_hlc(st), hlc_wall_ms());
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
