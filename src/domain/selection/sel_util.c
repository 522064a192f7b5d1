/*
 * Helpers shared by the selection's files: queries as JSON, field checks,
 * the normalisation that finds likely duplicates, the kinds of groups.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fa.h"
#include "domain/selection/sel_int.h"

/* ---- small helpers ---- */

static const char *const date_cols[] = {
	"opens", "closes", "created", "applied", "date", "appointed", "term_start", "term_end", "revoked",
	"opened_on", "closed_on", "reviewed_on", "completed_on", "added", "updated", NULL,
};

int64_t
sel_now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void
sel_derived_id(const char *prefix, const char *a, const char *b, char out[NZ_RID_MAX])
{
	rec_derived_id(prefix, a, b, out);
}

static void
add_jalali(json_t *o)
{
	char key[48], jal[11];
	int i;

	for (i = 0; date_cols[i] != NULL; i++) {
		json_t *v = json_object_get(o, date_cols[i]);
		if (json_is_string(v) && jalali_from_iso(json_string_value(v), jal, NULL) == 0) {
			snprintf(key, sizeof(key), "%s_jalali", date_cols[i]);
			json_object_set_new(o, key, json_string(jal));
		}
	}
}

static json_t *
row_json(sqlite3_stmt *q)
{
	json_t *o = rec_row_json(q);

	add_jalali(o);
	return o;
}

/*
 * query_json runs sql with up to 3 text parameters (NULL binds NULL) and
 * returns its rows as a new JSON array (empty on a database error).
 */
json_t *
sel_query_json(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3)
{
	json_t *a;
	sqlite3_stmt *q;
	const char *p[3] = {p1, p2, p3};
	int n;

	if ((q = store_prepare(st, sql, NULL)) == NULL)
		return NULL;
	n = sqlite3_bind_parameter_count(q);
	rec_bind(q, n < 3 ? n : 3, p);
	a = rec_rows(q, row_json);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return a;
}

/* parse_json_object turns a stored JSON text into an object (empty when NULL or broken). */
json_t *
sel_parse_json_object(const char *text)
{
	json_t *j = text != NULL && text[0] != '\0' ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

/* expand_json replaces the text field key of every row by the JSON it holds. */
void
sel_expand_json(json_t *rows, const char *key)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r) {
		json_t *v = json_object_get(r, key);
		if (json_is_string(v))
			json_object_set_new(r, key, sel_parse_json_object(json_string_value(v)));
	}
}

int
sel_check_date(const char *what, const char *iso, struct nz_err *err)
{
	char canon[11];
	int rc;

	if (empty(iso))
		return nz_fail(err, NZ_EINVAL, "%s is required", what);
	if ((rc = date_parse(what, iso, canon, err)) != 0)
		return rc;
	/* The commands and the API hand dates on as ISO; anything else here is a caller's slip. */
	if (strcmp(canon, iso) != 0)
		return nz_fail(err, NZ_EINVAL, "%s '%s' is not an ISO date (%s)", what, iso, canon);
	return 0;
}

/* ---- normalisation, to find likely duplicates ---- */

/* ---- the kinds of groups ---- */

/* Each kind: its key, its Persian label, and the other names a clerk types for it. */
static const struct {
	const char *key, *label;
	const char *alt[3];
} kinds[] = {
	{"ngo", "سازمان مردم نهاد", {"سمن", "تشکل", NULL}},
	{"religious", "هیئت مذهبی", {"مذهبی", "هیئت", NULL}},
	{"jihadi", "گروه جهادی", {"جهادی", NULL, NULL}},
	{"people", "گروه مردمی", {"مردمی", NULL, NULL}},
	{"other", "سایر", {"دیگر", NULL, NULL}},
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

const char *
sel_kind_label(const char *kind)
{
	int i;

	for (i = 0; kind != NULL && i < NKINDS; i++)
		if (strcmp(kinds[i].key, kind) == 0)
			return kinds[i].label;
	return NULL;
}

const char *
sel_kind_key(const char *kind)
{
	char a[128], b[128];
	int i, j;

	fa_key(kind, a, sizeof(a));
	for (i = 0; i < NKINDS; i++) {
		if (strcmp(a, kinds[i].key) == 0)
			return kinds[i].key;
		fa_key(kinds[i].label, b, sizeof(b));
		if (strcmp(a, b) == 0)
			return kinds[i].key;
		for (j = 0; j < 3 && kinds[i].alt[j] != NULL; j++) {
			fa_key(kinds[i].alt[j], b, sizeof(b));
			if (strcmp(a, b) == 0)
				return kinds[i].key;
		}
	}
	return NULL;
}

void
sel_kinds_text(char *buf, size_t n)
{
	size_t w = 0;
	int i, j;

	buf[0] = '\0';
	for (i = 0; i < NKINDS && w < n; i++) {
		w += (size_t)snprintf(buf + w, n - w, "%s%s (%s", i ? ", " : "", kinds[i].key, kinds[i].label);
		for (j = 0; j < 3 && kinds[i].alt[j] != NULL && w < n; j++)
			w += (size_t)snprintf(buf + w, n - w, ", %s", kinds[i].alt[j]);
		if (w < n)
			w += (size_t)snprintf(buf + w, n - w, ")");
	}
}

const char *
sel_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}
