/*
 * Allocation of resources by national indicators (guideline, article 1 goal
 * 7: "allocate resources optimally, by indicators and standards approved at
 * the national secretariat").
 *
 * Indicators are national directives (owner IR) with integer weights.  An
 * allocation reads only replicated data and integers: every node holding the
 * same data computes the same shares to the rial, whatever its clock, its
 * sync state or its floating-point unit.
 *
 * Arithmetic: with budget B, active indicators i of weight w_i (W their
 * sum) and unit values x_ui (X_i their sum), indicator i gets the slice
 * s_i = B * w_i / W, and unit u gets s_i * x_ui / X_i of it.  Both divisions
 * round by largest remainder (Hamilton's method): everyone gets the floor,
 * then the rials left over go one each to the largest remainders, ties to
 * the earlier indicator code, then the earlier unit code.  So the slices sum
 * to B and each slice's parts to the slice: the shares sum to B exactly.
 * An indicator whose values are all zero for these units (no data) is left
 * out and its weight shared by the others; the result says so.
 *
 * A unit is never silently zero: one never heard from (when an indicator
 * counts records) or without a population figure (when one counts
 * population) is unknown, and the caller chooses (enum alloc_unknown).
 * Whether a unit was ever heard from is replicated data too: its parent
 * writes a freshness record at the first contact (fresh.h), so every node
 * holding the same data judges alike.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base/csv.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/aggregate.h"
#include "domain/allocate.h"
#include "domain/domain.h"
#include "domain/fresh.h"
#include "domain/record.h"
#include "domain/reports.h"

#define BUDGET_MAX 1000000000000000000LL /* 10^18 rials */
#define PPM 1000000

static const char *const unknown_names[] = {
	[ALLOC_UNKNOWN_REFUSE] = "refuse",
	[ALLOC_UNKNOWN_EXCLUDE] = "exclude",
	[ALLOC_UNKNOWN_ZERO] = "zero",
};

int
alloc_unknown_parse(const char *text, enum alloc_unknown *out, struct nz_err *err)
{
	int i;

	for (i = 0; text != NULL && i <= ALLOC_UNKNOWN_ZERO; i++)
		if (strcmp(text, unknown_names[i]) == 0) {
			*out = (enum alloc_unknown)i;
			return 0;
		}
	return nz_fail_at(err, NZ_EINVAL, "unknown", NULL, "what to do with unknown data is refuse, exclude or zero, not '%s'",
			  text ? text : "");
}

static int64_t
query_int(struct store *st, const char *sql, const char *p1, int64_t dflt)
{
	sqlite3_stmt *q;
	int64_t v = dflt;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return dflt;
	if (p1 != NULL)
		sqlite3_bind_text(q, 1, p1, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

/* ---- allocation ---- */

struct ind {
	char code[IND_CODE_MAX + 1];
	char title[301];
	int source;
	int64_t weight;
	int64_t total; /* X_i */
	int64_t slice;
	bool used;
};

struct aunit {
	char code[NZ_ID_MAX];
	char name[256];
	bool pop_known;
	int64_t raw[SRC_N];
	int64_t part[IND_MAX];
	int64_t share;
	struct fresh fr;
	const char *unknown; /* why its data is unknown here; NULL: known */
};

struct alloc {
	struct store *st;
	struct ind ind[IND_MAX];
	int nind;
	struct aunit *units;
	int nunits;  /* of them the first nshared share the budget; the rest are left out */
	int nshared;
	enum alloc_unknown policy;
	int nunknown;
	int level;
	struct jperiod p;
	bool has_interventions, interventions_status, appointments_status;
	const char *appt_table; /* NULL: no appointments on this node */
};

static int
load_indicators(struct alloc *a, int *version, char fingerprint[17], struct nz_err *err)
{
	crypto_generichash_state h;
	unsigned char d[8];
	sqlite3_stmt *q;

	*version = (int)query_int(a->st, "SELECT MAX(version) FROM indicator WHERE deleted = 0", NULL, 0);
	if (sqlite3_prepare_v2(store_db(a->st),
			       "SELECT code, coalesce(title, ''), source, weight FROM indicator"
			       " WHERE deleted = 0 AND active = 1 ORDER BY code",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(a->st, err, "indicator");
	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	while (sqlite3_step(q) == SQLITE_ROW && a->nind < IND_MAX) {
		struct ind *x = &a->ind[a->nind];
		char line[128];
		memset(x, 0, sizeof(*x));
		snprintf(x->code, sizeof(x->code), "%s", (const char *)sqlite3_column_text(q, 0));
		snprintf(x->title, sizeof(x->title), "%s", (const char *)sqlite3_column_text(q, 1));
		x->source = ind_source_of((const char *)sqlite3_column_text(q, 2));
		x->weight = sqlite3_column_int64(q, 3);
		if (x->source < 0 || x->weight < 0)
			continue; /* written by a newer program: not ours to judge */
		snprintf(line, sizeof(line), "%s\t%s\t%lld\n", x->code, ind_source_name(x->source), (long long)x->weight);
		crypto_generichash_update(&h, (const unsigned char *)line, strlen(line));
		a->nind++;
	}
	sqlite3_finalize(q);
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(fingerprint, 17, d, sizeof(d));
	if (a->nind == 0)
		return nz_fail_at(err, NZ_ENOTFOUND, NULL, "indicator set",
				  "no indicators are defined; the national secretariat sets them");
	return 0;
}

/* load_units lists the units of the level within under: the org-unit tree and the owners of data. */
static int
load_units(struct alloc *a, const char *under, struct nz_err *err)
{
	static const char *const tables[] = {"issue", "report", "intervention", "sel_appointment", "appointment",
					     NULL};
	char sql[2048];
	size_t used;
	int len = (int)unit_code_len(a->level), i, cap = 64;
	sqlite3_stmt *q;

	used = (size_t)snprintf(sql, sizeof(sql),
				"SELECT id FROM orgunit WHERE deleted = 0 AND level = %d AND"
				" " UNIT_SQL_BELOW("id", "?1"),
				a->level);
	/* Which units hold records: from the dashboard's aggregates, when they are there, not the records. */
	for (i = 0; tables[i] != NULL; i++)
		if (rec_table_has(a->st, tables[i], NULL))
			used += (size_t)snprintf(sql + used, sizeof(sql) - used,
						 " UNION SELECT substr(owner, 1, %d) FROM %s WHERE deleted = 0 AND"
						 " length(owner) >= %d AND " UNIT_SQL_BELOW("owner", "?1"),
						 len, agg_live_owners(a->st, tables[i]), len);
	snprintf(sql + used, sizeof(sql) - used, " ORDER BY 1");
	if ((a->units = calloc((size_t)cap, sizeof(*a->units))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(store_db(a->st), sql, -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(a->st, err, "org units");
	sqlite3_bind_text(q, 1, under, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(q, 0);
		if (id == NULL || unit_level(id) != a->level)
			continue;
		if (a->nunits == cap) {
			struct aunit *more = realloc(a->units, (size_t)cap * 2 * sizeof(*more));
			if (more == NULL) {
				sqlite3_finalize(q);
				return nz_fail(err, NZ_ENOMEM, "out of memory");
			}
			a->units = more;
			cap *= 2;
		}
		memset(&a->units[a->nunits], 0, sizeof(a->units[0]));
		snprintf(a->units[a->nunits].code, NZ_ID_MAX, "%s", id);
		a->nunits++;
	}
	sqlite3_finalize(q);
	if (a->nunits == 0)
		return nz_fail(err, NZ_ENOTFOUND,
			       "no %s units under %s on this node; import the org-unit tree at national",
			       unit_level_name(a->level), under);
	return 0;
}

#define SUBTREE UNIT_SQL_WITHIN("owner", "?1")

static int
unit_values(struct alloc *a, struct aunit *u, bool need[SRC_N], struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(a->st),
			       "SELECT coalesce(name_fa, ''), population FROM orgunit WHERE deleted = 0 AND id = ?",
			       -1, &q, NULL) != SQLITE_OK)
		return store_sqlerr(a->st, err, "orgunit");
	sqlite3_bind_text(q, 1, u->code, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		snprintf(u->name, sizeof(u->name), "%s", (const char *)sqlite3_column_text(q, 0));
		if (sqlite3_column_type(q, 1) != SQLITE_NULL && sqlite3_column_int64(q, 1) >= 0) {
			u->pop_known = true;
			u->raw[SRC_POPULATION] = sqlite3_column_int64(q, 1);
		}
	}
	sqlite3_finalize(q);
	/* The dashboard's aggregates answer the two counts of records without reading them. */
	if (need[SRC_OPEN_ISSUES] && !agg_subtree_count(a->st, "open_issues", u->code, &u->raw[SRC_OPEN_ISSUES]))
		u->raw[SRC_OPEN_ISSUES] = query_int(a->st,
						    "SELECT count(*) FROM issue WHERE deleted = 0 AND " SUBTREE
						     " AND coalesce(status, '') <> 'closed'",
						    u->code, 0);
	if (need[SRC_INTERVENTIONS] && a->has_interventions &&
	    (a->interventions_status ||
	     !agg_subtree_count(a->st, "interventions", u->code, &u->raw[SRC_INTERVENTIONS])))
		u->raw[SRC_INTERVENTIONS] =
			query_int(a->st,
				  a->interventions_status
					  ? "SELECT count(*) FROM intervention WHERE deleted = 0 AND " SUBTREE
					    " AND coalesce(status, '') NOT IN ('cancelled', 'canceled', 'rejected')"
					  : "SELECT count(*) FROM intervention WHERE deleted = 0 AND " SUBTREE,
				  u->code, 0);
	if (need[SRC_HELPERS] && a->appt_table != NULL) {
		char sql[512];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE deleted = 0 AND " SUBTREE "%s", a->appt_table,
			 a->appointments_status ? " AND coalesce(status, '') NOT IN ('revoked', 'cancelled',"
						  " 'canceled', 'withdrawn', 'draft')"
						: "");
		u->raw[SRC_HELPERS] = query_int(a->st, sql, u->code, 0);
	}
	if (need[SRC_COMPLETENESS]) {
		int64_t expected, received;
		if ((rc = cpl_counts(a->st, u->code, &a->p, &expected, &received, err)) != 0)
			return rc;
		u->raw[SRC_COMPLETENESS] = expected > 0 ? received * PPM / expected : 0;
	}
	return 0;
}

/*
 * lr_split splits total into n parts in proportion to w (their sum > 0) by
 * largest remainder, ties to the lower index; out sums to total exactly.
 */
static int
lr_split(int64_t total, const int64_t *w, size_t stride, int n, int64_t *out, size_t ostride)
{
	unsigned __int128 sum = 0, *rem;
	bool *bumped;
	int64_t given = 0, left;
	int i;

	for (i = 0; i < n; i++)
		sum += (unsigned __int128)*(const int64_t *)((const char *)w + (size_t)i * stride);
	if (sum == 0)
		return NZ_EINVAL;
	rem = calloc((size_t)n, sizeof(*rem));
	bumped = calloc((size_t)n, sizeof(*bumped));
	if (rem == NULL || bumped == NULL) {
		free(rem);
		free(bumped);
		return NZ_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		int64_t wi = *(const int64_t *)((const char *)w + (size_t)i * stride);
		unsigned __int128 prod = (unsigned __int128)total * (unsigned __int128)wi;
		int64_t *o = (int64_t *)((char *)out + (size_t)i * ostride);
		*o = (int64_t)(prod / sum);
		rem[i] = prod % sum;
		given += *o;
	}
	for (left = total - given; left > 0; left--) {
		int best = -1;
		for (i = 0; i < n; i++)
			if (!bumped[i] && (best < 0 || rem[i] > rem[best]))
				best = i;
		bumped[best] = true;
		(*(int64_t *)((char *)out + (size_t)best * ostride))++;
	}
	free(rem);
	free(bumped);
	return 0;
}

static void
percent_text(int64_t part, int64_t whole, char out[16])
{
	unsigned __int128 bp = whole > 0 ? (unsigned __int128)part * 10000 / (unsigned __int128)whole : 0;

	snprintf(out, 16, "%lld.%02lld", (long long)(bp / 100), (long long)(bp % 100));
}

/* digest_inputs hashes everything the shares depend on, so two nodes can compare. */
static void
digest_inputs(struct alloc *a, int64_t budget, const char *under, const char *period, char out[33])
{
	crypto_generichash_state h;
	unsigned char d[16];
	char line[256];
	int i, j;

	crypto_generichash_init(&h, NULL, 0, sizeof(d));
	snprintf(line, sizeof(line), "%lld\n%d\n%s\n%s\n", (long long)budget, a->level, under, period);
	crypto_generichash_update(&h, (const unsigned char *)line, strlen(line));
	/* The choice about unknown data, and which units it concerned. */
	snprintf(line, sizeof(line), "unknown=%s\n", unknown_names[a->policy]);
	crypto_generichash_update(&h, (const unsigned char *)line, strlen(line));
	for (j = 0; j < a->nunits; j++)
		if (a->units[j].unknown != NULL) {
			snprintf(line, sizeof(line), "%s\t%s\n", a->units[j].code, a->units[j].unknown);
			crypto_generichash_update(&h, (const unsigned char *)line, strlen(line));
		}
	for (i = 0; i < a->nind; i++) {
		snprintf(line, sizeof(line), "%s\t%d\t%lld\n", a->ind[i].code, a->ind[i].source,
			 (long long)a->ind[i].weight);
		crypto_generichash_update(&h, (const unsigned char *)line, strlen(line));
	}
	for (j = 0; j < a->nshared; j++) {
		snprintf(line, sizeof(line), "%s", a->units[j].code);
		crypto_generichash_update(&h, (const unsigned char *)line, strlen(line));
		for (i = 0; i < a->nind; i++) {
			snprintf(line, sizeof(line), "\t%lld", (long long)a->units[j].raw[a->ind[i].source]);
			crypto_generichash_update(&h, (const unsigned char *)line, strlen(line));
		}
		crypto_generichash_update(&h, (const unsigned char *)"\n", 1);
	}
	crypto_generichash_final(&h, d, sizeof(d));
	sodium_bin2hex(out, 33, d, sizeof(d));
}

static void
list_units(json_t *notes, const char *what, struct alloc *a, bool (*pick)(const struct aunit *), int n)
{
	char buf[512];
	size_t used;
	int i, shown = 0;

	used = (size_t)snprintf(buf, sizeof(buf), "%s for %d unit%s: ", what, n, n == 1 ? "" : "s");
	for (i = 0; i < a->nunits && used < sizeof(buf); i++) {
		if (!pick(&a->units[i]))
			continue;
		if (shown == 8) {
			snprintf(buf + used, sizeof(buf) - used, ", ...");
			break;
		}
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", shown ? ", " : "", a->units[i].code);
		shown++;
	}
	json_array_append_new(notes, json_string(buf));
}

static bool
pop_unknown(const struct aunit *u)
{
	return !u->pop_known;
}

/*
 * judge_unknown names the units whose data is unknown here (never heard
 * from, when an indicator counts their records; no population figure, when
 * one counts population) and applies the policy: refused, err lists them;
 * left out, they move behind the units that share (each part in its order,
 * which the ties follow).
 */
static int
judge_unknown(struct alloc *a, struct nz_err *err)
{
	bool records = false, population = false;
	char list[1200];
	size_t used = 0;
	int i, j, k, rc;
	struct aunit *moved;

	list[0] = '\0';
	for (i = 0; i < a->nind; i++)
		if (a->ind[i].weight > 0) {
			if (a->ind[i].source == SRC_POPULATION)
				population = true;
			else
				records = true;
		}
	for (j = 0; j < a->nunits; j++) {
		struct aunit *u = &a->units[j];
		if ((rc = fresh_of(a->st, u->code, &u->fr, err)) != 0)
			return rc;
		u->unknown = records && u->fr.last_sync == 0 ? "never heard from"
			     : population && !u->pop_known ? "no population figure"
							   : NULL;
		if (u->unknown == NULL)
			continue;
		a->nunknown++;
		if (used < sizeof(list) - 200)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s (%s)", used ? ", " : "",
						 u->code, u->unknown);
		else if (used < sizeof(list) - 1)
			used += (size_t)snprintf(list + used, sizeof(list) - used, ", ...");
	}
	a->nshared = a->nunits;
	if (a->nunknown == 0 || a->policy == ALLOC_UNKNOWN_ZERO)
		return 0;
	if (a->policy == ALLOC_UNKNOWN_REFUSE) {
		char count[16], codes[128];
		size_t n = 0;
		snprintf(count, sizeof(count), "%d", a->nunknown);
		codes[0] = '\0';
		for (j = 0; j < a->nunits && n + NZ_ID_MAX + 1 < sizeof(codes); j++)
			if (a->units[j].unknown != NULL)
				n += (size_t)snprintf(codes + n, sizeof(codes) - n, "%s%s", n ? "," : "", a->units[j].code);
		nz_fail_at(err, NZ_ESTATE, "unknown", NULL,
			   "the data of %d of the %d %s units is unknown here: %s; nothing was allocated:"
			   " choose to leave them out (exclude) or to count them as zero (zero)",
			   a->nunknown, a->nunits, unit_level_name(a->level), list);
		return nz_why(err, "alloc.unknown", "count", count, "units", codes, NULL);
	}
	if ((moved = calloc((size_t)a->nunits, sizeof(*moved))) == NULL)
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	for (k = 0, j = 0; j < a->nunits; j++)
		if (a->units[j].unknown == NULL)
			moved[k++] = a->units[j];
	a->nshared = k;
	for (j = 0; j < a->nunits; j++)
		if (a->units[j].unknown != NULL)
			moved[k++] = a->units[j];
	memcpy(a->units, moved, (size_t)a->nunits * sizeof(*moved));
	free(moved);
	return 0;
}

json_t *
alloc_compute(struct store *st, int64_t budget, const char *level, const char *under, const char *period,
	      enum alloc_unknown unknown, struct nz_err *err)
{
	struct alloc a;
	bool need[SRC_N] = {false};
	char label[JPERIOD_TEXT_MAX], fingerprint[17], digest[33];
	int64_t weights[IND_MAX], slices[IND_MAX], *vals = NULL;
	json_t *out = NULL, *inds, *units, *notes, *unknowns, *freshness;
	struct fresh_sum fs;
	int version, i, j, nused = 0, rc;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.policy = unknown;
	if (under == NULL)
		under = store_node(st);
	if (budget <= 0 || budget > BUDGET_MAX) {
		nz_fail(err, NZ_EINVAL, "budget %lld rials is not 1 to 10^18", (long long)budget);
		return NULL;
	}
	if (level == NULL || (strcmp(level, "province") != 0 && strcmp(level, "county") != 0)) {
		nz_fail(err, NZ_EINVAL, "level must be province or county, not '%s'", level ? level : "");
		return NULL;
	}
	a.level = strcmp(level, "province") == 0 ? NZ_LEVEL_PROVINCE : NZ_LEVEL_COUNTY;
	if (domain_check_under(st, under, err) != 0)
		return NULL;
	if (unit_level(under) >= a.level) {
		nz_fail(err, NZ_EINVAL, "%s has no %s units below it", under, level);
		return NULL;
	}
	if (rep_period_or_default(period, &a.p, label, err) != 0)
		return NULL;
	a.has_interventions = rec_table_has(st, "intervention", NULL);
	a.interventions_status = a.has_interventions && rec_table_has(st, "intervention", "status");
	a.appt_table = rec_table_has(st, "sel_appointment", NULL) ? "sel_appointment"
		       : rec_table_has(st, "appointment", NULL)   ? "appointment"
								 : NULL;
	a.appointments_status = a.appt_table != NULL && rec_table_has(st, a.appt_table, "status");
	if ((rc = load_indicators(&a, &version, fingerprint, err)) != 0 || (rc = load_units(&a, under, err)) != 0)
		goto out;
	for (i = 0; i < a.nind; i++)
		need[a.ind[i].source] = true;
	for (j = 0; j < a.nunits; j++)
		if ((rc = unit_values(&a, &a.units[j], need, err)) != 0)
			goto out;
	if ((rc = judge_unknown(&a, err)) != 0)
		goto out;

	/* Slices: only indicators with weight and data share the budget. */
	for (i = 0; i < a.nind; i++) {
		for (j = 0; j < a.nshared; j++)
			a.ind[i].total += a.units[j].raw[a.ind[i].source];
		a.ind[i].used = a.ind[i].weight > 0 && a.ind[i].total > 0;
		weights[i] = a.ind[i].used ? a.ind[i].weight : 0;
		nused += a.ind[i].used;
	}
	if (nused == 0) {
		nz_fail(err, NZ_EINVAL,
			"no indicator with a weight has data for the %s units under %s; nothing to share by",
			level, under);
		goto out;
	}
	if (lr_split(budget, weights, sizeof(weights[0]), a.nind, slices, sizeof(slices[0])) != 0) {
		nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	if ((vals = calloc((size_t)a.nunits, sizeof(*vals))) == NULL) {
		nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < a.nind; i++) {
		a.ind[i].slice = slices[i];
		if (!a.ind[i].used)
			continue;
		for (j = 0; j < a.nshared; j++)
			vals[j] = a.units[j].raw[a.ind[i].source];
		if (lr_split(slices[i], vals, sizeof(vals[0]), a.nshared, &a.units[0].part[i], sizeof(a.units[0])) != 0) {
			nz_fail(err, NZ_ENOMEM, "out of memory");
			goto out;
		}
	}
	for (j = 0; j < a.nshared; j++)
		for (i = 0; i < a.nind; i++)
			a.units[j].share += a.units[j].part[i];

	/* The result. */
	digest_inputs(&a, budget, under, label, digest);
	notes = json_array();
	inds = json_array();
	for (i = 0; i < a.nind; i++) {
		struct ind *x = &a.ind[i];
		const char *why = x->used ? ""
				  : x->weight == 0 ? "weight 0"
						   : "no data for these units: left out, its weight shared by the others";
		json_array_append_new(inds, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:b,s:s,s:s}", "code", x->code,
						      "title", x->title, "source", ind_source_name(x->source), "weight",
						      (json_int_t)x->weight, "total", (json_int_t)x->total, "slice",
						      (json_int_t)x->slice, "used", x->used, "note", why, "counts",
						      ind_source_help(x->source)));
		if (!x->used && x->weight > 0) {
			char buf[256];
			snprintf(buf, sizeof(buf), "indicator '%s' has no data for these units; its weight went to the others",
				 x->code);
			json_array_append_new(notes, json_string(buf));
		}
	}
	if (need[SRC_POPULATION]) {
		int n = 0;
		for (j = 0; j < a.nshared; j++)
			n += !a.units[j].pop_known;
		if (n > 0)
			list_units(notes, "population unknown (counted 0)", &a, pop_unknown, n);
	}
	if (need[SRC_INTERVENTIONS] && !a.has_interventions)
		json_array_append_new(notes, json_string("there is no intervention table on this node yet: "
							 "approved interventions counted 0"));
	if (need[SRC_HELPERS] && a.appt_table == NULL)
		json_array_append_new(notes, json_string("there is no appointment table on this node yet: "
							 "appointed helpers counted 0"));
	units = json_array();
	unknowns = json_array();
	memset(&fs, 0, sizeof(fs));
	for (j = 0; j < a.nunits; j++) {
		struct aunit *u = &a.units[j];
		json_t *values, *parts;
		char pct[16], when[32];
		fresh_text(&u->fr, when, sizeof(when));
		if (u->unknown != NULL)
			json_array_append_new(unknowns, json_pack("{s:s,s:s,s:s,s:s,s:b}", "unit", u->code, "name",
								  u->name, "unknown", u->unknown, "data_as_of",
								  when, "left_out", j >= a.nshared));
		if (j >= a.nshared)
			continue;
		fresh_sum_add(&fs, u->code, &u->fr);
		values = json_object();
		parts = json_object();
		for (i = 0; i < a.nind; i++) {
			json_object_set_new(values, a.ind[i].code, json_integer(u->raw[a.ind[i].source]));
			json_object_set_new(parts, a.ind[i].code, json_integer(u->part[i]));
		}
		percent_text(u->share, budget, pct);
		json_array_append_new(units, json_pack("{s:s,s:s,s:I,s:s,s:o,s:o,s:s,s:s,s:s}", "unit", u->code,
						       "name", u->name, "share", (json_int_t)u->share, "percent", pct,
						       "values", values, "parts", parts, "data_as_of", when, "via",
						       u->fr.via, "unknown", u->unknown ? u->unknown : ""));
	}
	if (a.nunknown > 0) {
		char buf[160];
		snprintf(buf, sizeof(buf), "the data of %d unit%s is unknown here: %s", a.nunknown,
			 a.nunknown == 1 ? "" : "s",
			 a.policy == ALLOC_UNKNOWN_EXCLUDE ? "left out of the sharing (unknown: exclude)"
							   : "shared as if zero (unknown: zero)");
		json_array_append_new(notes, json_string(buf));
	}
	freshness = fresh_sum_json(&fs);
	/* The names this result used before freshness was shared with the other figures. */
	json_object_set_new(freshness, "oldest_sync", json_incref(json_object_get(freshness, "oldest")));
	json_object_set_new(freshness, "oldest_via", json_incref(json_object_get(freshness, "oldest_unit")));
	json_object_set_new(freshness, "never_synced", json_integer(fs.never));
	out = json_pack("{s:s,s:I,s:s,s:s,s:s,s:{s:i,s:s},s:s,s:s,s:o,s:{s:s,s:i,s:o},s:o,s:o,s:o}", "node",
			store_node(st), "budget", (json_int_t)budget, "level", level, "under", under, "period",
			label, "standards", "version", version, "fingerprint", fingerprint, "inputs_digest",
			digest, "rounding",
			"largest remainder, in integer rials: indicator slices first, then units; ties to the "
			"lower indicator code, then the lower unit code",
			"freshness", freshness, "unknown", "policy", unknown_names[a.policy], "count",
			a.nunknown, "units", unknowns, "indicators", inds, "units", units, "notes", notes);
out:
	free(vals);
	free(a.units);
	return out;
}

int
alloc_write_csv(json_t *alloc, FILE *f, struct nz_err *err)
{
	json_t *inds = json_object_get(alloc, "indicators"), *units = json_object_get(alloc, "units");
	json_t *unknown = json_object_get(alloc, "unknown");
	char why[160];
	json_t *rows = json_array(), *x, *u, *total;
	const char **cols;
	char (*names)[IND_CODE_MAX + 8];
	size_t i, j, n = json_array_size(inds);
	int rc;

	cols = calloc(2 * n + 11, sizeof(*cols));
	names = calloc(2 * n + 1, sizeof(*names));
	if (cols == NULL || names == NULL) {
		free(cols);
		free(names);
		json_decref(rows);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	j = 0;
	cols[j++] = "unit";
	cols[j++] = "name";
	cols[j++] = "share_rials";
	cols[j++] = "share_percent";
	json_array_foreach(inds, i, x) {
		snprintf(names[2 * i], sizeof(names[0]), "%s_value", json_string_value(json_object_get(x, "code")));
		snprintf(names[2 * i + 1], sizeof(names[0]), "%s_rials", json_string_value(json_object_get(x, "code")));
		cols[j++] = names[2 * i];
		cols[j++] = names[2 * i + 1];
	}
	cols[j++] = "standards_version";
	cols[j++] = "period";
	cols[j++] = "inputs_digest";
	cols[j++] = "data_as_of";
	cols[j++] = "unknown_data";
	cols[j] = NULL;
	json_array_foreach(units, i, u) {
		json_t *row = json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:O}", "unit", json_object_get(u, "unit"), "name",
					json_object_get(u, "name"), "share_rials", json_object_get(u, "share"),
					"share_percent", json_object_get(u, "percent"), "standards_version",
					json_object_get(json_object_get(alloc, "standards"), "version"), "period",
					json_object_get(alloc, "period"), "inputs_digest",
					json_object_get(alloc, "inputs_digest"), "data_as_of",
					json_object_get(u, "data_as_of"));
		json_array_foreach(inds, j, x) {
			const char *code = json_string_value(json_object_get(x, "code"));
			json_object_set(row, names[2 * j], json_object_get(json_object_get(u, "values"), code));
			json_object_set(row, names[2 * j + 1], json_object_get(json_object_get(u, "parts"), code));
		}
		if (json_string_value(json_object_get(u, "unknown")) != NULL &&
		    json_string_value(json_object_get(u, "unknown"))[0] != '\0') {
			snprintf(why, sizeof(why), "counted as zero: %s", json_string_value(json_object_get(u, "unknown")));
			json_object_set_new(row, "unknown_data", json_string(why));
		}
		json_array_append_new(rows, row);
	}
	/* The units left out are listed too: never silently absent. */
	json_array_foreach(json_object_get(unknown, "units"), i, u) {
		if (!json_is_true(json_object_get(u, "left_out")))
			continue;
		snprintf(why, sizeof(why), "left out: %s", json_string_value(json_object_get(u, "unknown")));
		json_array_append_new(rows, json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:s}", "unit", json_object_get(u, "unit"),
						      "name", json_object_get(u, "name"), "standards_version",
						      json_object_get(json_object_get(alloc, "standards"), "version"),
						      "period", json_object_get(alloc, "period"), "inputs_digest",
						      json_object_get(alloc, "inputs_digest"), "data_as_of",
						      json_object_get(u, "data_as_of"), "unknown_data", why));
	}
	total = json_pack("{s:s,s:s,s:O,s:s,s:O,s:O,s:O}", "unit", "TOTAL", "name", "", "share_rials",
			  json_object_get(alloc, "budget"), "share_percent", "100.00", "standards_version",
			  json_object_get(json_object_get(alloc, "standards"), "version"), "period",
			  json_object_get(alloc, "period"), "inputs_digest", json_object_get(alloc, "inputs_digest"));
	json_array_foreach(inds, j, x) {
		json_object_set(total, names[2 * j], json_object_get(x, "total"));
		json_object_set(total, names[2 * j + 1], json_object_get(x, "slice"));
	}
	if (json_integer_value(json_object_get(unknown, "count")) > 0) {
		snprintf(why, sizeof(why), "unknown data %s: %lld unit%s",
			 json_string_value(json_object_get(unknown, "policy")),
			 (long long)json_integer_value(json_object_get(unknown, "count")),
			 json_integer_value(json_object_get(unknown, "count")) == 1 ? "" : "s");
		json_object_set_new(total, "unknown_data", json_string(why));
	}
	json_array_append_new(rows, total);
	rc = csv_write(f, rows, cols);
	json_decref(rows);
	free(cols);
	free(names);
	if (rc != 0)
		return nz_fail(err, rc, "cannot write the CSV");
	return 0;
}
