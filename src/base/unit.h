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

#endif
