/* Commands about the node itself and its peers: peer, status, quarantine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "base/unit.h"
#include "domain/domain.h"
#include "domain/health.h"
#include "node/node.h"
#include "repl/sync.h"
#include "store/hlc.h"

static void
ms_text(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(buf, n, "never");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
peer_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	const char *id = NULL, *key = NULL, *url = "";
	const struct cli_opt opts[] = {CLI_VAL("--id", &id),
				       CLI_VAL("--key", &key),
				       CLI_VAL("--url", &url),
				       CLI_END};
	unsigned char pk[32];
	char parent[NZ_ID_MAX], mine[NZ_ID_MAX];
	const char *role;
	sqlite3_stmt *q;
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
	if (unit_parent(n.conf.id, mine) == 0 && strcmp(mine, id) == 0)
		role = "parent";
	else if (unit_parent(id, parent) == 0 && strcmp(parent, n.conf.id) == 0)
		role = "child";
	else {
		fprintf(stderr, "nehzat: %s is neither the parent nor a child of %s\n", id, n.conf.id);
		node_close(&n);
		return 1;
	}
	rc = sqlite3_prepare_v2(store_db(n.st),
				"INSERT INTO peer (id, role, url, pubkey) VALUES (?1, ?2, ?3, ?4)"
				" ON CONFLICT(id) DO UPDATE SET pubkey = ?4, url = ?3",
				-1, &q, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, url, -1, SQLITE_STATIC);
		sqlite3_bind_blob(q, 4, pk, 32, SQLITE_STATIC);
		rc = sqlite3_step(q) == SQLITE_DONE ? 0 : 1;
		sqlite3_finalize(q);
	}
	if (rc != 0)
		fprintf(stderr, "nehzat: cannot record peer %s: %s\n", id, sqlite3_errmsg(store_db(n.st)));
	else
		printf("registered %s %s\n", role, id);
	node_close(&n);
	return rc ? 1 : 0;
}

static const struct cmd_sub peer_subs[] = {
	{"add", "-D DIR --id CODE --key HEX [--url URL]", NULL, peer_add_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_peer = {
	.name = "peer",
	.summary = "trust a parent's or child's public key (peer add/list)",
	.about = "Registers the public key (from 'nehzat key') of this node's parent or of one of\n"
		 "its children.  Sync refuses peers whose key is not registered.\n",
	.subs = peer_subs,
};

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
	char hlc[64], when[32];
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
	json_object_set_new(j, "quarantine", json_integer(health_count(n.st, "SELECT count(*) FROM quarantine", NULL)));
	counts = json_object();
	for (t = store_tables(n.st); *t != NULL; t++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE deleted = 0", (*t)->name);
		json_object_set_new(counts, (*t)->name, json_integer(health_count(n.st, sql, NULL)));
	}
	json_object_set_new(j, "records", counts);
	peers = health_peers(n.st, n.conf.sync_interval);
	json_array_foreach(peers, i, v) {
		/* The parent's URL is in the configuration; times read better as text here. */
		if (strcmp(json_string_value(json_object_get(v, "role")), "parent") == 0)
			json_object_set_new(v, "url", json_string(n.conf.parent));
		ms_text(json_integer_value(json_object_get(v, "last_contact")), when, sizeof(when));
		json_object_set_new(v, "last_contact", json_string(when));
		ms_text(json_integer_value(json_object_get(v, "last_sync")), when, sizeof(when));
		json_object_set_new(v, "last_sync", json_string(when));
	}
	json_object_set_new(j, "peers", peers);
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
			ms_text(sqlite3_column_int64(q, 0), when, sizeof(when));
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

static const struct cmd_sub quarantine_subs[] = {
	{"list", "-D DIR [--json]", NULL, quarantine_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_quarantine = {
	.name = "quarantine",
	.summary = "changes refused from peers: list",
	.about = "Changes refused from peers, kept for inspection, never applied.\n",
	.subs = quarantine_subs,
};
