/*
 * Monitoring reports: Jalali periods and due dates, template and report
 * validation, revisions and locks, completeness with children offline, and
 * the order rules of approval.
 *
 * Each level is its own store (IR, IR-07, counties IR-07-0N); changes travel
 * between them as the sync layer would carry them: every log entry a store
 * may see is applied to it with store_apply (t_copy_log).  The peer table,
 * which the sync layer keeps, is written directly to stand for children
 * that synced at a given time or never.
 */
#include <stdlib.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/domain.h"
#include "domain/fresh.h"
#include "domain/reports.h"

#include "repl.h"
#include "test.h"

static const char *tmp;

static struct store *
mkstore(const char *id)
{
	struct store *st = NULL;
	struct nz_err err = {0};
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.db", tmp, id);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, id, &err) != 0) {
		printf("# cannot make store %s: %s\n", id, err.msg);
		exit(2);
	}
	return st;
}

/* ms_at is the unix time in ms at noon UTC of an ISO date. */
static int64_t
ms_at(const char *iso)
{
	int y, m, d;

	iso_parse(iso, &y, &m, &d, NULL);
	return ((int64_t)days_from_civil(y, m, d) * 86400 + 12 * 3600) * 1000;
}

static void
set_peer(struct store *st, const char *id, int64_t last_sync)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "INSERT OR REPLACE INTO peer(id, role, last_sync, last_contact) VALUES ('%s', 'child', %lld, %lld)",
		 id, (long long)last_sync, (long long)last_sync);
	if (store_exec(st, sql, NULL) != 0)
		printf("# cannot set peer %s\n", id);
	/* What the sync server does after a session: the freshness record, carried up. */
	if (fresh_observe(st, id, 0, NULL, NULL) != 0)
		printf("# cannot observe peer %s\n", id);
}

static void
today(const char *iso)
{
	setenv("NEHZAT_TODAY", iso, 1);
}

static int64_t
count(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	int64_t n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

static const char *
jget(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "(none)";
}

/* unit_row finds the row of unit in a completeness result. */
static json_t *
unit_row(json_t *res, const char *unit)
{
	size_t i;
	json_t *u;

	json_array_foreach(json_object_get(res, "units"), i, u)
		if (strcmp(jget(u, "unit"), unit) == 0)
			return u;
	return NULL;
}

static long long
cnt(json_t *res, const char *unit, const char *which, const char *what)
{
	json_t *u = unit_row(res, unit);

	if (u == NULL)
		return -1;
	return (long long)json_integer_value(json_object_get(json_object_get(u, which), what));
}

/* item_state returns the state of unit's first item in a completeness result. */
static const char *
item_state(json_t *res, const char *unit, const char *field)
{
	json_t *u = unit_row(res, unit);
	json_t *it = u ? json_array_get(json_object_get(u, "items"), 0) : NULL;

	return it ? jget(it, field) : "(no item)";
}

static const char *const monthly_fields =
	"[{\"name\":\"sessions\",\"type\":\"number\",\"required\":true,\"integer\":true,\"min\":0,\"max\":500,"
	"\"label\":\"جلسات هم اندیشی\"},"
	"{\"name\":\"summary\",\"type\":\"text\",\"required\":true,\"max_length\":200},"
	"{\"name\":\"mood\",\"type\":\"choice\",\"choices\":[\"good\",\"fair\",\"poor\"]},"
	"{\"name\":\"budget_used\",\"type\":\"number\",\"min\":0}]";

static void
test_periods(void)
{
	struct jperiod p;
	char a[11], b[11], label[JPERIOD_TEXT_MAX];

	/* Esfand of a leap year has 30 days, of a common year 29. */
	jperiod_parse("1403-12", &p, NULL);
	jperiod_bounds(&p, a, b);
	CHECK_STR(a, "2025-02-19");
	CHECK_STR(b, "2025-03-20");
	jperiod_parse("1404-12", &p, NULL);
	jperiod_bounds(&p, a, b);
	CHECK_STR(a, "2026-02-20");
	CHECK_STR(b, "2026-03-20");
	jperiod_parse("1399-Q4", &p, NULL);
	jperiod_bounds(&p, a, b);
	CHECK_STR(b, "2021-03-20"); /* Esfand 1399, a leap year */
	jperiod_next(&p);
	jperiod_format(&p, label, sizeof(label));
	CHECK_STR(label, "1400-Q1");
	jperiod_parse("1405-01", &p, NULL);
	jperiod_prev(&p);
	jperiod_format(&p, label, sizeof(label));
	CHECK_STR(label, "1404-12");
	today("2026-04-05"); /* 1405-01-16 */
	rep_default_period(label);
	CHECK_STR(label, "1404-12");
	today("2026-11-28");
	rep_default_period(label);
	CHECK_STR(label, "1405-08");
	/* Watermark times are shown in Jalali, Iran time. */
	{
		char t[32];
		jalali_time_text(ms_at("2026-10-28"), t, sizeof(t));
		CHECK_STR(t, "1405-08-06 15:30");
		jalali_time_text(ms_at("2025-03-20") + 10 * 3600 * 1000LL, t, sizeof(t));
		CHECK_STR(t, "1404-01-01 01:30"); /* 22:00 UTC is after midnight in Tehran */
	}
}

static void
test_templates(struct store *ir, struct store *prov)
{
	struct tpl_spec sp = {"monthly", "گزارش ماهانه همیاران", "month", "secretariat", "county", 10,
			      "1403-01", NULL, monthly_fields};
	struct nz_err err = {0};
	char id[NZ_RID_MAX];
	int64_t head = store_log_head(ir);
	int v = 0;
	json_t *t;

	/* Refusals first: none of them writes anything. */
	CHECK_INT(tpl_fields_check("[", NULL, &err), NZ_EINVAL);
	CHECK_INT(tpl_fields_check("[]", NULL, &err), NZ_EINVAL);
	CHECK_INT(tpl_fields_check("{\"name\":\"a\"}", NULL, &err), NZ_EINVAL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"a\",\"type\":\"number\"},{\"name\":\"a\",\"type\":\"text\"}]", NULL,
				   &err),
		  NZ_EINVAL);
	CHECK(strstr(err.msg, "appears twice") != NULL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"a\",\"type\":\"date\"}]", NULL, &err), NZ_EINVAL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"a\",\"type\":\"number\",\"min\":5,\"max\":1}]", NULL, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "above max") != NULL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"a\",\"type\":\"choice\"}]", NULL, &err), NZ_EINVAL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"a\",\"type\":\"choice\",\"choices\":[\"x\",\"x\"]}]", NULL, &err),
		  NZ_EINVAL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"a\",\"type\":\"text\",\"min\":1}]", NULL, &err), NZ_EINVAL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"a\",\"type\":\"text\",\"colour\":1}]", NULL, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "unknown key 'colour'") != NULL);
	CHECK_INT(tpl_fields_check("[{\"name\":\"Bad Name\",\"type\":\"text\"}]", NULL, &err), NZ_EINVAL);
	CHECK_INT(tpl_fields_check(monthly_fields, NULL, &err), 0);
	{
		struct tpl_spec bad = sp;
		bad.period = "weekly";
		CHECK_INT(tpl_add(ir, &bad, "t", id, &err), NZ_EINVAL);
		bad = sp;
		bad.level = "village";
		CHECK_INT(tpl_add(ir, &bad, "t", id, &err), NZ_EINVAL);
		bad = sp;
		bad.from = "1403-Q1"; /* a quarter for a monthly template */
		CHECK_INT(tpl_add(ir, &bad, "t", id, &err), NZ_EINVAL);
		bad = sp;
		bad.code = "Monthly Report";
		CHECK_INT(tpl_add(ir, &bad, "t", id, &err), NZ_EINVAL);
	}
	CHECK_INT(store_log_head(ir), head);
	/* Only national sets templates. */
	CHECK_INT(tpl_add(prov, &sp, "t", id, &err), NZ_EDENIED);
	CHECK(strstr(err.msg, "national") != NULL);

	CHECK_INT(tpl_add(ir, &sp, "t", id, &err), 0);
	CHECK_INT(tpl_add(ir, &sp, "t", id, &err), NZ_EEXIST);
	{
		struct tpl_spec q = {"quarterly", "گزارش فصلی استان", "quarter", "secretariat", "province", 15,
				     "1404-Q1", NULL, "[{\"name\":\"note\",\"type\":\"text\"}]"};
		CHECK_INT(tpl_add(ir, &q, "t", id, &err), 0);
	}
	/* A revision is a new version; the first is kept. */
	{
		struct tpl_spec r = {NULL, NULL, NULL, NULL, NULL, -1, NULL, NULL,
				     "[{\"name\":\"note\",\"type\":\"text\",\"required\":true}]"};
		CHECK_INT(tpl_revise(ir, "quarterly", &r, "t", &v, &err), 0);
		CHECK_INT(v, 2);
		r.level = "county";
		CHECK_INT(tpl_revise(ir, "quarterly", &r, "t", &v, &err), NZ_EINVAL);
	}
	CHECK_INT(tpl_get(ir, "quarterly", 0, &t, &err), 0);
	CHECK_INT(json_integer_value(json_object_get(t, "version")), 2);
	CHECK_STR(jget(t, "from"), "1404-Q1");
	json_decref(t);
	CHECK_INT(tpl_get(ir, "quarterly", 1, &t, &err), 0);
	CHECK(t != NULL && json_array_size(json_object_get(t, "fields")) == 1);
	json_decref(t);
	t = tpl_list(ir, true);
	CHECK_INT(json_array_size(t), 3);
	json_decref(t);
}

static void
test_reports(struct store *ir, struct store *prov, struct store *cty)
{
	struct nz_err err = {0};
	char id[NZ_RID_MAX], rev[NZ_RID_MAX], rev2[NZ_RID_MAX];
	char *good[] = {"sessions=4", "summary=دو جلسه با شورای محله", "mood=good"};
	char *persian[] = {"sessions=۱۲", "summary=x", "budget_used=۱۲٫۵"};
	int64_t nreports;
	json_t *r;

	(void)ir;
	today("2026-11-28"); /* 1405-09-07 */
	nreports = count(cty, "SELECT count(*) FROM report");
	/* Refusals: nothing is written. */
	CHECK_INT(rep_draft(cty, NULL, "nosuch", "1405-07", NULL, 0, NULL, false, "t", id, &err), NZ_ENOTFOUND);
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-Q3", NULL, 0, NULL, false, "t", id, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "quarter") != NULL);
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1402-12", NULL, 0, NULL, false, "t", id, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "applies from 1403-01") != NULL);
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-10", NULL, 0, NULL, false, "t", id, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "not started") != NULL);
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-13", NULL, 0, NULL, false, "t", id, &err), NZ_EINVAL);
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", "گروه جهادی", 0, NULL, false, "t", id, &err),
		  NZ_EINVAL);
	CHECK_INT(rep_draft(cty, NULL, "quarterly", "1405-Q2", NULL, 0, NULL, false, "t", id, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "province units") != NULL);
	{
		char *bad1[] = {"sessions=4.5"};
		char *bad2[] = {"sessions=900"};
		char *bad3[] = {"mood=excellent"};
		char *bad4[] = {"colour=red"};
		char *bad5[] = {"sessions"};
		char *bad6[] = {"budget_used=-1"};
		char *bad7[] = {"sessions=abc"};
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, bad1, false, "t", id, &err), NZ_EINVAL);
		CHECK(strstr(err.msg, "whole number") != NULL);
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, bad2, false, "t", id, &err), NZ_EINVAL);
		CHECK(strstr(err.msg, "most allowed is 500") != NULL);
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, bad3, false, "t", id, &err), NZ_EINVAL);
		CHECK(strstr(err.msg, "good, fair, poor") != NULL);
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, bad4, false, "t", id, &err), NZ_EINVAL);
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, bad5, false, "t", id, &err), NZ_EINVAL);
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, bad6, false, "t", id, &err), NZ_EINVAL);
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, bad7, false, "t", id, &err), NZ_EINVAL);
		/* Submitting needs every required field. */
		CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 1, good, true, "t", id, &err), NZ_EINVAL);
		CHECK(strstr(err.msg, "summary") != NULL);
	}
	/* A county may not write a sibling's report. */
	CHECK_INT(rep_draft(cty, "IR-07-02", "monthly", "1405-07", NULL, 3, good, true, "t", id, &err), NZ_EDENIED);
	CHECK_INT(count(cty, "SELECT count(*) FROM report"), nreports);

	/* Due dates across the year's end: Esfand of a leap year and of a common one. */
	today("2025-03-25");
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1403-12", NULL, 3, good, true, "t", id, &err), 0);
	CHECK_INT(rep_show(cty, id, &r, &err), 0);
	CHECK_STR(jget(r, "period_end"), "1403-12-30");
	CHECK_STR(jget(r, "due"), "1404-01-10");
	CHECK_STR(jget(r, "state"), "submitted");
	CHECK(json_is_true(json_object_get(r, "on_time")));
	json_decref(r);
	today("2026-04-10"); /* 1405-01-21: after the due date */
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1404-12", NULL, 3, good, true, "t", id, &err), 0);
	CHECK_INT(rep_show(cty, id, &r, &err), 0);
	CHECK_STR(jget(r, "period_end"), "1404-12-29");
	CHECK_STR(jget(r, "due"), "1405-01-10");
	CHECK(json_is_false(json_object_get(r, "on_time")));
	json_decref(r);

	/* Draft, edit, submit, lock, revise. */
	today("2026-10-25"); /* 1405-08-03, before 1405-07's due date 1405-08-10 */
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 3, persian, false, "t", id, &err), 0);
	CHECK_INT(rep_show(cty, id, &r, &err), 0);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(r, "data"), "sessions")), 12);
	CHECK(json_real_value(json_object_get(json_object_get(r, "data"), "budget_used")) == 12.5);
	json_decref(r);
	CHECK_INT(rep_draft(cty, NULL, "monthly", "1405-07", NULL, 3, good, false, "t", rev, &err), NZ_EEXIST);
	CHECK(strstr(err.msg, id) != NULL);
	{
		char *clear[] = {"budget_used=", "sessions=5"};
		CHECK_INT(rep_set(cty, id, 2, clear, "t", &err), 0);
	}
	CHECK_INT(rep_revise(cty, id, "typo", 0, NULL, "t", rev, &err), NZ_ESTATE); /* a draft */
	CHECK_INT(rep_submit(cty, id, "t", &err), 0);
	CHECK_INT(rep_submit(cty, id, "t", &err), NZ_ESTATE);
	CHECK_INT(rep_set(cty, id, 1, good, "t", &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "locked") != NULL);
	CHECK_INT(rep_show(cty, id, &r, &err), 0);
	CHECK(json_object_get(json_object_get(r, "data"), "budget_used") == NULL);
	CHECK_STR(jget(r, "submitted"), "1405-08-03");
	json_decref(r);

	today("2026-10-27");
	CHECK_INT(rep_revise(cty, id, "", 0, NULL, "t", rev, &err), NZ_EINVAL);
	{
		char *fix[] = {"sessions=6"};
		CHECK_INT(rep_revise(cty, id, "شمار جلسات اصلاح شد", 1, fix, "t", rev, &err), 0);
	}
	CHECK_INT(rep_revise(cty, id, "again", 0, NULL, "t", rev2, &err), NZ_ESTATE); /* one correction at a time */
	CHECK_INT(rep_submit(cty, rev, "t", &err), 0);
	CHECK_INT(rep_show(cty, id, &r, &err), 0);
	CHECK_STR(jget(r, "state"), "superseded");
	CHECK_INT(json_integer_value(json_object_get(json_object_get(r, "data"), "sessions")), 5);
	CHECK_INT(json_array_size(json_object_get(r, "revisions")), 2);
	json_decref(r);
	CHECK_INT(rep_show(cty, rev, &r, &err), 0);
	CHECK_INT(json_integer_value(json_object_get(r, "revision")), 2);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(r, "data"), "sessions")), 6);
	CHECK_STR(jget(r, "supersedes"), id);
	json_decref(r);
	r = rep_list(cty, NULL, "1405-07", NULL, true, &err);
	CHECK_INT(json_array_size(r), 1);
	json_decref(r);
	r = rep_list(cty, NULL, "1405-Q3", NULL, false, &err); /* a quarter holds its months */
	CHECK_INT(json_array_size(r), 2);
	json_decref(r);
	/* A parent may enter a child's report (a paper report brought in). */
	today("2026-11-10"); /* after the due date: late */
	CHECK_INT(rep_draft(prov, "IR-07-05", "monthly", "1405-07", NULL, 3, good, true, "t", id, &err), 0);
}

static void
test_completeness(struct store *ir, struct store *prov, struct store *cty)
{
	struct nz_err err = {0};
	json_t *res;
	struct jperiod p;
	int64_t e, r;

	(void)ir;
	t_copy_log(cty, prov, false);
	/* IR-07-02 synced after the due date: a missing report is not submitted.
	 * IR-07-03 last synced before it: unknown since then.  IR-07-04 never. */
	set_peer(prov, "IR-07-01", ms_at("2026-11-27"));
	set_peer(prov, "IR-07-02", ms_at("2026-11-20"));
	set_peer(prov, "IR-07-03", ms_at("2026-10-28"));
	set_peer(prov, "IR-07-04", 0);
	today("2026-11-28");
	res = cpl_compute(prov, NULL, "1405-07", 0, &err);
	CHECK(res != NULL);
	if (res == NULL) {
		printf("# %s\n", err.msg);
		return;
	}
	CHECK_INT(cnt(res, "IR-07", "total", "expected"), 5);
	CHECK_INT(cnt(res, "IR-07", "total", "received"), 2);
	CHECK_INT(cnt(res, "IR-07", "total", "on_time"), 1);
	CHECK_INT(cnt(res, "IR-07", "total", "late"), 1);
	CHECK_INT(cnt(res, "IR-07", "total", "not_submitted"), 1);
	CHECK_INT(cnt(res, "IR-07", "total", "unknown"), 2);
	CHECK_INT(cnt(res, "IR-07", "own", "expected"), 0); /* the template is for counties */
	CHECK_STR(item_state(res, "IR-07-01", "state"), "received");
	CHECK_STR(item_state(res, "IR-07-01", "review"), "pending");
	CHECK_STR(item_state(res, "IR-07-02", "state"), "not_submitted");
	CHECK_STR(item_state(res, "IR-07-03", "state"), "unknown");
	CHECK_STR(item_state(res, "IR-07-03", "since"), "1405-08-06 15:30");
	CHECK_STR(item_state(res, "IR-07-04", "state"), "unknown");
	CHECK_STR(item_state(res, "IR-07-04", "since"), "never");
	CHECK_INT(cnt(res, "IR-07", "total", "never_heard"), 1);
	CHECK_STR(item_state(res, "IR-07-05", "state"), "received");
	json_decref(res);

	/* Before the due date nothing is missing yet. */
	today("2026-10-30");
	res = cpl_compute(prov, NULL, "1405-07", 0, &err);
	CHECK_INT(cnt(res, "IR-07", "total", "not_due"), 3);
	CHECK_INT(cnt(res, "IR-07", "total", "unknown"), 0);
	json_decref(res);
	today("2026-11-28");

	/* A quarter counts its three months (and the province's quarterly report). */
	res = cpl_compute(prov, NULL, "1405-Q3", 1, &err);
	CHECK_INT(cnt(res, "IR-07", "total", "expected"), 5 * 3 + 1);
	CHECK_INT(cnt(res, "IR-07", "own", "expected"), 1);
	json_decref(res);

	/* Bad input. */
	CHECK(cpl_compute(prov, "IR-08", "1405-07", 0, &err) == NULL);
	CHECK_INT(err.code, NZ_EDENIED);
	CHECK(cpl_compute(prov, NULL, "1405-13", 0, &err) == NULL);

	/* At national, a county's freshness is what its province saw, carried up as
	 * data: the same answers as at the province, whenever the province itself
	 * last synced. */
	t_copy_log(prov, ir, false);
	set_peer(ir, "IR-07", ms_at("2026-10-20")); /* before the due date */
	res = cpl_compute(ir, "IR-07", "1405-07", 0, &err);
	CHECK_STR(jget(unit_row(res, "IR-07-02"), "via"), "IR-07");
	CHECK_STR(jget(unit_row(res, "IR-07-02"), "data_as_of"), "1405-08-29 15:30");
	CHECK_STR(jget(json_object_get(unit_row(res, "IR-07-02"), "freshness"), "observer"), "IR-07");
	CHECK_INT(cnt(res, "IR-07", "total", "received"), 2);
	CHECK_INT(cnt(res, "IR-07", "total", "not_submitted"), 1);
	CHECK_INT(cnt(res, "IR-07", "total", "unknown"), 2);
	CHECK_INT(cnt(res, "IR-07", "total", "never_heard"), 1);
	CHECK_STR(item_state(res, "IR-07-02", "state"), "not_submitted");
	CHECK_STR(item_state(res, "IR-07-03", "since"), "1405-08-06 15:30");
	CHECK_STR(item_state(res, "IR-07-04", "since"), "never");
	/* Never heard from: IR-07-04, and IR-07-05 whose report the province entered. */
	CHECK_INT(json_integer_value(json_object_get(json_object_get(res, "freshness"), "never_heard")), 2);
	CHECK_STR(jget(json_object_get(res, "freshness"), "oldest_unit"), "IR-07-03");
	json_decref(res);
	set_peer(ir, "IR-07", ms_at("2026-11-27"));
	res = cpl_compute(ir, NULL, "1405-07", 0, &err);
	CHECK_INT(cnt(res, "IR-07", "total", "not_submitted"), 1);
	CHECK_INT(cnt(res, "IR", "total", "expected"), 5);
	json_decref(res);

	/* The data-only count used by allocation reads no clock and no peer. */
	jperiod_parse("1405-07", &p, NULL);
	CHECK_INT(cpl_counts(prov, "IR-07", &p, &e, &r, &err), 0);
	CHECK_INT(r, 2);
	CHECK_INT(e, 5);
	CHECK_INT(cpl_counts(ir, "IR-07", &p, &e, &r, &err), 0);
	CHECK_INT(r, 2);
	CHECK_INT(e, 5);
}

static void
test_approval(struct store *ir, struct store *prov, struct store *cty)
{
	struct nz_err err = {0};
	bool require = true;
	char id[NZ_RID_MAX], draft[NZ_RID_MAX], fixed[NZ_RID_MAX];
	char *good[] = {"sessions=4", "summary=ok"};
	json_t *rows;
	size_t i;
	json_t *x;
	char r1[NZ_RID_MAX] = "", r5[NZ_RID_MAX] = "";

	today("2026-11-28");
	rows = rep_list(prov, NULL, "1405-07", "monthly", true, &err);
	json_array_foreach(rows, i, x) {
		if (strcmp(jget(x, "owner"), "IR-07-01") == 0)
			snprintf(r1, sizeof(r1), "%s", jget(x, "id"));
		if (strcmp(jget(x, "owner"), "IR-07-05") == 0)
			snprintf(r5, sizeof(r5), "%s", jget(x, "id"));
	}
	json_decref(rows);
	CHECK(r1[0] != '\0' && r5[0] != '\0');

	/* Only the owner's parent reviews. */
	CHECK_INT(rep_review(cty, r1, true, NULL, "t", &err), NZ_EDENIED);
	t_copy_log(prov, ir, false);
	CHECK_INT(rep_review(ir, r1, true, NULL, "t", &err), NZ_EDENIED);
	CHECK(strstr(err.msg, "reviewed by IR-07") != NULL);
	/* A draft is not reviewed; a return needs its reason. */
	today("2026-11-01");
	CHECK_INT(rep_draft(prov, "IR-07-02", "monthly", "1405-07", NULL, 1, good, false, "t", draft, &err), 0);
	today("2026-11-28");
	CHECK_INT(rep_review(prov, draft, true, NULL, "t", &err), NZ_ESTATE);
	CHECK_INT(rep_review(prov, r5, false, NULL, "t", &err), NZ_EINVAL);
	/* The superseded revision of IR-07-01 is not reviewed, its latest is. */
	{
		json_t *r = NULL;
		CHECK_INT(rep_show(prov, r1, &r, &err), 0);
		const char *old = jget(r, "supersedes");
		CHECK_INT(rep_review(prov, old, true, NULL, "t", &err), NZ_ESTATE);
		CHECK(strstr(err.msg, "superseded") != NULL);
		json_decref(r);
	}
	CHECK_INT(rep_review(prov, r1, true, "خوب", "t", &err), 0);
	CHECK_INT(rep_review(prov, r1, true, NULL, "t", &err), NZ_ESTATE);
	CHECK_INT(rep_review(prov, r1, false, "too late", "t", &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "already accepted") != NULL);
	/* The acceptance reaches the county; the report is locked there. */
	t_copy_log(prov, cty, false);
	CHECK_INT(rep_revise(cty, r1, "one more fix", 0, NULL, "t", id, &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "accepted") != NULL);

	/* Returned, corrected, accepted. */
	CHECK_INT(rep_review(prov, r5, false, "شمار جلسات را بنویسید", "t", &err), 0);
	CHECK_INT(rep_revise(prov, r5, "corrected", 0, NULL, "t", fixed, &err), 0);
	CHECK_INT(rep_submit(prov, fixed, "t", &err), 0);
	CHECK_INT(rep_review(prov, fixed, true, NULL, "t", &err), 0);

	/* The province approves a county's period once that county's reports are accepted. */
	CHECK_INT(period_approve(prov, "IR-07-02", "1405-07", NULL, require, "t", &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "0 of 1") != NULL);
	CHECK_INT(period_approve(prov, "IR-07-01", "1405-07", NULL, require, "t", &err), 0);
	CHECK_INT(period_approve(prov, "IR-07-01", "1405-07", NULL, require, "t", &err), NZ_EEXIST);
	CHECK_INT(period_approve(prov, "IR-07-01", "1405-09", NULL, require, "t", &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "not ended") != NULL);

	/* National approves the province's consolidated period: not while counties are missing. */
	t_copy_log(prov, ir, false);
	CHECK_INT(period_approve(prov, "IR-07", "1405-07", NULL, require, "t", &err), NZ_EDENIED);
	CHECK_INT(period_approve(ir, "IR-07-01", "1405-07", NULL, require, "t", &err), NZ_EDENIED);
	CHECK_INT(period_approve(ir, "IR-07", "1405-07", NULL, require, "t", &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "2 of 5 expected reports are accepted") != NULL);
	CHECK(strstr(err.msg, "IR-07-03") != NULL);
	CHECK_INT(count(ir, "SELECT count(*) FROM period_approval WHERE owner = 'IR-07'"), 0);
	/* Configured not to wait for the children ([reports] require_children_accepted = false). */
	require = false;
	CHECK_INT(period_approve(ir, "IR-07", "1405-07", "approved with gaps", require, "t", &err), 0);
	/* The approval reaches the province and locks the period's reports there. */
	t_copy_log(ir, prov, false);
	CHECK_INT(rep_submit(prov, draft, "t", &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "approved") != NULL);
	CHECK_INT(rep_revise(prov, fixed, "late fix", 0, NULL, "t", id, &err), NZ_ESTATE);
	rows = period_approval_list(prov, NULL, "1405-Q3", &err);
	CHECK_INT(json_array_size(rows), 2);
	json_decref(rows);
	rows = period_approval_list(ir, "IR-07", "1405-07", &err);
	CHECK_INT(json_array_size(rows), 2);
	json_decref(rows);
	/* Left for the province to review: the county's Esfand reports, nothing of 1405-07. */
	rows = rep_pending(prov);
	CHECK_INT(json_array_size(rows), 2);
	json_array_foreach(rows, i, x)
		CHECK(strcmp(jget(x, "period"), "1405-07") != 0 && strcmp(jget(x, "owner"), "IR-07-01") == 0);
	json_decref(rows);
}

/* A template reported by each appointed helper group: one report per active appointment. */
static void
test_helpers(struct store *ir, struct store *prov)
{
	struct tpl_spec h = {"helpers", "گزارش همیاران", "month", "helper", "county", 5, "1405-01", NULL,
			     "[{\"name\":\"note\",\"type\":\"text\"}]"};
	static const char *const groups[][2] = {
		{"گروه جهادی الف", "active"}, {"کانون مسجد", "active"}, {"هیئت قدیم", "revoked"}};
	struct nz_err err = {0};
	char id[NZ_RID_MAX];
	json_t *res, *u, *it;
	size_t i;
	int k;

	today("2026-10-20");
	CHECK_INT(tpl_add(ir, &h, "t", id, &err), 0);
	t_copy_log(ir, prov, false);
	for (k = 0; k < 3; k++) {
		struct colset *cs = colset_new();
		colset_text(cs, "group_name", groups[k][0]);
		colset_text(cs, "status", groups[k][1]);
		store_new_id(id);
		CHECK_INT(store_write(prov, "sel_appointment", id, "IR-07-03", cs, "t", &err), 0);
		colset_free(cs);
	}
	today("2026-11-20"); /* 1405-08-29 */
	CHECK_INT(rep_draft(prov, "IR-07-03", "helpers", "1405-08", NULL, 0, NULL, true, "t", id, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "each helper group") != NULL);
	CHECK_INT(rep_draft(prov, "IR-07-03", "helpers", "1405-08", "کانون مسجد", 0, NULL, true, "t", id, &err), 0);
	CHECK_INT(rep_draft(prov, "IR-07-03", "helpers", "1405-08", "کانون مسجد", 0, NULL, true, "t", id, &err),
		  NZ_EEXIST);
	today("2026-11-28");
	res = cpl_compute(prov, "IR-07-03", "1405-08", 0, &err);
	CHECK_STR(jget(res, "helper_groups"), "appointments");
	CHECK_INT(cnt(res, "IR-07-03", "own", "expected"), 1 + 2); /* the monthly report and two groups */
	CHECK_INT(cnt(res, "IR-07-03", "own", "received"), 1);
	/* The group's report was due 1405-09-04, after the county's last sync; the monthly one is not due yet. */
	CHECK_INT(cnt(res, "IR-07-03", "own", "unknown"), 1);
	CHECK_INT(cnt(res, "IR-07-03", "own", "not_due"), 1);
	u = unit_row(res, "IR-07-03");
	it = NULL;
	json_array_foreach(json_object_get(u, "items"), i, it)
		if (strcmp(jget(it, "template"), "helpers") == 0 && strcmp(jget(it, "state"), "received") != 0)
			break;
	CHECK(it != NULL && json_array_size(json_object_get(it, "groups")) == 1);
	CHECK_STR(it ? json_string_value(json_array_get(json_object_get(it, "groups"), 0)) : NULL, "گروه جهادی الف");
	json_decref(res);
}

/* mkunits writes a small org-unit tree at national, as an import would. */
static void
mkunits(struct store *ir)
{
	static const char *const ids[] = {"IR-07", "IR-07-01", "IR-07-02", "IR-07-03", "IR-07-04", "IR-07-05", NULL};
	struct nz_err err = {0};
	int i;

	for (i = 0; ids[i] != NULL; i++) {
		struct colset *cs = colset_new();
		colset_text(cs, "parent", i == 0 ? "IR" : "IR-07");
		colset_int(cs, "level", i == 0 ? 1 : 2);
		colset_text(cs, "name_fa", i == 0 ? "فارس" : "شهرستان");
		if (i == 0)
			colset_int(cs, "population", 4851274);
		else
			colset_null(cs, "population");
		if (store_write(ir, "orgunit", ids[i], "IR", cs, "t", &err) != 0)
			printf("# orgunit %s: %s\n", ids[i], err.msg);
		colset_free(cs);
	}
}

int
main(void)
{
	struct store *ir, *prov, *cty;

	tmp = t_tmpdir();
	setenv("NEHZAT_TODAY", "2026-11-28", 1);
	ir = mkstore("IR");
	prov = mkstore("IR-07");
	cty = mkstore("IR-07-01");
	test_periods();
	test_templates(ir, prov);
	mkunits(ir);
	t_copy_log(ir, prov, false);
	t_copy_log(ir, cty, false);
	test_reports(ir, prov, cty);
	test_completeness(ir, prov, cty);
	test_approval(ir, prov, cty);
	test_helpers(ir, prov);
	store_close(cty);
	store_close(prov);
	store_close(ir);
	TEST_DONE();
}
