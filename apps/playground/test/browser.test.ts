/**
 * Drives the playground in a real (headless) Chromium, started the way the
 * README's command starts it: the server process with its embedded emulator,
 * PORT=0, URL read from what it prints. Screenshots go to test-results/.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { makeWav } from '@pcloudkit/emulator';
import { launchChromium } from '@pcloudkit/testkit';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const shots = join(root, 'test-results');
/** A second account seeded with --user, beside the demo user. */
const BOB = { email: 'bob@pcloudkit.test', password: 'bobs-Secret-42' };

let server: ChildProcess;
let browser: Browser;
let page: Page;
let url: string;
let emulatorApi: string;
const output: string[] = [];
/** Errors the page logged to the console (a blocked cross-origin call shows up here). */
const consoleErrors: string[] = [];
/** Every request the page sent (method and URL), in order. */
const requests: { method: string; url: string }[] = [];

/** Calls handed to the playground server's bridge (binary calls go there, HTTP calls never). */
function bridged(sent: { method: string; url: string }[]) {
  return sent.filter((r) => r.url.startsWith(`${url}api/call`) || r.url.startsWith(`${url}api/upload`));
}

/** Requests to the emulator's API, not counting the page's reads of its outbox. */
function toEmulator(sent: { method: string; url: string }[]) {
  return sent.filter((r) => r.url.startsWith(emulatorApi) && !r.url.includes('/_emulator/'));
}

/** The requests the page sent while `action` ran. */
async function sentDuring(action: () => Promise<void>): Promise<{ method: string; url: string }[]> {
  const from = requests.length;
  await action();
  return requests.slice(from);
}

/** Saves the window, scrolled to the result, and the result panel on its own. */
async function shot(name: string): Promise<void> {
  const result = page.locator('#result');
  if ((await result.count()) && (await result.innerHTML()) !== '') {
    await result.scrollIntoViewIfNeeded();
    await result.screenshot({ path: join(shots, `${name}-result.png`) });
  }
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

/** Starts the server like `pnpm start` does and resolves with the URL it prints. */
function startServer(): Promise<{ url: string; emulator: string }> {
  server = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'src/server/main.ts', '--user', `${BOB.email}:${BOB.password}`],
    {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  return new Promise((resolve, reject) => {
    let emulator = '';
    const lines = createInterface({ input: server.stdout! });
    lines.on('line', (line) => {
      output.push(line);
      const e = /^Emulator: (http:\/\/\S+)/.exec(line);
      if (e) emulator = e[1]!;
      const m = /^Playground: (http:\/\/\S+)/.exec(line);
      if (m) resolve({ url: m[1]!, emulator });
    });
    server.once('exit', (code) => reject(new Error(`the playground server exited (${code}):\n${output.join('\n')}`)));
  });
}

async function selectMethod(name: string): Promise<void> {
  await page.fill('#search', name);
  await page.click(`.method-item[data-method="${name}"]`);
  await expect.poll(() => page.textContent('#method-title')).toBe(name);
}

async function historyCount(): Promise<number> {
  return page.locator('#history-list .h-open').count();
}

/** Sends the current form and waits for the new history entry. */
async function send(): Promise<void> {
  const before = await historyCount();
  await page.click('#send');
  await expect.poll(historyCount, { timeout: 30_000 }).toBe(before + 1);
}

async function responseText(): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: the text as laid out, with the line breaks between rows
  return (await page.locator('.section:has(> summary:text-is("Response")) .json').innerText()).replace(/\s+/g, ' ');
}

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--ui'], { stdio: 'inherit' });
  ({ url, emulator: emulatorApi } = await startServer());
  browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('pageerror', (e) => output.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push({ method: r.method(), url: r.url() }));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]');
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
});

describe('playground in a browser', () => {
  test('lists the methods by group and calls getapiserver on the emulator straight from the page', async () => {
    const groups = await page.locator('.group h3').allTextContents();
    expect(groups).toEqual(expect.arrayContaining(['general', 'folder', 'file', 'streaming']));
    await selectMethod('getapiserver');
    const sent = await sentDuring(send);
    // The page itself called the emulator (transport-fetch); the playground server saw no call.
    expect(toEmulator(sent).map((r) => r.url)).toEqual([`${emulatorApi}/getapiserver?timeformat=timestamp`]);
    expect(bridged(sent)).toEqual([]);
    await expect.poll(() => page.textContent('#result-status .pill')).toBe('OK');
    const text = await responseText();
    // The emulator answers with its own host for both protocols.
    const host = new URL(emulatorApi).host;
    expect(text).toContain(`"api": [ "${host}"`);
    // The request as sent went to the emulator, without credentials (getapiserver needs no login).
    const request = await page.locator('.section:has(> summary:text-is("Request as sent")) .json').textContent();
    expect(request).toContain(emulatorApi);
    expect(request).not.toContain('bearer');
    expect(await page.textContent('#result-line')).toBe(`GET ${emulatorApi}/getapiserver?timeformat=timestamp`);
    await shot('01-getapiserver');
  });

  test('sends HTTP calls that need a login with the token masked in what it shows', async () => {
    await selectMethod('listfolder');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/Music');
    const sent = await sentDuring(send);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    const call = sent.find((r) => r.url.startsWith(`${emulatorApi}/listfolder?`));
    expect(call, JSON.stringify(sent)).toBeDefined();
    expect(bridged(sent)).toEqual([]);
    expect(await page.textContent('#result-line')).toBe(`GET ${emulatorApi}/listfolder?path=/Music&timeformat=timestamp`);
    const request = await page.locator('.section:has(> summary:text-is("Request as sent")) .json').textContent();
    expect(request).toContain('"bearer": "[redacted]"');
    const token = await page.evaluate(async () => ((await (await fetch('/api/settings')).json()) as any).emulator.accessToken as string);
    expect(await page.content()).not.toContain(token);
    expect(await responseText()).toContain('"path": "/Music"');
  });

  test('shows an inline validation error for a missing param and sends nothing', async () => {
    await selectMethod('getaudiolink');
    // The catalogue's facts about the method sit under the form.
    const facts = await page.locator('#method .facts').textContent();
    expect(facts).toContain('Answer fields');
    expect(facts).toMatch(/hosts\s*string\[\]/);
    expect(facts).toContain('2009File not found.');
    await page.click('.seg label:has(input[value=fileid])');
    const before = await historyCount();
    await page.click('#send');
    const error = page.locator('#p-fileid-err');
    // The message is core's own (the UI runs core's param checks).
    await expect.poll(() => error.textContent()).toBe("one of 'fileid' or 'path' is required (target)");
    expect(await page.getAttribute('#p-fileid', 'aria-invalid')).toBe('true');
    // The invalid input got the focus, and no call was made.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('p-fileid');
    expect(await historyCount()).toBe(before);

    // An out-of-range value is refused the same way.
    await page.fill('#p-fileid', '1');
    await page.fill('#p-abitrate', '9000');
    await page.click('#send');
    await expect.poll(() => page.textContent('#p-abitrate-err')).toBe("'abitrate' must be at most 320, got 9000");
    expect(await historyCount()).toBe(before);
    await shot('02-validation-error');
    await page.fill('#p-abitrate', '');
  });

  let fileid = '';

  test('uploads an audio file with a moving progress bar', async () => {
    await selectMethod('uploadfile');
    await page.fill('#p-folderid', '0');
    await page.check('#p-renameifexists');
    const wav = makeWav({ seconds: 60, sampleRate: 44_100, hz: 440 });
    await page.setInputFiles('#p-file', { name: 'tone.wav', mimeType: 'audio/wav', buffer: wav });

    // Slow the browser's upload down so the progress bar has time to move.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: 2 * 1024 * 1024,
    });
    // Record every value the progress bar takes.
    await page.evaluate(() => {
      const bar = document.querySelector('#upload-progress') as HTMLProgressElement;
      const seen: number[] = [];
      (window as unknown as { progressSeen: number[] }).progressSeen = seen;
      new MutationObserver(() => seen.push(bar.value)).observe(bar, { attributes: true, attributeFilter: ['value'] });
    });
    // The file goes from the page to the emulator's uploadfile (XHR, for the progress), not to the playground server.
    const answer = page.waitForResponse((r) => r.url().startsWith(`${emulatorApi}/uploadfile`));
    const sent = await sentDuring(send);
    expect(bridged(sent)).toEqual([]);
    expect(sent.find((r) => r.url.startsWith(`${emulatorApi}/uploadfile`))?.method).toBe('POST');
    const serverText = await (await answer).text();
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();

    const seen = await page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
    expect(
      seen.some((v) => v > 0 && v < 100),
      `progress values: ${seen.join(',')}`,
    ).toBe(true);
    expect(seen.at(-1)).toBe(100);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    const text = await responseText();
    expect(text).toContain('"name": "tone');
    expect(text).toContain(`"size": ${wav.length}`);
    // The 64-bit hash is shown with exactly the digits the server sent (no double rounding).
    const hash = /"hash":\s*(\d+)/.exec(serverText)?.[1];
    expect(hash).toMatch(/^\d+$/);
    expect(text).toContain(`"hash": ${hash},`);
    fileid = /"fileids": \[ (\d+)/.exec(text)?.[1] ?? '';
    expect(fileid).toMatch(/^\d+$/);
    await shot('03-upload');
  });

  test('plays the uploaded file through getaudiolink', async () => {
    expect(fileid).not.toBe('');
    await selectMethod('getaudiolink');
    await page.click('.seg label:has(input[value=fileid])');
    await page.fill('#p-fileid', fileid);
    await send();
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    // The link is clickable and the audio element loads the stream from the emulator's content server.
    const href = await page.getAttribute('.links a', 'href');
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    await page.waitForFunction(
      () => {
        const a = document.querySelector('#result-audio') as HTMLAudioElement | null;
        return a !== null && a.readyState >= HTMLMediaElement.HAVE_METADATA;
      },
      undefined,
      { timeout: 20_000 },
    );
    const duration = await page.evaluate(() => (document.querySelector('#result-audio') as HTMLAudioElement).duration);
    expect(Math.round(duration)).toBe(60);
    await shot('04-getaudiolink');
  });

  test('copies a call as TypeScript code', async () => {
    const code = await page.locator('#export-code').textContent();
    expect(code).toContain("import { streaming } from '@pcloudkit/methods-streaming';");
    expect(code).toContain(`client.use(streaming).getaudiolink({ fileid: ${fileid} })`);
  });

  test('shows an API error with its code and class', async () => {
    await selectMethod('getfilelink');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/missing.bin');
    await send();
    expect(await page.textContent('#result-status .pill')).toBe('Error');
    const box = page.locator('#result-error');
    expect(await box.locator('h2').textContent()).toBe('getfilelink: 2009 File not found.');
    const facts = (await box.locator('dd').allTextContents()).join(' ');
    expect(facts).toBe('ApiError PCLOUD_API_ERROR 2009 state');
    await shot('05-api-error');
  });

  test('offers a data answer for download', async () => {
    await selectMethod('gettextfile');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/Documents/readme.txt');
    const sent = await sentDuring(send);
    expect(toEmulator(sent).map((r) => r.url)).toEqual([`${emulatorApi}/gettextfile?path=%2FDocuments%2Freadme.txt&timeformat=timestamp`]);
    expect(bridged(sent)).toEqual([]);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    // The answer's bytes arrived in the page with a progress bar.
    expect(await page.textContent('#receive-progress-text')).toMatch(/^100% · /);
    const link = page.locator('#result-download');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('readme.txt');
    const preview = await page.locator('.section:has(> summary:text-is("Data")) pre').textContent();
    expect(preview).toContain('pcloudkit emulator');
    await shot('06-data-answer');
  });

  test('downloads a zip of a folder with a progress bar that reaches 100%', async () => {
    await selectMethod('getzip');
    await page.fill('#p-folderid', '0');
    await send();
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#result-download').click()]);
    expect(await page.locator('#download-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(100);
    expect(await page.textContent('#download-progress-text')).toMatch(/^100% · /);
    const path = await download.path();
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04])); // a ZIP local file header
    await shot('06b-zip-download');
  });

  test('shows thumbnails as images the browser decodes at the expected size', async () => {
    const natural = (selector: string) =>
      page.waitForFunction(
        (sel) => {
          const img = document.querySelector(sel) as HTMLImageElement | null;
          return img?.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : false;
        },
        selector,
        { timeout: 20_000 },
      );
    // the seeded 1024x768 photo: proportions kept in a 128x128 box
    await selectMethod('getthumblink');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/Pictures/landscape.jpg');
    await page.fill('#p-size', '128x128');
    await send();
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    expect(await (await natural('#result-image')).jsonValue()).toEqual([128, 96]);
    await shot('06b-getthumblink');
    // cropped to the exact box, as PNG
    await page.check('#p-crop');
    await page.selectOption('#p-type', 'png');
    await page.fill('#p-size', '80x60');
    await page.check('#p-crop');
    await send();
    expect(await (await natural('#result-image')).jsonValue()).toEqual([80, 60]);
    expect(await page.getAttribute('#result-image', 'src')).toMatch(/\.png$/);
    // the bytes over the API connection, shown from the data answer
    await selectMethod('getthumb');
    await page.click('.seg label:has(input[value=path])');
    await page.fill('#p-path', '/Pictures/landscape.jpg');
    await page.fill('#p-size', '64x64');
    await send();
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    expect(await (await natural('#result-data-image')).jsonValue()).toEqual([64, 48]);
    await shot('06c-getthumb');
  });

  test('lists a folder over the binary transport, through the playground server', async () => {
    await page.click('.switch label:has(input[value=binary])');
    await selectMethod('listfolder');
    await page.click('.seg label:has(input[value=folderid])');
    await page.fill('#p-folderid', '0');
    const sent = await sentDuring(send);
    // Browsers cannot speak the binary protocol: the page hands the call to the server's bridge.
    expect(bridged(sent).map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${url}api/call`]);
    expect(toEmulator(sent)).toEqual([]);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    expect(await responseText()).toContain('"contents": [');
    expect(await page.locator('.frame').count()).toBeGreaterThanOrEqual(2);
    await shot('07-binary-listfolder');
  });
});

describe('pCloud settings', () => {
  test('keeps the token in the page and sends it only to pCloud, never showing it back', async () => {
    const token = 'playground-test-token-0123456789';
    const seen: string[] = [];
    page.on('response', async (res) => {
      if (res.url().startsWith(url)) seen.push(await res.text().catch(() => ''));
    });
    // Stand in for pCloud's EU API (no internet here): answer userinfo as pCloud would, with CORS.
    const reached: string[] = [];
    await page.route('https://eapi.pcloud.com/**', async (route) => {
      reached.push(route.request().url());
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
        body: `{"result":0,"userid":9007199254740993,"email":"someone@example.com","auth":"${token}"}`,
      });
    });
    await page.click('.switch label:has(input[value=http])');
    await page.click('#settings-button');
    await page.fill('#settings-token', token);
    await page.selectOption('#settings-kind', 'auth');
    await page.selectOption('#settings-region', 'eu');
    await shot('08-settings-dialog');
    await page.click('#settings-save');
    await expect.poll(() => page.textContent('#target-status')).toContain('pCloud EU · token set');
    expect(await page.isChecked('input[name=target][value=pcloud]')).toBe(true);
    expect(await page.inputValue('#settings-token')).toBe('');

    await selectMethod('userinfo');
    const sent = await sentDuring(send);
    expect(await page.textContent('#result-status .pill')).toBe('OK');
    // The call went from the page to pCloud with the token; the playground server saw nothing.
    expect(reached).toHaveLength(1);
    expect(new URL(reached[0]!).searchParams.get('auth')).toBe(token);
    expect(bridged(sent)).toEqual([]);
    // Shown masked, the 64-bit id exact, the token nowhere in the page or in what the server sent.
    expect(await page.textContent('#result-line')).toMatch(/^GET https:\/\/eapi\.pcloud\.com\/userinfo\?.*auth=\*\*\*/);
    expect(await responseText()).toContain('"userid": 9007199254740993');
    expect(await page.content()).not.toContain(token);
    expect(seen.join('\n')).not.toContain(token);
    await shot('09-pcloud-target');
    await page.unroute('https://eapi.pcloud.com/**');
    await page.click('#settings-button');
    await page.click('#settings-forget');
    await expect.poll(() => page.textContent('#target-status')).toContain('no token yet');
    await page.click('.switch label:has(input[value=emulator])');
  });
});

describe('emulator users and outbox', () => {
  async function pill(): Promise<string | null> {
    return page.textContent('#result-status .pill');
  }
  async function signedInAs(): Promise<string | null> {
    return page.textContent('#current-user-email');
  }
  /** The outbox entries shown, newest first. */
  async function mails(): Promise<{ kind: string; text: string }[]> {
    return page
      .locator('#mail-list li[data-mail]')
      .evaluateAll((items) => items.map((li) => ({ kind: (li as HTMLElement).dataset.kind ?? '', text: li.textContent ?? '' })));
  }

  test('switches between the seeded users, on both transports', async () => {
    await page.click('.switch label:has(input[value=emulator])');
    await page.click('.switch label:has(input[value=http])');
    expect(await signedInAs()).toBe('demo@pcloudkit.test');
    const listed = await page.locator('#user-list .email').allTextContents();
    expect(listed).toEqual(expect.arrayContaining(['demo@pcloudkit.test', BOB.email]));

    await page.click(`#user-list button[data-email="${BOB.email}"]`);
    await expect.poll(signedInAs).toBe(BOB.email);
    expect(await page.textContent('#target-status')).toContain(`signed in as ${BOB.email}`);
    await selectMethod('userinfo');
    const sent = await sentDuring(send);
    expect(await pill()).toBe('OK');
    expect(await responseText()).toContain(`"email": "${BOB.email}"`);
    expect(bridged(sent)).toEqual([]);
    // Bob's empty tree, not the demo user's.
    await selectMethod('listfolder');
    await page.click('.seg label:has(input[value=folderid])');
    await page.fill('#p-folderid', '0');
    await send();
    expect(await responseText()).not.toContain('"name": "Music"');

    // The binary bridge runs as the same user: the page hands it the credentials.
    await page.click('.switch label:has(input[value=binary])');
    await selectMethod('userinfo');
    await send();
    expect(await pill()).toBe('OK');
    expect(await responseText()).toContain(`"email": "${BOB.email}"`);
    await page.click('.switch label:has(input[value=http])');
    await shot('10-user-switcher');
  });

  test('signs up, confirms the address from the outbox, and signs in with the password', async () => {
    const mail = `carol-${Date.now()}@pcloudkit.test`;
    const password = 'carols-Secret-7';
    await page.click('#outbox-clear');
    await expect.poll(mails).toEqual([]);

    await selectMethod('register');
    await page.selectOption('#p-termsaccepted', 'yes');
    await page.fill('#p-mail', mail);
    await page.fill('#p-password', password);
    await send();
    expect(await pill()).toBe('OK');
    // The emulator mailed a verification code; the panel shows it and the new user is listed.
    await expect.poll(async () => (await mails()).map((m) => m.kind)).toEqual(['verifyemail']);
    const [verify] = await mails();
    expect(verify!.text).toContain(`to ${mail}`);
    const code = await page.locator('#mail-list li[data-kind=verifyemail] .code').textContent();
    expect(code).toMatch(/^\S{6,}$/);
    await expect.poll(() => page.locator('#user-list .email').allTextContents()).toContain(mail);
    expect(await page.textContent(`#user-list li:has(button[data-email="${mail}"]) .tag`)).toBe('unverified');

    // One click opens verifyemail with the code filled in.
    await page.click('#mail-list li[data-kind=verifyemail] .use-link');
    await expect.poll(() => page.textContent('#method-title')).toBe('verifyemail');
    expect(await page.inputValue('#p-code')).toBe(code);
    await send();
    expect(await pill()).toBe('OK');
    expect(await responseText()).toContain(`"email": "${mail}"`);
    await expect.poll(() => page.locator(`#user-list li:has(button[data-email="${mail}"]) .tag`).count()).toBe(0);

    // Forgot password: the reset code from the outbox, a new password, then a login with it.
    await selectMethod('lostpassword');
    await page.fill('#p-mail', mail);
    await send();
    expect(await pill()).toBe('OK');
    await expect.poll(async () => (await mails()).map((m) => m.kind)).toEqual(['resetpassword', 'verifyemail']);
    await page.click('#mail-list li[data-kind=resetpassword] .use-link');
    await expect.poll(() => page.textContent('#method-title')).toBe('resetpassword');
    await page.fill('#p-newpassword', 'carols-New-Secret-8');
    await send();
    expect(await pill()).toBe('OK');

    // The old password no longer works; the new one does, through a login the page makes itself.
    await page.fill('#login-email', mail);
    await page.fill('#login-password', password);
    await page.click('#login-submit');
    await expect.poll(() => page.textContent('#login-error')).toMatch(/2000/);
    expect(await signedInAs()).toBe(BOB.email);
    const sent = await sentDuring(async () => {
      await page.fill('#login-password', 'carols-New-Secret-8');
      await page.click('#login-submit');
      await expect.poll(signedInAs).toBe(mail);
    });
    expect(toEmulator(sent).map((r) => new URL(r.url).pathname)).toEqual(['/getdigest', '/userinfo', '/userinfo']); // the login (digest, then getauth), then the call
    expect(bridged(sent)).toEqual([]);
    await selectMethod('userinfo');
    await send();
    expect(await responseText()).toContain(`"emailverified": true`);
    expect(await responseText()).toContain(`"email": "${mail}"`);
    await shot('11-outbox');
  });

  test('changes the signed-in address and deactivates the account, codes from the outbox', async () => {
    const old = (await signedInAs())!;
    expect(old).toMatch(/^carol-/);
    const password = 'carols-New-Secret-8';
    const renamed = old.replace('carol-', 'carol-renamed-');
    await page.click('#outbox-clear');
    await expect.poll(mails).toEqual([]);

    // 1. sendchangemail: a code to the current address.
    await selectMethod('sendchangemail');
    await send();
    expect(await pill()).toBe('OK');
    await expect.poll(async () => (await mails()).map((m) => m.kind)).toEqual(['changemail-old']);
    // 2. the same method with that code and the new address: a code to the new address.
    await page.click('#mail-list li[data-kind=changemail-old] .use-link');
    await expect.poll(() => page.textContent('#method-title')).toBe('sendchangemail');
    expect(await page.inputValue('#p-code')).not.toBe('');
    await page.fill('#p-newmail', renamed);
    await send();
    expect(await pill()).toBe('OK');
    await expect.poll(async () => (await mails())[0]?.kind).toBe('changemail-new');
    expect((await mails())[0]!.text).toContain(`to ${renamed}`);
    // 3. changemail with the code from the new address and the password.
    await page.click('#mail-list li[data-kind=changemail-new] .use-link');
    await expect.poll(() => page.textContent('#method-title')).toBe('changemail');
    await page.fill('#p-password', password);
    await send();
    expect(await pill()).toBe('OK');
    // The panel follows the account to its new address.
    await expect.poll(signedInAs).toBe(renamed);
    await expect.poll(() => page.locator('#user-list .email').allTextContents()).toContain(renamed);
    expect(await page.locator('#user-list .email').allTextContents()).not.toContain(old);

    // Deactivation: senddeactivatemail, then deactivateuser with the mailed code and the password.
    await selectMethod('senddeactivatemail');
    await send();
    expect(await pill()).toBe('OK');
    await expect.poll(() => page.locator('#mail-list li[data-kind=deactivate]').count()).toBe(1);
    await page.click('#mail-list li[data-kind=deactivate] .use-link');
    await expect.poll(() => page.textContent('#method-title')).toBe('deactivateuser');
    await page.fill('#p-password', password);
    await send();
    expect(await pill()).toBe('OK');
    await expect.poll(() => page.locator('#user-list .email').allTextContents()).not.toContain(renamed);
    await expect.poll(() => page.locator('#current-user-gone').count()).toBe(1);
    // Its token went with it.
    await selectMethod('userinfo');
    await send();
    expect(await pill()).toBe('Error');
    await shot('11b-deactivated');
  });
});

describe('file handle panel', () => {
  beforeAll(async () => {
    // back to the demo user (the account tests above signed in as a new one, with an empty tree)
    if ((await page.textContent('#current-user-email')) !== 'demo@pcloudkit.test') {
      await page.click('#user-list button[data-email="demo@pcloudkit.test"]');
      await page.waitForFunction(() => document.querySelector('#current-user-email')?.textContent === 'demo@pcloudkit.test');
    }
  });

  test.each(['binary', 'http'] as const)('opens, writes, seeks, reads and closes a file on one %s connection', async (transport) => {
    await page.click('.switch label:has(input[value=emulator])');
    await page.click(`.switch label:has(input[value=${transport}])`);
    await page.click('#open-fileops');
    await expect.poll(() => page.textContent('#method-title')).toBe('File handle');
    await page.fill('#handle-path', `/Documents/panel-${transport}.txt`);
    await page.check('#flag-O_TRUNC');
    await page.click('#handle-open');
    await expect.poll(() => page.textContent('#handle-state')).toMatch(new RegExp(`^fd \\d+ · fileid \\d+ · ${transport} connection `));
    const connection = (await page.textContent('#handle-state'))!.split(' connection ')[1]!;
    await page.fill('#handle-text', 'one connection, one descriptor');
    await page.click('#handle-write');
    await expect.poll(() => page.locator('#handle-log li').last().textContent()).toContain('"bytes": 30');
    await page.fill('#handle-offset', '-10');
    await page.selectOption('#handle-whence', 'end');
    await page.click('#handle-seek');
    await expect.poll(() => page.locator('#handle-log li').last().textContent()).toContain('"offset": 20');
    await page.fill('#handle-count', '100');
    await page.click('#handle-read');
    await expect.poll(() => page.locator('#handle-log li').last().textContent()).toContain('"text": "descriptor"');
    // Every call was logged on the connection file_open used.
    const calls = await page.locator('#handle-log li:has-text("→ file_")').allTextContents();
    expect(calls.map((c) => c.split(' ')[1])).toEqual(['file_open', 'file_write', 'file_seek', 'file_read']);
    expect(calls.every((c) => c.includes(`on ${connection}`))).toBe(true);
    await shot(`12-file-handle-${transport}`);
    await page.click('#handle-close');
    await expect.poll(() => page.textContent('#handle-state')).toContain('Closed');
    expect(await page.isDisabled('#handle-read')).toBe(true);
  });

  test.each(['binary', 'http'] as const)('the resumable upload over %s goes on after the connection is dropped', async (transport) => {
    await page.click(`.switch label:has(input[value=${transport}])`);
    const bytes = Buffer.alloc(512 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 10)) & 0xff;
    await page.setInputFiles('#large-file', { name: 'large.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await page.fill('#large-path', `/Documents/resumed-${transport}.bin`);
    await page.fill('#large-chunk', '64');
    await page.click('#large-drop');
    await expect.poll(() => page.locator('#large-log li').last().textContent()).toContain('will cut the connection');
    await page.click('#large-upload');
    await expect.poll(() => page.locator('#large-log li').last().textContent(), { timeout: 30_000 }).toMatch(/^✓ /);
    const done = (await page.locator('#large-log li').last().textContent())!;
    expect(done).toContain(`${bytes.length} bytes in place`);
    expect(done).toContain(`sha1 ${createHash('sha1').update(bytes).digest('hex')}`);
    expect(Number(await page.textContent('#large-resumes'))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#large-log li:has-text("reconnected")').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#large-progress').evaluate((e) => (e as HTMLProgressElement).value)).toBe(100);
    await shot(`13-resumable-upload-${transport}`);
  });
});

describe('sharing, public links and upload links', () => {
  const DEMO = 'demo@pcloudkit.test';
  const signedInAs = () => page.textContent('#current-user-email');
  const pill = () => page.textContent('#result-status .pill');

  /** The response with every node of its tree opened. */
  async function fullResponse(): Promise<string> {
    await page.locator('#result .json details').evaluateAll((nodes) => {
      for (const d of nodes) (d as HTMLDetailsElement).open = true;
    });
    return responseText();
  }

  /** Fills a one-of param: picks its choice first when the form has one. */
  async function fillChoice(name: string, value: string): Promise<void> {
    const choice = page.locator(`.seg label:has(input[value=${name}])`);
    if (await choice.count()) await choice.click();
    await page.fill(`#p-${name}`, value);
  }

  /** A tab the page opens from a result's visitor link, with its requests and console errors recorded. */
  async function openVisitorTab(): Promise<{ tab: Page; sent: { url: string; headers: Record<string, string> }[] }> {
    const sent: { url: string; headers: Record<string, string> }[] = [];
    const opened = page.context().waitForEvent('page');
    await page.click('#result-page');
    const tab = await opened;
    tab.on('request', (r) => sent.push({ url: r.url(), headers: r.headers() }));
    tab.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`visitor tab: ${m.text()}`);
    });
    tab.on('pageerror', (e) => output.push(`page error: visitor tab: ${e.message}`));
    await tab.waitForLoadState('domcontentloaded');
    return { tab, sent };
  }

  beforeAll(async () => {
    await page.click('.switch label:has(input[value=emulator])');
    await page.click('.switch label:has(input[value=http])');
    if ((await signedInAs()) !== DEMO) {
      await page.click(`#user-list button[data-email="${DEMO}"]`);
      await expect.poll(signedInAs).toBe(DEMO);
    }
  });

  test('shares a folder as the demo user and accepts it as Bob, the code from the outbox', async () => {
    const folder = `Shared with Bob ${Date.now()}`;
    await page.click('#outbox-clear');
    await selectMethod('createfolderifnotexists');
    await fillChoice('path', `/${folder}`);
    await send();
    expect(await pill()).toBe('OK');
    await selectMethod('uploadfile');
    await fillChoice('path', `/${folder}`);
    await page.setInputFiles('#p-file', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('for Bob\n') });
    await send();
    expect(await pill()).toBe('OK');

    await selectMethod('sharefolder');
    await fillChoice('path', `/${folder}`);
    await page.fill('#p-mail', BOB.email);
    await page.fill('#p-permissions', '1');
    await send();
    expect(await pill()).toBe('OK');

    // The offer reached Bob's mailbox; one click signs in as Bob and opens acceptshare with the code.
    const offer = page.locator('#mail-list li[data-kind=share]');
    await expect.poll(() => offer.count()).toBe(1);
    const code = (await offer.locator('.code').textContent())!;
    expect(code).toMatch(/^\S{6,}$/);
    expect(await offer.locator('.use-link').textContent()).toBe(`Open acceptshare as ${BOB.email}`);
    await offer.locator('.use-link').click();
    await expect.poll(signedInAs).toBe(BOB.email);
    await expect.poll(() => page.textContent('#method-title')).toBe('acceptshare');
    expect(await page.inputValue('#p-code')).toBe(code);
    await send();
    expect(await pill()).toBe('OK');

    // Bob now sees the folder and its file, on both transports.
    for (const transport of ['http', 'binary'] as const) {
      await page.click(`.switch label:has(input[value=${transport}])`);
      await selectMethod('stat');
      await fillChoice('path', `/${folder}/notes.txt`);
      await send();
      expect(await pill(), transport).toBe('OK');
      expect(await responseText()).toContain('"name": "notes.txt"');
      expect(await responseText()).toContain('"size": 8');
    }
    await page.click('.switch label:has(input[value=http])');
    await shot('14-share-accepted');

    // One click back to the demo user, who sees Bob on the share.
    await page.click('#switch-back');
    await expect.poll(signedInAs).toBe(DEMO);
    await selectMethod('listshares');
    await send();
    expect(await pill()).toBe('OK');
    const shares = await fullResponse();
    expect(shares).toContain(`"tomail": "${BOB.email}"`);
    expect(shares).toContain(`"sharename": "${folder}"`);
  });

  test('makes a public link and opens it in a new tab as an anonymous visitor', async () => {
    await selectMethod('stat');
    await fillChoice('path', '/Music/tone.wav');
    await send();
    const size = Number(/"size": (\d+)/.exec(await responseText())![1]);
    expect(size).toBeGreaterThan(0);
    await selectMethod('getfilepublink');
    await fillChoice('path', '/Music/tone.wav');
    await send();
    expect(await pill()).toBe('OK');
    const code = /"code": "([^"]+)"/.exec(await responseText())![1]!;
    expect(await page.getAttribute('#result-page', 'href')).toBe(`${emulatorApi}/publink?code=${encodeURIComponent(code)}`);
    await shot('15-publink-link');

    const { tab, sent } = await openVisitorTab();
    await expect.poll(() => tab.textContent('body')).toContain('tone.wav');
    // The file's bytes, fetched by the visitor's page, with nothing but the code.
    const href = await tab.locator('a[download]').first().getAttribute('href');
    const got = await tab.evaluate(async (h) => (await (await fetch(h!)).arrayBuffer()).byteLength, href);
    expect(got).toBe(size);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const r of sent) {
      expect(r.url).not.toMatch(/[?&](auth|access_token)=/);
      expect(r.headers.authorization).toBeUndefined();
    }
    await tab.screenshot({ path: join(shots, '15-publink-visitor.png') });
    await tab.close();

    // showpublink needs no login: the page sends it without the signed-in user's token.
    await selectMethod('showpublink');
    await page.fill('#p-code', code);
    await send();
    expect(await pill()).toBe('OK');
    expect(await page.textContent('#result-line')).not.toMatch(/auth=|access_token=/);
    expect(await responseText()).toContain('"name": "tone.wav"');
  });

  test("makes an upload link; a visitor uploads a file on its page and the owner's listing has it", async () => {
    const folder = `/Visitor uploads ${Date.now()}`;
    await selectMethod('createfolderifnotexists');
    await fillChoice('path', folder);
    await send();
    await selectMethod('createuploadlink');
    await fillChoice('path', folder);
    await page.fill('#p-comment', 'Drop your photos here');
    await send();
    expect(await pill()).toBe('OK');
    expect(await page.getAttribute('#result-page', 'href')).toMatch(new RegExp(`^${emulatorApi}/puplink\\?code=`));
    const code = /"code": "([^"]+)"/.exec(await responseText())![1]!;

    const { tab, sent } = await openVisitorTab();
    expect(await tab.textContent('#comment')).toBe('Drop your photos here');
    await tab.fill('#names', 'A visitor');
    await tab.setInputFiles('#files', { name: 'from-a-visitor.txt', mimeType: 'text/plain', buffer: Buffer.from('hello from outside\n') });
    await tab.click('#form button[type=submit]');
    await expect.poll(() => tab.textContent('#status'), { timeout: 15_000 }).toBe('Uploaded. Thank you!');
    expect(sent.some((r) => new URL(r.url).pathname === '/uploadtolink')).toBe(true);
    for (const r of sent) expect(r.url).not.toMatch(/[?&](auth|access_token)=/);
    await tab.screenshot({ path: join(shots, '16-puplink-visitor.png') });
    await tab.close();

    await selectMethod('stat');
    await fillChoice('path', `${folder}/from-a-visitor.txt`);
    await send();
    expect(await pill()).toBe('OK');
    expect(await responseText()).toContain('"name": "from-a-visitor.txt"');
    expect(await responseText()).toContain('"size": 19');
    await shot('17-upload-link-owner');

    // uploadtolink from the playground's own form needs no login either: over HTTP the page uploads
    // straight to the emulator without the signed-in user's token, over binary the bridge does.
    for (const transport of ['http', 'binary'] as const) {
      await page.click(`.switch label:has(input[value=${transport}])`);
      await selectMethod('uploadtolink');
      await page.fill('#p-code', code);
      await page.setInputFiles('#p-file', { name: `form-${transport}.txt`, mimeType: 'text/plain', buffer: Buffer.from(transport) });
      const seen: { url: string; authorization?: string }[] = [];
      const record = (r: Request) => {
        if (r.url().startsWith(emulatorApi)) seen.push({ url: r.url(), authorization: r.headers().authorization });
      };
      page.on('request', record);
      const sent = await sentDuring(send);
      page.off('request', record);
      expect(await pill(), transport).toBe('OK');
      if (transport === 'http') {
        expect(bridged(sent)).toEqual([]);
        const upload = seen.find((r) => new URL(r.url).pathname === '/uploadtolink');
        expect(upload).toBeDefined();
        expect(upload!.url).not.toMatch(/[?&](auth|access_token)=/);
        expect(upload!.authorization).toBeUndefined();
      } else {
        expect(bridged(sent).length).toBe(1);
        expect(await page.textContent('#result-status')).toContain('binary');
      }
      await selectMethod('stat');
      await fillChoice('path', `${folder}/form-${transport}.txt`);
      await send();
      expect(await responseText()).toContain(`"size": ${transport.length}`);
    }
    await page.click('.switch label:has(input[value=http])');
  });
});

describe('the page as a whole', () => {
  test('made every cross-origin call above without a CORS error or a page error', () => {
    expect(consoleErrors.filter((e) => /CORS|Access-Control|cross-origin/i.test(e))).toEqual([]);
    expect(output.filter((line) => line.startsWith('page error:'))).toEqual([]);
    // and it did talk to the emulator's origin from the page, many times
    expect(toEmulator(requests).length).toBeGreaterThan(10);
  });
});
