/*
 * Write hooks: what the layer above keeps in step with a table's rows in
 * the transaction of every write (the dashboard's aggregates of problems),
 * called by the write path from C rather than by an SQL trigger, which
 * would make SQLite keep a statement journal for every write of the table
 * (README, P2).
 */
#include <stddef.h>

#include "store/store_int.h"

#define HOOKS_MAX 8

static struct {
	const struct tbl_def *t;
	store_write_hook fn;
} hooks[HOOKS_MAX];

void
store_hook_set(const struct tbl_def *t, store_write_hook fn)
{
	int i, free_slot = -1;

	for (i = 0; i < HOOKS_MAX; i++) {
		if (hooks[i].t == t) {
			hooks[i].fn = fn;
			return;
		}
		if (hooks[i].t == NULL && free_slot < 0)
			free_slot = i;
	}
	if (fn != NULL && free_slot >= 0) {
		hooks[free_slot].t = t;
		hooks[free_slot].fn = fn;
	}
}

store_write_hook
store_hook_get(const struct tbl_def *t)
{
	int i;

	for (i = 0; i < HOOKS_MAX && hooks[i].t != NULL; i++)
		if (hooks[i].t == t)
			return hooks[i].fn;
	return NULL;
}

void *
store_ext(struct store *st)
{
	return st->ext;
}

void
store_ext_set(struct store *st, void *p, void (*free_fn)(void *))
{
	if (st->ext_free != NULL && st->ext != p)
		st->ext_free(st->ext);
	st->ext = p;
	st->ext_free = free_fn;
}

void
store_ext_txn(struct store *st, int (*commit)(struct store *st, struct nz_err *err), void (*committed)(struct store *st),
	      void (*rollback)(struct store *st))
{
	st->ext_commit = commit;
	st->ext_committed = committed;
	st->ext_rollback = rollback;
}

unsigned
store_epoch(const struct store *st)
{
	return st->epoch;
}
