/*
 * Freshness of every unit of a node's subtree: the peer rows of its
 * children, and the freshness records observers below it sent up.  See
 * fresh.h for the record and the rule that keeps it from flooding the log.
 */
#include <stdio.h>
#include <string.h>

#include "base/jalali.h"
#include "domain/domain.h"
#include "domain/fresh.h"

static const struct col_def fresh_cols[] = {
	{"unit", COL_TEXT},         /* the unit observed: a child of the owner (the observer) */
	{"first_sync", COL_INT},    /* unix ms: the observer's first successful sync with it */
	{"last_sync", COL_INT},     /* unix ms: the watermark, written only when it matters */
	{"last_contact", COL_INT},  /* unix ms: heard from at all, as of that write */
	{"acked", COL_INT},         /* position of the unit's change log the observer holds */
	{NULL, 0},
};
static const char *const fresh_idx[] = {"unit", NULL};
const struct tbl_def freshness_table = {"freshness", VIS_OWNED, fresh_cols, fresh_idx};


bool
fresh_matters(int64_t recorded, int64_t now, int64_t step_ms)
{
	char a[11], b[11];

	if (recorded <= 0)
		return now > 0;
	if (now <= recorded)
		return false;
	if (step_ms > 0 && now - recorded >= step_ms)
		return true;
	iso_from_unix_iran((long long)(recorded / 1000), a);
	iso_from_unix_iran((long long)(now / 1000), b);
	return strcmp(a, b) != 0;
}

int
fresh_observe(struct store *st, const char *child, int64_t step_ms, bool *wrote, struct nz_err *err)
{
	const char *self = store_node(st);
	char rid[NZ_RID_MAX];
	int64_t last = 0, contact = 0, acked = 0, recorded = 0;
	bool have = false;
	struct colset *cs;
	sqlite3_stmt *q;
	int rc;

	if (wrote != NULL)
		*wrote = false;
	if ((q = store_prepare(st, "SELECT last_sync, last_contact, ack FROM peer WHERE id = ?1 AND role = 'child'",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, child, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		last = sqlite3_column_int64(q, 0);
		contact = sqlite3_column_int64(q, 1);
		acked = sqlite3_column_int64(q, 2);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "peer");
	if (last <= 0)
		return 0; /* no successful session yet: nothing to tell */
	snprintf(rid, sizeof(rid), "%s/%s", self, child);
	if ((q = store_prepare(st, "SELECT last_sync FROM freshness WHERE id = ?1 AND deleted = 0", err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, rid, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		have = true;
		recorded = sqlite3_column_int64(q, 0);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "freshness");
	if (have && !fresh_matters(recorded, last, step_ms))
		return 0;
	if ((cs = colset_new()) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	colset_text(cs, "unit", child);
	if (!have)
		colset_int(cs, "first_sync", last);
	colset_int(cs, "last_sync", last);
	colset_int(cs, "last_contact", contact);
	colset_int(cs, "acked", acked);
	rc = store_write(st, "freshness", rid, self, cs, "sync", err);
	colset_free(cs);
	if (rc == 0 && wrote != NULL)
		*wrote = true;
	return rc;
}

int
fresh_of(struct store *st, const char *unit, struct fresh *f, struct nz_err *err)
{
	const char *self = store_node(st);
	char parent[NZ_ID_MAX];
	sqlite3_stmt *q;
	int rc;

	memset(f, 0, sizeof(*f));
	if (strcmp(unit, self) == 0) {
		f->last_sync = FRESH_LOCAL;
		snprintf(f->via, sizeof(f->via), "%s", self);
		snprintf(f->observer, sizeof(f->observer), "%s", self);
		return 0;
	}
	if (unit_level(unit) < 0 || !unit_within(unit, self))
		return nz_fail(err, NZ_EDENIED, "%s is not within this node's subtree (%s)", unit, self);
	unit_toward(self, unit, f->via);
	/* The best report of any observer this node holds. */
	if ((q = store_prepare(st,
			       "SELECT owner, first_sync, last_sync, last_contact, acked FROM freshness"
			       " WHERE unit = ?1 AND deleted = 0 ORDER BY last_sync DESC, owner LIMIT 1",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		snprintf(f->observer, sizeof(f->observer), "%s", (const char *)sqlite3_column_text(q, 0));
		f->first_sync = sqlite3_column_int64(q, 1);
		f->last_sync = sqlite3_column_int64(q, 2);
		f->last_contact = sqlite3_column_int64(q, 3);
		f->acked = sqlite3_column_int64(q, 4);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "freshness");
	if (unit_parent(unit, parent) != 0 || strcmp(parent, self) != 0)
		return 0;
	/* A direct child: our own peer row is first hand and current. */
	if ((q = store_prepare(st, "SELECT last_sync, last_contact, ack FROM peer WHERE id = ?1 AND role = 'child'",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, unit, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t last = sqlite3_column_int64(q, 0), contact = sqlite3_column_int64(q, 1);
		if (last > f->last_sync) {
			f->last_sync = last;
			f->acked = sqlite3_column_int64(q, 2);
			snprintf(f->observer, sizeof(f->observer), "%s", self);
		}
		if (f->first_sync == 0)
			f->first_sync = last;
		if (contact > f->last_contact)
			f->last_contact = contact;
	}
	sqlite3_reset(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, err, "peer");
	return 0;
}

static void
ms_text(int64_t ms, char *out, size_t n)
{
	if (ms <= 0)
		snprintf(out, n, "%s", "");
	else
		jalali_time_text(ms, out, n);
}

void
fresh_text(const struct fresh *f, char *out, size_t n)
{
	if (f->last_sync == FRESH_LOCAL)
		snprintf(out, n, "local");
	else if (f->last_sync <= 0)
		snprintf(out, n, "never");
	else
		jalali_time_text(f->last_sync, out, n);
}

json_t *
fresh_json(const struct fresh *f)
{
	char as_of[32], first[32], contact[32];
	bool local = f->last_sync == FRESH_LOCAL;

	fresh_text(f, as_of, sizeof(as_of));
	ms_text(f->first_sync, first, sizeof(first));
	ms_text(f->last_contact, contact, sizeof(contact));
	return json_pack("{s:s,s:o,s:s,s:s,s:s,s:s,s:s,s:I}", "as_of", as_of, "as_of_ms",
			 local ? json_null() : json_integer(f->last_sync), "heard",
			 local ? "local" : f->last_sync > 0 ? "yes" : "never", "via", f->via, "observer",
			 f->observer, "first_sync", first, "last_contact", contact, "acked", (json_int_t)f->acked);
}

int64_t
fresh_stamp(struct store *st, json_t *obj, const char *unit)
{
	struct fresh f;
	bool local;

	if (!unit_within(unit, store_node(st)) || fresh_of(st, unit, &f, NULL) != 0) {
		memset(&f, 0, sizeof(f));
		snprintf(f.via, sizeof(f.via), "%s", store_node(st));
		f.last_sync = unit_within(unit, store_node(st)) ? 0 : FRESH_LOCAL;
	}
	local = f.last_sync == FRESH_LOCAL;
	json_object_set_new(obj, "via", json_string(f.via));
	json_object_set_new(obj, "local", json_boolean(local));
	json_object_set_new(obj, "last_sync_ms", local ? json_null() : json_integer(f.last_sync));
	return f.last_sync;
}

void
fresh_sum_add(struct fresh_sum *s, const char *unit, const struct fresh *f)
{
	if (f->last_sync == FRESH_LOCAL)
		return;
	s->units++;
	if (f->last_sync <= 0) {
		s->never++;
		return;
	}
	if (s->oldest == 0 || f->last_sync < s->oldest) {
		s->oldest = f->last_sync;
		snprintf(s->oldest_unit, sizeof(s->oldest_unit), "%s", unit);
	}
}

json_t *
fresh_sum_json(const struct fresh_sum *s)
{
	char oldest[32];

	ms_text(s->oldest, oldest, sizeof(oldest));
	return json_pack("{s:i,s:i,s:s,s:I,s:s}", "units", s->units, "never_heard", s->never, "oldest", oldest,
			 "oldest_ms", (json_int_t)s->oldest, "oldest_unit", s->oldest_unit);
}

/* The units strictly below ?1 that this node knows of. */
#define UNITS_BELOW                                                                  \
	"SELECT id FROM orgunit WHERE deleted = 0 AND " UNIT_SQL_BELOW("id", "?1")      \
	" UNION SELECT id FROM peer WHERE role = 'child' AND " UNIT_SQL_BELOW("id", "?1") \
	" UNION SELECT unit FROM freshness WHERE deleted = 0 AND " UNIT_SQL_BELOW("unit", "?1") " ORDER BY 1"

int
fresh_subtree(struct store *st, const char *under, struct fresh_sum *s, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc = 0, step;

	memset(s, 0, sizeof(*s));
	if ((rc = domain_check_under(st, under, err)) != 0)
		return rc;
	if (sqlite3_prepare_v2(store_db(st), UNITS_BELOW, -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "units");
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		struct fresh f;
		if (id == NULL || unit_level(id) < 0)
			continue;
		if ((rc = fresh_of(st, id, &f, err)) != 0)
			break;
		fresh_sum_add(s, id, &f);
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = store_sqlerr(st, err, "units");
	sqlite3_finalize(q);
	return rc;
}

json_t *
fresh_list(struct store *st, const char *under, struct nz_err *err)
{
	json_t *out = NULL, *rows;
	sqlite3_stmt *q, *name;
	int step;

	if (under == NULL)
		under = store_node(st);
	if (domain_check_under(st, under, err) != 0)
		return NULL;
	if (sqlite3_prepare_v2(store_db(st), "SELECT ?1 UNION ALL SELECT * FROM (" UNITS_BELOW ")", -1, &q,
			       NULL) != SQLITE_OK) {
		store_sqlerr(st, err, "units");
		return NULL;
	}
	if ((name = store_prepare(st, "SELECT coalesce(name_fa, '') FROM orgunit WHERE id = ?1 AND deleted = 0",
				  err)) == NULL) {
		sqlite3_finalize(q);
		return NULL;
	}
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	rows = json_array();
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		const char *id;
		struct fresh f;
		json_t *row;
		id = (const char *)sqlite3_column_text(q, 0);
		if (id == NULL || unit_level(id) < 0)
			continue;
		if (fresh_of(st, id, &f, err) != 0)
			goto out;
		row = fresh_json(&f);
		sqlite3_bind_text(name, 1, id, -1, SQLITE_TRANSIENT);
		json_object_set_new(row, "unit", json_string(id));
		json_object_set_new(row, "name",
				    json_string(sqlite3_step(name) == SQLITE_ROW
							? (const char *)sqlite3_column_text(name, 0)
							: ""));
		sqlite3_reset(name);
		json_object_set_new(row, "level", json_string(unit_level_name(unit_level(id))));
		json_array_append_new(rows, row);
	}
	if (step != SQLITE_DONE) {
		store_sqlerr(st, err, "units");
		goto out;
	}
	out = rows;
	rows = NULL;
out:
	json_decref(rows);
	sqlite3_finalize(q);
	return out;
}
