import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { createClient, type Progress, type TransportResponse } from '@pcloudkit/core';
import { startEmulator } from '@pcloudkit/emulator';
import { download, httpTransport, linkUrls } from '../src/index.js';
import { generatedChunks } from './helpers.js';

type Emulator = Awaited<ReturnType<typeof startEmulator>>;
let emu: Emulator;
const transport = httpTransport();

beforeAll(async () => {
  emu = await startEmulator({ port: 0, region: 'eu' }); // EU servers answer sha256 checksums;
});
afterAll(async () => {
  await transport.close();
  await emu?.stop();
});

function call(
  method: string,
  params: Record<string, string | number | bigint | boolean> = {},
  extra: Partial<Parameters<typeof transport.call>[0]> = {},
): Promise<TransportResponse> {
  return transport.call({ method, host: emu.api, params, responseType: 'json', ...extra });
}
const authed = (params: Record<string, string | number | bigint | boolean> = {}) => ({ auth: emu.auth, ...params });

async function sha256Of(fileid: number | bigint): Promise<string> {
  const { result } = await call('checksumfile', authed({ fileid }));
  expect(result.result).toBe(0);
  return result.sha256 as string;
}

describe('against the emulator', () => {
  it('makes raw calls: getdigest anonymously, userinfo with auth, with a bearer token, and without credentials', async () => {
    const digest = await call('getdigest');
    expect(digest.result.result).toBe(0);
    expect(typeof digest.result.digest).toBe('string');
    expect(digest.host).toBe(emu.api);

    const me = await call('userinfo', authed());
    expect(me.result).toMatchObject({ result: 0, email: expect.any(String) });

    const viaBearer = await call('userinfo', {}, { bearer: emu.access_token });
    expect(viaBearer.result).toMatchObject({ result: 0, userid: me.result.userid });

    // an ApiError is the client's business: the transport hands back the answer
    const anonymous = await call('userinfo');
    expect(anonymous.result.result).toBe(1000);
    expect(typeof anonymous.result.error).toBe('string');
  });

  it('sends a long call as POST, which the server reads (the global id param is echoed)', async () => {
    const t = httpTransport({ postThreshold: 100 });
    try {
      const id = 'x'.repeat(3000);
      const { result } = await t.call({ method: 'getdigest', host: emu.api, params: { id }, responseType: 'json' });
      expect(result.result).toBe(0);
      expect(result.id).toBe(id);
    } finally {
      await t.close();
    }
  });

  it('pipelines concurrent calls on one connection and pairs every answer with its call', async () => {
    const t = httpTransport({ connections: 1, pipelining: 8 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          t.call({
            method: i % 3 ? 'getdigest' : 'userinfo',
            host: emu.api,
            params: { id: `call-${i}`, ...(i % 3 ? {} : { auth: emu.auth }) },
            responseType: 'json',
          }),
        ),
      );
      expect(answers.map((a) => a.result.id)).toEqual(Array.from({ length: 24 }, (_, i) => `call-${i}`));
      expect(answers.every((a) => a.result.result === 0)).toBe(true);
    } finally {
      await t.close();
    }
  });

  it('uploads two files in one multipart POST, and one file with PUT; contents verified by sha256', async () => {
    const a = new TextEncoder().encode('first file, multipart\n');
    const b = new Uint8Array(300_000).map((_, i) => (i * 13) & 255);
    const events: Progress[] = [];
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), {
      files: [
        { name: 'multi-a.txt', data: a },
        { name: 'multi-b.bin', data: new Blob([b]) },
      ],
      onUploadProgress: (p) => events.push(p),
    });
    expect(up.result.result).toBe(0);
    const meta = up.result.metadata as Array<{ name: string; fileid: number; size: number }>;
    expect(meta.map((m) => [m.name, m.size])).toEqual([
      ['multi-a.txt', a.length],
      ['multi-b.bin', b.length],
    ]);
    expect(await sha256Of(meta[0]!.fileid)).toBe(createHash('sha256').update(a).digest('hex'));
    expect(await sha256Of(meta[1]!.fileid)).toBe(createHash('sha256').update(b).digest('hex'));
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded);
    expect(events.at(-1)).toEqual({ loaded: a.length + b.length, total: a.length + b.length });

    const put = httpTransport({ uploadMethod: 'put' });
    try {
      const data = new TextEncoder().encode('uploaded with PUT');
      const r = await put.call({
        method: 'uploadfile',
        host: emu.api,
        params: authed({ folderid: 0, renameifexists: 1 }),
        files: [{ name: 'put file.txt', data }],
        responseType: 'json',
      });
      expect(r.result.result).toBe(0);
      const m = (r.result.metadata as Array<{ name: string; fileid: number }>)[0]!;
      expect(m.name).toBe('put file.txt');
      expect(await sha256Of(m.fileid)).toBe(createHash('sha256').update(data).digest('hex'));
    } finally {
      await put.close();
    }
  });

  it('keeps the 64-bit hash exact: the parsed bigint equals the digits on the wire', async () => {
    // Upload a few files so that at least one hash is beyond 2^53 (each one is with probability 1 - 2^-11).
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), {
      files: Array.from({ length: 4 }, (_, i) => ({
        name: `hash-${i}.txt`,
        data: new TextEncoder().encode(`hash test ${i} ${Math.random()}`),
      })),
    });
    const metas = up.result.metadata as Array<{ fileid: number; hash: number | bigint }>;
    const big = metas.find((m) => typeof m.hash === 'bigint');
    expect(big).toBeDefined();
    const raw = await request(`${emu.api}/stat?auth=${encodeURIComponent(emu.auth)}&fileid=${big!.fileid}`);
    const text = await raw.body.text();
    const digits = /"hash":\s*(\d+)/.exec(text)![1]!;
    expect(BigInt(digits) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    const stat = await call('stat', authed({ fileid: big!.fileid }));
    expect((stat.result.metadata as { hash: bigint }).hash).toBe(BigInt(digits));
    expect(big!.hash).toBe(BigInt(digits));
  });

  it('returns a data answer as a stream, and the X-Error JSON of a failing one as result', async () => {
    const text = 'plain text served by gettextfile\n';
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), {
      files: [{ name: 'data-answer.txt', data: new TextEncoder().encode(text) }],
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

  it('moves 64 MiB from a generated stream up and back down, with progress, checked by sha256', async () => {
    const total = 64 * 1024 * 1024;
    const sent = createHash('sha256');
    async function* source() {
      for await (const chunk of generatedChunks(total, 1024 * 1024, 42)) {
        sent.update(chunk);
        yield chunk;
      }
    }
    const events: Progress[] = [];
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), {
      files: [{ name: 'big-64MiB.bin', data: source(), size: total }],
      onUploadProgress: (p) => events.push(p),
    });
    expect(up.result.result).toBe(0);
    const sentHex = sent.digest('hex');
    const fileid = (up.result.metadata as Array<{ fileid: number; size: number }>)[0]!.fileid;
    expect((up.result.metadata as Array<{ size: number }>)[0]!.size).toBe(total);
    expect(events.length).toBeGreaterThan(60);
    for (let i = 1; i < events.length; i++) expect(events[i]!.loaded).toBeGreaterThanOrEqual(events[i - 1]!.loaded);
    expect(events.at(-1)).toEqual({ loaded: total, total });
    expect(await sha256Of(fileid)).toBe(sentHex);

    const link = await call('getfilelink', authed({ fileid }));
    expect(link.result.result).toBe(0);
    let lastProgress: Progress | undefined;
    const file = await download(link.result as { hosts: string[]; path: string }, {
      scheme: 'http',
      onProgress: (p) => (lastProgress = p),
    });
    expect(file.length).toBe(total);
    const received = createHash('sha256');
    let bytes = 0;
    const reader = file.body.getReader();
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      received.update(next.value);
      bytes += next.value.byteLength;
    }
    expect(bytes).toBe(total);
    expect(received.digest('hex')).toBe(sentHex);
    expect(lastProgress).toEqual({ loaded: total, total });
  });

  it('downloads a Range from a content host, and fails over from an unreachable host', async () => {
    const data = new Uint8Array(100_000).map((_, i) => (i * 7 + 3) & 255);
    const up = await call('uploadfile', authed({ folderid: 0, renameifexists: 1 }), { files: [{ name: 'range.bin', data }] });
    const fileid = (up.result.metadata as Array<{ fileid: number }>)[0]!.fileid;
    const link = (await call('getfilelink', authed({ fileid }))).result as { hosts: string[]; path: string };
    expect(link.hosts.length).toBeGreaterThan(0);

    const part = await download(link, { scheme: 'http', range: { start: 1000, end: 4999 } });
    expect(part.status).toBe(206);
    expect(part.length).toBe(4000);
    expect(Buffer.from(await new Response(part.body).arrayBuffer()).equals(Buffer.from(data.subarray(1000, 5000)))).toBe(true);

    const dead = await emu.faults.unreachableHost();
    const urls = linkUrls({ hosts: [dead, ...link.hosts], path: link.path }, { scheme: 'http' });
    const whole = await download(urls);
    expect(whole.url).toBe(urls[1]);
    expect(Buffer.from(await new Response(whole.body).arrayBuffer()).equals(Buffer.from(data))).toBe(true);
  });

  it('works under createClient from core (the README example)', async () => {
    const client = createClient({
      transport: httpTransport({ connections: 4 }),
      region: { api: [emu.api], binapi: [emu.apiHost] },
      auth: { accessToken: emu.access_token },
    });
    try {
      const me = await client.call<{ email: string }>('userinfo');
      expect(typeof me.email).toBe('string');
      const up = await client.call<{ metadata: Array<{ fileid: number; hash: bigint }> }>(
        'uploadfile',
        { folderid: 0, renameifexists: 1 },
        {
          files: [{ name: 'hello.txt', data: new TextEncoder().encode('hello') }],
        },
      );
      expect(typeof up.metadata[0]!.hash).toBe('bigint');
      const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: up.metadata[0]!.fileid });
      const file = await download(link, { scheme: 'http' });
      expect(await new Response(file.body).text()).toBe('hello');
    } finally {
      await client.close();
    }
  });
});
