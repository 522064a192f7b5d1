#ifndef NZ_REGISTER_H
#define NZ_REGISTER_H

#include <stdbool.h>

#include <jansson.h>

#include "base/unit.h"
#include "store/store.h"

/*
 * The issue register (نظام مسائل, guideline article 3 step 9 and article 4):
 * problems, deliberation sessions (جلسات هم اندیشی) and the stakeholders'
 * scores, proposed solutions (راه حل پیشنهادی), social council decisions
 * (شورای اجتماعی), community-based interventions (مداخله اجتماع محور),
 * evaluations (ارزیابی) and organisations (تشکل ها).
 *
 * Problem categories and prioritisation criteria are national directives
 * (owner IR, seen everywhere, written only at the national node).  Every
 * other record is owned by the unit whose register it belongs to and
 * replicates up.  A council decision is its own record, owned by the
 * solution's unit, so that the province recording its council's decision and
 * the county editing the solution never write the same column.
 *
 * Dates given to these functions may be Jalali ("1405-09-07", Persian digits
 * too) or ISO ("2026-11-28"): a year below 1700 is read as Jalali.  They are
 * stored as ISO.  Every function returning json_t returns a new reference the
 * caller releases; dates in it are ISO.
 */

/* ---- tables ---- */
extern const struct tbl_def problem_category_table;  /* directive */
extern const struct tbl_def priority_criterion_table; /* directive */
extern const struct tbl_def delib_session_table;
extern const struct tbl_def issue_score_table;
extern const struct tbl_def solution_table;
extern const struct tbl_def council_decision_table;
extern const struct tbl_def intervention_table;
extern const struct tbl_def evaluation_table;
extern const struct tbl_def org_intro_table;

/* ---- the lifecycle (register/lifecycle.c) ---- */

/* How a move happens: each is one operation of the register. */
enum reg_via {
	REG_VIA_SCORE,        /* a session scores the problem */
	REG_VIA_SOLUTION,     /* a solution is proposed for it */
	REG_VIA_SUBMIT,       /* the solution goes to a council */
	REG_VIA_DECISION,     /* the council decides */
	REG_VIA_REVISE,       /* a returned solution is revised */
	REG_VIA_INTERVENTION, /* an approved solution becomes an intervention */
	REG_VIA_EVALUATION,   /* the intervention is evaluated */
	REG_VIA_CLOSE,        /* closed */
};

#define REG_ISSUE 1    /* a move problems make */
#define REG_SOLUTION 2 /* a move solutions make */

/* struct reg_move is one legal move of the lifecycle. */
struct reg_move {
	const char *from, *to;
	enum reg_via via;
	int kinds; /* REG_ISSUE, REG_SOLUTION or both */
};

/* reg_moves is the table of legal moves, ended by a row with from NULL. */
extern const struct reg_move reg_moves[];

/* reg_statuses lists every status code in lifecycle order, NULL-terminated. */
extern const char *const reg_statuses[];

/* reg_status_fa returns the Persian label of a status, or NULL when it is not one. */
const char *reg_status_fa(const char *status);


/*
 * reg_check_move returns 0 when a record of kind (REG_ISSUE or REG_SOLUTION)
 * named what/id may go from status from to status to by via; otherwise
 * NZ_ESTATE with the reason (and the legal next steps) in err.
 */
int reg_check_move(int kind, const char *what, const char *id, const char *from, const char *to,
		   enum reg_via via, struct nz_err *err);

/*
 * REG_ISSUE_STATE and REG_SOLUTION_STATE are SQL expressions of the effective
 * status of the issue row aliased i and the solution row aliased s: the stored
 * status, except that while before a council the council's decision on the
 * current round, when there is one, is the status (approved, rejected,
 * returned).
 */
#define REG_SOLUTION_STATE                                                                           \
	"(CASE WHEN s.status = 'council' THEN COALESCE((SELECT d.decision FROM council_decision d" \
	" WHERE d.id = s.id || '-r' || s.round AND d.deleted = 0), 'council') ELSE s.status END)"
#define REG_ISSUE_STATE                                                                              \
	"(CASE WHEN i.status = 'council' THEN COALESCE((SELECT d.decision FROM solution s2,"        \
	" council_decision d WHERE s2.id = i.solution AND s2.status = 'council' AND"                \
	" d.id = s2.id || '-r' || s2.round AND d.deleted = 0), 'council') ELSE i.status END)"

/* ---- problems (register/issues.c) ---- */

/* struct issue_input is a new problem; NULL or empty fields are left blank. */
struct issue_input {
	const char *title;         /* required, at most 300 bytes */
	const char *description;
	const char *category;      /* a code of the national list (see reg_category_check) */
	const char *area;          /* the org unit; this node when NULL */
	const char *neighbourhood; /* neighbourhood or village (محله یا روستا) */
	const char *source;        /* session, views, monitoring */
	const char *session;       /* the deliberation session it came from (source session) */
	long long people;          /* estimated people affected; -1 unknown */
};

/*
 * issue_create records a new problem (status identified) owned by its area;
 * the new id goes to id.  Nothing is written when any field is refused.
 */
int issue_create(struct store *st, const struct issue_input *in, const char *author, char id[NZ_RID_MAX],
		 struct nz_err *err);

/* issue_close closes a problem (identified, prioritised, rejected or evaluated) with a reason. */
int issue_close(struct store *st, const char *id, const char *reason, const char *author,
		struct nz_err *err);

/*
 * issue_state copies problem id's effective status into state and, when not
 * NULL, its owner and current solution ("" when none).
 */
int issue_state(struct store *st, const char *id, char state[16], char owner[NZ_ID_MAX],
		char solution[NZ_RID_MAX], struct nz_err *err);

/*
 * issue_move writes problem id's new status (and, when solution is not NULL,
 * its current solution) after checking the move; part of the operations of
 * register/, which run it inside their transaction.
 */
int issue_move(struct store *st, const char *id, const char *to, enum reg_via via, const char *solution,
	       const char *author, struct nz_err *err);

/*
 * issue_list returns the live problems owned inside under (all when NULL),
 * optionally only those of one effective status and one category, each with
 * "state" (effective status), "priority" (0..100, null when unscored),
 * "rank" (within its area among scored problems that are not closed) and
 * "nscores", ordered by area then rank.
 */
json_t *issue_list(struct store *st, const char *under, const char *state, const char *category);

/*
 * issue_get returns problem id like issue_list's rows, with "criteria"
 * (per criterion: weight, scale, mean score, count) and "scores" (every
 * score given) into *out, by record.h's convention for reads (NZ_ENOTFOUND
 * when absent, NZ_EDB when the database could not be read).
 */
int issue_get(struct store *st, const char *id, json_t **out, struct nz_err *err);

/* ---- standards: categories and criteria (register/criteria.c) ---- */

/*
 * reg_category_check accepts an empty code, or a code of the national list
 * held at this node.  A node that holds no list yet (a county before its
 * first sync) accepts any well-formed code: offices must work offline.
 */
int reg_category_check(struct store *st, const char *code, struct nz_err *err);

/* category_put adds (add true) or edits a problem category; national node only.  NULL keeps a field; active -1 keeps. */
int category_put(struct store *st, bool add, const char *code, const char *name_fa, const char *name_en,
		 int active, const char *author, struct nz_err *err);

/* category_list returns the categories held here, in order. */
json_t *category_list(struct store *st);

/*
 * criterion_put adds (add true) or edits a prioritisation criterion with its
 * weight (> 0) and scale (scores run 0..scale_max); national node only.  NULL
 * keeps a text field, weight < 0, scale_max 0 and active -1 keep theirs.
 */
int criterion_put(struct store *st, bool add, const char *code, const char *name_fa, const char *name_en,
		  double weight, int scale_max, int active, const char *author, struct nz_err *err);

/* criterion_list returns the criteria held here, in order. */
json_t *criterion_list(struct store *st);

/*
 * reg_seed_standards writes the default categories and criteria that are not
 * yet defined (never changing one that is); national node only.  *ncat and
 * *ncrit get how many were added.
 */
int reg_seed_standards(struct store *st, const char *author, int *ncat, int *ncrit, struct nz_err *err);

/* ---- deliberation sessions and scores (register/sessions.c) ---- */

/* struct session_input is a deliberation session (جلسه هم اندیشی). */
struct session_input {
	const char *area;        /* this node when NULL */
	const char *date;        /* required */
	const char *place;
	const char *facilitator; /* تسهیلگر: the id of a designation serving the area on the date */
	const char *facilitator_name; /* a facilitator not designated: free text, flagged as a fallback */
	const char *groups;      /* stakeholder groups taking part */
	const char *outcomes;
	long long participants;  /* -1 unknown */
	const char *const *issues; /* problems discussed */
	int nissues;
	const char *const *helpers; /* helper groups working on it (link_attach) */
	int nhelpers;
	const char *const *actors; /* key local actors who took part (link_attach) */
	int nactors;
};

/*
 * session_add records a session; problems discussed must be of its area.
 * Its facilitator is a national designation serving the area (or a unit
 * above it), made on or before the session's date and not ended before it;
 * a name that is no designation is taken only as facilitator_name, which
 * listings flag (facilitator_fallback).  Helpers and actors are linked in
 * the same transaction: one refused, nothing is written.
 */
int session_add(struct store *st, const struct session_input *in, const char *author, char id[NZ_RID_MAX],
		struct nz_err *err);

/* session_set assigns FIELD=VALUE pairs (argv-style) to session id; facilitator=ID is checked as
 * session_add checks it, facilitator_name=TEXT is the flagged fallback. */
int session_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
		struct nz_err *err);

/* struct score_input is one stakeholder score of one problem on one criterion. */
struct score_input {
	const char *criterion;
	double score;
};

/*
 * session_score records scores given in session sid to problem issue by a
 * stakeholder group (group NULL or "": the session as a whole); a score given
 * again by the same group in the same session replaces the earlier one.  An
 * identified problem becomes prioritised, and joins the session's problems.
 * All or nothing.
 */
int session_score(struct store *st, const char *sid, const char *issue, const char *group,
		  const struct score_input *scores, int nscores, const char *author, struct nz_err *err);

/* session_list returns the sessions owned inside under (all when NULL), newest first. */
json_t *session_list(struct store *st, const char *under);

/* session_get reads session id with its scores into *out (record.h's convention for reads). */
int session_get(struct store *st, const char *id, json_t **out, struct nz_err *err);

/* ---- solutions and council decisions (register/solutions.c) ---- */

/* struct solution_input is a proposed solution (راه حل پیشنهادی). */
struct solution_input {
	const char *title;     /* required */
	const char *plan;      /* executive plan */
	const char *bodies;    /* responsible bodies */
	const char *resources;
	const char *start, *end; /* timeline; either may be NULL */
	long long budget;      /* rials; -1 unknown */
	const char *const *issues; /* at least one, all of one area */
	int nissues;
};

/*
 * solution_add records a solution for problems that are prioritised (or whose
 * earlier solution was rejected); they become "solution proposed".
 */
int solution_add(struct store *st, const struct solution_input *in, const char *author,
		 char id[NZ_RID_MAX], struct nz_err *err);

/* solution_set assigns FIELD=VALUE pairs to the content of solution id (not its status). */
int solution_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
		 struct nz_err *err);

/*
 * solution_submit puts a proposed solution before a council: council is
 * "county" or "province" (or the council's unit code), the council of the
 * solution's own unit or of its province.  The solution and its problems
 * become "before the council"; each submission is a new round.
 */
int solution_submit(struct store *st, const char *id, const char *council, const char *date,
		    const char *author, struct nz_err *err);

/* solution_revise takes a returned solution (and its problems) back to "solution proposed". */
int solution_revise(struct store *st, const char *id, const char *author, struct nz_err *err);

/* solution_close closes an evaluated or rejected solution and its problems. */
int solution_close(struct store *st, const char *id, const char *reason, const char *author,
		   struct nz_err *err);

/* solution_state copies solution id's effective status (and owner when not NULL). */
int solution_state(struct store *st, const char *id, char state[16], char owner[NZ_ID_MAX],
		   struct nz_err *err);

/* solution_list returns solutions owned inside under (all when NULL), optionally of one effective status. */
json_t *solution_list(struct store *st, const char *under, const char *state);

/* solution_get reads solution id with its problems and decisions into *out (record.h's convention for reads). */
int solution_get(struct store *st, const char *id, json_t **out, struct nz_err *err);

/* struct decision_input is a social council's decision on a solution. */
struct decision_input {
	const char *solution;
	const char *date;       /* the council's session date; required */
	const char *resolution; /* شماره مصوبه; required unless returned */
	const char *decision;   /* approved, rejected, returned */
	const char *conditions;
};

/*
 * council_decide records the decision of this node's council on a solution
 * before it (a county's council at the county, a province's at the province,
 * also for its counties' solutions).  The record belongs to the solution's
 * unit, so it reaches it.  Recording again for the same round corrects the
 * decision until the solution's unit acts on it.
 */
int council_decide(struct store *st, const struct decision_input *in, const char *author,
		   struct nz_err *err);

/*
 * council_list returns the decisions on solutions owned inside under (all when
 * NULL); with pending, instead the solutions awaiting this node's council.
 */
json_t *council_list(struct store *st, const char *under, bool pending);

/* ---- interventions and evaluations (register/interventions.c) ---- */

/* The five stages of a community-based intervention (article 2, definition 2). */
#define REG_NSTAGES 5
extern const char *const reg_stages[REG_NSTAGES];    /* needs, priority, planning, implementation, evaluation */
extern const char *const reg_stages_fa[REG_NSTAGES]; /* نیازسنجی ... ارزشیابی */

/* intervention_add creates the intervention of an approved solution; its problems follow. */
int intervention_add(struct store *st, const char *solution, const char *title, const char *author,
		     char id[NZ_RID_MAX], struct nz_err *err);

/*
 * intervention_stage records a stage's start and end dates, participants and
 * notes (NULL, and participants -1, keep a field; "" clears a date).  A
 * stage ends no earlier than it starts, and only after the stages before it
 * have ended.
 */
int intervention_stage(struct store *st, const char *id, const char *stage, const char *start,
		       const char *end, long long participants, const char *notes, const char *author,
		       struct nz_err *err);

/*
 * intervention_list returns interventions owned inside under, each with
 * "stages_done", "progress" (percent) and "current_stage".
 */
json_t *intervention_list(struct store *st, const char *under);

/* intervention_get reads intervention id with its stages as an array into *out (record.h's convention for
 * reads). */
int intervention_get(struct store *st, const char *id, json_t **out, struct nz_err *err);

/* struct evaluation_input is an evaluation of an implemented or proposed plan. */
struct evaluation_input {
	const char *intervention; /* an implemented plan, or */
	const char *solution;     /* a proposed one: exactly one of the two */
	const char *date;         /* today when NULL */
	const char *evaluator;
	const char *strengths, *weaknesses; /* at least one */
	const char *indicators, *recommendations;
};

/*
 * evaluation_add records an evaluation.  The first evaluation of an
 * intervention whose implementation has started moves its solution and
 * problems to "evaluated".
 */
int evaluation_add(struct store *st, const struct evaluation_input *in, const char *author,
		   char id[NZ_RID_MAX], struct nz_err *err);

/* evaluation_list returns the evaluations owned inside under (all when NULL). */
json_t *evaluation_list(struct store *st, const char *under);

/* ---- organisations (register/organisations.c) ---- */

/* organisation_res declares organisations as a replicated resource (domain/resource.h): the command
 * line's org add|set|retire|list|show, the API's /orgs and /resources/orgs. */
extern const struct res_def organisation_res;

/*
 * org_introduce records an introduction of organisation org to a body of
 * level "province" or "county", with outcome pending, accepted or declined
 * (pending when NULL).
 */
int org_introduce(struct store *st, const char *org, const char *body, const char *level, const char *date,
		  const char *outcome, const char *notes, const char *author, char id[NZ_RID_MAX],
		  struct nz_err *err);

/* org_outcome records the outcome of introduction intro (notes NULL keeps them). */
int org_outcome(struct store *st, const char *intro, const char *outcome, const char *notes,
		const char *author, struct nz_err *err);

/* org_intro_list returns introductions owned inside under, of one organisation when org is not NULL. */
json_t *org_intro_list(struct store *st, const char *under, const char *org);

/* ---- facilitators (register/facilitators.c) ---- */

/* facilitator_res declares facilitators as a replicated resource (domain/resource.h). */
extern const struct res_def facilitator_res;

/* ---- key local actors (register/actors.c) ---- */

/* actor_res declares the key local actors and trusted figures a secretariat registers (owned by it) as a
 * replicated resource (domain/resource.h). */
extern const struct res_def actor_res;

/* ---- helper groups and actors linked to records (register/links.c) ---- */

/* record_link_table holds every link, owned by the secretariat that owns the record it is on. */
extern const struct tbl_def record_link_table;

/* What a link names: a helper group (an appointment of the selection) or a key local actor. */
enum link_rel { LINK_HELPER, LINK_ACTOR };

/*
 * link_attach links target to record of kind (issue, session, intervention,
 * or their plurals; actors: session only).  A helper group is named by its
 * appointment id, decree number or name, and must be an active appointment
 * made inside the subtree of the record's owner; an actor is named by id,
 * active and registered inside that subtree.  A closed problem takes none,
 * a link is made once.  Refusals name what is wrong and change nothing.
 */
int link_attach(struct store *st, enum link_rel rel, const char *kind, const char *record, const char *target,
		const char *author, struct nz_err *err);

/* link_detach ends the link of target on record; the link stays, inactive, dated. */
int link_detach(struct store *st, enum link_rel rel, const char *kind, const char *record, const char *target,
		const char *author, struct nz_err *err);

/* link_list returns the active helper groups (id, name, decree_no, status, owner, since) or actors (id, name,
 * role, neighbourhood, contact only with consent, consent, owner, since) of record; NULL on a database error
 * or an unknown kind. */
json_t *link_list(struct store *st, enum link_rel rel, const char *kind, const char *record);

/* link_groups returns the appointments made inside under (active ones unless all), each with the problems,
 * sessions and interventions it works on and the reports it filed counted; NULL on a database error. */
json_t *link_groups(struct store *st, const char *under, bool all);

/* link_group_work reads helper group group (appointment id, decree number or name) into *out with its
 * work listed: problems, sessions, interventions and reports (the current revision of each); record.h's
 * convention for reads (NZ_ENOTFOUND when no appointment has that id, number or name). */
int link_group_work(struct store *st, const char *group, json_t **out, struct nz_err *err);

/* ---- consolidation ---- */

/* The consolidated register of a subtree is the dashboard's: dash_register (dashboard.h). */

/* ---- helpers shared by the register's files and the commands ---- */

/* reg_rows steps s to the end and returns its rows as a JSON array (columns named as selected; clk skipped),
 * NULL on a database error (rec_rows); it finalizes s. */
json_t *reg_rows(sqlite3_stmt *s);

#endif
