/*
 * قالب گزارش: a template's fields (their types and checks) and the
 * template versions, national directives.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fa.h"
#include "base/jalali.h"
#include "domain/record.h"
#include "domain/reports/rep_int.h"

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
	     !rep_printable(json_string_value(v))))
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
		if (c == NULL || c[0] == '\0' || strlen(c) > CHOICE_MAX || !rep_printable(c))
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
		if (fa_ascii(text, buf, sizeof(buf)) != 0)
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
int
rep_apply_pairs(json_t *fields, json_t *data, int npairs, char *const *pairs, struct nz_err *err)
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

/* rep_check_required refuses data missing a required field of fields. */
int
rep_check_required(json_t *fields, json_t *data, struct nz_err *err)
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

/* tpl_row reads version (0: the latest) of template code, live, into *out (record.h's convention for reads). */
int
tpl_row(struct store *st, const char *code, int version, json_t **out, struct nz_err *err)
{
	sqlite3_stmt *q;
	char id[NZ_RID_MAX] = "";
	int rc;

	*out = NULL;
	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT id FROM report_template WHERE deleted = 0 AND code = ?1"
			       " AND (?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "report template");
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 2, version);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW)
		snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(q, 0));
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		rc = store_sqlerr(st, err, "report template");
	else if (id[0] == '\0')
		rc = nz_fail(err, NZ_ENOTFOUND, "no report template '%s'%s", code, version ? " of that version" : "");
	else
		rc = rec_get(st, &report_template_table, id, out, err);
	sqlite3_finalize(q);
	return rc;
}

json_t *
tpl_parsed_fields(json_t *tpl)
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

/* rep_period_dates parses a Jalali period of the given kind and writes its bounds. */
int
rep_period_dates(const char *text, int kind, struct jperiod *p, char first[11], char last[11],
	     struct nz_err *err)
{
	int rc;

	if ((rc = jperiod_parse(text, p, err)) != 0)
		return rc;
	if (kind != 0 && p->kind != kind)
		return nz_fail(err, NZ_EINVAL, "'%s' is a %s; this template is reported by the %s", text,
			       rep_kind_name(p->kind), rep_kind_name(kind));
	if (jperiod_bounds(p, first, last) != 0)
		return nz_fail(err, NZ_EINVAL, "'%s' is not a period", text);
	return 0;
}

static int
check_spec_text(const struct tpl_spec *sp, struct nz_err *err)
{
	if (sp->title != NULL && (sp->title[0] == '\0' || strlen(sp->title) > TITLE_MAX || !rep_printable(sp->title)))
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

	nz_today(today);
	colset_text(cs, "code", code);
	colset_int(cs, "version", version);
	colset_text(cs, "title", title);
	colset_text(cs, "period", rep_kind_name(kind));
	colset_text(cs, "reporter", reporter);
	colset_text(cs, "level", level);
	colset_int(cs, "due_days", due_days);
	colset_text(cs, "from_date", from);
	colset_text(cs, "until_date", until && until[0] ? until : NULL);
	colset_text(cs, "fields", fields);
	colset_text(cs, "created", today);
	return rec_write(st, "report_template", id, "IR", cs, author, err);
}

int
tpl_add(struct store *st, const struct tpl_spec *sp, const char *author, char id[NZ_RID_MAX],
	struct nz_err *err)
{
	char from[11], until[11] = "", last[11], today[11];
	struct nz_err probe = {0};
	struct jperiod p;
	json_t *fields = NULL, *old;
	char *compact = NULL;
	int kind, rc;

	if ((rc = national_only(st, "report templates", err)) != 0)
		return rc;
	if (sp->code == NULL || !rep_valid_code(sp->code))
		return nz_fail(err, NZ_EINVAL,
			       "template code '%s' must be 1 to %d lower-case letters, digits, '_' or '-'",
			       sp->code ? sp->code : "", CODE_MAX);
	if (sp->title == NULL)
		return nz_fail(err, NZ_EINVAL, "a template needs a title");
	if ((kind = rep_kind_of(sp->period)) == 0)
		return nz_fail(err, NZ_EINVAL, "period must be month or quarter, not '%s'",
			       sp->period ? sp->period : "");
	if (sp->reporter == NULL ||
	    (strcmp(sp->reporter, "secretariat") != 0 && strcmp(sp->reporter, "helper") != 0))
		return nz_fail(err, NZ_EINVAL, "reporter must be secretariat or helper, not '%s'",
			       sp->reporter ? sp->reporter : "");
	if (rep_level_of(sp->level) < 0)
		return nz_fail(err, NZ_EINVAL, "level must be province or county, not '%s'",
			       sp->level ? sp->level : "");
	if (sp->due_days < 0)
		return nz_fail(err, NZ_EINVAL, "a template needs the days after the period's end a report is due");
	if ((rc = check_spec_text(sp, err)) != 0)
		return rc;
	if (sp->from != NULL) {
		if ((rc = rep_period_dates(sp->from, kind, &p, from, last, err)) != 0)
			return rc;
	} else {
		nz_today(today);
		jperiod_of_iso(today, kind, &p, NULL);
		jperiod_bounds(&p, from, last);
	}
	if (sp->until != NULL) {
		if ((rc = rep_period_dates(sp->until, kind, &p, last, until, err)) != 0)
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
	if ((rc = tpl_row(st, sp->code, 0, &old, &probe)) != NZ_ENOTFOUND) {
		json_decref(old);
		store_rollback(st);
		if (rc != 0) {
			if (err != NULL)
				*err = probe;
			goto out;
		}
		rc = nz_fail_at(err, NZ_EEXIST, NULL, "template revise",
				"template '%s' exists; change it by a revision", sp->code);
		goto out;
	}
	store_new_id(id);
	rc = tpl_write(st, id, sp->code, 1, sp->title, kind, sp->reporter, sp->level, sp->due_days, from,
		       until, compact, author, err);
	rc = rec_finish(st, rc, err);
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
	if ((rc = tpl_row(st, code, 0, &old, err)) != 0)
		goto out;
	kind = rep_kind_of(jstr(old, "period"));
	if ((sp->period != NULL && rep_kind_of(sp->period) != kind) ||
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
	if (sp->from != NULL && (rc = rep_period_dates(sp->from, kind, &p, from, last, err)) != 0)
		goto out;
	if (sp->until != NULL && (rc = rep_period_dates(sp->until, kind, &p, last, until, err)) != 0)
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
	rc = rec_finish(st, rc, err);
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
	if ((rc = tpl_row(st, code, 0, &t, err)) != 0)
		return rc;
	kind = rep_kind_of(jstr(t, "period"));
	if (last != NULL) {
		rc = rep_period_dates(last, kind, &p, first, end, err);
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
json_t *
tpl_view(json_t *t)
{
	struct jperiod p;
	char label[JPERIOD_TEXT_MAX];
	int kind = rep_kind_of(jstr(t, "period"));

	json_object_set_new(t, "fields", tpl_parsed_fields(t));
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
	rep_jalali_cols(t, (const char *const[]){"created", NULL});
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

int
tpl_get(struct store *st, const char *code, int version, json_t **out, struct nz_err *err)
{
	int rc = tpl_row(st, code, version, out, err);

	if (rc == 0)
		*out = tpl_view(*out);
	return rc;
}

