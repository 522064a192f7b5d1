/*
 * The node itself over HTTP: status, sync health, quarantine, invariant
 * check, org units, the dashboard of a subtree, and /metrics.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/check.h"
#include "domain/domain.h"
#include "domain/health.h"
#include "domain/register.h"
#include "domain/reports.h"
#include "domain/selection.h"
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

/* child_of writes into out the unit directly below under on the way to code; false when none. */
static bool
child_of(const char *under, const char *code, char out[NZ_ID_MAX])
{
	size_t n = strlen(under);
	const char *dash;

	if (code == NULL || !unit_within(code, under) || strcmp(code, under) == 0)
		return false;
	dash = strchr(code + n + 1, '-');
	snprintf(out, NZ_ID_MAX, "%.*s", (int)(dash ? (size_t)(dash - code) : strlen(code)), code);
	return true;
}

/* bump adds 1 to obj[unit][key], creating what is missing. */
static void
bump(json_t *obj, const char *unit, const char *key, json_int_t by)
{
	json_t *u = json_object_get(obj, unit), *v;

	if (u == NULL) {
		u = json_object();
		json_object_set_new(obj, unit, u);
	}
	v = json_object_get(u, key);
	json_object_set_new(u, key, json_integer((v ? json_integer_value(v) : 0) + by));
}

/* bucket is the unit a figure of code counts under in a dashboard of under: itself or its child. */
static void
bucket(const char *under, const char *code, char out[NZ_ID_MAX])
{
	if (!child_of(under, code, out))
		snprintf(out, NZ_ID_MAX, "%s", under);
}

/*
 * GET /dashboard?under=
 * Every figure of under's subtree, by under itself and each unit directly
 * below it, from aggregate queries and the domain's own summaries; each
 * unit carries the freshness of the data it rests on.
 */
static void
dashboard(struct api *a)
{
	const char *under = api_under(a);
	struct nz_err err = {0};
	json_t *j, *units, *names, *fig, *x, *row;
	sqlite3_stmt *q;
	char b[NZ_ID_MAX], via[NZ_ID_MAX], period[JPERIOD_TEXT_MAX], today[11], tj[11];
	const char *k;
	size_t i;
	int level;

	if (under == NULL)
		return;
	level = unit_level(under);
	fig = json_object();
	names = json_object();
	/* Names of under and of the units below it that the tree knows. */
	if ((x = orgunit_list(a->st, under)) != NULL) {
		json_array_foreach(x, i, row) {
			const char *c = json_string_value(json_object_get(row, "id"));
			if (c == NULL)
				c = json_string_value(json_object_get(row, "code"));
			if (c && (strcmp(c, under) == 0 || unit_level(c) == level + 1) && unit_within(c, under)) {
				json_object_set(names, c, json_object_get(row, "name_fa"));
				if (strcmp(c, under) != 0)
					bump(fig, c, "known", 1);
			}
		}
		json_decref(x);
	}
	bump(fig, under, "known", 1);
	/* Appointments against quota: one row per secretariat. */
	if ((x = sel_appoint_summary(a->st, under)) != NULL) {
		json_array_foreach(x, i, row) {
			bucket(under, json_string_value(json_object_get(row, "secretariat")), b);
			bump(fig, b, "appointed", json_integer_value(json_object_get(row, "active")));
			bump(fig, b, "quota", json_integer_value(json_object_get(row, "quota")));
		}
		json_decref(x);
	}
	/* Orientation course: appointments that completed it. */
	if ((x = sel_course_status(a->st, under, false)) != NULL) {
		json_array_foreach(x, i, row) {
			bucket(under, json_string_value(json_object_get(row, "owner")), b);
			bump(fig, b, "course_total", 1);
			if (json_is_true(json_object_get(row, "completed")))
				bump(fig, b, "course_done", 1);
		}
		json_decref(x);
	}
	/* Problems by effective status, council decisions, intervention stages: aggregate SQL. */
	if ((q = store_prepare(a->st,
			       "SELECT i.owner, " REG_ISSUE_STATE ", count(*) FROM issue i WHERE i.deleted = 0 AND "
			       REG_UNDER("i.owner") " GROUP BY 1, 2", &err)) != NULL) {
		sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			char key[40];
			bucket(under, (const char *)sqlite3_column_text(q, 0), b);
			snprintf(key, sizeof(key), "issues_%s", sqlite3_column_text(q, 1));
			bump(fig, b, key, sqlite3_column_int64(q, 2));
			bump(fig, b, "issues", sqlite3_column_int64(q, 2));
		}
		sqlite3_reset(q);
	}
	if ((q = store_prepare(a->st,
			       "SELECT owner, decision, count(*) FROM council_decision WHERE deleted = 0 AND "
			       REG_UNDER("owner") " GROUP BY 1, 2", &err)) != NULL) {
		sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			char key[40];
			bucket(under, (const char *)sqlite3_column_text(q, 0), b);
			snprintf(key, sizeof(key), "decision_%s", sqlite3_column_text(q, 1));
			bump(fig, b, key, sqlite3_column_int64(q, 2));
		}
		sqlite3_reset(q);
	}
	if ((x = intervention_list(a->st, under)) != NULL) {
		json_array_foreach(x, i, row) {
			char key[48];
			const char *stage = json_string_value(json_object_get(row, "current_stage"));
			bucket(under, json_string_value(json_object_get(row, "owner")), b);
			snprintf(key, sizeof(key), "stage_%s", stage ? stage : "done");
			bump(fig, b, key, 1);
			bump(fig, b, "interventions", 1);
		}
		json_decref(x);
	}
	/* Reports of the last ended month: expected, received, on time. */
	rep_default_period(period);
	if ((x = cpl_compute(a->st, under, period, 2, &err)) != NULL) {
		json_t *rows = json_object_get(x, "units");
		json_array_foreach(rows, i, row) {
			const char *u = json_string_value(json_object_get(row, "unit"));
			json_t *own = json_object_get(row, "own");
			if (u == NULL || own == NULL)
				continue;
			bucket(under, u, b);
			bump(fig, b, "reports_expected", json_integer_value(json_object_get(own, "expected")));
			bump(fig, b, "reports_received", json_integer_value(json_object_get(own, "received")));
			bump(fig, b, "reports_on_time", json_integer_value(json_object_get(own, "on_time")));
			bump(fig, b, "reports_late", json_integer_value(json_object_get(own, "late")));
		}
		json_decref(x);
	}
	nz_err_clear(&err);
	/* Freshness: when this node last heard from the child that carries each unit's data. */
	units = json_array();
	json_object_foreach(fig, k, x) {
		int64_t ms = rep_watermark(a->st, k, via);
		char text[64];
		text[0] = '\0';
		if (ms > 0 && ms != INT64_MAX)
			rep_time_text(ms, text, sizeof(text));
		json_object_set_new(x, "unit", json_string(k));
		json_object_set(x, "name", json_object_get(names, k) ? json_object_get(names, k) : json_null());
		/* This node's own records (and its ancestors' directives) are current. */
		if (unit_within(store_node(a->st), k) || ms == INT64_MAX)
			ms = -1, snprintf(text, sizeof(text), "local");
		else if (ms <= 0)
			snprintf(text, sizeof(text), "never");
		json_object_set_new(x, "fresh_ms", json_integer(ms));
		json_object_set_new(x, "fresh", json_string(text));
		json_object_set_new(x, "self", json_boolean(strcmp(k, under) == 0));
		json_array_append(units, x);
	}
	nz_today(today);
	jalali_from_iso(today, tj, &err);
	j = json_pack("{s:s, s:o, s:s, s:i, s:s, s:I, s:s, s:o}", "under", under, "name",
		      json_object_get(names, under) ? json_incref(json_object_get(names, under)) : json_null(),
		      "level", unit_level_name(level), "level_n", level, "period", period, "generated",
		      (json_int_t)hlc_wall_ms(), "today", tj, "units", units);
	/* Top problems and categories of the subtree, as the register consolidates them. */
	if ((x = reg_summary(a->st, under, 5, &err)) != NULL)
		json_object_set_new(j, "register", x);
	nz_err_clear(&err);
	/* The share of each unit below, by the national indicators (a nominal budget: shares as percent). */
	if (level < NZ_LEVEL_COUNTY &&
	    (x = alloc_compute(a->st, 1000000, level == NZ_LEVEL_NATIONAL ? "province" : "county", under, NULL,
			       &err)) != NULL)
		json_object_set_new(j, "allocation", x);
	else
		json_object_set_new(j, "allocation_error", json_string(err.msg));
	json_object_set_new(j, "sync", health_peers(a->st, a->app->env.sync_interval));
	json_decref(fig);
	json_decref(names);
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
		   "nehzat_http_logins_failed_total %lld\n",
		(long long)app->n.requests, (long long)app->n.errors_4xx, (long long)app->n.errors_5xx,
		(long long)app->n.logins_failed);
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
	{"GET", "quarantine", R_WORK, quarantine},
	{"GET", "check", R_ANY, check},
	{"GET", "orgunits", R_ANY, orgunits},
	{"GET", "dashboard", R_ANY, dashboard},
	{NULL, NULL, 0, NULL},
};
