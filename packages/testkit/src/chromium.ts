/**
 * Debian's headless Chromium, driven by playwright-core, for the suites that
 * run real pages (browser-tests, the playground, the emulator's CORS test).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Where the browser lives: Debian's package by default, `CHROMIUM_PATH` elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts headless Chromium with the quiet flags every suite uses, plus `extraArgs`.
 * A missing browser is an error, never a skip: scripts/ensure-system-deps.sh
 * installs it in CI, CHROMIUM_PATH points elsewhere.
 */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM} (scripts/ensure-system-deps.sh installs it; CHROMIUM_PATH overrides)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}
