/* Commands over the records: org units, quarantine, status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base/unit.h"
#include "domain/domain.h"
#include "domain/record.h"
#include "node/node.h"
#include "store/hlc.h"

static void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (s != NULL) {
		printf("%s\n", s);
		free(s);
	}
}

int
cmd_orgunit(int argc, char **argv)
{
	static const char *const cols[] = {"id", "level", "name_fa", "name_en", "population", NULL};
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	const char *under = NULL;
	int rc, count, i;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat orgunit import -D DIR FILE.csv\n"
		       "       nehzat orgunit list -D DIR [--under CODE] [--json]\n"
		       "import reads the provinces or counties file of the divisions data (national node\n"
		       "only); a bad row is reported with its line and nothing is written.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "import") == 0) {
		if (argc != 3)
			return cmd_usage("orgunit import: give exactly one FILE.csv");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = orgunit_import_csv(n.st, argv[2], n.author, &count, &err);
		node_close(&n);
		if (rc != 0)
			return cmd_fail(&err);
		printf("imported %d org units from %s\n", count, argv[2]);
		return 0;
	}
	if (strcmp(argv[1], "list") == 0) {
		json_t *rows;
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--under") == 0 && i + 1 < argc)
				under = argv[++i];
			else
				return cmd_usage("orgunit list: unknown argument '%s'", argv[i]);
		}
		if (under != NULL && unit_level(under) < 0)
			return cmd_usage("orgunit list: '%s' is not an org-unit code", under);
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = orgunit_list(n.st, under);
		if (o.json)
			print_json(rows);
		else
			rec_print_table(stdout, rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	return cmd_usage("orgunit: unknown subcommand '%s' (import, list)", argv[1]);
}
