import { createHash } from 'node:crypto';
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { frame, open } from './binary-wire.js';
import { binarySession, httpSession, type Session } from './fileops-sessions.js';
import { as } from './helpers.js';

const O_CREAT = 0x0040;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterEach(() => emu.faults.clear());
afterAll(async () => {
  await emu?.stop();
});

let seq = 0;
const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

async function create(s: Session): Promise<{ fd: number; fileid: number }> {
  const o = await s.call('file_open', { flags: O_CREAT, path: `/faults-${++seq}.bin` });
  expect(o.body.result).toBe(0);
  return { fd: o.body.fd, fileid: o.body.fileid };
}

/** Size the server holds for a file, through a fresh connection (after the dropped one's writes). */
async function serverSize(fileid: number): Promise<number> {
  const s = httpSession(emu);
  const fd = (await s.call('file_open', { flags: 0, fileid })).body.fd;
  const size = (await s.call('file_size', { fd })).body.size as number;
  await s.close();
  return size;
}

describe('drop faults while receiving a request body', () => {
  it('HTTP port: a PUT to file_write is cut after n bytes, once; the next write goes through', async () => {
    const s = httpSession(emu);
    const { fd, fileid } = await create(s);
    emu.faults.dropAfterBytes('file_write', 10_000, { direction: 'receive', times: 1 });
    await expect(s.call('file_write', { fd }, bytes(100_000))).rejects.toThrow();
    const kept = await serverSize(fileid);
    expect(kept).toBeLessThanOrEqual(10_000);
    // resume on a new connection from what the server holds
    const r = httpSession(emu);
    const fd2 = (await r.call('file_open', { flags: 0, fileid })).body.fd;
    const w = await r.call('file_pwrite', { fd: fd2, offset: kept }, bytes(100_000).subarray(kept));
    expect(w.body).toMatchObject({ result: 0, bytes: 100_000 - kept });
    const sum = await r.call('file_checksum', { fd: fd2, offset: 0, count: 100_000 });
    expect(sum.body.sha1).toBe(createHash('sha1').update(bytes(100_000)).digest('hex'));
    await r.close();
    await s.destroy();
  });

  it('binary port: a file_pwrite payload is cut after n bytes, once', async () => {
    const s = await binarySession(emu);
    const { fd, fileid } = await create(s);
    emu.faults.dropAfterBytes('file_pwrite', 5_000, { direction: 'receive', times: 1 });
    await expect(s.call('file_pwrite', { fd, offset: 0 }, bytes(50_000))).rejects.toThrow(/closed/);
    expect(await serverSize(fileid)).toBeLessThanOrEqual(5_000);
    const again = await binarySession(emu);
    const fd2 = (await again.call('file_open', { flags: 0, fileid })).body.fd;
    expect((await again.call('file_pwrite', { fd: fd2, offset: 0 }, bytes(50_000))).body.bytes).toBe(50_000);
    await again.close();
  });

  it("scope 'connection' sums the bodies of one connection; n may be drawn by a function", async () => {
    const s = await binarySession(emu);
    const { fd, fileid } = await create(s);
    let draws = 0;
    emu.faults.dropAfterBytes(
      'file_write',
      () => {
        draws += 1;
        return 2_500;
      },
      { direction: 'receive', scope: 'connection', times: 1 },
    );
    expect((await s.call('file_write', { fd }, bytes(1_000))).body.bytes).toBe(1_000);
    expect((await s.call('file_write', { fd }, bytes(1_000))).body.bytes).toBe(1_000);
    await expect(s.call('file_write', { fd }, bytes(1_000))).rejects.toThrow(/closed/);
    expect(draws).toBe(1);
    const size = await serverSize(fileid);
    expect(size).toBeGreaterThanOrEqual(2_000);
    expect(size).toBeLessThanOrEqual(2_500);
  });
});

describe('a chunked upload that resumes after random drops', () => {
  it.each([
    ['binary', binarySession],
    ['HTTP keep-alive', httpSession],
  ] as const)('%s: five connections cut at drawn points; reopen, file_size, continue; the checksum matches', async (_name, connect) => {
    const total = 4 * 1024 * 1024;
    const chunk = 128 * 1024;
    const content = bytes(total, 7);
    const path = `/resumed-${++seq}.bin`;
    let cuts = 0;
    emu.faults.dropAfterBytes('file_pwrite', () => 100_000 + ((cuts++ * 377_123) % 600_000), {
      direction: 'receive',
      scope: 'connection',
      times: 5,
    });
    let sessions = 0;
    let sent = 0;
    let done = false;
    while (!done) {
      expect(sessions++).toBeLessThan(10);
      const s = await connect(emu);
      try {
        const fd = (await s.call('file_open', { flags: O_CREAT, path })).body.fd as number;
        let at = (await s.call('file_size', { fd })).body.size as number;
        while (at < total) {
          const piece = content.subarray(at, Math.min(total, at + chunk));
          sent += piece.length;
          const w = await s.call('file_pwrite', { fd, offset: at }, piece);
          expect(w.body.result).toBe(0);
          at += piece.length;
        }
        const sum = await s.call('file_checksum', { fd, offset: 0, count: total });
        expect(sum.body).toMatchObject({ sha1: createHash('sha1').update(content).digest('hex'), size: total });
        await s.call('file_close', { fd });
        done = true;
      } catch (e) {
        if (done) throw e;
      } finally {
        await s.destroy();
      }
    }
    expect(cuts).toBe(5);
    expect(sessions).toBe(6);
    // every cut costs at most the chunk in flight
    expect(sent).toBeLessThanOrEqual(total + 5 * chunk);
    expect((await as(emu, 'checksumfile', { path })).sha1).toBe(createHash('sha1').update(content).digest('hex'));
  });
});

describe('drop faults while sending an answer', () => {
  it('binary port: a file_read answer is cut after n bytes, once', async () => {
    const s = await binarySession(emu);
    const { fd } = await create(s);
    await s.call('file_write', { fd }, bytes(20_000));
    emu.faults.dropAfterBytes('file_pread', 100, { times: 1 });
    await expect(s.call('file_pread', { fd, offset: 0, count: 20_000 })).rejects.toThrow(/closed/);
    expect(s.reader.closed).toBe(true);
    const t = await binarySession(emu);
    const o = await t.call('file_open', { flags: 0, path: `/faults-${seq}.bin` });
    const read = await t.call('file_pread', { fd: o.body.fd, offset: 0, count: 20_000 });
    expect(read.data).toEqual(bytes(20_000));
    await t.close();
  });

  it('HTTP API port: a file_pread answer is cut, and an answer that fits the budget passes uncounted', async () => {
    const s = httpSession(emu);
    const { fd } = await create(s);
    await s.call('file_write', { fd }, bytes(20_000));
    emu.faults.dropAfterBytes('file_pread', 1_000, { times: 1 });
    expect((await s.call('file_pread', { fd, offset: 0, count: 500 })).data).toEqual(bytes(500));
    await expect(s.call('file_pread', { fd, offset: 0, count: 20_000 })).rejects.toThrow();
    const t = httpSession(emu);
    const o = await t.call('file_open', { flags: 0, path: `/faults-${seq}.bin` });
    expect((await t.call('file_pread', { fd: o.body.fd, offset: 0, count: 20_000 })).data).toEqual(bytes(20_000));
    await t.close();
    await s.destroy();
  });

  it('content servers: a download is cut after n bytes, once', async () => {
    const s = httpSession(emu);
    const { fd, fileid } = await create(s);
    await s.call('file_write', { fd }, bytes(50_000));
    await s.call('file_close', { fd });
    await s.close();
    const link = await as(emu, 'getfilelink', { fileid });
    const url = `http://${link.hosts[0]}${link.path}`;
    emu.faults.dropAfterBytes('content', 1_000, { times: 1 });
    const cut = await request(url);
    await expect(cut.body.arrayBuffer()).rejects.toThrow();
    const whole = await request(url);
    expect(Buffer.from(await whole.body.arrayBuffer())).toEqual(bytes(50_000));
  });

  it('the old form (method, n) still cuts every answer until cleared', async () => {
    const r = await open(emu);
    emu.faults.dropAfterBytes('getapiserver', 5);
    for (let i = 0; i < 2; i++) {
      const c = await open(emu);
      c.socket.write(frame('getapiserver'));
      await expect(c.answer()).rejects.toThrow(/closed/);
    }
    emu.faults.clear();
    r.socket.write(frame('getapiserver'));
    expect((await r.answer()).value.result).toBe(0);
    r.socket.destroy();
  });
});
