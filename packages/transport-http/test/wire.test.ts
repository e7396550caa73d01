import { Readable } from 'node:stream';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError, TransportError, ValidationError, defineMethod, param, type Progress } from '@pcloudkit/core';
import { httpTransport } from '../src/index.js';
import { json, parseMultipart, startServer, type TestServer } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function server(handler: Parameters<typeof startServer>[0] = (_q, res) => json(res, '{"result":0}')): Promise<TestServer> {
  const s = await startServer(handler);
  cleanup.push(s.close);
  return s;
}
function transport(options?: Parameters<typeof httpTransport>[0]) {
  const t = httpTransport(options);
  cleanup.push(() => t.close());
  return t;
}

describe('requests', () => {
  it('sends a small call as GET /<method>?<params> with keep-alive, user agent and bearer', async () => {
    const s = await server((_q, res) => json(res, '{"result":0,"userid":7}'));
    const t = transport({ userAgent: 'test-agent/1' });
    const answer = await t.call({
      method: 'userinfo',
      host: s.origin,
      params: { folderid: 0, name: 'a b&c=d/é', big: 18446744073709551615n, on: true, off: false },
      bearer: 'tok123',
      responseType: 'json',
    });
    expect(answer).toEqual({ result: { result: 0, userid: 7 }, host: s.origin });
    const [r] = s.requests;
    expect(r!.method).toBe('GET');
    expect(r!.url).toBe('/userinfo?folderid=0&name=a%20b%26c%3Dd%2F%C3%A9&big=18446744073709551615&on=1&off=0');
    expect(r!.headers.connection).toBe('keep-alive');
    expect(r!.headers['user-agent']).toBe('test-agent/1');
    expect(r!.headers.authorization).toBe('Bearer tok123');
    expect(r!.body.length).toBe(0);
    const url = new URL(r!.url, 'http://x');
    expect(url.searchParams.get('name')).toBe('a b&c=d/é');
  });

  it('sends a call without params as a bare GET path', async () => {
    const s = await server();
    await transport().call({ method: 'getdigest', host: s.origin, params: {}, responseType: 'json' });
    expect(s.requests[0]!.url).toBe('/getdigest');
  });

  it('switches to a url-encoded POST above postThreshold, with the params only in the body', async () => {
    const s = await server();
    const t = transport({ postThreshold: 100 });
    const small = { name: 'x'.repeat(50) };
    const large = { name: 'y'.repeat(120), folderid: 12 };
    await t.call({ method: 'createfolder', host: s.origin, params: small, responseType: 'json' });
    await t.call({ method: 'createfolder', host: s.origin, params: large, responseType: 'json' });
    expect(s.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
    const post = s.requests[1]!;
    expect(post.url).toBe('/createfolder');
    expect(post.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(post.body.toString()).toBe(`name=${'y'.repeat(120)}&folderid=12`);
    expect(Object.fromEntries(new URLSearchParams(post.body.toString()))).toEqual({ name: 'y'.repeat(120), folderid: '12' });
  });

  it('uses the default threshold of about 2000 bytes', async () => {
    const s = await server();
    const t = transport();
    await t.call({ method: 'm', host: s.origin, params: { v: 'a'.repeat(1900) }, responseType: 'json' });
    await t.call({ method: 'm', host: s.origin, params: { v: 'a'.repeat(2100) }, responseType: 'json' });
    expect(s.requests.map((r) => r.method)).toEqual(['GET', 'POST']);
  });

  it('rejects a method name that is not a plain word before connecting', async () => {
    const s = await server();
    const t = transport();
    for (const method of ['../admin', 'a b', 'x?y=1', '']) {
      await expect(t.call({ method, host: s.origin, params: {}, responseType: 'json' })).rejects.toBeInstanceOf(ValidationError);
    }
    expect(s.connections()).toBe(0);
  });

  it('rejects params it cannot encode (NaN) before connecting', async () => {
    const s = await server();
    await expect(transport().call({ method: 'm', host: s.origin, params: { n: Number.NaN }, responseType: 'json' })).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(s.connections()).toBe(0);
  });

  it('sends bare hosts over https (fails at TLS against a plain server, never reaching it as HTTP)', async () => {
    const s = await server();
    const host = `127.0.0.1:${s.port}`;
    const err = await transport()
      .call({ method: 'm', host, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.host).toBe(`https://${host}`);
    expect(s.requests.length).toBe(0);
  });
});

describe('answers', () => {
  it('keeps a 64-bit hash exact as bigint', async () => {
    const s = await server((_q, res) =>
      json(res, '{"result":0,"metadata":{"hash":10681749967730527559,"size":123,"fileid":9007199254740993}}'),
    );
    const { result } = await transport().call({ method: 'stat', host: s.origin, params: {}, responseType: 'json' });
    const meta = result.metadata as Record<string, unknown>;
    expect(meta.hash).toBe(10681749967730527559n);
    expect(meta.fileid).toBe(9007199254740993n);
    expect(meta.size).toBe(123);
  });

  it('reads result, not the HTTP status', async () => {
    const s = await server((q, res) =>
      q.url.startsWith('/ok')
        ? json(res, '{"result":0,"x":1}', 500)
        : json(res, '{"result":2009,"error":"File not found."}', 200, { 'x-error': '2009' }),
    );
    const t = transport();
    expect((await t.call({ method: 'ok', host: s.origin, params: {}, responseType: 'json' })).result).toEqual({ result: 0, x: 1 });
    expect((await t.call({ method: 'bad', host: s.origin, params: {}, responseType: 'json' })).result).toEqual({
      result: 2009,
      error: 'File not found.',
    });
  });

  const garbage: Array<[string, (res: import('node:http').ServerResponse) => void, RegExp]> = [
    [
      'an HTML error page',
      (res) => {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end('<html><body>Bad Gateway</body></html>');
      },
      /HTTP 502, text\/html.*not valid JSON.*Bad Gateway/,
    ],
    [
      'an empty body',
      (res) => {
        res.writeHead(200);
        res.end();
      },
      /empty answer/,
    ],
    ['truncated JSON', (res) => json(res, '{"result":0,"metadata":{"name":"a'), /not valid JSON/],
    ['a JSON array', (res) => json(res, '[1,2]'), /not an object/],
    ['an object without result', (res) => json(res, '{"error":"x"}'), /no numeric "result"/],
    ['a string result', (res) => json(res, '{"result":"0"}'), /no numeric "result"/],
  ];
  for (const [what, answer, message] of garbage) {
    it(`turns ${what} into a ProtocolError`, async () => {
      const s = await server((_q, res) => answer(res));
      const err = await transport()
        .call({ method: 'userinfo', host: s.origin, params: {}, responseType: 'json' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect(err.message).toMatch(/^userinfo on http:\/\/127\.0\.0\.1:\d+/);
      expect(err.message).toMatch(message);
    });
  }

  it('never puts credentials into a ProtocolError message, even when the server echoes them', async () => {
    const s = await server((q, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`oops ${q.url} ${q.headers.authorization}`);
    });
    const err = await transport()
      .call({
        method: 'userinfo',
        host: s.origin,
        params: { auth: 'SeCrEtToKeN', password: 'hunter2pw' },
        bearer: 'BeArErXYZ',
        responseType: 'json',
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toContain('oops');
    expect(err.message).not.toMatch(/SeCrEtToKeN|hunter2pw|BeArErXYZ/);
  });

  it('cuts long garbage down to a short snippet', async () => {
    const s = await server((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('z'.repeat(100_000));
    });
    const err = await transport()
      .call({ method: 'm', host: s.origin, params: {}, responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message.length).toBeLessThan(400);
  });
});

describe('data answers', () => {
  it('returns a byte stream with its length and type', async () => {
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 255));
    const s = await server((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length });
      res.end(bytes);
    });
    const answer = await transport().call({ method: 'getzip', host: s.origin, params: {}, responseType: 'data' });
    expect(answer.result).toEqual({ result: 0 });
    expect(answer.data!.length).toBe(bytes.length);
    expect(answer.data!.contentType).toBe('application/octet-stream');
    const got = Buffer.from(await new Response(answer.data!.body).arrayBuffer());
    expect(got.equals(bytes)).toBe(true);
  });

  it('parses the JSON error of a failing data answer (X-Error), whatever its content type', async () => {
    const s = await server((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-error': '2009' });
      res.end('{"result":2009,"error":"File not found."}');
    });
    const answer = await transport().call({ method: 'getzip', host: s.origin, params: {}, responseType: 'data' });
    expect(answer.result).toEqual({ result: 2009, error: 'File not found.' });
    expect(answer.data).toBeUndefined();
  });

  it('tells a JSON file apart from a JSON error when X-Error is missing', async () => {
    const s = await server((q, res) => {
      if (q.url.startsWith('/file')) json(res, '{"result":0,"note":"this is a .json file the user stored"}');
      else if (q.url.startsWith('/big')) json(res, `[${'1,'.repeat(50_000)}1]`);
      else json(res, '{"result":2009,"error":"File not found."}');
    });
    const t = transport();
    const file = await t.call({ method: 'file', host: s.origin, params: {}, responseType: 'data' });
    expect(await new Response(file.data!.body).text()).toBe('{"result":0,"note":"this is a .json file the user stored"}');
    const big = await t.call({ method: 'big', host: s.origin, params: {}, responseType: 'data' });
    expect((await new Response(big.data!.body).text()).length).toBe(100_003);
    const error = await t.call({ method: 'err', host: s.origin, params: {}, responseType: 'data' });
    expect(error).toEqual({ result: { result: 2009, error: 'File not found.' }, host: s.origin });
  });

  it('fails a non-JSON 5xx data answer instead of handing out an error page as file content', async () => {
    const s = await server((_q, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<h1>down</h1>');
    });
    const err = await transport()
      .call({ method: 'getzip', host: s.origin, params: {}, responseType: 'data' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.message).toMatch(/HTTP 503.*down/);
  });
});

describe('uploads', () => {
  async function uploadServer() {
    return server((_q, res) => json(res, '{"result":0,"fileids":[1]}'));
  }

  it('sends a multipart POST: params as leading fields, then one part per file, with Content-Length', async () => {
    const s = await uploadServer();
    const a = new Uint8Array(200_000).map((_, i) => i & 255);
    const b = Buffer.from('second file\r\n--not-a-boundary\r\n');
    const events: Progress[] = [];
    await transport().call({
      method: 'uploadfile',
      host: s.origin,
      params: { folderid: 5, nopartial: true, name: 'ü' },
      files: [
        { name: 'a.bin', data: a },
        { name: 'we"ird\nname.txt', data: b, contentType: 'text/plain' },
      ],
      responseType: 'json',
      onUploadProgress: (p) => events.push(p),
    });
    const r = s.requests[0]!;
    expect(r.method).toBe('POST');
    expect(r.url).toBe('/uploadfile');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.headers['transfer-encoding']).toBeUndefined();
    const { parts, closed } = parseMultipart(r.body, r.headers['content-type']!);
    expect(closed).toBe(true);
    expect(parts.map((p) => [p.name, p.filename, p.filename ? undefined : p.body.toString()])).toEqual([
      ['folderid', undefined, '5'],
      ['nopartial', undefined, '1'],
      ['name', undefined, 'ü'],
      ['file', 'a.bin', undefined],
      ['file', 'we%22ird%0Aname.txt', undefined],
    ]);
    expect(Buffer.compare(parts[3]!.body, Buffer.from(a))).toBe(0);
    expect(parts[3]!.headers['content-type']).toBe('application/octet-stream');
    expect(parts[4]!.body.equals(b)).toBe(true);
    expect(parts[4]!.headers['content-type']).toBe('text/plain');
    // progress counts file bytes, never goes back, and ends at the total
    const total = a.length + b.length;
    expect(events.every((e) => e.total === total)).toBe(true);
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded);
    expect(events[0]!.loaded).toBe(0);
    expect(events.at(-1)!.loaded).toBe(total);
    expect(events.length).toBeGreaterThan(3);
  });

  it('reads every kind of source, and goes chunked when a size is unknown', async () => {
    const s = await uploadServer();
    const dir = await mkdtemp(join(tmpdir(), 'pck-http-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const onDisk = join(dir, 'disk.bin');
    await writeFile(onDisk, Buffer.alloc(150_000, 9));
    async function* gen() {
      yield new Uint8Array([1, 2]);
      yield new Uint8Array([3]);
    }
    const web = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([4, 5, 6]));
        c.close();
      },
    });
    const files = [
      { name: 'bytes', data: new Uint8Array([0]) },
      { name: 'blob', data: new Blob(['blob-text']) },
      { name: 'node', data: Readable.from([Buffer.from('node-'), Buffer.from('readable')]) },
      { name: 'web', data: web },
      { name: 'gen', data: gen() },
      { name: 'disk', data: { path: onDisk } },
    ];
    const events: Progress[] = [];
    await transport().call({
      method: 'uploadfile',
      host: s.origin,
      params: {},
      files,
      responseType: 'json',
      onUploadProgress: (p) => events.push(p),
    });
    const r = s.requests[0]!;
    expect(r.headers['content-length']).toBeUndefined();
    expect(r.headers['transfer-encoding']).toBe('chunked');
    const { parts } = parseMultipart(r.body, r.headers['content-type']!);
    expect(parts.map((p) => p.filename)).toEqual(['bytes', 'blob', 'node', 'web', 'gen', 'disk']);
    expect(parts[0]!.body).toEqual(Buffer.from([0]));
    expect(parts[1]!.body.toString()).toBe('blob-text');
    expect(parts[2]!.body.toString()).toBe('node-readable');
    expect(parts[3]!.body).toEqual(Buffer.from([4, 5, 6]));
    expect(parts[4]!.body).toEqual(Buffer.from([1, 2, 3]));
    expect(parts[5]!.body.equals(Buffer.alloc(150_000, 9))).toBe(true);
    expect(events.at(-1)).toEqual({ loaded: 1 + 9 + 13 + 3 + 3 + 150_000 });
  });

  it('uses Content-Length for a stream whose size is given', async () => {
    const s = await uploadServer();
    await transport().call({
      method: 'uploadfile',
      host: s.origin,
      params: {},
      files: [{ name: 's', data: Readable.from([Buffer.alloc(1000, 1)]), size: 1000 }],
      responseType: 'json',
    });
    const r = s.requests[0]!;
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
  });

  it('fails with ValidationError when a stream is shorter or longer than its declared size', async () => {
    const s = await uploadServer();
    const t = transport();
    for (const size of [999, 1001]) {
      const err = await t
        .call({
          method: 'uploadfile',
          host: s.origin,
          params: {},
          files: [{ name: 's', data: Readable.from([Buffer.alloc(1000)]), size }],
          responseType: 'json',
        })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toMatch(/declared size/);
    }
  });

  it('fails with ValidationError on a source it cannot read or a missing file, before sending', async () => {
    const s = await uploadServer();
    const t = transport();
    await expect(
      t.call({ method: 'uploadfile', host: s.origin, params: {}, files: [{ name: 'x', data: 42 as never }], responseType: 'json' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      t.call({
        method: 'uploadfile',
        host: s.origin,
        params: {},
        files: [{ name: 'x', data: { path: '/no/such/file' } }],
        responseType: 'json',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      t.call({ method: 'uploadfile', host: s.origin, params: {}, files: [{ name: '', data: new Uint8Array(1) }], responseType: 'json' }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(s.requests.length).toBe(0);
  });

  it('surfaces a failing source stream as a TransportError that names the upload', async () => {
    const s = await uploadServer();
    async function* broken() {
      yield new Uint8Array(10);
      throw new Error('disk on fire');
    }
    const err = await transport()
      .call({ method: 'uploadfile', host: s.origin, params: {}, files: [{ name: 'x', data: broken() }], responseType: 'json' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err.network).toBe(false);
    expect(err.message).toMatch(/reading an upload file.*disk on fire/);
  });

  it('uploads with PUT: the body is the file, params and filename in the query', async () => {
    const s = await uploadServer();
    const data = Buffer.alloc(70_000, 3);
    const events: Progress[] = [];
    await transport({ uploadMethod: 'put' }).call({
      method: 'uploadfile',
      host: s.origin,
      params: { folderid: 0, auth: 'abc' },
      files: [{ name: 'p q.bin', data }],
      responseType: 'json',
      onUploadProgress: (p) => events.push(p),
    });
    const r = s.requests[0]!;
    expect(r.method).toBe('PUT');
    expect(r.url).toBe('/uploadfile?folderid=0&auth=abc&filename=p%20q.bin');
    expect(r.headers['content-length']).toBe('70000');
    expect(r.body.equals(data)).toBe(true);
    expect(events.at(-1)).toEqual({ loaded: 70_000, total: 70_000 });
  });

  it('sends a payloadUpload method as a PUT of the bare bytes: params in the query, no form, no file name', async () => {
    const s = await uploadServer();
    const definition = defineMethod({
      name: 'putbytes',
      group: 'test',
      params: { fd: param.int(), offset: param.int() },
      payloadUpload: true,
    });
    const data = Buffer.alloc(100_000, 7);
    const events: Progress[] = [];
    // The transport's default is multipart: the trait overrides it, and an empty name is fine.
    await transport().call({
      method: 'putbytes',
      host: s.origin,
      params: { fd: 3, offset: 10 },
      definition,
      files: [{ name: '', data }],
      responseType: 'json',
      onUploadProgress: (p) => events.push(p),
    });
    async function* gen() {
      yield new Uint8Array([1, 2, 3]);
    }
    await transport().call({
      method: 'putbytes',
      host: s.origin,
      params: { fd: 3 },
      definition,
      files: [{ name: 'ignored', data: gen() }],
      responseType: 'json',
    });
    const [r, g] = s.requests;
    expect(r!.method).toBe('PUT');
    expect(r!.url).toBe('/putbytes?fd=3&offset=10');
    expect(r!.headers['content-type']).toBe('application/octet-stream');
    expect(r!.headers['content-length']).toBe('100000');
    expect(r!.body.equals(data)).toBe(true);
    expect(events.at(-1)).toEqual({ loaded: 100_000, total: 100_000 });
    expect(g!.url).toBe('/putbytes?fd=3');
    expect(g!.headers['transfer-encoding']).toBe('chunked');
    expect(g!.body).toEqual(Buffer.from([1, 2, 3]));
    // Without the trait the same call is a multipart form carrying the file name.
    const plain = defineMethod({ name: 'putbytes', group: 'test', params: { fd: param.int() }, data: 'upload' });
    await transport().call({
      method: 'putbytes',
      host: s.origin,
      params: { fd: 3 },
      definition: plain,
      files: [{ name: 'n.bin', data }],
      responseType: 'json',
    });
    expect(s.requests[2]!.method).toBe('POST');
    expect(parseMultipart(s.requests[2]!.body, s.requests[2]!.headers['content-type']!).parts.map((p) => p.filename)).toEqual([
      undefined,
      'n.bin',
    ]);
  });

  it('refuses a payloadUpload call with two files before sending', async () => {
    const s = await uploadServer();
    const definition = defineMethod({ name: 'putbytes', group: 'test', params: {}, payloadUpload: true });
    const err = await transport()
      .call({
        method: 'putbytes',
        host: s.origin,
        params: {},
        definition,
        files: [
          { name: 'a', data: new Uint8Array(1) },
          { name: 'b', data: new Uint8Array(1) },
        ],
        responseType: 'json',
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(s.requests.length).toBe(0);
  });

  it('refuses a PUT with two files', async () => {
    const s = await uploadServer();
    const err = await transport({ uploadMethod: 'put' })
      .call({
        method: 'uploadfile',
        host: s.origin,
        params: {},
        files: [
          { name: 'a', data: new Uint8Array(1) },
          { name: 'b', data: new Uint8Array(1) },
        ],
        responseType: 'json',
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(s.requests.length).toBe(0);
  });
});
