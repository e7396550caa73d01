import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, ApiError, IntegrityError, ProtocolError, TransportError, type Progress } from '@pcloudkit/core';
import { download, downloadToFile, linkUrls } from '../src/index.js';
import { freePort, json, rangeServer, startServer } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const FILE = Buffer.from(Array.from({ length: 500_000 }, (_, i) => (i * 31 + (i >> 8)) & 255));

/** A content server that honours `Range: bytes=a-b` (unless told not to). */
async function contentServer(opts: { ranges?: boolean; status?: number } = {}) {
  const s = await startServer((q, res) => {
    if (opts.status) {
      res.writeHead(opts.status, { 'content-type': 'text/plain' });
      res.end('nope');
      return;
    }
    const m = /^bytes=(\d+)-(\d*)$/.exec(String(q.headers.range ?? ''));
    if (m && opts.ranges !== false) {
      const start = Number(m[1]);
      const end = m[2] ? Math.min(Number(m[2]), FILE.length - 1) : FILE.length - 1;
      res.writeHead(206, {
        'content-type': 'application/octet-stream',
        'content-length': end - start + 1,
        'content-range': `bytes ${start}-${end}/${FILE.length}`,
      });
      res.end(FILE.subarray(start, end + 1));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': FILE.length });
    res.end(FILE);
  });
  cleanup.push(s.close);
  return s;
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe('linkUrls', () => {
  it('puts https in front of bare hosts by default and keeps the server order', () => {
    expect(linkUrls({ hosts: ['c1.pcloud.com', 'c2.pcloud.com'], path: '/cBZ/a%20b.txt' })).toEqual([
      'https://c1.pcloud.com/cBZ/a%20b.txt',
      'https://c2.pcloud.com/cBZ/a%20b.txt',
    ]);
  });
  it('takes another scheme, keeps hosts that already have one, and adds a missing leading slash', () => {
    expect(linkUrls({ hosts: ['127.0.0.1:8080', 'https://x.example/'], path: 'p/f' }, { scheme: 'http' })).toEqual([
      'http://127.0.0.1:8080/p/f',
      'https://x.example/p/f',
    ]);
  });
  it('rejects something that is not a link answer', () => {
    expect(() => linkUrls({ path: '/x' } as never)).toThrow(TypeError);
  });
});

describe('download', () => {
  it('streams the whole file with length, type and progress', async () => {
    const s = await contentServer();
    const events: Progress[] = [];
    const answer = { hosts: [`127.0.0.1:${s.port}`], path: '/dl/file.bin' };
    const result = await download(answer, { scheme: 'http', onProgress: (p) => events.push(p) });
    expect(result.url).toBe(`${s.origin}/dl/file.bin`);
    expect(result.status).toBe(200);
    expect(result.length).toBe(FILE.length);
    expect(result.contentType).toBe('application/octet-stream');
    expect((await bytesOf(result.body)).equals(FILE)).toBe(true);
    expect(s.requests[0]!.url).toBe('/dl/file.bin');
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThan(events[i - 1]!.loaded);
    expect(events.at(-1)).toEqual({ loaded: FILE.length, total: FILE.length });
  });

  it('asks for a Range and gets exactly those bytes (206)', async () => {
    const s = await contentServer();
    const result = await download(`${s.origin}/f`, { range: { start: 1000, end: 1999 } });
    expect(s.requests[0]!.headers.range).toBe('bytes=1000-1999');
    expect(result.status).toBe(206);
    expect(result.length).toBe(1000);
    expect((await bytesOf(result.body)).equals(FILE.subarray(1000, 2000))).toBe(true);
    const tail = await download(`${s.origin}/f`, { range: { start: 499_990 } });
    expect(s.requests[1]!.headers.range).toBe('bytes=499990-');
    expect((await bytesOf(tail.body)).equals(FILE.subarray(499_990))).toBe(true);
  });

  it('cuts the range itself when the server ignores Range and sends the whole file', async () => {
    const s = await contentServer({ ranges: false });
    const result = await download(`${s.origin}/f`, { range: { start: 70_000, end: 270_000 } });
    expect(result.status).toBe(200);
    expect(result.length).toBe(200_001);
    expect((await bytesOf(result.body)).equals(FILE.subarray(70_000, 270_001))).toBe(true);
  });

  it('fails over from an unreachable host and from a 5xx host to the next one', async () => {
    const dead = await freePort();
    const broken = await contentServer({ status: 503 });
    const good = await contentServer();
    const result = await download(
      { hosts: [`127.0.0.1:${dead}`, `127.0.0.1:${broken.port}`, `127.0.0.1:${good.port}`], path: '/f' },
      { scheme: 'http' },
    );
    expect(result.url).toBe(`${good.origin}/f`);
    expect(broken.requests.length).toBe(1);
    expect((await bytesOf(result.body)).equals(FILE)).toBe(true);
  });

  it('throws the last TransportError when every host fails', async () => {
    const dead = await freePort();
    const broken = await contentServer({ status: 502 });
    const err = await download([`http://127.0.0.1:${dead}/f`, `${broken.origin}/f`]).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toMatch(/HTTP 502/);
    const refused = await download(`http://127.0.0.1:${dead}/f`).catch((e) => e);
    expect(refused).toBeInstanceOf(TransportError);
    expect(refused.network).toBe(true);
  });

  it('stops at a 4xx: ApiError for a pCloud JSON error, ProtocolError otherwise, no failover', async () => {
    const api = await startServer((_q, res) =>
      json(res, '{"result":7002,"error":"This link is deleted by the owner."}', 410, { 'x-error': '7002' }),
    );
    cleanup.push(api.close);
    const second = await contentServer();
    const err = await download([`${api.origin}/f`, `${second.origin}/f`]).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.result).toBe(7002);
    expect(second.requests.length).toBe(0);
    const plain = await contentServer({ status: 404 });
    const err2 = await download(`${plain.origin}/f`).catch((e) => e);
    expect(err2).toBeInstanceOf(ProtocolError);
    expect(err2.message).toMatch(/HTTP 404/);
  });

  it('turns a JSON error with X-Error and status 200 into ApiError', async () => {
    const api = await startServer((_q, res) => json(res, '{"result":2009,"error":"File not found."}', 200, { 'x-error': '2009' }));
    cleanup.push(api.close);
    const err = await download(`${api.origin}/f`).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err.result).toBe(2009);
  });

  it('rejects bad input before any request', async () => {
    await expect(download([])).rejects.toBeInstanceOf(TypeError);
    await expect(download('http://127.0.0.1:1/f', { range: { start: 10, end: 5 } })).rejects.toBeInstanceOf(RangeError);
    await expect(download('not a url')).rejects.toBeInstanceOf(TypeError);
    await expect(download('http://127.0.0.1:1/f', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
  });

  it('aborts a running download', async () => {
    const s = await startServer((_q, res) => {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(Buffer.alloc(1000));
    });
    cleanup.push(s.close);
    const controller = new AbortController();
    const result = await download(`${s.origin}/f`, { signal: controller.signal });
    const reader = result.body.getReader();
    await reader.read();
    controller.abort();
    expect(await reader.read().catch((e) => e)).toBeInstanceOf(AbortError);
  });
});

describe('downloadToFile', () => {
  it('streams to disk and reports the bytes written', async () => {
    const s = await contentServer();
    const dir = await mkdtemp(join(tmpdir(), 'pck-dl-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'out.bin');
    const done = await downloadToFile(`${s.origin}/f`, path);
    expect(done).toEqual({ path, bytes: FILE.length, url: `${s.origin}/f`, resumes: 0 });
    expect(
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex'),
    ).toBe(createHash('sha256').update(FILE).digest('hex'));
  });

  it('removes the partial file when the connection breaks mid-way', async () => {
    const s = await startServer((_q, res) => {
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(Buffer.alloc(5000), () => setTimeout(() => res.socket?.destroy(), 20));
    });
    cleanup.push(s.close);
    const dir = await mkdtemp(join(tmpdir(), 'pck-dl-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'out.bin');
    const err = await downloadToFile(`${s.origin}/f`, path, { retries: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });
});

/** A content server that honours ranges but cuts every answer after `cut` bytes; answers the requests' Range headers in `seen`. */
async function breakingServer(cut: number, seen: string[] = []) {
  const s = await rangeServer(FILE, { cut, seen });
  cleanup.push(s.close);
  return s;
}

describe('downloadToFile after broken connections', () => {
  const sha1 = createHash('sha1').update(FILE).digest('hex');
  const target = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pck-dl-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return join(dir, 'out.bin');
  };

  it('asks for the rest with Range from where it stopped, and the bytes are identical', async () => {
    const seen: string[] = [];
    const s = await breakingServer(150_000, seen);
    const path = await target();
    const done = await downloadToFile(`${s.origin}/f`, path, { retryDelay: 1, checksum: { sha1 } });
    expect(done).toMatchObject({ bytes: FILE.length, resumes: 3, checksums: { sha1 } });
    expect(seen).toEqual(['', 'bytes=150000-499999', 'bytes=300000-499999', 'bytes=450000-499999']);
    expect(Buffer.compare(await readFile(path), FILE)).toBe(0);
  });

  it('moves on to the next host when one gives nothing', async () => {
    const good = await breakingServer(200_000);
    const dead = `http://127.0.0.1:${await freePort()}/f`;
    const path = await target();
    const done = await downloadToFile([`${good.origin}/f`, dead], path, { retryDelay: 1 });
    expect(done.bytes).toBe(FILE.length);
    expect(Buffer.compare(await readFile(path), FILE)).toBe(0);
  });

  it('a checksum that differs removes the file and throws IntegrityError', async () => {
    const s = await contentServer();
    const path = await target();
    const err = await downloadToFile(`${s.origin}/f`, path, { checksum: { sha1: '0'.repeat(40) } }).catch((e) => e);
    expect(err).toBeInstanceOf(IntegrityError);
    expect(err).toMatchObject({ algorithm: 'sha1', local: sha1 });
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });

  it('parallel ranges, each resumed on its own, give the same bytes', async () => {
    const seen: string[] = [];
    const s = await breakingServer(60_000, seen);
    const path = await target();
    const progress: number[] = [];
    const done = await downloadToFile(`${s.origin}/f`, path, {
      parallel: 3,
      partSize: 100_000,
      retryDelay: 1,
      checksum: { sha1 },
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(done.bytes).toBe(FILE.length);
    expect(done.resumes).toBeGreaterThanOrEqual(5);
    expect(seen).toContain('bytes=0-99999');
    expect(seen).toContain('bytes=400000-499999');
    expect(progress.at(-1)).toBe(FILE.length);
    expect(Buffer.compare(await readFile(path), FILE)).toBe(0);
  });
});
