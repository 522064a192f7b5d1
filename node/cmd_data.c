/* Commands over the records: org units, quarantine, status. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "domain/domain.h"
#include "node/node.h"
#include "store/hlc.h"

static int
orgunit_import_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	int rc, count;

	if (argc != 3)
		return cmd_usage("orgunit import: give exactly one FILE.csv");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = orgunit_import_csv(n.st, argv[2], n.author, &count, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	printf("imported %d org units from %s\n", count, argv[2]);
	return 0;
}

static int
orgunit_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "level", "name_fa", "name_en", "population", "figures_on", NULL};
	json_t *rows;
	int rc = out_under(o, argc, argv, "orgunit list", orgunit_list, &rows);

	return rc != 0 ? rc : cli_list(o, rows, cols);
}

static int
orgunit_set_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[3], field[32];
	const char *eq;
	int rc, npos;

	if ((rc = cli_parse("orgunit set", argc, argv, 2, NULL, pos, 2, &npos)) != 0)
		return rc;
	if (npos != 2 || (eq = strchr(pos[1], '=')) == NULL || eq == pos[1] || (size_t)(eq - pos[1]) >= sizeof(field))
		return cmd_usage("orgunit set: give CODE and FIGURE=VALUE (population=123456, or population=unknown)");
	snprintf(field, sizeof(field), "%.*s", (int)(eq - pos[1]), pos[1]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = orgunit_set_figure(n.st, pos[0], field, eq + 1, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
orgunit_figures_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[1];
	int rc, npos, count;

	if ((rc = cli_parse("orgunit figures", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("orgunit figures: give one FILE.csv (code,population)");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = orgunit_import_figures(n.st, pos[0], n.author, &count, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	printf("set %d figures from %s\n", count, pos[0]);
	return 0;
}

static int
orgunit_history_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"set_on", "field", "value", "set_by", NULL};
	struct nz_err err = {0};
	struct node n;
	char *pos[1];
	json_t *u, *h;
	int rc, npos;

	if ((rc = cli_parse("orgunit history", argc, argv, 2, NULL, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("orgunit history: give one CODE");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	u = orgunit_figures(n.st, pos[0], &err);
	node_close(&n);
	if (u == NULL)
		return cmd_fail(&err);
	h = json_incref(json_object_get(u, "history"));
	json_decref(u);
	return out_rows(o, h, cols, NULL); /* set_on in Jalali, as every listing */
}

static const struct cmd_sub orgunit_subs[] = {
	{"set", "-D DIR CODE population=N|unknown",
	 NULL, orgunit_set_exec},
	{"figures", "-D DIR FILE.csv",
	 NULL, orgunit_figures_exec},
	{"history", "-D DIR CODE [--json]",
	 NULL, orgunit_history_exec},
	{"import", "-D DIR FILE.csv",
	 NULL, orgunit_import_exec},
	{"list", "-D DIR [--under CODE] [--json]",
	 NULL, orgunit_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_orgunit = {
	.name = "orgunit",
	.summary = "org-unit tree and its figures: import FILE.csv, set, figures FILE.csv, history, list",
	.about = "import reads the provinces or counties file of the divisions data (national node\n"
		 "only); a bad row is reported with its line and nothing is written.\n"
		 "set and figures keep a unit's figures (population, which the population indicator\n"
		 "reads) one at a time or from a CSV of code,population (codes as IR-07-03), national\n"
		 "only; 'unknown' (or empty) clears one: allocation treats the unit as unknown, never\n"
		 "as zero.  A file with an unknown code or a bad number changes nothing.  Who set a\n"
		 "figure and when is kept (figures_by, figures_on) and replicated with it; history\n"
		 "lists every change of a unit's figures (its import too), newest first, with who\n"
		 "made it and when, from the change log.\n",
	.subs = orgunit_subs,
};
