#ifndef NZ_FRESH_H
#define NZ_FRESH_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/unit.h"
#include "store/store.h"

/*
 * Freshness: when this node last heard from each unit of its subtree, and
 * through whom, including "never".  The one place that answers it; the
 * completeness, the allocation, the dashboard and the register summary ask
 * here.
 *
 * A node knows first hand only its direct children (its peer rows).  What
 * it knows of them travels up as a replicated record, freshness, owned by
 * the observing node, keyed by (observer, unit) (record id
 * "OBSERVER/UNIT"): visible at the observer and its ancestors, never sent
 * down.  The parent's sync server writes it when a child's session
 * succeeds (fresh_observe), but only when it matters (fresh_matters): the
 * first contact, the watermark crossing a day in Iran, or moving by more
 * than [sync] freshness_step seconds.  So a county syncing every 2 seconds
 * costs its province one record a day, plus one per step.
 *
 * Why a record is a watermark of the data: the observer writes it after it
 * applied the child's changes, into the same change log, which every hop
 * forwards in order.  A node that holds the record holds every change the
 * unit had sent before it.  Because a record is rewritten on the first
 * sync of each day, its last_sync lies on the same day as the true last
 * sync: a due date (a day) is judged exactly.
 *
 * Merge at a node: a unit's freshness is the best (latest last_sync) that
 * any observer it holds reports, and for a direct child the peer row too.
 */

extern const struct tbl_def freshness_table;

/* Default of [sync] freshness_step, seconds. */
#define FRESH_STEP_DEFAULT 21600

/* FRESH_LOCAL is the last_sync of this node's own data: always current. */
#define FRESH_LOCAL INT64_MAX

/* What this node knows of one unit's freshness.  Times are unix ms, 0: never. */
struct fresh {
	int64_t last_sync;    /* data complete up to here; FRESH_LOCAL for this node */
	int64_t first_sync;   /* first successful sync the observer saw */
	int64_t last_contact; /* last time the observer heard from it at all */
	int64_t acked;        /* position of the unit's change log the observer holds */
	char via[NZ_ID_MAX];      /* this node's child its data comes through; this node for its own */
	char observer[NZ_ID_MAX]; /* who saw it sync: this node or a node below; "" none */
};

/*
 * fresh_matters tells whether a watermark that moves from recorded to now
 * (unix ms) must be written: no record yet (recorded 0), another day in
 * Iran, or a move of step_ms or more (step_ms 0: days only).
 */
bool fresh_matters(int64_t recorded, int64_t now, int64_t step_ms);

/*
 * fresh_observe writes this node's freshness record of its child from the
 * child's peer row, when fresh_matters says so; *wrote (may be NULL) tells.
 * Called by the sync server after a child's successful session.
 */
int fresh_observe(struct store *st, const char *child, int64_t step_ms, bool *wrote, struct nz_err *err);

/*
 * fresh_of fills f with what this node knows of unit (within this node's
 * subtree); f->via is unit_toward(this node, unit).  NZ_EDENIED for a unit outside it, NZ_EDB when a read fails.
 */
int fresh_of(struct store *st, const char *unit, struct fresh *f, struct nz_err *err);

/* fresh_text writes f's last_sync as "local", "never" or a Jalali time "1405-09-07 14:05". */
void fresh_text(const struct fresh *f, char *out, size_t n);

/*
 * fresh_json returns f as a new JSON object: as_of (fresh_text), as_of_ms
 * (null when local), heard ("local", "yes", "never"), via, observer,
 * first_sync, last_contact (Jalali text, "" never) and acked.
 */
json_t *fresh_json(const struct fresh *f);

/*
 * fresh_stamp sets on obj the freshness of unit's data as the consolidated
 * register shows it: via, local (true for this node's own and what lies
 * outside its subtree, its ancestors' directives) and last_sync_ms (null
 * when local, 0 never).  Returns last_sync (FRESH_LOCAL when local), 0 also
 * when the read fails.
 */
int64_t fresh_stamp(struct store *st, json_t *obj, const char *unit);

/* The freshness of a consolidated figure: the units it sums. */
struct fresh_sum {
	int64_t oldest;                /* oldest last_sync among units heard from; 0: none */
	char oldest_unit[NZ_ID_MAX];
	int units, never;              /* units summed (this node's own aside), never heard from */
};

/* fresh_sum_add counts unit with freshness f into s (start s zeroed). */
void fresh_sum_add(struct fresh_sum *s, const char *unit, const struct fresh *f);

/*
 * fresh_sum_json returns s as a new JSON object: units, never_heard,
 * oldest (Jalali text, "" when none), oldest_ms and oldest_unit.
 */
json_t *fresh_sum_json(const struct fresh_sum *s);

/*
 * fresh_subtree sums the freshness of every unit strictly below under
 * (the org-unit tree, this node's children and the units of freshness
 * records), under within this node.
 */
int fresh_subtree(struct store *st, const char *under, struct fresh_sum *s, struct nz_err *err);

/*
 * fresh_list returns a new JSON array, one object per unit within under
 * (this node when NULL), under itself first: unit, name, level, and
 * fresh_json's members.  NULL with err filled on bad input.
 */
json_t *fresh_list(struct store *st, const char *under, struct nz_err *err);

#endif
