/*
 * serve and sync: the libuv loop of a node.  It owns the process: timers
 * for the sync schedule and the backoff, signals for a clean shutdown, and
 * the NNG bridge.  Everything runs on this one thread, which alone writes
 * the database.
 */
#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#include "base/log.h"
#include "domain/aggregate.h"
#include "domain/fresh.h"
#include "http/http.h"
#include "net/net.h"
#include "node/node.h"
#include "repl/sync.h"

struct loop {
	uv_loop_t *uv;
	struct node *n;
	struct sync *sync;
	struct net_server *server;
	struct net_client *client;
	struct http_env http_env;
	struct http_app *http_app;
	struct http_server *http;
	uv_timer_t backoff, tick, poll;
	uv_prepare_t held;  /* before the loop waits: arms dash when problem counts are held */
	uv_timer_t dash;    /* writes them (agg_flush) AGG_HELD_MS after the oldest */
	int64_t unacked; /* children that have not acknowledged our next key, last logged */
	uv_signal_t sigint, sigterm;
	msgpack_sbuffer req;
	int failures;
	bool busy;      /* a request is in flight, or a backoff is pending */
	bool unreached; /* the backoff pending follows a parent out of reach */
	bool once;      /* sync --once: stop when in step */
	bool in_step;
	int exit_code;
	int64_t data_version;
	bool progress;  /* a terminal: show progress */
	int64_t moved;  /* changes moved when last logged */
	int64_t mark;   /* log head plus changes moved, at the last tick */
	bool shed;      /* memory handed back since the mark last changed */
};

static void stop(struct loop *l, int code);

/* A child's session succeeded: record its freshness, to travel up (domain/fresh.h). */
static void
on_child_synced(void *arg, const char *child)
{
	struct loop *l = arg;
	struct nz_err err = {0};
	bool wrote;

	if (fresh_observe(l->n->st, child, (int64_t)l->n->conf.freshness_step * 1000, &wrote, &err) != 0)
		nz_log(NZ_LOG_WARN, "fresh.observe", "child=%s error=\"%s\"", child, err.msg);
	else if (wrote)
		nz_log(NZ_LOG_DEBUG, "fresh.observe", "child=%s written=1", child);
}

static void
show_progress(struct loop *l)
{
	const struct sync_stats *s = sync_child_stats(l->sync);

	if (!l->progress)
		return;
	fprintf(stderr, "\rsync: pushed %lld, pulled %lld, refused %lld, round trips %lld   ",
		(long long)s->pushed, (long long)s->pulled, (long long)s->refused,
		(long long)s->round_trips);
}

static void fail(struct loop *l, int rc, const char *why);

static void
send_req(struct loop *l)
{
	struct nz_err err = {0};

	if (l->req.size == 0) {
		const struct sync_stats *st = sync_child_stats(l->sync);
		l->busy = false;
		/* One line when a round moved something, not one per idle round. */
		if (st->pushed + st->pulled + st->refused != l->moved) {
			l->moved = st->pushed + st->pulled + st->refused;
			nz_log(NZ_LOG_INFO, "sync.in_step", "parent=%s pushed=%lld pulled=%lld refused=%lld",
			       l->n->conf.parent, (long long)st->pushed,
			       (long long)st->pulled, (long long)st->refused);
		}
		l->in_step = true;
		l->failures = 0;
		if (l->once) {
			show_progress(l);
			if (l->progress)
				fputc('\n', stderr);
			stop(l, 0);
		}
		return;
	}
	l->busy = true;
	l->in_step = false;
	show_progress(l);
	if (net_client_request(l->client, l->req.data, l->req.size, &err) != 0) {
		/* Not sent (the socket could not be opened: a TLS key unreadable for a moment): the
		 * session ends and another starts after the backoff, or nothing would start one. */
		fail(l, err.code, err.msg);
		return;
	}
	/* While the parent applies a PUSH, the next one is made (NNG sends this one meanwhile). */
	sync_child_prefetch(l->sync);
}

/* key_rotated makes the key the parent has recorded (ROTATE_OK) the node's own: node.key.next becomes node.key. */
static int
key_rotated(void *arg, const uint8_t next_sk[64], struct nz_err *err)
{
	struct loop *l = arg;
	char next[PATH_MAX + 16], key[PATH_MAX + 16];

	node_path(l->n, "node.key.next", next, sizeof(next));
	node_path(l->n, "node.key", key, sizeof(key));
	if (rename(next, key) != 0)
		return nz_fail(err, NZ_EIO, "cannot make '%s' the node's key: %s", next, strerror(errno));
	memcpy(l->n->sk, next_sk, 64);
	crypto_sign_ed25519_sk_to_pk(l->n->pk, l->n->sk);
	return 0;
}

/*
 * pending_rotation hands a new key waiting in node.key.next (`nehzat key
 * rotate`, perhaps while the node runs) on.  A node with children first
 * announces it to them in HELLO_OK until every registered child has
 * acknowledged it (or `key rotate --finish` says not to wait); then the next
 * session announces it to the parent (ROTATE), or, at national, which has
 * none, the node switches to it at once.
 */
static void
pending_rotation(struct loop *l)
{
	struct nz_err err = {0};
	char next[PATH_MAX + 16];
	unsigned char sk[64];
	int64_t unacked;
	bool forced;

	node_path(l->n, "node.key.next", next, sizeof(next));
	if (sync_rotating(l->sync) || access(next, F_OK) != 0)
		return;
	if (node_key_read(next, sk, &err) != 0) {
		nz_log(NZ_LOG_ERROR, "key.rotate", "error=\"%s\"", err.msg);
		return;
	}
	sync_announce_key(l->sync, sk);
	unacked = sync_key_unacked(l->sync);
	forced = store_meta_get_int(l->n->st, "key_finish", 0) != 0;
	if (unacked != 0 && !forced) {
		if (unacked != l->unacked)
			nz_log(NZ_LOG_INFO, "key.rotate", "state=announcing-to-children waiting_for=%lld",
			       (long long)unacked);
		l->unacked = unacked;
		goto out;
	}
	l->unacked = 0;
	if (l->n->conf.parent[0] != '\0') {
		if (sync_rotate_to(l->sync, sk, key_rotated, l))
			nz_log(NZ_LOG_INFO, "key.rotate", "parent=%s state=announcing forced=%d", l->n->conf.parent,
			       forced && unacked != 0);
	} else if (key_rotated(l, sk, &err) != 0) {
		nz_log(NZ_LOG_ERROR, "key.rotate", "error=\"%s\"", err.msg);
	} else {
		sync_switch_key(l->sync, sk);
		nz_log(NZ_LOG_INFO, "key.rotated", "children_waiting=%lld", (long long)unacked);
	}
out:
	sodium_memzero(sk, sizeof(sk));
}

static void
on_backoff(uv_timer_t *t)
{
	struct loop *l = t->data;
	struct nz_err err = {0};

	pending_rotation(l);
	if (sync_child_start(l->sync, &l->req, &err) != 0) {
		nz_log(NZ_LOG_ERROR, "sync.error", "parent=%s error=\"%s\"", l->n->conf.parent, err.msg);
		if (l->once) {
			fprintf(stderr, "nehzat: %s\n", err.msg);
			stop(l, 1);
			return;
		}
		l->busy = false;
		return;
	}
	send_req(l);
}

/* fail ends the session and schedules a new one: 1 s doubling to the
 * configured ceiling, each delay drawn within ±25% so that counties cut
 * off together do not all come back in the same second. */
static void
fail(struct loop *l, int rc, const char *why)
{
	double base = l->n->conf.backoff_min * 1000.0;
	uint64_t delay;
	int i;

	sync_note_error(l->sync, why);
	for (i = 0; i < l->failures && base < l->n->conf.backoff_max * 1000.0; i++)
		base *= 2;
	if (base > l->n->conf.backoff_max * 1000.0)
		base = l->n->conf.backoff_max * 1000.0;
	delay = (uint64_t)(base * (0.75 + 0.5 * randombytes_uniform(1000) / 1000.0));
	l->failures++;
	l->in_step = false;
	nz_log(NZ_LOG_WARN, "sync.retry", "parent=%s error=\"%s\" retry_ms=%llu", l->n->conf.parent, why,
	       (unsigned long long)delay);
	if (l->once && l->failures >= 3) {
		fprintf(stderr, "\nnehzat: sync with %s failed: %s\n", l->n->conf.parent, why);
		stop(l, 1);
		return;
	}
	/* Not when stopping: it dials at once, and a handshake cut short by
	 * our exit would trip NNG 1.5.2's ipc listener (see net_listen.c). */
	net_client_reset(l->client);
	l->busy = true;
	l->unreached = rc == NZ_ENET;
	uv_timer_start(&l->backoff, on_backoff, delay, 0);
}

static void
on_reply(void *arg, int rc, const char *why, const uint8_t *buf, size_t len)
{
	struct loop *l = arg;
	struct nz_err err = {0};

	if (rc != 0) {
		fail(l, rc, why);
		return;
	}
	if (sync_child_reply(l->sync, buf, len, &l->req, &err) != 0) {
		fail(l, err.code, err.msg);
		return;
	}
	send_req(l);
}

/*
 * on_link follows the link to the parent between replies.
 *
 * Stalled: no byte of the request in flight has moved for sync.timeout.
 * The link is dead, and this is where the node says so; but the connection
 * stays open for sync.stall_timeout, because on a line that comes and goes
 * TCP resumes where it stopped as soon as it is back, while a new connection
 * would spend the next up-window on its handshake and HELLO.  retry_ms is
 * when a new session starts if nothing moves before.
 *
 * Connected: after a failure the client dials on by itself.  When the
 * parent was out of reach, a connection means it is back, and the session
 * starts now rather than when the backoff ends: a write made offline goes
 * up within a second of the link's return.  After any other failure (a
 * refusal, a parent that did not answer) the backoff stands, or a parent
 * that refuses would be asked again in a tight loop.
 */
static void
on_link(void *arg, enum net_link ev, int64_t idle_ms, int64_t give_up_ms)
{
	struct loop *l = arg;
	char why[96];

	switch (ev) {
	case NET_LINK_MOVING:
		nz_log(NZ_LOG_INFO, "sync.resumed", "parent=%s stalled_ms=%lld", l->n->conf.parent,
		       (long long)idle_ms);
		break;
	case NET_LINK_STALLED:
		snprintf(why, sizeof(why), "nothing moved for %lld s: the link is down",
			 (long long)(idle_ms / 1000));
		sync_note_error(l->sync, why);
		nz_log(NZ_LOG_WARN, "sync.retry", "parent=%s error=\"%s\" retry_ms=%lld connection=kept",
		       l->n->conf.parent, why, (long long)give_up_ms);
		break;
	case NET_LINK_CONNECTED:
		if (!l->unreached || !uv_is_active((uv_handle_t *)&l->backoff))
			break;
		l->unreached = false;
		uv_timer_stop(&l->backoff);
		nz_log(NZ_LOG_INFO, "sync.reconnected", "parent=%s", l->n->conf.parent);
		on_backoff(&l->backoff);
		break;
	}
}

static void
resume(struct loop *l)
{
	struct nz_err err = {0};

	if (l->busy || l->client == NULL || sync_child_phase(l->sync) != PHASE_IDLE)
		return;
	/* A key rotated while the session is idle: a new session announces it. */
	pending_rotation(l);
	if (sync_rotating(l->sync)) {
		l->busy = true;
		on_backoff(&l->backoff);
		return;
	}
	if (sync_child_resume(l->sync, &l->req, &err) != 0) {
		fail(l, err.code, err.msg);
		return;
	}
	if (l->req.size > 0)
		send_req(l);
}

/*
 * shed_memory: after a tick with nothing written or moved, the pages SQLite
 * cached and the heap freed since the last work go back to the system, once.
 * A node idles most of the day between a few writes and syncs; what a
 * catch-up of thousands of changes took (the page cache, batch buffers) need
 * not stay resident meanwhile.  The next work reads its pages from the
 * operating system's cache again, which costs microseconds a page.
 */
static void
shed_memory(struct loop *l)
{
	const struct sync_stats *s = sync_child_stats(l->sync);
	int64_t mark = store_log_head(l->n->st) + s->pushed + s->pulled + s->refused;

	if (mark != l->mark) {
		l->mark = mark;
		l->shed = false;
		return;
	}
	if (l->shed)
		return;
	l->shed = true;
	sync_shed(l->sync);
	sqlite3_db_release_memory(store_db(l->n->st));
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static void
on_tick(uv_timer_t *t)
{
	struct loop *l = t->data;

	shed_memory(l);
	/* A new key is announced to the children whatever the link to the parent does. */
	pending_rotation(l);
	if (l->client != NULL)
		resume(l);
}

/*
 * Another process (a command on the same directory) may have written:
 * SQLite's data_version tells, cheaply, and the change goes out at once.
 * Every POLL_MS on every child, so that such a write leaves within a
 * second; store_int's statement is prepared once.  Each look wakes the
 * node and takes SQLite's read lock: at five a second they were a third of
 * what an idle county costs.
 */
#define POLL_MS 500
static void
on_poll(uv_timer_t *t)
{
	struct loop *l = t->data;
	int64_t v;

	if (store_int(l->n->st, "PRAGMA data_version", &v, NULL) == 0 && v != l->data_version) {
		l->data_version = v;
		resume(l);
	}
}

/*
 * The problem counts this process's own writes moved are held in memory
 * (agg_defer, set by serve) and written AGG_HELD_MS after the oldest of
 * them: a burst of writes through the web face moves the count pages once.
 * Before the loop waits, a timer is armed for them; a reader in another
 * process sees them that much later at most, this process before its read.
 */
static void
on_dash(uv_timer_t *t)
{
	struct loop *l = t->data;
	struct nz_err err = {0};

	if (agg_flush(l->n->st, &err) != 0) {
		nz_log(NZ_LOG_WARN, "dash.flush", "error=\"%s\" retry_ms=1000", err.msg);
		uv_timer_start(&l->dash, on_dash, 1000, 0);
	}
}

static void
on_held(uv_prepare_t *p)
{
	struct loop *l = p->data;
	int64_t age = agg_held_ms(l->n->st);

	if (age >= 0 && !uv_is_active((uv_handle_t *)&l->dash))
		uv_timer_start(&l->dash, on_dash, age >= AGG_HELD_MS ? 0 : (uint64_t)(AGG_HELD_MS - age), 0);
}

static void
on_request(void *arg, uint32_t pipe, const uint8_t *req, size_t len, msgpack_sbuffer *out)
{
	struct loop *l = arg;
	int64_t head = store_log_head(l->n->st);

	sync_serve(l->sync, pipe, req, len, out);
	/*
	 * A child's changes (or the note of its freshness) may need to travel
	 * on up at once.  A request that logged nothing (a pull, most of them)
	 * waits for the tick: a province whose fifteen counties pull every two
	 * seconds would otherwise pull from national after each of them.
	 */
	if (store_log_head(l->n->st) != head)
		resume(l);
}

static void
on_pipe(void *arg, uint32_t pipe)
{
	struct loop *l = arg;

	sync_pipe_closed(l->sync, pipe);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct loop *l = s->data;

	nz_log(NZ_LOG_INFO, "node.stop", "signal=%d", signum);
	stop(l, 0);
}

static void
stop(struct loop *l, int code)
{
	l->exit_code = code;
	uv_stop(l->uv);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static int
run(struct node *n, bool serve, bool once)
{
	struct loop l;
	struct nz_err err = {0};
	struct net_tls tls = {n->conf.tls_ca, n->conf.tls_cert, n->conf.tls_key, n->conf.tls_server_name};
	uv_loop_t uv;
	int rc = 0;

	memset(&l, 0, sizeof(l));
#ifdef __GLIBC__
	/*
	 * One malloc arena for every thread: NNG's threads allocate the
	 * messages, and a thread's own arena keeps its top (a batch's worth,
	 * up to megabytes) resident after they are freed, where malloc_trim
	 * does not reach (shed_memory).  Blocks of 256 KiB or more are mapped
	 * and unmapped alone, at a fixed threshold: a batch freed gives its
	 * pages back at once instead of raising the threshold to its size.
	 */
	mallopt(M_ARENA_MAX, 1);
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
	uv_loop_init(&uv);
	l.uv = &uv;
	l.n = n;
	l.once = once;
	l.progress = once && isatty(STDERR_FILENO);
	msgpack_sbuffer_init(&l.req);
	if ((l.sync = sync_new(n->st, n->sk, (size_t)n->conf.batch_bytes)) == NULL) {
		fprintf(stderr, "nehzat: out of memory\n");
		return 1;
	}
	sync_set_recv_max(l.sync, (size_t)n->conf.recv_max);
	sync_set_compress(l.sync, n->conf.compress);
	sync_on_synced(l.sync, on_child_synced, &l);
	sync_set_limits(l.sync, &(struct sync_limits){(int64_t)n->conf.max_clock_ahead * 1000,
						      n->conf.quarantine_max,
						      (int64_t)n->conf.quarantine_mb << 20});
	uv_timer_init(&uv, &l.backoff);
	uv_timer_init(&uv, &l.tick);
	uv_timer_init(&uv, &l.poll);
	l.backoff.data = l.tick.data = l.poll.data = &l;
	uv_timer_init(&uv, &l.dash);
	uv_prepare_init(&uv, &l.held);
	l.dash.data = l.held.data = &l;
	if (serve)
		uv_prepare_start(&l.held, on_held);
	uv_signal_init(&uv, &l.sigint);
	uv_signal_init(&uv, &l.sigterm);
	l.sigint.data = l.sigterm.data = &l;
	uv_signal_start(&l.sigint, on_signal, SIGINT);
	uv_signal_start(&l.sigterm, on_signal, SIGTERM);
	signal(SIGPIPE, SIG_IGN);

	if (serve && n->conf.listen[0] != '\0') {
		if (net_server_start(&l.server, &uv, n->conf.listen, (size_t)n->conf.recv_max, &tls,
				     n->conf.stall_timeout * 1000, 64, on_request, on_pipe, &l, &err) != 0) {
			fprintf(stderr, "nehzat: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		nz_log(NZ_LOG_INFO, "node.listen", "url=%s", n->conf.listen);
	}
	if (serve && n->conf.http[0] != '\0') {
		char url[300];
		l.http_env = (struct http_env){n->st, n->conf.id, n->conf.name, n->conf.sync_interval,
					       n->conf.require_children_accepted, l.sync, n->pk, n->conf.listen};
		/* Sync is the node's first duty: a port already taken (two nodes
		 * on one machine left at the default) costs the UI, not the node. */
		struct http_opts ho = {n->conf.http, n->conf.http_tls_cert, n->conf.http_tls_key, n->conf.http_timeout,
				       n->conf.http_per_client};
		if (http_app_new(&l.http_app, &l.http_env, &err) != 0 ||
		    http_server_start(&l.http, &uv, &ho, l.http_app, url, sizeof(url), &err) != 0) {
			nz_log(NZ_LOG_ERROR, "http.error", "addr=%s error=\"%s\"", n->conf.http, err.msg);
			fprintf(stderr, "nehzat: web UI not served: %s\n", err.msg);
			nz_err_clear(&err);
		} else {
			nz_log(NZ_LOG_INFO, "http.listen", "url=%s", url);
			fprintf(stderr, "nehzat: web UI at %s\n", url);
		}
	}
	if (n->conf.parent[0] != '\0') {
		if (net_client_new(&l.client, &uv, n->conf.parent, (size_t)n->conf.recv_max, &tls,
				   n->conf.sync_timeout * 1000, n->conf.stall_timeout * 1000, on_reply, on_link,
				   &l, &err) != 0) {
			fprintf(stderr, "nehzat: %s\n", err.msg);
			rc = 1;
			goto out;
		}
		l.busy = true;
		uv_timer_start(&l.backoff, on_backoff, 0, 0);
		if (!once) {
			uv_timer_start(&l.tick, on_tick, (uint64_t)n->conf.sync_interval * 1000,
				       (uint64_t)n->conf.sync_interval * 1000);
			uv_timer_start(&l.poll, on_poll, POLL_MS, POLL_MS);
		}
	} else if (once) {
		fprintf(stderr, "nehzat: %s has no parent to sync with\n", n->conf.id);
		rc = 1;
		goto out;
	} else {
		uv_timer_start(&l.tick, on_tick, (uint64_t)n->conf.sync_interval * 1000,
			       (uint64_t)n->conf.sync_interval * 1000);
	}
	nz_log(NZ_LOG_INFO, "node.start", "id=%s parent=%s listen=%s", n->conf.id,
	       n->conf.parent[0] ? n->conf.parent : "-", n->conf.listen[0] ? n->conf.listen : "-");
	uv_run(&uv, UV_RUN_DEFAULT);
	rc = l.exit_code;
	if (once) {
		const struct sync_stats *s = sync_child_stats(l.sync);
		uint64_t sent, received;
		net_client_bytes(l.client, &sent, &received);
		nz_log(NZ_LOG_INFO, "sync.done",
		       "pushed=%lld pulled=%lld refused=%lld round_trips=%lld bytes_sent=%llu bytes_received=%llu",
		       (long long)s->pushed, (long long)s->pulled, (long long)s->refused,
		       (long long)s->round_trips, (unsigned long long)sent, (unsigned long long)received);
	}
out:
	http_server_stop(l.http);
	net_server_stop(l.server);
	net_client_free(l.client);
	uv_walk(&uv, close_walk, NULL);
	uv_run(&uv, UV_RUN_DEFAULT);
	uv_loop_close(&uv);
	http_app_free(l.http_app);
	sync_free(l.sync);
	msgpack_sbuffer_destroy(&l.req);
	return rc;
}

static int
serve_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	bool recounted;
	uint64_t t0;
	int rc, lock;

	if (argc > 1)
		return cmd_usage("serve: unexpected argument '%s'", argv[1]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	/* One serving process per data directory: a second is refused, and
	 * `nehzat restore` knows the node is stopped. */
	if (node_lock(n.dir, &lock, &err) != 0) {
		node_close(&n);
		return cmd_fail(&err);
	}
	/* The lock is ours: the problem counts of our own writes may be written behind (aggregate.h). */
	t0 = uv_hrtime();
	if (agg_defer(n.st, true, &recounted, &err) != 0) {
		node_close(&n);
		close(lock);
		return cmd_fail(&err);
	}
	if (recounted)
		nz_log(NZ_LOG_INFO, "dash.recount", "reason=\"the last serving process died holding problem counts\" ms=%llu",
		       (unsigned long long)((uv_hrtime() - t0) / 1000000));
	rc = run(&n, true, false);
	node_close(&n); /* writes what is held, then the lock goes */
	close(lock);
	nz_log(NZ_LOG_INFO, "node.exit", "code=%d", rc);
	return rc;
}

const struct cmd_def cmd_serve = {
	.name = "serve",
	.summary = "run the node: sync with parent and children, serve HTTP",
	.synopsis = "-D DIR",
	.about = "Runs the node in the foreground: dials the parent and keeps in step with it,\n"
		 "serves children on [node] listen, and the web UI and JSON API on [node] http.\n"
		 "One log line per event on stderr.\n"
		 "SIGTERM or SIGINT closes cleanly and exits 0.\n",
	.run = serve_exec,
};

static int
sync_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	bool once = false;
	const struct cli_opt opts[] = {CLI_FLAG("--once", &once), CLI_END};
	int rc, npos;

	if ((rc = cli_parse("sync", argc, argv, 1, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (!once)
		return cmd_usage("sync: only --once is supported; 'nehzat serve' keeps syncing");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = run(&n, false, true);
	node_close(&n);
	return rc;
}

const struct cmd_def cmd_sync = {
	.name = "sync",
	.summary = "one full exchange with the parent (--once)",
	.synopsis = "-D DIR --once",
	.about = "One full exchange with the parent: pushes this node's backlog, pulls what is\n"
		 "visible to it, and exits 0 when both sides are in step (1 on failure).\n",
	.run = sync_exec,
};
