// The problem register: problems, sessions, solutions and the council, interventions, organisations.
'use strict';

// ---- issue register ----
async function pageIssues() {
  const [list, cats] = await Promise.all([items('issues'), items('categories').catch(() => [])]);
  const catOpts = [['', '—'], ...cats.map(c => [c.code || c.id, c.name_fa || c.code])];
  const closable = list.filter(i => ['identified', 'prioritised', 'rejected', 'evaluated'].includes(i.state) && i.owner === S.me.node.id);
  const catName = code => { const c = cats.find(x => x.code === code); return c ? c.name_fa : label('none', code); };
  frame('نظام مسائل',
    section('مسائل ثبت‌شده', table(list, [['رتبه', 'rank'], ['عنوان مسئله', 'title'], ['دسته', i => catName(i.category)], ['منبع', i => label('issueSource', i.source)], ['وضعیت', i => tag(label('issue', i.state), i.state)], ['اولویت', 'priority'], ['گروه‌های همیار', 'helpers'], ['واحد', i => unitCell(i.owner)], ['تاریخ ثبت', i => jdate(i.created)]], i => { location.hash = '#/issue/' + enc(i.id); }, { unit: i => i.owner })),
    can('admin', 'staff', 'helper') ? section('ثبت مسئله تازه', form([
      { name: 'title', label: 'عنوان مسئله', required: true, wide: true },
      { name: 'category', label: 'دسته', type: 'select', options: catOpts },
      { name: 'neighbourhood', label: 'محله یا روستا' }, { name: 'people', label: 'جمعیت درگیر (تخمینی)', type: 'number', min: 0, max: 100000000 },
      { name: 'source', label: 'منبع', type: 'select', options: [['', '—'], ...Object.entries(L.issueSource)] },
      { name: 'description', label: 'شرح', type: 'textarea' },
    ], v => api('POST', 'issues', v), 'ثبت مسئله')) : null,
    work() && closable.length ? section('بستن مسئله', form([{ name: 'id', label: 'مسئله', type: 'select', options: closable.map(i => [i.id, i.title]), required: true }, { name: 'reason', label: 'دلیل', required: true }],
      v => api('POST', `issues/${enc(v.id)}/close`, { reason: v.reason }), 'بستن')) : null);
}

// pageIssue is one problem as the register holds it: what was recorded, its mean score on each criterion and the
// scores given in the sessions, its solution, and the helper groups working on it.
async function pageIssue(id) {
  // Its solution is read alone, once the problem names it (not the whole list of solutions to find one).
  const rec = get(`issues/${enc(id)}`);
  const [i, sol, cats, crits] = await Promise.all([rec, rec.then(x => (x.solution ? get(`solutions/${enc(x.solution)}`).catch(() => null) : null)),
    items('categories').catch(() => []), items('criteria').catch(() => [])]);
  const cat = cats.find(c => c.code === i.category);
  const critName = code => (crits.find(c => c.code === code) || {}).name_fa || code;
  frame(`مسئله «${i.title}»`,
    section('مشخصات', kvTable([['وضعیت', tag(label('issue', i.state), i.state)], ['دسته', cat ? cat.name_fa : label('none', i.category)], ['منبع', label('issueSource', i.source)],
      ['محله یا روستا', i.neighbourhood ? fa(i.neighbourhood) : ''], ['جمعیت درگیر (تخمینی)', i.people_affected == null ? '' : num(i.people_affected)],
      ['اولویت', i.priority == null ? '' : num(i.priority)], ['رتبه در واحد', i.rank == null ? '' : num(i.rank)], ['واحد', unitCell(i.owner)],
      ['تاریخ ثبت', jdate(i.created)], ['شرح', i.description ? fa(i.description) : ''], i.close_reason ? ['دلیل بستن', fa(i.close_reason)] : null])),
    section('میانگین امتیاز ذی‌نفعان به تفکیک معیار', table(i.criteria || [], [['معیار', c => c.name_fa || c.criterion], ['وزن', 'weight'], ['میانگین', c => c.mean == null ? '—' : `${num(c.mean)} از ${num(c.scale_max)}`], ['شمار امتیازها', 'count']],
      null, { empty: 'معیاری تعریف نشده است.' })),
    section('امتیازهای داده‌شده در جلسات', table(i.scores || [], [['تاریخ جلسه', s => jdate(s.date)], ['گروه ذی‌نفع', 'stakeholder'], ['معیار', s => critName(s.criterion)], ['امتیاز', 'score']],
      null, { empty: 'هنوز در جلسه‌ای امتیاز نگرفته است.' })),
    section('راه‌حل', sol ? h('p', {}, `«${sol.title}» — `, tag(label('issue', sol.state), sol.state), ' ', h('a', { href: '#/solutions' }, 'راه‌حل‌ها و شورا'))
      : h('p', { class: 'muted' }, 'هنوز راه‌حلی برای این مسئله پیشنهاد نشده است.')),
    section('گروه‌های همیار روی این مسئله', groupsTable(i.helper_groups, 'گروه همیاری به این مسئله نپیوسته است.')),
    h('p', {}, h('a', { href: '#/issues' }, 'بازگشت به نظام مسائل')));
}

// kvTable is a record's fields as rows of a two-column table: [label, value] pairs, a null pair left out.
function kvTable(pairs) {
  return h('table', { class: 'kv' }, h('tbody', {}, pairs.filter(Boolean).map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v == null || v === '' ? '—' : v)))));
}
// groupsTable lists the helper groups linked to a record, each opening its work.
function groupsTable(groups, empty) {
  return table(groups || [], [['گروه همیار', 'name'], ['شماره حکم', g => g.decree_no ? h('bdi', {}, fa(g.decree_no)) : '—'], ['وضعیت', g => tag(label('appt', g.status), g.status)], ['از', g => jdate(g.since)]],
    g => { location.hash = '#/group/' + enc(g.id); }, { empty });
}

// pageSession is one deliberation session: where and when, its facilitator, who took part (helper groups and key
// actors) and the scores its stakeholders gave.
async function pageSession(id) {
  const [s, crits] = await Promise.all([get(`sessions/${enc(id)}`), items('criteria').catch(() => [])]);
  const critName = code => (crits.find(c => c.code === code) || {}).name_fa || code;
  frame(`جلسه هم‌اندیشی ${jdate(s.date)}${s.place ? ' — ' + s.place : ''}`,
    section('مشخصات', kvTable([['تاریخ', jdate(s.date)], ['محل', s.place ? fa(s.place) : ''], ['تسهیلگر', s.facilitator ? fa(s.facilitator_fallback ? `${s.facilitator} (جایگزین، منصوب دبیرخانه ملی نیست)` : s.facilitator) : ''],
      ['شرکت‌کنندگان', s.participants == null ? '' : num(s.participants)], ['گروه‌های ذی‌نفع', s.stakeholder_groups ? fa(s.stakeholder_groups) : ''], ['نتایج', s.outcomes ? fa(s.outcomes) : ''], ['واحد', unitCell(s.owner)]])),
    section('گروه‌های همیار در این جلسه', groupsTable(s.helper_groups, 'گروه همیاری به این جلسه نپیوسته است.')),
    section('کنشگران محلی حاضر', table(s.actors || [], [['نام', 'name'], ['نقش', 'role'], ['محله یا روستا', 'neighbourhood'], ['تلفن', a => a.contact || '—']], null, { empty: 'کنشگری ثبت نشده است.' })),
    section('امتیازهای این جلسه', table(s.scores || [], [['مسئله', x => x.title || x.issue], ['گروه ذی‌نفع', 'stakeholder'], ['معیار', x => critName(x.criterion)], ['امتیاز', 'score']],
      x => { location.hash = '#/issue/' + enc(x.issue); }, { empty: 'در این جلسه امتیازی ثبت نشده است.' })),
    h('p', {}, h('a', { href: '#/sessions' }, 'بازگشت به جلسات')));
}

// pageIntervention is one intervention: its solution, each stage with its dates and participants, its evaluations and
// the helper groups working on it.
async function pageIntervention(id) {
  const v = await get(`interventions/${enc(id)}`);
  frame(`مداخله «${v.title || v.solution_title || v.id}»`,
    section('مشخصات', kvTable([['راه‌حل مصوب', v.solution_title ? fa(v.solution_title) : ''], ['مرحله جاری', L.stage[v.current_stage] || v.current_stage], ['پیشرفت', pct(v.progress || 0)], ['واحد', unitCell(v.owner)]])),
    section('مراحل', table(v.stages || [], [['مرحله', st => L.stage[st.stage] || st.name_fa || st.stage], ['شروع', st => jdate(st.start)], ['پایان', st => jdate(st.end)],
      ['مشارکت‌کنندگان', 'participants'], ['وضعیت', st => st.done ? tag('انجام شد', 'ok') : st.start ? tag('در جریان') : '—'], ['یادداشت', 'notes']])),
    section('ارزشیابی‌ها', table(v.evaluations || [], [['تاریخ', e => jdate(e.date)], ['ارزیاب', 'evaluator']], null, { empty: 'هنوز ارزشیابی نشده است.' })),
    section('گروه‌های همیار روی این مداخله', groupsTable(v.helper_groups, 'گروه همیاری به این مداخله نپیوسته است.')),
    h('p', {}, h('a', { href: '#/interventions' }, 'بازگشت به مداخلات')));
}

async function pageSessions() {
  const [list, issues, crits, facs, groups, actors] = await Promise.all([items('sessions'), items('issues'), items('criteria').catch(() => []), items('facilitators').catch(() => []),
    items('groups').catch(() => []), items('resources/actors').catch(() => [])]);
  const grpOpts = [['', '—'], ...groups.map(g => [g.id, `${g.group_name} (${fa(g.decree_no || '')})`])], actOpts = [['', '—'], ...actors.map(a => [a.id, `${a.name} — ${a.role}`])];
  // Who took part: the helper groups working on a session and the key actors present, added from the table.
  const joins = s => s.owner !== S.me.node.id && !work() ? '—' : h('span', { class: 'acts' },
    work() && groups.length ? act('گروه همیار', v => api('POST', `sessions/${enc(s.id)}/groups`, v), 'alt', { title: 'گروه همیار این جلسه', fields: [{ name: 'group', label: 'گروه همیار', type: 'select', options: grpOpts, required: true }], label: 'افزودن' }) : null,
    can('admin', 'staff', 'helper') && actors.length ? act('کنشگر حاضر', v => api('POST', `sessions/${enc(s.id)}/actors`, v), 'alt', { title: 'کنشگر محلی حاضر در جلسه', fields: [{ name: 'actor', label: 'کنشگر', type: 'select', options: actOpts, required: true }], label: 'افزودن' }) : null);
  const iss = issues.map(i => [i.id, i.title]);
  const national = S.me.node.level === 'national';
  frame('جلسات هم‌اندیشی و اولویت‌بندی',
    section('جلسات', table(list, [['تاریخ', s => jdate(s.date)], ['محل', 'place'], ['تسهیلگر', s => s.facilitator_fallback ? `${s.facilitator} (جایگزین)` : s.facilitator], ['شرکت‌کنندگان', 'participants'],
      ['گروه‌های همیار', 'helpers'], ['کنشگران حاضر', 'actors'], ['واحد', s => unitCell(s.owner)], ['افزودن', joins]], s => { location.hash = '#/session/' + enc(s.id); }, { unit: s => s.owner })),
    // Facilitators are chosen by the national secretariat (definition 3 of the guideline); every node sees its own.
    section('تسهیلگران منصوب دبیرخانه ملی', table(facs, [['نام', 'name'], ['تلفن', 'phone'], ['واحد', f => f.serves_name || unitName(f.serves)], ['تاریخ انتصاب', f => jdate(f.designated)],
      ['اقدام', f => national && work() ? act('پایان انتصاب', () => api('POST', `facilitators/${enc(f.id)}/retire`, {})) : '—']])),
    national && work() ? section('انتصاب تسهیلگر', form([{ name: 'name', label: 'نام و نام خانوادگی', required: true }, { name: 'serves', label: 'واحد محل خدمت', type: 'select', required: true, options: [...UNITS.values()].filter(u => u.level >= 1).map(u => [u.id, unitFull(u.id)]).sort((a, b) => a[1].localeCompare(b[1], 'fa')) },
      { name: 'phone', label: 'تلفن', type: 'phone' }, { name: 'designated', label: 'تاریخ انتصاب', type: 'date' }, { name: 'notes', label: 'یادداشت', type: 'textarea' }],
      v => api('POST', 'facilitators', v), 'ثبت انتصاب')) : null,
    can('admin', 'staff', 'helper') ? section('ثبت جلسه', form([{ name: 'date', label: 'تاریخ جلسه', type: 'date', required: true }, { name: 'place', label: 'محل' }, { name: 'facilitator', label: 'تسهیلگر منصوب', type: 'select', options: [['', '—'], ...facs.map(f => [f.id, f.name])] },
      { name: 'facilitator_name', label: 'نام تسهیلگر (جایگزین، اگر منصوب نیست)' },
      { name: 'participants', label: 'تعداد شرکت‌کنندگان', type: 'number', min: 0, max: 100000 }, { name: 'groups', label: 'گروه‌های ذی‌نفع', wide: true },
      { name: 'helper', label: 'گروه همیار', type: 'select', options: grpOpts }, { name: 'actor', label: 'کنشگر محلی حاضر', type: 'select', options: actOpts }, { name: 'outcomes', label: 'نتایج', type: 'textarea' }],
      ({ helper, actor, ...v }) => api('POST', 'sessions', { ...v, helpers: helper ? [helper] : [], actors: actor ? [actor] : [] }), 'ثبت جلسه')) : null,
    can('admin', 'staff', 'helper') && list.length && crits.length ? section('امتیاز ذی‌نفعان به مسئله', form([
      { name: 'session', label: 'جلسه', type: 'select', options: list.map(s => [s.id, jdate(s.date) + ' ' + (s.place || '')]), required: true },
      { name: 'issue', label: 'مسئله', type: 'select', options: iss, required: true }, { name: 'group', label: 'گروه ذی‌نفع' },
      ...crits.map(c => ({ name: 'c_' + c.code, label: `${c.name_fa || c.code} (۰ تا ${num(c.scale_max)})`, type: 'number', required: true, min: 0, max: c.scale_max }))],
      v => { const sc = {}; for (const [k, x] of Object.entries(v)) if (k.startsWith('c_')) sc[k.slice(2)] = x; return api('POST', `sessions/${enc(v.session)}/scores`, { issue: v.issue, group: v.group, scores: sc }); }, 'ثبت امتیاز')) : null);
}

// solutionActions are what may be done with a solution at its state: edit, send to a council, revise, close.
function solutionActions(s) {
  const field = can('admin', 'staff', 'helper') && s.owner === S.me.node.id, out = [];
  const edit = [{ name: 'title', label: 'عنوان راه‌حل', required: true, wide: true, value: s.title }, { name: 'bodies', label: 'دستگاه‌های مسئول', value: s.bodies },
    { name: 'budget', label: 'بودجه (ریال)', type: 'money', min: 0, value: s.budget == null ? '' : String(s.budget) }, { name: 'exec_plan', label: 'برنامه اجرایی', type: 'textarea', value: s.exec_plan }];
  const fields = v => ({ fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) });
  if (field && s.state === 'proposed') out.push(act('ویرایش', v => api('PATCH', `solutions/${enc(s.id)}`, fields(v)), 'alt', { title: 'ویرایش راه‌حل', fields: edit, label: 'ذخیره' }));
  if (work() && s.owner === S.me.node.id && s.state === 'proposed') {
    out.push(act('ارسال به شورا', v => api('POST', `solutions/${enc(s.id)}/submit`, v), 'warn', { title: `ارسال «${s.title}» به شورا`,
      fields: [{ name: 'council', label: 'شورا', type: 'select', options: Object.entries(L.council), required: true }, { name: 'date', label: 'تاریخ ارسال', type: 'date' }], label: 'ارسال' }));
  }
  if (field && s.state === 'returned') {
    out.push(act('اصلاح و پیشنهاد دوباره', async v => { await api('PATCH', `solutions/${enc(s.id)}`, fields(v)); await api('POST', `solutions/${enc(s.id)}/revise`, {}); }, 'warn',
      { title: 'اصلاح راه‌حل برگشت‌خورده', fields: edit, label: 'ذخیره و پیشنهاد دوباره' }));
  }
  if (work() && s.owner === S.me.node.id && (s.state === 'evaluated' || s.state === 'rejected')) {
    out.push(act('بستن', v => api('POST', `solutions/${enc(s.id)}/close`, v), 'alt', { title: `بستن «${s.title}»`, fields: [{ name: 'reason', label: 'دلیل', required: true, wide: true }], label: 'بستن' }));
  }
  return out.length ? out : '—';
}

async function pageSolutions() {
  const [sols, issues, pending, decisions] = await Promise.all([items('solutions'), items('issues'), items('council?pending=1'), items('council')]);
  const ready = issues.filter(i => i.state === 'prioritised' || i.state === 'rejected').map(i => [i.id, i.title]);
  frame('راه‌حل‌های پیشنهادی و شورای اجتماعی',
    section('راه‌حل‌ها', table(sols, [['عنوان', 'title'], ['وضعیت', s => tag(label('issue', s.state), s.state)], ['بودجه (ریال)', 'budget'], ['واحد', s => unitCell(s.owner)],
      ['اقدام', s => h('span', { class: 'acts' }, solutionActions(s))]], null, { unit: s => s.owner })),
    can('admin', 'staff', 'helper') ? section('پیشنهاد راه‌حل اجرایی', ready.length ? form([{ name: 'title', label: 'عنوان راه‌حل', required: true, wide: true },
      { name: 'issues', label: 'مسئله', type: 'select', options: ready, required: true }, { name: 'bodies', label: 'دستگاه‌های مسئول' }, { name: 'budget', label: 'بودجه (ریال)', type: 'money', min: 0 },
      { name: 'start', label: 'شروع', type: 'date' }, { name: 'end', label: 'پایان', type: 'date' }, { name: 'plan', label: 'برنامه اجرایی', type: 'textarea' }],
      v => api('POST', 'solutions', { ...v, issues: [v.issues], budget: v.budget == null ? undefined : Number(v.budget) }), 'ثبت راه‌حل') : h('p', { class: 'muted' }, 'مسئله اولویت‌بندی‌شده‌ای برای راه‌حل نیست.')) : null,
    section('در انتظار تصمیم شورای این دبیرخانه', table(pending, [['راه‌حل', p => p.title || p.solution], ['واحد', p => unitCell(p.owner)], ['تاریخ ارسال', p => jdate(p.submitted || p.date)]])),
    work() && pending.length ? section('ثبت مصوبه شورا', form([{ name: 'solution', label: 'راه‌حل', type: 'select', options: pending.map(p => [p.id || p.solution, p.title || p.solution]), required: true },
      { name: 'decision', label: 'تصمیم', type: 'select', options: Object.entries(L.decision), required: true }, { name: 'date', label: 'تاریخ جلسه شورا', type: 'date', required: true },
      { name: 'resolution', label: 'شماره مصوبه' }, { name: 'conditions', label: 'شرایط', type: 'textarea' }], v => api('POST', 'council', v), 'ثبت مصوبه')) : null,
    section('مصوبات', table(decisions, [['راه‌حل', d => d.title || d.solution], ['تصمیم', d => tag(label('decision', d.decision), d.decision)], ['شماره مصوبه', 'resolution'], ['تاریخ', d => jdate(d.date)]])));
}

async function pageInterventions() {
  const [list, sols, evals] = await Promise.all([items('interventions'), items('solutions?state=approved'), items('evaluations')]);
  frame('مداخلات اجتماع‌محور و ارزشیابی',
    section('مداخلات', table(list, [['عنوان', 'title'], ['مرحله جاری', i => L.stage[i.current_stage] || i.current_stage || L.stage.done], ['پیشرفت', i => pct(i.progress || 0)], ['گروه‌های همیار', 'helpers'], ['واحد', i => unitCell(i.owner)]],
      i => { location.hash = '#/intervention/' + enc(i.id); }, { unit: i => i.owner })),
    can('admin', 'staff', 'helper') && sols.length ? section('آغاز مداخله برای راه‌حل مصوب', form([{ name: 'solution', label: 'راه‌حل مصوب', type: 'select', options: sols.map(s => [s.id, s.title]), required: true }, { name: 'title', label: 'عنوان' }],
      v => api('POST', 'interventions', v))) : null,
    can('admin', 'staff', 'helper') && list.length ? section('ثبت مرحله', form([{ name: 'id', label: 'مداخله', type: 'select', options: list.map(i => [i.id, i.title]), required: true },
      { name: 'stage', label: 'مرحله', type: 'select', options: Object.entries(L.stage).slice(0, 5), required: true }, { name: 'start', label: 'شروع', type: 'date' }, { name: 'end', label: 'پایان', type: 'date', hint: 'مرحله با تاریخ پایانش انجام‌شده شمرده می‌شود' },
      { name: 'participants', label: 'مشارکت‌کنندگان', type: 'number', min: 0 }, { name: 'notes', label: 'یادداشت', type: 'textarea' }], v => api('POST', `interventions/${enc(v.id)}/stages`, v))) : null,
    can('admin', 'staff', 'helper') && list.length ? section('ارزشیابی (نقاط قوت و ضعف)', form([{ name: 'intervention', label: 'مداخله', type: 'select', options: list.map(i => [i.id, i.title]), required: true },
      { name: 'evaluator', label: 'ارزیاب' }, { name: 'date', label: 'تاریخ', type: 'date' }, { name: 'strengths', label: 'نقاط قوت', type: 'textarea' }, { name: 'weaknesses', label: 'نقاط ضعف', type: 'textarea' },
      { name: 'recommendations', label: 'پیشنهادها', type: 'textarea' }], v => api('POST', 'evaluations', v))) : null,
    section('ارزشیابی‌ها', table(evals, [['تاریخ', e => jdate(e.date)], ['ارزیاب', 'evaluator'], ['نقاط قوت', 'strengths'], ['نقاط ضعف', 'weaknesses']])));
}

// pageOrgs lists the organisations: the active ones, which are introduced and can be retired (after a dialog), and
// apart the retired ones, dated; the register summary's figures count only the active ones.
async function pageOrgs() {
  const [all, intros, sum] = await Promise.all([items('orgs?all=1'), items('introductions'), get('register/summary?top=0')]);
  const list = all.filter(o => o.active), gone = all.filter(o => !o.active), field = can('admin', 'staff', 'helper');
  const t = sum && sum.totals ? sum.totals : null;
  // An organisation's fields: empty for a new one, filled in from o to edit it.
  const orgFields = (o = {}) => [{ name: 'name', label: 'نام تشکل', required: true, value: o.name }, { name: 'kind', label: 'نوع', type: 'select', options: [['', '—'], ...Object.entries(L.kind)], value: o.kind || '' },
    { name: 'field', label: 'حوزه فعالیت', value: o.field }, { name: 'contact', label: 'تماس', value: o.contact }, { name: 'notes', label: 'یادداشت', type: 'textarea', value: o.notes }];
  // An edit sends only what is filled in (a field emptied here keeps its value).
  const edit = o => act('ویرایش', v => api('PATCH', `resources/orgs/${enc(o.id)}`, { fields: v }), 'alt', { title: `ویرایش «${o.name}»`, label: 'ذخیره', fields: orgFields(o) });
  const retire = o => field ? act('کنار گذاشتن', () => api('POST', `resources/orgs/${enc(o.id)}/retire`, {}), 'alt',
    { title: `کنار گذاشتن «${o.name}»`, body: 'تشکل کنار گذاشته دیگر به دستگاه‌ها معرفی نمی‌شود و در شمار تشکل‌های فعال نمی‌آید؛ سابقه و معرفی‌های آن می‌ماند. این کار برگشت ندارد.', label: 'کنار گذاشتن', done: 'تشکل کنار گذاشته شد.' }) : '—';
  const cols = [['نام', 'name'], ['نوع', o => label('kind', o.kind)], ['حوزه', 'field'], ['معرفی‌ها', 'introductions'], ['پذیرفته', 'accepted'], ['واحد', o => unitCell(o.owner)]];
  frame('تشکل‌های مؤثر',
    t ? h('div', { class: 'kpi', id: 'org-kpi' }, h('div', {}, 'تشکل‌های فعال', h('b', {}, num(t.organisations || 0))),
      h('div', {}, 'کنار گذاشته', h('b', {}, num(t.organisations_retired || 0))), h('div', {}, 'معرفی به دستگاه‌ها', h('b', {}, num(t.introductions || 0)))) : null,
    t && t.organisations_retired ? h('p', { class: 'muted' }, 'تشکل‌های کنار گذاشته در شمار تشکل‌های فعال (در این صفحه و در جمع‌بندی نظام مسائل) نمی‌آیند.') : null,
    section('تشکل‌های فعال', table(list, [...cols, ['اقدام', o => field ? h('span', { class: 'acts' }, edit(o), retire(o)) : '—']], null, { unit: o => o.owner, empty: 'تشکل فعالی ثبت نشده است.' })),
    gone.length ? section('تشکل‌های کنار گذاشته', table(gone, [['نام', 'name'], ['نوع', o => label('kind', o.kind)], ['معرفی‌ها', 'introductions'], ['پذیرفته', 'accepted'],
      ['تاریخ کنار گذاشتن', o => jdate(o.retired)], ['واحد', o => unitCell(o.owner)]], null, { unit: o => o.owner })) : null,
    field ? section('ثبت تشکل', form(orgFields(), v => api('POST', 'orgs', v))) : null,
    work() && list.length ? section('معرفی به دستگاه‌ها', form([{ name: 'org', label: 'تشکل', type: 'select', options: list.map(o => [o.id, o.name]), required: true }, { name: 'body', label: 'دستگاه', required: true },
      { name: 'level', label: 'سطح', type: 'select', options: [['county', 'شهرستان'], ['province', 'استان']] }, { name: 'outcome', label: 'نتیجه', type: 'select', options: Object.entries(L.outcome) }, { name: 'date', label: 'تاریخ', type: 'date' }], v => api('POST', `orgs/${enc(v.org)}/introductions`, v), 'معرفی')) : null,
    section('معرفی‌ها', table(intros, [['تشکل', i => { const o = all.find(x => x.id === i.org); const nm = i.org_name || (o || {}).name || i.org; return o && !o.active ? h('span', {}, nm, ' ', tag('کنار گذاشته', 'bad')) : nm; }], ['دستگاه', 'body'], ['سطح', i => label('levelUnit', i.level)],
      ['نتیجه', i => tag(label('outcome', i.outcome || 'pending'), i.outcome === 'accepted' ? 'ok' : i.outcome === 'declined' ? 'bad' : '')], ['تاریخ', i => jdate(i.date)], ['تاریخ نتیجه', i => jdate(i.outcome_date)],
      ['اقدام', i => work() && i.owner === S.me.node.id ? act('ثبت نتیجه', v => api('POST', `introductions/${enc(i.id)}/outcome`, v), 'alt', { title: `نتیجه معرفی به ${i.body}`,
        fields: [{ name: 'outcome', label: 'نتیجه', type: 'select', options: Object.entries(L.outcome), required: true }, { name: 'notes', label: 'یادداشت', type: 'textarea' }], label: 'ثبت نتیجه' }) : '—']])));
}


// ---- helper groups working together (art. 4-6) and the key local actors (art. 1-4) ----
async function pageGroups() {
  const [groups, actors, issues, sessions, ivs] = await Promise.all([items('groups?all=1'), items('resources/actors?all=1'), items('issues'), items('sessions'), items('interventions')]);
  const active = groups.filter(g => g.status === 'active'), field = can('admin', 'staff', 'helper');
  const records = [...issues.filter(i => i.state !== 'closed').map(i => ['issues/' + i.id, `${L.linkKind.issues}: ${i.title}`]),
    ...sessions.map(s => ['sessions/' + s.id, `${L.linkKind.sessions}: ${jdate(s.date)} ${s.place || ''}`]),
    ...ivs.map(v => ['interventions/' + v.id, `${L.linkKind.interventions}: ${v.title || v.solution_title || v.id}`])];
  frame('همیاران و کنشگران محلی',
    section('کار گروه‌های همیار', table(groups, [['گروه همیار', 'group_name'], ['شماره حکم', 'decree_no'], ['وضعیت', g => tag(L.appt[g.status] || g.status, g.status)],
      ['مسائل', 'problems'], ['جلسات', 'sessions'], ['مداخلات', 'interventions'], ['گزارش‌ها', 'reports'], ['واحد', g => unitCell(g.owner)]],
      g => { location.hash = '#/group/' + enc(g.id); }, { unit: g => g.owner, empty: 'گروه همیار منصوبی نیست.' })),
    work() && active.length && records.length ? section('پیوستن گروه همیار به یک کار', h('p', { class: 'muted' }, 'چند گروه می‌توانند با هم روی یک مسئله، جلسه یا مداخله کار کنند.'), form([
      { name: 'group', label: 'گروه همیار', type: 'select', required: true, options: [['', '—'], ...active.map(g => [g.id, `${g.group_name} (${fa(g.decree_no || '')})`])] },
      { name: 'record', label: 'کار', type: 'select', required: true, options: [['', '—'], ...records], wide: true }],
      v => { const [kind, id] = v.record.split('/'); return api('POST', `${kind}/${enc(id)}/groups`, { group: v.group }); }, 'پیوستن')) : null,
    section('کنشگران کلیدی و معتمدین محلی', table(actors, [['نام', 'name'], ['نقش', 'role'], ['محله یا روستا', 'neighbourhood'],
      ['تلفن', a => a.contact || (a.consent === 'yes' ? '—' : L.consent.no)], ['وضعیت', a => a.active ? 'فعال' : 'کنار گذاشته'], ['واحد', a => unitCell(a.owner)],
      ['اقدام', a => field && a.active && a.owner === S.me.node.id ? h('span', { class: 'acts' },
        act('ویرایش', v => api('PATCH', `resources/actors/${enc(a.id)}`, { fields: v }), 'alt', { title: `ویرایش «${a.name}»`, label: 'ذخیره', fields: [
          { name: 'name', label: 'نام و نام خانوادگی', required: true, value: a.name }, { name: 'role', label: 'نقش', required: true, value: a.role },
          { name: 'neighbourhood', label: 'محله یا روستا', value: a.neighbourhood }, { name: 'contact', label: 'تلفن', type: 'phone', value: a.contact, hint: a.consent === 'yes' ? null : 'خالی: همان که بود' },
          { name: 'consent', label: 'رضایت به تماس', type: 'select', options: [['no', 'ندارد'], ['yes', 'دارد']], value: a.consent === 'yes' ? 'yes' : 'no' }, { name: 'notes', label: 'یادداشت', type: 'textarea', value: a.notes }] }),
        act('کنار گذاشتن', () => api('POST', `resources/actors/${enc(a.id)}/retire`, {}), 'alt', { title: `کنار گذاشتن «${a.name}» از فهرست`, body: 'سابقه او می‌ماند.' })) : '—']],
      null, { unit: a => a.owner, empty: 'کنشگری ثبت نشده است.' })),
    field ? section('ثبت کنشگر کلیدی', form([{ name: 'name', label: 'نام و نام خانوادگی', required: true }, { name: 'role', label: 'نقش (مثلاً امام جماعت، معتمد محل)', required: true },
      { name: 'neighbourhood', label: 'محله یا روستا' }, { name: 'contact', label: 'تلفن', type: 'phone' },
      { name: 'consent', label: 'رضایت به تماس', type: 'select', options: [['no', 'ندارد'], ['yes', 'دارد']] }, { name: 'notes', label: 'یادداشت', type: 'textarea' }],
      v => api('POST', 'resources/actors', v), 'ثبت کنشگر')) : null);
}

// pageGroup is one helper group's work: its problems, sessions, interventions and reports.
async function pageGroup(id) {
  const w = await get(`groups/${enc(id)}/work`);
  const detach = kind => r => work() ? act('پایان کار گروه', () => api('POST', `${kind}/${enc(r.id)}/groups/${enc(w.id)}/detach`, {}), 'alt',
    { title: `پایان کار «${w.group_name}» روی این ${L.linkKind[kind]}`, body: 'پیوند با تاریخ پایان نگه داشته می‌شود.' }) : '—';
  frame(`کار گروه همیار «${w.group_name}»`,
    h('p', {}, `حکم ${fa(w.decree_no || '')} — ${L.appt[w.status] || w.status} — ${unitName(w.owner)}`),
    section('مسائل', table(w.problems, [['عنوان', 'title'], ['وضعیت', p => tag(label('issue', p.state), p.state)], ['از', p => jdate(p.since)], ['اقدام', detach('issues')]])),
    section('جلسات هم‌اندیشی', table(w.sessions, [['تاریخ', s => jdate(s.date)], ['محل', 'place'], ['تسهیلگر', 'facilitator'], ['اقدام', detach('sessions')]])),
    section('مداخلات', table(w.interventions, [['عنوان', 'title'], ['از', v => jdate(v.since)], ['اقدام', detach('interventions')]])),
    section('گزارش‌ها', table(w.reports, [['الگو', r => r.template_title || h('bdi', {}, r.template_code)], ['دوره', r => period(r.period)], ['وضعیت', r => L.report[r.status] || r.status]], r => { location.hash = '#/report/' + enc(r.id); })),
    h('p', {}, h('a', { href: '#/groups' }, 'بازگشت به همیاران و کنشگران')));
}
