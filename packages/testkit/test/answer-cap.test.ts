/**
 * JSON answers have a size cap on every transport (`maxAnswerBytes`, 64 MiB
 * by default): a longer answer fails with `AnswerTooLargeError` instead of
 * being held in memory, whether its length is announced or not.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { AnswerTooLargeError, createClient, DEFAULT_MAX_ANSWER_BYTES, ProtocolError, type Transport } from '@pcloudkit/core';
import { binaryTransport } from '@pcloudkit/transport-binary';
import { fetchTransport } from '@pcloudkit/transport-fetch';
import { httpTransport } from '@pcloudkit/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;
/** `{"result":0,"pad":"xxx..."}` of exactly `size` bytes. */
const answer = (size: number) => Buffer.from(`{"result":0,"pad":"${'x'.repeat(size - 21)}"}`);

let http: Server;
let api = '';
let bytesSent = 0;
beforeAll(async () => {
  http = createServer((req, res) => {
    const size = Number(new URL(req.url!, 'http://x').searchParams.get('size'));
    const body = answer(size);
    if (req.url!.includes('chunked')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      // in 64 KiB pieces, as long as the client reads
      let at = 0;
      const more = () => {
        while (at < body.length) {
          const piece = body.subarray(at, at + 64 * 1024);
          at += piece.length;
          bytesSent += piece.length;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end();
      };
      res.on('close', () => (at = body.length));
      more();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    }
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  api = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => http.close(() => r())));

const transports: [string, (max?: number) => Transport][] = [
  ['http', (max) => httpTransport(max === undefined ? {} : { maxAnswerBytes: max })],
  ['fetch', (max) => fetchTransport(max === undefined ? {} : { maxAnswerBytes: max })],
];

describe.each(transports)('JSON answer cap over %s', (_name, make) => {
  const call = async (method: string, size: number, max?: number) => {
    const client = createClient({ transport: make(max), region: { api: [api], binapi: ['127.0.0.1:1'] }, retries: 0 });
    try {
      return await client.call<{ pad: string }>(method, { size });
    } finally {
      await client.close();
    }
  };

  it('answers within the cap are read whole', async () => {
    expect((await call('sized', MiB, MiB)).pad.length).toBe(MiB - 21);
    expect((await call('chunked', MiB, MiB)).pad.length).toBe(MiB - 21);
  });

  it('an announced length past the cap is refused before reading', async () => {
    const e = await call('sized', MiB + 1, MiB).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AnswerTooLargeError);
    expect(e).toBeInstanceOf(ProtocolError);
    expect((e as AnswerTooLargeError).limit).toBe(MiB);
  });

  it('a chunked answer is cut as soon as it passes the cap', async () => {
    bytesSent = 0;
    const e = await call('chunked', 32 * MiB, MiB).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AnswerTooLargeError);
    // the client stopped reading: far less than the whole answer went out
    expect(bytesSent).toBeLessThan(16 * MiB);
  });

  it('the default cap is 64 MiB', async () => {
    expect(DEFAULT_MAX_ANSWER_BYTES).toBe(64 * MiB);
    const e = await call('sized', 64 * MiB + 1).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AnswerTooLargeError);
  });
});

describe('answer cap over binary', () => {
  let tcp: TcpServer;
  let host = '';
  beforeAll(async () => {
    // announces a frame of 200 MiB and sends nothing more
    tcp = createTcpServer((s) => {
      s.once('data', () => {
        const head = Buffer.alloc(4);
        head.writeUInt32LE(200 * MiB);
        s.write(head);
      });
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(tcp.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => tcp.close(() => r())));

  it.each([undefined, MiB])('a frame longer than the cap (%s) is refused from its length alone', async (max) => {
    const transport = binaryTransport({ tls: false, ...(max === undefined ? {} : { maxAnswerBytes: max }) });
    const client = createClient({ transport, region: { api: ['127.0.0.1:1'], binapi: [host] }, retries: 0 });
    const e = await client.call('userinfo').catch((x: unknown) => x);
    await client.close();
    expect(e).toBeInstanceOf(AnswerTooLargeError);
    expect((e as AnswerTooLargeError).limit).toBe(max ?? 64 * MiB);
  });
});
