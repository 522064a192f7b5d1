#ifndef NZ_ERR_H
#define NZ_ERR_H

#include <stddef.h>

/*
 * Errors.  Every function that can fail returns an int: 0 on success, one of
 * the negative codes below otherwise.  Codes from SQLite, NNG and libuv are
 * translated at the edge of the module that calls them.  A human-readable
 * reason goes to a caller's struct nz_err, which is left untouched on success.
 */
enum {
	NZ_OK = 0,
	NZ_ENOMEM = -1,    /* out of memory */
	NZ_EINVAL = -2,    /* bad input: argument, field, file row */
	NZ_ENOTFOUND = -3, /* no such record, file or key */
	NZ_EEXIST = -4,    /* already exists */
	NZ_EIO = -5,       /* file system */
	NZ_EDB = -6,       /* database */
	NZ_EPROTO = -7,    /* malformed or unexpected message */
	NZ_ETOOBIG = -8,   /* over a size limit */
	NZ_EDENIED = -9,   /* not allowed for this node, user or peer */
	NZ_ESTATE = -10,   /* illegal state transition */
	NZ_ENET = -11,     /* transport */
	NZ_ECONF = -12,    /* configuration */
	NZ_EQUOTA = -13,   /* quota exhausted */
	NZ_EAUTH = -14,    /* authentication failed */
	NZ_EVERSION = -15, /* protocol or schema version mismatch */
	NZ_EBUSY = -16,    /* resource busy, try again */
	NZ_ECLOCK = -17,   /* a peer's clock is too far ahead */
	NZ_ECODES = -18
};

#define NZ_ERRMSG_MAX 2048

#define NZ_ERR_PARAMS 4

/*
 * struct nz_err carries a code and the reason for it, written by nz_fail().
 * A refusal a person must read may also carry, by nz_why(), a code of the
 * UI's catalogue ("sel.below_threshold") and its parameters, so the web UI
 * writes a whole sentence in Persian instead of showing msg (English).
 */
struct nz_err {
	int code;
	char msg[NZ_ERRMSG_MAX];
	char why[48];                   /* catalogue code, "" when none */
	int nparam;                     /* pairs in pname/pval */
	char pname[NZ_ERR_PARAMS][24];  /* parameter names, e.g. "score" */
	char pval[NZ_ERR_PARAMS][128];  /* their values as text, e.g. "58.50" */
	char field[32];                 /* the input at fault by its field name ("title"), "" when none */
	char action[40];                /* the operation that does what was refused ("report revise"), "" when none */
};

/* nz_strerror returns a static description of an error code. */
const char *nz_strerror(int code);

/*
 * nz_fail records code and the formatted reason in err (when err is not NULL)
 * and returns code, so that callers may write `return nz_fail(err, ...)`.
 */
int nz_fail(struct nz_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * nz_why names err's refusal for the UI: why is a catalogue code (a module
 * prefix and a name: "sel.below_threshold"), followed by up to NZ_ERR_PARAMS
 * name, value pairs of text and a NULL.  Call it after nz_fail(); a later
 * nz_fail() that wraps the message keeps it.  Returns err->code, so that
 * callers may write `return nz_why(err, ...)`.  NULL err: returns NZ_EINVAL,
 * so that a caller that did not ask why still sees a refusal.
 */
int nz_why(struct nz_err *err, const char *why, ...);

/*
 * nz_fail_at is nz_fail() naming besides the input at fault (field, its name
 * in the API's bodies: "title") and the operation that does instead what was
 * refused (action, its name on the command line: "report revise"); either
 * may be NULL.  The message itself names neither an option nor a command:
 * that is the presentation's to add (the command line shows "(--title)" or
 * "(nehzat report revise)" after it, the API answers "field").  Returns code.
 */
int nz_fail_at(struct nz_err *err, int code, const char *field, const char *action, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* nz_err_clear resets err to "no error". */
void nz_err_clear(struct nz_err *err);

#endif
