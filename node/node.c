/* A node's data directory opened: its configuration, its database and its key (node/node.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "domain/aggregate.h"
#include "domain/domain.h"
#include "node/node.h"

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
