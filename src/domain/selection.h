#ifndef NZ_SELECTION_H
#define NZ_SELECTION_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "store/store.h"

/*
 * Selecting social helper groups (ماده ۳ of the guideline), end to end:
 * national standards (standards.c), then at a county or provincial
 * secretariat the call (فراخوان), applicants and their resumes (رزومه),
 * review and weighting (بررسی و وزن دهی), interviews (مصاحبه), ranking and
 * qualification (رتبه بندی و تعیین صلاحیت), appointment within the quota
 * and its decree (صدور حکم), and the facilitator orientation course (دوره
 * توجیهی تسهیلگر).
 *
 * Ownership.  Standards are directives owned by IR.  Everything else is
 * owned by the secretariat running the call (a county or province code),
 * whichever node writes it: a province may act in its counties' calls.
 *
 * Dates are ISO "YYYY-MM-DD" here; the command line converts from and to
 * Jalali.  JSON returned by the list and get functions is new (the caller
 * decrefs it); every ISO date field "x" has a companion "x_jalali".
 *
 * Scores.  A reviewer's total for an applicant is the weighted mean of the
 * review criteria, each scaled from its bounds onto 0..100:
 *     total = 100 * sum(w_i * (s_i - min_i) / (max_i - min_i)) / sum(w_i)
 * the review score is the mean of the reviewers' totals, the interview
 * score is computed the same way from the interview criteria, and
 *     combined = (review_weight * review + interview_weight * interview) / 100.
 * Every score is rounded to two decimals and compared at that precision.
 * Reviewers disagree when the highest and lowest of their totals differ by
 * more than the standards' disagreement points; such applicants are flagged.
 *
 * Ranking order (deterministic, the same on every node): combined score
 * descending, then interview score descending, then review score
 * descending, then time of application ascending, then applicant id.
 * Applicants without a combined score follow, in application order.
 */

extern const struct tbl_def sel_standard_table;
extern const struct tbl_def sel_call_table;
extern const struct tbl_def sel_applicant_table;
extern const struct tbl_def sel_doc_table;
extern const struct tbl_def sel_review_table;
extern const struct tbl_def sel_interview_table;
extern const struct tbl_def sel_appointment_table;
extern const struct tbl_def sel_decree_table;
extern const struct tbl_def sel_course_table;
extern const struct tbl_def sel_session_table;
extern const struct tbl_def sel_attendance_table;

/* ---- national standards (standards.c) ---- */

#define SEL_CRIT_MAX 20
#define SEL_OVERRIDE_MAX 64
#define SEL_CODE_MAX 33
#define SEL_CRIT_NAME_MAX 201
#define SEL_TITLE_MAX 301

/* struct sel_criterion is one scored criterion: a score lies in [min, max]. */
struct sel_criterion {
	char code[SEL_CODE_MAX]; /* [a-z0-9_-], as typed in "code=score" */
	char name[SEL_CRIT_NAME_MAX];
	double weight, min, max;
};

/* struct sel_quota_override gives one org unit a quota other than its level's default. */
struct sel_quota_override {
	char unit[NZ_ID_MAX];
	int quota;
};

/* struct sel_std is one version of the selection standards (معیارها و وزن ها). */
struct sel_std {
	char id[NZ_RID_MAX]; /* record id; "" when not stored */
	int version;         /* 1, 2, ...; 0 when not stored */
	char title[SEL_TITLE_MAX];
	struct sel_criterion review[SEL_CRIT_MAX];
	int nreview;
	struct sel_criterion interview[SEL_CRIT_MAX];
	int ninterview;
	double review_weight, interview_weight; /* percent of the combined score, summing to 100 */
	double threshold;                       /* qualifying combined score, 0..100 */
	double disagreement;                    /* reviewers' spread above which an applicant is flagged */
	int min_reviewers;                      /* complete reviews an applicant needs */
	int quota_county, quota_province;       /* appointed groups a secretariat may hold */
	struct sel_quota_override overrides[SEL_OVERRIDE_MAX];
	int noverrides;
	int term_months; /* default term of an appointment */
	char created[11];
};

/* sel_std_defaults fills s with the built-in standards (quotas 2 and 5 from the guideline). */
void sel_std_defaults(struct sel_std *s);

/*
 * sel_std_from_json sets the fields of s named in j (the shape
 * sel_std_to_json writes; "id", "version" and "created" are ignored) and
 * leaves the others alone; an unknown key or a value of the wrong type is
 * refused, naming it.  s is not validated: see sel_std_check.
 */
int sel_std_from_json(struct sel_std *s, json_t *j, struct nz_err *err);

/* sel_std_to_json returns s as a new JSON object. */
json_t *sel_std_to_json(const struct sel_std *s);

/* sel_std_check validates s: codes, bounds, weights summing to 100, quotas. */
int sel_std_check(const struct sel_std *s, struct nz_err *err);

/*
 * sel_std_add stores s as the next version (national node only), filling
 * its id, version and created date.  A stored version is never changed.
 */
int sel_std_add(struct store *st, struct sel_std *s, const char *author, struct nz_err *err);

/*
 * sel_std_load reads version (0: the latest visible here) into s;
 * NZ_ENOTFOUND when no standards have reached this node.
 */
int sel_std_load(struct store *st, int version, struct sel_std *s, struct nz_err *err);

/* sel_std_load_id reads the standards stored under record id into s. */
int sel_std_load_id(struct store *st, const char *id, struct sel_std *s, struct nz_err *err);

/* sel_std_list returns every version visible here as a JSON array, newest first. */
json_t *sel_std_list(struct store *st);

/* sel_std_quota returns the quota of secretariat unit under s (its override or its level's). */
int sel_std_quota(const struct sel_std *s, const char *unit);

/* sel_crit_find returns the criterion with code in list (n entries), or NULL. */
const struct sel_criterion *sel_crit_find(const struct sel_criterion *list, int n, const char *code);

/* sel_round2 rounds x to two decimals, the precision every score is kept at. */
double sel_round2(double x);

/*
 * sel_parse_number reads a decimal number typed by a person (ASCII, Persian
 * or Arabic-Indic digits, '.' or '٫' as decimal point); 0 or NZ_EINVAL.
 */
int sel_parse_number(const char *s, double *out);

/* ---- calls (فراخوان) ---- */

/* The states of a call, in order; a call only moves one step forward. */
enum sel_call_state { CALL_DRAFT, CALL_OPEN, CALL_CLOSED, CALL_REVIEWED, CALL_COMPLETED };

/* sel_call_state_name returns "draft", "open", "closed", "reviewed" or "completed". */
const char *sel_call_state_name(int state);

/* sel_call_state_parse returns the state named s, or -1. */
int sel_call_state_parse(const char *s);

/*
 * sel_call_add records a draft call of secretariat (a county or province
 * within this node's subtree; NULL: this node) with an application window
 * from opens to closes (ISO, inclusive).  The new id goes to id.
 */
int sel_call_add(struct store *st, const char *secretariat, const char *title, const char *description,
		 const char *opens, const char *closes, const char *author, char id[NZ_RID_MAX],
		 struct nz_err *err);

/* sel_call_edit changes a draft call's title, description or window (NULL: unchanged). */
int sel_call_edit(struct store *st, const char *id, const char *title, const char *description,
		  const char *opens, const char *closes, const char *author, struct nz_err *err);

/*
 * sel_call_move moves call id to state `to` when that is the next state and
 * its conditions hold: opening pins the latest standards version; finishing
 * the review needs every applicant reviewed min_reviewers times; completing
 * needs no interview left scheduled; closing before the announced closing date
 * is refused (sel.close_early): that takes sel_call_close() with a reason.
 */
int sel_call_move(struct store *st, const char *id, int to, const char *author, struct nz_err *err);

/*
 * sel_call_close closes call id; early, the reason, is required when that is
 * before the announced closing date (and refused when it is not), and kept.
 */
int sel_call_close(struct store *st, const char *id, const char *early, const char *author, struct nz_err *err);

/* sel_call_list returns the calls owned inside under (all when NULL), newest first. */
json_t *sel_call_list(struct store *st, const char *under);

/* sel_call_get reads call id with its applicant counts into *out (record.h's convention for reads). */
int sel_call_get(struct store *st, const char *id, json_t **out, struct nz_err *err);

/* ---- applicants and resumes (متقاضیان و رزومه) ---- */

#define SEL_DOC_MAX 32768 /* bytes of a document kept in the database */
#define SEL_DOCS_MAX 10   /* documents per applicant */

/* struct sel_applicant_in is a group's application; NULL or -1 for what it did not give. */
struct sel_applicant_in {
	const char *name;
	const char *kind; /* ngo, religious, jihadi, people, other (or the Persian label) */
	const char *reg_no;
	const char *contact;
	const char *phone;
	const char *areas;
	const char *activities;
	long members;
	long years;
	const char *received; /* ISO date the application reached the secretariat; NULL: today */
};

/* sel_kind_label returns the Persian label of an applicant kind, or NULL. */
const char *sel_kind_label(const char *kind);

/* sel_kinds_text writes every applicant kind with the Persian names it is known by into buf (n bytes):
 * "ngo (سازمان مردم نهاد, سمن, تشکل), religious (...)". */
void sel_kinds_text(char *buf, size_t n);

/*
 * sel_apply records a group's application to call_id.  Refused with the
 * reason: a call not open, a date outside the window (late or early), and a
 * likely duplicate (the same registration number, or the same name and
 * phone, in this call).  The new id goes to id.
 */
int sel_apply(struct store *st, const char *call_id, const struct sel_applicant_in *a, const char *author,
	      char id[NZ_RID_MAX], struct nz_err *err);

/* sel_applicant_withdraw withdraws an application while its call is not completed. */
int sel_applicant_withdraw(struct store *st, const char *id, const char *reason, const char *author,
			   struct nz_err *err);

/* sel_applicant_list returns the applicants of call_id in application order. */
json_t *sel_applicant_list(struct store *st, const char *call_id);

/* sel_applicant_get reads applicant id with its documents (metadata) into *out (record.h's convention for
 * reads). */
int sel_applicant_get(struct store *st, const char *id, json_t **out, struct nz_err *err);

/*
 * sel_doc_add attaches a document to an applicant.  With keep, data (len
 * bytes, at most SEL_DOC_MAX) is stored; without, only its name, size and
 * SHA-256.  The new id goes to id.
 */
int sel_doc_add(struct store *st, const char *applicant, const char *name, const void *data, size_t len,
		bool keep, const char *author, char id[NZ_RID_MAX], struct nz_err *err);

/*
 * sel_doc_content returns a stored document's bytes in *data (the caller
 * frees it) and their length; NZ_ENOTFOUND when only metadata was kept.
 */
int sel_doc_content(struct store *st, const char *id, unsigned char **data, size_t *len, struct nz_err *err);

/* ---- review and weighting (بررسی و وزن دهی) ---- */

/*
 * sel_review_score records reviewer's scores of applicant as "code=score"
 * pairs, each within its criterion's bounds under the call's standards.
 * Scores merge with the reviewer's earlier ones.  A review scores every
 * criterion: one that lacks any is refused, naming them, unless draft is set;
 * a draft is kept without a total and neither finish-review nor the ranking
 * counts it until the reviewer completes it without draft.  Only while the
 * call is closed.
 */
int sel_review_score(struct store *st, const char *applicant, const char *reviewer, int npairs,
		     char *const *pairs, bool draft, const char *author, struct nz_err *err);

/* sel_review_list returns the reviews of an applicant, or of every applicant of a call. */
json_t *sel_review_list(struct store *st, const char *applicant, const char *call_id);

/* ---- interviews (مصاحبه) ---- */

/*
 * sel_interview_schedule sets (or moves) applicant's interview: ISO date,
 * time "HH:MM", place and panel.  Only while the call is closed or reviewed
 * and the interview is not yet held.
 */
int sel_interview_schedule(struct store *st, const char *applicant, const char *date, const char *time,
			   const char *place, const char *panel, const char *author, struct nz_err *err);

/* sel_interview_score records a held interview's scores ("code=score" pairs, every criterion). */
int sel_interview_score(struct store *st, const char *applicant, int npairs, char *const *pairs,
			const char *notes, const char *author, struct nz_err *err);

/* sel_interview_noshow records that the group did not come to its interview. */
int sel_interview_noshow(struct store *st, const char *applicant, const char *notes, const char *author,
			 struct nz_err *err);

/* sel_interview_list returns the interviews of call_id by date and time. */
json_t *sel_interview_list(struct store *st, const char *call_id);

/* ---- ranking and qualification (رتبه بندی و تعیین صلاحیت) ---- */

/*
 * sel_rank returns the ranked list of call_id (see the order above): per
 * applicant its reviews, spread and flag, interview, combined score, rank,
 * whether it qualifies and why not, and its active appointment.  NULL with
 * err set when the call is absent or has no standards yet.
 */
json_t *sel_rank(struct store *st, const char *call_id, struct nz_err *err);

/* sel_rank_csv writes a ranked list as CSV (UTF-8, header row, RFC 4180 quoting). */
int sel_rank_csv(json_t *rows, FILE *out);

/* ---- appointments and decrees (انتخاب همیار و صدور حکم) ---- */

#define SEL_DECREE_NO_MAX 64
#define SEL_GROUP_MAX 512 /* bytes of a group's name kept for a helper's account */

/*
 * sel_appoint selects a qualified applicant of a reviewed call and issues
 * its decree, in one transaction: refused for an unqualified applicant, one
 * already appointed, a secretariat at its quota, or a decree number already
 * used.  date (ISO; NULL: today) dates the decree and starts the term of
 * term_months (0: the standards' default); number NULL takes the
 * secretariat's next number of the Jalali year, e.g. IR-07-03/1405/0001.
 * The appointment's id and decree number are written out.
 */
int sel_appoint(struct store *st, const char *applicant, const char *date, int term_months,
		const char *number, const char *author, char appt_id[NZ_RID_MAX],
		char decree_no[SEL_DECREE_NO_MAX], struct nz_err *err);

/*
 * sel_appoint_replace fills the place a revocation freed, from the ranked
 * list of the same call (a waiting list), also once the call is completed:
 * replaces is the revoked appointment, of the same call, whose term has not
 * ended on date and whose place is not filled yet; no qualified group never
 * appointed in the call may be ranked above applicant.  The new term
 * ends when the replaced one would have; the appointment and its decree
 * record whom they replace (replaces, replaces_name).  Otherwise as
 * sel_appoint.
 */
int sel_appoint_replace(struct store *st, const char *applicant, const char *replaces, const char *date,
			const char *number, const char *author, char appt_id[NZ_RID_MAX],
			char decree_no[SEL_DECREE_NO_MAX], struct nz_err *err);

/* sel_revoke revokes an active appointment with a reason; its place in the quota is free again. */
int sel_revoke(struct store *st, const char *appt_id, const char *reason, const char *author,
	       struct nz_err *err);

/*
 * sel_appoint_list returns appointments owned inside under (all when NULL),
 * of one call when call_id is not NULL, revoked ones too when all.
 */
json_t *sel_appoint_list(struct store *st, const char *under, const char *call_id, bool all);

/*
 * sel_group_check refuses (sel.no_such_group, listing the right names) a
 * helper group name that is not the group of an active appointment of unit:
 * what a helper's reports and a helper's user account are bound to.
 */
int sel_group_check(struct store *st, const char *unit, const char *name, struct nz_err *err);

/*
 * sel_helper_group finds the appointment a helper's user account is bound
 * to: key is its id, its decree number or its group's name, at unit.  0 when
 * it is unit's and active, with its id in appt and the group's name in name
 * (n bytes; either may be NULL).  Refused when none matches (sel.no_such_group,
 * listing unit's appointed groups), when another secretariat appointed it
 * (sel.group_elsewhere) or when it is revoked (sel.group_revoked).
 */
int sel_helper_group(struct store *st, const char *unit, const char *key, char appt[NZ_RID_MAX], char *name, size_t n,
		     struct nz_err *err);

/* sel_appoint_summary returns per secretariat inside under (NULL: this node's subtree): active appointments, quota, free places. */
json_t *sel_appoint_summary(struct store *st, const char *under);

/* sel_decree_list returns the decrees owned inside under, by secretariat and number. */
json_t *sel_decree_list(struct store *st, const char *under);

/* sel_decree_get reads a decree found by its id, its number or its appointment's id into *out (record.h's
 * convention for reads). */
int sel_decree_get(struct store *st, const char *key, json_t **out, struct nz_err *err);

/* ---- orientation course (دوره توجیهی تسهیلگر) ---- */

/*
 * sel_course_add records a course of secretariat (NULL: this node); a group
 * completes it by attending `required` of its sessions (0: all of them).
 */
int sel_course_add(struct store *st, const char *secretariat, const char *title, int required,
		   const char *author, char id[NZ_RID_MAX], struct nz_err *err);

/* sel_session_add adds a session (ISO date, topic, hours) to a course. */
int sel_session_add(struct store *st, const char *course, const char *date, const char *topic, double hours,
		    const char *author, char id[NZ_RID_MAX], struct nz_err *err);

/* sel_attend records whether an appointed group was present at a session of its secretariat. */
int sel_attend(struct store *st, const char *session, const char *appt_id, bool present, const char *author,
	       struct nz_err *err);

/* sel_course_list returns the courses owned inside under with their sessions. */
json_t *sel_course_list(struct store *st, const char *under);

/*
 * sel_course_status returns, per active appointment inside under, the
 * sessions attended and whether it has completed a course; only the ones
 * that have not when pending.
 */
json_t *sel_course_status(struct store *st, const char *under, bool pending);

/* ---- invariants where replicas meet (for check.c) ---- */

/* sel_check_quota reports secretariats holding more active appointments than their quota. */
int sel_check_quota(struct store *st, json_t *out, struct nz_err *err);

/* sel_check_decree reports a decree number held by two active appointments of one secretariat. */
int sel_check_decree(struct store *st, json_t *out, struct nz_err *err);

/* sel_check_double reports groups holding two active appointments. */
int sel_check_double(struct store *st, json_t *out, struct nz_err *err);

#endif
