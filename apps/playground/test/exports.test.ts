/**
 * Defect 2 and the export expectation of issue 19: every export of a call
 * runs as it is. The page makes real calls (HTTP and binary) against the
 * playground's emulator; each TypeScript export is copied from the page and
 * run with tsx (the "fresh emulator" variant starts one of its own, the
 * "this playground's emulator" variant talks to the test's playground), the
 * URL is fetched and the curl command run, and each must print the answer.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, openPlayground, root, selectMethod, send, use } from './support/page.js';

const run = promisify(execFile);
let hx: Harness;
let page: Page;
/** Snippets run from a folder inside the app, so their imports resolve to the workspace packages. */
let dir: string;
/** A folder made in the playground's emulator only: a fresh emulator does not have it. */
const marker = `export-marker-${process.pid}-${Date.now().toString(36)}`;
const token = () => page.evaluate(async () => ((await (await fetch('/api/settings')).json()) as any).emulator.accessToken as string);

/** What Copy of the Export section puts in the clipboard, in `format`. */
async function exported(format: string): Promise<{ shown: string; copied: string }> {
  const section = page.locator('details.export');
  if (!(await section.evaluate((d) => (d as HTMLDetailsElement).open))) await section.locator('summary').click();
  await page.selectOption('#export-format', format);
  await page.evaluate(() => {
    const w = window as unknown as { copied?: string };
    w.copied = undefined;
    navigator.clipboard.writeText = async (text: string) => {
      w.copied = text;
    };
  });
  await page.click('#export-copy');
  const copied = await page.evaluate(() => (window as unknown as { copied?: string }).copied);
  return { shown: (await page.textContent('#export-code')) ?? '', copied: copied ?? '' };
}

/** Runs a TypeScript snippet with tsx, the way its reader would; resolves with what it printed. */
async function runTs(name: string, code: string): Promise<string> {
  const file = join(dir, `${name}.ts`);
  writeFileSync(file, code);
  const { stdout } = await run(process.execPath, ['--conditions=source', '--import', 'tsx', file], { cwd: dir, timeout: 60_000 });
  return stdout;
}

beforeAll(async () => {
  dir = mkdtempSync(join(root, '.exports-'));
  writeFileSync(join(dir, 'hello.txt'), 'Hello from an exported upload.\n');
  hx = await openPlayground();
  page = hx.page;
});
afterAll(async () => {
  await hx?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('makes a folder that only the playground has', async () => {
  await selectMethod(page, 'createfolder');
  await page.click('.seg label:has(input[value=path])');
  await page.fill('#p-path', `/${marker}`);
  await send(page);
  expect(await page.textContent('#result-status .pill'), (await page.textContent('#result')) ?? '').toBe('OK');
});

describe.each(['http', 'binary'] as const)('exports of %s calls', (transport) => {
  test('listfolder: TypeScript against a fresh emulator and against this playground, URL and curl', async () => {
    await use(page, transport);
    await selectMethod(page, 'listfolder');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/');
    await send(page);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    const secret = await token();

    const fresh = await exported('ts-fresh');
    expect(fresh.copied).toBe(fresh.shown);
    expect(fresh.copied).toContain(transport === 'binary' ? 'binaryTransport' : 'fetchTransport');
    const freshOut = await runTs(`fresh-${transport}`, fresh.copied);
    expect(freshOut).toContain("name: 'Documents'");
    expect(freshOut).not.toContain(marker);

    const mine = await exported('ts-playground');
    // shown masked, copied with the emulator user's token
    expect(mine.shown).not.toContain(secret);
    expect(mine.copied).toContain(secret);
    const mineOut = await runTs(`playground-${transport}`, mine.copied);
    expect(mineOut).toContain(`name: '${marker}'`);

    const url = await exported('url');
    expect(url.shown).not.toContain(secret);
    const answer = await (await fetch(url.copied)).text();
    expect(JSON.parse(answer).result).toBe(0);
    expect(answer).toContain(marker);

    const curl = await exported('curl');
    expect(curl.copied).toMatch(/^curl /);
    const { stdout } = await run('sh', ['-c', curl.copied], { cwd: dir, timeout: 30_000 });
    expect(stdout).toContain(marker);
    await use(page, 'http');
  });

  test('uploadfile: the exported upload sends the named file', async () => {
    await use(page, transport);
    await selectMethod(page, 'uploadfile');
    await page.fill('#p-folderid', '0');
    await page.check('#p-renameifexists');
    await page.setInputFiles('#p-file', { name: 'hello.txt', mimeType: 'text/plain', buffer: Buffer.from('from the page\n') });
    await send(page);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    for (const format of ['ts-fresh', 'ts-playground']) {
      const { copied } = await exported(format);
      const out = await runTs(`upload-${format}-${transport}`, copied);
      expect(out).toContain("name: 'hello");
      expect(out).toContain('size: 31'); // the file beside the snippet, not the page's
    }
    // no URL for an upload (it cannot carry the file), but curl sends it
    expect(await page.locator('#export-format option[value=url]').count()).toBe(0);
    const curl = await exported('curl');
    const { stdout } = await run('sh', ['-c', curl.copied], { cwd: dir, timeout: 30_000 });
    expect(stdout).toContain('"size":31');
    await use(page, 'http');
  });

  test('gettextfile: the exported data call prints the text', async () => {
    await use(page, transport);
    await selectMethod(page, 'gettextfile');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/Documents/readme.txt');
    await send(page);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    for (const format of ['ts-fresh', 'ts-playground']) {
      const out = await runTs(`data-${format}-${transport}`, (await exported(format)).copied);
      expect(out).toContain('Welcome to the pcloudkit emulator');
    }
    await use(page, 'http');
  });
});

test('a pCloud export reads the token from the environment and never holds it', async () => {
  await page.click('#settings-button');
  await page.fill('#settings-token', 'pcloud-secret-token-0123456789');
  await page.click('#settings-save');
  await page.route('https://api.pcloud.com/**', (route) =>
    route.fulfill({
      status: 200,
      headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
      body: '{"result":0,"email":"someone@example.com"}',
    }),
  );
  await use(page, 'http', 'pcloud');
  await selectMethod(page, 'userinfo');
  await send(page);
  const ts = await exported('ts');
  expect(ts.copied).toContain('process.env.PCLOUD_TOKEN');
  expect(ts.copied).not.toContain('pcloud-secret-token');
  const curl = await exported('curl');
  expect(curl.copied).toBe('curl -sS "https://api.pcloud.com/userinfo?access_token=$PCLOUD_TOKEN"');
  await page.unroute('https://api.pcloud.com/**');
});
