#include "repl/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/unit.h"
#include "repl/sync_int.h"
#include "store/hlc.h"

/*
 * The core of the sync machinery: a node's struct sync and its settings,
 * its time, and the helpers over the peer table every side uses.  The
 * parent's side is in sync_serve.c, the child's in sync_child.c; both send
 * batches with sync_batch.c, take them with sync_apply.c and rotate keys
 * with sync_keys.c (sync_int.h says what they share).
 */

/*
 * schema_build numbers the columns of the node's tables; a table that does
 * not fit a schema (more than WIRE_SCHEMA_COLS columns) is left out, and
 * its changes travel with names.
 */
static void
schema_build(struct sync *s)
{
	const struct tbl_def *const *t = store_tables(s->st);
	const char *names[WIRE_SCHEMA_COLS];
	int i, n;

	for (i = 0; t != NULL && t[i] != NULL; i++) {
		for (n = 0; t[i]->cols[n].name != NULL && n < WIRE_SCHEMA_COLS; n++)
			names[n] = t[i]->cols[n].name;
		if (t[i]->cols[n].name == NULL)
			wire_schema_add(&s->schema, t[i]->name, names, n);
	}
}

void
sync_set_recv_max(struct sync *s, size_t recv_max)
{
	s->recv_max = recv_max;
}

void
sync_set_compress(struct sync *s, bool on)
{
	s->offer = on ? CODEC_OFFER : CODEC_OFFER & ~WIRE_CODEC_ZSTD;
}

struct sync *
sync_new(struct store *st, const uint8_t sk[64], size_t batch_bytes)
{
	struct sync *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if ((s->batch = wire_batch_new()) == NULL) {
		free(s);
		return NULL;
	}
	s->st = st;
	msgpack_sbuffer_init(&s->pre);
	memcpy(s->sk, sk, 64);
	s->batch_bytes = batch_bytes;
	s->recv_max = 4u << 20;
	s->offer = CODEC_OFFER;
	schema_build(s);
	s->lim.max_clock_ahead_ms = SYNC_MAX_CLOCK_AHEAD_MS;
	s->lim.quarantine_max = SYNC_QUARANTINE_MAX;
	s->lim.quarantine_bytes = SYNC_QUARANTINE_BYTES;
	snprintf(s->self, sizeof(s->self), "%s", store_node(st));
	if (unit_parent(s->self, s->parent) != 0)
		s->parent[0] = '\0';
	return s;
}

void
sync_set_limits(struct sync *s, const struct sync_limits *lim)
{
	s->lim = *lim;
}

void
sync_free(struct sync *s)
{
	if (s == NULL)
		return;
	wire_batch_free(s->batch);
	msgpack_sbuffer_destroy(&s->pre);
	sodium_memzero(s->sk, sizeof(s->sk));
	sodium_memzero(s->next_sk, sizeof(s->next_sk));
	sodium_memzero(s->own_next_sk, sizeof(s->own_next_sk));
	free(s);
}

void
sync_shed(struct sync *s)
{
	wire_batch_shed(s->batch);
	msgpack_sbuffer_destroy(&s->pre);
	msgpack_sbuffer_init(&s->pre);
	s->pre_valid = false;
}

/* ---- helpers over the peer table ---- */

int64_t
sync_now_ms(void)
{
	return (int64_t)hlc_wall_ms();
}

int64_t
sync_time_ms(struct sync *s)
{
	int64_t off = store_meta_get_int(s->st, "parent_clock_offset", 0);

	return sync_now_ms() + (off > 0 ? off : 0);
}

int
sync_peer_key(struct sync *s, const char *id, const char *role, uint8_t pk[32])
{
	return sync_peer_blob(s, id, role, "pubkey", pk);
}

int64_t
sync_peer_int(struct sync *s, const char *id, const char *col)
{
	char sql[96];
	sqlite3_stmt *q;
	int64_t v = 0;

	snprintf(sql, sizeof(sql), "SELECT %s FROM peer WHERE id = ?", col);
	if ((q = store_prepare(s->st, sql, NULL)) == NULL)
		return 0;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

int
sync_peer_set(struct sync *s, const char *id, const char *cols, int64_t a, int64_t b, int64_t c)
{
	char sql[256];
	sqlite3_stmt *q;
	int rc;

	snprintf(sql, sizeof(sql), "UPDATE peer SET %s WHERE id = ?1", cols);
	if ((q = store_prepare(s->st, sql, NULL)) == NULL)
		return NZ_EDB;
	sqlite3_clear_bindings(q);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	/* Only the parameters the SQL names may be bound. */
	if (sqlite3_bind_parameter_count(q) >= 2)
		sqlite3_bind_int64(q, 2, a);
	if (sqlite3_bind_parameter_count(q) >= 3)
		sqlite3_bind_int64(q, 3, b);
	if (sqlite3_bind_parameter_count(q) >= 4)
		sqlite3_bind_int64(q, 4, c);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : NZ_EDB;
	sqlite3_reset(q);
	return rc;
}

int
sync_peer_blob(struct sync *s, const char *id, const char *role, const char *col, uint8_t pk[32])
{
	char sql[96];
	sqlite3_stmt *q;
	int rc = NZ_ENOTFOUND;

	snprintf(sql, sizeof(sql), "SELECT %s FROM peer WHERE id = ? AND role = ?", col);
	if ((q = store_prepare(s->st, sql, NULL)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32) {
		memcpy(pk, sqlite3_column_blob(q, 0), 32);
		rc = 0;
	}
	sqlite3_reset(q);
	return rc;
}

void
sync_on_synced(struct sync *s, sync_synced_fn fn, void *arg)
{
	s->synced = fn;
	s->synced_arg = arg;
}

void
sync_note_error(struct sync *s, const char *what)
{
	sqlite3_stmt *q;

	if (s->parent[0] == '\0')
		return;
	if (sqlite3_prepare_v2(store_db(s->st), "UPDATE peer SET last_error = ?2 WHERE id = ?1", -1, &q, NULL) !=
	    SQLITE_OK)
		return;
	sqlite3_bind_text(q, 1, s->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, what, -1, SQLITE_STATIC);
	sqlite3_step(q);
	sqlite3_finalize(q);
}
