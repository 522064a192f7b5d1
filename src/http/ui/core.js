// Building blocks of the UI: the API, elements, tables, forms, dialogs and charts.
'use strict';

const S = { me: null, csrf: '' };
const $ = (sel, el) => (el || document).querySelector(sel);

// ---- the API ----
class ApiError extends Error {
  constructor(st, e) { super(e.message); this.status = st; this.code = e.code; this.field = e.field; this.why = e.why; this.params = e.params; }
}
async function api(method, path, body) {
  const hd = {};
  if (body !== undefined) hd['Content-Type'] = 'application/json';
  if (method !== 'GET') hd['X-CSRF-Token'] = S.csrf;
  const r = await fetch('/api/v1/' + path, { method, headers: hd, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const j = await r.json().catch(() => ({ error: { code: 'internal' } }));
  if (!r.ok) {
    if (r.status === 401 && path !== 'login') { S.me = null; renderLogin(); }
    throw new ApiError(r.status, j.error || {});
  }
  return j;
}
const get = p => api('GET', p);
const items = async p => (await get(p + (p.includes('?') ? '&' : '?') + 'limit=1000')).items;
const enc = encodeURIComponent;
// loadUnits fills UNITS (names of the org units) once per login.
async function loadUnits() {
  if (UNITS.size) return;
  try { for (const u of await items('orgunits')) UNITS.set(u.id, u); } catch (e) { /* names fall back to codes */ }
}

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
// msg is a note: ok, or a refusal (an ApiError shows its Persian sentence; its English message only as a tooltip).
function msg(text, ok) {
  if (text instanceof ApiError) return h('div', { class: 'msg err', role: 'alert', title: text.message || null }, errText(text));
  return h('div', { class: 'msg ' + (ok ? 'ok' : 'err'), role: ok ? 'status' : 'alert' }, text);
}
function tag(text, cls) { return h('span', { class: 'tag ' + (cls || '') }, text); }
function unitCell(code) { return h('span', { title: code || '' }, unitName(code)); }
function section(title, ...kids) { return h('section', { class: 'card' }, h('h2', {}, title), ...kids); }
function can(...roles) { return S.me && roles.includes(S.me.role); }
const work = () => can('admin', 'staff');
const level = () => S.me.node.level;

// table(rows, cols, onclick, opts): cols are [label, key or function(row)].  Long tables get a search box,
// and with opts.unit (a row's unit code) a province filter; wide ones scroll sideways on a phone.
function table(rows, cols, onclick, opts) {
  opts = opts || {};
  if (!rows || !rows.length) return h('p', { class: 'muted' }, opts.empty || 'موردی نیست.');
  const cell = (c, r) => { const v = typeof c[1] === 'function' ? c[1](r) : r[c[1]]; return h('td', { 'data-label': c[0] }, v == null || v === '' ? '—' : (v.nodeType ? v : (typeof v === 'number' ? num(v) : fa(v)))); };
  // A row opens its record, unless the click or key was meant for a button or link inside it.
  const mine = ev => !ev.target.closest('button, a, input, select, textarea, dialog');
  const trs = rows.map(r => h('tr', { class: onclick ? 'click' : null, tabindex: onclick ? 0 : null, onclick: onclick ? ev => { if (mine(ev)) onclick(r); } : null,
    onkeydown: onclick ? ev => { if (ev.key === 'Enter' && mine(ev)) onclick(r); } : null }, cols.map(c => cell(c, r))));
  const tb = h('table', {}, h('thead', {}, h('tr', {}, cols.map(c => h('th', {}, c[0])))), h('tbody', {}, trs));
  const wrap = h('div', { class: 'tw' }, tb);
  if (rows.length <= 12 && !opts.search) return wrap;
  // The toolbar: search by any text of the row, and by province.
  const q = h('input', { type: 'search', placeholder: 'جستجو…', 'aria-label': 'جستجو در جدول' });
  const provs = opts.unit ? [...new Set(rows.map(r => provinceOf(opts.unit(r))).filter(p => p && p.split('-').length === 2))] : [];
  const ps = provs.length > 1 ? h('select', { 'aria-label': 'استان' }, h('option', { value: '' }, 'همه استان‌ها'),
    provs.map(p => [p, unitName(p)]).sort((a, b) => a[1].localeCompare(b[1], 'fa')).map(([p, n]) => h('option', { value: p }, n))) : null;
  const count = h('span', { class: 'muted' });
  const text = trs.map(t => t.textContent + ' ' + toAscii(t.textContent));
  const apply = () => {
    const w = q.value.trim(), wa = toAscii(w), p = ps ? ps.value : '';
    let shown = 0;
    trs.forEach((t, i) => {
      const vis = (!w || text[i].includes(w) || text[i].includes(wa)) && (!p || provinceOf(opts.unit(rows[i])) === p);
      t.hidden = !vis; if (vis) shown++;
    });
    count.textContent = `${num(shown)} از ${num(rows.length)}`;
  };
  q.addEventListener('input', apply);
  if (ps) ps.addEventListener('change', apply);
  apply();
  return h('div', {}, h('div', { class: 'toolbar' }, q, ps, count), wrap);
}

// ---- forms ----
// form(fields, submit, label): fields are {name, label, type, required, options, hint, wide, suggest, min, max, check}
// (type: text, number, money (grouped in Persian as typed), date, select, textarea, list, password, file; suggest: values offered as the field is typed in;
// check(value): a Persian reason the value is wrong, or '').  Every field is checked as it is typed and again on
// submit; the server's refusal is shown next to its field.  submit returns false to stay on the page.
function fieldValue(d, raw, el) {
  let x = typeof raw === 'string' ? raw.trim() : raw;
  if (d.type === 'file') { const f = el && el.files && el.files[0]; if (!f) return d.required ? [null, `«${d.label}» را انتخاب کنید`] : [undefined, '']; return [f, d.check ? d.check(f) : '']; }
  if (!x) return d.required ? [null, `«${d.label}» را وارد کنید`] : [undefined, ''];
  if (d.type === 'date') { x = toAscii(x).replace(/\//g, '-'); const why = checkDate(x); if (why) return [null, why]; }
  if (d.type === 'money') {
    // Kept as its digits: a national budget in rials is beyond the integers a float holds exactly.
    x = toAscii(x).replace(/[\s٬,]/g, '');
    if (!/^\d+$/.test(x)) return [null, 'مبلغ را با رقم وارد کنید (رقم فارسی یا لاتین)'];
    x = x.replace(/^0+(?=\d)/, '');
    if (d.min != null && BigInt(x) < BigInt(d.min)) return [null, `کمتر از ${num(d.min)} پذیرفته نیست`];
    if (d.max != null && BigInt(x) > BigInt(d.max)) return [null, `بیشتر از ${grouped(String(d.max))} پذیرفته نیست`];
  }
  if (d.type === 'number') {
    x = toAscii(x);
    if (!/^-?\d+(\.\d+)?$/.test(x)) return [null, 'یک عدد وارد کنید (رقم فارسی یا لاتین)'];
    x = Number(x);
    if (d.min != null && x < d.min) return [null, `کمتر از ${num(d.min)} پذیرفته نیست`];
    if (d.max != null && x > d.max) return [null, `بیشتر از ${num(d.max)} پذیرفته نیست`];
  }
  if (d.type === 'phone') { x = toAscii(x).replace(/[\s-]/g, ''); if (!/^0\d{10}$/.test(x)) return [null, 'شماره تلفن یازده رقم است و با ۰ آغاز می‌شود، مثلاً ۰۹۱۲۱۲۳۴۵۶۷']; }
  if (d.type === 'time') { x = toAscii(x); if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(x)) return [null, 'ساعت را به شکل ۱۰:۳۰ وارد کنید']; }
  if (d.type === 'list') x = x.split(/[\s،,]+/).filter(Boolean);
  const why = d.check ? d.check(x) : '';
  return why ? [null, why] : [x, ''];
}
// grouped writes the digits of s (Persian or Latin) in Persian digits with the Persian thousands separator.
function grouped(s) { const d = toAscii(s).replace(/[^0-9]/g, '').replace(/^0+(?=\d)/, ''); return d ? fa(d.replace(/\B(?=(\d{3})+(?!\d))/g, '٬')) : ''; }
// regroup rewrites a money field as it is typed (۱۲۳۴۵ → ۱۲٬۳۴۵), the caret kept after the same digit.
function regroup(input) {
  const v = input.value, at = input.selectionStart == null ? v.length : input.selectionStart;
  const after = toAscii(v.slice(at)).replace(/[^0-9]/g, '').length;
  const g = grouped(v);
  if (g === v) return;
  input.value = g;
  let pos = g.length;
  for (let k = 0; k < after && pos > 0; pos--) if (/[۰-۹]/.test(g[pos - 1])) k++;
  while (pos > 0 && g[pos - 1] === '٬' && after > 0) pos--;
  input.setSelectionRange(pos, pos);
}
function form(fields, submit, label) {
  const f = h('form', { class: 'f', novalidate: true });
  const out = h('div', { class: 'wide' });
  const show = (name, text) => {
    const el = f.elements[name]; if (el) el.classList.toggle('bad', !!text);
    const s = f.querySelector(`.ferr[data-for="${name}"]`); if (s) s.textContent = text || '';
  };
  for (const d of fields) {
    let input;
    const numeric = ['number', 'money', 'date', 'phone', 'time'].includes(d.type);
    if (d.type === 'select') input = h('select', { name: d.name }, (d.options || []).map(o => h('option', { value: o[0] }, o[1])));
    else if (d.type === 'textarea') input = h('textarea', { name: d.name, rows: 3 });
    else if (d.type === 'file') input = h('input', { name: d.name, type: 'file', accept: d.accept || null });
    else {
      // An example, said to be one (a bare date in grey reads as one filled in): «مثلاً …», right to left (RLI … PDI).
      const ex = d.type === 'date' ? '۱۴۰۵/۰۹/۰۷' : d.type === 'time' ? '۱۰:۳۰' : d.placeholder;
      input = h('input', { name: d.name, type: d.type === 'password' ? 'password' : 'text', inputmode: numeric ? 'numeric' : null, dir: numeric ? 'ltr' : null,
        placeholder: ex ? `\u2067مثلاً ${ex}\u2069` : null, autocomplete: d.type === 'password' ? 'current-password' : 'off' });
    }
    if (d.value != null) input.value = d.value;
    if (d.type === 'money') { if (input.value) input.value = grouped(input.value); input.addEventListener('input', () => regroup(input)); }
    let list = null;
    if (d.suggest && d.suggest.length) {
      list = h('datalist', { id: 'dl-' + d.name }, d.suggest.map(x => h('option', { value: x })));
      input.setAttribute('list', 'dl-' + d.name);
    }
    // Checked as it is typed: once the field has been left, or at once when it already shows a fault.
    const live = () => { if (input.dataset.touched || input.classList.contains('bad')) show(d.name, fieldValue(d, input.value, input)[1]); };
    input.addEventListener('input', live);
    input.addEventListener('change', () => { input.dataset.touched = 1; live(); });
    input.addEventListener('blur', () => { if (input.value) { input.dataset.touched = 1; live(); } });
    // Three rows of the form's grid: the label, the field, and below it the hint and the error (app.css).
    f.append(h('label', { class: d.wide || d.type === 'textarea' ? 'wide' : null }, h('span', { class: 'lab' }, d.label + (d.required ? ' *' : '')), input, list,
      h('span', { class: 'below' }, d.hint ? h('span', { class: 'hint' }, d.hint) : null, h('span', { class: 'ferr', 'data-for': d.name, 'aria-live': 'polite' }))));
  }
  f.append(h('div', { class: 'actions' }, h('button', { type: 'submit' }, label || 'ثبت')), out);
  f.addEventListener('submit', async ev => {
    ev.preventDefault();
    out.textContent = '';
    const v = {}; let bad = false;
    for (const d of fields) {
      const el = f.elements[d.name];
      const [x, why] = fieldValue(d, el.value, el);
      show(d.name, why);
      if (why) { bad = true; continue; }
      if (x !== undefined) v[d.name] = x;
    }
    if (bad) { out.append(msg('لطفاً خطاهای فرم را برطرف کنید.')); return; }
    const btn = f.querySelector('button[type=submit]'); btn.disabled = true;
    try {
      const r = await submit(v);
      // The page is drawn again with the new record; the note shows at its top.
      if (r !== false) { S.flash = 'ثبت شد.'; await route(); } else out.append(msg('ثبت شد.', true));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.field && f.elements[e.field]) show(e.field, ERR[e.code] || 'نادرست');
      out.append(msg(e));
    } finally { btn.disabled = false; }
  });
  return f;
}

// ---- dialogs in the page (never prompt() or confirm()) ----
// dialog(title, body, fields, label): a modal with the body and, when fields are given, a form; resolves to the
// form's values (or true without fields) when confirmed, null when cancelled.
function dialog(title, body, fields, label) {
  return new Promise(resolve => {
    const d = h('dialog', { class: 'dlg', 'aria-label': title });
    const close = v => { d.close(); d.remove(); resolve(v); };
    const cancel = h('button', { type: 'button', class: 'alt', onclick: () => close(null) }, 'انصراف');
    let inner;
    if (fields && fields.length) {
      inner = form(fields, async v => { close(v); return false; }, label || 'تأیید');
      inner.querySelector('.actions').append(cancel);
    } else {
      inner = h('div', { class: 'actions' }, h('button', { type: 'button', class: 'warn', onclick: () => close(true) }, label || 'تأیید'), cancel);
    }
    d.append(h('h2', {}, title), body || null, inner);
    d.addEventListener('cancel', ev => { ev.preventDefault(); close(null); });
    document.body.append(d);
    d.showModal();
  });
}
// act is a button doing fn (then the page is drawn again); with ask, a dialog confirms first (and with
// ask.fields asks for them: fn gets the values).
function act(label, fn, cls, ask) {
  return h('button', { class: cls || 'alt', type: 'button', onclick: async ev => {
    const b = ev.currentTarget;
    let v = true;
    if (ask) { v = await dialog(ask.title || label, ask.body ? h('p', {}, ask.body) : null, ask.fields, ask.label || label); if (v == null) return; }
    b.disabled = true;
    try { await fn(v); S.flash = ask && ask.done || 'انجام شد.'; await route(); } catch (e) { b.after(msg(e instanceof ApiError ? e : String(e))); } finally { b.disabled = false; }
  } }, label);
}

// ---- charts: HTML bars, right to left, legible for any number of rows ----
const COLORS = ['#0b6e4f', '#c9822b', '#3d6fb6', '#9b4dca', '#b3261e', '#5f8a2d', '#7a7a7a'];
// bars(labels, series, opts): series is [{name, values, color}]; one row of bars per label.  Text is real page text
// (13 px), a value sits beside its bar in space kept for it, labels wrap rather than overlap; with many rows the
// chart scrolls inside itself (opts.sort puts the largest first; opts.more is the id of the full table, linked).
function bars(labels, series, opts) {
  opts = opts || {};
  const k = series.length;
  let idx = labels.map((_, i) => i);
  if (opts.sort) idx.sort((a, b) => (series[0].values[b] || 0) - (series[0].values[a] || 0) || String(labels[a]).localeCompare(String(labels[b]), 'fa'));
  const max = Math.max(1, ...series.flatMap(s => s.values.map(v => v || 0)));
  const fmt = v => opts.pct ? pct(v || 0) : num(v || 0);
  // Room kept beside the longest bar for the longest value (a budget in rials runs to 17 characters).
  const room = Math.max(5.5, 0.62 * Math.max(...series.flatMap(s => s.values.map(v => fmt(v).length))) + 0.8).toFixed(1);
  const rows = idx.map(i => h('div', { class: 'brow' }, h('span', { class: 'blab' }, labels[i]),
    h('div', { class: 'btrack' }, series.map((s, j) => {
      const v = s.values[i] || 0, w = 100 * v / max;
      return h('div', { class: 'bline' }, h('i', { class: 'bar', style: `width:calc((100% - ${room}em) * ${(w / 100).toFixed(4)});background:${s.color || COLORS[j % COLORS.length]}` }),
        h('span', { class: 'bval' }, fmt(v)));
    }))));
  const box = h('div', { class: 'chart' + (idx.length > 14 ? ' many' : ''), role: 'img', 'aria-label': opts.title || 'نمودار' });
  if (k > 1 || opts.legend) box.append(h('div', { class: 'legend' }, series.map((s, j) => h('span', {}, h('i', { style: `background:${s.color || COLORS[j % COLORS.length]}` }), s.name))));
  box.append(h('div', { class: 'bars' }, rows));
  if (idx.length > 14) box.append(h('div', { class: 'hint' }, `${num(idx.length)} ردیف؛ برای دیدن همه، نمودار را بلغزانید`, opts.more ? [' — ', h('a', { href: '#', onclick: ev => { ev.preventDefault(); const t = document.getElementById(opts.more); if (t) t.scrollIntoView({ behavior: 'smooth' }); } }, 'جدول کامل')] : null));
  return box;
}
