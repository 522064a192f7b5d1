/*
 * libmicrohttpd carried inside the libuv loop.  MHD runs without a thread
 * of its own ("external polling" with epoll): the loop watches MHD's epoll
 * descriptor with a uv_poll_t and keeps a uv_timer_t at MHD_get_timeout(),
 * and each wake-up calls MHD_run().  MHD's callbacks therefore run on the
 * loop's thread, where http_app_handle answers the request directly: the
 * database keeps its one writer, and no request waits in a queue between
 * two threads.
 *
 * What an unfriendly client can take is bounded by MHD, which knows the
 * client's address (NNG 1.5.2's server did not):
 *   - connections: http_per_client per address, HTTP_CONN_MAX in all
 *     (the rest are refused at accept, so descriptors never run out);
 *   - time: a connection idle for http_timeout seconds is closed, whether
 *     it is between requests or in the middle of its headers;
 *   - headers: HTTP_HEADERS_MAX bytes per connection (request line and
 *     headers; MHD answers 431 beyond);
 *   - bodies: HTTP_BODY_MAX, refused with 413 as soon as a Content-Length
 *     passes it, before the body is read; a chunked body past it is read
 *     to its end and dropped (memory stays bounded), then refused.
 * Every answer of ours is JSON (or an asset) with a Content-Length.  Only
 * what never becomes a request is MHD's: headers above the bound get its
 * 431 (HTML, with a Content-Length), an unreadable request line a close.
 * A client that trickles a byte now and then is never idle; what bounds it
 * is the per-address count.
 *
 * libmicrohttpd, and GnuTLS with it (its library initialises GnuTLS when
 * loaded, with nettle, gmp, p11-kit and the rest: 2.8 MB of pages mapped in
 * every process), is loaded when the first connection comes (dlopen), not
 * when the node starts: most nodes serve no page for days, and a county
 * idles at 6.7 MB instead of 9.5.  Until then the node listens itself, on
 * the socket MHD is then handed; the first page waits some milliseconds for
 * the load.  With HTTPS configured it is loaded at the start, so that a bad
 * certificate or key is said at once.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/log.h"
#include "http/http.h"

#define HTTP_CONN_MAX 512          /* connections in all; below the default 1024 descriptors */
#define HTTP_HEADERS_MAX (32 * 1024) /* MHD's memory pool per connection: request line and headers */
#define HTTP_URI_MAX 4096

/* The soname of the libmicrohttpd that microhttpd.h (Debian 12's libmicrohttpd-dev) describes. */
#define MHD_SONAME "libmicrohttpd.so.12"

/* libmicrohttpd's functions, once loaded (mhd_load). */
static struct {
	void *so;
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_run) *run;
	__typeof__(MHD_get_timeout) *get_timeout;
	__typeof__(MHD_get_daemon_info) *get_daemon_info;
	__typeof__(MHD_get_connection_info) *get_connection_info;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
} mhd;

struct http_server {
	struct MHD_Daemon *d; /* NULL until the first connection (or at the start, with TLS) */
	uv_loop_t *loop;
	int fd;           /* the listening socket; MHD's once it runs */
	uv_poll_t listen; /* fd, until MHD runs */
	uv_poll_t poll;   /* MHD's epoll descriptor */
	uv_timer_t timer; /* MHD_get_timeout */
	int open_handles;
	bool tls, v6;
	struct http_app *app;
	int per_client, timeout;
	char where[256]; /* host:port, for messages */
	char *cert, *key; /* PEM text handed to MHD; kept until it stops */
};

/* struct call is one request being read (MHD's con_cls). */
struct call {
	char *uri;       /* as sent: path and query, not decoded */
	char *body;
	size_t len, cap;
	bool started;    /* the access handler has seen the headers */
	bool uri_too_long;
	bool answered;   /* an early refusal has been queued */
	bool too_big;    /* the body passed HTTP_BODY_MAX: the rest is dropped */
	char peer[INET6_ADDRSTRLEN + 4];
};

/* Headers every answer carries: the UI loads nothing from elsewhere. */
static const char *const security_headers[][2] = {
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Content-Security-Policy",
	 "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src 'self';"
	 " script-src 'self'; connect-src 'self'; frame-ancestors 'none'"},
};

static void rearm(struct http_server *s);

/* queue sends rs on c; rs's body is copied, so the caller still releases it. */
static enum MHD_Result
queue(struct http_server *s, struct MHD_Connection *c, const struct http_res *rs)
{
	struct MHD_Response *r;
	enum MHD_Result ok;
	size_t i;

	if (rs->static_body != NULL)
		r = mhd.create_response_from_buffer(rs->len, (void *)rs->static_body, MHD_RESPMEM_PERSISTENT);
	else
		r = mhd.create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (rs->ctype)
		mhd.add_response_header(r, "Content-Type", rs->ctype);
	mhd.add_response_header(r, "Cache-Control", rs->cache ? rs->cache : "no-store");
	if (rs->cookie[0])
		mhd.add_response_header(r, "Set-Cookie", rs->cookie);
	if (rs->cookie2[0])
		mhd.add_response_header(r, "Set-Cookie", rs->cookie2);
	if (rs->location[0])
		mhd.add_response_header(r, "Location", rs->location);
	for (i = 0; i < sizeof(security_headers) / sizeof(security_headers[0]); i++)
		mhd.add_response_header(r, security_headers[i][0], security_headers[i][1]);
	if (s->tls)
		mhd.add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	ok = mhd.queue_response(c, (unsigned)(rs->status ? rs->status : 500), r);
	mhd.destroy_response(r);
	return ok;
}

/* refuse queues a JSON error of our own shape; code and message are plain ASCII. */
static enum MHD_Result
refuse(struct http_server *s, struct MHD_Connection *c, int status, const char *code, const char *msg)
{
	struct http_res rs;
	char body[256];

	memset(&rs, 0, sizeof(rs));
	snprintf(body, sizeof(body), "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"field\":null}}", code, msg);
	rs.status = status;
	rs.ctype = "application/json; charset=utf-8";
	rs.body = body;
	rs.len = strlen(body);
	return queue(s, c, &rs);
}

/*
 * peer6 names an IPv6 client by its /64, the least one network is given:
 * one machine may hold any address in it.  An IPv4 client mapped into IPv6
 * is named by its IPv4 address.
 */
static void
peer6(const struct in6_addr *a, char *out, size_t n)
{
	struct in6_addr net = *a;

	if (IN6_IS_ADDR_V4MAPPED(a)) {
		inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)n);
		return;
	}
	memset(&net.s6_addr[8], 0, 8);
	inet_ntop(AF_INET6, &net, out, (socklen_t)n);
	if (strlen(out) + 4 < n)
		strcat(out, "/64");
}

/* on_uri runs first for every request, with the URI as sent: it becomes the call. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = mhd.get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct call *k;

	(void)cls;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	/* A longer URI is answered 414 rather than cut short into another request. */
	k->uri = strlen(uri) <= HTTP_URI_MAX ? strdup(uri) : strdup("");
	k->uri_too_long = strlen(uri) > HTTP_URI_MAX;
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, k->peer,
				  sizeof(k->peer));
		else if (sa->sa_family == AF_INET6)
			peer6(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, k->peer, sizeof(k->peer));
	}
	return k;
}

static void
on_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct call *k = *con_cls;

	(void)cls, (void)c, (void)why;
	if (k != NULL) {
		free(k->uri);
		free(k->body);
		free(k);
		*con_cls = NULL;
	}
}

/* take appends n bytes of body to k; false when the body would pass HTTP_BODY_MAX. */
static bool
take(struct call *k, const char *data, size_t n)
{
	if (n > HTTP_BODY_MAX - k->len)
		return false;
	if (k->len + n > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;
		char *p;
		while (cap < k->len + n)
			cap *= 2;
		if ((p = realloc(k->body, cap)) == NULL)
			return false;
		k->body = p;
		k->cap = cap;
	}
	memcpy(k->body + k->len, data, n);
	k->len += n;
	return true;
}

/*
 * on_request is MHD's access handler: called once when the headers are in,
 * once per piece of body, and once at the end, when the app answers.
 */
static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method, const char *version,
	   const char *upload, size_t *upload_size, void **con_cls)
{
	struct http_server *s = cls;
	struct call *k = *con_cls;
	struct http_req rq;
	struct http_res rs;
	const char *cl;
	enum MHD_Result ok;
	int64_t t0;

	(void)url, (void)version;
	if (k == NULL || k->uri == NULL)
		return MHD_NO; /* out of memory: MHD closes the connection */
	if (k->answered) {
		*upload_size = 0; /* a refusal is on its way; what follows is dropped */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* A chunked body past the bound: MHD 0.9.75 takes no answer mid-body, so the
		 * rest is read and dropped (nothing kept) and 413 answered at its end. */
		if (!k->too_big && !take(k, upload, *upload_size))
			k->too_big = true;
		*upload_size = 0;
		return MHD_YES;
	}
	if (k->too_big)
		return refuse(s, c, 413, "too_big", "the request body is over 1048576 bytes");
	if (!k->started) {
		/* The headers are in; a body, if any, comes in the next calls. */
		k->started = true;
		if (k->uri_too_long) {
			k->answered = true;
			return refuse(s, c, 414, "uri_too_long", "the request URI is over 4096 bytes");
		}
		cl = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > HTTP_BODY_MAX) {
			k->answered = true;
			return refuse(s, c, 413, "too_big", "the request body is over 1048576 bytes");
		}
		return MHD_YES;
	}
	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	rq.method = method;
	rq.uri = k->uri;
	rq.cookie = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_COOKIE);
	rq.csrf = mhd.lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	rq.content_type = mhd.lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	rq.body = k->body;
	rq.len = k->len;
	rq.peer = k->peer;
	rq.secure = s->tls;
	t0 = (int64_t)uv_hrtime();
	http_app_handle(s->app, &rq, &rs);
	nz_log(NZ_LOG_DEBUG, "http.request", "peer=%s method=%s status=%d ms=%lld", k->peer, method, rs.status,
	       (long long)(((int64_t)uv_hrtime() - t0) / 1000000));
	ok = queue(s, c, &rs);
	http_res_release(&rs);
	return ok;
}

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	nz_log(NZ_LOG_DEBUG, "http.server", "message=\"%s\"", msg);
}

static void
on_timer(uv_timer_t *t)
{
	struct http_server *s = t->data;

	mhd.run(s->d);
	rearm(s);
}

static void
on_poll(uv_poll_t *p, int status, int events)
{
	struct http_server *s = p->data;

	(void)status, (void)events;
	mhd.run(s->d);
	rearm(s);
}

/* rearm sets the timer to when MHD next needs to run (work pending, a connection to time out). */
static void
rearm(struct http_server *s)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (mhd.get_timeout(s->d, &ms) == MHD_YES)
		uv_timer_start(&s->timer, on_timer, (uint64_t)ms, 0);
	else
		uv_timer_stop(&s->timer);
}

/* read_pem reads a PEM file whole into a new string. */
static int
read_pem(const char *path, char **out, struct nz_err *err)
{
	FILE *f;
	char *p = NULL;
	size_t n = 0, cap = 0, r;

	*out = NULL;
	if ((f = fopen(path, "rb")) == NULL)
		return nz_fail(err, NZ_EIO, "cannot read %s: %s", path, strerror(errno));
	do {
		if (n + 4096 + 1 > cap) {
			char *q;
			cap = cap ? cap * 2 : 8192;
			if (cap > (1u << 20) || (q = realloc(p, cap)) == NULL) {
				free(p);
				fclose(f);
				return nz_fail(err, NZ_EINVAL, "%s is not a PEM file of reasonable size", path);
			}
			p = q;
		}
		r = fread(p + n, 1, 4096, f);
		n += r;
	} while (r > 0);
	if (ferror(f)) {
		free(p);
		fclose(f);
		return nz_fail(err, NZ_EIO, "cannot read %s", path);
	}
	fclose(f);
	p[n] = '\0';
	if (strstr(p, "-----BEGIN ") == NULL) {
		free(p);
		return nz_fail(err, NZ_EINVAL, "%s holds no PEM block", path);
	}
	*out = p;
	return 0;
}

/* resolve turns "host:port" or "[v6]:port" into an address to bind. */
static int
resolve(const char *hostport, struct sockaddr_storage *ss, socklen_t *len, struct nz_err *err)
{
	char host[256];
	const char *port, *colon;
	struct addrinfo hints, *ai = NULL;
	int rc;

	if (hostport[0] == '[') {
		const char *end = strchr(hostport, ']');
		if (end == NULL || end[1] != ':' || (size_t)(end - hostport) > sizeof(host))
			return nz_fail(err, NZ_ECONF, "http address '%s' is not [IPV6]:PORT", hostport);
		snprintf(host, sizeof(host), "%.*s", (int)(end - hostport - 1), hostport + 1);
		port = end + 2;
	} else {
		if ((colon = strrchr(hostport, ':')) == NULL || (size_t)(colon - hostport) >= sizeof(host))
			return nz_fail(err, NZ_ECONF, "http address '%s' is not HOST:PORT", hostport);
		snprintf(host, sizeof(host), "%.*s", (int)(colon - hostport), hostport);
		port = colon + 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return nz_fail(err, NZ_ECONF, "http address '%s': %s", hostport, gai_strerror(rc));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

/* mhd_load loads libmicrohttpd and finds its functions, once. */
static int
mhd_load(struct nz_err *err)
{
	void *so;

	if (mhd.so != NULL)
		return 0;
	if ((so = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return nz_fail(err, NZ_ENET, "cannot load %s: %s", MHD_SONAME, dlerror());
#define MHD_FN(f)                                                                                              \
	if ((mhd.f = (__typeof__(mhd.f))dlsym(so, "MHD_" #f)) == NULL) {                                               \
		dlclose(so);                                                                                   \
		return nz_fail(err, NZ_ENET, "%s has no MHD_%s", MHD_SONAME, #f);                              \
	}
	MHD_FN(start_daemon)
	MHD_FN(stop_daemon)
	MHD_FN(run)
	MHD_FN(get_timeout)
	MHD_FN(get_daemon_info)
	MHD_FN(get_connection_info)
	MHD_FN(lookup_connection_value)
	MHD_FN(create_response_from_buffer)
	MHD_FN(add_response_header)
	MHD_FN(queue_response)
	MHD_FN(destroy_response)
#undef MHD_FN
	mhd.so = so;
	return 0;
}

/*
 * mhd_start runs MHD on the listening socket, watched by the loop from now
 * on; failing, the socket is closed (by MHD or here) and s->fd is -1.
 */
static int
mhd_start(struct http_server *s, struct nz_err *err)
{
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (s->tls ? MHD_USE_TLS : 0) | (s->v6 ? MHD_USE_IPv6 : 0);
	int rc, fd;

	if ((rc = mhd_load(err)) != 0) {
		close(s->fd);
		s->fd = -1;
		return rc;
	}
	{
		struct MHD_OptionItem opts[] = {
			{MHD_OPTION_LISTEN_SOCKET, s->fd, NULL},
			{MHD_OPTION_CONNECTION_LIMIT, HTTP_CONN_MAX, NULL},
			{MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->per_client > 0 ? s->per_client : 32, NULL},
			{MHD_OPTION_CONNECTION_TIMEOUT, s->timeout > 0 ? s->timeout : 30, NULL},
			{MHD_OPTION_CONNECTION_MEMORY_LIMIT, HTTP_HEADERS_MAX, NULL},
			{MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)on_uri, s},
			{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_done, s},
			{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, s},
			/* Without TLS the list ends here. */
			{s->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->cert},
			{MHD_OPTION_HTTPS_MEM_KEY, 0, s->key},
			{MHD_OPTION_END, 0, NULL},
		};
		s->d = mhd.start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	}
	if (s->d == NULL) {
		/* MHD closed the socket it was handed: closing it again could close another thread's (NNG's). */
		s->fd = -1;
		return nz_fail(err, NZ_ENET, "cannot serve HTTP%s on %s (a bad certificate or key)", s->tls ? "S" : "",
			       s->where);
	}
	di = mhd.get_daemon_info(s->d, MHD_DAEMON_INFO_EPOLL_FD);
	fd = di ? di->epoll_fd : -1;
	if (fd < 0 || uv_poll_init(s->loop, &s->poll, fd) != 0) {
		mhd.stop_daemon(s->d); /* which closes the listening socket */
		s->d = NULL;
		s->fd = -1;
		return nz_fail(err, NZ_ENET, "cannot watch the HTTP server's descriptors");
	}
	s->poll.data = s;
	s->open_handles++;
	uv_poll_start(&s->poll, UV_READABLE, on_poll);
	rearm(s);
	return 0;
}

static void on_closed(uv_handle_t *h);

/* on_listen: the first connection knocks; MHD is loaded and takes it (and the socket) over. */
static void
on_listen(uv_poll_t *p, int status, int events)
{
	struct http_server *s = p->data;
	struct nz_err err = {0};

	(void)status, (void)events;
	uv_close((uv_handle_t *)&s->listen, on_closed);
	if (mhd_start(s, &err) != 0) {
		nz_log(NZ_LOG_ERROR, "http.error", "error=\"%s\"", err.msg);
		return;
	}
	nz_log(NZ_LOG_INFO, "http.loaded", "library=%s", MHD_SONAME);
	mhd.run(s->d); /* accept now */
	rearm(s);
}

/* listen_on makes the listening socket for ss, non-blocking, closed on exec. */
static int
listen_on(const struct sockaddr_storage *ss, socklen_t len, const char *hostport, struct nz_err *err)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;

	if (fd < 0)
		return nz_fail(err, NZ_ENET, "cannot serve HTTP on %s: %s", hostport, strerror(errno)), -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)ss, len) != 0 || listen(fd, SOMAXCONN) != 0) {
		nz_fail(err, NZ_ENET, "cannot serve HTTP on %s: %s", hostport, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
http_server_start(struct http_server **out, uv_loop_t *loop, const struct http_opts *o, struct http_app *app,
		  char *urlbuf, size_t n, struct nz_err *err)
{
	struct http_server *s;
	struct sockaddr_storage ss;
	socklen_t sslen;
	char host[INET6_ADDRSTRLEN] = "";
	int rc;

	*out = NULL;
	if ((rc = resolve(o->hostport, &ss, &sslen, err)) != 0)
		return rc;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	s->app = app;
	s->loop = loop;
	s->per_client = o->per_client;
	s->timeout = o->timeout;
	s->v6 = ss.ss_family == AF_INET6;
	snprintf(s->where, sizeof(s->where), "%s", o->hostport);
	if (o->tls_cert != NULL && o->tls_cert[0] != '\0') {
		if ((rc = read_pem(o->tls_cert, &s->cert, err)) != 0 || (rc = read_pem(o->tls_key, &s->key, err)) != 0)
			goto fail;
		s->tls = true;
	}
	if ((s->fd = listen_on(&ss, sslen, o->hostport, err)) < 0) {
		rc = NZ_ENET;
		goto fail;
	}
	uv_timer_init(loop, &s->timer);
	s->timer.data = s;
	s->open_handles = 1;
	if (s->tls) {
		if ((rc = mhd_start(s, err)) != 0) {
			uv_close((uv_handle_t *)&s->timer, on_closed);
			return rc; /* s goes with the timer */
		}
	} else if (uv_poll_init(loop, &s->listen, s->fd) != 0) {
		close(s->fd);
		uv_close((uv_handle_t *)&s->timer, on_closed);
		return nz_fail(err, NZ_ENET, "cannot watch the HTTP server's socket");
	} else {
		s->listen.data = s;
		s->open_handles++;
		uv_poll_start(&s->listen, UV_READABLE, on_listen);
	}
	sslen = sizeof(ss);
	getsockname(s->fd, (struct sockaddr *)&ss, &sslen);
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, host, sizeof(host));
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, host, sizeof(host));
	snprintf(urlbuf, n, ss.ss_family == AF_INET6 ? "%s://[%s]:%u/" : "%s://%s:%u/", s->tls ? "https" : "http",
		 host,
		 ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)(void *)&ss)->sin6_port
						: ((struct sockaddr_in *)(void *)&ss)->sin_port));
	*out = s;
	return 0;
fail:
	free(s->cert);
	free(s->key);
	free(s);
	return rc;
}

static void
on_closed(uv_handle_t *h)
{
	struct http_server *s = h->data;

	if (--s->open_handles == 0) {
		free(s->cert);
		free(s->key);
		free(s);
	}
}

void
http_server_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	uv_timer_stop(&s->timer);
	uv_close((uv_handle_t *)&s->timer, on_closed);
	if (s->d != NULL) {
		/* Out of libuv's epoll before MHD closes the descriptors (its listening socket too). */
		uv_poll_stop(&s->poll);
		mhd.stop_daemon(s->d);
		s->d = NULL;
		uv_close((uv_handle_t *)&s->poll, on_closed);
	} else if (s->fd >= 0) {
		uv_close((uv_handle_t *)&s->listen, on_closed);
		close(s->fd);
	}
	s->fd = -1;
}
