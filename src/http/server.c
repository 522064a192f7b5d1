/*
 * NNG's HTTP server carried into the libuv loop.  NNG calls the handler on
 * its own threads; the handler only queues the request's aio and wakes the
 * loop with uv_async_send.  Wake-ups merge, so the loop takes the whole
 * queue each time, answers every request with http_app_handle and
 * finishes its aio.  The database is thus touched by the loop's thread
 * alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <nng/supplemental/util/platform.h>

#include "base/log.h"
#include "http/http.h"

struct job {
	nng_aio *aio;
	struct job *next;
};

struct http_server {
	nng_http_server *srv;
	nng_mtx *mtx;
	uv_async_t async;
	struct job *head, *tail; /* guarded by mtx */
	bool closing;            /* guarded by mtx */
	struct http_app *app;
};

/* Headers every answer carries: the UI loads nothing from elsewhere. */
static const char *const security_headers[][2] = {
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Content-Security-Policy",
	 "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self';"
	 " script-src 'self'; connect-src 'self'; frame-ancestors 'none'"},
};

static void
reply(nng_aio *aio, const struct http_res *rs, bool head)
{
	nng_http_res *res;
	size_t i;
	int rc;

	if (nng_http_res_alloc(&res) != 0) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	nng_http_res_set_status(res, (uint16_t)(rs->status ? rs->status : 500));
	if (rs->ctype)
		nng_http_res_set_header(res, "Content-Type", rs->ctype);
	nng_http_res_set_header(res, "Cache-Control", rs->cache ? rs->cache : "no-store");
	if (rs->cookie[0])
		nng_http_res_set_header(res, "Set-Cookie", rs->cookie);
	if (rs->location[0])
		nng_http_res_set_header(res, "Location", rs->location);
	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
		nng_http_res_set_header(res, security_headers[i][0], security_headers[i][1]);
	rc = 0;
	if (head) {
		char n[32];
		snprintf(n, sizeof(n), "%zu", rs->len);
		nng_http_res_set_header(res, "Content-Length", n);
	} else if (rs->static_body != NULL) {
		rc = nng_http_res_set_data(res, rs->static_body, rs->len);
	} else if (rs->body != NULL) {
		rc = nng_http_res_copy_data(res, rs->body, rs->len);
	}
	if (rc != 0) {
		nng_http_res_free(res);
		nng_aio_finish(aio, rc);
		return;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

static void
reply_status(nng_aio *aio, int status)
{
	struct http_res rs;

	memset(&rs, 0, sizeof(rs));
	rs.status = status;
	reply(aio, &rs, false);
}

/* answer runs one request through the app; on the loop's thread. */
static void
answer(struct http_server *s, nng_aio *aio)
{
	nng_http_req *req = nng_aio_get_input(aio, 0);
	struct http_req rq;
	struct http_res rs;
	void *body = NULL;
	size_t len = 0;
	int64_t t0 = (int64_t)nng_clock();

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	nng_http_req_get_data(req, &body, &len);
	rq.method = nng_http_req_get_method(req);
	rq.uri = nng_http_req_get_uri(req);
	rq.cookie = nng_http_req_get_header(req, "Cookie");
	rq.csrf = nng_http_req_get_header(req, "X-CSRF-Token");
	rq.content_type = nng_http_req_get_header(req, "Content-Type");
	rq.body = body;
	rq.len = len;
	/* NNG 1.5.2 does not tell a handler the client's address. */
	rq.peer = "";
	http_app_handle(s->app, &rq, &rs);
	nz_log(NZ_LOG_DEBUG, "http.request", "method=%s uri=\"%.200s\" status=%d ms=%lld", rq.method, rq.uri,
	       rs.status, (long long)((int64_t)nng_clock() - t0));
	reply(aio, &rs, strcmp(rq.method, "HEAD") == 0);
	http_res_release(&rs);
}

static void
on_async(uv_async_t *h)
{
	struct http_server *s = h->data;
	struct job *j, *next;

	nng_mtx_lock(s->mtx);
	j = s->head;
	s->head = s->tail = NULL;
	nng_mtx_unlock(s->mtx);
	for (; j != NULL; j = next) {
		next = j->next;
		answer(s, j->aio);
		free(j);
	}
}

/* on_http runs on an NNG thread: queue and wake, nothing more. */
static void
on_http(nng_aio *aio)
{
	nng_http_handler *h = nng_aio_get_input(aio, 1);
	struct http_server *s = nng_http_handler_get_data(h);
	struct job *j;

	if ((j = malloc(sizeof(*j))) == NULL) {
		reply_status(aio, 503);
		return;
	}
	j->aio = aio;
	j->next = NULL;
	nng_mtx_lock(s->mtx);
	if (s->closing) {
		nng_mtx_unlock(s->mtx);
		free(j);
		reply_status(aio, 503);
		return;
	}
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	nng_mtx_unlock(s->mtx);
	uv_async_send(&s->async);
}

static void
on_closed(uv_handle_t *h)
{
	struct http_server *s = h->data;

	nng_mtx_free(s->mtx);
	free(s);
}

int
http_server_start(struct http_server **out, uv_loop_t *loop, const char *hostport, struct http_app *app,
		  char *urlbuf, size_t n, struct nz_err *err)
{
	struct http_server *s;
	nng_http_handler *h = NULL;
	nng_url *url = NULL;
	nng_sockaddr sa;
	char u[300];
	int rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	s->app = app;
	if (nng_mtx_alloc(&s->mtx) != 0) {
		free(s);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	snprintf(u, sizeof(u), "http://%s", hostport);
	if ((rc = nng_url_parse(&url, u)) != 0) {
		rc = nz_fail(err, NZ_ECONF, "http address '%s': %s", hostport, nng_strerror(rc));
		goto fail;
	}
	if ((rc = nng_http_server_hold(&s->srv, url)) != 0 || (rc = nng_http_handler_alloc(&h, "/", on_http)) != 0 ||
	    (rc = nng_http_handler_set_method(h, NULL)) != 0 || (rc = nng_http_handler_set_tree(h)) != 0 ||
	    (rc = nng_http_handler_collect_body(h, true, HTTP_BODY_MAX)) != 0 ||
	    (rc = nng_http_handler_set_data(h, s, NULL)) != 0 || (rc = nng_http_server_add_handler(s->srv, h)) != 0) {
		if (h)
			nng_http_handler_free(h);
		rc = nz_fail(err, NZ_ENET, "http server on %s: %s", hostport, nng_strerror(rc));
		goto fail;
	}
	if ((rc = nng_http_server_start(s->srv)) != 0) {
		rc = nz_fail(err, NZ_ENET, "cannot serve HTTP on %s: %s", hostport, nng_strerror(rc));
		goto fail;
	}
	snprintf(urlbuf, n, "%s/", u);
	if (nng_http_server_get_addr(s->srv, &sa) == 0 && sa.s_family == NNG_AF_INET) {
		const unsigned char *ip = (const unsigned char *)&sa.s_in.sa_addr;
		snprintf(urlbuf, n, "http://%u.%u.%u.%u:%u/", ip[0], ip[1], ip[2], ip[3],
			 (unsigned)((sa.s_in.sa_port >> 8) | ((sa.s_in.sa_port & 0xff) << 8)));
	}
	nng_url_free(url);
	uv_async_init(loop, &s->async, on_async);
	s->async.data = s;
	*out = s;
	return 0;
fail:
	if (s->srv)
		nng_http_server_release(s->srv);
	if (url)
		nng_url_free(url);
	nng_mtx_free(s->mtx);
	free(s);
	return rc;
}

void
http_server_stop(struct http_server *s)
{
	struct job *j, *next;

	if (s == NULL)
		return;
	nng_mtx_lock(s->mtx);
	s->closing = true;
	j = s->head;
	s->head = s->tail = NULL;
	nng_mtx_unlock(s->mtx);
	for (; j != NULL; j = next) {
		next = j->next;
		reply_status(j->aio, 503);
		free(j);
	}
	nng_http_server_stop(s->srv);
	nng_http_server_release(s->srv);
	uv_close((uv_handle_t *)&s->async, on_closed);
}
