import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { AbortError, IntegrityError, type Middleware, ValidationError } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { type UploadLargeProgress, uploadLarge as portableUpload } from '../src/index.js';
import { fileops, uploadLarge } from '../src/node.js';

const SIZE = 3 * 1024 * 1024 + 12_345;
const CHUNK = 256 * 1024;
const SMALL = 128 * 1024;
const data = randomBytes(SIZE);
const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

/** How many times the most sent byte was sent, from [offset, length] pairs. */
function mostSent(writes: Array<[number, number]>): number {
  const edges = writes.flatMap(([offset, length]) => [[offset, 1] as const, [offset + length, -1] as const]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

describe.each(transportNames)('uploadLarge over %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  let dir: string;
  let path: string;
  let folderid: number;
  /** Every pwrite's offset and length, to check what was sent again. */
  let writes: Array<[number, number]> = [];
  const record: Middleware = (next) => (request) => {
    if (request.method === 'file_pwrite')
      writes.push([Number(request.params.offset), (request.files?.[0]?.data as Uint8Array | undefined)?.byteLength ?? 0]);
    return next(request);
  };
  const makeClient = () => env.client(kind, undefined, { middleware: [record] }).use(fileops);
  let n = 0;
  const name = () => `big-${kind}-${++n}.bin`;
  const listing = async () =>
    (await client.call<{ metadata: { contents: Array<{ name: string; size: number; fileid: number }> } }>('listfolder', { folderid }))
      .metadata.contents;
  const contentOf = async (fileid: number) => {
    const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid });
    return new Uint8Array(await (await fetch(`http://${link.hosts[0]}${link.path}`)).arrayBuffer());
  };

  beforeAll(async () => {
    env = await startTestEnv({ seed: false });
    client = makeClient();
    folderid = (await client.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: 'up' })).metadata.folderid;
    dir = await mkdtemp(join(tmpdir(), 'pck-fileops-'));
    path = join(dir, 'source.bin');
    await writeFile(path, data);
  });
  afterEach(() => {
    env.emulator.faults.clear();
    writes = [];
  });
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a file from disk arrives whole and checked, under its name only', async () => {
    const progress: UploadLargeProgress[] = [];
    const tokens: string[] = [];
    const target = name();
    const done = await client.uploadLarge(
      { path },
      { folderid, name: target },
      {
        chunkSize: CHUNK,
        checksums: ['md5'],
        onProgress: (p) => progress.push(p),
        onResumeToken: (t) => tokens.push(t),
      },
    );
    expect(done.size).toBe(SIZE);
    expect(done.resumes).toBe(0);
    expect(done.sent).toBe(SIZE);
    expect(done.checksums.sha1).toBe(sha1(data));
    expect(done.checksums.md5).toBe(createHash('md5').update(data).digest('hex'));
    expect(done.metadata).toMatchObject({ name: target, size: SIZE });
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.length).toBeLessThan(200);
    expect(progress.at(-1)).toMatchObject({ loaded: SIZE, total: SIZE });
    // a file goes as a few streamed requests: 1 MiB first, then sized to the link's speed (up to 64 MiB)
    expect(writes.length).toBeLessThanOrEqual(3);
    expect(writes[0]![0]).toBe(0);
    expect((await listing()).map((f) => f.name)).toEqual([target]);
    expect(Buffer.compare(await contentOf(done.metadata.fileid), data)).toBe(0);
  });

  test('in chunks: goes on after the connection drops several times, without sending any range more than twice', async () => {
    let cuts = 0;
    env.emulator.faults.dropAfterBytes(
      'file_pwrite',
      () => {
        cuts++;
        // a cut lands past what is sent again after the previous cut (two chunks travel at once)
        return 2 * SMALL + 10_000 + Math.floor(Math.random() * SMALL);
      },
      { direction: 'receive', scope: 'connection', times: 4 },
    );
    const target = name();
    const done = await uploadLarge(client, { path }, { folderid, name: target }, { chunkSize: SMALL, segmentSize: SMALL, retryDelay: 1 });
    expect(cuts).toBeGreaterThanOrEqual(4);
    expect(done.resumes).toBe(4);
    expect(done.checksums.sha1).toBe(sha1(data));
    // sha1 only unless more were asked for
    expect(Object.keys(done.checksums)).toEqual(['sha1']);
    // per drop: what was on the dead connection (two chunks at most) and the rest of it sent again
    expect(done.sent).toBeLessThanOrEqual(SIZE + 4 * 4 * SMALL);
    // every byte went out at most twice
    expect(mostSent(writes)).toBe(2);
    expect(Buffer.compare(await contentOf(done.metadata.fileid), data)).toBe(0);
    expect((await listing()).filter((f) => f.name.endsWith('.upload'))).toEqual([]);
  });

  test('streamed segments: goes on after drops from what the server has, and the file is whole', async () => {
    let cuts = 0;
    env.emulator.faults.dropAfterBytes(
      'file_pwrite',
      () => {
        cuts++;
        return 200_000 + Math.floor(Math.random() * 400_000);
      },
      { direction: 'receive', scope: 'connection', times: 4 },
    );
    const progress: number[] = [];
    const done = await uploadLarge(
      client,
      { path },
      { folderid, name: name() },
      {
        chunkSize: SMALL,
        segmentSize: 1024 * 1024,
        retryDelay: 1,
        onProgress: (p) => progress.push(p.loaded),
      },
    );
    expect(cuts).toBeGreaterThanOrEqual(4);
    expect(done.resumes).toBe(4);
    expect(done.checksums.sha1).toBe(sha1(data));
    // per cut, at most the segment on the dead connection was handed out before it
    expect(done.sent).toBeLessThanOrEqual(SIZE + 4 * 1024 * 1024);
    expect(progress.at(-1)).toBe(SIZE);
    // every request starts where the server was: never back at an earlier byte
    const offsets = writes.map(([offset]) => offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(offsets[0]).toBe(0);
    expect(Buffer.compare(await contentOf(done.metadata.fileid), data)).toBe(0);
  });

  test('streamed segments on a slow link: sized to the speed, each within the call timeout, so the upload completes', async () => {
    // The link moves 512 KiB/s and a call may take 3 s: a request of the whole 3 MiB file needs 6 s
    // and runs out of time. (The emulator keeps what a timed-out request wrote, so fixed 64 MiB
    // segments get through here only by timing out twice and resuming; a server that keeps nothing
    // of them would never see the upload end.) Requests sized to the speed time out at most once,
    // on a loaded machine.
    const RATE = 512; // bytes per ms
    const segments: number[] = [];
    const throttle: Middleware = (next) => (request) => {
      const file = request.files?.[0];
      if (request.method !== 'file_pwrite' || !file || file.data instanceof Uint8Array) return next(request);
      segments.push(file.size ?? 0);
      const source = file.data as AsyncIterable<Uint8Array>;
      const slow = async function* () {
        for await (const bytes of source)
          for (let at = 0; at < bytes.byteLength; at += 32 * 1024) {
            const part = bytes.subarray(at, at + 32 * 1024);
            await new Promise((resolve) => setTimeout(resolve, part.byteLength / RATE));
            yield part;
          }
      };
      return next({ ...request, files: [{ ...file, data: slow() }] });
    };
    const slowClient = env.client(kind, undefined, { timeout: 3000, middleware: [record, throttle] }).use(fileops);
    const target = name();
    const done = await slowClient.uploadLarge({ path }, { folderid, name: target }, { chunkSize: SMALL, retryDelay: 1 });
    expect(done.checksums.sha1).toBe(sha1(data));
    expect(done.size).toBe(SIZE);
    // at most one request ran out of time (on a loaded machine), and no byte went out more than twice
    expect(done.resumes).toBeLessThanOrEqual(1);
    expect(done.sent).toBeLessThan(2 * SIZE);
    // the first request carries 1 MiB, the next ones what the link moves in a quarter of the timeout
    expect(segments[0]).toBe(1024 * 1024);
    expect(Math.max(...segments.slice(1))).toBeLessThan(1024 * 1024);
    expect(segments.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(SIZE);
    expect(Buffer.compare(await contentOf(done.metadata.fileid), data)).toBe(0);
    expect((await listing()).filter((f) => f.name.endsWith('.upload'))).toEqual([]);
  });

  test('a web stream source and a Blob, through the portable entry', async () => {
    const fromStream = await portableUpload(
      client,
      Readable.toWeb(Readable.from([data.subarray(0, 1000), data.subarray(1000)])) as ReadableStream<Uint8Array>,
      { path: `/up/${name()}` },
      { chunkSize: CHUNK },
    );
    expect(fromStream.checksums.sha1).toBe(sha1(data));
    const fromBlob = await portableUpload(client, new Blob([data]), { folderid, name: name() }, { chunkSize: CHUNK });
    expect(fromBlob.metadata.size).toBe(SIZE);
    const empty = await portableUpload(client, new Uint8Array(0), { folderid, name: name() });
    expect(empty.metadata.size).toBe(0);
  });

  test('replaces a file of the same name only once the new one is complete', async () => {
    const target = name();
    const old = await client.call<{ metadata: Array<{ fileid: number }> }>(
      'uploadfile',
      { folderid },
      { files: [{ name: target, data: new TextEncoder().encode('old') }] },
    );
    const done = await client.uploadLarge(new Blob([data]), { folderid, name: target }, { chunkSize: CHUNK });
    expect(done.metadata.size).toBe(SIZE);
    const same = (await listing()).filter((f) => f.name === target);
    expect(same).toHaveLength(1);
    expect(same[0]!.fileid).not.toBe(old.metadata[0]!.fileid);
  });

  test('an abort stops it; the resume token finishes it later without sending the start again', async () => {
    const target = name();
    const controller = new AbortController();
    let token = '';
    const first = uploadLarge(
      client,
      { path },
      { folderid, name: target },
      {
        chunkSize: CHUNK,
        segmentSize: CHUNK,
        signal: controller.signal,
        onResumeToken: (t) => {
          token = t;
        },
        onProgress: (p) => {
          if (p.loaded >= SIZE / 2) controller.abort();
        },
      },
    );
    await expect(first).rejects.toBeInstanceOf(AbortError);
    expect((await listing()).some((f) => f.name === target)).toBe(false);
    const sentBefore = writes.length;
    writes = [];
    // "another process": a new client, the same source and target, the stored token
    const later = makeClient();
    const done = await later.uploadLarge({ path }, { folderid, name: target }, { resume: token, segmentSize: CHUNK });
    expect(done.checksums.sha1).toBe(sha1(data));
    expect(writes.length + sentBefore).toBeLessThanOrEqual(Math.ceil(SIZE / CHUNK) + 1);
    expect(Math.min(...writes.map(([offset]) => offset))).toBeGreaterThanOrEqual(SIZE / 2 - CHUNK);
    expect((await listing()).filter((f) => f.name.endsWith('.upload'))).toEqual([]);
    await expect(later.uploadLarge({ path }, { folderid, name: 'elsewhere' }, { resume: token })).rejects.toBeInstanceOf(ValidationError);
    await expect(later.uploadLarge({ path }, { folderid, name: target }, { resume: 'junk' })).rejects.toBeInstanceOf(ValidationError);
    await expect(later.uploadLarge({ path }, { folderid, name: target }, { checksums: ['crc32' as 'md5'] })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  test('bytes changed on the way: IntegrityError, nothing at the target, no temporary file left', async () => {
    const corrupt: Middleware = (next) => (request) => {
      if (request.method === 'file_pwrite' && Number(request.params.offset) === CHUNK) {
        const bytes = new Uint8Array(request.files![0]!.data as Uint8Array);
        bytes[7] = (bytes[7]! + 1) & 0xff;
        return next({ ...request, files: [{ name: 'data', data: bytes }] });
      }
      return next(request);
    };
    const bad = env.client(kind, undefined, { middleware: [corrupt] }).use(fileops);
    const target = name();
    const error = await bad
      .uploadLarge(new Blob([data]), { folderid, name: target }, { chunkSize: CHUNK, segmentSize: CHUNK })
      .catch((e) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ algorithm: 'sha1', local: sha1(data) });
    const names = (await listing()).map((f) => f.name);
    expect(names).not.toContain(target);
    expect(names.filter((f) => f.endsWith('.upload'))).toEqual([]);
  });
});
