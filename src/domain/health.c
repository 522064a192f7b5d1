/* The node's own health: peers, backlogs, quarantine (read only). */
#include <string.h>

#include "domain/health.h"
#include "domain/record.h"
#include "store/hlc.h"

json_t *
health_peers(struct store *st, int sync_interval)
{
	json_t *peers = json_array();
	sqlite3_stmt *q;
	int64_t now = (int64_t)hlc_wall_ms();

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT id, role, url, ack, pull, head, last_contact, last_sync, last_error, revoked, backlog"
			       " FROM peer ORDER BY role DESC, id",
			       -1, &q, NULL) != SQLITE_OK)
		return peers;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		bool parent = strcmp((const char *)sqlite3_column_text(q, 1), "parent") == 0;
		int64_t last = sqlite3_column_int64(q, 6), pull = sqlite3_column_int64(q, 4);
		int64_t head = sqlite3_column_int64(q, 5);
		/* What the peer said it still had for us after its last batch (NULL: an older peer). */
		bool told = sqlite3_column_type(q, 10) != SQLITE_NULL;
		int64_t told_n = sqlite3_column_int64(q, 10);
		json_t *p = json_object();

		json_object_set_new(p, "id", json_string(id));
		json_object_set_new(p, "role", json_string(parent ? "parent" : "child"));
		json_object_set_new(p, "url", json_string((const char *)sqlite3_column_text(q, 2)));
		json_object_set_new(p, "last_contact", json_integer(last));
		json_object_set_new(p, "last_sync", json_integer(sqlite3_column_int64(q, 7)));
		json_object_set_new(p, "connected",
				    json_boolean(last > 0 && now - last < 3000LL * sync_interval + 5000));
		/* Acknowledged cursors: for the parent, how much of our log it holds
		 * and how far we have read its log; for a child, how much of its log
		 * we hold (its pull cursor lives at the child). */
		json_object_set_new(p, "acked", json_integer(sqlite3_column_int64(q, 3)));
		if (parent) {
			json_object_set_new(p, "pulled", json_integer(pull));
			json_object_set_new(p, "parent_head", json_integer(head));
			json_object_set_new(p, "backlog_up",
					    json_integer(store_log_pending(st, id, true, sqlite3_column_int64(q, 3), INT64_MAX)));
			/* Exact as of the last PULL_OK; an older parent tells no count: head - pull bounds it. */
			json_object_set_new(p, "backlog_down",
					    json_integer(told ? told_n : head > pull ? head - pull : 0));
		} else {
			/* What the child still had for us after its last PUSH, as it said (null: never said). */
			json_object_set_new(p, "backlog_up", told ? json_integer(told_n) : json_null());
			json_object_set_new(p, "backlog_down", json_integer(store_log_pending(st, id, false, pull, INT64_MAX)));
		}
		json_object_set_new(p, "quarantine",
				    json_integer(rec_scalar(st, "SELECT count(*) FROM quarantine WHERE peer = ?", id, NULL)));
		json_object_set_new(p, "last_error", json_string((const char *)sqlite3_column_text(q, 8)));
		json_object_set_new(p, "revoked", json_integer(sqlite3_column_int64(q, 9)));
		json_array_append_new(peers, p);
	}
	sqlite3_finalize(q);
	return peers;
}

json_t *
health_quarantine(struct store *st, int limit)
{
	json_t *a = json_array();
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT at, peer, reason, origin, origin_seq, tbl, rid, owner, author FROM quarantine"
			       " ORDER BY id DESC LIMIT ?",
			       -1, &q, NULL) != SQLITE_OK)
		return a;
	sqlite3_bind_int(q, 1, limit > 0 ? limit : -1);
	while (sqlite3_step(q) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "at",
						   (json_int_t)sqlite3_column_int64(q, 0), "peer",
						   (const char *)sqlite3_column_text(q, 1), "reason",
						   (const char *)sqlite3_column_text(q, 2), "origin",
						   (const char *)sqlite3_column_text(q, 3), "origin_seq",
						   (json_int_t)sqlite3_column_int64(q, 4), "table",
						   (const char *)sqlite3_column_text(q, 5), "record",
						   (const char *)sqlite3_column_text(q, 6), "owner",
						   (const char *)sqlite3_column_text(q, 7), "author",
						   (const char *)sqlite3_column_text(q, 8)));
	sqlite3_finalize(q);
	return a;
}
