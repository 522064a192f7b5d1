/*
 * Commands of the selection of helper groups (ماده ۳): standard, call,
 * applicant, review, interview, rank, appoint, decree, course, and the
 * node's invariant report, check.  Parsing and printing only: the rules
 * are in src/domain/selection.c.  Dates are typed and shown in Jalali.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/check.h"
#include "domain/selection.h"
#include "node/node.h"

#define MAX_POS 64
#define FILE_MAX (64L * 1024 * 1024) /* a document read for its checksum */

/* ---- arguments ---- */

/* struct opt is one option: a value option (val) or a flag (flag). */
struct opt {
	const char *name;
	const char **val;
	bool *flag;
};

/*
 * parse reads argv[from..] into the options and up to maxpos positional
 * arguments; returns 0 or a usage exit status.
 */
static int
parse(const char *cmd, int argc, char **argv, int from, const struct opt *opts, char **pos, int maxpos,
      int *npos)
{
	int i, k;

	*npos = 0;
	for (i = from; i < argc; i++) {
		for (k = 0; opts != NULL && opts[k].name != NULL; k++)
			if (strcmp(argv[i], opts[k].name) == 0)
				break;
		if (opts != NULL && opts[k].name != NULL) {
			if (opts[k].flag != NULL) {
				*opts[k].flag = true;
				continue;
			}
			if (i + 1 >= argc)
				return cmd_usage("%s: %s needs a value", cmd, argv[i]);
			*opts[k].val = argv[++i];
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1] == '-')
			return cmd_usage("%s: unknown option '%s'", cmd, argv[i]);
		if (*npos == maxpos)
			return cmd_usage("%s: unexpected argument '%s'", cmd, argv[i]);
		pos[(*npos)++] = argv[i];
	}
	return 0;
}

/* jdate turns a Jalali date typed by a person into ISO; returns 0 or a usage exit status. */
static int
jdate(const char *cmd, const char *what, const char *text, char iso[11])
{
	struct nz_err err = {0};

	if (jalali_to_iso(text, iso, &err) != 0)
		return cmd_usage("%s: %s '%s' is not a Jalali date like 1405-09-07 (%s)", cmd, what, text,
				 err.msg);
	return 0;
}

/* whole reads a whole number (Persian digits too) within lo..hi. */
static int
whole(const char *cmd, const char *what, const char *text, long lo, long hi, long *out)
{
	double v;

	if (sel_parse_number(text, &v) != 0 || v != (double)(long)v || v < lo || v > hi)
		return cmd_usage("%s: %s '%s' must be a whole number within %ld..%ld", cmd, what, text, lo,
				 hi);
	*out = (long)v;
	return 0;
}

static int
under_ok(const char *cmd, const char *under)
{
	if (under != NULL && unit_level(under) < 0)
		return cmd_usage("%s: '%s' is not an org-unit code (IR, IR-PP or IR-PP-CC)", cmd, under);
	return 0;
}

/* ---- output ---- */

static void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s != NULL) {
		printf("%s\n", s);
		free(s);
	}
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* A column of a text table: the JSON key and its header. */
struct tcol {
	const char *key, *head;
};

static void
cell(json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, n, "%.2f", json_real_value(v));
	else if (json_is_true(v))
		snprintf(buf, n, "yes");
	else if (json_is_false(v))
		snprintf(buf, n, "no");
	else
		snprintf(buf, n, "-");
}

/* width counts code points, close enough for Persian in a terminal. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* table prints rows as aligned columns, long cells cut at 40 code points. */
static void
table(json_t *rows, const struct tcol *cols)
{
	size_t w[24] = {0}, i, j, k;
	char buf[512];
	json_t *r;

	for (j = 0; cols[j].key != NULL && j < 24; j++)
		w[j] = width(cols[j].head);
	json_array_foreach(rows, i, r) {
		for (j = 0; cols[j].key != NULL && j < 24; j++) {
			cell(json_object_get(r, cols[j].key), buf, sizeof(buf));
			if (width(buf) > w[j])
				w[j] = width(buf) > 40 ? 40 : width(buf);
		}
	}
	for (j = 0; cols[j].key != NULL && j < 24; j++)
		printf("%s%-*s", j ? "  " : "", cols[j + 1].key ? (int)w[j] : 0, cols[j].head);
	putchar('\n');
	json_array_foreach(rows, i, r) {
		for (j = 0; cols[j].key != NULL && j < 24; j++) {
			size_t cw, b = 0, n = 0;
			cell(json_object_get(r, cols[j].key), buf, sizeof(buf));
			/* cut at 40 code points */
			for (b = 0; buf[b] != '\0'; b++)
				if (((unsigned char)buf[b] & 0xc0) != 0x80 && ++n > 40)
					break;
			buf[b] = '\0';
			cw = width(buf);
			printf("%s%s", j ? "  " : "", buf);
			for (k = cw; k < w[j] && cols[j + 1].key != NULL; k++)
				putchar(' ');
		}
		putchar('\n');
	}
}

/* show prints one record as "key  value" lines, dates in Jalali, nested values as JSON. */
static void
show(json_t *o)
{
	const char *k;
	json_t *v;
	char key[64];

	json_object_foreach(o, k, v) {
		size_t n = strlen(k);
		if (n > 7 && strcmp(k + n - 7, "_jalali") == 0)
			continue;
		snprintf(key, sizeof(key), "%s_jalali", k);
		if (json_object_get(o, key) != NULL)
			v = json_object_get(o, key);
		if (json_is_object(v) || json_is_array(v)) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
			printf("%-18s %s\n", k, s ? s : "");
			free(s);
		} else {
			char buf[8192];
			cell(v, buf, sizeof(buf));
			printf("%-18s %s\n", k, buf);
		}
	}
}

static int
finish(struct node *n, int rc, const struct nz_err *err)
{
	node_close(n);
	return rc != 0 ? cmd_fail(err) : 0;
}

static int
not_found(const char *what, const char *id)
{
	struct nz_err err = {0};

	nz_fail(&err, NZ_ENOTFOUND, "no %s with id '%s'", what, id);
	return cmd_fail(&err);
}

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

static int
std_real(const char *text, const char *what, double *out)
{
	if (text != NULL && sel_parse_number(text, out) != 0)
		return cmd_usage("standard add: %s '%s' is not a number", what, text);
	return 0;
}

static int
std_int(const char *text, const char *what, int *out)
{
	long v = 0;
	int rc;

	if (text == NULL)
		return 0;
	if ((rc = whole("standard add", what, text, 0, 1000, &v)) != 0)
		return rc;
	*out = (int)v;
	return 0;
}

int
cmd_standard(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	struct sel_std s;
	char *pos[MAX_POS];
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat standard add -D DIR [--file FILE.json | --defaults] [--title T]\n"
		       "           [--threshold N] [--review-weight N] [--interview-weight N]\n"
		       "           [--disagreement N] [--min-reviewers N] [--quota-county N]\n"
		       "           [--quota-province N] [--term-months N]\n"
		       "       nehzat standard list -D DIR [--json]\n"
		       "       nehzat standard show -D DIR [VERSION] [--json]\n"
		       "National selection standards (معیارها و وزن ها), national node only: review and\n"
		       "interview criteria with weights and bounds, how they combine, the threshold and\n"
		       "the quotas (2 per county, 5 per province by default).  add stores a new version\n"
		       "built from FILE (the shape 'show --json' prints), the built-in defaults, or the\n"
		       "latest version, with the options applied on top.  A call keeps the version it\n"
		       "opened under.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "add") == 0) {
		const char *file = NULL, *title = NULL, *thr = NULL, *rw = NULL, *iw = NULL, *dis = NULL,
			   *minr = NULL, *qc = NULL, *qp = NULL, *term = NULL;
		bool defaults = false;
		const struct opt opts[] = {
			{"--file", &file, NULL},        {"--defaults", NULL, &defaults},
			{"--title", &title, NULL},      {"--threshold", &thr, NULL},
			{"--review-weight", &rw, NULL}, {"--interview-weight", &iw, NULL},
			{"--disagreement", &dis, NULL}, {"--min-reviewers", &minr, NULL},
			{"--quota-county", &qc, NULL},  {"--quota-province", &qp, NULL},
			{"--term-months", &term, NULL}, {NULL, NULL, NULL},
		};
		if ((rc = parse("standard add", argc, argv, 2, opts, pos, 0, &npos)) != 0)
			return rc;
		if (file != NULL && defaults)
			return cmd_usage("standard add: give --file or --defaults, not both");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if (file != NULL || defaults || sel_std_load(n.st, 0, &s, NULL) != 0)
			sel_std_defaults(&s);
		if (file != NULL) {
			json_error_t je;
			json_t *j = json_load_file(file, 0, &je);
			if (j == NULL) {
				nz_fail(&err, NZ_EINVAL, "%s:%d: %s", file, je.line, je.text);
				return finish(&n, NZ_EINVAL, &err);
			}
			rc = sel_std_from_json(&s, j, &err);
			json_decref(j);
			if (rc != 0)
				return finish(&n, rc, &err);
		}
		if (title != NULL)
			snprintf(s.title, sizeof(s.title), "%s", title);
		if ((rc = std_real(thr, "--threshold", &s.threshold)) != 0 ||
		    (rc = std_real(rw, "--review-weight", &s.review_weight)) != 0 ||
		    (rc = std_real(iw, "--interview-weight", &s.interview_weight)) != 0 ||
		    (rc = std_real(dis, "--disagreement", &s.disagreement)) != 0 ||
		    (rc = std_int(minr, "--min-reviewers", &s.min_reviewers)) != 0 ||
		    (rc = std_int(qc, "--quota-county", &s.quota_county)) != 0 ||
		    (rc = std_int(qp, "--quota-province", &s.quota_province)) != 0 ||
		    (rc = std_int(term, "--term-months", &s.term_months)) != 0) {
			node_close(&n);
			return rc;
		}
		if ((rc = sel_std_add(n.st, &s, n.author, &err)) == 0)
			printf("selection standards version %d stored (%s)\n", s.version, s.id);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "list") == 0) {
		static const struct tcol cols[] = {{"version", "version"},
						   {"created_jalali", "since"},
						   {"threshold", "threshold"},
						   {"quota_county", "county"},
						   {"quota_province", "province"},
						   {"title", "title"},
						   {NULL, NULL}};
		json_t *rows;
		if ((rc = parse("standard list", argc, argv, 2, NULL, pos, 0, &npos)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_std_list(n.st);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	if (strcmp(argv[1], "show") == 0) {
		long version = 0;
		if ((rc = parse("standard show", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
			return rc;
		if (npos == 1 && (rc = whole("standard show", "VERSION", pos[0], 1, 1000000, &version)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if ((rc = sel_std_load(n.st, (int)version, &s, &err)) != 0)
			return finish(&n, rc, &err);
		if (o.json) {
			json_t *j = sel_std_to_json(&s);
			print_json(j);
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
	return cmd_usage("standard: unknown subcommand '%s' (add, list, show)", argv[1]);
}

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

int
cmd_call(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc;
	size_t k;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat call add -D DIR --title T --opens DATE --closes DATE [--description D]\n"
		       "                 [--for CODE]\n"
		       "       nehzat call edit -D DIR ID [--title T] [--description D] [--opens DATE]\n"
		       "                 [--closes DATE]\n"
		       "       nehzat call open|close|finish-review|complete -D DIR ID\n"
		       "       nehzat call list -D DIR [--under CODE] [--json]\n"
		       "       nehzat call show -D DIR ID [--json]\n"
		       "A call for helper groups (فراخوان) of a county or provincial secretariat (this node,\n"
		       "or with --for one in its subtree).  DATEs are Jalali (1405-09-07); applications are\n"
		       "taken from --opens to --closes, both days included.  States, one step at a time:\n"
		       "draft -> open -> closed -> reviewed -> completed.  Opening pins the latest national\n"
		       "standards; finishing the review needs every applicant reviewed as often as the\n"
		       "standards ask; completing needs no interview left scheduled and ends the selection.\n"
		       "Only a draft can be edited.  add prints the new id.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "add") == 0 || strcmp(argv[1], "edit") == 0) {
		bool add = strcmp(argv[1], "add") == 0;
		const char *title = NULL, *desc = NULL, *opens = NULL, *closes = NULL, *who = NULL;
		char oi[11], ci[11], id[NZ_RID_MAX];
		const struct opt opts[] = {
			{"--title", &title, NULL},          {"--description", &desc, NULL},
			{"--opens", &opens, NULL},          {"--closes", &closes, NULL},
			{add ? "--for" : NULL, &who, NULL}, {NULL, NULL, NULL},
		};
		const char *cmd = add ? "call add" : "call edit";
		if ((rc = parse(cmd, argc, argv, 2, opts, pos, add ? 0 : 1, &npos)) != 0)
			return rc;
		if (add && (title == NULL || opens == NULL || closes == NULL))
			return cmd_usage("call add: --title, --opens and --closes are required");
		if (!add && npos != 1)
			return cmd_usage("call edit: give the call's ID");
		if ((opens != NULL && (rc = jdate(cmd, "--opens", opens, oi)) != 0) ||
		    (closes != NULL && (rc = jdate(cmd, "--closes", closes, ci)) != 0))
			return rc;
		if (who != NULL && (rc = under_ok(cmd, who)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if (add) {
			rc = sel_call_add(n.st, who, title, desc, oi, ci, n.author, id, &err);
			if (rc == 0)
				printf("%s\n", id);
		} else {
			rc = sel_call_edit(n.st, pos[0], title, desc, opens ? oi : NULL, closes ? ci : NULL,
					   n.author, &err);
		}
		return finish(&n, rc, &err);
	}
	for (k = 0; k < sizeof(call_moves) / sizeof(call_moves[0]); k++) {
		if (strcmp(argv[1], call_moves[k].verb) != 0)
			continue;
		if ((rc = parse("call", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("call %s: give the call's ID", argv[1]);
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if ((rc = sel_call_move(n.st, pos[0], call_moves[k].state, n.author, &err)) == 0)
			printf("call %s is %s\n", pos[0], sel_call_state_name(call_moves[k].state));
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "list") == 0) {
		static const struct tcol cols[] = {{"id", "id"},
						   {"owner", "secretariat"},
						   {"status", "status"},
						   {"opens_jalali", "opens"},
						   {"closes_jalali", "closes"},
						   {"applicants", "applicants"},
						   {"appointed", "appointed"},
						   {"title", "title"},
						   {NULL, NULL}};
		const char *under = NULL;
		const struct opt opts[] = {{"--under", &under, NULL}, {NULL, NULL, NULL}};
		json_t *rows;
		if ((rc = parse("call list", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
		    (rc = under_ok("call list", under)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_call_list(n.st, under);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	if (strcmp(argv[1], "show") == 0) {
		json_t *c;
		if ((rc = parse("call show", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("call show: give the call's ID");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		c = sel_call_get(n.st, pos[0]);
		node_close(&n);
		if (c == NULL)
			return not_found("call", pos[0]);
		if (o.json)
			print_json(c);
		else
			show(c);
		json_decref(c);
		return 0;
	}
	return cmd_usage(
		"call: unknown subcommand '%s' (add, edit, open, close, finish-review, complete, list, show)",
		argv[1]);
}

/* ---- applicant ---- */

/* read_file reads a whole file of at most max bytes into *data (the caller frees it). */
static int
read_file(const char *path, long max, unsigned char **data, size_t *len, struct nz_err *err)
{
	FILE *f = fopen(path, "rb");
	long size;

	*data = NULL;
	*len = 0;
	if (f == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	if (size > max) {
		fclose(f);
		return nz_fail(err, NZ_ETOOBIG, "'%s' is %ld bytes; at most %ld", path, size, max);
	}
	if ((*data = malloc((size_t)size + 1)) == NULL) {
		fclose(f);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	*len = fread(*data, 1, (size_t)size, f);
	if (*len != (size_t)size || ferror(f)) {
		fclose(f);
		free(*data);
		*data = NULL;
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	fclose(f);
	return 0;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static int
applicant_doc(struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc;

	if (argc < 3)
		return cmd_usage("applicant doc: add or get");
	if (strcmp(argv[2], "add") == 0) {
		const char *name = NULL;
		bool meta = false;
		const struct opt opts[] = {
			{"--name", &name, NULL}, {"--meta-only", NULL, &meta}, {NULL, NULL, NULL}};
		unsigned char *data = NULL;
		size_t len = 0;
		char id[NZ_RID_MAX];
		if ((rc = parse("applicant doc add", argc, argv, 3, opts, pos, 2, &npos)) != 0)
			return rc;
		if (npos != 2)
			return cmd_usage("applicant doc add: give the applicant's ID and a FILE");
		if (read_file(pos[1], meta ? FILE_MAX : SEL_DOC_MAX, &data, &len, &err) != 0) {
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
		if (rc == 0)
			printf("%s\n", id);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[2], "get") == 0) {
		const char *out = NULL;
		const struct opt opts[] = {{"--out", &out, NULL}, {NULL, NULL, NULL}};
		unsigned char *data = NULL;
		size_t len = 0;
		FILE *f;
		if ((rc = parse("applicant doc get", argc, argv, 3, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1 || out == NULL)
			return cmd_usage("applicant doc get: give the document's ID and --out FILE");
		if ((rc = cmd_open(&n, o)) != 0)
			return rc;
		rc = sel_doc_content(n.st, pos[0], &data, &len, &err);
		node_close(&n);
		if (rc != 0)
			return cmd_fail(&err);
		if ((f = fopen(out, "wb")) == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
			free(data);
			nz_fail(&err, NZ_EIO, "cannot write '%s'", out);
			return cmd_fail(&err);
		}
		free(data);
		printf("wrote %zu bytes to %s\n", len, out);
		return 0;
	}
	return cmd_usage("applicant doc: unknown subcommand '%s' (add, get)", argv[2]);
}

int
cmd_applicant(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat applicant add -D DIR CALL --name N --kind K --contact C --phone P\n"
		       "                 [--reg-no R] [--members N] [--years N] [--areas A] [--activities T]\n"
		       "       nehzat applicant list -D DIR CALL [--json]\n"
		       "       nehzat applicant show -D DIR ID [--json]\n"
		       "       nehzat applicant withdraw -D DIR ID --reason R\n"
		       "       nehzat applicant doc add -D DIR ID FILE [--name N] [--meta-only]\n"
		       "       nehzat applicant doc get -D DIR DOC --out FILE\n"
		       "A group's application and resume (رزومه) to an open call, dated today.  KIND is ngo,\n"
		       "religious, jihadi, people or other (or its Persian name).  Refused: a call not open,\n"
		       "a day outside its window, and a likely duplicate (the same registration number, or\n"
		       "the same name and phone, in the call).  Documents up to %d bytes are kept;\n"
		       "with --meta-only only the name, size and SHA-256 of a larger file.\n",
		       SEL_DOC_MAX);
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "add") == 0) {
		struct sel_applicant_in a = {0};
		const char *members = NULL, *years = NULL;
		const struct opt opts[] = {
			{"--name", &a.name, NULL},
			{"--kind", &a.kind, NULL},
			{"--contact", &a.contact, NULL},
			{"--phone", &a.phone, NULL},
			{"--reg-no", &a.reg_no, NULL},
			{"--members", &members, NULL},
			{"--years", &years, NULL},
			{"--areas", &a.areas, NULL},
			{"--activities", &a.activities, NULL},
			{NULL, NULL, NULL},
		};
		char id[NZ_RID_MAX];
		if ((rc = parse("applicant add", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("applicant add: give the CALL's id");
		a.members = a.years = -1;
		if ((members != NULL &&
		     (rc = whole("applicant add", "--members", members, 0, 100000, &a.members)) != 0) ||
		    (years != NULL && (rc = whole("applicant add", "--years", years, 0, 200, &a.years)) != 0))
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if ((rc = sel_apply(n.st, pos[0], &a, n.author, id, &err)) == 0)
			printf("%s\n", id);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "list") == 0) {
		static const struct tcol cols[] = {{"id", "id"},
						   {"status", "status"},
						   {"applied_jalali", "applied"},
						   {"kind", "kind"},
						   {"members", "members"},
						   {"docs", "docs"},
						   {"name", "name"},
						   {NULL, NULL}};
		json_t *rows;
		if ((rc = parse("applicant list", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("applicant list: give the CALL's id");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_applicant_list(n.st, pos[0]);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	if (strcmp(argv[1], "show") == 0) {
		json_t *a;
		if ((rc = parse("applicant show", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("applicant show: give the applicant's ID");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		a = sel_applicant_get(n.st, pos[0]);
		node_close(&n);
		if (a == NULL)
			return not_found("applicant", pos[0]);
		if (o.json)
			print_json(a);
		else
			show(a);
		json_decref(a);
		return 0;
	}
	if (strcmp(argv[1], "withdraw") == 0) {
		const char *reason = NULL;
		const struct opt opts[] = {{"--reason", &reason, NULL}, {NULL, NULL, NULL}};
		if ((rc = parse("applicant withdraw", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1 || reason == NULL)
			return cmd_usage("applicant withdraw: give the applicant's ID and --reason R");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = sel_applicant_withdraw(n.st, pos[0], reason, n.author, &err);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "doc") == 0)
		return applicant_doc(&o, argc, argv);
	return cmd_usage("applicant: unknown subcommand '%s' (add, list, show, withdraw, doc)", argv[1]);
}

/* ---- review ---- */

int
cmd_review(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat review score -D DIR APPLICANT --reviewer NAME CODE=SCORE...\n"
		       "       nehzat review list -D DIR (CALL | --applicant ID) [--json]\n"
		       "Review and weighting (بررسی و وزن دهی), while the call is closed.  Each reviewer\n"
		       "scores the review criteria of the call's standards (see 'nehzat standard show'),\n"
		       "each within its bounds; later scores by the same reviewer replace earlier ones.\n"
		       "A reviewer's total is the weighted mean of the criteria scaled onto 0..100, kept\n"
		       "once every criterion has a score.  An applicant whose reviewers' totals differ by\n"
		       "more than the standards' disagreement points is flagged in 'nehzat rank'.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "score") == 0) {
		const char *reviewer = NULL;
		const struct opt opts[] = {{"--reviewer", &reviewer, NULL}, {NULL, NULL, NULL}};
		if ((rc = parse("review score", argc, argv, 2, opts, pos, MAX_POS, &npos)) != 0)
			return rc;
		if (npos < 2 || reviewer == NULL)
			return cmd_usage(
				"review score: give APPLICANT, --reviewer NAME and CODE=SCORE pairs");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = sel_review_score(n.st, pos[0], reviewer, npos - 1, pos + 1, n.author, &err);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "list") == 0) {
		static const struct tcol cols[] = {
			{"applicant_id", "applicant"}, {"reviewer", "reviewer"}, {"total", "total"},
			{"updated_jalali", "updated"}, {"name", "name"},         {NULL, NULL}};
		const char *app = NULL;
		const struct opt opts[] = {{"--applicant", &app, NULL}, {NULL, NULL, NULL}};
		json_t *rows;
		if ((rc = parse("review list", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if ((npos == 1) == (app != NULL))
			return cmd_usage("review list: give a CALL or --applicant ID");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_review_list(n.st, app, npos == 1 ? pos[0] : NULL);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	return cmd_usage("review: unknown subcommand '%s' (score, list)", argv[1]);
}

/* ---- interview ---- */

int
cmd_interview(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat interview schedule -D DIR APPLICANT --date DATE --time HH:MM --panel P\n"
		       "                 [--place P]\n"
		       "       nehzat interview score -D DIR APPLICANT CODE=SCORE... [--notes N]\n"
		       "       nehzat interview noshow -D DIR APPLICANT [--notes N]\n"
		       "       nehzat interview list -D DIR CALL [--json]\n"
		       "Interviews (مصاحبه) while the call is closed or reviewed: scheduled (Jalali DATE,\n"
		       "time, panel), then scored on every interview criterion of the call's standards, or\n"
		       "marked no-show (which disqualifies unless it is scheduled again).\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "schedule") == 0) {
		const char *date = NULL, *time = NULL, *panel = NULL, *place = NULL;
		const struct opt opts[] = {{"--date", &date, NULL},
					   {"--time", &time, NULL},
					   {"--panel", &panel, NULL},
					   {"--place", &place, NULL},
					   {NULL, NULL, NULL}};
		char iso[11];
		if ((rc = parse("interview schedule", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1 || date == NULL || time == NULL || panel == NULL)
			return cmd_usage("interview schedule: give APPLICANT, --date, --time and --panel");
		if ((rc = jdate("interview schedule", "--date", date, iso)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = sel_interview_schedule(n.st, pos[0], iso, time, place, panel, n.author, &err);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "score") == 0 || strcmp(argv[1], "noshow") == 0) {
		bool score = strcmp(argv[1], "score") == 0;
		const char *notes = NULL;
		const struct opt opts[] = {{"--notes", &notes, NULL}, {NULL, NULL, NULL}};
		if ((rc = parse("interview", argc, argv, 2, opts, pos, score ? MAX_POS : 1, &npos)) != 0)
			return rc;
		if (npos < 1 || (score && npos < 2))
			return cmd_usage("interview %s: give APPLICANT%s", argv[1],
					 score ? " and CODE=SCORE pairs" : "");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if (score)
			rc = sel_interview_score(n.st, pos[0], npos - 1, pos + 1, notes, n.author, &err);
		else
			rc = sel_interview_noshow(n.st, pos[0], notes, n.author, &err);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "list") == 0) {
		static const struct tcol cols[] = {{"applicant_id", "applicant"},
						   {"date_jalali", "date"},
						   {"time", "time"},
						   {"status", "status"},
						   {"total", "score"},
						   {"panel", "panel"},
						   {"name", "name"},
						   {NULL, NULL}};
		json_t *rows;
		if ((rc = parse("interview list", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("interview list: give the CALL's id");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_interview_list(n.st, pos[0]);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	return cmd_usage("interview: unknown subcommand '%s' (schedule, score, noshow, list)", argv[1]);
}

/* ---- rank ---- */

int
cmd_rank(int argc, char **argv)
{
	static const struct tcol cols[] = {{"rank", "rank"},
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
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	const char *csv = NULL;
	const struct opt opts[] = {{"--csv", &csv, NULL}, {NULL, NULL, NULL}};
	json_t *rows, *r;
	size_t i;
	int npos, rc, from = 1;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat rank [list] -D DIR CALL [--json] [--csv FILE]\n"
		       "Ranking and qualification (رتبه بندی و تعیین صلاحیت) of a call's applicants under\n"
		       "the standards it opened with:\n"
		       "  combined = (review_weight * review + interview_weight * interview) / 100,\n"
		       "  review = mean of the reviewers' totals, each score on 0..100, two decimals.\n"
		       "A group qualifies with enough reviews, a held interview and a combined score at\n"
		       "or above the threshold.  Order: combined score, then interview score, then review\n"
		       "score (all highest first), then earliest application, then applicant id.\n"
		       "flag '!' marks reviewers who disagree by more than the standards allow.\n"
		       "--csv writes the list as CSV (UTF-8) to FILE.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "list") == 0)
		from = 2;
	if ((rc = parse("rank", argc, argv, from, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("rank: give the CALL's id");
	if ((rc = cmd_open(&n, &o)) != 0)
		return rc;
	if ((rows = sel_rank(n.st, pos[0], &err)) == NULL)
		return finish(&n, NZ_EINVAL, &err);
	node_close(&n);
	if (csv != NULL) {
		FILE *f = fopen(csv, "w");
		if (f == NULL || sel_rank_csv(rows, f) != 0 || fclose(f) != 0) {
			json_decref(rows);
			nz_fail(&err, NZ_EIO, "cannot write '%s'", csv);
			return cmd_fail(&err);
		}
	}
	if (o.json) {
		print_json(rows);
	} else if (csv == NULL) {
		json_t *first = json_array_get(rows, 0);
		if (first != NULL)
			printf("standards version %lld, threshold %.2f\n",
			       (long long)json_integer_value(json_object_get(first, "std_version")),
			       json_real_value(json_object_get(first, "threshold")));
		json_array_foreach(rows, i, r) {
			const char *appt = jstr(r, "decree_no");
			json_object_set_new(
				r, "flag",
				json_string(json_is_true(json_object_get(r, "flagged")) ? "!" : ""));
			if (appt[0] != '\0') {
				char note[96];
				snprintf(note, sizeof(note), "appointed %s", appt);
				json_object_set_new(r, "note", json_string(note));
			} else {
				json_object_set_new(r, "note", json_string(jstr(r, "reason")));
			}
			if (strcmp(jstr(r, "interview_status"), "held") != 0)
				json_object_set(r, "interview", json_object_get(r, "interview_status"));
		}
		table(rows, cols);
	} else {
		printf("wrote %zu rows to %s\n", json_array_size(rows), csv);
	}
	json_decref(rows);
	return 0;
}

/* ---- appoint ---- */

int
cmd_appoint(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat appoint add -D DIR APPLICANT [--date DATE] [--term-months N]\n"
		       "                 [--number NO]\n"
		       "       nehzat appoint revoke -D DIR ID --reason R\n"
		       "       nehzat appoint list -D DIR [--under CODE] [--call CALL] [--all] [--json]\n"
		       "       nehzat appoint summary -D DIR [--under CODE] [--json]\n"
		       "Selection and decree (انتخاب همیار و صدور حکم): appoints a qualified group of a\n"
		       "reviewed call and issues its decree, numbered SECRETARIAT/YEAR/NNNN per Jalali year\n"
		       "(or --number NO, never one used before), dated DATE (Jalali, default today), for the\n"
		       "standards' term or --term-months.  Refused beyond the quota (2 per county, 5 per\n"
		       "province unless the standards say otherwise).  revoke frees the place and keeps the\n"
		       "history.  list shows active appointments (--all: revoked too); summary shows each\n"
		       "secretariat's appointments against its quota.  add prints the id and the number.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "add") == 0) {
		const char *date = NULL, *term = NULL, *number = NULL;
		const struct opt opts[] = {{"--date", &date, NULL},
					   {"--term-months", &term, NULL},
					   {"--number", &number, NULL},
					   {NULL, NULL, NULL}};
		char iso[11], id[NZ_RID_MAX], no[SEL_DECREE_NO_MAX];
		long months = 0;
		if ((rc = parse("appoint add", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("appoint add: give the APPLICANT's id");
		if ((date != NULL && (rc = jdate("appoint add", "--date", date, iso)) != 0) ||
		    (term != NULL && (rc = whole("appoint add", "--term-months", term, 1, 60, &months)) != 0))
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = sel_appoint(n.st, pos[0], date ? iso : NULL, (int)months, number, n.author, id, no,
				 &err);
		if (rc == 0)
			printf("%s %s\n", id, no);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "revoke") == 0) {
		const char *reason = NULL;
		const struct opt opts[] = {{"--reason", &reason, NULL}, {NULL, NULL, NULL}};
		if ((rc = parse("appoint revoke", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1 || reason == NULL)
			return cmd_usage("appoint revoke: give the appointment's ID and --reason R");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = sel_revoke(n.st, pos[0], reason, n.author, &err);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "list") == 0) {
		static const struct tcol cols[] = {{"id", "id"},
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
		const struct opt opts[] = {{"--under", &under, NULL},
					   {"--call", &call, NULL},
					   {"--all", NULL, &all},
					   {NULL, NULL, NULL}};
		json_t *rows;
		if ((rc = parse("appoint list", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
		    (rc = under_ok("appoint list", under)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_appoint_list(n.st, under, call, all);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	if (strcmp(argv[1], "summary") == 0) {
		static const struct tcol cols[] = {{"unit", "secretariat"}, {"level", "level"},
						   {"active", "active"},    {"quota", "quota"},
						   {"free", "free"},        {"revoked", "revoked"},
						   {"name_fa", "name"},     {NULL, NULL}};
		const char *under = NULL;
		const struct opt opts[] = {{"--under", &under, NULL}, {NULL, NULL, NULL}};
		json_t *rows;
		if ((rc = parse("appoint summary", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
		    (rc = under_ok("appoint summary", under)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_appoint_summary(n.st, under);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	return cmd_usage("appoint: unknown subcommand '%s' (add, revoke, list, summary)", argv[1]);
}

/* ---- decree ---- */

int
cmd_decree(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat decree list -D DIR [--under CODE] [--json]\n"
		       "       nehzat decree show -D DIR KEY [--json]\n"
		       "       nehzat decree print -D DIR KEY --html FILE\n"
		       "Appointment decrees (احکام).  KEY is a decree's id, its number or its appointment's\n"
		       "id.  print writes a self-contained right-to-left Persian page ready to print: the\n"
		       "secretariat, the group, the number, the Jalali date and term, and the helpers'\n"
		       "duties of ماده ۴ of the guideline.  A revoked decree says so on the page.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "list") == 0) {
		static const struct tcol cols[] = {{"number", "number"},         {"date_jalali", "date"},
						   {"term_end_jalali", "until"}, {"status", "status"},
						   {"group_name", "group"},      {NULL, NULL}};
		const char *under = NULL;
		const struct opt opts[] = {{"--under", &under, NULL}, {NULL, NULL, NULL}};
		json_t *rows;
		if ((rc = parse("decree list", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
		    (rc = under_ok("decree list", under)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_decree_list(n.st, under);
		if (o.json)
			print_json(rows);
		else
			table(rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	if (strcmp(argv[1], "show") == 0) {
		json_t *d;
		if ((rc = parse("decree show", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1)
			return cmd_usage("decree show: give a decree's id or number");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		d = sel_decree_get(n.st, pos[0]);
		node_close(&n);
		if (d == NULL)
			return not_found("decree", pos[0]);
		if (o.json)
			print_json(d);
		else
			show(d);
		json_decref(d);
		return 0;
	}
	if (strcmp(argv[1], "print") == 0) {
		const char *file = NULL;
		const struct opt opts[] = {{"--html", &file, NULL}, {NULL, NULL, NULL}};
		char *html = NULL;
		FILE *f;
		size_t len;
		if ((rc = parse("decree print", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1 || file == NULL)
			return cmd_usage("decree print: give a decree's id or number and --html FILE");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = sel_decree_html(n.st, pos[0], n.conf.name, &html, &err);
		node_close(&n);
		if (rc != 0)
			return cmd_fail(&err);
		len = strlen(html);
		if ((f = fopen(file, "w")) == NULL || fwrite(html, 1, len, f) != len || fclose(f) != 0) {
			free(html);
			nz_fail(&err, NZ_EIO, "cannot write '%s'", file);
			return cmd_fail(&err);
		}
		free(html);
		printf("wrote %s\n", file);
		return 0;
	}
	return cmd_usage("decree: unknown subcommand '%s' (list, show, print)", argv[1]);
}

/* ---- course ---- */

int
cmd_course(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	int npos, rc, i;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat course add -D DIR --title T [--required N] [--for CODE]\n"
		       "       nehzat course session -D DIR COURSE --date DATE [--topic T] [--hours H]\n"
		       "       nehzat course attend -D DIR SESSION APPOINTMENT... [--absent]\n"
		       "       nehzat course list -D DIR [--under CODE] [--json]\n"
		       "       nehzat course status -D DIR [--under CODE] [--pending] [--json]\n"
		       "       nehzat course pending -D DIR [--under CODE] [--json]\n"
		       "The facilitator orientation course (دوره توجیهی تسهیلگر) of a secretariat: its\n"
		       "sessions (Jalali DATE) and the attendance of appointed groups.  A group completes\n"
		       "a course by attending N of its sessions (--required; default all of them).\n"
		       "pending lists the appointed groups that have not completed one.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "add") == 0) {
		const char *title = NULL, *req = NULL, *who = NULL;
		const struct opt opts[] = {{"--title", &title, NULL},
					   {"--required", &req, NULL},
					   {"--for", &who, NULL},
					   {NULL, NULL, NULL}};
		char id[NZ_RID_MAX];
		long required = 0;
		if ((rc = parse("course add", argc, argv, 2, opts, pos, 0, &npos)) != 0)
			return rc;
		if (title == NULL)
			return cmd_usage("course add: --title T is required");
		if ((req != NULL && (rc = whole("course add", "--required", req, 0, 100, &required)) != 0) ||
		    (who != NULL && (rc = under_ok("course add", who)) != 0))
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if ((rc = sel_course_add(n.st, who, title, (int)required, n.author, id, &err)) == 0)
			printf("%s\n", id);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "session") == 0) {
		const char *date = NULL, *topic = NULL, *hours = NULL;
		const struct opt opts[] = {{"--date", &date, NULL},
					   {"--topic", &topic, NULL},
					   {"--hours", &hours, NULL},
					   {NULL, NULL, NULL}};
		char iso[11], id[NZ_RID_MAX];
		double h = 0;
		if ((rc = parse("course session", argc, argv, 2, opts, pos, 1, &npos)) != 0)
			return rc;
		if (npos != 1 || date == NULL)
			return cmd_usage("course session: give COURSE and --date DATE");
		if ((rc = jdate("course session", "--date", date, iso)) != 0)
			return rc;
		if (hours != NULL && sel_parse_number(hours, &h) != 0)
			return cmd_usage("course session: --hours '%s' is not a number", hours);
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		if ((rc = sel_session_add(n.st, pos[0], iso, topic, h, n.author, id, &err)) == 0)
			printf("%s\n", id);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "attend") == 0) {
		bool absent = false;
		const struct opt opts[] = {{"--absent", NULL, &absent}, {NULL, NULL, NULL}};
		if ((rc = parse("course attend", argc, argv, 2, opts, pos, MAX_POS, &npos)) != 0)
			return rc;
		if (npos < 2)
			return cmd_usage("course attend: give SESSION and one or more APPOINTMENT ids");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		/* Each group's attendance is its own record: stop at the first refusal. */
		for (i = 1; i < npos && rc == 0; i++)
			rc = sel_attend(n.st, pos[0], pos[i], !absent, n.author, &err);
		return finish(&n, rc, &err);
	}
	if (strcmp(argv[1], "list") == 0) {
		const char *under = NULL;
		const struct opt opts[] = {{"--under", &under, NULL}, {NULL, NULL, NULL}};
		json_t *rows, *c, *s;
		size_t k, m;
		if ((rc = parse("course list", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
		    (rc = under_ok("course list", under)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_course_list(n.st, under);
		node_close(&n);
		if (o.json) {
			print_json(rows);
		} else {
			json_array_foreach(rows, k, c) {
				json_int_t req = json_integer_value(json_object_get(c, "required"));
				printf("%s  %s  %s (", jstr(c, "id"), jstr(c, "owner"), jstr(c, "title"));
				if (req > 0)
					printf("%lld sessions required)\n", (long long)req);
				else
					printf("every session required)\n");
				json_array_foreach(json_object_get(c, "sessions"), m, s) {
					printf("  %s  %s  %4.1fh  present %lld  %s\n", jstr(s, "id"),
					       jstr(s, "date_jalali"),
					       json_number_value(json_object_get(s, "hours")),
					       (long long)json_integer_value(json_object_get(s, "present")),
					       jstr(s, "topic"));
				}
			}
		}
		json_decref(rows);
		return 0;
	}
	if (strcmp(argv[1], "status") == 0 || strcmp(argv[1], "pending") == 0) {
		static const struct tcol cols[] = {{"appointment_id", "appointment"},
						   {"owner", "secretariat"},
						   {"progress", "attended"},
						   {"completed", "completed"},
						   {"decree_no", "decree"},
						   {"group_name", "group"},
						   {NULL, NULL}};
		const char *under = NULL;
		bool pending = strcmp(argv[1], "pending") == 0;
		const struct opt opts[] = {
			{"--under", &under, NULL}, {"--pending", NULL, &pending}, {NULL, NULL, NULL}};
		json_t *rows, *r, *c;
		size_t k, m;
		if ((rc = parse("course status", argc, argv, 2, opts, pos, 0, &npos)) != 0 ||
		    (rc = under_ok("course status", under)) != 0)
			return rc;
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = sel_course_status(n.st, under, pending);
		node_close(&n);
		if (o.json) {
			print_json(rows);
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
			table(rows, cols);
		}
		json_decref(rows);
		return 0;
	}
	return cmd_usage("course: unknown subcommand '%s' (add, session, attend, list, status, pending)",
			 argv[1]);
}

/* ---- check ---- */

int
cmd_check(int argc, char **argv)
{
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	char *pos[MAX_POS];
	const char *under = NULL;
	const struct opt opts[] = {{"--under", &under, NULL}, {NULL, NULL, NULL}};
	const struct check_def *all = check_all();
	json_t *v, *x;
	size_t i;
	int npos, rc, k;

	argc = cmd_common(argc, argv, &o);
	if (o.help) {
		printf("usage: nehzat check -D DIR [--under CODE] [--json]\n"
		       "The node's invariant report: rules that each write keeps where it is made but that\n"
		       "two levels writing while apart can break, found in what has replicated here.\n"
		       "Exits 1 when there is any violation.  Checks:\n");
		for (k = 0; all[k].name != NULL; k++)
			printf("  %-20s %s\n", all[k].name, all[k].what);
		return 0;
	}
	if ((rc = parse("check", argc, argv, 1, opts, pos, 0, &npos)) != 0 ||
	    (rc = under_ok("check", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, &o)) != 0)
		return rc;
	rc = check_run(n.st, under, &v, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	if (o.json) {
		print_json(v);
	} else {
		json_array_foreach(v, i, x)
			printf("%s: %s\n", jstr(x, "check"), jstr(x, "message"));
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
