// The web UI in headless Chromium, every workflow done only through the pages, at the level that does it:
// national publishes standards and a report template; a county runs a call from opening to decree (resume
// upload, withdrawal, interview no-show, ranking, appointment, a one-page printed decree, revocation); a report
// goes county → province, is returned, revised and accepted, and the period approved; then a walk of every page
// at every level (and on a phone) finds no English word, no chart text under 12 px and no script error.
// TAP on stdout; screenshots in $SHOTS; E2E_TIMES=1 prints before each check the seconds since the start (and since the last check).
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');
const fs = require('fs');
const { execFileSync } = require('child_process');

const { CHROME, COUNTY, PROVINCE, NATIONAL, SHOTS, PROFILE, TREE } = process.env;
// committed reads a node's database through a connection of its own (sqlite3): what is there is committed.
function committed(id, sql) {
  try { return execFileSync('sqlite3', [path.join(TREE, id, 'nehzat.db'), sql], { timeout: 10000 }).toString().trim(); } catch (e) { return `error: ${e.message}`; }
}
const APPROVED = "SELECT count(*) FROM council_decision WHERE deleted = 0 AND decision = 'approved'";
let n = 0, fails = 0;
const t0 = Date.now(); let tLast = t0;
function ok(cond, what, detail) {
  n++;
  if (process.env.E2E_TIMES) { const now = Date.now(); console.log(`# ${((now - t0) / 1000).toFixed(1)} s (+${((now - tLast) / 1000).toFixed(1)})`); tLast = now; }
  if (cond) console.log(`ok ${n} - ${what}`);
  else { fails++; console.log(`not ok ${n} - ${what}`); if (detail !== undefined) console.log(`#   got: ${String(detail).slice(0, 400)}`); }
}
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
const sec = (page, title) => page.locator('section.card', { has: page.locator('h2', { hasText: title }) }).first();
const secIs = (page, title) => page.locator(`section.card:has(h2:text-is("${title}"))`).first();
const sleep = ms => new Promise(r => setTimeout(r, ms));
const errors = []; // script errors of every page, with where they happened
const bad = { english: [], small: [], clipped: [] }; // what the audits of pages found

function watch(page, who) {
  page.on('pageerror', e => errors.push(`${who} ${page.url()}: ${e.message}`));
  page.on('console', m => { if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`${who} ${page.url()}: ${m.text()}`); });
  page.on('dialog', d => { errors.push(`${who}: a browser dialog (${d.type()}) was opened`); d.dismiss(); });
}

// The helpers below bring their page to the front first: the three pages are tabs of one window, and a
// tab behind another draws no animation frames, so each click there waited about 2 s for the element to be
// seen stable (the steps that clicked twice took 4 s).
async function login(page, base) {
  await page.bringToFront();
  await page.goto(base + '/');
  await page.waitForSelector('input[name=name]');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', 'e2e-password-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('.kpi', { timeout: 15000 });
}
async function go(page, base, hash, waitFor) {
  await page.bringToFront();
  await page.goto(base + '/#/' + hash);
  await page.waitForSelector(waitFor || 'main h1', { timeout: 15000 });
  await page.waitForLoadState('networkidle');
}

// submitIn submits the form of a section; the answer is the note on top (done) or the refusal in the form.
async function submitIn(page, title, scope) {
  await page.bringToFront();
  const s = scope || sec(page, title);
  await page.evaluate(() => { const f = document.getElementById('flash'); if (f) f.remove(); });
  await s.locator('button[type=submit]').first().click();
  const err = s.locator('.msg.err').first(), done = page.locator('#flash');
  await Promise.race([err.waitFor({ timeout: 10000 }), done.waitFor({ timeout: 10000 })]);
  return (await done.count()) ? await done.textContent() : await err.textContent();
}
// inDialog fills the fields of the page's dialog and confirms it; then waits for the page to be drawn again.
async function inDialog(page, values) {
  await page.bringToFront();
  const d = page.locator('dialog.dlg');
  await d.waitFor();
  for (const [k, v] of Object.entries(values || {})) {
    const el = d.locator(`[name=${k}]`);
    if ((await el.evaluate(e => e.tagName)) === 'SELECT') await el.selectOption(v); else await el.fill(v);
  }
  await page.evaluate(() => { const f = document.getElementById('flash'); if (f) f.remove(); });
  await d.locator('.actions button').first().click();
  await page.locator('#flash, .msg.err').first().waitFor({ timeout: 10000 });
  return page.locator('#flash').count().then(c => (c ? page.locator('#flash').textContent() : page.locator('.msg.err').first().textContent()));
}
// formRows measures the form of a section: its fields by row (the top of their labels), how many rows have their
// controls out of line (tops more than 1 px apart), and how many labels wrap onto more than one line.
async function formRows(page, title) {
  return sec(page, title).locator('form.f').evaluate(f => {
    const rows = new Map(); let wrapped = 0;
    for (const l of f.querySelectorAll(':scope > label')) {
      const c = l.querySelector('input, select, textarea'), lab = l.querySelector('.lab') || l.firstElementChild;
      if (lab.getBoundingClientRect().height > 1.6 * parseFloat(getComputedStyle(lab).lineHeight)) wrapped++;
      const top = Math.round(l.getBoundingClientRect().top);
      if (!rows.has(top)) rows.set(top, []);
      rows.get(top).push(c.getBoundingClientRect().top);
    }
    const off = [...rows.values()].filter(r => Math.max(...r) - Math.min(...r) > 1).length;
    return { rows: rows.size, off, wrapped };
  });
}
// until reloads a page until test(page) holds (at most secs seconds).
async function until(page, url, sel, test, secs) {
  await page.bringToFront();
  for (let i = 0; i < secs; i++) {
    // The same address with the same #fragment is no navigation: load the page anew.
    if (page.url() === url) await page.reload(); else await page.goto(url);
    await page.waitForSelector(sel, { timeout: 15000 }).catch(() => null);
    if (await test(page)) return true;
    await sleep(1000);
  }
  return false;
}

// note audits page and keeps what is wrong under name.
async function note(page, name) {
  const a = await audit(page);
  if (a.english.length) bad.english.push(`${name}: ${a.english.join(' ')}`);
  if (a.small.length) bad.small.push(`${name}: ${a.small.slice(0, 3).join(', ')}`);
  if (a.clipped) bad.clipped.push(`${name}: ${a.clipped}`);
  return a;
}
// The walk's checks of one page: English words in visible text, chart text size, text overflowing the page.
async function audit(page) {
  return page.evaluate(() => {
    const hidden = new Set(['SCRIPT', 'STYLE', 'OPTION', 'DATALIST']);
    const parts = [];
    const walk = el => {
      // Codes (.code) and isolated user data (bdi: decree numbers, file names) are not the UI's words.
      if (hidden.has(el.tagName) || el.classList.contains('code') || el.tagName === 'BDI') return;
      const st = getComputedStyle(el);
      if (st.display === 'none' || st.visibility === 'hidden') return;
      for (const c of el.childNodes) { if (c.nodeType === 3) parts.push(c.nodeValue); else if (c.nodeType === 1) walk(c); }
    };
    walk(document.body);
    const text = parts.join(' ')
      .replace(/\b[A-Z]{2}(-[0-9۰-۹]+)+/g, ' ')                   // org-unit codes
      .replace(/\badmin\b/g, ' ')                                 // the login name
      .replace(/\b(PDF|JPEG|PNG|CSV)\b/g, ' ');                   // file kinds a clerk knows by these names
    const english = [...new Set(text.match(/[A-Za-z]{2,}/g) || [])];
    const small = [];
    for (const el of document.querySelectorAll('.chart *')) {
      if (![...el.childNodes].some(c => c.nodeType === 3 && c.nodeValue.trim())) continue;
      const fs = parseFloat(getComputedStyle(el).fontSize);
      if (fs < 12) small.push(`${el.textContent.trim().slice(0, 20)} ${fs}px`);
    }
    let clipped = 0;
    for (const el of document.querySelectorAll('.chart .bval, .chart .blab')) {
      const r = el.getBoundingClientRect(), box = el.closest('.chart').getBoundingClientRect();
      if (r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1)) clipped++;
    }
    return { english, small, clipped, wide: document.documentElement.scrollWidth - window.innerWidth };
  });
}

function pdfPages(file) {
  try { return +(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString()) || [])[1]; } catch (e) { return -1; }
}
function pdfFonts(file) {
  try { return execFileSync('pdffonts', [file]).toString(); } catch (e) { return ''; }
}

(async () => {
  const ctx = await chromium.launchPersistentContext(PROFILE, {
    executablePath: CHROME, headless: true, locale: 'fa-IR', viewport: { width: 1366, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await ctx.newPage(); watch(page, 'county');
  const nat = await ctx.newPage(); watch(nat, 'national');
  const prov = await ctx.newPage(); watch(prov, 'province');
  try {
    // ---- login, RTL, Jalali ----
    await page.goto(COUNTY + '/');
    ok(await page.getAttribute('html', 'dir') === 'rtl' && await page.getAttribute('html', 'lang') === 'fa', 'the page is Persian and right to left');
    await page.fill('input[name=name]', 'admin');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('.msg.err');
    ok((await page.innerText('.msg.err')).includes('نادرست'), 'a wrong password is refused in Persian', await page.innerText('.msg.err'));
    await login(page, COUNTY);
    const body = await page.innerText('main');
    ok(body.includes('۱۴۰۵/۰۹/۰۷'), 'today is shown as a Jalali date in Persian digits', body.slice(0, 200));
    ok(await page.evaluate(() => document.fonts.check('16px Vazirmatn')), 'the Vazirmatn font is loaded from the node');

    // ---- national: the standards, through its pages ----
    await login(nat, NATIONAL);
    await go(nat, NATIONAL, 'standards?tab=selection', 'text=نسخه تازه معیارها');
    const sf = sec(nat, 'نسخه تازه معیارها');
    await sf.locator('[name=r_experience]').fill('۳۰');
    await sf.locator('[name=r_experience]').blur();
    ok((await sf.innerText()).length > 0 && await sf.locator('[name=r_experience]').inputValue() === '۳۰', 'a weight is typed in Persian digits');
    let t = await submitIn(nat, 'نسخه تازه معیارها');
    ok(t.includes('جمع وزن‌ها') && t.includes('۱۱۰'), 'weights that do not sum to 100 are refused in Persian before sending', t);
    await sf.locator('[name=r_experience]').fill('۲۰');
    await sf.locator('[name=min_reviewers]').fill('۱');
    t = await submitIn(nat, 'نسخه تازه معیارها');
    ok(t.includes('ثبت شد'), 'national publishes a new version of the selection standards', t);
    ok((await nat.innerText('main')).includes('نسخه جاری: ۲'), 'the new version is the current one, the history lists it', (await nat.innerText('main')).slice(0, 300));
    await go(nat, NATIONAL, 'standards?tab=templates', 'text=الگوی تازه');
    const tf = sec(nat, 'الگوی تازه');
    await tf.locator('[name=title]').fill('گزارش ماهانه همیاران');
    await tf.locator('[name=code]').fill('Monthly report');
    await tf.locator('[name=code]').blur();
    ok((await tf.locator('.ferr[data-for=code]').innerText()).includes('حرف کوچک لاتین'), 'a bad template code is explained as it is typed', await tf.locator('.ferr[data-for=code]').innerText());
    await tf.locator('[name=code]').fill('monthly');
    await tf.locator('[name=from]').selectOption('1405-08');
    await tf.locator('[name=fields]').fill('جلسات هم‌اندیشی، عدد، الزامی\nخلاصه فعالیت‌ها، متن، الزامی');
    t = await submitIn(nat, 'الگوی تازه');
    ok(t.includes('ثبت شد'), 'national publishes a monthly report template', t);
    await go(nat, NATIONAL, 'standards?tab=indicators', 'text=افزودن یا ویرایش شاخص');
    const inf = sec(nat, 'افزودن یا ویرایش شاخص');
    await inf.locator('[name=code]').fill('population');
    await inf.locator('[name=title]').fill('جمعیت');
    await inf.locator('[name=source]').selectOption('population');
    await inf.locator('[name=weight]').fill('۱');
    t = await submitIn(nat, 'افزودن یا ویرایش شاخص');
    ok(t.includes('ثبت شد'), 'national adds an allocation indicator', t);
    await shot(nat, 'national-standards');
    // The indicators keep no versions: who changed them and when is read from the change log, in Persian.
    await go(nat, NATIONAL, 'standards?tab=indicators', 'details.history');
    await nat.locator('details.history summary').first().click();
    await nat.waitForSelector('details.history[data-loaded] table, details.history[data-loaded] p', { timeout: 10000 });
    const hist = await nat.locator('details.history').first().innerText();
    ok(hist.includes('admin') && hist.includes('جمعیت') && hist.includes('وزن: ۱') && hist.includes('۱۴۰۵/'), 'the history of the indicators says who changed what and when', hist.slice(0, 300));
    await note(nat, 'national/indicators-history');
    await go(nat, NATIONAL, 'standards?tab=register', 'details.history');
    for (const d of await nat.locator('details.history summary').all()) await d.click();
    await nat.waitForSelector('details.history[data-table=priority_criterion][data-loaded] table', { timeout: 10000 });
    ok((await nat.locator('details.history[data-table=problem_category] tbody tr').count()) > 3, 'the history of the problem categories lists their changes',
      await nat.locator('details.history[data-table=problem_category]').innerText());
    await note(nat, 'national/register-history');
    await shot(nat, 'national-register-history');
    await go(nat, NATIONAL, 'standards?tab=units', 'text=ورود تقسیمات از پرونده');
    const uf = sec(nat, 'ورود تقسیمات از پرونده');
    await uf.locator('[name=file]').setInputFiles({ name: 'fars.csv', mimeType: 'text/csv', buffer: Buffer.from('code,name_fa,name_en,iso3166_2,population\n07,فارس,Fars,IR-07,4851300\n') });
    t = await submitIn(nat, 'ورود تقسیمات از پرونده');
    ok(t.includes('۱ واحد وارد شد'), 'national imports org units from a CSV file', t);
    await uf.locator('[name=file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('code,name_fa\n07,\n') });
    t = await submitIn(nat, 'ورود تقسیمات از پرونده');
    ok(t.length > 0 && !/[A-Za-z]{3}/.test(t.replace(/CSV/g, '')), 'a malformed CSV is refused in Persian', t);
    await go(nat, NATIONAL, 'standards?tab=units', 'details.history[data-table=orgunit]');
    await nat.locator('details.history[data-table=orgunit] summary').click();
    await nat.waitForSelector('details.history[data-table=orgunit][data-loaded] table', { timeout: 20000 });
    const uh = await nat.locator('details.history[data-table=orgunit] tbody tr').first().innerText();
    ok(uh.includes('admin') && uh.includes('فارس') && uh.includes('جمعیت: ۴٬۸۵۱٬۳۰۰'), 'the org units\' history shows the import just made, newest first', uh);
    await note(nat, 'national/units-history');
    // A unit's population, set by national one at a time, with its history.
    const pf = sec(nat, 'جمعیت یک واحد');
    await pf.locator('[name=unit]').selectOption('IR-07');
    await pf.locator('[name=population]').fill('۴۹x');
    await pf.locator('[name=population]').blur();
    ok((await pf.locator('.ferr[data-for=population]').innerText()).includes('عدد'), 'a population that is not a number is explained as it is typed');
    await pf.locator('[name=population]').fill('۴٬۹۱۴٬۰۰۰');
    t = await submitIn(nat, 'جمعیت یک واحد');
    await nat.waitForSelector('text=جمعیت ۴٬۹۱۴٬۰۰۰').catch(() => null);
    let fhist = await sec(nat, 'تاریخچه رقم‌های یک واحد').innerText();
    ok(t.includes('ثبت شد') && fhist.includes('۴٬۹۱۴٬۰۰۰') && fhist.includes('admin'), 'national sets a province\'s population; its history says who and when', fhist);
    await sec(nat, 'جمعیت واحدها از پرونده').locator('[name=file]').setInputFiles({ name: 'pop.csv', mimeType: 'text/csv', buffer: Buffer.from('code,population\nIR-07,۴۹۲۰۰۰۰\n') });
    t = await submitIn(nat, 'جمعیت واحدها از پرونده');
    ok(t.includes('جمعیت ۱ واحد ثبت شد'), 'national sets populations from a CSV file', t);
    await go(nat, NATIONAL, 'standards?tab=units&unit=IR-07', 'text=تاریخچه رقم‌های یک واحد');
    fhist = await sec(nat, 'تاریخچه رقم‌های یک واحد').innerText();
    ok(fhist.includes('۴٬۹۲۰٬۰۰۰') && fhist.includes('۴٬۹۱۴٬۰۰۰'), 'the history keeps both figures, newest first', fhist);
    await sec(nat, 'تاریخچه رقم‌های یک واحد').screenshot({ path: path.join(SHOTS, 'national-figures.png') });

    // ---- county: the standards arrive ----
    ok(await until(page, COUNTY + '/#/standards?tab=selection', 'main h1', async p => (await p.innerText('main')).includes('نسخه جاری: ۲'), 40),
      'the new selection standards reach the county');

    // ---- county: a call, from opening to decree ----
    await go(page, COUNTY, 'calls', 'text=فراخوان تازه');
    const empty = await submitIn(page, 'فراخوان تازه');
    ok(empty.includes('خطاهای فرم') && (await sec(page, 'فراخوان تازه').innerText()).includes('را وارد کنید'), 'an empty form is explained in Persian', empty);
    const f = sec(page, 'فراخوان تازه');
    await f.locator('[name=title]').fill('فراخوان جذب همیاران ۱۴۰۵');
    await f.locator('[name=opens]').fill('۱۴۰۵/۰۹/۰۱');
    await f.locator('[name=closes]').fill('۱۴۰۵/۱۲/۳۰');
    await f.locator('[name=closes]').blur();
    const why = await f.locator('.ferr[data-for=closes]').innerText();
    ok(why.includes('اسفند ۱۴۰۵ ۲۹ روز دارد'), 'a day Esfand 1405 does not have is explained as it is typed', why);
    await f.locator('[name=closes]').fill('۱۴۰۵/۰۹/۰۷'); // closes today: closing it needs no reason
    ok((await f.locator('.ferr[data-for=closes]').innerText()) === '', 'the explanation goes once the date is right');
    t = await submitIn(page, 'فراخوان تازه');
    ok(t.includes('ثبت شد'), 'a call is added', t);
    await page.click('tr.click >> nth=0');
    await page.waitForSelector('text=باز کردن فراخوان');
    await page.click('text=باز کردن فراخوان');
    t = await inDialog(page);
    ok(t.includes('انجام شد'), 'the call is opened after an in-page confirmation', t);
    await page.waitForSelector('text=ثبت متقاضی (رزومه گروه)');
    const groups = [['گروه جهادی شهید همت', '۰۹۱۲۱۱۱۱۱۱۱'], ['هیئت محبان', '۰۹۱۲۲۲۲۲۲۲۲'], ['کانون جوانان محله', '۰۹۱۲۳۳۳۳۳۳۳']];
    for (const [i, [name, phone]] of groups.entries()) {
      const a = sec(page, 'متقاضیان');
      await a.locator('[name=name]').fill(name);
      await a.locator('[name=contact]').fill('رضا احمدی');
      await a.locator('[name=phone]').fill(i === 0 ? '۰۹۱۲' : phone);
      await a.locator('[name=members]').fill('۱۲');
      if (i === 0) {
        await a.locator('[name=phone]').blur();
        ok((await a.locator('.ferr[data-for=phone]').innerText()).includes('یازده رقم'), 'a short phone number is explained as it is typed');
        await a.locator('[name=phone]').fill(phone);
        await a.locator('[name=resume]').setInputFiles({ name: 'big.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(40000, 65) });
        ok((await a.locator('.ferr[data-for=resume]').innerText()).includes('کیلوبایت'), 'a resume over the limit is refused in the page', await a.locator('.ferr[data-for=resume]').innerText());
        await a.locator('[name=resume]').setInputFiles({ name: 'resume.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% resume of the group\n%%EOF\n') });
      }
      t = await submitIn(page, 'متقاضیان');
      ok(t.includes('ثبت شد'), `applicant group ${i + 1} registers` + (i === 0 ? ' with its resume' : ''), t);
    }
    await page.click('tr:has-text("گروه جهادی شهید همت") >> text=پرونده و رزومه');
    await page.waitForSelector('text=رزومه و مدارک');
    const docLink = page.locator('a[href^="/api/v1/docs/"]');
    ok(await docLink.count() === 1 && (await docLink.innerText()) === 'resume.pdf', 'the resume is listed in the applicant file');
    await note(page, 'county/applicant');
    const docBody = await page.evaluate(async href => { const r = await fetch(href); return r.headers.get('content-type') + ' ' + (await r.text()).slice(0, 8); }, await docLink.getAttribute('href'));
    ok(docBody.startsWith('application/pdf %PDF-1.4'), 'the resume opens as the PDF it is', docBody);
    const up = page.locator('section.card', { hasText: 'رزومه و مدارک' });
    await up.locator('[name=file]').setInputFiles({ name: 'photo.exe', mimeType: 'application/octet-stream', buffer: Buffer.from([0x4d, 0x5a, 0, 1, 2]) });
    t = await submitIn(page, 'رزومه و مدارک');
    ok((await up.innerText()).includes('فقط PDF'), 'a file of another type is refused in the page', await up.innerText());
    // A program named as text passes the page's check; the node reads its first bytes and refuses it in Persian.
    await up.locator('[name=file]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from([0x4d, 0x5a, 0, 1, 2]) });
    t = await submitIn(page, 'رزومه و مدارک');
    ok(t.includes('فقط پرونده PDF'), 'the node refuses a file whose bytes are not of an allowed type, in a whole Persian sentence', t);
    await page.click('text=بازگشت به فراخوان');
    await page.waitForSelector('text=ثبت متقاضی (رزومه گروه)');
    await page.locator('tr:has-text("هیئت محبان")').first().locator('text=ثبت انصراف').click();
    t = await inDialog(page, { reason: 'اعضای گروه به شهر دیگری رفتند' });
    ok(t.includes('انجام شد') && (await page.locator('tr:has-text("هیئت محبان")').first().innerText()).includes('انصراف'), 'an applicant withdraws, with its reason, in a dialog', t);
    await page.click('text=بستن فراخوان'); await inDialog(page);
    await page.waitForSelector('text=امتیاز ارزیاب');
    // A paper resume that reached the office in time is typed in after closing, with the day it was received.
    const late = sec(page, 'متقاضیان');
    await late.locator('[name=name]').fill('گروه مردمی امید');
    await late.locator('[name=contact]').fill('زهرا کریمی');
    await late.locator('[name=phone]').fill('۰۹۱۲۴۴۴۴۴۴۴');
    await late.locator('[name=received]').fill('۱۴۰۵/۰۹/۰۸');
    await late.locator('[name=received]').blur();
    ok((await late.locator('.ferr[data-for=received]').innerText()).includes('۷ آذر ۱۴۰۵'), 'a date received after the call closed is explained as it is typed',
      await late.locator('.ferr[data-for=received]').innerText());
    await late.locator('[name=received]').fill('۱۴۰۵/۰۹/۰۳');
    t = await submitIn(page, 'متقاضیان');
    ok(t.includes('ثبت شد') && (await page.locator('tr:has-text("گروه مردمی امید")').first().innerText()).includes('۱۴۰۵/۰۹/۰۳'),
      'an application received in time is typed in after closing, dated the day it was received', t);
    // A review saved as a draft is marked and not counted; one that lacks criteria and is not a draft is refused.
    const rd = sec(page, 'امتیاز ارزیاب');
    await rd.locator('[name=applicant]').selectOption({ label: 'گروه مردمی امید' });
    await rd.locator('[name=r_experience]').fill('۸');
    t = await submitIn(page, 'امتیاز ارزیاب');
    ok(t.includes('امتیاز همه معیارها داده نشده'), 'a review lacking criteria is refused in Persian unless it is a draft', t);
    await rd.locator('[name=draft]').selectOption('1');
    t = await submitIn(page, 'امتیاز ارزیاب');
    ok(t.includes('ثبت شد') && (await secIs(page, 'ارزیابی‌ها').innerText()).includes('پیش‌نویس — شمرده نمی‌شود'), 'a review saved as a draft is marked as not counted', t);
    for (const name of ['گروه جهادی شهید همت', 'کانون جوانان محله', 'گروه مردمی امید']) {
      const r = sec(page, 'امتیاز ارزیاب');
      await r.locator('[name=applicant]').selectOption({ label: name });
      for (const inp of await r.locator('input').all()) await inp.fill('۹');
      t = await submitIn(page, 'امتیاز ارزیاب');
      ok(t.includes('ثبت شد'), `a reviewer scores ${name}`, t);
    }
    ok(!(await secIs(page, 'ارزیابی‌ها').innerText()).includes('پیش‌نویس'), 'the draft, completed, is a final review');
    const r0 = sec(page, 'امتیاز ارزیاب');
    await r0.locator('[name=r_experience]').fill('۱۲');
    await r0.locator('[name=r_experience]').blur();
    ok((await r0.locator('.ferr[data-for=r_experience]').innerText()).includes('بیشتر از ۱۰'), 'a score above the criterion\'s bound is explained as it is typed');
    await page.click('text=پایان بررسی'); await inDialog(page);
    await page.waitForSelector('h2:has-text("امتیاز مصاحبه")');
    for (const name of ['گروه جهادی شهید همت', 'کانون جوانان محله', 'گروه مردمی امید']) {
      const iv = sec(page, 'زمان‌بندی مصاحبه');
      await iv.locator('[name=applicant]').selectOption({ label: name });
      await iv.locator('[name=date]').fill('۱۴۰۵/۰۹/۰۷'); // today: held and scored at once
      await iv.locator('[name=time]').fill('۱۰:۰۰');
      await iv.locator('[name=panel]').fill('دبیر و نماینده فرمانداری');
      t = await submitIn(page, 'زمان‌بندی مصاحبه');
      ok(t.includes('ثبت شد'), `an interview is scheduled for ${name}`, t);
    }
    await page.locator('section.card:has(h2:has-text("مصاحبه‌ها")) tr:has-text("کانون جوانان محله")').locator('text=ثبت غیبت').click();
    t = await inDialog(page);
    ok(t.includes('انجام شد') && (await sec(page, 'مصاحبه‌ها').innerText()).includes('غیبت'), 'an interview no-show is recorded', t);
    for (const [name, score] of [['گروه جهادی شهید همت', '9'], ['گروه مردمی امید', '7']]) {
      const is = sec(page, 'امتیاز مصاحبه');
      await is.locator('[name=applicant]').selectOption({ label: name });
      for (const inp of await is.locator('input').all()) await inp.fill(score);
      t = await submitIn(page, 'امتیاز مصاحبه');
      ok(t.includes('ثبت شد'), `the interview of ${name} is scored`, t);
    }
    const rank = await sec(page, 'رتبه‌بندی و تعیین صلاحیت').innerText();
    ok(rank.includes('در مصاحبه حاضر نشد') && rank.includes('انصراف داده') && rank.includes('واجد شرایط'), 'the ranking explains in Persian who is not qualified and why', rank);
    await shot(page, 'call-ranked');
    await note(page, 'county/call');
    await page.click('text=انتخاب و صدور حکم'); await inDialog(page);
    await page.waitForSelector('text=مشاهده حکم');
    await page.click('text=مشاهده حکم');
    await page.waitForSelector('#decree');
    const decree = await page.innerText('#decree');
    ok(/IR-۰۷-۰۳\/۱۴۰۵\/۰{3}۱/.test(decree) && decree.includes('۱۴۰۵') && !/[0-9]/.test(decree), 'the decree has its number and dates in Persian digits', decree.slice(0, 300));
    ok(decree.includes('گروه جهادی شهید همت'), 'the decree names the group');
    await note(page, 'county/decree');
    await page.emulateMedia({ media: 'print' });
    await shot(page, 'decree-print');
    await page.emulateMedia({ media: null });
    const pdf = path.join(SHOTS, 'decree.pdf');
    await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
    ok(pdfPages(pdf) === 1, 'the decree prints on one A4 page', pdfPages(pdf));
    ok(/Vazirmatn/i.test(pdfFonts(pdf)), 'the printed decree embeds the node\'s font', pdfFonts(pdf).split('\n').slice(2, 4).join(' '));
    const [print] = await Promise.all([ctx.waitForEvent('page'), page.click('#print-link')]);
    await print.waitForLoadState();
    ok(await print.getAttribute('html', 'dir') === 'rtl' && (await print.innerText('body')).includes('گروه جهادی شهید همت'), 'the separate print view is RTL and names the group');
    await print.close();

    // ---- the printable call announcement ----
    await go(page, COUNTY, 'calls', 'tr.click');
    await page.click('tr.click >> nth=0');
    await page.click('text=متن فراخوان برای چاپ');
    await page.waitForSelector('.sheet');
    const call = await page.innerText('.sheet');
    ok(call.includes('فراخوان جذب همیاران اجتماعی') && call.includes('۱ آذر ۱۴۰۵') && call.includes('معیارهای بررسی رزومه'), 'the call announcement is a printable sheet', call.slice(0, 200));
    const cpdf = path.join(SHOTS, 'call.pdf');
    await page.pdf({ path: cpdf, format: 'A4', preferCSSPageSize: true });
    ok(pdfPages(cpdf) === 1, 'the call announcement prints on one A4 page', pdfPages(cpdf));

    // ---- a problem at the county, on the province's dashboard after sync ----
    await go(page, COUNTY, 'issues', 'text=ثبت مسئله تازه');
    const is2 = sec(page, 'ثبت مسئله تازه');
    await is2.locator('[name=title]').fill('اعتیاد در حاشیه شهر');
    await is2.locator('[name=category]').selectOption({ label: 'اعتیاد' });
    await is2.locator('[name=people]').fill('۲۵۰');
    t = await submitIn(page, 'ثبت مسئله تازه');
    ok(t.includes('ثبت شد') && (await sec(page, 'مسائل ثبت‌شده').innerText()).includes('اعتیاد'), 'a problem is recorded at the county, its category by name', t);

    // ---- the register: a session scores the problem, a solution goes to the county council and is returned,
    // revised and sent to the provincial council, which approves it; an intervention runs and is evaluated ----
    await go(page, COUNTY, 'sessions', 'text=ثبت جلسه');
    const fr = await formRows(page, 'ثبت جلسه');
    ok(fr.wrapped >= 1 && fr.rows >= 3 && fr.off === 0, 'a long label wraps onto two lines and every row of the form keeps its fields in line', JSON.stringify(fr));
    const ss = sec(page, 'ثبت جلسه');
    const ph = await ss.locator('[name=date]').getAttribute('placeholder');
    ok(ph.includes('مثلاً ۱۴۰۵/۰۹/۰۷') && await ss.locator('[name=date]').inputValue() === '', 'an empty date field shows an example said to be one, not what reads as a date filled in', ph);
    await ss.locator('[name=date]').fill('۱۴۰۵/۰۹/۰۵');
    await ss.locator('[name=place]').fill('حسینیه محله');
    await ss.locator('[name=participants]').fill('۴۵');
    t = await submitIn(page, 'ثبت جلسه');
    ok(t.includes('ثبت شد'), 'a deliberation session is recorded', t);
    const sc = sec(page, 'امتیاز ذی‌نفعان به مسئله');
    await sc.locator('[name=issue]').selectOption({ label: 'اعتیاد در حاشیه شهر' });
    await sc.locator('[name=group]').fill('خانواده‌ها');
    for (const inp of await sc.locator('input[name^=c_]').all()) await inp.fill('۴');
    t = await submitIn(page, 'امتیاز ذی‌نفعان به مسئله');
    ok(t.includes('ثبت شد'), 'stakeholders score the problem', t);
    // The problem opens from the register: what was recorded, the mean of each criterion, the session's scores.
    await go(page, COUNTY, 'issues', 'text=مسائل ثبت‌شده');
    await sec(page, 'مسائل ثبت‌شده').locator('tr.click:has-text("اعتیاد در حاشیه شهر")').click();
    await page.waitForSelector('text=میانگین امتیاز ذی‌نفعان به تفکیک معیار');
    const issueText = await page.innerText('main');
    ok((await page.innerText('main h1')).includes('اعتیاد در حاشیه شهر') && issueText.includes('۲۵۰') && issueText.includes('۴ از ۵') &&
      (await secIs(page, 'امتیازهای داده‌شده در جلسات').innerText()).includes('خانواده‌ها') && issueText.includes('۱۴۰۵/۰۹/۰۵'),
      'a problem opens from the register: its people, the mean on each criterion and the scores of its session', issueText.slice(0, 500));
    await note(page, 'county/issue');
    await shot(page, 'county-issue');
    // A session opens from its list, a button in its row does not open it.
    await go(page, COUNTY, 'sessions', 'text=ثبت جلسه');
    const sRow = sec(page, 'جلسات').locator('tr.click:has-text("حسینیه محله")');
    await sRow.locator('button').first().click();
    await page.locator('dialog.dlg').waitFor();
    const stayed = page.url().endsWith('#/sessions');
    await page.locator('dialog.dlg button:has-text("انصراف")').click();
    ok(stayed, 'a button in a session\'s row opens its dialog, not the session', page.url());
    await sRow.locator('td').first().click();
    await page.waitForSelector('text=امتیازهای این جلسه');
    const sText = await page.innerText('main');
    ok((await page.innerText('main h1')).includes('حسینیه محله') && sText.includes('۴۵') && (await secIs(page, 'امتیازهای این جلسه').innerText()).includes('اعتیاد در حاشیه شهر'),
      'a session opens from its list: its place, participants and the scores given in it', sText.slice(0, 400));
    await note(page, 'county/session');
    if (process.env.E2E_SHOTS === 'all') await shot(page, 'county-session');
    await go(page, COUNTY, 'issues', 'text=مسائل ثبت‌شده');
    ok((await secIs(page, 'مسائل ثبت‌شده').innerText()).includes('اولویت‌بندی شده'), 'the problem is prioritised');
    await go(page, COUNTY, 'solutions', 'text=پیشنهاد راه‌حل اجرایی');
    const so = sec(page, 'پیشنهاد راه‌حل اجرایی');
    await so.locator('[name=title]').fill('کارگاه پیشگیری با خانواده‌ها');
    await so.locator('[name=bodies]').fill('بهزیستی، آموزش و پرورش');
    await so.locator('[name=budget]').fill('۵۰۰٬۰۰۰٬۰۰۰');
    t = await submitIn(page, 'پیشنهاد راه‌حل اجرایی');
    ok(t.includes('ثبت شد'), 'a solution is proposed', t);
    await page.click('button:has-text("ارسال به شورا")');
    t = await inDialog(page, { council: 'county', date: '۱۴۰۵/۰۹/۰۶' });
    ok(t.includes('انجام شد'), 'the solution goes to the county council', t);
    const cd = sec(page, 'ثبت مصوبه شورا');
    await cd.locator('[name=decision]').selectOption('returned');
    await cd.locator('[name=date]').fill('۱۴۰۵/۰۹/۰۷');
    await cd.locator('[name=conditions]').fill('برآورد هزینه کمتر شود.');
    t = await submitIn(page, 'ثبت مصوبه شورا');
    ok(t.includes('ثبت شد') && (await secIs(page, 'راه‌حل‌ها').innerText()).includes('برگشت خورده'), 'the county council returns it', t);
    await page.click('button:has-text("اصلاح و پیشنهاد دوباره")');
    t = await inDialog(page, { budget: '۳۰۰٬۰۰۰٬۰۰۰' });
    ok(t.includes('انجام شد') && (await secIs(page, 'راه‌حل‌ها').innerText()).includes('۳۰۰٬۰۰۰٬۰۰۰'), 'the solution is revised with a smaller budget', t);
    await page.click('button:has-text("ارسال به شورا")');
    t = await inDialog(page, { council: 'province' });
    ok(t.includes('انجام شد') && (await secIs(page, 'راه‌حل‌ها').innerText()).includes('در شورا'), 'the revised solution goes to the provincial council', t);
    await login(prov, PROVINCE);
    ok(await until(prov, PROVINCE + '/#/solutions', 'main h1', async p => (await p.locator('text=ثبت مصوبه شورا').count()) > 0, 90), 'the solution reaches the provincial council');
    const pd = sec(prov, 'ثبت مصوبه شورا');
    await pd.locator('[name=decision]').selectOption('approved');
    await pd.locator('[name=date]').fill('۱۴۰۵/۰۹/۰۸');
    await pd.locator('[name=resolution]').fill('۱۲/۴۰۵');
    t = await submitIn(prov, 'ثبت مصوبه شورا');
    ok(t.includes('تصمیم شورا') && t.includes('۰۸') && !/[A-Za-z]/.test(t), 'a decision dated after today is refused in a whole Persian sentence', t);
    await pd.locator('[name=date]').fill('۱۴۰۵/۰۹/۰۷');
    t = await submitIn(prov, 'ثبت مصوبه شورا');
    ok(t.includes('ثبت شد') && (await secIs(prov, 'مصوبات').innerText()).includes('تصویب'), 'the provincial council approves it', t);
    // The approval lost once (issue 14): shown in the page yet in neither database afterwards.  Read by another
    // connection it is committed at once, and it is still in both databases at the end of the walk.
    ok(committed('IR-07', APPROVED) === '1', 'the approval is committed in the province\'s database as soon as the page says so', committed('IR-07', APPROVED));
    ok(await until(page, COUNTY + '/#/interventions', 'main h1', async p => (await p.locator('text=آغاز مداخله برای راه‌حل مصوب').count()) > 0, 90), 'the approval reaches the county');
    const iv0 = sec(page, 'آغاز مداخله برای راه‌حل مصوب');
    await iv0.locator('[name=title]').fill('مداخله پیشگیری از اعتیاد');
    t = await submitIn(page, 'آغاز مداخله برای راه‌حل مصوب');
    ok(t.includes('ثبت شد'), 'an intervention starts for the approved solution', t);
    for (const st of ['needs', 'priority', 'planning', 'implementation', 'evaluation']) {
      const sg = sec(page, 'ثبت مرحله');
      if (st === 'needs') ok((await sg.innerText()).includes('مرحله با تاریخ پایانش انجام‌شده شمرده می‌شود'), 'the stage form says a stage counts as done with its end date');
      await sg.locator('[name=stage]').selectOption(st);
      await sg.locator('[name=start]').fill('۱۴۰۵/۰۹/۰۱');
      await sg.locator('[name=end]').fill('۱۴۰۵/۰۹/۰۵');
      await sg.locator('[name=participants]').fill('۳۰');
      t = await submitIn(page, 'ثبت مرحله');
      if (!t.includes('ثبت شد')) break;
    }
    const ivRow = await sec(page, 'مداخلات').locator('tbody tr').first().innerText();
    ok(t.includes('ثبت شد') && ivRow.includes('پایان یافته') && ivRow.includes('۱۰۰'), 'the intervention goes through its five stages, each ended: done, 100%', t + ' ' + ivRow);
    await sec(page, 'مداخلات').locator('tbody tr').first().click();
    await page.waitForSelector('h2:text-is("مراحل")');
    const stages = await secIs(page, 'مراحل').locator('tbody tr').allInnerTexts();
    ok(stages.length === 5 && stages.every(x => x.includes('انجام شد') && x.includes('۱۴۰۵/۰۹/۰۵') && x.includes('۳۰')), 'an intervention opens from its list: each stage with its dates and participants', stages.join(' | '));
    await note(page, 'county/intervention');
    if (process.env.E2E_SHOTS === 'all') await shot(page, 'county-intervention');
    await go(page, COUNTY, 'interventions', 'text=ثبت مرحله');
    const ev = sec(page, 'ارزشیابی (نقاط قوت و ضعف)');
    await ev.locator('[name=evaluator]').fill('کارشناس دبیرخانه');
    await ev.locator('[name=date]').fill('۱۴۰۵/۰۹/۰۷');
    await ev.locator('[name=strengths]').fill('مشارکت خوب خانواده‌ها');
    await ev.locator('[name=weaknesses]').fill('کمبود مربی');
    t = await submitIn(page, 'ارزشیابی (نقاط قوت و ضعف)');
    ok(t.includes('ثبت شد') && (await secIs(page, 'ارزشیابی‌ها').innerText()).includes('کمبود مربی'), 'the intervention is evaluated', t);
    await go(page, COUNTY, 'solutions', 'text=راه‌حل‌ها');
    await page.click('button:has-text("بستن")');
    t = await inDialog(page, { reason: 'مداخله انجام و ارزشیابی شد' });
    ok(t.includes('انجام شد') && (await secIs(page, 'راه‌حل‌ها').innerText()).includes('بسته شده'), 'the evaluated solution is closed with its reason', t);
    await shot(page, 'county-interventions');

    // ---- records linked: a key local actor registered (contact shown with consent), the appointed group
    // attached to the intervention, and the group's work listed ----
    await go(page, COUNTY, 'groups', 'text=ثبت کنشگر کلیدی');
    const ka = sec(page, 'ثبت کنشگر کلیدی');
    await ka.locator('[name=name]').fill('حاج علی رضایی');
    await ka.locator('[name=role]').fill('معتمد محل');
    await ka.locator('[name=neighbourhood]').fill('محله سعدی');
    await ka.locator('[name=contact]').fill('۰۹۱۷۱۱۱۲۲۳۳');
    await ka.locator('[name=consent]').selectOption('yes');
    t = await submitIn(page, 'ثبت کنشگر کلیدی');
    const actorsText = await sec(page, 'کنشگران کلیدی و معتمدین محلی').innerText();
    ok(t.includes('ثبت شد') && actorsText.includes('معتمد محل') && actorsText.includes('۰۹۱۷۱۱۱۲۲۳۳'), 'a key local actor is registered, its phone shown with consent', t + ' ' + actorsText);
    await sec(page, 'کنشگران کلیدی و معتمدین محلی').locator('tr:has-text("حاج علی رضایی") button:has-text("ویرایش")').click();
    t = await inDialog(page, { neighbourhood: 'محله سعدی و حافظیه' });
    ok(t.includes('انجام شد') && (await sec(page, 'کنشگران کلیدی و معتمدین محلی').innerText()).includes('محله سعدی و حافظیه') &&
      committed('IR-07-03', "SELECT contact FROM actor WHERE name = 'حاج علی رضایی'") === '09171112233', 'a key actor is edited in a dialog, the phone kept', t);
    const gl = sec(page, 'پیوستن گروه همیار به یک کار');
    await gl.locator('[name=group]').selectOption({ index: 1 });
    await gl.locator('[name=record]').selectOption({ label: 'مداخله: مداخله پیشگیری از اعتیاد' });
    t = await submitIn(page, 'پیوستن گروه همیار به یک کار');
    const groupsText = await sec(page, 'کار گروه‌های همیار').innerText();
    ok(t.includes('ثبت شد') && groupsText.includes('گروه جهادی شهید همت'), 'the appointed group is attached to the intervention', t + ' ' + groupsText);
    await page.click('tr.click:has-text("گروه جهادی شهید همت")');
    await page.waitForSelector('text=کار گروه همیار «گروه جهادی شهید همت»');
    ok((await sec(page, 'مداخلات').innerText()).includes('مداخله پیشگیری از اعتیاد'), 'the group\'s work lists the intervention');
    await shot(page, 'county-group-work');

    // ---- organisations: registered, introduced, retired after a dialog (cancelled once); the retired one is listed
    // apart, introduced no more, and the register summary's figures count only the active ones ----
    await go(page, COUNTY, 'orgs', 'text=ثبت تشکل');
    for (const name of ['کانون فرهنگی مسجد جامع', 'خیریه محله سعدی']) {
      await sec(page, 'ثبت تشکل').locator('[name=name]').fill(name);
      t = await submitIn(page, 'ثبت تشکل');
    }
    const orgKpi = () => page.locator('#org-kpi b').allInnerTexts();
    ok(t.includes('ثبت شد') && (await orgKpi()).join(' ') === '۲ ۰ ۰', 'two organisations are registered and counted active', t + ' ' + (await orgKpi()).join(' '));
    await secIs(page, 'تشکل‌های فعال').locator('tr:has-text("کانون فرهنگی مسجد جامع") button:has-text("ویرایش")').click();
    ok(await page.locator('dialog.dlg [name=name]').inputValue() === 'کانون فرهنگی مسجد جامع', 'an organisation\'s edit opens with its values');
    t = await inDialog(page, { field: 'فرهنگی و قرآنی', kind: 'religious' });
    ok(t.includes('انجام شد') && (await secIs(page, 'تشکل‌های فعال').locator('tr:has-text("کانون فرهنگی مسجد جامع")').innerText()).includes('فرهنگی و قرآنی') &&
      committed('IR-07-03', "SELECT kind || ' ' || field FROM organisation WHERE name = 'کانون فرهنگی مسجد جامع'") === 'religious فرهنگی و قرآنی', 'an organisation is edited in a dialog', t);
    const oi = sec(page, 'معرفی به دستگاه‌ها');
    await oi.locator('[name=org]').selectOption({ label: 'خیریه محله سعدی' });
    await oi.locator('[name=body]').fill('بهزیستی شهرستان');
    t = await submitIn(page, 'معرفی به دستگاه‌ها');
    ok(t.includes('ثبت شد') && (await sec(page, 'معرفی‌ها').innerText()).includes('بهزیستی شهرستان'), 'an organisation is introduced to a body', t);
    const retireBtn = () => secIs(page, 'تشکل‌های فعال').locator('tr:has-text("خیریه محله سعدی") button:has-text("کنار گذاشتن")');
    await retireBtn().click();
    await page.locator('dialog.dlg').waitFor();
    await page.locator('dialog.dlg button:has-text("انصراف")').click();
    ok(await page.locator('dialog.dlg').count() === 0 && await retireBtn().count() === 1 && committed('IR-07-03', "SELECT active FROM organisation WHERE name = 'خیریه محله سعدی'") === '1',
      'retiring is asked first; cancelled, nothing changes');
    await retireBtn().click();
    t = await inDialog(page);
    const goneText = await secIs(page, 'تشکل‌های کنار گذاشته').innerText().catch(() => '');
    ok(t.includes('کنار گذاشته شد') && goneText.includes('خیریه محله سعدی') && goneText.includes('۱۴۰۵/۰۹/۰۷') && !(await secIs(page, 'تشکل‌های فعال').innerText()).includes('خیریه محله سعدی'),
      'the retired organisation is listed apart, dated', t + ' ' + goneText);
    ok(committed('IR-07-03', "SELECT active || ' ' || retired FROM organisation WHERE name = 'خیریه محله سعدی'") === '0 2026-11-28', 'the retirement is committed, dated today',
      committed('IR-07-03', "SELECT active || ' ' || retired FROM organisation WHERE name = 'خیریه محله سعدی'"));
    ok((await orgKpi()).join(' ') === '۱ ۱ ۱', 'the register summary counts it retired, not active (its introduction still counted)', (await orgKpi()).join(' '));
    const introOpts = await sec(page, 'معرفی به دستگاه‌ها').locator('[name=org] option').allInnerTexts();
    ok(!introOpts.includes('خیریه محله سعدی') && introOpts.includes('کانون فرهنگی مسجد جامع'), 'a retired organisation is offered for introduction no more', introOpts.join('|'));
    ok((await sec(page, 'معرفی‌ها').locator('tr:has-text("خیریه محله سعدی")').innerText()).includes('کنار گذاشته'), 'its introductions say it is retired');
    await shot(page, 'county-orgs');

    // ---- a report: county drafts and submits, the province returns it, the county revises, the province accepts ----
    ok(await until(page, COUNTY + '/#/reports', 'main h1', async p => (await p.innerText('main')).includes('گزارش تازه: گزارش ماهانه همیاران'), 90), 'the report template reaches the county');
    const rf = sec(page, 'گزارش تازه');
    ok((await rf.locator('[name=period] option').first().innerText()) === 'آبان ۱۴۰۵', 'periods are offered by month name', await rf.locator('[name=period] option').first().innerText());
    await rf.locator('[name=v_f1]').fill('۳');
    await rf.locator('[name=v_f2]').fill('سه جلسه هم‌اندیشی در محله برگزار شد.');
    await rf.locator('[name=submit]').selectOption('0');
    t = await submitIn(page, 'گزارش تازه');
    ok(t.includes('ثبت شد') && (await secIs(page, 'گزارش‌ها').innerText()).includes('پیش‌نویس'), 'the county saves a report as a draft', t);
    const offered = await sec(page, 'گزارش تازه').locator('[name=period] option').allInnerTexts();
    ok(!offered.includes('آبان ۱۴۰۵') && offered.includes('مهر ۱۴۰۵'), 'a period already reported (the draft\'s) is offered no more, the others still are', offered.join('|'));
    await page.click('text=مشاهده و اصلاح');
    await page.waitForSelector('text=تکمیل پیش‌نویس');
    await sec(page, 'تکمیل پیش‌نویس').locator('[name=v_f1]').fill('۴');
    t = await submitIn(page, 'تکمیل پیش‌نویس');
    ok(t.includes('ثبت شد') && (await page.innerText('.sheet')).includes('۴'), 'the draft is edited', t);
    await page.click('text=ارسال برای بررسی'); t = await inDialog(page);
    ok(t.includes('ارسال شد'), 'the county submits the report', t);
    ok(await until(prov, PROVINCE + '/#/reports', 'main h1', async p => (await p.locator('text=مشاهده و بررسی').count()) > 0, 90), 'the report reaches the province for review');
    await prov.click('text=مشاهده و بررسی');
    await prov.waitForSelector('text=بررسی گزارش');
    const seen = await prov.innerText('.sheet');
    ok(seen.includes('جلسات هم‌اندیشی') && seen.includes('۴') && seen.includes('سه جلسه'), 'the province reads the report\'s contents before deciding', seen);
    await prov.click('text=برگشت برای اصلاح');
    const dlg = prov.locator('dialog.dlg');
    await dlg.locator('.actions button').first().click();
    ok((await dlg.innerText()).includes('را وارد کنید'), 'returning a report needs a note, asked for in the page');
    t = await inDialog(prov, { note: 'شمار شرکت‌کنندگان هر جلسه را هم بنویسید.' });
    ok(t.includes('برگشت داده شد'), 'the province returns the report with a note', t);
    ok(await until(page, COUNTY + '/#/reports', 'main h1', async p => (await secIs(p, 'گزارش‌ها').innerText()).includes('برگشت برای اصلاح'), 90), 'the county sees the report returned');
    await page.click('text=مشاهده و اصلاح');
    await page.waitForSelector('text=اصلاح گزارش برگشت‌خورده');
    ok((await page.innerText('.sheet')).includes('شمار شرکت‌کنندگان'), 'the county reads the province\'s note');
    const rv = sec(page, 'اصلاح گزارش برگشت‌خورده');
    await rv.locator('[name=v_f2]').fill('سه جلسه با ۴۵ شرکت‌کننده برگزار شد.');
    await rv.locator('[name=reason]').fill('افزودن شمار شرکت‌کنندگان');
    t = await submitIn(page, 'اصلاح گزارش برگشت‌خورده');
    ok(t.includes('ثبت شد'), 'the county revises and submits the report again', t);
    ok(await until(prov, PROVINCE + '/#/reports', 'main h1', async p => (await p.locator('text=مشاهده و بررسی').count()) > 0 && (await p.innerText('main')).includes('آبان ۱۴۰۵'), 90), 'the revision reaches the province');
    await prov.click('text=مشاهده و بررسی');
    await prov.waitForSelector('text=بررسی گزارش');
    ok((await prov.innerText('.sheet')).includes('۴۵'), 'the province reads the revision');
    await note(prov, 'province/report');
    await prov.click('button:has-text("پذیرش")');
    t = await inDialog(prov);
    ok(t.includes('پذیرفته شد'), 'the province accepts the report', t);
    const rpdf = path.join(SHOTS, 'report.pdf');
    await prov.pdf({ path: rpdf, format: 'A4', preferCSSPageSize: true });
    ok(pdfPages(rpdf) === 1, 'the report\'s printable view is one page', pdfPages(rpdf));
    await go(prov, PROVINCE, 'reports', 'text=تأیید دوره');
    const ap = sec(prov, 'تأیید دوره');
    await ap.locator('[name=unit]').selectOption('IR-07-03');
    await ap.locator('[name=period]').selectOption('1405-08');
    t = await submitIn(prov, 'تأیید دوره');
    ok(t.includes('ثبت شد') && (await sec(prov, 'تأیید دوره').innerText()).includes('آبان ۱۴۰۵'), 'the province approves the county\'s period', t);

    // ---- revocation: marked in the list and on the decree ----
    await go(page, COUNTY, 'appointments', 'text=احکام صادرشده');
    await page.click('text=مشاهده و چاپ');
    await page.waitForSelector('text=لغو انتصاب');
    await sec(page, 'لغو انتصاب').locator('[name=reason]').fill('عدم فعالیت');
    await submitIn(page, 'لغو انتصاب');
    await go(page, COUNTY, 'appointments', 'text=احکام صادرشده');
    ok((await sec(page, 'احکام صادرشده').innerText()).includes('لغو شده'), 'a revoked decree is marked in the list');
    await page.click('text=مشاهده و چاپ');
    await page.waitForSelector('#decree');
    ok((await page.locator('#decree.is-revoked').count()) === 1 && (await page.innerText('main')).includes('لغو شده'), 'the revoked decree is marked on itself');

    // ---- the waiting list: after the call is completed, the freed place goes to the next ranked group ----
    await go(page, COUNTY, 'calls', 'tr.click');
    await page.click('tr.click >> nth=0');
    await page.waitForSelector('text=تکمیل فراخوان');
    await page.click('text=تکمیل فراخوان'); await inDialog(page);
    await page.waitForSelector('text=فهرست انتظار');
    ok((await sec(page, 'رتبه‌بندی و تعیین صلاحیت').innerText()).includes('«گروه جهادی شهید همت»'), 'the completed call says whose place is free');
    const rankRow = () => sec(page, 'رتبه‌بندی و تعیین صلاحیت').locator('tr:has-text("گروه مردمی امید")').first();
    await rankRow().locator('text=جایگزینی از فهرست انتظار').click();
    t = await inDialog(page);
    ok(t.includes('انجام شد') && !(await sec(page, 'رتبه‌بندی و تعیین صلاحیت').innerText()).includes('فهرست انتظار'), 'the next ranked group is appointed in the freed place, which is free no more', t);
    await shot(page, 'call-waiting-list');
    ok((await sec(page, 'رتبه‌بندی و تعیین صلاحیت').locator('tr:has-text("گروه جهادی شهید همت")').first().innerText()).includes('لغو شده'), 'the ranking shows the replaced group\'s decree revoked');
    await rankRow().locator('text=مشاهده حکم').click();
    await page.waitForSelector('#decree');
    const repl = await page.innerText('#decree');
    ok(repl.includes('گروه مردمی امید') && repl.includes('به جای') && repl.includes('گروه جهادی شهید همت'), 'its decree says whose place it takes', repl.slice(0, 400));
    await note(page, 'county/decree-replacement');
    await go(page, COUNTY, 'groups', 'text=کار گروه‌های همیار');
    const revokedBg = await sec(page, 'کار گروه‌های همیار').locator('tr:has-text("گروه جهادی شهید همت") .tag').evaluate(e => getComputedStyle(e).backgroundColor);
    ok(revokedBg === 'rgb(253, 236, 234)', 'the revoked group is tagged red among the groups, as its decree is', revokedBg);

    // ---- the province dashboard ----
    let seenN = '';
    for (let i = 0; i < 40; i++) {
      await go(prov, PROVINCE, 'dashboard', '.kpi');
      seenN = await prov.locator('.kpi div').nth(1).locator('b').innerText();
      if (seenN !== '۰') break;
      await sleep(1000);
    }
    ok(seenN === '۱', 'the province dashboard counts the county problem after sync', seenN);
    ok((await prov.innerText('main')).includes('تازگی داده'), 'every figure has a freshness stamp');
    const rowsP = await prov.locator('section.card:has(h2:has-text("انتصاب همیاران")) .brow').count();
    ok(rowsP >= 30, 'the province chart draws every county, not twelve', rowsP);
    await shot(prov, 'province-dashboard');
    await go(nat, NATIONAL, 'dashboard', '.kpi');
    await shot(nat, 'national-dashboard');
    const rowsN = await nat.locator('section.card:has(h2:has-text("انتصاب همیاران")) .brow').count();
    ok(rowsN === 31, 'the national chart draws all 31 provinces', rowsN);
    await nat.locator('#units select').selectOption({ label: 'فارس' }).catch(() => null);
    await nat.locator('#units input[type=search]').fill('فارس');
    ok((await nat.locator('#units tbody tr:not([hidden])').count()) === 1, 'the units table is searchable');
    await nat.locator('#units tbody tr:not([hidden])').first().click();
    await nat.waitForSelector('text=بازگشت به سطح بالاتر');
    ok((await nat.innerText('h1')).includes('فارس'), 'a province drills down from the national dashboard by name', await nat.innerText('h1'));

    // ---- the walk: every page at every level ----
    const pages = ['dashboard', 'calls', 'appointments', 'issues', 'sessions', 'solutions', 'interventions', 'groups', 'orgs', 'reports', 'allocation?budget=1000000000',
      'standards?tab=selection', 'standards?tab=register', 'standards?tab=templates', 'standards?tab=indicators', 'standards?tab=units', 'admin'];
    // The three levels at once, each in its own page (the walk only reads).
    await Promise.all([['county', COUNTY, page], ['province', PROVINCE, prov], ['national', NATIONAL, nat]].map(async ([lv, base, pg]) => {
      for (const p of pages) {
        await go(pg, base, p);
        await note(pg, `${lv}/${p}`);
        // E2E_SHOTS=all keeps a screenshot of every page of the walk, for a person to look at.
        if (process.env.E2E_SHOTS === 'all' || p === 'dashboard' || p === 'reports' || p === 'allocation?budget=1000000000') await shot(pg, `${lv}-${p.replace(/\?tab=/, '-').replace(/\?.*/, '')}`);
      }
    }));
    // Completeness shows the not-submitted and unknown columns and each unit's freshness; the allocation
    // page offers the choice about units whose data is unknown here.
    await go(nat, NATIONAL, 'reports', 'text=کامل بودن گزارش‌ها');
    const ctxt = await nat.innerText('main');
    ok(['ارسال‌نشده', 'نامعلوم', 'تازگی داده'].every(w => ctxt.includes(w)), 'completeness: not submitted, unknown and freshness columns', ctxt.slice(0, 200));
    const iso = /[0-9۰-۹]{4}-[0-9۰-۹]{2}-[0-9۰-۹]{2}/;
    ok(!iso.test(ctxt), 'completeness: dates are Jalali with slashes, never ISO dashes', (iso.exec(ctxt) || [''])[0]);
    await go(nat, NATIONAL, 'allocation?budget=1000000000', 'select[name=unknown]');
    ok((await nat.locator('select[name=unknown] option').count()) === 3, 'allocation: refuse, exclude or zero for units whose data is unknown');
    // The budget is grouped in Persian as it is typed; the result table goes by share, largest first, like the chart.
    const bi = nat.locator('input[name=budget]');
    await bi.fill('');
    await bi.pressSequentially('25000000000');
    ok(await bi.inputValue() === '۲۵٬۰۰۰٬۰۰۰٬۰۰۰', 'the budget shows Persian digits and separators as it is typed', await bi.inputValue());
    await nat.locator('select[name=unknown]').selectOption('exclude');
    await nat.locator('section.card:has(h2:has-text("محاسبه سهم")) button[type=submit]').click();
    await nat.waitForSelector('#alloc-table tbody tr', { timeout: 15000 });
    const shares = await nat.locator('#alloc-table tbody tr').evaluateAll(trs => trs.map(tr => +tr.children[2].textContent.replace(/[۰-۹]/g, d => '۰۱۲۳۴۵۶۷۸۹'.indexOf(d)).replace(/[^0-9]/g, '')));
    ok(shares.length > 1 && shares.every((v, i) => i === 0 || shares[i - 1] >= v), 'the allocation table is sorted by share, largest first', shares.slice(0, 6).join(' '));
    const at = await nat.innerText('main');
    ok(!/population/.test(at) && at.includes('جمعیت'), 'no indicator code on the allocation page, its Persian title instead', at.slice(0, 300));
    ok(!iso.test(at) && /قدیمی‌ترین داده: .* [۰-۹]{4}\/[۰-۹]{2}\/[۰-۹]{2}/.test(at), 'allocation: the freshness line dates in Jalali with Persian digits, not ISO', (/قدیمی‌ترین داده:[^\n]*/.exec(at) || [''])[0]);
    await shot(nat, 'national-allocation-result');

    // ---- other roles: the admin adds a viewer and a reviewer in the page; each walks every page ----
    await go(page, COUNTY, 'admin', 'text=کاربر تازه');
    const uf2 = sec(page, 'کاربران');
    await uf2.locator('[name=name]').fill('Vera K');
    await uf2.locator('[name=name]').blur();
    ok((await uf2.locator('.ferr[data-for=name]').innerText()).includes('حرف کوچک لاتین'), 'a bad login name is explained as it is typed');
    t = await submitIn(page, 'کاربران');
    ok((await uf2.locator('.ferr[data-for=role]').innerText()).includes('نقش') && await uf2.locator('[name=role]').inputValue() === '', 'a new user\'s role is chosen, never admin by default', t);
    ok(!(await page.locator('main h2').allInnerTexts()).includes('افزودن همتا') && (await page.locator('main h2').allInnerTexts()).includes('ثبت کلید همتا (دستی)'),
      'a county, which invites no one, has the manual key under its own heading, no empty one');
    for (const [name, role, full] of [['vera', 'viewer', 'ورا کریمی'], ['rahim', 'reviewer', 'رحیم ارزیاب']]) {
      const u = sec(page, 'کاربران');
      await u.locator('[name=name]').fill(name);
      await u.locator('[name=full_name]').fill(full);
      await u.locator('[name=role]').selectOption(role);
      await u.locator('[name=password]').fill('short');
      await u.locator('[name=password]').blur();
      if (name === 'vera') ok((await u.locator('.ferr[data-for=password]').innerText()).includes('دست‌کم ۸'), 'a short password is explained as it is typed');
      await u.locator('[name=password]').fill('e2e-password-2');
      t = await submitIn(page, 'کاربران');
      ok(t.includes('ثبت شد') && (await secIs(page, 'کاربران').innerText()).includes(full), `the admin adds a ${role} in the page`, t);
    }
    // ---- a helper: national publishes a template each helper group reports (after the county's period was
    // approved, which would otherwise wait for it); the admin adds a helper bound to the appointed group ----
    await go(nat, NATIONAL, 'standards?tab=templates', 'text=الگوی تازه');
    const hf = sec(nat, 'الگوی تازه');
    await hf.locator('[name=title]').fill('گزارش بازدیدهای گروه همیار');
    await hf.locator('[name=code]').fill('visits');
    await hf.locator('[name=reporter]').selectOption('helper');
    await hf.locator('[name=from]').selectOption('1405-07');
    await hf.locator('[name=fields]').fill('بازدیدهای گروه، متن، الزامی');
    t = await submitIn(nat, 'الگوی تازه');
    ok(t.includes('ثبت شد'), 'national publishes a template reported by each helper group', t);
    {
      const u = sec(page, 'کاربران');
      await u.locator('[name=name]').fill('hamid');
      await u.locator('[name=full_name]').fill('حمید همیار');
      await u.locator('[name=role]').selectOption('helper');
      await u.locator('[name=password]').fill('e2e-password-2');
      t = await submitIn(page, 'کاربران');
      ok(t.includes('گروه همیار'), 'a helper without a group is refused in the page', t);
      const gsel = sec(page, 'کاربران').locator('[name=group]');
      await gsel.selectOption(await gsel.locator('option', { hasText: 'گروه مردمی امید' }).getAttribute('value'));
      t = await submitIn(page, 'کاربران');
      const ut = await secIs(page, 'کاربران').innerText();
      ok(t.includes('ثبت شد') && ut.includes('حمید همیار') && ut.includes('گروه مردمی امید'), 'the admin adds a helper bound to an appointed group', t);
    }
    {
      const base = COUNTY.replace('county.localhost', 'helper.localhost');
      const hp = await ctx.newPage(); watch(hp, 'hamid');
      await hp.goto(base + '/');
      await hp.waitForSelector('input[name=name]');
      await hp.fill('input[name=name]', 'hamid');
      await hp.fill('input[name=password]', 'e2e-password-2');
      await hp.click('button[type=submit]');
      await hp.waitForSelector('.kpi', { timeout: 15000 });
      ok((await hp.innerText('#who')).includes('گروه مردمی امید'), 'the helper sees whose group it works for');
      ok(await until(hp, base + '/#/reports', 'main h1', async p => (await p.innerText('main')).includes('گزارش بازدیدهای گروه همیار'), 90), 'the helper group template reaches the county');
      ok((await secIs(hp, 'گزارش‌ها').innerText()).includes('موردی نیست'), 'the helper sees none of the secretariat\'s reports', await secIs(hp, 'گزارش‌ها').innerText());
      const hr = sec(hp, 'گزارش تازه');
      ok((await hr.innerText()).includes('گزارش بازدیدهای گروه همیار') && !(await hr.innerText()).includes('گزارش ماهانه همیاران'), 'the helper is offered its group\'s template only', await hr.innerText());
      await hr.locator('[name=period]').selectOption('1405-07'); // آبان's period is approved already: closed to new reports
      await hr.locator('[name=v_f1]').fill('دو بازدید از خانواده‌های محله');
      await hr.locator('[name=submit]').selectOption('0');
      t = await submitIn(hp, 'گزارش تازه');
      ok(t.includes('ثبت شد') && (await secIs(hp, 'گزارش‌ها').innerText()).includes('پیش‌نویس'), 'the helper saves its group\'s report as a draft', t);
      await hp.click('text=مشاهده و اصلاح');
      await hp.waitForSelector('text=تکمیل پیش‌نویس');
      await hp.click('text=ارسال برای بررسی'); t = await inDialog(hp);
      ok(t.includes('ارسال شد'), 'the helper submits its group\'s report', t);
      await go(hp, base, 'reports', 'text=گزارش‌ها');
      ok((await secIs(hp, 'گزارش‌ها').locator('tbody tr').count()) === 1, 'the helper lists its group\'s report only');
      await note(hp, 'helper/reports');
      await shot(hp, 'helper-reports');
      const secId = await page.evaluate(async () => (await (await fetch('/api/v1/reports?code=monthly')).json()).items[0].id);
      hp.removeAllListeners('console'); // the refused page logs its refusal: expected here
      await go(hp, base, 'report/' + secId);
      // Only the #fragment changed: the reports page's heading may still be there while the refusal comes.
      await hp.waitForSelector('main h1:text-is("خطا")', { timeout: 5000 }).catch(() => null);
      ok((await hp.innerText('main h1')) === 'خطا' && (await hp.innerText('main')).includes('اجازه'), 'the helper cannot open the secretariat\'s report', await hp.innerText('main'));
      // The admin disables the helper's account, enables it again and gives it a new password, in the page.
      const loginAs = pass => hp.evaluate(async pw => (await fetch('/api/v1/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'hamid', password: pw }) })).status, pass);
      await go(page, COUNTY, 'admin', 'text=کاربران');
      const row = () => secIs(page, 'کاربران').locator('tr', { hasText: 'hamid' });
      await row().locator('button', { hasText: 'غیرفعال کردن' }).click(); t = await inDialog(page);
      ok(t.includes('غیرفعال شد') && (await row().innerText()).includes('خیر'), 'the admin disables a user in the page', t);
      ok((await loginAs('e2e-password-2')) === 401, 'a disabled user cannot log in (401, as for a wrong password)');
      await row().locator('button', { hasText: 'فعال کردن' }).click(); t = await inDialog(page);
      ok(t.includes('فعال شد') && (await row().innerText()).includes('بله'), 'the admin enables it again', t);
      await row().locator('button', { hasText: 'گذرواژه تازه' }).click(); t = await inDialog(page, { password: 'e2e-password-3' });
      ok(t.includes('گذرواژه تازه ثبت شد'), 'the admin sets a new password in the page', t);
      ok((await loginAs('e2e-password-2')) !== 200 && (await loginAs('e2e-password-3')) === 200, 'the old password no longer opens the account, the new one does');
      ok((await row().locator('button', { hasText: 'غیرفعال کردن' }).count()) === 1 && (await secIs(page, 'کاربران').locator('tr', { hasText: 'admin' }).locator('button', { hasText: 'غیرفعال کردن' }).count()) === 0, 'no admin is offered to disable their own account');
      await hp.close();
    }
    const rolePages = ['dashboard', 'calls', 'appointments', 'issues', 'sessions', 'solutions', 'interventions', 'groups', 'orgs', 'reports', 'standards?tab=selection', 'admin'];
    // Both walk at once, each in its own page; their checks are then said in this order.
    const walked = await Promise.all([['vera', 'viewer'], ['rahim', 'reviewer']].map(async ([name, host]) => {
      const base = COUNTY.replace('county.localhost', `${host}.localhost`);
      const rp = await ctx.newPage(); watch(rp, name);
      await rp.goto(base + '/');
      await rp.waitForSelector('input[name=name]');
      await rp.fill('input[name=name]', name);
      await rp.fill('input[name=password]', 'e2e-password-2');
      await rp.click('button[type=submit]');
      await rp.waitForSelector('.kpi', { timeout: 15000 });
      const refused = [], forms = [];
      for (const p of rolePages) {
        await go(rp, base, p);
        await note(rp, `${name}/${p}`);
        if ((await rp.innerText('main h1')) === 'خطا') refused.push(p);
        if (host === 'viewer' && (await rp.locator('main form.f, main button.warn').count()) > 0) forms.push(p);
      }
      await rp.close();
      return { host, refused, forms };
    }));
    for (const { host, refused, forms } of walked) {
      ok(refused.length === 0, `a ${host} opens every page without an error page`, refused.join(', '));
      if (host === 'viewer') ok(forms.length === 0, 'a viewer is offered no form and no action', forms.join(', '));
    }

    // ---- peers: the province's admin invites a county, registers a key by hand and revokes it in the page ----
    await go(prov, PROVINCE, 'admin', 'text=دعوت‌نامه عضویت زیرمجموعه');
    const pv = sec(prov, 'افزودن همتا');
    await pv.locator('form').first().locator('[name=id]').selectOption('IR-07-04');
    await pv.locator('form').first().locator('[name=hours]').fill('۴۸');
    await pv.locator('form').first().locator('button[type=submit]').click();
    await prov.waitForSelector('.invite-code', { timeout: 10000 });
    const code = (await prov.locator('.invite-code').innerText()).replace(/\u200b/g, '');
    const inv = await prov.locator('#invitation').innerText();
    ok(/^[A-Z0-9]{4}(-[A-Z0-9]{1,4})+$/.test(code.trim()) && inv.includes('معتبر تا ۱۴۰۵/'), 'the province makes an invitation: the code grouped, big, with its expiry', `${code} | ${inv.slice(0, 200)}`);
    const big = await prov.locator('.invite-code').evaluate(e => parseFloat(getComputedStyle(e).fontSize));
    ok(big >= 24, 'the invitation code is written large', big);
    await note(prov, 'province/admin-invite');
    await shot(prov, 'province-admin-invite');
    const kf = pv.locator('form').nth(1);
    await kf.locator('[name=id]').selectOption('IR-07-05');
    await kf.locator('[name=key]').fill('not a key');
    await kf.locator('[name=key]').blur();
    ok((await kf.locator('.ferr[data-for=key]').innerText()).includes('۶۴'), 'a malformed key is explained as it is typed');
    await kf.locator('[name=key]').fill('ab'.repeat(32));
    t = await submitIn(prov, 'افزودن همتا', kf);
    ok(t.includes('ثبت شد') && (await sec(prov, 'همگام‌سازی با دبیرخانه‌های دیگر').innerText()).includes(await prov.evaluate(() => unitName('IR-07-05'))), 'the admin registers a county\'s key in the page', t);
    await sec(prov, 'همگام‌سازی با دبیرخانه‌های دیگر').locator('tr', { hasText: await prov.evaluate(() => unitName('IR-07-05')) }).locator('button:has-text("ابطال کلید")').click();
    ok((await prov.locator('dialog.dlg').innerText()).includes('رد می‌شود'), 'revoking a key is confirmed in an in-page dialog');
    t = await inDialog(prov);
    ok(t.includes('کلید باطل شد') && (await sec(prov, 'همگام‌سازی با دبیرخانه‌های دیگر').innerText()).includes('کلید باطل شده'), 'the key is revoked and marked so', t);
    ok((await sec(prov, 'همگام‌سازی با دبیرخانه‌های دیگر').locator('button:has-text("ابطال کلید")').count()) >= 1, 'the county still syncing keeps its key');

    // ---- a phone, 390 px wide ----
    await page.setViewportSize({ width: 390, height: 844 });
    const narrow = [], hiddenNav = [];
    for (const p of ['dashboard', 'calls', 'issues', 'reports', 'sessions']) {
      await go(page, COUNTY, p);
      const a = await audit(page);
      if (a.wide > 1) narrow.push(`${p}: ${a.wide}px`);
      const on = await page.locator('#nav a.on').evaluate(e => { const r = e.getBoundingClientRect(); return [Math.round(r.left), Math.round(r.right), window.innerWidth]; });
      if (on[0] < 0 || on[1] > on[2]) hiddenNav.push(`${p}: ${on.join(' ')}`);
      if (p === 'dashboard') ok((await sec(page, 'مهم‌ترین مسائل').innerText()).includes('مسئله باز اولویت‌بندی‌شده‌ای نیست'), 'with its one problem closed, the county\'s top problems say no open problem is prioritised (not that none ever was)');
      if (p === 'dashboard' || p === 'issues') await shot(page, `phone-${p}`);
    }
    ok(narrow.length === 0, 'on a 390 px phone no page is wider than the screen', narrow.join(', '));
    ok(hiddenNav.length === 0, 'on a phone the menu shows the current page\'s item whole', hiddenNav.join(', '));
    ok(bad.english.length === 0, 'no English word on any page walked, at every level and for every role, nor on the call, applicant, decree and report pages', bad.english.join(' | '));
    ok(bad.small.length === 0, 'no chart text under 12 px on any page at 1366 px', bad.small.join(' | '));
    ok(bad.clipped.length === 0, 'no chart label or value runs outside its chart', bad.clipped.join(' | '));
  } catch (e) {
    ok(false, 'the browser test ran to the end', e.stack || e);
    await shot(page, 'failure').catch(() => {});
    await shot(prov, 'failure-province').catch(() => {});
    await shot(nat, 'failure-national').catch(() => {});
  }
  ok(committed('IR-07', APPROVED) === '1' && committed('IR-07-03', APPROVED) === '1', 'the provincial approval is still in the province\'s and the county\'s databases at the end',
    `${committed('IR-07', APPROVED)} ${committed('IR-07-03', APPROVED)}`);
  const open = ['IR', 'IR-07', 'IR-07-03'].filter(id => { try { return fs.readFileSync(path.join(TREE, id + '.log'), 'utf8').includes('http.txn_open'); } catch (e) { return false; } });
  ok(open.length === 0, 'no node answered a change while a transaction was left open', open.join(' '));
  ok(errors.length === 0, 'no script error and no browser dialog on any page', errors.slice(0, 5).join(' | '));
  await ctx.close();
  console.log(`1..${n}`);
  process.exit(fails ? 1 : 0);
})();
