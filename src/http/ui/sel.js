// Selection of social helpers: calls, applicants and their resumes, reviews, interviews, ranking, decrees and the course.
'use strict';

const DOC_MAX = 32768; // bytes of a resume the node keeps (SEL_DOC_MAX)
const DOC_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'text/plain'];

// rankReason says in Persian why a group is not qualified: the ranking's code (why) and figures (params), from the catalogue.
function rankReason(r) {
  return r.why && WHY[r.why] ? WHY[r.why](r.params || {}) : 'فاقد شرایط';
}

async function pageCalls() {
  const calls = await items('calls');
  frame('فراخوان و انتخاب همیاران اجتماعی',
    section('فراخوان‌ها', table(calls, [['عنوان', 'title'], ['وضعیت', c => tag(label('state', c.status), c.status)], ['شروع', c => jdate(c.opens)], ['پایان', c => jdate(c.closes)], ['دبیرخانه', c => unitCell(c.owner)]],
      c => { location.hash = '#/call/' + c.id; }, { unit: c => c.owner })),
    work() && level() !== 'national' ? section('فراخوان تازه', form([
      { name: 'title', label: 'عنوان فراخوان', required: true, wide: true },
      { name: 'opens', label: 'تاریخ شروع', type: 'date', required: true },
      { name: 'closes', label: 'تاریخ پایان', type: 'date', required: true },
      { name: 'description', label: 'توضیحات (متن فراخوان)', type: 'textarea' },
    ], v => api('POST', 'calls', v))) : null);
}

// readDoc reads a chosen file as base64, after checking its size and type in the page.
function readDoc(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
    r.onerror = () => reject(new Error('read'));
    r.readAsDataURL(file);
  });
}
function docCheck(f) {
  if (f.size > DOC_MAX) return `حجم پرونده ${num(Math.ceil(f.size / 1024))} کیلوبایت است؛ بیشینه ${num(DOC_MAX / 1024)} کیلوبایت`;
  if (f.type && !DOC_TYPES.includes(f.type)) return 'فقط PDF، تصویر JPEG یا PNG، یا متن پذیرفته می‌شود';
  return '';
}

// receivedCheck: the day an application reached the office is within the call's window, checked as it is typed;
// the node checks that and that it is not after today (its own day: sense.application_*), and says so in Persian.
function receivedCheck(c) {
  const iso = x => toAscii(jdate(x)).replace(/\//g, '-');
  return x => {
    const day = x.split('-').map(Number), key = a => a[0] * 10000 + a[1] * 100 + a[2];
    const opens = iso(c.opens).split('-').map(Number), closes = iso(c.closed_on || c.closes).split('-').map(Number);
    if (opens.length === 3 && key(day) < key(opens)) return `رزومه از ${jlong(c.opens)} به بعد دریافت می‌شود`;
    if (closes.length === 3 && key(day) > key(closes)) return `رزومه تا ${jlong(c.closed_on || c.closes)} دریافت می‌شود`;
    return '';
  };
}

// moveCall moves a call to its next state; closing before the announced date asks, in the page, for the
// reason the office records (the domain refuses an early close without one: sel.close_early).
async function moveCall(id, c, to) {
  const path = `calls/${enc(id)}/state`;
  try { return await api('POST', path, { state: to }); } catch (e) {
    if (!(e instanceof ApiError) || e.why !== 'sel.close_early') throw e;
    const v = await dialog('بستن زودتر از موعد', h('p', {}, `این فراخوان تا ${jlong(c.closes)} اعلام شده است. اگر آن را زودتر می‌بندید، دلیل را بنویسید؛ دلیل در پرونده فراخوان می‌ماند.`),
      [{ name: 'early', label: 'دلیل بستن زودهنگام', type: 'textarea', required: true }], 'بستن فراخوان');
    if (v == null) throw e;
    return api('POST', path, { state: to, early: v.early });
  }
}

async function pageCall(id, q) {
  const c = await get('calls/' + enc(id));
  if (q && q.get('print')) return printCall(c);
  const [apps, ivs, revs, appts] = await Promise.all([items(`calls/${enc(id)}/applicants`), items(`calls/${enc(id)}/interviews`).catch(() => []),
    items(`calls/${enc(id)}/reviews`).catch(() => []), items(`appointments?all=1&call=${enc(id)}`).catch(() => [])]);
  let rank = [];
  try { rank = await items(`calls/${enc(id)}/rank`); } catch (e) { /* no standards yet, or not allowed */ }
  let std = null, sum = null;
  try { std = await get('standards/latest'); } catch (e) { /* none reached this node yet */ }
  try { sum = (await items('appointments/summary?under=' + enc(c.owner))).find(s => s.unit === c.owner || s.secretariat === c.owner); } catch (e) { /* no summary */ }
  const full = sum && sum.free != null && sum.free <= 0;
  const next = { draft: ['open', 'باز کردن فراخوان'], open: ['closed', 'بستن فراخوان'], closed: ['reviewed', 'پایان بررسی'], reviewed: ['completed', 'تکمیل فراخوان'] }[c.status];
  const crit = (list, pre, opt) => (list || []).map(k => ({ name: pre + k.code, label: `${k.name} (${num(k.min)} تا ${num(k.max)})`, type: 'number', required: !opt, min: k.min, max: k.max }));
  const scores = (v, pre) => { const o = {}; for (const [k, x] of Object.entries(v)) if (k.startsWith(pre)) o[k.slice(pre.length)] = x; return o; };
  const live = apps.filter(a => a.status !== 'withdrawn');
  const appOpts = live.map(a => [a.id, a.name]);
  const ivOf = a => ivs.find(i => i.applicant_id === a.id);
  const mine = work() && c.owner === S.me.node.id;
  // The waiting list: places freed by a revocation in this call, not yet filled, go to its ranked groups.
  const freed = appts.filter(a => a.status === 'revoked' && !appts.some(b => b.replaces === a.id));
  const appointedOnce = r => appts.some(x => x.applicant_id === (r.applicant_id || r.id));
  const apptName = a => `${a.group_name} (${fa(a.decree_no || '')})`;
  const revokedOf = r => appts.find(x => x.applicant_id === (r.applicant_id || r.id) && x.status === 'revoked');
  frame(`فراخوان: ${c.title}`,
    h('div', { class: 'card' }, h('p', {}, 'وضعیت: ', tag(label('state', c.status), c.status), ` — از ${jlong(c.opens)} تا ${jlong(c.closes)} — ${unitName(c.owner)}`),
      c.description ? h('p', {}, c.description) : null,
      h('div', { class: 'actions' }, h('a', { class: 'button alt', href: `#/call/${enc(id)}?print=1` }, 'متن فراخوان برای چاپ'),
        mine && next ? act(next[1], () => moveCall(id, c, next[0]), 'warn', { body: `وضعیت فراخوان «${c.title}» به «${label('state', next[0])}» می‌رود. ادامه می‌دهید؟` }) : null)),
    section('متقاضیان', table(apps, [['نام گروه', 'name'], ['نوع', a => label('kind', a.kind)], ['نماینده', 'contact'], ['تلفن', 'phone'], ['اعضا', 'members'], ['تاریخ دریافت', a => jdate(a.applied)],
      ['رزومه', a => h('a', { href: '#/applicant/' + enc(a.id) }, 'پرونده و رزومه')],
      ['وضعیت', a => a.status === 'withdrawn' ? tag('انصراف', 'bad') : tag('فعال', 'ok')],
      ['اقدام', a => mine && a.status !== 'withdrawn' && c.status !== 'completed' ? act('ثبت انصراف', v => api('POST', `applicants/${enc(a.id)}/withdraw`, { reason: v.reason }), 'alt',
        { title: `انصراف «${a.name}»`, fields: [{ name: 'reason', label: 'دلیل انصراف', required: true, wide: true }], label: 'ثبت انصراف' }) : '—']]),
      mine && (c.status === 'open' || c.status === 'closed') ? h('div', {}, h('h2', {}, 'ثبت متقاضی (رزومه گروه)'),
        c.status === 'closed' ? h('p', { class: 'muted' }, `فراخوان بسته شده است؛ رزومه‌ای که تا ${jlong(c.closed_on || c.closes)} به دبیرخانه رسیده، با تاریخ دریافتش ثبت می‌شود.`) : null, form([
        { name: 'name', label: 'نام گروه', required: true },
        { name: 'kind', label: 'نوع گروه', type: 'select', options: Object.entries(L.kind) },
        { name: 'reg_no', label: 'شماره ثبت' }, { name: 'contact', label: 'نماینده گروه', required: true },
        { name: 'phone', label: 'تلفن همراه', type: 'phone', hint: 'مثلاً ۰۹۱۲۱۲۳۴۵۶۷' }, { name: 'members', label: 'تعداد اعضا', type: 'number', min: 1, max: 100000 },
        { name: 'years', label: 'سابقه (سال)', type: 'number', min: 0, max: 100 }, { name: 'areas', label: 'حوزه‌های فعالیت', wide: true },
        { name: 'activities', label: 'سوابق و فعالیت‌ها', type: 'textarea' },
        { name: 'received', label: 'تاریخ دریافت رزومه', type: 'date', required: c.status === 'closed', check: receivedCheck(c),
          hint: c.status === 'closed' ? 'روزی که رزومه به دبیرخانه رسید' : 'خالی: امروز؛ برای رزومه‌ای که پیش‌تر رسیده، روز دریافت آن' },
        { name: 'resume', label: 'پرونده رزومه (اختیاری)', type: 'file', accept: '.pdf,.jpg,.jpeg,.png,.txt', check: docCheck, hint: `PDF، JPEG، PNG یا متن؛ حداکثر ${num(DOC_MAX / 1024)} کیلوبایت` },
      ], async v => {
        const file = v.resume; delete v.resume;
        const r = await api('POST', `calls/${enc(id)}/applicants`, v);
        if (file) await api('POST', `applicants/${enc(r.id)}/docs`, { name: file.name, data: await readDoc(file) });
      }, 'ثبت متقاضی')) : null),
    c.status === 'closed' && can('admin', 'staff', 'reviewer') && std && live.length ? section('امتیاز ارزیاب (وزن‌دهی)', form([
      { name: 'applicant', label: 'متقاضی', type: 'select', options: appOpts, required: true }, ...crit(std.review, 'r_', true),
      { name: 'draft', label: 'ذخیره به صورت', type: 'select', options: [['0', 'نهایی (همه معیارها امتیاز دارند)'], ['1', 'پیش‌نویس (ناتمام؛ در پایان بررسی و رتبه‌بندی شمرده نمی‌شود)']] }],
      v => api('POST', `applicants/${enc(v.applicant)}/reviews`, { scores: scores(v, 'r_'), draft: v.draft === '1' }), 'ثبت امتیاز')) : null,
    revs.length ? section('ارزیابی‌ها', table(revs, [['گروه', 'name'], ['ارزیاب', r => h('bdi', {}, r.reviewer)], ['امتیاز', r => (r.draft ? '—' : num(r.total))],
      ['وضعیت', r => (r.draft ? tag('پیش‌نویس — شمرده نمی‌شود', 'bad') : tag('نهایی', 'ok'))], ['تاریخ', r => jdate(r.updated)]])) : null,
    (c.status === 'closed' || c.status === 'reviewed') && mine && live.length ? section('زمان‌بندی مصاحبه', form([
      { name: 'applicant', label: 'متقاضی', type: 'select', options: appOpts, required: true },
      { name: 'date', label: 'تاریخ', type: 'date', required: true }, { name: 'time', label: 'ساعت', type: 'time', required: true },
      { name: 'place', label: 'محل' }, { name: 'panel', label: 'هیئت مصاحبه', required: true }],
      v => api('POST', `applicants/${enc(v.applicant)}/interview`, v), 'زمان‌بندی')) : null,
    ivs.length ? section('مصاحبه‌ها', table(ivs, [['گروه', i => (apps.find(a => a.id === i.applicant_id) || {}).name || '—'], ['تاریخ', i => jdate(i.date)], ['ساعت', 'time'], ['محل', 'place'], ['هیئت', 'panel'],
      ['وضعیت', i => tag(label('interview', i.status === 'no_show' ? 'noshow' : i.status), i.status === 'held' ? 'ok' : i.status === 'no_show' ? 'bad' : '')], ['امتیاز', 'total'],
      ['اقدام', i => c.status === 'reviewed' && i.status === 'scheduled' && can('admin', 'staff', 'reviewer') ? act('ثبت غیبت', () => api('POST', `applicants/${enc(i.applicant_id)}/interview/noshow`, {}), 'alt',
        { body: 'این گروه در مصاحبه حاضر نشد و از رتبه‌بندی کنار می‌رود. ثبت شود؟', label: 'ثبت غیبت' }) : '—']])) : null,
    c.status === 'reviewed' && can('admin', 'staff', 'reviewer') && std && live.length ? section('امتیاز مصاحبه', form([
      { name: 'applicant', label: 'متقاضی', type: 'select', options: live.filter(a => { const i = ivOf(a); return i && i.status === 'scheduled'; }).map(a => [a.id, a.name]), required: true },
      ...crit(std.interview, 'i_'), { name: 'notes', label: 'یادداشت', type: 'textarea' }],
      v => api('POST', `applicants/${enc(v.applicant)}/interview/score`, { scores: scores(v, 'i_'), notes: v.notes }), 'ثبت امتیاز مصاحبه')) : null,
    section('رتبه‌بندی و تعیین صلاحیت', full ? msg(`سهمیه ${unitName(c.owner)} پر است (${num(sum.quota)} همیار)؛ انتصاب تازه پس از لغو یکی از احکام ممکن است.`) : null,
      mine && freed.length ? h('p', { class: 'note' }, `فهرست انتظار: جای ${freed.map(a => '«' + a.group_name + '»').join('، ')} با لغو حکم خالی شده است؛ گروه واجد شرایط بعدی همین رتبه‌بندی برای باقی‌مانده دوره منصوب می‌شود و حکمش می‌گوید جای کدام گروه است.`) : null,
      table(rank, [['رتبه', 'rank'], ['گروه', 'name'], ['امتیاز بررسی', 'review'], ['امتیاز مصاحبه', 'interview'], ['امتیاز نهایی', 'combined'],
        ['صلاحیت', r => r.qualified ? tag('واجد شرایط', 'ok') : tag(rankReason(r), 'bad')],
        ['حکم', r => r.appointment_id ? h('a', { href: '#/decree/' + enc(r.appointment_id) }, 'مشاهده حکم ' + fa(r.decree_no || '')) :
          revokedOf(r) ? h('a', { href: '#/decree/' + enc(revokedOf(r).id) }, tag('حکم لغو شده', 'bad')) :
          (mine && r.qualified && freed.length && (c.status === 'reviewed' || c.status === 'completed') && !appointedOnce(r) ?
            act('جایگزینی از فهرست انتظار', v => api('POST', 'appointments', { applicant: r.applicant_id || r.id, replaces: v.replaces }), 'warn',
              { title: `حکم جایگزین برای «${r.name}»`, body: 'این گروه برای باقی‌مانده دوره گروهی که حکمش لغو شده منصوب می‌شود.',
                fields: [{ name: 'replaces', label: 'به جای حکم لغوشده', type: 'select', options: freed.map(a => [a.id, apptName(a)]), required: true }], label: 'صدور حکم جایگزین' }) :
          (mine && r.qualified && c.status === 'reviewed' && !full ? act('انتخاب و صدور حکم', () => api('POST', 'appointments', { applicant: r.applicant_id || r.id }), 'warn',
            { body: `برای «${r.name}» حکم انتصاب همیار اجتماعی صادر می‌شود. ادامه می‌دهید؟`, label: 'صدور حکم' }) : '—'))]])));
}

// A call's announcement (فراخوان) as one printable page.
async function printCall(c) {
  let std = null;
  try { std = await get('standards/latest'); } catch (e) { /* the criteria are left out */ }
  frame('متن فراخوان', h('div', { class: 'actions noprint' }, h('button', { type: 'button', onclick: () => window.print() }, 'چاپ'), h('a', { class: 'button alt', href: '#/call/' + enc(c.id) }, 'بازگشت')),
    h('article', { class: 'sheet' },
      h('div', { class: 'basmala' }, 'بسمه تعالی'),
      h('div', { class: 'org' }, `دبیرخانه نهضت مشارکت اجتماعی ${unitName(c.owner)}`),
      h('h1', {}, 'فراخوان جذب همیاران اجتماعی'), h('h2', {}, c.title),
      h('p', {}, `دبیرخانه نهضت مشارکت اجتماعی ${unitName(c.owner)} از گروه‌ها و تشکل‌های مردمی، هیئت‌های مذهبی، گروه‌های جهادی و سازمان‌های مردم‌نهاد دعوت می‌کند از ${jlong(c.opens)} تا ${jlong(c.closes)} رزومه گروه خود را به دبیرخانه تحویل دهند.`),
      c.description ? h('p', {}, c.description) : null,
      std ? [h('h3', {}, 'معیارهای بررسی رزومه'), h('ol', {}, (std.review || []).map(k => h('li', {}, `${k.name} (وزن ${num(k.weight)})`))),
        h('h3', {}, 'معیارهای مصاحبه'), h('ol', {}, (std.interview || []).map(k => h('li', {}, `${k.name} (وزن ${num(k.weight)})`))),
        h('p', {}, `حد نصاب امتیاز نهایی: ${num(std.threshold)} از ۱۰۰.`)] : null,
      h('p', {}, 'گروه‌های برگزیده پس از بررسی رزومه، مصاحبه و تعیین صلاحیت، با حکم دبیرخانه به عنوان همیار اجتماعی منصوب می‌شوند و در دوره توجیهی تسهیلگر شرکت می‌کنند.'),
      h('div', { class: 'sign' }, `دبیرخانه نهضت مشارکت اجتماعی ${unitName(c.owner)}`)));
  document.body.classList.add('printing');
}

// An applicant's file: its application and documents (the resume), and adding one.
async function pageApplicant(id) {
  const a = await get('applicants/' + enc(id));
  const docs = a.documents || [];
  frame(`پرونده متقاضی: ${a.name}`,
    section('درخواست', table([a], [['نام گروه', 'name'], ['نوع', x => label('kind', x.kind)], ['شماره ثبت', 'reg_no'], ['نماینده', 'contact'], ['تلفن', 'phone'], ['اعضا', 'members'], ['سابقه (سال)', 'years']]),
      a.areas ? h('p', {}, 'حوزه‌ها: ', a.areas) : null, a.activities ? h('p', {}, 'سوابق: ', a.activities) : null,
      h('a', { href: '#/call/' + enc(a.call_id) }, 'بازگشت به فراخوان')),
    section('رزومه و مدارک', table(docs, [['نام پرونده', d => d.stored && can('admin', 'staff', 'reviewer', 'viewer') ? h('a', { href: '/api/v1/docs/' + enc(d.id), target: '_blank', rel: 'noopener' }, h('bdi', {}, d.name)) : h('bdi', {}, d.name)],
      ['حجم', d => `${num(Math.max(1, Math.round(d.size / 1024)))} کیلوبایت`], ['تاریخ', d => jdate(d.added)]], null, { empty: 'هنوز رزومه‌ای بارگذاری نشده است.' }),
      work() && a.owner === S.me.node.id ? form([{ name: 'file', label: 'پرونده رزومه', type: 'file', required: true, accept: '.pdf,.jpg,.jpeg,.png,.txt', check: docCheck, hint: `PDF، JPEG، PNG یا متن؛ حداکثر ${num(DOC_MAX / 1024)} کیلوبایت` }],
        async v => api('POST', `applicants/${enc(id)}/docs`, { name: v.file.name, data: await readDoc(v.file) }), 'بارگذاری') : null));
}

// ---- appointments, decrees, course ----
async function pageAppointments() {
  const [appts, decrees, courses, status] = await Promise.all([items('appointments'), items('decrees'), items('courses'), items('courses/status')]);
  const active = appts.filter(a => a.status !== 'revoked');
  const apptOpts = active.map(a => [a.id, `${a.group_name || a.applicant_id} — ${fa(a.decree_no || '')}`]);
  const sessOpts = courses.flatMap(c => (c.sessions || []).map(s => [s.id, `${c.title}: ${s.topic} (${jdate(s.date)})`]));
  const revoked = d => d.status === 'revoked' || (appts.find(a => a.id === d.appointment_id) || {}).status === 'revoked';
  frame('احکام انتصاب و دوره توجیهی تسهیلگر',
    section('احکام صادرشده', table(decrees, [['شماره حکم', d => h('bdi', {}, fa(d.number || d.decree_no))], ['گروه', 'group_name'], ['تاریخ', d => jdate(d.date)], ['دبیرخانه', d => unitCell(d.owner)],
      ['وضعیت', d => revoked(d) ? tag('لغو شده', 'bad') : tag('فعال', 'ok')],
      ['چاپ', d => h('a', { href: '#/decree/' + enc(d.id) }, 'مشاهده و چاپ')]], null, { unit: d => d.owner })),
    section('وضعیت دوره توجیهی', table(status, [['گروه', s => s.group_name || s.name], ['دوره', s => s.course_title || (s.courses || []).map(x => x.title).join('، ') || '—'],
      ['جلسات حاضر', s => { const cs = s.courses || []; if (!cs.length) return s.attended == null ? '—' : num(s.attended); return cs.map(x => `${num(x.attended)} از ${num(x.required || x.sessions)}`).join('، '); }],
      ['گذرانده', s => s.completed ? tag('بله', 'ok') : tag('خیر', 'bad')]])),
    work() ? section('دوره تازه', form([{ name: 'title', label: 'عنوان دوره', required: true }, { name: 'required', label: 'حداقل جلسات لازم', type: 'number', min: 0, max: 100, hint: 'خالی: همه جلسات' }], v => api('POST', 'courses', v))) : null,
    work() && courses.length ? section('جلسه دوره', form([{ name: 'course', label: 'دوره', type: 'select', options: courses.map(c => [c.id, c.title]), required: true },
      { name: 'date', label: 'تاریخ', type: 'date', required: true }, { name: 'topic', label: 'موضوع', required: true }, { name: 'hours', label: 'ساعت', type: 'number', min: 0, max: 24 }],
      v => api('POST', `courses/${enc(v.course)}/sessions`, v))) : null,
    work() && sessOpts.length && apptOpts.length ? section('حضور و غیاب', form([{ name: 'session', label: 'جلسه', type: 'select', options: sessOpts, required: true },
      { name: 'appointment', label: 'گروه منصوب', type: 'select', options: apptOpts, required: true }, { name: 'present', label: 'حضور', type: 'select', options: [['1', 'حاضر'], ['0', 'غایب']] }],
      v => api('POST', `course-sessions/${enc(v.session)}/attendance`, { appointment: v.appointment, present: v.present === '1' }))) : null);
}

// A decree: the node's own printable text, in the UI's font and print stylesheet, on one A4 page.
async function pageDecree(id) {
  const d = await get('decrees/' + enc(id));
  const r = await fetch(`/api/v1/decrees/${enc(d.id || id)}/print`, { credentials: 'same-origin' });
  const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
  const sheet = h('article', { class: 'sheet decree', id: 'decree' });
  sheet.append(...Array.from(doc.body.childNodes).map(n => document.importNode(n, true)));
  // Every digit Persian, the number too (its Latin unit code stays, isolated).
  const walk = document.createTreeWalker(sheet, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) n.nodeValue = fa(n.nodeValue);
  const revoked = d.status === 'revoked' || !!sheet.querySelector('.revoked');
  if (revoked) sheet.classList.add('is-revoked');
  frame('حکم انتصاب همیار اجتماعی',
    h('div', { class: 'actions noprint' }, h('button', { type: 'button', id: 'print-button', onclick: () => window.print() }, 'چاپ حکم'),
      h('a', { href: `/api/v1/decrees/${enc(d.id || id)}/print`, target: '_blank', id: 'print-link', class: 'button alt' }, 'نسخه چاپی جداگانه'),
      revoked ? tag('این حکم لغو شده است', 'bad') : null),
    sheet,
    work() && d.appointment_id && !revoked ? h('section', { class: 'card noprint' }, h('h2', {}, 'لغو انتصاب'), form([{ name: 'reason', label: 'دلیل لغو', required: true, wide: true }], v => api('POST', `appointments/${enc(d.appointment_id)}/revoke`, v), 'لغو انتصاب')) : null);
  document.body.classList.add('printing');
}
