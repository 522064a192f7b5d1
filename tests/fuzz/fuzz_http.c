/*
 * libFuzzer target for the HTTP routes, logged in as an admin: every input
 * is one request to http_app_handle() on a real county store.  The input is
 *   METHOD-BYTE URI '\n' BODY
 * (method: the byte modulo 6 of GET, POST, PATCH, PUT, DELETE, HEAD); the
 * session cookie, the CSRF token and Content-Type: application/json are
 * always sent, so the fuzzer reaches the routes, not the login page.
 * Checks: every answer has a status, and an error is a JSON object with a
 * length.  Left out, because argon2id costs 100 ms a hash by design:
 * /login and the user routes that hash a password.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "domain/domain.h"
#include "fuzz.h"
#include "http/http.h"

static struct store *st;
static struct http_app *app;
static char cookie[100], csrf[65], token_sha[65];

static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"};

/* session (re)writes the admin's session row: a route may have ended it (logout, a new password). */
static void
session(void)
{
	char sql[400];

	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO http_session(token, user, csrf, created, expires)"
		 " VALUES ('%s', 'admin', '%s', 0, 9000000000000);"
		 "UPDATE http_user SET active = 1 WHERE name = 'admin';",
		 token_sha, csrf);
	if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
		abort();
}

static void
setup(void)
{
	struct nz_err err = {0};
	struct http_env env;
	unsigned char raw[32], h[32];
	char path[512], token[65];

	snprintf(path, sizeof(path), "%s/county.db", fuzz_dir());
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, "IR-07-03", &err) != 0)
		goto fail;
	memset(&env, 0, sizeof(env));
	env.st = st;
	env.id = "IR-07-03";
	env.name = "fuzz";
	env.sync_interval = 2;
	if (http_app_new(&app, &env, &err) != 0 ||
	    user_add(st, "admin", NULL, ROLE_ADMIN, NULL, "admin-pass-1", &err) != 0 ||
	    user_add(st, "helper", NULL, ROLE_HELPER, "APPT-1", "helper-pass-1", &err) != 0)
		goto fail;
	/* A session made as login makes one: a random token, its SHA-256 kept. */
	memset(raw, 7, sizeof(raw));
	sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(token_sha, sizeof(token_sha), h, sizeof(h));
	memset(raw, 9, sizeof(raw));
	sodium_bin2hex(csrf, sizeof(csrf), raw, sizeof(raw));
	snprintf(cookie, sizeof(cookie), "nz_session=%s", token);
	return;
fail:
	fprintf(stderr, "fuzz_http: %s\n", err.msg);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req rq;
	struct http_res rs;
	const uint8_t *nl;
	char *uri;
	size_t ulen;

	if (app == NULL)
		setup();
	if (size < 2)
		return 0;
	nl = memchr(data + 1, '\n', size - 1);
	ulen = nl ? (size_t)(nl - data - 1) : size - 1;
	if ((uri = malloc(ulen + 1)) == NULL)
		abort();
	memcpy(uri, data + 1, ulen);
	uri[ulen] = '\0';
	if (strstr(uri, "login") != NULL || (strstr(uri, "users") != NULL && data[0] % 6 != 0)) {
		free(uri);
		return 0;
	}
	session();
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = methods[data[0] % 6];
	rq.uri = uri;
	rq.cookie = cookie;
	rq.csrf = csrf;
	rq.content_type = "application/json";
	rq.body = nl ? (const char *)nl + 1 : NULL;
	rq.len = nl ? size - ulen - 2 : 0;
	rq.peer = "127.0.0.1";
	http_app_handle(app, &rq, &rs);
	if (rs.status < 100 || rs.status > 599)
		abort();
	if (rs.status >= 400 && (rs.body == NULL || rs.len != strlen(rs.body) || rs.body[0] != '{'))
		abort(); /* an error without a JSON body and its length */
	http_res_release(&rs);
	free(uri);
	return 0;
}
