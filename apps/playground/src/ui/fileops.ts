/**
 * The "file handle" panel: open a file, then read, write, seek, size,
 * checksum and close it, every call on the handle's one connection; and the
 * resumable upload with a button that makes the emulator drop its
 * connection, to watch it reconnect and go on. Both run on the playground
 * server, for either transport: a descriptor belongs to one connection, and
 * a page can neither speak the binary protocol nor pick the HTTP connection
 * fetch uses.
 */
import { h } from './form.js';

/** Where the panel's calls go, read from the page's switches when each action starts. */
export interface PanelContext {
  transport(): 'http' | 'binary';
  target(): 'emulator' | 'pcloud';
  connection(): Record<string, unknown>;
  /** Whether the target is the embedded emulator (dropping a connection needs it). */
  emulator(): boolean;
}

interface LoggedCall {
  method: string;
  params: Record<string, unknown>;
  connection?: string;
  ms: number;
  error?: string;
}

interface OpResult {
  id?: string;
  result?: string;
  error?: { name: string; message: string; result?: number };
  calls: LoggedCall[];
}

async function post<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-playground': '1' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T & { error?: { message: string } };
  if (!res.ok) throw new Error(json.error?.message ?? `HTTP ${res.status}`);
  return json;
}

function describeCall(c: LoggedCall): string {
  const params = Object.entries(c.params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${c.method} ${params}${c.connection ? `  · on ${c.connection}` : ''} · ${c.ms} ms${c.error ? ` · ${c.error}` : ''}`;
}

const FLAGS = [
  ['O_WRITE', 0x0002],
  ['O_CREAT', 0x0040],
  ['O_EXCL', 0x0080],
  ['O_TRUNC', 0x0200],
  ['O_APPEND', 0x0400],
] as const;

/** Builds the panel into `root`. */
export function fileopsPanel(root: HTMLElement, ctx: PanelContext): void {
  let handle: { id: string; fd: number; fileid: number; connection: string; transport: string } | undefined;
  const log = h('ol', { class: 'log', id: 'handle-log', 'aria-label': 'Calls made on the handle' });
  const state = h('p', { class: 'handle-state', id: 'handle-state', role: 'status' }, 'No file is open.');

  const add = (text: string, cls = '') => {
    log.append(h('li', { class: cls }, text));
    log.scrollTop = log.scrollHeight;
  };
  const show = (label: string, out: OpResult) => {
    for (const c of out.calls) add(`→ ${describeCall(c)}`, c.error ? 'bad' : '');
    if (out.error) add(`✗ ${label}: ${out.error.name}: ${out.error.message}`, 'bad');
    else add(`← ${label}: ${(out.result ?? '').replace(/\s+/g, ' ')}`);
  };

  const path = h('input', { type: 'text', id: 'handle-path', value: '/Documents/notes.txt', 'aria-label': 'Path of the file' });
  const flagBoxes = FLAGS.map(([name, value]) => {
    const box = h('input', { type: 'checkbox', id: `flag-${name}`, value: String(value) });
    if (name !== 'O_EXCL' && name !== 'O_TRUNC' && name !== 'O_APPEND') box.checked = true;
    return h('label', {}, box, name);
  });
  const openButton = h('button', { type: 'button', class: 'primary', id: 'handle-open' }, 'Open');
  const text = h('textarea', { id: 'handle-text', 'aria-label': 'Text to write' });
  text.value = 'Hello from one connection.\n';
  const count = h('input', { type: 'number', id: 'handle-count', value: '64', min: '0', 'aria-label': 'Bytes to read' });
  const offset = h('input', { type: 'number', id: 'handle-offset', value: '0', 'aria-label': 'Offset to seek to' });
  const whence = h(
    'select',
    { id: 'handle-whence', 'aria-label': 'Seek from' },
    h('option', { value: 'start' }, 'from start'),
    h('option', { value: 'current' }, 'from current'),
    h('option', { value: 'end' }, 'from end'),
  );
  const opButtons = {
    write: h('button', { type: 'button', id: 'handle-write' }, 'Write'),
    read: h('button', { type: 'button', id: 'handle-read' }, 'Read'),
    seek: h('button', { type: 'button', id: 'handle-seek' }, 'Seek'),
    size: h('button', { type: 'button', id: 'handle-size' }, 'Size'),
    checksum: h('button', { type: 'button', id: 'handle-checksum' }, 'Checksum'),
    close: h('button', { type: 'button', id: 'handle-close' }, 'Close'),
  };
  const setOpen = (open: boolean) => {
    for (const b of Object.values(opButtons)) b.disabled = !open;
    openButton.disabled = open;
  };
  setOpen(false);

  openButton.addEventListener('click', async () => {
    const flags = flagBoxes.reduce((n, l) => {
      const box = l.querySelector('input')!;
      return box.checked ? n | Number(box.value) : n;
    }, 0);
    try {
      const out = await post<OpResult>('/api/fileops/open', { ...ctx.connection(), transport: ctx.transport(), path: path.value, flags });
      show(`open ${path.value}`, out);
      if (out.id && out.result) {
        const r = JSON.parse(out.result) as { fd: number; fileid: number; connection: string; transport: string };
        handle = { id: out.id, ...r };
        state.textContent = `fd ${r.fd} · fileid ${r.fileid} · ${r.transport} connection ${r.connection}`;
        setOpen(true);
      }
    } catch (error) {
      add(`✗ ${(error as Error).message}`, 'bad');
    }
  });

  const op = async (label: string, body: Record<string, unknown>) => {
    if (!handle) return;
    try {
      const out = await post<OpResult>('/api/fileops/op', { id: handle.id, ...body });
      show(label, out);
      if (body.op === 'close') {
        handle = undefined;
        state.textContent = 'Closed: the descriptor and its connection are gone.';
        setOpen(false);
      }
    } catch (error) {
      add(`✗ ${(error as Error).message}`, 'bad');
      handle = undefined;
      setOpen(false);
    }
  };
  opButtons.write.addEventListener('click', () => void op('write', { op: 'write', text: text.value }));
  opButtons.read.addEventListener('click', () => void op('read', { op: 'read', count: Number(count.value) }));
  opButtons.seek.addEventListener('click', () => void op('seek', { op: 'seek', offset: Number(offset.value), whence: whence.value }));
  opButtons.size.addEventListener('click', () => void op('size', { op: 'size' }));
  opButtons.checksum.addEventListener('click', () => void op('checksum', { op: 'checksum' }));
  opButtons.close.addEventListener('click', () => void op('close', { op: 'close' }));

  // ---- resumable upload
  const file = h('input', { type: 'file', id: 'large-file', 'aria-label': 'File to upload' });
  const target = h('input', { type: 'text', id: 'large-path', value: '/Documents/large.bin', 'aria-label': 'Path to upload to' });
  const chunk = h('input', { type: 'number', id: 'large-chunk', value: '64', min: '1', 'aria-label': 'Chunk size in KiB' });
  const upload = h('button', { type: 'button', class: 'primary', id: 'large-upload' }, 'Upload');
  const drop = h('button', { type: 'button', id: 'large-drop' }, 'Drop the connection');
  drop.title = 'The emulator cuts the connection as it answers the next file_pwrite; the upload reconnects and goes on';
  const bar = h('progress', { id: 'large-progress', max: '100', value: '0', 'aria-label': 'Resumable upload progress' });
  const barText = h('output', { id: 'large-progress-text', for: 'large-progress' });
  const resumes = h('output', { id: 'large-resumes' }, '0');
  const upLog = h('ol', { class: 'log', id: 'large-log', 'aria-label': 'Resumable upload events' });
  const upAdd = (t: string, cls = '') => {
    upLog.append(h('li', { class: cls }, t));
    upLog.scrollTop = upLog.scrollHeight;
  };

  drop.addEventListener('click', async () => {
    if (!ctx.emulator()) return upAdd('✗ only the embedded emulator can drop a connection on request', 'bad');
    try {
      await post('/api/fileops/drop', {});
      upAdd('✂ the emulator will cut the connection as it answers the next file_pwrite (the chunk is stored, its answer lost)', 'event');
    } catch (error) {
      upAdd(`✗ ${(error as Error).message}`, 'bad');
    }
  });

  upload.addEventListener('click', async () => {
    const f = file.files?.[0];
    if (!f) return upAdd('✗ choose a file first', 'bad');
    upload.disabled = true;
    bar.value = 0;
    let seenResumes = 0;
    const form = new FormData();
    form.append(
      'call',
      JSON.stringify({ ...ctx.connection(), transport: ctx.transport(), path: target.value, chunkSize: Number(chunk.value) * 1024 }),
    );
    form.append('file', f, f.name);
    try {
      const res = await fetch('/api/fileops/upload', { method: 'POST', headers: { 'x-playground': '1' }, body: form });
      if (!res.ok || !res.body)
        throw new Error(((await res.json()) as { error?: { message: string } }).error?.message ?? `HTTP ${res.status}`);
      const lines = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let rest = '';
      for (;;) {
        const { done, value } = await lines.read();
        if (done) break;
        rest += value;
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts.filter(Boolean)) {
          const event = JSON.parse(line) as { type: string; loaded?: number; total?: number; resumes?: number } & OpResult;
          if (event.type === 'progress') {
            const total = event.total ?? f.size;
            bar.value = total ? Math.round(((event.loaded ?? 0) / total) * 100) : 0;
            barText.value = `${bar.value}% · ${event.loaded} / ${total} bytes acknowledged`;
            if ((event.resumes ?? 0) > seenResumes) {
              seenResumes = event.resumes ?? 0;
              resumes.textContent = String(seenResumes);
              upAdd(`↻ reconnected and went on from byte ${event.loaded} (resume ${seenResumes})`, 'event');
            }
          } else if (event.type === 'done') {
            for (const c of event.calls.filter((x) => x.error)) upAdd(`→ ${describeCall(c)}`, 'bad');
            if (event.error) upAdd(`✗ ${event.error.name}: ${event.error.message}`, 'bad');
            else {
              const r = JSON.parse(event.result ?? '{}') as {
                size: number;
                resumes: number;
                sent: number;
                checksums: Record<string, string>;
              };
              resumes.textContent = String(r.resumes);
              upAdd(
                `✓ ${r.size} bytes in place after ${r.resumes} reconnection(s), ${r.sent} bytes sent; checksums match: ${Object.entries(
                  r.checksums,
                )
                  .map(([k, v]) => `${k} ${v}`)
                  .join(', ')}`,
              );
            }
          }
        }
      }
    } catch (error) {
      upAdd(`✗ ${(error as Error).message}`, 'bad');
    } finally {
      upload.disabled = false;
    }
  });

  root.replaceChildren(
    h(
      'div',
      { class: 'fileops' },
      h(
        'div',
        { class: 'method-head' },
        h('h1', { id: 'method-title' }, 'File handle'),
        h('span', { class: 'badge' }, '@pcloudkit/methods-fileops'),
      ),
      h(
        'p',
        { class: 'summary' },
        'A file descriptor lives on one connection: every call below travels on the connection file_open used (the transport switch picks HTTP keep-alive or binary). ',
        'These calls run on the playground server, since a page cannot choose its HTTP connection nor speak the binary protocol.',
      ),
      h('div', { class: 'row' }, path, openButton),
      h('div', { class: 'row flags' }, ...flagBoxes),
      state,
      h('div', { class: 'row' }, text, opButtons.write),
      h(
        'div',
        { class: 'row' },
        count,
        opButtons.read,
        offset,
        whence,
        opButtons.seek,
        opButtons.size,
        opButtons.checksum,
        opButtons.close,
      ),
      log,
      h('h2', {}, 'Resumable upload'),
      h(
        'p',
        { class: 'summary' },
        'uploadLarge writes the file in chunks with file_pwrite to a temporary name, reconnects after a dropped connection and asks the server how much it has, then checks the whole-file checksums and renames it into place.',
      ),
      h('div', { class: 'row' }, file, target),
      h('div', { class: 'row' }, h('label', { for: 'large-chunk' }, 'Chunk (KiB)'), chunk, upload, drop),
      h('div', { class: 'row progress' }, bar, barText, h('span', { class: 'muted' }, 'reconnections: '), resumes),
      upLog,
    ),
  );
}
