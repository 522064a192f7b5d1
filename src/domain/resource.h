#ifndef NZ_RESOURCE_H
#define NZ_RESOURCE_H

#include <stdbool.h>

#include <jansson.h>

#include "store/store.h"

/*
 * A replicated resource declared once: a simple record type (a facilitator's
 * designation, a key local actor) whose fields, rules, command line and API
 * come from one struct res_def.  The command line derives "nehzat NAME
 * add|set|retire|list" (node/cmd_resource.c), the API GET/POST
 * /resources/PLURAL, PATCH /resources/PLURAL/:id and POST
 * /resources/PLURAL/:id/retire (src/http/api_reg.c), all from the table
 * res_all() returns.  Records with a lifecycle (calls, solutions, reports)
 * keep their hand-written transitions; check is the hook for rules beyond the
 * flags.
 *
 * Its table (struct tbl_def) has the fields as text columns, plus "active"
 * (int) and "retired" (text, the date a record was retired).  A record is
 * owned by the node that adds it; a resource without a RES_UNIT field is
 * listed by its owner.
 */

/* What a field is: required, a date (Jalali or ISO, stored ISO), a phone number, an org unit (the listing
 * follows it), today when not given (with RES_DATE), shown in the listing's text table, a yes or no
 * (yes/no, بله/خیر, 1/0; stored "yes" or "no", "no" when not given), the consent the record's
 * RES_PRIVATE fields need (a RES_YESNO field), shown only when the RES_CONSENT field says yes. */
enum res_flag {
	RES_REQUIRED = 1 << 0,
	RES_DATE = 1 << 1,
	RES_PHONE = 1 << 2,
	RES_UNIT = 1 << 3,
	RES_TODAY = 1 << 4,
	RES_LIST = 1 << 5,
	RES_YESNO = 1 << 6,
	RES_CONSENT = 1 << 7,
	RES_PRIVATE = 1 << 8,
};

/* struct res_field is one field: its column and option name (--NAME), flags, the most bytes it takes
 * (0: 4000), and the word the synopsis shows for its value. */
struct res_field {
	const char *name;
	unsigned flags;
	int max_len;
	const char *value;
};

#define RES_FIELDS_MAX 16

/* struct res_def declares a resource. */
struct res_def {
	const char *name;     /* the command and the record: "facilitator" */
	const char *plural;   /* the API's path: "facilitators" */
	const char *summary;  /* the line of `nehzat --help` */
	const char *about;    /* what --help says of it */
	const struct tbl_def *tbl;
	const struct res_field *fields; /* closed by a NULL name */
	const char *national; /* writes at the national node only: what to call them when refusing */
	bool helpers;         /* helper users may write them too (the API's roles), not only staff */
	/* check, when set, is the resource's own rule on the values (one per field, NULL when absent). */
	int (*check)(struct store *st, const char *const *values, struct nz_err *err);
};

/* res_all returns the resources, closed by NULL. */
const struct res_def *const *res_all(void);

/* res_find returns the resource called name (or whose plural is name), or NULL. */
const struct res_def *res_find(const char *name);

/* res_add checks values (one per field of r, NULL when absent) by the fields' flags and r's check, writes
 * a new active record owned by this node and its id into id. */
int res_add(struct store *st, const struct res_def *r, const char *const *values, const char *author,
	    char id[NZ_RID_MAX], struct nz_err *err);

/* res_set assigns FIELD=VALUE pairs (argv-style, a field named as add's option names it) to record id
 * of r, each checked as res_add checks it, then r's check on the whole record; refused when the record
 * is absent or retired, a field unknown, or "active"/"retired" named (retire does that).  Nothing
 * changes on a refusal. */
int res_set(struct store *st, const struct res_def *r, const char *id, int npairs, char *const *pairs,
	    const char *author, struct nz_err *err);

/* res_retire makes record id of r inactive, dated today; refused when it is absent or retired already. */
int res_retire(struct store *st, const struct res_def *r, const char *id, const char *author, struct nz_err *err);

/* res_list returns the records of r whose unit field lies inside under or above it (under NULL: this node),
 * active ones unless all, with UNIT_name beside the unit, RES_PRIVATE fields "" unless consented; NULL
 * on a database error.  A resource without a unit field is listed by owner, inside under. */
json_t *res_list(struct store *st, const struct res_def *r, const char *under, bool all);

#endif
