#ifndef NZ_NET_INT_H
#define NZ_NET_INT_H

/*
 * What the files of src/net/ share, and nothing outside them includes (as
 * SQLite's vdbeInt.h): net_tcp.c (the TCP socket under a pipe), net_bridge.c
 * (NNG's threads into the loop), net_tls.c, net_listen.c (the server's
 * listener, its guard, and closing what NNG 1.5.2 may hold), net_server.c
 * and net_client.c.  net.h stays the interface.  The files use each other
 * one way only: net_tcp.c and net_tls.c at the bottom, then net_bridge.c,
 * net_listen.c, and net_server.c and net_client.c on top.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __linux__
#include <sys/socket.h>
#endif

#include <msgpack.h>
#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <uv.h>

#include "net/net.h"

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
	int fd; /* -1: not found, not TCP, or not Linux */
	uint32_t pipe;
	uint64_t moved;     /* bytes acknowledged by the peer plus bytes from it, when last looked at */
	uint64_t last_move; /* uv_now() when those last changed */
	bool capped;        /* the retransmission timeout is held at one second */
#ifdef __linux__
	struct sockaddr_storage local, remote;
#endif
};

/*
 * The queue between NNG's threads and the loop.  Events are small and
 * allocated per completion; the loop frees them.
 */
enum ev_kind { EV_SRV_RECV, EV_SRV_SENT, EV_SRV_PIPE, EV_CLI_SENT, EV_CLI_RECV, EV_CLI_PIPE };

struct event {
	enum ev_kind kind;
	int idx; /* server context */
	int rc;  /* NNG result */
	nng_msg *msg;
	uint32_t pipe;
	unsigned gen;        /* client: which connection the event belongs to */
	bool added;          /* pipe: added (else removed) */
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

/* How often an ipc:// listener's guard dials its server (net_listen.c). */
#define GUARD_MS 5000

/* The server (net_server.c); its listener and guard (net_listen.c) use it too. */
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
	uv_timer_t watch;        /* looks at the children's connections */
	int handles;             /* libuv handles not yet closed; s is freed with the last */
	struct tcp_conn *conns;  /* the children's TCP connections that can be watched */
	struct pipe_load *loads; /* pipes with replies pending */
	int nloads, caploads;
	int nconns, capconns;
	/* ipc:// only: the listener's guard (see net_srv_guard). */
	char url[512];
	uv_timer_t guard;
	nng_socket probe;
	bool probing;
	unsigned probe_base;     /* pipes_added when the probe was sent */
	atomic_uint pipes_added; /* connections the socket took, counted on NNG's threads */
};

/* ---- net_tcp.c ---- */

/* net_tcp_find finds the TCP socket of pipe p and tunes it (fd -1 in t when there is none); runs on NNG's thread. */
void net_tcp_find(nng_pipe p, int keep_ms, struct tcp_conn *t);

/* net_tcp_start takes the counters of a connection as they are now: nothing has moved yet. */
void net_tcp_start(struct tcp_conn *t, uint64_t now);

/* net_tcp_look tells whether bytes moved on t since the last look (1), not (0), or cannot tell (-1). */
int net_tcp_look(struct tcp_conn *t, uint64_t now);

/* ---- net_bridge.c ---- */

/* net_queue_push queues e (taking it) and wakes the loop; on NNG's threads. */
void net_queue_push(struct queue *q, struct event *e);

/* net_queue_take empties q and returns its events in order, the caller's to free. */
struct event *net_queue_take(struct queue *q);

/* net_event_new allocates an event of kind (aborts when out of memory). */
struct event *net_event_new(enum ev_kind kind);

/* net_pipe_event makes the event of a connection that came or went; a new one's TCP socket is found at once. */
struct event *net_pipe_event(enum ev_kind kind, nng_pipe p, nng_pipe_ev ev, int keep_ms);

/* net_nng_fail writes "what url: NNG's reason" to err and returns NZ_ENET. */
int net_nng_fail(struct nz_err *err, int rv, const char *what, const char *url);

/* ---- net_tls.c ---- */

/* net_tls_config builds a mutual-TLS configuration in *out (the caller's): our certificate, their CA, peer verified. */
int net_tls_config(nng_tls_config **out, nng_tls_mode mode, const struct net_tls *tls, struct nz_err *err);

/* net_is_tls tells whether url asks for TLS (tls+tcp://). */
bool net_is_tls(const char *url);

/* ---- net_listen.c ---- */

/* net_srv_listen makes and starts s's listener on s->url, with TLS when the URL asks for it. */
int net_srv_listen(struct net_server *s, const struct net_tls *tls, struct nz_err *err);

/* net_srv_guard is the timer of an ipc:// listener's guard: it dials the server and listens again when deaf. */
void net_srv_guard(uv_timer_t *t);

/* net_probe_close closes the guard's probe socket on a thread of its own. */
void net_probe_close(nng_socket probe);

/* net_close_within closes sock, waiting at most ms; false when it gave up (the close goes on, on its own). */
bool net_close_within(nng_socket sock, int ms);

#endif
