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

/* user_exec runs every subcommand: they share their options and their checks. */
static int
user_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *name = NULL, *role = NULL, *full = NULL, *group = NULL, *pwfile = NULL, *sub = argv[1];
	const struct cli_opt opts[] = {CLI_VAL("--name", &name),
				       CLI_VAL("--role", &role),
				       CLI_VAL("--full-name", &full),
				       CLI_VAL("--group", &group),
				       CLI_VAL("--password-file", &pwfile),
				       CLI_END};
	char pw[HTTP_PASS_MAX + 2], cmd[32];
	int npos, rc;

	snprintf(cmd, sizeof(cmd), "user %s", sub);
	if ((rc = cli_parse(cmd, argc, argv, 2, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (strcmp(sub, "list") != 0 && name == NULL)
		return cmd_usage("user %s: --name NAME is required", sub);
	if (strcmp(sub, "add") == 0 && role == NULL)
		return cmd_usage("user add: --role is required (admin, staff, reviewer, helper, viewer)");
	if (role != NULL && http_role_parse(role) == ROLE_NONE)
		return cmd_usage("user add: role '%s' is not admin, staff, reviewer, helper or viewer", role);
	if ((strcmp(sub, "add") == 0 || strcmp(sub, "passwd") == 0) && (rc = read_password(pwfile, pw, sizeof(pw))) != 0)
		return rc;
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	if ((rc = http_tables_init(n.st, &err)) != 0)
		goto out;
	if (strcmp(sub, "add") == 0) {
		if ((rc = user_add(n.st, name, full, http_role_parse(role), group, pw, &err)) == 0)
			printf("added %s %s at %s\n", role, name, n.conf.id);
	} else if (strcmp(sub, "passwd") == 0) {
		if ((rc = user_passwd(n.st, name, pw, &err)) == 0)
			printf("password of %s changed; its sessions are closed\n", name);
	} else if (strcmp(sub, "list") == 0) {
		static const struct cli_col cols[] = {{"name", "name"},     {"role", "role"},
						      {"unit", "unit"},     {"active", "active"},
						      {"group_name", "group"}, {"group_status", "appointment"},
						      {"full_name", "full name"}, {NULL, NULL}};
		json_t *a = user_list(n.st);
		if (a == NULL) {
			rc = nz_fail(&err, NZ_EDB, "the users could not be read");
			goto out;
		}
		if (o->json)
			cli_print_json(a);
		else
			cli_table(a, cols);
		json_decref(a);
	} else {
		bool on = strcmp(sub, "enable") == 0;
		if ((rc = user_set_active(n.st, name, on, &err)) == 0)
			printf("%s %s\n", on ? "enabled" : "disabled", name);
	}
out:
	sodium_memzero(pw, sizeof(pw));
	node_close(&n);
	return rc != 0 ? cmd_fail(&err) : 0;
}

static const struct cmd_sub user_subs[] = {
	{"add", "-D DIR --name NAME --role ROLE [--full-name TEXT] [--group APPT]\n[--password-file FILE]", NULL,
	 user_exec},
	{"passwd", "-D DIR --name NAME [--password-file FILE]", NULL, user_exec},
	{"enable", "-D DIR --name NAME", NULL, user_exec},
	{"disable", "-D DIR --name NAME", NULL, user_exec},
	{"list", "-D DIR [--json]", NULL, user_exec},
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
