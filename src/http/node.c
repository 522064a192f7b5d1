/*
 * The node itself over HTTP: status, sync health, freshness of the units
 * below, quarantine, invariant check, org units, the dashboard of a
 * subtree, and /metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "domain/record.h"
#include "base/unit.h"
#include "domain/check.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/resource.h"
#include "domain/fresh.h"
#include "domain/health.h"
#include "http/http_int.h"
#include "repl/enrol.h"
#include "repl/sync.h"
#include "store/hlc.h"

/* GET /status */
static void
status(struct api *a)
{
	const struct tbl_def *const *t;
	json_t *j, *counts;
	char hlc[64], sql[128];

	hlc_format(store_hlc(a->st), hlc, sizeof(hlc));
	counts = json_object();
	for (t = store_tables(a->st); *t != NULL; t++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE deleted = 0", (*t)->name);
		json_object_set_new(counts, (*t)->name, json_integer(rec_scalar(a->st, sql, NULL, NULL)));
	}
	j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:o, s:o, s:I}", "id", store_node(a->st), "level",
		      unit_level_name(unit_level(store_node(a->st))), "name", a->app->env.name ? a->app->env.name : "",
		      "log_head", (json_int_t)store_log_head(a->st), "hlc", hlc, "quarantine",
		      (json_int_t)rec_scalar(a->st, "SELECT count(*) FROM quarantine", NULL, NULL), "records", counts,
		      "peers", health_peers(a->st, a->app->env.sync_interval), "now", (json_int_t)hlc_wall_ms());
	api_json(a, 200, j);
}

/* GET /peers */
static void
peers(struct api *a)
{
	api_list(a, health_peers(a->st, a->app->env.sync_interval));
}

/* peer_unit reads the body's id, a unit code; NULL (and the refusal answered) when it is not one. */
static const char *
peer_unit(struct api *a, const char *id)
{
	if (api_bad(a))
		return NULL;
	if (unit_level(id) < 0) {
		api_error(a, 400, "invalid", "id", "'%s' is not an org-unit code", id);
		return NULL;
	}
	return id;
}

/* POST /peers {id, key, url}: register the key of this node's parent or of a child (`nehzat peer add`). */
static void
peer_add(struct api *a)
{
	const char *id = peer_unit(a, api_str(a, "id", true)), *key = api_str(a, "key", true);
	const char *url = api_str(a, "url", false), *role;
	struct nz_err err = {0};
	unsigned char pk[32];
	size_t len;

	if (id == NULL || api_bad(a))
		return;
	if (strlen(key) != 64 || sodium_hex2bin(pk, sizeof(pk), key, 64, NULL, &len, NULL) != 0 || len != 32) {
		api_error(a, 400, "invalid", "key", "the key must be 64 hex digits, the output of 'nehzat key'");
		return;
	}
	if ((role = enrol_role_of(store_node(a->st), id)) == NULL) {
		api_error(a, 400, "invalid", "id", "%s is neither the parent nor a child of %s", id, store_node(a->st));
		return;
	}
	if (enrol_register_peer(a->st, id, role, url != NULL ? url : "", pk, &err) != 0)
		api_fail(a, &err);
	else
		api_json(a, 200, json_pack("{s:b, s:s, s:s}", "ok", 1, "id", id, "role", role));
}

/*
 * POST /peers/invite {id, url, hours}: a child's enrolment invitation (`nehzat
 * peer invite`): the code to type at the child, its QR text, the expiry and
 * this node's key fingerprint.  url defaults to [node] listen.
 */
static void
peer_invite(struct api *a)
{
	const char *id = peer_unit(a, api_str(a, "id", true)), *url = api_str(a, "url", false);
	long long hours = api_int(a, "hours", ENROL_TTL_DEFAULT_H, 1, 24 * 365, false);
	struct enrol_invitation inv;
	struct nz_err err = {0};

	if (id == NULL || api_bad(a))
		return;
	if (url == NULL || url[0] == '\0')
		url = a->app->env.listen != NULL ? a->app->env.listen : "";
	if (a->app->env.pk == NULL) {
		api_error(a, 409, "state", NULL, "this node has no key to invite with");
		return;
	}
	if (url[0] == '\0') {
		api_error(a, 400, "missing", "url", "this node serves no children ([node] listen): give url");
		return;
	}
	if (enrol_invite_code(a->st, a->app->env.pk, id, url, hours * 3600 * 1000, &inv, &err) != 0) {
		api_fail(a, &err);
		return;
	}
	api_json(a, 200, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "child", id, "parent", store_node(a->st),
				   "url", url, "code", inv.code, "qr", inv.qr, "expires", inv.expires, "expires_ms",
				   (json_int_t)inv.expires_ms, "fingerprint", inv.fp));
	sodium_memzero(&inv, sizeof(inv));
}

/* POST /peers/:id/revoke : refuse a child's key from now on (`nehzat peer revoke`). */
static void
peer_revoke(struct api *a)
{
	struct nz_err err = {0};

	api_result(a, enrol_revoke(a->st, a->param[0], &err), a->param[0], &err);
}

/* GET /freshness?under= : when this node last heard from each unit below under, and through whom */
static void
freshness(struct api *a)
{
	const char *under = api_under(a);
	struct nz_err err = {0};
	json_t *rows;

	if (under == NULL)
		return;
	if ((rows = fresh_list(a->st, under, &err)) == NULL)
		api_fail(a, &err);
	else
		api_list(a, rows);
}

/*
 * GET /history/:table and /history/:table/:id : who changed what and when,
 * from the change log, newest first (store_history) — the history of the
 * national standards that keep no versions of their own.  Only directive
 * tables (what every node below sees: standards, org units); a unit's own
 * records are read through their routes.
 */
/* unit_col names the column saying which unit a record of directive table t is about (the tree's own id), or NULL. */
static const char *
unit_col(const struct tbl_def *t)
{
	const struct res_def *const *r;
	int i;

	if (t == &orgunit_table)
		return "id";
	for (r = res_all(); *r != NULL; r++)
		for (i = 0; (*r)->tbl == t && (*r)->fields[i].name != NULL; i++)
			if ((*r)->fields[i].flags & RES_UNIT)
				return (*r)->fields[i].name;
	return NULL;
}

/*
 * in_scope drops from rows the changes to records about a unit outside this
 * node's subtree and the units above it: a county holds every designation and
 * unit national made, but lists only its own (as the lists themselves do).
 */
static int
in_scope(struct api *a, const struct tbl_def *t, json_t *rows, struct nz_err *err)
{
	const char *col = unit_col(t), *me = store_node(a->st);
	char sql[160], unit[NZ_ID_MAX];
	sqlite3_stmt *q;
	size_t i;
	json_t *r;

	if (col == NULL)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE id = ?", col, t->name);
	if ((q = store_prepare(a->st, sql, err)) == NULL)
		return NZ_EDB;
	for (i = json_array_size(rows); i-- > 0;) {
		r = json_array_get(rows, i);
		sqlite3_bind_text(q, 1, json_string_value(json_object_get(r, "rid")), -1, SQLITE_TRANSIENT);
		unit[0] = '\0';
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
			snprintf(unit, sizeof(unit), "%s", sqlite3_column_text(q, 0));
		sqlite3_reset(q);
		if (unit[0] != '\0' && !unit_within(unit, me) && !unit_within(me, unit))
			json_array_remove(rows, i);
	}
	sqlite3_clear_bindings(q);
	return 0;
}

static void
history(struct api *a, const char *rid)
{
	const struct tbl_def *t = store_table(a->st, a->param[0]);
	struct nz_err err = {0};
	json_t *rows;

	if (t == NULL || t->vis != VIS_DIRECTIVE) {
		api_error(a, 404, "not_found", NULL, "'%s' is not a table of national standards", a->param[0]);
		return;
	}
	if ((rows = store_history(a->st, t->name, rid, 1000, &err)) == NULL || in_scope(a, t, rows, &err) != 0) {
		json_decref(rows);
		api_fail(a, &err);
	} else
		api_list(a, rows);
}

static void
history_table(struct api *a)
{
	history(a, NULL);
}

static void
history_record(struct api *a)
{
	history(a, a->param[1]);
}

/* GET /quarantine */
static void
quarantine(struct api *a)
{
	api_list(a, health_quarantine(a->st, 0));
}

/* GET /check?under= */
static void
check(struct api *a)
{
	const char *under = api_under(a);
	struct nz_err err = {0};
	json_t *out = NULL;

	if (under == NULL)
		return;
	if (check_run(a->st, under, &out, &err) != 0) {
		api_fail(a, &err);
		return;
	}
	api_json(a, 200, json_pack("{s:b, s:o}", "ok", json_array_size(out) == 0, "violations", out));
}

/* GET /orgunits?under=: a subtree of this node; without under, this node's subtree and the units above it. */
static void
orgunits(struct api *a)
{
	const char *under = api_query(a, "under") != NULL ? api_under(a) : NULL;

	if (!api_bad(a))
		api_list(a, orgunit_list(a->st, under));
}

/*
 * csv_import writes the body's csv (text) to a private temporary file and
 * hands it to import, which reads a file and checks every row before it
 * writes (orgunit_import_csv, orgunit_import_figures); answers {"ok", "count"}.
 */
static void
csv_import(struct api *a, int (*import)(struct store *, const char *, const char *, int *, struct nz_err *))
{
	const char *csv = api_str(a, "csv", true);
	char path[] = "/tmp/nehzat-csv-XXXXXX";
	struct nz_err err = {0};
	int fd, count = 0, rc;
	size_t len;

	if (api_bad(a))
		return;
	if ((fd = mkstemp(path)) < 0) {
		api_error(a, 500, "internal", NULL, "cannot make a temporary file");
		return;
	}
	len = strlen(csv);
	rc = write(fd, csv, len) == (ssize_t)len ? 0 : -1;
	close(fd);
	if (rc != 0)
		api_error(a, 500, "internal", NULL, "cannot write a temporary file");
	else if (import(a->st, path, a->user.name, &count, &err) != 0)
		api_fail(a, &err);
	else
		api_json(a, 200, json_pack("{s:b, s:i}", "ok", 1, "count", count));
	unlink(path);
}

/*
 * POST /orgunits/import {csv}: one divisions file (provinces or counties, the
 * form orgunit_import_csv reads), sent as text; national node only (the
 * domain refuses elsewhere).  Answers {"ok", "count"}.
 */
static void
orgunits_import(struct api *a)
{
	csv_import(a, orgunit_import_csv);
}

/* POST /orgunits/figures {csv}: code,population rows (orgunit_import_figures); national node only. */
static void
figures_import(struct api *a)
{
	csv_import(a, orgunit_import_figures);
}

/* GET /orgunits/:code/figures: the unit's figures, who set them and when, and their history. */
static void
figures(struct api *a)
{
	struct nz_err err = {0};
	json_t *u = orgunit_figures(a->st, a->param[0], &err);

	if (u == NULL)
		api_fail(a, &err);
	else
		api_json(a, 200, u);
}

/*
 * PUT (or POST) /orgunits/:code/figures {population}: a whole number (Persian
 * digits too, as text), or null / "unknown" for none; national node only.
 */
static void
figures_set(struct api *a)
{
	json_t *v = a->body ? json_object_get(a->body, "population") : NULL;
	char buf[32];
	const char *text;
	struct nz_err err = {0};

	if (v == NULL) {
		api_error(a, 400, "missing", "population", "population is required (a whole number, or null for unknown)");
		return;
	}
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		text = buf;
	} else if (json_is_string(v)) {
		text = json_string_value(v);
	} else if (json_is_null(v)) {
		text = "unknown";
	} else {
		api_error(a, 400, "type", "population", "population is a whole number, a text of digits or null");
		return;
	}
	if (orgunit_set_figure(a->st, a->param[0], "population", text, a->user.name, &err) != 0)
		api_fail(a, &err);
	else
		figures(a);
}

/*
 * GET /dashboard?under=
 * Every figure of under's subtree, by under itself and each unit directly
 * below it (domain/dashboard.c, from the aggregates domain/aggregate.c keeps as changes
 * apply), with each unit's freshness and the sync health of this node.
 */
static void
dashboard(struct api *a)
{
	const char *under = api_under(a);
	struct nz_err err = {0};
	json_t *j;

	if (under == NULL)
		return;
	if ((j = dash_compute(a->st, under, a->app->env.sync_interval, &err)) == NULL) {
		api_fail(a, &err);
		return;
	}
	api_json(a, 200, j);
}

/* ---- /metrics ---- */

static void
metric_rows(FILE *f, struct store *st, const char *name, const char *label, const char *sql)
{
	sqlite3_stmt *q;

	if ((q = store_prepare(st, sql, NULL)) == NULL)
		return;
	while (sqlite3_step(q) == SQLITE_ROW)
		fprintf(f, "%s{%s=\"%s\"} %lld\n", name, label, sqlite3_column_text(q, 0),
			(long long)sqlite3_column_int64(q, 1));
	sqlite3_reset(q);
}

void
http_metrics(struct http_app *app, struct http_res *rs)
{
	struct store *st = app->env.st;
	char *buf = NULL;
	size_t len = 0;
	json_t *p, *row;
	size_t i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		rs->status = 503;
		return;
	}
	fprintf(f, "# HELP nehzat_info This node.\n# TYPE nehzat_info gauge\nnehzat_info{id=\"%s\"} 1\n",
		store_node(st));
	fprintf(f, "# HELP nehzat_log_head Position of the last entry of the change log.\n"
		   "# TYPE nehzat_log_head gauge\nnehzat_log_head %lld\n", (long long)store_log_head(st));
	fprintf(f, "# HELP nehzat_sync_backlog Changes a peer has not taken yet, by direction.\n"
		   "# TYPE nehzat_sync_backlog gauge\n");
	p = health_peers(st, app->env.sync_interval);
	json_array_foreach(p, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		if (json_is_integer(json_object_get(row, "backlog_up"))) /* a child's: not known here */
			fprintf(f, "nehzat_sync_backlog{peer=\"%s\",direction=\"up\"} %lld\n", id,
				(long long)json_integer_value(json_object_get(row, "backlog_up")));
		fprintf(f, "nehzat_sync_backlog{peer=\"%s\",direction=\"down\"} %lld\n", id,
			(long long)json_integer_value(json_object_get(row, "backlog_down")));
	}
	fprintf(f, "# HELP nehzat_sync_last_contact_seconds Unix time of the last contact with a peer.\n"
		   "# TYPE nehzat_sync_last_contact_seconds gauge\n");
	json_array_foreach(p, i, row)
		fprintf(f, "nehzat_sync_last_contact_seconds{peer=\"%s\"} %lld\n",
			json_string_value(json_object_get(row, "id")),
			(long long)json_integer_value(json_object_get(row, "last_contact")) / 1000);
	json_decref(p);
	{
		struct fresh_sum fs;
		if (fresh_subtree(st, store_node(st), &fs, NULL) == 0)
			fprintf(f, "# HELP nehzat_units_below Units below this node it knows of, and of them never heard from.\n"
				   "# TYPE nehzat_units_below gauge\n"
				   "nehzat_units_below{heard=\"yes\"} %d\nnehzat_units_below{heard=\"never\"} %d\n"
				   "# HELP nehzat_units_oldest_heard_seconds Unix time of the oldest last sync among units"
				   " below heard from (0: none).\n# TYPE nehzat_units_oldest_heard_seconds gauge\n"
				   "nehzat_units_oldest_heard_seconds %lld\n",
				fs.units - fs.never, fs.never, (long long)(fs.oldest / 1000));
	}
	fprintf(f, "# HELP nehzat_changes_applied_total Changes in the log, by the peer they came through"
		   " (\"local\": written here).\n# TYPE nehzat_changes_applied_total counter\n");
	metric_rows(f, st, "nehzat_changes_applied_total", "via",
		    "SELECT CASE via WHEN '' THEN 'local' ELSE via END, count(*) FROM oplog GROUP BY via");
	fprintf(f, "# HELP nehzat_changes_refused_total Changes refused from a peer and quarantined.\n"
		   "# TYPE nehzat_changes_refused_total counter\n");
	metric_rows(f, st, "nehzat_changes_refused_total", "peer",
		    "SELECT peer, count(*) FROM quarantine GROUP BY peer");
	fprintf(f, "# HELP nehzat_quarantine_size Changes held in quarantine.\n# TYPE nehzat_quarantine_size gauge\n"
		   "nehzat_quarantine_size %lld\n",
		(long long)rec_scalar(st, "SELECT count(*) FROM quarantine", NULL, NULL));
	if (app->env.sync != NULL) {
		const struct sync_stats *s = sync_child_stats(app->env.sync);
		fprintf(f, "# HELP nehzat_sync_session_changes_total Changes moved with the parent since start.\n"
			   "# TYPE nehzat_sync_session_changes_total counter\n"
			   "nehzat_sync_session_changes_total{kind=\"pushed\"} %lld\n"
			   "nehzat_sync_session_changes_total{kind=\"pulled\"} %lld\n"
			   "nehzat_sync_session_changes_total{kind=\"refused\"} %lld\n",
			(long long)s->pushed, (long long)s->pulled, (long long)s->refused);
	}
	/* This scrape counts as a request too. */
	fprintf(f, "# HELP nehzat_http_requests_total HTTP requests answered.\n# TYPE nehzat_http_requests_total counter\n"
		   "nehzat_http_requests_total %lld\n"
		   "# HELP nehzat_http_errors_total HTTP answers with an error status, by class.\n"
		   "# TYPE nehzat_http_errors_total counter\n"
		   "nehzat_http_errors_total{class=\"4xx\"} %lld\nnehzat_http_errors_total{class=\"5xx\"} %lld\n"
		   "# HELP nehzat_http_logins_failed_total Failed logins.\n# TYPE nehzat_http_logins_failed_total counter\n"
		   "nehzat_http_logins_failed_total %lld\n"
		   "# HELP nehzat_http_password_checks_total Password hashes verified (unknown names too).\n"
		   "# TYPE nehzat_http_password_checks_total counter\nnehzat_http_password_checks_total %lld\n",
		(long long)app->n.requests, (long long)app->n.errors_4xx, (long long)app->n.errors_5xx,
		(long long)app->n.logins_failed, (long long)app->n.password_checks);
	fclose(f);
	rs->status = 200;
	rs->ctype = "text/plain; version=0.0.4; charset=utf-8";
	rs->cache = "no-store";
	rs->body = buf;
	rs->len = len;
}

const struct route api_node_routes[] = {
	{"GET", "status", R_ANY, status},
	{"GET", "peers", R_ANY, peers},
	{"POST", "peers", R_ADMIN, peer_add},
	{"POST", "peers/invite", R_ADMIN, peer_invite},
	{"POST", "peers/:id/revoke", R_ADMIN, peer_revoke},
	{"GET", "freshness", R_ANY, freshness},
	{"GET", "quarantine", R_WORK, quarantine},
	{"GET", "history/:table", R_ANY, history_table},
	{"GET", "history/:table/:id", R_ANY, history_record},
	{"GET", "check", R_ANY, check},
	{"GET", "orgunits", R_ANY, orgunits},
	{"POST", "orgunits/import", R_WORK, orgunits_import},
	{"POST", "orgunits/figures", R_WORK, figures_import},
	{"GET", "orgunits/:code/figures", R_ANY, figures},
	{"PUT", "orgunits/:code/figures", R_WORK, figures_set},
	{"POST", "orgunits/:code/figures", R_WORK, figures_set},
	{"GET", "dashboard", R_ANY, dashboard},
	{NULL, NULL, 0, NULL},
};
