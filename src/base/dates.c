/* The one reading of typed dates and times: see dates.h. */
#include "base/dates.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fa.h"
#include "base/jalali.h"

/* Years that look Gregorian when typed where a Jalali date is expected. */
#define GREG_LOOKING_MIN 1800
#define GREG_LOOKING_MAX 2300

/* struct typed is a date as typed: three numbers, their digit counts, the separator. */
struct typed {
	int v[3];
	int ndig[3];
	char sep;
	bool ascii; /* every digit ASCII */
};

static const char *
blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* number reads up to max digits at *p into *v and *ndig; false when none or too many. */
static bool
number(const char **p, int max, int *v, int *ndig, bool *ascii)
{
	const char *before;
	int digit;

	*v = 0;
	*ndig = 0;
	for (before = *p; (digit = fa_digit(p)) >= 0; before = *p) {
		if (++*ndig > max)
			return false;
		*v = *v * 10 + digit;
		if (*p - before != 1)
			*ascii = false;
	}
	return *ndig > 0;
}

static bool
read_typed(const char *s, struct typed *t)
{
	const char *p = blanks(s);
	int i;

	t->ascii = true;
	t->sep = 0;
	for (i = 0; i < 3; i++) {
		if (!number(&p, i == 0 ? 4 : 2, &t->v[i], &t->ndig[i], &t->ascii))
			return false;
		if (i == 2)
			break;
		if (*p != '-' && *p != '/')
			return false;
		if (t->sep == 0)
			t->sep = *p;
		else if (*p != t->sep)
			return false;
		p++;
	}
	return *blanks(p) == '\0';
}

static bool
plausible(int jy)
{
	return jy >= DATE_JYEAR_MIN && jy <= DATE_JYEAR_MAX;
}

/* swap_hint writes a plausible year made by swapping two adjacent digits of y (1045: 1405), or "". */
static void
swap_hint(int y, char out[8])
{
	char d[8], c;
	int i;

	out[0] = '\0';
	if (snprintf(d, sizeof(d), "%04d", y) != 4)
		return;
	for (i = 0; i < 3; i++) {
		memcpy(out, d, 5);
		c = out[i];
		out[i] = out[i + 1];
		out[i + 1] = c;
		if (out[0] != '0' && plausible(atoi(out)))
			return;
	}
	out[0] = '\0';
}

/* refuse writes the refusal of field what: message, catalogue code and parameters. */
static int
refuse(struct nz_err *err, const char *why, const char *what, const char *text, const char *hint,
       const char *fmt, const char *detail)
{
	char q[TEXT_QUOTE_MAX + 4];

	text_quote(text != NULL ? text : "", q);
	nz_fail(err, NZ_EINVAL, "%s '%s' %s%s%s", what, q, fmt, detail != NULL ? detail : "",
		hint != NULL && hint[0] ? hint : "");
	if (hint != NULL && hint[0])
		return nz_why(err, why, "field", what, "value", q, "hint", hint, NULL);
	return nz_why(err, why, "field", what, "value", q, NULL);
}

int
date_parse(const char *what, const char *text, char iso[11], struct nz_err *err)
{
	struct typed t;
	struct jdate j;
	char hint[96], swap[8], detail[96];
	int gy, gm, gd;

	if (text == NULL || *blanks(text) == '\0')
		return refuse(err, "date.missing", what, "", NULL, "is empty: give a date such as 1405-09-07",
			      NULL);
	if (!read_typed(text, &t))
		return refuse(err, "date.syntax", what, text, NULL,
			      "is not a date: write year-month-day, Jalali such as 1405-09-07 or 1405/9/7"
			      " (Persian digits too), or Gregorian ISO such as 2026-11-28",
			      NULL);
	/* Strict ISO: ASCII digits, 4-2-2 with '-', a year that can only be Gregorian. */
	if (t.ascii && t.sep == '-' && t.ndig[0] == 4 && t.ndig[1] == 2 && t.ndig[2] == 2 &&
	    t.v[0] >= GREG_LOOKING_MIN && t.v[0] <= GREG_LOOKING_MAX) {
		snprintf(iso, 11, "%04d-%02d-%02d", t.v[0], t.v[1], t.v[2]);
		if (iso_parse(iso, &gy, &gm, &gd, NULL) != 0)
			return refuse(err, "date.not_real", what, text, NULL, "is not a real Gregorian date", NULL);
		if (jalali_from_gregorian(gy, gm, gd, &j) != 0 || !plausible(j.y)) {
			snprintf(detail, sizeof(detail), "%d; dates run from %d to %d", j.y, DATE_JYEAR_MIN,
				 DATE_JYEAR_MAX);
			return refuse(err, "date.implausible_year", what, text, NULL, "lies in the Jalali year ",
				      detail);
		}
		snprintf(iso, 11, "%04d-%02d-%02d", gy, gm, gd);
		return 0;
	}
	if (t.v[0] >= GREG_LOOKING_MIN && t.v[0] <= GREG_LOOKING_MAX) {
		hint[0] = '\0';
		if (jalali_from_gregorian(t.v[0], t.v[1], t.v[2], &j) == 0)
			snprintf(hint, sizeof(hint), "; if it is Gregorian, that day is %04d-%02d-%02d in Jalali", j.y,
				 j.m, j.d);
		snprintf(detail, sizeof(detail), "%d looks Gregorian: type the Jalali date (1405-09-07) or ISO "
			 "with ASCII digits (2026-11-28)", t.v[0]);
		return refuse(err, "date.gregorian_as_jalali", what, text, hint, "is not a Jalali date: the year ",
			      detail);
	}
	if (!plausible(t.v[0])) {
		swap_hint(t.v[0], swap);
		hint[0] = '\0';
		if (swap[0])
			snprintf(hint, sizeof(hint), " (did you mean %s?)", swap);
		snprintf(detail, sizeof(detail), "%d is not plausible: Jalali dates run from %d to %d", t.v[0],
			 DATE_JYEAR_MIN, DATE_JYEAR_MAX);
		return refuse(err, "date.implausible_year", what, text, hint, "is refused: the year ", detail);
	}
	j.y = t.v[0];
	j.m = t.v[1];
	j.d = t.v[2];
	if (t.v[1] < 1 || t.v[1] > 12 || t.v[2] < 1 || t.v[2] > jalali_month_days(j.y, j.m)) {
		if (t.v[1] < 1 || t.v[1] > 12)
			snprintf(detail, sizeof(detail), "month %d is not 1 to 12", t.v[1]);
		else
			snprintf(detail, sizeof(detail), "month %d of %d has %d days", t.v[1], t.v[0],
				 jalali_month_days(j.y, j.m));
		return refuse(err, "date.not_real", what, text, NULL, "is not a real Jalali date: ", detail);
	}
	if (jalali_to_gregorian(&j, &gy, &gm, &gd) != 0)
		return refuse(err, "date.not_real", what, text, NULL, "is not a real Jalali date", NULL);
	snprintf(iso, 11, "%04d-%02d-%02d", gy, gm, gd);
	return 0;
}

int
time_parse(const char *what, const char *text, char hhmm[6], struct nz_err *err)
{
	const char *p = text != NULL ? blanks(text) : "";
	int h, m, nh, nm;
	bool ascii = true;

	if (!number(&p, 2, &h, &nh, &ascii) || *p++ != ':' || !number(&p, 2, &m, &nm, &ascii) || nm != 2 ||
	    *blanks(p) != '\0' || h < 0 || h > 23 || m < 0 || m > 59)
		return refuse(err, "time.syntax", what, text, NULL,
			      "is not a time of day: write H:MM or HH:MM from 00:00 to 23:59, such as 9:00", NULL);
	/* h and m are 0..23 and 0..59 here: written digit by digit. */
	hhmm[0] = (char)('0' + h / 10), hhmm[1] = (char)('0' + h % 10), hhmm[2] = ':';
	hhmm[3] = (char)('0' + m / 10), hhmm[4] = (char)('0' + m % 10), hhmm[5] = '\0';
	return 0;
}
