// The Persian face: digits, the Jalali calendar, and the catalogue of every code's Persian text.
// Nothing the API answers in English (codes, states, refusal messages) reaches the screen except through here.
'use strict';

// ---- Persian digits and numbers ----
const FA = '۰۱۲۳۴۵۶۷۸۹';
function fa(v) { return String(v == null ? '' : v).replace(/[0-9]/g, d => FA[+d]); }
function toAscii(s) { return String(s).replace(/[۰-۹]/g, d => FA.indexOf(d)).replace(/[٠-٩]/g, d => '٠١٢٣٤٥٦٧٨٩'.indexOf(d)).replace(/[٫]/g, '.').replace(/[٬]/g, ''); }
// num writes a number with Persian digits, the Persian thousands separator (٬) and decimal separator (٫).
function num(v, digits) {
  if (v == null || v === '') return '—';
  const n = Number(v);
  if (isNaN(n)) return fa(v);
  const s = n.toLocaleString('en-US', { maximumFractionDigits: digits == null ? 2 : digits });
  return fa(s.replace(/,/g, '٬').replace(/\./g, '٫'));
}
function pct(v) { return num(Math.round(v)) + '٪'; }

// ---- the Jalali calendar ----
function div(a, b) { return Math.floor(a / b); }
// Gregorian to Jalali (the 33-year arithmetic rule, exact for 1178..1633 Jalali).
function g2j(gy, gm, gd) {
  const g_d_m = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
  let gy2 = gm > 2 ? gy + 1 : gy;
  let days = 355666 + 365 * gy + div(gy2 + 3, 4) - div(gy2 + 99, 100) + div(gy2 + 399, 400) + gd + g_d_m[gm - 1];
  let jy = -1595 + 33 * div(days, 12053); days %= 12053;
  jy += 4 * div(days, 1461); days %= 1461;
  if (days > 365) { jy += div(days - 1, 365); days = (days - 1) % 365; }
  const jm = days < 186 ? 1 + div(days, 31) : 7 + div(days - 186, 30);
  const jd = 1 + (days < 186 ? days % 31 : (days - 186) % 30);
  return [jy, jm, jd];
}
// jLeap tells whether Esfand of Jalali year jy has 30 days: the day before 1 Farvardin jy+1 is its 30th.
function jLeap(jy) {
  for (let d = 18; d <= 23; d++) {
    const [y, m, dd] = g2j(jy + 622, 3, d);
    if (y === jy + 1 && m === 1 && dd === 1) return g2j(jy + 622, 3, d - 1)[2] === 30;
  }
  return false;
}
function jMonthDays(jy, jm) { return jm <= 6 ? 31 : jm <= 11 ? 30 : (jLeap(jy) ? 30 : 29); }
const MONTHS = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'];
const p2 = n => String(n).padStart(2, '0');
// checkDate returns the Persian reason a Jalali "y-m-d" (ASCII digits) is not a date, or '' when it is one.
function checkDate(s) {
  const m = /^(1[34]\d\d)-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (!m) return 'تاریخ را به شکل شمسی ۱۴۰۵/۰۹/۰۷ وارد کنید';
  const y = +m[1], mo = +m[2], d = +m[3];
  if (mo < 1 || mo > 12) return `ماه ${fa(mo)} نداریم؛ ماه از ۱ تا ۱۲ است`;
  const n = jMonthDays(y, mo);
  if (d < 1 || d > n) return `${MONTHS[mo - 1]} ${fa(y)} ${fa(n)} روز دارد`;
  return '';
}
// jdate shows an ISO or Jalali date (a Jalali one with its time, if any), or unix ms (with the time), as a Jalali
// date in Persian digits.
function jdate(v) {
  if (v == null || v === '') return '—';
  if (typeof v === 'number') { const d = new Date(v + 3.5 * 3600e3); const [y, m, dd] = g2j(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()); return fa(`${y}/${p2(m)}/${p2(dd)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`); }
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(v));
  if (!m) return fa(v);
  if (+m[1] < 1700) { const t = /^.{10}[ T](\d{2}:\d{2})/.exec(String(v)); return fa(`${m[1]}/${m[2]}/${m[3]}` + (t ? ' ' + t[1] : '')); }
  const [y, mo, d] = g2j(+m[1], +m[2], +m[3]);
  return fa(`${y}/${p2(mo)}/${p2(d)}`);
}
// jlong writes a date as «۷ آذر ۱۴۰۵».
function jlong(v) {
  const t = toAscii(jdate(v)); const m = /^(\d{4})\/(\d{2})\/(\d{2})/.exec(t);
  return m ? `${fa(+m[3])} ${MONTHS[+m[2] - 1]} ${fa(m[1])}` : jdate(v);
}
const QUARTERS = ['بهار', 'تابستان', 'پاییز', 'زمستان'];
// period writes a reporting period by name: 1405-08 → «آبان ۱۴۰۵», 1405-Q3 → «پاییز ۱۴۰۵», 1405 → «سال ۱۴۰۵».
function period(p) {
  if (p == null || p === '') return '—';
  const s = toAscii(p);
  let m = /^(\d{4})-(\d{1,2})$/.exec(s);
  if (m && +m[2] >= 1 && +m[2] <= 12) return `${MONTHS[+m[2] - 1]} ${fa(m[1])}`;
  m = /^(\d{4})-Q([1-4])$/i.exec(s);
  if (m) return `${QUARTERS[+m[2] - 1]} ${fa(m[1])}`;
  m = /^(\d{4})(-Y)?$/i.exec(s);
  if (m) return `سال ${fa(m[1])}`;
  return fa(p);
}
function ago(ms) {
  if (!ms || ms <= 0) return 'هرگز';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 90) return 'همین حالا';
  if (s < 5400) return fa(Math.round(s / 60)) + ' دقیقه پیش';
  if (s < 172800) return fa(Math.round(s / 3600)) + ' ساعت پیش';
  return fa(Math.round(s / 86400)) + ' روز پیش';
}

// ---- the catalogue: code → Persian ----
const L = {
  state: { draft: 'پیش‌نویس', open: 'باز', closed: 'بسته', reviewed: 'بررسی شده', completed: 'تکمیل شده' },
  issue: { identified: 'شناسایی شده', prioritised: 'اولویت‌بندی شده', proposed: 'راه‌حل پیشنهاد شده', council: 'در شورا', approved: 'تصویب شده', rejected: 'رد شده', returned: 'برگشت خورده', intervention: 'در حال مداخله', evaluated: 'ارزشیابی شده', closed: 'بسته شده' },
  stage: { needs: 'نیازسنجی', priority: 'اولویت‌بندی', planning: 'برنامه‌ریزی', implementation: 'اجرا', evaluation: 'ارزشیابی', done: 'پایان یافته' },
  decision: { approved: 'تصویب', rejected: 'رد', returned: 'برگشت برای اصلاح' },
  role: { admin: 'مدیر سامانه', staff: 'کارشناس دبیرخانه', reviewer: 'ارزیاب', helper: 'همیار', viewer: 'بیننده' },
  level: { national: 'دبیرخانه ملی', province: 'دبیرخانه استان', county: 'دبیرخانه شهرستان' },
  levelUnit: { national: 'کشور', province: 'استان', county: 'شهرستان' },
  kind: { ngo: 'سازمان مردم‌نهاد', religious: 'هیئت مذهبی', jihadi: 'گروه جهادی', people: 'گروه مردمی', other: 'سایر' },
  report: { draft: 'پیش‌نویس', submitted: 'ارسال شده', pending: 'در انتظار بررسی', accepted: 'پذیرفته', returned: 'برگشت برای اصلاح', missing: 'نرسیده', late: 'با تأخیر' },
  source: { population: 'جمعیت', open_issues: 'مسائل باز', interventions: 'مداخلات', helpers: 'همیاران منصوب', completeness: 'کامل بودن گزارش‌ها' },
  outcome: { pending: 'در انتظار پاسخ', accepted: 'پذیرفته شد', declined: 'نپذیرفت' },
  issueSource: { session: 'جلسه هم‌اندیشی', views: 'دیدگاه مردم', monitoring: 'رصد' },
  periodKind: { month: 'ماهانه', quarter: 'فصلی', year: 'سالانه' },
  reporter: { secretariat: 'دبیرخانه', helper: 'همیار' },
  fieldType: { number: 'عدد', text: 'متن', choice: 'گزینه' },
  council: { county: 'شورای اجتماعی شهرستان', province: 'شورای اجتماعی استان' },
  check: { 'selection.decree': 'شماره حکم تکراری', 'selection.double': 'گروه با دو انتصاب فعال', 'selection.quota': 'انتصاب بیش از سهمیه' },
  appt: { active: 'فعال', revoked: 'لغو شده' },
  linkKind: { issues: 'مسئله', sessions: 'جلسه هم‌اندیشی', interventions: 'مداخله' },
  consent: { yes: 'رضایت به تماس دارد', no: 'رضایت به تماس ندارد' },
  interview: { scheduled: 'زمان‌بندی شده', held: 'برگزار شد', noshow: 'غیبت', none: 'ندارد' },
};
// label returns the Persian of a code in one of the catalogue's lists; an unknown code is shown as it is.
function label(list, code) { return (L[list] && L[list][code]) || (code == null || code === '' ? '—' : fa(code)); }

// ---- org units by name ----
const UNITS = new Map(); // code → {name_fa, parent, level}
function unitName(code) { if (!code) return '—'; const u = UNITS.get(code); return u && u.name_fa ? u.name_fa : fa(code); }
// unitFull names a unit with its province: «مرودشت (فارس)».
function unitFull(code) { const u = UNITS.get(code); if (!u || !u.parent || u.level < 2) return unitName(code); return `${unitName(code)} (${unitName(u.parent)})`; }
function provinceOf(code) { const m = /^([A-Z]+-\d+)/.exec(code || ''); return m ? m[1] : ''; }

// ---- refusals ----
const ERR = { missing: 'این بخش را پر کنید', type: 'نوع مقدار درست نیست', invalid: 'مقدار پذیرفته نیست', bad_json: 'درخواست خراب است', not_found: 'پیدا نشد', exists: 'از پیش ثبت شده است', state: 'در این مرحله ممکن نیست', quota: 'سهمیه پر است', denied: 'اجازه این کار در این دبیرخانه نیست', forbidden: 'نقش شما اجازه این کار را ندارد', csrf: 'نشست شما منقضی شده؛ دوباره وارد شوید', unauthenticated: 'ابتدا وارد شوید', login_failed: 'نام کاربری یا گذرواژه نادرست است', rate_limited: 'تلاش‌های ناموفق زیاد بود؛ ۱۵ دقیقه دیگر دوباره امتحان کنید', too_big: 'حجم درخواست زیاد است', busy: 'سامانه مشغول است؛ دوباره امتحان کنید', method: 'این کار پشتیبانی نمی‌شود', internal: 'خطای داخلی' };
// SENSE: the rules of sense in Persian, as src/domain/sense.c states them; a refusal names the date and its limit.
const SENSE = {
  'sense.submission_future': 'تاریخ ارسال راه حل به شورا نمی‌تواند بعد از امروز باشد',
  'sense.decision_future': 'تاریخ تصمیم شورا نمی‌تواند بعد از امروز باشد',
  'sense.decision_before_submission': 'شورا در روز ارسال راه حل یا پس از آن تصمیم می‌گیرد',
  'sense.session_score_future': 'امتیاز مسائل در روز برگزاری جلسه یا پس از آن ثبت می‌شود',
  'sense.stage_end_future': 'پایان مرحله مداخله نمی‌تواند بعد از امروز باشد',
  'sense.stage_end_before_start': 'پایان مرحله مداخله نمی‌تواند پیش از آغاز آن باشد',
  'sense.evaluation_future': 'تاریخ ارزشیابی نمی‌تواند بعد از امروز باشد',
  'sense.evaluation_before_implementation': 'ارزشیابی مداخله در روز آغاز اجرا یا پس از آن انجام می‌شود',
  'sense.interview_score_early': 'امتیاز مصاحبه در روز مصاحبه یا پس از آن ثبت می‌شود',
  'sense.interview_noshow_early': 'غیبت متقاضی در روز مصاحبه یا پس از آن ثبت می‌شود',
  'sense.attendance_early': 'حضور و غیاب در روز جلسه دوره یا پس از آن ثبت می‌شود',
  'sense.application_future': 'تاریخ دریافت درخواست نمی‌تواند بعد از امروز باشد',
  'sense.application_before_opening': 'درخواست از روز گشایش فراخوان به بعد دریافت می‌شود',
  'sense.application_after_closing': 'درخواست تا روز پایان فراخوان دریافت می‌شود',
};
// fieldOf names a refusal's field for the start of its sentence: «تاریخ»: .
function fieldOf(p) { return p.field ? `«${FIELD[p.field] || p.field}»: ` : ''; }
// WHY: a refusal's catalogue code (the API's error.why) and its parameters → a whole sentence.
const WHY = {
  'sel.quota_full': p => `سهمیه ${unitName(p.unit)} پر است: ${num(p.active)} انتصاب فعال از سهمیه ${num(p.quota)}؛ برای انتصاب تازه، یکی از احکام را لغو کنید.`,
  'sel.below_threshold': p => `امتیاز نهایی ${num(p.score)} کمتر از حد نصاب ${num(p.threshold)} است.`,
  'sel.not_open': p => `فراخوان ${p.title ? '«' + p.title + '»' : ''} باز نیست؛ ثبت متقاضی فقط در فراخوان باز ممکن است.`,
  'sel.duplicate': () => 'این گروه پیش‌تر در همین فراخوان ثبت شده است (همان شماره ثبت یا همان نام و تلفن).',
  'ui.weights': p => `وزن‌های ${p.what}: ${p.why}.`,
  'http.doc_type': () => 'فقط پرونده PDF، تصویر JPEG یا PNG، یا متن پذیرفته می‌شود.',
  'http.doc_size': p => `حجم پرونده بیش از ${num(Math.round((+p.max || 0) / 1024))} کیلوبایت است.`,
  // The one date parser (src/base/dates.h) and the rules of sense (src/domain/sense.c).
  'date.missing': p => `${fieldOf(p)}تاریخ را وارد کنید، مانند ۱۴۰۵/۰۹/۰۷.`,
  'date.syntax': p => `${fieldOf(p)}«${p.value}» تاریخ نیست؛ سال/ماه/روز بنویسید، مانند ۱۴۰۵/۰۹/۰۷.`,
  'date.not_real': p => `${fieldOf(p)}«${p.value}» چنین روزی در تقویم نیست.`,
  'date.implausible_year': p => { const m = /(\d{4})/.exec(p.hint || ''); return `${fieldOf(p)}سال «${p.value}» پذیرفتنی نیست؛ تاریخ‌ها از سال ۱۳۰۰ تا ۱۵۰۰ شمسی‌اند.${m ? ` آیا منظور ${fa(m[1])} بود؟` : ''}`; },
  'date.gregorian_as_jalali': p => { const m = /(\d{4}-\d{2}-\d{2})/.exec(p.hint || ''); return `${fieldOf(p)}سال «${p.value}» میلادی است؛ تاریخ شمسی بنویسید.${m ? ` اگر میلادی است، آن روز ${fa(m[1].replace(/-/g, '/'))} شمسی است.` : ''}`; },
  'time.syntax': p => `${fieldOf(p)}«${p.value}» ساعت نیست؛ مانند ۹:۰۰ یا ۱۴:۳۰ بنویسید.`,
  'sel.review_incomplete': p => `امتیاز همه معیارها داده نشده (${p.missing})؛ یا همه را وارد کنید یا به صورت پیش‌نویس ذخیره کنید.`,
  'sel.no_such_group': p => `«${p.group}» از گروه‌های همیار منصوب ${unitName(p.unit)} نیست.`,
  'sel.group_elsewhere': p => `گروه «${p.group}» را ${unitName(p.owner)} منصوب کرده است، نه ${unitName(p.unit)}؛ همیار هر دبیرخانه از گروه‌های منصوب همان دبیرخانه است.`,
  'sel.waiting_order': p => `فهرست انتظار به ترتیب رتبه است: «${p.first}» (رتبه ${num(p.first_rank)}) پیش از «${p.group}» (رتبه ${num(p.rank)}) است.`,
  'sel.replace_filled': p => `جای حکم لغوشده «${p.group}» پیش‌تر پر شده است.`,
  'sel.replace_not_revoked': p => `حکم «${p.group}» لغو نشده است؛ فقط جای حکم لغوشده از فهرست انتظار پر می‌شود.`,
  'sel.replace_other_call': p => `حکم «${p.group}» از فراخوان دیگری است؛ جای خالی از رتبه‌بندی همان فراخوان پر می‌شود.`,
  'sel.replace_term_ended': p => `دوره حکم «${p.group}» در ${jdate(p.date)} به پایان رسیده است؛ فراخوان تازه بدهید.`,
  'sel.group_revoked': p => `حکم گروه همیار «${p.group}» لغو شده است؛ همیاران این گروه دیگر نمی‌توانند در سامانه کار کنند.`,
  'sel.close_early': p => `این فراخوان تا ${jdate(p.closes)} اعلام شده است؛ بستن زودتر از آن دلیل می‌خواهد.`,
  // Records linked as the guideline links them (src/domain/register/links.c, sessions.c).
  'link.no_such_group': p => `«${p.group}» از گروه‌های همیار منصوب ${unitName(p.unit)} و واحدهای زیرمجموعه آن نیست.`,
  'link.group_ambiguous': p => `چند گروه همیار منصوب ${unitName(p.unit)} «${p.group}» نام دارند؛ گروه را با شماره حکم آن مشخص کنید.`,
  'link.group_inactive': p => `انتصاب گروه «${p.group}» فعال نیست (لغو شده)؛ فقط گروه‌های دارای حکم فعال به کاری پیوند می‌خورند.`,
  'link.group_outside': p => `گروه «${p.group}» را ${unitName(p.by)} منصوب کرده است، بیرون از ${unitName(p.unit)}؛ هر کار فقط گروه‌های منصوب همان دبیرخانه و زیرمجموعه آن را می‌پذیرد.`,
  'link.no_such_actor': p => `کنشگری با شناسه «${p.actor}» در فهرست کنشگران کلیدی محلی نیست.`,
  'link.actor_retired': p => `«${p.actor}» از فهرست کنشگران کلیدی محلی کنار گذاشته شده است.`,
  'link.actor_outside': p => `«${p.actor}» را ${unitName(p.by)} ثبت کرده است، بیرون از ${unitName(p.unit)}.`,
  'link.closed': () => 'این مسئله بسته شده است؛ گروهی به آن افزوده نمی‌شود.',
  'session.no_such_facilitator': p => `«${p.facilitator}» از تسهیلگران منصوب دبیرخانه ملی برای ${unitName(p.unit)} نیست؛ تسهیلگر منصوب‌نشده را در «نام تسهیلگر (جایگزین)» بنویسید.`,
  'session.facilitator_elsewhere': p => `تسهیلگر «${p.facilitator}» برای ${unitName(p.serves)} منصوب شده است، نه ${unitName(p.unit)}.`,
  'session.facilitator_not_yet': p => `تسهیلگر «${p.facilitator}» در ${jdate(p.designated)} منصوب شده است، پس از تاریخ جلسه (${jdate(p.date)}).`,
  'session.facilitator_ended': p => `انتصاب تسهیلگر «${p.facilitator}» در ${jdate(p.retired)} پایان یافته است، پیش از تاریخ جلسه (${jdate(p.date)}).`,
  ...Object.fromEntries(Object.entries(SENSE).map(([k, s]) => [k, p => `${s} (${jdate(p.date)}؛ ${jdate(p.limit)})`])),
  // Why a group of a ranking is not qualified (src/domain/selection/ranking.c).
  'rank.withdrawn': () => 'انصراف داده',
  'rank.reviews': p => `${num(p.have)} ارزیابی از ${num(p.need)} ارزیابی لازم`,
  'rank.noshow': () => 'در مصاحبه حاضر نشد',
  'rank.not_interviewed': () => 'هنوز مصاحبه نشده',
  'rank.below_threshold': p => `امتیاز نهایی ${num(p.score)} کمتر از حد نصاب ${num(p.threshold)}`,
  'alloc.unknown': p => `داده ${num(p.count)} واحد اینجا نامعلوم است (${(p.units || '').split(',').filter(Boolean).map(unitName).join('، ')})؛ تخصیص انجام نشد. بگویید با آن‌ها چه شود: کنار گذاشتن یا صفر شمردن.`,
};
// FIELD: names of request fields, for a refusal that names its field.
const FIELD = { title: 'عنوان', opens: 'تاریخ شروع', closes: 'تاریخ پایان', date: 'تاریخ', name: 'نام', phone: 'تلفن', period: 'دوره', reason: 'دلیل', note: 'یادداشت', budget: 'بودجه', weight: 'وزن', code: 'کد', source: 'منبع', fields: 'فیلدها', values: 'مقادیر', unit: 'واحد', serves: 'واحد محل خدمت', password: 'گذرواژه', scores: 'امتیازها', panel: 'هیئت مصاحبه', time: 'ساعت', outcome: 'نتیجه', group: 'گروه همیار', role: 'نقش', received: 'تاریخ دریافت', replaces: 'جای حکم', population: 'جمعیت', actor: 'کنشگر', contact: 'تلفن تماس', consent: 'رضایت تماس', facilitator: 'تسهیلگر' };
// WHY_PREFIX: a sentence for a whole family of codes that has none of its own.
const WHY_PREFIX = {
  'sense.': p => `تاریخ ${jdate(p.date)} با ترتیب کارها نمی‌خواند (مرز آن ${jdate(p.limit)} است).`,
};
// errText is the Persian sentence of a refusal: its catalogue sentence, else its class (never the English message).
function errText(e) {
  if (e.why && WHY[e.why]) return WHY[e.why](e.params || {});
  const pre = e.why && Object.keys(WHY_PREFIX).find(k => e.why.startsWith(k));
  if (pre) return WHY_PREFIX[pre](e.params || {});
  const base = ERR[e.code] || 'درخواست انجام نشد';
  return e.field ? `«${FIELD[e.field] || e.field}»: ${base}` : base;
}
