/*
 * Replies and request fields of the JSON API.  Every refusal has the same
 * shape, {"error": {"code", "message", "field"}} (and "why", "params" when
 * the domain named the refusal for the UI's catalogue), and the first refusal of
 * a request is the one the client sees: later helpers notice api_bad()
 * and do nothing.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/dates.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "http/http_int.h"

#define PAGE_DEFAULT 100
#define PAGE_MAX 1000

bool
api_bad(const struct api *a)
{
	return a->rs->status != 0;
}

bool
api_can(const struct api *a, int roles)
{
	return a->authed && (roles & (1 << a->user.role)) != 0;
}

bool
http_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while (p < end) {
		unsigned c = *p, need, min, cp;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, min = 0x10000, cp = c & 0x07;
		else
			return false;
		if ((size_t)(end - p) <= need)
			return false;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += need + 1;
	}
	return true;
}

/* scrub replaces every byte of s that is not part of valid UTF-8 with '?'. */
static void
scrub(char *s)
{
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t len = 1;
		unsigned char c = (unsigned char)s[i];
		if (c >= 0xc0)
			len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (i + len <= n && http_utf8_valid(s + i, len))
			i += len;
		else
			s[i++] = '?';
	}
}

void
api_json(struct api *a, int status, json_t *j)
{
	/* What is answered when an answer cannot be encoded: still JSON, still with a length. */
	static const char broken[] =
		"{\"error\":{\"code\":\"internal\",\"message\":\"the answer could not be encoded\",\"field\":null}}";
	char *s;

	if (api_bad(a)) {
		json_decref(j);
		return;
	}
	s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | NZ_JSON_SHOWN) : NULL;
	json_decref(j);
	if (s == NULL) {
		status = 500;
		s = strdup(broken);
	}
	a->rs->status = status;
	a->rs->ctype = "application/json; charset=utf-8";
	a->rs->cache = "no-store";
	a->rs->body = s;
	a->rs->len = s ? strlen(s) : 0;
}

void
api_error(struct api *a, int status, const char *code, const char *field, const char *fmt, ...)
{
	char msg[NZ_ERRMSG_MAX];
	va_list ap;

	if (api_bad(a))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A message may quote what the client sent, which need not be UTF-8. */
	scrub(msg);
	api_json(a, status,
		 json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", code, "message", msg, "field", field));
}

void
api_ok(struct api *a, const char *id)
{
	json_t *j = json_pack("{s:b}", "ok", 1);

	if (id != NULL)
		json_object_set_new(j, "id", json_string(id));
	api_json(a, 200, j);
}

/* The status and code of a domain error. */
static void
err_status(int code, int *status, const char **name)
{
	switch (code) {
	case NZ_EINVAL: *status = 400; *name = "invalid"; break;
	case NZ_ENOTFOUND: *status = 404; *name = "not_found"; break;
	case NZ_EEXIST: *status = 409; *name = "exists"; break;
	case NZ_ESTATE: *status = 409; *name = "state"; break;
	case NZ_EQUOTA: *status = 409; *name = "quota"; break;
	case NZ_EDENIED: *status = 403; *name = "denied"; break;
	case NZ_EAUTH: *status = 401; *name = "auth"; break;
	case NZ_ETOOBIG: *status = 413; *name = "too_big"; break;
	case NZ_EBUSY: *status = 503; *name = "busy"; break;
	default: *status = 500; *name = "internal"; break;
	}
}

/* fail_field answers err, naming field (NULL: none) as the one at fault. */
static void
fail_field(struct api *a, const struct nz_err *err, const char *field)
{
	int status;
	const char *name;
	json_t *e, *p;

	err_status(err->code, &status, &name);
	if (field == NULL && err->field[0] != '\0')
		field = err->field;
	if (err->why[0] == '\0') {
		api_error(a, status, name, field, "%s", err->msg[0] ? err->msg : nz_strerror(err->code));
		return;
	}
	/* A refusal with a catalogue code: its parameters too, for a whole sentence in the UI. */
	p = json_object();
	for (int i = 0; i < err->nparam; i++)
		json_object_set_new(p, err->pname[i], json_string(err->pval[i]));
	e = json_pack("{s:s, s:s, s:s?, s:s, s:o}", "code", name, "message",
		      err->msg[0] ? err->msg : nz_strerror(err->code), "field", field, "why", err->why, "params", p);
	api_json(a, status, json_pack("{s:o}", "error", e));
}

void
api_fail(struct api *a, const struct nz_err *err)
{
	fail_field(a, err, NULL);
}

void
api_result(struct api *a, int rc, const char *id, const struct nz_err *err)
{
	if (rc != 0)
		api_fail(a, err);
	else
		api_ok(a, id);
}

void
api_found(struct api *a, int rc, json_t *j, const struct nz_err *err)
{
	if (rc != 0)
		api_fail(a, err);
	else
		api_json(a, 200, j);
}

const char *
api_query(struct api *a, const char *k)
{
	int i;

	for (i = 0; i < a->nq; i++)
		if (strcmp(a->qk[i], k) == 0)
			return a->qv[i][0] ? a->qv[i] : NULL;
	return NULL;
}

/* page reads a non-negative integer query parameter, or dflt. */
static long
page(struct api *a, const char *k, long dflt, long max)
{
	const char *v = api_query(a, k);
	char *end;
	long n;

	if (v == NULL)
		return dflt;
	n = strtol(v, &end, 10);
	if (*end != '\0' || n < 0) {
		api_error(a, 400, "invalid", k, "%s must be a whole number of 0 or more, not '%s'", k, v);
		return dflt;
	}
	return n > max ? max : n;
}

long long
api_qint(struct api *a, const char *k, long long dflt, long long min, long long max)
{
	const char *v = api_query(a, k);
	char *end;
	long long n;

	if (v == NULL || api_bad(a))
		return dflt;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end == '\0' && end != v && errno == 0 && n >= min && n <= max)
		return n;
	api_error(a, 400, "invalid", k, "%s must be a whole number from %lld to %lld, not '%.40s'", k, min, max, v);
	return dflt;
}

void
api_list(struct api *a, json_t *arr)
{
	long limit, offset, i, total;
	json_t *items;

	if (arr == NULL) {
		api_error(a, 500, "internal", NULL, "the list could not be read");
		return;
	}
	limit = page(a, "limit", PAGE_DEFAULT, PAGE_MAX);
	offset = page(a, "offset", 0, 1L << 30);
	if (api_bad(a)) {
		json_decref(arr);
		return;
	}
	total = (long)json_array_size(arr);
	items = json_array();
	for (i = offset; i < total && i < offset + limit; i++)
		json_array_append(items, json_array_get(arr, (size_t)i));
	json_decref(arr);
	api_json(a, 200,
		 json_pack("{s:o, s:I, s:I, s:I}", "items", items, "total", (json_int_t)total, "limit",
			   (json_int_t)limit, "offset", (json_int_t)offset));
}

const char *
api_under(struct api *a)
{
	const char *u = api_query(a, "under");
	const char *me = store_node(a->st);

	if (u == NULL)
		return me;
	if (unit_level(u) < 0) {
		api_error(a, 400, "invalid", "under", "'%s' is not an org-unit code", u);
		return NULL;
	}
	if (!unit_within(u, me)) {
		api_error(a, 403, "denied", "under", "%s lies outside this node's subtree (%s)", u, me);
		return NULL;
	}
	return u;
}

/* field returns body field k, answering 400 when required and absent. */
static json_t *
field(struct api *a, const char *k, bool required)
{
	json_t *v = a->body ? json_object_get(a->body, k) : NULL;

	if (v != NULL && json_is_null(v))
		v = NULL;
	if (v != NULL && json_is_string(v) && json_string_value(v)[0] == '\0')
		v = NULL;
	if (v == NULL && required)
		api_error(a, 400, "missing", k, "%s is required", k);
	return v;
}

const char *
api_str(struct api *a, const char *k, bool required)
{
	json_t *v = field(a, k, required);
	char buf[64];

	if (v == NULL || api_bad(a))
		return NULL;
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v) || json_is_real(v)) {
		/* Keep the text alive on the body so the caller need not free it. */
		if (json_is_integer(v))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
		else
			snprintf(buf, sizeof(buf), "%.10g", json_real_value(v));
		json_object_set_new(a->body, k, json_string(buf));
		return json_string_value(json_object_get(a->body, k));
	}
	api_error(a, 400, "type", k, "%s must be text", k);
	return NULL;
}

long long
api_int(struct api *a, const char *k, long long dflt, long long min, long long max, bool required)
{
	json_t *v = field(a, k, required);
	const char *s = NULL;
	char *end;
	long long n;

	if (v == NULL || api_bad(a))
		return dflt;
	if (json_is_integer(v)) {
		n = json_integer_value(v);
		if (n >= min && n <= max)
			return n;
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (*end == '\0' && end != s && errno == 0 && n >= min && n <= max)
			return n;
	}
	if (json_is_integer(v) || s != NULL)
		api_error(a, 400, "invalid", k, "%s must be a whole number from %lld to %lld", k, min, max);
	else
		api_error(a, 400, "type", k, "%s must be a whole number", k);
	return dflt;
}

double
api_num(struct api *a, const char *k, double dflt, double min, double max, bool required)
{
	json_t *v = field(a, k, required);
	const char *s;
	char *end;
	double n;

	if (v == NULL || api_bad(a))
		return dflt;
	if (json_is_number(v)) {
		n = json_number_value(v);
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		n = strtod(s, &end);
		if (*end != '\0' || end == s) {
			api_error(a, 400, "type", k, "%s must be a number", k);
			return dflt;
		}
	} else {
		api_error(a, 400, "type", k, "%s must be a number", k);
		return dflt;
	}
	if (!isfinite(n) || n < min || n > max) {
		api_error(a, 400, "invalid", k, "%s must be a number from %g to %g", k, min, max);
		return dflt;
	}
	return n;
}

bool
api_bool(struct api *a, const char *k, bool dflt)
{
	json_t *v = field(a, k, false);

	if (v == NULL || api_bad(a))
		return dflt;
	if (json_is_boolean(v))
		return json_is_true(v);
	api_error(a, 400, "type", k, "%s must be true or false", k);
	return dflt;
}

bool
api_date(struct api *a, const char *k, char iso[11], bool required)
{
	const char *s = api_str(a, k, required);
	struct nz_err err = {0};

	iso[0] = '\0';
	if (s == NULL)
		return false;
	if (date_parse(k, s, iso, &err) == 0)
		return true;
	fail_field(a, &err, k);
	return false;
}

void
api_pairs_free(char **p, int n)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++)
		free(p[i]);
	free(p);
}

int
api_pairs(struct api *a, const char *k, char ***out, bool required)
{
	json_t *v = field(a, k, required), *x;
	const char *key;
	char **p, num[64];
	int n = 0;

	*out = NULL;
	if (api_bad(a))
		return -1;
	if (v == NULL)
		return 0;
	if (!json_is_object(v)) {
		api_error(a, 400, "type", k, "%s must be an object of name: value", k);
		return -1;
	}
	if ((p = calloc(json_object_size(v) + 1, sizeof(*p))) == NULL) {
		api_error(a, 500, "internal", NULL, "out of memory");
		return -1;
	}
	json_object_foreach(v, key, x) {
		const char *val;
		if (json_is_string(x))
			val = json_string_value(x);
		else if (json_is_integer(x))
			snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(x)), val = num;
		else if (json_is_real(x))
			snprintf(num, sizeof(num), "%.10g", json_real_value(x)), val = num;
		else if (json_is_null(x))
			val = "";
		else {
			api_pairs_free(p, n);
			api_error(a, 400, "type", k, "%s.%s must be text or a number", k, key);
			return -1;
		}
		if (asprintf(&p[n], "%s=%s", key, val) < 0) {
			api_pairs_free(p, n);
			api_error(a, 500, "internal", NULL, "out of memory");
			return -1;
		}
		n++;
	}
	*out = p;
	return n;
}

int
api_strs(struct api *a, const char *k, const char ***out, bool required)
{
	json_t *v = field(a, k, required), *x;
	const char **p;
	size_t i;

	*out = NULL;
	if (api_bad(a))
		return -1;
	if (v == NULL)
		return 0;
	if (json_is_string(v)) {
		/* One value given as text: a list of one. */
		if ((p = calloc(2, sizeof(*p))) == NULL)
			return -1;
		p[0] = json_string_value(v);
		*out = p;
		return 1;
	}
	if (!json_is_array(v)) {
		api_error(a, 400, "type", k, "%s must be a list of text", k);
		return -1;
	}
	if ((p = calloc(json_array_size(v) + 1, sizeof(*p))) == NULL)
		return -1;
	json_array_foreach(v, i, x) {
		if (!json_is_string(x)) {
			free(p);
			api_error(a, 400, "type", k, "%s must be a list of text", k);
			return -1;
		}
		p[i] = json_string_value(x);
	}
	*out = p;
	return (int)json_array_size(v);
}
