/*
 * انتخاب همیاران اجتماعی: the selection of social helper groups, from the
 * call to the orientation course (ماده ۳).  See selection.h for the scores,
 * the ranking order and who owns what.
 *
 * Every rule is checked before anything is written; operations that write
 * several records, or check and then write, run in one transaction.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <sodium.h>

#include "base/jalali.h"
#include "base/unit.h"
#include "domain/check.h"
#include "domain/record.h"
#include "domain/selection.h"

/* ---- tables ---- */

static const struct col_def call_cols[] = {
	{"title", COL_TEXT},
	{"description", COL_TEXT},
	{"opens", COL_TEXT},  /* ISO date, first day of the application window */
	{"closes", COL_TEXT}, /* ISO date, last day */
	{"status", COL_TEXT},
	{"std_id", COL_TEXT}, /* the standards version pinned when the call opened */
	{"std_version", COL_INT},
	{"created", COL_TEXT},
	{"opened_on", COL_TEXT},
	{"closed_on", COL_TEXT},
	{"reviewed_on", COL_TEXT},
	{"completed_on", COL_TEXT},
	{NULL, 0},
};
static const char *const call_idx[] = {"status", NULL};
const struct tbl_def sel_call_table = {"sel_call", VIS_OWNED, call_cols, call_idx};

static const struct col_def applicant_cols[] = {
	{"call_id", COL_TEXT},
	{"name", COL_TEXT},
	{"kind", COL_TEXT},
	{"reg_no", COL_TEXT},
	{"contact", COL_TEXT},
	{"phone", COL_TEXT},
	{"members", COL_INT},
	{"areas", COL_TEXT},
	{"years", COL_INT},
	{"activities", COL_TEXT},
	{"applied", COL_TEXT},    /* ISO date */
	{"applied_at", COL_INT},  /* unix milliseconds: the ranking's late tie-break */
	{"status", COL_TEXT},     /* applied, withdrawn */
	{"withdrawn_reason", COL_TEXT},
	{"name_key", COL_TEXT},   /* normalised, to find likely duplicates */
	{"phone_key", COL_TEXT},
	{"reg_key", COL_TEXT},
	{NULL, 0},
};
static const char *const applicant_idx[] = {"call_id", NULL};
const struct tbl_def sel_applicant_table = {"sel_applicant", VIS_OWNED, applicant_cols, applicant_idx};

static const struct col_def doc_cols[] = {
	{"applicant_id", COL_TEXT},
	{"call_id", COL_TEXT},
	{"name", COL_TEXT},
	{"size", COL_INT},
	{"sha256", COL_TEXT},
	{"content", COL_TEXT}, /* base64, only for small files */
	{"added", COL_TEXT},
	{NULL, 0},
};
static const char *const doc_idx[] = {"applicant_id", NULL};
const struct tbl_def sel_doc_table = {"sel_doc", VIS_OWNED, doc_cols, doc_idx};

/* One record per (applicant, reviewer): its id is derived from both. */
static const struct col_def review_cols[] = {
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"reviewer", COL_TEXT},
	{"scores", COL_TEXT}, /* JSON object: criterion code -> score */
	{"total", COL_REAL},  /* weighted, 0..100; NULL until every criterion is scored */
	{"updated", COL_TEXT},
	{NULL, 0},
};
static const char *const review_idx[] = {"call_id", "applicant_id", NULL};
const struct tbl_def sel_review_table = {"sel_review", VIS_OWNED, review_cols, review_idx};

/* One record per applicant: its id is derived from the applicant's. */
static const struct col_def interview_cols[] = {
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"date", COL_TEXT},
	{"time", COL_TEXT},
	{"place", COL_TEXT},
	{"panel", COL_TEXT},
	{"status", COL_TEXT}, /* scheduled, held, no_show */
	{"scores", COL_TEXT},
	{"total", COL_REAL},
	{"notes", COL_TEXT},
	{"updated", COL_TEXT},
	{NULL, 0},
};
static const char *const interview_idx[] = {"call_id", NULL};
const struct tbl_def sel_interview_table = {"sel_interview", VIS_OWNED, interview_cols, interview_idx};

static const struct col_def appt_cols[] = {
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"group_name", COL_TEXT},
	{"rank", COL_INT},
	{"combined", COL_REAL},
	{"status", COL_TEXT}, /* active, revoked */
	{"appointed", COL_TEXT},
	{"term_start", COL_TEXT},
	{"term_end", COL_TEXT},
	{"decree_id", COL_TEXT},
	{"decree_no", COL_TEXT},
	{"revoked", COL_TEXT},
	{"revoke_reason", COL_TEXT},
	{"by_node", COL_TEXT}, /* the node that appointed: shown when replicas disagree */
	{NULL, 0},
};
static const char *const appt_idx[] = {"call_id", "applicant_id", "status", NULL};
const struct tbl_def sel_appointment_table = {"sel_appointment", VIS_OWNED, appt_cols, appt_idx};

static const struct col_def decree_cols[] = {
	{"appointment_id", COL_TEXT},
	{"call_id", COL_TEXT},
	{"applicant_id", COL_TEXT},
	{"number", COL_TEXT},
	{"year", COL_INT}, /* Jalali year of the date; numbers run per year */
	{"seq", COL_INT},
	{"date", COL_TEXT},
	{"term_months", COL_INT},
	{"term_start", COL_TEXT},
	{"term_end", COL_TEXT},
	{"group_name", COL_TEXT},
	{"group_kind", COL_TEXT},
	{"by_node", COL_TEXT},
	{NULL, 0},
};
static const char *const decree_idx[] = {"number", "appointment_id", NULL};
const struct tbl_def sel_decree_table = {"sel_decree", VIS_OWNED, decree_cols, decree_idx};

static const struct col_def course_cols[] = {
	{"title", COL_TEXT},
	{"required", COL_INT}, /* sessions to attend; 0: all */
	{"created", COL_TEXT},
	{NULL, 0},
};
const struct tbl_def sel_course_table = {"sel_course", VIS_OWNED, course_cols, NULL};

static const struct col_def session_cols[] = {
	{"course_id", COL_TEXT},
	{"date", COL_TEXT},
	{"topic", COL_TEXT},
	{"hours", COL_REAL},
	{NULL, 0},
};
static const char *const session_idx[] = {"course_id", NULL};
const struct tbl_def sel_session_table = {"sel_session", VIS_OWNED, session_cols, session_idx};

/* One record per (session, appointment). */
static const struct col_def attendance_cols[] = {
	{"session_id", COL_TEXT},
	{"course_id", COL_TEXT},
	{"appointment_id", COL_TEXT},
	{"present", COL_INT},
	{"updated", COL_TEXT},
	{NULL, 0},
};
static const char *const attendance_idx[] = {"session_id", "appointment_id", NULL};
const struct tbl_def sel_attendance_table = {"sel_attendance", VIS_OWNED, attendance_cols, attendance_idx};

/* ---- small helpers ---- */

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 4000

/* SQL condition: col (an org unit) inside ?1, or anything when ?1 is NULL. */
#define UNDER_OF(col) "(?1 IS NULL OR " col " = ?1 OR (" col " > ?1 || '-' AND " col " < ?1 || '.'))"
#define UNDER_SQL UNDER_OF("owner")

static const char *const date_cols[] = {
	"opens", "closes", "created", "applied", "date", "appointed", "term_start", "term_end", "revoked",
	"opened_on", "closed_on", "reviewed_on", "completed_on", "added", "updated", NULL,
};

static const char *
col_text(sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	return s != NULL ? s : "";
}

static void
copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src != NULL ? src : "");
}

static bool
empty(const char *s)
{
	return s == NULL || s[0] == '\0';
}

static void
to_jalali(const char *iso, char out[11])
{
	if (jalali_from_iso(iso, out, NULL) != 0)
		copy(out, 11, iso);
}

static int64_t
now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* derived_id writes prefix + 24 hex digits of SHA-256(a "\n" b): the same record from every node. */
static void
derived_id(const char *prefix, const char *a, const char *b, char out[NZ_RID_MAX])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state s;
	char hex[crypto_hash_sha256_BYTES * 2 + 1];

	crypto_hash_sha256_init(&s);
	crypto_hash_sha256_update(&s, (const unsigned char *)a, strlen(a));
	crypto_hash_sha256_update(&s, (const unsigned char *)"\n", 1);
	crypto_hash_sha256_update(&s, (const unsigned char *)b, strlen(b));
	crypto_hash_sha256_final(&s, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, NZ_RID_MAX, "%s%.24s", prefix, hex);
}

static void
add_jalali(json_t *o)
{
	char key[48], jal[11];
	int i;

	for (i = 0; date_cols[i] != NULL; i++) {
		json_t *v = json_object_get(o, date_cols[i]);
		if (json_is_string(v) && jalali_from_iso(json_string_value(v), jal, NULL) == 0) {
			snprintf(key, sizeof(key), "%s_jalali", date_cols[i]);
			json_object_set_new(o, key, json_string(jal));
		}
	}
}

static json_t *
row_json(sqlite3_stmt *q)
{
	json_t *o = rec_row_json(q);

	add_jalali(o);
	return o;
}

/*
 * query_json runs sql with up to 3 text parameters (NULL binds NULL) and
 * returns its rows as a new JSON array (empty on a database error).
 */
static json_t *
query_json(struct store *st, const char *sql, const char *p1, const char *p2, const char *p3)
{
	json_t *a = json_array();
	sqlite3_stmt *q;
	const char *p[3] = {p1, p2, p3};
	int i;

	if ((q = store_prepare(st, sql, NULL)) == NULL)
		return a;
	for (i = 0; i < 3 && i < sqlite3_bind_parameter_count(q); i++)
		if (p[i] != NULL)
			sqlite3_bind_text(q, i + 1, p[i], -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(q, i + 1);
	while (sqlite3_step(q) == SQLITE_ROW)
		json_array_append_new(a, row_json(q));
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return a;
}

/* parse_json_object turns a stored JSON text into an object (empty when NULL or broken). */
static json_t *
parse_json_object(const char *text)
{
	json_t *j = text != NULL && text[0] != '\0' ? json_loads(text, 0, NULL) : NULL;

	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	return j;
}

/* expand_json replaces the text field key of every row by the JSON it holds. */
static void
expand_json(json_t *rows, const char *key)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r) {
		json_t *v = json_object_get(r, key);
		if (json_is_string(v))
			json_object_set_new(r, key, parse_json_object(json_string_value(v)));
	}
}

static int
check_text(const char *what, const char *s, size_t max, bool required, struct nz_err *err)
{
	if (required && empty(s))
		return nz_fail(err, NZ_EINVAL, "%s is required", what);
	if (s != NULL && strlen(s) > max)
		return nz_fail(err, NZ_EINVAL, "%s is %zu bytes; at most %zu", what, strlen(s), max);
	return 0;
}

static int
check_date(const char *what, const char *iso, struct nz_err *err)
{
	int y, m, d;

	if (empty(iso))
		return nz_fail(err, NZ_EINVAL, "%s is required", what);
	if (iso_parse(iso, &y, &m, &d, NULL) != 0)
		return nz_fail(err, NZ_EINVAL, "%s '%s' is not a date", what, iso);
	/* A Jalali date passed on as ISO would be read as a year around 1400. */
	if (y < 1900 || y > 2199)
		return nz_fail(err, NZ_EINVAL,
			       "%s '%s' lies in the Gregorian year %d; was a Jalali date taken for ISO?",
			       what, iso, y);
	return 0;
}

static int
write_rec(struct store *st, const char *tbl, const char *rid, const char *owner, struct colset *cs,
	  const char *author, struct nz_err *err)
{
	int rc = store_write(st, tbl, rid, owner, cs, author, err);

	colset_free(cs);
	return rc;
}

/* ---- normalisation, to find likely duplicates ---- */

/*
 * norm_key folds a name for comparison: Arabic yeh and kaf become Persian
 * ی and ک, Persian and Arabic-Indic digits become ASCII, ASCII letters lower
 * case; blanks, ZWNJ, tatweel and diacritics are dropped, so that "گروه
 * جهادی" and "گروه‌جهادي" meet.
 */
static void
norm_key(const char *s, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t w = 0;

	while (*p != '\0' && w + 3 < n) {
		if (p[0] == 0xd9 && p[1] == 0x8a) { /* ي */
			out[w++] = (char)0xdb;
			out[w++] = (char)0x8c;
			p += 2;
		} else if (p[0] == 0xd9 && p[1] == 0x83) { /* ك */
			out[w++] = (char)0xda;
			out[w++] = (char)0xa9;
			p += 2;
		} else if (p[0] == 0xdb && p[1] >= 0xb0 && p[1] <= 0xb9) {
			out[w++] = (char)('0' + p[1] - 0xb0);
			p += 2;
		} else if (p[0] == 0xd9 && p[1] >= 0xa0 && p[1] <= 0xa9) {
			out[w++] = (char)('0' + p[1] - 0xa0);
			p += 2;
		} else if (p[0] == 0xd9 && (p[1] == 0x80 || (p[1] >= 0x8b && p[1] <= 0x92))) {
			p += 2; /* tatweel, harakat */
		} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x8c || p[2] == 0x8d)) {
			p += 3; /* ZWNJ, ZWJ */
		} else if (p[0] == 0xc2 && p[1] == 0xa0) {
			p += 2; /* no-break space */
		} else if (*p == ' ' || *p == '\t' || *p == '-' || *p == '/' || *p == '.' || *p == '_') {
			p++;
		} else if (*p >= 'A' && *p <= 'Z') {
			out[w++] = (char)(*p++ - 'A' + 'a');
		} else {
			out[w++] = (char)*p++;
		}
	}
	out[w] = '\0';
}

void
sel_phone_key(const char *s, char *out, size_t n)
{
	char k[64];
	size_t i, w = 0;

	norm_key(s, k, sizeof(k));
	for (i = 0; k[i] != '\0' && w + 1 < n; i++)
		if (k[i] >= '0' && k[i] <= '9')
			out[w++] = k[i];
	out[w] = '\0';
	if (strncmp(out, "0098", 4) == 0)
		memmove(out + 1, out + 4, strlen(out + 4) + 1);
	else if (strncmp(out, "98", 2) == 0 && strlen(out) == 12)
		memmove(out + 1, out + 2, strlen(out + 2) + 1);
	else
		return;
	out[0] = '0';
}

/* ---- the kinds of groups ---- */

static const struct {
	const char *key, *label;
} kinds[] = {
	{"ngo", "سازمان مردم نهاد"},
	{"religious", "هیئت مذهبی"},
	{"jihadi", "گروه جهادی"},
	{"people", "گروه مردمی"},
	{"other", "سایر"},
};
#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

const char *
sel_kind_label(const char *kind)
{
	int i;

	for (i = 0; kind != NULL && i < NKINDS; i++)
		if (strcmp(kinds[i].key, kind) == 0)
			return kinds[i].label;
	return NULL;
}

static const char *
kind_key(const char *kind)
{
	char a[128], b[128];
	int i;

	norm_key(kind, a, sizeof(a));
	for (i = 0; i < NKINDS; i++) {
		norm_key(kinds[i].label, b, sizeof(b));
		if (strcmp(a, kinds[i].key) == 0 || strcmp(a, b) == 0)
			return kinds[i].key;
	}
	return NULL;
}

/* ---- calls ---- */

static const char *const state_names[] = {"draft", "open", "closed", "reviewed", "completed"};
#define NSTATES 5

const char *
sel_call_state_name(int state)
{
	return state >= 0 && state < NSTATES ? state_names[state] : "unknown";
}

int
sel_call_state_parse(const char *s)
{
	int i;

	for (i = 0; s != NULL && i < NSTATES; i++)
		if (strcmp(s, state_names[i]) == 0)
			return i;
	return -1;
}

struct call {
	char id[NZ_RID_MAX];
	char owner[NZ_ID_MAX];
	int state;
	char std_id[NZ_RID_MAX];
	char opens[11], closes[11];
};

static int
load_call(struct store *st, const char *id, struct call *c, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc = 0;

	q = store_prepare(
		st, "SELECT owner, status, std_id, opens, closes FROM sel_call WHERE id = ? AND deleted = 0",
		err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW) {
		copy(c->id, sizeof(c->id), id);
		copy(c->owner, sizeof(c->owner), col_text(q, 0));
		c->state = sel_call_state_parse(col_text(q, 1));
		copy(c->std_id, sizeof(c->std_id), col_text(q, 2));
		copy(c->opens, sizeof(c->opens), col_text(q, 3));
		copy(c->closes, sizeof(c->closes), col_text(q, 4));
	} else {
		rc = nz_fail(err, NZ_ENOTFOUND, "no call with id '%s'", id);
	}
	sqlite3_reset(q);
	return rc;
}

/* call_std loads the standards a call runs under (pinned when it opened). */
static int
call_std(struct store *st, const struct call *c, struct sel_std *s, struct nz_err *err)
{
	if (c->std_id[0] == '\0')
		return nz_fail(err, NZ_ESTATE, "call '%s' is a draft; it has no standards until it opens",
			       c->id);
	return sel_std_load_id(st, c->std_id, s, err);
}

static int
check_secretariat(struct store *st, const char *unit, struct nz_err *err)
{
	int level = unit_level(unit);

	if (level != NZ_LEVEL_COUNTY && level != NZ_LEVEL_PROVINCE)
		return nz_fail(
			err, NZ_EINVAL,
			"'%s' is not a county or provincial secretariat; only they select helper groups",
			unit);
	if (!unit_within(unit, store_node(st)))
		return nz_fail(err, NZ_EDENIED, "this node (%s) may not act for %s", store_node(st), unit);
	return 0;
}

static int
check_window(const char *opens, const char *closes, struct nz_err *err)
{
	int rc;

	if ((rc = check_date("the opening date", opens, err)) != 0 ||
	    (rc = check_date("the closing date", closes, err)) != 0)
		return rc;
	if (strcmp(opens, closes) > 0) {
		char a[11], b[11];
		to_jalali(opens, a);
		to_jalali(closes, b);
		return nz_fail(err, NZ_EINVAL, "the window opens on %s, after it closes on %s", a, b);
	}
	return 0;
}

int
sel_call_add(struct store *st, const char *secretariat, const char *title, const char *description,
	     const char *opens, const char *closes, const char *author, char id[NZ_RID_MAX],
	     struct nz_err *err)
{
	struct colset *cs;
	char today[11];
	int rc;

	if (secretariat == NULL)
		secretariat = store_node(st);
	if ((rc = check_secretariat(st, secretariat, err)) != 0 ||
	    (rc = check_text("the call's title", title, 300, true, err)) != 0 ||
	    (rc = check_text("the call's description", description, TEXT_MAX_BYTES, false, err)) != 0 ||
	    (rc = check_window(opens, closes, err)) != 0)
		return rc;
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "title", title);
	colset_text(cs, "description", description ? description : "");
	colset_text(cs, "opens", opens);
	colset_text(cs, "closes", closes);
	colset_text(cs, "status", "draft");
	colset_text(cs, "created", today);
	store_new_id(id);
	return write_rec(st, "sel_call", id, secretariat, cs, author, err);
}

/* sel_call_edit_tx checks and writes inside its caller's transaction, so no other write comes between. */
static int
sel_call_edit_tx(struct store *st, const char *id, const char *title, const char *description, const char *opens,
	      const char *closes, const char *author, struct nz_err *err)
{
	struct call c;
	struct colset *cs;
	int rc;

	if ((rc = load_call(st, id, &c, err)) != 0)
		return rc;
	if (c.state != CALL_DRAFT)
		return nz_fail(err, NZ_ESTATE, "call '%s' is %s; only a draft can be edited", id,
			       sel_call_state_name(c.state));
	if ((title != NULL && (rc = check_text("the call's title", title, 300, true, err)) != 0) ||
	    (rc = check_text("the call's description", description, TEXT_MAX_BYTES, false, err)) != 0 ||
	    (rc = check_window(opens ? opens : c.opens, closes ? closes : c.closes, err)) != 0)
		return rc;
	cs = colset_new();
	if (title != NULL)
		colset_text(cs, "title", title);
	if (description != NULL)
		colset_text(cs, "description", description);
	if (opens != NULL)
		colset_text(cs, "opens", opens);
	if (closes != NULL)
		colset_text(cs, "closes", closes);
	if (colset_count(cs) == 0) {
		colset_free(cs);
		return nz_fail(err, NZ_EINVAL, "nothing to change in call '%s'", id);
	}
	return write_rec(st, "sel_call", id, c.owner, cs, author, err);
}

int
sel_call_edit(struct store *st, const char *id, const char *title, const char *description, const char *opens,
	      const char *closes, const char *author, struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_call_edit_tx(st, id, title, description, opens, closes, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

/* count_rows runs a counting query with up to two text parameters. */
static int64_t
count_rows(struct store *st, const char *sql, const char *p1, const char *p2)
{
	sqlite3_stmt *q = store_prepare(st, sql, NULL);
	int64_t n = -1;

	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, p1, -1, SQLITE_TRANSIENT);
	if (p2 != NULL)
		sqlite3_bind_text(q, 2, p2, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return n;
}

/* reviews_missing names the first live applicant of a call with too few complete reviews. */
static int
reviews_missing(struct store *st, const char *call_id, int need, char name[256], int *have)
{
	sqlite3_stmt *q;
	int found = 0;

	q = store_prepare(
		st,
		"SELECT a.name, (SELECT count(*) FROM sel_review r WHERE r.applicant_id = a.id"
		"   AND r.deleted = 0 AND r.total IS NOT NULL) AS n"
		" FROM sel_applicant a WHERE a.call_id = ? AND a.deleted = 0 AND a.status = 'applied'"
		" AND n < ? ORDER BY a.applied_at, a.id LIMIT 1",
		NULL);
	if (q == NULL)
		return -1;
	sqlite3_bind_text(q, 1, call_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, need);
	if (sqlite3_step(q) == SQLITE_ROW) {
		copy(name, 256, col_text(q, 0));
		*have = sqlite3_column_int(q, 1);
		found = 1;
	}
	sqlite3_reset(q);
	return found;
}

int
sel_call_move(struct store *st, const char *id, int to, const char *author, struct nz_err *err)
{
	struct call c;
	struct sel_std s;
	struct colset *cs = NULL;
	char today[11], name[256], when[11];
	int rc, have = 0;

	if (to < CALL_OPEN || to >= NSTATES)
		return nz_fail(err, NZ_EINVAL, "a call moves to open, closed, reviewed or completed");
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = load_call(st, id, &c, err)) != 0)
		goto fail;
	if (c.state < 0) {
		rc = nz_fail(err, NZ_ESTATE, "call '%s' has an unknown status", id);
		goto fail;
	}
	if (to != c.state + 1) {
		if (c.state == CALL_COMPLETED)
			rc = nz_fail(err, NZ_ESTATE, "call '%s' is completed; it cannot become %s", id,
				     sel_call_state_name(to));
		else
			rc = nz_fail(err, NZ_ESTATE, "call '%s' is %s; it can move only to %s, not to %s", id,
				     sel_call_state_name(c.state), sel_call_state_name(c.state + 1),
				     sel_call_state_name(to));
		goto fail;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", sel_call_state_name(to));
	switch (to) {
	case CALL_OPEN:
		if (strcmp(c.closes, today) < 0) {
			to_jalali(c.closes, when);
			rc = nz_fail(err, NZ_ESTATE,
				     "call '%s' closes on %s, which has passed; move its closing date first",
				     id, when);
			goto fail;
		}
		if ((rc = sel_std_load(st, 0, &s, err)) != 0)
			goto fail;
		colset_text(cs, "std_id", s.id);
		colset_int(cs, "std_version", s.version);
		colset_text(cs, "opened_on", today);
		break;
	case CALL_CLOSED:
		colset_text(cs, "closed_on", today);
		break;
	case CALL_REVIEWED:
		if ((rc = call_std(st, &c, &s, err)) != 0)
			goto fail;
		if (s.review_weight > 0) {
			int r = reviews_missing(st, id, s.min_reviewers, name, &have);
			if (r < 0) {
				rc = store_sqlerr(st, err, "count reviews");
				goto fail;
			}
			if (r > 0) {
				rc = nz_fail(
					err, NZ_ESTATE,
					"applicant '%s' has %d complete review(s); the standards ask for %d "
					"before the review is finished",
					name, have, s.min_reviewers);
				goto fail;
			}
		}
		colset_text(cs, "reviewed_on", today);
		break;
	case CALL_COMPLETED: {
		int64_t n = count_rows(
			st,
			"SELECT count(*) FROM sel_interview i JOIN sel_applicant a ON a.id = i.applicant_id"
			" WHERE i.call_id = ? AND i.deleted = 0 AND i.status = 'scheduled'"
			" AND a.deleted = 0 AND a.status = 'applied'",
			id, NULL);
		if (n != 0) {
			rc = nz_fail(
				err, NZ_ESTATE,
				"call '%s' has %lld interview(s) still scheduled; score them or mark them "
				"no-show first",
				id, (long long)n);
			goto fail;
		}
		colset_text(cs, "completed_on", today);
		break;
	}
	}
	if ((rc = store_write(st, "sel_call", id, c.owner, cs, author, err)) != 0)
		goto fail;
	colset_free(cs);
	return store_commit(st, err);
fail:
	colset_free(cs);
	store_rollback(st);
	return rc;
}

json_t *
sel_call_list(struct store *st, const char *under)
{
	return query_json(st,
			  "SELECT id, owner, title, status, opens, closes, std_version, created,"
			  " (SELECT count(*) FROM sel_applicant a WHERE a.call_id = c.id AND a.deleted = 0"
			  "   AND a.status = 'applied') AS applicants,"
			  " (SELECT count(*) FROM sel_appointment p WHERE p.call_id = c.id AND p.deleted = 0"
			  "   AND p.status = 'active') AS appointed"
			  " FROM sel_call c WHERE deleted = 0 AND " UNDER_SQL " ORDER BY created DESC, id",
			  under, NULL, NULL);
}

json_t *
sel_call_get(struct store *st, const char *id)
{
	json_t *rows, *o;

	rows = query_json(st,
			  "SELECT id, owner, title, description, status, opens, closes, std_id, std_version,"
			  " created, opened_on, closed_on, reviewed_on, completed_on,"
			  " (SELECT count(*) FROM sel_applicant a WHERE a.call_id = c.id AND a.deleted = 0"
			  "   AND a.status = 'applied') AS applicants,"
			  " (SELECT count(*) FROM sel_applicant a WHERE a.call_id = c.id AND a.deleted = 0"
			  "   AND a.status = 'withdrawn') AS withdrawn,"
			  " (SELECT count(*) FROM sel_appointment p WHERE p.call_id = c.id AND p.deleted = 0"
			  "   AND p.status = 'active') AS appointed"
			  " FROM sel_call c WHERE id = ? AND deleted = 0",
			  id, NULL, NULL);
	o = json_array_get(rows, 0);
	json_incref(o);
	json_decref(rows);
	return o;
}

/* ---- applicants ---- */

struct applicant {
	char id[NZ_RID_MAX];
	char owner[NZ_ID_MAX];
	char call_id[NZ_RID_MAX];
	char name[NAME_MAX_BYTES + 1];
	char kind[16];
	bool withdrawn;
};

static int
load_applicant(struct store *st, const char *id, struct applicant *a, struct nz_err *err)
{
	sqlite3_stmt *q;
	int rc = 0;

	q = store_prepare(
		st,
		"SELECT owner, call_id, name, kind, status FROM sel_applicant WHERE id = ? AND deleted = 0",
		err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW) {
		copy(a->id, sizeof(a->id), id);
		copy(a->owner, sizeof(a->owner), col_text(q, 0));
		copy(a->call_id, sizeof(a->call_id), col_text(q, 1));
		copy(a->name, sizeof(a->name), col_text(q, 2));
		copy(a->kind, sizeof(a->kind), col_text(q, 3));
		a->withdrawn = strcmp(col_text(q, 4), "withdrawn") == 0;
	} else {
		rc = nz_fail(err, NZ_ENOTFOUND, "no applicant with id '%s'", id);
	}
	sqlite3_reset(q);
	return rc;
}

/* load_both loads an applicant and its call; a withdrawn applicant is refused. */
static int
load_both(struct store *st, const char *applicant, struct applicant *a, struct call *c, struct nz_err *err)
{
	int rc;

	if ((rc = load_applicant(st, applicant, a, err)) != 0 ||
	    (rc = load_call(st, a->call_id, c, err)) != 0)
		return rc;
	if (a->withdrawn)
		return nz_fail(err, NZ_ESTATE, "applicant '%s' (%s) has withdrawn", a->id, a->name);
	return 0;
}

static int
check_applicant_in(const struct sel_applicant_in *a, const char **kind, char phone[32], struct nz_err *err)
{
	int rc;

	if ((rc = check_text("the group's name", a->name, NAME_MAX_BYTES, true, err)) != 0 ||
	    (rc = check_text("the contact person", a->contact, NAME_MAX_BYTES, true, err)) != 0 ||
	    (rc = check_text("the phone number", a->phone, 40, true, err)) != 0 ||
	    (rc = check_text("the registration number", a->reg_no, 60, false, err)) != 0 ||
	    (rc = check_text("the activity areas", a->areas, TEXT_MAX_BYTES, false, err)) != 0 ||
	    (rc = check_text("the past activities", a->activities, TEXT_MAX_BYTES, false, err)) != 0)
		return rc;
	if (empty(a->kind))
		return nz_fail(err, NZ_EINVAL,
			       "the group's kind is required (ngo, religious, jihadi, people, other)");
	if ((*kind = kind_key(a->kind)) == NULL)
		return nz_fail(err, NZ_EINVAL,
			       "kind '%s' is not one of ngo, religious, jihadi, people, other", a->kind);
	sel_phone_key(a->phone, phone, 32);
	if (strlen(phone) < 7 || strlen(phone) > 15)
		return nz_fail(err, NZ_EINVAL, "phone number '%s' does not have 7 to 15 digits", a->phone);
	if (a->members < -1 || a->members > 100000)
		return nz_fail(err, NZ_EINVAL, "member count %ld must lie within 0..100000", a->members);
	if (a->years < -1 || a->years > 200)
		return nz_fail(err, NZ_EINVAL, "years active %ld must lie within 0..200", a->years);
	return 0;
}

int
sel_apply(struct store *st, const char *call_id, const struct sel_applicant_in *a, const char *author,
	  char id[NZ_RID_MAX], struct nz_err *err)
{
	struct call c;
	struct colset *cs = NULL;
	const char *kind = NULL;
	char phone[32], name_k[512], reg_k[128], today[11], when[11];
	sqlite3_stmt *q;
	int rc;

	if ((rc = check_applicant_in(a, &kind, phone, err)) != 0)
		return rc;
	norm_key(a->name, name_k, sizeof(name_k));
	norm_key(a->reg_no, reg_k, sizeof(reg_k));
	nz_today(today);
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = load_call(st, call_id, &c, err)) != 0)
		goto fail;
	if (c.state != CALL_OPEN) {
		rc = nz_fail(err, NZ_ESTATE,
			     "call '%s' is %s; applications are accepted only while it is open", call_id,
			     sel_call_state_name(c.state));
		goto fail;
	}
	if (strcmp(today, c.closes) > 0) {
		to_jalali(c.closes, when);
		rc = nz_fail(err, NZ_ESTATE, "call '%s' stopped taking applications on %s; this one is late",
			     call_id, when);
		goto fail;
	}
	if (strcmp(today, c.opens) < 0) {
		to_jalali(c.opens, when);
		rc = nz_fail(err, NZ_ESTATE, "call '%s' takes applications from %s, not yet", call_id, when);
		goto fail;
	}
	q = store_prepare(st,
			  "SELECT id, name, reg_key = ?2 AND ?2 != '' FROM sel_applicant"
			  " WHERE call_id = ?1 AND deleted = 0 AND status = 'applied'"
			  " AND ((?2 != '' AND reg_key = ?2) OR (name_key = ?3 AND phone_key = ?4))"
			  " ORDER BY applied_at, id LIMIT 1",
			  err);
	if (q == NULL) {
		rc = NZ_EDB;
		goto fail;
	}
	sqlite3_bind_text(q, 1, call_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, reg_k, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 3, name_k, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 4, phone, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW) {
		if (sqlite3_column_int(q, 2))
			rc = nz_fail(err, NZ_EEXIST,
				     "'%s' applied to call '%s' already as applicant '%s' with registration "
				     "number %s; this looks like a duplicate",
				     col_text(q, 1), call_id, col_text(q, 0), a->reg_no);
		else
			rc = nz_fail(
				err, NZ_EEXIST,
				"'%s' applied to call '%s' already as applicant '%s' with the same name and "
				"phone; this looks like a duplicate",
				col_text(q, 1), call_id, col_text(q, 0));
		sqlite3_reset(q);
		goto fail;
	}
	sqlite3_reset(q);
	cs = colset_new();
	colset_text(cs, "call_id", call_id);
	colset_text(cs, "name", a->name);
	colset_text(cs, "kind", kind);
	colset_text(cs, "reg_no", a->reg_no ? a->reg_no : "");
	colset_text(cs, "contact", a->contact);
	colset_text(cs, "phone", a->phone);
	if (a->members >= 0)
		colset_int(cs, "members", a->members);
	if (a->years >= 0)
		colset_int(cs, "years", a->years);
	colset_text(cs, "areas", a->areas ? a->areas : "");
	colset_text(cs, "activities", a->activities ? a->activities : "");
	colset_text(cs, "applied", today);
	colset_int(cs, "applied_at", now_ms());
	colset_text(cs, "status", "applied");
	colset_text(cs, "name_key", name_k);
	colset_text(cs, "phone_key", phone);
	colset_text(cs, "reg_key", reg_k);
	store_new_id(id);
	rc = write_rec(st, "sel_applicant", id, c.owner, cs, author, err);
	if (rc != 0)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return rc;
}

/* sel_applicant_withdraw_tx checks and writes inside its caller's transaction, so no other write comes between. */
static int
sel_applicant_withdraw_tx(struct store *st, const char *id, const char *reason, const char *author,
		       struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct colset *cs;
	int rc;

	if ((rc = check_text("the reason", reason, 1000, true, err)) != 0 ||
	    (rc = load_both(st, id, &a, &c, err)) != 0)
		return rc;
	if (c.state == CALL_COMPLETED)
		return nz_fail(err, NZ_ESTATE, "call '%s' is completed; its applicants stay as they are",
			       c.id);
	if (count_rows(st,
		       "SELECT count(*) FROM sel_appointment WHERE applicant_id = ? AND deleted = 0"
		       " AND status = 'active'",
		       id, NULL) > 0)
		return nz_fail(err, NZ_ESTATE,
			       "applicant '%s' (%s) is appointed; revoke the appointment instead", id,
			       a.name);
	cs = colset_new();
	colset_text(cs, "status", "withdrawn");
	colset_text(cs, "withdrawn_reason", reason);
	return write_rec(st, "sel_applicant", id, a.owner, cs, author, err);
}

int
sel_applicant_withdraw(struct store *st, const char *id, const char *reason, const char *author,
		       struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_applicant_withdraw_tx(st, id, reason, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

json_t *
sel_applicant_list(struct store *st, const char *call_id)
{
	return query_json(
		st,
		"SELECT id, owner, call_id, name, kind, reg_no, contact, phone, members, years, areas,"
		" applied, applied_at, status, withdrawn_reason,"
		" (SELECT count(*) FROM sel_doc d WHERE d.applicant_id = a.id AND d.deleted = 0) AS docs"
		" FROM sel_applicant a WHERE call_id = ? AND deleted = 0 ORDER BY applied_at, id",
		call_id, NULL, NULL);
}

json_t *
sel_applicant_get(struct store *st, const char *id)
{
	json_t *rows, *o;

	rows = query_json(
		st,
		"SELECT id, owner, call_id, name, kind, reg_no, contact, phone, members, years, areas,"
		" activities, applied, applied_at, status, withdrawn_reason"
		" FROM sel_applicant WHERE id = ? AND deleted = 0",
		id, NULL, NULL);
	o = json_array_get(rows, 0);
	if (o != NULL) {
		const char *label = sel_kind_label(json_string_value(json_object_get(o, "kind")));
		json_incref(o);
		json_object_set_new(o, "kind_fa", json_string(label != NULL ? label : ""));
		json_object_set_new(
			o, "documents",
			query_json(st,
				   "SELECT id, name, size, sha256, content IS NOT NULL AS stored, added"
				   " FROM sel_doc WHERE applicant_id = ? AND deleted = 0 ORDER BY added, id",
				   id, NULL, NULL));
	}
	json_decref(rows);
	return o;
}

int
sel_doc_add(struct store *st, const char *applicant, const char *name, const void *data, size_t len,
	    bool keep, const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct colset *cs;
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[sizeof(h) * 2 + 1], today[11];
	char *b64 = NULL;
	int rc;

	if ((rc = check_text("the document's name", name, 200, true, err)) != 0 ||
	    (rc = load_both(st, applicant, &a, &c, err)) != 0)
		return rc;
	if (c.state == CALL_COMPLETED)
		return nz_fail(err, NZ_ESTATE, "call '%s' is completed; its files are closed", c.id);
	if (keep && len > SEL_DOC_MAX)
		return nz_fail(err, NZ_ETOOBIG,
			       "document '%s' is %zu bytes; at most %d are kept in the database (record its "
			       "name and checksum only instead)",
			       name, len, SEL_DOC_MAX);
	if (count_rows(st, "SELECT count(*) FROM sel_doc WHERE applicant_id = ? AND deleted = 0", applicant,
		       NULL) >= SEL_DOCS_MAX)
		return nz_fail(err, NZ_ETOOBIG, "applicant '%s' has %d documents already, the most allowed",
			       applicant, SEL_DOCS_MAX);
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "call_id", a.call_id);
	colset_text(cs, "name", name);
	colset_int(cs, "size", (int64_t)len);
	colset_text(cs, "sha256", hex);
	if (keep) {
		size_t n = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
		if ((b64 = malloc(n)) == NULL) {
			colset_free(cs);
			return nz_fail(err, NZ_ENOMEM, "out of memory");
		}
		sodium_bin2base64(b64, n, data, len, sodium_base64_VARIANT_ORIGINAL);
		colset_text(cs, "content", b64);
	}
	colset_text(cs, "added", today);
	store_new_id(id);
	rc = write_rec(st, "sel_doc", id, a.owner, cs, author, err);
	free(b64);
	return rc;
}

int
sel_doc_content(struct store *st, const char *id, unsigned char **data, size_t *len, struct nz_err *err)
{
	sqlite3_stmt *q;
	const char *b64;
	size_t n, cap;
	int rc = 0;

	*data = NULL;
	*len = 0;
	if ((q = store_prepare(st, "SELECT content FROM sel_doc WHERE id = ? AND deleted = 0", err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		rc = nz_fail(err, NZ_ENOTFOUND, "no document with id '%s'", id);
		goto out;
	}
	if ((b64 = (const char *)sqlite3_column_text(q, 0)) == NULL) {
		rc = nz_fail(err, NZ_ENOTFOUND, "document '%s' was recorded by name and checksum only", id);
		goto out;
	}
	n = strlen(b64);
	cap = n / 4 * 3 + 3;
	if ((*data = malloc(cap)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	if (sodium_base642bin(*data, cap, b64, n, NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(*data);
		*data = NULL;
		rc = nz_fail(err, NZ_EDB, "document '%s': stored content is not base64", id);
	}
out:
	sqlite3_reset(q);
	return rc;
}

/* ---- scores ---- */

static void
crit_codes(const struct sel_criterion *list, int n, char *out, size_t size)
{
	size_t w = 0;
	int i;

	out[0] = '\0';
	for (i = 0; i < n && w < size; i++)
		w += (size_t)snprintf(out + w, size - w, "%s%s", i ? ", " : "", list[i].code);
}

/* parse_scores merges "code=score" pairs into scores, each checked against its criterion's bounds. */
static int
parse_scores(const struct sel_criterion *list, int n, const char *what, int npairs, char *const *pairs,
	     json_t *scores, struct nz_err *err)
{
	char code[SEL_CODE_MAX + 1], codes[SEL_CRIT_MAX * (SEL_CODE_MAX + 2)];
	const struct sel_criterion *c;
	double v;
	int i;

	if (npairs <= 0)
		return nz_fail(err, NZ_EINVAL, "no scores given: give CODE=SCORE for the %s criteria", what);
	for (i = 0; i < npairs; i++) {
		const char *eq = strchr(pairs[i], '=');
		if (eq == NULL || eq == pairs[i] || (size_t)(eq - pairs[i]) >= sizeof(code))
			return nz_fail(err, NZ_EINVAL, "'%s' is not CODE=SCORE", pairs[i]);
		memcpy(code, pairs[i], (size_t)(eq - pairs[i]));
		code[eq - pairs[i]] = '\0';
		if ((c = sel_crit_find(list, n, code)) == NULL) {
			crit_codes(list, n, codes, sizeof(codes));
			return nz_fail(err, NZ_EINVAL, "'%s' is not a %s criterion of these standards (%s)",
				       code, what, codes);
		}
		if (sel_parse_number(eq + 1, &v) != 0)
			return nz_fail(err, NZ_EINVAL, "score '%s' for '%s' is not a number", eq + 1, code);
		if (v < c->min || v > c->max)
			return nz_fail(err, NZ_EINVAL, "score %g for '%s' lies outside its bounds %g..%g", v,
				       code, c->min, c->max);
		json_object_set_new(scores, code, json_real(v));
	}
	return 0;
}

/*
 * weighted_total computes the 0..100 weighted total of scores over list;
 * false, with the first unscored criterion in *missing, when incomplete.
 */
static bool
weighted_total(const struct sel_criterion *list, int n, json_t *scores, double *total, const char **missing)
{
	double sum = 0, wsum = 0;
	int i;

	for (i = 0; i < n; i++) {
		json_t *v = json_object_get(scores, list[i].code);
		if (!json_is_number(v)) {
			if (missing != NULL)
				*missing = list[i].code;
			return false;
		}
		sum += list[i].weight * (json_number_value(v) - list[i].min) / (list[i].max - list[i].min);
		wsum += list[i].weight;
	}
	*total = wsum > 0 ? sel_round2(100.0 * sum / wsum) : 0;
	return true;
}

static json_t *
stored_scores(struct store *st, const char *sql, const char *rid)
{
	sqlite3_stmt *q = store_prepare(st, sql, NULL);
	json_t *j = NULL;

	if (q == NULL)
		return json_object();
	sqlite3_bind_text(q, 1, rid, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW)
		j = parse_json_object((const char *)sqlite3_column_text(q, 0));
	sqlite3_reset(q);
	return j != NULL ? j : json_object();
}

/* ---- review and weighting ---- */

int
sel_review_score(struct store *st, const char *applicant, const char *reviewer, int npairs,
		 char *const *pairs, const char *author, struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct colset *cs = NULL;
	json_t *scores = NULL;
	char rid[NZ_RID_MAX], today[11], *text = NULL;
	double total;
	int rc;

	if ((rc = check_text("the reviewer", reviewer, 64, true, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = load_both(st, applicant, &a, &c, err)) != 0)
		goto out;
	if (c.state != CALL_CLOSED) {
		rc = nz_fail(err, NZ_ESTATE, "call '%s' is %s; %s", c.id, sel_call_state_name(c.state),
			     c.state < CALL_CLOSED ? "reviews start when it closes"
						   : "its review scores are final");
		goto out;
	}
	if ((rc = call_std(st, &c, &s, err)) != 0)
		goto out;
	if (s.nreview == 0) {
		rc = nz_fail(err, NZ_EINVAL, "the standards of call '%s' have no review criteria", c.id);
		goto out;
	}
	derived_id("rv-", applicant, reviewer, rid);
	scores = stored_scores(st, "SELECT scores FROM sel_review WHERE id = ? AND deleted = 0", rid);
	if ((rc = parse_scores(s.review, s.nreview, "review", npairs, pairs, scores, err)) != 0)
		goto out;
	if ((text = json_dumps(scores, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "reviewer", reviewer);
	colset_text(cs, "scores", text);
	if (weighted_total(s.review, s.nreview, scores, &total, NULL))
		colset_real(cs, "total", total);
	else
		colset_null(cs, "total");
	colset_text(cs, "updated", today);
	rc = store_write(st, "sel_review", rid, a.owner, cs, author, err);
out:
	colset_free(cs);
	json_decref(scores);
	free(text);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

json_t *
sel_review_list(struct store *st, const char *applicant, const char *call_id)
{
	json_t *rows = query_json(
		st,
		"SELECT r.id, r.owner, r.call_id, r.applicant_id, a.name, r.reviewer, r.scores,"
		" r.total, r.updated FROM sel_review r JOIN sel_applicant a ON a.id = r.applicant_id"
		" WHERE r.deleted = 0 AND (?1 IS NULL OR r.applicant_id = ?1)"
		" AND (?2 IS NULL OR r.call_id = ?2) ORDER BY a.applied_at, a.id, r.reviewer",
		applicant, call_id, NULL);

	expand_json(rows, "scores");
	return rows;
}

/* ---- interviews ---- */

struct interview {
	bool exists;
	char status[16];
};

static int
load_interview(struct store *st, const char *rid, struct interview *iv, struct nz_err *err)
{
	sqlite3_stmt *q =
		store_prepare(st, "SELECT status FROM sel_interview WHERE id = ? AND deleted = 0", err);

	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, rid, -1, SQLITE_TRANSIENT);
	iv->exists = sqlite3_step(q) == SQLITE_ROW;
	copy(iv->status, sizeof(iv->status), iv->exists ? col_text(q, 0) : "");
	sqlite3_reset(q);
	return 0;
}

/* interview_ready loads what an interview operation needs and checks the call's state. */
static int
interview_ready(struct store *st, const char *applicant, struct applicant *a, struct call *c,
		struct sel_std *s, char rid[NZ_RID_MAX], struct interview *iv, struct nz_err *err)
{
	int rc;

	if ((rc = load_both(st, applicant, a, c, err)) != 0)
		return rc;
	if (c->state != CALL_CLOSED && c->state != CALL_REVIEWED)
		return nz_fail(
			err, NZ_ESTATE,
			"call '%s' is %s; interviews take place once it is closed and until it is completed",
			c->id, sel_call_state_name(c->state));
	if ((rc = call_std(st, c, s, err)) != 0)
		return rc;
	if (s->ninterview == 0)
		return nz_fail(err, NZ_EINVAL, "the standards of call '%s' have no interview criteria",
			       c->id);
	derived_id("iv-", applicant, "", rid);
	return load_interview(st, rid, iv, err);
}

static bool
time_ok(const char *t)
{
	return t != NULL && strlen(t) == 5 && t[0] >= '0' && t[0] <= '2' && t[1] >= '0' && t[1] <= '9' &&
	       t[2] == ':' && t[3] >= '0' && t[3] <= '5' && t[4] >= '0' && t[4] <= '9' &&
	       (t[0] - '0') * 10 + (t[1] - '0') < 24;
}

int
sel_interview_schedule(struct store *st, const char *applicant, const char *date, const char *time,
		       const char *place, const char *panel, const char *author, struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct interview iv;
	struct colset *cs;
	char rid[NZ_RID_MAX], today[11];
	int rc;

	if ((rc = check_date("the interview's date", date, err)) != 0 ||
	    (rc = check_text("the interview panel", panel, 1000, true, err)) != 0 ||
	    (rc = check_text("the interview's place", place, 300, false, err)) != 0)
		return rc;
	if (!time_ok(time))
		return nz_fail(err, NZ_EINVAL, "interview time '%s' is not HH:MM (00:00 to 23:59)",
			       time ? time : "");
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = interview_ready(st, applicant, &a, &c, &s, rid, &iv, err)) != 0)
		goto fail;
	if (iv.exists && strcmp(iv.status, "held") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "the interview of '%s' (%s) has been held already", applicant,
			     a.name);
		goto fail;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "date", date);
	colset_text(cs, "time", time);
	colset_text(cs, "place", place ? place : "");
	colset_text(cs, "panel", panel);
	colset_text(cs, "status", "scheduled");
	colset_text(cs, "updated", today);
	if ((rc = write_rec(st, "sel_interview", rid, a.owner, cs, author, err)) != 0)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return rc;
}

int
sel_interview_score(struct store *st, const char *applicant, int npairs, char *const *pairs,
		    const char *notes, const char *author, struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct interview iv;
	struct colset *cs = NULL;
	json_t *scores = NULL;
	const char *missing = NULL;
	char rid[NZ_RID_MAX], today[11], *text = NULL;
	double total;
	int rc;

	if ((rc = check_text("the notes", notes, TEXT_MAX_BYTES, false, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = interview_ready(st, applicant, &a, &c, &s, rid, &iv, err)) != 0)
		goto out;
	if (!iv.exists || strcmp(iv.status, "no_show") == 0) {
		rc = nz_fail(err, NZ_ESTATE, "the interview of '%s' (%s) is not scheduled; schedule it first",
			     applicant, a.name);
		goto out;
	}
	scores = stored_scores(st, "SELECT scores FROM sel_interview WHERE id = ? AND deleted = 0", rid);
	if ((rc = parse_scores(s.interview, s.ninterview, "interview", npairs, pairs, scores, err)) != 0)
		goto out;
	if (!weighted_total(s.interview, s.ninterview, scores, &total, &missing)) {
		rc = nz_fail(err, NZ_EINVAL, "an interview is scored on every criterion; '%s' has no score",
			     missing);
		goto out;
	}
	if ((text = json_dumps(scores, JSON_COMPACT | JSON_SORT_KEYS)) == NULL) {
		rc = nz_fail(err, NZ_ENOMEM, "out of memory");
		goto out;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", "held");
	colset_text(cs, "scores", text);
	colset_real(cs, "total", total);
	if (notes != NULL)
		colset_text(cs, "notes", notes);
	colset_text(cs, "updated", today);
	rc = store_write(st, "sel_interview", rid, a.owner, cs, author, err);
out:
	colset_free(cs);
	json_decref(scores);
	free(text);
	if (rc != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

int
sel_interview_noshow(struct store *st, const char *applicant, const char *notes, const char *author,
		     struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s;
	struct interview iv;
	struct colset *cs;
	char rid[NZ_RID_MAX], today[11];
	int rc;

	if ((rc = check_text("the notes", notes, TEXT_MAX_BYTES, false, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = interview_ready(st, applicant, &a, &c, &s, rid, &iv, err)) != 0)
		goto fail;
	if (!iv.exists || strcmp(iv.status, "scheduled") != 0) {
		rc = nz_fail(err, NZ_ESTATE,
			     "the interview of '%s' (%s) is %s; only a scheduled one can be missed",
			     applicant, a.name, iv.exists ? iv.status : "not scheduled");
		goto fail;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", "no_show");
	colset_null(cs, "total");
	if (notes != NULL)
		colset_text(cs, "notes", notes);
	colset_text(cs, "updated", today);
	if ((rc = write_rec(st, "sel_interview", rid, a.owner, cs, author, err)) != 0)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return rc;
}

json_t *
sel_interview_list(struct store *st, const char *call_id)
{
	json_t *rows =
		query_json(st,
			   "SELECT i.id, i.owner, i.applicant_id, a.name, i.date, i.time, i.place, i.panel,"
			   " i.status, i.scores, i.total, i.notes FROM sel_interview i"
			   " JOIN sel_applicant a ON a.id = i.applicant_id"
			   " WHERE i.call_id = ? AND i.deleted = 0 AND a.deleted = 0"
			   " ORDER BY i.date, i.time, a.applied_at, a.id",
			   call_id, NULL, NULL);

	expand_json(rows, "scores");
	return rows;
}

/* ---- ranking and qualification ---- */

enum { IV_NONE, IV_SCHEDULED, IV_HELD, IV_NOSHOW };
static const char *const iv_names[] = {"none", "scheduled", "held", "no_show"};

struct rrow {
	char id[NZ_RID_MAX];
	char name[NAME_MAX_BYTES + 1];
	char kind[16];
	bool withdrawn;
	int64_t applied_at;
	int nrev;
	double rsum, rmin, rmax;
	int iv;
	double interview;
	bool has_combined, flagged, qualified;
	double review, spread, combined;
	char reason[200];
	char appt[NZ_RID_MAX];
	char decree_no[SEL_DECREE_NO_MAX];
	int rank;
};

#define RANK_MAX 100000

static struct rrow *
rrow_find(struct rrow *rows, int n, const char *id)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].id, id) == 0)
			return &rows[i];
	return NULL;
}

static long long
hundredths(double x)
{
	return llround(x * 100.0);
}

static int
rrow_cmp(const void *pa, const void *pb)
{
	const struct rrow *a = pa, *b = pb;
	long long x, y;

	if (a->has_combined != b->has_combined)
		return a->has_combined ? -1 : 1;
	if (a->has_combined) {
		if ((x = hundredths(a->combined)) != (y = hundredths(b->combined)))
			return x > y ? -1 : 1;
		if ((x = hundredths(a->interview)) != (y = hundredths(b->interview)))
			return x > y ? -1 : 1;
		if ((x = hundredths(a->review)) != (y = hundredths(b->review)))
			return x > y ? -1 : 1;
	}
	if (a->applied_at != b->applied_at)
		return a->applied_at < b->applied_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

/* rank_build computes the ranked list of call c under s into *out (the caller frees it). */
static int
rank_build(struct store *st, const struct call *c, const struct sel_std *s, struct rrow **out, int *nout,
	   struct nz_err *err)
{
	struct rrow *rows = NULL, *r;
	sqlite3_stmt *q;
	int n = 0, cap = 0, i, rank = 0;
	bool need_review = s->review_weight > 0, need_interview = s->interview_weight > 0;

	*out = NULL;
	*nout = 0;
	q = store_prepare(st,
			  "SELECT id, name, kind, status, applied_at FROM sel_applicant"
			  " WHERE call_id = ? AND deleted = 0 ORDER BY applied_at, id",
			  err);
	if (q == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW && n < RANK_MAX) {
		if (n == cap) {
			struct rrow *grown =
				realloc(rows, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*rows));
			if (grown == NULL) {
				sqlite3_reset(q);
				free(rows);
				return nz_fail(err, NZ_ENOMEM, "out of memory");
			}
			rows = grown;
		}
		r = &rows[n++];
		memset(r, 0, sizeof(*r));
		copy(r->id, sizeof(r->id), col_text(q, 0));
		copy(r->name, sizeof(r->name), col_text(q, 1));
		copy(r->kind, sizeof(r->kind), col_text(q, 2));
		r->withdrawn = strcmp(col_text(q, 3), "withdrawn") == 0;
		r->applied_at = sqlite3_column_int64(q, 4);
	}
	sqlite3_reset(q);

	q = store_prepare(st,
			  "SELECT applicant_id, total FROM sel_review WHERE call_id = ? AND deleted = 0"
			  " AND total IS NOT NULL",
			  err);
	if (q == NULL)
		goto dberr;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		double t = sqlite3_column_double(q, 1);
		if ((r = rrow_find(rows, n, col_text(q, 0))) == NULL)
			continue;
		r->rmin = r->nrev == 0 || t < r->rmin ? t : r->rmin;
		r->rmax = r->nrev == 0 || t > r->rmax ? t : r->rmax;
		r->rsum += t;
		r->nrev++;
	}
	sqlite3_reset(q);

	q = store_prepare(
		st, "SELECT applicant_id, status, total FROM sel_interview WHERE call_id = ? AND deleted = 0",
		err);
	if (q == NULL)
		goto dberr;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		const char *status = col_text(q, 1);
		if ((r = rrow_find(rows, n, col_text(q, 0))) == NULL)
			continue;
		r->iv = strcmp(status, "held") == 0      ? IV_HELD
			: strcmp(status, "no_show") == 0 ? IV_NOSHOW
							 : IV_SCHEDULED;
		if (r->iv == IV_HELD)
			r->interview = sqlite3_column_double(q, 2);
	}
	sqlite3_reset(q);

	q = store_prepare(
		st,
		"SELECT applicant_id, id, decree_no FROM sel_appointment WHERE call_id = ? AND deleted = 0"
		" AND status = 'active' ORDER BY id",
		err);
	if (q == NULL)
		goto dberr;
	sqlite3_bind_text(q, 1, c->id, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(q) == SQLITE_ROW) {
		if ((r = rrow_find(rows, n, col_text(q, 0))) == NULL || r->appt[0] != '\0')
			continue;
		copy(r->appt, sizeof(r->appt), col_text(q, 1));
		copy(r->decree_no, sizeof(r->decree_no), col_text(q, 2));
	}
	sqlite3_reset(q);

	for (i = 0; i < n; i++) {
		r = &rows[i];
		if (r->nrev > 0) {
			r->review = sel_round2(r->rsum / r->nrev);
			r->spread = sel_round2(r->rmax - r->rmin);
			r->flagged = r->nrev >= 2 && hundredths(r->spread) > hundredths(s->disagreement);
		}
		if (!r->withdrawn && (!need_review || r->nrev > 0) && (!need_interview || r->iv == IV_HELD)) {
			r->has_combined = true;
			r->combined = sel_round2(
				(s->review_weight * r->review + s->interview_weight * r->interview) / 100.0);
		}
		if (r->withdrawn)
			snprintf(r->reason, sizeof(r->reason), "withdrawn");
		else if (need_review && r->nrev < s->min_reviewers)
			snprintf(r->reason, sizeof(r->reason), "%d of %d reviews", r->nrev, s->min_reviewers);
		else if (need_interview && r->iv == IV_NOSHOW)
			snprintf(r->reason, sizeof(r->reason), "did not come to the interview");
		else if (need_interview && r->iv != IV_HELD)
			snprintf(r->reason, sizeof(r->reason), "not interviewed yet");
		else if (hundredths(r->combined) < hundredths(s->threshold))
			snprintf(r->reason, sizeof(r->reason),
				 "combined score %.2f is below the threshold %.2f", r->combined,
				 s->threshold);
		else
			r->qualified = true;
	}
	if (n > 1)
		qsort(rows, (size_t)n, sizeof(*rows), rrow_cmp);
	for (i = 0; i < n; i++)
		rows[i].rank = rows[i].has_combined ? ++rank : 0;
	*out = rows;
	*nout = n;
	return 0;
dberr:
	free(rows);
	return NZ_EDB;
}

static json_t *
score_json(bool has, double v)
{
	return has ? json_real(v) : json_null();
}

json_t *
sel_rank(struct store *st, const char *call_id, struct nz_err *err)
{
	struct call c;
	struct sel_std s;
	struct rrow *rows;
	json_t *a;
	int n, i;

	if (load_call(st, call_id, &c, err) != 0 || call_std(st, &c, &s, err) != 0 ||
	    rank_build(st, &c, &s, &rows, &n, err) != 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++) {
		struct rrow *r = &rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "rank", r->rank ? json_integer(r->rank) : json_null());
		json_object_set_new(o, "applicant_id", json_string(r->id));
		json_object_set_new(o, "name", json_string(r->name));
		json_object_set_new(o, "kind", json_string(r->kind));
		json_object_set_new(o, "reviews", json_integer(r->nrev));
		json_object_set_new(o, "review", score_json(r->nrev > 0, r->review));
		json_object_set_new(o, "spread", score_json(r->nrev > 1, r->spread));
		json_object_set_new(o, "flagged", json_boolean(r->flagged));
		json_object_set_new(o, "interview_status", json_string(iv_names[r->iv]));
		json_object_set_new(o, "interview", score_json(r->iv == IV_HELD, r->interview));
		json_object_set_new(o, "combined", score_json(r->has_combined, r->combined));
		json_object_set_new(o, "qualified", json_boolean(r->qualified));
		json_object_set_new(o, "reason", json_string(r->reason));
		json_object_set_new(o, "appointment_id", r->appt[0] ? json_string(r->appt) : json_null());
		json_object_set_new(o, "decree_no", r->appt[0] ? json_string(r->decree_no) : json_null());
		json_object_set_new(o, "threshold", json_real(s.threshold));
		json_object_set_new(o, "std_version", json_integer(s.version));
		json_array_append_new(a, o);
	}
	free(rows);
	return a;
}

static void
csv_field(FILE *out, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

int
sel_rank_csv(json_t *rows, FILE *out)
{
	static const char *const cols[] = {"rank",      "applicant_id",   "name",
					   "kind",      "reviews",        "review",
					   "spread",    "flagged",        "interview_status",
					   "interview", "combined",       "qualified",
					   "reason",    "appointment_id", "decree_no",
					   NULL};
	size_t i;
	json_t *r;
	int j;

	for (j = 0; cols[j] != NULL; j++)
		fprintf(out, "%s%s", j ? "," : "", cols[j]);
	fputs("\r\n", out);
	json_array_foreach(rows, i, r) {
		for (j = 0; cols[j] != NULL; j++) {
			json_t *v = json_object_get(r, cols[j]);
			char buf[64];
			if (j)
				fputc(',', out);
			if (json_is_string(v)) {
				csv_field(out, json_string_value(v));
			} else if (json_is_integer(v)) {
				fprintf(out, "%lld", (long long)json_integer_value(v));
			} else if (json_is_real(v)) {
				snprintf(buf, sizeof(buf), "%.2f", json_real_value(v));
				fputs(buf, out);
			} else if (json_is_boolean(v)) {
				fputs(json_is_true(v) ? "yes" : "no", out);
			}
		}
		fputs("\r\n", out);
	}
	return ferror(out) ? NZ_EIO : 0;
}

/* ---- appointments and decrees ---- */

/* jalali_year returns the Jalali year of an ISO date, or 0. */
static int
jalali_year(const char *iso)
{
	struct jdate j;
	int y, m, d;

	if (iso_parse(iso, &y, &m, &d, NULL) != 0 || jalali_from_gregorian(y, m, d, &j) != 0)
		return 0;
	return j.y;
}

/* term_end writes the last day of a term of months starting on start: the day before the same Jalali day
 * months later. */
static int
term_end(const char *start, int months, char out[11])
{
	struct jdate j;
	int y, m, d, dim;
	char next[11];

	if (iso_parse(start, &y, &m, &d, NULL) != 0 || jalali_from_gregorian(y, m, d, &j) != 0)
		return NZ_EINVAL;
	j.m += months;
	j.y += (j.m - 1) / 12;
	j.m = (j.m - 1) % 12 + 1;
	if ((dim = jalali_month_days(j.y, j.m)) == 0)
		return NZ_EINVAL;
	if (j.d > dim)
		j.d = dim;
	if (jalali_to_gregorian(&j, &y, &m, &d) != 0)
		return NZ_EINVAL;
	snprintf(next, sizeof(next), "%04d-%02d-%02d", y, m, d);
	return iso_add_days(next, -1, out);
}

static bool
decree_no_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) >= SEL_DECREE_NO_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return false;
	return true;
}

/* own_seq reads the sequence of a number in this secretariat's format for year, or returns 0. */
static int
own_seq(const char *number, const char *owner, int year)
{
	char prefix[NZ_ID_MAX + 8];
	const char *p;
	char *end;
	long v;

	snprintf(prefix, sizeof(prefix), "%s/%d/", owner, year);
	if (strncmp(number, prefix, strlen(prefix)) != 0)
		return 0;
	p = number + strlen(prefix);
	v = strtol(p, &end, 10);
	return *p >= '0' && *p <= '9' && *end == '\0' && v > 0 && v < 1000000 ? (int)v : 0;
}

int
sel_appoint(struct store *st, const char *applicant, const char *date, int term_months, const char *number,
	    const char *author, char appt_id[NZ_RID_MAX], char decree_no[SEL_DECREE_NO_MAX],
	    struct nz_err *err)
{
	struct applicant a;
	struct call c;
	struct sel_std s, cur;
	struct rrow *rows = NULL, *r;
	struct colset *cs = NULL;
	char day[11], end[11], decree_id[NZ_RID_MAX];
	int64_t active;
	int nrows = 0, year, seq = 0, quota, rc;
	sqlite3_stmt *q;

	appt_id[0] = decree_no[0] = '\0';
	if (date != NULL && (rc = check_date("the decree's date", date, err)) != 0)
		return rc;
	if (term_months != 0 && (term_months < 1 || term_months > 60))
		return nz_fail(err, NZ_EINVAL, "a term of %d months is outside 1..60", term_months);
	if (number != NULL && !decree_no_ok(number))
		return nz_fail(err, NZ_EINVAL, "decree number '%s' must be 1-%d printable characters", number,
			       SEL_DECREE_NO_MAX - 1);
	if (date != NULL)
		copy(day, sizeof(day), date);
	else
		nz_today(day);
	if ((year = jalali_year(day)) == 0)
		return nz_fail(err, NZ_EINVAL, "date '%s' has no Jalali year", day);

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = load_both(st, applicant, &a, &c, err)) != 0)
		goto fail;
	if (c.state != CALL_REVIEWED) {
		rc = nz_fail(err, NZ_ESTATE, "call '%s' is %s; %s", c.id, sel_call_state_name(c.state),
			     c.state < CALL_REVIEWED ? "groups are selected once its review is finished"
						     : "open a new call to fill a place");
		goto fail;
	}
	if ((rc = call_std(st, &c, &s, err)) != 0 || (rc = rank_build(st, &c, &s, &rows, &nrows, err)) != 0)
		goto fail;
	if ((r = rrow_find(rows, nrows, applicant)) == NULL) {
		rc = nz_fail(err, NZ_ENOTFOUND, "applicant '%s' is not in call '%s'", applicant, c.id);
		goto fail;
	}
	if (count_rows(st,
		       "SELECT count(*) FROM sel_appointment WHERE applicant_id = ? AND deleted = 0"
		       " AND status = 'active'",
		       applicant, NULL) > 0) {
		rc = nz_fail(err, NZ_EEXIST, "'%s' (%s) is appointed already", a.name, applicant);
		goto fail;
	}
	if (!r->qualified) {
		rc = nz_fail(err, NZ_ESTATE, "'%s' (%s) does not qualify: %s", a.name, applicant, r->reason);
		goto fail;
	}
	/* Quotas bound the groups a secretariat holds, not one call: the latest standards set them. */
	if (sel_std_load(st, 0, &cur, NULL) != 0)
		cur = s;
	quota = sel_std_quota(&cur, c.owner);
	active = count_rows(
		st,
		"SELECT count(*) FROM sel_appointment WHERE owner = ? AND deleted = 0 AND status = 'active'",
		c.owner, NULL);
	if (active < 0) {
		rc = store_sqlerr(st, err, "count appointments");
		goto fail;
	}
	if (active >= quota) {
		rc = nz_fail(
			err, NZ_EQUOTA,
			"%s holds %lld active appointment(s), its quota of %d; revoke one to free a place",
			c.owner, (long long)active, quota);
		goto fail;
	}
	if (number != NULL) {
		copy(decree_no, SEL_DECREE_NO_MAX, number);
		seq = own_seq(number, c.owner, year);
	} else {
		if ((q = store_prepare(
			     st,
			     "SELECT coalesce(max(seq), 0) FROM sel_decree WHERE owner = ? AND year = ?"
			     " AND deleted = 0",
			     err)) == NULL) {
			rc = NZ_EDB;
			goto fail;
		}
		sqlite3_bind_text(q, 1, c.owner, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(q, 2, year);
		seq = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int(q, 0) + 1 : 1;
		sqlite3_reset(q);
		snprintf(decree_no, SEL_DECREE_NO_MAX, "%s/%d/%04d", c.owner, year, seq);
	}
	if (count_rows(st, "SELECT count(*) FROM sel_decree WHERE owner = ? AND number = ? AND deleted = 0",
		       c.owner, decree_no) != 0) {
		rc = nz_fail(err, NZ_EEXIST, "decree number %s is used already by %s", decree_no, c.owner);
		goto fail;
	}
	if (term_months == 0)
		term_months = s.term_months;
	if (term_end(day, term_months, end) != 0) {
		rc = nz_fail(err, NZ_EINVAL, "a term of %d months from %s leaves the calendar", term_months,
			     day);
		goto fail;
	}
	store_new_id(appt_id);
	store_new_id(decree_id);
	cs = colset_new();
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "group_name", a.name);
	colset_int(cs, "rank", r->rank);
	colset_real(cs, "combined", r->combined);
	colset_text(cs, "status", "active");
	colset_text(cs, "appointed", day);
	colset_text(cs, "term_start", day);
	colset_text(cs, "term_end", end);
	colset_text(cs, "decree_id", decree_id);
	colset_text(cs, "decree_no", decree_no);
	colset_text(cs, "by_node", store_node(st));
	if ((rc = write_rec(st, "sel_appointment", appt_id, c.owner, cs, author, err)) != 0)
		goto fail;
	cs = colset_new();
	colset_text(cs, "appointment_id", appt_id);
	colset_text(cs, "call_id", c.id);
	colset_text(cs, "applicant_id", applicant);
	colset_text(cs, "number", decree_no);
	colset_int(cs, "year", year);
	if (seq > 0)
		colset_int(cs, "seq", seq);
	colset_text(cs, "date", day);
	colset_int(cs, "term_months", term_months);
	colset_text(cs, "term_start", day);
	colset_text(cs, "term_end", end);
	colset_text(cs, "group_name", a.name);
	colset_text(cs, "group_kind", a.kind);
	colset_text(cs, "by_node", store_node(st));
	if ((rc = write_rec(st, "sel_decree", decree_id, c.owner, cs, author, err)) != 0)
		goto fail;
	free(rows);
	return store_commit(st, err);
fail:
	free(rows);
	store_rollback(st);
	appt_id[0] = decree_no[0] = '\0';
	return rc;
}

int
sel_revoke(struct store *st, const char *appt_id, const char *reason, const char *author, struct nz_err *err)
{
	struct colset *cs;
	sqlite3_stmt *q;
	char owner[NZ_ID_MAX], status[16], today[11];
	int rc;

	if ((rc = check_text("the reason for revoking", reason, 1000, true, err)) != 0)
		return rc;
	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((q = store_prepare(st, "SELECT owner, status FROM sel_appointment WHERE id = ? AND deleted = 0",
			       err)) == NULL) {
		rc = NZ_EDB;
		goto fail;
	}
	sqlite3_bind_text(q, 1, appt_id, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		sqlite3_reset(q);
		rc = nz_fail(err, NZ_ENOTFOUND, "no appointment with id '%s'", appt_id);
		goto fail;
	}
	copy(owner, sizeof(owner), col_text(q, 0));
	copy(status, sizeof(status), col_text(q, 1));
	sqlite3_reset(q);
	if (strcmp(status, "active") != 0) {
		rc = nz_fail(err, NZ_ESTATE, "appointment '%s' is %s already", appt_id, status);
		goto fail;
	}
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "status", "revoked");
	colset_text(cs, "revoked", today);
	colset_text(cs, "revoke_reason", reason);
	if ((rc = write_rec(st, "sel_appointment", appt_id, owner, cs, author, err)) != 0)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return rc;
}

json_t *
sel_appoint_list(struct store *st, const char *under, const char *call_id, bool all)
{
	return query_json(
		st,
		"SELECT id, owner, call_id, applicant_id, group_name, rank, combined, status, appointed,"
		" term_start, term_end, decree_id, decree_no, revoked, revoke_reason, by_node"
		" FROM sel_appointment WHERE deleted = 0 AND " UNDER_SQL
		" AND (?2 IS NULL OR call_id = ?2) AND (?3 IS NOT NULL OR status = 'active')"
		" ORDER BY owner, appointed, decree_no, id",
		under, call_id, all ? "all" : NULL);
}

json_t *
sel_appoint_summary(struct store *st, const char *under)
{
	struct sel_std s;
	json_t *rows;
	size_t i;
	json_t *r;

	if (sel_std_load(st, 0, &s, NULL) != 0)
		sel_std_defaults(&s);
	/* Every secretariat the org-unit tree knows, and any that has a call or an appointment. */
	rows = query_json(
		st,
		"WITH units(unit) AS ("
		"  SELECT id FROM orgunit WHERE deleted = 0 AND level IN (1, 2) AND " UNDER_OF(
			"id") "  UNION SELECT owner FROM sel_call WHERE deleted = 0 AND " UNDER_SQL
			      "  UNION SELECT owner FROM sel_appointment WHERE deleted = 0 AND " UNDER_SQL ")"
			      " SELECT unit, (SELECT name_fa FROM orgunit o WHERE o.id = unit AND o.deleted = 0) AS name_fa,"
			      " (SELECT count(*) FROM sel_appointment p WHERE p.owner = unit AND p.deleted = 0"
			      "   AND p.status = 'active') AS active,"
			      " (SELECT count(*) FROM sel_appointment p WHERE p.owner = unit AND p.deleted = 0"
			      "   AND p.status = 'revoked') AS revoked"
			      " FROM units WHERE unit IS NOT NULL ORDER BY unit",
		under, NULL, NULL);
	json_array_foreach(rows, i, r) {
		const char *unit = json_string_value(json_object_get(r, "unit"));
		json_int_t active = json_integer_value(json_object_get(r, "active"));
		int quota = sel_std_quota(&s, unit ? unit : "");
		json_object_set_new(r, "level", json_string(unit_level_name(unit_level(unit ? unit : ""))));
		json_object_set_new(r, "quota", json_integer(quota));
		json_object_set_new(r, "free", json_integer(quota - active));
		json_object_set_new(r, "over", json_boolean(active > quota));
	}
	return rows;
}

json_t *
sel_decree_list(struct store *st, const char *under)
{
	return query_json(st,
			  "SELECT id, owner, number, date, group_name, group_kind, term_months, term_start,"
			  " term_end, appointment_id, call_id, by_node,"
			  " (SELECT status FROM sel_appointment p WHERE p.id = d.appointment_id) AS status"
			  " FROM sel_decree d WHERE deleted = 0 AND " UNDER_SQL
			  " ORDER BY owner, year, seq, number, id",
			  under, NULL, NULL);
}

json_t *
sel_decree_get(struct store *st, const char *key)
{
	json_t *rows, *o;

	rows = query_json(
		st,
		"SELECT id, owner, number, year, seq, date, group_name, group_kind, term_months,"
		" term_start, term_end, appointment_id, applicant_id, call_id, by_node,"
		" (SELECT status FROM sel_appointment p WHERE p.id = d.appointment_id) AS status,"
		" (SELECT revoked FROM sel_appointment p WHERE p.id = d.appointment_id) AS revoked,"
		" (SELECT revoke_reason FROM sel_appointment p WHERE p.id = d.appointment_id)"
		"   AS revoke_reason"
		" FROM sel_decree d WHERE deleted = 0 AND (id = ?1 OR number = ?1 OR appointment_id = ?1)"
		" ORDER BY id = ?1 DESC, id LIMIT 1",
		key, NULL, NULL);
	o = json_array_get(rows, 0);
	json_incref(o);
	json_decref(rows);
	return o;
}

/* ---- the decree page ---- */

/* وظایف همیاران اجتماعی: ماده ۴ of the guideline, quoted from its Persian text. */
static const char *const duties[] = {
	"شناسایی نظام مسائل اجتماعی در سطوح ملی/استان/شهرستان و اولویت بندی مسائل اجتماعی محدوده فعالیت با هم اندیشی ذینفعان",
	"کمک به شناسایی مسائل و مشکلات اجتماعی از طریق برگزاری جلسات هم اندیشی و جلب نظر مردم",
	"همکاری با نهادهای ذی ربط در تهیه و تدوین برنامه های اجتماعی و فرهنگی حوزه مشارکت اجتماعی",
	"برنامه ریزی جهت تقویت روحیه تعاون، همکاری و همدلی در سطوح مختلف",
	"ارتقای روحیه مسئولیت پذیری اجتماعی و جلب مشارکت مردم در پیشبرد امور و ارائه راهکار در راستای تحقق اهداف نهضت اجتماعی",
	"طراحی و ایجاد ساز و کار مشارکت گروه های داوطلب مردمی به منظور هم افزایی و تشریک مساعی برای حل مسائل شناسایی شده",
	"شناسایی و معرفی تشکل های کارآمد به نهادهای مرتبط استانی و شهرستانی",
	"کمک به تصمیم سازی مسئولان در حوزه های گوناگون",
	"بهره گیری از ظرفیت داوطلبان به عنوان منبع ایده های فراگیر برای مسائل گوناگون اجتماعی",
	"ارزیابی طرح های اجرا شده و یا پیشنهادی و استخراج نقاط قوت و ضعف",
	"بهره گیری از ظرفیت تشکل ها و گروه های داوطلب به عنوان بازوی مشورتی دستگاه های اجرایی",
	"رصد مداوم وضعیت شهرستان/استان/ملی و گزارش به دبیرخانه مرتبط",
	"پیشنهاد طرح اجرایی در راستای حل مسائل اجتماعی شناسایی شده محدوده فعالیت",
};
#define NDUTIES ((int)(sizeof(duties) / sizeof(duties[0])))

static void
html_text(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* fa_digits writes the ASCII digits of s as Persian digits (۰..۹), other bytes as they are. */
static void
fa_digits(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= '0' && *s <= '9') {
			fputc(0xdb, f);
			fputc(0xb0 + (*s - '0'), f);
		} else {
			fputc(*s, f);
		}
	}
}

/* fa_date writes an ISO date as a Jalali date in Persian digits: "۱۴۰۵/۰۹/۰۷", or "۷ آذر ۱۴۰۵" when long. */
static void
fa_date(FILE *f, const char *iso, bool long_form)
{
	struct jdate j;
	char buf[32];
	int y, m, d;

	if (iso == NULL || iso_parse(iso, &y, &m, &d, NULL) != 0 || jalali_from_gregorian(y, m, d, &j) != 0) {
		html_text(f, iso != NULL ? iso : "");
		return;
	}
	if (long_form) {
		snprintf(buf, sizeof(buf), "%d ", j.d);
		fa_digits(f, buf);
		fputs(jalali_month_name(j.m), f);
		snprintf(buf, sizeof(buf), " %d", j.y);
	} else {
		snprintf(buf, sizeof(buf), "%04d/%02d/%02d", j.y, j.m, j.d);
	}
	fa_digits(f, buf);
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static const char decree_css[] =
	"@page{size:A4;margin:2cm}"
	"body{font-family:\"Vazirmatn\",Tahoma,sans-serif;direction:rtl;text-align:right;line-height:1.9;"
	"color:#111;background:#fff;max-width:17cm;margin:1cm auto;font-size:12pt}"
	".basmala{text-align:center;font-weight:bold;margin-bottom:.5em}"
	"header{display:flex;justify-content:space-between;align-items:flex-start;"
	"border-bottom:2px solid #333;padding-bottom:.5em}"
	".org{font-weight:bold}.meta div{white-space:nowrap}"
	".num{direction:ltr;unicode-bidi:isolate}"
	"h1{text-align:center;font-size:1.5em;margin:1em 0 .5em}"
	"h2{font-size:1.1em;margin:1.2em 0 .3em}"
	"ol{padding-right:1.6em;margin:0;list-style-type:persian}li{margin-bottom:.15em;text-align:justify}"
	"p{text-align:justify;margin:.5em 0}"
	".sign{margin-top:3em;margin-right:55%;text-align:center}"
	".revoked{border:3px double #a00;color:#a00;text-align:center;padding:.4em;font-weight:bold;margin:1em 0}"
	"@media print{body{margin:0}}";

int
sel_decree_html(struct store *st, const char *key, const char *fallback_name, char **html, struct nz_err *err)
{
	json_t *d;
	sqlite3_stmt *q;
	const char *owner, *label;
	char area[300], org[400], months[16];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int level, i;

	*html = NULL;
	if ((d = sel_decree_get(st, key)) == NULL)
		return nz_fail(err, NZ_ENOTFOUND, "no decree with id, number or appointment '%s'", key);
	owner = jstr(d, "owner");
	level = unit_level(owner);
	area[0] = '\0';
	if ((q = store_prepare(st, "SELECT name_fa FROM orgunit WHERE id = ? AND deleted = 0", NULL)) !=
	    NULL) {
		sqlite3_bind_text(q, 1, owner, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) == SQLITE_ROW && col_text(q, 0)[0] != '\0')
			snprintf(area, sizeof(area), "%s %s",
				 level == NZ_LEVEL_PROVINCE ? "استان" : "شهرستان", col_text(q, 0));
		sqlite3_reset(q);
	}
	if (area[0] != '\0')
		snprintf(org, sizeof(org), "دبیرخانه نهضت مشارکت اجتماعی %s", area);
	else if (!empty(fallback_name) && strcmp(owner, store_node(st)) == 0)
		snprintf(org, sizeof(org), "%s", fallback_name);
	else
		snprintf(org, sizeof(org), "دبیرخانه نهضت مشارکت اجتماعی %s", owner);
	if (area[0] == '\0')
		snprintf(area, sizeof(area), "%s %s", level == NZ_LEVEL_PROVINCE ? "استان" : "شهرستان",
			 owner);

	if ((f = open_memstream(&buf, &len)) == NULL) {
		json_decref(d);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	fputs("<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	fputs("حکم انتصاب همیار اجتماعی ", f);
	html_text(f, jstr(d, "number"));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", decree_css);
	fputs("<div class=\"basmala\">بسمه تعالی</div>\n<header>\n<div class=\"org\">", f);
	html_text(f, org);
	fputs("</div>\n<div class=\"meta\">\n<div>شماره: <bdi class=\"num\">", f);
	html_text(f, jstr(d, "number"));
	fputs("</bdi></div>\n<div>تاریخ: ", f);
	fa_date(f, jstr(d, "date"), false);
	fputs("</div>\n</div>\n</header>\n<h1>حکم انتصاب همیار اجتماعی</h1>\n", f);
	if (strcmp(jstr(d, "status"), "revoked") == 0) {
		fputs("<div class=\"revoked\">این حکم در تاریخ ", f);
		fa_date(f, jstr(d, "revoked"), false);
		fputs(" لغو شده است؛ علت: ", f);
		html_text(f, jstr(d, "revoke_reason"));
		fputs("</div>\n", f);
	}
	label = sel_kind_label(jstr(d, "group_kind"));
	fputs("<p>به: «<strong>", f);
	html_text(f, jstr(d, "group_name"));
	fputs("</strong>»", f);
	if (label != NULL) {
		fputs(" (", f);
		html_text(f, label);
		fputs(")", f);
	}
	fputs("</p>\n<p>سلام علیکم؛</p>\n<p>به استناد ماده ۳ شیوه نامه اجرای طرح ملی نهضت مشارکت "
	      "اجتماعی و پس از طی مراحل فراخوان، دریافت رزومه، بررسی و وزن دهی، مصاحبه و رتبه بندی و تعیین "
	      "صلاحیت، آن گروه به عنوان «همیار اجتماعی» ",
	      f);
	html_text(f, area);
	snprintf(months, sizeof(months), "%lld",
		 (long long)json_integer_value(json_object_get(d, "term_months")));
	fputs(" برای مدت ", f);
	fa_digits(f, months);
	fputs(" ماه، از ", f);
	fa_date(f, jstr(d, "term_start"), true);
	fputs(" تا ", f);
	fa_date(f, jstr(d, "term_end"), true);
	fputs(" منصوب می‌شود. انتظار می‌رود با شرکت در دوره توجیهی تسهیلگر، وظایف زیر را که در ماده ۴ شیوه نامه "
	      "آمده است با جدیت به انجام رسانید.</p>\n<h2>وظایف همیاران اجتماعی (ماده ۴)</h2>\n<ol>\n",
	      f);
	for (i = 0; i < NDUTIES; i++) {
		fputs("<li>", f);
		html_text(f, duties[i]);
		fputs("</li>\n", f);
	}
	fputs("</ol>\n<div class=\"sign\">دبیر ", f);
	html_text(f, org);
	fputs("<br>امضا و مهر</div>\n</body>\n</html>\n", f);
	json_decref(d);
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	*html = buf;
	return 0;
}

/* ---- orientation course ---- */

int
sel_course_add(struct store *st, const char *secretariat, const char *title, int required, const char *author,
	       char id[NZ_RID_MAX], struct nz_err *err)
{
	struct colset *cs;
	char today[11];
	int rc;

	if (secretariat == NULL)
		secretariat = store_node(st);
	if ((rc = check_secretariat(st, secretariat, err)) != 0 ||
	    (rc = check_text("the course's title", title, 300, true, err)) != 0)
		return rc;
	if (required < 0 || required > 100)
		return nz_fail(err, NZ_EINVAL, "required sessions %d must lie within 0..100 (0: all)",
			       required);
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "title", title);
	colset_int(cs, "required", required);
	colset_text(cs, "created", today);
	store_new_id(id);
	return write_rec(st, "sel_course", id, secretariat, cs, author, err);
}

int
sel_session_add(struct store *st, const char *course, const char *date, const char *topic, double hours,
		const char *author, char id[NZ_RID_MAX], struct nz_err *err)
{
	struct colset *cs;
	char owner[NZ_ID_MAX];
	int rc;

	if ((rc = check_date("the session's date", date, err)) != 0 ||
	    (rc = check_text("the session's topic", topic, 300, false, err)) != 0)
		return rc;
	if (!(hours >= 0 && hours <= 24))
		return nz_fail(err, NZ_EINVAL, "a session of %g hours is outside 0..24", hours);
	if ((rc = rec_owner(st, &sel_course_table, course, owner, err)) != 0)
		return nz_fail(err, rc, "no course with id '%s'", course);
	cs = colset_new();
	colset_text(cs, "course_id", course);
	colset_text(cs, "date", date);
	colset_text(cs, "topic", topic ? topic : "");
	colset_real(cs, "hours", hours);
	store_new_id(id);
	return write_rec(st, "sel_session", id, owner, cs, author, err);
}

/* sel_attend_tx checks and writes inside its caller's transaction, so no other write comes between. */
static int
sel_attend_tx(struct store *st, const char *session, const char *appt_id, bool present, const char *author,
	   struct nz_err *err)
{
	struct colset *cs;
	sqlite3_stmt *q;
	char owner[NZ_ID_MAX], course[NZ_RID_MAX], aowner[NZ_ID_MAX], status[16], rid[NZ_RID_MAX], today[11];
	int rc;

	if ((q = store_prepare(st, "SELECT owner, course_id FROM sel_session WHERE id = ? AND deleted = 0",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, session, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q) == SQLITE_ROW ? 0 : NZ_ENOTFOUND;
	copy(owner, sizeof(owner), rc == 0 ? col_text(q, 0) : "");
	copy(course, sizeof(course), rc == 0 ? col_text(q, 1) : "");
	sqlite3_reset(q);
	if (rc != 0)
		return nz_fail(err, rc, "no course session with id '%s'", session);
	if ((q = store_prepare(st, "SELECT owner, status FROM sel_appointment WHERE id = ? AND deleted = 0",
			       err)) == NULL)
		return NZ_EDB;
	sqlite3_bind_text(q, 1, appt_id, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q) == SQLITE_ROW ? 0 : NZ_ENOTFOUND;
	copy(aowner, sizeof(aowner), rc == 0 ? col_text(q, 0) : "");
	copy(status, sizeof(status), rc == 0 ? col_text(q, 1) : "");
	sqlite3_reset(q);
	if (rc != 0)
		return nz_fail(err, rc, "no appointment with id '%s'", appt_id);
	if (strcmp(status, "active") != 0)
		return nz_fail(err, NZ_ESTATE,
			       "appointment '%s' is %s; attendance is kept for appointed groups", appt_id,
			       status);
	if (strcmp(owner, aowner) != 0)
		return nz_fail(err, NZ_EINVAL, "appointment '%s' is of %s but session '%s' is of %s", appt_id,
			       aowner, session, owner);
	derived_id("at-", session, appt_id, rid);
	nz_today(today);
	cs = colset_new();
	colset_text(cs, "session_id", session);
	colset_text(cs, "course_id", course);
	colset_text(cs, "appointment_id", appt_id);
	colset_int(cs, "present", present ? 1 : 0);
	colset_text(cs, "updated", today);
	return write_rec(st, "sel_attendance", rid, owner, cs, author, err);
}

int
sel_attend(struct store *st, const char *session, const char *appt_id, bool present, const char *author,
	   struct nz_err *err)
{
	int rc;

	if ((rc = store_begin(st, err)) != 0)
		return rc;
	if ((rc = sel_attend_tx(st, session, appt_id, present, author, err)) != 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st, err);
}

json_t *
sel_course_list(struct store *st, const char *under)
{
	json_t *rows;
	size_t i;
	json_t *r;

	rows = query_json(
		st,
		"SELECT id, owner, title, required, created FROM sel_course WHERE deleted = 0 AND " UNDER_SQL
		" ORDER BY owner, created, id",
		under, NULL, NULL);
	json_array_foreach(rows, i, r) {
		json_object_set_new(
			r, "sessions",
			query_json(
				st,
				"SELECT id, date, topic, hours,"
				" (SELECT count(*) FROM sel_attendance t WHERE t.session_id = s.id"
				"   AND t.deleted = 0 AND t.present = 1) AS present"
				" FROM sel_session s WHERE course_id = ? AND deleted = 0 ORDER BY date, id",
				json_string_value(json_object_get(r, "id")), NULL, NULL));
	}
	return rows;
}

json_t *
sel_course_status(struct store *st, const char *under, bool pending)
{
	json_t *rows, *out = json_array(), *cur = NULL;
	const char *last = "";
	size_t i;
	json_t *r;

	/* One row per (active appointment, course of its secretariat). */
	rows = query_json(
		st,
		"SELECT p.id AS appointment_id, p.owner, p.group_name, p.decree_no, c.id AS course_id,"
		" c.title, c.required,"
		" (SELECT count(*) FROM sel_session s WHERE s.course_id = c.id AND s.deleted = 0) AS sessions,"
		" (SELECT count(*) FROM sel_attendance t JOIN sel_session s ON s.id = t.session_id"
		"   WHERE t.appointment_id = p.id AND s.course_id = c.id AND t.present = 1"
		"   AND t.deleted = 0 AND s.deleted = 0) AS attended"
		" FROM sel_appointment p LEFT JOIN sel_course c ON c.owner = p.owner AND c.deleted = 0"
		" WHERE p.deleted = 0 AND p.status = 'active' AND " UNDER_OF(
			"p.owner") " ORDER BY p.owner, p.appointed, p.id, c.created, c.id",
		under, NULL, NULL);
	json_array_foreach(rows, i, r) {
		const char *appt = jstr(r, "appointment_id");
		json_int_t need = json_integer_value(json_object_get(r, "required"));
		json_int_t have = json_integer_value(json_object_get(r, "attended"));
		json_int_t nsess = json_integer_value(json_object_get(r, "sessions"));

		if (strcmp(appt, last) != 0) {
			cur = json_pack("{s:s, s:s, s:s, s:s, s:b, s:[]}", "appointment_id", appt, "owner",
					jstr(r, "owner"), "group_name", jstr(r, "group_name"), "decree_no",
					jstr(r, "decree_no"), "completed", 0, "courses");
			json_array_append_new(out, cur);
			last = appt;
		}
		if (json_is_null(json_object_get(r, "course_id")))
			continue;
		if (need <= 0) /* every session of the course */
			need = nsess;
		json_array_append_new(json_object_get(cur, "courses"),
				      json_pack("{s:s, s:s, s:I, s:I, s:b}", "course_id",
						jstr(r, "course_id"), "title", jstr(r, "title"), "attended",
						(json_int_t)have, "required", (json_int_t)need, "completed",
						need > 0 && have >= need));
		if (need > 0 && have >= need)
			json_object_set_new(cur, "completed", json_true());
	}
	json_decref(rows);
	if (pending) {
		json_t *keep = json_array();
		json_array_foreach(out, i, r) {
			if (!json_is_true(json_object_get(r, "completed")))
				json_array_append(keep, r);
		}
		json_decref(out);
		out = keep;
	}
	return out;
}

/* ---- invariants where replicas meet ---- */

int
sel_check_quota(struct store *st, json_t *out, struct nz_err *err)
{
	struct sel_std s;
	sqlite3_stmt *q;
	char owner[NZ_ID_MAX] = "", by[512] = "";
	json_t *ids = NULL;
	int n = 0, step;
	size_t w = 0;

	if (sel_std_load(st, 0, &s, NULL) != 0)
		sel_std_defaults(&s);
	q = store_prepare(
		st,
		"SELECT owner, id, by_node FROM sel_appointment WHERE deleted = 0 AND status = 'active'"
		" ORDER BY owner, by_node, id",
		err);
	if (q == NULL)
		return NZ_EDB;
	/* One pass over the rows sorted by owner; a sentinel step flushes the last group. */
	do {
		step = sqlite3_step(q);
		if (step == SQLITE_ROW && strcmp(owner, col_text(q, 0)) == 0) {
			json_array_append_new(ids, json_string(col_text(q, 1)));
			if (w < sizeof(by))
				w += (size_t)snprintf(by + w, sizeof(by) - w, ", %s by %s", col_text(q, 1),
						      col_text(q, 2));
			n++;
			continue;
		}
		if (ids != NULL) {
			int quota = sel_std_quota(&s, owner);
			if (n > quota)
				check_violation(out, "selection.quota", owner, json_incref(ids),
						"%s holds %d active appointments; its quota is %d (%s)",
						owner, n, quota, by + 2);
			json_decref(ids);
			ids = NULL;
		}
		if (step == SQLITE_ROW) {
			copy(owner, sizeof(owner), col_text(q, 0));
			ids = json_array();
			json_array_append_new(ids, json_string(col_text(q, 1)));
			w = (size_t)snprintf(by, sizeof(by), ", %s by %s", col_text(q, 1), col_text(q, 2));
			n = 1;
		}
	} while (step == SQLITE_ROW);
	sqlite3_reset(q);
	json_decref(ids);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, "check quotas");
}

/*
 * dup_groups reports each group of rows (sorted by the first two columns)
 * sharing owner and key, with the ids of column 2, as a violation.
 */
static int
dup_groups(struct store *st, const char *sql, const char *check, const char *fmt, json_t *out,
	   struct nz_err *err)
{
	sqlite3_stmt *q = store_prepare(st, sql, err);
	char owner[NZ_ID_MAX] = "", key[256] = "";
	json_t *ids = NULL;
	int step;

	if (q == NULL)
		return NZ_EDB;
	do {
		step = sqlite3_step(q);
		if (step == SQLITE_ROW && ids != NULL && strcmp(owner, col_text(q, 0)) == 0 &&
		    strcmp(key, col_text(q, 1)) == 0) {
			json_array_append_new(ids, json_string(col_text(q, 2)));
			continue;
		}
		if (ids != NULL && json_array_size(ids) > 1) {
			char list[512] = "";
			size_t i, w = 0;
			json_t *v;
			json_array_foreach(ids, i, v) {
				if (w < sizeof(list))
					w += (size_t)snprintf(list + w, sizeof(list) - w, "%s%s",
							      i ? ", " : "", json_string_value(v));
			}
			check_violation(out, check, owner, json_incref(ids), fmt, owner, key,
					(int)json_array_size(ids), list);
		}
		json_decref(ids);
		ids = NULL;
		if (step == SQLITE_ROW) {
			copy(owner, sizeof(owner), col_text(q, 0));
			copy(key, sizeof(key), col_text(q, 1));
			ids = json_array();
			json_array_append_new(ids, json_string(col_text(q, 2)));
		}
	} while (step == SQLITE_ROW);
	sqlite3_reset(q);
	json_decref(ids);
	return step == SQLITE_DONE ? 0 : store_sqlerr(st, err, check);
}

int
sel_check_decree(struct store *st, json_t *out, struct nz_err *err)
{
	/* A revoked decree keeps its number in the history; a clash is resolved by revoking one side. */
	return dup_groups(
		st,
		"SELECT d.owner, d.number, d.id FROM sel_decree d JOIN sel_appointment p ON p.id = d.appointment_id"
		" WHERE d.deleted = 0 AND p.deleted = 0 AND p.status = 'active' ORDER BY d.owner, d.number, d.id",
		"selection.decree", "%s gave decree number %s to %d active appointments (decrees %s)", out,
		err);
}

int
sel_check_double(struct store *st, json_t *out, struct nz_err *err)
{
	return dup_groups(
		st,
		"SELECT owner, applicant_id, id FROM sel_appointment WHERE deleted = 0 AND status = 'active'"
		" ORDER BY owner, applicant_id, id",
		"selection.double", "%s appointed applicant %s %d times (appointments %s)", out, err);
}
