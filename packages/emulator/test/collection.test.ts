import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWav, startEmulator, type Emulator } from '../src/index.js';
import { as, expectOk, upload, uniq } from './helpers.js';

// The methods as the SDK sees them, over both transports, are tested in
// packages/methods-collection; this file keeps the wire details.

let emu: Emulator;
const dirs: string[] = [];
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const song = async (e = emu) =>
  (await upload(e, `${uniq('s')}.wav`, makeWav({ seconds: 0.1 }), { folderid: 0 })).metadata[0].fileid as number;

describe('collections on the wire', () => {
  it('the demo account has a playlist with its tone; the system collections come with the first list', async () => {
    const { collections } = await expectOk(as(emu, 'collection_list', { showfiles: 1 }));
    const demo = collections.find((c: { name: string }) => c.name === 'Demo playlist');
    expect(demo).toMatchObject({ type: 'audio', system: false, ismine: true, items: 1 });
    expect(demo.contents[0]).toMatchObject({ name: 'tone.wav', position: 1, isfolder: false });
    expect(demo.contents[0].added).toMatch(/\+0000$/);
    const system = collections.filter((c: { system: boolean }) => c.system);
    expect(system.map((c: { name: string }) => c.name)).toEqual(['Most Listened']);
  });

  it('linkresult echoes each file id as sent, a string, with 2009 for unknown files', async () => {
    const a = await song();
    const made = await expectOk(as(emu, 'collection_create', { name: uniq('wire'), fileids: `${a},12345678,abc` }));
    expect(made.collection).toMatchObject({ items: 1, type: 'audio' });
    expect(made.linkresult.map((r: { fileid: unknown; result: number }) => [r.fileid, r.result])).toEqual([
      [String(a), 0],
      ['12345678', 2009],
      ['abc', 2009],
    ]);
    expect(made.linkresult[1].message).toBe('File not found.');
    // an empty list links nothing at all: linkresult false
    const empty = await expectOk(as(emu, 'collection_create', { name: uniq('empty'), fileids: '' }));
    expect(empty.linkresult).toBe(false);
  });

  it('unlinkfiles looks at positions first, then all, then fileids', async () => {
    const ids = [await song(), await song(), await song()];
    const { collection } = await expectOk(as(emu, 'collection_create', { name: uniq('order'), fileids: ids.join(',') }));
    const r = await expectOk(as(emu, 'collection_unlinkfiles', { collectionid: collection.id, positions: '2', all: 1, fileids: ids[0]! }));
    expect(r.collection.contents.map((i: { fileid: number }) => i.fileid)).toEqual([ids[0], ids[2]]);
    const r2 = await expectOk(as(emu, 'collection_unlinkfiles', { collectionid: collection.id, all: 1, fileids: ids[0]! }));
    expect(r2.collection.items).toBe(0);
  });

  it('answers the documented request errors', async () => {
    const { collection } = await expectOk(as(emu, 'collection_create', { name: uniq('errs') }));
    const id = collection.id as number;
    expect((await as(emu, 'collection_details', {})).result).toBe(1057);
    expect((await as(emu, 'collection_details', { collectionid: 'x1' })).result).toBe(1057);
    expect((await as(emu, 'collection_create', {})).result).toBe(1039);
    expect((await as(emu, 'collection_create', { name: uniq('t'), type: 5 })).result).toBe(1058);
    expect((await as(emu, 'collection_rename', { collectionid: id })).result).toBe(1039);
    expect((await as(emu, 'collection_linkfiles', { collectionid: id })).result).toBe(1038);
    expect((await as(emu, 'collection_unlinkfiles', { collectionid: id })).result).toBe(1038);
    expect((await as(emu, 'collection_move', { collectionid: id, position: 1 })).result).toBe(1059);
    expect((await as(emu, 'collection_move', { collectionid: id, item: 1 })).result).toBe(1060);
    expect((await as(emu, 'collection_move', { collectionid: id, item: 1, position: 1 })).result).toBe(2066);
    expect((await as(emu, 'collection_delete', { collectionid: 99999999 })).result).toBe(2065);
  });

  it("another user's collection is not found", async () => {
    const { collection } = await expectOk(as(emu, 'collection_create', { name: uniq('private') }));
    const other = await emu.createUser({ username: `${uniq('u')}@collections.test`, password: 'other-pass' });
    const r = await as(emu, 'collection_details', { collectionid: collection.id, auth: other.auth });
    expect(r.result).toBe(2065);
  });

  it('collections and their order survive a restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pcloudkit-collections-'));
    dirs.push(dataDir);
    const first = await startEmulator({ dataDir, seed: false });
    const ids = [await song(first), await song(first)];
    const { collection } = await expectOk(as(first, 'collection_create', { name: 'kept', fileids: ids.join(',') }));
    await expectOk(as(first, 'collection_move', { collectionid: collection.id, item: 2, position: 1 }));
    const token = first.auth;
    await first.stop();
    const second = await startEmulator({ dataDir, seed: false });
    try {
      const r = await expectOk(as(second, 'collection_details', { collectionid: collection.id, auth: token }));
      expect(r.collection).toMatchObject({ name: 'kept', items: 2 });
      expect(r.collection.contents.map((i: { fileid: number }) => i.fileid)).toEqual([ids[1], ids[0]]);
    } finally {
      await second.stop();
    }
  });
});
