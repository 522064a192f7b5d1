/*
 * The replicated resources declared once over HTTP (domain/resource.h), all
 * from their declarations: GET /resources/:name?under=&all=1, POST
 * /resources/:name {fields}, GET and PATCH /resources/:name/:id, POST
 * /resources/:name/:id/retire, the name being a resource's name, plural or
 * command; and the paths some had before they were resources (GET, POST
 * /facilitators and /orgs, POST /facilitators/:id/retire).
 */
#include <stdlib.h>
#include <string.h>

#include "domain/register.h"
#include "domain/resource.h"
#include "http/http_int.h"

#define AUTHOR (a->user.name)

static void
res_ls_of(struct api *a, const struct res_def *r)
{
	const char *under = api_under(a), *all = api_query(a, "all");

	if (under != NULL)
		api_list(a, res_list(a->st, r, under, all != NULL && strcmp(all, "1") == 0));
}

/* res_may_write answers 403 to a helper writing a resource that only staff write. */
static bool
res_may_write(struct api *a, const struct res_def *r)
{
	if (a->user.role != ROLE_HELPER || r->helpers)
		return true;
	api_error(a, 403, "forbidden", NULL, "a helper does not write %s", r->plural);
	return false;
}

static void
res_new_of(struct api *a, const struct res_def *r)
{
	const char *values[RES_FIELDS_MAX] = {0};
	char id[NZ_RID_MAX] = "";
	struct nz_err err = {0};
	int i;

	if (!res_may_write(a, r))
		return;
	/* Each field by its name, else by its alias; a required one given by neither is named missing. */
	for (i = 0; r->fields[i].name != NULL && i < RES_FIELDS_MAX; i++) {
		const struct res_field *f = &r->fields[i];
		bool by_alias = f->alias != NULL && json_object_get(a->body, f->name) == NULL &&
				json_object_get(a->body, f->alias) != NULL;
		values[i] = api_str(a, by_alias ? f->alias : f->name, (f->flags & RES_REQUIRED) != 0);
	}
	if (!api_bad(a))
		api_result(a, res_add(a->st, r, values, AUTHOR, id, &err), id, &err);
}

static void
res_end_of(struct api *a, const struct res_def *r, const char *id)
{
	struct nz_err err = {0};

	if (res_may_write(a, r))
		api_result(a, res_retire(a->st, r, id, AUTHOR, &err), id, &err);
}

/* GET /resources/:name/:id: one record as listed, with what the resource's detail adds */
static void
res_one_of(struct api *a, const struct res_def *r, const char *id)
{
	struct nz_err err = {0};
	json_t *rec;

	if (res_get(a->st, r, id, &rec, &err) != 0)
		api_fail(a, &err);
	else
		api_json(a, 200, rec);
}

/* PATCH /resources/:name/:id {fields: {name: value}} */
static void
res_edit_of(struct api *a, const struct res_def *r, const char *id)
{
	struct nz_err err = {0};
	char **pairs;
	int n;

	if (!res_may_write(a, r) || (n = api_pairs(a, "fields", &pairs, true)) < 0)
		return;
	api_result(a, res_set(a->st, r, id, n, pairs, AUTHOR, &err), id, &err);
	api_pairs_free(pairs, n);
}

/* res_named finds the resource of /resources/:name, or answers 404. */
static const struct res_def *
res_named(struct api *a)
{
	const struct res_def *r = res_find(a->param[0]);

	if (r == NULL)
		api_error(a, 404, "not_found", NULL, "no resource '%s'", a->param[0]);
	return r;
}

static void
res_ls(struct api *a)
{
	const struct res_def *r = res_named(a);

	if (r != NULL)
		res_ls_of(a, r);
}

static void
res_new(struct api *a)
{
	const struct res_def *r = res_named(a);

	if (r != NULL)
		res_new_of(a, r);
}

static void
res_one(struct api *a)
{
	const struct res_def *r = res_named(a);

	if (r != NULL)
		res_one_of(a, r, a->param[1]);
}

static void
res_end(struct api *a)
{
	const struct res_def *r = res_named(a);

	if (r != NULL)
		res_end_of(a, r, a->param[1]);
}

static void
res_edit(struct api *a)
{
	const struct res_def *r = res_named(a);

	if (r != NULL)
		res_edit_of(a, r, a->param[1]);
}

static void
fac_ls(struct api *a)
{
	res_ls_of(a, &facilitator_res);
}

static void
fac_new(struct api *a)
{
	res_new_of(a, &facilitator_res);
}

static void
fac_end(struct api *a)
{
	res_end_of(a, &facilitator_res, a->param[0]);
}

static void
org_ls(struct api *a)
{
	res_ls_of(a, &organisation_res);
}

static void
org_new(struct api *a)
{
	res_new_of(a, &organisation_res);
}

const struct route api_res_routes[] = {
	{"GET", "resources/:name", R_ANY, res_ls},
	{"GET", "resources/:name/:id", R_ANY, res_one},
	{"POST", "resources/:name", R_FIELD, res_new},
	{"PATCH", "resources/:name/:id", R_FIELD, res_edit},
	{"POST", "resources/:name/:id/retire", R_FIELD, res_end},
	{"GET", "facilitators", R_ANY, fac_ls},
	{"POST", "facilitators", R_WORK, fac_new},
	{"POST", "facilitators/:id/retire", R_WORK, fac_end},
	{"GET", "orgs", R_ANY, org_ls},
	{"POST", "orgs", R_FIELD, org_new},
	{NULL, NULL, 0, NULL},
};
