import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { open as openBinary, frame } from './binary-wire.js';
import { call, expectOk, type Json, upload, uniq } from './helpers.js';

// Shared folders between accounts over real sockets: offers read from the
// outbox, the folder in the recipient's tree, the permission bits enforced on
// every write on both ports, the share events of diff, and the refusals.

type Params = Record<string, string | number>;
interface User {
  email: string;
  password: string;
  auth: string;
  userid: number;
}

let emu: Emulator;
const users: Record<'alice' | 'bob' | 'carol' | 'dave' | 'eve', User> = {} as never;

beforeAll(async () => {
  const mk = (name: string, emailverified = true) => ({ email: `${name}@share.test`, password: `${name}-Password-1`, emailverified });
  const list = [
    mk('alice'),
    mk('bob'),
    mk('carol'),
    mk('dave', false),
    mk('eve'),
    { ...mk('frank'), quota: 100 },
    { ...mk('gus'), quota: 100 },
  ];
  emu = await startEmulator({ seed: false, users: list, mailRateLimit: 1000 });
  for (const u of list) {
    const info = await expectOk(call(emu, 'userinfo', { username: u.email, password: u.password, getauth: 1 }));
    const name = u.email.split('@')[0] as keyof typeof users;
    users[name] = { email: u.email, password: u.password, auth: String(info.auth), userid: Number(info.userid) };
  }
});
afterAll(async () => {
  await emu.stop();
});

/** Logs in one of the extra users of the option list (quota tests). */
async function login(name: string): Promise<User> {
  const email = `${name}@share.test`;
  const password = `${name}-Password-1`;
  const info = await expectOk(call(emu, 'userinfo', { username: email, password, getauth: 1 }));
  return { email, password, auth: String(info.auth), userid: Number(info.userid) };
}

const api = (u: User, method: string, params: Params = {}) => call(emu, method, { auth: u.auth, ...params });
const ok = (u: User, method: string, params: Params = {}) => expectOk(api(u, method, params));

/** One call on a fresh binary connection (with an optional payload). */
async function bin(u: User, method: string, params: Params = {}, payload?: Buffer): Promise<Json> {
  const r = await openBinary(emu);
  try {
    r.socket.write(frame(method, { auth: u.auth, ...params }, payload));
    return (await r.answer()).value as Json;
  } finally {
    r.socket.destroy();
  }
}

/** Alice offers `folderid` to `to`; the offer's code as the recipient reads it from the mail. */
async function offer(folderid: number, to: User, permissions: number, extra: Params = {}): Promise<string> {
  await ok(users.alice, 'sharefolder', { folderid, mail: to.email, permissions, ...extra });
  const mail = await emu.mail.next(to.email, { kind: 'share' });
  expect(mail.code).toBeTruthy();
  return mail.code!;
}

/** A folder of Alice's with a file and a subfolder, shared with `to` (accepted); returns the ids. */
async function sharedFolder(to: User, permissions: number): Promise<{ folder: number; file: number; sub: number; name: string }> {
  const name = uniq('proj');
  const folder = (await ok(users.alice, 'createfolder', { folderid: 0, name })).metadata.folderid as number;
  const sub = (await ok(users.alice, 'createfolder', { folderid: folder, name: 'sub' })).metadata.folderid as number;
  const up = await upload(emu, 'a.txt', 'alpha', { folderid: folder }, users.alice.auth);
  const file = up.metadata[0].fileid as number;
  const code = await offer(folder, to, permissions);
  await ok(to, 'acceptshare', { code, name });
  return { folder, file, sub, name };
}

/** A tree without its `isshared` flags (which change when a share ends). */
function unshared(t: Json): Json {
  const { isshared: _, contents, ...rest } = t;
  return contents ? { ...rest, contents: (contents as Json[]).map(unshared) } : rest;
}

/** Alice's tree below a folder, for before/after comparisons. */
async function tree(folderid: number): Promise<Json> {
  const r = await ok(users.alice, 'listfolder', { folderid, recursive: 1 });
  return r.metadata;
}

const events = async (u: User, after: number) => (await ok(u, 'diff', { diffid: after })).entries as Json[];
const lastDiff = async (u: User) => (await ok(u, 'diff', { last: 0 })).diffid as number;

describe('share lifecycle', () => {
  it('offers by mail, lists on both sides, accepts into a chosen place, changes and removes', async () => {
    const { alice, bob } = users;
    const aliceDiff = await lastDiff(alice);
    const bobDiff = await lastDiff(bob);
    const folder = (await ok(alice, 'createfolder', { folderid: 0, name: 'Holiday' })).metadata.folderid as number;
    await upload(emu, 'plan.txt', 'the plan', { folderid: folder }, alice.auth);
    const code = await offer(folder, bob, 0, { name: 'Holiday 2026', message: 'have a look' });

    // the offer, without login, by its code
    const info = await expectOk(call(emu, 'sharerequestinfo', { code }));
    expect(info.share).toMatchObject({ tomail: bob.email, folderid: folder, sharename: 'Holiday 2026', message: 'have a look' });
    expect(info.share).toMatchObject({ canread: true, cancreate: false, canmodify: false, candelete: false });
    // the same offer again: 2019
    expect((await api(alice, 'sharefolder', { folderid: folder, mail: bob.email, permissions: 0 })).result).toBe(2019);

    const out = await ok(alice, 'listshares');
    const req = out.requests.outgoing.find((r: Json) => r.folderid === folder);
    expect(req).toMatchObject({ tomail: bob.email, sharename: 'Holiday 2026', canread: true });
    expect(out.requests.incoming).toEqual([]);
    const incoming = (await ok(bob, 'listshares')).requests.incoming;
    expect(incoming).toHaveLength(1);
    expect(incoming[0]).toMatchObject({ sharerequestid: req.sharerequestid, frommail: alice.email, fromuserid: alice.userid });
    // flags leave sections out
    const onlyOut = await ok(alice, 'listshares', { noshares: 1, noincoming: 1 });
    expect(onlyOut.shares).toBeUndefined();
    expect(onlyOut.requests.incoming).toBeUndefined();
    expect(onlyOut.requests.outgoing).toHaveLength(1);

    // Bob accepts into a folder of his, under a name of his choice
    const inbox = (await ok(bob, 'createfolder', { folderid: 0, name: 'From friends' })).metadata.folderid as number;
    await ok(bob, 'acceptshare', { sharerequestid: req.sharerequestid, folderid: inbox, name: 'Alice holiday' });
    expect((await api(bob, 'sharerequestinfo', { code })).result).toBe(2021);
    const listing = (await ok(bob, 'listfolder', { folderid: inbox })).metadata.contents as Json[];
    expect(listing).toHaveLength(1);
    expect(listing[0]).toMatchObject({
      name: 'Alice holiday',
      folderid: folder,
      parentfolderid: inbox,
      ismine: false,
      isshared: true,
      userid: alice.userid,
      canread: true,
      cancreate: false,
      canmodify: false,
      candelete: false,
    });
    // by path too, and the contents read
    const inside = await ok(bob, 'listfolder', { path: '/From friends/Alice holiday' });
    expect(inside.metadata.path).toBe('/From friends/Alice holiday');
    expect(inside.metadata.contents.map((x: Json) => x.name)).toEqual(['plan.txt']);
    expect(inside.metadata.contents[0]).toMatchObject({ ismine: false, userid: alice.userid, canmodify: false });
    // the owner sees her folder as shared
    const mine = (await ok(alice, 'listfolder', { folderid: 0 })).metadata.contents.find((x: Json) => x.folderid === folder);
    expect(mine).toMatchObject({ ismine: true, isshared: true });

    const shares = await ok(alice, 'listshares');
    const share = shares.shares.outgoing.find((s: Json) => s.folderid === folder);
    expect(share).toMatchObject({ tomail: bob.email, touserid: bob.userid, canread: true, cancreate: false });
    expect(shares.requests.outgoing).toEqual([]);
    expect((await ok(bob, 'listshares')).shares.incoming[0]).toMatchObject({ shareid: share.shareid, frommail: alice.email });

    // permissions change: Bob sees the new rights at once
    await ok(alice, 'changeshare', { shareid: share.shareid, permissions: 7 });
    const now = (await ok(bob, 'listfolder', { folderid: inbox })).metadata.contents[0];
    expect(now).toMatchObject({ cancreate: true, canmodify: true, candelete: true });
    expect((await api(bob, 'changeshare', { shareid: share.shareid, permissions: 0 })).result).toBe(2025);

    // the recipient removes it: gone from his tree, the folder stays Alice's
    await ok(bob, 'removeshare', { shareid: share.shareid });
    expect((await ok(bob, 'listfolder', { folderid: inbox })).metadata.contents).toEqual([]);
    expect((await api(bob, 'listfolder', { folderid: folder })).result).toBe(2005);
    expect((await ok(alice, 'listfolder', { folderid: folder })).metadata.isshared).toBe(false);
    expect((await api(alice, 'removeshare', { shareid: share.shareid })).result).toBe(2025);

    // the share events, each side its own, in order
    const aliceEvents = (await events(alice, aliceDiff)).filter((e) => e.share);
    expect(aliceEvents.map((e) => e.event)).toEqual(['requestshareout', 'acceptedshareout', 'modifiedshareout', 'removedshareout']);
    expect(aliceEvents[0]!.share).toMatchObject({ tomail: bob.email, folderid: folder, sharerequestid: req.sharerequestid });
    expect(aliceEvents[1]!.share).toMatchObject({ shareid: share.shareid, touserid: bob.userid });
    expect(aliceEvents[2]!.share).toMatchObject({ folderid: folder, candelete: true });
    // the folder and its file reach Bob's diff before acceptedsharein, at their place in his tree
    const bobAll = await events(bob, bobDiff);
    const accepted = bobAll.findIndex((e) => e.event === 'acceptedsharein');
    const created = bobAll.slice(0, accepted).filter((e) => e.event.startsWith('create') && e.metadata.ismine === false);
    expect(created.map((e) => [e.event, e.metadata.name])).toEqual([
      ['createfolder', 'Alice holiday'],
      ['createfile', 'plan.txt'],
    ]);
    expect(created[0]!.metadata.parentfolderid).toBe(inbox);
    const bobEvents = bobAll.filter((e) => e.share);
    expect(bobEvents.map((e) => e.event)).toEqual(['requestsharein', 'acceptedsharein', 'modifiedsharein', 'removedsharein']);
    expect(bobEvents[0]!.share).toMatchObject({ fromuserid: alice.userid, frommail: alice.email, sharename: 'Holiday 2026' });
    expect(typeof bobEvents[0]!.share.created).toBe('string');
  });

  it('declines (with block), cancels, and auto-accepts with always', async () => {
    const { alice, bob, carol, eve } = users;
    const f1 = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('d') })).metadata.folderid as number;
    const f2 = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('d') })).metadata.folderid as number;
    const f3 = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('d') })).metadata.folderid as number;

    // cancel: the code stops working, Eve sees it withdrawn
    const eveDiff = await lastDiff(eve);
    const code = await offer(f1, eve, 1);
    const id = (await ok(alice, 'listshares')).requests.outgoing.find((r: Json) => r.folderid === f1).sharerequestid;
    expect((await api(eve, 'cancelsharerequest', { sharerequestid: id })).result).toBe(2021);
    await ok(alice, 'cancelsharerequest', { sharerequestid: id });
    expect((await api(eve, 'acceptshare', { code })).result).toBe(2021);
    expect((await events(eve, eveDiff)).map((e) => e.event)).toEqual(['requestsharein', 'cancelledsharein']);

    // decline with block: later offers from Alice are refused (2017)
    const c2 = await offer(f1, eve, 0);
    expect((await api(bob, 'declineshare', { code: c2 })).result).toBe(2022);
    await ok(eve, 'declineshare', { code: c2, block: 1 });
    expect((await api(alice, 'sharefolder', { folderid: f2, mail: eve.email, permissions: 0 })).result).toBe(2017);
    expect((await ok(eve, 'listshares')).requests.incoming).toEqual([]);

    // always: Carol's next offer from Alice lands in the chosen folder by itself
    const dest = (await ok(carol, 'createfolder', { folderid: 0, name: 'alice-stuff' })).metadata.folderid as number;
    const c3 = await offer(f2, carol, 0);
    await ok(carol, 'acceptshare', { code: c3, folderid: dest, always: 1 });
    await offer(f3, carol, 2, { name: 'auto' });
    const names = (await ok(carol, 'listfolder', { folderid: dest })).metadata.contents.map((x: Json) => x.name);
    expect(names).toContain('auto');
    expect((await ok(carol, 'listshares')).shares.incoming).toHaveLength(2);
    // Carol's mount names never clash: the same name gets a suffix
    const f4 = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('d') })).metadata.folderid as number;
    await offer(f4, carol, 0, { name: 'auto' });
    const again = (await ok(carol, 'listfolder', { folderid: dest })).metadata.contents.map((x: Json) => x.name);
    expect(again).toContain('auto (2)');
  });
});

describe('refusals', () => {
  it("answers pCloud's codes for bad offers and answers", async () => {
    const { alice, bob, dave, eve } = users;
    const folder = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('r') })).metadata.folderid as number;
    expect((await api(alice, 'sharefolder', { mail: bob.email, permissions: 0 })).result).toBe(1002);
    expect((await api(alice, 'sharefolder', { folderid: folder, permissions: 0 })).result).toBe(1023);
    expect((await api(alice, 'sharefolder', { folderid: folder, mail: bob.email })).result).toBe(1024);
    expect((await api(alice, 'sharefolder', { folderid: folder, mail: bob.email, permissions: 8 })).result).toBe(1024);
    expect((await api(alice, 'sharefolder', { folderid: 0, mail: bob.email, permissions: 0 })).result).toBe(2015);
    expect((await api(alice, 'sharefolder', { folderid: folder, mail: 'not-an-address', permissions: 0 })).result).toBe(2018);
    expect((await api(alice, 'sharefolder', { folderid: folder, mail: alice.email, permissions: 0 })).result).toBe(2020);
    expect((await api(bob, 'sharefolder', { folderid: folder, mail: eve.email, permissions: 0 })).result).toBe(2005);
    const daveFolder = (await ok(dave, 'createfolder', { folderid: 0, name: 'mine' })).metadata.folderid as number;
    expect((await api(dave, 'sharefolder', { folderid: daveFolder, mail: bob.email, permissions: 0 })).result).toBe(2014);
    expect((await api(bob, 'acceptshare', {})).result).toBe(1025);
    expect((await api(bob, 'declineshare', {})).result).toBe(1025);
    expect((await api(bob, 'cancelsharerequest', {})).result).toBe(1026);
    expect((await api(bob, 'removeshare', {})).result).toBe(1027);
    expect((await api(bob, 'changeshare', { permissions: 1 })).result).toBe(1027);
    expect((await api(bob, 'acceptshare', { code: 'no-such-code' })).result).toBe(2021);
    expect((await call(emu, 'sharerequestinfo', {})).result).toBe(1022);
    expect((await api(bob, 'listshares', { auth: 'wrong' })).result).toBe(2000);
  });

  it('keeps folders with shares or offers (2028), refuses foreign accepts (2022), nested mounts (2023), double access (2024), resharing (2016)', async () => {
    const { alice, bob, dave: eve } = users;
    const { folder, sub } = await sharedFolder(bob, 7);
    expect((await api(alice, 'deletefolderrecursive', { folderid: folder })).result).toBe(2028);
    const pending = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('p') })).metadata.folderid as number;
    const code = await offer(pending, eve, 0);
    expect((await api(alice, 'deletefolder', { folderid: pending })).result).toBe(2028);
    expect((await tree(folder)).contents.length).toBeGreaterThan(0);
    // the offer went to Eve
    expect((await api(bob, 'acceptshare', { code })).result).toBe(2022);
    // Bob cannot mount it inside Alice's share, nor get a second way into the same folder
    const other = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('o') })).metadata.folderid as number;
    const c2 = await offer(other, bob, 0);
    expect((await api(bob, 'acceptshare', { code: c2, folderid: sub })).result).toBe(2023);
    expect((await api(alice, 'sharefolder', { folderid: sub, mail: bob.email, permissions: 0 })).result).toBe(2024);
    // a folder Bob reaches through a share is not his to offer
    expect((await api(bob, 'sharefolder', { folderid: sub, mail: eve.email, permissions: 0 })).result).toBe(2016);
    // the recipient deleting the share's own folder leaves the share; Alice's folder keeps its content
    expect((await api(bob, 'deletefolderrecursive', { folderid: folder })).result).toBe(0);
    expect((await tree(folder)).contents.length).toBeGreaterThan(0);
  });
});

describe('diff of the recipient', () => {
  it('gets the changes made inside the share while he has it, as he sees them', async () => {
    const { alice, bob, carol } = users;
    const ids = await sharedFolder(bob, 0);
    const bobDiff = await lastDiff(bob);
    const carolDiff = await lastDiff(carol);
    const up = await upload(emu, 'news.txt', 'fresh', { folderid: ids.sub }, alice.auth);
    await ok(alice, 'renamefile', { fileid: up.metadata[0].fileid, toname: 'old-news.txt' });
    await ok(alice, 'deletefile', { fileid: ids.file });
    const seen = (await events(bob, bobDiff)).map((e) => [e.event, e.metadata?.name, e.metadata?.ismine]);
    expect(seen).toEqual([
      ['createfile', 'news.txt', false],
      ['modifyfile', 'old-news.txt', false],
      ['deletefile', 'a.txt', false],
    ]);
    // nobody else hears of it
    expect(await events(carol, carolDiff)).toEqual([]);
    // moved out of the share it leaves Bob's tree; a folder moved in comes with what is in it
    const outside = (await ok(alice, 'createfolder', { folderid: 0, name: uniq('outside') })).metadata.folderid as number;
    await upload(emu, 'inner.txt', 'i', { folderid: outside }, alice.auth);
    const mark = await lastDiff(bob);
    await ok(alice, 'renamefile', { fileid: up.metadata[0].fileid, tofolderid: outside });
    await ok(alice, 'renamefolder', { folderid: outside, tofolderid: ids.folder });
    const moved = (await events(bob, mark)).map((e) => [e.event, e.metadata?.name]);
    expect(moved).toEqual([
      ['deletefile', 'old-news.txt'],
      ['createfolder', expect.stringMatching(/^outside-/)],
      ['createfile', 'inner.txt'],
      ['createfile', 'old-news.txt'],
    ]);
  });
});

describe('diff reset', () => {
  it('lists the shares the user accepted with the rest of his tree', async () => {
    const mk = (name: string) => ({ email: `${name}@reset.test`, password: `${name}-Password-1` });
    const small = await startEmulator({ seed: false, binary: false, users: [mk('ann'), mk('ben')], historyLimit: 3 });
    try {
      const auth = async (name: string) =>
        String(
          (await expectOk(call(small, 'userinfo', { username: `${name}@reset.test`, password: `${name}-Password-1`, getauth: 1 }))).auth,
        );
      const ann = await auth('ann');
      const ben = await auth('ben');
      const folder = (await expectOk(call(small, 'createfolder', { auth: ann, folderid: 0, name: 'photos' }))).metadata.folderid;
      await upload(small, 'p.txt', 'p', { folderid: folder }, ann);
      await expectOk(call(small, 'sharefolder', { auth: ann, folderid: folder, mail: 'ben@reset.test', permissions: 0 }));
      const code = (await small.mail.next('ben@reset.test', { kind: 'share' })).code!;
      await expectOk(call(small, 'acceptshare', { auth: ben, code, name: 'from ann' }));
      for (let i = 0; i < 6; i++) await expectOk(call(small, 'createfolder', { auth: ben, folderid: 0, name: `f${i}` }));
      const d = await expectOk(call(small, 'diff', { auth: ben, diffid: 1 }));
      expect(d.entries[0].event).toBe('reset');
      const created = d.entries.filter((e: Json) => e.metadata?.ismine === false).map((e: Json) => [e.event, e.metadata.name]);
      expect(created).toEqual([
        ['createfolder', 'from ann'],
        ['createfile', 'p.txt'],
      ]);
    } finally {
      await small.stop();
    }
  });
});

describe('persistence', () => {
  it('offers, shares, rules and share events survive a restart of a data directory', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pcloudkit-sharing-'));
    const dataDir = join(parent, 'data');
    const mk = (name: string) => ({ email: `${name}@keep.test`, password: `${name}-Password-1` });
    const auth = async (e: Emulator, name: string) =>
      String((await expectOk(call(e, 'userinfo', { username: `${name}@keep.test`, password: `${name}-Password-1`, getauth: 1 }))).auth);
    try {
      const first = await startEmulator({ dataDir, seed: false, binary: false, users: [mk('ann'), mk('ben')] });
      let folder: number;
      let pending: number;
      try {
        const ann = await auth(first, 'ann');
        const ben = await auth(first, 'ben');
        folder = (await expectOk(call(first, 'createfolder', { auth: ann, folderid: 0, name: 'kept' }))).metadata.folderid;
        pending = (await expectOk(call(first, 'createfolder', { auth: ann, folderid: 0, name: 'waiting' }))).metadata.folderid;
        await expectOk(call(first, 'sharefolder', { auth: ann, folderid: folder, mail: 'ben@keep.test', permissions: 1 }));
        const code = (await first.mail.next('ben@keep.test', { kind: 'share' })).code!;
        await expectOk(call(first, 'acceptshare', { auth: ben, code, name: 'from ann', always: 1 }));
        await expectOk(call(first, 'sharefolder', { auth: ann, folderid: pending, mail: 'nobody@keep.test', permissions: 0 }));
      } finally {
        await first.stop();
      }
      const second = await startEmulator({ dataDir, seed: false, binary: false });
      try {
        const ann = await auth(second, 'ann');
        const ben = await auth(second, 'ben');
        const listed = await expectOk(call(second, 'listshares', { auth: ann }));
        expect(listed.shares.outgoing.map((x: Json) => x.folderid)).toEqual([folder]);
        expect(listed.requests.outgoing.map((x: Json) => x.folderid)).toEqual([pending]);
        const root = await expectOk(call(second, 'listfolder', { auth: ben, folderid: 0 }));
        expect(root.metadata.contents.map((x: Json) => [x.name, x.ismine, x.cancreate])).toEqual([['from ann', false, true]]);
        expect((await call(second, 'createfolder', { auth: ben, folderid: folder, name: 'in' })).result).toBe(0);
        expect((await call(second, 'deletefolder', { auth: ann, folderid: pending })).result).toBe(2028);
        const shareEvents = (await expectOk(call(second, 'diff', { auth: ben, diffid: 0 }))).entries.filter((e: Json) => e.share);
        expect(shareEvents.map((e: Json) => e.event)).toEqual(['requestsharein', 'acceptedsharein']);
        // always: the next offer of Ann's lands by itself
        const more = (await expectOk(call(second, 'createfolder', { auth: ann, folderid: 0, name: 'more' }))).metadata.folderid;
        await expectOk(call(second, 'sharefolder', { auth: ann, folderid: more, mail: 'ben@keep.test', permissions: 0 }));
        expect((await expectOk(call(second, 'listshares', { auth: ben }))).shares.incoming).toHaveLength(2);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});

describe("the recipient's own view", () => {
  it('renames and moves the share in his tree only; his folder holding it cannot be deleted', async () => {
    const { alice, bob } = users;
    const ids = await sharedFolder(bob, 0);
    const aliceName = (await tree(ids.folder)).name;
    const renamed = await ok(bob, 'renamefolder', { folderid: ids.folder, toname: 'mine now' });
    expect(renamed.metadata).toMatchObject({ name: 'mine now', parentfolderid: 0, folderid: ids.folder, ismine: false });
    expect((await tree(ids.folder)).name).toBe(aliceName);
    const box = (await ok(bob, 'createfolder', { folderid: 0, name: uniq('box') })).metadata;
    const moved = await ok(bob, 'renamefolder', { folderid: ids.folder, topath: `/${box.name}/` });
    expect(moved.metadata).toMatchObject({ name: 'mine now', parentfolderid: box.folderid, path: `/${box.name}/mine now` });
    expect((await ok(bob, 'listfolder', { folderid: box.folderid })).metadata.contents.map((x: Json) => x.name)).toEqual(['mine now']);
    // not into a share, not onto a taken name
    expect((await api(bob, 'renamefolder', { folderid: ids.folder, tofolderid: ids.sub })).result).toBe(2023);
    await ok(bob, 'createfolder', { folderid: 0, name: 'taken' });
    expect((await api(bob, 'renamefolder', { folderid: ids.folder, tofolderid: 0, toname: 'taken' })).result).toBe(2004);
    expect((await api(bob, 'deletefolderrecursive', { folderid: box.folderid })).result).toBe(2028);
    expect((await ok(alice, 'listfolder', { folderid: ids.folder })).metadata.name).toBe(aliceName);
  });
});

/** Write calls through the share as `u`: each must answer `code` (or succeed when 0). */
function writes(ids: { folder: number; file: number; sub: number }, mine: number): [string, string, Params][] {
  return [
    ['create', 'createfolder', { folderid: ids.folder, name: uniq('new') }],
    ['create', 'copyfile', { fileid: mine, tofolderid: ids.folder, toname: uniq('c') }],
    ['modify', 'renamefile', { fileid: ids.file, toname: uniq('renamed') }],
    ['modify', 'renamefolder', { folderid: ids.sub, toname: uniq('renamed') }],
    ['modify', 'copyfile', { fileid: mine, tofolderid: ids.folder, toname: 'a.txt' }],
    ['delete', 'deletefile', { fileid: ids.file }],
    ['delete', 'deletefolderrecursive', { folderid: ids.sub }],
  ];
}

describe('permissions', () => {
  for (const port of ['http', 'binary'] as const) {
    const send = (u: User, method: string, params: Params, payload?: Buffer) =>
      port === 'http' ? api(u, method, params) : bin(u, method, params, payload);

    it(`read-only share (${port}): reads work, every write is refused with 2003 and nothing changes`, async () => {
      const { bob } = users;
      const ids = await sharedFolder(bob, 0);
      const mine = (await upload(emu, 'bob.txt', 'bob', { folderid: 0 }, bob.auth)).metadata[0].fileid as number;
      const before = await tree(ids.folder);
      expect((await send(bob, 'listfolder', { folderid: ids.folder })).result).toBe(0);
      expect((await send(bob, 'stat', { fileid: ids.file })).result).toBe(0);
      expect((await send(bob, 'getfilelink', { fileid: ids.file })).result).toBe(0);
      for (const [, method, params] of writes(ids, mine)) {
        expect([method, (await send(bob, method, params)).result]).toEqual([method, 2003]);
      }
      const up =
        port === 'http'
          ? await upload(emu, 'in.txt', 'x', { folderid: ids.folder }, bob.auth)
          : await bin(bob, 'uploadfile', { folderid: ids.folder, filename: 'in.txt' }, Buffer.from('x'));
      expect(up.result).toBe(2003);
      expect((await send(bob, 'file_open', { flags: 0x42, folderid: ids.folder, name: 'fd.txt' })).result).toBe(2003);
      expect((await send(bob, 'file_open', { flags: 0x2, fileid: ids.file })).result).toBe(2003);
      // moving a file of the share into Bob's own tree (and his own into the share) crosses owners
      expect((await send(bob, 'renamefile', { fileid: ids.file, tofolderid: 0 })).result).toBe(2003);
      expect(await tree(ids.folder)).toEqual(before);
    });

    it(`create-only share (${port}): new files and folders go to the owner, changes and deletes are refused`, async () => {
      const { alice, bob } = users;
      const ids = await sharedFolder(bob, 1);
      const mine = (await upload(emu, 'bob.txt', 'bob', { folderid: 0 }, bob.auth)).metadata[0].fileid as number;
      const aliceUsed = (await ok(alice, 'userinfo')).usedquota as number;
      const bobUsed = (await ok(bob, 'userinfo')).usedquota as number;
      const made = await send(bob, 'createfolder', { folderid: ids.folder, name: 'by-bob' });
      expect(made.result).toBe(0);
      expect(made.metadata).toMatchObject({ ismine: false, userid: alice.userid, cancreate: true, canmodify: false });
      const up =
        port === 'http'
          ? await upload(emu, 'report.txt', '12345678', { folderid: ids.folder }, bob.auth)
          : await bin(bob, 'uploadfile', { folderid: ids.folder, filename: 'report.txt' }, Buffer.from('12345678'));
      expect(up.result).toBe(0);
      expect((await ok(alice, 'userinfo')).usedquota).toBe(aliceUsed + 8);
      expect((await ok(bob, 'userinfo')).usedquota).toBe(bobUsed);
      const names = (await tree(ids.folder)).contents.map((x: Json) => x.name);
      expect(names).toEqual(expect.arrayContaining(['by-bob', 'report.txt']));
      const before = await tree(ids.folder);
      for (const [kind, method, params] of writes(ids, mine)) {
        if (kind === 'create') continue;
        expect([method, (await send(bob, method, params)).result]).toEqual([method, 2003]);
      }
      expect(await tree(ids.folder)).toEqual(before);
    });

    it(`full share (${port}): every write goes through`, async () => {
      const { bob } = users;
      const ids = await sharedFolder(bob, 7);
      const mine = (await upload(emu, 'bob.txt', 'bob', { folderid: 0 }, bob.auth)).metadata[0].fileid as number;
      for (const [, method, params] of writes(ids, mine)) {
        expect([method, (await send(bob, method, params)).result]).toEqual([method, 0]);
      }
    });
  }

  it('revertrevision needs modify; changeshare takes effect at once', async () => {
    const { alice, bob } = users;
    const ids = await sharedFolder(bob, 0);
    await upload(emu, 'a.txt', 'alpha two', { folderid: ids.folder }, alice.auth);
    const revs = (await ok(alice, 'listrevisions', { fileid: ids.file })).revisions as Json[];
    const old = revs.at(-1)!.revisionid as number;
    expect((await api(bob, 'revertrevision', { fileid: ids.file, revisionid: old })).result).toBe(2003);
    const shareid = (await ok(alice, 'listshares')).shares.outgoing.find((s: Json) => s.folderid === ids.folder).shareid;
    await ok(alice, 'changeshare', { shareid, permissions: 2 });
    expect((await api(bob, 'revertrevision', { fileid: ids.file, revisionid: old })).result).toBe(0);
  });
});

describe('a recipient deleting the folder of a share', () => {
  it('leaves the share, as removeshare would, and nothing of the owner is deleted', async () => {
    const { alice, bob } = users;
    // read-only: leaving needs no right
    const ids = await sharedFolder(bob, 0);
    await upload(emu, 'deep.txt', 'deep', { folderid: ids.sub }, alice.auth);
    const before = await tree(ids.folder);
    const aliceUsed = (await ok(alice, 'userinfo')).usedquota as number;
    const aliceDiff = await lastDiff(alice);
    const bobDiff = await lastDiff(bob);
    expect(await ok(bob, 'deletefolderrecursive', { folderid: ids.folder })).toMatchObject({ deletedfiles: 0, deletedfolders: 0 });
    expect((await api(bob, 'listfolder', { folderid: ids.folder })).result).toBe(2005);
    const bobRoot = (await ok(bob, 'listfolder', { folderid: 0 })).metadata.contents as Json[];
    expect(bobRoot.some((e) => e.name === ids.name)).toBe(false);
    expect(unshared(await tree(ids.folder))).toEqual(unshared(before));
    expect((await ok(alice, 'userinfo')).usedquota).toBe(aliceUsed);
    expect(
      (await ok(alice, 'listshares')).shares.outgoing.some((sh: Json) => sh.folderid === ids.folder && sh.touserid === bob.userid),
    ).toBe(false);
    expect((await events(alice, aliceDiff)).map((e) => e.event)).toEqual(['removedshareout']);
    const bobEvents = (await events(bob, bobDiff)).filter((e) => e.share);
    expect(bobEvents.map((e) => e.event)).toEqual(['removedsharein']);
    expect(bobEvents[0]!.share).toMatchObject({ folderid: ids.folder });
  });

  it('deletefolder on a share that is not empty leaves it too (by path, answered as the recipient saw it)', async () => {
    const { alice, bob } = users;
    const ids = await sharedFolder(bob, 7);
    const before = await tree(ids.folder);
    const left = await ok(bob, 'deletefolder', { path: `/${ids.name}` });
    expect(left.metadata).toMatchObject({ folderid: ids.folder, name: ids.name, path: `/${ids.name}` });
    expect((await api(bob, 'listfolder', { path: `/${ids.name}` })).result).toBe(2005);
    expect(unshared(await tree(ids.folder))).toEqual(unshared(before));
    expect((await ok(alice, 'listfolder', { folderid: ids.folder })).metadata.isshared).toBe(false);
    // a folder inside the share is still deleted for real (with the right to)
    const ids2 = await sharedFolder(bob, 7);
    await ok(bob, 'deletefolder', { folderid: ids2.sub });
    expect((await ok(alice, 'listfolder', { folderid: ids2.folder })).metadata.contents.some((e: Json) => e.name === 'sub')).toBe(false);
  });
});

describe('quota', () => {
  it("files put into a share count against the owner's quota, not the uploader's", async () => {
    const { bob } = users;
    const frank = await login('frank');
    const gus = await login('gus');
    // Frank (100 bytes) shares with Bob: Bob's upload is measured against Frank's quota
    const small = (await ok(frank, 'createfolder', { folderid: 0, name: 'small' })).metadata.folderid as number;
    await ok(frank, 'sharefolder', { folderid: small, mail: bob.email, permissions: 1 });
    await ok(bob, 'acceptshare', { code: (await emu.mail.next(bob.email, { kind: 'share' })).code!, name: uniq('frank') });
    expect((await upload(emu, 'big.bin', Buffer.alloc(500), { folderid: small }, bob.auth)).result).toBe(2008);
    // Gus (100 bytes) may put 500 bytes into Alice's share
    const ids = await sharedFolder(gus, 1);
    expect((await upload(emu, 'big.bin', Buffer.alloc(500), { folderid: ids.folder }, gus.auth)).result).toBe(0);
    expect((await ok(gus, 'userinfo')).usedquota).toBe(0);
  });

  it("reverting, saving a zip, extracting and restoring from the trash into a share charge the folder's owner", async () => {
    const { alice, bob } = users;
    const gus = await login('gus');
    const frank = await login('frank');
    // Gus (100 bytes) holds every right on one of Alice's folders; the bytes are random so the zip stays big
    const ids = await sharedFolder(gus, 7);
    const big = (await upload(emu, 'big.bin', randomBytes(500), { folderid: ids.folder }, alice.auth)).metadata[0].fileid as number;
    await upload(emu, 'big.bin', 'small now', { folderid: ids.folder }, alice.auth);
    const old = ((await ok(alice, 'listrevisions', { fileid: big })).revisions as Json[]).at(-1)!.revisionid as number;
    expect((await api(gus, 'revertrevision', { fileid: big, revisionid: old })).result).toBe(0);
    expect((await ok(alice, 'stat', { fileid: big })).metadata.size).toBe(500);
    const zip = (await ok(gus, 'savezip', { folderid: ids.folder, tofolderid: ids.folder, toname: 'all.zip' })).metadata;
    expect(zip.size).toBeGreaterThan(500);
    const out = await ok(gus, 'extractarchive', { fileid: zip.fileid as number, tofolderid: ids.sub });
    expect(JSON.stringify(out.output)).not.toContain('quota');
    expect((await ok(alice, 'listfolder', { folderid: ids.sub })).metadata.contents.some((e: Json) => e.name === 'big.bin')).toBe(true);
    expect((await ok(gus, 'userinfo')).usedquota).toBe(0);
    // Bob (10 GiB) brings 500 bytes of his trash back into a share of Frank (100 bytes): Frank's quota refuses
    const small = (await ok(frank, 'createfolder', { folderid: 0, name: uniq('small') })).metadata.folderid as number;
    await ok(frank, 'sharefolder', { folderid: small, mail: bob.email, permissions: 7 });
    await ok(bob, 'acceptshare', { code: (await emu.mail.next(bob.email, { kind: 'share' })).code!, name: uniq('frank') });
    const mine = (await upload(emu, 'mine.bin', Buffer.alloc(500), { folderid: 0 }, bob.auth)).metadata[0].fileid as number;
    await ok(bob, 'deletefile', { fileid: mine });
    expect((await api(bob, 'trash_restore', { fileid: mine, restoreto: small })).result).toBe(2008);
    expect((await ok(frank, 'listfolder', { folderid: small })).metadata.contents).toEqual([]);
    // into his own tree the restore goes through
    expect((await api(bob, 'trash_restore', { fileid: mine })).result).toBe(0);
    // what fits comes back as Frank's file, on Frank's quota
    const bobUsed = (await ok(bob, 'userinfo')).usedquota as number;
    const bit = (await upload(emu, 'bit.bin', Buffer.alloc(40), { folderid: 0 }, bob.auth)).metadata[0].fileid as number;
    await ok(bob, 'deletefile', { fileid: bit });
    expect((await api(bob, 'trash_restore', { fileid: bit, restoreto: small })).result).toBe(0);
    expect((await ok(frank, 'userinfo')).usedquota).toBe(40);
    expect((await ok(bob, 'userinfo')).usedquota).toBe(bobUsed);
    // copying 500 bytes of Bob's over that file in Frank's share: Frank's quota refuses
    expect((await api(bob, 'copyfile', { fileid: mine, tofolderid: small, toname: 'bit.bin' })).result).toBe(2008);
    expect((await ok(frank, 'userinfo')).usedquota).toBe(40);
  });

  it("a read-only share takes nothing back from the recipient's trash (2003)", async () => {
    const { alice, bob } = users;
    const ids = await sharedFolder(bob, 0);
    const before = await tree(ids.folder);
    const mine = (await upload(emu, 'bobs.txt', 'bob', { folderid: 0 }, bob.auth)).metadata[0].fileid as number;
    await ok(bob, 'deletefile', { fileid: mine });
    expect((await api(bob, 'trash_restore', { fileid: mine, restoreto: ids.folder })).result).toBe(2003);
    expect(await tree(ids.folder)).toEqual(before);
    expect((await ok(alice, 'listfolder', { folderid: ids.folder })).metadata.contents.some((e: Json) => e.name === 'bobs.txt')).toBe(
      false,
    );
  });
});

describe('isolation', () => {
  it('a user without the share reaches nothing of it, and nothing changes', async () => {
    const { bob, eve } = users;
    const ids = await sharedFolder(bob, 7);
    const before = await tree(ids.folder);
    const tries: [string, Params][] = [
      ['listfolder', { folderid: ids.folder }],
      ['stat', { fileid: ids.file }],
      ['createfolder', { folderid: ids.folder, name: 'x' }],
      ['renamefile', { fileid: ids.file, toname: 'x' }],
      ['deletefile', { fileid: ids.file }],
      ['deletefolderrecursive', { folderid: ids.sub }],
      ['getfilelink', { fileid: ids.file }],
    ];
    for (const [method, params] of tries) {
      const r = await api(eve, method, params);
      expect([method, [2005, 2009, 2002].includes(r.result as number)]).toEqual([method, true]);
      expect(JSON.stringify(r)).not.toContain(ids.name);
    }
    const shareid = (await ok(bob, 'listshares')).shares.incoming.find((s: Json) => s.folderid === ids.folder).shareid;
    expect((await api(eve, 'removeshare', { shareid })).result).toBe(2025);
    expect((await api(eve, 'changeshare', { shareid, permissions: 7 })).result).toBe(2025);
    expect((await ok(eve, 'listshares')).shares).toEqual({ incoming: [], outgoing: [] });
    expect(await tree(ids.folder)).toEqual(before);
  });
});
