/*
 * متقاضیان: applications to a call, withdrawals and attached documents.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fa.h"
#include "domain/selection/sel_int.h"
#include "domain/sense.h"

/* ---- applicants ---- */

static int
load_applicant(struct store *st, const char *id, struct applicant *a, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	q = store_prepare(
		st,
		"SELECT owner, call_id, name, kind, status FROM sel_applicant WHERE id = ? AND deleted = 0",
		err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if ((rc = rec_step_one(st, q, "applicant", id, err)) == 0) {
		copy(a->id, sizeof(a->id), id);
		copy(a->owner, sizeof(a->owner), col_text(q, 0));
		copy(a->call_id, sizeof(a->call_id), col_text(q, 1));
		copy(a->name, sizeof(a->name), col_text(q, 2));
		copy(a->kind, sizeof(a->kind), col_text(q, 3));
		a->withdrawn = strcmp(col_text(q, 4), "withdrawn") == 0;
	}
	sqlite3_reset(q);
	return rc;
}

/* load_both loads an applicant and its call; a withdrawn applicant is refused. */
int
sel_load_both(struct store *st, const char *applicant, struct applicant *a, struct call *c, struct nz_err *err)
{
	int rc;

	if ((rc = load_applicant(st, applicant, a, err)) != 0 ||
	    (rc = sel_load_call(st, a->call_id, c, err)) != 0)
		return rc;
	if (a->withdrawn)
		return nz_fail(err, NZ_ESTATE, "applicant '%s' (%s) has withdrawn", a->id, a->name);
	return 0;
}

static int
check_applicant_in(const struct sel_applicant_in *a, const char **kind, char phone[32], struct nz_err *err)
{
	char kinds[600];
	int rc;

	if ((rc = field_text("the group's name", a->name, NAME_MAX_BYTES, true, err)) != 0 ||
	    (rc = field_text("the contact person", a->contact, NAME_MAX_BYTES, true, err)) != 0 ||
	    (rc = field_text("the phone number", a->phone, 40, true, err)) != 0 ||
	    (rc = field_phone("phone number", a->phone, phone, err)) != 0 ||
	    (rc = field_text("the registration number", a->reg_no, 60, false, err)) != 0 ||
	    (rc = field_text("the activity areas", a->areas, TEXT_MAX_BYTES, false, err)) != 0 ||
	    (rc = field_text("the past activities", a->activities, TEXT_MAX_BYTES, false, err)) != 0)
		return rc;
	sel_kinds_text(kinds, sizeof(kinds));
	if (empty(a->kind))
		return nz_fail(err, NZ_EINVAL, "the group's kind is required: %s", kinds);
	if ((*kind = sel_kind_key(a->kind)) == NULL)
		return nz_fail(err, NZ_EINVAL, "kind '%s' is not one of %s", a->kind, kinds);
	if (a->members < -1 || a->members > 100000)
		return nz_fail(err, NZ_EINVAL, "member count %ld must lie within 0..100000", a->members);
	if (a->years < -1 || a->years > 200)
		return nz_fail(err, NZ_EINVAL, "years active %ld must lie within 0..200", a->years);
	return 0;
}

int
sel_apply(struct store *st, const char *call_id, const struct sel_applicant_in *a, const char *author,
	  char id[NZ_RID_MAX], struct nz_err *err)
{
	struct call c;
	struct colset *cs = NULL;
	const char *kind = NULL;
	char phone[32], name_k[512], reg_k[128], today[11], received[11];
	sqlite3_stmt *q;
	int64_t at;
	int rc, y, m, d;

	if ((rc = check_applicant_in(a, &kind, phone, err)) != 0)
		return rc;
	fa_key(a->name, name_k, sizeof(name_k));
	fa_key(a->reg_no, reg_k, sizeof(reg_k));
	nz_today(today);
	copy(received, sizeof(received), empty(a->received) ? today : a->received);
	if ((rc = sel_check_date("the date received", received, err)) != 0 ||
	    (rc = sense_not_future("sense.application_future", "the date received", received, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_load_call(st, call_id, &c, err)) != 0)
		goto fail;
	/* An application that reached the office in time may be typed in after the call closed. */
	if (c.state != CALL_OPEN && !(c.state == CALL_CLOSED && !empty(a->received))) {
		rc = nz_fail_at(err, NZ_ESTATE, c.state == CALL_CLOSED ? "received" : NULL, NULL,
				"call '%s' is %s; applications are accepted only while it is open%s", call_id,
				sel_call_state_name(c.state),
				c.state == CALL_CLOSED ? ", or typed in later with the date they were received" : "");
		goto fail;
	}
	if ((rc = sense_not_before("sense.application_before_opening", "the date received", received,
				   "the opening of the call", c.opens, err)) != 0 ||
	    (rc = sense_not_after("sense.application_after_closing", "the date received", received,
				  "the closing of the call", c.closed_on[0] ? c.closed_on : c.closes, err)) != 0)
		goto fail;
	q = store_prepare(st,
			  "SELECT id, name, reg_key = ?2 AND ?2 != '' FROM sel_applicant"
			  " WHERE call_id = ?1 AND deleted = 0 AND status = 'applied'"
			  " AND ((?2 != '' AND reg_key = ?2) OR (name_key = ?3 AND phone_key = ?4))"
			  " ORDER BY applied_at, id LIMIT 1",
			  err);
	if (q == NULL) {
		rc = NZ_EDB;
		goto fail;
	}
	sqlite3_bind_text(q, 1, call_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, reg_k, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, name_k, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, phone, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_int(q, 2))
			rc = nz_fail(err, NZ_EEXIST,
				     "'%s' applied to call '%s' already as applicant '%s' with registration "
				     "number %s; this looks like a duplicate",
				     col_text(q, 1), call_id, col_text(q, 0), a->reg_no);
		else
			rc = nz_fail(
				err, NZ_EEXIST,
				"'%s' applied to call '%s' already as applicant '%s' with the same name and "
				"phone; this looks like a duplicate",
				col_text(q, 1), call_id, col_text(q, 0));
		sqlite3_reset(q);
		goto fail;
	}
	sqlite3_reset(q);
	cs = colset_new();
	colset_text(cs, "call_id", call_id);
	colset_text(cs, "name", a->name);
	colset_text(cs, "kind", kind);
	colset_text(cs, "reg_no", a->reg_no ? a->reg_no : "");
	colset_text(cs, "contact", a->contact);
	colset_text(cs, "phone", a->phone);
	if (a->members >= 0)
		colset_int(cs, "members", a->members);
	if (a->years >= 0)
		colset_int(cs, "years", a->years);
	colset_text(cs, "areas", a->areas ? a->areas : "");
	colset_text(cs, "activities", a->activities ? a->activities : "");
	/* Ordered by the day received, then by the time of day it was entered. */
	iso_parse(received, &y, &m, &d, NULL);
	at = (int64_t)days_from_civil(y, m, d) * 86400000 + sel_now_ms() % 86400000;
	colset_text(cs, "applied", received);
	colset_int(cs, "applied_at", at);
	colset_text(cs, "status", "applied");
	colset_text(cs, "name_key", name_k);
	colset_text(cs, "phone_key", phone);
	colset_text(cs, "reg_key", reg_k);
	store_new_id(id);
	rc = rec_write(st, "sel_applicant", id, c.owner, cs, author, err);
	if (rc != 0)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return rc;
}

/* sel_applicant_withdraw_tx checks and writes inside its caller's transaction, so no other write comes between. */
static int
sel_applicant_withdraw_tx(struct store *st, const char *id, const char *reason, const char *author,
		       struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct colset *cs;
	int rc;

	if ((rc = field_text("the reason", reason, 1000, true, err)) != 0 ||
	    (rc = sel_load_both(st, id, &a, &c, err)) != 0)
		return rc;
	if (c.state == CALL_COMPLETED)
		return nz_fail(err, NZ_ESTATE, "call '%s' is completed; its applicants stay as they are",
			       c.id);
	if (rec_scalar(st,
		       "SELECT count(*) FROM sel_appointment WHERE applicant_id = ? AND deleted = 0"
		       " AND status = 'active'",
		       id, NULL) > 0)
		return nz_fail(err, NZ_ESTATE,
			       "applicant '%s' (%s) is appointed; revoke the appointment instead", id,
			       a.name);
	cs = colset_new();
	colset_text(cs, "status", "withdrawn");
	colset_text(cs, "withdrawn_reason", reason);
	return rec_write(st, "sel_applicant", id, a.owner, cs, author, err);
}

int
sel_applicant_withdraw(struct store *st, const char *id, const char *reason, const char *author,
		       struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_applicant_withdraw_tx(st, id, reason, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

json_t *
sel_applicant_list(struct store *st, const char *call_id)
{
	return sel_query_json(
		st,
		"SELECT id, owner, call_id, name, kind, reg_no, contact, phone, members, years, areas,"
		" applied, applied_at, status, withdrawn_reason,"
		" (SELECT count(*) FROM sel_doc d WHERE d.applicant_id = a.id AND d.deleted = 0) AS docs"
		" FROM sel_applicant a WHERE call_id = ? AND deleted = 0 ORDER BY applied_at, id",
		call_id, NULL, NULL);
}

int
sel_applicant_get(struct store *st, const char *id, json_t **out, struct nz_err *err)
{
	const char *label;
	int rc;

	if ((rc = rec_one(st,
			  sel_query_json(st,
					 "SELECT id, owner, call_id, name, kind, reg_no, contact, phone, members, years,"
					 " areas, activities, applied, applied_at, status, withdrawn_reason"
					 " FROM sel_applicant WHERE id = ? AND deleted = 0",
					 id, NULL, NULL),
			  "applicant", id, out, err)) != 0)
		return rc;
	label = sel_kind_label(json_string_value(json_object_get(*out, "kind")));
	json_object_set_new(*out, "kind_fa", json_string(label != NULL ? label : ""));
	return rec_attach(st, out, "documents",
			  sel_query_json(st,
					 "SELECT id, name, size, sha256, content IS NOT NULL AS stored, added"
					 " FROM sel_doc WHERE applicant_id = ? AND deleted = 0 ORDER BY added, id",
					 id, NULL, NULL),
			  err);
}

int
sel_doc_add(struct store *st, const char *applicant, const char *name, const void *data, size_t len,
	    bool keep, const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct colset *cs;
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[sizeof(h) * 2 + 1], today[11];
	char *b64 = NULL;
	int rc;

	if ((rc = field_text("the document's name", name, 200, true, err)) != 0 ||
	    (rc = sel_load_both(st, applicant, &a, &c, err)) != 0)
		return rc;
	if (c.state == CALL_COMPLETED)
		return nz_fail(err, NZ_ESTATE, "call '%s' is completed; its files are closed", c.id);
	if (keep && len > SEL_DOC_MAX)
		return nz_fail(err, NZ_ETOOBIG,
			       "document '%s' is %zu bytes; at most %d are kept in the database (record its "
			       "name and checksum only instead)",
			       name, len, SEL_DOC_MAX);
	if (rec_scalar(st, "SELECT count(*) FROM sel_doc WHERE applicant_id = ? AND deleted = 0", applicant,
		       NULL) >= SEL_DOCS_MAX)
		return nz_fail(err, NZ_ETOOBIG, "applicant '%s' has %d documents already, the most allowed",
			       applicant, SEL_DOCS_MAX);
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "call_id", a.call_id);
	colset_text(cs, "name", name);
	colset_int(cs, "size", (int64_t)len);
	colset_text(cs, "sha256", hex);
	if (keep) {
		size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
		if ((b64 = malloc(n)) == NULL) {
			colset_free(cs);
			return nz_fail(err, NZ_ENOMEM, "out of memory");
		}
		sodium_bin2base64(b64, n, data, len, sodium_base64_VARIANT_ORIGINAL);
		colset_text(cs, "content", b64);
	}
	colset_text(cs, "added", today);
	store_new_id(id);
	rc = rec_write(st, "sel_doc", id, a.owner, cs, author, err);
	free(b64);
	return rc;
}

int
sel_doc_content(struct store *st, const char *id, unsigned char **data, size_t *len, struct nz_err *err)
{
	sqlite3_stmt *q;
	const char *b64;
	size_t n, cap;
	int rc = 0;

	*data = NULL;
	*len = 0;
	if ((q = store_prepare(st, "SELECT content FROM sel_doc WHERE id = ? AND deleted = 0", err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no document with id '%s'", id);
		goto out;
	}
	if ((b64 = (const char *)sqlite3_column_text(q, 0)) == NULL) {
		rc = nz_fail(err, NZ_ENOTFOUND, "document '%s' was recorded by name and checksum only", id);
		goto out;
	}
	n = strlen(b64);
	cap = n / 4 * 3 + 3;
	if ((*data = malloc(cap)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	if (sodium_base642bin(*data, cap, b64, n, NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(*data);
		*data = NULL;
		rc = nz_fail(err, NZ_EDB, "document '%s': stored content is not base64", id);
	}
out:
	sqlite3_reset(q);
	return rc;
}
