/*
 * The commands of the replicated resources declared once (domain/resource.h):
 * "nehzat NAME add|set|retire|list|show" for each, their usage and --help
 * written from the declaration's fields.  A command of main.c's table with a
 * resource's name adds its hand-written subcommands to them (org introduce).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "domain/resource.h"
#include "node/node.h"

#define RES_MAX 32
#define SYNOPSIS_MAX 640
#define SUBS_MAX 16
#define SYNOPSIS_LINE 72 /* bytes of a line of the add synopsis, as the hand-written ones wrap */

/* res_of finds the resource a handler runs for by the command's name, argv[0]. */
static const struct res_def *
res_of(char **argv)
{
	return res_find(argv[0]);
}

static int
res_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	const struct res_def *r = res_of(argv);
	const char *values[RES_FIELDS_MAX] = {0};
	struct cli_opt opts[2 * RES_FIELDS_MAX + 1];
	char names[2 * RES_FIELDS_MAX][48], cmd[64], id[NZ_RID_MAX], missing[256] = "";
	struct nz_err err = {0};
	struct node n;
	int i, k = 0, nf, npos, rc;

	/* An option by its field's name, and by its alias. */
	for (nf = 0; r->fields[nf].name != NULL && nf < RES_FIELDS_MAX; nf++) {
		snprintf(names[k], sizeof(names[k]), "--%s", r->fields[nf].name);
		opts[k] = (struct cli_opt)CLI_VAL(names[k], &values[nf]);
		k++;
		if (r->fields[nf].alias != NULL) {
			snprintf(names[k], sizeof(names[k]), "--%s", r->fields[nf].alias);
			opts[k] = (struct cli_opt)CLI_VAL(names[k], &values[nf]);
			k++;
		}
	}
	opts[k] = (struct cli_opt)CLI_END;
	snprintf(cmd, sizeof(cmd), "%s add", res_command(r));
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, NULL, 0, &npos)) != 0)
		return rc;
	for (i = 0; i < nf; i++)
		if ((r->fields[i].flags & RES_REQUIRED) && values[i] == NULL)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s--%s %s",
				 missing[0] ? ", " : "", r->fields[i].name, r->fields[i].value);
	if (missing[0] != '\0')
		return cmd_usage("%s: %s required", cmd, missing);
	for (i = 0; i < nf; i++)
		if ((r->fields[i].flags & (RES_UNIT | RES_OWNER)) && (rc = cli_check_unit(cmd, values[i])) != 0)
			return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = res_add(n.st, r, values, n.author, id, &err);
	return cli_done(&n, rc, &err, id);
}

static int
res_set_exec(const struct cmd_opts *o, int argc, char **argv)
{
	const struct res_def *r = res_of(argv);
	struct nz_err err = {0};
	struct node n;
	int rc;

	if (argc < 4)
		return cmd_usage("%s set: give ID and at least one FIELD=VALUE", res_command(r));
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = res_set(n.st, r, argv[2], argc - 3, argv + 3, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
res_retire_exec(const struct cmd_opts *o, int argc, char **argv)
{
	const struct res_def *r = res_of(argv);
	struct nz_err err = {0};
	struct node n;
	char *pos[2], cmd[64];
	int npos, rc;

	snprintf(cmd, sizeof(cmd), "%s retire", res_command(r));
	if ((rc = cli_parse(cmd, argc, argv, 2, NULL, pos, 2, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("%s: give one ID", cmd);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = res_retire(n.st, r, pos[0], n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
res_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	const struct res_def *r = res_of(argv);
	const char *under = NULL, *csv = NULL, *cols[2 * RES_FIELDS_MAX + RES_CALC_MAX + 5];
	char unit_names[RES_FIELDS_MAX][48], cmd[64];
	bool all = false;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under), CLI_VAL("--csv", &csv), CLI_FLAG("--all", &all),
				       CLI_END};
	struct node n;
	json_t *rows;
	int i, k = 0, npos, rc;

	snprintf(cmd, sizeof(cmd), "%s list", res_command(r));
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, NULL, 0, &npos)) != 0 || (rc = cli_check_unit(cmd, under)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = res_list(n.st, r, under, all);
	node_close(&n);
	cols[k++] = "id";
	for (i = 0; r->fields[i].name != NULL && !(r->fields[i].flags & RES_UNIT); i++)
		;
	if (r->fields[i].name == NULL)
		cols[k++] = "owner"; /* listed by owner (resource.h) */
	for (i = 0; r->fields[i].name != NULL && i < RES_FIELDS_MAX; i++) {
		if (!(r->fields[i].flags & RES_LIST) || (r->fields[i].flags & RES_OWNER))
			continue;
		cols[k++] = r->fields[i].name;
		if (r->fields[i].flags & RES_UNIT) {
			snprintf(unit_names[i], sizeof(unit_names[i]), "%s_name", r->fields[i].name);
			cols[k++] = unit_names[i];
		}
	}
	for (i = 0; r->calc != NULL && r->calc[i].name != NULL && i < RES_CALC_MAX; i++)
		cols[k++] = r->calc[i].name;
	cols[k++] = "active";
	cols[k++] = "retired";
	cols[k] = NULL;
	return out_rows(o, rows, cols, csv);
}

static int
res_show_exec(const struct cmd_opts *o, int argc, char **argv)
{
	const struct res_def *r = res_of(argv);
	struct nz_err err = {0};
	struct node n;
	json_t *rec;
	int rc;

	if (argc != 3)
		return cmd_usage("%s show: give exactly one ID", res_command(r));
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = res_get(n.st, r, argv[2], &rec, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	return out_show(o, rec, r->name, argv[2]);
}

/* The commands, written from the declarations once (cmd_with_resources). */
static struct cmd_def defs[RES_MAX];
static struct cmd_sub subs[RES_MAX][SUBS_MAX + 1];
static char add_synopsis[RES_MAX][SYNOPSIS_MAX], set_help[RES_MAX][SYNOPSIS_MAX];

/* add_sub puts sub into the NULL-closed table t (SUBS_MAX at most), in place of one of the same name. */
static void
add_sub(struct cmd_sub *t, const struct cmd_sub *sub)
{
	int i;

	for (i = 0; t[i].name != NULL && strcmp(t[i].name, sub->name) != 0; i++)
		;
	if (i == SUBS_MAX)
		return;
	if (t[i].name == NULL)
		t[i + 1] = (struct cmd_sub){NULL, NULL, NULL, NULL};
	t[i] = *sub;
}

/* write_def writes the command of resource r into defs[k], subs[k], with the subcommands of the declared
 * command on top of the generated ones (one of the same name replaces it). */
static void
write_def(size_t k, const struct res_def *r, const struct cmd_def *declared)
{
	char *s = add_synopsis[k];
	size_t len, line;
	int i, pass;

	len = (size_t)snprintf(s, SYNOPSIS_MAX, "-D DIR");
	/* The required options first, then the others, in the order declared; an alias beside its name; a
	 * new line of the synopsis before one that would pass SYNOPSIS_LINE. */
	for (pass = 0, line = 0; pass < 2; pass++)
		for (i = 0; r->fields[i].name != NULL && len < SYNOPSIS_MAX; i++) {
			const struct res_field *f = &r->fields[i];
			size_t w;
			if (!!(f->flags & RES_REQUIRED) != (pass == 0))
				continue;
			w = strlen(f->name) + (f->alias ? strlen(f->alias) + 3 : 0) + strlen(f->value) + (pass ? 6 : 4);
			if (len - line + w > SYNOPSIS_LINE) {
				line = len + 1;
				len += (size_t)snprintf(s + len, SYNOPSIS_MAX - len, "\n");
			}
			len += (size_t)snprintf(s + len, SYNOPSIS_MAX - len, "%s--%s%s%s %s%s",
						line == len ? (pass ? "[" : "") : (pass ? " [" : " "), f->name,
						f->alias ? "|--" : "", f->alias ? f->alias : "", f->value, pass ? "]" : "");
		}
	len = (size_t)snprintf(set_help[k], SYNOPSIS_MAX, "Fields, checked as add checks them:");
	for (i = 0; r->fields[i].name != NULL && len < SYNOPSIS_MAX; i++)
		if (!(r->fields[i].flags & RES_OWNER))
			len += (size_t)snprintf(set_help[k] + len, SYNOPSIS_MAX - len, "%s %s%s%s%s", i ? "," : "",
						r->fields[i].name, r->fields[i].alias ? " (" : "",
						r->fields[i].alias ? r->fields[i].alias : "", r->fields[i].alias ? ")" : "");
	if (len < SYNOPSIS_MAX)
		snprintf(set_help[k] + len, SYNOPSIS_MAX - len, ".\n");
	subs[k][0] = (struct cmd_sub){"add", s, NULL, res_add_exec};
	subs[k][1] = (struct cmd_sub){"set", "-D DIR ID FIELD=VALUE...", set_help[k], res_set_exec};
	subs[k][2] = (struct cmd_sub){"retire", "-D DIR ID", NULL, res_retire_exec};
	subs[k][3] = (struct cmd_sub){"list", "-D DIR [--under CODE] [--all] [--json] [--csv FILE]", NULL, res_list_exec};
	subs[k][4] = (struct cmd_sub){"show", "-D DIR ID [--json]", NULL, res_show_exec};
	subs[k][5] = (struct cmd_sub){NULL, NULL, NULL, NULL};
	for (i = 0; declared != NULL && declared->subs != NULL && declared->subs[i].name != NULL; i++)
		add_sub(subs[k], &declared->subs[i]);
	defs[k] = (struct cmd_def){.name = res_command(r), .summary = r->summary, .about = r->about, .subs = subs[k]};
}

const struct cmd_def *const *
cmd_with_resources(const struct cmd_def *const *declared, const struct cmd_def **out, size_t max)
{
	const struct res_def *const *all = res_all();
	bool placed[RES_MAX] = {false};
	size_t n = 0, k, d;

	for (k = 0; all[k] != NULL && k < RES_MAX; k++) {
		for (d = 0; declared[d] != NULL && strcmp(declared[d]->name, res_command(all[k])) != 0; d++)
			;
		write_def(k, all[k], declared[d]);
	}
	/* The declared commands in their order, a resource's in place of the one of its name; then the others. */
	for (d = 0; declared[d] != NULL && n + 1 < max; d++) {
		for (k = 0; all[k] != NULL && k < RES_MAX && strcmp(defs[k].name, declared[d]->name) != 0; k++)
			;
		if (all[k] != NULL && k < RES_MAX)
			placed[k] = true;
		out[n++] = all[k] != NULL && k < RES_MAX ? &defs[k] : declared[d];
	}
	for (k = 0; all[k] != NULL && k < RES_MAX && n + 1 < max; k++)
		if (!placed[k])
			out[n++] = &defs[k];
	out[n] = NULL;
	return out;
}
