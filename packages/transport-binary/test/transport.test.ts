import { afterEach, describe, expect, it } from 'vitest';
import * as net from 'node:net';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortError, ProtocolError, TransportError, ValidationError, defineMethod, param } from '@pcloudkit/core';
import type { Progress, TransportRequest, Transport } from '@pcloudkit/core';
import { binaryTransport, encodeRequest, parseHost, type BinaryTransportOptions } from '../src/index.js';
import { DataMark, encodeTree, frameOf } from './helpers/test-encoder.js';
import { startFakeServer, TLS_CERT, type FakeServer, type Handler } from './helpers/fake-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(handler: Handler, opts: BinaryTransportOptions = {}, serverOpts: { tls?: boolean } = {}) {
  const server = await startFakeServer(handler, serverOpts);
  const transport = binaryTransport({ tls: false, ...opts });
  cleanups.push(
    () => server.stop(),
    () => transport.close(),
  );
  return { server, transport };
}

const req = (
  host: string,
  method: string,
  params: TransportRequest['params'] = {},
  extra: Partial<TransportRequest> = {},
): TransportRequest => ({
  method,
  params,
  host,
  responseType: 'json',
  ...extra,
});

/** Replies to every request with { result: 0, method, echo: <param "n"> }. */
const echo: Handler = (r, c) => c.reply({ result: 0, method: r.method, n: (r.params.n as bigint | undefined) ?? 0n });

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('binaryTransport: calls', () => {
  it('sends method and params, decodes the answer, adds the bearer as access_token', async () => {
    const { server, transport } = await setup((r, c) => c.reply({ result: 0, got: r.params.s as string, big: 2n ** 60n }));
    expect(transport.name).toBe('binary');
    expect(transport.hostKind).toBe('binapi');
    const res = await transport.call(req(server.host, 'userinfo', { s: 'héllo', n: 7, neg: -1, b: true }, { bearer: 'TOKEN' }));
    expect(res.result).toEqual({ result: 0, got: 'héllo', big: 2n ** 60n });
    expect(res.host).toBe(server.host);
    expect(res.data).toBeUndefined();
    expect(server.requests[0]!.method).toBe('userinfo');
    expect(server.requests[0]!.params).toEqual({ s: 'héllo', n: 7n, neg: '-1', b: true, access_token: 'TOKEN' });
  });

  it('pipelines calls on one connection and matches answers in order', async () => {
    // The server answers nothing until all 20 requests arrived: only a
    // pipelining client can get there on a single connection.
    const { server, transport } = await setup(
      (_r, c) => {
        if (c.requests.length === 20) for (const r of c.requests) c.reply({ result: 0, n: r.params.n as bigint });
      },
      { connections: 1 },
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => transport.call(req(server.host, 'm', { n: i }))));
    expect(results.map((r) => r.result.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(server.conns.length).toBe(1);
  });

  it('spreads concurrent calls over at most `connections` sockets', async () => {
    const { server, transport } = await setup(
      (_r, c) => {
        void c; // answers are released below
      },
      { connections: 3 },
    );
    const calls = Array.from({ length: 9 }, (_, i) => transport.call(req(server.host, 'm', { n: i })));
    await server.waitRequests(9);
    expect(server.conns.length).toBe(3);
    for (const c of server.conns) for (const r of c.requests) c.reply({ result: 0, n: r.params.n as bigint });
    const results = await Promise.all(calls);
    expect(results.map((r) => r.result.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('reuses an idle pooled connection for sequential calls', async () => {
    const { server, transport } = await setup(echo, { connections: 4 });
    for (let i = 0; i < 5; i++) expect((await transport.call(req(server.host, 'm', { n: i }))).result.n).toBe(i);
    expect(server.conns.length).toBe(1);
  });

  it('keeps calls with a connectionKey on their own dedicated connection', async () => {
    const { server, transport } = await setup((r, c) => c.reply({ result: 0, conn: c.id }));
    const a1 = await transport.call(req(server.host, 'file_open', {}, { connectionKey: 'A' }));
    const pooled = await transport.call(req(server.host, 'userinfo'));
    const b1 = await transport.call(req(server.host, 'file_open', {}, { connectionKey: 'B' }));
    const a2 = await transport.call(req(server.host, 'file_read', {}, { connectionKey: 'A' }));
    expect(a2.result.conn).toBe(a1.result.conn);
    expect(new Set([a1.result.conn, b1.result.conn, pooled.result.conn]).size).toBe(3);
  });

  it('release(key) closes the connection of that key only; the next call with the key opens a new one', async () => {
    const { server, transport } = await setup((_r, c) => c.reply({ result: 0, conn: c.id }));
    const a1 = await transport.call(req(server.host, 'file_open', {}, { connectionKey: 'A' }));
    const b1 = await transport.call(req(server.host, 'file_open', {}, { connectionKey: 'B' }));
    await transport.release!('A');
    const a2 = await transport.call(req(server.host, 'file_read', {}, { connectionKey: 'A' }));
    const b2 = await transport.call(req(server.host, 'file_read', {}, { connectionKey: 'B' }));
    expect(a2.result.conn).not.toBe(a1.result.conn);
    expect(b2.result.conn).toBe(b1.result.conn);
    await transport.release!('no such key');
  });

  it('keeps connection-bound methods on one dedicated connection even without a connectionKey', async () => {
    const { server, transport } = await setup((r, c) => c.reply({ result: 0, conn: c.id }), { connections: 4 });
    const bound = defineMethod({ name: 'file_read', group: 'test', params: { fd: param.int() }, connectionBound: true });
    const free = defineMethod({ name: 'userinfo', group: 'test' });
    const pooled = await transport.call(req(server.host, 'userinfo', {}, { definition: free }));
    // Concurrent calls spread over the pool; connection-bound ones must not.
    const [b, p] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => transport.call(req(server.host, 'file_read', { fd: 1 }, { definition: bound })))),
      Promise.all(Array.from({ length: 6 }, () => transport.call(req(server.host, 'userinfo', {}, { definition: free })))),
    ]);
    const boundConns = new Set(b.map((r) => r.result.conn));
    expect(boundConns.size).toBe(1);
    expect(boundConns.has(pooled.result.conn)).toBe(false);
    expect(new Set(p.map((r) => r.result.conn)).size).toBeGreaterThan(1);
    // An explicit key still wins over the shared connection-bound one.
    const keyed = await transport.call(req(server.host, 'file_read', { fd: 1 }, { definition: bound, connectionKey: 'mine' }));
    expect(boundConns.has(keyed.result.conn)).toBe(false);
  });

  it('sends nothing behind a waiting long poll when another connection can take it', async () => {
    // The server holds the long poll until the test releases it, and answers `slow` after 100 ms.
    let release: (() => void) | undefined;
    const { server, transport } = await setup(
      (r, c) => {
        if (r.params.wait !== undefined) release = () => c.reply({ result: 0, conn: c.id, event: 'change' });
        else if (r.method === 'slow') setTimeout(() => c.reply({ result: 0, conn: c.id }), 100);
        else c.reply({ result: 0, conn: c.id });
      },
      { connections: 2 },
    );
    const poll = defineMethod({ name: 'subscribe', group: 'test', params: { wait: param.flag() }, longPoll: 'wait' });
    // Two pooled connections, both idle.
    const warm = await Promise.all([transport.call(req(server.host, 'userinfo')), transport.call(req(server.host, 'userinfo'))]);
    expect(new Set(warm.map((w) => w.result.conn)).size).toBe(2);
    const waiting = transport.call(req(server.host, 'subscribe', { wait: true }, { definition: poll }));
    const slow = transport.call(req(server.host, 'slow'));
    // Each connection now has one call outstanding; the one holding the long poll must count as busier.
    const other = await transport.call(req(server.host, 'userinfo', {}, { signal: AbortSignal.timeout(5000) }));
    expect(other.result.conn).toBe((await slow).result.conn);
    expect(release).toBeDefined();
    release!();
    const answer = (await waiting).result;
    expect(answer.event).toBe('change');
    expect(answer.conn).not.toBe(other.result.conn);
  });

  it('connects over TLS with the given tlsOptions, and refuses an untrusted certificate by default', async () => {
    const server = await startFakeServer(echo, { tls: true });
    cleanups.push(() => server.stop());
    const trusting = binaryTransport({ tlsOptions: { ca: TLS_CERT } });
    const strict = binaryTransport();
    cleanups.push(
      () => trusting.close(),
      () => strict.close(),
    );
    expect((await trusting.call(req(`localhost:${server.port}`, 'm', { n: 5 }))).result.n).toBe(5);
    const r = await settle(strict.call(req(`localhost:${server.port}`, 'm')));
    expect(r.ok).toBe(false);
    expect((r as { error: unknown }).error).toBeInstanceOf(TransportError);
    expect((r as { error: TransportError }).error.network).toBe(true);
  });

  it('reports frames through onFrame', async () => {
    const frames: Array<[string, string]> = [];
    const { server, transport } = await setup(echo, { onFrame: (dir, bytes) => frames.push([dir, Buffer.from(bytes).toString('hex')]) });
    await transport.call(req(server.host, 'm', { n: 3 }));
    expect(frames[0]).toEqual(['out', Buffer.from(encodeRequest('m', { n: 3 })).toString('hex')]);
    expect(frames[1]).toEqual(['in', Buffer.from(frameOf(encodeTree({ result: 0, method: 'm', n: 3n }))).toString('hex')]);
  });

  it('parses host entries', () => {
    expect(parseHost('binapi.pcloud.com', 443)).toEqual({ host: 'binapi.pcloud.com', port: 443 });
    expect(parseHost('127.0.0.1:8398', 443)).toEqual({ host: '127.0.0.1', port: 8398 });
    expect(parseHost('[::1]:81', 443)).toEqual({ host: '::1', port: 81 });
    expect(parseHost('http://127.0.0.1:9000', 80)).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(() => parseHost('h:0', 80)).toThrow(TransportError);
  });
});

describe('binaryTransport: bad input fails before sending', () => {
  it.each([
    ['a 64-byte param name', { ['p'.repeat(64)]: 1 }],
    ['a header above 64 KiB', { s: 'x'.repeat(70_000) }],
  ])('%s', async (_name, params) => {
    const { server, transport } = await setup(echo);
    const r = await settle(transport.call(req(server.host, 'm', params)));
    expect((r as { error: unknown }).error).toBeInstanceOf(ValidationError);
    expect(server.conns.length).toBe(0);
  });

  it('rejects more than one file, and streams without a size', async () => {
    const { server, transport } = await setup(echo);
    const two = await settle(
      transport.call(
        req(
          server.host,
          'uploadfile',
          {},
          {
            files: [
              { name: 'a', data: new Uint8Array(1) },
              { name: 'b', data: new Uint8Array(1) },
            ],
          },
        ),
      ),
    );
    expect((two as { error: unknown }).error).toBeInstanceOf(ValidationError);
    expect((two as { error: Error }).error.message).toMatch(/exactly one file/);
    async function* gen() {
      yield new Uint8Array(3);
    }
    const unsized = await settle(transport.call(req(server.host, 'uploadfile', {}, { files: [{ name: 'a', data: gen() }] })));
    expect((unsized as { error: Error }).error.message).toMatch(/UploadFile.size/);
    expect(server.conns.length).toBe(0);
    // A missing file is found while the call waits its turn: nothing of it is sent.
    const missing = await settle(
      transport.call(req(server.host, 'uploadfile', {}, { files: [{ name: 'a', data: { path: '/nonexistent/file' } }] })),
    );
    expect((missing as { error: unknown }).error).toBeInstanceOf(ValidationError);
    expect((missing as { error: Error }).error.message).toMatch(/nonexistent/);
    expect(server.requests.length).toBe(0);
  });

  it('rejects a call whose signal is already aborted', async () => {
    const { server, transport } = await setup(echo);
    const r = await settle(transport.call(req(server.host, 'm', {}, { signal: AbortSignal.abort() })));
    expect((r as { error: unknown }).error).toBeInstanceOf(AbortError);
    expect(server.conns.length).toBe(0);
  });
});

describe('binaryTransport: uploads', () => {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
  const ack: Handler = (r, c) => c.reply({ result: 0, size: BigInt(r.payload?.length ?? -0) });

  it('streams bytes, Blobs, files, web streams and async iterables after the header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bin-upload-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const content = bytes(300_000);
    await writeFile(join(dir, 'f.bin'), content);
    const { server, transport } = await setup(ack, { connections: 1 });
    const sources = [
      { name: 'u8.bin', data: content },
      { name: 'blob.bin', data: new Blob([content]) },
      { name: 'path.bin', data: { path: join(dir, 'f.bin') } },
      { name: 'web.bin', data: new Blob([content]).stream() as ReadableStream<Uint8Array>, size: content.length },
      {
        name: 'iter.bin',
        data: (async function* () {
          for (let i = 0; i < content.length; i += 1000) yield content.subarray(i, i + 1000);
        })(),
        size: content.length,
      },
    ];
    // All pipelined on one connection: payloads must not interleave.
    const results = await Promise.all(sources.map((f) => transport.call(req(server.host, 'uploadfile', { folderid: 0 }, { files: [f] }))));
    for (const r of results) expect(r.result.size).toBe(content.length);
    for (const [i, r] of server.requests.entries()) {
      expect(r.params.filename).toBe(sources[i]!.name);
      expect(Buffer.from(r.payload!).equals(Buffer.from(content))).toBe(true);
    }
  });

  it('reports upload progress up to the total and sends no filename for a payloadUpload method', async () => {
    const { server, transport } = await setup(ack);
    const seen: Progress[] = [];
    const definition = defineMethod({ name: 'file_write', group: 'test', params: { fd: param.int() }, payloadUpload: true });
    await transport.call(
      req(
        server.host,
        'file_write',
        { fd: -1 },
        { definition, files: [{ name: 'x', data: bytes(1_000_000) }], onUploadProgress: (p) => seen.push(p) },
      ),
    );
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toEqual({ loaded: 1_000_000, total: 1_000_000 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded).toBeGreaterThanOrEqual(seen[i - 1]!.loaded);
    expect(server.requests[0]!.params).toEqual({ fd: '-1' });
    expect(server.requests[0]!.payload!.length).toBe(1_000_000);
  });

  it('decides on the file name by the payloadUpload trait, not by the method name', async () => {
    const { server, transport } = await setup(ack);
    const bare = defineMethod({ name: 'putbytes', group: 'test', params: { fd: param.int() }, payloadUpload: true });
    const named = defineMethod({ name: 'file_write', group: 'test', params: { fd: param.int() }, data: 'upload' });
    const data = bytes(70_000);
    await transport.call(req(server.host, 'putbytes', { fd: 3 }, { definition: bare, files: [{ name: '', data }] }));
    await transport.call(req(server.host, 'file_write', { fd: 3 }, { definition: named, files: [{ name: 'n.bin', data }] }));
    expect(server.requests.map((r) => [r.method, r.params.filename])).toEqual([
      ['putbytes', undefined],
      ['file_write', 'n.bin'],
    ]);
    for (const r of server.requests) expect(Buffer.from(r.payload!).equals(Buffer.from(data))).toBe(true);
  });

  it('sends an empty file without the data bit', async () => {
    const { server, transport } = await setup(ack);
    await transport.call(req(server.host, 'uploadfile', {}, { files: [{ name: 'empty', data: new Uint8Array(0) }] }));
    expect(server.requests[0]!.payload).toBeUndefined();
    expect(server.requests[0]!.params.filename).toBe('empty');
  });

  it('fails and closes the connection when a stream is shorter than its declared size', async () => {
    const { server, transport } = await setup(ack);
    async function* short() {
      yield new Uint8Array(10);
    }
    const r = await settle(transport.call(req(server.host, 'uploadfile', {}, { files: [{ name: 'a', data: short(), size: 20 }] })));
    expect((r as { error: unknown }).error).toBeInstanceOf(TransportError);
    expect((r as { error: Error }).error.message).toMatch(/10 of its declared 20/);
    await server.waitClosed(1);
  });
});

describe('binaryTransport: data answers', () => {
  const payloadOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);

  it('surfaces a data value as a stream of exactly its length; the next answer follows', async () => {
    const payload = payloadOf(100_000);
    const { server, transport } = await setup(
      (r, c) => {
        if (r.method === 'file_read') c.reply({ result: 0, data: new DataMark(payload.length) }, payload);
        else c.reply({ result: 0, after: true });
      },
      { connections: 1 },
    );
    const a = transport.call(req(server.host, 'file_read', {}, { responseType: 'data' }));
    const b = transport.call(req(server.host, 'userinfo'));
    const ra = await a;
    expect(ra.result).toEqual({ result: 0 });
    expect(ra.data!.length).toBe(100_000);
    expect(Buffer.from(await readAll(ra.data!.body)).equals(Buffer.from(payload))).toBe(true);
    expect((await b).result).toEqual({ result: 0, after: true });
  });

  it('holds later answers until the download is consumed (backpressure)', async () => {
    const size = 8 * 1024 * 1024;
    const payload = payloadOf(size);
    const { server, transport } = await setup(
      (r, c) => {
        if (r.method === 'file_read') c.reply({ result: 0, data: new DataMark(size) }, payload);
        else c.reply({ result: 0 });
      },
      { connections: 1 },
    );
    const a = await transport.call(req(server.host, 'file_read', {}, { responseType: 'data' }));
    let bDone = false;
    const b = transport.call(req(server.host, 'userinfo')).then((r) => {
      bDone = true;
      return r;
    });
    await server.waitRequests(2);
    const reader = a.data!.body.getReader();
    const first = await reader.read();
    // Most of the payload is still unread, so b's answer (behind it on the wire) cannot have been parsed.
    expect(bDone).toBe(false);
    let total = first.value!.length;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
    }
    expect(total).toBe(size);
    expect((await b).result).toEqual({ result: 0 });
  });

  it('skips the rest of a cancelled small download and keeps the connection', async () => {
    const payload = payloadOf(50_000);
    const { server, transport } = await setup(
      (r, c) => {
        if (r.method === 'file_read') c.reply({ result: 0, data: new DataMark(payload.length) }, payload);
        else c.reply({ result: 0, ok: true });
      },
      { connections: 1 },
    );
    const a = await transport.call(req(server.host, 'file_read', {}, { responseType: 'data' }));
    await a.data!.body.cancel();
    expect((await transport.call(req(server.host, 'userinfo'))).result).toEqual({ result: 0, ok: true });
    expect(server.conns.length).toBe(1);
  });

  it('closes the connection when a large download is cancelled; the call behind it fails', async () => {
    const size = 4 * 1024 * 1024;
    const { server, transport } = await setup(
      (r, c) => {
        if (r.method === 'file_read') c.reply({ result: 0, data: new DataMark(size) }, payloadOf(size));
        else c.reply({ result: 0 });
      },
      { connections: 1, drainLimit: 1024 },
    );
    const a = await transport.call(req(server.host, 'file_read', {}, { responseType: 'data' }));
    const b = settle(transport.call(req(server.host, 'userinfo')));
    await server.waitRequests(2);
    await a.data!.body.cancel();
    const rb = await b;
    expect((rb as { error: unknown }).error).toBeInstanceOf(TransportError);
    expect((rb as { error: TransportError }).error.network).toBe(false);
    await server.waitClosed(1);
  });

  it('handles a zero-length payload and an error answer to a data request', async () => {
    const { server, transport } = await setup((r, c) => {
      if (r.params.n === 1n) c.reply({ result: 0, data: new DataMark(0) });
      else c.reply({ result: 2009, error: 'File not found.' });
    });
    const empty = await transport.call(req(server.host, 'file_read', { n: 1 }, { responseType: 'data' }));
    expect((await readAll(empty.data!.body)).length).toBe(0);
    const failed = await transport.call(req(server.host, 'getfile', { n: 2 }, { responseType: 'data' }));
    expect(failed.result).toEqual({ result: 2009, error: 'File not found.' });
    expect(failed.data).toBeUndefined();
  });

  it('errors the download stream when the connection dies mid-payload', async () => {
    const { server, transport } = await setup((_r, c) => {
      c.reply({ result: 0, data: new DataMark(1000) }, payloadOf(10));
      setImmediate(() => c.socket.destroy());
    });
    const a = await transport.call(req(server.host, 'file_read', {}, { responseType: 'data' }));
    const r = await settle(readAll(a.data!.body));
    expect((r as { error: unknown }).error).toBeInstanceOf(TransportError);
  });
});

describe('binaryTransport: failures never hang', () => {
  it('refused connection: TransportError with network: true', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const transport = binaryTransport({ tls: false });
    cleanups.push(() => transport.close());
    const r = await settle(transport.call(req(`127.0.0.1:${port}`, 'm')));
    expect((r as { error: unknown }).error).toBeInstanceOf(TransportError);
    expect((r as { error: TransportError }).error.network).toBe(true);
  });

  it('connection closed after the request was written: network: false', async () => {
    const { server, transport } = await setup((_r, c) => c.socket.destroy());
    const r = await settle(transport.call(req(server.host, 'm')));
    expect((r as { error: unknown }).error).toBeInstanceOf(TransportError);
    expect((r as { error: TransportError }).error.network).toBe(false);
    // The next call opens a fresh connection.
    expect(server.conns.length).toBe(1);
  });

  it('a malformed answer gives ProtocolError to its call and TransportError to the ones behind it', async () => {
    const { server, transport } = await setup(
      (r, c) => {
        if (c.requests.length === 2) c.raw(Uint8Array.from([3, 0, 0, 0, 0x10, 0x65, 0x61])); // truncated hash
      },
      { connections: 1 },
    );
    const a = settle(transport.call(req(server.host, 'm')));
    const b = settle(transport.call(req(server.host, 'm')));
    expect(((await a) as { error: unknown }).error).toBeInstanceOf(ProtocolError);
    expect(((await b) as { error: unknown }).error).toBeInstanceOf(TransportError);
  });

  it('a frame over maxFrameSize fails without waiting for its bytes', async () => {
    const { server, transport } = await setup((_r, c) => c.raw(Uint8Array.from([0, 0, 0, 0x10])), { limits: { maxFrameSize: 1024 } });
    const r = await settle(transport.call(req(server.host, 'm')));
    expect((r as { error: Error }).error).toBeInstanceOf(ProtocolError);
    expect((r as { error: Error }).error.message).toMatch(/exceeds the limit/);
  });

  it('aborting a written call closes its connection and fails the pipelined ones', async () => {
    const { server, transport } = await setup(
      () => {
        /* never answers */
      },
      { connections: 1 },
    );
    const ctl = new AbortController();
    const a = settle(transport.call(req(server.host, 'm', {}, { signal: ctl.signal })));
    const b = settle(transport.call(req(server.host, 'm')));
    await server.waitRequests(2);
    ctl.abort();
    expect(((await a) as { error: unknown }).error).toBeInstanceOf(AbortError);
    const eb = ((await b) as { error: TransportError }).error;
    expect(eb).toBeInstanceOf(TransportError);
    expect(eb.network).toBe(false);
    await server.waitClosed(1);
  });

  it('aborting a download mid-stream errors the stream', async () => {
    const { server, transport } = await setup((_r, c) => c.reply({ result: 0, data: new DataMark(5_000_000) }, new Uint8Array(5_000_000)), {
      drainLimit: 0,
    });
    const ctl = new AbortController();
    const a = await transport.call(req(server.host, 'file_read', {}, { responseType: 'data', signal: ctl.signal }));
    const reader = a.data!.body.getReader();
    await reader.read();
    ctl.abort();
    const r = await settle(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
    );
    expect((r as { error: unknown }).error).toBeInstanceOf(AbortError);
    await server.waitClosed(1);
  });

  it('a TLS handshake that never completes fails after connectTimeout with network: true', async () => {
    // A TCP server that accepts and then says nothing: the TLS client waits for a ServerHello.
    const silent = net.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const sockets: net.Socket[] = [];
    silent.on('connection', (s) => sockets.push(s));
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          silent.close(() => r());
        }),
    );
    const transport = binaryTransport({ connectTimeout: 50 });
    cleanups.push(() => transport.close());
    const r = await settle(transport.call(req(`127.0.0.1:${(silent.address() as net.AddressInfo).port}`, 'm')));
    const error = (r as { error: TransportError }).error;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.network).toBe(true);
    expect(error.message).toMatch(/timed out/);
  });

  it('an upload source that throws fails its call and closes the connection', async () => {
    const { server, transport } = await setup((_r, c) => c.reply({ result: 0 }));
    async function* broken() {
      yield new Uint8Array(100);
      throw new Error('disk on fire');
    }
    const r = await settle(transport.call(req(server.host, 'uploadfile', {}, { files: [{ name: 'a', data: broken(), size: 1000 }] })));
    const error = (r as { error: TransportError }).error;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.network).toBe(false);
    expect(error.message).toMatch(/disk on fire/);
    await server.waitClosed(1);
  });

  it('closes idle connections after idleTimeout', async () => {
    const { server, transport } = await setup(echo, { idleTimeout: 20 });
    await transport.call(req(server.host, 'm'));
    await server.waitClosed(1);
    expect((await transport.call(req(server.host, 'm', { n: 2 }))).result.n).toBe(2);
    expect(server.conns.length).toBe(2);
  });

  it('close() fails outstanding calls and refuses new ones', async () => {
    const server = await startFakeServer(() => {});
    cleanups.push(() => server.stop());
    const transport: Transport = binaryTransport({ tls: false });
    const a = settle(transport.call(req(server.host, 'm')));
    await server.waitRequests(1);
    await transport.close();
    expect(((await a) as { error: unknown }).error).toBeInstanceOf(TransportError);
    expect(((await settle(transport.call(req(server.host, 'm')))) as { error: unknown }).error).toBeInstanceOf(TransportError);
  });
});
