/*
 * The counts and rank of problems, kept from the write path: the store calls
 * issue_hook in the transaction of every write of a problem, local or
 * applied from a peer (see aggregate.c for the tables and why problems are
 * not kept by triggers).
 *
 * A transaction's count moves are summed in memory (pend) and written when
 * it commits: one page of dash_issue_n per commit, the one page a local
 * write of a problem paid beyond the write itself (README, P2).  A serving
 * node's process (agg_defer) holds the moves of its own writes past their
 * commit instead (held, summed per count as pend is) and writes them
 * together, AGG_HELD_MS after the first of them at the latest:
 *
 *   pend --commit--> held  --agg_flush / a commit AGG_HELD_MS later-->  dash_issue_n
 *     \--rollback, COMMIT failing: dropped   (held is untouched by both)
 *
 * Moves are additive, so counts written late, by whichever transaction,
 * add up to the same as counts written at once; what another process
 * writes meanwhile it writes at its own commits.  Changes applied from a
 * peer write their counts at their commit as before (a batch's moves are
 * summed already, and a sync's figures are then exact everywhere at once),
 * and the held moves with them.  Crash safety: while a process defers,
 * meta dash_held is 1 (set when it starts to, cleared when it stops with
 * nothing held); a serving process that finds it set at its start knows the
 * one before it died holding moves and counts the problems again.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <msgpack.h>

#include "base/unit.h"
#include "domain/agg_int.h"
#include "domain/domain.h"

/* ---- problems: kept from the write path (issue_hook) ---- */

#define PEND_MAX 128 /* counts a transaction moves, kept in memory until it commits */
#define PEND_KEY 64  /* bytes of a category or state kept so; longer ones are written at once */
#define HELD_MAX 256 /* counts held past their commits (agg_defer); more are written by the commit */

/* What a transaction moved one count by, not written yet. */
struct pend {
	int scope;
	char unit[NZ_ID_MAX], cat[PEND_KEY], state[PEND_KEY];
	int unit_n, cat_n, state_n;
	int64_t n, people;
};

/* What the write hook of problems keeps of a store between writes (store_ext). */
struct agg_state {
	unsigned epoch;          /* store_epoch when current and national were read */
	bool known, current, national;
	sqlite3_stmt *bump;      /* adds (n, people) to a count that has a row */
	sqlite3_stmt *add;       /* makes a count's row */
	sqlite3_stmt *row;       /* a live problem's key and people, as the counts hold them */
	sqlite3_stmt *scored;    /* whether a problem has scores */
	const struct tbl_def *t; /* the table the masks are of */
	uint64_t count_mask, rank_mask; /* the columns a count, a rank hangs on (bit i: cols[i]) */
	int col_category, col_status, col_people; /* their indexes in t's cols, -2 for none */
	struct pend pend[PEND_MAX]; /* this transaction's moves */
	int npend;
	struct pend *held;       /* HELD_MAX: committed moves not written yet; NULL unless deferring */
	int nheld;
	int64_t held_since;      /* now_ms() when held went from none to some */
	bool applied;            /* this transaction moved counts for changes applied from elsewhere */
	bool holds;              /* its moves join held when it commits (agg_commit said so) */
	bool settles;            /* held is written (or counted again) by it: empty once it commits */
	bool unmarked;           /* meta dash_held was found cleared: the next transaction that holds sets it */
};

static void
state_free(void *p)
{
	struct agg_state *a = p;

	if (a != NULL)
		free(a->held);
	free(a);
}

/* now_ms is a monotonic clock in milliseconds (held moves' age). */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
agg_hook_forget(struct store *st)
{
	struct agg_state *a = store_ext(st);

	if (a != NULL)
		a->known = false;
}

static int write_set(struct store *st, struct agg_state *a, const struct pend *set, int n, struct nz_err *err);
static int flush(struct store *st, struct agg_state *a, struct nz_err *err);
static struct agg_state *state(struct store *st);
static void merge(struct pend *set, int *n, const struct pend *p);

/*
 * agg_commit writes what the transaction moved the counts by, before it
 * commits (store_ext_txn); deferring, it leaves a transaction's own moves
 * to be held (agg_committed) unless they come from elsewhere or held is
 * full, and writes what is held when this transaction writes counts anyway
 * or the oldest is AGG_HELD_MS old.
 */
static int
agg_commit(struct store *st, struct nz_err *err)
{
	struct agg_state *a = store_ext(st);
	bool hold;
	int rc;

	if (a == NULL)
		return 0;
	a->holds = false;
	if (a->held == NULL)
		return a->npend > 0 ? flush(st, a, err) : 0;
	hold = a->npend > 0 && !a->applied && a->nheld + a->npend <= HELD_MAX;
	if (a->nheld > 0 && !a->settles &&
	    ((a->npend > 0 && !hold) || now_ms() - a->held_since >= AGG_HELD_MS)) {
		/* Aggregates rebuilt by another process since (a new version) counted them already. */
		if ((a = state(st)) == NULL)
			return nz_fail(err, NZ_ENOMEM, "out of memory");
		if (a->current && (rc = write_set(st, a, a->held, a->nheld, err)) != 0)
			return rc;
		a->settles = true;
	}
	if (hold) {
		if (a->unmarked && (rc = store_meta_set_int(st, "dash_held", 1, err)) != 0)
			return rc;
		a->holds = true;
		return 0;
	}
	return a->npend > 0 ? flush(st, a, err) : 0;
}

/* agg_committed takes what the transaction wrote as written and holds what it left to hold. */
static void
agg_committed(struct store *st)
{
	struct agg_state *a = store_ext(st);
	int i;

	if (a == NULL)
		return;
	if (a->settles)
		a->nheld = 0;
	if (a->holds && a->held != NULL) {
		a->unmarked = false;
		if (a->nheld == 0)
			a->held_since = now_ms();
		for (i = 0; i < a->npend; i++)
			merge(a->held, &a->nheld, &a->pend[i]);
	}
	a->npend = 0;
	a->applied = a->holds = a->settles = false;
}

/* agg_rollback forgets what the transaction moved when it rolls back; what is held stays held. */
static void
agg_rollback(struct store *st)
{
	struct agg_state *a = store_ext(st);

	if (a != NULL) {
		a->npend = 0;
		a->applied = a->holds = a->settles = false;
	}
}

/* state returns st's agg_state, read again when another connection may have changed it; NULL: no memory. */
static struct agg_state *
state(struct store *st)
{
	struct agg_state *a = store_ext(st);

	if (a == NULL) {
		if ((a = calloc(1, sizeof(*a))) == NULL)
			return NULL;
		store_ext_set(st, a, state_free);
		store_ext_txn(st, agg_commit, agg_committed, agg_rollback);
	}
	if (!a->known || a->epoch != store_epoch(st)) {
		a->current = agg_current(st);
		a->national = unit_level(store_node(st)) == NZ_LEVEL_NATIONAL;
		a->epoch = store_epoch(st);
		a->known = true;
		/*
		 * Another connection committed since.  If it rebuilt the
		 * aggregates (agg_init, which clears the mark), they count
		 * what we hold already: it is dropped, and the mark set again
		 * before we hold anything more.
		 */
		if (a->held != NULL && (!a->current || store_meta_get_int(st, "dash_held", 0) == 0)) {
			a->nheld = 0;
			a->unmarked = true;
		}
	}
	return a;
}

/* A count's key: text and its length in bytes. */
struct key {
	const char *s;
	int n;
};

/*
 * write_count adds k problems of people in all (k * people each, already
 * multiplied) to the count of (unit, category, state) at scope: an UPDATE
 * of its row, or an INSERT when there is none yet; single-row statements
 * need no statement journal.
 */
static int
write_count(struct store *st, struct agg_state *a, int scope, struct key unit, struct key category,
	    struct key state_, int64_t k, int64_t people, struct nz_err *err)
{
	sqlite3_stmt *q;
	int tries, step;

	if ((a->bump == NULL &&
	     (a->bump = store_prepare(st,
				      "UPDATE dash_issue_n SET n = n + ?5, people = people + ?6"
				      " WHERE scope = ?1 AND unit = ?2 AND category = ?3 AND state = ?4",
				      err)) == NULL) ||
	    (a->add == NULL &&
	     (a->add = store_prepare(st,
				     "INSERT INTO dash_issue_n (scope, unit, category, state, n, people)"
				     " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
				     err)) == NULL))
		return NZ_EDB;
	for (tries = 0, q = a->bump; tries < 2; tries++, q = a->add) {
		sqlite3_bind_int(q, 1, scope);
		sqlite3_bind_text(q, 2, unit.s, unit.n, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, category.s, category.n, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, state_.s, state_.n, SQLITE_STATIC);
		sqlite3_bind_int64(q, 5, k);
		sqlite3_bind_int64(q, 6, people);
		step = sqlite3_step(q);
		sqlite3_reset(q);
		if (step != SQLITE_DONE)
			return store_sqlerr(st, err, "dashboard count");
		if (sqlite3_changes(store_db(st)) > 0)
			break;
	}
	return 0;
}

/* write_set writes the n counts of set that moved. */
static int
write_set(struct store *st, struct agg_state *a, const struct pend *set, int n, struct nz_err *err)
{
	int i, rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		const struct pend *p = &set[i];
		if (p->n != 0 || p->people != 0)
			rc = write_count(st, a, p->scope, (struct key){p->unit, p->unit_n},
					 (struct key){p->cat, p->cat_n}, (struct key){p->state, p->state_n}, p->n,
					 p->people, err);
	}
	return rc;
}

/* flush writes the counts the transaction moved so far. */
static int
flush(struct store *st, struct agg_state *a, struct nz_err *err)
{
	int rc = write_set(st, a, a->pend, a->npend, err);

	a->npend = 0;
	return rc;
}

/* same_key tells whether p counts (scope, unit, category, state). */
static bool
same_key(const struct pend *p, int scope, struct key unit, struct key category, struct key state_)
{
	return p->scope == scope && p->unit_n == unit.n && p->cat_n == category.n && p->state_n == state_.n &&
	       memcmp(p->unit, unit.s, (size_t)unit.n) == 0 && memcmp(p->cat, category.s, (size_t)category.n) == 0 &&
	       memcmp(p->state, state_.s, (size_t)state_.n) == 0;
}

/*
 * slot is the entry of set (n of max used) that counts (scope, unit,
 * category, state), made at zero when there is none and there is room;
 * NULL when there is not.
 */
static struct pend *
slot(struct pend *set, int *n, int max, int scope, struct key unit, struct key category, struct key state_)
{
	struct pend *p;
	int i;

	for (i = 0; i < *n; i++)
		if (same_key(&set[i], scope, unit, category, state_))
			return &set[i];
	if (*n == max)
		return NULL;
	p = &set[(*n)++];
	p->scope = scope;
	memcpy(p->unit, unit.s, (size_t)unit.n);
	memcpy(p->cat, category.s, (size_t)category.n);
	memcpy(p->state, state_.s, (size_t)state_.n);
	p->unit_n = unit.n;
	p->cat_n = category.n;
	p->state_n = state_.n;
	p->n = p->people = 0;
	return p;
}

/* merge adds move p to the held set (there is room: agg_commit saw to it). */
static void
merge(struct pend *set, int *n, const struct pend *p)
{
	struct pend *q = slot(set, n, HELD_MAX, p->scope, (struct key){p->unit, p->unit_n},
			      (struct key){p->cat, p->cat_n}, (struct key){p->state, p->state_n});

	if (q != NULL) {
		q->n += p->n;
		q->people += p->people;
	}
}

/*
 * add_count adds k problems of people each to the count of (owner,
 * category, state), and at the national node to its province's.  The
 * transaction's moves are summed in memory and written when it commits
 * (agg_commit), or later (agg_defer): a batch of ten thousand problems
 * applied from a peer moves a few counts, each written once.
 */
static int
add_count(struct store *st, struct agg_state *a, struct key owner, struct key category, struct key state_,
	  int k, int64_t people, struct nz_err *err)
{
	int scope, rc;

	for (scope = 0; scope <= (a->national && owner.n >= 5 ? 1 : 0); scope++) {
		struct key unit = {owner.s, scope == 1 ? 5 : owner.n};
		struct pend *p;
		if (unit.n >= NZ_ID_MAX || category.n >= PEND_KEY || state_.n >= PEND_KEY) {
			if ((rc = write_count(st, a, scope, unit, category, state_, k, k * people, err)) != 0)
				return rc;
			continue;
		}
		if ((p = slot(a->pend, &a->npend, PEND_MAX, scope, unit, category, state_)) == NULL) {
			if ((rc = flush(st, a, err)) != 0)
				return rc;
			p = slot(a->pend, &a->npend, PEND_MAX, scope, unit, category, state_);
		}
		p->n += k;
		p->people += k * people;
	}
	return 0;
}

/* column_key is column i of q's row as a count's key. */
static struct key
column_key(sqlite3_stmt *q, int i)
{
	struct key k;

	k.s = (const char *)sqlite3_column_text(q, i);
	k.n = sqlite3_column_bytes(q, i);
	if (k.s == NULL)
		k.s = "";
	return k;
}

/* add_row moves the count of problem rid, as its row stands, by k (nothing when it is deleted). */
static int
add_row(struct store *st, struct agg_state *a, const char *rid, int k, struct nz_err *err)
{
	int rc = 0, step;

	if (a->row == NULL &&
	    (a->row = store_prepare(st,
				    "SELECT i.owner, COALESCE(i.category, ''), " ISSUE_STATE("i") ", "
				    PEOPLE("i.people_affected") " FROM issue i WHERE i.id = ?1 AND i.deleted = 0",
				    err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(a->row, 1, rid, -1, SQLITE_STATIC);
	step = sqlite3_step(a->row);
	if (step == SQLITE_ROW)
		rc = add_count(st, a, column_key(a->row, 0), column_key(a->row, 1), column_key(a->row, 2), k,
			       sqlite3_column_int64(a->row, 3), err);
	else if (step != SQLITE_DONE)
		rc = store_sqlerr(st, err, "dashboard problem");
	sqlite3_reset(a->row);
	return rc;
}

/* The columns a problem's count hangs on, and those its rank hangs on ("deleted" for -1). */
static const char *const count_cols[] = {"deleted", "category", "status", "solution", "people_affected", NULL};
static const char *const rank_cols[] = {"deleted", "category", "status", "people_affected", "created", NULL};

static bool
among(const char *name, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(name, *names) == 0)
			return true;
	return false;
}

/* masks sets a's masks of the columns of t among names. */
static void
masks(struct agg_state *a, const struct tbl_def *t)
{
	int i;

	a->count_mask = a->rank_mask = 0;
	a->col_category = a->col_status = a->col_people = -2;
	for (i = 0; t->cols[i].name != NULL && i < 64; i++) {
		if (strcmp(t->cols[i].name, "category") == 0)
			a->col_category = i;
		else if (strcmp(t->cols[i].name, "status") == 0)
			a->col_status = i;
		else if (strcmp(t->cols[i].name, "people_affected") == 0)
			a->col_people = i;
		if (among(t->cols[i].name, count_cols))
			a->count_mask |= (uint64_t)1 << i;
		if (among(t->cols[i].name, rank_cols))
			a->rank_mask |= (uint64_t)1 << i;
	}
	a->t = t;
}

/* str_key is a msgpack str as a count's key; nil or absent is "". */
static struct key
str_key(const msgpack_object *v)
{
	struct key k = {"", 0};

	if (v != NULL && v->type == MSGPACK_OBJECT_STR) {
		k.s = v->via.str.ptr;
		k.n = (int)v->via.str.size;
	}
	return k;
}

/*
 * new_row counts a problem new here from the values of its write, which
 * are all its row holds, without reading it back.  It returns false, having
 * done nothing, when SQLite would store a value otherwise than it came (a
 * number as category, text as people) or the problem is before the council,
 * whose state hangs on its solution: then the row is read.
 */
static bool
new_row(struct store *st, struct agg_state *a, const struct row_write *w, int *rc, struct nz_err *err)
{
	const msgpack_object *category = NULL, *status = NULL, *people = NULL;
	struct key owner;
	int64_t p = 0;
	int i;

	for (i = 0; i < w->n; i++) {
		const msgpack_object *val = w->vals[i];
		if (w->cols[i] < 0) { /* deleted */
			if (!(val->type == MSGPACK_OBJECT_NIL ||
			      (val->type == MSGPACK_OBJECT_POSITIVE_INTEGER && val->via.u64 == 0) ||
			      (val->type == MSGPACK_OBJECT_BOOLEAN && !val->via.boolean)))
				return false;
		} else if (w->cols[i] == a->col_category) {
			category = val;
		} else if (w->cols[i] == a->col_status) {
			status = val;
		} else if (w->cols[i] == a->col_people) {
			people = val;
		}
	}
	if ((category != NULL && category->type != MSGPACK_OBJECT_NIL && category->type != MSGPACK_OBJECT_STR) ||
	    (status != NULL && status->type != MSGPACK_OBJECT_NIL && status->type != MSGPACK_OBJECT_STR) ||
	    (status != NULL && status->type == MSGPACK_OBJECT_STR && status->via.str.size == 7 &&
	     memcmp(status->via.str.ptr, "council", 7) == 0))
		return false;
	if (people != NULL) {
		if (people->type == MSGPACK_OBJECT_POSITIVE_INTEGER && people->via.u64 <= INT64_MAX)
			p = (int64_t)people->via.u64;
		else if (people->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
			p = people->via.i64;
		else if (people->type == MSGPACK_OBJECT_BOOLEAN)
			p = people->via.boolean;
		else if (people->type != MSGPACK_OBJECT_NIL)
			return false;
	}
	owner.s = w->owner;
	owner.n = (int)strlen(w->owner);
	*rc = add_count(st, a, owner, str_key(category), str_key(status), 1, p, err);
	return true;
}

/*
 * issue_hook keeps a problem's count and rank in the transaction of its
 * write: before the row changes it takes the problem out of the count it
 * was in, after it adds it to the count it is in now, as the triggers of
 * the other tables do with OLD and NEW; and it prices the problem again
 * when it has scores.
 */
static int
issue_hook(struct store *st, const struct row_write *w, struct nz_err *err)
{
	struct agg_state *a = state(st);
	bool count = !w->existed, rank = !w->existed;
	int i, rc = 0, step;

	if (a == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (!a->current)
		return 0;
	a->applied |= !w->local;
	if (a->t != w->t)
		masks(a, w->t);
	/* "deleted" (-1) is among both. */
	for (i = 0; i < w->n; i++) {
		int col = w->cols[i];
		count |= col < 0 || (col < 64 && (a->count_mask >> col & 1));
		rank |= col < 0 || (col < 64 && (a->rank_mask >> col & 1));
	}
	if (w->phase == STORE_HOOK_BEFORE)
		return count ? add_row(st, a, w->rid, -1, err) : 0;
	if (count && !(!w->existed && new_row(st, a, w, &rc, err)))
		rc = add_row(st, a, w->rid, 1, err);
	if (rc != 0 || !rank)
		return rc;
	/* A row, or none: half the work of SELECT EXISTS (...), which wraps the same search in a subquery. */
	if (a->scored == NULL &&
	    (a->scored = store_prepare(st, "SELECT 1 FROM issue_score WHERE issue = ?1 LIMIT 1", err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(a->scored, 1, w->rid, -1, SQLITE_STATIC);
	step = sqlite3_step(a->scored);
	rank = step == SQLITE_ROW;
	sqlite3_reset(a->scored);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_sqlerr(st, err, "dashboard scores");
	if (rank) {
		sqlite3_stmt *q = store_prepare(st, RANK_CALL("?1"), err);
		if (q == NULL)
			return NZ_EDB;
		sqlite3_bind_text(q, 1, w->rid, -1, SQLITE_STATIC);
		step = sqlite3_step(q);
		sqlite3_reset(q);
		if (step != SQLITE_DONE)
			return store_sqlerr(st, err, "dashboard rank");
	}
	return 0;
}

void
agg_register(void)
{
	store_hook_set(&issue_table, issue_hook);
}

void
agg_hook_drop(struct store *st)
{
	struct agg_state *a = store_ext(st);

	if (a != NULL) {
		a->npend = 0;
		a->settles = true; /* what is held too, once the rebuild commits (then agg_hook_forget: the mark is read again) */
	}
}

bool
agg_current(struct store *st)
{
	return store_meta_get_int(st, "dash_version", 0) == DASH_VERSION;
}

/* ---- deferral: a serving node's own moves written behind ---- */

int
agg_flush(struct store *st, struct nz_err *err)
{
	struct agg_state *a = store_ext(st);
	int rc;

	if (a == NULL || a->nheld == 0)
		return 0;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((a = state(st)) == NULL) {
		store_rollback(st);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	/* Not current: another process rebuilt them (a new version), counting these already. */
	if (!a->settles && a->current && (rc = write_set(st, a, a->held, a->nheld, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	a->settles = true;
	return store_commit(st, err);
}

int64_t
agg_held_ms(struct store *st)
{
	struct agg_state *a = store_ext(st);

	return a == NULL || a->nheld == 0 ? -1 : now_ms() - a->held_since;
}

bool
agg_hook_deferring(struct store *st)
{
	struct agg_state *a = store_ext(st);

	return a != NULL && a->held != NULL;
}

int
agg_hook_defer(struct store *st, bool on, struct nz_err *err)
{
	struct agg_state *a = state(st);

	if (a == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (on && a->held == NULL && (a->held = calloc(HELD_MAX, sizeof(*a->held))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (!on) {
		free(a->held);
		a->held = NULL;
	}
	a->nheld = 0;
	a->unmarked = false;
	return 0;
}
