/*
 * Commands of the issue register's lifecycle (نظام مسائل): issue, session,
 * solution and council.  Parsing and printing only; the rules are in
 * src/domain/register/.  Dates are typed and shown in Jalali.
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

/* ---- issue ---- */

static int
issue_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	struct issue_input in = {0};
	const char *people = NULL;
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--title", &in.title),
				       CLI_VAL("--description", &in.description),
				       CLI_VAL("--category", &in.category),
				       CLI_VAL("--area", &in.area),
				       CLI_VAL("--neighbourhood", &in.neighbourhood),
				       CLI_VAL("--village", &in.neighbourhood),
				       CLI_VAL("--people", &people),
				       CLI_VAL("--source", &in.source),
				       CLI_VAL("--session", &in.session),
				       CLI_END};
	if ((rc = cli_parse("issue add", argc, argv, 2, opts, NULL, 0, &np)) != 0)
		return rc;
	if (in.title == NULL)
		return cmd_usage("issue add: --title T is required");
	in.people = -1;
	if ((rc = cli_whole("issue add", "--people", people, 0, LLONG_MAX, &in.people)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = issue_create(n.st, &in, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
issue_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "state", "rank", "priority", "category",
					   "people_affected", "title", NULL};
	struct node n;
	int rc;

	struct cli_list_opts l;
	json_t *rows;
	if ((rc = cli_list_parse("issue list", argc, argv, CLI_LIST_STATUS | CLI_LIST_CATEGORY, &l, NULL, 0)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = issue_list(n.st, l.under, l.status, l.category);
	node_close(&n);
	return out_rows(o, rows, cols, l.csv);
}

static int
issue_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return out_show_id(o, argc, argv, "issue show", issue_get, "problem");
}

static int
issue_set_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return out_set_fields(o, argc, argv, "issue set", issue_set);
}

static int
issue_close_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	const char *reason = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--reason", &reason), CLI_END};
	if ((rc = cli_parse("issue close", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1)
		return cmd_usage("issue close: give exactly one ID");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = issue_close(n.st, pos[0], reason, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static const struct cmd_sub issue_subs[] = {
	{"add", "-D DIR --title T [--description D] [--category CODE] [--area CODE]\n"
	  "[--neighbourhood PLACE] [--people N]\n"
	  "[--source session|views|monitoring] [--session SID]",
	 "Records a problem (status identified) and prints its id.\n", issue_add_exec},
	{"list", "-D DIR [--under CODE] [--status S] [--category C] [--json] [--csv FILE]",
	 "Problems by area and rank.  --status filters on the effective status.\n", issue_list_exec},
	{"show", "-D DIR ID [--json]",
	 "A problem with its priority, rank, per-criterion means and every score.\n", issue_show_exec},
	{"set", "-D DIR ID FIELD=VALUE...",
	 "Fields: title, description, category, neighbourhood, people_affected, source, session.\n"
	 "The status changes only through the lifecycle's operations.\n", issue_set_exec},
	{"close", "-D DIR ID [--reason TEXT]",
	 "Closes a problem that is identified, prioritised, rejected or evaluated.\n", issue_close_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_issue = {
	.name = "issue",
	.summary = "problems of the issue register: add, list, show, set, close",
	.about = "Problems of the issue register (نظام مسائل).  add prints the new id.  The area is an org\n"
		 "unit (this node by default) with an optional neighbourhood or village.  The category is a\n"
		 "code of the national list ('nehzat register category list'); a node that has not received\n"
		 "the list yet accepts any code.  list shows each problem's priority (0-100, from the\n"
		 "stakeholders' scores on the national weighted criteria) and its rank within its area.\n"
		 "--csv FILE exports (- for standard output).  Dates are Jalali.\n"
		 "\n"
		  LIFECYCLE_HELP,
	.subs = issue_subs,
};

/* ---- session ---- */

static int
session_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	struct session_input in = {0};
	const char *people = NULL, *issues[CLI_LIST_MAX], *helpers[CLI_LIST_MAX], *actors[CLI_LIST_MAX];
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--date", &in.date),
				       CLI_VAL("--place", &in.place),
				       CLI_VAL("--facilitator", &in.facilitator),
				       CLI_VAL("--facilitator-name", &in.facilitator_name),
				       CLI_LIST("--helper", helpers, &in.nhelpers),
				       CLI_LIST("--actor", actors, &in.nactors),
				       CLI_VAL("--participants", &people),
				       CLI_VAL("--groups", &in.groups),
				       CLI_VAL("--outcomes", &in.outcomes),
				       CLI_VAL("--area", &in.area),
				       CLI_LIST("--issue", issues, &in.nissues),
				       CLI_END};
	if ((rc = cli_parse("session add", argc, argv, 2, opts, NULL, 0, &np)) != 0)
		return rc;
	if (in.date == NULL)
		return cmd_usage("session add: --date D is required (Jalali, e.g. 1405-09-07)");
	in.participants = -1;
	if ((rc = cli_whole("session add", "--participants", people, 0, LLONG_MAX, &in.participants)) != 0)
		return rc;
	in.issues = issues;
	in.helpers = helpers;
	in.actors = actors;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = session_add(n.st, &in, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
session_score_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	struct score_input sc[32];
	const char *group = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--group", &group), CLI_END};
	char names[32][32];
	int i;
	if ((rc = cli_parse("session score", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np < 3)
		return cmd_usage("session score: give SID, ISSUE and at least one CRITERION=SCORE");
	if (np - 2 > 32)
		return cmd_usage("session score: at most 32 scores at once");
	for (i = 2; i < np; i++) {
		const char *eq = strchr(pos[i], '=');
		size_t len = eq ? (size_t)(eq - pos[i]) : 0;
		if (eq == NULL || len == 0 || len >= sizeof(names[0]))
			return cmd_usage("session score: '%s' is not CRITERION=SCORE", pos[i]);
		memcpy(names[i - 2], pos[i], len);
		names[i - 2][len] = '\0';
		sc[i - 2].criterion = names[i - 2];
		if ((rc = cli_real("session score", names[i - 2], eq + 1, &sc[i - 2].score)) != 0)
			return rc;
	}
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = session_score(n.st, pos[0], pos[1], group, sc, np - 2, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
session_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "date", "place", "facilitator", "facilitator_fallback",
					   "participants", "helpers", "actors", "nscores", "stakeholder_groups", NULL};
	struct node n;
	int rc;

	struct cli_list_opts l;
	json_t *rows;
	if ((rc = cli_list_parse("session list", argc, argv, 0, &l, NULL, 0)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = session_list(n.st, l.under);
	node_close(&n);
	return out_rows(o, rows, cols, l.csv);
}

static int
session_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return out_show_id(o, argc, argv, "session show", session_get, "session");
}

/* session actors SID [ACTOR...] [--remove]: the key local actors who took part, added or removed, then listed. */
static int
session_actors_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "name", "role", "neighbourhood", "contact", "owner", NULL};
	struct nz_err err = {0};
	bool remove = false;
	const struct cli_opt opts[] = {CLI_FLAG("--remove", &remove), CLI_END};
	char *pos[POS_MAX], owner[NZ_ID_MAX];
	struct node n;
	json_t *rows;
	int i, rc = 0, np;

	if ((rc = cli_parse("session actors", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np < 1 || (remove && np < 2))
		return cmd_usage("session actors: give SID%s", remove ? " and the ACTORs to remove" : "");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (np > 1 && (rc = store_begin(n.st, &err)) == 0) {
		for (i = 1; i < np && rc == 0; i++)
			rc = remove ? link_detach(n.st, LINK_ACTOR, "session", pos[0], pos[i], n.author, &err)
				    : link_attach(n.st, LINK_ACTOR, "session", pos[0], pos[i], n.author, &err);
		if (rc == 0)
			rc = store_commit(n.st, &err);
		else
			store_rollback(n.st);
	}
	if (rc == 0)
		rc = rec_owner(n.st, &delib_session_table, pos[0], "session", owner, &err);
	if (rc != 0)
		return cli_done(&n, rc, &err, NULL);
	rows = link_list(n.st, LINK_ACTOR, "session", pos[0]);
	node_close(&n);
	return out_rows(o, rows, cols, NULL);
}

static int
session_set_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return out_set_fields(o, argc, argv, "session set", session_set);
}

static const struct cmd_sub session_subs[] = {
	{"add", "-D DIR --date D [--place P] [--facilitator ID | --facilitator-name NAME] [--participants N]\n"
	  "[--groups G] [--issue ID]... [--helper GROUP]... [--actor ID]... [--outcomes T] [--area CODE]",
	 "Records a deliberation session and prints its id.  --issue names a problem discussed.\n"
	 "--facilitator is a national designation serving the area on the date ('nehzat facilitator list');\n"
	 "a facilitator not designated is --facilitator-name, kept and listed as a fallback.  --helper names\n"
	 "an appointed helper group working on it (appointment id, decree number or name), --actor a key\n"
	 "local actor who took part ('nehzat actor list').\n", session_add_exec},
	{"score", "-D DIR SID ISSUE CRITERION=SCORE... [--group G]",
	 "Records the scores a stakeholder group gave a problem in a session, e.g.\n"
	 "  nehzat session score -D DIR s1 p1 severity=4 prevalence=3 urgency=5 feasibility=2\n", session_score_exec},
	{"list", "-D DIR [--under CODE] [--json] [--csv FILE]",
	 NULL, session_list_exec},
	{"show", "-D DIR SID [--json]",
	 NULL, session_show_exec},
	{"set", "-D DIR SID FIELD=VALUE...",
	 "Fields: date, place, facilitator (a designation's id), facilitator_name (the fallback), participants,\n"
	 "stakeholder_groups, outcomes.\n", session_set_exec},
	{"actors", "-D DIR SID [ACTOR...] [--remove] [--json]",
	 "Adds the key local actors who took part (or removes them with --remove) and lists them; a\n"
	 "contact shows only when its actor consented.\n", session_actors_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_session = {
	.name = "session",
	.summary = "deliberation sessions and stakeholders' scores: add, score, list, show",
	.about = "Deliberation sessions (جلسات هم اندیشی) with stakeholders.  In a session, stakeholder groups\n"
		 "score problems on the national weighted criteria ('nehzat register criterion list'); each\n"
		 "problem's priority is 100 x sum(weight x mean score / scale) / sum(weights) over the active\n"
		 "criteria (a criterion never scored counts 0), and problems are ranked within their area.\n"
		 "A group scoring the same problem again in the same session replaces its earlier score.\n",
	.subs = session_subs,
};

/* ---- solution ---- */

static int
solution_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	struct solution_input in = {0};
	const char *budget = NULL, *issues[CLI_LIST_MAX];
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--title", &in.title),
				       CLI_VAL("--plan", &in.plan),
				       CLI_VAL("--bodies", &in.bodies),
				       CLI_VAL("--resources", &in.resources),
				       CLI_VAL("--budget", &budget),
				       CLI_VAL("--start", &in.start),
				       CLI_VAL("--end", &in.end),
				       CLI_LIST("--issue", issues, &in.nissues),
				       CLI_END};
	if ((rc = cli_parse("solution add", argc, argv, 2, opts, NULL, 0, &np)) != 0)
		return rc;
	if (in.title == NULL || in.nissues == 0)
		return cmd_usage("solution add: --title T and at least one --issue ID are required");
	in.budget = -1;
	if ((rc = cli_whole("solution add", "--budget", budget, 0, LLONG_MAX, &in.budget)) != 0)
		return rc;
	in.issues = issues;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = solution_add(n.st, &in, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
solution_submit_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	const char *council = NULL, *date = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--council", &council),
				       CLI_VAL("--date", &date),
				       CLI_END};
	if ((rc = cli_parse("solution submit", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1 || council == NULL)
		return cmd_usage("solution submit: give one ID and --council county|province");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = solution_submit(n.st, pos[0], council, date, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
solution_revise_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	bool revise = strcmp(argv[1], "revise") == 0;
	const char *reason = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--reason", &reason), CLI_END};
	if ((rc = cli_parse(revise ? "solution revise" : "solution close", argc, argv, 2, revise ? NULL : opts, pos,
			     POS_MAX, &np)) != 0)
		return rc;
	if (np != 1)
		return cmd_usage("solution %s: give exactly one ID", argv[1]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = revise ? solution_revise(n.st, pos[0], n.author, &err)
		    : solution_close(n.st, pos[0], reason, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
solution_set_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return out_set_fields(o, argc, argv, "solution set", solution_set);
}

static int
solution_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "state", "round", "council", "budget", "start_date",
					   "end_date", "title", NULL};
	struct node n;
	int rc;

	struct cli_list_opts l;
	json_t *rows;
	if ((rc = cli_list_parse("solution list", argc, argv, CLI_LIST_STATUS, &l, NULL, 0)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = solution_list(n.st, l.under, l.status);
	node_close(&n);
	return out_rows(o, rows, cols, l.csv);
}

static int
solution_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return out_show_id(o, argc, argv, "solution show", solution_get, "solution");
}

static const struct cmd_sub solution_subs[] = {
	{"add", "-D DIR --title T --issue ID [--issue ID]... [--plan T]\n"
	  "[--bodies T] [--resources T] [--budget RIALS] [--start D] [--end D]",
	 "Proposes a solution and prints its id; its problems become \"solution proposed\".\n", solution_add_exec},
	{"submit", "-D DIR ID --council county|province [--date D]",
	 "Puts a proposed solution before the social council of its county or its province.\n", solution_submit_exec},
	{"revise", "-D DIR ID",
	 "Takes a solution the council returned back to \"solution proposed\" for\n"
	 "revision ('solution set'), to be submitted again.\n"
	 "usage: nehzat solution close -D DIR ID [--reason TEXT]\n"
	 "Closes an evaluated or rejected solution, and its problems with it.\n", solution_revise_exec},
	{"close", "-D DIR ID [--reason TEXT]",
	 "Takes a solution the council returned back to \"solution proposed\" for\n"
	 "revision ('solution set'), to be submitted again.\n"
	 "usage: nehzat solution close -D DIR ID [--reason TEXT]\n"
	 "Closes an evaluated or rejected solution, and its problems with it.\n", solution_revise_exec},
	{"set", "-D DIR ID FIELD=VALUE...",
	 "Fields: title, exec_plan, bodies, resources, budget, start_date, end_date.\n", solution_set_exec},
	{"list", "-D DIR [--under CODE] [--status S] [--json] [--csv FILE]",
	 NULL, solution_list_exec},
	{"show", "-D DIR ID [--json]",
	 "A solution with its problems, council decisions, intervention and evaluations.\n", solution_show_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_solution = {
	.name = "solution",
	.summary = "proposed solutions: add, submit, revise, close, list, show",
	.about = "Proposed solutions (راه حل پیشنهادی): an executive plan for one or more prioritised problems\n"
		 "of one area, with responsible bodies, resources, budget and timeline, submitted to the\n"
		 "county or provincial social council (شورای اجتماعی).\n"
		 "\n"
		  LIFECYCLE_HELP,
	.subs = solution_subs,
};

/* ---- council ---- */

static int
council_decide_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	struct decision_input in = {0};
	const struct cli_opt opts[] = {CLI_VAL("--decision", &in.decision),
				       CLI_VAL("--date", &in.date),
				       CLI_VAL("--resolution", &in.resolution),
				       CLI_VAL("--conditions", &in.conditions),
				       CLI_END};
	if ((rc = cli_parse("council decide", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1 || in.decision == NULL || in.date == NULL)
		return cmd_usage("council decide: give one SOLUTION, --decision and --date");
	in.solution = pos[0];
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = council_decide(n.st, &in, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
council_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"solution", "owner", "council", "round", "date", "resolution",
					   "decision", "title", NULL};
	static const char *const pcols[] = {"id", "owner", "round", "submitted", "title", NULL};
	struct node n;
	int rc;

	struct cli_list_opts l;
	json_t *rows;
	if ((rc = cli_list_parse("council list", argc, argv, CLI_LIST_PENDING, &l, NULL, 0)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = council_list(n.st, l.under, l.pending);
	node_close(&n);
	return out_rows(o, rows, l.pending ? pcols : cols, l.csv);
}

static const struct cmd_sub council_subs[] = {
	{"decide", "-D DIR SOLUTION --decision approved|rejected|returned --date D\n"
	  "[--resolution NUMBER] [--conditions TEXT]",
	 NULL, council_decide_exec},
	{"list", "-D DIR [--under CODE] [--pending] [--json] [--csv FILE]",
	 NULL, council_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_council = {
	.name = "council",
	.summary = "social council decisions on solutions: decide, list",
	.about = "Decisions of the social councils (شورای اجتماعی) on solutions submitted to them.  A decision\n"
		 "is recorded at the node of the council's unit: a county council's at the county, a provincial\n"
		 "council's at the province (also for its counties' solutions; it reaches the county with\n"
		 "sync).  --date is the council session; --resolution (شماره مصوبه) is required to approve or\n"
		 "reject.  Recording again for the same submission corrects the decision until the solution's\n"
		 "unit acts on it.  list --pending shows the solutions awaiting this node's council.\n",
	.subs = council_subs,
};
