/*
 * The app: one request in, one response out, on the loop's thread.  The
 * router matches /api/v1 routes by method and path, then checks in this
 * order: a session (401), the route's roles (403), the CSRF token of a
 * state-changing request (403), the body (413, 415, 400), and only then
 * calls the route.  Anything else is an asset of the UI, or /metrics.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "base/log.h"
#include "domain/aggregate.h"
#include "http/http_int.h"

#define API_PREFIX "/api/v1"

_Static_assert(sizeof(((struct http_app *)0)->dummy_hash) >= crypto_pwhash_STRBYTES, "room for an argon2id hash");

static const struct route *const tables[] = {
	api_auth_routes, api_sel_routes, api_reg_routes, api_res_routes, api_rep_routes, api_node_routes, NULL,
};

int
http_app_new(struct http_app **out, const struct http_env *env, struct nz_err *err)
{
	struct http_app *app;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return nz_fail(err, NZ_EIO, "libsodium failed to initialise");
	/* The dashboard's aggregates: made and filled once, then kept by the database itself. */
	if ((rc = http_tables_init(env->st, err)) != 0 || (rc = agg_init(env->st, err)) != 0)
		return rc;
	if ((app = calloc(1, sizeof(*app))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	app->env = *env;
	{
		/* The hash an unknown name's login is checked against (see auth.c). */
		unsigned char raw[32];
		char pw[65];
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
		if (crypto_pwhash_str(app->dummy_hash, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
				      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
			free(app);
			return nz_fail(err, NZ_ENOMEM, "out of memory hashing a password");
		}
	}
	*out = app;
	return 0;
}

void
http_app_free(struct http_app *app)
{
	free(app);
}

void
http_res_release(struct http_res *rs)
{
	free(rs->body);
	rs->body = NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* decode copies the n bytes of s into out (size max), undoing %XX and, in a query, '+'. */
static bool
decode(const char *s, size_t n, char *out, size_t max, bool query)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (i + 2 >= n)
				return false;
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return false;
			c = h * 16 + l;
			i += 2;
		} else if (c == '+' && query) {
			c = ' ';
		}
		if (c == '\0' || o + 1 >= max)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

/* split_query fills a's query table from the text after '?'. */
static bool
split_query(struct api *a, const char *q)
{
	while (q != NULL && *q != '\0' && a->nq < HTTP_QUERY_MAX) {
		const char *amp = strchr(q, '&'), *eq;
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		eq = memchr(q, '=', len);
		if (len > 0) {
			size_t kl = eq ? (size_t)(eq - q) : len;
			if (!decode(q, kl, a->qk[a->nq], sizeof(a->qk[0]), true))
				return false;
			if (eq) {
				if (!decode(eq + 1, len - kl - 1, a->qv[a->nq], sizeof(a->qv[0]), true))
					return false;
			} else {
				a->qv[a->nq][0] = '\0';
			}
			a->nq++;
		}
		q = amp ? amp + 1 : NULL;
	}
	return true;
}

/* query_utf8 reports whether every decoded query key and value is valid UTF-8. */
static bool
query_utf8(const struct api *a)
{
	int i;

	for (i = 0; i < a->nq; i++)
		if (!http_utf8_valid(a->qk[i], strlen(a->qk[i])) || !http_utf8_valid(a->qv[i], strlen(a->qv[i])))
			return false;
	return true;
}

/* match compares a route's path with the request's, capturing ":x" segments. */
static bool
match(struct api *a, const char *pat, const char *path)
{
	int np = 0;

	while (*pat != '\0' && *path != '\0') {
		const char *pe = strchr(pat, '/'), *se = strchr(path, '/');
		size_t pl = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t sl = se ? (size_t)(se - path) : strlen(path);
		if (pat[0] == ':') {
			if (sl == 0 || np >= HTTP_PARAMS_MAX || !decode(path, sl, a->pbuf[np], sizeof(a->pbuf[0]), false))
				return false;
			a->param[np] = a->pbuf[np];
			np++;
		} else if (pl != sl || memcmp(pat, path, pl) != 0) {
			return false;
		}
		pat += pl;
		path += sl;
		if ((*pat == '/') != (*path == '/'))
			return false;
		if (*pat == '/')
			pat++, path++;
	}
	return *pat == '\0' && *path == '\0';
}

static bool
changes_state(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0 ||
	       strcmp(m, "DELETE") == 0;
}

static bool
has_body(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 || strcmp(m, "PATCH") == 0;
}

/* skip_ws passes spaces and tabs. */
static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * is_json accepts exactly application/json, any case, with at most one
 * parameter, charset=utf-8 (quoted or not): not application/jsonp, not
 * application/json-seq, not another charset.
 */
static bool
is_json(const char *ct)
{
	const char *p;

	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
		return false;
	p = skip_ws(ct + 16);
	if (*p == '\0')
		return true;
	if (*p != ';')
		return false;
	p = skip_ws(p + 1);
	if (strncasecmp(p, "charset=", 8) != 0)
		return false;
	p += 8;
	if (strncasecmp(p, "\"utf-8\"", 7) == 0)
		p += 7;
	else if (strncasecmp(p, "utf-8", 5) == 0)
		p += 5;
	else
		return false;
	return *skip_ws(p) == '\0';
}

static void
parse_body(struct api *a)
{
	const struct http_req *rq = a->rq;
	json_error_t je;

	if (rq->len > HTTP_BODY_MAX) {
		api_error(a, 413, "too_big", NULL, "the request body is over %d bytes", HTTP_BODY_MAX);
		return;
	}
	if (rq->len == 0) {
		a->body = json_object();
		return;
	}
	if (!is_json(rq->content_type)) {
		api_error(a, 415, "content_type", NULL,
			  "the request body must be Content-Type: application/json (charset utf-8 if any)");
		return;
	}
	if ((a->body = json_loadb(rq->body, rq->len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		api_error(a, 400, "bad_json", NULL, "the body is not valid JSON: %s (at %d)", je.text,
			  je.position);
		return;
	}
	if (!json_is_object(a->body))
		api_error(a, 400, "bad_json", NULL, "the body must be a JSON object");
}

static void
route(struct api *a, const char *sub)
{
	const struct route *const *t, *r, *found = NULL;
	bool path_known = false;

	for (t = tables; *t != NULL && found == NULL; t++)
		for (r = *t; r->method != NULL; r++) {
			if (!match(a, r->path, sub))
				continue;
			path_known = true;
			if (strcmp(r->method, a->rq->method) == 0 ||
			    (strcmp(a->rq->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
				found = r;
				break;
			}
		}
	if (found == NULL) {
		if (path_known)
			api_error(a, 405, "method", NULL, "%s is not allowed on %s", a->rq->method, a->path);
		else
			api_error(a, 404, "not_found", NULL, "no such route: %s", a->path);
		return;
	}
	/* Parameters of the matching route (an earlier near-match may have written some). */
	match(a, found->path, sub);
	a->authed = auth_session(a);
	if (found->roles != R_PUBLIC) {
		if (!a->authed) {
			api_error(a, 401, "unauthenticated", NULL, "log in first");
			return;
		}
		if (!api_can(a, found->roles)) {
			api_error(a, 403, "forbidden", NULL, "the role %s may not do this",
				  http_role_name(a->user.role));
			return;
		}
		if (changes_state(a->rq->method) &&
		    (a->rq->csrf == NULL || strlen(a->rq->csrf) != strlen(a->user.csrf) ||
		     sodium_memcmp(a->rq->csrf, a->user.csrf, strlen(a->user.csrf)) != 0)) {
			api_error(a, 403, "csrf", NULL, "the X-CSRF-Token header is missing or wrong");
			return;
		}
	}
	if (has_body(a->rq->method)) {
		parse_body(a);
		if (api_bad(a))
			return;
	}
	found->fn(a);
	if (!api_bad(a))
		api_error(a, 500, "internal", NULL, "the route gave no answer");
}

void
http_app_handle(struct http_app *app, const struct http_req *rq, struct http_res *rs)
{
	struct api *a;
	const char *q;
	size_t plen;

	app->n.requests++;
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		rs->status = 503;
		return;
	}
	a->app = app;
	a->st = app->env.st;
	a->rq = rq;
	a->rs = rs;
	q = strchr(rq->uri, '?');
	plen = q ? (size_t)(q - rq->uri) : strlen(rq->uri);
	if (!decode(rq->uri, plen, a->path, sizeof(a->path), false) || !split_query(a, q ? q + 1 : NULL)) {
		api_error(a, 400, "bad_uri", NULL, "the request URI cannot be read");
		goto out;
	}
	if (!http_utf8_valid(rq->uri, strlen(rq->uri)) || !http_utf8_valid(a->path, strlen(a->path)) ||
	    !query_utf8(a)) {
		api_error(a, 400, "bad_uri", NULL, "the request URI is not valid UTF-8");
		goto out;
	}
	if (strncmp(rq->uri, API_PREFIX "/", sizeof(API_PREFIX)) == 0) {
		app->n.api++;
		/* Match on the raw path so that an encoded '/' stays inside its segment. */
		char raw[512];
		snprintf(raw, sizeof(raw), "%.*s", (int)(plen - sizeof(API_PREFIX)), rq->uri + sizeof(API_PREFIX));
		/*
		 * A change is answered done only once it is committed.  A
		 * transaction left open on the node's one connection (by any code
		 * run on the loop before) would hold this change uncommitted:
		 * readable here, so the page shows it, yet never synced and lost
		 * with the process.  Refused instead, and said in the log.
		 */
		if (changes_state(rq->method) && !sqlite3_get_autocommit(store_db(a->st))) {
			nz_log(NZ_LOG_ERROR, "http.txn_open", "when=before method=%s path=%s", rq->method, a->path);
			api_error(a, 503, "busy", NULL, "a transaction of this node is open; nothing was changed");
			goto out;
		}
		/*
		 * What a person did in the page survives a power loss once the page
		 * says done: its commit syncs the WAL (FULL).  Sync batches stay at
		 * NORMAL (store.c): a peer sends them again.  One fsync a click.
		 */
		if (changes_state(rq->method))
			store_exec(a->st, "PRAGMA synchronous=FULL", NULL);
		route(a, raw);
		if (changes_state(rq->method))
			store_exec(a->st, "PRAGMA synchronous=NORMAL", NULL);
		if (!sqlite3_get_autocommit(store_db(a->st))) {
			nz_log(NZ_LOG_ERROR, "http.txn_open", "when=after method=%s path=%s", rq->method, a->path);
			http_res_release(rs);
			memset(rs, 0, sizeof(*rs));
			api_error(a, 500, "internal", NULL, "the change was left uncommitted");
		}
	} else if (strcmp(a->path, "/metrics") == 0) {
		http_metrics(app, rs);
	} else if ((strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0) &&
		   http_asset(a->path, rs)) {
		app->n.assets++;
	} else {
		api_error(a, 404, "not_found", NULL, "no such page: %s", a->path);
	}
out:
	if (rs->status >= 500)
		app->n.errors_5xx++;
	else if (rs->status >= 400)
		app->n.errors_4xx++;
	json_decref(a->body);
	free(a);
}
