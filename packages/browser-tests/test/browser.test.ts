/**
 * pcloudkit in a real browser: a page bundled from the packages' sources,
 * served from its own origin, talks to a real emulator on another origin
 * (so every call goes through CORS) in Debian's Chromium. It lists a folder,
 * uploads a file with progress, downloads it back, and signs in on the
 * emulator's authorize page by popup and by redirect, the test playing the
 * user. The browser's console must stay free of errors throughout.
 */
import { createHash } from 'node:crypto';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium, problems, recordPageEvents, type PageEvent } from './chromium.js';
import type { LocalServer } from '@pcloudkit/testkit';
import { bundlePage, servePage } from './page-server.js';

let emulator: Emulator;
let server: LocalServer;
let browser: Browser;
let bundledInputs: string[];

beforeAll(async () => {
  // Chromium first: a missing browser fails the suite straight away.
  browser = await launchChromium();
  emulator = await startEmulator({ port: 0 });
  const { code, inputs } = await bundlePage();
  bundledInputs = inputs;
  server = await servePage(code, { api: emulator.api, clientId: emulator.client_id });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await emulator?.stop();
});

let context: BrowserContext;
let page: Page;
let events: PageEvent[];

beforeEach(async () => {
  context = await browser.newContext();
  events = recordPageEvents(context);
  page = await context.newPage();
  await page.goto(`${server.origin}/`);
  await page.waitForSelector('body[data-ready=true]');
});
afterEach(async () => {
  await context.close();
});

/** Nothing went wrong in any page of the test (popups included): no console error or warning, no uncaught error, no failed request. */
function expectCleanConsole(): void {
  expect(problems(events), JSON.stringify(events, null, 2)).toEqual([]);
}

const signinStatus = () => page.getAttribute('#signin', 'data-status');
async function signinResult(): Promise<Record<string, unknown>> {
  return JSON.parse((await page.textContent('#signin')) ?? '{}') as Record<string, unknown>;
}

/** Plays the user on the emulator's authorize page: signs in and presses Allow (or Deny). */
async function answerAuthorizePage(authorize: Page, choice: 'approve' | 'deny'): Promise<void> {
  await authorize.waitForSelector('button[name=approve]');
  expect(new URL(authorize.url()).origin).toBe(emulator.api);
  if (choice === 'approve') {
    await authorize.fill('input[name=username]', emulator.username);
    await authorize.fill('input[name=password]', emulator.password);
    await authorize.click('button[name=approve]');
  } else {
    await authorize.click('button[name=deny]');
  }
}

it('bundles the page from the TypeScript sources of the packages, with no Node module', () => {
  for (const pkg of [
    'core',
    'transport-fetch',
    'methods-folder',
    'methods-file',
    'methods-streaming',
    'methods-general',
    'methods-oauth2',
  ]) {
    expect(
      bundledInputs.some((i) => i.includes(`packages/${pkg}/src/`)),
      pkg,
    ).toBe(true);
  }
  expect(bundledInputs.filter((i) => i.includes('/dist/') || i.startsWith('node:'))).toEqual([]);
  expect(new URL(server.origin).origin).not.toBe(new URL(emulator.api).origin);
});

describe('files from another origin', () => {
  it('lists the root, uploads with progress and downloads the same bytes back', async () => {
    // Large enough that XMLHttpRequest reports steps even over loopback.
    const size = 32 * 1024 * 1024 + 123;
    const outcome = await page.evaluate(([token, n]) => window.pcloudkitTest.roundTrip(token, n), [emulator.access_token, size] as const);

    // The listing is the demo user's root, as the emulator itself sees it.
    const root = await (await fetch(`${emulator.api}/listfolder?folderid=0&access_token=${emulator.access_token}`)).json();
    const names = (root.metadata.contents as Array<{ name: string }>).map((m) => m.name);
    expect(outcome.listed.length).toBeGreaterThan(0);
    expect(outcome.listed).toEqual(names.filter((n) => n !== outcome.name));

    // Progress: from 0 to the file size, never backwards, with steps in between (XMLHttpRequest in the browser).
    const loaded = outcome.progress.map((p) => p.loaded);
    expect(loaded[0]).toBe(0);
    expect(loaded.at(-1)).toBe(size);
    expect(outcome.progress.every((p) => p.total === size)).toBe(true);
    expect(loaded.every((v, i) => i === 0 || v >= loaded[i - 1]!)).toBe(true);
    expect(loaded.filter((v) => v > 0 && v < size).length).toBeGreaterThan(0);

    // Stored as sent, and read back byte for byte from a content host (another origin again).
    expect(outcome.storedName).toBe(outcome.name);
    expect(outcome.storedSize).toBe(size);
    expect(outcome.downloadedLength).toBe(size);
    expect(outcome.firstDifference).toBe(-1);
    expect(emulator.contentHosts.some((h) => outcome.downloadedFrom.startsWith(`http://${h}/`))).toBe(true);
    const checksum = await (
      await fetch(`${emulator.api}/checksumfile?fileid=${outcome.fileid}&access_token=${emulator.access_token}`)
    ).json();
    const expected = new Uint8Array(size);
    for (let i = 0; i < size; i++) expected[i] = (i * 31 + (i >>> 11)) & 0xff;
    // sha1 is in the answer in both regions (md5 in the US, sha256 in Europe)
    expect(checksum.sha1).toBe(createHash('sha1').update(expected).digest('hex'));

    expectCleanConsole();
  });
});

describe('sign-in on the authorize page', () => {
  it('by popup: the user allows, the popup closes, and the page has a working token for the right host', async () => {
    const opened = page.waitForEvent('popup');
    await page.click('#popup-signin');
    const popup = await opened;
    await answerAuthorizePage(popup, 'approve');
    await popup.waitForEvent('close');
    await expect.poll(signinStatus).toBe('signed-in');
    const result = await signinResult();
    expect(result).toMatchObject({ flow: 'popup', email: emulator.username, hostname: emulator.apiHost, api: [emulator.api] });
    expect(result.uid).toBe(result.userid);
    expect(page.url()).toBe(`${server.origin}/`);
    expectCleanConsole();
  });

  it('by popup: Deny gives access_denied, closing the popup gives popup-closed', async () => {
    const opened = page.waitForEvent('popup');
    await page.click('#popup-signin');
    await answerAuthorizePage(await opened, 'deny');
    await expect.poll(signinStatus).toBe('failed');
    expect(await signinResult()).toMatchObject({ flow: 'popup', name: 'OAuth2Error', reason: 'denied', oauthError: 'access_denied' });

    const again = page.waitForEvent('popup');
    await page.click('#popup-signin');
    const popup = await again;
    await popup.waitForSelector('button[name=approve]');
    await popup.close();
    await expect.poll(signinStatus).toBe('failed');
    expect(await signinResult()).toMatchObject({ flow: 'popup', name: 'OAuth2Error', reason: 'popup-closed' });
    expectCleanConsole();
  });

  it('by redirect: the tab goes to the authorize page and comes back signed in, the token gone from the address bar', async () => {
    await Promise.all([page.waitForURL(`${emulator.api}/oauth2/authorize?**`), page.click('#redirect-signin')]);
    const sent = new URL(page.url()).searchParams;
    expect(sent.get('response_type')).toBe('token');
    expect(sent.get('redirect_uri')).toBe(`${server.origin}/`);
    await answerAuthorizePage(page, 'approve');
    await page.waitForURL(`${server.origin}/**`);
    await expect.poll(signinStatus).toBe('signed-in');
    expect(await signinResult()).toMatchObject({ flow: 'redirect', email: emulator.username, api: [emulator.api] });
    expect(page.url()).toBe(`${server.origin}/`);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expectCleanConsole();
  });

  it('by redirect: a token planted in a link is refused (no sign-in was started in this tab)', async () => {
    // Another path: a fragment change alone would not load the page again.
    await page.goto(`${server.origin}/welcome#access_token=${emulator.access_token}&state=forged`);
    await expect.poll(signinStatus).toBe('failed');
    expect(await signinResult()).toMatchObject({ flow: 'redirect', name: 'OAuth2Error', reason: 'state-mismatch' });
    expect(page.url()).toBe(`${server.origin}/welcome`);
    expectCleanConsole();
  });
});
