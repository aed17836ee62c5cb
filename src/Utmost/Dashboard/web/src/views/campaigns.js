// Campaigns: the stored campaigns with what their tagged visits brought in the period; create, edit, pause and launch.
import { el, api, panel, table, formatValue } from '../ui.js';
import { go, query } from '../state.js';

export function campaigns(main, state) {
  const editor = el('div');
  main.append(editor);
  main.append(panel('Campaigns', (body) => list(body, state, editor)));
}

async function list(body, state, editor) {
  const [stored, results] = await Promise.all([
    api('/marketing/campaigns?limit=200'),
    query(state, { metrics: ['visitors', 'leads', 'conversions', 'revenue'], dimensions: ['visit:campaign'], pagination: { limit: 1000 } }),
  ]);
  const byTag = new Map(results.results.map((r) => [r.dimensions[0], r.metrics]));
  const currency = results.meta.currency;
  const add = el('button', { class: 'primary', type: 'button', id: 'new-campaign' }, 'New campaign');
  add.addEventListener('click', () => edit(editor, null));
  if (!stored.length) {
    body.replaceChildren(add, el('p', { class: 'empty' }, 'No campaigns yet.'));
    return;
  }
  const rows = stored.map((c) => {
    const [visitors, leads, conversions, revenue] = byTag.get(c.utm_campaign || c.campaign_name) || [0, 0, 0, 0];
    const cpl = leads ? c.spent / leads : null;
    const roi = c.spent ? ((revenue || 0) - c.spent) / c.spent * 100 : null;
    const editButton = el('button', { type: 'button', 'aria-label': `Edit ${c.campaign_name}` }, 'Edit');
    editButton.addEventListener('click', () => edit(editor, c));
    const next = c.status === 'active' ? 'paused' : 'active';
    const toggle = el('button', { type: 'button', 'aria-label': `${next === 'active' ? 'Launch' : 'Pause'} ${c.campaign_name}` }, next === 'active' ? 'Launch' : 'Pause');
    toggle.addEventListener('click', async () => {
      await api(`/marketing/campaigns/${c.id}`, { method: 'PATCH', body: { status: next } });
      go({});
    });
    return [
      el('span', { class: 'campaign-name' }, c.campaign_name), el('span', { class: `status ${c.status}` }, c.status), c.campaign_type || '—',
      [c.start_date, c.end_date].map((d) => (d ? d.slice(0, 10) : '…')).join(' → '),
      formatValue(c.budget, 'money', c.currency), formatValue(c.spent, 'money', c.currency),
      formatValue(visitors, 'int'), formatValue(leads, 'int'), formatValue(conversions, 'int'), formatValue(revenue, 'money', currency),
      formatValue(cpl, 'money', c.currency), roi === null ? '—' : `${roi.toFixed(1)}%`, el('span', { class: 'actions' }, editButton, toggle),
    ];
  });
  body.replaceChildren(add, table([['Name'], ['Status'], ['Type'], ['Dates'], ['Budget', true], ['Spent', true], ['Visitors', true],
    ['Leads', true], ['Conversions', true], ['Revenue', true], ['CPL', true], ['ROI', true], ['']], rows));
}

/** The form for a new campaign (<paramref name="campaign"/> null) or for changing one; errors are shown by field. */
async function edit(container, campaign) {
  const types = await api('/marketing/campaigns/types');
  const field = (name, label, input) => el('label', { class: 'field' }, el('span', {}, label), input);
  const input = (name, type, value) => el('input', { name, id: `campaign-${name}`, type, value: value ?? '' });
  const name = input('campaign_name', 'text', campaign?.campaign_name);
  name.required = true;
  const type = el('select', { name: 'campaign_type', id: 'campaign-campaign_type' },
    el('option', { value: '' }, '—'), types.map((t) => el('option', { value: t, selected: t === campaign?.campaign_type }, t)));
  const start = input('start_date', 'date', campaign?.start_date?.slice(0, 10));
  const end = input('end_date', 'date', campaign?.end_date?.slice(0, 10));
  const budget = input('budget', 'number', campaign?.budget);
  budget.step = '0.01';
  const spent = input('spent', 'number', campaign?.spent);
  spent.step = '0.01';
  const tag = input('utm_campaign', 'text', campaign?.utm_campaign);
  const message = el('div', { role: 'alert' });
  const cancel = el('button', { type: 'button' }, 'Cancel');
  cancel.addEventListener('click', () => container.replaceChildren());
  const form = el('form', { class: 'panel editor', 'aria-label': campaign ? 'Edit campaign' : 'New campaign' },
    el('h2', {}, campaign ? `Edit ${campaign.campaign_name}` : 'New campaign'),
    el('div', { class: 'fields' }, field('campaign_name', 'Name', name), field('campaign_type', 'Type', type), field('start_date', 'Start', start),
      field('end_date', 'End', end), field('budget', 'Budget', budget), field('spent', 'Spent', spent), field('utm_campaign', 'utm_campaign tag', tag)),
    el('div', { class: 'actions' }, el('button', { class: 'primary', type: 'submit' }, campaign ? 'Save' : 'Create'), cancel), message);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { campaign_name: name.value, campaign_type: type.value || null, utm_campaign: tag.value || null,
      start_date: start.value || null, end_date: end.value || null, budget: budget.value === '' ? null : Number(budget.value) };
    if (spent.value !== '') body.spent = Number(spent.value);
    if (!campaign) body.status = 'draft';
    try {
      await api(campaign ? `/marketing/campaigns/${campaign.id}` : '/marketing/campaigns', { method: campaign ? 'PATCH' : 'POST', body });
      container.replaceChildren();
      go({});
    } catch (error) {
      message.replaceChildren(el('p', { class: 'error' }, error.message));
    }
  });
  container.replaceChildren(form);
  name.focus();
}
