/**
 * Where the built site is, for the tests that read it. `turbo run build`
 * (CI's first step) and `pnpm run docs` write it; without it the tests fail in
 * CI (`CI` set) and skip on a developer's machine.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const siteDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/** True when the built site is there. */
export const siteBuilt = existsSync(join(siteDir, 'index.html')) && existsSync(join(siteDir, 'methods', 'streaming.html'));

/** In CI a missing site is a failure; elsewhere the site tests skip. */
export const inCI = !!process.env.CI;
export const skipSiteTests = !siteBuilt && !inCI;
export const missingSite = `the built site is missing at ${siteDir}: run \`pnpm run docs\` (or \`turbo run build\`) first`;
