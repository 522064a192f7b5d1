/*
 * nehzat: the program.  The table of commands and the dispatch only: each
 * command is declared once, in the node/cmd_*.c of its area (struct cmd_def),
 * the rules live in src/domain, the replication in src/repl.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "node/node.h"
#include "node/version.h"
#include "proto/wire.h"
#include "store/store.h"

/* The commands in the order `nehzat --help` lists them. */
static const struct cmd_def *const declared[] = {
	&cmd_init,
	&cmd_serve,
	&cmd_sync,
	&cmd_status,
	&cmd_digest,
	&cmd_key,
	&cmd_peer,
	&cmd_orgunit,
	&cmd_issue,
	&cmd_session,
	&cmd_solution,
	&cmd_council,
	&cmd_intervention,
	&cmd_evaluation,
	&cmd_org,
	&cmd_group,
	&cmd_register,
	&cmd_quarantine,
	&cmd_template,
	&cmd_report,
	&cmd_completeness,
	&cmd_freshness,
	&cmd_approve,
	&cmd_indicator,
	&cmd_allocate,
	&cmd_standard,
	&cmd_call,
	&cmd_applicant,
	&cmd_review,
	&cmd_interview,
	&cmd_rank,
	&cmd_appoint,
	&cmd_decree,
	&cmd_course,
	&cmd_check,
	&cmd_user,
	&cmd_backup,
	&cmd_restore,
	NULL,
};

/* commands holds the table above with the commands of the replicated resources (cmd_with_resources);
 * main fills it first. */
static const struct cmd_def *commands[sizeof(declared) / sizeof(declared[0]) + 32];

static void
usage(FILE *out)
{
	int i;

	fprintf(out, "usage: nehzat COMMAND [-D DIR] [options]\n\n"
		     "Every command takes -D DIR (or NEHZAT_DIR) naming the node's data directory,\n"
		     "and --help.\n\ncommands:\n");
	for (i = 0; commands[i] != NULL; i++)
		fprintf(out, "  %-11s %s\n", commands[i]->name, commands[i]->summary);
}

/* help answers "nehzat help [COMMAND | --man]": the list, a command's usage, or the manual page
 * (man(7)) written from the table, for packaging. */
static int
help(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--man") == 0) {
		cmd_man(stdout, (const struct cmd_def *const *)commands);
		return 0;
	}
	for (i = 0; commands[i] != NULL; i++)
		if (strcmp(argv[1], commands[i]->name) == 0) {
			cmd_help(stdout, commands[i], NULL);
			return 0;
		}
	return cmd_usage("help: unknown command '%s'", argv[1]);
}

int
main(int argc, char **argv)
{
	int i;

	/* What a node writes (database, WAL, key, exports) is its operator's
	 * alone, whatever the directory's mode. */
	umask(077);
	cmd_with_resources(declared, commands, sizeof(commands) / sizeof(commands[0]));
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return help(1, argv + 1);
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("nehzat %s (sync protocol version %d, database schema version %d)\n", NZ_VERSION,
		       NZ_PROTO_VERSION, store_schema_version());
		return 0;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	for (i = 0; commands[i] != NULL; i++)
		if (strcmp(argv[1], commands[i]->name) == 0)
			return cmd_run(commands[i], argc - 1, argv + 1);
	fprintf(stderr, "nehzat: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
