#ifndef NZ_BENCH_PLAIN_H
#define NZ_BENCH_PLAIN_H

/*
 * The plain side of P1 (b_fill --plain) and P2 (b_write): a problem's row
 * inserted by SQL alone, the values the write path is given, into a table
 * of the store's shape.
 */
#include <sqlite3.h>

#define PLAIN_INSERT                                                                                        \
	"INSERT INTO issue (id, owner, title, description, category, status, created)"                     \
	" VALUES (?, ?, ?, ?, ?, ?, ?)"

/* plain_insert inserts the problem rid titled title through ins (PLAIN_INSERT, prepared). */
static inline void
plain_insert(sqlite3_stmt *ins, const char *rid, const char *title)
{
	sqlite3_bind_text(ins, 1, rid, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, "IR-07-03", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, "a description of the problem", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 5, "water", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 6, "identified", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 7, "2026-11-28", -1, SQLITE_STATIC);
	sqlite3_step(ins);
	sqlite3_reset(ins);
}

#endif
