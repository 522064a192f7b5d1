#ifndef NZ_BACKUP_H
#define NZ_BACKUP_H

#include <stdint.h>

#include "store/store.h"

/* What a backup holds, as counted in the snapshot it copied. */
struct store_backup_report {
	int tables;
	int64_t rows;     /* in all tables */
	int64_t log_rows; /* of them, in the change log */
};

/*
 * store_backup copies st's database, as one instant saw it, to path while
 * others go on writing; checks the copy (PRAGMA integrity_check and the row
 * count of every table against the source's in the same snapshot); and
 * renames it into place (mode 0600), replacing any file of that name.  Returns 0 with
 * rep filled, or an error, leaving path as it was and no path.part.
 */
int store_backup(struct store *st, const char *path, struct store_backup_report *rep, struct nz_err *err);

/*
 * store_copy_file copies the backup at from, which must be a database of
 * node, to path as store_backup does (checked, renamed into place, 0600).
 * Refuses, copying nothing, a file that is not a nehzat database, one of
 * another node, or one whose schema is newer than this program's.
 */
int store_copy_file(const char *from, const char *node, const char *path, struct store_backup_report *rep,
		    struct nz_err *err);

#endif
