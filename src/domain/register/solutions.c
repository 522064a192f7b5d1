/*
 * راه حل ها: solutions, their submission to a council, and council decisions.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"
#include "domain/sense.h"

/* ---- solutions ---- */

int
reg_sol_load(struct store *st, const char *id, struct sol *s, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((q = reg_prep(st,
		      "SELECT s.owner, COALESCE(s.status, ''), " REG_SOLUTION_STATE ", COALESCE(s.council, ''),"
		      " COALESCE(s.submitted, ''), COALESCE(s.round, 0), COALESCE(s.start_date, ''),"
		      " COALESCE(s.end_date, '') FROM solution s WHERE s.id = ?1 AND s.deleted = 0",
		      id, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "solution");
	if ((rc = rec_step_one(st, q, "solution", id, err)) == 0) {
		snprintf(s->owner, sizeof(s->owner), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(s->status, sizeof(s->status), "%s", (const char *)sqlite3_column_text(q, 1));
		snprintf(s->state, sizeof(s->state), "%s", (const char *)sqlite3_column_text(q, 2));
		snprintf(s->council, sizeof(s->council), "%s", (const char *)sqlite3_column_text(q, 3));
		snprintf(s->submitted, sizeof(s->submitted), "%s", (const char *)sqlite3_column_text(q, 4));
		s->round = sqlite3_column_int64(q, 5);
		snprintf(s->start, sizeof(s->start), "%s", (const char *)sqlite3_column_text(q, 6));
		snprintf(s->end, sizeof(s->end), "%s", (const char *)sqlite3_column_text(q, 7));
	}
	sqlite3_finalize(q);
	return rc;
}

int
solution_state(struct store *st, const char *id, char state[16], char owner[NZ_ID_MAX], struct nz_err *err)
{
	struct sol s;
	int rc;

	if ((rc = reg_sol_load(st, id, &s, err)) != 0)
		return rc;
	snprintf(state, 16, "%s", s.state);
	if (owner != NULL)
		snprintf(owner, NZ_ID_MAX, "%s", s.owner);
	return 0;
}

/* Writes a solution's new stored status (and more columns from cs when given). */
int
reg_sol_write_status(struct store *st, const char *id, const struct sol *s, const char *to, struct colset *cs,
		 const char *author, struct nz_err *err)
{
	char today[11];

	nz_today(today);
	colset_text(cs, "status", to);
	colset_text(cs, "status_date", today);
	return rec_write(st, "solution", id, s->owner, cs, author, err);
}

/* The problems a solution carries, moving with it: those whose current solution it is, in state from. */
int
reg_cascade(struct store *st, const char *sol, const char *from, const char *to, enum reg_via via,
	const char *author, struct nz_err *err)
{
	struct idlist *l;
	sqlite3_stmt *q;
	int i, rc = 0;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if ((q = reg_prep(st, "SELECT i.id FROM issue i WHERE i.solution = ?1 AND i.deleted = 0 AND " REG_ISSUE_STATE
			  " = ?2 ORDER BY i.id",
		      sol, from, NULL)) == NULL) {
		free(l);
		return store_sqlerr(st, err, "problems of a solution");
	}
	while (rc == 0 && sqlite3_step(q) == SQLITE_ROW)
		rc = reg_idlist_add(l, (const char *)sqlite3_column_text(q, 0), err);
	sqlite3_finalize(q);
	for (i = 0; rc == 0 && i < l->n; i++)
		rc = issue_move(st, l->id[i], to, via, NULL, author, err);
	free(l);
	return rc;
}

static int
reg_check_timeline(const char *start, const char *end, struct nz_err *err)
{
	if (start[0] != '\0' && end[0] != '\0' && strcmp(start, end) > 0)
		return nz_fail(err, NZ_EINVAL, "the timeline ends (%s) before it starts (%s)", end, start);
	return 0;
}

int
solution_add(struct store *st, const struct solution_input *in, const char *author, char id[NZ_RID_MAX],
	     struct nz_err *err)
{
	char owner[NZ_ID_MAX] = "", o[NZ_ID_MAX], state[16], start[11] = "", end[11] = "", today[11];
	char *issues = NULL;
	struct idlist *l = NULL;
	struct colset *cs;
	struct sol s;
	bool began = false;
	int i, rc;

	if (in->title == NULL || in->title[0] == '\0')
		return nz_fail_at(err, NZ_EINVAL, "title", NULL, "a solution needs a title");
	if (strlen(in->title) > 300)
		return nz_fail(err, NZ_EINVAL, "title is %zu bytes; at most 300", strlen(in->title));
	if ((rc = field_text("plan", in->plan, 0, false, err)) != 0 || (rc = field_text("bodies", in->bodies, 0, false, err)) != 0 ||
	    (rc = field_text("resources", in->resources, 0, false, err)) != 0)
		return rc;
	if (in->budget < -1)
		return nz_fail(err, NZ_EINVAL, "budget is %lld; give rials, 0 or more", in->budget);
	if ((in->start != NULL && in->start[0] && (rc = date_parse("start", in->start, start, err)) != 0) ||
	    (in->end != NULL && in->end[0] && (rc = date_parse("end", in->end, end, err)) != 0) ||
	    (rc = reg_check_timeline(start, end, err)) != 0)
		return rc;
	if ((l = calloc(1, sizeof(*l))) == NULL || (issues = malloc(LIST_MAX * NZ_RID_MAX)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < in->nissues; i++)
		if ((rc = reg_idlist_parse(l, in->issues[i], err)) != 0)
			goto out;
	if (l->n == 0) {
		rc = nz_fail_at(err, NZ_EINVAL, "issues", NULL, "a solution addresses at least one problem");
		goto out;
	}
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	began = true;
	for (i = 0; i < l->n; i++) {
		if ((rc = issue_state(st, l->id[i], state, o, NULL, err)) != 0)
			goto out;
		if (owner[0] == '\0')
			snprintf(owner, sizeof(owner), "%s", o);
		if (strcmp(owner, o) != 0) {
			rc = nz_fail(err, NZ_EINVAL, "problems of one solution share one area: '%s' is of %s, '%s' of %s",
				     l->id[0], owner, l->id[i], o);
			goto out;
		}
		if ((rc = reg_check_move(REG_ISSUE, "problem", l->id[i], state, "proposed", REG_VIA_SOLUTION,
					 err)) != 0)
			goto out;
	}
	if (!unit_within(owner, store_node(st))) {
		rc = nz_fail(err, NZ_EDENIED, "this node (%s) may not propose solutions for %s", store_node(st),
			     owner);
		goto out;
	}
	reg_idlist_text(l, issues, LIST_MAX * NZ_RID_MAX);
	nz_today(today);
	store_new_id(id);
	cs = colset_new();
	colset_text(cs, "title", in->title);
	colset_text(cs, "issues", issues);
	colset_text(cs, "exec_plan", nz_str(in->plan));
	colset_text(cs, "bodies", nz_str(in->bodies));
	colset_text(cs, "resources", nz_str(in->resources));
	colset_text(cs, "start_date", start);
	colset_text(cs, "end_date", end);
	if (in->budget >= 0)
		colset_int(cs, "budget", in->budget);
	colset_int(cs, "round", 0);
	colset_text(cs, "council", "");
	colset_text(cs, "created", today);
	memset(&s, 0, sizeof(s));
	snprintf(s.owner, sizeof(s.owner), "%s", owner);
	rc = reg_sol_write_status(st, id, &s, "proposed", cs, author, err);
	for (i = 0; rc == 0 && i < l->n; i++)
		rc = issue_move(st, l->id[i], "proposed", REG_VIA_SOLUTION, id, author, err);
out:
	if (began)
		rc = rec_finish(st, rc, err);
	free(issues);
	free(l);
	return rc;
}

int
solution_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	     struct nz_err *err)
{
	static const char *const locked[] = {"status", "status_date", "round", "council", "submitted", "issues",
					     "created", "close_reason", NULL};
	static const char *const dates[] = {"start_date", "end_date", NULL};
	/* The names solution add takes (--plan, --start, --end) mean the same here. */
	static const char *const aliases[] = {"plan", "exec_plan", "start", "start_date", "end", "end_date", NULL};
	struct sol s;
	int i, rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	for (i = 0; i < npairs; i++)
		if (strncmp(pairs[i], "title=", 6) == 0 && pairs[i][6] == '\0') {
			rc = nz_fail(err, NZ_EINVAL, "a solution's title cannot be empty");
			goto out;
		}
	if ((rc = reg_set_pairs(st, &solution_table, "solution", id, npairs, pairs, locked, dates, aliases, author,
				err)) != 0)
		goto out;
	/* Checked on the result, so that start and end may change together. */
	if ((rc = reg_sol_load(st, id, &s, err)) == 0)
		rc = reg_check_timeline(s.start, s.end, err);
out:
	return rec_finish(st, rc, err);
}

int
solution_submit(struct store *st, const char *id, const char *council, const char *date, const char *author,
		struct nz_err *err)
{
	char unit[NZ_ID_MAX], parent[NZ_ID_MAX], when[11];
	struct colset *cs;
	struct sol s;
	int rc;

	if (date != NULL && date[0] != '\0') {
		if ((rc = date_parse("submission date", date, when, err)) != 0 ||
		    (rc = sense_not_future("sense.submission_future", "submission date", when, err)) != 0)
			return rc;
	} else {
		nz_today(when);
	}
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = reg_sol_load(st, id, &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", id, s.state, "council", REG_VIA_SUBMIT, err)) != 0)
		goto out;
	if (unit_parent(s.owner, parent) != 0)
		parent[0] = '\0';
	if (council == NULL || council[0] == '\0') {
		rc = nz_fail_at(err, NZ_EINVAL, "council", NULL, "name the council: county or province");
		goto out;
	}
	if (strcmp(council, "county") == 0) {
		if (unit_level(s.owner) != NZ_LEVEL_COUNTY) {
			rc = nz_fail(err, NZ_EINVAL, "solution '%s' is of %s, which has no county council", id,
				     s.owner);
			goto out;
		}
		snprintf(unit, sizeof(unit), "%s", s.owner);
	} else if (strcmp(council, "province") == 0) {
		if (unit_level(s.owner) == NZ_LEVEL_PROVINCE)
			snprintf(unit, sizeof(unit), "%s", s.owner);
		else if (unit_level(s.owner) == NZ_LEVEL_COUNTY)
			snprintf(unit, sizeof(unit), "%s", parent);
		else {
			rc = nz_fail(err, NZ_EINVAL, "solution '%s' is of %s, which has no provincial council", id,
				     s.owner);
			goto out;
		}
	} else if (strcmp(council, s.owner) == 0 || strcmp(council, parent) == 0) {
		snprintf(unit, sizeof(unit), "%s", council);
	} else {
		rc = nz_fail(err, NZ_EINVAL,
			     "council '%s' is neither county nor province: a solution of %s goes to the social"
			     " council of %s or of its province",
			     council, s.owner, s.owner);
		goto out;
	}
	if (unit_level(unit) == NZ_LEVEL_NATIONAL) {
		rc = nz_fail(err, NZ_EINVAL, "the issue register has no national social council");
		goto out;
	}
	cs = colset_new();
	colset_int(cs, "round", s.round + 1);
	colset_text(cs, "council", unit);
	colset_text(cs, "submitted", when);
	if ((rc = reg_sol_write_status(st, id, &s, "council", cs, author, err)) != 0)
		goto out;
	rc = reg_cascade(st, id, "proposed", "council", REG_VIA_SUBMIT, author, err);
out:
	return rec_finish(st, rc, err);
}

int
solution_revise(struct store *st, const char *id, const char *author, struct nz_err *err)
{
	struct sol s;
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = reg_sol_load(st, id, &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", id, s.state, "proposed", REG_VIA_REVISE, err)) != 0)
		goto out;
	/* The problems first: their state reads the decision, which the solution's move hides. */
	if ((rc = reg_cascade(st, id, "returned", "proposed", REG_VIA_REVISE, author, err)) != 0)
		goto out;
	rc = reg_sol_write_status(st, id, &s, "proposed", colset_new(), author, err);
out:
	return rec_finish(st, rc, err);
}

int
solution_close(struct store *st, const char *id, const char *reason, const char *author, struct nz_err *err)
{
	struct colset *cs;
	struct sol s;
	int rc;

	if ((rc = field_text("reason", reason, 0, false, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = reg_sol_load(st, id, &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", id, s.state, "closed", REG_VIA_CLOSE, err)) != 0)
		goto out;
	if ((rc = reg_cascade(st, id, s.state, "closed", REG_VIA_CLOSE, author, err)) != 0)
		goto out;
	cs = colset_new();
	colset_text(cs, "close_reason", nz_str(reason));
	rc = reg_sol_write_status(st, id, &s, "closed", cs, author, err);
out:
	return rec_finish(st, rc, err);
}

static const char solution_select[] =
	"SELECT s.id, s.owner, s.title, " REG_SOLUTION_STATE " AS state, s.status, s.issues, s.exec_plan,"
	" s.bodies, s.resources, s.budget, s.start_date, s.end_date, s.round, s.council, s.submitted,"
	" s.status_date, s.close_reason, s.created FROM solution s WHERE s.deleted = 0";

json_t *
solution_list(struct store *st, const char *under, const char *state)
{
	char sql[1536];

	snprintf(sql, sizeof(sql), "SELECT * FROM (%s AND " UNIT_SQL_UNDER("s.owner") ") WHERE (?2 IS NULL OR state = ?2)"
		 " ORDER BY owner, created, id", solution_select);
	return reg_query(st, sql, under, state, NULL);
}

int
solution_get(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	static const struct reg_part parts[] = {
		{"decisions", "SELECT d.id, d.round, d.council, d.date, d.resolution, d.decision, d.conditions,"
			      " d.recorded FROM council_decision d WHERE d.solution = ?1 AND d.deleted = 0"
			      " ORDER BY d.round"},
		{"interventions", "SELECT id, title, created FROM intervention WHERE solution = ?1 AND deleted = 0"},
		{NULL, NULL},
	};
	char sql[1536];
	int rc;

	snprintf(sql, sizeof(sql), "%s AND s.id = ?1", solution_select);
	if ((rc = rec_one(st, reg_query(st, sql, id, NULL, NULL), "solution", id, out, err)) != 0 ||
	    (rc = rec_attach(st, out, "problems",
			     reg_query(st,
				       "SELECT i.id, i.title, " REG_ISSUE_STATE " AS state FROM issue i"
				       " WHERE i.deleted = 0 AND (' ' || ?1 || ' ') LIKE ('% ' || i.id || ' %')"
				       " ORDER BY i.id",
				       json_string_value(json_object_get(*out, "issues")), NULL, NULL),
			     err)) != 0 ||
	    (rc = reg_attach_parts(st, out, parts, id, err)) != 0)
		return rc;
	return rec_attach(st, out, "evaluations", reg_evaluations(st, "solution", id), err);
}

/* ---- council decisions ---- */

int
council_decide(struct store *st, const struct decision_input *in, const char *author, struct nz_err *err)
{
	char date[11], today[11], rid[NZ_RID_MAX];
	const char *d = in->decision;
	struct colset *cs;
	struct sol s;
	int rc;

	if (in->solution == NULL || in->solution[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "name the solution decided on");
	if (d == NULL || (strcmp(d, "approved") != 0 && strcmp(d, "rejected") != 0 && strcmp(d, "returned") != 0))
		return nz_fail(err, NZ_EINVAL, "decision '%s' is not one of approved, rejected, returned", nz_str(d));
	if ((rc = date_parse("council session date", in->date, date, err)) != 0 ||
	    (rc = sense_not_future("sense.decision_future", "council session date", date, err)) != 0)
		return rc;
	if (strcmp(d, "returned") != 0 && (in->resolution == NULL || in->resolution[0] == '\0'))
		return nz_fail_at(err, NZ_EINVAL, "resolution", NULL,
				  "a decision to approve or reject needs its resolution number");
	if ((rc = field_text("resolution", in->resolution, 0, false, err)) != 0 ||
	    (rc = field_text("conditions", in->conditions, 0, false, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = reg_sol_load(st, in->solution, &s, err)) != 0)
		goto out;
	/* A decision already on this round may be corrected until the solution's unit acts on it. */
	if (strcmp(s.status, "council") != 0) {
		rc = reg_check_move(REG_SOLUTION, "solution", in->solution, s.state, d, REG_VIA_DECISION, err);
		if (rc == 0)
			rc = nz_fail(err, NZ_ESTATE, "solution '%s' is not before a council", in->solution);
		goto out;
	}
	if (strcmp(s.council, store_node(st)) != 0) {
		rc = nz_fail(err, NZ_EDENIED,
			     "solution '%s' is before the social council of %s; its decision is recorded at %s,"
			     " not at %s",
			     in->solution, s.council, s.council, store_node(st));
		goto out;
	}
	if ((rc = sense_not_before("sense.decision_before_submission", "council session date", date,
				   "the submission", s.submitted, err)) != 0)
		goto out;
	snprintf(rid, sizeof(rid), "%s-r%lld", in->solution, (long long)s.round);
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "solution", in->solution);
	colset_int(cs, "round", s.round);
	colset_text(cs, "council", s.council);
	colset_text(cs, "date", date);
	colset_text(cs, "resolution", nz_str(in->resolution));
	colset_text(cs, "decision", d);
	colset_text(cs, "conditions", nz_str(in->conditions));
	colset_text(cs, "recorded", today);
	/* Owned by the solution's unit: it travels down to it and up from here. */
	rc = store_write(st, "council_decision", rid, s.owner, cs, author, err);
	colset_free(cs);
out:
	return rec_finish(st, rc, err);
}

json_t *
council_list(struct store *st, const char *under, bool pending)
{
	if (pending)
		return reg_query(st,
			     "SELECT s.id, s.owner, s.title, s.round, s.council, s.submitted, s.issues FROM solution s"
			     " WHERE s.deleted = 0 AND s.status = 'council' AND s.council = ?2 AND " UNIT_SQL_UNDER("s.owner")
			     " AND NOT EXISTS (SELECT 1 FROM council_decision d WHERE d.id = s.id || '-r' || s.round"
			     " AND d.deleted = 0) ORDER BY s.submitted, s.id",
			     under, store_node(st), NULL);
	return reg_query(st,
		     "SELECT d.id, d.owner, d.solution, s.title, d.round, d.council, d.date, d.resolution, d.decision,"
		     " d.conditions, d.recorded FROM council_decision d LEFT JOIN solution s ON s.id = d.solution"
		     " WHERE d.deleted = 0 AND " UNIT_SQL_UNDER("d.owner") " ORDER BY d.date, d.id",
		     under, NULL, NULL);
}
