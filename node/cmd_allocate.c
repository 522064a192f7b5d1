/*
 * Commands of allocation: indicator and allocate.  Parsing and printing
 * only; the rules are in src/domain/allocate.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/csv.h"
#include "base/fa.h"
#include "domain/allocate.h"
#include "domain/fresh.h"
#include "domain/record.h"
#include "domain/reports.h"
#include "node/node.h"

#define REST_MAX 256 /* positional arguments and FIELD=VALUE pairs */

/* rials writes v with thousands separators: 1,234,567. */
static void
rials(long long v, char out[32])
{
	char digits[24];
	int n, i, k = 0;

	n = snprintf(digits, sizeof(digits), "%lld", v < 0 ? -v : v);
	if (v < 0)
		out[k++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
}

/* ---- indicator ---- */

static int
indicator_set(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *source = NULL, *weight_s = NULL, *title = NULL;
	char *rest[1];
	long long weight = -1;
	int nrest, rc;
	const struct cli_opt opts[] = {
		CLI_VAL("--source", &source), CLI_VAL("--weight", &weight_s), CLI_VAL("--title", &title), CLI_END,
	};

	if ((rc = cli_parse("indicator set", argc, argv, 2, opts, rest, 1, &nrest)) != 0 ||
	    (rc = cli_whole("indicator set", "--weight", weight_s, 0, 1000000, &weight)) != 0)
		return rc;
	if (nrest != 1)
		return cmd_usage("indicator set: give exactly one CODE");
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	rc = ind_set(n.st, rest[0], title, source, weight, n.author, &err);
	return cli_done(&n, rc, &err, NULL);
}

static int
indicator_remove(const struct cmd_opts *o, int argc, char **argv)
{
	if (argc != 3)
		return cmd_usage("indicator remove: give exactly one CODE");
	return out_run_id(o, argc, argv, "indicator remove", ind_remove);
}

static int
indicator_list(const struct cmd_opts *o, int argc, char **argv)
{
	static const char *const cols[] = {"code", "source", "weight", "version", "title", NULL};

	return out_list_all(o, argc, argv, "indicator list", ind_list, cols);
}

static const struct cmd_sub indicator_subs[] = {
	{"set", "-D DIR CODE [--source S] [--weight W] [--title T]",
	 NULL, indicator_set},
	{"remove", "-D DIR CODE",
	 NULL, indicator_remove},
	{"list", "-D DIR [--all] [--json]",
	 NULL, indicator_list},
	{NULL, NULL, NULL, NULL},
};

const struct cmd_def cmd_indicator = {
	.name = "indicator",
	.summary = "allocation indicators and weights (national): set, remove, list",
	.about = "Indicators for resource allocation (شاخص), set by the national secretariat and\n"
		 "seen everywhere.  S is one of:\n"
		 "  population     population of the unit (orgunit set/figures); none is unknown,\n"
		 "                 never 0: allocate refuses unless --unknown says what to do\n"
		 "  open_issues    problems of the issue register in the subtree not closed\n"
		 "  interventions  community-based interventions in the unit's subtree\n"
		 "  helpers        active helper-group appointments in the subtree\n"
		 "  completeness   reports received per million expected in the subtree\n"
		 "W is a whole number 0 to 1000000; shares follow W / (sum of W).  Every change\n"
		 "raises the indicator set's version, which allocations are stamped with.\n",
	.subs = indicator_subs,
};

/* ---- allocate ---- */

/* parse_budget reads whole rials: ASCII or Persian digits, ',' '_' or '٬' between groups. */
static int
parse_budget(const char *s, long long *out)
{
	unsigned long long v = 0;
	int d, digits = 0;

	while (*s) {
		if ((d = fa_digit(&s)) < 0) {
			if (*s == ',' || *s == '_')
				s++;
			else if ((unsigned char)s[0] == 0xd9 && (unsigned char)s[1] == 0xac) /* ٬ */
				s += 2;
			else
				return -1;
			continue;
		}
		if (v > 1000000000000000000ULL / 10)
			return -1;
		v = v * 10 + (unsigned long long)d;
		digits++;
	}
	if (digits == 0 || v > 1000000000000000000ULL)
		return -1;
	*out = (long long)v;
	return 0;
}

static void
print_allocation(json_t *a)
{
	json_t *inds = json_object_get(a, "indicators"), *units = json_object_get(a, "units");
	json_t *rows = json_array(), *x, *u, *total;
	const char **cols;
	char buf[32];
	size_t i, j, n = json_array_size(inds);

	rials(cli_jint(a, "budget"), buf);
	printf("allocation of %s rials among the %s units under %s (%zu units), computed at %s\n", buf,
	       cli_jstr(a, "level"), cli_jstr(a, "under"), json_array_size(units), cli_jstr(a, "node"));
	printf("standards: indicator set version %lld (fingerprint %s); completeness period %s\n",
	       cli_jint(json_object_get(a, "standards"), "version"),
	       cli_jstr(json_object_get(a, "standards"), "fingerprint"), cli_jstr(a, "period"));
	printf("inputs digest %s (equal digests: equal data and equal shares)\n", cli_jstr(a, "inputs_digest"));
	printf("rounding: %s\n", cli_jstr(a, "rounding"));
	cols = calloc(n + 6, sizeof(*cols));
	if (cols == NULL)
		return;
	j = 0;
	cols[j++] = "unit";
	cols[j++] = "name";
	cols[j++] = "share";
	cols[j++] = "percent";
	json_array_foreach(inds, i, x)
		cols[j++] = cli_jstr(x, "code");
	cols[j] = NULL;
	json_array_foreach(units, i, u) {
		json_t *row = json_object(), *y;
		size_t k;
		json_object_set(row, "unit", json_object_get(u, "unit"));
		json_object_set(row, "name", json_object_get(u, "name"));
		rials(cli_jint(u, "share"), buf);
		json_object_set_new(row, "share", json_string(buf));
		json_object_set(row, "percent", json_object_get(u, "percent"));
		json_array_foreach(inds, k, y) {
			rials((long long)json_integer_value(json_object_get(json_object_get(u, "parts"), cli_jstr(y, "code"))),
			      buf);
			json_object_set_new(row, cli_jstr(y, "code"), json_string(buf));
		}
		json_array_append_new(rows, row);
	}
	total = json_object();
	json_object_set_new(total, "unit", json_string("TOTAL"));
	json_object_set_new(total, "name", json_string(""));
	rials(cli_jint(a, "budget"), buf);
	json_object_set_new(total, "share", json_string(buf));
	json_object_set_new(total, "percent", json_string("100.00"));
	json_array_foreach(inds, i, x) {
		rials(cli_jint(x, "slice"), buf);
		json_object_set_new(total, cli_jstr(x, "code"), json_string(buf));
	}
	json_array_append_new(rows, total);
	cli_key_table(rows, cols);
	printf("indicators:\n");
	json_array_foreach(inds, i, x) {
		char tot[32];
		rials(cli_jint(x, "total"), tot);
		rials(cli_jint(x, "slice"), buf);
		printf("  %-16s %-13s weight %-7lld total %-16s slice %s%s%s\n", cli_jstr(x, "code"), cli_jstr(x, "source"),
		       cli_jint(x, "weight"), tot, buf, cli_jstr(x, "note")[0] ? "  -- " : "", cli_jstr(x, "note"));
	}
	json_array_foreach(json_object_get(a, "notes"), i, x)
		printf("note: %s\n", json_string_value(x));
	{
		json_t *f = json_object_get(a, "freshness");
		if (cli_jstr(f, "oldest_sync")[0])
			printf("data freshness: oldest sync %s (%s)", cli_jstr(f, "oldest_sync"), cli_jstr(f, "oldest_via"));
		else
			printf("data freshness: no child has synced with this node");
		if (cli_jint(f, "never_synced") > 0)
			printf("; %lld units never synced here: their data may be missing", cli_jint(f, "never_synced"));
		printf("\n");
	}
	{
		json_t *k = json_object_get(a, "unknown");
		if (cli_jint(k, "count") > 0) {
			printf("unknown data (--unknown %s): %lld unit%s %s:\n", cli_jstr(k, "policy"), cli_jint(k, "count"),
			       cli_jint(k, "count") == 1 ? "" : "s",
			       strcmp(cli_jstr(k, "policy"), "exclude") == 0 ? "left out" : "shared as if zero");
			json_array_foreach(json_object_get(k, "units"), i, x)
				printf("  %-10s %s (data as of %s)\n", cli_jstr(x, "unit"), cli_jstr(x, "unknown"),
				       cli_jstr(x, "data_as_of"));
		}
	}
	free(cols);
	json_decref(rows);
}

static int
allocate_exec(const struct cmd_opts *o, int argc, char **argv)
{
	struct nz_err err = {0};
	struct node n;
	const char *budget_s = NULL, *level = NULL, *under = NULL, *period = NULL, *csv = NULL;
	const char *unknown_s = "refuse";
	enum alloc_unknown unknown;
	long long budget;
	json_t *a;
	int rc, npos;
	const struct cli_opt opts[] = {
		CLI_VAL("--budget", &budget_s),
		CLI_VAL("--unknown", &unknown_s),
		CLI_VAL("--level", &level),
		CLI_VAL("--under", &under),
		CLI_VAL("--period", &period),
		CLI_VAL("--csv", &csv),
		CLI_END,
	};

	if ((rc = cli_parse("allocate", argc, argv, 1, opts, NULL, 0, &npos)) != 0)
		return rc;
	if (budget_s == NULL || level == NULL)
		return cmd_usage("allocate: --budget RIALS and --level province|county are required");
	if (parse_budget(budget_s, &budget) != 0 || budget <= 0)
		return cmd_usage("allocate: budget '%s' is not a whole number of rials from 1 to 10^18", budget_s);
	if ((rc = cli_check_unit("allocate", under)) != 0)
		return rc;
	if (alloc_unknown_parse(unknown_s, &unknown, &err) != 0)
		return cmd_usage("allocate: %s", err.msg);
	if ((rc = cmd_open(&n, o)) != 0)
		return rc;
	a = alloc_compute(n.st, budget, level, under, period, unknown, &err);
	node_close(&n);
	if (a == NULL)
		return cmd_fail(&err);
	rc = 0;
	if (csv != NULL) {
		FILE *f = cli_csv_open(csv);
		rc = f == NULL ? 1 : cli_csv_close(f, csv, alloc_write_csv(a, f, &err));
	} else if (o->json) {
		cli_print_json(a);
	} else {
		print_allocation(a);
	}
	json_decref(a);
	return rc;
}

const struct cmd_def cmd_allocate = {
	.name = "allocate",
	.summary = "share a budget among provinces or counties by the indicators",
	.synopsis = "-D DIR --budget RIALS --level province|county [--under CODE]\n"
		    "[--period P] [--unknown refuse|exclude|zero] [--json] [--csv FILE]",
	.about = "Shares a budget (whole rials) among the provinces or counties under CODE (default:\n"
		 "this node) by the national indicators (see 'nehzat indicator').  Each indicator's\n"
		 "slice is budget * weight / total weight, split among the units in proportion to\n"
		 "their values; an indicator without data for these units is left out and its\n"
		 "weight shared by the others.  Both splits are in integer rials by largest\n"
		 "remainder, ties to the lower indicator code and then the lower unit code, so the\n"
		 "shares sum to the budget exactly and every node holding the same data prints the\n"
		 "same shares and inputs digest.  P (default: the last ended month) is the period\n"
		 "whose report completeness counts.  The result is stamped with the indicator set's\n"
		 "version and each unit's data freshness (when this node last heard from it, and\n"
		 "through whom).  A unit whose data is unknown here (never heard from, when an\n"
		 "indicator counts its records; no population figure, when one counts population)\n"
		 "is never silently given zero: by default the allocation is refused (exit 1) and\n"
		 "those units are listed; --unknown exclude leaves them out of the sharing,\n"
		 "--unknown zero shares as if their values were zero.  The choice and the units are\n"
		 "part of the result and of its inputs digest.  --csv FILE (- for standard output)\n"
		 "writes one row per unit and a total.\n",
	.run = allocate_exec,
};
