#include "base/jalali.h"

#include <limits.h>

#include "test.h"

/* check_named reports one check under a description built at run time. */
static void
check_named(int ok, int line, const char *what, const char *got, const char *want)
{
	t_report(ok, __FILE__, line, what);
	if (!ok)
		printf("#   got \"%s\", want \"%s\"\n", got, want);
}

/*
 * Every row of the shared vectors (gregorian,jalali,jalali_leap_year),
 * checked both ways through the ISO helpers, and the leap flag.
 */
static void
test_vectors(void)
{
	const char *path = t_shared("data/jalali_vectors.csv");
	char line[128], what[160], out[11];
	char greg[16], jal[16];
	int leap, rows = 0, lineno = 0, jy;
	struct nz_err err;
	FILE *f;

	if (path == NULL) {
		printf("# skip jalali vectors: data/jalali_vectors.csv not found "
		       "(set NEHZAT_SHARED)\n");
		return;
	}
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (lineno == 1)
			continue;
		if (sscanf(line, "%15[^,],%15[^,],%d", greg, jal, &leap) != 3) {
			snprintf(what, sizeof(what), "vectors line %d parses", lineno);
			check_named(0, __LINE__, what, line, "gregorian,jalali,leap");
			continue;
		}
		rows++;

		nz_err_clear(&err);
		out[0] = '\0';
		snprintf(what, sizeof(what), "vectors line %d: %s is %s", lineno, greg, jal);
		check_named(jalali_from_iso(greg, out, &err) == 0 && strcmp(out, jal) == 0,
			    __LINE__, what, err.code ? err.msg : out, jal);

		nz_err_clear(&err);
		out[0] = '\0';
		snprintf(what, sizeof(what), "vectors line %d: %s is %s", lineno, jal, greg);
		check_named(jalali_to_iso(jal, out, &err) == 0 && strcmp(out, greg) == 0,
			    __LINE__, what, err.code ? err.msg : out, greg);

		jy = atoi(jal);
		snprintf(what, sizeof(what), "vectors line %d: %d is %sleap", lineno, jy,
			 leap ? "" : "not ");
		check_named(jalali_is_leap(jy) == (leap != 0), __LINE__, what,
			    jalali_is_leap(jy) ? "leap" : "common", leap ? "leap" : "common");
	}
	fclose(f);
	CHECK_INT(rows, 524);
}

/* Examples from the brief, through the struct API. */
static void
test_examples(void)
{
	struct jdate j;
	int gy, gm, gd;

	CHECK_INT(jalali_from_gregorian(2025, 3, 20, &j), 0);
	CHECK(j.y == 1403 && j.m == 12 && j.d == 30);
	CHECK(jalali_is_leap(1403));
	CHECK(!jalali_is_leap(1404));
	CHECK_INT(jalali_from_gregorian(2025, 3, 21, &j), 0);
	CHECK(j.y == 1404 && j.m == 1 && j.d == 1);
	CHECK_INT(jalali_from_gregorian(2026, 11, 28, &j), 0);
	CHECK(j.y == 1405 && j.m == 9 && j.d == 7);

	j = (struct jdate){1405, 9, 7};
	CHECK_INT(jalali_to_gregorian(&j, &gy, &gm, &gd), 0);
	CHECK(gy == 2026 && gm == 11 && gd == 28);

	CHECK_INT(jalali_month_days(1405, 1), 31);
	CHECK_INT(jalali_month_days(1405, 6), 31);
	CHECK_INT(jalali_month_days(1405, 7), 30);
	CHECK_INT(jalali_month_days(1405, 11), 30);
	CHECK_INT(jalali_month_days(1403, 12), 30);
	CHECK_INT(jalali_month_days(1404, 12), 29);
	CHECK_INT(jalali_month_days(1404, 13), 0);
	CHECK_INT(jalali_month_days(0, 1), 0);

	/* Invalid inputs are refused. */
	j = (struct jdate){1404, 12, 30};
	CHECK_INT(jalali_to_gregorian(&j, &gy, &gm, &gd), NZ_EINVAL);
	j = (struct jdate){1405, 7, 31};
	CHECK_INT(jalali_to_gregorian(&j, &gy, &gm, &gd), NZ_EINVAL);
	CHECK_INT(jalali_from_gregorian(2025, 2, 29, &j), NZ_EINVAL);
	CHECK_INT(jalali_from_gregorian(2025, 13, 1, &j), NZ_EINVAL);
	CHECK_INT(jalali_from_gregorian(2025, 1, 0, &j), NZ_EINVAL);
}

/*
 * The ends of the break table: 1 Farvardin 1 is 622-03-22 (proleptic
 * Gregorian), the last day of 3177 converts and the day after does not.
 */
static void
test_range(void)
{
	struct jdate j, last;
	int gy, gm, gd;
	long z;

	j = (struct jdate){1, 1, 1};
	CHECK_INT(jalali_to_gregorian(&j, &gy, &gm, &gd), 0);
	CHECK(gy == 622 && gm == 3 && gd == 22);
	CHECK_INT(jalali_from_gregorian(622, 3, 22, &j), 0);
	CHECK(j.y == 1 && j.m == 1 && j.d == 1);
	CHECK_INT(jalali_from_gregorian(622, 3, 21, &j), NZ_EINVAL);
	CHECK_INT(jalali_from_gregorian(621, 12, 31, &j), NZ_EINVAL);

	last = (struct jdate){3177, 12, jalali_month_days(3177, 12)};
	CHECK_INT(jalali_to_gregorian(&last, &gy, &gm, &gd), 0);
	CHECK_INT(jalali_from_gregorian(gy, gm, gd, &j), 0);
	CHECK(j.y == last.y && j.m == last.m && j.d == last.d);
	z = days_from_civil(gy, gm, gd) + 1;
	civil_from_days(z, &gy, &gm, &gd);
	CHECK_INT(jalali_from_gregorian(gy, gm, gd, &j), NZ_EINVAL);
	CHECK_INT(jalali_from_gregorian(3800, 1, 1, &j), NZ_EINVAL);
	j = (struct jdate){3178, 1, 1};
	CHECK_INT(jalali_to_gregorian(&j, &gy, &gm, &gd), NZ_EINVAL);
	j = (struct jdate){0, 12, 29};
	CHECK_INT(jalali_to_gregorian(&j, &gy, &gm, &gd), NZ_EINVAL);
	CHECK(!jalali_is_leap(0));
	CHECK(!jalali_is_leap(3178));
}

/*
 * The leap rule and the year starts agree over the whole table: each year
 * is 365 days plus one when it is leap.
 */
static void
test_year_lengths(void)
{
	struct jdate a = {1, 1, 1}, b = {2, 1, 1};
	int gy, gm, gd, jy, bad = 0, leaps = 0;
	long za, zb;

	for (jy = 1; jy < JALALI_YEAR_MAX; jy++) {
		a.y = jy;
		b.y = jy + 1;
		jalali_to_gregorian(&a, &gy, &gm, &gd);
		za = days_from_civil(gy, gm, gd);
		jalali_to_gregorian(&b, &gy, &gm, &gd);
		zb = days_from_civil(gy, gm, gd);
		if (zb - za != 365 + jalali_is_leap(jy)) {
			if (bad++ == 0)
				printf("# year %d: %ld days, leap %d\n", jy, zb - za,
				       jalali_is_leap(jy));
		}
		leaps += jalali_is_leap(jy);
	}
	CHECK_INT(bad, 0);
	/* About 8 leap years in 33. */
	CHECK(leaps > 3176 * 8 / 33 - 10 && leaps < 3176 * 8 / 33 + 10);
}

/*
 * Every day from 1300-01-01 to 1500-12-29 goes to Gregorian and back, and
 * consecutive Jalali days are consecutive Gregorian days.
 */
static void
test_round_trip(void)
{
	struct jdate j, back;
	int gy, gm, gd, md, bad = 0, days = 0;
	long z, prev = 0;

	for (j.y = 1300; j.y <= 1500; j.y++) {
		for (j.m = 1; j.m <= 12; j.m++) {
			md = jalali_month_days(j.y, j.m);
			for (j.d = 1; j.d <= md; j.d++) {
				int ok = jalali_to_gregorian(&j, &gy, &gm, &gd) == 0;

				z = ok ? days_from_civil(gy, gm, gd) : 0;
				ok = ok && (days == 0 || z == prev + 1);
				ok = ok && jalali_from_gregorian(gy, gm, gd, &back) == 0 &&
				     back.y == j.y && back.m == j.m && back.d == j.d;
				if (!ok && bad++ < 5)
					printf("# round trip fails at %d-%02d-%02d\n", j.y, j.m,
					       j.d);
				prev = z;
				days++;
			}
		}
	}
	CHECK_INT(bad, 0);
	/* 1300-01-01 is 1921-03-21 and 1501-01-01 is 2122-03-21. */
	CHECK_INT(days, days_from_civil(2122, 3, 21) - days_from_civil(1921, 3, 21));
}

/* days_from_civil and civil_from_days against a plain day-by-day count. */
static void
test_civil(void)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 1600, m = 1, d = 1, cy, cm, cd, bad = 0;
	long z;

	CHECK_INT(days_from_civil(1970, 1, 1), 0);
	CHECK_INT(days_from_civil(1969, 12, 31), -1);
	CHECK_INT(days_from_civil(2000, 3, 1), 11017);
	CHECK_INT(days_from_civil(2025, 3, 21), 20168);
	civil_from_days(-1, &cy, &cm, &cd);
	CHECK(cy == 1969 && cm == 12 && cd == 31);

	for (z = days_from_civil(1600, 1, 1); y < 2401; z++) {
		int len = mdays[m - 1] +
			  (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));

		civil_from_days(z, &cy, &cm, &cd);
		if ((cy != y || cm != m || cd != d || days_from_civil(y, m, d) != z) &&
		    bad++ == 0)
			printf("# civil mismatch at %d-%02d-%02d (day %ld)\n", y, m, d, z);
		if (++d > len) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	CHECK_INT(bad, 0);
}

static void
test_parse(void)
{
	struct jdate j = {0, 0, 0};
	struct nz_err err;

	CHECK_INT(jalali_parse("1405-09-07", &j, NULL), 0);
	CHECK(j.y == 1405 && j.m == 9 && j.d == 7);
	CHECK_INT(jalali_parse("1405/9/7", &j, NULL), 0);
	CHECK(j.y == 1405 && j.m == 9 && j.d == 7);
	j = (struct jdate){0, 0, 0};
	CHECK_INT(jalali_parse("۱۴۰۵-۰۹-۰۷", &j, NULL), 0);
	CHECK(j.y == 1405 && j.m == 9 && j.d == 7);
	j = (struct jdate){0, 0, 0};
	CHECK_INT(jalali_parse("۱۴۰۵/۹/۷", &j, NULL), 0);
	CHECK(j.y == 1405 && j.m == 9 && j.d == 7);
	j = (struct jdate){0, 0, 0};
	CHECK_INT(jalali_parse("١٤٠٥/٠٩/٠٧", &j, NULL), 0);
	CHECK(j.y == 1405 && j.m == 9 && j.d == 7);
	CHECK_INT(jalali_parse(" 1403-12-30 ", &j, NULL), 0);
	CHECK(j.y == 1403 && j.m == 12 && j.d == 30);

	/* The error buffer is left alone on success. */
	err.code = 99;
	strcpy(err.msg, "untouched");
	CHECK_INT(jalali_parse("1405-01-01", &j, &err), 0);
	CHECK_INT(err.code, 99);
	CHECK_STR(err.msg, "untouched");

	nz_err_clear(&err);
	CHECK_INT(jalali_parse("1404-12-30", &j, &err), NZ_EINVAL);
	CHECK_INT(err.code, NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: '1404-12-30' is not a date: Esfand 1404 has 29 days");
	nz_err_clear(&err);
	CHECK_INT(jalali_parse("1405-13-01", &j, &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: '1405-13-01' is not a date: month 13 is not 1 to 12");
	nz_err_clear(&err);
	CHECK_INT(jalali_parse("1405-07-31", &j, &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: '1405-07-31' is not a date: Mehr 1405 has 30 days");
	nz_err_clear(&err);
	CHECK_INT(jalali_parse("abc", &j, &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: 'abc' is not a date: expected year-month-day, "
			   "such as 1405-09-07");
	CHECK_INT(jalali_parse("1405-09-07x", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse(NULL, &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("1405-09/07", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("14050-09-07", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("1405-009-07", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("1405-00-07", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("1405-01-00", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("0-01-01", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("3178-01-01", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("-1405-01-01", &j, NULL), NZ_EINVAL);
	CHECK_INT(jalali_parse("1405--01-01", &j, NULL), NZ_EINVAL);
	/* A lone lead byte of a Persian digit is not a digit. */
	CHECK_INT(jalali_parse("1405-09-0\xDB", &j, NULL), NZ_EINVAL);

	/* Long or hostile input is echoed short and without control bytes. */
	nz_err_clear(&err);
	CHECK_INT(jalali_parse("\x1b[31m 1405-01-01 and a great deal more text after it", &j,
			       &err),
		  NZ_EINVAL);
	CHECK(strchr(err.msg, '\x1b') == NULL);
	CHECK(strstr(err.msg, "...'") != NULL);
}

static void
test_format(void)
{
	struct jdate j = {1405, 9, 7};
	char buf[JALALI_TEXT_FA_MAX];

	CHECK_INT(jalali_format(&j, false, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "1405-09-07");
	CHECK_INT(jalali_format(&j, true, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "۱۴۰۵-۰۹-۰۷");
	CHECK_INT(jalali_format(&j, false, buf, JALALI_TEXT_MAX), 0);
	CHECK_INT(jalali_format(&j, false, buf, JALALI_TEXT_MAX - 1), NZ_ETOOBIG);
	CHECK_INT(jalali_format(&j, true, buf, JALALI_TEXT_FA_MAX - 1), NZ_ETOOBIG);
	j = (struct jdate){12, 1, 1};
	CHECK_INT(jalali_format(&j, false, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "0012-01-01");
	j = (struct jdate){1404, 12, 30};
	CHECK_INT(jalali_format(&j, false, buf, sizeof(buf)), NZ_EINVAL);
}

static void
test_iso(void)
{
	char out[11];
	struct nz_err err;
	struct jdate j;
	int y, m, d;

	CHECK_INT(jalali_from_iso("2026-11-28", out, NULL), 0);
	CHECK_STR(out, "1405-09-07");
	CHECK_INT(jalali_to_iso("۱۴۰۵/۰۹/۰۷", out, NULL), 0);
	CHECK_STR(out, "2026-11-28");
	CHECK_INT(jalali_to_iso("1404-12-30", out, NULL), NZ_EINVAL);
	nz_err_clear(&err);
	CHECK_INT(jalali_from_iso("0600-01-01", out, &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: '0600-01-01' is outside the Jalali years 1 to 3177");

	CHECK_INT(iso_parse("2024-02-29", &y, &m, &d, NULL), 0);
	CHECK(y == 2024 && m == 2 && d == 29);
	nz_err_clear(&err);
	CHECK_INT(iso_parse("2025-02-29", &y, &m, &d, &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: '2025-02-29' is not a date: February 2025 has 28 days");
	CHECK_INT(iso_parse("1900-02-29", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse("2000-02-29", &y, &m, &d, NULL), 0);
	CHECK_INT(iso_parse("2025-2-01", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse("2025-02-010", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse("2025/02/01", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse("2025-00-01", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse("2025-01-00", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse("0000-01-01", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse(" 2025-01-01", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse("", &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(iso_parse(NULL, &y, &m, &d, NULL), NZ_EINVAL);
	CHECK_INT(jalali_from_iso("2026-11-31", out, NULL), NZ_EINVAL);

	/* jdate_of_iso: the same reading, the Jalali date as numbers; the same refusals. */
	CHECK_INT(jdate_of_iso("2026-03-21", &j, NULL), 0);
	CHECK(j.y == 1405 && j.m == 1 && j.d == 1);
	nz_err_clear(&err);
	CHECK_INT(jdate_of_iso("0600-01-01", &j, &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: '0600-01-01' is outside the Jalali years 1 to 3177");
	CHECK_INT(jdate_of_iso("1405/09/07", &j, NULL), NZ_EINVAL); /* not ISO */
	/* jalali_or_iso: Jalali when it is an ISO date, the text itself otherwise. */
	jalali_or_iso("2026-11-28", out);
	CHECK_STR(out, "1405-09-07");
	jalali_or_iso("soon", out);
	CHECK_STR(out, "soon");
	jalali_or_iso("", out);
	CHECK_STR(out, "");
	jalali_or_iso(NULL, out);
	CHECK_STR(out, "");
	jalali_or_iso("2026-11-31 and more", out);
	CHECK_STR(out, "2026-11-31");

	CHECK_INT(iso_add_days("2025-12-31", 1, out), 0);
	CHECK_STR(out, "2026-01-01");
	CHECK_INT(iso_add_days("2026-01-01", -1, out), 0);
	CHECK_STR(out, "2025-12-31");
	CHECK_INT(iso_add_days("2025-03-20", 1, out), 0);
	CHECK_STR(out, "2025-03-21");
	CHECK_INT(iso_add_days("2024-02-28", 1, out), 0);
	CHECK_STR(out, "2024-02-29");
	CHECK_INT(iso_add_days("2024-12-31", 365, out), 0);
	CHECK_STR(out, "2025-12-31");
	CHECK_INT(iso_add_days("2026-11-28", -366, out), 0);
	CHECK_STR(out, "2025-11-27");
	CHECK_INT(iso_add_days("2026-11-28", 0, out), 0);
	CHECK_STR(out, "2026-11-28");
	CHECK_INT(iso_add_days("9999-12-31", 1, out), NZ_EINVAL);
	CHECK_INT(iso_add_days("0001-01-01", -1, out), NZ_EINVAL);
	CHECK_INT(iso_add_days("2025-01-01", LONG_MAX, out), NZ_EINVAL);
	CHECK_INT(iso_add_days("2025-01-01", LONG_MIN, out), NZ_EINVAL);
	CHECK_INT(iso_add_days("2025-13-01", 1, out), NZ_EINVAL);

	/* 1795814100 is 2026-11-27T21:15Z, 2026-11-28 00:45 in Tehran; Tehran's
	 * midnight is 20:30Z, 1795811400. */
	iso_from_unix_iran(1795814100, out);
	CHECK_STR(out, "2026-11-28");
	iso_from_unix_iran(1795811399, out);
	CHECK_STR(out, "2026-11-27");
	iso_from_unix_iran(1795811400, out);
	CHECK_STR(out, "2026-11-28");
	iso_from_unix_iran(0, out);
	CHECK_STR(out, "1970-01-01");
	iso_from_unix_iran(-12600, out);
	CHECK_STR(out, "1970-01-01");
	iso_from_unix_iran(-12601, out);
	CHECK_STR(out, "1969-12-31");
	iso_from_unix_iran(LLONG_MAX, out);
	CHECK_STR(out, "9999-12-31");
	iso_from_unix_iran(LLONG_MIN, out);
	CHECK_STR(out, "0001-01-01");
}

static void
test_month_names(void)
{
	CHECK_STR(jalali_month_name(1), "فروردین");
	CHECK_STR(jalali_month_name(7), "مهر");
	CHECK_STR(jalali_month_name(12), "اسفند");
	CHECK(jalali_month_name(0) == NULL);
	CHECK(jalali_month_name(13) == NULL);
}

/* check_bounds checks the first and last day of the period written as text. */
static void
check_bounds(int line, const char *text, const char *first, const char *last)
{
	struct jperiod p;
	struct nz_err err;
	char a[11] = "", b[11] = "", what[96], got[NZ_ERRMSG_MAX + 32], want[64];
	int ok;

	nz_err_clear(&err);
	ok = jperiod_parse(text, &p, &err) == 0 && jperiod_bounds(&p, a, b) == 0 &&
	     strcmp(a, first) == 0 && strcmp(b, last) == 0;
	snprintf(what, sizeof(what), "period %s is %s..%s", text, first, last);
	snprintf(got, sizeof(got), "%s..%s %s", a, b, err.msg);
	snprintf(want, sizeof(want), "%s..%s", first, last);
	check_named(ok, line, what, got, want);
}

static void
test_periods(void)
{
	struct jperiod p;
	struct nz_err err;
	char buf[JPERIOD_TEXT_MAX], a[11], b[11];

	check_bounds(__LINE__, "1405-07", "2026-09-23", "2026-10-22");
	check_bounds(__LINE__, "1403-12", "2025-02-19", "2025-03-20");
	check_bounds(__LINE__, "1404-12", "2026-02-20", "2026-03-20");
	check_bounds(__LINE__, "1403-Q4", "2024-12-21", "2025-03-20");
	check_bounds(__LINE__, "1404-q1", "2025-03-21", "2025-06-21");
	check_bounds(__LINE__, "1405-Q3", "2026-09-23", "2026-12-21");
	check_bounds(__LINE__, "۱۴۰۵-۷", "2026-09-23", "2026-10-22");

	CHECK_INT(jperiod_parse("1405-07", &p, NULL), 0);
	CHECK(p.y == 1405 && p.kind == JPERIOD_MONTH && p.n == 7);
	CHECK_INT(jperiod_format(&p, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "1405-07");
	CHECK_INT(jperiod_format(&p, buf, sizeof(buf) - 1), NZ_ETOOBIG);
	CHECK_INT(jperiod_parse("1405-q3", &p, NULL), 0);
	CHECK(p.y == 1405 && p.kind == JPERIOD_QUARTER && p.n == 3);
	CHECK_INT(jperiod_format(&p, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "1405-Q3");

	nz_err_clear(&err);
	CHECK_INT(jperiod_parse("1405-13", &p, &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nehzat: '1405-13' is not a period: month 13 is not 1 to 12");
	CHECK_INT(jperiod_parse("1405-Q5", &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_parse("1405-Q0", &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_parse("1405-Q12", &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_parse("1405-00", &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_parse("1405", &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_parse("1405-07-01", &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_parse("", &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_parse("Q3", &p, NULL), NZ_EINVAL);

	p = (struct jperiod){1405, JPERIOD_MONTH, 12};
	jperiod_next(&p);
	CHECK(p.y == 1406 && p.n == 1);
	jperiod_prev(&p);
	CHECK(p.y == 1405 && p.n == 12);
	p = (struct jperiod){1405, JPERIOD_QUARTER, 1};
	jperiod_prev(&p);
	CHECK(p.y == 1404 && p.kind == JPERIOD_QUARTER && p.n == 4);
	jperiod_next(&p);
	CHECK(p.y == 1405 && p.n == 1);
	p = (struct jperiod){1405, 7, 1};
	jperiod_next(&p);
	CHECK(p.y == 1405 && p.kind == 7 && p.n == 1);
	CHECK_INT(jperiod_bounds(&p, a, b), NZ_EINVAL);

	/* Walking month by month covers the days without gaps or overlaps. */
	{
		char prev_last[11] = "", next_day[11];
		int i, bad = 0;

		p = (struct jperiod){1400, JPERIOD_MONTH, 1};
		for (i = 0; i < 12 * 10; i++, jperiod_next(&p)) {
			jperiod_bounds(&p, a, b);
			if (i > 0 && (iso_add_days(prev_last, 1, next_day) != 0 ||
				      strcmp(next_day, a) != 0))
				bad++;
			memcpy(prev_last, b, sizeof(prev_last));
		}
		CHECK_INT(bad, 0);
		CHECK(p.y == 1410 && p.n == 1);
	}

	CHECK_INT(jperiod_of_iso("2026-11-28", JPERIOD_MONTH, &p, NULL), 0);
	CHECK(p.y == 1405 && p.kind == JPERIOD_MONTH && p.n == 9);
	CHECK_INT(jperiod_of_iso("2026-11-28", JPERIOD_QUARTER, &p, NULL), 0);
	CHECK(p.y == 1405 && p.kind == JPERIOD_QUARTER && p.n == 3);
	CHECK_INT(jperiod_of_iso("2025-03-20", JPERIOD_QUARTER, &p, NULL), 0);
	CHECK(p.y == 1403 && p.n == 4);
	CHECK_INT(jperiod_of_iso("2025-03-21", JPERIOD_QUARTER, &p, NULL), 0);
	CHECK(p.y == 1404 && p.n == 1);
	CHECK_INT(jperiod_of_iso("2025-03-21", 3, &p, NULL), NZ_EINVAL);
	CHECK_INT(jperiod_of_iso("2025-3-21", JPERIOD_MONTH, &p, NULL), NZ_EINVAL);
}

int
main(void)
{
	test_vectors();
	test_examples();
	test_range();
	test_year_lengths();
	test_round_trip();
	test_civil();
	test_parse();
	test_format();
	test_iso();
	test_month_names();
	test_periods();
	TEST_DONE();
}
