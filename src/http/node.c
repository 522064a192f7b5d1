/*
 * The node itself over HTTP: status, sync health, freshness of the units
 * below, quarantine, invariant check, org units, the dashboard of a
 * subtree, and /metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/unit.h"
#include "domain/check.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/fresh.h"
#include "domain/health.h"
#include "http/http_int.h"
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
		json_object_set_new(counts, (*t)->name, json_integer(health_count(a->st, sql, NULL)));
	}
	j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:I, s:o, s:o, s:I}", "id", store_node(a->st), "level",
		      unit_level_name(unit_level(store_node(a->st))), "name", a->app->env.name ? a->app->env.name : "",
		      "log_head", (json_int_t)store_log_head(a->st), "hlc", hlc, "quarantine",
		      (json_int_t)health_count(a->st, "SELECT count(*) FROM quarantine", NULL), "records", counts,
		      "peers", health_peers(a->st, a->app->env.sync_interval), "now", (json_int_t)hlc_wall_ms());
	api_json(a, 200, j);
}

/* GET /peers */
static void
peers(struct api *a)
{
	api_list(a, health_peers(a->st, a->app->env.sync_interval));
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

/* GET /orgunits?under= */
static void
orgunits(struct api *a)
{
	const char *under = api_query(a, "under");

	if (under != NULL && unit_level(under) < 0) {
		api_error(a, 400, "invalid", "under", "'%s' is not an org-unit code", under);
		return;
	}
	api_list(a, orgunit_list(a->st, under));
}

/*
 * POST /orgunits/import {csv}: one divisions file (provinces or counties, the
 * form orgunit_import_csv reads), sent as text; national node only (the
 * domain refuses elsewhere).  Answers {"ok", "count"}.
 */
static void
orgunits_import(struct api *a)
{
	const char *csv = api_str(a, "csv", true);
	char path[] = "/tmp/nehzat-orgunits-XXXXXX";
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
	else if (orgunit_import_csv(a->st, path, a->user.name, &count, &err) != 0)
		api_fail(a, &err);
	else
		api_json(a, 200, json_pack("{s:b, s:i}", "ok", 1, "count", count));
	unlink(path);
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
		(long long)health_count(st, "SELECT count(*) FROM quarantine", NULL));
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
	{"GET", "freshness", R_ANY, freshness},
	{"GET", "quarantine", R_WORK, quarantine},
	{"GET", "check", R_ANY, check},
	{"GET", "orgunits", R_ANY, orgunits},
	{"POST", "orgunits/import", R_WORK, orgunits_import},
	{"GET", "dashboard", R_ANY, dashboard},
	{NULL, NULL, 0, NULL},
};
