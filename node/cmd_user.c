/* nehzat user: the web face's users of this node (add, list, passwd, enable, disable). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "http/http.h"
#include "node/node.h"

/* read_password reads the first line of path (stdin when NULL) into buf. */
static int
read_password(const char *path, char *buf, size_t n)
{
	FILE *f = path ? fopen(path, "r") : stdin;
	size_t len;

	if (f == NULL)
		return cmd_usage("user: cannot read the password file '%s'", path);
	if (fgets(buf, (int)n, f) == NULL)
		buf[0] = '\0';
	if (path)
		fclose(f);
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len == 0)
		return cmd_usage("user: no password given (first line of %s)", path ? path : "standard input");
	return 0;
}

/* user_open opens the node named by o with the users' tables, printing any error. */
static int
user_open(struct node *n, const struct cmd_opts *o)
{
	struct nz_err err = {0};
	int rc;

	if ((rc = cmd_open(n, o)) != 0)
		return rc;
	if (http_tables_init(n->st, &err) != 0) {
		node_close(n);
		return cmd_fail(&err);
	}
	return 0;
}

/* user_name parses "user SUB --name NAME [--password-file FILE]" (pwfile NULL: no such option) and, when
 * pwfile is given, reads the password into pw. */
static int
user_name(const char *cmd, int argc, char **argv, const char **name, const char **pwfile, char *pw, size_t n)
{
	const struct cli_opt opts[] = {CLI_VAL("--name", name), CLI_VAL("--password-file", pwfile), CLI_END};
	const struct cli_opt opts_name[] = {CLI_VAL("--name", name), CLI_END};
	int npos, rc;

	if ((rc = cli_parse(cmd, argc, argv, 2, pwfile ? opts : opts_name, NULL, 0, &npos)) != 0)
		return rc;
	if (*name == NULL)
		return cmd_usage("%s: --name NAME is required", cmd);
	return pwfile != NULL ? read_password(*pwfile, pw, n) : 0;
}

static int
user_add_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *name = NULL, *role = NULL, *full = NULL, *group = NULL, *pwfile = NULL;
	const struct cli_opt opts[] = {CLI_VAL("--name", &name),   CLI_VAL("--role", &role),
				       CLI_VAL("--full-name", &full), CLI_VAL("--group", &group),
				       CLI_VAL("--password-file", &pwfile), CLI_END};
	char pw[HTTP_PASS_MAX + 2];
	int npos, rc;

	if ((rc = cli_parse("user add", argc, argv, 2, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (name == NULL)
		return cmd_usage("user add: --name NAME is required");
	if (role == NULL)
		return cmd_usage("user add: --role is required (admin, staff, reviewer, helper, viewer)");
	if (http_role_parse(role) == ROLE_NONE)
		return cmd_usage("user add: role '%s' is not admin, staff, reviewer, helper or viewer", role);
	if ((rc = read_password(pwfile, pw, sizeof(pw))) != 0)
		return rc;
	if ((rc = user_open(&n, o)) == 0) {
		if ((rc = user_add(n.st, name, full, http_role_parse(role), group, pw, &err)) == 0)
			printf("added %s %s at %s\n", role, name, n.conf.id);
		node_close(&n);
		rc = rc != 0 ? cmd_fail(&err) : 0;
	}
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

static int
user_passwd_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *name = NULL, *pwfile = NULL;
	char pw[HTTP_PASS_MAX + 2];
	int rc;

	if ((rc = user_name("user passwd", argc, argv, &name, &pwfile, pw, sizeof(pw))) == 0 &&
	    (rc = user_open(&n, o)) == 0) {
		if ((rc = user_passwd(n.st, name, pw, &err)) == 0)
			printf("password of %s changed; its sessions are closed\n", name);
		node_close(&n);
		rc = rc != 0 ? cmd_fail(&err) : 0;
	}
	sodium_memzero(pw, sizeof(pw));
	return rc;
}

/* user_active runs user enable and user disable. */
static int
user_active(const struct cmd_opts *o, int argc, char **argv, bool on)
{
	struct nz_err err = {0};
	struct node n;
	const char *name = NULL;
	int rc;

	if ((rc = user_name(on ? "user enable" : "user disable", argc, argv, &name, NULL, NULL, 0)) != 0 ||
	    (rc = user_open(&n, o)) != 0)
		return rc;
	if ((rc = user_set_active(n.st, name, on, &err)) == 0)
		printf("%s %s\n", on ? "enabled" : "disabled", name);
	node_close(&n);
	return rc != 0 ? cmd_fail(&err) : 0;
}

static int
user_enable_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return user_active(o, argc, argv, true);
}

static int
user_disable_exec(const struct cmd_opts *o, int argc, char **argv)
{
	return user_active(o, argc, argv, false);
}

static int
user_list_exec(const struct cmd_opts *o, int argc, char **argv)
{
	static const struct cli_col cols[] = {{"name", "name"},     {"role", "role"},
					      {"unit", "unit"},     {"active", "active"},
					      {"group_name", "group"}, {"group_status", "appointment"},
					      {"full_name", "full name"}, {NULL, NULL}};
	struct node n;
	int npos, rc;

	if ((rc = cli_parse("user list", argc, argv, 2, NULL, NULL, 0, &npos)) != 0 || (rc = user_open(&n, o)) != 0)
		return rc;
	rc = out_table(o, user_list(n.st), cols);
	node_close(&n);
	return rc;
}

static const struct cmd_sub user_subs[] = {
	{"add", "-D DIR --name NAME --role ROLE [--full-name TEXT] [--group APPT]\n[--password-file FILE]", NULL,
	 user_add_exec},
	{"passwd", "-D DIR --name NAME [--password-file FILE]", NULL, user_passwd_exec},
	{"enable", "-D DIR --name NAME", NULL, user_enable_exec},
	{"disable", "-D DIR --name NAME", NULL, user_disable_exec},
	{"list", "-D DIR [--json]", NULL, user_list_exec},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_user = {
	.name = "user",
	.summary = "users of the web UI and API: add, passwd, enable, disable, list",
	.about = "Users of this node's web UI and API, bound to its org unit.  ROLE is admin,\n"
		 "staff (secretariat), reviewer, helper or viewer.  A helper is bound to one\n"
		 "helper group this secretariat appointed: --group names its active appointment\n"
		 "(its id, decree number or group name); a revoked or unknown group, or another\n"
		 "secretariat's, is refused, and once the appointment is revoked the helper can\n"
		 "no longer log in or act.  The password (8 to 256 characters) is read from FILE, or else from\n"
		 "the first line of standard input; it is stored hashed with argon2id.\n",
	.subs = user_subs,
};
