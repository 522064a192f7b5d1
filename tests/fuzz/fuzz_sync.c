/*
 * libFuzzer target for a whole sync session against real stores: a
 * province (IR-07) and its registered county (IR-07-03), keys made from
 * fixed seeds.  Each input first has the county say a real, signed HELLO
 * on a new pipe, so what follows is trusted as far as signatures go, and
 * then, by the first byte modulo 3:
 *   0  the rest is requests from the county to the province, each a 2-byte
 *      big-endian length and that many bytes (raw messages: PUSH, PULL, junk);
 *   1  the rest describes changes the county pushes, built into a
 *      well-formed PUSH so that they reach the apply path: per change, a
 *      table, owner and origin chosen by a byte each, 8 bytes of sequence,
 *      8 of clock, a record id and its columns (msgpack, as sent);
 *   2  the rest is replies from the province to the county, framed as in 0
 *      (the child's side of the session).
 * Checks: sync_serve always replies with a message that decodes; a child
 * taking a reply either errs with a reason or writes a request that decodes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "domain/domain.h"
#include "fuzz.h"
#include "proto/wire.h"
#include "repl/sync.h"

struct node {
	struct store *st;
	struct sync *sync;
	uint8_t pk[32], sk[64];
};

static struct node prov, county;
static uint32_t pipe_no;
static msgpack_sbuffer req, rep;
static struct wire_batch *batch;

static const char *const units[] = {"IR-07-03", "IR-07", "IR", "IR-07-01", "IR-08-03", "IR-07-03", "", "IR-07-3"};

static void
open_node(struct node *n, const char *id, unsigned char seed_byte)
{
	unsigned char seed[32];
	struct nz_err err = {0};
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.db", fuzz_dir(), id);
	if (store_open(&n->st, path, domain_tables(), true, &err) != 0 || store_init_node(n->st, id, &err) != 0) {
		fprintf(stderr, "fuzz_sync: %s\n", err.msg);
		abort();
	}
	memset(seed, seed_byte, sizeof(seed));
	crypto_sign_seed_keypair(n->pk, n->sk, seed);
	if ((n->sync = sync_new(n->st, n->sk, 65536)) == NULL)
		abort();
}

static void
trust(struct node *at, const char *id, const char *role, const uint8_t pk[32])
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(at->st), "INSERT OR REPLACE INTO peer (id, role, pubkey) VALUES (?, ?, ?)",
			       -1, &q, NULL) != SQLITE_OK)
		abort();
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, pk, 32, SQLITE_STATIC);
	sqlite3_step(q);
	sqlite3_finalize(q);
}

static void
setup(void)
{
	if (sodium_init() < 0)
		abort();
	open_node(&prov, "IR-07", 1);
	open_node(&county, "IR-07-03", 2);
	trust(&prov, "IR-07-03", "child", county.pk);
	trust(&county, "IR-07", "parent", prov.pk);
	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);
	if ((batch = wire_batch_new()) == NULL)
		abort();
}

/* serve hands one request to the province and checks that the reply decodes. */
static void
serve(const uint8_t *buf, size_t len)
{
	struct nz_err err = {0};
	struct wire_msg m;

	msgpack_sbuffer_clear(&rep);
	sync_serve(prov.sync, pipe_no, buf, len, &rep);
	/* The child reads replies with the column numbering both ends share. */
	if (rep.size == 0 ||
	    wire_decode_with((const uint8_t *)rep.data, rep.size, sync_schema(county.sync), NZ_WIRE_MAX, &m, &err) != 0)
		abort(); /* no reply, or one the child could not read */
	wire_msg_release(&m);
}

/* next takes n bytes off *p (of *left); NULL when there are not enough. */
static const uint8_t *
next(const uint8_t **p, size_t *left, size_t n)
{
	const uint8_t *at = *p;

	if (*left < n)
		return NULL;
	*p += n;
	*left -= n;
	return at;
}

/* frame takes one 2-byte-length-framed message. */
static const uint8_t *
frame(const uint8_t **p, size_t *left, size_t *len)
{
	const uint8_t *h = next(p, left, 2);

	if (h == NULL)
		return NULL;
	*len = (size_t)h[0] << 8 | h[1];
	if (*len > *left)
		*len = *left;
	return next(p, left, *len);
}

static uint64_t
be64(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | b[i];
	return v;
}

/* push_built builds a PUSH of the changes the input describes and serves it. */
static void
push_built(const uint8_t *p, size_t left)
{
	const struct tbl_def *const *tables = domain_tables();
	size_t ntables = 0;
	const uint8_t *h, *s;
	struct nz_change c;
	int n = 0;

	while (tables[ntables] != NULL)
		ntables++;
	wire_batch_reset(batch);
	while (n < 64 && (h = next(&p, &left, 3 + 8 + 8 + 1 + 2)) != NULL) {
		size_t rl = h[19] % NZ_RID_MAX, cl = (size_t)h[20] << 8 | h[21];
		memset(&c, 0, sizeof(c));
		snprintf(c.tbl, sizeof(c.tbl), "%s", tables[h[0] % ntables]->name);
		snprintf(c.owner, sizeof(c.owner), "%s", units[h[1] % 8]);
		snprintf(c.origin, sizeof(c.origin), "%s", units[h[2] % 8]);
		c.origin_seq = (int64_t)be64(h + 3);
		c.hlc = be64(h + 11);
		if ((s = next(&p, &left, rl)) == NULL)
			break;
		memcpy(c.rid, s, rl);
		c.rid[rl] = '\0';
		if (cl > left)
			cl = left;
		c.cols = next(&p, &left, cl);
		c.cols_len = cl;
		snprintf(c.author, sizeof(c.author), "fuzz");
		if (wire_change_check(&c, NULL) != 0)
			continue; /* what the decoder would refuse never reaches the session */
		if (wire_batch_add(batch, &c, NZ_WIRE_MAX) != 0)
			break;
		n++;
	}
	msgpack_sbuffer_clear(&req);
	if (wire_enc_push(&req, store_log_head(county.st), 0, batch) != 0)
		abort();
	serve((const uint8_t *)req.data, req.size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nz_err err = {0};
	const uint8_t *p = data + 1, *m;
	size_t left, len;
	int k = 0;

	if (prov.st == NULL)
		setup();
	if (size < 1)
		return 0;
	left = size - 1;
	/* The county's real HELLO on a new pipe, and its answer. */
	pipe_no++;
	msgpack_sbuffer_clear(&req);
	if (sync_child_start(county.sync, &req, &err) != 0) {
		fprintf(stderr, "fuzz_sync: %s\n", err.msg);
		abort();
	}
	serve((const uint8_t *)req.data, req.size);
	switch (data[0] % 3) {
	case 0:
		while (k++ < 32 && (m = frame(&p, &left, &len)) != NULL)
			serve(m, len);
		break;
	case 1:
		push_built(p, left);
		break;
	case 2:
		msgpack_sbuffer_clear(&req);
		if (sync_child_reply(county.sync, (const uint8_t *)rep.data, rep.size, &req, &err) != 0)
			break;
		while (k++ < 32 && (m = frame(&p, &left, &len)) != NULL) {
			struct wire_msg w;
			msgpack_sbuffer_clear(&req);
			err.msg[0] = '\0';
			if (sync_child_reply(county.sync, m, len, &req, &err) != 0) {
				if (err.msg[0] == '\0')
					abort(); /* an error without a reason */
				break;
			}
			if (req.size > 0) {
				/* The parent reads it with the numbering both ends share. */
				if (wire_decode_with((const uint8_t *)req.data, req.size, sync_schema(prov.sync), NZ_WIRE_MAX,
						     &w, &err) != 0)
					abort();
				wire_msg_release(&w);
			}
		}
		break;
	}
	sync_pipe_closed(prov.sync, pipe_no);
	return 0;
}
