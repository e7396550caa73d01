// The binary port stops reading a client that sends and never reads, and
// answers everything once it reads again.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBinaryPort, type BinaryPort } from '../src/binary/index.js';
import { type EmulatorCore, startEmulator, type Emulator } from '../src/index.js';
import { upload } from './helpers.js';

/** A request frame with string params only (the layout of pCloud's binary protocol). */
function frame(method: string, params: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(params)) {
    const v = Buffer.from(value);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(v.length);
    parts.push(Buffer.from([name.length]), Buffer.from(name), len, v);
  }
  const body = Buffer.concat([Buffer.from([method.length]), Buffer.from(method), Buffer.from([Object.keys(params).length]), ...parts]);
  const head = Buffer.alloc(2);
  head.writeUInt16LE(body.length);
  return Buffer.concat([head, body]);
}

let emu: Emulator;
let port: BinaryPort;
let dispatched = 0;
let fileid: number;

beforeAll(async () => {
  emu = await startEmulator({ seed: false, binary: false });
  // the port under test counts the calls it hands to the dispatcher
  const counting = Object.create(emu.core) as EmulatorCore;
  counting.dispatch = (conn, call) => {
    dispatched += 1;
    return emu.core.dispatch(conn, call);
  };
  port = await startBinaryPort(counting, { maxPendingAnswers: 4 });
  fileid = (await upload(emu, 'big.bin', randomBytes(1 << 20))).fileids[0];
});
afterAll(async () => {
  await port.close();
  await emu.stop();
});

const open = (): Promise<Socket> =>
  new Promise((resolve) => {
    const s = connect(port.port, port.host, () => resolve(s));
    s.on('error', () => undefined);
  });

async function answerOnce(req: Buffer): Promise<Buffer> {
  const s = await open();
  const chunks: Buffer[] = [];
  s.on('data', (d) => chunks.push(d));
  s.write(req);
  await new Promise((r) => setTimeout(r, 500));
  s.destroy();
  return Buffer.concat(chunks);
}

describe('binary port backpressure', () => {
  it('a pipelining client that never reads gets only a bounded number of calls served; all are answered once it reads', async () => {
    const req = frame('getzip', { auth: emu.auth, fileids: String(fileid) });
    const one = await answerOnce(req);
    expect(one.length).toBeGreaterThan(1 << 20);

    const N = 100;
    const s = await open();
    s.pause();
    const before = dispatched;
    s.write(Buffer.concat(Array.from({ length: N }, () => req)));
    await new Promise((r) => setTimeout(r, 1500));
    // only what fits in the socket buffers (a few MiB of 1 MiB answers) plus the 4 pending answers
    const served = dispatched - before;
    expect(served).toBeLessThan(30);

    let total = 0;
    let last: Buffer = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      total += d.length;
      last = d;
    });
    s.resume();
    const want = N * one.length;
    const deadline = Date.now() + 30_000;
    while (total < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(total).toBe(want);
    expect(dispatched - before).toBe(N);
    expect(last.equals(one.subarray(one.length - last.length))).toBe(true);
    s.destroy();
  });
});
