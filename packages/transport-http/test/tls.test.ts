import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbortError, TransportError } from '@pcloudkit/core';
import { startEmulator } from '@pcloudkit/emulator';
import { download, httpTransport } from '../src/index.js';
import { startRawServer } from './helpers.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ port: 0, tls: true });
});
afterAll(async () => {
  await emu?.stop();
});

describe('TLS (emulator with a self-signed certificate)', () => {
  it('refuses the self-signed certificate by default: TransportError with network: true', async () => {
    expect(emu.api).toMatch(/^https:/);
    const t = httpTransport();
    try {
      const err = await t.call({ method: 'getdigest', host: emu.api, params: {}, responseType: 'json' }).catch((e) => e);
      expect(err).toBeInstanceOf(TransportError);
      expect(err.network).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('connects with tls: { rejectUnauthorized: false }, and with the certificate as ca', async () => {
    for (const tls of [{ rejectUnauthorized: false }, { ca: emu.certificate!, servername: 'localhost' }]) {
      const t = httpTransport({ tls });
      try {
        const { result } = await t.call({ method: 'userinfo', host: emu.api, params: { auth: emu.auth }, responseType: 'json' });
        expect(result.result).toBe(0);
      } finally {
        await t.close();
      }
    }
  });

  it('downloads over https from the content hosts with tls options', async () => {
    const t = httpTransport({ tls: { rejectUnauthorized: false } });
    try {
      const data = new TextEncoder().encode('over tls');
      const up = await t.call({
        method: 'uploadfile',
        host: emu.api,
        params: { auth: emu.auth, folderid: 0, renameifexists: 1 },
        files: [{ name: 'tls.txt', data }],
        responseType: 'json',
      });
      const fileid = (up.result.metadata as Array<{ fileid: number }>)[0]!.fileid;
      const link = (await t.call({ method: 'getfilelink', host: emu.api, params: { auth: emu.auth, fileid }, responseType: 'json' }))
        .result as { hosts: string[]; path: string };
      await expect(download(link)).rejects.toBeInstanceOf(TransportError);
      const file = await download(link, { tls: { rejectUnauthorized: false } });
      expect(file.url.startsWith('https://')).toBe(true);
      expect(await new Response(file.body).text()).toBe('over tls');
    } finally {
      await t.close();
    }
  });
});

describe('an upload to a server that never reads', () => {
  it('is aborted by the signal without hanging', async () => {
    const raw = await startRawServer((socket) => socket.pause());
    const t = httpTransport();
    try {
      const controller = new AbortController();
      async function* endless() {
        for (;;) yield new Uint8Array(256 * 1024);
      }
      let loaded = 0;
      const pending = t.call({
        method: 'uploadfile',
        host: raw.origin,
        params: {},
        files: [{ name: 'x', data: endless() }],
        responseType: 'json',
        signal: controller.signal,
        onUploadProgress: (p) => {
          loaded = p.loaded;
        },
      });
      setTimeout(() => controller.abort(), 200);
      expect(await pending.catch((e) => e)).toBeInstanceOf(AbortError);
      // back-pressure: with the peer not reading, only socket buffers' worth was handed over, not an endless stream
      expect(loaded).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await t.close();
      await raw.close();
    }
  });
});
