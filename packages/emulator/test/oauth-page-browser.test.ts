/**
 * The authorize page as browser apps use it: the token flow by redirect and
 * in a popup (both end in a 302 to the app with the token in the fragment),
 * framing refused, and only http(s) redirect targets.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { call } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

const APP = 'http://localhost:5173/app/return.html';

const pageUrl = (fields: Record<string, string>) => `${emu.api}/oauth2/authorize?${new URLSearchParams(fields)}`;

async function post(fields: Record<string, string>) {
  const res = await request(`${emu.api}/oauth2/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

function expectNoFraming(headers: Record<string, string | string[] | undefined>) {
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['content-security-policy']).toBe("frame-ancestors 'none'");
}

describe('token flow for browser apps', () => {
  it('the form, its errors and its redirects all refuse to be framed', async () => {
    const form = await request(pageUrl({ client_id: emu.client_id, response_type: 'token', redirect_uri: APP, state: 's' }));
    expect(form.statusCode).toBe(200);
    expectNoFraming(form.headers);
    expect(await form.body.text()).toContain('<link rel="icon" href="data:,">');

    const unknown = await request(pageUrl({ client_id: 'nope', response_type: 'token', redirect_uri: APP }));
    expect(unknown.statusCode).toBe(400);
    expectNoFraming(unknown.headers);
    await unknown.body.dump();

    const wrongPassword = await post({
      client_id: emu.client_id,
      response_type: 'token',
      redirect_uri: APP,
      username: emu.username,
      password: 'wrong',
      approve: '1',
    });
    expect(wrongPassword.status).toBe(401);
    expectNoFraming(wrongPassword.headers);

    const approved = await post({
      client_id: emu.client_id,
      response_type: 'token',
      redirect_uri: APP,
      state: 's',
      username: emu.username,
      password: emu.password,
      approve: '1',
    });
    expect(approved.status).toBe(302);
    expectNoFraming(approved.headers);
  });

  it('approval redirects to the app with a working token, uid, locationid, hostname and state in the fragment', async () => {
    const res = await post({
      client_id: emu.client_id,
      response_type: 'token',
      redirect_uri: `${APP}?keep=1#old`,
      state: 'st-42',
      username: emu.username,
      password: emu.password,
      approve: '1',
    });
    expect(res.status).toBe(302);
    const location = new URL(String(res.headers.location));
    expect(`${location.origin}${location.pathname}${location.search}`).toBe(`${APP}?keep=1`);
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('state')).toBe('st-42');
    expect(fragment.get('token_type')).toBe('bearer');
    expect(fragment.get('locationid')).toMatch(/^[12]$/);
    expect(fragment.get('hostname')).toBe(emu.apiHost);
    const token = fragment.get('access_token')!;
    const info = await call(emu, 'userinfo', { access_token: token });
    expect(info.result).toBe(0);
    expect(info.email).toBe(emu.username);
    expect(fragment.get('uid')).toBe(String(info.userid));
  });

  it('a refusal redirects with error=access_denied and the state, and no token', async () => {
    const res = await post({ client_id: emu.client_id, response_type: 'token', redirect_uri: APP, state: 'st-no', deny: '1' });
    expect(res.status).toBe(302);
    const fragment = new URLSearchParams(new URL(String(res.headers.location)).hash.slice(1));
    expect(Object.fromEntries(fragment)).toEqual({ error: 'access_denied', state: 'st-no' });
  });
});

describe('redirect targets', () => {
  it.each([
    'javascript:alert(document.domain)//',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'com.example.app:/callback',
    'not a url',
  ])('refuses %s before showing the form or redirecting', async (target) => {
    const shown = await request(pageUrl({ client_id: emu.client_id, response_type: 'token', redirect_uri: target }));
    expect(shown.statusCode).toBe(400);
    await shown.body.dump();
    const approved = await post({
      client_id: emu.client_id,
      response_type: 'token',
      redirect_uri: target,
      username: emu.username,
      password: emu.password,
      approve: '1',
    });
    expect(approved.status).toBe(400);
    expect(approved.headers.location).toBeUndefined();
    expect(approved.body).not.toContain('access_token');
  });

  it('keeps http and https targets, the loopback forms included', async () => {
    for (const target of [
      'https://app.example/cb',
      'http://127.0.0.1:8976/callback',
      'http://[::1]:8976/callback',
      'http://localhost/cb',
    ]) {
      const res = await request(pageUrl({ client_id: emu.client_id, response_type: 'code', redirect_uri: target }));
      expect(res.statusCode, target).toBe(200);
      await res.body.dump();
    }
  });

  it('a registered loopback URI matches on any port, a registered web URI only exactly', async () => {
    const app = await emu.createApp({ redirectUris: ['http://127.0.0.1/callback', 'https://app.example/cb'] });
    const status = async (target: string) => {
      const res = await request(pageUrl({ client_id: app.client_id, response_type: 'token', redirect_uri: target }));
      await res.body.dump();
      return res.statusCode;
    };
    expect(await status('http://127.0.0.1/callback')).toBe(200);
    expect(await status('http://127.0.0.1:49152/callback')).toBe(200);
    expect(await status('http://127.0.0.1:49152/other')).toBe(400);
    expect(await status('http://localhost:49152/callback')).toBe(400);
    expect(await status('https://app.example/cb')).toBe(200);
    expect(await status('https://app.example:8443/cb')).toBe(400);
    expect(await status('https://app.example/cb2')).toBe(400);

    const res = await post({
      client_id: app.client_id,
      response_type: 'token',
      redirect_uri: 'http://127.0.0.1:49152/callback',
      state: 'p',
      username: emu.username,
      password: emu.password,
      approve: '1',
    });
    expect(res.status).toBe(302);
    expect(String(res.headers.location)).toMatch(/^http:\/\/127\.0\.0\.1:49152\/callback#access_token=/);
  });
});
