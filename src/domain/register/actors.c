/*
 * کنشگران کلیدی و معتمدین محلی: a secretariat's register of its area's key
 * local actors and trusted figures (guideline art. 1 goal 4: "identifying the
 * neighbourhood's key actors"), whom deliberation sessions involve
 * (art. 4-2).  A resource declared once (domain/resource.h): the command
 * line and the API come from the declaration below.
 */
#include <stddef.h>

#include "domain/register/reg_int.h"
#include "domain/resource.h"

static const struct col_def actor_cols[] = {
	{"name", COL_TEXT},
	{"role", COL_TEXT},          /* امام جماعت، معتمد محل، مدیر مدرسه... */
	{"neighbourhood", COL_TEXT}, /* محله or village of the secretariat's area */
	{"contact", COL_TEXT},       /* a phone number, shown only with consent */
	{"consent", COL_TEXT},       /* yes: agreed to be contacted */
	{"notes", COL_TEXT},
	{"active", COL_INT},
	{"retired", COL_TEXT},
	{NULL, 0},
};

/* Owned by the secretariat that registers them; seen by it and the levels above. */
static const struct tbl_def actor_table = {"actor", VIS_OWNED, actor_cols, NULL};

static const struct res_field actor_fields[] = {
	{"name", RES_REQUIRED | RES_LIST, 200, "N", NULL},
	{"role", RES_REQUIRED | RES_LIST, 200, "R", NULL},
	{"neighbourhood", RES_LIST, 200, "NB", NULL},
	{"contact", RES_PHONE | RES_PRIVATE | RES_LIST, 0, "PHONE", NULL},
	{"consent", RES_YESNO | RES_CONSENT | RES_LIST, 0, "yes|no", NULL},
	{"notes", 0, 0, "T", NULL},
	{NULL, 0, 0, NULL, NULL},
};

const struct res_def actor_res = {
	.name = "actor",
	.plural = "actors",
	.summary = "key local actors and trusted figures (کنشگران کلیدی و معتمدین): add, set, retire, list, show",
	.about = "The secretariat's register of its area's key local actors and trusted figures (guideline\n"
		 "art. 1-4): a mosque's imam, a neighbourhood's elder, a school head.  --role says what they are,\n"
		 "--neighbourhood where; --contact is a phone number, shown (in listings, sessions, the API) only\n"
		 "when --consent yes (بله) records that they agreed to be contacted.  A deliberation session lists\n"
		 "those who took part (session add --actor ID, session actors).  Records belong to the node that\n"
		 "adds them and reach the levels above; list shows those owned inside --under.\n",
	.tbl = &actor_table,
	.fields = actor_fields,
	.helpers = true,
};
