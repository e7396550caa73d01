/**
 * The result views at every screen size and colour scheme: the JSON tree
 * (an empty array stays `[]`, expand/collapse all), the SDK's decoded answer
 * against the answer off the wire (datetimes as `Date` and as pCloud's Unix
 * times, 64-bit numbers exact in both), ids that open the next method, and
 * the file browser over listfolder answers (folders, icons, sizes, dates,
 * thumbnails, upload by dropping files, the actions menu).
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { DATETIME_FIELDS } from '@pcloudkit/core';
import { SCHEMES, SIZES, selectMethod, send, shots, startUi, waitForMethod, type UiEnv } from './ui-env.js';

let env: UiEnv;
let api: { url: string; token: string };

beforeAll(async () => {
  env = await startUi('views');
  const settings = (await (await fetch(new URL('/api/settings', env.app.url))).json()) as {
    emulator: { api: string; accessToken: string };
  };
  api = { url: settings.emulator.api, token: settings.emulator.accessToken };
});
afterEach(async () => {
  await env?.closePages();
});
afterAll(async () => {
  await env?.close();
});

/** Calls the emulator directly (not through the page), to check what the page shows against it. */
async function call(method: string, params: Record<string, string> = {}): Promise<Record<string, any>> {
  const q = new URLSearchParams({ timeformat: 'timestamp', ...params, access_token: api.token });
  return (await (await fetch(`${api.url}/${method}?${q}`)).json()) as Record<string, any>;
}

function responseText(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the text as laid out, one row per line
  return page.locator('.section:has(> summary:text-is("Response")) .json').innerText();
}

/** Opens listfolder for a path and sends it. */
async function list(page: Page, path: string): Promise<void> {
  await selectMethod(page, 'listfolder');
  await page.fill('#p-path', path);
  await send(page);
  await page.waitForSelector('#file-browser');
}

/** Waits until the browser shows the folder with that id (after a click that runs listfolder). */
async function inFolder(page: Page, folderid: number): Promise<void> {
  await expect.poll(() => page.getAttribute('#file-browser', 'data-folderid'), { timeout: 30_000 }).toBe(String(folderid));
}

test('over the binary transport: the wire answer, the file browser and its thumbnails', async () => {
  const { page, errors } = await env.open(SIZES[0]!, 'light');
  await page.check('input[name=transport][value=binary]');
  const wire = await call('stat', { path: '/Documents/readme.txt' });
  await selectMethod(page, 'stat');
  await page.fill('#p-path', '/Documents/readme.txt');
  await send(page);
  expect(await page.textContent('#result-status')).toContain('binary');
  await page.check('#result input[data-view=wire]');
  const raw = await responseText(page);
  expect(raw).toContain(`"created": ${wire.metadata.created}`);
  const exact = /"hash":\s*(\d+)/.exec(
    await (await fetch(`${api.url}/stat?path=/Documents/readme.txt&access_token=${api.token}`)).text(),
  )![1]!;
  expect(raw).toContain(`"hash": ${exact}`);

  // The file browser's listfolder and thumbnail calls go over the binary bridge as well.
  const bridged: string[] = [];
  page.on('request', (r) => {
    if (r.url().endsWith('/api/call')) bridged.push(JSON.parse(r.postData() ?? '{}').method);
  });
  await list(page, '/Pictures');
  await expect
    .poll(
      () =>
        page
          .locator('#file-browser img.fb-thumb')
          .evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length),
      {
        timeout: 20_000,
      },
    )
    .toBe(2);
  expect(bridged).toEqual(['listfolder', 'getthumblink', 'getthumblink']);
  expect(errors).toEqual([]);
});

describe.each(SIZES)('$name ($width x $height)', (size) => {
  describe.each(SCHEMES)('%s mode', (scheme) => {
    const tag = `${size.name}-${scheme}`;

    test('an empty array is [] with nothing to expand; expand and collapse all', async () => {
      const { page, errors } = await env.open(size, scheme);
      await list(page, '/Videos');
      const text = await responseText(page);
      expect(text).toMatch(/"contents": \[\],?\n/);
      // No toggle: the empty array is a plain row, so no lone "]" can show.
      const row = page.locator('.json .j-row', { hasText: '"contents": []' }).last();
      expect(await row.locator('details, summary').count()).toBe(0);
      expect(text.split('\n').filter((l) => l.trim() === ']' || l.trim() === '],')).toEqual([]);

      await list(page, '/');
      const nodes = page.locator('#result .response-view details.j-node');
      const total = await nodes.count();
      expect(total).toBeGreaterThan(4);
      await page.click('#result [data-json=collapse]');
      expect(await page.locator('#result .response-view details.j-node[open]').count()).toBe(0);
      // biome-ignore lint/performance/useDomNodeTextContent: what is on screen
      expect(await page.locator('#result .response-view .json').innerText()).not.toContain('"name"');
      await page.click('#result [data-json=expand]');
      expect(await page.locator('#result .response-view details.j-node[open]').count()).toBe(total);
      // biome-ignore lint/performance/useDomNodeTextContent: what is on screen
      expect(await page.locator('#result .response-view .json').innerText()).toContain('"name": "Music"');
      expect(errors).toEqual([]);
    });

    test('shows the SDK decoded answer and the wire answer: dates as Date and as Unix time, 64-bit numbers exact', async () => {
      const { page, errors } = await env.open(size, scheme);
      const wire = await call('stat', { path: '/Documents/readme.txt' });
      const meta = wire.metadata as Record<string, unknown>;
      await selectMethod(page, 'stat');
      await page.fill('#p-path', '/Documents/readme.txt');
      await send(page);
      // The SDK's view: datetimes are Date values (written as ISO), marked as such.
      const created = new Date(Number(meta.created) * 1000).toISOString();
      const decoded = await responseText(page);
      expect(decoded).toContain(`"created": "${created}"`);
      expect(await page.locator('#result .j-date').count()).toBeGreaterThanOrEqual(2);
      // The hash is over 2^53 in general: the page shows the exact digits the emulator sent.
      const rawHash = /"hash":\s*(\d+)/.exec(
        await (await fetch(`${api.url}/stat?path=/Documents/readme.txt&access_token=${api.token}`)).text(),
      )![1]!;
      expect(decoded).toContain(`"hash": ${rawHash}`);
      await page.screenshot({ path: join(shots, `${tag}-decoded.png`) });

      await page.check('#result input[data-view=wire]');
      await expect.poll(() => page.getAttribute('#result .response-view', 'data-view')).toBe('wire');
      const raw = await responseText(page);
      expect(raw).toContain(`"created": ${meta.created}`);
      expect(raw).toContain(`"modified": ${meta.modified}`);
      expect(raw).toContain(`"hash": ${rawHash}`);
      expect(await page.locator('#result .j-date').count()).toBe(0);
      for (const field of ['created', 'modified']) expect(DATETIME_FIELDS.has(field)).toBe(true);
      await page.screenshot({ path: join(shots, `${tag}-wire.png`) });
      await page.check('#result input[data-view=decoded]');
      expect(await responseText(page)).toContain(`"created": "${created}"`);
      expect(errors).toEqual([]);
    });

    test('ids in a result open the next method with the id filled in', async () => {
      const { page, errors } = await env.open(size, scheme);
      const music = (await call('listfolder', { path: '/Music' })).metadata;
      const tone = music.contents.find((c: { name: string }) => c.name === 'tone.wav');
      await list(page, '/Music');
      // A folderid: listfolder of that folder.
      await page.locator(`#result .response-view .j-id[data-id-key=parentfolderid][data-id="${music.parentfolderid}"]`).first().click();
      await waitForMethod(page, 'listfolder');
      await expect.poll(() => page.inputValue('#p-folderid')).toBe(String(music.parentfolderid));
      await send(page);
      await page.waitForSelector('#file-browser');
      expect(await page.locator('#file-browser .fb-name').allTextContents()).toContain('Documents');

      // A fileid: stat of that file.
      await list(page, '/Music');
      await page.click('#result [data-json=expand]');
      await page.click(`#result .response-view .j-id[data-id-key=fileid][data-id="${tone.fileid}"]`);
      await waitForMethod(page, 'stat');
      await expect.poll(() => page.inputValue('#p-fileid')).toBe(String(tone.fileid));
      await send(page);
      expect(await responseText(page)).toContain('"name": "tone.wav"');
      expect(errors).toEqual([]);
    });

    test('browses folders, shows files with icons, sizes, dates and thumbnails', async () => {
      const { page, errors } = await env.open(size, scheme);
      const root = (await call('listfolder', { folderid: '0' })).metadata;
      const pictures = root.contents.find((c: { name: string }) => c.name === 'Pictures');
      await list(page, '/');
      const names = await page.locator('#file-browser .fb-item .fb-name').allTextContents();
      expect(names).toEqual(expect.arrayContaining(['Documents', 'Music', 'Pictures', 'Videos']));
      // Folders are buttons: opening one runs listfolder on it.
      await page.click(`#file-browser button.fb-name[data-folderid="${pictures.folderid}"]`);
      await inFolder(page, pictures.folderid);
      const listed = (await call('listfolder', { folderid: String(pictures.folderid) })).metadata.contents as {
        name: string;
        fileid: number;
        size: number;
        category: number;
        modified: number;
      }[];
      for (const file of listed) {
        const item = page.locator(`#file-browser .fb-item[data-fileid="${file.fileid}"]`);
        expect(await item.locator('.fb-name').textContent()).toBe(file.name);
        const bytes = Number.parseFloat((await item.locator('.fb-size').textContent())!);
        expect(bytes).toBeGreaterThan(0);
        // Images get a thumbnail fetched through getthumblink (a real image, 64 px at most).
        await expect
          .poll(() => item.locator('img.fb-thumb').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), {
            timeout: 20_000,
          })
          .toBeGreaterThan(0);
        const natural = await item
          .locator('img.fb-thumb')
          .evaluate((img: HTMLImageElement) => Math.max(img.naturalWidth, img.naturalHeight));
        expect(natural).toBeLessThanOrEqual(64);
      }
      // Each file shows its date (beside the size, or under the name where the browser is narrow).
      for (const file of listed) {
        const time = page.locator(`#file-browser .fb-item[data-fileid="${file.fileid}"] .fb-date time`);
        expect(await time.isVisible()).toBe(true);
        expect(new Date((await time.getAttribute('datetime'))!).getTime()).toBe(file.modified * 1000);
      }
      await page.locator('#file-browser').screenshot({ path: join(shots, `${tag}-file-browser.png`) });

      // Up goes back to the parent; the documents have icons by category (text, archive).
      await page.click('#file-browser .fb-up');
      await inFolder(page, 0);
      const documents = root.contents.find((c: { name: string }) => c.name === 'Documents');
      await page.click(`#file-browser button.fb-name[data-folderid="${documents.folderid}"]`);
      await inFolder(page, documents.folderid);
      const zip = page.locator('#file-browser .fb-item', { hasText: 'samples.zip' });
      expect(await zip.locator('.fb-icon').getAttribute('class')).toContain('archive');
      const readme = page.locator('#file-browser .fb-item', { hasText: 'readme.txt' });
      expect(await readme.locator('.fb-icon').getAttribute('class')).toContain('document');
      expect(errors).toEqual([]);
    });

    test('uploads files dropped on the browser and runs the actions of a file', async () => {
      const { page, errors } = await env.open(size, scheme);
      const music = (await call('listfolder', { path: '/Music' })).metadata;
      await list(page, '/Music');
      const name = `dropped-${tag}.txt`;
      const text = `dropped on the ${tag} browser\n`;
      // A real drop: a DataTransfer with a File, dispatched as the browser does for a drag from the desktop.
      const drop = await page.evaluateHandle(
        ([n, t]) => {
          const dt = new DataTransfer();
          dt.items.add(new File([t!], n!, { type: 'text/plain' }));
          return dt;
        },
        [name, text],
      );
      await page.dispatchEvent('#file-browser', 'dragover', { dataTransfer: drop });
      expect(await page.getAttribute('#file-browser', 'class')).toContain('dragging');
      await page.dispatchEvent('#file-browser', 'drop', { dataTransfer: drop });
      const item = page.locator('#file-browser .fb-item', { hasText: name });
      await expect.poll(() => item.count(), { timeout: 30_000 }).toBe(1);
      await inFolder(page, music.folderid);
      const uploaded = (await call('listfolder', { path: '/Music' })).metadata.contents.find((c: { name: string }) => c.name === name);
      expect(uploaded.size).toBe(Buffer.byteLength(text));
      expect(await page.locator('#history-list').textContent()).toContain('uploadfile');

      // The menu closes with Escape, the focus back on its button, and on a click elsewhere.
      await item.locator('.fb-menu > summary').click();
      await page.keyboard.press('Escape');
      expect(await item.locator('.fb-menu').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      expect(await item.locator('.fb-menu > summary').evaluate((el) => el === document.activeElement)).toBe(true);
      await item.locator('.fb-menu > summary').click();
      await page.click('#file-browser .fb-path');
      expect(await item.locator('.fb-menu').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      // Checksum from the menu: checksumfile's answer for that file.
      await item.locator('.fb-menu > summary').click();
      await page
        .locator('#file-browser .fb-menu[open]')
        .screenshot({ path: join(shots, `${tag}-file-menu.png`) })
        .catch(() => {});
      await item.locator('button[data-action=checksumfile]').click();
      await waitForMethod(page, 'checksumfile');
      const sums = await call('checksumfile', { fileid: String(uploaded.fileid) });
      await expect.poll(() => responseText(page), { timeout: 30_000 }).toContain(`"sha1": "${sums.sha1}"`);

      // The audio link of the tone plays in the result's player.
      await list(page, '/Music');
      const tone = page.locator('#file-browser .fb-item', { hasText: 'tone.wav' });
      expect(await tone.locator('.fb-icon').getAttribute('class')).toContain('audio');
      await tone.locator('.fb-menu > summary').click();
      await tone.locator('button[data-action=getaudiolink]').click();
      await waitForMethod(page, 'getaudiolink');
      await page.waitForSelector('#result-audio');

      // Download link, then delete (after confirming): the file is gone from the folder and from the emulator.
      await list(page, '/Music');
      const again = page.locator('#file-browser .fb-item', { hasText: name });
      await again.locator('.fb-menu > summary').click();
      await again.locator('button[data-action=getfilelink]').click();
      await waitForMethod(page, 'getfilelink');
      await page.waitForSelector('#result .links a');
      await list(page, '/Music');
      page.once('dialog', (d) => void d.accept());
      const gone = page.locator('#file-browser .fb-item', { hasText: name });
      await gone.locator('.fb-menu > summary').click();
      await gone.locator('button[data-action=deletefile]').click();
      await expect.poll(() => gone.count(), { timeout: 30_000 }).toBe(0);
      await inFolder(page, music.folderid);
      const after = (await call('listfolder', { path: '/Music' })).metadata.contents.map((c: { name: string }) => c.name);
      expect(after).not.toContain(name);
      expect(after).toContain('tone.wav');
      expect(errors).toEqual([]);
    });
  });
});
