#ifndef NZ_SENSE_H
#define NZ_SENSE_H

#include "base/err.h"

/*
 * Rules of sense: what a clerk's records must never say, whatever door they
 * come in by (the command line, the HTTP API, a domain call).  Each rule is
 * stated once, in the table of sense.c, per record type, in English and in
 * Persian; the domain operations call sense_not_future() and
 * sense_not_before() with the rule's code before they write anything.
 *
 * A refusal is NZ_EINVAL; its message names the date, the limit and the rule
 * in both languages, and nz_why() carries the rule's code ("sense.<name>")
 * with the parameters field, date and limit (Jalali), for the UI's catalogue.
 */

/* struct sense_rule is one rule: its code, the record it governs, and its words. */
struct sense_rule {
	const char *code;   /* "sense.decision_future" */
	const char *record; /* "council decision" */
	const char *en;
	const char *fa;
};

/* sense_rules returns the table of every rule, ending with a row of NULLs; static. */
const struct sense_rule *sense_rules(void);

/* sense_rule returns the rule of code, or NULL. */
const struct sense_rule *sense_rule(const char *code);

/*
 * sense_not_future refuses, under rule code, the ISO date iso of field what
 * when it lies after today in Iran (nz_today).  Returns 0 or NZ_EINVAL.
 */
int sense_not_future(const char *code, const char *what, const char *iso, struct nz_err *err);

/*
 * sense_not_before refuses, under rule code, the ISO date iso of field what
 * when it lies before earliest (an ISO date; "" or NULL: no limit), which is
 * the date of the field named earliest_what.  Returns 0 or NZ_EINVAL.
 */
int sense_not_before(const char *code, const char *what, const char *iso, const char *earliest_what,
		     const char *earliest, struct nz_err *err);

/*
 * sense_not_after refuses, under rule code, the ISO date iso of field what
 * when it lies after latest (an ISO date; "" or NULL: no limit), the date of
 * the field named latest_what.  Returns 0 or NZ_EINVAL.
 */
int sense_not_after(const char *code, const char *what, const char *iso, const char *latest_what,
		    const char *latest, struct nz_err *err);

#endif
