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
	NZ_ECODES = -17
};

#define NZ_ERRMSG_MAX 2048

/* struct nz_err carries a code and the reason for it, written by nz_fail(). */
struct nz_err {
	int code;
	char msg[NZ_ERRMSG_MAX];
};

/* nz_strerror returns a static description of an error code. */
const char *nz_strerror(int code);

/*
 * nz_fail records code and the formatted reason in err (when err is not NULL)
 * and returns code, so that callers may write `return nz_fail(err, ...)`.
 */
int nz_fail(struct nz_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* nz_err_clear resets err to "no error". */
void nz_err_clear(struct nz_err *err);

#endif
