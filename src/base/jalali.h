#ifndef NZ_JALALI_H
#define NZ_JALALI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/*
 * The Jalali (Solar Hijri, هجری شمسی) calendar, Iran's official calendar.
 *
 * Leap years follow Borkowski's astronomical rule: between the "break" years
 * of a published table the calendar runs on a 33-year cycle of 8 leap years.
 * That table covers Jalali years 1 to 3177 (Gregorian 622 to 3799); dates
 * outside it are refused with NZ_EINVAL.  Gregorian dates are proleptic.
 *
 * Dates are stored as ISO text "YYYY-MM-DD" (Gregorian); Jalali text is for
 * people.  Nothing here allocates: every output goes to a caller's buffer,
 * and returned strings are static.  All functions are thread-safe.
 */

#define JALALI_YEAR_MIN 1
#define JALALI_YEAR_MAX 3177

/* Buffer sizes, with the NUL: "1405-09-07", the same in Persian digits
 * (two UTF-8 bytes each), "1405-09" or "1405-Q3". */
#define JALALI_TEXT_MAX 11
#define JALALI_TEXT_FA_MAX 19
#define JPERIOD_TEXT_MAX 8

/* struct jdate is a Jalali date: year, month 1..12, day 1..31. */
struct jdate {
	int y, m, d;
};

/*
 * jalali_is_leap reports whether Esfand of year jy has 30 days; false for a
 * year outside 1..3177.
 */
bool jalali_is_leap(int jy);

/*
 * jalali_month_days returns the length of month jm of year jy (31 for months
 * 1-6, 30 for 7-11, 29 or 30 for 12), or 0 when jy or jm is out of range.
 */
int jalali_month_days(int jy, int jm);

/*
 * jalali_from_gregorian converts a Gregorian date into out; returns 0, or
 * NZ_EINVAL when the date is not real or lies outside the Jalali years
 * 1..3177.
 */
int jalali_from_gregorian(int gy, int gm, int gd, struct jdate *out);

/*
 * jalali_to_gregorian converts j into a Gregorian date; returns 0, or
 * NZ_EINVAL when j is not a real Jalali date.
 */
int jalali_to_gregorian(const struct jdate *j, int *gy, int *gm, int *gd);

/*
 * days_from_civil returns the number of days from 1970-01-01 to the Gregorian
 * date y-m-d (negative before it); m and d must be valid.
 */
long days_from_civil(int y, int m, int d);

/*
 * civil_from_days is the inverse of days_from_civil: the Gregorian date z days
 * after 1970-01-01.
 */
void civil_from_days(long z, int *y, int *m, int *d);

/* Longest piece of user input echoed back in a message, in bytes. */
#define TEXT_QUOTE_MAX 40

/*
 * text_quote copies user input s for a message into out: at most
 * TEXT_QUOTE_MAX bytes, cut on a UTF-8 character boundary ("..." then), with
 * control characters shown as '?' so that a message cannot carry terminal
 * escapes.  Returns out.
 */
const char *text_quote(const char *s, char out[TEXT_QUOTE_MAX + 4]);

/*
 * jalali_parse reads a user-typed Jalali date such as "1405-09-07",
 * "1405/9/7" or "۱۴۰۵/۰۹/۰۷" (ASCII, Persian or Arabic-Indic digits; one
 * separator, '-' or '/', used twice; surrounding blanks ignored) into out.
 * Returns 0, or NZ_EINVAL with the reason in err when it is not a real date.
 */
int jalali_parse(const char *s, struct jdate *out, struct nz_err *err);

/*
 * jalali_format writes j as "1405-09-07", or with persian as "۱۴۰۵-۰۹-۰۷"
 * (UTF-8), into buf of size n.  Returns 0, NZ_ETOOBIG when buf is too small
 * (see JALALI_TEXT_MAX, JALALI_TEXT_FA_MAX) or NZ_EINVAL when j is not a date.
 */
int jalali_format(const struct jdate *j, bool persian, char *buf, size_t n);

/*
 * jalali_to_iso parses Jalali text as jalali_parse does and writes the
 * Gregorian date as ISO "YYYY-MM-DD"; returns 0 or NZ_EINVAL with the reason
 * in err.
 */
int jalali_to_iso(const char *jalali_text, char iso[11], struct nz_err *err);

/*
 * jalali_from_iso reads a strict ISO date and writes it as Jalali
 * "1405-09-07"; returns 0 or NZ_EINVAL with the reason in err.
 */
int jalali_from_iso(const char *iso, char out[11], struct nz_err *err);

/*
 * jalali_or_iso writes iso as Jalali (jalali_from_iso) for showing it, or,
 * when it is not a date of those years (empty, NULL, free text), copies it
 * as it is, cut to 10 bytes ("" for NULL).
 */
void jalali_or_iso(const char *iso, char out[11]);

/*
 * jdate_of_iso reads a strict ISO date (as iso_parse does) into out as a
 * Jalali date; returns 0 or NZ_EINVAL with the reason in err (not ISO, not a
 * real day, or outside JALALI_YEAR_MIN..JALALI_YEAR_MAX).
 */
int jdate_of_iso(const char *iso, struct jdate *out, struct nz_err *err);

/*
 * iso_parse reads exactly "YYYY-MM-DD" (year 0001..9999) naming a real
 * Gregorian date; returns 0 or NZ_EINVAL with the reason in err.
 */
int iso_parse(const char *iso, int *y, int *m, int *d, struct nz_err *err);

/*
 * iso_add_days writes into out the ISO date days after iso (before, when
 * negative); returns 0, or NZ_EINVAL when iso is not strict ISO or the result
 * leaves years 0001..9999.
 */
int iso_add_days(const char *iso, long days, char out[11]);

/*
 * iso_from_unix_iran writes the ISO date in Iran (UTC+03:30, no daylight
 * saving since 1401) at unix_seconds, clamped to years 0001..9999.
 */
void iso_from_unix_iran(long long unix_seconds, char out[11]);

/* jalali_time_text writes unix milliseconds as Jalali date and Iran time, "1405-09-07 14:05". */
void jalali_time_text(int64_t ms, char *out, size_t n);

/*
 * jalali_month_name returns the static Persian (UTF-8) name of month m,
 * فروردین for 1 to اسفند for 12, or NULL when m is out of range.
 */
const char *jalali_month_name(int m);

/*
 * Reporting periods: a Jalali month, written "1405-07" (Mehr 1405), or a
 * quarter of three months, written "1405-Q3" (Mehr to Azar).
 */
enum { JPERIOD_MONTH = 1, JPERIOD_QUARTER = 2 };

/*
 * struct jperiod is a reporting period: year y, kind JPERIOD_MONTH with n
 * 1..12 or JPERIOD_QUARTER with n 1..4.
 */
struct jperiod {
	int y;
	int kind;
	int n;
};

/*
 * jperiod_parse reads "1405-07", "1405-7" or "1405-Q3" ("q" too; any digits
 * jalali_parse takes) into p; returns 0 or NZ_EINVAL with the reason in err.
 */
int jperiod_parse(const char *s, struct jperiod *p, struct nz_err *err);

/*
 * jperiod_format writes p as "1405-07" or "1405-Q3" into buf of size n;
 * returns 0, NZ_ETOOBIG when buf is too small or NZ_EINVAL when p is not a
 * period.
 */
int jperiod_format(const struct jperiod *p, char *buf, size_t n);

/*
 * jperiod_bounds writes the first and last day of p as ISO dates; returns 0 or
 * NZ_EINVAL when p is not a period within years 1..3177.
 */
int jperiod_bounds(const struct jperiod *p, char first_iso[11], char last_iso[11]);

/*
 * jperiod_next moves p to the following period of its kind, into the next year
 * after the last; an invalid p is left alone.
 */
void jperiod_next(struct jperiod *p);

/*
 * jperiod_prev moves p to the preceding period of its kind, into the previous
 * year before the first; an invalid p is left alone.
 */
void jperiod_prev(struct jperiod *p);

/*
 * jperiod_of_iso sets out to the period of the given kind containing the ISO
 * date iso; returns 0 or NZ_EINVAL with the reason in err.
 */
int jperiod_of_iso(const char *iso, int kind, struct jperiod *out, struct nz_err *err);

/*
 * nz_today writes today's date in Iran as ISO YYYY-MM-DD.  NEHZAT_TODAY in
 * the environment (an ISO date) overrides it, so tests can fix the day.
 */
void nz_today(char out[11]);

#endif
