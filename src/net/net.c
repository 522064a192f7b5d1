#include "net/net.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __linux__
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "base/log.h"

/*
 * The TCP socket under an NNG pipe.  NNG 1.5 sets no TCP option beyond Nagle
 * and keepalive and reports nothing of a message in flight, yet on a thin
 * link that comes and goes both matter.  Linux backs its retransmissions
 * off exponentially, so after an outage of 18 s the next try may come a
 * minute later and miss the two seconds the line is up; and a request that
 * has no reply yet may still be moving, a segment at a time.  So on Linux we
 * find the pipe's socket among our own descriptors by its two addresses,
 * tune it, and watch its byte counters (TCP_INFO) to tell a slow link from a
 * dead one.  Elsewhere, and on ipc://, none of this happens and a request
 * simply times out.
 */
struct tcp_conn {
	int fd;             /* -1: not found, not TCP, or not Linux */
	uint32_t pipe;
	uint64_t moved;     /* bytes acknowledged by the peer plus bytes from it, when last looked at */
	uint64_t last_move; /* uv_now() when those last changed */
	bool capped;        /* the retransmission timeout is held at one second */
#ifdef __linux__
	struct sockaddr_storage local, remote;
#endif
};

#define TCP_DEAD_MS 1000 /* after a retransmission timeout, this long without a byte: the line is down */
#define WATCH_MS 250     /* how often a parent looks at its children's connections */
#define REQ_WATCH_MS 100 /* how often a child looks at its request in flight */

#ifdef __linux__
#ifndef TCP_RTO_MAX_MS
#define TCP_RTO_MAX_MS 44 /* Linux 6.15; older kernels refuse it */
#endif

/* Linux's struct tcp_info runs on past glibc's copy of it, which stops at
 * tcpi_total_retrans; the byte counters come next (the layout only grows). */
struct tcp_info_bytes {
	struct tcp_info glibc;
	uint64_t pacing_rate, max_pacing_rate;
	uint64_t bytes_acked, bytes_received;
};
_Static_assert(offsetof(struct tcp_info_bytes, bytes_acked) == 120, "Linux's layout of struct tcp_info");

static bool
sa_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return a6->sin6_port == b6->sin6_port &&
		       memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr)) == 0;
	return false;
}

/* sa_from_nng converts NNG's form of a TCP address; false when it is not one. */
static bool
sa_from_nng(const nng_sockaddr *n, struct sockaddr_storage *out)
{
	struct sockaddr_in *s4 = (void *)out;
	struct sockaddr_in6 *s6 = (void *)out;

	memset(out, 0, sizeof(*out));
	if (n->s_family == NNG_AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = n->s_in.sa_port; /* both in network order */
		s4->sin_addr.s_addr = n->s_in.sa_addr;
		return true;
	}
	if (n->s_family == NNG_AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = n->s_in6.sa_port;
		memcpy(&s6->sin6_addr, n->s_in6.sa_addr, sizeof(s6->sin6_addr));
		return true;
	}
	return false;
}

/* tcp_is tells whether fd is still the connection t was found as. */
static bool
tcp_is(const struct tcp_conn *t, int fd)
{
	struct sockaddr_storage a;
	socklen_t n = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &n) != 0 || !sa_equal(&a, &t->local))
		return false;
	n = sizeof(a);
	return getpeername(fd, (struct sockaddr *)&a, &n) == 0 && sa_equal(&a, &t->remote);
}

/* tcp_read reads a connection's byte counters and its retransmission backoff. */
static int
tcp_read(const struct tcp_conn *t, uint64_t *moved, int *backoff)
{
	struct tcp_info_bytes ti;
	socklen_t n = sizeof(ti);

	/* The descriptor may have been closed, and reused, since it was found. */
	if (t->fd < 0 || !tcp_is(t, t->fd))
		return -1;
	memset(&ti, 0, sizeof(ti));
	if (getsockopt(t->fd, IPPROTO_TCP, TCP_INFO, &ti, &n) != 0 || n < sizeof(ti)) /* before Linux 4.2 */
		return -1;
	*moved = ti.bytes_acked + ti.bytes_received;
	*backoff = ti.glibc.tcpi_backoff;
	return 0;
}

/*
 * tcp_find finds the socket of pipe p and tunes it: the kernel keeps
 * unacknowledged data for keep_ms before it drops the connection, as long as
 * we would wait ourselves; and on kernels without TCP_RTO_MAX_MS (before
 * 6.15) linear timeouts for thin streams at least make the first six
 * retransmissions come quickly.  Runs on NNG's thread, at once, so that the
 * connection is tuned before it carries anything.
 */
static void
tcp_find(nng_pipe p, int keep_ms, struct tcp_conn *t)
{
	nng_sockaddr la, ra;
	struct dirent *de;
	DIR *d;
	unsigned int user = keep_ms > 0 ? (unsigned int)keep_ms : 0;
	int one = 1;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->pipe = nng_pipe_id(p);
	if (nng_pipe_get_addr(p, NNG_OPT_LOCADDR, &la) != 0 || nng_pipe_get_addr(p, NNG_OPT_REMADDR, &ra) != 0 ||
	    !sa_from_nng(&la, &t->local) || !sa_from_nng(&ra, &t->remote))
		return;
	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		int fd = atoi(de->d_name);
		if (de->d_name[0] >= '0' && de->d_name[0] <= '9' && fd != dirfd(d) && tcp_is(t, fd)) {
			t->fd = fd;
			break;
		}
	}
	closedir(d);
	if (t->fd < 0)
		return;
	(void)setsockopt(t->fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user, sizeof(user));
	(void)setsockopt(t->fd, IPPROTO_TCP, TCP_THIN_LINEAR_TIMEOUTS, &one, sizeof(one));
}

static void
tcp_cap(struct tcp_conn *t, bool cap)
{
	int ms = cap ? 1000 : 120000; /* the least Linux allows; its default */

	if (t->capped != cap && setsockopt(t->fd, IPPROTO_TCP, TCP_RTO_MAX_MS, &ms, sizeof(ms)) == 0)
		t->capped = cap;
}
#else
static void
tcp_find(nng_pipe p, int keep_ms, struct tcp_conn *t)
{
	(void)keep_ms;
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->pipe = nng_pipe_id(p);
}

static int
tcp_read(const struct tcp_conn *t, uint64_t *moved, int *backoff)
{
	(void)t;
	(void)moved;
	(void)backoff;
	return -1;
}

static void
tcp_cap(struct tcp_conn *t, bool cap)
{
	(void)t;
	(void)cap;
}
#endif

/* tcp_start takes the counters of a connection as they are now: nothing has moved yet. */
static void
tcp_start(struct tcp_conn *t, uint64_t now)
{
	int backoff;

	t->last_move = now;
	if (tcp_read(t, &t->moved, &backoff) != 0)
		t->moved = 0;
}

/*
 * tcp_look looks at a connection: 1 when bytes moved since the last look, 0
 * when not, -1 when its counters cannot be read.  It also sets how TCP
 * retries.  While bytes move, TCP backs off as it always does: on a thin line
 * a segment may wait 1.5 s behind another, and an early timer would only send
 * it twice.  Once TCP has timed out and nothing has moved for TCP_DEAD_MS,
 * the line is down, and the retransmission timeout is held at one second so
 * that the line is used within a second of its return, however long it was
 * away (Linux 6.15 and later; older kernels refuse this).
 */
static int
tcp_look(struct tcp_conn *t, uint64_t now)
{
	uint64_t moved;
	int backoff;

	if (tcp_read(t, &moved, &backoff) != 0)
		return -1;
	if (moved != t->moved) {
		t->moved = moved;
		t->last_move = now;
		tcp_cap(t, false);
		return 1;
	}
	if (backoff > 0 && now - t->last_move >= TCP_DEAD_MS)
		tcp_cap(t, true);
	return 0;
}

/*
 * The queue between NNG's threads and the loop.  Events are small and
 * allocated per completion; the loop frees them.
 */
enum ev_kind { EV_SRV_RECV, EV_SRV_SENT, EV_SRV_PIPE, EV_CLI_SENT, EV_CLI_RECV, EV_CLI_PIPE };

struct event {
	enum ev_kind kind;
	int idx;     /* server context */
	int rc;      /* NNG result */
	nng_msg *msg;
	uint32_t pipe;
	unsigned gen; /* client: which connection the event belongs to */
	bool added;   /* pipe: added (else removed) */
	struct tcp_conn tcp; /* pipe added: its TCP socket, if found */
	struct event *next;
};

struct queue {
	pthread_mutex_t mu;
	struct event *head, *tail;
	uv_async_t async;
	bool closing;
	bool abandoned; /* the owner gave up on NNG (see net_server_stop): drop, never wake */
};

static void
queue_push(struct queue *q, struct event *e)
{
	pthread_mutex_lock(&q->mu);
	if (q->abandoned) {
		pthread_mutex_unlock(&q->mu);
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
		return;
	}
	e->next = NULL;
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	uv_async_send(&q->async); /* under the lock: never after the handle is given up */
	pthread_mutex_unlock(&q->mu);
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
	int keep_ms;
	msgpack_sbuffer out;
	uv_timer_t watch;       /* looks at the children's connections */
	int handles;            /* libuv handles not yet closed; s is freed with the last */
	struct tcp_conn *conns; /* the children's TCP connections that can be watched */
	struct pipe_load *loads; /* pipes with replies pending */
	int nloads, caploads;
	int nconns, capconns;
	/* ipc:// only: the listener's guard (see srv_guard). */
	char url[512];
	uv_timer_t guard;
	nng_socket probe;
	bool probing;
	unsigned probe_base;    /* pipes_added when the probe was sent */
	atomic_uint pipes_added; /* connections the socket took, counted on NNG's threads */
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

/* pipe_event: a connection came or went; a new one's TCP socket is found and tuned at once. */
static struct event *
pipe_event(enum ev_kind kind, nng_pipe p, nng_pipe_ev ev, int keep_ms)
{
	struct event *e = event_new(kind);

	e->pipe = nng_pipe_id(p);
	e->added = ev == NNG_PIPE_EV_ADD_POST;
	e->tcp.fd = -1;
	if (e->added && getenv("NZ_NOFIND") == NULL)
		tcp_find(p, keep_ms, &e->tcp);
	return e;
}

static void
srv_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct net_server *s = arg;

	if (ev == NNG_PIPE_EV_ADD_POST)
		atomic_fetch_add(&s->pipes_added, 1);
	/* Our replies, and what a child pulls, cross its thin link too. */
	queue_push(&s->q, pipe_event(EV_SRV_PIPE, p, ev, s->keep_ms));
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
	tcp_start(&s->conns[s->nconns++], uv_now(s->loop));
}

static void
srv_watch(uv_timer_t *t)
{
	struct net_server *s = t->data;
	uint64_t now = uv_now(s->loop);
	int i;

	for (i = 0; i < s->nconns; i++)
		tcp_look(&s->conns[i], now);
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
	struct event *e = queue_take(&s->q), *next;

	for (; e != NULL; e = next) {
		next = e->next;
		srv_handle(s, e);
		free(e);
	}
}

/*
 * NNG 1.5.2's ipc transport stops accepting for good when a client goes
 * away in the middle of the SP handshake (fixed upstream in 1.6: nanomsg/nng
 * issue 1518): a `nehzat sync` killed at the wrong moment, or any local
 * program that connects and closes, would leave the parent deaf to every
 * child until restarted.  TCP is not affected.  So an ipc:// listener is
 * watched: every GUARD_MS the server dials itself, and when the socket has
 * taken no connection at all PROBE_MS later (a deaf listener still does the
 * handshake, but never hands the connection over), the listener is made
 * anew.  A probe is closed only then, long after its handshake, so that the
 * guard cannot itself trip the fault.
 */
#define GUARD_MS 5000
#define CLOSE_MS 5000 /* how long a stopping server waits for NNG to close its socket */
#define PROBE_MS 3000

static int
srv_listen(struct net_server *s, const struct net_tls *tls, struct nz_err *err)
{
	nng_tls_config *cfg = NULL;
	int rv, rc;

	if ((rv = nng_listener_create(&s->listener, s->sock, s->url)) != 0)
		return nng_fail(err, rv, "listen on", s->url);
	if (is_tls(s->url)) {
		if ((rc = tls_config(&cfg, NNG_TLS_MODE_SERVER, tls, err)) != 0)
			return rc;
		rv = nng_listener_set_ptr(s->listener, NNG_OPT_TLS_CONFIG, cfg);
		nng_tls_config_free(cfg); /* the listener holds its own reference */
		if (rv != 0)
			return nng_fail(err, rv, "tls for", s->url);
	}
	if ((rv = nng_listener_start(s->listener, 0)) != 0)
		return nng_fail(err, rv, "listen on", s->url);
	return 0;
}

static void *
probe_closer(void *arg)
{
	nng_socket *p = arg;

	nng_close(*p);
	free(p);
	return NULL;
}

/*
 * probe_close closes the guard's probe on a thread of its own: NNG 1.5.2's
 * nng_close can wait for good on a pipe caught in a deaf listener's
 * handshake (seen under a flood of connections), and the loop must go on
 * serving.  Such a thread is left behind, the process keeps running.
 */
static void
probe_close(nng_socket probe)
{
	pthread_attr_t attr;
	pthread_t t;
	nng_socket *p = malloc(sizeof(*p));
	int rc = -1;

	if (p != NULL && pthread_attr_init(&attr) == 0) {
		*p = probe;
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&t, &attr, probe_closer, p);
		pthread_attr_destroy(&attr);
	}
	if (rc != 0) {
		free(p);
		nng_close(probe);
	}
}

static void
srv_guard(uv_timer_t *t)
{
	struct net_server *s = t->data;
	struct nz_err err = {0};

	if (s->probing) {
		if (atomic_load(&s->pipes_added) == s->probe_base) {
			nz_log(NZ_LOG_WARN, "net.listener", "url=%s state=deaf action=listen-again", s->url);
			nng_listener_close(s->listener);
			if (srv_listen(s, NULL, &err) != 0)
				nz_log(NZ_LOG_ERROR, "net.listener", "url=%s error=\"%s\"", s->url, err.msg);
		}
		probe_close(s->probe);
		s->probing = false;
		uv_timer_start(&s->guard, srv_guard, GUARD_MS, 0);
		return;
	}
	uv_timer_start(&s->guard, srv_guard, GUARD_MS, 0);
	if (nng_req0_open(&s->probe) != 0)
		return;
	s->probe_base = atomic_load(&s->pipes_added);
	if (nng_dial(s->probe, s->url, NULL, NNG_FLAG_NONBLOCK) != 0) {
		probe_close(s->probe);
		return;
	}
	s->probing = true;
	uv_timer_start(&s->guard, srv_guard, PROBE_MS, 0);
}

int
net_server_start(struct net_server **out, uv_loop_t *loop, const char *url, size_t recv_max,
		 const struct net_tls *tls, int keep_ms, int nctx, net_request_cb on_req, net_pipe_cb on_pipe,
		 void *arg, struct nz_err *err)
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
		rc = nng_fail(err, rv, "open REP socket for", url);
		goto fail;
	}
	/* NNG drops a message over this size and closes the connection. */
	nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, recv_max);
	nng_pipe_notify(s->sock, NNG_PIPE_EV_ADD_POST, srv_pipe_cb, s);
	nng_pipe_notify(s->sock, NNG_PIPE_EV_REM_POST, srv_pipe_cb, s);
	if ((rc = srv_listen(s, tls, err)) != 0)
		goto fail;
	if (strncmp(url, "ipc://", 6) == 0) {
		uv_timer_start(&s->guard, srv_guard, GUARD_MS, 0);
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
srv_closed(uv_handle_t *h)
{
	struct net_server *s = h->data;

	if (--s->handles == 0 && !s->q.abandoned)
		free(s);
}

struct closer {
	nng_socket sock;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done, gave_up;
};

static void *
closer_run(void *arg)
{
	struct closer *c = arg;
	bool gave_up;

	nng_close(c->sock);
	pthread_mutex_lock(&c->mu);
	c->done = true;
	gave_up = c->gave_up;
	pthread_cond_signal(&c->cv);
	pthread_mutex_unlock(&c->mu);
	if (gave_up)
		free(c); /* the waiter left it to us */
	return NULL;
}

/*
 * close_within closes sock, waiting at most ms: NNG 1.5.2's nng_close can
 * wait for good on a pipe stuck after a flood of connections, and a node
 * asked to stop must stop.  False when it gave up (the close goes on, on its
 * own thread).
 */
static bool
close_within(nng_socket sock, int ms)
{
	struct closer *c = calloc(1, sizeof(*c));
	struct timespec until;
	pthread_attr_t attr;
	pthread_t t;
	bool done;

	if (c == NULL || pthread_attr_init(&attr) != 0) {
		free(c);
		nng_close(sock);
		return true;
	}
	c->sock = sock;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, closer_run, c) != 0) {
		pthread_attr_destroy(&attr);
		free(c);
		nng_close(sock);
		return true;
	}
	pthread_attr_destroy(&attr);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	pthread_mutex_lock(&c->mu);
	while (!c->done)
		if (pthread_cond_timedwait(&c->cv, &c->mu, &until) != 0)
			break;
	done = c->done;
	c->gave_up = !done;
	pthread_mutex_unlock(&c->mu);
	if (done)
		free(c);
	return done;
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
		probe_close(s->probe);
	/* Closing the socket completes every pending operation; nng_aio_free
	 * then waits for the callbacks, which only queue. */
	if (!close_within(s->sock, CLOSE_MS)) {
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
	for (e = queue_take(&s->q); e != NULL; e = next) {
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

/* ---- client ---- */

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
cli_pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct net_client *c = arg;
	struct event *e = pipe_event(EV_CLI_PIPE, p, ev, c->keep_ms);

	e->gen = c->gen;
	queue_push(&c->q, e);
}

static void cli_give_up(struct net_client *c, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cli_pipe(struct net_client *c, const struct event *e)
{
	if (e->added) {
		/* A new connection is progress; its counters start from here. */
		c->conn = e->tcp;
		c->since = uv_now(c->loop);
		tcp_start(&c->conn, c->since);
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
	moved = tcp_look(&c->conn, now);
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
			cli_give_up(c, NZ_EBUSY, "no reply within %d s: the link is down or too slow", c->timeout_ms / 1000);
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
	       const struct net_tls *tls, int timeout_ms, int keep_ms, net_reply_cb on_reply,
	       net_link_cb on_link, void *arg, struct nz_err *err)
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
		return nng_fail(err, rv, "open REQ socket for", c->url);
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
	tcp_look(&c->conn, c->since);
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
	for (e = queue_take(&c->q); e != NULL; e = next) {
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
