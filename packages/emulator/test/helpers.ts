import { connect } from 'node:net';
import { request } from 'undici';
import type { Emulator } from '../src/index.js';

export type Json = Record<string, any>;

/** JSON.parse that keeps the 64-bit `hash` values exact (as decimal strings). */
export function parseReply(text: string): Json {
  return JSON.parse(text.replace(/"hash":(\d+)/g, '"hash":"$1"')) as Json;
}

/** Calls a method over HTTP GET with query parameters. */
export async function call(
  emu: Emulator,
  method: string,
  params: Record<string, string | number> = {},
  init: { headers?: Record<string, string> } = {},
): Promise<Json & { _xerror?: string | undefined }> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const res = await request(`${emu.api}/${method}?${qs}`, { headers: init.headers ?? {} });
  const text = await res.body.text();
  const out = parseReply(text);
  const xe = res.headers['x-error'];
  Object.defineProperty(out, '_xerror', { value: Array.isArray(xe) ? xe[0] : xe, enumerable: false });
  return out as Json & { _xerror?: string };
}

/** Like `call` but logged in as the demo user. */
export function as(emu: Emulator, method: string, params: Record<string, string | number> = {}): Promise<Json> {
  return call(emu, method, { auth: emu.auth, ...params });
}

export async function expectOk(p: Promise<Json>): Promise<Json> {
  const r = await p;
  if (r.result !== 0) throw new Error(`expected result 0, got ${JSON.stringify(r)}`);
  return r;
}

/** Sends raw bytes over TCP and collects whatever comes back until close or `idleMs` of silence. */
export function rawExchange(hostPort: string, payload: Buffer | string, idleMs = 500): Promise<{ data: Buffer; closed: boolean }> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = connect(Number(port), host!);
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    sock.on('connect', () => {
      sock.write(payload);
      arm();
    });
    sock.on('data', (d) => {
      chunks.push(d);
      arm();
    });
    sock.on('close', () => finish(true));
    let connected = false;
    sock.once('connect', () => (connected = true));
    // a reset after connecting is the server dropping us: that is an outcome, not a failure
    sock.on('error', (e) => (connected ? finish(true) : reject(e)));
  });
}

/** Uploads one buffer with a multipart POST. */
export async function upload(
  emu: Emulator,
  name: string,
  data: Buffer | string,
  params: Record<string, string | number> = {},
  auth = emu.auth,
): Promise<Json> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(params)) fd.append(k, String(v));
  fd.append('file', new Blob([new Uint8Array(typeof data === 'string' ? Buffer.from(data) : data)]), name);
  const res = await fetch(`${emu.api}/uploadfile?auth=${encodeURIComponent(auth)}`, { method: 'POST', body: fd });
  return parseReply(await res.text());
}

/** Downloads a file's bytes through getfilelink + the first content host. */
export async function download(emu: Emulator, fileid: number, auth = emu.auth): Promise<Buffer> {
  const link = await call(emu, 'getfilelink', { auth, fileid });
  if (link.result !== 0) throw new Error(JSON.stringify(link));
  const scheme = emu.api.startsWith('https') ? 'https' : 'http';
  const res = await request(`${scheme}://${link.hosts[0]}${link.path}`);
  return Buffer.from(await res.body.arrayBuffer());
}

export const uniq = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

/** Splits raw HTTP/1.1 response bytes (Content-Length framed) into status + headers + body. */
export function splitResponses(data: Buffer): { status: number; headers: Record<string, string>; body: Buffer }[] {
  const out: { status: number; headers: Record<string, string>; body: Buffer }[] = [];
  let off = 0;
  while (off < data.length) {
    const end = data.indexOf('\r\n\r\n', off);
    if (end < 0) break;
    const lines = data.subarray(off, end).toString('latin1').split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    const len = Number(headers['content-length'] ?? 0);
    out.push({ status, headers, body: data.subarray(end + 4, end + 4 + len) });
    off = end + 4 + len;
  }
  return out;
}
