#ifndef NZ_NET_H
#define NZ_NET_H

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
/* The reply to the client's request, or an error (rc < 0, buf NULL). */
typedef void (*net_reply_cb)(void *arg, int rc, const uint8_t *buf, size_t len);

struct net_server;
struct net_client;

/*
 * net_server_start listens on url with a REP socket and nctx contexts, so
 * that many children are served at once; messages above recv_max are
 * refused by NNG.  On success *out is the server; stop it with
 * net_server_stop().
 */
int net_server_start(struct net_server **out, uv_loop_t *loop, const char *url, size_t recv_max,
		     const struct net_tls *tls, int nctx, net_request_cb on_req, net_pipe_cb on_pipe,
		     void *arg, struct nz_err *err);

/* net_server_stop closes the socket and frees the server once NNG is done with it. */
void net_server_stop(struct net_server *s);

/*
 * net_client_new makes a REQ client for url (not yet connected).  timeout_ms
 * bounds each request: past it the link counts as dead.
 */
int net_client_new(struct net_client **out, uv_loop_t *loop, const char *url, size_t recv_max,
		   const struct net_tls *tls, int timeout_ms, net_reply_cb on_reply, void *arg,
		   struct nz_err *err);

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
