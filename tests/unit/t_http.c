/* The web face in-process: router, JSON errors, auth, CSRF, roles, rate limit, assets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "http/http.h"
#include "http/http_int.h"
#include "test.h"

static struct http_app *app;
static char cookie[128], csrf[65];

/* req answers one request; the body of the answer stays in *body (the caller frees it). */
static int
req(const char *method, const char *uri, const char *body, const char *ck, const char *token, char **out)
{
	struct http_req rq = {method, uri, ck, token, body ? "application/json" : NULL, body, body ? strlen(body) : 0, "t",
			      false};
	struct http_res rs;
	int status;

	memset(&rs, 0, sizeof(rs));
	http_app_handle(app, &rq, &rs);
	status = rs.status;
	if (out)
		*out = rs.body ? strndup(rs.body, rs.len)
		       : rs.static_body ? strndup((const char *)rs.static_body, rs.len) : strdup("");
	if (strncmp(rs.cookie, "nz_session=", 11) == 0 && rs.cookie[11] != ';')
		snprintf(cookie, sizeof(cookie), "%.75s", rs.cookie);
	http_res_release(&rs);
	return status;
}

static int
has(const char *s, const char *part)
{
	int ok = s && strstr(s, part) != NULL;
	if (!ok)
		printf("#   '%s' lacks '%s'\n", s ? s : "(null)", part);
	return ok;
}

int
main(void)
{
	struct store *st = NULL;
	struct nz_err err = {0};
	struct http_env env;
	char path[512], *b = NULL, *p;
	int i;

	snprintf(path, sizeof(path), "%s/t.db", t_tmpdir());
	CHECK(store_open(&st, path, domain_tables(), true, &err) == 0);
	CHECK(store_init_node(st, "IR-07-03", &err) == 0);
	memset(&env, 0, sizeof(env));
	env.st = st;
	env.id = "IR-07-03";
	env.name = "شهرستان آزمون";
	env.sync_interval = 2;
	CHECK(http_app_new(&app, &env, &err) == 0);
	CHECK(user_add(st, "admin", "مدیر", ROLE_ADMIN, NULL, "admin-pass-1", &err) == 0);
	CHECK(user_add(st, "vera", NULL, ROLE_VIEWER, NULL, "viewer-pass-1", &err) == 0);
	CHECK_INT(user_add(st, "admin", NULL, ROLE_STAFF, NULL, "another-pass", &err), NZ_EEXIST);
	CHECK_INT(user_add(st, "bad name", NULL, ROLE_STAFF, NULL, "another-pass", &err), NZ_EINVAL);
	CHECK_INT(user_add(st, "shorty", NULL, ROLE_STAFF, NULL, "short", &err), NZ_EINVAL);
	CHECK_INT(user_add(st, "g", NULL, ROLE_STAFF, "APPT1", "long-enough-1", &err), NZ_EINVAL);
	CHECK_INT(http_role_parse("reviewer"), ROLE_REVIEWER);
	CHECK_INT(http_role_parse("boss"), ROLE_NONE);

	/* Router: unknown route, wrong method, unauthenticated, assets. */
	CHECK_INT(req("GET", "/api/v1/nothing", NULL, NULL, NULL, &b), 404);
	CHECK(has(b, "\"code\":\"not_found\""));
	free(b);
	CHECK_INT(req("PUT", "/api/v1/issues", NULL, NULL, NULL, NULL), 405);
	CHECK_INT(req("GET", "/api/v1/issues", NULL, NULL, NULL, &b), 401);
	CHECK(has(b, "{\"error\":{\"code\":\"unauthenticated\",\"message\":"));
	free(b);
	CHECK_INT(req("GET", "/", NULL, NULL, NULL, &b), 200);
	CHECK(has(b, "dir=\"rtl\""));
	free(b);
	CHECK_INT(req("GET", "/vendor/Vazirmatn-Regular.woff2", NULL, NULL, NULL, NULL), 200);
	CHECK_INT(req("GET", "/nope.js", NULL, NULL, NULL, NULL), 404);
	CHECK_INT(req("GET", "/api/v1/issues%zz", NULL, NULL, NULL, NULL), 400);

	/* Login: a wrong password, then the right one. */
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"admin\",\"password\":\"nope-nope\"}", NULL, NULL, &b), 401);
	CHECK(has(b, "\"field\":\"password\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"admin\"}", NULL, NULL, &b), 400);
	CHECK(has(b, "\"field\":\"password\""));
	free(b);
	cookie[0] = '\0';
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"admin\",\"password\":\"admin-pass-1\"}", NULL, NULL, &b), 200);
	CHECK((p = strstr(b, "\"csrf\":\"")) != NULL);
	if (p)
		snprintf(csrf, sizeof(csrf), "%.64s", p + 8);
	free(b);
	CHECK(strlen(cookie) == 75);
	CHECK_INT(req("GET", "/api/v1/me", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"role\":\"admin\""));
	free(b);

	/* CSRF on every state-changing request. */
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, NULL, &b), 403);
	CHECK(has(b, "\"code\":\"csrf\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, "0000", NULL), 403);
	/* Bad input: JSON, types, missing fields; nothing written. */
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":", cookie, csrf, &b), 400);
	CHECK(has(b, "\"code\":\"bad_json\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/issues", "{}", cookie, csrf, &b), 400);
	CHECK(has(b, "\"field\":\"title\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":true}", cookie, csrf, &b), 400);
	CHECK(has(b, "\"code\":\"type\""));
	free(b);
	CHECK_INT(store_log_head(st), 0);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"کم‌آبی روستا\",\"people\":\"120\"}", cookie, csrf, &b), 200);
	free(b);
	CHECK_INT(store_log_head(st) > 0, 1);
	CHECK_INT(req("GET", "/api/v1/issues?limit=1", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"total\":1,\"limit\":1,\"offset\":0"));
	free(b);
	CHECK_INT(req("GET", "/api/v1/issues?under=IR-08", NULL, cookie, NULL, NULL), 403);
	CHECK_INT(req("GET", "/api/v1/dashboard", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"issues\":1"));
	free(b);
	CHECK_INT(req("GET", "/metrics", NULL, NULL, NULL, &b), 200);
	CHECK(has(b, "nehzat_http_errors_total{class=\"4xx\"}"));
	free(b);

	/* A viewer reads but may not write. */
	cookie[0] = '\0';
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"vera\",\"password\":\"viewer-pass-1\"}", NULL, NULL, &b), 200);
	p = strstr(b, "\"csrf\":\"");
	if (p)
		snprintf(csrf, sizeof(csrf), "%.64s", p + 8);
	free(b);
	CHECK_INT(req("GET", "/api/v1/issues", NULL, cookie, NULL, NULL), 200);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"x\"}", cookie, csrf, &b), 403);
	CHECK(has(b, "\"code\":\"forbidden\""));
	free(b);
	CHECK_INT(req("GET", "/api/v1/users", NULL, cookie, NULL, NULL), 403);

	/* Rate limit: after five failures the right password is refused too. */
	for (i = 0; i < 5; i++)
		CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"vera\",\"password\":\"wrong-pass\"}", NULL, NULL, NULL), 401);
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"vera\",\"password\":\"viewer-pass-1\"}", NULL, NULL, NULL), 429);
	/* A new password ends the sessions. */
	CHECK(user_passwd(st, "vera", "brand-new-pass", &err) == 0);
	CHECK_INT(req("GET", "/api/v1/me", NULL, cookie, NULL, NULL), 401);
	CHECK_INT(user_passwd(st, "nobody", "brand-new-pass", &err), NZ_ENOTFOUND);

	/* A refusal named for the UI's catalogue carries its code and parameters; a wrapping nz_fail keeps them. */
	{
		struct nz_err e = {0};
		struct http_res rs;
		struct api a;

		memset(&rs, 0, sizeof(rs));
		memset(&a, 0, sizeof(a));
		a.rs = &rs;
		nz_fail(&e, NZ_EQUOTA, "IR-07-03 holds 2 active appointments");
		CHECK_INT(nz_why(&e, "sel.quota_full", "unit", "IR-07-03", "active", "2", "quota", "2", NULL), NZ_EQUOTA);
		nz_fail(&e, e.code, "appoint: %.100s", "IR-07-03 holds 2 active appointments");
		api_fail(&a, &e);
		CHECK_INT(rs.status, 409);
		CHECK(has(rs.body, "\"code\":\"quota\",\"message\":\"appoint: IR-07-03"));
		CHECK(has(rs.body, "\"why\":\"sel.quota_full\",\"params\":{\"unit\":\"IR-07-03\",\"active\":\"2\",\"quota\":\"2\"}"));
		http_res_release(&rs);
		nz_err_clear(&e);
		nz_fail(&e, NZ_EINVAL, "plain");
		memset(&rs, 0, sizeof(rs));
		api_fail(&a, &e);
		CHECK(rs.body != NULL && strstr(rs.body, "why") == NULL);
		http_res_release(&rs);
	}

	http_app_free(app);
	store_close(st);
	TEST_DONE();
}
