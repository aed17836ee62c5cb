// Settings: the tracker tag to paste into the site, the tenant's time zone and allowed origins, and its users.
// Admins change them; other roles see them.
import { el, api, panel, table } from '../ui.js';
import { go } from '../state.js';

export function settings(main, state, charts, timers, session) {
  const admin = session.role === 'admin';
  main.append(panel('Install the tracker', async (body) => {
    const tenant = await api('/api/tenants/current');
    const tag = `<script defer src="${location.origin}/js/utmost.js" data-site="${tenant.site_key}"></script>`;
    const copy = el('button', { type: 'button' }, 'Copy');
    copy.addEventListener('click', async () => {
      await navigator.clipboard?.writeText(tag);
      copy.textContent = 'Copied';
    });
    body.replaceChildren(el('p', { class: 'muted' }, 'Put this tag on every page of the site, before </head>:'),
      el('pre', { class: 'snippet' }, el('code', { id: 'tracker-tag' }, tag)), copy);
  }));
  main.append(panel('Tenant', async (body) => {
    const tenant = await api('/api/tenants/current');
    const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [tenant.time_zone];
    const zone = el('select', { id: 'time-zone', disabled: !admin },
      [...new Set(['UTC', ...zones])].map((z) => el('option', { value: z, selected: z === tenant.time_zone }, z)));
    const origins = el('textarea', { id: 'allowed-origins', rows: '3', disabled: !admin, placeholder: 'https://shop.example' });
    origins.value = tenant.allowed_origins.join('\n');
    const message = el('div', { role: 'alert' });
    const form = el('form', { 'aria-label': 'Tenant settings' },
      el('div', { class: 'fields' },
        el('label', { class: 'field' }, el('span', {}, 'Time zone (days and hours of every report)'), zone),
        el('label', { class: 'field wide' }, el('span', {}, 'Origins allowed to send events, one per line (none: any)'), origins)),
      admin && el('div', { class: 'actions' }, el('button', { class: 'primary', type: 'submit' }, 'Save')), message);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      message.replaceChildren();
      try {
        await api('/api/tenants/current', {
          method: 'PATCH', body: { time_zone: zone.value, allowed_origins: origins.value.split('\n').map((o) => o.trim()).filter(Boolean) },
        });
        // The header names the zone: shown again with the new one.
        session.time_zone = zone.value;
        go({});
      } catch (error) {
        message.append(el('p', { class: 'error' }, error.message));
      }
    });
    body.replaceChildren(form);
  }));
  if (admin) main.append(panel('Users', users));
}

async function users(body) {
  const all = await api('/api/users');
  const email = el('input', { id: 'user-email', type: 'email', required: true, autocomplete: 'off' });
  const password = el('input', { id: 'user-password', type: 'password', required: true, autocomplete: 'new-password', minlength: '12' });
  const role = el('select', { id: 'user-role' }, ['viewer', 'marketer', 'admin'].map((r) => el('option', { value: r }, r)));
  const message = el('div', { role: 'alert' });
  const form = el('form', { 'aria-label': 'Add a user' },
    el('div', { class: 'fields' },
      el('label', { class: 'field' }, el('span', {}, 'Email'), email),
      el('label', { class: 'field' }, el('span', {}, 'Password (12 characters or more)'), password),
      el('label', { class: 'field' }, el('span', {}, 'Role'), role)),
    el('div', { class: 'actions' }, el('button', { class: 'primary', type: 'submit' }, 'Add user')), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await api('/api/users', { method: 'POST', body: { email: email.value, password: password.value, role: role.value } });
      go({});
    } catch (error) {
      message.replaceChildren(el('p', { class: 'error' }, error.message));
    }
  });
  const rows = all.map((u) => {
    const remove = el('button', { type: 'button', 'aria-label': `Remove ${u.email}` }, 'Remove');
    remove.addEventListener('click', async () => {
      await api(`/api/users/${encodeURIComponent(u.id)}`, { method: 'DELETE' });
      go({});
    });
    return [u.email, u.role, u.created_at.slice(0, 10), remove];
  });
  body.replaceChildren(all.length ? table([['Email'], ['Role'], ['Added'], ['']], rows) : el('p', { class: 'empty' }, 'No users yet: people sign in with API keys.'), form);
}
