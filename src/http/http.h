#ifndef NZ_HTTP_H
#define NZ_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <uv.h>

#include "base/err.h"
#include "store/store.h"

/*
 * The node's web face: the JSON API under /api/v1, the Persian web UI (its
 * assets are compiled into the binary), and /metrics.
 *
 * Two layers.  struct http_app turns one request into one response and
 * touches the database; it runs on the libuv loop's thread only, and the
 * unit tests drive it directly.  struct http_server is libmicrohttpd run
 * inside the libuv loop (MHD's epoll descriptor watched by the loop, no
 * thread of MHD's own), so http_app_handle runs on the loop's thread and
 * one thread writes the database.
 */

#define HTTP_BODY_MAX (1024 * 1024) /* request bodies above this get 413 */

struct sync;

/* struct http_env is what the app needs of its node; the caller keeps it alive. */
struct http_env {
	struct store *st;
	const char *id;        /* this node's org-unit code */
	const char *name;      /* display name of the secretariat ("" for none) */
	int sync_interval;     /* seconds, to tell a connected child from a silent one */
	bool require_children_accepted;
	struct sync *sync;     /* the node's replication state, for /metrics; may be NULL */
	const uint8_t *pk;     /* the node's public key (32 bytes), for invitations; NULL: none made */
	const char *listen;    /* where children reach this node ([node] listen), "" or NULL for none */
};

/* struct http_req is one request as the app sees it; the caller owns every pointer. */
struct http_req {
	const char *method;
	const char *uri;          /* path and query, as sent */
	const char *cookie;       /* the Cookie header, or NULL */
	const char *csrf;         /* the X-CSRF-Token header, or NULL */
	const char *content_type; /* or NULL */
	const char *body;
	size_t len;
	const char *peer;         /* the client's address, or "" when unknown */
	bool secure;              /* it came over HTTPS: cookies get Secure */
};

/* struct http_res is the app's answer; release it with http_res_release. */
struct http_res {
	int status;
	const char *ctype;
	char *body;               /* owned (malloc), or NULL when static_body is used */
	const unsigned char *static_body;
	size_t len;
	const char *cache;        /* Cache-Control value */
	char cookie[256];         /* Set-Cookie value, "" for none */
	char cookie2[256];        /* a second Set-Cookie value, "" for none */
	char location[256];       /* Location value, "" for none */
};

struct http_app;

/*
 * http_app_new makes the app over env and creates its local tables (users,
 * sessions, attempts) and the aggregates (agg_init, which node_open runs too).
 */
int http_app_new(struct http_app **out, const struct http_env *env, struct nz_err *err);

/* http_app_free frees app; NULL is ignored. */
void http_app_free(struct http_app *app);

/* http_app_handle answers rq into rs (zeroed by the caller); runs on the loop's thread. */
void http_app_handle(struct http_app *app, const struct http_req *rq, struct http_res *rs);

/* http_res_release frees what rs owns. */
void http_res_release(struct http_res *rs);

struct http_server;

/* struct http_opts is how the server is offered; the caller owns the strings. */
struct http_opts {
	const char *hostport;  /* "127.0.0.1:8080", "[::1]:8080", "localhost:0" */
	const char *tls_cert;  /* PEM files: both set means HTTPS only; NULL or "" for HTTP */
	const char *tls_key;
	int timeout;           /* seconds a connection may stay idle (mid-request too) */
	int per_client;        /* connections one client address may hold */
};

/*
 * http_server_start serves app as o says with libmicrohttpd, run by loop
 * (MHD has no thread of its own).  On success *out is the server; stop it
 * with http_server_stop() on the loop's thread.  The URL actually served
 * goes to url (size n).
 */
int http_server_start(struct http_server **out, uv_loop_t *loop, const struct http_opts *o, struct http_app *app,
		      char *url, size_t n, struct nz_err *err);

/*
 * http_server_stop closes every connection and the listener, and frees s
 * once the loop has closed its handles.
 */
void http_server_stop(struct http_server *s);

/* ---- users (auth.c), shared with `nehzat user` ---- */

enum http_role { ROLE_ADMIN, ROLE_STAFF, ROLE_REVIEWER, ROLE_HELPER, ROLE_VIEWER, ROLE_NONE };

#define HTTP_NAME_MAX 64
#define HTTP_PASS_MIN 8
#define HTTP_PASS_MAX 256

/* http_role_parse returns the role named s (admin, staff, reviewer, helper, viewer) or ROLE_NONE. */
enum http_role http_role_parse(const char *s);

/* http_role_name returns the name of role r. */
const char *http_role_name(enum http_role r);

/* http_tables_init creates the node's local (never replicated) tables of users, sessions and attempts. */
int http_tables_init(struct store *st, struct nz_err *err);

/*
 * user_add creates user name with role and password, bound to this node's
 * org unit; group is the helper group (appointment id) of a helper, NULL
 * otherwise.  NZ_EEXIST when the name is taken.
 */
int user_add(struct store *st, const char *name, const char *full_name, enum http_role role, const char *group,
	     const char *password, struct nz_err *err);

/* user_passwd sets a new password of user name and ends every session of it. */
int user_passwd(struct store *st, const char *name, const char *password, struct nz_err *err);

/* user_set_active enables or disables user name (disabling ends its sessions). */
int user_set_active(struct store *st, const char *name, bool active, struct nz_err *err);

/*
 * user_list returns the users as a new JSON array (never the hashes), a
 * helper's with its group's name and appointment status; NULL when the
 * users cannot be read.
 */
json_t *user_list(struct store *st);

/*
 * http_decree_html writes the decree found by key as a self-contained,
 * right-to-left Persian HTML page into *html (the caller frees it): the
 * secretariat (its org unit's Persian name, else fallback_name, else its
 * code), the group, number (Persian digits), Jalali date and term, and the
 * helpers' duties of ماده ۴; the node's font inline, one A4 page when printed.
 */
int http_decree_html(struct store *st, const char *key, const char *fallback_name, char **html,
		     struct nz_err *err);

/*
 * http_call_html writes call id's printable announcement (فراخوان): who may
 * apply, the window in Jalali, the documents asked, and, once the call is
 * open, the review criteria and weights of its standards; a self-contained
 * RTL page in *html, which the caller frees.
 */
int http_call_html(struct store *st, const char *id, const char *fallback_name, char **html, struct nz_err *err);

#endif
