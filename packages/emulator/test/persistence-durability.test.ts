import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { DEMO, startEmulator, type Emulator } from '../src/index.js';
import { Store } from '../src/store.js';
import { as, call, parseReply, upload, type Json } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

interface Cli {
  child: ChildProcess;
  ready: Json;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Starts the CLI in a child process; resolves with its ready line, or rejects with its exit and stderr. */
function startCli(args: string[]): Promise<Cli> {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, '../src/cli.ts'), '--port', '0', ...args], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => setImmediate(() => resolve({ code, signal, stderr }))),
  );
  return new Promise<Cli>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 30_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve({ child, ready: JSON.parse(line) as Json, exited });
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`exited with ${e.code}: ${e.stderr}`), e));
    });
  });
}

async function cliCall(cli: Cli, method: string, params: Record<string, string | number> = {}): Promise<Json> {
  const qs = new URLSearchParams(Object.entries({ auth: cli.ready.auth as string, ...params }).map(([k, v]) => [k, String(v)]));
  const res = await request(`${cli.ready.api}/${method}?${qs}`);
  return parseReply(await res.body.text());
}

async function cliUpload(cli: Cli, name: string, data: Buffer, folderid = 0): Promise<Json> {
  const qs = new URLSearchParams({ auth: cli.ready.auth as string, folderid: String(folderid), filename: name });
  const res = await request(`${cli.ready.api}/uploadfile?${qs}`, { method: 'PUT', body: data });
  return parseReply(await res.body.text());
}

async function kill9(cli: Cli): Promise<void> {
  cli.child.kill('SIGKILL');
  const e = await cli.exited;
  expect(e.signal).toBe('SIGKILL');
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

describe('durability with --data', () => {
  it('an acknowledged createfolder or uploadfile survives kill -9 of the emulator', async () => {
    const data = join(await tempDir('pcloudkit-kill9-'), 'data');
    const bytes = randomBytes(200_000);

    const first = await startCli(['--data', data, '--no-seed']);
    const folder = await cliCall(first, 'createfolder', { folderid: 0, name: 'acked' });
    expect(folder.result).toBe(0);
    await kill9(first); // right after the answer: no clean stop, no timer left to run

    const second = await startCli(['--data', data, '--no-seed']);
    const list = await cliCall(second, 'listfolder', { folderid: 0 });
    expect(list.metadata.contents.map((e: Json) => e.name)).toEqual(['acked']);
    const up = await cliUpload(second, 'payload.bin', bytes, folder.metadata.folderid);
    expect(up.result).toBe(0);
    await kill9(second);

    const third = await startCli(['--data', data, '--no-seed']);
    try {
      const inner = await cliCall(third, 'listfolder', { path: '/acked' });
      expect(inner.metadata.contents.map((e: Json) => e.name)).toEqual(['payload.bin']);
      const link = await cliCall(third, 'getfilelink', { fileid: up.fileids[0] });
      const res = await request(`http://${link.hosts[0]}${link.path}`);
      expect(Buffer.from(await res.body.arrayBuffer()).equals(bytes)).toBe(true);
      // the old auth token was committed too
      expect((await cliCall({ ...third, ready: { ...third.ready, auth: first.ready.auth } }, 'userinfo')).result).toBe(0);
    } finally {
      third.child.kill('SIGTERM');
      expect((await third.exited).code).toBe(0);
    }
  }, 60_000);

  it('a second emulator on the same directory is refused, in process and from the CLI', async () => {
    const data = join(await tempDir('pcloudkit-lock-'), 'data');
    const first = await startEmulator({ dataDir: data, seed: false, binary: false });
    try {
      await expect(startEmulator({ dataDir: data, seed: false, binary: false })).rejects.toThrow(
        `another emulator uses the data directory ${data}`,
      );
      const refused = startCli(['--data', data]);
      const err = (await refused.catch((e: unknown) => e)) as { code: number; stderr: string };
      expect(err.code).not.toBe(0);
      expect(err.stderr).toContain(`another emulator uses the data directory ${data}`);
      // the first one is unharmed
      expect((await as(first, 'createfolder', { folderid: 0, name: 'still-mine' })).result).toBe(0);
    } finally {
      await first.stop();
    }
    // released on stop
    const again = await startEmulator({ dataDir: data, seed: false, binary: false });
    try {
      expect((await as(again, 'listfolder', { path: '/still-mine' })).result).toBe(0);
    } finally {
      await again.stop();
    }
  });

  it('a start that fails after opening the directory (port in use) releases it', async () => {
    const data = join(await tempDir('pcloudkit-failstart-'), 'data');
    const holder = await startEmulator({ seed: false, binary: false });
    try {
      const busyPort = Number(new URL(holder.api).port);
      await expect(startEmulator({ dataDir: data, port: busyPort, seed: false, binary: false })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await holder.stop();
    }
    const next = await startEmulator({ dataDir: data, seed: false, binary: false });
    await next.stop();
  });

  it('refuses a directory written by the JSON-snapshot emulator with a clear message', async () => {
    const data = await tempDir('pcloudkit-legacy-');
    await writeFile(join(data, 'state.json'), JSON.stringify({ format: 1 }));
    await expect(startEmulator({ dataDir: data, binary: false })).rejects.toThrow(/state\.json.*older emulator version/);
  });

  it('starts and serves after 200,000 changes; the history is trimmed and an old diffid gets a reset', async () => {
    const data = join(await tempDir('pcloudkit-big-'), 'data');
    await mkdir(data, { recursive: true });
    const store = await Store.open({ root: data, persist: true });
    const user = store.createUser(DEMO.username, DEMO.password);
    const firstDiff = store.lastDiffId;
    let parent = user.rootId;
    const TOTAL = 200_000;
    for (let done = 0; done < TOTAL; ) {
      store.batch(() => {
        for (let i = 0; i < 20_000; i++, done++) {
          // every 1000th change opens a new folder level, the rest are renames and folders
          if (done % 1000 === 0) parent = store.addFolder(user.userid, user.rootId, `dir-${done}`).id;
          else store.emit(user.userid, 'modifyfolder', store.folders.get(parent));
        }
      });
    }
    expect(store.lastDiffId - firstDiff).toBeGreaterThanOrEqual(TOTAL);
    store.close();

    const started = Date.now();
    const cli = await startCli(['--data', data]);
    const startMs = Date.now() - started;
    try {
      const info = await cliCall(cli, 'userinfo');
      expect(info.email).toBe(DEMO.username);
      expect(startMs).toBeLessThan(20_000);
      const latest = await cliCall(cli, 'diff', { last: 3 });
      expect(latest.entries).toHaveLength(3);
      // far older than the kept 10,000 events: reset, then the current tree
      const old = await cliCall(cli, 'diff', { diffid: firstDiff });
      expect(old.entries[0].event).toBe('reset');
      expect(old.entries[1].event).toBe('modifyuserinfo');
      const folders = old.entries.filter((e: Json) => e.event === 'createfolder');
      expect(folders).toHaveLength(TOTAL / 1000);
      expect(old.diffid).toBe(latest.diffid);
      // a recent position is answered from the history as usual
      const recent = await cliCall(cli, 'diff', { diffid: latest.diffid - 2 });
      expect(recent.entries.map((e: Json) => e.diffid)).toEqual([latest.diffid - 1, latest.diffid]);
      // a change writes a few pages, not the account: the write-ahead log grows by little
      const wal = join(data, 'emulator.db-wal');
      const before = (await stat(wal)).size;
      expect((await cliCall(cli, 'createfolder', { folderid: 0, name: 'one-more' })).result).toBe(0);
      expect((await stat(wal)).size - before).toBeLessThan(64 * 1024);
      expect((await stat(join(data, 'emulator.db'))).size).toBeGreaterThan(1024 * 1024);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  }, 120_000);

  it('a failing disk answers 5000 to that call, keeps serving and loses nothing acknowledged', async (ctx) => {
    const mnt = await tempDir('pcloudkit-full-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip(); // needs root and mount permission to make a small file system
    }
    try {
      const data = join(mnt, 'data');
      let emu = await startEmulator({ dataDir: data, seed: false, binary: false });
      try {
        expect((await as(emu, 'createfolder', { folderid: 0, name: 'before' })).result).toBe(0);
        // fill the file system
        const fd = openSync(join(mnt, 'filler'), 'w');
        const block = Buffer.alloc(4096, 1);
        try {
          for (;;) writeSync(fd, block);
        } catch (e) {
          expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
        } finally {
          closeSync(fd);
        }
        const failedFolder = await as(emu, 'createfolder', { folderid: 0, name: 'during' });
        expect(failedFolder.result).toBe(5000);
        const failedUpload = await upload(emu, 'during.bin', randomBytes(100_000));
        expect(failedUpload.result).toBe(5000);
        // still serving, and the failed change left no trace
        expect((await as(emu, 'userinfo')).result).toBe(0);
        const list = await as(emu, 'listfolder', { folderid: 0 });
        expect(list.metadata.contents.map((e: Json) => e.name)).toEqual(['before']);
        // room again: changes work
        await rm(join(mnt, 'filler'));
        expect((await as(emu, 'createfolder', { folderid: 0, name: 'after' })).result).toBe(0);
        expect((await upload(emu, 'after.bin', 'fine')).result).toBe(0);
      } finally {
        await emu.stop();
      }
      emu = await startEmulator({ dataDir: data, seed: false, binary: false });
      try {
        const list = await as(emu, 'listfolder', { folderid: 0 });
        expect(list.metadata.contents.map((e: Json) => e.name)).toEqual(['after', 'before', 'after.bin']);
        expect(await readdir(join(data, 'tmp'))).toEqual([]);
      } finally {
        await emu.stop();
      }
    } finally {
      execFileSync('umount', [mnt]);
    }
  }, 60_000);
});

/** A PUT upload that announces `announced` bytes, sends `body` and hangs up. */
async function cutUpload(emu: Emulator, query: string, body: Buffer, announced: number): Promise<void> {
  const [host, port] = emu.apiHost.split(':');
  await new Promise<void>((resolve) => {
    const s = connect(Number(port), host!, () => {
      s.write(`PUT /uploadfile?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: ${announced}\r\n\r\n`);
      s.write(body, () => setTimeout(() => s.destroy(), 100));
    });
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
}

describe('blob cleanup', () => {
  it('removes blobs of expired trash, of refused uploads and files no row knows; keeps restorable ones', async () => {
    const data = join(await tempDir('pcloudkit-blobs-'), 'data');
    const kept = randomBytes(5000);
    const gone = randomBytes(6000);
    const big = randomBytes(9000);
    let emu = await startEmulator({ dataDir: data, seed: false, binary: false, trashRetentionDays: 0 });
    const blobPath = (b: Buffer) => emu.core.store.blobs.pathOf(sha256(b));
    try {
      const a = await upload(emu, 'kept.bin', kept);
      const b = await upload(emu, 'gone.bin', gone);
      expect(await exists(blobPath(gone))).toBe(true);
      expect((await as(emu, 'deletefile', { fileid: b.fileids[0] })).result).toBe(0);
      expect(await exists(blobPath(gone))).toBe(false);
      expect(await exists(blobPath(kept))).toBe(true);
      expect((await call(emu, 'stat', { auth: emu.auth, fileid: a.fileids[0] })).result).toBe(0);
      // an upload over quota is refused after its bytes were written: they go too
      const small = await emu.createUser({ username: 'small@blobs.test', password: 'pw', quota: 4000 });
      const put = await request(`${emu.api}/uploadfile?auth=${small.auth}&folderid=0&filename=big.bin`, { method: 'PUT', body: big });
      expect(parseReply(await put.body.text()).result).toBe(2008);
      expect(await exists(blobPath(big))).toBe(false);
      // an upload cut short with nopartial: the bytes that arrived are written, then dropped
      const half = randomBytes(500);
      const hash = 'cut-short';
      await cutUpload(emu, `auth=${emu.auth}&folderid=0&filename=cut.bin&nopartial=1&progresshash=${hash}`, half, 1000);
      for (let i = 0; i < 100; i++) {
        const p = await as(emu, 'uploadprogress', { progresshash: hash });
        if (p.result === 0 && p.finished) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect((await as(emu, 'uploadprogress', { progresshash: hash })).finished).toBe(true);
      expect(await exists(blobPath(half))).toBe(false);
      expect(await readdir(join(data, 'tmp'))).toEqual([]);
    } finally {
      await emu.stop();
    }

    // with the default retention a deleted file stays listable and keeps its blob
    emu = await startEmulator({ dataDir: data, seed: false, binary: false });
    const trashed = randomBytes(7000);
    try {
      const t = await upload(emu, 'trashed.bin', trashed);
      await as(emu, 'deletefile', { fileid: t.fileids[0] });
      const list = await as(emu, 'listfolder', { folderid: 0, showdeleted: 1 });
      expect(list.metadata.contents.find((e: Json) => e.name === 'trashed.bin')?.isdeleted).toBe(true);
      expect(await exists(blobPath(trashed))).toBe(true);
    } finally {
      await emu.stop();
    }

    // a blob file nothing refers to (a crash between writing it and committing its row)
    const orphan = randomBytes(100);
    const orphanPath = join(data, 'blobs', sha256(orphan).slice(0, 2), sha256(orphan));
    await mkdir(dirname(orphanPath), { recursive: true });
    await writeFile(orphanPath, orphan);
    await writeFile(join(data, 'tmp', 'half-written'), 'x');

    // a start with retention 0 empties the trash
    emu = await startEmulator({ dataDir: data, seed: false, binary: false, trashRetentionDays: 0 });
    try {
      expect(await exists(blobPath(trashed))).toBe(false);
      expect(await exists(orphanPath)).toBe(false);
      expect(await exists(blobPath(kept))).toBe(true);
      expect(await readdir(join(data, 'tmp'))).toEqual([]);
      const list = await as(emu, 'listfolder', { folderid: 0, showdeleted: 1 });
      expect(list.metadata.contents.map((e: Json) => e.name)).toEqual(['kept.bin']);
    } finally {
      await emu.stop();
    }
  });
});

describe('diff history limit', () => {
  it('keeps the newest events and answers an older diffid with reset + the current tree', async () => {
    const emu = await startEmulator({ seed: false, binary: false, historyLimit: 20 });
    try {
      const start = (await as(emu, 'diff', { last: 0 })).diffid as number;
      const names: string[] = [];
      for (let i = 0; i < 40; i++) {
        names.push(`f${i}`);
        expect((await as(emu, 'createfolder', { folderid: 0, name: `f${i}` })).result).toBe(0);
      }
      await upload(emu, 'note.txt', 'hello', { folderid: 0 });
      const del = await as(emu, 'createfolder', { folderid: 0, name: 'doomed' });
      await as(emu, 'deletefolder', { folderid: del.metadata.folderid });

      const old = await as(emu, 'diff', { diffid: start });
      expect(old.entries[0].event).toBe('reset');
      const created = old.entries.filter((e: Json) => e.event === 'createfolder').map((e: Json) => e.metadata.name);
      expect(created.sort()).toEqual([...names].sort()); // the deleted folder is not part of the state
      expect(old.entries.filter((e: Json) => e.event === 'createfile').map((e: Json) => e.metadata.name)).toEqual(['note.txt']);
      const newest = (await as(emu, 'diff', { last: 1 })).entries[0].diffid;
      expect(old.diffid).toBe(newest);
      for (const e of old.entries) expect(e.diffid).toBe(newest);
      // whole-history requests are reset too; recent positions are not
      expect((await as(emu, 'diff', {})).entries[0].event).toBe('reset');
      const recent = await as(emu, 'diff', { diffid: newest - 5 });
      expect(recent.entries).toHaveLength(5);
      expect(recent.entries.some((e: Json) => e.event === 'reset')).toBe(false);
      // at most limit + a tenth is ever kept
      expect((await as(emu, 'diff', { last: 1000 })).entries.length).toBeLessThanOrEqual(22);
    } finally {
      await emu.stop();
    }
  });
});
