#ifndef NZ_DATES_H
#define NZ_DATES_H

#include "base/err.h"

/*
 * The one reading of a date or a time typed by a person, used by every
 * command, every API route and every domain rule that takes one.
 *
 * A date is written Jalali (1405-09-07, 1405/9/7, ۱۴۰۵/۰۹/۰۷: ASCII, Persian
 * or Arabic-Indic digits; '-' or '/', the same one twice) or Gregorian as
 * strict ISO (2026-11-28: ASCII digits, '-', 4-2-2).  The year tells which:
 * a Jalali year must lie in DATE_JYEAR_MIN..DATE_JYEAR_MAX, an ISO date must
 * fall in those Jalali years too.  Anything else is refused with a hint:
 * 1045-09-15 (digits swapped: "did you mean 1405?"), ۲۰۲۶/۱۱/۲۸ (a Gregorian
 * year typed the Jalali way: the Jalali date of that day is offered).
 *
 * A time is H:MM or HH:MM, 00:00 to 23:59, in any of the same digits.
 *
 * Refusals are NZ_EINVAL with the reason in err, prefixed by the field's
 * name, and a catalogue code by nz_why(): date.missing, date.syntax,
 * date.not_real, date.gregorian_as_jalali, date.implausible_year,
 * time.syntax, with parameters field and value (and hint when there is one).
 */

#define DATE_JYEAR_MIN 1300
#define DATE_JYEAR_MAX 1500

/*
 * date_parse reads text, a date as above, into iso ("YYYY-MM-DD", Gregorian);
 * what names the field in a refusal ("session date").  Returns 0 or NZ_EINVAL.
 */
int date_parse(const char *what, const char *text, char iso[11], struct nz_err *err);

/*
 * time_parse reads text, a time of day as above, into hhmm ("09:00"); what
 * names the field in a refusal.  Returns 0 or NZ_EINVAL.
 */
int time_parse(const char *what, const char *text, char hhmm[6], struct nz_err *err);

#endif
