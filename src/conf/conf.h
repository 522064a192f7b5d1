#ifndef NZ_CONF_H
#define NZ_CONF_H

#include <stdbool.h>
#include <stdio.h>

#include "base/err.h"
#include "base/unit.h"

/*
 * Node configuration: one INI file per node, read with inih.  Every key is
 * described once, in the typed table in conf_table.c (section, name, type, bounds,
 * default, help); loading, the defaults, `nehzat init`'s fresh file and the
 * help text are all driven by that table.
 *
 *   [node]     id, parent, listen, http, http_tls_cert, http_tls_key, http_timeout,
 *              http_per_client, name
 *   [sync]     interval, backoff_min, backoff_max, batch_bytes, recv_max, timeout,
 *              stall_timeout, freshness_step, compress, max_clock_ahead,
 *              quarantine_max, quarantine_mb
 *   [tls]      ca, cert, key, server_name
 *   [log]      level
 *   [reports]  require_children_accepted
 *
 * A line holds at most 199 characters (the line buffer of Debian's inih build).
 * Values are single-line; ';' after a blank starts a comment.  An empty URL
 * means "none": no parent for the national node, no listener for a county.
 * The struct holds only fixed-size arrays, so it may be copied freely.
 */
struct conf {
	char id[NZ_ID_MAX];      /* org-unit code: IR, IR-PP or IR-PP-CC */
	char parent[256];        /* URL to dial, "" for the national node */
	char listen[256];        /* URL children dial, "" for none */
	char http[128];          /* HOST:PORT of the local HTTP API and UI */
	char http_tls_cert[512]; /* PEM certificate of the UI, "" for plain HTTP */
	char http_tls_key[512];  /* PEM key of http_tls_cert */
	int http_timeout;        /* seconds a web connection may stay idle */
	int http_per_client;     /* web connections per client address */
	char name[128];          /* display name of the secretariat */
	int sync_interval;       /* seconds between syncs when idle */
	int backoff_min;         /* seconds, first retry after a failure */
	int backoff_max;         /* seconds, ceiling of the retry backoff */
	int batch_bytes;         /* target size of one batch of changes */
	int recv_max;            /* largest message accepted, >= 4 * batch_bytes */
	bool compress;           /* offer zstd-compressed batches */
	int sync_timeout;        /* seconds without a byte moving before a link is dead */
	int stall_timeout;       /* seconds a dead link's connection is kept (>= sync_timeout) */
	int freshness_step;      /* seconds a child's last sync moves before its freshness record is rewritten */
	int max_clock_ahead;     /* seconds a child's clock may run ahead of ours */
	int quarantine_max;      /* refused changes kept per child */
	int quarantine_mb;       /* MiB of refused changes kept per child */
	char tls_ca[512];        /* PEM file of the CA that signs node certificates */
	char tls_cert[512];      /* PEM file of this node's certificate */
	char tls_key[512];       /* PEM file of this node's private key */
	char tls_server_name[256]; /* name in the parent's certificate */
	int log_level;           /* enum nz_log_level from base/log.h */
	bool require_children_accepted;
};

/* conf_defaults fills c with the default of every key; id is left empty. */
void conf_defaults(struct conf *c);

/*
 * conf_load reads the INI file at path into c: defaults, overridden by the
 * file.  Unknown sections and keys, duplicate keys, malformed lines and bad
 * values are all errors, as are inconsistent settings (a national node with
 * a parent, a county without one, tls+tcp:// without [tls] ca, cert and key,
 * backoff_max below backoff_min, recv_max below 4 * batch_bytes).  When the
 * parent is a tls+tcp:// URL and tls.server_name is empty, server_name is set
 * to the parent's host.
 *
 * Every error is collected; on failure err->msg holds one line per error,
 * "nehzat: FILE:LINE: [section] key: what is wrong", joined by '\n' and cut
 * short with "... and N more errors" when they do not fit, and conf_load
 * returns NZ_ECONF.  It returns NZ_ENOTFOUND or NZ_EIO when the file cannot
 * be opened or read.  c is changed only on success.  Prints nothing.
 */
int conf_load(struct conf *c, const char *path, struct nz_err *err);

/*
 * conf_write_default writes a fresh configuration file for a new node at
 * path: every key of the table, in table order, under its help line; id,
 * parent, listen and http are set (NULL or "" parent/listen mean none, NULL
 * http means the default), every other key is commented out showing its
 * default.  The file is first checked to load back to exactly what was asked,
 * so bad arguments are refused with NZ_ECONF or NZ_EINVAL and nothing is
 * written (a tls+tcp:// URL is refused too: it needs [tls] paths, which a
 * fresh file cannot know).  Refuses with NZ_EEXIST when path exists.  The
 * file appears whole or not at all: it is written to a temporary file in the
 * same directory, synced, then linked into place.
 */
int conf_write_default(const char *path, const char *id, const char *parent,
		       const char *listen, const char *http, struct nz_err *err);

/*
 * conf_write_new is conf_write_default with [node] name set from name (the
 * secretariat's name as people say it; NULL or "": left out) and [tls] ca,
 * cert and key from tls (PEM paths; NULL, or a NULL or "" member, leaves them
 * out), so that a node may be made with a tls+tcp:// parent or listener.
 */
int conf_write_new(const char *path, const char *id, const char *parent, const char *listen, const char *http,
		   const char *name, const char *const tls[3], struct nz_err *err);

/* conf_help prints the key table to out, one "section.key type default: help" line per key. */
void conf_help(FILE *out);

#endif
