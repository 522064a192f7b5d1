/*
 * The helper groups' work (art. 4-6: groups working together on the
 * identified problems): "nehzat group" attaches appointed groups to problems,
 * sessions and interventions, and lists each group's work.  Parsing and
 * printing only; the rules are in src/domain/register/links.c.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "domain/register.h"
#include "node/node.h"

#define POS_MAX 64

static int
group_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"id", "owner", "group_name", "decree_no", "status", "problems", "sessions",
					   "interventions", "reports", NULL};
	const char *under = NULL, *csv = NULL;
	bool all = false;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under), CLI_VAL("--csv", &csv), CLI_FLAG("--all", &all),
				       CLI_END};
	struct node n;
	json_t *rows;
	int rc, np;

	if ((rc = cli_parse("group list", argc, argv, 2, opts, NULL, 0, &np)) != 0 ||
	    (rc = cli_check_unit("group list", under)) != 0 || (rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = link_groups(n.st, under, all);
	node_close(&n);
	return out_rows(o, rows, cols, csv);
}

/* group_link_exec is attach and detach: KIND ID GROUP... */
static int
group_link_exec(const struct cmd_opts *o, int argc, char **argv)
{
	bool attach = strcmp(argv[1], "attach") == 0;
	struct nz_err err = {0};
	char *pos[POS_MAX], cmd[32];
	struct node n;
	int i, rc, np;

	snprintf(cmd, sizeof(cmd), "group %s", argv[1]);
	if ((rc = cli_parse(cmd, argc, argv, 2, NULL, pos, POS_MAX, &np)) != 0)
		return rc;
	if (np < 3)
		return cmd_usage("%s: give KIND (issue, session, intervention), its ID and at least one GROUP", cmd);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	/* Several groups at once, all or none. */
	if ((rc = store_begin(n.st, &err)) == 0) {
		for (i = 2; i < np && rc == 0; i++)
			rc = attach ? link_attach(n.st, LINK_HELPER, pos[0], pos[1], pos[i], n.author, &err)
				    : link_detach(n.st, LINK_HELPER, pos[0], pos[1], pos[i], n.author, &err);
		if (rc == 0)
			rc = store_commit(n.st, &err);
		else
			store_rollback(n.st);
	}
	return cli_done(&n, rc, &err, NULL);
}

static int
group_work_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	char *pos[2];
	struct node n;
	json_t *w;
	int rc, np;

	if ((rc = cli_parse("group work", argc, argv, 2, NULL, pos, 2, &np)) != 0)
		return rc;
	if (np != 1)
		return cmd_usage("group work: give one GROUP (appointment id, decree number or name)");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = link_group_work(n.st, pos[0], &w, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	return out_show(o, w, "helper group", pos[0]);
}

static const struct cmd_sub group_subs[] = {
	{"list", "-D DIR [--under CODE] [--all] [--json] [--csv FILE]",
	 "Lists the appointed helper groups (active ones unless --all) with the problems, sessions and\n"
	 "interventions each works on and the reports it filed.\n",
	 group_list_exec},
	{"attach", "-D DIR KIND ID GROUP...",
	 "Attaches helper groups to a problem (KIND issue), a deliberation session or an intervention:\n"
	 "  nehzat group attach -D DIR issue $p IR-07-03/1405/0001 \"گروه جهادی شهید همت\"\n", group_link_exec},
	{"detach", "-D DIR KIND ID GROUP...", "Ends a group's work on the record; the link stays, dated.\n",
	 group_link_exec},
	{"work", "-D DIR GROUP [--json]",
	 "Lists a group's problems, sessions, interventions and reports (the latest revision of each).\n",
	 group_work_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_group = {
	.name = "group",
	.summary = "helper groups' work: list, attach, detach, work",
	.about = "Helper groups (همیاران اجتماعی) work on the problems, deliberation sessions and interventions\n"
		 "of their secretariat, several on one when they work together (guideline art. 4-6).  A GROUP is\n"
		 "named by its appointment id, its decree number or its name; only a group whose appointment\n"
		 "is active and made inside the subtree of the secretariat owning the record can be attached.\n"
		 "A refusal names what is wrong and changes nothing.  Links replicate with the record.\n",
	.subs = group_subs,
};
