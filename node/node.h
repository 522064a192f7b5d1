#ifndef NZ_NODE_H
#define NZ_NODE_H

#include <limits.h>
#include <stdbool.h>

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

/* die_usage prints a usage error and returns exit status 2. */
int cmd_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmd_fail prints err's message as "nehzat: ..." and returns exit status 1. */
int cmd_fail(const struct nz_err *err);

/* cmd_open opens the node named by o (or $NEHZAT_DIR), printing any error. */
int cmd_open(struct node *n, const struct cmd_opts *o);

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

#endif
