/* The web face in-process: router, JSON errors, auth, CSRF, roles, rate limit, assets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/domain.h"
#include "domain/reports.h"
#include "domain/selection.h"
#include "http/http.h"
#include "http/http_int.h"
#include "repl.h"
#include "app.h"
#include "repl/enrol.h"
#include "test.h"

static struct http_app *app;
static char cookie[128], csrf[65];
/* What the next requests look like besides their arguments: the client, HTTPS, the body's type. */
static const char *peer = "t", *ctype = "application/json";
static bool secure;
static char set_cookie[256], set_device[256], device[80];

/* req answers one request; the body of the answer stays in *body (the caller frees it). */
static int
req(const char *method, const char *uri, const char *body, const char *ck, const char *token, char **out)
{
	struct http_req rq = {method, uri, ck, token, body ? ctype : NULL, body, body ? strlen(body) : 0, peer,
			      secure};
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
	snprintf(set_cookie, sizeof(set_cookie), "%s", rs.cookie);
	snprintf(set_device, sizeof(set_device), "%s", rs.cookie2);
	if (strncmp(rs.cookie2, "nz_device=", 10) == 0)
		snprintf(device, sizeof(device), "%.74s", rs.cookie2);
	/* Every answer is a body with its length, JSON unless an asset. */
	if (rs.status >= 400 && (rs.body == NULL || rs.len == 0 || rs.len != strlen(rs.body) || rs.body[0] != '{'))
		printf("not ok - %s %s answered %d without a JSON body\n", method, uri, rs.status);
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

/* login_as logs name in (from the current peer) and keeps its cookie and CSRF token; the status. */
static int
login_as(const char *name, const char *pass, const char *ck)
{
	char body[200], *b = NULL, *p;
	int status;

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"password\":\"%s\"}", name, pass);
	cookie[0] = '\0';
	status = req("POST", "/api/v1/login", body, ck, NULL, &b);
	if (status == 200 && (p = strstr(b, "\"csrf\":\"")) != NULL)
		snprintf(csrf, sizeof(csrf), "%.64s", p + 8);
	free(b);
	return status;
}

/* Invalid UTF-8, numbers out of range and content types other than JSON are refused with JSON. */
static void
test_input(struct store *st)
{
	int64_t head;
	char *b = NULL;
	struct http_res rs;
	struct api a;

	CHECK_INT(login_as("admin", "admin-pass-1", NULL), 200);
	CHECK_INT(req("GET", "/api/v1/issues/\xff\xfe", NULL, cookie, NULL, &b), 400);
	CHECK(has(b, "\"code\":\"bad_uri\",\"message\":\"the request URI is not valid UTF-8\""));
	free(b);
	CHECK_INT(req("GET", "/api/v1/issues/%C3%28", NULL, cookie, NULL, NULL), 400);
	CHECK_INT(req("GET", "/%ED%A0%80", NULL, NULL, NULL, NULL), 400);      /* a surrogate */
	CHECK_INT(req("GET", "/api/v1/issues?under=%C0%AF", NULL, cookie, NULL, NULL), 400); /* overlong '/' */
	CHECK_INT(req("GET", "/api/v1/issues?under=%D8%A7", NULL, cookie, NULL, NULL), 400); /* valid, not a code */
	/* A message quoting bytes that are not UTF-8 is still JSON. */
	memset(&rs, 0, sizeof(rs));
	memset(&a, 0, sizeof(a));
	a.rs = &rs;
	api_error(&a, 404, "not_found", NULL, "no such page: %s", "/a\xff\xc3");
	CHECK_INT(rs.status, 404);
	CHECK(has(rs.body, "no such page: /a??"));
	http_res_release(&rs);
	CHECK(http_utf8_valid("\xd8\xa7\xf0\x9f\x98\x80", 6));
	CHECK(!http_utf8_valid("\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
	CHECK(!http_utf8_valid("\xe2\x82", 2));

	head = store_log_head(st);
	CHECK_INT(req("POST", "/api/v1/issues",
		      "{\"title\":\"t\",\"people\":\"9999999999999999999999999999999999999999\"}", cookie, csrf, &b),
		  400);
	CHECK(has(b, "\"code\":\"invalid\",\"message\":\"people must be a whole number from 0 to 100000000\""));
	CHECK(has(b, "\"field\":\"people\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\",\"people\":9999999999999999999999999999999999999999}",
		      cookie, csrf, &b), 400);
	CHECK(has(b, "\"code\":\"bad_json\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\",\"people\":9223372036854775807}", cookie, csrf, NULL),
		  400);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\",\"people\":-5}", cookie, csrf, NULL), 400);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\",\"people\":\"12abc\"}", cookie, csrf, NULL), 400);
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\",\"people\":\"\"}", cookie, csrf, NULL), 200);
	CHECK_INT(req("POST", "/api/v1/courses", "{\"title\":\"t\",\"required\":\"1e999\"}", cookie, csrf, NULL), 400);
	CHECK_INT(req("POST", "/api/v1/courses/x/sessions", "{\"topic\":\"t\",\"date\":\"1405-01-01\",\"hours\":\"1e999\"}",
		      cookie, csrf, &b), 400);
	CHECK(has(b, "hours must be a number from 0 to 1000"));
	free(b);
	CHECK_INT(store_log_head(st), head + 1); /* only the issue with no people */
	/* Whole numbers in a query too. */
	CHECK_INT(req("GET", "/api/v1/register/summary?top=99999999999999999999", NULL, cookie, NULL, &b), 400);
	CHECK(has(b, "top must be a whole number from 0 to 100"));
	free(b);
	CHECK_INT(req("GET", "/api/v1/allocation?budget=99999999999999999999", NULL, cookie, NULL, &b), 400);
	CHECK(has(b, "\"field\":\"budget\""));
	free(b);
	CHECK_INT(req("GET", "/api/v1/allocation?budget=0", NULL, cookie, NULL, NULL), 400);
	CHECK_INT(req("GET", "/api/v1/allocation", NULL, cookie, NULL, NULL), 400);
	CHECK_INT(req("GET", "/api/v1/templates/x?version=1x", NULL, cookie, NULL, NULL), 400);
	CHECK_INT(req("GET", "/api/v1/completeness?depth=-1", NULL, cookie, NULL, NULL), 400);
	CHECK_INT(req("GET", "/api/v1/register/summary?top=3", NULL, cookie, NULL, NULL), 200);

	/* Content types: JSON exactly, with charset utf-8 at most. */
	ctype = "application/jsonp";
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, csrf, &b), 415);
	CHECK(has(b, "\"code\":\"content_type\""));
	free(b);
	ctype = "application/json-seq";
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, csrf, NULL), 415);
	ctype = "text/plain";
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, csrf, NULL), 415);
	ctype = "application/json; charset=latin1";
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, csrf, NULL), 415);
	ctype = "application/json; charset=utf-8; x=y";
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, csrf, NULL), 415);
	CHECK_INT(store_log_head(st), head + 1);
	ctype = "Application/JSON; charset=\"UTF-8\"";
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, csrf, NULL), 200);
	ctype = "application/json;charset=utf-8";
	CHECK_INT(req("POST", "/api/v1/issues", "{\"title\":\"t\"}", cookie, csrf, NULL), 200);
	ctype = "application/json";
}

/* Logins: the same work for known and unknown names; failures lock out their client alone; Secure over HTTPS. */
static void
test_login(void)
{
	char *b1 = NULL, *b2 = NULL, admin_device[80];
	int64_t n;
	int i;

	peer = "10.0.0.1";
	n = app->n.password_checks;
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"admin\",\"password\":\"not-this-one\"}", NULL, NULL, &b1), 401);
	CHECK_INT(app->n.password_checks, n + 1);
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"no-such-user\",\"password\":\"not-this-one\"}", NULL, NULL, &b2),
		  401);
	CHECK_INT(app->n.password_checks, n + 2); /* the unknown name was verified too, against the dummy hash */
	CHECK_STR(b1, b2);
	free(b1);
	free(b2);
	CHECK(app->dummy_hash[0] == '$');

	/* The admin logs in from 10.0.0.1 and its browser is given a device cookie. */
	device[0] = '\0';
	CHECK_INT(login_as("admin", "admin-pass-1", NULL), 200);
	CHECK(has(set_device, "nz_device="));
	CHECK(has(set_device, "Path=/api/v1/login; HttpOnly; SameSite=Strict"));
	CHECK(strstr(set_cookie, "Secure") == NULL);
	snprintf(admin_device, sizeof(admin_device), "%s", device);
	/* Invented names from 10.0.0.2: refused after twenty failures ... */
	peer = "10.0.0.2";
	for (i = 0; i < 25; i++) {
		char body[100];
		snprintf(body, sizeof(body), "{\"name\":\"invented%d\",\"password\":\"guess-guess\"}", i);
		CHECK_INT(req("POST", "/api/v1/login", body, NULL, NULL, NULL), i < 20 ? 401 : 429);
	}
	n = app->n.password_checks;
	CHECK_INT(login_as("admin", "admin-pass-1", NULL), 429); /* an unknown browser at that address */
	CHECK_INT(app->n.password_checks, n);                    /* refused before any hashing */
	/* ... while the admin logs in from elsewhere, and from there with its device cookie. */
	peer = "10.0.0.1";
	CHECK_INT(login_as("admin", "admin-pass-1", NULL), 200);
	peer = "10.0.0.2";
	CHECK_INT(login_as("admin", "admin-pass-1", admin_device), 200);
	CHECK_STR(set_device, ""); /* it has one already */
	/* A device cookie counts for its own name only. */
	CHECK_INT(login_as("vera", "brand-new-pass", admin_device), 429);
	/* Five wrong passwords for the admin from 10.0.0.3 lock the admin out of 10.0.0.3 only. */
	peer = "10.0.0.3";
	for (i = 0; i < 6; i++)
		CHECK_INT(login_as("admin", "wrong-wrong", NULL), i < 5 ? 401 : 429);
	CHECK_INT(login_as("admin", "admin-pass-1", admin_device), 200);
	peer = "10.0.0.4";
	CHECK_INT(login_as("admin", "admin-pass-1", NULL), 200);

	/* Over HTTPS the cookies are Secure. */
	secure = true;
	CHECK_INT(login_as("admin", "admin-pass-1", NULL), 200);
	CHECK(has(set_cookie, "; HttpOnly; SameSite=Strict; Max-Age=43200; Secure"));
	CHECK(has(set_device, "; Secure"));
	CHECK_INT(req("POST", "/api/v1/logout", NULL, cookie, csrf, NULL), 200);
	CHECK(has(set_cookie, "Max-Age=0; Secure"));
	secure = false;
	peer = "t";
}

/* appoint writes an appointment of group at owner, as the selection would (status active or revoked). */
static void
appoint(struct store *st, const char *id, const char *owner, const char *group, const char *decree_no,
	const char *status)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();

	colset_text(cs, "group_name", group);
	colset_text(cs, "decree_no", decree_no);
	colset_text(cs, "status", status);
	CHECK_INT(store_write(st, "sel_appointment", id, owner, cs, "tester", &err), 0);
	colset_free(cs);
}

/* new_id files a report through the API and returns its id in out ("" when refused); the status. */
static int
new_id(const char *body, char out[NZ_RID_MAX])
{
	char *b = NULL, *p;
	int status = req("POST", "/api/v1/reports", body, cookie, csrf, &b);

	out[0] = '\0';
	if (status == 200 && (p = strstr(b, "\"id\":\"")) != NULL)
		snprintf(out, NZ_RID_MAX, "%.*s", (int)strcspn(p + 6, "\""), p + 6);
	free(b);
	return status;
}

/*
 * Helpers and reports, as API.md says: a helper's account is bound to one
 * active appointment of its secretariat (by id, decree number or group name;
 * an unknown, revoked or another secretariat's group refused), it files,
 * reads, edits, submits and revises only its own group's reports, and once
 * its group's appointment is revoked it can no longer act.  At the county;
 * the templates come from national's store as sync would bring them.
 */
static void
test_helpers(struct store *st)
{
	struct tpl_spec sec = {"monthly", "گزارش ماهانه", "month", "secretariat", "county", 5, "1405-01", NULL,
			       "[{\"name\":\"note\",\"type\":\"text\"}]"};
	struct tpl_spec grp = {"helpers", "گزارش همیاران", "month", "helper", "county", 5, "1405-01", NULL,
			       "[{\"name\":\"note\",\"type\":\"text\"}]"};
	struct store *ir = NULL;
	struct nz_err err = {0};
	char path[512], id[NZ_RID_MAX], secid[NZ_RID_MAX], mine_id[NZ_RID_MAX], hers[NZ_RID_MAX], rev[NZ_RID_MAX];
	char uri[200], *b = NULL, *p;

	snprintf(path, sizeof(path), "%s/ir.db", t_tmpdir());
	CHECK(store_open(&ir, path, domain_tables(), true, &err) == 0);
	CHECK(store_init_node(ir, "IR", &err) == 0);
	CHECK_INT(tpl_add(ir, &sec, "t", id, &err), 0);
	CHECK_INT(tpl_add(ir, &grp, "t", id, &err), 0);
	t_copy_log(ir, st, false);
	appoint(st, "appt7", "IR-07-03", "کانون مسجد", "IR-07-03/1405/0007", "active");
	appoint(st, "appt8", "IR-07-03", "گروه جهادی", "IR-07-03/1405/0008", "active");
	appoint(st, "appt9", "IR-07-03", "گروه رفته", "IR-07-03/1405/0009", "revoked");
	CHECK(user_add(st, "staff", NULL, ROLE_STAFF, NULL, "staff-pass-1", &err) == 0);

	/* Bound to an active appointment of this secretariat, or refused, and nobody added. */
	CHECK_INT(user_add(st, "lone", NULL, ROLE_HELPER, NULL, "helper-pass-1", &err), NZ_EINVAL);
	CHECK(has(err.msg, "--group"));
	CHECK_INT(user_add(st, "lone", NULL, ROLE_HELPER, "nobody", "helper-pass-1", &err), NZ_EINVAL);
	CHECK(has(err.why, "sel.no_such_group") && has(err.msg, "کانون مسجد"));
	CHECK_INT(user_add(st, "lone", NULL, ROLE_HELPER, "appt9", "helper-pass-1", &err), NZ_ESTATE);
	CHECK(has(err.why, "sel.group_revoked") && has(err.msg, "revoked"));
	appoint(ir, "apptx", "IR-07-03", "گروه شهرستان", "IR-07-03/1405/0010", "active");
	CHECK_INT(user_add(ir, "lone", NULL, ROLE_HELPER, "apptx", "helper-pass-1", &err), NZ_EDENIED);
	CHECK(has(err.why, "sel.group_elsewhere") && has(err.msg, "appointed by IR-07-03, not by IR"));
	CHECK_INT(login_as("lone", "helper-pass-1", NULL), 401);
	/* By decree number, by group name. */
	CHECK_INT(user_add(st, "ali", NULL, ROLE_HELPER, "IR-07-03/1405/0007", "helper-pass-2", &err), 0);
	CHECK_INT(user_add(st, "bahar", NULL, ROLE_HELPER, "گروه جهادی", "helper-pass-3", &err), 0);
	{
		json_t *u = user_list(st), *x;
		size_t i;
		int bound = 0;
		json_array_foreach(u, i, x)
			if (strcmp(json_string_value(json_object_get(x, "name")), "ali") == 0 &&
			    strcmp(json_string_value(json_object_get(x, "group")), "appt7") == 0 &&
			    strcmp(json_string_value(json_object_get(x, "group_status")), "active") == 0)
				bound = 1;
		CHECK(bound);
		json_decref(u);
	}

	/* Staff files the secretariat's report and one for bahar's group; 'nobody' is no group here. */
	CHECK_INT(login_as("staff", "staff-pass-1", NULL), 200);
	CHECK_INT(new_id("{\"code\":\"monthly\",\"period\":\"1405-02\"}", secid), 200);
	CHECK_INT(req("POST", "/api/v1/reports", "{\"code\":\"helpers\",\"period\":\"1405-02\",\"group\":\"nobody\"}",
		      cookie, csrf, &b), 400);
	CHECK(has(b, "\"why\":\"sel.no_such_group\"") && has(b, "کانون مسجد"));
	free(b);
	CHECK_INT(new_id("{\"code\":\"helpers\",\"period\":\"1405-02\",\"group\":\"گروه جهادی\"}", hers), 200);

	/* ali: its group's report only, filed, read, edited, submitted and revised. */
	CHECK_INT(login_as("ali", "helper-pass-2", NULL), 200);
	CHECK_INT(req("GET", "/api/v1/me", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"group\":\"کانون مسجد\"") && has(b, "\"appointment\":\"appt7\""));
	free(b);
	CHECK_INT(new_id("{\"code\":\"helpers\",\"period\":\"1405-02\",\"group\":\"گروه جهادی\"}", id), 403);
	CHECK_INT(new_id("{\"code\":\"helpers\",\"period\":\"1405-02\"}", mine_id), 200);
	snprintf(uri, sizeof(uri), "/api/v1/reports/%s", mine_id);
	CHECK_INT(req("GET", uri, NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"grp\":\"کانون مسجد\""));
	free(b);
	CHECK_INT(req("PATCH", uri, "{\"values\":{\"note\":\"همه خوب\"}}", cookie, csrf, NULL), 200);
	snprintf(uri, sizeof(uri), "/api/v1/reports/%s/submit", mine_id);
	CHECK_INT(req("POST", uri, NULL, cookie, csrf, NULL), 200);
	snprintf(uri, sizeof(uri), "/api/v1/reports/%s/revise", mine_id);
	CHECK_INT(req("POST", uri, "{\"reason\":\"افزودن\",\"values\":{\"note\":\"بهتر\"}}", cookie, csrf, &b), 200);
	rev[0] = '\0';
	if ((p = strstr(b, "\"id\":\"")) != NULL)
		snprintf(rev, sizeof(rev), "%.*s", (int)strcspn(p + 6, "\""), p + 6);
	free(b);
	CHECK(rev[0] != '\0' && strcmp(rev, mine_id) != 0);
	CHECK_INT(req("GET", "/api/v1/reports", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"total\":1") && has(b, rev));
	free(b);
	/* Nobody else's: not the secretariat's, not bahar's, neither read nor changed. */
	for (int k = 0; k < 2; k++) {
		const char *other = k ? hers : secid;
		snprintf(uri, sizeof(uri), "/api/v1/reports/%s", other);
		CHECK_INT(req("GET", uri, NULL, cookie, NULL, NULL), 403);
		CHECK_INT(req("PATCH", uri, "{\"values\":{\"note\":\"x\"}}", cookie, csrf, NULL), 403);
		snprintf(uri, sizeof(uri), "/api/v1/reports/%s/submit", other);
		CHECK_INT(req("POST", uri, NULL, cookie, csrf, NULL), 403);
	}
	/* bahar sees its own group's report, not ali's. */
	CHECK_INT(login_as("bahar", "helper-pass-3", NULL), 200);
	CHECK_INT(req("GET", "/api/v1/reports", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"total\":1") && has(b, hers) && strstr(b, rev) == NULL);
	free(b);
	snprintf(uri, sizeof(uri), "/api/v1/reports/%s/revise", rev);
	CHECK_INT(req("POST", uri, "{\"reason\":\"x\",\"values\":{\"note\":\"y\"}}", cookie, csrf, NULL), 403);

	/* ali's group's appointment is revoked: its open session and its password open nothing any more. */
	CHECK_INT(login_as("ali", "helper-pass-2", NULL), 200);
	CHECK_INT(sel_revoke(st, "appt7", "انحلال گروه", "staff", &err), 0);
	CHECK_INT(req("GET", "/api/v1/reports", NULL, cookie, NULL, NULL), 401);
	CHECK_INT(new_id("{\"code\":\"helpers\",\"period\":\"1405-03\"}", id), 401);
	CHECK_INT(req("POST", "/api/v1/login", "{\"name\":\"ali\",\"password\":\"helper-pass-2\"}", NULL, NULL, &b), 403);
	CHECK(has(b, "\"why\":\"sel.group_revoked\"") && has(b, "کانون مسجد"));
	free(b);
	CHECK_INT(login_as("bahar", "helper-pass-3", NULL), 200);
	store_close(ir);
}

/* field_of copies the text value of "key" in JSON text b into out (n bytes); "" when absent. */
static void
field_of(const char *b, const char *key, char *out, size_t n)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":\"", key);
	out[0] = '\0';
	if (b != NULL && (p = strstr(b, pat)) != NULL)
		snprintf(out, n, "%.*s", (int)strcspn(p + strlen(pat), "\""), p + strlen(pat));
}

/*
 * At national: the history of a standard that keeps no versions (who changed
 * a problem category, when, what), and the peers an admin adds, invites and
 * revokes in the browser.
 */
static void
test_history_peers(void)
{
	static const uint8_t pk[32] = {1, 2, 3};
	struct http_app *county = app;
	struct store *ir = NULL;
	struct nz_err err = {0};
	struct http_env env;
	char rid[NZ_RID_MAX], code[ENROL_CODE_MAX], uri[200], *b = NULL;
	struct enrol_code c;
	json_t *j;

	t_app_store(&ir, &env, "hist.db", "IR", "");
	env.pk = pk;
	env.listen = "tcp://0.0.0.0:7400";
	CHECK(http_app_new(&app, &env, &err) == 0);
	CHECK(user_add(ir, "boss", NULL, ROLE_ADMIN, NULL, "admin-pass-1", &err) == 0);
	CHECK(user_add(ir, "sara", NULL, ROLE_STAFF, NULL, "staff-pass-1", &err) == 0);

	/* Two changes to one category by two users; the history says who, when and what, newest first. */
	CHECK_INT(login_as("sara", "staff-pass-1", NULL), 200);
	CHECK_INT(req("POST", "/api/v1/categories", "{\"code\":\"water\",\"name_fa\":\"آب\",\"add\":true}", cookie, csrf, NULL), 200);
	CHECK_INT(login_as("boss", "admin-pass-1", NULL), 200);
	CHECK_INT(req("POST", "/api/v1/categories", "{\"code\":\"water\",\"name_fa\":\"کم‌آبی\",\"add\":false}", cookie, csrf, NULL), 200);
	{
		/* A browser change commits with the WAL synced (FULL); sync's batches go on at NORMAL after it. */
		sqlite3_stmt *q = NULL;
		CHECK_INT(sqlite3_prepare_v2(store_db(ir), "PRAGMA synchronous", -1, &q, NULL), SQLITE_OK);
		CHECK_INT(sqlite3_step(q), SQLITE_ROW);
		CHECK_INT(sqlite3_column_int(q, 0), 1);
		sqlite3_finalize(q);
	}
	CHECK_INT(req("GET", "/api/v1/history/problem_category", NULL, cookie, NULL, &b), 200);
	j = json_loads(b, 0, NULL);
	CHECK_INT(json_integer_value(json_object_get(j, "total")), 2);
	{
		json_t *first = json_array_get(json_object_get(j, "items"), 0), *second = json_array_get(json_object_get(j, "items"), 1);
		CHECK_STR(json_string_value(json_object_get(first, "author")), "boss");
		CHECK_STR(json_string_value(json_object_get(json_object_get(first, "cols"), "name_fa")), "کم‌آبی");
		CHECK_STR(json_string_value(json_object_get(second, "author")), "sara");
		CHECK_STR(json_string_value(json_object_get(json_object_get(second, "cols"), "code")), "water");
		CHECK(json_integer_value(json_object_get(first, "hlc")) > json_integer_value(json_object_get(second, "hlc")));
		CHECK(json_integer_value(json_object_get(first, "at")) > 1700000000000LL);
		CHECK_STR(json_string_value(json_object_get(first, "origin")), "IR");
		snprintf(rid, sizeof(rid), "%s", json_string_value(json_object_get(first, "rid")));
	}
	json_decref(j);
	free(b);
	snprintf(uri, sizeof(uri), "/api/v1/history/problem_category/%s", rid);
	CHECK_INT(req("GET", uri, NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"total\":2"));
	free(b);
	CHECK_INT(req("GET", "/api/v1/history/problem_category/nothing", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"total\":0"));
	free(b);
	/* Only national standards: a unit's own records are not read this way; an unknown table is 404. */
	CHECK_INT(req("GET", "/api/v1/history/issue", NULL, cookie, NULL, NULL), 404);
	CHECK_INT(req("GET", "/api/v1/history/nope", NULL, cookie, NULL, NULL), 404);

	/*
	 * A change is never answered done while a transaction is open on the node's connection (it would
	 * be readable here yet uncommitted, lost with the process): refused, nothing changed.
	 */
	{
		int64_t head = store_log_head(ir);

		CHECK_INT(store_begin(ir, &err), 0);
		CHECK_INT(req("POST", "/api/v1/categories", "{\"code\":\"roads\",\"name_fa\":\"راه\",\"add\":true}", cookie, csrf, &b), 503);
		CHECK(has(b, "\"code\":\"busy\""));
		free(b);
		store_rollback(ir);
		CHECK_INT(store_log_head(ir), head);
		CHECK_INT(req("GET", "/api/v1/categories", NULL, cookie, NULL, &b), 200);
		CHECK(strstr(b, "roads") == NULL);
		free(b);
	}

	/* Peers: an invitation for a child, refused for a unit that is not one and for an address no child can dial. */
	CHECK_INT(req("POST", "/api/v1/peers/invite", "{\"id\":\"IR-07\"}", cookie, csrf, &b), 400);
	CHECK(has(b, "cannot be dialled"));
	free(b);
	CHECK_INT(req("POST", "/api/v1/peers/invite", "{\"id\":\"IR-07-03\",\"url\":\"tcp://10.0.0.1:7400\"}", cookie, csrf, NULL), 403);
	CHECK_INT(req("POST", "/api/v1/peers/invite", "{\"id\":\"Fars\",\"url\":\"tcp://10.0.0.1:7400\"}", cookie, csrf, &b), 400);
	CHECK(has(b, "\"field\":\"id\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/peers/invite", "{\"id\":\"IR-07\",\"url\":\"tcp://10.0.0.1:7400\",\"hours\":48}", cookie, csrf, &b), 200);
	field_of(b, "code", code, sizeof(code));
	CHECK(has(b, "\"child\":\"IR-07\"") && has(b, "\"expires\":\"") && has(b, "\"fingerprint\":\""));
	free(b);
	/* The code is one the child reads back: the child, this node's address and key. */
	memset(&c, 0, sizeof(c));
	CHECK_INT(enrol_code_read(code, &c, &err), 0);
	CHECK_STR(c.child, "IR-07");
	CHECK_STR(c.url, "tcp://10.0.0.1:7400");
	/* Staff may not: peers are the admin's. */
	CHECK_INT(login_as("sara", "staff-pass-1", NULL), 200);
	CHECK_INT(req("POST", "/api/v1/peers/invite", "{\"id\":\"IR-07\",\"url\":\"tcp://10.0.0.1:7400\"}", cookie, csrf, NULL), 403);
	CHECK_INT(req("POST", "/api/v1/peers/IR-07/revoke", NULL, cookie, csrf, NULL), 403);
	CHECK_INT(login_as("boss", "admin-pass-1", NULL), 200);
	/* A key registered by hand, then revoked; revoking again is 404. */
	CHECK_INT(req("POST", "/api/v1/peers", "{\"id\":\"IR-08\",\"key\":\"xyz\"}", cookie, csrf, &b), 400);
	CHECK(has(b, "\"field\":\"key\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/peers", "{\"id\":\"IR-08-01\",\"key\":\"0101010101010101010101010101010101010101010101010101010101010101\"}",
		      cookie, csrf, NULL), 400);
	CHECK_INT(req("POST", "/api/v1/peers", "{\"id\":\"IR-08\",\"key\":\"0101010101010101010101010101010101010101010101010101010101010101\",\"url\":\"\"}",
		      cookie, csrf, &b), 200);
	CHECK(has(b, "\"role\":\"child\""));
	free(b);
	CHECK_INT(req("GET", "/api/v1/peers", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"id\":\"IR-08\""));
	free(b);
	CHECK_INT(req("POST", "/api/v1/peers/IR-08/revoke", NULL, cookie, csrf, NULL), 200);
	CHECK_INT(req("GET", "/api/v1/peers", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"last_error\":\"key revoked") && strstr(b, "\"revoked\":0") == NULL);
	free(b);
	CHECK_INT(req("POST", "/api/v1/peers/IR-08/revoke", NULL, cookie, csrf, NULL), 404);

	http_app_free(app);
	app = county;
	store_close(ir);
}

/* jint reads the integer at key of the JSON text b (-1 when absent or not a number; -2 for null). */
static long long
jint(const char *b, const char *key)
{
	json_t *j = json_loads(b, 0, NULL), *v = j;
	const char *k = key;
	char part[64];
	long long n;

	while (v != NULL && *k) {
		size_t len = strcspn(k, ".");
		snprintf(part, sizeof(part), "%.*s", (int)len, k);
		v = (part[0] >= '0' && part[0] <= '9') ? json_array_get(v, (size_t)atoi(part)) : json_object_get(v, part);
		k += len + (k[len] == '.');
	}
	n = v == NULL ? -1 : json_is_null(v) ? -2 : json_is_integer(v) ? json_integer_value(v) : -1;
	json_decref(j);
	return n;
}

/*
 * Org-unit figures over the API, at national: each unit's figures with who
 * and when and their history, one set at a time (PUT or POST, Persian digits,
 * null for unknown) or from a CSV; a bad number, an unknown unit or a bad
 * file line refused with nothing changed; not a viewer's, nor a county's.
 */
static void
test_figures(struct store *cty)
{
	struct http_app *county = app;
	struct store *ir = NULL;
	struct nz_err err = {0};
	struct http_env env;
	char path[512], *b = NULL;
	int64_t head;

	t_app_store(&ir, &env, "fig.db", "IR", "");
	CHECK(http_app_new(&app, &env, &err) == 0);
	CHECK(user_add(ir, "nat", NULL, ROLE_STAFF, NULL, "staff-pass-1", &err) == 0);
	CHECK(user_add(ir, "vic", NULL, ROLE_VIEWER, NULL, "viewer-pass-1", &err) == 0);
	CHECK_INT(login_as("nat", "staff-pass-1", NULL), 200);
	CHECK_INT(req("POST", "/api/v1/orgunits/import",
		      "{\"csv\":\"code,name_fa,name_en,iso3166_2,population\\n07,فارس,Fars,IR-07,4851300\\n"
		      "13,همدان,Hamadan,IR-13,\\n\"}",
		      cookie, csrf, &b), 200);
	CHECK(has(b, "\"count\":2"));
	free(b);
	CHECK_INT(req("GET", "/api/v1/orgunits/IR-13/figures", NULL, cookie, NULL, &b), 200);
	/* The import's own figure, unknown here, opens the history: who imported the tree. */
	CHECK_INT(jint(b, "population"), -2);
	CHECK_INT(jint(b, "history.0.value"), -2);
	CHECK(has(b, "\"set_by\":\"nat\""));
	CHECK_INT(jint(b, "history.1.value"), -1);
	free(b);

	/* One at a time: Persian digits and the Persian separator; who and when kept. */
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-13/figures", "{\"population\":\"۱٬۷۳۸٬۲۳۴\"}", cookie, csrf, &b), 200);
	CHECK_INT(jint(b, "population"), 1738234);
	CHECK(has(b, "\"figures_by\":\"nat\"") && has(b, "\"set_by\":\"nat\""));
	CHECK_INT(jint(b, "history.0.value"), 1738234);
	free(b);
	head = store_log_head(ir);
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-13/figures", "{\"population\":\"12x\"}", cookie, csrf, &b), 400);
	CHECK(has(b, "not a whole number"));
	free(b);
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-13/figures", "{\"population\":-5}", cookie, csrf, NULL), 400);
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-13/figures", "{\"population\":true}", cookie, csrf, NULL), 400);
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-13/figures", "{}", cookie, csrf, NULL), 400);
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-99/figures", "{\"population\":5}", cookie, csrf, NULL), 404);
	CHECK_INT(req("GET", "/api/v1/orgunits/IR-99/figures", NULL, cookie, NULL, NULL), 404);
	CHECK_INT(store_log_head(ir), head);
	/* Unknown again (null), by POST too: the history keeps both, newest first. */
	CHECK_INT(req("POST", "/api/v1/orgunits/IR-13/figures", "{\"population\":null}", cookie, csrf, &b), 200);
	CHECK_INT(jint(b, "population"), -2);
	CHECK_INT(jint(b, "history.0.value"), -2);
	CHECK_INT(jint(b, "history.1.value"), 1738234);
	CHECK_INT(jint(b, "history.2.value"), -2); /* the import's */
	CHECK_INT(jint(b, "history.3.value"), -1);
	free(b);

	/* From a CSV: every row checked first; a bad line refuses the file, naming it, and changes nothing. */
	head = store_log_head(ir);
	CHECK_INT(req("POST", "/api/v1/orgunits/figures", "{\"csv\":\"code,population\\nIR-07,4900000\\nIR-13,12x\\n\"}",
		      cookie, csrf, &b), 400);
	CHECK(has(b, ":3: population of IR-13"));
	free(b);
	CHECK_INT(req("POST", "/api/v1/orgunits/figures", "{\"csv\":\"code,population\\nIR-07,4900000\\nIR-98,5\\n\"}",
		      cookie, csrf, NULL), 404);
	CHECK_INT(store_log_head(ir), head);
	CHECK_INT(req("POST", "/api/v1/orgunits/figures", "{\"csv\":\"code,population\\nIR-07,4900000\\nIR-13,۱۷۵۰۰۰۰\\n\"}",
		      cookie, csrf, &b), 200);
	CHECK(has(b, "\"count\":2"));
	free(b);
	CHECK_INT(req("GET", "/api/v1/orgunits/IR-07/figures", NULL, cookie, NULL, &b), 200);
	CHECK_INT(jint(b, "population"), 4900000);
	CHECK_INT(jint(b, "history.0.value"), 4900000);
	CHECK_INT(jint(b, "history.1.value"), 4851300); /* the census figure of the import */
	CHECK_INT(jint(b, "history.2.value"), -1);
	free(b);

	/* A viewer reads them and sets none. */
	CHECK_INT(login_as("vic", "viewer-pass-1", NULL), 200);
	CHECK_INT(req("GET", "/api/v1/orgunits/IR-13/figures", NULL, cookie, NULL, NULL), 200);
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-13/figures", "{\"population\":5}", cookie, csrf, NULL), 403);
	CHECK_INT(req("POST", "/api/v1/orgunits/figures", "{\"csv\":\"code,population\\nIR-13,5\\n\"}", cookie, csrf, NULL),
		  403);
	http_app_free(app);
	app = county;

	/* The figures and their history reach a county like every directive (a county of its own: this one has
	 * heard from another national store); the county sets none. */
	{
		struct store *c2 = NULL;
		json_t *u;

		snprintf(path, sizeof(path), "%s/fig-county.db", t_tmpdir());
		CHECK(store_open(&c2, path, domain_tables(), true, &err) == 0);
		CHECK(store_init_node(c2, "IR-07-03", &err) == 0);
		t_copy_log(ir, c2, false);
		u = orgunit_figures(c2, "IR-13", &err);
		CHECK(u != NULL && json_integer_value(json_object_get(u, "population")) == 1750000);
		CHECK_INT(json_array_size(json_object_get(u, "history")), 4);
		json_decref(u);
		store_close(c2);
	}
	CHECK_INT(login_as("admin", "admin-pass-1", NULL), 200);
	head = store_log_head(cty);
	CHECK_INT(req("PUT", "/api/v1/orgunits/IR-13/figures", "{\"population\":5}", cookie, csrf, &b), 403);
	CHECK(has(b, "\"code\":\"denied\""));
	free(b);
	CHECK_INT(store_log_head(cty), head);
	store_close(ir);
}

int
main(void)
{
	struct store *st = NULL;
	struct nz_err err = {0};
	struct http_env env;
	char *b = NULL, *p;
	int i;

	t_app_store(&st, &env, "t.db", "IR-07-03", "شهرستان آزمون");
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
	CHECK(has(b, "nehzat_units_below{heard=\"never\"}"));
	free(b);
	/* What this node knows of each unit's freshness: its own data is local. */
	CHECK_INT(req("GET", "/api/v1/freshness", NULL, cookie, NULL, &b), 200);
	CHECK(has(b, "\"heard\":\"local\""));
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
		/* A caller that passed no err still sees the refusal. */
		CHECK(nz_why(NULL, "sel.quota_full", "unit", "IR-07-03", NULL) != 0);
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

	test_input(st);
	test_login();
	test_helpers(st);
	test_history_peers();
	test_figures(st);
	http_app_free(app);
	store_close(st);
	TEST_DONE();
}
