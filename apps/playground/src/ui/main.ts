/**
 * The playground page: method list, generated forms, results and history.
 * Plain DOM code. HTTP calls run here, from the browser straight to the
 * target, through `@pcloudkit/transport-fetch`; binary calls go through the
 * playground server, since browsers cannot open the TCP connection that
 * protocol needs.
 */
import type { CodeInput } from './codegen.js';
import { parseJson } from '@pcloudkit/core';
import type { Settings } from '../server/app.js';
import type { MethodInfo } from '../server/registry.js';
import type { CallOutput, Credentials } from '../shared/output.js';
import { definitionsByName } from '../shared/sources.js';
import { runHttpCall } from './direct.js';
import { setupAccounts, type SignedIn } from './accounts.js';
import { fileopsPanel } from './fileops.js';
import { buildFields, collect, fill, type FormValues, h, showErrors, typingIn } from './form.js';
import { authorizePanel, completeAuthorizeRedirect } from './authorize.js';
import { exportSection, exportText, preferredFormat } from './exports.js';
import { hintBlock } from './hints.js';
import { type HistoryEntry, setupHistory } from './history.js';
import { cancelButton, startRun } from './running.js';
import { renderJson } from './json.js';
import { fileBrowser } from './filebrowser.js';
import { setupLayout } from './layout.js';
import { methodForId, responseBody } from './resultview.js';

const $ = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)!;

/** Definitions of the bundled method packages, for the calls the page makes itself. */
const definitions = definitionsByName();

/** The pCloud account entered under "pCloud token…": kept in this page's memory only. */
interface PcloudAccount {
  token?: string;
  kind: 'access_token' | 'auth';
  region: 'us' | 'eu';
}

const state = {
  methods: [] as MethodInfo[],
  settings: undefined as Settings | undefined,
  pcloud: { kind: 'access_token', region: 'us' } as PcloudAccount,
  /** Who emulator calls run as (the switcher changes it). */
  emulatorUser: undefined as SignedIn | undefined,
  accounts: undefined as ReturnType<typeof setupAccounts> | undefined,
  current: undefined as MethodInfo | undefined,
  history: undefined as ReturnType<typeof setupHistory> | undefined,
  busy: false,
};

// ---------------------------------------------------------------- API

async function api<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await fetch(
    path,
    body === undefined
      ? { signal }
      : {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-playground': '1' },
          body: JSON.stringify(body),
          signal,
        },
  );
  const json = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
  return json;
}

function target(): 'emulator' | 'pcloud' {
  return $<HTMLInputElement>('input[name=target]:checked').value as 'emulator' | 'pcloud';
}
function transport(): 'http' | 'binary' {
  return $<HTMLInputElement>('input[name=transport]:checked').value as 'http' | 'binary';
}

/** The credentials calls to a target run with. */
function credentialsFor(t: 'emulator' | 'pcloud'): Credentials | undefined {
  if (t === 'pcloud') return state.pcloud.token ? { kind: state.pcloud.kind, token: state.pcloud.token } : undefined;
  return state.emulatorUser?.credentials;
}

function toast(text: string): void {
  const t = $('#toast');
  t.textContent = text;
  t.hidden = false;
  clearTimeout((toast as unknown as { timer?: number }).timer);
  (toast as unknown as { timer?: number }).timer = window.setTimeout(() => (t.hidden = true), 1800);
}

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const ta = h('textarea');
    ta.value = text;
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
  toast('Copied to the clipboard');
}

// ---------------------------------------------------------------- status bar

function renderStatus(): void {
  const s = state.settings;
  const el = $('#target-status');
  if (!s) return;
  if (target() === 'emulator') {
    const e = s.emulator;
    el.replaceChildren(
      h('span', { class: `dot${e.running ? '' : ' off'}`, 'aria-hidden': 'true' }),
      e.running ? `Emulator ${e.api} · signed in as ${state.emulatorUser?.email ?? e.username}` : `Emulator unavailable: ${e.problem}`,
    );
  } else {
    const p = state.pcloud;
    el.replaceChildren(
      h('span', { class: `dot${p.token ? '' : ' off'}`, 'aria-hidden': 'true' }),
      p.token ? `pCloud ${p.region.toUpperCase()} · token set` : 'pCloud: no token yet (only methods without login work)',
    );
  }
}

// ---------------------------------------------------------------- method list

function renderList(filter = ''): void {
  const list = $('#method-list');
  const q = filter.trim().toLowerCase();
  const groups = new Map<string, MethodInfo[]>();
  for (const m of state.methods) {
    const hay = `${m.name} ${m.group} ${m.summary ?? ''}`.toLowerCase();
    if (q && !q.split(/\s+/).every((w) => hay.includes(w))) continue;
    if (!groups.has(m.group)) groups.set(m.group, []);
    groups.get(m.group)!.push(m);
  }
  list.replaceChildren();
  if (!groups.size) {
    list.append(h('p', { class: 'no-match' }, `No method matches “${filter}”.`));
    return;
  }
  for (const [group, methods] of groups) {
    const ul = h('ul', { 'aria-labelledby': `g-${group}` });
    for (const m of methods) {
      const b = h('button', { type: 'button', class: 'method-item', 'data-method': m.name, title: m.summary ?? m.name }, m.name);
      const tags: string[] = [];
      if (m.data === 'upload') tags.push('upload');
      if (m.data === 'download') tags.push('data');
      if (!m.auth) tags.push('no login');
      if (m.name === 'authorize') tags.push('page');
      b.append(...tags.map((t, i) => h('span', { class: `tag${i === 0 ? ' first' : ''}` }, t)));
      if (state.current?.name === m.name) b.setAttribute('aria-current', 'true');
      b.addEventListener('click', () => select(m));
      ul.append(h('li', {}, b));
    }
    list.append(h('div', { class: 'group' }, h('h3', { id: `g-${group}` }, group), ul));
  }
}

// Arrow keys move between methods in the list.
function listKeys(e: KeyboardEvent): void {
  if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
  const items = [...document.querySelectorAll<HTMLButtonElement>('.method-item')];
  if (!items.length) return;
  const i = items.indexOf(document.activeElement as HTMLButtonElement);
  const next = e.key === 'ArrowDown' ? items[Math.min(items.length - 1, i + 1)] : items[Math.max(0, i - 1)];
  next?.focus();
  e.preventDefault();
}

// ---------------------------------------------------------------- method form

function select(m: MethodInfo, values?: FormValues): void {
  if (state.current !== m) $('#result').replaceChildren();
  state.current = m;
  for (const b of document.querySelectorAll('.method-item')) b.toggleAttribute('aria-current', false);
  document.querySelector(`.method-item[data-method="${CSS.escape(m.name)}"]`)?.setAttribute('aria-current', 'true');
  if (location.hash !== `#${m.name}`) history.replaceState(null, '', `#${m.name}`);
  if (m.name === 'authorize') return showAuthorize(m);

  const panel = $('#method');
  const head = h('div', { class: 'method-head' }, h('h1', { id: 'method-title' }, m.name), h('span', { class: 'badge' }, m.group));
  if (m.auth) head.append(h('span', { class: 'badge auth', title: 'Needs a logged-in user' }, 'login'));
  if (m.data) head.append(h('span', { class: 'badge' }, m.data === 'upload' ? 'uploads data' : 'answers with data'));
  head.append(h('span', { class: 'badge', title: 'Package' }, m.pkg));
  const form = h('form', { class: 'params', novalidate: '', 'aria-labelledby': 'method-title' });
  form.append(...buildFields(m));
  if (!m.params.length && m.data !== 'upload') form.append(h('p', { class: 'muted' }, 'This method takes no params.'));
  const send = h('button', { type: 'submit', class: 'primary', id: 'send' }, m.data === 'upload' ? 'Upload' : 'Send');
  const actions = h(
    'div',
    { class: 'form-actions' },
    send,
    cancelButton(),
    h('span', { class: 'kbd' }, h('kbd', {}, 'Ctrl'), ' + ', h('kbd', {}, 'Enter'), ' to send'),
  );
  if (m.data === 'upload') {
    const progress = h('progress', { id: 'upload-progress', max: '100', 'aria-label': 'Upload progress' });
    (progress as HTMLProgressElement).value = 0;
    actions.append(
      h('div', { class: 'progress', hidden: '' }, progress, h('output', { id: 'upload-progress-text', for: 'upload-progress' })),
    );
  }
  if (m.data === 'download') {
    const progress = h('progress', { id: 'receive-progress', max: '100', 'aria-label': 'Data answer received' });
    (progress as HTMLProgressElement).value = 0;
    actions.append(
      h('div', { class: 'progress', hidden: '' }, progress, h('output', { id: 'receive-progress-text', for: 'receive-progress' })),
    );
  }
  form.append(actions);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void submit(m, form);
  });
  panel.replaceChildren(head, h('p', { class: 'summary' }, m.summary ?? ''), form);
  if (m.connectionBound) {
    // A one-off call cannot use a descriptor: it would travel on a new connection, where the descriptor does not exist.
    const go = h('button', { type: 'button', class: 'ghost small', id: 'to-fileops' }, 'Open the file handle panel');
    go.addEventListener('click', () => $('#open-fileops').click());
    form.before(
      h(
        'p',
        { class: 'note', role: 'note' },
        'Descriptors live on the connection that opened them, so this method is best tried in the file handle panel, which keeps one connection per open file. ',
        go,
      ),
    );
  }
  // What the catalogue documents about the answer: its fields and the errors pCloud may send.
  const facts = h('div', { class: 'facts' });
  if (m.output.length)
    facts.append(
      section(
        'Answer fields',
        table(
          ['field', 'type', ''],
          m.output.map((o) => [o.name, o.type, o.summary]),
        ),
        false,
      ),
    );
  if (m.errors.length)
    facts.append(
      section(
        `Documented errors (${m.errors.length})`,
        table(
          ['result', 'message'],
          m.errors.map((e) => [String(e.code), e.message]),
        ),
        false,
      ),
    );
  if (facts.childElementCount) panel.append(facts);
  if (values) fill(form, m, values);
}

function table(columns: string[], rows: string[][]): HTMLTableElement {
  const head = h('tr', {}, ...columns.map((c) => h('th', { scope: 'col' }, c)));
  return h(
    'table',
    { class: 'facts-table' },
    h('thead', {}, head),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

async function submit(m: MethodInfo, form: HTMLFormElement): Promise<void> {
  if (state.busy) return;
  const { values, errors, file } = collect(form, m);
  showErrors(form, errors);
  if (errors.length) return;
  state.busy = true;
  // Send stays enabled (a disabled button drops the focus to the page); Cancel and Escape abort the call.
  const run = startRun(form);
  const call = { method: m.name, params: values, transport: transport(), target: target() };
  let output: CallOutput;
  try {
    const credentials = credentialsFor(call.target);
    if (call.target === 'pcloud' && m.auth && !credentials)
      throw new Error('Enter a pCloud token (pCloud token…) before calling methods that need a login.');
    if (call.transport === 'http') output = await callHttp(m, values, form, credentials, file, run.signal);
    else {
      const bridged = { ...call, credentials, region: state.pcloud.region };
      output =
        m.data === 'upload' && file
          ? await upload(bridged, file, form, run.signal)
          : await api<CallOutput>('/api/call', bridged, run.signal);
    }
  } catch (error) {
    output = {
      request: { method: m.name, params: values, transport: call.transport, target: call.target },
      response: null,
      timing: 0,
      error: run.signal.aborted
        ? { name: 'AbortError', message: 'You cancelled the call.' }
        : { name: 'PlaygroundError', message: (error as Error).message },
    };
  } finally {
    state.busy = false;
  }
  // Server-side validation errors point at a param: show them inline too.
  if (output.error?.param) {
    const params = output.error.param.split('|').filter((p) => form.querySelector(`#p-${CSS.escape(p)}`));
    if (params.length)
      showErrors(
        form,
        params.map((p) => ({ param: p, message: output.error!.message })),
      );
  }
  const entry = state.history!.add({
    method: m,
    values,
    transport: call.transport,
    target: call.target,
    fileName: file?.name,
    output,
    at: new Date(),
  });
  renderResult(entry);
  run.finish();
  // Calls create users and send mail: show the emulator's users and outbox as they are now.
  if (call.target === 'emulator') void state.accounts?.refresh();
}

/**
 * Fetches a data answer with a progress bar (archives can be large), then
 * hands the bytes to the browser as a download.
 */
async function downloadWithProgress(
  url: string,
  filename: string,
  total: number,
  box: HTMLElement,
  bar: HTMLProgressElement,
  text: HTMLOutputElement,
): Promise<void> {
  box.hidden = false;
  const show = (loaded: number) => {
    const pct = total > 0 ? Math.min(100, Math.round((loaded / total) * 100)) : 100;
    bar.value = pct;
    text.value = `${pct}% · ${formatBytes(loaded)} / ${formatBytes(total)}`;
  };
  show(0);
  try {
    const res = await fetch(url);
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      loaded += value.length;
      show(loaded);
    }
    show(loaded);
    const href = URL.createObjectURL(new Blob(chunks as BlobPart[]));
    const save = h('a', { href, download: filename });
    save.click();
    setTimeout(() => URL.revokeObjectURL(href), 60_000);
  } catch (error) {
    text.value = `download failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** A progress bar of the form (`upload` or `receive`), shown and reset; `show` moves it. */
function formProgress(form: HTMLFormElement, which: 'upload' | 'receive') {
  const bar = form.querySelector<HTMLProgressElement>(`#${which}-progress`);
  const text = form.querySelector<HTMLOutputElement>(`#${which}-progress-text`);
  if (bar && text) {
    bar.parentElement!.hidden = false;
    bar.value = 0;
    text.value = '';
  }
  return {
    show(loaded: number, total: number | undefined, done = '') {
      if (!bar || !text) return;
      const pct = total ? Math.min(100, Math.round((loaded / total) * 100)) : done ? 100 : 0;
      bar.value = pct;
      text.value = done || `${total ? `${pct}% · ` : ''}${formatBytes(loaded)}${total ? ` / ${formatBytes(total)}` : ''}`;
    },
  };
}

/** Runs an HTTP call from the page itself (transport-fetch, straight to the target). */
async function callHttp(
  m: MethodInfo,
  values: FormValues,
  form: HTMLFormElement,
  credentials: Credentials | undefined,
  file: File | undefined,
  signal?: AbortSignal,
): Promise<CallOutput> {
  const found = definitions.get(m.name);
  if (!found) throw new Error(`${m.name} is not in the page's bundle`);
  const t = target();
  const emulator = state.settings?.emulator;
  if (t === 'emulator' && !emulator?.running) throw new Error(`The emulator is not running (${emulator?.problem ?? 'unknown'}).`);
  const region = t === 'emulator' && emulator?.running ? { api: [emulator.api] } : state.pcloud.region;
  const up = m.data === 'upload' ? formProgress(form, 'upload') : undefined;
  const down = m.data === 'download' ? formProgress(form, 'receive') : undefined;
  const output = await runHttpCall({
    definition: found.definition,
    media: m.media,
    params: values,
    target: t,
    region,
    credentials,
    file,
    onUploadProgress: up && ((loaded, total) => up.show(loaded, total, loaded >= total ? `100% · sent, ${waitingFor(t)}` : '')),
    onDataProgress: down && ((loaded, total) => down.show(loaded, total)),
    signal,
  });
  if (file) up?.show(file.size, file.size, output.error ? 'failed' : `done · ${formatBytes(file.size)}`);
  if (output.data) down?.show(output.data.length, output.data.length, `100% · ${formatBytes(output.data.length)} received`);
  return output;
}

/** Uploads through XHR to the binary bridge so the browser reports upload progress (browser → playground server leg). */
function upload(call: Record<string, unknown>, file: File, form: HTMLFormElement, signal?: AbortSignal): Promise<CallOutput> {
  const progress = form.querySelector<HTMLProgressElement>('#upload-progress')!;
  const text = form.querySelector<HTMLOutputElement>('#upload-progress-text')!;
  progress.parentElement!.hidden = false;
  progress.value = 0;
  text.value = `0 / ${formatBytes(file.size)}`;
  const body = new FormData();
  body.append('call', JSON.stringify(call));
  body.append('size', String(file.size));
  body.append('file', file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/upload');
    xhr.setRequestHeader('x-playground', '1');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.min(100, Math.round((e.loaded / e.total) * 100));
      progress.value = pct;
      text.value = `${pct}% · ${formatBytes(Math.min(file.size, e.loaded))} / ${formatBytes(file.size)}`;
    };
    xhr.upload.onload = () => {
      progress.value = 100;
      text.value = `100% · sent, ${waitingFor(call.target === 'pcloud' ? 'pcloud' : 'emulator')}`;
    };
    xhr.onload = () => {
      const json = xhr.response as (CallOutput & { error?: { message: string } }) | null;
      if (xhr.status !== 200) return reject(new Error(json?.error?.message ?? `HTTP ${xhr.status}`));
      text.value = json?.error ? 'failed' : `done · ${formatBytes(file.size)}`;
      resolve(json!);
    };
    xhr.onerror = () => reject(new Error('the upload failed (network error)'));
    xhr.onabort = () => {
      text.value = 'cancelled';
      reject(new DOMException('You cancelled the call.', 'AbortError'));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(body);
  });
}

/** The upload text once the bytes are sent, naming who answers. */
function waitingFor(t: 'emulator' | 'pcloud'): string {
  return t === 'emulator' ? "waiting for the emulator's answer…" : "waiting for pCloud's answer…";
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// ---------------------------------------------------------------- results

function section(title: string, body: Node, open = true, tools: Node[] = []): HTMLDetailsElement {
  const d = h('details', { class: 'section' });
  d.open = open;
  const s = h('summary', {}, title);
  if (tools.length) s.append(h('span', { class: 'tools' }, ...tools));
  d.append(s, h('div', { class: 'body' }, body));
  return d;
}

function toolButton(label: string, onClick: () => void, aria?: string): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'ghost small' }, label);
  if (aria) b.setAttribute('aria-label', aria);
  b.addEventListener('click', (e) => {
    e.preventDefault();
    e.stopPropagation();
    onClick();
  });
  return b;
}

function jsonView(text: string, open = 2): HTMLElement {
  const box = h('div', { class: 'json' });
  try {
    box.append(renderJson(parseJson(text), open));
  } catch {
    box.append(h('pre', {}, text));
  }
  return box;
}

function hexDump(hex: string): string {
  const bytes = hex.replace(/…$/, '').match(/../g) ?? [];
  const lines: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const row = bytes.slice(i, i + 16);
    const ascii = row
      .map((b) => {
        const c = parseInt(b, 16);
        return c >= 32 && c < 127 ? String.fromCharCode(c) : '.';
      })
      .join('');
    lines.push(`${i.toString(16).padStart(6, '0')}  ${row.join(' ').padEnd(47)}  ${ascii}`);
  }
  if (hex.endsWith('…')) lines.push('… (cut)');
  return lines.join('\n');
}

function media(links: NonNullable<CallOutput['links']>): HTMLElement | undefined {
  const first = links[0];
  const url = first?.urls[0];
  if (!first || !url) return undefined;
  const box = h('div', { class: 'media' });
  if (first.kind === 'audio') {
    const a = h('audio', { controls: '', preload: 'metadata', src: url, id: 'result-audio', 'aria-label': 'Audio stream from the link' });
    box.append(a);
  } else if (
    first.kind === 'video' ||
    (first.kind === 'hls' && document.createElement('video').canPlayType('application/vnd.apple.mpegurl'))
  ) {
    box.append(h('video', { controls: '', preload: 'metadata', src: url, id: 'result-video', 'aria-label': 'Video stream from the link' }));
  } else if (first.kind === 'image') {
    // every image link of the answer (getthumbslinks has one per file), the first with a stable id
    links.forEach((link, i) => {
      const src = link.urls[0];
      if (link.kind === 'image' && src) {
        box.append(
          h('img', { src, alt: `Thumbnail from the link${link.at ? ` ${link.at}` : ''}`, ...(i === 0 ? { id: 'result-image' } : {}) }),
        );
      }
    });
  } else if (first.kind === 'hls') {
    box.append(
      h(
        'p',
        { class: 'muted' },
        'This browser cannot play HLS playlists natively; open the link in a player that can (Safari, VLC, hls.js).',
      ),
    );
  } else {
    return undefined;
  }
  return box;
}

/**
 * The pages an answer points people at: the `link`/`shortlink` of a public
 * link (the emulator's `/publink?code=…`, pCloud's `u.pcloud.link`) or of an
 * upload link (`/puplink?code=…`), wherever they sit in the answer (a list
 * of links has one each). At most 10.
 */
function pageLinks(text: string): { at: string; url: string }[] {
  const out: { at: string; url: string }[] = [];
  const walk = (value: unknown, at: string, depth: number): void => {
    if (out.length >= 10 || depth > 4 || !value || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      const here = Array.isArray(value) ? `${at}[${key}]` : at ? `${at}.${key}` : key;
      if ((key === 'link' || key === 'shortlink') && typeof v === 'string' && /^https?:\/\//.test(v)) {
        if (out.length < 10) out.push({ at: here, url: v });
      } else walk(v, here, depth + 1);
    }
  };
  try {
    walk(parseJson(text), '', 0);
  } catch {
    // not JSON: no pages
  }
  return out;
}

function renderResult(entry: HistoryEntry): void {
  const { output } = entry;
  const root = $('#result');
  root.replaceChildren();
  const ok = !output.error;
  const status = h(
    'div',
    { class: 'status', id: 'result-status' },
    h('span', { class: `pill ${ok ? 'ok' : 'bad'}` }, ok ? 'OK' : 'Error'),
    h(
      'span',
      { class: 'meta' },
      h('code', {}, entry.method.name),
      ` · ${entry.transport === 'binary' ? 'binary' : 'HTTP'} · ${entry.target === 'emulator' ? 'emulator' : 'pCloud'}`,
    ),
    h('span', { class: 'meta', id: 'result-timing' }, `${output.timing} ms`),
  );
  if (output.request.host) status.append(h('span', { class: 'meta' }, h('code', {}, output.request.host)));
  status.append(
    h('span', { class: 'spacer' }),
    toolButton('Copy as TypeScript', () => void copy(code(entry))),
  );
  root.append(status);

  if (output.error) {
    const e = output.error;
    const dl = h('dl');
    const row = (k: string, v: string | number | undefined) => {
      if (v !== undefined && v !== '') dl.append(h('dt', {}, k), h('dd', {}, String(v)));
    };
    row('error', e.name);
    row('code', e.code);
    row('result', e.result);
    row('class', e.errorClass);
    row('param', e.param);
    row('host', e.host);
    const box = h('div', { class: 'error-box', role: 'alert', id: 'result-error' }, h('h2', {}, e.message), dl);
    const hint = hintBlock(e, { target: entry.target, signedIn: Boolean(output.request.bearer) }, followHint);
    if (hint) box.append(hint);
    root.append(box);
  }

  if (output.links?.length) {
    const m = media(output.links);
    const list = h('ul', { class: 'links' });
    for (const link of output.links) {
      for (const url of link.urls) {
        const a = h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url);
        list.append(h('li', {}, link.at ? `${link.at}: ` : '', a));
      }
    }
    const body = h('div', {}, ...(m ? [m] : []), list);
    root.append(section(m ? 'Media & links' : 'Links', body));
  }

  const pages = output.error || output.response === null ? [] : pageLinks(output.response);
  if (pages.length) {
    // A new tab on the link's own page carries only the code: it is what an anonymous visitor sees.
    const list = h('ul', { class: 'links' });
    pages.forEach(({ at, url }, i) => {
      const a = h(
        'a',
        { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'visitor-link', ...(i === 0 ? { id: 'result-page' } : {}) },
        url,
      );
      list.append(h('li', {}, `${at}: `, a));
    });
    const note = h('p', { class: 'muted' }, 'Opens in a new tab with no login, as an anonymous visitor sees it.');
    root.append(section('Open as a visitor', h('div', {}, note, list)));
  }

  if (output.data) {
    const d = output.data;
    const a = h('a', { href: d.url, download: d.filename, class: 'download', id: 'result-download' }, `Download ${d.filename}`);
    const bar = h('progress', { id: 'download-progress', max: '100', value: '0', 'aria-label': 'Download progress' });
    const barText = h('output', { id: 'download-progress-text', for: 'download-progress' });
    const progress = h('div', { class: 'progress', hidden: '' }, bar, barText);
    a.addEventListener('click', (event) => {
      event.preventDefault();
      void downloadWithProgress(d.url, d.filename, d.length, progress, bar, barText);
    });
    const body = h('div', {}, h('p', {}, a, ` · ${formatBytes(d.length)}${d.contentType ? ` · ${d.contentType}` : ''}`), progress);
    if (d.preview !== undefined) body.append(h('pre', { class: 'code' }, d.preview));
    if (d.contentType?.startsWith('image/'))
      body.append(
        h(
          'div',
          { class: 'media' },
          h('img', { src: d.id ? `${d.url}?inline=1` : d.url, alt: 'Image from the data answer', id: 'result-data-image' }),
        ),
      );
    root.append(section('Data', body));
  }

  const browser = fileBrowser(output, { run: runMethod, quiet: quietCall });
  if (browser) root.append(section('Files', browser));

  if (output.response !== null) {
    const body = responseBody(output, {
      openId: (key, id) => {
        const next = methodForId(key, id);
        openMethod(next.name, next.values);
      },
      copy: (json) => void copy(json),
    });
    root.append(section('Response', body));
  }

  const sent = h('div', {});
  if (output.request.line) sent.append(h('pre', { class: 'code', id: 'result-line' }, output.request.line));
  sent.append(jsonView(JSON.stringify(output.request, null, 2), 3));
  root.append(section('Request as sent', sent, false));

  if (output.frames) {
    const body = h('div', { class: 'frames' });
    if (!output.frames.length) body.append(h('p', { class: 'muted' }, 'No frames were captured.'));
    output.frames.forEach((f, i) => {
      const head = `${f.dir === 'out' ? '→ sent' : '← received'} #${i + 1} · ${f.hex.replace(/…$/, '').length / 2} bytes`;
      body.append(h('div', { class: 'frame' }, h('div', { class: `dir ${f.dir}` }, head), h('pre', {}, hexDump(f.hex))));
    });
    root.append(section(`Binary frames (${output.frames.length})`, body, true));
  }

  root.append(exportSection(codeInput(entry), (text) => void copy(text)));
}

/** What the exports of an entry need: the call, this playground's emulator, and the emulator user now signed in. */
function codeInput(entry: HistoryEntry): CodeInput {
  const emulator = state.settings?.emulator;
  return {
    method: entry.method,
    values: entry.values,
    transport: entry.transport,
    target: entry.target,
    pcloud: { region: state.pcloud.region, kind: state.pcloud.kind }, // never the token
    fileName: entry.fileName,
    playground: emulator?.running ? { api: emulator.api, binary: emulator.binary } : undefined,
    credentials: entry.target === 'emulator' ? credentialsFor('emulator') : undefined,
  };
}

/** The entry as TypeScript, in the variant last picked in the Export section, ready to run. */
function code(entry: HistoryEntry): string {
  const input = codeInput(entry);
  const format = preferredFormat(input);
  return exportText(input, format.startsWith('ts') ? format : entry.target === 'emulator' ? 'ts-fresh' : 'ts', true);
}

// ---------------------------------------------------------------- methods opened by links

/** Opens a method's form with values filled in (outbox codes, error hints, authorize's code, ids in results). */
function openMethod(name: string, values: FormValues): boolean {
  const m = state.methods.find((x) => x.name === name);
  if (!m) return false;
  select(m, values);
  $<HTMLInputElement>('#search').value = '';
  renderList();
  return true;
}

/** Opens a method's form filled in and sends it, like a click on Send (the file browser's calls). */
async function runMethod(name: string, values: FormValues, file?: File): Promise<void> {
  if (!openMethod(name, values)) return;
  const form = document.querySelector<HTMLFormElement>('#method form');
  const input = form?.querySelector<HTMLInputElement>('#p-file');
  if (file && input) {
    const files = new DataTransfer();
    files.items.add(file);
    input.files = files.files;
  }
  if (form) await submit(state.current!, form);
}

/** A call whose answer is not shown nor kept in the history (thumbnails of the file browser). */
async function quietCall(name: string, values: FormValues): Promise<CallOutput> {
  const t = target();
  const credentials = credentialsFor(t);
  const emulator = state.settings?.emulator;
  if (transport() === 'binary')
    return api<CallOutput>('/api/call', {
      method: name,
      params: values,
      transport: 'binary',
      target: t,
      credentials,
      region: state.pcloud.region,
    });
  const found = definitions.get(name);
  if (!found) throw new Error(`${name} is not in the page's bundle`);
  const region = t === 'emulator' && emulator?.running ? { api: [emulator.api] } : state.pcloud.region;
  const media = state.methods.find((x) => x.name === name)?.media;
  return runHttpCall({ definition: found.definition, media, params: values, target: t, region, credentials });
}

// ---------------------------------------------------------------- history, hints, authorize

/** Sets a switch (transport or target) as an entry had it. */
function setSwitch(name: 'transport' | 'target', value: string): void {
  const radio = $<HTMLInputElement>(`input[name=${name}][value=${value}]`);
  if (radio.checked) return;
  radio.checked = true;
  renderStatus();
}

/** Shows a history entry as it ran: method, values, transport, target, result. */
function openEntry(entry: HistoryEntry): void {
  setSwitch('transport', entry.transport);
  setSwitch('target', entry.target);
  select(entry.method, entry.values);
  renderResult(entry);
}

/** Shows a history entry and sends it again. */
function rerunEntry(entry: HistoryEntry): void {
  openEntry(entry);
  const form = document.querySelector<HTMLFormElement>('#method form');
  if (form && state.current === entry.method) void submit(entry.method, form);
}

/** The button of an error's hint. */
function followHint(run: 'listfolder' | 'sign-in' | 'authorize'): void {
  if (run === 'sign-in') $('#settings-button').click();
  else if (run === 'authorize') openMethod('authorize', {});
  else openMethod('listfolder', { path: '/' });
}

/** authorize is a page, not a call: its panel builds the URL and signs in through it. */
function showAuthorize(m: MethodInfo): void {
  const emulator = state.settings?.emulator;
  $('#result').replaceChildren();
  authorizePanel($('#method'), m, {
    target,
    emulator: emulator?.running
      ? { api: emulator.api, clientId: emulator.oauth.clientId, clientSecret: emulator.oauth.clientSecret }
      : undefined,
    async onToken(token, t, hostname) {
      if (t === 'emulator') {
        const user = await state.accounts!.useAccessToken(token);
        toast(`Signed in as ${user.email} with the token from authorize`);
      } else {
        state.pcloud = { token, kind: 'access_token', region: hostname && /^eapi\./.test(hostname) ? 'eu' : 'us' };
        renderStatus();
        toast('pCloud token from authorize kept in this page');
      }
    },
    onCode(values) {
      openMethod('oauth2_token', values);
      toast('Code received: send oauth2_token to swap it for a token');
    },
    toast,
  });
}

// ---------------------------------------------------------------- settings dialog

function setupSettings(): void {
  const dialog = $<HTMLDialogElement>('#settings');
  const token = $<HTMLInputElement>('#settings-token');
  const kind = $<HTMLSelectElement>('#settings-kind');
  const region = $<HTMLSelectElement>('#settings-region');
  const info = $('#settings-state');
  const show = () => {
    const p = state.pcloud;
    token.value = '';
    kind.value = p.kind;
    region.value = p.region;
    info.textContent = p.token ? 'A token is set. Leave the field empty to keep it.' : 'No token is set.';
    dialog.showModal();
    token.focus();
  };
  $('#settings-button').addEventListener('click', show);
  $('#settings-cancel').addEventListener('click', () => dialog.close());
  $('#settings-forget').addEventListener('click', () => {
    state.pcloud = { kind: state.pcloud.kind, region: state.pcloud.region };
    renderStatus();
    dialog.close();
    toast('Token forgotten');
  });
  $('#settings-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const entered = token.value.trim();
    state.pcloud = {
      token: entered || state.pcloud.token,
      kind: kind.value === 'auth' ? 'auth' : 'access_token',
      region: region.value === 'eu' ? 'eu' : 'us',
    };
    token.value = '';
    dialog.close();
    if (state.pcloud.token) $<HTMLInputElement>('input[name=target][value=pcloud]').checked = true;
    renderStatus();
    toast(state.pcloud.token ? 'pCloud token kept in this page' : 'pCloud token settings saved');
  });
}

// ---------------------------------------------------------------- start

async function main(): Promise<void> {
  // Inside the authorize page's popup: hand the answer to the playground that opened it, nothing else.
  if (completeAuthorizeRedirect()) return;
  const { methods, settings } = await api<{ methods: MethodInfo[]; settings: Settings }>('/api/methods');
  state.methods = methods;
  state.settings = settings;
  const emulator = settings.emulator;
  if (emulator.running) {
    state.emulatorUser = { email: emulator.username, credentials: { kind: 'access_token', token: emulator.accessToken } };
    state.accounts = setupAccounts({
      api: emulator.api,
      mailPath: emulator.mailPath,
      initial: state.emulatorUser,
      onChange(user, switched) {
        state.emulatorUser = user;
        if (switched) $<HTMLInputElement>('input[name=target][value=emulator]').checked = true;
        renderStatus();
      },
      openMethod,
      toast,
    });
  } else {
    for (const id of ['#accounts', '#outbox']) $(id).hidden = true;
  }
  renderStatus();
  renderList();
  state.history = setupHistory({ methods, open: openEntry, rerun: rerunEntry, copy: (e) => void copy(code(e)) });
  setupSettings();
  setupLayout();

  const search = $<HTMLInputElement>('#search');
  search.addEventListener('input', () => renderList(search.value));
  search.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') document.querySelector<HTMLButtonElement>('.method-item')?.click();
    if (e.key === 'ArrowDown') {
      document.querySelector<HTMLButtonElement>('.method-item')?.focus();
      e.preventDefault();
    }
  });
  $('#method-list').addEventListener('keydown', listKeys);
  $('#open-fileops').addEventListener('click', () => {
    state.current = undefined;
    for (const b of document.querySelectorAll('.method-item')) b.toggleAttribute('aria-current', false);
    $('#result').replaceChildren();
    history.replaceState(null, '', '#file-handle');
    fileopsPanel($('#method'), {
      transport,
      target,
      emulator: () => target() === 'emulator' && Boolean(state.settings?.emulator.running),
      connection: () => ({ target: target(), credentials: credentialsFor(target()), region: state.pcloud.region }),
    });
  });
  for (const r of document.querySelectorAll('input[name=target], input[name=transport]')) r.addEventListener('change', renderStatus);
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !typingIn(e.target)) {
      e.preventDefault();
      search.focus();
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      const form = document.querySelector<HTMLFormElement>('#method form');
      if (form) form.requestSubmit();
    }
  });

  const wanted = methods.find((m) => `#${m.name}` === location.hash) ?? methods.find((m) => m.name === 'getapiserver') ?? methods[0];
  if (location.hash === '#file-handle') $('#open-fileops').click();
  else if (wanted) select(wanted);
  else $('#method').replaceChildren(h('p', { class: 'empty' }, 'No method packages are installed.'));
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  $('#method').replaceChildren(h('p', { class: 'err', role: 'alert' }, `The playground could not load: ${(error as Error).message}`));
});
