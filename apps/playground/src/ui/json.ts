/**
 * A lossless JSON reader for the browser: numbers keep their source text, so
 * a 64-bit file hash such as 17849583022377412863 is shown exactly instead
 * of being rounded by `JSON.parse`. The result is a small tree that the
 * viewer renders as collapsible HTML.
 */

export type JsonNode =
  | { kind: 'object'; entries: [string, JsonNode][] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; value: string }
  | { kind: 'number'; raw: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' };

export function parseLossless(text: string): JsonNode {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`JSON: ${what} at offset ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: [string, JsonNode][] = [];
      ws();
      if (text[i] === '}') return i++, { kind: 'object', entries };
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const key = str();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        entries.push([key, value()]);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return { kind: 'object', entries }; }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') return i++, { kind: 'array', items };
      for (;;) {
        items.push(value());
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return { kind: 'array', items }; }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return { kind: 'string', value: str() };
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      return { kind: 'number', raw: m[0] };
    }
    if (text.startsWith('true', i)) return (i += 4), { kind: 'bool', value: true };
    if (text.startsWith('false', i)) return (i += 5), { kind: 'bool', value: false };
    if (text.startsWith('null', i)) return (i += 4), { kind: 'null' };
    return fail('unexpected character');
  };
  const out = value();
  ws();
  if (i !== text.length) fail('trailing characters');
  return out;
}

/** Reads a path such as `metadata.contents.0.fileid` from a tree. */
export function at(node: JsonNode | undefined, path: string): JsonNode | undefined {
  let cur = node;
  for (const key of path.split('.').filter(Boolean)) {
    if (!cur) return undefined;
    if (cur.kind === 'object') cur = cur.entries.find(([k]) => k === key)?.[1];
    else if (cur.kind === 'array') cur = cur.items[Number(key)];
    else return undefined;
  }
  return cur;
}

const URL_RE = /^https?:\/\/[^\s"]+$/;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function scalar(node: JsonNode): HTMLElement {
  switch (node.kind) {
    case 'string': {
      if (URL_RE.test(node.value)) {
        const a = el('a', 'j-str', JSON.stringify(node.value));
        a.href = node.value;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
        return a;
      }
      return el('span', 'j-str', JSON.stringify(node.value));
    }
    case 'number':
      return el('span', 'j-num', node.raw);
    case 'bool':
      return el('span', 'j-bool', String(node.value));
    case 'null':
      return el('span', 'j-null', 'null');
    default:
      return el('span');
  }
}

function summary(node: JsonNode): string {
  if (node.kind === 'object') return `{…} ${node.entries.length} key${node.entries.length === 1 ? '' : 's'}`;
  if (node.kind === 'array') return `[…] ${node.items.length} item${node.items.length === 1 ? '' : 's'}`;
  return '';
}

/**
 * Renders a tree as nested `<details>` elements (keyboard-friendly: each
 * summary is focusable and toggles with Enter/Space). Levels deeper than
 * `open` start collapsed.
 */
export function renderJson(node: JsonNode, open = 2, depth = 0, key?: string, comma = false): HTMLElement {
  const row = el('div', 'j-row');
  const label = () => {
    if (key === undefined) return null;
    return el('span', 'j-key', JSON.stringify(key));
  };
  if (node.kind !== 'object' && node.kind !== 'array') {
    const k = label();
    if (k) row.append(k, el('span', 'j-punct', ': '));
    row.append(scalar(node));
    if (comma) row.append(el('span', 'j-punct', ','));
    return row;
  }
  const children: [string | undefined, JsonNode][] = node.kind === 'object' ? node.entries : node.items.map((v) => [undefined, v]);
  const details = el('details', 'j-node');
  details.open = depth < open;
  const sum = el('summary');
  const k = label();
  if (k) sum.append(k, el('span', 'j-punct', ': '));
  sum.append(el('span', 'j-punct', node.kind === 'object' ? '{' : '['), el('span', 'j-count', summary(node)));
  details.append(sum);
  const body = el('div', 'j-children');
  children.forEach(([ck, cv], i) => body.append(renderJson(cv, open, depth + 1, ck, i < children.length - 1)));
  details.append(body, el('div', 'j-punct j-close', (node.kind === 'object' ? '}' : ']') + (comma ? ',' : '')));
  if (!children.length) {
    details.open = false;
    sum.replaceChildren(...(k ? [k, el('span', 'j-punct', ': ')] : []), el('span', 'j-punct', (node.kind === 'object' ? '{}' : '[]') + (comma ? ',' : '')));
  }
  row.append(details);
  return row;
}
