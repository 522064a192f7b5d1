// Monitoring: reports, their review and completeness, and the allocation of resources.
'use strict';

// ---- reports ----
// tplFields returns a template's fields as an array.
function tplFields(t) { return t ? (typeof t.fields === 'string' ? JSON.parse(t.fields) : t.fields || []) : []; }
// fieldInput turns a template's field into a form field, with its bounds checked as it is typed.
function fieldInput(f, value) {
  const d = { name: 'v_' + f.name, label: f.label || f.name, required: !!f.required, value: value == null ? null : fa(value) };
  if (f.type === 'number') Object.assign(d, { type: 'number', min: f.min, max: f.max, check: f.integer ? x => (Number.isInteger(x) ? '' : 'یک عدد درست (بدون اعشار) وارد کنید') : null });
  else if (f.type === 'choice') Object.assign(d, { type: 'select', options: [['', '—'], ...(f.choices || []).map(c => [c, c])], value });
  else Object.assign(d, { type: 'textarea', value, check: f.max_length ? x => (x.length > f.max_length ? `بیش از ${num(f.max_length)} نویسه پذیرفته نیست` : '') : null });
  return d;
}
function fieldValues(v) { const o = {}; for (const [k, x] of Object.entries(v)) if (k.startsWith('v_')) o[k.slice(2)] = String(x); return o; }
// periodOptions offers the reporting periods of a template by name, the last one that ended first.
function periodOptions(kind) {
  const t = new Date(); let [y, m] = g2j(t.getFullYear(), t.getMonth() + 1, t.getDate());
  const out = [];
  if (kind === 'quarter') {
    let qn = Math.floor((m - 1) / 3) + 1;
    for (let i = 0; i < 6; i++) { qn--; if (qn < 1) { qn = 4; y--; } out.push([`${y}-Q${qn}`, period(`${y}-Q${qn}`)]); }
  } else {
    for (let i = 0; i < 13; i++) { m--; if (m < 1) { m = 12; y--; } out.push([`${y}-${p2(m)}`, period(`${y}-${p2(m)}`)]); }
  }
  return out;
}
const repState = r => tag(label('report', r.state || r.status), { accepted: 'ok', returned: 'bad', draft: '' }[r.state] || '');

async function pageReports(q) {
  const [tpls, reps, cpl] = await Promise.all([items('templates'), items('reports?current=1'), get('completeness?depth=2').catch(() => null)]);
  let pending = [], approvals = [];
  if (can('admin', 'staff', 'viewer')) pending = await items('reports/pending').catch(() => []);
  if (level() !== 'county') approvals = await items('periods/approvals').catch(() => []);
  // A helper files its group's reports: the templates reported by helper groups.
  const offer = S.me.role === 'helper' ? tpls.filter(x => x.reporter === 'helper') : tpls;
  const t = offer.find(x => x.code === q.get('tpl')) || offer[0];
  const fields = tplFields(t);
  // The periods this secretariat (or this helper's group) has reported on this template already are not offered again.
  const filed = new Set(reps.filter(r => t && r.template_code === t.code && r.owner === S.me.node.id && (S.me.role === 'helper' || !r.grp)).map(r => r.period));
  const periods = t ? periodOptions(t.period).filter(([p]) => !filed.has(p)) : [];
  const tplTitle = r => r.template_title || (tpls.find(x => x.code === r.template_code) || {}).title || r.template_code;
  const kids = [...UNITS.values()].filter(u => u.parent === S.me.node.id);
  frame('رصد و گزارش',
    cpl ? section(`کامل بودن گزارش‌ها — ${period(cpl.period)}`, table(cpl.units || [], [['واحد', u => u.name || unitName(u.unit)], ['مورد انتظار', u => (u.total || {}).expected], ['دریافتی', u => (u.total || {}).received], ['به‌موقع', u => (u.total || {}).on_time], ['دیرکرد', u => (u.total || {}).late],
      ['ارسال‌نشده', u => (u.total || {}).not_submitted], ['نامعلوم', u => (u.total || {}).unknown], ['تازگی داده', freshText]], null, { unit: u => u.unit }),
      cpl.freshness && cpl.freshness.units ? h('p', { class: 'muted' }, freshSum(cpl.freshness)) : null) : null,
    section('گزارش‌ها', table(reps, [['الگو', tplTitle], ['دوره', r => period(r.period)], ['واحد', r => unitCell(r.owner)], ['وضعیت', repState], ['بازبینی', 'revision'],
      ['اقدام', r => h('a', { href: '#/report/' + enc(r.id) }, r.state === 'draft' || r.state === 'returned' ? 'مشاهده و اصلاح' : 'مشاهده')]], r => { location.hash = '#/report/' + enc(r.id); }, { unit: r => r.owner })),
    t && can('admin', 'staff', 'helper') && level() !== 'national' ? section(`گزارش تازه: ${t.title}`, h('div', { class: 'tabs' }, offer.map(x => h('a', { href: '#/reports?tpl=' + enc(x.code), class: x === t ? 'on' : null }, x.title))),
      filed.size ? h('p', { class: 'muted' }, `دوره‌هایی که گزارش آن‌ها ثبت شده (${[...filed].map(period).join('، ')}) پیشنهاد نمی‌شوند؛ گزارش ثبت‌شده را از فهرست باز و اصلاح کنید.`) : null,
      form([{ name: 'period', label: 'دوره', type: 'select', options: periods, required: true }, ...fields.map(f => fieldInput(f)),
        { name: 'submit', label: 'پس از ثبت', type: 'select', options: [['1', 'برای بررسی بالادست ارسال شود'], ['0', 'پیش‌نویس بماند (بعداً کامل و ارسال می‌کنم)']] }],
        v => api('POST', 'reports', { code: t.code, period: v.period, values: fieldValues(v), submit: v.submit === '1' }), 'ثبت گزارش')) :
      (level() !== 'national' ? section('گزارش تازه', h('p', { class: 'muted' }, 'هنوز الگوی گزارشی از دبیرخانه ملی نرسیده است.')) : null),
    pending.length ? section('گزارش‌های در انتظار بررسی', table(pending, [['واحد', r => unitCell(r.owner)], ['الگو', tplTitle], ['دوره', r => period(r.period)], ['تاریخ ارسال', r => jdate(r.submitted)],
      ['اقدام', r => h('a', { href: '#/report/' + enc(r.id), class: 'button alt' }, 'مشاهده و بررسی')]], null, { unit: r => r.owner })) : null,
    work() && level() !== 'county' && kids.length ? section('تأیید دوره', h('p', { class: 'muted' }, 'پس از پذیرش گزارش‌های یک واحد، دوره آن واحد را تأیید کنید؛ گزارش‌های دوره تأییدشده دیگر تغییر نمی‌کنند.'),
      form([{ name: 'unit', label: 'واحد', type: 'select', options: kids.map(u => [u.id, u.name_fa || u.id]).sort((a, b) => a[1].localeCompare(b[1], 'fa')), required: true },
        { name: 'period', label: 'دوره', type: 'select', options: periodOptions(t ? t.period : 'month'), required: true }, { name: 'note', label: 'یادداشت', wide: true }],
        v => api('POST', 'periods/approve', v), 'تأیید دوره'),
      table(approvals, [['واحد', a => unitCell(a.owner || a.unit)], ['دوره', a => period(a.period)], ['تاریخ تأیید', a => jdate(a.decided)], ['پذیرفته', a => `${num(a.accepted)} از ${num(a.expected)}`], ['یادداشت', 'note']], null, { unit: a => a.owner || a.unit, empty: 'هنوز دوره‌ای تأیید نشده است.' })) : null);
}

// A report: its values by field label, its state and history; submit, edit, revise, review; a printable view.
async function pageReport(id, q) {
  const r = await get('reports/' + enc(id));
  const fields = tplFields(r.template && r.template.fields ? r.template : { fields: r.fields || [] });
  const data = r.data || {};
  const mine = can('admin', 'staff', 'helper') && r.owner === S.me.node.id;
  const reviewer = work() && (UNITS.get(r.owner) || {}).parent === S.me.node.id && r.state === 'submitted';
  const rows = (fields.length ? fields : Object.keys(data).map(k => ({ name: k, label: k }))).map(f => ({ f, v: data[f.name] }));
  const view = h('article', { class: 'sheet report' },
    h('div', { class: 'org' }, `دبیرخانه نهضت مشارکت اجتماعی ${unitName(r.owner)}`),
    h('h1', {}, `${r.template_title || r.title || 'گزارش'} — ${period(r.period)}`),
    h('p', {}, 'وضعیت: ', repState(r), ` — بازبینی ${num(r.revision || 1)}`, r.submitted ? ` — ارسال ${jdate(r.submitted)}` : '', r.due ? ` — مهلت ${jdate(r.due)}` : ''),
    r.review_note ? h('p', { class: 'note' }, 'یادداشت بررسی‌کننده: ', r.review_note) : null,
    r.reason ? h('p', {}, 'دلیل اصلاح: ', r.reason) : null,
    h('table', { class: 'kv' }, h('tbody', {}, rows.map(({ f, v }) => h('tr', {}, h('th', {}, f.label || f.name), h('td', {}, v == null || v === '' ? '—' : (typeof v === 'number' ? num(v) : fa(v))))))));
  const values = rows.map(({ f, v }) => fieldInput(f, v));
  frame(`گزارش ${unitName(r.owner)} — ${period(r.period)}`,
    h('div', { class: 'actions noprint' }, h('button', { type: 'button', onclick: () => window.print() }, 'چاپ گزارش'), h('a', { class: 'button alt', href: '#/reports' }, 'بازگشت به گزارش‌ها')),
    view,
    reviewer ? section('بررسی گزارش', h('p', {}, 'گزارش را بخوانید؛ سپس آن را بپذیرید یا با یادداشت برای اصلاح برگردانید.'),
      h('div', { class: 'actions' },
        act('پذیرش', v => api('POST', `reports/${enc(r.id)}/review`, { accept: true, note: v.note || undefined }), 'ok', { title: 'پذیرش گزارش', fields: [{ name: 'note', label: 'یادداشت (اختیاری)', wide: true }], label: 'پذیرش', done: 'گزارش پذیرفته شد.' }),
        act('برگشت برای اصلاح', v => api('POST', `reports/${enc(r.id)}/review`, { accept: false, note: v.note }), 'warn', { title: 'برگشت گزارش', fields: [{ name: 'note', label: 'چه چیزی باید اصلاح شود؟', type: 'textarea', required: true }], label: 'برگشت', done: 'گزارش برگشت داده شد.' }))) : null,
    mine && r.state === 'draft' ? section('تکمیل پیش‌نویس', form(values, async v => { await api('PATCH', `reports/${enc(r.id)}`, { values: fieldValues(v) }); }, 'ذخیره پیش‌نویس'),
      h('div', { class: 'actions' }, act('ارسال برای بررسی', () => api('POST', `reports/${enc(r.id)}/submit`, {}), 'warn', { body: 'پس از ارسال، گزارش قفل می‌شود و فقط با اصلاح رسمی تغییر می‌کند. ارسال شود؟', label: 'ارسال', done: 'گزارش ارسال شد.' }))) : null,
    mine && (r.state === 'returned' || r.state === 'submitted') ? section(r.state === 'returned' ? 'اصلاح گزارش برگشت‌خورده' : 'اصلاح گزارش ارسال‌شده',
      form([...values, { name: 'reason', label: 'دلیل اصلاح', required: true, wide: true }], async v => {
        const x = await api('POST', `reports/${enc(r.id)}/revise`, { reason: v.reason, values: fieldValues(v) });
        await api('POST', `reports/${enc(x.id)}/submit`, {});
        S.flash = 'ثبت شد؛ اصلاح برای بررسی ارسال شد.';
        location.hash = '#/report/' + enc(x.id);
        return false;
      }, 'ثبت اصلاح و ارسال دوباره')) : null);
  document.body.classList.add('printing');
}

// Freshness of a unit's data here (completeness rows): when last heard from, and who heard.
function freshText(u) {
  const f = u.freshness || {};
  if (f.heard === 'local') return 'محلی';
  if (f.heard === 'never') return 'هرگز شنیده نشده';
  return (f.as_of_ms > 0 ? jdate(f.as_of_ms) : jdate(u.data_as_of || f.as_of)) + (f.observer && f.observer !== u.via ? ' (به گزارش ' + unitName(f.observer) + ')' : '');
}
// freshSum tells a consolidated figure's freshness: the oldest unit heard from, and those never heard from.
function freshSum(s) {
  return `${num(s.units)} واحد؛ ${num(s.never_heard)} واحد هرگز شنیده نشده` + (s.oldest ? `؛ قدیمی‌ترین داده: ${unitName(s.oldest_unit)} در ${s.oldest_ms > 0 ? jdate(s.oldest_ms) : jdate(s.oldest)}` : '');
}

const UNKNOWN_CHOICES = [['refuse', 'خودداری از تخصیص (پیش‌فرض)'], ['exclude', 'کنار گذاشتن واحدهای نامعلوم'], ['zero', 'صفر شمردن واحدهای نامعلوم']];

async function pageAllocation(q) {
  const inds = await items('indicators');
  const budget = q.get('budget'), unknown = q.get('unknown') || 'refuse';
  let res = null, err = null;
  // A county has no units below it to share among: allocation is a province's and national's work.
  const shares = level() !== 'county';
  if (budget && shares) { try { res = await get('allocation?budget=' + enc(budget) + '&unknown=' + enc(unknown)); } catch (e) { err = e; } }
  const unk = res && res.unknown && res.unknown.count > 0 ? res.unknown : null;
  // The table in the chart's order: the largest share first, names in Persian order among equals.
  const share = u => u.share || u.amount || 0;
  const byShare = res ? (res.units || []).slice().sort((a, b) => share(b) - share(a) || String(a.name_fa || unitName(a.unit)).localeCompare(String(b.name_fa || unitName(b.unit)), 'fa')) : [];
  frame('تخصیص منابع بر اساس شاخص‌ها',
    section('شاخص‌ها', table(inds, [['عنوان', i => i.title || label('source', i.source)], ['منبع', i => label('source', i.source)], ['وزن', 'weight']])),
    section('محاسبه سهم', !shares ? h('p', { class: 'muted' }, 'تخصیص منابع میان واحدهای زیرمجموعه، در دبیرخانه استان و دبیرخانه ملی محاسبه می‌شود.') : form([{ name: 'budget', label: 'بودجه (ریال)', type: 'money', required: true, min: 1, max: '1000000000000000000', value: budget || '' },
      { name: 'unknown', label: 'واحدهای با داده نامعلوم', type: 'select', options: UNKNOWN_CHOICES, value: unknown }],
      async v => { location.hash = '#/allocation?budget=' + v.budget + '&unknown=' + (v.unknown || 'refuse'); return false; }, 'محاسبه'),
      err ? msg(err) : null,
      unk ? msg(`داده ${num(unk.count)} واحد اینجا نامعلوم است و ${unk.policy === 'exclude' ? 'از تخصیص کنار گذاشته شد' : 'صفر شمرده شد'}: ` +
        unk.units.map(u => `${u.name || unitName(u.unit)} (${u.unknown === 'never heard from' ? 'هرگز شنیده نشده' : 'بدون رقم جمعیت'})`).join('، ')) : null,
      res && res.freshness && res.freshness.units ? h('p', { class: 'muted' }, freshSum(res.freshness)) : null,
      res ? bars((res.units || []).map(u => u.name_fa || unitName(u.unit)), [{ name: 'سهم (ریال)', values: (res.units || []).map(u => u.share || u.amount || 0) }], { sort: true, more: 'alloc-table' }) : null,
      res ? h('div', { id: 'alloc-table' }, table(byShare, [['رتبه', u => num(byShare.indexOf(u) + 1)], ['واحد', u => u.name_fa || unitName(u.unit)], ['سهم (ریال)', u => share(u)],
        ['درصد', u => num(100 * share(u) / (res.budget || +budget || 1), 1) + '٪'],
        // Each indicator's figure for the unit, headed by its Persian title (never its Latin code).
        ...(res.indicators || []).filter(i => i.used).map(i => [i.title || label('source', i.source), u => (u.values || {})[i.code]])], null, { unit: u => u.unit })) : null));
}
