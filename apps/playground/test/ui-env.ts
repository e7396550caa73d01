/**
 * What the layout, views and accessibility tests share: the UI built into a
 * folder of the test's own (so test files building at the same time do not
 * trip over each other), the playground server with its embedded emulator in
 * this process, Chromium, and pages at a given size and colour scheme.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from '@pcloudkit/testkit';
import { startPlayground, type Playground } from '../src/server/app.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const shots = join(root, 'test-results', 'screenshots');

export interface Size {
  name: 'wide' | 'tablet' | 'phone';
  width: number;
  height: number;
}
export const SIZES: readonly Size[] = [
  { name: 'wide', width: 1400, height: 900 },
  { name: 'tablet', width: 800, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];
export const SCHEMES = ['light', 'dark'] as const;
export type Scheme = (typeof SCHEMES)[number];

export interface UiEnv {
  app: Playground;
  browser: Browser;
  /** A fresh page at that size and scheme, the methods loaded. `errors` collects its page errors. */
  open(size: Size, scheme: Scheme, hash?: string): Promise<{ page: Page; context: BrowserContext; errors: string[] }>;
  /** Closes the pages opened so far (each test's, so that a run does not pile up 30 of them). */
  closePages(): Promise<void>;
  close(): Promise<void>;
}

export async function startUi(name: string): Promise<UiEnv> {
  mkdirSync(shots, { recursive: true });
  const dist = join(root, 'test-results', `dist-${name}`);
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--ui'], {
    env: { ...process.env, PLAYGROUND_DIST: dist },
    stdio: 'inherit',
  });
  const app = await startPlayground({ port: 0, publicDir: join(dist, 'public') });
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    app,
    browser,
    async open(size, scheme, hash = '') {
      // Reduced motion: the drawer opens and closes without a transition to wait for.
      const context = await browser.newContext({
        viewport: { width: size.width, height: size.height },
        colorScheme: scheme,
        reducedMotion: 'reduce',
      });
      contexts.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${app.url}${hash}`);
      await page.waitForSelector('body[data-ready=true]');
      return { page, context, errors };
    },
    async closePages() {
      for (const c of contexts.splice(0)) await c.close().catch(() => {});
    },
    async close() {
      for (const c of contexts.splice(0)) await c.close().catch(() => {});
      await browser?.close();
      await app?.close();
    },
  };
}

/** Picks a method the way a user would on that screen (through the drawer on phones). */
export async function selectMethod(page: Page, name: string): Promise<void> {
  if (await page.locator('#drawer-toggle').isVisible()) await page.click('#drawer-toggle');
  await page.fill('#search', name);
  await page.click(`.method-item[data-method="${name}"]`);
  await expect.poll(() => page.textContent('#method-title')).toBe(name);
}

/** Sends the form shown and waits for its result. */
export async function send(page: Page): Promise<void> {
  const before = await page.locator('#history-list .h-open').count();
  await page.click('#send');
  await expect.poll(() => page.locator('#history-list .h-open').count(), { timeout: 30_000 }).toBe(before + 1);
  await page.waitForSelector('#result-status');
}

/** A method opened, filled in and sent from the URL-less helpers (the file browser's own calls wait like this). */
export async function waitForMethod(page: Page, name: string): Promise<void> {
  await expect.poll(() => page.textContent('#method-title'), { timeout: 30_000 }).toBe(name);
}

/** Box of an element, or null when it is not rendered. */
export async function box(page: Page, selector: string) {
  return page.locator(selector).first().boundingBox();
}
