/* The subtree a node answers for: the check every consolidated figure starts with. */
#include "base/unit.h"
#include "domain/domain.h"

int
domain_check_under(struct store *st, const char *under, struct nz_err *err)
{
	if (unit_level(under) < 0)
		return nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", under);
	if (!unit_within(under, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "%s is outside this node's subtree (%s)", under, store_node(st));
	return 0;
}
