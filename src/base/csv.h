#ifndef NZ_CSV_H
#define NZ_CSV_H

#include <stdio.h>

#include <jansson.h>

/*
 * The one CSV dialect every export writes (a listing's --csv, ranking,
 * completeness, allocation): RFC 4180 — UTF-8 without a byte-order mark,
 * lines ended by CRLF, a header row of the column names, a field quoted with
 * '"' (a quote inside doubled) when it holds a comma, a quote, CR or LF.
 * Values: text as it is; whole numbers in decimal; other numbers with up to
 * 15 significant digits ("76", "0.25"); booleans "true" and "false"; null or
 * absent empty; an object or array as compact JSON text.
 */

/* The flags of figures written as JSON for people and programs to read (the
 * CLI's --json and listings, the API): up to 15 significant digits, as in CSV,
 * so a computed 74.29 is not written 74.290000000000006. */
#define NZ_JSON_SHOWN JSON_REAL_PRECISION(15)

/* csv_text writes s as one field. */
void csv_text(FILE *f, const char *s);

/* csv_value writes v (NULL: absent) as one field of the dialect. */
void csv_value(FILE *f, json_t *v);

/* csv_write writes rows (a JSON array of objects) with a header of cols (NULL-terminated), or, when
 * cols is NULL, of the scalar members of the first row in their order; returns 0 or NZ_EIO when f
 * reports an error.  Nothing is taken from rows. */
int csv_write(FILE *f, json_t *rows, const char *const *cols);

#endif
