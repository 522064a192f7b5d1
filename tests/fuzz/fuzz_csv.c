/*
 * libFuzzer target for CSV import: orgunit_import_csv() of any file into a
 * real national store.  The import checks every row before it writes any,
 * so a refused file must leave the store exactly as it was (same change-log
 * head), and every refusal must say why.
 */
#include <stdio.h>
#include <stdlib.h>

#include "domain/domain.h"
#include "fuzz.h"

static struct store *st;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nz_err err = {0};
	char path[512];
	int64_t head;
	int count = -1, rc;

	if (st == NULL) {
		snprintf(path, sizeof(path), "%s/ir.db", fuzz_dir());
		if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, "IR", &err) != 0) {
			fprintf(stderr, "fuzz_csv: %s\n", err.msg);
			abort();
		}
	}
	head = store_log_head(st);
	rc = orgunit_import_csv(st, fuzz_file("units.csv", data, size), "fuzz", &count, &err);
	if (rc != 0 && (store_log_head(st) != head || err.msg[0] == '\0'))
		abort(); /* a refused file changed the store, or said nothing */
	if (rc == 0 && (count < 0 || store_log_head(st) < head + count))
		abort(); /* fewer changes logged than units written */
	return 0;
}
