// Options are checked when the client is made, and params before anything is sent.
import { describe, expect, it } from 'vitest';
import { TransportError, ValidationError, createClient, defineMethod, memoryTransport, param, type ClientOptions } from '../src/index.js';

const make = (extra: Partial<ClientOptions>) => () => createClient({ transport: memoryTransport(), ...extra } as ClientOptions);

describe('createClient checks its options', () => {
  it('rejects an unknown region name, showing the valid forms', () => {
    expect(make({ region: 'EU' as never })).toThrow(TypeError);
    expect(make({ region: 'EU' as never })).toThrow(/options\.region must be 'us', 'eu' or a host list.*lowercase: 'eu'/);
    expect(make({ region: 'mars' as never })).toThrow(/options\.region .*got "mars"/);
  });

  it('rejects a URL string as region, suggesting the host list form', () => {
    expect(make({ region: 'http://127.0.0.1:8080' as never })).toThrow(/options\.region.*\{ api: \["http:\/\/127\.0\.0\.1:8080"\] \}/);
  });

  it('rejects a host list without api hosts', () => {
    expect(make({ region: { api: [] } })).toThrow(/options\.region\.api must be a non-empty list/);
    expect(make({ region: { binapi: ['b:1'] } as never })).toThrow(/options\.region\.api/);
    expect(make({ region: { api: ['a'], binapi: 'b' } as never })).toThrow(/options\.region\.binapi/);
  });

  it('takes a region without binapi over HTTP, but a binary transport needs binary hosts', async () => {
    const t = memoryTransport();
    const client = createClient({ transport: t, region: { api: ['http://127.0.0.1:9'] } });
    expect(await client.hosts()).toEqual({ api: ['http://127.0.0.1:9'], binapi: [] });
    await client.call('userinfo');
    expect(t.requests[0]?.host).toBe('http://127.0.0.1:9');
    expect(String(client)).toContain('http://127.0.0.1:9');

    const binary = memoryTransport({ hostKind: 'binapi' });
    expect(() => createClient({ transport: binary, region: { api: ['api.example'] } })).toThrow(/options\.region\.binapi is missing/);
    const ok = createClient({ transport: binary, region: { api: ['api.example'], binapi: ['bin.example:81'] } });
    expect(() => ok.setRegion({ api: ['other.example'] })).toThrow(/setRegion: region\.binapi is missing/);
    expect(() => ok.setRegion('EU' as never)).toThrow(/setRegion: region must be/);
  });

  it('rejects an auth object of unknown shape when the client is made', () => {
    expect(make({ auth: { token: 'x' } as never })).toThrow(
      /options\.auth must be \{ accessToken \}, \{ authToken \}, \{ username, password \}.*keys token/,
    );
    expect(make({ auth: 'tok' as never })).toThrow(/options\.auth must be .*got a string/);
    expect(make({ auth: { apply: 1 } as never })).toThrow(/options\.auth\.apply must be a function/);
  });

  it('rejects an empty or missing token, as process.env.X! gives when the variable is unset', () => {
    expect(make({ auth: { accessToken: undefined as unknown as string } })).toThrow(
      /options\.auth\.accessToken must be a non-empty string, got undefined \(is the environment variable/,
    );
    expect(make({ auth: { accessToken: '' } })).toThrow(/options\.auth\.accessToken .*an empty string/);
    expect(make({ auth: { authToken: '' } })).toThrow(/options\.auth\.authToken/);
    expect(make({ auth: { username: 'a@b.c', password: '' } })).toThrow(/options\.auth\.password/);
    expect(make({ auth: { username: undefined, password: 'x' } as never })).toThrow(/options\.auth\.username/);
  });

  it('still accepts every valid form', () => {
    for (const auth of [
      undefined,
      { accessToken: 't' },
      { authToken: 't' },
      { username: 'u', password: 'p' },
      { apply() {} },
    ] as ClientOptions['auth'][]) {
      expect(make({ auth })).not.toThrow();
    }
    for (const region of ['us', 'eu', undefined, { api: ['a.example'], binapi: ['b.example'] }] as ClientOptions['region'][]) {
      expect(make({ region })).not.toThrow();
    }
  });
});

describe('params are checked before anything is sent', () => {
  const pick = defineMethod({
    name: 'pick',
    group: 'test',
    params: { folderid: param.int({ requires: 'name' }), path: param.string(), name: param.string() },
    oneOf: { target: ['folderid', 'path'] },
  });

  it('null in a one-of set is a ValidationError naming the param', async () => {
    const t = memoryTransport();
    const c = createClient({ transport: t });
    const error = await pick(c, { folderid: null } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ param: 'folderid', method: 'pick' });
    expect((error as Error).message).toMatch(/'folderid' is null/);
    expect(t.requests).toHaveLength(0);
  });

  it('a param that requires another one names the missing one', async () => {
    const t = memoryTransport();
    const c = createClient({ transport: t });
    const error = await pick(c, { folderid: 0 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toBe("pick: 'name' is required when 'folderid' is given");
    expect(t.requests).toHaveLength(0);
    await pick(c, { folderid: 0, name: 'x' });
    await pick(c, { path: '/x' });
    expect(t.requests).toHaveLength(2);
  });

  it('files given to a method that uploads nothing is a ValidationError', async () => {
    const t = memoryTransport();
    const c = createClient({ transport: t });
    const error = await pick(c, { path: '/x' }, { files: [{ name: 'a.txt', data: new TextEncoder().encode('hi') }] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ param: 'files', method: 'pick' });
    expect(t.requests).toHaveLength(0);
  });
});

describe('close()', () => {
  it('makes every later call fail at once, without reaching the transport', async () => {
    const t = memoryTransport();
    const c = createClient({ transport: t, retries: 2 });
    await c.call('userinfo');
    await c.close();
    const started = Date.now();
    for (const attempt of [() => c.call('userinfo'), () => c.call('diff')]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as Error).message).toMatch(/the client is closed/);
    }
    expect(Date.now() - started).toBeLessThan(200);
    expect(t.requests).toHaveLength(1);
  });
});
