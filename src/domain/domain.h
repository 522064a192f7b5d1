#ifndef NZ_DOMAIN_H
#define NZ_DOMAIN_H

#include <jansson.h>

#include "store/store.h"

/*
 * The domain: one file per area of the guideline.  Each exports its table
 * definitions; domain_tables() lists them all for store_open().
 */

/* domain_tables returns every replicated table, NULL-terminated. */
const struct tbl_def *const *domain_tables(void);

/*
 * domain_check_under refuses under unless it is an org-unit code within
 * this node's subtree (NZ_EINVAL, NZ_EDENIED), the one rule every
 * consolidated figure of a subtree starts with.
 */
int domain_check_under(struct store *st, const char *under, struct nz_err *err);

/* ---- org units (orgunit.c): the tree of secretariats, a national directive ---- */
extern const struct tbl_def orgunit_table;

/*
 * orgunit_import_csv reads one of the two divisions files (provinces:
 * code,name_fa,name_en,iso3166_2,population; counties:
 * code,province_code,name_fa,name_en,population), checks every row, and
 * only then writes them all in one transaction; *count gets the number of
 * units written (a unit already recorded exactly so is not written again).
 * Only the national node may write org units.
 */
int orgunit_import_csv(struct store *st, const char *path, const char *author, int *count,
		       struct nz_err *err);

/*
 * orgunit_set_figure sets field (population: the figures an indicator reads
 * per unit) of org unit code to value, a whole number (Persian digits too) or
 * "unknown"/"" for none: an allocation treats such a unit as unknown, never as
 * zero.  National only; the record keeps who set it and when (figures_by,
 * figures_on) and replicates like every directive.
 */
int orgunit_set_figure(struct store *st, const char *code, const char *field, const char *value, const char *author,
		       struct nz_err *err);

/*
 * orgunit_import_figures reads a CSV of code,FIGURE (code,population; codes
 * as IR-07-03) and sets each, all in one transaction, after checking every
 * row: an unknown code or a bad number refuses the file, naming its line, and
 * nothing is changed.  *count gets the rows written.  National only.
 */
int orgunit_import_figures(struct store *st, const char *path, const char *author, int *count, struct nz_err *err);

/*
 * orgunit_figures returns org unit code with its figures (population), who
 * set them last and when (figures_by, figures_on), and "history": every
 * change that set a figure of it (the tree's import too), newest first, read
 * from the change log (field, value: null for unknown, set_by, set_on: the
 * day in Iran, at: ms).  NULL with err when there is no such unit or on a
 * database error.
 */
json_t *orgunit_figures(struct store *st, const char *code, struct nz_err *err);

/*
 * orgunit_list returns the units under code as a JSON array; under NULL: this
 * node's own subtree and the units above it (the tree reaches every node as a
 * directive, but a county lists no other county).
 */
json_t *orgunit_list(struct store *st, const char *under);

/* ---- problems of the issue register (register/issues.c) ---- */
extern const struct tbl_def issue_table;

/* issue_add records a new problem owned by this node; its id goes to id. */
int issue_add(struct store *st, const char *title, const char *description, const char *category,
	      const char *author, char id[NZ_RID_MAX], struct nz_err *err);

/* issue_set assigns FIELD=VALUE pairs (argv-style) to problem id. */
int issue_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	      struct nz_err *err);

#endif
