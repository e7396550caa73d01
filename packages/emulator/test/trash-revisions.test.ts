import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, upload } from './helpers.js';

describe('the seeded demo account', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.stop());

  it('has a deleted file in the Trash and a file with two revisions', async () => {
    const docs = await as(emu, 'listfolder', { path: '/Documents' });
    const trash = await as(emu, 'trash_list');
    expect(trash.result).toBe(0);
    expect(trash.metadata.contents).toEqual([
      expect.objectContaining({ name: 'old-draft.txt', isdeleted: true, parentfolderid: 0, origparentfolderid: docs.metadata.folderid }),
    ]);
    const revs = await as(emu, 'listrevisions', { path: '/Documents/notes.txt' });
    expect(revs.result).toBe(0);
    expect(revs.revisions).toHaveLength(2);
    // the hash is the exact 64-bit number (parseReply keeps it as a decimal string)
    expect(revs.revisions[0].hash).toMatch(/^\d+$/);
    expect(revs.revisions.map((r: { size: number }) => r.size)).toEqual([21, 20]);
    // the global revisionid reads the oldest version through gettextfile
    const qs = new URLSearchParams({ auth: emu.auth, path: '/Documents/notes.txt', revisionid: String(revs.revisions[1].revisionid) });
    expect(await (await fetch(`${emu.api}/gettextfile?${qs}`)).text()).toBe('Notes, first draft.\n');
    expect(await (await fetch(`${emu.api}/gettextfile?auth=${emu.auth}&path=/Documents/notes.txt`)).text()).toBe('Notes, final version.\n');
  });

  it('userinfo reports the trash retention the emulator was started with', async () => {
    expect((await as(emu, 'userinfo')).trashrevretentiondays).toBe(15);
  });
});

describe('trash retention 0', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: false, trashRetentionDays: 0 });
  });
  afterAll(() => emu.stop());

  it('purges deleted items at once: the Trash stays empty', async () => {
    const up = await upload(emu, 'short-lived.txt', 'bye', { folderid: 0 });
    expect((await as(emu, 'deletefile', { fileid: up.metadata[0].fileid })).result).toBe(0);
    expect((await as(emu, 'trash_list')).metadata.contents).toEqual([]);
    expect((await as(emu, 'trash_restore', { fileid: up.metadata[0].fileid })).result).toBe(2009);
    expect((await as(emu, 'userinfo')).trashrevretentiondays).toBe(0);
  });
});

describe('trash and revisions survive a restart', () => {
  it('keeps Trash items and revisions, and a restore after restart sticks', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pcloudkit-trash-'));
    try {
      const first = await startEmulator({ dataDir, seed: false });
      const a = await upload(first, 'kept.txt', 'one', { folderid: 0 });
      await upload(first, 'kept.txt', 'two', { folderid: 0 });
      const gone = await upload(first, 'gone.txt', 'x', { folderid: 0 });
      await as(first, 'deletefile', { fileid: gone.metadata[0].fileid });
      const auth = first.auth;
      await first.stop();

      const second = await startEmulator({ dataDir, seed: false });
      try {
        const withAuth = (method: string, params: Record<string, string | number> = {}) => as(second, method, { auth, ...params });
        const revs = await withAuth('listrevisions', { fileid: a.metadata[0].fileid });
        expect(revs.revisions).toHaveLength(1);
        expect((await withAuth('trash_list')).metadata.contents.map((i: { name: string }) => i.name)).toEqual(['gone.txt']);
        expect((await withAuth('trash_restore', { fileid: gone.metadata[0].fileid })).result).toBe(0);
        // the revert is stored too
        expect((await withAuth('revertrevision', { fileid: a.metadata[0].fileid, revisionid: revs.revisions[0].revisionid })).result).toBe(
          0,
        );
      } finally {
        await second.stop();
      }
      const third = await startEmulator({ dataDir, seed: false });
      try {
        const withAuth = (method: string, params: Record<string, string | number> = {}) => as(third, method, { auth, ...params });
        expect((await withAuth('trash_list')).metadata.contents).toEqual([]);
        expect((await withAuth('stat', { fileid: gone.metadata[0].fileid })).metadata.name).toBe('gone.txt');
        const after = await withAuth('listrevisions', { fileid: a.metadata[0].fileid });
        expect(after.revisions).toHaveLength(2);
        expect(after.metadata.size).toBe(3);
      } finally {
        await third.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('revisions from every kind of overwrite, and trash events', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ seed: false });
  });
  afterAll(() => emu.stop());

  it('copyfile onto an existing file keeps the replaced content as a revision', async () => {
    const a = await upload(emu, 'copy-src.txt', 'source bytes', { folderid: 0 });
    const b = await upload(emu, 'copy-dst.txt', 'old target', { folderid: 0 });
    const r = await as(emu, 'copyfile', { fileid: a.metadata[0].fileid, topath: '/copy-dst.txt' });
    expect(r.result).toBe(0);
    const revs = await as(emu, 'listrevisions', { fileid: b.metadata[0].fileid });
    expect(revs.revisions).toEqual([expect.objectContaining({ size: 10, hash: String(b.metadata[0].hash) })]);
    expect(revs.metadata.hash).toBe(String(a.metadata[0].hash));
  });

  it('a restored file comes back as a createfile diff event, a cleared one never does', async () => {
    const up = await upload(emu, 'evented.txt', 'e', { folderid: 0 });
    const fileid = up.metadata[0].fileid;
    await as(emu, 'deletefile', { fileid });
    const { diffid } = await as(emu, 'diff', { last: 0 });
    expect((await as(emu, 'trash_restore', { fileid })).result).toBe(0);
    const events = await as(emu, 'diff', { diffid });
    expect(events.entries.map((e: { event: string; metadata?: { fileid?: number } }) => [e.event, e.metadata?.fileid])).toEqual([
      ['createfile', fileid],
    ]);
  });

  it('a restored folder whose name was taken meanwhile gets a free name, its contents come along', async () => {
    const made = await as(emu, 'createfolder', { path: '/twin' });
    await upload(emu, 'inside.txt', 'i', { folderid: made.metadata.folderid });
    expect((await as(emu, 'deletefolderrecursive', { folderid: made.metadata.folderid })).result).toBe(0);
    await as(emu, 'createfolder', { path: '/twin' });
    const where = await as(emu, 'trash_restorepath', { folderid: made.metadata.folderid });
    expect(where.metadata).toMatchObject({ name: 'twin (2)', parentfolderid: 0 });
    const back = await as(emu, 'trash_restore', { folderid: made.metadata.folderid, metadata: 1 });
    expect(back.metadata).toMatchObject({ name: 'twin (2)', folderid: made.metadata.folderid });
    expect(back.metadata.contents.map((i: { name: string }) => i.name)).toEqual(['inside.txt']);
    expect(back.metadata.isdeleted).toBeUndefined();
  });
});
