#ifndef NZ_AGG_INT_H
#define NZ_AGG_INT_H

/*
 * What the two halves of the dashboard's aggregates share: aggregate.c
 * (their tables, triggers, fill and reads) and agg_hook.c (the counts and
 * rank of problems, kept from the write path).
 */

#include "domain/aggregate.h"

/* Raise when the tables or triggers change: agg_init rebuilds them. */
#define DASH_VERSION 4

/* What json_integer_value makes of a column: its integer, else 0. */
#define PEOPLE(x) "(CASE WHEN typeof(" x ") = 'integer' THEN " x " ELSE 0 END)"

/* REG_ISSUE_STATE of the issue row r, "" for none. */
#define ISSUE_STATE(r)                                                                              \
	"COALESCE(CASE WHEN " r ".status = 'council' THEN COALESCE((SELECT d.decision FROM solution s2," \
	" council_decision d WHERE s2.id = " r ".solution AND s2.status = 'council' AND"                \
	" d.id = s2.id || '-r' || s2.round AND d.deleted = 0), 'council') ELSE " r ".status END, '')"

/*
 * The refresh of one problem's row, long as it is, lives once in the
 * INSTEAD OF trigger of a view; the triggers of writes call it by
 * inserting the problem's id into the view, and only when there is
 * something to price, since a trigger's whole program is set up every
 * time it fires.
 */
#define RANK_CALL(id) "INSERT INTO dash_rank_refresh (id) VALUES (" id ");"

/* agg_hook_forget makes the next write of a problem read again whether the aggregates are there. */
void agg_hook_forget(struct store *st);

/*
 * agg_recount counts the problems again from the records, in the caller's
 * transaction: dash_issue_n emptied and filled as agg_init fills it.
 */
int agg_recount(struct store *st, struct nz_err *err);

/* agg_hook_deferring tells whether st's process holds problem-count moves past their commits (agg_defer). */
bool agg_hook_deferring(struct store *st);

/*
 * agg_hook_defer makes the write hook hold them from now on, or no longer
 * (what is held is to be written before: agg_flush); agg_defer sees to the
 * mark in the database.
 */
int agg_hook_defer(struct store *st, bool on, struct nz_err *err);

/* agg_hook_drop forgets what the open transaction moved the counts by (their rebuild counts it). */
void agg_hook_drop(struct store *st);

#endif
