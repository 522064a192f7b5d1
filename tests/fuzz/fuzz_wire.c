/*
 * libFuzzer target for wire_decode() (see fuzz.h for how it is built and
 * replayed).  Besides "never crash, leak or read out of bounds", it checks
 * that whatever decodes also re-encodes, and that encoding is a fixed
 * point: encode(decode(encode(decode(x)))) == encode(decode(x)).
 */
#include "proto/wire.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct wire_batch *batch;

/* reencode appends m to out with the encoders; returns their result. */
static int
reencode(const struct wire_msg *m, msgpack_sbuffer *out)
{
	const struct nz_change *v = NULL;
	size_t n = 0, i;
	int rc;

	switch (m->type) {
	case WIRE_HELLO:
		return wire_enc_hello(out, &m->hello);
	case WIRE_HELLO_OK:
		return wire_enc_hello_ok(out, &m->hello_ok);
	case WIRE_PUSH_OK:
		return wire_enc_push_ok(out, &m->push_ok);
	case WIRE_PULL:
		return wire_enc_pull(out, &m->pull);
	case WIRE_ERROR:
		return wire_enc_error(out, m->error.code, m->error.message);
	case WIRE_PUSH:
		v = m->push.changes;
		n = m->push.nchanges;
		break;
	case WIRE_PULL_OK:
		v = m->pull_ok.changes;
		n = m->pull_ok.nchanges;
		break;
	default:
		abort();
	}
	wire_batch_reset(batch);
	for (i = 0; i < n; i++) {
		if (wire_change_check(&v[i], NULL) != 0)
			abort();        /* the decoder let through what it should refuse */
		if ((rc = wire_batch_add(batch, &v[i], NZ_WIRE_MAX)) != 0)
			return rc;
	}
	if (m->type == WIRE_PUSH)
		rc = wire_enc_push(out, m->push.upto, m->push.upto_token, batch);
	else
		rc = wire_enc_pull_ok(out, m->pull_ok.upto, m->pull_ok.upto_token, m->pull_ok.more,
		                      m->pull_ok.head, m->pull_ok.hlc, batch);
	if (rc == 0 && out->size > wire_batch_size(batch))
		abort();                /* the size estimate is not an upper bound */
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_sbuffer one, two;
	struct wire_msg m;
	struct nz_err err;

	if (batch == NULL && (batch = wire_batch_new()) == NULL)
		abort();
	if (wire_decode(data, size, &m, &err) != 0)
		return 0;
	msgpack_sbuffer_init(&one);
	msgpack_sbuffer_init(&two);
	if (reencode(&m, &one) != 0)
		abort();
	wire_msg_release(&m);
	if (wire_decode((const uint8_t *)one.data, one.size, &m, &err) != 0)
		abort();
	if (reencode(&m, &two) != 0)
		abort();
	if (one.size != two.size || memcmp(one.data, two.data, one.size) != 0)
		abort();
	wire_msg_release(&m);
	msgpack_sbuffer_destroy(&one);
	msgpack_sbuffer_destroy(&two);
	return 0;
}
