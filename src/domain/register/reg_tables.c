/*
 * The tables of the issue register, problems included, declared as data.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"

/* ---- tables ---- */

static const struct col_def issue_cols[] = {
	{"title", COL_TEXT},
	{"description", COL_TEXT},
	{"category", COL_TEXT}, /* code of the national list */
	{"status", COL_TEXT},   /* stored status; see REG_ISSUE_STATE for the effective one */
	{"neighbourhood", COL_TEXT}, /* neighbourhood or village of the area (the owner) */
	{"people_affected", COL_INT},
	{"source", COL_TEXT},  /* session, views, monitoring */
	{"created", COL_TEXT}, /* ISO date */
	{"session", COL_TEXT}, /* the deliberation session it came from */
	{"solution", COL_TEXT}, /* the solution now carrying it */
	{"status_date", COL_TEXT},
	{"close_reason", COL_TEXT},
	{NULL, 0},
};

/*
 * The problems of a solution (solutions.c) are found by index, and only
 * problems that have one are in it.  Status and category have no index: the
 * listing filters on the effective state, which no index holds, and the
 * dashboard counts from its aggregates; each cost a problem some 18 bytes
 * on disk (README, P8).
 */
static const char *const issue_idx[] = {"solution WHERE solution IS NOT NULL", NULL};

const struct tbl_def issue_table = {"issue", VIS_OWNED, issue_cols, issue_idx};


static const struct col_def category_cols[] = {
	{"code", COL_TEXT},
	{"name_fa", COL_TEXT},
	{"name_en", COL_TEXT},
	{"ord", COL_INT},
	{"active", COL_INT},
	{NULL, 0},
};

/* دسته بندی مسائل: set nationally (owner IR), seen by every node. */
const struct tbl_def problem_category_table = {"problem_category", VIS_DIRECTIVE, category_cols, NULL};

static const struct col_def criterion_cols[] = {
	{"code", COL_TEXT},
	{"name_fa", COL_TEXT},
	{"name_en", COL_TEXT},
	{"weight", COL_REAL},
	{"scale_max", COL_INT},
	{"ord", COL_INT},
	{"active", COL_INT},
	{NULL, 0},
};

/* معیارهای اولویت بندی and their weights: set nationally, seen by every node. */
const struct tbl_def priority_criterion_table = {"priority_criterion", VIS_DIRECTIVE, criterion_cols, NULL};

static const struct col_def session_cols[] = {
	{"date", COL_TEXT},
	{"place", COL_TEXT},
	{"facilitator", COL_TEXT}, /* the facilitator's name */
	{"participants", COL_INT},
	{"stakeholder_groups", COL_TEXT},
	{"issues", COL_TEXT}, /* problems discussed, ids separated by spaces */
	{"outcomes", COL_TEXT},
	{"created", COL_TEXT},
	/* Columns are numbered in this order (stored clocks, the wire): new ones go last. */
	{"facilitator_id", COL_TEXT}, /* the designation; "" or NULL: a name typed as a fallback */
	{NULL, 0},
};

static const char *const session_idx[] = {"date", NULL};

const struct tbl_def delib_session_table = {"delib_session", VIS_OWNED, session_cols, session_idx};

static const struct col_def score_cols[] = {
	{"session", COL_TEXT},
	{"issue", COL_TEXT},
	{"criterion", COL_TEXT},
	{"stakeholder", COL_TEXT}, /* the stakeholder group scoring; "" for the session as a whole */
	{"score", COL_REAL},
	{NULL, 0},
};

static const char *const score_idx[] = {"issue, criterion", "session", NULL};

const struct tbl_def issue_score_table = {"issue_score", VIS_OWNED, score_cols, score_idx};

static const struct col_def solution_cols[] = {
	{"title", COL_TEXT},
	{"issues", COL_TEXT}, /* ids separated by spaces */
	{"exec_plan", COL_TEXT},
	{"bodies", COL_TEXT},
	{"resources", COL_TEXT},
	{"budget", COL_INT}, /* rials */
	{"start_date", COL_TEXT},
	{"end_date", COL_TEXT},
	{"status", COL_TEXT}, /* stored; see REG_SOLUTION_STATE */
	{"status_date", COL_TEXT},
	{"round", COL_INT},   /* submissions to a council so far */
	{"council", COL_TEXT}, /* unit code of the council of the current round */
	{"submitted", COL_TEXT},
	{"close_reason", COL_TEXT},
	{"created", COL_TEXT},
	{NULL, 0},
};

static const char *const solution_idx[] = {"status", NULL};

const struct tbl_def solution_table = {"solution", VIS_OWNED, solution_cols, solution_idx};

/*
 * One decision per submission round, with the id SOLUTION-rROUND: a council
 * correcting its decision rewrites the same record, and whichever node writes
 * it, it converges to one decision per round.
 */
static const struct col_def decision_cols[] = {
	{"solution", COL_TEXT},
	{"round", COL_INT},
	{"council", COL_TEXT}, /* the council's unit */
	{"date", COL_TEXT},    /* the council's session */
	{"resolution", COL_TEXT},
	{"decision", COL_TEXT}, /* approved, rejected, returned */
	{"conditions", COL_TEXT},
	{"recorded", COL_TEXT},
	{NULL, 0},
};

static const char *const decision_idx[] = {"solution", NULL};

const struct tbl_def council_decision_table = {"council_decision", VIS_OWNED, decision_cols, decision_idx};

const char *const reg_stages[REG_NSTAGES] = {"needs", "priority", "planning", "implementation", "evaluation"};
const char *const reg_stages_fa[REG_NSTAGES] = {"نیازسنجی", "اولویت بندی", "برنامه ریزی", "اجرا",
						"ارزشیابی"};

#define STAGE_COLS(s)                                                                                \
	{s "_start", COL_TEXT}, {s "_end", COL_TEXT}, {s "_people", COL_INT}, {s "_notes", COL_TEXT}

static const struct col_def intervention_cols[] = {
	{"solution", COL_TEXT},
	{"title", COL_TEXT},
	{"created", COL_TEXT},
	STAGE_COLS("needs"),
	STAGE_COLS("priority"),
	STAGE_COLS("planning"),
	STAGE_COLS("implementation"),
	STAGE_COLS("evaluation"),
	{NULL, 0},
};

static const char *const intervention_idx[] = {"solution", NULL};

const struct tbl_def intervention_table = {"intervention", VIS_OWNED, intervention_cols, intervention_idx};

static const struct col_def evaluation_cols[] = {
	{"intervention", COL_TEXT},
	{"solution", COL_TEXT},
	{"date", COL_TEXT},
	{"evaluator", COL_TEXT},
	{"strengths", COL_TEXT},
	{"weaknesses", COL_TEXT},
	{"indicators", COL_TEXT},
	{"recommendations", COL_TEXT},
	{NULL, 0},
};

static const char *const evaluation_idx[] = {"intervention", "solution", NULL};

const struct tbl_def evaluation_table = {"evaluation", VIS_OWNED, evaluation_cols, evaluation_idx};

static const struct col_def intro_cols[] = {
	{"org", COL_TEXT},
	{"body", COL_TEXT},
	{"level", COL_TEXT}, /* province, county */
	{"date", COL_TEXT},
	{"outcome", COL_TEXT}, /* pending, accepted, declined */
	{"outcome_date", COL_TEXT},
	{"notes", COL_TEXT},
	{NULL, 0},
};

static const char *const intro_idx[] = {"org", NULL};

const struct tbl_def org_intro_table = {"org_intro", VIS_OWNED, intro_cols, intro_idx};
