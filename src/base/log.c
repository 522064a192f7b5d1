#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum nz_log_level min_level = NZ_LOG_INFO;

void
nz_log_set_level(enum nz_log_level level)
{
	min_level = level;
}

void
nz_log(enum nz_log_level level, const char *key, const char *fmt, ...)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	char stamp[32], line[1024];
	struct tm tm;
	time_t now;
	va_list ap;

	if (level < min_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One fprintf call keeps a line whole when several threads log. */
	fprintf(stderr, "%s %s %s %s\n", stamp, names[level], key, line);
}
