// سامانه دبیرخانه نهضت: the page frame, login and routing (plain JS, no framework, no network beyond this node).
// The other files (fa, core, dash, sel, reg, rep, admin) are loaded before this one by index.html.
'use strict';

// ---- the page frame ----
const PAGES = [
  ['dashboard', 'داشبورد'], ['calls', 'فراخوان و انتخاب همیاران'], ['appointments', 'احکام و دوره توجیهی'],
  ['issues', 'نظام مسائل'], ['sessions', 'جلسات هم‌اندیشی'], ['solutions', 'راه‌حل‌ها و شورا'], ['interventions', 'مداخلات و ارزشیابی'],
  ['groups', 'همیاران و کنشگران محلی'], ['orgs', 'تشکل‌ها'], ['reports', 'رصد و گزارش'], ['allocation', 'تخصیص منابع'], ['standards', 'ضوابط ملی'], ['admin', 'مدیریت و همگام‌سازی'],
];
function frame(title, ...kids) {
  const main = $('#main'); main.textContent = '';
  document.body.classList.remove('printing');
  main.append(h('h1', {}, title));
  if (S.flash) { const m = msg(S.flash, true); m.id = 'flash'; main.append(m); S.flash = ''; }
  main.append(...kids.filter(k => k != null && k !== false));
}
function nav(cur) {
  const n = $('#nav'); n.hidden = false; n.textContent = '';
  for (const [id, t] of PAGES) n.append(h('a', { href: '#/' + id, class: cur === id ? 'on' : null }, t));
  // On a phone the menu scrolls sideways: the current page's item is brought into it.
  const on = n.querySelector('a.on');
  if (on && n.scrollWidth > n.clientWidth) on.scrollIntoView({ block: 'nearest', inline: 'center' });
  const w = $('#who'); w.textContent = '';
  w.append(h('span', {}, `${S.me.full_name || S.me.name} (${L.role[S.me.role]}${S.me.group ? ' گروه «' + S.me.group + '»' : ''}) — ${L.level[S.me.node.level]} ${S.me.node.name || unitName(S.me.node.id)} `),
    h('button', { class: 'alt', onclick: async () => { try { await api('POST', 'logout'); } catch (e) { /* the session is gone anyway */ } S.me = null; renderLogin(); } }, 'خروج'));
}

function renderLogin() {
  $('#nav').hidden = true; $('#who').textContent = '';
  frame('ورود به سامانه', h('div', { class: 'card login' }, form([
    { name: 'name', label: 'نام کاربری', required: true, wide: true },
    { name: 'password', label: 'گذرواژه', type: 'password', required: true, wide: true },
  ], async v => { const me = await api('POST', 'login', v); S.me = me; S.csrf = me.csrf; if (!location.hash || location.hash === '#/login') location.hash = '#/dashboard'; }, 'ورود')));
}

// ---- routing ----
// A page's own errors are reported once, in Persian, rather than lost.
window.addEventListener('unhandledrejection', ev => { if (!(ev.reason instanceof ApiError)) console.error(ev.reason); });
async function route() {
  if (!S.me) {
    try { const me = await get('me'); S.me = me; S.csrf = me.csrf; } catch (e) { renderLogin(); return; }
  }
  await loadUnits();
  const [path, qs] = (location.hash.slice(2) || 'dashboard').split('?');
  const q = new URLSearchParams(qs || '');
  const [page, arg] = path.split('/');
  nav({ call: 'calls', applicant: 'calls', decree: 'appointments', report: 'reports', group: 'groups', issue: 'issues', session: 'sessions', intervention: 'interventions' }[page] || page);
  window.scrollTo(0, 0);
  const pages = { dashboard: pageDashboard, calls: pageCalls, appointments: pageAppointments, issues: pageIssues, sessions: pageSessions, solutions: pageSolutions,
    interventions: pageInterventions, groups: pageGroups, orgs: pageOrgs, reports: pageReports, allocation: pageAllocation, standards: pageStandards, admin: pageAdmin };
  try {
    if (page === 'call') await pageCall(decodeURIComponent(arg), q);
    else if (page === 'applicant') await pageApplicant(decodeURIComponent(arg));
    else if (page === 'decree') await pageDecree(decodeURIComponent(arg), q);
    else if (page === 'report') await pageReport(decodeURIComponent(arg), q);
    else if (page === 'group') await pageGroup(decodeURIComponent(arg));
    else if (page === 'issue') await pageIssue(decodeURIComponent(arg));
    else if (page === 'session') await pageSession(decodeURIComponent(arg));
    else if (page === 'intervention') await pageIntervention(decodeURIComponent(arg));
    else await (pages[page] || pageDashboard)(q);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    frame('خطا', msg(e instanceof ApiError ? e : 'خطای غیرمنتظره در صفحه؛ صفحه را دوباره باز کنید.'));
    console.error(e);
  }
}
window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);
