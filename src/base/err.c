#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const messages[] = {
	"success",
	"out of memory",
	"invalid input",
	"not found",
	"already exists",
	"input/output error",
	"database error",
	"protocol error",
	"too big",
	"not allowed",
	"illegal state transition",
	"network error",
	"configuration error",
	"quota exhausted",
	"authentication failed",
	"version mismatch",
	"busy",
	"clock too far ahead",
};

const char *
nz_strerror(int code)
{
	if (code > 0 || code <= NZ_ECODES)
		return "unknown error";
	return messages[-code];
}

/* vfail records code and the formatted reason in err (not NULL). */
static int
vfail(struct nz_err *err, int code, const char *fmt, va_list ap)
{
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int
nz_fail(struct nz_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	vfail(err, code, fmt, ap);
	va_end(ap);
	return code;
}
int
nz_why(struct nz_err *err, const char *why, ...)
{
	const char *name, *val;
	va_list ap;

	if (err == NULL)
		return NZ_EINVAL; /* a refusal all the same: its code went with the NULL err */
	snprintf(err->why, sizeof(err->why), "%s", why);
	err->nparam = 0;
	va_start(ap, why);
	while ((name = va_arg(ap, const char *)) != NULL && (val = va_arg(ap, const char *)) != NULL &&
	       err->nparam < NZ_ERR_PARAMS) {
		snprintf(err->pname[err->nparam], sizeof(err->pname[0]), "%s", name);
		snprintf(err->pval[err->nparam], sizeof(err->pval[0]), "%s", val);
		err->nparam++;
	}
	va_end(ap);
	return err->code;
}

int
nz_fail_at(struct nz_err *err, int code, const char *field, const char *action, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	snprintf(err->field, sizeof(err->field), "%s", field != NULL ? field : "");
	snprintf(err->action, sizeof(err->action), "%s", action != NULL ? action : "");
	va_start(ap, fmt);
	vfail(err, code, fmt, ap);
	va_end(ap);
	return code;
}
void
nz_err_clear(struct nz_err *err)
{
	err->code = 0;
	err->msg[0] = '\0';
	err->why[0] = '\0';
	err->nparam = 0;
	err->field[0] = '\0';
	err->action[0] = '\0';
}
