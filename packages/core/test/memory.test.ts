import { describe, expect, it } from 'vitest';
import {
  AbortError,
  TimeoutError,
  TransportError,
  createClient,
  defineMethod,
  definePlugin,
  memoryTransport,
  param,
  retryPolicy,
  returns,
  type DataResponse,
} from '../src/index.js';

const read = defineMethod({
  name: 'read',
  group: 't',
  params: { path: param.string({ required: true }) },
  data: 'download',
  idempotent: true,
  result: returns<DataResponse>(),
});
const info = defineMethod({ name: 'info', group: 't', idempotent: true });
const plugin = definePlugin({ name: 't', methods: { read, info } });
const text = (data: DataResponse) => new Response(data.body).text();

describe('memoryTransport', () => {
  it('records every request as it reached the transport and answers { result: 0 } by default', async () => {
    const t = memoryTransport();
    expect([t.name, t.hostKind]).toEqual(['memory', 'api']);
    const c = createClient({ transport: t, auth: { accessToken: 'tok' }, region: 'eu' }).use(plugin);
    await expect(c.info(undefined, { global: { id: 'x' } })).resolves.toEqual({ result: 0 });
    await c.call('getip', { a: 1 }, { auth: false });
    expect(t.requests.map((r) => ({ method: r.method, host: r.host, bearer: r.bearer, params: r.params }))).toEqual([
      { method: 'info', host: 'https://eapi.pcloud.com', bearer: 'tok', params: { id: 'x', timeformat: 'timestamp' } },
      { method: 'getip', host: 'https://eapi.pcloud.com', bearer: undefined, params: { a: 1, timeformat: 'timestamp' } },
    ]);
    expect(t.requests[0]!.definition).toBe(info);
  });

  it('answers JSON objects, which the client checks and decodes', async () => {
    const t = memoryTransport({
      answer: (req) =>
        req.method === 'info' ? { result: 0, modified: 1_700_000_000, hash: 5 } : { result: 2009, error: 'File not found.' },
    });
    const c = createClient({ transport: t }).use(plugin);
    const answer = await c.info();
    expect(answer).toEqual({ result: 0, modified: new Date(1_700_000_000_000), hash: 5n });
    await expect(c.read({ path: '/gone' })).rejects.toMatchObject({ result: 2009, method: 'read' });
  });

  it('answers data bodies from bytes, strings, Blobs and web streams', async () => {
    const bodies: Record<string, unknown> = {
      '/bytes': new TextEncoder().encode('from bytes'),
      '/string': 'from a string',
      '/blob': new Blob(['from a blob'], { type: 'text/plain' }),
      '/stream': new ReadableStream({
        start(ctl) {
          ctl.enqueue(new TextEncoder().encode('from a stream'));
          ctl.close();
        },
      }),
    };
    const t = memoryTransport({ answer: (req) => bodies[req.params.path as string] as Uint8Array });
    const c = createClient({ transport: t }).use(plugin);
    const bytes = await c.read({ path: '/bytes' });
    expect([await text(bytes), bytes.length]).toEqual(['from bytes', 10]);
    expect(await text(await c.read({ path: '/string' }))).toBe('from a string');
    const blob = await c.read({ path: '/blob' });
    expect([await text(blob), blob.length, blob.contentType]).toEqual(['from a blob', 11, 'text/plain']);
    expect(await text(await c.read({ path: '/stream' }))).toBe('from a stream');
    expect(t.requests.map((r) => r.responseType)).toEqual(['data', 'data', 'data', 'data']);
  });

  it('simulates failures with returned or thrown errors', async () => {
    let calls = 0;
    const t = memoryTransport({
      answer: (req) => {
        calls++;
        if (req.method === 'getip') throw new TransportError('connect ECONNREFUSED', { network: true });
        return calls < 3 ? new TransportError('reset', { network: false }) : { result: 0 };
      },
    });
    const c = createClient({ transport: t, retry: retryPolicy({ delay: () => 0 }) }).use(plugin);
    await expect(c.info()).resolves.toEqual({ result: 0 }); // two failures, retried
    expect(t.requests).toHaveLength(3);
    await expect(c.call('getip', {}, { retries: 0 })).rejects.toBeInstanceOf(TransportError);
  });

  it('a pending answer gives way to the signal: AbortError for the caller, TimeoutError for the timeout', async () => {
    const t = memoryTransport({ answer: () => new Promise(() => {}) });
    const c = createClient({ transport: t, retries: 0 }).use(plugin);
    await expect(c.info(undefined, { timeout: 20 })).rejects.toBeInstanceOf(TimeoutError);
    const ctl = new AbortController();
    const pending = c.info(undefined, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 10);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    const direct = await t
      .call({ method: 'x', params: {}, host: 'h', responseType: 'json', signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(AbortError);
  });

  it('binary host kind, a bad answer, and close', async () => {
    const t = memoryTransport({
      hostKind: 'binapi',
      name: 'fake-binary',
      answer: (req) => (req.method === 'info' ? (42 as never) : { result: 0 }),
    });
    const c = createClient({ transport: t, region: { api: ['http://127.0.0.1:9'], binapi: ['127.0.0.1:10'] } }).use(plugin);
    await c.call('getip');
    expect(t.requests[0]!.host).toBe('127.0.0.1:10');
    await expect(c.info()).rejects.toThrow(/memoryTransport: answer gave 42/);
    expect(String(c)).toContain('fake-binary');
    expect(t.closed).toBe(false);
    await c.close();
    expect(t.closed).toBe(true);
  });

  it('keeps its own copy of the params', async () => {
    const t = memoryTransport();
    const params = { a: 1 } as Record<string, number>;
    await t.call({ method: 'x', params, host: 'h', responseType: 'json' });
    params.a = 2;
    expect(t.requests[0]!.params).toEqual({ a: 1 });
  });
});
