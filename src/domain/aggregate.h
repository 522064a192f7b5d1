#ifndef NZ_AGGREGATE_H
#define NZ_AGGREGATE_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/*
 * The aggregates of the replicated tables: local tables (never replicated,
 * derived from the replicated ones) kept up to date in the same transaction
 * as every change, whether written here or applied from a peer: by the
 * write path's hook for problems (agg_register), by SQLite triggers for the
 * other tables.  So the national dashboard, the allocation and the
 * completeness cost the same with fifty thousand records as with five
 * million: they read counts per (owner, category, status) and per
 * (table, owner), and the few best-ranked rows of an index of scored
 * problems, never the records themselves.
 *
 * One exception: the serving process (agg_defer) writes the problem counts
 * its own writes move up to AGG_HELD_MS after their commit (agg_hook.c
 * explains how); it writes them before it reads them itself, so another
 * process (a command) may read them that much late, never the serve.
 *
 * Every node installs them when it opens its database (node_open, the web
 * app); the dashboard, the allocation and the completeness read them and
 * nothing here reads those.
 *
 * Tables (read by dashboard.c): dash_issue_n (scope, unit, category, state,
 * n, people), dash_rec_n (scope, tbl, unit, key, n), dash_rank (id, owner,
 * prov, category, prio, prio2, pe, pr, created).
 */

/*
 * agg_register sets the write hook that keeps the counts and rank of
 * problems from the write path (store_hook_set), in every store of the
 * process; domain_tables() calls it, so whoever opens a node's database
 * keeps its aggregates.
 */
void agg_register(void);

/*
 * agg_init creates the aggregate tables and their triggers when they are
 * missing or of an older version, and fills them once from the replicated
 * tables, in one transaction; a no-op (one read) when they are current.
 */
int agg_init(struct store *st, struct nz_err *err);

/* How long, at most, the serving process holds the problem counts its own writes move (agg_defer). */
#define AGG_HELD_MS 50

/*
 * agg_defer, on, has this process hold the problem counts that its own
 * writes (store_write) move past their commit, summed in memory, and write
 * them together: by agg_flush, before any read of the counts through this
 * header, and in the first commit AGG_HELD_MS after the oldest of them or
 * when too many are held.  Changes applied from peers write theirs at their
 * commit as always.  Only the process holding the node's lock may turn it
 * on (node/serve.c): it sets meta dash_held, and a start that finds it set
 * (the one before died holding moves) counts the problems again from the
 * records first (*recounted, when not NULL, says so).  Off writes what is
 * held and clears the mark.  Called outside a transaction; a no-op when
 * already so, or when the aggregates are not there.  store_close does not
 * write what is held: turn it off first (node_close does).
 */
int agg_defer(struct store *st, bool on, bool *recounted, struct nz_err *err);

/* agg_flush writes the problem counts this process holds (agg_defer), in a transaction of its own or the caller's. */
int agg_flush(struct store *st, struct nz_err *err);

/* agg_held_ms is the age in milliseconds of the oldest count move held (agg_defer), -1 when none is. */
int64_t agg_held_ms(struct store *st);

/* agg_current reports whether the aggregates are there and of this version. */
bool agg_current(struct store *st);

/*
 * agg_rows prepares the count rows of base's subtree (the store owns the
 * statement; it is reset by the next agg_rows of the same kind): for the
 * national unit the provinces' subtrees (scope 1) and its own rows, below
 * it every owner within base.  With issues: unit, category, state, n,
 * people of dash_issue_n; else tbl, unit, key, n of dash_rec_n.  NULL with
 * err filled when it cannot.
 */
sqlite3_stmt *agg_rows(struct store *st, const char *base, bool issues, struct nz_err *err);

/*
 * agg_subtree_count counts, from the aggregates, the live problems owned
 * within unit that are not closed (what = "open_issues") or the live
 * interventions within unit (what = "interventions").  false when the
 * aggregates are not there (agg_init never ran): the caller counts itself.
 */
bool agg_subtree_count(struct store *st, const char *what, const char *unit, int64_t *out);

/*
 * agg_live_owners names what to read, instead of table tbl, to learn which
 * owners hold live records of it: a view of the aggregates with the columns
 * owner and deleted (always 0), one row or more per such owner, for issue,
 * intervention, report, sel_call and sel_appointment when the aggregates
 * are there; tbl itself otherwise.
 */
const char *agg_live_owners(struct store *st, const char *tbl);

#endif
