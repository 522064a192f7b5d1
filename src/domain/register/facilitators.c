/*
 * تسهیلگران: facilitators designated by the national secretariat.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"
#include "domain/resource.h"

/* ---- facilitators, a resource declared once (domain/resource.h) ---- */

static const struct res_field fac_fields[] = {
	{"name", RES_REQUIRED | RES_LIST, 200, "N", NULL},
	{"serves", RES_REQUIRED | RES_UNIT | RES_LIST, 0, "CODE", NULL},
	{"phone", RES_PHONE | RES_LIST, 0, "P", NULL},
	{"designated", RES_DATE | RES_TODAY | RES_LIST, 0, "D", NULL},
	{"notes", 0, 0, "T", NULL},
	{NULL, 0, 0, NULL, NULL},
};

const struct res_def facilitator_res = {
	.name = "facilitator",
	.plural = "facilitators",
	.summary = "facilitators designated nationally (تسهیلگر): add, set, retire, list, show",
	.about = "Facilitators (تسهیلگر) are chosen by the national secretariat (the guideline's definition 3):\n"
		 "add and retire run at the national node only, and the designations reach every node.\n"
		 "--serves names the org unit a facilitator works for (IR, a province or a county); list\n"
		 "shows those serving inside --under or a unit above it, active ones unless --all.\n",
	.tbl = &facilitator_table,
	.fields = fac_fields,
	.national = "facilitator designations",
};

int
fac_add(struct store *st, const struct fac_input *in, const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	const char *values[] = {in->name, in->serves, in->phone, in->designated, in->notes};

	return res_add(st, &facilitator_res, values, author, id, err);
}

int
fac_retire(struct store *st, const char *id, const char *author, struct nz_err *err)
{
	return res_retire(st, &facilitator_res, id, author, err);
}

json_t *
fac_list(struct store *st, const char *under, bool all)
{
	return res_list(st, &facilitator_res, under, all);
}
