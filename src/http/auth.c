/*
 * Users, sessions and login attempts of the web face.  These tables are the
 * node's own (a user of a county's office means nothing at the province):
 * they are created here with CREATE TABLE IF NOT EXISTS, outside the
 * replicated tables, and never enter the change log.
 *
 * Passwords: argon2id through libsodium's crypto_pwhash_str.  A session is
 * a random token in an HttpOnly, SameSite=Strict cookie; the database keeps
 * only its SHA-256, so a copy of the database opens no session.  Each
 * session has a CSRF token the UI sends back in X-CSRF-Token on every
 * state-changing request.
 *
 * Failed logins are counted per client over a 15-minute window; past a
 * limit that client's login is refused with 429 before the password is even
 * checked, and other clients are untouched.  A "client" is:
 *   - a browser that has logged in as that name before: it carries a device
 *     cookie (nz_device, sent to /api/v1/login only; the database keeps its
 *     SHA-256) and only its own failures count, 5 for the name;
 *   - any other: its address (an IPv6 client by its /64), 20 failures for
 *     any names and 5 for one name; and all such clients together, 50 for
 *     one name.
 * So invented names tried from one address lock only that address, and a
 * guess at the admin's password locks only unknown devices out of "admin".
 * Behind one office NAT every computer shares an address: someone there who
 * fails 20 times locks out the office's browsers that have never logged in
 * (for 15 minutes), never those that have.
 *
 * A login costs one argon2id verification whether or not the name exists
 * (an unknown or disabled name is checked against a dummy hash), so the
 * time of an answer does not tell which names exist.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/unit.h"
#include "domain/record.h"
#include "http/http_int.h"
#include "store/hlc.h"

#define SESSION_MS (12LL * 3600 * 1000)
#define WINDOW_MS (15LL * 60 * 1000)
#define DEVICE_MS (365LL * 24 * 3600 * 1000)
#define FAILS_PER_USER 5    /* one name, from one client */
#define FAILS_PER_PEER 20   /* any names, from one address */
#define FAILS_PER_NAME 50   /* one name, from every client without a device cookie */
#define COOKIE "nz_session"
#define DEVICE "nz_device"

static const char *const role_names[] = {"admin", "staff", "reviewer", "helper", "viewer"};

enum http_role
http_role_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < ROLE_NONE; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (enum http_role)i;
	return ROLE_NONE;
}

const char *
http_role_name(enum http_role r)
{
	return r >= 0 && r < ROLE_NONE ? role_names[r] : "none";
}

int
http_tables_init(struct store *st, struct nz_err *err)
{
	return store_exec(st,
			  "CREATE TABLE IF NOT EXISTS http_user(name TEXT PRIMARY KEY, full_name TEXT NOT NULL"
			  " DEFAULT '', role TEXT NOT NULL, unit TEXT NOT NULL, grp TEXT NOT NULL DEFAULT '',"
			  " hash TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1, created INTEGER NOT NULL);"
			  "CREATE TABLE IF NOT EXISTS http_session(token TEXT PRIMARY KEY, user TEXT NOT NULL,"
			  " csrf TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);"
			  "CREATE TABLE IF NOT EXISTS http_attempt(id INTEGER PRIMARY KEY, user TEXT NOT NULL,"
			  " peer TEXT NOT NULL, at INTEGER NOT NULL);"
			  "CREATE INDEX IF NOT EXISTS http_attempt_at ON http_attempt(at);"
			  "CREATE TABLE IF NOT EXISTS http_device(token TEXT PRIMARY KEY, user TEXT NOT NULL,"
			  " created INTEGER NOT NULL);",
			  err);
}

/* check_name accepts 1..63 bytes of [A-Za-z0-9._-]. */
static int
check_name(const char *name, struct nz_err *err)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n >= HTTP_NAME_MAX)
		return nz_fail(err, NZ_EINVAL, "a user name has 1 to %d characters", HTTP_NAME_MAX - 1);
	for (i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '.' || name[i] == '_' || name[i] == '-'))
			return nz_fail(err, NZ_EINVAL, "user name '%s' may hold only letters a-z, digits, '.', '_' and '-'",
				       name);
	return 0;
}

static int
hash_password(const char *password, char out[crypto_pwhash_STRBYTES], struct nz_err *err)
{
	size_t n = password ? strlen(password) : 0;

	if (n < HTTP_PASS_MIN || n > HTTP_PASS_MAX)
		return nz_fail(err, NZ_EINVAL, "a password has %d to %d characters", HTTP_PASS_MIN, HTTP_PASS_MAX);
	if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return nz_fail(err, NZ_ENOMEM, "out of memory hashing the password");
	return 0;
}

/* run executes one statement with text parameters (NULL binds NULL); *changes gets the rows changed. */
static int
run(struct store *st, const char *sql, int *changes, struct nz_err *err, int n, ...)
{
	sqlite3_stmt *q;
	va_list ap;
	int i, rc;

	if ((q = store_prepare(st, sql, err)) == NULL)
		return NZ_EDB;
	va_start(ap, n);
	for (i = 0; i < n; i++)
		sqlite3_bind_text(q, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	va_end(ap);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_sqlerr(st, err, "users");
	if (changes)
		*changes = sqlite3_changes(store_db(st));
	return 0;
}

int
user_add(struct store *st, const char *name, const char *full_name, enum http_role role, const char *group,
	 const char *password, struct nz_err *err)
{
	char hash[crypto_pwhash_STRBYTES], now[32], appt[NZ_RID_MAX] = "";
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_name(name, err)) != 0)
		return rc;
	if (role == ROLE_NONE)
		return nz_fail(err, NZ_EINVAL, "role must be admin, staff, reviewer, helper or viewer");
	if (full_name && strlen(full_name) > 120)
		return nz_fail(err, NZ_EINVAL, "a full name has at most 120 bytes");
	if (group && group[0] && role != ROLE_HELPER)
		return nz_fail(err, NZ_EINVAL, "only a helper belongs to a group");
	/* A helper acts for one group this secretariat appointed, and only while its appointment stands. */
	if (role == ROLE_HELPER && (group == NULL || group[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "a helper belongs to a helper group: give --group, its appointment");
	if (role == ROLE_HELPER && (rc = sel_helper_group(st, store_node(st), group, appt, NULL, 0, err)) != 0)
		return rc;
	if ((rc = http_tables_init(st, err)) != 0 || (rc = hash_password(password, hash, err)) != 0)
		return rc;
	if ((q = store_prepare(st, "SELECT 1 FROM http_user WHERE name = ?", err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_reset(q);
	if (rc == SQLITE_ROW)
		return nz_fail(err, NZ_EEXIST, "user '%s' exists already", name);
	snprintf(now, sizeof(now), "%llu", (unsigned long long)hlc_wall_ms());
	return run(st,
		   "INSERT INTO http_user(name, full_name, role, unit, grp, hash, created)"
		   " VALUES (?, ?, ?, ?, ?, ?, CAST(? AS INTEGER))",
		   NULL, err, 7, name, full_name ? full_name : "", http_role_name(role), store_node(st), appt, hash,
		   now);
}

int
user_passwd(struct store *st, const char *name, const char *password, struct nz_err *err)
{
	char hash[crypto_pwhash_STRBYTES];
	int rc, n = 0;

	if ((rc = http_tables_init(st, err)) != 0 || (rc = hash_password(password, hash, err)) != 0)
		return rc;
	if ((rc = run(st, "UPDATE http_user SET hash = ? WHERE name = ?", &n, err, 2, hash, name)) != 0)
		return rc;
	if (n == 0)
		return nz_fail(err, NZ_ENOTFOUND, "no user '%s'", name);
	return run(st, "DELETE FROM http_session WHERE user = ?", NULL, err, 1, name);
}

int
user_set_active(struct store *st, const char *name, bool active, struct nz_err *err)
{
	int rc, n = 0;

	if ((rc = run(st, "UPDATE http_user SET active = ? WHERE name = ?", &n, err, 2, active ? "1" : "0",
		      name)) != 0)
		return rc;
	if (n == 0)
		return nz_fail(err, NZ_ENOTFOUND, "no user '%s'", name);
	return active ? 0 : run(st, "DELETE FROM http_session WHERE user = ?", NULL, err, 1, name);
}

static json_t *
user_row(sqlite3_stmt *q)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "name", (const char *)sqlite3_column_text(q, 0),
			 "full_name", (const char *)sqlite3_column_text(q, 1), "role",
			 (const char *)sqlite3_column_text(q, 2), "unit", (const char *)sqlite3_column_text(q, 3),
			 "group", (const char *)sqlite3_column_text(q, 4), "active", sqlite3_column_int(q, 5),
			 "group_name", (const char *)sqlite3_column_text(q, 6), "group_status",
			 (const char *)sqlite3_column_text(q, 7));
}

json_t *
user_list(struct store *st)
{
	/* A helper's group by its appointment: its name, and whether it still stands. */
	sqlite3_stmt *q = store_prepare(st,
					"SELECT u.name, u.full_name, u.role, u.unit, u.grp, u.active,"
					" coalesce(p.group_name, ''),"
					" CASE WHEN u.grp = '' THEN '' ELSE coalesce(p.status, 'unknown') END"
					" FROM http_user u LEFT JOIN sel_appointment p ON p.id = u.grp AND p.deleted = 0"
					" ORDER BY u.name",
					NULL);
	json_t *a = rec_rows(q, user_row);

	if (q != NULL)
		sqlite3_reset(q);
	return a;
}

/* token_hash writes the hex SHA-256 of a session token. */
static void
token_hash(const char *token, char out[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)token, strlen(token));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

/* cookie_value copies the 64-hex-digit value of cookie name out of a Cookie header. */
static bool
cookie_value(const char *cookie, const char *name, char out[65])
{
	const char *p = cookie;
	size_t n, len = strlen(name);

	while (p != NULL && (p = strstr(p, name)) != NULL) {
		if ((p == cookie || p[-1] == ' ' || p[-1] == ';') && p[len] == '=') {
			p += len + 1;
			n = strcspn(p, "; ");
			if (n != 64)
				return false;
			memcpy(out, p, 64);
			out[64] = '\0';
			return true;
		}
		p++;
	}
	return false;
}

static bool
cookie_token(const char *cookie, char out[65])
{
	return cookie_value(cookie, COOKIE, out);
}

bool
auth_session(struct api *a)
{
	char token[65], h[65], grp[NZ_RID_MAX] = "";
	sqlite3_stmt *q;
	bool ok = false;

	if (a->rq->cookie == NULL || !cookie_token(a->rq->cookie, token))
		return false;
	token_hash(token, h);
	if ((q = store_prepare(a->st,
			       "SELECT u.name, u.full_name, u.role, u.unit, u.grp, s.csrf FROM http_session s"
			       " JOIN http_user u ON u.name = s.user WHERE s.token = ? AND s.expires > ?"
			       " AND u.active = 1",
			       NULL)) == NULL)
		return false;
	sqlite3_bind_text(q, 1, h, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)hlc_wall_ms());
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(a->user.name, sizeof(a->user.name), "%s", sqlite3_column_text(q, 0));
		snprintf(a->user.full_name, sizeof(a->user.full_name), "%s", sqlite3_column_text(q, 1));
		a->user.role = http_role_parse((const char *)sqlite3_column_text(q, 2));
		snprintf(a->user.unit, sizeof(a->user.unit), "%s", sqlite3_column_text(q, 3));
		snprintf(grp, sizeof(grp), "%s", sqlite3_column_text(q, 4));
		snprintf(a->user.csrf, sizeof(a->user.csrf), "%s", sqlite3_column_text(q, 5));
		ok = a->user.role != ROLE_NONE;
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	a->user.group[0] = a->user.appt[0] = '\0';
	/* A helper whose group's appointment was revoked (or is gone) can no longer act. */
	if (ok && a->user.role == ROLE_HELPER)
		ok = sel_helper_group(a->st, store_node(a->st), grp, a->user.appt, a->user.group, sizeof(a->user.group),
				      NULL) == 0;
	return ok;
}

/* count_fails counts the failures within the window of peer, and of name from it (name NULL: any). */
static int64_t
count_fails(struct store *st, const char *peer, const char *name)
{
	sqlite3_stmt *q;
	int64_t n = 0;

	if ((q = store_prepare(st,
			       "SELECT count(*) FROM http_attempt WHERE at > ?1 AND (?2 IS NULL OR peer = ?2)"
			       " AND (?3 IS NULL OR user = ?3) AND (?2 IS NOT NULL OR peer NOT LIKE 'device:%')",
			       NULL)) == NULL)
		return INT64_MAX; /* a count that cannot be read refuses the login */
	sqlite3_bind_int64(q, 1, (sqlite3_int64)hlc_wall_ms() - WINDOW_MS);
	if (peer != NULL)
		sqlite3_bind_text(q, 2, peer, -1, SQLITE_STATIC);
	if (name != NULL)
		sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
	n = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : INT64_MAX;
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return n;
}

/*
 * client_key names the client of a login attempt for name (see the top of
 * this file): "device:HASH" when it carries a device cookie known for name,
 * else its address.  *device tells which.
 */
static void
client_key(struct api *a, const char *name, char key[80], bool *device)
{
	char token[65], h[65];
	sqlite3_stmt *q;

	*device = false;
	snprintf(key, 80, "%s", a->rq->peer && a->rq->peer[0] ? a->rq->peer : "local");
	if (a->rq->cookie == NULL || !cookie_value(a->rq->cookie, DEVICE, token))
		return;
	token_hash(token, h);
	if ((q = store_prepare(a->st, "SELECT 1 FROM http_device WHERE token = ? AND user = ? AND created > ?",
			       NULL)) == NULL)
		return;
	sqlite3_bind_text(q, 1, h, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)hlc_wall_ms() - DEVICE_MS);
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(key, 80, "device:%.32s", h);
		*device = true;
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
}

/* throttled reports whether the client key may not try name now. */
static bool
throttled(struct store *st, const char *key, bool device, const char *name)
{
	if (count_fails(st, key, name) >= FAILS_PER_USER)
		return true;
	if (device)
		return false;
	return count_fails(st, key, NULL) >= FAILS_PER_PEER || count_fails(st, NULL, name) >= FAILS_PER_NAME;
}

/* set_device gives a browser that logged in as name a device cookie, unless it has one for name. */
static void
set_device(struct api *a, const char *name, bool device)
{
	unsigned char raw[32];
	char token[65], h[65], now[32];

	if (device)
		return;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
	token_hash(token, h);
	snprintf(now, sizeof(now), "%lld", (long long)hlc_wall_ms() - DEVICE_MS);
	run(a->st, "DELETE FROM http_device WHERE created < CAST(? AS INTEGER)", NULL, NULL, 1, now);
	snprintf(now, sizeof(now), "%llu", (unsigned long long)hlc_wall_ms());
	if (run(a->st, "INSERT INTO http_device(token, user, created) VALUES (?, ?, CAST(? AS INTEGER))", NULL,
		NULL, 3, h, name, now) != 0)
		return;
	snprintf(a->rs->cookie2, sizeof(a->rs->cookie2),
		 DEVICE "=%s; Path=/api/v1/login; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token,
		 DEVICE_MS / 1000, a->rq->secure ? "; Secure" : "");
}

int
http_password_check(struct http_app *app, const char *hash, const char *password)
{
	/* An unknown name costs what a known one does: the dummy hash is as dear as a real one. */
	const char *h = hash != NULL && hash[0] != '\0' ? hash : app->dummy_hash;
	int ok = crypto_pwhash_str_verify(h, password, strlen(password)) == 0;

	app->n.password_checks++;
	return ok && h != app->dummy_hash;
}

static json_t *
me_json(struct api *a)
{
	const char *id = store_node(a->st);

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "name", a->user.name, "full_name",
			 a->user.full_name, "role", a->user.role == ROLE_NONE ? "none" : http_role_name(a->user.role),
			 "unit", a->user.unit, "group", a->user.group, "appointment", a->user.appt, "csrf", a->user.csrf,
			 "node", "id", id, "level",
			 unit_level_name(unit_level(id)), "name", a->app->env.name ? a->app->env.name : "");
}

/* POST /login {name, password} */
static void
login(struct api *a)
{
	const char *name = api_str(a, "name", true), *pass = api_str(a, "password", true);
	unsigned char raw[32];
	char token[65], h[65], now[32], exp[32], key[80], hash[crypto_pwhash_STRBYTES + 1] = "", grp[NZ_RID_MAX] = "";
	struct nz_err err = {0};
	sqlite3_stmt *q;
	bool ok, device, helper = false;

	if (api_bad(a))
		return;
	/* Old attempts are forgotten; the window is all that counts. */
	snprintf(now, sizeof(now), "%lld", (long long)hlc_wall_ms() - WINDOW_MS);
	run(a->st, "DELETE FROM http_attempt WHERE at < CAST(? AS INTEGER)", NULL, NULL, 1, now);
	client_key(a, name, key, &device);
	if (throttled(a->st, key, device, name)) {
		api_error(a, 429, "rate_limited", NULL, "too many failed logins from here; try again in 15 minutes");
		return;
	}
	if ((q = store_prepare(a->st, "SELECT hash, role, grp FROM http_user WHERE name = ? AND active = 1", NULL)) !=
	    NULL) {
		sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
		if (sqlite3_step(q) == SQLITE_ROW) {
			snprintf(hash, sizeof(hash), "%s", sqlite3_column_text(q, 0));
			helper = http_role_parse((const char *)sqlite3_column_text(q, 1)) == ROLE_HELPER;
			snprintf(grp, sizeof(grp), "%s", sqlite3_column_text(q, 2));
		}
		sqlite3_reset(q);
	}
	ok = http_password_check(a->app, hash, pass);
	snprintf(now, sizeof(now), "%llu", (unsigned long long)hlc_wall_ms());
	if (!ok) {
		a->app->n.logins_failed++;
		run(a->st, "INSERT INTO http_attempt(user, peer, at) VALUES (?, ?, CAST(? AS INTEGER))", NULL, NULL,
		    3, name, key, now);
		api_error(a, 401, "login_failed", "password", "wrong user name or password");
		return;
	}
	run(a->st, "DELETE FROM http_attempt WHERE user = ? AND peer = ?", NULL, NULL, 2, name, key);
	/* The right password of a helper whose group's appointment was revoked opens nothing: say why. */
	if (helper && sel_helper_group(a->st, store_node(a->st), grp, NULL, NULL, 0, &err) != 0) {
		err.code = NZ_EDENIED;
		api_fail(a, &err);
		return;
	}
	run(a->st, "DELETE FROM http_session WHERE expires < CAST(? AS INTEGER)", NULL, NULL, 1, now);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, sizeof(token), raw, sizeof(raw));
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(a->user.csrf, sizeof(a->user.csrf), raw, sizeof(raw));
	token_hash(token, h);
	snprintf(exp, sizeof(exp), "%llu", (unsigned long long)hlc_wall_ms() + SESSION_MS);
	if (run(a->st,
		"INSERT INTO http_session(token, user, csrf, created, expires)"
		" VALUES (?, ?, ?, CAST(? AS INTEGER), CAST(? AS INTEGER))",
		NULL, &err, 5, h, name, a->user.csrf, now, exp) != 0) {
		api_fail(a, &err);
		return;
	}
	snprintf(a->rs->cookie, sizeof(a->rs->cookie),
		 COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s", token, SESSION_MS / 1000,
		 a->rq->secure ? "; Secure" : "");
	set_device(a, name, device);
	/* Fill the user as auth_session would, for the reply. */
	{
		struct http_req rq = *a->rq;
		char cookie[80];
		snprintf(cookie, sizeof(cookie), COOKIE "=%s", token);
		rq.cookie = cookie;
		a->rq = &rq;
		auth_session(a);
		api_json(a, 200, me_json(a));
	}
}

/* POST /logout */
static void
logout(struct api *a)
{
	char token[65], h[65];
	struct nz_err err = {0};

	if (cookie_token(a->rq->cookie, token)) {
		token_hash(token, h);
		run(a->st, "DELETE FROM http_session WHERE token = ?", NULL, &err, 1, h);
	}
	snprintf(a->rs->cookie, sizeof(a->rs->cookie), COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s",
		 a->rq->secure ? "; Secure" : "");
	api_ok(a, NULL);
}

/* GET /me */
static void
me(struct api *a)
{
	api_json(a, 200, me_json(a));
}

/* GET /users */
static void
users(struct api *a)
{
	api_list(a, user_list(a->st));
}

/* POST /users {name, full_name, role, group, password} */
static void
users_add(struct api *a)
{
	const char *name = api_str(a, "name", true), *role = api_str(a, "role", true);
	const char *full = api_str(a, "full_name", false), *group = api_str(a, "group", false);
	const char *pass = api_str(a, "password", true);
	struct nz_err err = {0};
	enum http_role r;

	if (api_bad(a))
		return;
	if ((r = http_role_parse(role)) == ROLE_NONE) {
		api_error(a, 400, "invalid", "role", "role must be admin, staff, reviewer, helper or viewer");
		return;
	}
	api_result(a, user_add(a->st, name, full, r, group, pass, &err), name, &err);
}

/* POST /users/:name/password {password} */
static void
users_passwd(struct api *a)
{
	const char *pass = api_str(a, "password", true);
	struct nz_err err = {0};

	if (api_bad(a))
		return;
	api_result(a, user_passwd(a->st, a->param[0], pass, &err), NULL, &err);
}

/* POST /users/:name/active {active} */
static void
users_active(struct api *a)
{
	bool on = api_bool(a, "active", true);
	struct nz_err err = {0};

	if (api_bad(a))
		return;
	if (!on && strcmp(a->param[0], a->user.name) == 0) {
		api_error(a, 409, "state", "active", "an admin cannot disable their own account");
		return;
	}
	api_result(a, user_set_active(a->st, a->param[0], on, &err), NULL, &err);
}

const struct route api_auth_routes[] = {
	{"POST", "login", R_PUBLIC, login},
	{"POST", "logout", R_ANY, logout},
	{"GET", "me", R_ANY, me},
	{"GET", "users", R_ADMIN, users},
	{"POST", "users", R_ADMIN, users_add},
	{"POST", "users/:name/password", R_ADMIN, users_passwd},
	{"POST", "users/:name/active", R_ADMIN, users_active},
	{NULL, NULL, 0, NULL},
};
