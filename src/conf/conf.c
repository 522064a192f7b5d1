#include "conf/conf.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "conf/conf_int.h"

/*
 * Reading a configuration file: inih splits it into sections and keys,
 * read_line and on_value check each line and value against the key table
 * (conf_table.c), check_all the settings that involve several keys, and
 * every error found is collected before the file is refused.
 */

/* Room kept at the end of the message for "\n... and N more errors". */
#define MSG_TAIL 48

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
		l->sec = conf_find_section(l->section);
		if (l->sec < 0)
			loader_error(l, l->lineno, l->section, NULL, "unknown section (known:%s)",
				     conf_section_list(known, sizeof(known)));
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
	i = conf_find_key(l->section, name);
	if (i < 0) {
		for (j = 0; j < conf_nkeys; j++)
			if (strcmp(conf_keys[j].section, l->section) == 0 && strcasecmp(conf_keys[j].name, name) == 0)
				hint = conf_keys[j].name;
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
	if (conf_set_value(&l->c, &conf_keys[i], value, why, sizeof(why)) < 0) {
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
		loader_error(l, l->line[i], "node", conf_keys[i].name,
			     "tls+tcp:// needs [tls] ca, cert and key; missing:%s", missing + 1);
}

/* check_all runs the checks that involve more than one key, once the file is read. */
static void
check_all(struct loader *l)
{
	int id = conf_key_at("node", "id"), parent = conf_key_at("node", "parent");
	int listen = conf_key_at("node", "listen"), server_name = conf_key_at("tls", "server_name");
	int bmin = conf_key_at("sync", "backoff_min"), bmax = conf_key_at("sync", "backoff_max");
	int batch = conf_key_at("sync", "batch_bytes"), recv = conf_key_at("sync", "recv_max");
	const char *rest;
	char host[256];
	size_t i;
	int level = -1;

	for (i = 0; i < conf_nkeys; i++)
		if ((conf_keys[i].flags & KEY_REQUIRED) && l->line[i] == 0)
			loader_error(l, l->sec_line[conf_find_section(conf_keys[i].section)], conf_keys[i].section,
				     conf_keys[i].name, "required key is missing");

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

	rest = conf_url_tcp(l->c.parent);
	if (rest != NULL && !l->bad[parent] &&
	    (conf_check_hostport(rest, true, host, sizeof(host), NULL, 0) < 0 || host[0] == '\0' ||
	     strcmp(host, "*") == 0))
		loader_error(l, l->line[parent], "node", "parent", "'%s' has no host to dial",
			     l->c.parent);
	check_tls(l, parent, l->c.parent);
	check_tls(l, listen, l->c.listen);
	if ((l->c.http_tls_cert[0] == '\0') != (l->c.http_tls_key[0] == '\0')) {
		int k = conf_key_at("node", l->c.http_tls_cert[0] ? "http_tls_cert" : "http_tls_key");
		loader_error(l, l->line[k], "node", conf_keys[k].name,
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
	    conf_check_hostport(rest, true, host, sizeof(host), NULL, 0) == 0)
		memcpy(l->c.tls_server_name, host, strlen(host) + 1);
}

/* conf_load_stream parses l->f into l->c and returns 0, NZ_ECONF with l->msg, NZ_EIO or NZ_ENOMEM. */
int
conf_load_stream(struct loader *l)
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
	rc = conf_load_stream(l);
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
