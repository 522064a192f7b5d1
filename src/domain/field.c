/* The rules of a field a person types (field.h). */
#include <string.h>

#include "base/fa.h"
#include "base/unit.h"
#include "domain/field.h"
#include "domain/record.h"

int
field_text(const char *what, const char *v, size_t max, bool required, struct nz_err *err)
{
	if (max == 0)
		max = FIELD_TEXT_MAX;
	if (required && (v == NULL || v[0] == '\0'))
		return nz_fail(err, NZ_EINVAL, "%s is required", what);
	if (v != NULL && strlen(v) > max)
		return nz_fail(err, NZ_EINVAL, "%s is %zu bytes; at most %zu", what, strlen(v), max);
	return 0;
}

void
field_phone_key(const char *v, char *out, size_t n)
{
	char k[64];
	size_t i, w = 0;

	fa_key(v, k, sizeof(k));
	for (i = 0; k[i] != '\0' && w + 1 < n; i++)
		if (k[i] >= '0' && k[i] <= '9')
			out[w++] = k[i];
	out[w] = '\0';
	if (strncmp(out, "0098", 4) == 0)
		memmove(out + 1, out + 4, strlen(out + 4) + 1);
	else if (strncmp(out, "98", 2) == 0 && strlen(out) == 12)
		memmove(out + 1, out + 2, strlen(out + 2) + 1);
	else
		return;
	out[0] = '0';
}

int
field_phone(const char *what, const char *v, char key[32], struct nz_err *err)
{
	char digits[32];
	int rc;

	if ((rc = field_text(what, v, 40, false, err)) != 0)
		return rc;
	field_phone_key(v != NULL ? v : "", digits, sizeof(digits));
	if (strlen(digits) < 7 || strlen(digits) > 15)
		return nz_fail(err, NZ_EINVAL, "%s '%s' is not a phone number: 7 to 15 digits", what,
				  v != NULL ? v : "");
	if (key != NULL)
		memcpy(key, digits, sizeof(digits));
	return 0;
}

int
field_unit(struct store *st, const char *what, const char *v, struct nz_err *err)
{
	int64_t all, one = 0;

	if (v == NULL || unit_level(v) < 0)
		return nz_fail(err, NZ_EINVAL, "%s: '%s' is not an org-unit code (IR, IR-07, IR-07-03)",
				  what, v != NULL ? v : "");
	/* Once the org-unit tree is imported, the unit must be in it. */
	if ((all = rec_scalar(st, "SELECT count(*) FROM orgunit WHERE deleted = 0", NULL, NULL)) < 0 ||
	    (all > 0 && (one = rec_scalar(st, "SELECT count(*) FROM orgunit WHERE deleted = 0 AND id = ?1", v, NULL)) < 0))
		return store_sqlerr(st, err, "orgunit");
	if (all > 0 && one == 0)
		return nz_fail(err, NZ_EINVAL, "%s: there is no org unit %s", what, v);
	return 0;
}

int
field_area(struct store *st, const char *what, const char *v, const char **out, struct nz_err *err)
{
	*out = v != NULL && v[0] ? v : store_node(st);
	if (unit_level(*out) < 0)
		return nz_fail_at(err, NZ_EINVAL, what, NULL, "%s '%s' is not an org-unit code", what, *out);
	if (!unit_within(*out, store_node(st)))
		return nz_fail_at(err, NZ_EDENIED, what, NULL, "%s %s lies outside this node's register (%s)", what,
				  *out, store_node(st));
	return 0;
}
