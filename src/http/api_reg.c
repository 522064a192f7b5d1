/*
 * The issue register over HTTP (نظام مسائل): problems, deliberation
 * sessions and their scores, solutions, council decisions, interventions,
 * evaluations, organisations' introductions, standards and the consolidated
 * summary.  The resources declared once (organisations, facilitators, actors)
 * are api_res.c's.
 * Dates may be sent in Jalali or ISO, as the domain reads them.
 */
#include <stdlib.h>
#include <string.h>

#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/register.h"
#include "http/http_int.h"

#define AUTHOR (a->user.name)

/* GET /issues?under=&state=&category= */
static void
issue_ls(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, issue_list(a->st, under, api_query(a, "state"), api_query(a, "category")));
}

/* POST /issues {title, description, category, area, neighbourhood, source, session, people} */
static void
issue_new(struct api *a)
{
	struct issue_input in;
	char id[NZ_RID_MAX] = "";
	struct nz_err err = {0};

	memset(&in, 0, sizeof(in));
	in.title = api_str(a, "title", true);
	in.description = api_str(a, "description", false);
	in.category = api_str(a, "category", false);
	in.area = api_str(a, "area", false);
	in.neighbourhood = api_str(a, "neighbourhood", false);
	in.source = api_str(a, "source", false);
	in.session = api_str(a, "session", false);
	in.people = api_int(a, "people", -1, 0, 100000000, false);
	if (!api_bad(a))
		api_result(a, issue_create(a->st, &in, AUTHOR, id, &err), id, &err);
}

/* GET /issues/:id */
static void
issue_one(struct api *a)
{
	struct nz_err err = {0};
	json_t *j;
	int rc = issue_get(a->st, a->param[0], &j, &err);

	api_found(a, rc, j, &err);
}

/* PATCH /issues/:id {fields: {name: value}} */
static void
issue_edit(struct api *a)
{
	struct nz_err err = {0};
	char **pairs;
	int n = api_pairs(a, "fields", &pairs, true);

	if (n < 0)
		return;
	api_result(a, issue_set(a->st, a->param[0], n, pairs, AUTHOR, &err), a->param[0], &err);
	api_pairs_free(pairs, n);
}

/* POST /issues/:id/close {reason} */
static void
issue_shut(struct api *a)
{
	const char *reason = api_str(a, "reason", true);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, issue_close(a->st, a->param[0], reason, AUTHOR, &err), a->param[0], &err);
}

/* GET /categories, GET /criteria */
static void
cat_ls(struct api *a)
{
	api_list(a, category_list(a->st));
}

static void
crit_ls(struct api *a)
{
	api_list(a, criterion_list(a->st));
}

/* POST /categories {code, name_fa, name_en, active} (national) */
static void
cat_put(struct api *a)
{
	const char *code = api_str(a, "code", true), *fa = api_str(a, "name_fa", false);
	const char *en = api_str(a, "name_en", false);
	bool add = api_bool(a, "add", true);
	int active = json_object_get(a->body, "active") ? api_bool(a, "active", true) : -1;
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, category_put(a->st, add, code, fa, en, active, AUTHOR, &err), code, &err);
}

/* POST /criteria {code, name_fa, name_en, weight, scale_max, active} (national) */
static void
crit_put(struct api *a)
{
	const char *code = api_str(a, "code", true), *fa = api_str(a, "name_fa", false);
	const char *en = api_str(a, "name_en", false);
	bool add = api_bool(a, "add", true);
	double w = api_num(a, "weight", -1, 0, 1e6, false);
	int scale = (int)api_int(a, "scale_max", 0, 0, 100, false);
	int active = json_object_get(a->body, "active") ? api_bool(a, "active", true) : -1;
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, criterion_put(a->st, add, code, fa, en, w, scale, active, AUTHOR, &err), code, &err);
}

/* POST /standards/register/seed (national) */
static void
seed(struct api *a)
{
	struct nz_err err = {0};
	int ncat = 0, ncrit = 0;

	if (reg_seed_standards(a->st, AUTHOR, &ncat, &ncrit, &err) != 0)
		api_fail(a, &err);
	else
		api_json(a, 200, json_pack("{s:b, s:i, s:i}", "ok", 1, "categories", ncat, "criteria", ncrit));
}

/* GET /sessions?under= */
static void
sess_ls(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, session_list(a->st, under));
}

/* POST /sessions {area, date, place, facilitator (a designation's id) or facilitator_name (the flagged
 * fallback), groups, outcomes, participants, issues: [], helpers: [], actors: []} */
static void
sess_new(struct api *a)
{
	struct session_input in;
	char date[11], id[NZ_RID_MAX] = "";
	struct nz_err err = {0};
	const char **issues = NULL, **helpers = NULL, **actors = NULL;

	memset(&in, 0, sizeof(in));
	in.area = api_str(a, "area", false);
	api_date(a, "date", date, true);
	in.date = date;
	in.place = api_str(a, "place", false);
	in.facilitator = api_str(a, "facilitator", false);
	in.facilitator_name = api_str(a, "facilitator_name", false);
	in.groups = api_str(a, "groups", false);
	in.outcomes = api_str(a, "outcomes", false);
	in.participants = api_int(a, "participants", -1, 0, 1000000, false);
	in.nissues = api_strs(a, "issues", &issues, false);
	in.issues = issues;
	in.nhelpers = api_strs(a, "helpers", &helpers, false);
	in.helpers = helpers;
	in.nactors = api_strs(a, "actors", &actors, false);
	in.actors = actors;
	if (!api_bad(a))
		api_result(a, session_add(a->st, &in, AUTHOR, id, &err), id, &err);
	free(issues);
	free(helpers);
	free(actors);
}

/* PATCH /sessions/:id {fields: {name: value}}: facilitator (a designation) or facilitator_name */
static void
sess_edit(struct api *a)
{
	struct nz_err err = {0};
	char **pairs;
	int n = api_pairs(a, "fields", &pairs, true);

	if (n < 0)
		return;
	api_result(a, session_set(a->st, a->param[0], n, pairs, AUTHOR, &err), a->param[0], &err);
	api_pairs_free(pairs, n);
}

/* GET /sessions/:id */
static void
sess_one(struct api *a)
{
	struct nz_err err = {0};
	json_t *j;
	int rc = session_get(a->st, a->param[0], &j, &err);

	api_found(a, rc, j, &err);
}

/* POST /sessions/:id/scores {issue, group, scores: {criterion: score}} */
static void
sess_score(struct api *a)
{
	const char *issue = api_str(a, "issue", true), *group = api_str(a, "group", false);
	json_t *sc = json_object_get(a->body, "scores"), *v;
	struct score_input in[64];
	struct nz_err err = {0};
	const char *k;
	int n = 0;

	if (api_bad(a))
		return;
	if (!json_is_object(sc) || json_object_size(sc) == 0) {
		api_error(a, 400, sc ? "type" : "missing", "scores", "scores must be an object of criterion: score");
		return;
	}
	json_object_foreach(sc, k, v) {
		if (n >= 64 || !json_is_number(v)) {
			api_error(a, 400, "type", "scores", "scores.%s must be a number", k);
			return;
		}
		in[n].criterion = k;
		in[n].score = json_number_value(v);
		n++;
	}
	api_result(a, session_score(a->st, a->param[0], issue, group, in, n, AUTHOR, &err), a->param[0], &err);
}

/* GET /solutions?under=&state= */
static void
sol_ls(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, solution_list(a->st, under, api_query(a, "state")));
}

/* POST /solutions {title, plan, bodies, resources, start, end, budget, issues: []} */
static void
sol_new(struct api *a)
{
	struct solution_input in;
	char id[NZ_RID_MAX] = "", start[11], end[11];
	struct nz_err err = {0};
	const char **issues = NULL;

	memset(&in, 0, sizeof(in));
	in.title = api_str(a, "title", true);
	in.plan = api_str(a, "plan", false);
	in.bodies = api_str(a, "bodies", false);
	in.resources = api_str(a, "resources", false);
	in.start = api_date(a, "start", start, false) ? start : NULL;
	in.end = api_date(a, "end", end, false) ? end : NULL;
	in.budget = api_int(a, "budget", -1, 0, 1000000000000000000LL, false);
	in.nissues = api_strs(a, "issues", &issues, true);
	in.issues = issues;
	if (!api_bad(a))
		api_result(a, solution_add(a->st, &in, AUTHOR, id, &err), id, &err);
	free(issues);
}

/* GET /solutions/:id */
static void
sol_one(struct api *a)
{
	struct nz_err err = {0};
	json_t *j;
	int rc = solution_get(a->st, a->param[0], &j, &err);

	api_found(a, rc, j, &err);
}

/* POST /solutions/:id/submit {council, date} */
static void
sol_submit(struct api *a)
{
	const char *council = api_str(a, "council", true);
	char date[11];
	bool dated = api_date(a, "date", date, false);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, solution_submit(a->st, a->param[0], council, dated ? date : NULL, AUTHOR, &err),
			   a->param[0], &err);
}

/* PATCH /solutions/:id {fields: {title, exec_plan, bodies, resources, start_date, end_date, budget}} */
static void
sol_edit(struct api *a)
{
	struct nz_err err = {0};
	char **pairs;
	int n = api_pairs(a, "fields", &pairs, true);

	if (n < 0)
		return;
	api_result(a, solution_set(a->st, a->param[0], n, pairs, AUTHOR, &err), a->param[0], &err);
	api_pairs_free(pairs, n);
}

/* POST /solutions/:id/revise */
static void
sol_revise(struct api *a)
{
	struct nz_err err = {0};

	api_result(a, solution_revise(a->st, a->param[0], AUTHOR, &err), a->param[0], &err);
}

/* POST /solutions/:id/close {reason} */
static void
sol_close(struct api *a)
{
	const char *reason = api_str(a, "reason", true);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, solution_close(a->st, a->param[0], reason, AUTHOR, &err), a->param[0], &err);
}

/* GET /council?under=&pending= */
static void
council_ls(struct api *a)
{
	const char *under = api_under(a), *p = api_query(a, "pending");

	if (under != NULL)
		api_list(a, council_list(a->st, under, p && strcmp(p, "0") != 0));
}

/* POST /council {solution, date, resolution, decision, conditions} */
static void
council_new(struct api *a)
{
	struct decision_input in;
	char date[11];
	struct nz_err err = {0};

	memset(&in, 0, sizeof(in));
	in.solution = api_str(a, "solution", true);
	api_date(a, "date", date, true);
	in.date = date;
	in.decision = api_str(a, "decision", true);
	in.resolution = api_str(a, "resolution", false);
	in.conditions = api_str(a, "conditions", false);
	if (!api_bad(a))
		api_result(a, council_decide(a->st, &in, AUTHOR, &err), in.solution, &err);
}

/* GET /interventions?under= */
static void
iv_ls(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, intervention_list(a->st, under));
}

/* POST /interventions {solution, title} */
static void
iv_new(struct api *a)
{
	const char *sol = api_str(a, "solution", true), *title = api_str(a, "title", false);
	char id[NZ_RID_MAX] = "";
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, intervention_add(a->st, sol, title, AUTHOR, id, &err), id, &err);
}

/* GET /interventions/:id */
static void
iv_one(struct api *a)
{
	struct nz_err err = {0};
	json_t *j;
	int rc = intervention_get(a->st, a->param[0], &j, &err);

	api_found(a, rc, j, &err);
}

/* POST /interventions/:id/stages {stage, start, end, participants, notes} */
static void
iv_stage(struct api *a)
{
	const char *stage = api_str(a, "stage", true), *notes = api_str(a, "notes", false);
	long long people = api_int(a, "participants", -1, 0, 1000000, false);
	char start[11], end[11];
	bool s = api_date(a, "start", start, false), e = api_date(a, "end", end, false);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, intervention_stage(a->st, a->param[0], stage, s ? start : NULL, e ? end : NULL, people,
						 notes, AUTHOR, &err),
			   a->param[0], &err);
}

/* GET /evaluations?under= */
static void
ev_ls(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, evaluation_list(a->st, under));
}

/* POST /evaluations {intervention | solution, date, evaluator, strengths, weaknesses, indicators, recommendations} */
static void
ev_new(struct api *a)
{
	struct evaluation_input in;
	char date[11], id[NZ_RID_MAX] = "";
	struct nz_err err = {0};

	memset(&in, 0, sizeof(in));
	in.intervention = api_str(a, "intervention", false);
	in.solution = api_str(a, "solution", false);
	in.date = api_date(a, "date", date, false) ? date : NULL;
	in.evaluator = api_str(a, "evaluator", false);
	in.strengths = api_str(a, "strengths", false);
	in.weaknesses = api_str(a, "weaknesses", false);
	in.indicators = api_str(a, "indicators", false);
	in.recommendations = api_str(a, "recommendations", false);
	if (!api_bad(a))
		api_result(a, evaluation_add(a->st, &in, AUTHOR, id, &err), id, &err);
}

/* POST /orgs/:id/introductions {body, level, date, outcome, notes} */
static void
org_intro(struct api *a)
{
	const char *body = api_str(a, "body", true), *level = api_str(a, "level", true);
	const char *outcome = api_str(a, "outcome", false), *notes = api_str(a, "notes", false);
	char date[11], id[NZ_RID_MAX] = "";
	bool dated = api_date(a, "date", date, false);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, org_introduce(a->st, a->param[0], body, level, dated ? date : NULL, outcome, notes, AUTHOR,
					    id, &err),
			   id, &err);
}

/* GET /introductions?under=&org= */
static void
intro_ls(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, org_intro_list(a->st, under, api_query(a, "org")));
}

/* POST /introductions/:id/outcome {outcome, notes} */
static void
intro_outcome(struct api *a)
{
	const char *outcome = api_str(a, "outcome", true), *notes = api_str(a, "notes", false);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, org_outcome(a->st, a->param[0], outcome, notes, AUTHOR, &err), a->param[0], &err);
}

/* ---- helper groups and actors linked to records (register/links.c) ---- */

/* GET /groups?under=&all=1: the appointed groups with their work counted */
static void
grp_ls(struct api *a)
{
	const char *under = api_under(a), *all = api_query(a, "all");

	if (under != NULL)
		api_list(a, link_groups(a->st, under, all != NULL && strcmp(all, "1") == 0));
}

/* GET /groups/:group/work */
static void
grp_work(struct api *a)
{
	struct nz_err err = {0};
	json_t *w;

	if (link_group_work(a->st, a->param[0], &w, &err) != 0)
		api_fail(a, &err);
	else
		api_json(a, 200, w);
}

/* GET /:kind/:id/groups and /sessions/:id/actors */
static void
link_ls_of(struct api *a, enum link_rel rel)
{
	json_t *rows = link_list(a->st, rel, a->param[0], a->param[1]);

	if (rows == NULL)
		api_error(a, 404, "not_found", NULL, "%s have no %s", a->param[0], rel == LINK_HELPER ? "groups" : "actors");
	else
		api_list(a, rows);
}

/* POST /:kind/:id/groups {group} and /sessions/:id/actors {actor} */
static void
link_new_of(struct api *a, enum link_rel rel)
{
	const char *key = rel == LINK_HELPER ? "group" : "actor", *target = api_str(a, key, true);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, link_attach(a->st, rel, a->param[0], a->param[1], target, AUTHOR, &err), a->param[1],
			   &err);
}

/* POST /:kind/:id/groups/:group/detach and /sessions/:id/actors/:actor/remove */
static void
link_end_of(struct api *a, enum link_rel rel)
{
	struct nz_err err = {0};

	api_result(a, link_detach(a->st, rel, a->param[0], a->param[1], a->param[2], AUTHOR, &err), a->param[1], &err);
}

static void
grp_of(struct api *a)
{
	link_ls_of(a, LINK_HELPER);
}

static void
grp_attach(struct api *a)
{
	link_new_of(a, LINK_HELPER);
}

static void
grp_detach(struct api *a)
{
	link_end_of(a, LINK_HELPER);
}

static void
actor_of(struct api *a)
{
	link_ls_of(a, LINK_ACTOR);
}

static void
actor_attach(struct api *a)
{
	link_new_of(a, LINK_ACTOR);
}

static void
actor_detach(struct api *a)
{
	link_end_of(a, LINK_ACTOR);
}

/* GET /register/summary?under=&top= */
static void
summary(struct api *a)
{
	const char *under = api_under(a);
	int top = (int)api_qint(a, "top", 5, 0, 100);
	struct nz_err err = {0};
	json_t *j;

	if (under == NULL || api_bad(a))
		return;
	if ((j = dash_register(a->st, under, top, &err)) == NULL)
		api_fail(a, &err);
	else
		api_json(a, 200, j);
}

const struct route api_reg_routes[] = {
	{"GET", "issues", R_ANY, issue_ls},
	{"POST", "issues", R_FIELD, issue_new},
	{"GET", "issues/:id", R_ANY, issue_one},
	{"PATCH", "issues/:id", R_FIELD, issue_edit},
	{"POST", "issues/:id/close", R_WORK, issue_shut},
	{"GET", "categories", R_ANY, cat_ls},
	{"POST", "categories", R_WORK, cat_put},
	{"GET", "criteria", R_ANY, crit_ls},
	{"POST", "criteria", R_WORK, crit_put},
	{"POST", "register/seed", R_WORK, seed},
	{"GET", "register/summary", R_ANY, summary},
	{"GET", "sessions", R_ANY, sess_ls},
	{"POST", "sessions", R_FIELD, sess_new},
	{"GET", "sessions/:id", R_ANY, sess_one},
	{"POST", "sessions/:id/scores", R_FIELD, sess_score},
	{"GET", "solutions", R_ANY, sol_ls},
	{"POST", "solutions", R_FIELD, sol_new},
	{"GET", "solutions/:id", R_ANY, sol_one},
	{"PATCH", "solutions/:id", R_FIELD, sol_edit},
	{"POST", "solutions/:id/submit", R_WORK, sol_submit},
	{"POST", "solutions/:id/revise", R_FIELD, sol_revise},
	{"POST", "solutions/:id/close", R_WORK, sol_close},
	{"GET", "council", R_ANY, council_ls},
	{"POST", "council", R_WORK, council_new},
	{"GET", "interventions", R_ANY, iv_ls},
	{"POST", "interventions", R_FIELD, iv_new},
	{"GET", "interventions/:id", R_ANY, iv_one},
	{"POST", "interventions/:id/stages", R_FIELD, iv_stage},
	{"GET", "evaluations", R_ANY, ev_ls},
	{"POST", "evaluations", R_FIELD, ev_new},
	{"POST", "orgs/:id/introductions", R_WORK, org_intro},
	{"GET", "introductions", R_ANY, intro_ls},
	{"POST", "introductions/:id/outcome", R_WORK, intro_outcome},
	{"PATCH", "sessions/:id", R_FIELD, sess_edit},
	{"GET", "groups", R_ANY, grp_ls},
	{"GET", "groups/:group/work", R_ANY, grp_work},
	{"GET", ":kind/:id/groups", R_ANY, grp_of},
	{"POST", ":kind/:id/groups", R_WORK, grp_attach},
	{"POST", ":kind/:id/groups/:group/detach", R_WORK, grp_detach},
	{"GET", ":kind/:id/actors", R_ANY, actor_of},
	{"POST", ":kind/:id/actors", R_FIELD, actor_attach},
	{"POST", ":kind/:id/actors/:actor/remove", R_FIELD, actor_detach},
	{NULL, NULL, 0, NULL},
};
