/* نظام مسائل: the problems of the issue register, and the lifecycle they share with solutions. */
#include <stdio.h>
#include <string.h>

#include "domain/register/reg_int.h"

/* Fields that change only through their own operations. */
static const char *const issue_locked[] = {"status", "created", "solution", "status_date", "close_reason",
					   NULL};

static int
check_source(const char *source, struct nz_err *err)
{
	if (source == NULL || source[0] == '\0' || strcmp(source, "session") == 0 ||
	    strcmp(source, "views") == 0 || strcmp(source, "monitoring") == 0)
		return 0;
	return nz_fail(err, NZ_EINVAL, "source '%s' is not one of session, views, monitoring", source);
}

static int
check_title(const char *title, struct nz_err *err)
{
	if (title == NULL || title[0] == '\0')
		return nz_fail_at(err, NZ_EINVAL, "title", NULL, "a problem needs a title");
	if (strlen(title) > 300)
		return nz_fail(err, NZ_EINVAL, "title is %zu bytes; at most 300", strlen(title));
	return 0;
}

/* A session named as a problem's source must be a live session of the problem's area. */
static int
check_session(struct store *st, const char *sid, const char *area, struct nz_err *err)
{
	char owner[NZ_ID_MAX];
	int rc;

	if (sid == NULL || sid[0] == '\0')
		return 0;
	if ((rc = rec_owner(st, &delib_session_table, sid, "deliberation session", owner, err)) != 0)
		return rc;
	if (strcmp(owner, area) != 0)
		return nz_fail(err, NZ_EINVAL, "session '%s' belongs to %s, not to the problem's area %s", sid,
			       owner, area);
	return 0;
}

int
issue_create(struct store *st, const struct issue_input *in, const char *author, char id[NZ_RID_MAX],
	     struct nz_err *err)
{
	const char *area = in->area && in->area[0] ? in->area : store_node(st);
	struct colset *cs;
	char today[11];
	int rc;

	if ((rc = check_title(in->title, err)) != 0)
		return rc;
	if (unit_level(area) < 0)
		return nz_fail(err, NZ_EINVAL, "area '%s' is not an org-unit code", area);
	if (!unit_within(area, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "area %s lies outside this node's register (%s)", area,
			       store_node(st));
	if (in->people < -1)
		return nz_fail(err, NZ_EINVAL, "people affected is %lld; give a count of 0 or more", in->people);
	if ((rc = reg_category_check(st, in->category, err)) != 0 || (rc = check_source(in->source, err)) != 0 ||
	    (rc = check_session(st, in->session, area, err)) != 0)
		return rc;
	cs = colset_new();
	nz_today(today);
	colset_text(cs, "title", in->title);
	colset_text(cs, "description", in->description ? in->description : "");
	colset_text(cs, "category", in->category ? in->category : "");
	colset_text(cs, "status", "identified");
	colset_text(cs, "status_date", today);
	colset_text(cs, "created", today);
	colset_text(cs, "neighbourhood", in->neighbourhood ? in->neighbourhood : "");
	colset_text(cs, "source", in->source ? in->source : "");
	colset_text(cs, "session", in->session ? in->session : "");
	if (in->people >= 0)
		colset_int(cs, "people_affected", in->people);
	store_new_id(id);
	return rec_write(st, "issue", id, area, cs, author, err);
}

int
issue_add(struct store *st, const char *title, const char *description, const char *category,
	  const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	struct issue_input in = {0};

	in.title = title;
	in.description = description;
	in.category = category;
	in.people = -1;
	return issue_create(st, &in, author, id, err);
}

int
issue_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	  struct nz_err *err)
{
	/* The names issue add takes (--people, --village) mean the same here. */
	static const char *const aliases[] = {"people", "people_affected", "village", "neighbourhood", NULL};
	char owner[NZ_ID_MAX], name[64];
	struct colset *cs;
	int i, rc;

	if ((rc = rec_owner(st, &issue_table, id, "problem", owner, err)) != 0)
		return rc;
	if (npairs == 0)
		return nz_fail(err, NZ_EINVAL, "nothing to set: give FIELD=VALUE pairs");
	cs = colset_new();
	for (i = 0; i < npairs; i++) {
		const char *v;
		if ((rc = reg_pair(pairs[i], aliases, name, &v, err)) != 0)
			goto out;
		if (strcmp(name, "title") == 0)
			rc = check_title(v, err);
		else if (strcmp(name, "category") == 0)
			rc = reg_category_check(st, v, err);
		else if (strcmp(name, "source") == 0)
			rc = check_source(v, err);
		else if (strcmp(name, "session") == 0)
			rc = check_session(st, v, owner, err);
		else if (strcmp(name, "people_affected") == 0 && v[0] == '-')
			rc = nz_fail(err, NZ_EINVAL, "people_affected is %s; give a count of 0 or more", v);
		if (rc != 0)
			goto out;
		if ((rc = rec_colset_add(cs, &issue_table, name, v, issue_locked, err)) != 0)
			goto out;
	}
	rc = store_write(st, "issue", id, owner, cs, author, err);
out:
	colset_free(cs);
	return rc;
}

int
issue_state(struct store *st, const char *id, char state[16], char owner[NZ_ID_MAX],
	    char solution[NZ_RID_MAX], struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT " REG_ISSUE_STATE ", i.owner, COALESCE(i.solution, '') FROM issue i"
			       " WHERE i.id = ?1 AND i.deleted = 0",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "issue state");
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if ((rc = rec_step_one(st, q, "problem", id, err)) == 0) {
		snprintf(state, 16, "%s", (const char *)sqlite3_column_text(q, 0));
		if (owner != NULL)
			snprintf(owner, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 1));
		if (solution != NULL)
			snprintf(solution, NZ_RID_MAX, "%s", (const char *)sqlite3_column_text(q, 2));
	}
	sqlite3_finalize(q);
	return rc;
}

int
issue_move(struct store *st, const char *id, const char *to, enum reg_via via, const char *solution,
	   const char *author, struct nz_err *err)
{
	char state[16], owner[NZ_ID_MAX], today[11];
	struct colset *cs;
	int rc;

	if ((rc = issue_state(st, id, state, owner, NULL, err)) != 0)
		return rc;
	if ((rc = reg_check_move(REG_ISSUE, "problem", id, state, to, via, err)) != 0)
		return rc;
	cs = colset_new();
	nz_today(today);
	colset_text(cs, "status", to);
	colset_text(cs, "status_date", today);
	if (solution != NULL)
		colset_text(cs, "solution", solution);
	return rec_write(st, "issue", id, owner, cs, author, err);
}

int
issue_close(struct store *st, const char *id, const char *reason, const char *author, struct nz_err *err)
{
	char state[16], owner[NZ_ID_MAX], today[11];
	struct colset *cs;
	int rc;

	if ((rc = issue_state(st, id, state, owner, NULL, err)) != 0)
		return rc;
	if ((rc = reg_check_move(REG_ISSUE, "problem", id, state, "closed", REG_VIA_CLOSE, err)) != 0)
		return rc;
	cs = colset_new();
	nz_today(today);
	colset_text(cs, "status", "closed");
	colset_text(cs, "status_date", today);
	colset_text(cs, "close_reason", reason ? reason : "");
	return rec_write(st, "issue", id, owner, cs, author, err);
}

/*
 * Priority: for each active criterion with weight w and scale M, the mean m
 * of every score the problem was given on it (across sessions and stakeholder
 * groups); priority = 100 * sum(w * m / M) / sum(w) over the active
 * criteria, a criterion never scored counting 0.  Rank: 1, 2, ... within the
 * area (owner) among scored problems not closed, by priority, then people
 * affected, then age.
 */
static const char issue_list_sql[] =
	"WITH p AS (SELECT i.id, i.owner, i.title, i.description, i.category, i.status, " REG_ISSUE_STATE
	" AS state, i.neighbourhood, i.people_affected, i.source, i.session, i.solution, i.created,"
	" i.status_date, i.close_reason,"
	" (SELECT count(*) FROM issue_score x WHERE x.issue = i.id AND x.deleted = 0) AS nscores,"
	" " REG_LINKS("helper", "issue", "i.id") " AS helpers,"
	" (SELECT 100.0 * SUM(c.weight * (SELECT AVG(x.score) FROM issue_score x WHERE x.issue = i.id"
	"   AND x.criterion = c.code AND x.deleted = 0) / c.scale_max)"
	"  FROM priority_criterion c WHERE c.deleted = 0 AND c.active = 1 AND c.weight > 0)"
	" / (SELECT NULLIF(SUM(weight), 0) FROM priority_criterion"
	"  WHERE deleted = 0 AND active = 1 AND weight > 0) AS prio"
	" FROM issue i WHERE i.deleted = 0 AND " UNIT_SQL_UNDER("i.owner") "),"
	" r AS (SELECT p.*, CASE WHEN prio IS NOT NULL AND state != 'closed' THEN ROW_NUMBER() OVER"
	" (PARTITION BY owner, prio IS NOT NULL AND state != 'closed' ORDER BY prio DESC,"
	" COALESCE(people_affected, 0) DESC, created, id) END AS area_rank FROM p)"
	" SELECT id, owner, title, description, category, state, status, neighbourhood, people_affected,"
	" source, session, solution, created, status_date, close_reason, nscores,"
	" ROUND(prio, 2) AS priority, area_rank AS rank, helpers FROM r"
	" WHERE (?2 IS NULL OR state = ?2) AND (?3 IS NULL OR category = ?3) AND (?4 IS NULL OR id = ?4)"
	" ORDER BY owner, area_rank IS NULL, area_rank, created, id";

static json_t *
list_issues(struct store *st, const char *under, const char *state, const char *category, const char *id)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(st), issue_list_sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	rec_bind(q, 4, (const char *const[]){under, state, category, id});
	return reg_rows(q);
}

json_t *
issue_list(struct store *st, const char *under, const char *state, const char *category)
{
	return list_issues(st, under, state, category, NULL);
}

int
issue_get(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	static const struct reg_part parts[] = {
		{"criteria", "SELECT c.code AS criterion, c.name_fa, c.weight, c.scale_max,"
			     " (SELECT ROUND(AVG(x.score), 4) FROM issue_score x WHERE x.issue = ?1"
			     "  AND x.criterion = c.code AND x.deleted = 0) AS mean,"
			     " (SELECT count(*) FROM issue_score x WHERE x.issue = ?1"
			     "  AND x.criterion = c.code AND x.deleted = 0) AS count"
			     " FROM priority_criterion c WHERE c.deleted = 0 AND c.active = 1"
			     " ORDER BY c.ord, c.code"},
		{"scores", "SELECT x.session, s.date, x.stakeholder, x.criterion, x.score FROM issue_score x"
			   " LEFT JOIN delib_session s ON s.id = x.session WHERE x.issue = ?1 AND x.deleted = 0"
			   " ORDER BY s.date, x.session, x.stakeholder, x.criterion"},
		{NULL, NULL},
	};
	char owner[NZ_ID_MAX];
	int rc;

	*out = NULL;
	/* The rank needs the whole area. */
	if ((rc = rec_owner(st, &issue_table, id, "problem", owner, err)) != 0 ||
	    (rc = rec_one(st, list_issues(st, owner, NULL, NULL, id), "problem", id, out, err)) != 0 ||
	    (rc = reg_attach_parts(st, out, parts, id, err)) != 0)
		return rc;
	return rec_attach(st, out, "helper_groups", link_list(st, LINK_HELPER, "issue", id), err);
}
