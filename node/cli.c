/*
 * Helpers every command shares: options, numbers and dates as people type
 * them (Persian digits too), JSON and text-table output, CSV files, whole
 * files in and out, and the usual ending of a command.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/fa.h"
#include "base/dates.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/register.h"
#include "node/node.h"

/* ---- arguments ---- */

int
cli_parse(const char *cmd, int argc, char **argv, int from, const struct cli_opt *opts, char **pos, int maxpos,
	  int *npos)
{
	int i, k;

	*npos = 0;
	for (i = from; i < argc; i++) {
		for (k = 0; opts != NULL && opts[k].name != NULL; k++)
			if (strcmp(argv[i], opts[k].name) == 0)
				break;
		if (opts != NULL && opts[k].name != NULL) {
			if (opts[k].flag != NULL) {
				*opts[k].flag = true;
				continue;
			}
			if (i + 1 >= argc)
				return cmd_usage("%s: %s needs a value", cmd, argv[i]);
			i++;
			if (opts[k].list != NULL) {
				if (*opts[k].nlist >= CLI_LIST_MAX)
					return cmd_usage("%s: %s given more than %d times", cmd, opts[k].name,
							 CLI_LIST_MAX);
				opts[k].list[(*opts[k].nlist)++] = argv[i];
			} else {
				*opts[k].val = argv[i];
			}
			continue;
		}
		if (strncmp(argv[i], "--", 2) == 0)
			return cmd_usage("%s: unknown option '%s'", cmd, argv[i]);
		if (*npos >= maxpos)
			return cmd_usage("%s: unexpected argument '%s'", cmd, argv[i]);
		pos[(*npos)++] = argv[i];
	}
	return 0;
}

int
cli_check_unit(const char *cmd, const char *code)
{
	if (code != NULL && unit_level(code) < 0)
		return cmd_usage("%s: '%s' is not an org-unit code (IR, IR-PP or IR-PP-CC)", cmd, code);
	return 0;
}

/* ---- numbers and dates ---- */

int
cli_whole(const char *cmd, const char *what, const char *text, long long lo, long long hi, long long *out)
{
	char buf[64], *end;
	long long v;

	if (text == NULL)
		return 0;
	if (fa_ascii(text, buf, sizeof(buf)) != 0 || strspn(buf, "+-0123456789") != strlen(buf))
		goto bad;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (buf[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		goto bad;
	*out = v;
	return 0;
bad:
	if (hi == LLONG_MAX)
		return cmd_usage("%s: %s wants a whole number of %lld or more, not '%s'", cmd, what, lo, text);
	return cmd_usage("%s: %s wants a whole number from %lld to %lld, not '%s'", cmd, what, lo, hi, text);
}

int
cli_real(const char *cmd, const char *what, const char *text, double *out)
{
	char buf[64], *end;
	double v;

	if (text == NULL)
		return 0;
	/* Only digits, a point and a sign: strtod would also take "inf", "nan" and hex. */
	if (fa_ascii(text, buf, sizeof(buf)) != 0 || strspn(buf, "+-.0123456789") != strlen(buf))
		goto bad;
	errno = 0;
	v = strtod(buf, &end);
	if (buf[0] == '\0' || *end != '\0' || errno != 0 || !isfinite(v))
		goto bad;
	*out = v;
	return 0;
bad:
	return cmd_usage("%s: %s wants a number, not '%s'", cmd, what, text);
}

int
cli_date(const char *cmd, const char *what, const char *text, char iso[11])
{
	struct nz_err err = {0};

	if (date_parse(what, text, iso, &err) != 0)
		return cmd_usage("%s: %s", cmd, err.msg);
	return 0;
}

/* ---- output ---- */

void
cli_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | NZ_JSON_SHOWN);

	if (s != NULL) {
		printf("%s\n", s);
		free(s);
	}
}

int
cli_unread(void)
{
	fprintf(stderr, "nehzat: the records could not be read from the database\n");
	return 1;
}

int
cli_list(const struct cmd_opts *o, json_t *rows, const char *const *cols)
{
	if (rows == NULL)
		return cli_unread();
	if (o->json)
		cli_print_json(rows);
	else
		cli_key_table(rows, cols);
	json_decref(rows);
	return 0;
}

const char *
cli_jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

long long
cli_jint(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

void
cli_cell(json_t *v, char *buf, size_t n)
{
	if (json_is_string(v))
		snprintf(buf, n, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, n, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, n, "%.2f", json_real_value(v));
	else if (json_is_true(v))
		snprintf(buf, n, "yes");
	else if (json_is_false(v))
		snprintf(buf, n, "no");
	else
		snprintf(buf, n, "-");
}

/* width counts code points, close enough for Persian in a terminal. */
static size_t
width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

#define TABLE_COLS 24
#define TABLE_CUT 40

void
cli_table(json_t *rows, const struct cli_col *cols)
{
	size_t w[TABLE_COLS] = {0}, i, j, k;
	char buf[512];
	json_t *r;

	for (j = 0; j < TABLE_COLS && cols[j].key != NULL; j++)
		w[j] = width(cols[j].head);
	json_array_foreach(rows, i, r) {
		for (j = 0; j < TABLE_COLS && cols[j].key != NULL; j++) {
			cli_cell(json_object_get(r, cols[j].key), buf, sizeof(buf));
			if (width(buf) > w[j])
				w[j] = width(buf) > TABLE_CUT ? TABLE_CUT : width(buf);
		}
	}
	for (j = 0; j < TABLE_COLS && cols[j].key != NULL; j++)
		printf("%s%-*s", j ? "  " : "", cols[j + 1].key ? (int)w[j] : 0, cols[j].head);
	putchar('\n');
	json_array_foreach(rows, i, r) {
		for (j = 0; j < TABLE_COLS && cols[j].key != NULL; j++) {
			size_t b, n = 0;
			cli_cell(json_object_get(r, cols[j].key), buf, sizeof(buf));
			for (b = 0; buf[b] != '\0'; b++)
				if (((unsigned char)buf[b] & 0xc0) != 0x80 && ++n > TABLE_CUT)
					break;
			buf[b] = '\0';
			printf("%s%s", j ? "  " : "", buf);
			for (k = width(buf); k < w[j] && cols[j + 1].key != NULL; k++)
				putchar(' ');
		}
		putchar('\n');
	}
}

void
cli_key_table(json_t *rows, const char *const *keys)
{
	struct cli_col cols[TABLE_COLS + 1];
	size_t j;

	for (j = 0; j < TABLE_COLS && keys[j] != NULL; j++)
		cols[j] = (struct cli_col){keys[j], keys[j]};
	cols[j] = (struct cli_col){NULL, NULL};
	cli_table(rows, cols);
}

/* ---- files ---- */

FILE *
cli_csv_open(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");

	if (f == NULL)
		fprintf(stderr, "nehzat: cannot write '%s': %s\n", path, strerror(errno));
	return f;
}

int
cli_csv_close(FILE *f, const char *path, int rc)
{
	int e = f == stdout ? fflush(f) : fclose(f);

	if (rc == 0 && e != 0) {
		fprintf(stderr, "nehzat: cannot write '%s': %s\n", path, strerror(errno));
		return 1;
	}
	if (rc != 0) {
		fprintf(stderr, "nehzat: cannot write '%s'\n", path);
		return 1;
	}
	return 0;
}

int
cli_read_file(const char *path, long max, unsigned char **data, size_t *len, struct nz_err *err)
{
	FILE *f = fopen(path, "rb");
	long size;

	*data = NULL;
	*len = 0;
	if (f == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "cannot open '%s': %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	if (size > max) {
		fclose(f);
		return nz_fail(err, NZ_ETOOBIG, "'%s' is %ld bytes; at most %ld", path, size, max);
	}
	if ((*data = malloc((size_t)size + 1)) == NULL) {
		fclose(f);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	*len = fread(*data, 1, (size_t)size, f);
	if (*len != (size_t)size || ferror(f)) {
		fclose(f);
		free(*data);
		*data = NULL;
		*len = 0;
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	(*data)[*len] = '\0';
	fclose(f);
	return 0;
}

int
cli_write_file(const char *path, const void *data, size_t len, struct nz_err *err)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL)
		return nz_fail(err, NZ_EIO, "cannot write '%s'", path);
	ok = fwrite(data, 1, len, f) == len;
	if (fclose(f) != 0 || !ok)
		return nz_fail(err, NZ_EIO, "cannot write '%s'", path);
	return 0;
}

/* ---- endings ---- */

int
cli_done(struct node *n, int rc, const struct nz_err *err, const char *line)
{
	node_close(n);
	if (rc != 0)
		return cmd_fail(err);
	if (line != NULL)
		printf("%s\n", line);
	return 0;
}

/* ---- listings ---- */

int
cli_list_parse(const char *cmd, int argc, char **argv, unsigned extra, struct cli_list_opts *l, char **pos, int maxpos)
{
	struct cli_opt opts[6] = {CLI_VAL("--under", &l->under), CLI_VAL("--csv", &l->csv)};
	int k = 2, rc;

	memset(l, 0, sizeof(*l));
	if (extra & CLI_LIST_STATUS)
		opts[k++] = (struct cli_opt)CLI_VAL("--status", &l->status);
	if (extra & CLI_LIST_CATEGORY)
		opts[k++] = (struct cli_opt)CLI_VAL("--category", &l->category);
	if (extra & CLI_LIST_PENDING)
		opts[k++] = (struct cli_opt)CLI_FLAG("--pending", &l->pending);
	opts[k] = (struct cli_opt)CLI_END;
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, pos, maxpos, &l->npos)) != 0 ||
	    (rc = cli_check_unit(cmd, l->under)) != 0)
		return rc;
	if (l->status != NULL && reg_status_fa(l->status) == NULL)
		return cmd_usage("%s: '%s' is not a status", cmd, l->status);
	return 0;
}
