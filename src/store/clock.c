/*
 * The node's clock and origin sequence, cached for the length of a
 * transaction (store.c drops the cache when another connection committed),
 * and a clock set right (store_clock_rewind).
 *
 * The clock is persisted two ways: a local write's value is the HLC of the
 * change it logs, found again as our entry with the highest origin_seq
 * (oplog.c, own_refresh); any other advance (a remote change, a peer's
 * clock) goes to meta at commit.  Sparing the meta row on local writes
 * spares a page per transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/hlc.h"
#include "store/store_int.h"

uint64_t
store_cur_hlc(struct store *st)
{
	uint64_t local;

	if (!st->hlc_loaded) {
		st->hlc = (uint64_t)store_meta_get_int(st, "hlc", 0);
		local = oplog_own_hlc(st);
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
		return store_cur_hlc(st);
	st->hlc_loaded = false; /* outside a transaction another process may have moved it */
	v = store_cur_hlc(st);
	st->hlc_loaded = false;
	return v;
}

int
store_hlc_observe(struct store *st, uint64_t remote, struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	st->hlc = hlc_recv(store_cur_hlc(st), remote, hlc_wall_ms());
	st->hlc_dirty = true;
	return store_commit(st, err);
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
store_next_seq(struct store *st, struct nz_err *err)
{
	/* Read inside the transaction: another process may have written. */
	if (st->next_seq == 0) {
		/* seq_floor: what a peer saw of ours before we were restored from a backup. */
		int64_t floor = store_meta_get_int(st, "seq_floor", 0), base;
		if (own_refresh(st, err) != 0)
			return 0;
		base = st->own.max > floor ? st->own.max : floor;
		/* Floors are bounded where they are taken; this holds whatever the database says. */
		st->next_seq = base >= 0 && base < NZ_SEQ_MAX ? base + 1 : -1;
	}
	if (st->next_seq < 1 || st->next_seq > NZ_SEQ_MAX) {
		nz_fail(err, NZ_EDB, "this node's origin sequence is exhausted (limit %lld)", (long long)NZ_SEQ_MAX);
		st->next_seq = 0;
		return 0;
	}
	return st->next_seq;
}

/* restamp_row moves the column clocks (old, this node) of one record to new. */
static int
restamp_row(struct store *st, const char *tbl, const char *rid, uint64_t old, uint64_t new,
	    struct nz_err *err)
{
	struct colclock clocks[CLK_MAX];
	msgpack_unpacked ku;
	msgpack_sbuffer kb;
	msgpack_packer kp;
	sqlite3_stmt *q = NULL;
	char sql[128];
	int ti, n, j, rc = 0, moved = 0;

	if ((ti = store_table_index(st, tbl)) < 0)
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
	if ((n = clk_decode(st->tables[ti], sqlite3_column_blob(q, 0), sqlite3_column_bytes(q, 0), clocks,
			    CLK_MAX, &ku)) < 0) {
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
	clk_pack(&kp, clocks, n);
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
	if (sqlite3_prepare_v2(st->db, "SELECT max(hlc) FROM chlog WHERE hlc >= 0 AND hlc <= ?", -1, &q, NULL) !=
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
		if (sqlite3_prepare_v2(st->db, "UPDATE chlog SET hlc = ?2 WHERE seq = ?1", -1, &q, NULL) != SQLITE_OK) {
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
