/*
 * Replicated resources declared once (resource.h): the rules their flags
 * stand for, and add, retire and list for every one of them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/dates.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/record.h"
#include "domain/register.h"
#include "domain/resource.h"
#include "domain/field.h"

#define TEXT_MAX_DEFAULT 4000

const struct res_def *
res_find(const char *name)
{
	const struct res_def *const *r;

	for (r = res_all(); *r != NULL; r++)
		if (strcmp((*r)->name, name) == 0 || strcmp((*r)->plural, name) == 0 ||
		    strcmp(res_command(*r), name) == 0)
			return *r;
	return NULL;
}

const char *
res_command(const struct res_def *r)
{
	return r->command != NULL ? r->command : r->name;
}

/* article gives "an" before a word that begins with a vowel, else "a": the messages' "an organisation". */
static const char *
article(const char *word)
{
	return word[0] != '\0' && strchr("aeiou", word[0]) != NULL ? "an" : "a";
}

/* yesno reads v as yes or no (English, Persian or 1/0) into out: "yes" or "no". */
static int
yesno(const char *name, const char *v, char *out, size_t n, struct nz_err *err)
{
	static const char *const yes[] = {"yes", "y", "1", "true", "بله", "آری", "بلی", NULL};
	static const char *const no[] = {"no", "n", "0", "false", "خیر", "نه", NULL};
	int i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcasecmp(v, yes[i]) == 0) {
			snprintf(out, n, "yes");
			return 0;
		}
	for (i = 0; no[i] != NULL; i++)
		if (strcasecmp(v, no[i]) == 0) {
			snprintf(out, n, "no");
			return 0;
		}
	return nz_fail(err, NZ_EINVAL, "%s is '%s'; give yes or no (بله or خیر)", name, v);
}

/* check_field applies f's flags to v (NULL: absent), writing the value to store into out (n bytes). */
static int
check_field(struct store *st, const struct res_def *r, const struct res_field *f, const char *v, char *out,
	    size_t n, struct nz_err *err)
{
	int rc;

	out[0] = '\0';
	if (v == NULL || v[0] == '\0') {
		if (f->flags & RES_REQUIRED)
			return nz_fail_at(err, NZ_EINVAL, f->name, NULL, "%s %s needs a %s", article(r->name), r->name,
					  f->name);
		if ((f->flags & RES_DATE) && (f->flags & RES_TODAY))
			nz_today(out);
		if (f->flags & RES_YESNO)
			snprintf(out, n, "no");
		if (f->flags & RES_OWNER)
			snprintf(out, n, "%s", store_node(st));
		return 0;
	}
	if ((rc = field_text(f->name, v, f->max_len > 0 ? (size_t)f->max_len : TEXT_MAX_DEFAULT, false, err)) != 0 ||
	    ((f->flags & RES_UNIT) && (rc = field_unit(st, f->name, v, err)) != 0))
		return rc;
	if (f->flags & RES_PHONE) {
		char digits[32];
		if ((rc = field_phone(f->name, v, digits, err)) != 0)
			return rc;
		/* Kept as its digits, Persian ones read as ASCII: how phone numbers are compared and dialled. */
		snprintf(out, n, "%s", digits);
		return 0;
	}
	if (f->flags & RES_OWNER) {
		const char *area;
		if ((rc = field_area(st, f->name, v, &area, err)) != 0)
			return rc;
		snprintf(out, n, "%s", area);
		return 0;
	}
	if (f->flags & RES_DATE)
		return date_parse(f->name, v, out, err);
	if (f->flags & RES_YESNO)
		return yesno(f->name, v, out, n, err);
	snprintf(out, n, "%s", v);
	return 0;
}

int
res_add(struct store *st, const struct res_def *r, const char *const *values, const char *author,
	char id[NZ_RID_MAX], struct nz_err *err)
{
	char *vals[RES_FIELDS_MAX];
	const char *owner;
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
		owner = store_node(st);
		for (i = 0; i < nf; i++)
			if (r->fields[i].flags & RES_OWNER)
				owner = vals[i];
			else
				colset_text(cs, r->fields[i].name, vals[i]);
		colset_int(cs, "active", 1);
		colset_text(cs, "retired", "");
		store_new_id(id);
		rc = store_write(st, r->tbl->name, id, owner, cs, author, err);
		colset_free(cs);
	}
	for (i = 0; i < nf; i++)
		free(vals[i]);
	return rc;
}

/* field_of returns the index of r's field name (len bytes), or of which it is the alias, or -1. */
static int
field_of(const struct res_def *r, const char *name, size_t len)
{
	const struct res_field *f;
	int i;

	for (i = 0; r->fields[i].name != NULL && i < RES_FIELDS_MAX; i++) {
		f = &r->fields[i];
		if ((strlen(f->name) == len && strncmp(f->name, name, len) == 0) ||
		    (f->alias != NULL && strlen(f->alias) == len && strncmp(f->alias, name, len) == 0))
			return i;
	}
	return -1;
}

int
res_set(struct store *st, const struct res_def *r, const char *id, int npairs, char *const *pairs,
	const char *author, struct nz_err *err)
{
	char *cur[RES_FIELDS_MAX] = {0}, *vals[RES_FIELDS_MAX] = {0}, owner[NZ_ID_MAX] = "", sql[1024];
	const char *merged[RES_FIELDS_MAX] = {0};
	struct colset *cs = NULL;
	sqlite3_stmt *q = NULL;
	int i, k, nf, active = -1, rc = 0;
	size_t len;

	if (r->national != NULL && (rc = rec_national_only(st, r->national, err)) != 0)
		return rc;
	if (npairs <= 0)
		return nz_fail(err, NZ_EINVAL, "nothing to set: give FIELD=VALUE pairs");
	for (nf = 0; r->fields[nf].name != NULL && nf < RES_FIELDS_MAX; nf++)
		;
	/* NULL active: written before the resource had the column (resource.h). */
	len = (size_t)snprintf(sql, sizeof(sql), "SELECT owner, coalesce(active, 1)");
	for (i = 0; i < nf && len < sizeof(sql); i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s",
					r->fields[i].flags & RES_OWNER ? "owner" : r->fields[i].name);
	if (len < sizeof(sql))
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, " FROM %s WHERE id = ?1 AND deleted = 0",
					r->tbl->name);
	if (len >= sizeof(sql) || sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, r->tbl->name);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if ((k = sqlite3_step(q)) == SQLITE_ROW) {
		snprintf(owner, sizeof(owner), "%s", (const char *)sqlite3_column_text(q, 0));
		active = sqlite3_column_int(q, 1);
		for (i = 0; i < nf; i++)
			if (sqlite3_column_type(q, i + 2) != SQLITE_NULL &&
			    (cur[i] = strdup((const char *)sqlite3_column_text(q, i + 2))) == NULL)
				rc = nz_fail(err, NZ_ENOMEM, "out of memory");
	} else if (k != SQLITE_DONE)
		rc = store_sqlerr(st, err, r->tbl->name);
	sqlite3_finalize(q);
	if (rc != 0)
		goto out;
	if (active < 0) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no %s with id '%s'", r->name, id);
		goto out;
	}
	if (active == 0) {
		rc = nz_fail(err, NZ_ESTATE, "%s '%s' is retired; it is changed no more", r->name, id);
		goto out;
	}
	for (i = 0; i < npairs && rc == 0; i++) {
		const char *eq = strchr(pairs[i], '=');
		size_t max;
		if (eq == NULL || eq == pairs[i]) {
			rc = nz_fail(err, NZ_EINVAL, "'%s' is not FIELD=VALUE", pairs[i]);
			break;
		}
		if ((k = field_of(r, pairs[i], (size_t)(eq - pairs[i]))) < 0) {
			char names[256] = "";
			for (k = 0; k < nf; k++)
				if (!(r->fields[k].flags & RES_OWNER))
					snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
						 names[0] ? ", " : "", r->fields[k].name);
			rc = nz_fail(err, NZ_EINVAL, "%s %s has no field '%.*s' (fields: %s; retire ends one)",
				     article(r->name), r->name, (int)(eq - pairs[i]), pairs[i], names);
			break;
		}
		if (r->fields[k].flags & RES_OWNER) {
			rc = nz_fail(err, NZ_EINVAL, "%s %s's %s is its owner; it does not change", article(r->name),
				     r->name, r->fields[k].name);
			break;
		}
		max = (r->fields[k].max_len > 0 ? (size_t)r->fields[k].max_len : TEXT_MAX_DEFAULT) + 1;
		free(vals[k]);
		if ((vals[k] = malloc(max < 16 ? 16 : max)) == NULL)
			rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		else
			rc = check_field(st, r, &r->fields[k], eq + 1, vals[k], max < 16 ? 16 : max, err);
	}
	if (rc != 0)
		goto out;
	for (i = 0; i < nf; i++)
		merged[i] = vals[i] != NULL ? vals[i] : cur[i];
	if (r->check != NULL && (rc = r->check(st, merged, err)) != 0)
		goto out;
	cs = colset_new();
	for (i = 0; i < nf; i++)
		if (vals[i] != NULL)
			colset_text(cs, r->fields[i].name, vals[i]);
	rc = store_write(st, r->tbl->name, id, owner, cs, author, err);
	colset_free(cs);
out:
	for (i = 0; i < nf; i++) {
		free(cur[i]);
		free(vals[i]);
	}
	return rc;
}

int
res_active(struct store *st, const struct res_def *r, const char *id, struct nz_err *err)
{
	char sql[160];
	long long active;

	/* NULL active: written before the resource had the column (resource.h). */
	snprintf(sql, sizeof(sql),
		 "SELECT CASE WHEN coalesce(active, 1) THEN 1 ELSE 2 END FROM %s WHERE id = ?1 AND deleted = 0",
		 r->tbl->name);
	if ((active = rec_scalar(st, sql, id, NULL)) < 0)
		return store_sqlerr(st, err, r->tbl->name);
	if (active == 0)
		return nz_fail(err, NZ_ENOTFOUND, "no %s with id '%s'", r->name, id);
	return active == 1;
}

int
res_retire(struct store *st, const struct res_def *r, const char *id, const char *author, struct nz_err *err)
{
	char today[11], owner[NZ_ID_MAX];
	struct colset *cs;
	int rc;

	if (r->national != NULL && (rc = rec_national_only(st, r->national, err)) != 0)
		return rc;
	if ((rc = res_active(st, r, id, err)) < 0)
		return rc;
	if (rc == 0)
		return nz_fail(err, NZ_ESTATE, "%s '%s' is retired already", r->name, id);
	if ((rc = rec_owner(st, r->tbl, id, r->name, owner, err)) != 0)
		return rc;
	nz_today(today);
	cs = colset_new();
	colset_int(cs, "active", 0);
	colset_text(cs, "retired", today);
	return rec_write(st, r->tbl->name, id, owner, cs, author, err);
}

/* select_sql writes into sql (n bytes) the SELECT of r's records as they are listed, up to its WHERE
 * clause (the record is r, the unit the listing follows r.u); *unit is r's unit field or NULL.  Returns
 * the length written, n or more when it does not fit. */
static size_t
select_sql(const struct res_def *r, char *sql, size_t n, const char **unit)
{
	const char *consent = NULL;
	const struct res_field *f;
	size_t len = 0;
	int i;

	*unit = NULL;
	for (i = 0; r->fields[i].name != NULL; i++)
		if (r->fields[i].flags & RES_CONSENT)
			consent = r->fields[i].name;
	len += (size_t)snprintf(sql + len, n - len, "SELECT id, owner");
	for (i = 0; r->fields[i].name != NULL && len < n; i++) {
		f = &r->fields[i];
		/* What the person has not consented to is not shown; the owner is no column. */
		if (f->flags & RES_OWNER)
			continue;
		if ((f->flags & RES_PRIVATE) && consent != NULL)
			len += (size_t)snprintf(sql + len, n - len, ", CASE WHEN %s = 'yes' THEN %s ELSE '' END AS %s",
						consent, f->name, f->name);
		else
			len += (size_t)snprintf(sql + len, n - len, ", %s", f->name);
		if ((f->flags & RES_UNIT) && *unit == NULL) {
			*unit = f->name;
			len += (size_t)snprintf(sql + len, n - len,
						", (SELECT name_fa FROM orgunit o WHERE o.id = r.%s AND o.deleted = 0)"
						" AS %s_name",
						f->name, f->name);
		}
	}
	for (i = 0; r->calc != NULL && r->calc[i].name != NULL && len < n; i++)
		len += (size_t)snprintf(sql + len, n - len, ", %s AS %s", r->calc[i].sql, r->calc[i].name);
	/* NULL active and retired: written before the resource had them (resource.h). */
	if (len < n)
		len += (size_t)snprintf(sql + len, n - len,
					", coalesce(active, 1) AS active, coalesce(retired, '') AS retired"
					" FROM (SELECT *, %s AS u FROM %s) r WHERE r.deleted = 0 AND ",
					*unit != NULL ? *unit : "owner", r->tbl->name);
	return len;
}

json_t *
res_list(struct store *st, const struct res_def *r, const char *under, bool all)
{
	char sql[4096];
	const char *unit;
	size_t len;
	sqlite3_stmt *q;
	json_t *a;

	/* Those of a unit inside under (this node's subtree by default: a designation of another county that
	 * reached it as a directive is not its to list), and of a unit above it (a province's serve its counties);
	 * without a unit field, those owned inside under. */
	if (under == NULL)
		under = store_node(st);
	len = select_sql(r, sql, sizeof(sql), &unit);
	if (len < sizeof(sql))
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
					"(" UNIT_SQL_UNDER("r.u") " OR (%d AND " UNIT_SQL_BELOW("?1", "r.u") "))"
					" AND (?2 IS NULL OR coalesce(r.active, 1) = 1) ORDER BY r.u, r.%s, r.id",
					unit != NULL, r->fields[0].name);
	if (len >= sizeof(sql) || sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	if (!all)
		sqlite3_bind_int(q, 2, 1);
	a = rec_rows(q, NULL);
	sqlite3_finalize(q);
	return a;
}

int
res_get(struct store *st, const struct res_def *r, const char *id, json_t **out, struct nz_err *err)
{
	char sql[4096];
	const char *unit;
	size_t len;
	sqlite3_stmt *q = NULL;
	json_t *rows;
	int rc;

	*out = NULL;
	len = select_sql(r, sql, sizeof(sql), &unit);
	if (len < sizeof(sql))
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "r.id = ?1");
	if (len >= sizeof(sql) || sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, r->tbl->name);
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	rows = rec_rows(q, NULL);
	sqlite3_finalize(q);
	if ((rc = rec_one(st, rows, r->name, id, out, err)) != 0 || r->detail == NULL)
		return rc;
	return r->detail(st, id, out, err);
}
