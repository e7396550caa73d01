/**
 * `authorize` is a page, not a call: the bridge refuses it with a clear
 * message (it used to answer with the page's HTML as "not valid JSON"), and
 * the settings carry what the page needs to open the emulator's own page.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startPlayground, type Playground } from '../src/server/app.js';

let app: Playground;

beforeAll(async () => {
  app = await startPlayground({ port: 0 });
});
afterAll(async () => {
  await app?.close();
});

test('the bridge refuses authorize and says where it lives', async () => {
  const res = await fetch(new URL('/api/call', app.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-playground': '1' },
    body: JSON.stringify({ method: 'authorize', params: { client_id: 'x', response_type: 'code' }, target: 'emulator' }),
  });
  expect(res.status).toBe(400);
  const body = (await res.json()) as { error: { message: string } };
  expect(body.error.message).toMatch(/^authorize is a page .*not an API call/);
});

test("the settings name the emulator's demo app, whose authorize page answers", async () => {
  const settings = (await (await fetch(new URL('/api/settings', app.url))).json()) as {
    emulator: { api: string; oauth: { clientId: string; clientSecret: string } };
  };
  expect(settings.emulator.oauth.clientId).toBe('pcloudkit-demo-app');
  const page = await fetch(
    `${settings.emulator.api}/oauth2/authorize?client_id=${settings.emulator.oauth.clientId}&response_type=token&redirect_uri=${encodeURIComponent(app.url)}`,
  );
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<form method="post" action="/oauth2/authorize">');
});
