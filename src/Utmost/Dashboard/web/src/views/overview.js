// Overview: the key metrics with their change, a timeline, and the top lists that filter the page when clicked.
import { Chart } from 'chart.js';
import { el, panel, errorBox, formatValue, formatChange } from '../ui.js';
import { go, query } from '../state.js';

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

export function overview(main, state, charts) {
  const cards = el('div', { class: 'cards', 'aria-label': 'Key metrics' });
  main.append(cards);
  loadCards(cards, state).catch((error) => cards.replaceChildren(errorBox(error)));
  main.append(panel('Timeline', (body) => timeline(body, state, charts)));
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

async function timeline(body, state, charts) {
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
