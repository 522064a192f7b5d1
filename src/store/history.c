/*
 * A record's history, read from the change log: every change to it, who
 * made it (author and origin node), when (its HLC) and the columns it set.
 * The log holds every change with its author, so a record that keeps no
 * versions of its own (a problem category, a prioritisation criterion, an
 * allocation indicator) still has its whole history here.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>

#include "store/hlc.h"
#include "store/store.h"

/* col_name names the key of a logged column map: a str as it is, or a column number of t (0 is deleted). */
static bool
col_name(const struct tbl_def *t, const msgpack_object *k, char *out, size_t n)
{
	uint64_t i;

	if (k->type == MSGPACK_OBJECT_STR) {
		snprintf(out, n, "%.*s", (int)k->via.str.size, k->via.str.ptr);
		return true;
	}
	if (k->type != MSGPACK_OBJECT_POSITIVE_INTEGER)
		return false;
	if (k->via.u64 == 0) {
		snprintf(out, n, "deleted");
		return true;
	}
	for (i = 1; t->cols[i - 1].name != NULL; i++)
		if (i == k->via.u64) {
			snprintf(out, n, "%s", t->cols[i - 1].name);
			return true;
		}
	return false;
}

/* cols_json turns a logged column map into a JSON object; NULL when it is not one. */
static json_t *
cols_json(const struct tbl_def *t, const void *blob, size_t len)
{
	msgpack_unpacked u;
	json_t *o = NULL;
	char name[64];
	uint32_t i;

	msgpack_unpacked_init(&u);
	if (msgpack_unpack_next(&u, blob, len, NULL) != MSGPACK_UNPACK_SUCCESS || u.data.type != MSGPACK_OBJECT_MAP)
		goto out;
	o = json_object();
	for (i = 0; i < u.data.via.map.size; i++) {
		const msgpack_object *k = &u.data.via.map.ptr[i].key, *v = &u.data.via.map.ptr[i].val;
		json_t *j;

		if (!col_name(t, k, name, sizeof(name)))
			continue;
		switch (v->type) {
		case MSGPACK_OBJECT_STR:
			j = json_stringn(v->via.str.ptr, v->via.str.size);
			break;
		case MSGPACK_OBJECT_POSITIVE_INTEGER:
			j = json_integer((json_int_t)v->via.u64);
			break;
		case MSGPACK_OBJECT_NEGATIVE_INTEGER:
			j = json_integer((json_int_t)v->via.i64);
			break;
		case MSGPACK_OBJECT_FLOAT32:
		case MSGPACK_OBJECT_FLOAT64:
			j = json_real(v->via.f64);
			break;
		default:
			j = json_null();
		}
		json_object_set_new(o, name, j != NULL ? j : json_null());
	}
out:
	msgpack_unpacked_destroy(&u);
	return o;
}

json_t *
store_history(struct store *st, const char *tbl, const char *rid, int limit, struct nz_err *err)
{
	const struct tbl_def *t = store_table(st, tbl);
	sqlite3_stmt *q;
	json_t *a;
	int step;

	if (t == NULL) {
		nz_fail(err, NZ_ENOTFOUND, "no replicated table '%s'", tbl);
		return NULL;
	}
	if ((q = store_prepare(st,
			       "SELECT seq, hlc, origin, author, rid, owner,"
			       " log_cols(tbl, rid, cols, rowcols, seq) FROM oplog"
			       " WHERE tbl = ?1 AND (?2 IS NULL OR rid = ?2) ORDER BY seq DESC LIMIT ?3",
			       err)) == NULL)
		return NULL;
	sqlite3_bind_text(q, 1, tbl, -1, SQLITE_STATIC);
	if (rid != NULL)
		sqlite3_bind_text(q, 2, rid, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, limit);
	a = json_array();
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		uint64_t hlc = (uint64_t)sqlite3_column_int64(q, 1);
		json_t *cols = cols_json(t, sqlite3_column_blob(q, 6), (size_t)sqlite3_column_bytes(q, 6));
		json_t *o = json_pack("{s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "seq", (json_int_t)sqlite3_column_int64(q, 0),
				      "hlc", (json_int_t)hlc, "at", (json_int_t)hlc_ms(hlc), "origin",
				      (const char *)sqlite3_column_text(q, 2), "author",
				      (const char *)sqlite3_column_text(q, 3), "rid",
				      (const char *)sqlite3_column_text(q, 4), "owner",
				      (const char *)sqlite3_column_text(q, 5));

		json_object_set_new(o, "cols", cols != NULL ? cols : json_object());
		json_array_append_new(a, o);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q); /* the statement is cached: a later call without rid must not filter on this one's */
	if (step != SQLITE_DONE) {
		store_sqlerr(st, err, "oplog");
		json_decref(a);
		return NULL;
	}
	return a;
}
