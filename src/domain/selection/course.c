/*
 * دوره توجیهی: the orientation course, its sessions and attendance.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/selection/sel_int.h"
#include "domain/sense.h"

/* ---- orientation course ---- */

int
sel_course_add(struct store *st, const char *secretariat, const char *title, int required, const char *author,
	       char id[NZ_RID_MAX], struct nz_err *err)
{
	struct colset *cs;
	char today[11];
	int rc;

	if ((rc = sel_check_secretariat(st, &secretariat, err)) != 0 ||
	    (rc = field_text("the course's title", title, 300, true, err)) != 0)
		return rc;
	if (required < 0 || required > 100)
		return nz_fail(err, NZ_EINVAL, "required sessions %d must lie within 0..100 (0: all)",
			       required);
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "title", title);
	colset_int(cs, "required", required);
	colset_text(cs, "created", today);
	store_new_id(id);
	return rec_write(st, "sel_course", id, secretariat, cs, author, err);
}

int
sel_session_add(struct store *st, const char *course, const char *date, const char *topic, double hours,
		const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	struct colset *cs;
	char owner[NZ_ID_MAX];
	int rc;

	if ((rc = sel_check_date("the session's date", date, err)) != 0 ||
	    (rc = field_text("the session's topic", topic, 300, false, err)) != 0)
		return rc;
	if (!(hours >= 0 && hours <= 24))
		return nz_fail(err, NZ_EINVAL, "a session of %g hours is outside 0..24", hours);
	if ((rc = rec_owner(st, &sel_course_table, course, "course", owner, err)) != 0)
		return rc;
	cs = colset_new();
	colset_text(cs, "course_id", course);
	colset_text(cs, "date", date);
	colset_text(cs, "topic", topic ? topic : "");
	colset_real(cs, "hours", hours);
	store_new_id(id);
	return rec_write(st, "sel_session", id, owner, cs, author, err);
}

/* sel_attend_tx checks and writes inside its caller's transaction, so no other write comes between. */
static int
sel_attend_tx(struct store *st, const char *session, const char *appt_id, bool present, const char *author,
	   struct nz_err *err)
{
	struct colset *cs;
	sqlite3_stmt *q;
	char owner[NZ_ID_MAX], course[NZ_RID_MAX], aowner[NZ_ID_MAX], status[16], rid[NZ_RID_MAX], today[11];
	char date[11];
	int rc;

	if ((q = store_prepare(st, "SELECT owner, course_id, date FROM sel_session WHERE id = ? AND deleted = 0",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, session, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q) == SQLITE_ROW ? 0 : NZ_ENOTFOUND;
	copy(owner, sizeof(owner), rc == 0 ? col_text(q, 0) : "");
	copy(course, sizeof(course), rc == 0 ? col_text(q, 1) : "");
	copy(date, sizeof(date), rc == 0 ? col_text(q, 2) : "");
	sqlite3_reset(q);
	if (rc != 0)
		return nz_fail(err, rc, "no course session with id '%s'", session);
	nz_today(today);
	if ((rc = sense_not_before("sense.attendance_early", "recording today", today, "the session's date", date,
				   err)) != 0)
		return rc;
	if ((q = store_prepare(st, "SELECT owner, status FROM sel_appointment WHERE id = ? AND deleted = 0",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, appt_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q) == SQLITE_ROW ? 0 : NZ_ENOTFOUND;
	copy(aowner, sizeof(aowner), rc == 0 ? col_text(q, 0) : "");
	copy(status, sizeof(status), rc == 0 ? col_text(q, 1) : "");
	sqlite3_reset(q);
	if (rc != 0)
		return nz_fail(err, rc, "no appointment with id '%s'", appt_id);
	if (strcmp(status, "active") != 0)
		return nz_fail(err, NZ_ESTATE,
			       "appointment '%s' is %s; attendance is kept for appointed groups", appt_id,
			       status);
	if (strcmp(owner, aowner) != 0)
		return nz_fail(err, NZ_EINVAL, "appointment '%s' is of %s but session '%s' is of %s", appt_id,
			       aowner, session, owner);
	sel_derived_id("at-", session, appt_id, rid);
	cs = colset_new();
	colset_text(cs, "session_id", session);
	colset_text(cs, "course_id", course);
	colset_text(cs, "appointment_id", appt_id);
	colset_int(cs, "present", present ? 1 : 0);
	colset_text(cs, "updated", today);
	return rec_write(st, "sel_attendance", rid, owner, cs, author, err);
}

int
sel_attend(struct store *st, const char *session, const char *appt_id, bool present, const char *author,
	   struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_attend_tx(st, session, appt_id, present, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

json_t *
sel_course_list(struct store *st, const char *under)
{
	json_t *rows;
	size_t i;
	json_t *r;

	rows = sel_query_json(
		st,
		"SELECT id, owner, title, required, created FROM sel_course WHERE deleted = 0 AND " UNDER_SQL
		" ORDER BY owner, created, id",
		under, NULL, NULL);
	json_array_foreach(rows, i, r) {
		json_object_set_new(
			r, "sessions",
			sel_query_json(
				st,
				"SELECT id, date, topic, hours,"
				" (SELECT count(*) FROM sel_attendance t WHERE t.session_id = s.id"
				"   AND t.deleted = 0 AND t.present = 1) AS present"
				" FROM sel_session s WHERE course_id = ? AND deleted = 0 ORDER BY date, id",
				json_string_value(json_object_get(r, "id")), NULL, NULL));
	}
	return rows;
}

json_t *
sel_course_status(struct store *st, const char *under, bool pending)
{
	json_t *rows, *out = json_array(), *cur = NULL;
	const char *last = "";
	size_t i;
	json_t *r;

	/* One row per (active appointment, course of its secretariat). */
	rows = sel_query_json(
		st,
		"SELECT p.id AS appointment_id, p.owner, p.group_name, p.decree_no, c.id AS course_id,"
		" c.title, c.required,"
		" (SELECT count(*) FROM sel_session s WHERE s.course_id = c.id AND s.deleted = 0) AS sessions,"
		" (SELECT count(*) FROM sel_attendance t JOIN sel_session s ON s.id = t.session_id"
		"   WHERE t.appointment_id = p.id AND s.course_id = c.id AND t.present = 1"
		"   AND t.deleted = 0 AND s.deleted = 0) AS attended"
		" FROM sel_appointment p LEFT JOIN sel_course c ON c.owner = p.owner AND c.deleted = 0"
		" WHERE p.deleted = 0 AND p.status = 'active' AND " UNIT_SQL_UNDER(
			"p.owner") " ORDER BY p.owner, p.appointed, p.id, c.created, c.id",
		under, NULL, NULL);
	json_array_foreach(rows, i, r) {
		const char *appt = sel_jstr(r, "appointment_id");
		json_int_t need = json_integer_value(json_object_get(r, "required"));
		json_int_t have = json_integer_value(json_object_get(r, "attended"));
		json_int_t nsess = json_integer_value(json_object_get(r, "sessions"));

		if (strcmp(appt, last) != 0) {
			cur = json_pack("{s:s, s:s, s:s, s:s, s:b, s:[]}", "appointment_id", appt, "owner",
					sel_jstr(r, "owner"), "group_name", sel_jstr(r, "group_name"), "decree_no",
					sel_jstr(r, "decree_no"), "completed", 0, "courses");
			json_array_append_new(out, cur);
			last = appt;
		}
		if (json_is_null(json_object_get(r, "course_id")))
			continue;
		if (need <= 0) /* every session of the course */
			need = nsess;
		json_array_append_new(json_object_get(cur, "courses"),
				      json_pack("{s:s, s:s, s:I, s:I, s:b}", "course_id",
						sel_jstr(r, "course_id"), "title", sel_jstr(r, "title"), "attended",
						(json_int_t)have, "required", (json_int_t)need, "completed",
						need > 0 && have >= need));
		if (need > 0 && have >= need)
			json_object_set_new(cur, "completed", json_true());
	}
	json_decref(rows);
	if (pending) {
		json_t *keep = json_array();
		json_array_foreach(out, i, r) {
			if (!json_is_true(json_object_get(r, "completed")))
				json_array_append(keep, r);
		}
		json_decref(out);
		out = keep;
	}
	return out;
}
