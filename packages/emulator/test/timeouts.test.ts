// Slow and silent clients are cut by the time limits; slow but steady
// uploads are not; one address cannot hold more than its share of connections.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, splitResponses, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    seed: false,
    timeouts: { header: 600, body: 400, idle: 400, binaryIdle: 400 },
    maxConnectionsPerAddress: 8,
  });
});
afterAll(async () => {
  await emu.stop();
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Conn {
  socket: Socket;
  data: () => Buffer;
  /** Milliseconds from connect until the server closed the connection (undefined while open). */
  closedAfter: () => number | undefined;
}

function open(hostPort: string): Promise<Conn> {
  const i = hostPort.lastIndexOf(':');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closedAt: number | undefined;
    const began = Date.now();
    const socket = connect(Number(hostPort.slice(i + 1)), hostPort.slice(0, i), () =>
      resolve({ socket, data: () => Buffer.concat(chunks), closedAfter: () => (closedAt === undefined ? undefined : closedAt - began) }),
    );
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      closedAt = Date.now();
    });
  });
}

/** Writes `bytes` one at a time every `everyMs` until the socket closes or `maxMs` passed. */
async function trickle(c: Conn, bytes: Buffer, everyMs: number, maxMs: number): Promise<void> {
  const until = Date.now() + maxMs;
  for (let i = 0; i < bytes.length && Date.now() < until && c.closedAfter() === undefined; i++) {
    c.socket.write(bytes.subarray(i, i + 1));
    await pause(everyMs);
  }
}

async function waitClosed(c: Conn, maxMs: number): Promise<number | undefined> {
  const until = Date.now() + maxMs;
  while (c.closedAfter() === undefined && Date.now() < until) await pause(20);
  return c.closedAfter();
}

const binHost = () => `${emu.binary!.host}:${emu.binary!.port}`;

/** A binary request frame with string params. */
function frame(method: string, params: Record<string, string>, dataLength?: number): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(params)) {
    const v = Buffer.from(value);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(v.length);
    parts.push(Buffer.from([name.length]), Buffer.from(name), len, v);
  }
  const data = Buffer.alloc(dataLength === undefined ? 0 : 8);
  if (dataLength !== undefined) data.writeBigUInt64LE(BigInt(dataLength));
  const flag = dataLength === undefined ? 0 : 0x80;
  const body = Buffer.concat([
    Buffer.from([method.length | flag]),
    data,
    Buffer.from(method),
    Buffer.from([Object.keys(params).length]),
    ...parts,
  ]);
  const head = Buffer.alloc(2);
  head.writeUInt16LE(body.length);
  return Buffer.concat([head, body]);
}

describe('HTTP time limits', () => {
  it('a request head sent a byte at a time is cut at the header limit', async () => {
    const c = await open(emu.apiHost);
    void trickle(c, Buffer.from(`GET /userinfo?auth=${emu.auth} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(200)}\r\n\r\n`), 50, 5000);
    const after = await waitClosed(c, 5000);
    expect(after).toBeGreaterThanOrEqual(500);
    expect(after).toBeLessThan(4000);
    expect(c.data().length).toBe(0);
  });

  it('a slow head on a kept-alive connection is cut too', async () => {
    const c = await open(emu.apiHost);
    c.socket.write('GET /getapiserver HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await pause(100);
    expect(splitResponses(c.data())).toHaveLength(1);
    void trickle(c, Buffer.from(`GET /getapiserver HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(300)}\r\n\r\n`), 30, 8000);
    expect(await waitClosed(c, 6000)).toBeDefined();
    expect(splitResponses(c.data())).toHaveLength(1);
  });

  it('a body that stalls is cut at the body limit and stores nothing', async () => {
    const name = `${uniq('stall')}.bin`;
    const c = await open(emu.apiHost);
    c.socket.write(`PUT /uploadfile?auth=${emu.auth}&folderid=0&filename=${name} HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n`);
    c.socket.write(Buffer.alloc(100, 1));
    const after = await waitClosed(c, 5000);
    expect(after).toBeGreaterThanOrEqual(350);
    expect(after).toBeLessThan(4000);
    await pause(100);
    expect((await as(emu, 'stat', { path: `/${name}` })).result).toBe(2009);
  });

  it('a slow but steady upload that takes far longer than the body limit completes', async () => {
    const name = `${uniq('steady')}.bin`;
    const c = await open(emu.apiHost);
    const total = 24;
    c.socket.write(`PUT /uploadfile?auth=${emu.auth}&folderid=0&filename=${name} HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
    // 24 bytes, one every 100 ms: 2.4 s in all, each gap well below the 400 ms limit
    await trickle(c, Buffer.alloc(total, 7), 100, 8000);
    for (let i = 0; i < 50 && splitResponses(c.data()).length === 0; i++) await pause(20);
    const [answer] = splitResponses(c.data());
    expect(JSON.parse(answer!.body.toString())).toMatchObject({ result: 0, metadata: [{ name, size: total }] });
    c.socket.destroy();
  });

  it('an idle keep-alive connection is closed at the idle limit; a call in progress is never cut', async () => {
    const c = await open(emu.apiHost);
    emu.faults.delay('getapiserver', 900);
    c.socket.write('GET /getapiserver HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await pause(1100);
    emu.faults.clear();
    expect(splitResponses(c.data())).toHaveLength(1);
    // Node's HTTP server adds up to a second of grace to its keep-alive timeout
    const after = await waitClosed(c, 5000);
    expect(after).toBeGreaterThanOrEqual(1200);
    expect(after).toBeLessThan(4000);
  });

  it('a content server cuts a request whose announced body stalls', async () => {
    const c = await open(emu.contentHosts[0]!);
    c.socket.write('GET /nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789');
    const after = await waitClosed(c, 5000);
    expect(after).toBeGreaterThanOrEqual(350);
    expect(after).toBeLessThan(4000);
  });

  it('content servers close idle connections too', async () => {
    const c = await open(emu.contentHosts[0]!);
    expect(await waitClosed(c, 5000)).toBeLessThan(4000);
  });
});

describe('binary port time limits', () => {
  it('a request header that stops half-way is cut', async () => {
    const c = await open(binHost());
    c.socket.write(frame('userinfo', { auth: emu.auth }).subarray(0, 6));
    const after = await waitClosed(c, 5000);
    expect(after).toBeGreaterThanOrEqual(350);
    expect(after).toBeLessThan(4000);
  });

  it('a header sent a byte at a time is cut at the header limit', async () => {
    const c = await open(binHost());
    void trickle(c, frame('userinfo', { auth: emu.auth, pad: 'p'.repeat(200) }), 50, 5000);
    const after = await waitClosed(c, 5000);
    expect(after).toBeGreaterThanOrEqual(550);
    expect(after).toBeLessThan(4000);
  });

  it('a payload that stalls is cut and stores nothing; an idle connection is closed; a running call is not', async () => {
    const name = `${uniq('binstall')}.bin`;
    const c = await open(binHost());
    c.socket.write(frame('uploadfile', { auth: emu.auth, folderid: '0', filename: name }, 1000));
    c.socket.write(Buffer.alloc(10));
    expect(await waitClosed(c, 5000)).toBeLessThan(4000);
    await pause(100);
    expect((await as(emu, 'stat', { path: `/${name}` })).result).toBe(2009);

    const idle = await open(binHost());
    emu.faults.delay('getapiserver', 900);
    idle.socket.write(frame('getapiserver', {}));
    await pause(1100);
    emu.faults.clear();
    expect(idle.data().length).toBeGreaterThan(0);
    const after = await waitClosed(idle, 5000);
    expect(after).toBeGreaterThanOrEqual(1200);
    expect(after).toBeLessThan(4000);
  });
});

describe('connections per address', () => {
  it('the ninth connection from one address is closed at once, and a freed slot is usable again', async () => {
    for (const host of [emu.apiHost, binHost()]) {
      const held = await Promise.all(Array.from({ length: 8 }, () => open(host)));
      const extra = await open(host);
      expect(await waitClosed(extra, 300)).toBeLessThan(300);
      expect(held.every((c) => c.closedAfter() === undefined)).toBe(true);
      held[0]!.socket.destroy();
      await pause(50);
      const again = await open(host);
      await pause(100);
      expect(again.closedAfter()).toBeUndefined();
      for (const c of [...held, again]) c.socket.destroy();
      await pause(50);
    }
  });
});
