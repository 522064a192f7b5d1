/*
 * Replicated resources declared once (resource.h): the rules their flags
 * stand for, and add, retire and list for every one of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dates.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/record.h"
#include "domain/register.h"
#include "domain/resource.h"
#include "domain/selection.h"

#define TEXT_MAX_DEFAULT 4000

const struct res_def *
res_find(const char *name)
{
	const struct res_def *const *r;

	for (r = res_all(); *r != NULL; r++)
		if (strcmp((*r)->name, name) == 0 || strcmp((*r)->plural, name) == 0)
			return *r;
	return NULL;
}

/* count runs sql (one text parameter) and returns its first column, or -1 on a database error. */
static long long
count(struct store *st, const char *sql, const char *p)
{
	sqlite3_stmt *q;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (p != NULL)
		sqlite3_bind_text(q, 1, p, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* check_field applies f's flags to v (NULL: absent), writing the value to store into out (n bytes). */
static int
check_field(struct store *st, const struct res_def *r, const struct res_field *f, const char *v, char *out,
	    size_t n, struct nz_err *err)
{
	size_t max = f->max_len > 0 ? (size_t)f->max_len : TEXT_MAX_DEFAULT;
	char digits[32];

	out[0] = '\0';
	if (v == NULL || v[0] == '\0') {
		if (f->flags & RES_REQUIRED)
			return nz_fail(err, NZ_EINVAL, "a %s needs a %s (--%s)", r->name, f->name, f->name);
		if ((f->flags & RES_DATE) && (f->flags & RES_TODAY))
			nz_today(out);
		return 0;
	}
	if (strlen(v) > max)
		return nz_fail(err, NZ_EINVAL, "%s is %zu bytes; at most %zu", f->name, strlen(v), max);
	if (f->flags & RES_UNIT) {
		if (unit_level(v) < 0)
			return nz_fail(err, NZ_EINVAL, "%s: '%s' is not an org-unit code (IR, IR-07, IR-07-03)", f->name,
				       v);
		/* Once the org-unit tree is imported, the unit must be in it. */
		if (count(st, "SELECT count(*) FROM orgunit WHERE deleted = 0", NULL) > 0 &&
		    count(st, "SELECT count(*) FROM orgunit WHERE id = ?1 AND deleted = 0", v) == 0)
			return nz_fail(err, NZ_EINVAL, "%s: there is no org unit %s", f->name, v);
	}
	if (f->flags & RES_PHONE) {
		sel_phone_key(v, digits, sizeof(digits));
		if (strlen(v) > 40 || strlen(digits) < 7 || strlen(digits) > 15)
			return nz_fail(err, NZ_EINVAL, "%s '%s' is not a phone number: 7 to 15 digits", f->name, v);
	}
	if (f->flags & RES_DATE)
		return date_parse(f->name, v, out, err);
	snprintf(out, n, "%s", v);
	return 0;
}

int
res_add(struct store *st, const struct res_def *r, const char *const *values, const char *author,
	char id[NZ_RID_MAX], struct nz_err *err)
{
	char *vals[RES_FIELDS_MAX];
	struct colset *cs = NULL;
	int i, rc = 0, nf;

	if (r->national != NULL && (rc = rec_national_only(st, r->national, err)) != 0)
		return rc;
	for (nf = 0; r->fields[nf].name != NULL && nf < RES_FIELDS_MAX; nf++)
		vals[nf] = NULL;
	for (i = 0; i < nf && rc == 0; i++) {
		size_t max = (r->fields[i].max_len > 0 ? (size_t)r->fields[i].max_len : TEXT_MAX_DEFAULT) + 1;
		if ((vals[i] = malloc(max < 16 ? 16 : max)) == NULL)
			rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		else
			rc = check_field(st, r, &r->fields[i], values[i], vals[i], max < 16 ? 16 : max, err);
	}
	if (rc == 0 && r->check != NULL)
		rc = r->check(st, values, err);
	if (rc == 0) {
		cs = colset_new();
		for (i = 0; i < nf; i++)
			colset_text(cs, r->fields[i].name, vals[i]);
		colset_int(cs, "active", 1);
		colset_text(cs, "retired", "");
		store_new_id(id);
		rc = store_write(st, r->tbl->name, id, store_node(st), cs, author, err);
		colset_free(cs);
	}
	for (i = 0; i < nf; i++)
		free(vals[i]);
	return rc;
}

int
res_retire(struct store *st, const struct res_def *r, const char *id, const char *author, struct nz_err *err)
{
	char sql[160], today[11];
	struct colset *cs;
	long long active;
	int rc;

	if (r->national != NULL && (rc = rec_national_only(st, r->national, err)) != 0)
		return rc;
	snprintf(sql, sizeof(sql), "SELECT CASE WHEN active THEN 1 ELSE 2 END FROM %s WHERE id = ?1 AND deleted = 0",
		 r->tbl->name);
	if ((active = count(st, sql, id)) < 0)
		return store_sqlerr(st, err, r->tbl->name);
	if (active == 0)
		return nz_fail(err, NZ_ENOTFOUND, "no %s with id '%s'", r->name, id);
	if (active == 2)
		return nz_fail(err, NZ_ESTATE, "%s '%s' is retired already", r->name, id);
	nz_today(today);
	cs = colset_new();
	colset_int(cs, "active", 0);
	colset_text(cs, "retired", today);
	rc = store_write(st, r->tbl->name, id, store_node(st), cs, author, err);
	colset_free(cs);
	return rc;
}

json_t *
res_list(struct store *st, const struct res_def *r, const char *under, bool all)
{
	char sql[2048], *unit = NULL;
	size_t len = 0;
	sqlite3_stmt *q;
	json_t *a;
	int i;

	len += (size_t)snprintf(sql + len, sizeof(sql) - len, "SELECT id");
	for (i = 0; r->fields[i].name != NULL && len < sizeof(sql); i++) {
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s", r->fields[i].name);
		if ((r->fields[i].flags & RES_UNIT) && unit == NULL) {
			unit = (char *)r->fields[i].name;
			len += (size_t)snprintf(sql + len, sizeof(sql) - len,
						", (SELECT name_fa FROM orgunit o WHERE o.id = r.%s AND o.deleted = 0)"
						" AS %s_name",
						unit, unit);
		}
	}
	/* Those of a unit inside under, and of a unit above it (a province's serve its counties). */
	if (len < sizeof(sql))
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
					", active, retired FROM (SELECT *, %s AS u FROM %s) r WHERE deleted = 0 AND"
					" (" UNIT_SQL_UNDER("r.u") " OR " UNIT_SQL_BELOW("?1", "r.u") ")"
					" AND (?2 IS NULL OR active = 1) ORDER BY r.u, r.%s, id",
					unit != NULL ? unit : "NULL", r->tbl->name, r->fields[0].name);
	if (len >= sizeof(sql) || sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	if (under != NULL)
		sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	if (!all)
		sqlite3_bind_int(q, 2, 1);
	a = rec_rows(q, NULL);
	sqlite3_finalize(q);
	return a;
}
