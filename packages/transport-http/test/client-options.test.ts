// The scheme travels with the client (downloads), and failures say what went wrong:
// an unknown method, a TLS handshake that never happened, a call after close().
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError, createClient, type CoreClient } from '@pcloudkit/core';
import { startEmulator } from '@pcloudkit/emulator';
import { downloads, httpTransport } from '../src/index.js';
import { startRawServer } from './helpers.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
let client: CoreClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  // a region without binapi: the HTTP transport never needs one
  client = createClient({ transport: httpTransport(), region: { api: [emu.api] }, auth: { accessToken: emu.access_token }, retries: 0 });
});
afterAll(async () => {
  await client?.close();
  await emu?.stop();
});

describe('client.download() and client.downloadToFile()', () => {
  it('fetch a link answer with the client’s scheme (http for the emulator), no scheme passed', async () => {
    const content = 'downloaded with the client scheme';
    const up = await client.call<{ metadata: Array<{ fileid: number }> }>(
      'uploadfile',
      { folderid: 0 },
      { files: [{ name: 'scheme.txt', data: new TextEncoder().encode(content) }] },
    );
    const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: up.metadata[0]!.fileid });
    expect(link.hosts[0]).not.toMatch(/^https?:/); // bare hosts: the scheme has to come from somewhere
    const c = client.use(downloads);
    const got = await c.download(link);
    expect(got.url.startsWith('http://')).toBe(true);
    expect(await new Response(got.body).text()).toBe(content);

    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-dl-'));
    try {
      const saved = await c.downloadToFile(link, join(dir, 'f.txt'));
      expect(saved.bytes).toBe(content.length);
      expect(await readFile(join(dir, 'f.txt'), 'utf8')).toBe(content);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('failures that say what happened', () => {
  it('an unknown method: the server hung up, and the error says it may not know the method', async () => {
    const error = await client.call('nosuchmethod').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/closed the connection before answering; the server may not know the method 'nosuchmethod'/);
    // the connection pool recovers
    expect((await client.call<{ result: number }>('getdigest', {}, { auth: false })).result).toBe(0);
  });

  it('a TLS handshake the server hangs up on is network: true (nothing of the request was sent)', async () => {
    const server = await startRawServer((socket) => socket.destroy());
    try {
      const c = createClient({ transport: httpTransport(), region: { api: [`https://127.0.0.1:${server.port}`] }, retries: 0 });
      const error = await c.call('getdigest').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ network: true });
      expect((error as Error).message).toMatch(/TLS handshake failed: if 127\.0\.0\.1:\d+ speaks plain HTTP, write the host as http:\/\//);
      await c.close();
    } finally {
      await server.close();
    }
  });

  it('a call after close() fails at once, on the client and on the bare transport', async () => {
    const transport = httpTransport();
    const c = createClient({ transport, region: { api: [emu.api] } });
    await c.call('getdigest');
    await c.close();
    const onClient = await c.call('getdigest').catch((e: unknown) => e);
    expect(onClient).toBeInstanceOf(TransportError);
    expect((onClient as Error).message).toBe('getdigest: the client is closed');
    const onTransport = await transport
      .call({ method: 'getdigest', host: emu.api, params: {}, responseType: 'json' } as never)
      .catch((e: unknown) => e);
    expect(onTransport).toBeInstanceOf(TransportError);
    expect((onTransport as Error).message).toBe('http: the transport is closed');
  });
});
