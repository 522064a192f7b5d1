/*
 * The decree page: an appointment decree rendered as a printable HTML page,
 * presentation of the selection's records that the API and the command line
 * serve (moved out of the domain).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base/fa.h"
#include "base/jalali.h"
#include "base/unit.h"
#include "domain/selection.h"
#include "http/assets.h"
#include "http/http.h"

/* jstr returns the string at key of o, or "". */
static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

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

/* fa_digits writes s, at most a decree number, with its ASCII digits as Persian digits (۰..۹). */
static void
fa_digits(FILE *f, const char *s)
{
	char fa[2 * SEL_DECREE_NO_MAX + 1];

	fa_persian(s, fa, sizeof(fa));
	fputs(fa, f);
}

/* fa_date writes an ISO date as a Jalali date in Persian digits: "۱۴۰۵/۰۹/۰۷", or "۷ آذر ۱۴۰۵" when long. */
static void
fa_date(FILE *f, const char *iso, bool long_form)
{
	struct jdate j;
	char buf[32];

	if (iso == NULL || jdate_of_iso(iso, &j, NULL) != 0) {
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


static const char decree_css[] =
	"@page{size:A4;margin:1.6cm 1.8cm}"
	"body{font-family:\"Vazirmatn\",Tahoma,sans-serif;direction:rtl;text-align:right;line-height:1.7;"
	"color:#111;background:#fff;max-width:17cm;margin:1cm auto;font-size:11pt}"
	".basmala{text-align:center;font-weight:bold;margin-bottom:.5em}"
	"header{display:flex;justify-content:space-between;align-items:flex-start;"
	"border-bottom:2px solid #333;padding-bottom:.5em}"
	".org{font-weight:bold}.meta div{white-space:nowrap}"
	".num{direction:ltr;unicode-bidi:isolate}"
	"h1{text-align:center;font-size:1.5em;margin:1em 0 .5em}"
	"h2{font-size:1.1em;margin:1.2em 0 .3em}"
	"ol{padding-right:1.6em;margin:0;list-style-type:persian}li{margin-bottom:.15em;text-align:justify}"
	"p{text-align:justify;margin:.5em 0}"
	".sign{margin-top:2em;margin-right:55%;text-align:center}"
	".revoked{border:3px double #a00;color:#a00;text-align:center;padding:.4em;font-weight:bold;margin:1em 0}"
	"@media print{body{margin:0}}";

/*
 * font_faces writes the node's own font (the UI's Vazirmatn, compiled into
 * the binary) as @font-face rules with the files inline, so that the page is
 * whole on its own: opened from a file and printed (chromium --print-to-pdf),
 * it shows and embeds the same font as the UI.
 */
static void
font_faces(FILE *f)
{
	static const struct {
		const char *path;
		int weight;
	} faces[] = {{"/vendor/Vazirmatn-Regular.woff2", 400}, {"/vendor/Vazirmatn-Bold.woff2", 700}};
	const struct http_asset_file *a;
	size_t i, n;
	char *b64;

	for (i = 0; i < sizeof(faces) / sizeof(faces[0]); i++) {
		for (a = http_asset_files; a->path != NULL && strcmp(a->path, faces[i].path) != 0; a++)
			;
		if (a->path == NULL)
			continue; /* a build without the font: the page falls back to Tahoma */
		n = sodium_base64_ENCODED_LEN(a->len, sodium_base64_VARIANT_ORIGINAL);
		if ((b64 = malloc(n)) == NULL)
			continue;
		sodium_bin2base64(b64, n, a->data, a->len, sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "@font-face{font-family:\"Vazirmatn\";font-weight:%d;"
			   "src:url(data:font/woff2;base64,%s) format(\"woff2\")}",
			faces[i].weight, b64);
		free(b64);
	}
}

/* names writes the secretariat of owner as its area ("شهرستان اقلید") and its office's full name. */
static void
names(struct store *st, const char *owner, const char *fallback_name, char area[300], char org[400])
{
	sqlite3_stmt *q;
	int level = unit_level(owner);

	area[0] = '\0';
	if ((q = store_prepare(st, "SELECT name_fa FROM orgunit WHERE id = ? AND deleted = 0", NULL)) != NULL) {
		sqlite3_bind_text(q, 1, owner, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0) != NULL &&
		    sqlite3_column_text(q, 0)[0] != '\0')
			snprintf(area, 300, "%s %s", level == NZ_LEVEL_PROVINCE ? "استان" : "شهرستان",
				 (const char *)sqlite3_column_text(q, 0));
		sqlite3_reset(q);
	}
	if (area[0] != '\0')
		snprintf(org, 400, "دبیرخانه نهضت مشارکت اجتماعی %s", area);
	else if (fallback_name != NULL && fallback_name[0] != '\0' && strcmp(owner, store_node(st)) == 0)
		snprintf(org, 400, "%s", fallback_name);
	else
		snprintf(org, 400, "دبیرخانه نهضت مشارکت اجتماعی %s", owner);
	if (area[0] == '\0')
		snprintf(area, 300, "%s %s", level == NZ_LEVEL_PROVINCE ? "استان" : "شهرستان", owner);
}

int
http_decree_html(struct store *st, const char *key, const char *fallback_name, char **html, struct nz_err *err)
{
	json_t *d;
	const char *owner, *label;
	char area[300], org[400], months[16];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	*html = NULL;
	if ((i = sel_decree_get(st, key, &d, err)) != 0)
		return i == NZ_ENOTFOUND ? nz_fail(err, i, "no decree with id, number or appointment '%s'", key) : i;
	owner = jstr(d, "owner");
	names(st, owner, fallback_name, area, org);

	if ((f = open_memstream(&buf, &len)) == NULL) {
		json_decref(d);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	fputs("<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
	      f);
	fputs("حکم انتصاب همیار اجتماعی ", f);
	html_text(f, jstr(d, "number"));
	fputs("</title>\n<style>", f);
	font_faces(f);
	fprintf(f, "%s</style>\n</head>\n<body>\n", decree_css);
	fputs("<div class=\"basmala\">بسمه تعالی</div>\n<header>\n<div class=\"org\">", f);
	html_text(f, org);
	fputs("</div>\n<div class=\"meta\">\n<div>شماره: <bdi class=\"num\">", f);
	fa_digits(f, jstr(d, "number")); /* a unit code and digits: nothing to escape */
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
	if (jstr(d, "replaces_name")[0] != '\0') {
		/* From the waiting list: the rest of the term of the group whose place it fills. */
		fputs(" برای باقی‌ماندهٔ دورهٔ «", f);
		html_text(f, jstr(d, "replaces_name"));
		fputs("» و به جای آن، از ", f);
	} else {
		fputs(" برای مدت ", f);
		fa_digits(f, months);
		fputs(" ماه، از ", f);
	}
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

int
http_call_html(struct store *st, const char *id, const char *fallback_name, char **html, struct nz_err *err)
{
	json_t *c;
	struct sel_std s;
	char area[300], org[400], pct[32];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	bool std;
	int i;

	*html = NULL;
	if ((i = sel_call_get(st, id, &c, err)) != 0)
		return i;
	names(st, jstr(c, "owner"), fallback_name, area, org);
	std = jstr(c, "std_id")[0] != '\0' && sel_std_load_id(st, jstr(c, "std_id"), &s, NULL) == 0;
	if ((f = open_memstream(&buf, &len)) == NULL) {
		json_decref(c);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	fputs("<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>فراخوان ",
	      f);
	html_text(f, jstr(c, "title"));
	fputs("</title>\n<style>", f);
	font_faces(f);
	fprintf(f, "%s</style>\n</head>\n<body>\n", decree_css);
	fputs("<div class=\"basmala\">بسمه تعالی</div>\n<header>\n<div class=\"org\">", f);
	html_text(f, org);
	fputs("</div>\n</header>\n<h1>", f);
	html_text(f, jstr(c, "title"));
	fputs("</h1>\n<p>", f);
	html_text(f, org);
	fputs(" به استناد ماده ۳ شیوه نامه اجرای طرح ملی نهضت مشارکت اجتماعی، از سازمان های مردم نهاد، هیئت های "
	      "مذهبی، گروه های جهادی و گروه های مردمی فعال در ",
	      f);
	html_text(f, area);
	fputs(" دعوت می‌کند برای انتخاب به عنوان «همیار اجتماعی» رزومه خود را از ", f);
	fa_date(f, jstr(c, "opens"), true);
	fputs(" تا ", f);
	fa_date(f, jstr(c, "closes"), true);
	fputs(" به این دبیرخانه تحویل دهند.</p>\n", f);
	if (jstr(c, "description")[0] != '\0') {
		fputs("<p>", f);
		html_text(f, jstr(c, "description"));
		fputs("</p>\n", f);
	}
	fputs("<h2>مدارک</h2>\n<ol>\n<li>رزومه گروه: نام، نوع، شماره ثبت (در صورت وجود)، شمار اعضا و سال های فعالیت</li>\n"
	      "<li>حوزه های فعالیت و سوابق فعالیت های اجتماعی</li>\n<li>نام و شماره تماس مسئول گروه</li>\n</ol>\n",
	      f);
	if (std) {
		fputs("<h2>معیارهای بررسی رزومه</h2>\n<ol>\n", f);
		for (i = 0; i < s.nreview; i++) {
			fputs("<li>", f);
			html_text(f, s.review[i].name);
			snprintf(pct, sizeof(pct), "%g", s.review[i].weight);
			fputs(" (وزن ", f);
			fa_digits(f, pct);
			fputs(")</li>\n", f);
		}
		fputs("</ol>\n<p>گروه هایی که در بررسی رزومه پذیرفته شوند به مصاحبه دعوت می‌شوند؛ انتخاب نهایی بر پایه "
		      "رتبه بندی امتیاز رزومه و مصاحبه و در حد سهمیه این دبیرخانه است.</p>\n",
		      f);
	}
	fputs("<div class=\"sign\">", f);
	html_text(f, org);
	fputs("</div>\n</body>\n</html>\n", f);
	json_decref(c);
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return nz_fail(err, NZ_ENOMEM, "out of memory");
	}
	*html = buf;
	return 0;
}
