#ifndef NZ_FIELD_H
#define NZ_FIELD_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

/*
 * The rules of a field a person types, written once: free text, a phone
 * number, an org unit.  The register, the selection and the resources
 * declared once (resource.h, whose flags stand for these rules) all check
 * with them.  Each refuses with NZ_EINVAL, its message naming the field by
 * what, and changes nothing.
 */

#define FIELD_TEXT_MAX 20000 /* bytes of a free-text field without a bound of its own */

/* field_text refuses v longer than max bytes (0: FIELD_TEXT_MAX), or absent or empty when required. */
int field_text(const char *what, const char *v, size_t max, bool required, struct nz_err *err);

/*
 * field_phone_key writes a phone number's digits (Persian and Arabic digits
 * read as ASCII, the rest dropped; 0098 or 98 before 12 digits written as 0)
 * into out, so that the same number typed two ways compares equal.
 */
void field_phone_key(const char *v, char *out, size_t n);

/* field_phone refuses v unless it is a phone number: at most 40 bytes, 7 to 15 digits (field_phone_key);
 * its key goes into key when not NULL. */
int field_phone(const char *what, const char *v, char key[32], struct nz_err *err);

/* field_unit refuses v unless it is an org-unit code (IR, IR-07, IR-07-03) and, once the org-unit tree is
 * imported, a unit of it; NZ_EDB when the tree cannot be read. */
int field_unit(struct store *st, const char *what, const char *v, struct nz_err *err);

/* field_area sets *out to the area a new record belongs to (its owner): this node when v is NULL or
 * empty, else v, refused unless it is a unit of this node's subtree. */
int field_area(struct store *st, const char *what, const char *v, const char **out, struct nz_err *err);

#endif
