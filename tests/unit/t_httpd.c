/*
 * The web server as the node runs it in its loop (src/http/server.c):
 * libmicrohttpd loaded at the first connection, the node listening itself
 * until then; the first request answered; a stop before any connection
 * releasing the socket and every handle; an HTTPS start that fails closing
 * nothing twice (MHD closes the listening socket it was handed when it
 * fails: closing it again could close a descriptor another thread, NNG's,
 * has just been given).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <uv.h>

#include "domain/domain.h"
#include "app.h"
#include "http/http.h"
#include "test.h"

/* close() of a descriptor that was not open, counted: this file's close stands in for libc's. */
static int bad_closes;

int
close(int fd)
{
	long r = syscall(SYS_close, fd);

	if (r != 0 && errno == EBADF)
		bad_closes++;
	return (int)r;
}

/* port_of reads the port of a URL http(s)://127.0.0.1:PORT/. */
static int
port_of(const char *url)
{
	const char *p = strrchr(url, ':');

	return p != NULL ? atoi(p + 1) : -1;
}

/* dial connects to 127.0.0.1:port; the socket, or -1. */
static int
dial(int port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

struct client {
	int port;
	char answer[512];
	volatile int done;
};

/* ask sends one request on a connection of its own and keeps the start of the answer (a thread). */
static void *
ask(void *arg)
{
	static const char rq[] = "GET /api/v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	struct client *c = arg;
	struct timeval tv = {5, 0};
	size_t n = 0;
	ssize_t r;
	int fd = dial(c->port);

	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (write(fd, rq, sizeof(rq) - 1) == (ssize_t)sizeof(rq) - 1)
			while (n < sizeof(c->answer) - 1 && (r = read(fd, c->answer + n, sizeof(c->answer) - 1 - n)) > 0)
				n += (size_t)r;
		close(fd);
	}
	c->answer[n] = '\0';
	c->done = 1;
	return NULL;
}

/* settle runs the loop until its handles are closed (bounded); uv_loop_close's result. */
static int
settle(uv_loop_t *loop)
{
	int i;

	for (i = 0; i < 100 && uv_run(loop, UV_RUN_NOWAIT) != 0; i++)
		;
	return uv_loop_close(loop);
}

int
main(void)
{
	struct store *st = NULL;
	struct http_app *app = NULL;
	struct http_server *s = NULL;
	struct nz_err err = {0};
	struct http_env env;
	struct http_opts o;
	struct client c;
	char cert[512], url[300];
	uv_loop_t loop;
	pthread_t th;
	FILE *f;
	int port, fd, i;

	t_app_store(&st, &env, "t.db", "IR-07-03", "");
	CHECK(http_app_new(&app, &env, &err) == 0);
	memset(&o, 0, sizeof(o));
	o.hostport = "127.0.0.1:0";
	o.timeout = 5;
	o.per_client = 8;

	/* Stopped before any connection: the socket is closed, every handle too. */
	CHECK(uv_loop_init(&loop) == 0);
	bad_closes = 0;
	CHECK(http_server_start(&s, &loop, &o, app, url, sizeof(url), &err) == 0);
	port = port_of(url);
	CHECK(port > 0);
	fd = dial(port);
	CHECK(fd >= 0); /* the node listens itself */
	if (fd >= 0)
		close(fd);
	http_server_stop(s);
	CHECK_INT(settle(&loop), 0);
	CHECK(dial(port) < 0);
	CHECK_INT(bad_closes, 0);

	/* The first connection loads libmicrohttpd, and its request is answered. */
	CHECK(uv_loop_init(&loop) == 0);
	CHECK(http_server_start(&s, &loop, &o, app, url, sizeof(url), &err) == 0);
	memset(&c, 0, sizeof(c));
	c.port = port_of(url);
	CHECK(pthread_create(&th, NULL, ask, &c) == 0);
	for (i = 0; i < 1000 && !c.done; i++) { /* 10 s at most */
		uv_run(&loop, UV_RUN_NOWAIT);
		usleep(10000);
	}
	pthread_join(th, NULL);
	CHECK(strncmp(c.answer, "HTTP/1.1 404", 12) == 0);
	CHECK(strstr(c.answer, "not_found") != NULL);
	if (strncmp(c.answer, "HTTP/1.1 404", 12) != 0)
		printf("# answer: %.80s\n", c.answer);
	http_server_stop(s);
	CHECK_INT(settle(&loop), 0);
	CHECK(dial(c.port) < 0);

	/* HTTPS refused at the start (a PEM block that is no certificate): a reason, nothing closed twice. */
	snprintf(cert, sizeof(cert), "%s/bad.pem", t_tmpdir());
	f = fopen(cert, "w");
	CHECK(f != NULL);
	if (f != NULL) {
		fputs("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n", f);
		fclose(f);
	}
	o.tls_cert = cert;
	o.tls_key = cert;
	CHECK(uv_loop_init(&loop) == 0);
	bad_closes = 0;
	s = NULL;
	CHECK(http_server_start(&s, &loop, &o, app, url, sizeof(url), &err) != 0);
	CHECK(s == NULL);
	CHECK(strstr(err.msg, "cannot serve HTTPS on 127.0.0.1:0") != NULL);
	CHECK_INT(bad_closes, 0);
	CHECK_INT(settle(&loop), 0);

	http_app_free(app);
	store_close(st);
	TEST_DONE();
}
