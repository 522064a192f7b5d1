#include "proto/wire.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zstd.h>

/*
 * Encoding goes through msgpack-c's packer.  Decoding does not use msgpack-c's
 * unpacker: for a claimed array or map of n elements it allocates n objects
 * before reading any of them and offers no limit in its C API, so five bytes
 * (dd 0f ff ff ff) make it map 8 GiB.  The reader below walks the buffer in
 * place instead: every length is checked against the bytes that remain
 * before it is used, nothing is allocated but the decoded arrays (bounded by
 * the limits in wire.h and by the input's length), and nesting is bounded.
 */

#define WIRE_DEPTH_MAX 16    /* nesting of skipped unknown trailing fields */
#define WIRE_SLOTS 2048      /* hash slots for strings and ctxs, 2 x their limit */
#define WIRE_HDR_MAX 49      /* largest PULL_OK header before its batch, with pending after it */
#define CHANGE_MIN 9         /* fewest bytes of one encoded change */
#define REFUSAL_MIN 6        /* fewest bytes of one encoded refusal */
#define CTX_MIN 5            /* fewest bytes of one encoded ctx */

enum { RD_TRUNC = -1, RD_TYPE = -2, RD_DEEP = -3 };

/* ---- msgpack reader --------------------------------------------------- */

struct dec {
	const uint8_t *p;
	const uint8_t *end;
	struct nz_err *err;
	const char *where;           /* "change", "ctx", "refusal" or NULL */
	size_t idx;
	const struct wire_schema *schema; /* for numbered batches, or NULL */
	size_t plain_max;            /* largest decompressed batch taken */
	struct wire_msg *m;          /* owns the buffers a batch needs */
};

static size_t
rd_left(const struct dec *d)
{
	return (size_t)(d->end - d->p);
}

static uint64_t
be_get(const uint8_t *p, unsigned w)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < w; i++)
		v = v << 8 | p[i];
	return v;
}

/* sext reads raw, a two's complement number of bits bits, as an int64. */
static int64_t
sext(uint64_t raw, unsigned bits)
{
	uint64_t sign = (uint64_t)1 << (bits - 1);

	if ((raw & sign) == 0)
		return (int64_t)raw;
	if (bits < 64)
		raw |= ~((sign << 1) - 1);
	return -(int64_t)~raw - 1;
}

/* rd_len reads a header of one tag byte and a w-byte big-endian length. */
static int
rd_len(struct dec *d, unsigned w, uint32_t *n)
{
	if (rd_left(d) < 1 + (size_t)w)
		return RD_TRUNC;
	*n = (uint32_t)be_get(d->p + 1, w);
	d->p += 1 + w;
	return 0;
}

static int
rd_array(struct dec *d, uint32_t *n)
{
	uint8_t t;

	if (d->p == d->end)
		return RD_TRUNC;
	t = *d->p;
	if (t >= 0x90 && t <= 0x9f) {
		*n = t & 0x0f;
		d->p++;
		return 0;
	}
	if (t == 0xdc)
		return rd_len(d, 2, n);
	if (t == 0xdd)
		return rd_len(d, 4, n);
	return RD_TYPE;
}

static int
rd_map(struct dec *d, uint32_t *n)
{
	uint8_t t;

	if (d->p == d->end)
		return RD_TRUNC;
	t = *d->p;
	if (t >= 0x80 && t <= 0x8f) {
		*n = t & 0x0f;
		d->p++;
		return 0;
	}
	if (t == 0xde)
		return rd_len(d, 2, n);
	if (t == 0xdf)
		return rd_len(d, 4, n);
	return RD_TYPE;
}

/* rd_body reads a str or bin body of the length its header announced. */
static int
rd_body(struct dec *d, unsigned w, const uint8_t **s, uint32_t *n)
{
	const uint8_t *p = d->p;
	int rc;

	if ((rc = rd_len(d, w, n)) != 0)
		return rc;
	if (rd_left(d) < *n) {
		d->p = p;
		return RD_TRUNC;
	}
	*s = d->p;
	d->p += *n;
	return 0;
}

static int
rd_str(struct dec *d, const uint8_t **s, uint32_t *n)
{
	uint8_t t;

	if (d->p == d->end)
		return RD_TRUNC;
	t = *d->p;
	if (t >= 0xa0 && t <= 0xbf) {
		*n = t & 0x1f;
		if (rd_left(d) < 1 + (size_t)*n)
			return RD_TRUNC;
		*s = d->p + 1;
		d->p += 1 + *n;
		return 0;
	}
	if (t == 0xd9)
		return rd_body(d, 1, s, n);
	if (t == 0xda)
		return rd_body(d, 2, s, n);
	if (t == 0xdb)
		return rd_body(d, 4, s, n);
	return RD_TYPE;
}

static int
rd_bin(struct dec *d, const uint8_t **s, uint32_t *n)
{
	uint8_t t;

	if (d->p == d->end)
		return RD_TRUNC;
	t = *d->p;
	if (t == 0xc4)
		return rd_body(d, 1, s, n);
	if (t == 0xc5)
		return rd_body(d, 2, s, n);
	if (t == 0xc6)
		return rd_body(d, 4, s, n);
	return RD_TYPE;
}

struct mpint {
	bool neg;                    /* s holds the value, else u does */
	uint64_t u;
	int64_t s;
};

/* rd_int reads an integer in any of msgpack's integer formats. */
static int
rd_int(struct dec *d, struct mpint *v)
{
	unsigned w;
	uint8_t t;

	if (d->p == d->end)
		return RD_TRUNC;
	t = *d->p;
	v->neg = false;
	if (t <= 0x7f) {
		v->u = t;
		d->p++;
		return 0;
	}
	if (t >= 0xe0) {
		v->neg = true;
		v->s = (int64_t)t - 256;
		d->p++;
		return 0;
	}
	if (t >= 0xcc && t <= 0xcf) {
		w = 1u << (t - 0xcc);
		if (rd_left(d) < 1 + (size_t)w)
			return RD_TRUNC;
		v->u = be_get(d->p + 1, w);
		d->p += 1 + w;
		return 0;
	}
	if (t >= 0xd0 && t <= 0xd3) {
		w = 1u << (t - 0xd0);
		if (rd_left(d) < 1 + (size_t)w)
			return RD_TRUNC;
		v->s = sext(be_get(d->p + 1, w), 8 * w);
		if (v->s < 0)
			v->neg = true;
		else
			v->u = (uint64_t)v->s;
		d->p += 1 + w;
		return 0;
	}
	return RD_TYPE;
}

static int
rd_bool(struct dec *d, bool *v)
{
	if (d->p == d->end)
		return RD_TRUNC;
	if (*d->p != 0xc2 && *d->p != 0xc3)
		return RD_TYPE;
	*v = *d->p == 0xc3;
	d->p++;
	return 0;
}

/*
 * scalar_len returns the encoded length of the nil, bool, integer or float
 * whose tag is t, or 0 when t starts anything else.
 */
static size_t
scalar_len(uint8_t t)
{
	if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3)
		return 1;
	switch (t) {
	case 0xcc: case 0xd0:
		return 2;
	case 0xcd: case 0xd1:
		return 3;
	case 0xce: case 0xd2: case 0xca:
		return 5;
	case 0xcf: case 0xd3: case 0xcb:
		return 9;
	}
	return 0;
}

/* rd_skip steps over one value of any type, nested at most WIRE_DEPTH_MAX deep. */
static int
rd_skip(struct dec *d, int depth)
{
	static const unsigned fixext[] = { 1, 2, 4, 8, 16 };
	const uint8_t *s;
	uint32_t n, i;
	size_t len;
	uint8_t t;
	int rc;

	if (depth > WIRE_DEPTH_MAX)
		return RD_DEEP;
	if (d->p == d->end)
		return RD_TRUNC;
	t = *d->p;
	if ((len = scalar_len(t)) != 0) {
		if (rd_left(d) < len)
			return RD_TRUNC;
		d->p += len;
		return 0;
	}
	if ((rc = rd_str(d, &s, &n)) != RD_TYPE || (rc = rd_bin(d, &s, &n)) != RD_TYPE)
		return rc;
	if ((rc = rd_array(d, &n)) != RD_TYPE) {
		if (rc != 0)
			return rc;
		if (n > rd_left(d))
			return RD_TRUNC;
		for (i = 0; i < n; i++)
			if ((rc = rd_skip(d, depth + 1)) != 0)
				return rc;
		return 0;
	}
	if ((rc = rd_map(d, &n)) != RD_TYPE) {
		if (rc != 0)
			return rc;
		if (n > rd_left(d) / 2)
			return RD_TRUNC;
		for (i = 0; i < 2 * n; i++)
			if ((rc = rd_skip(d, depth + 1)) != 0)
				return rc;
		return 0;
	}
	if (t >= 0xd4 && t <= 0xd8)
		len = 2 + fixext[t - 0xd4];
	else if (t >= 0xc7 && t <= 0xc9) {
		unsigned w = 1u << (t - 0xc7);

		if (rd_left(d) < 1 + (size_t)w)
			return RD_TRUNC;
		len = 2 + w + (size_t)be_get(d->p + 1, w);
	} else
		return RD_TYPE;      /* 0xc1, never used */
	if (rd_left(d) < len)
		return RD_TRUNC;
	d->p += len;
	return 0;
}

/* tag_name names the type of the value at d->p, for messages. */
static const char *
tag_name(const struct dec *d)
{
	uint8_t t;

	if (d->p == d->end)
		return "nothing";
	t = *d->p;
	if (t <= 0x7f || t >= 0xe0 || (t >= 0xcc && t <= 0xd3))
		return "int";
	if (t <= 0x8f || t == 0xde || t == 0xdf)
		return "map";
	if (t <= 0x9f || t == 0xdc || t == 0xdd)
		return "array";
	if (t <= 0xbf || (t >= 0xd9 && t <= 0xdb))
		return "str";
	switch (t) {
	case 0xc0:
		return "nil";
	case 0xc2: case 0xc3:
		return "bool";
	case 0xc4: case 0xc5: case 0xc6:
		return "bin";
	case 0xca: case 0xcb:
		return "float";
	case 0xc1:
		return "the unused byte 0xc1";
	}
	return "ext";
}

/* ---- text checks ------------------------------------------------------ */

/* utf8_prefix returns the length of the longest valid UTF-8 prefix of s. */
static size_t
utf8_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0, j, k;
	uint32_t cp, min;
	uint8_t c;

	while (i < n) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			break;
		}
		if (n - i <= k)
			break;
		for (j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if (j <= k || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			break;
		i += k + 1;
	}
	return i;
}

static bool
utf8_ok(const uint8_t *s, size_t n)
{
	return utf8_prefix(s, n) == n;
}

/* id_ok tells whether the n bytes at s are an org-unit code. */
static bool
id_ok(const uint8_t *s, size_t n)
{
	char buf[NZ_ID_MAX];

	if (n >= NZ_ID_MAX)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return strlen(buf) == n && unit_level(buf) >= 0;
}

/* tbl_ok tells whether the n bytes at s are a table name: [a-z_]{1,31}. */
static bool
tbl_ok(const uint8_t *s, size_t n)
{
	size_t i;

	if (n == 0 || n >= NZ_TBL_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

/* cstr_id_ok tells whether the C string s, in a NZ_ID_MAX array, is a code. */
static bool
cstr_id_ok(const char *s)
{
	size_t n = strnlen(s, NZ_ID_MAX);

	return n < NZ_ID_MAX && id_ok((const uint8_t *)s, n);
}

static bool
key_ok(const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_'))
			return false;
	return true;
}

/*
 * cols_scan checks a change's column map (see wire_cols_check) and writes
 * the reason for a refusal into why.
 */
static int
cols_scan(const uint8_t *p, size_t len, char *why, size_t whylen)
{
	struct dec c = { p, p + len, NULL, NULL, 0, NULL, 0, NULL };
	const uint8_t *key[NZ_COLS_NMAX], *s;
	uint32_t klen[NZ_COLS_NMAX];
	uint32_t n, i, j, sn;
	size_t vlen;
	int rc;

	if (len == 0) {
		snprintf(why, whylen, "is empty, not a map");
		return -1;
	}
	if ((rc = rd_map(&c, &n)) != 0) {
		if (rc == RD_TRUNC)
			snprintf(why, whylen, "is truncated");
		else
			snprintf(why, whylen, "is %s, not a map", tag_name(&c));
		return -1;
	}
	if (n > NZ_COLS_NMAX) {
		snprintf(why, whylen, "has %" PRIu32 " columns, limit %d", n, NZ_COLS_NMAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((rc = rd_str(&c, &key[i], &klen[i])) != 0) {
			if (rc == RD_TRUNC)
				snprintf(why, whylen, "is truncated in key %" PRIu32, i);
			else
				snprintf(why, whylen, "key %" PRIu32 " is %s, not str", i,
				         tag_name(&c));
			return -1;
		}
		if (klen[i] == 0 || klen[i] > 31) {
			snprintf(why, whylen, "key %" PRIu32 " is %" PRIu32 " bytes, must be 1-31",
			         i, klen[i]);
			return -1;
		}
		if (!key_ok(key[i], klen[i])) {
			snprintf(why, whylen, "key %" PRIu32 " has a byte outside [a-z_0-9]", i);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (klen[j] == klen[i] && memcmp(key[j], key[i], klen[i]) == 0) {
				snprintf(why, whylen, "column '%.*s' appears twice", (int)klen[i],
				         (const char *)key[i]);
				return -1;
			}
		}
		if (c.p == c.end) {
			snprintf(why, whylen, "is truncated in column '%.*s'", (int)klen[i],
			         (const char *)key[i]);
			return -1;
		}
		if ((vlen = scalar_len(*c.p)) != 0) {
			if (rd_left(&c) < vlen) {
				snprintf(why, whylen, "is truncated in column '%.*s'",
				         (int)klen[i], (const char *)key[i]);
				return -1;
			}
			c.p += vlen;
			continue;
		}
		if ((rc = rd_str(&c, &s, &sn)) == 0)
			continue;
		if (rc == RD_TRUNC)
			snprintf(why, whylen, "is truncated in column '%.*s'", (int)klen[i],
			         (const char *)key[i]);
		else
			snprintf(why, whylen,
			         "column '%.*s' is %s; only nil, bool, int, float and str are allowed",
			         (int)klen[i], (const char *)key[i], tag_name(&c));
		return -1;
	}
	if (c.p != c.end) {
		snprintf(why, whylen, "has %zu bytes after the map", rd_left(&c));
		return -1;
	}
	return 0;
}

int
wire_cols_check(const uint8_t *cols, size_t len, struct nz_err *err)
{
	char why[200];

	if (len > NZ_COLS_MAX)
		return nz_fail(err, NZ_EINVAL, "cols is %zu bytes, limit %d", len, NZ_COLS_MAX);
	if (len > 0 && cols == NULL)
		return nz_fail(err, NZ_EINVAL, "cols is NULL");
	if (cols_scan(cols, len, why, sizeof(why)) != 0)
		return nz_fail(err, NZ_EINVAL, "cols %s", why);
	return 0;
}

int
wire_change_check(const struct nz_change *c, struct nz_err *err)
{
	struct nz_err cerr;
	const uint8_t *u;
	size_t n;

	if (!cstr_id_ok(c->origin))
		return nz_fail(err, NZ_EINVAL, "change origin '%.*s' is not an org-unit code",
		               NZ_ID_MAX - 1, c->origin);
	if (c->origin_seq < 1)
		return nz_fail(err, NZ_EINVAL, "change %s/%" PRId64 ": origin_seq must be >= 1",
		               c->origin, c->origin_seq);
	if (!cstr_id_ok(c->owner))
		return nz_fail(err, NZ_EINVAL, "change %s/%" PRId64 ": owner '%.*s' is not an org-unit code",
		               c->origin, c->origin_seq, NZ_ID_MAX - 1, c->owner);
	n = strnlen(c->tbl, NZ_TBL_MAX);
	if (!tbl_ok((const uint8_t *)c->tbl, n))
		return nz_fail(err, NZ_EINVAL, "change %s/%" PRId64 ": tbl '%.*s' is not 1-%d of [a-z_]",
		               c->origin, c->origin_seq, NZ_TBL_MAX - 1, c->tbl, NZ_TBL_MAX - 1);
	n = strnlen(c->rid, NZ_RID_MAX);
	u = (const uint8_t *)c->rid;
	if (n == 0 || n >= NZ_RID_MAX || !utf8_ok(u, n))
		return nz_fail(err, NZ_EINVAL, "change %s/%" PRId64 ": rid must be 1-%d bytes of UTF-8",
		               c->origin, c->origin_seq, NZ_RID_MAX - 1);
	n = strnlen(c->author, NZ_AUTHOR_MAX);
	u = (const uint8_t *)c->author;
	if (n >= NZ_AUTHOR_MAX || !utf8_ok(u, n))
		return nz_fail(err, NZ_EINVAL, "change %s/%" PRId64 ": author must be 0-%d bytes of UTF-8",
		               c->origin, c->origin_seq, NZ_AUTHOR_MAX - 1);
	if (wire_cols_check(c->cols, c->cols_len, err ? &cerr : NULL) != 0)
		return nz_fail(err, NZ_EINVAL, "change %s/%" PRId64 ": %s", c->origin, c->origin_seq,
		               err ? cerr.msg : "");
	return 0;
}

/* ---- the schema's column numbers -------------------------------------- */

/* schema_hash fills s->digest: PROTOCOL.md §6.1, tables in byte order of their names. */
static void
schema_hash(struct wire_schema *s)
{
	static const char tag[] = "nehzat-schema-1";
	crypto_generichash_state h;
	uint8_t out[32];
	size_t order[WIRE_SCHEMA_TABLES], i, j, k;
	int c;

	for (i = 0; i < s->ntables; i++) {
		for (j = i; j > 0 && strcmp(s->t[order[j - 1]].name, s->t[i].name) > 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	crypto_generichash_init(&h, NULL, 0, sizeof(out));
	crypto_generichash_update(&h, (const uint8_t *)tag, sizeof(tag)); /* with its NUL */
	for (k = 0; k < s->ntables; k++) {
		const struct wire_schema_table *t = &s->t[order[k]];
		crypto_generichash_update(&h, (const uint8_t *)t->name, strlen(t->name) + 1);
		for (c = 1; c <= t->ncols; c++)
			crypto_generichash_update(&h, (const uint8_t *)t->cols[c], strlen(t->cols[c]) + 1);
		crypto_generichash_update(&h, (const uint8_t *)"", 1);
	}
	crypto_generichash_final(&h, out, sizeof(out));
	s->digest = be_get(out, 8);
}

int
wire_schema_add(struct wire_schema *s, const char *name, const char *const *cols, int ncols)
{
	struct wire_schema_table *t;
	size_t i;
	int c;

	if (name == NULL || !tbl_ok((const uint8_t *)name, strnlen(name, 32)) || strlen(name) > 31)
		return NZ_EINVAL;
	for (i = 0; i < s->ntables; i++)
		if (strcmp(s->t[i].name, name) == 0)
			return NZ_EINVAL;
	if (s->ntables == WIRE_SCHEMA_TABLES || ncols < 0 || ncols > WIRE_SCHEMA_COLS)
		return NZ_ETOOBIG;
	for (c = 0; c < ncols; c++) {
		size_t n = cols[c] ? strnlen(cols[c], 32) : 0;
		if (n == 0 || n > 31 || !key_ok((const uint8_t *)cols[c], n) || strcmp(cols[c], "deleted") == 0)
			return NZ_EINVAL;
	}
	t = &s->t[s->ntables++];
	t->name = name;
	t->ncols = ncols;
	t->cols[0] = "deleted";
	for (c = 0; c < ncols; c++)
		t->cols[c + 1] = cols[c];
	schema_hash(s);
	return 0;
}

static const struct wire_schema_table *
schema_table(const struct wire_schema *s, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		if (strlen(s->t[i].name) == n && memcmp(s->t[i].name, name, n) == 0)
			return &s->t[i];
	return NULL;
}

/* value_len returns the length of the nil, bool, number or str at c->p, or 0. */
static size_t
value_len(struct dec *c)
{
	const uint8_t *p = c->p, *s;
	uint32_t n;
	size_t v;

	if (c->p == c->end)
		return 0;
	if ((v = scalar_len(*c->p)) != 0)
		return rd_left(c) >= v ? v : 0;
	if (rd_str(c, &s, &n) != 0)
		return 0;
	v = (size_t)(c->p - p);
	c->p = p;
	return v;
}

/*
 * cols_number writes into out (at least len bytes) the valid named map at
 * cols with t's column numbers for keys.  Returns its length, or 0 when a
 * column is not in t.
 */
static size_t
cols_number(const struct wire_schema_table *t, const uint8_t *cols, size_t len, uint8_t *out)
{
	struct dec c = { cols, cols + len, NULL, NULL, 0, NULL, 0, NULL };
	const uint8_t *k, *start = c.p;
	uint32_t n, i, kn;
	size_t o, v;
	int col;

	if (rd_map(&c, &n) != 0)
		return 0;
	o = (size_t)(c.p - start);
	memcpy(out, start, o);             /* the same map header */
	for (i = 0; i < n; i++) {
		if (rd_str(&c, &k, &kn) != 0)
			return 0;
		for (col = 0; col <= t->ncols; col++)
			if (strlen(t->cols[col]) == kn && memcmp(t->cols[col], k, kn) == 0)
				break;
		if (col > t->ncols || (v = value_len(&c)) == 0)
			return 0;
		out[o++] = (uint8_t)col;           /* positive fixint: col < 64 */
		memcpy(out + o, c.p, v);
		o += v;
		c.p += v;
	}
	return o;
}

/*
 * cols_name checks the numbered map at p (len bytes) against t and appends
 * it, named, to *buf (*cap bytes, *used taken), growing it up to
 * NZ_WIRE_MAX.  Returns 0, or -1 with why; -2 when out of memory or over the
 * limit.
 */
static int
cols_name(const struct wire_schema_table *t, const uint8_t *p, size_t len, uint8_t **buf, size_t *used,
	  size_t *cap, char *why, size_t whylen)
{
	struct dec c = { p, p + len, NULL, NULL, 0, NULL, 0, NULL };
	struct mpint key;
	uint64_t seen = 0;
	uint32_t n, i;
	size_t need, v, kn, o;
	uint8_t *nb;

	if (rd_map(&c, &n) != 0) {
		snprintf(why, whylen, "is not a map");
		return -1;
	}
	if (n > NZ_COLS_NMAX) {
		snprintf(why, whylen, "has %" PRIu32 " columns, limit %d", n, NZ_COLS_NMAX);
		return -1;
	}
	need = 5 + len + (size_t)n * 32;
	if (*used + need > *cap) {
		size_t ncap = *cap ? *cap : 65536;
		while (ncap < *used + need)
			ncap *= 2;
		if (ncap > NZ_WIRE_MAX || (nb = realloc(*buf, ncap)) == NULL)
			return -2;
		*buf = nb;
		*cap = ncap;
	}
	o = *used;
	nb = *buf;
	if (n < 16)
		nb[o++] = (uint8_t)(0x80 | n);
	else {
		nb[o++] = 0xde;
		nb[o++] = (uint8_t)(n >> 8);
		nb[o++] = (uint8_t)n;
	}
	for (i = 0; i < n; i++) {
		if (rd_int(&c, &key) != 0 || key.neg || key.u > (uint64_t)t->ncols) {
			snprintf(why, whylen, "key %" PRIu32 " is not a column number of table '%s' (0-%d)", i,
				 t->name, t->ncols);
			return -1;
		}
		if (seen & (uint64_t)1 << key.u) {
			snprintf(why, whylen, "column '%s' appears twice", t->cols[key.u]);
			return -1;
		}
		seen |= (uint64_t)1 << key.u;
		if ((v = value_len(&c)) == 0) {
			snprintf(why, whylen, "column '%s' is truncated or %s; only nil, bool, int, float and str are allowed",
				 t->cols[key.u], tag_name(&c));
			return -1;
		}
		kn = strlen(t->cols[key.u]);
		nb[o++] = (uint8_t)(0xa0 | kn);
		memcpy(nb + o, t->cols[key.u], kn);
		o += kn;
		memcpy(nb + o, c.p, v);
		o += v;
		c.p += v;
	}
	if (c.p != c.end) {
		snprintf(why, whylen, "has %zu bytes after the map", rd_left(&c));
		return -1;
	}
	if (o - *used > NZ_COLS_MAX) {
		snprintf(why, whylen, "is %zu bytes once named, limit %d", o - *used, NZ_COLS_MAX);
		return -1;
	}
	*used = o;
	return 0;
}

/* ---- decoding --------------------------------------------------------- */

static int
dfail(struct dec *d, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
dfail(struct dec *d, int code, const char *fmt, ...)
{
	char msg[NZ_ERRMSG_MAX - 32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->where != NULL)
		return nz_fail(d->err, code, "%s %zu: %s", d->where, d->idx, msg);
	return nz_fail(d->err, code, "%s", msg);
}

/* bad reports a reader failure rc on field, which should have been want. */
static int
bad(struct dec *d, int rc, const char *field, const char *want)
{
	if (rc == RD_TRUNC)
		return dfail(d, NZ_EPROTO, "%s: message truncated", field);
	if (rc == RD_DEEP)
		return dfail(d, NZ_EPROTO, "%s: nested deeper than %d levels", field,
		             WIRE_DEPTH_MAX);
	return dfail(d, NZ_EPROTO, "%s is %s, expected %s", field, tag_name(d), want);
}

static int
get_u64(struct dec *d, const char *field, uint64_t *v)
{
	const uint8_t *p = d->p;
	struct mpint x;
	int rc;

	if ((rc = rd_int(d, &x)) != 0)
		return bad(d, rc, field, "uint");
	if (x.neg) {
		d->p = p;
		return dfail(d, NZ_EPROTO, "%s is %" PRId64 ", must not be negative", field, x.s);
	}
	*v = x.u;
	return 0;
}

static int
get_i64(struct dec *d, const char *field, int64_t *v)
{
	struct mpint x;
	int rc;

	if ((rc = rd_int(d, &x)) != 0)
		return bad(d, rc, field, "int");
	if (!x.neg && x.u > INT64_MAX)
		return dfail(d, NZ_EPROTO, "%s is %" PRIu64 ", over the int64 range", field, x.u);
	*v = x.neg ? x.s : (int64_t)x.u;
	return 0;
}

/* get_pos reads a log position or count: an int64 >= 0. */
static int
get_pos(struct dec *d, const char *field, int64_t *v)
{
	int rc;

	if ((rc = get_i64(d, field, v)) != 0)
		return rc;
	if (*v < 0)
		return dfail(d, NZ_EPROTO, "%s is %" PRId64 ", must not be negative", field, *v);
	return 0;
}

/*
 * get_pending reads the optional pending field of a PUSH or PULL_OK when the
 * message has it (present), into *v (-1 when absent): a count for display,
 * at most WIRE_PENDING_MAX.
 */
static int
get_pending(struct dec *d, bool present, uint32_t *want, int64_t *v)
{
	int rc;

	*v = -1;
	if (!present)
		return 0;
	if ((rc = get_pos(d, "pending", v)) != 0)
		return rc;
	if (*v > WIRE_PENDING_MAX)
		return dfail(d, NZ_EPROTO, "pending is %" PRId64 ", over %lld", *v, (long long)WIRE_PENDING_MAX);
	(*want)++;
	return 0;
}

static int
get_bool(struct dec *d, const char *field, bool *v)
{
	int rc;

	if ((rc = rd_bool(d, v)) != 0)
		return bad(d, rc, field, "bool");
	return 0;
}

/* get_str reads a str of at most max bytes of UTF-8 without NUL. */
static int
get_str(struct dec *d, const char *field, size_t max, const uint8_t **s, uint32_t *n)
{
	int rc;

	if ((rc = rd_str(d, s, n)) != 0)
		return bad(d, rc, field, "str");
	if (*n > max)
		return dfail(d, NZ_EPROTO, "%s is %" PRIu32 " bytes, limit %zu", field, *n, max);
	if (memchr(*s, '\0', *n) != NULL)
		return dfail(d, NZ_EPROTO, "%s contains a NUL byte", field);
	if (!utf8_ok(*s, *n))
		return dfail(d, NZ_EPROTO, "%s is not valid UTF-8", field);
	return 0;
}

/* get_text reads a str of at most WIRE_TEXT_MAX - 1 bytes into out. */
static int
get_text(struct dec *d, const char *field, char out[WIRE_TEXT_MAX])
{
	const uint8_t *s;
	uint32_t n;
	int rc;

	if ((rc = get_str(d, field, WIRE_TEXT_MAX - 1, &s, &n)) != 0)
		return rc;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* get_id reads an org-unit code into out. */
static int
get_id(struct dec *d, const char *field, char out[NZ_ID_MAX])
{
	const uint8_t *s;
	uint32_t n;
	int rc;

	if ((rc = get_str(d, field, NZ_ID_MAX - 1, &s, &n)) != 0)
		return rc;
	if (!id_ok(s, n))
		return dfail(d, NZ_EPROTO, "%s '%.*s' is not an org-unit code", field, (int)n,
		             (const char *)s);
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* get_fixbin reads a bin of exactly n bytes into out. */
static int
get_fixbin(struct dec *d, const char *field, uint8_t *out, size_t n)
{
	const uint8_t *s;
	uint32_t len;
	int rc;

	if ((rc = rd_bin(d, &s, &len)) != 0)
		return bad(d, rc, field, "bin");
	if (len != n)
		return dfail(d, NZ_EPROTO, "%s is %" PRIu32 " bytes, must be %zu", field, len, n);
	memcpy(out, s, n);
	return 0;
}

/* get_count reads an array header of at most max elements of at least min bytes each. */
static int
get_count(struct dec *d, const char *field, uint32_t max, size_t min, uint32_t *n)
{
	int rc;

	if ((rc = rd_array(d, n)) != 0)
		return bad(d, rc, field, "array");
	if (*n > max)
		return dfail(d, NZ_ETOOBIG, "%s has %" PRIu32 " entries, limit %" PRIu32, field, *n,
		             max);
	if (*n > rd_left(d) / min)
		return dfail(d, NZ_EPROTO, "%s: message truncated (%" PRIu32 " entries in %zu bytes)",
		             field, *n, rd_left(d));
	return 0;
}

/* get_tuple reads an array header that must announce exactly n elements. */
static int
get_tuple(struct dec *d, const char *field, uint32_t n)
{
	uint32_t got;
	int rc;

	if ((rc = rd_array(d, &got)) != 0)
		return bad(d, rc, field, "array");
	if (got != n)
		return dfail(d, NZ_EPROTO, "%s has %" PRIu32 " elements, must have %" PRIu32, field,
		             got, n);
	return 0;
}

static uint32_t
fnv(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 16777619u;
	return h;
}

enum { K_UNIT = 1, K_TBL = 2 };

/* What decoding a batch needs on the side; on the heap, it is 36 KiB. */
struct bscratch {
	struct {
		const uint8_t *s;
		uint32_t n;
		uint32_t kind;
	} str[WIRE_STRINGS_MAX];
	uint16_t ctx[WIRE_CTXS_MAX][4];
	int64_t last_seq[WIRE_STRINGS_MAX];   /* by string index of the origin */
	uint16_t slot[WIRE_SLOTS];            /* string index + 1, 0 for free */
	/* a numbered batch: each ctx's table, and the named columns' offsets */
	bool numbered;
	const struct wire_schema_table *ctab[WIRE_CTXS_MAX];
	size_t *off;
	size_t used, cap;
};

static int
dec_strings(struct dec *d, struct bscratch *x, uint32_t *ns)
{
	const uint8_t *s;
	uint32_t i, n, k, h, j;
	int rc;

	if ((rc = get_count(d, "batch: strings", WIRE_STRINGS_MAX, 1, ns)) != 0)
		return rc;
	for (i = 0; i < *ns; i++) {
		if ((rc = rd_str(d, &s, &n)) != 0) {
			if (rc == RD_TRUNC)
				return dfail(d, NZ_EPROTO, "batch: string %" PRIu32 ": message truncated", i);
			return dfail(d, NZ_EPROTO, "batch: string %" PRIu32 " is %s, expected str", i,
			             tag_name(d));
		}
		if (n > WIRE_STRING_MAX)
			return dfail(d, NZ_EPROTO, "batch: string %" PRIu32 " is %" PRIu32 " bytes, limit %d",
			             i, n, WIRE_STRING_MAX);
		if (memchr(s, '\0', n) != NULL)
			return dfail(d, NZ_EPROTO, "batch: string %" PRIu32 " contains a NUL byte", i);
		if (!utf8_ok(s, n))
			return dfail(d, NZ_EPROTO, "batch: string %" PRIu32 " is not valid UTF-8", i);
		h = fnv(s, n);
		for (j = h & (WIRE_SLOTS - 1); x->slot[j] != 0; j = (j + 1) & (WIRE_SLOTS - 1)) {
			k = x->slot[j] - 1u;
			if (x->str[k].n == n && memcmp(x->str[k].s, s, n) == 0)
				return dfail(d, NZ_EPROTO, "batch: string %" PRIu32 " repeats string %" PRIu32,
				             i, k);
		}
		x->slot[j] = (uint16_t)(i + 1);
		x->str[i].s = s;
		x->str[i].n = n;
		x->str[i].kind = (id_ok(s, n) ? K_UNIT : 0) | (tbl_ok(s, n) ? K_TBL : 0);
	}
	return 0;
}

static int
dec_ctxs(struct dec *d, struct bscratch *x, uint32_t ns, uint32_t *nc)
{
	static const char *const role[4] = { "origin", "tbl", "owner", "author" };
	static const uint32_t need[4] = { K_UNIT, K_TBL, K_UNIT, 0 };
	uint64_t v;
	uint32_t i, k;
	int rc;

	if ((rc = get_count(d, "batch: ctxs", WIRE_CTXS_MAX, CTX_MIN, nc)) != 0)
		return rc;
	d->where = "ctx";
	for (i = 0; i < *nc; i++) {
		d->idx = i;
		if ((rc = get_tuple(d, "ctx", 4)) != 0)
			return rc;
		for (k = 0; k < 4; k++) {
			if ((rc = get_u64(d, role[k], &v)) != 0)
				return rc;
			if (v >= ns)
				return dfail(d, NZ_EPROTO, "%s index %" PRIu64 " is out of range (%" PRIu32 " strings)",
				             role[k], v, ns);
			if ((x->str[v].kind & need[k]) != need[k])
				return dfail(d, NZ_EPROTO, "%s '%.*s' is not %s", role[k],
				             (int)x->str[v].n, (const char *)x->str[v].s,
				             need[k] == K_UNIT ? "an org-unit code" : "a table name ([a-z_]{1,31})");
			x->ctx[i][k] = (uint16_t)v;
		}
	}
	d->where = NULL;
	return 0;
}

static void
copy_str(char *dst, const struct bscratch *x, uint16_t i)
{
	memcpy(dst, x->str[i].s, x->str[i].n);
	dst[x->str[i].n] = '\0';
}

static int
dec_change(struct dec *d, struct bscratch *x, uint32_t nc, uint64_t *hlc, struct nz_change *c)
{
	const uint8_t *s;
	char why[200];
	uint16_t *ctx;
	int64_t delta, prev;
	uint64_t ci;
	uint32_t n;
	int rc;

	if ((rc = get_tuple(d, "change", 5)) != 0)
		return rc;
	if ((rc = get_u64(d, "ctx", &ci)) != 0)
		return rc;
	if (ci >= nc)
		return dfail(d, NZ_EPROTO, "ctx index %" PRIu64 " is out of range (%" PRIu32 " ctxs)",
		             ci, nc);
	ctx = x->ctx[ci];
	if ((rc = get_i64(d, "seq_delta", &delta)) != 0)
		return rc;
	prev = x->last_seq[ctx[0]];
	if (delta > 0 && prev > INT64_MAX - delta)
		return dfail(d, NZ_EPROTO, "seq_delta %" PRId64 " overflows origin_seq", delta);
	c->origin_seq = prev + delta;
	if (c->origin_seq < 1)
		return dfail(d, NZ_EPROTO, "origin_seq is %" PRId64 ", must be >= 1", c->origin_seq);
	x->last_seq[ctx[0]] = c->origin_seq;
	if ((rc = get_i64(d, "hlc_delta", &delta)) != 0)
		return rc;
	*hlc += (uint64_t)delta;
	c->hlc = *hlc;
	if ((rc = get_str(d, "rid", NZ_RID_MAX - 1, &s, &n)) != 0)
		return rc;
	if (n == 0)
		return dfail(d, NZ_EPROTO, "rid is empty");
	memcpy(c->rid, s, n);
	c->rid[n] = '\0';
	if ((rc = rd_bin(d, &c->cols, &n)) != 0)
		return bad(d, rc, "cols", "bin");
	if (n > NZ_COLS_MAX)
		return dfail(d, NZ_EPROTO, "cols is %" PRIu32 " bytes, limit %d", n, NZ_COLS_MAX);
	c->cols_len = n;
	if (x->numbered) {
		/* Named again into the message's own buffer; the pointer is set once it stops moving. */
		size_t at = x->used;
		if (x->ctab[ci] == NULL &&
		    (x->ctab[ci] = schema_table(d->schema, (const char *)x->str[ctx[1]].s, x->str[ctx[1]].n)) == NULL)
			return dfail(d, NZ_EPROTO, "table '%.*s' is not in the schema", (int)x->str[ctx[1]].n,
			             (const char *)x->str[ctx[1]].s);
		rc = cols_name(x->ctab[ci], c->cols, n, &d->m->named_, &x->used, &x->cap, why, sizeof(why));
		if (rc == -2)
			return dfail(d, NZ_ETOOBIG, "the batch's columns, named, are over %u bytes", NZ_WIRE_MAX);
		if (rc != 0)
			return dfail(d, NZ_EPROTO, "cols %s", why);
		x->off[d->idx] = at;
		c->cols_len = x->used - at;
	} else if (cols_scan(c->cols, n, why, sizeof(why)) != 0)
		return dfail(d, NZ_EPROTO, "cols %s", why);
	copy_str(c->origin, x, ctx[0]);
	copy_str(c->tbl, x, ctx[1]);
	copy_str(c->owner, x, ctx[2]);
	copy_str(c->author, x, ctx[3]);
	return 0;
}

/*
 * dec_batch decodes a batch (PROTOCOL.md §6: four elements with names, five
 * with the schema's column numbers) into a fresh array of changes, owned by
 * the caller, whose columns are named.
 */
static int
dec_batch(struct dec *d, struct nz_change **out, size_t *nout)
{
	struct bscratch *x = NULL;
	struct nz_change *v = NULL;
	uint32_t ns, nc, n, i;
	uint64_t hlc, digest;
	int rc;

	if ((rc = rd_array(d, &n)) != 0) {
		rc = bad(d, rc, "batch", "array");
		goto out;
	}
	if (n != 4 && n != 5) {
		rc = dfail(d, NZ_EPROTO, "batch has %" PRIu32 " elements, must have 4 or 5", n);
		goto out;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		rc = nz_fail(d->err, NZ_ENOMEM, "out of memory decoding a batch");
		goto out;
	}
	if (n == 5) {
		if ((rc = get_u64(d, "batch: schema", &digest)) != 0)
			goto out;
		if (d->schema == NULL || digest != d->schema->digest) {
			rc = dfail(d, NZ_EPROTO, "batch: column numbers of schema %016" PRIx64 ", this node has %s%016" PRIx64,
			           digest, d->schema ? "" : "no schema, ", d->schema ? d->schema->digest : 0);
			goto out;
		}
		x->numbered = true;
	}
	if ((rc = dec_strings(d, x, &ns)) != 0 || (rc = dec_ctxs(d, x, ns, &nc)) != 0)
		goto out;
	if ((rc = get_u64(d, "batch: base_hlc", &hlc)) != 0)
		goto out;
	if ((rc = get_count(d, "batch: changes", WIRE_CHANGES_MAX, CHANGE_MIN, &n)) != 0)
		goto out;
	if (n > 0 && ((v = calloc(n, sizeof(*v))) == NULL ||
	              (x->numbered && (x->off = calloc(n, sizeof(*x->off))) == NULL))) {
		rc = nz_fail(d->err, NZ_ENOMEM, "out of memory for %" PRIu32 " changes", n);
		goto out;
	}
	d->where = "change";
	for (i = 0; i < n; i++) {
		d->idx = i;
		if ((rc = dec_change(d, x, nc, &hlc, &v[i])) != 0)
			goto out;
	}
	d->where = NULL;
	for (i = 0; x->numbered && i < n; i++)
		v[i].cols = d->m->named_ + x->off[i];
	*out = v;
	*nout = n;
	v = NULL;
out:
	free(v);
	if (x != NULL)
		free(x->off);
	free(x);
	return rc;
}

/*
 * dec_any_batch decodes a batch that may come as a bin: one zstd frame whose
 * declared content, at most d->plain_max bytes, is the batch (§6.2).
 */
static int
dec_any_batch(struct dec *d, struct nz_change **out, size_t *nout)
{
	struct dec z;
	const uint8_t *s;
	unsigned long long size;
	uint32_t n;
	size_t got;
	int rc;

	if (d->p == d->end || (*d->p != 0xc4 && *d->p != 0xc5 && *d->p != 0xc6))
		return dec_batch(d, out, nout);
	if ((rc = rd_bin(d, &s, &n)) != 0)
		return bad(d, rc, "batch", "bin");
	size = ZSTD_getFrameContentSize(s, n);
	if (size == ZSTD_CONTENTSIZE_ERROR)
		return dfail(d, NZ_EPROTO, "batch: a bin that is not a zstd frame");
	if (size == ZSTD_CONTENTSIZE_UNKNOWN)
		return dfail(d, NZ_EPROTO, "batch: the zstd frame does not declare its size");
	if (size > d->plain_max)
		return dfail(d, NZ_ETOOBIG, "batch: %llu bytes once decompressed, limit %zu", size, d->plain_max);
	if ((got = ZSTD_findFrameCompressedSize(s, n)) != n)
		return dfail(d, NZ_EPROTO, "batch: the bin is not exactly one zstd frame");
	if ((d->m->plain_ = malloc(size > 0 ? (size_t)size : 1)) == NULL)
		return nz_fail(d->err, NZ_ENOMEM, "out of memory for a %llu-byte batch", size);
	got = ZSTD_decompress(d->m->plain_, (size_t)size, s, n);
	if (ZSTD_isError(got) || got != size)
		return dfail(d, NZ_EPROTO, "batch: the zstd frame does not decompress: %s",
		             ZSTD_isError(got) ? ZSTD_getErrorName(got) : "shorter than it says");
	z = *d;
	z.p = d->m->plain_;
	z.end = z.p + got;
	if (z.p == z.end || *z.p < 0x90 || (*z.p > 0x9f && *z.p != 0xdc && *z.p != 0xdd))
		return dfail(d, NZ_EPROTO, "batch: the zstd frame does not hold an array");
	if ((rc = dec_batch(&z, out, nout)) != 0)
		return rc;
	if (z.p != z.end)
		return dfail(d, NZ_EPROTO, "batch: %zu bytes after the batch in the zstd frame", rd_left(&z));
	return 0;
}

/* dec_codec reads [schema, flags, plain_max]. */
static int
dec_codec(struct dec *d, struct wire_codec *c)
{
	uint64_t flags, max;
	int rc;

	if ((rc = get_tuple(d, "codec", 3)) != 0 || (rc = get_u64(d, "codec: schema", &c->schema)) != 0 ||
	    (rc = get_u64(d, "codec: flags", &flags)) != 0 || (rc = get_u64(d, "codec: plain_max", &max)) != 0)
		return rc;
	if (flags > UINT32_MAX || max > UINT32_MAX)
		return dfail(d, NZ_EPROTO, "codec: flags or plain_max over uint32");
	c->flags = (uint32_t)flags;
	c->plain_max = (uint32_t)max;
	return 0;
}

static int
put_codec(msgpack_packer *pk, const struct wire_codec *c)
{
	int bad = 0;

	bad |= msgpack_pack_array(pk, 3);
	bad |= msgpack_pack_uint64(pk, c->schema);
	bad |= msgpack_pack_uint32(pk, c->flags);
	bad |= msgpack_pack_uint32(pk, c->plain_max);
	return bad;
}

static int
dec_hello(struct dec *d, struct wire_hello *h)
{
	int rc;

	if ((rc = get_id(d, "node_id", h->node_id)) != 0 ||
	    (rc = get_id(d, "parent_id", h->parent_id)) != 0 ||
	    (rc = get_fixbin(d, "dbid", h->dbid, WIRE_DBID_LEN)) != 0 ||
	    (rc = get_u64(d, "auth_counter", &h->auth_counter)) != 0 ||
	    (rc = get_pos(d, "pull_cursor", &h->pull_cursor)) != 0 ||
	    (rc = get_u64(d, "pull_token", &h->pull_token)) != 0 ||
	    (rc = get_pos(d, "seen_parent_seq", &h->seen_parent_seq)) != 0 ||
	    (rc = get_fixbin(d, "sig", h->sig, WIRE_SIG_LEN)) != 0)
		return rc;
	return 0;
}

static int
dec_hello_ok(struct dec *d, struct wire_hello_ok *h)
{
	int rc;

	if ((rc = get_id(d, "node_id", h->node_id)) != 0 ||
	    (rc = get_fixbin(d, "dbid", h->dbid, WIRE_DBID_LEN)) != 0 ||
	    (rc = get_pos(d, "ack_cursor", &h->ack_cursor)) != 0 ||
	    (rc = get_u64(d, "ack_token", &h->ack_token)) != 0 ||
	    (rc = get_pos(d, "seen_child_seq", &h->seen_child_seq)) != 0 ||
	    (rc = get_pos(d, "head", &h->head)) != 0 ||
	    (rc = get_bool(d, "pull_reset", &h->pull_reset)) != 0 ||
	    (rc = get_u64(d, "hlc", &h->hlc)) != 0 ||
	    (rc = get_fixbin(d, "sig", h->sig, WIRE_SIG_LEN)) != 0)
		return rc;
	return 0;
}

static int
dec_enrol(struct dec *d, struct wire_enrol *e)
{
	int rc;

	if ((rc = get_id(d, "node_id", e->node_id)) != 0 ||
	    (rc = get_id(d, "parent_id", e->parent_id)) != 0 ||
	    (rc = get_fixbin(d, "pubkey", e->pubkey, WIRE_KEY_LEN)) != 0 ||
	    (rc = get_fixbin(d, "proof", e->proof, WIRE_PROOF_LEN)) != 0 ||
	    (rc = get_fixbin(d, "sig", e->sig, WIRE_SIG_LEN)) != 0)
		return rc;
	return 0;
}

static int
dec_enrol_ok(struct dec *d, struct wire_enrol_ok *e)
{
	int rc;

	if ((rc = get_id(d, "node_id", e->node_id)) != 0 ||
	    (rc = get_fixbin(d, "pubkey", e->pubkey, WIRE_KEY_LEN)) != 0 ||
	    (rc = get_fixbin(d, "sig", e->sig, WIRE_SIG_LEN)) != 0)
		return rc;
	return 0;
}

static int
dec_rotate(struct dec *d, struct wire_rotate *r)
{
	int rc;

	if ((rc = get_fixbin(d, "pubkey", r->pubkey, WIRE_KEY_LEN)) != 0 ||
	    (rc = get_fixbin(d, "sig_old", r->sig_old, WIRE_SIG_LEN)) != 0 ||
	    (rc = get_fixbin(d, "sig_new", r->sig_new, WIRE_SIG_LEN)) != 0)
		return rc;
	return 0;
}

static int
dec_push_ok(struct dec *d, struct wire_push_ok *p)
{
	struct wire_refusal *r;
	uint32_t n, i;
	int rc;

	if ((rc = get_pos(d, "ack_cursor", &p->ack_cursor)) != 0 ||
	    (rc = get_u64(d, "ack_token", &p->ack_token)) != 0 ||
	    (rc = get_u64(d, "hlc", &p->hlc)) != 0 ||
	    (rc = get_count(d, "refusals", WIRE_REFUSALS_MAX, REFUSAL_MIN, &n)) != 0)
		return rc;
	if (n == 0)
		return 0;
	if ((p->refusals = calloc(n, sizeof(*p->refusals))) == NULL)
		return nz_fail(d->err, NZ_ENOMEM, "out of memory for %" PRIu32 " refusals", n);
	p->nrefusals = n;
	d->where = "refusal";
	for (i = 0; i < n; i++) {
		d->idx = i;
		r = &p->refusals[i];
		if ((rc = get_tuple(d, "refusal", 3)) != 0 ||
		    (rc = get_id(d, "origin", r->origin)) != 0 ||
		    (rc = get_i64(d, "origin_seq", &r->origin_seq)) != 0)
			return rc;
		if (r->origin_seq < 1)
			return dfail(d, NZ_EPROTO, "origin_seq is %" PRId64 ", must be >= 1",
			             r->origin_seq);
		if ((rc = get_text(d, "reason", r->reason)) != 0)
			return rc;
	}
	d->where = NULL;
	return 0;
}

static int
dec_error(struct dec *d, struct wire_error *e)
{
	int64_t code;
	int rc;

	if ((rc = get_i64(d, "code", &code)) != 0)
		return rc;
	if (code >= 0 || code < INT32_MIN)
		return dfail(d, NZ_EPROTO, "code %" PRId64 " is not a negative int32", code);
	e->code = (int32_t)code;
	return get_text(d, "message", e->message);
}

/* nfields returns how many fields follow the type in a message, or 0 for an unknown type. */
static uint32_t
nfields(uint64_t type)
{
	switch (type) {
	case WIRE_HELLO:
		return 8;
	case WIRE_HELLO_OK:
		return 9;
	case WIRE_ENROL:
		return 5;
	case WIRE_ENROL_OK:
	case WIRE_ROTATE:
		return 3;
	case WIRE_ROTATE_OK:
		return 1;
	case WIRE_PUSH:
	case WIRE_PULL:
		return 3;
	case WIRE_PUSH_OK:
		return 4;
	case WIRE_PULL_OK:
		return 6;
	case WIRE_ERROR:
		return 2;
	}
	return 0;
}

/*
 * wire_decode reads [version, type, fields...].  Elements after the fields a
 * type defines are skipped (PROTOCOL.md §10); bytes after the
 * array are refused.
 */
int
wire_decode(const uint8_t *buf, size_t len, struct wire_msg *m, struct nz_err *err)
{
	return wire_decode_with(buf, len, NULL, NZ_WIRE_MAX, m, err);
}

int
wire_decode_with(const uint8_t *buf, size_t len, const struct wire_schema *schema, size_t plain_max,
		 struct wire_msg *m, struct nz_err *err)
{
	struct dec d = { NULL, NULL, err, NULL, 0, schema, plain_max, m };
	uint64_t version, type, v;
	uint32_t n, want, i;
	size_t off;
	int rc;

	memset(m, 0, sizeof(*m));
	if (len > NZ_WIRE_MAX)
		return nz_fail(err, NZ_ETOOBIG, "message is %zu bytes, limit %u", len, NZ_WIRE_MAX);
	if (len == 0 || buf == NULL)
		return nz_fail(err, NZ_EPROTO, "message is empty");
	d.p = buf;
	d.end = buf + len;
	if ((rc = rd_array(&d, &n)) != 0)
		return bad(&d, rc, "message", "array");
	if (n < 2)
		return dfail(&d, NZ_EPROTO, "message has %" PRIu32 " elements, needs version and type", n);
	if ((rc = get_u64(&d, "version", &version)) != 0)
		return rc;
	if (version != NZ_PROTO_VERSION)
		return nz_fail(err, NZ_EVERSION,
		               "peer speaks protocol version %" PRIu64 ", this node speaks version %d",
		               version, NZ_PROTO_VERSION);
	if ((rc = get_u64(&d, "type", &type)) != 0)
		return rc;
	if ((want = nfields(type)) == 0)
		return nz_fail(err, NZ_EPROTO, "unknown message type %" PRIu64, type);
	m->type = (int)type;
	if (n - 2 < want) {
		rc = nz_fail(err, NZ_EPROTO, "%s has %" PRIu32 " fields, needs %" PRIu32,
		             wire_type_name(m->type), n - 2, want);
		goto out;
	}
	if (m->type == WIRE_PUSH || m->type == WIRE_PULL_OK) {
		/* The changes' cols point into the message's own copy. */
		off = (size_t)(d.p - buf);
		if ((m->buf_ = malloc(len)) == NULL) {
			rc = nz_fail(err, NZ_ENOMEM, "out of memory for a %zu-byte message", len);
			goto out;
		}
		memcpy(m->buf_, buf, len);
		d.p = m->buf_ + off;
		d.end = m->buf_ + len;
	}
	switch (m->type) {
	case WIRE_HELLO:
		if ((rc = dec_hello(&d, &m->hello)) == 0 && n - 2 > want) {
			/* Optional field 10 (PROTOCOL.md §6.1). */
			rc = dec_codec(&d, &m->hello.codec);
			m->hello.has_codec = true;
			want++;
		}
		if (rc == 0 && n - 2 > want) {
			/* Optional field 11 (PROTOCOL.md §11, Rotation of a parent's key). */
			rc = get_fixbin(&d, "key_ack", m->hello.key_ack, WIRE_SIG_LEN);
			m->hello.has_key_ack = true;
			want++;
		}
		break;
	case WIRE_HELLO_OK:
		if ((rc = dec_hello_ok(&d, &m->hello_ok)) == 0 && n - 2 > want) {
			/* Optional field 11 (PROTOCOL.md §6.1). */
			rc = dec_codec(&d, &m->hello_ok.codec);
			m->hello_ok.has_codec = true;
			want++;
		}
		if (rc == 0 && n - 2 > want) {
			/* Optional field 12: [pubkey, sig] (PROTOCOL.md §11, Rotation of a parent's key). */
			if ((rc = get_tuple(&d, "next_key", 2)) == 0 &&
			    (rc = get_fixbin(&d, "next_key: pubkey", m->hello_ok.next_key, WIRE_KEY_LEN)) == 0)
				rc = get_fixbin(&d, "next_key: sig", m->hello_ok.next_sig, WIRE_SIG_LEN);
			m->hello_ok.has_next_key = true;
			want++;
		}
		break;
	case WIRE_ENROL:
		rc = dec_enrol(&d, &m->enrol);
		break;
	case WIRE_ENROL_OK:
		rc = dec_enrol_ok(&d, &m->enrol_ok);
		break;
	case WIRE_ROTATE:
		rc = dec_rotate(&d, &m->rotate);
		break;
	case WIRE_ROTATE_OK:
		rc = get_fixbin(&d, "sig", m->rotate_ok.sig, WIRE_SIG_LEN);
		break;
	case WIRE_PUSH:
		if ((rc = get_pos(&d, "upto", &m->push.upto)) != 0 ||
		    (rc = get_u64(&d, "upto_token", &m->push.upto_token)) != 0)
			break;
		if ((rc = dec_any_batch(&d, &m->push.changes, &m->push.nchanges)) != 0)
			break;
		rc = get_pending(&d, n - 2 > want, &want, &m->push.pending);
		break;
	case WIRE_PUSH_OK:
		rc = dec_push_ok(&d, &m->push_ok);
		break;
	case WIRE_PULL:
		if ((rc = get_pos(&d, "cursor", &m->pull.cursor)) != 0 ||
		    (rc = get_u64(&d, "token", &m->pull.token)) != 0 ||
		    (rc = get_u64(&d, "max_bytes", &v)) != 0)
			break;
		if (v > UINT32_MAX) {
			rc = dfail(&d, NZ_EPROTO, "max_bytes is %" PRIu64 ", over uint32", v);
			break;
		}
		m->pull.max_bytes = (uint32_t)v;
		/* Optional field 4 (PROTOCOL.md §6): read here, so the loop below skips only what follows. */
		if (n - 2 > want) {
			if ((rc = get_pos(&d, "recover_from", &m->pull.recover_from)) != 0)
				break;
			want++;
		}
		break;
	case WIRE_PULL_OK:
		if ((rc = get_pos(&d, "upto", &m->pull_ok.upto)) != 0 ||
		    (rc = get_u64(&d, "upto_token", &m->pull_ok.upto_token)) != 0 ||
		    (rc = get_bool(&d, "more", &m->pull_ok.more)) != 0 ||
		    (rc = get_pos(&d, "head", &m->pull_ok.head)) != 0 ||
		    (rc = get_u64(&d, "hlc", &m->pull_ok.hlc)) != 0)
			break;
		if ((rc = dec_any_batch(&d, &m->pull_ok.changes, &m->pull_ok.nchanges)) != 0)
			break;
		rc = get_pending(&d, n - 2 > want, &want, &m->pull_ok.pending);
		break;
	case WIRE_ERROR:
		rc = dec_error(&d, &m->error);
		break;
	}
	if (rc != 0)
		goto out;
	for (i = want; i < n - 2; i++) {
		if ((rc = rd_skip(&d, 0)) != 0) {
			rc = bad(&d, rc, "extension field", "a value");
			goto out;
		}
	}
	if (d.p != d.end)
		rc = dfail(&d, NZ_EPROTO, "%zu bytes after the message", rd_left(&d));
out:
	if (rc != 0)
		wire_msg_release(m);
	return rc;
}

void
wire_msg_release(struct wire_msg *m)
{
	switch (m->type) {
	case WIRE_PUSH:
		free(m->push.changes);
		break;
	case WIRE_PULL_OK:
		free(m->pull_ok.changes);
		break;
	case WIRE_PUSH_OK:
		free(m->push_ok.refusals);
		break;
	}
	free(m->buf_);
	free(m->plain_);
	free(m->named_);
	memset(m, 0, sizeof(*m));
}

const char *
wire_type_name(int type)
{
	switch (type) {
	case WIRE_HELLO:
		return "HELLO";
	case WIRE_HELLO_OK:
		return "HELLO_OK";
	case WIRE_ENROL:
		return "ENROL";
	case WIRE_ENROL_OK:
		return "ENROL_OK";
	case WIRE_ROTATE:
		return "ROTATE";
	case WIRE_ROTATE_OK:
		return "ROTATE_OK";
	case WIRE_PUSH:
		return "PUSH";
	case WIRE_PUSH_OK:
		return "PUSH_OK";
	case WIRE_PULL:
		return "PULL";
	case WIRE_PULL_OK:
		return "PULL_OK";
	case WIRE_ERROR:
		return "ERROR";
	}
	return "unknown";
}

/* ---- encoding --------------------------------------------------------- */

/* Sizes msgpack-c's packer gives each value: the smallest format that holds it. */
static size_t
usize(uint64_t u)
{
	if (u < 128)
		return 1;
	if (u < 256)
		return 2;
	if (u < 65536)
		return 3;
	if (u <= UINT32_MAX)
		return 5;
	return 9;
}

static size_t
isize(int64_t i)
{
	if (i >= 0)
		return usize((uint64_t)i);
	if (i >= -32)
		return 1;
	if (i >= -128)
		return 2;
	if (i >= -32768)
		return 3;
	if (i >= INT32_MIN)
		return 5;
	return 9;
}

static size_t
binsize(size_t n)
{
	if (n < 256)
		return 2 + n;
	if (n < 65536)
		return 3 + n;
	return 5 + n;
}

/* A str has a one-byte form below 32 bytes; above it, a bin's headers. */
static size_t
strsize(size_t n)
{
	return n < 32 ? 1 + n : binsize(n);
}

static size_t
arrsize(size_t n)
{
	if (n < 16)
		return 1;
	if (n < 65536)
		return 3;
	return 5;
}

struct wire_batch {
	msgpack_sbuffer strs;        /* the string table's encoded entries */
	msgpack_sbuffer ctxs;        /* the encoded ctxs */
	msgpack_sbuffer chg;         /* the encoded changes */
	uint32_t nstr, nctx, n;
	uint64_t base_hlc, last_hlc;
	int last_ctx;                /* ctx of the latest change, -1 when empty */
	char str[WIRE_STRINGS_MAX][WIRE_STRING_MAX + 1];
	uint8_t slen[WIRE_STRINGS_MAX];
	uint32_t shash[WIRE_STRINGS_MAX];
	int64_t last_seq[WIRE_STRINGS_MAX];  /* by string index of the origin */
	uint16_t ctx[WIRE_CTXS_MAX][4];
	uint16_t sslot[WIRE_SLOTS];  /* string index + 1, 0 for free */
	uint16_t cslot[WIRE_SLOTS];  /* ctx index + 1, 0 for free */
	const struct wire_schema *schema; /* column numbers, or NULL for names */
	bool zstd;                   /* compress when it pays */
	int64_t pending;             /* the optional pending field after it, -1 for none */
	ZSTD_CCtx *cctx;
	msgpack_sbuffer plain;       /* the batch before compression */
	uint8_t *zbuf;               /* and after */
	size_t zcap;
	uint8_t numbered[NZ_COLS_MAX]; /* one change's columns, numbered */
};

struct wire_batch *
wire_batch_new(void)
{
	struct wire_batch *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	msgpack_sbuffer_init(&b->strs);
	msgpack_sbuffer_init(&b->ctxs);
	msgpack_sbuffer_init(&b->chg);
	msgpack_sbuffer_init(&b->plain);
	b->last_ctx = -1;
	b->pending = -1;
	return b;
}

void
wire_batch_codec(struct wire_batch *b, const struct wire_schema *schema, bool zstd)
{
	b->schema = schema;
	b->zstd = zstd;
}

void
wire_batch_pending(struct wire_batch *b, int64_t pending)
{
	b->pending = pending >= 0 && pending <= WIRE_PENDING_MAX ? pending : -1;
}

void
wire_batch_free(struct wire_batch *b)
{
	if (b == NULL)
		return;
	msgpack_sbuffer_destroy(&b->strs);
	msgpack_sbuffer_destroy(&b->ctxs);
	msgpack_sbuffer_destroy(&b->chg);
	msgpack_sbuffer_destroy(&b->plain);
	ZSTD_freeCCtx(b->cctx);
	free(b->zbuf);
	free(b);
}

void
wire_batch_shed(struct wire_batch *b)
{
	msgpack_sbuffer *bufs[3] = {&b->strs, &b->ctxs, &b->chg};
	int i;

	ZSTD_freeCCtx(b->cctx);
	b->cctx = NULL;
	free(b->zbuf);
	b->zbuf = NULL;
	b->zcap = 0;
	msgpack_sbuffer_destroy(&b->plain);
	msgpack_sbuffer_init(&b->plain);
	for (i = 0; i < 3; i++) {
		if (bufs[i]->size == 0) {
			msgpack_sbuffer_destroy(bufs[i]);
			msgpack_sbuffer_init(bufs[i]);
		}
	}
}

void
wire_batch_reset(struct wire_batch *b)
{
	b->strs.size = 0;
	b->ctxs.size = 0;
	b->chg.size = 0;
	b->nstr = b->nctx = b->n = 0;
	b->base_hlc = b->last_hlc = 0;
	b->last_ctx = -1;
	b->pending = -1;
	b->plain.size = 0;
	memset(b->sslot, 0, sizeof(b->sslot));
	memset(b->cslot, 0, sizeof(b->cslot));
}

size_t
wire_batch_count(const struct wire_batch *b)
{
	return b->n;
}

/* msg_size bounds a PUSH or PULL_OK whose batch has these parts (and a schema digest: 9 bytes). */
static size_t
msg_size(const struct wire_batch *b, size_t nstr, size_t strs, size_t nctx, size_t ctxs, size_t n,
         size_t chg, uint64_t base)
{
	return WIRE_HDR_MAX + 1 + (b->schema != NULL ? 9 : 0) + arrsize(nstr) + strs + arrsize(nctx) +
	       ctxs + usize(base) + arrsize(n) + chg;
}

size_t
wire_batch_size(const struct wire_batch *b)
{
	return msg_size(b, b->nstr, b->strs.size, b->nctx, b->ctxs.size, b->n, b->chg.size,
	                b->base_hlc);
}

static int
sb_reserve(msgpack_sbuffer *sb, size_t need)
{
	size_t cap;
	char *p;

	if (sb->alloc - sb->size >= need)
		return 0;
	cap = sb->alloc ? sb->alloc : 8192;
	while (cap - sb->size < need)
		cap *= 2;
	if ((p = realloc(sb->data, cap)) == NULL)
		return NZ_ENOMEM;
	sb->data = p;
	sb->alloc = cap;
	return 0;
}

static int
str_find(const struct wire_batch *b, const char *s, size_t n, uint32_t h, uint32_t *slot)
{
	uint32_t j, k;

	for (j = h & (WIRE_SLOTS - 1); b->sslot[j] != 0; j = (j + 1) & (WIRE_SLOTS - 1)) {
		k = b->sslot[j] - 1u;
		if (b->shash[k] == h && b->slen[k] == n && memcmp(b->str[k], s, n) == 0)
			return (int)k;
	}
	*slot = j;
	return -1;
}

static uint32_t
ctx_hash(const int t[4])
{
	uint32_t h = (uint32_t)t[0] * 0x9e3779b1u;

	h = (h ^ (uint32_t)t[1]) * 0x85ebca77u;
	h = (h ^ (uint32_t)t[2]) * 0xc2b2ae3du;
	h = (h ^ (uint32_t)t[3]) * 0x27d4eb2fu;
	return h ^ h >> 15;
}

static int
ctx_find(const struct wire_batch *b, const int t[4], uint32_t *slot)
{
	uint32_t j, k;

	for (j = ctx_hash(t) & (WIRE_SLOTS - 1); b->cslot[j] != 0; j = (j + 1) & (WIRE_SLOTS - 1)) {
		k = b->cslot[j] - 1u;
		if (b->ctx[k][0] == t[0] && b->ctx[k][1] == t[1] && b->ctx[k][2] == t[2] &&
		    b->ctx[k][3] == t[3])
			return (int)k;
	}
	*slot = j;
	return -1;
}

int
wire_batch_add(struct wire_batch *b, const struct nz_change *c, size_t max_bytes)
{
	const char *s[4] = { c->origin, c->tbl, c->owner, c->author };
	bool fresh[4] = { false, false, false, false };
	size_t sl[4] = { 0, 0, 0, 0 }, add_str = 0, add_ctx = 0, add_chg, ridlen, total, limit;
	uint32_t h[4] = { 0, 0, 0, 0 }, sslot[4] = { 0, 0, 0, 0 }, cslot = 0, nnew = 0, k, j;
	int idx[4], ci = -1;
	int64_t prev, seq_delta, hlc_delta;
	uint64_t base;
	msgpack_packer pk;
	const uint8_t *cols = c->cols;
	size_t cols_len = c->cols_len;
	int rc;

	if ((rc = wire_change_check(c, NULL)) != 0)
		return rc;
	if (b->schema != NULL) {
		const struct wire_schema_table *t = schema_table(b->schema, c->tbl, strlen(c->tbl));
		if (t == NULL || (cols_len = cols_number(t, c->cols, c->cols_len, b->numbered)) == 0)
			return NZ_ENOTFOUND;
		cols = b->numbered;
	}
	/* A run of changes from one origin to one table is the common case. */
	if (b->last_ctx >= 0) {
		const uint16_t *t = b->ctx[b->last_ctx];

		if (strcmp(s[0], b->str[t[0]]) == 0 && strcmp(s[1], b->str[t[1]]) == 0 &&
		    strcmp(s[2], b->str[t[2]]) == 0 && strcmp(s[3], b->str[t[3]]) == 0) {
			ci = b->last_ctx;
			for (k = 0; k < 4; k++)
				idx[k] = t[k];
		}
	}
	if (ci < 0) {
		for (k = 0; k < 4; k++) {
			sl[k] = strlen(s[k]);
			h[k] = fnv(s[k], sl[k]);
			if ((idx[k] = str_find(b, s[k], sl[k], h[k], &sslot[k])) >= 0)
				continue;
			for (j = 0; j < k; j++) {
				if (fresh[j] && sl[j] == sl[k] && memcmp(s[j], s[k], sl[k]) == 0) {
					idx[k] = idx[j];
					break;
				}
			}
			if (idx[k] >= 0)
				continue;
			idx[k] = (int)(b->nstr + nnew++);
			fresh[k] = true;
			add_str += strsize(sl[k]);
		}
		if (nnew > 0 || (ci = ctx_find(b, idx, &cslot)) < 0) {
			ci = (int)b->nctx;
			add_ctx = 1 + usize((uint64_t)idx[0]) + usize((uint64_t)idx[1]) +
			          usize((uint64_t)idx[2]) + usize((uint64_t)idx[3]);
		}
	}
	prev = (uint32_t)idx[0] < b->nstr ? b->last_seq[idx[0]] : 0;
	seq_delta = c->origin_seq - prev;
	base = b->n == 0 ? c->hlc : b->base_hlc;
	hlc_delta = b->n == 0 ? 0 : sext(c->hlc - b->last_hlc, 64);
	ridlen = strlen(c->rid);
	add_chg = 1 + usize((uint64_t)ci) + isize(seq_delta) + isize(hlc_delta) + strsize(ridlen) +
	          binsize(cols_len);

	if (b->n >= WIRE_CHANGES_MAX || b->nstr + nnew > WIRE_STRINGS_MAX ||
	    (uint32_t)ci >= WIRE_CTXS_MAX)
		return NZ_ETOOBIG;
	limit = max_bytes < NZ_WIRE_MAX ? max_bytes : NZ_WIRE_MAX;
	total = msg_size(b, b->nstr + nnew, b->strs.size + add_str, b->nctx + (add_ctx ? 1u : 0u),
	                 b->ctxs.size + add_ctx, b->n + 1, b->chg.size + add_chg, base);
	if (total > limit)
		return NZ_ETOOBIG;
	if (sb_reserve(&b->strs, add_str) != 0 || sb_reserve(&b->ctxs, add_ctx) != 0 ||
	    sb_reserve(&b->chg, add_chg) != 0)
		return NZ_ENOMEM;

	/* Nothing can fail from here on: the buffers hold what is written. */
	msgpack_packer_init(&pk, &b->strs, msgpack_sbuffer_write);
	for (k = 0; k < 4; k++) {
		if (!fresh[k])
			continue;
		j = (uint32_t)idx[k];
		memcpy(b->str[j], s[k], sl[k] + 1);
		b->slen[j] = (uint8_t)sl[k];
		b->shash[j] = h[k];
		b->last_seq[j] = 0;
		/* A slot found free before an earlier fresh string took it: probe again. */
		if (b->sslot[sslot[k]] != 0)
			str_find(b, s[k], sl[k], h[k], &sslot[k]);
		b->sslot[sslot[k]] = (uint16_t)(j + 1);
		msgpack_pack_str(&pk, sl[k]);
		msgpack_pack_str_body(&pk, s[k], sl[k]);
	}
	b->nstr += nnew;
	if (add_ctx) {
		if (nnew > 0)
			ctx_find(b, idx, &cslot);
		for (k = 0; k < 4; k++)
			b->ctx[ci][k] = (uint16_t)idx[k];
		b->cslot[cslot] = (uint16_t)(ci + 1);
		b->nctx++;
		msgpack_packer_init(&pk, &b->ctxs, msgpack_sbuffer_write);
		msgpack_pack_array(&pk, 4);
		for (k = 0; k < 4; k++)
			msgpack_pack_uint32(&pk, (uint32_t)idx[k]);
	}
	msgpack_packer_init(&pk, &b->chg, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint32(&pk, (uint32_t)ci);
	msgpack_pack_int64(&pk, seq_delta);
	msgpack_pack_int64(&pk, hlc_delta);
	msgpack_pack_str(&pk, ridlen);
	msgpack_pack_str_body(&pk, c->rid, ridlen);
	msgpack_pack_bin(&pk, cols_len);
	if (cols_len > 0)
		msgpack_pack_bin_body(&pk, cols, cols_len);
	b->last_seq[idx[0]] = c->origin_seq;
	b->base_hlc = base;
	b->last_hlc = c->hlc;
	b->last_ctx = ci;
	b->n++;
	return 0;
}

/* enc_begin starts a message: [version, type, ... of nf fields. */
static int
enc_begin(msgpack_packer *pk, int type, uint32_t nf)
{
	int bad = 0;

	bad |= msgpack_pack_array(pk, 2 + nf);
	bad |= msgpack_pack_uint8(pk, NZ_PROTO_VERSION);
	bad |= msgpack_pack_uint8(pk, (uint8_t)type);
	return bad;
}

/* enc_end turns the packer's failures into NZ_ENOMEM, cutting out back to size. */
static int
enc_end(msgpack_sbuffer *out, size_t size, int bad)
{
	if (bad == 0)
		return 0;
	out->size = size;
	return NZ_ENOMEM;
}

static int
put_raw(msgpack_sbuffer *out, const msgpack_sbuffer *sb)
{
	if (sb->size == 0)
		return 0;
	return msgpack_sbuffer_write(out, sb->data, sb->size);
}

/* put_plain writes the batch array: §6, with the schema's digest first when numbered. */
static int
put_plain(msgpack_packer *pk, msgpack_sbuffer *out, const struct wire_batch *b)
{
	int bad = 0;

	bad |= msgpack_pack_array(pk, b->schema != NULL ? 5 : 4);
	if (b->schema != NULL)
		bad |= msgpack_pack_uint64(pk, b->schema->digest);
	bad |= msgpack_pack_array(pk, b->nstr);
	bad |= put_raw(out, &b->strs);
	bad |= msgpack_pack_array(pk, b->nctx);
	bad |= put_raw(out, &b->ctxs);
	bad |= msgpack_pack_uint64(pk, b->base_hlc);
	bad |= msgpack_pack_array(pk, b->n);
	bad |= put_raw(out, &b->chg);
	return bad;
}

/*
 * put_batch writes the batch, as one zstd frame in a bin when b may
 * compress, the batch is WIRE_ZSTD_MIN bytes or more and the frame is
 * smaller (§6.2).  Small batches, which thin links send (a few KiB a
 * batch, up to eight times that before compression), get a high level;
 * large ones, sent where the link is fast and the sender's time is what
 * counts, level 1: on Persian records twice as fast as level 3 for frames
 * 1% larger (README, P1_vs_pouchdb).
 */
static int
put_batch(msgpack_packer *pk, msgpack_sbuffer *out, const struct wire_batch *b)
{
	struct wire_batch *w = (struct wire_batch *)b; /* its scratch buffers only */
	msgpack_packer pp;
	size_t bound, z;

	if (!b->zstd || wire_batch_size(b) < WIRE_ZSTD_MIN)
		return put_plain(pk, out, b);
	w->plain.size = 0;
	msgpack_packer_init(&pp, &w->plain, msgpack_sbuffer_write);
	if (put_plain(&pp, &w->plain, b) != 0)
		return -1;
	bound = ZSTD_compressBound(w->plain.size);
	if (w->cctx == NULL && (w->cctx = ZSTD_createCCtx()) == NULL)
		return -1;
	if (w->zcap < bound) {
		uint8_t *p = realloc(w->zbuf, bound);
		if (p == NULL)
			return -1;
		w->zbuf = p;
		w->zcap = bound;
	}
	z = ZSTD_compressCCtx(w->cctx, w->zbuf, w->zcap, w->plain.data, w->plain.size,
	                      w->plain.size <= 16384 ? 19 : w->plain.size <= 65536 ? 3 : 1);
	if (ZSTD_isError(z) || binsize(z) >= w->plain.size)
		return msgpack_sbuffer_write(out, w->plain.data, w->plain.size);
	return msgpack_pack_bin(pk, z) | msgpack_pack_bin_body(pk, w->zbuf, z);
}

static int
put_str(msgpack_packer *pk, const char *s, size_t n)
{
	int bad = 0;

	bad |= msgpack_pack_str(pk, n);
	if (n > 0)
		bad |= msgpack_pack_str_body(pk, s, n);
	return bad;
}

int
wire_enc_push(msgpack_sbuffer *out, int64_t upto, uint64_t upto_token, const struct wire_batch *b)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (upto < 0)
		return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_PUSH, b->pending >= 0 ? 4 : 3);
	bad |= msgpack_pack_int64(&pk, upto);
	bad |= msgpack_pack_uint64(&pk, upto_token);
	bad |= put_batch(&pk, out, b);
	if (b->pending >= 0)
		bad |= msgpack_pack_int64(&pk, b->pending);
	return enc_end(out, size, bad);
}

int
wire_enc_pull_ok(msgpack_sbuffer *out, int64_t upto, uint64_t upto_token, bool more,
                 int64_t head, uint64_t hlc, const struct wire_batch *b)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (upto < 0 || head < 0)
		return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_PULL_OK, b->pending >= 0 ? 7 : 6);
	bad |= msgpack_pack_int64(&pk, upto);
	bad |= msgpack_pack_uint64(&pk, upto_token);
	bad |= more ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
	bad |= msgpack_pack_int64(&pk, head);
	bad |= msgpack_pack_uint64(&pk, hlc);
	bad |= put_batch(&pk, out, b);
	if (b->pending >= 0)
		bad |= msgpack_pack_int64(&pk, b->pending);
	return enc_end(out, size, bad);
}

int
wire_enc_hello(msgpack_sbuffer *out, const struct wire_hello *h)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (!cstr_id_ok(h->node_id) || !cstr_id_ok(h->parent_id) || h->pull_cursor < 0 ||
	    h->seen_parent_seq < 0)
		return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	if (h->has_key_ack && !h->has_codec)
		return NZ_EINVAL;
	bad |= enc_begin(&pk, WIRE_HELLO, 8 + h->has_codec + h->has_key_ack);
	bad |= put_str(&pk, h->node_id, strlen(h->node_id));
	bad |= put_str(&pk, h->parent_id, strlen(h->parent_id));
	bad |= msgpack_pack_bin_with_body(&pk, h->dbid, WIRE_DBID_LEN);
	bad |= msgpack_pack_uint64(&pk, h->auth_counter);
	bad |= msgpack_pack_int64(&pk, h->pull_cursor);
	bad |= msgpack_pack_uint64(&pk, h->pull_token);
	bad |= msgpack_pack_int64(&pk, h->seen_parent_seq);
	bad |= msgpack_pack_bin_with_body(&pk, h->sig, WIRE_SIG_LEN);
	if (h->has_codec)
		bad |= put_codec(&pk, &h->codec);
	if (h->has_key_ack)
		bad |= msgpack_pack_bin_with_body(&pk, h->key_ack, WIRE_SIG_LEN);
	return enc_end(out, size, bad);
}

int
wire_enc_hello_ok(msgpack_sbuffer *out, const struct wire_hello_ok *h)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (!cstr_id_ok(h->node_id) || h->ack_cursor < 0 || h->seen_child_seq < 0 || h->head < 0)
		return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	if (h->has_next_key && !h->has_codec)
		return NZ_EINVAL;
	bad |= enc_begin(&pk, WIRE_HELLO_OK, 9 + h->has_codec + h->has_next_key);
	bad |= put_str(&pk, h->node_id, strlen(h->node_id));
	bad |= msgpack_pack_bin_with_body(&pk, h->dbid, WIRE_DBID_LEN);
	bad |= msgpack_pack_int64(&pk, h->ack_cursor);
	bad |= msgpack_pack_uint64(&pk, h->ack_token);
	bad |= msgpack_pack_int64(&pk, h->seen_child_seq);
	bad |= msgpack_pack_int64(&pk, h->head);
	bad |= h->pull_reset ? msgpack_pack_true(&pk) : msgpack_pack_false(&pk);
	bad |= msgpack_pack_uint64(&pk, h->hlc);
	bad |= msgpack_pack_bin_with_body(&pk, h->sig, WIRE_SIG_LEN);
	if (h->has_codec)
		bad |= put_codec(&pk, &h->codec);
	if (h->has_next_key) {
		bad |= msgpack_pack_array(&pk, 2);
		bad |= msgpack_pack_bin_with_body(&pk, h->next_key, WIRE_KEY_LEN);
		bad |= msgpack_pack_bin_with_body(&pk, h->next_sig, WIRE_SIG_LEN);
	}
	return enc_end(out, size, bad);
}

/* text_len returns how many bytes of s go on the wire: valid UTF-8, under WIRE_TEXT_MAX. */
static size_t
text_len(const char *s)
{
	return utf8_prefix((const uint8_t *)s, strnlen(s, WIRE_TEXT_MAX - 1));
}

int
wire_enc_push_ok(msgpack_sbuffer *out, const struct wire_push_ok *p)
{
	size_t size = out->size, i;
	const struct wire_refusal *r;
	msgpack_packer pk;
	int bad = 0;

	if (p->ack_cursor < 0 || p->nrefusals > WIRE_REFUSALS_MAX ||
	    (p->nrefusals > 0 && p->refusals == NULL))
		return NZ_EINVAL;
	for (i = 0; i < p->nrefusals; i++)
		if (!cstr_id_ok(p->refusals[i].origin) || p->refusals[i].origin_seq < 1)
			return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_PUSH_OK, 4);
	bad |= msgpack_pack_int64(&pk, p->ack_cursor);
	bad |= msgpack_pack_uint64(&pk, p->ack_token);
	bad |= msgpack_pack_uint64(&pk, p->hlc);
	bad |= msgpack_pack_array(&pk, p->nrefusals);
	for (i = 0; i < p->nrefusals && bad == 0; i++) {
		r = &p->refusals[i];
		bad |= msgpack_pack_array(&pk, 3);
		bad |= put_str(&pk, r->origin, strlen(r->origin));
		bad |= msgpack_pack_int64(&pk, r->origin_seq);
		bad |= put_str(&pk, r->reason, text_len(r->reason));
	}
	return enc_end(out, size, bad);
}

int
wire_enc_pull(msgpack_sbuffer *out, const struct wire_pull *p)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (p->cursor < 0)
		return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	if (p->recover_from < 0)
		return NZ_EINVAL;
	/* The optional fourth field only when it says something: older peers skip it anyway. */
	bad |= enc_begin(&pk, WIRE_PULL, p->recover_from > 0 ? 4 : 3);
	bad |= msgpack_pack_int64(&pk, p->cursor);
	bad |= msgpack_pack_uint64(&pk, p->token);
	bad |= msgpack_pack_uint32(&pk, p->max_bytes);
	if (p->recover_from > 0)
		bad |= msgpack_pack_int64(&pk, p->recover_from);
	return enc_end(out, size, bad);
}

int
wire_enc_error(msgpack_sbuffer *out, int code, const char *message)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (code >= 0)
		return NZ_EINVAL;
	if (message == NULL)
		message = "";
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_ERROR, 2);
	bad |= msgpack_pack_int32(&pk, code);
	bad |= put_str(&pk, message, text_len(message));
	return enc_end(out, size, bad);
}

/* ---- signed bytes ----------------------------------------------------- */

static uint8_t *
put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
	return p + 8;
}

/* put_cstr copies s and its terminating 0x00. */
static uint8_t *
put_cstr(uint8_t *p, const char *s)
{
	size_t n = strlen(s) + 1;

	memcpy(p, s, n);
	return p + n;
}

int
wire_hello_signed(const struct wire_hello *h, uint8_t out[WIRE_SIGNED_MAX], size_t *len)
{
	uint8_t *p = out;

	if (!cstr_id_ok(h->node_id) || !cstr_id_ok(h->parent_id))
		return NZ_EINVAL;
	p = put_cstr(p, "nehzat-hello-1");
	p = put_cstr(p, h->node_id);
	p = put_cstr(p, h->parent_id);
	memcpy(p, h->dbid, WIRE_DBID_LEN);
	p += WIRE_DBID_LEN;
	p = put_be64(p, h->auth_counter);
	p = put_be64(p, (uint64_t)h->pull_cursor);
	p = put_be64(p, h->pull_token);
	p = put_be64(p, (uint64_t)h->seen_parent_seq);
	*len = (size_t)(p - out);
	return 0;
}

int
wire_hello_ok_signed(const struct wire_hello_ok *h, const char *child_id, uint64_t child_counter,
                     uint8_t out[WIRE_SIGNED_MAX], size_t *len)
{
	uint8_t *p = out;

	if (!cstr_id_ok(h->node_id) || child_id == NULL || !cstr_id_ok(child_id))
		return NZ_EINVAL;
	p = put_cstr(p, "nehzat-hello-ok-1");
	p = put_cstr(p, h->node_id);
	p = put_cstr(p, child_id);
	p = put_be64(p, child_counter);
	memcpy(p, h->dbid, WIRE_DBID_LEN);
	p += WIRE_DBID_LEN;
	p = put_be64(p, (uint64_t)h->ack_cursor);
	p = put_be64(p, h->ack_token);
	p = put_be64(p, (uint64_t)h->seen_child_seq);
	p = put_be64(p, (uint64_t)h->head);
	*p++ = h->pull_reset ? 1 : 0;
	p = put_be64(p, h->hlc);
	*len = (size_t)(p - out);
	return 0;
}

/* Ed25519 over the signed bytes of a handshake message, into sig. */
static int
sign_msg(uint8_t sig[WIRE_SIG_LEN], const uint8_t *msg, size_t len, const uint8_t sk[64])
{
	if (sodium_init() < 0)
		return NZ_EAUTH;
	crypto_sign_detached(sig, NULL, msg, len, sk);
	return 0;
}

/* 0 when sig is pk's signature of the signed bytes, NZ_EAUTH otherwise. */
static int
verify_msg(const uint8_t sig[WIRE_SIG_LEN], const uint8_t *msg, size_t len, const uint8_t pk[32])
{
	if (sodium_init() < 0 || crypto_sign_verify_detached(sig, msg, len, pk) != 0)
		return NZ_EAUTH;
	return 0;
}

int
wire_hello_sign(struct wire_hello *h, const uint8_t sk[64])
{
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len;
	int rc;

	if ((rc = wire_hello_signed(h, msg, &len)) != 0)
		return rc;
	return sign_msg(h->sig, msg, len, sk);
}

int
wire_hello_verify(const struct wire_hello *h, const uint8_t pk[32])
{
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len;

	if (wire_hello_signed(h, msg, &len) != 0)
		return NZ_EAUTH;
	return verify_msg(h->sig, msg, len, pk);
}

int
wire_hello_ok_sign(struct wire_hello_ok *h, const char *child_id, uint64_t child_counter,
                   const uint8_t sk[64])
{
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len;
	int rc;

	if ((rc = wire_hello_ok_signed(h, child_id, child_counter, msg, &len)) != 0)
		return rc;
	return sign_msg(h->sig, msg, len, sk);
}

int
wire_hello_ok_verify(const struct wire_hello_ok *h, const char *child_id, uint64_t child_counter,
                     const uint8_t pk[32])
{
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len;

	if (wire_hello_ok_signed(h, child_id, child_counter, msg, &len) != 0)
		return NZ_EAUTH;
	return verify_msg(h->sig, msg, len, pk);
}

/* ---- the key messages: enrolment and rotation ---- */

int
wire_enc_enrol(msgpack_sbuffer *out, const struct wire_enrol *e)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (!cstr_id_ok(e->node_id) || !cstr_id_ok(e->parent_id))
		return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_ENROL, 5);
	bad |= put_str(&pk, e->node_id, strlen(e->node_id));
	bad |= put_str(&pk, e->parent_id, strlen(e->parent_id));
	bad |= msgpack_pack_bin_with_body(&pk, e->pubkey, WIRE_KEY_LEN);
	bad |= msgpack_pack_bin_with_body(&pk, e->proof, WIRE_PROOF_LEN);
	bad |= msgpack_pack_bin_with_body(&pk, e->sig, WIRE_SIG_LEN);
	return enc_end(out, size, bad);
}

int
wire_enc_enrol_ok(msgpack_sbuffer *out, const struct wire_enrol_ok *e)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	if (!cstr_id_ok(e->node_id))
		return NZ_EINVAL;
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_ENROL_OK, 3);
	bad |= put_str(&pk, e->node_id, strlen(e->node_id));
	bad |= msgpack_pack_bin_with_body(&pk, e->pubkey, WIRE_KEY_LEN);
	bad |= msgpack_pack_bin_with_body(&pk, e->sig, WIRE_SIG_LEN);
	return enc_end(out, size, bad);
}

int
wire_enc_rotate(msgpack_sbuffer *out, const struct wire_rotate *r)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_ROTATE, 3);
	bad |= msgpack_pack_bin_with_body(&pk, r->pubkey, WIRE_KEY_LEN);
	bad |= msgpack_pack_bin_with_body(&pk, r->sig_old, WIRE_SIG_LEN);
	bad |= msgpack_pack_bin_with_body(&pk, r->sig_new, WIRE_SIG_LEN);
	return enc_end(out, size, bad);
}

int
wire_enc_rotate_ok(msgpack_sbuffer *out, const struct wire_rotate_ok *r)
{
	size_t size = out->size;
	msgpack_packer pk;
	int bad = 0;

	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	bad |= enc_begin(&pk, WIRE_ROTATE_OK, 1);
	bad |= msgpack_pack_bin_with_body(&pk, r->sig, WIRE_SIG_LEN);
	return enc_end(out, size, bad);
}

int
wire_enrol_signed(const struct wire_enrol *e, uint8_t out[WIRE_SIGNED_MAX], size_t *len)
{
	uint8_t *p = out;

	if (!cstr_id_ok(e->node_id) || !cstr_id_ok(e->parent_id))
		return NZ_EINVAL;
	p = put_cstr(p, "nehzat-enrol-1");
	p = put_cstr(p, e->node_id);
	p = put_cstr(p, e->parent_id);
	memcpy(p, e->pubkey, WIRE_KEY_LEN);
	p += WIRE_KEY_LEN;
	*len = (size_t)(p - out);
	return 0;
}

int
wire_enrol_ok_signed(const struct wire_enrol_ok *e, const char *child_id, const uint8_t child_pk[WIRE_KEY_LEN],
                     uint8_t out[WIRE_SIGNED_MAX], size_t *len)
{
	uint8_t *p = out;

	if (!cstr_id_ok(e->node_id) || child_id == NULL || !cstr_id_ok(child_id))
		return NZ_EINVAL;
	p = put_cstr(p, "nehzat-enrol-ok-1");
	p = put_cstr(p, e->node_id);
	p = put_cstr(p, child_id);
	memcpy(p, e->pubkey, WIRE_KEY_LEN);
	p += WIRE_KEY_LEN;
	memcpy(p, child_pk, WIRE_KEY_LEN);
	p += WIRE_KEY_LEN;
	*len = (size_t)(p - out);
	return 0;
}

/* The signed bytes of a key announcement: tag, signer's id, addressee's id,
 * the signer's counter and the key announced. */
static int
key_msg(const char *tag, const char *from, const char *to, uint64_t counter, const uint8_t pk[WIRE_KEY_LEN],
        uint8_t out[WIRE_SIGNED_MAX], size_t *len)
{
	uint8_t *p = out;

	if (from == NULL || !cstr_id_ok(from) || to == NULL || !cstr_id_ok(to))
		return NZ_EINVAL;
	p = put_cstr(p, tag);
	p = put_cstr(p, from);
	p = put_cstr(p, to);
	p = put_be64(p, counter);
	memcpy(p, pk, WIRE_KEY_LEN);
	p += WIRE_KEY_LEN;
	*len = (size_t)(p - out);
	return 0;
}

int
wire_rotate_signed(bool ok, const char *child_id, const char *parent_id, uint64_t counter,
                   const uint8_t next_pk[WIRE_KEY_LEN], uint8_t out[WIRE_SIGNED_MAX], size_t *len)
{
	return key_msg(ok ? "nehzat-rotate-ok-1" : "nehzat-rotate-1", ok ? parent_id : child_id,
	               ok ? child_id : parent_id, counter, next_pk, out, len);
}

int
wire_next_key_signed(bool ack, const char *child_id, const char *parent_id, uint64_t counter,
                     const uint8_t next_pk[WIRE_KEY_LEN], uint8_t out[WIRE_SIGNED_MAX], size_t *len)
{
	return key_msg(ack ? "nehzat-parent-key-ack-1" : "nehzat-parent-key-next-1", ack ? child_id : parent_id,
	               ack ? parent_id : child_id, counter, next_pk, out, len);
}
