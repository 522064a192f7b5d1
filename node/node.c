/* A node's data directory opened: its configuration, its database and its key (node/node.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "domain/aggregate.h"
#include "domain/domain.h"
#include "node/node.h"
#include "store/backup.h"

void
node_path(const struct node *n, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", n->dir, name);
}

int
node_key_read(const char *path, unsigned char sk[64], struct nz_err *err)
{
	char hex[160];
	FILE *f;
	size_t len;

	if ((f = fopen(path, "r")) == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "cannot read the node key '%s'", path);
	len = fread(hex, 1, sizeof(hex) - 1, f);
	fclose(f);
	hex[len] = '\0';
	while (len > 0 && (hex[len - 1] == '\n' || hex[len - 1] == ' '))
		hex[--len] = '\0';
	if (sodium_hex2bin(sk, 64, hex, len, NULL, &len, NULL) != 0 || len != 64) {
		sodium_memzero(hex, sizeof(hex));
		return nz_fail(err, NZ_EINVAL, "node key '%s' is not 128 hex digits", path);
	}
	sodium_memzero(hex, sizeof(hex));
	return 0;
}

int
node_key_write(const char *path, const unsigned char sk[64], struct nz_err *err)
{
	char hex[129];
	int fd;
	ssize_t w;

	sodium_bin2hex(hex, sizeof(hex), sk, 64);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		sodium_memzero(hex, sizeof(hex));
		return nz_fail(err, errno == EEXIST ? NZ_EEXIST : NZ_EIO, "cannot create '%s': %s", path,
			       strerror(errno));
	}
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
read_key(struct node *n, struct nz_err *err)
{
	char path[PATH_MAX + 16];
	int rc;

	node_path(n, "node.key", path, sizeof(path));
	if ((rc = node_key_read(path, n->sk, err)) != 0)
		return rc;
	crypto_sign_ed25519_sk_to_pk(n->pk, n->sk);
	return 0;
}

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

/*
 * take_owner gives a node made by root the owner of the directory it was
 * made in: `sudo nehzat init --join CODE` under /var/lib/nehzat (owned by the
 * package's nehzat user) leaves a node the service, run as nehzat, can open.
 */
static int
take_owner(const char *dir, bool made, struct nz_err *err)
{
	static const char *const files[] = {"",          "/nehzat.conf", "/nehzat.db",   "/nehzat.db-wal",
					    "/nehzat.db-shm", "/node.key", "/nehzat.lock", NULL};
	char up[PATH_MAX], path[PATH_MAX + 16];
	struct stat sb;
	int i;

	if (geteuid() != 0)
		return 0;
	snprintf(up, sizeof(up), "%s/..", dir);
	if (stat(up, &sb) != 0 || sb.st_uid == 0)
		return 0;
	for (i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s%s", dir, files[i]);
		if (lchown(path, sb.st_uid, sb.st_gid) != 0 && errno != ENOENT) {
			int e = errno;
			if (made)
				node_remove(dir);
			return nz_fail(err, NZ_EIO, "cannot give '%s' to the owner of its directory: %s", path,
				       strerror(e));
		}
	}
	return 0;
}

int
node_create(const char *dir, const char *id, const char *parent, const char *listen, const char *http,
	    const char *name, const char *const tls[3], struct nz_err *err)
{
	char conf[PATH_MAX + 16], db[PATH_MAX + 16], key[PATH_MAX + 16];
	unsigned char pk[32], sk[64];
	struct store *st = NULL;
	struct stat sb;
	int rc;

	if (sodium_init() < 0)
		return nz_fail(err, NZ_EIO, "libsodium failed to initialise");
	snprintf(conf, sizeof(conf), "%s/nehzat.conf", dir);
	snprintf(db, sizeof(db), "%s/nehzat.db", dir);
	snprintf(key, sizeof(key), "%s/node.key", dir);
	if (stat(conf, &sb) == 0 || stat(db, &sb) == 0)
		return nz_fail(err, NZ_EEXIST, "'%s' already holds a node; refusing to overwrite it", dir);
	if (mkdir_p(dir) != 0)
		return nz_fail(err, NZ_EIO, "cannot create '%s': %s", dir, strerror(errno));
	/* The key and the database first; a config file present means a node is complete. */
	unlink(key);
	crypto_sign_keypair(pk, sk);
	rc = node_key_write(key, sk, err);
	sodium_memzero(sk, sizeof(sk));
	if (rc != 0)
		return rc;
	if ((rc = store_open(&st, db, domain_tables(), true, err)) != 0 ||
	    (rc = store_init_node(st, id, err)) != 0) {
		store_close(st);
		node_remove(dir);
		return rc;
	}
	store_close(st);
	if ((rc = conf_write_new(conf, id, parent, listen, http, name, tls, err)) != 0) {
		node_remove(dir);
		return rc;
	}
	return take_owner(dir, true, err);
}

int
node_lock(const char *dir, int *fd, struct nz_err *err)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/nehzat.lock", dir);
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return nz_fail(err, NZ_EIO, "cannot open '%s': %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		close(*fd);
		*fd = -1;
		return nz_fail(err, NZ_EBUSY, "a node is serving '%s' (stop it first: systemctl stop nehzat@ID)", dir);
	}
	return 0;
}

int
node_restore(const char *dir, const char *file, struct store_backup_report *rep, struct nz_err *err)
{
	static const char *const stale[] = {"nehzat.db-wal", "nehzat.db-shm", NULL};
	char path[PATH_MAX + 32], db[PATH_MAX + 16], tmp[PATH_MAX + 32];
	struct conf *c;
	int rc, lock = -1, i;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/nehzat.conf", dir);
	snprintf(db, sizeof(db), "%s/nehzat.db", dir);
	snprintf(tmp, sizeof(tmp), "%s/nehzat.db.restored", dir);
	if ((rc = conf_load(c, path, err)) != 0 || (rc = node_lock(dir, &lock, err)) != 0 ||
	    (rc = store_copy_file(file, c->id, tmp, rep, err)) != 0)
		goto out;
	/* The old database's log and index go with it, then the copy takes its name. */
	for (i = 0; stale[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, stale[i]);
		if (unlink(path) != 0 && errno != ENOENT) {
			rc = nz_fail(err, NZ_EIO, "cannot remove '%s': %s", path, strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, db) != 0) {
		rc = nz_fail(err, NZ_EIO, "cannot rename '%s' to '%s': %s", tmp, db, strerror(errno));
		goto out;
	}
	rc = take_owner(dir, false, err);
out:
	unlink(tmp);
	if (lock >= 0)
		close(lock);
	free(c);
	return rc;
}

void
node_remove(const char *dir)
{
	static const char *const files[] = {"nehzat.conf", "nehzat.db",     "nehzat.db-wal", "nehzat.db-shm",
					    "node.key",    "node.key.next", "nehzat.lock",   NULL};
	char path[PATH_MAX + 16];
	int i;

	for (i = 0; files[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir); /* only when nothing else is in it */
}

/*
 * private_file refuses a file others may read or write (the key, password
 * hashes in the database) in a data directory they may enter: a node does
 * not start so, and says how to fix it.  Behind a directory of mode 0700
 * (what init makes) a file is private whatever its own mode, so nodes made
 * by earlier releases start as before.  Absent files are for the caller.
 */
static int
private_file(const struct node *n, const char *path, const char *what, struct nz_err *err)
{
	struct stat sb, db;

	if (stat(path, &sb) != 0 || (sb.st_mode & 066) == 0)
		return 0;
	if (stat(n->dir, &db) == 0 && (db.st_mode & 011) == 0)
		return 0;
	return nz_fail(err, NZ_EDENIED, "%s '%s' can be read by other users (mode %04o): run 'chmod 600 %s'", what,
		       path, (unsigned)(sb.st_mode & 07777), path);
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
	node_path(n, "node.key", path, sizeof(path));
	if ((rc = private_file(n, path, "node key", err)) != 0)
		return rc;
	if ((rc = read_key(n, err)) != 0)
		return rc;
	node_path(n, "nehzat.db-wal", path, sizeof(path));
	if ((rc = private_file(n, path, "database log", err)) != 0)
		return rc;
	node_path(n, "nehzat.db", path, sizeof(path));
	if ((rc = private_file(n, path, "database", err)) != 0)
		return rc;
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
	struct nz_err err = {0};

	/* A serving process's held problem counts (agg_defer) go in before the database closes. */
	if (n->st != NULL && agg_defer(n->st, false, NULL, &err) != 0)
		nz_log(NZ_LOG_WARN, "dash.flush", "error=\"%s\" recount=next_start", err.msg);
	store_close(n->st);
	n->st = NULL;
	sodium_memzero(n->sk, sizeof(n->sk));
}
