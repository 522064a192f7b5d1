/* The CSV dialect of every export (csv.h). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv.h"
#include "base/err.h"

void
csv_text(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
csv_value(FILE *f, json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		csv_text(f, json_string_value(v));
	} else if (json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
	} else if (json_is_real(v)) {
		fprintf(f, "%.15g", json_real_value(v));
	} else if (json_is_boolean(v)) {
		fputs(json_is_true(v) ? "true" : "false", f);
	} else if (v != NULL && !json_is_null(v)) {
		if ((s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)) != NULL)
			csv_text(f, s);
		free(s);
	}
}

/* scalar reports whether a member of the first row makes a column when no columns are given. */
static bool
scalar(json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

int
csv_write(FILE *f, json_t *rows, const char *const *cols)
{
	json_t *first = json_array_get(rows, 0), *r, *v;
	const char *k;
	size_t i;
	int j;

	if (cols != NULL) {
		for (j = 0; cols[j] != NULL; j++) {
			fputs(j ? "," : "", f);
			csv_text(f, cols[j]);
		}
		fputs("\r\n", f);
	} else if (first != NULL) {
		j = 0;
		json_object_foreach(first, k, v) {
			if (!scalar(v))
				continue;
			fputs(j++ ? "," : "", f);
			csv_text(f, k);
		}
		fputs("\r\n", f);
	}
	json_array_foreach(rows, i, r) {
		j = 0;
		if (cols != NULL) {
			for (j = 0; cols[j] != NULL; j++) {
				fputs(j ? "," : "", f);
				csv_value(f, json_object_get(r, cols[j]));
			}
		} else {
			json_object_foreach(first, k, v) {
				if (!scalar(v))
					continue;
				fputs(j++ ? "," : "", f);
				csv_value(f, json_object_get(r, k));
			}
		}
		fputs("\r\n", f);
	}
	return ferror(f) ? NZ_EIO : 0;
}
