/*
 * رصد و گزارش: report templates (national directives), reports and their
 * revisions, completeness and timeliness up the tree, and approval by the
 * parent.  See reports.h for the records and their owners.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/dashboard.h"
#include "domain/record.h"
#include "domain/reports.h"

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

#define CODE_MAX 32
#define GROUP_MAX 100
#define TITLE_MAX 300
#define NOTE_MAX 2000
#define LABEL_MAX 200
#define CHOICE_MAX 100
#define TEXT_MAX_DEFAULT 2000
#define TEXT_MAX_LIMIT 10000
#define IRAN_OFFSET_MS (12600LL * 1000) /* UTC+03:30 */

/* ---- small helpers ---- */

static bool
valid_code(const char *s)
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

/* printable reports whether s holds no control characters (one-line user text). */
static bool
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return false;
	return true;
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static int64_t
jint(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* iso_jalali writes an ISO date as Jalali, or copies it when it is not one. */
static void
iso_jalali(const char *iso, char out[11])
{
	if (iso == NULL || iso[0] == '\0' || jalali_from_iso(iso, out, NULL) != 0)
		snprintf(out, 11, "%s", iso ? iso : "");
}

/* jalali_cols turns the ISO dates among names of object o into Jalali. */
static void
jalali_cols(json_t *o, const char *const *names)
{
	char j[11];
	int i;

	for (i = 0; names[i] != NULL; i++) {
		const char *v = json_string_value(json_object_get(o, names[i]));
		if (v != NULL && v[0] != '\0') {
			iso_jalali(v, j);
			json_object_set_new(o, names[i], json_string(j));
		}
	}
}

static const char *
kind_name(int kind)
{
	return kind == JPERIOD_QUARTER ? "quarter" : "month";
}

static int
kind_of(const char *name)
{
	if (name == NULL)
		return 0;
	if (strcmp(name, "month") == 0 || strcmp(name, "monthly") == 0)
		return JPERIOD_MONTH;
	if (strcmp(name, "quarter") == 0 || strcmp(name, "quarterly") == 0)
		return JPERIOD_QUARTER;
	return 0;
}

static int
level_of(const char *name)
{
	if (name == NULL)
		return -1;
	if (strcmp(name, "province") == 0)
		return NZ_LEVEL_PROVINCE;
	if (strcmp(name, "county") == 0)
		return NZ_LEVEL_COUNTY;
	return -1;
}

void
rep_time_text(int64_t ms, char *out, size_t n)
{
	long long secs, days, rem;
	struct jdate j;
	int y, m, d;

	secs = (long long)((ms + IRAN_OFFSET_MS) / 1000);
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

/* due_end_ms is the first instant (unix ms) after the due day in Iran. */
static int64_t
due_end_ms(const char *due)
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

int64_t
rep_watermark(struct store *st, const char *unit, char via[NZ_ID_MAX])
{
	const char *self = store_node(st);
	sqlite3_stmt *q;
	int64_t ms = 0;
	size_t len;

	via[0] = '\0';
	if (strcmp(unit, self) == 0)
		return INT64_MAX;
	if (!unit_within(unit, self))
		return 0;
	/* The direct child on the way down: IR -> "IR-PP", IR-PP -> "IR-PP-CC". */
	len = unit_level(self) == NZ_LEVEL_NATIONAL ? 5 : 8;
	snprintf(via, NZ_ID_MAX, "%.*s", (int)len, unit);
	if (sqlite3_prepare_v2(store_db(st), "SELECT last_sync FROM peer WHERE id = ? AND role = 'child'", -1,
			       &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, via, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		ms = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return ms;
}

/* table_has reports whether table tbl exists and, when col is not NULL, has that column. */
static bool
table_has(struct store *st, const char *tbl, const char *col)
{
	char sql[96];
	sqlite3_stmt *q;
	bool found = false;

	snprintf(sql, sizeof(sql), "PRAGMA table_info(%s)", tbl);
	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return false;
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (col == NULL || strcmp((const char *)sqlite3_column_text(q, 1), col) == 0) {
			found = true;
			break;
		}
	}
	sqlite3_finalize(q);
	return found;
}

/* ---- template fields ---- */

static bool
valid_field_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32 || !islower((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int
check_field(json_t *f, size_t i, json_t *names, struct nz_err *err)
{
	static const char *const keys[] = {"name", "type", "label", "required", "min", "max",
					   "integer", "max_length", "choices", NULL};
	const char *k, *name, *type;
	json_t *v, *mn, *mx, *ch;
	size_t j;
	int n;

	if (!json_is_object(f))
		return nz_fail(err, NZ_EINVAL, "field %zu is not an object", i + 1);
	json_object_foreach(f, k, v) {
		for (n = 0; keys[n] != NULL && strcmp(keys[n], k) != 0; n++)
			;
		if (keys[n] == NULL)
			return nz_fail(err, NZ_EINVAL, "field %zu: unknown key '%s'", i + 1, k);
	}
	name = json_string_value(json_object_get(f, "name"));
	if (name == NULL || !valid_field_name(name))
		return nz_fail(err, NZ_EINVAL,
			       "field %zu: name must be a lower-case word of letters, digits and '_' "
			       "(at most 32, starting with a letter)",
			       i + 1);
	if (json_object_get(names, name) != NULL)
		return nz_fail(err, NZ_EINVAL, "field '%s' appears twice", name);
	json_object_set_new(names, name, json_true());
	type = json_string_value(json_object_get(f, "type"));
	if (type == NULL || (strcmp(type, "number") != 0 && strcmp(type, "text") != 0 &&
			     strcmp(type, "choice") != 0))
		return nz_fail(err, NZ_EINVAL, "field '%s': type must be number, text or choice", name);
	if ((v = json_object_get(f, "label")) != NULL &&
	    (!json_is_string(v) || strlen(json_string_value(v)) > LABEL_MAX ||
	     !printable(json_string_value(v))))
		return nz_fail(err, NZ_EINVAL, "field '%s': label must be one line of at most %d bytes",
			       name, LABEL_MAX);
	if ((v = json_object_get(f, "required")) != NULL && !json_is_boolean(v))
		return nz_fail(err, NZ_EINVAL, "field '%s': required must be true or false", name);
	mn = json_object_get(f, "min");
	mx = json_object_get(f, "max");
	v = json_object_get(f, "integer");
	if (strcmp(type, "number") != 0 && (mn != NULL || mx != NULL || v != NULL))
		return nz_fail(err, NZ_EINVAL, "field '%s': min, max and integer are for numbers only", name);
	if ((mn != NULL && !json_is_number(mn)) || (mx != NULL && !json_is_number(mx)))
		return nz_fail(err, NZ_EINVAL, "field '%s': min and max must be numbers", name);
	if (mn != NULL && mx != NULL && json_number_value(mn) > json_number_value(mx))
		return nz_fail(err, NZ_EINVAL, "field '%s': min %g is above max %g", name,
			       json_number_value(mn), json_number_value(mx));
	if (v != NULL && !json_is_boolean(v))
		return nz_fail(err, NZ_EINVAL, "field '%s': integer must be true or false", name);
	v = json_object_get(f, "max_length");
	if (v != NULL && (strcmp(type, "text") != 0 || !json_is_integer(v) || json_integer_value(v) < 1 ||
			  json_integer_value(v) > TEXT_MAX_LIMIT))
		return nz_fail(err, NZ_EINVAL, "field '%s': max_length is for text, 1 to %d", name,
			       TEXT_MAX_LIMIT);
	ch = json_object_get(f, "choices");
	if (strcmp(type, "choice") != 0) {
		if (ch != NULL)
			return nz_fail(err, NZ_EINVAL, "field '%s': choices are for choice fields only", name);
		return 0;
	}
	if (!json_is_array(ch) || json_array_size(ch) == 0 || json_array_size(ch) > REP_CHOICES_MAX)
		return nz_fail(err, NZ_EINVAL, "field '%s': a choice needs 1 to %d choices", name,
			       REP_CHOICES_MAX);
	for (j = 0; j < json_array_size(ch); j++) {
		const char *c = json_string_value(json_array_get(ch, j));
		size_t m;
		if (c == NULL || c[0] == '\0' || strlen(c) > CHOICE_MAX || !printable(c))
			return nz_fail(err, NZ_EINVAL,
				       "field '%s': choice %zu must be a non-empty line of at most %d bytes",
				       name, j + 1, CHOICE_MAX);
		for (m = 0; m < j; m++)
			if (strcmp(c, json_string_value(json_array_get(ch, m))) == 0)
				return nz_fail(err, NZ_EINVAL, "field '%s': choice '%s' appears twice", name, c);
	}
	return 0;
}

int
tpl_fields_check(const char *json_text, json_t **out, struct nz_err *err)
{
	json_error_t je;
	json_t *a, *names;
	size_t i;
	int rc = 0;

	if (out != NULL)
		*out = NULL;
	if (json_text == NULL || json_text[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "a template needs fields");
	if (strlen(json_text) > REP_JSON_MAX)
		return nz_fail(err, NZ_ETOOBIG, "fields are %zu bytes; at most %d", strlen(json_text),
			       REP_JSON_MAX);
	if ((a = json_loads(json_text, JSON_REJECT_DUPLICATES, &je)) == NULL)
		return nz_fail(err, NZ_EINVAL, "fields are not valid JSON: %s (line %d)", je.text, je.line);
	if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > REP_FIELDS_MAX) {
		json_decref(a);
		return nz_fail(err, NZ_EINVAL, "fields must be a JSON array of 1 to %d fields", REP_FIELDS_MAX);
	}
	names = json_object();
	for (i = 0; i < json_array_size(a) && rc == 0; i++)
		rc = check_field(json_array_get(a, i), i, names, err);
	json_decref(names);
	if (rc != 0 || out == NULL)
		json_decref(a);
	else
		*out = a;
	return rc;
}

static json_t *
find_field(json_t *fields, const char *name)
{
	size_t i;
	json_t *f;

	json_array_foreach(fields, i, f)
		if (strcmp(jstr(f, "name"), name) == 0)
			return f;
	return NULL;
}

/*
 * ascii_number copies a user-typed number into buf with Persian and
 * Arabic-Indic digits made ASCII, the Arabic decimal separator made '.'
 * and its thousands separator dropped.  Returns -1 when it does not fit.
 */
static int
ascii_number(const char *s, char *buf, size_t n)
{
	size_t k = 0;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		char c;
		if (p[0] == 0xdb && p[1] >= 0xb0 && p[1] <= 0xb9) {
			c = (char)('0' + p[1] - 0xb0);
			p += 2;
		} else if (p[0] == 0xd9 && p[1] >= 0xa0 && p[1] <= 0xa9) {
			c = (char)('0' + p[1] - 0xa0);
			p += 2;
		} else if (p[0] == 0xd9 && p[1] == 0xab) {
			c = '.';
			p += 2;
		} else if (p[0] == 0xd9 && p[1] == 0xac) {
			p += 2;
			continue;
		} else {
			c = (char)*p++;
		}
		if (k + 1 >= n)
			return -1;
		buf[k++] = c;
	}
	buf[k] = '\0';
	return 0;
}

/* field_value converts text to the value of field f, checking type and bounds; *out is new. */
static int
field_value(json_t *f, const char *text, json_t **out, struct nz_err *err)
{
	const char *name = jstr(f, "name"), *type = jstr(f, "type");
	json_t *mn, *mx;
	size_t i;

	*out = NULL;
	if (strcmp(type, "number") == 0) {
		char buf[64], *end;
		double v;
		bool whole;
		if (ascii_number(text, buf, sizeof(buf)) != 0)
			return nz_fail(err, NZ_EINVAL, "field '%s' wants a number, not '%s'", name, text);
		errno = 0;
		v = strtod(buf, &end);
		if (buf[0] == '\0' || isspace((unsigned char)buf[0]) || *end != '\0' || errno != 0 ||
		    !isfinite(v))
			return nz_fail(err, NZ_EINVAL, "field '%s' wants a number, not '%s'", name, text);
		whole = v == floor(v) && fabs(v) < 9e15;
		if (json_is_true(json_object_get(f, "integer")) && !whole)
			return nz_fail(err, NZ_EINVAL, "field '%s' wants a whole number, not '%s'", name, text);
		mn = json_object_get(f, "min");
		mx = json_object_get(f, "max");
		if (mn != NULL && v < json_number_value(mn))
			return nz_fail(err, NZ_EINVAL, "field '%s' is %s; the least allowed is %g", name, text,
				       json_number_value(mn));
		if (mx != NULL && v > json_number_value(mx))
			return nz_fail(err, NZ_EINVAL, "field '%s' is %s; the most allowed is %g", name, text,
				       json_number_value(mx));
		*out = whole ? json_integer((json_int_t)v) : json_real(v);
		return 0;
	}
	if (strcmp(type, "text") == 0) {
		json_t *ml = json_object_get(f, "max_length");
		size_t max = ml ? (size_t)json_integer_value(ml) : TEXT_MAX_DEFAULT;
		if (strlen(text) > max)
			return nz_fail(err, NZ_EINVAL, "field '%s' is %zu bytes; at most %zu", name,
				       strlen(text), max);
		if ((*out = json_string(text)) == NULL)
			return nz_fail(err, NZ_EINVAL, "field '%s' is not valid UTF-8 text", name);
		return 0;
	}
	/* choice */
	for (i = 0; i < json_array_size(json_object_get(f, "choices")); i++)
		if (strcmp(text, json_string_value(json_array_get(json_object_get(f, "choices"), i))) == 0) {
			*out = json_string(text);
			return 0;
		}
	{
		char list[512] = "";
		size_t used = 0;
		json_t *c;
		json_array_foreach(json_object_get(f, "choices"), i, c) {
			int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 json_string_value(c));
			if (w < 0 || (size_t)w >= sizeof(list) - used)
				break;
			used += (size_t)w;
		}
		return nz_fail(err, NZ_EINVAL, "field '%s' is '%s'; choose one of: %s", name, text, list);
	}
}

/*
 * apply_pairs sets FIELD=VALUE pairs on data by fields; an empty value
 * removes the field.  Nothing is changed on error.
 */
static int
apply_pairs(json_t *fields, json_t *data, int npairs, char *const *pairs, struct nz_err *err)
{
	json_t *copy = json_deep_copy(data);
	char name[64];
	int i, rc = 0;

	for (i = 0; i < npairs && rc == 0; i++) {
		const char *eq = strchr(pairs[i], '=');
		json_t *f, *v;
		if (eq == NULL || eq == pairs[i] || (size_t)(eq - pairs[i]) >= sizeof(name)) {
			rc = nz_fail(err, NZ_EINVAL, "'%s' is not FIELD=VALUE", pairs[i]);
			break;
		}
		memcpy(name, pairs[i], (size_t)(eq - pairs[i]));
		name[eq - pairs[i]] = '\0';
		if ((f = find_field(fields, name)) == NULL) {
			rc = nz_fail(err, NZ_EINVAL, "the template has no field '%s'", name);
			break;
		}
		if (eq[1] == '\0') {
			json_object_del(copy, name);
			continue;
		}
		if ((rc = field_value(f, eq + 1, &v, err)) == 0)
			json_object_set_new(copy, name, v);
	}
	if (rc == 0) {
		/* Removals too: data becomes exactly the copy. */
		json_object_clear(data);
		json_object_update(data, copy);
	}
	json_decref(copy);
	return rc;
}

/* check_required refuses data missing a required field of fields. */
static int
check_required(json_t *fields, json_t *data, struct nz_err *err)
{
	char missing[512] = "";
	size_t i, used = 0;
	int n = 0;
	json_t *f;

	json_array_foreach(fields, i, f) {
		const char *name = jstr(f, "name");
		int w;
		if (!json_is_true(json_object_get(f, "required")) || json_object_get(data, name) != NULL)
			continue;
		n++;
		w = snprintf(missing + used, sizeof(missing) - used, "%s%s", used ? ", " : "", name);
		if (w > 0 && (size_t)w < sizeof(missing) - used)
			used += (size_t)w;
	}
	if (n > 0)
		return nz_fail(err, NZ_EINVAL, "required field%s missing: %s", n > 1 ? "s" : "", missing);
	return 0;
}

/* ---- templates ---- */

/* tpl_row returns version (0: latest) of template code, live, as JSON with fields parsed; or NULL. */
static json_t *
tpl_row(struct store *st, const char *code, int version)
{
	sqlite3_stmt *q;
	json_t *o = NULL;
	char id[NZ_RID_MAX] = "";

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT id FROM report_template WHERE deleted = 0 AND code = ?1"
			       " AND (?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, version);
	if (sqlite3_step(q) == SQLITE_ROW)
		snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (id[0] != '\0')
		o = rec_get(st, &report_template_table, id);
	return o;
}

static json_t *
parsed_fields(json_t *tpl)
{
	json_t *f = json_loads(jstr(tpl, "fields"), 0, NULL);

	return json_is_array(f) ? f : (json_decref(f), json_array());
}

static int
national_only(struct store *st, const char *what, struct nz_err *err)
{
	if (strcmp(store_node(st), "IR") != 0)
		return nz_fail(err, NZ_EDENIED, "%s are set by the national secretariat (IR); this node is %s",
			       what, store_node(st));
	return 0;
}

/* period_dates parses a Jalali period of the given kind and writes its bounds. */
static int
period_dates(const char *text, int kind, struct jperiod *p, char first[11], char last[11],
	     struct nz_err *err)
{
	int rc;

	if ((rc = jperiod_parse(text, p, err)) != 0)
		return rc;
	if (kind != 0 && p->kind != kind)
		return nz_fail(err, NZ_EINVAL, "'%s' is a %s; this template is reported by the %s", text,
			       kind_name(p->kind), kind_name(kind));
	if (jperiod_bounds(p, first, last) != 0)
		return nz_fail(err, NZ_EINVAL, "'%s' is not a period", text);
	return 0;
}

static int
check_spec_text(const struct tpl_spec *sp, struct nz_err *err)
{
	if (sp->title != NULL && (sp->title[0] == '\0' || strlen(sp->title) > TITLE_MAX || !printable(sp->title)))
		return nz_fail(err, NZ_EINVAL, "a template's title is one line of 1 to %d bytes", TITLE_MAX);
	if (sp->due_days > REP_DUE_DAYS_MAX)
		return nz_fail(err, NZ_EINVAL, "due days %d is more than %d", sp->due_days, REP_DUE_DAYS_MAX);
	return 0;
}

/* tpl_write writes one version record from its parts. */
static int
tpl_write(struct store *st, const char *id, const char *code, int version, const char *title, int kind,
	  const char *reporter, const char *level, int due_days, const char *from, const char *until,
	  const char *fields, const char *author, struct nz_err *err)
{
	struct colset *cs = colset_new();
	char today[11];
	int rc;

	nz_today(today);
	colset_text(cs, "code", code);
	colset_int(cs, "version", version);
	colset_text(cs, "title", title);
	colset_text(cs, "period", kind_name(kind));
	colset_text(cs, "reporter", reporter);
	colset_text(cs, "level", level);
	colset_int(cs, "due_days", due_days);
	colset_text(cs, "from_date", from);
	colset_text(cs, "until_date", until && until[0] ? until : NULL);
	colset_text(cs, "fields", fields);
	colset_text(cs, "created", today);
	rc = store_write(st, "report_template", id, "IR", cs, author, err);
	colset_free(cs);
	return rc;
}

int
tpl_add(struct store *st, const struct tpl_spec *sp, const char *author, char id[NZ_RID_MAX],
	struct nz_err *err)
{
	char from[11], until[11] = "", last[11], today[11];
	struct jperiod p;
	json_t *fields = NULL, *old;
	char *compact = NULL;
	int kind, rc;

	if ((rc = national_only(st, "report templates", err)) != 0)
		return rc;
	if (sp->code == NULL || !valid_code(sp->code))
		return nz_fail(err, NZ_EINVAL,
			       "template code '%s' must be 1 to %d lower-case letters, digits, '_' or '-'",
			       sp->code ? sp->code : "", CODE_MAX);
	if (sp->title == NULL)
		return nz_fail(err, NZ_EINVAL, "a template needs a title");
	if ((kind = kind_of(sp->period)) == 0)
		return nz_fail(err, NZ_EINVAL, "period must be month or quarter, not '%s'",
			       sp->period ? sp->period : "");
	if (sp->reporter == NULL ||
	    (strcmp(sp->reporter, "secretariat") != 0 && strcmp(sp->reporter, "helper") != 0))
		return nz_fail(err, NZ_EINVAL, "reporter must be secretariat or helper, not '%s'",
			       sp->reporter ? sp->reporter : "");
	if (level_of(sp->level) < 0)
		return nz_fail(err, NZ_EINVAL, "level must be province or county, not '%s'",
			       sp->level ? sp->level : "");
	if (sp->due_days < 0)
		return nz_fail(err, NZ_EINVAL, "a template needs the days after the period's end a report is due");
	if ((rc = check_spec_text(sp, err)) != 0)
		return rc;
	if (sp->from != NULL) {
		if ((rc = period_dates(sp->from, kind, &p, from, last, err)) != 0)
			return rc;
	} else {
		nz_today(today);
		jperiod_of_iso(today, kind, &p, NULL);
		jperiod_bounds(&p, from, last);
	}
	if (sp->until != NULL) {
		if ((rc = period_dates(sp->until, kind, &p, last, until, err)) != 0)
			return rc;
		if (strcmp(until, from) < 0)
			return nz_fail(err, NZ_EINVAL, "the template would end (%s) before it starts", sp->until);
	}
	if ((rc = tpl_fields_check(sp->fields, &fields, err)) != 0)
		return rc;
	compact = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(fields);
	if (compact == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	if ((old = tpl_row(st, sp->code, 0)) != NULL) {
		json_decref(old);
		store_rollback(st);
		rc = nz_fail(err, NZ_EEXIST, "template '%s' exists; change it with 'nehzat template revise'",
			     sp->code);
		goto out;
	}
	store_new_id(id);
	rc = tpl_write(st, id, sp->code, 1, sp->title, kind, sp->reporter, sp->level, sp->due_days, from,
		       until, compact, author, err);
	if (rc != 0)
		store_rollback(st);
	else
		rc = store_commit(st, err);
out:
	free(compact);
	return rc;
}

int
tpl_revise(struct store *st, const char *code, const struct tpl_spec *sp, const char *author,
	   int *version, struct nz_err *err)
{
	char from[11], until[11], last[11], id[NZ_RID_MAX];
	struct jperiod p;
	json_t *old = NULL, *fields = NULL;
	char *compact = NULL;
	int kind, rc;

	if ((rc = national_only(st, "report templates", err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((old = tpl_row(st, code, 0)) == NULL) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no report template '%s'", code);
		goto out;
	}
	kind = kind_of(jstr(old, "period"));
	if ((sp->period != NULL && kind_of(sp->period) != kind) ||
	    (sp->reporter != NULL && strcmp(sp->reporter, jstr(old, "reporter")) != 0) ||
	    (sp->level != NULL && strcmp(sp->level, jstr(old, "level")) != 0)) {
		rc = nz_fail(err, NZ_EINVAL,
			     "a revision of '%s' keeps its period, reporter and level; define a new template "
			     "for a different one",
			     code);
		goto out;
	}
	if ((rc = check_spec_text(sp, err)) != 0)
		goto out;
	snprintf(from, sizeof(from), "%s", jstr(old, "from_date"));
	snprintf(until, sizeof(until), "%s", jstr(old, "until_date"));
	if (sp->from != NULL && (rc = period_dates(sp->from, kind, &p, from, last, err)) != 0)
		goto out;
	if (sp->until != NULL && (rc = period_dates(sp->until, kind, &p, last, until, err)) != 0)
		goto out;
	if (until[0] != '\0' && strcmp(until, from) < 0) {
		rc = nz_fail(err, NZ_EINVAL, "the template would end before it starts");
		goto out;
	}
	if (sp->fields != NULL) {
		if ((rc = tpl_fields_check(sp->fields, &fields, err)) != 0)
			goto out;
		compact = json_dumps(fields, JSON_COMPACT | JSON_PRESERVE_ORDER);
	} else {
		compact = strdup(jstr(old, "fields"));
	}
	if (compact == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	*version = (int)jint(old, "version") + 1;
	store_new_id(id);
	rc = tpl_write(st, id, code, *version, sp->title ? sp->title : jstr(old, "title"), kind,
		       jstr(old, "reporter"), jstr(old, "level"),
		       sp->due_days >= 0 ? sp->due_days : (int)jint(old, "due_days"), from, until, compact,
		       author, err);
out:
	if (rc != 0)
		store_rollback(st);
	else
		rc = store_commit(st, err);
	json_decref(old);
	json_decref(fields);
	free(compact);
	return rc;
}

int
tpl_retire(struct store *st, const char *code, const char *last, const char *author, struct nz_err *err)
{
	char first[11], end[11], today[11];
	struct jperiod p;
	struct colset *cs;
	json_t *t;
	int kind, rc;

	if ((rc = national_only(st, "report templates", err)) != 0)
		return rc;
	if ((t = tpl_row(st, code, 0)) == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "no report template '%s'", code);
	kind = kind_of(jstr(t, "period"));
	if (last != NULL) {
		rc = period_dates(last, kind, &p, first, end, err);
	} else {
		nz_today(today);
		rc = jperiod_of_iso(today, kind, &p, err);
		if (rc == 0)
			jperiod_bounds(&p, first, end);
	}
	if (rc == 0 && strcmp(end, jstr(t, "from_date")) < 0)
		rc = nz_fail(err, NZ_EINVAL, "template '%s' starts after that period", code);
	if (rc == 0) {
		cs = colset_new();
		colset_text(cs, "until_date", end);
		rc = store_write(st, "report_template", jstr(t, "id"), "IR", cs, author, err);
		colset_free(cs);
	}
	json_decref(t);
	return rc;
}

/* tpl_view turns a template record into what people see: parsed fields, periods. */
static json_t *
tpl_view(json_t *t)
{
	struct jperiod p;
	char label[JPERIOD_TEXT_MAX];
	int kind = kind_of(jstr(t, "period"));

	json_object_set_new(t, "fields", parsed_fields(t));
	if (jperiod_of_iso(jstr(t, "from_date"), kind, &p, NULL) == 0 &&
	    jperiod_format(&p, label, sizeof(label)) == 0)
		json_object_set_new(t, "from", json_string(label));
	if (json_string_value(json_object_get(t, "until_date")) != NULL &&
	    jperiod_of_iso(jstr(t, "until_date"), kind, &p, NULL) == 0 &&
	    jperiod_format(&p, label, sizeof(label)) == 0)
		json_object_set_new(t, "until", json_string(label));
	else
		json_object_set_new(t, "until", json_string(""));
	json_object_set_new(t, "nfields", json_integer((json_int_t)json_array_size(json_object_get(t, "fields"))));
	json_object_del(t, "from_date");
	json_object_del(t, "until_date");
	jalali_cols(t, (const char *const[]){"created", NULL});
	return t;
}

json_t *
tpl_list(struct store *st, bool all)
{
	json_t *rows = rec_list(st, &report_template_table, NULL,
				all ? NULL
				    : "version = (SELECT MAX(t2.version) FROM report_template t2 WHERE"
				      " t2.deleted = 0 AND t2.code = report_template.code)",
				NULL, "code, version");
	size_t i;
	json_t *t;

	json_array_foreach(rows, i, t)
		tpl_view(t);
	return rows;
}

json_t *
tpl_get(struct store *st, const char *code, int version)
{
	json_t *t = tpl_row(st, code, version);

	return t ? tpl_view(t) : NULL;
}

/* ---- reports ---- */

/* rep_load returns live report id, or NULL with err filled. */
static json_t *
rep_load(struct store *st, const char *id, struct nz_err *err)
{
	json_t *r = rec_get(st, &report_table, id);

	if (r == NULL || jint(r, "deleted") != 0) {
		json_decref(r);
		nz_fail(err, NZ_ENOTFOUND, "no report with id '%s'", id);
		return NULL;
	}
	return r;
}

/* newer_revision writes into newer the id of a later revision of report r (any status), "" if none. */
static int
newer_revision(struct store *st, json_t *r, char newer[NZ_RID_MAX], char status[16])
{
	sqlite3_stmt *q;

	newer[0] = status[0] = '\0';
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT id, status FROM report WHERE deleted = 0 AND owner = ?1 AND"
			       " template_code = ?2 AND period = ?3 AND grp = ?4 AND revision > ?5"
			       " ORDER BY revision DESC, id LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, jstr(r, "owner"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, jstr(r, "template_code"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, jstr(r, "period"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, jstr(r, "grp"), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 5, jint(r, "revision"));
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(newer, NZ_RID_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(status, 16, "%s", (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	return 0;
}

/*
 * approved_period finds an approval covering a report of unit over
 * [start, end]: one of the unit or an ancestor for a period containing it.
 */
static bool
approved_period(struct store *st, const char *unit, const char *start, const char *end, char *who,
		char *period)
{
	sqlite3_stmt *q;
	bool found = false;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT owner, period FROM period_approval WHERE deleted = 0 AND"
			       " (owner = ?1 OR substr(?1, 1, length(owner) + 1) = owner || '-') AND"
			       " period_start <= ?2 AND period_end >= ?3 ORDER BY owner LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, start, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, end, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW) {
		found = true;
		snprintf(who, NZ_ID_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(period, JPERIOD_TEXT_MAX, "%s", (const char *)sqlite3_column_text(q, 1));
	}
	sqlite3_finalize(q);
	return found;
}

static int
refuse_if_approved(struct store *st, json_t *r, const char *what, struct nz_err *err)
{
	char who[NZ_ID_MAX], period[JPERIOD_TEXT_MAX];

	if (approved_period(st, jstr(r, "owner"), jstr(r, "period_start"), jstr(r, "period_end"), who, period))
		return nz_fail(err, NZ_ESTATE, "period %s of %s is approved; report '%s' cannot be %s", period,
			       who, jstr(r, "id"), what);
	return 0;
}

/* rep_template returns the template version report r was written against. */
static json_t *
rep_template(struct store *st, json_t *r, struct nz_err *err)
{
	json_t *t = rec_get(st, &report_template_table, jstr(r, "template"));

	if (t == NULL)
		nz_fail(err, NZ_ENOTFOUND, "template version '%s' of report '%s' is not on this node",
			jstr(r, "template"), jstr(r, "id"));
	return t;
}

static int
write_data(struct colset *cs, json_t *data, struct nz_err *err)
{
	char *s = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS);

	if (s == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (strlen(s) > REP_JSON_MAX) {
		size_t n = strlen(s);
		free(s);
		return nz_fail(err, NZ_ETOOBIG, "the report's values are %zu bytes; at most %d", n, REP_JSON_MAX);
	}
	colset_text(cs, "data", s);
	free(s);
	return 0;
}

int
rep_draft(struct store *st, const char *unit, const char *code, const char *period, const char *group,
	  int npairs, char *const *pairs, bool submit, const char *author, char id[NZ_RID_MAX],
	  struct nz_err *err)
{
	char first[11], last[11], due[11], today[11], label[JPERIOD_TEXT_MAX];
	struct jperiod p;
	struct colset *cs = NULL;
	json_t *t = NULL, *fields = NULL, *data = json_object();
	sqlite3_stmt *q = NULL;
	bool helper;
	int level, rc;

	if (unit == NULL)
		unit = store_node(st);
	nz_today(today);
	if ((level = unit_level(unit)) < 0) {
		rc = nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", unit);
		goto out;
	}
	if (!unit_within(unit, store_node(st))) {
		rc = nz_fail(err, NZ_EDENIED, "this node (%s) may not write reports of %s", store_node(st), unit);
		goto out;
	}
	if (code == NULL || (t = tpl_row(st, code, 0)) == NULL) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no report template '%s' on this node", code ? code : "");
		goto out;
	}
	if (level_of(jstr(t, "level")) != level) {
		rc = nz_fail(err, NZ_EINVAL, "template '%s' is reported by %s units; %s is a %s", code,
			     jstr(t, "level"), unit, unit_level_name(level));
		goto out;
	}
	if (period == NULL) {
		rc = nz_fail(err, NZ_EINVAL, "a report needs its period (e.g. 1405-07)");
		goto out;
	}
	if ((rc = period_dates(period, kind_of(jstr(t, "period")), &p, first, last, err)) != 0)
		goto out;
	jperiod_format(&p, label, sizeof(label));
	if (strcmp(first, jstr(t, "from_date")) < 0 ||
	    (jstr(t, "until_date")[0] != '\0' && strcmp(last, jstr(t, "until_date")) > 0)) {
		json_t *v = tpl_view(json_incref(t));
		rc = nz_fail(err, NZ_EINVAL, "template '%s' applies from %s%s%s; not to %s", code,
			     jstr(v, "from"), jstr(v, "until")[0] ? " until " : "", jstr(v, "until"), label);
		json_decref(v);
		goto out;
	}
	if (strcmp(first, today) > 0) {
		rc = nz_fail(err, NZ_EINVAL, "period %s has not started yet", label);
		goto out;
	}
	{
		char who[NZ_ID_MAX], ap[JPERIOD_TEXT_MAX];
		if (approved_period(st, unit, first, last, who, ap)) {
			rc = nz_fail(err, NZ_ESTATE, "period %s of %s is approved; no more reports are taken for %s",
				     ap, who, label);
			goto out;
		}
	}
	helper = strcmp(jstr(t, "reporter"), "helper") == 0;
	if (helper && (group == NULL || group[0] == '\0')) {
		rc = nz_fail(err, NZ_EINVAL, "template '%s' is reported by each helper group: name the group", code);
		goto out;
	}
	if (!helper && group != NULL && group[0] != '\0') {
		rc = nz_fail(err, NZ_EINVAL, "template '%s' is reported by the secretariat, not a helper group",
			     code);
		goto out;
	}
	if (group == NULL)
		group = "";
	if (strlen(group) > GROUP_MAX || !printable(group)) {
		rc = nz_fail(err, NZ_EINVAL, "a helper group is one line of at most %d bytes", GROUP_MAX);
		goto out;
	}
	fields = parsed_fields(t);
	if ((rc = apply_pairs(fields, data, npairs, pairs, err)) != 0)
		goto out;
	if (submit && (rc = check_required(fields, data, err)) != 0)
		goto out;
	if (iso_add_days(last, jint(t, "due_days"), due) != 0) {
		rc = nz_fail(err, NZ_EINVAL, "due date of %s is out of range", label);
		goto out;
	}

	if ((rc = store_begin(st, err)) != 0)
		goto out;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT id, status FROM report WHERE deleted = 0 AND owner = ?1 AND"
			       " template_code = ?2 AND period = ?3 AND grp = ?4 ORDER BY revision DESC LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, err, "report");
		store_rollback(st);
		goto out;
	}
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, label, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, group, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		const char *st_ = (const char *)sqlite3_column_text(q, 1);
		rc = nz_fail(err, NZ_EEXIST,
			     "%s already has report '%s' (%s) of '%s' for %s%s%s; %s", unit,
			     (const char *)sqlite3_column_text(q, 0), st_, code, label, group[0] ? ", group " : "",
			     group, strcmp(st_, "draft") == 0 ? "edit it with 'nehzat report set'"
							      : "correct it with 'nehzat report revise'");
		store_rollback(st);
		goto out;
	}
	cs = colset_new();
	colset_text(cs, "template", jstr(t, "id"));
	colset_text(cs, "template_code", code);
	colset_int(cs, "template_version", jint(t, "version"));
	colset_text(cs, "period", label);
	colset_text(cs, "period_start", first);
	colset_text(cs, "period_end", last);
	colset_text(cs, "due", due);
	colset_text(cs, "grp", group);
	colset_int(cs, "revision", 1);
	colset_text(cs, "supersedes", "");
	colset_text(cs, "status", submit ? "submitted" : "draft");
	colset_text(cs, "created", today);
	colset_text(cs, "submitted", submit ? today : "");
	colset_text(cs, "reason", "");
	colset_text(cs, "review", "");
	if ((rc = write_data(cs, data, err)) == 0) {
		store_new_id(id);
		rc = store_write(st, "report", id, unit, cs, author, err);
	}
	if (rc != 0)
		store_rollback(st);
	else
		rc = store_commit(st, err);
out:
	sqlite3_finalize(q);
	colset_free(cs);
	json_decref(t);
	json_decref(fields);
	json_decref(data);
	return rc;
}

int
rep_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	struct nz_err *err)
{
	json_t *r, *t = NULL, *fields = NULL, *data = NULL;
	struct colset *cs = NULL;
	int rc;

	if ((r = rep_load(st, id, err)) == NULL)
		return NZ_ENOTFOUND;
	if (strcmp(jstr(r, "status"), "draft") != 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' is submitted and locked; correct it with 'nehzat report "
					     "revise'", id);
		goto out;
	}
	if (npairs == 0) {
		rc = nz_fail(err, NZ_EINVAL, "nothing to set: give FIELD=VALUE pairs");
		goto out;
	}
	if ((t = rep_template(st, r, err)) == NULL) {
		rc = NZ_ENOTFOUND;
		goto out;
	}
	fields = parsed_fields(t);
	data = json_loads(jstr(r, "data"), 0, NULL);
	if (!json_is_object(data)) {
		json_decref(data);
		data = json_object();
	}
	if ((rc = apply_pairs(fields, data, npairs, pairs, err)) != 0)
		goto out;
	cs = colset_new();
	if ((rc = write_data(cs, data, err)) == 0)
		rc = store_write(st, "report", id, jstr(r, "owner"), cs, author, err);
out:
	colset_free(cs);
	json_decref(r);
	json_decref(t);
	json_decref(fields);
	json_decref(data);
	return rc;
}

int
rep_submit(struct store *st, const char *id, const char *author, struct nz_err *err)
{
	char newer[NZ_RID_MAX], nstatus[16], today[11];
	json_t *r, *t = NULL, *fields = NULL, *data = NULL, *prev = NULL;
	struct colset *cs = NULL;
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((r = rep_load(st, id, err)) == NULL) {
		store_rollback(st);
		return NZ_ENOTFOUND;
	}
	if (strcmp(jstr(r, "status"), "draft") != 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' is already submitted", id);
		goto out;
	}
	if ((rc = newer_revision(st, r, newer, nstatus)) != 0) {
		rc = store_sqlerr(st, err, "report");
		goto out;
	}
	if (newer[0] != '\0') {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' has a later revision '%s'", id, newer);
		goto out;
	}
	if (jstr(r, "supersedes")[0] != '\0' && (prev = rec_get(st, &report_table, jstr(r, "supersedes"))) &&
	    strcmp(jstr(prev, "review"), "accepted") == 0) {
		rc = nz_fail(err, NZ_ESTATE,
			     "revision %lld of this report was accepted meanwhile; correction '%s' cannot be "
			     "submitted",
			     (long long)jint(prev, "revision"), id);
		goto out;
	}
	if ((rc = refuse_if_approved(st, r, "submitted", err)) != 0)
		goto out;
	if ((t = rep_template(st, r, err)) == NULL) {
		rc = NZ_ENOTFOUND;
		goto out;
	}
	fields = parsed_fields(t);
	data = json_loads(jstr(r, "data"), 0, NULL);
	if (!json_is_object(data)) {
		json_decref(data);
		data = json_object();
	}
	if ((rc = check_required(fields, data, err)) != 0)
		goto out;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", "submitted");
	colset_text(cs, "submitted", today);
	rc = store_write(st, "report", id, jstr(r, "owner"), cs, author, err);
out:
	if (rc != 0)
		store_rollback(st);
	else
		rc = store_commit(st, err);
	colset_free(cs);
	json_decref(r);
	json_decref(prev);
	json_decref(t);
	json_decref(fields);
	json_decref(data);
	return rc;
}

int
rep_revise(struct store *st, const char *id, const char *reason, int npairs, char *const *pairs,
	   const char *author, char newid[NZ_RID_MAX], struct nz_err *err)
{
	static const char *const copied[] = {"template", "template_code", "period", "period_start",
					     "period_end", "due", "grp", NULL};
	char newer[NZ_RID_MAX], nstatus[16], today[11];
	json_t *r, *t = NULL, *fields = NULL, *data = NULL;
	struct colset *cs = NULL;
	int i, rc;

	if (reason == NULL || reason[0] == '\0' || strlen(reason) > NOTE_MAX)
		return nz_fail(err, NZ_EINVAL, "a correction needs its reason (at most %d bytes)", NOTE_MAX);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((r = rep_load(st, id, err)) == NULL) {
		store_rollback(st);
		return NZ_ENOTFOUND;
	}
	if (!unit_within(jstr(r, "owner"), store_node(st))) {
		rc = nz_fail(err, NZ_EDENIED, "this node (%s) may not correct reports of %s", store_node(st),
			     jstr(r, "owner"));
		goto out;
	}
	if (strcmp(jstr(r, "status"), "draft") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' is a draft; edit it with 'nehzat report set'", id);
		goto out;
	}
	if (strcmp(jstr(r, "review"), "accepted") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' was accepted by %s and is locked", id,
			     jstr(r, "reviewer"));
		goto out;
	}
	if ((rc = newer_revision(st, r, newer, nstatus)) != 0) {
		rc = store_sqlerr(st, err, "report");
		goto out;
	}
	if (newer[0] != '\0') {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' already has a later revision '%s' (%s)", id, newer,
			     nstatus);
		goto out;
	}
	if ((rc = refuse_if_approved(st, r, "corrected", err)) != 0)
		goto out;
	if ((t = rep_template(st, r, err)) == NULL) {
		rc = NZ_ENOTFOUND;
		goto out;
	}
	fields = parsed_fields(t);
	data = json_loads(jstr(r, "data"), 0, NULL);
	if (!json_is_object(data)) {
		json_decref(data);
		data = json_object();
	}
	if ((rc = apply_pairs(fields, data, npairs, pairs, err)) != 0)
		goto out;
	nz_today(today);
	cs = colset_new();
	for (i = 0; copied[i] != NULL; i++)
		colset_text(cs, copied[i], jstr(r, copied[i]));
	colset_int(cs, "template_version", jint(r, "template_version"));
	colset_int(cs, "revision", jint(r, "revision") + 1);
	colset_text(cs, "supersedes", id);
	colset_text(cs, "status", "draft");
	colset_text(cs, "created", today);
	colset_text(cs, "submitted", "");
	colset_text(cs, "reason", reason);
	colset_text(cs, "review", "");
	if ((rc = write_data(cs, data, err)) == 0) {
		store_new_id(newid);
		rc = store_write(st, "report", newid, jstr(r, "owner"), cs, author, err);
	}
out:
	if (rc != 0)
		store_rollback(st);
	else
		rc = store_commit(st, err);
	colset_free(cs);
	json_decref(r);
	json_decref(t);
	json_decref(fields);
	json_decref(data);
	return rc;
}

/*
 * rep_view turns a report record into what people see.  first is the
 * earliest submission of any revision of the report: a correction does not
 * make a report that came in on time late.
 */
static json_t *
rep_view(json_t *r, bool latest, const char *first)
{
	static const char *const dates[] = {"period_start", "period_end", "due", "created", "submitted",
					    "reviewed", NULL};
	json_t *data = json_loads(jstr(r, "data"), 0, NULL);
	const char *state;

	json_object_set_new(r, "data", json_is_object(data) ? data : (json_decref(data), json_object()));
	if (strcmp(jstr(r, "status"), "draft") == 0)
		state = "draft";
	else if (jstr(r, "review")[0] != '\0')
		state = jstr(r, "review");
	else if (!latest)
		state = "superseded";
	else
		state = "submitted";
	json_object_set_new(r, "state", json_string(state));
	if (first == NULL || first[0] == '\0')
		first = jstr(r, "submitted");
	json_object_set_new(r, "on_time", json_boolean(first[0] != '\0' && strcmp(first, jstr(r, "due")) <= 0));
	jalali_cols(r, dates);
	return r;
}

json_t *
rep_list(struct store *st, const char *under, const char *period, const char *code, bool current,
	 struct nz_err *err)
{
	char first[11] = "", last[11] = "";
	struct jperiod p;
	sqlite3_stmt *q;
	json_t *rows;

	if (period != NULL && period_dates(period, 0, &p, first, last, err) != 0)
		return NULL;
	if (sqlite3_prepare_v2(
		    store_db(st),
		    "SELECT r.id, NOT EXISTS (SELECT 1 FROM report r2 WHERE r2.deleted = 0 AND"
		    "  r2.owner = r.owner AND r2.template_code = r.template_code AND r2.period = r.period AND"
		    "  r2.grp = r.grp AND r2.revision > r.revision AND r2.status = 'submitted'),"
		    " (SELECT MIN(r4.submitted) FROM report r4 WHERE r4.deleted = 0 AND r4.status = 'submitted' AND"
		    "  r4.owner = r.owner AND r4.template_code = r.template_code AND r4.period = r.period AND"
		    "  r4.grp = r.grp AND r4.revision <= r.revision)"
		    " FROM report r WHERE r.deleted = 0"
		    " AND (?1 IS NULL OR r.owner = ?1 OR (r.owner > ?1 || '-' AND r.owner < ?1 || '.'))"
		    " AND (?2 IS NULL OR (r.period_start >= ?2 AND r.period_end <= ?3))"
		    " AND (?4 IS NULL OR r.template_code = ?4)"
		    " AND (?5 = 0 OR NOT EXISTS (SELECT 1 FROM report r3 WHERE r3.deleted = 0 AND"
		    "  r3.owner = r.owner AND r3.template_code = r.template_code AND r3.period = r.period AND"
		    "  r3.grp = r.grp AND r3.revision > r.revision))"
		    " ORDER BY r.owner, r.period_start, r.template_code, r.grp, r.revision",
		    -1, &q, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "report");
		return NULL;
	}
	if (under != NULL)
		sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	if (period != NULL) {
		sqlite3_bind_text(q, 2, first, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, last, -1, SQLITE_STATIC);
	}
	if (code != NULL)
		sqlite3_bind_text(q, 4, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, current);
	rows = json_array();
	while (sqlite3_step(q) == SQLITE_ROW) {
		json_t *r = rec_get(st, &report_table, (const char *)sqlite3_column_text(q, 0));
		if (r != NULL)
			json_array_append_new(rows, rep_view(r, sqlite3_column_int(q, 1) != 0,
							     (const char *)sqlite3_column_text(q, 2)));
	}
	sqlite3_finalize(q);
	return rows;
}

json_t *
rep_show(struct store *st, const char *id)
{
	json_t *r = rep_load(st, id, NULL), *t, *revs;
	char newer[NZ_RID_MAX], nstatus[16];

	if (r == NULL)
		return NULL;
	newer_revision(st, r, newer, nstatus);
	revs = rep_list(st, jstr(r, "owner"), NULL, jstr(r, "template_code"), false, NULL);
	if (revs != NULL) {
		/* Keep the revisions of this report only. */
		size_t i;
		json_t *x, *mine = json_array();
		json_array_foreach(revs, i, x)
			if (strcmp(jstr(x, "period"), jstr(r, "period")) == 0 &&
			    strcmp(jstr(x, "grp"), jstr(r, "grp")) == 0)
				json_array_append_new(mine, json_pack("{s:s,s:I,s:s,s:s,s:s}", "id", jstr(x, "id"),
								  "revision", (json_int_t)jint(x, "revision"),
								  "state", jstr(x, "state"), "submitted",
								  jstr(x, "submitted"), "reason", jstr(x, "reason")));
		json_decref(revs);
		revs = mine;
	}
	/* A newer submitted revision makes this one superseded. */
	{
		char first[11] = "";
		size_t i;
		json_t *x;
		/* The revisions are listed with Jalali dates: take the ISO one from the records. */
		json_array_foreach(revs, i, x) {
			json_t *rec = rec_get(st, &report_table, jstr(x, "id"));
			const char *sub = rec ? jstr(rec, "submitted") : "";
			if (jint(x, "revision") <= jint(r, "revision") && sub[0] != '\0' &&
			    strcmp(jstr(rec, "status"), "submitted") == 0 && (first[0] == '\0' || strcmp(sub, first) < 0))
				snprintf(first, sizeof(first), "%s", sub);
			json_decref(rec);
		}
		r = rep_view(r, !(newer[0] != '\0' && strcmp(nstatus, "submitted") == 0), first);
	}
	if ((t = rec_get(st, &report_template_table, jstr(r, "template"))) != NULL) {
		json_object_set_new(r, "template_title", json_string(jstr(t, "title")));
		json_object_set_new(r, "fields", parsed_fields(t));
		json_decref(t);
	}
	json_object_set_new(r, "revisions", revs ? revs : json_array());
	return r;
}

/* ---- completeness ---- */

struct tpl_info {
	char id[NZ_RID_MAX], code[CODE_MAX + 1];
	int kind, level, due_days;
	bool helper;
	char from[11], until[11];
};

struct counts {
	int64_t expected, received, on_time, late, accepted, returned, not_due, not_submitted, unknown;
};

struct cpl_unit {
	char code[NZ_ID_MAX];
	int level;
	struct counts own, total;
	json_t *items;
	int64_t wm; /* rep_watermark */
	char via[NZ_ID_MAX];
	bool failing; /* period_approve: something not accepted */
};

struct cpl {
	struct store *st;
	struct jperiod p;
	char today[11];
	bool data_only;  /* no clock or sync state: the same on every node */
	bool items;      /* keep the items */
	struct tpl_info *tpls;
	int ntpls;
	struct cpl_unit *units;
	int nunits;
	const char *appt_table; /* NULL: no appointments here, count the quota */
	bool appt_status, appt_names;
};

static void
cpl_release(struct cpl *c)
{
	int i;

	for (i = 0; i < c->nunits; i++)
		json_decref(c->units[i].items);
	free(c->units);
	free(c->tpls);
	c->units = NULL;
	c->tpls = NULL;
}

static int
load_templates(struct cpl *c, struct nz_err *err)
{
	sqlite3_stmt *q;
	int n = 0, cap = 16;

	if ((c->tpls = calloc((size_t)cap, sizeof(*c->tpls))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(store_db(c->st),
			       "SELECT id, code, period, level, due_days, reporter, from_date,"
			       " coalesce(until_date, '') FROM report_template t WHERE deleted = 0 AND"
			       " version = (SELECT MAX(version) FROM report_template t2 WHERE t2.deleted = 0"
			       " AND t2.code = t.code) ORDER BY code",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(c->st, err, "report_template");
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct tpl_info *ti;
		if (n == cap) {
			struct tpl_info *more = realloc(c->tpls, (size_t)cap * 2 * sizeof(*more));
			if (more == NULL) {
				sqlite3_finalize(q);
				return nz_fail(err, NZ_ENOMEM, "out of memory");
			}
			c->tpls = more;
			cap *= 2;
		}
		ti = &c->tpls[n];
		memset(ti, 0, sizeof(*ti));
		snprintf(ti->id, sizeof(ti->id), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(ti->code, sizeof(ti->code), "%s", (const char *)sqlite3_column_text(q, 1));
		ti->kind = kind_of((const char *)sqlite3_column_text(q, 2));
		ti->level = level_of((const char *)sqlite3_column_text(q, 3));
		ti->due_days = sqlite3_column_int(q, 4);
		ti->helper = strcmp((const char *)sqlite3_column_text(q, 5), "helper") == 0;
		snprintf(ti->from, sizeof(ti->from), "%s", (const char *)sqlite3_column_text(q, 6));
		snprintf(ti->until, sizeof(ti->until), "%s", (const char *)sqlite3_column_text(q, 7));
		if (ti->kind != 0 && ti->level >= 0)
			n++;
	}
	sqlite3_finalize(q);
	c->ntpls = n;
	return 0;
}

/*
 * load_units lists the org units within under: the org-unit tree, the
 * owners of reports, and (unless data_only) this node's children, so that
 * a node without the tree still sees the units it hears from.
 */
static int
load_units(struct cpl *c, const char *under, struct nz_err *err)
{
	char sql[1024];
	sqlite3_stmt *q;
	int n = 0, cap = 64;

	/* The owners of reports come from the dashboard's aggregates when they are there: no history read. */
	snprintf(sql, sizeof(sql),
		 "SELECT ?1 UNION"
		 " SELECT id FROM orgunit WHERE deleted = 0 AND (id > ?1 || '-' AND id < ?1 || '.') UNION"
		 " SELECT owner FROM %s WHERE deleted = 0 AND (owner > ?1 || '-' AND owner < ?1 || '.')"
		 "%s ORDER BY 1",
		 dash_live_owners(c->st, "report"),
		 c->data_only ? ""
			      : " UNION SELECT id FROM peer WHERE role = 'child' AND"
				" (id > ?1 || '-' AND id < ?1 || '.')");
	if ((c->units = calloc((size_t)cap, sizeof(*c->units))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(c->st, err, "org units");
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		struct cpl_unit *u;
		if (id == NULL || unit_level(id) < 0)
			continue;
		if (n == cap) {
			struct cpl_unit *more = realloc(c->units, (size_t)cap * 2 * sizeof(*more));
			if (more == NULL) {
				sqlite3_finalize(q);
				return nz_fail(err, NZ_ENOMEM, "out of memory");
			}
			c->units = more;
			cap *= 2;
		}
		u = &c->units[n++];
		memset(u, 0, sizeof(*u));
		snprintf(u->code, sizeof(u->code), "%s", id);
		u->level = unit_level(id);
		u->items = c->items ? json_array() : NULL;
		u->wm = c->data_only ? INT64_MAX : rep_watermark(c->st, id, u->via);
		c->nunits = n;
	}
	sqlite3_finalize(q);
	return 0;
}

/*
 * helper_groups lists in names (a new JSON array) the helper groups of unit
 * that report: the groups of its active appointments when the appointment
 * table is on this node; else names stays empty and the count is the
 * guideline's quota (2 per county, 5 per province).  Returns the count.
 */
static int64_t
helper_groups(struct cpl *c, const char *unit, json_t **names)
{
	char sql[256];
	sqlite3_stmt *q;

	*names = json_array();
	if (c->appt_table == NULL)
		return unit_level(unit) == NZ_LEVEL_COUNTY ? 2 : 5;
	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM %s WHERE deleted = 0 AND owner = ?%s ORDER BY 1",
		 c->appt_names ? "coalesce(group_name, id)" : "id", c->appt_table,
		 c->appt_status ? " AND coalesce(status, '') NOT IN ('revoked', 'cancelled', 'canceled',"
				  " 'withdrawn', 'draft')"
				: "");
	if (sqlite3_prepare_v2(store_db(c->st), sql, -1, &q, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW)
		json_array_append_new(*names, json_string((const char *)sqlite3_column_text(q, 0)));
	sqlite3_finalize(q);
	return (int64_t)json_array_size(*names);
}

static void
add_counts(struct counts *a, const struct counts *b)
{
	a->expected += b->expected;
	a->received += b->received;
	a->on_time += b->on_time;
	a->late += b->late;
	a->accepted += b->accepted;
	a->returned += b->returned;
	a->not_due += b->not_due;
	a->not_submitted += b->not_submitted;
	a->unknown += b->unknown;
}

static json_t *
counts_json(const struct counts *k)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "expected", (json_int_t)k->expected,
			 "received", (json_int_t)k->received, "on_time", (json_int_t)k->on_time, "late",
			 (json_int_t)k->late, "accepted", (json_int_t)k->accepted, "returned",
			 (json_int_t)k->returned, "not_due", (json_int_t)k->not_due, "not_submitted",
			 (json_int_t)k->not_submitted, "unknown", (json_int_t)k->unknown);
}

/* unit_period counts (and lists) what is expected of unit u under template ti for period tp. */
static int
unit_period(struct cpl *c, struct cpl_unit *u, const struct tpl_info *ti, const struct jperiod *tp,
	    struct nz_err *err)
{
	char first[11], last[11], label[JPERIOD_TEXT_MAX], due[11], prev_grp[GROUP_MAX + 1] = "";
	sqlite3_stmt *q;
	int64_t expected = 1, received = 0, missing;
	json_t *groups = NULL;
	bool any = false;

	jperiod_bounds(tp, first, last);
	jperiod_format(tp, label, sizeof(label));
	if (strcmp(first, ti->from) < 0 || (ti->until[0] != '\0' && strcmp(last, ti->until) > 0))
		return 0;
	if (ti->helper)
		expected = helper_groups(c, u->code, &groups);
	if (sqlite3_prepare_v2(store_db(c->st),
			       "SELECT r.id, r.grp, r.submitted, r.due, r.review, (SELECT MIN(r2.submitted)"
			       " FROM report r2 WHERE r2.deleted = 0 AND r2.status = 'submitted' AND"
			       " r2.owner = r.owner AND r2.template_code = r.template_code AND"
			       " r2.period = r.period AND r2.grp = r.grp)"
			       " FROM report r WHERE r.deleted = 0 AND r.status = 'submitted' AND r.owner = ?1"
			       " AND r.template_code = ?2 AND r.period = ?3 AND (?4 OR r.grp = '')"
			       " ORDER BY r.grp, r.revision DESC, r.id DESC",
			       -1, &q, NULL) != SQLITE_OK) {
		json_decref(groups);
		return store_sqlerr(c->st, err, "report");
	}
	sqlite3_bind_text(q, 1, u->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, ti->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, label, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, ti->helper);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *grp = (const char *)sqlite3_column_text(q, 1);
		const char *rdue = (const char *)sqlite3_column_text(q, 3);
		const char *review = (const char *)sqlite3_column_text(q, 4);
		const char *firstsub = (const char *)sqlite3_column_text(q, 5);
		bool on_time;
		/* A peer's report may lack what ours always carry: never trust it. */
		if (grp == NULL)
			grp = "";
		if (rdue == NULL)
			rdue = "";
		if (any && strcmp(grp, prev_grp) == 0)
			continue; /* an older revision */
		any = true;
		snprintf(prev_grp, sizeof(prev_grp), "%s", grp);
		received++;
		if (groups != NULL) {
			/* Strike the group from those still owing a report. */
			size_t gi;
			json_t *g;
			json_array_foreach(groups, gi, g)
				if (strcmp(json_string_value(g), grp) == 0) {
					json_array_remove(groups, gi);
					break;
				}
		}
		u->own.received++;
		on_time = firstsub != NULL && strcmp(firstsub, rdue) <= 0;
		if (on_time)
			u->own.on_time++;
		else
			u->own.late++;
		if (review != NULL && strcmp(review, "accepted") == 0)
			u->own.accepted++;
		else
			u->failing = true;
		if (review != NULL && strcmp(review, "returned") == 0)
			u->own.returned++;
		if (u->items != NULL) {
			char sj[11], dj[11];
			iso_jalali(firstsub, sj);
			iso_jalali(rdue, dj);
			json_array_append_new(
				u->items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "unit", u->code,
						    "template", ti->code, "period", label, "group", grp, "state",
						    "received", "report", (const char *)sqlite3_column_text(q, 0),
						    "submitted", sj, "on_time", on_time, "review",
						    review && review[0] ? review : "pending", "due", dj));
		}
	}
	sqlite3_finalize(q);
	if (received > expected)
		expected = received; /* a group beyond the count still reported */
	u->own.expected += expected;
	missing = expected - received;
	if (missing <= 0 || c->data_only) {
		u->failing |= missing > 0;
		json_decref(groups);
		return 0;
	}
	u->failing = true;
	if (groups == NULL)
		groups = json_array();
	if (iso_add_days(last, ti->due_days, due) != 0)
		snprintf(due, sizeof(due), "%s", last);
	{
		const char *state;
		char since[32] = "", dj[11];
		if (strcmp(c->today, due) <= 0) {
			state = "not_due";
			u->own.not_due += missing;
		} else if (u->wm >= due_end_ms(due)) {
			state = "not_submitted";
			u->own.not_submitted += missing;
		} else {
			state = "unknown";
			u->own.unknown += missing;
			if (u->wm > 0)
				rep_time_text(u->wm, since, sizeof(since));
		}
		if (u->items != NULL) {
			iso_jalali(due, dj);
			json_array_append_new(u->items,
					      json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:O}", "unit", u->code,
							"template", ti->code, "period", label, "missing",
							(json_int_t)missing, "state", state, "due", dj, "since",
							since, "groups", groups));
		}
	}
	json_decref(groups);
	return 0;
}

/* tperiods lists the periods of kind that lie within p (a quarter holds three months). */
static int
tperiods(const struct jperiod *p, int kind, struct jperiod out[3])
{
	int i;

	if (kind == p->kind) {
		out[0] = *p;
		return 1;
	}
	if (kind == JPERIOD_MONTH && p->kind == JPERIOD_QUARTER) {
		for (i = 0; i < 3; i++) {
			out[i].y = p->y;
			out[i].kind = JPERIOD_MONTH;
			out[i].n = (p->n - 1) * 3 + 1 + i;
		}
		return 3;
	}
	return 0;
}

/* cpl_run fills c for the subtree of under. */
static int
cpl_run(struct cpl *c, const char *under, struct nz_err *err)
{
	struct jperiod tp[3];
	int i, j, k, n, rc;

	nz_today(c->today);
	c->appt_table = table_has(c->st, "sel_appointment", NULL) ? "sel_appointment"
			: table_has(c->st, "appointment", NULL)   ? "appointment"
								  : NULL;
	c->appt_status = c->appt_table != NULL && table_has(c->st, c->appt_table, "status");
	c->appt_names = c->appt_table != NULL && table_has(c->st, c->appt_table, "group_name");
	if ((rc = load_templates(c, err)) != 0 || (rc = load_units(c, under, err)) != 0)
		return rc;
	for (i = 0; i < c->nunits; i++)
		for (j = 0; j < c->ntpls; j++) {
			if (c->tpls[j].level != c->units[i].level)
				continue;
			n = tperiods(&c->p, c->tpls[j].kind, tp);
			for (k = 0; k < n; k++)
				if ((rc = unit_period(c, &c->units[i], &c->tpls[j], &tp[k], err)) != 0)
					return rc;
		}
	/* Subtree totals: every unit adds into itself and its listed ancestors. */
	for (i = 0; i < c->nunits; i++)
		for (j = 0; j < c->nunits; j++)
			if (unit_within(c->units[j].code, c->units[i].code))
				add_counts(&c->units[i].total, &c->units[j].own);
	return 0;
}

static int
check_under(struct store *st, const char *under, struct nz_err *err)
{
	if (unit_level(under) < 0)
		return nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", under);
	if (!unit_within(under, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "%s is outside this node's subtree (%s)", under, store_node(st));
	return 0;
}

static json_t *
unit_names(struct store *st)
{
	json_t *names = json_object();
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(st), "SELECT id, coalesce(name_fa, '') FROM orgunit WHERE deleted = 0",
			       -1, &q, NULL) != SQLITE_OK)
		return names;
	while (sqlite3_step(q) == SQLITE_ROW)
		json_object_set_new(names, (const char *)sqlite3_column_text(q, 0),
				    json_string((const char *)sqlite3_column_text(q, 1)));
	sqlite3_finalize(q);
	return names;
}

json_t *
cpl_compute(struct store *st, const char *under, const char *period, int depth, struct nz_err *err)
{
	struct cpl c;
	char label[JPERIOD_TEXT_MAX], today_j[11];
	json_t *out = NULL, *rows, *names = NULL;
	int i, base;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.items = true;
	if (under == NULL)
		under = store_node(st);
	if (check_under(st, under, err) != 0)
		return NULL;
	if (period == NULL) {
		rep_default_period(label);
		period = label;
	}
	if (jperiod_parse(period, &c.p, err) != 0)
		return NULL;
	jperiod_format(&c.p, label, sizeof(label));
	if (cpl_run(&c, under, err) != 0)
		goto out;
	names = unit_names(st);
	base = unit_level(under);
	rows = json_array();
	for (i = 0; i < c.nunits; i++) {
		struct cpl_unit *u = &c.units[i];
		char when[32];
		json_t *row;
		if (depth > 0 && u->level - base > depth)
			continue;
		if (u->wm == INT64_MAX)
			snprintf(when, sizeof(when), "local");
		else if (u->wm == 0)
			snprintf(when, sizeof(when), "never");
		else
			rep_time_text(u->wm, when, sizeof(when));
		row = json_pack("{s:s,s:s,s:s,s:i,s:s,s:s,s:o,s:o,s:O}", "unit", u->code, "name",
				jstr(names, u->code), "level", unit_level_name(u->level), "depth", u->level - base,
				"data_as_of", when, "via", u->via, "own", counts_json(&u->own), "total",
				counts_json(&u->total), "items", u->items);
		json_array_append_new(rows, row);
	}
	iso_jalali(c.today, today_j);
	out = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "node", store_node(st), "under", under, "period",
			label, "today", today_j, "helper_groups",
			c.appt_table != NULL ? "appointments" : "quota", "total",
			counts_json(c.nunits > 0 ? &c.units[0].total : &(struct counts){0}), "units", rows);
out:
	json_decref(names);
	cpl_release(&c);
	return out;
}

int
cpl_counts(struct store *st, const char *unit, const struct jperiod *p, int64_t *expected,
	   int64_t *received, struct nz_err *err)
{
	struct cpl c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.p = *p;
	c.data_only = true;
	*expected = *received = 0;
	if ((rc = cpl_run(&c, unit, err)) == 0 && c.nunits > 0) {
		*expected = c.units[0].total.expected;
		*received = c.units[0].total.received;
	}
	cpl_release(&c);
	return rc;
}

/* ---- approval ---- */

int
rep_review(struct store *st, const char *id, bool accept, const char *note, const char *author,
	   struct nz_err *err)
{
	char parent[NZ_ID_MAX], newer[NZ_RID_MAX], nstatus[16], today[11];
	struct colset *cs = NULL;
	json_t *r;
	int rc;

	if (!accept && (note == NULL || note[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "returning a report needs a note saying what to correct");
	if (note != NULL && strlen(note) > NOTE_MAX)
		return nz_fail(err, NZ_EINVAL, "note is %zu bytes; at most %d", strlen(note), NOTE_MAX);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((r = rep_load(st, id, err)) == NULL) {
		store_rollback(st);
		return NZ_ENOTFOUND;
	}
	if (unit_parent(jstr(r, "owner"), parent) != 0 || strcmp(parent, store_node(st)) != 0) {
		rc = nz_fail(err, NZ_EDENIED, "report '%s' of %s is reviewed by %s, not by this node (%s)", id,
			     jstr(r, "owner"), unit_parent(jstr(r, "owner"), parent) == 0 ? parent : "nobody",
			     store_node(st));
		goto out;
	}
	if (strcmp(jstr(r, "status"), "submitted") != 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' is a draft; only a submitted report is reviewed", id);
		goto out;
	}
	if (jstr(r, "review")[0] != '\0') {
		char j[11];
		iso_jalali(jstr(r, "reviewed"), j);
		rc = nz_fail(err, NZ_ESTATE, "report '%s' was already %s on %s", id, jstr(r, "review"), j);
		goto out;
	}
	if (newer_revision(st, r, newer, nstatus) != 0) {
		rc = store_sqlerr(st, err, "report");
		goto out;
	}
	if (newer[0] != '\0' && strcmp(nstatus, "submitted") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' is superseded by revision '%s'; review that one", id,
			     newer);
		goto out;
	}
	if ((rc = refuse_if_approved(st, r, accept ? "accepted" : "returned", err)) != 0)
		goto out;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "review", accept ? "accepted" : "returned");
	colset_text(cs, "review_note", note ? note : "");
	colset_text(cs, "reviewed", today);
	colset_text(cs, "reviewer", store_node(st));
	colset_text(cs, "reviewer_user", author);
	rc = store_write(st, "report", id, jstr(r, "owner"), cs, author, err);
out:
	if (rc != 0)
		store_rollback(st);
	else
		rc = store_commit(st, err);
	colset_free(cs);
	json_decref(r);
	return rc;
}

/* describe_failing lists up to five units whose reports stop an approval. */
static void
describe_failing(struct cpl *c, char *buf, size_t n)
{
	size_t used = 0;
	int i, shown = 0;

	buf[0] = '\0';
	for (i = 0; i < c->nunits; i++) {
		struct counts *k = &c->units[i].own;
		int w;
		if (!c->units[i].failing)
			continue;
		if (shown == 5) {
			snprintf(buf + used, n - used, "; ...");
			return;
		}
		w = snprintf(buf + used, n - used, "%s%s: %lld of %lld accepted", shown ? "; " : "",
			     c->units[i].code, (long long)k->accepted, (long long)k->expected);
		if (w < 0 || (size_t)w >= n - used)
			return;
		used += (size_t)w;
		shown++;
	}
}

int
period_approve(struct store *st, const char *unit, const char *period, const char *note,
	       bool require_accepted, const char *author, struct nz_err *err)
{
	char parent[NZ_ID_MAX], first[11], last[11], today[11], label[JPERIOD_TEXT_MAX], id[NZ_RID_MAX];
	char why[600];
	struct cpl c;
	struct colset *cs = NULL;
	sqlite3_stmt *q = NULL;
	int rc;

	memset(&c, 0, sizeof(c));
	if (unit == NULL || unit_level(unit) < 0)
		return nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", unit ? unit : "");
	if (unit_parent(unit, parent) != 0 || strcmp(parent, store_node(st)) != 0)
		return nz_fail(err, NZ_EDENIED, "the period of %s is approved by its parent, not by this node (%s)",
			       unit, store_node(st));
	if (note != NULL && strlen(note) > NOTE_MAX)
		return nz_fail(err, NZ_EINVAL, "note is %zu bytes; at most %d", strlen(note), NOTE_MAX);
	if ((rc = period_dates(period, 0, &c.p, first, last, err)) != 0)
		return rc;
	jperiod_format(&c.p, label, sizeof(label));
	nz_today(today);
	if (strcmp(last, today) >= 0)
		return nz_fail(err, NZ_ESTATE, "period %s has not ended yet", label);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT decided FROM period_approval WHERE deleted = 0 AND owner = ? AND period = ?",
			       -1, &q, NULL) != SQLITE_OK) {
		rc = store_sqlerr(st, err, "period_approval");
		goto out;
	}
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, label, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		char j[11];
		iso_jalali((const char *)sqlite3_column_text(q, 0), j);
		rc = nz_fail(err, NZ_EEXIST, "period %s of %s was already approved on %s", label, unit, j);
		goto out;
	}
	c.st = st;
	c.data_only = true;
	if ((rc = cpl_run(&c, unit, err)) != 0)
		goto out;
	if (require_accepted && c.nunits > 0 && c.units[0].total.accepted < c.units[0].total.expected) {
		describe_failing(&c, why, sizeof(why));
		rc = nz_fail(err, NZ_ESTATE,
			     "period %s of %s cannot be approved: %lld of %lld expected reports are accepted (%s)",
			     label, unit, (long long)c.units[0].total.accepted,
			     (long long)c.units[0].total.expected, why);
		goto out;
	}
	cs = colset_new();
	colset_text(cs, "period", label);
	colset_text(cs, "period_start", first);
	colset_text(cs, "period_end", last);
	colset_text(cs, "approver", store_node(st));
	colset_text(cs, "approver_user", author);
	colset_text(cs, "decided", today);
	colset_text(cs, "note", note ? note : "");
	colset_int(cs, "expected", c.nunits > 0 ? c.units[0].total.expected : 0);
	colset_int(cs, "accepted", c.nunits > 0 ? c.units[0].total.accepted : 0);
	store_new_id(id);
	rc = store_write(st, "period_approval", id, unit, cs, author, err);
out:
	sqlite3_finalize(q);
	if (rc != 0)
		store_rollback(st);
	else
		rc = store_commit(st, err);
	colset_free(cs);
	cpl_release(&c);
	return rc;
}

json_t *
period_approval_list(struct store *st, const char *under, const char *period, struct nz_err *err)
{
	char first[11] = "", last[11] = "", both[32];
	struct jperiod p;
	json_t *rows;
	size_t i;
	json_t *r;

	if (period != NULL && period_dates(period, 0, &p, first, last, err) != 0)
		return NULL;
	/* rec_list takes one text parameter: both bounds travel in it. */
	snprintf(both, sizeof(both), "%s %s", first, last);
	rows = rec_list(st, &period_approval_table, under,
			period != NULL ? "period_start >= substr(?2, 1, 10) AND period_end <= substr(?2, 12)"
				       : NULL,
			period != NULL ? both : NULL, "period_start, owner");
	json_array_foreach(rows, i, r)
		jalali_cols(r, (const char *const[]){"period_start", "period_end", "decided", NULL});
	return rows;
}

json_t *
rep_pending(struct store *st)
{
	json_t *all = rep_list(st, store_node(st), NULL, NULL, false, NULL), *out = json_array();
	char parent[NZ_ID_MAX];
	size_t i;
	json_t *r;

	json_array_foreach(all, i, r)
		if (strcmp(jstr(r, "state"), "submitted") == 0 && unit_parent(jstr(r, "owner"), parent) == 0 &&
		    strcmp(parent, store_node(st)) == 0)
			json_array_append(out, r);
	json_decref(all);
	return out;
}

/* ---- CSV ---- */

static void
csv_cell(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int
rep_csv_write(FILE *f, json_t *rows, const char *const *cols)
{
	size_t i;
	json_t *r;
	int j;

	for (j = 0; cols[j] != NULL; j++) {
		if (j)
			fputc(',', f);
		csv_cell(f, cols[j]);
	}
	fputs("\r\n", f);
	json_array_foreach(rows, i, r) {
		for (j = 0; cols[j] != NULL; j++) {
			json_t *v = json_object_get(r, cols[j]);
			char buf[64];
			if (j)
				fputc(',', f);
			if (json_is_string(v)) {
				csv_cell(f, json_string_value(v));
			} else if (json_is_integer(v)) {
				snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
				fputs(buf, f);
			} else if (json_is_real(v)) {
				snprintf(buf, sizeof(buf), "%.17g", json_real_value(v));
				fputs(buf, f);
			} else if (json_is_boolean(v)) {
				fputs(json_is_true(v) ? "true" : "false", f);
			} else if (v != NULL && !json_is_null(v)) {
				char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
				if (s != NULL)
					csv_cell(f, s);
				free(s);
			}
		}
		fputs("\r\n", f);
	}
	return ferror(f) ? NZ_EIO : 0;
}
