#ifndef NZ_NODE_H
#define NZ_NODE_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "conf/conf.h"
#include "store/store.h"

/*
 * A node is a data directory: DIR/nehzat.conf, DIR/nehzat.db, DIR/node.key.
 * struct node is what every command opens.
 */
struct node {
	char dir[PATH_MAX];
	struct conf conf;
	struct store *st;
	char author[64];
	unsigned char sk[64]; /* Ed25519 secret key */
	unsigned char pk[32];
};

/* node_open loads the configuration and opens the database of dir. */
int node_open(struct node *n, const char *dir, struct nz_err *err);

/* node_close releases what node_open acquired. */
void node_close(struct node *n);

/* node_path writes DIR/name into buf. */
void node_path(const struct node *n, const char *name, char *buf, size_t len);

/* A command: argv[0] is the command's own name. */
typedef int (*cmd_fn)(int argc, char **argv);

/* cmd_common parses -D/--data-dir, --json and --help out of argv in place;
 * returns the remaining argc. */
struct cmd_opts {
	const char *dir;
	bool json;
	bool help;
};
int cmd_common(int argc, char **argv, struct cmd_opts *o);

/* cmd_usage prints a usage error and returns exit status 2. */
int cmd_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmd_fail prints err's message as "nehzat: ..." and returns exit status 1. */
int cmd_fail(const struct nz_err *err);

/* cmd_open opens the node named by o (or $NEHZAT_DIR), printing any error. */
int cmd_open(struct node *n, const struct cmd_opts *o);

/* ---- node/cli.c: helpers the commands share ---- */

/* How many times a repeatable option may be given (struct cli_opt list). */
#define CLI_LIST_MAX 100

/* struct cli_opt is one option: "--name VALUE" into *val, a flag into *flag,
 * or a repeatable "--name VALUE" appended to list (counted in *nlist). */
struct cli_opt {
	const char *name;
	const char **val;
	bool *flag;
	const char **list;
	int *nlist;
};

/* Entries of a table of struct cli_opt, which CLI_END closes (as git's parse-options tables). */
#define CLI_VAL(name, p) {(name), (p), NULL, NULL, NULL}
#define CLI_FLAG(name, p) {(name), NULL, (p), NULL, NULL}
#define CLI_LIST(name, p, n) {(name), NULL, NULL, (p), (n)}
#define CLI_END {NULL, NULL, NULL, NULL, NULL}

/* cli_parse reads argv[from..argc) by opts (NULL: none) and up to maxpos other arguments into pos;
 * returns 0, or 2 after a usage message naming cmd.  The strings stay argv's. */
int cli_parse(const char *cmd, int argc, char **argv, int from, const struct cli_opt *opts, char **pos, int maxpos,
	      int *npos);

/* cli_check_unit accepts NULL or an org-unit code; otherwise returns 2 after a usage message. */
int cli_check_unit(const char *cmd, const char *code);

/* cli_ascii_digits copies in to out (n bytes) with Persian and Arabic-Indic digits and the Arabic
 * decimal separator made ASCII; -1 when it does not fit. */
int cli_ascii_digits(const char *in, char *out, size_t n);

/* cli_whole reads text (Persian digits too) as a whole number within lo..hi into *out, which a NULL
 * text leaves alone; returns 0, or 2 after a usage message naming cmd and what. */
int cli_whole(const char *cmd, const char *what, const char *text, long long lo, long long hi, long long *out);

/* cli_real reads text (Persian digits too) as a finite decimal number into *out, which a NULL text
 * leaves alone; returns 0, or 2 after a usage message naming cmd and what. */
int cli_real(const char *cmd, const char *what, const char *text, double *out);

/* cli_date turns a Jalali date typed by a person (1405-09-07) into ISO; returns 0, or 2 after a usage message. */
int cli_date(const char *cmd, const char *what, const char *text, char iso[11]);

/* cli_print_json prints j indented, keys in their order, and a newline. */
void cli_print_json(json_t *j);

/* cli_jstr returns the string at key of object o, or "" (never NULL); o keeps it. */
const char *cli_jstr(json_t *o, const char *key);

/* cli_list prints a listing as JSON (o->json) or a text table of cols (rec_print_table);
 * it releases rows and returns 0. */
int cli_list(const struct cmd_opts *o, json_t *rows, const char *const *cols);

/* struct cli_col is a column of a text table: the JSON key and its header. */
struct cli_col {
	const char *key, *head;
};

/* cli_cell formats one value for a text table: text, number (reals with two decimals), yes/no, or "-". */
void cli_cell(json_t *v, char *buf, size_t n);

/* cli_table prints rows (objects) as aligned columns, booleans as yes/no, long cells cut at 40 code points. */
void cli_table(json_t *rows, const struct cli_col *cols);

/* cli_csv_open opens path for a --csv export, standard output for "-"; NULL after printing why. */
FILE *cli_csv_open(const char *path);

/* cli_csv_close closes what cli_csv_open opened and returns the exit status: 1 when rc (the writer's)
 * or the close failed, after saying so. */
int cli_csv_close(FILE *f, const char *path, int rc);

/* cli_read_file reads a whole file of at most max bytes into *data, NUL-terminated; the caller frees it. */
int cli_read_file(const char *path, long max, unsigned char **data, size_t *len, struct nz_err *err);

/* cli_write_file writes len bytes of data to path, replacing it. */
int cli_write_file(const char *path, const void *data, size_t len, struct nz_err *err);

/* cli_done closes n and ends a command: cmd_fail(err) when rc is not 0, else prints line
 * (unless NULL) and returns 0. */
int cli_done(struct node *n, int rc, const struct nz_err *err, const char *line);

/* cli_not_found prints "no WHAT with id 'ID'" and returns exit status 1. */
int cli_not_found(const char *what, const char *id);

int cmd_init(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_digest(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_orgunit(int argc, char **argv);
int cmd_issue(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_solution(int argc, char **argv);
int cmd_council(int argc, char **argv);
int cmd_intervention(int argc, char **argv);
int cmd_evaluation(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_facilitator(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_completeness(int argc, char **argv);
int cmd_approve(int argc, char **argv);
int cmd_indicator(int argc, char **argv);
int cmd_allocate(int argc, char **argv);
int cmd_standard(int argc, char **argv);
int cmd_call(int argc, char **argv);
int cmd_applicant(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_interview(int argc, char **argv);
int cmd_rank(int argc, char **argv);
int cmd_appoint(int argc, char **argv);
int cmd_decree(int argc, char **argv);
int cmd_course(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_backup(int argc, char **argv);

#endif
