// What the page shows lives in the URL (view, date range, comparison, filters), so a view can be shared and the back
// button works.
import { api } from './ui.js';

export const PRESETS = [
  ['today', 'Today'], ['yesterday', 'Yesterday'], ['last_7_days', 'Last 7 days'], ['last_30_days', 'Last 30 days'],
  ['last_90_days', 'Last 90 days'], ['last_365_days', 'Last 365 days'], ['last_month', 'Last month'],
  ['last_12_months', 'Last 12 months'], ['last_year', 'Last year'], ['all', 'All time'],
];

export const VIEWS = [
  ['overview', 'Overview'], ['channels', 'Channels'], ['campaigns', 'Campaigns'], ['funnels', 'Funnels'], ['realtime', 'Realtime'], ['settings', 'Settings'],
];

let onChange = () => {};

/** Sets what runs when the state changes (the page's render). */
export function whenStateChanges(render) {
  onChange = render;
}

export function readState() {
  const params = new URLSearchParams(location.search);
  return {
    view: VIEWS.some(([id]) => id === params.get('view')) ? params.get('view') : 'overview',
    range: PRESETS.some(([id]) => id === params.get('range')) ? params.get('range') : 'last_30_days',
    compare: params.get('compare') !== 'off',
    model: params.get('model') || 'last_non_direct_click',
    funnel: params.get('funnel') || '',
    filters: params.getAll('f').map((f) => {
      const at = f.indexOf('=');
      return at > 0 ? [f.slice(0, at), f.slice(at + 1)] : null;
    }).filter(Boolean),
  };
}

export function go(change) {
  const state = { ...readState(), ...change };
  const params = new URLSearchParams();
  if (state.view !== 'overview') params.set('view', state.view);
  params.set('range', state.range);
  if (!state.compare) params.set('compare', 'off');
  if (state.view === 'channels' && state.model !== 'last_non_direct_click') params.set('model', state.model);
  if (state.view === 'funnels' && state.funnel) params.set('funnel', state.funnel);
  state.filters.forEach(([dimension, value]) => params.append('f', `${dimension}=${value}`));
  history.pushState(null, '', `/?${params}`);
  onChange();
}

/** The query API with the page's date range and filters. */
export function query(state, body) {
  return api('/api/v2/query', {
    method: 'POST',
    body: { date_range: state.range, filters: state.filters.map(([dimension, value]) => ['is', dimension, [value]]), ...body },
  });
}

/** The date range as the tenant's first and last day, for the reports that take dates. */
export async function rangeDates(state) {
  const answer = await query(state, { metrics: ['visits'] });
  return answer.query.date_range;
}
