/* src/base helpers: the CSV dialect every export writes. */
#include <jansson.h>

#include "base/csv.h"
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

int
main(void)
{
	test_csv();
	TEST_DONE();
}
