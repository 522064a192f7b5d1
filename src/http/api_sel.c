/*
 * Selection of helper groups over HTTP (ماده ۳): standards, calls,
 * applicants, reviews, interviews, ranking, appointments and decrees, and
 * the orientation course.  Each route reads its fields, calls the same
 * domain function as the command line, with the logged-in user as author.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "domain/selection.h"
#include "http/http_int.h"

#define AUTHOR (a->user.name)

/* GET /standards */
static void
std_list(struct api *a)
{
	api_list(a, sel_std_list(a->st));
}

/* GET /standards/latest */
static void
std_latest(struct api *a)
{
	struct sel_std s;
	struct nz_err err = {0};

	if (sel_std_load(a->st, 0, &s, &err) != 0)
		api_fail(a, &err);
	else
		api_json(a, 200, sel_std_to_json(&s));
}

/* POST /standards: the built-in defaults overridden by the body's fields. */
static void
std_add(struct api *a)
{
	struct sel_std s;
	struct nz_err err = {0};
	int rc;

	sel_std_defaults(&s);
	if ((rc = sel_std_from_json(&s, a->body, &err)) == 0 && (rc = sel_std_check(&s, &err)) == 0)
		rc = sel_std_add(a->st, &s, AUTHOR, &err);
	api_result(a, rc, s.id, &err);
}

/* GET /calls?under= */
static void
call_list(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, sel_call_list(a->st, under));
}

/* POST /calls {secretariat, title, description, opens, closes} */
static void
call_add(struct api *a)
{
	const char *sec = api_str(a, "secretariat", false), *title = api_str(a, "title", true);
	const char *desc = api_str(a, "description", false);
	char opens[11], closes[11], id[NZ_RID_MAX] = "";
	struct nz_err err = {0};

	api_date(a, "opens", opens, true);
	api_date(a, "closes", closes, true);
	if (api_bad(a))
		return;
	api_result(a, sel_call_add(a->st, sec, title, desc, opens, closes, AUTHOR, id, &err), id, &err);
}

/* GET /calls/:id */
static void
call_get(struct api *a)
{
	struct nz_err err = {0};
	json_t *j;
	int rc = sel_call_get(a->st, a->param[0], &j, &err);

	api_found(a, rc, j, &err);
}

/* PATCH /calls/:id {title, description, opens, closes} */
static void
call_edit(struct api *a)
{
	const char *title = api_str(a, "title", false), *desc = api_str(a, "description", false);
	char opens[11], closes[11];
	struct nz_err err = {0};
	bool o = api_date(a, "opens", opens, false), c = api_date(a, "closes", closes, false);

	if (api_bad(a))
		return;
	api_result(a, sel_call_edit(a->st, a->param[0], title, desc, o ? opens : NULL, c ? closes : NULL, AUTHOR, &err),
		   a->param[0], &err);
}

/* POST /calls/:id/state {state: open|closed|reviewed|completed, early: reason for closing before the date} */
static void
call_move(struct api *a)
{
	const char *to = api_str(a, "state", true), *early = api_str(a, "early", false);
	struct nz_err err = {0};
	int s;

	if (api_bad(a))
		return;
	if ((s = sel_call_state_parse(to)) < 0) {
		api_error(a, 400, "invalid", "state", "state must be open, closed, reviewed or completed, not '%s'", to);
		return;
	}
	if (s == CALL_CLOSED)
		api_result(a, sel_call_close(a->st, a->param[0], early, AUTHOR, &err), a->param[0], &err);
	else if (early != NULL)
		api_error(a, 400, "invalid", "early", "early is the reason for closing before the announced date");
	else
		api_result(a, sel_call_move(a->st, a->param[0], s, AUTHOR, &err), a->param[0], &err);
}

/* page answers a printable page made by a renderer's return rc: the page, or the refusal. */
static void
page(struct api *a, int rc, char *html, const struct nz_err *err)
{
	if (rc != 0) {
		api_fail(a, err);
		return;
	}
	a->rs->status = 200;
	a->rs->ctype = "text/html; charset=utf-8";
	a->rs->cache = "no-store";
	a->rs->body = html;
	a->rs->len = strlen(html);
}

/* GET /calls/:id/print: the call's printable announcement */
static void
call_print(struct api *a)
{
	struct nz_err err = {0};
	char *html = NULL;
	int rc = http_call_html(a->st, a->param[0], a->app->env.name, &html, &err);

	page(a, rc, html, &err);
}

/* GET /calls/:id/applicants */
static void
app_list(struct api *a)
{
	api_list(a, sel_applicant_list(a->st, a->param[0]));
}

/* POST /calls/:id/applicants {name, kind, reg_no, contact, phone, areas, activities, members, years} */
static void
app_add(struct api *a)
{
	struct sel_applicant_in in;
	char id[NZ_RID_MAX] = "", received[11];
	struct nz_err err = {0};

	memset(&in, 0, sizeof(in));
	in.received = api_date(a, "received", received, false) ? received : NULL;
	in.name = api_str(a, "name", true);
	in.kind = api_str(a, "kind", false);
	in.reg_no = api_str(a, "reg_no", false);
	in.contact = api_str(a, "contact", false);
	in.phone = api_str(a, "phone", false);
	in.areas = api_str(a, "areas", false);
	in.activities = api_str(a, "activities", false);
	in.members = (long)api_int(a, "members", -1, 0, 100000, false);
	in.years = (long)api_int(a, "years", -1, 0, 200, false);
	if (api_bad(a))
		return;
	api_result(a, sel_apply(a->st, a->param[0], &in, AUTHOR, id, &err), id, &err);
}

/* GET /applicants/:id */
static void
app_get(struct api *a)
{
	struct nz_err err = {0};
	json_t *j;
	int rc = sel_applicant_get(a->st, a->param[0], &j, &err);

	api_found(a, rc, j, &err);
}

/* POST /applicants/:id/withdraw {reason} */
static void
app_withdraw(struct api *a)
{
	const char *reason = api_str(a, "reason", true);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, sel_applicant_withdraw(a->st, a->param[0], reason, AUTHOR, &err), a->param[0], &err);
}

/* doc_type names the kind of a document by its first bytes: PDF, JPEG, PNG or UTF-8 text; NULL otherwise. */
static const char *
doc_type(const unsigned char *b, size_t n)
{
	if (n >= 5 && memcmp(b, "%PDF-", 5) == 0)
		return "application/pdf";
	if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	for (size_t i = 0; i < n; i++)
		if (b[i] == 0 || (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t'))
			return NULL;
	/* Text must be UTF-8, which jansson checks when it makes a string. */
	json_t *t = n > 0 ? json_stringn((const char *)b, n) : NULL;
	json_decref(t);
	return t != NULL ? "text/plain; charset=utf-8" : NULL;
}

/*
 * POST /applicants/:id/docs {name, data}: a resume or other document, data
 * in base64, at most SEL_DOC_MAX bytes, of a type doc_type() knows.
 */
static void
doc_add(struct api *a)
{
	const char *name = api_str(a, "name", true), *b64 = api_str(a, "data", true);
	unsigned char *bin = NULL;
	size_t len = 0, cap;
	char id[NZ_RID_MAX] = "", max[24];
	struct nz_err err = {0};

	if (api_bad(a))
		return;
	cap = strlen(b64) / 4 * 3 + 3;
	if (cap > SEL_DOC_MAX + 3) {
		snprintf(max, sizeof(max), "%d", SEL_DOC_MAX);
		nz_fail(&err, NZ_ETOOBIG, "the document is larger than %d bytes", SEL_DOC_MAX);
		nz_why(&err, "http.doc_size", "max", max, NULL);
		api_fail(a, &err);
		return;
	}
	if ((bin = malloc(cap)) == NULL) {
		api_error(a, 500, "internal", NULL, "out of memory");
		return;
	}
	if (sodium_base642bin(bin, cap, b64, strlen(b64), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		api_error(a, 400, "invalid", "data", "data is not base64");
	} else if (doc_type(bin, len) == NULL) {
		nz_fail(&err, NZ_EINVAL, "the document is not a PDF, JPEG, PNG or text file");
		nz_why(&err, "http.doc_type", NULL);
		api_fail(a, &err);
	} else {
		api_result(a, sel_doc_add(a->st, a->param[0], name, bin, len, true, AUTHOR, id, &err), id, &err);
	}
	free(bin);
}

/* GET /docs/:id: a stored document's bytes, with the type its first bytes show. */
static void
doc_get(struct api *a)
{
	unsigned char *data = NULL;
	size_t len = 0;
	struct nz_err err = {0};

	if (sel_doc_content(a->st, a->param[0], &data, &len, &err) != 0) {
		api_fail(a, &err);
		return;
	}
	a->rs->status = 200;
	a->rs->ctype = doc_type(data, len) ? doc_type(data, len) : "application/octet-stream";
	a->rs->cache = "no-store";
	a->rs->body = (char *)data;
	a->rs->len = len;
}

/* POST /applicants/:id/reviews {scores: {code: score}, draft}; the reviewer is the user. */
static void
review(struct api *a)
{
	struct nz_err err = {0};
	char **pairs;
	int n = api_pairs(a, "scores", &pairs, true);
	bool draft;

	if (n < 0)
		return;
	draft = api_bool(a, "draft", false);
	if (api_bad(a)) {
		api_pairs_free(pairs, n);
		return;
	}
	api_result(a, sel_review_score(a->st, a->param[0], AUTHOR, n, pairs, draft, AUTHOR, &err), a->param[0],
		   &err);
	api_pairs_free(pairs, n);
}

/* GET /calls/:id/reviews */
static void
review_list(struct api *a)
{
	api_list(a, sel_review_list(a->st, NULL, a->param[0]));
}

/* POST /applicants/:id/interview {date, time, place, panel} */
static void
iv_schedule(struct api *a)
{
	char date[11];
	const char *time = api_str(a, "time", true), *place = api_str(a, "place", false);
	const char *panel = api_str(a, "panel", false);
	struct nz_err err = {0};

	api_date(a, "date", date, true);
	if (!api_bad(a))
		api_result(a, sel_interview_schedule(a->st, a->param[0], date, time, place, panel, AUTHOR, &err),
			   a->param[0], &err);
}

/* POST /applicants/:id/interview/score {scores, notes} */
static void
iv_score(struct api *a)
{
	const char *notes = api_str(a, "notes", false);
	struct nz_err err = {0};
	char **pairs;
	int n = api_pairs(a, "scores", &pairs, true);

	if (n < 0 || api_bad(a)) {
		api_pairs_free(pairs, n);
		return;
	}
	api_result(a, sel_interview_score(a->st, a->param[0], n, pairs, notes, AUTHOR, &err), a->param[0], &err);
	api_pairs_free(pairs, n);
}

/* POST /applicants/:id/interview/noshow {notes} */
static void
iv_noshow(struct api *a)
{
	const char *notes = api_str(a, "notes", false);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, sel_interview_noshow(a->st, a->param[0], notes, AUTHOR, &err), a->param[0], &err);
}

/* GET /calls/:id/interviews */
static void
iv_list(struct api *a)
{
	api_list(a, sel_interview_list(a->st, a->param[0]));
}

/* GET /calls/:id/rank */
static void
rank(struct api *a)
{
	struct nz_err err = {0};
	json_t *r = sel_rank(a->st, a->param[0], &err);

	if (r == NULL)
		api_fail(a, &err);
	else
		api_list(a, r);
}

/* POST /appointments {applicant, date, term_months, number, replaces} */
static void
appoint(struct api *a)
{
	const char *applicant = api_str(a, "applicant", true), *number = api_str(a, "number", false);
	const char *replaces = api_str(a, "replaces", false);
	int term = (int)api_int(a, "term_months", 0, 0, 60, false);
	char date[11], id[NZ_RID_MAX] = "", no[SEL_DECREE_NO_MAX] = "";
	bool dated = api_date(a, "date", date, false);
	struct nz_err err = {0};

	if (api_bad(a))
		return;
	if ((replaces != NULL ? sel_appoint_replace(a->st, applicant, replaces, dated ? date : NULL, number, AUTHOR, id,
						    no, &err)
			      : sel_appoint(a->st, applicant, dated ? date : NULL, term, number, AUTHOR, id, no, &err)) !=
	    0) {
		api_fail(a, &err);
		return;
	}
	api_json(a, 200, json_pack("{s:b, s:s, s:s}", "ok", 1, "id", id, "decree_no", no));
}

/* GET /appointments?under=&call=&all= */
static void
appoint_list(struct api *a)
{
	const char *under = api_under(a), *all = api_query(a, "all");

	if (under != NULL)
		api_list(a, sel_appoint_list(a->st, under, api_query(a, "call"), all && strcmp(all, "0") != 0));
}

/* GET /appointments/summary?under= */
static void
appoint_summary(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, sel_appoint_summary(a->st, under));
}

/* POST /appointments/:id/revoke {reason} */
static void
appt_revoke(struct api *a)
{
	const char *reason = api_str(a, "reason", true);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, sel_revoke(a->st, a->param[0], reason, AUTHOR, &err), a->param[0], &err);
}

/* GET /decrees?under= */
static void
decree_list(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, sel_decree_list(a->st, under));
}

/* GET /decrees/:key */
static void
decree_get(struct api *a)
{
	struct nz_err err = {0};
	json_t *j;
	int rc = sel_decree_get(a->st, a->param[0], &j, &err);

	api_found(a, rc, j, &err);
}

/* GET /decrees/:key/print: the decree as a printable Persian page. */
static void
decree_print(struct api *a)
{
	struct nz_err err = {0};
	char *html = NULL;
	int rc = http_decree_html(a->st, a->param[0], a->app->env.name, &html, &err);

	page(a, rc, html, &err);
}

/* GET /courses?under= */
static void
course_list(struct api *a)
{
	const char *under = api_under(a);

	if (under != NULL)
		api_list(a, sel_course_list(a->st, under));
}

/* POST /courses {secretariat, title, required} */
static void
course_add(struct api *a)
{
	const char *sec = api_str(a, "secretariat", false), *title = api_str(a, "title", true);
	int req = (int)api_int(a, "required", 0, 0, 100, false);
	char id[NZ_RID_MAX] = "";
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, sel_course_add(a->st, sec, title, req, AUTHOR, id, &err), id, &err);
}

/* POST /courses/:id/sessions {date, topic, hours} */
static void
course_session(struct api *a)
{
	const char *topic = api_str(a, "topic", true);
	double hours = api_num(a, "hours", 0, 0, 1000, false);
	char date[11], id[NZ_RID_MAX] = "";
	struct nz_err err = {0};

	api_date(a, "date", date, true);
	if (!api_bad(a))
		api_result(a, sel_session_add(a->st, a->param[0], date, topic, hours, AUTHOR, id, &err), id, &err);
}

/* POST /course-sessions/:id/attendance {appointment, present} */
static void
attend(struct api *a)
{
	const char *appt = api_str(a, "appointment", true);
	bool present = api_bool(a, "present", true);
	struct nz_err err = {0};

	if (!api_bad(a))
		api_result(a, sel_attend(a->st, a->param[0], appt, present, AUTHOR, &err), NULL, &err);
}

/* GET /courses/status?under=&pending= */
static void
course_status(struct api *a)
{
	const char *under = api_under(a), *p = api_query(a, "pending");

	if (under != NULL)
		api_list(a, sel_course_status(a->st, under, p && strcmp(p, "0") != 0));
}

const struct route api_sel_routes[] = {
	{"GET", "standards", R_ANY, std_list},
	{"GET", "standards/latest", R_ANY, std_latest},
	{"POST", "standards", R_WORK, std_add},
	{"GET", "calls", R_ANY, call_list},
	{"POST", "calls", R_WORK, call_add},
	{"GET", "calls/:id", R_ANY, call_get},
	{"PATCH", "calls/:id", R_WORK, call_edit},
	{"POST", "calls/:id/state", R_WORK, call_move},
	{"GET", "calls/:id/print", R_ANY, call_print},
	{"GET", "calls/:id/applicants", R_ANY, app_list},
	{"POST", "calls/:id/applicants", R_WORK, app_add},
	{"GET", "calls/:id/reviews", R_WORK | R_REVIEWER | R_VIEWER, review_list},
	{"GET", "calls/:id/interviews", R_ANY, iv_list},
	{"GET", "calls/:id/rank", R_WORK | R_REVIEWER | R_VIEWER, rank},
	{"GET", "applicants/:id", R_ANY, app_get},
	{"POST", "applicants/:id/withdraw", R_WORK, app_withdraw},
	{"POST", "applicants/:id/docs", R_WORK, doc_add},
	{"GET", "docs/:id", R_WORK | R_REVIEWER | R_VIEWER, doc_get},
	{"POST", "applicants/:id/reviews", R_WORK | R_REVIEWER, review},
	{"POST", "applicants/:id/interview", R_WORK, iv_schedule},
	{"POST", "applicants/:id/interview/score", R_WORK | R_REVIEWER, iv_score},
	{"POST", "applicants/:id/interview/noshow", R_WORK | R_REVIEWER, iv_noshow},
	{"GET", "appointments", R_ANY, appoint_list},
	{"POST", "appointments", R_WORK, appoint},
	{"GET", "appointments/summary", R_ANY, appoint_summary},
	{"POST", "appointments/:id/revoke", R_WORK, appt_revoke},
	{"GET", "decrees", R_ANY, decree_list},
	{"GET", "decrees/:key", R_ANY, decree_get},
	{"GET", "decrees/:key/print", R_ANY, decree_print},
	{"GET", "courses", R_ANY, course_list},
	{"POST", "courses", R_WORK, course_add},
	{"GET", "courses/status", R_ANY, course_status},
	{"POST", "courses/:id/sessions", R_WORK, course_session},
	{"POST", "course-sessions/:id/attendance", R_WORK, attend},
	{NULL, NULL, 0, NULL},
};
