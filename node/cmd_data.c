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
	static const char *const cols[] = {"id", "level", "name_fa", "name_en", "population", NULL};
	struct node n;
	const char *under = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under), CLI_END};
	int rc, npos;

	json_t *rows;
	if ((rc = cli_parse("orgunit list", argc, argv, 2, opts, NULL, 0, &npos)) != 0 ||
	    (rc = cli_check_unit("orgunit list", under)) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = orgunit_list(n.st, under);
	node_close(&n);
	return cli_list(o, rows, cols);
}

static const struct cmd_sub orgunit_subs[] = {
	{"import", "-D DIR FILE.csv",
	 NULL, orgunit_import_exec},
	{"list", "-D DIR [--under CODE] [--json]",
	 NULL, orgunit_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_orgunit = {
	.name = "orgunit",
	.summary = "org-unit tree: import FILE.csv, list",
	.about = "import reads the provinces or counties file of the divisions data (national node\n"
		 "only); a bad row is reported with its line and nothing is written.\n",
	.subs = orgunit_subs,
};
