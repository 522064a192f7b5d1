#include <stdlib.h>
#include <string.h>

#ifdef __linux__
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#endif

#include "net/net_int.h"

/*
 * Watching the TCP socket under an NNG pipe (see struct tcp_conn in
 * net_int.h): found among our descriptors by its addresses, tuned, and its
 * byte counters read to tell a slow link from a dead one.
 */

#define TCP_DEAD_MS 1000 /* after a retransmission timeout, this long without a byte: the line is down */

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
 * net_tcp_find finds the socket of pipe p and tunes it: the kernel keeps
 * unacknowledged data for keep_ms before it drops the connection, as long as
 * we would wait ourselves; and on kernels without TCP_RTO_MAX_MS (before
 * 6.15) linear timeouts for thin streams at least make the first six
 * retransmissions come quickly.  Runs on NNG's thread, at once, so that the
 * connection is tuned before it carries anything.
 */
void
net_tcp_find(nng_pipe p, int keep_ms, struct tcp_conn *t)
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
void
net_tcp_find(nng_pipe p, int keep_ms, struct tcp_conn *t)
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

/* net_tcp_start takes the counters of a connection as they are now: nothing has moved yet. */
void
net_tcp_start(struct tcp_conn *t, uint64_t now)
{
	int backoff;

	t->last_move = now;
	if (tcp_read(t, &t->moved, &backoff) != 0)
		t->moved = 0;
}

/*
 * net_tcp_look looks at a connection: 1 when bytes moved since the last look, 0
 * when not, -1 when its counters cannot be read.  It also sets how TCP
 * retries.  While bytes move, TCP backs off as it always does: on a thin line
 * a segment may wait 1.5 s behind another, and an early timer would only send
 * it twice.  Once TCP has timed out and nothing has moved for TCP_DEAD_MS,
 * the line is down, and the retransmission timeout is held at one second so
 * that the line is used within a second of its return, however long it was
 * away (Linux 6.15 and later; older kernels refuse this).
 */
int
net_tcp_look(struct tcp_conn *t, uint64_t now)
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
