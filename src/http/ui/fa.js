// The Persian face: digits, the Jalali calendar, and the catalogue of every code's Persian text.
'use strict';

// ---- Persian digits and the Jalali calendar ----
const FA = '۰۱۲۳۴۵۶۷۸۹';
function fa(v) { return String(v == null ? '' : v).replace(/[0-9]/g, d => FA[+d]); }
function toAscii(s) { return String(s).replace(/[۰-۹]/g, d => FA.indexOf(d)).replace(/[٠-٩]/g, d => '٠١٢٣٤٥٦٧٨٩'.indexOf(d)); }
function num(v) { if (v == null || v === '') return '—'; const n = Number(v); return isNaN(n) ? fa(v) : fa(n.toLocaleString('en-US').replace(/,/g, '٬')); }
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
const p2 = n => String(n).padStart(2, '0');
// jdate shows an ISO or Jalali date, or unix ms, as a Jalali date in Persian digits.
function jdate(v) {
  if (v == null || v === '') return '—';
  if (typeof v === 'number') { const d = new Date(v + 3.5 * 3600e3); const [y, m, dd] = g2j(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()); return fa(`${y}/${p2(m)}/${p2(dd)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`); }
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(v));
  if (!m) return fa(v);
  if (+m[1] < 1700) return fa(`${m[1]}/${m[2]}/${m[3]}`);
  const [y, mo, d] = g2j(+m[1], +m[2], +m[3]);
  return fa(`${y}/${p2(mo)}/${p2(d)}`);
}
function ago(ms) {
  if (!ms || ms <= 0) return 'هرگز';
  const s = Math.max(0, (Date.now() - ms) / 1000);
  if (s < 90) return 'همین حالا';
  if (s < 5400) return fa(Math.round(s / 60)) + ' دقیقه پیش';
  if (s < 172800) return fa(Math.round(s / 3600)) + ' ساعت پیش';
  return fa(Math.round(s / 86400)) + ' روز پیش';
}

// ---- labels ----
const L = {
  state: { draft: 'پیش‌نویس', open: 'باز', closed: 'بسته', reviewed: 'بررسی شده', completed: 'تکمیل شده' },
  issue: { identified: 'شناسایی شده', prioritised: 'اولویت‌بندی شده', proposed: 'راه‌حل پیشنهاد شده', council: 'در شورا', approved: 'تصویب شده', rejected: 'رد شده', returned: 'برگشت خورده', intervention: 'در حال مداخله', evaluated: 'ارزشیابی شده', closed: 'بسته شده' },
  stage: { needs: 'نیازسنجی', priority: 'اولویت‌بندی', planning: 'برنامه‌ریزی', implementation: 'اجرا', evaluation: 'ارزشیابی', done: 'پایان یافته' },
  decision: { approved: 'تصویب', rejected: 'رد', returned: 'برگشت برای اصلاح' },
  role: { admin: 'مدیر سامانه', staff: 'کارشناس دبیرخانه', reviewer: 'ارزیاب', helper: 'همیار', viewer: 'بیننده' },
  level: { national: 'دبیرخانه ملی', province: 'دبیرخانه استان', county: 'دبیرخانه شهرستان' },
  kind: { ngo: 'سازمان مردم‌نهاد', religious: 'هیئت مذهبی', jihadi: 'گروه جهادی', people: 'گروه مردمی', other: 'سایر' },
};
const ERR = { missing: 'این بخش را پر کنید', type: 'نوع مقدار درست نیست', invalid: 'مقدار پذیرفته نیست', bad_json: 'درخواست خراب است', not_found: 'پیدا نشد', exists: 'از پیش ثبت شده است', state: 'در این مرحله ممکن نیست', quota: 'سهمیه پر است', denied: 'اجازه این کار در این دبیرخانه نیست', forbidden: 'نقش شما اجازه این کار را ندارد', csrf: 'نشست شما منقضی شده؛ دوباره وارد شوید', unauthenticated: 'ابتدا وارد شوید', login_failed: 'نام کاربری یا گذرواژه نادرست است', rate_limited: 'تلاش‌های ناموفق زیاد بود؛ ۱۵ دقیقه دیگر دوباره امتحان کنید', too_big: 'حجم درخواست زیاد است', internal: 'خطای داخلی' };

