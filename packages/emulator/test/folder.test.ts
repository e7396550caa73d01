import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, upload, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu.stop();
});

const mk = async (name: string, parent = 0) => {
  const r = await as(emu, 'createfolder', { folderid: parent, name });
  expect(r.result, JSON.stringify(r)).toBe(0);
  return r.metadata.folderid as number;
};

describe('createfolder / createfolderifnotexists', () => {
  it('creates by parent id + name and by path, with metadata per structures 4.2', async () => {
    const name = uniq('f');
    const r = await as(emu, 'createfolder', { folderid: 0, name });
    expect(r.result).toBe(0);
    const m = r.metadata;
    expect(m).toMatchObject({ isfolder: true, name, parentfolderid: 0, ismine: true, isshared: false, icon: 'folder' });
    expect(m.id).toBe(`d${m.folderid}`);
    expect(m.created).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    const byPath = await as(emu, 'createfolder', { path: `/${name}/sub` });
    expect(byPath.metadata).toMatchObject({ name: 'sub', parentfolderid: m.folderid, path: `/${name}/sub` });
  });

  it('reports the documented errors', async () => {
    const name = uniq('dup');
    await mk(name);
    expect((await as(emu, 'createfolder', { folderid: 0, name })).result).toBe(2004);
    expect((await as(emu, 'createfolder', { folderid: 0 })).result).toBe(1001);
    expect((await as(emu, 'createfolder', {})).result).toBe(1001);
    expect((await as(emu, 'createfolder', { folderid: 0, name: 'a/b' })).result).toBe(2001);
    expect((await as(emu, 'createfolder', { folderid: 0, name: 'x'.repeat(1024) })).result).toBe(2001);
    expect((await as(emu, 'createfolder', { path: '/no-such-parent/child' })).result).toBe(2002);
    expect((await as(emu, 'createfolder', { folderid: 'abc', name: 'x' })).result).toBe(1017);
    expect((await as(emu, 'createfolder', { path: 'relative/x' })).result).toBe(2010);
  });

  it('createfolderifnotexists returns the existing folder', async () => {
    const name = uniq('cine');
    const a = await as(emu, 'createfolderifnotexists', { folderid: 0, name });
    expect(a).toMatchObject({ result: 0, created: true });
    const b = await as(emu, 'createfolderifnotexists', { path: `/${name}` });
    expect(b).toMatchObject({ result: 0, created: false });
    expect(b.metadata.folderid).toBe(a.metadata.folderid);
  });

  it('allows a file and a folder with the same name', async () => {
    const name = uniq('same');
    await upload(emu, name, 'file bytes');
    expect((await as(emu, 'createfolder', { folderid: 0, name })).result).toBe(0);
  });
});

describe('listfolder', () => {
  it('lists contents, recursively, without files, and deleted items', async () => {
    const top = await mk(uniq('list'));
    const sub = await mk('child', top);
    await upload(emu, 'a.txt', 'aaa', { folderid: top });
    await upload(emu, 'b.txt', 'bbb', { folderid: sub });
    const flat = await as(emu, 'listfolder', { folderid: top });
    expect(flat.metadata.contents.map((e: any) => e.name)).toEqual(['child', 'a.txt']);
    expect(flat.metadata.contents[0].contents).toBeUndefined();
    const rec = await as(emu, 'listfolder', { folderid: top, recursive: 1 });
    expect(rec.metadata.contents[0].contents.map((e: any) => e.name)).toEqual(['b.txt']);
    expect(rec.metadata.contents[0].contents[0].path).toBeUndefined();
    const nofiles = await as(emu, 'listfolder', { folderid: top, recursive: 1, nofiles: 1 });
    expect(nofiles.metadata.contents.map((e: any) => e.name)).toEqual(['child']);
    expect(nofiles.metadata.contents[0].contents).toEqual([]);
    const del = await as(emu, 'listfolder', { folderid: top });
    const fileid = del.metadata.contents[1].fileid;
    await as(emu, 'deletefile', { fileid });
    expect((await as(emu, 'listfolder', { folderid: top })).metadata.contents).toHaveLength(1);
    const shown = await as(emu, 'listfolder', { folderid: top, showdeleted: 1 });
    expect(shown.metadata.contents.find((e: any) => e.fileid === fileid)).toMatchObject({ isdeleted: true });
  });

  it('by path carries path; errors 1002 and 2005', async () => {
    const name = uniq('p');
    await mk(name);
    const r = await as(emu, 'listfolder', { path: `/${name}` });
    expect(r.metadata.path).toBe(`/${name}`);
    expect((await as(emu, 'listfolder', {})).result).toBe(1002);
    expect((await as(emu, 'listfolder', { folderid: 987654 })).result).toBe(2005);
    expect((await as(emu, 'listfolder', { path: '/nope/deeper' })).result).toBe(2002);
    expect((await as(emu, 'listfolder', { folderid: 'x1' })).result).toBe(1017);
  });
});

describe('renamefolder', () => {
  it('renames and moves, keeping the id', async () => {
    const a = await mk(uniq('ra'));
    const b = await mk(uniq('rb'));
    const r = await as(emu, 'renamefolder', { folderid: a, toname: 'renamed' });
    expect(r.metadata).toMatchObject({ folderid: a, name: 'renamed', parentfolderid: 0 });
    const m = await as(emu, 'renamefolder', { folderid: a, tofolderid: b });
    expect(m.metadata).toMatchObject({ folderid: a, name: 'renamed', parentfolderid: b });
    const bName = (await as(emu, 'listfolder', { folderid: b })).metadata.name;
    const t = await as(emu, 'renamefolder', { folderid: a, topath: '/' });
    expect(t.metadata.parentfolderid).toBe(0);
    const t2 = await as(emu, 'renamefolder', { folderid: a, topath: `/${bName}/again` });
    expect(t2.metadata).toMatchObject({ name: 'again', parentfolderid: b });
  });

  it('refuses root, own subtree, clashes and missing targets', async () => {
    const a = await mk(uniq('rx'));
    const inner = await mk('inner', a);
    expect((await as(emu, 'renamefolder', { folderid: 0, toname: 'x' })).result).toBe(2042);
    expect((await as(emu, 'renamefolder', { folderid: a, tofolderid: inner })).result).toBe(2043);
    expect((await as(emu, 'renamefolder', { folderid: a })).result).toBe(1037);
    const other = uniq('ry');
    await mk(other);
    expect((await as(emu, 'renamefolder', { folderid: a, toname: other })).result).toBe(2004);
    expect((await as(emu, 'renamefolder', { folderid: a, tofolderid: 7777777 })).result).toBe(2005);
  });
});

describe('deletefolder / deletefolderrecursive', () => {
  it('deletes empty folders only, never the root', async () => {
    const a = await mk(uniq('d'));
    await mk('x', a);
    expect((await as(emu, 'deletefolder', { folderid: a })).result).toBe(2006);
    expect((await as(emu, 'deletefolder', { folderid: 0 })).result).toBe(2007);
    const empty = await mk(uniq('e'));
    const r = await as(emu, 'deletefolder', { folderid: empty });
    expect(r.metadata).toMatchObject({ folderid: empty, isdeleted: true });
    expect((await as(emu, 'listfolder', { folderid: empty })).result).toBe(2005);
  });

  it('deletes a tree and counts what went away', async () => {
    const a = await mk(uniq('tree'));
    const b = await mk('b', a);
    await upload(emu, '1.txt', '1', { folderid: a });
    await upload(emu, '2.txt', '2', { folderid: b });
    await upload(emu, '3.txt', '3', { folderid: b });
    const r = await as(emu, 'deletefolderrecursive', { folderid: a });
    expect(r).toMatchObject({ result: 0, deletedfiles: 3, deletedfolders: 2 });
    expect((await as(emu, 'listfolder', { folderid: b })).result).toBe(2005);
    expect((await as(emu, 'deletefolderrecursive', { folderid: 0 })).result).toBe(2007);
  });
});

describe('copyfolder', () => {
  it('copies a tree into another folder', async () => {
    const src = await mk(uniq('src'));
    const inner = await mk('inner', src);
    await upload(emu, 'f.txt', 'copied bytes', { folderid: inner });
    const dst = await mk(uniq('dst'));
    const r = await as(emu, 'copyfolder', { folderid: src, tofolderid: dst });
    expect(r.result).toBe(0);
    expect(r.metadata.parentfolderid).toBe(dst);
    const list = await as(emu, 'listfolder', { folderid: r.metadata.folderid, recursive: 1 });
    expect(list.metadata.contents[0].name).toBe('inner');
    expect(list.metadata.contents[0].contents[0]).toMatchObject({ name: 'f.txt', size: 12 });
    expect(list.metadata.contents[0].folderid).not.toBe(inner);
  });

  it('copycontentonly, noover, skipexisting and the self-copy errors', async () => {
    const src = await mk(uniq('cs'));
    await upload(emu, 'x.txt', 'new', { folderid: src });
    const dst = await mk(uniq('cd'));
    await upload(emu, 'x.txt', 'old', { folderid: dst });
    expect((await as(emu, 'copyfolder', { folderid: src, tofolderid: dst, copycontentonly: 1, noover: 1 })).result).toBe(2004);
    const skip = await as(emu, 'copyfolder', { folderid: src, tofolderid: dst, copycontentonly: 1, skipexisting: 1 });
    expect(skip.metadata.folderid).toBe(dst);
    const after = await as(emu, 'listfolder', { folderid: dst });
    expect(after.metadata.contents[0].size).toBe(3);
    const over = await as(emu, 'copyfolder', { folderid: src, tofolderid: dst, copycontentonly: 1 });
    expect(over.result).toBe(0);
    const sub = await mk('sub', src);
    expect((await as(emu, 'copyfolder', { folderid: src, tofolderid: src })).result).toBe(2206);
    expect((await as(emu, 'copyfolder', { folderid: src, tofolderid: sub })).result).toBe(2207);
    expect((await as(emu, 'copyfolder', { folderid: src, tofolderid: 8888888 })).result).toBe(2208);
    expect((await as(emu, 'copyfolder', { folderid: src })).result).toBe(1016);
  });
});
