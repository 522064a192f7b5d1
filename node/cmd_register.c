/*
 * Commands of the issue register (نظام مسائل): issue, session, solution,
 * council, intervention, evaluation, org and register.  Parsing and printing
 * only; the rules are in src/domain/register/.  Dates are typed
 * and shown in Jalali.
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

/* ---- output ---- */

/* "1405-09-07 14:03" in Iran time for unix ms; "never" for 0. */
static void
ms_jalali(long long ms, char *buf, size_t n)
{
	char iso[11], jal[11];
	long long secs = ms / 1000, local = secs + 12600; /* UTC+03:30 */
	int mins;

	if (ms <= 0) {
		snprintf(buf, n, "never");
		return;
	}
	iso_from_unix_iran(secs, iso);
	if (jalali_from_iso(iso, jal, NULL) != 0)
		snprintf(jal, sizeof(jal), "%s", iso);
	mins = (int)((local % 86400 + 86400) % 86400 / 60);
	snprintf(buf, n, "%s %02d:%02d", jal, mins / 60, mins % 60);
}

static bool
is_iso_date(const char *s)
{
	int y, m, d;

	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && isdigit((unsigned char)s[0]) &&
	       iso_parse(s, &y, &m, &d, NULL) == 0;
}

/*
 * jalalize rewrites, throughout v, every ISO date string as Jalali, and next
 * to every "..._ms" time adds the same key without "_ms" as Jalali text.
 */
static void
jalalize(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	void *tmp;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_string(x) && is_iso_date(json_string_value(x))) {
				char j[11];
				if (jalali_from_iso(json_string_value(x), j, NULL) == 0)
					json_array_set_new(v, i, json_string(j));
			} else {
				jalalize(x);
			}
		}
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach_safe(v, tmp, k, x) {
		size_t len = strlen(k);
		if (json_is_string(x) && is_iso_date(json_string_value(x))) {
			char j[11];
			if (jalali_from_iso(json_string_value(x), j, NULL) == 0)
				json_object_set_new(v, k, json_string(j));
		} else if (len > 3 && strcmp(k + len - 3, "_ms") == 0 && (json_is_integer(x) || json_is_null(x))) {
			char key[64], when[40];
			if (json_is_null(x))
				snprintf(when, sizeof(when), "local");
			else
				ms_jalali(json_integer_value(x), when, sizeof(when));
			snprintf(key, sizeof(key), "%.*s", (int)(len - 3), k);
			json_object_set_new(v, key, json_string(when));
		} else {
			jalalize(x);
		}
	}
}

/* write_csv writes the scalar fields of rows (those of the first row) as RFC 4180 CSV to path ("-": stdout). */
static int
write_csv(const char *path, json_t *rows)
{
	FILE *f = cli_csv_open(path);

	if (f == NULL)
		return 1;
	if (cli_csv_close(f, path, csv_write(f, rows, NULL)) != 0)
		return 1;
	if (strcmp(path, "-") != 0)
		fprintf(stderr, "wrote %zu rows to %s\n", json_array_size(rows), path);
	return 0;
}

/* emit prints a listing as JSON, CSV (csv not NULL) or a text table of cols; consumes rows. */
static int
emit(const struct cmd_opts *o, json_t *rows, const char *const *cols, const char *csv)
{
	int rc;

	if (rows == NULL)
		return cli_unread();
	jalalize(rows);
	if (csv == NULL)
		return cli_list(o, rows, cols);
	rc = write_csv(csv, rows);
	json_decref(rows);
	return rc;
}

/* texts turns the booleans of an array of objects into yes/no, for text tables. */
static void
texts(json_t *rows)
{
	const char *k;
	json_t *r, *v;
	size_t i;
	void *tmp;

	json_array_foreach(rows, i, r) {
		json_object_foreach_safe(r, tmp, k, v) {
			if (json_is_boolean(v))
				json_object_set_new(r, k, json_string(json_is_true(v) ? "yes" : "no"));
		}
	}
}

/* show prints one record (NULL: not found); nested arrays as tables of all their fields. */
static int
show(const struct cmd_opts *o, json_t *rec, const char *what, const char *id)
{
	const char *k;
	json_t *v;

	if (rec == NULL)
		return cli_not_found(what, id);
	jalalize(rec);
	if (o->json) {
		cli_print_json(rec);
		json_decref(rec);
		return 0;
	}
	json_object_foreach(rec, k, v) {
		char *s;
		if (json_is_array(v) || json_is_object(v))
			continue;
		s = json_is_string(v) || json_is_null(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
		printf("%-20s %s\n", k, s ? s : json_is_null(v) ? "-" : json_string_value(v));
		free(s);
	}
	json_object_foreach(rec, k, v) {
		const char *cols[32], *ck;
		json_t *cv;
		int n = 0;
		if (!json_is_array(v))
			continue;
		printf("\n%s:\n", k);
		if (json_array_size(v) == 0) {
			printf("  (none)\n");
			continue;
		}
		json_object_foreach(json_array_get(v, 0), ck, cv) {
			if (n < 31 && !json_is_array(cv) && !json_is_object(cv))
				cols[n++] = ck;
		}
		cols[n] = NULL;
		texts(v);
		cli_key_table(v, cols);
	}
	json_decref(rec);
	return 0;
}

/* ---- subcommands every area has ---- */

/* What a listing takes besides --under CODE and --csv FILE. */
enum { LIST_STATUS = 1, LIST_CATEGORY = 2, LIST_PENDING = 4 };

/* struct list_opts holds a listing's options and how many arguments it was given. */
struct list_opts {
	const char *under, *status, *category, *csv;
	bool pending;
	int npos;
};

/* list_parse reads the options of "CMD list" (those of extra too) and up to maxpos arguments into pos. */
static int
list_parse(const char *cmd, int argc, char **argv, unsigned extra, struct list_opts *l, char **pos, int maxpos)
{
	struct cli_opt opts[6] = {CLI_VAL("--under", &l->under), CLI_VAL("--csv", &l->csv)};
	int k = 2, rc;

	memset(l, 0, sizeof(*l));
	if (extra & LIST_STATUS)
		opts[k++] = (struct cli_opt)CLI_VAL("--status", &l->status);
	if (extra & LIST_CATEGORY)
		opts[k++] = (struct cli_opt)CLI_VAL("--category", &l->category);
	if (extra & LIST_PENDING)
		opts[k++] = (struct cli_opt)CLI_FLAG("--pending", &l->pending);
	opts[k] = (struct cli_opt)CLI_END;
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, pos, maxpos, &l->npos)) != 0 ||
	    (rc = cli_check_unit(cmd, l->under)) != 0)
		return rc;
	if (l->status != NULL && reg_status_fa(l->status) == NULL)
		return cmd_usage("%s: '%s' is not a status", cmd, l->status);
	return 0;
}

/* get_fn finds one record by id (NULL: none); the caller owns it. */
typedef json_t *(*get_fn)(struct store *st, const char *id);

/* show_id runs "CMD show ID" with the record get finds, a WHAT. */
static int
show_id(const struct cmd_opts *o, int argc, char **argv, const char *cmd, get_fn get, const char *what)
{
	struct node n;
	json_t *rec;
	int rc;

	if (argc != 3)
		return cmd_usage("%s: give exactly one ID", cmd);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rec = get(n.st, argv[2]);
	node_close(&n);
	return show(o, rec, what, argv[2]);
}

/* set_fn assigns FIELD=VALUE pairs to record id. */
typedef int (*set_fn)(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
		      struct nz_err *err);

/* set_fields runs "CMD set ID FIELD=VALUE..." through set. */
static int
set_fields(const struct cmd_opts *o, int argc, char **argv, const char *cmd, set_fn set)
{
	struct nz_err err = {0};
	struct node n;
	int rc;

	if (argc < 4)
		return cmd_usage("%s: give ID and at least one FIELD=VALUE", cmd);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = set(n.st, argv[2], argc - 3, argv + 3, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

/* LIFECYCLE_HELP ends the --help of issue and solution, and is what "register lifecycle" prints. */
#define LIFECYCLE_HELP \
	"Lifecycle (only these moves are legal; anything else is refused and changes nothing):\n" \
	"  identified (شناسایی شده)      -> prioritised     when a session scores it (session score)\n" \
	"  prioritised (اولویت بندی شده)  -> proposed        when a solution is proposed (solution add)\n" \
	"  proposed (راه حل پیشنهاد شده)  -> council         solution submit --council county|province\n" \
	"  council (در دستور شورا)        -> approved | rejected | returned   council decide (at the council's node)\n" \
	"  returned (عودت برای اصلاح)     -> proposed        solution revise\n" \
	"  rejected (رد شده در شورا)      -> proposed        a new solution (solution add); or -> closed\n" \
	"  approved (مصوب شورا)           -> intervention    intervention add --solution\n" \
	"  intervention (در حال مداخله)   -> evaluated       evaluation add --intervention (implementation started)\n" \
	"  evaluated (ارزیابی شده)        -> closed          solution close / issue close\n" \
	"  identified, prioritised        -> closed          issue close (e.g. a duplicate)\n" \
	"A solution's problems move with it.  approved/rejected/returned are the council's decision record,\n" \
	"kept apart from the solution so that the council's node and the solution's unit never overwrite\n" \
	"each other.\n"

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

	struct list_opts l;
	json_t *rows;
	if ((rc = list_parse("issue list", argc, argv, LIST_STATUS | LIST_CATEGORY, &l, NULL, 0)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = issue_list(n.st, l.under, l.status, l.category);
	node_close(&n);
	return emit(o, rows, cols, l.csv);
}

static int
issue_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return show_id(o, argc, argv, "issue show", issue_get, "problem");
}

static int
issue_set_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return set_fields(o, argc, argv, "issue set", issue_set);
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
	const char *people = NULL, *issues[CLI_LIST_MAX];
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--date", &in.date),
				       CLI_VAL("--place", &in.place),
				       CLI_VAL("--facilitator", &in.facilitator),
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
	static const char *const cols[] = {"id", "owner", "date", "place", "facilitator", "participants",
					   "nscores", "stakeholder_groups", NULL};
	struct node n;
	int rc;

	struct list_opts l;
	json_t *rows;
	if ((rc = list_parse("session list", argc, argv, 0, &l, NULL, 0)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = session_list(n.st, l.under);
	node_close(&n);
	return emit(o, rows, cols, l.csv);
}

static int
session_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return show_id(o, argc, argv, "session show", session_get, "session");
}

static int
session_set_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return set_fields(o, argc, argv, "session set", session_set);
}

static const struct cmd_sub session_subs[] = {
	{"add", "-D DIR --date D [--place P] [--facilitator F] [--participants N]\n"
	  "[--groups G] [--issue ID]... [--outcomes T] [--area CODE]",
	 "Records a deliberation session and prints its id.  --issue names a problem discussed.\n", session_add_exec},
	{"score", "-D DIR SID ISSUE CRITERION=SCORE... [--group G]",
	 "Records the scores a stakeholder group gave a problem in a session, e.g.\n"
	 "  nehzat session score -D DIR s1 p1 severity=4 prevalence=3 urgency=5 feasibility=2\n", session_score_exec},
	{"list", "-D DIR [--under CODE] [--json] [--csv FILE]",
	 NULL, session_list_exec},
	{"show", "-D DIR SID [--json]",
	 NULL, session_show_exec},
	{"set", "-D DIR SID FIELD=VALUE...",
	 "Fields: date, place, facilitator, participants, stakeholder_groups, outcomes.\n", session_set_exec},
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

	return set_fields(o, argc, argv, "solution set", solution_set);
}

static int
solution_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "state", "round", "council", "budget", "start_date",
					   "end_date", "title", NULL};
	struct node n;
	int rc;

	struct list_opts l;
	json_t *rows;
	if ((rc = list_parse("solution list", argc, argv, LIST_STATUS, &l, NULL, 0)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = solution_list(n.st, l.under, l.status);
	node_close(&n);
	return emit(o, rows, cols, l.csv);
}

static int
solution_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return show_id(o, argc, argv, "solution show", solution_get, "solution");
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

	struct list_opts l;
	json_t *rows;
	if ((rc = list_parse("council list", argc, argv, LIST_PENDING, &l, NULL, 0)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = council_list(n.st, l.under, l.pending);
	node_close(&n);
	return emit(o, rows, l.pending ? pcols : cols, l.csv);
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

	struct list_opts l;
	json_t *rows;
	if ((rc = list_parse("intervention list", argc, argv, 0, &l, NULL, 0)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = intervention_list(n.st, l.under);
	node_close(&n);
	return emit(o, rows, cols, l.csv);
}

static int
intervention_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return show_id(o, argc, argv, "intervention show", intervention_get, "intervention");
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

	struct list_opts l;
	json_t *rows;
	if ((rc = list_parse("evaluation list", argc, argv, 0, &l, NULL, 0)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = evaluation_list(n.st, l.under);
	node_close(&n);
	return emit(o, rows, cols, l.csv);
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

/* ---- org ---- */

/* org_get returns organisation id with its introductions, or NULL: the domain lists them only. */
static json_t *
org_get(struct store *st, const char *id)
{
	json_t *rows = org_list(st, NULL), *r, *rec = NULL;
	size_t i;

	json_array_foreach(rows, i, r)
		if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0)
			rec = json_incref(r);
	json_decref(rows);
	if (rec != NULL)
		json_object_set_new(rec, "introductions", org_intro_list(st, NULL, id));
	return rec;
}

static int
org_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	struct org_input in = {0};
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--name", &in.name),
				       CLI_VAL("--kind", &in.kind),
				       CLI_VAL("--field", &in.field),
				       CLI_VAL("--contact", &in.contact),
				       CLI_VAL("--by", &in.identified_by),
				       CLI_VAL("--date", &in.date),
				       CLI_VAL("--notes", &in.notes),
				       CLI_VAL("--area", &in.area),
				       CLI_END};
	if ((rc = cli_parse("org add", argc, argv, 2, opts, NULL, 0, &np)) != 0)
		return rc;
	if (in.name == NULL)
		return cmd_usage("org add: --name N is required");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = org_add(n.st, &in, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
org_set_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return set_fields(o, argc, argv, "org set", org_set);
}

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
org_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "name", "kind", "field", "identified_by", "identified",
					   "introductions", "accepted", NULL};
	static const char *const icols[] = {"id", "owner", "org_name", "body", "level", "date", "outcome", NULL};
	struct node n;
	char *pos[POS_MAX];
	int rc;

	bool intros = strcmp(argv[1], "intros") == 0;
	struct list_opts l;
	json_t *rows;
	if ((rc = list_parse(intros ? "org intros" : "org list", argc, argv, 0, &l, pos, intros ? 1 : 0)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = intros ? org_intro_list(n.st, l.under, l.npos ? pos[0] : NULL) : org_list(n.st, l.under);
	node_close(&n);
	return emit(o, rows, intros ? icols : cols, l.csv);
}

static int
org_show_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return show_id(o, argc, argv, "org show", org_get, "organisation");
}

static const struct cmd_sub org_subs[] = {
	{"add", "-D DIR --name N [--kind K] [--field F] [--contact C] [--by HELPER]\n"
	  "[--date D] [--notes T] [--area CODE]",
	 NULL, org_add_exec},
	{"set", "-D DIR ID FIELD=VALUE...",
	 "Fields: name, kind, field, contact, identified_by, identified, notes.\n", org_set_exec},
	{"introduce", "-D DIR ID --body B --level province|county [--date D]\n"
	  "[--outcome pending|accepted|declined] [--notes T]",
	 NULL, org_introduce_exec},
	{"outcome", "-D DIR INTRO --outcome pending|accepted|declined [--notes T]",
	 NULL, org_outcome_exec},
	{"list", "-D DIR [--under CODE] [--json] [--csv FILE]",
	 NULL, org_list_exec},
	{"intros", "-D DIR [ID] [--under CODE] [--json] [--csv FILE]",
	 NULL, org_list_exec},
	{"show", "-D DIR ID [--json]",
	 NULL, org_show_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_org = {
	.name = "org",
	.summary = "effective organisations and their introductions: add, introduce, list",
	.about = "Effective organisations (تشکل ها) identified by helpers, and their introductions to provincial\n"
		 "and county bodies with the outcome.  add and introduce print the new id.\n",
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
			ms_jalali(json_integer_value(json_object_get(u, "last_sync_ms")), when, sizeof(when));
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
			ms_jalali(json_integer_value(json_object_get(t, "oldest_sync_ms")), when, sizeof(when));
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
			ms_jalali(json_integer_value(json_object_get(c, "oldest_sync_ms")), when, sizeof(when));
		printf("  %-14s ", code && code[0] ? code : "(none)");
		put_padded(fa ? fa : "", 24);
		printf(" %5lld %5lld  %s\n", (long long)json_integer_value(json_object_get(c, "problems")),
		       (long long)json_integer_value(json_object_get(c, "open")), when);
		print_top(json_object_get(c, "top"), "      ");
	}
}

static int
register_standards(const struct cmd_opts *o, int argc, char **argv, bool crit)
{
	static const char *const ccols[] = {"code", "name_fa", "name_en", "active", NULL};
	static const char *const kcols[] = {"code", "name_fa", "name_en", "weight", "scale_max", "active", NULL};
	const char *what = crit ? "register criterion" : "register category";
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

	if (argc < 3)
		return cmd_usage("%s: give list, add or set", what);
	if (strcmp(argv[2], "list") == 0) {
		const char *csv = NULL;
		const struct cli_opt lopts[] = {CLI_VAL("--csv", &csv), CLI_END};
		json_t *rows;
		if ((rc = cli_parse(what, argc, argv, 3, lopts, pos, POS_MAX, &np)) != 0)
			return rc;
		if (np > 0)
			return cmd_usage("%s list: unexpected argument '%s'", what, pos[0]);
		if ((rc = cmd_open(&n, o)) != 0)
			return rc;
		rows = crit ? criterion_list(n.st) : category_list(n.st);
		node_close(&n);
		return emit(o, rows, crit ? kcols : ccols, csv);
	}
	if (strcmp(argv[2], "add") != 0 && strcmp(argv[2], "set") != 0)
		return cmd_usage("%s: unknown subcommand '%s' (list, add, set)", what, argv[2]);
	if ((rc = cli_parse(what, argc, argv, 3, crit ? opts : copts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1)
		return cmd_usage("%s %s: give exactly one CODE", what, argv[2]);
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
		rc = criterion_put(n.st, strcmp(argv[2], "add") == 0, pos[0], fa, en, w, (int)sm, (int)act, n.author,
				   &err);
	else
		rc = category_put(n.st, strcmp(argv[2], "add") == 0, pos[0], fa, en, (int)act, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

/* register_standards_exec runs "register category|criterion list|add|set". */
static int
register_standards_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return register_standards(o, argc, argv, strcmp(argv[1], "category") != 0);
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
	jalalize(s);
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
		 "evaluations, organisations, top problems); at national the provinces, and the country's\n"
		 "problems by category with their top problems by priority.  Every unit's figures are\n"
		 "stamped with the last successful sync of the child of this node that carries them\n"
		 "('data as of'); this node's own records are 'local'.\n"
		 "seed-standards writes the default problem categories and prioritisation criteria that\n"
		 "are not defined yet (national node only; they reach every node with sync).\n",
	.subs = register_subs,
};

/* ---- facilitator ---- */

static int
facilitator_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, np;

	struct fac_input in = {0};
	char id[NZ_RID_MAX];
	const struct cli_opt opts[] = {CLI_VAL("--name", &in.name),       CLI_VAL("--serves", &in.serves),
				       CLI_VAL("--phone", &in.phone),     CLI_VAL("--designated", &in.designated),
				       CLI_VAL("--notes", &in.notes),     CLI_END};
	if ((rc = cli_parse("facilitator add", argc, argv, 2, opts, NULL, 0, &np)) != 0)
		return rc;
	if (in.name == NULL || in.serves == NULL)
		return cmd_usage("facilitator add: --name N and --serves CODE are required");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = fac_add(n.st, &in, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
facilitator_retire_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int rc, np;

	const struct cli_opt opts[] = {CLI_END};
	if ((rc = cli_parse("facilitator retire", argc, argv, 2, opts, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np != 1)
		return cmd_usage("facilitator retire: give one ID");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = fac_retire(n.st, pos[0], n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
facilitator_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "name", "phone", "serves", "serves_name", "designated", "active",
					   "retired", NULL};
	struct node n;
	int rc, np;

	const char *under = NULL, *csv = NULL;
	bool all = false;
	json_t *rows;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under), CLI_VAL("--csv", &csv), CLI_FLAG("--all", &all),
				       CLI_END};
	if ((rc = cli_parse("facilitator list", argc, argv, 2, opts, NULL, 0, &np)) != 0 ||
	    (rc = cli_check_unit("facilitator list", under)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = fac_list(n.st, under, all);
	node_close(&n);
	return emit(o, rows, cols, csv);
}

static const struct cmd_sub facilitator_subs[] = {
	{"add", "-D DIR --name N --serves CODE [--phone P] [--designated D]\n"
	  "[--notes T]",
	 NULL, facilitator_add_exec},
	{"retire", "-D DIR ID",
	 NULL, facilitator_retire_exec},
	{"list", "-D DIR [--under CODE] [--all] [--json] [--csv FILE]",
	 NULL, facilitator_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_facilitator = {
	.name = "facilitator",
	.summary = "facilitators designated nationally (تسهیلگر): add, retire, list",
	.about = "Facilitators (تسهیلگر) are chosen by the national secretariat (the guideline's definition 3):\n"
		 "add and retire run at the national node only, and the designations reach every node.\n"
		 "--serves names the org unit a facilitator works for (IR, a province or a county); list\n"
		 "shows those serving inside --under or a unit above it, active ones unless --all.\n",
	.subs = facilitator_subs,
};
