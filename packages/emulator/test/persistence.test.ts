import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { as, call, download, upload } from './helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await walk(join(dir, e.name))));
    else out.push(join(dir, e.name));
  }
  return out;
}

describe('persistence with dataDir', () => {
  it('keeps folders, files, revisions, tokens, apps and users across a restart', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pcloudkit-persist-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    const bytes = randomBytes(300_000);

    const first = await startEmulator({ dataDir });
    const folder = await as(first, 'createfolder', { folderid: 0, name: 'kept' });
    const up = await upload(first, 'payload.bin', bytes, { folderid: folder.metadata.folderid });
    await upload(first, 'notes.txt', 'v1', { folderid: folder.metadata.folderid });
    await upload(first, 'notes.txt', 'v2', { folderid: folder.metadata.folderid });
    const user = await first.createUser({ username: 'second@persist.test', password: 'second-pass' });
    const app = await first.createApp({});
    const token = first.auth;
    const diffBefore = (await as(first, 'diff', { last: 0 })).diffid;
    await first.stop();

    const second = await startEmulator({ dataDir });
    try {
      expect(second.auth).not.toBe(token);
      // the old token still works
      expect((await call(second, 'userinfo', { auth: token })).result).toBe(0);
      const list = await as(second, 'listfolder', { path: '/kept' });
      expect(list.metadata.contents.map((e: any) => e.name).sort()).toEqual(['notes.txt', 'payload.bin']);
      const got = await download(second, up.fileids[0]);
      expect(got.equals(bytes)).toBe(true);
      const notes = list.metadata.contents.find((e: any) => e.name === 'notes.txt');
      expect((await download(second, notes.fileid)).toString()).toBe('v2');
      expect(second.core.store.files.get(notes.fileid)!.revisions).toHaveLength(1);
      expect((await call(second, 'userinfo', { auth: user.auth })).email).toBe('second@persist.test');
      expect(second.core.store.apps.get(app.client_id)?.client_secret).toBe(app.client_secret);
      expect((await as(second, 'diff', { last: 0 })).diffid).toBeGreaterThanOrEqual(diffBefore);
      // the demo data is not seeded twice
      expect((await as(second, 'listfolder', { folderid: 0 })).metadata.contents.filter((e: any) => e.name === 'Documents')).toHaveLength(
        1,
      );
      // new ids do not collide with old ones
      const fresh = await upload(second, 'fresh.txt', 'new');
      expect(fresh.fileids[0]).toBeGreaterThan(up.fileids[0]);
    } finally {
      await second.stop();
    }
  });

  it('never writes outside the data directory, whatever the names', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pcloudkit-jail-'));
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    const emu = await startEmulator({ dataDir, seed: false });
    try {
      const names = ['..', '../escape.txt', '..\\escape.txt', '%2e%2e%2fescape.txt', '....', '.hidden', 'a\u0000b'];
      for (const n of names) await upload(emu, n, `content of ${n}`);
      await as(emu, 'createfolder', { path: '/../../escape' });
      await as(emu, 'createfolder', { folderid: 0, name: '..' });
      await fetch(`${emu.api}/uploadfile?auth=${emu.auth}&filename=${encodeURIComponent('../../put-escape.txt')}`, {
        method: 'PUT',
        body: 'x',
      });
    } finally {
      await emu.stop();
    }
    const outside = (await readdir(parent)).filter((n) => n !== 'data');
    expect(outside).toEqual([]);
    const files = await walk(dataDir);
    for (const f of files) {
      expect(f.startsWith(dataDir)).toBe(true);
      expect(/escape/.test(f)).toBe(false);
      expect(dirname(f) === dataDir || /blobs\/[0-9a-f]{2}$/.test(dirname(f)) || dirname(f).endsWith('tmp')).toBe(true);
    }
  });

  it('in-memory mode removes its temporary blob directory on stop', async () => {
    const emu = await startEmulator({ seed: false });
    const root = emu.core.store.root;
    await upload(emu, 'x.bin', 'x');
    await emu.stop();
    await expect(readdir(root)).rejects.toThrow();
  });
});
