import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
// testkit depends on the emulator, so the emulator reaches its launcher by path rather than as a dependency
import { launchChromium } from '../../testkit/src/chromium.js';
import { as } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

const contentUrl = async (path: string): Promise<string> => {
  const link = await as(emu, 'getfilelink', { path });
  expect(link.result).toBe(0);
  return `http://${link.hosts[0]}${link.path}`;
};

const exposed = (h: string | string[] | undefined) =>
  String(h)
    .split(',')
    .map((s) => s.trim().toLowerCase());

describe('CORS on the API server', () => {
  it('allows any origin and exposes X-Error on answers, errors included', async () => {
    const ok = await request(`${emu.api}/userinfo?auth=${emu.auth}`, { headers: { origin: 'http://app.example' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    expect((await ok.body.json()) as { result: number }).toMatchObject({ result: 0 });

    const bad = await request(`${emu.api}/userinfo?auth=nope`, { headers: { origin: 'http://app.example' } });
    expect(bad.headers['access-control-allow-origin']).toBe('*');
    expect(bad.headers['x-error']).toBe('2000');
    const names = exposed(bad.headers['access-control-expose-headers']);
    for (const h of ['x-error', 'content-length', 'content-type', 'content-disposition']) expect(names).toContain(h);
    await bad.body.text();
  });

  it('answers a preflight with 204, the methods, the requested headers and a max age (not as a method call)', async () => {
    const res = await request(`${emu.api}/userinfo`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['x-error']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const methods = exposed(res.headers['access-control-allow-methods']);
    for (const m of ['get', 'post', 'put', 'head', 'options']) expect(methods).toContain(m);
    expect(res.headers['access-control-allow-headers']).toBe('authorization,content-type');
    expect(Number(res.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(await res.body.text()).toBe('');
  });

  it('lists the usual request headers when a preflight names none', async () => {
    const res = await request(`${emu.api}/uploadfile`, { method: 'OPTIONS', headers: { origin: 'http://app.example' } });
    expect(res.statusCode).toBe(204);
    const allowed = exposed(res.headers['access-control-allow-headers']);
    for (const h of ['authorization', 'content-type', 'range']) expect(allowed).toContain(h);
    await res.body.text();
  });
});

describe('CORS on the content servers', () => {
  it('allows any origin on file answers and exposes the range headers', async () => {
    const url = await contentUrl('/Documents/readme.txt');
    const res = await request(url, { headers: { origin: 'http://app.example', range: 'bytes=0-6' } });
    expect(res.statusCode).toBe(206);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    const names = exposed(res.headers['access-control-expose-headers']);
    for (const h of ['content-range', 'accept-ranges', 'content-length']) expect(names).toContain(h);
    await res.body.text();

    const missing = await request(`http://${emu.contentHosts[0]}/no-such-link/x`, { headers: { origin: 'http://app.example' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe('*');
    await missing.body.text();
  });

  it('answers a preflight with 204 and only the read methods', async () => {
    const url = await contentUrl('/Documents/readme.txt');
    const res = await request(url, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(exposed(res.headers['access-control-allow-methods'])).toEqual(['get', 'head', 'options']);
    expect(res.headers['access-control-allow-headers']).toBe('range');
    await res.body.text();
  });
});

describe('a browser page on another origin', () => {
  let browser: Browser;
  let page: Server;
  let pageOrigin: string;
  beforeAll(async () => {
    page = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>cors</title><p>app</p>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    // "localhost" differs from the emulator's 127.0.0.1 in host and port: a cross-origin page
    pageOrigin = `http://localhost:${(page.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => page?.close(resolve));
  });

  it('calls userinfo with a Bearer header and reads a content link, without CORS errors', async () => {
    const tab = await browser.newPage();
    const console: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') console.push(m.text());
    });
    tab.on('pageerror', (e) => console.push(e.message));
    await tab.goto(pageOrigin);
    const link = await contentUrl('/Documents/readme.txt');
    const out = await tab.evaluate(
      async ({ api, token, link }) => {
        const info = await fetch(`${api}/userinfo`, { headers: { Authorization: `Bearer ${token}` } });
        const user = (await info.json()) as { result: number; email?: string };
        const bad = await fetch(`${api}/userinfo`, { headers: { Authorization: 'Bearer not-a-token' } });
        await bad.text();
        const file = await fetch(link, { headers: { Range: 'bytes=0-6' } });
        return {
          origin: location.origin,
          status: info.status,
          user,
          badError: bad.headers.get('X-Error'),
          fileStatus: file.status,
          fileRange: file.headers.get('Content-Range'),
          text: await file.text(),
        };
      },
      { api: emu.api, token: emu.access_token, link },
    );
    expect(out.origin).toBe(pageOrigin);
    expect(out.status).toBe(200);
    expect(out.user.result).toBe(0);
    expect(out.user.email).toBe(emu.username);
    expect(out.badError).toMatch(/^\d{4}$/);
    expect(out.fileStatus).toBe(206);
    expect(out.fileRange).toMatch(/^bytes 0-6\/\d+$/);
    expect(out.text).toHaveLength(7);
    expect(console).toEqual([]);
    await tab.close();
  }, 60_000);
});
