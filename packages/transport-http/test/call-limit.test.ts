// A call that has no signal of its own reaches this transport with the
// client's call limit instead of an AbortSignal (core's CALL_LIMIT). These
// tests check, over real sockets, that such a call still ends at its
// timeout with TimeoutError and drops its request, that a caller's signal and
// middleware still get real signals, and that the usual path is the light one.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortError,
  TimeoutError,
  createClient,
  defineMethod,
  type ClientOptions,
  type Transport,
  type TransportRequest,
} from '@pcloudkit/core';
import { httpTransport } from '../src/index.js';
import { CALL_LIMIT, DeadlineLimit as Limit } from '@pcloudkit/core';
import { json, startServer, type TestServer } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function server(handler: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(handler);
  cleanup.push(s.close);
  return s;
}

/** A client over httpTransport whose transport records every request it is handed (the wrapper keeps its symbols). */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(s: TestServer, extra: Partial<ClientOptions> = {}) {
  const inner = httpTransport();
  cleanup.push(() => inner.close());
  const seen: TransportRequest[] = [];
  const transport: Transport = {
    ...inner,
    call: (request) => {
      seen.push(request);
      return inner.call(request);
    },
  };
  const c = createClient({ transport, region: { api: [s.origin] }, retries: 0, auth: { authToken: 'token' }, ...extra });
  return { client: c, seen };
}

/** A handler that never answers and notes when the client drops the request. */
function silent(dropped: { at?: number }) {
  return (_req: unknown, res: ServerResponse) => {
    res.on('close', () => {
      dropped.at = Date.now();
    });
  };
}

describe('the call limit in place of a deadline signal', () => {
  it('is what a plain call carries, and the answer is decoded as before', async () => {
    const s = await server((_req, res) => json(res, '{"result":0,"modified":1700000000,"hash":18446744073709551615}'));
    const { client: c, seen } = client(s);
    const answer = await c.call<{ modified: Date; hash: bigint }>('stat');
    expect(answer.modified).toEqual(new Date(1_700_000_000_000));
    expect(answer.hash).toBe(18446744073709551615n);
    expect(seen[0]!.signal).toBeUndefined();
    expect(CALL_LIMIT in seen[0]!).toBe(true);
    expect(s.requests[0]!.url).toContain('auth=token');
  });

  it('ends a call the server never answers with TimeoutError at the timeout, and drops its request', async () => {
    const dropped: { at?: number } = {};
    const s = await server(silent(dropped));
    const { client: c, seen } = client(s, { timeout: 200 });
    const started = Date.now();
    const error = await c.call('userinfo').catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe('call');
    expect(took).toBeGreaterThanOrEqual(180);
    expect(took).toBeLessThan(2000);
    expect(CALL_LIMIT in seen[0]!).toBe(true);
    await expect.poll(() => dropped.at, { timeout: 2000 }).toBeDefined();
  });

  it('with retries (default rule, backoff within the deadline), one TimeoutError at the call timeout that counts the attempts', async () => {
    const s = await server(silent({}));
    const { client: c, seen } = client(s, { timeout: 1000, attemptTimeout: 100, retries: 5 });
    const userinfo = defineMethod({ name: 'userinfo', group: 'general', idempotent: true });
    const started = Date.now();
    const error = await c.request(userinfo, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe('call');
    expect((error as TimeoutError).attempts).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(s.requests.length).toBe((error as TimeoutError).attempts);
    expect(CALL_LIMIT in seen[0]!).toBe(true);
  });

  it("gives way to the caller's signal: the transport gets a real AbortSignal and the call an AbortError", async () => {
    const s = await server(silent({}));
    const { client: c, seen } = client(s, { timeout: 5000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await c.call('userinfo', {}, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('is not used when middleware is there: it sees a real deadline signal, and the timeout still holds', async () => {
    const s = await server(silent({}));
    const deadlines: unknown[] = [];
    const { client: c, seen } = client(s, {
      timeout: 150,
      middleware: [
        (next) => (request) => {
          deadlines.push(request.deadline);
          return next(request);
        },
      ],
    });
    const error = await c.call('userinfo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(deadlines[0]).toBeInstanceOf(AbortSignal);
    expect((deadlines[0] as AbortSignal).aborted).toBe(true);
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('a data answer gets a real signal, which the call timeout no longer fires once the answer is in', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '3' });
      res.end('abc');
    });
    const { client: c, seen } = client(s, { timeout: 100 });
    const data = await c.call<{ body: ReadableStream<Uint8Array> }>('getfile', {}, { responseType: 'data' });
    await new Promise((r) => setTimeout(r, 200));
    expect(await new Response(data.body).text()).toBe('abc');
    expect(CALL_LIMIT in seen[0]!).toBe(true);
  });
});

describe('Limit (the call limit this transport makes)', () => {
  it('fires with makeReason(), tells its watcher, and a signal asked for later is already aborted', async () => {
    const calls: string[] = [];
    const limit = new Limit(20, () => new Error('late: userinfo'));
    limit.watcher = { handleEvent: () => calls.push(`watcher sees aborted=${limit.aborted}`) };
    expect(limit.aborted).toBe(false);
    await sleep(60);
    expect(limit.aborted).toBe(true);
    expect((limit.reason as Error).message).toBe('late: userinfo');
    expect(calls).toEqual(['watcher sees aborted=true']);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.signal.reason).toBe(limit.reason);
  });

  it('aborts a signal made before it fires', async () => {
    const limit = new Limit(20, () => 'done');
    const signal = limit.signal;
    expect(await new Promise((r) => signal.addEventListener('abort', () => r(signal.reason)))).toBe('done');
  });

  it('does not fire once cleared, nor with Infinity', async () => {
    const cleared = new Limit(20, () => 'x');
    cleared.clear();
    const never = new Limit(Number.POSITIVE_INFINITY, () => 'x');
    await sleep(60);
    expect(cleared.aborted).toBe(false);
    expect(cleared.signal.aborted).toBe(false);
    expect(never.aborted).toBe(false);
  });

  it('a pending limit does not keep the process alive', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const source = fileURLToPath(new URL('../../core/src/timer.ts', import.meta.url));
    const script = `const { DeadlineLimit } = await import(${JSON.stringify(source)}); new DeadlineLimit(60_000, () => 'x'); new DeadlineLimit(60_000, () => 'x').signal;`;
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], {
        stdio: 'inherit',
      });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
