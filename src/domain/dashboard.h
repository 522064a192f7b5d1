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
 * Its figures of the issue register come from the aggregates
 * (aggregate.h), never from the records: so it costs the same with fifty
 * thousand records as with five million.
 */

/*
 * dash_compute returns the dashboard of under (this node when NULL; it
 * must lie within this node) as a new JSON object: under, name, level,
 * level_n, period, generated, today, units (one object per unit with its
 * figures and freshness), register (as dash_register returns it, top 5),
 * allocation (or allocation_error) and sync (health_peers; sync_interval in
 * seconds tells a connected peer).  NULL with err filled on bad input.
 */
json_t *dash_compute(struct store *st, const char *under, int sync_interval, struct nz_err *err);

/*
 * dash_register returns the consolidated issue register of under (this
 * node when NULL): one entry per unit, under itself and each unit directly
 * below it (counts per effective status, sessions, solutions, decisions,
 * interventions, evaluations, organisations, and its top problems), totals,
 * and per category the counts and top problems.  Every unit and category
 * carries the freshness of the data it rests on (fresh_stamp), the totals
 * that of the whole subtree (fresh_sum_json).  From the aggregates; the
 * plain computation is kept as a test oracle
 * (tests/unit/reg_summary_oracle.c).
 */
json_t *dash_register(struct store *st, const char *under, int top, struct nz_err *err);

#endif
