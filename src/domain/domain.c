#include "domain/domain.h"

static const struct tbl_def *const all_tables[] = {
	&orgunit_table,
	&issue_table,
	NULL,
};

const struct tbl_def *const *
domain_tables(void)
{
	return all_tables;
}
