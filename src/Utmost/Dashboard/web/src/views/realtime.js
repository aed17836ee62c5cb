// Realtime: visitors and events of the last five minutes, the active campaigns and the latest conversions, every 10 s.
import { el, api, table, errorBox, formatValue } from '../ui.js';

export function realtime(main, state, charts, timers) {
  const body = el('div', {}, el('p', { class: 'empty' }, 'Loading…'));
  main.append(body);
  const load = async () => {
    try {
      const now = await api('/api/v1/analytics/dashboard/realtime');
      body.replaceChildren(
        el('div', { class: 'cards', 'aria-label': 'Right now' },
          el('div', { class: 'card', 'data-metric': 'visitors_now' }, el('div', { class: 'label' }, 'Visitors in the last 5 minutes'),
            el('div', { class: 'value' }, formatValue(now.visitors_last5_minutes, 'int'))),
          el('div', { class: 'card', 'data-metric': 'events_now' }, el('div', { class: 'label' }, 'Events in the last 5 minutes'),
            el('div', { class: 'value' }, formatValue(now.events_last5_minutes, 'int'))),
          el('div', { class: 'card' }, el('div', { class: 'label' }, 'Active campaigns'), el('div', { class: 'value' }, formatValue(now.active_campaign_count, 'int')))),
        el('section', { class: 'panel', 'aria-label': 'Latest conversions' }, el('h2', {}, 'Latest conversions'),
          now.latest_conversions.length
            ? table([['When'], ['Goal'], ['Value', true], ['Channel'], ['Source']], now.latest_conversions.map((c) => [
              new Date(c.at).toLocaleTimeString(), c.goal || c.event_type, formatValue(c.value, 'money', c.currency), c.channel || '—', c.source || '—']))
            : el('p', { class: 'empty' }, 'No conversions yet.')),
        el('p', { class: 'muted' }, `Updated ${new Date(now.at).toLocaleTimeString()}; refreshes every 10 seconds.`));
    } catch (error) {
      body.replaceChildren(errorBox(error));
    }
  };
  load();
  timers.push(setInterval(load, 10_000));
}
