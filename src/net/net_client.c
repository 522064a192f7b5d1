#include "net/net.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "net/net_int.h"

/*
 * The child's client: a REQ socket dialling its parent, one request at a
 * time, watched while it is in flight (cli_watch) so that a slow link is
 * waited for and a dead one given up.
 */

#define REQ_WATCH_MS 100 /* how often a child looks at its request in flight */

struct net_client {
	uv_loop_t *loop;
	struct queue q;
	uv_timer_t watch; /* looks at the request in flight */
	int handles;      /* libuv handles not yet closed; c is freed with the last */
	char url[512];
	size_t recv_max;
	struct net_tls tls;
	int timeout_ms, keep_ms;
	net_reply_cb on_reply;
	net_link_cb on_link;
	void *arg;
	nng_socket sock;
	nng_dialer dialer;
	nng_ctx ctx;
	nng_aio *aio;
	bool open, sending, busy;
	unsigned gen;
	uint64_t sent, received;
	/* The connection, and how the request in flight moves on it. */
	struct tcp_conn conn; /* pipe 0: none; fd -1: one that cannot be watched */
	uint64_t since;       /* uv_now() when the request's bytes last moved, or it started */
	bool stalled;         /* on_link reported a stall and nothing has moved since */
	char why[160];        /* why the request is being given up */
	int why_rc;           /* and how: NZ_ENET out of reach, NZ_EBUSY no answer */
};

static void
cli_aio_cb(void *arg)
{
	struct net_client *c = arg;
	struct event *e = net_event_new(c->sending ? EV_CLI_SENT : EV_CLI_RECV);

	e->rc = nng_aio_result(c->aio);
	e->gen = c->gen;
	if (!c->sending && e->rc == 0)
		e->msg = nng_aio_get_msg(c->aio);
	else if (c->sending && e->rc != 0)
		nng_msg_free(nng_aio_get_msg(c->aio));
	net_queue_push(&c->q, e);
}

static void
cli_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct net_client *c = arg;
	struct event *e = net_pipe_event(EV_CLI_PIPE, p, ev, c->keep_ms);

	e->gen = c->gen;
	net_queue_push(&c->q, e);
}

static void cli_give_up(struct net_client *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
cli_pipe(struct net_client *c, const struct event *e)
{
	if (e->added) {
		/* A new connection is progress; its counters start from here. */
		c->conn = e->tcp;
		c->since = uv_now(c->loop);
		net_tcp_start(&c->conn, c->since);
		c->on_link(c->arg, NET_LINK_CONNECTED, 0, 0);
	} else if (e->pipe == c->conn.pipe) {
		c->conn.fd = -1;
		c->conn.pipe = 0;
		/*
		 * NNG would send the request again on the next connection, but a
		 * session belongs to its connection (PROTOCOL.md), and the parent
		 * would refuse it there.  The request fails now, and the caller
		 * starts a session on the connection the client is already dialling.
		 */
		if (c->busy && c->why[0] == '\0')
			cli_give_up(c, NZ_ENET, "the connection to the parent was lost");
	}
}

/* cli_done ends the request in flight; a stall it was in is over. */
static void
cli_done(struct net_client *c, bool replied)
{
	uint64_t now = uv_now(c->loop);

	c->busy = false;
	uv_timer_stop(&c->watch);
	if (c->stalled && replied)
		c->on_link(c->arg, NET_LINK_MOVING, (int64_t)(now - c->since), 0);
	c->stalled = false;
}

static void
cli_give_up(struct net_client *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	c->why_rc = rc;
	/* The operation completes with NNG_ECANCELED, through the queue. */
	nng_aio_cancel(c->aio);
}

/*
 * cli_watch tells a slow link from a dead one.  While the request's bytes
 * move (the parent acknowledges ours or sends its own), it waits however long
 * the request takes.  When nothing has moved for timeout_ms it reports a
 * stall, once, and keeps the connection: the line may come back and TCP
 * carries on where it stopped, which a new connection could not do in a
 * window of two seconds.  Past keep_ms it gives the connection up.  Where the
 * counters cannot be seen (no connection yet, ipc://, not Linux) timeout_ms
 * ends the request.
 */
static void
cli_watch(uv_timer_t *t)
{
	struct net_client *c = t->data;
	uint64_t now = uv_now(c->loop);
	int64_t idle, keep = c->keep_ms > c->timeout_ms ? c->keep_ms : c->timeout_ms;
	int moved;

	if (!c->busy || c->why[0] != '\0')
		return;
	moved = net_tcp_look(&c->conn, now);
	if (moved == 1) {
		if (c->stalled) {
			c->stalled = false;
			c->on_link(c->arg, NET_LINK_MOVING, (int64_t)(now - c->since), 0);
		}
		c->since = now;
		return;
	}
	idle = (int64_t)(now - c->since);
	if (idle < c->timeout_ms)
		return;
	if (moved < 0) {
		if (c->conn.pipe == 0)
			cli_give_up(c, NZ_ENET, "no connection within %d s: the parent is down or out of reach",
				    c->timeout_ms / 1000);
		else
			cli_give_up(c, NZ_EBUSY, "no reply within %d s: the link is down or too slow",
				    c->timeout_ms / 1000);
		return;
	}
	if (idle >= keep) {
		cli_give_up(c, NZ_ENET, "nothing moved for %d s: the connection is given up", (int)(idle / 1000));
		return;
	}
	if (!c->stalled) {
		c->stalled = true;
		c->on_link(c->arg, NET_LINK_STALLED, idle, keep - idle);
	}
}

static void
cli_handle(struct net_client *c, struct event *e)
{
	if (e->kind == EV_CLI_PIPE) {
		if (!c->q.closing && e->gen == c->gen)
			cli_pipe(c, e);
		return;
	}
	if (c->q.closing || e->gen != c->gen || !c->busy) {
		if (e->msg)
			nng_msg_free(e->msg);
		return;
	}
	if (e->rc != 0) {
		cli_done(c, false);
		if (c->why[0] == '\0') {
			snprintf(c->why, sizeof(c->why), "no reply: %s", nng_strerror(e->rc));
			c->why_rc = NZ_EBUSY;
		}
		c->on_reply(c->arg, c->why_rc, c->why, NULL, 0);
		return;
	}
	if (e->kind == EV_CLI_SENT) {
		c->sending = false;
		nng_ctx_recv(c->ctx, c->aio);
		return;
	}
	cli_done(c, true);
	c->received += nng_msg_len(e->msg);
	c->on_reply(c->arg, 0, NULL, nng_msg_body(e->msg), nng_msg_len(e->msg));
	nng_msg_free(e->msg);
	e->msg = NULL;
}

static void
cli_async_cb(uv_async_t *h)
{
	struct net_client *c = h->data;
	struct event *e = net_queue_take(&c->q), *next;

	for (; e != NULL; e = next) {
		next = e->next;
		cli_handle(c, e);
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
	}
}

int
net_client_new(struct net_client **out, uv_loop_t *loop, const char *url, size_t recv_max, const struct net_tls *tls,
	       int timeout_ms, int keep_ms, net_reply_cb on_reply, net_link_cb on_link, void *arg, struct nz_err *err)
{
	struct net_client *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	c->loop = loop;
	snprintf(c->url, sizeof(c->url), "%s", url);
	c->recv_max = recv_max;
	c->tls = *tls;
	c->timeout_ms = timeout_ms;
	c->keep_ms = keep_ms;
	c->on_reply = on_reply;
	c->on_link = on_link;
	c->arg = arg;
	c->conn.fd = -1;
	pthread_mutex_init(&c->q.mu, NULL);
	uv_async_init(loop, &c->q.async, cli_async_cb);
	c->q.async.data = c;
	uv_timer_init(loop, &c->watch);
	c->watch.data = c;
	c->handles = 2;
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
		return net_nng_fail(err, rv, "open REQ socket for", c->url);
	c->open = true;
	nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, c->recv_max);
	/* We time requests out ourselves and start over on a fresh connection;
	 * NNG's own resend would only repeat the request on the same one. */
	nng_socket_set_ms(c->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_socket_set_ms(c->sock, NNG_OPT_RECONNMINT, 1000);
	nng_socket_set_ms(c->sock, NNG_OPT_RECONNMAXT, 1000); /* a parent back is found within a second */
	nng_pipe_notify(c->sock, NNG_PIPE_EV_ADD_POST, cli_pipe_cb, c);
	nng_pipe_notify(c->sock, NNG_PIPE_EV_REM_POST, cli_pipe_cb, c);
	if ((rv = nng_dialer_create(&c->dialer, c->sock, c->url)) != 0)
		return net_nng_fail(err, rv, "dial", c->url);
	if (net_is_tls(c->url)) {
		if ((rc = net_tls_config(&cfg, NNG_TLS_MODE_CLIENT, &c->tls, err)) != 0)
			return rc;
		rv = nng_dialer_set_ptr(c->dialer, NNG_OPT_TLS_CONFIG, cfg);
		nng_tls_config_free(cfg);
		if (rv != 0)
			return net_nng_fail(err, rv, "tls for", c->url);
	}
	if ((rv = nng_dialer_start(c->dialer, NNG_FLAG_NONBLOCK)) != 0)
		return net_nng_fail(err, rv, "dial", c->url);
	if ((rv = nng_ctx_open(&c->ctx, c->sock)) != 0)
		return net_nng_fail(err, rv, "context for", c->url);
	return 0;
}

static void cli_close(struct net_client *c);

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
		cli_close(c);
		return rc;
	}
	if (nng_msg_alloc(&msg, 0) != 0 || nng_msg_append(msg, buf, len) != 0)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	c->busy = true;
	c->sending = true;
	c->sent += len;
	c->why[0] = '\0';
	c->stalled = false;
	c->since = uv_now(c->loop);
	/* What moved since the last request (its reply) is not this one's. */
	net_tcp_look(&c->conn, c->since);
	nng_aio_set_msg(c->aio, msg);
	/* The watch, not NNG, decides when a request has waited too long. */
	nng_aio_set_timeout(c->aio, NNG_DURATION_INFINITE);
	nng_ctx_send(c->ctx, c->aio);
	uv_timer_start(&c->watch, cli_watch, REQ_WATCH_MS, REQ_WATCH_MS);
	return 0;
}

static void
cli_close(struct net_client *c)
{
	uv_timer_stop(&c->watch);
	c->busy = false;
	c->stalled = false;
	c->conn.fd = -1;
	c->conn.pipe = 0;
	if (!c->open)
		return;
	/*
	 * No operation is pending here (the last one completed or was
	 * cancelled), so closing cannot race NNG's cancellation paths.  A
	 * stopped aio cannot start new operations, so the next connection gets
	 * a new one.
	 */
	nng_close(c->sock);
	nng_aio_free(c->aio);
	c->aio = NULL;
	c->open = false;
	c->gen++;
}

/*
 * net_client_reset drops the connection and dials again at once, so that
 * while the caller waits out its backoff a parent that comes back shows up
 * as NET_LINK_CONNECTED.  When the socket cannot be opened, the next
 * request tries again and reports why.
 */
void
net_client_reset(struct net_client *c)
{
	struct nz_err err = {0};

	cli_close(c);
	if (!c->q.closing && cli_open(c, &err) != 0)
		cli_close(c);
}

void
net_client_bytes(const struct net_client *c, uint64_t *sent, uint64_t *received)
{
	*sent = c->sent;
	*received = c->received;
}

static void
cli_closed(uv_handle_t *h)
{
	struct net_client *c = h->data;

	if (--c->handles == 0)
		free(c);
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
	for (e = net_queue_take(&c->q); e != NULL; e = next) {
		next = e->next;
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
	}
	pthread_mutex_destroy(&c->q.mu);
	c->q.async.data = c;
	uv_close((uv_handle_t *)&c->q.async, cli_closed);
	uv_close((uv_handle_t *)&c->watch, cli_closed);
}
