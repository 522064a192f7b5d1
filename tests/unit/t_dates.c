/*
 * The one date and time parser (base/dates.h) and the rules of sense
 * (domain/sense.h), table-driven: every row is typed text and what must come
 * of it, the ISO date or the catalogue code of the refusal.
 */
#include <string.h>

#include "base/dates.h"
#include "domain/sense.h"
#include "test.h"

static const struct {
	const char *text;
	const char *iso; /* NULL: refused */
	const char *why; /* catalogue code of the refusal */
} dates[] = {
	{"1405-09-07", "2026-11-28", NULL},
	{"1405/9/7", "2026-11-28", NULL},
	{"1405/09/07", "2026-11-28", NULL},
	{"۱۴۰۵/۰۹/۰۷", "2026-11-28", NULL},
	{"۱۴۰۵-۹-۷", "2026-11-28", NULL},
	{"١٤٠٥/٠٩/٠٧", "2026-11-28", NULL}, /* Arabic-Indic digits */
	{"  1405-09-07 ", "2026-11-28", NULL},
	{"2026-11-28", "2026-11-28", NULL},
	{"1403-12-30", "2025-03-20", NULL}, /* 1403 is leap */
	{"1300-01-01", "1921-03-21", NULL},
	{"1500-12-29", "2122-03-20", NULL},
	{"1921-03-21", "1921-03-21", NULL},
	{"1045-09-15", NULL, "date.implausible_year"}, /* the typo of the report */
	{"1299-12-29", NULL, "date.implausible_year"},
	{"1501-01-01", NULL, "date.implausible_year"},
	{"0405-09-07", NULL, "date.implausible_year"},
	{"1666-12-06", NULL, "date.implausible_year"},
	{"1900-01-01", NULL, "date.implausible_year"}, /* ISO, but Jalali 1278 */
	{"2200-01-01", NULL, "date.implausible_year"},
	{"۲۰۲۶/۱۱/۲۸", NULL, "date.gregorian_as_jalali"}, /* Gregorian in Persian digits */
	{"2026/11/28", NULL, "date.gregorian_as_jalali"},
	{"2026-1-5", NULL, "date.gregorian_as_jalali"},
	{"1405-12-30", NULL, "date.not_real"}, /* 1405 is not leap */
	{"1405-13-01", NULL, "date.not_real"},
	{"1405-00-10", NULL, "date.not_real"},
	{"1405-07-31", NULL, "date.not_real"},
	{"2026-02-30", NULL, "date.not_real"},
	{"1405-9/7", NULL, "date.syntax"},
	{"1405.09.07", NULL, "date.syntax"},
	{"14050907", NULL, "date.syntax"},
	{"1405-09-07x", NULL, "date.syntax"},
	{"tomorrow", NULL, "date.syntax"},
	{"", NULL, "date.missing"},
	{"   ", NULL, "date.missing"},
	{NULL, NULL, "date.missing"},
};

static const struct {
	const char *text;
	const char *hhmm; /* NULL: refused */
} times[] = {
	{"9:00", "09:00"}, {"09:00", "09:00"}, {"۰۹:۰۰", "09:00"}, {"۹:۳۰", "09:30"}, {"23:59", "23:59"},
	{"0:00", "00:00"}, {" 14:05 ", "14:05"}, {"24:00", NULL},  {"9:0", NULL},    {"9:60", NULL},
	{"9", NULL},       {"9:000", NULL},      {"09-00", NULL},  {"", NULL},       {"123:00", NULL},
	{NULL, NULL},
};

static void
test_dates(void)
{
	struct nz_err err;
	char iso[11];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		nz_err_clear(&err);
		strcpy(iso, "unchanged");
		rc = date_parse("session date", dates[i].text, iso, &err);
		printf("# '%s'\n", dates[i].text ? dates[i].text : "(null)");
		if (dates[i].iso != NULL) {
			CHECK_INT(rc, 0);
			CHECK_STR(iso, dates[i].iso);
		} else {
			CHECK_INT(rc, NZ_EINVAL);
			CHECK_STR(err.why, dates[i].why);
			/* The message names the field, and the parameters say which. */
			CHECK(strncmp(err.msg, "session date '", 14) == 0);
			CHECK_STR(err.pname[0], "field");
		}
	}
	/* The hints: a swapped digit, the Jalali day of a Gregorian date. */
	date_parse("d", "1045-09-15", iso, &err);
	CHECK(strstr(err.msg, "did you mean 1405?") != NULL);
	date_parse("d", "۲۰۲۶/۱۱/۲۸", iso, &err);
	CHECK(strstr(err.msg, "1405-09-07 in Jalali") != NULL);
}

static void
test_times(void)
{
	struct nz_err err;
	char hhmm[6];
	size_t i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		nz_err_clear(&err);
		printf("# '%s'\n", times[i].text ? times[i].text : "(null)");
		if (times[i].hhmm != NULL) {
			CHECK_INT(time_parse("time", times[i].text, hhmm, &err), 0);
			CHECK_STR(hhmm, times[i].hhmm);
		} else {
			CHECK_INT(time_parse("time", times[i].text, hhmm, &err), NZ_EINVAL);
			CHECK_STR(err.why, "time.syntax");
		}
	}
}

static void
test_sense(void)
{
	const struct sense_rule *r;
	struct nz_err err;
	int n = 0;

	/* Every rule has a code of its own, a record and words in both languages. */
	for (r = sense_rules(); r->code != NULL; r++, n++) {
		CHECK(strncmp(r->code, "sense.", 6) == 0);
		CHECK(sense_rule(r->code) == r);
		CHECK(r->record[0] != '\0' && r->en[0] != '\0' && strlen(r->fa) > strlen("x"));
	}
	CHECK(n >= 10);
	CHECK(sense_rule("sense.nonsense") == NULL);

	/* NEHZAT_TODAY is 2026-11-28 (1405-09-07) for this test. */
	nz_err_clear(&err);
	CHECK_INT(sense_not_future("sense.decision_future", "council session date", "2026-11-28", &err), 0);
	CHECK_INT(sense_not_future("sense.decision_future", "council session date", "2026-11-01", &err), 0);
	CHECK_INT(sense_not_future("sense.decision_future", "council session date", "", &err), 0);
	CHECK_INT(sense_not_future("sense.decision_future", "council session date", "2026-11-29", &err),
		  NZ_EINVAL);
	CHECK_STR(err.why, "sense.decision_future");
	CHECK_STR(err.pval[1], "1405-09-08");
	CHECK_STR(err.pval[2], "1405-09-07");
	CHECK(strstr(err.msg, "council session date 1405-09-08 is after today 1405-09-07") != NULL);
	CHECK(strstr(err.msg, sense_rule("sense.decision_future")->en) != NULL);
	CHECK(strstr(err.msg, sense_rule("sense.decision_future")->fa) != NULL);

	nz_err_clear(&err);
	CHECK_INT(sense_not_before("sense.decision_before_submission", "d", "2026-11-20", "the submission",
				   "2026-11-20", &err),
		  0);
	CHECK_INT(sense_not_before("sense.decision_before_submission", "d", "2026-11-20", "the submission", "",
				   &err),
		  0);
	CHECK_INT(sense_not_before("sense.decision_before_submission", "d", "2026-11-19", "the submission",
				   "2026-11-20", &err),
		  NZ_EINVAL);
	CHECK_STR(err.why, "sense.decision_before_submission");
	CHECK(strstr(err.msg, "is before the submission 1405-08-29") != NULL);
}

int
main(void)
{
	setenv("NEHZAT_TODAY", "2026-11-28", 1);
	test_dates();
	test_times();
	test_sense();
	TEST_DONE();
}
