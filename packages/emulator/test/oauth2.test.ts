import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { call } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false, oauthCodeTtlMs: 300 });
});
afterAll(async () => {
  await emu.stop();
});

const REDIRECT = 'http://127.0.0.1:9/callback';

async function approve(fields: Record<string, string>, path = '/oauth2/authorize', cookie?: string) {
  const res = await request(`${emu.api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
  });
  await res.body.dump();
  return res;
}

describe('authorize page', () => {
  it('renders a sign-in form with an Allow button', async () => {
    const res = await request(
      `${emu.api}/oauth2/authorize?client_id=${emu.client_id}&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&state=s1`,
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    const html = await res.body.text();
    expect(html).toContain('name="username"');
    expect(html).toContain('name="password"');
    expect(html).toContain('Allow');
    expect(html).toContain('value="s1"');
  });

  it('rejects unknown apps and bad response types', async () => {
    const a = await request(`${emu.api}/oauth2/authorize?client_id=nope&response_type=code`);
    expect(a.statusCode).toBe(400);
    await a.body.dump();
    const b = await request(`${emu.api}/oauth2/authorize?client_id=${emu.client_id}&response_type=weird`);
    expect(b.statusCode).toBe(400);
    await b.body.dump();
  });
});

describe('code flow', () => {
  it('approval redirects with code, state, locationid and hostname; oauth2_token swaps it once', async () => {
    const res = await approve({
      client_id: emu.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      state: 'xyz',
      username: emu.username,
      password: emu.password,
      approve: '1',
    });
    expect(res.statusCode).toBe(302);
    const loc = new URL(String(res.headers.location));
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get('state')).toBe('xyz');
    expect(loc.searchParams.get('locationid')).toBe('1');
    expect(loc.searchParams.get('hostname')).toBe(emu.apiHost);
    const code = loc.searchParams.get('code')!;
    expect(code).toBeTruthy();
    const tok = await call(emu, 'oauth2_token', { client_id: emu.client_id, client_secret: emu.client_secret, code });
    expect(tok).toMatchObject({ result: 0, token_type: 'bearer', locationid: 1 });
    const info = await call(emu, 'userinfo', { access_token: tok.access_token });
    expect(info.email).toBe(emu.username);
    expect(tok.uid).toBe(info.userid);
    const again = await call(emu, 'oauth2_token', { client_id: emu.client_id, client_secret: emu.client_secret, code });
    expect(again.result).toBe(2012);
  });

  it('codes expire, secrets are checked, code is required', async () => {
    const res = await approve({
      client_id: emu.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      username: emu.username,
      password: emu.password,
    });
    const code = new URL(String(res.headers.location)).searchParams.get('code')!;
    expect((await call(emu, 'oauth2_token', { client_id: emu.client_id, client_secret: 'wrong', code })).result).toBe(2000);
    await new Promise((r) => setTimeout(r, 400));
    expect((await call(emu, 'oauth2_token', { client_id: emu.client_id, client_secret: emu.client_secret, code })).result).toBe(2074);
    expect((await call(emu, 'oauth2_token', { client_id: emu.client_id, client_secret: emu.client_secret })).result).toBe(1022);
  });

  it('wrong password re-renders the form with 401 and no redirect', async () => {
    const res = await approve({
      client_id: emu.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      username: emu.username,
      password: 'bad',
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });

  it('the sign-in cookie lets a later approval skip the password; /authorize works too', async () => {
    const first = await approve({
      client_id: emu.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      username: emu.username,
      password: emu.password,
    });
    const cookie = String(first.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^auth=/);
    const second = await approve(
      { client_id: emu.client_id, response_type: 'code', redirect_uri: REDIRECT, approve: '1' },
      '/authorize',
      cookie,
    );
    expect(second.statusCode).toBe(302);
    expect(new URL(String(second.headers.location)).searchParams.get('code')).toBeTruthy();
  });

  it('enforces registered redirect URIs and supports deny', async () => {
    const app = await emu.createApp({ redirectUris: ['http://127.0.0.1:9/only'] });
    const bad = await approve({
      client_id: app.client_id,
      response_type: 'code',
      redirect_uri: REDIRECT,
      username: emu.username,
      password: emu.password,
    });
    expect(bad.statusCode).toBe(400);
    const denied = await approve({
      client_id: app.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:9/only',
      state: 's-1',
      deny: '1',
    });
    expect(denied.statusCode).toBe(302);
    const deniedUrl = new URL(String(denied.headers.location));
    expect([deniedUrl.searchParams.get('error'), deniedUrl.searchParams.get('state')]).toEqual(['access_denied', 's-1']);
    const ok = await approve({
      client_id: app.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:9/only',
      username: emu.username,
      password: emu.password,
    });
    const code = new URL(String(ok.headers.location)).searchParams.get('code')!;
    // a code of one app does not work for another
    expect((await call(emu, 'oauth2_token', { client_id: emu.client_id, client_secret: emu.client_secret, code })).result).toBe(2012);
    expect((await call(emu, 'oauth2_token', { client_id: app.client_id, client_secret: app.client_secret, code })).result).toBe(0);
  });
});

describe('token flow', () => {
  it('redirects with the token in the fragment', async () => {
    const res = await approve({
      client_id: emu.client_id,
      response_type: 'token',
      redirect_uri: REDIRECT,
      state: 'st',
      username: emu.username,
      password: emu.password,
    });
    expect(res.statusCode).toBe(302);
    const location = String(res.headers.location);
    expect(location.startsWith(`${REDIRECT}#`)).toBe(true);
    const frag = new URLSearchParams(location.split('#')[1]);
    expect(frag.get('token_type')).toBe('bearer');
    expect(frag.get('state')).toBe('st');
    expect(frag.get('locationid')).toBe('1');
    expect(frag.get('hostname')).toBe(emu.apiHost);
    const token = frag.get('access_token')!;
    const info = await call(emu, 'userinfo', {}, { headers: { authorization: `Bearer ${token}` } });
    expect(info.email).toBe(emu.username);
    expect(String(info.userid)).toBe(frag.get('uid'));
  });

  it('requires a redirect_uri', async () => {
    const res = await approve({ client_id: emu.client_id, response_type: 'token', username: emu.username, password: emu.password });
    expect(res.statusCode).toBe(400);
  });

  it('a bad access token gives 2094', async () => {
    expect(await call(emu, 'userinfo', { access_token: 'nope' })).toEqual({ result: 2094, error: "Invalid 'access_token' provided." });
  });
});
