#ifndef NZ_HTTP_INT_H
#define NZ_HTTP_INT_H

/*
 * Inside src/http: the app, the router's request context, the JSON helpers
 * and the route tables of each area.  Everything here runs on the loop's
 * thread.
 */

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/unit.h"
#include "domain/selection.h"
#include "http/http.h"

#define HTTP_PARAMS_MAX 3
#define HTTP_QUERY_MAX 16

/* struct http_user is the logged-in user of a request. */
struct http_user {
	char name[HTTP_NAME_MAX];
	char full_name[128];
	char unit[NZ_ID_MAX];
	char group[SEL_GROUP_MAX]; /* a helper's group: its name (reports' grp), "" otherwise */
	char appt[NZ_RID_MAX];     /* and the active appointment its account is bound to */
	char csrf[65];
	enum http_role role;
};

/* HTTP counters for /metrics, by route class and status class. */
struct http_counters {
	int64_t requests, errors_4xx, errors_5xx, api, assets, logins_failed;
	int64_t password_checks; /* argon2id verifications, one per login that reached the check */
};

struct http_app {
	struct http_env env;
	struct http_counters n;
	char dummy_hash[128]; /* argon2id of a random password: what an unknown name is checked against */
};

/* struct api is one API request in the router's hands. */
struct api {
	struct http_app *app;
	struct store *st;
	const struct http_req *rq;
	struct http_res *rs;
	const char *param[HTTP_PARAMS_MAX]; /* path segments matched by ':' */
	char pbuf[HTTP_PARAMS_MAX][128];
	char path[512];
	char qk[HTTP_QUERY_MAX][32], qv[HTTP_QUERY_MAX][256];
	int nq;
	json_t *body;   /* parsed JSON body of POST/PUT/PATCH, NULL otherwise */
	struct http_user user;
	bool authed;
};

/* Roles a route admits, as a bit set of (1 << enum http_role). */
#define R_ADMIN (1 << ROLE_ADMIN)
#define R_STAFF (1 << ROLE_STAFF)
#define R_REVIEWER (1 << ROLE_REVIEWER)
#define R_HELPER (1 << ROLE_HELPER)
#define R_VIEWER (1 << ROLE_VIEWER)
#define R_ANY (R_ADMIN | R_STAFF | R_REVIEWER | R_HELPER | R_VIEWER)
#define R_WORK (R_ADMIN | R_STAFF)
#define R_FIELD (R_WORK | R_HELPER) /* field work a helper group records too */
#define R_PUBLIC 0 /* no login needed */

typedef void (*api_fn)(struct api *a);

/* struct route: METHOD and a path below /api/v1 whose ":x" segments are parameters. */
struct route {
	const char *method;
	const char *path;
	int roles;
	api_fn fn;
};

/* The route tables of each area, each ended by { NULL }. */
extern const struct route api_auth_routes[];
extern const struct route api_sel_routes[];
extern const struct route api_reg_routes[];
extern const struct route api_res_routes[];
extern const struct route api_rep_routes[];
extern const struct route api_node_routes[];

/* ---- replies (json.c) ---- */

/* api_json answers status with j as the body (consumed). */
void api_json(struct api *a, int status, json_t *j);

/* api_ok answers 200 with {"ok": true} and, when id is not NULL, "id". */
void api_ok(struct api *a, const char *id);

/* api_list answers a JSON array (consumed) paged by ?limit=&offset=: {"items", "total", "limit", "offset"}. */
void api_list(struct api *a, json_t *arr);

/* api_error answers status with {"error": {"code", "message", "field"}}; field may be NULL. */
void api_error(struct api *a, int status, const char *code, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* api_fail answers a domain error, choosing the status from its code. */
void api_fail(struct api *a, const struct nz_err *err);

/* api_result answers api_ok(id) when rc is 0, api_fail(err) otherwise. */
void api_result(struct api *a, int rc, const char *id, const struct nz_err *err);

/*
 * api_found answers the outcome of a read (record.h's convention): j
 * (consumed) when rc is 0, otherwise err by api_fail: 404 when the record is
 * absent, 500 when the database could not be read.
 */
void api_found(struct api *a, int rc, json_t *j, const struct nz_err *err);

/* ---- reading the request (json.c) ---- */

/* api_query returns query parameter k, or NULL. */
const char *api_query(struct api *a, const char *k);

/* api_qint reads query parameter k as a whole number within min..max; dflt when absent, 400 otherwise. */
long long api_qint(struct api *a, const char *k, long long dflt, long long min, long long max);

/* api_under returns ?under= when it lies within this node, else this node; NULL when refused (answered). */
const char *api_under(struct api *a);

/*
 * api_str returns body field k as a string (numbers are turned to text), or
 * NULL when absent or empty.  With required, absence answers 400 and
 * api_bad() turns true.  A value of the wrong type always answers 400.
 */
const char *api_str(struct api *a, const char *k, bool required);

/*
 * api_int reads an integer body field (a number or digits in text) within
 * min..max; dflt when absent.  Anything else, out of range or too long for
 * 64 bits, answers 400 naming the range.
 */
long long api_int(struct api *a, const char *k, long long dflt, long long min, long long max, bool required);

/* api_num reads a finite number body field within min..max; dflt when absent, 400 otherwise. */
double api_num(struct api *a, const char *k, double dflt, double min, double max, bool required);

/* http_utf8_valid reports whether the n bytes of s are well-formed UTF-8 (no overlongs, no surrogates). */
bool http_utf8_valid(const char *s, size_t n);

/* api_bool reads a boolean body field; dflt when absent. */
bool api_bool(struct api *a, const char *k, bool dflt);

/* api_date reads date field k as date_parse does (base/dates.h) into iso; false when absent or refused (answered). */
bool api_date(struct api *a, const char *k, char iso[11], bool required);

/*
 * api_pairs turns body field k, an object {"name": value, ...}, into
 * argv-style "name=value" strings in a new array (*out, free with
 * api_pairs_free); returns their number, -1 after answering 400.
 */
int api_pairs(struct api *a, const char *k, char ***out, bool required);
void api_pairs_free(char **p, int n);

/* api_strs turns body field k, an array of strings, into a new array (free with free()); -1 after 400. */
int api_strs(struct api *a, const char *k, const char ***out, bool required);

/* api_bad reports whether a reply (an error) has already been given. */
bool api_bad(const struct api *a);

/* api_can reports whether the user holds one of roles. */
bool api_can(const struct api *a, int roles);

/* ---- auth.c, for the router ---- */

/*
 * http_password_check verifies password against hash (NULL or "" when the
 * name is unknown or disabled: then against the app's dummy hash, at the
 * same cost) and counts the check; true only for a real hash that matches.
 */
int http_password_check(struct http_app *app, const char *hash, const char *password);

/* auth_session finds the session named by the request's cookie and fills a->user; false when none. */
bool auth_session(struct api *a);

/* ---- node.c ---- */

/* http_metrics writes the Prometheus text exposition into rs. */
void http_metrics(struct http_app *app, struct http_res *rs);

/* ---- assets.c ---- */

/* http_asset answers a static asset of path into rs; false when there is none. */
bool http_asset(const char *path, struct http_res *rs);

#endif
