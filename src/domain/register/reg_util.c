/*
 * Helpers shared by the register's files: queries, field checks, FIELD=VALUE
 * pairs, and lists of problem ids.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"

/* ---- helpers ---- */

json_t *
reg_rows(sqlite3_stmt *s)
{
	json_t *a = rec_rows(s, NULL);

	sqlite3_finalize(s);
	return a;
}

/* prep prepares sql and binds up to three text parameters (NULL binds NULL). */
sqlite3_stmt *
reg_prep(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return NULL;
	rec_bind(q, 3, (const char *const[]){p1, p2, p3});
	return q;
}

json_t *
reg_query(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3)
{
	sqlite3_stmt *q = reg_prep(st, sql, p1, p2, p3);

	return q != NULL ? reg_rows(q) : NULL;
}

int
reg_attach_parts(struct store *st, json_t **out, const struct reg_part *parts, const char *id,
		 struct nz_err *err)
{
	int rc = 0;

	for (; parts->key != NULL && rc == 0; parts++)
		rc = rec_attach(st, out, parts->key, reg_query(st, parts->sql, id, NULL, NULL), err);
	return rc;
}

json_t *
reg_evaluations(struct store *st, const char *by, const char *id)
{
	return reg_query(st,
			 strcmp(by, "solution") == 0
				 ? "SELECT id, date, evaluator, intervention FROM evaluation WHERE solution = ?1"
				   " AND deleted = 0 ORDER BY date"
				 : "SELECT id, date, evaluator FROM evaluation WHERE intervention = ?1 AND deleted = 0"
				   " ORDER BY date",
			 id, NULL, NULL);
}

void
reg_names(struct store *st, const char *sql, const char *p1, const char *none, char *buf, size_t n)
{
	sqlite3_stmt *q = reg_prep(st, sql, p1, NULL, NULL);
	size_t len = 0;

	buf[0] = '\0';
	while (q != NULL && sqlite3_step(q) == SQLITE_ROW && len < n)
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (buf[0] == '\0')
		snprintf(buf, n, "%s", none);
}

int
reg_national_only(struct store *st, const char *what, struct nz_err *err)
{
	return rec_national_only(st, what, err);
}

int
reg_check_code(const char *what, const char *code, struct nz_err *err)
{
	size_t i, n = code != NULL ? strlen(code) : 0;

	if (n == 0 || n > 24 || !islower((unsigned char)code[0]))
		goto bad;
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)code[i]) && !isdigit((unsigned char)code[i]) && code[i] != '_')
			goto bad;
	return 0;
bad:
	return nz_fail(err, NZ_EINVAL,
		       "%s code '%s' is not valid: 1 to 24 of a-z, 0-9 and _, starting with a letter", what,
		       nz_str(code));
}

/*
 * set_pairs applies FIELD=VALUE pairs to record id of t: locked fields are
 * refused, fields named in dates are read as Jalali or ISO dates, whole
 * numbers may not be negative, and free text is bounded.
 */
int
reg_pair(const char *pair, const char *const *aliases, char name[64], const char **value, struct nz_err *err)
{
	const char *eq = strchr(pair, '=');
	int i;

	if (eq == NULL || eq == pair || (size_t)(eq - pair) >= 64)
		return nz_fail(err, NZ_EINVAL, "'%s' is not FIELD=VALUE", pair);
	memcpy(name, pair, (size_t)(eq - pair));
	name[eq - pair] = '\0';
	for (i = 0; aliases != NULL && aliases[i] != NULL && aliases[i + 1] != NULL; i += 2)
		if (strcmp(aliases[i], name) == 0) {
			snprintf(name, 64, "%s", aliases[i + 1]);
			break;
		}
	*value = eq + 1;
	return 0;
}
int
reg_set_pairs(struct store *st, const struct tbl_def *t, const char *what, const char *id, int npairs,
	  char *const *pairs, const char *const *locked, const char *const *dates, const char *const *aliases,
	  const char *author, struct nz_err *err)
{
	char owner[NZ_ID_MAX], name[64], iso[11];
	struct colset *cs;
	int i, j, rc;

	if ((rc = rec_owner(st, t, id, what, owner, err)) != 0)
		return rc;
	if (npairs == 0)
		return nz_fail(err, NZ_EINVAL, "nothing to set: give FIELD=VALUE pairs");
	cs = colset_new();
	for (i = 0; i < npairs; i++) {
		const struct col_def *c;
		const char *v;
		if ((rc = reg_pair(pairs[i], aliases, name, &v, err)) != 0 || (rc = field_text(name, v, 0, false, err)) != 0)
			goto out;
		for (j = 0; dates != NULL && dates[j] != NULL; j++) {
			if (strcmp(dates[j], name) != 0 || v[0] == '\0')
				continue;
			if ((rc = date_parse(name, v, iso, err)) != 0)
				goto out;
			v = iso;
		}
		if ((c = rec_col(t, name)) != NULL && c->type == COL_INT && v[0] == '-') {
			rc = nz_fail(err, NZ_EINVAL, "%s is %s; give a number of 0 or more", name, v);
			goto out;
		}
		if ((rc = rec_colset_add(cs, t, name, v, locked, err)) != 0)
			goto out;
	}
	rc = store_write(st, t->name, id, owner, cs, author, err);
out:
	colset_free(cs);
	return rc;
}

/* ---- lists of problem ids ---- */

bool
reg_idlist_has(const struct idlist *l, const char *id)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->id[i], id) == 0)
			return true;
	return false;
}

int
reg_idlist_add(struct idlist *l, const char *id, struct nz_err *err)
{
	if (reg_idlist_has(l, id))
		return 0;
	if (l->n == LIST_MAX)
		return nz_fail(err, NZ_ETOOBIG, "more than %d problems in one list", LIST_MAX);
	if (strlen(id) >= NZ_RID_MAX)
		return nz_fail(err, NZ_EINVAL, "'%.40s...' is not a record id", id);
	snprintf(l->id[l->n++], NZ_RID_MAX, "%s", id);
	return 0;
}

/* idlist_parse adds the ids of text separated by spaces or commas. */
int
reg_idlist_parse(struct idlist *l, const char *text, struct nz_err *err)
{
	char id[NZ_RID_MAX];
	size_t n;
	int rc;

	while (text != NULL && *text != '\0') {
		text += strspn(text, " ,\t");
		n = strcspn(text, " ,\t");
		if (n == 0)
			break;
		if (n >= sizeof(id))
			return nz_fail(err, NZ_EINVAL, "'%.*s' is not a record id", (int)n, text);
		memcpy(id, text, n);
		id[n] = '\0';
		if ((rc = reg_idlist_add(l, id, err)) != 0)
			return rc;
		text += n;
	}
	return 0;
}

void
reg_idlist_text(const struct idlist *l, char *buf, size_t size)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < l->n && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "", l->id[i]);
}

/* Every problem of l must be live and owned by area. */
int
reg_idlist_check_area(struct store *st, const struct idlist *l, const char *area, struct nz_err *err)
{
	char owner[NZ_ID_MAX];
	int i, rc;

	for (i = 0; i < l->n; i++) {
		if ((rc = rec_owner(st, &issue_table, l->id[i], "problem", owner, err)) != 0)
			return rc;
		if (strcmp(owner, area) != 0)
			return nz_fail(err, NZ_EINVAL, "problem '%s' belongs to %s, not to %s", l->id[i], owner,
				       area);
	}
	return 0;
}
