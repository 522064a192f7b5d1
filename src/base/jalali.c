#include "base/fa.h"
#include "base/jalali.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <string.h>

/*
 * Borkowski's break years.  From one break to the next the calendar repeats
 * a 33-year cycle with leap years at positions 0, 4, ..., 28; at each break
 * the cycle restarts, which keeps 1 Farvardin on the day of the March
 * equinox as seen in Tehran.  The last entry only closes the table, so the
 * usable years are breaks[0] to 3177.
 */
static const int breaks[] = {
	-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210,
	1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178,
};

#define NBREAKS (sizeof(breaks) / sizeof(breaks[0]))

/*
 * The day number of 1 Farvardin is 365 * jy plus the leap days counted
 * since breaks[0], shifted by this constant so that 1 Farvardin 1404 falls
 * on 2025-03-21 (day 20168).
 */
#define NOWRUZ_SHIFT (-492648L)

/* Iran standard time, UTC+03:30, in seconds. */
#define IRAN_OFFSET (3 * 3600 + 30 * 60)
#define DAY_SECONDS 86400

#define ISO_YEAR_MIN 1
#define ISO_YEAR_MAX 9999


/* Month names in Latin letters, for error messages written in English. */
static const char *const latin_months[] = {
	"Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
	"Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
};

static const char *const persian_months[] = {
	"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
	"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
};

static const char *const gregorian_months[] = {
	"January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December",
};

static long
floor_div(long a, long b)
{
	long q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/*
 * year_info finds whether jy is leap and the day number (days since
 * 1970-01-01) of its 1 Farvardin.  Returns 0, or NZ_EINVAL outside the
 * break table.
 */
static int
year_info(int jy, bool *leap, long *nowruz)
{
	long leaps = 0;
	int start = breaks[0];
	int span = 0;
	int n, k;
	size_t i;

	if (jy < JALALI_YEAR_MIN || jy > JALALI_YEAR_MAX)
		return NZ_EINVAL;

	/* Whole stretches between breaks before jy: 8 leap days per full
	 * cycle, one per 4 years of the partial cycle at the end. */
	for (i = 1; i < NBREAKS; i++) {
		span = breaks[i] - start;
		if (jy < breaks[i])
			break;
		leaps += span / 33 * 8 + span % 33 / 4;
		start = breaks[i];
	}

	/* Leap years in the stretch containing jy, up to jy - 1.  When the
	 * stretch is 33q + 4 years long, the leap year of its final short
	 * cycle is the fifth-last year, not the fourth-last as the plain count
	 * assumes (see the remapping below), so the fourth-last year has one
	 * more leap day behind it. */
	n = jy - start;
	leaps += n / 33 * 8 + (n % 33 + 3) / 4;
	if (span % 33 == 4 && span - n == 4)
		leaps++;
	*nowruz = 365L * jy + leaps + NOWRUZ_SHIFT;

	/* The last few years before a break belong to the cycle that the break
	 * starts, so count their position from there. */
	if (span - n < 6)
		n = n - span + (span + 4) / 33 * 33;
	k = n % 33;
	*leap = k % 4 == 0 && k != 32;
	return 0;
}

static bool
greg_is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
greg_month_days(long y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && greg_is_leap(y))
		return 29;
	return days[m - 1];
}

long
days_from_civil(int y, int m, int d)
{
	/* Count years from 1 March, so that the leap day closes a year, and
	 * group them into 400-year eras of 146097 days. */
	long yy = (long)y - (m <= 2);
	long era = floor_div(yy, 400);
	long yoe = yy - era * 400;
	long mp = (m + 9) % 12;
	long doy = (153 * mp + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	/* 719468 days separate 0000-03-01 from 1970-01-01. */
	return era * 146097 + doe - 719468;
}

void
civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp, yy;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	/* Take out the leap days of the era so far to find the year in it. */
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	yy = era * 400 + yoe + (*m <= 2);
	*y = (int)yy;
}

/* Day of the year, 0 for 1 Farvardin; the first six months have 31 days. */
static int
jalali_doy(int jm, int jd)
{
	if (jm <= 6)
		return (jm - 1) * 31 + jd - 1;
	return 186 + (jm - 7) * 30 + jd - 1;
}

bool
jalali_is_leap(int jy)
{
	bool leap;
	long nowruz;

	if (year_info(jy, &leap, &nowruz) != 0)
		return false;
	return leap;
}

int
jalali_month_days(int jy, int jm)
{
	if (jy < JALALI_YEAR_MIN || jy > JALALI_YEAR_MAX || jm < 1 || jm > 12)
		return 0;
	if (jm <= 6)
		return 31;
	if (jm <= 11)
		return 30;
	return jalali_is_leap(jy) ? 30 : 29;
}

static bool
jdate_valid(const struct jdate *j)
{
	int md = jalali_month_days(j->y, j->m);

	return md != 0 && j->d >= 1 && j->d <= md;
}

/* jalali_from_days converts a day number into a Jalali date. */
static int
jalali_from_days(long z, struct jdate *out)
{
	int gy, gm, gd, jy, doy;
	bool leap;
	long nowruz;

	civil_from_days(z, &gy, &gm, &gd);
	/* 1 Farvardin falls in March, so the Jalali year is gy - 621 from
	 * then on and gy - 622 before; clamping lets the ends of the table
	 * be checked by the year length below. */
	jy = gy - 621;
	if (jy < JALALI_YEAR_MIN)
		jy = JALALI_YEAR_MIN;
	if (jy > JALALI_YEAR_MAX)
		jy = JALALI_YEAR_MAX;
	year_info(jy, &leap, &nowruz);
	if (z < nowruz) {
		if (jy == JALALI_YEAR_MIN)
			return NZ_EINVAL;
		jy--;
		year_info(jy, &leap, &nowruz);
	}
	if (z - nowruz >= 365 + leap)
		return NZ_EINVAL;
	doy = (int)(z - nowruz);
	out->y = jy;
	if (doy < 186) {
		out->m = doy / 31 + 1;
		out->d = doy % 31 + 1;
	} else {
		out->m = (doy - 186) / 30 + 7;
		out->d = (doy - 186) % 30 + 1;
	}
	return 0;
}

int
jalali_from_gregorian(int gy, int gm, int gd, struct jdate *out)
{
	/* Jalali year 1 begins in 622 and 3177 ends in 3799. */
	if (gy < 622 || gy > 3799 || gm < 1 || gm > 12 || gd < 1 ||
	    gd > greg_month_days(gy, gm))
		return NZ_EINVAL;
	return jalali_from_days(days_from_civil(gy, gm, gd), out);
}

/* jalali_days returns the day number of a valid Jalali date. */
static long
jalali_days(const struct jdate *j)
{
	bool leap;
	long nowruz;

	year_info(j->y, &leap, &nowruz);
	return nowruz + jalali_doy(j->m, j->d);
}

int
jalali_to_gregorian(const struct jdate *j, int *gy, int *gm, int *gd)
{
	if (j == NULL || !jdate_valid(j))
		return NZ_EINVAL;
	civil_from_days(jalali_days(j), gy, gm, gd);
	return 0;
}

/* put_num writes v, which must fit, as exactly width ASCII digits. */
static void
put_num(char *p, int v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* put_date writes "YYYY-MM-DD" and a NUL; y must be 0..9999. */
static void
put_date(char out[11], int y, int m, int d)
{
	put_num(out, y, 4);
	out[4] = '-';
	put_num(out + 5, m, 2);
	out[7] = '-';
	put_num(out + 8, d, 2);
	out[10] = '\0';
}

const char *
text_quote(const char *s, char out[TEXT_QUOTE_MAX + 4])
{
	size_t n = strlen(s);
	size_t i;
	bool cut = n > TEXT_QUOTE_MAX;

	if (cut) {
		n = TEXT_QUOTE_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		out[i] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
	}
	if (cut) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
	return out;
}

/* take_number reads 1 to max digits into *v; returns false when there are
 * none or more than max. */
static bool
take_number(const char **p, int max, int *v)
{
	int count = 0;
	int digit;

	*v = 0;
	while ((digit = fa_digit(p)) >= 0) {
		if (++count > max)
			return false;
		*v = *v * 10 + digit;
	}
	return count > 0;
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

int
jalali_parse(const char *s, struct jdate *out, struct nz_err *err)
{
	char q[TEXT_QUOTE_MAX + 4];
	const char *p;
	char sep;
	struct jdate j;
	int md;

	if (s == NULL)
		return nz_fail(err, NZ_EINVAL, "nehzat: no date given");
	p = skip_blanks(s);
	if (!take_number(&p, 4, &j.y) || (*p != '-' && *p != '/'))
		goto syntax;
	sep = *p++;
	if (!take_number(&p, 2, &j.m) || *p++ != sep)
		goto syntax;
	if (!take_number(&p, 2, &j.d) || *skip_blanks(p) != '\0')
		goto syntax;

	if (j.y < JALALI_YEAR_MIN || j.y > JALALI_YEAR_MAX)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a date: year %d is outside %d to %d",
			       text_quote(s, q), j.y, JALALI_YEAR_MIN, JALALI_YEAR_MAX);
	if (j.m < 1 || j.m > 12)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a date: month %d is not 1 to 12",
			       text_quote(s, q), j.m);
	md = jalali_month_days(j.y, j.m);
	if (j.d < 1)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a date: days start at 1", text_quote(s, q));
	if (j.d > md)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a date: %s %d has %d days", text_quote(s, q),
			       latin_months[j.m - 1], j.y, md);
	*out = j;
	return 0;

syntax:
	return nz_fail(err, NZ_EINVAL,
		       "nehzat: '%s' is not a date: expected year-month-day, "
		       "such as 1405-09-07",
		       text_quote(s, q));
}

int
jalali_format(const struct jdate *j, bool persian, char *buf, size_t n)
{
	char ascii[JALALI_TEXT_MAX];

	if (j == NULL || !jdate_valid(j))
		return NZ_EINVAL;
	put_date(ascii, j->y, j->m, j->d);
	if (!persian) {
		if (n < sizeof(ascii))
			return NZ_ETOOBIG;
		memcpy(buf, ascii, sizeof(ascii));
		return 0;
	}
	if (n < JALALI_TEXT_FA_MAX)
		return NZ_ETOOBIG;
	return fa_persian(ascii, buf, n) == 0 ? 0 : NZ_ETOOBIG;
}

int
jalali_to_iso(const char *jalali_text, char iso[11], struct nz_err *err)
{
	struct jdate j;
	int y, m, d, rc;

	if ((rc = jalali_parse(jalali_text, &j, err)) != 0)
		return rc;
	jalali_to_gregorian(&j, &y, &m, &d); /* j is a real date: jalali_parse checked it */
	put_date(iso, y, m, d);
	return 0;
}

/* ascii_number reads n ASCII digits, already checked, at s. */
static int
ascii_number(const char *s, int n)
{
	int v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
iso_parse(const char *iso, int *y, int *m, int *d, struct nz_err *err)
{
	char q[TEXT_QUOTE_MAX + 4];
	int yy, mm, dd, i;

	if (iso == NULL)
		return nz_fail(err, NZ_EINVAL, "nehzat: no date given");
	for (i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;

		if (dash ? iso[i] != '-' : !(iso[i] >= '0' && iso[i] <= '9'))
			break;
	}
	if (i < 10 || iso[10] != '\0')
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not an ISO date: expected YYYY-MM-DD",
			       text_quote(iso, q));
	yy = ascii_number(iso, 4);
	mm = ascii_number(iso + 5, 2);
	dd = ascii_number(iso + 8, 2);
	if (yy < ISO_YEAR_MIN)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a date: there is no year 0", iso);
	if (mm < 1 || mm > 12)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a date: month %d is not 1 to 12", iso, mm);
	if (dd < 1)
		return nz_fail(err, NZ_EINVAL, "nehzat: '%s' is not a date: days start at 1",
			       iso);
	if (dd > greg_month_days(yy, mm))
		return nz_fail(err, NZ_EINVAL, "nehzat: '%s' is not a date: %s %d has %d days",
			       iso, gregorian_months[mm - 1], yy, greg_month_days(yy, mm));
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

int
jdate_of_iso(const char *iso, struct jdate *out, struct nz_err *err)
{
	int y, m, d, rc;

	if ((rc = iso_parse(iso, &y, &m, &d, err)) != 0)
		return rc;
	if (jalali_from_gregorian(y, m, d, out) != 0)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is outside the Jalali years %d to %d", iso,
			       JALALI_YEAR_MIN, JALALI_YEAR_MAX);
	return 0;
}

int
jalali_from_iso(const char *iso, char out[11], struct nz_err *err)
{
	struct jdate j;
	int rc;

	if ((rc = jdate_of_iso(iso, &j, err)) == 0)
		put_date(out, j.y, j.m, j.d);
	return rc;
}

void
jalali_or_iso(const char *iso, char out[11])
{
	if (jalali_from_iso(iso, out, NULL) != 0)
		snprintf(out, 11, "%s", iso != NULL ? iso : "");
}

int
iso_add_days(const char *iso, long days, char out[11])
{
	long z, lo, hi;
	int y, m, d;

	if (iso_parse(iso, &y, &m, &d, NULL) != 0)
		return NZ_EINVAL;
	z = days_from_civil(y, m, d);
	lo = days_from_civil(ISO_YEAR_MIN, 1, 1);
	hi = days_from_civil(ISO_YEAR_MAX, 12, 31);
	/* Compare before adding: days may be anything a caller computed. */
	if (days < lo - z || days > hi - z)
		return NZ_EINVAL;
	civil_from_days(z + days, &y, &m, &d);
	put_date(out, y, m, d);
	return 0;
}

void
jalali_time_text(int64_t ms, char *out, size_t n)
{
	long long secs, days, rem;
	struct jdate j;
	int y, m, d;

	secs = (long long)((ms + IRAN_OFFSET * 1000LL) / 1000);
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	civil_from_days((long)days, &y, &m, &d);
	if (jalali_from_gregorian(y, m, d, &j) != 0) {
		snprintf(out, n, "?");
		return;
	}
	snprintf(out, n, "%04d-%02d-%02d %02lld:%02lld", j.y, j.m, j.d, rem / 3600, rem % 3600 / 60);
}

void
iso_from_unix_iran(long long unix_seconds, char out[11])
{
	long long day = unix_seconds / DAY_SECONDS;
	long long sec = unix_seconds % DAY_SECONDS;
	long lo = days_from_civil(ISO_YEAR_MIN, 1, 1);
	long hi = days_from_civil(ISO_YEAR_MAX, 12, 31);
	int y, m, d;

	/* Split first and add the offset to the seconds of the day, so that
	 * no value near LLONG_MAX overflows. */
	if (sec < 0) {
		sec += DAY_SECONDS;
		day--;
	}
	if (sec + IRAN_OFFSET >= DAY_SECONDS)
		day++;
	if (day < lo)
		day = lo;
	if (day > hi)
		day = hi;
	civil_from_days((long)day, &y, &m, &d);
	put_date(out, y, m, d);
}

const char *
jalali_month_name(int m)
{
	if (m < 1 || m > 12)
		return NULL;
	return persian_months[m - 1];
}

static int
jperiod_count(int kind)
{
	if (kind == JPERIOD_MONTH)
		return 12;
	if (kind == JPERIOD_QUARTER)
		return 4;
	return 0;
}

static bool
jperiod_valid(const struct jperiod *p)
{
	int count = jperiod_count(p->kind);

	return count != 0 && p->n >= 1 && p->n <= count && p->y >= JALALI_YEAR_MIN &&
	       p->y <= JALALI_YEAR_MAX;
}

int
jperiod_parse(const char *s, struct jperiod *p, struct nz_err *err)
{
	char q[TEXT_QUOTE_MAX + 4];
	const char *c;
	struct jperiod r;

	if (s == NULL)
		return nz_fail(err, NZ_EINVAL, "nehzat: no period given");
	c = skip_blanks(s);
	if (!take_number(&c, 4, &r.y) || (*c != '-' && *c != '/'))
		goto syntax;
	c++;
	r.kind = JPERIOD_MONTH;
	if (*c == 'Q' || *c == 'q') {
		r.kind = JPERIOD_QUARTER;
		c++;
	}
	if (!take_number(&c, r.kind == JPERIOD_MONTH ? 2 : 1, &r.n) ||
	    *skip_blanks(c) != '\0')
		goto syntax;

	if (r.y < JALALI_YEAR_MIN || r.y > JALALI_YEAR_MAX)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a period: year %d is outside %d to %d",
			       text_quote(s, q), r.y, JALALI_YEAR_MIN, JALALI_YEAR_MAX);
	if (r.kind == JPERIOD_MONTH && (r.n < 1 || r.n > 12))
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a period: month %d is not 1 to 12",
			       text_quote(s, q), r.n);
	if (r.kind == JPERIOD_QUARTER && (r.n < 1 || r.n > 4))
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: '%s' is not a period: quarter %d is not 1 to 4",
			       text_quote(s, q), r.n);
	*p = r;
	return 0;

syntax:
	return nz_fail(err, NZ_EINVAL,
		       "nehzat: '%s' is not a period: expected a month such as 1405-07 "
		       "or a quarter such as 1405-Q3",
		       text_quote(s, q));
}

int
jperiod_format(const struct jperiod *p, char *buf, size_t n)
{
	char text[JPERIOD_TEXT_MAX];

	if (p == NULL || !jperiod_valid(p))
		return NZ_EINVAL;
	put_num(text, p->y, 4);
	text[4] = '-';
	if (p->kind == JPERIOD_MONTH) {
		put_num(text + 5, p->n, 2);
	} else {
		text[5] = 'Q';
		put_num(text + 6, p->n, 1);
	}
	text[7] = '\0';
	if (n < sizeof(text))
		return NZ_ETOOBIG;
	memcpy(buf, text, sizeof(text));
	return 0;
}

int
jperiod_bounds(const struct jperiod *p, char first_iso[11], char last_iso[11])
{
	struct jdate first, last;
	int y, m, d;

	if (p == NULL || !jperiod_valid(p))
		return NZ_EINVAL;
	first.y = last.y = p->y;
	if (p->kind == JPERIOD_MONTH) {
		first.m = last.m = p->n;
	} else {
		first.m = p->n * 3 - 2;
		last.m = p->n * 3;
	}
	first.d = 1;
	last.d = jalali_month_days(last.y, last.m);
	civil_from_days(jalali_days(&first), &y, &m, &d);
	put_date(first_iso, y, m, d);
	civil_from_days(jalali_days(&last), &y, &m, &d);
	put_date(last_iso, y, m, d);
	return 0;
}

void
jperiod_next(struct jperiod *p)
{
	if (!jperiod_valid(p))
		return;
	if (p->n == jperiod_count(p->kind)) {
		p->n = 1;
		p->y++;
	} else {
		p->n++;
	}
}

void
jperiod_prev(struct jperiod *p)
{
	if (!jperiod_valid(p))
		return;
	if (p->n == 1) {
		p->n = jperiod_count(p->kind);
		p->y--;
	} else {
		p->n--;
	}
}

int
jperiod_of_iso(const char *iso, int kind, struct jperiod *out, struct nz_err *err)
{
	struct jdate j;
	int rc;

	if (jperiod_count(kind) == 0)
		return nz_fail(err, NZ_EINVAL,
			       "nehzat: period kind %d is not a month or a quarter", kind);
	if ((rc = jdate_of_iso(iso, &j, err)) != 0)
		return rc;
	out->y = j.y;
	out->kind = kind;
	out->n = kind == JPERIOD_MONTH ? j.m : (j.m + 2) / 3;
	return 0;
}

void
nz_today(char out[11])
{
	const char *fixed = getenv("NEHZAT_TODAY");
	int y, m, d;

	if (fixed != NULL && iso_parse(fixed, &y, &m, &d, NULL) == 0) {
		snprintf(out, 11, "%s", fixed);
		return;
	}
	iso_from_unix_iran((long long)time(NULL), out);
}
