import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AbortError,
  TimeoutError,
  TransportError,
  ValidationError,
  createClient,
  type Progress,
  type TransportResponse,
} from '@pcloudkit/core';
import { startEmulator } from '@pcloudkit/emulator';
import { download, fetchTransport, linkUrls } from '../src/index.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
const transport = fetchTransport();

beforeAll(async () => {
  emu = await startEmulator({ port: 0, region: 'eu' }); // EU servers answer sha256 checksums
});
afterAll(async () => {
  await transport.close();
  await emu?.stop();
});

type Params = Record<string, string | number | bigint | boolean>;
function call(method: string, params: Params = {}, extra: Partial<Parameters<typeof transport.call>[0]> = {}): Promise<TransportResponse> {
  return transport.call({ method, host: emu.api, params, responseType: 'json', ...extra });
}
const authed = (params: Params = {}) => ({ auth: emu.auth, ...params });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function sha256Of(fileid: number | bigint): Promise<string> {
  const { result } = await call('checksumfile', authed({ fileid }));
  expect(result.result).toBe(0);
  return result.sha256 as string;
}

/** Bytes that differ at every position, so a lost or moved chunk changes the hash. */
function pattern(n: number, seed: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * seed + (i >>> 8)) & 255);
}

describe('fetchTransport against the emulator (Node fetch)', () => {
  it('makes raw calls: getdigest anonymously, userinfo with auth, with a bearer token, and without credentials', async () => {
    const digest = await call('getdigest');
    expect(digest.result.result).toBe(0);
    expect(typeof digest.result.digest).toBe('string');
    expect(digest.host).toBe(emu.api);

    const me = await call('userinfo', authed());
    expect(me.result).toMatchObject({ result: 0, email: expect.any(String) });
    const viaBearer = await call('userinfo', {}, { bearer: emu.access_token });
    expect(viaBearer.result).toMatchObject({ result: 0, userid: me.result.userid });
    const anonymous = await call('userinfo');
    expect(anonymous.result.result).toBe(1000);
  });

  it('lists a folder it created', async () => {
    const name = `fetch-folder-${Date.now()}`;
    const made = await call('createfolder', authed({ folderid: 0, name }));
    expect(made.result.result).toBe(0);
    const list = await call('listfolder', authed({ folderid: 0 }));
    const contents = (list.result.metadata as { contents: Array<{ name: string; isfolder: boolean }> }).contents;
    expect(contents.find((c) => c.name === name)?.isfolder).toBe(true);
  });

  it('sends a long call as a url-encoded POST, which the server reads (the global id param is echoed)', async () => {
    const t = fetchTransport({ postThreshold: 100 });
    const id = 'x y&z'.repeat(600);
    const { result } = await t.call({ method: 'getdigest', host: emu.api, params: { id }, responseType: 'json' });
    expect(result.result).toBe(0);
    expect(result.id).toBe(id);
  });

  it('uploads bytes and a Blob in one FormData POST, then a web stream with PUT; contents checked by sha256', async () => {
    const a = new TextEncoder().encode('first file, multipart\n');
    const b = pattern(300_000, 13);
    const events: Progress[] = [];
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), {
      files: [
        { name: 'fetch-a.txt', data: a },
        { name: 'fetch b.bin', data: new Blob([b as Uint8Array<ArrayBuffer>]) },
      ],
      onUploadProgress: (p) => events.push(p),
    });
    expect(up.result.result).toBe(0);
    const meta = up.result.metadata as Array<{ name: string; fileid: number; size: number }>;
    expect(meta.map((m) => [m.name, m.size])).toEqual([
      ['fetch-a.txt', a.length],
      ['fetch b.bin', b.length],
    ]);
    expect(await sha256Of(meta[0]!.fileid)).toBe(sha256(a));
    expect(await sha256Of(meta[1]!.fileid)).toBe(sha256(b));
    // Node has no XMLHttpRequest: progress is the start and the end.
    expect(events).toEqual([
      { loaded: 0, total: a.length + b.length },
      { loaded: a.length + b.length, total: a.length + b.length },
    ]);

    const c = pattern(1_000_000, 7);
    const stream = new Blob([c as Uint8Array<ArrayBuffer>]).stream();
    const put = fetchTransport({ uploadMethod: 'put' });
    const r = await put.call({
      method: 'uploadfile',
      host: emu.api,
      params: authed({ folderid: 0, renameifexists: 1 }),
      files: [{ name: 'fetch put.bin', data: stream, size: c.length }],
      responseType: 'json',
    });
    expect(r.result.result).toBe(0);
    const m = (r.result.metadata as Array<{ name: string; fileid: number }>)[0]!;
    expect(m.name).toBe('fetch put.bin');
    expect(await sha256Of(m.fileid)).toBe(sha256(c));
  });

  it('uploads from an async iterable with multipart, and refuses one that lies about its size before sending', async () => {
    const chunks = [pattern(70_000, 3), pattern(5, 11), pattern(200_001, 17)];
    const whole = new Uint8Array(chunks.reduce((n, x) => n + x.length, 0));
    let at = 0;
    for (const x of chunks) {
      whole.set(x, at);
      at += x.length;
    }
    async function* gen() {
      yield* chunks;
    }
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), { files: [{ name: 'fetch-iter.bin', data: gen() }] });
    const meta = (up.result.metadata as Array<{ fileid: number; size: number }>)[0]!;
    expect(meta.size).toBe(whole.length);
    expect(await sha256Of(meta.fileid)).toBe(sha256(whole));

    const lying = call('uploadfile', authed({ folderid: 0 }), { files: [{ name: 'short.bin', data: gen(), size: whole.length + 1 }] });
    await expect(lying).rejects.toBeInstanceOf(ValidationError);
  });

  it('keeps the 64-bit hash exact: the parsed bigint equals the digits on the wire', async () => {
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), {
      files: Array.from({ length: 4 }, (_, i) => ({
        name: `fetch-hash-${i}.txt`,
        data: new TextEncoder().encode(`hash ${i} ${Math.random()}`),
      })),
    });
    const metas = up.result.metadata as Array<{ fileid: number; hash: number | bigint }>;
    const big = metas.find((m) => typeof m.hash === 'bigint');
    expect(big).toBeDefined();
    const text = await (await fetch(`${emu.api}/stat?auth=${encodeURIComponent(emu.auth)}&fileid=${big!.fileid}`)).text();
    const digits = /"hash":\s*(\d+)/.exec(text)![1]!;
    expect(BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const stat = await call('stat', authed({ fileid: big!.fileid }));
    expect((stat.result.metadata as { hash: bigint }).hash).toBe(BigInt(digits));
    expect(big!.hash).toBe(BigInt(digits));
  });

  it('returns a data answer as a byte-equal web stream, and the X-Error JSON of a failing one as result', async () => {
    const text = 'plain text served by gettextfile\n';
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), {
      files: [{ name: 'fetch-data.txt', data: new TextEncoder().encode(text) }],
    });
    const fileid = (up.result.metadata as Array<{ fileid: number }>)[0]!.fileid;
    const ok = await call('gettextfile', authed({ fileid }), { responseType: 'data' });
    expect(ok.result).toEqual({ result: 0 });
    expect(ok.data!.length).toBe(text.length);
    expect(await new Response(ok.data!.body).text()).toBe(text);

    const missing = await call('gettextfile', authed({ fileid: 987654321 }), { responseType: 'data' });
    expect(missing.data).toBeUndefined();
    expect(missing.result.result).toBe(2009);
  });

  it('downloads through a link byte-equal, a Range, and fails over from an unreachable host', async () => {
    const data = pattern(2_000_000, 29);
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), { files: [{ name: 'fetch-range.bin', data }] });
    const fileid = (up.result.metadata as Array<{ fileid: number }>)[0]!.fileid;
    const link = (await call('getfilelink', authed({ fileid }))).result as { hosts: string[]; path: string };

    let last: Progress | undefined;
    const whole = await download(link, { scheme: 'http', onProgress: (p) => (last = p) });
    expect(whole.length).toBe(data.length);
    expect(sha256(new Uint8Array(await new Response(whole.body).arrayBuffer()))).toBe(sha256(data));
    expect(last).toEqual({ loaded: data.length, total: data.length });

    const part = await download(link, { scheme: 'http', range: { start: 1000, end: 4999 } });
    expect(part.status).toBe(206);
    expect(part.length).toBe(4000);
    expect(Buffer.from(await new Response(part.body).arrayBuffer()).equals(Buffer.from(data.subarray(1000, 5000)))).toBe(true);

    const dead = await emu.faults.unreachableHost();
    const urls = linkUrls({ hosts: [dead, ...link.hosts], path: link.path }, { scheme: 'http' });
    const second = await download(urls);
    expect(second.url).toBe(urls[1]);
    expect(sha256(new Uint8Array(await new Response(second.body).arrayBuffer()))).toBe(sha256(data));
  });

  it('ends a download body with AbortError when the signal fires mid-read, and an unknown link to a ProtocolError (HTTP 404)', async () => {
    const data = pattern(3_000_000, 41);
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), { files: [{ name: 'fetch-abort.bin', data }] });
    const fileid = (up.result.metadata as Array<{ fileid: number }>)[0]!.fileid;
    const link = (await call('getfilelink', authed({ fileid }))).result as { hosts: string[]; path: string };
    const controller = new AbortController();
    const file = await download(link, { scheme: 'http', signal: controller.signal });
    const reader = file.body.getReader();
    expect((await reader.read()).done).toBe(false);
    controller.abort();
    let error: unknown;
    try {
      for (let next = await reader.read(); !next.done; next = await reader.read());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AbortError);

    const bad = linkUrls({ hosts: link.hosts, path: '/no-such-link/f.bin' }, { scheme: 'http' });
    await expect(download(bad)).rejects.toMatchObject({ name: 'ProtocolError', message: expect.stringContaining('HTTP 404') });
  });

  it('aborts: an already aborted signal, and one fired while the answer is awaited', async () => {
    await expect(call('getdigest', {}, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
    emu.faults.delay('getdigest', 2000);
    try {
      const controller = new AbortController();
      const pending = call('getdigest', {}, { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      const started = Date.now();
      await expect(pending).rejects.toBeInstanceOf(AbortError);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      emu.faults.clear();
    }
  });

  it('maps failures: unknown host → network TransportError, unknown method → non-network, after close() at once', async () => {
    const dead = await emu.faults.unreachableHost();
    const refused = transport.call({ method: 'getdigest', host: 'http://127.0.0.1:1', params: {}, responseType: 'json' });
    await expect(refused).rejects.toMatchObject({ name: 'TransportError', network: true });
    const noName = transport.call({ method: 'getdigest', host: 'http://no-such-host.invalid', params: {}, responseType: 'json' });
    await expect(noName).rejects.toMatchObject({ network: true });
    const hungUp = transport.call({ method: 'getdigest', host: `http://${dead}`, params: {}, responseType: 'json' });
    await expect(hungUp).rejects.toBeInstanceOf(TransportError);

    await expect(call('nosuchmethod')).rejects.toMatchObject({ name: 'TransportError', network: false });
    await expect(call('bad name')).rejects.toBeInstanceOf(ValidationError);
    await expect(call('getdigest', { n: Number.NaN })).rejects.toBeInstanceOf(ValidationError);

    const t = fetchTransport();
    await t.close();
    await expect(t.call({ method: 'getdigest', host: emu.api, params: {}, responseType: 'json' })).rejects.toThrow(/closed/);
  });

  it('works under createClient from core (the README example)', async () => {
    const client = createClient({
      transport: fetchTransport(),
      region: { api: [emu.api], binapi: [emu.apiHost] },
      auth: { accessToken: emu.access_token },
    });
    try {
      const me = await client.call<{ email: string }>('userinfo');
      expect(typeof me.email).toBe('string');
      const up = await client.call<{ metadata: Array<{ fileid: number; hash: bigint }> }>(
        'uploadfile',
        { folderid: 0, renameifexists: 1 },
        { files: [{ name: 'fetch-hello.txt', data: new TextEncoder().encode('hello') }] },
      );
      expect(typeof up.metadata[0]!.hash).toBe('bigint');
      const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: up.metadata[0]!.fileid });
      expect(await new Response((await download(link, { scheme: 'http' })).body).text()).toBe('hello');
    } finally {
      await client.close();
    }
  });
});

describe('fetchTransport against a local server that misbehaves', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/stall')) {
        // Headers and a first chunk, then nothing: the body timeout must end the read.
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write('first');
        return;
      }
      if (req.url?.startsWith('/echo')) {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c));
        req.on('end', () => {
          const body = Buffer.concat(parts);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              result: 0,
              method: req.method,
              url: req.url,
              authorization: req.headers.authorization ?? null,
              contentType: req.headers['content-type'] ?? null,
              body: body.toString('latin1'),
            }),
          );
        });
        return;
      }
      if (req.url?.startsWith('/notjson')) {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>oops</html>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"error":"no result here"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails a data answer that stalls with TimeoutError (phase body) after bodyTimeout', async () => {
    const r = await transport.call({ method: 'stall', host: origin, params: {}, responseType: 'data', bodyTimeout: 200 });
    const reader = r.data!.body.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('first');
    const error = await reader.read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe('body');
  });

  it('sends the bearer token as a header, payloadUpload as a PUT of the bare bytes, and refuses connection-bound methods', async () => {
    const got = await transport.call({ method: 'echo', host: origin, params: { a: 1, b: true }, bearer: 'tok-123', responseType: 'json' });
    expect(got.result).toMatchObject({ method: 'GET', url: '/echo?a=1&b=1', authorization: 'Bearer tok-123' });

    const payload = new Uint8Array([0, 1, 2, 250, 255]);
    const put = await transport.call({
      method: 'echo',
      host: origin,
      params: { fd: 3, offset: 7 },
      files: [{ name: '', data: payload }],
      definition: { payloadUpload: true } as never,
      responseType: 'json',
    });
    expect(put.result).toMatchObject({ method: 'PUT', url: '/echo?fd=3&offset=7' });
    expect(Buffer.from(put.result.body as string, 'latin1').equals(Buffer.from(payload))).toBe(true);

    const form = await transport.call({
      method: 'echo',
      host: origin,
      params: { folderid: 0, name: 'x' },
      files: [{ name: 'f.txt', data: new TextEncoder().encode('FILE') }],
      responseType: 'json',
    });
    expect(form.result.method).toBe('POST');
    expect(form.result.contentType).toMatch(/^multipart\/form-data; boundary=/);
    const body = form.result.body as string;
    // The params come before the file part.
    expect(body.indexOf('name="folderid"')).toBeLessThan(body.indexOf('filename="f.txt"'));
    expect(body.indexOf('name="name"')).toBeLessThan(body.indexOf('filename="f.txt"'));

    const bound = transport.call({
      method: 'echo',
      host: origin,
      params: {},
      definition: { connectionBound: true } as never,
      responseType: 'json',
    });
    await expect(bound).rejects.toBeInstanceOf(ValidationError);
  });

  it('turns an answer that is not JSON, or JSON without result, into a ProtocolError', async () => {
    await expect(transport.call({ method: 'notjson', host: origin, params: {}, responseType: 'json' })).rejects.toMatchObject({
      name: 'ProtocolError',
      message: expect.stringContaining('not valid JSON'),
    });
    await expect(transport.call({ method: 'noresult', host: origin, params: {}, responseType: 'json' })).rejects.toMatchObject({
      name: 'ProtocolError',
      message: expect.stringContaining('no numeric "result"'),
    });
  });
});
