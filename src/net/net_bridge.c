#include <stdlib.h>

#include "base/log.h"
#include "net/net_int.h"

/*
 * The bridge from NNG's threads into the libuv loop: completions become
 * events on a queue, and the loop is woken to drain it (net_int.h).
 */

void
net_queue_push(struct queue *q, struct event *e)
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

struct event *
net_queue_take(struct queue *q)
{
	struct event *e;

	pthread_mutex_lock(&q->mu);
	e = q->head;
	q->head = q->tail = NULL;
	pthread_mutex_unlock(&q->mu);
	return e;
}

struct event *
net_event_new(enum ev_kind kind)
{
	struct event *e = calloc(1, sizeof(*e));

	if (e == NULL)
		abort(); /* a completion we cannot record would hang the protocol */
	e->kind = kind;
	return e;
}

int
net_nng_fail(struct nz_err *err, int rv, const char *what, const char *url)
{
	return nz_fail(err, NZ_ENET, "%s %s: %s", what, url, nng_strerror(rv));
}

/* net_pipe_event: a connection came or went; a new one's TCP socket is found and tuned at once. */
struct event *
net_pipe_event(enum ev_kind kind, nng_pipe p, nng_pipe_ev ev, int keep_ms)
{
	struct event *e = net_event_new(kind);

	e->pipe = nng_pipe_id(p);
	e->added = ev == NNG_PIPE_EV_ADD_POST;
	e->tcp.fd = -1;
	if (e->added && getenv("NZ_NOFIND") == NULL)
		net_tcp_find(p, keep_ms, &e->tcp);
	return e;
}
