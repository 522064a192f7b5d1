/*
 * Enrolment codes, the key messages (ENROL, ROTATE) and what the parent does
 * with them: invitations used once, expired, forged; revocation at once, on
 * a bound connection too; rotation with the old key taken until the new one
 * signs, and refused after.  No network: requests go straight to sync_serve.
 */
#include <ctype.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "domain/domain.h"
#include "proto/wire.h"
#include "repl/enrol.h"
#include "repl/sync.h"
#include "store/store.h"
#include "test.h"

static const char *dir;

struct replica {
	struct store *st;
	struct sync *sync;
	uint8_t pk[32], sk[64];
};

static void
open_replica(struct replica *r, const char *id)
{
	char path[512];
	struct nz_err err = {0};

	snprintf(path, sizeof(path), "%s/%s.db", dir, id);
	if (store_open(&r->st, path, domain_tables(), true, &err) != 0 || store_init_node(r->st, id, &err) != 0) {
		printf("# %s\n", err.msg);
		exit(2);
	}
	crypto_sign_keypair(r->pk, r->sk);
	r->sync = sync_new(r->st, r->sk, 262144);
}

static void
close_replica(struct replica *r)
{
	sync_free(r->sync);
	store_close(r->st);
}

static int64_t
scalar(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

static void
t_code(void)
{
	struct enrol_code c, back;
	struct nz_err err = {0};
	char grouped[ENROL_CODE_MAX], plain[ENROL_CODE_MAX], typed[ENROL_CODE_MAX + 8];
	uint8_t pk[32];
	size_t i;

	memset(&c, 0, sizeof(c));
	snprintf(c.child, sizeof(c.child), "IR-07-03");
	snprintf(c.url, sizeof(c.url), "tcp://10.7.0.1:7400");
	randombytes_buf(pk, sizeof(pk));
	enrol_fingerprint(pk, c.fp);
	randombytes_buf(c.secret, sizeof(c.secret));
	CHECK_INT(enrol_code_write(&c, true, grouped, sizeof(grouped), &err), 0);
	CHECK_INT(enrol_code_write(&c, false, plain, sizeof(plain), &err), 0);
	CHECK_INT(strlen(plain), 52); /* 32 bytes with a tcp IPv4 address */
	CHECK_INT(strlen(grouped), 52 + 12);
	CHECK_INT(enrol_code_read(grouped, &back, &err), 0);
	CHECK_STR(back.child, "IR-07-03");
	CHECK_STR(back.url, "tcp://10.7.0.1:7400");
	CHECK(memcmp(back.fp, c.fp, ENROL_FP_LEN) == 0);
	CHECK(memcmp(back.secret, c.secret, ENROL_SECRET_LEN) == 0);
	/* As a person types it: lower case, O for 0, l for 1, spaces; or after NEHZAT: from a QR code. */
	for (i = 0; plain[i] != '\0'; i++)
		typed[i] = plain[i] == '0' ? 'O' : plain[i] == '1' ? 'l' : (char)tolower((unsigned char)plain[i]);
	typed[i] = '\0';
	CHECK_INT(enrol_code_read(typed, &back, &err), 0);
	CHECK(memcmp(back.secret, c.secret, ENROL_SECRET_LEN) == 0);
	snprintf(typed, sizeof(typed), "NEHZAT:%s", plain);
	CHECK_INT(enrol_code_read(typed, &back, &err), 0);
	CHECK_STR(back.child, "IR-07-03");
	/* Any one character changed is caught by the check bytes (or is not a character at all). */
	for (i = 0; i + 1 < strlen(plain); i++) {
		snprintf(typed, sizeof(typed), "%s", plain);
		typed[i] = typed[i] == 'A' ? 'B' : 'A';
		if (enrol_code_read(typed, &back, &err) == 0)
			break;
	}
	CHECK_INT(i + 1, strlen(plain));
	CHECK(strstr(err.msg, "check characters do not match") != NULL);
	CHECK_INT(enrol_code_read("043G-U0RT", &back, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "'U'") != NULL);
	CHECK_INT(enrol_code_read("043G", &back, &err), NZ_EINVAL);
	/* A province, and an address carried as text. */
	snprintf(c.child, sizeof(c.child), "IR-31");
	snprintf(c.url, sizeof(c.url), "ipc:///var/run/nehzat/IR.sock");
	CHECK_INT(enrol_code_write(&c, true, grouped, sizeof(grouped), &err), 0);
	CHECK_INT(enrol_code_read(grouped, &back, &err), 0);
	CHECK_STR(back.child, "IR-31");
	CHECK_STR(back.url, "ipc:///var/run/nehzat/IR.sock");
	snprintf(c.url, sizeof(c.url), "tls+tcp://192.168.1.20:7400");
	CHECK_INT(enrol_code_write(&c, false, plain, sizeof(plain), &err), 0);
	CHECK_INT(enrol_code_read(plain, &back, &err), 0);
	CHECK_STR(back.url, "tls+tcp://192.168.1.20:7400");
	snprintf(c.child, sizeof(c.child), "IR");
	CHECK_INT(enrol_code_write(&c, false, plain, sizeof(plain), &err), NZ_EINVAL);
	/* PROTOCOL.md §11's example, byte for byte. */
	snprintf(c.child, sizeof(c.child), "IR-07-03");
	snprintf(c.url, sizeof(c.url), "tcp://10.7.0.1:7400");
	for (i = 0; i < ENROL_FP_LEN; i++) {
		c.fp[i] = (uint8_t)i;
		c.secret[i] = (uint8_t)(0x0a + i);
	}
	CHECK_INT(enrol_code_write(&c, true, grouped, sizeof(grouped), &err), 0);
	CHECK_STR(grouped, "043G-608A-0W00-2778-000G-40R4-0M30-E209-185G-R38E-1W81-24GK-C6S0");
}

static void
t_messages(void)
{
	struct wire_enrol e, e2;
	struct wire_rotate r;
	struct wire_msg m;
	struct nz_err err = {0};
	msgpack_sbuffer b;
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len, cut;

	memset(&e, 0, sizeof(e));
	snprintf(e.node_id, sizeof(e.node_id), "IR-07-03");
	snprintf(e.parent_id, sizeof(e.parent_id), "IR-07");
	randombytes_buf(e.pubkey, sizeof(e.pubkey));
	randombytes_buf(e.proof, sizeof(e.proof));
	randombytes_buf(e.sig, sizeof(e.sig));
	msgpack_sbuffer_init(&b);
	CHECK_INT(wire_enc_enrol(&b, &e), 0);
	CHECK_INT(b.size, 2 + 1 + 9 + 6 + 3 * 2 + 32 + 32 + 64);
	CHECK_INT(wire_decode((const uint8_t *)b.data, b.size, &m, &err), 0);
	CHECK_INT(m.type, WIRE_ENROL);
	e2 = m.enrol;
	CHECK(memcmp(&e2, &e, sizeof(e)) == 0);
	wire_msg_release(&m);
	for (cut = 1; cut < b.size; cut++)
		if (wire_decode((const uint8_t *)b.data, cut, &m, &err) == 0)
			break;
	CHECK_INT(cut, b.size); /* every truncation refused */
	CHECK_INT(wire_enrol_signed(&e, msg, &len), 0);
	CHECK_INT(len, 15 + 9 + 6 + 32);
	CHECK(memcmp(msg, "nehzat-enrol-1\0IR-07-03\0IR-07\0", 30) == 0);
	strcpy(e.node_id, "IR-7");
	CHECK_INT(wire_enc_enrol(&b, &e), NZ_EINVAL);

	msgpack_sbuffer_clear(&b);
	randombytes_buf(&r, sizeof(r));
	CHECK_INT(wire_enc_rotate(&b, &r), 0);
	CHECK_INT(wire_decode((const uint8_t *)b.data, b.size, &m, &err), 0);
	CHECK_INT(m.type, WIRE_ROTATE);
	CHECK(memcmp(&m.rotate, &r, sizeof(r)) == 0);
	CHECK_STR(wire_type_name(m.type), "ROTATE");
	wire_msg_release(&m);
	CHECK_INT(wire_rotate_signed(false, "IR-07-03", "IR-07", 256, r.pubkey, msg, &len), 0);
	CHECK_INT(len, 16 + 9 + 6 + 8 + 32);
	CHECK(memcmp(msg + 31, "\0\0\0\0\0\0\1\0", 8) == 0);
	CHECK_INT(wire_rotate_signed(true, "IR-07-03", "IR-07", 256, r.pubkey, msg, &len), 0);
	CHECK(memcmp(msg, "nehzat-rotate-ok-1\0IR-07\0IR-07-03\0", 34) == 0);
	msgpack_sbuffer_destroy(&b);
}

/* enrol_req builds an ENROL of child (key ck) proving secret. */
static void
enrol_req(msgpack_sbuffer *out, const char *child, const char *parent, const uint8_t cpk[32], const uint8_t csk[64],
	  const uint8_t secret[ENROL_SECRET_LEN])
{
	struct wire_enrol e;
	uint8_t msg[WIRE_SIGNED_MAX];
	size_t len;

	memset(&e, 0, sizeof(e));
	snprintf(e.node_id, sizeof(e.node_id), "%s", child);
	snprintf(e.parent_id, sizeof(e.parent_id), "%s", parent);
	memcpy(e.pubkey, cpk, 32);
	wire_enrol_signed(&e, msg, &len);
	enrol_proof(secret, msg, len, e.proof);
	crypto_sign_detached(e.sig, NULL, msg, len, csk);
	msgpack_sbuffer_clear(out);
	wire_enc_enrol(out, &e);
}

/* serve sends req to p on pipe and returns the reply's type, its error text in why. */
static int
serve(struct replica *p, uint32_t pipe, const msgpack_sbuffer *req, msgpack_sbuffer *rep, char *why, size_t n)
{
	struct wire_msg m;
	struct nz_err err = {0};
	int type;

	sync_serve(p->sync, pipe, (const uint8_t *)req->data, req->size, rep);
	if (wire_decode((const uint8_t *)rep->data, rep->size, &m, &err) != 0)
		return -1;
	type = m.type;
	snprintf(why, n, "%s", type == WIRE_ERROR ? m.error.message : "");
	wire_msg_release(&m);
	return type;
}

static int
run_session(struct replica *c, struct replica *p, uint32_t pipe, struct nz_err *err)
{
	msgpack_sbuffer req, rep;
	int trips = 0, rc;

	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);
	if ((rc = sync_child_start(c->sync, &req, err)) == 0)
		while (req.size > 0 && trips++ < 1000) {
			sync_serve(p->sync, pipe, (const uint8_t *)req.data, req.size, &rep);
			if ((rc = sync_child_reply(c->sync, (const uint8_t *)rep.data, rep.size, &req, err)) != 0)
				break;
		}
	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&rep);
	return rc;
}

static int rotated_calls;

static int
on_rotated(void *arg, const uint8_t next_sk[64], struct nz_err *err)
{
	struct replica *c = arg;

	(void)err;
	memcpy(c->sk, next_sk, 64);
	crypto_sign_ed25519_sk_to_pk(c->pk, c->sk);
	rotated_calls++;
	return 0;
}

static void
add_issue(struct replica *r, const char *rid)
{
	struct colset *cs = colset_new();
	struct nz_err err = {0};

	colset_text(cs, "title", rid);
	if (store_write(r->st, "issue", rid, store_node(r->st), cs, "t", &err) != 0)
		printf("# write: %s\n", err.msg);
	colset_free(cs);
}

static void
t_parent(void)
{
	struct replica p, c, d;
	struct nz_err err = {0};
	msgpack_sbuffer req, rep;
	uint8_t secret[ENROL_SECRET_LEN], old_secret[ENROL_SECRET_LEN], other_pk[32], other_sk[64];
	uint8_t next_pk[32], next_sk[64], old_sk[64];
	int64_t expires;
	char why[WIRE_TEXT_MAX];

	open_replica(&p, "IR-09");
	open_replica(&c, "IR-09-01");
	open_replica(&d, "IR-09-02");
	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);

	/* No invitation; then one replaced by a newer one. */
	randombytes_buf(secret, sizeof(secret));
	enrol_req(&req, "IR-09-01", "IR-09", c.pk, c.sk, secret);
	CHECK_INT(serve(&p, 1, &req, &rep, why, sizeof(why)), WIRE_ERROR);
	CHECK(strstr(why, "holds no invitation for IR-09-01") != NULL);
	CHECK_INT(enrol_invite(p.st, "IR-09-01", 3600000, old_secret, &expires, &err), 0);
	CHECK_INT(enrol_invite(p.st, "IR-09-01", 3600000, secret, &expires, &err), 0);
	CHECK_INT(enrol_invite(p.st, "IR-10-01", 3600000, secret, &expires, &err), NZ_EDENIED);
	enrol_req(&req, "IR-09-01", "IR-09", c.pk, c.sk, old_secret);
	CHECK_INT(serve(&p, 1, &req, &rep, why, sizeof(why)), WIRE_ERROR);
	CHECK(strstr(why, "does not match IR-09's invitation for IR-09-01") != NULL);
	/* Signed by another key than it registers. */
	crypto_sign_keypair(other_pk, other_sk);
	enrol_req(&req, "IR-09-01", "IR-09", c.pk, other_sk, secret);
	CHECK_INT(serve(&p, 1, &req, &rep, why, sizeof(why)), WIRE_ERROR);
	CHECK(strstr(why, "not signed by the key it registers") != NULL);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM peer"), 0);
	/* The right one: registered, the invitation burnt, the answer from the key the code names. */
	enrol_req(&req, "IR-09-01", "IR-09", c.pk, c.sk, secret);
	CHECK_INT(serve(&p, 1, &req, &rep, why, sizeof(why)), WIRE_ENROL_OK);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM peer WHERE id = 'IR-09-01' AND role = 'child'"), 1);
	CHECK_INT(scalar(p.st, "SELECT used > 0 FROM invite WHERE child = 'IR-09-01'"), 1);
	{
		struct wire_msg m;
		uint8_t msg[WIRE_SIGNED_MAX];
		size_t len;
		CHECK_INT(wire_decode((const uint8_t *)rep.data, rep.size, &m, &err), 0);
		CHECK(memcmp(m.enrol_ok.pubkey, p.pk, 32) == 0);
		CHECK_INT(wire_enrol_ok_signed(&m.enrol_ok, "IR-09-01", c.pk, msg, &len), 0);
		CHECK_INT(crypto_sign_verify_detached(m.enrol_ok.sig, msg, len, p.pk), 0);
		wire_msg_release(&m);
	}
	/* The same again (a lost reply) is answered again; another key with the code is not. */
	CHECK_INT(serve(&p, 2, &req, &rep, why, sizeof(why)), WIRE_ENROL_OK);
	enrol_req(&req, "IR-09-01", "IR-09", other_pk, other_sk, secret);
	CHECK_INT(serve(&p, 2, &req, &rep, why, sizeof(why)), WIRE_ERROR);
	CHECK(strstr(why, "the code for IR-09-01 was already used, at ") != NULL);
	/* Expired. */
	CHECK_INT(enrol_invite(p.st, "IR-09-02", 3600000, secret, &expires, &err), 0);
	sqlite3_exec(store_db(p.st), "UPDATE invite SET expires = 1000 WHERE child = 'IR-09-02'", NULL, NULL, NULL);
	enrol_req(&req, "IR-09-02", "IR-09", d.pk, d.sk, secret);
	CHECK_INT(serve(&p, 3, &req, &rep, why, sizeof(why)), WIRE_ERROR);
	CHECK(strstr(why, "the code for IR-09-02 expired at 1970-01-01T00:00:01Z") != NULL);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM peer WHERE id = 'IR-09-02'"), 0);
	CHECK_INT(enrol_invite(p.st, "IR-09-02", 3600000, secret, &expires, &err), 0);
	enrol_req(&req, "IR-09-02", "IR-09", d.pk, d.sk, secret);
	CHECK_INT(serve(&p, 3, &req, &rep, why, sizeof(why)), WIRE_ENROL_OK);
	CHECK_INT(enrol_register_peer(c.st, "IR-09", "parent", "", p.pk, &err), 0);
	CHECK_INT(enrol_register_peer(d.st, "IR-09", "parent", "", p.pk, &err), 0);

	/* Both sync. */
	add_issue(&c, "c1");
	add_issue(&d, "d1");
	CHECK_INT(run_session(&c, &p, 10, &err), 0);
	CHECK_INT(run_session(&d, &p, 11, &err), 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue"), 2);

	/* Revoked: refused at once on the bound connection, and at the next HELLO; the other goes on. */
	CHECK_INT(enrol_revoke(p.st, "IR-09-01", &err), 0);
	CHECK_INT(enrol_revoke(p.st, "IR-09-01", &err), NZ_ENOTFOUND);
	add_issue(&c, "c2");
	{
		msgpack_sbuffer next;
		msgpack_sbuffer_init(&next);
		CHECK_INT(sync_child_resume(c.sync, &next, &err), 0);
		CHECK(next.size > 0);
		CHECK_INT(serve(&p, 10, &next, &rep, why, sizeof(why)), WIRE_ERROR);
		CHECK(strstr(why, "the key of IR-09-01 was revoked at ") != NULL);
		msgpack_sbuffer_destroy(&next);
	}
	CHECK_INT(run_session(&c, &p, 12, &err), NZ_EAUTH);
	CHECK(strstr(err.msg, "was revoked") != NULL);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'c2'"), 0);
	add_issue(&d, "d2");
	CHECK_INT(run_session(&d, &p, 13, &err), 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'd2'"), 1);

	/* Rotation: announced after HELLO, the old key still taken until the new one signs. */
	memcpy(old_sk, d.sk, 64);
	crypto_sign_keypair(next_pk, next_sk);
	CHECK(sync_rotate_to(d.sync, next_sk, on_rotated, &d));
	add_issue(&d, "d3");
	CHECK_INT(run_session(&d, &p, 14, &err), 0);
	CHECK_INT(rotated_calls, 1);
	CHECK(!sync_rotating(d.sync));
	CHECK(memcmp(d.pk, next_pk, 32) == 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'd3'"), 1);
	CHECK_INT(scalar(p.st, "SELECT pubkey_next IS NOT NULL FROM peer WHERE id = 'IR-09-02'"), 1);
	add_issue(&d, "d4");
	CHECK_INT(run_session(&d, &p, 15, &err), 0); /* a new HELLO, signed by the new key */
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'd4'"), 1);
	CHECK_INT(scalar(p.st, "SELECT pubkey_next IS NULL FROM peer WHERE id = 'IR-09-02'"), 1);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM oplog WHERE origin = 'IR-09-02'"), 4); /* nothing twice */
	/* The old key is refused now. */
	sync_free(d.sync);
	d.sync = sync_new(d.st, old_sk, 262144);
	CHECK_INT(run_session(&d, &p, 16, &err), NZ_EAUTH);
	CHECK(strstr(err.msg, "does not verify") != NULL);

	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&rep);
	close_replica(&p);
	close_replica(&c);
	close_replica(&d);
}

/* log_begin sends stderr (the log) to a file; log_end restores it and tells whether the file holds want. */
static char log_path[512];

static void
log_begin(int *saved)
{
	fflush(stderr);
	*saved = dup(2);
	snprintf(log_path, sizeof(log_path), "%s/log.txt", dir);
	if (freopen(log_path, "w", stderr) == NULL)
		exit(2);
}

static bool
log_end(int saved, const char *want)
{
	char buf[8192];
	size_t n;
	FILE *f;

	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	if ((f = fopen(log_path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strstr(buf, want) != NULL;
}

/* reply_of serves req at p and returns the decoded reply in m. */
static void
reply_of(struct replica *p, uint32_t pipe, const msgpack_sbuffer *req, msgpack_sbuffer *rep, struct wire_msg *m)
{
	struct nz_err err = {0};

	sync_serve(p->sync, pipe, (const uint8_t *)req->data, req->size, rep);
	if (wire_decode((const uint8_t *)rep->data, rep->size, m, &err) != 0)
		memset(m, 0, sizeof(*m));
}

/*
 * t_parent_key: a parent rotates its key (PROTOCOL.md §11, Rotation of a
 * parent's key).  A forged announcement is ignored with a log line, a forged
 * acknowledgement too; the real ones are recorded; after the switch the
 * child takes the new key and refuses the old.
 */
static void
t_parent_key(void)
{
	struct replica p, c;
	struct nz_err err = {0};
	struct wire_msg m;
	msgpack_sbuffer req, rep, forged;
	uint8_t next_pk[32], next_sk[64], other_pk[32], other_sk[64], old_sk[64], bytes[WIRE_SIGNED_MAX];
	size_t len;
	int saved;

	open_replica(&p, "IR-08");
	open_replica(&c, "IR-08-01");
	msgpack_sbuffer_init(&req);
	msgpack_sbuffer_init(&rep);
	msgpack_sbuffer_init(&forged);
	CHECK_INT(enrol_register_peer(p.st, "IR-08-01", "child", "", c.pk, &err), 0);
	CHECK_INT(enrol_register_peer(c.st, "IR-08", "parent", "", p.pk, &err), 0);
	add_issue(&c, "c1");
	CHECK_INT(run_session(&c, &p, 1, &err), 0);
	CHECK_INT(sync_key_unacked(p.sync), 0); /* nothing announced */

	crypto_sign_keypair(next_pk, next_sk);
	crypto_sign_keypair(other_pk, other_sk);
	sync_announce_key(p.sync, next_sk);
	CHECK_INT(sync_key_unacked(p.sync), 1);

	/* The HELLO_OK carries the next key, signed by the current one. */
	CHECK_INT(sync_child_start(c.sync, &req, &err), 0);
	reply_of(&p, 2, &req, &rep, &m);
	CHECK_INT(m.type, WIRE_HELLO_OK);
	CHECK(m.hello_ok.has_next_key);
	CHECK(memcmp(m.hello_ok.next_key, next_pk, 32) == 0);
	CHECK_INT(wire_next_key_signed(false, "IR-08-01", "IR-08", 0, next_pk, bytes, &len), 0);
	CHECK(memcmp(bytes, "nehzat-parent-key-next-1\0IR-08\0IR-08-01\0", 40) == 0);
	CHECK_INT((int)len, 40 + 8 + 32);

	/* Round trip; without a codec field there is no place for it, and a short key does not decode. */
	{
		struct wire_msg back;
		struct wire_hello_ok bare = m.hello_ok;
		msgpack_sbuffer_clear(&forged);
		CHECK_INT(wire_enc_hello_ok(&forged, &m.hello_ok), 0);
		CHECK_INT(wire_decode((const uint8_t *)forged.data, forged.size, &back, &err), 0);
		CHECK(back.hello_ok.has_next_key && memcmp(back.hello_ok.next_sig, m.hello_ok.next_sig, 64) == 0);
		wire_msg_release(&back);
		bare.has_codec = false;
		msgpack_sbuffer_clear(&forged);
		CHECK_INT(wire_enc_hello_ok(&forged, &bare), NZ_EINVAL);
		msgpack_sbuffer_clear(&forged);
		CHECK_INT(wire_enc_hello_ok(&forged, &m.hello_ok), 0);
		/* The pubkey's bin header is 0xc4 0x20 near the end: make it 31 bytes long. */
		for (len = forged.size - 2 - 64 - 2 - 32; len > 0; len--)
			if ((uint8_t)forged.data[len] == 0xc4 && (uint8_t)forged.data[len + 1] == 32)
				break;
		forged.data[len + 1] = 31;
		CHECK_INT(wire_decode((const uint8_t *)forged.data, forged.size, &back, &err), NZ_EPROTO);
		msgpack_sbuffer_clear(&forged);
	}

	/* Forged: another key announced, signed by a key that is not the parent's. */
	memcpy(m.hello_ok.next_key, other_pk, 32);
	wire_next_key_signed(false, "IR-08-01", "IR-08", 0, other_pk, bytes, &len);
	crypto_sign_detached(m.hello_ok.next_sig, NULL, bytes, len, other_sk);
	CHECK_INT(wire_enc_hello_ok(&forged, &m.hello_ok), 0);
	wire_msg_release(&m);
	log_begin(&saved);
	CHECK_INT(sync_child_reply(c.sync, (const uint8_t *)forged.data, forged.size, &req, &err), 0);
	CHECK(log_end(saved, "sync.auth parent=IR-08 result=bad-next-key-signature ignored=yes"));
	CHECK_INT(scalar(c.st, "SELECT pubkey_next IS NULL FROM peer WHERE id = 'IR-08'"), 1);
	/* The session goes on with the parent's key: the rest of it runs. */
	while (req.size > 0) {
		sync_serve(p.sync, 2, (const uint8_t *)req.data, req.size, &rep);
		if (sync_child_reply(c.sync, (const uint8_t *)rep.data, rep.size, &req, &err) != 0)
			break;
	}
	CHECK_INT(sync_key_unacked(p.sync), 1);

	/* The real one is recorded, and a new HELLO acknowledges it at once. */
	CHECK_INT(sync_child_start(c.sync, &req, &err), 0);
	sync_serve(p.sync, 3, (const uint8_t *)req.data, req.size, &rep);
	CHECK_INT(sync_child_reply(c.sync, (const uint8_t *)rep.data, rep.size, &req, &err), 0);
	CHECK_INT(scalar(c.st, "SELECT length(pubkey_next) FROM peer WHERE id = 'IR-08'"), 32);
	CHECK_INT(wire_decode((const uint8_t *)req.data, req.size, &m, &err), 0);
	CHECK_INT(m.type, WIRE_HELLO);
	CHECK(m.hello.has_key_ack);
	/* A forged acknowledgement (signed by another key) is ignored, logged. */
	{
		struct wire_hello h = m.hello;
		wire_next_key_signed(true, "IR-08-01", "IR-08", h.auth_counter, next_pk, bytes, &len);
		crypto_sign_detached(h.key_ack, NULL, bytes, len, other_sk);
		msgpack_sbuffer_clear(&forged);
		CHECK_INT(wire_enc_hello(&forged, &h), 0);
		log_begin(&saved);
		sync_serve(p.sync, 4, (const uint8_t *)forged.data, forged.size, &rep);
		CHECK(log_end(saved, "sync.auth child=IR-08-01 result=bad-key-ack"));
		CHECK_INT(sync_key_unacked(p.sync), 1);
	}
	wire_msg_release(&m);
	CHECK_INT(run_session(&c, &p, 5, &err), 0); /* its next HELLO acknowledges, properly signed */
	CHECK_INT(sync_key_unacked(p.sync), 0);

	/* The switch: the child takes the new key at its next HELLO_OK, and refuses the old. */
	memcpy(old_sk, p.sk, 64);
	sync_switch_key(p.sync, next_sk);
	add_issue(&c, "c2");
	CHECK_INT(run_session(&c, &p, 6, &err), 0);
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM issue WHERE id = 'c2'"), 1);
	CHECK_INT(scalar(c.st, "SELECT pubkey_next IS NULL FROM peer WHERE id = 'IR-08'"), 1);
	{
		uint8_t now[32];
		sqlite3_stmt *q;
		sqlite3_prepare_v2(store_db(c.st), "SELECT pubkey FROM peer WHERE id = 'IR-08'", -1, &q, NULL);
		CHECK(sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 32);
		memcpy(now, sqlite3_column_blob(q, 0), 32);
		sqlite3_finalize(q);
		CHECK(memcmp(now, next_pk, 32) == 0);
	}
	CHECK_INT(scalar(p.st, "SELECT count(*) FROM meta WHERE key LIKE 'key_ack.%'"), 0);
	sync_free(p.sync);
	p.sync = sync_new(p.st, old_sk, 262144);
	CHECK_INT(run_session(&c, &p, 7, &err), NZ_EAUTH);
	CHECK(strstr(err.msg, "does not verify") != NULL);

	msgpack_sbuffer_destroy(&req);
	msgpack_sbuffer_destroy(&rep);
	msgpack_sbuffer_destroy(&forged);
	close_replica(&p);
	close_replica(&c);
}

int
main(void)
{
	if (sodium_init() < 0)
		SKIP_ALL("libsodium does not start");
	dir = t_tmpdir();
	t_code();
	t_messages();
	t_parent();
	t_parent_key();
	TEST_DONE();
}
