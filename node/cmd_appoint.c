/*
 * Commands of the selection of helper groups (ماده ۳) from the ranking on:
 * rank, appoint, decree, course, and the node's invariant report, check.  Parsing and printing only: the rules
 * are in src/domain/selection/.  Dates are typed and shown in Jalali.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/jalali.h"
#include "domain/check.h"
#include "domain/selection.h"
#include "http/http.h"
#include "node/node.h"

#define POS_MAX 64
#define FILE_MAX (64L * 1024 * 1024) /* a document read for its checksum */

/* ---- rank ---- */

static int
rank_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {{"rank", "rank"},
					   {"applicant_id", "applicant"},
					   {"review", "review"},
					   {"spread", "spread"},
					   {"flag", "flag"},
					   {"interview", "interview"},
					   {"combined", "combined"},
					   {"qualified", "qualified"},
					   {"note", "note"},
					   {"name", "name"},
					   {NULL, NULL}};
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	const char *csv = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--csv", &csv), CLI_END};
	json_t *rows, *r;
	size_t i;
	int npos, rc, from = 1;

	if (argc > 1 && strcmp(argv[1], "list") == 0)
		from = 2;
	if ((rc = cli_parse("rank", argc, argv, from, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("rank: give the CALL's id");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if ((rows = sel_rank(n.st, pos[0], &err)) == NULL)
		return cli_done(&n, NZ_EINVAL, &err, NULL);
	node_close(&n);
	if (csv != NULL) {
		FILE *f = cli_csv_open(csv);
		if (f == NULL || cli_csv_close(f, csv, sel_rank_csv(rows, f)) != 0) {
			json_decref(rows);
			return 1;
		}
	}
	if (o->json) {
		cli_print_json(rows);
	} else if (csv == NULL) {
		json_t *first = json_array_get(rows, 0);
		if (first != NULL)
			printf("standards version %lld, threshold %.2f\n",
			       (long long)json_integer_value(json_object_get(first, "std_version")),
			       json_real_value(json_object_get(first, "threshold")));
		json_array_foreach(rows, i, r) {
			const char *appt = cli_jstr(r, "decree_no");
			json_object_set_new(
				r, "flag",
				json_string(json_is_true(json_object_get(r, "flagged")) ? "!" : ""));
			if (appt[0] != '\0') {
				char note[96];
				snprintf(note, sizeof(note), "appointed %s", appt);
				json_object_set_new(r, "note", json_string(note));
			} else {
				json_object_set_new(r, "note", json_string(cli_jstr(r, "reason")));
			}
			if (strcmp(cli_jstr(r, "interview_status"), "held") != 0)
				json_object_set(r, "interview", json_object_get(r, "interview_status"));
		}
		cli_table(rows, cols);
	} else if (strcmp(csv, "-") != 0) {
		printf("wrote %zu rows to %s\n", json_array_size(rows), csv);
	}
	json_decref(rows);
	return 0;
}

const struct cmd_def cmd_rank = {
	.name = "rank",
	.summary = "ranked list and qualification of a call's applicants (--json, --csv)",
	.about = "Ranking and qualification (رتبه بندی و تعیین صلاحیت) of a call's applicants under\n"
		 "the standards it opened with:\n"
		 "  combined = (review_weight * review + interview_weight * interview) / 100,\n"
		 "  review = mean of the reviewers' totals, each score on 0..100, two decimals.\n"
		 "A group qualifies with enough reviews, a held interview and a combined score at\n"
		 "or above the threshold.  Order: combined score, then interview score, then review\n"
		 "score (all highest first), then earliest application, then applicant id.\n"
		 "flag '!' marks reviewers who disagree by more than the standards allow.\n"
		 "--csv writes the list as CSV (UTF-8) to FILE (- for standard output).\n",
	.synopsis = "[list] -D DIR CALL [--json] [--csv FILE]",
	.run = rank_exec,
};

/* ---- appoint ---- */

static int
appoint_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	const char *date = NULL, *term = NULL, *number = NULL, *replaces = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--date", &date),
				       CLI_VAL("--replaces", &replaces),
				       CLI_VAL("--term-months", &term),
				       CLI_VAL("--number", &number),
				       CLI_END};
	char iso[11], id[NZ_RID_MAX], no[SEL_DECREE_NO_MAX];
	long long months = 0;
	if ((rc = cli_parse("appoint add", argc, argv, 2, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("appoint add: give the APPLICANT's id");
	if ((date != NULL && (rc = cli_date("appoint add", "--date", date, iso)) != 0) ||
	    (rc = cli_whole("appoint add", "--term-months", term, 1, 60, &months)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (replaces != NULL && term != NULL) {
		node_close(&n);
		return cmd_usage("appoint add: --replaces fills the rest of that term; drop --term-months");
	}
	if (replaces != NULL)
		rc = sel_appoint_replace(n.st, pos[0], replaces, date ? iso : NULL, number, n.author, id, no, &err);
	else
		rc = sel_appoint(n.st, pos[0], date ? iso : NULL, (int)months, number, n.author, id, no, &err);
	if (rc == 0)
		printf("%s %s\n", id, no);
	return cli_done(&n, rc, &err, NULL);
}

static int
appoint_revoke_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return out_end_with_reason(o, argc, argv, "appoint revoke", "appointment", sel_revoke);
}

static int
appoint_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	static const struct cli_col cols[] = {{"id", "id"},
					   {"owner", "secretariat"},
					   {"status", "status"},
					   {"decree_no", "decree"},
					   {"appointed_jalali", "date"},
					   {"term_end_jalali", "until"},
					   {"by_node", "by"},
					   {"group_name", "group"},
					   {NULL, NULL}};
	const char *under = NULL, *call = NULL;
	bool all = false;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under),
				       CLI_VAL("--call", &call),
				       CLI_FLAG("--all", &all),
				       CLI_END};
	json_t *rows;
	if ((rc = cli_parse("appoint list", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("appoint list", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = sel_appoint_list(n.st, under, call, all);
	node_close(&n);
	return out_table(o, rows, cols);
}

static int
appoint_summary_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {{"unit", "secretariat"}, {"level", "level"},
					   {"active", "active"},    {"quota", "quota"},
					   {"free", "free"},        {"revoked", "revoked"},
					   {"name_fa", "name"},     {NULL, NULL}};
	json_t *rows;
	int rc = out_under(o, argc, argv, "appoint summary", sel_appoint_summary, &rows);

	return rc != 0 ? rc : out_table(o, rows, cols);
}

static const struct cmd_sub appoint_subs[] = {
	{"add", "-D DIR APPLICANT [--date DATE] [--term-months N]\n"
	  "[--number NO] [--replaces APPOINTMENT]",
	 NULL, appoint_add_exec},
	{"revoke", "-D DIR ID --reason R",
	 NULL, appoint_revoke_exec},
	{"list", "-D DIR [--under CODE] [--call CALL] [--all] [--json]",
	 NULL, appoint_list_exec},
	{"summary", "-D DIR [--under CODE] [--json]",
	 NULL, appoint_summary_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_appoint = {
	.name = "appoint",
	.summary = "appoint qualified groups within the quota: add, revoke, list, summary",
	.about = "Selection and decree (انتخاب همیار و صدور حکم): appoints a qualified group of a\n"
		 "reviewed call and issues its decree, numbered SECRETARIAT/YEAR/NNNN per Jalali year\n"
		 "(or --number NO, never one used before), dated DATE (Jalali, default today), for the\n"
		 "standards' term or --term-months.  Refused beyond the quota (2 per county, 5 per\n"
		 "province unless the standards say otherwise).  revoke frees the place and keeps the\n"
		 "history.  list shows active appointments (--all: revoked too); summary shows each\n"
		 "secretariat's appointments against its quota.  add prints the id and the number.\n",
	.subs = appoint_subs,
};

/* ---- decree ---- */

static int
decree_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {{"number", "number"},         {"date_jalali", "date"},
					   {"term_end_jalali", "until"}, {"status", "status"},
					   {"group_name", "group"},      {NULL, NULL}};
	json_t *rows;
	int rc = out_under(o, argc, argv, "decree list", sel_decree_list, &rows);

	return rc != 0 ? rc : out_table(o, rows, cols);
}

static int
decree_show_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return out_show_by(o, argc, argv, "decree show", sel_decree_get, "decree", out_record_json);
}

static int
decree_print_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return out_print_html(o, argc, argv, "decree print", "a decree's id or number", http_decree_html);
}

static const struct cmd_sub decree_subs[] = {
	{"list", "-D DIR [--under CODE] [--json]",
	 NULL, decree_list_exec},
	{"show", "-D DIR KEY [--json]",
	 NULL, decree_show_exec},
	{"print", "-D DIR KEY --html FILE",
	 NULL, decree_print_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_decree = {
	.name = "decree",
	.summary = "appointment decrees: list, show, print --html",
	.about = "Appointment decrees (احکام).  KEY is a decree's id, its number or its appointment's\n"
		 "id.  print writes a self-contained right-to-left Persian page ready to print: the\n"
		 "secretariat, the group, the number, the Jalali date and term, and the helpers'\n"
		 "duties of ماده ۴ of the guideline.  A revoked decree says so on the page.\n",
	.subs = decree_subs,
};

/* ---- course ---- */

static int
course_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	const char *title = NULL, *req = NULL, *who = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--title", &title),
				       CLI_VAL("--required", &req),
				       CLI_VAL("--for", &who),
				       CLI_END};
	char id[NZ_RID_MAX];
	long long required = 0;
	if ((rc = cli_parse("course add", argc, argv, 2, opts, pos, 0, &npos)) != 0)
		return rc;
	if (title == NULL)
		return cmd_usage("course add: --title T is required");
	if ((rc = cli_whole("course add", "--required", req, 0, 100, &required)) != 0 ||
	    (rc = cli_check_unit("course add", who)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = sel_course_add(n.st, who, title, (int)required, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
course_session_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	const char *date = NULL, *topic = NULL, *hours = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--date", &date),
				       CLI_VAL("--topic", &topic),
				       CLI_VAL("--hours", &hours),
				       CLI_END};
	char iso[11], id[NZ_RID_MAX];
	double h = 0;
	if ((rc = cli_parse("course session", argc, argv, 2, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1 || date == NULL)
		return cmd_usage("course session: give COURSE and --date DATE");
	if ((rc = cli_date("course session", "--date", date, iso)) != 0)
		return rc;
	if ((rc = cli_real("course session", "--hours", hours, &h)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = sel_session_add(n.st, pos[0], iso, topic, h, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
course_attend_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc, i;

	bool absent = false;
	const struct cli_opt opts[] = {CLI_FLAG("--absent", &absent), CLI_END};
	if ((rc = cli_parse("course attend", argc, argv, 2, opts, pos, POS_MAX, &npos)) != 0)
		return rc;
	if (npos < 2)
		return cmd_usage("course attend: give SESSION and one or more APPOINTMENT ids");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	/* Each group's attendance is its own record: stop at the first refusal. */
	for (i = 1; i < npos && rc == 0; i++)
		rc = sel_attend(n.st, pos[0], pos[i], !absent, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
course_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	json_t *rows, *c, *s;
	size_t k, m;
	int rc;

	if ((rc = out_under(o, argc, argv, "course list", sel_course_list, &rows)) != 0)
		return rc;
	if (rows == NULL)
		return cli_unread();
	if (o->json) {
		cli_print_json(rows);
	} else {
		json_array_foreach(rows, k, c) {
			json_int_t req = json_integer_value(json_object_get(c, "required"));
			printf("%s  %s  %s (", cli_jstr(c, "id"), cli_jstr(c, "owner"), cli_jstr(c, "title"));
			if (req > 0)
				printf("%lld sessions required)\n", (long long)req);
			else
				printf("every session required)\n");
			json_array_foreach(json_object_get(c, "sessions"), m, s) {
				printf("  %s  %s  %4.1fh  present %lld  %s\n", cli_jstr(s, "id"),
				       cli_jstr(s, "date_jalali"),
				       json_number_value(json_object_get(s, "hours")),
				       (long long)json_integer_value(json_object_get(s, "present")),
				       cli_jstr(s, "topic"));
			}
		}
	}
	json_decref(rows);
	return 0;
}

static int
course_status_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	static const struct cli_col cols[] = {{"appointment_id", "appointment"},
					   {"owner", "secretariat"},
					   {"progress", "attended"},
					   {"completed", "completed"},
					   {"decree_no", "decree"},
					   {"group_name", "group"},
					   {NULL, NULL}};
	const char *under = NULL;
	bool pending = strcmp(argv[1], "pending") == 0;
	const struct cli_opt opts[] = {
		CLI_VAL("--under", &under), CLI_FLAG("--pending", &pending), CLI_END};
	json_t *rows, *r, *c;
	size_t k, m;
	if ((rc = cli_parse("course status", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("course status", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = sel_course_status(n.st, under, pending);
	node_close(&n);
	if (o->json) {
		cli_print_json(rows);
	} else {
		json_array_foreach(rows, k, r) {
			char progress[64] = "-";
			json_array_foreach(json_object_get(r, "courses"), m, c) {
				snprintf(
					progress, sizeof(progress), "%lld/%lld",
					(long long)json_integer_value(json_object_get(c, "attended")),
					(long long)json_integer_value(
						json_object_get(c, "required")));
				if (json_is_true(json_object_get(c, "completed")))
					break;
			}
			json_object_set_new(r, "progress", json_string(progress));
		}
		cli_table(rows, cols);
	}
	json_decref(rows);
	return 0;
}

static const struct cmd_sub course_subs[] = {
	{"add", "-D DIR --title T [--required N] [--for CODE]",
	 NULL, course_add_exec},
	{"session", "-D DIR COURSE --date DATE [--topic T] [--hours H]",
	 NULL, course_session_exec},
	{"attend", "-D DIR SESSION APPOINTMENT... [--absent]",
	 NULL, course_attend_exec},
	{"list", "-D DIR [--under CODE] [--json]",
	 NULL, course_list_exec},
	{"status", "-D DIR [--under CODE] [--pending] [--json]",
	 NULL, course_status_exec},
	{"pending", "-D DIR [--under CODE] [--json]",
	 NULL, course_status_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_course = {
	.name = "course",
	.summary = "facilitator orientation course: add, session, attend, list, status, pending",
	.about = "The facilitator orientation course (دوره توجیهی تسهیلگر) of a secretariat: its\n"
		 "sessions (Jalali DATE) and the attendance of appointed groups.  A group completes\n"
		 "a course by attending N of its sessions (--required; default all of them).\n"
		 "pending lists the appointed groups that have not completed one.\n",
	.subs = course_subs,
};

/* ---- check ---- */

/* check_help lists the checks of the registry (domain/check.c) under check's --help. */
static void
check_help(FILE *out)
{
	const struct check_def *all = check_all();
	int k;

	for (k = 0; all[k].name != NULL; k++)
		fprintf(out, "  %-20s %s\n", all[k].name, all[k].what);
}

static int
check_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	const char *under = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under), CLI_END};
	const struct check_def *all = check_all();
	json_t *v, *x;
	size_t i;
	int npos, rc, k;

	if ((rc = cli_parse("check", argc, argv, 1, opts, pos, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("check", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = check_run(n.st, under, &v, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	if (o->json) {
		cli_print_json(v);
	} else {
		json_array_foreach(v, i, x)
			printf("%s: %s\n", cli_jstr(x, "check"), cli_jstr(x, "message"));
		for (k = 0; all[k].name != NULL; k++)
			;
		if (json_array_size(v) == 0)
			printf("no violations (%d checks)\n", k);
		else
			printf("%zu violation(s)\n", json_array_size(v));
	}
	rc = json_array_size(v) > 0 ? 1 : 0;
	json_decref(v);
	return rc;
}

const struct cmd_def cmd_check = {
	.name = "check",
	.summary = "invariant report: quota overruns, doubled decree numbers (exit 1 if any)",
	.synopsis = "-D DIR [--under CODE] [--json]",
	.about = "The node's invariant report: rules that each write keeps where it is made but that\n"
		 "two levels writing while apart can break, found in what has replicated here.\n"
		 "Exits 1 when there is any violation.  Checks:\n",
	.run = check_exec,
	.more = check_help,
};
