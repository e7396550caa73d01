// The size budget of issue 14, counted in the test run: an app that makes a
// client on this transport with token auth and calls listfolder, bundled
// from the sources by esbuild (scripts/size.mjs, also behind `pnpm size`),
// must stay within 9 KB minified and gzipped on its first load.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Measured {
  min: number;
  gzip: number;
  text: string;
}
interface SizeScript {
  BUDGET: number;
  measureApp(): Promise<{ first: Measured; all: Measured }>;
}

const script = join(import.meta.dirname, '../../../scripts/size.mjs');
const { BUDGET, measureApp } = (await import(script)) as SizeScript;

describe('size budget', () => {
  it('the listfolder app with token auth stays within 9 KB gzipped', async () => {
    const { first, all } = await measureApp();
    expect(BUDGET).toBe(9216);
    expect(first.gzip, `the app is ${first.gzip} bytes gzipped (budget ${BUDGET}); run pnpm size --analyze`).toBeLessThanOrEqual(BUDGET);
    // What is left out of the first load is loaded on first use, not dropped: the full app is bigger.
    expect(all.gzip).toBeGreaterThan(first.gzip);
  });

  it('keeps uploads, data answers, failure details and password login out of the first load', async () => {
    const { first, all } = await measureApp();
    for (const chunk of ['./upload.js', './data.js', './errors.js', './password.js']) expect(first.text).toContain(`import("${chunk}")`);
    // code that lives only in those parts: XMLHttpRequest, Node's connect error codes, the digest login
    for (const marker of ['XMLHttpRequest', 'ECONNREFUSED', 'getdigest', 'without a JSON error', 'not valid JSON']) {
      expect(first.text).not.toContain(marker);
    }
    for (const marker of ['XMLHttpRequest', 'ECONNREFUSED', 'getdigest', 'without a JSON error', 'not valid JSON']) {
      expect(all.text).toContain(marker);
    }
  });
});
