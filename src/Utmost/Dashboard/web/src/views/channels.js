// Channels: performance per channel from the query API, and conversions credited by each attribution model side by side.
import { Chart } from 'chart.js';
import { el, api, panel, table, formatValue } from '../ui.js';
import { go, query, rangeDates } from '../state.js';

const MODEL_NAMES = {
  first_click: 'First click', last_click: 'Last click', last_non_direct_click: 'Last non-direct click', any_click: 'Any click',
  linear: 'Linear', time_decay: 'Time decay', position_based: 'Position based', markov: 'Markov chain (data-driven)',
  shapley: 'Shapley (data-driven)',
};

const modelName = (id) => MODEL_NAMES[id] || id.replaceAll('_', ' ');

export function channels(main, state, charts) {
  main.append(panel('Channel performance', (body) => performance(body, state)));
  const comparison = attribution(state);
  main.append(panel('Attribution by model', async (body) => {
    const answer = await comparison;
    const select = el('select', { id: 'model', 'aria-label': 'Attribution model' },
      answer.models.map((id) => el('option', { value: id, selected: id === state.model }, modelName(id))));
    select.addEventListener('change', () => go({ model: select.value }));
    const model = answer.models.includes(state.model) ? state.model : answer.models[0];
    const rows = [...answer.rows].sort((a, b) => (b.models[model]?.conversions || 0) - (a.models[model]?.conversions || 0));
    const canvas = el('canvas', { role: 'img', 'aria-label': `Conversions credited per channel by ${modelName(model)}` });
    body.replaceChildren(el('label', { class: 'toggle', for: 'model' }, 'Model'), select,
      rows.length ? el('div', { class: 'chart' }, canvas) : el('p', { class: 'empty' }, 'No conversions in this period.'),
      rows.length ? table([['Channel'], ['Conversions', true], ['Revenue', true]], rows.map((r) => [
        r.channel, formatValue(r.models[model].conversions, 'decimal'), formatValue(r.models[model].revenue, 'money', answer.currency)])) : null);
    if (rows.length) {
      charts.push(new Chart(canvas, {
        type: 'bar',
        data: { labels: rows.map((r) => r.channel), datasets: [{ label: modelName(model), data: rows.map((r) => r.models[model].conversions), backgroundColor: '#4f46e5' }] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, indexAxis: 'y', plugins: { legend: { display: false } } },
      }));
    }
  }));
  main.append(panel('Model comparison', async (body) => {
    const answer = await comparison;
    body.replaceChildren(answer.rows.length
      ? table([['Channel'], ...answer.models.map((id) => [modelName(id), true])],
        answer.rows.map((r) => [r.channel, ...answer.models.map((id) => formatValue(r.models[id].conversions, 'decimal'))]))
      : el('p', { class: 'empty' }, 'No conversions in this period.'));
  }));
}

async function attribution(state) {
  const [from, to] = await rangeDates(state);
  return api(`/api/v1/analytics/attribution/compare?date_from=${encodeURIComponent(from)}&date_to=${encodeURIComponent(to)}`);
}

async function performance(body, state) {
  const metrics = [['visitors', 'Visitors', 'int'], ['visits', 'Visits', 'int'], ['conversions', 'Conversions', 'int'],
    ['conversion_rate', 'Conv. rate', 'percent'], ['revenue', 'Revenue', 'money'], ['cost', 'Cost', 'money'], ['roas', 'ROAS', 'ratio'], ['cpa', 'CPA', 'money']];
  const answer = await query(state, { metrics: metrics.map(([m]) => m), dimensions: ['visit:channel'] });
  body.replaceChildren(answer.results.length
    ? table([['Channel'], ...metrics.map(([, label]) => [label, true])],
      answer.results.map((r) => [r.dimensions[0], ...metrics.map(([, , kind], i) => formatValue(r.metrics[i], kind, answer.meta.currency))]))
    : el('p', { class: 'empty' }, 'No visits in this period.'));
}
