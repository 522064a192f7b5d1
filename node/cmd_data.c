/* Commands over the records: org units, problems, quarantine, status. */
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

int
cmd_issue(int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "status", "category", "title", NULL};
	struct cmd_opts o;
	struct nz_err err = {0};
	struct node n;
	int rc, i;

	argc = cmd_common(argc, argv, &o);
	if (o.help || argc < 2) {
		printf("usage: nehzat issue add -D DIR --title T [--description D] [--category C]\n"
		       "       nehzat issue list -D DIR [--under CODE] [--json]\n"
		       "       nehzat issue show -D DIR ID [--json]\n"
		       "       nehzat issue set -D DIR ID FIELD=VALUE...\n"
		       "Problems of the issue register (نظام مسائل). add prints the new id.\n");
		return o.help ? 0 : 2;
	}
	if (strcmp(argv[1], "add") == 0) {
		const char *title = NULL, *desc = NULL, *cat = NULL;
		char id[NZ_RID_MAX];
		for (i = 2; i < argc; i++) {
			const char **dst = strcmp(argv[i], "--title") == 0	   ? &title
					   : strcmp(argv[i], "--description") == 0 ? &desc
					   : strcmp(argv[i], "--category") == 0	   ? &cat
										   : NULL;
			if (dst == NULL)
				return cmd_usage("issue add: unknown argument '%s'", argv[i]);
			if (i + 1 >= argc)
				return cmd_usage("issue add: %s needs a value", argv[i]);
			*dst = argv[++i];
		}
		if (title == NULL)
			return cmd_usage("issue add: --title T is required");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = issue_add(n.st, title, desc, cat, n.author, id, &err);
		node_close(&n);
		if (rc != 0)
			return cmd_fail(&err);
		printf("%s\n", id);
		return 0;
	}
	if (strcmp(argv[1], "list") == 0) {
		const char *under = NULL;
		json_t *rows;
		for (i = 2; i < argc; i++) {
			if (strcmp(argv[i], "--under") == 0 && i + 1 < argc)
				under = argv[++i];
			else
				return cmd_usage("issue list: unknown argument '%s'", argv[i]);
		}
		if (under != NULL && unit_level(under) < 0)
			return cmd_usage("issue list: '%s' is not an org-unit code", under);
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rows = rec_list(n.st, &issue_table, under, NULL, NULL, "owner, created, id");
		if (o.json)
			print_json(rows);
		else
			rec_print_table(stdout, rows, cols);
		json_decref(rows);
		node_close(&n);
		return 0;
	}
	if (strcmp(argv[1], "show") == 0) {
		json_t *rec;
		if (argc != 3)
			return cmd_usage("issue show: give exactly one ID");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rec = rec_get(n.st, &issue_table, argv[2]);
		node_close(&n);
		if (rec == NULL) {
			nz_fail(&err, NZ_ENOTFOUND, "no problem with id '%s'", argv[2]);
			return cmd_fail(&err);
		}
		if (o.json) {
			print_json(rec);
		} else {
			const char *k;
			json_t *v;
			json_object_foreach(rec, k, v) {
				char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
				printf("%-16s %s\n", k, s ? s : json_string_value(v));
				free(s);
			}
		}
		json_decref(rec);
		return 0;
	}
	if (strcmp(argv[1], "set") == 0) {
		if (argc < 4)
			return cmd_usage("issue set: give ID and at least one FIELD=VALUE");
		if ((rc = cmd_open(&n, &o)) != 0)
			return rc;
		rc = issue_set(n.st, argv[2], argc - 3, argv + 3, n.author, &err);
		node_close(&n);
		return rc != 0 ? cmd_fail(&err) : 0;
	}
	return cmd_usage("issue: unknown subcommand '%s' (add, list, show, set)", argv[1]);
}
