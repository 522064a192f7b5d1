#include "conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"

/*
 * The key table.  Everything about a key is here: conf_defaults() parses each
 * default with the same code that parses the file, conf_write_default() and
 * conf_help() print the table, and conf_load() looks keys up in it.
 */
enum conf_type { T_STRING, T_INT, T_BOOL, T_URL, T_HOSTPORT, T_PATH, T_ENUM };

static const char *const type_names[] = {
	[T_STRING] = "string", [T_INT] = "int", [T_BOOL] = "bool", [T_URL] = "url",
	[T_HOSTPORT] = "host:port", [T_PATH] = "path", [T_ENUM] = "enum",
};

#define KEY_REQUIRED 1u

struct conf_key {
	const char *section;
	const char *name;
	enum conf_type type;
	unsigned flags;
	long min, max;             /* T_INT bounds */
	const char *const *values; /* T_ENUM names, indexed by value, NULL-ended */
	const char *def;           /* default, as written in a file */
	size_t off, size;          /* the field in struct conf */
	const char *help;          /* one line, shown in conf_help and in new files */
};

#define AT(f) .off = offsetof(struct conf, f), .size = sizeof(((struct conf *)0)->f)

static const char *const log_levels[] = {
	[NZ_LOG_DEBUG] = "debug", [NZ_LOG_INFO] = "info", [NZ_LOG_WARN] = "warn",
	[NZ_LOG_ERROR] = "error", [NZ_LOG_ERROR + 1] = NULL,
};

static const struct conf_key keys[] = {
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

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Room kept at the end of the message for "\n... and N more errors". */
#define MSG_TAIL 48

/* The state of one parse: where we are, what was set where, what went wrong. */
struct loader {
	FILE *f;
	const char *file;    /* name used in messages */
	bool no_lines;       /* leave line numbers out of messages: the text is not a file yet */
	char *buf;           /* getline's buffer */
	size_t cap;
	int lineno;
	int read_errno;      /* set when reading failed before EOF */
	char section[64];    /* current section, as written */
	int sec;             /* index of its first key, -1 when unknown or none */
	bool in_section;     /* a section header was seen */
	int sec_line[NKEYS]; /* first header line, indexed like sec */
	int line[NKEYS];     /* line where each key was set, 0 if not */
	bool bad[NKEYS];     /* its value was refused */
	struct conf c;
	int nerr;            /* errors found */
	int nshown;          /* errors that fit in msg */
	size_t len;
	char msg[NZ_ERRMSG_MAX];
};

static int
find_section(const char *section)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0)
			return (int)i;
	return -1;
}

static int
find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* section_list writes the known sections into buf as " node, sync, ..." and returns buf. */
static char *
section_list(char *buf, size_t size)
{
	size_t i, n;

	buf[0] = '\0';
	for (i = 0; i < NKEYS; i++)
		if (i == 0 || strcmp(keys[i].section, keys[i - 1].section) != 0) {
			n = strlen(buf);
			snprintf(buf + n, size - n, "%s %s", i > 0 ? "," : "", keys[i].section);
		}
	return buf;
}

/* key_at returns the index of a key the checks below rely on; it is always in the table. */
static int
key_at(const char *section, const char *name)
{
	int i = find_key(section, name);

	if (i < 0)
		abort();
	return i;
}

/*
 * loader_error records one error line, "nehzat: FILE:LINE: [section] key: what".
 * LINE is left out when it is 0 (a key that is missing altogether), section
 * and key when they are NULL.  Once one line does not fit, none after it is
 * kept either, so that "and N more" are the last N.
 */
static void __attribute__((format(printf, 5, 6)))
loader_error(struct loader *l, int line, const char *section, const char *key, const char *fmt, ...)
{
	char at[16] = "", head[160] = "", what[400], text[640];
	size_t n;
	va_list ap;

	l->nerr++;
	if (l->nshown + 1 != l->nerr)
		return;
	if (line > 0 && !l->no_lines)
		snprintf(at, sizeof(at), ":%d", line);
	if (section != NULL && key != NULL)
		snprintf(head, sizeof(head), " [%s] %s:", section, key);
	else if (section != NULL)
		snprintf(head, sizeof(head), " [%s]:", section);
	else if (key != NULL)
		snprintf(head, sizeof(head), " %s:", key);
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(text, sizeof(text), "nehzat: %s%s:%s %s", l->file, at, head, what);

	n = strlen(text);
	if (l->len + 1 + n + MSG_TAIL >= sizeof(l->msg))
		return;
	if (l->len > 0)
		l->msg[l->len++] = '\n';
	memcpy(l->msg + l->len, text, n + 1);
	l->len += n;
	l->nshown++;
}

static bool
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/*
 * check_hostport accepts HOST:PORT, [IPV6]:PORT, and, when empty_host is true,
 * :PORT or *:PORT (every interface).  On success host (when not NULL) gets the
 * host without brackets.
 */
static int
check_hostport(const char *s, bool empty_host, char *host, size_t hostsize, char *why, size_t whysize)
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

/* url_tcp returns what follows the scheme of a tcp:// or tls+tcp:// URL, or NULL. */
static const char *
url_tcp(const char *url)
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
	rest = url_tcp(s);
	if (rest == NULL) {
		snprintf(why, whysize,
			 "'%.80s' is not a URL: use tcp://HOST:PORT, tls+tcp://HOST:PORT or ipc://PATH", s);
		return -1;
	}
	return check_hostport(rest, true, NULL, 0, why, whysize);
}

/* set_value parses v as key k into c; on failure says why and leaves c alone. */
static int
set_value(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize)
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
	if (has_control(v)) {
		snprintf(why, whysize, "value contains a control character");
		return -1;
	}
	if (k->type == T_URL && check_url(v, why, whysize) < 0)
		return -1;
	if (k->type == T_HOSTPORT && check_hostport(v, false, NULL, 0, why, whysize) < 0)
		return -1;
	memcpy(field, v, strlen(v) + 1);
	return 0;
}

/*
 * read_line is inih's reader.  It counts physical lines (inih's own count
 * does not survive over-long lines), refuses what inih would misread or only
 * report once (lines without '=', a '[' without ']', over-long lines), tracks
 * the section, and hands inih the line without leading blanks, so that an
 * indented key is never taken as the continuation of the previous value.  A
 * refused line reaches inih as an empty one.
 */
static char *
read_line(char *str, int num, void *stream)
{
	struct loader *l = stream;
	char *s, *e, *p, *close, *sep, known[80];
	ssize_t n;

	n = getline(&l->buf, &l->cap, l->f);
	if (n < 0) {
		if (!feof(l->f))
			l->read_errno = errno ? errno : EIO;
		return NULL;
	}
	l->lineno++;
	str[0] = '\0';
	if (memchr(l->buf, '\0', (size_t)n) != NULL) {
		loader_error(l, l->lineno, NULL, NULL, "line contains a NUL byte");
		return str;
	}
	s = l->buf;
	e = s + n;
	if (l->lineno == 1 && strncmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	while (s < e && isspace((unsigned char)*s))
		s++;
	*e = '\0';
	if (e - s >= num) {
		loader_error(l, l->lineno, NULL, NULL, "line is too long (%zu characters; at most %d)",
			     (size_t)(e - s), num - 1);
		return str;
	}

	if (s[0] == '[') {
		close = strchr(s, ']');
		if (close == NULL) {
			loader_error(l, l->lineno, NULL, NULL, "'[' without a closing ']'");
			return str;
		}
		for (p = close + 1; isspace((unsigned char)*p); p++)
			;
		if (*p != '\0' && *p != ';' && *p != '#') {
			loader_error(l, l->lineno, NULL, NULL, "unexpected text after ']': '%.40s'", p);
			return str;
		}
		for (p = s + 1; p < close && isspace((unsigned char)*p); p++)
			;
		while (close > p && isspace((unsigned char)close[-1]))
			close--;
		snprintf(l->section, sizeof(l->section), "%.*s", (int)(close - p), p);
		l->in_section = true;
		l->sec = find_section(l->section);
		if (l->sec < 0)
			loader_error(l, l->lineno, l->section, NULL, "unknown section (known:%s)",
				     section_list(known, sizeof(known)));
		else if (l->sec_line[l->sec] == 0)
			l->sec_line[l->sec] = l->lineno;
		snprintf(str, (size_t)num, "[%s]", l->section);
		return str;
	}
	if (s[0] != '\0' && s[0] != ';' && s[0] != '#') {
		/* The separator is the first '=' or ':' before any inline comment, as in inih. */
		sep = NULL;
		for (p = s; *p != '\0' && sep == NULL; p++) {
			if (*p == ';' && p > s && isspace((unsigned char)p[-1]))
				break;
			if (*p == '=' || *p == ':')
				sep = p;
		}
		if (sep == NULL) {
			loader_error(l, l->lineno, l->in_section ? l->section : NULL, NULL,
				     "expected 'key = value', '[section]' or a comment, got '%.40s'", s);
			return str;
		}
		if (sep == s) {
			loader_error(l, l->lineno, l->in_section ? l->section : NULL, NULL,
				     "no key name before '%c'", *sep);
			return str;
		}
	}
	memcpy(str, s, (size_t)(e - s) + 1);
	return str;
}

/* on_value is inih's handler: one call per key = value line. */
static int
on_value(void *user, const char *section, const char *name, const char *value)
{
	struct loader *l = user;
	const char *hint = "";
	char why[256];
	size_t j;
	int i;

	(void)section; /* read_line keeps the untruncated name */
	if (name == NULL || value == NULL)
		return 1;
	if (!l->in_section) {
		loader_error(l, l->lineno, NULL, name, "key is outside any section");
		return 1;
	}
	if (l->sec < 0)
		return 1; /* the unknown section was reported once */
	i = find_key(l->section, name);
	if (i < 0) {
		for (j = 0; j < NKEYS; j++)
			if (strcmp(keys[j].section, l->section) == 0 && strcasecmp(keys[j].name, name) == 0)
				hint = keys[j].name;
		loader_error(l, l->lineno, l->section, name, "unknown key '%s' in [%s]%s%s%s", name,
			     l->section, hint[0] ? " (did you mean '" : "", hint, hint[0] ? "'?)" : "");
		return 1;
	}
	if (l->line[i] != 0) {
		loader_error(l, l->lineno, l->section, name, "duplicate key (first set on line %d)",
			     l->line[i]);
		return 1;
	}
	l->line[i] = l->lineno;
	if (set_value(&l->c, &keys[i], value, why, sizeof(why)) < 0) {
		l->bad[i] = true;
		loader_error(l, l->lineno, l->section, name, "%s", why);
	}
	return 1;
}

/* key_line returns where key i was set, or else fallback. */
static int
key_line(const struct loader *l, int i, int fallback)
{
	return l->line[i] != 0 ? l->line[i] : fallback;
}

static void
check_tls(struct loader *l, int i, const char *url)
{
	char missing[32] = "";

	if (l->bad[i] || strncmp(url, "tls+tcp://", 10) != 0)
		return;
	if (l->c.tls_ca[0] == '\0')
		strcat(missing, ", ca");
	if (l->c.tls_cert[0] == '\0')
		strcat(missing, ", cert");
	if (l->c.tls_key[0] == '\0')
		strcat(missing, ", key");
	if (missing[0] != '\0')
		loader_error(l, l->line[i], "node", keys[i].name,
			     "tls+tcp:// needs [tls] ca, cert and key; missing:%s", missing + 1);
}

/* check_all runs the checks that involve more than one key, once the file is read. */
static void
check_all(struct loader *l)
{
	int id = key_at("node", "id"), parent = key_at("node", "parent");
	int listen = key_at("node", "listen"), server_name = key_at("tls", "server_name");
	int bmin = key_at("sync", "backoff_min"), bmax = key_at("sync", "backoff_max");
	int batch = key_at("sync", "batch_bytes"), recv = key_at("sync", "recv_max");
	const char *rest;
	char host[256];
	size_t i;
	int level = -1;

	for (i = 0; i < NKEYS; i++)
		if ((keys[i].flags & KEY_REQUIRED) && l->line[i] == 0)
			loader_error(l, l->sec_line[find_section(keys[i].section)], keys[i].section,
				     keys[i].name, "required key is missing");

	if (l->line[id] != 0 && !l->bad[id]) {
		level = unit_level(l->c.id);
		if (level < 0)
			loader_error(l, l->line[id], "node", "id",
				     "'%s' is not an org-unit code (IR, IR-PP or IR-PP-CC)", l->c.id);
	}
	if (level == NZ_LEVEL_NATIONAL && l->c.parent[0] != '\0' && !l->bad[parent])
		loader_error(l, l->line[parent], "node", "parent",
			     "the national node (IR) must not have a parent");
	if (level > NZ_LEVEL_NATIONAL && l->c.parent[0] == '\0' && !l->bad[parent])
		loader_error(l, key_line(l, parent, l->line[id]), "node", "parent",
			     "a %s node (%s) needs a parent URL", unit_level_name(level), l->c.id);

	rest = url_tcp(l->c.parent);
	if (rest != NULL && !l->bad[parent] &&
	    (check_hostport(rest, true, host, sizeof(host), NULL, 0) < 0 || host[0] == '\0' ||
	     strcmp(host, "*") == 0))
		loader_error(l, l->line[parent], "node", "parent", "'%s' has no host to dial",
			     l->c.parent);
	check_tls(l, parent, l->c.parent);
	check_tls(l, listen, l->c.listen);
	if ((l->c.http_tls_cert[0] == '\0') != (l->c.http_tls_key[0] == '\0')) {
		int k = key_at("node", l->c.http_tls_cert[0] ? "http_tls_cert" : "http_tls_key");
		loader_error(l, l->line[k], "node", keys[k].name,
			     "HTTPS needs both http_tls_cert and http_tls_key");
	}

	if (!l->bad[bmin] && !l->bad[bmax] && l->c.backoff_max < l->c.backoff_min)
		loader_error(l, key_line(l, bmax, l->line[bmin]), "sync", "backoff_max",
			     "backoff_max (%d) is below backoff_min (%d)", l->c.backoff_max,
			     l->c.backoff_min);
	if (!l->bad[batch] && !l->bad[recv] && (long)l->c.recv_max < 4L * l->c.batch_bytes)
		loader_error(l, key_line(l, recv, l->line[batch]), "sync", "recv_max",
			     "recv_max (%d) must be at least 4 * batch_bytes (%ld)", l->c.recv_max,
			     4L * l->c.batch_bytes);

	if (strncmp(l->c.parent, "tls+tcp://", 10) == 0 && l->c.tls_server_name[0] == '\0' &&
	    !l->bad[server_name] && rest != NULL &&
	    check_hostport(rest, true, host, sizeof(host), NULL, 0) == 0)
		memcpy(l->c.tls_server_name, host, strlen(host) + 1);
}

/* load_stream parses l->f into l->c and returns 0, NZ_ECONF with l->msg, NZ_EIO or NZ_ENOMEM. */
static int
load_stream(struct loader *l)
{
	char why[128];
	int rc;

	conf_defaults(&l->c);
	l->sec = -1;
	rc = ini_parse_stream(read_line, l, on_value, l);
	if (rc == -2 || l->read_errno == ENOMEM)
		return NZ_ENOMEM;
	if (l->read_errno != 0 || ferror(l->f))
		return NZ_EIO;
	if (rc > 0)
		loader_error(l, rc, NULL, NULL, "malformed line");
	check_all(l);
	if (l->nerr == 0)
		return 0;
	if (l->nerr > l->nshown) {
		snprintf(why, sizeof(why), "%s... and %d more error%s", l->len > 0 ? "\n" : "",
			 l->nerr - l->nshown, l->nerr - l->nshown == 1 ? "" : "s");
		snprintf(l->msg + l->len, sizeof(l->msg) - l->len, "%s", why);
	}
	return NZ_ECONF;
}

void
conf_defaults(struct conf *c)
{
	char why[128];
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NKEYS; i++)
		set_value(c, &keys[i], keys[i].def, why, sizeof(why));
}

int
conf_load(struct conf *c, const char *path, struct nz_err *err)
{
	struct loader *l;
	int rc;

	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return nz_fail(err, NZ_ENOMEM, "nehzat: %s: out of memory", path);
	l->file = path;
	l->f = fopen(path, "r");
	if (l->f == NULL) {
		rc = nz_fail(err, errno == ENOENT ? NZ_ENOTFOUND : NZ_EIO,
			     "nehzat: cannot open config file '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = load_stream(l);
	if (rc == NZ_ECONF)
		nz_fail(err, rc, "%s", l->msg);
	else if (rc == NZ_EIO)
		nz_fail(err, rc, "nehzat: cannot read config file '%s': %s", path,
			strerror(l->read_errno ? l->read_errno : EIO));
	else if (rc != 0)
		nz_fail(err, rc, "nehzat: %s: out of memory", path);
	else
		*c = l->c;
out:
	if (l->f != NULL)
		fclose(l->f);
	free(l->buf);
	free(l);
	return rc;
}

/* type_text describes the type of k with its bounds or values: "int 1..3600", "enum debug|info|...". */
static void
type_text(const struct conf_key *k, char *buf, size_t size)
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
		snprintf(name, sizeof(name), "%s.%s", keys[i].section, keys[i].name);
		type_text(&keys[i], type, sizeof(type));
		def = keys[i].def[0] != '\0' ? keys[i].def : "\"\"";
		if (keys[i].flags & KEY_REQUIRED)
			def = "(required)";
		fprintf(out, "%-34s %-27s %s: %s\n", name, type, def, keys[i].help);
	}
}

/* render writes the text of a fresh configuration file; set[i] holds the value of key i, or NULL. */
static void
render(FILE *m, const char *id, const char *const set[])
{
	const char *section = "";
	char type[64];
	size_t i;
	int level = unit_level(id);

	fprintf(m, "; nehzat configuration of node %s (%s secretariat)\n", id,
		level < 0 ? "unknown" : unit_level_name(level));
	fputs(";\n", m);
	fputs("; Each key follows a line saying what it is for.  A key commented out\n", m);
	fputs("; with ';' shows its default; remove the ';' to change it.  Values are\n", m);
	fputs("; written bare, without quotes; ' ;' starts a comment.\n", m);
	for (i = 0; i < NKEYS; i++) {
		if (strcmp(section, keys[i].section) != 0) {
			section = keys[i].section;
			fprintf(m, "\n[%s]\n", section);
		} else {
			fputs("\n", m);
		}
		type_text(&keys[i], type, sizeof(type));
		if (keys[i].type == T_INT || keys[i].type == T_ENUM || keys[i].type == T_BOOL)
			fprintf(m, "; %s (%s)\n", keys[i].help, type);
		else
			fprintf(m, "; %s\n", keys[i].help);
		if (set[i] != NULL)
			fprintf(m, "%s = %s\n", keys[i].name, set[i]);
		else if (keys[i].def[0] == '\0')
			fprintf(m, ";%s =\n", keys[i].name);
		else
			fprintf(m, ";%s = %s\n", keys[i].name, keys[i].def);
	}
}

static int
sync_dir(const char *path, struct nz_err *err)
{
	char dir[PATH_MAX];
	char *slash;
	int fd, rc = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (fsync(fd) < 0 && errno != EINVAL))
		rc = nz_fail(err, NZ_EIO, "nehzat: '%s' was written but '%s' could not be synced: %s",
			     path, dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* write_synced writes all of text to fd and flushes it to the disk; -1 with errno on failure. */
static int
write_synced(int fd, const char *text, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return fsync(fd);
}

/* write_new puts text at path, whole or not at all, refusing to replace anything. */
static int
write_new(const char *path, const char *text, size_t len, struct nz_err *err)
{
	char tmp[PATH_MAX];
	bool made = false;
	struct stat st;
	int fd, rc;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
		rc = nz_fail(err, NZ_EINVAL, "nehzat: path '%.100s...' is too long", path);
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = nz_fail(err, NZ_EIO, "nehzat: cannot create a temporary file next to '%s': %s", path,
			     strerror(errno));
		goto out;
	}
	made = true;
	rc = fchmod(fd, 0644) < 0 || write_synced(fd, text, len) < 0 ? -1 : 0;
	if (close(fd) < 0)
		rc = -1;
	if (rc < 0) {
		rc = nz_fail(err, NZ_EIO, "nehzat: cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	/* link() fails if path appeared meanwhile, where rename() would replace it. */
	if (link(tmp, path) == 0) {
		rc = sync_dir(path, err);
		goto out;
	}
	if (errno == EEXIST) {
		rc = nz_fail(err, NZ_EEXIST, "nehzat: '%s' already exists; not overwriting it", path);
		goto out;
	}
	if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS) {
		rc = nz_fail(err, NZ_EIO, "nehzat: cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	/* No hard links on this file system: check, then rename. */
	if (lstat(path, &st) == 0) {
		rc = nz_fail(err, NZ_EEXIST, "nehzat: '%s' already exists; not overwriting it", path);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = nz_fail(err, NZ_EIO, "nehzat: cannot create '%s': %s", path, strerror(errno));
		goto out;
	}
	made = false;
	rc = sync_dir(path, err);
out:
	if (made)
		unlink(tmp);
	return rc;
}

int
conf_write_default(const char *path, const char *id, const char *parent, const char *listen,
		   const char *http, struct nz_err *err)
{
	return conf_write_new(path, id, parent, listen, http, NULL, NULL, err);
}

int
conf_write_new(const char *path, const char *id, const char *parent, const char *listen, const char *http,
	       const char *name, const char *const tls[3], struct nz_err *err)
{
	const char *set[NKEYS] = {0};
	const char *const want[] = {"id", "parent", "listen", "http"};
	const char *const tls_keys[3] = {"ca", "cert", "key"};
	struct loader *l = NULL;
	char *text = NULL;
	size_t len = 0, i;
	struct stat st;
	FILE *m;
	int rc;

	set[key_at("node", "id")] = id != NULL ? id : "";
	if (parent != NULL && parent[0] != '\0')
		set[key_at("node", "parent")] = parent;
	if (listen != NULL && listen[0] != '\0')
		set[key_at("node", "listen")] = listen;
	set[key_at("node", "http")] = http != NULL ? http : keys[key_at("node", "http")].def;
	if (name != NULL && name[0] != '\0')
		set[key_at("node", "name")] = name;
	for (i = 0; tls != NULL && i < 3; i++)
		if (tls[i] != NULL && tls[i][0] != '\0')
			set[key_at("tls", tls_keys[i])] = tls[i];
	for (i = 0; i < NKEYS; i++)
		if (set[i] != NULL && has_control(set[i])) {
			rc = nz_fail(err, NZ_EINVAL, "nehzat: %s.%s contains a control character",
				     keys[i].section, keys[i].name);
			goto out;
		}
	if (lstat(path, &st) == 0) {
		rc = nz_fail(err, NZ_EEXIST, "nehzat: '%s' already exists; not overwriting it", path);
		goto out;
	}
	if (errno != ENOENT) {
		rc = nz_fail(err, NZ_EIO, "nehzat: cannot check '%s': %s", path, strerror(errno));
		goto out;
	}

	m = open_memstream(&text, &len);
	if (m == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "nehzat: %s: out of memory", path);
		goto out;
	}
	render(m, set[key_at("node", "id")], set);
	if (fclose(m) != 0 || text == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "nehzat: %s: out of memory", path);
		goto out;
	}

	/* Read the text back with conf_load's own code: what cannot load is not written. */
	l = calloc(1, sizeof(*l));
	if (l == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "nehzat: %s: out of memory", path);
		goto out;
	}
	l->file = path;
	l->no_lines = true;
	l->f = fmemopen(text, len, "r");
	if (l->f == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "nehzat: %s: out of memory", path);
		goto out;
	}
	rc = load_stream(l);
	if (rc == NZ_ECONF) {
		nz_fail(err, rc, "%s", l->msg);
		goto out;
	}
	if (rc != 0) {
		rc = nz_fail(err, rc, "nehzat: %s: cannot check the new file", path);
		goto out;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct conf_key *k = &keys[key_at("node", want[i])];
		const char *asked = set[k - keys] != NULL ? set[k - keys] : "";

		if (strcmp((const char *)&l->c + k->off, asked) != 0) {
			rc = nz_fail(err, NZ_EINVAL, "nehzat: %s.%s '%s' would not read back as given",
				     k->section, k->name, asked);
			goto out;
		}
	}
	rc = write_new(path, text, len, err);
out:
	if (l != NULL) {
		if (l->f != NULL)
			fclose(l->f);
		free(l->buf);
		free(l);
	}
	free(text);
	return rc;
}
