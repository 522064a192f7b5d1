/* Rules of sense, stated once: see sense.h. */
#include "domain/sense.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/jalali.h"

/*
 * Every rule of sense, by record type.  "Happened" rules refuse a date after
 * today; "order" rules refuse a step dated before the step it follows.
 */
static const struct sense_rule rules[] = {
	{"sense.submission_future", "solution",
	 "a solution cannot be submitted to a council after today",
	 "تاریخ ارسال راه حل به شورا نمی تواند بعد از امروز باشد"},
	{"sense.decision_future", "council decision",
	 "a council decision cannot be dated after today",
	 "تاریخ تصمیم شورا نمی تواند بعد از امروز باشد"},
	{"sense.decision_before_submission", "council decision",
	 "a council decides on or after the day the solution was submitted to it",
	 "شورا در روز ارسال راه حل یا پس از آن تصمیم می گیرد"},
	{"sense.session_score_future", "deliberation session",
	 "a session's problems are scored on or after the day it met",
	 "امتیاز مسائل در روز برگزاری جلسه یا پس از آن ثبت می شود"},
	{"sense.stage_end_future", "intervention",
	 "an intervention stage cannot have ended after today",
	 "پایان مرحله مداخله نمی تواند بعد از امروز باشد"},
	{"sense.stage_end_before_start", "intervention",
	 "an intervention stage ends on or after the day it started",
	 "پایان مرحله مداخله نمی تواند پیش از آغاز آن باشد"},
	{"sense.evaluation_future", "evaluation",
	 "an evaluation cannot be dated after today",
	 "تاریخ ارزشیابی نمی تواند بعد از امروز باشد"},
	{"sense.evaluation_before_implementation", "evaluation",
	 "an intervention is evaluated on or after the day its implementation began",
	 "ارزشیابی مداخله در روز آغاز اجرا یا پس از آن انجام می شود"},
	{"sense.interview_score_early", "interview",
	 "an interview is scored on or after its date",
	 "امتیاز مصاحبه در روز مصاحبه یا پس از آن ثبت می شود"},
	{"sense.interview_noshow_early", "interview",
	 "an applicant is marked absent on or after the interview's date",
	 "غیبت متقاضی در روز مصاحبه یا پس از آن ثبت می شود"},
	{"sense.attendance_early", "course attendance",
	 "attendance is recorded on or after the day of the course session",
	 "حضور و غیاب در روز جلسه دوره یا پس از آن ثبت می شود"},
	{"sense.application_future", "application",
	 "an application cannot have been received after today",
	 "تاریخ دریافت درخواست نمی تواند بعد از امروز باشد"},
	{"sense.application_before_opening", "application",
	 "an application is received on or after the day the call opens",
	 "درخواست از روز گشایش فراخوان به بعد دریافت می شود"},
	{"sense.application_after_closing", "application",
	 "an application is received on or before the day the call closes",
	 "درخواست تا روز پایان فراخوان دریافت می شود"},
	{NULL, NULL, NULL, NULL},
};

const struct sense_rule *
sense_rules(void)
{
	return rules;
}

const struct sense_rule *
sense_rule(const char *code)
{
	int i;

	for (i = 0; code != NULL && rules[i].code != NULL; i++)
		if (strcmp(rules[i].code, code) == 0)
			return &rules[i];
	return NULL;
}

/* refuse writes the refusal of rule code: what's date, the limit it breaks, the rule in both languages. */
static int
refuse(const char *code, const char *what, const char *iso, bool after, const char *limit_what, const char *limit,
       struct nz_err *err)
{
	const struct sense_rule *r = sense_rule(code);
	char d[11], l[11];

	jalali_or_iso(iso, d);
	jalali_or_iso(limit, l);
	nz_fail(err, NZ_EINVAL, "%s %s is %s %s %s: %s (%s)", what, d, after ? "after" : "before", limit_what, l,
		r != NULL ? r->en : code, r != NULL ? r->fa : "");
	return nz_why(err, code, "field", what, "date", d, "limit", l, NULL);
}

int
sense_not_future(const char *code, const char *what, const char *iso, struct nz_err *err)
{
	char today[11];

	nz_today(today);
	if (iso != NULL && iso[0] != '\0' && strcmp(iso, today) > 0)
		return refuse(code, what, iso, true, "today", today, err);
	return 0;
}

int
sense_not_before(const char *code, const char *what, const char *iso, const char *earliest_what,
		 const char *earliest, struct nz_err *err)
{
	if (iso != NULL && iso[0] != '\0' && earliest != NULL && earliest[0] != '\0' && strcmp(iso, earliest) < 0)
		return refuse(code, what, iso, false, earliest_what, earliest, err);
	return 0;
}

int
sense_not_after(const char *code, const char *what, const char *iso, const char *latest_what, const char *latest,
		struct nz_err *err)
{
	if (iso != NULL && iso[0] != '\0' && latest != NULL && latest[0] != '\0' && strcmp(iso, latest) > 0)
		return refuse(code, what, iso, true, latest_what, latest, err);
	return 0;
}
