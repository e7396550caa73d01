/**
 * The file handle panel's and the resumable upload's server side, over real
 * sockets with the embedded emulator, on both transports.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startPlayground, type Playground } from '../src/server/app.js';

let app: Playground;
let credentials: { kind: string; token: string };

async function post(path: string, body: unknown) {
  const res = await fetch(new URL(path, app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-playground': '1' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

beforeAll(async () => {
  app = await startPlayground({ port: 0 });
  const settings = (await (await fetch(new URL('/api/settings', app.url))).json()) as any;
  credentials = { kind: 'access_token', token: settings.emulator.accessToken };
});
afterAll(async () => {
  await app?.close();
});

describe.each(['http', 'binary'] as const)('file handle over %s', (transport) => {
  test('open, write, seek, read, size and close travel on one dedicated connection', async () => {
    const path = `/Documents/handle-${transport}.txt`;
    const O_WRITE_CREAT_TRUNC = 0x0002 | 0x0040 | 0x0200;
    const opened = await post('/api/fileops/open', { transport, target: 'emulator', credentials, path, flags: O_WRITE_CREAT_TRUNC });
    expect(opened.json.error).toBeUndefined();
    const { id } = opened.json;
    const connection = JSON.parse(opened.json.result).connection as string;
    expect(opened.json.calls.map((c: { method: string }) => c.method)).toContain('file_open');

    const op = async (body: Record<string, unknown>) => (await post('/api/fileops/op', { id, ...body })).json;
    expect(JSON.parse((await op({ op: 'write', text: 'hello, descriptor' })).result)).toEqual({ bytes: 17 });
    expect(JSON.parse((await op({ op: 'seek', offset: 7, whence: 'start' })).result)).toEqual({ offset: 7 });
    const read = await op({ op: 'read', count: 100 });
    expect(JSON.parse(read.result)).toEqual({ length: 10, text: 'descriptor' });
    expect(JSON.parse((await op({ op: 'size' })).result)).toEqual({ size: 17, offset: 17 });
    const sums = JSON.parse((await op({ op: 'checksum' })).result);
    expect(sums.sha1).toBe(createHash('sha1').update('hello, descriptor').digest('hex'));
    // Every call of the handle went on the connection file_open used; the token never shows.
    expect(read.calls).toHaveLength(1);
    expect(read.calls[0]).toMatchObject({ method: 'file_read', connection });
    expect(JSON.stringify(read)).not.toContain(credentials.token);

    const closed = await op({ op: 'close' });
    expect(closed.calls.map((c: { method: string }) => c.method)).toEqual(['file_close']);
    expect((await post('/api/fileops/op', { id, op: 'size' })).status).toBe(404);
  });

  test('a resumable upload goes on after the emulator drops its connection, and the checksums match', async () => {
    const bytes = new Uint8Array(300 * 1024).map((_, i) => (i * 31 + (i >> 9)) % 256);
    expect((await post('/api/fileops/drop', {})).json).toEqual({ armed: true });
    const form = new FormData();
    const path = `/Documents/large-${transport}.bin`;
    form.append('call', JSON.stringify({ transport, target: 'emulator', credentials, path, chunkSize: 64 * 1024 }));
    form.append('file', new Blob([bytes]), 'large.bin');
    const res = await fetch(new URL('/api/fileops/upload', app.url), { method: 'POST', headers: { 'x-playground': '1' }, body: form });
    const events = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const done = events.at(-1);
    expect(done.type).toBe('done');
    expect(done.error).toBeUndefined();
    const result = JSON.parse(done.result);
    expect(result.resumes).toBeGreaterThanOrEqual(1);
    expect(result.size).toBe(bytes.length);
    expect(result.checksums.sha1).toBe(createHash('sha1').update(bytes).digest('hex'));
    expect(events.filter((e) => e.type === 'progress').at(-1)).toMatchObject({ loaded: bytes.length });
    // The calls show the cut: a file_pwrite that failed, then the upload reconnecting.
    expect(done.calls.some((c: { method: string; error?: string }) => c.method === 'file_pwrite' && c.error)).toBe(true);
  });
});
