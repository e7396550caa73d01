/**
 * Automated accessibility check with axe-core, run inside the page, on the
 * main screens (the method form, a result, the file browser with a menu open,
 * the history; the method drawer on phones) at 1400x900, 800x900 and
 * 390x844, in light and dark mode: no serious or critical violation.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SCHEMES, SIZES, selectMethod, send, shots, startUi, type UiEnv } from './ui-env.js';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let env: UiEnv;

beforeAll(async () => {
  env = await startUi('a11y');
});
afterEach(async () => {
  await env?.closePages();
});
afterAll(async () => {
  await env?.close();
});

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; summary: string }[];
}

/** Runs axe on the whole page and returns its serious and critical violations. */
async function audit(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: any[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    // axe ran its rules on this page (a broken injection would pass nothing and report nothing).
    if ((result as unknown as { passes: unknown[] }).passes.length < 10) throw new Error('axe checked next to nothing');
    return result.violations.map((v) => ({
      id: v.id as string,
      impact: v.impact as string | null,
      help: v.help as string,
      nodes: (v.nodes as { target: string[]; failureSummary: string }[]).map((n) => ({ target: n.target, summary: n.failureSummary })),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describe.each(SIZES)('$name ($width x $height)', (size) => {
  describe.each(SCHEMES)('%s mode', (scheme) => {
    test('no serious or critical axe violation on the form, result, file browser and history', async () => {
      const { page, errors } = await env.open(size, scheme);
      const report: Record<string, Finding[]> = {};
      await selectMethod(page, 'listfolder');
      await page.fill('#p-path', '/Pictures');
      report.form = await audit(page);

      await send(page);
      await page.waitForSelector('#file-browser .fb-item');
      // Thumbnails in: the page as a user sees it once the folder is loaded.
      await expect.poll(() => page.locator('#file-browser img.fb-thumb').count(), { timeout: 20_000 }).toBeGreaterThan(0);
      report.result = await audit(page);

      await page.locator('#file-browser .fb-menu > summary').first().click();
      await page.locator('#file-browser').scrollIntoViewIfNeeded();
      report.browser = await audit(page);
      await page.screenshot({ path: join(shots, `${size.name}-${scheme}-a11y-browser.png`) });
      await page.locator('#file-browser .fb-menu > summary').first().click();

      await page.click('#result input[data-view=wire]');
      report.wire = await audit(page);

      await page.locator('.history').scrollIntoViewIfNeeded();
      report.history = await audit(page);

      if (size.name === 'phone') {
        await page.click('#drawer-toggle');
        report.drawer = await audit(page);
        await page.keyboard.press('Escape');
      }
      // Compact: per screen, each failing rule with the elements it found.
      const failing = Object.fromEntries(
        Object.entries(report)
          .filter(([, v]) => v.length)
          .map(([screen, v]) => [screen, v.map((f) => `${f.id} (${f.impact}): ${f.nodes.map((n) => n.target.join(' ')).join(', ')}`)]),
      );
      expect(failing).toEqual({});
      expect(errors).toEqual([]);
    });
  });
});
