// Time limits over the binary protocol, against a scripted server: a data
// payload still arriving after the call timeout is read whole, a stalled one
// fails with TimeoutError after bodyTimeout (and its connection is closed),
// and the call timeout covers retries.
import { afterEach, describe, expect, it } from 'vitest';
import { TimeoutError, createClient, retryPolicy, type ClientOptions } from '@pcloudkit/core';
import { binaryTransport } from '../src/index.js';
import { startFakeServer, type FakeServer, type Handler, type ServerConn } from './helpers/fake-server.js';
import { DataMark } from './helpers/test-encoder.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(handler: Handler, extra: Partial<ClientOptions> = {}) {
  const server = await startFakeServer(handler);
  const transport = binaryTransport({ tls: false });
  cleanups.push(
    () => server.stop(),
    () => transport.close(),
  );
  const client = createClient({ transport, region: { api: ['http://127.0.0.1:9'], binapi: [server.host] }, retries: 0, ...extra });
  return { server, client };
}

/** Answers with a data payload of `count` bytes, sent one every `every` ms; stops after `stallAfter` bytes when given. */
function drip(conn: ServerConn, options: { count: number; every: number; stallAfter?: number }): void {
  conn.reply({ result: 0, data: new DataMark(options.count) });
  let sent = 0;
  const timer = setInterval(() => {
    if (conn.socket.destroyed || sent === options.stallAfter || sent === options.count) return clearInterval(timer);
    conn.raw(new Uint8Array([65 + (sent++ % 26)]));
  }, options.every);
  conn.socket.on('close', () => clearInterval(timer));
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const c of body as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts).toString();
}

type Data = { body: ReadableStream<Uint8Array>; length?: number };

describe('binary data answers and time limits', () => {
  it('a payload still dripping after the call timeout is read to the end', async () => {
    const { client } = await setup((_r, c) => drip(c, { count: 10, every: 40 }));
    const data = await client.call<Data>('file_read', {}, { responseType: 'data', timeout: 120 });
    expect(await readAll(data.body)).toBe('ABCDEFGHIJ'); // about 400 ms, past the 120 ms timeout
  });

  it('a payload that stops arriving fails with TimeoutError after bodyTimeout; the connection is closed, the next call works', async () => {
    const { server, client } = await setup((r, c) => {
      if (r.method === 'file_read') drip(c, { count: 10, every: 10, stallAfter: 3 });
      else c.reply({ result: 0, ok: true });
    });
    const data = await client.call<Data>('file_read', {}, { responseType: 'data', timeout: 2_000, bodyTimeout: 150 });
    const error = (await readAll(data.body).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.phase, error.timeout]).toEqual(['body', 150]);
    expect(error.message).toMatch(/file_read: no byte of the data answer arrived for 150 ms/);
    await server.waitClosed(1);
    await expect(client.call('userinfo')).resolves.toMatchObject({ ok: true });
    expect(server.conns).toHaveLength(2);
  });

  it('a reader that falls behind is not a stalled body: only the wait for the server counts', async () => {
    const size = 3 * 1024 * 1024; // more than the stream buffers: the socket is paused while the reader waits
    const payload = new Uint8Array(size).fill(7);
    const { client } = await setup((_r, c) => c.reply({ result: 0, data: new DataMark(size) }, payload));
    const data = await client.call<Data>('file_read', {}, { responseType: 'data', bodyTimeout: 100 });
    const reader = data.body.getReader();
    let total = (await reader.read()).value!.byteLength;
    await new Promise((r) => setTimeout(r, 300)); // the reader is slow, the server is not
    for (let next = await reader.read(); !next.done; next = await reader.read()) total += next.value.byteLength;
    expect(total).toBe(size);
  });

  it('a server that never answers: TimeoutError at the call timeout, retries included', async () => {
    const { server, client } = await setup(() => {}, {
      timeout: 200,
      retries: 3,
      retry: retryPolicy({ shouldRetry: () => true, delay: () => 0 }),
    });
    const error = (await client.call('userinfo').catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.phase, error.attempts]).toEqual(['call', 1]);
    expect(server.requests).toHaveLength(1);
  });
});
