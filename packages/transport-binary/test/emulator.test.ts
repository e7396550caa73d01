import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { AbortError, ApiError, TimeoutError, TransportError, createClient, type CoreClient } from '@pcloudkit/core';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import { binaryTransport } from '../src/index.js';
import { binaryHost } from './helpers/emulator-port.js';

let emu: Emulator;
let host: string;
let client: CoreClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  host = await binaryHost(emu);
  client = createClient({
    transport: binaryTransport({ tls: false }),
    region: { api: [emu.api], binapi: [host] },
    auth: { accessToken: emu.access_token },
  });
});
afterAll(async () => {
  await client?.close();
  await emu?.stop();
});

type Meta = { fileid: number; name: string; size: number; hash: bigint; modified: Date };

describe('binaryTransport against the emulator', () => {
  it('runs ordinary calls through createClient', async () => {
    const me = await client.call<{ email: string; userid: number }>('userinfo');
    expect(me.email).toBe(emu.username);
    const root = await client.call<{ metadata: { folderid: number; contents: unknown[] } }>('listfolder', { folderid: 0 });
    expect(root.metadata.folderid).toBe(0);
    await expect(client.call('stat', { fileid: 987654321 })).rejects.toBeInstanceOf(ApiError);
  });

  it('uploads from bytes and from a file, with exact 64-bit hashes and dates', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bin-emu-'));
    try {
      const fromDisk = Buffer.alloc(2 * 1024 * 1024 + 3, 0x5a);
      await writeFile(join(dir, 'disk.bin'), fromDisk);
      const name = `bytes-${Date.now()}.txt`;
      const seen: number[] = [];
      const a = await client.call<{ metadata: Meta[] }>(
        'uploadfile',
        { folderid: 0 },
        {
          files: [{ name, data: new TextEncoder().encode('binary hello') }],
          onUploadProgress: (p) => seen.push(p.loaded),
        },
      );
      expect(a.metadata[0]!.name).toBe(name);
      expect(a.metadata[0]!.size).toBe(12);
      expect(typeof a.metadata[0]!.hash).toBe('bigint');
      expect(a.metadata[0]!.modified).toBeInstanceOf(Date);
      expect(seen.at(-1)).toBe(12);
      const b = await client.call<{ metadata: Meta[] }>(
        'uploadfile',
        { folderid: 0 },
        { files: [{ name: `disk-${Date.now()}.bin`, data: { path: join(dir, 'disk.bin') } }] },
      );
      expect(b.metadata[0]!.size).toBe(fromDisk.length);
      // The same file over HTTP JSON reports the same hash (both exact).
      const viaHttp = await fetch(`${emu.api}/stat?auth=${emu.auth}&fileid=${b.metadata[0]!.fileid}`).then((r) => r.text());
      expect(viaHttp).toContain(`"hash":${b.metadata[0]!.hash.toString()}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('downloads a data answer as a stream', async () => {
    const text = 'línea uno\nline two\n'.repeat(5000);
    const up = await client.call<{ metadata: Meta[] }>(
      'uploadfile',
      { folderid: 0 },
      { files: [{ name: `t-${Date.now()}.txt`, data: new TextEncoder().encode(text) }] },
    );
    const data = await client.call<{ body: ReadableStream<Uint8Array>; length?: number }>(
      'gettextfile',
      { fileid: up.metadata[0]!.fileid },
      { responseType: 'data' },
    );
    const got = await new Response(data.body).text();
    expect(createHash('sha1').update(got).digest('hex')).toBe(createHash('sha1').update(text).digest('hex'));
    expect(data.length).toBe(Buffer.byteLength(text));
  });

  it('pipelines many calls on one connection', async () => {
    const frames: number[] = [];
    const transport = binaryTransport({
      tls: false,
      connections: 1,
      onFrame: (dir) => {
        if (dir === 'out') frames.push(1);
      },
    });
    try {
      const calls = Array.from({ length: 50 }, (_, i) =>
        transport.call({ method: 'userinfo', host, params: { auth: emu.auth, id: `c${i}` }, responseType: 'json' }),
      );
      const results = await Promise.all(calls);
      expect(results.map((r) => r.result.id)).toEqual(Array.from({ length: 50 }, (_, i) => `c${i}`));
      expect(frames.length).toBe(50);
    } finally {
      await transport.close();
    }
  });

  it('keeps a sticky login on a connectionKey connection', async () => {
    const transport = binaryTransport({ tls: false });
    try {
      const login = await transport.call({
        method: 'userinfo',
        host,
        params: { auth: emu.auth },
        responseType: 'json',
        connectionKey: 'session',
      });
      expect(login.result.result).toBe(0);
      const same = await transport.call({ method: 'userinfo', host, params: {}, responseType: 'json', connectionKey: 'session' });
      expect(same.result.email).toBe(emu.username);
      const pooled = await transport.call({ method: 'userinfo', host, params: {}, responseType: 'json' });
      expect(pooled.result.result).toBe(1000);
    } finally {
      await transport.close();
    }
  });

  it('a cut answer fails with TransportError; a slow one times out', async () => {
    const transport = binaryTransport({ tls: false });
    try {
      emu.faults.dropAfterBytes('getdigest', 7);
      const cut = await transport.call({ method: 'getdigest', host, params: {}, responseType: 'json' }).catch((e: unknown) => e);
      expect(cut).toBeInstanceOf(TransportError);
      expect((cut as TransportError).network).toBe(false);
      emu.faults.clear();
      emu.faults.delay('getdigest', 5_000);
      const ctl = new AbortController();
      const slow = transport
        .call({ method: 'getdigest', host, params: {}, responseType: 'json', signal: ctl.signal })
        .catch((e: unknown) => e);
      const behind = transport.call({ method: 'getapiserver', host, params: {}, responseType: 'json', connectionKey: 'other' });
      expect((await behind).result.result).toBe(0);
      ctl.abort();
      expect(await slow).toBeInstanceOf(AbortError);
      const timed = createClient({ transport, region: { api: [emu.api], binapi: [host] }, timeout: 100, retries: 0 });
      await expect(timed.call('getdigest')).rejects.toBeInstanceOf(TimeoutError);
    } finally {
      emu.faults.clear();
      await transport.close();
    }
  });

  it('sends the bearer as access_token', async () => {
    const transport = binaryTransport({ tls: false });
    try {
      const r = await transport.call({ method: 'userinfo', host, params: {}, bearer: emu.access_token, responseType: 'json' });
      expect(r.result.email).toBe(emu.username);
    } finally {
      await transport.close();
    }
  });
});
