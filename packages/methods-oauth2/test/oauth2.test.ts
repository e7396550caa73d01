import { ApiError, createClient } from '@pcloudkit/core';
import { general } from '@pcloudkit/methods-general';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuth2Error, authorizeUrl, exchangeCode, oauth2, parseRedirect } from '../src/index.js';
import { signIn } from '../src/node.js';

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

/**
 * Plays the user's part on the emulator's authorize page: loads the form,
 * signs in and approves (or denies), and returns the redirect target
 * without following it.
 */
async function approveOnPage(pageUrl: string, user: { username: string; password: string }, choice: 'approve' | 'deny' = 'approve') {
  const page = await request(pageUrl);
  expect(page.statusCode).toBe(200);
  const html = await page.body.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  expect(action).toBeDefined();
  const form = new URLSearchParams();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    form.set(decode(name!), decode(value!));
  form.set('username', user.username);
  form.set('password', user.password);
  form.set(choice, '1');
  const posted = await request(new URL(decode(action!), pageUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  const body = await posted.body.text();
  return { status: posted.statusCode, location: posted.headers.location as string | undefined, body };
}

/** An `open` for signIn that drives the authorize page and then the loopback redirect. */
function browser(env: TestEnv, choice: 'approve' | 'deny' = 'approve') {
  const seen: { authorizeUrl?: string; callbackStatus?: number; callbackPage?: string } = {};
  let finished: Promise<void> = Promise.resolve();
  const open = (url: string) => {
    seen.authorizeUrl = url;
    finished = (async () => {
      const { status, location } = await approveOnPage(url, env.emulator, choice);
      expect(status).toBe(302);
      const callback = await request(location!);
      seen.callbackStatus = callback.statusCode;
      seen.callbackPage = await callback.body.text();
    })();
    return finished;
  };
  // signIn may settle before the "browser" has read its page: wait for both.
  return { open, seen, done: () => finished };
}

describe.each(transportNames)('oauth2 over %s', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv();
  });
  afterAll(() => env.close());
  // The emulator reports its HTTP host on the redirect; the binary transport needs the binary host instead.
  const regionFor = () => (kind === 'http' ? undefined : env.client(kind).region);

  it('signIn runs the whole code flow and returns a working client', async () => {
    const { open, seen, done } = browser(env);
    const result = await signIn({
      clientId: env.emulator.client_id,
      clientSecret: env.emulator.client_secret,
      transport: env.transport(kind),
      authorizeOrigin: env.emulator.api,
      region: regionFor(),
      open,
    });
    const authorize = new URL(seen.authorizeUrl!);
    expect(authorize.pathname).toBe('/oauth2/authorize');
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(authorize.searchParams.get('state')).toMatch(/^[\w-]{20,}$/);
    await done();
    expect(seen.callbackStatus).toBe(200);
    expect(seen.callbackPage).toContain('close this tab');

    expect(result.accessToken).not.toBe(env.emulator.access_token);
    if (kind === 'http') expect(result.region.api).toEqual([env.emulator.api]);
    const info = await result.client.use(general).userinfo();
    expect(info.email).toBe(env.emulator.username);
    expect(info.userid).toBe(result.uid);

    // The token also works on a fresh client, and the loopback server is gone.
    const again = env.client(kind, { accessToken: result.accessToken }).use(general);
    expect((await again.userinfo()).userid).toBe(result.uid);
    await expect(request(authorize.searchParams.get('redirect_uri')!)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('signIn surfaces a refused exchange (wrong secret) as ApiError 2000', async () => {
    const { open, seen, done } = browser(env);
    const error = await signIn({
      clientId: env.emulator.client_id,
      clientSecret: 'wrong-secret',
      transport: env.transport(kind),
      authorizeOrigin: env.emulator.api,
      region: regionFor(),
      open,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ result: 2000, errorClass: 'state', method: 'oauth2_token' });
    await done();
    expect(seen.callbackStatus).toBe(200);
  });

  it('signIn reports a denied approval as OAuth2Error denied', async () => {
    const { open, seen, done } = browser(env, 'deny');
    const error = await signIn({
      clientId: env.emulator.client_id,
      clientSecret: env.emulator.client_secret,
      transport: env.transport(kind),
      authorizeOrigin: env.emulator.api,
      open,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2Error);
    expect((error as OAuth2Error).reason).toBe('denied');
    await done();
    expect(seen.callbackStatus).toBe(400);
  });

  it('exchangeCode swaps a code once; a second use fails with 2012', async () => {
    // Without redirect_uri the page shows the code to the user.
    const url = authorizeUrl({ clientId: env.emulator.client_id, responseType: 'code', authorizeOrigin: env.emulator.api });
    const page = await approveOnPage(url, env.emulator);
    expect(page.status).toBe(200);
    const code = /<code id="code">([^<]+)<\/code>/.exec(page.body)?.[1];
    expect(code).toBeDefined();

    const anonymous = env.client(kind, null);
    const token = await exchangeCode(anonymous, {
      clientId: env.emulator.client_id,
      clientSecret: env.emulator.client_secret,
      code: decode(code!),
    });
    expect(token.region).toBe(anonymous.region);
    expect(typeof token.uid).toBe('number');
    const info = await env.client(kind, { accessToken: token.accessToken }).use(general).userinfo();
    expect(info.userid).toBe(token.uid);

    const reuse = await exchangeCode(anonymous, {
      clientId: env.emulator.client_id,
      clientSecret: env.emulator.client_secret,
      code: decode(code!),
    }).catch((e: unknown) => e);
    expect(reuse).toBeInstanceOf(ApiError);
    expect(reuse).toMatchObject({ result: 2012, errorClass: 'state' });
  });

  it('oauth2_token rejects an unknown code with 2012', async () => {
    const c = env.client(kind, null).use(oauth2);
    const error = await c
      .oauth2_token({ client_id: env.emulator.client_id, client_secret: env.emulator.client_secret, code: 'made-up' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ result: 2012, errorClass: 'state', method: 'oauth2_token' });
  });

  it('manual code flow: parseRedirect and exchangeCode keep the scheme and hosts of the client, without hostScheme', async () => {
    const state = 'code-' + kind;
    const app = env.client(kind, null);
    const url = authorizeUrl({
      clientId: env.emulator.client_id,
      responseType: 'code',
      redirectUri: 'http://127.0.0.1:9/cb',
      state,
      authorizeOrigin: env.emulator.api,
    });
    const { status, location } = await approveOnPage(url, env.emulator);
    expect(status).toBe(302);
    const { code, region } = parseRedirect(location!, { state, client: app });
    // the emulator's hostname is its bare HTTP host; the client's region says http:// and names the binary port
    expect(new URL(location!).searchParams.get('hostname')).not.toMatch(/^http/);
    expect(region).toBe(app.region);
    const token = await exchangeCode(createClient({ transport: env.transport(kind), region, retries: 0 }), {
      clientId: env.emulator.client_id,
      clientSecret: env.emulator.client_secret,
      code: code!,
    });
    expect(token.region).toBe(region);
    const user = createClient({ transport: env.transport(kind), region: token.region, auth: { accessToken: token.accessToken } });
    expect((await user.use(general).userinfo()).userid).toBe(token.uid);
    await user.close();

    // Without the client the redirect's host gets https and no binary host: a binary client says so when it is made.
    const bare = parseRedirect(location!, { state });
    expect(bare.region.api[0]).not.toMatch(/^http:/);
    expect(bare.region.binapi).toBeUndefined();
    if (kind === 'binary') expect(() => createClient({ transport: env.transport(kind), region: bare.region })).toThrow(/binapi is missing/);
  });

  it('token flow: the fragment of the redirect carries a working token', async () => {
    const state = 'st-' + kind;
    const url = authorizeUrl({
      clientId: env.emulator.client_id,
      responseType: 'token',
      redirectUri: 'http://127.0.0.1:9/app',
      state,
      authorizeOrigin: env.emulator.api,
    });
    const { status, location } = await approveOnPage(url, env.emulator);
    expect(status).toBe(302);
    expect(location).toContain('#access_token=');
    // The client the app runs on gives the scheme and, for the binary transport, the binary host.
    const app = env.client(kind, null);
    const parsed = parseRedirect(location!, { state, client: app });
    expect(parsed.code).toBeUndefined();
    expect(parsed.accessToken).toBeDefined();
    expect(parsed.region).toBe(app.region);
    expect(parsed.region.api).toEqual([env.emulator.api]);
    const client = createClient({
      transport: env.transport(kind),
      region: parsed.region,
      auth: { accessToken: parsed.accessToken! },
      retries: 0,
    }).use(general);
    expect((await client.userinfo()).userid).toBe(parsed.uid);
    expect(() => parseRedirect(location!, { state: 'other' })).toThrow(OAuth2Error);
  });

  describe('with an EU account', () => {
    let eu: TestEnv;
    beforeAll(async () => {
      eu = await startTestEnv({ region: 'eu' });
    });
    afterAll(() => eu.close());

    it('signIn reports locationid 2 and keeps the host the redirect names', async () => {
      const { open, done } = browser(eu);
      const result = await signIn({
        clientId: eu.emulator.client_id,
        clientSecret: eu.emulator.client_secret,
        transport: eu.transport(kind),
        authorizeOrigin: eu.emulator.api,
        region: kind === 'http' ? undefined : eu.client(kind).region,
        open,
      });
      await done();
      expect(result.locationid).toBe(2);
      // The emulator's hostname is not a pCloud host, so it wins over locationid.
      if (kind === 'http') expect(result.region.api).toEqual([eu.emulator.api]);
      expect((await result.client.use(general).userinfo()).userid).toBe(result.uid);
    });
  });
});
