/* What the invariant checks share: how a violation is reported.  The table is in check_table.c. */
#include <stdarg.h>
#include <stdio.h>

#include "domain/check.h"

void
check_violation(json_t *out, const char *check, const char *owner, json_t *records, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(out,
			      json_pack("{s:s, s:s, s:s, s:o}", "check", check, "owner", owner, "message",
					msg, "records", records != NULL ? records : json_array()));
}
