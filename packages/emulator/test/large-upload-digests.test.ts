import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobStore } from '../src/blobs.js';
import { startFileDigests } from '../src/digest-workers.js';
import { startEmulator } from '../src/index.js';
import { binaryPort, frame, open, type V } from './binary-wire.js';
import { as, download, upload } from './helpers.js';

const MiB = 1024 * 1024;
const digest = (alg: string, data: Buffer) => createHash(alg).update(data).digest('hex');
const sums = (data: Buffer) => ({
  sha256: digest('sha256', data),
  sha1: digest('sha1', data),
  md5: digest('md5', data),
  size: data.length,
});
const contentHash = (data: Buffer) => BigInt(`0x${digest('sha1', data).slice(0, 16)}`).toString();

/** Yields `data` in uneven pieces, as a socket would, and fails after `failAfter` bytes when given. */
async function* pieces(data: Buffer, failAfter?: number): AsyncGenerator<Buffer> {
  const sizes = [1, 4096, 65536, 300_001, 17, 1_048_577];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const end = Math.min(data.length, at + sizes[i % sizes.length]!, failAfter ?? Infinity);
    yield data.subarray(at, end);
    at = end;
    if (failAfter !== undefined && at >= failAfter) {
      // let the writer catch up, so the file holds what was sent before the break
      await new Promise((r) => setTimeout(r, 20));
      throw new Error('connection reset');
    }
  }
}

// Blobs above 1 MiB are hashed on the digest threads, behind the writer: their digests must be those of the bytes.
describe('digests of large blobs', () => {
  let root: string;
  let blobs: BlobStore;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pcloudkit-blobs-'));
    blobs = new BlobStore(root, false);
    await blobs.init();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('are those of the bytes, at, just over and far over the inline limit', async () => {
    for (const size of [MiB, MiB + 1, 9 * MiB + 123]) {
      const data = randomBytes(size);
      const res = await blobs.write(pieces(data));
      expect(res.partial).toBe(false);
      expect(res.info).toEqual(sums(data));
      expect((await readFile(blobs.pathOf(res.info.sha256))).equals(data)).toBe(true);
      blobs.release(res.info.sha256);
    }
  });

  it('of a broken upload are those of exactly what reached the file', async () => {
    const data = randomBytes(5 * MiB);
    const res = await blobs.write(pieces(data, 3 * MiB + 5));
    expect(res.partial).toBe(true);
    expect(res.error?.message).toBe('connection reset');
    const kept = await readFile(blobs.pathOf(res.info.sha256));
    expect(kept.length).toBe(res.info.size);
    expect(res.info.size).toBeGreaterThan(MiB);
    expect(data.subarray(0, kept.length).equals(kept)).toBe(true);
    expect(res.info).toEqual(sums(kept));
    blobs.release(res.info.sha256);
  });

  it('run for several uploads at once without mixing them up', async () => {
    const datas = Array.from({ length: 4 }, (_, i) => randomBytes(2 * MiB + i * 1000));
    const results = await Promise.all(datas.map((d) => blobs.write(pieces(d))));
    results.forEach((res, i) => {
      expect(res.info).toEqual(sums(datas[i]!));
      blobs.release(res.info.sha256);
    });
  });

  it('an over-limit upload is refused whatever its size', async () => {
    const data = randomBytes(3 * MiB);
    const res = await blobs.write(pieces(data), { maxBytes: 2 * MiB });
    expect(res.partial).toBe(true);
    expect(res.error?.message).toBe('size limit exceeded');
    blobs.release(res.info.sha256);
  });
});

describe('large uploads through the servers', () => {
  it('answer the right checksums and hash over HTTP and the binary port (US), and checksumfile agrees', async () => {
    const emu = await startEmulator({ seed: false });
    try {
      const data = randomBytes(6 * MiB + 7);
      const r = await upload(emu, 'big.bin', data);
      expect(r.result).toBe(0);
      expect(r.checksums[0]).toEqual({ sha1: digest('sha1', data), md5: digest('md5', data) });
      expect(r.metadata[0].hash).toBe(contentHash(data));
      expect((await download(emu, r.fileids[0])).equals(data)).toBe(true);
      expect(await as(emu, 'checksumfile', { fileid: r.fileids[0] })).toMatchObject({
        sha1: digest('sha1', data),
        md5: digest('md5', data),
      });

      await binaryPort(emu);
      const other = randomBytes(4 * MiB + 3);
      const w = await open(emu);
      w.socket.write(frame('uploadfile', { auth: emu.auth, folderid: 0, filename: 'bin.bin' }, other));
      const up = await w.answer();
      w.socket.destroy();
      expect(up.value.result).toBe(0);
      const meta = (up.value.metadata as Array<Record<string, V>>)[0]!;
      expect(String(meta.hash)).toBe(contentHash(other));
      expect((up.value.checksums as Array<Record<string, V>>)[0]).toEqual({ sha1: digest('sha1', other), md5: digest('md5', other) });
      expect(await as(emu, 'checksumfile', { fileid: Number(meta.fileid) })).toMatchObject({
        sha1: digest('sha1', other),
        md5: digest('md5', other),
      });
    } finally {
      await emu.stop();
    }
  });

  it('keep their digests across a restart and a new revision (EU, data directory)', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pcloudkit-digests-'));
    const dataDir = join(parent, 'data');
    try {
      const v1 = randomBytes(3 * MiB + 1);
      const v2 = randomBytes(2 * MiB + 9);
      const first = await startEmulator({ dataDir, region: 'eu', seed: false });
      let fileid: number;
      try {
        const r = await upload(first, 'doc.bin', v1, {}, first.auth);
        fileid = r.fileids[0];
        expect(r.checksums[0]).toEqual({ sha1: digest('sha1', v1), sha256: digest('sha256', v1) });
      } finally {
        await first.stop();
      }
      const second = await startEmulator({ dataDir, region: 'eu', seed: false });
      try {
        expect(await as(second, 'checksumfile', { fileid })).toMatchObject({ sha1: digest('sha1', v1), sha256: digest('sha256', v1) });
        const r = await upload(second, 'doc.bin', v2, {}, second.auth);
        expect(r.fileids[0]).toBe(fileid);
        expect(r.checksums[0]).toEqual({ sha1: digest('sha1', v2), sha256: digest('sha256', v2) });
        expect(await as(second, 'checksumfile', { fileid })).toMatchObject({ sha1: digest('sha1', v2), sha256: digest('sha256', v2) });
        const revs = await as(second, 'listrevisions', { fileid });
        expect(revs.result).toBe(0);
        expect(revs.revisions.map((v: { hash: string }) => String(v.hash))).toContain(contentHash(v1));
      } finally {
        await second.stop();
      }
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

describe('the digest threads', () => {
  it('hash a file as it grows, and report a file shorter than announced', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-digest-job-'));
    try {
      const path = join(dir, 'f.bin');
      const data = randomBytes(4 * MiB + 11);
      await writeFile(path, data.subarray(0, MiB));
      const job = startFileDigests(path);
      job.advance(MiB);
      await appendFile(path, data.subarray(MiB));
      job.advance(3 * MiB);
      const { size: _size, ...expected } = sums(data);
      expect(await job.finish(data.length)).toEqual(expected);

      const short = startFileDigests(path);
      await expect(short.finish(data.length + 1)).rejects.toThrow(/shorter/);
      // an aborted job answers nothing, and the threads go on serving others
      startFileDigests(path).abort();
      expect(await startFileDigests(path).finish(MiB)).toEqual({
        sha256: digest('sha256', data.subarray(0, MiB)),
        sha1: digest('sha1', data.subarray(0, MiB)),
        md5: digest('md5', data.subarray(0, MiB)),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
