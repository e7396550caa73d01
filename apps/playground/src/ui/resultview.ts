/**
 * The answer of a call as a JSON tree, in two views: the SDK's decoded
 * answer (what `client.request` hands back: datetimes as `Date`, the file
 * hash a bigint) and the answer as it came off the wire (datetimes as pCloud
 * sent them). 64-bit integers are exact in both. Ids open the next method.
 */
import { parseJson } from '@pcloudkit/core';
import type { CallOutput } from '../shared/output.js';
import { h } from './form.js';
import { ID_KEYS, renderJson, setAllOpen } from './json.js';

export interface ResponseHooks {
  /** A `fileid`/`folderid`/`parentfolderid` of the answer was clicked. */
  openId(key: string, id: string): void;
  /** Copies text to the clipboard. */
  copy(text: string): void;
}

/** The method an id opens, and with which param. */
export function methodForId(key: string, id: string): { name: string; values: Record<string, string> } {
  return ID_KEYS[key] === 'folder' ? { name: 'listfolder', values: { folderid: id } } : { name: 'stat', values: { fileid: id } };
}

function tree(text: string, dates: boolean, hooks: ResponseHooks): HTMLElement {
  const box = h('div', { class: 'json' });
  try {
    box.append(renderJson(parseJson(text), { open: 3, dates, onId: (key, id) => hooks.openId(key, id) }));
  } catch {
    box.append(h('pre', {}, text));
  }
  return box;
}

let views = 0;

/** The body of the Response section: the view switch, expand/collapse all, and the tree. */
export function responseBody(output: CallOutput, hooks: ResponseHooks): HTMLElement {
  const decoded = output.response ?? '';
  const raw = output.raw;
  const body = h('div', { class: 'response-view' });
  const bar = h('div', { class: 'json-tools' });
  let current = tree(decoded, true, hooks);
  const n = ++views;
  if (raw !== undefined && raw !== decoded) {
    const seg = h('div', { class: 'seg', role: 'radiogroup', 'aria-label': 'Answer view' });
    const choice = (value: 'decoded' | 'wire', label: string, title: string) => {
      const input = h('input', { type: 'radio', name: `answer-view-${n}`, value, 'data-view': value });
      input.checked = value === 'decoded';
      input.addEventListener('change', () => {
        const next = tree(value === 'wire' ? raw : decoded, value === 'decoded', hooks);
        current.replaceWith(next);
        current = next;
        body.dataset.view = value;
      });
      return h('label', { title }, input, h('span', {}, label));
    };
    seg.append(
      choice('decoded', 'SDK decoded', 'What client.request returns: datetimes as Date, the hash as a bigint'),
      choice('wire', 'Wire', 'The answer as pCloud sent it, before the SDK decoded it'),
    );
    bar.append(seg);
  }
  body.dataset.view = 'decoded';
  const all = (open: boolean, label: string) => {
    const b = h('button', { type: 'button', class: 'ghost small', 'data-json': open ? 'expand' : 'collapse' }, label);
    b.addEventListener('click', () => setAllOpen(current, open));
    return b;
  };
  bar.append(all(true, 'Expand all'), all(false, 'Collapse all'));
  // Copies the view shown: the decoded answer or the wire one.
  const copy = h('button', { type: 'button', class: 'ghost small', 'data-json': 'copy' }, 'Copy JSON');
  copy.addEventListener('click', () => hooks.copy(body.dataset.view === 'wire' && raw !== undefined ? raw : decoded));
  bar.append(copy);
  body.append(bar, current);
  return body;
}
