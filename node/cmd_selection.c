/*
 * Commands of the selection of helper groups (ماده ۳) up to the interview:
 * standard, call, applicant, review and interview.  Parsing and printing only: the rules
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

/* ---- standard ---- */

static int
std_print(struct sel_std *s)
{
	int i;

	printf("version %d: %s (since %s)\n", s->version, s->title, s->created);
	printf("combined = %g%% review + %g%% interview; qualifies at %g of 100\n", s->review_weight,
	       s->interview_weight, s->threshold);
	printf("reviews needed %d; flagged when reviewers differ by more than %g points\n", s->min_reviewers,
	       s->disagreement);
	printf("quota %d per county, %d per province", s->quota_county, s->quota_province);
	for (i = 0; i < s->noverrides; i++)
		printf("%s%s: %d", i ? ", " : "; ", s->overrides[i].unit, s->overrides[i].quota);
	printf("; term %d months\n", s->term_months);
	printf("review criteria:\n");
	for (i = 0; i < s->nreview; i++)
		printf("  %-16s weight %-6g %g..%g  %s\n", s->review[i].code, s->review[i].weight,
		       s->review[i].min, s->review[i].max, s->review[i].name);
	printf("interview criteria:\n");
	for (i = 0; i < s->ninterview; i++)
		printf("  %-16s weight %-6g %g..%g  %s\n", s->interview[i].code, s->interview[i].weight,
		       s->interview[i].min, s->interview[i].max, s->interview[i].name);
	return 0;
}

/* std_int reads a whole option of the standards (0..1000) into an int; NULL keeps *out. */
static int
std_int(const char *text, const char *what, int *out)
{
	long long v = *out;
	int rc;

	if ((rc = cli_whole("standard add", what, text, 0, 1000, &v)) == 0)
		*out = (int)v;
	return rc;
}

static int
standard_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	struct sel_std s;
	char *pos[POS_MAX];
	int npos, rc;

	const char *file = NULL, *title = NULL, *thr = NULL, *rw = NULL, *iw = NULL, *dis = NULL,
		   *minr = NULL, *qc = NULL, *qp = NULL, *term = NULL;
	bool defaults = false;
	const struct cli_opt opts[] = {
		CLI_VAL("--file", &file),        CLI_FLAG("--defaults", &defaults),
		CLI_VAL("--title", &title),      CLI_VAL("--threshold", &thr),
		CLI_VAL("--review-weight", &rw), CLI_VAL("--interview-weight", &iw),
		CLI_VAL("--disagreement", &dis), CLI_VAL("--min-reviewers", &minr),
		CLI_VAL("--quota-county", &qc),  CLI_VAL("--quota-province", &qp),
		CLI_VAL("--term-months", &term), CLI_END,
	};
	if ((rc = cli_parse("standard add", argc, argv, 2, opts, pos, 0, &npos)) != 0)
		return rc;
	if (file != NULL && defaults)
		return cmd_usage("standard add: give --file or --defaults, not both");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (file != NULL || defaults || sel_std_load(n.st, 0, &s, NULL) != 0)
		sel_std_defaults(&s);
	if (file != NULL) {
		json_error_t je;
		json_t *j = json_load_file(file, 0, &je);
		if (j == NULL) {
			nz_fail(&err, NZ_EINVAL, "%s:%d: %s", file, je.line, je.text);
			return cli_done(&n, NZ_EINVAL, &err, NULL);
		}
		rc = sel_std_from_json(&s, j, &err);
		json_decref(j);
		if (rc != 0)
			return cli_done(&n, rc, &err, NULL);
	}
	if (title != NULL)
		snprintf(s.title, sizeof(s.title), "%s", title);
	if ((rc = cli_real("standard add", "--threshold", thr, &s.threshold)) != 0 ||
	    (rc = cli_real("standard add", "--review-weight", rw, &s.review_weight)) != 0 ||
	    (rc = cli_real("standard add", "--interview-weight", iw, &s.interview_weight)) != 0 ||
	    (rc = cli_real("standard add", "--disagreement", dis, &s.disagreement)) != 0 ||
	    (rc = std_int(minr, "--min-reviewers", &s.min_reviewers)) != 0 ||
	    (rc = std_int(qc, "--quota-county", &s.quota_county)) != 0 ||
	    (rc = std_int(qp, "--quota-province", &s.quota_province)) != 0 ||
	    (rc = std_int(term, "--term-months", &s.term_months)) != 0) {
		node_close(&n);
		return rc;
	}
	if ((rc = sel_std_add(n.st, &s, n.author, &err)) == 0)
		printf("selection standards version %d stored (%s)\n", s.version, s.id);
	return cli_done(&n, rc, &err, NULL);
}

static int
standard_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	static const struct cli_col cols[] = {{"version", "version"},
					   {"created_jalali", "since"},
					   {"threshold", "threshold"},
					   {"quota_county", "county"},
					   {"quota_province", "province"},
					   {"title", "title"},
					   {NULL, NULL}};
	json_t *rows;
	if ((rc = cli_parse("standard list", argc, argv, 2, NULL, pos, 0, &npos)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = sel_std_list(n.st);
	node_close(&n);
	return out_table(o, rows, cols);
}

static int
standard_show_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	struct sel_std s;
	char *pos[POS_MAX];
	int npos, rc;

	long long version = 0;
	if ((rc = cli_parse("standard show", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
		return rc;
	if (npos == 1 && (rc = cli_whole("standard show", "VERSION", pos[0], 1, 1000000, &version)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if ((rc = sel_std_load(n.st, (int)version, &s, &err)) != 0)
		return cli_done(&n, rc, &err, NULL);
	if (o->json) {
		json_t *j = sel_std_to_json(&s);
		cli_print_json(j);
		json_decref(j);
	} else {
		char jal[11];
		if (jalali_from_iso(s.created, jal, NULL) == 0)
			snprintf(s.created, sizeof(s.created), "%s", jal);
		std_print(&s);
	}
	node_close(&n);
	return 0;
}

static const struct cmd_sub standard_subs[] = {
	{"add", "-D DIR [--file FILE.json | --defaults] [--title T]\n"
	  "[--threshold N] [--review-weight N] [--interview-weight N]\n"
	  "[--disagreement N] [--min-reviewers N] [--quota-county N]\n"
	  "[--quota-province N] [--term-months N]",
	 NULL, standard_add_exec},
	{"list", "-D DIR [--json]",
	 NULL, standard_list_exec},
	{"show", "-D DIR [VERSION] [--json]",
	 NULL, standard_show_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_standard = {
	.name = "standard",
	.summary = "selection standards (national): add, list, show",
	.about = "National selection standards (معیارها و وزن ها), national node only: review and\n"
		 "interview criteria with weights and bounds, how they combine, the threshold and\n"
		 "the quotas (2 per county, 5 per province by default).  add stores a new version\n"
		 "built from FILE (the shape 'show --json' prints), the built-in defaults, or the\n"
		 "latest version, with the options applied on top.  A call keeps the version it\n"
		 "opened under.\n",
	.subs = standard_subs,
};

/* ---- call ---- */

static const struct {
	const char *verb;
	int state;
} call_moves[] = {
	{"open", CALL_OPEN},
	{"close", CALL_CLOSED},
	{"finish-review", CALL_REVIEWED},
	{"complete", CALL_COMPLETED},
};

static int
call_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	bool add = strcmp(argv[1], "add") == 0;
	const char *title = NULL, *desc = NULL, *opens = NULL, *closes = NULL, *who = NULL;
	char oi[11], ci[11], id[NZ_RID_MAX];
	const struct cli_opt opts[] = {
		CLI_VAL("--title", &title),          CLI_VAL("--description", &desc),
		CLI_VAL("--opens", &opens),          CLI_VAL("--closes", &closes),
		CLI_VAL(add ? "--for" : NULL, &who), CLI_END,
	};
	const char *cmd = add ? "call add" : "call edit";
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, pos, add ? 0 : 1, &npos)) != 0)
		return rc;
	if (add && (title == NULL || opens == NULL || closes == NULL))
		return cmd_usage("call add: --title, --opens and --closes are required");
	if (!add && npos != 1)
		return cmd_usage("call edit: give the call's ID");
	if ((opens != NULL && (rc = cli_date(cmd, "--opens", opens, oi)) != 0) ||
	    (closes != NULL && (rc = cli_date(cmd, "--closes", closes, ci)) != 0))
		return rc;
	if ((rc = cli_check_unit(cmd, who)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (add)
		rc = sel_call_add(n.st, who, title, desc, oi, ci, n.author, id, &err);
	else
		rc = sel_call_edit(n.st, pos[0], title, desc, opens ? oi : NULL, closes ? ci : NULL,
				   n.author, &err);
	return cli_done(&n, rc, &err, add ? id : NULL);
}

/* call_move_exec moves a call one step: the verb (argv[1]) names the state it reaches. */
static int
call_move_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;
	size_t k;
	const char *early = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--early", &early), CLI_END};

	for (k = 0; k < sizeof(call_moves) / sizeof(call_moves[0]); k++) {
		if (strcmp(argv[1], call_moves[k].verb) != 0)
			continue;
		if ((rc = cli_parse("call", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("call %s: give the call's ID", argv[1]);
		if (early != NULL && call_moves[k].state != CALL_CLOSED)
			return cmd_usage("call %s: --early is for 'call close' before the announced date", argv[1]);
		if ((rc = cmd_open(&n, o)) != 0)
			return rc;
		if (call_moves[k].state == CALL_CLOSED)
			rc = sel_call_close(n.st, pos[0], early, n.author, &err);
		else
			rc = sel_call_move(n.st, pos[0], call_moves[k].state, n.author, &err);
		if (rc == 0)
			printf("call %s is %s\n", pos[0], sel_call_state_name(call_moves[k].state));
		return cli_done(&n, rc, &err, NULL);
	}
	return cmd_usage("call: no move '%s'", argv[1]);
}

static int
call_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {{"id", "id"},
					   {"owner", "secretariat"},
					   {"status", "status"},
					   {"opens_jalali", "opens"},
					   {"closes_jalali", "closes"},
					   {"applicants", "applicants"},
					   {"appointed", "appointed"},
					   {"title", "title"},
					   {NULL, NULL}};
	json_t *rows;
	int rc = out_under(o, argc, argv, "call list", sel_call_list, &rows);

	return rc != 0 ? rc : out_table(o, rows, cols);
}

static int
call_show_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return out_show_by(o, argc, argv, "call show", sel_call_get, "call", out_record_json);
}

/* call_print_exec writes a call's printable announcement (فراخوان) to --html FILE. */
static int
call_print_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return out_print_html(o, argc, argv, "call print", "the call's ID", http_call_html);
}

static const struct cmd_sub call_subs[] = {
	{"print", "-D DIR ID --html FILE", NULL, call_print_exec},
	{"add", "-D DIR --title T --opens DATE --closes DATE [--description D]\n"
	  "[--for CODE]",
	 NULL, call_add_exec},
	{"edit", "-D DIR ID [--title T] [--description D] [--opens DATE]\n"
	  "[--closes DATE]",
	 NULL, call_add_exec},
	{"open", "-D DIR ID", NULL, call_move_exec},
	{"close", "-D DIR ID [--early REASON]", NULL, call_move_exec},
	{"finish-review", "-D DIR ID", NULL, call_move_exec},
	{"complete", "-D DIR ID", NULL, call_move_exec},
	{"list", "-D DIR [--under CODE] [--json]",
	 NULL, call_list_exec},
	{"show", "-D DIR ID [--json]",
	 NULL, call_show_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_call = {
	.name = "call",
	.summary = "calls for helper groups: add, edit, open, close, finish-review, complete, list, show",
	.about = "A call for helper groups (فراخوان) of a county or provincial secretariat (this node,\n"
		 "or with --for one in its subtree).  DATEs are Jalali (1405-09-07); applications are\n"
		 "taken from --opens to --closes, both days included.  States, one step at a time:\n"
		 "draft -> open -> closed -> reviewed -> completed.  Opening pins the latest national\n"
		 "standards; finishing the review needs every applicant reviewed as often as the\n"
		 "standards ask; completing needs no interview left scheduled and ends the selection.\n"
		 "Closing before the announced closing date takes --early with the reason, kept.\n"
		 "Only a draft can be edited.  add prints the new id.\n",
	.subs = call_subs,
};

/* ---- applicant ---- */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
applicant_doc(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	if (argc < 3)
		return cmd_usage("applicant doc: add or get");
	if (strcmp(argv[2], "add") == 0) {
		const char *name = NULL;
		bool meta = false;
		const struct cli_opt opts[] = {
			CLI_VAL("--name", &name), CLI_FLAG("--meta-only", &meta), CLI_END};
		unsigned char *data = NULL;
		size_t len = 0;
		char id[NZ_RID_MAX];
		if ((rc = cli_parse("applicant doc add", argc, argv, 3, opts, pos, 2, &npos)) != 0)
			return rc;
		if (npos != 2)
			return cmd_usage("applicant doc add: give the applicant's ID and a FILE");
		if (cli_read_file(pos[1], meta ? FILE_MAX : SEL_DOC_MAX, &data, &len, &err) != 0) {
			if (err.code == NZ_ETOOBIG && !meta)
				nz_fail(&err, NZ_ETOOBIG,
					"'%s' is larger than %d bytes, the most kept in the database; add --meta-only to "
					"record its name, size and checksum",
					pos[1], SEL_DOC_MAX);
			return cmd_fail(&err);
		}
		if ((rc = cmd_open(&n, o)) != 0) {
			free(data);
			return rc;
		}
		rc = sel_doc_add(n.st, pos[0], name ? name : base_name(pos[1]), data, len, !meta, n.author,
				 id, &err);
		free(data);
		return cli_done(&n, rc, &err, id);
	}
	if (strcmp(argv[2], "get") == 0) {
		const char *out = NULL;
		const struct cli_opt opts[] = {CLI_VAL("--out", &out), CLI_END};
		unsigned char *data = NULL;
		size_t len = 0;
		if ((rc = cli_parse("applicant doc get", argc, argv, 3, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1 || out == NULL)
			return cmd_usage("applicant doc get: give the document's ID and --out FILE");
		if ((rc = cmd_open(&n, o)) != 0)
			return rc;
		rc = sel_doc_content(n.st, pos[0], &data, &len, &err);
		node_close(&n);
		if (rc != 0)
			return cmd_fail(&err);
		rc = cli_write_file(out, data, len, &err);
		free(data);
		if (rc != 0)
			return cmd_fail(&err);
		printf("wrote %zu bytes to %s\n", len, out);
		return 0;
	}
	return cmd_usage("applicant doc: unknown subcommand '%s' (add, get)", argv[2]);
}

static int
applicant_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	struct sel_applicant_in a = {0};
	const char *members = NULL, *years = NULL, *received = NULL;
	const struct cli_opt opts[] = {
		CLI_VAL("--name", &a.name),
		CLI_VAL("--kind", &a.kind),
		CLI_VAL("--contact", &a.contact),
		CLI_VAL("--phone", &a.phone),
		CLI_VAL("--reg-no", &a.reg_no),
		CLI_VAL("--members", &members),
		CLI_VAL("--years", &years),
		CLI_VAL("--areas", &a.areas),
		CLI_VAL("--activities", &a.activities),
		CLI_VAL("--received", &received),
		CLI_END,
	};
	char id[NZ_RID_MAX], riso[11];
	long long nmembers = -1, nyears = -1;
	if ((rc = cli_parse("applicant add", argc, argv, 2, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("applicant add: give the CALL's id");
	if ((rc = cli_whole("applicant add", "--members", members, 0, 100000, &nmembers)) != 0 ||
	    (rc = cli_whole("applicant add", "--years", years, 0, 200, &nyears)) != 0)
		return rc;
	a.members = (long)nmembers;
	a.years = (long)nyears;
	if (received != NULL && (rc = cli_date("applicant add", "--received", received, riso)) != 0)
		return rc;
	a.received = received != NULL ? riso : NULL;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = sel_apply(n.st, pos[0], &a, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
applicant_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	static const struct cli_col cols[] = {{"id", "id"},
					   {"status", "status"},
					   {"applied_jalali", "applied"},
					   {"kind", "kind"},
					   {"members", "members"},
					   {"docs", "docs"},
					   {"name", "name"},
					   {NULL, NULL}};
	json_t *rows;
	if ((rc = cli_parse("applicant list", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("applicant list: give the CALL's id");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = sel_applicant_list(n.st, pos[0]);
	node_close(&n);
	return out_table(o, rows, cols);
}

static int
applicant_show_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return out_show_by(o, argc, argv, "applicant show", sel_applicant_get, "applicant", out_record_json);
}

static int
applicant_withdraw_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return out_end_with_reason(o, argc, argv, "applicant withdraw", "applicant", sel_applicant_withdraw);
}

static int
applicant_doc_exec(const struct cmd_opts *o, int argc, char **argv)
{

	return applicant_doc(o, argc, argv);
}

static const struct cmd_sub applicant_subs[] = {
	{"add", "-D DIR CALL --name N --kind K --contact C --phone P\n"
	  "[--reg-no R] [--members N] [--years N] [--areas A] [--activities T] [--received DATE]",
	 NULL, applicant_add_exec},
	{"list", "-D DIR CALL [--json]",
	 NULL, applicant_list_exec},
	{"show", "-D DIR ID [--json]",
	 NULL, applicant_show_exec},
	{"withdraw", "-D DIR ID --reason R",
	 NULL, applicant_withdraw_exec},
	{"doc", "get -D DIR DOC --out FILE",
	 NULL, applicant_doc_exec},
	{NULL, NULL, NULL, NULL},
};

_Static_assert(SEL_DOC_MAX == 32768, "the applicant help text names SEL_DOC_MAX");

const struct cmd_def cmd_applicant = {
	.name = "applicant",
	.summary = "applicant groups and their resumes: add, list, show, withdraw, doc",
	.about = "A group's application and resume (رزومه) to a call, dated the day it was received\n"
		 "(--received; today when not given): within the call's window, never after today.  An\n"
		 "application received in time may be typed in after the call closed.  KIND is one of\n"
		 "  ngo        سازمان مردم نهاد، سمن، تشکل\n"
		 "  religious  هیئت مذهبی، مذهبی، هیئت\n"
		 "  jihadi     گروه جهادی، جهادی\n"
		 "  people     گروه مردمی، مردمی\n"
		 "  other      سایر، دیگر\n"
		 "(the key or any of its Persian names).  Refused: a call not open,\n"
		 "a day outside its window, and a likely duplicate (the same registration number, or\n"
		 "the same name and phone, in the call).  Documents up to 32768 bytes are kept;\n"
		 "with --meta-only only the name, size and SHA-256 of a larger file.\n",
	.subs = applicant_subs,
};

/* ---- review ---- */

static int
review_score_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	const char *reviewer = NULL;
	bool draft = false;
	const struct cli_opt opts[] = {CLI_VAL("--reviewer", &reviewer), CLI_FLAG("--draft", &draft), CLI_END};
	if ((rc = cli_parse("review score", argc, argv, 2, opts, pos, POS_MAX, &npos)) != 0)
		return rc;
	if (npos < 2 || reviewer == NULL)
		return cmd_usage(
			"review score: give APPLICANT, --reviewer NAME and CODE=SCORE pairs");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = sel_review_score(n.st, pos[0], reviewer, npos - 1, pos + 1, draft, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
review_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	static const struct cli_col cols[] = {
		{"applicant_id", "applicant"}, {"reviewer", "reviewer"}, {"total", "total"},
		{"updated_jalali", "updated"}, {"name", "name"},         {NULL, NULL}};
	const char *app = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--applicant", &app), CLI_END};
	json_t *rows;
	if ((rc = cli_parse("review list", argc, argv, 2, opts, pos, 1, &npos)) != 0)
		return rc;
	if ((npos == 1) == (app != NULL))
		return cmd_usage("review list: give a CALL or --applicant ID");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = sel_review_list(n.st, app, npos == 1 ? pos[0] : NULL);
	node_close(&n);
	return out_table(o, rows, cols);
}

static const struct cmd_sub review_subs[] = {
	{"score", "-D DIR APPLICANT --reviewer NAME CODE=SCORE... [--draft]",
	 NULL, review_score_exec},
	{"list", "-D DIR (CALL | --applicant ID) [--json]",
	 NULL, review_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_review = {
	.name = "review",
	.summary = "reviewers' weighted scores of applicants: score, list",
	.about = "Review and weighting (بررسی و وزن دهی), while the call is closed.  Each reviewer\n"
		 "scores the review criteria of the call's standards (see 'nehzat standard show'),\n"
		 "each within its bounds; later scores by the same reviewer replace earlier ones.\n"
		 "A review scores every criterion, or is saved with --draft and completed later:\n"
		 "a draft is not counted by finish-review nor by the ranking.\n"
		 "A reviewer's total is the weighted mean of the criteria scaled onto 0..100.  An applicant whose reviewers' totals differ by\n"
		 "more than the standards' disagreement points is flagged in 'nehzat rank'.\n",
	.subs = review_subs,
};

/* ---- interview ---- */

static int
interview_schedule_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	const char *date = NULL, *time = NULL, *panel = NULL, *place = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--date", &date),
				       CLI_VAL("--time", &time),
				       CLI_VAL("--panel", &panel),
				       CLI_VAL("--place", &place),
				       CLI_END};
	char iso[11];
	if ((rc = cli_parse("interview schedule", argc, argv, 2, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1 || date == NULL || time == NULL || panel == NULL)
		return cmd_usage("interview schedule: give APPLICANT, --date, --time and --panel");
	if ((rc = cli_date("interview schedule", "--date", date, iso)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = sel_interview_schedule(n.st, pos[0], iso, time, place, panel, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
interview_score_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	bool score = strcmp(argv[1], "score") == 0;
	const char *notes = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--notes", &notes), CLI_END};
	if ((rc = cli_parse("interview", argc, argv, 2, opts, pos, score ? POS_MAX : 1, &npos)) != 0)
		return rc;
	if (npos < 1 || (score && npos < 2))
		return cmd_usage("interview %s: give APPLICANT%s", argv[1],
				 score ? " and CODE=SCORE pairs" : "");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if (score)
		rc = sel_interview_score(n.st, pos[0], npos - 1, pos + 1, notes, n.author, &err);
	else
		rc = sel_interview_noshow(n.st, pos[0], notes, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
interview_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct node n;
	char *pos[POS_MAX];
	int npos, rc;

	static const struct cli_col cols[] = {{"applicant_id", "applicant"},
					   {"date_jalali", "date"},
					   {"time", "time"},
					   {"status", "status"},
					   {"total", "score"},
					   {"panel", "panel"},
					   {"name", "name"},
					   {NULL, NULL}};
	json_t *rows;
	if ((rc = cli_parse("interview list", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("interview list: give the CALL's id");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = sel_interview_list(n.st, pos[0]);
	node_close(&n);
	return out_table(o, rows, cols);
}

static const struct cmd_sub interview_subs[] = {
	{"schedule", "-D DIR APPLICANT --date DATE --time HH:MM --panel P\n"
	  "[--place P]",
	 NULL, interview_schedule_exec},
	{"score", "-D DIR APPLICANT CODE=SCORE... [--notes N]",
	 NULL, interview_score_exec},
	{"noshow", "-D DIR APPLICANT [--notes N]",
	 NULL, interview_score_exec},
	{"list", "-D DIR CALL [--json]",
	 NULL, interview_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_interview = {
	.name = "interview",
	.summary = "interviews of applicants: schedule, score, noshow, list",
	.about = "Interviews (مصاحبه) while the call is closed or reviewed: scheduled (Jalali DATE,\n"
		 "time, panel), then scored on every interview criterion of the call's standards, or\n"
		 "marked no-show (which disqualifies unless it is scheduled again).\n",
	.subs = interview_subs,
};
