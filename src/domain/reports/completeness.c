/*
 * Completeness and timeliness of reports up the tree, as seen at this node.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/aggregate.h"
#include "domain/domain.h"
#include "domain/fresh.h"
#include "domain/reports/rep_int.h"

void
cpl_release(struct cpl *c)
{
	int i;

	for (i = 0; i < c->nunits; i++)
		json_decref(c->units[i].items);
	free(c->units);
	free(c->tpls);
	c->units = NULL;
	c->tpls = NULL;
}

static int
load_templates(struct cpl *c, struct nz_err *err)
{
	sqlite3_stmt *q;
	int n = 0, cap = 16;

	if ((c->tpls = calloc((size_t)cap, sizeof(*c->tpls))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(store_db(c->st),
			       "SELECT id, code, period, level, due_days, reporter, from_date,"
			       " coalesce(until_date, '') FROM report_template t WHERE deleted = 0 AND"
			       " version = (SELECT MAX(version) FROM report_template t2 WHERE t2.deleted = 0"
			       " AND t2.code = t.code) ORDER BY code",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(c->st, err, "report_template");
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct tpl_info *ti;
		if (n == cap) {
			struct tpl_info *more = realloc(c->tpls, (size_t)cap * 2 * sizeof(*more));
			if (more == NULL) {
				sqlite3_finalize(q);
				return nz_fail(err, NZ_ENOMEM, "out of memory");
			}
			c->tpls = more;
			cap *= 2;
		}
		ti = &c->tpls[n];
		memset(ti, 0, sizeof(*ti));
		snprintf(ti->id, sizeof(ti->id), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(ti->code, sizeof(ti->code), "%s", (const char *)sqlite3_column_text(q, 1));
		ti->kind = rep_kind_of((const char *)sqlite3_column_text(q, 2));
		ti->level = rep_level_of((const char *)sqlite3_column_text(q, 3));
		ti->due_days = sqlite3_column_int(q, 4);
		ti->helper = strcmp((const char *)sqlite3_column_text(q, 5), "helper") == 0;
		snprintf(ti->from, sizeof(ti->from), "%s", (const char *)sqlite3_column_text(q, 6));
		snprintf(ti->until, sizeof(ti->until), "%s", (const char *)sqlite3_column_text(q, 7));
		if (ti->kind != 0 && ti->level >= 0)
			n++;
	}
	sqlite3_finalize(q);
	c->ntpls = n;
	return 0;
}

/*
 * load_units lists the org units within under: the org-unit tree, the
 * owners of reports, and (unless data_only) this node's children and the
 * units it has freshness records of, so that a node without the tree still
 * sees the units it hears from; with each its freshness.
 */
static int
load_units(struct cpl *c, const char *under, struct nz_err *err)
{
	char sql[1024];
	sqlite3_stmt *q;
	int n = 0, cap = 64;

	/* The owners of reports come from the dashboard's aggregates when they are there: no history read. */
	snprintf(sql, sizeof(sql),
		 "SELECT ?1 UNION"
		 " SELECT id FROM orgunit WHERE deleted = 0 AND " UNIT_SQL_BELOW("id", "?1") " UNION"
		 " SELECT owner FROM %s WHERE deleted = 0 AND " UNIT_SQL_BELOW("owner", "?1")
		 "%s ORDER BY 1",
		 agg_live_owners(c->st, "report"),
		 c->data_only ? ""
			      : " UNION SELECT id FROM peer WHERE role = 'child' AND"
				" " UNIT_SQL_BELOW("id", "?1") " UNION SELECT unit FROM freshness"
				" WHERE deleted = 0 AND " UNIT_SQL_BELOW("unit", "?1"));
	if ((c->units = calloc((size_t)cap, sizeof(*c->units))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(c->st, err, "org units");
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		struct cpl_unit *u;
		if (id == NULL || unit_level(id) < 0)
			continue;
		if (n == cap) {
			struct cpl_unit *more = realloc(c->units, (size_t)cap * 2 * sizeof(*more));
			if (more == NULL) {
				sqlite3_finalize(q);
				return nz_fail(err, NZ_ENOMEM, "out of memory");
			}
			c->units = more;
			cap *= 2;
		}
		u = &c->units[n++];
		memset(u, 0, sizeof(*u));
		snprintf(u->code, sizeof(u->code), "%s", id);
		u->level = unit_level(id);
		u->items = c->items ? json_array() : NULL;
		c->nunits = n;
		if (c->data_only)
			u->fr.last_sync = FRESH_LOCAL;
		else if (fresh_of(c->st, id, &u->fr, err) != 0) {
			sqlite3_finalize(q);
			return NZ_EDB;
		}
	}
	sqlite3_finalize(q);
	return 0;
}

/*
 * helper_groups lists in names (a new JSON array) the helper groups of unit
 * that report: the groups of its active appointments when the appointment
 * table is on this node; else names stays empty and the count is the
 * guideline's quota (2 per county, 5 per province).  Returns the count.
 */
static int64_t
helper_groups(struct cpl *c, const char *unit, json_t **names)
{
	char sql[256];
	sqlite3_stmt *q;

	*names = json_array();
	if (c->appt_table == NULL)
		return unit_level(unit) == NZ_LEVEL_COUNTY ? 2 : 5;
	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM %s WHERE deleted = 0 AND owner = ?%s ORDER BY 1",
		 c->appt_names ? "coalesce(group_name, id)" : "id", c->appt_table,
		 c->appt_status ? " AND coalesce(status, '') NOT IN ('revoked', 'cancelled', 'canceled',"
				  " 'withdrawn', 'draft')"
				: "");
	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW)
		json_array_append_new(*names, json_string((const char *)sqlite3_column_text(q, 0)));
	sqlite3_finalize(q);
	return (int64_t)json_array_size(*names);
}

static void
add_counts(struct counts *a, const struct counts *b)
{
	a->expected += b->expected;
	a->received += b->received;
	a->on_time += b->on_time;
	a->late += b->late;
	a->accepted += b->accepted;
	a->returned += b->returned;
	a->not_due += b->not_due;
	a->not_submitted += b->not_submitted;
	a->unknown += b->unknown;
	a->never_heard += b->never_heard;
}

static json_t *
counts_json(const struct counts *k)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "expected", (json_int_t)k->expected,
			 "received", (json_int_t)k->received, "on_time", (json_int_t)k->on_time, "late",
			 (json_int_t)k->late, "accepted", (json_int_t)k->accepted, "returned",
			 (json_int_t)k->returned, "not_due", (json_int_t)k->not_due, "not_submitted",
			 (json_int_t)k->not_submitted, "unknown", (json_int_t)k->unknown, "never_heard", (json_int_t)k->never_heard);
}

/* unit_period counts (and lists) what is expected of unit u under template ti for period tp. */
static int
unit_period(struct cpl *c, struct cpl_unit *u, const struct tpl_info *ti, const struct jperiod *tp,
	    struct nz_err *err)
{
	char first[11], last[11], label[JPERIOD_TEXT_MAX], due[11], prev_grp[GROUP_MAX + 1] = "";
	sqlite3_stmt *q;
	int64_t expected = 1, received = 0, missing;
	json_t *groups = NULL;
	bool any = false;

	jperiod_bounds(tp, first, last);
	jperiod_format(tp, label, sizeof(label));
	if (strcmp(first, ti->from) < 0 || (ti->until[0] != '\0' && strcmp(last, ti->until) > 0))
		return 0;
	if (ti->helper)
		expected = helper_groups(c, u->code, &groups);
	if (sqlite3_prepare_v2(store_db(c->st),
			       "SELECT r.id, r.grp, r.submitted, r.due, r.review, (SELECT MIN(r2.submitted)"
			       " FROM report r2 WHERE r2.deleted = 0 AND r2.status = 'submitted' AND"
			       " r2.owner = r.owner AND r2.template_code = r.template_code AND"
			       " r2.period = r.period AND r2.grp = r.grp)"
			       " FROM report r WHERE r.deleted = 0 AND r.status = 'submitted' AND r.owner = ?1"
			       " AND r.template_code = ?2 AND r.period = ?3 AND (?4 OR r.grp = '')"
			       " ORDER BY r.grp, r.revision DESC, r.id DESC",
			       -1, &q, NULL) != SQLITE_OK) {
		json_decref(groups);
		return store_sqlerr(c->st, err, "report");
	}
	sqlite3_bind_text(q, 1, u->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ti->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, label, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, ti->helper);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *grp = (const char *)sqlite3_column_text(q, 1);
		const char *rdue = (const char *)sqlite3_column_text(q, 3);
		const char *review = (const char *)sqlite3_column_text(q, 4);
		const char *firstsub = (const char *)sqlite3_column_text(q, 5);
		bool on_time;
		/* A peer's report may lack what ours always carry: never trust it. */
		if (grp == NULL)
			grp = "";
		if (rdue == NULL)
			rdue = "";
		if (any && strcmp(grp, prev_grp) == 0)
			continue; /* an older revision */
		any = true;
		snprintf(prev_grp, sizeof(prev_grp), "%s", grp);
		received++;
		if (groups != NULL) {
			/* Strike the group from those still owing a report. */
			size_t gi;
			json_t *g;
			json_array_foreach(groups, gi, g)
				if (strcmp(json_string_value(g), grp) == 0) {
					json_array_remove(groups, gi);
					break;
				}
		}
		u->own.received++;
		on_time = firstsub != NULL && strcmp(firstsub, rdue) <= 0;
		if (on_time)
			u->own.on_time++;
		else
			u->own.late++;
		if (review != NULL && strcmp(review, "accepted") == 0)
			u->own.accepted++;
		else
			u->failing = true;
		if (review != NULL && strcmp(review, "returned") == 0)
			u->own.returned++;
		if (u->items != NULL) {
			char sj[11], dj[11];
			jalali_or_iso(firstsub, sj);
			jalali_or_iso(rdue, dj);
			json_array_append_new(
				u->items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "unit", u->code,
						    "template", ti->code, "period", label, "group", grp, "state",
						    "received", "report", (const char *)sqlite3_column_text(q, 0),
						    "submitted", sj, "on_time", on_time, "review",
						    review && review[0] ? review : "pending", "due", dj));
		}
	}
	sqlite3_finalize(q);
	if (received > expected)
		expected = received; /* a group beyond the count still reported */
	u->own.expected += expected;
	missing = expected - received;
	if (missing <= 0 || c->data_only) {
		u->failing |= missing > 0;
		json_decref(groups);
		return 0;
	}
	u->failing = true;
	if (groups == NULL)
		groups = json_array();
	if (iso_add_days(last, ti->due_days, due) != 0)
		snprintf(due, sizeof(due), "%s", last);
	{
		const char *state;
		char since[32] = "", dj[11];
		if (strcmp(c->today, due) <= 0) {
			state = "not_due";
			u->own.not_due += missing;
		} else if (u->fr.last_sync >= rep_due_end_ms(due)) {
			/* Heard from after the due day: anything sent by then is here. */
			state = "not_submitted";
			u->own.not_submitted += missing;
		} else {
			/* Never heard from, or not since before the due day: we cannot know. */
			state = "unknown";
			u->own.unknown += missing;
			if (u->fr.last_sync > 0) {
				jalali_time_text(u->fr.last_sync, since, sizeof(since));
			} else {
				snprintf(since, sizeof(since), "never");
				u->own.never_heard += missing;
			}
		}
		if (u->items != NULL) {
			jalali_or_iso(due, dj);
			json_array_append_new(u->items,
					      json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:O}", "unit", u->code,
							"template", ti->code, "period", label, "missing",
							(json_int_t)missing, "state", state, "due", dj, "since",
							since, "groups", groups));
		}
	}
	json_decref(groups);
	return 0;
}

/* tperiods lists the periods of kind that lie within p (a quarter holds three months). */
static int
tperiods(const struct jperiod *p, int kind, struct jperiod out[3])
{
	int i;

	if (kind == p->kind) {
		out[0] = *p;
		return 1;
	}
	if (kind == JPERIOD_MONTH && p->kind == JPERIOD_QUARTER) {
		for (i = 0; i < 3; i++) {
			out[i].y = p->y;
			out[i].kind = JPERIOD_MONTH;
			out[i].n = (p->n - 1) * 3 + 1 + i;
		}
		return 3;
	}
	return 0;
}

/* cpl_run fills c for the subtree of under. */
int
cpl_run(struct cpl *c, const char *under, struct nz_err *err)
{
	struct jperiod tp[3];
	int i, j, k, n, rc;

	nz_today(c->today);
	c->appt_table = rec_table_has(c->st, "sel_appointment", NULL) ? "sel_appointment"
			: rec_table_has(c->st, "appointment", NULL)   ? "appointment"
								  : NULL;
	c->appt_status = c->appt_table != NULL && rec_table_has(c->st, c->appt_table, "status");
	c->appt_names = c->appt_table != NULL && rec_table_has(c->st, c->appt_table, "group_name");
	if ((rc = load_templates(c, err)) != 0 || (rc = load_units(c, under, err)) != 0)
		return rc;
	for (i = 0; i < c->nunits; i++)
		for (j = 0; j < c->ntpls; j++) {
			if (c->tpls[j].level != c->units[i].level)
				continue;
			n = tperiods(&c->p, c->tpls[j].kind, tp);
			for (k = 0; k < n; k++)
				if ((rc = unit_period(c, &c->units[i], &c->tpls[j], &tp[k], err)) != 0)
					return rc;
		}
	/* Subtree totals: every unit adds into itself and its listed ancestors. */
	for (i = 0; i < c->nunits; i++)
		for (j = 0; j < c->nunits; j++)
			if (unit_within(c->units[j].code, c->units[i].code))
				add_counts(&c->units[i].total, &c->units[j].own);
	return 0;
}

static json_t *
unit_names(struct store *st)
{
	json_t *names = json_object();
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(st), "SELECT id, coalesce(name_fa, '') FROM orgunit WHERE deleted = 0",
			       -1, &q, NULL) != SQLITE_OK)
		return names;
	while (sqlite3_step(q) == SQLITE_ROW)
		json_object_set_new(names, (const char *)sqlite3_column_text(q, 0),
				    json_string((const char *)sqlite3_column_text(q, 1)));
	sqlite3_finalize(q);
	return names;
}

json_t *
cpl_compute(struct store *st, const char *under, const char *period, int depth, struct nz_err *err)
{
	struct cpl c;
	char label[JPERIOD_TEXT_MAX], today_j[11];
	json_t *out = NULL, *rows, *names = NULL;
	struct fresh_sum sum;
	int i, base;

	memset(&c, 0, sizeof(c));
	memset(&sum, 0, sizeof(sum));
	c.st = st;
	c.items = true;
	if (under == NULL)
		under = store_node(st);
	if (domain_check_under(st, under, err) != 0)
		return NULL;
	if (rep_period_or_default(period, &c.p, label, err) != 0)
		return NULL;
	if (cpl_run(&c, under, err) != 0)
		goto out;
	names = unit_names(st);
	base = unit_level(under);
	rows = json_array();
	for (i = 0; i < c.nunits; i++) {
		struct cpl_unit *u = &c.units[i];
		struct fresh_sum below;
		char when[32];
		json_t *row;
		int j;
		if (depth > 0 && u->level - base > depth)
			continue;
		fresh_text(&u->fr, when, sizeof(when));
		memset(&below, 0, sizeof(below));
		for (j = 0; j < c.nunits; j++)
			if (j != i && unit_within(c.units[j].code, u->code))
				fresh_sum_add(&below, c.units[j].code, &c.units[j].fr);
		row = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:o,s:o,s:o,s:o,s:O}", "unit", u->code, "name",
				jstr(names, u->code), "level", unit_level_name(u->level), "depth", u->level - base,
				"data_as_of", when, "via", u->fr.via, "freshness", fresh_json(&u->fr),
				"below", fresh_sum_json(&below), "own", counts_json(&u->own), "total",
				counts_json(&u->total), "items", u->items);
		json_array_append_new(rows, row);
		if (i == 0)
			sum = below;
	}
	jalali_or_iso(c.today, today_j);
	out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "node", store_node(st), "under", under, "period",
			label, "today", today_j, "helper_groups",
			c.appt_table != NULL ? "appointments" : "quota", "total",
			counts_json(c.nunits > 0 ? &c.units[0].total : &(struct counts){0}), "freshness",
			fresh_sum_json(&sum), "units", rows);
out:
	json_decref(names);
	cpl_release(&c);
	return out;
}

int
cpl_counts(struct store *st, const char *unit, const struct jperiod *p, int64_t *expected,
	   int64_t *received, struct nz_err *err)
{
	struct cpl c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.p = *p;
	c.data_only = true;
	*expected = *received = 0;
	if ((rc = cpl_run(&c, unit, err)) == 0 && c.nunits > 0) {
		*expected = c.units[0].total.expected;
		*received = c.units[0].total.received;
	}
	cpl_release(&c);
	return rc;
}

