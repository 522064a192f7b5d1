/* Commands about the node itself: init, key, digest. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "base/unit.h"
#include "domain/domain.h"
#include "node/node.h"

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

static int
init_exec(const struct cmd_opts *o, int argc, char **argv)
{
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

	if ((rc = cli_parse("init", argc, argv, 1, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (o->dir == NULL)
		return cmd_usage("init: no data directory: give -D DIR or set NEHZAT_DIR");
	if (id == NULL)
		return cmd_usage("init: --id CODE is required (IR, IR-PP or IR-PP-CC)");
	if ((rc = cli_check_unit("init", id)) != 0)
		return rc;
	if (sodium_init() < 0)
		return cmd_usage("init: libsodium failed to initialise");
	snprintf(conf, sizeof(conf), "%s/nehzat.conf", o->dir);
	snprintf(db, sizeof(db), "%s/nehzat.db", o->dir);
	snprintf(key, sizeof(key), "%s/node.key", o->dir);
	if (stat(conf, &sb) == 0 || stat(db, &sb) == 0) {
		nz_fail(&err, NZ_EEXIST, "'%s' already holds a node; refusing to overwrite it", o->dir);
		return cmd_fail(&err);
	}
	if (mkdir_p(o->dir) != 0) {
		nz_fail(&err, NZ_EIO, "cannot create '%s': %s", o->dir, strerror(errno));
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
	printf("initialised %s node %s in %s\n", unit_level_name(unit_level(id)), id, o->dir);
	return 0;
}

const struct cmd_def cmd_init = {
	.name = "init",
	.summary = "create a node's data directory",
	.synopsis = "-D DIR --id CODE [--parent URL] [--listen URL] [--http HOST:PORT]",
	.about = "Creates DIR/nehzat.conf (every key commented), DIR/nehzat.db and DIR/node.key.\n"
		 "CODE is IR (national), IR-PP (province) or IR-PP-CC (county).\n",
	.run = init_exec,
};

/* ---- key, peer ---- */

static int
key_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	char hex[65];
	int rc;

	if (argc > 1)
		return cmd_usage("key: unexpected argument '%s'", argv[1]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	sodium_bin2hex(hex, sizeof(hex), n.pk, sizeof(n.pk));
	printf("%s\n", hex);
	node_close(&n);
	return 0;
}

const struct cmd_def cmd_key = {
	.name = "key",
	.summary = "print this node's public key",
	.synopsis = "-D DIR",
	.about = "Prints this node's Ed25519 public key (hex), which its parent\n"
		 "and children register with 'nehzat peer add'.\n",
	.run = key_exec,
};

/* ---- digest ---- */

static int
digest_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *subtree = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--subtree", &subtree), CLI_END};
	char hex[65];
	int npos, rc;

	if ((rc = cli_parse("digest", argc, argv, 1, opts, NULL, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("digest", subtree)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = store_digest(n.st, subtree, hex, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	printf("%s\n", hex);
	return 0;
}

const struct cmd_def cmd_digest = {
	.name = "digest",
	.summary = "order-independent digest of the records of a subtree",
	.synopsis = "-D DIR [--subtree CODE]",
	.about = "One line of hex: an order-independent digest of the current values of every\n"
		 "replicated record owned inside CODE (the whole node when omitted).\n",
	.run = digest_exec,
};
