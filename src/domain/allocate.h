#ifndef NZ_ALLOCATE_H
#define NZ_ALLOCATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "store/store.h"

/*
 * تخصیص منابع: the national indicators (indicator.c: a national directive,
 * weights per source) and the allocation of a budget among the units of a
 * level by them (allocate.c).  Reads the aggregates (aggregate.h) and the completeness
 * (reports.h); JSON returned here is new (caller decrefs).
 */

extern const struct tbl_def indicator_table;

/* Limits of the indicator set. */
#define IND_MAX 32
#define IND_CODE_MAX 32

/* The sources an indicator counts, for every unit of an allocation. */
enum ind_source { SRC_POPULATION, SRC_OPEN_ISSUES, SRC_INTERVENTIONS, SRC_HELPERS, SRC_COMPLETENESS, SRC_N };

/* ind_source_of is the source named ("population", "open_issues", ...), -1 for none. */
int ind_source_of(const char *name);

/* ind_source_name names source ("" for none); ind_source_help says what it counts. */
const char *ind_source_name(int source);
const char *ind_source_help(int source);

/*
 * ind_set defines or changes indicator code (national only): source is one
 * of population, open_issues, interventions, helpers, completeness; weight
 * 0..1000000.  Every change raises the indicator set's version.
 */
int ind_set(struct store *st, const char *code, const char *title, const char *source, int64_t weight,
	    const char *author, struct nz_err *err);

/* ind_remove retires indicator code (kept, inactive; the set's version rises). */
int ind_remove(struct store *st, const char *code, const char *author, struct nz_err *err);

/* ind_list returns the active indicators (every one when all) as a JSON array. */
json_t *ind_list(struct store *st, bool all);

/*
 * What an allocation does with units whose indicator data is unknown here
 * (never heard from, for an indicator counted from their records; no
 * population figure, for the population indicator): refuse (the default),
 * leave them out of the sharing, or share as if their values were zero.
 * The choice and the units are part of the result and of its digest.
 */
enum alloc_unknown { ALLOC_UNKNOWN_REFUSE, ALLOC_UNKNOWN_EXCLUDE, ALLOC_UNKNOWN_ZERO };

/* alloc_unknown_parse reads "refuse", "exclude" or "zero" into *out. */
int alloc_unknown_parse(const char *text, enum alloc_unknown *out, struct nz_err *err);

/*
 * alloc_compute shares budget rials among the units of level ("province"
 * or "county") within under (NULL: this node) by the active indicators:
 * each indicator's slice (budget * weight / total weight) is split in
 * proportion to the units' values; both splits round by largest remainder,
 * ties to the indicator code, then the unit code, so the shares sum to the
 * budget exactly and are the same wherever the data is the same.  period
 * (NULL: the last ended month) is the one the completeness indicator counts.
 * Units whose data is unknown are treated as unknown says; refused, the
 * error (NZ_ESTATE) names them and nothing is computed.  Returns a JSON
 * object, or NULL with err filled.
 */
json_t *alloc_compute(struct store *st, int64_t budget, const char *level, const char *under,
		      const char *period, enum alloc_unknown unknown, struct nz_err *err);

/* alloc_write_csv writes an allocation as CSV: one row per unit, then a total row. */
int alloc_write_csv(json_t *alloc, FILE *f, struct nz_err *err);

#endif
