import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ApiError,
  LAYER_NAMES,
  ProtocolError,
  TimeoutError,
  TransportError,
  checkLayer,
  credentialsLayer,
  defineMethod,
  hostLayer,
  hostState,
  retryLayer,
  timeoutLayer,
  type AuthProvider,
  type ClientRequest,
  type CoreClient,
  type Handler,
  type RetryPolicy,
  type TransportResponse,
} from '../src/index.js';

// Each layer is run alone: a fake `next` stands for the rest of the chain.

const request = (extra: Partial<ClientRequest> = {}): ClientRequest => ({
  method: 'm',
  params: {},
  responseType: 'json',
  retries: 0,
  timeout: 5_000,
  ...extra,
});
const answer = (result: Record<string, unknown> = { result: 0 }, host = 'h'): TransportResponse => ({ result, host });

/** A fake next that records what it receives and runs `steps` in turn (the last one repeats). */
function fakeNext(...steps: Array<(req: ClientRequest) => TransportResponse | Promise<TransportResponse>>) {
  const seen: ClientRequest[] = [];
  const next: Handler = async (req) => {
    seen.push(req);
    return steps[Math.min(seen.length, steps.length) - 1]!(req);
  };
  return { next, seen };
}
const fail = (error: unknown) => () => {
  throw error;
};
const idempotent = defineMethod({ name: 'm', group: 't', idempotent: true });
const notIdempotent = defineMethod({ name: 'm', group: 't' });

describe('layer names', () => {
  it('each factory returns a middleware named after its place in LAYER_NAMES', () => {
    const made = [
      retryLayer(),
      credentialsLayer({ auth: undefined, client: {} as CoreClient }),
      hostLayer(hostState({ hostKind: 'api' })),
      timeoutLayer(),
      checkLayer(),
    ];
    expect(made.map((l) => l.name)).toEqual([...LAYER_NAMES]);
    expect(LAYER_NAMES).toEqual(['retry', 'credentials', 'host', 'timeout', 'check']);
  });
});

describe('retryLayer', () => {
  const quick = (parts: Partial<RetryPolicy> = {}): RetryPolicy => ({ retries: 2, shouldRetry: () => true, delay: () => 0, ...parts });

  it('sends again until next succeeds, at most request.retries times', async () => {
    const down = new TransportError('down', { network: true });
    const { next, seen } = fakeNext(fail(down), fail(down), () => answer({ result: 0, n: 3 }));
    await expect(retryLayer(quick())(next)(request({ retries: 2 }))).resolves.toMatchObject({ result: { n: 3 } });
    expect(seen).toHaveLength(3);

    const always = fakeNext(fail(down));
    await expect(retryLayer(quick())(always.next)(request({ retries: 1 }))).rejects.toBe(down);
    expect(always.seen).toHaveLength(2);
  });

  it('asks the policy with the error, the request and the attempt, and waits its delays', async () => {
    const asked: unknown[][] = [];
    const waited: unknown[][] = [];
    const errors = [new Error('a'), new Error('b'), new Error('c')];
    const policy = quick({
      shouldRetry: (error, req, attempt) => {
        asked.push([error, req.method, attempt]);
        return (error as Error).message !== 'c';
      },
      delay: (attempt, error) => {
        waited.push([attempt, error]);
        return 25;
      },
    });
    const { next, seen } = fakeNext(fail(errors[0]), fail(errors[1]), fail(errors[2]));
    const started = performance.now();
    await expect(retryLayer(policy)(next)(request({ retries: 5 }))).rejects.toBe(errors[2]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(seen).toHaveLength(3);
    expect(asked).toEqual([
      [errors[0], 'm', 0],
      [errors[1], 'm', 1],
      [errors[2], 'm', 2],
    ]);
    expect(waited).toEqual([
      [0, errors[0]],
      [1, errors[1]],
    ]);
  });

  it('never retries an aborted call, whatever the policy says', async () => {
    const ctl = new AbortController();
    const { next, seen } = fakeNext(() => {
      ctl.abort();
      throw new TransportError('cut', { network: true });
    });
    await expect(retryLayer(quick())(next)(request({ retries: 3, signal: ctl.signal }))).rejects.toBeInstanceOf(TransportError);
    expect(seen).toHaveLength(1);
  });

  it('an abort during the delay ends the call with AbortError', async () => {
    const ctl = new AbortController();
    const { next, seen } = fakeNext(fail(new TransportError('down', { network: true })));
    const pending = retryLayer(quick({ delay: () => 10_000 }))(next)(request({ retries: 3, signal: ctl.signal }));
    setTimeout(() => ctl.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(seen).toHaveLength(1);
  });

  it('with the default policy: retries 5000 on an idempotent method, not on another one', async () => {
    const busy = new ApiError({ result: 5000, message: 'Internal error.', method: 'm' });
    const a = fakeNext(fail(busy), () => answer());
    await expect(retryLayer()(a.next)(request({ retries: 1, definition: idempotent }))).resolves.toMatchObject({ result: { result: 0 } });
    expect(a.seen).toHaveLength(2);
    const b = fakeNext(fail(busy), () => answer());
    await expect(retryLayer()(b.next)(request({ retries: 1, definition: notIdempotent }))).rejects.toBe(busy);
    expect(b.seen).toHaveLength(1);
  });

  it('refuses a malformed policy up front', () => {
    expect(() => retryLayer({ retries: 1, shouldRetry: () => true } as unknown as RetryPolicy)).toThrow(/delay/);
  });
});

describe('credentialsLayer', () => {
  const client = { marker: true } as unknown as CoreClient;
  function provider(options: { refresh?: boolean } = {}) {
    const calls: string[] = [];
    let token = 'one';
    const auth: AuthProvider = {
      apply(req, c) {
        calls.push(`apply:${token}:${c === client}`);
        req.params.auth = token;
      },
      ...(options.refresh === undefined
        ? {}
        : {
            refresh(c) {
              calls.push(`refresh:${c === client}`);
              token = 'two';
              return options.refresh!;
            },
          }),
    };
    return { auth, calls };
  }

  it('adds credentials to a copy of the request, for methods that need them', async () => {
    const { auth, calls } = provider();
    const { next, seen } = fakeNext(() => answer());
    const original = request({ params: { a: 1 }, definition: defineMethod({ name: 'm', group: 't', auth: true }) });
    await credentialsLayer({ auth, client })(next)(original);
    expect(seen[0]!.params).toEqual({ a: 1, auth: 'one' });
    expect(original.params).toEqual({ a: 1 });
    expect(calls).toEqual(['apply:one:true']);
  });

  it('leaves out anonymous raw calls and methods without auth', async () => {
    const { auth, calls } = provider();
    const { next, seen } = fakeNext(() => answer());
    const layer = credentialsLayer({ auth, client })(next);
    await layer(request({ anonymous: true }));
    await layer(request({ definition: defineMethod({ name: 'm', group: 't', auth: false }) }));
    await layer(request());
    expect(seen.map((r) => r.params.auth)).toEqual([undefined, undefined, 'one']);
    expect(calls).toEqual(['apply:one:true']);
  });

  it('on 1000/2000/2094 asks the provider to refresh and tries once more', async () => {
    const rejected = new ApiError({ result: 2094, message: "Invalid 'access_token' provided.", method: 'm' });
    const { auth, calls } = provider({ refresh: true });
    const { next, seen } = fakeNext(fail(rejected), () => answer());
    await credentialsLayer({ auth, client })(next)(request());
    expect(seen.map((r) => r.params.auth)).toEqual(['one', 'two']);
    expect(calls).toEqual(['apply:one:true', 'refresh:true', 'apply:two:true']);

    const stale = provider({ refresh: false });
    const again = fakeNext(fail(rejected));
    await expect(credentialsLayer({ auth: stale.auth, client })(again.next)(request())).rejects.toBe(rejected);
    expect(again.seen).toHaveLength(1);

    const other = provider({ refresh: true });
    const notFound = new ApiError({ result: 2009, message: 'File not found.', method: 'm' });
    const third = fakeNext(fail(notFound));
    await expect(credentialsLayer({ auth: other.auth, client })(third.next)(request())).rejects.toBe(notFound);
    expect(other.calls).toEqual(['apply:one:true']);
  });
});

describe('hostLayer with hostState', () => {
  it('fills the region default host: an origin for HTTP transports, the bare entry for binary ones', async () => {
    const { next, seen } = fakeNext((req) => answer({ result: 0 }, req.host));
    await hostLayer(hostState({ hostKind: 'api', region: 'eu' }))(next)(request());
    await hostLayer(hostState({ hostKind: 'api', region: { api: ['http://127.0.0.1:9'], binapi: ['127.0.0.1:10'] } }))(next)(request());
    await hostLayer(hostState({ hostKind: 'binapi', region: { api: ['http://127.0.0.1:9'], binapi: ['127.0.0.1:10'] } }))(next)(request());
    await hostLayer(hostState({ hostKind: 'api' }))(next)(request({ host: 'http://chosen:1' }));
    expect(seen.map((r) => r.host)).toEqual(['https://eapi.pcloud.com', 'http://127.0.0.1:9', '127.0.0.1:10', 'http://chosen:1']);
  });

  it('asks for suggestions once, uses the first, and drops it for the default host when it is unreachable', async () => {
    let asked = 0;
    const state = hostState({
      hostKind: 'api',
      region: 'us',
      suggest: async () => {
        asked++;
        return { api: ['near.example', 'far.example'] };
      },
    });
    const { next, seen } = fakeNext((req) => {
      if (req.host === 'https://near.example') throw new TransportError('refused', { network: true });
      return answer({ result: 0 }, req.host);
    });
    const layer = hostLayer(state)(next);
    await Promise.all([layer(request()), layer(request())]);
    expect(asked).toBe(1);
    expect(seen.map((r) => r.host).sort()).toEqual([
      'https://api.pcloud.com',
      'https://api.pcloud.com',
      'https://near.example',
      'https://near.example',
    ]);
    expect(state.suggested).toEqual(['far.example']);
    await layer(request());
    expect(seen.at(-1)!.host).toBe('https://far.example');
    expect(await state.hosts()).toEqual({ api: ['far.example', 'api.pcloud.com'], binapi: ['binapi.pcloud.com'] });
  });

  it('does not fall back for API errors, nor for an upload that reached the server', async () => {
    const state = hostState({ hostKind: 'api', suggest: async () => ({ api: ['near.example'] }) });
    const apiError = new ApiError({ result: 2009, message: 'File not found.', method: 'm' });
    const a = fakeNext(fail(apiError));
    await expect(hostLayer(state)(a.next)(request())).rejects.toBe(apiError);
    const midway = new TransportError('reset', { network: false });
    const b = fakeNext(fail(midway));
    await expect(hostLayer(state)(b.next)(request({ files: [{ name: 'a', data: new Uint8Array(1) }] }))).rejects.toBe(midway);
    expect([...a.seen, ...b.seen].map((r) => r.host)).toEqual(['https://near.example', 'https://near.example']);
  });

  it('a call whose host is already chosen does not wait for suggestions; a failed fetch means the default host', async () => {
    let release!: () => void;
    const state = hostState({ hostKind: 'api', suggest: () => new Promise((_, reject) => (release = () => reject(new Error('offline')))) });
    const { next, seen } = fakeNext(() => answer());
    const layer = hostLayer(state)(next);
    const waiting = layer(request({ method: 'userinfo' }));
    await layer(request({ method: 'getapiserver', host: 'https://api.pcloud.com' }));
    expect(seen.map((r) => r.method)).toEqual(['getapiserver']);
    release();
    await waiting;
    expect(seen.map((r) => `${r.method}@${r.host}`)).toEqual(['getapiserver@https://api.pcloud.com', 'userinfo@https://api.pcloud.com']);
    expect(state.suggested).toEqual([]);
  });

  it('a region switch forgets suggestions, and an answer for the old region is ignored', async () => {
    let answerFor!: (hosts: string[]) => void;
    const state = hostState({
      hostKind: 'api',
      region: 'us',
      suggest: () => new Promise((resolve) => (answerFor = (api) => resolve({ api }))),
    });
    const first = state.suggestions();
    state.setRegion('eu');
    answerFor(['us-near.example']);
    expect(await first).toEqual(['us-near.example']);
    expect(state.suggested).toBeUndefined();
    const second = state.suggestions();
    answerFor(['eu-near.example']);
    expect(await second).toEqual(['eu-near.example']);
    expect(state.suggested).toEqual(['eu-near.example']);
    expect(state.defaultHost()).toBe('eapi.pcloud.com');
  });
});

describe('timeoutLayer', () => {
  const hang: Handler = (req) =>
    new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(new TransportError('aborted', { network: false }))));

  it('gives next a signal and turns its firing into TimeoutError', async () => {
    const error = await timeoutLayer()(hang)(request({ timeout: 30 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeout).toBe(30);
  });

  it("turns the caller's abort into AbortError, and does not call next when already aborted", async () => {
    const ctl = new AbortController();
    const pending = timeoutLayer()(hang)(request({ signal: ctl.signal }));
    ctl.abort(new Error('user'));
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    const { next, seen } = fakeNext(() => answer());
    await expect(timeoutLayer()(next)(request({ signal: ctl.signal }))).rejects.toBeInstanceOf(AbortError);
    expect(seen).toHaveLength(0);
  });

  it('passes other errors and answers through', async () => {
    const broken = new ProtocolError('garbage');
    await expect(timeoutLayer()(fakeNext(fail(broken)).next)(request())).rejects.toBe(broken);
    await expect(timeoutLayer()(fakeNext(() => answer({ result: 0, x: 1 })).next)(request())).resolves.toMatchObject({ result: { x: 1 } });
  });
});

describe('checkLayer', () => {
  it('passes result 0, turns other results into ApiError and a missing result into ProtocolError', async () => {
    const run = (result: Record<string, unknown>) => checkLayer()(fakeNext(() => answer(result)).next)(request({ method: 'stat' }));
    await expect(run({ result: 0, ok: true })).resolves.toMatchObject({ result: { ok: true } });
    const error = (await run({ result: 2009, error: 'File not found.', extra: 1 }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect([error.result, error.method, error.serverMessage, error.body.extra]).toEqual([2009, 'stat', 'File not found.', 1]);
    await expect(run({ result: '0' })).rejects.toBeInstanceOf(ProtocolError);
    await expect(run({})).rejects.toThrow(/stat: the answer has no numeric 'result'/);
  });
});
