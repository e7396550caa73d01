import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  ApiError,
  TimeoutError,
  TransportError,
  ValidationError,
  createClient,
  defineMethod,
  definePlugin,
  param,
  memoryTransport,
  passwordDigest,
  returns,
} from '../src/index.js';

// A plugin written the way a third party would: only core's public API.
interface EchoResult {
  result: 0;
  hash: bigint;
  modified: Date;
  nested: { created: Date }[];
}
const echo = defineMethod({
  name: 'echo',
  group: 'test',
  auth: true,
  idempotent: true,
  params: {
    fileid: param.int(),
    path: param.string(),
    level: param.int({ min: 1, max: 5 }),
    label: param.string({ required: true }),
    verbose: param.flag(),
    when: param.datetime(),
    ids: param.intList(),
  },
  oneOf: { target: ['fileid', 'path'] },
  result: returns<EchoResult>(),
});
const mutate = defineMethod({ name: 'mutate', group: 'test', params: {}, result: returns<{ result: 0 }>() });
const anon = defineMethod({ name: 'anon', group: 'test', auth: false, idempotent: true });
const testPlugin = definePlugin({
  name: 'test',
  methods: { echo, mutate, anon },
  extend: (c) => ({ greet: () => `hi from ${c.transport.name}` }),
});

const ok = (extra: Record<string, unknown> = {}) => ({ result: 0, ...extra });

describe('client pipeline', () => {
  it('passes a call option connectionKey on to the transport, and leaves it out otherwise', async () => {
    const t = memoryTransport();
    const c = createClient({ transport: t, auth: { accessToken: 'tok' } });
    await c.call('file_size', { fd: 1 }, { connectionKey: 'handle-1' });
    await c.call('userinfo');
    expect(t.requests.map((r) => r.connectionKey)).toEqual(['handle-1', undefined]);
    expect('connectionKey' in t.requests[1]!).toBe(false);
  });

  it('validates before sending: required, one-of, types, bounds, unknown names', async () => {
    const t = memoryTransport();
    const c = createClient({ transport: t, auth: { accessToken: 'tok' } }).use(testPlugin);
    const cases: [unknown, string][] = [
      [{ label: 'x' }, 'fileid|path'],
      [{ label: 'x', fileid: 1, path: '/a' }, 'fileid|path'],
      [{ fileid: 1 }, 'label'],
      [{ label: 'x', fileid: 'abc' }, 'fileid'],
      [{ label: 'x', fileid: 1.5 }, 'fileid'],
      [{ label: 'x', fileid: 1, level: 9 }, 'level'],
      [{ label: 3, fileid: 1 }, 'label'],
      [{ label: 'x', fileid: 1, verbose: 'yes' }, 'verbose'],
      [{ label: 'x', fileid: 1, ids: [1, 'a'] }, 'ids'],
      [{ label: 'x', fileid: 1, when: new Date('nope') }, 'when'],
      [{ label: 'x', fileid: 1, fileId: 2 }, 'fileId'],
    ];
    for (const [params, name] of cases) {
      const error = await c.echo(params as never).catch((e: unknown) => e);
      expect(error, JSON.stringify(params)).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).param).toBe(name);
      expect((error as ValidationError).method).toBe('echo');
    }
    expect(t.requests).toHaveLength(0);
  });

  it('encodes params, globals and credentials, and decodes hash and dates', async () => {
    const t = memoryTransport({ answer: () => ok({ hash: 10681749967730527559n, modified: 1700000000, nested: [{ created: 1 }] }) });
    const c = createClient({ transport: t, auth: { accessToken: 'tok' }, region: { api: ['http://127.0.0.1:9'], binapi: [] } }).use(
      testPlugin,
    );
    const r = await c.echo(
      { path: '/a', label: 'x', verbose: true, when: new Date(2_000_000_000_000), ids: [1, 2n, '3'], level: 2 },
      { global: { id: 'req-1', filtermeta: ['name', 'size'] } },
    );
    expect(r.hash).toBe(10681749967730527559n);
    expect(r.modified).toEqual(new Date(1_700_000_000_000));
    expect(r.nested[0]!.created).toEqual(new Date(1000));
    const sent = t.requests[0]!;
    expect(sent.host).toBe('http://127.0.0.1:9');
    expect(sent.bearer).toBe('tok');
    expect(sent.params).toEqual({
      path: '/a',
      level: 2,
      label: 'x',
      verbose: 1,
      when: 2_000_000_000,
      ids: '1,2,3',
      id: 'req-1',
      filtermeta: 'name,size',
      timeformat: 'timestamp',
    });
    expect(c.greet()).toBe('hi from memory');
  });

  it('enforces at-most-one sets and params that need another param', async () => {
    const since = defineMethod({
      name: 'since',
      group: 'test',
      params: { diffid: param.int(), after: param.datetime(), last: param.int(), block: param.flag({ requires: 'diffid' }) },
      atMostOne: { since: ['diffid', 'after', 'last'] },
    });
    const t = memoryTransport();
    const c = createClient({ transport: t });
    const bad = [
      [{ diffid: 1, last: 2 }, 'diffid|last'],
      [{ block: true, last: 3 }, 'block'],
    ] as const;
    for (const [params, name] of bad) {
      const error = (await since(c, params as never).catch((e: unknown) => e)) as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.param).toBe(name);
    }
    expect(t.requests).toHaveLength(0);
    await since(c, {});
    await since(c, { diffid: 5, block: true });
    expect(t.requests.map((r) => r.params)).toEqual([{ timeformat: 'timestamp' }, { diffid: 5, block: 1, timeformat: 'timestamp' }]);
    expect(since.paramList.find((p) => p.name === 'after')).toMatchObject({ atMostOne: 'since' });
  });

  it('a false flag is left out; anonymous methods get no credentials', async () => {
    const t = memoryTransport();
    const c = createClient({ transport: t, auth: { authToken: 'secret-token' } }).use(testPlugin);
    await c.echo({ fileid: 5, label: 'l', verbose: false });
    await c.anon();
    expect(t.requests[0]!.params).toEqual({ fileid: 5, label: 'l', auth: 'secret-token', timeformat: 'timestamp' });
    expect(t.requests[1]!.params).toEqual({ timeformat: 'timestamp' });
  });

  it('turns non-zero results into ApiError and retries only retryable errors of idempotent calls', async () => {
    const codes = [5000, 4000, 0];
    const t = memoryTransport({
      answer: (req) =>
        req.method === 'echo' ? ok({ result: codes.shift() ?? 0, error: 'busy' }) : ok({ result: 5000, error: 'Internal error.' }),
    });
    const c = createClient({ transport: t, retries: 3 }).use(testPlugin);
    await expect(c.echo({ fileid: 1, label: 'a' })).resolves.toMatchObject({ result: 0 });
    expect(t.requests.filter((r) => r.method === 'echo')).toHaveLength(3);
    const e = await c.mutate().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).result).toBe(5000);
    expect(t.requests.filter((r) => r.method === 'mutate')).toHaveLength(1); // not idempotent: no retry
  });

  it('does not retry 2xxx state errors', async () => {
    const t = memoryTransport({ answer: () => ok({ result: 2009, error: 'File not found.' }) });
    const c = createClient({ transport: t, retries: 3 }).use(testPlugin);
    const e = (await c.echo({ fileid: 1, label: 'a' }).catch((x: unknown) => x)) as ApiError;
    expect([e.result, e.errorClass, e.retryable]).toEqual([2009, 'state', false]);
    expect(t.requests).toHaveLength(1);
  });

  it('times out and aborts with typed errors', async () => {
    const t = memoryTransport({
      answer: (req) =>
        new Promise((_, reject) => req.signal!.addEventListener('abort', () => reject(new TransportError('aborted', { network: false })))),
    });
    const c = createClient({ transport: t, retries: 0 }).use(testPlugin);
    await expect(c.anon(undefined, { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError);
    const ctl = new AbortController();
    const p = c.anon(undefined, { signal: ctl.signal });
    ctl.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    const pre = new AbortController();
    pre.abort();
    await expect(c.anon(undefined, { signal: pre.signal })).rejects.toBeInstanceOf(AbortError);
  });

  it('falls back to the default host when a getapiserver suggestion is unreachable, and drops it', async () => {
    const t = memoryTransport({
      answer: (req) => {
        if (req.method === 'getapiserver') return ok({ api: ['near.example:1'], binapi: [] });
        if (req.host === 'https://near.example:1') return new TransportError('connect ECONNREFUSED', { host: req.host, network: true });
        return ok();
      },
    });
    const c = createClient({ transport: t, nearestHost: true }).use(testPlugin);
    await c.anon();
    await c.anon();
    expect(t.requests.map((r) => `${r.method}@${r.host}`)).toEqual([
      'getapiserver@https://api.pcloud.com',
      'anon@https://near.example:1',
      'anon@https://api.pcloud.com',
      'anon@https://api.pcloud.com',
    ]);
  });

  it('sends a call to the host given in its options, skipping the host choice; a blank host is refused before sending', async () => {
    const t = memoryTransport({
      answer: (req) => (req.method === 'getapiserver' ? ok({ api: ['near.example:1'], binapi: [] }) : ok()),
    });
    const c = createClient({ transport: t, nearestHost: true }).use(testPlugin);
    await c.anon(undefined, { host: 'pinned.example:8443' });
    await c.call('getapiserver', {}, { auth: false });
    expect(t.requests.map((r) => `${r.method}@${r.host}`)).toEqual([
      'anon@https://pinned.example:8443',
      // a user's own getapiserver waits for the suggestions like any call (fetched from the default host)
      'getapiserver@https://api.pcloud.com',
      'getapiserver@https://near.example:1',
    ]);
    await expect(c.anon(undefined, { host: ' ' })).rejects.toThrow(/options.host/);
    expect(t.requests).toHaveLength(3);
  });

  it('logs in with getdigest + passworddigest, never sending the password, and reuses the token', async () => {
    const t = memoryTransport({
      answer: (req) => {
        if (req.method === 'getdigest') return ok({ digest: 'D1G3ST', expires: 1 });
        if (req.method === 'userinfo') return ok({ auth: 'session-token', userid: 1 });
        return req.params.auth === 'session-token' ? ok() : ok({ result: 2000, error: 'Log in failed.' });
      },
    });
    const c = createClient({ transport: t, auth: { username: 'Demo@Example.com', password: 'pw' } }).use(testPlugin);
    await c.echo({ fileid: 1, label: 'a' });
    await c.echo({ fileid: 2, label: 'b' });
    const sha1 = (s: string) => createHash('sha1').update(s).digest('hex');
    const login = t.requests[1]!;
    expect(login.params).toMatchObject({
      username: 'Demo@Example.com',
      digest: 'D1G3ST',
      getauth: 1,
      passworddigest: sha1('pw' + sha1('demo@example.com') + 'D1G3ST'),
    });
    expect(await passwordDigest('Demo@Example.com', 'pw', 'D1G3ST')).toBe(login.params.passworddigest);
    expect(JSON.stringify(t.requests)).not.toContain('"pw"');
    expect(t.requests.map((r) => r.method)).toEqual(['getdigest', 'userinfo', 'echo', 'echo']);
  });

  it('renews a password login once when the server rejects the session token', async () => {
    let logins = 0;
    let rejectOnce = true;
    const t = memoryTransport({
      answer: (req) => {
        if (req.method === 'getdigest') return ok({ digest: `d${logins}` });
        if (req.method === 'userinfo') return ok({ auth: `token-${++logins}` });
        if (rejectOnce) {
          rejectOnce = false;
          return ok({ result: 2094, error: "Invalid 'access_token' provided." });
        }
        return ok({ used: req.params.auth });
      },
    });
    const c = createClient({ transport: t, auth: { username: 'u', password: 'p' } }).use(testPlugin);
    await expect(c.echo({ fileid: 1, label: 'a' })).resolves.toMatchObject({ used: 'token-2' });
    expect(t.requests.map((r) => r.method)).toEqual(['getdigest', 'userinfo', 'echo', 'getdigest', 'userinfo', 'echo']);
  });

  it('never shows credentials in toString or inspect', () => {
    const c = createClient({ transport: memoryTransport(), auth: { username: 'u', password: 'hunter2' } });
    expect(String(c)).not.toContain('hunter2');
    expect(inspect(c)).not.toContain('hunter2');
    expect(JSON.stringify(c.options)).not.toContain('hunter2');
  });

  it('refuses a plugin that would overwrite a member', () => {
    const c = createClient({ transport: memoryTransport() }).use(testPlugin);
    const clash = definePlugin({ name: 'clash', methods: { echo: mutate } });
    expect(() => c.use(clash)).toThrow(/already defined/);
    expect(() => c.use(testPlugin)).not.toThrow();
  });

  it('standalone functions work without use()', async () => {
    const t = memoryTransport({ answer: () => ok({ hash: 1 }) });
    const c = createClient({ transport: t });
    const r = await echo(c, { fileid: 3, label: 'z' });
    expect(r.hash).toBe(1n);
    expect(echo.name).toBe('echo');
    expect(echo.paramList.find((p) => p.name === 'path')).toEqual({ name: 'path', type: 'string', required: false, oneOf: 'target' });
  });
});
