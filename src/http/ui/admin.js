// Administration: this node, its peers and sync, users.
'use strict';

// ---- admin ----
async function pageAdmin() {
  const [st, q, chk] = await Promise.all([get('status'), work() ? items('quarantine') : [], get('check')]);
  const users = can('admin') ? await items('users') : [];
  // A helper is bound to one group this secretariat appointed and whose appointment stands.
  const groups = can('admin') ? (await items('appointments').catch(() => [])).filter(a => a.owner === S.me.node.id && a.status === 'active') : [];
  frame('مدیریت و همگام‌سازی',
    section('این دبیرخانه', table([st], [['دبیرخانه', s => unitName(s.id)], ['شناسه', s => h('span', { class: 'code' }, s.id)], ['سطح', s => label('level', s.level)], ['شمار تغییرات ثبت‌شده', 'log_head'], ['قرنطینه', 'quarantine']])),
    section('همگام‌سازی با دبیرخانه‌های دیگر', table(st.peers, [['دبیرخانه', p => unitCell(p.id)], ['نقش', p => p.role === 'parent' ? 'بالادست' : p.revoked ? 'زیرمجموعه — کلید باطل شده' : 'زیرمجموعه'], ['آخرین تماس', p => p.last_contact ? jdate(p.last_contact) + ' — ' + ago(p.last_contact) : 'هرگز'], ['مانده ارسال', p => backlogText(p, true)], ['مانده دریافت', p => backlogText(p, false)],
      ['اقدام', p => can('admin') && p.role === 'child' && !p.revoked ? act('ابطال کلید', () => api('POST', `peers/${enc(p.id)}/revoke`, {}), 'warn',
        { title: `ابطال کلید ${unitName(p.id)}`, body: `از این پس هر درخواست ${unitName(p.id)} با کلید کنونی‌اش رد می‌شود و همگام‌سازی آن می‌ایستد، تا با دعوت‌نامه تازه دوباره عضو شود. ابطال شود؟`, label: 'ابطال کلید', done: 'کلید باطل شد.' }) : '—'],
      ['آخرین خطا', p => p.last_error ? h('span', { title: p.last_error }, /clock is .* ahead/.test(p.last_error) ? `ساعت این رایانه ${p.last_error.replace(/.*clock is (.*?) ahead.*/, '$1')} جلوتر از بالادست است؛ آن را درست کنید` : 'خطا در ارتباط (جزئیات با نگه داشتن نشانگر)') : '—']], null, { unit: p => p.id, empty: 'هنوز دبیرخانه همتایی تعریف نشده است.' }),
      h('p', { class: 'muted' }, 'همگام‌سازی خودکار و پیوسته است.')),
    can('admin') ? peerForms(st) : null,
    section('بررسی قواعد (سهمیه، شماره حکم)', chk.ok ? msg('همه قواعد برقرار است.', true) : table(chk.violations, [['قاعده', v => label('check', v.check)], ['واحد', v => unitCell(v.owner)], ['شرح', v => h('span', { title: v.message }, label('check', v.check))]])),
    work() ? section('تغییرات قرنطینه‌شده', table(q, [['زمان', r => jdate(r.at)], ['از', r => unitCell(r.peer)], ['جدول', r => h('span', { class: 'code' }, r.table)], ['دلیل', r => h('span', { title: r.reason }, 'تغییر ناسازگار')]])) : null,
    can('admin') ? section('کاربران', table(users, [['نام کاربری', 'name'], ['نام', 'full_name'], ['نقش', u => label('role', u.role)],
      ['گروه همیار', u => !u.group ? '—' : h('span', {}, u.group_name || u.group, ' ', u.group_status === 'active' ? null : tag('حکم لغو شده', 'bad'))], ['فعال', u => u.active ? 'بله' : 'خیر'], ['اقدام', userActions]]),
      h('h2', {}, 'کاربر تازه'), form([{ name: 'name', label: 'نام کاربری (لاتین)', required: true, check: x => (/^[a-z][a-z0-9._-]{1,31}$/.test(x) ? '' : 'نام کاربری با حرف کوچک لاتین آغاز می‌شود و فقط حرف کوچک لاتین، رقم، نقطه، خط تیره دارد') }, { name: 'full_name', label: 'نام و نام خانوادگی' },
        { name: 'role', label: 'نقش', type: 'select', options: [['', '—'], ...Object.entries(L.role)], required: true }, { name: 'group', label: 'گروه همیار', type: 'select', options: [['', '—'], ...groups.map(a => [a.id, `${a.group_name} (${fa(a.decree_no || '')})`])],
          hint: groups.length ? 'فقط برای همیار: گروهی که این دبیرخانه منصوب کرده است' : 'هنوز گروه همیاری در این دبیرخانه منصوب نشده است' },
        { name: 'password', label: 'گذرواژه (دست‌کم ۸ نویسه)', type: 'password', required: true, check: x => (x.length < 8 ? `گذرواژه ${num(x.length)} نویسه است؛ دست‌کم ۸ نویسه لازم است` : '') }], v => {
          if (v.role === 'helper' && !v.group) throw new ApiError(400, { code: 'missing', field: 'group' });
          if (v.role !== 'helper') delete v.group;
          return api('POST', 'users', v);
        }, 'افزودن کاربر')) : null);
}

// userActions: an admin sets a new password for a user, or disables (enables) the account; not their own.
function userActions(u) {
  const pass = { name: 'password', label: 'گذرواژه تازه (دست‌کم ۸ نویسه)', type: 'password', required: true, check: x => (x.length < 8 ? `گذرواژه ${num(x.length)} نویسه است؛ دست‌کم ۸ نویسه لازم است` : '') };
  const who = u.full_name || u.name;
  return h('span', { class: 'acts' },
    act('گذرواژه تازه', v => api('POST', `users/${enc(u.name)}/password`, { password: v.password }), 'alt',
      { title: `گذرواژه تازه برای ${who}`, fields: [pass], label: 'ثبت گذرواژه', done: 'گذرواژه تازه ثبت شد.' }),
    u.name === S.me.name ? null : u.active
      ? act('غیرفعال کردن', () => api('POST', `users/${enc(u.name)}/active`, { active: false }), 'warn',
        { title: `غیرفعال کردن ${who}`, body: 'این کاربر دیگر نمی‌تواند وارد شود و نشست‌های بازش بسته می‌شود. غیرفعال شود؟', label: 'غیرفعال کردن', done: 'کاربر غیرفعال شد.' })
      : act('فعال کردن', () => api('POST', `users/${enc(u.name)}/active`, { active: true }), 'alt', { title: `فعال کردن ${who}`, body: 'این کاربر دوباره می‌تواند وارد شود. فعال شود؟', label: 'فعال کردن', done: 'کاربر فعال شد.' }));
}

// backlogText: changes this node still has to send to peer p (send) or to receive from it, whatever p's
// role (up is toward the parent); what a child holds that we lack is known at the child only.
function backlogText(p, send) {
  const v = (p.role === 'parent') === send ? p.backlog_up : p.backlog_down;
  return v == null ? '—' : num(v);
}

// peerForms: the admin enrols a child (an invitation whose code the child's office types in) or registers a key by hand.
function peerForms(st) {
  const kids = [...UNITS.values()].filter(u => u.parent === st.id).map(u => [u.id, u.name_fa || u.id]).sort((a, b) => a[1].localeCompare(b[1], 'fa'));
  const known = [...kids, ...(st.id.includes('-') ? [[st.id.replace(/-[^-]+$/, ''), unitName(st.id.replace(/-[^-]+$/, '')) + ' (بالادست)']] : [])];
  const out = h('div', { id: 'invitation' });
  const invite = kids.length ? [h('h2', {}, 'دعوت‌نامه عضویت زیرمجموعه'),
    h('p', { class: 'muted' }, 'کد دعوت را به دبیرخانه زیرمجموعه بدهید تا هنگام راه‌اندازی سامانه خود وارد کند؛ کد یک بار و تا زمان انقضا کار می‌کند و دعوت‌نامه تازه، پیشین را باطل می‌کند.'),
    form([{ name: 'id', label: 'دبیرخانه زیرمجموعه', type: 'select', options: kids, required: true },
      { name: 'hours', label: 'اعتبار (ساعت)', type: 'number', min: 1, max: 8760, value: '۷۲' },
      { name: 'url', label: 'نشانی این دبیرخانه برای زیرمجموعه (اختیاری)', placeholder: 'tcp://10.0.0.1:7400', hint: 'خالی: همان نشانی که این سامانه روی آن گوش می‌دهد' }],
    async v => {
      const r = await api('POST', 'peers/invite', v);
      out.textContent = '';
      out.append(h('div', { class: 'card invite' }, h('h3', {}, `کد دعوت ${unitName(r.child)}`),
        // Groups of four that wrap only between groups, to read out over the phone or type.
        h('bdi', { class: 'invite-code', dir: 'ltr' }, r.code.split('-').flatMap((g, i) => [i ? '-\u200b' : '', h('span', {}, g)])),
        h('p', {}, `معتبر تا ${jdate(r.expires_ms)}، فقط یک بار. در ${unitName(r.child)}: هنگام راه‌اندازی، گزینه پیوستن با کد دعوت.`),
        h('p', { class: 'muted' }, 'اثر انگشت کلید این دبیرخانه (برای بررسی تلفنی): ', h('bdi', { class: 'code', dir: 'ltr' }, r.fingerprint.replace(/(.{4})(?=.)/g, '$1 '))),
        h('p', { class: 'muted' }, 'متن کد دوبعدی: ', h('bdi', { class: 'code', dir: 'ltr' }, 'NEHZAT:' + r.qr))));
      return false;
    }, 'ساخت کد دعوت'), out] : [];
  return section(invite.length ? 'افزودن همتا' : 'ثبت کلید همتا (دستی)', ...invite,
    invite.length ? h('h2', {}, 'ثبت کلید همتا (دستی)') : null,
    form([{ name: 'id', label: 'دبیرخانه', type: 'select', options: known, required: true },
      { name: 'key', label: 'کلید عمومی (۶۴ رقم شانزده‌شانزدهی)', required: true, wide: true, check: x => (/^[0-9a-fA-F]{64}$/.test(x) ? '' : 'کلید ۶۴ نویسه از ۰ تا ۹ و a تا f است؛ خروجی فرمان key در آن دبیرخانه') },
      { name: 'url', label: 'نشانی (برای بالادست)', placeholder: 'tcp://10.0.0.1:7400' }],
    v => api('POST', 'peers', v), 'ثبت کلید'));
}
