/*
 * The replicated resources of the register (resource.h), each declared
 * once: this table is all the command line and the API need to give it
 * add, set, retire, list and show.  A new simple record type is its columns, its
 * struct tbl_def and its struct res_def here, and a line in the list below.
 */
#include <stddef.h>

#include "domain/register.h"
#include "domain/resource.h"

static const struct res_def *const resources[] = {
	&facilitator_res,
	&actor_res,
	&organisation_res,
	NULL,
};

const struct res_def *const *
res_all(void)
{
	return resources;
}
