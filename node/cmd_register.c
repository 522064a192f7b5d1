/*
 * Commands of the issue register around the lifecycle: intervention,
 * evaluation, org's introductions and register (standards and consolidation);
 * organisations, facilitators and actors are resources declared once
 * (node/cmd_resource.c).
 * Parsing and printing only; the rules are in src/domain/register/.  Dates
 * are typed and shown in Jalali.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/jalali.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/record.h"
#include "domain/register.h"
#include "node/node.h"

#define POS_MAX 64

/* ---- intervention ---- */

static int
intervention_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	const char *sol = NULL, *title = NULL;
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--solution", &sol),
				       CLI_VAL("--title", &title),
				       CLI_END};
	if ((rc = cli_parse("intervention add", argc, argv, 2, opts, NULL, 0, &np)) != 0)
		return rc;
	if (sol == NULL)
		return cmd_usage("intervention add: --solution ID is required");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = intervention_add(n.st, sol, title, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
intervention_stage_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	const char *start = NULL, *end = NULL, *people = NULL, *notes = NULL;
	long long count = -1;
	const struct cli_opt opts[] = {CLI_VAL("--start", &start),
				       CLI_VAL("--end", &end),
				       CLI_VAL("--participants", &people),
				       CLI_VAL("--notes", &notes),
				       CLI_END};
	if ((rc = cli_parse("intervention stage", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 2)
		return cmd_usage("intervention stage: give ID and STAGE");
	if ((rc = cli_whole("intervention stage", "--participants", people, 0, LLONG_MAX, &count)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = intervention_stage(n.st, pos[0], pos[1], start, end, count, notes, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
intervention_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "state", "progress", "current_stage", "solution",
					   "title", NULL};
	struct node n;
	int rc;

	struct cli_list_opts l;
	json_t *rows;
	if ((rc = cli_list_parse("intervention list", argc, argv, 0, &l, NULL, 0)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = intervention_list(n.st, l.under);
	node_close(&n);
	return out_rows(o, rows, cols, l.csv);
}

static int
intervention_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return out_show_id(o, argc, argv, "intervention show", intervention_get, "intervention");
}

static const struct cmd_sub intervention_subs[] = {
	{"add", "-D DIR --solution ID [--title T]",
	 "Creates the intervention of an approved solution and prints its id.\n", intervention_add_exec},
	{"stage", "-D DIR ID STAGE [--start D] [--end D] [--participants N]\n"
	  "[--notes T]",
	 "STAGE: needs, priority, planning, implementation, evaluation (or 1-5).\n", intervention_stage_exec},
	{"list", "-D DIR [--under CODE] [--json] [--csv FILE]",
	 NULL, intervention_list_exec},
	{"show", "-D DIR ID [--json]",
	 NULL, intervention_show_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_intervention = {
	.name = "intervention",
	.summary = "community-based interventions and their stages: add, stage, list",
	.about = "Community-based interventions (مداخله اجتماع محور), created from an approved solution.  The\n"
		 "community takes part in five stages: needs (نیازسنجی), priority (اولویت بندی), planning\n"
		 "(برنامه ریزی), implementation (اجرا), evaluation (ارزشیابی); STAGE is a name or 1-5.  A stage\n"
		 "ends only after the stages before it; progress is the share of stages ended.  An empty\n"
		 "--start or --end clears the date.\n",
	.subs = intervention_subs,
};

/* ---- evaluation ---- */

static int
evaluation_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	struct evaluation_input in = {0};
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--intervention", &in.intervention),
				       CLI_VAL("--solution", &in.solution),
				       CLI_VAL("--date", &in.date),
				       CLI_VAL("--by", &in.evaluator),
				       CLI_VAL("--strengths", &in.strengths),
				       CLI_VAL("--weaknesses", &in.weaknesses),
				       CLI_VAL("--indicators", &in.indicators),
				       CLI_VAL("--recommendations", &in.recommendations),
				       CLI_END};
	if ((rc = cli_parse("evaluation add", argc, argv, 2, opts, NULL, 0, &np)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = evaluation_add(n.st, &in, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
evaluation_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "date", "plan", "solution", "evaluator", "strengths",
					   "weaknesses", NULL};
	struct node n;
	int rc;

	struct cli_list_opts l;
	json_t *rows;
	if ((rc = cli_list_parse("evaluation list", argc, argv, 0, &l, NULL, 0)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = evaluation_list(n.st, l.under);
	node_close(&n);
	return out_rows(o, rows, cols, l.csv);
}

static const struct cmd_sub evaluation_subs[] = {
	{"add", "-D DIR (--intervention ID | --solution ID) [--date D] [--by NAME]\n"
	  "[--strengths T] [--weaknesses T] [--indicators T]\n"
	  "[--recommendations T]",
	 NULL, evaluation_add_exec},
	{"list", "-D DIR [--under CODE] [--json] [--csv FILE]",
	 NULL, evaluation_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_evaluation = {
	.name = "evaluation",
	.summary = "evaluations of implemented or proposed plans: add, list",
	.about = "Evaluations (ارزیابی) of implemented plans (an intervention) or proposed ones (a solution):\n"
		 "strengths (نقاط قوت), weaknesses (نقاط ضعف), outcome indicators, recommendations.  The first\n"
		 "evaluation of an intervention whose implementation has started moves it, its solution and\n"
		 "problems to \"evaluated\".\n",
	.subs = evaluation_subs,
};

/* ---- org: introductions, on top of the resource "organisation" (register/organisations.c), which
 * gives org add, set, retire, list, show, --help and summary (node/cmd_resource.c) ---- */

static int
org_introduce_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	const char *body = NULL, *level = NULL, *date = NULL, *outcome = NULL, *notes = NULL;
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--body", &body),
				       CLI_VAL("--level", &level),
				       CLI_VAL("--date", &date),
				       CLI_VAL("--outcome", &outcome),
				       CLI_VAL("--notes", &notes),
				       CLI_END};
	if ((rc = cli_parse("org introduce", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1 || body == NULL || level == NULL)
		return cmd_usage("org introduce: give one ID, --body and --level");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = org_introduce(n.st, pos[0], body, level, date, outcome, notes, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
org_outcome_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	const char *outcome = NULL, *notes = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--outcome", &outcome),
				       CLI_VAL("--notes", &notes),
				       CLI_END};
	if ((rc = cli_parse("org outcome", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1 || outcome == NULL)
		return cmd_usage("org outcome: give one INTRO and --outcome");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = org_outcome(n.st, pos[0], outcome, notes, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
org_intros_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "org_name", "body", "level", "date", "outcome", NULL};
	struct cli_list_opts l;
	struct node n;
	char *pos[POS_MAX];
	json_t *rows;
	int rc;

	if ((rc = cli_list_parse("org intros", argc, argv, 0, &l, pos, 1)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = org_intro_list(n.st, l.under, l.npos ? pos[0] : NULL);
	node_close(&n);
	return out_rows(o, rows, cols, l.csv);
}

static const struct cmd_sub org_subs[] = {
	{"introduce", "-D DIR ID --body B --level province|county [--date D]\n"
	  "[--outcome pending|accepted|declined] [--notes T]",
	 NULL, org_introduce_exec},
	{"outcome", "-D DIR INTRO --outcome pending|accepted|declined [--notes T]",
	 NULL, org_outcome_exec},
	{"intros", "-D DIR [ID] [--under CODE] [--json] [--csv FILE]",
	 NULL, org_intros_exec},
	{NULL, NULL, NULL, NULL},
};

/* The subcommands org adds to those of the resource (its summary and --help are the resource's). */
const struct cmd_def cmd_org = {
	.name = "org",
	.subs = org_subs,
};

/* ---- register: standards and consolidation ---- */

/* put_padded prints s cut or padded to width characters (UTF-8 code points), for Persian columns. */
static void
put_padded(const char *s, int width)
{
	int w = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80 && w++ == width)
			break;
		putchar(*s);
	}
	if (w > width)
		w = width;
	for (; w < width; w++)
		putchar(' ');
}

static const char *const short_states[] = {"idn", "pri", "prp", "cnl", "apr", "rej", "ret", "int", "evl", "cls"};

static void
print_top(json_t *top, const char *indent)
{
	json_t *r;
	size_t i;

	json_array_foreach(top, i, r) {
		json_t *p = json_object_get(r, "priority");
		printf("%s%-9s #%-3lld %6.2f  %-12s %-13s %s\n", indent,
		       json_string_value(json_object_get(r, "owner")),
		       (long long)json_integer_value(json_object_get(r, "rank")), json_number_value(p),
		       json_string_value(json_object_get(r, "state")),
		       json_string_value(json_object_get(r, "category"))
			       ? json_string_value(json_object_get(r, "category"))
			       : "",
		       json_string_value(json_object_get(r, "title")));
	}
}

static void
print_summary(json_t *s)
{
	json_t *units = json_object_get(s, "units"), *u, *c;
	const char *node = json_string_value(json_object_get(s, "node"));
	size_t i, j;

	printf("issue register of %s, consolidated at %s (%s)\n", json_string_value(json_object_get(s, "under")),
	       node, json_string_value(json_object_get(s, "level")));
	printf("freshness: %s\n\n", json_string_value(json_object_get(s, "freshness")));
	printf("%-9s %-16s %-16s %5s", "unit", "name", "data as of", "total");
	for (j = 0; reg_statuses[j] != NULL; j++)
		printf(" %4s", short_states[j]);
	printf(" %5s %5s %5s %5s %5s %5s\n", "sess", "sol", "dec", "intv", "eval", "orgs");
	json_array_foreach(units, i, u) {
		json_t *bs = json_object_get(u, "by_state");
		const char *name = json_string_value(json_object_get(u, "name_fa"));
		char when[40], nm[64];
		if (json_is_true(json_object_get(u, "local")))
			snprintf(when, sizeof(when), "local");
		else
			out_ms_jalali(json_integer_value(json_object_get(u, "last_sync_ms")), when, sizeof(when));
		snprintf(nm, sizeof(nm), "%s%s", json_is_true(json_object_get(u, "own")) ? "* " : "",
			 name && name[0] ? name : "-");
		printf("%-9s ", json_string_value(json_object_get(u, "unit")));
		put_padded(nm, 16);
		printf(" %-16s %5lld", when, (long long)json_integer_value(json_object_get(u, "problems")));
		for (j = 0; reg_statuses[j] != NULL; j++)
			printf(" %4lld", (long long)json_integer_value(json_object_get(bs, reg_statuses[j])));
		printf(" %5lld %5lld %5lld %5lld %5lld %5lld\n",
		       (long long)json_integer_value(json_object_get(u, "sessions")),
		       (long long)json_integer_value(json_object_get(u, "solutions")),
		       (long long)json_integer_value(json_object_get(u, "decisions")),
		       (long long)json_integer_value(json_object_get(u, "interventions")),
		       (long long)json_integer_value(json_object_get(u, "evaluations")),
		       (long long)json_integer_value(json_object_get(u, "organisations")));
	}
	{
		json_t *t = json_object_get(s, "totals"), *bs = json_object_get(t, "by_state");
		char when[40];
		if (json_is_null(json_object_get(t, "oldest_sync_ms")))
			snprintf(when, sizeof(when), "local");
		else
			out_ms_jalali(json_integer_value(json_object_get(t, "oldest_sync_ms")), when, sizeof(when));
		printf("%-9s %-16s %-16s %5lld", "total", "", when,
		       (long long)json_integer_value(json_object_get(t, "problems")));
		for (j = 0; reg_statuses[j] != NULL; j++)
			printf(" %4lld", (long long)json_integer_value(json_object_get(bs, reg_statuses[j])));
		printf(" %5lld %5lld %5lld %5lld %5lld %5lld\n",
		       (long long)json_integer_value(json_object_get(t, "sessions")),
		       (long long)json_integer_value(json_object_get(t, "solutions")),
		       (long long)json_integer_value(json_object_get(t, "decisions")),
		       (long long)json_integer_value(json_object_get(t, "interventions")),
		       (long long)json_integer_value(json_object_get(t, "evaluations")),
		       (long long)json_integer_value(json_object_get(t, "organisations")));
	}
	printf("(* this unit's own register; columns:");
	for (j = 0; reg_statuses[j] != NULL; j++)
		printf(" %s=%s", short_states[j], reg_statuses[j]);
	printf("; the total's date is the oldest)\n");
	json_array_foreach(units, i, u) {
		if (json_array_size(json_object_get(u, "top")) == 0)
			continue;
		printf("\ntop problems of %s (area, rank in area, priority, status, category, title):\n",
		       json_string_value(json_object_get(u, "unit")));
		print_top(json_object_get(u, "top"), "  ");
	}
	printf("\nby category (problems, open, oldest data):\n");
	json_array_foreach(json_object_get(s, "by_category"), i, c) {
		const char *code = json_string_value(json_object_get(c, "category"));
		const char *fa = json_string_value(json_object_get(c, "name_fa"));
		char when[40];
		if (json_is_null(json_object_get(c, "oldest_sync_ms")))
			snprintf(when, sizeof(when), "local");
		else
			out_ms_jalali(json_integer_value(json_object_get(c, "oldest_sync_ms")), when, sizeof(when));
		printf("  %-14s ", code && code[0] ? code : "(none)");
		put_padded(fa ? fa : "", 24);
		printf(" %5lld %5lld  %s\n", (long long)json_integer_value(json_object_get(c, "problems")),
		       (long long)json_integer_value(json_object_get(c, "open")), when);
		print_top(json_object_get(c, "top"), "      ");
	}
}

/* "register category ..." or "register criterion/criteria ...": argv[1] says which. */
static bool
standards_crit(char **argv)
{
	return strcmp(argv[1], "category") != 0;
}

static int
standards_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const ccols[] = {"code", "name_fa", "name_en", "active", NULL};
	static const char *const kcols[] = {"code", "name_fa", "name_en", "weight", "scale_max", "active", NULL};
	bool crit = standards_crit(argv);
	const char *what = crit ? "register criterion list" : "register category list";
	const char *csv = NULL;
	const struct cli_opt lopts[] = {CLI_VAL("--csv", &csv), CLI_END};
	struct node n;
	char *pos[POS_MAX];
	json_t *rows;
	int rc, np;

	if ((rc = cli_parse(what, argc, argv, 3, lopts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np > 0)
		return cmd_usage("%s: unexpected argument '%s'", what, pos[0]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = crit ? criterion_list(n.st) : category_list(n.st);
	node_close(&n);
	return out_rows(o, rows, crit ? kcols : ccols, csv);
}

/* standards_put_exec runs "register category|criterion add|set CODE ...". */
static int
standards_put_exec(const struct cmd_opts *o, int argc, char **argv)
{
	bool crit = standards_crit(argv), add = strcmp(argv[2], "add") == 0;
	const char *what = crit ? (add ? "register criterion add" : "register criterion set")
				: (add ? "register category add" : "register category set");
	const char *fa = NULL, *en = NULL, *weight = NULL, *scale = NULL, *active = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--fa", &fa),
				       CLI_VAL("--en", &en),
				       CLI_VAL("--weight", &weight),
				       CLI_VAL("--scale-max", &scale),
				       CLI_VAL("--active", &active),
				       CLI_END};
	const struct cli_opt copts[] = {CLI_VAL("--fa", &fa),
					CLI_VAL("--en", &en),
					CLI_VAL("--active", &active),
					CLI_END};
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	double w = -1;
	long long sm = 0, act = -1;
	int rc, np;

	if ((rc = cli_parse(what, argc, argv, 3, crit ? opts : copts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1)
		return cmd_usage("%s: give exactly one CODE", what);
	if ((rc = cli_real(what, "--weight", weight, &w)) != 0)
		return rc;
	if (weight != NULL && w <= 0)
		return cmd_usage("%s: --weight must be more than 0", what);
	if ((rc = cli_whole(what, "--scale-max", scale, 0, INT_MAX, &sm)) != 0 ||
	    (rc = cli_whole(what, "--active", active, 0, 1, &act)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (crit)
		rc = criterion_put(n.st, add, pos[0], fa, en, w, (int)sm, (int)act, n.author, &err);
	else
		rc = category_put(n.st, add, pos[0], fa, en, (int)act, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

/* register_standards_exec runs "register category|criterion list|add|set", each verb its own handler. */
static int
register_standards_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const struct cmd_sub verbs[] = {
		{"list", NULL, NULL, standards_list_exec},
		{"add", NULL, NULL, standards_put_exec},
		{"set", NULL, NULL, standards_put_exec},
		{NULL, NULL, NULL, NULL},
	};

	return cmd_pick(standards_crit(argv) ? "register criterion" : "register category", verbs, o, argc, argv, 2);
}

static int
register_lifecycle_exec(const struct cmd_opts *o, int argc, char **argv)
{
	(void)o;
	(void)argc;
	(void)argv;
	printf("%s", LIFECYCLE_HELP);
	return 0;
}

static int
register_seed_standards_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc;

	int ncat, ncrit;
	char line[128];
	if (argc > 2)
		return cmd_usage("register seed-standards: unexpected argument '%s'", argv[2]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = reg_seed_standards(n.st, n.author, &ncat, &ncrit, &err);
	snprintf(line, sizeof(line), "added %d categories and %d criteria", ncat, ncrit);
	return cli_done(&n, rc, &err, line);
}

static int
register_summary_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	const char *under = NULL, *top = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under),
				       CLI_VAL("--top", &top),
				       CLI_END};
	long long ntop = 5;
	json_t *s;
	if ((rc = cli_parse("register summary", argc, argv, 2, opts, NULL, 0, &np)) != 0 ||
	    (rc = cli_check_unit("register summary", under)) != 0 ||
	    (rc = cli_whole("register summary", "--top", top, 0, 100, &ntop)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	s = dash_register(n.st, under, (int)ntop, &err);
	node_close(&n);
	if (s == NULL)
		return cmd_fail(&err);
	out_jalalize(s);
	if (o->json)
		cli_print_json(s);
	else
		print_summary(s);
	json_decref(s);
	return 0;
}

static const struct cmd_sub register_subs[] = {
	{"summary", "-D DIR [--under CODE] [--top N] [--json]",
	 "Consolidates the register of CODE (this node by default): CODE's own records and each\n"
	 "unit directly below it, with totals, per-category counts and the top N (default 5)\n"
	 "problems by priority.  Each unit shows when its data last arrived (the last\n"
	 "successful sync of this node's child that carries it).\n", register_summary_exec},
	{"seed-standards", "-D DIR",
	 "Writes the default problem categories and prioritisation criteria (severity 35,\n"
	 "prevalence 25, urgency 25, feasibility 15; scores 0-5) that are not yet defined.\n"
	 "National node only.\n", register_seed_standards_exec},
	{"category", "list -D DIR [--json] [--csv FILE]\n"
	 "add -D DIR CODE --fa NAME [--en NAME]\n"
	 "set -D DIR CODE [--fa NAME] [--en NAME] [--active 0|1]",
	 "Problem categories: a national directive, written only at the national node.\n"
	 "A category is retired with --active 0, never deleted.\n", register_standards_exec},
	{"criterion", "list -D DIR [--json] [--csv FILE]\n"
	 "add -D DIR CODE --fa NAME [--en NAME] --weight W [--scale-max M]\n"
	 "set -D DIR CODE [--fa NAME] [--en NAME] [--weight W] [--scale-max M] [--active 0|1]",
	 "Prioritisation criteria (معیارهای اولویت بندی) and their weights: a national directive,\n"
	 "written only at the national node; scores run 0..M (default 5), higher = more pressing.\n",
	 register_standards_exec},
	{"criteria", "list|add|set ... (as criterion)", NULL, register_standards_exec},
	{"lifecycle", "", NULL, register_lifecycle_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_register = {
	.name = "register",
	.summary = "issue register: summary, seed-standards, category, criterion",
	.about = "The issue register as a whole.  summary consolidates a subtree: at a province its counties\n"
		 "side by side (problems per status, sessions, solutions, decisions, interventions,\n"
		 "evaluations, active organisations (--json: organisations_retired apart), top problems);\n"
		 "at national the provinces, and the country's problems by category with their top\n"
		 "problems by priority.  Every unit's figures are\n"
		 "stamped with the last successful sync of the child of this node that carries them\n"
		 "('data as of'); this node's own records are 'local'.\n"
		 "seed-standards writes the default problem categories and prioritisation criteria that\n"
		 "are not defined yet (national node only; they reach every node with sync).\n",
	.subs = register_subs,
};
