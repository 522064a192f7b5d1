#ifndef NZ_CHECK_H
#define NZ_CHECK_H

#include <jansson.h>

#include "store/store.h"

/*
 * The node's invariant report (nehzat check).  Some rules cannot hold by
 * construction where two levels write while apart: each write is checked
 * where it is made, but the replicas only meet later.  A check function
 * scans what this node holds and appends one object per violation to out:
 *     {"check": NAME, "owner": ORG-UNIT, "message": TEXT, "records": [IDS]}
 * (check_violation builds one).  It returns 0, or an error when it could
 * not look; a violation is not an error.
 *
 * To add a check, write the function in its domain module and add one line
 * to the table in check.c.
 */

typedef int (*check_fn)(struct store *st, json_t *out, struct nz_err *err);

struct check_def {
	const char *name; /* "area.rule", e.g. "selection.quota" */
	const char *what; /* one line for --help */
	check_fn fn;
};

/* check_all returns the registered checks, terminated by { NULL }. */
const struct check_def *check_all(void);

/*
 * check_violation appends a violation of check to out, owned by owner;
 * records (may be NULL) is a JSON array of record ids and is consumed.
 */
void check_violation(json_t *out, const char *check, const char *owner, json_t *records, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * check_run runs every check and returns in *out a new JSON array of the
 * violations owned inside under (all when NULL).  The first check that
 * cannot run stops the report with its error.
 */
int check_run(struct store *st, const char *under, json_t **out, struct nz_err *err);

#endif
