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
#include "domain/selection.h"

/* ---- facilitators ---- */

#define NAME_MAX_BYTES 200

/* A phone number as applicants' are read (sel_phone_key): Persian digits too, 7 to 15 of them. */
static int
check_phone(const char *phone, struct nz_err *err)
{
	char digits[32];

	sel_phone_key(phone, digits, sizeof(digits));
	if (strlen(phone) > 40 || strlen(digits) < 7 || strlen(digits) > 15)
		return nz_fail(err, NZ_EINVAL, "phone '%s' is not a phone number: 7 to 15 digits", phone);
	return 0;
}

int
fac_add(struct store *st, const struct fac_input *in, const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	char date[11];
	struct colset *cs;
	int rc;

	if ((rc = reg_national_only(st, "facilitator designations", err)) != 0)
		return rc;
	if (in->name == NULL || in->name[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "a facilitator needs a name (--name)");
	if (strlen(in->name) > NAME_MAX_BYTES)
		return nz_fail(err, NZ_EINVAL, "name is %zu bytes; at most %d", strlen(in->name), NAME_MAX_BYTES);
	if (in->serves == NULL || unit_level(in->serves) < 0)
		return nz_fail(err, NZ_EINVAL, "serves: '%s' is not an org-unit code (IR, IR-07, IR-07-03)",
			       nz_str(in->serves));
	/* Once the org-unit tree is imported, the unit must be in it. */
	if (reg_scalar(st, "SELECT count(*) FROM orgunit WHERE deleted = 0", NULL, NULL) > 0 &&
	    reg_scalar(st, "SELECT count(*) FROM orgunit WHERE id = ?1 AND deleted = 0", in->serves, NULL) == 0)
		return nz_fail(err, NZ_EINVAL, "serves: there is no org unit %s", in->serves);
	if (in->phone != NULL && in->phone[0] != '\0' && (rc = check_phone(in->phone, err)) != 0)
		return rc;
	if ((rc = reg_check_text("notes", in->notes, err)) != 0)
		return rc;
	if (in->designated != NULL && in->designated[0] != '\0') {
		if ((rc = date_parse("date designated", in->designated, date, err)) != 0)
			return rc;
	} else {
		nz_today(date);
	}
	cs = colset_new();
	colset_text(cs, "name", in->name);
	colset_text(cs, "phone", nz_str(in->phone));
	colset_text(cs, "serves", in->serves);
	colset_text(cs, "designated", date);
	colset_int(cs, "active", 1);
	colset_text(cs, "retired", "");
	colset_text(cs, "notes", nz_str(in->notes));
	store_new_id(id);
	rc = store_write(st, "facilitator", id, store_node(st), cs, author, err);
	colset_free(cs);
	return rc;
}

int
fac_retire(struct store *st, const char *id, const char *author, struct nz_err *err)
{
	char today[11];
	struct colset *cs;
	int64_t active;
	int rc;

	if ((rc = reg_national_only(st, "facilitator designations", err)) != 0)
		return rc;
	active = reg_scalar(st, "SELECT CASE WHEN active THEN 1 ELSE 2 END FROM facilitator WHERE id = ?1 AND deleted = 0",
			id, NULL);
	if (active == 0)
		return nz_fail(err, NZ_ENOTFOUND, "no facilitator with id '%s'", id);
	if (active == 2)
		return nz_fail(err, NZ_ESTATE, "facilitator '%s' is retired already", id);
	nz_today(today);
	cs = colset_new();
	colset_int(cs, "active", 0);
	colset_text(cs, "retired", today);
	rc = store_write(st, "facilitator", id, store_node(st), cs, author, err);
	colset_free(cs);
	return rc;
}

json_t *
fac_list(struct store *st, const char *under, bool all)
{
	/* Those serving inside under, and those serving a unit above it (a province's serve its counties). */
	return reg_query(st,
		     "SELECT id, name, phone, serves,"
		     " (SELECT name_fa FROM orgunit o WHERE o.id = f.serves AND o.deleted = 0) AS serves_name,"
		     " designated, active, retired, notes FROM facilitator f WHERE deleted = 0"
		     " AND (" UNIT_SQL_UNDER("serves") " OR substr(?1, 1, length(serves) + 1) = serves || '-')"
		     " AND (?2 IS NOT NULL OR active = 1) ORDER BY serves, name, id",
		     under, all ? "all" : NULL, NULL);
}
