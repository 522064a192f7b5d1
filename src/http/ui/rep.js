// Monitoring: reports, their review and completeness, and the allocation of resources.
'use strict';

// ---- reports ----
async function pageReports() {
  const [tpls, reps, cpl] = await Promise.all([items('templates'), items('reports'), get('completeness?depth=2').catch(() => null)]);
  let pending = [];
  if (work()) pending = await items('reports/pending').catch(() => []);
  const [tpl, setTpl] = [new URLSearchParams(location.hash.split('?')[1] || '').get('tpl'), null];
  const t = tpls.find(x => x.code === tpl) || tpls[0];
  const fields = t ? (typeof t.fields === 'string' ? JSON.parse(t.fields) : t.fields || []) : [];
  frame('رصد و گزارش',
    cpl ? section(`کامل بودن گزارش‌ها — دوره ${fa(cpl.period || '')}`, table(cpl.units || [], [['واحد', u => u.name || u.unit], ['مورد انتظار', u => fa((u.total || {}).expected)], ['دریافتی', u => fa((u.total || {}).received)], ['به‌موقع', u => fa((u.total || {}).on_time)], ['دیرکرد', u => fa((u.total || {}).late)],
      ['ارسال‌نشده', u => fa((u.total || {}).not_submitted)], ['نامعلوم', u => fa((u.total || {}).unknown)], ['تازگی داده', freshText]]),
      cpl.freshness ? h('p', { class: 'muted' }, freshSum(cpl.freshness)) : null) : null,
    section('گزارش‌ها', table(reps, [['الگو', r => r.template_title || r.code], ['دوره', 'period'], ['واحد', 'owner'], ['وضعیت', r => tag(r.state || r.status, r.state)], ['بازبینی', 'revision'],
      ['اقدام', r => (r.state === 'draft' && can('admin', 'staff', 'helper')) ? act('ارسال', () => api('POST', `reports/${enc(r.id)}/submit`, {})) : '—']])),
    t && can('admin', 'staff', 'helper') ? section(`گزارش تازه: ${t.title}`, h('div', { class: 'tabs' }, tpls.map(x => h('a', { href: '#/reports?tpl=' + enc(x.code), class: x === t ? 'on' : null }, x.title))),
      form([{ name: 'period', label: 'دوره (مثلاً ۱۴۰۵-۰۸)', required: true }, ...fields.map(f => ({ name: 'v_' + f.name, label: f.label || f.name, type: f.type === 'number' ? 'number' : f.type === 'choice' ? 'select' : 'text', options: (f.choices || []).map(c => [c, c]), required: !!f.required }))],
        v => { const vals = {}; for (const [k, x] of Object.entries(v)) if (k.startsWith('v_')) vals[k.slice(2)] = x; return api('POST', 'reports', { code: t.code, period: toAscii(v.period), values: vals, submit: true }); }, 'ثبت و ارسال')) : section('گزارش تازه', h('p', { class: 'muted' }, 'هنوز الگوی گزارشی از دبیرخانه ملی نرسیده است.')),
    work() && pending.length ? section('گزارش‌های در انتظار بررسی', table(pending, [['واحد', 'owner'], ['الگو', r => r.template_title || r.code], ['دوره', 'period'],
      ['اقدام', r => h('span', {}, act('پذیرش', () => api('POST', `reports/${enc(r.id)}/review`, { accept: true })), ' ', act('برگشت', () => api('POST', `reports/${enc(r.id)}/review`, { accept: false, note: prompt('دلیل برگشت؟') || 'نیاز به اصلاح' }), 'warn'))]])) : null);
}

// Freshness of a unit's data here (completeness rows): when last heard from, and who heard.
function freshText(u) {
  const f = u.freshness || {};
  if (f.heard === 'local') return 'محلی';
  if (f.heard === 'never') return 'هرگز شنیده نشده';
  return fa(u.data_as_of || f.as_of || '—') + (f.observer && f.observer !== u.via ? ' (به گزارش ' + fa(f.observer) + ')' : '');
}
// freshSum tells a consolidated figure's freshness: the oldest unit heard from, and those never heard from.
function freshSum(s) {
  return `${fa(s.units)} واحد؛ ${fa(s.never_heard)} واحد هرگز شنیده نشده` + (s.oldest ? `؛ قدیمی‌ترین داده: ${fa(s.oldest_unit)} در ${fa(s.oldest)}` : '');
}

const UNKNOWN_CHOICES = [['refuse', 'خودداری از تخصیص (پیش‌فرض)'], ['exclude', 'کنار گذاشتن واحدهای نامعلوم'], ['zero', 'صفر شمردن واحدهای نامعلوم']];

async function pageAllocation(q) {
  const inds = await items('indicators');
  const budget = q.get('budget'), unknown = q.get('unknown') || 'refuse';
  let res = null, err = null;
  if (budget) { try { res = await get('allocation?budget=' + enc(budget) + '&unknown=' + enc(unknown)); } catch (e) { err = e; } }
  const unk = res && res.unknown && res.unknown.count > 0 ? res.unknown : null;
  frame('تخصیص منابع بر اساس شاخص‌ها',
    section('شاخص‌ها', table(inds, [['کد', 'code'], ['عنوان', 'title'], ['منبع', 'source'], ['وزن', 'weight']])),
    section('محاسبه سهم', form([{ name: 'budget', label: 'بودجه (ریال)', type: 'number', required: true, value: budget ? fa(budget) : '' },
      { name: 'unknown', label: 'واحدهای با داده نامعلوم', type: 'select', options: UNKNOWN_CHOICES, value: unknown }],
      async v => { location.hash = '#/allocation?budget=' + v.budget + '&unknown=' + (v.unknown || 'refuse'); return false; }, 'محاسبه'),
      err ? msg(errText(err)) : null,
      unk ? msg(`داده ${fa(unk.count)} واحد اینجا نامعلوم است و ${unk.policy === 'exclude' ? 'از تخصیص کنار گذاشته شد' : 'صفر شمرده شد'}: ` +
        unk.units.map(u => `${fa(u.name || u.unit)} (${u.unknown === 'never heard from' ? 'هرگز شنیده نشده' : 'بدون رقم جمعیت'})`).join('، ')) : null,
      res && res.freshness ? h('p', { class: 'muted' }, freshSum(res.freshness)) : null,
      res ? bars((res.units || []).map(u => fa(u.name_fa || u.unit)), [{ name: 'سهم (ریال)', values: (res.units || []).map(u => u.share || u.amount || 0) }]) : null,
      res ? table(res.units || [], [['واحد', u => u.name_fa || u.unit], ['سهم (ریال)', u => u.share || u.amount]]) : null));
}

