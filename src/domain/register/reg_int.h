/*
 * Internal header of the issue register (نظام مسائل): what the files of
 * src/domain/register/ share and nothing else includes.  The interface is
 * domain/register.h.
 *
 * The register holds the problems (issues.c) and their lifecycle
 * (lifecycle.c), the national standards they are scored against, deliberation
 * sessions and scores, solutions, council decisions, interventions,
 * evaluations, organisations, facilitators, and the consolidated view of a
 * subtree.  Dependencies inside the folder point one way: reg_tables,
 * lifecycle and reg_util at the bottom, issues above them, the rest above
 * issues.
 */
#ifndef NEHZAT_DOMAIN_REGISTER_REG_INT_H
#define NEHZAT_DOMAIN_REGISTER_REG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/dates.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/domain.h"
#include "domain/field.h"
#include "domain/record.h"
#include "domain/register.h"

#define LIST_MAX 100   /* problems in one session or solution */

/* REG_LINKS(rel, kind, col) is SQL counting the active links of rel (helper, actor) on the record col of
 * kind (issue, session, intervention): how many helper groups work on it, how many actors took part. */
#define REG_LINKS(rel, kind, col)                                                                        \
	"(SELECT count(*) FROM record_link l WHERE l.record = " col " AND l.kind = '" kind "' AND l.rel = '" \
	rel "' AND l.active = 1 AND l.deleted = 0)"

struct idlist {
	char id[LIST_MAX][NZ_RID_MAX];
	int n;
};

struct sol {
	char owner[NZ_ID_MAX];
	char status[16]; /* stored */
	char state[16];  /* effective */
	char council[NZ_ID_MAX];
	char submitted[11];
	char start[11], end[11];
	int64_t round;
};

static inline const char *
nz_str(const char *s)
{
	return s != NULL ? s : "";
}

/* reg_prep prepares sql and binds up to three text parameters (NULL binds NULL); NULL on a
 * database error.  The caller finalizes the statement. */
sqlite3_stmt *reg_prep(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3);

/* reg_query returns the rows of sql as a new JSON array; NULL on a database error (rec_rows). */
json_t *reg_query(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3);

/* A part of a record as it is read: the rows of sql, whose ?1 is the record's id, under key. */
struct reg_part {
	const char *key, *sql;
};

/* reg_attach_parts attaches to *out the rows of each of parts (ended by a NULL key) for record id, each
 * once the one before succeeded (record.h's rec_attach). */
int reg_attach_parts(struct store *st, json_t **out, const struct reg_part *parts, const char *id,
		     struct nz_err *err);

/* reg_evaluations returns the live evaluations of a solution or an intervention (by, its column), by date;
 * NULL on a database error.  Those of a solution name their intervention. */
json_t *reg_evaluations(struct store *st, const char *by, const char *id);


/* reg_names writes the first column of the rows of sql (one text parameter) into buf, separated by
 * ", ", cut at n bytes; none when there is no row or the read fails (it only words a refusal). */
void reg_names(struct store *st, const char *sql, const char *p1, const char *none, char *buf, size_t n);



/* reg_national_only refuses unless this node is the national secretariat. */
int reg_national_only(struct store *st, const char *what, struct nz_err *err);

/* reg_check_code refuses a code that is not 1 to 24 of a-z, 0-9 and _, starting with a letter. */
int reg_check_code(const char *what, const char *code, struct nz_err *err);

/* reg_pair splits pair, "FIELD=VALUE", into the column FIELD stands for (name: its alias in aliases,
 * pairs of the name the add command takes then the column, NULL-terminated, NULL: none; else FIELD
 * itself) and *value (inside pair); NZ_EINVAL when pair is not FIELD=VALUE. */
int reg_pair(const char *pair, const char *const *aliases, char name[64], const char **value, struct nz_err *err);

/* reg_set_pairs applies FIELD=VALUE pairs to record id of t: locked fields are
 * refused, a field may be named as the add command names it (aliases, see
 * reg_pair), fields named in dates are read as Jalali or ISO dates, whole
 * numbers may not be negative, and free text is bounded. */
int reg_set_pairs(struct store *st, const struct tbl_def *t, const char *what, const char *id, int npairs,
	  char *const *pairs, const char *const *locked, const char *const *dates, const char *const *aliases,
	  const char *author, struct nz_err *err);

/* reg_idlist_has tells whether id is in l. */
bool reg_idlist_has(const struct idlist *l, const char *id);

/* reg_idlist_add appends id to l unless it is there, refusing more than LIST_MAX ids. */
int reg_idlist_add(struct idlist *l, const char *id, struct nz_err *err);

/* reg_idlist_parse adds the ids of text, separated by spaces or commas, to l. */
int reg_idlist_parse(struct idlist *l, const char *text, struct nz_err *err);

/* reg_idlist_text writes l as ids separated by spaces. */
void reg_idlist_text(const struct idlist *l, char *buf, size_t size);

/* reg_idlist_check_area refuses unless every problem of l is live and owned by area. */
int reg_idlist_check_area(struct store *st, const struct idlist *l, const char *area, struct nz_err *err);

/* reg_sol_load reads solution id into s, with its effective state. */
int reg_sol_load(struct store *st, const char *id, struct sol *s, struct nz_err *err);

/* reg_sol_write_status writes a solution's new stored status (and more columns from cs
 * when given); it frees cs. */
int reg_sol_write_status(struct store *st, const char *id, const struct sol *s, const char *to, struct colset *cs,
	 const char *author, struct nz_err *err);

/* reg_cascade moves the problems a solution carries along with it: those whose
 * current solution it is, in state from. */
int reg_cascade(struct store *st, const char *sol, const char *from, const char *to, enum reg_via via,
	const char *author, struct nz_err *err);

#endif
