import { Client, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { open as openBinary, frame, type V } from './binary-wire.js';
import { call, expectOk, type Json, parseReply, upload } from './helpers.js';

// A listing keeps its files' metadata (and their JSON) for the next listing
// of the same folder. These tests change files in every way a listing shows
// and check that the next listing answers exactly what the emulator renders
// afresh: byte for byte against a listing that cannot use what was kept
// (every field asked for by name, which takes the uncached path), and entry
// by entry against `stat` of each file.

type Params = Record<string, string | number>;
interface User {
  email: string;
  auth: string;
}

let emu: Emulator;
let alice: User;
let bob: User;
/** A connection of its own for the reference listings: `filtermeta` sticks to the connection it came on. */
let reference: Client;

/** Every field a file's or a folder's metadata can have: asking for all of them changes no answer, but skips the kept ones. */
const ALL_FIELDS = [
  'id',
  'isfolder',
  'name',
  'folderid',
  'parentfolderid',
  'fileid',
  'created',
  'modified',
  'ismine',
  'isshared',
  'icon',
  'category',
  'thumb',
  'size',
  'contenttype',
  'hash',
  'comments',
  'path',
  'isdeleted',
  'userid',
  'canread',
  'canmodify',
  'candelete',
  'cancreate',
  'origparentfolderid',
  'deletedfileid',
].join(',');

beforeAll(async () => {
  const mk = (name: string) => ({ email: `${name}@listing.test`, password: `${name}-Password-1`, emailverified: true });
  const list = [mk('alice'), mk('bob')];
  emu = await startEmulator({ seed: false, users: list, mailRateLimit: 1000 });
  const login = async (u: { email: string; password: string }) => {
    const info = await expectOk(call(emu, 'userinfo', { username: u.email, password: u.password, getauth: 1 }));
    return { email: u.email, auth: String(info.auth) };
  };
  alice = await login(list[0]!);
  bob = await login(list[1]!);
  reference = new Client(emu.api);
});
afterAll(async () => {
  await reference.close();
  await emu.stop();
});

const ok = (u: User, method: string, params: Params = {}) => expectOk(call(emu, method, { auth: u.auth, ...params }));

async function text(u: User, method: string, params: Params, via?: Client): Promise<string> {
  const qs = new URLSearchParams(Object.entries({ auth: u.auth, ...params }).map(([k, v]) => [k, String(v)]));
  const path = `/${method}?${qs}`;
  const res = via ? await via.request({ path, method: 'GET' }) : await request(`${emu.api}${path}`);
  return res.body.text();
}

/**
 * Lists a folder twice (the second answer comes from what the first kept)
 * and checks both against the reference listing, byte for byte, and each
 * live file's entry against its `stat`. Returns the parsed listing.
 */
async function listed(u: User, folderid: number, params: Params = {}): Promise<Json> {
  const expected = await text(u, 'listfolder', { folderid, ...params, filtermeta: ALL_FIELDS }, reference);
  const first = await text(u, 'listfolder', { folderid, ...params });
  const again = await text(u, 'listfolder', { folderid, ...params });
  expect(parseReply(first).result, first).toBe(0);
  expect(first).toBe(expected);
  expect(again).toBe(expected);
  const answer = parseReply(again);
  const files = (answer.metadata.contents as Json[]).filter((e) => !e.isfolder && !e.isdeleted);
  for (const entry of files) {
    const stat = await ok(u, 'stat', { fileid: entry.fileid as number, ...(params.timeformat ? { timeformat: params.timeformat } : {}) });
    expect(entry).toEqual(stat.metadata);
  }
  return answer;
}

const names = (listing: Json) => (listing.metadata.contents as Json[]).map((e) => e.name as string);
const entry = (listing: Json, name: string) => (listing.metadata.contents as Json[]).find((e) => e.name === name)!;

async function folderWithFiles(name: string, count: number, parent = 0): Promise<{ folderid: number; fileids: number[] }> {
  const folderid = (await ok(alice, 'createfolder', { folderid: parent, name })).metadata.folderid as number;
  const fileids: number[] = [];
  for (let i = 0; i < count; i++) {
    const up = await upload(emu, `f${String(i).padStart(2, '0')}.txt`, `content ${i}\n`, { folderid }, alice.auth);
    fileids.push(up.metadata[0].fileid as number);
  }
  return { folderid, fileids };
}

describe('listfolder after changes answers fresh metadata', () => {
  it('renames, moves, new content, new times, deletion, restore and the date format', async () => {
    const a = await folderWithFiles('kept-a', 12);
    const b = await folderWithFiles('kept-b', 3);
    // a subfolder beside the files: the listing is not only kept entries
    await ok(alice, 'createfolder', { folderid: b.folderid, name: 'sub' });
    await listed(alice, a.folderid);
    await listed(alice, b.folderid);

    // rename (the order changes too)
    await ok(alice, 'renamefile', { fileid: a.fileids[0]!, toname: 'zz-renamed.txt' });
    let list = await listed(alice, a.folderid);
    expect(names(list).at(-1)).toBe('zz-renamed.txt');
    expect(names(list)).not.toContain('f00.txt');
    // renamed again: the store holds the same files in the same order, only a name differs
    await ok(alice, 'renamefile', { fileid: a.fileids[0]!, toname: '00-first.txt' });
    list = await listed(alice, a.folderid);
    expect(names(list)[0]).toBe('00-first.txt');

    // move to another folder: gone from one listing, in the other with its new parent
    await ok(alice, 'renamefile', { fileid: a.fileids[1]!, tofolderid: b.folderid });
    list = await listed(alice, a.folderid);
    expect(names(list)).not.toContain('f01.txt');
    list = await listed(alice, b.folderid);
    expect(entry(list, 'f01.txt').parentfolderid).toBe(b.folderid);

    // f03.txt gets the content of a new file uploaded elsewhere, copied over it with a fixed mtime
    const overwriteF03 = async (name: string, text: string) => {
      const copy = await upload(emu, name, text, { folderid: b.folderid }, alice.auth);
      await ok(alice, 'copyfile', {
        fileid: copy.metadata[0].fileid as number,
        tofolderid: a.folderid,
        toname: 'f03.txt',
        mtime: 1_600_000_000,
      });
    };
    // new content (copied over a file): size, hash and dates change
    const before = entry(await listed(alice, a.folderid), 'f03.txt');
    await overwriteF03('bigger.txt', 'a much longer content than before\n');
    list = await listed(alice, a.folderid);
    expect(entry(list, 'f03.txt').hash).not.toBe(before.hash);
    expect(entry(list, 'f03.txt').size).not.toBe(before.size);
    expect(entry(list, 'f03.txt').modified).toBe('Sun, 13 Sep 2020 12:26:40 +0000');
    // new content under the same dates: only size and hash tell
    await overwriteF03('other.txt', 'short\n');
    const after = entry(await listed(alice, a.folderid), 'f03.txt');
    expect([after.size, after.modified, after.created]).toEqual([6, 'Sun, 13 Sep 2020 12:26:40 +0000', entry(list, 'f03.txt').created]);

    // new times only (a file copied onto itself)
    await ok(alice, 'copyfile', { fileid: a.fileids[4]!, tofolderid: a.folderid, toname: 'f04.txt', mtime: 1_500_000_000 });
    list = await listed(alice, a.folderid);
    expect(entry(list, 'f04.txt').modified).toBe('Fri, 14 Jul 2017 02:40:00 +0000');
    // the creation time alone
    await ok(alice, 'copyfile', {
      fileid: a.fileids[4]!,
      tofolderid: a.folderid,
      toname: 'f04.txt',
      mtime: 1_500_000_000,
      ctime: 1_400_000_000,
    });
    list = await listed(alice, a.folderid);
    expect(entry(list, 'f04.txt').created).toBe('Tue, 13 May 2014 16:53:20 +0000');

    // the date format is part of what is kept
    list = await listed(alice, a.folderid, { timeformat: 'timestamp' });
    expect(entry(list, 'f04.txt').modified).toBe(1_500_000_000);
    await listed(alice, a.folderid);

    // deleted: gone from the listing, marked in the listing with deleted files
    await ok(alice, 'deletefile', { fileid: a.fileids[5]! });
    list = await listed(alice, a.folderid);
    expect(names(list)).not.toContain('f05.txt');
    list = await listed(alice, a.folderid, { showdeleted: 1 });
    expect(entry(list, 'f05.txt').isdeleted).toBe(true);
    await listed(alice, a.folderid);

    // restored from the trash
    await ok(alice, 'trash_restore', { fileid: a.fileids[5]! });
    list = await listed(alice, a.folderid);
    expect(entry(list, 'f05.txt').isdeleted).toBeUndefined();
    list = await listed(alice, a.folderid, { showdeleted: 1 });
    expect(entry(list, 'f05.txt').isdeleted).toBeUndefined();

    // a new file with the same name as a deleted one: both in the listing with deleted files
    await ok(alice, 'deletefile', { fileid: a.fileids[6]! });
    await upload(emu, 'f06.txt', 'again', { folderid: a.folderid }, alice.auth);
    list = await listed(alice, a.folderid, { showdeleted: 1 });
    expect(names(list).filter((n) => n === 'f06.txt')).toHaveLength(2);

    // the newest file deleted and a new one under its name: as many files, the same names, another file
    const last = (await upload(emu, 'last.txt', 'one', { folderid: a.folderid }, alice.auth)).metadata[0].fileid as number;
    await listed(alice, a.folderid);
    await ok(alice, 'deletefile', { fileid: last });
    const fresh = (await upload(emu, 'last.txt', 'two', { folderid: a.folderid }, alice.auth)).metadata[0].fileid as number;
    list = await listed(alice, a.folderid);
    expect(entry(list, 'last.txt')).toMatchObject({ fileid: fresh });
    expect(entry(list, 'last.txt').isdeleted).toBeUndefined();

    // the whole tree, and only folders
    await listed(alice, 0, { recursive: 1 });
    await listed(alice, 0, { recursive: 1, showdeleted: 1 });
    await listed(alice, b.folderid, { nofiles: 1 });
  });

  it('shares: the recipient sees the share fields, the owner the folder marked shared', async () => {
    const s = await folderWithFiles('kept-shared', 4);
    await listed(alice, s.folderid);
    await ok(alice, 'sharefolder', { folderid: s.folderid, mail: bob.email, permissions: 7 });
    const code = (await emu.mail.next(bob.email, { kind: 'share' })).code!;
    await ok(bob, 'acceptshare', { code, name: 'from alice' });

    const seen = await listed(bob, s.folderid);
    expect(seen.metadata.contents[0]).toMatchObject({ ismine: false, isshared: true, canmodify: true });
    // bob renames one of alice's files through the share; both see the new name
    await ok(bob, 'renamefile', { fileid: s.fileids[0]!, toname: 'renamed-by-bob.txt' });
    expect(names(await listed(bob, s.folderid))).toContain('renamed-by-bob.txt');
    const own = await listed(alice, s.folderid);
    expect(names(own)).toContain('renamed-by-bob.txt');
    expect(entry(own, 'renamed-by-bob.txt').ismine).toBe(true);
    const root = await listed(alice, 0);
    expect(entry(root, 'kept-shared').isshared).toBe(true);
    const bobRoot = await listed(bob, 0);
    expect(entry(bobRoot, 'from alice')).toMatchObject({ ismine: false, folderid: s.folderid });
  });

  it('field filters apply to a folder listed before without them', async () => {
    const f = await folderWithFiles('kept-filtered', 3);
    await listed(alice, f.folderid);
    const own = new Client(emu.api);
    try {
      const filtered = parseReply(await text(alice, 'listfolder', { folderid: f.folderid, filterfilemeta: 'name,size' }, own));
      expect(filtered.metadata.contents).toEqual([
        { name: 'f00.txt', size: 10 },
        { name: 'f01.txt', size: 10 },
        { name: 'f02.txt', size: 10 },
      ]);
    } finally {
      await own.close();
    }
    await listed(alice, f.folderid);
  });

  it('the binary port answers the same listing', async () => {
    const f = await folderWithFiles('kept-binary', 5);
    const http = await listed(alice, f.folderid);
    const r = await openBinary(emu);
    try {
      for (let i = 0; i < 2; i++) {
        r.socket.write(frame('listfolder', { auth: alice.auth, folderid: f.folderid }));
        const value = (await r.answer()).value;
        // the HTTP side holds the hashes as decimal text
        const hashesAsText = (v: V): V =>
          Array.isArray(v)
            ? v.map(hashesAsText)
            : typeof v === 'object' && v !== null
              ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'hash' ? String(x) : hashesAsText(x as V)]))
              : v;
        expect(hashesAsText(value)).toEqual(http);
      }
    } finally {
      r.socket.destroy();
    }
  });
});
