import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import { general } from '@pcloudkit/methods-general';
import { httpTransport } from '@pcloudkit/transport-http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signIn } from '../src/node.js';

/** Plays a person who got the URL: signs in on the emulator's page, approves, follows the redirect. */
async function approve(emulator: Emulator, url: string): Promise<number> {
  const page = await (await fetch(url)).text();
  const form = new URLSearchParams();
  for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      name!,
      value!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))),
    );
  }
  form.set('username', emulator.username);
  form.set('password', emulator.password);
  form.set('approve', '1');
  const approved = await fetch(new URL('/oauth2/authorize', url), { method: 'POST', body: form, redirect: 'manual' });
  const callback = await fetch(approved.headers.get('location')!);
  await callback.text();
  return callback.status;
}

describe('signIn reports the authorize URL', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
  });
  afterAll(() => emulator.stop());
  afterEach(() => vi.restoreAllMocks());
  const base = () => ({
    clientId: emulator.client_id,
    clientSecret: emulator.client_secret,
    transport: httpTransport(),
    authorizeOrigin: emulator.api,
    timeout: 20_000,
  });

  it('passes it to onAuthorizeUrl before opening, even when the opener works', async () => {
    const events: string[] = [];
    let browser: Promise<number> | undefined;
    const result = await signIn({
      ...base(),
      onAuthorizeUrl: (url) => events.push(`reported ${url}`),
      open: (url) => {
        events.push(`opened ${url}`);
        browser = approve(emulator, url);
      },
    });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatch(/^reported http:\/\/127\.0\.0\.1:\d+\/oauth2\/authorize\?/);
    expect(events[1]).toBe(events[0]!.replace('reported', 'opened'));
    expect(await browser).toBe(200);
    expect((await result.client.use(general).userinfo()).email).toBe(emulator.username);
    await result.client.close();
  });

  it('prints it on stderr by default, also when the opener works', async () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let opened = '';
    let browser: Promise<number> | undefined;
    const result = await signIn({
      ...base(),
      open: (url) => {
        opened = url;
        browser = approve(emulator, url);
      },
    });
    await browser;
    expect(opened).not.toBe('');
    expect(written.join('')).toContain(opened);
    await result.client.close();
  });

  // A headless Linux box: xdg-open exists but cannot show anything (it exits
  // non-zero). The user reads the URL on stderr and opens it elsewhere.
  it.skipIf(process.platform !== 'linux')('on a machine whose browser opener fails, the printed URL is enough to sign in', async () => {
    const bin = await mkdtemp(join(tmpdir(), 'pcloudkit-no-browser-'));
    await writeFile(join(bin, 'xdg-open'), '#!/bin/sh\nexit 3\n');
    await chmod(join(bin, 'xdg-open'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    let browser: Promise<number> | undefined;
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      const url = /https?:\/\/\S+\/oauth2\/authorize\?\S+/.exec(String(chunk))?.[0];
      if (url) browser = approve(emulator, url);
      return true;
    });
    try {
      const result = await signIn(base());
      expect(await browser).toBe(200);
      expect((await result.client.use(general).userinfo()).email).toBe(emulator.username);
      await result.client.close();
    } finally {
      process.env.PATH = path;
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('keeps waiting when the default opener cannot even start, and says so on stderr', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'pcloudkit-no-path-'));
    const path = process.env.PATH;
    process.env.PATH = empty; // no xdg-open / open at all: spawning fails
    const written: string[] = [];
    let browser: Promise<number> | undefined;
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      const url = /https?:\/\/\S+\/oauth2\/authorize\?\S+/.exec(String(chunk))?.[0];
      // The person reads the note before acting on the URL.
      if (url) setTimeout(() => (browser = approve(emulator, url)), 200);
      return true;
    });
    try {
      const result = await signIn(base());
      expect(await browser).toBe(200);
      expect(written.join('')).toContain('No browser could be opened here');
      await result.client.close();
    } finally {
      process.env.PATH = path;
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('still ends the sign-in when a caller-supplied open throws', async () => {
    const error = await signIn({
      ...base(),
      onAuthorizeUrl: () => {},
      open: () => {
        throw new Error('no display');
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('no display');
  });
});
