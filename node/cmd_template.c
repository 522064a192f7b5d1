/*
 * The template command: report templates (the fields a report asks for)
 * added, revised, retired, listed and shown.  Parsing and printing only;
 * the rules are in src/domain/reports/template.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/reports.h"
#include "node/node.h"

#define REST_MAX 256 /* positional arguments and FIELD=VALUE pairs */

/* number_json turns option text into a JSON number, or NULL. */
static json_t *
number_json(const char *s)
{
	char *end;
	long long i;
	double d;

	errno = 0;
	i = strtoll(s, &end, 10);
	if (s[0] != '\0' && *end == '\0' && errno == 0)
		return json_integer(i);
	errno = 0;
	d = strtod(s, &end);
	if (s[0] != '\0' && *end == '\0' && errno == 0)
		return json_real(d);
	return NULL;
}

/*
 * field_spec turns "NAME:TYPE[:OPT]..." into a field object.  OPT is
 * required, int, min=N, max=N, maxlen=N, choices=A|B|C or label=TEXT.
 */
static json_t *
field_spec(const char *spec)
{
	char buf[1024], *part, *save = NULL;
	json_t *f;
	int k = 0;

	if (strlen(spec) >= sizeof(buf)) {
		cmd_usage("template: --field '%.40s...' is too long", spec);
		return NULL;
	}
	snprintf(buf, sizeof(buf), "%s", spec);
	f = json_object();
	for (part = strtok_r(buf, ":", &save); part != NULL; part = strtok_r(NULL, ":", &save), k++) {
		char *eq = strchr(part, '=');
		json_t *v;
		if (k == 0) {
			json_object_set_new(f, "name", json_string(part));
			continue;
		}
		if (k == 1) {
			json_object_set_new(f, "type", json_string(part));
			continue;
		}
		if (strcmp(part, "required") == 0) {
			json_object_set_new(f, "required", json_true());
			continue;
		}
		if (strcmp(part, "int") == 0 || strcmp(part, "integer") == 0) {
			json_object_set_new(f, "integer", json_true());
			continue;
		}
		if (eq == NULL)
			goto bad;
		*eq++ = '\0';
		if (strcmp(part, "min") == 0 || strcmp(part, "max") == 0) {
			if ((v = number_json(eq)) == NULL)
				goto bad;
			json_object_set_new(f, part, v);
		} else if (strcmp(part, "maxlen") == 0) {
			if ((v = number_json(eq)) == NULL || !json_is_integer(v)) {
				json_decref(v);
				goto bad;
			}
			json_object_set_new(f, "max_length", v);
		} else if (strcmp(part, "label") == 0) {
			json_object_set_new(f, "label", json_string(eq));
		} else if (strcmp(part, "choices") == 0) {
			json_t *ch = json_array();
			char *c, *save2 = NULL;
			for (c = strtok_r(eq, "|", &save2); c != NULL; c = strtok_r(NULL, "|", &save2))
				json_array_append_new(ch, json_string(c));
			json_object_set_new(f, "choices", ch);
		} else {
			goto bad;
		}
	}
	if (k < 2)
		goto bad;
	return f;
bad:
	json_decref(f);
	cmd_usage("template: --field '%s' is not NAME:TYPE[:required][:int][:min=N][:max=N][:maxlen=N]"
		  "[:choices=A|B][:label=TEXT]",
		  spec);
	return NULL;
}

/* fields_text builds the fields' JSON text from --field specs or a --fields file; *out is malloc'd. */
static int
fields_text(const char **specs, int nspecs, const char *file, char **out)
{
	*out = NULL;
	if (nspecs > 0 && file != NULL)
		return cmd_usage("template: give --field options or --fields FILE, not both");
	if (file != NULL) {
		struct nz_err err = {0};
		unsigned char *buf;
		size_t n;
		if (cli_read_file(file, REP_JSON_MAX, &buf, &n, &err) != 0)
			return cmd_fail(&err);
		*out = (char *)buf;
		return 0;
	}
	if (nspecs > 0) {
		json_t *a = json_array();
		int i;
		for (i = 0; i < nspecs; i++) {
			json_t *f = field_spec(specs[i]);
			if (f == NULL) {
				json_decref(a);
				return 2;
			}
			json_array_append_new(a, f);
		}
		*out = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(a);
	}
	return 0;
}

static void
print_template(json_t *t)
{
	size_t i;
	json_t *f;

	printf("%s v%lld  %s\n", cli_jstr(t, "code"), cli_jint(t, "version"), cli_jstr(t, "title"));
	printf("  every %s, reported by the %s of each %s, due %lld days after the period ends\n",
	       cli_jstr(t, "period"), strcmp(cli_jstr(t, "reporter"), "helper") == 0 ? "helper groups" : "secretariat",
	       cli_jstr(t, "level"), cli_jint(t, "due_days"));
	printf("  expected from %s%s%s\n", cli_jstr(t, "from"), cli_jstr(t, "until")[0] ? " until " : "",
	       cli_jstr(t, "until"));
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		json_t *v;
		printf("  %-20s %-7s%s", cli_jstr(f, "name"), cli_jstr(f, "type"),
		       json_is_true(json_object_get(f, "required")) ? " required" : "");
		if ((v = json_object_get(f, "min")) != NULL)
			printf(" min %g", json_number_value(v));
		if ((v = json_object_get(f, "max")) != NULL)
			printf(" max %g", json_number_value(v));
		if (json_is_true(json_object_get(f, "integer")))
			printf(" whole");
		if ((v = json_object_get(f, "choices")) != NULL) {
			char *s = json_dumps(v, JSON_COMPACT);
			printf(" %s", s ? s : "");
			free(s);
		}
		if (cli_jstr(f, "label")[0])
			printf("  %s", cli_jstr(f, "label"));
		printf("\n");
	}
}

/* template_write runs template add and template revise: they share their options. */
static int
template_write(const struct cmd_opts *o, int argc, char **argv, bool add)
{
	const char *cmd = add ? "template add" : "template revise";
	struct nz_err err = {0};
	struct node n;
	struct tpl_spec sp;
	const char *specs[CLI_LIST_MAX], *file = NULL, *due = NULL;
	char *rest[REST_MAX], *fields = NULL, id[NZ_RID_MAX];
	int nspecs = 0, nrest, rc, version = 0;
	long long v;
	const struct cli_opt opts[] = {
		CLI_VAL("--code", &sp.code),
		CLI_VAL("--title", &sp.title),
		CLI_VAL("--period", &sp.period),
		CLI_VAL("--reporter", &sp.reporter),
		CLI_VAL("--level", &sp.level),
		CLI_VAL("--due-days", &due),
		CLI_VAL("--from", &sp.from),
		CLI_VAL("--until", &sp.until),
		CLI_LIST("--field", specs, &nspecs),
		CLI_VAL("--fields", &file),
		CLI_END,
	};

	memset(&sp, 0, sizeof(sp));
	sp.due_days = -1;
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, rest, REST_MAX, &nrest)) != 0 ||
	    (rc = cli_whole(cmd, "--due-days", due, 0, REP_DUE_DAYS_MAX, &v)) != 0)
		return rc;
	if (due != NULL)
		sp.due_days = (int)v;
	if (nrest != (add ? 0 : 1))
		return cmd_usage("%s: unexpected or missing argument", cmd);
	if (add && (sp.code == NULL || sp.title == NULL || sp.period == NULL || sp.reporter == NULL ||
		    sp.level == NULL || due == NULL))
		return cmd_usage("template add: --code, --title, --period, --reporter, --level and "
				 "--due-days are required");
	if (add && nspecs == 0 && file == NULL)
		return cmd_usage("template add: give the fields with --field SPEC or --fields FILE");
	if ((rc = fields_text(specs, nspecs, file, &fields)) != 0)
		return rc;
	sp.fields = fields;
	if ((rc = cmd_open(&n, o)) != 0) {
		free(fields);
		return rc;
	}
	if (add)
		rc = tpl_add(n.st, &sp, n.author, id, &err);
	else
		rc = tpl_revise(n.st, rest[0], &sp, n.author, &version, &err);
	node_close(&n);
	free(fields);
	if (rc != 0)
		return cmd_fail(&err);
	if (add)
		printf("%s\n", id);
	else
		printf("template %s is now version %d\n", rest[0], version);
	return 0;
}

static int
template_add(const struct cmd_opts *o, int argc, char **argv)
{
	return template_write(o, argc, argv, true);
}

static int
template_revise(const struct cmd_opts *o, int argc, char **argv)
{
	return template_write(o, argc, argv, false);
}

static int
template_retire(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *after = NULL;
	char *rest[1];
	int nrest, rc;
	const struct cli_opt opts[] = {CLI_VAL("--after", &after), CLI_END};

	if ((rc = cli_parse("template retire", argc, argv, 2, opts, rest, 1, &nrest)) != 0)
		return rc;
	if (nrest != 1)
		return cmd_usage("template retire: give exactly one CODE");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = tpl_retire(n.st, rest[0], after, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
template_list(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"code", "version", "title", "period", "reporter", "level",
					   "due_days", "from", "until", "nfields", NULL};

	return out_list_all(o, argc, argv, "template list", tpl_list, cols);
}

static int
template_show(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *ver = NULL;
	char *rest[1];
	json_t *t;
	long long v = 0;
	int nrest, rc;
	const struct cli_opt opts[] = {CLI_VAL("--version", &ver), CLI_END};

	if ((rc = cli_parse("template show", argc, argv, 2, opts, rest, 1, &nrest)) != 0)
		return rc;
	if (nrest != 1)
		return cmd_usage("template show: give exactly one CODE");
	if ((rc = cli_whole("template show", "--version", ver, 1, 1000000, &v)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = tpl_get(n.st, rest[0], ver ? (int)v : 0, &t, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	if (o->json)
		cli_print_json(t);
	else
		print_template(t);
	json_decref(t);
	return 0;
}

static const struct cmd_sub template_subs[] = {
	{"add", "-D DIR --code C --title T --period month|quarter\n"
	  "--reporter secretariat|helper --level county|province --due-days N\n"
	  "[--from PERIOD] [--until PERIOD] (--field SPEC... | --fields FILE.json)",
	 NULL, template_add},
	{"revise", "-D DIR CODE [--title T] [--due-days N] [--from P] [--until P]\n"
	  "[--field SPEC... | --fields FILE.json]",
	 NULL, template_revise},
	{"retire", "-D DIR CODE [--after PERIOD]",
	 NULL, template_retire},
	{"list", "-D DIR [--all] [--json]",
	 NULL, template_list},
	{"show", "-D DIR CODE [--version N] [--json]",
	 NULL, template_show},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_template = {
	.name = "template",
	.summary = "report templates (national): add, revise, retire, list, show",
	.about = "Report templates (قالب گزارش), set by the national secretariat and seen everywhere.\n"
		 "Periods are Jalali: a month 1405-07 (Mehr) or a quarter 1405-Q3.  A report is due\n"
		 "--due-days after its period's last day.  --from is the first period reports are\n"
		 "expected for (default: the current one).  reporter helper means one report per\n"
		 "appointed helper group.  A revision is a new version; reports keep the version\n"
		 "they were written against.  retire ends the template after a period.\n"
		 "SPEC is NAME:TYPE[:required][:int][:min=N][:max=N][:maxlen=N][:choices=A|B|C][:label=TEXT]\n"
		 "with TYPE number, text or choice; --fields takes the same as a JSON array of\n"
		 "objects (name, type, label, required, min, max, integer, max_length, choices).\n",
	.subs = template_subs,
};
