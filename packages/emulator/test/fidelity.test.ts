import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { DB_FILE, addonOption } from '../src/storage/database.js';
import { as, call, upload, uniq } from './helpers.js';

// Places where the emulator used to answer differently from what the catalogue says pCloud does.

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
const dirs: string[] = [];
afterAll(async () => {
  await emu.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const newFolder = async (name = uniq('fid')) =>
  (await as(emu, 'createfolder', { folderid: 0, name })).metadata as { folderid: number; name: string };
const newFile = async (folderid: number, name = `${uniq('f')}.txt`) => (await upload(emu, name, 'content', { folderid })).metadata[0];

describe('userinfo', () => {
  it('a premium, non-lifetime account carries premiumexpires; a free one does not', async () => {
    const info = await as(emu, 'userinfo', { timeformat: 'timestamp' });
    expect(info.premium).toBe(true);
    expect(info.premiumlifetime).toBe(false);
    const now = Date.now() / 1000;
    expect(info.premiumexpires).toBeGreaterThan(now);
    expect(info.premiumexpires).toBeLessThanOrEqual(now + 366 * 24 * 3600);
    expect(typeof (await as(emu, 'userinfo')).premiumexpires).toBe('string');

    const free = await emu.createUser({ username: `${uniq('free')}@fidelity.test`, password: 'free-pass', premium: false });
    const freeInfo = await call(emu, 'userinfo', { auth: free.auth });
    expect(freeInfo.premium).toBe(false);
    expect(freeInfo).not.toHaveProperty('premiumexpires');
  });
});

describe('diff: modifyuserinfo events', () => {
  it('show the account as it was when the event happened', async () => {
    const start = (await as(emu, 'diff', { last: 0 })).diffid;
    expect((await as(emu, 'setlanguage', { language: 'de' })).result).toBe(0);
    await newFile((await newFolder()).folderid);
    expect((await as(emu, 'setlanguage', { language: 'en' })).result).toBe(0);
    const d = await as(emu, 'diff', { diffid: start });
    const infos = d.entries.filter((e: any) => e.event === 'modifyuserinfo').map((e: any) => e.userinfo);
    expect(infos.map((u: any) => u.language)).toEqual(['de', 'en']);
    // the file uploaded in between counts only for the later event
    expect(infos[1].usedquota - infos[0].usedquota).toBe('content'.length);
    expect(infos[0].premium).toBe(true);
    expect(typeof infos[0].premiumexpires).toBe('string');
  });

  it('events written before snapshots existed still render (from the current account)', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pcloudkit-fidelity-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    const first = await startEmulator({ dataDir, seed: false });
    await as(first, 'setlanguage', { language: 'fr' });
    await first.stop();
    // turn the database back into the first schema: no snapshot column, no link columns
    const db = new Database(join(dataDir, DB_FILE), addonOption());
    db.exec(`DROP INDEX publinks_shortcode;
      ALTER TABLE publinks DROP COLUMN shortcode;
      ALTER TABLE publinks DROP COLUMN deleted;
      ALTER TABLE events DROP COLUMN userinfo;
      PRAGMA user_version = 1;`);
    db.close();

    const second = await startEmulator({ dataDir, seed: false });
    try {
      const d = await as(second, 'diff', { diffid: 0 });
      expect(d.result).toBe(0);
      const infos = d.entries.filter((e: any) => e.event === 'modifyuserinfo').map((e: any) => e.userinfo);
      expect(infos.length).toBeGreaterThanOrEqual(2);
      expect(infos.every((u: any) => u.language === 'fr' && u.email === second.username)).toBe(true);
      // new events after the upgrade keep their own snapshot
      const before = (await as(second, 'diff', { last: 0 })).diffid;
      await as(second, 'setlanguage', { language: 'it' });
      await as(second, 'setlanguage', { language: 'fr' });
      const later = await as(second, 'diff', { diffid: before });
      expect(later.entries.map((e: any) => e.userinfo.language)).toEqual(['it', 'fr']);
    } finally {
      await second.stop();
    }
  });
});

describe('numeric parameters', () => {
  it('a value that is not a number is refused with the code pCloud uses for it, never read as 0', async () => {
    const folder = await newFolder();
    const file = await newFile(folder.folderid);
    // the "Invalid 'folderid'/'fileid' provided." codes
    expect((await as(emu, 'listfolder', { folderid: 'abc' })).result).toBe(1017);
    expect((await as(emu, 'listfolder', { folderid: `${folder.folderid}x` })).result).toBe(1017);
    expect((await as(emu, 'stat', { fileid: 'abc' })).result).toBe(1018);
    expect((await as(emu, 'copyfile', { fileid: file.fileid, tofolderid: 'abc' })).result).toBe(1017);
    // a code the method documents for that parameter
    expect((await as(emu, 'deletepublink', { linkid: 'abc' })).result).toBe(1030);
    expect((await as(emu, 'deletetoken', { tokenid: 'abc' })).result).toBe(1076);
    // otherwise 1013, the code for a value the server could not read
    const diffid = await as(emu, 'diff', { diffid: 'abc' });
    expect(diffid.result).toBe(1013);
    expect(diffid.error).toBe('Date/time format not understood.');
    expect((await as(emu, 'diff', { limit: '5x' })).result).toBe(1013);
    expect((await upload(emu, 'm.txt', 'x', { folderid: folder.folderid, mtime: 'abc' })).result).toBe(1013);
    expect((await as(emu, 'copyfile', { fileid: file.fileid, tofolderid: folder.folderid, toname: 'c.txt', mtime: 'abc' })).result).toBe(
      1013,
    );
    // nothing was written by the refused calls
    const names = (await as(emu, 'listfolder', { folderid: folder.folderid })).metadata.contents.map((e: any) => e.name);
    expect(names).toEqual([file.name]);
    // well-formed numbers still work, with sign and surrounding blanks
    expect(
      (await as(emu, 'copyfile', { fileid: file.fileid, tofolderid: folder.folderid, toname: 'd.txt', mtime: ' +1000 ' })).result,
    ).toBe(0);
    expect((await as(emu, 'stat', { path: `/${folder.name}/d.txt`, timeformat: 'timestamp' })).metadata.modified).toBe(1000);
  });
});

describe('one-of sets: ids are preferred over paths', () => {
  it('a path given next to an id is ignored, for the target and the destination alike', async () => {
    const a = await newFolder();
    const b = await newFolder();
    const fa = await newFile(a.folderid, 'in-a.txt');
    const fb = await newFile(b.folderid, 'in-b.txt');
    // target: fileid wins over path
    expect((await as(emu, 'stat', { fileid: fa.fileid, path: `/${b.name}/in-b.txt` })).metadata.fileid).toBe(fa.fileid);
    expect((await as(emu, 'stat', { path: `/${b.name}/in-b.txt`, fileid: fa.fileid })).metadata).not.toHaveProperty('path');
    expect((await as(emu, 'listfolder', { path: `/${b.name}`, folderid: a.folderid })).metadata.folderid).toBe(a.folderid);
    // destination: tofolderid wins over topath, for files and folders the same way
    const cf = await as(emu, 'copyfile', { fileid: fb.fileid, tofolderid: a.folderid, topath: `/${b.name}/copy.txt` });
    expect(cf.result).toBe(0);
    expect(cf.metadata.parentfolderid).toBe(a.folderid);
    expect(cf.metadata.name).toBe('in-b.txt');
    const src = await newFolder();
    const cd = await as(emu, 'copyfolder', { folderid: src.folderid, tofolderid: a.folderid, topath: `/${b.name}` });
    expect(cd.result).toBe(0);
    expect(cd.metadata.parentfolderid).toBe(a.folderid);
    // the source as well: folderid wins over a path that does not even exist
    const rn = await as(emu, 'renamefolder', { folderid: src.folderid, path: '/no/such/folder', toname: uniq('renamed') });
    expect(rn.result).toBe(0);
    expect(rn.metadata.folderid).toBe(src.folderid);
    // a path alone still works
    expect((await as(emu, 'stat', { path: `/${b.name}/in-b.txt` })).metadata.fileid).toBe(fb.fileid);
  });
});

describe('path in the metadata of calls that named the item by path', () => {
  it('renamefile, renamefolder, deletefile and deletefolder', async () => {
    const dir = await newFolder();
    await newFile(dir.folderid, 'one.txt');
    const byPath = await as(emu, 'renamefile', { path: `/${dir.name}/one.txt`, toname: 'two.txt' });
    expect(byPath.metadata.path).toBe(`/${dir.name}/two.txt`);
    const byId = await as(emu, 'renamefile', { fileid: byPath.metadata.fileid, toname: 'three.txt' });
    expect(byId.metadata).not.toHaveProperty('path');
    const toPath = await as(emu, 'renamefile', { fileid: byPath.metadata.fileid, topath: `/${dir.name}/four.txt` });
    expect(toPath.metadata.path).toBe(`/${dir.name}/four.txt`);

    const del = await as(emu, 'deletefile', { path: `/${dir.name}/four.txt` });
    expect(del.metadata).toMatchObject({ path: `/${dir.name}/four.txt`, isdeleted: true });
    const other = await newFile(dir.folderid);
    expect((await as(emu, 'deletefile', { fileid: other.fileid })).metadata).not.toHaveProperty('path');

    const sub = await as(emu, 'createfolder', { folderid: dir.folderid, name: 'sub' });
    const rf = await as(emu, 'renamefolder', { path: `/${dir.name}/sub`, toname: 'sub2' });
    expect(rf.metadata.path).toBe(`/${dir.name}/sub2`);
    expect((await as(emu, 'renamefolder', { folderid: sub.metadata.folderid, toname: 'sub3' })).metadata).not.toHaveProperty('path');
    const df = await as(emu, 'deletefolder', { path: `/${dir.name}/sub3` });
    expect(df.metadata).toMatchObject({ path: `/${dir.name}/sub3`, isdeleted: true });
    const empty = await as(emu, 'createfolder', { folderid: dir.folderid, name: 'empty' });
    expect((await as(emu, 'deletefolder', { folderid: empty.metadata.folderid })).metadata).not.toHaveProperty('path');
  });
});

describe('currentserver', () => {
  it('names the host without a port', async () => {
    const r = await call(emu, 'currentserver');
    expect(r.result).toBe(0);
    expect(r.hostname).toBe(new URL(emu.api).hostname);
    expect(r.hostname).not.toContain(':');
    expect(`${r.hostname}:${new URL(emu.api).port}`).toBe(emu.apiHost);
  });
});

describe('public links', () => {
  it('shortlink adds shortcode and shortlink, and the short code opens the link', async () => {
    const dir = await newFolder();
    const file = await newFile(dir.folderid);
    const plain = await as(emu, 'getfilepublink', { fileid: file.fileid });
    expect(plain.result).toBe(0);
    expect(plain).not.toHaveProperty('shortcode');
    expect(plain).not.toHaveProperty('shortlink');

    const short = await as(emu, 'getfilepublink', { fileid: file.fileid, shortlink: 1 });
    expect(short.shortcode).toMatch(/^[A-Za-z0-9]+$/);
    // short links point at the emulator's own link page, never at pCloud's pc.cd
    expect(short.shortlink).toBe(`${emu.api}/publink?code=${short.shortcode}`);
    expect(short.shortcode).not.toBe(short.code);
    const shown = await call(emu, 'showpublink', { code: short.shortcode });
    expect(shown.metadata.fileid).toBe(file.fileid);

    const folderLink = await as(emu, 'getfolderpublink', { folderid: dir.folderid, shortlink: 1 });
    expect(folderLink.shortlink).toBe(`${emu.api}/publink?code=${folderLink.shortcode}`);
    expect((await call(emu, 'showpublink', { code: folderLink.shortcode })).metadata.folderid).toBe(dir.folderid);

    const listed = (await as(emu, 'listpublinks')).publinks as any[];
    expect(listed.find((l) => l.linkid === short.linkid)).toMatchObject({ shortcode: short.shortcode, shortlink: short.shortlink });
    expect(listed.find((l) => l.linkid === plain.linkid)).not.toHaveProperty('shortcode');
  });

  it('a deleted link answers 7002 (an unknown code 7001), also after a restart', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pcloudkit-fidelity-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    const first = await startEmulator({ dataDir, seed: false });
    const up = await upload(first, 'shared.txt', 'shared bytes');
    const link = await as(first, 'getfilepublink', { fileid: up.fileids[0], shortlink: 1 });
    expect((await call(first, 'showpublink', { code: link.code })).result).toBe(0);
    expect((await as(first, 'deletepublink', { linkid: link.linkid })).result).toBe(0);
    expect((await call(first, 'showpublink', { code: link.code })).result).toBe(7002);
    expect((await call(first, 'showpublink', { code: link.shortcode })).result).toBe(7002);
    expect((await call(first, 'getpublinkdownload', { code: link.code })).result).toBe(7002);
    expect((await call(first, 'showpublink', { code: 'nosuchcode' })).result).toBe(7001);
    // already deleted: 2027, and no longer listed
    expect((await as(first, 'deletepublink', { linkid: link.linkid })).result).toBe(2027);
    expect((await as(first, 'listpublinks')).publinks).toEqual([]);
    await first.stop();

    const second = await startEmulator({ dataDir, seed: false });
    try {
      expect((await call(second, 'showpublink', { code: link.code })).result).toBe(7002);
      expect((await call(second, 'showpublink', { code: link.shortcode })).result).toBe(7002);
      expect((await as(second, 'listpublinks')).publinks).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
