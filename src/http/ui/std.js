// National standards: selection criteria and quotas, problem categories and prioritisation criteria, report
// templates, allocation indicators, facilitators and org units, each with its history.  The national secretariat
// writes them; every node reads the versions that reached it.
'use strict';

const CODE_RE = /^[a-z][a-z0-9_]{0,31}$/;
const codeCheck = x => (CODE_RE.test(x) ? '' : 'کد با حرف کوچک لاتین آغاز می‌شود و فقط حرف کوچک لاتین، رقم و _ دارد (مثلاً housing)');

async function pageStandards(q) {
  const tab = q.get('tab') || 'selection';
  const tabs = [['selection', 'معیارهای انتخاب همیاران'], ['register', 'دسته‌ها و معیارهای اولویت‌بندی مسائل'], ['templates', 'الگوهای گزارش'], ['indicators', 'شاخص‌های تخصیص'], ['units', 'تقسیمات کشوری و تسهیلگران']];
  const nat = level() === 'national' && work();
  const bar = h('div', { class: 'tabs' }, tabs.map(([k, t]) => h('a', { href: '#/standards?tab=' + k, class: k === tab ? 'on' : null }, t)));
  const note = nat ? null : h('p', { class: 'muted' }, 'این ضوابط را دبیرخانه ملی تعیین می‌کند و با همگام‌سازی به این دبیرخانه می‌رسد.');
  const body = await ({ selection: stdSelection, register: stdRegister, templates: stdTemplates, indicators: stdIndicators, units: stdUnits }[tab] || stdSelection)(nat, q);
  frame('ضوابط ملی', bar, note, ...body);
}

async function stdSelection(nat) {
  const versions = await items('standards').catch(() => []);
  const cur = versions[0];
  if (!cur) return [section('معیارهای انتخاب', h('p', { class: 'muted' }, 'هنوز معیاری تعیین نشده است.'))];
  const crit = list => table(list, [['معیار', 'name'], ['وزن', 'weight'], ['کمینه', 'min'], ['بیشینه', 'max']]);
  const out = [
    section(`نسخه جاری: ${num(cur.version)} — ${cur.title}`, h('p', {}, `حد نصاب امتیاز نهایی ${num(cur.threshold)}؛ وزن بررسی رزومه ${num(cur.review_weight)} و مصاحبه ${num(cur.interview_weight)}؛ کمینه ارزیابان ${num(cur.min_reviewers)}؛ سهمیه هر شهرستان ${num(cur.quota_county)} و هر استان ${num(cur.quota_province)} همیار؛ مدت حکم ${num(cur.term_months)} ماه.`),
      h('h3', {}, 'معیارهای بررسی رزومه'), crit(cur.review), h('h3', {}, 'معیارهای مصاحبه'), crit(cur.interview)),
    section('تاریخچه نسخه‌ها', table(versions, [['نسخه', 'version'], ['عنوان', 'title'], ['تاریخ', v => jdate(v.created_jalali || v.created)], ['حد نصاب', 'threshold'], ['سهمیه شهرستان', 'quota_county'], ['سهمیه استان', 'quota_province']])),
  ];
  if (nat) {
    const w = (pre, list) => list.map(k => ({ name: pre + k.code, label: `وزن «${k.name}»`, type: 'number', min: 0, max: 100, required: true, value: fa(k.weight) }));
    const sum100 = (pre, list) => v => { const t = list.reduce((a, k) => a + (v[pre + k.code] || 0), 0); return Math.abs(t - 100) < 0.01 ? '' : `جمع وزن‌ها ${num(t)} است؛ باید ۱۰۰ باشد`; };
    out.push(section('نسخه تازه معیارها', h('p', { class: 'muted' }, 'نسخه تازه برای فراخوان‌هایی به کار می‌رود که از این پس باز می‌شوند؛ فراخوان‌های باز با نسخه خود ادامه می‌دهند.'), form([
      { name: 'title', label: 'عنوان', required: true, wide: true, value: cur.title },
      { name: 'threshold', label: 'حد نصاب امتیاز نهایی', type: 'number', min: 0, max: 100, required: true, value: fa(cur.threshold) },
      { name: 'review_weight', label: 'وزن بررسی رزومه', type: 'number', min: 0, max: 100, required: true, value: fa(cur.review_weight) },
      { name: 'interview_weight', label: 'وزن مصاحبه', type: 'number', min: 0, max: 100, required: true, value: fa(cur.interview_weight) },
      { name: 'min_reviewers', label: 'کمینه ارزیابان', type: 'number', min: 1, max: 20, required: true, value: fa(cur.min_reviewers) },
      { name: 'quota_county', label: 'سهمیه هر شهرستان', type: 'number', min: 0, max: 1000, required: true, value: fa(cur.quota_county) },
      { name: 'quota_province', label: 'سهمیه هر استان', type: 'number', min: 0, max: 1000, required: true, value: fa(cur.quota_province) },
      { name: 'term_months', label: 'مدت حکم (ماه)', type: 'number', min: 1, max: 60, required: true, value: fa(cur.term_months) },
      ...w('r_', cur.review), ...w('i_', cur.interview)],
    v => {
      for (const [pre, list, what] of [['r_', cur.review, 'بررسی رزومه'], ['i_', cur.interview, 'مصاحبه']]) { const why = sum100(pre, list)(v); if (why) throw new ApiError(400, { code: 'invalid', why: 'ui.weights', params: { what, why } }); }
      if (Math.abs(v.review_weight + v.interview_weight - 100) > 0.01) throw new ApiError(400, { code: 'invalid', why: 'ui.weights', params: { what: 'بررسی و مصاحبه', why: `جمع دو وزن ${num(v.review_weight + v.interview_weight)} است؛ باید ۱۰۰ باشد` } });
      const std = { ...cur };
      for (const k of ['id', 'version', 'created', 'created_jalali', 'owner', 'deleted']) delete std[k];
      for (const k of ['title', 'threshold', 'review_weight', 'interview_weight', 'min_reviewers', 'quota_county', 'quota_province', 'term_months']) std[k] = v[k];
      std.review = cur.review.map(k => ({ ...k, weight: v['r_' + k.code] }));
      std.interview = cur.interview.map(k => ({ ...k, weight: v['i_' + k.code] }));
      return api('POST', 'standards', std);
    }, 'انتشار نسخه تازه')));
  }
  return out;
}

// ---- who changed a standard that keeps no versions, and when (GET /history/:table, from the change log) ----
const COL = { name_fa: 'نام', name: 'نام', title: 'عنوان', weight: 'وزن', scale_max: 'بیشینه امتیاز', source: 'منبع داده', serves: 'واحد محل خدمت', phone: 'تلفن',
  designated: 'تاریخ انتصاب', retired: 'پایان انتصاب', population: 'جمعیت', notes: 'یادداشت', active: 'وضعیت', ord: 'ترتیب', deleted: 'حذف', code: 'کد' };
// colValue shows a logged value in Persian: states and sources by the catalogue, numbers in Persian digits.
function colValue(k, v) {
  if (k === 'active') return v ? 'فعال' : 'غیرفعال';
  if (k === 'deleted') return v ? 'حذف شد' : 'بازگردانده شد';
  if (k === 'source') return label('source', v);
  if (k === 'code') return h('span', { class: 'code' }, v);
  if (k === 'serves') return unitName(v);
  if (k === 'designated' || k === 'retired') return jdate(v);
  return typeof v === 'number' ? num(v) : fa(v == null ? '—' : v);
}
// historyOf is a folded section listing every change to the records of table (newest first), read when opened:
// when, who (user and secretariat), which record (by its Persian name) and what it set.  name(code) names a record.
function historyOf(title, tbl, name) {
  const box = h('div', {}, h('p', { class: 'muted' }, 'در حال خواندن…'));
  const d = h('details', { class: 'history', 'data-table': tbl }, h('summary', {}, title), box);
  d.addEventListener('toggle', async () => {
    // Read once; data-loaded says the list (or the refusal) is drawn, not that it is being read.
    if (!d.open || d.dataset.reading) return;
    d.dataset.reading = 1;
    let rows;
    try { rows = await items('history/' + enc(tbl)); } catch (e) { box.textContent = ''; box.append(msg(e)); d.dataset.loaded = 1; return; }
    // A change names only the columns it set: the record's code comes from the change that made it.
    const codeOf = new Map();
    for (const r of rows.slice().reverse()) if (r.cols && r.cols.code) codeOf.set(r.rid, r.cols.code);
    box.textContent = '';
    box.append(table(rows, [['زمان', r => jdate(r.at)], ['کاربر', r => h('bdi', {}, r.author)], ['دبیرخانه', r => unitCell(r.origin)],
      ['مورد', r => (r.cols && (r.cols.name_fa || r.cols.name || r.cols.title)) || name(codeOf.get(r.rid), r.rid) || '—'],
      ['تغییر', r => h('span', {}, Object.keys(COL).filter(k => r.cols && k in r.cols).map(k => [k, r.cols[k]])
        .flatMap(([k, v], i) => [i ? '، ' : '', `${COL[k]}: `, colValue(k, v)]))]], null, { empty: 'تغییری ثبت نشده است.' }));
    d.dataset.loaded = 1;
  });
  return d;
}

async function stdRegister(nat) {
  const [cats, crits] = await Promise.all([items('categories'), items('criteria')]);
  const active = x => (x.active ? tag('فعال', 'ok') : tag('غیرفعال', 'bad'));
  const out = [
    section('دسته‌های مسائل', table(cats, [['ترتیب', 'ord'], ['دسته', 'name_fa'], ['وضعیت', active], ['کد', c => h('span', { class: 'code' }, c.code)]])),
    section('معیارهای اولویت‌بندی', table(crits, [['معیار', 'name_fa'], ['وزن', 'weight'], ['بیشینه امتیاز', 'scale_max'], ['وضعیت', active], ['کد', c => h('span', { class: 'code' }, c.code)]])),
    section('تاریخچه تغییرات', historyOf('تغییرات دسته‌های مسائل', 'problem_category', c => (cats.find(x => x.code === c) || {}).name_fa),
      historyOf('تغییرات معیارهای اولویت‌بندی', 'priority_criterion', c => (crits.find(x => x.code === c) || {}).name_fa)),
  ];
  if (nat) {
    out.push(section('افزودن یا ویرایش دسته', form([{ name: 'code', label: 'کد لاتین', required: true, check: codeCheck, suggest: cats.map(c => c.code) }, { name: 'name_fa', label: 'نام دسته', required: true },
      { name: 'active', label: 'وضعیت', type: 'select', options: [['1', 'فعال'], ['0', 'غیرفعال']] }],
    v => api('POST', 'categories', { code: v.code, name_fa: v.name_fa, active: v.active === '1', add: !cats.some(c => c.code === v.code) }), 'ذخیره دسته')));
    out.push(section('افزودن یا ویرایش معیار اولویت‌بندی', form([{ name: 'code', label: 'کد لاتین', required: true, check: codeCheck, suggest: crits.map(c => c.code) }, { name: 'name_fa', label: 'نام معیار', required: true },
      { name: 'weight', label: 'وزن', type: 'number', min: 0, max: 100, required: true }, { name: 'scale_max', label: 'بیشینه امتیاز', type: 'number', min: 1, max: 100, value: '۵' },
      { name: 'active', label: 'وضعیت', type: 'select', options: [['1', 'فعال'], ['0', 'غیرفعال']] }],
    v => api('POST', 'criteria', { ...v, active: v.active === '1', add: !crits.some(c => c.code === v.code) }), 'ذخیره معیار')));
  }
  return out;
}

// fieldsSpec reads a template's fields written one a line: «عنوان فیلد، نوع، الزامی».
function fieldsSpec(text, old) {
  const out = [];
  for (const [i, line] of text.split('\n').map(x => x.trim()).filter(Boolean).entries()) {
    const [lab, type, req] = line.split(/[،,|]/).map(x => (x || '').trim());
    const t = /عدد|number/.test(type || '') ? 'number' : 'text';
    const prev = (old || []).find(f => f.label === lab);
    out.push({ name: prev ? prev.name : `f${i + 1}`, label: lab, type: t, required: /الزامی|required/.test(req || ''), ...(t === 'number' ? { integer: true, min: 0 } : {}) });
  }
  return out;
}
const fieldsText = fs => fs.map(f => `${f.label || f.name}، ${f.type === 'number' ? 'عدد' : 'متن'}${f.required ? '، الزامی' : ''}`).join('\n');
const fieldsCheck = x => { const fs = fieldsSpec(x); if (!fs.length) return 'دست‌کم یک فیلد بنویسید'; const bad = fs.find(f => !f.label); return bad ? 'هر سطر با عنوان فیلد آغاز می‌شود' : ''; };

// thisAndLastMonths offers this month and the twelve before it, by name, for a template's first period.
function thisAndLastMonths() {
  const t = new Date(), [y, m] = g2j(t.getFullYear(), t.getMonth() + 1, t.getDate());
  return [['', '—'], [`${y}-${p2(m)}`, period(`${y}-${p2(m)}`)], ...periodOptions('month')];
}

async function stdTemplates(nat) {
  const all = await items('templates?all=1');
  const latest = [...new Map(all.map(t => [t.code, t])).values()];
  const out = [section('الگوهای جاری', table(latest, [['عنوان', 'title'], ['دوره', t => label('periodKind', t.period)], ['گزارش‌دهنده', t => label('reporter', t.reporter)], ['سطح', t => label('levelUnit', t.level)],
    ['مهلت (روز پس از دوره)', 'due_days'], ['نسخه', 'version'], ['فیلدها', t => tplFields(t).map(f => f.label || f.name).join('، ')]])),
  section('تاریخچه نسخه‌ها', table(all, [['الگو', 'title'], ['نسخه', 'version'], ['از', t => jdate(t.from_date)], ['تا', t => jdate(t.until_date)], ['تاریخ', t => jdate(t.created)], ['کد', t => h('span', { class: 'code' }, t.code)]]))];
  if (nat) {
    out.push(section('الگوی تازه', form([{ name: 'title', label: 'عنوان الگو', required: true, wide: true }, { name: 'code', label: 'کد لاتین', required: true, check: codeCheck },
      { name: 'period', label: 'دوره', type: 'select', options: Object.entries(L.periodKind).slice(0, 2) }, { name: 'reporter', label: 'گزارش‌دهنده', type: 'select', options: Object.entries(L.reporter) },
      { name: 'level', label: 'سطح', type: 'select', options: [['county', 'شهرستان'], ['province', 'استان']] }, { name: 'due_days', label: 'مهلت (روز پس از پایان دوره)', type: 'number', min: 0, max: 90, value: '۱۰' },
      { name: 'from', label: 'نخستین دوره گزارش (ماهانه)', type: 'select', options: thisAndLastMonths(), hint: 'برای الگوی فصلی خالی بگذارید: از فصل جاری' },
      { name: 'fields', label: 'فیلدها، هر سطر یکی: عنوان، نوع (عدد یا متن)، الزامی', type: 'textarea', required: true, check: fieldsCheck, hint: 'مثلاً: جلسات هم‌اندیشی، عدد، الزامی' }],
    v => api('POST', 'templates', { ...v, fields: fieldsSpec(v.fields) }), 'انتشار الگو')));
    if (latest.length) {
      out.push(section('نسخه تازه یک الگو', latest.map(t => h('details', {}, h('summary', {}, t.title), form([{ name: 'title', label: 'عنوان', required: true, wide: true, value: t.title },
        { name: 'due_days', label: 'مهلت (روز)', type: 'number', min: 0, max: 90, value: fa(t.due_days) },
        { name: 'fields', label: 'فیلدها، هر سطر یکی: عنوان، نوع، الزامی', type: 'textarea', required: true, check: fieldsCheck, value: fieldsText(tplFields(t)) }],
      v => api('POST', `templates/${enc(t.code)}/revise`, { title: v.title, due_days: v.due_days, fields: fieldsSpec(v.fields, tplFields(t)) }), 'انتشار نسخه تازه'),
        act('پایان الگو', () => api('POST', `templates/${enc(t.code)}/retire`, {}), 'alt', { body: `از این پس گزارش «${t.title}» خواسته نمی‌شود. ادامه می‌دهید؟`, label: 'پایان الگو' })))));
    }
  }
  return out;
}

async function stdIndicators(nat) {
  const inds = await items('indicators');
  const out = [section('شاخص‌های تخصیص منابع', table(inds, [['شاخص', 'title'], ['منبع داده', i => label('source', i.source)], ['وزن', 'weight'], ['کد', i => h('span', { class: 'code' }, i.code)],
    ['اقدام', i => nat ? act('حذف', () => api('DELETE', `indicators/${enc(i.code)}`), 'alt', { body: `شاخص «${i.title}» حذف شود؟`, label: 'حذف' }) : '—']])),
    section('تاریخچه تغییرات', historyOf('تغییرات شاخص‌ها', 'indicator', c => (inds.find(x => x.code === c) || {}).title))];
  if (nat) {
    out.push(section('افزودن یا ویرایش شاخص', form([{ name: 'code', label: 'کد لاتین', required: true, check: codeCheck, suggest: inds.map(i => i.code) }, { name: 'title', label: 'عنوان شاخص', required: true },
      { name: 'source', label: 'منبع داده', type: 'select', options: Object.entries(L.source), required: true }, { name: 'weight', label: 'وزن', type: 'number', min: 0, max: 1000, required: true }],
    v => api('POST', 'indicators', v), 'ذخیره شاخص')));
  }
  return out;
}

async function stdUnits(nat, q) {
  const facs = await items('facilitators?all=1').catch(() => []);
  const units = [...UNITS.values()].filter(u => u.level >= 1);
  const out = [section('تسهیلگران', h('p', { class: 'muted' }, 'تسهیلگران را دبیرخانه ملی منصوب می‌کند؛ انتصاب و پایان آن در صفحه ', h('a', { href: '#/sessions' }, 'جلسات هم‌اندیشی'), ' است.'),
    table(facs, [['نام', 'name'], ['واحد', f => unitFull(f.serves)], ['تاریخ انتصاب', f => jdate(f.designated)], ['وضعیت', f => f.active ? tag('فعال', 'ok') : tag('پایان یافته', 'bad')]], null, { unit: f => f.serves })),
  section('تاریخچه تغییرات', historyOf('تغییرات تسهیلگران', 'facilitator', (c, rid) => (facs.find(f => f.id === rid) || {}).name),
    historyOf('تغییرات تقسیمات کشوری', 'orgunit', (c, rid) => unitName(rid))),
  section(`تقسیمات کشوری (${num(units.length)} واحد)`, table(units, [['واحد', 'name_fa'], ['سطح', u => (u.level === 1 ? 'استان' : 'شهرستان')], ['استان', u => (u.level === 2 ? unitName(u.parent) : '—')], ['جمعیت', 'population'], ['کد', u => h('span', { class: 'code' }, u.id)]], null, { unit: u => u.id, search: true }))];
  if (nat) {
    out.push(section('ورود تقسیمات از پرونده', h('p', { class: 'muted' }, 'پرونده CSV استان‌ها یا شهرستان‌ها (همان قالب داده‌های مرکز آمار)؛ نخست استان‌ها، سپس شهرستان‌ها.'),
      form([{ name: 'file', label: 'پرونده CSV', type: 'file', required: true, accept: '.csv,text/csv', check: f => (f.size > 2 * 1024 * 1024 ? 'حجم پرونده بیش از ۲ مگابایت است' : '') }],
        async v => { const r = await api('POST', 'orgunits/import', { csv: await v.file.text() }); S.flash = `${num(r.count)} واحد وارد شد.`; UNITS.clear(); await loadUnits(); await route(); return false; }, 'ورود')));
  }
  out.splice(1, 0, ...await unitFigures(nat, q.get('unit'), units));
  return out;
}

// unitFigures: national keeps each unit's population (a newer estimate, a new county's), one at a time or from a
// CSV; a unit without one is unknown to allocation, never zero.  Each unit's figures keep their history.
async function unitFigures(nat, code, units) {
  const out = [];
  const opts = units.map(u => [u.id, unitFull(u.id)]).sort((a, b) => a[1].localeCompare(b[1], 'fa'));
  const show = code ? await get(`orgunits/${enc(code)}/figures`).catch(() => null) : null;
  const value = v => (v == null ? tag('نامعلوم', 'bad') : num(v));
  if (nat) {
    out.push(section('جمعیت یک واحد', h('p', { class: 'muted' }, 'جمعیت تازه یک واحد (برآورد جدیدتر، یا شهرستانی که پس از سرشماری ساخته شده) را ثبت کنید؛ خالی گذاشتن یعنی نامعلوم: تخصیص، واحد بی‌رقم را نامعلوم می‌شمارد نه صفر.'),
      form([{ name: 'unit', label: 'واحد', type: 'select', options: opts, required: true, value: code || null },
        { name: 'population', label: 'جمعیت', type: 'number', min: 0, max: 10000000000, hint: 'خالی: نامعلوم' }],
      async v => { await api('PUT', `orgunits/${enc(v.unit)}/figures`, { population: v.population == null ? null : v.population }); S.flash = 'ثبت شد.'; location.hash = '#/standards?tab=units&unit=' + enc(v.unit); return false; }, 'ثبت جمعیت')));
    out.push(section('جمعیت واحدها از پرونده', h('p', { class: 'muted' }, 'پرونده CSV با دو ستون ', h('span', { class: 'code', dir: 'ltr' }, 'code,population'), ' (کدها مانند IR-07-03؛ رقم فارسی هم پذیرفته است). اگر یک سطر نادرست باشد، هیچ رقمی تغییر نمی‌کند.'),
      form([{ name: 'file', label: 'پرونده CSV', type: 'file', required: true, accept: '.csv,text/csv', check: f => (f.size > 1024 * 1024 ? 'حجم پرونده بیش از ۱ مگابایت است' : '') }],
        async v => { const r = await api('POST', 'orgunits/figures', { csv: await v.file.text() }); S.flash = `جمعیت ${num(r.count)} واحد ثبت شد.`; UNITS.clear(); await loadUnits(); await route(); return false; }, 'ثبت از پرونده')));
  }
  out.push(section('تاریخچه رقم‌های یک واحد', form([{ name: 'unit', label: 'واحد', type: 'select', options: opts, required: true, value: code || null }],
    async v => { location.hash = '#/standards?tab=units&unit=' + enc(v.unit); return false; }, 'نمایش'),
    show ? [h('p', {}, `${unitFull(show.id)}: جمعیت `, value(show.population), show.figures_by ? ` — آخرین ثبت ${jdate(show.figures_on)}، به دست ${show.figures_by}` : ''),
      table(show.history || [], [['تاریخ', x => jdate(x.set_on)], ['رقم', x => label('source', x.field)], ['مقدار', x => value(x.value)], ['ثبت‌کننده', x => h('bdi', {}, x.set_by)]], null, { empty: 'رقمی برای این واحد دستی ثبت نشده است؛ رقم کنونی از ورود تقسیمات (سرشماری ۱۳۹۵) است.' })] : null));
  return out;
}
