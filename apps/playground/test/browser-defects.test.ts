/**
 * Defects 1, 5 and 6 of issue 19 in Chromium, against the playground and
 * its embedded emulator: either/or inputs, `authorize` as a page whose
 * sign-in lands in the playground, the `/` shortcut on toggles, the focus
 * after Send, the upload text naming the target, data answers named after
 * their file, and the token button's tooltip.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, openPlayground, responseText, selectMethod, send, use } from './support/page.js';

const BOB = { email: 'bob@pcloudkit.test', password: 'bobs-Secret-42' };
let hx: Harness;
let page: Page;

/** Asks the emulator itself, as the demo user, for a file's id. */
async function fileidOf(path: string): Promise<string> {
  const settings = (await (await fetch(`${hx.app.url}api/settings`)).json()) as { emulator: { api: string; accessToken: string } };
  const res = await fetch(`${settings.emulator.api}/stat?path=${encodeURIComponent(path)}&access_token=${settings.emulator.accessToken}`);
  const text = await res.text();
  return /"fileid":\s*(\d+)/.exec(text)![1]!;
}

beforeAll(async () => {
  hx = await openPlayground({ users: [BOB] });
  page = hx.page;
});
afterAll(async () => {
  await hx?.close();
});

describe('either/or params (defect 1)', () => {
  test('show one input at a time, and screen readers hear only that one', async () => {
    await selectMethod(page, 'listfolder');
    const folderid = page.locator('#p-folderid');
    const path = page.locator('#p-path');
    await page.click('.seg label:has(input[value=folderid])');
    expect(await folderid.isVisible()).toBe(true);
    expect(await path.isVisible()).toBe(false);
    // the accessibility tree of the form has the chosen input only
    const tree = await page.locator('#method form').ariaSnapshot();
    expect(tree).toContain('textbox "folderid');
    expect(tree).not.toContain('textbox "path');
    await page.click('.seg label:has(input[value=path])');
    expect(await folderid.isVisible()).toBe(false);
    expect(await path.isVisible()).toBe(true);
    const after = await page.locator('#method form').ariaSnapshot();
    expect(after).toContain('textbox "path');
    expect(after).not.toContain('textbox "folderid');
  });

  test('send what the visible input holds (folderid 0 lists the root)', async () => {
    await selectMethod(page, 'listfolder');
    await page.click('.seg label:has(input[value=folderid])');
    await page.fill('#p-folderid', '0');
    await send(page);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    expect(await responseText(page)).toContain('"name": "Documents"');
  });

  test('a hidden element stays hidden whatever its class says (the upload progress bar before an upload)', async () => {
    await selectMethod(page, 'uploadfile');
    expect(await page.locator('#upload-progress').isVisible()).toBe(false);
    // whatever display a class gives (grid, flex, inline-flex), `hidden` wins
    const shown = await page.evaluate(() =>
      ['field', 'progress', 'oneof', 'seg', 'form-actions', 'status', 'switch', 'history-list'].filter((cls) => {
        const probe = document.createElement('div');
        probe.className = cls;
        probe.hidden = true;
        document.querySelector('#method')!.append(probe);
        const display = getComputedStyle(probe).display;
        probe.remove();
        return display !== 'none';
      }),
    );
    expect(shown).toEqual([]);
  });
});

describe('small things (defect 6)', () => {
  test('/ focuses the method search while a checkbox or a toggle has the focus', async () => {
    await selectMethod(page, 'listfolder');
    await page.focus('#p-recursive');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.focus('input[name=transport][value=http]');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
    // typed into a text input, / is text
    await selectMethod(page, 'listfolder');
    await page.click('.seg label:has(input[value=path])');
    await page.focus('#p-path');
    await page.keyboard.press('/');
    expect(await page.inputValue('#p-path')).toBe('/');
  });

  test('after a mouse click on Send the focus stays on Send', async () => {
    await selectMethod(page, 'getapiserver');
    await send(page);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('send');
  });

  for (const transport of ['http', 'binary'] as const) {
    test(`the upload text names the emulator, not pCloud (${transport})`, async () => {
      await use(page, transport);
      await selectMethod(page, 'uploadfile');
      await page.fill('#p-folderid', '0');
      await page.check('#p-renameifexists');
      await page.setInputFiles('#p-file', { name: 'words.txt', mimeType: 'text/plain', buffer: Buffer.alloc(300_000, 'word ') });
      await page.evaluate(() => {
        const out = document.querySelector('#upload-progress-text')!;
        const seen: string[] = [];
        (window as unknown as { uploadTexts: string[] }).uploadTexts = seen;
        new MutationObserver(() => seen.push(out.textContent ?? '')).observe(out, { childList: true, characterData: true, subtree: true });
      });
      await send(page);
      expect(await page.textContent('#result-status .pill')).toBe('OK');
      const texts = await page.evaluate(() => (window as unknown as { uploadTexts: string[] }).uploadTexts);
      expect(texts.join('\n')).toContain("waiting for the emulator's answer");
      expect(texts.join('\n')).not.toContain('pCloud');
      await use(page, 'http');
    });

    test(`gettextfile by fileid offers the file under its own name (${transport})`, async () => {
      const fileid = await fileidOf('/Documents/readme.txt');
      await use(page, transport);
      await selectMethod(page, 'gettextfile');
      await page.click('.seg label:has(input[value=fileid])');
      await page.fill('#p-fileid', fileid);
      await send(page);
      expect(await page.textContent('#result-status .pill')).toBe('OK');
      expect(await page.getAttribute('#result-download', 'download')).toBe('readme.txt');
      expect(await page.textContent('#result-download')).toBe('Download readme.txt');
      // the request shown is the call's, not the name lookup's
      expect(await page.locator('.section:has(> summary:text-is("Request as sent")) .json').textContent()).toContain('gettextfile');
      await use(page, 'http');
    });
  }

  test("the token button's tooltip says what the button says", async () => {
    expect(await page.textContent('#settings-button')).toBe('pCloud token…');
    expect(await page.getAttribute('#settings-button', 'title')).toContain('pCloud token…');
    const titles = await page.locator('[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
    expect(titles.filter((t) => /settings/i.test(t))).toEqual([]);
  });
});

describe('authorize as a page (defect 5)', () => {
  test('builds the URL, opens the page, and the token flow signs the playground in', async () => {
    await use(page, 'http');
    await selectMethod(page, 'authorize');
    // no Send: it is a page, not a call
    expect(await page.locator('#send').count()).toBe(0);
    const built = new URL((await page.textContent('#authorize-url'))!);
    expect(built.pathname).toBe('/oauth2/authorize');
    expect(built.origin).toBe(hx.app.emulatorApi);
    expect(built.searchParams.get('client_id')).toBe('pcloudkit-demo-app');
    expect(built.searchParams.get('response_type')).toBe('token');
    expect(built.searchParams.get('redirect_uri')).toBe(hx.app.url);
    expect(await page.getAttribute('#authorize-open', 'href')).toBe(built.href);

    const popupOpened = page.waitForEvent('popup');
    await page.click('#authorize-signin');
    const popup = await popupOpened;
    await popup.waitForSelector('input[name=username]');
    await popup.fill('input[name=username]', BOB.email);
    await popup.fill('input[name=password]', BOB.password);
    await popup.click('button[name=approve]');
    await expect.poll(() => page.textContent('#current-user-email'), { timeout: 15_000 }).toBe(BOB.email);
    expect(popup.isClosed()).toBe(true);

    // calls now run as Bob, with the token from the page
    await selectMethod(page, 'userinfo');
    await send(page);
    expect(await responseText(page)).toContain(`"email": "${BOB.email}"`);
    expect(await page.locator('.section:has(> summary:text-is("Request as sent")) .json').textContent()).toContain('"bearer"');
  });

  test('the code flow brings a code back into the oauth2_token form, which swaps it for a token', async () => {
    await selectMethod(page, 'authorize');
    await page.selectOption('#auth-response-type', 'code');
    expect(new URL((await page.textContent('#authorize-url'))!).searchParams.get('response_type')).toBe('code');
    const popupOpened = page.waitForEvent('popup');
    await page.click('#authorize-signin');
    const popup = await popupOpened;
    await popup.waitForSelector('button[name=approve]');
    if (await popup.locator('input[name=username]').count()) {
      await popup.fill('input[name=username]', BOB.email);
      await popup.fill('input[name=password]', BOB.password);
    }
    await popup.click('button[name=approve]');
    await expect.poll(() => page.textContent('#method-title'), { timeout: 15_000 }).toBe('oauth2_token');
    expect(await page.inputValue('#p-code')).toMatch(/\S{8,}/);
    expect(await page.inputValue('#p-client_id')).toBe('pcloudkit-demo-app');
    await send(page);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    expect(await responseText(page)).toContain('"token_type": "bearer"');
  });
});
