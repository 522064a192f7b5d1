#include "conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "conf/conf_int.h"

/*
 * The key table.  Everything about a key is here: conf_defaults() parses each
 * default with the same code that parses the file, conf_write_default() and
 * conf_help() print the table, and conf_load() looks keys up in it.  Below
 * it, the lookups and the parsing of each type of value (conf_set_value).
 */

static const char *const type_names[] = {
	[T_STRING] = "string", [T_INT] = "int", [T_BOOL] = "bool", [T_URL] = "url",
	[T_HOSTPORT] = "host:port", [T_PATH] = "path", [T_ENUM] = "enum",
};

#define AT(f) .off = offsetof(struct conf, f), .size = sizeof(((struct conf *)0)->f)

static const char *const log_levels[] = {
	[NZ_LOG_DEBUG] = "debug", [NZ_LOG_INFO] = "info", [NZ_LOG_WARN] = "warn",
	[NZ_LOG_ERROR] = "error", [NZ_LOG_ERROR + 1] = NULL,
};

const struct conf_key conf_keys[] = {
	{.section = "node", .name = "id", .type = T_STRING, .flags = KEY_REQUIRED, .def = "", AT(id),
	 .help = "org-unit code of this node: IR (national), IR-PP (province) or IR-PP-CC (county)"},
	{.section = "node", .name = "parent", .type = T_URL, .def = "", AT(parent),
	 .help = "URL of the parent node to dial (tcp://, tls+tcp:// or ipc://); empty for the national node"},
	{.section = "node", .name = "listen", .type = T_URL, .def = "", AT(listen),
	 .help = "URL on which child nodes reach this node; empty to accept no children"},
	{.section = "node", .name = "http", .type = T_HOSTPORT, .def = "127.0.0.1:8080", AT(http),
	 .help = "HOST:PORT of the local HTTP API and web UI"},
	{.section = "node", .name = "http_tls_cert", .type = T_PATH, .def = "", AT(http_tls_cert),
	 .help = "PEM certificate (chain) of the web UI; with http_tls_key the UI is served over HTTPS only"},
	{.section = "node", .name = "http_tls_key", .type = T_PATH, .def = "", AT(http_tls_key),
	 .help = "PEM private key of http_tls_cert; keep it readable by the node alone"},
	{.section = "node", .name = "http_timeout", .type = T_INT, .min = 1, .max = 3600, .def = "30",
	 AT(http_timeout), .help = "a web connection idle this many seconds (a request never finished too) is closed"},
	{.section = "node", .name = "http_per_client", .type = T_INT, .min = 1, .max = 1024, .def = "32",
	 AT(http_per_client), .help = "open web connections one client address may hold at once"},
	{.section = "node", .name = "name", .type = T_STRING, .def = "", AT(name),
	 .help = "display name of the secretariat, shown in the web UI"},

	{.section = "sync", .name = "interval", .type = T_INT, .min = 1, .max = 3600, .def = "2",
	 AT(sync_interval), .help = "how often a child syncs with its parent when idle, in seconds"},
	{.section = "sync", .name = "backoff_min", .type = T_INT, .min = 1, .max = 60, .def = "1",
	 AT(backoff_min), .help = "first wait before retrying a failed sync, in seconds"},
	{.section = "sync", .name = "backoff_max", .type = T_INT, .min = 1, .max = 3600, .def = "60",
	 AT(backoff_max), .help = "longest wait between retries, in seconds; at least backoff_min"},
	{.section = "sync", .name = "batch_bytes", .type = T_INT, .min = 1024, .max = 4194304,
	 .def = "262144", AT(batch_bytes),
	 .help = "target size of one batch of changes, in bytes; on a thin link, what crosses it in one go"},
	{.section = "sync", .name = "recv_max", .type = T_INT, .min = 131072, .max = 67108864,
	 .def = "4194304", AT(recv_max),
	 .help = "largest message accepted from a peer, in bytes; at least 4 * batch_bytes"},
	{.section = "sync", .name = "compress", .type = T_BOOL, .def = "true", AT(compress),
	 .help = "offer zstd-compressed batches to peers (used when both sides offer it)"},
	{.section = "sync", .name = "timeout", .type = T_INT, .min = 1, .max = 600, .def = "10",
	 AT(sync_timeout), .help = "a request that moves no bytes for this many seconds means a dead link"},
	{.section = "sync", .name = "stall_timeout", .type = T_INT, .min = 1, .max = 86400, .def = "900",
	 AT(stall_timeout),
	 .help = "how long a dead link's connection is kept, in seconds, in case the line comes back"},
	{.section = "sync", .name = "freshness_step", .type = T_INT, .min = 0, .max = 86400, .def = "21600",
	 AT(freshness_step),
	 .help = "a child's freshness record is rewritten when its last sync moves this many seconds (0: daily)"},
	{.section = "sync", .name = "max_clock_ahead", .type = T_INT, .min = 10, .max = 86400, .def = "300",
	 AT(max_clock_ahead),
	 .help = "a child whose clock runs further ahead of ours, in seconds, is refused until it is fixed"},
	{.section = "sync", .name = "quarantine_max", .type = T_INT, .min = 100, .max = 10000000,
	 .def = "10000", AT(quarantine_max),
	 .help = "refused changes kept per child; beyond it the child's pushes are refused"},
	{.section = "sync", .name = "quarantine_mb", .type = T_INT, .min = 1, .max = 65536, .def = "16",
	 AT(quarantine_mb), .help = "MiB of refused changes kept per child; beyond it its pushes are refused"},

	{.section = "tls", .name = "ca", .type = T_PATH, .def = "", AT(tls_ca),
	 .help = "PEM file of the authority that signs node certificates (needed by tls+tcp://)"},
	{.section = "tls", .name = "cert", .type = T_PATH, .def = "", AT(tls_cert),
	 .help = "PEM file of this node's certificate (needed by tls+tcp://)"},
	{.section = "tls", .name = "key", .type = T_PATH, .def = "", AT(tls_key),
	 .help = "PEM file of this node's private key (needed by tls+tcp://)"},
	{.section = "tls", .name = "server_name", .type = T_STRING, .def = "", AT(tls_server_name),
	 .help = "name to verify in the parent's certificate; empty means the host of the parent URL"},

	{.section = "log", .name = "level", .type = T_ENUM, .values = log_levels, .def = "info",
	 AT(log_level), .help = "least severe kind of event written to the log"},

	{.section = "reports", .name = "require_children_accepted", .type = T_BOOL, .def = "true",
	 AT(require_children_accepted),
	 .help = "count child units' reports in consolidation only once they are accepted"},
};

#define NKEYS (sizeof(conf_keys) / sizeof(conf_keys[0]))
_Static_assert(NKEYS <= CONF_KEYS_MAX, "conf_int.h: CONF_KEYS_MAX is below the number of keys");

const size_t conf_nkeys = NKEYS;

int
conf_find_section(const char *section)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(conf_keys[i].section, section) == 0)
			return (int)i;
	return -1;
}

int
conf_find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(conf_keys[i].section, section) == 0 && strcmp(conf_keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* conf_section_list writes the known sections into buf as " node, sync, ..." and returns buf. */
char *
conf_section_list(char *buf, size_t size)
{
	size_t i, n;

	buf[0] = '\0';
	for (i = 0; i < NKEYS; i++)
		if (i == 0 || strcmp(conf_keys[i].section, conf_keys[i - 1].section) != 0) {
			n = strlen(buf);
			snprintf(buf + n, size - n, "%s %s", i > 0 ? "," : "", conf_keys[i].section);
		}
	return buf;
}

/* conf_key_at returns the index of a key the loader and the writer rely on; it is always in the table. */
int
conf_key_at(const char *section, const char *name)
{
	int i = conf_find_key(section, name);

	if (i < 0)
		abort();
	return i;
}

bool
conf_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * conf_check_hostport accepts HOST:PORT, [IPV6]:PORT, and, when empty_host is true,
 * :PORT or *:PORT (every interface).  On success host (when not NULL) gets the
 * host without brackets.
 */
int
conf_check_hostport(const char *s, bool empty_host, char *host, size_t hostsize, char *why, size_t whysize)
{
	const char *h, *he, *p, *c;
	long port;
	char *end;

	if (s[0] == '[') {
		h = s + 1;
		he = strchr(h, ']');
		if (he == NULL || he == h || he[1] != ':') {
			snprintf(why, whysize, "'%.80s' is not [IPV6]:PORT", s);
			return -1;
		}
		for (c = h; c < he; c++)
			if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.' && *c != '%') {
				snprintf(why, whysize, "'%.80s' has a bad IPv6 address", s);
				return -1;
			}
		p = he + 2;
	} else {
		h = s;
		he = strrchr(s, ':');
		if (he == NULL) {
			snprintf(why, whysize, "'%.80s' has no port (HOST:PORT)", s);
			return -1;
		}
		for (c = h; c < he; c++)
			if (*c == ':') {
				snprintf(why, whysize, "'%.80s': put an IPv6 address in brackets, [::1]:PORT", s);
				return -1;
			} else if (!isalnum((unsigned char)*c) && *c != '.' && *c != '-' && *c != '_' &&
				   !(*c == '*' && he - h == 1)) {
				snprintf(why, whysize, "'%.80s' has a bad host name", s);
				return -1;
			}
		if (he == h && !empty_host) {
			snprintf(why, whysize, "'%.80s' has no host (HOST:PORT)", s);
			return -1;
		}
		if (he - h == 1 && *h == '*' && !empty_host) {
			snprintf(why, whysize, "'%.80s' has no host (HOST:PORT)", s);
			return -1;
		}
		p = he + 1;
	}
	errno = 0;
	port = strtol(p, &end, 10);
	if (!isdigit((unsigned char)*p) || *end != '\0' || errno == ERANGE || port < 1 || port > 65535) {
		snprintf(why, whysize, "'%.80s' has a bad port '%.16s' (1..65535)", s, p);
		return -1;
	}
	if (host != NULL) {
		if ((size_t)(he - h) >= hostsize)
			return -1;
		memcpy(host, h, (size_t)(he - h));
		host[he - h] = '\0';
	}
	return 0;
}

/* conf_url_tcp returns what follows the scheme of a tcp:// or tls+tcp:// URL, or NULL. */
const char *
conf_url_tcp(const char *url)
{
	if (strncmp(url, "tcp://", 6) == 0)
		return url + 6;
	if (strncmp(url, "tls+tcp://", 10) == 0)
		return url + 10;
	return NULL;
}

static int
check_url(const char *s, char *why, size_t whysize)
{
	const char *rest;

	if (s[0] == '\0')
		return 0;
	if (strncmp(s, "ipc://", 6) == 0) {
		if (s[6] != '\0')
			return 0;
		snprintf(why, whysize, "'%s' has no path (ipc://PATH)", s);
		return -1;
	}
	rest = conf_url_tcp(s);
	if (rest == NULL) {
		snprintf(why, whysize,
			 "'%.80s' is not a URL: use tcp://HOST:PORT, tls+tcp://HOST:PORT or ipc://PATH", s);
		return -1;
	}
	return conf_check_hostport(rest, true, NULL, 0, why, whysize);
}

/* conf_set_value parses v as key k into c; on failure says why and leaves c alone. */
int
conf_set_value(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize)
{
	char *field = (char *)c + k->off;
	char *end;
	long n;
	int i;

	switch (k->type) {
	case T_INT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (end == v || *end != '\0' || isspace((unsigned char)v[0])) {
			snprintf(why, whysize, "'%.80s' is not an integer", v);
			return -1;
		}
		if (errno == ERANGE || n < k->min || n > k->max) {
			snprintf(why, whysize, "%.80s is out of range (%ld..%ld)", v, k->min, k->max);
			return -1;
		}
		*(int *)(void *)field = (int)n;
		return 0;
	case T_BOOL:
		if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0) {
			*(bool *)(void *)field = true;
			return 0;
		}
		if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0) {
			*(bool *)(void *)field = false;
			return 0;
		}
		snprintf(why, whysize, "'%.80s' is not a boolean (true/false, yes/no, 1/0)", v);
		return -1;
	case T_ENUM:
		for (i = 0; k->values[i] != NULL; i++)
			if (strcmp(v, k->values[i]) == 0) {
				*(int *)(void *)field = i;
				return 0;
			}
		snprintf(why, whysize, "'%.80s' is not one of", v);
		for (i = 0; k->values[i] != NULL; i++)
			snprintf(why + strlen(why), whysize - strlen(why), "%s %s", i > 0 ? "," : "",
				 k->values[i]);
		return -1;
	case T_STRING:
	case T_PATH:
	case T_URL:
	case T_HOSTPORT:
		break;
	}
	if (strlen(v) >= k->size) {
		snprintf(why, whysize, "value is too long (%zu bytes; at most %zu)", strlen(v), k->size - 1);
		return -1;
	}
	if (conf_has_control(v)) {
		snprintf(why, whysize, "value contains a control character");
		return -1;
	}
	if (k->type == T_URL && check_url(v, why, whysize) < 0)
		return -1;
	if (k->type == T_HOSTPORT && conf_check_hostport(v, false, NULL, 0, why, whysize) < 0)
		return -1;
	memcpy(field, v, strlen(v) + 1);
	return 0;
}

void
conf_defaults(struct conf *c)
{
	char why[128];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++)
		conf_set_value(c, &conf_keys[i], conf_keys[i].def, why, sizeof(why));
}

/* conf_type_text describes the type of k with its bounds or values: "int 1..3600", "enum debug|info|...". */
void
conf_type_text(const struct conf_key *k, char *buf, size_t size)
{
	size_t n;
	int i;

	snprintf(buf, size, "%s", type_names[k->type]);
	if (k->type == T_INT)
		snprintf(buf + strlen(buf), size - strlen(buf), " %ld..%ld", k->min, k->max);
	for (i = 0; k->type == T_ENUM && k->values[i] != NULL; i++) {
		n = strlen(buf);
		snprintf(buf + n, size - n, "%c%s", i == 0 ? ' ' : '|', k->values[i]);
	}
}

void
conf_help(FILE *out)
{
	char name[64], type[64];
	const char *def;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		snprintf(name, sizeof(name), "%s.%s", conf_keys[i].section, conf_keys[i].name);
		conf_type_text(&conf_keys[i], type, sizeof(type));
		def = conf_keys[i].def[0] != '\0' ? conf_keys[i].def : "\"\"";
		if (conf_keys[i].flags & KEY_REQUIRED)
			def = "(required)";
		fprintf(out, "%-34s %-27s %s: %s\n", name, type, def, conf_keys[i].help);
	}
}
