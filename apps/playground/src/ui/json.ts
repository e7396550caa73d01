/**
 * The JSON viewer: renders an answer parsed by core's `parseJson` (64-bit
 * integers such as a file hash come back as exact bigints) as collapsible
 * HTML.
 */

const URL_RE = /^https?:\/\/[^\s"]+$/;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function scalar(value: unknown): HTMLElement {
  if (typeof value === 'string') {
    if (!URL_RE.test(value)) return el('span', 'j-str', JSON.stringify(value));
    const a = el('a', 'j-str', JSON.stringify(value));
    a.href = value;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return el('span', 'j-num', String(value));
  if (typeof value === 'boolean') return el('span', 'j-bool', String(value));
  return el('span', 'j-null', 'null');
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/**
 * Renders a tree as nested `<details>` elements (keyboard-friendly: each
 * summary is focusable and toggles with Enter/Space). Levels deeper than
 * `open` start collapsed.
 */
export function renderJson(value: unknown, open = 2, depth = 0, key?: string, comma = false): HTMLElement {
  const row = el('div', 'j-row');
  const label = () => {
    if (key === undefined) return null;
    return el('span', 'j-key', JSON.stringify(key));
  };
  if (value === null || typeof value !== 'object') {
    const k = label();
    if (k) row.append(k, el('span', 'j-punct', ': '));
    row.append(scalar(value));
    if (comma) row.append(el('span', 'j-punct', ','));
    return row;
  }
  const isArray = Array.isArray(value);
  const children: [string | undefined, unknown][] = isArray ? value.map((v) => [undefined, v]) : Object.entries(value);
  const details = el('details', 'j-node');
  details.open = depth < open;
  const sum = el('summary');
  const k = label();
  if (k) sum.append(k, el('span', 'j-punct', ': '));
  sum.append(
    el('span', 'j-punct', isArray ? '[' : '{'),
    el('span', 'j-count', isArray ? `[…] ${count(children.length, 'item')}` : `{…} ${count(children.length, 'key')}`),
  );
  details.append(sum);
  const body = el('div', 'j-children');
  children.forEach(([ck, cv], i) => {
    body.append(renderJson(cv, open, depth + 1, ck, i < children.length - 1));
  });
  details.append(body, el('div', 'j-punct j-close', (isArray ? ']' : '}') + (comma ? ',' : '')));
  if (!children.length) {
    details.open = false;
    sum.replaceChildren(
      ...(k ? [k, el('span', 'j-punct', ': ')] : []),
      el('span', 'j-punct', (isArray ? '[]' : '{}') + (comma ? ',' : '')),
    );
  }
  row.append(details);
  return row;
}
