/**
 * The controls this work added (either/or switch, Cancel, error hints,
 * history filter and re-run, Export, the authorize page) at the three sizes
 * of issue 19 (1400x900, 800x900, 390x844), in light and dark mode: each is
 * on screen, inside the window's width, and works.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, openPlayground, selectMethod, send, use } from './support/page.js';

let hx: Harness;

beforeAll(async () => {
  hx = await openPlayground();
});
afterAll(async () => {
  await hx?.close();
});

/** The element is shown and fits in the window's width once scrolled to. */
async function onScreen(page: Page, selector: string, width: number): Promise<void> {
  const el = page.locator(selector).first();
  await el.scrollIntoViewIfNeeded();
  expect(await el.isVisible(), selector).toBe(true);
  const box = (await el.boundingBox())!;
  expect(box.x, `${selector} left edge`).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${selector} right edge`).toBeLessThanOrEqual(width + 1);
}

const sizes = [
  { width: 1400, height: 900 },
  { width: 800, height: 900 },
  { width: 390, height: 844 },
];

describe.each(sizes.flatMap((size) => (['light', 'dark'] as const).map((scheme) => ({ ...size, scheme }))))(
  '$width x $height, $scheme',
  ({ width, height, scheme }) => {
    let context: BrowserContext;
    let page: Page;

    beforeAll(async () => {
      context = await hx.browser.newContext({ viewport: { width, height }, colorScheme: scheme });
      page = await context.newPage();
      await page.goto(hx.app.url);
      await page.waitForSelector('body[data-ready=true]');
    });
    afterAll(async () => {
      await context?.close();
    });

    test('either/or switch, Cancel and the focus after it, the error hint', async () => {
      await selectMethod(page, 'listfolder');
      await onScreen(page, '.seg', width);
      await page.click('.seg label:has(input[value=folderid])');
      expect(await page.locator('#p-folderid').isVisible()).toBe(true);
      expect(await page.locator('#p-path').isVisible()).toBe(false);

      // a call that blocks until something changes, cancelled from its button
      await selectMethod(page, 'diff');
      await page.fill('#p-diffid', '1000000');
      await page.locator('details.optional').evaluate((d) => ((d as HTMLDetailsElement).open = true));
      await page.check('#p-block');
      await page.click('#send');
      await onScreen(page, '#cancel', width);
      await page.click('#cancel');
      await expect.poll(() => page.textContent('#result-status .pill')).toBe('Error');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('send');

      await selectMethod(page, 'getfilelink');
      await page.click('.seg label:has(input[value=path])');
      await page.fill('#p-path', '/nothing-here.bin');
      await send(page);
      await onScreen(page, '#result-hint-action', width);
    });

    test('Export and the history (filter, re-run)', async () => {
      await use(page, 'binary');
      await selectMethod(page, 'getapiserver');
      await send(page);
      await page.locator('details.export > summary').click();
      await onScreen(page, '#export-format', width);
      await onScreen(page, '#export-code', width);
      await use(page, 'http');
      await onScreen(page, '#history-filter', width);
      await page.fill('#history-filter', 'getapiserver');
      await onScreen(page, '#history-list li .h-rerun', width);
      const before = await page.locator('#history-list .h-open').count();
      await page.locator('#history-list li .h-rerun').first().click();
      await expect.poll(() => page.locator('#history-list .h-open').count()).toBe(before + 1);
      expect(await page.isChecked('input[name=transport][value=binary]')).toBe(true);
      await page.fill('#history-filter', '');
    });

    test('the authorize page', async () => {
      await selectMethod(page, 'authorize');
      await onScreen(page, '#authorize-url', width);
      await onScreen(page, '#authorize-signin', width);
    });
  },
);
