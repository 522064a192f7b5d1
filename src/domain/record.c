#include "domain/record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

const struct col_def *
rec_col(const struct tbl_def *t, const char *name)
{
	int i;

	for (i = 0; t->cols[i].name != NULL; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

int
rec_colset_add(struct colset *cs, const struct tbl_def *t, const char *name, const char *value,
	       const char *const *deny, struct nz_err *err)
{
	const struct col_def *c = rec_col(t, name);
	char *end;
	int i;

	if (c == NULL)
		return nz_fail(err, NZ_EINVAL, "%s has no field '%s'", t->name, name);
	for (i = 0; deny != NULL && deny[i] != NULL; i++)
		if (strcmp(deny[i], name) == 0)
			return nz_fail(err, NZ_EINVAL, "field '%s' of %s cannot be set this way", name, t->name);
	if (c->type != COL_TEXT && value[0] == '\0') {
		colset_null(cs, name);
		return 0;
	}
	switch (c->type) {
	case COL_INT: {
		long long v;
		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno != 0 || *end != '\0')
			return nz_fail(err, NZ_EINVAL, "field '%s' wants a whole number, not '%s'", name, value);
		colset_int(cs, name, v);
		return 0;
	}
	case COL_REAL: {
		double v;
		errno = 0;
		v = strtod(value, &end);
		if (errno != 0 || *end != '\0')
			return nz_fail(err, NZ_EINVAL, "field '%s' wants a number, not '%s'", name, value);
		colset_real(cs, name, v);
		return 0;
	}
	case COL_TEXT:
		break;
	}
	colset_text(cs, name, value);
	return 0;
}

int
rec_colset_json(struct colset *cs, const char *col, json_t *value, size_t max, const char *what,
		struct nz_err *err)
{
	char *s = json_dumps(value, JSON_COMPACT | JSON_SORT_KEYS);
	size_t n;

	if (s == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if ((n = strlen(s)) > max) {
		free(s);
		return nz_fail(err, NZ_ETOOBIG, "%s are %zu bytes; at most %zu", what, n, max);
	}
	colset_text(cs, col, s);
	free(s);
	return 0;
}

json_t *
rec_row_json(sqlite3_stmt *s)
{
	json_t *o = json_object();
	int i, n = sqlite3_column_count(s);

	for (i = 0; i < n; i++) {
		const char *name = sqlite3_column_name(s, i);
		json_t *v;
		if (strcmp(name, "clk") == 0)
			continue;
		switch (sqlite3_column_type(s, i)) {
		case SQLITE_INTEGER:
			v = json_integer(sqlite3_column_int64(s, i));
			break;
		case SQLITE_FLOAT:
			v = json_real(sqlite3_column_double(s, i));
			break;
		case SQLITE_TEXT:
			v = json_stringn((const char *)sqlite3_column_text(s, i),
					 (size_t)sqlite3_column_bytes(s, i));
			if (v == NULL) /* not UTF-8: show it rather than lose the row */
				v = json_string("(invalid UTF-8)");
			break;
		default:
			v = json_null();
			break;
		}
		json_object_set_new(o, name, v);
	}
	return o;
}

json_t *
rec_rows(sqlite3_stmt *s, json_t *(*row)(sqlite3_stmt *s))
{
	json_t *a;
	int rc;

	if (s == NULL)
		return NULL;
	a = json_array();
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		json_array_append_new(a, row != NULL ? row(s) : rec_row_json(s));
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return NULL;
	}
	return a;
}

int
rec_get(struct store *st, const struct tbl_def *t, const char *rid, json_t **out, struct nz_err *err)
{
	char sql[160];
	sqlite3_stmt *s;
	int rc;

	*out = NULL;
	snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE id = ?", t->name);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, t->name);
	sqlite3_bind_text(s, 1, rid, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*out = rec_row_json(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = store_sqlerr(st, err, t->name);
	else if (*out == NULL)
		rc = nz_fail(err, NZ_ENOTFOUND, "no %s with id '%s'", t->name, rid);
	else
		rc = 0;
	sqlite3_finalize(s);
	return rc;
}

int
rec_one(struct store *st, json_t *rows, const char *what, const char *id, json_t **out, struct nz_err *err)
{
	char why[128];

	*out = NULL;
	if (rows == NULL) {
		snprintf(why, sizeof(why), "cannot read %s '%s'", what, id);
		return store_sqlerr(st, err, why);
	}
	*out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (*out == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "no %s with id '%s'", what, id);
	return 0;
}

int
rec_attach(struct store *st, json_t **rec, const char *key, json_t *rows, struct nz_err *err)
{
	char why[96];

	if (rows == NULL) {
		json_decref(*rec);
		*rec = NULL;
		snprintf(why, sizeof(why), "cannot read the %s", key);
		return store_sqlerr(st, err, why);
	}
	json_object_set_new(*rec, key, rows);
	return 0;
}

json_t *
rec_list(struct store *st, const struct tbl_def *t, const char *under, const char *cond,
	 const char *param, const char *order)
{
	char sql[1024];
	sqlite3_stmt *s;
	json_t *a;

	snprintf(sql, sizeof(sql),
		 "SELECT * FROM %s WHERE deleted = 0"
		 " AND " UNIT_SQL_UNDER("owner")
		 " AND (%s) ORDER BY %s",
		 t->name, cond ? cond : "1", order ? order : "id");
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	if (under != NULL)
		sqlite3_bind_text(s, 1, under, -1, SQLITE_STATIC);
	if (param != NULL)
		sqlite3_bind_text(s, 2, param, -1, SQLITE_STATIC);
	a = rec_rows(s, NULL);
	sqlite3_finalize(s);
	return a;
}

void
rec_bind(sqlite3_stmt *q, int n, const char *const *p)
{
	int i;

	for (i = 0; q != NULL && i < n; i++)
		if (p[i] != NULL)
			sqlite3_bind_text(q, i + 1, p[i], -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(q, i + 1);
}

int
rec_step_one(struct store *st, sqlite3_stmt *q, const char *what, const char *id, struct nz_err *err)
{
	switch (sqlite3_step(q)) {
	case SQLITE_ROW:
		return 0;
	case SQLITE_DONE:
		return nz_fail(err, NZ_ENOTFOUND, "no %s with id '%s'", what, id);
	default:
		return store_sqlerr(st, err, what);
	}
}

int
rec_first_pair(struct store *st, const char *sql, int n, const char *const *p, char *a, size_t na, char *b,
	       size_t nb, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "read");
	rec_bind(q, n, p);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		snprintf(a, na, "%s", sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "");
		snprintf(b, nb, "%s", sqlite3_column_text(q, 1) ? (const char *)sqlite3_column_text(q, 1) : "");
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_sqlerr(st, err, "read");
	}
	sqlite3_finalize(q);
	return rc;
}

bool
rec_table_has(struct store *st, const char *tbl, const char *col)
{
	char sql[96];
	sqlite3_stmt *q;
	bool found = false;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", tbl);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return false;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (col == NULL || strcmp((const char *)sqlite3_column_text(q, 1), col) == 0) {
			found = true;
			break;
		}
	}
	sqlite3_finalize(q);
	return found;
}


int
rec_write(struct store *st, const char *tbl, const char *rid, const char *owner, struct colset *cs,
	  const char *author, struct nz_err *err)
{
	int rc = store_write(st, tbl, rid, owner, cs, author, err);

	colset_free(cs);
	return rc;
}

int
rec_finish(struct store *st, int rc, struct nz_err *err)
{
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int64_t
rec_scalar(struct store *st, const char *sql, const char *p1, const char *p2)
{
	sqlite3_stmt *q;
	int64_t v = -1;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	rec_bind(q, 2, (const char *const[]){p1, p2});
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	else if (rc == SQLITE_DONE)
		v = 0;
	sqlite3_finalize(q);
	return v;
}

int
rec_owner(struct store *st, const struct tbl_def *t, const char *rid, const char *what, char out[NZ_ID_MAX],
	  struct nz_err *err)
{
	char sql[160];
	sqlite3_stmt *s;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT owner FROM %s WHERE id = ? AND deleted = 0", t->name);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, t->name);
	sqlite3_bind_text(s, 1, rid, -1, SQLITE_STATIC);
	if ((rc = rec_step_one(st, s, what != NULL ? what : t->name, rid, err)) == 0)
		snprintf(out, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return rc;
}

int
rec_national_only(struct store *st, const char *what, struct nz_err *err)
{
	if (unit_level(store_node(st)) != NZ_LEVEL_NATIONAL)
		return nz_fail(err, NZ_EDENIED,
			       "%s are a national directive: only the national secretariat (IR) sets them,"
			       " and this node is %s",
			       what, store_node(st));
	return 0;
}

void
rec_derived_id(const char *prefix, const char *a, const char *b, char out[NZ_RID_MAX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state s;
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, (const unsigned char *)a, strlen(a));
	crypto_hash_sha256_update(&s, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&s, (const unsigned char *)b, strlen(b));
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, NZ_RID_MAX, "%s%.24s", prefix, hex);
}
