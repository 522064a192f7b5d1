#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>

#include "net/net_int.h"

/* Mutual TLS for tls+tcp:// URLs: the configuration both ends build from PEM files. */

static int
read_file(const char *path, char **out, struct nz_err *err)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *buf;

	if (f == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "cannot open '%s'", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n < 0 || n > 1 << 20 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(f);
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return nz_fail(err, NZ_EIO, "cannot read '%s'", path);
	}
	buf[n] = '\0';
	fclose(f);
	*out = buf;
	return 0;
}

/* net_tls_config builds a mutual-TLS configuration: our certificate, their CA, peer verified. */
int
net_tls_config(nng_tls_config **out, nng_tls_mode mode, const struct net_tls *tls, struct nz_err *err)
{
	nng_tls_config *cfg = NULL;
	char *ca = NULL, *cert = NULL, *key = NULL;
	int rv, rc = 0;

	if ((rv = nng_tls_config_alloc(&cfg, mode)) != 0)
		return nz_fail(err, NZ_ENET, "tls: %s", nng_strerror(rv));
	if ((rc = read_file(tls->ca, &ca, err)) != 0 || (rc = read_file(tls->cert, &cert, err)) != 0 ||
	    (rc = read_file(tls->key, &key, err)) != 0)
		goto out;
	if ((rv = nng_tls_config_ca_chain(cfg, ca, NULL)) != 0) {
		rc = nz_fail(err, NZ_ECONF, "tls: CA '%s': %s", tls->ca, nng_strerror(rv));
		goto out;
	}
	if ((rv = nng_tls_config_own_cert(cfg, cert, key, NULL)) != 0) {
		rc = nz_fail(err, NZ_ECONF, "tls: certificate '%s' or key '%s': %s", tls->cert, tls->key,
			     nng_strerror(rv));
		goto out;
	}
	if ((rv = nng_tls_config_auth_mode(cfg, NNG_TLS_AUTH_MODE_REQUIRED)) != 0 ||
	    (mode == NNG_TLS_MODE_CLIENT && tls->server_name && tls->server_name[0] &&
	     (rv = nng_tls_config_server_name(cfg, tls->server_name)) != 0)) {
		rc = nz_fail(err, NZ_ECONF, "tls: %s", nng_strerror(rv));
		goto out;
	}
out:
	free(ca);
	free(cert);
	free(key);
	if (rc != 0) {
		nng_tls_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

bool
net_is_tls(const char *url)
{
	return strncmp(url, "tls+", 4) == 0;
}
