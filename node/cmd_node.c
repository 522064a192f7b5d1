/* Commands about the node itself: init, key, digest. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "domain/record.h"
#include "base/unit.h"
#include "domain/domain.h"
#include "domain/health.h"
#include "node/node.h"

/* ---- init ---- */

static int
init_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	const char *id = NULL, *parent = NULL, *listen = NULL, *http = NULL, *join = NULL, *name = NULL;
	const char *tls[3] = {NULL, NULL, NULL};
	const struct cli_opt opts[] = {CLI_VAL("--id", &id),
				       CLI_VAL("--parent", &parent),
				       CLI_VAL("--listen", &listen),
				       CLI_VAL("--http", &http),
				       CLI_VAL("--join", &join),
				       CLI_VAL("--name", &name),
				       CLI_VAL("--tls-ca", &tls[0]),
				       CLI_VAL("--tls-cert", &tls[1]),
				       CLI_VAL("--tls-key", &tls[2]),
				       CLI_END};
	int npos, rc;

	if ((rc = cli_parse("init", argc, argv, 1, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (join != NULL) {
		if (id != NULL || parent != NULL)
			return cmd_usage("init: --join takes the id and the parent from the code; drop --id and --parent");
		return node_join(o->dir, join, listen, http, name, tls);
	}
	if (o->dir == NULL)
		return cmd_usage("init: no data directory: give -D DIR or set NEHZAT_DIR");
	if (id == NULL)
		return cmd_usage("init: --id CODE is required (IR, IR-PP or IR-PP-CC), or --join CODE");
	if ((rc = cli_check_unit("init", id)) != 0)
		return rc;
	if (node_create(o->dir, id, parent, listen, http, name, tls, &err) != 0)
		return cmd_fail(&err);
	printf("initialised %s node %s in %s\n", unit_level_name(unit_level(id)), id, o->dir);
	return 0;
}

const struct cmd_def cmd_init = {
	.name = "init",
	.summary = "create a node's data directory",
	.synopsis = "-D DIR (--id CODE [--parent URL] | --join CODE) [--listen URL] [--http HOST:PORT]\n"
		    "[--name NAME] [--tls-ca PEM --tls-cert PEM --tls-key PEM]",
	.about = "Creates DIR/nehzat.conf (every key commented), DIR/nehzat.db and DIR/node.key.\n"
		 "CODE is IR (national), IR-PP (province) or IR-PP-CC (county).  --name sets [node]\n"
		 "name, the secretariat's name as people say it (on decrees and pages).\n"
		 "--join takes instead the one-time code that 'nehzat peer invite' printed at the\n"
		 "parent: the node's id and its parent's address come from the code, the parent's key\n"
		 "is pinned by the code's fingerprint, and this node's key is registered with the\n"
		 "parent, which must be running.  DIR defaults to /var/lib/nehzat/ID.  A code that is\n"
		 "refused (mistyped, forged, used, expired) leaves nothing behind.\n"
		 "--tls-ca, --tls-cert and --tls-key fill [tls] (needed by a tls+tcp:// parent or\n"
		 "listener); --join then enrols over TLS with them.\n",
	.run = init_exec,
};

/* ---- key, peer ---- */

/*
 * key_rotate makes a new key for the node, written beside the current one as
 * node.key.next.  A node with children announces it to them first (in
 * HELLO_OK, signed by the current key) until each has acknowledged it; then
 * it announces it to its parent at its next session (ROTATE, signed by the
 * current key) and makes it node.key when the parent has recorded it, or,
 * at national, at once (node/serve.c): nothing else changes, nothing is
 * resent.  finish stops waiting for children that did not acknowledge.
 */
static int
key_rotate(struct node *n, bool finish)
{
	struct nz_err err = {0};
	unsigned char pk[32], sk[64];
	char next[PATH_MAX + 16], hex[65];
	int64_t children;
	int rc;

	children = rec_scalar(n->st, "SELECT count(*) FROM peer WHERE role = 'child' AND revoked = 0", NULL, NULL);
	node_path(n, "node.key.next", next, sizeof(next));
	if (finish) {
		if (access(next, F_OK) != 0) {
			fprintf(stderr, "nehzat: no key rotation is under way (no '%s')\n", next);
			return 1;
		}
		if (store_meta_set_int(n->st, "key_finish", 1, &err) != 0)
			return cmd_fail(&err);
		printf("the running node stops waiting for its children and switches to the new key within"
		       " seconds;\na child that has not acknowledged it (its HELLO carried no key_ack; see the log's"
		       " key.ack lines)\nrefuses this node from then on: pin the new key there with 'nehzat peer add"
		       " --id %s --key NEW'\n(NEW: 'nehzat key' here afterwards), or enrol it again\n", n->conf.id);
		return 0;
	}
	if (children == 0 && n->conf.parent[0] == '\0') {
		fprintf(stderr, "nehzat: %s has neither a parent nor children to announce a new key to\n", n->conf.id);
		return 1;
	}
	if (access(next, F_OK) == 0) {
		fprintf(stderr, "nehzat: a new key is already waiting in '%s'; it takes effect once announced"
				" (key rotate --finish stops waiting for children)\n", next);
		return 1;
	}
	store_meta_set_int(n->st, "key_finish", 0, NULL);
	crypto_sign_keypair(pk, sk);
	rc = node_key_write(next, sk, &err);
	sodium_memzero(sk, sizeof(sk));
	if (rc != 0)
		return cmd_fail(&err);
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	if (children > 0)
		printf("new key %s written to %s; the running node announces it to its %lld children,\n"
		       "signed by the current key, and switches to it once each has acknowledged it%s\n",
		       hex, next, (long long)children,
		       n->conf.parent[0] ? " and its parent has recorded it" : "");
	else
		printf("new key %s written to %s; the node announces it to its parent, signed by the current key,\n"
		       "at its next sync (the running node within seconds; else 'nehzat sync --once'), and uses it\n"
		       "from then on\n", hex, next);
	return 0;
}

static int
key_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	bool finish = false;
	const struct cli_opt opts[] = {CLI_FLAG("--finish", &finish), CLI_END};
	char *pos[1] = {NULL};
	char hex[65];
	int npos, rc;

	if ((rc = cli_parse("key", argc, argv, 1, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos == 1 && strcmp(pos[0], "rotate") != 0)
		return cmd_usage("key: unexpected argument '%s' (rotate)", pos[0]);
	if (finish && npos == 0)
		return cmd_usage("key: --finish goes with rotate");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (npos == 1) {
		rc = key_rotate(&n, finish);
	} else {
		sodium_bin2hex(hex, sizeof(hex), n.pk, sizeof(n.pk));
		printf("%s\n", hex);
	}
	node_close(&n);
	return rc;
}

const struct cmd_def cmd_key = {
	.name = "key",
	.summary = "print this node's public key; rotate it",
	.synopsis = "-D DIR [rotate [--finish]]",
	.about = "Prints this node's Ed25519 public key (hex), which its parent\n"
		 "and children register with 'nehzat peer add'.\n"
		 "rotate makes a new key (DIR/node.key.next), announced to the parent at the next sync,\n"
		 "signed by the current key; once the parent has recorded it, it replaces node.key.\n"
		 "No data is sent again.  A node with children announces the new key to them first\n"
		 "(signed by the current key) and switches once every registered child has\n"
		 "acknowledged it; --finish stops waiting (a child that had not acknowledged must then\n"
		 "be given the new key by hand, or enrolled again).\n",
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
