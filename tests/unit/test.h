#ifndef NZ_TEST_H
#define NZ_TEST_H

/*
 * A small TAP producer for unit tests.  Each check prints "ok N - what" or
 * "not ok N - what" with both values on failure; TEST_DONE() prints the plan
 * and returns the exit status.  tests/run counts the lines.
 */
#include <ftw.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int t_count, t_failed;

static inline void
t_report(int ok, const char *file, int line, const char *what)
{
	t_count++;
	if (!ok)
		t_failed++;
	printf("%sok %d - %s (%s:%d)\n", ok ? "" : "not ", t_count, what, file, line);
}

#define CHECK(cond) t_report(!!(cond), __FILE__, __LINE__, #cond)

#define CHECK_INT(a, b)                                                              \
	do {                                                                         \
		long long t_a_ = (long long)(a), t_b_ = (long long)(b);              \
		t_report(t_a_ == t_b_, __FILE__, __LINE__, #a " == " #b);            \
		if (t_a_ != t_b_)                                                    \
			printf("#   got %lld, want %lld\n", t_a_, t_b_);             \
	} while (0)

#define CHECK_STR(a, b)                                                              \
	do {                                                                         \
		const char *t_a_ = (a), *t_b_ = (b);                                 \
		int t_ok_ = t_a_ && t_b_ && strcmp(t_a_, t_b_) == 0;                 \
		t_report(t_ok_, __FILE__, __LINE__, #a " == " #b);                   \
		if (!t_ok_)                                                          \
			printf("#   got \"%s\", want \"%s\"\n", t_a_ ? t_a_ : "(null)", \
			       t_b_ ? t_b_ : "(null)");                              \
	} while (0)

#define SKIP_ALL(why)                                                                \
	do {                                                                         \
		printf("1..0 # SKIP %s\n", why);                                     \
		return 0;                                                            \
	} while (0)

#define TEST_DONE()                                                                  \
	do {                                                                         \
		printf("1..%d\n", t_count);                                          \
		return t_failed != 0;                                                \
	} while (0)

/*
 * t_shared returns the path of a file in the shared data directory
 * ($NEHZAT_SHARED, default ../shared) in a static buffer, or NULL when it
 * is not there, so that tests needing it can skip cleanly.
 */
static inline const char *
t_shared(const char *rel)
{
	static char path[1024];
	const char *dir = getenv("NEHZAT_SHARED");
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "../shared", rel);
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	fclose(f);
	return path;
}

/* The directories t_tmpdir made; removed at exit unless a check failed or KEEP is set. */
static char t_dirs[64][256];
static int t_ndirs;

static inline int
t_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void
t_rm_dirs(void)
{
	int i;

	for (i = 0; i < t_ndirs; i++) {
		if (t_failed != 0 || getenv("KEEP") != NULL)
			printf("# kept %s\n", t_dirs[i]);
		else
			nftw(t_dirs[i], t_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
}

/*
 * t_xorshift steps the generator at *state (xorshift64, Marsaglia's 13, 7,
 * 17) and returns its new value: random histories a test can replay, from
 * the seed it starts *state at.
 */
static inline uint64_t
t_xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

/* t_pick is a number from 0 to n - 1 (n > 0) drawn from the generator at *state. */
static inline int
t_pick(uint64_t *state, int n)
{
	return (int)((uint32_t)(t_xorshift(state) >> 16) % (uint32_t)n);
}

/* t_tmpdir makes a fresh private directory for one test and returns it. */
static inline const char *
t_tmpdir(void)
{
	static char dir[256];
	const char *base = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/nzt.XXXXXX", base ? base : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
	if (t_ndirs < (int)(sizeof(t_dirs) / sizeof(t_dirs[0]))) {
		if (t_ndirs == 0)
			atexit(t_rm_dirs);
		memcpy(t_dirs[t_ndirs++], dir, sizeof(dir));
	}
	return dir;
}

#endif
