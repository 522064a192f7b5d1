/*
 * Internal header of the selection (انتخاب همیاران اجتماعی): what the files
 * of src/domain/selection/ share and nothing else includes.  The interface is
 * domain/selection.h.
 *
 * The selection of social helper groups runs from the call to the
 * orientation course (ماده ۳).  See selection.h for the scores, the ranking
 * order and who owns what.  Every rule is checked before anything is
 * written; operations that write several records, or check and then write,
 * run in one transaction.
 */
#ifndef NEHZAT_DOMAIN_SELECTION_SEL_INT_H
#define NEHZAT_DOMAIN_SELECTION_SEL_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include <sodium.h>

#include "base/dates.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/check.h"
#include "domain/field.h"
#include "domain/record.h"
#include "domain/selection.h"

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 4000

#define UNDER_SQL UNIT_SQL_UNDER("owner")

struct call {
	char id[NZ_RID_MAX];
	char owner[NZ_ID_MAX];
	int state;
	char std_id[NZ_RID_MAX];
	char opens[11], closes[11];
	char closed_on[11]; /* "" until it closes */
};

struct applicant {
	char id[NZ_RID_MAX];
	char owner[NZ_ID_MAX];
	char call_id[NZ_RID_MAX];
	char name[NAME_MAX_BYTES + 1];
	char kind[16];
	bool withdrawn;
};

struct rrow {
	char id[NZ_RID_MAX];
	char name[NAME_MAX_BYTES + 1];
	char kind[16];
	bool withdrawn;
	int64_t applied_at;
	int nrev;
	double rsum, rmin, rmax;
	int iv;
	double interview;
	bool has_combined, flagged, qualified;
	double review, spread, combined;
	char reason[200];
	const char *why; /* the reason's catalogue code (rank.*), NULL when qualified */
	char appt[NZ_RID_MAX];
	char decree_no[SEL_DECREE_NO_MAX];
	int rank;
};

#define RANK_MAX 100000

static inline const char *
col_text(sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	return s != NULL ? s : "";
}

static inline void
copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

static inline bool
empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

/* sel_now_ms returns the wall clock in milliseconds. */
int64_t sel_now_ms(void);

/* sel_derived_id writes prefix + 24 hex digits of SHA-256(a "\n" b): the same record from every node. */
void sel_derived_id(const char *prefix, const char *a, const char *b, char out[NZ_RID_MAX]);

/* sel_query_json runs sql with up to 3 text parameters (NULL binds NULL) and
 * returns its rows, dates also in Jalali, as a new JSON array; NULL on a database error (rec_rows). */
json_t *sel_query_json(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3);

/* sel_parse_json_object turns a stored JSON text into a new object (empty when NULL or broken). */
json_t *sel_parse_json_object(const char *text);

/* sel_expand_json replaces the text field key of every row by the JSON it holds. */
void sel_expand_json(json_t *rows, const char *key);

/* sel_check_date refuses a missing date, one date_parse refuses, or one not written ISO. */
int sel_check_date(const char *what, const char *iso, struct nz_err *err);

/* sel_kind_key returns the stored key of a kind given in English or Persian, or NULL. */
const char *sel_kind_key(const char *kind);

/* sel_load_call reads call id into c. */
int sel_load_call(struct store *st, const char *id, struct call *c, struct nz_err *err);

/* sel_call_std reads the standard (criteria and weights) a call was opened with. */
int sel_call_std(struct store *st, const struct call *c, struct sel_std *s, struct nz_err *err);

/* sel_check_secretariat refuses *secretariat (NULL: this node, written back) unless it is a county or
 * provincial secretariat within this node's subtree. */
int sel_check_secretariat(struct store *st, const char **secretariat, struct nz_err *err);

/* sel_load_both reads an applicant and the call it applied to. */
int sel_load_both(struct store *st, const char *applicant, struct applicant *a, struct call *c, struct nz_err *err);

/* sel_rrow_find returns the row of applicant id, or NULL. */
struct rrow *sel_rrow_find(struct rrow *rows, int n, const char *id);

/* sel_rank_build computes the ranking of call c into a new array *out of *nout rows (caller frees). */
int sel_rank_build(struct store *st, const struct call *c, const struct sel_std *s, struct rrow **out, int *nout,
	   struct nz_err *err);

/* sel_jstr returns the string at key of o, or "". */
const char *sel_jstr(json_t *o, const char *key);

#endif
