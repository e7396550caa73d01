// The client's time limits: `timeout` for the whole call (retries and backoff
// included), `attemptTimeout` per attempt, and `bodyTimeout` handed to the
// transport for data answers. Times are short; the tests assert what happened
// (error type, attempts made, requests sent), not how precise the timers are.
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  TimeoutError,
  TransportError,
  createClient,
  defineMethod,
  definePlugin,
  memoryTransport,
  retryLayer,
  retryPolicy,
  timeoutLayer,
  type ClientRequest,
  type Handler,
  type TransportRequest,
} from '../src/index.js';

const info = defineMethod({ name: 'info', group: 'test', auth: false, idempotent: true });
const plugin = definePlugin({ name: 'test', methods: { info } });
/** Retries everything, without waiting unless told. */
const always = (delay = 0) => retryPolicy({ shouldRetry: () => true, delay: () => delay });

/** An answer that never comes: it only ends when the call's signal fires. */
const never = (req: TransportRequest) =>
  new Promise<never>((_, reject) =>
    req.signal!.addEventListener('abort', () => reject(new TransportError('aborted', { network: false })), { once: true }),
  );

describe('timeout covers the whole call', () => {
  it('a server that never answers fails once the call timeout has passed, not after one timeout per attempt', async () => {
    const t = memoryTransport({ answer: never });
    const c = createClient({ transport: t, timeout: 150, retries: 3, retry: always() }).use(plugin);
    const error = (await c.info().catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.phase, error.timeout, error.attempts]).toEqual(['call', 150, 1]);
    expect(error.message).toMatch(/info did not finish within 150 ms \(1 attempt made\)/);
    expect(t.requests).toHaveLength(1); // the deadline left no time for another attempt
  });

  it('backoff counts: the call ends during a delay, saying how many attempts were made and why the last failed', async () => {
    const down = new TransportError('down', { network: true });
    const t = memoryTransport({ answer: () => down });
    const c = createClient({ transport: t, timeout: 250, retries: 10, retry: always(150) }).use(plugin);
    const error = (await c.info().catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.attempts).toBe(2);
    expect(error.cause).toBe(down);
    expect(error.message).toMatch(/within 250 ms \(2 attempts made\)/);
    expect(t.requests).toHaveLength(2);
  });

  it('the caller aborting during a backoff is still AbortError', async () => {
    const t = memoryTransport({ answer: () => new TransportError('down', { network: true }) });
    const c = createClient({ transport: t, timeout: 5_000, retries: 3, retry: always(5_000) }).use(plugin);
    const ctl = new AbortController();
    const pending = c.info(undefined, { signal: ctl.signal });
    setTimeout(() => ctl.abort(), 30);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
  });
});

describe('attemptTimeout', () => {
  it('ends a stalled attempt so a retry can succeed within the call timeout', async () => {
    let n = 0;
    const t = memoryTransport({ answer: (req) => (n++ === 0 ? never(req) : { result: 0, second: true }) });
    const c = createClient({ transport: t, timeout: 3_000, attemptTimeout: 80, retries: 2 }).use(plugin);
    const started = performance.now();
    await expect(c.info()).resolves.toMatchObject({ second: true });
    expect(t.requests).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1_500); // the first attempt did not wait for the call timeout
  });

  it('when every attempt stalls, TimeoutError says attemptTimeout and counts the attempts; per call it overrides the client', async () => {
    const t = memoryTransport({ answer: never });
    const c = createClient({ transport: t, timeout: 5_000, attemptTimeout: 5_000, retries: 2, retry: always() }).use(plugin);
    const error = (await c.info(undefined, { attemptTimeout: 40 }).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect([error.phase, error.timeout, error.attempts]).toEqual(['attempt', 40, 3]);
    expect(error.message).toMatch(/attempt 3 did not finish within 40 ms/);
    expect(t.requests).toHaveLength(3);
  });

  it('bad durations are refused before anything is sent', async () => {
    const t = memoryTransport();
    expect(() => createClient({ transport: t, attemptTimeout: -1 })).toThrow(/attemptTimeout must be a positive number/);
    expect(() => createClient({ transport: t, timeout: Number.NaN })).toThrow(TypeError);
    const c = createClient({ transport: t }).use(plugin);
    await expect(c.info(undefined, { bodyTimeout: 0 })).rejects.toThrow(/info: options\.bodyTimeout must be a positive number/);
    await expect(c.call('info', {}, { timeout: '5' as never })).rejects.toThrow(TypeError);
    expect(t.requests).toHaveLength(0);
  });
});

describe('data answers outlive the call timeout', () => {
  it("once a data answer is returned, the signal the transport watches fires only for the caller's abort", async () => {
    const t = memoryTransport({ answer: () => new ReadableStream<Uint8Array>() });
    const c = createClient({ transport: t, timeout: 40, attemptTimeout: 30, retries: 0 });
    const data = await c.call<{ body: ReadableStream }>('gettextfile', {}, { responseType: 'data' });
    expect(data.body).toBeInstanceOf(ReadableStream);
    const signal = t.requests[0]!.signal!;
    await new Promise((r) => setTimeout(r, 120));
    expect(signal.aborted).toBe(false); // neither limit reaches past the answer

    const ctl = new AbortController();
    await c.call('gettextfile', {}, { responseType: 'data', signal: ctl.signal });
    ctl.abort();
    expect(t.requests[1]!.signal!.aborted).toBe(true);
  });

  it('hands the transport bodyTimeout for data answers: 30 s by default, else the client or call value', async () => {
    const t = memoryTransport({ answer: (req) => (req.responseType === 'data' ? 'bytes' : { result: 0 }) });
    const c = createClient({ transport: t });
    await c.call('gettextfile', {}, { responseType: 'data' });
    await c.call('userinfo');
    const d = createClient({ transport: t, bodyTimeout: 700 });
    await d.call('gettextfile', {}, { responseType: 'data' });
    await d.call('gettextfile', {}, { responseType: 'data', bodyTimeout: 90 });
    expect(t.requests.map((r) => r.bodyTimeout)).toEqual([30_000, undefined, 700, 90]);
  });
});

describe('the layers alone', () => {
  const request = (extra: Partial<ClientRequest> = {}): ClientRequest => ({
    method: 'm',
    params: {},
    responseType: 'json',
    retries: 0,
    timeout: 5_000,
    ...extra,
  });

  it('retryLayer alone keeps retries and delays within request.timeout', async () => {
    const seen: ClientRequest[] = [];
    const next: Handler = async (req) => {
      seen.push(req);
      throw new TransportError('down', { network: true });
    };
    const error = (await retryLayer(always(100))(next)(request({ retries: 50, timeout: 250 })).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.attempts).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThan(5);
    expect(seen[0]!.deadline).toBeInstanceOf(AbortSignal);
  });

  it('retryLayer over timeoutLayer: one deadline for every attempt, set where the chain starts', async () => {
    const seen: ClientRequest[] = [];
    const hang: Handler = (req) => {
      seen.push(req);
      return never(req as TransportRequest);
    };
    const chain = retryLayer(always())(timeoutLayer()(hang));
    const error = (await chain(request({ retries: 5, timeout: 60, attemptTimeout: 25 })).catch((e: unknown) => e)) as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.phase).toBe('call');
    expect(error.attempts).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(2); // the 25 ms attempts were retried...
    expect(seen.length).toBeLessThan(6); // ...until the 60 ms deadline
    expect(new Set(seen.map((r) => r.deadline)).size).toBe(1);
  });
});
