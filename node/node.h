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

/*
 * node_create makes a new node in dir (created when missing): its key,
 * database and configuration, with [node] name (NULL: none) and [tls] ca,
 * cert and key from tls (NULL: none).  Made by root in a directory another user owns (/var/lib/nehzat),
 * its files go to that user.  On failure nothing of it is left.
 */
int node_create(const char *dir, const char *id, const char *parent, const char *listen, const char *http,
		const char *name, const char *const tls[3], struct nz_err *err);

/*
 * node_lock takes the lock of a node's data directory (DIR/nehzat.lock,
 * held by `nehzat serve` while it runs, released by the kernel when it
 * dies) into *fd; NZ_EBUSY when a node serves dir.  Closing *fd releases it.
 */
int node_lock(const char *dir, int *fd, struct nz_err *err);

struct store_backup_report;

/*
 * node_restore puts the backup file (nehzat backup) in place of dir's
 * database: refused while a node serves dir, or when file is not a checked
 * backup of this node; the old database's -wal and -shm go with it.  The
 * node asks its parent for what it lost at its next sync (PROTOCOL.md §12).
 */
int node_restore(const char *dir, const char *file, struct store_backup_report *rep, struct nz_err *err);

/* node_remove deletes a node's files from dir, and dir when that leaves it empty. */
void node_remove(const char *dir);

/* node_key_read reads an Ed25519 secret key file (128 hex digits) into sk. */
int node_key_read(const char *path, unsigned char sk[64], struct nz_err *err);

/* node_key_write creates path (mode 0600, never over an existing file) holding sk, flushed to disk. */
int node_key_write(const char *path, const unsigned char sk[64], struct nz_err *err);

/*
 * node_join is `nehzat init --join CODE` (node/cmd_peer.c): it creates the
 * node the code names in dir (/var/lib/nehzat/ID when NULL) and enrols it
 * with its parent, removing it again if the parent refuses.  Returns the
 * exit status.
 */
int node_join(const char *dir, const char *code, const char *listen, const char *http, const char *name,
	      const char *const tls[3]);

/* ---- node/cmd.c: commands declared once ---- */

/* struct cmd_opts holds the options every command takes: -D/--data-dir DIR, --json, --help. */
struct cmd_opts {
	const char *dir;
	bool json;
	bool help;
};

/* A command's handler: o holds the common options, already taken out of argv; argv[0] is the
 * command's name and, for a command with subcommands, argv[1] the subcommand's.  Returns the exit
 * status: 0 success, 1 failure, 2 usage. */
typedef int (*cmd_fn)(const struct cmd_opts *o, int argc, char **argv);

/*
 * struct cmd_sub is one subcommand (as git's OPT_SUBCOMMAND, tmux's cmd_entry): its name, its
 * synopsis after "nehzat CMD NAME " (lines of a long one separated by '\n'), what it does (NULL:
 * the command's about says it), and its handler.  A table of them ends with a NULL name.
 */
struct cmd_sub {
	const char *name;
	const char *synopsis;
	const char *help;
	cmd_fn run;
};

/*
 * struct cmd_def declares a command once: its name, the line `nehzat --help` shows, what it is
 * about (printed after the synopsis by --help), and either its subcommands or, for a command
 * without any, its own synopsis and handler.  more, when set, appends to --help what only the
 * program knows at run time (the list of checks).  Usage, --help and the manual page all come from
 * this declaration.
 */
struct cmd_def {
	const char *name;
	const char *summary;
	const char *about;
	const struct cmd_sub *subs;
	const char *synopsis;
	cmd_fn run;
	void (*more)(FILE *out);
};

/* cmd_run runs command d on argv (argv[0] its name): takes out the common options, answers --help
 * from d, refuses a missing or unknown subcommand (exit 2), else returns the handler's status. */
int cmd_run(const struct cmd_def *d, int argc, char **argv);

/* cmd_pick runs the handler of subs named argv[at] with o, argc and argv as they are: the one
 * dispatch of cmd_run, also for a subcommand's own verbs (register category list).  A missing or
 * unknown name is refused (exit 2) naming what (e.g. "register category") and the names. */
int cmd_pick(const char *what, const struct cmd_sub *subs, const struct cmd_opts *o, int argc, char **argv, int at);

/* cmd_help prints d's usage (only that of sub when not NULL) and about to out. */
void cmd_help(FILE *out, const struct cmd_def *d, const struct cmd_sub *sub);

/* cmd_man prints a manual page (man(7) markup) of the program described by the NULL-terminated
 * table cmds to out. */
void cmd_man(FILE *out, const struct cmd_def *const *cmds);

/* cmd_common parses -D/--data-dir, --json and --help out of argv in place;
 * returns the remaining argc. */
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

/* cli_whole reads text (Persian digits too) as a whole number within lo..hi into *out, which a NULL
 * text leaves alone; returns 0, or 2 after a usage message naming cmd and what. */
int cli_whole(const char *cmd, const char *what, const char *text, long long lo, long long hi, long long *out);

/* cli_real reads text (Persian digits too) as a finite decimal number into *out, which a NULL text
 * leaves alone; returns 0, or 2 after a usage message naming cmd and what. */
int cli_real(const char *cmd, const char *what, const char *text, double *out);

/* cli_date turns a date typed by a person (1405-09-07; see base/dates.h) into ISO; returns 0, or 2 after a usage message. */
int cli_date(const char *cmd, const char *what, const char *text, char iso[11]);

/* cli_print_json prints j indented, keys in their order, and a newline. */
void cli_print_json(json_t *j);

/* cli_jstr returns the string at key of object o, or "" (never NULL); o keeps it. */
const char *cli_jstr(json_t *o, const char *key);

/* cli_unread says that a listing could not be read (a NULL from the domain: a database error, never an
 * empty list) and returns exit status 1. */
int cli_unread(void);

/* cli_list prints a listing as JSON (o->json) or a text table of the keys cols (cli_key_table);
 * it releases rows and returns 0, or cli_unread() when rows is NULL. */
int cli_list(const struct cmd_opts *o, json_t *rows, const char *const *cols);

/* cli_jint returns the whole number at key of object o, or 0. */
long long cli_jint(json_t *o, const char *key);

/* struct cli_col is a column of a text table: the JSON key and its header. */
struct cli_col {
	const char *key, *head;
};

/* cli_cell formats one value for a text table: text, number (reals with two decimals), yes/no, or "-". */
void cli_cell(json_t *v, char *buf, size_t n);

/* cli_table prints rows (objects) as aligned columns, booleans as yes/no, long cells cut at 40 code points. */
void cli_table(json_t *rows, const struct cli_col *cols);

/* cli_key_table is cli_table with each column headed by its key (keys NULL-terminated). */
void cli_key_table(json_t *rows, const char *const *keys);

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


/* ---- node/cli.c: listings ---- */

/* What a listing takes besides --under CODE and --csv FILE. */
enum { CLI_LIST_STATUS = 1, CLI_LIST_CATEGORY = 2, CLI_LIST_PENDING = 4 };

/* struct cli_list_opts holds a listing's options and how many arguments it was given. */
struct cli_list_opts {
	const char *under, *status, *category, *csv;
	bool pending;
	int npos;
};

/* cli_list_parse reads the options of "CMD list" (those of extra too) and up to maxpos arguments into pos. */
int cli_list_parse(const char *cmd, int argc, char **argv, unsigned extra, struct cli_list_opts *l, char **pos,
		   int maxpos);

/* ---- node/out.c: the output layer ---- */

/* out_get_fn reads one record by id into *out, by domain/record.h's convention for reads; the caller owns it. */
typedef int (*out_get_fn)(struct store *st, const char *id, json_t **out, struct nz_err *err);

/* out_set_fn assigns FIELD=VALUE pairs to record id. */
/* out_under_fn lists the records inside under (all when NULL); NULL on a database error. */
typedef json_t *(*out_under_fn)(struct store *st, const char *under);

/* out_under reads "CMD [--under CODE]": the rows list gives for the subtree (NULL: the read failed) into
 * *rows, which the caller prints and releases; returns 0 or the exit status of a usage error. */
int out_under(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_under_fn list, json_t **rows);

/* out_html_fn writes the printable page of key into *html (the caller frees it). */
typedef int (*out_html_fn)(struct store *st, const char *key, const char *fallback_name, char **html,
			   struct nz_err *err);

/* out_print_html runs "CMD KEY --html FILE": the page html makes of KEY (what names KEY in the usage error),
 * written to FILE. */
int out_print_html(const struct cmd_opts *o, int argc, char **argv, const char *cmd, const char *what,
		   out_html_fn html);

/* out_all_fn lists the live records of a kind, or every one when all; NULL on a database error. */
typedef json_t *(*out_all_fn)(struct store *st, bool all);

/* out_list_all runs "CMD list [--all]" through list, printed with cols. */
int out_list_all(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_all_fn list,
		 const char *const *cols);

/* out_id_fn does one thing to record id on behalf of author. */
typedef int (*out_id_fn)(struct store *st, const char *id, const char *author, struct nz_err *err);

/* out_run_id runs "CMD VERB ID" through fn, printing its refusal. */
int out_run_id(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_id_fn fn);

typedef int (*out_set_fn)(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
		      struct nz_err *err);

/* out_ms_jalali writes "1405-09-07 14:03" in Iran time for unix ms, "never" for 0. */
void out_ms_jalali(long long ms, char *buf, size_t n);

/*
 * out_jalalize rewrites, throughout v, every ISO date string as Jalali, and next
 * to every "..._ms" time adds the same key without "_ms" as Jalali text.
 */
void out_jalalize(json_t *v);

/* out_csv_file writes the scalar fields of rows (those of the first row) as RFC 4180 CSV to path ("-": stdout). */
int out_csv_file(const char *path, json_t *rows);

/* out_csv_cols writes rows as CSV with a header of cols to path ("-": standard output); returns the exit
 * status (cli_csv_close). */
int out_csv_cols(const char *path, json_t *rows, const char *const *cols);

/* out_rows prints a listing as JSON, CSV (csv not NULL) or a text table of cols; consumes rows. */
int out_rows(const struct cmd_opts *o, json_t *rows, const char *const *cols, const char *csv);

/* out_texts turns the booleans of an array of objects into yes/no, for text tables. */
void out_texts(json_t *rows);

/* out_show prints one record and releases it; nested arrays as tables of all their fields. */
int out_show(const struct cmd_opts *o, json_t *rec, const char *what, const char *id);

/* out_show_id runs "CMD show ID" with the record get reads, a WHAT; a failed read (absent, or the database
 * could not be read) ends with its reason and exit status 1. */
int out_show_id(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_get_fn get, const char *what);

/* out_show_by is out_show_id printing with print (out_show or out_record_json). */
int out_show_by(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_get_fn get, const char *what,
		int (*print)(const struct cmd_opts *o, json_t *rec, const char *what, const char *id));

/* out_reason_fn ends record id for reason (a revocation, a withdrawal). */
typedef int (*out_reason_fn)(struct store *st, const char *id, const char *reason, const char *author,
			     struct nz_err *err);

/* out_end_with_reason runs "CMD ID --reason R" through end, a WHAT's ID; both are required. */
int out_end_with_reason(const struct cmd_opts *o, int argc, char **argv, const char *cmd, const char *what,
			out_reason_fn end);

/* out_set_fields runs "CMD set ID FIELD=VALUE..." through set. */
int out_set_fields(const struct cmd_opts *o, int argc, char **argv, const char *cmd, out_set_fn set);

/* out_record prints one record as "key  value" lines, dates in Jalali, nested values as JSON. */
void out_record(json_t *o);

/* out_table prints a listing as JSON or a table of cols and releases rows. */
int out_table(const struct cmd_opts *o, json_t *rows, const struct cli_col *cols);

/* out_record_json prints one record as JSON or key-value lines and releases it. */
int out_record_json(const struct cmd_opts *o, json_t *rec, const char *what, const char *id);

/* LIFECYCLE_HELP ends the --help of issue and solution, and is what "register lifecycle" prints. */
#define LIFECYCLE_HELP \
	"Lifecycle (only these moves are legal; anything else is refused and changes nothing):\n" \
	"  identified (شناسایی شده)      -> prioritised     when a session scores it (session score)\n" \
	"  prioritised (اولویت بندی شده)  -> proposed        when a solution is proposed (solution add)\n" \
	"  proposed (راه حل پیشنهاد شده)  -> council         solution submit --council county|province\n" \
	"  council (در دستور شورا)        -> approved | rejected | returned   council decide (at the council's node)\n" \
	"  returned (عودت برای اصلاح)     -> proposed        solution revise\n" \
	"  rejected (رد شده در شورا)      -> proposed        a new solution (solution add); or -> closed\n" \
	"  approved (مصوب شورا)           -> intervention    intervention add --solution\n" \
	"  intervention (در حال مداخله)   -> evaluated       evaluation add --intervention (implementation started)\n" \
	"  evaluated (ارزیابی شده)        -> closed          solution close / issue close\n" \
	"  identified, prioritised        -> closed          issue close (e.g. a duplicate)\n" \
	"A solution's problems move with it.  approved/rejected/returned are the council's decision record,\n" \
	"kept apart from the solution so that the council's node and the solution's unit never overwrite\n" \
	"each other.\n"

/* cmd_with_resources fills out (max entries, the last NULL) with the commands declared (closed by NULL)
 * and those of the replicated resources (node/cmd_resource.c), written from their declarations in
 * src/domain/resources.c: a resource's command takes the place of a declared one of its name, whose
 * subcommands it adds to its own (one of the same name replacing its own), the others follow; returns
 * out.  Called once, it keeps what it writes for the program's life. */
const struct cmd_def *const *cmd_with_resources(const struct cmd_def *const *declared, const struct cmd_def **out,
						size_t max);

/* The commands, each declared in the node/cmd_*.c of its area; node/main.c lists them. */
extern const struct cmd_def cmd_init;
extern const struct cmd_def cmd_status;
extern const struct cmd_def cmd_digest;
extern const struct cmd_def cmd_key;
extern const struct cmd_def cmd_peer;
extern const struct cmd_def cmd_orgunit;
extern const struct cmd_def cmd_issue;
extern const struct cmd_def cmd_session;
extern const struct cmd_def cmd_solution;
extern const struct cmd_def cmd_council;
extern const struct cmd_def cmd_intervention;
extern const struct cmd_def cmd_evaluation;
extern const struct cmd_def cmd_org;
extern const struct cmd_def cmd_group;
extern const struct cmd_def cmd_register;
extern const struct cmd_def cmd_quarantine;
extern const struct cmd_def cmd_serve;
extern const struct cmd_def cmd_sync;
extern const struct cmd_def cmd_template;
extern const struct cmd_def cmd_report;
extern const struct cmd_def cmd_completeness;
extern const struct cmd_def cmd_freshness;
extern const struct cmd_def cmd_approve;
extern const struct cmd_def cmd_indicator;
extern const struct cmd_def cmd_allocate;
extern const struct cmd_def cmd_standard;
extern const struct cmd_def cmd_call;
extern const struct cmd_def cmd_applicant;
extern const struct cmd_def cmd_review;
extern const struct cmd_def cmd_interview;
extern const struct cmd_def cmd_rank;
extern const struct cmd_def cmd_appoint;
extern const struct cmd_def cmd_decree;
extern const struct cmd_def cmd_course;
extern const struct cmd_def cmd_check;
extern const struct cmd_def cmd_user;
extern const struct cmd_def cmd_backup;
extern const struct cmd_def cmd_restore;

#endif
