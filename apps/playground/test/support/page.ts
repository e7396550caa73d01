/**
 * Shared set-up of the playground's browser tests: the UI built into a
 * folder of the test file's own (test files run in parallel and must not
 * clobber each other's build), the playground server started in this
 * process with its embedded emulator, and a Chromium page on it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { launchChromium } from '@pcloudkit/testkit';
import { startPlayground, type Playground, type PlaygroundOptions } from '../../src/server/app.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const shots = join(root, 'test-results');

export interface Harness {
  app: Playground;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Page errors (uncaught exceptions) seen so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Builds the UI into a fresh folder, starts the playground on a free port and opens it in Chromium. */
export async function openPlayground(options: PlaygroundOptions = {}, viewport = { width: 1400, height: 900 }): Promise<Harness> {
  mkdirSync(shots, { recursive: true });
  const dist = mkdtempSync(join(tmpdir(), 'playground-ui-'));
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--ui'], { env: { ...process.env, PLAYGROUND_DIST: dist } });
  const app = await startPlayground({ port: 0, publicDir: join(dist, 'public'), ...options });
  const browser = await launchChromium();
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.url);
  await page.waitForSelector('body[data-ready=true]');
  return {
    app,
    browser,
    context,
    page,
    errors,
    async close() {
      await browser.close();
      await app.close();
      rmSync(dist, { recursive: true, force: true });
    },
  };
}

export async function selectMethod(page: Page, name: string): Promise<void> {
  // on a phone the method list is a drawer behind a button
  const drawer = page.locator('#drawer-toggle');
  if ((await drawer.count()) && (await drawer.isVisible()) && (await drawer.getAttribute('aria-expanded')) !== 'true') await drawer.click();
  await page.fill('#search', name);
  await page.click(`.method-item[data-method="${name}"]`);
  await expect.poll(() => page.textContent('#method-title')).toBe(name);
}

export function historyCount(page: Page): Promise<number> {
  return page.locator('#history-list .h-open').count();
}

/** Clicks Send and waits for the new history entry. */
export async function send(page: Page): Promise<void> {
  const before = await historyCount(page);
  await page.click('#send');
  await expect.poll(() => historyCount(page), { timeout: 30_000 }).toBe(before + 1);
}

/** Picks the transport and target switches. */
export async function use(page: Page, transport: 'http' | 'binary', target: 'emulator' | 'pcloud' = 'emulator'): Promise<void> {
  await page.check(`input[name=transport][value=${transport}]`);
  await page.check(`input[name=target][value=${target}]`);
}

/** Text of the Response section (collapsed parts too), whitespace collapsed. */
export async function responseText(page: Page): Promise<string> {
  return ((await page.locator('.section:has(> summary:text-is("Response"))').first().textContent()) ?? '').replace(/\s+/g, ' ');
}
