// The dashboard: one page over the server's own APIs (the query API above all), signed in with a session cookie.
// Everything shown is built with DOM nodes and text, never parsed HTML, so names from the data cannot run as code.
import { Chart, BarController, BarElement, LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler } from 'chart.js';
import { el, api, errorBox } from './ui.js';
import { PRESETS, VIEWS, readState, go, whenStateChanges } from './state.js';
import { overview } from './views/overview.js';
import { channels } from './views/channels.js';
import { campaigns } from './views/campaigns.js';
import { funnels } from './views/funnels.js';
import { realtime } from './views/realtime.js';
import { settings } from './views/settings.js';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

const RENDER = { overview, channels, campaigns, funnels, realtime, settings };
// The views that the date range, comparison and filters apply to.
const FILTERED = new Set(['overview', 'channels', 'campaigns']);

const root = document.getElementById('app');
let session = null;
let charts = [];
let timers = [];

async function start() {
  const current = await api('/api/dashboard/session');
  session = current.signed_in ? current : null;
  render();
}

function render() {
  charts.forEach((chart) => chart.destroy());
  timers.forEach((timer) => clearInterval(timer));
  charts = [];
  timers = [];
  root.replaceChildren();
  if (!session) {
    root.append(signInForm());
    return;
  }
  const state = readState();
  root.append(header(state), navigation(state));
  const main = el('main', { id: 'main', tabindex: '-1' });
  root.append(main);
  if (state.filters.length && FILTERED.has(state.view)) main.append(filterChips(state));
  RENDER[state.view](main, state, charts, timers, session);
}

function signInForm() {
  const message = el('div', { role: 'alert' });
  const email = el('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username' });
  const password = el('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password' });
  const key = el('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'off' });
  const form = el('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
    el('h1', { id: 'signin-title' }, 'Utmost'),
    el('p', {}, 'Sign in with your email address and password, or with an API key of your tenant.'),
    el('label', { for: 'email' }, 'Email'), email,
    el('label', { for: 'password' }, 'Password'), password,
    el('p', { class: 'or' }, 'or'),
    el('label', { for: 'key' }, 'API key'), key,
    el('button', { class: 'primary', type: 'submit' }, 'Sign in'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.replaceChildren();
    try {
      const body = key.value ? { key: key.value } : { email: email.value, password: password.value };
      session = await api('/api/dashboard/sign-in', { method: 'POST', body });
      render();
    } catch (error) {
      message.append(el('p', { class: 'error' }, error.message));
    }
  });
  queueMicrotask(() => email.focus());
  return form;
}

function header(state) {
  const range = el('select', { id: 'range', 'aria-label': 'Date range' },
    PRESETS.map(([id, label]) => el('option', { value: id, selected: id === state.range }, label)));
  range.addEventListener('change', () => go({ range: range.value }));
  const compare = el('input', { id: 'compare', type: 'checkbox', checked: state.compare });
  compare.addEventListener('change', () => go({ compare: compare.checked }));
  const signOut = el('button', { type: 'button' }, 'Sign out');
  signOut.addEventListener('click', async () => {
    await api('/api/dashboard/sign-out', { method: 'POST' });
    session = null;
    render();
  });
  return el('header', {},
    el('span', { class: 'brand' }, 'Utmost'), el('span', { class: 'tenant' }, session.tenant_name),
    session.email && el('span', { class: 'tenant' }, `${session.email} (${session.role})`),
    el('span', { class: 'spacer' }), el('span', { class: 'tenant', title: 'The time zone of every report' }, session.time_zone), range,
    el('label', { class: 'toggle', for: 'compare' }, compare, 'Compare with previous period'), signOut);
}

function navigation(state) {
  return el('nav', { 'aria-label': 'Views' }, VIEWS.map(([id, label]) => {
    const link = el('a', { href: `/?view=${id}`, 'aria-current': id === state.view ? 'page' : false }, label);
    link.addEventListener('click', (event) => { event.preventDefault(); go({ view: id }); });
    return link;
  }));
}

function filterChips(state) {
  return el('div', { class: 'filters', 'aria-label': 'Filters' }, state.filters.map(([dimension, value], index) => {
    const chip = el('button', { class: 'chip', type: 'button', 'aria-label': `Remove filter ${dimension} is ${value}` },
      `${dimension.replace(/^(visit|event):/, '')} is ${value}`, ' ×');
    chip.addEventListener('click', () => go({ filters: state.filters.filter((_, i) => i !== index) }));
    return chip;
  }));
}

whenStateChanges(render);
window.addEventListener('popstate', render);
start().catch((error) => root.replaceChildren(errorBox(error)));
