/**
 * The page at three screen sizes (1400x900, 800x900, 390x844) in light and
 * dark mode: what each part of the page gets on screen, the drawer that holds
 * the method list on phones, the result beside the form on wide screens and
 * under it elsewhere, the history at full height on tablets, and the
 * contrast of the Send button and the status badges. Screenshots of every
 * size and scheme go to test-results/screenshots/.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SCHEMES, SIZES, box, selectMethod, send, shots, startUi, type UiEnv } from './ui-env.js';

let env: UiEnv;

beforeAll(async () => {
  env = await startUi('layout');
});
afterEach(async () => {
  await env?.closePages();
});
afterAll(async () => {
  await env?.close();
});

/** WCAG contrast ratio of an element's text against its own background (both computed by the browser). */
function contrastOf(page: Page, selector: string): Promise<number> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const rgb = (css: string) => {
        // Chromium computes colours as rgb()/rgba() or color(srgb r g b) with 0..1 channels.
        const srgb = /color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)/.exec(css);
        if (srgb) return [srgb[1], srgb[2], srgb[3]].map((v) => Number(v) * 255);
        return (css.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
      };
      const lum = (c: number[]) => {
        const [r, g, b] = c.map((v) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      const style = getComputedStyle(el);
      const a = lum(rgb(style.color));
      const b = lum(rgb(style.backgroundColor));
      return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    });
}

/** Widths and heights the page gives its parts, in CSS pixels. */
async function metrics(page: Page) {
  return page.evaluate(() => {
    const rect = (sel: string) => {
      const el = document.querySelector(sel);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      const shown = style.visibility !== 'hidden' && style.display !== 'none' && r.width > 0 && r.right > 0 && r.left < innerWidth;
      return { x: r.x, y: r.y, width: r.width, height: r.height, shown };
    };
    const title = document.querySelector<HTMLElement>('#method-title')!;
    return {
      header: rect('.topbar')!,
      sidebar: rect('.sidebar')!,
      method: rect('#method')!,
      result: rect('#result'),
      history: rect('.history')!,
      pageWidth: document.documentElement.scrollWidth,
      titleCut: title.scrollWidth > title.clientWidth + 1,
    };
  });
}

describe.each(SIZES)('$name ($width x $height)', (size) => {
  describe.each(SCHEMES)('%s mode', (scheme) => {
    test('lays out the form, the result and the history for the screen', async () => {
      const { page, errors } = await env.open(size, scheme);
      await selectMethod(page, 'listfolder');
      await page.fill('#p-path', '/');
      await page.screenshot({ path: join(shots, `${size.name}-${scheme}-form.png`) });
      const form = await metrics(page);
      // Nothing wider than the screen, and the method name is never cut.
      expect(form.pageWidth).toBeLessThanOrEqual(size.width);
      expect(form.titleCut).toBe(false);
      if (size.name === 'phone') {
        // A compact header, the method list folded into a drawer, the form across the screen.
        expect(form.header.height).toBeLessThanOrEqual(130);
        expect(form.sidebar.shown).toBe(false);
        expect(form.method.width).toBeGreaterThanOrEqual(size.width - 40);
      } else {
        expect(form.header.height).toBeLessThanOrEqual(size.name === 'wide' ? 70 : 100);
        expect(form.sidebar.shown).toBe(true);
        expect(form.method.width).toBeGreaterThanOrEqual(size.name === 'wide' ? 340 : 500);
      }

      await send(page);
      for (const folder of ['Documents', 'Music']) {
        await page.fill('#p-path', `/${folder}`);
        await send(page);
      }
      const after = await metrics(page);
      const method = after.method;
      const result = after.result!;
      if (size.name === 'wide') {
        // The result sits beside the form, top-aligned, both on screen at once.
        expect(result.x).toBeGreaterThanOrEqual(method.x + method.width);
        expect(Math.abs(result.y - method.y)).toBeLessThan(4);
        expect(result.width).toBeGreaterThan(400);
        expect(result.y + 200).toBeLessThan(size.height);
      } else {
        // Form and result stack, each at the full width of the main column.
        expect(result.y).toBeGreaterThanOrEqual(method.y + method.height);
        expect(Math.abs(result.width - method.width)).toBeLessThan(2);
      }
      expect(after.pageWidth).toBeLessThanOrEqual(size.width);
      // The history is never a strip: all three calls are readable without scrolling inside it.
      const history = await page.locator('#history-list').evaluate((el) => ({
        clipped: el.scrollHeight > el.clientHeight + 1,
        height: el.getBoundingClientRect().height,
      }));
      if (size.name !== 'wide') expect(history.clipped).toBe(false);
      expect(history.height).toBeGreaterThanOrEqual(150);
      await page.screenshot({ path: join(shots, `${size.name}-${scheme}-result.png`) });
      await page.locator('.history').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `${size.name}-${scheme}-history.png`) });

      // AA contrast of the Send button and the OK badge (defect 7: 2.77:1 and 4.41:1 before).
      expect(await contrastOf(page, '#send')).toBeGreaterThanOrEqual(4.5);
      expect(await contrastOf(page, '#result-status .pill')).toBeGreaterThanOrEqual(4.5);
      expect(errors).toEqual([]);
    });
  });
});

describe('phone (390 x 844)', () => {
  test('opens the method list as a drawer and closes it when a method is picked', async () => {
    const size = SIZES.find((s) => s.name === 'phone')!;
    const { page } = await env.open(size, 'light');
    const toggle = page.locator('#drawer-toggle');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    const drawer = (await box(page, '.sidebar'))!;
    expect(drawer.x).toBeGreaterThanOrEqual(0);
    expect(drawer.x + drawer.width).toBeLessThanOrEqual(size.width);
    expect(drawer.height).toBeGreaterThanOrEqual(size.height - 1);
    // The search box has the focus: typing filters at once.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.type('getfilelink');
    await page.screenshot({ path: join(shots, 'phone-light-drawer.png') });
    await page.click('.method-item[data-method="getfilelink"]');
    await expect.poll(() => page.textContent('#method-title')).toBe('getfilelink');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(async () => await page.locator('.sidebar').evaluate((el) => getComputedStyle(el).visibility)).toBe('hidden');
    // Escape closes it too, and `/` opens it on the search box.
    await page.locator('#method-panel').focus();
    await page.keyboard.press('/');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('true');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('search');
    await page.keyboard.press('Escape');
    await expect.poll(() => toggle.getAttribute('aria-expanded')).toBe('false');
  });
});
