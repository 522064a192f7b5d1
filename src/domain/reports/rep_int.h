#ifndef NZ_REP_INT_H
#define NZ_REP_INT_H

/*
 * What the files of src/domain/reports/ share, and nothing outside them
 * includes (as SQLite's vdbeInt.h): rep_common.c (records, helpers, CSV),
 * template.c, report.c, completeness.c, approval.c.  reports.h stays the
 * interface.
 */
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/jalali.h"
#include "domain/fresh.h"
#include "domain/record.h"
#include "domain/reports.h"

#define CODE_MAX 32
#define GROUP_MAX 100
#define TITLE_MAX 300
#define NOTE_MAX 2000
#define LABEL_MAX 200
#define CHOICE_MAX 100
#define TEXT_MAX_DEFAULT 2000
#define TEXT_MAX_LIMIT 10000
#define IRAN_OFFSET_MS (12600LL * 1000) /* UTC+03:30 */

static inline const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static inline int64_t
jint(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

/* rep_valid_code reports whether s is a template code: [a-z0-9][a-z0-9_-]*, at most CODE_MAX. */
bool rep_valid_code(const char *s);

/* rep_printable reports whether s holds no control characters (one-line user text). */
bool rep_printable(const char *s);

/* rep_jalali_cols turns the ISO dates among names (NULL-terminated) of object o into Jalali. */
void rep_jalali_cols(json_t *o, const char *const *names);

/* rep_kind_name names a period kind: "month" or "quarter". */
const char *rep_kind_name(int kind);

/* rep_kind_of is the period kind named (month, monthly, quarter, quarterly), 0 for none. */
int rep_kind_of(const char *name);

/* rep_level_of is the level named (province, county), -1 for another. */
int rep_level_of(const char *name);

/* rep_due_end_ms is the first instant (unix ms) after the ISO due day in Iran. */
int64_t rep_due_end_ms(const char *due);

/* ---- template.c ---- */

/* rep_apply_pairs checks FIELD=VALUE pairs against fields and sets them in data. */
int rep_apply_pairs(json_t *fields, json_t *data, int npairs, char *const *pairs, struct nz_err *err);

/* rep_check_required fails when a required field of fields has no value in data. */
int rep_check_required(json_t *fields, json_t *data, struct nz_err *err);

/* tpl_row reads the record of version (0: the latest) of template code into *out (record.h's convention for
 * reads: NZ_ENOTFOUND "no report template 'CODE'"). */
int tpl_row(struct store *st, const char *code, int version, json_t **out, struct nz_err *err);

/* tpl_parsed_fields returns template record tpl's fields as a new JSON array. */
json_t *tpl_parsed_fields(json_t *tpl);

/* tpl_view turns template record t into what is shown (Jalali dates), in place; returns t. */
json_t *tpl_view(json_t *t);

/* rep_period_dates parses Jalali period text of kind into p and its ISO first and last days. */
int rep_period_dates(const char *text, int kind, struct jperiod *p, char first[11], char last[11],
		     struct nz_err *err);

/* ---- report.c ---- */

/* rep_load reads live report id (a new reference) into *out (record.h's convention for reads). */
int rep_load(struct store *st, const char *id, json_t **out, struct nz_err *err);

/*
 * rep_open begins a write on live report id: a transaction, which the caller ends with rec_finish, and
 * the report (a new reference) in *out.  With draft, a report no longer a draft is refused (NZ_ESTATE).
 * On an error *out is NULL and no transaction is left open.
 */
int rep_open(struct store *st, const char *id, bool draft, json_t **out, struct nz_err *err);

/* rep_newer_revision names in newer (and its status) a later revision of report r, "" for none; NZ_EDB
 * (err) when the database could not be read. */
int rep_newer_revision(struct store *st, json_t *r, char newer[NZ_RID_MAX], char status[16], struct nz_err *err);

/* rep_refuse_if_approved fails with what refused when the period of report r is approved. */
int rep_refuse_if_approved(struct store *st, json_t *r, const char *what, struct nz_err *err);

/* ---- completeness.c ---- */

struct tpl_info {
	char id[NZ_RID_MAX], code[CODE_MAX + 1];
	int kind, level, due_days;
	bool helper;
	char from[11], until[11];
};

struct counts {
	int64_t expected, received, on_time, late, accepted, returned, not_due, not_submitted, unknown;
	int64_t never_heard; /* of unknown: from units never heard from */
};

struct cpl_unit {
	char code[NZ_ID_MAX];
	int level;
	struct counts own, total;
	json_t *items;
	struct fresh fr; /* how fresh this node's copy of its data is (FRESH_LOCAL when data_only) */
	bool failing; /* period_approve: something not accepted */
};

struct cpl {
	struct store *st;
	struct jperiod p;
	char today[11];
	bool data_only;  /* no clock or sync state: the same on every node */
	bool items;      /* keep the items */
	struct tpl_info *tpls;
	int ntpls;
	struct cpl_unit *units;
	int nunits;
	const char *appt_table; /* NULL: no appointments here, count the quota */
	bool appt_status, appt_names;
};

/* cpl_run fills c (st and p set by the caller) for the subtree of under. */
int cpl_run(struct cpl *c, const char *under, struct nz_err *err);

/* cpl_release frees what cpl_run allocated. */
void cpl_release(struct cpl *c);

#endif
