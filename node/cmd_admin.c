/* Commands of a node's administrator: backup. */
#include <stdio.h>

#include "node/node.h"
#include "store/backup.h"

static int
backup_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct store_backup_report rep;
	struct node n;
	char *pos[1];
	int npos, rc;

	if ((rc = cli_parse("backup", argc, argv, 1, NULL, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("backup: FILE is required: nehzat backup -D DIR FILE");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = store_backup(n.st, pos[0], &rep, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	printf("backup %s: %d tables, %lld rows (%lld in the change log), integrity ok\n", pos[0], rep.tables,
	       (long long)rep.rows, (long long)rep.log_rows);
	return 0;
}

const struct cmd_def cmd_backup = {
	.name = "backup",
	.summary = "a consistent, checked copy of the database while the node serves",
	.synopsis = "-D DIR FILE",
	.about = "Copies the node's database to FILE while the node goes on serving: one consistent\n"
		 "instant, checked (integrity_check, and the rows of every table counted again in the\n"
		 "copy) before it replaces FILE.  Restore: stop the node, put FILE in place of\n"
		 "DIR/nehzat.db (removing nehzat.db-wal and nehzat.db-shm), start it; it recovers\n"
		 "what it had sent since from its parent (README.md, Backups).\n",
	.run = backup_exec,
};
