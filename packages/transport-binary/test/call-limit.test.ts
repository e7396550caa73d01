// The call limits this transport makes for core's client (CALL_LIMIT): a
// pipelined JSON call watches the limit itself, a download gets its signal,
// and a limit lifted in time changes nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, CALL_LIMIT, type TransportRequest } from '@pcloudkit/core';
import { binaryTransport } from '../src/index.js';
import { startFakeServer, type Handler } from './helpers/fake-server.js';
import { DataMark } from './helpers/test-encoder.js';

type Limit = { aborted: boolean; signal: AbortSignal; clear(): void };
type Maker = (ms: number, reason: () => unknown) => Limit;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(handler: Handler) {
  const server = await startFakeServer(handler);
  const transport = binaryTransport({ tls: false, connections: 1 });
  cleanups.push(
    () => server.stop(),
    () => transport.close(),
  );
  const make = (transport as unknown as Record<symbol, Maker>)[CALL_LIMIT]!;
  const call = (method: string, limit: Limit, extra: Partial<TransportRequest> = {}) =>
    transport.call({ method, host: server.host, params: {}, responseType: 'json', ...extra, [CALL_LIMIT]: limit } as TransportRequest);
  return { server, make, call };
}

describe('call limits made by the binary transport', () => {
  it('a JSON call that runs out of time fails with AbortError carrying the reason, and later calls work', async () => {
    const { server, make, call } = await setup((req, conn) => {
      if (req.method !== 'slow') conn.reply({ result: 0, method: req.method });
    });
    const reason = new Error('time is up');
    const limit = make(80, () => reason);
    const started = Date.now();
    const error = await call('slow', limit).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe(reason);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    expect(limit.aborted).toBe(true);
    // the unanswered request was on the wire: its connection is gone, a new one serves the next call
    const next = make(5_000, () => new Error('unused'));
    expect((await call('fast', next)).result).toEqual({ result: 0, method: 'fast' });
    next.clear();
    expect(server.conns.length).toBe(2);
  });

  it('a limit lifted before it runs out never fires', async () => {
    const { make, call } = await setup((req, conn) => setTimeout(() => conn.reply({ result: 0, method: req.method }), 120));
    const limit = make(60, () => new Error('should not fire'));
    const pending = call('m', limit);
    limit.clear();
    expect((await pending).result).toEqual({ result: 0, method: 'm' });
    expect(limit.aborted).toBe(false);
  });

  it('an already expired limit fails the call before anything is sent', async () => {
    const { server, make, call } = await setup((req, conn) => conn.reply({ result: 0, method: req.method }));
    const limit = make(0, () => new Error('expired'));
    await new Promise((r) => setTimeout(r, 20));
    await expect(call('m', limit)).rejects.toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(0);
  });

  it('a download watches the limit as a signal until its payload is read', async () => {
    const { make, call } = await setup((_req, conn) => conn.reply({ result: 0, data: new DataMark(3) }, new Uint8Array([1, 2, 3])));
    const limit = make(5_000, () => new Error('unused'));
    const answer = await call('file_read', limit, { responseType: 'data' });
    expect(limit.signal.aborted).toBe(false);
    const bytes: number[] = [];
    for await (const chunk of answer.data!.body as unknown as AsyncIterable<Uint8Array>) bytes.push(...chunk);
    expect(bytes).toEqual([1, 2, 3]);
    limit.clear();
  });
});
