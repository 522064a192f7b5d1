#ifndef NZ_CONF_INT_H
#define NZ_CONF_INT_H

/*
 * What the files of src/conf/ share, and nothing outside them includes (as
 * SQLite's vdbeInt.h): conf_table.c (the key table, and the parsing of each
 * type of value), conf.c (the loader) and conf_write.c (a fresh file).
 * conf.h stays the interface.  conf_table.c uses neither of the others,
 * conf.c uses conf_table.c, conf_write.c both.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/err.h"
#include "conf/conf.h"

enum conf_type { T_STRING, T_INT, T_BOOL, T_URL, T_HOSTPORT, T_PATH, T_ENUM };

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

/* The key table, in the order of a fresh file (conf_table.c), and its length. */
extern const struct conf_key conf_keys[];
extern const size_t conf_nkeys;

/* Room for the table's keys in arrays indexed like it; conf_table.c asserts they fit. */
#define CONF_KEYS_MAX 64

/* The state of one parse: where we are, what was set where, what went wrong. */
struct loader {
	FILE *f;
	const char *file; /* name used in messages */
	bool no_lines;    /* leave line numbers out of messages: the text is not a file yet */
	char *buf;        /* getline's buffer */
	size_t cap;
	int lineno;
	int read_errno;              /* set when reading failed before EOF */
	char section[64];            /* current section, as written */
	int sec;                     /* index of its first key, -1 when unknown or none */
	bool in_section;             /* a section header was seen */
	int sec_line[CONF_KEYS_MAX]; /* first header line, indexed like sec */
	int line[CONF_KEYS_MAX];     /* line where each key was set, 0 if not */
	bool bad[CONF_KEYS_MAX];     /* its value was refused */
	struct conf c;
	int nerr;   /* errors found */
	int nshown; /* errors that fit in msg */
	size_t len;
	char msg[NZ_ERRMSG_MAX];
};

/* ---- conf_table.c ---- */

/* conf_find_section returns the index of the first key of section, or -1 when there is no such section. */
int conf_find_section(const char *section);

/* conf_find_key returns the index of key name in section, or -1. */
int conf_find_key(const char *section, const char *name);

/* conf_key_at returns the index of a key the code relies on; it aborts when the key is not in the table. */
int conf_key_at(const char *section, const char *name);

/* conf_section_list writes the known sections into buf as " node, sync, ..." and returns buf. */
char *conf_section_list(char *buf, size_t size);

/* conf_has_control tells whether s holds a control character. */
bool conf_has_control(const char *s);

/*
 * conf_check_hostport accepts HOST:PORT, [IPV6]:PORT, and, when empty_host is true,
 * :PORT or *:PORT (every interface).  On success host (when not NULL) gets the
 * host without brackets; on failure why (when not NULL) says what is wrong.
 */
int conf_check_hostport(const char *s, bool empty_host, char *host, size_t hostsize, char *why, size_t whysize);

/* conf_url_tcp returns what follows the scheme of a tcp:// or tls+tcp:// URL, or NULL. */
const char *conf_url_tcp(const char *url);

/* conf_set_value parses v as key k into c; on failure says why and leaves c alone. */
int conf_set_value(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize);

/* conf_type_text describes the type of k with its bounds or values: "int 1..3600", "enum debug|info|...". */
void conf_type_text(const struct conf_key *k, char *buf, size_t size);

/* ---- conf.c ---- */

/* conf_load_stream parses l->f into l->c and returns 0, NZ_ECONF with l->msg, NZ_EIO or NZ_ENOMEM. */
int conf_load_stream(struct loader *l);

#endif
