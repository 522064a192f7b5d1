// The web UI in headless Chromium: log in, a call from opening to decree,
// a problem at a county seen on the province's dashboard after sync, RTL
// pages and Jalali dates.  TAP on stdout; screenshots in $SHOTS.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const { CHROME, COUNTY, PROVINCE, NATIONAL, SHOTS, PROFILE } = process.env;
let n = 0, fails = 0;
function ok(cond, what, detail) {
  n++;
  if (cond) console.log(`ok ${n} - ${what}`);
  else { fails++; console.log(`not ok ${n} - ${what}`); if (detail !== undefined) console.log(`#   got: ${String(detail).slice(0, 300)}`); }
}
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, name + '.png'), fullPage: true });
const sec = (page, title) => page.locator('section.card', { has: page.locator('h2', { hasText: title }) }).first();
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function login(page, base) {
  await page.goto(base + '/');
  await page.waitForSelector('input[name=name]');
  await page.fill('input[name=name]', 'admin');
  await page.fill('input[name=password]', 'e2e-password-1');
  await page.click('button[type=submit]');
  await page.waitForSelector('.kpi', { timeout: 15000 });
}

async function submitIn(page, title) {
  const s = sec(page, title);
  await s.locator('button[type=submit]').click();
  // A refusal shows in the form; a success draws the page again with a note on top.
  const err = s.locator('.msg.err').first(), done = page.locator('#flash');
  await Promise.race([err.waitFor({ timeout: 10000 }), done.waitFor({ timeout: 10000 })]);
  return (await done.count()) ? await done.textContent() : await err.textContent();
}

(async () => {
  const ctx = await chromium.launchPersistentContext(PROFILE, {
    executablePath: CHROME, headless: true, locale: 'fa-IR', viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await ctx.newPage();
  page.on('dialog', d => d.accept());
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
    ok(await page.evaluate(() => getComputedStyle(document.body).direction) === 'rtl', 'the body lays out right to left');
    ok(await page.evaluate(() => document.fonts.check('16px Vazirmatn')), 'the Vazirmatn font is loaded from the node');
    await shot(page, 'county-dashboard');

    // ---- a call, from opening to decree ----
    await page.goto(COUNTY + '/#/calls');
    await page.waitForSelector('text=فراخوان تازه');
    const empty = await submitIn(page, 'فراخوان تازه');
    ok(empty.includes('خطاهای فرم') && (await sec(page, 'فراخوان تازه').innerText()).includes('را وارد کنید'), 'an empty form is explained in Persian', empty);
    const f = sec(page, 'فراخوان تازه');
    await f.locator('[name=title]').fill('فراخوان جذب همیاران ۱۴۰۵');
    await f.locator('[name=opens]').fill('۱۴۰۵/۰۹/۰۱');
    await f.locator('[name=closes]').fill('1405/13/40');
    let t = await submitIn(page, 'فراخوان تازه');
    ok(t.includes('پذیرفته نیست') && t.includes('13'), 'an impossible date is refused', t);
    await f.locator('[name=closes]').fill('۱۴۰۵/۰۹/۲۰');
    t = await submitIn(page, 'فراخوان تازه');
    ok(t.includes('ثبت شد'), 'a call is added', t);
    await page.waitForSelector('tr.click');
    await page.click('tr.click >> nth=0');
    await page.waitForSelector('text=باز کردن فراخوان');
    await page.click('text=باز کردن فراخوان');
    await page.waitForSelector('text=ثبت متقاضی (رزومه گروه)');
    ok(true, 'the call is opened');
    const a = sec(page, 'متقاضیان');
    await a.locator('[name=name]').fill('گروه جهادی شهید همت');
    await a.locator('[name=contact]').fill('رضا احمدی');
    await a.locator('[name=phone]').fill('۰۹۱۲۱۱۱۱۱۱۱');
    await a.locator('[name=members]').fill('۱۲');
    t = await submitIn(page, 'متقاضیان');
    ok(t.includes('ثبت شد'), 'an applicant group registers', t);
    await page.waitForSelector('text=بستن فراخوان');
    await page.click('text=بستن فراخوان');
    await page.waitForSelector('text=امتیاز ارزیاب');
    const r = sec(page, 'امتیاز ارزیاب');
    for (const inp of await r.locator('input').all()) await inp.fill('۹');
    t = await submitIn(page, 'امتیاز ارزیاب');
    ok(t.includes('ثبت شد'), 'a reviewer scores the group', t);
    await page.waitForSelector('text=پایان بررسی');
    await page.click('text=پایان بررسی');
    // Only a reviewed call shows the interview scores: the page has been drawn again.
    await page.waitForSelector('h2:has-text("امتیاز مصاحبه")');
    const iv = sec(page, 'زمان‌بندی مصاحبه');
    await iv.locator('[name=date]').fill('۱۴۰۵/۰۹/۱۰');
    await iv.locator('[name=time]').fill('10:00');
    await iv.locator('[name=panel]').fill('دبیر و نماینده فرمانداری');
    t = await submitIn(page, 'زمان‌بندی مصاحبه');
    ok(t.includes('ثبت شد'), 'the interview is scheduled', t);
    await page.waitForSelector('text=امتیاز مصاحبه');
    const is = sec(page, 'امتیاز مصاحبه');
    for (const inp of await is.locator('input').all()) await inp.fill('9');
    t = await submitIn(page, 'امتیاز مصاحبه');
    ok(t.includes('ثبت شد'), 'the interview is scored', t);
    await page.waitForSelector('text=انتخاب و صدور حکم');
    await shot(page, 'call-ranked');
    await page.click('text=انتخاب و صدور حکم');
    await page.waitForSelector('text=مشاهده حکم');
    await page.click('text=مشاهده حکم');
    await page.waitForSelector('#print-link');
    const decree = await page.innerText('main');
    ok(/IR-07-03\/۱۴۰۵\/۰۰۰۱|۱۴۰۵/.test(decree), 'the decree has a number and a Jalali date', decree.slice(0, 300));
    const [print] = await Promise.all([ctx.waitForEvent('page'), page.click('#print-link')]);
    await print.waitForLoadState();
    const ptext = await print.innerText('body');
    ok(await print.getAttribute('html', 'dir') === 'rtl' && ptext.includes('گروه جهادی شهید همت'), 'the decree print view is RTL and names the group', ptext.slice(0, 200));
    await shot(print, 'decree-print');
    await print.close();

    // ---- a problem at the county, on the province's dashboard after sync ----
    await page.goto(COUNTY + '/#/issues');
    await page.waitForSelector('text=ثبت مسئله تازه');
    const is2 = sec(page, 'ثبت مسئله تازه');
    await is2.locator('[name=title]').fill('اعتیاد در حاشیه شهر');
    await is2.locator('[name=people]').fill('۲۵۰');
    t = await submitIn(page, 'ثبت مسئله تازه');
    ok(t.includes('ثبت شد'), 'a problem is recorded at the county', t);
    await shot(page, 'county-issues');
    const p2 = await ctx.newPage();
    await login(p2, PROVINCE);
    let seen = '';
    for (let i = 0; i < 40; i++) {
      seen = await p2.locator('.kpi div').nth(1).locator('b').innerText();
      if (seen !== '۰') break;
      await sleep(1000);
      await p2.reload();
      await p2.waitForSelector('.kpi');
    }
    ok(seen === '۱', 'the province dashboard counts the county problem after sync', seen);
    const ptxt = await p2.innerText('main');
    ok(ptxt.includes('تازگی داده'), 'every figure has a freshness stamp');
    ok((await p2.locator('svg.chart').count()) >= 5, 'the dashboard draws charts');
    // Every label and value of every chart lies whole inside its chart (none runs off the edge).
    const outside = await p2.evaluate(() => {
      const bad = [];
      for (const svg of document.querySelectorAll('svg.chart')) {
        const W = svg.viewBox.baseVal.width;
        for (const t of svg.querySelectorAll('text')) {
          const b = t.getBBox();
          if (t.textContent && (b.x < -0.5 || b.x + b.width > W + 0.5)) bad.push(`${t.textContent} [${b.x.toFixed(0)}, ${(b.x + b.width).toFixed(0)}] of ${W}`);
        }
      }
      return bad;
    });
    ok(outside.length === 0, 'chart labels and values stay inside their charts', outside.slice(0, 5).join('; '));
    await shot(p2, 'province-dashboard');
    await login(p2, NATIONAL);
    await p2.waitForSelector('tr.click', { timeout: 30000 }).catch(() => null);
    await shot(p2, 'national-dashboard');
    const rows = await p2.locator('tr.click').count();
    ok(rows >= 1, 'the national dashboard lists provinces', rows);
    if (rows >= 1) {
      await p2.click('tr.click >> nth=0');
      await p2.waitForSelector('text=بازگشت به سطح بالاتر');
      ok((await p2.innerText('h1')).includes('استان'), 'a province drills down from the national dashboard', await p2.innerText('h1'));
      await shot(p2, 'national-drilldown');
    }
  } catch (e) {
    ok(false, 'the browser test ran to the end', e.stack || e);
    await shot(page, 'failure').catch(() => {});
  }
  await ctx.close();
  console.log(`1..${n}`);
  process.exit(fails ? 1 : 0);
})();
