/**
 * The built site in a real browser (Debian's Chromium through playwright-core):
 * open the home page, search for `getaudiolink` with the site's own search
 * (no server behind it: the index ships with the site), open the result and
 * find the method's params and its examples on both transports.
 */
import { type LocalServer, launchChromium } from '@pcloudkit/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveStatic } from './serve.js';
import { missingSite, siteBuilt, siteDir, skipSiteTests } from './site.js';

describe.skipIf(skipSiteTests)('the site in Chromium', () => {
  let browser: Browser;
  let server: LocalServer;

  beforeAll(async () => {
    if (!siteBuilt) throw new Error(missingSite);
    browser = await launchChromium();
    server = await serveStatic(siteDir);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('finds getaudiolink by search and shows its params and examples', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
    });
    await page.goto(`${server.origin}/`);
    await page.click('.DocSearch-Button');
    const input = page.locator('#localsearch-input');
    await input.fill('getaudiolink');
    const results = page.locator('.results .result');
    await results.first().waitFor();
    await expect
      .poll(async () => (await results.evaluateAll((links) => links.map((a) => a.getAttribute('href')))).join(' '))
      .toContain('#getaudiolink');
    // The method's own section is among the first hits.
    const hrefs = await results.evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    const index = hrefs.findIndex((h) => /methods\/streaming\.html#getaudiolink$/.test(h));
    expect(index, hrefs.join('\n')).toBeGreaterThanOrEqual(0);
    expect(index).toBeLessThan(3);
    const hit = results.nth(index);
    await hit.click();
    await page.waitForURL(/\/methods\/streaming\.html#getaudiolink/);

    const heading = page.locator('h2#getaudiolink');
    await expect.poll(() => heading.isVisible()).toBe(true);
    // The params table follows the "Params" heading of the method.
    const params = page.locator('h3#getaudiolink-params + table');
    const paramNames = await params.locator('tbody tr td:first-child').allTextContents();
    expect(paramNames).toEqual(expect.arrayContaining(['fileid', 'path', 'abitrate']));
    expect(await params.textContent()).toContain('exactly one of');
    // The example: a code group with an HTTP and a binary tab.
    const example = page.locator('h3#getaudiolink-example + .vp-code-group');
    expect(await example.locator('.tabs label').allTextContents()).toEqual(['HTTP', 'binary']);
    const code = await example.locator('div.blocks > div.active pre').textContent();
    expect(code).toContain('client.getaudiolink({ fileid: 1234 })');
    expect(code).toContain('httpTransport()');
    await example.locator('.tabs label', { hasText: 'binary' }).click();
    const binary = await example.locator('div.blocks > div.active pre').textContent();
    expect(binary).toContain('binaryTransport()');
    expect(errors).toEqual([]);
    await context.close();
  });
});
