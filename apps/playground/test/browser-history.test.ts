/**
 * Defect 4 and the history, cancel and hint expectations of issue 19 in
 * Chromium: the history survives a reload, re-opens an entry with its
 * transport and target, runs it again in one click, filters and clears; a
 * running call can be cancelled on both transports (the binary bridge
 * aborts its call too); common errors come with what to do next.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, historyCount, openPlayground, responseText, selectMethod, send, use } from './support/page.js';

let hx: Harness;
let page: Page;

/** The requests the page sent while `action` ran. */
async function sentDuring(action: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const listen = (r: { url(): string }) => seen.push(r.url());
  page.on('request', listen);
  try {
    await action();
  } finally {
    page.off('request', listen);
  }
  return seen;
}

function historyNames(): Promise<string[]> {
  return page.locator('#history-list .h-open').allTextContents();
}

async function reload(): Promise<void> {
  await page.reload();
  await page.waitForSelector('body[data-ready=true]');
}

beforeAll(async () => {
  hx = await openPlayground();
  page = hx.page;
});
afterAll(async () => {
  await hx?.close();
});

describe('history (defect 4)', () => {
  test('re-opening an entry restores its transport and target, and Send repeats it the same way', async () => {
    await use(page, 'binary');
    await selectMethod(page, 'listfolder');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/Documents');
    await send(page);
    await use(page, 'http');
    await selectMethod(page, 'getapiserver');
    await send(page);

    // open the binary listfolder entry (the second one, under getapiserver)
    await page.locator('#history-list li').nth(1).locator('.h-open').click();
    expect(await page.textContent('#method-title')).toBe('listfolder');
    expect(await page.isChecked('input[name=transport][value=binary]')).toBe(true);
    expect(await page.isChecked('input[name=target][value=emulator]')).toBe(true);
    expect(await page.inputValue('#p-path')).toBe('/Documents');
    expect(await page.textContent('#result-status')).toContain('binary');
    // Send goes over binary again: through the playground's bridge
    const urls = await sentDuring(() => send(page));
    expect(urls.filter((u) => u.startsWith(`${hx.app.url}api/call`))).toHaveLength(1);
    expect(await page.textContent('#result-status')).toContain('binary');
    await use(page, 'http');
  });

  test('survives a reload, and the restored entries open with their result', async () => {
    const before = await historyNames();
    expect(before.length).toBeGreaterThanOrEqual(3);
    await reload();
    expect(await historyNames()).toEqual(before);
    await page.locator('#history-list li').first().locator('.h-open').click();
    expect(await page.textContent('#method-title')).toBe('listfolder');
    expect(await page.isChecked('input[name=transport][value=binary]')).toBe(true);
    expect(await responseText(page)).toContain('"name": "readme.txt"');
    await use(page, 'http');
  });

  test('runs an entry again in one click, with its transport', async () => {
    const before = await historyCount(page);
    // getapiserver over HTTP is the second entry now
    const entry = page.locator('#history-list li').filter({ hasText: 'getapiserver' }).first();
    await use(page, 'binary');
    const urls = await sentDuring(async () => {
      await entry.locator('.h-rerun').click();
      await expect.poll(() => historyCount(page)).toBe(before + 1);
    });
    expect((await historyNames())[0]).toBe('getapiserver');
    expect(await page.isChecked('input[name=transport][value=http]')).toBe(true);
    expect(urls.some((u) => u.startsWith(`${hx.app.emulatorApi}/getapiserver`))).toBe(true);
    expect(urls.some((u) => u.startsWith(`${hx.app.url}api/call`))).toBe(false);
  });

  test('keeps no password or token in the browser storage', async () => {
    await selectMethod(page, 'changepassword');
    await page.fill('#p-oldpassword', 'not-the-Password-1'); // refused: the demo account stays as it is
    await page.fill('#p-newpassword', 'new-Secret-9876');
    await send(page);
    const token = await page.evaluate(async () => ((await (await fetch('/api/settings')).json()) as any).emulator.accessToken as string);
    const kept = (await page.evaluate(() => localStorage.getItem('pcloudkit-playground:history'))) ?? '';
    expect(kept).toContain('changepassword');
    expect(kept).not.toContain('new-Secret-9876');
    expect(kept).not.toContain('not-the-Password-1');
    expect(kept).not.toContain(token);
    // the entry in memory still has them, to run again
    await page.locator('#history-list li').first().locator('.h-open').click();
    expect(await page.inputValue('#p-newpassword')).toBe('new-Secret-9876');
  });

  test('filters as you type, and clears for good', async () => {
    await page.fill('#history-filter', 'listfolder');
    const names = await historyNames();
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(['listfolder']));
    await page.fill('#history-filter', 'binary getapiserver');
    expect(await historyNames()).toEqual([]);
    expect(await page.textContent('#history-list')).toContain('No call matches');
    await page.fill('#history-filter', '');
    expect((await historyNames()).length).toBeGreaterThanOrEqual(4);
    await page.click('#history-clear');
    expect(await historyNames()).toEqual([]);
    await reload();
    expect(await historyNames()).toEqual([]);
  });
});

describe('cancel a running call', () => {
  /** diff with block waits until something changes: a call that runs until it is cancelled. */
  async function startBlockingDiff(): Promise<void> {
    const settings = (await (await fetch(`${hx.app.url}api/settings`)).json()) as { emulator: { api: string; accessToken: string } };
    const head = await (await fetch(`${settings.emulator.api}/diff?last=0&access_token=${settings.emulator.accessToken}`)).json();
    await selectMethod(page, 'diff');
    await page.fill('#p-diffid', String((head as { diffid: number }).diffid));
    await page.locator('details.optional').evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await page.check('#p-block');
    await page.click('#send');
    await expect.poll(() => page.locator('#cancel').isVisible()).toBe(true);
  }

  for (const transport of ['http', 'binary'] as const) {
    test(`Cancel aborts it (${transport})`, async () => {
      await use(page, transport);
      const before = await historyCount(page);
      await startBlockingDiff();
      if (transport === 'binary') await expect.poll(() => hx.app.runningCalls()).toBe(1);
      await page.waitForTimeout(300);
      expect(await historyCount(page)).toBe(before); // still waiting
      await page.click('#cancel');
      await expect.poll(() => historyCount(page), { timeout: 5000 }).toBe(before + 1);
      expect(await page.textContent('#result-status .pill')).toBe('Error');
      expect(await page.textContent('#result-error')).toMatch(/AbortError|cancel/i);
      expect(await page.locator('#cancel').isVisible()).toBe(false);
      // the bridge let go of the binary call (and its connection) too
      await expect.poll(() => hx.app.runningCalls(), { timeout: 5000 }).toBe(0);
      // the form works again
      await selectMethod(page, 'getapiserver');
      await send(page);
      expect(await page.textContent('#result-status .pill')).toBe('OK');
      await use(page, 'http');
    });
  }

  test('Escape cancels too', async () => {
    const before = await historyCount(page);
    await startBlockingDiff();
    await page.keyboard.press('Escape');
    await expect.poll(() => historyCount(page), { timeout: 5000 }).toBe(before + 1);
    expect(await page.textContent('#result-status .pill')).toBe('Error');
  });
});

describe('hints for common errors', () => {
  test('2009: find ids with listfolder, one click away', async () => {
    await selectMethod(page, 'getfilelink');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/missing.bin');
    await send(page);
    expect(await page.textContent('#result-hint')).toContain('listfolder');
    await page.click('#result-hint-action');
    expect(await page.textContent('#method-title')).toBe('listfolder');
    expect(await page.inputValue('#p-path')).toBe('/');
  });

  test('2004: the name is taken', async () => {
    await selectMethod(page, 'createfolder');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/Documents');
    await send(page);
    expect(await page.textContent('#result-error h2')).toContain('2004');
    expect(await page.textContent('#result-hint')).toContain('already there');
  });

  for (const [result, message, expected] of [
    [1000, 'Log in required.', /pCloud token/],
    [2094, "Invalid 'access_token' provided.", /expired or was revoked/],
  ] as const) {
    test(`${result} on pCloud: ${expected.source}`, async () => {
      // no internet here: pCloud's API answers from the test
      await page.route('https://api.pcloud.com/**', (route) =>
        route.fulfill({
          status: 200,
          headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
          body: JSON.stringify({ result, error: message }),
        }),
      );
      await page.click('#settings-button');
      await page.fill('#settings-token', 'some-pcloud-token-0123');
      await page.click('#settings-save');
      await use(page, 'http', 'pcloud');
      await selectMethod(page, 'userinfo');
      await send(page);
      expect(await page.textContent('#result-error h2')).toContain(String(result));
      expect(await page.textContent('#result-hint')).toMatch(expected);
      await page.click('#result-hint-action');
      expect(await page.locator('#settings').isVisible()).toBe(true);
      await page.click('#settings-forget');
      await page.unroute('https://api.pcloud.com/**');
      await use(page, 'http', 'emulator');
    });
  }
});
