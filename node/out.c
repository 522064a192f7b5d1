/*
 * The output layer of the commands: listings as JSON, CSV (base/csv.h) or a
 * text table, one record as "key  value" lines with its nested lists as
 * tables, dates and times in Jalali, and the "show ID" and "set ID
 * FIELD=VALUE" every area has.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/jalali.h"
#include "domain/domain.h"
#include "domain/register.h"
#include "node/node.h"

/* out_ms_jalali writes "1405-09-07 14:03" in Iran time for unix ms, "never" for 0. */
void
out_ms_jalali(long long ms, char *buf, size_t n)
{
	char iso[11], jal[11];
	long long secs = ms / 1000, local = secs + 12600; /* UTC+03:30 */
	int mins;

	if (ms <= 0) {
		snprintf(buf, n, "never");
		return;
	}
	iso_from_unix_iran(secs, iso);
	jalali_or_iso(iso, jal);
	mins = (int)((local % 86400 + 86400) % 86400 / 60);
	snprintf(buf, n, "%s %02d:%02d", jal, mins / 60, mins % 60);
}

static bool
is_iso_date(const char *s)
{
	int y, m, d;

	return strlen(s) == 10 && s[4] == '-' && s[7] == '-' && isdigit((unsigned char)s[0]) &&
	       iso_parse(s, &y, &m, &d, NULL) == 0;
}

/*
 * out_jalalize rewrites, throughout v, every ISO date string as Jalali, and next
 * to every "..._ms" time adds the same key without "_ms" as Jalali text.
 */
void
out_jalalize(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	void *tmp;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_string(x) && is_iso_date(json_string_value(x))) {
				char j[11];
				if (jalali_from_iso(json_string_value(x), j, NULL) == 0)
					json_array_set_new(v, i, json_string(j));
			} else {
				out_jalalize(x);
			}
		}
		return;
	}
	if (!json_is_object(v))
		return;
	json_object_foreach_safe(v, tmp, k, x) {
		size_t len = strlen(k);
		if (json_is_string(x) && is_iso_date(json_string_value(x))) {
			char j[11];
			if (jalali_from_iso(json_string_value(x), j, NULL) == 0)
				json_object_set_new(v, k, json_string(j));
		} else if (len > 3 && strcmp(k + len - 3, "_ms") == 0 && (json_is_integer(x) || json_is_null(x))) {
			char key[64], when[40];
			if (json_is_null(x))
				snprintf(when, sizeof(when), "local");
			else
				out_ms_jalali(json_integer_value(x), when, sizeof(when));
			snprintf(key, sizeof(key), "%.*s", (int)(len - 3), k);
			json_object_set_new(v, key, json_string(when));
		} else {
			out_jalalize(x);
		}
	}
}

/* out_csv_file writes the scalar fields of rows (those of the first row) as RFC 4180 CSV to path ("-": stdout). */
int
out_csv_file(const char *path, json_t *rows)
{
	FILE *f = cli_csv_open(path);

	if (f == NULL)
		return 1;
	if (cli_csv_close(f, path, csv_write(f, rows, NULL)) != 0)
		return 1;
	if (strcmp(path, "-") != 0)
		fprintf(stderr, "wrote %zu rows to %s\n", json_array_size(rows), path);
	return 0;
}

/* out_rows prints a listing as JSON, CSV (csv not NULL) or a text table of cols; consumes rows. */
int
out_rows(const struct cmd_opts *o, json_t *rows, const char *const *cols, const char *csv)
{
	int rc;

	if (rows == NULL)
		return cli_unread();
	out_jalalize(rows);
	if (csv == NULL)
		return cli_list(o, rows, cols);
	rc = out_csv_file(csv, rows);
	json_decref(rows);
	return rc;
}

/* out_texts turns the booleans of an array of objects into yes/no, for text tables. */
void
out_texts(json_t *rows)
{
	const char *k;
	json_t *r, *v;
	size_t i;
	void *tmp;

	json_array_foreach(rows, i, r) {
		json_object_foreach_safe(r, tmp, k, v) {
			if (json_is_boolean(v))
				json_object_set_new(r, k, json_string(json_is_true(v) ? "yes" : "no"));
		}
	}
}

/* out_show prints one record and releases it; nested arrays as tables of all their fields. */
int
out_show(const struct cmd_opts *o, json_t *rec, const char *what, const char *id)
{
	const char *k;
	json_t *v;

	(void)what;
	(void)id;
	out_jalalize(rec);
	if (o->json) {
		cli_print_json(rec);
		json_decref(rec);
		return 0;
	}
	json_object_foreach(rec, k, v) {
		char *s;
		if (json_is_array(v) || json_is_object(v))
			continue;
		s = json_is_string(v) || json_is_null(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | NZ_JSON_SHOWN);
		printf("%-20s %s\n", k, s ? s : json_is_null(v) ? "-" : json_string_value(v));
		free(s);
	}
	json_object_foreach(rec, k, v) {
		const char *cols[32], *ck;
		json_t *cv;
		int n = 0;
		if (!json_is_array(v))
			continue;
		printf("\n%s:\n", k);
		if (json_array_size(v) == 0) {
			printf("  (none)\n");
			continue;
		}
		json_object_foreach(json_array_get(v, 0), ck, cv) {
			if (n < 31 && !json_is_array(cv) && !json_is_object(cv))
				cols[n++] = ck;
		}
		cols[n] = NULL;
		out_texts(v);
		cli_key_table(v, cols);
	}
	json_decref(rec);
	return 0;
}

/* ---- what every area has ---- */

/* out_show_id runs "CMD show ID" with the record get reads, a WHAT. */
int
out_show_id(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_get_fn get, const char *what)
{
	return out_show_by(o, argc, argv, cmd, get, what, out_show);
}

int
out_show_by(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_get_fn get, const char *what,
	    int (*print)(const struct cmd_opts *o, json_t *rec, const char *what, const char *id))
{
	struct nz_err err = {0};
	struct node n;
	json_t *rec;
	int rc;

	if (argc != 3)
		return cmd_usage("%s: give exactly one ID", cmd);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = get(n.st, argv[2], &rec, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	return print(o, rec, what, argv[2]);
}

/* out_under reads "CMD [--under CODE]": the rows list gives for the subtree (NULL: the read failed). */
int
out_under(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_under_fn list, json_t **rows)
{
	struct node n;
	const char *under = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--under", &under), CLI_END};
	int npos, rc;

	*rows = NULL;
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, NULL, 0, &npos)) != 0 || (rc = cli_check_unit(cmd, under)) != 0 ||
	    (rc = cmd_open(&n, o)) != 0)
		return rc;
	*rows = list(n.st, under);
	node_close(&n);
	return 0;
}

/* out_print_html runs "CMD KEY --html FILE": the page html makes of KEY, written to FILE. */
int
out_print_html(const struct cmd_opts *o, int argc, char **argv, const char *cmd, const char *what, out_html_fn html)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[1], *page = NULL;
	const char *file = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--html", &file), CLI_END};
	int npos, rc;

	if ((rc = cli_parse(cmd, argc, argv, 2, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1 || file == NULL)
		return cmd_usage("%s: give %s and --html FILE", cmd, what);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = html(n.st, pos[0], n.conf.name, &page, &err);
	node_close(&n);
	if (rc != 0)
		return cmd_fail(&err);
	rc = cli_write_file(file, page, strlen(page), &err);
	free(page);
	if (rc != 0)
		return cmd_fail(&err);
	printf("wrote %s\n", file);
	return 0;
}

/* out_list_all runs "CMD list [--all]" through list, printed with cols. */
int
out_list_all(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_all_fn list,
	     const char *const *cols)
{
	struct node n;
	char *rest[1];
	bool all = false;
	json_t *rows;
	int nrest, rc;
	const struct cli_opt opts[] = {CLI_FLAG("--all", &all), CLI_END};

	if ((rc = cli_parse(cmd, argc, argv, 2, opts, rest, 1, &nrest)) != 0)
		return rc;
	if (nrest != 0)
		return cmd_usage("%s: unexpected argument '%s'", cmd, rest[0]);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rows = list(n.st, all);
	node_close(&n);
	return cli_list(o, rows, cols);
}

/* out_run_id runs "CMD VERB ID" through fn. */
int
out_run_id(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_id_fn fn)
{
	struct nz_err err = {0};
	struct node n;
	int rc;

	if (argc != 3 || argv[2][0] == '-')
		return cmd_usage("%s: give exactly one ID", cmd);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = fn(n.st, argv[2], n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

/* out_set_fields runs "CMD set ID FIELD=VALUE..." through set. */
int
out_set_fields(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_set_fn set)
{
	struct nz_err err = {0};
	struct node n;
	int rc;

	if (argc < 4)
		return cmd_usage("%s: give ID and at least one FIELD=VALUE", cmd);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = set(n.st, argv[2], argc - 3, argv + 3, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

int
out_csv_cols(const char *path, json_t *rows, const char *const *cols)
{
	FILE *f = cli_csv_open(path);

	if (f == NULL)
		return 1;
	return cli_csv_close(f, path, csv_write(f, rows, cols));
}

/* ---- records whose dates come twice (ISO and _jalali), as the selection gives them ---- */

/* out_record prints one record as "key  value" lines, dates in Jalali, nested values as JSON. */
void
out_record(json_t *o)
{
	const char *k;
	json_t *v;
	char key[64];

	json_object_foreach(o, k, v) {
		size_t n = strlen(k);
		if (n > 7 && strcmp(k + n - 7, "_jalali") == 0)
			continue;
		snprintf(key, sizeof(key), "%s_jalali", k);
		if (json_object_get(o, key) != NULL)
			v = json_object_get(o, key);
		if (json_is_object(v) || json_is_array(v)) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
			printf("%-18s %s\n", k, s ? s : "");
			free(s);
		} else {
			char buf[8192];
			cli_cell(v, buf, sizeof(buf));
			printf("%-18s %s\n", k, buf);
		}
	}
}

/* out_table prints a listing as JSON or a table of cols and releases rows. */
int
out_table(const struct cmd_opts *o, json_t *rows, const struct cli_col *cols)
{
	if (rows == NULL)
		return cli_unread();
	if (o->json)
		cli_print_json(rows);
	else
		cli_table(rows, cols);
	json_decref(rows);
	return 0;
}

/* out_record_json prints one record as JSON or key-value lines and releases it. */
int
out_record_json(const struct cmd_opts *o, json_t *rec, const char *what, const char *id)
{
	(void)what;
	(void)id;
	if (o->json)
		cli_print_json(rec);
	else
		out_record(rec);
	json_decref(rec);
	return 0;
}

int
out_end_with_reason(const struct cmd_opts *o, int argc, char **argv, const char *cmd, const char *what,
		    out_reason_fn end)
{
	struct nz_err err = {0};
	struct node n;
	char *pos[2];
	const char *reason = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--reason", &reason), CLI_END};
	int npos, rc;

	if ((rc = cli_parse(cmd, argc, argv, 2, opts, pos, 1, &npos)) != 0)
		return rc;
	if (npos != 1 || reason == NULL)
		return cmd_usage("%s: give the %s's ID and --reason R", cmd, what);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = end(n.st, pos[0], reason, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}
