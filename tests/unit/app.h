/*
 * app.h: the store and the HTTP environment the web face's unit tests start
 * from (t_http, t_httpd): a fresh store in the test's directory, made a node,
 * and an environment naming it.  The caller sets what else its app needs in
 * env and calls http_app_new.
 */
#ifndef T_APP_H
#define T_APP_H

#include <stdio.h>
#include <string.h>

#include "domain/domain.h"
#include "http/http.h"
#include "test.h"

/* t_app_store opens FILE in the test's directory as node ID (named NAME) into *st and fills env for it. */
static inline void
t_app_store(struct store **st, struct http_env *env, const char *file, const char *id, const char *name)
{
	struct nz_err err = {0};
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", t_tmpdir(), file);
	CHECK(store_open(st, path, domain_tables(), true, &err) == 0);
	CHECK(store_init_node(*st, id, &err) == 0);
	memset(env, 0, sizeof(*env));
	env->st = *st;
	env->id = id;
	env->name = name;
	env->sync_interval = 2;
}

#endif
