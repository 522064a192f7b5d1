#include "store/hlc.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t
hlc_make(uint64_t ms, uint16_t logical)
{
	return (ms << HLC_LOGICAL_BITS) | logical;
}

uint64_t
hlc_ms(uint64_t hlc)
{
	return hlc >> HLC_LOGICAL_BITS;
}

uint64_t
hlc_tick(uint64_t last, uint64_t wall_ms)
{
	/*
	 * When the counter of the current millisecond is exhausted, borrow the
	 * next millisecond: the clock runs slightly ahead rather than repeat.
	 */
	if (wall_ms > hlc_ms(last))
		return hlc_make(wall_ms, 0);
	return last + 1;
}

uint64_t
hlc_recv(uint64_t last, uint64_t remote, uint64_t wall_ms)
{
	uint64_t m = last > remote ? last : remote;

	if (wall_ms > hlc_ms(m))
		return hlc_make(wall_ms, 0);
	return m + 1;
}

static int have_skew = -1;
static long long skew;

void
hlc_set_skew_ms(long long skew_ms)
{
	skew = skew_ms;
	have_skew = 1;
}

uint64_t
hlc_wall_ms(void)
{
	struct timespec ts;
	long long ms;

	if (have_skew < 0) {
		const char *s = getenv("NEHZAT_CLOCK_SKEW_MS");
		skew = s ? strtoll(s, NULL, 10) : 0;
		have_skew = 1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + skew;
	return ms < 0 ? 0 : (uint64_t)ms;
}

void
hlc_format(uint64_t hlc, char *buf, unsigned long n)
{
	uint64_t ms = hlc_ms(hlc);
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char stamp[32];

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03uZ+%u", stamp, (unsigned)(ms % 1000),
		 (unsigned)(hlc & HLC_LOGICAL_MASK));
}
