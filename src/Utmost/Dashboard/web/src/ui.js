// Small pieces the views share: building elements, calling the API, formatting numbers.

/** An element with attributes (on* are listeners; false and null leave one out) and children (strings become text). */
export function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value == null) continue;
    if (name === 'class') element.className = value;
    else if (name === 'checked' || name === 'selected') element[name] = true;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child != null && child !== false) element.append(child);
  }
  return element;
}

/** Calls the server; a refusal becomes an Error whose message says what was wrong, in words. */
export async function api(path, options = {}) {
  const response = await fetch(path, {
    method: options.method || 'GET',
    credentials: 'same-origin',
    // The header marks the dashboard's own requests: the server refuses changes made with the session cookie without it.
    headers: { 'Content-Type': 'application/json', 'X-Utmost-Dashboard': '1' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new Error(describeProblem(data, response.status));
    error.status = response.status;
    throw error;
  }
  return data;
}

function describeProblem(problem, status) {
  if (problem && problem.errors) {
    return Object.entries(problem.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(', ')}`).join('; ');
  }
  if (problem && (problem.detail || problem.title)) return problem.detail || problem.title;
  return `The server answered ${status}; try again.`;
}

const whole = new Intl.NumberFormat('en-US');

/** A metric as shown: whole numbers with separators, rates in percent, ROAS as a ratio, money in the answer's currency. */
export function formatValue(value, kind, currency) {
  if (value === null || value === undefined) return '—';
  switch (kind) {
    case 'percent': return `${value.toFixed(1)}%`;
    case 'ratio': return `${value.toFixed(2)}×`;
    case 'decimal': return value.toFixed(2);
    case 'money': return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency || 'USD' }).format(value);
    default: return whole.format(value);
  }
}

/** A change against the comparison period: percent, or points for rates. */
export function formatChange(change, isRate) {
  if (change === null || change === undefined) return { text: 'none before', direction: 'flat' };
  const arrow = change > 0 ? '▲' : change < 0 ? '▼' : '■';
  return { text: `${arrow} ${Math.abs(change).toFixed(1)}${isRate ? ' pts' : '%'}`, direction: change > 0 ? 'up' : change < 0 ? 'down' : 'flat' };
}

/** A panel that shows its content, or the API's error in words instead of an empty chart. */
export function panel(title, fill, extra) {
  const body = el('div', {}, el('p', { class: 'empty' }, 'Loading…'));
  const section = el('section', { class: 'panel', 'aria-label': title }, el('div', { class: 'panel-head' }, el('h2', {}, title), extra), body);
  fill(body).catch((error) => body.replaceChildren(errorBox(error)));
  return section;
}

export function errorBox(error) {
  return el('p', { class: 'error', role: 'alert' }, error.message);
}

/** A table: headers as [label, numeric?], rows as arrays of cells (text or elements). */
export function table(headers, rows) {
  return el('div', { class: 'scroll' }, el('table', {},
    el('thead', {}, el('tr', {}, headers.map(([label, numeric]) => el('th', { class: numeric ? 'num' : false, scope: 'col' }, label)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((cell, i) => el('td', { class: headers[i][1] ? 'num' : false }, cell)))))));
}
