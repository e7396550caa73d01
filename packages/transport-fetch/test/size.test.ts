// The size budget of issue 14, counted in the test run: an app that makes a
// client on this transport with token auth and calls listfolder, bundled
// by esbuild (scripts/size.mjs, also behind `pnpm size`), must stay within
// 9 KB minified and gzipped on its first load, both from the sources and
// from the packages built as they are published.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, describe, expect, it } from 'vitest';

interface Measured {
  min: number;
  gzip: number;
  text: string;
  metafile: { inputs: Record<string, unknown> };
}
interface SizeScript {
  BUDGET: number;
  APP_PACKAGES: string[];
  measureApp(): Promise<{ first: Measured; all: Measured }>;
  measureBuiltApp(dirs: Record<string, string>): Promise<Measured>;
  measureMethods(): Promise<{ rows: { name: string; one: string; pulled: string[] }[] }>;
}

const packagesDir = join(import.meta.dirname, '../..');
const script = join(packagesDir, '../scripts/size.mjs');
const { BUDGET, APP_PACKAGES, measureApp, measureBuiltApp, measureMethods } = (await import(script)) as SizeScript;

const out = mkdtempSync(join(tmpdir(), 'pcloudkit-size-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * Builds a package's ESM files with its own tsup config (declarations left
 * out) into a folder of `out`, and returns that folder (it holds `dist/`).
 */
async function buildPackage(dir: string): Promise<string> {
  const pkg = join(packagesDir, dir);
  const config = ((await import(join(pkg, 'tsup.config.ts'))) as { default: Options }).default;
  const entry = config.entry as string[];
  await build({
    ...config,
    config: false,
    entry: entry.map((e) => join(pkg, e)),
    tsconfig: join(pkg, 'tsconfig.json'),
    outDir: join(out, dir, 'dist'),
    format: ['esm'],
    dts: false,
    sourcemap: false,
    silent: true,
    // the other packages are imports, as for a package installed from npm
    external: [...(config.external ?? []), /^@pcloudkit\//],
  });
  return join(out, dir);
}

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

  it('the same app built from the packages as they are published stays within 9 KB gzipped', async () => {
    const dirs = Object.fromEntries(await Promise.all(APP_PACKAGES.map(async (p) => [`@pcloudkit/${p}`, await buildPackage(p)])));
    const built = await measureBuiltApp(dirs);
    // it really is the code just built: every bundled file comes from those builds
    expect(Object.keys(built.metafile.inputs).filter((f) => !f.includes('/dist/') && f !== 'size-entry.js')).toEqual([]);
    expect(built.gzip, `the built app is ${built.gzip} bytes gzipped (budget ${BUDGET})`).toBeLessThanOrEqual(BUDGET);
    // the parts loaded on first use are files of their own there too, with stable names
    for (const chunk of ['upload', 'data', 'errors', 'password']) expect(built.text).toContain(`import("./${chunk}.js")`);
  }, 60_000);

  it('a method imported alone leaves the other methods of its package out', async () => {
    const { rows } = await measureMethods();
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => r.pulled.length > 0).map((r) => `${r.name}: ${r.one} pulls in ${r.pulled.join(', ')}`)).toEqual([]);
  }, 60_000);
});
