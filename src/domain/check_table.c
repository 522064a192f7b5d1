/* The node's invariant report: a table of check functions, run in order. */
#include <stdio.h>

#include "base/unit.h"
#include "domain/check.h"
#include "domain/selection.h"

static const struct check_def all_checks[] = {
	{"selection.quota", "secretariats holding more appointed groups than their quota", sel_check_quota},
	{"selection.decree", "one decree number on two active appointments of a secretariat",
	 sel_check_decree},
	{"selection.double", "groups holding two active appointments", sel_check_double},
	{NULL, NULL, NULL},
};

const struct check_def *
check_all(void)
{
	return all_checks;
}

int
check_run(struct store *st, const char *under, json_t **out, struct nz_err *err)
{
	json_t *all = json_array(), *kept = json_array(), *v;
	size_t i;
	int k, rc = 0;

	*out = NULL;
	for (k = 0; all_checks[k].name != NULL; k++)
		if ((rc = all_checks[k].fn(st, all, err)) != 0)
			goto out;
	json_array_foreach(all, i, v) {
		const char *owner = json_string_value(json_object_get(v, "owner"));
		if (under == NULL || (owner != NULL && unit_within(owner, under)))
			json_array_append(kept, v);
	}
	*out = kept;
	kept = NULL;
out:
	json_decref(all);
	json_decref(kept);
	return rc;
}
