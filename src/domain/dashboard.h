#ifndef NZ_DASHBOARD_H
#define NZ_DASHBOARD_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

/*
 * The dashboard of a subtree (داشبورد): appointments against quota, problems
 * by status, council decisions, intervention stages, reporting
 * completeness, the consolidated issue register with its top problems,
 * resource allocation and sync health, by the unit itself and each unit
 * directly below it.
 *
 * Its figures of the issue register come from local aggregate tables
 * (never replicated, derived from the replicated ones) that SQLite triggers
 * keep up to date in the same transaction as every change, whether written
 * here or applied from a peer.  So the national dashboard costs the same
 * with fifty thousand records as with five million: it reads counts per
 * (owner, category, status) and per (table, owner), and the few best-ranked
 * rows of an index of scored problems, never the records themselves.
 */

/*
 * dash_init creates the aggregate tables and their triggers when they are
 * missing or of an older version, and fills them once from the replicated
 * tables, in one transaction; a no-op (one read) when they are current.
 */
int dash_init(struct store *st, struct nz_err *err);

/*
 * dash_compute returns the dashboard of under (this node when NULL; it
 * must lie within this node) as a new JSON object: under, name, level,
 * level_n, period, generated, today, units (one object per unit with its
 * figures and freshness), register (as reg_summary returns it, top 5),
 * allocation (or allocation_error) and sync (health_peers; sync_interval in
 * seconds tells a connected peer).  NULL with err filled on bad input.
 */
json_t *dash_compute(struct store *st, const char *under, int sync_interval, struct nz_err *err);

/*
 * dash_register returns the consolidated issue register of under (this
 * node when NULL) with top problems per unit and category, exactly as
 * reg_summary(st, under, top, err) does, but from the aggregates.
 */
json_t *dash_register(struct store *st, const char *under, int top, struct nz_err *err);

/*
 * dash_subtree_count counts, from the aggregates, the live problems owned
 * within unit that are not closed (what = "open_issues") or the live
 * interventions within unit (what = "interventions").  false when the
 * aggregates are not there (dash_init never ran): the caller counts itself.
 */
bool dash_subtree_count(struct store *st, const char *what, const char *unit, int64_t *out);

/*
 * dash_live_owners names what to read, instead of table tbl, to learn which
 * owners hold live records of it: a view of the aggregates with the columns
 * owner and deleted (always 0), one row or more per such owner, for issue,
 * intervention, report, sel_call and sel_appointment when the aggregates
 * are there; tbl itself otherwise.
 */
const char *dash_live_owners(struct store *st, const char *tbl);

#endif
