/**
 * The template plugin twice: on core's in-memory transport (what is sent,
 * what comes back, no server at all) and against the emulator over HTTP.
 */
import { createClient, memoryTransport, ValidationError } from '@pcloudkit/core';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import { httpTransport } from '@pcloudkit/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { template } from '../src/index.js';

describe('on the in-memory transport', () => {
  it('sends stat with the given param and decodes the answer', async () => {
    const transport = memoryTransport({
      answer: (request) => ({
        result: 0,
        metadata: { name: 'a.txt', isfolder: false, fileid: Number(request.params.fileid), size: 5, modified: 1700000000 },
      }),
    });
    const client = createClient({ transport, auth: { accessToken: 'token' } }).use(template);
    const { metadata } = await client.stat({ fileid: 42 });
    expect(transport.requests.map((r) => [r.method, r.params.fileid, r.bearer])).toEqual([['stat', 42, 'token']]);
    expect(metadata.fileid).toBe(42);
    // Datetimes arrive as Date.
    expect(metadata.modified).toEqual(new Date(1700000000 * 1000));
  });

  it('refuses bad params before sending anything', async () => {
    const transport = memoryTransport();
    const client = createClient({ transport, auth: { accessToken: 'token' } }).use(template);
    await expect(client.stat({ fileid: 1, path: '/a' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.stat({ fileid: -1 })).rejects.toBeInstanceOf(ValidationError);
    expect(transport.requests).toEqual([]);
  });
});

describe('against the emulator over HTTP', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seed: false });
  });
  afterAll(async () => emulator?.stop());

  it('reads the size of an uploaded file', async () => {
    const client = createClient({
      transport: httpTransport(),
      region: { api: [emulator.api] },
      auth: { accessToken: emulator.access_token },
    }).use(template);
    await client.call('uploadfile', { folderid: 0 }, { files: [{ name: 'hello.txt', data: new TextEncoder().encode('hello, template') }] });
    expect(await client.sizeOf('/hello.txt')).toBe(15);
    await expect(client.sizeOf('/missing.txt')).rejects.toMatchObject({ result: 2009 });
    await client.close();
  });
});
