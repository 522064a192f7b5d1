/*
 * A change's column map, by name or by number, and the tables' columns.
 *
 * The wire and the store's interface name the columns of a change
 * ({"title": ..., "status": ...}); the change log stores the same map with
 * the columns numbered as the wire's codec numbers them (0 "deleted", then
 * the table's columns from 1, PROTOCOL.md §6.1), which spares every entry
 * its column names (about 37 bytes for a problem).  The values are copied
 * byte for byte both ways.  The numbers follow the order of a table's
 * columns, as the record's column clocks do (clk.c): a table's columns only
 * grow, at the end.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

int
store_table_index(const struct store *st, const char *name)
{
	int i;

	for (i = 0; st->tables[i] != NULL; i++)
		if (strcmp(st->tables[i]->name, name) == 0)
			return i;
	return -1;
}

int
tbl_ncols(const struct tbl_def *t)
{
	int n = 0;

	while (t->cols[n].name != NULL)
		n++;
	return n;
}

int
tbl_col(const struct tbl_def *t, const char *name, size_t len)
{
	int i;

	if (len == 7 && memcmp(name, "deleted", 7) == 0)
		return -1;
	for (i = 0; t->cols[i].name != NULL; i++)
		if (strlen(t->cols[i].name) == len && memcmp(t->cols[i].name, name, len) == 0)
			return i;
	return -2;
}

static const char *
col_name(const struct tbl_def *t, int col)
{
	return col < 0 ? "deleted" : t->cols[col].name;
}

static uint64_t
be(const uint8_t *p, unsigned w)
{
	uint64_t v = 0;

	while (w-- > 0)
		v = v << 8 | *p++;
	return v;
}

size_t
colmap_item_len(const uint8_t *p, const uint8_t *end, int64_t *str_len)
{
	size_t left = (size_t)(end - p), n = 0, head = 1;
	uint8_t t;

	*str_len = -1;
	if (left == 0)
		return 0;
	t = p[0];
	if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
		return 1;
	if ((t & 0xe0) == 0xa0)
		n = t & 0x1f;
	else if (t == 0xd9 || t == 0xda || t == 0xdb) {
		head = 1 + (1u << (t - 0xd9));
		if (left < head)
			return 0;
		n = (size_t)be(p + 1, (unsigned)head - 1);
	} else if (t == 0xcc || t == 0xd0)
		return left >= 2 ? 2 : 0;
	else if (t == 0xcd || t == 0xd1)
		return left >= 3 ? 3 : 0;
	else if (t == 0xce || t == 0xd2 || t == 0xca)
		return left >= 5 ? 5 : 0;
	else if (t == 0xcf || t == 0xd3 || t == 0xcb)
		return left >= 9 ? 9 : 0;
	else
		return 0;
	if (n > left - head)
		return 0;
	*str_len = (int64_t)n;
	return head + n;
}

int64_t
colmap_head(const uint8_t **p, const uint8_t *end, bool map)
{
	const uint8_t *q = *p;

	if (q < end && (q[0] & 0xf0) == (map ? 0x80 : 0x90)) {
		*p = q + 1;
		return q[0] & 0x0f;
	}
	if (end - q >= 3 && q[0] == (map ? 0xde : 0xdc)) {
		*p = q + 3;
		return (int64_t)be(q + 1, 2);
	}
	return -1;
}

bool
colmap_uint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *q = *p;
	int64_t sl;
	size_t w;

	if (q >= end || (q[0] > 0x7f && (q[0] < 0xcc || q[0] > 0xcf)) || (w = colmap_item_len(q, end, &sl)) == 0)
		return false;
	*v = w == 1 ? q[0] : be(q + 1, (unsigned)w - 1);
	*p = q + w;
	return true;
}

/*
 * key_col reads the key at *p (a column's name, or its number) and returns
 * the column (-1 "deleted", else its index), -2 when the table has no such
 * column or the key is neither.
 */
static int
key_col(const struct tbl_def *t, int ncols, const uint8_t **p, const uint8_t *end)
{
	int64_t sl;
	size_t kl = colmap_item_len(*p, end, &sl);
	const uint8_t *k = *p;

	if (kl == 0)
		return -2;
	*p += kl;
	if (sl >= 0)
		return tbl_col(t, (const char *)k + (kl - (size_t)sl), (size_t)sl);
	if (kl == 1 && k[0] <= 0x7f && k[0] <= ncols)
		return (int)k[0] - 1;
	return -2;
}

int
colmap_entries(const struct tbl_def *t, const uint8_t *in, size_t len, struct colent *out, int max)
{
	const uint8_t *p = in, *end = in + len;
	int64_t n, i, sl;
	size_t v;
	int col, nc = tbl_ncols(t);

	if ((n = colmap_head(&p, end, true)) < 0 || n > max)
		return -1;
	for (i = 0; i < n; i++) {
		if ((col = key_col(t, nc, &p, end)) == -2 || (v = colmap_item_len(p, end, &sl)) == 0)
			return -1;
		out[i].num = col + 1;
		out[i].v = p;
		out[i].vlen = v;
		p += v;
	}
	return p == end ? (int)n : -1;
}

size_t
colmap_write(struct colent *e, int n, const struct tbl_def *names, uint8_t *out)
{
	struct colent x;
	size_t o, kl;
	int i, j;

	/* In column order (a map is a set): every node then keeps and sends a change's map alike. */
	for (i = 1; i < n; i++)
		for (j = i, x = e[i]; j > 0 && e[j - 1].num > x.num; j--)
			e[j] = e[j - 1], e[j - 1] = x;
	if (n < 16) {
		out[0] = (uint8_t)(0x80 | n);
		o = 1;
	} else {
		out[0] = 0xde;
		out[1] = 0;
		out[2] = (uint8_t)n;
		o = 3;
	}
	for (i = 0; i < n; i++) {
		if (names != NULL) {
			kl = strlen(col_name(names, e[i].num - 1));
			out[o++] = (uint8_t)(0xa0 | kl);
			memcpy(out + o, col_name(names, e[i].num - 1), kl);
			o += kl;
		} else {
			out[o++] = (uint8_t)e[i].num; /* positive fixint: at most 63 columns */
		}
		memcpy(out + o, e[i].v, e[i].vlen);
		o += e[i].vlen;
	}
	return o;
}

/* val_pack_int writes v as msgpack in its shortest form. */
static size_t
val_pack_int(uint8_t *o, int64_t v)
{
	uint64_t u = (uint64_t)v;
	unsigned w, k;

	if (v >= -32 && v <= 127) {
		o[0] = (uint8_t)v;
		return 1;
	}
	if (v >= 0) {
		w = u <= 0xff ? 1 : u <= 0xffff ? 2 : u <= 0xffffffffu ? 4 : 8;
		o[0] = w == 1 ? 0xcc : w == 2 ? 0xcd : w == 4 ? 0xce : 0xcf;
	} else {
		w = v >= -128 ? 1 : v >= -32768 ? 2 : v >= INT32_MIN ? 4 : 8;
		o[0] = w == 1 ? 0xd0 : w == 2 ? 0xd1 : w == 4 ? 0xd2 : 0xd3;
	}
	for (k = 0; k < w; k++)
		o[1 + k] = (uint8_t)(u >> (8 * (w - 1 - k)));
	return 1 + w;
}

/* str_head writes the shortest msgpack str header for n bytes. */
static size_t
str_head(uint8_t *o, size_t n)
{
	if (n < 32) {
		o[0] = (uint8_t)(0xa0 | n);
		return 1;
	}
	if (n <= 0xff) {
		o[0] = 0xd9;
		o[1] = (uint8_t)n;
		return 2;
	}
	if (n <= 0xffff) {
		o[0] = 0xda;
		o[1] = (uint8_t)(n >> 8);
		o[2] = (uint8_t)n;
		return 3;
	}
	o[0] = 0xdb;
	o[1] = (uint8_t)(n >> 24);
	o[2] = (uint8_t)(n >> 16);
	o[3] = (uint8_t)(n >> 8);
	o[4] = (uint8_t)n;
	return 5;
}

/*
 * val_exact tells whether the record's row gives back v (len bytes, a value
 * of column col) byte for byte, as val_from_row encodes what SQLite stored:
 * nil in any column but deleted, an integer in its shortest form in an
 * INTEGER column or deleted, a float 64 in a REAL column (not NaN, which
 * SQLite stores as NULL, nor -0, which it may store as 0), a str with its
 * shortest header in a TEXT column.  Anything else (a bool, a number in a
 * TEXT column: SQLite converts it) stays in the log entry.
 */
static bool
val_exact(const struct tbl_def *t, int col, const uint8_t *v, size_t len)
{
	enum col_type ty = col < 0 ? COL_INT : t->cols[col].type;
	uint8_t b[16];
	int64_t sl;
	double d;
	uint64_t u;

	if (v[0] == 0xc0)
		return col >= 0;
	if (v[0] == 0xcb && len == 9) {
		u = be(v + 1, 8);
		memcpy(&d, &u, sizeof(d));
		return ty == COL_REAL && d == d && !(d == 0 && signbit(d));
	}
	if (v[0] <= 0x7f || v[0] >= 0xe0 || (v[0] >= 0xcc && v[0] <= 0xcf) || (v[0] >= 0xd0 && v[0] <= 0xd3)) {
		if (ty != COL_INT || len > 9)
			return false;
		if (v[0] <= 0x7f || v[0] >= 0xe0)
			return true;
		u = be(v + 1, (unsigned)len - 1);
		if (v[0] >= 0xd0 && len < 9 && (u >> (8 * (len - 1) - 1) & 1) != 0)
			u |= ~(uint64_t)0 << (8 * (len - 1)); /* an int 8, 16 or 32 below zero */
		else if (v[0] == 0xcf && u > INT64_MAX)
			return false; /* SQLite would keep it as a negative number */
		return val_pack_int(b, (int64_t)u) == len && memcmp(b, v, len) == 0;
	}
	if (colmap_item_len(v, v + len, &sl) != len || sl < 0 || ty != COL_TEXT)
		return false;
	return str_head(b, (size_t)sl) == len - (size_t)sl && memcmp(b, v, len - (size_t)sl) == 0;
}

int
val_from_row(sqlite3_stmt *s, int i, uint8_t *o)
{
	size_t n;
	double d;
	uint64_t u;
	int k;

	switch (sqlite3_column_type(s, i)) {
	case SQLITE_NULL:
		o[0] = 0xc0;
		return 1;
	case SQLITE_INTEGER:
		return (int)val_pack_int(o, sqlite3_column_int64(s, i));
	case SQLITE_FLOAT:
		d = sqlite3_column_double(s, i);
		memcpy(&u, &d, sizeof(u));
		o[0] = 0xcb;
		for (k = 0; k < 8; k++)
			o[1 + k] = (uint8_t)(u >> (56 - 8 * k));
		return 9;
	case SQLITE_TEXT:
		n = (size_t)sqlite3_column_bytes(s, i);
		if (n > NZ_COLS_MAX)
			return -1;
		k = (int)str_head(o, n);
		memcpy(o + k, sqlite3_column_text(s, i), n);
		return k + (int)n;
	default:
		return -1; /* a blob: the write path never stores one */
	}
}

uint64_t
colmap_held(const struct tbl_def *t, const struct colent *e, int n, uint64_t won)
{
	uint64_t held = 0;
	int i;

	for (i = 0; i < n; i++)
		if ((won >> e[i].num & 1) != 0 && val_exact(t, e[i].num - 1, e[i].v, e[i].vlen))
			held |= (uint64_t)1 << e[i].num;
	return held;
}

int
colmap_name(const struct tbl_def *t, const uint8_t *in, size_t len, uint8_t **out, size_t *outlen)
{
	const uint8_t *p = in, *end = in + len;
	int64_t n, i, sl;
	size_t o, v, kl;
	int col, nc = tbl_ncols(t);
	const char *name;
	uint8_t *b;

	if ((n = colmap_head(&p, end, true)) < 0)
		return -1;
	/* Each key grows from at least one byte to at most 32. */
	if ((b = malloc(len + (size_t)n * 32)) == NULL)
		return -1;
	o = (size_t)(p - in);
	memcpy(b, in, o);
	for (i = 0; i < n; i++) {
		if ((col = key_col(t, nc, &p, end)) == -2 || (v = colmap_item_len(p, end, &sl)) == 0) {
			free(b);
			return -1;
		}
		name = col_name(t, col);
		kl = strlen(name);
		b[o++] = (uint8_t)(0xa0 | kl);
		memcpy(b + o, name, kl);
		o += kl;
		memcpy(b + o, p, v);
		o += v;
		p += v;
	}
	if (p != end) {
		free(b);
		return -1;
	}
	*out = b;
	*outlen = o;
	return 0;
}

/* cols_named(tbl, cols): the SQL face of colmap_name, for whoever reads the log by SQL. */
static void
sql_cols_named(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct tbl_def *const *tables = sqlite3_user_data(ctx);
	const char *tbl = (const char *)sqlite3_value_text(argv[0]);
	const uint8_t *cols = sqlite3_value_blob(argv[1]);
	int len = sqlite3_value_bytes(argv[1]), i;
	uint8_t *named;
	size_t n;

	(void)argc;
	for (i = 0; tbl != NULL && tables[i] != NULL; i++)
		if (strcmp(tables[i]->name, tbl) == 0)
			break;
	if (tbl == NULL || cols == NULL || tables[i] == NULL) {
		/* A table this program does not know: the map as it was logged. */
		sqlite3_result_value(ctx, argv[1]);
		return;
	}
	if (colmap_name(tables[i], cols, (size_t)len, &named, &n) != 0) {
		sqlite3_result_error(ctx, "a change's column map in the log is corrupt", -1);
		return;
	}
	sqlite3_result_blob(ctx, named, (int)n, free);
}

int
colmap_register(sqlite3 *db, const struct tbl_def *const *tables)
{
	return sqlite3_create_function(db, "cols_named", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, (void *)tables,
				       sql_cols_named, NULL, NULL) == SQLITE_OK
		       ? 0
		       : NZ_EDB;
}
