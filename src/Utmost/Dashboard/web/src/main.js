// The dashboard: one page over the server's own APIs (the query API above all), signed in with a session cookie.
// Everything shown is built with DOM nodes and text, never parsed HTML, so names from the data cannot run as code.
import { Chart, LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler } from 'chart.js';
import { el, api, formatValue, formatChange } from './ui.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip, Legend, Filler);

const PRESETS = [
  ['today', 'Today'], ['yesterday', 'Yesterday'], ['last_7_days', 'Last 7 days'], ['last_30_days', 'Last 30 days'],
  ['last_90_days', 'Last 90 days'], ['last_365_days', 'Last 365 days'], ['last_month', 'Last month'],
  ['last_12_months', 'Last 12 months'], ['last_year', 'Last year'], ['all', 'All time'],
];

// [metric, label, format]
const CARDS = [
  ['visitors', 'Visitors', 'int'], ['visits', 'Visits', 'int'], ['pageviews', 'Page views', 'int'], ['leads', 'Leads', 'int'],
  ['conversions', 'Conversions', 'int'], ['conversion_rate', 'Conversion rate', 'percent'], ['revenue', 'Revenue', 'money'],
  ['cost', 'Cost', 'money'], ['roas', 'ROAS', 'ratio'], ['cpa', 'CPA', 'money'],
];

const LISTS = [
  ['visit:source', 'Top sources'], ['visit:campaign', 'Top campaigns'], ['visit:medium', 'Top mediums'],
  ['visit:channel', 'Channels'], ['event:page', 'Top pages'], ['visit:device', 'Devices'],
];

const VIEWS = [['overview', 'Overview']];

const root = document.getElementById('app');
let session = null;
let charts = [];

// The view, date range, comparison and filters live in the URL, so a view can be shared and the back button works.
function readState() {
  const params = new URLSearchParams(location.search);
  return {
    view: VIEWS.some(([id]) => id === params.get('view')) ? params.get('view') : 'overview',
    range: PRESETS.some(([id]) => id === params.get('range')) ? params.get('range') : 'last_30_days',
    compare: params.get('compare') !== 'off',
    filters: params.getAll('f').map((f) => {
      const at = f.indexOf('=');
      return at > 0 ? [f.slice(0, at), f.slice(at + 1)] : null;
    }).filter(Boolean),
  };
}

function go(change) {
  const state = { ...readState(), ...change };
  const params = new URLSearchParams();
  if (state.view !== 'overview') params.set('view', state.view);
  params.set('range', state.range);
  if (!state.compare) params.set('compare', 'off');
  state.filters.forEach(([dimension, value]) => params.append('f', `${dimension}=${value}`));
  history.pushState(null, '', `/?${params}`);
  render();
}

function query(state, body) {
  return api('/api/v2/query', {
    method: 'POST',
    body: { date_range: state.range, filters: state.filters.map(([dimension, value]) => ['is', dimension, [value]]), ...body },
  });
}

async function start() {
  const current = await api('/api/dashboard/session');
  session = current.signed_in ? current : null;
  render();
}

function render() {
  charts.forEach((chart) => chart.destroy());
  charts = [];
  root.replaceChildren();
  if (!session) {
    root.append(signInForm());
    return;
  }
  const state = readState();
  root.append(header(state), navigation(state));
  const main = el('main', { id: 'main', tabindex: '-1' });
  root.append(main);
  if (state.filters.length) main.append(filterChips(state));
  overview(main, state);
}

function signInForm() {
  const message = el('div', { role: 'alert' });
  const key = el('input', { id: 'key', name: 'key', type: 'password', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
    el('h1', { id: 'signin-title' }, 'Utmost'),
    el('p', {}, 'Sign in with an API key of your tenant.'),
    el('label', { for: 'key' }, 'API key'), key,
    el('button', { class: 'primary', type: 'submit' }, 'Sign in'), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.replaceChildren();
    try {
      session = await api('/api/dashboard/sign-in', { method: 'POST', body: { key: key.value } });
      render();
    } catch (error) {
      message.append(el('p', { class: 'error' }, error.message));
    }
  });
  queueMicrotask(() => key.focus());
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
    el('span', { class: 'spacer' }), range,
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

/** A panel that shows its content, or the API's error in words instead of an empty chart. */
function panel(title, fill) {
  const body = el('div', {}, el('p', { class: 'empty' }, 'Loading…'));
  const section = el('section', { class: 'panel', 'aria-label': title }, el('h2', {}, title), body);
  fill(body).catch((error) => body.replaceChildren(el('p', { class: 'error', role: 'alert' }, error.message)));
  return section;
}

function overview(main, state) {
  const cards = el('div', { class: 'cards', 'aria-label': 'Key metrics' });
  main.append(cards);
  loadCards(cards, state).catch((error) => cards.replaceChildren(el('p', { class: 'error', role: 'alert' }, error.message)));
  main.append(panel('Timeline', (body) => timeline(body, state)));
  main.append(el('div', { class: 'grid' }, LISTS.map(([dimension, title]) => panel(title, (body) => topList(body, state, dimension)))));
}

async function loadCards(container, state) {
  const answer = await query(state, {
    metrics: CARDS.map(([metric]) => metric),
    include: state.compare ? { comparisons: 'previous_period' } : {},
  });
  const row = answer.results[0] || { metrics: CARDS.map(() => 0) };
  const currency = answer.meta.currency;
  container.replaceChildren(...CARDS.map(([metric, label, kind], i) => {
    const change = row.comparison ? formatChange(row.comparison.change[i], kind === 'percent') : null;
    return el('div', { class: 'card', 'data-metric': metric },
      el('div', { class: 'label' }, label),
      el('div', { class: 'value' }, formatValue(row.metrics[i], kind, currency)),
      change && el('div', { class: `change ${change.direction}`, title: 'Change against the previous period' }, change.text));
  }));
}

async function timeline(body, state) {
  const answer = await query(state, { metrics: ['visitors', 'visits', 'conversions'], dimensions: ['time'], include: { time_labels: true } });
  if (!answer.results.length) {
    body.replaceChildren(el('p', { class: 'empty' }, 'No visits in this period.'));
    return;
  }
  const canvas = el('canvas', { role: 'img', 'aria-label': 'Visitors, visits and conversions over time' });
  body.replaceChildren(el('div', { class: 'chart' }, canvas));
  const series = (i, label, color) => ({
    label, data: answer.results.map((r) => r.metrics[i]), borderColor: color, backgroundColor: `${color}22`, fill: i === 0, tension: 0.25, pointRadius: 2,
  });
  charts.push(new Chart(canvas, {
    type: 'line',
    data: {
      labels: answer.results.map((r) => r.dimensions[0]),
      datasets: [series(0, 'Visitors', '#4f46e5'), series(1, 'Visits', '#0ea5e9'), series(2, 'Conversions', '#16a34a')],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, interaction: { mode: 'index', intersect: false }, scales: { y: { beginAtZero: true } } },
  }));
}

async function topList(body, state, dimension) {
  const answer = await query(state, { metrics: ['visitors', 'conversions'], dimensions: [dimension], pagination: { limit: 10 } });
  if (!answer.results.length) {
    body.replaceChildren(el('p', { class: 'empty' }, 'Nothing in this period.'));
    return;
  }
  const most = Math.max(...answer.results.map((r) => r.metrics[0] || 0), 1);
  const rows = answer.results.map((r) => {
    const value = r.dimensions[0];
    // Set through the style object: the page's content security policy refuses style attributes.
    const bar = el('div', { class: 'bar' });
    bar.style.width = `${(100 * (r.metrics[0] || 0)) / most}%`;
    const row = el('tr', { class: 'row', tabindex: '0', 'aria-label': `Filter by ${value}` },
      el('td', { class: 'name' }, bar, el('span', {}, value ?? '(none)')),
      el('td', { class: 'num' }, formatValue(r.metrics[0], 'int')),
      el('td', { class: 'num' }, formatValue(r.metrics[1], 'int')));
    const pick = () => go({ filters: [...state.filters.filter(([d]) => d !== dimension), [dimension, value]] });
    row.addEventListener('click', pick);
    row.addEventListener('keydown', (event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); pick(); } });
    return row;
  });
  body.replaceChildren(el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, dimension.replace(/^(visit|event):/, '')), el('th', { class: 'num' }, 'Visitors'), el('th', { class: 'num' }, 'Conversions'))),
    el('tbody', {}, rows)));
}

window.addEventListener('popstate', render);
start().catch((error) => root.replaceChildren(el('p', { class: 'error', role: 'alert' }, error.message)));
