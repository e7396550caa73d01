import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { copytolink, showuploadlink, uploadlinks, uploadtolink } from '../src/index.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
}

const BOB = { username: 'bob@example.com', password: 'bob-secret-1' };

describe.each(transportNames)('upload link methods over %s', (kind) => {
  let env: TestEnv;
  let owner: ReturnType<typeof makeClient>;
  let anon: ReturnType<typeof makeClient>;
  let bob: ReturnType<typeof makeClient>;
  const makeClient = (auth?: null | typeof BOB) => env.client(kind, auth).use(uploadlinks);
  let n = 0;

  beforeAll(async () => {
    env = await startTestEnv({ users: [{ email: BOB.username, password: BOB.password }] });
    owner = makeClient();
    anon = makeClient(null);
    bob = makeClient(BOB);
  });
  afterAll(() => env.close());

  /** A fresh folder of the owner and a link into it. */
  const fresh = async (limits: { maxspace?: number; maxfiles?: number; expire?: Date } = {}) => {
    const r = await owner.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: `drop-${kind}-${++n}` });
    const folderid = r.metadata.folderid;
    const link = await owner.createuploadlink({ folderid, comment: 'Put the scans here', ...limits });
    return { folderid, ...link };
  };
  const names = async (folderid: number) => {
    const r = await owner.call<{ metadata: { contents: { name: string; fileid: number }[] } }>('listfolder', { folderid });
    return r.metadata.contents.map((f) => f.name).sort();
  };
  const bytesOf = async (folderid: number, name: string) => {
    const r = await owner.call<{ metadata: { contents: { name: string; fileid: number }[] } }>('listfolder', { folderid });
    const file = r.metadata.contents.find((f) => f.name === name)!;
    const link = await owner.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: file.fileid });
    const scheme = env.emulator.api.startsWith('https') ? 'https' : 'http';
    return Buffer.from(await (await fetch(`${scheme}://${link.hosts[0]}${link.path}`)).arrayBuffer());
  };

  test('createuploadlink gives a link on the emulator, listuploadlinks counts what came in', async () => {
    const made = await fresh({ maxfiles: 10 });
    expect(made.link.startsWith(env.emulator.api)).toBe(true);
    expect(made.link).toContain(made.code);
    await anon.uploadLinks.upload(made.code, { name: 'a.txt', data: new TextEncoder().encode('abc') });
    const { uploadlinks: list } = await owner.listuploadlinks();
    const mine = list.find((l) => l.uploadlinkid === made.uploadlinkid)!;
    expect(mine).toMatchObject({ code: made.code, comment: 'Put the scans here', files: 1, space: 3, maxfiles: 10 });
    expect(mine.created).toBeInstanceOf(Date);
    expect(mine.metadata?.folderid).toBe(made.folderid);
  });

  test('an anonymous client reads the link and uploads bytes, a Blob and a stream, with progress', async () => {
    const made = await fresh();
    expect(await anon.showuploadlink({ code: made.code })).toMatchObject({ comment: 'Put the scans here' });
    expect(await showuploadlink(anon, { code: made.code })).toMatchObject({ mail: expect.stringContaining('@') });
    const big = new Uint8Array(200_000).map((_, i) => i % 251);
    const seen: number[] = [];
    const files = [
      { name: 'bytes.bin', data: big },
      { name: 'blob.txt', data: new Blob(['from a blob']) },
      { name: 'stream.txt', data: Readable.from([Buffer.from('from '), Buffer.from('a stream')]), size: 13 },
    ];
    const r = await anon.uploadLinks.upload(made.code, files, {
      names: 'Carol',
      comment: 'three files',
      onProgress: (p) => seen.push(p.loaded),
    });
    expect(r).toEqual({ files: 3 });
    expect(await names(made.folderid)).toEqual(['blob.txt', 'bytes.bin', 'stream.txt']);
    expect((await bytesOf(made.folderid, 'bytes.bin')).equals(Buffer.from(big))).toBe(true);
    expect((await bytesOf(made.folderid, 'stream.txt')).toString()).toBe('from a stream');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBeGreaterThanOrEqual(big.length);
    // a second upload under a taken name never replaces the owner's file
    await anon.uploadLinks.upload(made.code, { name: 'blob.txt', data: new Blob(['again']) });
    expect(await names(made.folderid)).toEqual(['blob (2).txt', 'blob.txt', 'bytes.bin', 'stream.txt']);
    // the owner's side keeps who sent each file and their note (the helper names an uploader who gave none)
    const listing = await owner.call<{ metadata: { contents: { name: string; fileid: number }[] } }>('listfolder', {
      folderid: made.folderid,
    });
    const idOf = (name: string) => listing.metadata.contents.find((f) => f.name === name)!.fileid;
    expect(env.emulator.core.store.uploadLinkFile(idOf('bytes.bin'))).toMatchObject({ uploader: 'Carol', comment: 'three files' });
    expect(env.emulator.core.store.uploadLinkFile(idOf('blob (2).txt'))).toMatchObject({ uploader: 'anonymous' });
  });

  test('a file on disk goes up by its path', async () => {
    const made = await fresh();
    const dir = await mkdtemp(join(tmpdir(), 'uplink-'));
    try {
      const file = join(dir, 'on-disk.txt');
      await writeFile(file, 'bytes from the disk');
      await anon.uploadLinks.upload(made.code, { name: 'on-disk.txt', data: { path: file } });
      expect((await bytesOf(made.folderid, 'on-disk.txt')).toString()).toBe('bytes from the disk');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('uploadlinkprogress reports a tagged upload, for anyone holding the code', async () => {
    const made = await fresh();
    const progresshash = `p-${kind}-${Date.now()}`;
    await anon.uploadLinks.upload(made.code, { name: 'zeros.bin', data: new Uint8Array(100_000) }, { progresshash });
    const p = await anon.uploadlinkprogress({ code: made.code, progresshash });
    expect(p).toMatchObject({ finished: true, filenumber: 1 });
    expect(p.uploaded).toBe(p.total);
    await apiError(anon.uploadlinkprogress({ code: made.code, progresshash: 'never-used' }), 1900);
  });

  test('caps, expiry, change and delete take effect at once', async () => {
    const made = await fresh({ maxfiles: 1 });
    await anon.uploadLinks.upload(made.code, { name: 'one.txt', data: new Uint8Array([1]) });
    await apiError(anon.uploadLinks.upload(made.code, { name: 'two.txt', data: new Uint8Array([2]) }), 7008);
    await owner.changeuploadlink({ uploadlinkid: made.uploadlinkid, maxfiles: 0, maxspace: 4 });
    await apiError(anon.uploadLinks.upload(made.code, { name: 'big.bin', data: new Uint8Array(5) }), 7007);
    await anon.uploadLinks.upload(made.code, { name: 'two.txt', data: new Uint8Array(3) });
    await apiError(anon.showuploadlink({ code: made.code }), 7007);
    await owner.changeuploadlink({ uploadlinkid: made.uploadlinkid, maxspace: 0, expire: new Date(Date.now() - 60_000) });
    await apiError(anon.showuploadlink({ code: made.code }), 7004);
    await owner.changeuploadlink({ uploadlinkid: made.uploadlinkid, deleteexpire: true });
    await anon.showuploadlink({ code: made.code });
    await owner.deleteuploadlink({ uploadlinkid: made.uploadlinkid });
    await apiError(anon.showuploadlink({ code: made.code }), 7002);
    await apiError(anon.uploadLinks.upload(made.code, { name: 'late.txt', data: new Uint8Array(1) }), 7002);
    expect(await names(made.folderid)).toEqual(['one.txt', 'two.txt']);
    await apiError(owner.deleteuploadlink({ uploadlinkid: made.uploadlinkid }), 2040);
  });

  test('copytolink copies a file of the caller into the link; others cannot touch the owner’s link', async () => {
    const made = await fresh();
    const up = await bob.call<{ metadata: { fileid: number }[] }>(
      'uploadfile',
      { folderid: 0 },
      { files: [{ name: `bob-${kind}.txt`, data: new TextEncoder().encode('bob wrote this') }] },
    );
    await copytolink(bob, { code: made.code, fileid: up.metadata[0]!.fileid, toname: 'from-bob.txt' });
    await bob.copytolink({ code: made.code, path: `/bob-${kind}.txt` });
    expect(await names(made.folderid)).toEqual([`bob-${kind}.txt`, 'from-bob.txt']);
    expect((await bytesOf(made.folderid, 'from-bob.txt')).toString()).toBe('bob wrote this');
    await apiError(bob.changeuploadlink({ uploadlinkid: made.uploadlinkid, maxfiles: 1 }), 2040);
    await apiError(bob.deleteuploadlink({ uploadlinkid: made.uploadlinkid }), 2040);
    expect((await bob.listuploadlinks()).uploadlinks).toEqual([]);
    // the owner cannot copy Bob's file by id
    await apiError(owner.copytolink({ code: made.code, fileid: up.metadata[0]!.fileid }), 2009);
    // and an anonymous client cannot copy at all
    await apiError(anon.copytolink({ code: made.code, fileid: up.metadata[0]!.fileid }), 1000);
  });

  test('bad input is refused before anything is sent', async () => {
    await expect(anon.uploadLinks.upload('', { name: 'x', data: new Uint8Array(1) })).rejects.toBeInstanceOf(ValidationError);
    await expect(anon.uploadLinks.upload('code', [])).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error: comment is required
    await expect(owner.createuploadlink({ folderid: 0 })).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error: one of folderid and path
    await expect(owner.createuploadlink({ comment: 'c' })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      // @ts-expect-error: expire and deleteexpire exclude each other
      owner.changeuploadlink({ uploadlinkid: 1, expire: new Date(), deleteexpire: true }),
    ).rejects.toBeInstanceOf(ValidationError);
    await apiError(anon.showuploadlink({ code: 'no-such-code' }), 7001);
    // the raw definition works as a standalone function too
    await apiError(anon.request(uploadtolink, { code: 'no-such-code' }, { files: [{ name: 'x', data: new Uint8Array(1) }] }), 7001);
  });
});
