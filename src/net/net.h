#ifndef NZ_NET_H
#define NZ_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msgpack.h>
#include <uv.h>

#include "base/err.h"

/*
 * NNG carried into the libuv loop.  NNG completes its operations on its own
 * threads; the callbacks here only queue the result and wake the loop with
 * uv_async_send (wake-ups merge, so the loop drains the whole queue).  All
 * handlers below run on the loop's thread, which alone touches the
 * database.
 */

struct net_tls {
	const char *ca, *cert, *key; /* PEM file paths; all NULL/"" for no TLS */
	const char *server_name;     /* client: name to verify in the server's certificate */
};

/* Handler of one request (server): append the reply to out. */
typedef void (*net_request_cb)(void *arg, uint32_t pipe, const uint8_t *req, size_t len,
			       msgpack_sbuffer *out);
/* A pipe (connection) went away (server). */
typedef void (*net_pipe_cb)(void *arg, uint32_t pipe);
/* The reply to the client's request, or a failure (rc < 0, buf NULL, why says what went wrong). */
typedef void (*net_reply_cb)(void *arg, int rc, const char *why, const uint8_t *buf, size_t len);
/*
 * What the client sees of its link to the parent, beside replies:
 *   NET_LINK_STALLED    the request in flight has moved no bytes for the
 *                       timeout (idle_ms since they last moved; give_up_ms
 *                       before the connection is given up)
 *   NET_LINK_MOVING     it moves again after such a stall (idle_ms: how long
 *                       it was stuck)
 *   NET_LINK_CONNECTED  a connection to the parent was made; this happens
 *                       between requests too, since the client keeps dialling
 *                       after a failure, so a caller waiting out a backoff
 *                       learns at once that the parent is back
 */
enum net_link { NET_LINK_STALLED, NET_LINK_MOVING, NET_LINK_CONNECTED };
typedef void (*net_link_cb)(void *arg, enum net_link ev, int64_t idle_ms, int64_t give_up_ms);

struct net_server;
struct net_client;

/*
 * net_server_start listens on url with a REP socket and nctx contexts, so
 * that many children are served at once; messages above recv_max are
 * refused by NNG.  A child's TCP connection is tuned like the client's (see
 * net_client_new), keeping unacknowledged replies for keep_ms.  On success
 * *out is the server; stop it with net_server_stop().
 */
int net_server_start(struct net_server **out, uv_loop_t *loop, const char *url, size_t recv_max,
		     const struct net_tls *tls, int keep_ms, int nctx, net_request_cb on_req,
		     net_pipe_cb on_pipe, void *arg, struct nz_err *err);

/* net_server_stop closes the socket and frees the server once NNG is done with it. */
void net_server_stop(struct net_server *s);

/*
 * net_client_new makes a REQ client for url (not yet connected).  A request
 * may take as long as its bytes keep moving.  When none have moved for
 * timeout_ms the link counts as dead and on_link says so, but the
 * connection is kept, since a line that comes back resumes it; past keep_ms
 * (at least timeout_ms) without movement the request fails.  Where movement
 * cannot be seen (no connection yet, ipc://, not Linux), a request fails after
 * timeout_ms.  On Linux, TCP connections retransmit at least once a second
 * while data is unacknowledged (kernels from 6.15) and are dropped by the
 * kernel only after keep_ms.
 */
int net_client_new(struct net_client **out, uv_loop_t *loop, const char *url, size_t recv_max,
		   const struct net_tls *tls, int timeout_ms, int keep_ms, net_reply_cb on_reply,
		   net_link_cb on_link, void *arg, struct nz_err *err);

/*
 * net_client_request sends buf (copied) and calls on_reply once with the
 * reply or an error.  One request at a time; the socket is opened and the
 * dialer started on the first request after net_client_reset().
 */
int net_client_request(struct net_client *c, const void *buf, size_t len, struct nz_err *err);

/* net_client_reset closes the connection (after a failure); the next request reconnects. */
void net_client_reset(struct net_client *c);

/* net_client_free closes and frees c. */
void net_client_free(struct net_client *c);

/* net_bytes returns the bytes sent and received so far by a client (message bodies). */
void net_client_bytes(const struct net_client *c, uint64_t *sent, uint64_t *received);

#endif
