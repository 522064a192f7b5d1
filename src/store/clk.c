/*
 * A record's column clocks, as its clk column holds them: an array of
 * groups, one per clock, the columns numbered as on the wire (0 "deleted",
 * then the table's columns from 1; PROTOCOL.md §6.1), so a record written
 * once carries its clock once.  Since schema 6 a group is [seq, column
 * numbers...]: seq is the log entry of the change that set them, whose hlc
 * and origin are the clock (oplog_stamp) and which refers to the row for
 * their values (oplog.c); 6 bytes for a problem written once instead of 18.
 * Groups written before are [hlc, origin, column numbers...] (schema 3) and,
 * older still, a map from column name to [hlc, origin]: both still read,
 * and kept as they are for the columns no change has set since.
 */
#include <string.h>

#include "store/store_int.h"

static bool
origin_of(const msgpack_object *o, char out[NZ_ID_MAX])
{
	if (o->type != MSGPACK_OBJECT_STR || o->via.str.size >= NZ_ID_MAX)
		return false;
	memcpy(out, o->via.str.ptr, o->via.str.size);
	out[o->via.str.size] = '\0';
	return true;
}

int
clk_decode(const struct tbl_def *t, const void *blob, int len, struct colclock *out, int max,
	   msgpack_unpacked *u)
{
	const msgpack_object *o;
	uint32_t i, k;
	int n = 0, nc = tbl_ncols(t);

	if (blob == NULL || len <= 0)
		return 0;
	if (msgpack_unpack_next(u, blob, (size_t)len, NULL) != MSGPACK_UNPACK_SUCCESS)
		return -1;
	o = &u->data;
	if (o->type == MSGPACK_OBJECT_ARRAY) {
		for (i = 0; i < o->via.array.size; i++) {
			const msgpack_object *g = &o->via.array.ptr[i];
			bool by_seq;
			if (g->type != MSGPACK_OBJECT_ARRAY || g->via.array.size < 2 ||
			    g->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
				return -1;
			by_seq = g->via.array.ptr[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER;
			if (!by_seq && g->via.array.size < 3)
				return -1;
			if (by_seq && (g->via.array.ptr[0].via.u64 == 0 || g->via.array.ptr[0].via.u64 > INT64_MAX))
				return -1;
			for (k = by_seq ? 1 : 2; k < g->via.array.size; k++) {
				const msgpack_object *c = &g->via.array.ptr[k];
				if (n == max || c->type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
				    c->via.u64 > (uint64_t)nc)
					return -1;
				out[n].col = (int)c->via.u64 - 1;
				if (by_seq) {
					out[n].seq = (int64_t)g->via.array.ptr[0].via.u64;
					out[n].hlc = 0;
					out[n].origin[0] = '\0';
				} else {
					out[n].seq = 0;
					out[n].hlc = g->via.array.ptr[0].via.u64;
					if (!origin_of(&g->via.array.ptr[1], out[n].origin))
						return -1;
				}
				n++;
			}
		}
		return n;
	}
	if (o->type != MSGPACK_OBJECT_MAP)
		return -1;
	for (i = 0; i < o->via.map.size && n < max; i++) {
		const msgpack_object_kv *kv = &o->via.map.ptr[i];
		const msgpack_object *v = &kv->val;
		if (kv->key.type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_ARRAY || v->via.array.size != 2 ||
		    v->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
		    !origin_of(&v->via.array.ptr[1], out[n].origin))
			return -1;
		if ((out[n].col = tbl_col(t, kv->key.via.str.ptr, kv->key.via.str.size)) == -2)
			return -1;
		out[n].hlc = v->via.array.ptr[0].via.u64;
		out[n].seq = 0;
		n++;
	}
	return n;
}

bool
clk_newer(uint64_t hlc, const char *origin, const struct colclock *cur)
{
	if (hlc != cur->hlc)
		return hlc > cur->hlc;
	return strcmp(origin, cur->origin) > 0;
}

static void
pack_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);

	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static bool
same_clock(const struct colclock *a, const struct colclock *b)
{
	if (a->seq != 0 || b->seq != 0)
		return a->seq == b->seq;
	return a->hlc == b->hlc && strcmp(a->origin, b->origin) == 0;
}

void
clk_pack(msgpack_packer *pk, const struct colclock *clocks, int n)
{
	bool done[CLK_MAX] = {false};
	int i, j, groups = 0, members;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && !same_clock(&clocks[i], &clocks[j]); j++)
			;
		groups += j == i;
	}
	msgpack_pack_array(pk, (size_t)groups);
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		for (members = 0, j = i; j < n; j++)
			members += same_clock(&clocks[i], &clocks[j]);
		if (clocks[i].seq != 0) {
			msgpack_pack_array(pk, (size_t)members + 1);
			msgpack_pack_uint64(pk, (uint64_t)clocks[i].seq);
		} else {
			msgpack_pack_array(pk, (size_t)members + 2);
			msgpack_pack_uint64(pk, clocks[i].hlc);
			pack_str(pk, clocks[i].origin);
		}
		for (j = i; j < n; j++)
			if (!done[j] && same_clock(&clocks[i], &clocks[j])) {
				msgpack_pack_uint32(pk, (uint32_t)(clocks[j].col + 1));
				done[j] = true;
			}
	}
}

int
clk_named(const void *blob, int len, int64_t seq, uint64_t *named)
{
	const uint8_t *p = blob, *end = p + (len > 0 ? len : 0);
	int64_t ng, nm, i, k, sl;
	uint64_t v, first;
	size_t skip;
	bool by_seq;

	*named = 0;
	if (blob == NULL || len <= 0)
		return 0;
	if ((ng = colmap_head(&p, end, false)) < 0)
		return (p[0] & 0xf0) == 0x80 || p[0] == 0xde ? 0 : -1; /* a map of names (schema 2) names no entry */
	for (i = 0; i < ng; i++) {
		if ((nm = colmap_head(&p, end, false)) < 2 || !colmap_uint(&p, end, &first) || p >= end)
			return -1;
		/* [seq, columns...], or [hlc, origin, columns...] written before schema 6 (names no entry) */
		by_seq = (p[0] & 0xe0) != 0xa0 && p[0] != 0xd9;
		if (!by_seq) {
			if ((skip = colmap_item_len(p, end, &sl)) == 0)
				return -1;
			p += skip;
		}
		for (k = by_seq ? 1 : 2; k < nm; k++) {
			if (!colmap_uint(&p, end, &v) || v > 63)
				return -1;
			if (by_seq && first == (uint64_t)seq)
				*named |= (uint64_t)1 << v;
		}
	}
	return 0;
}
