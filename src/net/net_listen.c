#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/tls/tls.h>

#include "base/log.h"
#include "net/net_int.h"

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
#define PROBE_MS 3000

int
net_srv_listen(struct net_server *s, const struct net_tls *tls, struct nz_err *err)
{
	nng_tls_config *cfg = NULL;
	int rv, rc;

	if ((rv = nng_listener_create(&s->listener, s->sock, s->url)) != 0)
		return net_nng_fail(err, rv, "listen on", s->url);
	if (net_is_tls(s->url)) {
		if ((rc = net_tls_config(&cfg, NNG_TLS_MODE_SERVER, tls, err)) != 0)
			return rc;
		rv = nng_listener_set_ptr(s->listener, NNG_OPT_TLS_CONFIG, cfg);
		nng_tls_config_free(cfg); /* the listener holds its own reference */
		if (rv != 0)
			return net_nng_fail(err, rv, "tls for", s->url);
	}
	if ((rv = nng_listener_start(s->listener, 0)) != 0)
		return net_nng_fail(err, rv, "listen on", s->url);
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
 * net_probe_close closes the guard's probe on a thread of its own: NNG 1.5.2's
 * nng_close can wait for good on a pipe caught in a deaf listener's
 * handshake (seen under a flood of connections), and the loop must go on
 * serving.  Such a thread is left behind, the process keeps running.
 */
void
net_probe_close(nng_socket probe)
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

void
net_srv_guard(uv_timer_t *t)
{
	struct net_server *s = t->data;
	struct nz_err err = {0};

	if (s->probing) {
		if (atomic_load(&s->pipes_added) == s->probe_base) {
			nz_log(NZ_LOG_WARN, "net.listener", "url=%s state=deaf action=listen-again", s->url);
			nng_listener_close(s->listener);
			if (net_srv_listen(s, NULL, &err) != 0)
				nz_log(NZ_LOG_ERROR, "net.listener", "url=%s error=\"%s\"", s->url, err.msg);
		}
		net_probe_close(s->probe);
		s->probing = false;
		uv_timer_start(&s->guard, net_srv_guard, GUARD_MS, 0);
		return;
	}
	uv_timer_start(&s->guard, net_srv_guard, GUARD_MS, 0);
	if (nng_req0_open(&s->probe) != 0)
		return;
	s->probe_base = atomic_load(&s->pipes_added);
	if (nng_dial(s->probe, s->url, NULL, NNG_FLAG_NONBLOCK) != 0) {
		net_probe_close(s->probe);
		return;
	}
	s->probing = true;
	uv_timer_start(&s->guard, net_srv_guard, PROBE_MS, 0);
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
 * net_close_within closes sock, waiting at most ms: NNG 1.5.2's nng_close can
 * wait for good on a pipe stuck after a flood of connections, and a node
 * asked to stop must stop.  False when it gave up (the close goes on, on its
 * own thread).
 */
bool
net_close_within(nng_socket sock, int ms)
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
