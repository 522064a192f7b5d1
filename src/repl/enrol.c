#include "repl/enrol.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store/hlc.h"

#define CODE_FORMAT 1
#define CODE_BYTES_MAX (1 + 2 + 2 + ENROL_URL_MAX + ENROL_FP_LEN + ENROL_SECRET_LEN + 2)

enum addr_kind { ADDR_TCP4 = 1, ADDR_TLS4 = 2, ADDR_TEXT = 3 };

/* Crockford's base32: no I, L, O or U, so nothing reads as something else. */
static const char b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
enrol_time_text(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(buf, n, "never");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void
enrol_fingerprint(const uint8_t pk[WIRE_KEY_LEN], uint8_t fp[ENROL_FP_LEN])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), pk, WIRE_KEY_LEN, NULL, 0);
	memcpy(fp, h, ENROL_FP_LEN);
}

void
enrol_proof(const uint8_t secret[ENROL_SECRET_LEN], const uint8_t *signed_bytes, size_t len,
	    uint8_t proof[WIRE_PROOF_LEN])
{
	crypto_generichash_state st;

	/* BLAKE2b has no length extension: secret || message is a sound MAC. */
	crypto_generichash_init(&st, NULL, 0, WIRE_PROOF_LEN);
	crypto_generichash_update(&st, (const uint8_t *)"nehzat-enrol-proof-1", 21);
	crypto_generichash_update(&st, secret, ENROL_SECRET_LEN);
	crypto_generichash_update(&st, signed_bytes, len);
	crypto_generichash_final(&st, proof, WIRE_PROOF_LEN);
}

static void
check_bytes(const uint8_t *p, size_t n, uint8_t out[2])
{
	uint8_t h[32];

	crypto_generichash(h, sizeof(h), p, n, NULL, 0);
	out[0] = h[0];
	out[1] = h[1];
}

/* parse_ipv4 reads "a.b.c.d:port" into 6 bytes; false if it is anything else. */
static bool
parse_ipv4(const char *s, uint8_t out[6])
{
	unsigned a, b, c, d, port;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u:%u%c", &a, &b, &c, &d, &port, &tail) != 5 || a > 255 || b > 255 ||
	    c > 255 || d > 255 || port == 0 || port > 65535)
		return false;
	out[0] = (uint8_t)a, out[1] = (uint8_t)b, out[2] = (uint8_t)c, out[3] = (uint8_t)d;
	out[4] = (uint8_t)(port >> 8), out[5] = (uint8_t)port;
	/* Only the canonical spelling, so that the URL read back is the one written. */
	{
		char again[32];
		snprintf(again, sizeof(again), "%u.%u.%u.%u:%u", a, b, c, d, port);
		return strcmp(again, s) == 0;
	}
}

int
enrol_code_write(const struct enrol_code *c, bool grouped, char *out, size_t n, struct nz_err *err)
{
	uint8_t raw[CODE_BYTES_MAX];
	size_t len = 0, i, k = 0, chars;
	int pp = 0, cc = 0, level = unit_level(c->child);
	size_t ulen = strlen(c->url);

	if (level != 1 && level != 2)
		return nz_fail(err, NZ_EINVAL, "'%s' is not a province or county code", c->child);
	sscanf(c->child, "IR-%2d-%2d", &pp, &cc);
	raw[len++] = CODE_FORMAT;
	raw[len++] = (uint8_t)pp;
	raw[len++] = (uint8_t)(level == 2 ? cc : 0);
	if (strncmp(c->url, "tcp://", 6) == 0 && parse_ipv4(c->url + 6, raw + len + 1)) {
		raw[len] = ADDR_TCP4;
		len += 7;
	} else if (strncmp(c->url, "tls+tcp://", 10) == 0 && parse_ipv4(c->url + 10, raw + len + 1)) {
		raw[len] = ADDR_TLS4;
		len += 7;
	} else {
		if (ulen == 0 || ulen > ENROL_URL_MAX)
			return nz_fail(err, NZ_EINVAL, "the address '%s' is empty or over %d bytes", c->url,
				       ENROL_URL_MAX);
		raw[len++] = ADDR_TEXT;
		raw[len++] = (uint8_t)ulen;
		memcpy(raw + len, c->url, ulen);
		len += ulen;
	}
	memcpy(raw + len, c->fp, ENROL_FP_LEN);
	len += ENROL_FP_LEN;
	memcpy(raw + len, c->secret, ENROL_SECRET_LEN);
	len += ENROL_SECRET_LEN;
	check_bytes(raw, len, raw + len);
	len += 2;
	chars = (len * 8 + 4) / 5;
	if (chars + chars / 4 + 1 > n)
		return nz_fail(err, NZ_ETOOBIG, "no room for the code");
	for (i = 0; i < chars; i++) {
		size_t bit = i * 5, byte = bit / 8;
		unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < len ? raw[byte + 1] : 0);
		if (grouped && i > 0 && i % 4 == 0)
			out[k++] = '-';
		out[k++] = b32[(v >> (11 - bit % 8)) & 31];
	}
	out[k] = '\0';
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

static int
b32_value(int ch)
{
	const char *p;

	ch = toupper(ch);
	if (ch == 'O')
		ch = '0';
	else if (ch == 'I' || ch == 'L')
		ch = '1';
	p = ch ? strchr(b32, ch) : NULL;
	return p ? (int)(p - b32) : -1;
}

int
enrol_code_read(const char *text, struct enrol_code *c, struct nz_err *err)
{
	uint8_t raw[CODE_BYTES_MAX + 2] = {0}, sum[2];
	size_t nbits = 0, len, at;
	const char *p = text;
	int rc = 0, v;

	memset(c, 0, sizeof(*c));
	while (isspace((unsigned char)*p))
		p++;
	if (strncasecmp(p, "NEHZAT:", 7) == 0)
		p += 7;
	for (; *p != '\0'; p++) {
		if (*p == '-' || isspace((unsigned char)*p))
			continue;
		if ((v = b32_value((unsigned char)*p)) < 0)
			return nz_fail(err, NZ_EINVAL, "the code has '%c', which no code holds (mistyped?)", *p);
		if (nbits + 5 > sizeof(raw) * 8)
			return nz_fail(err, NZ_EINVAL, "the code is too long to be one");
		for (int b = 4; b >= 0; b--, nbits++)
			if (v >> b & 1)
				raw[nbits / 8] |= (uint8_t)(0x80 >> nbits % 8);
	}
	len = nbits / 8;
	if (len < 1 + 2 + 1 + 6 + ENROL_FP_LEN + ENROL_SECRET_LEN + 2)
		return nz_fail(err, NZ_EINVAL, "the code is too short: %zu characters (mistyped?)", (nbits + 4) / 5);
	check_bytes(raw, len - 2, sum);
	if (sum[0] != raw[len - 2] || sum[1] != raw[len - 1])
		return nz_fail(err, NZ_EINVAL, "the code's check characters do not match: mistyped or forged");
	if (raw[0] != CODE_FORMAT)
		return nz_fail(err, NZ_EINVAL, "the code is of format %d; this program reads format %d (upgrade it)",
			       raw[0], CODE_FORMAT);
	if (raw[1] < 1 || raw[1] > 99 || raw[2] > 99)
		return nz_fail(err, NZ_EINVAL, "the code names no province or county");
	if (raw[2] == 0)
		snprintf(c->child, sizeof(c->child), "IR-%02u", raw[1]);
	else
		snprintf(c->child, sizeof(c->child), "IR-%02u-%02u", raw[1], raw[2]);
	at = 3;
	switch (raw[at]) {
	case ADDR_TCP4:
	case ADDR_TLS4:
		snprintf(c->url, sizeof(c->url), "%s://%u.%u.%u.%u:%u", raw[at] == ADDR_TCP4 ? "tcp" : "tls+tcp",
			 raw[at + 1], raw[at + 2], raw[at + 3], raw[at + 4], (unsigned)raw[at + 5] << 8 | raw[at + 6]);
		at += 7;
		break;
	case ADDR_TEXT:
		if (raw[at + 1] == 0 || raw[at + 1] > ENROL_URL_MAX || at + 2 + raw[at + 1] > len - 2) {
			rc = nz_fail(err, NZ_EINVAL, "the code's address is cut short");
			goto out;
		}
		memcpy(c->url, raw + at + 2, raw[at + 1]);
		c->url[raw[at + 1]] = '\0';
		at += 2 + raw[at + 1];
		break;
	default:
		rc = nz_fail(err, NZ_EINVAL, "the code's address is of an unknown kind %d", raw[at]);
		goto out;
	}
	if (at + ENROL_FP_LEN + ENROL_SECRET_LEN + 2 != len) {
		rc = nz_fail(err, NZ_EINVAL, "the code has %zu bytes, its parts make %zu",
			     len, at + ENROL_FP_LEN + ENROL_SECRET_LEN + 2);
		goto out;
	}
	memcpy(c->fp, raw + at, ENROL_FP_LEN);
	memcpy(c->secret, raw + at + ENROL_FP_LEN, ENROL_SECRET_LEN);
out:
	sodium_memzero(raw, sizeof(raw));
	if (rc != 0)
		sodium_memzero(c, sizeof(*c));
	return rc;
}

/* ---- the parent's side ---- */

static int
is_child_of(const char *child, const char *self)
{
	char parent[NZ_ID_MAX];

	return unit_parent(child, parent) == 0 && strcmp(parent, self) == 0;
}

int
enrol_invite(struct store *st, const char *child, int64_t ttl_ms, uint8_t secret[ENROL_SECRET_LEN],
	     int64_t *expires, struct nz_err *err)
{
	sqlite3_stmt *q;
	int64_t now = (int64_t)hlc_wall_ms();
	int rc;

	if (!is_child_of(child, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "%s is not a child of %s", child, store_node(st));
	if (ttl_ms <= 0)
		return nz_fail(err, NZ_EINVAL, "an invitation must live some time");
	randombytes_buf(secret, ENROL_SECRET_LEN);
	*expires = now + ttl_ms;
	if ((q = store_prepare(st,
			       "INSERT OR REPLACE INTO invite (child, secret, created, expires, used)"
			       " VALUES (?1, ?2, ?3, ?4, 0)",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, child, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, secret, ENROL_SECRET_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	sqlite3_bind_int64(q, 4, *expires);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sqlerr(st, err, "invite");
	sqlite3_reset(q);
	return rc;
}

const char *
enrol_role_of(const char *self, const char *id)
{
	if (is_child_of(self, id))
		return "parent";
	if (is_child_of(id, self))
		return "child";
	return NULL;
}

bool
enrol_url_dialable(const char *url)
{
	return url[0] != '\0' && strstr(url, "://0.0.0.0:") == NULL && strstr(url, "://[::]:") == NULL &&
	       strstr(url, "://:") == NULL && strstr(url, "://*:") == NULL;
}

int
enrol_invite_code(struct store *st, const uint8_t pk[WIRE_KEY_LEN], const char *child, const char *url,
		  int64_t ttl_ms, struct enrol_invitation *out, struct nz_err *err)
{
	struct enrol_code c;
	uint8_t fp[ENROL_FP_LEN];
	int rc;

	memset(out, 0, sizeof(*out));
	if (!enrol_url_dialable(url))
		return nz_fail(err, NZ_EINVAL, "'%s' cannot be dialled by a child: give the address it reaches %s at"
				      " (tcp://HOST:PORT)", url, store_node(st));
	if (strlen(url) >= sizeof(c.url))
		return nz_fail(err, NZ_EINVAL, "the address is over %d bytes", ENROL_URL_MAX);
	memset(&c, 0, sizeof(c));
	snprintf(c.child, sizeof(c.child), "%s", child);
	snprintf(c.url, sizeof(c.url), "%s", url);
	enrol_fingerprint(pk, c.fp);
	memcpy(fp, c.fp, sizeof(fp));
	if ((rc = enrol_invite(st, child, ttl_ms, c.secret, &out->expires_ms, err)) == 0 &&
	    (rc = enrol_code_write(&c, true, out->code, sizeof(out->code), err)) == 0)
		rc = enrol_code_write(&c, false, out->qr, sizeof(out->qr), err);
	sodium_memzero(c.secret, sizeof(c.secret));
	if (rc != 0) {
		sodium_memzero(out, sizeof(*out));
		return rc;
	}
	enrol_time_text(out->expires_ms, out->expires, sizeof(out->expires));
	sodium_bin2hex(out->fp, sizeof(out->fp), fp, ENROL_FP_LEN);
	return 0;
}

int
enrol_register_peer(struct store *st, const char *id, const char *role, const char *url,
		    const uint8_t pk[WIRE_KEY_LEN], struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	/* A new key for a peer starts its authentication afresh: no revocation,
	 * no announced next key, no counter of the old key's sessions. */
	if ((q = store_prepare(st,
			       "INSERT INTO peer (id, role, url, pubkey) VALUES (?1, ?2, ?3, ?4)"
			       " ON CONFLICT(id) DO UPDATE SET role = ?2, url = ?3,"
			       " auth_counter = CASE WHEN pubkey IS ?4 THEN auth_counter ELSE 0 END,"
			       " pubkey = ?4, revoked = 0, pubkey_next = NULL, last_error = ''",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, url, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 4, pk, WIRE_KEY_LEN, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sqlerr(st, err, "peer");
	sqlite3_reset(q);
	return rc;
}

/* has_key tells whether pk is the registered key of child. */
static bool
has_key(struct store *st, const char *child, const uint8_t pk[WIRE_KEY_LEN])
{
	sqlite3_stmt *q = store_prepare(st, "SELECT pubkey FROM peer WHERE id = ?1 AND role = 'child'", NULL);
	bool same = false;

	if (q == NULL)
		return false;
	sqlite3_bind_text(q, 1, child, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == WIRE_KEY_LEN)
		same = sodium_memcmp(sqlite3_column_blob(q, 0), pk, WIRE_KEY_LEN) == 0;
	sqlite3_reset(q);
	return same;
}

int
enrol_accept(struct store *st, const struct wire_enrol *e, struct nz_err *err)
{
	uint8_t secret[ENROL_SECRET_LEN], msg[WIRE_SIGNED_MAX], proof[WIRE_PROOF_LEN];
	char when[32];
	sqlite3_stmt *q;
	int64_t expires = 0, used = 0, now = (int64_t)hlc_wall_ms();
	size_t len;
	bool found = false;
	int rc, step;

	if (strcmp(e->parent_id, store_node(st)) != 0)
		return nz_fail(err, NZ_EDENIED, "this is %s, not %s", store_node(st), e->parent_id);
	if (!is_child_of(e->node_id, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "%s is not a child of %s", e->node_id, store_node(st));
	if (wire_enrol_signed(e, msg, &len) != 0)
		return nz_fail(err, NZ_EPROTO, "malformed enrolment");
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((q = store_prepare(st, "SELECT secret, expires, used FROM invite WHERE child = ?1", err)) == NULL) {
		rc = NZ_EDB;
		goto out;
	}
	sqlite3_bind_text(q, 1, e->node_id, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(q)) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == ENROL_SECRET_LEN) {
		memcpy(secret, sqlite3_column_blob(q, 0), ENROL_SECRET_LEN);
		expires = sqlite3_column_int64(q, 1);
		used = sqlite3_column_int64(q, 2);
		found = true;
	}
	sqlite3_reset(q);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = store_sqlerr(st, err, "invite");
		goto out;
	}
	if (!found) {
		rc = nz_fail(err, NZ_EAUTH, "%s holds no invitation for %s (run 'nehzat peer invite --id %s' there)",
			     store_node(st), e->node_id, e->node_id);
		goto out;
	}
	/* Only a holder of the secret learns more than that it failed. */
	enrol_proof(secret, msg, len, proof);
	if (sodium_memcmp(proof, e->proof, WIRE_PROOF_LEN) != 0) {
		rc = nz_fail(err, NZ_EAUTH,
			     "the code does not match %s's invitation for %s (mistyped, forged, or replaced by a"
			     " newer invitation)", store_node(st), e->node_id);
		goto out;
	}
	if (crypto_sign_verify_detached(e->sig, msg, len, e->pubkey) != 0) {
		rc = nz_fail(err, NZ_EAUTH, "the enrolment is not signed by the key it registers");
		goto out;
	}
	if (used != 0) {
		/* The same enrolment again, its reply lost on the way: answer again. */
		if (has_key(st, e->node_id, e->pubkey))
			goto out;
		enrol_time_text(used, when, sizeof(when));
		rc = nz_fail(err, NZ_EAUTH, "the code for %s was already used, at %s; ask %s for a new one",
			     e->node_id, when, store_node(st));
		goto out;
	}
	if (now > expires) {
		enrol_time_text(expires, when, sizeof(when));
		rc = nz_fail(err, NZ_EAUTH, "the code for %s expired at %s; ask %s for a new one", e->node_id,
			     when, store_node(st));
		goto out;
	}
	if ((rc = enrol_register_peer(st, e->node_id, "child", "", e->pubkey, err)) != 0)
		goto out;
	/* A child enrolled anew starts a new log: its old cursors mean nothing. */
	if ((q = store_prepare(st, "UPDATE peer SET ack = 0, ack_token = 0, auth_counter = 0 WHERE id = ?1",
			       err)) == NULL ||
	    (sqlite3_bind_text(q, 1, e->node_id, -1, SQLITE_STATIC), sqlite3_step(q)) != SQLITE_DONE) {
		if (q != NULL)
			sqlite3_reset(q);
		rc = store_sqlerr(st, err, "peer");
		goto out;
	}
	sqlite3_reset(q);
	if ((q = store_prepare(st, "UPDATE invite SET used = ?2 WHERE child = ?1", err)) == NULL) {
		rc = NZ_EDB;
		goto out;
	}
	sqlite3_bind_text(q, 1, e->node_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now);
	step = sqlite3_step(q);
	sqlite3_reset(q);
	if (step != SQLITE_DONE)
		rc = store_sqlerr(st, err, "invite");
out:
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int
enrol_revoke(struct store *st, const char *child, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc, changed;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((q = store_prepare(st,
			       "UPDATE peer SET revoked = ?2, pubkey_next = NULL,"
			       " last_error = 'key revoked: every request refused'"
			       " WHERE id = ?1 AND role = 'child' AND revoked = 0",
			       err)) == NULL) {
		store_rollback(st);
		return NZ_EDB;
	}
	sqlite3_bind_text(q, 1, child, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (int64_t)hlc_wall_ms());
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sqlerr(st, err, "peer");
	sqlite3_reset(q);
	changed = sqlite3_changes(store_db(st));
	if (rc == 0 && (q = store_prepare(st, "DELETE FROM invite WHERE child = ?1", err)) != NULL) {
		sqlite3_bind_text(q, 1, child, -1, SQLITE_STATIC);
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sqlerr(st, err, "invite");
		sqlite3_reset(q);
	}
	if (rc == 0 && changed == 0)
		rc = nz_fail(err, NZ_ENOTFOUND, "%s is not a registered child of %s, or already revoked", child,
			     store_node(st));
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}
