// Selection of social helpers: calls, applicants, reviews, interviews, decrees and the course.
'use strict';

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

