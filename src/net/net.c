#include "net/net.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "base/log.h"

/*
 * The queue between NNG's threads and the loop.  Events are small and
 * allocated per completion; the loop frees them.
 */
enum ev_kind { EV_SRV_RECV, EV_SRV_SENT, EV_SRV_PIPE, EV_CLI_SENT, EV_CLI_RECV };

struct event {
	enum ev_kind kind;
	int idx;     /* server context */
	int rc;      /* NNG result */
	nng_msg *msg;
	uint32_t pipe;
	unsigned gen; /* client: which connection the event belongs to */
	struct event *next;
};

struct queue {
	pthread_mutex_t mu;
	struct event *head, *tail;
	uv_async_t async;
	bool closing;
};

static void
queue_push(struct queue *q, struct event *e)
{
	pthread_mutex_lock(&q->mu);
	e->next = NULL;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	pthread_mutex_unlock(&q->mu);
	uv_async_send(&q->async);
}

static struct event *
queue_take(struct queue *q)
{
	struct event *e;

	pthread_mutex_lock(&q->mu);
	e = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return e;
}

static struct event *
event_new(enum ev_kind kind)
{
	struct event *e = calloc(1, sizeof(*e));

	if (e == NULL)
		abort(); /* a completion we cannot record would hang the protocol */
	e->kind = kind;
	return e;
}

static int
nng_fail(struct nz_err *err, int rv, const char *what, const char *url)
{
	return nz_fail(err, NZ_ENET, "%s %s: %s", what, url, nng_strerror(rv));
}

static int
read_file(const char *path, char **out, struct nz_err *err)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *buf;

	if (f == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "cannot open '%s'", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || n > 1 << 20 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	buf[n] = '\0';
	fclose(f);
	*out = buf;
	return 0;
}

/* tls_config builds a mutual-TLS configuration: our certificate, their CA, peer verified. */
static int
tls_config(nng_tls_config **out, nng_tls_mode mode, const struct net_tls *tls, struct nz_err *err)
{
	nng_tls_config *cfg = NULL;
	char *ca = NULL, *cert = NULL, *key = NULL;
	int rv, rc = 0;

	if ((rv = nng_tls_config_alloc(&cfg, mode)) != 0)
		return nz_fail(err, NZ_ENET, "tls: %s", nng_strerror(rv));
	if ((rc = read_file(tls->ca, &ca, err)) != 0 || (rc = read_file(tls->cert, &cert, err)) != 0 ||
	    (rc = read_file(tls->key, &key, err)) != 0)
		goto out;
	if ((rv = nng_tls_config_ca_chain(cfg, ca, NULL)) != 0) {
		rc = nz_fail(err, NZ_ECONF, "tls: CA '%s': %s", tls->ca, nng_strerror(rv));
		goto out;
	}
	if ((rv = nng_tls_config_own_cert(cfg, cert, key, NULL)) != 0) {
		rc = nz_fail(err, NZ_ECONF, "tls: certificate '%s' or key '%s': %s", tls->cert, tls->key,
			     nng_strerror(rv));
		goto out;
	}
	if ((rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED)) != 0 ||
	    (mode == NNG_TLS_MODE_CLIENT && tls->server_name && tls->server_name[0] &&
	     (rv = nng_tls_config_server_name(cfg, tls->server_name)) != 0)) {
		rc = nz_fail(err, NZ_ECONF, "tls: %s", nng_strerror(rv));
		goto out;
	}
out:
	free(ca);
	free(cert);
	free(key);
	if (rc != 0) {
		nng_tls_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

static bool
is_tls(const char *url)
{
	return strncmp(url, "tls+", 4) == 0;
}

/* ---- server ---- */

struct srv_ctx {
	struct net_server *srv;
	int idx;
	nng_ctx ctx;
	nng_aio *aio;
	bool sending;
};

struct net_server {
	uv_loop_t *loop;
	struct queue q;
	nng_socket sock;
	nng_listener listener;
	struct srv_ctx *ctxs;
	int nctx;
	net_request_cb on_req;
	net_pipe_cb on_pipe;
	void *arg;
	msgpack_sbuffer out;
};

static void
srv_aio_cb(void *arg)
{
	struct srv_ctx *c = arg;
	struct event *e = event_new(c->sending ? EV_SRV_SENT : EV_SRV_RECV);

	e->idx = c->idx;
	e->rc = nng_aio_result(c->aio);
	if (!c->sending && e->rc == 0)
		e->msg = nng_aio_get_msg(c->aio);
	else if (c->sending && e->rc != 0)
		nng_msg_free(nng_aio_get_msg(c->aio)); /* the reply was not taken */
	queue_push(&c->srv->q, e);
}

static void
srv_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct net_server *s = arg;
	struct event *e;

	(void)ev;
	e = event_new(EV_SRV_PIPE);
	e->pipe = nng_pipe_id(p);
	queue_push(&s->q, e);
}

static void
srv_recv(struct srv_ctx *c)
{
	c->sending = false;
	nng_ctx_recv(c->ctx, c->aio);
}

static void
srv_handle(struct net_server *s, struct event *e)
{
	struct srv_ctx *c = &s->ctxs[e->idx];
	nng_msg *reply;

	if (e->kind == EV_SRV_PIPE) {
		s->on_pipe(s->arg, e->pipe);
		return;
	}
	if (s->q.closing) {
		if (e->msg)
			nng_msg_free(e->msg);
		return;
	}
	if (e->kind == EV_SRV_SENT || e->rc != 0) {
		if (e->rc != 0 && e->rc != NNG_ECLOSED && e->rc != NNG_ECANCELED)
			nz_log(NZ_LOG_DEBUG, "net.server", "ctx=%d error=\"%s\"", c->idx, nng_strerror(e->rc));
		if (e->rc != NNG_ECLOSED)
			srv_recv(c);
		return;
	}
	msgpack_sbuffer_clear(&s->out);
	s->on_req(s->arg, nng_pipe_id(nng_msg_get_pipe(e->msg)), nng_msg_body(e->msg), nng_msg_len(e->msg),
		  &s->out);
	nng_msg_free(e->msg);
	e->msg = NULL;
	if (nng_msg_alloc(&reply, 0) != 0 || nng_msg_append(reply, s->out.data, s->out.size) != 0) {
		srv_recv(c);
		return;
	}
	c->sending = true;
	nng_aio_set_msg(c->aio, reply);
	nng_ctx_send(c->ctx, c->aio);
}

static void
srv_async_cb(uv_async_t *h)
{
	struct net_server *s = h->data;
	struct event *e = queue_take(&s->q), *next;

	for (; e != NULL; e = next) {
		next = e->next;
		srv_handle(s, e);
		free(e);
	}
}

int
net_server_start(struct net_server **out, uv_loop_t *loop, const char *url, size_t recv_max,
		 const struct net_tls *tls, int nctx, net_request_cb on_req, net_pipe_cb on_pipe, void *arg,
		 struct nz_err *err)
{
	struct net_server *s;
	nng_tls_config *cfg = NULL;
	int rv, rc = 0, i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	s->loop = loop;
	s->on_req = on_req;
	s->on_pipe = on_pipe;
	s->arg = arg;
	s->nctx = nctx;
	msgpack_sbuffer_init(&s->out);
	pthread_mutex_init(&s->q.mu, NULL);
	uv_async_init(loop, &s->q.async, srv_async_cb);
	s->q.async.data = s;
	if ((rv = nng_rep0_open(&s->sock)) != 0) {
		rc = nng_fail(err, rv, "open REP socket for", url);
		goto fail;
	}
	/* NNG drops a message over this size and closes the connection. */
	nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, recv_max);
	nng_pipe_notify(s->sock, NNG_PIPE_EV_REM_POST, srv_pipe_cb, s);
	if ((rv = nng_listener_create(&s->listener, s->sock, url)) != 0) {
		rc = nng_fail(err, rv, "listen on", url);
		goto fail;
	}
	if (is_tls(url)) {
		if ((rc = tls_config(&cfg, NNG_TLS_MODE_SERVER, tls, err)) != 0)
			goto fail;
		rv = nng_listener_set_ptr(s->listener, NNG_OPT_TLS_CONFIG, cfg);
		nng_tls_config_free(cfg); /* the listener holds its own reference */
		if (rv != 0) {
			rc = nng_fail(err, rv, "tls for", url);
			goto fail;
		}
	}
	if ((rv = nng_listener_start(s->listener, 0)) != 0) {
		rc = nng_fail(err, rv, "listen on", url);
		goto fail;
	}
	if ((s->ctxs = calloc((size_t)nctx, sizeof(*s->ctxs))) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < nctx; i++) {
		struct srv_ctx *c = &s->ctxs[i];
		c->srv = s;
		c->idx = i;
		if ((rv = nng_ctx_open(&c->ctx, s->sock)) != 0 ||
		    (rv = nng_aio_alloc(&c->aio, srv_aio_cb, c)) != 0) {
			rc = nng_fail(err, rv, "context for", url);
			goto fail;
		}
		srv_recv(c);
	}
	*out = s;
	return 0;
fail:
	net_server_stop(s);
	return rc;
}

static void
free_on_close(uv_handle_t *h)
{
	free(h->data);
}

void
net_server_stop(struct net_server *s)
{
	struct event *e, *next;
	int i;

	if (s == NULL)
		return;
	s->q.closing = true;
	/* Closing the socket completes every pending operation; nng_aio_free
	 * then waits for the callbacks, which only queue. */
	nng_close(s->sock);
	for (i = 0; s->ctxs != NULL && i < s->nctx; i++)
		if (s->ctxs[i].aio != NULL)
			nng_aio_free(s->ctxs[i].aio);
	for (e = queue_take(&s->q); e != NULL; e = next) {
		next = e->next;
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
	}
	free(s->ctxs);
	msgpack_sbuffer_destroy(&s->out);
	pthread_mutex_destroy(&s->q.mu);
	s->q.async.data = s;
	uv_close((uv_handle_t *)&s->q.async, free_on_close);
}

/* ---- client ---- */

struct net_client {
	uv_loop_t *loop;
	struct queue q;
	char url[512];
	size_t recv_max;
	struct net_tls tls;
	int timeout_ms;
	net_reply_cb on_reply;
	void *arg;
	nng_socket sock;
	nng_dialer dialer;
	nng_ctx ctx;
	nng_aio *aio;
	bool open, sending, busy;
	unsigned gen;
	uint64_t sent, received;
};

static void
cli_aio_cb(void *arg)
{
	struct net_client *c = arg;
	struct event *e = event_new(c->sending ? EV_CLI_SENT : EV_CLI_RECV);

	e->rc = nng_aio_result(c->aio);
	e->gen = c->gen;
	if (!c->sending && e->rc == 0)
		e->msg = nng_aio_get_msg(c->aio);
	else if (c->sending && e->rc != 0)
		nng_msg_free(nng_aio_get_msg(c->aio));
	queue_push(&c->q, e);
}

static void
cli_handle(struct net_client *c, struct event *e)
{
	if (c->q.closing || e->gen != c->gen || !c->busy) {
		if (e->msg)
			nng_msg_free(e->msg);
		return;
	}
	if (e->rc != 0) {
		c->busy = false;
		c->on_reply(c->arg, NZ_ENET, NULL, 0);
		return;
	}
	if (e->kind == EV_CLI_SENT) {
		c->sending = false;
		nng_aio_set_timeout(c->aio, c->timeout_ms);
		nng_ctx_recv(c->ctx, c->aio);
		return;
	}
	c->busy = false;
	c->received += nng_msg_len(e->msg);
	c->on_reply(c->arg, 0, nng_msg_body(e->msg), nng_msg_len(e->msg));
	nng_msg_free(e->msg);
	e->msg = NULL;
}

static void
cli_async_cb(uv_async_t *h)
{
	struct net_client *c = h->data;
	struct event *e = queue_take(&c->q), *next;

	for (; e != NULL; e = next) {
		next = e->next;
		cli_handle(c, e);
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
	}
}

int
net_client_new(struct net_client **out, uv_loop_t *loop, const char *url, size_t recv_max,
	       const struct net_tls *tls, int timeout_ms, net_reply_cb on_reply, void *arg,
	       struct nz_err *err)
{
	struct net_client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	c->loop = loop;
	snprintf(c->url, sizeof(c->url), "%s", url);
	c->recv_max = recv_max;
	c->tls = *tls;
	c->timeout_ms = timeout_ms;
	c->on_reply = on_reply;
	c->arg = arg;
	pthread_mutex_init(&c->q.mu, NULL);
	uv_async_init(loop, &c->q.async, cli_async_cb);
	c->q.async.data = c;
	if (nng_aio_alloc(&c->aio, cli_aio_cb, c) != 0) {
		net_client_free(c);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

static int
cli_open(struct net_client *c, struct nz_err *err)
{
	nng_tls_config *cfg = NULL;
	int rv, rc;

	if ((rv = nng_req0_open(&c->sock)) != 0)
		return nng_fail(err, rv, "open REQ socket for", c->url);
	c->open = true;
	nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, c->recv_max);
	/* We time requests out ourselves and start over on a fresh connection;
	 * NNG's own resend would only repeat the request on the same one. */
	nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_socket_set_ms(c->sock, NNG_OPT_RECONNMINT, 1000);
	nng_socket_set_ms(c->sock, NNG_OPT_RECONNMAXT, 60000);
	if ((rv = nng_dialer_create(&c->dialer, c->sock, c->url)) != 0)
		return nng_fail(err, rv, "dial", c->url);
	if (is_tls(c->url)) {
		if ((rc = tls_config(&cfg, NNG_TLS_MODE_CLIENT, &c->tls, err)) != 0)
			return rc;
		rv = nng_dialer_set_ptr(c->dialer, NNG_OPT_TLS_CONFIG, cfg);
		nng_tls_config_free(cfg);
		if (rv != 0)
			return nng_fail(err, rv, "tls for", c->url);
	}
	if ((rv = nng_dialer_start(c->dialer, NNG_FLAG_NONBLOCK)) != 0)
		return nng_fail(err, rv, "dial", c->url);
	if ((rv = nng_ctx_open(&c->ctx, c->sock)) != 0)
		return nng_fail(err, rv, "context for", c->url);
	return 0;
}

int
net_client_request(struct net_client *c, const void *buf, size_t len, struct nz_err *err)
{
	nng_msg *msg;
	int rc;

	if (c->busy)
		return nz_fail(err, NZ_EBUSY, "a request is already in flight");
	if (c->aio == NULL && nng_aio_alloc(&c->aio, cli_aio_cb, c) != 0)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (!c->open && (rc = cli_open(c, err)) != 0) {
		net_client_reset(c);
		return rc;
	}
	if (nng_msg_alloc(&msg, 0) != 0 || nng_msg_append(msg, buf, len) != 0)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	c->busy = true;
	c->sending = true;
	c->sent += len;
	nng_aio_set_msg(c->aio, msg);
	/* Until a connection exists the send waits: the timeout covers that too. */
	nng_aio_set_timeout(c->aio, c->timeout_ms);
	nng_ctx_send(c->ctx, c->aio);
	return 0;
}

void
net_client_reset(struct net_client *c)
{
	if (!c->open)
		return;
	/*
	 * No operation is pending here (the last one completed or timed out),
	 * so closing cannot race NNG's cancellation paths.  A stopped aio
	 * cannot start new operations, so the next connection gets a new one.
	 */
	nng_close(c->sock);
	nng_aio_free(c->aio);
	c->aio = NULL;
	c->open = false;
	c->busy = false;
	c->gen++;
}

void
net_client_bytes(const struct net_client *c, uint64_t *sent, uint64_t *received)
{
	*sent = c->sent;
	*received = c->received;
}

void
net_client_free(struct net_client *c)
{
	struct event *e, *next;

	if (c == NULL)
		return;
	c->q.closing = true;
	if (c->open)
		nng_close(c->sock);
	if (c->aio != NULL)
		nng_aio_free(c->aio);
	for (e = queue_take(&c->q); e != NULL; e = next) {
		next = e->next;
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
	}
	pthread_mutex_destroy(&c->q.mu);
	c->q.async.data = c;
	uv_close((uv_handle_t *)&c->q.async, free_on_close);
}
