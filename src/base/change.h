#ifndef NZ_CHANGE_H
#define NZ_CHANGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/unit.h"

/* Size limits of a change's fields, enforced on every decode. */
#define NZ_TBL_MAX 32       /* table name, incl. NUL */
#define NZ_RID_MAX 40       /* record id, incl. NUL */
#define NZ_AUTHOR_MAX 64    /* author (user name), incl. NUL */
#define NZ_COLS_MAX 65536   /* encoded column map, bytes */
#define NZ_COLS_NMAX 64     /* columns in one change */

/*
 * NZ_SEQ_MAX is the highest origin_seq a node hands out or accepts from a
 * peer (2^53: no log will ever come near it), so that sums of sequences
 * never overflow an int64.
 */
#define NZ_SEQ_MAX ((int64_t)1 << 53)

/*
 * struct nz_change is one entry of a change log: a write to some columns of
 * one replicated record.  (origin, origin_seq) identifies it everywhere;
 * hlc orders it for last-writer-wins.  cols is a msgpack map from column
 * name (str) to value (nil, integer, float64 or str); a change that deletes
 * the record sets the column "deleted" to 1.  cols is borrowed: whoever
 * fills the struct says how long the bytes live.
 */
struct nz_change {
	char origin[NZ_ID_MAX];
	int64_t origin_seq;
	uint64_t hlc;
	char tbl[NZ_TBL_MAX];
	char rid[NZ_RID_MAX];
	char owner[NZ_ID_MAX];
	char author[NZ_AUTHOR_MAX];
	const uint8_t *cols;
	size_t cols_len;
};

#endif
