/*
 * A main for a fuzz target without libFuzzer: runs LLVMFuzzerTestOneInput
 * on every file named (a directory: every file in it), or, with no
 * arguments, on the target's committed corpus, tests/fuzz/corpus/NAME
 * (FUZZ_NAME is set by the Makefile).  Prints TAP, one line per file: an
 * input that crashes, leaks (under ASan) or trips a check in the target
 * ends the run, so `make test` fails.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define INPUT_MAX (1 << 20)

static int n;

static int
one(const char *path)
{
	static uint8_t buf[INPUT_MAX];
	size_t len;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		printf("not ok %d - %s: cannot open\n", ++n, path);
		return 1;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	printf("ok %d - %s (%zu bytes)\n", ++n, path, len);
	return 0;
}

static int
cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* walk runs every file of directory path, in name order. */
static int
walk(const char *path)
{
	struct dirent *e;
	char **names = NULL, full[1024];
	size_t k = 0, cap = 0, i;
	int bad = 0;
	DIR *d;

	if ((d = opendir(path)) == NULL) {
		printf("not ok %d - %s: cannot open the directory\n", ++n, path);
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (k == cap && (names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof(*names))) == NULL)
			abort();
		names[k++] = strdup(e->d_name);
	}
	closedir(d);
	if (k > 0)
		qsort(names, k, sizeof(*names), cmp);
	for (i = 0; i < k; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, names[i]);
		bad |= one(full);
		free(names[i]);
	}
	free(names);
	return bad;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	int i, bad = 0;

	if (argc < 2)
		bad = walk("tests/fuzz/corpus/" FUZZ_NAME);
	for (i = 1; i < argc; i++)
		bad |= stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode) ? walk(argv[i]) : one(argv[i]);
	if (n == 0)
		printf("not ok 1 - no input in the corpus of %s\n", FUZZ_NAME), n = 1, bad = 1;
	printf("1..%d\n", n);
	return bad;
}
