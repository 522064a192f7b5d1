// The dashboard: figures of this unit and the units below it.
'use strict';

// ---- dashboard ----
function sumKeys(u, prefix) { return Object.keys(u).filter(k => k.startsWith(prefix)).reduce((a, k) => a + u[k], 0); }
async function pageDashboard(q) {
  const under = q.get('under') || S.me.node.id;
  const d = await get('dashboard?under=' + enc(under));
  const units = d.units.slice().sort((a, b) => (b.self - a.self) || a.unit.localeCompare(b.unit));
  const kids = units.filter(u => !u.self);
  // Charts show every unit below (largest first, scrolling inside the chart when many); the table lists them all.
  const show = kids.length ? kids : units;
  const name = u => (u.name || unitName(u.unit));
  const labels = show.map(u => name(u));
  const more = kids.length > 14 && d.level_n < 2 ? 'units' : null;
  // Units of the whole subtree never heard from (d.freshness): said under every figure.
  const never = d.freshness && d.freshness.never_heard ? `؛ ${fa(d.freshness.never_heard)} واحد زیرمجموعه هرگز شنیده نشده` : '';
  const fresh = list => list.length > 3 ? (() => {
    const far = list.filter(u => u.fresh !== 'local');
    const old = far.reduce((a, u) => (!a || (u.fresh_ms || 0) < (a.fresh_ms || 0) ? u : a), null);
    return h('div', { class: 'fresh' }, `تازگی داده: ${fa(list.length)} واحد؛ ` + (old ? `کهنه‌ترین ${name(old)} — ${old.fresh_ms > 0 ? jdate(old.fresh_ms) + ' (' + ago(old.fresh_ms) + ')' : 'هنوز همگام نشده'}` : 'همه محلی و به‌روز') + never);
  })() : h('div', { class: 'fresh' }, 'تازگی داده: ', list.map(u => `${name(u)}: ${u.fresh === 'local' ? 'همین دبیرخانه (به‌روز)' : u.fresh_ms > 0 ? jdate(u.fresh_ms) + ' (' + ago(u.fresh_ms) + ')' : 'هنوز همگام نشده'}`).join(' · '), never);
  const tot = k => units.reduce((a, u) => a + (u[k] || 0), 0);
  const title = `${L.level[d.level]} ${d.name ? d.name : unitName(d.under)}`;
  const kp = h('div', { class: 'kpi' },
    h('div', {}, 'همیاران منصوب / سهمیه', h('b', {}, `${num(tot('appointed'))} / ${num(tot('quota'))}`)),
    h('div', {}, 'مسائل ثبت‌شده', h('b', {}, num(tot('issues')))),
    h('div', {}, 'مداخلات', h('b', {}, num(tot('interventions')))),
    h('div', {}, `گزارش‌های ${period(d.period)}`, h('b', {}, `${num(tot('reports_received'))} از ${num(tot('reports_expected'))}`)));
  const up = d.under !== S.me.node.id && d.under.length > S.me.node.id.length ? h('a', { href: '#/dashboard?under=' + enc(d.under.replace(/-[^-]+$/, '')) }, '← بازگشت به سطح بالاتر') : null;
  const drill = d.level_n < 2 && kids.length ? h('div', { id: 'units' }, h('h2', {}, 'واحدهای زیرمجموعه (برای جزئیات کلیک کنید)'),
    table(kids, [['واحد', u => h('span', {}, name(u), ' ', h('span', { class: 'code' }, u.unit))], ['منصوب', 'appointed'], ['سهمیه', 'quota'], ['مسائل', 'issues'], ['مداخلات', 'interventions'],
      ['گزارش دریافتی', u => `${fa(u.reports_received || 0)} از ${fa(u.reports_expected || 0)}`], ['تازگی', u => u.fresh === 'local' ? 'محلی' : ago(u.fresh_ms)]],
    u => { location.hash = '#/dashboard?under=' + enc(u.unit); }, { unit: u => u.unit })) : null;
  const stageKeys = ['needs', 'priority', 'planning', 'implementation', 'evaluation', 'done'];
  const reg = d.register || {};
  const top = (reg.top || []).slice(0, 8);
  const alloc = d.allocation && d.allocation.units ? d.allocation.units : null;
  frame(title, h('p', { class: 'muted' }, `امروز ${jdate(d.today)} — آمار در ${jdate(d.generated)} تهیه شد.`), up, kp,
    h('div', { class: 'grid' },
      section('انتصاب همیاران در برابر سهمیه', bars(labels, [{ name: 'منصوب', values: show.map(u => u.appointed || 0) }, { name: 'سهمیه', values: show.map(u => u.quota || 0), color: '#c9d3dc' }], { sort: true, more }), fresh(show)),
      section('دوره توجیهی تسهیلگر', bars(labels, [{ name: 'گذرانده', values: show.map(u => u.course_done || 0) }, { name: 'همه منصوبان', values: show.map(u => u.course_total || 0), color: '#c9d3dc' }], { sort: true, more }), fresh(show)),
      section('مسائل به تفکیک وضعیت', bars(Object.values(L.issue), [{ name: 'تعداد', values: Object.keys(L.issue).map(k => tot('issues_' + k)) }]), fresh(units)),
      section('مصوبات شورای اجتماعی', bars(Object.values(L.decision), [{ name: 'تعداد', values: Object.keys(L.decision).map(k => tot('decision_' + k)) }]), fresh(units)),
      section('مراحل مداخلات اجتماع‌محور', bars(stageKeys.map(k => L.stage[k]), [{ name: 'تعداد', values: stageKeys.map(k => tot('stage_' + k)) }]), fresh(units)),
      section(`کامل بودن و به‌موقع بودن گزارش‌ها (${period(d.period)})`, bars(labels, [
        { name: 'به‌موقع', values: show.map(u => u.reports_expected ? 100 * (u.reports_on_time || 0) / u.reports_expected : 0) },
        { name: 'دریافتی', values: show.map(u => u.reports_expected ? 100 * (u.reports_received || 0) / u.reports_expected : 0), color: '#3d6fb6' }], { pct: true, sort: true, more }), fresh(show)),
      section('مهم‌ترین مسائل', top.length ? bars(top.map(t => t.title || fa(t.id)), [{ name: 'اولویت', values: top.map(t => t.priority || 0) }]) : h('p', { class: 'muted' }, 'مسئله باز اولویت‌بندی‌شده‌ای نیست.'), fresh(units)),
      section('تخصیص منابع (سهم درصدی)', alloc ? bars(alloc.map(u => u.name_fa || unitName(u.unit)), [{ name: 'سهم', values: alloc.map(u => 100 * (u.share || u.amount || 0) / (d.allocation.budget || 1)) }], { pct: true, sort: true }) : h('p', { class: 'muted' }, d.level_n === 2 ? 'تخصیص در سطح استان و کشور محاسبه می‌شود.' : 'شاخص‌های تخصیص هنوز تعریف نشده است.'), fresh(show))),
    drill,
    section('وضعیت همگام‌سازی', table(d.sync, [['دبیرخانه', p => unitCell(p.id)], ['نقش', p => p.role === 'parent' ? 'بالادست' : 'زیرمجموعه'], ['آخرین تماس', p => p.last_contact ? jdate(p.last_contact) + ' — ' + ago(p.last_contact) : 'هرگز'],
      ['وضعیت', p => p.connected ? tag('متصل', 'ok') : tag('قطع', 'bad')], ['مانده ارسال', p => backlogText(p, true)], ['مانده دریافت', p => backlogText(p, false)], ['قرنطینه', 'quarantine']])));
}

