import { describe, expect, it } from 'vitest';
import {
  ApiError,
  ProtocolError,
  TimeoutError,
  TransportError,
  backoffDelay,
  createClient,
  defaultRetryPolicy,
  defineMethod,
  definePlugin,
  memoryTransport,
  retryPolicy,
  type ClientRequest,
  type RetryPolicy,
} from '../src/index.js';

const safe = defineMethod({ name: 'safe', group: 't', auth: false, idempotent: true });
const unsafe = defineMethod({ name: 'unsafe', group: 't', auth: false });
const plugin = definePlugin({ name: 't', methods: { safe, unsafe } });
const request = (extra: Partial<ClientRequest> = {}): ClientRequest => ({
  method: 'm',
  params: {},
  responseType: 'json',
  retries: 2,
  timeout: 1000,
  ...extra,
});
const apiError = (result: number) => new ApiError({ result, message: 'x', method: 'm' });

describe('defaultRetryPolicy', () => {
  it('retries network errors always; 19xx, 4xxx, 5xxx and timeouts only on idempotent calls; never uploads or aborted calls', () => {
    const aborted = AbortSignal.abort();
    const upload = [{ name: 'a', data: new Uint8Array(1) }];
    const cases: Array<[string, unknown, Partial<ClientRequest>, boolean]> = [
      ['network error, not idempotent', new TransportError('refused', { network: true }), { definition: unsafe }, true],
      ['network error, raw call', new TransportError('refused', { network: true }), {}, true],
      ['5000, idempotent', apiError(5000), { definition: safe }, true],
      ['4000, idempotent', apiError(4000), { definition: safe }, true],
      ['1900, idempotent', apiError(1900), { definition: safe }, true],
      ['timeout, idempotent', new TimeoutError(10), { definition: safe }, true],
      ['cut mid-way, idempotent', new TransportError('reset', { network: false }), { definition: safe }, true],
      ['5000, not idempotent', apiError(5000), { definition: unsafe }, false],
      ['5000, raw call', apiError(5000), {}, false],
      ['2009, idempotent', apiError(2009), { definition: safe }, false],
      ['1000, idempotent', apiError(1000), { definition: safe }, false],
      ['protocol error, idempotent', new ProtocolError('garbage'), { definition: safe }, false],
      ['plain Error, idempotent', new Error('bug'), { definition: safe }, false],
      ['network error on an upload', new TransportError('refused', { network: true }), { definition: safe, files: upload }, false],
      ['network error after abort', new TransportError('refused', { network: true }), { definition: safe, signal: aborted }, false],
    ];
    for (const [label, error, extra, expected] of cases) {
      expect(defaultRetryPolicy.shouldRetry(error, request(extra), 0), label).toBe(expected);
    }
  });

  it('waits a full-jitter exponential backoff, capped at 8 s, and allows 2 retries', () => {
    expect(defaultRetryPolicy.retries).toBe(2);
    for (const attempt of [0, 1, 3, 10]) {
      const samples = Array.from({ length: 200 }, () => defaultRetryPolicy.delay(attempt, new Error('x')));
      const cap = Math.min(8_000, 250 * 2 ** attempt);
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...samples)).toBeLessThan(cap);
      expect(Math.max(...samples)).toBeGreaterThan(cap / 2); // full jitter spreads over the whole range
      expect(new Set(samples).size).toBeGreaterThan(100);
    }
    expect(backoffDelay(2, 10)).toBeLessThan(40);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(defaultRetryPolicy)).toBe(true);
  });
});

describe('retryPolicy()', () => {
  it('fills missing parts from the default policy', () => {
    const p = retryPolicy({ retries: 5 });
    expect(p.retries).toBe(5);
    expect(p.shouldRetry).toBe(defaultRetryPolicy.shouldRetry);
    expect(p.delay).toBe(defaultRetryPolicy.delay);
    const fixed = retryPolicy({ delay: () => 7 });
    expect([fixed.retries, fixed.delay(3, null)]).toEqual([2, 7]);
  });

  it('rejects bad parts with a TypeError naming them', () => {
    expect(() => retryPolicy({ retries: -1 })).toThrow(/'retries'/);
    expect(() => retryPolicy({ retries: 1.5 })).toThrow(TypeError);
    expect(() => retryPolicy({ shouldRetry: 'yes' as never })).toThrow(/'shouldRetry'/);
    expect(() =>
      createClient({ transport: memoryTransport(), retry: { retries: 1, shouldRetry: () => true } as unknown as RetryPolicy }),
    ).toThrow(/createClient: retry policy 'delay'/);
  });
});

describe('a custom policy on the client', () => {
  /** A transport that answers 5000 `failures` times, then succeeds. */
  const flaky = (failures: number) => {
    let left = failures;
    return memoryTransport({ answer: () => (left-- > 0 ? { result: 5000, error: 'Internal error.' } : { result: 0 }) });
  };

  it('decides attempts, predicate and delays', async () => {
    const asked: Array<[number, number, string]> = [];
    const delays: number[] = [];
    const policy: RetryPolicy = {
      retries: 4,
      // unlike the default, retry 5000 even on a call that is not idempotent
      shouldRetry: (error, req, attempt) => {
        asked.push([(error as ApiError).result, attempt, req.method]);
        return error instanceof ApiError && error.result === 5000;
      },
      delay: (attempt) => {
        delays.push(attempt);
        return 1;
      },
    };
    const t = flaky(3);
    const c = createClient({ transport: t, retry: policy }).use(plugin);
    await expect(c.unsafe()).resolves.toMatchObject({ result: 0 });
    expect(t.requests).toHaveLength(4);
    expect(asked).toEqual([
      [5000, 0, 'unsafe'],
      [5000, 1, 'unsafe'],
      [5000, 2, 'unsafe'],
    ]);
    expect(delays).toEqual([0, 1, 2]);

    const never = flaky(10);
    await expect(createClient({ transport: never, retry: policy }).use(plugin).unsafe()).rejects.toMatchObject({ result: 5000 });
    expect(never.requests).toHaveLength(5); // 1 + policy.retries
  });

  it('the retries option of the client and of a call still set the count', async () => {
    const policy = retryPolicy({ retries: 4, delay: () => 0 });
    const byClient = flaky(10);
    await createClient({ transport: byClient, retry: policy, retries: 1 })
      .use(plugin)
      .safe()
      .catch(() => undefined);
    expect(byClient.requests).toHaveLength(2);
    const byCall = flaky(10);
    await createClient({ transport: byCall, retry: policy, retries: 1 })
      .use(plugin)
      .safe(undefined, { retries: 3 })
      .catch(() => undefined);
    expect(byCall.requests).toHaveLength(4);
    const none = flaky(10);
    await createClient({ transport: none, retry: policy })
      .use(plugin)
      .safe(undefined, { retries: 0 })
      .catch(() => undefined);
    expect(none.requests).toHaveLength(1);
  });

  it('a policy that retries nothing leaves even network errors alone', async () => {
    const t = memoryTransport({ answer: () => new TransportError('refused', { network: true }) });
    const c = createClient({ transport: t, retry: retryPolicy({ shouldRetry: () => false }) }).use(plugin);
    await expect(c.safe()).rejects.toBeInstanceOf(TransportError);
    expect(t.requests).toHaveLength(1);
  });
});
