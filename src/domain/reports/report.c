/*
 * گزارش: reports of a unit against a template: drafts, submission and
 * revisions, listed and shown.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/record.h"
#include "domain/reports/rep_int.h"
#include "domain/selection.h"

/* ---- reports ---- */

/* rep_load reads live report id into *out (record.h's convention for reads). */
int
rep_load(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	int rc;

	if ((rc = rec_get(st, &report_table, id, out, err)) == NZ_ENOTFOUND ||
	    (rc == 0 && jint(*out, "deleted") != 0)) {
		json_decref(*out);
		*out = NULL;
		return nz_fail(err, NZ_ENOTFOUND, "no report with id '%s'", id);
	}
	return rc;
}

int
rep_open(struct store *st, const char *id, bool draft, json_t **out, struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = rep_load(st, id, out, err)) == 0 && draft && strcmp(jstr(*out, "status"), "draft") != 0)
		rc = nz_fail_at(err, NZ_ESTATE, NULL, "report revise",
				"report '%s' is submitted and locked; correct it by a revision", id);
	if (rc != 0) {
		json_decref(*out);
		*out = NULL;
		store_rollback(st);
	}
	return rc;
}

/* rep_newer_revision writes into newer the id of a later revision of report r (any status), "" if none. */
int
rep_newer_revision(struct store *st, json_t *r, char newer[NZ_RID_MAX], char status[16], struct nz_err *err)
{
	char rev[24];
	int rc;

	newer[0] = status[0] = '\0';
	snprintf(rev, sizeof(rev), "%lld", (long long)jint(r, "revision"));
	rc = rec_first_pair(st,
			    "SELECT id, status FROM report WHERE deleted = 0 AND owner = ?1 AND"
			    " template_code = ?2 AND period = ?3 AND grp = ?4 AND revision > ?5 + 0"
			    " ORDER BY revision DESC, id LIMIT 1",
			    5,
			    (const char *const[]){jstr(r, "owner"), jstr(r, "template_code"), jstr(r, "period"),
						  jstr(r, "grp"), rev},
			    newer, NZ_RID_MAX, status, 16, err);
	return rc < 0 ? rc : 0;
}

/*
 * approved_period finds an approval covering a report of unit over
 * [start, end]: one of the unit or an ancestor for a period containing it.
 * 1 (who approved, which period), 0 when none, NZ_EDB.
 */
static int
approved_period(struct store *st, const char *unit, const char *start, const char *end, char who[NZ_ID_MAX],
		char period[JPERIOD_TEXT_MAX], struct nz_err *err)
{
	return rec_first_pair(st,
			      "SELECT owner, period FROM period_approval WHERE deleted = 0 AND"
			      " (owner = ?1 OR substr(?1, 1, length(owner) + 1) = owner || '-') AND"
			      " period_start <= ?2 AND period_end >= ?3 ORDER BY owner LIMIT 1",
			      3, (const char *const[]){unit, start, end}, who, NZ_ID_MAX, period, JPERIOD_TEXT_MAX, err);
}

int
rep_refuse_if_approved(struct store *st, json_t *r, const char *what, struct nz_err *err)
{
	char who[NZ_ID_MAX], period[JPERIOD_TEXT_MAX];
	int rc = approved_period(st, jstr(r, "owner"), jstr(r, "period_start"), jstr(r, "period_end"), who, period, err);

	if (rc > 0)
		return nz_fail(err, NZ_ESTATE, "period %s of %s is approved; report '%s' cannot be %s", period,
			       who, jstr(r, "id"), what);
	return rc;
}
/* rep_template reads the template version report r was written against into *out. */
static int
rep_template(struct store *st, json_t *r, json_t **out, struct nz_err *err)
{
	int rc = rec_get(st, &report_template_table, jstr(r, "template"), out, err);

	if (rc == NZ_ENOTFOUND)
		nz_fail(err, NZ_ENOTFOUND, "template version '%s' of report '%s' is not on this node",
			jstr(r, "template"), jstr(r, "id"));
	return rc;
}

/*
 * rep_form reads what report r's values are checked against: the template
 * version it was written against (*t), that template's fields (*fields),
 * and r's values (*data, an object).  The caller releases the three
 * (form_free).
 */
static int
rep_form(struct store *st, json_t *r, json_t **t, json_t **fields, json_t **data, struct nz_err *err)
{
	int rc;

	if ((rc = rep_template(st, r, t, err)) != 0)
		return rc;
	*fields = tpl_parsed_fields(*t);
	*data = json_loads(jstr(r, "data"), 0, NULL);
	if (!json_is_object(*data)) {
		json_decref(*data);
		*data = json_object();
	}
	return 0;
}

/* form_free releases what rep_form gave. */
static void
form_free(json_t *t, json_t *fields, json_t *data)
{
	json_decref(t);
	json_decref(fields);
	json_decref(data);
}

/* form_edit reads r's form (rep_form) and sets the FIELD=VALUE pairs in *data. */
static int
form_edit(struct store *st, json_t *r, json_t **t, json_t **fields, json_t **data, int npairs,
	  char *const *pairs, struct nz_err *err)
{
	int rc;

	if ((rc = rep_form(st, r, t, fields, data, err)) != 0)
		return rc;
	return rep_apply_pairs(*fields, *data, npairs, pairs, err);
}

/* write_report adds the report's values data to cs and writes cs to report id of owner; frees cs. */
static int
write_report(struct store *st, const char *id, const char *owner, struct colset *cs, json_t *data,
	     const char *author, struct nz_err *err)
{
	int rc;

	if ((rc = rec_colset_json(cs, "data", data, REP_JSON_MAX, "the report's values", err)) != 0) {
		colset_free(cs);
		return rc;
	}
	return rec_write(st, "report", id, owner, cs, author, err);
}

int
rep_draft(struct store *st, const char *unit, const char *code, const char *period, const char *group,
	  int npairs, char *const *pairs, bool submit, const char *author, char id[NZ_RID_MAX],
	  struct nz_err *err)
{
	char first[11], last[11], due[11], today[11], label[JPERIOD_TEXT_MAX], had[NZ_RID_MAX], had_status[16];
	struct jperiod p;
	struct colset *cs = NULL;
	json_t *t = NULL, *fields = NULL, *data = json_object();
	bool helper;
	int level, rc;

	if (unit == NULL)
		unit = store_node(st);
	nz_today(today);
	if ((level = unit_level(unit)) < 0) {
		rc = nz_fail(err, NZ_EINVAL, "'%s' is not an org-unit code", unit);
		goto out;
	}
	if (!unit_within(unit, store_node(st))) {
		rc = nz_fail(err, NZ_EDENIED, "this node (%s) may not write reports of %s", store_node(st), unit);
		goto out;
	}
	if (code == NULL || (rc = tpl_row(st, code, 0, &t, err)) == NZ_ENOTFOUND) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no report template '%s' on this node", code ? code : "");
		goto out;
	}
	if (rc != 0)
		goto out;
	if (rep_level_of(jstr(t, "level")) != level) {
		rc = nz_fail(err, NZ_EINVAL, "template '%s' is reported by %s units; %s is a %s", code,
			     jstr(t, "level"), unit, unit_level_name(level));
		goto out;
	}
	if (period == NULL) {
		rc = nz_fail(err, NZ_EINVAL, "a report needs its period (e.g. 1405-07)");
		goto out;
	}
	if ((rc = rep_period_dates(period, rep_kind_of(jstr(t, "period")), &p, first, last, err)) != 0)
		goto out;
	jperiod_format(&p, label, sizeof(label));
	if (strcmp(first, jstr(t, "from_date")) < 0 ||
	    (jstr(t, "until_date")[0] != '\0' && strcmp(last, jstr(t, "until_date")) > 0)) {
		json_t *v = tpl_view(json_incref(t));
		rc = nz_fail(err, NZ_EINVAL, "template '%s' applies from %s%s%s; not to %s", code,
			     jstr(v, "from"), jstr(v, "until")[0] ? " until " : "", jstr(v, "until"), label);
		json_decref(v);
		goto out;
	}
	if (strcmp(first, today) > 0) {
		rc = nz_fail(err, NZ_EINVAL, "period %s has not started yet", label);
		goto out;
	}
	{
		char who[NZ_ID_MAX], ap[JPERIOD_TEXT_MAX];
		if ((rc = approved_period(st, unit, first, last, who, ap, err)) != 0) {
			if (rc > 0)
				rc = nz_fail(err, NZ_ESTATE,
					     "period %s of %s is approved; no more reports are taken for %s", ap, who,
					     label);
			goto out;
		}
	}
	helper = strcmp(jstr(t, "reporter"), "helper") == 0;
	if (helper && (group == NULL || group[0] == '\0')) {
		rc = nz_fail(err, NZ_EINVAL, "template '%s' is reported by each helper group: name the group", code);
		goto out;
	}
	if (!helper && group != NULL && group[0] != '\0') {
		rc = nz_fail(err, NZ_EINVAL, "template '%s' is reported by the secretariat, not a helper group",
			     code);
		goto out;
	}
	if (group == NULL)
		group = "";
	if (strlen(group) > GROUP_MAX || !rep_printable(group)) {
		rc = nz_fail(err, NZ_EINVAL, "a helper group is one line of at most %d bytes", GROUP_MAX);
		goto out;
	}
	/* A helper group's report is one of the groups this secretariat appointed (guideline art. 3-4). */
	if (helper && (rc = sel_group_check(st, unit, group, err)) != 0)
		goto out;
	fields = tpl_parsed_fields(t);
	if ((rc = rep_apply_pairs(fields, data, npairs, pairs, err)) != 0)
		goto out;
	if (submit && (rc = rep_check_required(fields, data, err)) != 0)
		goto out;
	if (iso_add_days(last, jint(t, "due_days"), due) != 0) {
		rc = nz_fail(err, NZ_EINVAL, "due date of %s is out of range", label);
		goto out;
	}

	if ((rc = store_begin(st, err)) != 0)
		goto out;
	if ((rc = rec_first_pair(st,
				 "SELECT id, status FROM report WHERE deleted = 0 AND owner = ?1 AND"
				 " template_code = ?2 AND period = ?3 AND grp = ?4 ORDER BY revision DESC LIMIT 1",
				 4, (const char *const[]){unit, code, label, group}, had, sizeof(had), had_status,
				 sizeof(had_status), err)) != 0) {
		bool draft = strcmp(had_status, "draft") == 0;
		if (rc > 0)
			rc = nz_fail_at(err, NZ_EEXIST, NULL, draft ? "report set" : "report revise",
					"%s already has report '%s' (%s) of '%s' for %s%s%s; %s", unit, had, had_status,
					code, label, group[0] ? ", group " : "", group,
					draft ? "edit that draft" : "correct it by a revision");
		store_rollback(st);
		goto out;
	}
	cs = colset_new();
	colset_text(cs, "template", jstr(t, "id"));
	colset_text(cs, "template_code", code);
	colset_int(cs, "template_version", jint(t, "version"));
	colset_text(cs, "period", label);
	colset_text(cs, "period_start", first);
	colset_text(cs, "period_end", last);
	colset_text(cs, "due", due);
	colset_text(cs, "grp", group);
	colset_int(cs, "revision", 1);
	colset_text(cs, "supersedes", "");
	colset_text(cs, "status", submit ? "submitted" : "draft");
	colset_text(cs, "created", today);
	colset_text(cs, "submitted", submit ? today : "");
	colset_text(cs, "reason", "");
	colset_text(cs, "review", "");
	store_new_id(id);
	rc = write_report(st, id, unit, cs, data, author, err);
	rc = rec_finish(st, rc, err);
out:
	form_free(t, fields, data);
	return rc;
}

int
rep_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	struct nz_err *err)
{
	json_t *r, *t = NULL, *fields = NULL, *data = NULL;
	int rc;

	if (npairs == 0)
		return nz_fail(err, NZ_EINVAL, "nothing to set: give FIELD=VALUE pairs");
	if ((rc = rep_open(st, id, true, &r, err)) != 0)
		return rc;
	if ((rc = form_edit(st, r, &t, &fields, &data, npairs, pairs, err)) != 0)
		goto out;
	rc = write_report(st, id, jstr(r, "owner"), colset_new(), data, author, err);
out:
	rc = rec_finish(st, rc, err);
	json_decref(r);
	form_free(t, fields, data);
	return rc;
}

int
rep_submit(struct store *st, const char *id, const char *author, struct nz_err *err)
{
	char newer[NZ_RID_MAX], nstatus[16], today[11];
	json_t *r, *t = NULL, *fields = NULL, *data = NULL, *prev = NULL;
	struct colset *cs = NULL;
	int rc;

	if ((rc = rep_open(st, id, true, &r, err)) != 0)
		return rc;
	if ((rc = rep_newer_revision(st, r, newer, nstatus, err)) != 0)
		goto out;
	if (newer[0] != '\0') {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' has a later revision '%s'", id, newer);
		goto out;
	}
	if (jstr(r, "supersedes")[0] != '\0') {
		struct nz_err gone = {0}; /* the revision it supersedes may be absent: not an error here */
		if ((rc = rec_get(st, &report_table, jstr(r, "supersedes"), &prev, &gone)) != 0 &&
		    rc != NZ_ENOTFOUND) {
			if (err != NULL)
				*err = gone;
			goto out;
		}
	}
	if (prev != NULL && strcmp(jstr(prev, "review"), "accepted") == 0) {
		rc = nz_fail(err, NZ_ESTATE,
			     "revision %lld of this report was accepted meanwhile; correction '%s' cannot be "
			     "submitted",
			     (long long)jint(prev, "revision"), id);
		goto out;
	}
	if ((rc = rep_refuse_if_approved(st, r, "submitted", err)) != 0)
		goto out;
	if ((rc = rep_form(st, r, &t, &fields, &data, err)) != 0)
		goto out;
	if ((rc = rep_check_required(fields, data, err)) != 0)
		goto out;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", "submitted");
	colset_text(cs, "submitted", today);
	rc = store_write(st, "report", id, jstr(r, "owner"), cs, author, err);
out:
	rc = rec_finish(st, rc, err);
	colset_free(cs);
	json_decref(r);
	json_decref(prev);
	form_free(t, fields, data);
	return rc;
}

int
rep_revise(struct store *st, const char *id, const char *reason, int npairs, char *const *pairs,
	   const char *author, char newid[NZ_RID_MAX], struct nz_err *err)
{
	static const char *const copied[] = {"template", "template_code", "period", "period_start",
					     "period_end", "due", "grp", NULL};
	char newer[NZ_RID_MAX], nstatus[16], today[11];
	json_t *r, *t = NULL, *fields = NULL, *data = NULL;
	struct colset *cs = NULL;
	int i, rc;

	if (reason == NULL || reason[0] == '\0' || strlen(reason) > NOTE_MAX)
		return nz_fail(err, NZ_EINVAL, "a correction needs its reason (at most %d bytes)", NOTE_MAX);
	if ((rc = rep_open(st, id, false, &r, err)) != 0)
		return rc;
	if (!unit_within(jstr(r, "owner"), store_node(st))) {
		rc = nz_fail(err, NZ_EDENIED, "this node (%s) may not correct reports of %s", store_node(st),
			     jstr(r, "owner"));
		goto out;
	}
	if (strcmp(jstr(r, "status"), "draft") == 0) {
		rc = nz_fail_at(err, NZ_ESTATE, NULL, "report set", "report '%s' is a draft; edit it instead", id);
		goto out;
	}
	if (strcmp(jstr(r, "review"), "accepted") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' was accepted by %s and is locked", id,
			     jstr(r, "reviewer"));
		goto out;
	}
	if ((rc = rep_newer_revision(st, r, newer, nstatus, err)) != 0)
		goto out;
	if (newer[0] != '\0') {
		rc = nz_fail(err, NZ_ESTATE, "report '%s' already has a later revision '%s' (%s)", id, newer,
			     nstatus);
		goto out;
	}
	if ((rc = rep_refuse_if_approved(st, r, "corrected", err)) != 0)
		goto out;
	if ((rc = form_edit(st, r, &t, &fields, &data, npairs, pairs, err)) != 0)
		goto out;
	nz_today(today);
	cs = colset_new();
	for (i = 0; copied[i] != NULL; i++)
		colset_text(cs, copied[i], jstr(r, copied[i]));
	colset_int(cs, "template_version", jint(r, "template_version"));
	colset_int(cs, "revision", jint(r, "revision") + 1);
	colset_text(cs, "supersedes", id);
	colset_text(cs, "status", "draft");
	colset_text(cs, "created", today);
	colset_text(cs, "submitted", "");
	colset_text(cs, "reason", reason);
	colset_text(cs, "review", "");
	store_new_id(newid);
	rc = write_report(st, newid, jstr(r, "owner"), cs, data, author, err);
out:
	rc = rec_finish(st, rc, err);
	json_decref(r);
	form_free(t, fields, data);
	return rc;
}

/*
 * rep_view turns a report record into what people see.  first is the
 * earliest submission of any revision of the report: a correction does not
 * make a report that came in on time late.
 */
static json_t *
rep_view(json_t *r, bool latest, const char *first)
{
	static const char *const dates[] = {"period_start", "period_end", "due", "created", "submitted",
					    "reviewed", NULL};
	json_t *data = json_loads(jstr(r, "data"), 0, NULL);
	const char *state;

	json_object_set_new(r, "data", json_is_object(data) ? data : (json_decref(data), json_object()));
	if (strcmp(jstr(r, "status"), "draft") == 0)
		state = "draft";
	else if (jstr(r, "review")[0] != '\0')
		state = jstr(r, "review");
	else if (!latest)
		state = "superseded";
	else
		state = "submitted";
	json_object_set_new(r, "state", json_string(state));
	if (first == NULL || first[0] == '\0')
		first = jstr(r, "submitted");
	json_object_set_new(r, "on_time", json_boolean(first[0] != '\0' && strcmp(first, jstr(r, "due")) <= 0));
	rep_jalali_cols(r, dates);
	return r;
}

json_t *
rep_list(struct store *st, const char *under, const char *period, const char *code, bool current,
	 struct nz_err *err)
{
	char first[11] = "", last[11] = "";
	struct jperiod p;
	sqlite3_stmt *q;
	json_t *rows;
	int rc;

	if (period != NULL && rep_period_dates(period, 0, &p, first, last, err) != 0)
		return NULL;
	if (sqlite3_prepare_v2(
		    store_db(st),
		    "SELECT r.id, NOT EXISTS (SELECT 1 FROM report r2 WHERE r2.deleted = 0 AND"
		    "  r2.owner = r.owner AND r2.template_code = r.template_code AND r2.period = r.period AND"
		    "  r2.grp = r.grp AND r2.revision > r.revision AND r2.status = 'submitted'),"
		    " (SELECT MIN(r4.submitted) FROM report r4 WHERE r4.deleted = 0 AND r4.status = 'submitted' AND"
		    "  r4.owner = r.owner AND r4.template_code = r.template_code AND r4.period = r.period AND"
		    "  r4.grp = r.grp AND r4.revision <= r.revision)"
		    " FROM report r WHERE r.deleted = 0"
		    " AND " UNIT_SQL_UNDER("r.owner")
		    " AND (?2 IS NULL OR (r.period_start >= ?2 AND r.period_end <= ?3))"
		    " AND (?4 IS NULL OR r.template_code = ?4)"
		    " AND (?5 = 0 OR NOT EXISTS (SELECT 1 FROM report r3 WHERE r3.deleted = 0 AND"
		    "  r3.owner = r.owner AND r3.template_code = r.template_code AND r3.period = r.period AND"
		    "  r3.grp = r.grp AND r3.revision > r.revision))"
		    " ORDER BY r.owner, r.period_start, r.template_code, r.grp, r.revision",
		    -1, &q, NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "report");
		return NULL;
	}
	if (under != NULL)
		sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	if (period != NULL) {
		sqlite3_bind_text(q, 2, first, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, last, -1, SQLITE_STATIC);
	}
	if (code != NULL)
		sqlite3_bind_text(q, 4, code, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 5, current);
	rows = json_array();
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		json_t *r;
		if ((rc = rec_get(st, &report_table, (const char *)sqlite3_column_text(q, 0), &r, err)) != 0)
			break;
		json_array_append_new(rows, rep_view(r, sqlite3_column_int(q, 1) != 0,
						     (const char *)sqlite3_column_text(q, 2)));
	}
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(q);
		return rows;
	}
	if (rc > 0) /* a step failed; rec_get's errors are in err already */
		store_sqlerr(st, err, "report");
	sqlite3_finalize(q);
	json_decref(rows);
	return NULL;
}

int
rep_show(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	json_t *r, *t, *revs, *x, *mine;
	char newer[NZ_RID_MAX], nstatus[16], first[11] = "";
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = rep_load(st, id, &r, err)) != 0)
		return rc;
	if ((rc = rep_newer_revision(st, r, newer, nstatus, err)) != 0) {
		json_decref(r);
		return rc;
	}
	if ((revs = rep_list(st, jstr(r, "owner"), NULL, jstr(r, "template_code"), false, err)) == NULL) {
		json_decref(r);
		return err != NULL && err->code != 0 ? err->code : NZ_EDB;
	}
	/* Keep the revisions of this report only. */
	mine = json_array();
	json_array_foreach(revs, i, x)
		if (strcmp(jstr(x, "period"), jstr(r, "period")) == 0 && strcmp(jstr(x, "grp"), jstr(r, "grp")) == 0)
			json_array_append_new(mine, json_pack("{s:s,s:I,s:s,s:s,s:s}", "id", jstr(x, "id"), "revision",
							  (json_int_t)jint(x, "revision"), "state", jstr(x, "state"),
							  "submitted", jstr(x, "submitted"), "reason", jstr(x, "reason")));
	json_decref(revs);
	revs = mine;
	/* A newer submitted revision makes this one superseded.  The revisions are listed with Jalali
	 * dates: take the ISO one from the records. */
	json_array_foreach(revs, i, x) {
		json_t *rec;
		const char *sub;
		if ((rc = rec_get(st, &report_table, jstr(x, "id"), &rec, err)) != 0)
			goto out;
		sub = jstr(rec, "submitted");
		if (jint(x, "revision") <= jint(r, "revision") && sub[0] != '\0' &&
		    strcmp(jstr(rec, "status"), "submitted") == 0 && (first[0] == '\0' || strcmp(sub, first) < 0))
			snprintf(first, sizeof(first), "%s", sub);
		json_decref(rec);
	}
	r = rep_view(r, !(newer[0] != '\0' && strcmp(nstatus, "submitted") == 0), first);
	{
		struct nz_err gone = {0}; /* a template not on this node leaves the fields out */
		if ((rc = rep_template(st, r, &t, &gone)) == 0) {
			json_object_set_new(r, "template_title", json_string(jstr(t, "title")));
			json_object_set_new(r, "fields", tpl_parsed_fields(t));
			json_decref(t);
		} else if (rc != NZ_ENOTFOUND) {
			if (err != NULL)
				*err = gone;
			goto out;
		}
	}
	rc = 0;
	json_object_set_new(r, "revisions", revs);
	revs = NULL;
	*out = r;
	r = NULL;
out:
	json_decref(revs);
	json_decref(r);
	return rc;
}

