import { describe, expect, it } from 'vitest';
import {
  ApiError,
  createClient,
  defineMethod,
  definePlugin,
  memoryTransport,
  retryPolicy,
  type ClientRequest,
  type LayerName,
  type Middleware,
  type MiddlewareEntry,
} from '../src/index.js';

const item = defineMethod({ name: 'item', group: 't', idempotent: true });
const plugin = definePlugin({ name: 't', methods: { item } });
const region = { api: ['http://127.0.0.1:9'], binapi: ['127.0.0.1:10'] };
const noWait = retryPolicy({ delay: () => 0 });

/** A middleware that logs what it sees under `label` and how the call ended. */
function spy(label: string, log: string[], seen: ClientRequest[] = []): Middleware {
  return (next) => async (request) => {
    seen.push(request);
    log.push(`${label}>`);
    try {
      const response = await next(request);
      log.push(`<${label}:${response.result.result}`);
      return response;
    } catch (error) {
      log.push(`<${label}:${error instanceof ApiError ? error.result : 'error'}`);
      throw error;
    }
  };
}

describe('middleware placement', () => {
  it('a middleware before the transport sees the chosen host and the credentials', async () => {
    const bearer: ClientRequest[] = [];
    const token: ClientRequest[] = [];
    const log: string[] = [];
    await createClient({
      transport: memoryTransport(),
      region,
      auth: { accessToken: 'tok' },
      middleware: [{ middleware: spy('t', log, bearer), before: 'transport' }],
    })
      .use(plugin)
      .item();
    await createClient({
      transport: memoryTransport(),
      region,
      auth: { authToken: 'sess' },
      middleware: [{ middleware: spy('t', log, token), before: 'transport' }],
    })
      .use(plugin)
      .item();
    expect([bearer[0]!.host, bearer[0]!.bearer]).toEqual(['http://127.0.0.1:9', 'tok']);
    expect([token[0]!.host, token[0]!.params.auth]).toEqual(['http://127.0.0.1:9', 'sess']);
    expect(bearer[0]!.signal).toBeInstanceOf(AbortSignal); // inside the timeout layer too
  });

  it('each place sees what the layers outside it added, and nothing more', async () => {
    const seen: Record<string, ClientRequest[]> = {};
    const at = (label: string, place: { before: LayerName } | { after: LayerName }) =>
      ({ middleware: spy(label, [], (seen[label] = [])), ...place }) as MiddlewareEntry;
    const plain = spy('plain', [], (seen.plain = []));
    await createClient({
      transport: memoryTransport(),
      region,
      auth: { accessToken: 'tok' },
      middleware: [
        plain,
        at('afterCredentials', { after: 'credentials' }),
        at('beforeCredentials', { before: 'credentials' }),
        at('afterHost', { after: 'host' }),
      ],
    })
      .use(plugin)
      .item();
    const view = (label: string) => ({ bearer: seen[label]![0]!.bearer, host: seen[label]![0]!.host });
    expect(view('plain')).toEqual({ bearer: undefined, host: undefined });
    expect(view('beforeCredentials')).toEqual({ bearer: undefined, host: undefined });
    expect(view('afterCredentials')).toEqual({ bearer: 'tok', host: undefined });
    expect(view('afterHost')).toEqual({ bearer: 'tok', host: 'http://127.0.0.1:9' });
    expect(seen.afterHost![0]!.signal).toBeUndefined(); // the timeout layer is further in
  });

  it('inside the retry layer a middleware runs once per attempt; plain middleware once per call', async () => {
    const log: string[] = [];
    let left = 2;
    const t = memoryTransport({ answer: () => (left-- > 0 ? { result: 5000, error: 'Internal error.' } : { result: 0 }) });
    await createClient({
      transport: t,
      region,
      retry: noWait,
      middleware: [spy('outer', log), { middleware: spy('attempt', log), after: 'retry' }],
    })
      .use(plugin)
      .item();
    expect(log).toEqual(['outer>', 'attempt>', '<attempt:5000', 'attempt>', '<attempt:5000', 'attempt>', '<attempt:0', '<outer:0']);
  });

  it('before the transport the answer is not checked yet; outside the check layer it is an ApiError', async () => {
    const log: string[] = [];
    const t = memoryTransport({ answer: () => ({ result: 2009, error: 'File not found.' }) });
    const c = createClient({
      transport: t,
      region,
      middleware: [
        { middleware: spy('raw', log), before: 'transport' },
        { middleware: spy('checked', log), before: 'check' },
      ],
    });
    await expect(c.use(plugin).item()).rejects.toBeInstanceOf(ApiError);
    expect(log).toEqual(['checked>', 'raw>', '<raw:2009', '<checked:2009']);
    expect(log.indexOf('<raw:2009')).toBeLessThan(log.indexOf('<checked:2009'));
  });

  it('entries at the same place keep their order; plain ones stay outermost', async () => {
    const log: string[] = [];
    await createClient({
      transport: memoryTransport(),
      region,
      middleware: [
        { middleware: spy('a', log), before: 'host' },
        spy('plain1', log),
        { middleware: spy('b', log), after: 'credentials' },
        spy('plain2', log),
        { middleware: spy('c', log), before: 'retry' },
      ],
    })
      .use(plugin)
      .item();
    expect(log.filter((l) => l.endsWith('>'))).toEqual(['plain1>', 'plain2>', 'c>', 'a>', 'b>']);
  });

  it('a middleware before the host layer can pick the host itself', async () => {
    const t = memoryTransport();
    const pin: Middleware = (next) => (request) => next({ ...request, host: 'http://pinned.example:1' });
    await createClient({ transport: t, region, middleware: [{ middleware: pin, before: 'host' }] })
      .use(plugin)
      .item();
    expect(t.requests[0]!.host).toBe('http://pinned.example:1');
  });

  it('bad placements are refused when the client is made, naming the bad part', () => {
    const mw: Middleware = (next) => next;
    const make = (entry: unknown) => () => createClient({ transport: memoryTransport(), middleware: [mw, entry as MiddlewareEntry] });
    expect(make({ middleware: mw, before: 'trnsport' })).toThrow(
      new TypeError(
        "middleware[1]: before 'trnsport' names no layer (before takes one of retry, credentials, host, timeout, check, transport)",
      ),
    );
    expect(make({ middleware: mw, after: 'transport' })).toThrow(
      /middleware\[1\]: after 'transport' names no layer \(after takes one of retry, credentials, host, timeout, check\)/,
    );
    expect(make({ middleware: mw, before: 'host', after: 'retry' })).toThrow(/exactly one of 'before' and 'after'/);
    expect(make({ middleware: mw })).toThrow(/exactly one of 'before' and 'after'/);
    expect(make({ middleware: 'nope', before: 'host' })).toThrow(/middleware\[1\] must be a function or/);
    expect(make(null)).toThrow(TypeError);
    expect(() => createClient({ transport: memoryTransport(), middleware: mw as never })).toThrow(/middleware must be an array/);
  });
});
