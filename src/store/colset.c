/*
 * Column sets: the values of one local write, packed as the entries of the
 * msgpack map that store_write logs (the map's header comes last, when the
 * count is known).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"

struct colset *
colset_new(void)
{
	struct colset *cs = calloc(1, sizeof(*cs));

	if (cs == NULL)
		abort(); /* a few bytes: nothing sensible to do without them */
	msgpack_sbuffer_init(&cs->body);
	msgpack_packer_init(&cs->pk, &cs->body, msgpack_sbuffer_write);
	return cs;
}

void
colset_free(struct colset *cs)
{
	if (cs == NULL)
		return;
	msgpack_sbuffer_destroy(&cs->body);
	free(cs);
}

int
colset_count(const struct colset *cs)
{
	return cs->n;
}

static void
colset_key(struct colset *cs, const char *col)
{
	size_t n = strlen(col);

	msgpack_pack_str(&cs->pk, n);
	msgpack_pack_str_body(&cs->pk, col, n);
	cs->n++;
}

void
colset_text(struct colset *cs, const char *col, const char *value)
{
	size_t n;

	colset_key(cs, col);
	if (value == NULL) {
		msgpack_pack_nil(&cs->pk);
		return;
	}
	n = strlen(value);
	msgpack_pack_str(&cs->pk, n);
	msgpack_pack_str_body(&cs->pk, value, n);
}

void
colset_int(struct colset *cs, const char *col, int64_t value)
{
	colset_key(cs, col);
	msgpack_pack_int64(&cs->pk, value);
}

void
colset_real(struct colset *cs, const char *col, double value)
{
	colset_key(cs, col);
	msgpack_pack_double(&cs->pk, value);
}

void
colset_null(struct colset *cs, const char *col)
{
	colset_key(cs, col);
	msgpack_pack_nil(&cs->pk);
}