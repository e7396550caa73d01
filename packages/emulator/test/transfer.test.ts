import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { call, parseReply, uniq, type Json } from './helpers.js';

// The SDK side over both transports is tested in packages/methods-transfer.

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

async function transfer(params: Record<string, string>, files: Record<string, Buffer | string>, api = emu.api): Promise<Json> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(params)) fd.append(k, v);
  for (const [name, data] of Object.entries(files)) fd.append('file', new Blob([new Uint8Array(Buffer.from(data))]), name);
  const res = await fetch(`${api}/uploadtransfer`, { method: 'POST', body: fd });
  return parseReply(await res.text());
}

async function fetchBytes(url: string): Promise<{ status: number; body: Buffer }> {
  const res = await request(url);
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()) };
}

describe('transfers on the wire', () => {
  it('mails every recipient links to each file on the content servers; the bytes come back equal', async () => {
    const to = [`${uniq('r1')}@example.com`, `${uniq('r2')}@example.com`];
    const photo = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
    const r = await transfer(
      { sendermail: 'sender@example.com', receivermails: to.join(','), message: 'The photos from Sunday', progresshash: 'tr-1' },
      { 'photo.bin': photo, 'notes.txt': 'two files' },
    );
    expect(r).toEqual({ result: 0 });
    for (const addr of to) {
      const mail = await emu.mail.next(addr, { kind: 'transfer' });
      expect(mail.subject).toBe('sender@example.com sent you 2 files');
      expect(mail.text).toContain('The photos from Sunday');
      const urls = [...mail.text.matchAll(/(https?:\/\/\S+)/g)].map((m) => m[1]!);
      expect(urls).toHaveLength(2);
      expect(mail.link).toBe(urls[0]);
      for (const u of urls) expect(emu.contentHosts).toContain(new URL(u).host);
      expect((await fetchBytes(urls[0]!)).body.equals(photo)).toBe(true);
      expect((await fetchBytes(urls[1]!)).body.toString()).toBe('two files');
    }
    const p = (await call(emu, 'uploadtransferprogress', { progresshash: 'tr-1' })) as Json;
    expect(p).toMatchObject({ result: 0, finished: true, filenumber: 2 });
    expect(p.uploaded).toBe(p.total);
    expect(p.files).toEqual([
      { name: 'photo.bin', size: photo.length },
      { name: 'notes.txt', size: 9 },
    ]);
  });

  it('answers the documented refusals and mails nothing then', async () => {
    const before = emu.mail.list().length;
    expect((await transfer({ sendermail: 'nope', receivermails: 'a@example.com' }, { 'a.txt': 'a' })).result).toBe(1074);
    expect((await transfer({ sendermail: 's@example.com', receivermails: 'not-an-address' }, { 'a.txt': 'a' })).result).toBe(1075);
    expect((await transfer({ sendermail: 's@example.com' }, { 'a.txt': 'a' })).result).toBe(1075);
    const many = Array.from({ length: 21 }, (_, i) => `r${i}@example.com`).join(',');
    expect((await transfer({ sendermail: 's@example.com', receivermails: many }, { 'a.txt': 'a' })).result).toBe(2099);
    expect((await transfer({ sendermail: 's@example.com', receivermails: 'a@example.com' }, {})).result).toBe(2088);
    expect((await call(emu, 'uploadtransferprogress', { progresshash: 'never-started' })).result).toBe(1900);
    expect(emu.mail.list().length).toBe(before);
  });

  it('a sender over the outbox rate limit gets 2098', async () => {
    const e = await startEmulator({ mailRateLimit: 1 });
    try {
      const ok = await transfer({ sendermail: 'busy@example.com', receivermails: 'x@example.com' }, { 'a.txt': 'a' }, e.api);
      expect(ok.result).toBe(0);
      const again = await transfer({ sendermail: 'busy@example.com', receivermails: 'x@example.com' }, { 'a.txt': 'a' }, e.api);
      expect(again.result).toBe(2098);
    } finally {
      await e.stop();
    }
  });

  it('a transfer whose upload breaks mails nothing and keeps nothing, not even its complete first file', async () => {
    const to = `${uniq('cut')}@example.com`;
    const first = Buffer.from(`complete first file ${uniq('x')}`);
    const sha = createHash('sha256').update(first).digest('hex');
    const boundary = 'cut-boundary';
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="one.txt"\r\n\r\n${first}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="two.bin"\r\n\r\n`;
    const qs = new URLSearchParams({ sendermail: 's@example.com', receivermails: to, progresshash: 'cut-1' });
    const req = httpRequest(`${emu.api}/uploadtransfer?${qs}`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(head.length + 100_000) },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(Buffer.alloc(10_000));
    // the server has the first file once the progress moves on to the second
    for (let i = 0; i < 200; i++) {
      const p = await call(emu, 'uploadtransferprogress', { progresshash: 'cut-1' });
      if (p.result === 0 && p.filenumber === 2) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(existsSync(emu.core.store.blobs.pathOf(sha))).toBe(true);
    req.destroy();
    for (let i = 0; i < 200; i++) {
      const p = await call(emu, 'uploadtransferprogress', { progresshash: 'cut-1' });
      if (p.finished) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(existsSync(emu.core.store.blobs.pathOf(sha))).toBe(false);
    expect(emu.mail.list({ to })).toEqual([]);
  });

  it('transferred files survive a restart: their blobs are not swept and the mailed links still serve them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-transfer-'));
    try {
      let e = await startEmulator({ dataDir: dir });
      expect(
        (await transfer({ sendermail: 's@example.com', receivermails: 'k@example.com' }, { 'keep.txt': 'kept bytes' }, e.api)).result,
      ).toBe(0);
      const { pathname } = new URL((await e.mail.next('k@example.com', { kind: 'transfer' })).link!);
      await e.stop();
      e = await startEmulator({ dataDir: dir });
      const file = e.core.store.transferFile(1, 1)!;
      expect(file).toMatchObject({ name: 'keep.txt', size: 10 });
      // the mailed path still serves the bytes, from the restarted emulator's content servers
      expect((await fetchBytes(`http://${e.contentHosts[0]}${pathname}`)).body.toString()).toBe('kept bytes');
      // a path with the wrong key serves nothing
      const wrong = pathname.replace(/\/transfer\/(\d+)\/(\d+)\/[0-9a-f]+\//, '/transfer/$1/$2/00000000000000000000000000000000/');
      expect(wrong).not.toBe(pathname);
      expect((await fetchBytes(`http://${e.contentHosts[0]}${wrong}`)).status).toBe(404);
      await e.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
