// Administration: this node, its peers and sync, users.
'use strict';

// ---- admin ----
async function pageAdmin() {
  const [st, q, chk] = await Promise.all([get('status'), work() ? items('quarantine') : [], get('check')]);
  const users = can('admin') ? await items('users') : [];
  frame('مدیریت و همگام‌سازی',
    section('این دبیرخانه', table([st], [['شناسه', 'id'], ['سطح', s => L.level[s.level]], ['آخرین تغییر', 'log_head'], ['قرنطینه', 'quarantine']])),
    section('همگام‌سازی با دبیرخانه‌های دیگر', table(st.peers, [['دبیرخانه', 'id'], ['نقش', p => p.role === 'parent' ? 'بالادست' : p.revoked ? 'زیرمجموعه — کلید باطل شده' : 'زیرمجموعه'], ['آخرین تماس', p => p.last_contact ? jdate(p.last_contact) + ' — ' + ago(p.last_contact) : 'هرگز'], ['مانده ارسال', 'backlog_up'], ['مانده دریافت', 'backlog_down'], ['آخرین خطا', 'last_error']])),
    section('بررسی قواعد (سهمیه، شماره حکم)', chk.ok ? msg('همه قواعد برقرار است.', true) : table(chk.violations, [['قاعده', 'check'], ['واحد', 'owner'], ['شرح', 'message']])),
    work() ? section('تغییرات قرنطینه‌شده', table(q, [['زمان', r => jdate(r.at)], ['از', 'peer'], ['جدول', 'table'], ['دلیل', 'reason']])) : null,
    can('admin') ? section('کاربران', table(users, [['نام کاربری', 'name'], ['نام', 'full_name'], ['نقش', u => L.role[u.role]], ['فعال', u => u.active ? 'بله' : 'خیر']]),
      h('h2', {}, 'کاربر تازه'), form([{ name: 'name', label: 'نام کاربری (لاتین)', required: true }, { name: 'full_name', label: 'نام و نام خانوادگی' },
        { name: 'role', label: 'نقش', type: 'select', options: Object.entries(L.role), required: true }, { name: 'group', label: 'گروه همیار (شناسه انتصاب)', hint: 'فقط برای همیار' },
        { name: 'password', label: 'گذرواژه (دست‌کم ۸ نویسه)', type: 'password', required: true }], v => api('POST', 'users', v), 'افزودن کاربر')) : null);
}

