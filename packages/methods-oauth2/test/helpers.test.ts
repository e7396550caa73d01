import { AbortError, EU, PcloudError, TimeoutError, US, ValidationError } from '@pcloudkit/core';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createClient, memoryTransport } from '@pcloudkit/core';
import { OAuth2Error, authorize, authorizeUrl, definitions, exchangeCode, oauth2, oauth2_token, parseRedirect } from '../src/index.js';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openInBrowser, signIn } from '../src/node.js';

describe('oauth2 definitions', () => {
  it('describe authorize and oauth2_token without login', () => {
    expect(definitions.map((d) => d.name)).toEqual(['authorize', 'oauth2_token']);
    expect(authorize.auth).toBe(false);
    expect(oauth2_token.auth).toBe(false);
    expect(oauth2_token.idempotent).toBe(false);
    expect(oauth2_token.paramList.filter((p) => p.required).map((p) => p.name)).toEqual(['client_id', 'client_secret', 'code']);
    expect(authorize.params.response_type!.enum).toEqual(['code', 'token']);
  });
});

describe('oauth2_token validation (nothing is sent)', () => {
  it('needs client_id, client_secret and code as strings', async () => {
    const transport = memoryTransport();
    const sent = transport.requests;
    const c = createClient({ transport, retries: 0 }).use(oauth2);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ client_id: 'a', client_secret: 'b' }, 'code'],
      [{ client_id: 'a', code: 'c' }, 'client_secret'],
      [{ client_id: 1, client_secret: 'b', code: 'c' }, 'client_id'],
    ];
    for (const [params, param] of cases) {
      await expect(c.oauth2_token(params as never)).rejects.toMatchObject({ code: 'PCLOUD_VALIDATION_ERROR', param });
    }
    await expect(exchangeCode(c, { clientId: 'a', clientSecret: 'b', code: undefined as never })).rejects.toBeInstanceOf(ValidationError);
    expect(sent).toHaveLength(0);
  });

  it('a valid exchange is sent once, without retries and without credentials', async () => {
    const transport = memoryTransport();
    const sent = transport.requests;
    const c = createClient({ transport, retries: 3, auth: { accessToken: 'should-not-be-sent' } });
    await exchangeCode(c, { clientId: 'a', clientSecret: 'b', code: 'c' }).catch(() => undefined);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.method).toBe('oauth2_token');
    expect(sent[0]!.params).toMatchObject({ client_id: 'a', client_secret: 'b', code: 'c' });
    expect(sent[0]!.bearer).toBeUndefined();
    expect(sent[0]!.params).not.toHaveProperty('access_token');
  });
});

describe('authorizeUrl', () => {
  it('builds the my.pcloud.com page URL for the code flow', () => {
    const url = new URL(
      authorizeUrl({
        clientId: 'app 1',
        responseType: 'code',
        redirectUri: 'http://127.0.0.1:5/callback',
        state: 's&t',
        permissions: ['manageshares'],
        forceReapprove: true,
      }),
    );
    expect(url.origin + url.pathname).toBe('https://my.pcloud.com/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'app 1',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:5/callback',
      state: 's&t',
      force_reapprove: '1',
      permissions: 'manageshares',
    });
  });

  it('leaves out what was not asked for and honours authorizeOrigin', () => {
    const url = new URL(authorizeUrl({ clientId: 'c', responseType: 'code', authorizeOrigin: 'http://127.0.0.1:4000' }));
    expect(url.href).toBe('http://127.0.0.1:4000/oauth2/authorize?client_id=c&response_type=code');
  });

  it('rejects bad input with ValidationError', () => {
    const bad: Array<[() => unknown, string]> = [
      [() => authorizeUrl({ clientId: '', responseType: 'code' }), 'clientId'],
      [() => authorizeUrl({ clientId: 'c', responseType: 'poll' as never }), 'responseType'],
      [() => authorizeUrl({ clientId: 'c', responseType: 'token' }), 'redirectUri'],
      [() => authorizeUrl({ clientId: 'c', responseType: 'code', permissions: ['a,b'] }), 'permissions'],
      [() => authorizeUrl({ clientId: 'c', responseType: 'code', authorizeOrigin: 'not a url' }), 'authorizeOrigin'],
    ];
    for (const [fn, param] of bad) {
      const error = (() => {
        try {
          fn();
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).param).toBe(param);
    }
  });
});

describe('parseRedirect', () => {
  it('reads the code flow from the query', () => {
    const r = parseRedirect('https://app.example/cb?code=XYZ&state=abc&locationid=2&hostname=eapi.pcloud.com', { state: 'abc' });
    expect(r).toEqual({ code: 'XYZ', state: 'abc', locationid: 2, hostname: 'eapi.pcloud.com', region: EU });
  });

  it('reads the token flow from the fragment', () => {
    const r = parseRedirect(
      'https://app.example/cb#access_token=TOK&token_type=bearer&uid=42&state=s1&locationid=1&hostname=api.pcloud.com',
    );
    expect(r).toEqual({ accessToken: 'TOK', uid: 42, state: 's1', locationid: 1, hostname: 'api.pcloud.com', region: US });
  });

  it('takes the region from locationid when there is no hostname, and US when there is neither', () => {
    expect(parseRedirect('/cb?code=a&locationid=2').region).toBe(EU);
    expect(parseRedirect('/cb?code=a').region).toBe(US);
  });

  it('lets a host that is not pCloud’s win, with the scheme asked for', () => {
    const https = parseRedirect('/cb?code=a&locationid=1&hostname=api.example.net');
    expect(https.region.api).toEqual(['api.example.net']);
    expect(https.region.locationid).toBeUndefined();
    const http = parseRedirect('/cb?code=a&locationid=1&hostname=127.0.0.1:8123', { hostScheme: 'http' });
    expect(http.region.api).toEqual(['http://127.0.0.1:8123']);
    // the redirect names no binary host, so none is made up (the HTTP port would not speak the binary protocol)
    expect(http.region.binapi).toBeUndefined();
  });

  it('takes the scheme and the region of the client it is given', () => {
    const client = createClient({
      transport: memoryTransport(),
      region: { api: ['http://127.0.0.1:8123'], binapi: ['127.0.0.1:8124'] },
    });
    expect(parseRedirect('/cb?code=a&hostname=127.0.0.1:8123', { client }).region).toBe(client.region);
    expect(parseRedirect('/cb?code=a&hostname=127.0.0.1:9999', { client }).region).toEqual({ api: ['http://127.0.0.1:9999'] });
    // hostScheme still wins
    expect(parseRedirect('/cb?code=a&hostname=127.0.0.1:9999', { client, hostScheme: 'https' }).region.api).toEqual(['127.0.0.1:9999']);
  });

  it('throws state-mismatch when the state differs or is missing', () => {
    for (const url of ['/cb?code=a&state=evil', '/cb?code=a']) {
      const error = (() => {
        try {
          parseRedirect(url, { state: 'good' });
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(OAuth2Error);
      expect(error).toBeInstanceOf(PcloudError);
      expect(error).toMatchObject({ reason: 'state-mismatch', code: 'PCLOUD_OAUTH2_ERROR' });
    }
  });

  it('reports an error redirect and a redirect without credentials', () => {
    expect(() => parseRedirect('/cb?error=access_denied&state=s', { state: 's' })).toThrow(expect.objectContaining({ reason: 'denied' }));
    expect(() => parseRedirect('/cb?state=s')).toThrow(expect.objectContaining({ reason: 'no-credentials' }));
  });
});

describe('signIn failures (no browser, nothing exchanged)', () => {
  it('rejects a forged redirect, answers the browser 400 and closes the server', async () => {
    const transport = memoryTransport();
    const sent = transport.requests;
    let callback = '';
    let browser: { status: number; body: string } | undefined;
    const error = await signIn({
      clientId: 'c',
      clientSecret: 's',
      transport,
      authorizeOrigin: 'http://127.0.0.1:1',
      open: async (url) => {
        callback = new URL(url).searchParams.get('redirect_uri')!;
        const res = await request(`${callback}?code=abc&state=forged`);
        browser = { status: res.statusCode, body: await res.body.text() };
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2Error);
    expect((error as OAuth2Error).reason).toBe('state-mismatch');
    await expect.poll(() => browser?.status).toBe(400);
    expect(browser!.body).toContain('Sign-in failed');
    expect(sent).toHaveLength(0);
    expect(callback).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    await expect(request(callback)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('times out with TimeoutError when nobody comes back', async () => {
    const transport = memoryTransport();
    const sent = transport.requests;
    let callback = '';
    const error = await signIn({
      clientId: 'c',
      clientSecret: 's',
      transport,
      timeout: 50,
      open: (url) => void (callback = new URL(url).searchParams.get('redirect_uri')!),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(sent).toHaveLength(0);
    await expect(request(callback)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('stops with AbortError when the signal fires', async () => {
    const transport = memoryTransport();
    const controller = new AbortController();
    const error = await signIn({
      clientId: 'c',
      clientSecret: 's',
      transport,
      signal: controller.signal,
      open: () => controller.abort(new Error('user quit')),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
  });

  it('fails when the browser cannot be opened', async () => {
    const transport = memoryTransport();
    await expect(
      signIn({
        clientId: 'c',
        clientSecret: 's',
        transport,
        open: () => {
          throw new Error('no display');
        },
      }),
    ).rejects.toThrow('no display');
  });

  it('answers 404 to other paths and keeps waiting', async () => {
    const transport = memoryTransport();
    let status = 0;
    const error = await signIn({
      clientId: 'c',
      clientSecret: 's',
      transport,
      timeout: 200,
      open: async (url) => {
        const base = new URL(new URL(url).searchParams.get('redirect_uri')!);
        const res = await request(new URL('/favicon.ico', base));
        status = res.statusCode;
        await res.body.dump();
      },
    }).catch((e: unknown) => e);
    expect(status).toBe(404);
    expect(error).toBeInstanceOf(TimeoutError);
  });
});

describe.runIf(process.platform === 'linux')('openInBrowser (linux: xdg-open)', () => {
  const withPath = async (fn: (dir: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-open-'));
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      await fn(dir);
    } finally {
      process.env.PATH = saved;
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('hands the URL to xdg-open as one argument', async () => {
    await withPath(async (dir) => {
      const out = join(dir, 'opened.txt');
      await writeFile(join(dir, 'xdg-open'), `#!/bin/sh\nprintf '%s|%s' "$#" "$1" > '${out}'\n`);
      await chmod(join(dir, 'xdg-open'), 0o755);
      const url = 'https://my.pcloud.com/oauth2/authorize?client_id=a&state=x y&response_type=code';
      await openInBrowser(url);
      await expect.poll(() => readFile(out, 'utf8').catch(() => '')).toBe(`1|${url}`);
    });
  });

  it('rejects with the URL in the message when no opener exists', async () => {
    await withPath(async () => {
      await expect(openInBrowser('https://example.test/authorize')).rejects.toThrow('https://example.test/authorize');
    });
  });
});
