/*
 * تسهیلگران: facilitators designated by the national secretariat, a
 * resource declared once (domain/resource.h) whose command line and API
 * come from the declaration below.
 */
#include <stddef.h>

#include "domain/register/reg_int.h"
#include "domain/resource.h"

static const struct col_def fac_cols[] = {
	{"name", COL_TEXT},
	{"phone", COL_TEXT},
	{"serves", COL_TEXT},
	{"designated", COL_TEXT},
	{"active", COL_INT},
	{"retired", COL_TEXT},
	{"notes", COL_TEXT},
	{NULL, 0},
};

static const char *const fac_idx[] = {"serves", NULL};

/* Chosen by the national secretariat (guideline, definition 3), seen by every node. */
static const struct tbl_def facilitator_table = {"facilitator", VIS_DIRECTIVE, fac_cols, fac_idx};

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
