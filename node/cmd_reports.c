/*
 * Commands of monitoring: report, completeness, freshness and approve
 * (template has cmd_template.c).  Parsing and printing only; the rules are
 * in src/domain/reports/ and src/domain/fresh.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/fa.h"
#include "domain/allocate.h"
#include "domain/fresh.h"
#include "domain/record.h"
#include "domain/reports.h"
#include "node/node.h"

#define REST_MAX 256 /* positional arguments and FIELD=VALUE pairs */

/* ---- report ---- */

static void
print_report(json_t *r)
{
	json_t *data = json_object_get(r, "data"), *f, *x;
	size_t i;

	printf("report %s  %s revision %lld  (%s)\n", cli_jstr(r, "id"), cli_jstr(r, "owner"), cli_jint(r, "revision"),
	       cli_jstr(r, "state"));
	printf("  template   %s v%lld  %s\n", cli_jstr(r, "template_code"), cli_jint(r, "template_version"),
	       cli_jstr(r, "template_title"));
	printf("  period     %s (%s to %s), due %s\n", cli_jstr(r, "period"), cli_jstr(r, "period_start"),
	       cli_jstr(r, "period_end"), cli_jstr(r, "due"));
	if (cli_jstr(r, "grp")[0])
		printf("  group      %s\n", cli_jstr(r, "grp"));
	if (cli_jstr(r, "submitted")[0])
		printf("  submitted  %s%s\n", cli_jstr(r, "submitted"),
		       json_is_true(json_object_get(r, "on_time")) ? " (on time)" : " (late)");
	if (cli_jstr(r, "reason")[0])
		printf("  corrects   %s: %s\n", cli_jstr(r, "supersedes"), cli_jstr(r, "reason"));
	if (cli_jstr(r, "review")[0])
		printf("  review     %s by %s on %s%s%s\n", cli_jstr(r, "review"), cli_jstr(r, "reviewer"),
		       cli_jstr(r, "reviewed"), cli_jstr(r, "review_note")[0] ? ": " : "", cli_jstr(r, "review_note"));
	json_array_foreach(json_object_get(r, "fields"), i, f) {
		json_t *v = json_object_get(data, cli_jstr(f, "name"));
		char *s = v && !json_is_string(v) ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
		printf("  %-20s %s%s%s\n", cli_jstr(f, "name"), v == NULL ? "-" : s ? s : json_string_value(v),
		       cli_jstr(f, "label")[0] ? "    " : "", cli_jstr(f, "label"));
		free(s);
	}
	if (json_array_size(json_object_get(r, "revisions")) > 1) {
		printf("  revisions:\n");
		json_array_foreach(json_object_get(r, "revisions"), i, x)
			printf("    %lld  %s  %-10s %s%s%s\n", cli_jint(x, "revision"), cli_jstr(x, "id"), cli_jstr(x, "state"),
			       cli_jstr(x, "submitted"), cli_jstr(x, "reason")[0] ? "  " : "", cli_jstr(x, "reason"));
	}
}

static int
report_draft(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *tpl = NULL, *period = NULL, *unit = NULL, *group = NULL;
	char *rest[REST_MAX], id[NZ_RID_MAX];
	bool submit = false;
	int nrest, rc;
	const struct cli_opt opts[] = {
		CLI_VAL("--template", &tpl), CLI_VAL("--period", &period), CLI_VAL("--unit", &unit),
		CLI_VAL("--group", &group), CLI_FLAG("--submit", &submit), CLI_END,
	};

	if ((rc = cli_parse("report draft", argc, argv, 2, opts, rest, REST_MAX, &nrest)) != 0)
		return rc;
	if (tpl == NULL || period == NULL)
		return cmd_usage("report draft: --template CODE and --period P are required");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = rep_draft(n.st, unit, tpl, period, group, nrest, rest, submit, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
report_set(const struct cmd_opts *o, int argc, char **argv)
{
	return out_set_fields(o, argc, argv, "report set", rep_set);
}

static int
report_submit(const struct cmd_opts *o, int argc, char **argv)
{
	return out_run_id(o, argc, argv, "report submit", rep_submit);
}

static int
report_revise(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *reason = NULL;
	char *rest[REST_MAX], id[NZ_RID_MAX];
	int nrest, rc;
	const struct cli_opt opts[] = {CLI_VAL("--reason", &reason), CLI_END};

	if ((rc = cli_parse("report revise", argc, argv, 2, opts, rest, REST_MAX, &nrest)) != 0)
		return rc;
	if (nrest < 1)
		return cmd_usage("report revise: give the ID of the report to correct");
	if (reason == NULL)
		return cmd_usage("report revise: --reason R is required");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = rep_revise(n.st, rest[0], reason, nrest - 1, rest + 1, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
report_list(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "template_code", "period", "grp", "revision",
					   "state", "submitted", "due", NULL};
	static const char *const csv_cols[] = {"id", "owner", "template_code", "template_version", "period",
					       "grp", "revision", "state", "created", "submitted", "due",
					       "on_time", "review", "reviewed", "reviewer", "review_note",
					       "supersedes", "reason", "data", NULL};
	struct nz_err err = {0};
	struct node n;
	const char *tpl = NULL, *period = NULL, *under = NULL, *csv = NULL;
	char *rest[1];
	bool revisions = false;
	json_t *rows;
	int nrest, rc;
	const struct cli_opt opts[] = {
		CLI_VAL("--template", &tpl), CLI_VAL("--period", &period), CLI_VAL("--under", &under),
		CLI_VAL("--csv", &csv), CLI_FLAG("--all-revisions", &revisions), CLI_END,
	};

	if ((rc = cli_parse("report list", argc, argv, 2, opts, rest, 1, &nrest)) != 0)
		return rc;
	if (nrest != 0)
		return cmd_usage("report list: unexpected argument '%s'", rest[0]);
	if ((rc = cli_check_unit("report list", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = rep_list(n.st, under, period, tpl, !revisions, &err);
	node_close(&n);
	if (rows == NULL)
		return cmd_fail(&err);
	if (csv == NULL)
		return cli_list(o, rows, cols);
	rc = out_csv_cols(csv, rows, csv_cols);
	json_decref(rows);
	return rc;
}

/* print_report_rec is out_show_by's printer for a report. */
static int
print_report_rec(const struct cmd_opts *o, json_t *r, const char *what, const char *id)
{
	(void)what;
	(void)id;
	if (o->json)
		cli_print_json(r);
	else
		print_report(r);
	json_decref(r);
	return 0;
}

static int
report_show(const struct cmd_opts *o, int argc, char **argv)
{
	return out_show_by(o, argc, argv, "report show", rep_show, "report", print_report_rec);
}

static const struct cmd_sub report_subs[] = {
	{"draft", "-D DIR --template CODE --period P [--unit CODE] [--group G]\n"
	  "[--submit] [FIELD=VALUE...]",
	 NULL, report_draft},
	{"set", "-D DIR ID FIELD=VALUE...",
	 NULL, report_set},
	{"submit", "-D DIR ID",
	 NULL, report_submit},
	{"revise", "-D DIR ID --reason R [FIELD=VALUE...]",
	 NULL, report_revise},
	{"list", "-D DIR [--period P] [--under CODE] [--template CODE]\n"
	  "[--all-revisions] [--json] [--csv FILE]",
	 NULL, report_list},
	{"show", "-D DIR ID [--json]",
	 NULL, report_show},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_report = {
	.name = "report",
	.summary = "monitoring reports: draft, set, submit, revise, list, show",
	.about = "Monitoring reports (رصد و گزارش) of one org unit for one Jalali period (1405-07 or\n"
		 "1405-Q3), checked against the template.  draft prints the new id; --unit lets a\n"
		 "parent enter a child's report; --group names the helper group when the template\n"
		 "is reported by helper groups.  A submitted report is locked: revise starts a\n"
		 "correction (a new revision, printed), which is submitted in turn; the old one is\n"
		 "kept.  An empty VALUE clears a field.  list shows the latest revisions unless\n"
		 "--all-revisions; --csv - writes CSV to standard output.\n",
	.subs = report_subs,
};

/* ---- completeness ---- */

static void
print_item(json_t *it)
{
	const char *state = cli_jstr(it, "state");

	if (strcmp(state, "received") == 0) {
		printf("  %-9s %s %s%s%s: received %s%s, %s\n", cli_jstr(it, "unit"), cli_jstr(it, "template"),
		       cli_jstr(it, "period"), cli_jstr(it, "group")[0] ? " group " : "", cli_jstr(it, "group"),
		       cli_jstr(it, "submitted"), json_is_true(json_object_get(it, "on_time")) ? " (on time)" : " (late)",
		       cli_jstr(it, "review"));
		return;
	}
	printf("  %-9s %s %s: %lld ", cli_jstr(it, "unit"), cli_jstr(it, "template"), cli_jstr(it, "period"),
	       cli_jint(it, "missing"));
	if (strcmp(state, "not_due") == 0)
		printf("not due yet (due %s)", cli_jstr(it, "due"));
	else if (strcmp(state, "not_submitted") == 0)
		printf("not submitted (due %s)", cli_jstr(it, "due"));
	else if (cli_jstr(it, "since")[0] && strcmp(cli_jstr(it, "since"), "never") != 0)
		printf("unknown: no sync since %s (due %s)", cli_jstr(it, "since"), cli_jstr(it, "due"));
	else
		printf("unknown: never synced, never heard from here (due %s)", cli_jstr(it, "due"));
	if (json_array_size(json_object_get(it, "groups")) > 0) {
		char *s = json_dumps(json_object_get(it, "groups"), JSON_COMPACT);
		printf(" groups %s", s ? s : "");
		free(s);
	}
	printf("\n");
}

static int
completeness_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"unit", "name", "expected", "received", "on_time", "late",
					   "accepted", "returned", "not_submitted", "unknown", "not_due",
					   "data_as_of", NULL};
	static const char *const csv_cols[] = {"unit", "name", "level", "expected", "received", "on_time",
					       "late", "accepted", "returned", "not_submitted", "unknown",
					       "not_due", "data_as_of", "via", "never_heard", "heard_by",
					       "below_never_heard", "below_oldest", NULL};
	struct nz_err err = {0};
	struct node n;
	const char *period = NULL, *under = NULL, *depth_s = NULL, *csv = NULL;
	bool items = false;
	long long depth = 0;
	json_t *res, *rows, *u;
	size_t i, j;
	int rc, npos;
	const struct cli_opt opts[] = {
		CLI_VAL("--period", &period),
		CLI_VAL("--under", &under),
		CLI_VAL("--depth", &depth_s),
		CLI_VAL("--csv", &csv),
		CLI_FLAG("--items", &items),
		CLI_END,
	};

	if ((rc = cli_parse("completeness", argc, argv, 1, opts, NULL, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("completeness", under)) != 0 ||
	    (rc = cli_whole("completeness", "--depth", depth_s, 0, 2, &depth)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	res = cpl_compute(n.st, under, period, (int)depth, &err);
	node_close(&n);
	if (res == NULL)
		return cmd_fail(&err);
	rows = json_array();
	json_array_foreach(json_object_get(res, "units"), i, u) {
		json_t *row = json_deep_copy(json_object_get(u, "total"));
		char label[64];
		snprintf(label, sizeof(label), "%*s%s", 2 * (int)cli_jint(u, "depth"), "", cli_jstr(u, "unit"));
		json_object_set_new(row, "unit", json_string(csv || o->json ? cli_jstr(u, "unit") : label));
		json_object_set(row, "name", json_object_get(u, "name"));
		json_object_set(row, "level", json_object_get(u, "level"));
		json_object_set(row, "data_as_of", json_object_get(u, "data_as_of"));
		json_object_set(row, "via", json_object_get(u, "via"));
		json_object_set(row, "heard_by", json_object_get(json_object_get(u, "freshness"), "observer"));
		json_object_set(row, "below_never_heard", json_object_get(json_object_get(u, "below"), "never_heard"));
		json_object_set(row, "below_oldest", json_object_get(json_object_get(u, "below"), "oldest"));
		json_array_append_new(rows, row);
	}
	rc = 0;
	if (csv != NULL) {
		rc = out_csv_cols(csv, rows, csv_cols);
	} else if (o->json) {
		cli_print_json(res);
	} else {
		printf("completeness of %s under %s, as seen at %s on %s (helper groups from %s)\n",
		       cli_jstr(res, "period"), cli_jstr(res, "under"), cli_jstr(res, "node"), cli_jstr(res, "today"),
		       cli_jstr(res, "helper_groups"));
		cli_key_table(rows, cols);
		json_array_foreach(json_object_get(res, "units"), i, u) {
			json_t *it;
			json_array_foreach(json_object_get(u, "items"), j, it)
				if (items || strcmp(cli_jstr(it, "state"), "not_submitted") == 0 ||
				    strcmp(cli_jstr(it, "state"), "unknown") == 0)
					print_item(it);
			if (cli_jstr(u, "via")[0] && strcmp(cli_jstr(u, "via"), cli_jstr(u, "unit")) != 0 &&
			    json_integer_value(json_object_get(json_object_get(u, "own"), "expected")) > 0 &&
			    (items || cli_jint(json_object_get(u, "own"), "unknown") + cli_jint(json_object_get(u, "own"), "not_submitted") > 0)) {
				json_t *f = json_object_get(u, "freshness");
				if (cli_jstr(f, "observer")[0])
					printf("  %-9s (its data reaches here through %s; last synced with %s on %s)\n",
					       cli_jstr(u, "unit"), cli_jstr(u, "via"), cli_jstr(f, "observer"),
					       cli_jstr(f, "as_of"));
				else
					printf("  %-9s (its data would reach here through %s; never heard from)\n",
					       cli_jstr(u, "unit"), cli_jstr(u, "via"));
			}
		}
		{
			json_t *f = json_object_get(res, "freshness");
			printf("freshness: %lld unit%s below %s, %lld never heard from", cli_jint(f, "units"),
			       cli_jint(f, "units") == 1 ? "" : "s", cli_jstr(res, "under"), cli_jint(f, "never_heard"));
			if (cli_jstr(f, "oldest")[0])
				printf("; the oldest heard from is %s, last synced %s", cli_jstr(f, "oldest_unit"),
				       cli_jstr(f, "oldest"));
			printf("\n");
		}
	}
	json_decref(rows);
	json_decref(res);
	return rc;
}

const struct cmd_def cmd_completeness = {
	.name = "completeness",
	.summary = "reports expected, received, on time, per period and unit",
	.synopsis = "-D DIR [--period P] [--under CODE] [--depth N] [--items]\n"
		    "[--json] [--csv FILE]",
	.about = "Reporting completeness and timeliness for a Jalali period (default: the last month\n"
		 "that has ended; a quarter counts its months too) for CODE (default: this node) and\n"
		 "every unit below it, as seen here: expected, received, on time, late, accepted,\n"
		 "returned; a report not here is not_due before its due date, not_submitted when the\n"
		 "unit was heard from after the due day (its data up to then is here), and unknown\n"
		 "when it was last heard from before then (shown with that date) or never.  Who\n"
		 "heard from it is carried up the tree with the data, so county, province and\n"
		 "national give the same answer once synced.  Counts of a unit include its subtree;\n"
		 "never_heard counts, of unknown, those of units never heard from; the CSV also\n"
		 "gives who heard (heard_by) and, below each unit, how many were never heard from\n"
		 "and the oldest.  --depth limits the levels shown; --items lists every expected\n"
		 "report, not only the missing ones.\n",
	.run = completeness_exec,
};

/* ---- freshness ---- */

static int
freshness_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"unit", "name", "as_of", "via", "observer", "first_sync", "last_contact",
					   NULL};
	static const char *const csv_cols[] = {"unit", "name", "level", "heard", "as_of", "as_of_ms", "via",
					       "observer", "first_sync", "last_contact", "acked", NULL};
	struct nz_err err = {0};
	struct node n;
	const char *under = NULL, *csv = NULL;
	json_t *rows;
	int rc, npos;
	const struct cli_opt opts[] = {
		CLI_VAL("--under", &under),
		CLI_VAL("--csv", &csv),
		CLI_END,
	};

	if ((rc = cli_parse("freshness", argc, argv, 1, opts, NULL, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("freshness", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = fresh_list(n.st, under, &err);
	node_close(&n);
	if (rows == NULL)
		return cmd_fail(&err);
	if (csv != NULL)
		rc = out_csv_cols(csv, rows, csv_cols);
	else if (o->json)
		cli_print_json(rows);
	else
		cli_key_table(rows, cols);
	json_decref(rows);
	return rc;
}

const struct cmd_def cmd_freshness = {
	.name = "freshness",
	.summary = "when this node last heard from each unit below it, and through whom",
	.synopsis = "-D DIR [--under CODE] [--json] [--csv FILE]",
	.about = "For CODE (default: this node) and every unit below it that this node knows of: when\n"
		 "its data was last complete here (as_of: local, never, or a Jalali time), the child\n"
		 "of this node it comes through (via), who heard from it (observer: this node for a\n"
		 "child, or the unit's own parent below, whose record travelled up with the data),\n"
		 "its first sync, last contact and how far its changes are acknowledged.\n",
	.run = freshness_exec,
};

/* ---- approve ---- */

/* approve_exec runs every subcommand of approve: they share their options. */
/* approve_review runs approve accept and approve return. */
static int
approve_review(const struct cmd_opts *o, int argc, char **argv, bool accept)
{
	const char *cmd = accept ? "approve accept" : "approve return";
	struct nz_err err = {0};
	struct node n;
	const char *note = NULL;
	char *rest[1];
	int nrest, rc;
	const struct cli_opt opts[] = {CLI_VAL("--note", &note), CLI_END};

	if ((rc = cli_parse(cmd, argc, argv, 2, opts, rest, 1, &nrest)) != 0)
		return rc;
	if (nrest != 1)
		return cmd_usage("%s: give exactly one REPORT_ID", cmd);
	if (!accept && note == NULL)
		return cmd_usage("approve return: --note saying what to correct is required");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = rep_review(n.st, rest[0], accept, note, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
approve_accept(const struct cmd_opts *o, int argc, char **argv)
{
	return approve_review(o, argc, argv, true);
}

static int
approve_return(const struct cmd_opts *o, int argc, char **argv)
{
	return approve_review(o, argc, argv, false);
}

static int
approve_period(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *note = NULL, *unit = NULL, *period = NULL;
	char *rest[1], line[256];
	int nrest, rc;
	const struct cli_opt opts[] = {
		CLI_VAL("--note", &note), CLI_VAL("--unit", &unit), CLI_VAL("--period", &period), CLI_END,
	};

	if ((rc = cli_parse("approve period", argc, argv, 2, opts, rest, 1, &nrest)) != 0)
		return rc;
	if (nrest != 0)
		return cmd_usage("approve period: unexpected argument '%s'", rest[0]);
	if (unit == NULL || period == NULL)
		return cmd_usage("approve period: --unit CODE and --period P are required");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = period_approve(n.st, unit, period, note, n.conf.require_children_accepted, n.author, &err);
	snprintf(line, sizeof(line), "approved period %s of %s", period, unit);
	return cli_done(&n, rc, &err, line);
}

static int
approve_pending(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "template_code", "period", "grp", "revision",
					   "submitted", "due", NULL};
	struct node n;
	json_t *rows;
	int rc;

	if (argc != 2)
		return cmd_usage("approve pending: unexpected argument '%s'", argv[2]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = rep_pending(n.st);
	node_close(&n);
	return cli_list(o, rows, cols);
}

static int
approve_list(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"owner", "period", "approver", "decided", "expected", "accepted",
					   "note", NULL};
	struct nz_err err = {0};
	struct node n;
	const char *period = NULL, *under = NULL;
	char *rest[1];
	json_t *rows;
	int nrest, rc;
	const struct cli_opt opts[] = {CLI_VAL("--period", &period), CLI_VAL("--under", &under), CLI_END};

	if ((rc = cli_parse("approve list", argc, argv, 2, opts, rest, 1, &nrest)) != 0)
		return rc;
	if (nrest != 0)
		return cmd_usage("approve list: unexpected argument '%s'", rest[0]);
	if ((rc = cli_check_unit("approve list", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = period_approval_list(n.st, under, period, &err);
	node_close(&n);
	if (rows == NULL)
		return cmd_fail(&err);
	return cli_list(o, rows, cols);
}

static const struct cmd_sub approve_subs[] = {
	{"accept", "-D DIR REPORT_ID [--note N]",
	 NULL, approve_accept},
	{"return", "-D DIR REPORT_ID --note WHAT_TO_CORRECT",
	 NULL, approve_return},
	{"period", "-D DIR --unit CODE --period P [--note N]",
	 NULL, approve_period},
	{"pending", "-D DIR [--json]",
	 NULL, approve_pending},
	{"list", "-D DIR [--period P] [--under CODE] [--json]",
	 NULL, approve_list},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_approve = {
	.name = "approve",
	.summary = "accept or return a child's report; approve a child's period",
	.about = "The parent reviews its children: a province accepts or returns a county's report\n"
		 "(an accepted report is locked; a returned one is corrected with 'report revise'),\n"
		 "and approves a child's consolidated period once every report expected in the\n"
		 "child's subtree for it is accepted ([reports] require_children_accepted = false\n"
		 "in nehzat.conf lifts that).  An approved period locks its reports.  pending lists\n"
		 "the reports awaiting this node's review.\n",
	.subs = approve_subs,
};
