/*
 * The lifecycle of problems and solutions, as a diagram and a table: the one
 * place that says which state moves to which, and through which operation.
 */
#include <stdio.h>
#include <string.h>

#include "domain/register/reg_int.h"

/*
 * The lifecycle of problems and solutions:
 *
 *   identified   --score-->        prioritised
 *   prioritised  --solution add--> proposed        (solution proposed)
 *   proposed     --submit-->       council         (before the council)
 *   council      --decide-->       approved | rejected | returned
 *   returned     --revise-->       proposed
 *   rejected     --solution add--> proposed        (a new solution)
 *   approved     --intervention--> intervention
 *   intervention --evaluation-->   evaluated
 *   identified, prioritised, rejected, evaluated --close--> closed
 *
 * A solution is born "proposed" and makes the same moves from there, except
 * that a rejected solution can only be closed.  approved, rejected and
 * returned are never stored: they are the council's decision record on the
 * current round while the stored status is "council" (REG_ISSUE_STATE).
 */
const struct reg_move reg_moves[] = {
	{"identified", "prioritised", REG_VIA_SCORE, REG_ISSUE},
	{"identified", "closed", REG_VIA_CLOSE, REG_ISSUE},
	{"prioritised", "proposed", REG_VIA_SOLUTION, REG_ISSUE},
	{"prioritised", "closed", REG_VIA_CLOSE, REG_ISSUE},
	{"proposed", "council", REG_VIA_SUBMIT, REG_ISSUE | REG_SOLUTION},
	{"council", "approved", REG_VIA_DECISION, REG_ISSUE | REG_SOLUTION},
	{"council", "rejected", REG_VIA_DECISION, REG_ISSUE | REG_SOLUTION},
	{"council", "returned", REG_VIA_DECISION, REG_ISSUE | REG_SOLUTION},
	{"returned", "proposed", REG_VIA_REVISE, REG_ISSUE | REG_SOLUTION},
	{"rejected", "proposed", REG_VIA_SOLUTION, REG_ISSUE},
	{"rejected", "closed", REG_VIA_CLOSE, REG_ISSUE | REG_SOLUTION},
	{"approved", "intervention", REG_VIA_INTERVENTION, REG_ISSUE | REG_SOLUTION},
	{"intervention", "evaluated", REG_VIA_EVALUATION, REG_ISSUE | REG_SOLUTION},
	{"evaluated", "closed", REG_VIA_CLOSE, REG_ISSUE | REG_SOLUTION},
	{NULL, NULL, 0, 0},
};

const char *const reg_statuses[] = {"identified", "prioritised", "proposed", "council", "approved",
				    "rejected", "returned", "intervention", "evaluated", "closed",
				    NULL};

static const char *const status_fa[] = {"شناسایی شده", "اولویت بندی شده", "راه حل پیشنهاد شده",
					"در دستور شورا", "مصوب شورا", "رد شده در شورا",
					"عودت برای اصلاح", "در حال مداخله", "ارزیابی شده", "مختومه"};

const char *
reg_status_fa(const char *status)
{
	int i;

	for (i = 0; status != NULL && reg_statuses[i] != NULL; i++)
		if (strcmp(reg_statuses[i], status) == 0)
			return status_fa[i];
	return NULL;
}

/* The step that makes moves of a via, in words and as its operation (NULL: none of its own). */
static const struct {
	const char *words, *action;
} reg_vias[] = {
	[REG_VIA_SCORE] = {"scores given in a session", "session score"},
	[REG_VIA_SOLUTION] = {"a solution proposed for it", "solution add"},
	[REG_VIA_SUBMIT] = {"its solution's submission to a council", "solution submit"},
	[REG_VIA_DECISION] = {"a council's decision", "council decide"},
	[REG_VIA_REVISE] = {"its solution's revision", "solution revise"},
	[REG_VIA_INTERVENTION] = {"an intervention", "intervention add"},
	[REG_VIA_EVALUATION] = {"an evaluation of its intervention", "evaluation add"},
	[REG_VIA_CLOSE] = {"closing it", NULL},
};

int
reg_check_move(int kind, const char *what, const char *id, const char *from, const char *to,
	       enum reg_via via, struct nz_err *err)
{
	char next[256];
	size_t n = 0;
	int i;

	for (i = 0; reg_moves[i].from != NULL; i++) {
		const struct reg_move *m = &reg_moves[i];
		if (!(m->kinds & kind) || strcmp(m->from, from) != 0)
			continue;
		if (strcmp(m->to, to) == 0) {
			if (m->via == via)
				return 0;
			return nz_fail_at(err, NZ_ESTATE, NULL, reg_vias[m->via].action,
					  "%s '%s' becomes %s only through %s", what, id, to, reg_vias[m->via].words);
		}
		n += (size_t)snprintf(next + n, sizeof(next) - n, "%s%s", n ? ", " : "", m->to);
		if (n >= sizeof(next))
			n = sizeof(next) - 1;
	}
	if (n == 0)
		return nz_fail(err, NZ_ESTATE, "%s '%s' is %s (%s); it cannot become %s: it moves no further",
			       what, id, from, reg_status_fa(from) ? reg_status_fa(from) : "?", to);
	return nz_fail(err, NZ_ESTATE, "%s '%s' is %s (%s); it cannot become %s (next: %s)", what, id, from,
		       reg_status_fa(from) ? reg_status_fa(from) : "?", to, next);
}
