import { createHash, randomBytes } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, call, parseReply, rawExchange, splitResponses, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu.stop();
});

const alive = async () => expect((await call(emu, 'getapiserver')).result).toBe(0);
const get = (path: string, keepAlive = true) =>
  `GET ${path} HTTP/1.1\r\nHost: ${emu.apiHost}\r\n${keepAlive ? 'Connection: keep-alive\r\n' : ''}\r\n`;

describe('malformed input never crashes the server', () => {
  const garbage: [string, Buffer | string][] = [
    ['random bytes', randomBytes(4096)],
    ['binary protocol bytes on the HTTP port', Buffer.from([0x34, 0x00, 0x0a, 0x6c, 0x69, 0x73, 0x74])],
    ['a bad request line', 'HELLO WORLD\r\n\r\n'],
    ['a header without colon', 'GET /getapiserver HTTP/1.1\r\nBroken header line\r\n\r\n'],
    ['huge headers', `GET /getapiserver HTTP/1.1\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`],
    ['bad chunked encoding', 'POST /userinfo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\nxx\r\n'],
    ['a bad percent escape in the path', 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'a truncated multipart body',
      'POST /uploadfile HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 30\r\n\r\n--XX\r\nContent-Dispos',
    ],
    [
      'multipart without boundary lines',
      'POST /uploadfile HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 10\r\n\r\n0123456789',
    ],
    [
      'an oversized urlencoded form',
      `POST /userinfo HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000\r\n\r\n${'a=b&'.repeat(500_000)}`,
    ],
  ];
  for (const [label, payload] of garbage) {
    it(`survives ${label}`, async () => {
      await rawExchange(emu.apiHost, payload, 300);
      await alive();
    });
  }

  it('garbage on the content servers too', async () => {
    for (const host of emu.contentHosts) {
      await rawExchange(host, randomBytes(2048), 200);
      await rawExchange(host, 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nRange: bytes=zz\r\n\r\n', 200);
    }
    const link = await call(emu, 'getfilelink', { auth: emu.auth, path: '/nope' });
    expect(link.result).toBe(2009);
  });

  it('drops the connection on an unknown method, answers nothing', async () => {
    const { data, closed } = await rawExchange(emu.apiHost, get('/nosuchmethod') + get('/getapiserver'), 1000);
    expect(closed).toBe(true);
    expect(data.length).toBe(0);
    await alive();
  });
});

describe('HTTP connection behaviour', () => {
  it('answers pipelined requests in order on one socket', async () => {
    const name = uniq('pipe');
    const payload =
      get(`/createfolder?auth=${emu.auth}&folderid=0&name=${name}&id=1`) +
      get(`/listfolder?auth=${emu.auth}&path=/${name}&id=2`) +
      get(`/getapiserver?id=3`) +
      get(`/createfolder?auth=${emu.auth}&folderid=0&name=${name}&id=4`);
    const { data, closed } = await rawExchange(emu.apiHost, payload, 500);
    expect(closed).toBe(false);
    const replies = splitResponses(data).map((r) => JSON.parse(r.body.toString()));
    expect(replies.map((r) => r.id)).toEqual(['1', '2', '3', '4']);
    expect(replies[1].metadata.name).toBe(name);
    expect(replies[3].result).toBe(2004);
  });

  it('closes after a request that does not ask for keep-alive', async () => {
    const { data, closed } = await rawExchange(emu.apiHost, get('/getapiserver?id=a', false) + get('/getapiserver?id=b'), 1000);
    expect(closed).toBe(true);
    const replies = splitResponses(data);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.headers.connection).toBe('close');
  });

  it('reads params from query, url-encoded body and cookie, later wins', async () => {
    const res = await request(`${emu.api}/getapiserver?id=query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'id=body',
    });
    expect(((await res.body.json()) as any).id).toBe('body');
    const ml = new FormData();
    ml.append('id', 'multipart');
    const m = await fetch(`${emu.api}/getapiserver?id=query`, { method: 'POST', body: ml });
    expect(((await m.json()) as any).id).toBe('multipart');
  });
});

describe('large uploads stream to storage', () => {
  const SIZE = 64 * 1024 * 1024;
  const CHUNK = 1024 * 1024;
  const chunkAt = (i: number) => {
    const b = Buffer.alloc(CHUNK, i % 256);
    b.writeUInt32LE(i, 0);
    return b;
  };
  const expectedSha1 = () => {
    const h = createHash('sha1');
    for (let i = 0; i < SIZE / CHUNK; i++) h.update(chunkAt(i));
    return h.digest('hex');
  };
  const bodyStream = (prefix?: Buffer, suffix?: Buffer) => {
    let i = 0;
    return new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (prefix && i === 0) ctl.enqueue(prefix);
        if (i < SIZE / CHUNK) ctl.enqueue(chunkAt(i++));
        else {
          if (suffix) ctl.enqueue(suffix);
          ctl.close();
        }
      },
    });
  };

  it('multipart POST of 64 MiB without buffering the file', async () => {
    const sha1 = expectedSha1();
    const boundary = `----pcloudkit${randomBytes(8).toString('hex')}`;
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="folderid"\r\n\r\n0\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big-multipart.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const res = await fetch(`${emu.api}/uploadfile?auth=${emu.auth}`, {
      method: 'POST',
      body: bodyStream(head, tail),
      duplex: 'half',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + SIZE + tail.length) },
    } as RequestInit);
    const r = parseReply(await res.text());
    clearInterval(timer);
    expect(r.result).toBe(0);
    expect(r.metadata[0].size).toBe(SIZE);
    expect(r.checksums[0].sha1).toBe(sha1);
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
    const c = await as(emu, 'checksumfile', { fileid: r.fileids[0] });
    expect(c.sha1).toBe(sha1);
  });

  it('PUT of 64 MiB, then a ranged read from the end', async () => {
    const sha1 = expectedSha1();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const res = await fetch(`${emu.api}/uploadfile?auth=${emu.auth}&filename=big-put.bin`, {
      method: 'PUT',
      body: bodyStream(),
      duplex: 'half',
      headers: { 'content-length': String(SIZE) },
    } as RequestInit);
    const r = parseReply(await res.text());
    clearInterval(timer);
    expect(r.checksums[0].sha1).toBe(sha1);
    expect(peak - before).toBeLessThan(200 * 1024 * 1024);
    const link = await as(emu, 'getfilelink', { fileid: r.fileids[0] });
    const tailRes = await request(`http://${link.hosts[1]}${link.path}`, {
      headers: { range: `bytes=${SIZE - CHUNK}-${SIZE - CHUNK + 3}` },
    });
    const tail = Buffer.from(await tailRes.body.arrayBuffer());
    expect(tail.readUInt32LE(0)).toBe(SIZE / CHUNK - 1);
  });
});

describe('faults', () => {
  it('failWith answers a pCloud error a given number of times', async () => {
    emu.faults.failWith('listfolder', 5000, { times: 2 });
    try {
      expect(await as(emu, 'listfolder', { folderid: 0 })).toEqual({ result: 5000, error: 'Internal error. Try again later.' });
      expect((await as(emu, 'listfolder', { folderid: 0 })).result).toBe(5000);
      expect((await as(emu, 'listfolder', { folderid: 0 })).result).toBe(0);
    } finally {
      emu.faults.clear();
    }
  });

  it('delay holds the answer back', async () => {
    emu.faults.delay('getapiserver', 300);
    try {
      const t = Date.now();
      await call(emu, 'getapiserver');
      expect(Date.now() - t).toBeGreaterThanOrEqual(280);
      const u = Date.now();
      await call(emu, 'getip');
      expect(Date.now() - u).toBeLessThan(280);
    } finally {
      emu.faults.clear();
    }
  });

  it('dropAfterBytes cuts the answer and the connection', async () => {
    emu.faults.dropAfterBytes('userinfo', 10);
    try {
      await expect(as(emu, 'userinfo')).rejects.toThrow();
      const { data, closed } = await rawExchange(emu.apiHost, get(`/userinfo?auth=${emu.auth}`), 1000);
      expect(closed).toBe(true);
      const body = data.subarray(data.indexOf('\r\n\r\n') + 4);
      expect(body.toString()).toBe('{"result":');
    } finally {
      emu.faults.clear();
    }
    expect((await as(emu, 'userinfo')).result).toBe(0);
  });

  it('dropAfterBytes on content downloads', async () => {
    const up = await fetch(`${emu.api}/uploadfile?auth=${emu.auth}&filename=${uniq('cut')}.bin`, {
      method: 'PUT',
      body: randomBytes(100_000),
    });
    const fileid = parseReply(await up.text()).fileids[0];
    const link = await as(emu, 'getfilelink', { fileid });
    emu.faults.dropAfterBytes('content', 1000);
    try {
      const res = await request(`http://${link.hosts[0]}${link.path}`);
      await expect(res.body.arrayBuffer()).rejects.toThrow();
    } finally {
      emu.faults.clear();
    }
  });

  it('unreachableHost refuses service', async () => {
    const host = await emu.faults.unreachableHost();
    const { data, closed } = await rawExchange(host, get('/getapiserver'), 500);
    expect(closed).toBe(true);
    expect(data.length).toBe(0);
  });
});
