/**
 * The JSON viewer: renders an answer parsed by core's `parseJson` (64-bit
 * integers such as a file hash come back as exact bigints) as collapsible
 * HTML. Ids (`fileid`, `folderid`, `parentfolderid`) can be buttons that open
 * the next method, and datetimes the SDK decoded into `Date` are marked.
 */
import { DATETIME_FIELDS } from '@pcloudkit/core';

const URL_RE = /^https?:\/\/[^\s"]+$/;
/** How `stringifyJson` writes a `Date`. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Keys whose value is the id of a file or folder. */
export const ID_KEYS: Readonly<Record<string, 'file' | 'folder'>> = { fileid: 'file', folderid: 'folder', parentfolderid: 'folder' };

export interface JsonOptions {
  /** Levels deeper than this start collapsed (default 2). */
  open?: number;
  /** Makes ids buttons: called with the key and the exact id (decimal) when one is clicked. */
  onId?: (key: string, id: string) => void;
  /** Marks ISO datetimes in date fields as decoded `Date` values (the SDK's view). */
  dates?: boolean;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function scalar(value: unknown, key: string | undefined, options: JsonOptions): HTMLElement {
  const kind = key === undefined ? undefined : ID_KEYS[key];
  if (
    kind &&
    options.onId &&
    (typeof value === 'number' || typeof value === 'bigint' || (typeof value === 'string' && /^\d+$/.test(value)))
  ) {
    const id = String(value);
    const b = el('button', 'j-num j-id', id);
    b.type = 'button';
    b.dataset.idKey = key!;
    b.dataset.id = id;
    b.title = kind === 'folder' ? `Open listfolder with folderid ${id}` : `Open stat with fileid ${id}`;
    b.addEventListener('click', () => options.onId!(key!, id));
    return b;
  }
  if (typeof value === 'string') {
    if (options.dates && key !== undefined && DATETIME_FIELDS.has(key) && ISO_RE.test(value)) {
      const d = el('span', 'j-date', JSON.stringify(value));
      d.title = `Date: ${new Date(value).toString()}`;
      return d;
    }
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

function node(value: unknown, options: JsonOptions, depth: number, key: string | undefined, comma: boolean): HTMLElement {
  const row = el('div', 'j-row');
  const label = (): Node[] => (key === undefined ? [] : [el('span', 'j-key', JSON.stringify(key)), el('span', 'j-punct', ': ')]);
  const tail = comma ? [el('span', 'j-punct', ',')] : [];
  if (value === null || typeof value !== 'object') {
    row.append(...label(), scalar(value, key, options), ...tail);
    return row;
  }
  const isArray = Array.isArray(value);
  const children: [string | undefined, unknown][] = isArray ? value.map((v) => [undefined, v]) : Object.entries(value);
  if (!children.length) {
    // Nothing to expand: a plain row, so no toggle can reveal a lone closing bracket.
    row.append(...label(), el('span', 'j-punct', isArray ? '[]' : '{}'), ...tail);
    return row;
  }
  const details = el('details', 'j-node');
  details.open = depth < (options.open ?? 2);
  const sum = el('summary');
  sum.append(
    ...label(),
    el('span', 'j-punct', isArray ? '[' : '{'),
    el('span', 'j-count', isArray ? `[…] ${count(children.length, 'item')}` : `{…} ${count(children.length, 'key')}`),
  );
  const body = el('div', 'j-children');
  children.forEach(([ck, cv], i) => {
    body.append(node(cv, options, depth + 1, ck, i < children.length - 1));
  });
  details.append(sum, body, el('div', 'j-punct j-close', (isArray ? ']' : '}') + (comma ? ',' : '')));
  row.append(details);
  return row;
}

/**
 * Renders a tree as nested `<details>` elements (keyboard-friendly: each
 * summary is focusable and toggles with Enter/Space).
 */
export function renderJson(value: unknown, open: number | JsonOptions = 2): HTMLElement {
  return node(value, typeof open === 'number' ? { open } : open, 0, undefined, false);
}

/** Opens or closes every node of the trees under `root`. */
export function setAllOpen(root: ParentNode, open: boolean): void {
  for (const d of root.querySelectorAll<HTMLDetailsElement>('details.j-node')) d.open = open;
}
