/**
 * A file browser over `listfolder` answers: folders open with another
 * `listfolder`, files show an icon for their category, size, date and (for
 * images) a thumbnail from `getthumblink`; files dropped on it are uploaded
 * with `uploadfile`, and each file has a menu of methods to run on it. Every
 * call goes through the page's own pipeline, so it lands in the history.
 */
import { parseJson } from '@pcloudkit/core';
import type { CallOutput } from '../shared/output.js';
import { h } from './form.js';

export interface BrowserHooks {
  /** Opens a method's form with these values and sends it (its answer becomes the result). */
  run(name: string, values: Record<string, string>, file?: File): Promise<void>;
  /** A call whose answer is not shown (thumbnails). */
  quiet(name: string, values: Record<string, string>): Promise<CallOutput>;
}

interface Entry {
  name: string;
  isfolder?: boolean;
  folderid?: unknown;
  fileid?: unknown;
  parentfolderid?: unknown;
  path?: string;
  size?: number | bigint;
  modified?: string;
  category?: number;
  contenttype?: string;
  thumb?: boolean;
  contents?: Entry[];
}

/** pCloud's file categories. */
const CATEGORIES: Record<number, { label: string; name: string }> = {
  0: { label: 'FILE', name: 'file' },
  1: { label: 'IMG', name: 'image' },
  2: { label: 'VID', name: 'video' },
  3: { label: 'AUD', name: 'audio' },
  4: { label: 'DOC', name: 'document' },
  5: { label: 'ZIP', name: 'archive' },
};

/** At most this many thumbnails are asked for per listing. */
const MAX_THUMBS = 24;

export function formatSize(n: number | bigint | undefined): string {
  if (n === undefined) return '';
  const v = Number(n);
  if (v < 1024) return `${v} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let x = v / 1024;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x.toFixed(x < 10 ? 1 : 0)} ${units[i]}`;
}

function when(value: string | undefined): HTMLElement | string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  return h('time', { datetime: d.toISOString() }, d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

/** The folder of a `listfolder` answer, if the answer is one. */
function folderOf(output: CallOutput): Entry | undefined {
  if (output.error || !output.response || output.request.method !== 'listfolder') return undefined;
  try {
    const answer = parseJson(output.response) as { metadata?: Entry };
    const m = answer.metadata;
    return m?.isfolder && Array.isArray(m.contents) ? m : undefined;
  } catch {
    return undefined;
  }
}

function icon(entry: Entry): HTMLElement {
  if (entry.isfolder) return h('span', { class: 'fb-icon folder', 'aria-hidden': 'true' });
  const c = CATEGORIES[entry.category ?? 0] ?? CATEGORIES[0]!;
  return h('span', { class: `fb-icon ${c.name}`, 'aria-hidden': 'true' }, c.label);
}

function fileMenu(entry: Entry, hooks: BrowserHooks, folder: Entry): HTMLElement {
  const id = String(entry.fileid);
  const menu = h('details', { class: 'fb-menu' });
  const summary = h('summary', { 'aria-label': `Actions for ${entry.name}`, title: 'Actions' }, '⋯');
  const list = h('div', { class: 'fb-actions' });
  const action = (label: string, method: string, values: Record<string, string>, after?: () => Promise<void>) => {
    const b = h('button', { type: 'button', class: 'ghost small', 'data-action': method }, label);
    b.addEventListener('click', async () => {
      menu.open = false;
      if (method === 'deletefile' && !window.confirm(`Delete ${entry.name}?`)) return;
      await hooks.run(method, values);
      await after?.();
    });
    list.append(b);
  };
  action('Stat', 'stat', { fileid: id });
  action('Download link', 'getfilelink', { fileid: id });
  if (entry.category === 3) action('Audio link', 'getaudiolink', { fileid: id });
  if (entry.category === 2) action('Video link', 'getvideolink', { fileid: id });
  action('Checksum', 'checksumfile', { fileid: id });
  action('Delete…', 'deletefile', { fileid: id }, () => hooks.run('listfolder', { folderid: String(folder.folderid) }));
  menu.append(summary, list);
  // One open menu at a time; Escape closes it and gives the focus back to its button.
  menu.addEventListener('toggle', () => {
    if (!menu.open) return;
    for (const other of document.querySelectorAll<HTMLDetailsElement>('.fb-menu[open]')) if (other !== menu) other.open = false;
  });
  menu.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !menu.open) return;
    e.stopPropagation();
    menu.open = false;
    summary.focus();
  });
  return menu;
}

async function loadThumbs(items: { entry: Entry; slot: HTMLElement }[], hooks: BrowserHooks): Promise<void> {
  for (const { entry, slot } of items.slice(0, MAX_THUMBS)) {
    const out = await hooks.quiet('getthumblink', { fileid: String(entry.fileid), size: '64x64' }).catch(() => undefined);
    const src = out?.links?.[0]?.urls[0];
    if (!src || !slot.isConnected) continue;
    const img = h('img', { src, alt: '', class: 'fb-thumb', width: '40', height: '40', loading: 'lazy' });
    slot.replaceChildren(img);
  }
}

let outsideClicks = false;

/** A click outside an open actions menu closes it (set up once per page). */
function closeMenusOnOutsideClick(): void {
  if (outsideClicks) return;
  outsideClicks = true;
  document.addEventListener('click', (e) => {
    for (const open of document.querySelectorAll<HTMLDetailsElement>('.fb-menu[open]'))
      if (!open.contains(e.target as Node)) open.open = false;
  });
}

/** The file browser of a `listfolder` answer, or `undefined` when the answer is something else. */
export function fileBrowser(output: CallOutput, hooks: BrowserHooks): HTMLElement | undefined {
  const folder = folderOf(output);
  if (!folder) return undefined;
  const contents = [...(folder.contents ?? [])].sort(
    (a, b) => Number(Boolean(b.isfolder)) - Number(Boolean(a.isfolder)) || a.name.localeCompare(b.name),
  );
  const title = folder.path ?? (folder.name === '/' ? '/' : folder.name);
  const box = h('div', { class: 'fb', id: 'file-browser', 'data-folderid': String(folder.folderid) });

  const head = h('div', { class: 'fb-head' });
  if (folder.parentfolderid !== undefined) {
    const up = h(
      'button',
      { type: 'button', class: 'ghost small fb-up', title: 'Open the parent folder' },
      h('span', { 'aria-hidden': 'true' }, '↑ '),
      'Up',
    );
    up.addEventListener('click', () => void hooks.run('listfolder', { folderid: String(folder.parentfolderid) }));
    head.append(up);
  }
  const folders = contents.filter((c) => c.isfolder).length;
  head.append(
    h('span', { class: 'fb-path' }, icon(folder), h('strong', {}, title)),
    h(
      'span',
      { class: 'muted fb-count' },
      `${folders} folder${folders === 1 ? '' : 's'} · ${contents.length - folders} file${contents.length - folders === 1 ? '' : 's'}`,
    ),
  );

  // Upload: drop files anywhere on the browser, or pick them.
  const picker = h('input', {
    type: 'file',
    multiple: '',
    class: 'visually-hidden',
    id: 'fb-upload',
    tabindex: '-1',
    'aria-label': `Files to upload to ${title}`,
  });
  const pick = h('button', { type: 'button', class: 'ghost small' }, 'Upload files…');
  pick.addEventListener('click', () => picker.click());
  const upload = async (files: File[]) => {
    for (const file of files) await hooks.run('uploadfile', { folderid: String(folder.folderid) }, file);
    if (files.length) await hooks.run('listfolder', { folderid: String(folder.folderid) });
  };
  picker.addEventListener('change', () => void upload([...(picker.files ?? [])]));
  const drop = h('p', { class: 'fb-drop muted' }, `Drop files here to upload them to ${title}, or `, pick, picker);

  const list = h('ul', { class: 'fb-list', 'aria-label': `Contents of ${title}` });
  const thumbs: { entry: Entry; slot: HTMLElement }[] = [];
  for (const entry of contents) {
    const li = h('li', { class: `fb-item${entry.isfolder ? ' is-folder' : ''}` });
    if (entry.isfolder) {
      const open = h('button', { type: 'button', class: 'fb-name', 'data-folderid': String(entry.folderid) }, entry.name);
      open.addEventListener('click', () => void hooks.run('listfolder', { folderid: String(entry.folderid) }));
      li.append(
        h('span', { class: 'fb-visual' }, icon(entry)),
        open,
        h('span', { class: 'fb-size' }),
        h('span', { class: 'fb-date' }, when(entry.modified)),
      );
      li.append(h('span', { class: 'fb-more' }));
    } else {
      const slot = h('span', { class: 'fb-visual' }, icon(entry));
      if (entry.thumb || entry.category === 1) thumbs.push({ entry, slot });
      li.dataset.fileid = String(entry.fileid);
      li.append(
        slot,
        h('span', { class: 'fb-name', title: entry.contenttype ?? '' }, entry.name),
        h('span', { class: 'fb-size' }, formatSize(entry.size)),
        h('span', { class: 'fb-date' }, when(entry.modified)),
        h('span', { class: 'fb-more' }, fileMenu(entry, hooks, folder)),
      );
    }
    list.append(li);
  }
  if (!contents.length) list.append(h('li', { class: 'fb-empty muted' }, 'This folder is empty.'));
  box.append(head, list, drop);

  box.addEventListener('dragover', (e) => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    box.classList.add('dragging');
  });
  box.addEventListener('dragleave', (e) => {
    if (!box.contains(e.relatedTarget as Node | null)) box.classList.remove('dragging');
  });
  box.addEventListener('drop', (e) => {
    e.preventDefault();
    box.classList.remove('dragging');
    void upload([...(e.dataTransfer?.files ?? [])]);
  });
  closeMenusOnOutsideClick();
  void loadThumbs(thumbs, hooks);
  return box;
}
