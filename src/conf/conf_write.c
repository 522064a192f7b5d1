#include "conf/conf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf_int.h"

/*
 * A fresh configuration file for `nehzat init`: the key table written out
 * with each key's help, read back with the loader's own code, then put in
 * place whole or not at all.
 */

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
	for (i = 0; i < conf_nkeys; i++) {
		if (strcmp(section, conf_keys[i].section) != 0) {
			section = conf_keys[i].section;
			fprintf(m, "\n[%s]\n", section);
		} else {
			fputs("\n", m);
		}
		conf_type_text(&conf_keys[i], type, sizeof(type));
		if (conf_keys[i].type == T_INT || conf_keys[i].type == T_ENUM || conf_keys[i].type == T_BOOL)
			fprintf(m, "; %s (%s)\n", conf_keys[i].help, type);
		else
			fprintf(m, "; %s\n", conf_keys[i].help);
		if (set[i] != NULL)
			fprintf(m, "%s = %s\n", conf_keys[i].name, set[i]);
		else if (conf_keys[i].def[0] == '\0')
			fprintf(m, ";%s =\n", conf_keys[i].name);
		else
			fprintf(m, ";%s = %s\n", conf_keys[i].name, conf_keys[i].def);
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
	const char *set[CONF_KEYS_MAX] = {0};
	const char *const want[] = {"id", "parent", "listen", "http"};
	const char *const tls_keys[3] = {"ca", "cert", "key"};
	struct loader *l = NULL;
	char *text = NULL;
	size_t len = 0, i;
	struct stat st;
	FILE *m;
	int rc;

	set[conf_key_at("node", "id")] = id != NULL ? id : "";
	if (parent != NULL && parent[0] != '\0')
		set[conf_key_at("node", "parent")] = parent;
	if (listen != NULL && listen[0] != '\0')
		set[conf_key_at("node", "listen")] = listen;
	set[conf_key_at("node", "http")] = http != NULL ? http : conf_keys[conf_key_at("node", "http")].def;
	if (name != NULL && name[0] != '\0')
		set[conf_key_at("node", "name")] = name;
	for (i = 0; tls != NULL && i < 3; i++)
		if (tls[i] != NULL && tls[i][0] != '\0')
			set[conf_key_at("tls", tls_keys[i])] = tls[i];
	for (i = 0; i < conf_nkeys; i++)
		if (set[i] != NULL && conf_has_control(set[i])) {
			rc = nz_fail(err, NZ_EINVAL, "nehzat: %s.%s contains a control character",
				     conf_keys[i].section, conf_keys[i].name);
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
	render(m, set[conf_key_at("node", "id")], set);
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
	rc = conf_load_stream(l);
	if (rc == NZ_ECONF) {
		nz_fail(err, rc, "%s", l->msg);
		goto out;
	}
	if (rc != 0) {
		rc = nz_fail(err, rc, "nehzat: %s: cannot check the new file", path);
		goto out;
	}
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct conf_key *k = &conf_keys[conf_key_at("node", want[i])];
		const char *asked = set[k - conf_keys] != NULL ? set[k - conf_keys] : "";

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
