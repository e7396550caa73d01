import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, createClient } from '@pcloudkit/core';
import { binaryTransport } from '../src/index.js';
import { DataMark } from './helpers/test-encoder.js';
import { startFakeServer, type FakeServer } from './helpers/fake-server.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('binaryTransport under createClient', () => {
  it('carries credentials, dates, 64-bit hashes, errors and data answers', async () => {
    server = await startFakeServer((r, c) => {
      if (r.method === 'userinfo') c.reply({ result: 0, email: 'a@b.c', hash: 2n ** 63n + 5n, lastsubscription: 1_700_000_000 });
      else if (r.method === 'gettextfile') c.reply({ result: 0, data: new DataMark(2) }, Uint8Array.from([0x68, 0x69]));
      else c.reply({ result: 2009, error: 'File not found.' });
    });
    const client = createClient({
      transport: binaryTransport({ tls: false }),
      region: { api: ['http://127.0.0.1:9'], binapi: [server.host] },
      auth: { accessToken: 'AT' },
      retries: 0,
    });
    try {
      const me = await client.call<Record<string, unknown>>('userinfo');
      expect(me.email).toBe('a@b.c');
      expect(me.hash).toBe(2n ** 63n + 5n);
      const sent = server.requests[0]!.params;
      expect(sent.access_token ?? sent.auth).toBe('AT');
      expect(sent.timeformat).toBe('timestamp');

      const text = await client.call<{ body: ReadableStream<Uint8Array> }>('gettextfile', { fileid: 1 }, { responseType: 'data' });
      expect(await new Response(text.body).text()).toBe('hi');

      await expect(client.call('stat', { fileid: 1 })).rejects.toBeInstanceOf(ApiError);
      await expect(client.call('stat', { fileid: 1 })).rejects.toMatchObject({ result: 2009 });
    } finally {
      await client.close();
    }
  });
});
