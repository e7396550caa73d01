import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AbortError, ApiError, linkUrls, ValidationError, type Middleware, type Progress } from '@pcloudkit/core';
import { folder } from '@pcloudkit/methods-folder';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { checksumfile, file, stat, uploadfile, type UploadProgressResult } from '../src/index.js';

async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  const api = error as ApiError;
  expect(api.result).toBe(code);
  return api;
}

const text = (s: string) => new TextEncoder().encode(s);
const hex = (algo: string, data: Uint8Array) => createHash(algo).update(data).digest('hex');

describe.each(transportNames)('file methods over %s', (kind) => {
  let env: TestEnv;
  let client: ReturnType<typeof makeClient>;
  let dir: string;
  const sent: string[] = [];
  const record: Middleware = (next) => (request) => {
    sent.push(request.method);
    return next(request);
  };
  const makeClient = () =>
    env
      .client(kind, undefined, { middleware: [record] })
      .use(folder)
      .use(file);

  beforeAll(async () => {
    env = await startTestEnv({ allowPrivateDownloads: true });
    client = makeClient();
    dir = await mkdtemp(join(tmpdir(), 'pcloudkit-file-'));
  });
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  const mkdir = async (path: string) => (await client.createfolder({ path })).metadata.folderid;

  describe('uploadfile', () => {
    test('one file from bytes: ids, metadata and checksums match what was sent', async () => {
      const folderid = await mkdir('/up-one');
      const data = randomBytes(70_000);
      const r = await client.uploadfile({ folderid }, { files: [{ name: 'one.bin', data }] });
      expect(r.fileids).toHaveLength(1);
      expect(r.metadata).toHaveLength(1);
      const [m] = r.metadata;
      expect(m).toMatchObject({ isfolder: false, name: 'one.bin', size: data.byteLength, parentfolderid: folderid, fileid: r.fileids[0] });
      expect(typeof m!.hash).toBe('bigint');
      expect(m!.created).toBeInstanceOf(Date);
      expect(r.checksums[0]!.sha1).toBe(hex('sha1', data));
      expect(r.checksums[0]!.md5).toBe(hex('md5', data));
    });

    test('every source kind: Uint8Array, Blob, Node Readable, web ReadableStream, path on disk', async () => {
      const folderid = await mkdir('/up-kinds');
      const onDisk = join(dir, 'disk.txt');
      await writeFile(onDisk, 'from disk');
      const sources = [
        { name: 'bytes.txt', data: text('from bytes'), expect: 'from bytes' },
        { name: 'blob.txt', data: new Blob(['from a blob']), expect: 'from a blob' },
        {
          name: 'node.txt',
          data: Readable.from([Buffer.from('from a '), Buffer.from('node stream')]),
          size: 18,
          expect: 'from a node stream',
        },
        {
          name: 'web.txt',
          data: new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(text('from a '));
              c.enqueue(text('web stream'));
              c.close();
            },
          }),
          size: 17,
          expect: 'from a web stream',
        },
        { name: 'disk.txt', data: { path: onDisk }, expect: 'from disk' },
      ];
      for (const s of sources) {
        const r = await client.upload({ name: s.name, data: s.data, size: 'size' in s ? s.size : undefined }, { folderid });
        expect(r.metadata[0]).toMatchObject({ name: s.name, size: Buffer.byteLength(s.expect) });
        expect(r.checksums[0]!.sha1).toBe(hex('sha1', text(s.expect)));
      }
      const listed = await client.listfolder({ folderid });
      expect(listed.metadata.contents.map((i) => i.name).sort()).toEqual(sources.map((s) => s.name).sort());
    });

    test('a stream of unknown size: streamed over HTTP, refused before sending over binary', async () => {
      const folderid = await mkdir('/up-unsized');
      const stream = () => Readable.from([Buffer.from('no size '), Buffer.from('given')]);
      if (kind === 'http') {
        const r = await client.upload({ name: 'unsized.txt', data: stream() }, { folderid });
        expect(r.metadata[0]!.size).toBe(13);
        expect(r.checksums[0]!.sha1).toBe(hex('sha1', text('no size given')));
      } else {
        const error = await client.upload({ name: 'unsized.txt', data: stream() }, { folderid }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).param).toBe('files');
        expect((await client.listfolder({ folderid })).metadata.contents).toEqual([]);
      }
    });

    test('several files keep their order (one request over HTTP, one per file over binary)', async () => {
      const folderid = await mkdir('/up-many');
      const files = ['a.txt', 'b.txt', 'c.txt'].map((name, i) => ({ name, data: text(`content ${i} `.repeat(i + 1)) }));
      const r = await client.upload(files, { path: '/up-many' });
      expect(r.metadata.map((m) => m.name)).toEqual(['a.txt', 'b.txt', 'c.txt']);
      expect(r.fileids).toEqual(r.metadata.map((m) => m.fileid));
      expect(r.checksums.map((c) => c.sha1)).toEqual(files.map((f) => hex('sha1', f.data)));
      expect(r.metadata.every((m) => m.parentfolderid === folderid)).toBe(true);
    });

    test('upload progress is reported up to the full size', async () => {
      await mkdir('/up-progress');
      const data = randomBytes(300_000);
      const more = randomBytes(200_000);
      const seen: Progress[] = [];
      await client.upload(
        [
          { name: 'p.bin', data },
          { name: 'q.bin', data: more },
        ],
        { path: '/up-progress', onProgress: (p) => seen.push({ ...p }) },
      );
      expect(seen.length).toBeGreaterThan(1);
      const last = seen.at(-1)!;
      expect(last.loaded).toBeGreaterThanOrEqual(data.byteLength + more.byteLength);
      if (last.total !== undefined) expect(last.loaded).toBe(last.total);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!.loaded).toBeGreaterThanOrEqual(seen[i - 1]!.loaded);
    });

    test('overwriting keeps the file id and the old content as a revision; renameifexists makes a new name', async () => {
      const folderid = await mkdir('/up-over');
      const v1 = text('version one');
      const v2 = text('version two, longer');
      const first = await client.upload({ name: 'doc.txt', data: v1 }, { folderid });
      const second = await client.upload({ name: 'doc.txt', data: v2 }, { folderid });
      expect(second.fileids[0]).toBe(first.fileids[0]);
      expect(second.metadata[0]!.size).toBe(v2.byteLength);
      expect(second.metadata[0]!.hash).not.toBe(first.metadata[0]!.hash);

      // The old content is still there: read it back as a past revision.
      // emulator: listrevisions answers 5000 (not implemented), so the revision
      // id comes from the emulator's store instead of `client.call('listrevisions')`.
      const record = env.emulator.core.store.files.get(first.fileids[0]!)!;
      expect(record.revisions.map((r) => r.size)).toEqual([v1.byteLength]);
      const old = record.revisions[0]!;
      const oldSums = await client.checksumfile({ fileid: first.fileids[0]! }, { global: { revisionid: old.revisionid } });
      expect(oldSums.sha1).toBe(hex('sha1', v1));
      expect(oldSums.metadata.size).toBe(v1.byteLength);
      const current = await client.checksumfile({ fileid: first.fileids[0]! });
      expect(current.sha1).toBe(hex('sha1', v2));

      const third = await client.upload({ name: 'doc.txt', data: text('third') }, { folderid, renameifexists: true });
      expect(third.fileids[0]).not.toBe(first.fileids[0]);
      expect(third.metadata[0]!.name).not.toBe('doc.txt');
      expect(third.metadata[0]!.name).toMatch(/^doc \(\d+\)\.txt$/);
      const listed = await client.listfolder({ folderid });
      expect(listed.metadata.contents).toHaveLength(2);
    });

    test('a source that fails mid-way leaves the existing file whole; upload() sends nopartial=1 by default', async () => {
      const folderid = await mkdir('/up-cut');
      const whole = randomBytes(4 << 20);
      const first = await client.upload({ name: 'big.bin', data: whole }, { folderid });
      const params: Record<string, unknown>[] = [];
      const spy: Middleware = (next) => (request) => {
        params.push(request.params);
        return next(request);
      };
      const spying = env.client(kind, undefined, { middleware: [spy] }).use(file);
      async function* failing() {
        yield whole.subarray(0, 1 << 20);
        yield whole.subarray(1 << 20, 2 << 20);
        throw new Error('the source broke');
      }
      const error = await spying
        .upload({ name: 'big.bin', data: Readable.from(failing()), size: whole.length }, { folderid })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(params[0]).toMatchObject({ nopartial: 1 });
      // the emulator may still be reading the cut request: wait until it gave up on it
      for (let i = 0; i < 50; i++) {
        const now = await client.stat({ fileid: first.fileids[0]! });
        expect(now.metadata).toMatchObject({ size: whole.length });
        await new Promise((r) => setTimeout(r, 10));
      }
      expect((await client.checksumfile({ fileid: first.fileids[0]! })).sha1).toBe(hex('sha1', whole));
    });

    test('mtime and ctime are recorded', async () => {
      const folderid = await mkdir('/up-times');
      const mtime = new Date('2020-05-06T07:08:09Z');
      const r = await client.upload({ name: 't.txt', data: text('t') }, { folderid, mtime, ctime: 1_500_000_000 });
      expect(r.metadata[0]!.modified.getTime()).toBe(mtime.getTime());
      expect(r.metadata[0]!.created.getTime()).toBe(1_500_000_000_000);
    });

    test('errors: missing destination folder (2005), aborted upload (AbortError)', async () => {
      const err = await apiError(client.upload({ name: 'x.txt', data: text('x') }, { folderid: 987654321 }), 2005);
      expect(err.errorClass).toBe('state');
      expect(err.method).toBe('uploadfile');
      const controller = new AbortController();
      controller.abort();
      await expect(client.upload({ name: 'x.txt', data: text('x') }, { signal: controller.signal })).rejects.toBeInstanceOf(AbortError);
    });
  });

  describe('uploadprogress', () => {
    test('follows an upload in flight and after it finished', async () => {
      const folderid = await mkdir('/progress');
      const progresshash = `hash-${kind}-${Date.now()}`;
      const head = randomBytes(50_000);
      const tail = randomBytes(30_000);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let headSent!: () => void;
      const headOut = new Promise<void>((resolve) => (headSent = resolve));
      // A stream that stops halfway until the test has polled.
      let headDone = false;
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          if (!headDone) {
            headDone = true;
            c.enqueue(head);
            headSent();
            return;
          }
          await released;
          c.enqueue(tail);
          c.close();
        },
      });
      const watcher = env.client(kind).use(file);
      const upload = client.upload({ name: 'slow.bin', data: body, size: head.byteLength + tail.byteLength }, { folderid, progresshash });
      await headOut;
      // The server may not have started on the request yet (1900): poll until it has seen bytes.
      let during: UploadProgressResult | undefined;
      for (let i = 0; i < 200 && !during; i++) {
        try {
          const r = await watcher.uploadprogress({ progresshash });
          if ('uploaded' in r && r.uploaded > 0) during = r;
        } catch (e) {
          if (!(e instanceof ApiError && e.result === 1900)) throw e;
        }
        if (!during) await new Promise((r) => setTimeout(r, 10));
      }
      release();
      expect(during).toBeDefined();
      expect(during!.finished).toBe(false);
      if ('uploaded' in during!) {
        expect(during.uploaded).toBeLessThan(during.total);
        expect(during.currentfile).toBe('slow.bin');
      }
      const done = await upload;
      const after = await watcher.uploadprogress({ progresshash });
      expect(after.finished).toBe(true);
      expect('files' in after && after.files.map((f) => ('fileid' in f ? f.fileid : undefined))).toEqual(done.fileids);
    });

    test('unknown hash: 1900, a timing error', async () => {
      const err = await apiError(client.uploadprogress({ progresshash: 'never-used' }), 1900);
      expect(err.errorClass).toBe('timing');
    });
  });

  describe('downloadfile', () => {
    test('fetches a URL served by the emulator into a folder', async () => {
      const folderid = await mkdir('/dl');
      const data = randomBytes(12_345);
      const up = await client.upload({ name: 'source.bin', data }, { path: '/dl' });
      const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: up.fileids[0]! });
      const [url] = linkUrls(link, { scheme: client.scheme });
      const r = await client.downloadfile({ url: url!, folderid, target: 'copy.bin' });
      expect(r.metadata).toHaveLength(1);
      expect(r.metadata[0]).toMatchObject({ name: 'copy.bin', size: data.byteLength, parentfolderid: folderid });
      const sums = await checksumfile(client, { fileid: r.metadata[0]!.fileid });
      expect(sums.sha1).toBe(hex('sha1', data));
    });

    test('downloadfileasync queues the download; uploadprogress follows it to the end', async () => {
      const folderid = await mkdir('/dl-async');
      const data = randomBytes(4_321);
      const up = await client.upload({ name: 'async-src.bin', data }, { folderid: 0 });
      const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: up.fileids[0]! });
      const [url] = linkUrls(link, { scheme: client.scheme });
      const progresshash = `dl-${kind}-${Date.now()}`;
      await client.downloadfileasync({ url: url!, path: '/dl-async', target: encodeURIComponent('async copy.bin'), progresshash });
      let progress: UploadProgressResult | undefined;
      for (let i = 0; i < 500; i++) {
        progress = await client.uploadprogress({ progresshash });
        if (progress.finished) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(progress!.finished).toBe(true);
      expect('urlcount' in progress!).toBe(true);
      if ('urlcount' in progress!) {
        expect(progress).toMatchObject({ urlcount: 1, urlready: 1, urlworking: 0 });
        expect(progress.files[0]).toMatchObject({ url, status: 'ready', downloaded: data.byteLength });
        expect(progress.files[0]!.metadata).toMatchObject({ name: 'async copy.bin', size: data.byteLength, parentfolderid: folderid });
      }
      const saved = await client.stat({ path: '/dl-async/async copy.bin' });
      expect(!saved.metadata.isfolder && saved.metadata.size).toBe(data.byteLength);
      await apiError(client.downloadfileasync({ url: '  ' }), 1040);
    });

    test('errors: no url (1040) and a missing folder (2005)', async () => {
      await apiError(client.downloadfile({ url: '' }), 1040);
      await apiError(client.downloadfile({ url: 'http://127.0.0.1:9/x', folderid: 987654321 }), 2005);
    });
  });

  describe('copy, checksum, rename, delete, stat', () => {
    test('copyfile by id to a folder with a new name, and by path to a path; noover', async () => {
      const folderid = await mkdir('/cp');
      const data = text('copy me');
      const up = await client.upload({ name: 'orig.txt', data }, { folderid });
      const src = up.metadata[0]!;

      const a = await client.copyfile({ fileid: src.fileid, tofolderid: folderid, toname: 'a.txt' });
      expect(a.metadata).toMatchObject({ name: 'a.txt', size: data.byteLength, parentfolderid: folderid });
      expect(a.metadata.fileid).not.toBe(src.fileid);
      expect(a.metadata.hash).toBe(src.hash);

      const b = await client.copyfile({ path: '/cp/orig.txt', topath: '/b.txt' });
      expect(b.metadata).toMatchObject({ name: 'b.txt', parentfolderid: 0 });

      const err = await apiError(client.copyfile({ fileid: src.fileid, topath: '/cp/a.txt', noover: true }), 2004);
      expect(err.errorClass).toBe('state');
      await apiError(client.copyfile({ fileid: 987654321, tofolderid: 0 }), 2009);
    });

    test('checksumfile matches node:crypto over the uploaded bytes', async () => {
      const data = randomBytes(100_000);
      const up = await client.upload({ name: 'sum.bin', data }, { folderid: 0 });
      const r = await client.checksumfile({ fileid: up.fileids[0]! });
      // The test emulator plays a US server: sha1 + md5, no sha256.
      expect(r.sha1).toBe(hex('sha1', data));
      expect(r.md5).toBe(hex('md5', data));
      expect(r.sha256).toBeUndefined();
      expect(typeof r.metadata.hash).toBe('bigint');
      expect(r.metadata.hash).toBe(up.metadata[0]!.hash);
      expect(r.metadata.size).toBe(data.byteLength);
      const byPath = await checksumfile(client, { path: '/sum.bin' });
      expect(byPath.sha1).toBe(r.sha1);
      await apiError(client.checksumfile({ path: '/missing.bin' }), 2009);
    });

    test('an EU server answers sha256 instead of md5', async () => {
      const eu = await startTestEnv({ region: 'eu' });
      try {
        const euClient = eu.client(kind).use(file);
        const data = randomBytes(5_000);
        const up = await euClient.upload({ name: 'eu.bin', data });
        expect(up.checksums[0]).toEqual({ sha1: hex('sha1', data), sha256: hex('sha256', data) });
        const r = await euClient.checksumfile({ fileid: up.fileids[0]! });
        expect(r.sha1).toBe(hex('sha1', data));
        expect(r.sha256).toBe(hex('sha256', data));
        expect(r.md5).toBeUndefined();
      } finally {
        await eu.close();
      }
    });

    test('renamefile renames, moves, and replaces a taken name (deletedfileid)', async () => {
      const folderid = await mkdir('/rn');
      const [x, y] = (
        await client.upload(
          [
            { name: 'x.txt', data: text('x') },
            { name: 'y.txt', data: text('yy') },
          ],
          { folderid },
        )
      ).metadata;
      const renamed = await client.renamefile({ fileid: x!.fileid, toname: 'x2.txt' });
      expect(renamed.metadata).toMatchObject({ fileid: x!.fileid, name: 'x2.txt', parentfolderid: folderid });

      const moved = await client.renamefile({ path: '/rn/x2.txt', tofolderid: 0 });
      expect(moved.metadata).toMatchObject({ fileid: x!.fileid, parentfolderid: 0 });

      const replacing = await client.renamefile({ fileid: x!.fileid, topath: '/rn/y.txt' });
      expect(replacing.metadata).toMatchObject({ fileid: x!.fileid, name: 'y.txt', parentfolderid: folderid, deletedfileid: y!.fileid });
      await apiError(client.stat({ fileid: y!.fileid }), 2009);

      const err = await apiError(client.renamefile({ fileid: x!.fileid }), 1037);
      expect(err.errorClass).toBe('bad-request');
      await apiError(client.renamefile({ fileid: 987654321, toname: 'z' }), 2009);
    });

    test('deletefile marks the file deleted; a second delete is 2009', async () => {
      const up = await client.upload({ name: 'gone.txt', data: text('bye') }, { folderid: 0 });
      const r = await client.deletefile({ fileid: up.fileids[0]! });
      expect(r.metadata).toMatchObject({ fileid: up.fileids[0], isdeleted: true });
      const err = await apiError(client.deletefile({ fileid: up.fileids[0]! }), 2009);
      expect(err.errorClass).toBe('state');
      await apiError(client.stat({ path: '/gone.txt' }), 2009);
    });

    test('stat by id and by path; missing file 2009', async () => {
      const up = await client.upload({ name: 'st.txt', data: text('stat me') }, { folderid: 0 });
      const byId = await stat(client, { fileid: up.fileids[0]! });
      expect(byId.metadata).toMatchObject({ fileid: up.fileids[0], name: 'st.txt', size: 7, isfolder: false });
      expect(byId.metadata.modified).toBeInstanceOf(Date);
      const byPath = await client.stat({ path: '/st.txt' });
      expect(byPath.metadata.id).toBe(`f${up.fileids[0]}`);
      const err = await apiError(client.stat({ fileid: 987654321 }), 2009);
      expect(err.errorClass).toBe('state');
    });
  });

  describe('validation happens before sending', () => {
    const rejects = async (promise: Promise<unknown>, param: string) => {
      const before = sent.length;
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).param).toBe(param);
      expect(sent.length).toBe(before);
    };

    test('copyfile one-of sets', async () => {
      await rejects(client.copyfile({ tofolderid: 0 } as never), 'fileid|path');
      await rejects(client.copyfile({ fileid: 1 } as never), 'tofolderid|topath');
      await rejects(client.copyfile({ fileid: 1, path: '/a', tofolderid: 0 } as never), 'fileid|path');
      await rejects(client.copyfile({ fileid: 1, tofolderid: 0, topath: '/b' } as never), 'tofolderid|topath');
    });

    test('wrong types and missing required params', async () => {
      await rejects(client.stat({ fileid: 'abc' }), 'fileid');
      await rejects(client.checksumfile({ fileid: 1.5 }), 'fileid');
      await rejects(client.uploadprogress({} as never), 'progresshash');
      await rejects(client.downloadfile({ url: 42 as never }), 'url');
      await rejects(client.copyfile({ fileid: 1, tofolderid: 0, noover: 'no' as never }), 'noover');
    });

    test('the upload helper checks its own options', async () => {
      await rejects(client.upload([], { folderid: 0 }), 'files');
      await rejects(client.upload({ name: 'a', data: text('a') }, { folderid: 0, path: '/' } as never), 'folderid|path');
      await rejects(client.upload({ name: 'a', data: text('a') }, { mtime: new Date('nope') }), 'mtime');
      await rejects(client.upload({ name: 'a', data: text('a') }, { folderid: 'abc' }), 'folderid');
    });

    test('the standalone uploadfile takes its files through call options', async () => {
      const before = sent.length;
      const r = await uploadfile(client, { path: '/' }, { files: [{ name: 'raw.txt', data: text('raw') }] });
      expect(r.metadata[0]!.name).toBe('raw.txt');
      expect(sent.slice(before)).toEqual(['uploadfile']);
    });
  });
});
