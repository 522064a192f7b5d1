/*
 * Online backup of a node's database.  The copy is taken with SQLite's
 * backup API inside one read transaction of the source, so it is the
 * database as one instant saw it while the node goes on serving; the rows of
 * every table are counted in that same transaction.  The copy is written
 * beside its destination, checked (integrity_check, then the same counts),
 * made durable, and only then renamed into place: a failed or interrupted
 * backup never leaves a file under the name asked for.
 */
#include "store/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BACKUP_TABLES_MAX 256

struct counts {
	char name[BACKUP_TABLES_MAX][64];
	int64_t rows[BACKUP_TABLES_MAX];
	int n;
};

static int
sql_fail(sqlite3 *db, struct nz_err *err, const char *what)
{
	return nz_fail(err, NZ_EDB, "%s: %s", what, sqlite3_errmsg(db));
}

/* count_rows counts every ordinary table of db, in name order. */
static int
count_rows(sqlite3 *db, struct counts *c, struct nz_err *err)
{
	sqlite3_stmt *q = NULL, *n = NULL;
	char sql[128];
	int rc = 0, step;

	c->n = 0;
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
			       " ORDER BY name",
			       -1, &q, NULL) != SQLITE_OK)
		return sql_fail(db, err, "backup: list tables");
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 0);
		if (c->n == BACKUP_TABLES_MAX || strlen(name) >= sizeof(c->name[0])) {
			rc = nz_fail(err, NZ_ETOOBIG, "backup: more than %d tables, or a name too long",
				     BACKUP_TABLES_MAX);
			goto out;
		}
		snprintf(c->name[c->n], sizeof(c->name[0]), "%s", name);
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", name);
		if (sqlite3_prepare_v2(db, sql, -1, &n, NULL) != SQLITE_OK || sqlite3_step(n) != SQLITE_ROW) {
			rc = sql_fail(db, err, "backup: count rows");
			goto out;
		}
		c->rows[c->n++] = sqlite3_column_int64(n, 0);
		sqlite3_finalize(n);
		n = NULL;
	}
	if (step != SQLITE_DONE)
		rc = sql_fail(db, err, "backup: list tables");
out:
	sqlite3_finalize(n);
	sqlite3_finalize(q);
	return rc;
}

/* copy_snapshot writes src's database, as its read transaction sees it, to path. */
static int
copy_snapshot(sqlite3 *src, const char *path, struct counts *c, struct nz_err *err)
{
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	int rc = 0, step;

	if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(src, err, "backup: begin");
	if ((rc = count_rows(src, c, err)) != 0)
		goto out;
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		rc = nz_fail(err, NZ_EIO, "backup: cannot create '%s': %s", path,
			     dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		rc = sql_fail(dst, err, "backup");
		goto out;
	}
	step = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE)
		rc = nz_fail(err, NZ_EIO, "backup: copying to '%s': %s", path, sqlite3_errstr(step));
	/* The copy is a plain file: no write-ahead log to carry about. */
	else if (sqlite3_exec(dst, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		rc = sql_fail(dst, err, "backup: journal mode");
out:
	sqlite3_close(dst);
	sqlite3_exec(src, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* verify_copy opens path read-only, checks its integrity and that it holds the rows counted. */
static int
verify_copy(const char *path, const struct counts *want, struct nz_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	struct counts *got = calloc(1, sizeof(*got));
	int rc = 0, i;

	if (got == NULL)
		return nz_fail(err, NZ_ENOMEM, "backup: out of memory");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = nz_fail(err, NZ_EIO, "backup: cannot open the copy '%s'", path);
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW) {
		rc = sql_fail(db, err, "backup: integrity_check of the copy");
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(q, 0), "ok") != 0) {
		rc = nz_fail(err, NZ_EDB, "backup: the copy fails integrity_check: %s",
			     (const char *)sqlite3_column_text(q, 0));
		goto out;
	}
	if ((rc = count_rows(db, got, err)) != 0)
		goto out;
	if (got->n != want->n) {
		rc = nz_fail(err, NZ_EDB, "backup: the copy has %d tables, the database %d", got->n, want->n);
		goto out;
	}
	for (i = 0; i < got->n; i++)
		if (strcmp(got->name[i], want->name[i]) != 0 || got->rows[i] != want->rows[i]) {
			rc = nz_fail(err, NZ_EDB, "backup: table %s has %lld rows in the copy, %s %lld in the database",
				     got->name[i], (long long)got->rows[i], want->name[i], (long long)want->rows[i]);
			goto out;
		}
out:
	sqlite3_finalize(q);
	sqlite3_close(db);
	free(got);
	return rc;
}

static int
fsync_path(const char *path, int flags)
{
	int fd = open(path, flags), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* backup_db copies src's database to path by way of path.part, checked (store_backup). */
static int
backup_db(sqlite3 *src, const char *path, struct store_backup_report *rep, struct nz_err *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	struct counts *c;
	int rc, i, fd;

	if (snprintf(tmp, sizeof(tmp), "%s.part", path) >= (int)sizeof(tmp))
		return nz_fail(err, NZ_EINVAL, "backup: path too long");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "backup: out of memory");
	unlink(tmp);
	/* A backup holds what the database holds: readable by its owner only. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		rc = nz_fail(err, NZ_EIO, "backup: cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	close(fd);
	if ((rc = copy_snapshot(src, tmp, c, err)) != 0 || (rc = verify_copy(tmp, c, err)) != 0)
		goto out;
	if (fsync_path(tmp, O_RDONLY) != 0) {
		rc = nz_fail(err, NZ_EIO, "backup: cannot flush '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = nz_fail(err, NZ_EIO, "backup: cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY);
	rep->tables = c->n;
	rep->rows = 0;
	rep->log_rows = 0;
	for (i = 0; i < c->n; i++) {
		rep->rows += c->rows[i];
		if (strcmp(c->name[i], "chlog") == 0)
			rep->log_rows = c->rows[i];
	}
out:
	if (rc != 0)
		unlink(tmp);
	free(c);
	return rc;
}

int
store_backup(struct store *st, const char *path, struct store_backup_report *rep, struct nz_err *err)
{
	return backup_db(store_db(st), path, rep, err);
}

int
store_copy_file(const char *from, const char *node, const char *path, struct store_backup_report *rep,
		struct nz_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int rc = 0, version = 0;

	if (sqlite3_open_v2(from, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = nz_fail(err, NZ_EIO, "cannot open '%s': %s", from, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK || sqlite3_step(q) != SQLITE_ROW) {
		rc = nz_fail(err, NZ_EINVAL, "'%s' is not a database: %s", from, sqlite3_errmsg(db));
		goto out;
	}
	version = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	q = NULL;
	if (version > store_schema_version()) {
		rc = nz_fail(err, NZ_EVERSION, "'%s' has schema version %d, newer than this program's %d", from,
			     version, store_schema_version());
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'node_id'", -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW) {
		rc = nz_fail(err, NZ_EINVAL, "'%s' is not a nehzat database (no node id)", from);
		goto out;
	}
	if (strcmp((const char *)sqlite3_column_text(q, 0), node) != 0) {
		rc = nz_fail(err, NZ_EINVAL, "'%s' is a backup of %s, not of %s", from,
			     (const char *)sqlite3_column_text(q, 0), node);
		goto out;
	}
	sqlite3_finalize(q);
	q = NULL;
	rc = backup_db(db, path, rep, err);
out:
	sqlite3_finalize(q);
	sqlite3_close(db);
	return rc;
}
