/*
 * The commands of the replicated resources declared once (domain/resource.h):
 * "nehzat NAME add|set|retire|list" for each, their usage and --help written
 * from the declaration's fields.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "domain/resource.h"
#include "node/node.h"

#define RES_MAX 32
#define SYNOPSIS_MAX 512

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
	struct cli_opt opts[RES_FIELDS_MAX + 1];
	char names[RES_FIELDS_MAX][48], cmd[64], id[NZ_RID_MAX], missing[256] = "";
	struct nz_err err = {0};
	struct node n;
	int i, nf, npos, rc;

	for (nf = 0; r->fields[nf].name != NULL && nf < RES_FIELDS_MAX; nf++) {
		snprintf(names[nf], sizeof(names[nf]), "--%s", r->fields[nf].name);
		opts[nf] = (struct cli_opt)CLI_VAL(names[nf], &values[nf]);
	}
	opts[nf] = (struct cli_opt)CLI_END;
	snprintf(cmd, sizeof(cmd), "%s add", r->name);
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, NULL, 0, &npos)) != 0)
		return rc;
	for (i = 0; i < nf; i++)
		if ((r->fields[i].flags & RES_REQUIRED) && values[i] == NULL)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s--%s %s",
				 missing[0] ? ", " : "", r->fields[i].name, r->fields[i].value);
	if (missing[0] != '\0')
		return cmd_usage("%s: %s required", cmd, missing);
	for (i = 0; i < nf; i++)
		if ((r->fields[i].flags & RES_UNIT) && (rc = cli_check_unit(cmd, values[i])) != 0)
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
		return cmd_usage("%s set: give ID and at least one FIELD=VALUE", r->name);
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

	snprintf(cmd, sizeof(cmd), "%s retire", r->name);
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
	const char *under = NULL, *csv = NULL, *cols[2 * RES_FIELDS_MAX + 4];
	char unit_names[RES_FIELDS_MAX][48], cmd[64];
	bool all = false;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under), CLI_VAL("--csv", &csv), CLI_FLAG("--all", &all),
				       CLI_END};
	struct node n;
	json_t *rows;
	int i, k = 0, npos, rc;

	snprintf(cmd, sizeof(cmd), "%s list", r->name);
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
		if (!(r->fields[i].flags & RES_LIST))
			continue;
		cols[k++] = r->fields[i].name;
		if (r->fields[i].flags & RES_UNIT) {
			snprintf(unit_names[i], sizeof(unit_names[i]), "%s_name", r->fields[i].name);
			cols[k++] = unit_names[i];
		}
	}
	cols[k++] = "active";
	cols[k++] = "retired";
	cols[k] = NULL;
	return out_rows(o, rows, cols, csv);
}

/* The commands, written from the declarations on the first call. */
static struct cmd_def defs[RES_MAX];
static struct cmd_sub subs[RES_MAX][5];
static char add_synopsis[RES_MAX][SYNOPSIS_MAX], set_help[RES_MAX][SYNOPSIS_MAX];
static const struct cmd_def *list[RES_MAX + 1];

const struct cmd_def *const *
cmd_resources(void)
{
	const struct res_def *const *all = res_all();
	size_t k, len;
	int i, pass;

	if (list[0] != NULL || all[0] == NULL)
		return list;
	for (k = 0; all[k] != NULL && k < RES_MAX; k++) {
		const struct res_def *r = all[k];
		char *s = add_synopsis[k];
		len = (size_t)snprintf(s, SYNOPSIS_MAX, "-D DIR");
		/* The required options first, then the others, in the order declared. */
		for (pass = 0; pass < 2; pass++)
			for (i = 0; r->fields[i].name != NULL && len < SYNOPSIS_MAX; i++)
				if (!!(r->fields[i].flags & RES_REQUIRED) == (pass == 0))
					len += (size_t)snprintf(s + len, SYNOPSIS_MAX - len, pass ? " [--%s %s]" : " --%s %s",
								r->fields[i].name, r->fields[i].value);
		len = (size_t)snprintf(set_help[k], SYNOPSIS_MAX, "Fields, checked as add checks them:");
		for (i = 0; r->fields[i].name != NULL && len < SYNOPSIS_MAX; i++)
			len += (size_t)snprintf(set_help[k] + len, SYNOPSIS_MAX - len, "%s %s", i ? "," : "",
						r->fields[i].name);
		if (len < SYNOPSIS_MAX)
			snprintf(set_help[k] + len, SYNOPSIS_MAX - len, ".\n");
		subs[k][0] = (struct cmd_sub){"add", s, NULL, res_add_exec};
		subs[k][1] = (struct cmd_sub){"set", "-D DIR ID FIELD=VALUE...", set_help[k], res_set_exec};
		subs[k][2] = (struct cmd_sub){"retire", "-D DIR ID", NULL, res_retire_exec};
		subs[k][3] = (struct cmd_sub){"list", "-D DIR [--under CODE] [--all] [--json] [--csv FILE]", NULL,
					      res_list_exec};
		subs[k][4] = (struct cmd_sub){NULL, NULL, NULL, NULL};
		defs[k] = (struct cmd_def){.name = r->name, .summary = r->summary, .about = r->about, .subs = subs[k]};
		list[k] = &defs[k];
	}
	list[k] = NULL;
	return list;
}
