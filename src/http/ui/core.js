// Building blocks of the UI: the API, elements, tables, forms, dialogs and charts.
'use strict';

const S = { me: null, csrf: '' };
const $ = (sel, el) => (el || document).querySelector(sel);

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

