#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/unit.h"
#include "repl/sync_int.h"

/*
 * What this node takes from a peer: a batch applied in one transaction with
 * its cursor, the authority of the peer over each change (PROTOCOL.md §13),
 * and the quarantine where refused changes wait for an operator.
 */

static void
quarantine(struct sync *s, const char *peer, const struct nz_change *c, const char *reason)
{
	sqlite3_stmt *q = store_prepare(
		s->st,
		"INSERT OR IGNORE INTO quarantine (at, peer, reason, origin, origin_seq, hlc, tbl, rid, owner,"
		" author, cols) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		NULL);

	nz_log(NZ_LOG_WARN, "sync.refused", "peer=%s origin=%s seq=%lld reason=\"%s\"", peer, c->origin,
	       (long long)c->origin_seq, reason);
	if (q == NULL)
		return;
	sqlite3_bind_int64(q, 1, sync_now_ms());
	sqlite3_bind_text(q, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, c->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 5, c->origin_seq);
	sqlite3_bind_int64(q, 6, (sqlite3_int64)c->hlc);
	sqlite3_bind_text(q, 7, c->tbl, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, c->rid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, c->owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 10, c->author, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 11, c->cols, (int)c->cols_len, SQLITE_STATIC);
	sqlite3_step(q);
	sqlite3_reset(q);
}

/* quarantine_held counts the refused changes kept from peer and the bytes of their columns. */
static int
quarantine_held(struct sync *s, const char *peer, int64_t *rows, int64_t *bytes, struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(
		s->st, "SELECT count(*), coalesce(sum(length(cols)), 0) FROM quarantine WHERE peer = ?", err);

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, peer, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		return store_sqlerr(s->st, err, "count quarantine");
	}
	*rows = sqlite3_column_int64(q, 0);
	*bytes = sqlite3_column_int64(q, 1);
	sqlite3_reset(q);
	return 0;
}

int
sync_quarantine_clear(struct store *st, const char *peer, int64_t *n, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	*n = 0;
	if (sqlite3_prepare_v2(store_db(st), "DELETE FROM quarantine WHERE peer = ?", -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(st, err, "clear quarantine");
	sqlite3_bind_text(q, 1, peer, -1, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? 0 : store_sqlerr(st, err, "clear quarantine");
	if (rc == 0)
		*n = sqlite3_changes(store_db(st));
	sqlite3_finalize(q);
	return rc;
}

int
sync_apply_batch(struct sync *s, const char *peer, bool from_child, const struct nz_change *changes, size_t n,
		 const char *cursor_sql, int64_t cur, int64_t token, int64_t pending, struct wire_refusal *refusals,
		 size_t *nrefused, struct nz_err *err)
{
	int64_t qrows = -1, qbytes = 0;
	size_t i;
	int rc;

	*nrefused = 0;
	if ((rc = store_begin(s->st, err)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		const struct nz_change *c = &changes[i];
		const struct tbl_def *t = store_table(s->st, c->tbl);
		char reason[WIRE_TEXT_MAX];
		struct nz_err aerr = {0};

		reason[0] = '\0';
		/* A child speaks for its own subtree only: a change whose origin is
		 * outside it is a forgery, whoever it names (PROTOCOL.md §13). */
		if (from_child && !unit_within(c->origin, peer))
			snprintf(reason, sizeof(reason), "%s may not send changes of origin %s", peer, c->origin);
		else if (from_child && !unit_within(c->owner, peer))
			snprintf(reason, sizeof(reason), "%s may not write records of %s", peer, c->owner);
		else if (c->origin_seq > NZ_SEQ_MAX)
			snprintf(reason, sizeof(reason), "origin_seq %lld is above the limit %lld",
				 (long long)c->origin_seq, (long long)NZ_SEQ_MAX);
		else if (!from_child && !(unit_within(c->owner, s->self) ||
					  (t != NULL && t->vis == VIS_DIRECTIVE && unit_within(s->self, c->owner))))
			snprintf(reason, sizeof(reason), "a record of %s is not visible to %s", c->owner, s->self);
		if (reason[0] == '\0') {
			rc = store_apply(s->st, c, peer, &aerr);
			if (rc == APPLY_NEW && !from_child)
				s->stats.pulled++;
			if (rc == APPLY_DUPLICATE)
				s->stats.duplicates++;
			if (rc == NZ_EINVAL)
				snprintf(reason, sizeof(reason), "%.*s", (int)sizeof(reason) - 1, aerr.msg);
			else if (rc < 0) {
				store_rollback(s->st);
				return nz_fail(err, rc, "%s", aerr.msg);
			}
		}
		if (reason[0] != '\0' && from_child) {
			if (qrows < 0 && (rc = quarantine_held(s, peer, &qrows, &qbytes, err)) != 0) {
				store_rollback(s->st);
				return rc;
			}
			if (qrows + 1 > s->lim.quarantine_max ||
			    qbytes + (int64_t)c->cols_len > s->lim.quarantine_bytes) {
				store_rollback(s->st);
				nz_log(NZ_LOG_WARN, "sync.quarantine_full", "peer=%s rows=%lld bytes=%lld", peer,
				       (long long)qrows, (long long)qbytes);
				return nz_fail(
					err, NZ_EQUOTA,
					"%s keeps at most %lld refused changes (%lld MiB) from %s and this batch "
					"would go over: nothing more is taken until an operator reviews them "
					"('nehzat quarantine list')",
					s->self, (long long)s->lim.quarantine_max,
					(long long)(s->lim.quarantine_bytes >> 20), peer);
			}
			qrows++;
			qbytes += (int64_t)c->cols_len;
		}
		if (reason[0] != '\0') {
			quarantine(s, peer, c, reason);
			if (refusals != NULL) {
				struct wire_refusal *r = &refusals[(*nrefused)];
				snprintf(r->origin, sizeof(r->origin), "%s", c->origin);
				r->origin_seq = c->origin_seq;
				snprintf(r->reason, sizeof(r->reason), "%s", reason);
			}
			(*nrefused)++;
		}
	}
	/* The backlog is bound, not written into the SQL: the statement cache keeps one statement. */
	if (sync_peer_set(s, peer, cursor_sql, cur, token, sync_now_ms()) != 0 ||
	    sync_peer_set(s, peer, pending >= 0 ? "backlog = ?2" : "backlog = NULL", pending, 0, 0) != 0) {
		store_rollback(s->st);
		return store_sqlerr(s->st, err, "cursor");
	}
	return store_commit(s->st, err);
}
