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

describe('fileops, quota and region', () => {
  it('a write past the quota answers 2008 and keeps the bytes that fitted; O_WRITE checks at open', async () => {
    const emu = await startEmulator({ seed: false, binary: false });
    try {
      const bob = await emu.createUser({ username: 'quota-bob@pcloudkit.test', password: 'bob-password-1', quota: 100_000 });
      const s = httpSession(emu);
      const call = (m: string, p: Record<string, string | number>, body?: Buffer) => s.call(m, { ...p, auth: bob.auth }, body);
      const fd = (await call('file_open', { flags: O_CREAT, path: '/q.bin' })).body.fd;
      expect((await call('file_write', { fd }, Buffer.alloc(60_000, 1))).body).toMatchObject({ result: 0, bytes: 60_000 });
      expect((await call('file_write', { fd }, Buffer.alloc(60_000, 2))).body.result).toBe(2008);
      const size = (await call('file_size', { fd })).body.size as number;
      expect(size).toBeGreaterThanOrEqual(60_000);
      expect(size).toBeLessThanOrEqual(100_000);
      // overwriting inside the file needs no room
      expect((await call('file_pwrite', { fd, offset: 0 }, Buffer.alloc(1_000, 3))).body.result).toBe(0);
      await call('file_close', { fd });
      // fill the account, then an O_WRITE open is refused at once
      const big = (await call('file_open', { flags: O_CREAT, path: '/fill.bin' })).body.fd;
      await call('file_write', { fd: big }, Buffer.alloc(100_000 - size, 4));
      await call('file_close', { fd: big });
      expect((await call('file_open', { flags: 0x0002, path: '/q.bin' })).body.result).toBe(0);
      await s.close();
    } finally {
      await emu.stop();
    }
  });

  it('file_checksum answers sha256 instead of md5 in the EU region', async () => {
    const emu = await startEmulator({ seed: false, region: 'eu' });
    try {
      const s = await binarySession(emu);
      const fd = (await s.call('file_open', { flags: O_CREAT, path: '/eu.txt' })).body.fd;
      await s.call('file_write', { fd }, Buffer.from('europe'));
      const sum = (await s.call('file_checksum', { fd, offset: 0, count: 6 })).body;
      expect(sum).toMatchObject({ result: 0, size: 6, sha256: createHash('sha256').update('europe').digest('hex') });
      expect(sum.md5).toBeUndefined();
      await s.close();
    } finally {
      await emu.stop();
    }
  });
});
