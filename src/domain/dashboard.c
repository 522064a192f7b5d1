/*
 * داشبورد: the dashboard of a subtree, and the aggregates that keep it cheap.
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
 *                 "" for the rest.
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
 * Triggers on the replicated tables keep them current in the transaction
 * of every change, local (store_write) or remote (store_apply), whoever
 * opened the database: the write path needs no hook.  Each trigger moves
 * a record's contribution from where it counted before the change to
 * where it counts after, holding the other tables as they are; so any
 * sequence of changes, in any order, leaves the sums equal to a count over
 * the replicated tables.  The effective status of a problem before a
 * council depends on its solution and on the council's decision
 * (REG_ISSUE_STATE), so changes of those move the problems that hang on
 * them too.  A change of the national criteria re-prices every scored
 * problem: rare, and as costly as reading them all.
 *
 * What it costs: a write to a table with triggers makes SQLite keep a
 * statement journal (the upsert of the write path may abort on NOT NULL),
 * and each page a trigger touches is one more page in the commit; about
 * 15 us on a problem written alone, a third of the throughput of bulk
 * apply at the national node (tests/bench/b_dash prints both).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/health.h"
#include "domain/register.h"
#include "domain/reports.h"
#include "domain/selection.h"
#include "store/hlc.h"

/* Raise when the tables or triggers change: dash_init rebuilds them. */
#define DASH_VERSION 2

#define SQL_MAX 8192

/* ---- the SQL the triggers are made of ---- */

/* What json_integer_value makes of a column: its integer, else 0. */
#define PEOPLE(x) "(CASE WHEN typeof(" x ") = 'integer' THEN " x " ELSE 0 END)"

/* REG_ISSUE_STATE of the issue row r, "" for none. */
#define ISSUE_STATE(r)                                                                              \
	"COALESCE(CASE WHEN " r ".status = 'council' THEN COALESCE((SELECT d.decision FROM solution s2," \
	" council_decision d WHERE s2.id = " r ".solution AND s2.status = 'council' AND"                \
	" d.id = s2.id || '-r' || s2.round AND d.deleted = 0), 'council') ELSE " r ".status END, '')"

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

/*
 * The refresh of one problem's row, long as it is, lives once in the
 * INSTEAD OF trigger of a view; the triggers of writes call it by
 * inserting the problem's id into the view, and only when there is
 * something to price, since a trigger's whole program is set up every
 * time it fires.
 */
#define RANK_CALL(id) "INSERT INTO dash_rank_refresh (id) VALUES (" id ");"

#define HAS_SCORES(id) "EXISTS (SELECT 1 FROM issue_score x WHERE x.issue = " id ")"

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
 * status of an appointment), on which nothing else hangs.
 */
static const struct counted_tbl {
	const char *tbl, *key_col;
} plain_counted[] = {
	{"delib_session", NULL}, {"issue_score", NULL}, {"evaluation", NULL},
	{"organisation", NULL},  {"org_intro", NULL},   {"report", NULL},
	{"sel_call", NULL},      {"sel_appointment", "status"}, {NULL, NULL},
};

/* plain_key writes the key of table t's row r ("NEW", "OLD", or a table alias) as SQL. */
static void
plain_key(const struct counted_tbl *t, const char *r, char *out, size_t n)
{
	if (t->key_col == NULL)
		snprintf(out, n, "''");
	else
		snprintf(out, n, "COALESCE(%s.%s, '')", r, t->key_col);
}

/* The views dash_live_owners answers with, one per table besides issue. */
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

/* fill counts, once, what the replicated tables hold, into the empty aggregate tables. */
static int
fill(struct store *st, bool national, struct nz_err *err)
{
	char a[SQL_MAX], src[SQL_MAX];
	int i, rc, bad = 0;

	snprintf(src, sizeof(src),
		 "SELECT i.owner AS o, COALESCE(i.category, '') AS c, " ISSUE_STATE("i") " AS s, 1 AS k, "
		 PEOPLE("i.people_affected") " AS p FROM issue i WHERE i.deleted = 0");
	bad |= issue_delta(a, sizeof(a), false, true, src);
	if (!bad && (rc = store_exec(st, a, err)) != 0)
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
		char key[64];
		plain_key(t, t->tbl, key, sizeof(key));
		snprintf(src, sizeof(src), "SELECT owner AS o, %s AS key, 1 AS k FROM %s WHERE deleted = 0", key,
			 t->tbl);
		bad |= rec_delta(a, sizeof(a), false, true, t->tbl, src);
		if (!bad && (rc = store_exec(st, a, err)) != 0)
			return rc;
	}
	if (bad)
		return nz_fail(err, NZ_EINVAL, "dashboard: a filling query is longer than its buffer");
	/* A province's subtree is the sum of its owners: counted from the counts, not from the records again. */
	if (national &&
	    (rc = store_exec(st,
			     "INSERT INTO dash_issue_n (scope, unit, category, state, n, people)"
			     " SELECT 1, substr(unit, 1, 5), category, state, sum(n), sum(people) FROM dash_issue_n"
			     " WHERE scope = 0 AND length(unit) >= 5 GROUP BY 2, 3, 4;"
			     "INSERT INTO dash_rec_n (scope, tbl, unit, key, n)"
			     " SELECT 1, tbl, substr(unit, 1, 5), key, sum(n) FROM dash_rec_n"
			     " WHERE scope = 0 AND length(unit) >= 5 GROUP BY 2, 3, 4;",
			     err)) != 0)
		return rc;
	return store_exec(st, RANK_REBUILD, err);
}

/* The columns whose change moves a problem's count, and those that move its rank. */
#define ISSUE_COUNT_CHANGED                                                                         \
	"OLD.deleted IS NOT NEW.deleted OR OLD.status IS NOT NEW.status OR"                             \
	" OLD.category IS NOT NEW.category OR OLD.solution IS NOT NEW.solution OR"                      \
	" OLD.people_affected IS NOT NEW.people_affected OR OLD.owner IS NOT NEW.owner"
#define ISSUE_RANK_CHANGED                                                                          \
	"(OLD.deleted IS NOT NEW.deleted OR OLD.status IS NOT NEW.status OR"                            \
	" OLD.category IS NOT NEW.category OR OLD.people_affected IS NOT NEW.people_affected OR"        \
	" OLD.created IS NOT NEW.created OR OLD.owner IS NOT NEW.owner)"

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
			     "CREATE TABLE dash_issue_n (scope INTEGER NOT NULL, unit TEXT NOT NULL,"
			     " category TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,"
			     " people INTEGER NOT NULL);"
			     "CREATE TABLE dash_rec_n (scope INTEGER NOT NULL, tbl TEXT NOT NULL, unit TEXT NOT NULL,"
			     " key TEXT NOT NULL, n INTEGER NOT NULL);"
			     /* pr and created keep their values as they are, to order as issue_list does. */
			     "CREATE TABLE dash_rank (id TEXT PRIMARY KEY, owner TEXT NOT NULL, prov TEXT NOT NULL,"
			     " category TEXT NOT NULL, prio REAL NOT NULL, prio2 REAL NOT NULL, pe INTEGER NOT NULL,"
			     " pr, created) WITHOUT ROWID;",
			     err)) != 0 ||
	    (rc = fill(st, national, err)) != 0 ||
	    (rc = store_exec(st,
			     "CREATE UNIQUE INDEX dash_issue_n_key ON dash_issue_n (scope, unit, category, state);"
			     "CREATE UNIQUE INDEX dash_rec_n_key ON dash_rec_n (scope, tbl, unit, key);"
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

	/* Problems. */
	snprintf(a, sizeof(a), "%s%s", ISSUE_ADD0("NEW", "1"), national ? ISSUE_ADD1("NEW", "1") : "");
	snprintf(c, sizeof(c), "%s%s%s%s", ISSUE_ADD0("OLD", "-1"), national ? ISSUE_ADD1("OLD", "-1") : "",
		 ISSUE_ADD0("NEW", "1"), national ? ISSUE_ADD1("NEW", "1") : "");
	if ((rc = trigger(st, "dash_issue_ai", "AFTER INSERT ON issue", "NEW.deleted = 0", a, err)) != 0 ||
	    (rc = trigger(st, "dash_issue_au", "AFTER UPDATE ON issue", ISSUE_COUNT_CHANGED, c, err)) != 0)
		return rc;
	snprintf(a, sizeof(a), "%s%sDELETE FROM dash_rank WHERE id = OLD.id;", ISSUE_ADD0("OLD", "-1"),
		 national ? ISSUE_ADD1("OLD", "-1") : "");
	if ((rc = trigger(st, "dash_issue_ad", "AFTER DELETE ON issue", NULL, a, err)) != 0 ||
	    (rc = trigger(st, "dash_issue_rank_ai", "AFTER INSERT ON issue", HAS_SCORES("NEW.id"),
			  RANK_CALL("NEW.id"), err)) != 0 ||
	    (rc = trigger(st, "dash_issue_rank_au", "AFTER UPDATE ON issue",
			  ISSUE_RANK_CHANGED " AND " HAS_SCORES("NEW.id"), RANK_CALL("NEW.id"), err)) != 0)
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
		char when[256], knew[64], kold[64];
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

static bool
current(struct store *st)
{
	return store_meta_get_int(st, "dash_version", 0) == DASH_VERSION;
}

int
dash_init(struct store *st, struct nz_err *err)
{
	int rc;

	if (current(st))
		return 0;
	/* Which scopes to keep depends on the node: wait for its identity. */
	if (store_node(st)[0] == '\0')
		return nz_fail(err, NZ_ENOTFOUND, "database has no node identity (run 'nehzat init')");
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	/* Another process may have built them while we waited for the lock. */
	if (current(st))
		return store_commit(st, err);
	if ((rc = drop_schema(st, err)) != 0 ||
	    (rc = create_schema(st, unit_level(store_node(st)) == NZ_LEVEL_NATIONAL, err)) != 0 ||
	    (rc = store_meta_set_int(st, "dash_version", DASH_VERSION, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
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
static sqlite3_stmt *
rows_of(struct store *st, const char *base, bool issues, struct nz_err *err)
{
	bool national = unit_level(base) == NZ_LEVEL_NATIONAL;
	sqlite3_stmt *q;

	q = store_prepare(st,
			  issues ? (national ? ISSUE_ROWS_NATIONAL : ISSUE_ROWS_BELOW)
				 : (national ? REC_ROWS_NATIONAL : REC_ROWS_BELOW),
			  err);
	if (q != NULL)
		sqlite3_bind_text(q, 1, base, -1, SQLITE_TRANSIENT);
	return q;
}

/* The unit under base that a figure of unit (an owner, or a province's subtree) counts under. */
static void
unit_of(const char *base, const char *unit, char out[NZ_ID_MAX])
{
	size_t len = unit_level(base) == NZ_LEVEL_NATIONAL ? 5 : 8;

	if (strcmp(unit, base) == 0 || unit_level(base) == NZ_LEVEL_COUNTY || strlen(unit) < len) {
		snprintf(out, NZ_ID_MAX, "%s", base);
		return;
	}
	snprintf(out, NZ_ID_MAX, "%.*s", (int)len, unit);
}

bool
dash_subtree_count(struct store *st, const char *what, const char *unit, int64_t *out)
{
	bool issues = strcmp(what, "open_issues") == 0;
	int level = unit_level(unit);
	sqlite3_stmt *q;

	if (!current(st) || level < 0 || (!issues && strcmp(what, "interventions") != 0))
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
dash_live_owners(struct store *st, const char *tbl)
{
	int i;

	if (!current(st))
		return tbl;
	if (strcmp(tbl, "issue") == 0)
		return "dash_live_issue";
	for (i = 0; live_views[i].tbl != NULL; i++)
		if (strcmp(tbl, live_views[i].tbl) == 0)
			return live_views[i].view;
	return tbl;
}

/* ---- the consolidated register, as reg_summary() builds it ---- */

/* The direct child of node through which the data of unit arrives; node itself for its own. */
static void
via_child(const char *node, const char *unit, char out[NZ_ID_MAX])
{
	size_t len = unit_level(node) == NZ_LEVEL_NATIONAL ? 5 : 8;

	if (strcmp(node, unit) == 0 || !unit_within(unit, node) || strlen(unit) < len)
		snprintf(out, NZ_ID_MAX, "%s", node);
	else
		snprintf(out, NZ_ID_MAX, "%.*s", (int)len, unit);
}

static int64_t
text_int(struct store *st, const char *sql, const char *p1, char *text, size_t n)
{
	sqlite3_stmt *q = store_prepare(st, sql, NULL);
	int64_t v = 0;

	if (text != NULL)
		text[0] = '\0';
	if (q == NULL)
		return 0;
	sqlite3_bind_text(q, 1, p1, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW) {
		if (text != NULL && sqlite3_column_text(q, 0) != NULL)
			snprintf(text, n, "%s", (const char *)sqlite3_column_text(q, 0));
		v = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	return v;
}

/* Stamps obj with the freshness of the data of unit, as register/reg_summary.c does. */
static void
stamp(struct store *st, json_t *obj, const char *unit)
{
	char via[NZ_ID_MAX];
	int64_t ms;

	via_child(store_node(st), unit, via);
	if (strcmp(via, store_node(st)) == 0) {
		json_object_set_new(obj, "via", json_string(store_node(st)));
		json_object_set_new(obj, "local", json_true());
		json_object_set_new(obj, "last_sync_ms", json_null());
		return;
	}
	ms = text_int(st, "SELECT last_sync FROM peer WHERE id = ?1 AND role = 'child'", via, NULL, 0);
	json_object_set_new(obj, "via", json_string(via));
	json_object_set_new(obj, "local", json_false());
	json_object_set_new(obj, "last_sync_ms", json_integer(ms > 0 ? ms : 0));
}

static json_t *
zero_states(void)
{
	json_t *o = json_object();
	int i;

	for (i = 0; reg_statuses[i] != NULL; i++)
		json_object_set_new(o, reg_statuses[i], json_integer(0));
	return o;
}

static void
add(json_t *obj, const char *key, json_int_t by)
{
	json_object_set_new(obj, key, json_integer(json_integer_value(json_object_get(obj, key)) + by));
}

static const struct {
	const char *key, *table;
} counted[] = {
	{"sessions", "delib_session"},     {"scores", "issue_score"},        {"solutions", "solution"},
	{"decisions", "council_decision"}, {"interventions", "intervention"}, {"evaluations", "evaluation"},
	{"organisations", "organisation"}, {"introductions", "org_intro"},
};

#define NCOUNTED (sizeof(counted) / sizeof(counted[0]))

static json_t *
new_unit(struct store *st, const char *code, bool own)
{
	json_t *u = json_object();
	char name[512];
	size_t j;

	text_int(st, "SELECT name_fa FROM orgunit WHERE id = ?1 AND deleted = 0", code, name, sizeof(name));
	json_object_set_new(u, "unit", json_string(code));
	json_object_set_new(u, "name_fa", json_string(name));
	json_object_set_new(u, "own", json_boolean(own));
	stamp(st, u, code);
	json_object_set_new(u, "problems", json_integer(0));
	json_object_set_new(u, "by_state", zero_states());
	for (j = 0; j < NCOUNTED; j++)
		json_object_set_new(u, counted[j].key, json_integer(0));
	return u;
}

/* ---- top problems ---- */

struct cand {
	char id[NZ_RID_MAX];
	double prio2;
	int64_t pe;
	int unit, cat; /* indexes of the bucket and the category it was listed for */
};

/* The order of the top lists: priority, then people affected, then id (by_priority in register/reg_summary.c). */
static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->prio2 != y->prio2)
		return x->prio2 > y->prio2 ? -1 : 1;
	if (x->pe != y->pe)
		return x->pe > y->pe ? -1 : 1;
	return strcmp(x->id, y->id);
}

/*
 * The best top ranked problems of category cat in one bucket of base,
 * appended to c.  A national bucket other than the national unit itself is
 * a province's whole subtree.
 */
static void
top_of(struct store *st, const char *base, const char *bucket, const char *cat, int top, struct cand *c, int *n)
{
	bool prov = unit_level(base) == NZ_LEVEL_NATIONAL && strcmp(bucket, base) != 0;
	sqlite3_stmt *q;

	q = store_prepare(st,
			  prov ? "SELECT id, prio2, pe FROM dash_rank WHERE prov = ?1 AND category = ?2"
				 " ORDER BY prio2 DESC, pe DESC, id LIMIT ?3"
			       : "SELECT id, prio2, pe FROM dash_rank WHERE owner = ?1 AND category = ?2"
				 " ORDER BY prio2 DESC, pe DESC, id LIMIT ?3",
			  NULL);
	if (q == NULL)
		return;
	sqlite3_bind_text(q, 1, bucket, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, cat, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 3, top);
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct cand *k = &c[(*n)++];
		snprintf(k->id, sizeof(k->id), "%s", (const char *)sqlite3_column_text(q, 0));
		k->prio2 = sqlite3_column_double(q, 1);
		k->pe = sqlite3_column_int64(q, 2);
	}
	sqlite3_reset(q);
}

static int64_t
count_where(struct store *st, const char *sql, sqlite3_stmt *row)
{
	sqlite3_stmt *q = store_prepare(st, sql, NULL);
	int64_t v = 0;
	int i;

	if (q == NULL)
		return 0;
	/* ?1 owner, ?2 prio, ?3 pr, ?4 created, ?5 id: the row's own values, types and all. */
	for (i = 0; i < sqlite3_bind_parameter_count(q); i++)
		sqlite3_bind_value(q, i + 1, sqlite3_column_value(row, i));
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return v;
}

/*
 * The rank of problem id within its area among the ranked problems, by
 * priority, people affected, age and id (issue_list's window), counted on
 * the area index: the rows ahead of it, in three index ranges.
 */
static int64_t
area_rank(struct store *st, const char *id)
{
	sqlite3_stmt *row = store_prepare(st, "SELECT owner, prio, pr, created, id FROM dash_rank WHERE id = ?1", NULL);
	int64_t rank = 0;

	if (row == NULL)
		return 0;
	sqlite3_bind_text(row, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(row) == SQLITE_ROW)
		rank = 1 +
		       count_where(st, "SELECT count(*) FROM dash_rank WHERE owner = ?1 AND prio > ?2", row) +
		       count_where(st, "SELECT count(*) FROM dash_rank WHERE owner = ?1 AND prio = ?2 AND pr > ?3", row) +
		       count_where(st, "SELECT count(*) FROM dash_rank WHERE owner = ?1 AND prio = ?2 AND pr = ?3"
				       " AND ((created IS NULL AND ?4 IS NOT NULL) OR created < ?4 OR"
				       " (created IS ?4 AND id < ?5))", row);
	sqlite3_reset(row);
	return rank;
}

/* top_row is a problem as the top lists show it, built once per summary (cache). */
static json_t *
top_row(struct store *st, json_t *cache, const struct cand *c)
{
	static const char *const keys[] = {"id", "owner", "title", "category", "state", "priority", "rank",
					   "people_affected", NULL};
	json_t *o, *rows, *r;
	sqlite3_stmt *q;
	int i;

	if ((o = json_object_get(cache, c->id)) != NULL)
		return json_incref(o);
	o = json_object();
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT i.id, i.owner, i.title, i.category, " REG_ISSUE_STATE " AS state,"
			       " i.people_affected FROM issue i WHERE i.id = ?1",
			       -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
		rows = reg_rows(q);
		r = json_array_get(rows, 0);
		for (i = 0; keys[i] != NULL; i++)
			json_object_set(o, keys[i], r && json_object_get(r, keys[i]) ? json_object_get(r, keys[i])
										 : json_null());
		json_decref(rows);
	}
	json_object_set_new(o, "priority", json_real(c->prio2));
	json_object_set_new(o, "rank", json_integer(area_rank(st, c->id)));
	json_object_set(cache, c->id, o);
	return o;
}

/*
 * The best top of the candidates c (n of them) listed for unit (or any
 * when < 0) and category (or any), as a new array of top rows; pick is
 * room for n.
 */
static json_t *
best(struct store *st, json_t *cache, const struct cand *c, int n, int unit, int cat, struct cand *pick, int top)
{
	json_t *a = json_array();
	int i, m = 0;

	for (i = 0; i < n; i++)
		if ((unit < 0 || c[i].unit == unit) && (cat < 0 || c[i].cat == cat))
			pick[m++] = c[i];
	qsort(pick, (size_t)m, sizeof(*pick), cand_cmp);
	for (i = 0; i < m && i < top; i++)
		json_array_append_new(a, top_row(st, cache, &pick[i]));
	return a;
}

static int
unit_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int ox = json_is_true(json_object_get(x, "own")), oy = json_is_true(json_object_get(y, "own"));

	if (ox != oy)
		return oy - ox;
	return strcmp(json_string_value(json_object_get(x, "unit")), json_string_value(json_object_get(y, "unit")));
}

static int
cat_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t nx = json_integer_value(json_object_get(x, "problems"));
	json_int_t ny = json_integer_value(json_object_get(y, "problems"));

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "category")),
		      json_string_value(json_object_get(y, "category")));
}

/* sorted turns the values of obj into a new array ordered by cmp. */
static json_t *
sorted(json_t *obj, int (*cmp)(const void *, const void *))
{
	size_t i = 0, n = json_object_size(obj);
	json_t **v, *arr = json_array(), *x;
	const char *k;

	if (n == 0 || (v = malloc(n * sizeof(*v))) == NULL)
		return arr;
	json_object_foreach(obj, k, x)
		v[i++] = x;
	qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++)
		json_array_append(arr, v[i]);
	free(v);
	return arr;
}

static int64_t
sync_ms(json_t *o)
{
	if (json_is_true(json_object_get(o, "local")))
		return INT64_MAX;
	return json_integer_value(json_object_get(o, "last_sync_ms"));
}

json_t *
dash_register(struct store *st, const char *under, int top, struct nz_err *err)
{
	const char *base = under != NULL && under[0] ? under : store_node(st);
	json_t *out = NULL, *units, *cats, *pairs, *cache, *totals, *u, *c;
	char code[NZ_ID_MAX], via[NZ_ID_MAX];
	struct cand *cand = NULL, *pick = NULL;
	const char **ukeys = NULL, **ckeys = NULL;
	int64_t oldest = INT64_MAX;
	sqlite3_stmt *q;
	const char *k, *ck;
	size_t j, nunits, ncats, npairs;
	int i, n;

	if (unit_level(base) < 0) {
		nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", base);
		return NULL;
	}
	if (!unit_within(base, store_node(st))) {
		nz_fail(err, NZ_EDENIED, "this node (%s) holds no register of %s", store_node(st), base);
		return NULL;
	}
	if (dash_init(st, err) != 0)
		return NULL;
	if (top < 0 || top > 100)
		top = 5;
	units = json_object();
	cats = json_object();
	pairs = json_object();
	cache = json_object();

	/* The units: base, each unit under it in the org-unit tree, and any that holds data. */
	json_object_set_new(units, base, new_unit(st, base, true));
	if (unit_level(base) != NZ_LEVEL_COUNTY &&
	    (q = store_prepare(st, "SELECT id FROM orgunit WHERE parent = ?1 AND deleted = 0 ORDER BY id", err)) != NULL) {
		sqlite3_bind_text(q, 1, base, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(q, 0);
			if (id != NULL && unit_level(id) == unit_level(base) + 1 && json_object_get(units, id) == NULL)
				json_object_set_new(units, id, new_unit(st, id, false));
		}
		sqlite3_reset(q);
	}

	/* Problems per unit and status, and per category with its sources. */
	if ((q = rows_of(st, base, true, err)) == NULL)
		goto out;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(q, 0);
		const char *cat = (const char *)sqlite3_column_text(q, 1);
		const char *state = (const char *)sqlite3_column_text(q, 2);
		json_int_t cnt = sqlite3_column_int64(q, 3), people = sqlite3_column_int64(q, 4);
		json_t *src;
		/* A status that is not text counts as register.c counts a missing one. */
		const char *sk = state[0] ? state : "identified";

		unit_of(base, unit, code);
		if ((u = json_object_get(units, code)) == NULL) {
			u = new_unit(st, code, strcmp(code, base) == 0);
			json_object_set_new(units, code, u);
		}
		add(u, "problems", cnt);
		add(json_object_get(u, "by_state"), sk, cnt);
		if ((c = json_object_get(cats, cat)) == NULL) {
			c = json_object();
			json_object_set_new(c, "category", json_string(cat));
			json_object_set_new(c, "problems", json_integer(0));
			json_object_set_new(c, "open", json_integer(0));
			json_object_set_new(c, "people_affected", json_integer(0));
			json_object_set_new(c, "by_state", zero_states());
			json_object_set_new(c, "sources", json_object());
			json_object_set_new(cats, cat, c);
		}
		add(c, "problems", cnt);
		if (state[0] && strcmp(state, "closed") != 0) {
			json_t *has = json_object_get(pairs, code);
			add(c, "open", cnt);
			/* Only open problems rank: this unit may list some of this category. */
			if (has == NULL)
				json_object_set_new(pairs, code, has = json_object());
			json_object_set(has, cat, json_true());
		}
		add(c, "people_affected", people);
		add(json_object_get(c, "by_state"), sk, cnt);
		via_child(store_node(st), unit, via);
		if ((src = json_object_get(json_object_get(c, "sources"), via)) == NULL) {
			src = json_object();
			json_object_set_new(src, "problems", json_integer(0));
			stamp(st, src, unit);
			json_object_set_new(json_object_get(c, "sources"), via, src);
		}
		add(src, "problems", cnt);
	}
	sqlite3_reset(q);

	/* Counts of the other records, per unit. */
	if ((q = rows_of(st, base, false, err)) == NULL)
		goto out;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(q, 0);
		for (j = 0; j < NCOUNTED && strcmp(counted[j].table, tbl) != 0; j++)
			;
		if (j == NCOUNTED)
			continue;
		unit_of(base, (const char *)sqlite3_column_text(q, 1), code);
		if ((u = json_object_get(units, code)) == NULL) {
			u = new_unit(st, code, false);
			json_object_set_new(units, code, u);
		}
		add(u, counted[j].key, sqlite3_column_int64(q, 3));
	}
	sqlite3_reset(q);

	/*
	 * The best of each unit in each category where it has open problems:
	 * a unit's top is the best of its lists, a category's the best of its
	 * lists, the overall top the best of all (units and categories share
	 * no problem).
	 */
	nunits = json_object_size(units);
	ncats = json_object_size(cats);
	npairs = 0;
	json_object_foreach(pairs, k, u)
		npairs += json_object_size(u);
	ukeys = calloc(nunits + 1, sizeof(*ukeys));
	ckeys = calloc(ncats + 1, sizeof(*ckeys));
	cand = calloc(npairs * (size_t)top + 1, sizeof(*cand));
	pick = calloc(npairs * (size_t)top + 1, sizeof(*pick));
	if (ukeys == NULL || ckeys == NULL || cand == NULL || pick == NULL) {
		nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	i = 0;
	json_object_foreach(units, k, u)
		ukeys[i++] = k;
	i = 0;
	json_object_foreach(cats, ck, c)
		ckeys[i++] = ck;
	n = 0;
	for (i = 0; i < (int)nunits; i++) {
		json_t *has = json_object_get(pairs, ukeys[i]);
		int ci, from = n;
		for (ci = 0; has != NULL && ci < (int)ncats; ci++) {
			if (json_object_get(has, ckeys[ci]) == NULL)
				continue;
			from = n;
			top_of(st, base, ukeys[i], ckeys[ci], top, cand, &n);
			for (; from < n; from++) {
				cand[from].unit = i;
				cand[from].cat = ci;
			}
		}
	}

	/* Per unit its top; then the totals, which are the sums of the units. */
	totals = json_object();
	json_object_set_new(totals, "problems", json_integer(0));
	json_object_set_new(totals, "by_state", zero_states());
	for (j = 0; j < NCOUNTED; j++)
		json_object_set_new(totals, counted[j].key, json_integer(0));
	for (i = 0; i < (int)nunits; i++) {
		const char *sk;
		json_t *sv;
		int64_t ms;
		u = json_object_get(units, ukeys[i]);
		json_object_set_new(u, "top", best(st, cache, cand, n, i, -1, pick, top));
		add(totals, "problems", json_integer_value(json_object_get(u, "problems")));
		json_object_foreach(json_object_get(u, "by_state"), sk, sv)
			add(json_object_get(totals, "by_state"), sk, json_integer_value(sv));
		for (j = 0; j < NCOUNTED; j++)
			add(totals, counted[j].key, json_integer_value(json_object_get(u, counted[j].key)));
		if ((ms = sync_ms(u)) < oldest)
			oldest = ms;
	}
	out = json_object();
	json_object_set_new(out, "top", best(st, cache, cand, n, -1, -1, pick, top));
	json_object_set_new(totals, "oldest_sync_ms", oldest == INT64_MAX ? json_null() : json_integer(oldest));
	json_object_set_new(out, "node", json_string(store_node(st)));
	json_object_set_new(out, "level", json_string(unit_level_name(unit_level(store_node(st)))));
	json_object_set_new(out, "under", json_string(base));
	json_object_set_new(out, "generated_ms", json_integer((json_int_t)time(NULL) * 1000));
	json_object_set_new(out, "freshness",
			    json_string("each unit's figures are as recent as the last successful sync (last_sync)"
					" of the child of this node that carries them ('via'); this node's own"
					" records are local and current"));
	json_object_set_new(out, "units", sorted(units, unit_cmp));
	json_object_set_new(out, "totals", totals);

	/* Per category: its top problems, sources, freshness and name. */
	for (i = 0; i < (int)ncats; i++) {
		json_t *srcs = json_array(), *sv;
		const char *sk;
		int64_t old = INT64_MAX, ms;
		char name[512];
		ck = ckeys[i];
		c = json_object_get(cats, ck);
		json_object_set_new(c, "top", best(st, cache, cand, n, -1, i, pick, top));
		json_object_foreach(json_object_get(c, "sources"), sk, sv) {
			json_t *s = json_deep_copy(sv);
			json_object_set_new(s, "via", json_string(sk));
			if ((ms = sync_ms(s)) < old)
				old = ms;
			json_array_append_new(srcs, s);
		}
		json_object_set_new(c, "sources", srcs);
		json_object_set_new(c, "oldest_sync_ms", old == INT64_MAX ? json_null() : json_integer(old));
		text_int(st, "SELECT name_fa FROM problem_category WHERE code = ?1 AND deleted = 0", ck, name,
			 sizeof(name));
		json_object_set_new(c, "name_fa", json_string(name));
	}
	json_object_set_new(out, "by_category", sorted(cats, cat_cmp));
out:
	free(ukeys);
	free(ckeys);
	free(cand);
	free(pick);
	json_decref(pairs);
	json_decref(cache);
	json_decref(cats);
	json_decref(units);
	return out;
}

/* ---- the dashboard ---- */

/* child_of writes into out the unit directly below under on the way to code; false when none. */
static bool
child_of(const char *under, const char *code, char out[NZ_ID_MAX])
{
	size_t n = strlen(under);
	const char *dash;

	if (code == NULL || !unit_within(code, under) || strcmp(code, under) == 0)
		return false;
	dash = strchr(code + n + 1, '-');
	snprintf(out, NZ_ID_MAX, "%.*s", (int)(dash ? (size_t)(dash - code) : strlen(code)), code);
	return true;
}

/* bump adds by to obj[unit][key], creating what is missing. */
static void
bump(json_t *obj, const char *unit, const char *key, json_int_t by)
{
	json_t *u = json_object_get(obj, unit);

	if (u == NULL) {
		u = json_object();
		json_object_set_new(obj, unit, u);
	}
	add(u, key, by);
}

/* bucket is the unit a figure of code counts under in a dashboard of under: itself or its child. */
static void
bucket(const char *under, const char *code, char out[NZ_ID_MAX])
{
	if (!child_of(under, code, out))
		snprintf(out, NZ_ID_MAX, "%s", under);
}

/*
 * Problems by effective status, council decisions, intervention stages and
 * active appointments, per unit, from the aggregates.
 */
static int
register_figures(struct store *st, const char *under, json_t *fig, struct nz_err *err)
{
	char b[NZ_ID_MAX], key[64];
	sqlite3_stmt *q;

	if ((q = rows_of(st, under, true, err)) == NULL)
		return NZ_EDB;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(q, 2);
		json_int_t n = sqlite3_column_int64(q, 3);
		bucket(under, (const char *)sqlite3_column_text(q, 0), b);
		if (state[0]) {
			snprintf(key, sizeof(key), "issues_%s", state);
			bump(fig, b, key, n);
		}
		bump(fig, b, "issues", n);
	}
	sqlite3_reset(q);
	if ((q = rows_of(st, under, false, err)) == NULL)
		return NZ_EDB;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(q, 0);
		const char *k = (const char *)sqlite3_column_text(q, 2);
		json_int_t n = sqlite3_column_int64(q, 3);
		bucket(under, (const char *)sqlite3_column_text(q, 1), b);
		if (strcmp(tbl, "sel_appointment") == 0 && strcmp(k, "active") == 0) {
			bump(fig, b, "appointed", n);
		} else if (strcmp(tbl, "council_decision") == 0 && k[0]) {
			snprintf(key, sizeof(key), "decision_%s", k);
			bump(fig, b, key, n);
		} else if (strcmp(tbl, "intervention") == 0) {
			snprintf(key, sizeof(key), "stage_%s", k);
			bump(fig, b, key, n);
			bump(fig, b, "interventions", n);
		}
	}
	sqlite3_reset(q);
	return 0;
}

/*
 * Appointments against quota, as sel_appoint_summary() lists them: every
 * province and county of the tree under under and any unit that holds a
 * call or an appointment, each with its quota; the active appointments
 * come with the other counts (register_figures).  tree is under's org units.
 */
static void
quotas(struct store *st, const char *under, json_t *tree, json_t *fig)
{
	struct sel_std s;
	json_t *seen = json_object(), *row;
	char b[NZ_ID_MAX];
	sqlite3_stmt *q;
	size_t i;

	if (sel_std_load(st, 0, &s, NULL) != 0)
		sel_std_defaults(&s);
	json_array_foreach(tree, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		json_int_t lv = json_integer_value(json_object_get(row, "level"));
		if (id == NULL || (lv != NZ_LEVEL_PROVINCE && lv != NZ_LEVEL_COUNTY) || json_object_get(seen, id))
			continue;
		json_object_set_new(seen, id, json_true());
		bucket(under, id, b);
		bump(fig, b, "appointed", 0);
		bump(fig, b, "quota", sel_std_quota(&s, id));
	}
	if ((q = store_prepare(st,
			       "SELECT DISTINCT unit FROM dash_rec_n WHERE scope = 0 AND tbl IN ('sel_call',"
			       " 'sel_appointment') AND unit >= ?1 AND unit < ?1 || '.' AND n > 0",
			       NULL)) != NULL) {
		sqlite3_bind_text(q, 1, under, -1, SQLITE_TRANSIENT);
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(q, 0);
			if (json_object_get(seen, id))
				continue;
			json_object_set_new(seen, id, json_true());
			bucket(under, id, b);
			bump(fig, b, "appointed", 0);
			bump(fig, b, "quota", sel_std_quota(&s, id));
		}
		sqlite3_reset(q);
	}
	json_decref(seen);
}

json_t *
dash_compute(struct store *st, const char *under, int sync_interval, struct nz_err *err)
{
	json_t *j, *units, *names, *fig, *x, *row;
	char b[NZ_ID_MAX], via[NZ_ID_MAX], period[JPERIOD_TEXT_MAX], today[11], tj[11];
	struct nz_err e = {0};
	const char *k;
	size_t i;
	int level;

	if (under == NULL)
		under = store_node(st);
	if ((level = unit_level(under)) < 0) {
		nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", under);
		return NULL;
	}
	if (!unit_within(under, store_node(st))) {
		nz_fail(err, NZ_EDENIED, "%s is outside this node's subtree (%s)", under, store_node(st));
		return NULL;
	}
	if (dash_init(st, err) != 0)
		return NULL;
	fig = json_object();
	names = json_object();
	/* Names of under and of the units below it that the tree knows; the quota of every secretariat. */
	if ((x = orgunit_list(st, under)) != NULL) {
		json_array_foreach(x, i, row) {
			const char *c = json_string_value(json_object_get(row, "id"));
			if (c == NULL)
				c = json_string_value(json_object_get(row, "code"));
			if (c && (strcmp(c, under) == 0 || unit_level(c) == level + 1) && unit_within(c, under)) {
				json_object_set(names, c, json_object_get(row, "name_fa"));
				if (strcmp(c, under) != 0)
					bump(fig, c, "known", 1);
			}
		}
		quotas(st, under, x, fig);
		json_decref(x);
	}
	bump(fig, under, "known", 1);
	/* Orientation course: appointments that completed it. */
	if ((x = sel_course_status(st, under, false)) != NULL) {
		json_array_foreach(x, i, row) {
			bucket(under, json_string_value(json_object_get(row, "owner")), b);
			bump(fig, b, "course_total", 1);
			if (json_is_true(json_object_get(row, "completed")))
				bump(fig, b, "course_done", 1);
		}
		json_decref(x);
	}
	if (register_figures(st, under, fig, err) != 0) {
		json_decref(fig);
		json_decref(names);
		return NULL;
	}
	/* Reports of the last ended month: expected, received, on time. */
	rep_default_period(period);
	if ((x = cpl_compute(st, under, period, 2, &e)) != NULL) {
		json_t *rows = json_object_get(x, "units");
		json_array_foreach(rows, i, row) {
			const char *u = json_string_value(json_object_get(row, "unit"));
			json_t *own = json_object_get(row, "own");
			if (u == NULL || own == NULL)
				continue;
			bucket(under, u, b);
			bump(fig, b, "reports_expected", json_integer_value(json_object_get(own, "expected")));
			bump(fig, b, "reports_received", json_integer_value(json_object_get(own, "received")));
			bump(fig, b, "reports_on_time", json_integer_value(json_object_get(own, "on_time")));
			bump(fig, b, "reports_late", json_integer_value(json_object_get(own, "late")));
		}
		json_decref(x);
	}
	nz_err_clear(&e);
	/* Freshness: when this node last heard from the child that carries each unit's data. */
	units = json_array();
	json_object_foreach(fig, k, x) {
		int64_t ms = rep_watermark(st, k, via);
		char text[64];
		text[0] = '\0';
		if (ms > 0 && ms != INT64_MAX)
			rep_time_text(ms, text, sizeof(text));
		json_object_set_new(x, "unit", json_string(k));
		json_object_set(x, "name", json_object_get(names, k) ? json_object_get(names, k) : json_null());
		/* This node's own records (and its ancestors' directives) are current. */
		if (unit_within(store_node(st), k) || ms == INT64_MAX)
			ms = -1, snprintf(text, sizeof(text), "local");
		else if (ms <= 0)
			snprintf(text, sizeof(text), "never");
		json_object_set_new(x, "fresh_ms", json_integer(ms));
		json_object_set_new(x, "fresh", json_string(text));
		json_object_set_new(x, "self", json_boolean(strcmp(k, under) == 0));
		json_array_append(units, x);
	}
	nz_today(today);
	jalali_from_iso(today, tj, &e);
	j = json_pack("{s:s, s:o, s:s, s:i, s:s, s:I, s:s, s:o}", "under", under, "name",
		      json_object_get(names, under) ? json_incref(json_object_get(names, under)) : json_null(),
		      "level", unit_level_name(level), "level_n", level, "period", period, "generated",
		      (json_int_t)hlc_wall_ms(), "today", tj, "units", units);
	/* Top problems and categories of the subtree, as the register consolidates them. */
	nz_err_clear(&e);
	if ((x = dash_register(st, under, 5, &e)) != NULL)
		json_object_set_new(j, "register", x);
	nz_err_clear(&e);
	/* The share of each unit below, by the national indicators (a nominal budget: shares as percent). */
	if (level < NZ_LEVEL_COUNTY &&
	    (x = alloc_compute(st, 1000000, level == NZ_LEVEL_NATIONAL ? "province" : "county", under, NULL, &e)) != NULL)
		json_object_set_new(j, "allocation", x);
	else
		json_object_set_new(j, "allocation_error", json_string(e.msg));
	json_object_set_new(j, "sync", health_peers(st, sync_interval));
	json_decref(fig);
	json_decref(names);
	return j;
}
