/*
 * nehzat: the program.  Argument parsing and wiring only; the rules live in
 * src/domain, the replication in src/repl.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base/log.h"
#include "base/unit.h"
#include "domain/aggregate.h"
#include "domain/domain.h"
#include "node/node.h"
#include "node/version.h"
#include "proto/wire.h"
#include "store/hlc.h"

static const struct command {
	const char *name;
	cmd_fn fn;
	const char *help;
} commands[] = {
	{"init", cmd_init, "create a node's data directory"},
	{"serve", cmd_serve, "run the node: sync with parent and children, serve HTTP"},
	{"sync", cmd_sync, "one full exchange with the parent (--once)"},
	{"status", cmd_status, "node id, level, change log, clock, peers, record counts"},
	{"digest", cmd_digest, "order-independent digest of the records of a subtree"},
	{"key", cmd_key, "print this node's public key"},
	{"peer", cmd_peer, "trust a parent's or child's public key (peer add/list)"},
	{"orgunit", cmd_orgunit, "org-unit tree: import FILE.csv, list"},
	{"issue", cmd_issue, "problems of the issue register: add, list, show, set, close"},
	{"session", cmd_session, "deliberation sessions and stakeholders' scores: add, score, list, show"},
	{"solution", cmd_solution, "proposed solutions: add, submit, revise, close, list, show"},
	{"council", cmd_council, "social council decisions on solutions: decide, list"},
	{"intervention", cmd_intervention, "community-based interventions and their stages: add, stage, list"},
	{"evaluation", cmd_evaluation, "evaluations of implemented or proposed plans: add, list"},
	{"org", cmd_org, "effective organisations and their introductions: add, introduce, list"},
	{"facilitator", cmd_facilitator, "facilitators designated nationally (تسهیلگر): add, retire, list"},
	{"register", cmd_register, "issue register: summary, seed-standards, category, criterion"},
	{"quarantine", cmd_quarantine, "changes refused from peers: list"},
	{"template", cmd_template, "report templates (national): add, revise, retire, list, show"},
	{"report", cmd_report, "monitoring reports: draft, set, submit, revise, list, show"},
	{"completeness", cmd_completeness, "reports expected, received, on time, per period and unit"},
	{"approve", cmd_approve, "accept or return a child's report; approve a child's period"},
	{"indicator", cmd_indicator, "allocation indicators and weights (national): set, remove, list"},
	{"allocate", cmd_allocate, "share a budget among provinces or counties by the indicators"},
	{"standard", cmd_standard, "selection standards (national): add, list, show"},
	{"call", cmd_call, "calls for helper groups: add, edit, open, close, finish-review, complete, list, show"},
	{"applicant", cmd_applicant, "applicant groups and their resumes: add, list, show, withdraw, doc"},
	{"review", cmd_review, "reviewers' weighted scores of applicants: score, list"},
	{"interview", cmd_interview, "interviews of applicants: schedule, score, noshow, list"},
	{"rank", cmd_rank, "ranked list and qualification of a call's applicants (--json, --csv)"},
	{"appoint", cmd_appoint, "appoint qualified groups within the quota: add, revoke, list, summary"},
	{"decree", cmd_decree, "appointment decrees: list, show, print --html"},
	{"course", cmd_course, "facilitator orientation course: add, session, attend, list, status, pending"},
	{"check", cmd_check, "invariant report: quota overruns, doubled decree numbers (exit 1 if any)"},
	{"user", cmd_user, "users of the web UI and API: add, passwd, enable, disable, list"},
	{"backup", cmd_backup, "a consistent, checked copy of the database while the node serves"},
	{NULL, NULL, NULL},
};

static void
usage(FILE *out)
{
	int i;

	fprintf(out, "usage: nehzat COMMAND [-D DIR] [options]\n\n"
		     "Every command takes -D DIR (or NEHZAT_DIR) naming the node's data directory,\n"
		     "and --help.\n\ncommands:\n");
	for (i = 0; commands[i].name != NULL; i++)
		fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].help);
}

int
cmd_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("nehzat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

int
cmd_fail(const struct nz_err *err)
{
	/* Config errors come as several lines already prefixed. */
	if (strncmp(err->msg, "nehzat: ", 8) == 0)
		fprintf(stderr, "%s\n", err->msg);
	else
		fprintf(stderr, "nehzat: %s\n", err->msg[0] ? err->msg : nz_strerror(err->code));
	return 1;
}

int
cmd_common(int argc, char **argv, struct cmd_opts *o)
{
	int i, n = 0;

	o->dir = getenv("NEHZAT_DIR");
	o->json = false;
	o->help = false;
	for (i = 0; i < argc; i++) {
		if ((strcmp(argv[i], "-D") == 0 || strcmp(argv[i], "--data-dir") == 0) && i + 1 < argc)
			o->dir = argv[++i];
		else if (strncmp(argv[i], "-D", 2) == 0 && argv[i][2] != '\0')
			o->dir = argv[i] + 2;
		else if (strcmp(argv[i], "--json") == 0)
			o->json = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			o->help = true;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

void
node_path(const struct node *n, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", n->dir, name);
}

static int
read_key(struct node *n, struct nz_err *err)
{
	char path[PATH_MAX + 16], hex[160];
	FILE *f;
	size_t len;

	node_path(n, "node.key", path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "cannot read the node key '%s'", path);
	len = fread(hex, 1, sizeof(hex) - 1, f);
	fclose(f);
	hex[len] = '\0';
	while (len > 0 && (hex[len - 1] == '\n' || hex[len - 1] == ' '))
		hex[--len] = '\0';
	if (sodium_hex2bin(n->sk, sizeof(n->sk), hex, len, NULL, &len, NULL) != 0 || len != 64)
		return nz_fail(err, NZ_EINVAL, "node key '%s' is not 128 hex digits", path);
	crypto_sign_ed25519_sk_to_pk(n->pk, n->sk);
	return 0;
}

int
node_open(struct node *n, const char *dir, struct nz_err *err)
{
	char path[PATH_MAX + 16];
	const char *user;
	int rc;

	memset(n, 0, sizeof(*n));
	if (sodium_init() < 0)
		return nz_fail(err, NZ_EIO, "libsodium failed to initialise");
	snprintf(n->dir, sizeof(n->dir), "%s", dir);
	node_path(n, "nehzat.conf", path, sizeof(path));
	if (access(path, F_OK) != 0)
		return nz_fail(err, NZ_ENOTFOUND, "'%s' is not a node: no nehzat.conf (run 'nehzat init')",
			       dir);
	if ((rc = conf_load(&n->conf, path, err)) != 0)
		return rc;
	nz_log_set_level((enum nz_log_level)n->conf.log_level);
	if ((rc = read_key(n, err)) != 0)
		return rc;
	node_path(n, "nehzat.db", path, sizeof(path));
	if ((rc = store_open(&n->st, path, domain_tables(), false, err)) != 0)
		return rc;
	if (strcmp(store_node(n->st), n->conf.id) != 0) {
		rc = nz_fail(err, NZ_ECONF, "nehzat.conf says id %s but the database belongs to %s",
			     n->conf.id, store_node(n->st));
		node_close(n);
		return rc;
	}
	/* Every node keeps the aggregates the dashboard, allocation and completeness read. */
	if ((rc = agg_init(n->st, err)) != 0) {
		node_close(n);
		return rc;
	}
	user = getenv("NEHZAT_USER");
	if (user == NULL || user[0] == '\0')
		user = getenv("USER");
	snprintf(n->author, sizeof(n->author), "%s", user && user[0] ? user : "admin");
	return 0;
}

void
node_close(struct node *n)
{
	store_close(n->st);
	n->st = NULL;
	sodium_memzero(n->sk, sizeof(n->sk));
}

int
cmd_open(struct node *n, const struct cmd_opts *o)
{
	struct nz_err err = {0};

	if (o->dir == NULL)
		return cmd_usage("no data directory: give -D DIR or set NEHZAT_DIR");
	if (node_open(n, o->dir, &err) != 0)
		return cmd_fail(&err);
	return 0;
}

/* ---- init ---- */

static int
mkdir_p(const char *dir)
{
	char path[PATH_MAX];
	size_t i;

	snprintf(path, sizeof(path), "%s", dir);
	for (i = 1; path[i] != '\0'; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST)
			return -1;
		path[i] = '/';
	}
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

static int
write_key(const char *path, struct nz_err *err)
{
	unsigned char pk[32], sk[64];
	char hex[129];
	int fd;
	ssize_t w;

	crypto_sign_keypair(pk, sk);
	sodium_bin2hex(hex, sizeof(hex), sk, sizeof(sk));
	sodium_memzero(sk, sizeof(sk));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return nz_fail(err, errno == EEXIST ? NZ_EEXIST : NZ_EIO, "cannot create '%s': %s", path,
			       strerror(errno));
	hex[128] = '\n';
	w = write(fd, hex, 129);
	sodium_memzero(hex, sizeof(hex));
	if (w != 129 || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return nz_fail(err, NZ_EIO, "cannot write '%s'", path);
	}
	close(fd);
	return 0;
}

int
cmd_init(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	const char *id = NULL, *parent = NULL, *listen = NULL, *http = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--id", &id),
				       CLI_VAL("--parent", &parent),
				       CLI_VAL("--listen", &listen),
				       CLI_VAL("--http", &http),
				       CLI_END};
	char conf[PATH_MAX + 16], db[PATH_MAX + 16], key[PATH_MAX + 16];
	struct store *st = NULL;
	struct stat sb;
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help) {
		printf("usage: nehzat init -D DIR --id CODE [--parent URL] [--listen URL] [--http HOST:PORT]\n"
		       "Creates DIR/nehzat.conf (every key commented), DIR/nehzat.db and DIR/node.key.\n"
		       "CODE is IR (national), IR-PP (province) or IR-PP-CC (county).\n");
		return 0;
	}
	if ((rc = cli_parse("init", argc, argv, 1, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (o.dir == NULL)
		return cmd_usage("init: no data directory: give -D DIR or set NEHZAT_DIR");
	if (id == NULL)
		return cmd_usage("init: --id CODE is required (IR, IR-PP or IR-PP-CC)");
	if ((rc = cli_check_unit("init", id)) != 0)
		return rc;
	if (sodium_init() < 0)
		return cmd_usage("init: libsodium failed to initialise");
	snprintf(conf, sizeof(conf), "%s/nehzat.conf", o.dir);
	snprintf(db, sizeof(db), "%s/nehzat.db", o.dir);
	snprintf(key, sizeof(key), "%s/node.key", o.dir);
	if (stat(conf, &sb) == 0 || stat(db, &sb) == 0) {
		nz_fail(&err, NZ_EEXIST, "'%s' already holds a node; refusing to overwrite it", o.dir);
		return cmd_fail(&err);
	}
	if (mkdir_p(o.dir) != 0) {
		nz_fail(&err, NZ_EIO, "cannot create '%s': %s", o.dir, strerror(errno));
		return cmd_fail(&err);
	}
	/* The config is checked before anything is written; the key and the
	 * database come next; a config file present means a node is complete. */
	unlink(key);
	if ((rc = write_key(key, &err)) != 0)
		return cmd_fail(&err);
	if ((rc = store_open(&st, db, domain_tables(), true, &err)) != 0 ||
	    (rc = store_init_node(st, id, &err)) != 0) {
		store_close(st);
		unlink(db);
		unlink(key);
		return cmd_fail(&err);
	}
	store_close(st);
	if ((rc = conf_write_default(conf, id, parent, listen, http, &err)) != 0) {
		char wal[PATH_MAX + 32];
		unlink(db);
		snprintf(wal, sizeof(wal), "%s-wal", db);
		unlink(wal);
		snprintf(wal, sizeof(wal), "%s-shm", db);
		unlink(wal);
		unlink(key);
		return cmd_fail(&err);
	}
	printf("initialised %s node %s in %s\n", unit_level_name(unit_level(id)), id, o.dir);
	return 0;
}

/* ---- key, peer ---- */

int
cmd_key(int argc, char **argv)
{
	struct cmd_opts o;
	struct node n;
	char hex[65];
	int rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help) {
		printf("usage: nehzat key -D DIR\nPrints this node's Ed25519 public key (hex), which its parent\n"
		       "and children register with 'nehzat peer add'.\n");
		return 0;
	}
	if (argc > 1)
		return cmd_usage("key: unexpected argument '%s'", argv[1]);
	if ((rc = cmd_open(&n, &o)) != 0)
		return rc;
	sodium_bin2hex(hex, sizeof(hex), n.pk, sizeof(n.pk));
	printf("%s\n", hex);
	node_close(&n);
	return 0;
}

/* ---- digest ---- */

int
cmd_digest(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	const char *subtree = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--subtree", &subtree), CLI_END};
	char hex[65];
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help) {
		printf("usage: nehzat digest -D DIR [--subtree CODE]\n"
		       "One line of hex: an order-independent digest of the current values of every\n"
		       "replicated record owned inside CODE (the whole node when omitted).\n");
		return 0;
	}
	if ((rc = cli_parse("digest", argc, argv, 1, opts, NULL, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("digest", subtree)) != 0)
		return rc;
	if ((rc = cmd_open(&n, &o)) != 0)
		return rc;
	rc = store_digest(n.st, subtree, hex, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	printf("%s\n", hex);
	return 0;
}

int
main(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("nehzat %s (sync protocol version %d, database schema version %d)\n", NZ_VERSION,
		       NZ_PROTO_VERSION, store_schema_version());
		return 0;
	}
	for (i = 0; commands[i].name != NULL; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "nehzat: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
