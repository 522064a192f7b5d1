#ifndef NZ_RESOURCE_H
#define NZ_RESOURCE_H

#include <stdbool.h>

#include <jansson.h>

#include "store/store.h"

/*
 * A replicated resource declared once: a simple record type (a facilitator's
 * designation, a key local actor, an organisation) whose fields, rules,
 * command line and API come from one struct res_def.  The command line
 * derives "nehzat NAME add|set|retire|list|show" (node/cmd_resource.c), the
 * API GET/POST /resources/PLURAL, GET and PATCH /resources/PLURAL/:id and POST
 * /resources/PLURAL/:id/retire (src/http/api_res.c), all from the table
 * res_all() returns.  Records with a lifecycle (calls, solutions, reports,
 * an organisation's introductions) keep their hand-written transitions on
 * top; check is the hook for rules beyond the flags.
 *
 * Its table (struct tbl_def) has the fields as text columns (but the
 * RES_OWNER one), plus "active" (int) and "retired" (text, the date a record
 * was retired), appended last when a record type becomes a resource: the
 * table grows them at the next opening (store.c), and a record written before
 * has them NULL, which reads as active and never retired, here and wherever
 * it replicates (no migration rewrites it: a change not in the change log
 * would part the digests of nodes that converged).  A record is owned by the
 * node that adds it, or by the org unit its RES_OWNER field names; a resource
 * without a RES_UNIT field is listed by its owner.
 */

/* What a field is: required, a date (Jalali or ISO, stored ISO), a phone number, an org unit (the listing
 * follows it), today when not given (with RES_DATE), shown in the listing's text table, a yes or no
 * (yes/no, بله/خیر, 1/0; stored "yes" or "no", "no" when not given), the consent the record's
 * RES_PRIVATE fields need (a RES_YESNO field), shown only when the RES_CONSENT field says yes, the
 * record's owner: an org unit of this node's subtree (this node when not given) that is no column,
 * which set does not change and the listing shows as "owner". */
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
	RES_OWNER = 1 << 9,
};

/* struct res_field is one field: its column and option name (--NAME), flags, the most bytes it takes
 * (0: 4000), the word the synopsis shows for its value, and another name the command line (--ALIAS),
 * the API and set take for it (NULL: none), so that a record type keeps the options it had. */
struct res_field {
	const char *name;
	unsigned flags;
	int max_len;
	const char *value;
	const char *alias;
};

/* struct res_calc is a column the listing computes: its name and an SQL expression of the record,
 * which is called r (e.g. a count of the records naming r.id); it is listed after the fields. */
struct res_calc {
	const char *name;
	const char *sql;
};

#define RES_FIELDS_MAX 16
#define RES_CALC_MAX 8

/* struct res_def declares a resource. */
struct res_def {
	const char *name;     /* the record: "facilitator"; the command too unless command says otherwise */
	const char *plural;   /* the API's path: "facilitators" */
	const char *command;  /* the command, when not name ("org"); NULL: name */
	const char *summary;  /* the line of `nehzat --help` */
	const char *about;    /* what --help says of it */
	const struct tbl_def *tbl;
	const struct res_field *fields; /* closed by a NULL name */
	const struct res_calc *calc;    /* closed by a NULL name; NULL: none */
	const char *national; /* writes at the national node only: what to call them when refusing */
	bool helpers;         /* helper users may write them too (the API's roles), not only staff */
	/* check, when set, is the resource's own rule on the values (one per field, NULL when absent). */
	int (*check)(struct store *st, const char *const *values, struct nz_err *err);
	/* detail, when set, adds to record *rec of id what show gives beyond the listing's columns (on a
	 * failed read: *rec released and NULL, an error returned, as rec_attach does). */
	int (*detail)(struct store *st, const char *id, json_t **rec, struct nz_err *err);
};

/* res_all returns the resources, closed by NULL. */
const struct res_def *const *res_all(void);

/* res_find returns the resource called name (or whose plural or command is name), or NULL. */
const struct res_def *res_find(const char *name);

/* res_command returns the command of r: its command, else its name. */
const char *res_command(const struct res_def *r);

/* res_add checks values (one per field of r, NULL when absent) by the fields' flags and r's check, writes
 * a new active record owned by this node (or the unit its RES_OWNER field names) and its id into id. */
int res_add(struct store *st, const struct res_def *r, const char *const *values, const char *author,
	    char id[NZ_RID_MAX], struct nz_err *err);

/* res_set assigns FIELD=VALUE pairs (argv-style, a field named as add's option or its alias names it)
 * to record id of r, each checked as res_add checks it, then r's check on the whole record; refused
 * when the record is absent or retired, a field unknown or the owner, or "active"/"retired" named
 * (retire does that).  Nothing changes on a refusal. */
int res_set(struct store *st, const struct res_def *r, const char *id, int npairs, char *const *pairs,
	    const char *author, struct nz_err *err);

/* res_active returns 1 when record id of r is active, 0 when it is retired, NZ_ENOTFOUND when it is absent
 * and NZ_EDB when it cannot be read (err saying which): for the transitions written on top of a resource. */
int res_active(struct store *st, const struct res_def *r, const char *id, struct nz_err *err);

/* res_retire makes record id of r inactive, dated today; refused when it is absent or retired already. */
int res_retire(struct store *st, const struct res_def *r, const char *id, const char *author, struct nz_err *err);

/* res_list returns the records of r whose unit field lies inside under or above it (under NULL: this node),
 * active ones unless all, with UNIT_name beside the unit, RES_PRIVATE fields "" unless consented, then
 * r's computed columns, "active" and "retired"; NULL on a database error.  A resource without a unit
 * field is listed by owner, inside under. */
json_t *res_list(struct store *st, const struct res_def *r, const char *under, bool all);

/* res_get reads record id of r (retired too, whoever owns it) into *out as res_list lists it, with what
 * r's detail adds (record.h's convention for reads: NZ_ENOTFOUND when absent, NZ_EDB when unread). */
int res_get(struct store *st, const struct res_def *r, const char *id, json_t **out, struct nz_err *err);

#endif
