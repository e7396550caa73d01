import { createHash, randomBytes } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, download, splitResponses, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu.stop();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Opens a connection, writes `head` and then the body pieces one by one
 * (with a pause between them), half-closes when `halfClose` says so, and
 * collects the answer until the server closes or `idleMs` pass in silence.
 */
async function exchange(
  hostPort: string,
  head: string,
  pieces: Buffer[],
  opts: { halfClose?: boolean; idleMs?: number; tls?: boolean } = {},
): Promise<{ data: Buffer; closed: boolean }> {
  const [host, port] = hostPort.split(':');
  const sock: Socket = await new Promise((resolve, reject) => {
    const s = opts.tls
      ? tlsConnect({ host: host!, port: Number(port), rejectUnauthorized: false }, () => resolve(s))
      : netConnect(Number(port), host!, () => resolve(s));
    s.once('error', reject);
  });
  const chunks: Buffer[] = [];
  const done = new Promise<{ data: Buffer; closed: boolean }>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(false), opts.idleMs ?? 3000);
    };
    sock.on('data', (d) => {
      chunks.push(d);
      arm();
    });
    sock.on('end', () => finish(true));
    sock.on('close', () => finish(true));
    sock.on('error', () => finish(true));
    arm();
  });
  sock.write(head);
  for (const p of pieces) {
    await pause(20);
    sock.write(p);
  }
  if (opts.halfClose ?? true) sock.end();
  return done;
}

const putHead = (version: string, name: string, extra = '') =>
  `PUT /uploadfile?auth=${emu.auth}&folderid=0&filename=${name} HTTP/${version}\r\nHost: ${emu.apiHost}\r\n${extra}\r\n`;

function single(data: Buffer) {
  const replies = splitResponses(data);
  expect(replies).toHaveLength(1);
  return { ...replies[0]!, json: JSON.parse(replies[0]!.body.toString()) };
}

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

describe('PUT upload without Content-Length: the body ends at half-close', () => {
  it('HTTP/1.0: reads the whole body, stores it and answers with Connection: close', async () => {
    const body = randomBytes(5000);
    const name = `${uniq('h10')}.bin`;
    const { data, closed } = await exchange(emu.apiHost, putHead('1.0', name), [body.subarray(0, 1000), body.subarray(1000)]);
    expect(closed).toBe(true);
    const reply = single(data);
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe('close');
    expect(reply.json.result).toBe(0);
    expect(reply.json.metadata[0]).toMatchObject({ name, size: body.length });
    expect(reply.json.checksums[0].sha1).toBe(sha1(body));
    expect((await download(emu, reply.json.fileids[0])).equals(body)).toBe(true);
  });

  it('HTTP/1.1 without Content-Length or chunked encoding behaves the same', async () => {
    const body = Buffer.from('written in three pieces, ended by a half-close');
    const name = `${uniq('h11')}.txt`;
    const { data, closed } = await exchange(emu.apiHost, putHead('1.1', name, 'Connection: keep-alive\r\n'), [
      body.subarray(0, 10),
      body.subarray(10, 20),
      body.subarray(20),
    ]);
    expect(closed).toBe(true);
    const reply = single(data);
    expect(reply.headers.connection).toBe('close');
    expect(reply.json.metadata[0].size).toBe(body.length);
    expect((await download(emu, reply.json.fileids[0])).equals(body)).toBe(true);
  });

  it('a large body streams through (back-pressure) and an empty one stores an empty file', async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const pieces = Array.from({ length: 4 }, (_, i) => big.subarray((i * big.length) / 4, ((i + 1) * big.length) / 4));
    const r1 = single((await exchange(emu.apiHost, putHead('1.0', `${uniq('big')}.bin`), pieces)).data);
    expect(r1.json.metadata[0].size).toBe(big.length);
    expect(r1.json.checksums[0].sha1).toBe(sha1(big));
    const r2 = single((await exchange(emu.apiHost, putHead('1.0', `${uniq('empty')}.bin`), [])).data);
    expect(r2.json.result).toBe(0);
    expect(r2.json.metadata[0].size).toBe(0);
  });

  it('over TLS too', async () => {
    const tls = await startEmulator({ seed: false, tls: true });
    try {
      const body = Buffer.from('a body over TLS, ended by close_notify and FIN');
      const head = `PUT /uploadfile?auth=${tls.auth}&filename=tls.txt HTTP/1.0\r\n\r\n`;
      const { data } = await exchange(tls.apiHost, head, [body], { tls: true });
      const reply = single(data);
      expect(reply.json.result).toBe(0);
      expect(reply.json.checksums[0].sha1).toBe(sha1(body));
    } finally {
      await tls.stop();
    }
  });

  it('without the half-close the server keeps waiting for more body', async () => {
    const { data, closed } = await exchange(emu.apiHost, putHead('1.0', `${uniq('wait')}.txt`), [Buffer.from('abc')], {
      halfClose: false,
      idleMs: 400,
    });
    expect(closed).toBe(false);
    expect(data.length).toBe(0);
  });
});

describe('other bodies and half-closing clients', () => {
  it('chunked HTTP/1.1 PUT: the body ends at the last chunk, the connection stays usable', async () => {
    const body = Buffer.from('chunk one|chunk two');
    const name = `${uniq('chunked')}.txt`;
    const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
    const head = putHead('1.1', name, 'Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n');
    const next = `GET /getapiserver?id=after HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`;
    const { data, closed } = await exchange(
      emu.apiHost,
      head,
      [chunk(body.subarray(0, 9)), chunk(body.subarray(9)), Buffer.from(`0\r\n\r\n${next}`)],
      { halfClose: false, idleMs: 500 },
    );
    expect(closed).toBe(false);
    const replies = splitResponses(data);
    expect(replies).toHaveLength(2);
    const up = JSON.parse(replies[0]!.body.toString());
    expect(up.metadata[0]).toMatchObject({ name, size: body.length });
    expect(JSON.parse(replies[1]!.body.toString()).id).toBe('after');
  });

  it('an HTTP/1.0 client that half-closes still gets a slow answer', async () => {
    const slow = await startEmulator({ seed: false });
    try {
      slow.faults.delay('getapiserver', 300);
      const { data, closed } = await exchange(slow.apiHost, 'GET /getapiserver?id=slow HTTP/1.0\r\n\r\n', []);
      expect(closed).toBe(true);
      const reply = single(data);
      expect(reply.headers.connection).toBe('close');
      expect(reply.json).toMatchObject({ result: 0, id: 'slow' });
    } finally {
      await slow.stop();
    }
  });

  it('a blocked diff answers (empty) once its client half-closes', async () => {
    const { diffid } = await as(emu, 'diff', { last: 0 });
    const head = `GET /diff?auth=${emu.auth}&diffid=${diffid}&block=1 HTTP/1.0\r\n\r\n`;
    const began = Date.now();
    const { data, closed } = await exchange(emu.apiHost, head, []);
    expect(closed).toBe(true);
    expect(Date.now() - began).toBeLessThan(2000);
    expect(single(data).json).toMatchObject({ result: 0, entries: [], diffid });
  });

  it('a PUT with Content-Length cut short by a half-close is not stored whole', async () => {
    const name = `${uniq('short')}.txt`;
    const head = putHead('1.0', name, 'Content-Length: 100\r\n');
    const { data } = await exchange(emu.apiHost, head, [Buffer.from('only ten b')]);
    // the body is incomplete: either the connection drops or the upload fails, never a 100-byte file
    if (data.length > 0) expect(single(data).json.result).not.toBe(0);
    // without nopartial what arrived may be kept (as pCloud does), but only that
    let stat = await as(emu, 'stat', { path: `/${name}` });
    for (let i = 0; i < 20 && stat.result !== 0; i++) {
      await pause(50);
      stat = await as(emu, 'stat', { path: `/${name}` });
    }
    if (stat.result === 0) expect(stat.metadata.size).toBe(10);
  });
});
