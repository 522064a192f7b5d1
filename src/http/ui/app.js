// سامانه دبیرخانه نهضت: the whole UI in plain JS, no framework, no network beyond this node.
'use strict';

const S = { me: null, csrf: '' };
const $ = (sel, el) => (el || document).querySelector(sel);

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

// ---- the API ----
class ApiError extends Error { constructor(st, e) { super(e.message); this.status = st; this.code = e.code; this.field = e.field; } }
async function api(method, path, body) {
  const h = {};
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET') h['X-CSRF-Token'] = S.csrf;
  const r = await fetch('/api/v1/' + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const j = await r.json().catch(() => ({ error: { code: 'internal', message: 'پاسخ نامعتبر' } }));
  if (!r.ok) {
    if (r.status === 401 && path !== 'login') { S.me = null; renderLogin(); }
    throw new ApiError(r.status, j.error || {});
  }
  return j;
}
const get = p => api('GET', p);
const items = async p => (await get(p + (p.includes('?') ? '&' : '?') + 'limit=1000')).items;
const enc = encodeURIComponent;

// ---- building blocks ----
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v); else if (k === 'html') el.innerHTML = v; else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) if (c != null && c !== false) el.append(c.nodeType ? c : document.createTextNode(String(c)));
  return el;
}
function msg(text, ok) { return h('div', { class: 'msg ' + (ok ? 'ok' : 'err'), role: ok ? 'status' : 'alert' }, text); }
function errText(e) { const p = ERR[e.code] || 'خطا'; return e.message ? `${p}: ${e.message}` : p; }
function tag(text, cls) { return h('span', { class: 'tag ' + (cls || '') }, text); }

// table(rows, cols, onclick): cols are [label, key or function(row)].
function table(rows, cols, onclick) {
  if (!rows || !rows.length) return h('p', { class: 'muted' }, 'موردی نیست.');
  return h('table', {}, h('thead', {}, h('tr', {}, cols.map(c => h('th', {}, c[0])))),
    h('tbody', {}, rows.map(r => h('tr', { class: onclick ? 'click' : null, onclick: onclick ? () => onclick(r) : null },
      cols.map(c => { const v = typeof c[1] === 'function' ? c[1](r) : r[c[1]]; return h('td', {}, v == null ? '—' : (v.nodeType ? v : (typeof v === 'number' ? num(v) : fa(v)))); })))));
}

// form(fields, submit, label): fields are {name, label, type, required, options, hint, wide, suggest}
// (suggest: values offered as the field is typed in, any text still allowed).
// Checks in Persian before sending; the server's refusal is shown next to its field.
function form(fields, submit, label) {
  const f = h('form', { class: 'f', novalidate: true });
  const out = h('div', { class: 'wide' });
  for (const d of fields) {
    let input;
    if (d.type === 'select') input = h('select', { name: d.name }, (d.options || []).map(o => h('option', { value: o[0] }, o[1])));
    else if (d.type === 'textarea') input = h('textarea', { name: d.name, rows: 3 });
    else input = h('input', { name: d.name, type: d.type === 'password' ? 'password' : 'text', inputmode: d.type === 'number' || d.type === 'date' ? 'numeric' : null, placeholder: d.type === 'date' ? '۱۴۰۵/۰۹/۰۷' : (d.placeholder || null), autocomplete: d.type === 'password' ? 'current-password' : 'off' });
    if (d.value != null) input.value = d.value;
    let list = null;
    if (d.suggest && d.suggest.length) {
      list = h('datalist', { id: 'dl-' + d.name }, d.suggest.map(x => h('option', { value: x })));
      input.setAttribute('list', 'dl-' + d.name);
    }
    f.append(h('label', { class: d.wide || d.type === 'textarea' ? 'wide' : null }, h('span', {}, d.label + (d.required ? ' *' : '')), input, list,
      d.hint ? h('span', { class: 'hint' }, d.hint) : null, h('span', { class: 'ferr', 'data-for': d.name })));
  }
  f.append(h('div', { class: 'actions' }, h('button', { type: 'submit' }, label || 'ثبت')), out);
  f.addEventListener('submit', async ev => {
    ev.preventDefault();
    out.textContent = '';
    f.querySelectorAll('.ferr').forEach(e => { e.textContent = ''; });
    f.querySelectorAll('.bad').forEach(e => e.classList.remove('bad'));
    const v = {}; let bad = false;
    const fail = (name, text) => { bad = true; const el = f.elements[name]; if (el) el.classList.add('bad'); const s = f.querySelector(`.ferr[data-for="${name}"]`); if (s) s.textContent = text; };
    for (const d of fields) {
      let x = f.elements[d.name].value.trim();
      if (!x) { if (d.required) fail(d.name, `«${d.label}» را وارد کنید`); continue; }
      if (d.type === 'date') { x = toAscii(x).replace(/\//g, '-'); if (!/^1[34]\d\d-\d{1,2}-\d{1,2}$/.test(x)) { fail(d.name, 'تاریخ را به شکل شمسی ۱۴۰۵/۰۹/۰۷ وارد کنید'); continue; } }
      if (d.type === 'number') { x = toAscii(x).replace('٫', '.'); if (isNaN(Number(x))) { fail(d.name, 'یک عدد وارد کنید'); continue; } x = Number(x); }
      if (d.type === 'list') x = x.split(/[\s،,]+/).filter(Boolean);
      v[d.name] = x;
    }
    if (bad) { out.append(msg('لطفاً خطاهای فرم را برطرف کنید.')); return; }
    try {
      const r = await submit(v);
      // The page is drawn again with the new record; the note shows at its top.
      if (r !== false) { S.flash = 'ثبت شد.'; await route(); } else out.append(msg('ثبت شد.', true));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.field) fail(e.field, ERR[e.code] || 'نادرست');
      out.append(msg(errText(e)));
    }
  });
  return f;
}
function section(title, ...kids) { return h('section', { class: 'card' }, h('h2', {}, title), ...kids); }
function can(...roles) { return S.me && roles.includes(S.me.role); }
const work = () => can('admin', 'staff');
function act(label, fn, cls) {
  return h('button', { class: cls || 'alt', type: 'button', onclick: async ev => {
    const b = ev.target; b.disabled = true;
    try { await fn(); route(); } catch (e) { b.after(msg(e instanceof ApiError ? errText(e) : String(e))); } finally { b.disabled = false; }
  } }, label);
}

// ---- charts: plain SVG bars, right to left ----
const COLORS = ['#0b6e4f', '#c9822b', '#3d6fb6', '#9b4dca', '#b3261e', '#5f8a2d', '#7a7a7a'];
// bars(labels, series): series is [{name, values}]; one group of bars per label.
function bars(labels, series, opts) {
  opts = opts || {};
  const n = labels.length, k = series.length, W = 560, rowH = 16 * k + 12, H = Math.max(40, n * rowH + 10), left = 150;
  const max = Math.max(1, ...series.flatMap(s => s.values.map(v => v || 0)));
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`); svg.setAttribute('class', 'chart'); svg.setAttribute('role', 'img');
  // Right to left: a text's start is its right edge, so labels and values are anchored there and run leftwards.
  svg.setAttribute('direction', 'rtl');
  svg.setAttribute('aria-label', opts.title || 'نمودار');
  const el = (t, a, txt) => { const e = document.createElementNS(ns, t); for (const [x, y] of Object.entries(a)) e.setAttribute(x, y); if (txt != null) e.textContent = txt; svg.append(e); return e; };
  labels.forEach((lab, i) => {
    const y0 = 5 + i * rowH;
    el('text', { x: W - 4, y: y0 + rowH / 2 + 2, 'text-anchor': 'start', 'font-size': 12, fill: '#1d2733' }, lab);
    series.forEach((s, j) => {
      const v = s.values[i] || 0, w = (W - left - 50) * v / max, y = y0 + 4 + j * 16;
      el('rect', { x: W - left - w, y, width: Math.max(w, 1), height: 13, rx: 2, fill: s.color || COLORS[j % COLORS.length] });
      el('text', { x: W - left - w - 4, y: y + 11, 'text-anchor': 'start', 'font-size': 11, fill: '#444' }, fa(opts.pct ? Math.round(v) + '٪' : v));
    });
  });
  const box = h('div', {}, svg);
  if (k > 1 || opts.legend) box.prepend(h('div', { class: 'legend' }, series.map((s, j) => h('span', {}, h('i', { style: `background:${s.color || COLORS[j % COLORS.length]}` }), s.name))));
  return box;
}

// ---- the page frame ----
const PAGES = [
  ['dashboard', 'داشبورد'], ['calls', 'فراخوان و انتخاب همیاران'], ['appointments', 'احکام و دوره توجیهی'],
  ['issues', 'نظام مسائل'], ['sessions', 'جلسات هم‌اندیشی'], ['solutions', 'راه‌حل‌ها و شورا'], ['interventions', 'مداخلات و ارزشیابی'],
  ['orgs', 'تشکل‌ها'], ['reports', 'رصد و گزارش'], ['allocation', 'تخصیص منابع'], ['admin', 'مدیریت و همگام‌سازی'],
];
function frame(title, ...kids) {
  const main = $('#main'); main.textContent = '';
  main.append(h('h1', {}, title));
  if (S.flash) { const m = msg(S.flash, true); m.id = 'flash'; main.append(m); S.flash = ''; }
  main.append(...kids.filter(k => k != null && k !== false));
}
function nav(cur) {
  const n = $('#nav'); n.hidden = false; n.textContent = '';
  for (const [id, t] of PAGES) n.append(h('a', { href: '#/' + id, class: cur === id ? 'on' : null }, t));
  const w = $('#who'); w.textContent = '';
  w.append(`${S.me.full_name || S.me.name} (${L.role[S.me.role]}) — ${L.level[S.me.node.level]} ${S.me.node.name || S.me.node.id} `,
    h('button', { class: 'alt', onclick: async () => { try { await api('POST', 'logout'); } catch (e) { /* the session is gone anyway */ } S.me = null; renderLogin(); } }, 'خروج'));
}

function renderLogin() {
  $('#nav').hidden = true; $('#who').textContent = '';
  frame('ورود به سامانه', h('div', { class: 'card login' }, form([
    { name: 'name', label: 'نام کاربری', required: true, wide: true },
    { name: 'password', label: 'گذرواژه', type: 'password', required: true, wide: true },
  ], async v => { const me = await api('POST', 'login', v); S.me = me; S.csrf = me.csrf; if (!location.hash || location.hash === '#/login') location.hash = '#/dashboard'; }, 'ورود')));
}

// ---- dashboard ----
function sumKeys(u, prefix) { return Object.keys(u).filter(k => k.startsWith(prefix)).reduce((a, k) => a + u[k], 0); }
async function pageDashboard(q) {
  const under = q.get('under') || S.me.node.id;
  const d = await get('dashboard?under=' + enc(under));
  const units = d.units.slice().sort((a, b) => (b.self - a.self) || a.unit.localeCompare(b.unit));
  const kids = units.filter(u => !u.self);
  // Charts show the units that have figures (at most 12); the table below lists them all.
  const busy = kids.filter(u => ['appointed', 'issues', 'interventions', 'reports_expected', 'course_total'].some(k => u[k]));
  const show = (kids.length ? (busy.length ? busy : kids) : units).slice(0, 12);
  const name = u => (u.name || u.unit);
  const labels = show.map(u => fa(name(u)));
  const fresh = list => list.length > 3 ? (() => {
    const far = list.filter(u => u.fresh !== 'local');
    const old = far.reduce((a, u) => (!a || (u.fresh_ms || 0) < (a.fresh_ms || 0) ? u : a), null);
    return h('div', { class: 'fresh' }, `تازگی داده: ${fa(list.length)} واحد؛ ` + (old ? `کهنه‌ترین ${fa(name(old))} — ${old.fresh_ms > 0 ? jdate(old.fresh_ms) + ' (' + ago(old.fresh_ms) + ')' : 'هنوز همگام نشده'}` : 'همه محلی و به‌روز'));
  })() : h('div', { class: 'fresh' }, 'تازگی داده: ', list.map(u => `${fa(name(u))}: ${u.fresh === 'local' ? 'همین دبیرخانه (به‌روز)' : u.fresh_ms > 0 ? jdate(u.fresh_ms) + ' (' + ago(u.fresh_ms) + ')' : 'هنوز همگام نشده'}`).join(' · '));
  const tot = k => units.reduce((a, u) => a + (u[k] || 0), 0);
  const title = `${L.level[d.level]} ${d.name ? d.name : fa(d.under)}`;
  const kp = h('div', { class: 'kpi' },
    h('div', {}, 'همیاران منصوب / سهمیه', h('b', {}, `${num(tot('appointed'))} / ${num(tot('quota'))}`)),
    h('div', {}, 'مسائل ثبت‌شده', h('b', {}, num(tot('issues')))),
    h('div', {}, 'مداخلات', h('b', {}, num(tot('interventions')))),
    h('div', {}, `گزارش‌های دوره ${fa(d.period)}`, h('b', {}, `${num(tot('reports_received'))} از ${num(tot('reports_expected'))}`)));
  const up = d.under !== S.me.node.id && d.under.length > S.me.node.id.length ? h('a', { href: '#/dashboard?under=' + enc(d.under.replace(/-[^-]+$/, '')) }, '← بازگشت به سطح بالاتر') : null;
  const drill = d.level_n < 2 && kids.length ? h('div', {}, h('h2', {}, 'واحدهای زیرمجموعه (برای جزئیات کلیک کنید)'),
    table(kids, [['واحد', u => name(u)], ['منصوب', 'appointed'], ['سهمیه', 'quota'], ['مسائل', 'issues'], ['مداخلات', 'interventions'],
      ['گزارش دریافتی', u => `${fa(u.reports_received || 0)} از ${fa(u.reports_expected || 0)}`], ['تازگی', u => u.fresh === 'local' ? 'محلی' : ago(u.fresh_ms)]],
    u => { location.hash = '#/dashboard?under=' + enc(u.unit); })) : null;
  const stageKeys = ['needs', 'priority', 'planning', 'implementation', 'evaluation', 'done'];
  const reg = d.register || {};
  const top = (reg.top || []).slice(0, 8);
  const alloc = d.allocation && d.allocation.units ? d.allocation.units : null;
  frame(title, h('p', { class: 'muted' }, `امروز ${jdate(d.today)} — آمار در ${jdate(d.generated)} تهیه شد.`), up, kp,
    h('div', { class: 'grid' },
      section('انتصاب همیاران در برابر سهمیه', bars(labels, [{ name: 'منصوب', values: show.map(u => u.appointed || 0) }, { name: 'سهمیه', values: show.map(u => u.quota || 0), color: '#c9d3dc' }]), fresh(show)),
      section('دوره توجیهی تسهیلگر', bars(labels, [{ name: 'گذرانده', values: show.map(u => u.course_done || 0) }, { name: 'همه منصوبان', values: show.map(u => u.course_total || 0), color: '#c9d3dc' }]), fresh(show)),
      section('مسائل به تفکیک وضعیت', bars(Object.values(L.issue), [{ name: 'تعداد', values: Object.keys(L.issue).map(k => tot('issues_' + k)) }]), fresh(units)),
      section('مصوبات شورای اجتماعی', bars(Object.values(L.decision), [{ name: 'تعداد', values: Object.keys(L.decision).map(k => tot('decision_' + k)) }]), fresh(units)),
      section('مراحل مداخلات اجتماع‌محور', bars(stageKeys.map(k => L.stage[k]), [{ name: 'تعداد', values: stageKeys.map(k => tot('stage_' + k)) }]), fresh(units)),
      section(`کامل بودن و به‌موقع بودن گزارش‌ها (${fa(d.period)})`, bars(labels, [
        { name: 'به‌موقع', values: show.map(u => u.reports_expected ? 100 * (u.reports_on_time || 0) / u.reports_expected : 0) },
        { name: 'دریافتی', values: show.map(u => u.reports_expected ? 100 * (u.reports_received || 0) / u.reports_expected : 0), color: '#3d6fb6' }], { pct: true }), fresh(show)),
      section('مهم‌ترین مسائل', top.length ? bars(top.map(t => fa(t.title || t.id)), [{ name: 'اولویت', values: top.map(t => t.priority || 0) }]) : h('p', { class: 'muted' }, 'هنوز مسئله‌ای اولویت‌بندی نشده است.'), fresh(units)),
      section('تخصیص منابع (سهم درصدی)', alloc ? bars(alloc.map(u => fa(u.name_fa || u.unit)), [{ name: 'سهم', values: alloc.map(u => 100 * (u.share || u.amount || 0) / (d.allocation.budget || 1)) }], { pct: true }) : h('p', { class: 'muted' }, d.level_n === 2 ? 'تخصیص در سطح استان و کشور محاسبه می‌شود.' : 'شاخص‌های تخصیص هنوز تعریف نشده است.'), fresh(show))),
    drill,
    section('وضعیت همگام‌سازی', table(d.sync, [['دبیرخانه', 'id'], ['نقش', p => p.role === 'parent' ? 'بالادست' : 'زیرمجموعه'], ['آخرین تماس', p => p.last_contact ? jdate(p.last_contact) + ' — ' + ago(p.last_contact) : 'هرگز'],
      ['وضعیت', p => p.connected ? tag('متصل', 'ok') : tag('قطع', 'bad')], ['مانده ارسال', 'backlog_up'], ['مانده دریافت', 'backlog_down'], ['قرنطینه', 'quarantine']])));
}

// ---- selection: calls ----
async function pageCalls() {
  const calls = await items('calls');
  frame('فراخوان و انتخاب همیاران اجتماعی',
    section('فراخوان‌ها', table(calls, [['عنوان', 'title'], ['وضعیت', c => tag(L.state[c.status] || c.status, c.status)], ['شروع', c => jdate(c.opens)], ['پایان', c => jdate(c.closes)], ['دبیرخانه', 'owner']], c => { location.hash = '#/call/' + c.id; })),
    work() ? section('فراخوان تازه', form([
      { name: 'title', label: 'عنوان فراخوان', required: true, wide: true },
      { name: 'opens', label: 'تاریخ شروع', type: 'date', required: true },
      { name: 'closes', label: 'تاریخ پایان', type: 'date', required: true },
      { name: 'description', label: 'توضیحات', type: 'textarea' },
    ], v => api('POST', 'calls', v))) : null);
}

async function pageCall(id) {
  const c = await get('calls/' + enc(id));
  const apps = await items(`calls/${enc(id)}/applicants`);
  let rank = [];
  try { rank = await items(`calls/${enc(id)}/rank`); } catch (e) { /* no standards yet, or not allowed */ }
  let std = null;
  try { std = await get('standards/latest'); } catch (e) { /* none reached this node yet */ }
  const next = { draft: ['open', 'باز کردن فراخوان'], open: ['closed', 'بستن فراخوان'], closed: ['reviewed', 'پایان بررسی'], reviewed: ['completed', 'تکمیل فراخوان'] }[c.status];
  const crit = (list, pre) => (list || []).map(k => ({ name: pre + k.code, label: `${k.name} (${fa(k.min)} تا ${fa(k.max)})`, type: 'number', required: true }));
  const scores = (v, pre) => { const o = {}; for (const [k, x] of Object.entries(v)) if (k.startsWith(pre)) o[k.slice(pre.length)] = x; return o; };
  const appOpts = apps.filter(a => !a.withdrawn).map(a => [a.id, a.name]);
  frame(`فراخوان: ${c.title}`,
    h('div', { class: 'card' }, h('p', {}, 'وضعیت: ', tag(L.state[c.status] || c.status, c.status), ` — از ${jdate(c.opens)} تا ${jdate(c.closes)} — دبیرخانه ${fa(c.owner)}`),
      c.description ? h('p', {}, c.description) : null,
      work() && next ? act(next[1], () => api('POST', `calls/${enc(id)}/state`, { state: next[0] }), 'warn') : null),
    section('متقاضیان', table(apps, [['نام گروه', 'name'], ['نوع', a => L.kind[a.kind] || a.kind_fa || a.kind], ['تلفن', 'phone'], ['اعضا', 'members'], ['تاریخ ثبت', a => jdate(a.applied || a.applied_at)], ['وضعیت', a => a.withdrawn ? tag('انصراف', 'bad') : tag('فعال', 'ok')]]),
      work() && c.status === 'open' ? h('div', {}, h('h2', {}, 'ثبت متقاضی (رزومه گروه)'), form([
        { name: 'name', label: 'نام گروه', required: true },
        { name: 'kind', label: 'نوع گروه', type: 'select', options: Object.entries(L.kind) },
        { name: 'reg_no', label: 'شماره ثبت' }, { name: 'contact', label: 'نماینده گروه', required: true },
        { name: 'phone', label: 'تلفن', hint: 'مثلاً ۰۹۱۲۱۲۳۴۵۶۷' }, { name: 'members', label: 'تعداد اعضا', type: 'number' },
        { name: 'years', label: 'سابقه (سال)', type: 'number' }, { name: 'areas', label: 'حوزه‌های فعالیت', wide: true },
        { name: 'activities', label: 'سوابق و فعالیت‌ها', type: 'textarea' },
      ], v => api('POST', `calls/${enc(id)}/applicants`, v), 'ثبت متقاضی')) : null),
    c.status === 'closed' && can('admin', 'staff', 'reviewer') && std ? section('امتیاز ارزیاب (وزن‌دهی)', form([
      { name: 'applicant', label: 'متقاضی', type: 'select', options: appOpts, required: true }, ...crit(std.review, 'r_')],
      v => api('POST', `applicants/${enc(v.applicant)}/reviews`, { scores: scores(v, 'r_') }), 'ثبت امتیاز')) : null,
    (c.status === 'closed' || c.status === 'reviewed') && work() ? section('زمان‌بندی مصاحبه', form([
      { name: 'applicant', label: 'متقاضی', type: 'select', options: appOpts, required: true },
      { name: 'date', label: 'تاریخ', type: 'date', required: true }, { name: 'time', label: 'ساعت', required: true, placeholder: '10:00' },
      { name: 'place', label: 'محل' }, { name: 'panel', label: 'هیئت مصاحبه', required: true }],
      v => api('POST', `applicants/${enc(v.applicant)}/interview`, v), 'زمان‌بندی')) : null,
    c.status === 'reviewed' && can('admin', 'staff', 'reviewer') && std ? section('امتیاز مصاحبه', form([
      { name: 'applicant', label: 'متقاضی', type: 'select', options: appOpts, required: true }, ...crit(std.interview, 'i_'), { name: 'notes', label: 'یادداشت', type: 'textarea' }],
      v => api('POST', `applicants/${enc(v.applicant)}/interview/score`, { scores: scores(v, 'i_'), notes: v.notes }), 'ثبت امتیاز مصاحبه')) : null,
    section('رتبه‌بندی و تعیین صلاحیت', table(rank, [['رتبه', 'rank'], ['گروه', 'name'], ['امتیاز بررسی', 'review'], ['امتیاز مصاحبه', 'interview'], ['امتیاز نهایی', 'combined'],
      ['صلاحیت', r => r.qualified ? tag('واجد شرایط', 'ok') : tag(r.reason || 'فاقد شرایط', 'bad')],
      ['حکم', r => r.appointment_id ? h('a', { href: '#/decree/' + enc(r.appointment_id) }, 'مشاهده حکم ' + fa(r.decree_no || '')) :
        (work() && r.qualified && c.status === 'reviewed' ? act('انتخاب و صدور حکم', () => api('POST', 'appointments', { applicant: r.applicant_id || r.id }), 'warn') : '—')]])));
}

// ---- appointments, decrees, course ----
async function pageAppointments() {
  const [appts, decrees, courses, status] = await Promise.all([items('appointments'), items('decrees'), items('courses'), items('courses/status')]);
  const apptOpts = appts.map(a => [a.id, `${a.group_name || a.name || a.applicant_id} — ${fa(a.decree_no || '')}`]);
  const sessOpts = courses.flatMap(c => (c.sessions || []).map(s => [s.id, `${c.title}: ${s.topic} (${jdate(s.date)})`]));
  frame('احکام انتصاب و دوره توجیهی تسهیلگر',
    section('احکام صادرشده', table(decrees, [['شماره حکم', d => fa(d.number || d.decree_no)], ['گروه', d => d.group_name || d.name], ['تاریخ', d => jdate(d.date)], ['دبیرخانه', 'owner'],
      ['چاپ', d => h('a', { href: '#/decree/' + enc(d.id) }, 'مشاهده و چاپ')]])),
    section('وضعیت دوره توجیهی', table(status, [['گروه', s => s.group_name || s.name], ['جلسات حاضر', 'attended'], ['گذرانده', s => s.completed ? tag('بله', 'ok') : tag('خیر', 'bad')]])),
    work() ? section('دوره تازه', form([{ name: 'title', label: 'عنوان دوره', required: true }, { name: 'required', label: 'حداقل جلسات لازم', type: 'number', hint: 'خالی: همه جلسات' }], v => api('POST', 'courses', v))) : null,
    work() && courses.length ? section('جلسه دوره', form([{ name: 'course', label: 'دوره', type: 'select', options: courses.map(c => [c.id, c.title]), required: true },
      { name: 'date', label: 'تاریخ', type: 'date', required: true }, { name: 'topic', label: 'موضوع', required: true }, { name: 'hours', label: 'ساعت', type: 'number' }],
      v => api('POST', `courses/${enc(v.course)}/sessions`, v))) : null,
    work() && sessOpts.length && apptOpts.length ? section('حضور و غیاب', form([{ name: 'session', label: 'جلسه', type: 'select', options: sessOpts, required: true },
      { name: 'appointment', label: 'گروه منصوب', type: 'select', options: apptOpts, required: true }, { name: 'present', label: 'حضور', type: 'select', options: [['1', 'حاضر'], ['0', 'غایب']] }],
      v => api('POST', `course-sessions/${enc(v.session)}/attendance`, { appointment: v.appointment, present: v.present === '1' }))) : null);
}

async function pageDecree(id) {
  const d = await get('decrees/' + enc(id));
  frame('حکم انتصاب همیار اجتماعی',
    h('div', { class: 'card' }, table([d], [['شماره', d2 => fa(d2.number || d2.decree_no)], ['گروه', d2 => d2.group_name || d2.name], ['تاریخ', d2 => jdate(d2.date)], ['آغاز دوره', d2 => jdate(d2.term_start)], ['پایان دوره', d2 => jdate(d2.term_end)]]),
      h('p', {}, h('a', { href: `/api/v1/decrees/${enc(d.id || id)}/print`, target: '_blank', id: 'print-link' }, 'نسخه چاپی حکم')),
      work() && d.appointment_id ? h('div', {}, h('h2', {}, 'لغو انتصاب'), form([{ name: 'reason', label: 'دلیل لغو', required: true, wide: true }], v => api('POST', `appointments/${enc(d.appointment_id)}/revoke`, v), 'لغو انتصاب')) : null));
}

// ---- issue register ----
async function pageIssues() {
  const [list, cats] = await Promise.all([items('issues'), items('categories').catch(() => [])]);
  const catOpts = [['', '—'], ...cats.map(c => [c.code || c.id, c.name_fa || c.code])];
  frame('نظام مسائل',
    section('مسائل ثبت‌شده', table(list, [['رتبه', 'rank'], ['عنوان مسئله', 'title'], ['دسته', 'category'], ['وضعیت', i => tag(L.issue[i.state] || i.state, i.state)], ['اولویت', 'priority'], ['واحد', 'owner'], ['تاریخ ثبت', i => jdate(i.created)]])),
    can('admin', 'staff', 'helper') ? section('ثبت مسئله تازه', form([
      { name: 'title', label: 'عنوان مسئله', required: true, wide: true },
      { name: 'category', label: 'دسته', type: 'select', options: catOpts },
      { name: 'neighbourhood', label: 'محله یا روستا' }, { name: 'people', label: 'جمعیت درگیر (تخمینی)', type: 'number' },
      { name: 'source', label: 'منبع', type: 'select', options: [['', '—'], ['session', 'جلسه هم‌اندیشی'], ['views', 'دیدگاه مردم'], ['monitoring', 'رصد']] },
      { name: 'description', label: 'شرح', type: 'textarea' },
    ], v => api('POST', 'issues', v), 'ثبت مسئله')) : null,
    work() ? section('بستن مسئله', form([{ name: 'id', label: 'مسئله', type: 'select', options: list.map(i => [i.id, i.title]), required: true }, { name: 'reason', label: 'دلیل', required: true }],
      v => api('POST', `issues/${enc(v.id)}/close`, { reason: v.reason }), 'بستن')) : null);
}

async function pageSessions() {
  const [list, issues, crits, facs] = await Promise.all([items('sessions'), items('issues'), items('criteria').catch(() => []), items('facilitators').catch(() => [])]);
  const iss = issues.map(i => [i.id, i.title]);
  const national = S.me.node.level === 'national';
  frame('جلسات هم‌اندیشی و اولویت‌بندی',
    section('جلسات', table(list, [['تاریخ', s => jdate(s.date)], ['محل', 'place'], ['تسهیلگر', 'facilitator'], ['شرکت‌کنندگان', 'participants'], ['واحد', 'owner']])),
    // Facilitators are chosen by the national secretariat (definition 3 of the guideline); every node sees its own.
    section('تسهیلگران منصوب دبیرخانه ملی', table(facs, [['نام', 'name'], ['تلفن', 'phone'], ['واحد', f => f.serves_name || f.serves], ['تاریخ انتصاب', f => jdate(f.designated)],
      ['اقدام', f => national && work() ? act('پایان انتصاب', () => api('POST', `facilitators/${enc(f.id)}/retire`, {})) : '—']])),
    national && work() ? section('انتصاب تسهیلگر', form([{ name: 'name', label: 'نام و نام خانوادگی', required: true }, { name: 'serves', label: 'واحد محل خدمت (مثلاً IR-07-03)', required: true },
      { name: 'phone', label: 'تلفن' }, { name: 'designated', label: 'تاریخ انتصاب', type: 'date' }, { name: 'notes', label: 'یادداشت', type: 'textarea' }],
      v => api('POST', 'facilitators', v), 'ثبت انتصاب')) : null,
    can('admin', 'staff', 'helper') ? section('ثبت جلسه', form([{ name: 'date', label: 'تاریخ جلسه', type: 'date', required: true }, { name: 'place', label: 'محل' }, { name: 'facilitator', label: 'تسهیلگر', suggest: facs.map(f => f.name) },
      { name: 'participants', label: 'تعداد شرکت‌کنندگان', type: 'number' }, { name: 'groups', label: 'گروه‌های ذی‌نفع', wide: true }, { name: 'outcomes', label: 'نتایج', type: 'textarea' }],
      v => api('POST', 'sessions', v), 'ثبت جلسه')) : null,
    can('admin', 'staff', 'helper') && list.length && crits.length ? section('امتیاز ذی‌نفعان به مسئله', form([
      { name: 'session', label: 'جلسه', type: 'select', options: list.map(s => [s.id, jdate(s.date) + ' ' + (s.place || '')]), required: true },
      { name: 'issue', label: 'مسئله', type: 'select', options: iss, required: true }, { name: 'group', label: 'گروه ذی‌نفع' },
      ...crits.map(c => ({ name: 'c_' + c.code, label: `${c.name_fa || c.code} (۰ تا ${fa(c.scale_max)})`, type: 'number', required: true }))],
      v => { const sc = {}; for (const [k, x] of Object.entries(v)) if (k.startsWith('c_')) sc[k.slice(2)] = x; return api('POST', `sessions/${enc(v.session)}/scores`, { issue: v.issue, group: v.group, scores: sc }); }, 'ثبت امتیاز')) : null);
}

async function pageSolutions() {
  const [sols, issues, pending, decisions] = await Promise.all([items('solutions'), items('issues'), items('council?pending=1'), items('council')]);
  const ready = issues.filter(i => i.state === 'prioritised' || i.state === 'rejected').map(i => [i.id, i.title]);
  frame('راه‌حل‌های پیشنهادی و شورای اجتماعی',
    section('راه‌حل‌ها', table(sols, [['عنوان', 'title'], ['وضعیت', s => tag(L.issue[s.state] || s.state, s.state)], ['بودجه (ریال)', 'budget'], ['واحد', 'owner'],
      ['اقدام', s => work() && s.state === 'proposed' ? act('ارسال به شورای شهرستان', () => api('POST', `solutions/${enc(s.id)}/submit`, { council: 'county' })) :
        (s.state === 'returned' && can('admin', 'staff', 'helper') ? act('اصلاح و پیشنهاد دوباره', () => api('POST', `solutions/${enc(s.id)}/revise`, {})) : '—')]])),
    can('admin', 'staff', 'helper') ? section('پیشنهاد راه‌حل اجرایی', ready.length ? form([{ name: 'title', label: 'عنوان راه‌حل', required: true, wide: true },
      { name: 'issues', label: 'مسئله', type: 'select', options: ready, required: true }, { name: 'bodies', label: 'دستگاه‌های مسئول' }, { name: 'budget', label: 'بودجه (ریال)', type: 'number' },
      { name: 'start', label: 'شروع', type: 'date' }, { name: 'end', label: 'پایان', type: 'date' }, { name: 'plan', label: 'برنامه اجرایی', type: 'textarea' }],
      v => api('POST', 'solutions', { ...v, issues: [v.issues] }), 'ثبت راه‌حل') : h('p', { class: 'muted' }, 'مسئله اولویت‌بندی‌شده‌ای برای راه‌حل نیست.')) : null,
    section('در انتظار تصمیم شورای این دبیرخانه', table(pending, [['راه‌حل', p => p.title || p.solution], ['واحد', 'owner'], ['تاریخ ارسال', p => jdate(p.submitted || p.date)]])),
    work() && pending.length ? section('ثبت مصوبه شورا', form([{ name: 'solution', label: 'راه‌حل', type: 'select', options: pending.map(p => [p.id || p.solution, p.title || p.solution]), required: true },
      { name: 'decision', label: 'تصمیم', type: 'select', options: Object.entries(L.decision), required: true }, { name: 'date', label: 'تاریخ جلسه شورا', type: 'date', required: true },
      { name: 'resolution', label: 'شماره مصوبه' }, { name: 'conditions', label: 'شرایط', type: 'textarea' }], v => api('POST', 'council', v), 'ثبت مصوبه')) : null,
    section('مصوبات', table(decisions, [['راه‌حل', d => d.title || d.solution], ['تصمیم', d => tag(L.decision[d.decision] || d.decision, d.decision)], ['شماره مصوبه', 'resolution'], ['تاریخ', d => jdate(d.date)]])));
}

async function pageInterventions() {
  const [list, sols, evals] = await Promise.all([items('interventions'), items('solutions?state=approved'), items('evaluations')]);
  frame('مداخلات اجتماع‌محور و ارزشیابی',
    section('مداخلات', table(list, [['عنوان', 'title'], ['مرحله جاری', i => L.stage[i.current_stage] || i.current_stage || L.stage.done], ['پیشرفت', i => fa(i.progress || 0) + '٪'], ['واحد', 'owner']])),
    can('admin', 'staff', 'helper') && sols.length ? section('آغاز مداخله برای راه‌حل مصوب', form([{ name: 'solution', label: 'راه‌حل مصوب', type: 'select', options: sols.map(s => [s.id, s.title]), required: true }, { name: 'title', label: 'عنوان' }],
      v => api('POST', 'interventions', v))) : null,
    can('admin', 'staff', 'helper') && list.length ? section('ثبت مرحله', form([{ name: 'id', label: 'مداخله', type: 'select', options: list.map(i => [i.id, i.title]), required: true },
      { name: 'stage', label: 'مرحله', type: 'select', options: Object.entries(L.stage).slice(0, 5), required: true }, { name: 'start', label: 'شروع', type: 'date' }, { name: 'end', label: 'پایان', type: 'date' },
      { name: 'participants', label: 'مشارکت‌کنندگان', type: 'number' }, { name: 'notes', label: 'یادداشت', type: 'textarea' }], v => api('POST', `interventions/${enc(v.id)}/stages`, v))) : null,
    can('admin', 'staff', 'helper') && list.length ? section('ارزشیابی (نقاط قوت و ضعف)', form([{ name: 'intervention', label: 'مداخله', type: 'select', options: list.map(i => [i.id, i.title]), required: true },
      { name: 'evaluator', label: 'ارزیاب' }, { name: 'date', label: 'تاریخ', type: 'date' }, { name: 'strengths', label: 'نقاط قوت', type: 'textarea' }, { name: 'weaknesses', label: 'نقاط ضعف', type: 'textarea' },
      { name: 'recommendations', label: 'پیشنهادها', type: 'textarea' }], v => api('POST', 'evaluations', v))) : null,
    section('ارزشیابی‌ها', table(evals, [['تاریخ', e => jdate(e.date)], ['ارزیاب', 'evaluator'], ['نقاط قوت', 'strengths'], ['نقاط ضعف', 'weaknesses']])));
}

async function pageOrgs() {
  const [list, intros] = await Promise.all([items('orgs'), items('introductions')]);
  frame('تشکل‌های مؤثر',
    section('تشکل‌ها', table(list, [['نام', 'name'], ['نوع', 'kind'], ['حوزه', 'field'], ['واحد', 'owner']])),
    can('admin', 'staff', 'helper') ? section('ثبت تشکل', form([{ name: 'name', label: 'نام تشکل', required: true }, { name: 'kind', label: 'نوع' }, { name: 'field', label: 'حوزه فعالیت' }, { name: 'contact', label: 'تماس' }, { name: 'notes', label: 'یادداشت', type: 'textarea' }],
      v => api('POST', 'orgs', v))) : null,
    work() && list.length ? section('معرفی به دستگاه‌ها', form([{ name: 'org', label: 'تشکل', type: 'select', options: list.map(o => [o.id, o.name]), required: true }, { name: 'body', label: 'دستگاه', required: true },
      { name: 'level', label: 'سطح', type: 'select', options: [['county', 'شهرستان'], ['province', 'استان']] }, { name: 'date', label: 'تاریخ', type: 'date' }], v => api('POST', `orgs/${enc(v.org)}/introductions`, v), 'معرفی')) : null,
    section('معرفی‌ها', table(intros, [['تشکل', i => i.org_name || i.org], ['دستگاه', 'body'], ['نتیجه', 'outcome'], ['تاریخ', i => jdate(i.date)]])));
}

// ---- reports ----
async function pageReports() {
  const [tpls, reps, cpl] = await Promise.all([items('templates'), items('reports'), get('completeness?depth=2').catch(() => null)]);
  let pending = [];
  if (work()) pending = await items('reports/pending').catch(() => []);
  const [tpl, setTpl] = [new URLSearchParams(location.hash.split('?')[1] || '').get('tpl'), null];
  const t = tpls.find(x => x.code === tpl) || tpls[0];
  const fields = t ? (typeof t.fields === 'string' ? JSON.parse(t.fields) : t.fields || []) : [];
  frame('رصد و گزارش',
    cpl ? section(`کامل بودن گزارش‌ها — دوره ${fa(cpl.period || '')}`, table(cpl.units || [], [['واحد', 'unit'], ['مورد انتظار', u => (u.subtree || u.own || {}).expected], ['دریافتی', u => (u.subtree || u.own || {}).received], ['به‌موقع', u => (u.subtree || u.own || {}).on_time], ['دیرکرد', u => (u.subtree || u.own || {}).late], ['تازگی داده', u => u.watermark_text || u.freshness || '—']])) : null,
    section('گزارش‌ها', table(reps, [['الگو', r => r.template_title || r.code], ['دوره', 'period'], ['واحد', 'owner'], ['وضعیت', r => tag(r.state || r.status, r.state)], ['بازبینی', 'revision'],
      ['اقدام', r => (r.state === 'draft' && can('admin', 'staff', 'helper')) ? act('ارسال', () => api('POST', `reports/${enc(r.id)}/submit`, {})) : '—']])),
    t && can('admin', 'staff', 'helper') ? section(`گزارش تازه: ${t.title}`, h('div', { class: 'tabs' }, tpls.map(x => h('a', { href: '#/reports?tpl=' + enc(x.code), class: x === t ? 'on' : null }, x.title))),
      form([{ name: 'period', label: 'دوره (مثلاً ۱۴۰۵-۰۸)', required: true }, ...fields.map(f => ({ name: 'v_' + f.name, label: f.label || f.name, type: f.type === 'number' ? 'number' : f.type === 'choice' ? 'select' : 'text', options: (f.choices || []).map(c => [c, c]), required: !!f.required }))],
        v => { const vals = {}; for (const [k, x] of Object.entries(v)) if (k.startsWith('v_')) vals[k.slice(2)] = x; return api('POST', 'reports', { code: t.code, period: toAscii(v.period), values: vals, submit: true }); }, 'ثبت و ارسال')) : section('گزارش تازه', h('p', { class: 'muted' }, 'هنوز الگوی گزارشی از دبیرخانه ملی نرسیده است.')),
    work() && pending.length ? section('گزارش‌های در انتظار بررسی', table(pending, [['واحد', 'owner'], ['الگو', r => r.template_title || r.code], ['دوره', 'period'],
      ['اقدام', r => h('span', {}, act('پذیرش', () => api('POST', `reports/${enc(r.id)}/review`, { accept: true })), ' ', act('برگشت', () => api('POST', `reports/${enc(r.id)}/review`, { accept: false, note: prompt('دلیل برگشت؟') || 'نیاز به اصلاح' }), 'warn'))]])) : null);
}

async function pageAllocation(q) {
  const inds = await items('indicators');
  const budget = q.get('budget');
  let res = null, err = null;
  if (budget) { try { res = await get('allocation?budget=' + enc(budget)); } catch (e) { err = e; } }
  frame('تخصیص منابع بر اساس شاخص‌ها',
    section('شاخص‌ها', table(inds, [['کد', 'code'], ['عنوان', 'title'], ['منبع', 'source'], ['وزن', 'weight']])),
    section('محاسبه سهم', form([{ name: 'budget', label: 'بودجه (ریال)', type: 'number', required: true, value: budget ? fa(budget) : '' }], async v => { location.hash = '#/allocation?budget=' + v.budget; return false; }, 'محاسبه'),
      err ? msg(errText(err)) : null,
      res ? bars((res.units || []).map(u => fa(u.name_fa || u.unit)), [{ name: 'سهم (ریال)', values: (res.units || []).map(u => u.share || u.amount || 0) }]) : null,
      res ? table(res.units || [], [['واحد', u => u.name_fa || u.unit], ['سهم (ریال)', u => u.share || u.amount]]) : null));
}

// ---- admin ----
async function pageAdmin() {
  const [st, q, chk] = await Promise.all([get('status'), work() ? items('quarantine') : [], get('check')]);
  const users = can('admin') ? await items('users') : [];
  frame('مدیریت و همگام‌سازی',
    section('این دبیرخانه', table([st], [['شناسه', 'id'], ['سطح', s => L.level[s.level]], ['آخرین تغییر', 'log_head'], ['قرنطینه', 'quarantine']])),
    section('همگام‌سازی با دبیرخانه‌های دیگر', table(st.peers, [['دبیرخانه', 'id'], ['نقش', p => p.role === 'parent' ? 'بالادست' : 'زیرمجموعه'], ['آخرین تماس', p => p.last_contact ? jdate(p.last_contact) + ' — ' + ago(p.last_contact) : 'هرگز'], ['مانده ارسال', 'backlog_up'], ['مانده دریافت', 'backlog_down'], ['آخرین خطا', 'last_error']])),
    section('بررسی قواعد (سهمیه، شماره حکم)', chk.ok ? msg('همه قواعد برقرار است.', true) : table(chk.violations, [['قاعده', 'check'], ['واحد', 'owner'], ['شرح', 'message']])),
    work() ? section('تغییرات قرنطینه‌شده', table(q, [['زمان', r => jdate(r.at)], ['از', 'peer'], ['جدول', 'table'], ['دلیل', 'reason']])) : null,
    can('admin') ? section('کاربران', table(users, [['نام کاربری', 'name'], ['نام', 'full_name'], ['نقش', u => L.role[u.role]], ['فعال', u => u.active ? 'بله' : 'خیر']]),
      h('h2', {}, 'کاربر تازه'), form([{ name: 'name', label: 'نام کاربری (لاتین)', required: true }, { name: 'full_name', label: 'نام و نام خانوادگی' },
        { name: 'role', label: 'نقش', type: 'select', options: Object.entries(L.role), required: true }, { name: 'group', label: 'گروه همیار (شناسه انتصاب)', hint: 'فقط برای همیار' },
        { name: 'password', label: 'گذرواژه (دست‌کم ۸ نویسه)', type: 'password', required: true }], v => api('POST', 'users', v), 'افزودن کاربر')) : null);
}

// ---- routing ----
async function route() {
  if (!S.me) {
    try { const me = await get('me'); S.me = me; S.csrf = me.csrf; } catch (e) { renderLogin(); return; }
  }
  const [path, qs] = (location.hash.slice(2) || 'dashboard').split('?');
  const q = new URLSearchParams(qs || '');
  const [page, arg] = path.split('/');
  nav(page === 'call' ? 'calls' : page === 'decree' ? 'appointments' : page);
  const pages = { dashboard: pageDashboard, calls: pageCalls, appointments: pageAppointments, issues: pageIssues, sessions: pageSessions, solutions: pageSolutions,
    interventions: pageInterventions, orgs: pageOrgs, reports: pageReports, allocation: pageAllocation, admin: pageAdmin };
  try {
    if (page === 'call') await pageCall(decodeURIComponent(arg));
    else if (page === 'decree') await pageDecree(decodeURIComponent(arg));
    else await (pages[page] || pageDashboard)(q);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    frame('خطا', msg(e instanceof ApiError ? errText(e) : 'خطای غیرمنتظره: ' + e));
  }
}
window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
