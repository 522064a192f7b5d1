#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fa.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/domain.h"
#include "domain/record.h"

static const struct col_def orgunit_cols[] = {
	{"parent", COL_TEXT},
	{"level", COL_INT},
	{"sci_code", COL_TEXT},
	{"name_fa", COL_TEXT},
	{"name_en", COL_TEXT},
	{"population", COL_INT},
	{"figures_by", COL_TEXT}, /* who last set a figure of the unit (orgunit set, orgunit figures) */
	{"figures_on", COL_TEXT}, /* and when (ISO) */
	{NULL, 0},
};

static const char *const orgunit_idx[] = {"parent", NULL};

/* Org units are set nationally and seen everywhere: owner IR, a directive. */
const struct tbl_def orgunit_table = {"orgunit", VIS_DIRECTIVE, orgunit_cols, orgunit_idx};

#define CSV_FIELDS 8
#define CSV_LINE 4096
#define IMPORT_MAX 10000

/*
 * split_csv splits one line (RFC 4180 quoting, no embedded newlines) in
 * place into at most CSV_FIELDS fields; returns the count or -1.
 */
/*
 * import_open starts an import of what from path, at the national node only:
 * opens it into *f and returns IMPORT_MAX zeroed rows of size bytes, which
 * the caller frees (and closes *f); NULL with *rc and err set when it cannot.
 */
static void *
import_open(struct store *st, const char *what, const char *path, FILE **f, size_t size, int *rc,
	    struct nz_err *err)
{
	void *rows;

	if ((*rc = rec_national_only(st, what, err)) != 0)
		return NULL;
	if ((*f = fopen(path, "r")) == NULL) {
		*rc = nz_fail(err, NZ_ENOTFOUND, "cannot open '%s'", path);
		return NULL;
	}
	if ((rows = calloc(IMPORT_MAX, size)) == NULL) {
		fclose(*f);
		*rc = nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	return rows;
}
/*
 * csv_line reads the next line of f that is not empty into line, without its
 * line end, counting lines in *lineno: 1, 0 at the end of the file, or
 * NZ_EINVAL for a line longer than n.
 */
static int
csv_line(FILE *f, const char *path, char *line, size_t n, int *lineno, struct nz_err *err)
{
	size_t len;

	while (fgets(line, (int)n, f) != NULL) {
		len = strlen(line);
		++*lineno;
		if (len > 0 && line[len - 1] != '\n' && !feof(f))
			return nz_fail(err, NZ_EINVAL, "%s:%d: line too long", path, *lineno);
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len > 0)
			return 1;
	}
	return 0;
}

static int
split_csv(char *line, char *fields[CSV_FIELDS])
{
	int n = 0;
	char *r = line, *w;

	for (;;) {
		if (n == CSV_FIELDS)
			return -1;
		fields[n++] = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					return -1;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			if (*r != ',' && *r != '\0')
				return -1;
		} else {
			while (*r != ',' && *r != '\0')
				*w++ = *r++;
		}
		if (*r == '\0') {
			*w = '\0';
			return n;
		}
		*w = '\0';
		r++;
	}
}

struct unit_row {
	char code[NZ_ID_MAX], parent[NZ_ID_MAX], sci[8];
	char *name_fa, *name_en;
	long long population; /* -1: unknown */
	int level;
};

static int
parse_population(const char *s, long long *out)
{
	char *end;

	if (s[0] == '\0') {
		*out = -1;
		return 0;
	}
	*out = strtoll(s, &end, 10);
	return *end == '\0' && *out >= 0 ? 0 : -1;
}

/* unchanged reports whether the unit is already recorded exactly so. */
static bool
unchanged(struct store *st, const struct unit_row *u)
{
	sqlite3_stmt *q = store_prepare(st,
					"SELECT 1 FROM orgunit WHERE id = ?1 AND deleted = 0 AND parent IS ?2"
					" AND level IS ?3 AND sci_code IS ?4 AND name_fa IS ?5 AND name_en IS ?6"
					" AND population IS ?7",
					NULL);
	bool same;

	if (q == NULL)
		return false;
	sqlite3_bind_text(q, 1, u->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, u->parent, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, u->level);
	sqlite3_bind_text(q, 4, u->sci, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, u->name_fa, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, u->name_en, -1, SQLITE_STATIC);
	if (u->population >= 0)
		sqlite3_bind_int64(q, 7, u->population);
	else
		sqlite3_bind_null(q, 7);
	same = sqlite3_step(q) == SQLITE_ROW;
	sqlite3_reset(q);
	return same;
}

int
orgunit_import_csv(struct store *st, const char *path, const char *author, int *count,
		   struct nz_err *err)
{
	FILE *f;
	char line[CSV_LINE], *fld[CSV_FIELDS];
	struct unit_row *rows = NULL;
	int nrows = 0, lineno = 0, kind = 0, nf, i, rc = 0, written;
	char root[NZ_ID_MAX];

	*count = 0;
	if ((rows = import_open(st, "org units", path, &f, sizeof(*rows), &rc, err)) == NULL)
		return rc;
	while ((rc = csv_line(f, path, line, sizeof(line), &lineno, err)) > 0) {
		struct unit_row *u;
		char want[NZ_ID_MAX];

		nf = split_csv(line, fld);
		if (lineno == 1) {
			if (nf == 5 && strcmp(fld[0], "code") == 0 && strcmp(fld[3], "iso3166_2") == 0)
				kind = 1;
			else if (nf == 5 && strcmp(fld[0], "code") == 0 && strcmp(fld[1], "province_code") == 0)
				kind = 2;
			else {
				rc = nz_fail(err, NZ_EINVAL,
					     "%s:1: header is neither the provinces format "
					     "(code,name_fa,name_en,iso3166_2,population) nor the counties format "
					     "(code,province_code,name_fa,name_en,population)",
					     path);
				goto out;
			}
			continue;
		}
		if (nf != 5) {
			rc = nz_fail(err, NZ_EINVAL, "%s:%d: %d fields, expected 5", path, lineno, nf);
			goto out;
		}
		if (nrows == IMPORT_MAX) {
			rc = nz_fail(err, NZ_ETOOBIG, "%s: more than %d rows", path, IMPORT_MAX);
			goto out;
		}
		u = &rows[nrows];
		snprintf(u->sci, sizeof(u->sci), "%s", fld[0]);
		if (unit_from_sci(fld[0], u->code) != 0 || (kind == 1) != (strlen(fld[0]) == 2)) {
			rc = nz_fail(err, NZ_EINVAL, "%s:%d: code '%s' is not a %s code", path, lineno, fld[0],
				     kind == 1 ? "2-digit province" : "4-digit county");
			goto out;
		}
		u->level = unit_level(u->code);
		unit_parent(u->code, u->parent);
		if (kind == 1) {
			if (strcmp(fld[3], u->code) != 0) {
				rc = nz_fail(err, NZ_EINVAL, "%s:%d: iso3166_2 '%s' does not match code '%s'",
					     path, lineno, fld[3], fld[0]);
				goto out;
			}
			u->name_fa = strdup(fld[1]);
			u->name_en = strdup(fld[2]);
		} else {
			unit_from_sci(fld[1], want);
			if (strlen(fld[1]) != 2 || strcmp(want, u->parent) != 0) {
				rc = nz_fail(err, NZ_EINVAL,
					     "%s:%d: province_code '%s' does not match county code '%s'", path,
					     lineno, fld[1], fld[0]);
				goto out;
			}
			u->name_fa = strdup(fld[2]);
			u->name_en = strdup(fld[3]);
		}
		if (u->name_fa == NULL || u->name_en == NULL || u->name_fa[0] == '\0') {
			rc = nz_fail(err, NZ_EINVAL, "%s:%d: name_fa is empty", path, lineno);
			goto out;
		}
		if (parse_population(fld[4], &u->population) != 0) {
			rc = nz_fail(err, NZ_EINVAL, "%s:%d: population '%s' is not a number", path, lineno,
				     fld[4]);
			goto out;
		}
		for (i = 0; i < nrows; i++)
			if (strcmp(rows[i].code, u->code) == 0) {
				rc = nz_fail(err, NZ_EINVAL, "%s:%d: code '%s' appears twice", path, lineno,
					     fld[0]);
				goto out;
			}
		nrows++;
	}
	if (rc < 0)
		goto out;
	if (nrows == 0) {
		rc = nz_fail(err, NZ_EINVAL, "%s: no rows", path);
		goto out;
	}

	/* Every row is good: write them all, or none. */
	written = 0;
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	for (i = 0; i <= nrows && rc == 0; i++) {
		struct colset *cs = colset_new();
		if (i == nrows && rec_owner(st, &orgunit_table, "IR", NULL, root, NULL) == 0) {
			colset_free(cs);
			continue;
		}
		if (i == nrows) {
			/* The root, so that the tree is whole. */
			colset_text(cs, "parent", NULL);
			colset_int(cs, "level", 0);
			colset_text(cs, "name_fa", "ایران");
			colset_text(cs, "name_en", "Iran");
			rc = store_write(st, "orgunit", "IR", "IR", cs, author, err);
		} else if (unchanged(st, &rows[i])) {
			colset_free(cs);
			continue; /* a re-import sends nothing that is already so */
		} else {
			colset_text(cs, "parent", rows[i].parent);
			colset_int(cs, "level", rows[i].level);
			colset_text(cs, "sci_code", rows[i].sci);
			colset_text(cs, "name_fa", rows[i].name_fa);
			colset_text(cs, "name_en", rows[i].name_en);
			if (rows[i].population >= 0)
				colset_int(cs, "population", rows[i].population);
			else
				colset_null(cs, "population");
			rc = store_write(st, "orgunit", rows[i].code, "IR", cs, author, err);
			written += rc == 0;
		}
		colset_free(cs);
	}
	if (rc != 0) {
		store_rollback(st);
		goto out;
	}
	if ((rc = store_commit(st, err)) == 0)
		*count = written;
out:
	for (i = 0; i < nrows + 1 && i < IMPORT_MAX; i++) {
		free(rows[i].name_fa);
		free(rows[i].name_en);
	}
	free(rows);
	fclose(f);
	return rc;
}

json_t *
orgunit_list(struct store *st, const char *under)
{
	/* Every unit is owned by IR, so "under" filters on the code itself. */
	if (under == NULL) /* this node's subtree and the units above it: never a sibling's, held as a directive */
		return rec_list(st, &orgunit_table, NULL,
				"id = ?2 OR " UNIT_SQL_BELOW("id", "?2") " OR " UNIT_SQL_BELOW("?2", "id"),
				store_node(st), "id");
	return rec_list(st, &orgunit_table, NULL, "id = ?2 OR " UNIT_SQL_BELOW("id", "?2"), under,
			"id");
}

/* ---- figures kept per unit by national (population; any figure an indicator reads) ---- */

/* The per-unit figures an indicator may read; each is a whole number or unknown (NULL), never 0 for unknown. */
static const char *const figures[] = {"population", NULL};

#define FIGURE_MAX 10000000000LL /* more than any unit holds */
#define FIGURE_HISTORY_MAX 200      /* changes of one unit a history shows */

/* figure_check checks that code is an org unit, field a figure and text its value: *v, -1 for unknown. */
static int
figure_check(struct store *st, const char *code, const char *field, const char *text, long long *v,
	     struct nz_err *err)
{
	char owner[NZ_ID_MAX], buf[32], *end;
	int i, rc;

	for (i = 0; figures[i] != NULL && strcmp(figures[i], field) != 0; i++)
		;
	if (figures[i] == NULL)
		return nz_fail(err, NZ_EINVAL, "'%s' is not a figure of an org unit (population)", field);
	if (code == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "no org unit '' (import the tree first)");
	if ((rc = rec_owner(st, &orgunit_table, code, NULL, owner, err)) != 0)
		return rc == NZ_ENOTFOUND ? nz_fail(err, rc, "no org unit '%s' (import the tree first)", code) : rc;
	if (text == NULL || text[0] == '\0' || strcmp(text, "unknown") == 0) {
		*v = -1;
		return 0;
	}
	if (fa_ascii(text, buf, sizeof(buf)) != 0 || buf[0] < '0' || buf[0] > '9')
		goto bad;
	*v = strtoll(buf, &end, 10);
	if (*end != '\0' || *v > FIGURE_MAX)
		goto bad;
	return 0;
bad:
	return nz_fail(err, NZ_EINVAL, "%s of %s: '%s' is not a whole number from 0 to %lld (or 'unknown')", field, code,
		       text, FIGURE_MAX);
}

static int
figure_write(struct store *st, const char *code, const char *field, long long v, const char *author,
	     struct nz_err *err)
{
	struct colset *cs = colset_new();
	char today[11];

	nz_today(today);
	if (v >= 0)
		colset_int(cs, field, v);
	else
		colset_null(cs, field);
	colset_text(cs, "figures_by", author);
	colset_text(cs, "figures_on", today);
	return rec_write(st, "orgunit", code, "IR", cs, author, err);
}

int
orgunit_set_figure(struct store *st, const char *code, const char *field, const char *value, const char *author,
		   struct nz_err *err)
{
	long long v;
	int rc;

	if ((rc = rec_national_only(st, "org-unit figures", err)) != 0 ||
	    (rc = figure_check(st, code, field, value, &v, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = figure_write(st, code, field, v, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int
orgunit_import_figures(struct store *st, const char *path, const char *author, int *count, struct nz_err *err)
{
	struct fig_row {
		char code[NZ_ID_MAX];
		long long v;
	} *rows = NULL;
	char line[CSV_LINE], *fld[CSV_FIELDS], field[32] = "";
	int nrows = 0, lineno = 0, nf, i, rc = 0;
	FILE *f;

	*count = 0;
	if ((rows = import_open(st, "org-unit figures", path, &f, sizeof(*rows), &rc, err)) == NULL)
		return rc;
	/* Every row is checked before anything is written. */
	while ((rc = csv_line(f, path, line, sizeof(line), &lineno, err)) > 0) {
		nf = split_csv(line, fld);
		if (lineno == 1) {
			if (nf != 2 || strcmp(fld[0], "code") != 0) {
				rc = nz_fail(err, NZ_EINVAL, "%s:1: the header is not code,FIGURE (code,population)", path);
				goto out;
			}
			snprintf(field, sizeof(field), "%s", fld[1]);
			continue;
		}
		if (nf != 2) {
			rc = nz_fail(err, NZ_EINVAL, "%s:%d: %d fields; code,%s has 2", path, lineno, nf, field);
			goto out;
		}
		if (nrows == IMPORT_MAX) {
			rc = nz_fail(err, NZ_ETOOBIG, "%s: more than %d rows", path, IMPORT_MAX);
			goto out;
		}
		if ((rc = figure_check(st, fld[0], field, fld[1], &rows[nrows].v, err)) != 0) {
			char msg[NZ_ERRMSG_MAX];
			snprintf(msg, sizeof(msg), "%s", err != NULL ? err->msg : "");
			rc = nz_fail(err, rc, "%s:%d: %s; nothing was changed", path, lineno, msg);
			goto out;
		}
		snprintf(rows[nrows].code, sizeof(rows[nrows].code), "%s", fld[0]);
		nrows++;
	}
	if (rc < 0)
		goto out;
	if (field[0] == '\0' || nrows == 0) {
		rc = nz_fail(err, NZ_EINVAL, "%s: no rows", path);
		goto out;
	}
	if ((rc = store_begin(st, err)) != 0)
		goto out;
	for (i = 0; i < nrows && rc == 0; i++)
		rc = figure_write(st, rows[i].code, field, rows[i].v, author, err);
	if ((rc = rec_finish(st, rc, err)) == 0)
		*count = nrows;
out:
	free(rows);
	fclose(f);
	return rc;
}

json_t *
orgunit_figures(struct store *st, const char *code, struct nz_err *err)
{
	json_t *u = NULL, *h, *log, *c;
	size_t i;
	int rc, k;

	if ((rc = rec_get(st, &orgunit_table, code ? code : "", &u, err)) != 0 && rc != NZ_ENOTFOUND)
		return NULL; /* the database could not be read: said in err */
	if (rc != 0 || json_integer_value(json_object_get(u, "deleted")) != 0) {
		json_decref(u);
		nz_fail(err, NZ_ENOTFOUND, "no org unit '%s'", code ? code : "");
		return NULL;
	}
	/* The history is the change log's: every change that set a figure of the unit, by whom and when (the
	 * tree's import too), as it reached this node. */
	if ((log = store_history(st, "orgunit", code, FIGURE_HISTORY_MAX, err)) == NULL) {
		json_decref(u);
		return NULL;
	}
	h = json_array();
	json_array_foreach(log, i, c) {
		json_t *cols = json_object_get(c, "cols");
		long long ms = json_integer_value(json_object_get(c, "at"));
		char day[11];

		iso_from_unix_iran(ms / 1000, day); /* the day in Iran the change was made */
		for (k = 0; figures[k] != NULL; k++)
			if (json_object_get(cols, figures[k]) != NULL)
				json_array_append_new(h, json_pack("{s:s, s:O, s:O, s:s, s:I}", "field", figures[k], "value",
								   json_object_get(cols, figures[k]), "set_by",
								   json_object_get(c, "author"), "set_on", day, "at", (json_int_t)ms));
	}
	json_decref(log);
	json_object_del(u, "deleted");
	json_object_set_new(u, "history", h);
	return u;
}
