/*
 * The records of the reports area, and the helpers its files share: names
 * of periods and levels, dates in Iran time, CSV.  See reports.h for the
 * records and their owners.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/reports/rep_int.h"

static const struct col_def tpl_cols[] = {
	{"code", COL_TEXT},
	{"version", COL_INT},
	{"title", COL_TEXT},
	{"period", COL_TEXT},   /* month, quarter */
	{"reporter", COL_TEXT}, /* secretariat, helper */
	{"level", COL_TEXT},    /* province, county */
	{"due_days", COL_INT},  /* days after the period's last day */
	{"from_date", COL_TEXT},  /* ISO: first day of the first period expected */
	{"until_date", COL_TEXT}, /* ISO: last day of the last period expected; NULL: open */
	{"fields", COL_TEXT},     /* JSON array, checked by tpl_fields_check */
	{"created", COL_TEXT},
	{NULL, 0},
};
static const char *const tpl_idx[] = {"code, version", NULL};
const struct tbl_def report_template_table = {"report_template", VIS_DIRECTIVE, tpl_cols, tpl_idx};

static const struct col_def rep_cols[] = {
	{"template", COL_TEXT}, /* record id of the template version */
	{"template_code", COL_TEXT},
	{"template_version", COL_INT},
	{"period", COL_TEXT}, /* Jalali label, "1405-07" or "1405-Q3" */
	{"period_start", COL_TEXT},
	{"period_end", COL_TEXT},
	{"due", COL_TEXT},
	{"grp", COL_TEXT}, /* helper group, "" for a secretariat's report */
	{"revision", COL_INT},
	{"supersedes", COL_TEXT},
	{"data", COL_TEXT}, /* JSON object: field name to value */
	{"status", COL_TEXT}, /* draft, submitted */
	{"created", COL_TEXT},
	{"submitted", COL_TEXT},
	{"reason", COL_TEXT}, /* why this revision corrects the previous one */
	/* Written by the parent only. */
	{"review", COL_TEXT}, /* "", accepted, returned */
	{"review_note", COL_TEXT},
	{"reviewed", COL_TEXT},
	{"reviewer", COL_TEXT},
	{"reviewer_user", COL_TEXT},
	{NULL, 0},
};
static const char *const rep_idx[] = {"template_code, period", "period_start", NULL};
const struct tbl_def report_table = {"report", VIS_OWNED, rep_cols, rep_idx};

static const struct col_def appr_cols[] = {
	{"period", COL_TEXT},
	{"period_start", COL_TEXT},
	{"period_end", COL_TEXT},
	{"approver", COL_TEXT},
	{"approver_user", COL_TEXT},
	{"decided", COL_TEXT},
	{"note", COL_TEXT},
	{"expected", COL_INT},
	{"accepted", COL_INT},
	{NULL, 0},
};
static const char *const appr_idx[] = {"period", NULL};
const struct tbl_def period_approval_table = {"period_approval", VIS_OWNED, appr_cols, appr_idx};

/* ---- small helpers ---- */

bool
rep_valid_code(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > CODE_MAX || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return false;
	return true;
}

/* rep_printable reports whether s holds no control characters (one-line user text). */
bool
rep_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return false;
	return true;
}

/* rep_jalali_cols turns the ISO dates among names of object o into Jalali. */
void
rep_jalali_cols(json_t *o, const char *const *names)
{
	char j[11];
	int i;

	for (i = 0; names[i] != NULL; i++) {
		const char *v = json_string_value(json_object_get(o, names[i]));
		if (v != NULL && v[0] != '\0') {
			jalali_or_iso(v, j);
			json_object_set_new(o, names[i], json_string(j));
		}
	}
}

const char *
rep_kind_name(int kind)
{
	return kind == JPERIOD_QUARTER ? "quarter" : "month";
}

int
rep_kind_of(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "month") == 0 || strcmp(name, "monthly") == 0)
		return JPERIOD_MONTH;
	if (strcmp(name, "quarter") == 0 || strcmp(name, "quarterly") == 0)
		return JPERIOD_QUARTER;
	return 0;
}

int
rep_level_of(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "province") == 0)
		return NZ_LEVEL_PROVINCE;
	if (strcmp(name, "county") == 0)
		return NZ_LEVEL_COUNTY;
	return -1;
}

/* rep_due_end_ms is the first instant (unix ms) after the due day in Iran. */
int64_t
rep_due_end_ms(const char *due)
{
	int y, m, d;

	if (iso_parse(due, &y, &m, &d, NULL) != 0)
		return INT64_MAX;
	return ((int64_t)days_from_civil(y, m, d) + 1) * 86400000LL - IRAN_OFFSET_MS;
}

void
rep_default_period(char out[JPERIOD_TEXT_MAX])
{
	char today[11];
	struct jperiod p;

	nz_today(today);
	if (jperiod_of_iso(today, JPERIOD_MONTH, &p, NULL) != 0) {
		out[0] = '\0';
		return;
	}
	jperiod_prev(&p);
	jperiod_format(&p, out, JPERIOD_TEXT_MAX);
}

int
rep_period_or_default(const char *period, struct jperiod *p, char label[JPERIOD_TEXT_MAX], struct nz_err *err)
{
	char last[JPERIOD_TEXT_MAX];
	int rc;

	if (period == NULL) {
		rep_default_period(last);
		period = last;
	}
	if ((rc = jperiod_parse(period, p, err)) != 0)
		return rc;
	jperiod_format(p, label, JPERIOD_TEXT_MAX);
	return 0;
}

