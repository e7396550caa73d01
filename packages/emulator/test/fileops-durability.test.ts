import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { binarySession, httpSession } from './fileops-sessions.js';
import { as } from './helpers.js';

const O_CREAT = 0x0040;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('fileops writes with a data directory', () => {
  it('acknowledged writes of a descriptor never closed become the file version at the next start', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pcloudkit-fileops-'));
    dirs.push(dataDir);
    const first = await startEmulator({ dataDir, seed: false });
    const s = await binarySession(first);
    const opened = await s.call('file_open', { flags: O_CREAT, path: '/journal.bin' });
    const fileid = opened.body.fileid as number;
    const content = Buffer.from('acknowledged before the stop');
    expect((await s.call('file_write', { fd: opened.body.fd }, content)).body.bytes).toBe(content.length);
    // the working copy and its journal are on disk while the descriptor is open
    expect((await readdir(join(dataDir, 'fileops'))).sort()).toEqual([expect.stringMatching(/\.bin$/), expect.stringMatching(/\.json$/)]);
    // stop with the descriptor open: nothing is committed now, as after a crash
    await first.stop();

    const second = await startEmulator({ dataDir, seed: false });
    try {
      const st = await as(second, 'checksumfile', { fileid });
      expect(st.result).toBe(0);
      expect(st.metadata.size).toBe(content.length);
      expect(st.sha1).toBe(createHash('sha1').update(content).digest('hex'));
      expect(await readdir(join(dataDir, 'fileops'))).toEqual([]);
      // and the file keeps working through fileops
      const h = httpSession(second);
      const fd = (await h.call('file_open', { flags: 0, fileid })).body.fd;
      expect((await h.call('file_pread', { fd, offset: 0, count: 100 })).data).toEqual(content);
      await h.close();
    } finally {
      await second.stop();
    }
  });

  it('a closed descriptor leaves no working copy behind', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pcloudkit-fileops-'));
    dirs.push(dataDir);
    const emu = await startEmulator({ dataDir, seed: false });
    try {
      const s = httpSession(emu);
      const fd = (await s.call('file_open', { flags: O_CREAT, path: '/closed.bin' })).body.fd;
      await s.call('file_write', { fd }, Buffer.alloc(70_000, 9));
      await s.call('file_close', { fd });
      expect(await readdir(join(dataDir, 'fileops'))).toEqual([]);
      expect((await as(emu, 'stat', { path: '/closed.bin' })).metadata.size).toBe(70_000);
      await s.close();
    } finally {
      await emu.stop();
    }
  });
});
