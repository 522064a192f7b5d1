/* src/base helpers (the CSV dialect, Persian text, org-unit codes and the subtree in SQL) and the domain's
 * reading of rows, which must tell a database error from an empty list. */
#include <jansson.h>
#include <sqlite3.h>

#include "base/csv.h"
#include "base/fa.h"
#include "base/unit.h"
#include "domain/record.h"
#include "test.h"

/* csv_of runs csv_write on the JSON text rows into a string the caller frees. */
static char *
csv_of(const char *rows, const char *const *cols)
{
	json_t *j = json_loads(rows, 0, NULL);
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	CHECK_INT(csv_write(f, j, cols), 0);
	fclose(f);
	json_decref(j);
	return out;
}

static void
test_csv(void)
{
	static const char *const cols[] = {"a", "b", "missing", NULL};
	char *s;

	s = csv_of("[{\"a\": \"x,y\", \"b\": true}, {\"a\": \"say \\\"hi\\\"\", \"b\": false}]", cols);
	CHECK_STR(s, "a,b,missing\r\n\"x,y\",true,\r\n\"say \"\"hi\"\"\",false,\r\n");
	free(s);
	s = csv_of("[{\"n\": 7, \"r\": 76.0, \"q\": 0.25, \"z\": null, \"nest\": [1], \"t\": \"line\\nbreak\"}]", NULL);
	CHECK_STR(s, "n,r,q,z,t\r\n7,76,0.25,,\"line\nbreak\"\r\n");
	free(s);
	s = csv_of("[{\"o\": {\"k\": 1}}]", (const char *const[]){"o", NULL});
	CHECK_STR(s, "o\r\n\"{\"\"k\"\":1}\"\r\n");
	free(s);
	s = csv_of("[]", NULL);
	CHECK_STR(s, "");
	free(s);
	s = csv_of("[{\"fa\": \"تهران\"}]", NULL);
	CHECK_STR(s, "fa\r\nتهران\r\n");
	free(s);
}

static void
test_fa(void)
{
	const char *p = "۷٣x";
	char buf[32], small[4];

	CHECK_INT(fa_digit(&p), 7);
	CHECK_INT(fa_digit(&p), 3);
	CHECK_INT(fa_digit(&p), -1);
	CHECK_STR(p, "x");
	CHECK_INT(fa_ascii("۱۲٫۵", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "12.5");
	CHECK_INT(fa_ascii("۱٬۰۰۰ ریال", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "1000 ریال");
	CHECK_INT(fa_ascii("٠٩-12", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "09-12");
	CHECK_INT(fa_ascii("12345", small, sizeof(small)), -1);
	CHECK_STR(small, "123");
	CHECK_INT(fa_persian("1405-09/7 x", buf, sizeof(buf)), 0);
	CHECK_STR(buf, "۱۴۰۵-۰۹/۷ x");
	CHECK_INT(fa_ascii(buf, small, sizeof(small)), -1); /* and back, cut to fit */
	CHECK_STR(small, "140");
	CHECK_INT(fa_persian("12", small, sizeof(small)), -1); /* never half a digit */
	CHECK_STR(small, "۱");
	CHECK_INT(fa_persian("a1", small, sizeof(small)), 0);
	CHECK_STR(small, "a۱");
	fa_key("گروه\u200cجهادی کوثر", small, 1); /* no room: empty, never overrun */
	CHECK_STR(small, "");
	{
		char a[64], b[64];
		fa_key("گروه جهادي كوثر ۱۲", a, sizeof(a));
		fa_key("گروه\xe2\x80\x8cجهادی-کوثر 12", b, sizeof(b));
		CHECK_STR(a, b);
		fa_key("Ab.C", a, sizeof(a));
		CHECK_STR(a, "abc");
		fa_key(NULL, a, sizeof(a));
		CHECK_STR(a, "");
	}
}

/* count_sql counts the owners of a small table that the condition cond (on column owner, ?1 = p) keeps. */
static int
count_sql(sqlite3 *db, const char *cond, const char *p)
{
	char sql[512];
	sqlite3_stmt *q;
	int n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE %s", cond);
	if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
		return -2;
	if (p != NULL)
		sqlite3_bind_text(q, 1, p, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	return n;
}

static void
test_unit(void)
{
	char out[NZ_ID_MAX];
	sqlite3 *db;

	CHECK_INT(unit_code_len(NZ_LEVEL_NATIONAL), 2);
	CHECK_INT(unit_code_len(NZ_LEVEL_PROVINCE), 5);
	CHECK_INT(unit_code_len(NZ_LEVEL_COUNTY), 8);
	CHECK_INT(unit_child_len("IR"), 5);
	CHECK_INT(unit_child_len("IR-07"), 8);
	CHECK_INT(unit_toward("IR", "IR-07-03", out), 0);
	CHECK_STR(out, "IR-07");
	CHECK_INT(unit_toward("IR-07", "IR-07-03", out), 0);
	CHECK_STR(out, "IR-07-03");
	CHECK_INT(unit_toward("IR-07", "IR-07", out), -1);
	CHECK_STR(out, "IR-07");
	CHECK_INT(unit_toward("IR-07", "IR-08-01", out), -1);
	CHECK_STR(out, "IR-07");
	CHECK_INT(unit_toward("IR-07-03", "IR-07-03", out), -1);
	CHECK_INT(sqlite3_open(":memory:", &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db,
			       "CREATE TABLE t (owner TEXT); INSERT INTO t VALUES ('IR'), ('IR-07'), ('IR-07-03'),"
			       " ('IR-07-04'), ('IR-08'), ('IR-08-01'), ('IR-10')",
			       NULL, NULL, NULL),
		  SQLITE_OK);
	CHECK_INT(count_sql(db, UNIT_SQL_WITHIN("owner", "?1"), "IR-07"), 3);
	CHECK_INT(count_sql(db, UNIT_SQL_BELOW("owner", "?1"), "IR-07"), 2);
	CHECK_INT(count_sql(db, UNIT_SQL_BELOW("owner", "?1"), "IR"), 6);
	CHECK_INT(count_sql(db, UNIT_SQL_UNDER("owner"), "IR-08"), 2);
	CHECK_INT(count_sql(db, UNIT_SQL_UNDER("owner"), NULL), 7);
	CHECK_INT(count_sql(db, UNIT_SQL_BELOW("?1", "owner"), "IR-07-03"), 2); /* IR and IR-07 hold it */
	{
		/* rec_rows: rows, an empty list, and a failing step that is not taken for one. */
		sqlite3_stmt *q;
		json_t *a;
		CHECK_INT(sqlite3_prepare_v2(db, "SELECT owner FROM t WHERE " UNIT_SQL_BELOW("owner", "'IR-08'"), -1, &q,
					     NULL),
			  SQLITE_OK);
		a = rec_rows(q, NULL);
		CHECK_INT(json_array_size(a), 1);
		CHECK_STR(json_string_value(json_object_get(json_array_get(a, 0), "owner")), "IR-08-01");
		json_decref(a);
		sqlite3_finalize(q);
		CHECK_INT(sqlite3_prepare_v2(db, "SELECT owner FROM t WHERE owner = 'XX'", -1, &q, NULL), SQLITE_OK);
		a = rec_rows(q, NULL);
		CHECK(a != NULL && json_array_size(a) == 0);
		json_decref(a);
		sqlite3_finalize(q);
		CHECK_INT(sqlite3_prepare_v2(db, "SELECT abs(-9223372036854775807 - 1) FROM t", -1, &q, NULL), SQLITE_OK);
		CHECK(rec_rows(q, NULL) == NULL);
		sqlite3_finalize(q);
		CHECK(rec_rows(NULL, NULL) == NULL);
	}
	sqlite3_close(db);
}

int
main(void)
{
	test_unit();
	test_csv();
	test_fa();
	TEST_DONE();
}
