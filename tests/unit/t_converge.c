/*
 * Convergence of the replication tree, in one process.
 *
 * First, last-writer-wins on its own: one set of changes applied to a store
 * in many orders, with duplicates, always gives the same records (those a
 * model of per-column LWW predicts) and the same digest; a tie on the HLC
 * goes to the greater origin id.  And a node that is child and parent at
 * once counts the changes of its own PUSH, whatever it served meanwhile.
 *
 * Then the property test.  Five replicas of a small tree (IR; IR-01 with
 * IR-01-01 and IR-01-02; IR-02), each its own store, talk through the sync
 * protocol's logic (sync_serve on the parent, sync_child_* on the child)
 * with the test carrying the bytes.  A seeded schedule mixes local edits
 * (new problems, edits of any visible problem including an ancestor's edit
 * of a descendant's, deletes, transactions that commit or roll back,
 * national org units), sessions cut after a few round trips, requests and
 * replies lost on the way, links partitioned for a while, replicas restarted
 * (store closed and reopened, a fresh struct sync), and clocks skewed by up
 * to a day each way and stepped back mid-run.  Then every link heals, and
 * once two rounds of full sessions in a row move nothing, the tree must
 * agree: the digest of each subtree is the same on every replica holding
 * it, the national directives are the same everywhere, nobody holds what it
 * may not see, every change a replica may see is in its log exactly once
 * and identical to its origin's, and nothing was quarantined.
 *
 * NEHZAT_SCHEDULES=N runs N schedules (default 1000, seeds 1..N; with
 * NEHZAT_SEED_FROM=S seeds S..S+N-1); NEHZAT_SEED=S replays schedule S
 * alone; NEHZAT_STEPS=N makes schedules of 20..N steps (default 60) for
 * deeper runs (replay with the same value).  Every failure prints the seed
 * that replays it and keeps its directory.  A replay makes the same moves;
 * the clocks follow a virtual time set through hlc_set_skew_ms, so they
 * agree with the first run to within the millisecond or so an operation
 * takes, which can shift where a batch ends.
 */
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "base/log.h"
#include "domain/domain.h"
#include "repl/sync.h"
#include "store/hlc.h"

#include "test.h"

#define NREP 5
#define DAY_MS (24LL * 3600 * 1000)
#define CONVERGE_ROUNDS 40   /* rounds of full sessions before giving up */
#define SESSION_STEPS 10000  /* round trips of one full session, at most */

/* ---- random numbers ---- */

/* splitmix64: a seeded, repeatable sequence. */
static uint64_t
mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
rndn(uint64_t *state, uint64_t n)
{
	return n == 0 ? 0 : mix(state) % n;
}

static long long
real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
rm_db(const char *path)
{
	char p[800];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/*
 * The two kinds of record the schedules write, one owned and one directive.
 * Replication does not look past a table's visibility, and opening a store
 * with every domain table (at each restart) would cost more than the rest.
 */
static const struct tbl_def *const test_tables[] = {&orgunit_table, &issue_table, NULL};

/*
 * open_fast opens a store for this test.  Durability against power loss is
 * not what it tests (t_crash.sh kills real nodes), and a sync to disk on
 * every close and checkpoint would cost more than all the rest.
 */
static int
open_fast(struct store **st, const char *path, struct nz_err *err)
{
	int rc;

	if ((rc = store_open(st, path, test_tables, true, err)) != 0)
		return rc;
	return store_exec(*st, "PRAGMA synchronous=OFF", err);
}

static void
pack_text(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static const char *const statuses[] = {"identified", "prioritised", "proposed", "decided", "closed"};

/* ==== part 1: last-writer-wins, order and duplicates ==== */

#define UN_CHANGES 60
#define UN_RIDS 5
#define UN_COLS 4
#define UN_ORDERS 40

static const char *const un_origins[] = {"IR", "IR-01", "IR-01-01", "IR-01-02", "IR-02"};
static const char *const un_cols[UN_COLS] = {"title", "status", "people_affected", "deleted"};

enum { V_NONE, V_NIL, V_INT, V_STR };

struct val {
	int type;
	long long i;
	char s[24];
};

struct uchange {
	struct nz_change c;
	msgpack_sbuffer buf;
	struct val v[UN_COLS]; /* V_NONE: the change does not set the column */
};

static bool
tie_newer(uint64_t hlc, const char *origin, uint64_t cur_hlc, const char *cur_origin)
{
	if (hlc != cur_hlc)
		return hlc > cur_hlc;
	return strcmp(origin, cur_origin) > 0;
}

static bool
val_matches(const struct val *v, sqlite3_stmt *q, int col)
{
	int t = sqlite3_column_type(q, col);

	switch (v->type) {
	case V_NONE:
	case V_NIL:
		return t == SQLITE_NULL;
	case V_INT:
		return t == SQLITE_INTEGER && sqlite3_column_int64(q, col) == v->i;
	case V_STR:
		return t == SQLITE_TEXT && strcmp((const char *)sqlite3_column_text(q, col), v->s) == 0;
	}
	return false;
}

static void
val_print(const char *what, const struct val *v, sqlite3_stmt *q, int col)
{
	const unsigned char *got = sqlite3_column_text(q, col);
	char want[32];

	if (v->type == V_STR)
		snprintf(want, sizeof(want), "'%s'", v->s);
	else if (v->type == V_INT)
		snprintf(want, sizeof(want), "%lld", v->i);
	else
		snprintf(want, sizeof(want), "NULL");
	printf("#   %s: want %s, got %s\n", what, want, got ? (const char *)got : "NULL");
}

#define UN_HLCS 16 /* distinct clock values: ties across origins are the rule */

static void
make_changes(uint64_t *rng, struct uchange *ch, int n)
{
	bool used[5][UN_HLCS] = {{false}};
	int k, j, o, h;

	for (k = 0; k < n; k++) {
		struct uchange *u = &ch[k];
		msgpack_packer pk;
		int rid = (int)rndn(rng, UN_RIDS), ncols = 0;
		unsigned mask = 0;

		/* One origin never stamps two changes with one clock value. */
		do {
			o = (int)rndn(rng, 5);
			h = (int)rndn(rng, UN_HLCS);
		} while (used[o][h]);
		used[o][h] = true;
		memset(u, 0, sizeof(*u));
		snprintf(u->c.origin, sizeof(u->c.origin), "%s", un_origins[o]);
		u->c.hlc = hlc_make(1795000000000ULL + (uint64_t)h / 4, (uint16_t)(h % 4));
		snprintf(u->c.tbl, sizeof(u->c.tbl), "issue");
		snprintf(u->c.rid, sizeof(u->c.rid), "rec%d", rid);
		snprintf(u->c.owner, sizeof(u->c.owner), "%s", rid % 2 ? "IR-01-01" : "IR-02");
		snprintf(u->c.author, sizeof(u->c.author), "tester");
		while (mask == 0)
			mask = (unsigned)rndn(rng, 1u << UN_COLS);
		for (j = 0; j < UN_COLS; j++)
			ncols += (mask >> j) & 1;
		msgpack_sbuffer_init(&u->buf);
		msgpack_packer_init(&pk, &u->buf, msgpack_sbuffer_write);
		msgpack_pack_map(&pk, (size_t)ncols);
		for (j = 0; j < UN_COLS; j++) {
			struct val *v = &u->v[j];
			if (!((mask >> j) & 1))
				continue;
			pack_text(&pk, un_cols[j]);
			if (j == 0 || (j == 1 && rndn(rng, 4) != 0)) {
				v->type = V_STR;
				if (j == 0)
					snprintf(v->s, sizeof(v->s), "t%u", (unsigned)rndn(rng, 40));
				else
					snprintf(v->s, sizeof(v->s), "%s", statuses[rndn(rng, 5)]);
				pack_text(&pk, v->s);
			} else if (j == 1) {
				v->type = V_NIL;
				msgpack_pack_nil(&pk);
			} else {
				v->type = V_INT;
				v->i = j == 3 ? (long long)rndn(rng, 2) : (long long)rndn(rng, 1000) - 10;
				msgpack_pack_int64(&pk, v->i);
			}
		}
		u->c.cols = (const uint8_t *)u->buf.data;
		u->c.cols_len = u->buf.size;
	}
	/* An origin numbers its changes in the order of its clock. */
	for (k = 0; k < n; k++) {
		ch[k].c.origin_seq = 1;
		for (j = 0; j < n; j++)
			if (strcmp(ch[j].c.origin, ch[k].c.origin) == 0 && ch[j].c.hlc < ch[k].c.hlc)
				ch[k].c.origin_seq++;
	}
}

/* check_model compares the records of st with per-column LWW over ch; returns the mismatches. */
static int
check_model(struct store *st, const struct uchange *ch, int n)
{
	sqlite3_stmt *q;
	int r, j, k, bad = 0;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT title, status, people_affected, deleted, owner FROM issue WHERE id = ?", -1,
			       &q, NULL) != SQLITE_OK)
		return 1;
	for (r = 0; r < UN_RIDS; r++) {
		const struct uchange *win[UN_COLS] = {NULL};
		char rid[16];
		bool any = false;

		snprintf(rid, sizeof(rid), "rec%d", r);
		for (k = 0; k < n; k++) {
			if (strcmp(ch[k].c.rid, rid) != 0)
				continue;
			any = true;
			for (j = 0; j < UN_COLS; j++)
				if (ch[k].v[j].type != V_NONE &&
				    (win[j] == NULL ||
				     tie_newer(ch[k].c.hlc, ch[k].c.origin, win[j]->c.hlc, win[j]->c.origin)))
					win[j] = &ch[k];
		}
		sqlite3_bind_text(q, 1, rid, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) != SQLITE_ROW) {
			if (any) {
				printf("#   %s missing\n", rid);
				bad++;
			}
			sqlite3_reset(q);
			continue;
		}
		for (j = 0; j < UN_COLS; j++) {
			struct val dflt = {V_INT, 0, ""};
			const struct val *want = win[j] ? &win[j]->v[j] : NULL;
			if (j == 3 && want == NULL)
				want = &dflt; /* deleted defaults to 0 */
			if (want == NULL) {
				if (sqlite3_column_type(q, j) != SQLITE_NULL) {
					printf("#   %s.%s: want NULL\n", rid, un_cols[j]);
					bad++;
				}
			} else if (!val_matches(want, q, j)) {
				val_print(un_cols[j], want, q, j);
				bad++;
			}
		}
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return bad;
}

static void
test_orders(const char *dir)
{
	struct uchange ch[UN_CHANGES];
	int list[UN_CHANGES * 3];
	uint64_t rng = 0x6c77772d6f726465ULL;
	char first[65] = "", digest[65], path[600];
	int order, k, n, bad_digest = 0, bad_model = 0, bad_rc = 0, bad_log = 0, bad_err = 0;

	make_changes(&rng, ch, UN_CHANGES);
	for (order = 0; order < UN_ORDERS; order++) {
		struct store *st = NULL;
		struct nz_err err = {0};
		bool seen[UN_CHANGES] = {false};

		snprintf(path, sizeof(path), "%s/order%d.db", dir, order);
		if (open_fast(&st, path, &err) != 0 ||
		    store_init_node(st, "IR", &err) != 0) {
			printf("#   %s\n", err.msg);
			bad_err++;
			store_close(st);
			continue;
		}
		/* Each change once to three times, shuffled (Fisher-Yates). */
		n = 0;
		for (k = 0; k < UN_CHANGES; k++) {
			int times = 1 + (int)rndn(&rng, 3);
			while (times-- > 0)
				list[n++] = k;
		}
		for (k = n - 1; k > 0; k--) {
			int j = (int)rndn(&rng, (uint64_t)k + 1), t = list[k];
			list[k] = list[j];
			list[j] = t;
		}
		/* Some alone, some inside batches, as sync applies them. */
		for (k = 0; k < n;) {
			bool batch = rndn(&rng, 3) == 0;
			int m = batch ? 1 + (int)rndn(&rng, 8) : 1;
			if (batch && store_begin(st, &err) != 0)
				bad_err++;
			for (; m > 0 && k < n; m--, k++) {
				const struct nz_change *c = &ch[list[k]].c;
				int want = seen[list[k]] ? APPLY_DUPLICATE : APPLY_NEW;
				int rc = store_apply(st, c, "IR-01", &err);
				if (rc != want && bad_rc++ == 0)
					printf("#   order %d: apply %s/%lld gave %d, want %d (%s)\n", order, c->origin,
					       (long long)c->origin_seq, rc, want, rc < 0 ? err.msg : "");
				seen[list[k]] = true;
			}
			if (batch && store_commit(st, &err) != 0)
				bad_err++;
		}
		if (store_log_head(st) != UN_CHANGES) {
			printf("#   order %d: log holds %lld entries, want %d\n", order,
			       (long long)store_log_head(st), UN_CHANGES);
			bad_log++;
		}
		if (store_digest(st, NULL, digest, &err) != 0) {
			bad_err++;
		} else if (order == 0) {
			snprintf(first, sizeof(first), "%s", digest);
		} else if (strcmp(first, digest) != 0) {
			printf("#   order %d: digest %s, first order %s\n", order, digest, first);
			bad_digest++;
		}
		bad_model += check_model(st, ch, UN_CHANGES) > 0;
		store_close(st);
		rm_db(path);
	}
	for (k = 0; k < UN_CHANGES; k++)
		msgpack_sbuffer_destroy(&ch[k].buf);
	printf("# %d changes in %d orders with duplicates\n", UN_CHANGES, UN_ORDERS);
	CHECK_INT(bad_err, 0);
	CHECK_INT(bad_rc, 0);
	CHECK_INT(bad_log, 0);
	CHECK_INT(bad_digest, 0);
	CHECK_INT(bad_model, 0);
}

/* one_change fills u with a change setting title (and, when extra, another column). */
static void
one_change(struct uchange *u, const char *origin, int64_t seq, uint64_t hlc, const char *title,
	   const char *extra, int64_t extra_val)
{
	msgpack_packer pk;

	memset(u, 0, sizeof(*u));
	snprintf(u->c.origin, sizeof(u->c.origin), "%s", origin);
	u->c.origin_seq = seq;
	u->c.hlc = hlc;
	snprintf(u->c.tbl, sizeof(u->c.tbl), "issue");
	snprintf(u->c.rid, sizeof(u->c.rid), "tie");
	snprintf(u->c.owner, sizeof(u->c.owner), "IR-01-01");
	snprintf(u->c.author, sizeof(u->c.author), "tester");
	msgpack_sbuffer_init(&u->buf);
	msgpack_packer_init(&pk, &u->buf, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, title && extra ? 2 : 1);
	if (title != NULL) {
		pack_text(&pk, "title");
		pack_text(&pk, title);
	}
	if (extra != NULL) {
		pack_text(&pk, extra);
		msgpack_pack_int64(&pk, extra_val);
	}
	u->c.cols = (const uint8_t *)u->buf.data;
	u->c.cols_len = u->buf.size;
}

static void
test_tie(const char *dir)
{
	struct uchange u[4];
	struct store *st[2] = {NULL, NULL};
	char d[2][65], path[600], title[2][32];
	long long people[2] = {-1, -1}, deleted[2] = {-1, -1};
	uint64_t h = hlc_make(1795000000000ULL, 7);
	int i, k, errs = 0;

	/* The province and the nation edit the county's problem at the same
	 * HLC: the title goes to the greater origin id ("IR-01" > "IR"), and
	 * each side's other column survives.  Then a tombstone and an undelete
	 * tie: the county ("IR-01-01" > "IR") keeps the record alive. */
	one_change(&u[0], "IR", 1, h, "from-IR", "deleted", 0);
	one_change(&u[1], "IR-01", 1, h, "from-IR-01", "people_affected", 42);
	one_change(&u[2], "IR", 2, h + 1, NULL, "deleted", 1);
	one_change(&u[3], "IR-01-01", 1, h + 1, NULL, "deleted", 0);
	for (i = 0; i < 2; i++) {
		struct nz_err err = {0};
		sqlite3_stmt *q;
		snprintf(path, sizeof(path), "%s/tie%d.db", dir, i);
		if (open_fast(&st[i], path, &err) != 0 ||
		    store_init_node(st[i], "IR", &err) != 0) {
			printf("#   %s\n", err.msg);
			errs++;
			continue;
		}
		for (k = 0; k < 4; k++) {
			int j = i == 0 ? k : 3 - k; /* the second store sees them backwards */
			if (store_apply(st[i], &u[j].c, "IR-01", &err) != APPLY_NEW) {
				printf("#   apply: %s\n", err.msg);
				errs++;
			}
		}
		store_digest(st[i], NULL, d[i], &err);
		title[i][0] = '\0';
		if (sqlite3_prepare_v2(store_db(st[i]), "SELECT title, people_affected, deleted FROM issue", -1, &q,
				       NULL) == SQLITE_OK) {
			if (sqlite3_step(q) == SQLITE_ROW) {
				snprintf(title[i], sizeof(title[i]), "%s",
					 sqlite3_column_text(q, 0) ? (const char *)sqlite3_column_text(q, 0) : "");
				people[i] = sqlite3_column_int64(q, 1);
				deleted[i] = sqlite3_column_int64(q, 2);
			}
			sqlite3_finalize(q);
		}
		store_close(st[i]);
		rm_db(path);
	}
	for (k = 0; k < 4; k++)
		msgpack_sbuffer_destroy(&u[k].buf);
	CHECK_INT(errs, 0);
	CHECK_STR(title[0], "from-IR-01");
	CHECK_STR(title[1], "from-IR-01");
	CHECK_INT(people[0], 42);
	CHECK_INT(people[1], 42);
	CHECK_INT(deleted[0], 0);
	CHECK_INT(deleted[1], 0);
	CHECK_STR(d[0], d[1]);
}

/* ==== part 2: the tree under random schedules ==== */

static const char *const ids[NREP] = {"IR", "IR-01", "IR-01-01", "IR-01-02", "IR-02"};
static const int parent_of[NREP] = {-1, 0, 1, 1, 0};

/* What a failed schedule broke; main reports each kind once. */
enum fail_kind {
	F_RUN,       /* a write or a session failed that should not have */
	F_CONVERGE,  /* healed links never came into step */
	F_DIGEST,    /* a subtree differs between two replicas holding it */
	F_DIRECTIVE, /* national directives differ */
	F_VISIBLE,   /* a replica holds a record it may not see */
	F_DUP,       /* a change twice in one log */
	F_LOG,       /* a change visible to a replica is missing or differs there */
	F_QUARANTINE,/* a change was refused */
	F_BACKLOG,   /* a child still has changes its parent did not acknowledge */
	F_KINDS
};

static const char *const fail_names[F_KINDS] = {
	"writes and sessions run without unexpected errors",
	"every schedule converges after healing",
	"every subtree has one digest on every replica holding it",
	"national directives are the same on every replica",
	"no replica holds a record it may not see",
	"no change appears twice in any change log",
	"every change a replica may see is in its log, identical",
	"nothing is quarantined",
	"no child has an unacknowledged backlog",
};

/*
 * Every schedule starts from copies of the same five fresh stores (made
 * once, with each other's keys registered): creating a store costs more
 * than a whole schedule.
 */
static char tmpl_dir[600];
static uint8_t rep_pk[NREP][32], rep_sk[NREP][64];

struct rep {
	struct store *st;
	struct sync *sy;
	char path[600];
	long long off_ms; /* this replica's clock error */
	/* the session with the parent */
	bool open;
	bool stale; /* the parent restarted under it: one refusal is expected */
	uint32_t pipe;
	msgpack_sbuffer req;  /* the next request; empty when in step */
	msgpack_sbuffer last; /* the request sent before, on this pipe */
	int cut;              /* steps the link to the parent stays down */
};

struct world {
	uint64_t seed, rng;
	struct rep r[NREP];
	char dir[512];
	long long base, vt; /* wall clock at the start; virtual ms since */
	uint32_t pipes;
	size_t batch;
	unsigned long next_rid;
	long long writes, sessions, lost, restarts, steps;
	unsigned fails;   /* bit per enum fail_kind */
	char why[F_KINDS][768];
};

static uint64_t
rnd(struct world *w, uint64_t n)
{
	return rndn(&w->rng, n);
}

static void
w_fail(struct world *w, enum fail_kind k, const char *fmt, ...)
{
	va_list ap;

	if (w->fails & (1u << k))
		return;
	w->fails |= 1u << k;
	va_start(ap, fmt);
	vsnprintf(w->why[k], sizeof(w->why[k]), fmt, ap);
	va_end(ap);
}

/* clock_of sets the process clock to replica i's: start + virtual time + its error. */
static void
clock_of(struct world *w, int i)
{
	hlc_set_skew_ms(w->base + w->vt + w->r[i].off_ms - real_ms());
}

static int
add_peer(struct store *st, const char *id, const char *role, const uint8_t pk[32])
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO peer (id, role, pubkey) VALUES (?, ?, ?)", -1, &q,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, role, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 3, pk, 32, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(q);
	return rc;
}

static int
copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out;
	char buf[65536];
	size_t n;
	int rc = 0;

	if (in == NULL)
		return -1;
	if ((out = fopen(to, "wb")) == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (ferror(in))
		rc = -1;
	fclose(in);
	if (fclose(out) != 0)
		rc = -1;
	return rc;
}

/* make_templates creates the five fresh stores every schedule copies. */
static int
make_templates(const char *top)
{
	struct store *st[NREP] = {NULL};
	struct nz_err err = {0};
	char path[700];
	int i, rc = 0;

	snprintf(tmpl_dir, sizeof(tmpl_dir), "%s/template", top);
	if (mkdir(tmpl_dir, 0700) != 0)
		return -1;
	for (i = 0; i < NREP && rc == 0; i++) {
		crypto_sign_keypair(rep_pk[i], rep_sk[i]);
		snprintf(path, sizeof(path), "%s/%s.db", tmpl_dir, ids[i]);
		if ((rc = open_fast(&st[i], path, &err)) == 0)
			rc = store_init_node(st[i], ids[i], &err);
	}
	for (i = 1; i < NREP && rc == 0; i++)
		if (add_peer(st[parent_of[i]], ids[i], "child", rep_pk[i]) != 0 ||
		    add_peer(st[i], ids[parent_of[i]], "parent", rep_pk[parent_of[i]]) != 0)
			rc = -1;
	if (rc != 0)
		printf("# cannot make the template stores: %s\n", err.msg);
	for (i = 0; i < NREP; i++)
		store_close(st[i]);
	return rc;
}

static int
rep_open(struct world *w, int i, bool fresh)
{
	struct rep *r = &w->r[i];
	struct nz_err err = {0};
	char from[700];

	clock_of(w, i);
	if (fresh) {
		/* The template's WAL was folded into the file when it closed. */
		snprintf(from, sizeof(from), "%s/%s.db", tmpl_dir, ids[i]);
		if (copy_file(from, r->path) != 0) {
			w_fail(w, F_RUN, "%s: cannot copy %s", ids[i], from);
			return -1;
		}
	}
	if (open_fast(&r->st, r->path, &err) != 0) {
		w_fail(w, F_RUN, "%s: open: %s", ids[i], err.msg);
		return -1;
	}
	if ((r->sy = sync_new(r->st, rep_sk[i], w->batch)) == NULL) {
		w_fail(w, F_RUN, "%s: sync_new failed", ids[i]);
		return -1;
	}
	/*
	 * Clocks here are a day apart on purpose, to test convergence under
	 * skew; the bound that refuses a child's clock far ahead (tested in
	 * t_sync) would only hold their changes back, so it is off.
	 */
	sync_set_limits(r->sy, &(struct sync_limits){0, SYNC_QUARANTINE_MAX, SYNC_QUARANTINE_BYTES});
	return 0;
}

static int64_t
count_sql(struct store *st, const char *sql, const char *param)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (param != NULL)
		sqlite3_bind_text(q, 1, param, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/*
 * A node is child and parent at once, with one struct sync: while its own
 * PUSH is on the way up it may serve a child's PULL.  Its count of changes
 * pushed must be the PUSH's own, not the batch built for the child since.
 */
static void
test_pushed_count(const char *top)
{
	struct store *st[3] = {NULL, NULL, NULL};
	struct sync *sy[3] = {NULL, NULL, NULL};
	struct nz_err err = {0};
	msgpack_sbuffer up, down, reply;
	char path[700], rid[16];
	int i, rc = 0;

	for (i = 0; i < 3 && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/pushed%d.db", top, i);
		if ((rc = open_fast(&st[i], path, &err)) == 0)
			rc = store_init_node(st[i], ids[i], &err);
	}
	for (i = 1; i < 3 && rc == 0; i++)
		rc = add_peer(st[i - 1], ids[i], "child", rep_pk[i]) |
		     add_peer(st[i], ids[i - 1], "parent", rep_pk[i - 1]);
	for (i = 0; i < 3 && rc == 0; i++)
		if ((sy[i] = sync_new(st[i], rep_sk[i], 262144)) == NULL)
			rc = -1;
	for (i = 0; i < 3 && rc == 0; i++) {
		struct colset *cs = colset_new();
		snprintf(rid, sizeof(rid), "mine%d", i);
		colset_text(cs, "title", "IR-01's own");
		rc = store_write(st[1], "issue", rid, "IR-01", cs, "tester", &err);
		colset_free(cs);
	}
	msgpack_sbuffer_init(&up);
	msgpack_sbuffer_init(&down);
	msgpack_sbuffer_init(&reply);
	if (rc == 0) {
		/* IR-01 says HELLO to IR and has its PUSH of three ready... */
		rc |= sync_child_start(sy[1], &up, &err);
		sync_serve(sy[0], 1, (const uint8_t *)up.data, up.size, &reply);
		rc |= sync_child_reply(sy[1], (const uint8_t *)reply.data, reply.size, &up, &err);
		/* ...serves its county's HELLO and PULL (none of the three is the county's)... */
		rc |= sync_child_start(sy[2], &down, &err);
		sync_serve(sy[1], 2, (const uint8_t *)down.data, down.size, &reply);
		rc |= sync_child_reply(sy[2], (const uint8_t *)reply.data, reply.size, &down, &err);
		sync_serve(sy[1], 2, (const uint8_t *)down.data, down.size, &reply);
		/* ...and then its PUSH goes up and is acknowledged. */
		sync_serve(sy[0], 1, (const uint8_t *)up.data, up.size, &reply);
		rc |= sync_child_reply(sy[1], (const uint8_t *)reply.data, reply.size, &up, &err);
	}
	CHECK_INT(rc, 0);
	if (rc != 0)
		printf("#   %s\n", err.msg);
	CHECK_INT(store_origin_max(st[0], "IR-01"), 3);
	CHECK_INT(sy[1] ? sync_child_stats(sy[1])->pushed : -1, 3);
	msgpack_sbuffer_destroy(&up);
	msgpack_sbuffer_destroy(&down);
	msgpack_sbuffer_destroy(&reply);
	for (i = 0; i < 3; i++) {
		sync_free(sy[i]);
		store_close(st[i]);
		snprintf(path, sizeof(path), "%s/pushed%d.db", top, i);
		rm_db(path);
	}
}

/* ---- sessions ---- */

/* sess_drop ends child c's session, as when its connection dies: the parent forgets the pipe. */
static void
sess_drop(struct world *w, int c)
{
	struct rep *r = &w->r[c], *p = &w->r[parent_of[c]];

	if (r->open && p->sy != NULL)
		sync_pipe_closed(p->sy, r->pipe);
	r->open = false;
	r->stale = false;
	msgpack_sbuffer_clear(&r->req);
	msgpack_sbuffer_clear(&r->last);
}

/*
 * sess_step makes one round trip on child c's link: 1 when the child has
 * its next request ready, 0 when the reply left it in step, -1 when the
 * session ended (lost message, refusal).  An idle session always has a
 * request to make (a PULL, to hear of the parent's news), so 0 means the
 * reply to it brought nothing more.  lossy lets the network lose the
 * request or the reply, or deliver the previous request again.
 */
static int
sess_step(struct world *w, int c, bool lossy)
{
	struct rep *r = &w->r[c], *p = &w->r[parent_of[c]];
	struct nz_err err = {0};
	msgpack_sbuffer reply;
	int rc;

	if (!r->open) {
		clock_of(w, c);
		if (sync_child_start(r->sy, &r->req, &err) != 0) {
			w_fail(w, F_RUN, "%s: session start: %s", ids[c], err.msg);
			return -1;
		}
		r->open = true;
		r->stale = false;
		r->pipe = ++w->pipes;
		w->sessions++;
	} else if (r->req.size == 0) {
		clock_of(w, c);
		if (sync_child_resume(r->sy, &r->req, &err) != 0) {
			w_fail(w, F_RUN, "%s: resume: %s", ids[c], err.msg);
			sess_drop(w, c);
			return -1;
		}
		if (r->req.size == 0)
			return 0;
	}
	if (lossy && rnd(w, 40) == 0) {
		/* Lost on the way: the parent never sees it. */
		w->lost++;
		sess_drop(w, c);
		return -1;
	}
	msgpack_sbuffer_init(&reply);
	clock_of(w, parent_of[c]);
	if (lossy && r->last.size > 0 && rnd(w, 30) == 0) {
		/* An earlier request arrives again, late (a resend): its reply goes nowhere. */
		w->lost++;
		sync_serve(p->sy, r->pipe, (const uint8_t *)r->last.data, r->last.size, &reply);
	}
	sync_serve(p->sy, r->pipe, (const uint8_t *)r->req.data, r->req.size, &reply);
	msgpack_sbuffer_clear(&r->last);
	msgpack_sbuffer_write(&r->last, r->req.data, r->req.size);
	if (lossy && rnd(w, 25) == 0) {
		/* The parent did the work; its reply is lost. */
		w->lost++;
		msgpack_sbuffer_destroy(&reply);
		sess_drop(w, c);
		return -1;
	}
	clock_of(w, c);
	rc = sync_child_reply(r->sy, (const uint8_t *)reply.data, reply.size, &r->req, &err);
	msgpack_sbuffer_destroy(&reply);
	if (rc != 0) {
		/* After a restart of the parent the old connection is refused once. */
		if (!r->stale || strstr(err.msg, "not authenticated") == NULL)
			w_fail(w, F_RUN, "%s: session (step %lld): %s", ids[c], w->steps, err.msg);
		sess_drop(w, c);
		return -1;
	}
	return r->req.size > 0 ? 1 : 0;
}

/* sync_link runs a few round trips on child c's link, now and then to the end, and may cut it. */
static void
sync_link(struct world *w, int c)
{
	int k = rnd(w, 5) == 0 ? SESSION_STEPS : 1 + (int)rnd(w, 8);

	while (k-- > 0 && sess_step(w, c, true) == 1)
		;
	if (rnd(w, 5) == 0)
		sess_drop(w, c);
}

/* restart closes replica i (its sessions die with it) and opens it again. */
static void
restart(struct world *w, int i)
{
	struct rep *r = &w->r[i];
	int c;

	if (parent_of[i] >= 0)
		sess_drop(w, i);
	for (c = 0; c < NREP; c++) {
		if (parent_of[c] != i || !w->r[c].open)
			continue;
		/* The child either notices the dead link, or tries its old
		 * session on the new process and is told to say HELLO. */
		if (rnd(w, 2) == 0)
			sess_drop(w, c);
		else
			w->r[c].stale = true;
	}
	sync_free(r->sy);
	r->sy = NULL;
	store_close(r->st);
	r->st = NULL;
	w->restarts++;
	rep_open(w, i, false);
}

/* ---- local edits ---- */

static const char *const issue_cols[] = {"title", "description", "category", "status",
					 "neighbourhood", "people_affected", "source", "created"};
#define NISSUE_COLS 8

static void
rand_issue_cols(struct world *w, struct colset *cs, bool fresh)
{
	unsigned mask = 0;
	int j, n = 1 + (int)rnd(w, 3);
	char v[32];

	if (fresh)
		mask = 1u | (1u << 3) | (1u << 7);
	while (n-- > 0)
		mask |= 1u << rnd(w, NISSUE_COLS);
	for (j = 0; j < NISSUE_COLS; j++) {
		if (!((mask >> j) & 1))
			continue;
		if (j == 5) {
			colset_int(cs, issue_cols[j], (int64_t)rnd(w, 5000));
		} else if (j == 3) {
			colset_text(cs, issue_cols[j], statuses[rnd(w, 5)]);
		} else if (j == 7) {
			snprintf(v, sizeof(v), "2026-%02u-%02u", 1 + (unsigned)rnd(w, 12), 1 + (unsigned)rnd(w, 28));
			colset_text(cs, issue_cols[j], v);
		} else if (j == 4 && rnd(w, 4) == 0) {
			colset_null(cs, issue_cols[j]);
		} else {
			snprintf(v, sizeof(v), "%c%u", issue_cols[j][0], (unsigned)rnd(w, 100));
			colset_text(cs, issue_cols[j], v);
		}
	}
}

/* pick_row chooses one record of tbl that replica i holds (deleted ones too); false when none. */
static bool
pick_row(struct world *w, int i, const char *tbl, char rid[NZ_RID_MAX], char owner[NZ_ID_MAX])
{
	char sql[128];
	sqlite3_stmt *q;
	int64_t n;
	bool found = false;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", tbl);
	if ((n = count_sql(w->r[i].st, sql, NULL)) <= 0)
		return false;
	snprintf(sql, sizeof(sql), "SELECT id, owner FROM %s ORDER BY id LIMIT 1 OFFSET ?", tbl);
	if (sqlite3_prepare_v2(store_db(w->r[i].st), sql, -1, &q, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(q, 1, (int64_t)rnd(w, (uint64_t)n));
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(rid, NZ_RID_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(owner, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 1));
		found = true;
	}
	sqlite3_finalize(q);
	return found;
}

/* new_issue writes a new problem at replica i, owned by i or (now and then) a unit below it. */
static int
new_issue(struct world *w, int i, struct nz_err *err)
{
	struct colset *cs = colset_new();
	char rid[NZ_RID_MAX];
	const char *owner = ids[i];
	int j, rc;

	if (rnd(w, 3) == 0) {
		j = (int)rnd(w, NREP);
		if (unit_within(ids[j], ids[i]))
			owner = ids[j];
	}
	snprintf(rid, sizeof(rid), "p%lu", ++w->next_rid);
	rand_issue_cols(w, cs, true);
	rc = store_write(w->r[i].st, "issue", rid, owner, cs, "tester", err);
	colset_free(cs);
	return rc;
}

/* edit_issue writes some columns of a problem replica i holds (an ancestor's edit of a descendant's, often). */
static int
edit_issue(struct world *w, int i, struct nz_err *err)
{
	struct colset *cs;
	char rid[NZ_RID_MAX], owner[NZ_ID_MAX];
	int rc;

	if (!pick_row(w, i, "issue", rid, owner))
		return new_issue(w, i, err);
	cs = colset_new();
	rand_issue_cols(w, cs, false);
	rc = store_write(w->r[i].st, "issue", rid, owner, cs, "tester", err);
	colset_free(cs);
	return rc;
}

/* national writes an org unit, a directive every replica holds. */
static int
national(struct world *w, struct nz_err *err)
{
	struct colset *cs;
	char rid[NZ_RID_MAX], v[32];
	int rc;

	snprintf(rid, sizeof(rid), "IR-%02u", 1 + (unsigned)rnd(w, 6));
	if (rnd(w, 8) == 0)
		return store_delete(w->r[0].st, "orgunit", rid, "IR", "tester", err);
	cs = colset_new();
	colset_text(cs, "parent", "IR");
	colset_int(cs, "level", 1);
	if (rnd(w, 2) == 0) {
		snprintf(v, sizeof(v), "province %u", (unsigned)rnd(w, 100));
		colset_text(cs, "name_en", v);
	}
	if (rnd(w, 2) == 0)
		colset_int(cs, "population", (int64_t)rnd(w, 5000000));
	rc = store_write(w->r[0].st, "orgunit", rid, "IR", cs, "tester", err);
	colset_free(cs);
	return rc;
}

static void
do_write(struct world *w, int i)
{
	struct store *st = w->r[i].st;
	struct nz_err err = {0};
	char rid[NZ_RID_MAX], owner[NZ_ID_MAX];
	unsigned u = (unsigned)rnd(w, 100);
	int rc = 0, n = 1;

	clock_of(w, i);
	if (i == 0 && u < 15) {
		rc = national(w, &err);
	} else if (u < 40) {
		rc = new_issue(w, i, &err);
	} else if (u < 80) {
		rc = edit_issue(w, i, &err);
	} else if (u < 88) {
		if (pick_row(w, i, "issue", rid, owner))
			rc = store_delete(st, "issue", rid, owner, "tester", &err);
		else
			n = 0;
	} else if (u < 91) {
		/* Undelete: a tombstone is a column like any other. */
		struct colset *cs = colset_new();
		colset_int(cs, "deleted", 0);
		if (pick_row(w, i, "issue", rid, owner))
			rc = store_write(st, "issue", rid, owner, cs, "tester", &err);
		else
			n = 0;
		colset_free(cs);
	} else if (u < 96) {
		/* Several writes in one transaction share its clock and sequence cache. */
		n = 2 + (int)rnd(w, 3);
		if ((rc = store_begin(st, &err)) == 0) {
			int k;
			for (k = 0; k < n && rc == 0; k++)
				rc = rnd(w, 2) ? new_issue(w, i, &err) : edit_issue(w, i, &err);
			if (rc == 0)
				rc = store_commit(st, &err);
			else
				store_rollback(st);
		}
	} else {
		/* A transaction rolled back leaves no trace in the log. */
		int64_t head = store_log_head(st);
		n = 0;
		if ((rc = store_begin(st, &err)) == 0) {
			rc = new_issue(w, i, &err);
			store_rollback(st);
			if (rc == 0 && store_log_head(st) != head)
				w_fail(w, F_RUN, "%s: a rolled-back write stayed in the log", ids[i]);
		}
	}
	if (rc != 0)
		w_fail(w, F_RUN, "%s: write: %s", ids[i], err.msg);
	else
		w->writes += n;
}

/* ---- the schedule ---- */

static int64_t
heads(struct world *w)
{
	int64_t sum = 0;
	int i;

	for (i = 0; i < NREP; i++)
		sum += store_log_head(w->r[i].st);
	return sum;
}

/* Longest schedule, in steps (NEHZAT_STEPS); the shortest is 20 or that. */
static int max_steps = 60;

static void
run_schedule(struct world *w)
{
	int lo = max_steps < 20 ? max_steps : 20;
	int nsteps = lo + (int)rnd(w, (uint64_t)(max_steps - lo + 1)), c, i;

	for (w->steps = 0; w->steps < nsteps && w->fails == 0; w->steps++) {
		unsigned u = (unsigned)rnd(w, 100);

		w->vt += rnd(w, 4) == 0 ? (long long)rnd(w, 5000) : (long long)rnd(w, 3);
		for (c = 1; c < NREP; c++)
			if (w->r[c].cut > 0)
				w->r[c].cut--;
		if (u < 40) {
			do_write(w, (int)rnd(w, NREP));
		} else if (u < 79) {
			c = 1 + (int)rnd(w, NREP - 1);
			if (w->r[c].cut == 0)
				sync_link(w, c);
		} else if (u < 85) {
			/* A partition: the link is down for a while. */
			c = 1 + (int)rnd(w, NREP - 1);
			w->r[c].cut = 3 + (int)rnd(w, 20);
			sess_drop(w, c);
		} else if (u < 89) {
			restart(w, (int)rnd(w, NREP));
		} else if (u < 93) {
			/* The clock is stepped back, as far as a day behind. */
			long long range;
			i = (int)rnd(w, NREP);
			range = w->r[i].off_ms + DAY_MS;
			if (range > 0)
				w->r[i].off_ms -= 1 + (long long)rnd(w, (uint64_t)range);
		} else if (u < 95) {
			i = (int)rnd(w, NREP);
			w->r[i].off_ms = (long long)rnd(w, 2 * DAY_MS + 1) - DAY_MS;
		} else {
			sess_drop(w, 1 + (int)rnd(w, NREP - 1));
		}
	}
}

/* converge heals every link and runs full sessions until two rounds in a row move nothing. */
static void
converge(struct world *w)
{
	/* Up from the counties, then down to them again. */
	static const int order[] = {2, 3, 1, 4, 2, 3};
	int round, quiet = 0, k, n, rc, c;

	for (c = 1; c < NREP; c++)
		w->r[c].cut = 0;
	for (round = 0; round < CONVERGE_ROUNDS && quiet < 2 && w->fails == 0; round++) {
		int64_t before = heads(w);
		bool in_step = true;
		for (k = 0; k < (int)(sizeof(order) / sizeof(order[0])); k++) {
			n = 0;
			while ((rc = sess_step(w, order[k], false)) == 1 && ++n < SESSION_STEPS)
				;
			if (rc != 0)
				in_step = false;
		}
		quiet = in_step && heads(w) == before ? quiet + 1 : 0;
	}
	if (quiet < 2)
		w_fail(w, F_CONVERGE, "not in step after %d rounds of full sessions", round);
}

/* dir_digest hashes the national directives (VIS_DIRECTIVE rows owned by IR), clocks aside. */
static int
dir_digest(struct store *st, char out[65])
{
	const struct tbl_def *const *t;
	crypto_generichash_state h;
	unsigned char sum[32];

	crypto_generichash_init(&h, NULL, 0, sizeof(sum));
	for (t = store_tables(st); *t != NULL; t++) {
		char sql[160];
		sqlite3_stmt *q;
		int i, n;

		if ((*t)->vis != VIS_DIRECTIVE)
			continue;
		snprintf(sql, sizeof(sql), "SELECT * FROM %s WHERE owner = 'IR' ORDER BY id", (*t)->name);
		if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
			return -1;
		n = sqlite3_column_count(q);
		while (sqlite3_step(q) == SQLITE_ROW)
			for (i = 0; i < n; i++) {
				unsigned char type = (unsigned char)sqlite3_column_type(q, i);
				const unsigned char *v;
				/* clk lists columns in the order each replica first saw them */
				if (strcmp(sqlite3_column_name(q, i), "clk") == 0)
					continue;
				v = sqlite3_column_text(q, i);
				crypto_generichash_update(&h, &type, 1);
				if (v != NULL)
					crypto_generichash_update(&h, v, strlen((const char *)v) + 1);
			}
		sqlite3_finalize(q);
	}
	crypto_generichash_final(&h, sum, sizeof(sum));
	sodium_bin2hex(out, 65, sum, sizeof(sum));
	return 0;
}

/* Entries of i's log that j may see but does not hold, identical, in its log (copied into theirs). */
static const char missing_sql[] =
	"SELECT a.origin, a.origin_seq, a.tbl, a.rid, a.owner FROM oplog a WHERE"
	" (a.owner = ?1 OR (a.owner > ?1 || '-' AND a.owner < ?1 || '.') OR"
	"  (a.dir = 1 AND (?1 = a.owner OR (?1 > a.owner || '-' AND ?1 < a.owner || '.'))))"
	" AND NOT EXISTS (SELECT 1 FROM theirs b WHERE b.origin = a.origin AND b.origin_seq = a.origin_seq"
	"  AND b.hlc = a.hlc AND b.tbl = a.tbl AND b.rid = a.rid AND b.owner = a.owner"
	"  AND b.cols = log_cols(a.tbl, a.rid, a.cols, a.rowcols, a.seq) AND b.author = a.author)";

/*
 * check_logs: every entry of i's log that j may see is in j's, identical.
 * j's log is read through j's own connection (an entry's values may be its
 * record's, which log_cols reads from the connection's own database).
 */
static void
check_logs(struct world *w, int i, int j)
{
	sqlite3 *db = store_db(w->r[i].st);
	sqlite3_stmt *q = NULL, *ins = NULL;
	int64_t n = 0;
	int k;

	if (sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS theirs (origin, origin_seq, hlc, tbl, rid, owner, cols,"
			     " author); DELETE FROM theirs",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(w->r[j].st),
			       "SELECT origin, origin_seq, hlc, tbl, rid, owner, log_cols(tbl, rid, cols, rowcols, seq),"
			       " author FROM oplog",
			       -1, &q, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO theirs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK) {
		w_fail(w, F_RUN, "copy %s's log: %s", ids[j], sqlite3_errmsg(db));
		goto out;
	}
	while (sqlite3_step(q) == SQLITE_ROW) {
		for (k = 0; k < 8; k++)
			sqlite3_bind_value(ins, k + 1, sqlite3_column_value(q, k));
		if (sqlite3_step(ins) != SQLITE_DONE)
			w_fail(w, F_RUN, "copy %s's log: %s", ids[j], sqlite3_errmsg(db));
		sqlite3_reset(ins);
	}
	sqlite3_finalize(q);
	if (sqlite3_prepare_v2(db, missing_sql, -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, ids[j], -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			if (n++ == 0)
				w_fail(w, F_LOG, "%s's change %s/%lld (%s %s of %s) is not in %s's log as it is", ids[i],
				       sqlite3_column_text(q, 0), (long long)sqlite3_column_int64(q, 1),
				       sqlite3_column_text(q, 2), sqlite3_column_text(q, 3),
				       sqlite3_column_text(q, 4), ids[j]);
		}
	} else {
		w_fail(w, F_RUN, "missing: %s", sqlite3_errmsg(db));
	}
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ins);
}

static void
check_world(struct world *w)
{
	struct nz_err err = {0};
	char a[65], b[65], top[65], rid[NZ_RID_MAX];
	int i, j;
	int64_t n;

	for (i = 1; i < NREP; i++)
		for (j = parent_of[i]; j >= 0; j = parent_of[j]) {
			if (store_digest(w->r[i].st, ids[i], a, &err) != 0 ||
			    store_digest(w->r[j].st, ids[i], b, &err) != 0) {
				w_fail(w, F_RUN, "digest: %s", err.msg);
				return;
			}
			if (strcmp(a, b) != 0)
				w_fail(w, F_DIGEST, "subtree %s: %s has %.16s…, %s has %.16s…", ids[i], ids[i], a,
				       ids[j], b);
		}
	if (dir_digest(w->r[0].st, top) != 0)
		w_fail(w, F_RUN, "directive digest failed");
	for (i = 1; i < NREP; i++)
		if (dir_digest(w->r[i].st, a) != 0 || strcmp(a, top) != 0)
			w_fail(w, F_DIRECTIVE, "directives: %s has %.16s…, IR has %.16s…", ids[i], a, top);
	for (i = 0; i < NREP; i++) {
		struct store *st = w->r[i].st;
		n = count_sql(st,
			      "SELECT count(*) FROM issue WHERE NOT (owner = ?1 OR"
			      " (owner > ?1 || '-' AND owner < ?1 || '.'))",
			      ids[i]);
		if (n != 0)
			w_fail(w, F_VISIBLE, "%s holds %lld problems of other subtrees", ids[i], (long long)n);
		n = count_sql(st,
			      "SELECT count(*) FROM (SELECT origin, origin_seq FROM oplog"
			      " GROUP BY origin, origin_seq HAVING count(*) > 1)",
			      NULL);
		if (n != 0)
			w_fail(w, F_DUP, "%s's log holds %lld changes more than once", ids[i], (long long)n);
		n = count_sql(st, "SELECT count(*) FROM quarantine", NULL);
		if (n != 0) {
			sqlite3_stmt *q;
			rid[0] = '\0';
			if (sqlite3_prepare_v2(store_db(st), "SELECT reason FROM quarantine LIMIT 1", -1, &q, NULL) ==
			    SQLITE_OK) {
				if (sqlite3_step(q) == SQLITE_ROW)
					snprintf(rid, sizeof(rid), "%.39s", (const char *)sqlite3_column_text(q, 0));
				sqlite3_finalize(q);
			}
			w_fail(w, F_QUARANTINE, "%s quarantined %lld changes, e.g. \"%s\"", ids[i], (long long)n, rid);
		}
		if (i > 0 && (n = sync_backlog_up(w->r[i].sy)) != 0)
			w_fail(w, F_BACKLOG, "%s: backlog up is %lld", ids[i], (long long)n);
		for (j = 0; j < NREP; j++)
			if (j != i)
				check_logs(w, i, j);
	}
}

struct totals {
	long long schedules, failed, changes, moved, sessions, lost, restarts;
	long long fail_count[F_KINDS];
	uint64_t first_seed[F_KINDS];
	char first_why[F_KINDS][768];
};

static char steps_env[32] = ""; /* " NEHZAT_STEPS=N" when not the default */

static void
run_one(const char *top, uint64_t seed, struct totals *t)
{
	struct world *w = calloc(1, sizeof(*w));
	int i, k;

	if (w == NULL)
		abort();
	w->seed = seed;
	w->rng = seed * 0x2545f4914f6cdd1dULL;
	w->base = real_ms();
	w->batch = (size_t[]){500, 1000, 262144}[rnd(w, 3)];
	snprintf(w->dir, sizeof(w->dir), "%s/s%llu", top, (unsigned long long)seed);
	if (mkdir(w->dir, 0700) != 0) {
		w_fail(w, F_RUN, "mkdir %s failed", w->dir);
		goto out;
	}
	for (i = 0; i < NREP; i++) {
		struct rep *r = &w->r[i];
		snprintf(r->path, sizeof(r->path), "%s/%s.db", w->dir, ids[i]);
		msgpack_sbuffer_init(&r->req);
		msgpack_sbuffer_init(&r->last);
		r->off_ms = rnd(w, 3) == 0 ? 0 : (long long)rnd(w, 2 * DAY_MS + 1) - DAY_MS;
		if (rep_open(w, i, true) != 0)
			goto out;
	}
	run_schedule(w);
	if (w->fails == 0)
		converge(w);
	if (w->fails == 0)
		check_world(w);
	for (i = 0; i < NREP; i++)
		if (w->r[i].st != NULL)
			t->moved += count_sql(w->r[i].st, "SELECT count(*) FROM oplog WHERE via != ''", NULL);
out:
	for (i = 0; i < NREP; i++) {
		sync_free(w->r[i].sy);
		store_close(w->r[i].st);
		msgpack_sbuffer_destroy(&w->r[i].req);
		msgpack_sbuffer_destroy(&w->r[i].last);
		if (w->fails == 0)
			rm_db(w->r[i].path);
	}
	if (w->fails == 0)
		rmdir(w->dir);
	t->schedules++;
	t->changes += w->writes;
	t->sessions += w->sessions;
	t->lost += w->lost;
	t->restarts += w->restarts;
	if (w->fails != 0) {
		t->failed++;
		printf("# FAIL seed=%llu (replay: NEHZAT_SEED=%llu%s build/tests/t_converge; kept %s)\n",
		       (unsigned long long)seed, (unsigned long long)seed, steps_env, w->dir);
		for (k = 0; k < F_KINDS; k++) {
			if (!(w->fails & (1u << k)))
				continue;
			printf("#   %s\n", w->why[k]);
			if (t->fail_count[k]++ == 0) {
				t->first_seed[k] = seed;
				snprintf(t->first_why[k], sizeof(t->first_why[k]), "%s", w->why[k]);
			}
		}
	}
	free(w);
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s != NULL && s[0] != '\0' ? strtoull(s, NULL, 10) : dflt;
}

int
main(void)
{
	struct totals *t = calloc(1, sizeof(*t));
	const char *top;
	uint64_t n, from, s;
	double t0;
	int k;

	if (t == NULL || sodium_init() < 0)
		return 2;
	nz_log_set_level(NZ_LOG_ERROR); /* thousands of sessions: keep their chatter out */
	top = t_tmpdir();
	t0 = mono();
	test_orders(top);
	test_tie(top);
	if (make_templates(top) != 0) {
		CHECK(!"template stores");
		TEST_DONE();
	}
	test_pushed_count(top);

	max_steps = (int)env_u64("NEHZAT_STEPS", 60);
	if (max_steps < 1 || max_steps > 100000)
		max_steps = 60;
	if (max_steps != 60)
		snprintf(steps_env, sizeof(steps_env), " NEHZAT_STEPS=%d", max_steps);
	if (getenv("NEHZAT_SEED") != NULL && getenv("NEHZAT_SEED")[0] != '\0') {
		from = env_u64("NEHZAT_SEED", 1);
		n = 1;
	} else {
		from = env_u64("NEHZAT_SEED_FROM", 1);
		n = env_u64("NEHZAT_SCHEDULES", 1000);
	}
	for (s = from; s < from + n; s++) {
		run_one(top, s, t);
		if (t->failed >= 10) {
			printf("# stopping after 10 failed schedules\n");
			break;
		}
	}
	for (k = 0; k < F_KINDS; k++) {
		t_report(t->fail_count[k] == 0, __FILE__, __LINE__, fail_names[k]);
		if (t->fail_count[k] != 0)
			printf("#   %lld schedules, first seed %llu: %s\n", t->fail_count[k],
			       (unsigned long long)t->first_seed[k], t->first_why[k]);
	}
	CHECK(t->schedules == (long long)n || t->failed >= 10);
	if (t->failed == 0) {
		char path[700];
		for (k = 0; k < NREP; k++) {
			snprintf(path, sizeof(path), "%s/%s.db", tmpl_dir, ids[k]);
			rm_db(path);
		}
		rmdir(tmpl_dir);
		rmdir(top);
	}
	printf("# seeds %llu..%llu, %lld sessions, %lld messages lost, %lld restarts, %.1f s\n",
	       (unsigned long long)from, (unsigned long long)(from + n - 1), t->sessions, t->lost, t->restarts,
	       mono() - t0);
	printf("# %lld changes moved between replicas\n", t->moved);
	printf("# schedules=%lld changes=%lld\n", t->schedules, t->changes);
	free(t);
	TEST_DONE();
}
