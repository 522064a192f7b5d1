#include "conf/conf.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "test.h"

static char dir[256];

/* A county that loads: the base most tests add one mistake to. */
#define COUNTY "[node]\nid = IR-07-03\nparent = tcp://127.0.0.1:7401\n"

/* put writes text to a file of the test directory and returns its path (static). */
static const char *
put(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

/* load writes text to name and loads it into c. */
static int
load(const char *name, const char *text, struct conf *c, struct nz_err *err)
{
	nz_err_clear(err);
	return conf_load(c, put(name, text), err);
}

static int
count_lines(const char *s)
{
	int n = s[0] != '\0';

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* has checks that msg contains needle and shows msg when it does not. */
static void
has(const char *msg, const char *needle, int line)
{
	char what[256];
	int ok = strstr(msg, needle) != NULL;

	snprintf(what, sizeof(what), "message has \"%s\"", needle);
	t_report(ok, __FILE__, line, what);
	if (!ok)
		printf("#   message:\n#   %s\n", msg);
}

#define HAS(msg, needle) has((msg), (needle), __LINE__)

/* refused loads text, expects NZ_ECONF with exactly one error containing needle. */
static void
refused(const char *name, const char *text, const char *needle, int line)
{
	struct nz_err err;
	struct conf c;
	int rc;

	rc = load(name, text, &c, &err);
	t_report(rc == NZ_ECONF, __FILE__, line, "load is refused with NZ_ECONF");
	if (rc != NZ_ECONF)
		printf("#   got %d\n", rc);
	t_report(err.code == NZ_ECONF, __FILE__, line, "err.code is NZ_ECONF");
	t_report(count_lines(err.msg) == 1, __FILE__, line, "exactly one error");
	has(err.msg, needle, line);
}

#define REFUSED(name, text, needle) refused((name), (text), (needle), __LINE__)

static bool
same_file(const char *path, const char *text)
{
	char buf[256];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

static int
count_entries(const char *path)
{
	struct dirent *d;
	DIR *dp = opendir(path);
	int n = 0;

	if (dp == NULL)
		return -1;
	while ((d = readdir(dp)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

static void
test_defaults(void)
{
	struct conf c;

	memset(&c, 0x5a, sizeof(c));
	conf_defaults(&c);
	CHECK_STR(c.id, "");
	CHECK_STR(c.parent, "");
	CHECK_STR(c.listen, "");
	CHECK_STR(c.http, "127.0.0.1:8080");
	CHECK_STR(c.name, "");
	CHECK_INT(c.sync_interval, 2);
	CHECK_INT(c.backoff_min, 1);
	CHECK_INT(c.backoff_max, 60);
	CHECK_INT(c.batch_bytes, 262144);
	CHECK_INT(c.recv_max, 4194304);
	CHECK_INT(c.sync_timeout, 10);
	CHECK_INT(c.stall_timeout, 900);
	CHECK_STR(c.tls_ca, "");
	CHECK_STR(c.tls_cert, "");
	CHECK_STR(c.tls_key, "");
	CHECK_STR(c.tls_server_name, "");
	CHECK_INT(c.log_level, NZ_LOG_INFO);
	CHECK(c.require_children_accepted);
}

static void
test_examples(void)
{
	struct nz_err err;
	struct conf c;
	int rc;

	nz_err_clear(&err);
	rc = conf_load(&c, "conf/county.ini", &err);
	CHECK_INT(rc, 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	CHECK_STR(c.id, "IR-07-03");
	CHECK_STR(c.parent, "tcp://127.0.0.1:7401");
	CHECK_STR(c.listen, "");
	CHECK_STR(c.name, "دبیرخانه شهرستان اقلید");
	CHECK_INT(c.sync_interval, 2);

	rc = conf_load(&c, "conf/province.ini", &err);
	CHECK_INT(rc, 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	CHECK_STR(c.id, "IR-07");
	CHECK_STR(c.parent, "tcp://127.0.0.1:7400");
	CHECK_STR(c.listen, "tcp://0.0.0.0:7401");

	rc = conf_load(&c, "conf/national.ini", &err);
	CHECK_INT(rc, 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	CHECK_STR(c.id, "IR");
	CHECK_STR(c.parent, "");
	CHECK_STR(c.listen, "tcp://0.0.0.0:7400");
	CHECK_STR(err.msg, "");
}

static void
test_full_file(void)
{
	struct nz_err err;
	struct conf c;
	int rc;

	rc = load("full.ini",
		  "; a comment\n"
		  "# another\n"
		  "[node]\n"
		  "  id = IR-07   ; indented, with an inline comment\n"
		  "  parent = tls+tcp://[::1]:7400\n"
		  "listen = ipc:///tmp/nehzat-IR-07.ipc\n"
		  "http = localhost:9000\n"
		  "[ sync ]\n"
		  "interval = 3600\n"
		  "backoff_min = 5\n"
		  "backoff_max = 5\n"
		  "batch_bytes = 4096\n"
		  "recv_max = 131072\n"
		  "timeout = 600\n"
		  "[tls]\n"
		  "ca = /etc/nehzat/ca.pem\n"
		  "cert = /etc/nehzat/IR-07.crt\n"
		  "key = /etc/nehzat/IR-07.key\n"
		  "[log]\n"
		  "level = debug\n"
		  "[reports]\n"
		  "require_children_accepted = No\n",
		  &c, &err);
	CHECK_INT(rc, 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	CHECK_STR(c.id, "IR-07");
	CHECK_STR(c.parent, "tls+tcp://[::1]:7400");
	CHECK_STR(c.listen, "ipc:///tmp/nehzat-IR-07.ipc");
	CHECK_STR(c.http, "localhost:9000");
	CHECK_INT(c.sync_interval, 3600);
	CHECK_INT(c.backoff_min, 5);
	CHECK_INT(c.backoff_max, 5);
	CHECK_INT(c.batch_bytes, 4096);
	CHECK_INT(c.recv_max, 131072);
	CHECK_INT(c.sync_timeout, 600);
	CHECK_STR(c.tls_key, "/etc/nehzat/IR-07.key");
	/* An empty server_name defaults to the parent's host. */
	CHECK_STR(c.tls_server_name, "::1");
	CHECK_INT(c.log_level, NZ_LOG_DEBUG);
	CHECK(!c.require_children_accepted);

	/* A byte-order mark from a Windows editor is fine. */
	rc = load("bom.ini", "\xef\xbb\xbf" COUNTY, &c, &err);
	CHECK_INT(rc, 0);
}

static void
test_three_errors(void)
{
	struct nz_err err;
	struct conf c, before;
	int rc;

	conf_defaults(&before);
	c = before;
	rc = load("three.ini",
		  "[node]\n"
		  "id = IR-07-03\n"
		  "parent = http://127.0.0.1:7401\n"
		  "[sync]\n"
		  "intervall = 5\n"
		  "[reports]\n"
		  "require_children_accepted = maybe\n",
		  &c, &err);
	CHECK_INT(rc, NZ_ECONF);
	CHECK_INT(err.code, NZ_ECONF);
	CHECK_INT(count_lines(err.msg), 3);
	HAS(err.msg, "nehzat: ");
	HAS(err.msg, "three.ini:3: [node] parent: 'http://127.0.0.1:7401' is not a URL");
	HAS(err.msg, "three.ini:5: [sync] intervall: unknown key 'intervall' in [sync]");
	HAS(err.msg, "three.ini:7: [reports] require_children_accepted: 'maybe' is not a boolean");
	/* c is not touched on failure. */
	CHECK(memcmp(&c, &before, sizeof(c)) == 0);
}

static void
test_each_error(void)
{
	REFUSED("unknown_key.ini", COUNTY "[sync]\nfoo = 1\n",
		"unknown_key.ini:5: [sync] foo: unknown key 'foo' in [sync]");
	REFUSED("case.ini", COUNTY "[sync]\nInterval = 1\n", "(did you mean 'interval'?)");
	REFUSED("unknown_section.ini", COUNTY "[syncing]\ninterval = 1\nfoo = 2\n",
		"unknown_section.ini:4: [syncing]: unknown section (known: node, sync, tls, log, reports)");
	REFUSED("bad_int.ini", COUNTY "[sync]\ninterval = 2s\n",
		"bad_int.ini:5: [sync] interval: '2s' is not an integer");
	REFUSED("empty_int.ini", COUNTY "[sync]\ninterval =\n", "'' is not an integer");
	REFUSED("low_int.ini", COUNTY "[sync]\ninterval = 0\n",
		"low_int.ini:5: [sync] interval: 0 is out of range (1..3600)");
	REFUSED("high_int.ini", COUNTY "[sync]\ntimeout = 601\n",
		"[sync] timeout: 601 is out of range (1..600)");
	REFUSED("huge_int.ini", COUNTY "[sync]\nrecv_max = 99999999999999999999\n",
		"is out of range (131072..67108864)");
	REFUSED("bad_bool.ini", COUNTY "[reports]\nrequire_children_accepted = si\n",
		"bad_bool.ini:5: [reports] require_children_accepted: 'si' is not a boolean");
	REFUSED("bad_enum.ini", COUNTY "[log]\nlevel = loud\n",
		"'loud' is not one of debug, info, warn, error");
	REFUSED("bad_url.ini", "[node]\nid = IR-07-03\nparent = 127.0.0.1:7401\n",
		"bad_url.ini:3: [node] parent: '127.0.0.1:7401' is not a URL");
	REFUSED("no_port.ini", "[node]\nid = IR-07-03\nparent = tcp://127.0.0.1\n", "has no port");
	REFUSED("bad_port.ini", "[node]\nid = IR-07-03\nparent = tcp://127.0.0.1:70000\n",
		"has a bad port '70000' (1..65535)");
	REFUSED("zero_port.ini", "[node]\nid = IR-07-03\nparent = tcp://h:0\n",
		"has a bad port '0'");
	REFUSED("no_host.ini", "[node]\nid = IR-07-03\nparent = tcp://:7401\n",
		"no_host.ini:3: [node] parent: 'tcp://:7401' has no host to dial");
	REFUSED("ipc.ini", COUNTY "listen = ipc://\n", "has no path");
	REFUSED("bad_http.ini", COUNTY "http = 8080\n", "[node] http: '8080' has no port");
	REFUSED("bad_id.ini", "[node]\nid = IR-7-3\nparent = tcp://127.0.0.1:7401\n",
		"bad_id.ini:2: [node] id: 'IR-7-3' is not an org-unit code");
	REFUSED("long_id.ini", "[node]\nid = IR-07-03-01-02-03-04\n",
		"[node] id: value is too long");
	REFUSED("no_id.ini", "[node]\nparent = tcp://127.0.0.1:7401\n",
		"no_id.ini:1: [node] id: required key is missing");
	REFUSED("empty.ini", "", "empty.ini: [node] id: required key is missing");
	REFUSED("national_parent.ini", "[node]\nid = IR\nparent = tcp://127.0.0.1:7400\n",
		"national_parent.ini:3: [node] parent: the national node (IR) must not have a parent");
	REFUSED("county_orphan.ini", "[node]\nid = IR-07-03\n",
		"county_orphan.ini:2: [node] parent: a county node (IR-07-03) needs a parent URL");
	REFUSED("province_orphan.ini", "[node]\nid = IR-07\nparent =\n",
		"province_orphan.ini:3: [node] parent: a province node (IR-07) needs a parent URL");
	REFUSED("tls_no_ca.ini",
		"[node]\nid = IR-07-03\nparent = tls+tcp://ostan-07:7401\n[tls]\ncert = a.crt\nkey = a.key\n",
		"tls_no_ca.ini:3: [node] parent: tls+tcp:// needs [tls] ca, cert and key; missing: ca");
	REFUSED("tls_listen.ini",
		"[node]\nid = IR-07\nparent = tcp://h:1\nlisten = tls+tcp://0.0.0.0:7401\n",
		"[node] listen: tls+tcp:// needs [tls] ca, cert and key; missing: ca, cert, key");
	REFUSED("https_half.ini", COUNTY "http_tls_cert = ui.crt\n",
		"https_half.ini:4: [node] http_tls_cert: HTTPS needs both http_tls_cert and http_tls_key");
	REFUSED("http_per_client.ini", COUNTY "http_per_client = 0\n", "[node] http_per_client:");
	REFUSED("backoff.ini", COUNTY "[sync]\nbackoff_min = 30\nbackoff_max = 10\n",
		"backoff.ini:6: [sync] backoff_max: backoff_max (10) is below backoff_min (30)");
	REFUSED("recv.ini", COUNTY "[sync]\nbatch_bytes = 2097152\n",
		"recv.ini:5: [sync] recv_max: recv_max (4194304) must be at least 4 * batch_bytes (8388608)");
	REFUSED("dup.ini", COUNTY "[sync]\ninterval = 5\n\n[sync]\ninterval = 6\n",
		"dup.ini:8: [sync] interval: duplicate key (first set on line 5)");
	REFUSED("outside.ini", "id = IR\n[node]\nid = IR\n",
		"outside.ini:1: id: key is outside any section");
	REFUSED("syntax.ini", COUNTY "listen tcp 0.0.0.0 7401\n",
		"syntax.ini:4: [node]: expected 'key = value', '[section]' or a comment");
	REFUSED("bracket.ini", COUNTY "[sync\n", "bracket.ini:4: '[' without a closing ']'");
	REFUSED("control.ini", COUNTY "name = a\tb\n",
		"[node] name: value contains a control character");
}

static void
test_long_line(void)
{
	char text[1024];
	struct nz_err err;
	struct conf c;
	int rc;

	/* Over-long lines are refused, not cut in two with the rest read as a line. */
	snprintf(text, sizeof(text), COUNTY "[tls]\nca = /%0400d\nkey = %0300d\n[log]\nlevel = warn\n", 0, 0);
	rc = load("long.ini", text, &c, &err);
	CHECK_INT(rc, NZ_ECONF);
	CHECK_INT(count_lines(err.msg), 2);
	HAS(err.msg, "long.ini:5: line is too long (406 characters; at most 199)");
	HAS(err.msg, "long.ini:6: line is too long");
}

static void
test_many_errors(void)
{
	char text[8192];
	struct nz_err err;
	struct conf c;
	size_t n = 0;
	int i, rc;

	n += (size_t)snprintf(text + n, sizeof(text) - n, COUNTY "[sync]\n");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "bogus%d = %d\n", i, i);
	rc = load("many.ini", text, &c, &err);
	CHECK_INT(rc, NZ_ECONF);
	CHECK(strlen(err.msg) < NZ_ERRMSG_MAX);
	HAS(err.msg, "many.ini:5: [sync] bogus0: unknown key");
	HAS(err.msg, " more errors");
	CHECK(strncmp(strrchr(err.msg, '\n'), "\n... and ", 9) == 0);
	CHECK(strstr(err.msg, "bogus99") == NULL);
}

static void
test_untouched(void)
{
	char path[512];
	struct nz_err err;
	struct conf c;
	int rc;

	err.code = 42;
	snprintf(err.msg, sizeof(err.msg), "before");
	rc = conf_load(&c, put("ok.ini", COUNTY), &err);
	CHECK_INT(rc, 0);
	CHECK_INT(err.code, 42);
	CHECK_STR(err.msg, "before");

	snprintf(path, sizeof(path), "%s/missing.ini", dir);
	rc = conf_load(&c, path, &err);
	CHECK_INT(rc, NZ_ENOTFOUND);
	HAS(err.msg, "missing.ini");
	rc = conf_load(&c, dir, &err);
	CHECK_INT(rc, NZ_EIO);
}

static void
test_write_default(void)
{
	char path[640], sub[512];
	struct nz_err err;
	struct conf c, d;
	int rc;

	snprintf(path, sizeof(path), "%s/new-county.ini", dir);
	nz_err_clear(&err);
	rc = conf_write_default(path, "IR-07-03", "tcp://127.0.0.1:7401", NULL, "127.0.0.1:8082", &err);
	CHECK_INT(rc, 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	rc = conf_load(&c, path, &err);
	CHECK_INT(rc, 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	conf_defaults(&d);
	snprintf(d.id, sizeof(d.id), "IR-07-03");
	snprintf(d.parent, sizeof(d.parent), "tcp://127.0.0.1:7401");
	snprintf(d.http, sizeof(d.http), "127.0.0.1:8082");
	CHECK_STR(c.id, "IR-07-03");
	CHECK_STR(c.parent, "tcp://127.0.0.1:7401");
	CHECK_STR(c.listen, "");
	CHECK_STR(c.http, "127.0.0.1:8082");
	/* Every other key is at its default. */
	CHECK(memcmp(&c, &d, sizeof(c)) == 0);

	snprintf(path, sizeof(path), "%s/new-national.ini", dir);
	rc = conf_write_default(path, "IR", "", "tcp://0.0.0.0:7400", NULL, &err);
	CHECK_INT(rc, 0);
	rc = conf_load(&c, path, &err);
	CHECK_INT(rc, 0);
	CHECK_STR(c.id, "IR");
	CHECK_STR(c.parent, "");
	CHECK_STR(c.listen, "tcp://0.0.0.0:7400");
	CHECK_STR(c.http, "127.0.0.1:8080");

	/* What would not load is not written. */
	snprintf(path, sizeof(path), "%s/new-bad.ini", dir);
	rc = conf_write_default(path, "IR-7", "tcp://127.0.0.1:7401", NULL, NULL, &err);
	CHECK_INT(rc, NZ_ECONF);
	HAS(err.msg, "new-bad.ini: [node] id: 'IR-7' is not an org-unit code");
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);
	rc = conf_write_default(path, "IR-07-03", "tcp://h:1 ;x", NULL, NULL, &err);
	CHECK_INT(rc, NZ_EINVAL);
	rc = conf_write_default(path, "IR-07-03", "tcp://h:1\n[x]", NULL, NULL, &err);
	CHECK_INT(rc, NZ_EINVAL);
	CHECK(access(path, F_OK) < 0 && errno == ENOENT);

	/* An existing file is refused and left as it was, with no temporary file behind. */
	snprintf(sub, sizeof(sub), "%s/exists", dir);
	CHECK_INT(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/nehzat.conf", sub);
	put("exists/nehzat.conf", "keep me\n");
	rc = conf_write_default(path, "IR-07-03", "tcp://127.0.0.1:7401", NULL, NULL, &err);
	CHECK_INT(rc, NZ_EEXIST);
	CHECK_INT(err.code, NZ_EEXIST);
	HAS(err.msg, "already exists");
	CHECK(same_file(path, "keep me\n"));
	CHECK_INT(count_entries(sub), 1);
}

static void
test_help(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	conf_help(m);
	fclose(m);
	HAS(text, "node.id");
	HAS(text, "(required)");
	HAS(text, "sync.interval");
	HAS(text, "int 1..3600");
	HAS(text, "log.level");
	HAS(text, "enum debug|info|warn|error");
	HAS(text, "reports.require_children_accepted");
	HAS(text, "sync.compress");
	CHECK_INT(count_lines(text), 27 + 1); /* 27 keys, and the final '\n' */
	free(text);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "%s", t_tmpdir());
	test_defaults();
	test_examples();
	test_full_file();
	test_three_errors();
	test_each_error();
	test_long_line();
	test_many_errors();
	test_untouched();
	test_write_default();
	test_help();
	TEST_DONE();
}
