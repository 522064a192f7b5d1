/*
 * The tables of the selection (انتخاب همیاران اجتماعی), declared as data.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/selection/sel_int.h"

/* ---- tables ---- */

static const struct col_def call_cols[] = {
	{"title", COL_TEXT},
	{"description", COL_TEXT},
	{"opens", COL_TEXT},  /* ISO date, first day of the application window */
	{"closes", COL_TEXT}, /* ISO date, last day */
	{"status", COL_TEXT},
	{"std_id", COL_TEXT}, /* the standards version pinned when the call opened */
	{"std_version", COL_INT},
	{"created", COL_TEXT},
	{"opened_on", COL_TEXT},
	{"closed_on", COL_TEXT},
	{"early_reason", COL_TEXT}, /* why it closed before its announced closing date */
	{"reviewed_on", COL_TEXT},
	{"completed_on", COL_TEXT},
	{NULL, 0},
};
static const char *const call_idx[] = {"status", NULL};
const struct tbl_def sel_call_table = {"sel_call", VIS_OWNED, call_cols, call_idx};

static const struct col_def applicant_cols[] = {
	{"call_id", COL_TEXT},
	{"name", COL_TEXT},
	{"kind", COL_TEXT},
	{"reg_no", COL_TEXT},
	{"contact", COL_TEXT},
	{"phone", COL_TEXT},
	{"members", COL_INT},
	{"areas", COL_TEXT},
	{"years", COL_INT},
	{"activities", COL_TEXT},
	{"applied", COL_TEXT},    /* ISO date */
	{"applied_at", COL_INT},  /* unix milliseconds: the ranking's late tie-break */
	{"status", COL_TEXT},     /* applied, withdrawn */
	{"withdrawn_reason", COL_TEXT},
	{"name_key", COL_TEXT},   /* normalised, to find likely duplicates */
	{"phone_key", COL_TEXT},
	{"reg_key", COL_TEXT},
	{NULL, 0},
};
static const char *const applicant_idx[] = {"call_id", NULL};
const struct tbl_def sel_applicant_table = {"sel_applicant", VIS_OWNED, applicant_cols, applicant_idx};

static const struct col_def doc_cols[] = {
	{"applicant_id", COL_TEXT},
	{"call_id", COL_TEXT},
	{"name", COL_TEXT},
	{"size", COL_INT},
	{"sha256", COL_TEXT},
	{"content", COL_TEXT}, /* base64, only for small files */
	{"added", COL_TEXT},
	{NULL, 0},
};
static const char *const doc_idx[] = {"applicant_id", NULL};
const struct tbl_def sel_doc_table = {"sel_doc", VIS_OWNED, doc_cols, doc_idx};

/* One record per (applicant, reviewer): its id is derived from both. */
static const struct col_def review_cols[] = {
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"reviewer", COL_TEXT},
	{"scores", COL_TEXT}, /* JSON object: criterion code -> score */
	{"total", COL_REAL},  /* weighted, 0..100; NULL while a draft */
	{"updated", COL_TEXT},
	{"draft", COL_INT}, /* 1: saved unfinished, not counted by finish-review or the ranking */
	{NULL, 0},
};
static const char *const review_idx[] = {"call_id", "applicant_id", NULL};
const struct tbl_def sel_review_table = {"sel_review", VIS_OWNED, review_cols, review_idx};

/* One record per applicant: its id is derived from the applicant's. */
static const struct col_def interview_cols[] = {
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"date", COL_TEXT},
	{"time", COL_TEXT},
	{"place", COL_TEXT},
	{"panel", COL_TEXT},
	{"status", COL_TEXT}, /* scheduled, held, no_show */
	{"scores", COL_TEXT},
	{"total", COL_REAL},
	{"notes", COL_TEXT},
	{"updated", COL_TEXT},
	{NULL, 0},
};
static const char *const interview_idx[] = {"call_id", NULL};
const struct tbl_def sel_interview_table = {"sel_interview", VIS_OWNED, interview_cols, interview_idx};

static const struct col_def appt_cols[] = {
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"group_name", COL_TEXT},
	{"rank", COL_INT},
	{"combined", COL_REAL},
	{"status", COL_TEXT}, /* active, revoked */
	{"appointed", COL_TEXT},
	{"term_start", COL_TEXT},
	{"term_end", COL_TEXT},
	{"decree_id", COL_TEXT},
	{"decree_no", COL_TEXT},
	{"revoked", COL_TEXT},
	{"revoke_reason", COL_TEXT},
	{"by_node", COL_TEXT}, /* the node that appointed: shown when replicas disagree */
	{"replaces", COL_TEXT}, /* the revoked appointment whose place it fills (waiting list) */
	{NULL, 0},
};
static const char *const appt_idx[] = {"call_id", "applicant_id", "status", NULL};
const struct tbl_def sel_appointment_table = {"sel_appointment", VIS_OWNED, appt_cols, appt_idx};

static const struct col_def decree_cols[] = {
	{"appointment_id", COL_TEXT},
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"number", COL_TEXT},
	{"year", COL_INT}, /* Jalali year of the date; numbers run per year */
	{"seq", COL_INT},
	{"date", COL_TEXT},
	{"term_months", COL_INT},
	{"term_start", COL_TEXT},
	{"term_end", COL_TEXT},
	{"group_name", COL_TEXT},
	{"group_kind", COL_TEXT},
	{"by_node", COL_TEXT},
	{"replaces", COL_TEXT},      /* the revoked appointment whose place it fills */
	{"replaces_name", COL_TEXT}, /* and its group's name, as the decree says it */
	{NULL, 0},
};
static const char *const decree_idx[] = {"number", "appointment_id", NULL};
const struct tbl_def sel_decree_table = {"sel_decree", VIS_OWNED, decree_cols, decree_idx};

static const struct col_def course_cols[] = {
	{"title", COL_TEXT},
	{"required", COL_INT}, /* sessions to attend; 0: all */
	{"created", COL_TEXT},
	{NULL, 0},
};
const struct tbl_def sel_course_table = {"sel_course", VIS_OWNED, course_cols, NULL};

static const struct col_def session_cols[] = {
	{"course_id", COL_TEXT},
	{"date", COL_TEXT},
	{"topic", COL_TEXT},
	{"hours", COL_REAL},
	{NULL, 0},
};
static const char *const session_idx[] = {"course_id", NULL};
const struct tbl_def sel_session_table = {"sel_session", VIS_OWNED, session_cols, session_idx};

/* One record per (session, appointment). */
static const struct col_def attendance_cols[] = {
	{"session_id", COL_TEXT},
	{"course_id", COL_TEXT},
	{"appointment_id", COL_TEXT},
	{"present", COL_INT},
	{"updated", COL_TEXT},
	{NULL, 0},
};
static const char *const attendance_idx[] = {"session_id", "appointment_id", NULL};
const struct tbl_def sel_attendance_table = {"sel_attendance", VIS_OWNED, attendance_cols, attendance_idx};
