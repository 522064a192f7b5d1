/*
 * The digest of a subtree's records: a hash of every row's current values,
 * summed so that it does not depend on the order rows are read in.  Two
 * nodes that converged give the same digest for the same subtree.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/unit.h"
#include "store/store_int.h"

static void
hash_value(crypto_generichash_state *h, sqlite3_stmt *s, int i)
{
	unsigned char type = (unsigned char)sqlite3_column_type(s, i);
	int64_t iv;
	double dv;
	int len;

	crypto_generichash_update(h, &type, 1);
	switch (type) {
	case SQLITE_INTEGER:
		iv = sqlite3_column_int64(s, i);
		crypto_generichash_update(h, (const unsigned char *)&iv, sizeof(iv));
		break;
	case SQLITE_FLOAT:
		dv = sqlite3_column_double(s, i);
		crypto_generichash_update(h, (const unsigned char *)&dv, sizeof(dv));
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		len = sqlite3_column_bytes(s, i);
		crypto_generichash_update(h, (const unsigned char *)&len, sizeof(len));
		crypto_generichash_update(h, sqlite3_column_blob(s, i), (size_t)len);
		break;
	default:
		break;
	}
}

int
store_digest(struct store *st, const char *subtree, char out[65], struct nz_err *err)
{
	uint64_t acc[4] = {0, 0, 0, 0};
	unsigned char sum[32];
	int ti, i, rc = 0;

	for (ti = 0; st->tables[ti] != NULL; ti++) {
		const struct tbl_def *t = st->tables[ti];
		int n = tbl_ncols(t), step;
		char sql[4096];
		size_t len;
		sqlite3_stmt *s;

		len = (size_t)snprintf(sql, sizeof(sql), "SELECT id, owner, deleted");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(sql + len, sizeof(sql) - len, ", %s", t->cols[i].name);
		/* Without "?1 IS NULL OR", a subtree's rows come through the owner index. */
		snprintf(sql + len, sizeof(sql) - len, " FROM %s%s", t->name,
			 subtree != NULL ? " WHERE " UNIT_SQL_WITHIN("owner", "?1") : "");
		if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
			return store_sqlerr(st, err, "digest");
		if (subtree != NULL)
			sqlite3_bind_text(s, 1, subtree, -1, SQLITE_STATIC);
		while ((step = sqlite3_step(s)) == SQLITE_ROW) {
			crypto_generichash_state h;
			uint64_t lane;
			crypto_generichash_init(&h, NULL, 0, sizeof(sum));
			crypto_generichash_update(&h, (const unsigned char *)t->name, strlen(t->name) + 1);
			for (i = 0; i < 3 + n; i++) {
				if (i >= 3)
					crypto_generichash_update(&h, (const unsigned char *)t->cols[i - 3].name,
								  strlen(t->cols[i - 3].name) + 1);
				hash_value(&h, s, i);
			}
			crypto_generichash_final(&h, sum, sizeof(sum));
			/* Summing row hashes makes the digest independent of row order. */
			for (i = 0; i < 4; i++) {
				memcpy(&lane, sum + 8 * i, 8);
				acc[i] += lane;
			}
		}
		if (step != SQLITE_DONE)
			rc = store_sqlerr(st, err, "digest");
		sqlite3_finalize(s);
		if (rc != 0)
			return rc;
	}
	memcpy(sum, acc, sizeof(sum));
	sodium_bin2hex(out, 65, sum, sizeof(sum));
	return 0;
}
