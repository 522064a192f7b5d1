#ifndef NZ_HEALTH_H
#define NZ_HEALTH_H

#include <stdint.h>

#include <jansson.h>

#include "store/store.h"

/*
 * The node's own health, as `nehzat status` and the web face show it: its
 * peers (last contact, backlog each way, quarantined changes) and the
 * changes refused from them.  Reads only.
 */


/*
 * health_peers returns a new JSON array, one object per peer: id, role,
 * url (children's), last_contact and last_sync (unix ms, 0 never), acked
 * (the acknowledged position: of our log at the parent, of the child's log
 * here), for the parent also pulled and parent_head (our read position in
 * its log, and its head when last heard),
 * connected (heard from within three sync intervals of sync_interval
 * seconds), backlog_up (parent: our changes it has not acknowledged; a
 * child: what it said, in its last PUSH, it still had for us; null when it
 * never said: an older release), backlog_down (a child: the changes meant
 * for it after where its last pull ended, exactly; the parent: what it said,
 * in its last PULL_OK, it still had for us, or from an older parent the
 * positions of its log we have not read, 0 exactly when caught up), quarantine, last_error, and revoked (unix ms when its key
 * was revoked, 0 if not).  last_sync is the last successful
 * exchange: for a child, its last pull; for the parent, the last pull that
 * read its log through.
 */
json_t *health_peers(struct store *st, int sync_interval);

/* health_quarantine returns the quarantined changes, newest first, at most limit (0: all). */
json_t *health_quarantine(struct store *st, int limit);

#endif
