/*
 * سازمان های مردم نهاد: organisations found by helper groups, and their
 * introductions to public bodies.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/register/reg_int.h"

/* ---- organisations ---- */

int
org_add(struct store *st, const struct org_input *in, const char *author, char id[NZ_RID_MAX],
	struct nz_err *err)
{
	const char *area;
	char date[11];
	struct colset *cs;
	int rc;

	if (in->name == NULL || in->name[0] == '\0')
		return nz_fail_at(err, NZ_EINVAL, "name", NULL, "an organisation needs a name");
	if ((rc = reg_check_area(st, in->area, &area, err)) != 0 || (rc = field_text("name", in->name, 0, false, err)) != 0 ||
	    (rc = field_text("notes", in->notes, 0, false, err)) != 0 || (rc = field_text("kind", in->kind, 0, false, err)) != 0 ||
	    (rc = field_text("field", in->field, 0, false, err)) != 0 || (rc = field_text("contact", in->contact, 0, false, err)) != 0 ||
	    (rc = field_text("identified by", in->identified_by, 0, false, err)) != 0)
		return rc;
	if (in->date != NULL && in->date[0] != '\0') {
		if ((rc = date_parse("date identified", in->date, date, err)) != 0)
			return rc;
	} else {
		nz_today(date);
	}
	cs = colset_new();
	colset_text(cs, "name", in->name);
	colset_text(cs, "kind", nz_str(in->kind));
	colset_text(cs, "field", nz_str(in->field));
	colset_text(cs, "contact", nz_str(in->contact));
	colset_text(cs, "identified_by", nz_str(in->identified_by));
	colset_text(cs, "identified", date);
	colset_text(cs, "notes", nz_str(in->notes));
	store_new_id(id);
	return rec_write(st, "organisation", id, area, cs, author, err);
}

int
org_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author, struct nz_err *err)
{
	static const char *const dates[] = {"identified", NULL};
	static const char *const aliases[] = {"by", "identified_by", "date", "identified", NULL};
	int i;

	for (i = 0; i < npairs; i++)
		if (strcmp(pairs[i], "name=") == 0)
			return nz_fail(err, NZ_EINVAL, "an organisation's name cannot be empty");
	return reg_set_pairs(st, &organisation_table, "organisation", id, npairs, pairs, NULL, dates, aliases, author,
			     err);
}

static int
check_outcome(const char *outcome, struct nz_err *err)
{
	if (strcmp(outcome, "pending") == 0 || strcmp(outcome, "accepted") == 0 || strcmp(outcome, "declined") == 0)
		return 0;
	return nz_fail(err, NZ_EINVAL, "outcome '%s' is not one of pending, accepted, declined", outcome);
}

int
org_introduce(struct store *st, const char *org, const char *body, const char *level, const char *date,
	      const char *outcome, const char *notes, const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	char owner[NZ_ID_MAX], when[11], today[11];
	struct colset *cs;
	int rc;

	if ((rc = rec_owner(st, &organisation_table, nz_str(org), "organisation", owner, err)) != 0)
		return rc;
	if (body == NULL || body[0] == '\0')
		return nz_fail_at(err, NZ_EINVAL, "body", NULL, "name the body it is introduced to");
	if (level == NULL || (strcmp(level, "province") != 0 && strcmp(level, "county") != 0))
		return nz_fail(err, NZ_EINVAL, "level '%s' is not province or county", nz_str(level));
	if (outcome == NULL || outcome[0] == '\0')
		outcome = "pending";
	if ((rc = check_outcome(outcome, err)) != 0 || (rc = field_text("body", body, 0, false, err)) != 0 ||
	    (rc = field_text("notes", notes, 0, false, err)) != 0)
		return rc;
	if (date != NULL && date[0] != '\0') {
		if ((rc = date_parse("introduction date", date, when, err)) != 0)
			return rc;
	} else {
		nz_today(when);
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "org", org);
	colset_text(cs, "body", body);
	colset_text(cs, "level", level);
	colset_text(cs, "date", when);
	colset_text(cs, "outcome", outcome);
	colset_text(cs, "outcome_date", strcmp(outcome, "pending") == 0 ? "" : today);
	colset_text(cs, "notes", nz_str(notes));
	store_new_id(id);
	return rec_write(st, "org_intro", id, owner, cs, author, err);
}

int
org_outcome(struct store *st, const char *intro, const char *outcome, const char *notes, const char *author,
	    struct nz_err *err)
{
	char owner[NZ_ID_MAX], today[11];
	struct colset *cs;
	int rc;

	if ((rc = rec_owner(st, &org_intro_table, nz_str(intro), "introduction", owner, err)) != 0)
		return rc;
	if ((rc = check_outcome(nz_str(outcome), err)) != 0 || (rc = field_text("notes", notes, 0, false, err)) != 0)
		return rc;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "outcome", outcome);
	colset_text(cs, "outcome_date", strcmp(outcome, "pending") == 0 ? "" : today);
	if (notes != NULL)
		colset_text(cs, "notes", notes);
	return rec_write(st, "org_intro", intro, owner, cs, author, err);
}

/* The organisations with their introduction counts; a condition follows. */
static const char org_select[] =
	"SELECT o.id, o.owner, o.name, o.kind, o.field, o.contact, o.identified_by, o.identified, o.notes,"
	" (SELECT count(*) FROM org_intro n WHERE n.org = o.id AND n.deleted = 0) AS introductions,"
	" (SELECT count(*) FROM org_intro n WHERE n.org = o.id AND n.deleted = 0"
	"  AND n.outcome = 'accepted') AS accepted"
	" FROM organisation o WHERE o.deleted = 0 AND ";

json_t *
org_list(struct store *st, const char *under)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "%s%s ORDER BY o.owner, o.name", org_select, UNIT_SQL_UNDER("o.owner"));
	return reg_query(st, sql, under, NULL, NULL);
}

int
org_get(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	char sql[1024];
	int rc;

	snprintf(sql, sizeof(sql), "%so.id = ?1", org_select);
	if ((rc = rec_one(st, reg_query(st, sql, id, NULL, NULL), "organisation", id, out, err)) != 0)
		return rc;
	return rec_attach(st, out, "introductions", org_intro_list(st, NULL, id), err);
}

json_t *
org_intro_list(struct store *st, const char *under, const char *org)
{
	return reg_query(st,
		     "SELECT n.id, n.owner, n.org, o.name AS org_name, n.body, n.level, n.date, n.outcome,"
		     " n.outcome_date, n.notes FROM org_intro n LEFT JOIN organisation o ON o.id = n.org"
		     " WHERE n.deleted = 0 AND " UNIT_SQL_UNDER("n.owner") " AND (?2 IS NULL OR n.org = ?2)"
		     " ORDER BY n.date, n.id",
		     under, org, NULL);
}
