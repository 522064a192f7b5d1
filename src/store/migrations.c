/*
 * The store's core schema and its migrations (store.c runs them in
 * migrate(); the replicated tables come from their definitions).
 */
#include "store/store_int.h"

/*
 * Core schema, one entry per version; PRAGMA user_version records how many
 * have run.  A migration is never edited once released: add a new one.
 */
const char *const store_migrations[] = {
	/* 1: metadata, change log, quarantine, peers */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE oplog ("
	"  seq INTEGER PRIMARY KEY,"
	"  origin TEXT NOT NULL, origin_seq INTEGER NOT NULL, hlc INTEGER NOT NULL,"
	"  tbl TEXT NOT NULL, rid TEXT NOT NULL, owner TEXT NOT NULL,"
	"  dir INTEGER NOT NULL, author TEXT NOT NULL, cols BLOB NOT NULL,"
	"  via TEXT NOT NULL DEFAULT '');"
	"CREATE UNIQUE INDEX oplog_key ON oplog(origin, origin_seq);"
	"CREATE TABLE quarantine ("
	"  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, peer TEXT NOT NULL,"
	"  reason TEXT NOT NULL, origin TEXT NOT NULL, origin_seq INTEGER NOT NULL,"
	"  hlc INTEGER NOT NULL, tbl TEXT NOT NULL, rid TEXT NOT NULL,"
	"  owner TEXT NOT NULL, author TEXT NOT NULL, cols BLOB NOT NULL,"
	"  UNIQUE(origin, origin_seq));"
	"CREATE TABLE peer ("
	"  id TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('parent','child')),"
	"  url TEXT NOT NULL DEFAULT '', pubkey BLOB, dbid BLOB,"
	"  ack INTEGER NOT NULL DEFAULT 0, ack_token INTEGER NOT NULL DEFAULT 0,"
	"  pull INTEGER NOT NULL DEFAULT 0, pull_token INTEGER NOT NULL DEFAULT 0,"
	"  auth_counter INTEGER NOT NULL DEFAULT 0, head INTEGER NOT NULL DEFAULT 0,"
	"  last_contact INTEGER NOT NULL DEFAULT 0, last_sync INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT NOT NULL DEFAULT '') WITHOUT ROWID;",
	/* 2: enrolment by one-time code, revoked keys, a child's announced next key */
	"ALTER TABLE peer ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE peer ADD COLUMN pubkey_next BLOB;"
	"CREATE TABLE invite ("
	"  child TEXT PRIMARY KEY, secret BLOB NOT NULL, created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL, used INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;",
	/*
	 * 3: a record's column clocks (clk) grouped by clock, columns by number
	 * (clk.c, clk_decode).  Nothing to convert: older clocks are still
	 * read.  The version alone keeps an older program, which would take the
	 * new clocks for corrupt, from opening the database.
	 */
	"-- column clocks by number",
	/* 4: what the peer said it still had for us after its last batch (NULL: never said) */
	"ALTER TABLE peer ADD COLUMN backlog INTEGER;",
	/*
	 * 5: the change log made leaner (README, P8).  Its origins, owners,
	 * tables, authors and peers are numbers into a dictionary (sym): a
	 * byte or two each instead of a string.  Entries logged from now on
	 * number their columns (colmap.c); older ones keep their names.  The
	 * log is table chlog; oplog is a view with the columns and names it
	 * always had, for reading by SQL and for repairs by hand (its triggers
	 * write through).
	 */
	"CREATE TABLE sym (id INTEGER PRIMARY KEY, s TEXT NOT NULL UNIQUE);"
	"INSERT INTO sym(s) VALUES ('');"
	"INSERT OR IGNORE INTO sym(s) SELECT origin FROM oplog UNION SELECT tbl FROM oplog"
	"  UNION SELECT owner FROM oplog UNION SELECT author FROM oplog UNION SELECT via FROM oplog;"
	"CREATE TABLE chlog ("
	"  seq INTEGER PRIMARY KEY,"
	"  origin INTEGER NOT NULL, origin_seq INTEGER NOT NULL, hlc INTEGER NOT NULL,"
	"  tbl INTEGER NOT NULL, rid TEXT NOT NULL, owner INTEGER NOT NULL,"
	"  dir INTEGER NOT NULL, author INTEGER NOT NULL, cols BLOB NOT NULL, via INTEGER NOT NULL);"
	"INSERT INTO chlog SELECT seq, (SELECT id FROM sym WHERE s = origin), origin_seq, hlc,"
	"  (SELECT id FROM sym WHERE s = tbl), rid, (SELECT id FROM sym WHERE s = owner), dir,"
	"  (SELECT id FROM sym WHERE s = author), cols, (SELECT id FROM sym WHERE s = via) FROM oplog ORDER BY seq;"
	"DROP TABLE oplog;"
	"CREATE UNIQUE INDEX chlog_key ON chlog(origin, origin_seq);"
	"CREATE VIEW oplog AS SELECT l.seq AS seq, o.s AS origin, l.origin_seq AS origin_seq, l.hlc AS hlc,"
	"  t.s AS tbl, l.rid AS rid, w.s AS owner, l.dir AS dir, a.s AS author, l.cols AS cols, v.s AS via"
	"  FROM chlog l JOIN sym o ON o.id = l.origin JOIN sym t ON t.id = l.tbl JOIN sym w ON w.id = l.owner"
	"  JOIN sym a ON a.id = l.author JOIN sym v ON v.id = l.via;"
	"CREATE TRIGGER oplog_insert INSTEAD OF INSERT ON oplog BEGIN"
	"  INSERT OR IGNORE INTO sym(s) VALUES (NEW.origin), (NEW.tbl), (NEW.owner), (NEW.author),"
	"   (coalesce(NEW.via, ''));"
	"  INSERT INTO chlog (seq, origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via) VALUES"
	"   (NEW.seq, (SELECT id FROM sym WHERE s = NEW.origin), NEW.origin_seq, NEW.hlc,"
	"   (SELECT id FROM sym WHERE s = NEW.tbl), NEW.rid, (SELECT id FROM sym WHERE s = NEW.owner), NEW.dir,"
	"   (SELECT id FROM sym WHERE s = NEW.author), NEW.cols, (SELECT id FROM sym WHERE s = coalesce(NEW.via, '')));"
	" END;"
	"CREATE TRIGGER oplog_update INSTEAD OF UPDATE ON oplog BEGIN"
	"  INSERT OR IGNORE INTO sym(s) VALUES (NEW.origin), (NEW.tbl), (NEW.owner), (NEW.author), (NEW.via);"
	"  UPDATE chlog SET seq = NEW.seq, origin = (SELECT id FROM sym WHERE s = NEW.origin),"
	"   origin_seq = NEW.origin_seq, hlc = NEW.hlc, tbl = (SELECT id FROM sym WHERE s = NEW.tbl), rid = NEW.rid,"
	"   owner = (SELECT id FROM sym WHERE s = NEW.owner), dir = NEW.dir,"
	"   author = (SELECT id FROM sym WHERE s = NEW.author), cols = NEW.cols,"
	"   via = (SELECT id FROM sym WHERE s = NEW.via) WHERE seq = OLD.seq;"
	" END;"
	"CREATE TRIGGER oplog_delete INSTEAD OF DELETE ON oplog BEGIN DELETE FROM chlog WHERE seq = OLD.seq; END;",
	/*
	 * 6: a log entry refers to its record's row for the values the row holds
	 * under the entry's clock (rowcols; oplog.c, README P8).  Older entries
	 * keep all their values: nothing to convert.  The view shows rowcols.
	 */
	"ALTER TABLE chlog ADD COLUMN rowcols INTEGER NOT NULL DEFAULT 0;"
	"DROP VIEW oplog;"
	"CREATE VIEW oplog AS SELECT l.seq AS seq, o.s AS origin, l.origin_seq AS origin_seq, l.hlc AS hlc,"
	"  t.s AS tbl, l.rid AS rid, w.s AS owner, l.dir AS dir, a.s AS author, l.cols AS cols, v.s AS via,"
	"  l.rowcols AS rowcols"
	"  FROM chlog l JOIN sym o ON o.id = l.origin JOIN sym t ON t.id = l.tbl JOIN sym w ON w.id = l.owner"
	"  JOIN sym a ON a.id = l.author JOIN sym v ON v.id = l.via;"
	"CREATE TRIGGER oplog_insert INSTEAD OF INSERT ON oplog BEGIN"
	"  INSERT OR IGNORE INTO sym(s) VALUES (NEW.origin), (NEW.tbl), (NEW.owner), (NEW.author),"
	"   (coalesce(NEW.via, ''));"
	"  INSERT INTO chlog (seq, origin, origin_seq, hlc, tbl, rid, owner, dir, author, cols, via, rowcols) VALUES"
	"   (NEW.seq, (SELECT id FROM sym WHERE s = NEW.origin), NEW.origin_seq, NEW.hlc,"
	"   (SELECT id FROM sym WHERE s = NEW.tbl), NEW.rid, (SELECT id FROM sym WHERE s = NEW.owner), NEW.dir,"
	"   (SELECT id FROM sym WHERE s = NEW.author), NEW.cols, (SELECT id FROM sym WHERE s = coalesce(NEW.via, '')),"
	"   coalesce(NEW.rowcols, 0));"
	" END;"
	"CREATE TRIGGER oplog_update INSTEAD OF UPDATE ON oplog BEGIN"
	"  INSERT OR IGNORE INTO sym(s) VALUES (NEW.origin), (NEW.tbl), (NEW.owner), (NEW.author), (NEW.via);"
	"  UPDATE chlog SET seq = NEW.seq, origin = (SELECT id FROM sym WHERE s = NEW.origin),"
	"   origin_seq = NEW.origin_seq, hlc = NEW.hlc, tbl = (SELECT id FROM sym WHERE s = NEW.tbl), rid = NEW.rid,"
	"   owner = (SELECT id FROM sym WHERE s = NEW.owner), dir = NEW.dir, author = (SELECT id FROM sym WHERE s ="
	"   NEW.author), cols = NEW.cols, via = (SELECT id FROM sym WHERE s = NEW.via), rowcols = NEW.rowcols"
	"   WHERE seq = OLD.seq;"
	" END;"
	"CREATE TRIGGER oplog_delete INSTEAD OF DELETE ON oplog BEGIN DELETE FROM chlog WHERE seq = OLD.seq; END;",
};

#define NMIGRATIONS ((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

int
store_schema_version(void)
{
	return NMIGRATIONS;
}
