// Funnels: pick or define a funnel, and see each step's visitors with the drop-off between them.
import { Chart } from 'chart.js';
import { el, api, panel, table, formatValue } from '../ui.js';
import { go } from '../state.js';

export function funnels(main, state, charts) {
  const editor = el('div');
  main.append(panel('Funnels', async (body) => {
    const all = await api('/api/funnels');
    const add = el('button', { type: 'button', id: 'new-funnel' }, 'New funnel');
    add.addEventListener('click', () => define(editor));
    if (!all.length) {
      body.replaceChildren(add, el('p', { class: 'empty' }, 'No funnels yet: define one, such as page_view → form_submit → lead_created.'));
      return;
    }
    const chosen = all.find((f) => f.id === state.funnel) || all[0];
    const select = el('select', { id: 'funnel', 'aria-label': 'Funnel' }, all.map((f) => el('option', { value: f.id, selected: f.id === chosen.id }, f.name)));
    select.addEventListener('change', () => go({ funnel: select.value }));
    const report = el('div');
    body.replaceChildren(el('div', { class: 'actions' }, select, add), report);
    await show(report, chosen, state, charts);
  }));
  main.append(editor);
}

async function show(container, funnel, state, charts) {
  const answer = await api(`/api/funnels/${encodeURIComponent(funnel.id)}/report?date_range=${encodeURIComponent(state.range)}`);
  const steps = answer.steps;
  const canvas = el('canvas', { role: 'img', 'aria-label': `Visitors reaching each step of ${funnel.name}` });
  container.replaceChildren(el('div', { class: 'chart' }, canvas), table(
    [['Step'], ['Visitors', true], ['From start', true], ['From previous', true], ['Dropped', true], ['Median time', true]],
    steps.map((s) => [s.name, formatValue(s.entered, 'int'), `${s.conversion_rate.toFixed(1)}%`, `${s.step_conversion_rate.toFixed(1)}%`,
      formatValue(s.drop_off, 'int'), s.median_seconds_to_convert == null ? '—' : duration(s.median_seconds_to_convert)])));
  charts.push(new Chart(canvas, {
    type: 'bar',
    data: {
      labels: steps.map((s) => s.name),
      datasets: [
        // Stacked, the two make the visitors who reached the step.
        { label: 'Went on (or finished)', data: steps.map((s) => s.entered - s.drop_off), backgroundColor: '#4f46e5', stack: 'visitors' },
        { label: 'Dropped off here', data: steps.map((s) => s.drop_off), backgroundColor: '#fda4af', stack: 'visitors' },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  }));
}

function duration(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function define(container) {
  const name = el('input', { id: 'funnel-name', name: 'name', type: 'text', required: true });
  const steps = el('textarea', { id: 'funnel-steps', name: 'steps', rows: '5', placeholder: 'page_view /pricing\nform_submit\nlead_created' });
  const hours = el('input', { id: 'funnel-window', name: 'window_hours', type: 'number', value: '24', min: '1' });
  const order = el('select', { id: 'funnel-order', name: 'order' }, el('option', { value: 'strict' }, 'strict'), el('option', { value: 'any' }, 'any order'));
  const message = el('div', { role: 'alert' });
  const form = el('form', { class: 'panel editor', 'aria-label': 'New funnel' }, el('h2', {}, 'New funnel'),
    el('div', { class: 'fields' },
      el('label', { class: 'field' }, el('span', {}, 'Name'), name),
      el('label', { class: 'field wide' }, el('span', {}, 'Steps, one per line: an event type, then optionally a page'), steps),
      el('label', { class: 'field' }, el('span', {}, 'Window (hours)'), hours),
      el('label', { class: 'field' }, el('span', {}, 'Order'), order)),
    el('div', { class: 'actions' }, el('button', { class: 'primary', type: 'submit' }, 'Create')), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const parsed = steps.value.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
      const [type, page] = line.split(/\s+/, 2);
      return page ? { event_type: type, page } : type;
    });
    try {
      const created = await api('/api/funnels', { method: 'POST', body: { name: name.value, steps: parsed, window_hours: Number(hours.value), order: order.value } });
      container.replaceChildren();
      go({ funnel: created.id });
    } catch (error) {
      message.replaceChildren(el('p', { class: 'error' }, error.message));
    }
  });
  container.replaceChildren(form);
  name.focus();
}
