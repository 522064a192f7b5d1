/* The issue register: standards, lifecycle, prioritisation arithmetic, council decisions, consolidation. */
#include <math.h>
#include <sqlite3.h>

#include "base/unit.h"
#include "domain/dashboard.h"
#include "domain/domain.h"
#include "domain/register.h"
#include "domain/resource.h"
#include "store/store.h"
#include "test.h"

static const char *tmp;

static struct store *
open_node(const char *id)
{
	char path[512];
	struct nz_err err = {0};
	struct store *st = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", tmp, id);
	if (store_open(&st, path, domain_tables(), true, &err) != 0 || store_init_node(st, id, &err) != 0) {
		printf("# cannot open %s: %s\n", id, err.msg);
		exit(2);
	}
	return st;
}

/*
 * replicate applies to dst every change of src's log that is visible at dst,
 * as sync would: records owned inside dst's subtree, and directives owned by
 * one of dst's ancestors.  Returns the number of new changes, or -1.
 */
static int
replicate(struct store *src, struct store *dst)
{
	struct nz_err err = {0};
	sqlite3_stmt *q;
	int n = 0, rc;

	if (sqlite3_prepare_v2(store_db(src),
			       "SELECT origin, origin_seq, hlc, tbl, rid, owner, author,"
			       " log_cols(tbl, rid, cols, rowcols, seq) FROM oplog ORDER BY seq",
			       -1, &q, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(q) == SQLITE_ROW) {
		const struct tbl_def *t;
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
		t = store_table(dst, c.tbl);
		if (!unit_within(c.owner, store_node(dst)) &&
		    !(t != NULL && t->vis == VIS_DIRECTIVE && unit_within(store_node(dst), c.owner)))
			continue;
		if ((rc = store_apply(dst, &c, store_node(src), &err)) < 0) {
			printf("# apply %s/%s at %s: %s\n", c.tbl, c.rid, store_node(dst), err.msg);
			n = -1;
			break;
		}
		if (rc == APPLY_NEW)
			n++;
	}
	sqlite3_finalize(q);
	return n;
}

/* rec_one_of returns organisation id as res_get reads it, kept until the next call (NULL when unread). */
static json_t *
rec_one_of(struct store *st, const char *id)
{
	static json_t *last;
	struct nz_err e = {0};

	json_decref(last);
	last = NULL;
	if (res_get(st, &organisation_res, id, &last, &e) != 0)
		printf("#   %s\n", e.msg);
	return last;
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
#define REFUSED(st, expr, code)                                                              \
	do {                                                                                 \
		long long t_before_ = count(st, "SELECT count(*) FROM oplog");               \
		int t_rc_ = (expr);                                                          \
		CHECK_INT(t_rc_, code);                                                      \
		if (t_rc_ != (code))                                                         \
			printf("#   %s\n", err.msg);                                     \
		CHECK_INT(count(st, "SELECT count(*) FROM oplog"), t_before_);               \
	} while (0)

/* REFUSED_BY: refused under the rule of sense (or parser refusal) why, nothing written. */
#define REFUSED_BY(st, expr, rule)                                                           \
	do {                                                                                 \
		REFUSED(st, expr, NZ_EINVAL);                                                \
		CHECK_STR(err.why, rule);                                                    \
	} while (0)

#define OK(expr)                                                                             \
	do {                                                                                 \
		int t_rc_ = (expr);                                                          \
		CHECK_INT(t_rc_, 0);                                                         \
		if (t_rc_ != 0)                                                              \
			printf("#   %s\n", err.msg);                                     \
	} while (0)

static struct nz_err err;

static char state_buf[16];

static const char *
istate(struct store *st, const char *id)
{
	if (issue_state(st, id, state_buf, NULL, NULL, &err) != 0)
		return "(none)";
	return state_buf;
}

static const char *
sstate(struct store *st, const char *id)
{
	if (solution_state(st, id, state_buf, NULL, &err) != 0)
		return "(none)";
	return state_buf;
}

/* Priority and rank of problem id from issue_list. */
static double
priority_of(struct store *st, const char *id, long long *rank)
{
	json_t *rows = issue_list(st, NULL, NULL, NULL), *r;
	double p = -1;
	size_t i;

	*rank = -1;
	json_array_foreach(rows, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "id")), id) != 0)
			continue;
		if (json_is_number(json_object_get(r, "priority")))
			p = json_number_value(json_object_get(r, "priority"));
		if (json_is_integer(json_object_get(r, "rank")))
			*rank = json_integer_value(json_object_get(r, "rank"));
	}
	json_decref(rows);
	return p;
}

#define CHECK_NEAR(a, b)                                                                     \
	do {                                                                                 \
		double t_a_ = (a), t_b_ = (b);                                               \
		t_report(fabs(t_a_ - t_b_) < 0.006, __FILE__, __LINE__, #a " ~ " #b);       \
		if (fabs(t_a_ - t_b_) >= 0.006)                                              \
			printf("#   got %.4f, want %.4f\n", t_a_, t_b_);                     \
	} while (0)

static void
new_issue(struct store *st, const char *title, const char *cat, long long people, char id[NZ_RID_MAX])
{
	struct issue_input in = {0};

	in.title = title;
	in.category = cat;
	in.people = people;
	OK(issue_create(st, &in, "tester", id, &err));
}

static void
test_moves(void)
{
	int i, j, k, legal_issue = 0, legal_sol = 0;

	/* Every pair of statuses: legal exactly when the table says so, by its operation. */
	for (i = 0; reg_statuses[i] != NULL; i++)
		for (j = 0; reg_statuses[j] != NULL; j++)
			for (k = REG_VIA_SCORE; k <= REG_VIA_CLOSE; k++) {
				if (reg_check_move(REG_ISSUE, "problem", "x", reg_statuses[i], reg_statuses[j],
						   (enum reg_via)k, &err) == 0)
					legal_issue++;
				if (reg_check_move(REG_SOLUTION, "solution", "x", reg_statuses[i], reg_statuses[j],
						   (enum reg_via)k, &err) == 0)
					legal_sol++;
			}
	CHECK_INT(legal_issue, 14);
	CHECK_INT(legal_sol, 9);
	CHECK_INT(reg_check_move(REG_ISSUE, "problem", "x", "identified", "prioritised", REG_VIA_SCORE, &err), 0);
	CHECK_INT(reg_check_move(REG_ISSUE, "problem", "x", "identified", "proposed", REG_VIA_SOLUTION, &err),
		  NZ_ESTATE);
	CHECK(strstr(err.msg, "next: prioritised, closed") != NULL);
	CHECK_INT(reg_check_move(REG_ISSUE, "problem", "x", "council", "approved", REG_VIA_CLOSE, &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "only through a council's decision") != NULL);
	CHECK(strstr(err.msg, "nehzat") == NULL); /* the command is the presentation's to name */
	CHECK_STR(err.action, "council decide");
	CHECK_INT(reg_check_move(REG_ISSUE, "problem", "x", "closed", "identified", REG_VIA_CLOSE, &err), NZ_ESTATE);
	CHECK(strstr(err.msg, "moves no further") != NULL);
	CHECK_INT(reg_check_move(REG_SOLUTION, "solution", "x", "rejected", "proposed", REG_VIA_SOLUTION, &err),
		  NZ_ESTATE);
	CHECK_STR(reg_status_fa("returned"), "عودت برای اصلاح");
	CHECK(reg_status_fa("nonsense") == NULL);
}

int
main(void)
{
	struct store *ir, *pv, *ca, *cb;
	char p1[NZ_RID_MAX], p2[NZ_RID_MAX], p3[NZ_RID_MAX], p4[NZ_RID_MAX], pw[NZ_RID_MAX];
	char s1[NZ_RID_MAX], s2[NZ_RID_MAX], sol[NZ_RID_MAX], sol3[NZ_RID_MAX], sol3b[NZ_RID_MAX];
	char iv[NZ_RID_MAX], ev[NZ_RID_MAX], id[NZ_RID_MAX], org[NZ_RID_MAX], intro[NZ_RID_MAX];
	int ncat, ncrit;
	long long rank;

	/* The story below runs to 1405-12-20; today is near the end of that year. */
	setenv("NEHZAT_TODAY", "2027-03-16", 1); /* 1405-12-25 */
	tmp = t_tmpdir();
	ir = open_node("IR");
	pv = open_node("IR-07");
	ca = open_node("IR-07-03");
	cb = open_node("IR-07-04");

	test_moves();

	/* Standards are national: a county cannot seed or add them, and nothing is written. */
	REFUSED(ca, reg_seed_standards(ca, "tester", &ncat, &ncrit, &err), NZ_EDENIED);
	REFUSED(pv, criterion_put(pv, true, "cost", "هزینه", NULL, 10, 5, -1, "tester", &err), NZ_EDENIED);
	REFUSED(ir, category_put(ir, true, "Bad Code", "x", NULL, -1, "tester", &err), NZ_EINVAL);
	REFUSED(ir, criterion_put(ir, true, "cost", "هزینه", NULL, 0, 5, -1, "tester", &err), NZ_EINVAL);
	REFUSED(ir, criterion_put(ir, true, "cost", "هزینه", NULL, 10, 1, -1, "tester", &err), NZ_EINVAL);

	/* Before the list arrives, a county accepts any well-formed category (offline first). */
	new_issue(ca, "کم آبی", "water", 300, pw);
	REFUSED(ca, issue_add(ca, "x", NULL, "Not Valid", "tester", id, &err), NZ_EINVAL);

	OK(reg_seed_standards(ir, "tester", &ncat, &ncrit, &err));
	CHECK_INT(ncat, 13);
	CHECK_INT(ncrit, 4);
	OK(reg_seed_standards(ir, "tester", &ncat, &ncrit, &err));
	CHECK_INT(ncat + ncrit, 0);
	REFUSED(ir, category_put(ir, true, "addiction", "اعتیاد", NULL, -1, "tester", &err), NZ_EEXIST);
	CHECK_INT(replicate(ir, pv) > 0, 1);
	CHECK_INT(replicate(pv, ca) > 0, 1);
	CHECK_INT(replicate(pv, cb) > 0, 1);
	CHECK_INT(count(ca, "SELECT count(*) FROM priority_criterion WHERE deleted = 0"), 4);
	CHECK_INT(count(cb, "SELECT count(*) FROM problem_category WHERE deleted = 0"), 13);

	/* With the list held, a code must be on it and active. */
	REFUSED(ca, issue_add(ca, "x", NULL, "water", "tester", id, &err), NZ_EINVAL);
	OK(category_put(ir, false, "crime", NULL, NULL, 0, "tester", &err));
	/* Either list: editing what is not there, or changing nothing, is refused; a new entry comes last. */
	REFUSED(ir, category_put(ir, false, "nonesuch", "x", NULL, -1, "tester", &err), NZ_ENOTFOUND);
	CHECK_STR(err.msg, "no category 'nonesuch'");
	REFUSED(ir, category_put(ir, false, "crime", NULL, NULL, -1, "tester", &err), NZ_EINVAL);
	CHECK_STR(err.msg, "nothing to change for category 'crime'");
	REFUSED(ir, criterion_put(ir, false, "nonesuch", NULL, NULL, -1, 0, -1, "tester", &err), NZ_ENOTFOUND);
	REFUSED(ir, criterion_put(ir, true, "severity", "x", NULL, 5, 0, -1, "tester", &err), NZ_EEXIST);
	CHECK_STR(err.msg, "criterion 'severity' already exists; change it instead");
	REFUSED(ir, category_put(ir, true, "energy", NULL, NULL, -1, "tester", &err), NZ_EINVAL);
	CHECK_STR(err.msg, "category 'energy' needs a Persian name");
	OK(category_put(ir, true, "energy", "انرژی", "Energy", -1, "tester", &err));
	CHECK_INT(count(ir, "SELECT ord FROM problem_category WHERE id = 'cat-energy' AND active = 1 AND"
			    " name_en = 'Energy'"),
		  14);
	replicate(ir, pv);
	replicate(pv, ca);
	REFUSED(ca, issue_add(ca, "x", NULL, "crime", "tester", id, &err), NZ_EINVAL);
	CHECK(strstr(err.msg, "retired") != NULL);
	{
		struct issue_input in = {0};
		in.title = "x";
		in.people = -1;
		in.source = "rumour";
		REFUSED(ca, issue_create(ca, &in, "tester", id, &err), NZ_EINVAL);
		in.source = NULL;
		in.area = "IR-07-04";
		REFUSED(ca, issue_create(ca, &in, "tester", id, &err), NZ_EDENIED);
		in.area = NULL;
		in.title = "";
		REFUSED(ca, issue_create(ca, &in, "tester", id, &err), NZ_EINVAL);
	}

	/* Problems and a session at county A. */
	new_issue(ca, "اعتیاد جوانان", "addiction", 1200, p1);
	new_issue(ca, "بیکاری", "unemployment", 500, p2);
	new_issue(ca, "طلاق", "family", 80, p3);
	new_issue(ca, "حاشیه نشینی", "settlement", 2000, p4);
	{
		struct session_input in = {0};
		const char *issues[] = {p1};
		in.date = "1405-09-01";
		in.place = "مسجد جامع";
		in.facilitator_name = "تسهیلگر"; /* not designated: the flagged fallback */
		in.participants = 40;
		in.groups = "معتمدین، جوانان";
		in.issues = issues;
		in.nissues = 1;
		OK(session_add(ca, &in, "tester", s1, &err));
		in.date = "1405-13-01";
		REFUSED(ca, session_add(ca, &in, "tester", id, &err), NZ_EINVAL);
		in.date = "1405-09-10";
		issues[0] = "nosuchissue";
		REFUSED(ca, session_add(ca, &in, "tester", id, &err), NZ_ENOTFOUND);
		in.nissues = 0;
		OK(session_add(ca, &in, "tester", s2, &err));
		/* The date typo of a clerk (1405 typed 1045) and a Gregorian date typed the Jalali way. */
		in.date = "1045-09-15";
		REFUSED_BY(ca, session_add(ca, &in, "tester", id, &err), "date.implausible_year");
		in.date = "۲۰۲۶/۱۱/۲۸";
		REFUSED_BY(ca, session_add(ca, &in, "tester", id, &err), "date.gregorian_as_jalali");
	}

	/*
	 * Prioritisation: weights 35/25/25/15, scale 5.  p1, two groups:
	 * severity (4+2)/2 = 3, prevalence (3+5)/2 = 4, urgency (5+3)/2 = 4,
	 * feasibility (2+4)/2 = 3: 100 * (35*3/5 + 25*4/5 + 25*4/5 + 15*3/5) / 100 = 70.
	 */
	{
		struct score_input g1[] = {{"severity", 4}, {"prevalence", 3}, {"urgency", 5}, {"feasibility", 2}};
		struct score_input g2[] = {{"severity", 2}, {"prevalence", 5}, {"urgency", 3}, {"feasibility", 4}};
		struct score_input only[] = {{"severity", 5}};
		struct score_input high[] = {{"severity", 5}, {"prevalence", 5}, {"urgency", 5}, {"feasibility", 0}};
		struct score_input bad[] = {{"severity", 4}, {"urgency", 6}};
		struct score_input unknown[] = {{"beauty", 4}};
		struct score_input twice[] = {{"severity", 4}, {"severity", 2}};
		struct score_input all5[] = {{"severity", 5}, {"prevalence", 5}, {"urgency", 5}, {"feasibility", 5}};
		struct score_input re[] = {{"severity", 3}};

		OK(session_score(ca, s1, p1, "youth", g1, 4, "tester", &err));
		OK(session_score(ca, s1, p1, "elders", g2, 4, "tester", &err));
		CHECK_NEAR(priority_of(ca, p1, &rank), 70.0);
		CHECK_STR(istate(ca, p1), "prioritised");
		OK(session_score(ca, s1, p2, NULL, only, 1, "tester", &err));
		CHECK_NEAR(priority_of(ca, p2, &rank), 35.0);
		OK(session_score(ca, s1, p3, NULL, high, 4, "tester", &err));
		CHECK_NEAR(priority_of(ca, p3, &rank), 85.0);
		CHECK_INT(rank, 1);
		priority_of(ca, p1, &rank);
		CHECK_INT(rank, 2);
		priority_of(ca, p2, &rank);
		CHECK_INT(rank, 3);
		CHECK(priority_of(ca, p4, &rank) < 0);
		CHECK_INT(rank, -1);
		CHECK_STR(istate(ca, p4), "identified");
		/* The session now lists every problem it scored. */
		CHECK_INT(count(ca, "SELECT count(*) FROM delib_session WHERE issues LIKE '% %'"), 1);

		/* Refused scores change nothing, not even the first, valid one. */
		REFUSED(ca, session_score(ca, s1, p4, NULL, bad, 2, "tester", &err), NZ_EINVAL);
		REFUSED(ca, session_score(ca, s1, p4, NULL, unknown, 1, "tester", &err), NZ_EINVAL);
		REFUSED(ca, session_score(ca, s1, p4, NULL, twice, 2, "tester", &err), NZ_EINVAL);
		REFUSED(ca, session_score(ca, "nosuch", p4, NULL, only, 1, "tester", &err), NZ_ENOTFOUND);
		REFUSED(ca, session_score(ca, s1, p4, NULL, only, 0, "tester", &err), NZ_EINVAL);
		CHECK_STR(istate(ca, p4), "identified");

		/* The same group again in the same session replaces its score: p2 severity 3 -> 21. */
		OK(session_score(ca, s1, p2, NULL, re, 1, "tester", &err));
		CHECK_NEAR(priority_of(ca, p2, &rank), 21.0);
		CHECK_INT(count(ca, "SELECT count(*) FROM issue_score WHERE deleted = 0"), 4 + 4 + 1 + 4);

		/*
		 * A later session adds scores and the rank is recomputed: p2 severity
		 * (3+5)/2 = 4, the rest 5: 100 * (35*4/5 + 25 + 25 + 15) / 100 = 93.
		 */
		/* A session is scored once it has met: not before its date (today is moved back for it). */
		setenv("NEHZAT_TODAY", "2026-11-30", 1); /* 1405-09-09 */
		REFUSED_BY(ca, session_score(ca, s2, p2, NULL, all5, 4, "tester", &err), "sense.session_score_future");
		setenv("NEHZAT_TODAY", "2026-12-01", 1); /* 1405-09-10, the day it met */
		OK(session_score(ca, s2, p2, NULL, all5, 4, "tester", &err));
		setenv("NEHZAT_TODAY", "2027-03-16", 1);
		CHECK_NEAR(priority_of(ca, p2, &rank), 93.0);
		CHECK_INT(rank, 1);
		priority_of(ca, p3, &rank);
		CHECK_INT(rank, 2);

		/*
		 * Weights are national: doubling severity's weight to 70 there
		 * changes p1 here after sync: (70*0.6 + 25*0.8 + 25*0.8 + 15*0.6) / 135.
		 */
		OK(criterion_put(ir, false, "severity", NULL, NULL, 70, 0, -1, "tester", &err));
		replicate(ir, pv);
		replicate(pv, ca);
		CHECK_NEAR(priority_of(ca, p1, &rank), 100.0 * 91.0 / 135.0);
		OK(criterion_put(ir, false, "severity", NULL, NULL, 35, 0, -1, "tester", &err));
		replicate(ir, pv);
		replicate(pv, ca);
		CHECK_NEAR(priority_of(ca, p1, &rank), 70.0);
	}

	/* ---- the lifecycle ---- */
	{
		struct solution_input in = {0};
		const char *issues[2] = {p4, NULL};
		struct decision_input d = {0};
		long long before;

		in.title = "برنامه پیشگیری";
		in.plan = "کارگاه ها";
		in.bodies = "بهزیستی";
		in.budget = 1000000;
		in.start = "1405-10-01";
		in.end = "1405-12-29";
		in.issues = issues;
		in.nissues = 1;
		/* An identified problem has no solution yet. */
		REFUSED(ca, solution_add(ca, &in, "tester", id, &err), NZ_ESTATE);
		CHECK_STR(istate(ca, p4), "identified");
		issues[0] = p1;
		in.end = "1405-09-01";
		REFUSED(ca, solution_add(ca, &in, "tester", id, &err), NZ_EINVAL);
		in.end = "1405-12-29";
		OK(solution_add(ca, &in, "tester", sol, &err));
		CHECK_STR(istate(ca, p1), "proposed");
		CHECK_STR(sstate(ca, sol), "proposed");
		REFUSED(ca, solution_add(ca, &in, "tester", id, &err), NZ_ESTATE);

		/* Out of order: each refused, nothing written. */
		d.solution = sol;
		d.date = "1405-09-20";
		d.resolution = "12/345";
		d.decision = "approved";
		REFUSED(ca, council_decide(ca, &d, "tester", &err), NZ_ESTATE);
		REFUSED(ca, intervention_add(ca, sol, NULL, "tester", id, &err), NZ_ESTATE);
		REFUSED(ca, solution_revise(ca, sol, "tester", &err), NZ_ESTATE);
		REFUSED(ca, solution_close(ca, sol, NULL, "tester", &err), NZ_ESTATE);
		REFUSED(ca, issue_close(ca, p1, "dup", "tester", &err), NZ_ESTATE);
		REFUSED(ca, issue_set(ca, p1, 1, (char *[]){"status=closed"}, "tester", &err), NZ_EINVAL);
		REFUSED(ca, solution_set(ca, sol, 1, (char *[]){"status=approved"}, "tester", &err), NZ_EINVAL);
		REFUSED(ca, solution_set(ca, sol, 1, (char *[]){"end_date=1405-01-01"}, "tester", &err), NZ_EINVAL);
		REFUSED(ca, solution_submit(ca, sol, "national", NULL, "tester", &err), NZ_EINVAL);
		CHECK_STR(istate(ca, p1), "proposed");

		/* Submitted after today: refused. */
		REFUSED_BY(ca, solution_submit(ca, sol, "county", "1406-01-10", "tester", &err),
			   "sense.submission_future");

		/* Round 1: the county council returns it. */
		OK(solution_submit(ca, sol, "county", "1405-09-15", "tester", &err));
		CHECK_STR(istate(ca, p1), "council");
		REFUSED(ca, solution_submit(ca, sol, "county", NULL, "tester", &err), NZ_ESTATE);
		d.decision = "returned";
		d.resolution = NULL;
		d.date = "1405-09-10";
		REFUSED_BY(ca, council_decide(ca, &d, "tester", &err), "sense.decision_before_submission");
		/* On 1405-09-15, a session of the 16th has not happened yet. */
		setenv("NEHZAT_TODAY", "2026-12-06", 1); /* 1405-09-15 */
		d.date = "1405-09-16";
		REFUSED_BY(ca, council_decide(ca, &d, "tester", &err), "sense.decision_future");
		setenv("NEHZAT_TODAY", "2027-03-16", 1);
		d.date = "1405-09-20";
		d.decision = "maybe";
		REFUSED(ca, council_decide(ca, &d, "tester", &err), NZ_EINVAL);
		d.decision = "approved";
		REFUSED(ca, council_decide(ca, &d, "tester", &err), NZ_EINVAL); /* no resolution number */
		d.decision = "returned";
		REFUSED(pv, council_decide(pv, &d, "tester", &err), NZ_ENOTFOUND); /* the province has not seen it */
		OK(council_decide(ca, &d, "tester", &err));
		CHECK_STR(sstate(ca, sol), "returned");
		CHECK_STR(istate(ca, p1), "returned");
		REFUSED(ca, intervention_add(ca, sol, NULL, "tester", id, &err), NZ_ESTATE);
		CHECK_INT(count(ca, "SELECT count(*) FROM intervention"), 0);
		OK(solution_revise(ca, sol, "tester", &err));
		CHECK_STR(sstate(ca, sol), "proposed");
		CHECK_STR(istate(ca, p1), "proposed");
		OK(solution_set(ca, sol, 2, (char *[]){"budget=2000000", "start_date=1405-10-15"}, "tester", &err));

		/* Round 2: to the provincial council, whose decision only the province records. */
		OK(solution_submit(ca, sol, "province", "1405-10-01", "tester", &err));
		d.decision = "approved";
		d.resolution = "ش-۴۵";
		d.date = "1405-10-05";
		d.conditions = "گزارش ماهانه";
		REFUSED(ca, council_decide(ca, &d, "tester", &err), NZ_EDENIED);
		CHECK_INT(replicate(ca, pv) > 0, 1);
		CHECK_STR(sstate(pv, sol), "council");
		/* Offline, the county edits the solution while the province decides. */
		OK(solution_set(ca, sol, 1, (char *[]){"resources=سالن ورزشی"}, "tester", &err));
		OK(council_decide(pv, &d, "tester", &err));
		CHECK_STR(sstate(pv, sol), "approved");
		CHECK_STR(istate(pv, p1), "approved");
		CHECK_INT(count(pv, "SELECT count(*) FROM council_decision WHERE owner = 'IR-07-03'"), 2);
		/* Neither county sees it before sync; county A does after, county B never. */
		CHECK_STR(sstate(ca, sol), "council");
		CHECK_INT(replicate(pv, ca) > 0, 1);
		CHECK(replicate(pv, cb) >= 0);
		CHECK_INT(replicate(ca, pv) > 0, 1);
		CHECK_STR(sstate(ca, sol), "approved");
		CHECK_STR(istate(ca, p1), "approved");
		CHECK_INT(count(cb, "SELECT count(*) FROM council_decision"), 0);
		/* Both the county's edit and the province's decision survive, everywhere. */
		CHECK_INT(count(ca, "SELECT count(*) FROM solution WHERE resources = 'سالن ورزشی'"), 1);
		CHECK_INT(count(pv, "SELECT count(*) FROM solution WHERE resources = 'سالن ورزشی'"), 1);
		{
			char a[65], b[65];
			OK(store_digest(ca, "IR-07-03", a, &err));
			OK(store_digest(pv, "IR-07-03", b, &err));
			CHECK_STR(a, b);
		}

		/* Intervention and its stages. */
		OK(intervention_add(ca, sol, NULL, "tester", iv, &err));
		CHECK_STR(sstate(ca, sol), "intervention");
		CHECK_STR(istate(ca, p1), "intervention");
		REFUSED(ca, intervention_add(ca, sol, NULL, "tester", id, &err), NZ_ESTATE);
		REFUSED(ca, intervention_stage(ca, iv, "planning", "1405-10-20", "1405-10-25", 10, NULL, "tester", &err),
			NZ_ESTATE);
		REFUSED(ca, intervention_stage(ca, iv, "needs", "1405-10-20", "1405-10-10", 10, NULL, "tester", &err),
			NZ_EINVAL);
		REFUSED(ca, intervention_stage(ca, iv, "sixth", "1405-10-20", NULL, 10, NULL, "tester", &err), NZ_EINVAL);
		{
			/* An evaluation of an intervention that has not started implementation is refused. */
			struct evaluation_input e = {0};
			e.intervention = iv;
			e.strengths = "مشارکت بالا";
			REFUSED(ca, evaluation_add(ca, &e, "tester", id, &err), NZ_ESTATE);
		}
		/* A stage cannot have ended after today, nor before it started. */
		REFUSED_BY(ca, intervention_stage(ca, iv, "needs", "1405-10-16", "1406-01-10", 60, NULL, "tester", &err),
			   "sense.stage_end_future");
		REFUSED_BY(ca, intervention_stage(ca, iv, "needs", "1405-10-16", "1405-10-15", 60, NULL, "tester", &err),
			   "sense.stage_end_before_start");
		OK(intervention_stage(ca, iv, "needs", "1405-10-16", "1405-10-20", 60, "پرسشنامه", "tester", &err));
		OK(intervention_stage(ca, iv, "2", "1405-10-21", "1405-10-22", 35, NULL, "tester", &err));
		{
			json_t *r = NULL;
			OK(intervention_get(ca, iv, &r, &err));
			CHECK_INT(json_integer_value(json_object_get(r, "stages_done")), 2);
			CHECK_INT(json_integer_value(json_object_get(r, "progress")), 40);
			CHECK_STR(json_string_value(json_object_get(r, "current_stage")), "planning");
			json_decref(r);
		}
		REFUSED(ca, intervention_stage(ca, iv, "needs", NULL, "", -1, NULL, "tester", &err), NZ_ESTATE);
		OK(intervention_stage(ca, iv, "planning", "1405-10-23", "1405-10-30", 20, NULL, "tester", &err));
		OK(intervention_stage(ca, iv, "implementation", "1405-11-01", NULL, 150, NULL, "tester", &err));
		{
			struct evaluation_input e = {0};
			e.intervention = iv;
			e.solution = sol;
			e.strengths = "x";
			REFUSED(ca, evaluation_add(ca, &e, "tester", id, &err), NZ_EINVAL);
			e.solution = NULL;
			e.strengths = NULL;
			REFUSED(ca, evaluation_add(ca, &e, "tester", id, &err), NZ_EINVAL);
			e.strengths = "مشارکت بالای جوانان";
			e.weaknesses = "بودجه ناکافی";
			e.indicators = "کاهش ۲۰٪ مراجعات";
			e.recommendations = "تداوم برنامه";
			e.evaluator = "همیار";
			/* Not after today, not before implementation began (1405-11-01). */
			e.date = "1406-01-10";
			REFUSED_BY(ca, evaluation_add(ca, &e, "tester", id, &err), "sense.evaluation_future");
			e.date = "1405-10-30";
			REFUSED_BY(ca, evaluation_add(ca, &e, "tester", id, &err), "sense.evaluation_before_implementation");
			CHECK_STR(sstate(ca, sol), "intervention");
			e.date = "1405-12-01";
			OK(evaluation_add(ca, &e, "tester", ev, &err));
		}
		CHECK_STR(sstate(ca, sol), "evaluated");
		CHECK_STR(istate(ca, p1), "evaluated");
		OK(solution_close(ca, sol, "پایان برنامه", "tester", &err));
		CHECK_STR(sstate(ca, sol), "closed");
		CHECK_STR(istate(ca, p1), "closed");
		REFUSED(ca, issue_close(ca, p1, NULL, "tester", &err), NZ_ESTATE);
		{
			struct score_input only[] = {{"severity", 5}};
			REFUSED(ca, session_score(ca, s1, p1, NULL, only, 1, "tester", &err), NZ_ESTATE);
		}
		priority_of(ca, p1, &rank);
		CHECK_INT(rank, -1); /* closed problems are not ranked */

		/* Rejected: a new solution may take the problem; closing the old one leaves it alone. */
		issues[0] = p3;
		in.title = "مشاوره خانواده";
		OK(solution_add(ca, &in, "tester", sol3, &err));
		OK(solution_submit(ca, sol3, "county", "1405-09-25", "tester", &err));
		d.solution = sol3;
		d.decision = "rejected";
		d.resolution = "۹۹";
		d.date = "1405-09-28";
		d.conditions = NULL;
		OK(council_decide(ca, &d, "tester", &err));
		CHECK_STR(istate(ca, p3), "rejected");
		/* The council corrects its record for the same round: still one decision. */
		d.resolution = "100";
		OK(council_decide(ca, &d, "tester", &err));
		CHECK_INT(count(ca, "SELECT count(*) FROM council_decision WHERE solution = (SELECT id FROM solution"
				    " WHERE title = 'مشاوره خانواده')"),
			  1);
		OK(solution_add(ca, &in, "tester", sol3b, &err));
		CHECK_STR(istate(ca, p3), "proposed");
		OK(solution_close(ca, sol3, "rejected", "tester", &err));
		CHECK_STR(sstate(ca, sol3), "closed");
		CHECK_STR(istate(ca, p3), "proposed");
		before = count(ca, "SELECT count(*) FROM oplog");
		CHECK_INT(issue_close(ca, p4, "تکراری", "tester", &err), 0);
		CHECK_INT(count(ca, "SELECT count(*) FROM oplog"), before + 1);
		CHECK_STR(istate(ca, p4), "closed");
		issues[0] = p2;
		issues[1] = pw;
		in.nissues = 2;
		REFUSED(ca, solution_add(ca, &in, "tester", id, &err), NZ_ESTATE); /* pw is only identified */
	}

	/* ---- organisations: a resource declared once, with introductions on top ---- */
	{
		/* name, kind, field, contact, identified_by, identified, notes, area */
		const char *o[] = {"کانون فرهنگی مسجد", "مسجد", NULL, NULL, "گروه همیار ۱", "1405-08-01", NULL, NULL};
		const struct res_def *r = &organisation_res;
		char *alias_set[] = {"by=گروه همیار ۲", "date=1405-08-05"};
		char *owner_set[] = {"area=IR-07"}, *empty_name[] = {"name="}, *notes_set[] = {"notes=x"};
		json_t *rows, *rec = NULL;

		CHECK(res_find("org") == r && res_find("orgs") == r && res_find("organisation") == r);
		OK(res_add(ca, r, o, "tester", org, &err));
		CHECK_STR(json_string_value(json_object_get(rec_one_of(ca, org), "owner")), "IR-07-03");
		CHECK_INT(count(ca, "SELECT count(*) FROM organisation WHERE identified = '2026-10-23' AND active = 1"), 1);
		o[0] = NULL;
		REFUSED(ca, res_add(ca, r, o, "tester", id, &err), NZ_EINVAL);
		CHECK_STR(err.msg, "an organisation needs a name");
		o[0] = "x";
		o[7] = "IR-07-04"; /* the owner: an area of this node's register */
		REFUSED(ca, res_add(ca, r, o, "tester", id, &err), NZ_EDENIED);
		o[7] = "IR-7";
		REFUSED(ca, res_add(ca, r, o, "tester", id, &err), NZ_EINVAL);
		REFUSED(ca, org_introduce(ca, org, "بهزیستی", "national", NULL, NULL, NULL, "tester", id, &err), NZ_EINVAL);
		REFUSED(ca, org_introduce(ca, org, "بهزیستی", "county", NULL, "maybe", NULL, "tester", id, &err), NZ_EINVAL);
		OK(org_introduce(ca, org, "بهزیستی شهرستان", "county", "1405-08-10", NULL, NULL, "tester", intro, &err));
		OK(org_outcome(ca, intro, "accepted", "همکاری در کارگاه ها", "tester", &err));
		OK(org_introduce(ca, org, "اداره کل ورزش", "province", NULL, NULL, NULL, "tester", id, &err));
		/* Computed columns: the introductions counted. */
		rows = res_list(ca, r, NULL, false);
		CHECK_INT(json_array_size(rows), 1);
		CHECK_INT(json_integer_value(json_object_get(json_array_get(rows, 0), "introductions")), 2);
		CHECK_INT(json_integer_value(json_object_get(json_array_get(rows, 0), "accepted")), 1);
		CHECK(json_object_get(json_array_get(rows, 0), "area") == NULL); /* the owner is no column */
		json_decref(rows);
		/* Aliases: set takes the names add's options had. */
		OK(res_set(ca, r, org, 2, alias_set, "tester", &err));
		CHECK_INT(count(ca, "SELECT count(*) FROM organisation WHERE identified_by = 'گروه همیار ۲'"
				    " AND identified = '2026-10-27'"),
			  1);
		REFUSED(ca, res_set(ca, r, org, 1, owner_set, "tester", &err), NZ_EINVAL);
		REFUSED(ca, res_set(ca, r, org, 1, empty_name, "tester", &err), NZ_EINVAL);
		/* show: the record as listed, with its introductions. */
		OK(res_get(ca, r, org, &rec, &err));
		CHECK_INT(json_array_size(json_object_get(rec, "introductions")), 2);
		CHECK_INT(json_integer_value(json_object_get(rec, "accepted")), 1);
		json_decref(rec);
		REFUSED(ca, res_get(ca, r, "nosuchid", &rec, &err), NZ_ENOTFOUND);
		/* A record written before the table had active and retired holds NULLs there: it is active. */
		CHECK_INT(sqlite3_exec(store_db(ca), "UPDATE organisation SET active = NULL, retired = NULL", NULL, NULL,
				       NULL),
			  SQLITE_OK);
		rows = res_list(ca, r, NULL, false);
		CHECK_INT(json_array_size(rows), 1);
		CHECK_INT(json_integer_value(json_object_get(json_array_get(rows, 0), "active")), 1);
		CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "retired")), "");
		json_decref(rows);
		OK(res_set(ca, r, org, 1, notes_set, "tester", &err));
		OK(res_retire(ca, r, org, "tester", &err));
		REFUSED(ca, res_retire(ca, r, org, "tester", &err), NZ_ESTATE);
		REFUSED(ca, res_set(ca, r, org, 1, notes_set, "tester", &err), NZ_ESTATE);
		REFUSED(ca, org_introduce(ca, org, "بهزیستی", "county", NULL, NULL, NULL, "tester", id, &err), NZ_ESTATE);
		CHECK_INT(res_active(ca, r, org, &err), 0);
		CHECK_INT(res_active(ca, r, "nosuchid", &err), NZ_ENOTFOUND);
		rows = res_list(ca, r, NULL, false);
		CHECK_INT(json_array_size(rows), 0);
		json_decref(rows);
		rows = res_list(ca, r, NULL, true);
		CHECK_INT(json_array_size(rows), 1);
		CHECK_STR(json_string_value(json_object_get(json_array_get(rows, 0), "retired")), "2027-03-16");
		json_decref(rows);
	}

	/* ---- consolidation: province and national add up their counties ---- */
	{
		char q1[NZ_RID_MAX], q2[NZ_RID_MAX];
		struct score_input sc[] = {{"severity", 5}, {"prevalence", 4}};
		struct session_input in = {0};
		json_t *sa, *sb, *sp, *sn, *u;
		size_t i;
		const char *k;
		json_t *v;

		new_issue(cb, "اعتیاد", "addiction", 900, q1);
		new_issue(cb, "بیکاری جوانان", "unemployment", 100, q2);
		in.date = "1405-09-05";
		in.participants = 12;
		OK(session_add(cb, &in, "tester", s1, &err));
		OK(session_score(cb, s1, q1, NULL, sc, 2, "tester", &err));
		new_issue(pv, "مسئله استانی", "poverty", 10000, id);
		CHECK_INT(replicate(ca, pv) > 0, 1);
		CHECK_INT(replicate(cb, pv) > 0, 1);
		CHECK_INT(replicate(pv, ir) > 0, 1);
		/* The province has heard from county A at a known time. */
		sqlite3_exec(store_db(pv), "INSERT INTO peer (id, role, last_sync) VALUES ('IR-07-03', 'child', 1764300000000)",
			     NULL, NULL, NULL);

		sa = dash_register(ca, NULL, 5, &err);
		sb = dash_register(cb, NULL, 5, &err);
		sp = dash_register(pv, NULL, 5, &err);
		sn = dash_register(ir, NULL, 5, &err);
		CHECK(sa != NULL && sb != NULL && sp != NULL && sn != NULL);
		if (sa != NULL && sb != NULL && sp != NULL && sn != NULL) {
			json_t *ta = json_object_get(sa, "totals"), *tb = json_object_get(sb, "totals");
			json_t *tp = json_object_get(sp, "totals"), *tn = json_object_get(sn, "totals");
			long long own = 0, sum_units = 0;
			int all_states_add_up = 1, all_counts_add_up = 1;
			CHECK_INT(json_integer_value(json_object_get(ta, "problems")), 5);
			CHECK_INT(json_integer_value(json_object_get(tb, "problems")), 2);
			/* Province: its own problem plus its counties'. */
			json_array_foreach(json_object_get(sp, "units"), i, u) {
				if (json_is_true(json_object_get(u, "own")))
					own = json_integer_value(json_object_get(u, "problems"));
				sum_units += json_integer_value(json_object_get(u, "problems"));
			}
			CHECK_INT(own, 1);
			CHECK_INT(json_integer_value(json_object_get(tp, "problems")), 5 + 2 + 1);
			CHECK_INT(sum_units, 5 + 2 + 1);
			CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(sp, "units"), 0), "unit")),
				  "IR-07");
			u = json_array_get(json_object_get(sp, "units"), 1);
			CHECK_STR(json_string_value(json_object_get(u, "unit")), "IR-07-03");
			CHECK_INT(json_integer_value(json_object_get(u, "last_sync_ms")), 1764300000000LL);
			CHECK_STR(json_string_value(json_object_get(u, "via")), "IR-07-03");
			u = json_array_get(json_object_get(sp, "units"), 2);
			CHECK_INT(json_integer_value(json_object_get(u, "last_sync_ms")), 0);
			json_object_foreach(json_object_get(ta, "by_state"), k, v) {
				long long want = json_integer_value(v) +
						 json_integer_value(json_object_get(json_object_get(tb, "by_state"), k));
				long long got = json_integer_value(json_object_get(json_object_get(tp, "by_state"), k));
				if (strcmp(k, "identified") == 0)
					want += 1; /* the province's own */
				if (got != want) {
					printf("#   %s: province %lld, counties %lld\n", k, got, want);
					all_states_add_up = 0;
				}
				if (json_integer_value(json_object_get(json_object_get(tn, "by_state"), k)) != got)
					all_states_add_up = 0;
			}
			CHECK(all_states_add_up);
			{
				static const char *const keys[] = {"sessions", "scores", "solutions", "decisions",
								   "interventions", "evaluations", "organisations",
								   "introductions", NULL};
				int j;
				for (j = 0; keys[j] != NULL; j++) {
					long long a = json_integer_value(json_object_get(ta, keys[j]));
					long long b = json_integer_value(json_object_get(tb, keys[j]));
					long long p = json_integer_value(json_object_get(tp, keys[j]));
					long long nn = json_integer_value(json_object_get(tn, keys[j]));
					if (a + b != p || p != nn) {
						printf("#   %s: %lld + %lld, province %lld, national %lld\n", keys[j], a, b,
						       p, nn);
						all_counts_add_up = 0;
					}
				}
			}
			CHECK(all_counts_add_up);
			CHECK_INT(json_integer_value(json_object_get(tp, "decisions")), 3);
			/* National: one province, figures through it; addiction counts both counties. */
			CHECK_INT(json_integer_value(json_object_get(tn, "problems")), 8);
			json_array_foreach(json_object_get(sn, "by_category"), i, v) {
				if (strcmp(json_string_value(json_object_get(v, "category")), "addiction") != 0)
					continue;
				CHECK_INT(json_integer_value(json_object_get(v, "problems")), 2);
				CHECK_STR(json_string_value(json_object_get(v, "name_fa")), "اعتیاد");
				CHECK_STR(json_string_value(json_object_get(
						  json_array_get(json_object_get(v, "sources"), 0), "via")),
					  "IR-07");
			}
			CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(sn, "by_category"), 0),
								    "category")),
				  "addiction");
			/* National's top problem is county A's p2 (93). */
			CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(sn, "top"), 0), "id")), p2);
		}
		json_decref(sa);
		json_decref(sb);
		json_decref(sp);
		json_decref(sn);
		CHECK(dash_register(ca, "IR-07", 5, &err) == NULL);
		CHECK_INT(err.code, NZ_EDENIED);
	}

	store_close(ir);
	store_close(pv);
	store_close(ca);
	store_close(cb);
	TEST_DONE();
}
