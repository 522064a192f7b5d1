/*
 * Indicators and resource allocation: shares sum to the budget to the rial,
 * rounding is the documented largest remainder with its tie-break, units
 * without data are handled and reported, the result is stamped with the
 * indicator set's version, and every store holding the same data (national,
 * a province, a replica built in another order) computes the same shares.
 */
#include <stdlib.h>
#include <unistd.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/allocate.h"
#include "domain/domain.h"
#include "domain/reports.h"

#include "repl.h"
#include "test.h"

static const char *tmp;

static struct store *
mkstore(const char *name, const char *id)
{
	struct store *st = NULL;
	struct nz_err err = {0};
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.db", tmp, name);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, id, &err) != 0) {
		printf("# cannot make store %s: %s\n", name, err.msg);
		exit(2);
	}
	return st;
}

static void
unit(struct store *ir, const char *id, long long population)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	char parent[NZ_ID_MAX];

	unit_parent(id, parent);
	colset_text(cs, "parent", parent);
	colset_int(cs, "level", unit_level(id));
	colset_text(cs, "name_fa", id);
	if (population >= 0)
		colset_int(cs, "population", population);
	else
		colset_null(cs, "population");
	if (store_write(ir, "orgunit", id, "IR", cs, "t", &err) != 0)
		printf("# orgunit %s: %s\n", id, err.msg);
	colset_free(cs);
}

static void
issue(struct store *st, const char *owner, const char *status)
{
	struct nz_err err = {0};
	struct colset *cs = colset_new();
	char id[NZ_RID_MAX];

	colset_text(cs, "title", "مسئله");
	colset_text(cs, "status", status);
	store_new_id(id);
	if (store_write(st, "issue", id, owner, cs, "t", &err) != 0)
		printf("# issue: %s\n", err.msg);
	colset_free(cs);
}

static long long
ji(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static json_t *
unit_of(json_t *a, const char *code)
{
	size_t i;
	json_t *u;

	json_array_foreach(json_object_get(a, "units"), i, u)
		if (strcmp(json_string_value(json_object_get(u, "unit")), code) == 0)
			return u;
	return NULL;
}

static long long
share(json_t *a, const char *code)
{
	json_t *u = unit_of(a, code);

	return u ? ji(u, "share") : -1;
}

/*
 * check_sums checks an allocation's arithmetic: the slices sum to the
 * budget, each slice's parts to the slice, each unit's parts to its share,
 * every part is the floor of its exact proportion or one more, and the
 * shares sum to the budget.  Returns the number of failures.
 */
static int
check_sums(json_t *a)
{
	json_t *inds = json_object_get(a, "indicators"), *units = json_object_get(a, "units"), *x, *u;
	long long budget = ji(a, "budget"), slices = 0, shares = 0;
	size_t i, j;
	int bad = 0;

	json_array_foreach(inds, i, x) {
		long long sum = 0, total = ji(x, "total"), slice = ji(x, "slice");
		const char *code = json_string_value(json_object_get(x, "code"));
		slices += slice;
		json_array_foreach(units, j, u) {
			long long part = (long long)json_integer_value(json_object_get(json_object_get(u, "parts"), code));
			long long v = (long long)json_integer_value(json_object_get(json_object_get(u, "values"), code));
			sum += part;
			if (json_is_true(json_object_get(x, "used"))) {
				unsigned __int128 fl = (unsigned __int128)slice * (unsigned __int128)v / (unsigned __int128)total;
				if ((unsigned __int128)part < fl || (unsigned __int128)part > fl + 1) {
					printf("#   %s %s: part %lld is not the floor of its proportion or one more\n",
					       json_string_value(json_object_get(u, "unit")), code, part);
					bad++;
				}
			} else if (part != 0) {
				bad++;
			}
		}
		if (sum != slice) {
			printf("#   indicator %s: parts sum to %lld, slice %lld\n", code, sum, slice);
			bad++;
		}
	}
	json_array_foreach(units, j, u) {
		long long sum = 0;
		json_t *p;
		const char *k;
		json_object_foreach(json_object_get(u, "parts"), k, p)
			sum += (long long)json_integer_value(p);
		if (sum != ji(u, "share"))
			bad++;
		shares += ji(u, "share");
	}
	if (slices != budget || shares != budget) {
		printf("#   slices %lld, shares %lld, budget %lld\n", slices, shares, budget);
		bad++;
	}
	return bad;
}

/* same_shares compares what must not depend on the node: shares, parts, values, digest. */
static bool
same_shares(json_t *a, json_t *b)
{
	json_t *ua = json_object_get(a, "units"), *ub = json_object_get(b, "units"), *x, *y;
	size_t i;

	if (a == NULL || b == NULL || json_array_size(ua) != json_array_size(ub))
		return false;
	if (strcmp(json_string_value(json_object_get(a, "inputs_digest")),
		   json_string_value(json_object_get(b, "inputs_digest"))) != 0)
		return false;
	json_array_foreach(ua, i, x) {
		y = json_array_get(ub, i);
		if (!json_equal(json_object_get(x, "unit"), json_object_get(y, "unit")) ||
		    !json_equal(json_object_get(x, "share"), json_object_get(y, "share")) ||
		    !json_equal(json_object_get(x, "parts"), json_object_get(y, "parts")) ||
		    !json_equal(json_object_get(x, "values"), json_object_get(y, "values")))
			return false;
	}
	return true;
}

static bool
has_note(json_t *a, const char *text)
{
	size_t i;
	json_t *n;

	json_array_foreach(json_object_get(a, "notes"), i, n)
		if (strstr(json_string_value(n), text) != NULL)
			return true;
	return false;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t
next_rand(void)
{
	return t_xorshift(&rng);
}

int
main(void)
{
	struct nz_err err = {0};
	struct store *ir, *ir2, *prov;
	json_t *a, *b;
	char fp[17];
	int i;

	tmp = t_tmpdir();
	setenv("NEHZAT_TODAY", "2026-11-28", 1);
	ir = mkstore("IR", "IR");
	prov = mkstore("IR-02", "IR-02");

	/* Refusals before any indicator exists. */
	CHECK(alloc_compute(ir, 1000, "province", NULL, NULL, ALLOC_UNKNOWN_ZERO, &err) == NULL);
	CHECK_INT(err.code, NZ_ENOTFOUND);
	CHECK(strstr(err.msg, "no indicators are defined") != NULL);
	CHECK_STR(err.action, "indicator set");
	CHECK_INT(ind_set(prov, "pop", NULL, "population", 1, "t", &err), NZ_EDENIED);
	CHECK_INT(ind_set(ir, "pop", NULL, "income", 1, "t", &err), NZ_EINVAL);
	CHECK_INT(ind_set(ir, "pop", NULL, "population", 1000001, "t", &err), NZ_EINVAL);
	CHECK_INT(ind_set(ir, "Pop!", NULL, "population", 1, "t", &err), NZ_EINVAL);
	CHECK_INT(ind_set(ir, "pop", NULL, NULL, 1, "t", &err), NZ_EINVAL); /* new: needs a source */
	CHECK_INT(ind_remove(ir, "pop", "t", &err), NZ_ENOTFOUND);
	CHECK_INT(store_log_head(ir), 0);

	/* Five provinces (IR-05's population unknown), three counties of IR-02 (none known). */
	unit(ir, "IR-01", 1000);
	unit(ir, "IR-02", 2000);
	unit(ir, "IR-03", 3000);
	unit(ir, "IR-04", 1500);
	unit(ir, "IR-05", -1);
	unit(ir, "IR-02-01", -1);
	unit(ir, "IR-02-02", -1);
	unit(ir, "IR-02-03", -1);
	issue(ir, "IR-01", "identified");
	issue(ir, "IR-02-01", "identified");
	issue(ir, "IR-02-01", "prioritised");
	issue(ir, "IR-02-03", "closed");
	issue(ir, "IR-03", "identified");
	issue(ir, "IR-05", "identified");
	issue(ir, "IR-05", "closed");

	CHECK_INT(ind_set(ir, "pop", "جمعیت", "population", 50, "t", &err), 0);
	CHECK_INT(ind_set(ir, "issues", "مسائل باز", "open_issues", 30, "t", &err), 0);
	CHECK_INT(ind_set(ir, "helpers", "همیاران منصوب", "helpers", 20, "t", &err), 0);
	a = ind_list(ir, false);
	CHECK_INT(json_array_size(a), 3);
	json_decref(a);

	a = alloc_compute(ir, 1000000007LL, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	CHECK(a != NULL);
	if (a == NULL) {
		printf("# %s\n", err.msg);
		TEST_DONE();
	}
	CHECK_INT(check_sums(a), 0);
	CHECK_INT(json_array_size(json_object_get(a, "units")), 5);
	CHECK_INT(ji(json_object_get(a, "standards"), "version"), 3);
	snprintf(fp, sizeof(fp), "%s", json_string_value(json_object_get(json_object_get(a, "standards"), "fingerprint")));
	CHECK_INT(strlen(fp), 16);
	CHECK(has_note(a, "population unknown (counted 0) for 1 unit: IR-05"));
	CHECK(has_note(a, "indicator 'helpers' has no data")); /* no appointments yet */
	/* Open problems count the subtree: IR-02 has two open in its county, the closed one aside. */
	CHECK_INT(json_integer_value(json_object_get(json_object_get(unit_of(a, "IR-02"), "values"), "issues")), 2);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(unit_of(a, "IR-05"), "values"), "issues")), 1);
	CHECK_INT(json_integer_value(json_object_get(json_object_get(unit_of(a, "IR-05"), "values"), "pop")), 0);
	/* helpers left out: pop 50/80 and issues 30/80 of the budget. */
	{
		json_t *x;
		size_t k;
		json_array_foreach(json_object_get(a, "indicators"), k, x) {
			const char *code = json_string_value(json_object_get(x, "code"));
			if (strcmp(code, "pop") == 0)
				CHECK_INT(ji(x, "slice"), 625000004); /* 625000004.375 */
			else if (strcmp(code, "issues") == 0)
				CHECK_INT(ji(x, "slice"), 375000003); /* 375000002.625, the larger remainder */
			else
				CHECK_INT(ji(x, "slice"), 0);
		}
	}
	json_decref(a);

	/* Ties go to the lower unit code: 100 rials over three equal units. */
	CHECK_INT(ind_set(ir, "pop", NULL, NULL, 0, "t", &err), 0);
	CHECK_INT(ind_set(ir, "helpers", NULL, NULL, 0, "t", &err), 0);
	a = alloc_compute(ir, 100, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	/* open problems: IR-01 1, IR-02 2, IR-03 1, IR-05 1 of 5: 20, 40, 20, 0, 20 exactly */
	CHECK_INT(share(a, "IR-01"), 20);
	CHECK_INT(share(a, "IR-02"), 40);
	CHECK_INT(share(a, "IR-04"), 0);
	CHECK_INT(ji(json_object_get(a, "standards"), "version"), 5);
	CHECK(strcmp(fp, json_string_value(json_object_get(json_object_get(a, "standards"), "fingerprint"))) != 0);
	json_decref(a);
	a = alloc_compute(ir, 101, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	/* 20.2, 40.4, 20.2, 0, 20.2: the one rial left goes to the largest remainder, IR-02 */
	CHECK_INT(share(a, "IR-01"), 20);
	CHECK_INT(share(a, "IR-02"), 41);
	json_decref(a);
	a = alloc_compute(ir, 103, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	/* 20.6, 41.2, 20.6, 0, 20.6: two rials left, three remainders tie: the lower codes win */
	CHECK_INT(share(a, "IR-01"), 21);
	CHECK_INT(share(a, "IR-02"), 41);
	CHECK_INT(share(a, "IR-03"), 21);
	CHECK_INT(share(a, "IR-05"), 20);
	json_decref(a);
	a = alloc_compute(ir, 104, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	/* 20.8, 41.6, 20.8, 0, 20.8: two rials to the .8 remainders IR-01 and IR-03 */
	CHECK_INT(share(a, "IR-01"), 21);
	CHECK_INT(share(a, "IR-02"), 41);
	CHECK_INT(share(a, "IR-03"), 21);
	CHECK_INT(share(a, "IR-05"), 21);
	CHECK_INT(check_sums(a), 0);
	json_decref(a);
	a = alloc_compute(ir, 1, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	CHECK_INT(share(a, "IR-02"), 1); /* 0.4 is the largest remainder */
	CHECK_INT(check_sums(a), 0);
	json_decref(a);

	/* Counties: population unknown for all of them, so it drops out and is said. */
	CHECK_INT(ind_set(ir, "pop", NULL, NULL, 50, "t", &err), 0);
	a = alloc_compute(ir, 999, "county", "IR-02", "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	CHECK(a != NULL);
	CHECK_INT(json_array_size(json_object_get(a, "units")), 3);
	CHECK(has_note(a, "population unknown (counted 0) for 3 units"));
	CHECK(has_note(a, "indicator 'pop' has no data"));
	CHECK_INT(share(a, "IR-02-01"), 999);
	CHECK_INT(check_sums(a), 0);
	json_decref(a);

	/* The completeness indicator counts reports received of those expected. */
	{
		struct tpl_spec sp = {"monthly", "ماهانه", "month", "secretariat", "county", 10, "1405-01", NULL,
				      "[{\"name\":\"n\",\"type\":\"number\"}]"};
		char id[NZ_RID_MAX];
		CHECK_INT(tpl_add(ir, &sp, "t", id, &err), 0);
		CHECK_INT(rep_draft(ir, "IR-02-02", "monthly", "1405-07", NULL, 0, NULL, true, "t", id, &err), 0);
		CHECK_INT(ind_set(ir, "reporting", NULL, "completeness", 10, "t", &err), 0);
		CHECK_INT(ind_set(ir, "issues", NULL, NULL, 0, "t", &err), 0);
		a = alloc_compute(ir, 5000, "county", "IR-02", "1405-07", ALLOC_UNKNOWN_ZERO, &err);
		CHECK_INT(json_integer_value(json_object_get(json_object_get(unit_of(a, "IR-02-02"), "values"), "reporting")),
			  1000000);
		CHECK_INT(share(a, "IR-02-02"), 5000);
		json_decref(a);
		a = alloc_compute(ir, 5000, "county", "IR-02", "1405-08", ALLOC_UNKNOWN_ZERO, &err); /* nothing received */
		CHECK(a == NULL);
		CHECK(strstr(err.msg, "nothing to share by") != NULL);
		CHECK_INT(ind_set(ir, "issues", NULL, NULL, 30, "t", &err), 0);
	}

	/* Random data and budgets: always the budget to the rial, every part within a rial. */
	for (i = 0; i < 40; i++) {
		long long budget = (long long)(next_rand() % 1000000000000000000ULL) + 1;
		static const char *const ids[] = {"IR-01", "IR-02", "IR-03", "IR-04", "IR-05"};
		int k;
		if (i % 4 == 0)
			budget = (long long)(next_rand() % 1000) + 1;
		for (k = 0; k < 5; k++)
			unit(ir, ids[k], (long long)(next_rand() % 90000000));
		CHECK_INT(ind_set(ir, "pop", NULL, NULL, (int64_t)(next_rand() % 1000001), "t", &err), 0);
		a = alloc_compute(ir, budget, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
		if (a == NULL) {
			CHECK(strstr(err.msg, "nothing to share by") != NULL);
			continue;
		}
		CHECK_INT(check_sums(a), 0);
		json_decref(a);
	}
	a = alloc_compute(ir, 1000000000000000000LL, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	CHECK_INT(check_sums(a), 0);
	json_decref(a);

	/* The same data gives the same shares: a replica built newest change first, and a province. */
	ir2 = mkstore("IR-replica", "IR");
	t_copy_log(ir, ir2, true);
	t_copy_log(ir, prov, false);
	a = alloc_compute(ir, 123456789, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	b = alloc_compute(ir2, 123456789, "province", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	CHECK(same_shares(a, b));
	json_decref(a);
	json_decref(b);
	a = alloc_compute(ir, 987654321, "county", "IR-02", "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	b = alloc_compute(prov, 987654321, "county", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	CHECK(a != NULL && b != NULL);
	CHECK(same_shares(a, b));
	CHECK_STR(json_string_value(json_object_get(a, "inputs_digest")), json_string_value(json_object_get(b, "inputs_digest")));
	json_decref(b);
	/* And a change of data changes the digest. */
	issue(prov, "IR-02-03", "identified");
	b = alloc_compute(prov, 987654321, "county", NULL, "1405-07", ALLOC_UNKNOWN_ZERO, &err);
	CHECK(!same_shares(a, b));
	json_decref(b);

	/* CSV: a header, one row per unit, a total row with the budget. */
	{
		char path[512], line[1024];
		FILE *f;
		int rows = 0;
		snprintf(path, sizeof(path), "%s/alloc.csv", tmp);
		f = fopen(path, "w");
		CHECK_INT(alloc_write_csv(a, f, &err), 0);
		fclose(f);
		f = fopen(path, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
			if (rows == 0)
				CHECK(strncmp(line, "unit,name,share_rials,share_percent,", 36) == 0);
			rows++;
		}
		CHECK_INT(rows, 1 + 3 + 1);
		CHECK(strncmp(line, "TOTAL,,987654321,100.00,", 24) == 0);
		if (f != NULL)
			fclose(f);
	}
	json_decref(a);

	/* Bad input. */
	CHECK(alloc_compute(ir, 0, "province", NULL, NULL, ALLOC_UNKNOWN_ZERO, &err) == NULL);
	CHECK(alloc_compute(ir, 1000000000000000001LL, "province", NULL, NULL, ALLOC_UNKNOWN_ZERO, &err) == NULL);
	CHECK(alloc_compute(ir, 10, "village", NULL, NULL, ALLOC_UNKNOWN_ZERO, &err) == NULL);
	CHECK(alloc_compute(ir, 10, "province", "IR-02", NULL, ALLOC_UNKNOWN_ZERO, &err) == NULL);
	CHECK(strstr(err.msg, "no province units below") != NULL);
	CHECK(alloc_compute(prov, 10, "county", "IR-03", NULL, ALLOC_UNKNOWN_ZERO, &err) == NULL);
	CHECK_INT(err.code, NZ_EDENIED);
	CHECK(alloc_compute(ir, 10, "province", NULL, "1405-13", ALLOC_UNKNOWN_ZERO, &err) == NULL);
	CHECK(alloc_compute(ir, 10, "county", "IR-04", NULL, ALLOC_UNKNOWN_ZERO, &err) == NULL); /* no counties known there */

	/* A removed indicator is kept, inactive, and the version moves on. */
	CHECK_INT(ind_remove(ir, "helpers", "t", &err), 0);
	a = ind_list(ir, false);
	b = ind_list(ir, true);
	CHECK_INT(json_array_size(a), 3);
	CHECK_INT(json_array_size(b), 4);
	json_decref(a);
	json_decref(b);

	store_close(ir2);
	store_close(prov);
	store_close(ir);
	TEST_DONE();
}
