/*
 * سازمان های مردم نهاد / تشکل های مؤثر: the register of effective
 * organisations that helper groups find in a secretariat's area, a resource
 * declared once (domain/resource.h) whose command line ("nehzat org") and
 * API (/orgs, /resources/orgs) come from the declaration below; and their
 * introductions to public bodies with the outcome, hand-written on top.
 */
#include <stdio.h>
#include <string.h>

#include "domain/register/reg_int.h"
#include "domain/resource.h"

static const struct col_def org_cols[] = {
	{"name", COL_TEXT},
	{"kind", COL_TEXT},
	{"field", COL_TEXT},
	{"contact", COL_TEXT},
	{"identified_by", COL_TEXT}, /* the helper group that found it */
	{"identified", COL_TEXT},
	{"notes", COL_TEXT},
	{"active", COL_INT},   /* since a resource: NULL before, read as active */
	{"retired", COL_TEXT}, /* as active */
	{NULL, 0},
};

/* Owned by the area it works in (this node or one below it); seen by it and the levels above. */
static const struct tbl_def organisation_table = {"organisation", VIS_OWNED, org_cols, NULL};

static const struct res_field org_fields[] = {
	{"name", RES_REQUIRED | RES_LIST, FIELD_TEXT_MAX, "N", NULL},
	{"kind", RES_LIST, FIELD_TEXT_MAX, "K", NULL},
	{"field", RES_LIST, FIELD_TEXT_MAX, "F", NULL},
	{"contact", 0, FIELD_TEXT_MAX, "C", NULL},
	{"identified_by", RES_LIST, FIELD_TEXT_MAX, "HELPER", "by"},
	{"identified", RES_DATE | RES_TODAY | RES_LIST, 0, "D", "date"},
	{"notes", 0, FIELD_TEXT_MAX, "T", NULL},
	{"area", RES_OWNER, 0, "CODE", NULL},
	{NULL, 0, 0, NULL, NULL},
};

#define INTROS "FROM org_intro n WHERE n.org = r.id AND n.deleted = 0"

static const struct res_calc org_calc[] = {
	{"introductions", "(SELECT count(*) " INTROS ")"},
	{"accepted", "(SELECT count(*) " INTROS " AND n.outcome = 'accepted')"},
	{NULL, NULL},
};

/* org_detail adds an organisation's introductions to what show gives. */
static int
org_detail(struct store *st, const char *id, json_t **rec, struct nz_err *err)
{
	return rec_attach(st, rec, "introductions", org_intro_list(st, NULL, id), err);
}

const struct res_def organisation_res = {
	.name = "organisation",
	.plural = "orgs",
	.command = "org",
	.summary = "effective organisations and their introductions: add, set, retire, list, show, introduce",
	.about = "Effective organisations (تشکل ها) identified by helpers (--by names the helper group, --date when;\n"
		 "today when not given), and their introductions to provincial and county bodies with the\n"
		 "outcome.  --area names the unit it works in: this node or one below it, which owns the record.\n"
		 "list shows those owned inside --under with their introductions counted (accepted ones too),\n"
		 "active ones unless --all; show adds the introductions.  A retired one stays, dated, and is\n"
		 "introduced no more.  add and introduce print the new id.\n",
	.tbl = &organisation_table,
	.fields = org_fields,
	.calc = org_calc,
	.helpers = true,
	.detail = org_detail,
};

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

	if ((rc = res_active(st, &organisation_res, nz_str(org), err)) < 0)
		return rc;
	if (rc == 0)
		return nz_fail(err, NZ_ESTATE, "organisation '%s' is retired; it is introduced no more", org);
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
