/*
 * Commands declared once: the dispatcher that reads a struct cmd_def (the
 * common options, --help, a missing or unknown subcommand), the usage and
 * manual page printed from it, and the endings every command shares.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/node.h"

int
cmd_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("nehzat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

/* cmd_option writes the option that gives field: "--" and the field with '-' for '_', but for the fields
 * whose option has another name. */
static const char *
cmd_option(const char *field, char *buf, size_t n)
{
	static const char *const renamed[][2] = {{"issues", "--issue"}, {"name_fa", "--fa"}, {NULL, NULL}};
	size_t i;

	for (i = 0; renamed[i][0] != NULL; i++)
		if (strcmp(renamed[i][0], field) == 0)
			return renamed[i][1];
	snprintf(buf, n, "--%s", field);
	for (i = 2; buf[i] != '\0'; i++)
		if (buf[i] == '_')
			buf[i] = '-';
	return buf;
}

int
cmd_fail(const struct nz_err *err)
{
	char opt[40];

	/* Config errors come as several lines already prefixed. */
	if (strncmp(err->msg, "nehzat: ", 8) == 0)
		fprintf(stderr, "%s", err->msg);
	else
		fprintf(stderr, "nehzat: %s", err->msg[0] ? err->msg : nz_strerror(err->code));
	/* The domain names the field and the operation; the command line shows its option and command. */
	if (err->field[0] != '\0')
		fprintf(stderr, " (%s)", cmd_option(err->field, opt, sizeof(opt)));
	if (err->action[0] != '\0')
		fprintf(stderr, " (nehzat %s)", err->action);
	fputc('\n', stderr);
	return 1;
}

int
cmd_common(int argc, char **argv, struct cmd_opts *o)
{
	int i, n = 0;

	o->dir = getenv("NEHZAT_DIR");
	o->json = false;
	o->help = false;
	for (i = 0; i < argc; i++) {
		if ((strcmp(argv[i], "-D") == 0 || strcmp(argv[i], "--data-dir") == 0) && i + 1 < argc)
			o->dir = argv[++i];
		else if (strncmp(argv[i], "-D", 2) == 0 && argv[i][2] != '\0')
			o->dir = argv[i] + 2;
		else if (strcmp(argv[i], "--json") == 0)
			o->json = true;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			o->help = true;
		else
			argv[n++] = argv[i];
	}
	argv[n] = NULL;
	return n;
}

int
cmd_open(struct node *n, const struct cmd_opts *o)
{
	struct nz_err err = {0};

	if (o->dir == NULL)
		return cmd_usage("no data directory: give -D DIR or set NEHZAT_DIR");
	if (node_open(n, o->dir, &err) != 0)
		return cmd_fail(&err);
	return 0;
}

/* synopsis prints "LEAD nehzat CMD [SUB] TEXT", the lines of a long TEXT under its first word. */
static void
synopsis(FILE *out, const char *lead, const char *cmd, const char *sub, const char *text)
{
	int indent = (int)(strlen(lead) + strlen("nehzat ") + strlen(cmd) + 1 + (sub ? strlen(sub) + 1 : 0));
	const char *p = text, *nl;

	fprintf(out, "%snehzat %s%s%s", lead, cmd, sub ? " " : "", sub ? sub : "");
	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(out, "%s%.*s\n%*s", p == text ? " " : "", (int)(nl - p), p, indent, "");
	fprintf(out, "%s%s\n", p == text && *p ? " " : "", p);
}

void
cmd_help(FILE *out, const struct cmd_def *d, const struct cmd_sub *sub)
{
	const struct cmd_sub *s;

	if (d->subs == NULL) {
		synopsis(out, "usage: ", d->name, NULL, d->synopsis);
	} else if (sub != NULL) {
		synopsis(out, "usage: ", d->name, sub->name, sub->synopsis);
	} else {
		for (s = d->subs; s->name != NULL; s++)
			synopsis(out, s == d->subs ? "usage: " : "       ", d->name, s->name, s->synopsis);
	}
	fputs(sub != NULL && sub->help != NULL ? sub->help : d->about, out);
	if (d->more != NULL)
		d->more(out);
}

int
cmd_run(const struct cmd_def *d, int argc, char **argv)
{
	const struct cmd_sub *s;
	struct cmd_opts o;

	argc = cmd_common(argc, argv, &o);
	if (d->subs == NULL) {
		if (o.help) {
			cmd_help(stdout, d, NULL);
			return 0;
		}
		return d->run(&o, argc, argv);
	}
	if (argc < 2) {
		cmd_help(o.help ? stdout : stderr, d, NULL);
		return o.help ? 0 : 2;
	}
	if (o.help) {
		for (s = d->subs; s->name != NULL; s++)
			if (strcmp(argv[1], s->name) == 0) {
				cmd_help(stdout, d, s);
				return 0;
			}
	}
	return cmd_pick(d->name, d->subs, &o, argc, argv, 1);
}

int
cmd_pick(const char *what, const struct cmd_sub *subs, const struct cmd_opts *o, int argc, char **argv, int at)
{
	const struct cmd_sub *s;
	char names[512];
	size_t len = 0;

	names[0] = '\0';
	for (s = subs; s->name != NULL && len < sizeof(names); s++)
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", s == subs ? "" : ", ", s->name);
	if (argc <= at)
		return cmd_usage("%s: give one of %s", what, names);
	for (s = subs; s->name != NULL; s++)
		if (strcmp(argv[at], s->name) == 0)
			return s->run(o, argc, argv);
	return cmd_usage("%s: unknown subcommand '%s' (%s)", what, argv[at], names);
}

/* roff prints text for man(7): a backslash doubled, a line starting with '.' or '\'' escaped, and a
 * line end after it when text has none (or is empty), so that the next request starts a line. */
static void
roff(FILE *out, const char *text)
{
	bool bol = false, start = true;

	for (; *text != '\0'; text++, start = false) {
		if ((bol || start) && (*text == '.' || *text == '\''))
			fputs("\\&", out);
		if (*text == '\\')
			fputs("\\e", out);
		else if (*text == '-')
			fputs("\\-", out);
		else
			fputc(*text, out);
		bol = *text == '\n';
	}
	if (!bol)
		fputc('\n', out);
}

/* roff_block prints text as roff (above) ending in a newline, so the request after it starts a line. */
static void
roff_block(FILE *out, const char *text)
{
	size_t n = strlen(text);

	roff(out, text);
	if (n > 0 && text[n - 1] != '\n')
		fputc('\n', out);
}

void
cmd_man(FILE *out, const struct cmd_def *const *cmds)
{
	const struct cmd_sub *s;
	size_t i;

	fputs(".TH NEHZAT 1\n.SH NAME\nnehzat \\- a node of the Social Participation Movement's information system\n"
	      ".SH SYNOPSIS\n.B nehzat\n.I COMMAND\n[\\-D\n.IR DIR ]\n[\\-\\-json]\n[\\-\\-help]\n[options]\n"
	      ".SH DESCRIPTION\nEvery command takes \\-D DIR (or NEHZAT_DIR) naming the node's data directory, and "
	      "\\-\\-help.\nExit status: 0 success, 1 failure, 2 usage.\n.SH COMMANDS\n",
	      out);
	for (i = 0; cmds[i] != NULL; i++) {
		fprintf(out, ".SS %s\n", cmds[i]->name);
		roff(out, cmds[i]->summary);
		fputs(".PP\n.nf\n", out);
		if (cmds[i]->subs == NULL) {
			fprintf(out, "nehzat %s ", cmds[i]->name);
			roff(out, cmds[i]->synopsis);
		}
		for (s = cmds[i]->subs; s != NULL && s->name != NULL; s++) {
			fprintf(out, "nehzat %s %s ", cmds[i]->name, s->name);
			roff(out, s->synopsis);
		}
		fputs(".fi\n.PP\n", out);
		roff_block(out, cmds[i]->about);
		for (s = cmds[i]->subs; s != NULL && s->name != NULL; s++) {
			if (s->help == NULL)
				continue;
			fprintf(out, ".TP\n.B %s\n", s->name);
			roff_block(out, s->help);
		}
	}
}
