/* fuzz.h's helpers, linked into every fuzz target and its replay. */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "fuzz.h"

static char dir[256];

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static void
rm_dir(void)
{
	if (dir[0] != '\0')
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzz_dir(void)
{
	const char *t = getenv("TMPDIR");

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/nzfuzz.XXXXXX", t && t[0] ? t : "/tmp");
		if (mkdtemp(dir) == NULL) {
			perror("mkdtemp");
			abort();
		}
		atexit(rm_dir);
		nz_log_set_level(NZ_LOG_ERROR); /* a line per sync event would slow the fuzzer tenfold */
	}
	return dir;
}

const char *
fuzz_file(const char *name, const uint8_t *data, size_t n)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}
