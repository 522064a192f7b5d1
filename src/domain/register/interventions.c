/*
 * مداخلات: interventions in five stages, and their evaluations.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"
#include "domain/sense.h"

/* ---- interventions ---- */

static int
stage_index(const char *stage)
{
	int i;

	if (stage == NULL)
		return -1;
	if (stage[0] >= '1' && stage[0] <= '5' && stage[1] == '\0')
		return stage[0] - '1';
	for (i = 0; i < REG_NSTAGES; i++)
		if (strcmp(stage, reg_stages[i]) == 0 || strcmp(stage, reg_stages_fa[i]) == 0)
			return i;
	return -1;
}

int
intervention_add(struct store *st, const char *solution, const char *title, const char *author,
		 char id[NZ_RID_MAX], struct nz_err *err)
{
	char today[11], stitle[301] = "";
	struct colset *cs;
	sqlite3_stmt *q;
	struct sol s;
	int rc;

	if ((rc = field_text("title", title, 0, false, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = reg_sol_load(st, nz_str(solution), &s, err)) != 0 ||
	    (rc = reg_check_move(REG_SOLUTION, "solution", solution, s.state, "intervention", REG_VIA_INTERVENTION,
				 err)) != 0)
		goto out;
	if ((q = reg_prep(st, "SELECT COALESCE(title, '') FROM solution WHERE id = ?1", solution, NULL, NULL)) != NULL) {
		if (sqlite3_step(q) == SQLITE_ROW)
			snprintf(stitle, sizeof(stitle), "%s", (const char *)sqlite3_column_text(q, 0));
		sqlite3_finalize(q);
	}
	nz_today(today);
	store_new_id(id);
	cs = colset_new();
	colset_text(cs, "solution", solution);
	colset_text(cs, "title", title != NULL && title[0] ? title : stitle);
	colset_text(cs, "created", today);
	rc = store_write(st, "intervention", id, s.owner, cs, author, err);
	colset_free(cs);
	if (rc != 0)
		goto out;
	/* The problems first: their state reads the decision, which the solution's move hides. */
	if ((rc = reg_cascade(st, solution, "approved", "intervention", REG_VIA_INTERVENTION, author, err)) != 0)
		goto out;
	rc = reg_sol_write_status(st, solution, &s, "intervention", colset_new(), author, err);
out:
	return rec_finish(st, rc, err);
}

struct stage_row {
	char start[11], end[11];
};

static int
stages_load(struct store *st, const char *id, char owner[NZ_ID_MAX], struct stage_row rows[REG_NSTAGES],
	    struct nz_err *err)
{
	char sql[512];
	sqlite3_stmt *q;
	int i, rc;

	snprintf(sql, sizeof(sql),
		 "SELECT owner, needs_start, needs_end, priority_start, priority_end, planning_start,"
		 " planning_end, implementation_start, implementation_end, evaluation_start, evaluation_end"
		 " FROM intervention WHERE id = ?1 AND deleted = 0");
	if ((q = reg_prep(st, sql, id, NULL, NULL)) == NULL)
		return store_sqlerr(st, err, "intervention");
	if ((rc = rec_step_one(st, q, "intervention", id, err)) == 0) {
		snprintf(owner, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
		for (i = 0; i < REG_NSTAGES; i++) {
			const unsigned char *a = sqlite3_column_text(q, 1 + 2 * i);
			const unsigned char *b = sqlite3_column_text(q, 2 + 2 * i);
			snprintf(rows[i].start, sizeof(rows[i].start), "%s", a ? (const char *)a : "");
			snprintf(rows[i].end, sizeof(rows[i].end), "%s", b ? (const char *)b : "");
		}
	}
	sqlite3_finalize(q);
	return rc;
}

int
intervention_stage(struct store *st, const char *id, const char *stage, const char *start, const char *end,
		   long long participants, const char *notes, const char *author, struct nz_err *err)
{
	struct stage_row rows[REG_NSTAGES];
	char owner[NZ_ID_MAX], col[40];
	struct colset *cs = NULL;
	int k, i, rc;

	if ((k = stage_index(stage)) < 0)
		return nz_fail(err, NZ_EINVAL,
			       "stage '%s' is not one of needs, priority, planning, implementation, evaluation (or 1-5)",
			       nz_str(stage));
	if (participants < -1)
		return nz_fail(err, NZ_EINVAL, "participants is %lld; give a count of 0 or more", participants);
	if ((rc = field_text("notes", notes, 0, false, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = stages_load(st, id, owner, rows, err)) != 0)
		goto out;
	if (start != NULL && start[0] != '\0' && (rc = date_parse("start", start, rows[k].start, err)) != 0)
		goto out;
	if (start != NULL && start[0] == '\0')
		rows[k].start[0] = '\0';
	if (end != NULL && end[0] != '\0' &&
	    ((rc = date_parse("end", end, rows[k].end, err)) != 0 ||
	     (rc = sense_not_future("sense.stage_end_future", "end", rows[k].end, err)) != 0))
		goto out;
	if (end != NULL && end[0] == '\0')
		rows[k].end[0] = '\0';
	if (rows[k].end[0] != '\0' && rows[k].start[0] == '\0') {
		rc = nz_fail_at(err, NZ_EINVAL, "start", NULL,
				"stage %s cannot end before it has started: give its start too", reg_stages[k]);
		goto out;
	}
	if ((rc = sense_not_before("sense.stage_end_before_start", "end", rows[k].end, "its start", rows[k].start,
				   err)) != 0)
		goto out;
	/* The stages follow one another: one ends only after those before it. */
	for (i = 0; rows[k].end[0] != '\0' && i < k; i++)
		if (rows[i].end[0] == '\0') {
			rc = nz_fail(err, NZ_ESTATE, "stage %s (%s) cannot end while stage %s (%s) has not",
				     reg_stages[k], reg_stages_fa[k], reg_stages[i], reg_stages_fa[i]);
			goto out;
		}
	for (i = k + 1; rows[k].end[0] == '\0' && i < REG_NSTAGES; i++)
		if (rows[i].end[0] != '\0') {
			rc = nz_fail(err, NZ_ESTATE, "stage %s cannot be reopened: stage %s after it has ended",
				     reg_stages[k], reg_stages[i]);
			goto out;
		}
	cs = colset_new();
	if (start != NULL) {
		snprintf(col, sizeof(col), "%s_start", reg_stages[k]);
		colset_text(cs, col, rows[k].start);
	}
	if (end != NULL) {
		snprintf(col, sizeof(col), "%s_end", reg_stages[k]);
		colset_text(cs, col, rows[k].end);
	}
	if (participants >= 0) {
		snprintf(col, sizeof(col), "%s_people", reg_stages[k]);
		colset_int(cs, col, participants);
	}
	if (notes != NULL) {
		snprintf(col, sizeof(col), "%s_notes", reg_stages[k]);
		colset_text(cs, col, notes);
	}
	if (colset_count(cs) == 0) {
		rc = nz_fail(err, NZ_EINVAL, "nothing to record for stage %s: give dates, participants or notes",
			     reg_stages[k]);
		goto out;
	}
	rc = store_write(st, "intervention", id, owner, cs, author, err);
out:
	colset_free(cs);
	return rec_finish(st, rc, err);
}

/* Adds stages_done, progress and current_stage (and with full, the stages) to an intervention row. */
static void
add_progress(json_t *row, bool full)
{
	json_t *stages = json_array();
	char col[40];
	int i, done = 0, current = -1;

	json_object_del(row, "deleted");
	for (i = 0; i < REG_NSTAGES; i++) {
		json_t *s = json_object();
		const char *f[] = {"start", "end", "people", "notes"};
		int j;
		bool ended;
		json_object_set_new(s, "stage", json_string(reg_stages[i]));
		json_object_set_new(s, "name_fa", json_string(reg_stages_fa[i]));
		for (j = 0; j < 4; j++) {
			snprintf(col, sizeof(col), "%s_%s", reg_stages[i], f[j]);
			json_object_set(s, j == 2 ? "participants" : f[j], json_object_get(row, col));
			if (full)
				json_object_del(row, col);
		}
		ended = json_string_length(json_object_get(s, "end")) > 0;
		json_object_set_new(s, "done", json_boolean(ended));
		if (ended)
			done++;
		else if (current < 0)
			current = i;
		json_array_append_new(stages, s);
	}
	json_object_set_new(row, "stages_done", json_integer(done));
	json_object_set_new(row, "progress", json_integer(done * 100 / REG_NSTAGES));
	json_object_set_new(row, "current_stage", json_string(current < 0 ? "done" : reg_stages[current]));
	if (full)
		json_object_set_new(row, "stages", stages);
	else
		json_decref(stages);
}

static const char intervention_select[] =
	"SELECT v.*, s.title AS solution_title, " REG_SOLUTION_STATE " AS state,"
	" " REG_LINKS("helper", "intervention", "v.id") " AS helpers FROM intervention v"
	" LEFT JOIN solution s ON s.id = v.solution WHERE v.deleted = 0";

json_t *
intervention_list(struct store *st, const char *under)
{
	char sql[1024];
	json_t *rows, *r;
	size_t i;

	snprintf(sql, sizeof(sql), "%s AND " UNIT_SQL_UNDER("v.owner") " ORDER BY v.owner, v.created, v.id",
		 intervention_select);
	rows = reg_query(st, sql, under, NULL, NULL);
	json_array_foreach(rows, i, r)
		add_progress(r, false);
	return rows;
}

int
intervention_get(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	char sql[1024];
	int rc;

	snprintf(sql, sizeof(sql), "%s AND v.id = ?1", intervention_select);
	if ((rc = rec_one(st, reg_query(st, sql, id, NULL, NULL), "intervention", id, out, err)) != 0)
		return rc;
	add_progress(*out, true);
	if ((rc = rec_attach(st, out, "evaluations", reg_evaluations(st, "intervention", id), err)) != 0)
		return rc;
	return rec_attach(st, out, "helper_groups", link_list(st, LINK_HELPER, "intervention", id), err);
}

/* ---- evaluations ---- */

int
evaluation_add(struct store *st, const struct evaluation_input *in, const char *author, char id[NZ_RID_MAX],
	       struct nz_err *err)
{
	bool iv = in->intervention != NULL && in->intervention[0];
	bool sv = in->solution != NULL && in->solution[0];
	char owner[NZ_ID_MAX], date[11], sol[NZ_RID_MAX] = "";
	struct stage_row rows[REG_NSTAGES];
	struct colset *cs;
	sqlite3_stmt *q;
	struct sol s;
	int rc;

	if (iv == sv)
		return nz_fail(err, NZ_EINVAL, "evaluate either an intervention (implemented) or a solution (proposed)");
	if ((in->strengths == NULL || in->strengths[0] == '\0') &&
	    (in->weaknesses == NULL || in->weaknesses[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "an evaluation records strengths or weaknesses (or both)");
	if ((rc = field_text("strengths", in->strengths, 0, false, err)) != 0 ||
	    (rc = field_text("weaknesses", in->weaknesses, 0, false, err)) != 0 ||
	    (rc = field_text("indicators", in->indicators, 0, false, err)) != 0 ||
	    (rc = field_text("recommendations", in->recommendations, 0, false, err)) != 0 ||
	    (rc = field_text("evaluator", in->evaluator, 0, false, err)) != 0)
		return rc;
	if (in->date != NULL && in->date[0] != '\0') {
		if ((rc = date_parse("evaluation date", in->date, date, err)) != 0 ||
		    (rc = sense_not_future("sense.evaluation_future", "evaluation date", date, err)) != 0)
			return rc;
	} else {
		nz_today(date);
	}
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (iv) {
		if ((rc = stages_load(st, in->intervention, owner, rows, err)) != 0 ||
		    (rc = sense_not_before("sense.evaluation_before_implementation", "evaluation date", date,
					   "the start of implementation", rows[3].start, err)) != 0)
			goto out;
		if ((q = reg_prep(st, "SELECT solution FROM intervention WHERE id = ?1", in->intervention, NULL, NULL)) !=
		    NULL) {
			if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL)
				snprintf(sol, sizeof(sol), "%s", (const char *)sqlite3_column_text(q, 0));
			sqlite3_finalize(q);
		}
		if ((rc = reg_sol_load(st, sol, &s, err)) != 0)
			goto out;
		if (strcmp(s.state, "intervention") == 0) {
			if (rows[3].start[0] == '\0') {
				rc = nz_fail_at(err, NZ_ESTATE, "solution", NULL,
						"intervention '%s' has not started implementation (اجرا); evaluate"
						" the proposed plan (its solution) instead",
						in->intervention);
				goto out;
			}
			if ((rc = reg_cascade(st, sol, "intervention", "evaluated", REG_VIA_EVALUATION, author, err)) != 0 ||
			    (rc = reg_check_move(REG_SOLUTION, "solution", sol, s.state, "evaluated",
						 REG_VIA_EVALUATION, err)) != 0 ||
			    (rc = reg_sol_write_status(st, sol, &s, "evaluated", colset_new(), author, err)) != 0)
				goto out;
		}
	} else {
		if ((rc = reg_sol_load(st, in->solution, &s, err)) != 0)
			goto out;
		snprintf(owner, sizeof(owner), "%s", s.owner);
		snprintf(sol, sizeof(sol), "%s", in->solution);
	}
	store_new_id(id);
	cs = colset_new();
	colset_text(cs, "intervention", iv ? in->intervention : "");
	colset_text(cs, "solution", sol);
	colset_text(cs, "date", date);
	colset_text(cs, "evaluator", nz_str(in->evaluator));
	colset_text(cs, "strengths", nz_str(in->strengths));
	colset_text(cs, "weaknesses", nz_str(in->weaknesses));
	colset_text(cs, "indicators", nz_str(in->indicators));
	colset_text(cs, "recommendations", nz_str(in->recommendations));
	rc = store_write(st, "evaluation", id, owner, cs, author, err);
	colset_free(cs);
out:
	return rec_finish(st, rc, err);
}

json_t *
evaluation_list(struct store *st, const char *under)
{
	return reg_query(st,
		     "SELECT e.id, e.owner, e.date, e.intervention, e.solution, s.title AS solution_title,"
		     " CASE WHEN e.intervention != '' THEN 'implemented' ELSE 'proposed' END AS plan,"
		     " e.evaluator, e.strengths, e.weaknesses, e.indicators, e.recommendations"
		     " FROM evaluation e LEFT JOIN solution s ON s.id = e.solution"
		     " WHERE e.deleted = 0 AND " UNIT_SQL_UNDER("e.owner") " ORDER BY e.date, e.id",
		     under, NULL, NULL);
}
