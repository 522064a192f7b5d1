/*
 * Commands about the node's peers: peer (add, invite, revoke), the joining
 * end of an invitation (init --join), status, quarantine.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "domain/record.h"
#include "base/unit.h"
#include "domain/domain.h"
#include "domain/health.h"
#include "node/node.h"
#include "net/net.h"
#include "proto/wire.h"
#include "repl/enrol.h"
#include "repl/sync.h"
#include "store/hlc.h"

static int
peer_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	const char *id = NULL, *key = NULL, *url = "";
	const struct cli_opt opts[] = {CLI_VAL("--id", &id),
				       CLI_VAL("--key", &key),
				       CLI_VAL("--url", &url),
				       CLI_END};
	struct nz_err err = {0};
	unsigned char pk[32];
	char line[64];
	const char *role;
	size_t len;
	int npos, rc;

	if ((rc = cli_parse("peer add", argc, argv, 2, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (id == NULL || key == NULL)
		return cmd_usage("peer add: --id CODE and --key HEX are required");
	if ((rc = cli_check_unit("peer add", id)) != 0)
		return rc;
	if (sodium_hex2bin(pk, sizeof(pk), key, strlen(key), NULL, &len, NULL) != 0 || len != 32 ||
	    strlen(key) != 64)
		return cmd_usage("peer add: key must be 64 hex digits, the output of 'nehzat key'");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if ((role = enrol_role_of(n.conf.id, id)) == NULL) {
		fprintf(stderr, "nehzat: %s is neither the parent nor a child of %s\n", id, n.conf.id);
		node_close(&n);
		return 1;
	}
	rc = enrol_register_peer(n.st, id, role, url, pk, &err);
	snprintf(line, sizeof(line), "registered %s %s", role, id);
	return cli_done(&n, rc, &err, line);
}

/* ---- peer invite: the parent's end of an enrolment ---- */

static int
peer_invite_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct enrol_invitation inv;
	struct node n;
	const char *id = NULL, *url = NULL, *hours_text = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--id", &id), CLI_VAL("--url", &url), CLI_VAL("--hours", &hours_text),
				       CLI_END};
	long long hours = ENROL_TTL_DEFAULT_H;
	int npos, rc;

	if ((rc = cli_parse("peer invite", argc, argv, 2, opts, NULL, 0, &npos)) != 0 ||
	    (rc = cli_whole("peer invite", "--hours", hours_text, 1, 24 * 365, &hours)) != 0)
		return rc;
	if (id == NULL)
		return cmd_usage("peer invite: --id CODE is required (the child to enrol)");
	if ((rc = cli_check_unit("peer invite", id)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (url == NULL)
		url = n.conf.listen;
	if (!enrol_url_dialable(url)) {
		node_close(&n);
		return cmd_usage("peer invite: this node listens on '%s', which a child cannot dial: give --url, the"
				 " address the child reaches this node at (tcp://HOST:PORT)",
				 url);
	}
	if ((rc = enrol_invite_code(n.st, n.pk, id, url, hours * 3600 * 1000, &inv, &err)) != 0)
		return cli_done(&n, rc, &err, NULL);
	if (o->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "child", id, "parent", n.conf.id, "url", url,
				      "code", inv.code, "qr", inv.qr, "expires", inv.expires, "fingerprint", inv.fp);
		cli_print_json(j);
		json_decref(j);
	} else {
		printf("invitation for %s to join %s at %s, valid until %s, once:\n\n  %s\n\n"
		       "QR text: NEHZAT:%s\n"
		       "At %s: nehzat init --join CODE (as the nehzat user), then start the node.\n"
		       "%s's key fingerprint: %s\n",
		       id, n.conf.id, url, inv.expires, inv.code, inv.qr, id, n.conf.id, inv.fp);
	}
	sodium_memzero(&inv, sizeof(inv));
	node_close(&n);
	return 0;
}

/* ---- peer revoke ---- */

static int
peer_revoke_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *id = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--id", &id), CLI_END};
	char line[160];
	int npos, rc;

	if ((rc = cli_parse("peer revoke", argc, argv, 2, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (id == NULL)
		return cmd_usage("peer revoke: --id CODE is required (the child whose key to refuse)");
	if ((rc = cli_check_unit("peer revoke", id)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = enrol_revoke(n.st, id, &err);
	snprintf(line, sizeof(line),
		 "revoked %s: its key is refused from now on, on every connection (enrol it again with"
		 " 'nehzat peer invite')", id);
	return cli_done(&n, rc, &err, line);
}

/* ---- init --join: the child's end ---- */

struct exchange {
	bool done;
	int rc;
	char why[256];
	uint8_t *buf;
	size_t len;
};

static void
on_exchange(void *arg, int rc, const char *why, const uint8_t *buf, size_t len)
{
	struct exchange *x = arg;

	x->done = true;
	x->rc = rc;
	snprintf(x->why, sizeof(x->why), "%s", why ? why : "");
	if (rc == 0 && (x->buf = malloc(len ? len : 1)) != NULL) {
		memcpy(x->buf, buf, len);
		x->len = len;
	} else if (rc == 0) {
		x->rc = NZ_ENOMEM;
	}
}

static void
on_exchange_link(void *arg, enum net_link ev, int64_t idle_ms, int64_t give_up_ms)
{
	(void)arg, (void)ev, (void)idle_ms, (void)give_up_ms; /* one request: its reply or failure is all */
}

/* exchange sends req to url (over TLS with tls' files for tls+tcp://) and waits for one reply,
 * at most timeout_ms without one. */
static int
exchange(const char *url, const struct net_tls *tls, const msgpack_sbuffer *req, int timeout_ms, struct exchange *x,
	 struct nz_err *err)
{
	struct net_client *c = NULL;
	uv_loop_t loop;
	int rc;

	memset(x, 0, sizeof(*x));
	uv_loop_init(&loop);
	if ((rc = net_client_new(&c, &loop, url, 1 << 20, tls, timeout_ms, timeout_ms, on_exchange, on_exchange_link, x,
				 err)) == 0 &&
	    (rc = net_client_request(c, req->data, req->size, err)) == 0) {
		while (!x->done)
			uv_run(&loop, UV_RUN_ONCE);
		if (x->rc != 0)
			rc = nz_fail(err, x->rc, "no answer from %s: %s", url, x->why);
	}
	net_client_free(c);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	return rc;
}

/*
 * enrol sends ENROL for node n with the code's secret to its parent and, on
 * ENROL_OK from the key the code's fingerprint names, registers that key as
 * the parent's.
 */
static int
enrol(struct node *n, const struct enrol_code *c, struct nz_err *err)
{
	struct net_tls tls = {n->conf.tls_ca, n->conf.tls_cert, n->conf.tls_key, n->conf.tls_server_name};
	struct wire_enrol e;
	struct wire_msg m;
	struct exchange x;
	msgpack_sbuffer req;
	uint8_t msg[WIRE_SIGNED_MAX], fp[ENROL_FP_LEN];
	size_t len;
	int rc;

	memset(&e, 0, sizeof(e));
	snprintf(e.node_id, sizeof(e.node_id), "%s", n->conf.id);
	if (unit_parent(n->conf.id, e.parent_id) != 0)
		return nz_fail(err, NZ_EINVAL, "%s has no parent", n->conf.id);
	memcpy(e.pubkey, n->pk, WIRE_KEY_LEN);
	if ((rc = wire_enrol_signed(&e, msg, &len)) != 0)
		return nz_fail(err, rc, "cannot sign the enrolment");
	enrol_proof(c->secret, msg, len, e.proof);
	crypto_sign_detached(e.sig, NULL, msg, len, n->sk);
	msgpack_sbuffer_init(&req);
	rc = wire_enc_enrol(&req, &e);
	if (rc == 0)
		rc = exchange(c->url, &tls, &req, n->conf.sync_timeout * 1000, &x, err);
	msgpack_sbuffer_destroy(&req);
	if (rc != 0)
		return rc;
	if ((rc = wire_decode(x.buf, x.len, &m, err)) != 0) {
		free(x.buf);
		return rc;
	}
	free(x.buf);
	if (m.type == WIRE_ERROR) {
		rc = nz_fail(err, m.error.code < 0 && m.error.code > NZ_ECODES ? m.error.code : NZ_EPROTO,
			     "%s refused: %s", e.parent_id, m.error.message);
	} else if (m.type != WIRE_ENROL_OK || strcmp(m.enrol_ok.node_id, e.parent_id) != 0) {
		rc = nz_fail(err, NZ_EPROTO, "%s answered %s from %s, not ENROL_OK from %s", c->url,
			     wire_type_name(m.type), m.type == WIRE_ENROL_OK ? m.enrol_ok.node_id : "?", e.parent_id);
	} else {
		enrol_fingerprint(m.enrol_ok.pubkey, fp);
		if (sodium_memcmp(fp, c->fp, ENROL_FP_LEN) != 0)
			rc = nz_fail(err, NZ_EAUTH,
				     "the node answering at %s does not hold the key the code names: not %s, refused",
				     c->url, e.parent_id);
		else if (wire_enrol_ok_signed(&m.enrol_ok, e.node_id, e.pubkey, msg, &len) != 0 ||
			 crypto_sign_verify_detached(m.enrol_ok.sig, msg, len, m.enrol_ok.pubkey) != 0)
			rc = nz_fail(err, NZ_EAUTH, "%s's answer is not signed by its key", e.parent_id);
		else
			rc = enrol_register_peer(n->st, e.parent_id, "parent", c->url, m.enrol_ok.pubkey, err);
	}
	wire_msg_release(&m);
	return rc;
}

int
node_join(const char *dir, const char *code, const char *listen, const char *http, const char *name,
	  const char *const tls[3])
{
	struct nz_err err = {0};
	struct enrol_code c;
	struct node n;
	char path[PATH_MAX], fp[2 * ENROL_FP_LEN + 1], parent[NZ_ID_MAX];
	int rc;

	if (enrol_code_read(code, &c, &err) != 0) {
		cmd_usage("init --join: %s", err.msg);
		return 1;
	}
	if (dir == NULL) {
		snprintf(path, sizeof(path), "/var/lib/nehzat/%s", c.child);
		dir = path;
	}
	/* The node is made first and enrolled second, so that nothing the
	 * parent accepts can be lost to a local failure; a refusal removes it. */
	if ((rc = node_create(dir, c.child, c.url, listen, http, name, tls, &err)) != 0) {
		sodium_memzero(&c, sizeof(c));
		return cmd_fail(&err);
	}
	if ((rc = node_open(&n, dir, &err)) == 0) {
		rc = enrol(&n, &c, &err);
		node_close(&n);
	}
	sodium_memzero(c.secret, sizeof(c.secret));
	if (rc != 0) {
		node_remove(dir);
		return cmd_fail(&err);
	}
	sodium_bin2hex(fp, sizeof(fp), c.fp, ENROL_FP_LEN);
	unit_parent(c.child, parent);
	printf("joined: %s node %s in %s, enrolled with %s at %s (its key fingerprint %s)\n",
	       unit_level_name(unit_level(c.child)), c.child, dir, parent, c.url, fp);
	return 0;
}

/* peer_list_exec lists the parent and the children this node knows: role, address, last contact and sync,
 * whether revoked. */
static int
peer_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "role", "url", "last_contact", "last_sync", "revoked", NULL};
	struct node n;
	char when[32];
	json_t *peers, *v;
	size_t i;
	int rc, npos;

	if ((rc = cli_parse("peer list", argc, argv, 2, NULL, NULL, 0, &npos)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	peers = health_peers(n.st, n.conf.sync_interval);
	json_array_foreach(peers, i, v) {
		if (strcmp(cli_jstr(v, "role"), "parent") == 0)
			json_object_set_new(v, "url", json_string(n.conf.parent));
		enrol_time_text(json_integer_value(json_object_get(v, "last_contact")), when, sizeof(when));
		json_object_set_new(v, "last_contact", json_string(when));
		enrol_time_text(json_integer_value(json_object_get(v, "last_sync")), when, sizeof(when));
		json_object_set_new(v, "last_sync", json_string(when));
		json_object_set_new(v, "revoked", json_boolean(json_integer_value(json_object_get(v, "revoked"))));
	}
	node_close(&n);
	return cli_list(o, peers, cols);
}

static const struct cmd_sub peer_subs[] = {
	{"list", "-D DIR [--json]",
	 "The parent and the children whose keys this node holds: address, last contact, last\n"
	 "sync (Iran time), and whether the key is revoked.\n",
	 peer_list_exec},
	{"add", "-D DIR --id CODE --key HEX [--url URL]",
	 "Registers the public key (from 'nehzat key') of this node's parent or of one of\n"
	 "its children.  Sync refuses peers whose key is not registered.\n",
	 peer_add_exec},
	{"invite", "-D DIR --id CODE [--url URL] [--hours N] [--json]",
	 "Prints a one-time code (and the same as QR text) with which the child CODE joins\n"
	 "this node: 'nehzat init --join CODE' there.  It holds this node's address (--url,\n"
	 "by default [node] listen), its key's fingerprint and a secret that works once and\n"
	 "expires after N hours (72).  A new invitation for a child replaces the old one.\n",
	 peer_invite_exec},
	{"revoke", "-D DIR --id CODE",
	 "Refuses the key of child CODE from now on (a stolen computer): every request it\n"
	 "sends is refused with the reason, logged, and shown on the status page.  Enrolling\n"
	 "the child again with a new invitation lifts it.\n",
	 peer_revoke_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_peer = {
	.name = "peer",
	.summary = "a parent's and children's keys: list, add, invite (one-time code), revoke",
	.about = "The keys of this node's parent and children, with which sync authenticates.\n",
	.subs = peer_subs,
};

/* invitations lists this node's invitations (peer invite): child, expires, used ("" if not); NULL
 * when they cannot be read. */
static json_t *
invitation_row(sqlite3_stmt *q)
{
	json_t *r = json_object();
	char when[32];

	json_object_set_new(r, "child", json_string((const char *)sqlite3_column_text(q, 0)));
	enrol_time_text(sqlite3_column_int64(q, 1), when, sizeof(when));
	json_object_set_new(r, "expires", json_string(when));
	if (sqlite3_column_int64(q, 2) > 0)
		enrol_time_text(sqlite3_column_int64(q, 2), when, sizeof(when));
	else
		when[0] = '\0';
	json_object_set_new(r, "used", json_string(when));
	return r;
}

static json_t *
invitations(struct store *st)
{
	sqlite3_stmt *q;
	json_t *a;

	if (sqlite3_prepare_v2(store_db(st), "SELECT child, expires, used FROM invite ORDER BY child", -1, &q, NULL) !=
	    SQLITE_OK)
		return NULL;
	a = rec_rows(q, invitation_row);
	sqlite3_finalize(q);
	return a;
}

/*
 * The pull cursor of a child lives at the child; the parent knows how far it
 * has served it only as "sent".  Status shows what each side knows.
 */
static int
status_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	json_t *j, *peers, *counts, *v;
	const struct tbl_def *const *t;
	char hlc[64], when[32], path[PATH_MAX + 16];
	size_t i;
	int rc;

	if (argc > 1)
		return cmd_usage("status: unexpected argument '%s'", argv[1]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	hlc_format(store_hlc(n.st), hlc, sizeof(hlc));
	j = json_object();
	json_object_set_new(j, "id", json_string(n.conf.id));
	json_object_set_new(j, "level", json_string(unit_level_name(unit_level(n.conf.id))));
	json_object_set_new(j, "parent", json_string(n.conf.parent));
	json_object_set_new(j, "listen", json_string(n.conf.listen));
	json_object_set_new(j, "log_head", json_integer(store_log_head(n.st)));
	json_object_set_new(j, "hlc", json_string(hlc));
	json_object_set_new(j, "quarantine", json_integer(rec_scalar(n.st, "SELECT count(*) FROM quarantine", NULL, NULL)));
	counts = json_object();
	for (t = store_tables(n.st); *t != NULL; t++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE deleted = 0", (*t)->name);
		json_object_set_new(counts, (*t)->name, json_integer(rec_scalar(n.st, sql, NULL, NULL)));
	}
	json_object_set_new(j, "records", counts);
	peers = health_peers(n.st, n.conf.sync_interval);
	json_array_foreach(peers, i, v) {
		/* The parent's URL is in the configuration; times read better as text here. */
		if (strcmp(json_string_value(json_object_get(v, "role")), "parent") == 0)
			json_object_set_new(v, "url", json_string(n.conf.parent));
		enrol_time_text(json_integer_value(json_object_get(v, "last_contact")), when, sizeof(when));
		json_object_set_new(v, "last_contact", json_string(when));
		enrol_time_text(json_integer_value(json_object_get(v, "last_sync")), when, sizeof(when));
		json_object_set_new(v, "last_sync", json_string(when));
	}
	json_object_set_new(j, "peers", peers);
	if ((v = invitations(n.st)) == NULL) {
		fprintf(stderr, "nehzat: cannot read the invitations: %s\n", sqlite3_errmsg(store_db(n.st)));
		json_decref(j);
		node_close(&n);
		return 1;
	}
	json_object_set_new(j, "invitations", v);
	node_path(&n, "node.key.next", path, sizeof(path));
	json_object_set_new(j, "key_rotation", json_string(access(path, F_OK) == 0 ? "pending" : "none"));
	if (o->json) {
		cli_print_json(j);
	} else {
		const char *k;
		printf("node       %s (%s)\n", n.conf.id, json_string_value(json_object_get(j, "level")));
		printf("parent     %s\n", n.conf.parent[0] ? n.conf.parent : "-");
		printf("listen     %s\n", n.conf.listen[0] ? n.conf.listen : "-");
		printf("log head   %lld\n", (long long)store_log_head(n.st));
		printf("clock      %s\n", hlc);
		printf("quarantine %lld\n", (long long)json_integer_value(json_object_get(j, "quarantine")));
		json_object_foreach(counts, k, v)
			printf("records    %-12s %lld\n", k, (long long)json_integer_value(v));
		json_array_foreach(peers, i, v) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
			printf("peer       %s\n", s ? s : "");
			free(s);
		}
		json_array_foreach(json_object_get(j, "invitations"), i, v)
			printf("invitation %s until %s%s\n", cli_jstr(v, "child"), cli_jstr(v, "expires"),
			       cli_jstr(v, "used")[0] ? ", used" : "");
		if (strcmp(json_string_value(json_object_get(j, "key_rotation")), "pending") == 0)
			printf("key        a new key waits to be announced to the children and the parent (key rotate)\n");
	}
	json_decref(j);
	node_close(&n);
	return 0;
}

const struct cmd_def cmd_status = {
	.name = "status",
	.summary = "node id, level, change log, clock, peers, record counts",
	.synopsis = "-D DIR [--json]",
	.about = "Node id, level, parent, change-log head, clock, record counts, and per peer:\n"
		 "URL, last contact, acknowledged cursors, backlog each way, quarantine count.\n",
	.run = status_exec,
};

static int
quarantine_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	sqlite3_stmt *q;
	json_t *a;
	char when[32];
	int rc;

	if (argc > 2)
		return cmd_usage("quarantine list: unexpected argument '%s'", argv[2]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	a = json_array();
	if (sqlite3_prepare_v2(store_db(n.st),
			       "SELECT at, peer, reason, origin, origin_seq, tbl, rid, owner, author FROM quarantine"
			       " ORDER BY id",
			       -1, &q, NULL) == SQLITE_OK) {
		while (sqlite3_step(q) == SQLITE_ROW) {
			json_t *r = json_object();
			enrol_time_text(sqlite3_column_int64(q, 0), when, sizeof(when));
			json_object_set_new(r, "at", json_string(when));
			json_object_set_new(r, "peer", json_string((const char *)sqlite3_column_text(q, 1)));
			json_object_set_new(r, "reason", json_string((const char *)sqlite3_column_text(q, 2)));
			json_object_set_new(r, "origin", json_string((const char *)sqlite3_column_text(q, 3)));
			json_object_set_new(r, "origin_seq", json_integer(sqlite3_column_int64(q, 4)));
			json_object_set_new(r, "table", json_string((const char *)sqlite3_column_text(q, 5)));
			json_object_set_new(r, "record", json_string((const char *)sqlite3_column_text(q, 6)));
			json_object_set_new(r, "owner", json_string((const char *)sqlite3_column_text(q, 7)));
			json_object_set_new(r, "author", json_string((const char *)sqlite3_column_text(q, 8)));
			json_array_append_new(a, r);
		}
		sqlite3_finalize(q);
	}
	if (o->json) {
		cli_print_json(a);
	} else {
		static const struct cli_col cols[] = {{"at", "at"},         {"peer", "peer"},
						      {"origin", "origin"}, {"origin_seq", "seq"},
						      {"table", "table"},   {"reason", "reason"},
						      {NULL, NULL}};
		cli_table(a, cols);
	}
	json_decref(a);
	node_close(&n);
	return 0;
}

/* quarantine clear: an operator who has reviewed a child's refused changes lets it push again. */
static int
quarantine_clear_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	struct nz_err err = {0};
	const char *peer = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--peer", &peer), CLI_END};
	int64_t cleared = 0;
	int rc, npos;

	if ((rc = cli_parse("quarantine clear", argc, argv, 2, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (peer == NULL)
		return cmd_usage("quarantine clear: --peer ID is required (the child whose refused changes go)");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = sync_quarantine_clear(n.st, peer, &cleared, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	printf("cleared %lld refused changes from %s\n", (long long)cleared, peer);
	return 0;
}

static const struct cmd_sub quarantine_subs[] = {
	{"list", "-D DIR [--json]", NULL, quarantine_list_exec},
	{"clear", "-D DIR --peer ID", "forget the refused changes kept from peer ID, which may then push again",
	 quarantine_clear_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_quarantine = {
	.name = "quarantine",
	.summary = "changes refused from peers: list, clear",
	.about = "Changes refused from peers, kept for inspection, never applied.\n",
	.subs = quarantine_subs,
};
