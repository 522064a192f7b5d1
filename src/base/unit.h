#ifndef NZ_UNIT_H
#define NZ_UNIT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Org-unit codes, which are also node ids:
 *   IR         national secretariat
 *   IR-PP      province, PP two digits (ISO 3166-2:IR)
 *   IR-PP-CC   county, CC two digits (the SCI county number)
 * Ancestry is the code prefix at a '-' boundary.
 */
#define NZ_ID_MAX 16

enum nz_level { NZ_LEVEL_NATIONAL = 0, NZ_LEVEL_PROVINCE = 1, NZ_LEVEL_COUNTY = 2 };

/* unit_level returns the level of a well-formed code, or -1 when it is not one. */
int unit_level(const char *code);

/* unit_level_name returns "national", "province" or "county". */
const char *unit_level_name(int level);

/* unit_within reports whether code equals anc or lies below it. */
bool unit_within(const char *code, const char *anc);

/* unit_parent writes the parent's code into out; returns -1 for IR. */
int unit_parent(const char *code, char out[NZ_ID_MAX]);

/*
 * unit_from_sci turns an SCI code as found in the divisions data ("07" for a
 * province, "0701" for a county) into a node id ("IR-07", "IR-07-01").
 * Returns 0, or -1 when sci is not 2 or 4 digits.
 */
int unit_from_sci(const char *sci, char out[NZ_ID_MAX]);

/* unit_code_len returns the length of the codes of a level: 2 (IR), 5 (IR-PP) or 8 (IR-PP-CC). */
size_t unit_code_len(int level);

/* unit_child_len returns the length of the codes of the units directly below code: 5 below IR, 8 below
 * a province, and 8 for a county, the finest level (a prefix of that length names code itself). */
size_t unit_child_len(const char *code);

/* unit_toward writes into out the unit directly below base on the way to unit (IR, "IR-07-03" -> "IR-07")
 * and returns 0; when unit does not lie below base (it is base, or elsewhere, or base is a county) it
 * writes base and returns -1. */
int unit_toward(const char *base, const char *unit, char out[NZ_ID_MAX]);

/*
 * The subtree in SQL, written once.  Every code below X sorts after "X-" and
 * before "X." ('.' follows '-' in ASCII and no code holds either after its
 * prefix), so a range test finds a subtree with the index on the column,
 * which LIKE would not.  col and p are SQL text: a column and a parameter
 * such as "?1" (either may be the other's role: UNIT_SQL_BELOW("?1", "owner")
 * holds when the unit ?1 lies below owner).
 *   UNIT_SQL_BELOW(col, p)   col lies strictly below p
 *   UNIT_SQL_WITHIN(col, p)  col is p or lies below it
 *   UNIT_SQL_UNDER(col)      col is ?1 or lies below it; anything when ?1 is NULL
 */
#define UNIT_SQL_BELOW(col, p) "(" col " > " p " || '-' AND " col " < " p " || '.')"
#define UNIT_SQL_WITHIN(col, p) "(" col " = " p " OR " UNIT_SQL_BELOW(col, p) ")"
#define UNIT_SQL_UNDER(col) "(?1 IS NULL OR " UNIT_SQL_WITHIN(col, "?1") ")"

#endif
