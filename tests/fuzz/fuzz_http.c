/*
 * libFuzzer target for the HTTP routes, logged in: every input is one
 * request to http_app_handle() on a real county store.  The input is
 *   BYTE URI '\n' BODY
 * (the byte modulo 6 picks the method of GET, POST, PATCH, PUT, DELETE,
 * HEAD; the byte / 6 modulo 3 the user: an admin, a helper of group APPT-1,
 * a viewer); that user's session cookie, CSRF token and Content-Type:
 * application/json are always sent, so the fuzzer reaches the routes and
 * their role checks, not the login page.
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
static const char *const users[] = {"admin", "helper", "viewer"};
static char cookie[3][100], csrf[3][65], token_sha[3][65];

static const char *const methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"};

/* sessions (re)write the users' session rows: a route may have ended one (logout, a new password). */
static void
sessions(void)
{
	char sql[400];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(sql, sizeof(sql),
			 "INSERT OR REPLACE INTO http_session(token, user, csrf, created, expires)"
			 " VALUES ('%s', '%s', '%s', 0, 9000000000000);"
			 "UPDATE http_user SET active = 1 WHERE name = '%s';",
			 token_sha[i], users[i], csrf[i], users[i]);
		if (sqlite3_exec(store_db(st), sql, NULL, NULL, NULL) != SQLITE_OK)
			abort();
	}
}

static void
setup(void)
{
	struct nz_err err = {0};
	struct http_env env;
	unsigned char raw[32], h[32];
	char path[512], token[65];
	int i;

	snprintf(path, sizeof(path), "%s/county.db", fuzz_dir());
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, "IR-07-03", &err) != 0)
		goto fail;
	memset(&env, 0, sizeof(env));
	env.st = st;
	env.id = "IR-07-03";
	env.name = "fuzz";
	env.sync_interval = 2;
	/* APPT-1: the helper group the helper's account is bound to, appointed by this county. */
	{
		struct colset *cs = colset_new();
		colset_text(cs, "group_name", "APPT-1");
		colset_text(cs, "status", "active");
		i = store_write(st, "sel_appointment", "APPT-1", "IR-07-03", cs, "fuzz", &err);
		colset_free(cs);
		if (i != 0)
			goto fail;
	}
	if (http_app_new(&app, &env, &err) != 0 ||
	    user_add(st, "admin", NULL, ROLE_ADMIN, NULL, "admin-pass-1", &err) != 0 ||
	    user_add(st, "helper", NULL, ROLE_HELPER, "APPT-1", "helper-pass-1", &err) != 0 ||
	    user_add(st, "viewer", NULL, ROLE_VIEWER, NULL, "viewer-pass-1", &err) != 0)
		goto fail;
	/* Sessions made as login makes them: a random token, its SHA-256 kept. */
	for (i = 0; i < 3; i++) {
		memset(raw, 7 + i, sizeof(raw));
		sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
		crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
		sodium_bin2hex(token_sha[i], sizeof(token_sha[i]), h, sizeof(h));
		memset(raw, 20 + i, sizeof(raw));
		sodium_bin2hex(csrf[i], sizeof(csrf[i]), raw, sizeof(raw));
		snprintf(cookie[i], sizeof(cookie[i]), "nz_session=%s", token);
	}
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
	int who;

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
	sessions();
	who = data[0] / 6 % 3;
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = methods[data[0] % 6];
	rq.uri = uri;
	rq.cookie = cookie[who];
	rq.csrf = csrf[who];
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
