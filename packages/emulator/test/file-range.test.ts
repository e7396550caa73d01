import { randomBytes } from 'node:crypto';
import { mkdtemp, open as openFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRange } from '../src/file-range.js';
import { startEmulator } from '../src/index.js';
import { frame, open } from './binary-wire.js';
import { call, upload } from './helpers.js';

const KiB = 1024;

/**
 * A writable that holds each chunk for `delayMs` before it is done with it,
 * as a socket with a full system buffer does, and copies the chunk's bytes
 * only then: a buffer reused before its callback shows as wrong bytes. It
 * records the memory the chunks lived in.
 */
function slowSink(delayMs: number, highWaterMark = 1024 * KiB) {
  const copies: Buffer[] = [];
  const memory = new Set<ArrayBufferLike>();
  const sink = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      memory.add(chunk.buffer);
      setTimeout(() => {
        copies.push(Buffer.from(chunk));
        done();
      }, delayMs);
    },
  });
  /** The bytes written, once every chunk handed over is done. */
  const bytes = async () => {
    await new Promise((done) => sink.end(done));
    return Buffer.concat(copies);
  };
  return { sink, bytes, memory };
}

describe('FileRange', () => {
  let dir: string;
  let path: string;
  const data = randomBytes(1024 * KiB + 17);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pcloudkit-file-range-'));
    path = join(dir, 'data.bin');
    await writeFile(path, data);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads as a stream the bytes of a range, and of the whole file', async () => {
    const range = Buffer.concat((await new FileRange(path, { start: 70_000, end: 200_000 }).toArray()) as Buffer[]);
    expect(range.equals(data.subarray(70_000, 200_001))).toBe(true);
    const whole = Buffer.concat((await new FileRange(path).toArray()) as Buffer[]);
    expect(whole.equals(data)).toBe(true);
  });

  it('reads from a handle it is given, and closes it', async () => {
    const handle = await openFile(path, 'r');
    const stream = new FileRange(handle, { start: 5, end: 9 });
    expect(Buffer.concat((await stream.toArray()) as Buffer[]).equals(data.subarray(5, 10))).toBe(true);
    await new Promise((done) => (stream.closed ? done(undefined) : stream.once('close', done)));
    await expect(handle.stat()).rejects.toThrow(/closed|EBADF/);
  });

  it('fails with the file system error of a missing file, read or sent', async () => {
    const gone = join(dir, 'missing.bin');
    await expect(new FileRange(gone).toArray()).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(new FileRange(gone).sendTo(slowSink(0).sink)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('sends a range through at most four reused buffers, waiting for a slow writer, bytes intact', async () => {
    const { sink, bytes, memory } = slowSink(2);
    const sent = await new FileRange(path, { start: 1000, end: data.length - 1 }).sendTo(sink);
    expect(sent).toBe(data.length - 1000);
    expect((await bytes()).equals(data.subarray(1000))).toBe(true);
    // 17 chunks went out of four buffers, none reused while the writer held it
    expect(memory.size).toBe(4);
  });

  it('stops, without an error, when the writer closes half-way, and closes its file', async () => {
    const { sink } = slowSink(5);
    let chunks = 0;
    const stream = new FileRange(path);
    const sent = await stream.sendTo(sink, () => {
      if (++chunks === 2) setImmediate(() => sink.destroy());
    });
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(data.length);
    expect(stream.destroyed).toBe(true);
  });

  it('sends nothing to a writer already destroyed, and ends at once', async () => {
    const { sink } = slowSink(0);
    sink.destroy();
    await new Promise((done) => sink.once('close', done));
    const stream = new FileRange(path);
    expect(await stream.sendTo(sink)).toBe(0);
    expect(stream.destroyed).toBe(true);
  });

  it('tells how far it got when the file is shorter than the range', async () => {
    const short = join(dir, 'short.bin');
    await writeFile(short, data);
    await truncate(short, 100_000);
    const { sink, bytes } = slowSink(0);
    expect(await new FileRange(short, { start: 0, end: data.length - 1 }).sendTo(sink)).toBe(100_000);
    expect((await bytes()).equals(data.subarray(0, 100_000))).toBe(true);
  });

  it('refuses to send a stream that was read from', async () => {
    const stream = new FileRange(path);
    await new Promise((done) => stream.once('readable', done));
    stream.read();
    await expect(stream.sendTo(slowSink(0).sink)).rejects.toThrow(/already read/);
  });
});

describe('file bytes sent through reused buffers, over real sockets', () => {
  let emu: Awaited<ReturnType<typeof startEmulator>>;
  const data = randomBytes(2 * 1024 * KiB + 333);
  let fileid: number;

  beforeAll(async () => {
    emu = await startEmulator({ seed: false });
    const r = await upload(emu, 'big.bin', data);
    fileid = r.fileids[0];
  });
  afterAll(() => emu.stop());

  it('a content link serves the whole file and a range of it', async () => {
    const link = await call(emu, 'getfilelink', { auth: emu.auth, fileid });
    const url = `http://${link.hosts[0]}${link.path}`;
    const whole = await request(url);
    expect(whole.statusCode).toBe(200);
    expect(Buffer.from(await whole.body.arrayBuffer()).equals(data)).toBe(true);
    const part = await request(url, { headers: { range: 'bytes=65535-1000000' } });
    expect(part.statusCode).toBe(206);
    expect(Buffer.from(await part.body.arrayBuffer()).equals(data.subarray(65535, 1_000_001))).toBe(true);
  });

  it('a client that leaves half-way through a download leaves the server serving others', async () => {
    const link = await call(emu, 'getfilelink', { auth: emu.auth, fileid });
    const url = `http://${link.hosts[0]}${link.path}`;
    const left = await request(url);
    for await (const _ of left.body) break;
    const next = await request(url);
    expect(Buffer.from(await next.body.arrayBuffer()).equals(data)).toBe(true);
  });

  it('a binary file_pread data answer carries the range exactly, and the connection goes on', async () => {
    const r = await open(emu);
    try {
      r.socket.write(frame('file_open', { auth: emu.auth, fileid, flags: 0 }));
      const fd = (await r.answer()).value.fd as number;
      r.socket.write(frame('file_pread', { fd, offset: 4097, count: 1_500_000 }));
      const read = await r.answer();
      expect(read.value.result).toBe(0);
      expect(read.payload!.equals(data.subarray(4097, 4097 + 1_500_000))).toBe(true);
      r.socket.write(frame('file_pread', { fd, offset: data.length - 10, count: 100 }));
      expect((await r.answer()).payload!.equals(data.subarray(data.length - 10))).toBe(true);
    } finally {
      r.socket.destroy();
    }
  });
});
