/*
 * libFuzzer target for the configuration reader: conf_load() on any file.
 * It must refuse or accept without crashing; what it accepts must hold only
 * values within the key table's bounds, and every refusal must say why.
 */
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nz_err err = {0};
	struct conf c;
	int rc;

	memset(&c, 0, sizeof(c));
	rc = conf_load(&c, fuzz_file("nehzat.conf", data, size), &err);
	if (rc == 0) {
		/* A few of the table's bounds, and the settings that involve two keys. */
		if (unit_level(c.id) < 0 || c.sync_interval < 1 || c.sync_interval > 3600 ||
		    c.backoff_max < c.backoff_min || (long)c.recv_max < 4L * c.batch_bytes || c.http_timeout < 1 ||
		    c.http_per_client < 1 || (c.http_tls_cert[0] == '\0') != (c.http_tls_key[0] == '\0'))
			abort();
	} else if (rc == NZ_ECONF && err.msg[0] == '\0') {
		abort(); /* a refusal without a reason */
	}
	return 0;
}
