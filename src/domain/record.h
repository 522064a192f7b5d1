#ifndef NZ_RECORD_H
#define NZ_RECORD_H

#include <stdbool.h>

#include <jansson.h>

#include "store/store.h"

/*
 * Generic helpers shared by the domain modules: typed field assignment from
 * user text, and reading records as JSON objects (the shape the command
 * line prints with --json and the HTTP API returns).
 */

/* rec_col finds a column of t by name, or NULL. */
const struct col_def *rec_col(const struct tbl_def *t, const char *name);

/*
 * rec_colset_add converts text to the column's type and adds it to cs.
 * An empty value for a non-text column writes NULL.  Refuses unknown
 * columns, columns in deny (NULL-terminated, may be NULL) and values that
 * do not parse, naming the field.
 */
int rec_colset_add(struct colset *cs, const struct tbl_def *t, const char *name, const char *value,
		   const char *const *deny, struct nz_err *err);

/*
 * rec_colset_json adds value to cs as column col, compact JSON text with its
 * keys sorted: 0, NZ_ENOMEM, or NZ_ETOOBIG ("WHAT are N bytes; at most MAX")
 * when the text is longer than max bytes.  value stays the caller's.
 */
int rec_colset_json(struct colset *cs, const char *col, json_t *value, size_t max, const char *what,
		    struct nz_err *err);

/*
 * rec_row_json returns the current row of s as a new JSON object, one member
 * per column (the clock column left out; text that is not UTF-8 shown as a
 * placeholder rather than lost).
 */
json_t *rec_row_json(sqlite3_stmt *s);

/*
 * rec_rows steps s to its end and returns its rows as a new JSON array, each
 * made by row (NULL: rec_row_json); NULL when s is NULL or a step fails, so
 * that a database error is never taken for an empty list.  s stays the
 * caller's, neither reset nor finalized.
 */
json_t *rec_rows(sqlite3_stmt *s, json_t *(*row)(sqlite3_stmt *s));

/*
 * The reads of one record (rec_get and every *_get of the domain) share one
 * convention: they return 0 and a new JSON object in *out; NZ_ENOTFOUND
 * ("no WHAT with id 'ID'") when the record is absent; NZ_EDB (or NZ_EBUSY)
 * naming SQLite's reason when the database could not be read, so that a
 * database error is never taken for "not found".  *out is NULL on an error.
 */

/* rec_get reads the record rid of t (deleted ones too) into *out, by the convention above. */
int rec_get(struct store *st, const struct tbl_def *t, const char *rid, json_t **out, struct nz_err *err);

/*
 * rec_one takes rows (consumed; NULL when the read failed) and puts a new
 * reference to its first row in *out, by the convention above: what and id
 * name the record in the messages.
 */
int rec_one(struct store *st, json_t *rows, const char *what, const char *id, json_t **out, struct nz_err *err);

/*
 * rec_attach sets member key of *rec to rows (consumed); when rows is NULL
 * because their read failed, releases *rec, sets it NULL and returns NZ_EDB
 * (err naming key and SQLite's reason).  So a read is rec_one, then
 * rec_attach for each part, each run only when the one before succeeded.
 */
int rec_attach(struct store *st, json_t **rec, const char *key, json_t *rows, struct nz_err *err);

/*
 * rec_list returns a new JSON array of the live records of t owned inside
 * under (all when NULL), filtered by an optional SQL condition with one
 * text parameter (cond NULL: none), in the order given (SQL, e.g. "id");
 * NULL on a database error (rec_rows).
 */
json_t *rec_list(struct store *st, const struct tbl_def *t, const char *under, const char *cond,
		 const char *param, const char *order);

/* rec_bind binds the n text parameters p (NULL binds NULL) to q, the first to ?1; q may be NULL. */
void rec_bind(sqlite3_stmt *q, int n, const char *const *p);

/*
 * rec_step_one steps q, the read of one record: 0 when it yields its row (read
 * it from q), NZ_ENOTFOUND ("no WHAT with id 'ID'") when none, NZ_EDB when the
 * step fails.  q stays the caller's.
 */
int rec_step_one(struct store *st, sqlite3_stmt *q, const char *what, const char *id, struct nz_err *err);

/*
 * rec_first_pair runs sql with the n text parameters p (rec_bind) and copies
 * the first two columns of its first row into a (na bytes) and b (nb bytes):
 * 1 when there is a row, 0 when none (a and b left as they are), NZ_EDB when
 * the database could not be read.
 */
int rec_first_pair(struct store *st, const char *sql, int n, const char *const *p, char *a, size_t na, char *b,
		   size_t nb, struct nz_err *err);

/* rec_table_has tells whether table tbl exists and, when col is not NULL, has that column. */
bool rec_table_has(struct store *st, const char *tbl, const char *col);

/* rec_finish ends the transaction a write began: commits when rc is 0, rolls back otherwise; returns the
 * outcome. */
int rec_finish(struct store *st, int rc, struct nz_err *err);

/* rec_write writes cs to record rid of tbl under owner, frees cs, and returns store_write's code. */
int rec_write(struct store *st, const char *tbl, const char *rid, const char *owner, struct colset *cs,
	      const char *author, struct nz_err *err);

/*
 * rec_scalar returns the integer the query sql yields with up to two text
 * parameters (NULL binds NULL): 0 when it yields no row, -1 when the
 * database could not be read.
 */
int64_t rec_scalar(struct store *st, const char *sql, const char *p1, const char *p2);

/*
 * rec_owner copies the owner of record rid into out; NZ_ENOTFOUND ("no WHAT
 * with id 'RID'", what NULL: the table's name) when absent or deleted,
 * NZ_EDB when the database could not be read.
 */
int rec_owner(struct store *st, const struct tbl_def *t, const char *rid, const char *what, char out[NZ_ID_MAX],
	      struct nz_err *err);

/* rec_derived_id writes prefix + 24 hex digits of SHA-256(a "\n" b): an id every node derives alike for
 * the same record (one review per applicant and reviewer, one link per record and group), so that two
 * nodes writing it converge to one record. */
void rec_derived_id(const char *prefix, const char *a, const char *b, char out[NZ_RID_MAX]);

/* rec_national_only refuses (NZ_EDENIED, naming what) unless this node is the national secretariat. */
int rec_national_only(struct store *st, const char *what, struct nz_err *err);

#endif
