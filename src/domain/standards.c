/*
 * National selection standards (معیارها و وزن های انتخاب همیاران): review and
 * interview criteria with weights and bounds, how the two combine, the
 * qualifying threshold and the quotas.  Each version is one record owned by
 * IR, a directive that flows down to every secretariat; a call pins the
 * version in force when it opens, and a stored version never changes, so a
 * finished call is never rescored.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fa.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/record.h"
#include "domain/selection.h"

static const struct col_def std_cols[] = {
	{"version", COL_INT},
	{"title", COL_TEXT},
	{"review", COL_TEXT},    /* JSON array of criteria */
	{"interview", COL_TEXT}, /* JSON array of criteria */
	{"review_weight", COL_REAL},
	{"interview_weight", COL_REAL},
	{"threshold", COL_REAL},
	{"disagreement", COL_REAL},
	{"min_reviewers", COL_INT},
	{"quota_county", COL_INT},
	{"quota_province", COL_INT},
	{"quota_overrides", COL_TEXT}, /* JSON object: unit code -> quota */
	{"term_months", COL_INT},
	{"created", COL_TEXT},
	{NULL, 0},
};

static const char *const std_idx[] = {"version", NULL};

const struct tbl_def sel_standard_table = {"sel_standard", VIS_DIRECTIVE, std_cols, std_idx};

double
sel_round2(double x)
{
	return round(x * 100.0) / 100.0;
}

/* Digits in any script and the Arabic separators are made ASCII by fa_ascii (base/fa.h);
 * blanks may lead, one may end. */
int
sel_parse_number(const char *s, double *out)
{
	char buf[64], *end;
	size_t n;

	while (*s == ' ')
		s++;
	if (fa_ascii(s, buf, sizeof(buf)) != 0)
		return NZ_EINVAL;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == ' ')
		buf[--n] = '\0';
	if (n == 0 || strspn(buf, "0123456789.-+") != n)
		return NZ_EINVAL;
	*out = strtod(buf, &end);
	if (*end != '\0' || !isfinite(*out))
		return NZ_EINVAL;
	return 0;
}

static void
crit(struct sel_criterion *c, const char *code, const char *name, double weight)
{
	snprintf(c->code, sizeof(c->code), "%s", code);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->weight = weight;
	c->min = 0;
	c->max = 10;
}

void
sel_std_defaults(struct sel_std *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->title, sizeof(s->title), "%s", "معیارهای انتخاب همیاران اجتماعی");
	crit(&s->review[0], "experience", "سابقه و تداوم فعالیت", 20);
	crit(&s->review[1], "activities", "کیفیت و اثر فعالیت های پیشین", 25);
	crit(&s->review[2], "capacity", "ظرفیت نیروی انسانی و اعضا", 15);
	crit(&s->review[3], "local", "شناخت محلی و پیوند با مردم", 20);
	crit(&s->review[4], "participation", "توان جلب مشارکت مردم", 20);
	s->nreview = 5;
	crit(&s->interview[0], "motivation", "انگیزه و روحیه داوطلبانه", 30);
	crit(&s->interview[1], "problems", "شناخت مسائل اجتماعی محدوده", 30);
	crit(&s->interview[2], "teamwork", "توان کار گروهی و هم اندیشی", 20);
	crit(&s->interview[3], "commitment", "تعهد و وقت قابل اختصاص", 20);
	s->ninterview = 4;
	s->review_weight = 60;
	s->interview_weight = 40;
	s->threshold = 60;
	s->disagreement = 25;
	s->min_reviewers = 2;
	s->quota_county = 2;   /* ماده ۳: هر شهرستان ۲ گروه همیار اجتماعی */
	s->quota_province = 5; /* و هر استان ۵ گروه همیار اجتماعی */
	s->term_months = 12;
}

/* ---- JSON ---- */

static int
get_number(json_t *v, const char *key, double *out, struct nz_err *err)
{
	if (!json_is_number(v))
		return nz_fail(err, NZ_EINVAL, "standards: '%s' must be a number", key);
	*out = json_number_value(v);
	return 0;
}

static int
get_int(json_t *v, const char *key, int *out, struct nz_err *err)
{
	if (!json_is_integer(v) || json_integer_value(v) < -1000000 || json_integer_value(v) > 1000000)
		return nz_fail(err, NZ_EINVAL, "standards: '%s' must be a whole number", key);
	*out = (int)json_integer_value(v);
	return 0;
}

static int
get_text(json_t *v, const char *key, char *out, size_t n, struct nz_err *err)
{
	if (!json_is_string(v))
		return nz_fail(err, NZ_EINVAL, "standards: '%s' must be text", key);
	if (strlen(json_string_value(v)) >= n)
		return nz_fail(err, NZ_EINVAL, "standards: '%s' is longer than %zu bytes", key, n - 1);
	snprintf(out, n, "%s", json_string_value(v));
	return 0;
}

static int
criteria_from_json(json_t *a, const char *list, struct sel_criterion *out, int *n, struct nz_err *err)
{
	size_t i;
	json_t *c;
	int rc;

	if (!json_is_array(a))
		return nz_fail(err, NZ_EINVAL, "standards: '%s' must be an array of criteria", list);
	if (json_array_size(a) > SEL_CRIT_MAX)
		return nz_fail(err, NZ_EINVAL, "standards: '%s' has %zu criteria; at most %d", list,
			       json_array_size(a), SEL_CRIT_MAX);
	json_array_foreach(a, i, c) {
		struct sel_criterion *k = &out[i];
		const char *key;
		json_t *v;
		char where[64];

		if (!json_is_object(c))
			return nz_fail(err, NZ_EINVAL, "standards: %s[%zu] is not an object", list, i);
		memset(k, 0, sizeof(*k));
		k->max = 10;
		json_object_foreach(c, key, v) {
			snprintf(where, sizeof(where), "%s[%zu].%s", list, i, key);
			if (strcmp(key, "code") == 0)
				rc = get_text(v, where, k->code, sizeof(k->code), err);
			else if (strcmp(key, "name") == 0)
				rc = get_text(v, where, k->name, sizeof(k->name), err);
			else if (strcmp(key, "weight") == 0)
				rc = get_number(v, where, &k->weight, err);
			else if (strcmp(key, "min") == 0)
				rc = get_number(v, where, &k->min, err);
			else if (strcmp(key, "max") == 0)
				rc = get_number(v, where, &k->max, err);
			else
				rc = nz_fail(
					err, NZ_EINVAL,
					"standards: %s has an unknown key (code, name, weight, min, max)",
					where);
			if (rc != 0)
				return rc;
		}
	}
	*n = (int)json_array_size(a);
	return 0;
}

static int
overrides_from_json(json_t *o, struct sel_std *s, struct nz_err *err)
{
	const char *key;
	json_t *v;
	int n = 0;

	if (!json_is_object(o))
		return nz_fail(err, NZ_EINVAL,
			       "standards: 'quota_overrides' must be an object of unit: quota");
	json_object_foreach(o, key, v) {
		if (n == SEL_OVERRIDE_MAX)
			return nz_fail(err, NZ_EINVAL, "standards: more than %d quota overrides",
				       SEL_OVERRIDE_MAX);
		if (strlen(key) >= NZ_ID_MAX)
			return nz_fail(err, NZ_EINVAL,
				       "standards: quota override '%s' is not an org-unit code", key);
		snprintf(s->overrides[n].unit, sizeof(s->overrides[n].unit), "%s", key);
		if (!json_is_integer(v) || json_integer_value(v) < -1 || json_integer_value(v) > 1000)
			return nz_fail(err, NZ_EINVAL, "standards: quota of %s must be a whole number", key);
		s->overrides[n].quota = (int)json_integer_value(v);
		n++;
	}
	s->noverrides = n;
	return 0;
}

/*
 * The fields of a version of the standards, declared once: their JSON keys
 * (sel_std_from_json, sel_std_to_json), the columns of sel_standard (std_cols,
 * sel_std_add) and, in this order, the columns STD_SELECT reads (load_std).
 */
enum std_type { STD_TEXT, STD_CRITERIA, STD_REAL, STD_INT, STD_OVERRIDES };

static const struct std_field {
	const char *key;
	enum std_type type;
	size_t off;   /* the member of struct sel_std (STD_TEXT: the title, SEL_TITLE_MAX bytes) */
	size_t n_off; /* STD_CRITERIA: the member counting them */
} std_fields[] = {
	{"title", STD_TEXT, offsetof(struct sel_std, title), 0},
	{"review", STD_CRITERIA, offsetof(struct sel_std, review), offsetof(struct sel_std, nreview)},
	{"interview", STD_CRITERIA, offsetof(struct sel_std, interview), offsetof(struct sel_std, ninterview)},
	{"review_weight", STD_REAL, offsetof(struct sel_std, review_weight), 0},
	{"interview_weight", STD_REAL, offsetof(struct sel_std, interview_weight), 0},
	{"threshold", STD_REAL, offsetof(struct sel_std, threshold), 0},
	{"disagreement", STD_REAL, offsetof(struct sel_std, disagreement), 0},
	{"min_reviewers", STD_INT, offsetof(struct sel_std, min_reviewers), 0},
	{"quota_county", STD_INT, offsetof(struct sel_std, quota_county), 0},
	{"quota_province", STD_INT, offsetof(struct sel_std, quota_province), 0},
	{"quota_overrides", STD_OVERRIDES, 0, 0},
	{"term_months", STD_INT, offsetof(struct sel_std, term_months), 0},
	{NULL, 0, 0, 0},
};

#define STD_AT(s, f, type) ((type *)((char *)(s) + (f)->off))
#define STD_CAT(s, f, type) ((const type *)((const char *)(s) + (f)->off))

/* field_from_json sets field f of s from v, naming key in a refusal. */
static int
field_from_json(struct sel_std *s, const struct std_field *f, json_t *v, struct nz_err *err)
{
	switch (f->type) {
	case STD_TEXT:
		return get_text(v, f->key, STD_AT(s, f, char), SEL_TITLE_MAX, err);
	case STD_CRITERIA:
		return criteria_from_json(v, f->key, STD_AT(s, f, struct sel_criterion),
					  (int *)((char *)s + f->n_off), err);
	case STD_REAL:
		return get_number(v, f->key, STD_AT(s, f, double), err);
	case STD_INT:
		return get_int(v, f->key, STD_AT(s, f, int), err);
	case STD_OVERRIDES:
		return overrides_from_json(v, s, err);
	}
	return NZ_EINVAL;
}

int
sel_std_from_json(struct sel_std *s, json_t *j, struct nz_err *err)
{
	const struct std_field *f;
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(j))
		return nz_fail(err, NZ_EINVAL, "standards must be a JSON object");
	json_object_foreach(j, key, v) {
		if (strcmp(key, "id") == 0 || strcmp(key, "version") == 0 || strcmp(key, "created") == 0 ||
		    strcmp(key, "created_jalali") == 0)
			continue;
		for (f = std_fields; f->key != NULL && strcmp(f->key, key) != 0; f++)
			;
		if (f->key == NULL)
			return nz_fail(err, NZ_EINVAL, "standards: unknown key '%s'", key);
		if ((rc = field_from_json(s, f, v, err)) != 0)
			return rc;
	}
	return 0;
}

static json_t *
criteria_to_json(const struct sel_criterion *c, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:f, s:f, s:f}", "code", c[i].code, "name",
						   c[i].name, "weight", c[i].weight, "min", c[i].min, "max",
						   c[i].max));
	return a;
}

static json_t *
overrides_to_json(const struct sel_std *s)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < s->noverrides; i++)
		json_object_set_new(o, s->overrides[i].unit, json_integer(s->overrides[i].quota));
	return o;
}

static json_t *
field_to_json(const struct sel_std *s, const struct std_field *f)
{
	switch (f->type) {
	case STD_TEXT:
		return json_string(STD_CAT(s, f, char));
	case STD_CRITERIA:
		return criteria_to_json(STD_CAT(s, f, struct sel_criterion), *(const int *)((const char *)s + f->n_off));
	case STD_REAL:
		return json_real(*STD_CAT(s, f, double));
	case STD_INT:
		return json_integer(*STD_CAT(s, f, int));
	case STD_OVERRIDES:
		return overrides_to_json(s);
	}
	return json_null();
}

json_t *
sel_std_to_json(const struct sel_std *s)
{
	const struct std_field *f;
	json_t *j = json_object();
	char jal[11];

	if (s->id[0] != '\0')
		json_object_set_new(j, "id", json_string(s->id));
	if (s->version > 0)
		json_object_set_new(j, "version", json_integer(s->version));
	if (s->created[0] != '\0') {
		json_object_set_new(j, "created", json_string(s->created));
		if (jalali_from_iso(s->created, jal, NULL) == 0)
			json_object_set_new(j, "created_jalali", json_string(jal));
	}
	for (f = std_fields; f->key != NULL; f++)
		json_object_set_new(j, f->key, field_to_json(s, f));
	return j;
}

/* ---- validation ---- */

static bool
code_ok(const char *c)
{
	size_t i;

	if (c[0] == '\0')
		return false;
	for (i = 0; c[i] != '\0'; i++)
		if (!((c[i] >= 'a' && c[i] <= 'z') || (c[i] >= '0' && c[i] <= '9') || c[i] == '_' ||
		      c[i] == '-'))
			return false;
	return true;
}

static int
check_criteria(const struct sel_criterion *c, int n, const char *list, double stage_weight,
	       struct nz_err *err)
{
	int i, j;

	if (stage_weight > 0 && n == 0)
		return nz_fail(err, NZ_EINVAL, "standards: %s_weight is %g but there are no %s criteria",
			       list, stage_weight, list);
	for (i = 0; i < n; i++) {
		if (!code_ok(c[i].code))
			return nz_fail(
				err, NZ_EINVAL,
				"standards: %s criterion %d: code '%s' must be 1-32 of a-z, 0-9, _ and -",
				list, i + 1, c[i].code);
		for (j = 0; j < i; j++)
			if (strcmp(c[i].code, c[j].code) == 0)
				return nz_fail(err, NZ_EINVAL, "standards: %s criterion '%s' appears twice",
					       list, c[i].code);
		if (c[i].name[0] == '\0')
			return nz_fail(err, NZ_EINVAL, "standards: %s criterion '%s' has no name", list,
				       c[i].code);
		if (!(c[i].weight > 0 && c[i].weight <= 1000))
			return nz_fail(
				err, NZ_EINVAL,
				"standards: %s criterion '%s' has weight %g; it must be above 0, at most 1000",
				list, c[i].code, c[i].weight);
		if (!(c[i].min < c[i].max) || c[i].min < -1000 || c[i].max > 1000)
			return nz_fail(
				err, NZ_EINVAL,
				"standards: %s criterion '%s' has bounds %g..%g; min must be below max, within -1000..1000",
				list, c[i].code, c[i].min, c[i].max);
	}
	return 0;
}

int
sel_std_check(const struct sel_std *s, struct nz_err *err)
{
	int rc, i, j;

	if (s->title[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "standards need a title");
	if (s->review_weight < 0 || s->interview_weight < 0 ||
	    fabs(s->review_weight + s->interview_weight - 100) > 1e-6)
		return nz_fail(
			err, NZ_EINVAL,
			"standards: review_weight (%g) and interview_weight (%g) must be at least 0 and sum to 100",
			s->review_weight, s->interview_weight);
	if ((rc = check_criteria(s->review, s->nreview, "review", s->review_weight, err)) != 0 ||
	    (rc = check_criteria(s->interview, s->ninterview, "interview", s->interview_weight, err)) != 0)
		return rc;
	if (!(s->threshold >= 0 && s->threshold <= 100))
		return nz_fail(err, NZ_EINVAL, "standards: threshold %g must lie within 0..100",
			       s->threshold);
	if (!(s->disagreement >= 0 && s->disagreement <= 100))
		return nz_fail(err, NZ_EINVAL, "standards: disagreement %g must lie within 0..100",
			       s->disagreement);
	if (s->min_reviewers < 1 || s->min_reviewers > 10)
		return nz_fail(err, NZ_EINVAL, "standards: min_reviewers %d must lie within 1..10",
			       s->min_reviewers);
	if (s->quota_county < 0 || s->quota_county > 100 || s->quota_province < 0 || s->quota_province > 100)
		return nz_fail(err, NZ_EINVAL,
			       "standards: quotas (%d per county, %d per province) must lie within 0..100",
			       s->quota_county, s->quota_province);
	for (i = 0; i < s->noverrides; i++) {
		if (unit_level(s->overrides[i].unit) <= 0)
			return nz_fail(err, NZ_EINVAL,
				       "standards: quota override '%s' is not a province or county code",
				       s->overrides[i].unit);
		if (s->overrides[i].quota < 0 || s->overrides[i].quota > 100)
			return nz_fail(err, NZ_EINVAL, "standards: quota %d of %s must lie within 0..100",
				       s->overrides[i].quota, s->overrides[i].unit);
		for (j = 0; j < i; j++)
			if (strcmp(s->overrides[i].unit, s->overrides[j].unit) == 0)
				return nz_fail(err, NZ_EINVAL, "standards: quota of %s given twice",
					       s->overrides[i].unit);
	}
	if (s->term_months < 1 || s->term_months > 60)
		return nz_fail(err, NZ_EINVAL, "standards: term_months %d must lie within 1..60",
			       s->term_months);
	return 0;
}

int
sel_std_quota(const struct sel_std *s, const char *unit)
{
	int i;

	for (i = 0; i < s->noverrides; i++)
		if (strcmp(s->overrides[i].unit, unit) == 0)
			return s->overrides[i].quota;
	return unit_level(unit) == NZ_LEVEL_PROVINCE ? s->quota_province : s->quota_county;
}

const struct sel_criterion *
sel_crit_find(const struct sel_criterion *list, int n, const char *code)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i].code, code) == 0)
			return &list[i];
	return NULL;
}

/* ---- storage ---- */

static char *
dump(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(j);
	return s;
}

/* field_to_colset adds field f of s to cs: a number as it is, criteria and overrides as JSON text. */
static int
field_to_colset(struct colset *cs, const struct sel_std *s, const struct std_field *f, struct nz_err *err)
{
	char *text;

	switch (f->type) {
	case STD_TEXT:
		colset_text(cs, f->key, STD_CAT(s, f, char));
		return 0;
	case STD_REAL:
		colset_real(cs, f->key, *STD_CAT(s, f, double));
		return 0;
	case STD_INT:
		colset_int(cs, f->key, *STD_CAT(s, f, int));
		return 0;
	case STD_CRITERIA:
	case STD_OVERRIDES:
		break;
	}
	if ((text = dump(field_to_json(s, f))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	colset_text(cs, f->key, text);
	free(text);
	return 0;
}

int
sel_std_add(struct store *st, struct sel_std *s, const char *author, struct nz_err *err)
{
	const struct std_field *f;
	struct colset *cs = NULL;
	int64_t last;
	int rc;

	if (strcmp(store_node(st), "IR") != 0)
		return nz_fail(
			err, NZ_EDENIED,
			"selection standards are set by the national secretariat (IR); this node is %s",
			store_node(st));
	if ((rc = sel_std_check(s, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	if ((rc = store_int(st, "SELECT coalesce(max(version), 0) FROM sel_standard", &last, err)) == 0) {
		s->version = (int)last + 1;
		store_new_id(s->id);
		nz_today(s->created);
		cs = colset_new();
		colset_int(cs, "version", s->version);
		for (f = std_fields; f->key != NULL && rc == 0; f++)
			rc = field_to_colset(cs, s, f, err);
		colset_text(cs, "created", s->created);
	}
	if (rc == 0)
		rc = store_write(st, "sel_standard", s->id, "IR", cs, author, err);
	rc = rec_finish(st, rc, err);
out:
	if (rc != 0) {
		s->id[0] = '\0';
		s->version = 0;
	}
	colset_free(cs);
	return rc;
}

static int
parse_column(struct sel_std *s, const char *key, const char *text, struct nz_err *err)
{
	json_error_t je;
	json_t *j, *wrap;
	int rc;

	if (text == NULL) /* a column added by a later version of the program */
		return 0;
	if ((j = json_loads(text, JSON_DECODE_ANY, &je)) == NULL)
		return nz_fail(err, NZ_EDB, "standards version %d: %s is not JSON", s->version, key);
	wrap = json_object();
	json_object_set_new(wrap, key, j);
	rc = sel_std_from_json(s, wrap, err);
	json_decref(wrap);
	return rc;
}

/* field_from_column sets field f of s from column col of q (parse_column for JSON ones). */
static int
field_from_column(struct sel_std *s, const struct std_field *f, sqlite3_stmt *q, int col, struct nz_err *err)
{
	switch (f->type) {
	case STD_TEXT:
		snprintf(STD_AT(s, f, char), SEL_TITLE_MAX, "%s",
			 sqlite3_column_text(q, col) ? (const char *)sqlite3_column_text(q, col) : "");
		return 0;
	case STD_REAL:
		*STD_AT(s, f, double) = sqlite3_column_double(q, col);
		return 0;
	case STD_INT:
		*STD_AT(s, f, int) = sqlite3_column_int(q, col);
		return 0;
	case STD_CRITERIA:
	case STD_OVERRIDES:
		break;
	}
	return parse_column(s, f->key, (const char *)sqlite3_column_text(q, col), err);
}

/* The columns of std_fields in their order, from the third; created after them. */
#define STD_SELECT                                                                                           \
	"SELECT id, version, title, review, interview, review_weight, interview_weight, threshold,"          \
	" disagreement, min_reviewers, quota_county, quota_province, quota_overrides, term_months,"          \
	" created FROM sel_standard WHERE deleted = 0 AND owner = 'IR' AND "
#define STD_ORDER " ORDER BY version DESC, id LIMIT 1"

enum std_key { STD_LATEST, STD_VERSION, STD_ID };

/* load_std reads one version; the statements are literals because store_prepare caches by address. */
static int
load_std(struct store *st, enum std_key by, const char *id, int version, struct sel_std *s,
	 struct nz_err *err)
{
	static const char *const sql[] = {
		STD_SELECT "?1 IS NULL" STD_ORDER,
		STD_SELECT "version = ?1" STD_ORDER,
		STD_SELECT "id = ?1" STD_ORDER,
	};
	const struct std_field *f;
	sqlite3_stmt *q;
	int col, rc = 0;

	if ((q = store_prepare(st, sql[by], err)) == NULL)
		return NZ_EDB;
	if (by == STD_ID)
		sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	else if (by == STD_VERSION)
		sqlite3_bind_int(q, 1, version);
	else
		sqlite3_bind_null(q, 1);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return NZ_ENOTFOUND;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", (const char *)sqlite3_column_text(q, 0));
	s->version = sqlite3_column_int(q, 1);
	for (f = std_fields, col = 2; f->key != NULL && rc == 0; f++, col++)
		rc = field_from_column(s, f, q, col, err);
	snprintf(s->created, sizeof(s->created), "%s",
		 sqlite3_column_text(q, col) ? (const char *)sqlite3_column_text(q, col) : "");
	sqlite3_reset(q);
	return rc;
}

int
sel_std_load(struct store *st, int version, struct sel_std *s, struct nz_err *err)
{
	int rc;

	rc = load_std(st, version <= 0 ? STD_LATEST : STD_VERSION, NULL, version, s, err);
	if (rc == NZ_ENOTFOUND) {
		if (version > 0)
			return nz_fail(err, rc, "no selection standards version %d on this node", version);
		return nz_fail_at(err, rc, NULL, "standard add",
				  "no selection standards have reached this node yet; the national secretariat sets"
				  " them");
	}
	return rc;
}

int
sel_std_load_id(struct store *st, const char *id, struct sel_std *s, struct nz_err *err)
{
	int rc = load_std(st, STD_ID, id, 0, s, err);

	if (rc == NZ_ENOTFOUND)
		return nz_fail(err, rc, "selection standards '%s' have not reached this node", id);
	return rc;
}

json_t *
sel_std_list(struct store *st)
{
	json_t *a = json_array();
	sqlite3_stmt *q;
	struct sel_std s;

	q = store_prepare(st,
			  "SELECT version FROM sel_standard WHERE deleted = 0 AND owner = 'IR'"
			  " ORDER BY version DESC",
			  NULL);
	if (q == NULL)
		return a;
	while (sqlite3_step(q) == SQLITE_ROW) {
		int v = sqlite3_column_int(q, 0);
		/* load_std uses another cached statement, so this one stays valid. */
		if (load_std(st, STD_VERSION, NULL, v, &s, NULL) == 0)
			json_array_append_new(a, sel_std_to_json(&s));
	}
	sqlite3_reset(q);
	return a;
}
