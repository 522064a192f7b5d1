/*
 * Tests of proto/wire: every message round-trips, batches are compact and
 * bounded, and no input, however broken, crashes the decoder or gets past
 * its checks.  Run under ASan/UBSan (SANITIZE=address,undefined).
 */
#include "proto/wire.h"

#include <sodium.h>
#include <time.h>
#include <zstd.h>

#include "test.h"

static uint64_t rng_state = 0x6e65687a6174ULL;

/* rnd is splitmix64: a seeded, repeatable sequence. */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t
rndn(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
contains(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

#define CHECK_HAS(msg, sub)                                                          \
	do {                                                                         \
		CHECK(contains((msg), (sub)));                                       \
		if (!contains((msg), (sub)))                                         \
			printf("#   \"%s\" lacks \"%s\"\n", (msg), (sub));               \
	} while (0)

/* A pool of column maps, packed once; changes borrow them. */
#define NCOLS 64
static msgpack_sbuffer cols_pool[NCOLS];

static void
pack_s(msgpack_packer *pk, const char *s)
{
	msgpack_pack_str_with_body(pk, s, strlen(s));
}

static void
make_cols_pool(void)
{
	static const char *const names[] = { "status", "title", "score", "deleted", "weight",
	                                     "note", "decided_at", "council_ref" };
	msgpack_packer pk;
	char text[200];
	uint32_t i, k, n, len;

	for (i = 0; i < NCOLS; i++) {
		msgpack_sbuffer_init(&cols_pool[i]);
		msgpack_packer_init(&pk, &cols_pool[i], msgpack_sbuffer_write);
		n = 1 + i % 8;
		msgpack_pack_map(&pk, n);
		for (k = 0; k < n; k++) {
			pack_s(&pk, names[k]);
			switch ((i + k) % 7) {
			case 0:
				msgpack_pack_nil(&pk);
				break;
			case 1:
				msgpack_pack_int64(&pk, (int64_t)rnd());
				break;
			case 2:
				msgpack_pack_double(&pk, (double)rndn(100000) / 7.0);
				break;
			case 3:
				len = rndn(sizeof(text));
				memset(text, 'a' + (int)(i % 26), len);
				msgpack_pack_str_with_body(&pk, text, len);
				break;
			case 4:
				msgpack_pack_true(&pk);
				break;
			case 5:
				msgpack_pack_int64(&pk, -(int64_t)rndn(1000));
				break;
			default:
				pack_s(&pk, "مسئله آب شرب روستا");
				break;
			}
		}
	}
}

static void
set_change(struct nz_change *c, const char *origin, int64_t seq, uint64_t hlc, const char *tbl,
           const char *rid, const char *owner, const char *author, const msgpack_sbuffer *cols)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->origin, sizeof(c->origin), "%s", origin);
	c->origin_seq = seq;
	c->hlc = hlc;
	snprintf(c->tbl, sizeof(c->tbl), "%s", tbl);
	snprintf(c->rid, sizeof(c->rid), "%s", rid);
	snprintf(c->owner, sizeof(c->owner), "%s", owner);
	snprintf(c->author, sizeof(c->author), "%s", author);
	c->cols = (const uint8_t *)cols->data;
	c->cols_len = cols->size;
}

static bool
same_change(const struct nz_change *a, const struct nz_change *b)
{
	return strcmp(a->origin, b->origin) == 0 && a->origin_seq == b->origin_seq &&
	       a->hlc == b->hlc && strcmp(a->tbl, b->tbl) == 0 && strcmp(a->rid, b->rid) == 0 &&
	       strcmp(a->owner, b->owner) == 0 && strcmp(a->author, b->author) == 0 &&
	       a->cols_len == b->cols_len && memcmp(a->cols, b->cols, a->cols_len) == 0;
}

static int
decode_sb(const msgpack_sbuffer *sb, struct wire_msg *m, struct nz_err *err)
{
	nz_err_clear(err);
	return wire_decode((const uint8_t *)sb->data, sb->size, m, err);
}

/* mixed_changes fills v with n changes of several origins, tables and owners. */
static void
mixed_changes(struct nz_change *v, size_t n)
{
	static const char *const origins[] = { "IR", "IR-07", "IR-07-03", "IR-31-12", "IR-01-01" };
	static const char *const tbls[] = { "issue", "report", "helper_group", "decree", "org_unit",
	                                    "session_" };
	static const char *const authors[] = { "admin", "", "مریم.احمدی", "hassan_k", "x" };
	int64_t seq[5] = { 0, 0, 0, 0, 0 };
	char rid[NZ_RID_MAX];
	uint64_t hlc = 1;
	size_t i, o, len, k, tbl, owner, author, cols;

	for (i = 0; i < n; i++) {
		o = rndn(5);
		seq[o] += 1 + (rndn(4) == 0 ? rndn(100000) : 0);
		switch (rndn(10)) {
		case 0:
			hlc = rnd();              /* anywhere, backwards included */
			break;
		case 1:
			hlc = rndn(2) ? 0 : UINT64_MAX;
			break;
		default:
			hlc += rndn(5000);
		}
		len = 1 + rndn(NZ_RID_MAX - 1);
		for (k = 0; k < len; k++)
			rid[k] = (char)('0' + rndn(75));
		rid[len] = '\0';
		/* one rnd() call a statement: the same sequence with any compiler */
		tbl = rndn(6);
		owner = rndn(2);
		author = rndn(5);
		cols = rndn(NCOLS);
		set_change(&v[i], origins[o], seq[o], hlc, tbls[tbl], rid,
		           owner ? origins[o] : "IR-07-05", authors[author], &cols_pool[cols]);
	}
}

/* fill_batch adds v[0..n) to b, which must take them all. */
static int
fill_batch(struct wire_batch *b, const struct nz_change *v, size_t n)
{
	size_t i;
	int rc;

	wire_batch_reset(b);
	for (i = 0; i < n; i++)
		if ((rc = wire_batch_add(b, &v[i], NZ_WIRE_MAX)) != 0)
			return rc;
	return 0;
}

static void
t_hello(void)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	uint8_t pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
	struct wire_hello h, bad;
	struct wire_msg m;
	struct nz_err err;
	msgpack_sbuffer sb;
	int i;

	crypto_sign_keypair(pk, sk);
	crypto_sign_keypair(pk2, sk2);
	memset(&h, 0, sizeof(h));
	strcpy(h.node_id, "IR-07-03");
	strcpy(h.parent_id, "IR-07");
	for (i = 0; i < WIRE_DBID_LEN; i++)
		h.dbid[i] = (uint8_t)(0xa0 + i);
	h.auth_counter = 0x0001900000000001ULL;
	h.pull_cursor = 123456789;
	h.pull_token = UINT64_MAX;
	h.seen_parent_seq = 0;
	CHECK_INT(wire_hello_sign(&h, sk), 0);

	msgpack_sbuffer_init(&sb);
	CHECK_INT(wire_enc_hello(&sb, &h), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.type, WIRE_HELLO);
	CHECK_STR(m.hello.node_id, "IR-07-03");
	CHECK_STR(m.hello.parent_id, "IR-07");
	CHECK(memcmp(m.hello.dbid, h.dbid, WIRE_DBID_LEN) == 0);
	CHECK(m.hello.auth_counter == h.auth_counter);
	CHECK_INT(m.hello.pull_cursor, 123456789);
	CHECK(m.hello.pull_token == UINT64_MAX);
	CHECK_INT(m.hello.seen_parent_seq, 0);
	CHECK(memcmp(m.hello.sig, h.sig, WIRE_SIG_LEN) == 0);
	CHECK_INT(wire_hello_verify(&m.hello, pk), 0);
	CHECK_INT(wire_hello_verify(&m.hello, pk2), NZ_EAUTH);

	bad = m.hello;
	bad.sig[17] ^= 0x01;
	CHECK_INT(wire_hello_verify(&bad, pk), NZ_EAUTH);
	bad = m.hello;
	bad.auth_counter++;
	CHECK_INT(wire_hello_verify(&bad, pk), NZ_EAUTH);
	bad = m.hello;
	bad.dbid[0] ^= 0x80;
	CHECK_INT(wire_hello_verify(&bad, pk), NZ_EAUTH);
	bad = m.hello;
	strcpy(bad.node_id, "IR-07-04");
	CHECK_INT(wire_hello_verify(&bad, pk), NZ_EAUTH);
	wire_msg_release(&m);

	/* a flipped byte inside the encoded signature */
	sb.data[sb.size - 5] ^= 0x40;
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(wire_hello_verify(&m.hello, pk), NZ_EAUTH);
	wire_msg_release(&m);

	bad = h;
	strcpy(bad.node_id, "IR-7");
	CHECK_INT(wire_hello_sign(&bad, sk), NZ_EINVAL);
	sb.size = 0;
	CHECK_INT(wire_enc_hello(&sb, &bad), NZ_EINVAL);
	CHECK_INT(sb.size, 0);
	msgpack_sbuffer_destroy(&sb);
}

static void
t_hello_ok(void)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	struct wire_hello_ok h, bad;
	struct wire_msg m;
	struct nz_err err;
	msgpack_sbuffer sb;

	crypto_sign_keypair(pk, sk);
	memset(&h, 0, sizeof(h));
	strcpy(h.node_id, "IR-07");
	memset(h.dbid, 0x5a, sizeof(h.dbid));
	h.ack_cursor = 42;
	h.ack_token = 0x0001900000000123ULL;
	h.seen_child_seq = 7;
	h.head = 9999999999LL;
	h.pull_reset = true;
	h.hlc = 0x0001900000000fffULL;
	CHECK_INT(wire_hello_ok_sign(&h, "IR-07-03", 555, sk), 0);
	CHECK_INT(wire_hello_ok_sign(&h, "IR-7-03", 555, sk), NZ_EINVAL);
	CHECK_INT(wire_hello_ok_sign(&h, "IR-07-03", 555, sk), 0);

	msgpack_sbuffer_init(&sb);
	CHECK_INT(wire_enc_hello_ok(&sb, &h), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.type, WIRE_HELLO_OK);
	CHECK_STR(m.hello_ok.node_id, "IR-07");
	CHECK(memcmp(m.hello_ok.dbid, h.dbid, WIRE_DBID_LEN) == 0);
	CHECK_INT(m.hello_ok.ack_cursor, 42);
	CHECK(m.hello_ok.ack_token == h.ack_token);
	CHECK_INT(m.hello_ok.seen_child_seq, 7);
	CHECK_INT(m.hello_ok.head, 9999999999LL);
	CHECK(m.hello_ok.pull_reset);
	CHECK(m.hello_ok.hlc == h.hlc);
	CHECK_INT(wire_hello_ok_verify(&m.hello_ok, "IR-07-03", 555, pk), 0);
	CHECK_INT(wire_hello_ok_verify(&m.hello_ok, "IR-07-03", 556, pk), NZ_EAUTH);
	CHECK_INT(wire_hello_ok_verify(&m.hello_ok, "IR-07-04", 555, pk), NZ_EAUTH);
	bad = m.hello_ok;
	bad.pull_reset = false;
	CHECK_INT(wire_hello_ok_verify(&bad, "IR-07-03", 555, pk), NZ_EAUTH);
	bad = m.hello_ok;
	bad.sig[0] ^= 0x01;
	CHECK_INT(wire_hello_ok_verify(&bad, "IR-07-03", 555, pk), NZ_EAUTH);
	wire_msg_release(&m);
	msgpack_sbuffer_destroy(&sb);
}

/* The signed bytes of PROTOCOL.md's example, byte for byte. */
static void
t_signed_bytes(void)
{
	static const uint8_t want_hello[] = {
		'n', 'e', 'h', 'z', 'a', 't', '-', 'h', 'e', 'l', 'l', 'o', '-', '1', 0,
		'I', 'R', '-', '0', '7', '-', '0', '3', 0, 'I', 'R', '-', '0', '7', 0,
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		0, 0, 0, 0, 0, 0, 0x01, 0x00,                   /* auth_counter 256 */
		0, 0, 0, 0, 0, 0, 0, 5,                         /* pull_cursor */
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* pull_token */
		0, 0, 0, 0, 0, 0, 0, 7,                         /* seen_parent_seq */
	};
	static const uint8_t want_ok[] = {
		'n', 'e', 'h', 'z', 'a', 't', '-', 'h', 'e', 'l', 'l', 'o', '-', 'o', 'k', '-', '1', 0,
		'I', 'R', '-', '0', '7', 0, 'I', 'R', '-', '0', '7', '-', '0', '3', 0,
		0, 0, 0, 0, 0, 0, 0x01, 0x00,                   /* child's auth_counter */
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		0, 0, 0, 0, 0, 0, 0, 3,                         /* ack_cursor */
		0, 0, 0, 0, 0, 0, 0, 4,                         /* ack_token */
		0, 0, 0, 0, 0, 0, 0, 5,                         /* seen_child_seq */
		0, 0, 0, 0, 0, 0, 0, 6,                         /* head */
		1,                                              /* pull_reset */
		0, 0, 0, 0, 0, 0, 0, 8,                         /* hlc */
	};
	struct wire_hello h;
	struct wire_hello_ok k;
	uint8_t out[WIRE_SIGNED_MAX];
	size_t len = 0;
	int i;

	memset(&h, 0, sizeof(h));
	strcpy(h.node_id, "IR-07-03");
	strcpy(h.parent_id, "IR-07");
	for (i = 0; i < 16; i++)
		h.dbid[i] = (uint8_t)i;
	h.auth_counter = 256;
	h.pull_cursor = 5;
	h.pull_token = UINT64_MAX;
	h.seen_parent_seq = 7;
	CHECK_INT(wire_hello_signed(&h, out, &len), 0);
	CHECK_INT(len, sizeof(want_hello));
	CHECK(len == sizeof(want_hello) && memcmp(out, want_hello, len) == 0);

	memset(&k, 0, sizeof(k));
	strcpy(k.node_id, "IR-07");
	memcpy(k.dbid, h.dbid, 16);
	k.ack_cursor = 3;
	k.ack_token = 4;
	k.seen_child_seq = 5;
	k.head = 6;
	k.pull_reset = true;
	k.hlc = 8;
	CHECK_INT(wire_hello_ok_signed(&k, "IR-07-03", 256, out, &len), 0);
	CHECK_INT(len, sizeof(want_ok));
	CHECK(len == sizeof(want_ok) && memcmp(out, want_ok, len) == 0);
}

/* PROTOCOL.md's example PUSH, byte for byte. */
static void
t_example(void)
{
	static const uint8_t want[] = {
		0x95, 0x01, 0x10, 0x07, 0xcd, 0x03, 0xf2, 0x94,
		0x93, 0xa8, 'I', 'R', '-', '0', '7', '-', '0', '3', 0xa5, 'i', 's', 's', 'u', 'e',
		0xa5, 'a', 'd', 'm', 'i', 'n',
		0x91, 0x94, 0x00, 0x01, 0x00, 0x02,
		0xcd, 0x03, 0xe8,
		0x92,
		0x95, 0x00, 0x29, 0x00, 0xa2, 'i', '1',
		0xc4, 0x0d, 0x81, 0xa6, 's', 't', 'a', 't', 'u', 's', 0xa4, 'o', 'p', 'e', 'n',
		0x95, 0x00, 0x01, 0x0a, 0xa2, 'i', '2',
		0xc4, 0x16, 0x82, 0xa6, 's', 't', 'a', 't', 'u', 's', 0xa6, 'c', 'l', 'o', 's', 'e',
		'd', 0xa5, 's', 'c', 'o', 'r', 'e', 0x03,
	};
	msgpack_sbuffer sb, c1, c2;
	msgpack_packer pk;
	struct wire_batch *b = wire_batch_new();
	struct nz_change c;

	msgpack_sbuffer_init(&sb);
	msgpack_sbuffer_init(&c1);
	msgpack_sbuffer_init(&c2);
	msgpack_packer_init(&pk, &c1, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 1);
	pack_s(&pk, "status");
	pack_s(&pk, "open");
	msgpack_packer_init(&pk, &c2, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	pack_s(&pk, "status");
	pack_s(&pk, "closed");
	pack_s(&pk, "score");
	msgpack_pack_int(&pk, 3);
	set_change(&c, "IR-07-03", 41, 1000, "issue", "i1", "IR-07-03", "admin", &c1);
	CHECK_INT(wire_batch_add(b, &c, NZ_WIRE_MAX), 0);
	set_change(&c, "IR-07-03", 42, 1010, "issue", "i2", "IR-07-03", "admin", &c2);
	CHECK_INT(wire_batch_add(b, &c, NZ_WIRE_MAX), 0);
	CHECK_INT(wire_enc_push(&sb, 7, 1010, b), 0);
	CHECK_INT(sb.size, sizeof(want));
	CHECK(sb.size == sizeof(want) && memcmp(sb.data, want, sb.size) == 0);
	msgpack_sbuffer_destroy(&c2);
	msgpack_sbuffer_destroy(&c1);
	msgpack_sbuffer_destroy(&sb);
	wire_batch_free(b);
}

static void
t_push_ok(void)
{
	struct wire_refusal r[3];
	struct wire_push_ok p;
	struct wire_msg m;
	struct nz_err err;
	msgpack_sbuffer sb;

	memset(r, 0, sizeof(r));
	strcpy(r[0].origin, "IR-07-03");
	r[0].origin_seq = 12;
	strcpy(r[0].reason, "record IR-08-01/issue/x is owned outside IR-07-03");
	strcpy(r[1].origin, "IR");
	r[1].origin_seq = INT64_MAX;
	strcpy(r[2].origin, "IR-07-03");
	r[2].origin_seq = 1;
	memset(r[2].reason, 'r', WIRE_TEXT_MAX - 2);
	r[2].reason[WIRE_TEXT_MAX - 3] = (char)0xd8;    /* a cut two-byte character */

	memset(&p, 0, sizeof(p));
	p.ack_cursor = 900;
	p.ack_token = 0xfedcba9876543210ULL;
	p.hlc = 77;
	msgpack_sbuffer_init(&sb);
	CHECK_INT(wire_enc_push_ok(&sb, &p), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.type, WIRE_PUSH_OK);
	CHECK_INT(m.push_ok.ack_cursor, 900);
	CHECK(m.push_ok.ack_token == p.ack_token);
	CHECK(m.push_ok.hlc == 77);
	CHECK_INT(m.push_ok.nrefusals, 0);
	CHECK(m.push_ok.refusals == NULL);
	wire_msg_release(&m);

	sb.size = 0;
	p.refusals = r;
	p.nrefusals = 3;
	CHECK_INT(wire_enc_push_ok(&sb, &p), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.push_ok.nrefusals, 3);
	CHECK_STR(m.push_ok.refusals[0].origin, "IR-07-03");
	CHECK_INT(m.push_ok.refusals[0].origin_seq, 12);
	CHECK_STR(m.push_ok.refusals[0].reason, r[0].reason);
	CHECK_STR(m.push_ok.refusals[1].origin, "IR");
	CHECK(m.push_ok.refusals[1].origin_seq == INT64_MAX);
	CHECK_STR(m.push_ok.refusals[1].reason, "");
	CHECK_INT(strlen(m.push_ok.refusals[2].reason), WIRE_TEXT_MAX - 3);
	wire_msg_release(&m);

	r[1].origin_seq = 0;
	CHECK_INT(wire_enc_push_ok(&sb, &p), NZ_EINVAL);
	msgpack_sbuffer_destroy(&sb);
}

static void
t_pull_error(void)
{
	struct wire_pull p = { 31337, 0x8000000000000000ULL, 262144, 0 };
	struct wire_msg m;
	struct nz_err err;
	msgpack_sbuffer sb;
	char text[400];
	size_t i, base;

	msgpack_sbuffer_init(&sb);
	CHECK_INT(wire_enc_pull(&sb, &p), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.type, WIRE_PULL);
	CHECK_INT(m.pull.cursor, 31337);
	CHECK(m.pull.token == 0x8000000000000000ULL);
	CHECK_INT(m.pull.max_bytes, 262144);
	CHECK_INT(m.pull.recover_from, 0); /* absent: a PULL of three fields, as before */
	wire_msg_release(&m);
	/* A child that lost changes of its own asks them back: the optional fourth field. */
	base = sb.size;
	sb.size = 0;
	p.recover_from = 42;
	CHECK_INT(wire_enc_pull(&sb, &p), 0);
	CHECK_INT(sb.size, base + 1); /* 42 is one more msgpack byte */
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.pull.recover_from, 42);
	CHECK_INT(m.pull.max_bytes, 262144);
	wire_msg_release(&m);
	p.recover_from = -1;
	CHECK_INT(wire_enc_pull(&sb, &p), NZ_EINVAL);
	p.recover_from = 0;
	p.cursor = -1;
	CHECK_INT(wire_enc_pull(&sb, &p), NZ_EINVAL);

	sb.size = 0;
	CHECK_INT(wire_enc_error(&sb, NZ_EAUTH, "pipe is not bound: send HELLO first"), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.type, WIRE_ERROR);
	CHECK_INT(m.error.code, NZ_EAUTH);
	CHECK_STR(m.error.message, "pipe is not bound: send HELLO first");
	wire_msg_release(&m);

	/* 200 two-byte letters: cut to 127 of them, not 127.5 */
	for (i = 0; i + 1 < sizeof(text); i += 2) {
		text[i] = (char)0xd8;
		text[i + 1] = (char)0xb4;
	}
	text[sizeof(text) - 1] = '\0';
	sb.size = 0;
	CHECK_INT(wire_enc_error(&sb, NZ_EVERSION, text), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(strlen(m.error.message), 254);
	wire_msg_release(&m);
	CHECK_INT(wire_enc_error(&sb, 0, "no"), NZ_EINVAL);
	CHECK_INT(wire_enc_error(&sb, 3, "no"), NZ_EINVAL);

	CHECK_STR(wire_type_name(WIRE_HELLO), "HELLO");
	CHECK_STR(wire_type_name(WIRE_PULL_OK), "PULL_OK");
	CHECK_STR(wire_type_name(WIRE_ERROR), "ERROR");
	CHECK_STR(wire_type_name(33), "unknown");
	msgpack_sbuffer_destroy(&sb);
}

/* A batch of 1000 changes of mixed origins, tables, owners and clocks comes back exactly. */
static void
t_batch_mixed(void)
{
	struct nz_change *v = calloc(1000, sizeof(*v));
	struct wire_batch *b = wire_batch_new();
	struct wire_msg m;
	struct nz_err err;
	msgpack_sbuffer sb;
	size_t i, same = 0;

	msgpack_sbuffer_init(&sb);
	mixed_changes(v, 1000);
	CHECK_INT(fill_batch(b, v, 1000), 0);
	CHECK_INT(wire_batch_count(b), 1000);

	CHECK_INT(wire_enc_push(&sb, 1234567, 0xabcdefULL, b), 0);
	CHECK(sb.size <= wire_batch_size(b));
	CHECK(sb.size + 40 >= wire_batch_size(b));
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.type, WIRE_PUSH);
	CHECK_INT(m.push.upto, 1234567);
	CHECK(m.push.upto_token == 0xabcdefULL);
	CHECK_INT(m.push.nchanges, 1000);
	for (i = 0; i < m.push.nchanges && i < 1000; i++)
		same += same_change(&m.push.changes[i], &v[i]);
	CHECK_INT(same, 1000);
	for (i = 0; i < m.push.nchanges; i++)
		if (wire_change_check(&m.push.changes[i], &err) != 0)
			break;
	CHECK_INT(i, 1000);
	wire_msg_release(&m);

	sb.size = 0;
	CHECK_INT(wire_enc_pull_ok(&sb, INT64_MAX, UINT64_MAX, true, INT64_MAX, 5, b), 0);
	CHECK(sb.size <= wire_batch_size(b));
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.type, WIRE_PULL_OK);
	CHECK(m.pull_ok.upto == INT64_MAX && m.pull_ok.upto_token == UINT64_MAX);
	CHECK(m.pull_ok.more);
	CHECK(m.pull_ok.head == INT64_MAX && m.pull_ok.hlc == 5);
	same = 0;
	for (i = 0; i < m.pull_ok.nchanges && i < 1000; i++)
		same += same_change(&m.pull_ok.changes[i], &v[i]);
	CHECK_INT(same, 1000);
	wire_msg_release(&m);

	/* empty batches travel too */
	wire_batch_reset(b);
	sb.size = 0;
	CHECK_INT(wire_enc_pull_ok(&sb, 10, 11, false, 12, 13, b), 0);
	CHECK(sb.size <= wire_batch_size(b));
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.pull_ok.nchanges, 0);
	CHECK(!m.pull_ok.more);
	wire_msg_release(&m);

	/* after a reset, only what follows is sent */
	CHECK_INT(wire_batch_add(b, &v[999], NZ_WIRE_MAX), 0);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 1, 2, b), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.push.nchanges, 1);
	CHECK(m.push.nchanges == 1 && same_change(&m.push.changes[0], &v[999]));
	wire_msg_release(&m);

	msgpack_sbuffer_destroy(&sb);
	wire_batch_free(b);
	free(v);
}

/* The typical county batch: what it costs beyond the column values. */
static void
t_overhead(void)
{
	struct nz_change *v = calloc(1000, sizeof(*v));
	struct wire_batch *b = wire_batch_new();
	msgpack_sbuffer sb;
	size_t i, cols = 0;
	char rid[16];
	uint64_t hlc = 0x0001937a00000000ULL;
	double overhead;

	msgpack_sbuffer_init(&sb);
	for (i = 0; i < 1000; i++) {
		hlc += 900 + rndn(200);
		snprintf(rid, sizeof(rid), "01J%09zu", 100000000 + i);
		set_change(&v[i], "IR-07-03", 5000 + (int64_t)i, hlc, "issue", rid, "IR-07-03",
		           "admin", &cols_pool[i % NCOLS]);
		cols += v[i].cols_len;
	}
	CHECK_INT(strlen(v[0].rid), 12);
	CHECK_INT(fill_batch(b, v, 1000), 0);
	CHECK_INT(wire_enc_push(&sb, 5999, hlc, b), 0);
	overhead = (double)(sb.size - cols) / 1000.0;
	printf("# overhead bytes/change = %.2f (message %zu bytes, cols %zu bytes)\n", overhead,
	       sb.size, cols);
	CHECK(overhead <= 24.0);
	msgpack_sbuffer_destroy(&sb);
	wire_batch_free(b);
	free(v);
}

static void
t_version(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct wire_msg m;
	struct nz_err err;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	msgpack_pack_uint8(&pk, 2);
	msgpack_pack_uint8(&pk, 200);
	pack_s(&pk, "whatever version 2 carries");
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EVERSION);
	CHECK_INT(err.code, NZ_EVERSION);
	CHECK_HAS(err.msg, "version 2");
	CHECK_HAS(err.msg, "version 1");
	CHECK_INT(m.type, 0);

	sb.size = 0;
	msgpack_pack_array(&pk, 2);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, 33);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "unknown message type 33");

	sb.size = 0;
	msgpack_pack_array(&pk, 1);
	msgpack_pack_uint8(&pk, 1);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);

	sb.size = 0;
	msgpack_pack_map(&pk, 0);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "message is map, expected array");

	CHECK_INT(wire_decode((const uint8_t *)"", 0, &m, &err), NZ_EPROTO);
	CHECK_INT(wire_decode((const uint8_t *)"\x92\x01\x01", (size_t)NZ_WIRE_MAX + 1, &m, &err),
	          NZ_ETOOBIG);
	msgpack_sbuffer_destroy(&sb);
}

/* ---- hand-built batches, to say what the encoder never would ---------- */

struct raw {
	const char *strings[8];
	int nstr;
	int ctx[4][4];
	int nctx;
	uint32_t ctx_i;
	int64_t seq_delta;
	const char *rid;
	const msgpack_sbuffer *cols;
	uint32_t nchanges;                  /* 0: 1 */
};

static void
raw_default(struct raw *r, const msgpack_sbuffer *cols)
{
	memset(r, 0, sizeof(*r));
	r->strings[0] = "IR-07-03";
	r->strings[1] = "issue";
	r->strings[2] = "admin";
	r->nstr = 3;
	r->ctx[0][0] = 0, r->ctx[0][1] = 1, r->ctx[0][2] = 0, r->ctx[0][3] = 2;
	r->nctx = 1;
	r->seq_delta = 1;
	r->rid = "01J000000001";
	r->cols = cols;
}

/* raw_push packs a PUSH from r; a too-large nchanges leaves only a claim. */
static void
raw_push(msgpack_sbuffer *sb, const struct raw *r)
{
	msgpack_packer pk;
	uint32_t i, n = r->nchanges ? r->nchanges : 1;
	int k, j;

	sb->size = 0;
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, WIRE_PUSH);
	msgpack_pack_int64(&pk, 10);
	msgpack_pack_uint64(&pk, 11);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_array(&pk, (size_t)r->nstr);
	for (k = 0; k < r->nstr; k++)
		msgpack_pack_str_with_body(&pk, r->strings[k], strlen(r->strings[k]) +
		                           (strcmp(r->strings[k], "nul") == 0));
	msgpack_pack_array(&pk, (size_t)r->nctx);
	for (k = 0; k < r->nctx; k++) {
		msgpack_pack_array(&pk, 4);
		for (j = 0; j < 4; j++)
			msgpack_pack_int(&pk, r->ctx[k][j]);
	}
	msgpack_pack_uint64(&pk, 1000);
	msgpack_pack_array(&pk, n);
	if (n > WIRE_CHANGES_MAX)
		return;
	for (i = 0; i < n; i++) {
		msgpack_pack_array(&pk, 5);
		msgpack_pack_uint32(&pk, r->ctx_i);
		msgpack_pack_int64(&pk, r->seq_delta);
		msgpack_pack_int64(&pk, 3);
		msgpack_pack_str_with_body(&pk, r->rid, strlen(r->rid));
		msgpack_pack_bin_with_body(&pk, r->cols->data, r->cols->size);
	}
}

/* expect_bad decodes r and checks the code and a piece of the reason. */
static void
expect_bad(const struct raw *r, int code, const char *sub)
{
	msgpack_sbuffer sb;
	struct wire_msg m;
	struct nz_err err;
	int rc;

	msgpack_sbuffer_init(&sb);
	raw_push(&sb, r);
	rc = decode_sb(&sb, &m, &err);
	CHECK_INT(rc, code);
	if (rc != 0)
		CHECK_HAS(err.msg, sub);
	else
		wire_msg_release(&m);
	CHECK_INT(m.type, 0);
	msgpack_sbuffer_destroy(&sb);
}

static void
t_bad_fields(void)
{
	msgpack_sbuffer good, cols;
	msgpack_packer pk;
	struct raw r;
	char rid[81];
	int i;

	msgpack_sbuffer_init(&good);
	msgpack_packer_init(&pk, &good, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	pack_s(&pk, "status");
	pack_s(&pk, "open");
	pack_s(&pk, "score");
	msgpack_pack_float(&pk, 2.5f);

	raw_default(&r, &good);
	expect_bad(&r, 0, "");

	raw_default(&r, &good);
	r.strings[3] = "IR-7-03";
	r.nstr = 4;
	r.ctx[0][2] = 3;
	expect_bad(&r, NZ_EPROTO, "ctx 0: owner 'IR-7-03' is not an org-unit code");

	raw_default(&r, &good);
	r.ctx[0][0] = 1;
	expect_bad(&r, NZ_EPROTO, "ctx 0: origin 'issue' is not an org-unit code");

	raw_default(&r, &good);
	r.strings[1] = "Issue";
	expect_bad(&r, NZ_EPROTO, "ctx 0: tbl 'Issue' is not a table name");

	raw_default(&r, &good);
	r.ctx[0][2] = 7;
	expect_bad(&r, NZ_EPROTO, "ctx 0: owner index 7 is out of range (3 strings)");

	raw_default(&r, &good);
	r.ctx[0][3] = -1;
	expect_bad(&r, NZ_EPROTO, "ctx 0: author is -1, must not be negative");

	raw_default(&r, &good);
	r.ctx_i = 1;
	expect_bad(&r, NZ_EPROTO, "change 0: ctx index 1 is out of range (1 ctxs)");

	raw_default(&r, &good);
	r.seq_delta = 0;
	expect_bad(&r, NZ_EPROTO, "change 0: origin_seq is 0, must be >= 1");

	raw_default(&r, &good);
	r.seq_delta = INT64_MAX;
	r.nchanges = 2;
	expect_bad(&r, NZ_EPROTO, "change 1: seq_delta");

	raw_default(&r, &good);
	memset(rid, 'r', 80);
	rid[80] = '\0';
	r.rid = rid;
	expect_bad(&r, NZ_EPROTO, "change 0: rid is 80 bytes, limit 39");

	raw_default(&r, &good);
	r.rid = "";
	expect_bad(&r, NZ_EPROTO, "change 0: rid is empty");

	raw_default(&r, &good);
	r.strings[2] = "nul";              /* packed with its terminating NUL */
	expect_bad(&r, NZ_EPROTO, "batch: string 2 contains a NUL byte");

	raw_default(&r, &good);
	r.strings[2] = "issue";
	expect_bad(&r, NZ_EPROTO, "batch: string 2 repeats string 1");

	/* UTF-8: overlong, surrogate, past U+10FFFF, cut short, a stray continuation byte */
	for (i = 0; i < 5; i++) {
		static const char *const bad_utf8[] = { "\xc0\x80", "a\xed\xa0\x80",
		                                        "\xf4\x90\x80\x80", "ab\xe2\x82", "\x80" };

		raw_default(&r, &good);
		r.strings[2] = bad_utf8[i];
		expect_bad(&r, NZ_EPROTO, "batch: string 2 is not valid UTF-8");
	}
	raw_default(&r, &good);
	r.strings[2] = "\xf0\x9f\x98\x80 \xd9\x85\xd8\xb1\xdb\x8c\xd9\x85";
	expect_bad(&r, 0, "");

	raw_default(&r, &good);
	memset(rid, 'a', 64);
	rid[64] = '\0';
	r.strings[2] = rid;
	expect_bad(&r, NZ_EPROTO, "batch: string 2 is 64 bytes, limit 63");

	raw_default(&r, &good);
	r.nchanges = WIRE_CHANGES_MAX + 1;
	expect_bad(&r, NZ_ETOOBIG, "batch: changes has 10001 entries, limit 10000");

	raw_default(&r, &good);
	r.nchanges = 5000;
	r.rid = "x";
	expect_bad(&r, 0, "");

	/* the column maps */
	msgpack_sbuffer_init(&cols);
	msgpack_packer_init(&pk, &cols, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 2);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_int(&pk, 2);
	raw_default(&r, &cols);
	expect_bad(&r, NZ_EPROTO, "change 0: cols is array, not a map");

	cols.size = 0;
	msgpack_pack_map(&pk, 2);
	pack_s(&pk, "status");
	pack_s(&pk, "open");
	pack_s(&pk, "members");
	msgpack_pack_array(&pk, 1);
	msgpack_pack_int(&pk, 1);
	expect_bad(&r, NZ_EPROTO,
	           "change 0: cols column 'members' is array; only nil, bool, int, float and str are allowed");

	cols.size = 0;
	msgpack_pack_map(&pk, 1);
	pack_s(&pk, "photo");
	msgpack_pack_bin_with_body(&pk, "\x89PNG", 4);
	expect_bad(&r, NZ_EPROTO, "column 'photo' is bin");

	cols.size = 0;
	msgpack_pack_map(&pk, 1);
	pack_s(&pk, "Status");
	msgpack_pack_nil(&pk);
	expect_bad(&r, NZ_EPROTO, "cols key 0 has a byte outside [a-z_0-9]");

	cols.size = 0;
	msgpack_pack_map(&pk, 2);
	pack_s(&pk, "a");
	msgpack_pack_nil(&pk);
	pack_s(&pk, "a");
	msgpack_pack_true(&pk);
	expect_bad(&r, NZ_EPROTO, "cols column 'a' appears twice");

	cols.size = 0;
	msgpack_pack_map(&pk, 1);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_nil(&pk);
	expect_bad(&r, NZ_EPROTO, "cols key 0 is int, not str");

	cols.size = 0;
	msgpack_pack_map(&pk, NZ_COLS_NMAX + 1);
	for (i = 0; i <= NZ_COLS_NMAX; i++) {
		char key[16];

		snprintf(key, sizeof(key), "c%d", i);
		pack_s(&pk, key);
		msgpack_pack_int(&pk, i);
	}
	expect_bad(&r, NZ_EPROTO, "cols has 65 columns, limit 64");

	cols.size = 0;
	msgpack_pack_map(&pk, 1);
	pack_s(&pk, "a");
	msgpack_pack_nil(&pk);
	msgpack_pack_nil(&pk);
	expect_bad(&r, NZ_EPROTO, "cols has 1 bytes after the map");

	cols.size = 0;
	msgpack_pack_map(&pk, 2);
	pack_s(&pk, "a");
	msgpack_pack_nil(&pk);
	expect_bad(&r, NZ_EPROTO, "cols is truncated");

	cols.size = 0;
	msgpack_pack_map(&pk, 0);
	expect_bad(&r, 0, "");

	CHECK_INT(wire_cols_check((const uint8_t *)good.data, good.size, NULL), 0);
	CHECK_INT(wire_cols_check((const uint8_t *)"\x91\x01", 2, NULL), NZ_EINVAL);
	msgpack_sbuffer_destroy(&cols);
	msgpack_sbuffer_destroy(&good);
}

/* Odd shapes: extensions, trailing bytes, nesting, length claims. */
static void
t_shapes(void)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct wire_pull p = { 1, 2, 3, 0 };
	struct wire_msg m;
	struct nz_err err;
	size_t base, i;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);

	/* trailing elements of a message are skipped */
	CHECK_INT(wire_enc_pull(&sb, &p), 0);
	sb.data[0]++;                       /* fixarray of 5 -> 6 */
	msgpack_pack_int64(&pk, 9);         /* PULL's optional fourth field */
	sb.data[0]++;                       /* and one no one knows yet: 6 -> 7 */
	msgpack_pack_map(&pk, 1);
	pack_s(&pk, "future");
	msgpack_pack_array(&pk, 2);
	msgpack_pack_ext_with_body(&pk, "abcd", 4, 7);
	msgpack_pack_double(&pk, 1.5);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.pull.max_bytes, 3);
	CHECK_INT(m.pull.recover_from, 9);
	wire_msg_release(&m);

	/* an optional field, once defined, is checked like any other */
	sb.size = 0;
	CHECK_INT(wire_enc_pull(&sb, &p), 0);
	sb.data[0]++;
	msgpack_pack_int64(&pk, -5);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "recover_from is -5, must not be negative");
	sb.size = 0;
	CHECK_INT(wire_enc_pull(&sb, &p), 0);
	sb.data[0]++;
	pack_s(&pk, "nine");
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "recover_from");

	/* but not bytes after the message */
	sb.size = 0;
	CHECK_INT(wire_enc_pull(&sb, &p), 0);
	msgpack_pack_nil(&pk);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "1 bytes after the message");

	/* nor too deep a nest in an extension (after PULL's optional field) */
	sb.size = 0;
	CHECK_INT(wire_enc_pull(&sb, &p), 0);
	sb.data[0] += 2;
	msgpack_pack_int64(&pk, 1);
	for (i = 0; i < 100000; i++)
		msgpack_pack_array(&pk, 1);
	msgpack_pack_nil(&pk);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "nested deeper than");

	/* a field of the wrong type is named */
	sb.size = 0;
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, WIRE_PULL);
	msgpack_pack_int(&pk, 1);
	pack_s(&pk, "two");
	msgpack_pack_int(&pk, 3);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_STR(err.msg, "token is str, expected uint");

	/* too few fields */
	sb.size = 0;
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, WIRE_PULL);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_int(&pk, 2);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_STR(err.msg, "PULL has 2 fields, needs 3");

	/* integers in any width, even a wide one for a small number */
	sb.size = 0;
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, WIRE_PULL);
	msgpack_sbuffer_write(&sb, "\xd3\0\0\0\0\0\0\0\x07", 9);     /* int64 7 */
	msgpack_pack_int(&pk, 2);
	msgpack_pack_int(&pk, 3);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.pull.cursor, 7);
	wire_msg_release(&m);

	/* negative positions and a positive error code are refused */
	sb.size = 0;
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, WIRE_PULL);
	msgpack_pack_int(&pk, -1);
	msgpack_pack_int(&pk, 2);
	msgpack_pack_int(&pk, 3);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_STR(err.msg, "cursor is -1, must not be negative");
	sb.size = 0;
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, WIRE_ERROR);
	msgpack_pack_int(&pk, 5);
	pack_s(&pk, "x");
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "code 5");

	/* claims of huge lengths with nothing behind them */
	sb.size = 0;
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, WIRE_PUSH);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_int(&pk, 2);
	msgpack_pack_array(&pk, 4);
	base = sb.size;
	msgpack_pack_array(&pk, 0xffffffffu);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_ETOOBIG);
	CHECK_HAS(err.msg, "batch: strings has 4294967295 entries, limit 1024");
	sb.size = base;
	msgpack_pack_array(&pk, 1000);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "truncated");
	sb.size = base;
	msgpack_pack_array(&pk, 0);
	msgpack_pack_array(&pk, 0);
	msgpack_pack_int(&pk, 0);
	msgpack_pack_array(&pk, 9999);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "batch: changes: message truncated");
	sb.size = base;
	msgpack_pack_array(&pk, 1);
	msgpack_sbuffer_write(&sb, "\xdb\xff\xff\xff\xff", 5);      /* str32 of 4 GiB */
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "truncated");
	msgpack_sbuffer_destroy(&sb);
}

/* push_message builds a PUSH of n mixed changes. */
static void
push_message(msgpack_sbuffer *sb, size_t n)
{
	struct nz_change *v = calloc(n, sizeof(*v));
	struct wire_batch *b = wire_batch_new();

	mixed_changes(v, n);
	fill_batch(b, v, n);
	sb->size = 0;
	wire_enc_push(sb, 77, 78, b);
	wire_batch_free(b);
	free(v);
}

static void
t_truncation(void)
{
	msgpack_sbuffer sb;
	struct wire_msg m;
	struct nz_err err;
	size_t len, refused = 0, zeroed = 0;
	int rc;

	msgpack_sbuffer_init(&sb);
	push_message(&sb, 40);
	for (len = 0; len < sb.size; len++) {
		/* a private copy of exactly len bytes, so ASan sees any overread */
		uint8_t *p = malloc(len ? len : 1);

		memcpy(p, sb.data, len);
		rc = wire_decode(p, len, &m, &err);
		refused += rc == NZ_EPROTO;
		zeroed += m.type == 0 && m.push.changes == NULL;
		if (rc == 0)
			wire_msg_release(&m);
		free(p);
	}
	printf("# %zu truncations of a %zu-byte PUSH\n", sb.size, sb.size);
	CHECK_INT(refused, sb.size);
	CHECK_INT(zeroed, sb.size);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	wire_msg_release(&m);
	msgpack_sbuffer_destroy(&sb);
}

/* The encoded valid message of each type, for mutation. */
static size_t
corpus(msgpack_sbuffer *sb, size_t max)
{
	uint8_t pk[32], sk[64];
	struct wire_hello h;
	struct wire_hello_ok k;
	struct wire_refusal r[2];
	struct wire_push_ok po;
	struct wire_pull pl = { 100, 200, 65536, 0 };
	struct wire_batch *b = wire_batch_new();
	struct nz_change v[12];
	size_t n = 0;

	crypto_sign_keypair(pk, sk);
	memset(&h, 0, sizeof(h));
	strcpy(h.node_id, "IR-07-03");
	strcpy(h.parent_id, "IR-07");
	h.auth_counter = 99;
	wire_hello_sign(&h, sk);
	memset(&k, 0, sizeof(k));
	strcpy(k.node_id, "IR-07");
	k.head = 1000;
	wire_hello_ok_sign(&k, "IR-07-03", 99, sk);
	memset(r, 0, sizeof(r));
	strcpy(r[0].origin, "IR-07-03");
	r[0].origin_seq = 3;
	strcpy(r[0].reason, "not yours");
	strcpy(r[1].origin, "IR-07-04");
	r[1].origin_seq = 300;
	memset(&po, 0, sizeof(po));
	po.refusals = r;
	po.nrefusals = 2;
	mixed_changes(v, 12);
	fill_batch(b, v, 12);

	for (n = 0; n < max; n++)
		msgpack_sbuffer_init(&sb[n]);
	n = 0;
	wire_enc_hello(&sb[n++], &h);
	wire_enc_hello_ok(&sb[n++], &k);
	wire_enc_push(&sb[n++], 5, 6, b);
	wire_enc_push_ok(&sb[n++], &po);
	wire_enc_pull(&sb[n++], &pl);
	wire_enc_pull_ok(&sb[n++], 7, 8, true, 9, 10, b);
	wire_enc_error(&sb[n++], NZ_EDENIED, "not allowed");
	fill_batch(b, v, 2);
	wire_enc_pull_ok(&sb[n++], 7, 8, true, 9, 10, b);
	wire_batch_free(b);
	return n;
}

static void
t_mutations(void)
{
	static const uint8_t magic[] = { 0x00, 0x01, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf,
	                                 0xc0, 0xc1, 0xc4, 0xc6, 0xca, 0xcb, 0xcf, 0xd3, 0xd9,
	                                 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff };
	msgpack_sbuffer sb[8];
	struct wire_msg m;
	struct nz_err err;
	uint8_t *buf;
	size_t n, i, len, pos, ok = 0, checked = 0, good = 0;
	uint32_t k, nm;
	int rc;

	n = corpus(sb, 8);
	for (i = 0; i < n; i++) {
		good += decode_sb(&sb[i], &m, &err) == 0;
		wire_msg_release(&m);
	}
	CHECK_INT(good, n);
	buf = malloc(1 << 16);
	for (i = 0; i < 100000; i++) {
		msgpack_sbuffer *s = &sb[rndn((uint32_t)n)];

		len = s->size;
		memcpy(buf, s->data, len);
		nm = 1 + rndn(4);
		for (k = 0; k < nm; k++) {
			pos = rndn((uint32_t)len);
			switch (rndn(6)) {
			case 0:
				buf[pos] = (uint8_t)rnd();
				break;
			case 1:
				buf[pos] = magic[rndn(sizeof(magic))];
				break;
			case 2:
				buf[pos] ^= (uint8_t)(1u << rndn(8));
				break;
			case 3:
				len = pos + 1;                    /* cut */
				break;
			case 4:
				if (len + 1 < (1 << 16)) {        /* insert */
					memmove(buf + pos + 1, buf + pos, len - pos);
					buf[pos] = magic[rndn(sizeof(magic))];
					len++;
				}
				break;
			default:
				if (len > 1) {                    /* delete */
					memmove(buf + pos, buf + pos + 1, len - pos - 1);
					len--;
				}
			}
		}
		rc = wire_decode(buf, len, &m, &err);
		if (rc == 0) {
			ok++;
			if (m.type == WIRE_PUSH)
				for (k = 0; k < m.push.nchanges; k++)
					checked += wire_change_check(&m.push.changes[k], NULL) == 0;
			if (m.type == WIRE_PULL_OK)
				for (k = 0; k < m.pull_ok.nchanges; k++)
					checked += wire_change_check(&m.pull_ok.changes[k], NULL) == 0;
			wire_msg_release(&m);
		} else if (rc != NZ_EPROTO && rc != NZ_EVERSION && rc != NZ_ETOOBIG) {
			break;
		}
	}
	printf("# 100000 mutations: %zu decoded, their %zu changes all valid\n", ok, checked);
	CHECK_INT(i, 100000);
	free(buf);
	for (i = 0; i < n; i++)
		msgpack_sbuffer_destroy(&sb[i]);
}

/* wire_batch_add stops at the budget, and a refused add changes nothing. */
static void
t_budget(void)
{
	static const size_t budgets[] = { 60, 200, 600, 1000, 4096, 20000, 65536, 262144 };
	struct nz_change *v = calloc(3000, sizeof(*v));
	struct wire_batch *b = wire_batch_new();
	msgpack_sbuffer sb, before;
	struct wire_msg m;
	struct nz_err err;
	size_t bi, i, n, same, over = 0, bad_est = 0, exact = 0;
	char author[16];
	int rc;

	msgpack_sbuffer_init(&sb);
	msgpack_sbuffer_init(&before);
	mixed_changes(v, 3000);
	for (bi = 0; bi < sizeof(budgets) / sizeof(budgets[0]); bi++) {
		wire_batch_reset(b);
		for (i = 0; i < 3000; i++) {
			if ((rc = wire_batch_add(b, &v[i], budgets[bi])) != 0)
				break;
			if (wire_batch_size(b) > budgets[bi])
				over++;
		}
		n = wire_batch_count(b);
		before.size = 0;
		wire_enc_pull_ok(&before, INT64_MAX, UINT64_MAX, true, INT64_MAX, UINT64_MAX, b);
		if (i < 3000) {
			/* the refused change left the batch as it was */
			CHECK_INT(wire_batch_add(b, &v[i], budgets[bi]), NZ_ETOOBIG);
			CHECK_INT(wire_batch_count(b), n);
			sb.size = 0;
			wire_enc_pull_ok(&sb, INT64_MAX, UINT64_MAX, true, INT64_MAX, UINT64_MAX, b);
			exact += sb.size == before.size && memcmp(sb.data, before.data, sb.size) == 0;
		} else {
			exact++;
		}
		if (before.size > budgets[bi] || before.size > wire_batch_size(b))
			bad_est++;
		printf("# budget %zu: %zu changes, %zu bytes, estimate %zu\n", budgets[bi], n,
		       before.size, wire_batch_size(b));
		if (n > 0) {
			CHECK_INT(decode_sb(&before, &m, &err), 0);
			same = 0;
			for (i = 0; i < m.pull_ok.nchanges; i++)
				same += same_change(&m.pull_ok.changes[i], &v[i]);
			CHECK_INT(same, n);
			wire_msg_release(&m);
		}
	}
	CHECK_INT(over, 0);
	CHECK_INT(bad_est, 0);
	CHECK_INT(exact, sizeof(budgets) / sizeof(budgets[0]));

	/* a change too big for an empty batch */
	wire_batch_reset(b);
	CHECK_INT(wire_batch_add(b, &v[0], 40), NZ_ETOOBIG);
	CHECK_INT(wire_batch_count(b), 0);

	/* a full string table */
	for (i = 0; i < 2000; i++) {
		snprintf(author, sizeof(author), "user%zu", i);
		snprintf(v[i].author, sizeof(v[i].author), "%s", author);
		snprintf(v[i].origin, sizeof(v[i].origin), "IR-07-03");
		snprintf(v[i].owner, sizeof(v[i].owner), "IR-07-03");
		snprintf(v[i].tbl, sizeof(v[i].tbl), "issue");
		v[i].origin_seq = (int64_t)i + 1;
	}
	wire_batch_reset(b);
	for (i = 0; i < 2000; i++)
		if ((rc = wire_batch_add(b, &v[i], NZ_WIRE_MAX)) != 0)
			break;
	CHECK_INT(rc, NZ_ETOOBIG);
	CHECK_INT(wire_batch_count(b), WIRE_STRINGS_MAX - 2);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 1, 1, b), 0);
	CHECK(sb.size <= wire_batch_size(b));
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.push.nchanges, WIRE_STRINGS_MAX - 2);
	same = 0;
	for (i = 0; i < m.push.nchanges; i++)
		same += same_change(&m.push.changes[i], &v[i]);
	CHECK_INT(same, WIRE_STRINGS_MAX - 2);
	wire_msg_release(&m);

	/* a full ctx table: 40 x 40 (origin, owner) pairs from 82 strings */
	for (i = 0; i < 1600; i++) {
		snprintf(v[i].origin, sizeof(v[i].origin), "IR-07-%02zu", 1 + i % 40);
		snprintf(v[i].owner, sizeof(v[i].owner), "IR-08-%02zu", 1 + i / 40);
		strcpy(v[i].author, "admin");
	}
	wire_batch_reset(b);
	for (i = 0; i < 1600; i++)
		if ((rc = wire_batch_add(b, &v[i], NZ_WIRE_MAX)) != 0)
			break;
	CHECK_INT(rc, NZ_ETOOBIG);
	CHECK_INT(wire_batch_count(b), WIRE_CTXS_MAX);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 1, 1, b), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	same = 0;
	for (i = 0; i < m.push.nchanges; i++)
		same += same_change(&m.push.changes[i], &v[i]);
	CHECK_INT(same, WIRE_CTXS_MAX);
	wire_msg_release(&m);

	/* a full batch */
	wire_batch_reset(b);
	for (i = 0; i < WIRE_CHANGES_MAX + 1; i++) {
		v[0].origin_seq = (int64_t)i + 1;
		if ((rc = wire_batch_add(b, &v[0], NZ_WIRE_MAX)) != 0)
			break;
	}
	CHECK_INT(rc, NZ_ETOOBIG);
	CHECK_INT(i, WIRE_CHANGES_MAX);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 1, 1, b), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.push.nchanges, WIRE_CHANGES_MAX);
	CHECK(m.push.nchanges == WIRE_CHANGES_MAX &&
	      m.push.changes[WIRE_CHANGES_MAX - 1].origin_seq == WIRE_CHANGES_MAX);
	wire_msg_release(&m);

	/* bad changes are refused before they touch the batch */
	wire_batch_reset(b);
	v[1].origin_seq = 0;
	CHECK_INT(wire_batch_add(b, &v[1], NZ_WIRE_MAX), NZ_EINVAL);
	v[1].origin_seq = 1;
	strcpy(v[1].owner, "IR-07-3");
	CHECK_INT(wire_batch_add(b, &v[1], NZ_WIRE_MAX), NZ_EINVAL);
	CHECK_INT(wire_change_check(&v[1], &err), NZ_EINVAL);
	CHECK_HAS(err.msg, "owner 'IR-07-3'");
	strcpy(v[1].owner, "IR-07-03");
	v[1].cols = (const uint8_t *)"\x81\xa1" "a\x91\x01";
	v[1].cols_len = 5;
	CHECK_INT(wire_batch_add(b, &v[1], NZ_WIRE_MAX), NZ_EINVAL);
	CHECK_INT(wire_change_check(&v[1], &err), NZ_EINVAL);
	CHECK_HAS(err.msg, "cols column 'a' is array");
	CHECK_INT(wire_batch_count(b), 0);

	msgpack_sbuffer_destroy(&before);
	msgpack_sbuffer_destroy(&sb);
	wire_batch_free(b);
	free(v);
}

/* The largest change there can be still fits in a WIRE_BATCH_MIN budget. */
static void
t_largest(void)
{
	struct wire_batch *b = wire_batch_new();
	msgpack_sbuffer cols, sb;
	msgpack_packer pk;
	struct nz_change c;
	struct wire_msg m;
	struct nz_err err;
	char *big = malloc(NZ_COLS_MAX);

	msgpack_sbuffer_init(&cols);
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &cols, msgpack_sbuffer_write);
	memset(big, 'x', NZ_COLS_MAX);
	msgpack_pack_map(&pk, 1);
	pack_s(&pk, "a");
	msgpack_pack_str_with_body(&pk, big, NZ_COLS_MAX - 6);
	CHECK_INT(cols.size, NZ_COLS_MAX);
	memset(&c, 0, sizeof(c));
	strcpy(c.origin, "IR-07-03");
	c.origin_seq = INT64_MAX;
	c.hlc = UINT64_MAX;
	memset(c.tbl, 'z', NZ_TBL_MAX - 1);
	memset(c.rid, 'r', NZ_RID_MAX - 1);
	strcpy(c.owner, "IR-07-04");
	memset(c.author, 'u', NZ_AUTHOR_MAX - 1);
	c.cols = (const uint8_t *)cols.data;
	c.cols_len = cols.size;
	CHECK_INT(wire_batch_add(b, &c, WIRE_BATCH_MIN), 0);
	CHECK_INT(wire_enc_pull_ok(&sb, INT64_MAX, UINT64_MAX, true, INT64_MAX, UINT64_MAX, b), 0);
	printf("# largest one-change PULL_OK: %zu bytes, estimate %zu\n", sb.size, wire_batch_size(b));
	CHECK(sb.size <= wire_batch_size(b));
	CHECK(wire_batch_size(b) <= WIRE_BATCH_MIN);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK(m.pull_ok.nchanges == 1 && same_change(&m.pull_ok.changes[0], &c));
	wire_msg_release(&m);

	/* one byte of cols more is refused, by the builder and by the decoder */
	cols.size = 0;
	msgpack_pack_map(&pk, 1);
	pack_s(&pk, "a");
	msgpack_pack_str_with_body(&pk, big, NZ_COLS_MAX - 5);
	c.cols = (const uint8_t *)cols.data;
	c.cols_len = cols.size;
	CHECK_INT(wire_change_check(&c, &err), NZ_EINVAL);
	CHECK_HAS(err.msg, "cols is 65537 bytes, limit 65536");
	free(big);
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&cols);
	wire_batch_free(b);
}

/* How fast the builder takes changes and the decoder gives them back. */
static void
t_speed(void)
{
	struct nz_change *v = calloc(1000, sizeof(*v));
	struct wire_batch *b = wire_batch_new();
	msgpack_sbuffer sb;
	struct wire_msg m;
	struct nz_err err;
	size_t i, added = 0, decoded = 0;
	double t0, add_rate, dec_rate;
	char rid[16];

	msgpack_sbuffer_init(&sb);
	for (i = 0; i < 1000; i++) {
		snprintf(rid, sizeof(rid), "01J%09zu", i);
		set_change(&v[i], "IR-07-03", (int64_t)i + 1, 1000 * i, i % 3 ? "issue" : "report",
		           rid, "IR-07-03", "admin", &cols_pool[i % NCOLS]);
	}
	t0 = now();
	while (added < 200000) {
		if (wire_batch_add(b, &v[added % 1000], 262144) == NZ_ETOOBIG) {
			sb.size = 0;
			wire_enc_push(&sb, 1, 1, b);
			wire_batch_reset(b);
			continue;
		}
		added++;
	}
	add_rate = (double)added / (now() - t0);
	t0 = now();
	while (decoded < 200000) {
		if (decode_sb(&sb, &m, &err) != 0)
			break;
		decoded += m.push.nchanges;
		wire_msg_release(&m);
	}
	dec_rate = (double)decoded / (now() - t0);
	printf("# batch add: %.0f changes/s; decode: %.0f changes/s\n", add_rate, dec_rate);
	CHECK(decoded >= 200000);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	printf("# sanitized build: speed not checked\n");
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
	printf("# sanitized build: speed not checked\n");
#else
	CHECK(add_rate >= 200000);
#endif
#else
	CHECK(add_rate >= 200000);
#endif
	msgpack_sbuffer_destroy(&sb);
	wire_batch_free(b);
	free(v);
}

/* The pool's column names, as a table of a schema numbers them. */
static const char *const pool_cols[] = { "status", "title", "score", "weight", "note", "decided_at",
                                         "council_ref" };

static void
make_schema(struct wire_schema *s, bool swapped)
{
	static const char *const other[] = { "name", "code" };
	static const char *const swap[] = { "title", "status", "score", "weight", "note", "decided_at",
	                                     "council_ref" };

	memset(s, 0, sizeof(*s));
	CHECK_INT(wire_schema_add(s, "org", other, 2), 0);
	CHECK_INT(wire_schema_add(s, "issue", swapped ? swap : pool_cols, 7), 0);
}

/* Column numbers (§6.1): a schema both ends agree on replaces the names, and comes back named. */
static void
t_colnums(void)
{
	struct wire_schema sa, sb, sc;
	struct wire_batch *named = wire_batch_new(), *num = wire_batch_new();
	static const char *const bad_name[] = { "Title" };
	static const char *const dup[] = { "deleted" };
	msgpack_sbuffer a, b;
	struct nz_change c[64];
	struct wire_msg m;
	struct nz_err err = {0};
	char rid[16];
	size_t i, n = 64;

	make_schema(&sa, false);
	make_schema(&sb, false);
	make_schema(&sc, true);
	CHECK(sa.digest == sb.digest);
	CHECK(sa.digest != sc.digest);   /* the order of a table's columns counts */
	/* The order of the tables does not. */
	memset(&sb, 0, sizeof(sb));
	CHECK_INT(wire_schema_add(&sb, "issue", pool_cols, 7), 0);
	CHECK_INT(wire_schema_add(&sb, "org", (const char *const[]){ "name", "code" }, 2), 0);
	CHECK(sa.digest == sb.digest);
	CHECK_INT(wire_schema_add(&sb, "org", pool_cols, 1), NZ_EINVAL);
	CHECK_INT(wire_schema_add(&sb, "x", bad_name, 1), NZ_EINVAL);
	CHECK_INT(wire_schema_add(&sb, "y", dup, 1), NZ_EINVAL);
	CHECK_INT(wire_schema_add(&sb, "Bad", pool_cols, 1), NZ_EINVAL);

	msgpack_sbuffer_init(&a);
	msgpack_sbuffer_init(&b);
	wire_batch_codec(num, &sa, false);
	for (i = 0; i < n; i++) {
		snprintf(rid, sizeof(rid), "r%zu", i);
		set_change(&c[i], "IR-07-03", 10 + (int64_t)i, 5000 + i * 3, "issue", rid, "IR-07-03", "admin",
		           &cols_pool[i]);
		CHECK_INT(wire_batch_add(named, &c[i], NZ_WIRE_MAX), 0);
		CHECK_INT(wire_batch_add(num, &c[i], NZ_WIRE_MAX), 0);
	}
	CHECK(wire_batch_size(num) < wire_batch_size(named));
	CHECK_INT(wire_enc_push(&a, 7, 8, named), 0);
	CHECK_INT(wire_enc_push(&b, 7, 8, num), 0);
	CHECK(b.size <= wire_batch_size(num));
	printf("# 64 changes: %zu bytes with names, %zu with column numbers\n", a.size, b.size);
	CHECK(a.size - b.size > 64 * 5);
	/* Decoded with the same schema: the very bytes the sender logged, names and all. */
	CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, NZ_WIRE_MAX, &m, &err), 0);
	CHECK_INT(m.push.nchanges, n);
	for (i = 0; i < m.push.nchanges && i < n; i++)
		CHECK(same_change(&m.push.changes[i], &c[i]));
	wire_msg_release(&m);
	/* Without a schema, or with another, it is refused by name. */
	CHECK_INT(wire_decode((const uint8_t *)b.data, b.size, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "this node has no schema");
	CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sc, NZ_WIRE_MAX, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "column numbers of schema");
	/* A named batch is still read by a node with a schema. */
	CHECK_INT(wire_decode_with((const uint8_t *)a.data, a.size, &sa, NZ_WIRE_MAX, &m, &err), 0);
	CHECK_INT(m.push.nchanges, n);
	wire_msg_release(&m);

	/* A change outside the schema is not numbered: the batch says so and is unchanged. */
	wire_batch_reset(num);
	set_change(&c[0], "IR-07-03", 1, 1, "unknown", "u1", "IR-07-03", "", &cols_pool[0]);
	CHECK_INT(wire_batch_add(num, &c[0], NZ_WIRE_MAX), NZ_ENOTFOUND);
	CHECK_INT(wire_batch_count(num), 0);

	/* Column numbers out of the table's range, twice, or not numbers: refused. */
	{
		static const struct { const char *map; size_t len; const char *why; } cases[] = {
			{ "\x81\x08\xa1x", 4, "not a column number" },
			{ "\x82\x01\xa1x\x01\xa1y", 7, "appears twice" },
			{ "\x81\xa6status\xa1x", 10, "not a column number" },
			{ "\x81\x01\x91\x01", 4, "only nil" },
			{ "\x81\x01\xa1x\x00", 5, "after the map" },
		};
		msgpack_packer pk;
		size_t k;

		for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			msgpack_sbuffer_clear(&b);
			msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
			/* [1, 16, 0, 0, [digest, ["IR-07-03", "issue", ""], [[0, 1, 0, 2]], 1, [[0, 1, 0, "r", bin]]]] */
			msgpack_pack_array(&pk, 5);
			msgpack_pack_uint8(&pk, 1);
			msgpack_pack_uint8(&pk, 16);
			msgpack_pack_uint8(&pk, 0);
			msgpack_pack_uint8(&pk, 0);
			msgpack_pack_array(&pk, 5);
			msgpack_pack_uint64(&pk, sa.digest);
			msgpack_pack_array(&pk, 3);
			pack_s(&pk, "IR-07-03");
			pack_s(&pk, "issue");
			pack_s(&pk, "");
			msgpack_pack_array(&pk, 1);
			msgpack_pack_array(&pk, 4);
			msgpack_pack_uint8(&pk, 0);
			msgpack_pack_uint8(&pk, 1);
			msgpack_pack_uint8(&pk, 0);
			msgpack_pack_uint8(&pk, 2);
			msgpack_pack_uint8(&pk, 1);
			msgpack_pack_array(&pk, 1);
			msgpack_pack_array(&pk, 5);
			msgpack_pack_uint8(&pk, 0);
			msgpack_pack_uint8(&pk, 1);
			msgpack_pack_uint8(&pk, 0);
			pack_s(&pk, "r");
			msgpack_pack_bin_with_body(&pk, cases[k].map, cases[k].len);
			CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, NZ_WIRE_MAX, &m, &err),
			          NZ_EPROTO);
			CHECK_HAS(err.msg, cases[k].why);
		}
	}
	msgpack_sbuffer_destroy(&a);
	msgpack_sbuffer_destroy(&b);
	wire_batch_free(named);
	wire_batch_free(num);
}

/* push_with_bin writes a PUSH whose batch is the bin body (a zstd frame, or not). */
static void
push_with_bin(msgpack_sbuffer *sb, const void *body, size_t n)
{
	msgpack_packer pk;

	msgpack_sbuffer_clear(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 5);
	msgpack_pack_uint8(&pk, 1);
	msgpack_pack_uint8(&pk, 16);
	msgpack_pack_uint8(&pk, 0);
	msgpack_pack_uint8(&pk, 0);
	msgpack_pack_bin_with_body(&pk, body, n);
}

/* Compressed batches (§6.2): smaller, the same once decoded, and never bigger than the receiver takes. */
static void
t_zstd(void)
{
	struct wire_schema sa;
	struct wire_batch *plain = wire_batch_new(), *z = wire_batch_new();
	msgpack_sbuffer a, b;
	struct nz_change c[200];
	struct wire_msg m;
	struct nz_err err = {0};
	char rid[16];
	size_t i, n = 200, cap, zn;
	uint8_t *big, *frame;

	make_schema(&sa, false);
	msgpack_sbuffer_init(&a);
	msgpack_sbuffer_init(&b);
	wire_batch_codec(z, &sa, true);
	for (i = 0; i < n; i++) {
		snprintf(rid, sizeof(rid), "r%zu", i);
		set_change(&c[i], "IR-07-03", 1 + (int64_t)i, 5000 + i, "issue", rid, "IR-07-03", "admin",
		           &cols_pool[i % NCOLS]);
		CHECK_INT(wire_batch_add(plain, &c[i], NZ_WIRE_MAX), 0);
		CHECK_INT(wire_batch_add(z, &c[i], NZ_WIRE_MAX), 0);
	}
	CHECK_INT(wire_enc_push(&a, 7, 8, plain), 0);
	CHECK_INT(wire_enc_pull_ok(&b, 7, 8, true, 9, 10, z), 0);
	printf("# 200 changes: %zu bytes with names, %zu numbered and compressed\n", a.size, b.size);
	CHECK(b.size * 3 < a.size);
	CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), 0);
	CHECK_INT(m.type, WIRE_PULL_OK);
	CHECK_INT(m.pull_ok.nchanges, n);
	for (i = 0; i < m.pull_ok.nchanges && i < n; i++)
		CHECK(same_change(&m.pull_ok.changes[i], &c[i]));
	CHECK(m.pull_ok.more && m.pull_ok.head == 9 && m.pull_ok.hlc == 10);
	wire_msg_release(&m);
	/* A receiver that takes less than the frame declares refuses it before decompressing. */
	CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 1000, &m, &err), NZ_ETOOBIG);
	CHECK_HAS(err.msg, "once decompressed, limit 1000");
	/* Shed (a node going idle): a full batch keeps its changes, an empty one
	 * refills; either way the next message is byte for byte the same. */
	{
		msgpack_sbuffer again;
		msgpack_sbuffer_init(&again);
		wire_batch_shed(z);
		CHECK_INT(wire_enc_pull_ok(&again, 7, 8, true, 9, 10, z), 0);
		CHECK(again.size == b.size && memcmp(again.data, b.data, b.size) == 0);
		wire_batch_reset(z);
		wire_batch_shed(z);
		for (i = 0; i < n; i++)
			CHECK_INT(wire_batch_add(z, &c[i], NZ_WIRE_MAX), 0);
		msgpack_sbuffer_clear(&again);
		CHECK_INT(wire_enc_pull_ok(&again, 7, 8, true, 9, 10, z), 0);
		CHECK(again.size == b.size && memcmp(again.data, b.data, b.size) == 0);
		msgpack_sbuffer_destroy(&again);
	}

	/* Small batches stay as they are: compression does not pay there. */
	wire_batch_reset(z);
	CHECK_INT(wire_batch_add(z, &c[0], NZ_WIRE_MAX), 0);
	msgpack_sbuffer_clear(&b);
	CHECK_INT(wire_enc_push(&b, 1, 1, z), 0);
	CHECK(b.size <= wire_batch_size(z));
	CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), 0);
	wire_msg_release(&m);

	/* A bomb: 64 MiB of zeros in a frame of a few KiB, refused at once. */
	big = calloc(1, 64u << 20);
	cap = ZSTD_compressBound(64u << 20);
	frame = malloc(cap);
	zn = ZSTD_compress(frame, cap, big, 64u << 20, 1);
	CHECK(!ZSTD_isError(zn) && zn < 65536);
	push_with_bin(&b, frame, zn);
	CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), NZ_ETOOBIG);
	CHECK_HAS(err.msg, "67108864 bytes once decompressed, limit 4194304");
	/* A frame that does not say its size, one that lies, two frames, garbage, a frame of a non-batch. */
	{
		ZSTD_CCtx *cx = ZSTD_createCCtx();
		ZSTD_outBuffer o = { frame, cap, 0 };
		ZSTD_inBuffer in = { "\x90", 1, 0 };
		size_t one;

		ZSTD_CCtx_setParameter(cx, ZSTD_c_contentSizeFlag, 0);
		ZSTD_compressStream2(cx, &o, &in, ZSTD_e_end);
		push_with_bin(&b, frame, o.pos);
		CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), NZ_EPROTO);
		CHECK_HAS(err.msg, "does not declare its size");
		ZSTD_freeCCtx(cx);
		one = ZSTD_compress(frame, cap, "\x94\x90\x90\x00\x90", 5, 1);
		memcpy(frame + one, frame, one);
		push_with_bin(&b, frame, 2 * one);
		CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), NZ_EPROTO);
		CHECK_HAS(err.msg, "not exactly one zstd frame");
		push_with_bin(&b, frame, one);
		CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), 0);
		CHECK_INT(m.push.nchanges, 0);
		wire_msg_release(&m);
		push_with_bin(&b, frame, one - 1);
		CHECK(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err) != 0);
		push_with_bin(&b, "not zstd", 8);
		CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), NZ_EPROTO);
		CHECK_HAS(err.msg, "not a zstd frame");
		one = ZSTD_compress(frame, cap, "\xc4\x01\x00", 3, 1);
		push_with_bin(&b, frame, one);
		CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), NZ_EPROTO);
		CHECK_HAS(err.msg, "does not hold an array");
		one = ZSTD_compress(frame, cap, "\x94\x90\x90\x00\x90\xc0", 6, 1);
		push_with_bin(&b, frame, one);
		CHECK_INT(wire_decode_with((const uint8_t *)b.data, b.size, &sa, 4u << 20, &m, &err), NZ_EPROTO);
		CHECK_HAS(err.msg, "after the batch");
	}
	free(big);
	free(frame);
	msgpack_sbuffer_destroy(&a);
	msgpack_sbuffer_destroy(&b);
	wire_batch_free(plain);
	wire_batch_free(z);
}

/* HELLO and HELLO_OK carry the codec as an optional last field; without it they are as before. */
static void
t_codec_fields(void)
{
	struct wire_hello h;
	struct wire_hello_ok ok;
	msgpack_sbuffer sb;
	struct wire_msg m;
	struct nz_err err = {0};
	size_t without;

	msgpack_sbuffer_init(&sb);
	memset(&h, 0, sizeof(h));
	snprintf(h.node_id, sizeof(h.node_id), "IR-07-03");
	snprintf(h.parent_id, sizeof(h.parent_id), "IR-07");
	CHECK_INT(wire_enc_hello(&sb, &h), 0);
	without = sb.size;
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK(!m.hello.has_codec);
	wire_msg_release(&m);
	msgpack_sbuffer_clear(&sb);
	h.has_codec = true;
	h.codec.schema = 0x0123456789abcdefULL;
	h.codec.flags = WIRE_CODEC_COLNUMS | WIRE_CODEC_ZSTD;
	h.codec.plain_max = 4u << 20;
	CHECK_INT(wire_enc_hello(&sb, &h), 0);
	CHECK_INT(sb.size, without + 1 + 9 + 1 + 5);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK(m.hello.has_codec && m.hello.codec.schema == h.codec.schema && m.hello.codec.flags == 3 &&
	      m.hello.codec.plain_max == 4u << 20);
	wire_msg_release(&m);
	/* The signature does not cover it: the same bytes are signed with and without. */
	{
		uint8_t x[WIRE_SIGNED_MAX], y[WIRE_SIGNED_MAX];
		size_t xl, yl;
		wire_hello_signed(&h, x, &xl);
		h.has_codec = false;
		wire_hello_signed(&h, y, &yl);
		CHECK(xl == yl && memcmp(x, y, xl) == 0);
	}
	memset(&ok, 0, sizeof(ok));
	snprintf(ok.node_id, sizeof(ok.node_id), "IR-07");
	ok.has_codec = true;
	ok.codec.schema = 7;
	ok.codec.flags = WIRE_CODEC_ZSTD;
	ok.codec.plain_max = 131072;
	msgpack_sbuffer_clear(&sb);
	CHECK_INT(wire_enc_hello_ok(&sb, &ok), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK(m.hello_ok.has_codec && m.hello_ok.codec.schema == 7 && m.hello_ok.codec.flags == WIRE_CODEC_ZSTD &&
	      m.hello_ok.codec.plain_max == 131072);
	wire_msg_release(&m);
	CHECK_INT((uint8_t)sb.data[0], 0x9c);
	/* 14 elements: the next_key of a parent rotating its key (field 12), then one more, skipped. */
	sb.data[0] = (char)0x9e;
	{
		char nk[101] = {(char)0x92, (char)0xc4, 32};
		nk[35] = (char)0xc4;
		nk[36] = 64;
		msgpack_sbuffer_write(&sb, nk, sizeof(nk));
	}
	msgpack_sbuffer_write(&sb, "\x92\x01\x02", 3);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK(m.hello_ok.has_next_key);
	wire_msg_release(&m);
	/* A codec of the wrong shape is refused. */
	sb.size -= 3 + 101 + 1 + 1 + 1 + 5; /* the extension, next_key and [7, 2, 131072] */
	sb.data[0] = (char)0x9c;
	msgpack_sbuffer_write(&sb, "\x92\x01\x02", 3);
	CHECK_INT(decode_sb(&sb, &m, &err), NZ_EPROTO);
	CHECK_HAS(err.msg, "codec has 2 elements");
	msgpack_sbuffer_destroy(&sb);
}

/*
 * The optional pending field of PUSH (5) and PULL_OK (8): carried when the
 * batch has one, -1 when absent (an older peer), a count for display only,
 * bounded by WIRE_PENDING_MAX, and anything after it still skipped (§10).
 */
static void
t_pending(void)
{
	struct nz_change v[3];
	struct wire_batch *b = wire_batch_new();
	struct wire_msg m;
	struct nz_err err;
	msgpack_sbuffer sb, bad;
	msgpack_packer pk;
	size_t plain;

	msgpack_sbuffer_init(&sb);
	msgpack_sbuffer_init(&bad);
	mixed_changes(v, 3);
	CHECK_INT(fill_batch(b, v, 3), 0);

	CHECK_INT(wire_enc_push(&sb, 7, 8, b), 0);
	plain = sb.size;
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.push.pending, -1);
	wire_msg_release(&m);

	wire_batch_pending(b, 5);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 7, 8, b), 0);
	CHECK_INT(sb.size, plain + 1);
	CHECK(sb.size <= wire_batch_size(b));
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.push.pending, 5);
	CHECK_INT(m.push.nchanges, 3);
	wire_msg_release(&m);

	wire_batch_pending(b, WIRE_PENDING_MAX);
	sb.size = 0;
	CHECK_INT(wire_enc_pull_ok(&sb, INT64_MAX, UINT64_MAX, true, INT64_MAX, UINT64_MAX, b), 0);
	CHECK(sb.size <= wire_batch_size(b));
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK(m.pull_ok.pending == WIRE_PENDING_MAX);
	CHECK_INT(m.pull_ok.nchanges, 3);
	wire_msg_release(&m);

	wire_batch_pending(b, 0);
	sb.size = 0;
	CHECK_INT(wire_enc_pull_ok(&sb, 1, 2, false, 1, 3, b), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.pull_ok.pending, 0);
	wire_msg_release(&m);

	/* Out of range is left out by the sender; a reset leaves it out too. */
	wire_batch_pending(b, WIRE_PENDING_MAX + 1);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 7, 8, b), 0);
	CHECK_INT(sb.size, plain);
	wire_batch_pending(b, -7);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 7, 8, b), 0);
	CHECK_INT(sb.size, plain);
	wire_batch_pending(b, 3);
	wire_batch_reset(b);
	sb.size = 0;
	CHECK_INT(wire_enc_pull_ok(&sb, 1, 2, false, 1, 3, b), 0);
	CHECK_INT(decode_sb(&sb, &m, &err), 0);
	CHECK_INT(m.pull_ok.pending, -1);
	wire_msg_release(&m);

	/* A peer's count over the bound, negative, or not an int is refused, naming the field. */
	mixed_changes(v, 3);
	CHECK_INT(fill_batch(b, v, 3), 0);
	sb.size = 0;
	CHECK_INT(wire_enc_push(&sb, 7, 8, b), 0); /* [1, 16, upto, token, batch]: a fixarray of 5 */
	CHECK_INT((uint8_t)sb.data[0], 0x95);
	{
		const int64_t wrong[] = { WIRE_PENDING_MAX + 1, -1, INT64_MAX, INT64_MIN };
		size_t i;

		for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
			bad.size = 0;
			msgpack_sbuffer_write(&bad, sb.data, sb.size);
			bad.data[0] = (char)0x96;
			msgpack_packer_init(&pk, &bad, msgpack_sbuffer_write);
			msgpack_pack_int64(&pk, wrong[i]);
			CHECK_INT(decode_sb(&bad, &m, &err), NZ_EPROTO);
			CHECK(strstr(err.msg, "pending") != NULL);
		}
		bad.size = 0;
		msgpack_sbuffer_write(&bad, sb.data, sb.size);
		bad.data[0] = (char)0x96;
		msgpack_packer_init(&pk, &bad, msgpack_sbuffer_write);
		msgpack_pack_str(&pk, 2);
		msgpack_pack_str_body(&pk, "12", 2);
		CHECK_INT(decode_sb(&bad, &m, &err), NZ_EPROTO);
		CHECK(strstr(err.msg, "pending") != NULL);
		/* A later field after pending is skipped, as §10 says. */
		bad.size = 0;
		msgpack_sbuffer_write(&bad, sb.data, sb.size);
		bad.data[0] = (char)0x97;
		msgpack_packer_init(&pk, &bad, msgpack_sbuffer_write);
		msgpack_pack_int64(&pk, 4);
		msgpack_pack_str(&pk, 1);
		msgpack_pack_str_body(&pk, "x", 1);
		CHECK_INT(decode_sb(&bad, &m, &err), 0);
		CHECK_INT(m.push.pending, 4);
		wire_msg_release(&m);
	}
	msgpack_sbuffer_destroy(&sb);
	msgpack_sbuffer_destroy(&bad);
	wire_batch_free(b);
}

int
main(void)
{
	size_t i;

	if (sodium_init() < 0)
		SKIP_ALL("libsodium does not start");
	make_cols_pool();
	t_hello();
	t_hello_ok();
	t_signed_bytes();
	t_example();
	t_push_ok();
	t_pull_error();
	t_batch_mixed();
	t_overhead();
	t_version();
	t_bad_fields();
	t_shapes();
	t_truncation();
	t_mutations();
	t_budget();
	t_largest();
	t_speed();
	t_colnums();
	t_zstd();
	t_codec_fields();
	t_pending();
	for (i = 0; i < NCOLS; i++)
		msgpack_sbuffer_destroy(&cols_pool[i]);
	TEST_DONE();
}
