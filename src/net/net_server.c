#include "net/net.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>

#include "base/log.h"
#include "net/net_int.h"

/*
 * The parent's server: a REP socket whose nctx contexts each take one
 * request at a time, so that many children are served at once; each request
 * is handed to the loop, and its reply sent back on the context.
 */

#define WATCH_MS 250  /* how often a parent looks at its children's connections */
#define CLOSE_MS 5000 /* how long a stopping server waits for NNG to close its socket */

struct srv_ctx {
	struct net_server *srv;
	int idx;
	nng_ctx ctx;
	nng_aio *aio;
	bool sending;
	nng_pipe pipe; /* where the reply being sent goes */
};

/*
 * A peer that sends requests without reading the replies must not hold the
 * server.  A REP context's send completes once the pipe takes the reply, and
 * waits while the pipe is still writing an earlier one: so the replies a
 * pipe has not taken are what it has left unread.  A child has one request
 * outstanding at a time, so at most one reply of its waits (two, for a
 * moment, as the next request overtakes the completion of the last send).
 * A pipe with PIPE_PENDING_MAX replies waiting that sends yet another request
 * is cut; so is one that leaves a reply untaken for SEND_TIMEOUT_MS.  A
 * pipe thus holds at most PIPE_PENDING_MAX contexts, each for a bounded time.
 */
#define PIPE_PENDING_MAX 3
#define SEND_TIMEOUT_MS 5000

struct pipe_load {
	uint32_t pipe;
	int pending; /* replies handed to NNG and not yet taken by the pipe */
	bool cut;    /* closed by us: its requests still queued are dropped without a word */
};

static void
srv_aio_cb(void *arg)
{
	struct srv_ctx *c = arg;
	struct event *e = net_event_new(c->sending ? EV_SRV_SENT : EV_SRV_RECV);

	e->idx = c->idx;
	e->rc = nng_aio_result(c->aio);
	if (!c->sending && e->rc == 0)
		e->msg = nng_aio_get_msg(c->aio);
	else if (c->sending && e->rc != 0)
		nng_msg_free(nng_aio_get_msg(c->aio)); /* the reply was not taken */
	net_queue_push(&c->srv->q, e);
}

static void
srv_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct net_server *s = arg;

	if (ev == NNG_PIPE_EV_ADD_POST)
		atomic_fetch_add(&s->pipes_added, 1);
	/* Our replies, and what a child pulls, cross its thin link too. */
	net_queue_push(&s->q, net_pipe_event(EV_SRV_PIPE, p, ev, s->keep_ms));
}

static void
srv_pipe(struct net_server *s, const struct event *e)
{
	struct tcp_conn *grown;
	int i;

	if (!e->added) {
		for (i = 0; i < s->nloads; i++)
			if (s->loads[i].pipe == e->pipe) {
				s->loads[i] = s->loads[--s->nloads];
				break;
			}
		for (i = 0; i < s->nconns; i++)
			if (s->conns[i].pipe == e->pipe) {
				s->conns[i] = s->conns[--s->nconns];
				break;
			}
		s->on_pipe(s->arg, e->pipe);
		return;
	}
	if (e->tcp.fd < 0)
		return;
	if (s->nconns == s->capconns) {
		int cap = s->capconns ? 2 * s->capconns : 16;
		if ((grown = realloc(s->conns, (size_t)cap * sizeof(*grown))) == NULL)
			return; /* not watched: it backs off as TCP does */
		s->conns = grown;
		s->capconns = cap;
	}
	s->conns[s->nconns] = e->tcp;
	net_tcp_start(&s->conns[s->nconns++], uv_now(s->loop));
}

static void
srv_watch(uv_timer_t *t)
{
	struct net_server *s = t->data;
	uint64_t now = uv_now(s->loop);
	int i;

	for (i = 0; i < s->nconns; i++)
		net_tcp_look(&s->conns[i], now);
}

static void
srv_recv(struct srv_ctx *c)
{
	c->sending = false;
	nng_aio_set_timeout(c->aio, NNG_DURATION_INFINITE);
	nng_ctx_recv(c->ctx, c->aio);
}

/* srv_load finds a pipe's count of pending replies, adding it when add is true (NULL: none, or no memory). */
static struct pipe_load *
srv_load(struct net_server *s, uint32_t pipe, bool add)
{
	struct pipe_load *grown;
	int i;

	for (i = 0; i < s->nloads; i++)
		if (s->loads[i].pipe == pipe)
			return &s->loads[i];
	if (!add)
		return NULL;
	if (s->nloads == s->caploads) {
		int cap = s->caploads ? 2 * s->caploads : 16;
		if ((grown = realloc(s->loads, (size_t)cap * sizeof(*grown))) == NULL)
			return NULL;
		s->loads = grown;
		s->caploads = cap;
	}
	s->loads[s->nloads] = (struct pipe_load){pipe, 0, false};
	return &s->loads[s->nloads++];
}

static void
srv_cut(struct net_server *s, nng_pipe p, const char *why)
{
	(void)s;
	nz_log(NZ_LOG_WARN, "net.server", "pipe=%u action=cut reason=\"%s\"", nng_pipe_id(p), why);
	nng_pipe_close(p);
}

static void
srv_handle(struct net_server *s, struct event *e)
{
	struct srv_ctx *c = &s->ctxs[e->idx];
	struct pipe_load *load;
	nng_msg *reply;
	nng_pipe p;

	if (e->kind == EV_SRV_PIPE) {
		srv_pipe(s, e);
		return;
	}
	if (s->q.closing) {
		if (e->msg)
			nng_msg_free(e->msg);
		return;
	}
	if (e->kind == EV_SRV_SENT) {
		if ((load = srv_load(s, nng_pipe_id(c->pipe), false)) != NULL && load->pending > 0)
			load->pending--;
		if (e->rc == NNG_ETIMEDOUT && (load == NULL || !load->cut)) {
			srv_cut(s, c->pipe, "a reply left unread");
			if (load != NULL)
				load->cut = true;
		}
	}
	if (e->kind == EV_SRV_SENT || e->rc != 0) {
		if (e->rc != 0 && e->rc != NNG_ECLOSED && e->rc != NNG_ECANCELED)
			nz_log(NZ_LOG_DEBUG, "net.server", "ctx=%d error=\"%s\"", c->idx, nng_strerror(e->rc));
		if (e->rc != NNG_ECLOSED)
			srv_recv(c);
		return;
	}
	p = nng_msg_get_pipe(e->msg);
	load = srv_load(s, nng_pipe_id(p), true);
	if (load == NULL || load->cut || load->pending >= PIPE_PENDING_MAX) {
		/* One line per pipe: a flood must not fill the log instead. */
		if (load == NULL || !load->cut)
			srv_cut(s, p, load ? "requests sent while replies are left unread" : "out of memory");
		else
			nng_pipe_close(p);
		if (load != NULL)
			load->cut = true;
		nng_msg_free(e->msg);
		e->msg = NULL;
		srv_recv(c);
		return;
	}
	msgpack_sbuffer_clear(&s->out);
	s->on_req(s->arg, nng_pipe_id(p), nng_msg_body(e->msg), nng_msg_len(e->msg), &s->out);
	nng_msg_free(e->msg);
	e->msg = NULL;
	if (nng_msg_alloc(&reply, 0) != 0 || nng_msg_append(reply, s->out.data, s->out.size) != 0) {
		srv_recv(c);
		return;
	}
	c->sending = true;
	c->pipe = p;
	load->pending++;
	nng_aio_set_msg(c->aio, reply);
	nng_aio_set_timeout(c->aio, SEND_TIMEOUT_MS);
	nng_ctx_send(c->ctx, c->aio);
}

static void
srv_async_cb(uv_async_t *h)
{
	struct net_server *s = h->data;
	struct event *e = net_queue_take(&s->q), *next;

	for (; e != NULL; e = next) {
		next = e->next;
		srv_handle(s, e);
		free(e);
	}
}

int
net_server_start(struct net_server **out, uv_loop_t *loop, const char *url, size_t recv_max, const struct net_tls *tls,
		 int keep_ms, int nctx, net_request_cb on_req, net_pipe_cb on_pipe, void *arg, struct nz_err *err)
{
	struct net_server *s;
	int rv, rc = 0, i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	s->loop = loop;
	s->on_req = on_req;
	s->on_pipe = on_pipe;
	s->arg = arg;
	s->keep_ms = keep_ms;
	s->nctx = nctx;
	msgpack_sbuffer_init(&s->out);
	pthread_mutex_init(&s->q.mu, NULL);
	uv_async_init(loop, &s->q.async, srv_async_cb);
	s->q.async.data = s;
	uv_timer_init(loop, &s->watch);
	s->watch.data = s;
	s->handles = 2;
	uv_timer_start(&s->watch, srv_watch, WATCH_MS, WATCH_MS);
	uv_unref((uv_handle_t *)&s->watch);
	uv_timer_init(loop, &s->guard);
	s->guard.data = s;
	s->handles++;
	snprintf(s->url, sizeof(s->url), "%s", url);
	if ((rv = nng_rep0_open(&s->sock)) != 0) {
		rc = net_nng_fail(err, rv, "open REP socket for", url);
		goto fail;
	}
	/* NNG drops a message over this size and closes the connection. */
	nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, recv_max);
	nng_pipe_notify(s->sock, NNG_PIPE_EV_ADD_POST, srv_pipe_cb, s);
	nng_pipe_notify(s->sock, NNG_PIPE_EV_REM_POST, srv_pipe_cb, s);
	if ((rc = net_srv_listen(s, tls, err)) != 0)
		goto fail;
	if (strncmp(url, "ipc://", 6) == 0) {
		uv_timer_start(&s->guard, net_srv_guard, GUARD_MS, 0);
		uv_unref((uv_handle_t *)&s->guard);
	}
	if ((s->ctxs = calloc((size_t)nctx, sizeof(*s->ctxs))) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto fail;
	}
	for (i = 0; i < nctx; i++) {
		struct srv_ctx *c = &s->ctxs[i];
		c->srv = s;
		c->idx = i;
		if ((rv = nng_ctx_open(&c->ctx, s->sock)) != 0 || (rv = nng_aio_alloc(&c->aio, srv_aio_cb, c)) != 0) {
			rc = net_nng_fail(err, rv, "context for", url);
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
srv_closed(uv_handle_t *h)
{
	struct net_server *s = h->data;

	if (--s->handles == 0 && !s->q.abandoned)
		free(s);
}

void
net_server_stop(struct net_server *s)
{
	struct event *e, *next;
	int i;

	if (s == NULL)
		return;
	s->q.closing = true;
	uv_timer_stop(&s->guard);
	if (s->probing)
		net_probe_close(s->probe);
	/* Closing the socket completes every pending operation; nng_aio_free
	 * then waits for the callbacks, which only queue. */
	if (!net_close_within(s->sock, CLOSE_MS)) {
		/* NNG may still call back: its memory and ours stay, events are dropped. */
		nz_log(NZ_LOG_WARN, "net.server", "action=stop result=close-timed-out wait_ms=%d", CLOSE_MS);
		pthread_mutex_lock(&s->q.mu);
		s->q.abandoned = true;
		pthread_mutex_unlock(&s->q.mu);
		uv_close((uv_handle_t *)&s->q.async, NULL);
		uv_close((uv_handle_t *)&s->watch, NULL);
		uv_close((uv_handle_t *)&s->guard, NULL);
		return;
	}
	for (i = 0; s->ctxs != NULL && i < s->nctx; i++)
		if (s->ctxs[i].aio != NULL)
			nng_aio_free(s->ctxs[i].aio);
	for (e = net_queue_take(&s->q); e != NULL; e = next) {
		next = e->next;
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
	}
	free(s->ctxs);
	free(s->conns);
	free(s->loads);
	msgpack_sbuffer_destroy(&s->out);
	pthread_mutex_destroy(&s->q.mu);
	s->q.async.data = s;
	uv_close((uv_handle_t *)&s->q.async, srv_closed);
	uv_close((uv_handle_t *)&s->watch, srv_closed);
	uv_close((uv_handle_t *)&s->guard, srv_closed);
}
