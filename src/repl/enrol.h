#ifndef NZ_ENROL_H
#define NZ_ENROL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/unit.h"
#include "proto/wire.h"
#include "store/store.h"

/*
 * Enrolment by a one-time code, revocation and the peer table's keys
 * (PROTOCOL.md §8 and §11).  The parent makes an invitation for one child:
 * a secret kept in its database that expires; the code it prints carries the
 * child's id, the parent's address, the fingerprint of the parent's key and
 * the secret.  The child proves the secret in ENROL; the parent checks the
 * proof, registers the child's key and burns the invitation in one
 * transaction.  The child pins the parent's key by the fingerprint.
 *
 * The code is 32 bytes or more, written in Crockford's base32 in groups of
 * four (a typing error is caught by two check bytes):
 *   1 format (1) | 2 child: province, county (0 for a province) |
 *   address: 1 tcp or 2 tls+tcp + IPv4 (4) + port (2), or 3 + length + URL |
 *   10 fingerprint: BLAKE2b-256 of the parent's public key, cut |
 *   10 secret | 2 check: BLAKE2b-256 of all before, cut
 */

#define ENROL_FP_LEN 10
#define ENROL_SECRET_LEN 10
#define ENROL_URL_MAX 120          /* bytes of an address carried as text */
#define ENROL_CODE_MAX 256         /* characters of a code, with its dashes and NUL */
#define ENROL_TTL_DEFAULT_H 72     /* hours an invitation lives unless told */

/* What a code holds. */
struct enrol_code {
	char child[NZ_ID_MAX];
	char url[ENROL_URL_MAX + 1];
	uint8_t fp[ENROL_FP_LEN];
	uint8_t secret[ENROL_SECRET_LEN];
};

/* enrol_fingerprint writes the fingerprint of public key pk. */
void enrol_fingerprint(const uint8_t pk[WIRE_KEY_LEN], uint8_t fp[ENROL_FP_LEN]);

/*
 * enrol_code_write writes c as text into out (n bytes, ENROL_CODE_MAX is
 * always enough): in groups of four joined by dashes when grouped, else in
 * one run (for a QR code).  Returns 0 or NZ_EINVAL (the child is not a
 * province or county, or the URL is too long).
 */
int enrol_code_write(const struct enrol_code *c, bool grouped, char *out, size_t n, struct nz_err *err);

/*
 * enrol_code_read reads a code as typed: either case, dashes and spaces
 * anywhere, O for 0, I and L for 1, an optional "NEHZAT:" before it.
 * Returns 0, or NZ_EINVAL with the reason (a character that is not in the
 * alphabet, check bytes that do not match: mistyped or forged).
 */
int enrol_code_read(const char *text, struct enrol_code *c, struct nz_err *err);

/* enrol_proof computes ENROL's proof of secret over its signed bytes. */
void enrol_proof(const uint8_t secret[ENROL_SECRET_LEN], const uint8_t *signed_bytes, size_t len,
		 uint8_t proof[WIRE_PROOF_LEN]);

/* ---- the parent's side ---- */

/*
 * enrol_invite makes (or replaces) the invitation for child, a direct child
 * of st's node, living ttl_ms; writes its new secret and expiry (unix ms).
 * An invitation made earlier for that child no longer works.
 */
int enrol_invite(struct store *st, const char *child, int64_t ttl_ms, uint8_t secret[ENROL_SECRET_LEN],
		 int64_t *expires, struct nz_err *err);

/*
 * enrol_accept checks an ENROL against the invitation of its child (the
 * proof, the signature by the key it registers, not used, not expired) and
 * registers the key, burning the invitation, in one transaction.  The same
 * ENROL again (its reply lost) is accepted again.  Returns 0, or NZ_EAUTH /
 * NZ_EDENIED with the reason for the child, nothing changed.
 */
int enrol_accept(struct store *st, const struct wire_enrol *e, struct nz_err *err);

/*
 * enrol_revoke makes the parent refuse child's key from now on (and drops
 * any invitation for it).  Returns 0, NZ_ENOTFOUND when child is not a
 * registered child, or NZ_EDB.  Enrolling the child again lifts it.
 */
int enrol_revoke(struct store *st, const char *child, struct nz_err *err);

/*
 * enrol_register_peer records pk as the key of peer id (role "parent" or
 * "child") at url, as `nehzat peer add` does.
 */
int enrol_register_peer(struct store *st, const char *id, const char *role, const char *url,
			const uint8_t pk[WIRE_KEY_LEN], struct nz_err *err);

/* enrol_role_of returns the role peer id has for node self: "parent", "child", or NULL when neither. */
const char *enrol_role_of(const char *self, const char *id);

/* enrol_url_dialable tells whether a listen URL can be dialled as it is written (not a wildcard address). */
bool enrol_url_dialable(const char *url);

/* struct enrol_invitation is an invitation as it is handed to the child's office. */
struct enrol_invitation {
	char code[ENROL_CODE_MAX];        /* grouped in dashes, to read out or type */
	char qr[ENROL_CODE_MAX];          /* the same code plain, for a QR code (shown as NEHZAT:code) */
	char fp[2 * ENROL_FP_LEN + 1];    /* the parent's key fingerprint, hex */
	char expires[32];                 /* when it stops working, 2026-12-09T15:10:00Z */
	int64_t expires_ms;
};

/*
 * enrol_invite_code makes (or replaces) child's invitation to join st's node,
 * whose public key is pk, reached at url, living ttl_ms, and writes it as the
 * codes in out (`nehzat peer invite` and POST /peers/invite).  A url that
 * cannot be dialled (a wildcard address) or too long is refused (NZ_EINVAL),
 * a unit that is not a child NZ_EDENIED; nothing changed then.
 */
int enrol_invite_code(struct store *st, const uint8_t pk[WIRE_KEY_LEN], const char *child, const char *url,
		      int64_t ttl_ms, struct enrol_invitation *out, struct nz_err *err);

/* enrol_time_text writes unix ms as 2026-12-06T15:10:00Z ("never" for 0). */
void enrol_time_text(int64_t ms, char *buf, size_t n);

#endif
