/*
 * Monitoring reports over HTTP (رصد و گزارش): templates, reports and their
 * review, completeness and timeliness, period approval, indicators and
 * resource allocation.  Periods are Jalali ("1405-08", "1405-Q3").  A
 * helper sees and writes only its own group's reports.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/allocate.h"
#include "domain/reports.h"
#include "http/http_int.h"

#define AUTHOR (a->user.name)

static bool
is_helper(const struct api *a)
{
	return a->user.role == ROLE_HELPER;
}

/*
 * mine reports whether report r (a record or its listing: the group is in
 * "grp", "" for the secretariat's own) belongs to the helper's group.  A
 * helper created without a group owns no report: never the secretariat's.
 */
static bool
mine(const struct api *a, json_t *r)
{
	const char *g = json_string_value(json_object_get(r, "grp"));

	return a->user.group[0] != '\0' && g != NULL && strcmp(g, a->user.group) == 0;
}

/* GET /templates?all= */
static void
tpl_ls(struct api *a)
{
	const char *all = api_query(a, "all");

	api_list(a, tpl_list(a->st, all && strcmp(all, "0") != 0));
}

/* GET /templates/:code?version= */
static void
tpl_one(struct api *a)
{
	int v = (int)api_qint(a, "version", 0, 0, 1000000);
	struct nz_err err = {0};
	json_t *j = NULL;

	if (!api_bad(a))
		api_found(a, tpl_get(a->st, a->param[0], v, &j, &err), j, &err);
}

/* tpl_read fills sp from the body; fields may come as JSON (kept as text). */
static void
tpl_read(struct api *a, struct tpl_spec *sp, char **fields, bool add)
{
	json_t *f = json_object_get(a->body, "fields");

	memset(sp, 0, sizeof(*sp));
	sp->title = api_str(a, "title", add);
	sp->period = api_str(a, "period", add);
	sp->reporter = api_str(a, "reporter", false);
	sp->level = api_str(a, "level", false);
	sp->due_days = (int)api_int(a, "due_days", add ? 10 : -1, 0, REP_DUE_DAYS_MAX, false);
	sp->from = api_str(a, "from", false);
	sp->until = api_str(a, "until", false);
	*fields = NULL;
	if (f == NULL && add)
		api_error(a, 400, "missing", "fields", "fields is required");
	else if (f != NULL)
		*fields = json_is_string(f) ? strdup(json_string_value(f)) : json_dumps(f, JSON_COMPACT);
	sp->fields = *fields;
}

/* POST /templates {code, title, period, reporter, level, due_days, from, until, fields} */
static void
tpl_new(struct api *a)
{
	struct tpl_spec sp;
	char *fields, id[NZ_RID_MAX] = "";
	struct nz_err err = {0};

	tpl_read(a, &sp, &fields, true);
	sp.code = api_str(a, "code", true);
	if (!api_bad(a))
		api_result(a, tpl_add(a->st, &sp, AUTHOR, id, &err), id, &err);
	free(fields);
}

/* POST /templates/:code/revise {...changes} */
static void
tpl_rev(struct api *a)
{
	struct tpl_spec sp;
	char *fields;
	struct nz_err err = {0};
	int version = 0;

	tpl_read(a, &sp, &fields, false);
	if (!api_bad(a)) {
		if (tpl_revise(a->st, a->param[0], &sp, AUTHOR, &version, &err) != 0)
			api_fail(a, &err);
		else
			api_json(a, 200, json_pack("{s:b, s:i}", "ok", 1, "version", version));
	}
	free(fields);
}

/* POST /templates/:code/retire {last} */
static void
tpl_ret(struct api *a)
{
	const char *last = api_str(a, "last", false);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, tpl_retire(a->st, a->param[0], last, AUTHOR, &err), a->param[0], &err);
}

/* GET /reports?under=&period=&code=&current= */
static void
rep_ls(struct api *a)
{
	const char *under = api_under(a), *cur = api_query(a, "current");
	struct nz_err err = {0};
	json_t *r, *keep, *x;
	size_t i;

	if (under == NULL)
		return;
	if ((r = rep_list(a->st, under, api_query(a, "period"), api_query(a, "code"), !cur || strcmp(cur, "0") != 0,
			  &err)) == NULL) {
		api_fail(a, &err);
		return;
	}
	if (is_helper(a)) {
		keep = json_array();
		json_array_foreach(r, i, x)
			if (mine(a, x))
				json_array_append(keep, x);
		json_decref(r);
		r = keep;
	}
	api_list(a, r);
}

/* helper_owns refuses (403) a helper's access to another group's report. */
static bool
helper_owns(struct api *a, json_t *rep)
{
	if (!is_helper(a) || rep == NULL || mine(a, rep))
		return true;
	api_error(a, 403, "forbidden", NULL, "a helper sees only its own group's reports");
	return false;
}

/* GET /reports/:id */
static void
rep_one(struct api *a)
{
	struct nz_err err = {0};
	json_t *r;
	int rc = rep_show(a->st, a->param[0], &r, &err);

	if (!helper_owns(a, r)) {
		json_decref(r);
		return;
	}
	api_found(a, rc, r, &err);
}

/* POST /reports {unit, code, period, group, values: {}, submit} */
static void
rep_new(struct api *a)
{
	const char *unit = api_str(a, "unit", false), *code = api_str(a, "code", true);
	const char *period = api_str(a, "period", true), *group = api_str(a, "group", false);
	bool submit = api_bool(a, "submit", false);
	char id[NZ_RID_MAX] = "", **pairs = NULL;
	struct nz_err err = {0};
	int n;

	if (api_bad(a))
		return;
	if (is_helper(a)) {
		if (a->user.group[0] == '\0') {
			api_error(a, 403, "forbidden", "group",
				  "helper %s belongs to no helper group, so it files no report; create it with --group (its appointment)",
				  a->user.name);
			return;
		}
		if (group != NULL && strcmp(group, a->user.group) != 0) {
			api_error(a, 403, "forbidden", "group", "a helper reports only for its own group");
			return;
		}
		group = a->user.group;
	}
	if ((n = api_pairs(a, "values", &pairs, false)) < 0)
		return;
	api_result(a, rep_draft(a->st, unit, code, period, group, n, pairs, submit, AUTHOR, id, &err), id, &err);
	api_pairs_free(pairs, n);
}

/* load_owned answers 404/403 unless the user may change report id. */
static bool
load_owned(struct api *a)
{
	struct nz_err err = {0};
	json_t *r;
	bool ok;

	if (rep_show(a->st, a->param[0], &r, &err) != 0) {
		api_fail(a, &err);
		return false;
	}
	ok = helper_owns(a, r);
	json_decref(r);
	return ok;
}

/* PATCH /reports/:id {values} */
static void
rep_edit(struct api *a)
{
	struct nz_err err = {0};
	char **pairs;
	int n;

	if (!load_owned(a) || (n = api_pairs(a, "values", &pairs, true)) < 0)
		return;
	api_result(a, rep_set(a->st, a->param[0], n, pairs, AUTHOR, &err), a->param[0], &err);
	api_pairs_free(pairs, n);
}

/* POST /reports/:id/submit */
static void
rep_sub(struct api *a)
{
	struct nz_err err = {0};

	if (load_owned(a))
		api_result(a, rep_submit(a->st, a->param[0], AUTHOR, &err), a->param[0], &err);
}

/* POST /reports/:id/revise {reason, values} */
static void
rep_rev(struct api *a)
{
	const char *reason = api_str(a, "reason", true);
	char newid[NZ_RID_MAX] = "", **pairs = NULL;
	struct nz_err err = {0};
	int n;

	if (api_bad(a) || !load_owned(a) || (n = api_pairs(a, "values", &pairs, false)) < 0)
		return;
	api_result(a, rep_revise(a->st, a->param[0], reason, n, pairs, AUTHOR, newid, &err), newid, &err);
	api_pairs_free(pairs, n);
}

/* POST /reports/:id/review {accept, note} */
static void
rep_rv(struct api *a)
{
	bool accept;
	const char *note = api_str(a, "note", false);
	struct nz_err err = {0};

	if (json_object_get(a->body, "accept") == NULL) {
		api_error(a, 400, "missing", "accept", "accept is required (true to accept, false to return)");
		return;
	}
	accept = api_bool(a, "accept", false);
	if (!api_bad(a))
		api_result(a, rep_review(a->st, a->param[0], accept, note, AUTHOR, &err), a->param[0], &err);
}

/* GET /reports/pending */
static void
rep_pend(struct api *a)
{
	api_list(a, rep_pending(a->st));
}

/* GET /completeness?under=&period=&depth= */
static void
cpl(struct api *a)
{
	const char *under = api_under(a);
	int depth = (int)api_qint(a, "depth", 0, 0, 10);
	struct nz_err err = {0};
	json_t *j;

	if (under == NULL || api_bad(a))
		return;
	if ((j = cpl_compute(a->st, under, api_query(a, "period"), depth, &err)) == NULL)
		api_fail(a, &err);
	else
		api_json(a, 200, j);
}

/* POST /periods/approve {unit, period, note} */
static void
approve(struct api *a)
{
	const char *unit = api_str(a, "unit", true), *period = api_str(a, "period", true);
	const char *note = api_str(a, "note", false);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, period_approve(a->st, unit, period, note, a->app->env.require_children_accepted, AUTHOR,
					     &err),
			   NULL, &err);
}

/* GET /periods/approvals?under=&period= */
static void
approvals(struct api *a)
{
	const char *under = api_under(a);
	struct nz_err err = {0};
	json_t *j;

	if (under == NULL)
		return;
	if ((j = period_approval_list(a->st, under, api_query(a, "period"), &err)) == NULL)
		api_fail(a, &err);
	else
		api_list(a, j);
}

/* GET /indicators?all= */
static void
ind_ls(struct api *a)
{
	const char *all = api_query(a, "all");

	api_list(a, ind_list(a->st, all && strcmp(all, "0") != 0));
}

/* POST /indicators {code, title, source, weight} (national) */
static void
ind_put(struct api *a)
{
	const char *code = api_str(a, "code", true), *title = api_str(a, "title", false);
	const char *source = api_str(a, "source", true);
	long long w = api_int(a, "weight", 0, 0, 1000000, true);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, ind_set(a->st, code, title, source, w, AUTHOR, &err), code, &err);
}

/* DELETE /indicators/:code (national) */
static void
ind_del(struct api *a)
{
	struct nz_err err = {0};

	api_result(a, ind_remove(a->st, a->param[0], AUTHOR, &err), a->param[0], &err);
}

/* GET /allocation?budget=&level=&under=&period=&unknown=refuse|exclude|zero */
static void
alloc(struct api *a)
{
	const char *under = api_under(a), *level = api_query(a, "level");
	long long budget = api_qint(a, "budget", 0, 1, 1000000000000000000LL);
	struct nz_err err = {0};
	enum alloc_unknown unknown;
	json_t *j;

	if (under == NULL || api_bad(a))
		return;
	if (budget == 0) {
		api_error(a, 400, "missing", "budget", "budget must be a positive whole number of rials");
		return;
	}
	if (level == NULL)
		level = unit_level(under) == NZ_LEVEL_NATIONAL ? "province" : "county";
	if (alloc_unknown_parse(api_query(a, "unknown") ? api_query(a, "unknown") : "refuse", &unknown, &err) != 0) {
		api_error(a, 400, "invalid", "unknown", "%s", err.msg);
		return;
	}
	if ((j = alloc_compute(a->st, budget, level, under, api_query(a, "period"), unknown, &err)) == NULL)
		api_fail(a, &err);
	else
		api_json(a, 200, j);
}

const struct route api_rep_routes[] = {
	{"GET", "templates", R_ANY, tpl_ls},
	{"POST", "templates", R_WORK, tpl_new},
	{"GET", "templates/:code", R_ANY, tpl_one},
	{"POST", "templates/:code/revise", R_WORK, tpl_rev},
	{"POST", "templates/:code/retire", R_WORK, tpl_ret},
	{"GET", "reports", R_ANY, rep_ls},
	{"POST", "reports", R_FIELD, rep_new},
	{"GET", "reports/pending", R_WORK | R_VIEWER, rep_pend},
	{"GET", "reports/:id", R_ANY, rep_one},
	{"PATCH", "reports/:id", R_FIELD, rep_edit},
	{"POST", "reports/:id/submit", R_FIELD, rep_sub},
	{"POST", "reports/:id/revise", R_FIELD, rep_rev},
	{"POST", "reports/:id/review", R_WORK, rep_rv},
	{"GET", "completeness", R_ANY, cpl},
	{"POST", "periods/approve", R_WORK, approve},
	{"GET", "periods/approvals", R_ANY, approvals},
	{"GET", "indicators", R_ANY, ind_ls},
	{"POST", "indicators", R_WORK, ind_put},
	{"DELETE", "indicators/:code", R_WORK, ind_del},
	{"GET", "allocation", R_ANY, alloc},
	{NULL, NULL, 0, NULL},
};
