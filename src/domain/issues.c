/* نظام مسائل: the problems of the issue register. */
#include <stdio.h>
#include <string.h>

#include "base/jalali.h"
#include "domain/domain.h"
#include "domain/record.h"

static const struct col_def issue_cols[] = {
	{"title", COL_TEXT},
	{"description", COL_TEXT},
	{"category", COL_TEXT},
	{"status", COL_TEXT},
	{"neighbourhood", COL_TEXT},
	{"people_affected", COL_INT},
	{"source", COL_TEXT},
	{"created", COL_TEXT}, /* ISO date */
	{NULL, 0},
};

static const char *const issue_idx[] = {"status", "category", NULL};

const struct tbl_def issue_table = {"issue", VIS_OWNED, issue_cols, issue_idx};

/* Fields that change only through their own operations. */
static const char *const issue_locked[] = {"status", "created", NULL};

int
issue_add(struct store *st, const char *title, const char *description, const char *category,
	  const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	struct colset *cs;
	char today[11];
	int rc;

	if (title == NULL || title[0] == '\0')
		return nz_fail(err, NZ_EINVAL, "a problem needs a title (--title)");
	if (strlen(title) > 300)
		return nz_fail(err, NZ_EINVAL, "title is %zu bytes; at most 300", strlen(title));
	cs = colset_new();
	nz_today(today);
	colset_text(cs, "title", title);
	colset_text(cs, "description", description ? description : "");
	colset_text(cs, "category", category ? category : "");
	colset_text(cs, "status", "identified");
	colset_text(cs, "created", today);
	store_new_id(id);
	rc = store_write(st, "issue", id, store_node(st), cs, author, err);
	colset_free(cs);
	return rc;
}

int
issue_set(struct store *st, const char *id, int npairs, char *const *pairs, const char *author,
	  struct nz_err *err)
{
	char owner[NZ_ID_MAX], name[64];
	struct colset *cs;
	int i, rc;

	if ((rc = rec_owner(st, &issue_table, id, owner, err)) != 0)
		return rc;
	if (npairs == 0)
		return nz_fail(err, NZ_EINVAL, "nothing to set: give FIELD=VALUE pairs");
	cs = colset_new();
	for (i = 0; i < npairs; i++) {
		const char *eq = strchr(pairs[i], '=');
		if (eq == NULL || eq == pairs[i] || (size_t)(eq - pairs[i]) >= sizeof(name)) {
			rc = nz_fail(err, NZ_EINVAL, "'%s' is not FIELD=VALUE", pairs[i]);
			goto out;
		}
		memcpy(name, pairs[i], (size_t)(eq - pairs[i]));
		name[eq - pairs[i]] = '\0';
		if ((rc = rec_colset_add(cs, &issue_table, name, eq + 1, issue_locked, err)) != 0)
			goto out;
	}
	rc = store_write(st, "issue", id, owner, cs, author, err);
out:
	colset_free(cs);
	return rc;
}
