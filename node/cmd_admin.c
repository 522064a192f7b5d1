/* Commands of a node's administrator: backup, restore. */
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

static int
restore_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct store_backup_report rep;
	char *pos[1];
	int npos, rc;

	if ((rc = cli_parse("restore", argc, argv, 1, NULL, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1)
		return cmd_usage("restore: FILE is required: nehzat restore -D DIR FILE");
	if (o->dir == NULL)
		return cmd_usage("restore: no data directory: give -D DIR or set NEHZAT_DIR");
	if (node_restore(o->dir, pos[0], &rep, &err) != 0)
		return cmd_fail(&err);
	printf("restored %s from %s: %d tables, %lld rows (%lld in the change log), integrity ok;\n"
	       "start the node and let it sync before anyone writes: it gets back from its parent what it had\n"
	       "sent since the backup\n",
	       o->dir, pos[0], rep.tables, (long long)rep.rows, (long long)rep.log_rows);
	return 0;
}

const struct cmd_def cmd_restore = {
	.name = "restore",
	.summary = "put a backup in place of the database of a stopped node",
	.synopsis = "-D DIR FILE",
	.about = "Replaces DIR/nehzat.db with the backup FILE (from 'nehzat backup'): refused while the\n"
		 "node serves, or when FILE is not a database of this node, fails integrity_check or\n"
		 "was made by a newer release; nothing is changed then.  The copy is checked like a\n"
		 "backup before it takes the database's name.  At its next sync the node gets back\n"
		 "from its parent the changes of its own it had sent since the backup.\n",
	.run = restore_exec,
};
