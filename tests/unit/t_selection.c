/*
 * Selection of helper groups: standards, the pipeline at a county and at a
 * province, every illegal step refused with nothing changed, the decree
 * page, and the invariants reported where two replicas meet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jalali.h"
#include "domain/check.h"
#include "domain/domain.h"
#include "domain/selection.h"
#include "http/http.h"
#include "test.h"

static const char *tmp;
static struct nz_err err;

static struct store *
open_node(const char *id)
{
	char path[512];
	struct store *st = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", tmp, id);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, id, &err) != 0) {
		printf("# cannot open %s: %s\n", id, err.msg);
		exit(2);
	}
	return st;
}

/* copy_changes applies every change of src's log to dst, as replication would. */
static int
copy_changes(struct store *src, struct store *dst)
{
	sqlite3_stmt *q;
	int n = 0;

	if (sqlite3_prepare_v2(
		    store_db(src),
		    "SELECT origin, origin_seq, hlc, tbl, rid, owner, author,"
		    " log_cols(tbl, rid, cols, rowcols, seq) FROM oplog ORDER BY seq",
		    -1, &q, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(q) == SQLITE_ROW) {
		struct nz_change c;
		memset(&c, 0, sizeof(c));
		snprintf(c.origin, sizeof(c.origin), "%s", sqlite3_column_text(q, 0));
		c.origin_seq = sqlite3_column_int64(q, 1);
		c.hlc = (uint64_t)sqlite3_column_int64(q, 2);
		snprintf(c.tbl, sizeof(c.tbl), "%s", sqlite3_column_text(q, 3));
		snprintf(c.rid, sizeof(c.rid), "%s", sqlite3_column_text(q, 4));
		snprintf(c.owner, sizeof(c.owner), "%s", sqlite3_column_text(q, 5));
		snprintf(c.author, sizeof(c.author), "%s", sqlite3_column_text(q, 6));
		c.cols = sqlite3_column_blob(q, 7);
		c.cols_len = (size_t)sqlite3_column_bytes(q, 7);
		if (store_apply(dst, &c, store_node(src), &err) == APPLY_NEW)
			n++;
	}
	sqlite3_finalize(q);
	return n;
}

static long long
count(struct store *st, const char *sql)
{
	sqlite3_stmt *q;
	long long n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* REFUSED: expr fails with code, and the change log did not move. */
#define REFUSED(st, expr, code)                                                                              \
	do {                                                                                                 \
		int64_t t_head_ = store_log_head(st);                                                        \
		int t_rc_ = (expr);                                                                          \
		CHECK_INT(t_rc_, code);                                                                      \
		if (t_rc_ != (code))                                                                         \
			printf("#   %s\n", err.msg);                                                         \
		CHECK_INT(store_log_head(st), t_head_);                                                      \
	} while (0)

#define OK(expr)                                                                                             \
	do {                                                                                                 \
		int t_rc_ = (expr);                                                                          \
		CHECK_INT(t_rc_, 0);                                                                         \
		if (t_rc_ != 0)                                                                              \
			printf("#   %s\n", err.msg);                                                         \
	} while (0)

/* The date the next applications were received (ISO); NULL: today. */
static const char *received_on;

static int
apply_group(struct store *st, const char *call, const char *name, const char *kind, const char *reg,
	    const char *phone, char id[NZ_RID_MAX])
{
	struct sel_applicant_in a = {0};

	a.name = name;
	a.kind = kind;
	a.reg_no = reg;
	a.contact = "رضا احمدی";
	a.phone = phone;
	a.areas = "آسیب های اجتماعی";
	a.activities = "برگزاری جلسات هم اندیشی محله";
	a.members = 12;
	a.years = 4;
	a.received = received_on;
	usleep(3000); /* distinct application times: the ranking's late tie-break */
	return sel_apply(st, call, &a, "tester", id, &err);
}

/* score_all gives every criterion of list the same score, as "code=score" pairs. */
static int
score_all(struct store *st, const char *app, const char *reviewer, const char *score, bool interview)
{
	struct sel_std s;
	char buf[SEL_CRIT_MAX][64], *pairs[SEL_CRIT_MAX];
	int i, n;

	if (sel_std_load(st, 0, &s, &err) != 0)
		return -100;
	n = interview ? s.ninterview : s.nreview;
	for (i = 0; i < n; i++) {
		snprintf(buf[i], sizeof(buf[i]), "%s=%s", interview ? s.interview[i].code : s.review[i].code,
			 score);
		pairs[i] = buf[i];
	}
	if (interview)
		return sel_interview_score(st, app, n, pairs, "پاسخ های روشن", "tester", &err);
	return sel_review_score(st, app, reviewer, n, pairs, false, "tester", &err);
}

static json_t *
rank_row(json_t *rank, const char *app)
{
	size_t i;
	json_t *r;

	json_array_foreach(rank, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "applicant_id")), app) == 0)
			return r;
	}
	return NULL;
}

static void
test_numbers(void)
{
	double v = 0;

	CHECK_INT(sel_parse_number("۷٫۵", &v), 0);
	CHECK(v == 7.5);
	CHECK_INT(sel_parse_number("8", &v), 0);
	CHECK(v == 8);
	CHECK_INT(sel_parse_number("٣", &v), 0);
	CHECK(v == 3);
	CHECK_INT(sel_parse_number("x", &v), NZ_EINVAL);
	CHECK_INT(sel_parse_number("", &v), NZ_EINVAL);
	CHECK(sel_round2(76.004999) == 76.0);
}

static void
test_standards(struct store *ir, struct store *county)
{
	struct sel_std s, t;
	json_t *j;

	sel_std_defaults(&s);
	CHECK_INT(sel_std_check(&s, &err), 0);
	CHECK_INT(s.quota_county, 2);
	CHECK_INT(s.quota_province, 5);
	CHECK_INT(sel_std_quota(&s, "IR-07-03"), 2);
	CHECK_INT(sel_std_quota(&s, "IR-07"), 5);

	/* Only the national secretariat sets standards. */
	REFUSED(county, sel_std_add(county, &s, "tester", &err), NZ_EDENIED);
	CHECK_INT(sel_std_load(county, 0, &t, &err), NZ_ENOTFOUND);

	/* Invalid standards are refused and nothing is stored. */
	t = s;
	t.review_weight = 50;
	REFUSED(ir, sel_std_add(ir, &t, "tester", &err), NZ_EINVAL);
	t = s;
	t.review[1].min = 10;
	REFUSED(ir, sel_std_add(ir, &t, "tester", &err), NZ_EINVAL);
	t = s;
	snprintf(t.review[1].code, sizeof(t.review[1].code), "%s", t.review[0].code);
	REFUSED(ir, sel_std_add(ir, &t, "tester", &err), NZ_EINVAL);

	/* JSON: unknown keys are refused; a round trip keeps everything. */
	j = json_pack("{s:i}", "quota_contry", 3);
	t = s;
	CHECK_INT(sel_std_from_json(&t, j, &err), NZ_EINVAL);
	json_decref(j);
	j = sel_std_to_json(&s);
	memset(&t, 0, sizeof(t));
	CHECK_INT(sel_std_from_json(&t, j, &err), 0);
	json_decref(j);
	CHECK_INT(t.nreview, s.nreview);
	CHECK_STR(t.interview[2].code, s.interview[2].code);
	CHECK(t.threshold == s.threshold);

	/* Stored and read back, every field is kept (a unit no test uses gets an override). */
	snprintf(s.overrides[0].unit, sizeof(s.overrides[0].unit), "IR-31-09");
	s.overrides[0].quota = 4;
	s.noverrides = 1;
	OK(sel_std_add(ir, &s, "tester", &err));
	CHECK_INT(s.version, 1);
	CHECK_INT(sel_std_load(ir, 0, &t, &err), 0);
	CHECK_INT(t.version, 1);
	CHECK_STR(t.review[4].code, "participation");
	CHECK_INT(t.min_reviewers, 2);
	CHECK_INT(sel_std_quota(&t, "IR-31-09"), 4);
	{
		json_t *stored = sel_std_to_json(&t);
		j = sel_std_to_json(&s);
		CHECK(json_equal(j, stored));
		json_decref(stored);
		json_decref(j);
	}
}

/* A county runs a whole call, standards having come down from IR. */
static void
test_county(struct store *ir, struct store *st)
{
	char call[NZ_RID_MAX], a[NZ_RID_MAX], b[NZ_RID_MAX], c[NZ_RID_MAX], d[NZ_RID_MAX], e[NZ_RID_MAX];
	char x[NZ_RID_MAX], appt_a[NZ_RID_MAX], appt_b[NZ_RID_MAX], appt_e[NZ_RID_MAX];
	char no[SEL_DECREE_NO_MAX], doc[NZ_RID_MAX], jal[11], course[NZ_RID_MAX], s1[NZ_RID_MAX],
		s2[NZ_RID_MAX];
	char *bad_pairs[] = {"experience=11"}, *unknown_pairs[] = {"charisma=5"}, *html = NULL;
	char *part_pairs[] = {"experience=8", "activities=7"};
	char *rest_pairs[] = {"capacity=6", "local=9", "participation=8"};
	unsigned char *data = NULL, big[SEL_DOC_MAX + 1];
	size_t len = 0;
	json_t *rank, *r, *j;
	struct sel_std s;

	CHECK(copy_changes(ir, st) > 0);
	CHECK_INT(sel_std_load(st, 0, &s, &err), 0);
	CHECK_INT(s.version, 1);

	/* فراخوان: 1405-08-29 to 1405-09-19; today is 1405-09-07. */
	REFUSED(st, sel_call_add(st, NULL, "", "", "2026-11-20", "2026-12-10", "tester", call, &err),
		NZ_EINVAL);
	REFUSED(st, sel_call_add(st, NULL, "فراخوان", "", "2026-12-10", "2026-11-20", "tester", call, &err),
		NZ_EINVAL);
	REFUSED(st,
		sel_call_add(st, "IR-07-05", "فراخوان", "", "2026-11-20", "2026-12-10", "tester", call, &err),
		NZ_EDENIED);
	OK(sel_call_add(st, NULL, "فراخوان جذب همیاران اجتماعی ۱۴۰۵", "شهرستان اقلید", "2026-11-20",
			"2026-12-10", "tester", call, &err));
	REFUSED(st, apply_group(st, call, "گروه جهادی شهید", "jihadi", "", "09121111111", a), NZ_ESTATE);
	REFUSED(st, sel_call_move(st, call, CALL_CLOSED, "tester", &err), NZ_ESTATE);
	OK(sel_call_move(st, call, CALL_OPEN, "tester", &err));
	OK(sel_call_get(st, call, &j, &err));
	CHECK_INT(json_integer_value(json_object_get(j, "std_version")), 1);
	CHECK_STR(json_string_value(json_object_get(j, "opens_jalali")), "1405-08-29");
	json_decref(j);

	/* رزومه */
	OK(apply_group(st, call, "گروه جهادی شهید همت", "jihadi", "", "09121111111", a));
	OK(apply_group(st, call, "هیئت محبان", "religious", "123-45", "09122222222", b));
	OK(apply_group(st, call, "سازمان مردم نهاد مهر", "ngo", "", "09123333333", c));
	OK(apply_group(st, call, "گروه مردمی نور", "گروه مردمی", "", "09124444444", d));
	OK(apply_group(st, call, "گروه جهادی امید", "jihadi", "", "09125555555", e));
	REFUSED(st, apply_group(st, call, "هیئت دیگر", "religious", "۱۲۳۴۵", "09129999999", x), NZ_EEXIST);
	/* Arabic yeh, a ZWNJ and +98 still meet the first application. */
	REFUSED(st,
		apply_group(st, call, "گروه‌جهادي شهيد همت", "jihadi", "",
			    "+98 912 111 1111", x),
		NZ_EEXIST);
	REFUSED(st, apply_group(st, call, "گروه تازه", "club", "", "09126666666", x), NZ_EINVAL);
	REFUSED(st, apply_group(st, call, "گروه تازه", "other", "", "12", x), NZ_EINVAL);
	setenv("NEHZAT_TODAY", "2026-12-11", 1);
	REFUSED(st, apply_group(st, call, "گروه دیرهنگام", "other", "", "09127777777", x), NZ_EINVAL);
	CHECK_STR(err.why, "sense.application_after_closing");
	setenv("NEHZAT_TODAY", "2026-11-28", 1);
	/* The date received: within the window, never after today. */
	received_on = "2026-11-19"; /* the day before it opened */
	REFUSED(st, apply_group(st, call, "گروه زودهنگام", "other", "", "09127777777", x), NZ_EINVAL);
	CHECK_STR(err.why, "sense.application_before_opening");
	received_on = "2026-11-29"; /* tomorrow */
	REFUSED(st, apply_group(st, call, "گروه فردا", "other", "", "09127777777", x), NZ_EINVAL);
	CHECK_STR(err.why, "sense.application_future");
	received_on = NULL;
	CHECK_INT(count(st, "SELECT count(*) FROM sel_applicant"), 5);

	/* Documents: small files kept, large ones by checksum only. */
	OK(sel_doc_add(st, a, "resume.txt", "رزومه", strlen("رزومه"), true, "tester", doc, &err));
	OK(sel_doc_content(st, doc, &data, &len, &err));
	CHECK(len == strlen("رزومه") && data != NULL && memcmp(data, "رزومه", len) == 0);
	free(data);
	memset(big, 'x', sizeof(big));
	REFUSED(st, sel_doc_add(st, a, "big.pdf", big, sizeof(big), true, "tester", x, &err), NZ_ETOOBIG);
	OK(sel_doc_add(st, a, "big.pdf", big, sizeof(big), false, "tester", x, &err));
	CHECK_INT(sel_doc_content(st, x, &data, &len, &err), NZ_ENOTFOUND);
	OK(sel_applicant_get(st, a, &j, &err));
	CHECK_INT(json_array_size(json_object_get(j, "documents")), 2);
	json_decref(j);

	/* بررسی و وزن دهی: only once the call is closed, within bounds. */
	REFUSED(st, score_all(st, a, "reviewer1", "8", false), NZ_ESTATE);
	/* Announced to close on 1405-09-19: closing on the 7th takes a reason. */
	REFUSED(st, sel_call_move(st, call, CALL_CLOSED, "tester", &err), NZ_ESTATE);
	CHECK_STR(err.why, "sel.close_early");
	REFUSED(st, sel_call_close(st, call, "", "tester", &err), NZ_ESTATE);
	OK(sel_call_close(st, call, "ظرفیت تکمیل شد", "tester", &err));
	CHECK_INT(count(st, "SELECT count(*) FROM sel_call WHERE early_reason = 'ظرفیت تکمیل شد'"), 1);
	REFUSED(st, apply_group(st, call, "گروه پس از بستن", "other", "", "09128888888", x), NZ_ESTATE);
	/* A paper resume received on the day it closed, typed in now, is taken; one dated after is not. */
	received_on = "2026-11-29";
	setenv("NEHZAT_TODAY", "2026-11-29", 1);
	REFUSED(st, apply_group(st, call, "گروه پس از بستن", "other", "", "09128888888", x), NZ_EINVAL);
	CHECK_STR(err.why, "sense.application_after_closing");
	received_on = "2026-11-28";
	OK(apply_group(st, call, "گروه کاغذی", "other", "", "09128888888", x));
	CHECK_INT(count(st, "SELECT count(*) FROM sel_applicant WHERE applied = '2026-11-28'"), 6);
	OK(sel_applicant_withdraw(st, x, "آزمون", "tester", &err));
	received_on = NULL;
	setenv("NEHZAT_TODAY", "2026-11-28", 1);
	REFUSED(st, sel_review_score(st, a, "reviewer1", 1, bad_pairs, false, "tester", &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "bounds") != NULL);
	REFUSED(st, sel_review_score(st, a, "reviewer1", 1, unknown_pairs, false, "tester", &err), NZ_EINVAL);
	REFUSED(st, sel_review_score(st, a, "", 1, unknown_pairs, false, "tester", &err), NZ_EINVAL);
	CHECK_INT(count(st, "SELECT count(*) FROM sel_review"), 0);
	/* A review lacking criteria is refused, naming them, unless saved as a draft, which is not counted. */
	REFUSED(st, sel_review_score(st, a, "reviewer1", 2, part_pairs, false, "tester", &err), NZ_EINVAL);
	CHECK_STR(err.why, "sel.review_incomplete");
	CHECK(strstr(err.msg, "capacity, local, participation") != NULL);
	OK(sel_review_score(st, a, "reviewer1", 2, part_pairs, true, "tester", &err));
	CHECK_INT(count(st, "SELECT count(*) FROM sel_review WHERE draft = 1 AND total IS NULL"), 1);
	/* Completing it without --draft merges the scores and gives a total. */
	OK(sel_review_score(st, a, "reviewer1", 3, rest_pairs, false, "tester", &err));
	CHECK_INT(count(st, "SELECT count(*) FROM sel_review WHERE draft = 0 AND total IS NOT NULL"), 1);
	OK(score_all(st, a, "reviewer1", "8", false));
	OK(score_all(st, a, "reviewer2", "8", false));
	OK(score_all(st, b, "reviewer1", "7.5", false));
	OK(score_all(st, b, "reviewer2", "۷٫۵", false));
	OK(score_all(st, c, "reviewer1", "9", false));
	OK(score_all(st, d, "reviewer1", "8", false));
	OK(score_all(st, d, "reviewer2", "8", false));
	OK(score_all(st, e, "reviewer1", "8", false));
	OK(score_all(st, e, "reviewer2", "8", false));
	/* Not every applicant has two reviews yet. */
	REFUSED(st, sel_call_move(st, call, CALL_REVIEWED, "tester", &err), NZ_ESTATE);
	OK(score_all(st, c, "reviewer2", "4", false));
	REFUSED(st, sel_call_move(st, call, CALL_COMPLETED, "tester", &err), NZ_ESTATE);
	/* Selecting comes after the review is finished. */
	REFUSED(st, sel_appoint(st, a, NULL, 0, NULL, "tester", appt_a, no, &err), NZ_ESTATE);
	OK(sel_call_move(st, call, CALL_REVIEWED, "tester", &err));
	REFUSED(st, score_all(st, a, "reviewer3", "8", false), NZ_ESTATE);

	/* مصاحبه */
	REFUSED(st, score_all(st, a, NULL, "7", true), NZ_ESTATE);
	REFUSED(st, sel_interview_schedule(st, a, "2026-12-01", "25:00", "", "پنل", "tester", &err),
		NZ_EINVAL);
	REFUSED(st, sel_interview_schedule(st, a, "2026-12-01", "10:00", "", "", "tester", &err), NZ_EINVAL);
	OK(sel_interview_schedule(st, a, "2026-12-01", "10:00", "سالن جلسات فرمانداری",
				  "دبیر، نماینده بهزیستی", "tester", &err));
	OK(sel_interview_schedule(st, b, "2026-12-01", "10:30", "", "دبیر", "tester", &err));
	OK(sel_interview_schedule(st, c, "2026-12-01", "11:00", "", "دبیر", "tester", &err));
	OK(sel_interview_schedule(st, d, "2026-12-01", "11:30", "", "دبیر", "tester", &err));
	OK(sel_interview_schedule(st, e, "2026-12-01", "12:00", "", "دبیر", "tester", &err));
	/* Times as people type them; stored HH:MM. */
	OK(sel_interview_schedule(st, e, "2026-12-01", "۹:۳۰", "", "دبیر", "tester", &err));
	CHECK_INT(count(st, "SELECT count(*) FROM sel_interview WHERE time = '09:30'"), 1);
	OK(sel_interview_schedule(st, e, "2026-12-01", "12:00", "", "دبیر", "tester", &err));
	/* An interview is scored, or missed, on its day or after: not on 1405-09-07 for the 10th. */
	REFUSED(st, score_all(st, a, NULL, "7", true), NZ_EINVAL);
	CHECK_STR(err.why, "sense.interview_score_early");
	REFUSED(st, sel_interview_noshow(st, d, NULL, "tester", &err), NZ_EINVAL);
	CHECK_STR(err.why, "sense.interview_noshow_early");
	setenv("NEHZAT_TODAY", "2026-12-01", 1); /* 1405-09-10, the day of the interviews */
	OK(score_all(st, a, NULL, "7", true));
	OK(score_all(st, b, NULL, "7.75", true));
	OK(score_all(st, c, NULL, "3", true));
	OK(score_all(st, e, NULL, "7", true));
	OK(sel_interview_noshow(st, d, "تماس پاسخ داده نشد", "tester", &err));
	REFUSED(st, sel_interview_noshow(st, a, NULL, "tester", &err), NZ_ESTATE);
	REFUSED(st, sel_interview_schedule(st, a, "2026-12-02", "10:00", "", "دبیر", "tester", &err),
		NZ_ESTATE);
	j = sel_interview_list(st, call);
	CHECK_INT(json_array_size(j), 5);
	json_decref(j);

	/* رتبه بندی: B and A tie on 76.00, B interviewed better; A and E tie on all, A applied first. */
	rank = sel_rank(st, call, &err);
	CHECK(rank != NULL);
	CHECK_INT(json_array_size(rank), 6); /* the paper application, withdrawn, last */
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 5), "name")), "گروه کاغذی");
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 0), "applicant_id")), b);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 1), "applicant_id")), a);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 2), "applicant_id")), e);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 3), "applicant_id")), c);
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 4), "applicant_id")), d);
	r = rank_row(rank, b);
	CHECK(json_real_value(json_object_get(r, "combined")) == 76.0);
	CHECK(json_real_value(json_object_get(r, "interview")) == 77.5);
	CHECK(json_real_value(json_object_get(r, "review")) == 75.0);
	CHECK(json_is_true(json_object_get(r, "qualified")));
	CHECK_INT(json_integer_value(json_object_get(r, "rank")), 1);
	r = rank_row(rank, c);
	CHECK(json_real_value(json_object_get(r, "review")) == 65.0);
	CHECK(json_real_value(json_object_get(r, "spread")) == 50.0);
	CHECK(json_is_true(json_object_get(r, "flagged")));
	CHECK(json_is_false(json_object_get(r, "qualified")));
	CHECK(strstr(json_string_value(json_object_get(r, "reason")), "below the threshold") != NULL);
	/* The reason by code, with its figures as text, for the UI's catalogue. */
	CHECK_STR(json_string_value(json_object_get(r, "why")), "rank.below_threshold");
	CHECK_STR(json_string_value(json_object_get(json_object_get(r, "params"), "score")), "51.00");
	CHECK(json_object_get(json_object_get(r, "params"), "threshold") != NULL);
	CHECK(json_is_null(json_object_get(rank_row(rank, b), "why")));
	r = rank_row(rank, a);
	CHECK(json_is_false(json_object_get(r, "flagged")));
	r = rank_row(rank, d);
	CHECK(json_is_null(json_object_get(r, "rank")));
	CHECK_STR(json_string_value(json_object_get(r, "interview_status")), "no_show");
	CHECK_STR(json_string_value(json_object_get(r, "why")), "rank.noshow");
	CHECK(json_is_false(json_object_get(r, "qualified")));
	{
		char *csv = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&csv, &n);
		CHECK_INT(sel_rank_csv(rank, f), 0);
		fclose(f);
		CHECK(strncmp(csv, "rank,applicant_id,name,", 23) == 0);
		CHECK(strstr(csv, "1,") != NULL && strstr(csv, ",76,true,") != NULL);
		free(csv);
	}
	json_decref(rank);

	/* انتخاب و صدور حکم */
	REFUSED(st, sel_appoint(st, c, NULL, 0, NULL, "tester", appt_a, no, &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "does not qualify") != NULL);
	REFUSED(st, sel_appoint(st, d, NULL, 0, NULL, "tester", appt_a, no, &err), NZ_ESTATE);
	OK(sel_appoint(st, b, NULL, 0, NULL, "tester", appt_b, no, &err));
	CHECK_STR(no, "IR-07-03/1405/0001");
	REFUSED(st, sel_appoint(st, b, NULL, 0, NULL, "tester", x, no, &err), NZ_EEXIST);
	REFUSED(st, sel_appoint(st, a, NULL, 0, "IR-07-03/1405/0001", "tester", appt_a, no, &err), NZ_EEXIST);
	CHECK(strstr(err.msg, "decree number") != NULL);
	OK(sel_appoint(st, a, NULL, 0, NULL, "tester", appt_a, no, &err));
	CHECK_STR(no, "IR-07-03/1405/0002");
	REFUSED(st, sel_appoint(st, e, NULL, 0, NULL, "tester", appt_e, no, &err), NZ_EQUOTA);
	/* Named for the UI's catalogue, with the unit, the active count and the quota. */
	CHECK_STR(err.why, "sel.quota_full");
	CHECK_INT(err.nparam, 3);
	CHECK_STR(err.pval[0], "IR-07-03");
	CHECK_STR(err.pval[1], "2");
	CHECK_STR(err.pval[2], "2");
	CHECK_INT(count(st, "SELECT count(*) FROM sel_appointment"), 2);
	CHECK_INT(count(st, "SELECT count(*) FROM sel_decree"), 2);
	OK(sel_decree_get(st, appt_a, &j, &err));
	CHECK(j != NULL);
	CHECK_STR(json_string_value(json_object_get(j, "date_jalali")), "1405-09-10");
	CHECK_STR(json_string_value(json_object_get(j, "term_end_jalali")), "1406-09-09");
	json_decref(j);

	/* The decree page. */
	OK(http_decree_html(st, "IR-07-03/1405/0002", "دبیرخانه شهرستان اقلید", &html, &err));
	CHECK(html != NULL && strstr(html, "<html lang=\"fa\" dir=\"rtl\">") != NULL);
	CHECK(html != NULL && strstr(html, "font-family:\"Vazirmatn\",Tahoma,sans-serif") != NULL);
	CHECK(html != NULL && strstr(html, "۱۴۰۵/۰۹/۱۰") != NULL);
	CHECK(html != NULL && strstr(html, "۱۰ آذر ۱۴۰۵") != NULL);
	CHECK(html != NULL && strstr(html, "۹ آذر ۱۴۰۶") != NULL);
	CHECK(html != NULL && strstr(html, "IR-07-03/1405/0002") != NULL);
	CHECK(html != NULL && strstr(html, "گروه جهادی شهید همت") != NULL);
	CHECK(html != NULL && strstr(html, "دبیرخانه شهرستان اقلید") != NULL);
	CHECK(html != NULL && strstr(html, "شناسایی و معرفی تشکل های کارآمد") != NULL);
	CHECK(html != NULL && strstr(html, "رصد مداوم وضعیت") != NULL);
	CHECK(html != NULL && strstr(html, "http") == NULL && strstr(html, "src=") == NULL &&
	      strstr(html, "<link") == NULL);
	CHECK(html != NULL && strstr(html, "لغو") == NULL);
	free(html);
	html = NULL;
	REFUSED(st, http_decree_html(st, "nope", NULL, &html, &err), NZ_ENOTFOUND);

	/* Revoking frees the place and keeps the history and the number. */
	REFUSED(st, sel_revoke(st, appt_b, "", "tester", &err), NZ_EINVAL);
	OK(sel_revoke(st, appt_b, "انصراف گروه", "tester", &err));
	REFUSED(st, sel_revoke(st, appt_b, "دوباره", "tester", &err), NZ_ESTATE);
	OK(sel_appoint(st, e, NULL, 0, NULL, "tester", appt_e, no, &err));
	CHECK_STR(no, "IR-07-03/1405/0003");
	j = sel_appoint_list(st, NULL, call, true);
	CHECK_INT(json_array_size(j), 3);
	json_decref(j);
	j = sel_appoint_list(st, "IR-07-03", NULL, false);
	CHECK_INT(json_array_size(j), 2);
	json_decref(j);
	OK(http_decree_html(st, appt_b, NULL, &html, &err));
	CHECK(html != NULL && strstr(html, "لغو شده") != NULL && strstr(html, "انصراف گروه") != NULL);
	free(html);
	j = sel_appoint_summary(st, NULL);
	CHECK_INT(json_array_size(j), 1);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(j, 0), "active")), 2);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(j, 0), "free")), 0);
	json_decref(j);

	/* Completing the call ends the selection. */
	REFUSED(st, sel_call_move(st, call, CALL_OPEN, "tester", &err), NZ_ESTATE);
	OK(sel_call_move(st, call, CALL_COMPLETED, "tester", &err));
	REFUSED(st, sel_call_move(st, call, CALL_COMPLETED, "tester", &err), NZ_ESTATE);
	OK(sel_revoke(st, appt_e, "آزمون", "tester", &err));
	REFUSED(st, sel_appoint(st, e, NULL, 0, NULL, "tester", x, no, &err), NZ_ESTATE);

	/* دوره توجیهی تسهیلگر */
	OK(sel_course_add(st, NULL, "دوره توجیهی تسهیلگر ۱۴۰۵", 0, "tester", course, &err));
	OK(sel_session_add(st, course, "2026-12-15", "آشنایی با شیوه نامه", 3, "tester", s1, &err));
	OK(sel_session_add(st, course, "2026-12-22", "روش های هم اندیشی", 3, "tester", s2, &err));
	REFUSED(st, sel_session_add(st, course, "1405-09-30", "", 3, "tester", x, &err), NZ_EINVAL);
	/* Attendance at a session not yet held is refused, nothing written. */
	REFUSED(st, sel_attend(st, s1, appt_a, true, "tester", &err), NZ_EINVAL);
	CHECK_STR(err.why, "sense.attendance_early");
	setenv("NEHZAT_TODAY", "2026-12-15", 1);
	OK(sel_attend(st, s1, appt_a, true, "tester", &err));
	REFUSED(st, sel_attend(st, s2, appt_a, true, "tester", &err), NZ_EINVAL);
	setenv("NEHZAT_TODAY", "2026-12-22", 1);
	OK(sel_attend(st, s2, appt_a, true, "tester", &err));
	REFUSED(st, sel_attend(st, s1, appt_b, true, "tester", &err), NZ_ESTATE);
	j = sel_course_status(st, NULL, false);
	CHECK_INT(json_array_size(j), 1);
	CHECK(json_is_true(json_object_get(json_array_get(j, 0), "completed")));
	json_decref(j);
	j = sel_course_status(st, NULL, true);
	CHECK_INT(json_array_size(j), 0);
	json_decref(j);
	j = sel_course_list(st, NULL);
	CHECK_INT(json_array_size(json_object_get(json_array_get(j, 0), "sessions")), 2);
	json_decref(j);

	/* Nothing broken here. */
	OK(check_run(st, NULL, &j, &err));
	CHECK_INT(json_array_size(j), 0);
	json_decref(j);
	CHECK(jalali_from_iso("2026-11-28", jal, NULL) == 0 && strcmp(jal, "1405-09-07") == 0);
}

/*
 * run_call takes a call of st's secretariat through the review and
 * interviews with n groups all qualifying; their ids go to apps.
 */
static void
run_call(struct store *st, const char *who, int n, char call[NZ_RID_MAX], char apps[][NZ_RID_MAX])
{
	char name[64], phone[32];
	int i;

	setenv("NEHZAT_TODAY", "2026-11-28", 1);
	OK(sel_call_add(st, who, "فراخوان", "", "2026-11-20", "2026-12-10", "tester", call, &err));
	OK(sel_call_move(st, call, CALL_OPEN, "tester", &err));
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "گروه %d", i + 1);
		snprintf(phone, sizeof(phone), "0912000%04d", i);
		OK(apply_group(st, call, name, "people", "", phone, apps[i]));
	}
	OK(sel_call_close(st, call, "همه رسیدند", "tester", &err));
	for (i = 0; i < n; i++) {
		OK(score_all(st, apps[i], "r1", "8", false));
		OK(score_all(st, apps[i], "r2", "9", false));
	}
	OK(sel_call_move(st, call, CALL_REVIEWED, "tester", &err));
	for (i = 0; i < n; i++)
		OK(sel_interview_schedule(st, apps[i], "2026-12-01", "09:00", "", "دبیر", "tester", &err));
	setenv("NEHZAT_TODAY", "2026-12-01", 1); /* the day of the interviews, and today after run_call */
	for (i = 0; i < n; i++)
		OK(score_all(st, apps[i], NULL, "8", true));
}

/*
 * The waiting list: a county (quota 2) appoints ranks 1 and 2 of four, the
 * call is completed, rank 1 is revoked; its place goes to rank 3, not 4.
 */
static void
test_waiting(struct store *ir, struct store *st)
{
	char call[NZ_RID_MAX], apps[4][NZ_RID_MAX], appt[2][NZ_RID_MAX], x[NZ_RID_MAX], y[NZ_RID_MAX];
	char no[SEL_DECREE_NO_MAX];
	json_t *d;

	CHECK(copy_changes(ir, st) > 0);
	run_call(st, NULL, 4, call, apps);
	OK(sel_appoint(st, apps[0], NULL, 0, NULL, "tester", appt[0], no, &err));
	OK(sel_appoint(st, apps[1], NULL, 0, NULL, "tester", appt[1], no, &err));
	OK(sel_call_move(st, call, CALL_COMPLETED, "tester", &err));
	REFUSED(st, sel_appoint_replace(st, apps[2], appt[0], NULL, NULL, "tester", x, no, &err), NZ_ESTATE); /* active */
	OK(sel_revoke(st, appt[0], "انحلال گروه", "tester", &err));
	REFUSED(st, sel_appoint(st, apps[2], NULL, 0, NULL, "tester", x, no, &err), NZ_ESTATE); /* completed */
	REFUSED(st, sel_appoint_replace(st, apps[3], appt[0], NULL, NULL, "tester", x, no, &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "rank order") != NULL);
	OK(sel_appoint_replace(st, apps[2], appt[0], NULL, NULL, "tester", x, no, &err));
	REFUSED(st, sel_appoint_replace(st, apps[3], appt[0], NULL, NULL, "tester", y, no, &err), NZ_EEXIST);
	OK(sel_decree_get(st, x, &d, &err));
	CHECK_STR(json_string_value(json_object_get(d, "replaces")), appt[0]);
	CHECK_STR(json_string_value(json_object_get(d, "replaces_name")), "گروه 1");
	json_decref(d);
	CHECK_INT(count(st, "SELECT count(*) FROM sel_appointment WHERE status = 'active'"), 2);
	/* After the term it would fill has ended, a new call is needed. */
	setenv("NEHZAT_TODAY", "2029-01-01", 1);
	OK(sel_revoke(st, x, "آزمون", "tester", &err));
	REFUSED(st, sel_appoint_replace(st, apps[3], x, "2029-01-01", NULL, "tester", y, no, &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "ended on") != NULL);
	setenv("NEHZAT_TODAY", "2026-11-28", 1);
}

/* A province: its own quota of 5. */
static void
test_province(struct store *ir, struct store *st)
{
	char call[NZ_RID_MAX], apps[6][NZ_RID_MAX], appt[NZ_RID_MAX], no[SEL_DECREE_NO_MAX];
	int i;

	CHECK(copy_changes(ir, st) > 0);
	run_call(st, NULL, 6, call, apps);
	for (i = 0; i < 5; i++)
		OK(sel_appoint(st, apps[i], "2026-12-20", 24, NULL, "tester", appt, no, &err));
	CHECK_STR(no, "IR-08/1405/0005");
	REFUSED(st, sel_appoint(st, apps[5], NULL, 0, NULL, "tester", appt, no, &err), NZ_EQUOTA);
	CHECK_INT(count(st, "SELECT count(*) FROM sel_appointment WHERE status = 'active'"), 5);
}

/*
 * A county and its province appoint for the county while apart: each
 * write keeps the quota where it is made, and check reports the overrun,
 * the doubled decree number and the group appointed twice once they meet.
 */
static void
test_apart(struct store *ir, struct store *prov, struct store *county)
{
	char call[NZ_RID_MAX], apps[3][NZ_RID_MAX], x[NZ_RID_MAX], y[NZ_RID_MAX], z[NZ_RID_MAX];
	char no[SEL_DECREE_NO_MAX];
	json_t *v, *p, *e;
	size_t i;
	int quota = 0, decree = 0, twice = 0;

	CHECK(copy_changes(ir, county) > 0);
	run_call(county, NULL, 3, call, apps);
	CHECK(copy_changes(county, prov) > 0);

	OK(sel_appoint(county, apps[0], NULL, 0, NULL, "tester", x, no, &err));
	CHECK_STR(no, "IR-07-05/1405/0001");
	OK(sel_appoint(prov, apps[0], NULL, 0, NULL, "tester", y, no, &err));
	CHECK_STR(no, "IR-07-05/1405/0001");
	OK(sel_appoint(prov, apps[1], NULL, 0, NULL, "tester", z, no, &err));
	REFUSED(prov, sel_appoint(prov, apps[2], NULL, 0, NULL, "tester", z, no, &err), NZ_EQUOTA);

	CHECK(copy_changes(prov, county) > 0);
	CHECK(copy_changes(county, prov) > 0);
	OK(check_run(county, NULL, &v, &err));
	OK(check_run(prov, "IR-07-05", &p, &err));
	CHECK_INT(json_array_size(v), 3);
	CHECK(json_equal(v, p));
	json_decref(p);
	json_array_foreach(v, i, e) {
		const char *k = json_string_value(json_object_get(e, "check"));
		const char *msg = json_string_value(json_object_get(e, "message"));
		printf("# %s: %s\n", k, msg);
		CHECK_STR(json_string_value(json_object_get(e, "owner")), "IR-07-05");
		quota += strcmp(k, "selection.quota") == 0;
		decree += strcmp(k, "selection.decree") == 0;
		twice += strcmp(k, "selection.double") == 0;
		if (strcmp(k, "selection.quota") == 0)
			CHECK(strstr(msg, "3 active appointments; its quota is 2") != NULL &&
			      strstr(msg, "by IR-07") != NULL);
	}
	json_decref(v);
	CHECK_INT(quota, 1);
	CHECK_INT(decree, 1);
	CHECK_INT(twice, 1);
	OK(check_run(prov, "IR-07-01", &v, &err));
	CHECK_INT(json_array_size(v), 0);
	json_decref(v);
	/* Nothing was silently dropped: both replicas hold the three appointments. */
	CHECK_INT(count(county, "SELECT count(*) FROM sel_appointment WHERE status = 'active'"), 3);
	CHECK_INT(
		count(prov,
		      "SELECT count(*) FROM sel_appointment WHERE owner = 'IR-07-05' AND status = 'active'"),
		3);

	/* The county resolves it: revoking the province's double clears all three. */
	OK(sel_revoke(county, y, "حکم تکراری استان", "tester", &err));
	OK(check_run(county, NULL, &v, &err));
	CHECK_INT(json_array_size(v), 0);
	json_decref(v);
	CHECK_INT(count(county, "SELECT count(*) FROM sel_decree WHERE number = 'IR-07-05/1405/0001'"), 2);
}

static void
test_withdraw(struct store *st)
{
	char call[NZ_RID_MAX], apps[2][NZ_RID_MAX];
	json_t *rank;

	run_call(st, NULL, 2, call, apps);
	REFUSED(st, sel_applicant_withdraw(st, apps[1], "", "tester", &err), NZ_EINVAL);
	OK(sel_applicant_withdraw(st, apps[1], "انصراف", "tester", &err));
	rank = sel_rank(st, call, &err);
	CHECK_INT(json_integer_value(json_object_get(json_array_get(rank, 0), "rank")), 1);
	CHECK(json_is_null(json_object_get(json_array_get(rank, 1), "rank")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 1), "reason")), "withdrawn");
	CHECK_STR(json_string_value(json_object_get(json_array_get(rank, 1), "why")), "rank.withdrawn");
	json_decref(rank);
}

int
main(void)
{
	struct store *ir, *county, *prov, *prov2, *county2, *county3, *county4;

	setenv("NEHZAT_TODAY", "2026-11-28", 1);
	tmp = t_tmpdir();
	ir = open_node("IR");
	county = open_node("IR-07-03");
	prov = open_node("IR-07");
	prov2 = open_node("IR-08");
	county2 = open_node("IR-07-05");
	county3 = open_node("IR-08-02");
	county4 = open_node("IR-09-01");

	test_numbers();
	test_standards(ir, county);
	test_county(ir, county);
	test_province(ir, prov2);
	test_apart(ir, prov, county2);
	CHECK(copy_changes(ir, county3) > 0);
	test_withdraw(county3);
	test_waiting(ir, county4);

	store_close(ir);
	store_close(county);
	store_close(prov);
	store_close(prov2);
	store_close(county2);
	store_close(county3);
	store_close(county4);
	TEST_DONE();
}
