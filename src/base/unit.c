#include "base/unit.h"

#include <stdio.h>
#include <string.h>

static bool
two_digits(const char *s)
{
	return s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9';
}

int
unit_level(const char *code)
{
	size_t n;

	if (code == NULL)
		return -1;
	n = strlen(code);
	if (strncmp(code, "IR", 2) != 0)
		return -1;
	if (n == 2)
		return NZ_LEVEL_NATIONAL;
	if (n == 5 && code[2] == '-' && two_digits(code + 3))
		return NZ_LEVEL_PROVINCE;
	if (n == 8 && code[2] == '-' && two_digits(code + 3) && code[5] == '-' &&
	    two_digits(code + 6))
		return NZ_LEVEL_COUNTY;
	return -1;
}

const char *
unit_level_name(int level)
{
	switch (level) {
	case NZ_LEVEL_NATIONAL:
		return "national";
	case NZ_LEVEL_PROVINCE:
		return "province";
	case NZ_LEVEL_COUNTY:
		return "county";
	}
	return "invalid";
}

bool
unit_within(const char *code, const char *anc)
{
	size_t n = strlen(anc);

	if (strncmp(code, anc, n) != 0)
		return false;
	return code[n] == '\0' || code[n] == '-';
}

int
unit_parent(const char *code, char out[NZ_ID_MAX])
{
	const char *dash = strrchr(code, '-');
	size_t n;

	if (unit_level(code) <= 0 || dash == NULL)
		return -1;
	n = (size_t)(dash - code);
	memcpy(out, code, n);
	out[n] = '\0';
	return 0;
}

int
unit_from_sci(const char *sci, char out[NZ_ID_MAX])
{
	size_t n = strlen(sci);

	if (n == 2 && two_digits(sci)) {
		memcpy(out, "IR-", 3);
		memcpy(out + 3, sci, 2);
		out[5] = '\0';
		return 0;
	}
	if (n == 4 && two_digits(sci) && two_digits(sci + 2)) {
		memcpy(out, "IR-", 3);
		memcpy(out + 3, sci, 2);
		out[5] = '-';
		memcpy(out + 6, sci + 2, 2);
		out[8] = '\0';
		return 0;
	}
	return -1;
}

size_t
unit_code_len(int level)
{
	return level == NZ_LEVEL_NATIONAL ? 2 : level == NZ_LEVEL_PROVINCE ? 5 : 8;
}

size_t
unit_child_len(const char *code)
{
	return unit_level(code) == NZ_LEVEL_NATIONAL ? 5 : 8;
}

int
unit_toward(const char *base, const char *unit, char out[NZ_ID_MAX])
{
	size_t len = unit_child_len(base);

	if (strcmp(unit, base) == 0 || !unit_within(unit, base) || strlen(unit) < len) {
		snprintf(out, NZ_ID_MAX, "%s", base);
		return -1;
	}
	snprintf(out, NZ_ID_MAX, "%.*s", (int)len, unit);
	return 0;
}
