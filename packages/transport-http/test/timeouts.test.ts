// Time limits over real sockets: the client's call timeout ends at the answer,
// a data answer that keeps dripping bytes survives it, a stalled body fails
// with TimeoutError after bodyTimeout, and download() bounds both its wait for
// an answer and its reads. Servers are tiny node:http ones; times are short.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, createClient, retryPolicy, type ClientOptions } from '@pcloudkit/core';
import { download, downloadToFile, downloads, httpTransport } from '../src/index.js';
import { startServer, type TestServer } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  cleanup.push(s.close);
  return s;
}

/** Sends headers at once, then `count` bytes one every `every` ms (then ends, unless `stallAfter` stops it early). */
function drip(res: ServerResponse, options: { count: number; every: number; stallAfter?: number }): void {
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(options.count) });
  res.flushHeaders();
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent === options.stallAfter) return clearInterval(timer);
    res.write(Buffer.from([65 + (sent % 26)]));
    if (++sent === options.count) {
      clearInterval(timer);
      res.end();
    }
  }, options.every);
  res.on('close', () => clearInterval(timer));
}

function client(s: TestServer, extra: Partial<ClientOptions> = {}) {
  const transport = httpTransport();
  cleanup.push(() => transport.close());
  return createClient({ transport, region: { api: [s.origin] }, retries: 0, ...extra });
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of body as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts);
}

describe('client calls over HTTP', () => {
  it('a data answer still dripping bytes after the call timeout is read to the end', async () => {
    const s = await server((_req, res) => drip(res, { count: 12, every: 40 }));
    const c = client(s, { timeout: 150 });
    const data = await c.call<{ body: ReadableStream<Uint8Array> }>('gettextfile', {}, { responseType: 'data' });
    const bytes = await readAll(data.body); // about 480 ms, well past the 150 ms call timeout
    expect(bytes.toString()).toBe('ABCDEFGHIJKL');
  });

  it('a data answer that stops sending fails with TimeoutError after bodyTimeout, not AbortError at the call timeout', async () => {
    const s = await server((_req, res) => drip(res, { count: 10, every: 10, stallAfter: 3 }));
    const c = client(s, { timeout: 2_000, bodyTimeout: 150 });
    const data = await c.call<{ body: ReadableStream<Uint8Array> }>('gettextfile', {}, { responseType: 'data' });
    const error = (await readAll(data.body).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.phase, error.timeout]).toEqual(['body', 150]);
    expect(error.message).toMatch(/gettextfile: no byte of the data answer arrived for 150 ms/);
  });

  it('a server that never answers: one TimeoutError at the call timeout, retries included', async () => {
    const s = await server(() => {}); // reads the request, never answers
    const c = client(s, { timeout: 250, retries: 3, retry: retryPolicy({ shouldRetry: () => true, delay: () => 0 }) });
    const error = (await c.call('userinfo').catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.phase, error.attempts]).toEqual(['call', 1]);
    expect(s.requests).toHaveLength(1);
  });

  it('with attemptTimeout a stalled attempt is retried within the call timeout', async () => {
    const s = await server((_req, res) => {
      if (s.requests.length > 1) res.end(JSON.stringify({ result: 0, attempt: s.requests.length }));
    });
    const c = client(s, {
      timeout: 3_000,
      attemptTimeout: 100,
      retries: 2,
      retry: retryPolicy({ shouldRetry: () => true, delay: () => 0 }),
    });
    await expect(c.call('userinfo')).resolves.toMatchObject({ attempt: 2 });
  });
});

describe('download()', () => {
  it('fails with TimeoutError when no answer comes within timeout', async () => {
    const s = await server(() => {});
    const error = (await download(`${s.origin}/f.bin`, { timeout: 150 }).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.phase, error.timeout, error.attempts]).toEqual(['call', 150, 1]);
  });

  it('a body still dripping after timeout is read to the end; a stalled one fails after bodyTimeout', async () => {
    const s = await server((req, res) => drip(res, { count: 8, every: 40, ...(req.url.includes('stall') ? { stallAfter: 2 } : {}) }));
    const ok = await download(`${s.origin}/f.bin`, { timeout: 100, bodyTimeout: 1_000 });
    expect((await readAll(ok.body)).toString()).toBe('ABCDEFGH');

    const stalled = await download(`${s.origin}/stall.bin`, { timeout: 1_000, bodyTimeout: 150 });
    const error = (await readAll(stalled.body).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('body');
  });

  it('downloadToFile: TimeoutError for a stalled body, and the partial file is removed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-timeouts-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const s = await server((_req, res) => drip(res, { count: 50, every: 5, stallAfter: 20 }));
    const path = join(dir, 'out.bin');
    const error = await downloadToFile(`${s.origin}/f.bin`, path, { bodyTimeout: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(existsSync(path)).toBe(false);
  });

  it("client.download() takes the client's timeout and bodyTimeout unless the call gives its own", async () => {
    const s = await server((req, res) => {
      if (req.url.includes('stall')) drip(res, { count: 8, every: 10, stallAfter: 2 });
      // else: never answers
    });
    const c = client(s, { timeout: 120, bodyTimeout: 90 }).use(downloads);
    const waited = (await c.download(`${s.origin}/f.bin`).catch((e: unknown) => e)) as TimeoutError;
    expect(waited).toBeInstanceOf(TimeoutError);
    expect([waited.phase, waited.timeout]).toEqual(['call', 120]);
    const stalled = await c.download(`${s.origin}/stall.bin`);
    const idle = (await readAll(stalled.body).catch((e: unknown) => e)) as TimeoutError;
    expect([idle.phase, idle.timeout]).toEqual(['body', 90]);
    const own = (await c.download(`${s.origin}/f.bin`, { timeout: 60 }).catch((e: unknown) => e)) as TimeoutError;
    expect(own.timeout).toBe(60);
  });

  it('rejects a bad timeout before any request', async () => {
    await expect(download('http://127.0.0.1:9/f', { timeout: -5 })).rejects.toThrow(/download: options\.timeout must be a positive number/);
    await expect(download('http://127.0.0.1:9/f', { bodyTimeout: 0 })).rejects.toThrow(TypeError);
  });
});
