/*
 * The dashboard's aggregates: counts the triggers of the replicated tables
 * keep in the transaction of every change, below the dashboard, the
 * allocation and the completeness, and installed by every node (agg_init
 * runs when a node opens its database).
 *
 * Three local tables, derived from the replicated ones and never
 * replicated themselves:
 *
 *   dash_issue_n  live problems per (unit, category, effective status):
 *                 count and people affected.
 *   dash_rec_n    live records per (table, unit, key) of the other tables
 *                 the dashboard, the allocation and the completeness count:
 *                 key is the decision of a council decision, the current
 *                 stage of an intervention, the status of an appointment,
 *                 "retired" for a retired organisation, "" for the rest.
 *   dash_rank     one row per live problem that is scored and not closed,
 *                 with its priority, under indexes that give the best few of
 *                 a unit in a category, and a problem's rank in its area,
 *                 without reading the others.
 *
 * Scope 0 rows of the count tables count by owner.  At the national node,
 * scope 1 rows also count each province's whole subtree (its own records
 * and its counties'), so that the national dashboard reads one row per
 * province and not one per county; the other nodes never read them and
 * do not pay for them.
 *
 * They are kept current in the transaction of every change, local
 * (store_write) or remote (store_apply), whoever opened the database:
 * problems by the write path's hook (issue_hook, set for every store by
 * domain_tables()), the other tables by SQLite triggers.  One exception:
 * the serving process (agg_defer, node/serve.c) holds the problem counts
 * its own writes move and writes them behind, within AGG_HELD_MS (50 ms),
 * before it reads them itself, and when it stops; the rank is written at
 * once as ever.  Another process reads them up to that much later; a
 * serving process that dies holding them leaves meta dash_held set, and
 * the next one counts the problems again (agg_recount, with fill_issues
 * below) before it serves.  Each moves a
 * record's contribution from where it counted before the change to where
 * it counts after, holding the other tables as they are; so any sequence
 * of changes, in any order, leaves the sums equal to a count over the
 * replicated tables.  The effective status of a problem before a council
 * depends on its solution and on the council's decision (REG_ISSUE_STATE),
 * so changes of those move the problems that hang on them too.  A change
 * of the national criteria re-prices every scored problem: rare, and as
 * costly as reading them all.
 *
 * What it costs: a write to a table with triggers makes SQLite keep a
 * statement journal (a trigger's upsert may abort), about 34,000
 * instructions on a problem written alone, more than the rest of the count
 * (README, P2); hence the hook for problems, the table written most, whose
 * counts are single-row upserts that need none.  Each page the counts touch
 * is one more page in the commit: the count tables are keyed by what they
 * count (WITHOUT ROWID), one page a count.  Hence too the serving node's
 * write-behind: its own writes, one a transaction, paid that page each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "base/unit.h"
#include "domain/agg_int.h"

#define SQL_MAX 8192

/* ---- the SQL the triggers are made of ---- */

/* The effective status that solution row r gives its problems before the council. */
#define SOL_STATE(r)                                                                                \
	"COALESCE(CASE WHEN " r ".status = 'council' THEN (SELECT d.decision FROM council_decision d"   \
	" WHERE d.id = " r ".id || '-r' || " r ".round AND d.deleted = 0) END, 'council')"

/* The effective status that council decision row r gives, when it is its solution's round. */
#define DEC_STATE(r) "COALESCE(CASE WHEN " r ".deleted = 0 THEN " r ".decision END, 'council')"

/*
 * One row r added with sign k at scope 0 and, at the national node, at
 * scope 1: a plain upsert each.  Every write of a table that has triggers
 * pays for them (SQLite then keeps a statement journal), and every page a
 * trigger touches costs about as much again; so the triggers of a write
 * touch as little as they can, and only the national node, the one that
 * reads scope 1, keeps it.
 */
#define ISSUE_UPSERT(scope, unit, r, k, cond)                                                       \
	"INSERT INTO dash_issue_n (scope, unit, category, state, n, people) SELECT " scope ", " unit     \
	", COALESCE(" r ".category, ''), " ISSUE_STATE(r) ", " k ", " k " * "                           \
	PEOPLE(r ".people_affected") " WHERE " r ".deleted = 0" cond                                     \
	" ON CONFLICT (scope, unit, category, state) DO UPDATE SET n = n + excluded.n,"                 \
	" people = people + excluded.people;"
#define ISSUE_ADD0(r, k) ISSUE_UPSERT("0", r ".owner", r, k, "")
#define ISSUE_ADD1(r, k) ISSUE_UPSERT("1", "substr(" r ".owner, 1, 5)", r, k, " AND length(" r ".owner) >= 5")

/* The live problems before a council that hang on solution row r, counted as status s. */
#define SOL_ISSUES(r, s, k, cond)                                                                   \
	"SELECT i.owner AS o, COALESCE(i.category, '') AS c, " s " AS s, " k " AS k, "                  \
	PEOPLE("i.people_affected") " AS p FROM issue i WHERE i.solution = " r ".id AND"               \
	" i.status = 'council' AND i.deleted = 0 AND (" cond ")"

/* The same for council decision row r: the problems of the solution whose current round it is. */
#define DEC_ISSUES(r, s, k)                                                                         \
	"SELECT i.owner AS o, COALESCE(i.category, '') AS c, " s " AS s, " k " AS k, "                  \
	PEOPLE("i.people_affected") " AS p FROM issue i WHERE i.solution = (SELECT s.id FROM solution s" \
	" WHERE s.id = substr(" r ".id, 1, length(rtrim(" r ".id, '0123456789')) - 2) AND"              \
	" s.status = 'council' AND s.id || '-r' || s.round = " r ".id) AND i.status = 'council' AND"   \
	" i.deleted = 0"

/* The current stage of intervention row r, as add_progress() in register/interventions.c tells it. */
#define STAGE(r)                                                                                    \
	"(CASE WHEN COALESCE(" r ".needs_end, '') = '' THEN 'needs'"                                    \
	" WHEN COALESCE(" r ".priority_end, '') = '' THEN 'priority'"                                   \
	" WHEN COALESCE(" r ".planning_end, '') = '' THEN 'planning'"                                   \
	" WHEN COALESCE(" r ".implementation_end, '') = '' THEN 'implementation'"                       \
	" WHEN COALESCE(" r ".evaluation_end, '') = '' THEN 'evaluation' ELSE 'done' END)"

#define STAGE_CHANGED                                                                               \
	"OLD.needs_end IS NOT NEW.needs_end OR OLD.priority_end IS NOT NEW.priority_end OR"            \
	" OLD.planning_end IS NOT NEW.planning_end OR"                                                  \
	" OLD.implementation_end IS NOT NEW.implementation_end OR"                                      \
	" OLD.evaluation_end IS NOT NEW.evaluation_end"

/* Priority of the issue row i, word for word the expression of issue_list() in register/issues.c. */
#define PRIO                                                                                        \
	"(SELECT 100.0 * SUM(c.weight * (SELECT AVG(x.score) FROM issue_score x WHERE x.issue = i.id"   \
	"   AND x.criterion = c.code AND x.deleted = 0) / c.scale_max)"                                 \
	"  FROM priority_criterion c WHERE c.deleted = 0 AND c.active = 1 AND c.weight > 0)"           \
	" / (SELECT NULLIF(SUM(weight), 0) FROM priority_criterion"                                    \
	"  WHERE deleted = 0 AND active = 1 AND weight > 0)"

/*
 * Ranked problems among the issue rows i chosen by cond: live, not closed,
 * with a priority.  LIMIT -1 keeps the subquery whole, or the priority would
 * be computed once for each of the three places that name it.
 */
#define RANK_INSERT(cond)                                                                           \
	"INSERT INTO dash_rank (id, owner, prov, category, prio, prio2, pe, pr, created)"              \
	" SELECT id, owner, substr(owner, 1, 5), COALESCE(category, ''), p, ROUND(p, 2), "             \
	PEOPLE("people_affected") ", COALESCE(people_affected, 0), created FROM (SELECT i.id, i.owner," \
	" i.category, i.people_affected, i.created, " PRIO " AS p FROM issue i WHERE " cond            \
	" AND i.deleted = 0 AND i.status != 'closed' LIMIT -1) WHERE p IS NOT NULL;"

#define RANK_REBUILD                                                                                \
	"DELETE FROM dash_rank;"                                                                        \
	RANK_INSERT("i.id IN (SELECT DISTINCT issue FROM issue_score WHERE deleted = 0)")

/* The scopes kept at this node, as the rows of a subquery. */
static const char *
scopes(bool national)
{
	return national ? "(SELECT 0 AS scope UNION ALL SELECT 1)" : "(SELECT 0 AS scope)";
}

/*
 * issue_delta and rec_delta make the statement that adds a source of
 * signed rows to the counts, grouped: for writes that move many problems
 * at once (a solution's or a council decision's) and for the first fill.
 * With fill, the table is empty and the sources give each key once: plain
 * inserts, before the indexes exist.  They return -1 when it does not fit
 * (then create_schema fails: the buffers are sized for these sources).
 */
static int
issue_delta(char *out, size_t n, bool national, bool fill, const char *src)
{
	return snprintf(out, n,
			"INSERT INTO dash_issue_n (scope, unit, category, state, n, people)"
			" SELECT v.scope, CASE WHEN v.scope = 0 THEN x.o ELSE substr(x.o, 1, 5) END, x.c, x.s,"
			" sum(x.k), sum(x.k * x.p) FROM (%s) x, %s v"
			" WHERE v.scope = 0 OR length(x.o) >= 5 GROUP BY 1, 2, 3, 4%s;",
			src, scopes(national),
			fill ? "" : " ON CONFLICT (scope, unit, category, state) DO UPDATE SET n = n + excluded.n,"
				    " people = people + excluded.people") < (int)n ? 0 : -1;
}

static int
rec_delta(char *out, size_t n, bool national, bool fill, const char *tbl, const char *src)
{
	return snprintf(out, n,
			"INSERT INTO dash_rec_n (scope, tbl, unit, key, n)"
			" SELECT v.scope, '%s', CASE WHEN v.scope = 0 THEN x.o ELSE substr(x.o, 1, 5) END, x.key,"
			" sum(x.k) FROM (%s) x, %s v"
			" WHERE v.scope = 0 OR length(x.o) >= 5 GROUP BY 1, 3, 4%s;",
			tbl, src, scopes(national),
			fill ? "" : " ON CONFLICT (scope, tbl, unit, key) DO UPDATE SET n = n + excluded.n") < (int)n
		       ? 0
		       : -1;
}

/* rec_add makes the upserts that add row r of tbl with sign k under key (an SQL expression). */
static int
rec_add(char *out, size_t n, bool national, const char *tbl, const char *key, const char *r, const char *k)
{
	int len = snprintf(out, n,
			   "INSERT INTO dash_rec_n (scope, tbl, unit, key, n) SELECT 0, '%s', %s.owner, %s, %s"
			   " WHERE %s.deleted = 0 ON CONFLICT (scope, tbl, unit, key) DO UPDATE SET n = n + excluded.n;",
			   tbl, r, key, k, r);

	if (len < 0 || (size_t)len >= n)
		return -1;
	if (national)
		len += snprintf(out + len, n - (size_t)len,
				"INSERT INTO dash_rec_n (scope, tbl, unit, key, n) SELECT 1, '%s', substr(%s.owner, 1, 5),"
				" %s, %s WHERE %s.deleted = 0 AND length(%s.owner) >= 5 ON CONFLICT (scope, tbl, unit, key)"
				" DO UPDATE SET n = n + excluded.n;",
				tbl, r, key, k, r, r);
	return (size_t)len < n ? 0 : -1;
}

/*
 * The tables counted by owner and, for some, a column of their own (the
 * status of an appointment; a resource's active flag, so that a retired
 * organisation is told from an active one), on which nothing else hangs.
 */
static const struct counted_tbl {
	const char *tbl, *key_col;
	bool retire; /* key_col is a resource's active flag (NULL: active): keyed "retired" or "" */
} plain_counted[] = {
	{"delib_session", NULL, false}, {"issue_score", NULL, false}, {"evaluation", NULL, false},
	{"organisation", "active", true}, {"org_intro", NULL, false}, {"report", NULL, false},
	{"sel_call", NULL, false},      {"sel_appointment", "status", false}, {NULL, NULL, false},
};

/* plain_key writes the key of table t's row r ("NEW", "OLD", or a table alias) as SQL. */
static void
plain_key(const struct counted_tbl *t, const char *r, char *out, size_t n)
{
	if (t->key_col == NULL)
		snprintf(out, n, "''");
	else if (t->retire)
		snprintf(out, n, "CASE WHEN coalesce(%s.%s, 1) = 0 THEN 'retired' ELSE '' END", r, t->key_col);
	else
		snprintf(out, n, "COALESCE(%s.%s, '')", r, t->key_col);
}

/* The views agg_live_owners answers with, one per table besides issue. */
static const struct {
	const char *tbl, *view;
} live_views[] = {
	{"intervention", "dash_live_intervention"}, {"report", "dash_live_report"},
	{"sel_call", "dash_live_sel_call"},          {"sel_appointment", "dash_live_sel_appointment"},
	{NULL, NULL},
};

static int
trigger(struct store *st, const char *name, const char *when_event, const char *cond, const char *body,
	struct nz_err *err)
{
	char *sql = malloc(SQL_MAX * 3);
	int rc;

	if (sql == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	snprintf(sql, SQL_MAX * 3, "CREATE TRIGGER %s %s%s%s BEGIN %s END;", name, when_event,
		 cond ? " WHEN " : "", cond ? cond : "", body);
	rc = store_exec(st, sql, err);
	free(sql);
	return rc;
}

/* fill_issues counts the live problems into the empty dash_issue_n: by owner, and by province at national. */
static int
fill_issues(struct store *st, bool national, struct nz_err *err)
{
	char a[SQL_MAX];
	int rc;

	if (issue_delta(a, sizeof(a), false, true,
			"SELECT i.owner AS o, COALESCE(i.category, '') AS c, " ISSUE_STATE("i") " AS s, 1 AS k, "
			PEOPLE("i.people_affected") " AS p FROM issue i WHERE i.deleted = 0") != 0)
		return nz_fail(err, NZ_EINVAL, "dashboard: a filling query is longer than its buffer");
	if ((rc = store_exec(st, a, err)) != 0)
		return rc;
	/* A province's subtree is the sum of its owners: counted from the counts, not from the records again. */
	return national ? store_exec(st,
				     "INSERT INTO dash_issue_n (scope, unit, category, state, n, people)"
				     " SELECT 1, substr(unit, 1, 5), category, state, sum(n), sum(people) FROM dash_issue_n"
				     " WHERE scope = 0 AND length(unit) >= 5 GROUP BY 2, 3, 4;",
				     err)
			: 0;
}

int
agg_recount(struct store *st, struct nz_err *err)
{
	int rc;

	if ((rc = store_exec(st, "DELETE FROM dash_issue_n", err)) != 0)
		return rc;
	return fill_issues(st, unit_level(store_node(st)) == NZ_LEVEL_NATIONAL, err);
}

/* fill counts, once, what the replicated tables hold, into the empty aggregate tables. */
static int
fill(struct store *st, bool national, struct nz_err *err)
{
	char a[SQL_MAX], src[SQL_MAX];
	int i, rc, bad = 0;

	if ((rc = fill_issues(st, national, err)) != 0)
		return rc;
	bad |= rec_delta(a, sizeof(a), false, true, "solution",
			 "SELECT owner AS o, '' AS key, 1 AS k FROM solution WHERE deleted = 0");
	if (!bad && (rc = store_exec(st, a, err)) != 0)
		return rc;
	bad |= rec_delta(a, sizeof(a), false, true, "council_decision",
			 "SELECT owner AS o, COALESCE(decision, '') AS key, 1 AS k FROM council_decision WHERE deleted = 0");
	if (!bad && (rc = store_exec(st, a, err)) != 0)
		return rc;
	bad |= rec_delta(a, sizeof(a), false, true, "intervention",
			 "SELECT v.owner AS o, " STAGE("v") " AS key, 1 AS k FROM intervention v WHERE v.deleted = 0");
	if (!bad && (rc = store_exec(st, a, err)) != 0)
		return rc;
	for (i = 0; plain_counted[i].tbl != NULL; i++) {
		const struct counted_tbl *t = &plain_counted[i];
		char key[128];
		plain_key(t, t->tbl, key, sizeof(key));
		snprintf(src, sizeof(src), "SELECT owner AS o, %s AS key, 1 AS k FROM %s WHERE deleted = 0", key,
			 t->tbl);
		bad |= rec_delta(a, sizeof(a), false, true, t->tbl, src);
		if (!bad && (rc = store_exec(st, a, err)) != 0)
			return rc;
	}
	if (bad)
		return nz_fail(err, NZ_EINVAL, "dashboard: a filling query is longer than its buffer");
	if (national &&
	    (rc = store_exec(st,
			     "INSERT INTO dash_rec_n (scope, tbl, unit, key, n)"
			     " SELECT 1, tbl, substr(unit, 1, 5), key, sum(n) FROM dash_rec_n"
			     " WHERE scope = 0 AND length(unit) >= 5 GROUP BY 2, 3, 4;",
			     err)) != 0)
		return rc;
	return store_exec(st, RANK_REBUILD, err);
}

static int
create_schema(struct store *st, bool national, struct nz_err *err)
{
	char a[SQL_MAX], b[SQL_MAX], c[SQL_MAX * 2 + 64], name[64], ev[96];
	int i, rc, bad = 0;

	/*
	 * The tables, then once what the replicated tables hold already, then
	 * the indexes (built by sorting, far faster than growing them row by
	 * row), then the triggers that keep it all current.
	 */
	if ((rc = store_exec(st,
			     /* Keyed by what they count: a count's row is its key's page, one page a change. */
			     "CREATE TABLE dash_issue_n (scope INTEGER NOT NULL, unit TEXT NOT NULL,"
			     " category TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,"
			     " people INTEGER NOT NULL, PRIMARY KEY (scope, unit, category, state)) WITHOUT ROWID;"
			     "CREATE TABLE dash_rec_n (scope INTEGER NOT NULL, tbl TEXT NOT NULL, unit TEXT NOT NULL,"
			     " key TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (scope, tbl, unit, key)) WITHOUT ROWID;"
			     /* pr and created keep their values as they are, to order as issue_list does. */
			     "CREATE TABLE dash_rank (id TEXT PRIMARY KEY, owner TEXT NOT NULL, prov TEXT NOT NULL,"
			     " category TEXT NOT NULL, prio REAL NOT NULL, prio2 REAL NOT NULL, pe INTEGER NOT NULL,"
			     " pr, created) WITHOUT ROWID;",
			     err)) != 0 ||
	    (rc = fill(st, national, err)) != 0 ||
	    (rc = store_exec(st,
			     /* The order of the top lists (by_priority in register/reg_summary.c), per category ... */
			     "CREATE INDEX dash_rank_owner_cat ON dash_rank (owner, category, prio2 DESC, pe DESC, id);"
			     "CREATE INDEX dash_rank_prov_cat ON dash_rank (prov, category, prio2 DESC, pe DESC, id);"
			     /* ... and of the rank within an area (issue_list). */
			     "CREATE INDEX dash_rank_area ON dash_rank (owner, prio DESC, pr DESC, created, id);"
			     "CREATE VIEW dash_rank_refresh AS SELECT NULL AS id;"
			     /* Owners holding live records, for queries shaped for the replicated tables. */
			     "CREATE VIEW dash_live_issue AS SELECT unit AS owner, 0 AS deleted FROM dash_issue_n"
			     " WHERE scope = 0 AND n > 0;",
			     err)) != 0 ||
	    (rc = trigger(st, "dash_rank_refresh_ii", "INSTEAD OF INSERT ON dash_rank_refresh", NULL,
			  "DELETE FROM dash_rank WHERE id = NEW.id;" RANK_INSERT("i.id = NEW.id"), err)) != 0)
		return rc;

	for (i = 0; live_views[i].tbl != NULL; i++) {
		snprintf(a, sizeof(a),
			 "CREATE VIEW %s AS SELECT unit AS owner, 0 AS deleted FROM dash_rec_n"
			 " WHERE scope = 0 AND tbl = '%s' AND n > 0;",
			 live_views[i].view, live_views[i].tbl);
		if ((rc = store_exec(st, a, err)) != 0)
			return rc;
	}

	/*
	 * Problems: written and applied far more than anything else, so the
	 * write path keeps their counts and rank from C (issue_hook); a trigger
	 * here would make SQLite keep a statement journal for every write of a
	 * problem.  A row deleted by hand (no path of nehzat deletes one) still
	 * leaves the counts by trigger.
	 */
	snprintf(a, sizeof(a), "%s%sDELETE FROM dash_rank WHERE id = OLD.id;", ISSUE_ADD0("OLD", "-1"),
		 national ? ISSUE_ADD1("OLD", "-1") : "");
	if ((rc = trigger(st, "dash_issue_ad", "AFTER DELETE ON issue", NULL, a, err)) != 0)
		return rc;

	/* Solutions: counted, and their problems before a council follow their status and round. */
	bad |= rec_add(a, sizeof(a), national, "solution", "''", "NEW", "1");
	bad |= issue_delta(b, sizeof(b), national, false,
			   SOL_ISSUES("NEW", "'council'", "-1", "NEW.status = 'council'") " UNION ALL "
			   SOL_ISSUES("NEW", SOL_STATE("NEW"), "1", "NEW.status = 'council'"));
	snprintf(c, sizeof(c), "%s %s", a, b);
	if ((rc = trigger(st, "dash_solution_ai", "AFTER INSERT ON solution", NULL, c, err)) != 0)
		return rc;
	bad |= rec_add(a, sizeof(a), national, "solution", "''", "OLD", "-1");
	bad |= rec_add(a + strlen(a), sizeof(a) - strlen(a), national, "solution", "''", "NEW", "1");
	bad |= issue_delta(b, sizeof(b), national, false,
			   SOL_ISSUES("OLD", SOL_STATE("OLD"), "-1", "OLD.status = 'council' OR NEW.status = 'council'")
			   " UNION ALL "
			   SOL_ISSUES("NEW", SOL_STATE("NEW"), "1", "OLD.status = 'council' OR NEW.status = 'council'"));
	snprintf(c, sizeof(c), "%s %s", a, b);
	if ((rc = trigger(st, "dash_solution_au", "AFTER UPDATE ON solution",
			  "OLD.deleted IS NOT NEW.deleted OR OLD.owner IS NOT NEW.owner OR"
			  " OLD.status IS NOT NEW.status OR OLD.round IS NOT NEW.round",
			  c, err)) != 0)
		return rc;
	bad |= rec_add(a, sizeof(a), national, "solution", "''", "OLD", "-1");
	bad |= issue_delta(b, sizeof(b), national, false,
			   SOL_ISSUES("OLD", SOL_STATE("OLD"), "-1", "OLD.status = 'council'") " UNION ALL "
			   SOL_ISSUES("OLD", "'council'", "1", "OLD.status = 'council'"));
	snprintf(c, sizeof(c), "%s %s", a, b);
	if ((rc = trigger(st, "dash_solution_ad", "AFTER DELETE ON solution", NULL, c, err)) != 0)
		return rc;

	/* Council decisions: counted by decision, and the problems of their round follow them. */
	bad |= rec_add(a, sizeof(a), national, "council_decision", "COALESCE(NEW.decision, '')", "NEW", "1");
	bad |= issue_delta(b, sizeof(b), national, false,
			   DEC_ISSUES("NEW", "'council'", "-1") " UNION ALL " DEC_ISSUES("NEW", DEC_STATE("NEW"), "1"));
	snprintf(c, sizeof(c), "%s %s", a, b);
	if ((rc = trigger(st, "dash_decision_ai", "AFTER INSERT ON council_decision", NULL, c, err)) != 0)
		return rc;
	bad |= rec_add(a, sizeof(a), national, "council_decision", "COALESCE(OLD.decision, '')", "OLD", "-1");
	bad |= rec_add(a + strlen(a), sizeof(a) - strlen(a), national, "council_decision",
		       "COALESCE(NEW.decision, '')", "NEW", "1");
	bad |= issue_delta(b, sizeof(b), national, false,
			   DEC_ISSUES("OLD", DEC_STATE("OLD"), "-1") " UNION ALL "
			   DEC_ISSUES("NEW", DEC_STATE("NEW"), "1"));
	snprintf(c, sizeof(c), "%s %s", a, b);
	if ((rc = trigger(st, "dash_decision_au", "AFTER UPDATE ON council_decision",
			  "OLD.deleted IS NOT NEW.deleted OR OLD.decision IS NOT NEW.decision OR"
			  " OLD.owner IS NOT NEW.owner",
			  c, err)) != 0)
		return rc;
	bad |= rec_add(a, sizeof(a), national, "council_decision", "COALESCE(OLD.decision, '')", "OLD", "-1");
	bad |= issue_delta(b, sizeof(b), national, false,
			   DEC_ISSUES("OLD", DEC_STATE("OLD"), "-1") " UNION ALL " DEC_ISSUES("OLD", "'council'", "1"));
	snprintf(c, sizeof(c), "%s %s", a, b);
	if ((rc = trigger(st, "dash_decision_ad", "AFTER DELETE ON council_decision", NULL, c, err)) != 0)
		return rc;

	/* Interventions, by current stage. */
	bad |= rec_add(a, sizeof(a), national, "intervention", STAGE("NEW"), "NEW", "1");
	if ((rc = trigger(st, "dash_intervention_ai", "AFTER INSERT ON intervention", NULL, a, err)) != 0)
		return rc;
	bad |= rec_add(a, sizeof(a), national, "intervention", STAGE("OLD"), "OLD", "-1");
	bad |= rec_add(a + strlen(a), sizeof(a) - strlen(a), national, "intervention", STAGE("NEW"), "NEW", "1");
	if ((rc = trigger(st, "dash_intervention_au", "AFTER UPDATE ON intervention",
			  "OLD.deleted IS NOT NEW.deleted OR OLD.owner IS NOT NEW.owner OR " STAGE_CHANGED, a,
			  err)) != 0)
		return rc;
	bad |= rec_add(a, sizeof(a), national, "intervention", STAGE("OLD"), "OLD", "-1");
	if ((rc = trigger(st, "dash_intervention_ad", "AFTER DELETE ON intervention", NULL, a, err)) != 0)
		return rc;

	/* The tables counted by owner; scores also re-price their problem. */
	for (i = 0; plain_counted[i].tbl != NULL; i++) {
		const struct counted_tbl *t = &plain_counted[i];
		bool score = strcmp(t->tbl, "issue_score") == 0;
		char when[256], knew[128], kold[128];
		plain_key(t, "NEW", knew, sizeof(knew));
		plain_key(t, "OLD", kold, sizeof(kold));
		bad |= rec_add(a, sizeof(a), national, t->tbl, knew, "NEW", "1");
		snprintf(c, sizeof(c), "%s%s", a, score ? RANK_CALL("NEW.issue") : "");
		snprintf(name, sizeof(name), "dash_%s_ai", t->tbl);
		snprintf(ev, sizeof(ev), "AFTER INSERT ON %s", t->tbl);
		if ((rc = trigger(st, name, ev, NULL, c, err)) != 0)
			return rc;
		bad |= rec_add(a, sizeof(a), national, t->tbl, kold, "OLD", "-1");
		bad |= rec_add(a + strlen(a), sizeof(a) - strlen(a), national, t->tbl, knew, "NEW", "1");
		snprintf(name, sizeof(name), "dash_%s_au", t->tbl);
		snprintf(ev, sizeof(ev), "AFTER UPDATE ON %s", t->tbl);
		snprintf(when, sizeof(when), "OLD.deleted IS NOT NEW.deleted OR OLD.owner IS NOT NEW.owner");
		if (t->key_col != NULL)
			snprintf(when + strlen(when), sizeof(when) - strlen(when), " OR OLD.%s IS NOT NEW.%s",
				 t->key_col, t->key_col);
		if ((rc = trigger(st, name, ev, when, a, err)) != 0)
			return rc;
		bad |= rec_add(a, sizeof(a), national, t->tbl, kold, "OLD", "-1");
		snprintf(c, sizeof(c), "%s%s", a, score ? RANK_CALL("OLD.issue") : "");
		snprintf(name, sizeof(name), "dash_%s_ad", t->tbl);
		snprintf(ev, sizeof(ev), "AFTER DELETE ON %s", t->tbl);
		if ((rc = trigger(st, name, ev, NULL, c, err)) != 0)
			return rc;
	}
	if ((rc = trigger(st, "dash_score_rank_au", "AFTER UPDATE ON issue_score",
			  "OLD.issue IS NOT NEW.issue OR OLD.criterion IS NOT NEW.criterion OR"
			  " OLD.score IS NOT NEW.score OR OLD.deleted IS NOT NEW.deleted",
			  RANK_CALL("NEW.issue")
			  "INSERT INTO dash_rank_refresh (id) SELECT OLD.issue WHERE OLD.issue IS NOT NEW.issue;",
			  err)) != 0)
		return rc;

	/* The national criteria price every scored problem. */
	if ((rc = trigger(st, "dash_criterion_ai", "AFTER INSERT ON priority_criterion", NULL, RANK_REBUILD, err)) != 0 ||
	    (rc = trigger(st, "dash_criterion_au", "AFTER UPDATE ON priority_criterion",
			  "OLD.code IS NOT NEW.code OR OLD.weight IS NOT NEW.weight OR"
			  " OLD.scale_max IS NOT NEW.scale_max OR OLD.active IS NOT NEW.active OR"
			  " OLD.deleted IS NOT NEW.deleted",
			  RANK_REBUILD, err)) != 0 ||
	    (rc = trigger(st, "dash_criterion_ad", "AFTER DELETE ON priority_criterion", NULL, RANK_REBUILD, err)) != 0)
		return rc;

	if (bad)
		return nz_fail(err, NZ_EINVAL, "dashboard: a trigger's SQL is longer than its buffer");
	return 0;
}

/* Drops every table, index and trigger of an older version. */
static int
drop_schema(struct store *st, struct nz_err *err)
{
	sqlite3_stmt *q;
	char sql[160];
	int rc = 0;

	for (;;) {
		if (sqlite3_prepare_v2(store_db(st),
				       "SELECT type, name FROM sqlite_master WHERE name LIKE 'dash\\_%' ESCAPE '\\'"
				       " AND type IN ('trigger', 'view', 'table')"
				       " ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END LIMIT 1",
				       -1, &q, NULL) != SQLITE_OK)
			return store_sqlerr(st, err, "dashboard tables");
		if (sqlite3_step(q) != SQLITE_ROW) {
			sqlite3_finalize(q);
			return 0;
		}
		snprintf(sql, sizeof(sql), "DROP %s %s", (const char *)sqlite3_column_text(q, 0),
			 (const char *)sqlite3_column_text(q, 1));
		sqlite3_finalize(q);
		if ((rc = store_exec(st, sql, err)) != 0)
			return rc;
	}
}

int
agg_init(struct store *st, struct nz_err *err)
{
	int rc;

	if (agg_current(st))
		return 0;
	/* Which scopes to keep depends on the node: wait for its identity. */
	if (store_node(st)[0] == '\0')
		return nz_fail_at(err, NZ_ENOTFOUND, NULL, "init", "database has no node identity");
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	/* Another process may have built them while we waited for the lock. */
	if (agg_current(st))
		return store_commit(st, err);
	agg_hook_drop(st); /* the fill counts the records as they stand, what moved already too */
	if ((rc = drop_schema(st, err)) != 0 ||
	    (rc = create_schema(st, unit_level(store_node(st)) == NZ_LEVEL_NATIONAL, err)) != 0 ||
	    (rc = store_meta_set_int(st, "dash_version", DASH_VERSION, err)) != 0 ||
	    (store_meta_get_int(st, "dash_held", 0) != 0 && (rc = store_meta_set_int(st, "dash_held", 0, err)) != 0)) {
		store_rollback(st);
		return rc;
	}
	rc = store_commit(st, err);
	agg_hook_forget(st);
	return rc;
}

int
agg_defer(struct store *st, bool on, bool *recounted, struct nz_err *err)
{
	bool recount = false;
	int rc;

	if (recounted != NULL)
		*recounted = false;
	if (on == agg_hook_deferring(st))
		return 0;
	/* Stopping: what is held is written first; if it cannot be, the mark stays and the next start counts. */
	if ((!on && (rc = agg_flush(st, err)) != 0) || (rc = store_begin(st, err)) != 0)
		return rc;
	if (on && !agg_current(st)) /* no aggregates: nothing to hold */
		return store_commit(st, err);
	/* Set when starting: the process before died holding moves, which are lost; count from the records. */
	recount = on && store_meta_get_int(st, "dash_held", 0) != 0;
	rc = recount ? agg_recount(st, err) : store_meta_set_int(st, "dash_held", on, err);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	if ((rc = store_commit(st, err)) != 0)
		return rc;
	if (recounted != NULL)
		*recounted = recount;
	return agg_hook_defer(st, on, err);
}

/* ---- reading the aggregates ---- */

/*
 * The count rows of base's subtree: for the national unit, the provinces'
 * subtrees and its own; below, every owner within base.
 */
#define ISSUE_ROWS_NATIONAL                                                                         \
	"SELECT unit, category, state, n, people FROM dash_issue_n WHERE scope = 1 AND n > 0"          \
	" UNION ALL SELECT unit, category, state, n, people FROM dash_issue_n"                          \
	" WHERE scope = 0 AND unit = ?1 AND n > 0 ORDER BY 1, 2, 3"
#define ISSUE_ROWS_BELOW                                                                            \
	"SELECT unit, category, state, n, people FROM dash_issue_n WHERE scope = 0 AND unit >= ?1 AND" \
	" unit < ?1 || '.' AND n > 0 ORDER BY 1, 2, 3"
#define REC_ROWS_NATIONAL                                                                           \
	"SELECT tbl, unit, key, n FROM dash_rec_n WHERE scope = 1 AND n > 0"                            \
	" UNION ALL SELECT tbl, unit, key, n FROM dash_rec_n WHERE scope = 0 AND unit = ?1 AND n > 0"
#define REC_ROWS_BELOW                                                                              \
	"SELECT tbl, unit, key, n FROM dash_rec_n WHERE scope = 0 AND unit >= ?1 AND unit < ?1 || '.'" \
	" AND n > 0"

/*
 * Valid codes hold only [A-Z0-9-], so [base, base || '.') is base and
 * what lies below it.
 */
sqlite3_stmt *
agg_rows(struct store *st, const char *base, bool issues, struct nz_err *err)
{
	bool national = unit_level(base) == NZ_LEVEL_NATIONAL;
	sqlite3_stmt *q;

	if (issues && agg_flush(st, err) != 0)
		return NULL;
	q = store_prepare(st,
			  issues ? (national ? ISSUE_ROWS_NATIONAL : ISSUE_ROWS_BELOW)
				 : (national ? REC_ROWS_NATIONAL : REC_ROWS_BELOW),
			  err);
	if (q != NULL)
		sqlite3_bind_text(q, 1, base, -1, SQLITE_TRANSIENT);
	return q;
}

bool
agg_subtree_count(struct store *st, const char *what, const char *unit, int64_t *out)
{
	bool issues = strcmp(what, "open_issues") == 0;
	int level = unit_level(unit);
	sqlite3_stmt *q;

	/* Moves this process holds could not be written: the caller counts from the records. */
	if (!agg_current(st) || level < 0 || (!issues && strcmp(what, "interventions") != 0) ||
	    (issues && agg_flush(st, NULL) != 0))
		return false;
	/* At the national node a province's subtree is one row per key (scope 1); else owners' rows. */
	if (level == NZ_LEVEL_PROVINCE && unit_level(store_node(st)) == NZ_LEVEL_NATIONAL)
		q = store_prepare(st,
				  issues ? "SELECT sum(n) FROM dash_issue_n WHERE scope = 1 AND unit = ?1 AND"
					   " state != 'closed'"
					 : "SELECT sum(n) FROM dash_rec_n WHERE scope = 1 AND tbl = 'intervention'"
					   " AND unit = ?1",
				  NULL);
	else if (level == NZ_LEVEL_NATIONAL)
		q = store_prepare(st,
				  issues ? "SELECT sum(n) FROM dash_issue_n WHERE (scope = 1 OR (scope = 0 AND"
					   " unit = ?1)) AND state != 'closed'"
					 : "SELECT sum(n) FROM dash_rec_n WHERE tbl = 'intervention' AND (scope = 1"
					   " OR (scope = 0 AND unit = ?1))",
				  NULL);
	else
		q = store_prepare(st,
				  issues ? "SELECT sum(n) FROM dash_issue_n WHERE scope = 0 AND unit >= ?1 AND"
					   " unit < ?1 || '.' AND state != 'closed'"
					 : "SELECT sum(n) FROM dash_rec_n WHERE scope = 0 AND tbl = 'intervention'"
					   " AND unit >= ?1 AND unit < ?1 || '.'",
				  NULL);
	if (q == NULL)
		return false;
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_TRANSIENT);
	*out = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	return true;
}

const char *
agg_live_owners(struct store *st, const char *tbl)
{
	int i;

	if (!agg_current(st))
		return tbl;
	if (strcmp(tbl, "issue") == 0)
		return agg_flush(st, NULL) == 0 ? "dash_live_issue" : tbl;
	for (i = 0; live_views[i].tbl != NULL; i++)
		if (strcmp(tbl, live_views[i].tbl) == 0)
			return live_views[i].view;
	return tbl;
}
