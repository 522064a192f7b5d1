/*
 * Invariants where replicas meet: quotas, decree numbers, double appointments.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/selection/sel_int.h"

/* ---- invariants where replicas meet ---- */

int
sel_check_quota(struct store *st, json_t *out, struct nz_err *err)
{
	struct sel_std s;
	sqlite3_stmt *q;
	char owner[NZ_ID_MAX] = "", by[512] = "";
	json_t *ids = NULL;
	int n = 0, step;
	size_t w = 0;

	if (sel_std_load(st, 0, &s, NULL) != 0)
		sel_std_defaults(&s);
	q = store_prepare(
		st,
		"SELECT owner, id, by_node FROM sel_appointment WHERE deleted = 0 AND status = 'active'"
		" ORDER BY owner, by_node, id",
		err);
	if (q == NULL)
		return NZ_EDB;
	/* One pass over the rows sorted by owner; a sentinel step flushes the last group. */
	do {
		step = sqlite3_step(q);
		if (step == SQLITE_ROW && strcmp(owner, col_text(q, 0)) == 0) {
			json_array_append_new(ids, json_string(col_text(q, 1)));
			if (w < sizeof(by))
				w += (size_t)snprintf(by + w, sizeof(by) - w, ", %s by %s", col_text(q, 1),
						      col_text(q, 2));
			n++;
			continue;
		}
		if (ids != NULL) {
			int quota = sel_std_quota(&s, owner);
			if (n > quota)
				check_violation(out, "selection.quota", owner, json_incref(ids),
						"%s holds %d active appointments; its quota is %d (%s)",
						owner, n, quota, by + 2);
			json_decref(ids);
			ids = NULL;
		}
		if (step == SQLITE_ROW) {
			copy(owner, sizeof(owner), col_text(q, 0));
			ids = json_array();
			json_array_append_new(ids, json_string(col_text(q, 1)));
			w = (size_t)snprintf(by, sizeof(by), ", %s by %s", col_text(q, 1), col_text(q, 2));
			n = 1;
		}
	} while (step == SQLITE_ROW);
	sqlite3_reset(q);
	json_decref(ids);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, "check quotas");
}

/*
 * dup_groups reports each group of rows (sorted by the first two columns)
 * sharing owner and key, with the ids of column 2, as a violation.
 */
static int
dup_groups(struct store *st, const char *sql, const char *check, const char *fmt, json_t *out,
	   struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(st, sql, err);
	char owner[NZ_ID_MAX] = "", key[256] = "";
	json_t *ids = NULL;
	int step;

	if (q == NULL)
		return NZ_EDB;
	do {
		step = sqlite3_step(q);
		if (step == SQLITE_ROW && ids != NULL && strcmp(owner, col_text(q, 0)) == 0 &&
		    strcmp(key, col_text(q, 1)) == 0) {
			json_array_append_new(ids, json_string(col_text(q, 2)));
			continue;
		}
		if (ids != NULL && json_array_size(ids) > 1) {
			char list[512] = "";
			size_t i, w = 0;
			json_t *v;
			json_array_foreach(ids, i, v) {
				if (w < sizeof(list))
					w += (size_t)snprintf(list + w, sizeof(list) - w, "%s%s",
							      i ? ", " : "", json_string_value(v));
			}
			check_violation(out, check, owner, json_incref(ids), fmt, owner, key,
					(int)json_array_size(ids), list);
		}
		json_decref(ids);
		ids = NULL;
		if (step == SQLITE_ROW) {
			copy(owner, sizeof(owner), col_text(q, 0));
			copy(key, sizeof(key), col_text(q, 1));
			ids = json_array();
			json_array_append_new(ids, json_string(col_text(q, 2)));
		}
	} while (step == SQLITE_ROW);
	sqlite3_reset(q);
	json_decref(ids);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, check);
}

int
sel_check_decree(struct store *st, json_t *out, struct nz_err *err)
{
	/* A revoked decree keeps its number in the history; a clash is resolved by revoking one side. */
	return dup_groups(
		st,
		"SELECT d.owner, d.number, d.id FROM sel_decree d JOIN sel_appointment p ON p.id = d.appointment_id"
		" WHERE d.deleted = 0 AND p.deleted = 0 AND p.status = 'active' ORDER BY d.owner, d.number, d.id",
		"selection.decree", "%s gave decree number %s to %d active appointments (decrees %s)", out,
		err);
}

int
sel_check_double(struct store *st, json_t *out, struct nz_err *err)
{
	return dup_groups(
		st,
		"SELECT owner, applicant_id, id FROM sel_appointment WHERE deleted = 0 AND status = 'active'"
		" ORDER BY owner, applicant_id, id",
		"selection.double", "%s appointed applicant %s %d times (appointments %s)", out, err);
}
