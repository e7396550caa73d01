/**
 * State behind the fileops methods: descriptor tables per connection, the
 * files those descriptors have open, their working copies and advisory
 * locks.
 *
 * One `OpenFile` exists per file that at least one descriptor (on any
 * connection) has open; every descriptor of that file shares it, so a read
 * on one connection sees what another wrote a moment earlier, and a client
 * that reconnects after a dropped connection finds every acknowledged byte
 * even if the server has not noticed the old connection's end yet.
 *
 * Writes go to a working copy (a file under `<root>/fileops/`, next to the
 * blob store so it can be renamed into it) together with a small journal
 * naming the file. A write is acknowledged only after its bytes are in the
 * working copy (and fsynced, when the store persists). The working copy
 * becomes a new version of the file (a revision, a `modifyfile` event) when
 * a descriptor that wrote closes, explicitly or with its connection. After a
 * crash, `recoverWorkingCopies` turns what the journal names into versions,
 * so only unacknowledged bytes are lost.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { createReadStream, constants as fsConstants, promises as fsp } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobInfo } from './blobs.js';
import { contentHash } from './blobs.js';
import type { ConnectionState } from './connection.js';
import { ApiError } from './errors.js';
import { FileRange } from './file-range.js';
import type { FileRec, Store } from './store.js';

/** file_open flags (catalogue, structures 4.6). */
export const O_WRITE = 0x0002;
export const O_CREAT = 0x0040;
export const O_EXCL = 0x0080;
export const O_TRUNC = 0x0200;
export const O_APPEND = 0x0400;

/** Running digests of a working copy's first `length` bytes. */
interface Digests {
  sha1: Hash;
  md5: Hash;
  sha256: Hash;
  length: number;
}

function newDigests(): Digests {
  return { sha1: createHash('sha1'), md5: createHash('md5'), sha256: createHash('sha256'), length: 0 };
}

function copyDigests(d: Digests): Digests {
  return { sha1: d.sha1.copy(), md5: d.md5.copy(), sha256: d.sha256.copy(), length: d.length };
}

interface WorkingCopy {
  path: string;
  journal: string;
  fh: FileHandle;
  size: number;
  /** Changed since the last version was made from it. */
  dirty: boolean;
  /** Digests of the whole copy while writes only append; undefined once a write lands elsewhere. */
  digests: Digests | undefined;
}

/** An advisory lock on `[start, end)` (end Infinity: to the end of the file, however large). */
interface LockRange {
  owner: Descriptor;
  exclusive: boolean;
  start: number;
  end: number;
}

/** One open descriptor. */
export interface Descriptor {
  readonly fd: number;
  readonly conn: ConnectionState;
  /** The user who opened it: only that user's calls reach it, even on a connection several users share. */
  readonly userid: number;
  readonly file: OpenFile;
  readonly flags: number;
  offset: number;
  /** Wrote (or truncated) through this descriptor since its file's last version. */
  wrote: boolean;
  closed: boolean;
}

/** Bytes gathered before one positional write of the working copy. */
const WRITE_BATCH = 1024 * 1024;
/** Batches being written at once by one write call. */
const WRITES_AT_ONCE = 4;

/** Writes `parts` one after the other at `at` (one gathered write, no copy into one buffer). */
async function writeAll(fh: FileHandle, parts: Buffer[], at: number): Promise<void> {
  let rest = parts;
  let pos = at;
  while (rest.length > 0) {
    let { bytesWritten } = await fh.writev(rest, pos);
    pos += bytesWritten;
    // a short write: go on from the first byte not written
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i]!.length) bytesWritten -= rest[i++]!.length;
    rest = rest.slice(i);
    if (bytesWritten > 0) rest[0] = rest[0]!.subarray(bytesWritten);
  }
}

/** Digests of recently committed contents, so a reopen that appends need not re-read the file. */
const digestCache = new Map<string, Digests>();
const DIGEST_CACHE_SIZE = 16;

function rememberDigests(sha256: string, d: Digests): void {
  digestCache.delete(sha256);
  digestCache.set(sha256, copyDigests(d));
  while (digestCache.size > DIGEST_CACHE_SIZE) digestCache.delete(digestCache.keys().next().value!);
}

/** A file that one or more descriptors have open. */
export class OpenFile {
  readonly descriptors = new Set<Descriptor>();
  private work: WorkingCopy | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private locks: LockRange[] = [];
  private lockWaiters = new Set<() => void>();

  constructor(
    readonly registry: OpenFiles,
    readonly fileid: number,
  ) {}

  private get store(): Store {
    return this.registry.store;
  }

  /** The file's record; `code` (5004 read error, 5003 write error) once it was deleted. */
  record(code = 5004): FileRec {
    const f = this.store.files.get(this.fileid);
    if (!f || f.deleted) throw new ApiError(code, { emulator: 'the file was deleted while open' });
    return f;
  }

  /** Runs `fn` after every earlier operation on this file (one at a time, whatever the connection). */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Current size: the working copy's, else the current version's. */
  size(): number {
    return this.work ? this.work.size : this.record().current.size;
  }

  /** Path to read from, and the size there. */
  private source(): { path: string; size: number } {
    if (this.work) return { path: this.work.path, size: this.work.size };
    const v = this.record().current;
    return { path: this.store.blobs.pathOf(v.blob), size: v.size };
  }

  /** A stream over `[offset, offset + count)`, clipped at the end of the file, with its length. */
  async readRange(offset: number, count: number): Promise<{ stream: Readable; length: number }> {
    const { path, size } = this.source();
    const length = Math.max(0, Math.min(count, size - offset));
    if (length === 0) return { stream: Readable.from([]), length };
    // opened now: a later commit may rename or remove the path, an open handle keeps reading the same bytes
    const fh = await fsp.open(path, 'r');
    return { stream: new FileRange(fh, { start: offset, end: offset + length - 1 }), length };
  }

  /** Digests of `[offset, offset + count)` clipped at the end, and the bytes hashed. */
  async hashRange(offset: number, count: number): Promise<BlobInfo> {
    const { path, size } = this.source();
    const length = Math.max(0, Math.min(count, size - offset));
    const d = newDigests();
    if (length > 0) {
      for await (const chunk of createReadStream(path, { start: offset, end: offset + length - 1 })) {
        const b = chunk as Buffer;
        d.sha1.update(b);
        d.md5.update(b);
        d.sha256.update(b);
      }
    }
    return { sha1: d.sha1.digest('hex'), md5: d.md5.digest('hex'), sha256: d.sha256.digest('hex'), size: length };
  }

  /** Makes sure a working copy exists; `empty` starts it with no bytes (O_TRUNC). */
  private async working(empty = false): Promise<WorkingCopy> {
    if (this.work) return this.work;
    const file = this.record(5003);
    const dir = await this.registry.workDir();
    const base = join(dir, `${this.fileid}-${randomBytes(6).toString('hex')}`);
    const path = `${base}.bin`;
    const journal = `${base}.json`;
    const v = file.current;
    const copyBase = !empty && v.size > 0;
    // a reflink where the file system has them, else a plain copy
    if (copyBase) await fsp.copyFile(this.store.blobs.pathOf(v.blob), path, fsConstants.COPYFILE_FICLONE);
    const fh = await fsp.open(path, copyBase ? 'r+' : 'w+');
    await fsp.writeFile(journal, JSON.stringify({ fileid: this.fileid, owner: file.owner }));
    if (this.store.persist) {
      await fh.sync();
      await syncFile(journal);
      await syncFile(dir);
    }
    const cached = copyBase ? digestCache.get(v.blob) : newDigests();
    this.work = {
      path,
      journal,
      fh,
      size: copyBase ? v.size : 0,
      dirty: !copyBase && v.size > 0,
      digests: cached && cached.length === (copyBase ? v.size : 0) ? copyDigests(cached) : undefined,
    };
    return this.work;
  }

  /** Quota left to the owner for this file to grow into. */
  private room(w: WorkingCopy): number {
    const file = this.record(5003);
    const user = this.store.users.get(file.owner);
    if (!user) return Infinity;
    return user.quota - this.store.usedQuota(file.owner) + file.current.size - w.size;
  }

  /**
   * Writes `source` at `position` (the end of the file when `position` is
   * undefined: O_APPEND). Resolves with the bytes written once they are in
   * the working copy (fsynced when the store persists). A source that
   * breaks keeps what arrived and rejects.
   */
  async write(source: AsyncIterable<Buffer> | undefined, position: number | undefined): Promise<{ bytes: number; end: number }> {
    const w = await this.working();
    const start = position ?? w.size;
    // received bytes are gathered into batches, written while the next ones arrive
    let pos = start;
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let written = start;
    // writes on their way (each to its own range), oldest first: a few at once, so the next batch keeps
    // arriving while the disk takes the earlier ones
    const writing: Promise<void>[] = [];
    // While writes append to the copy, its digests follow: each chunk is hashed as it arrives (still in
    // the CPU's cache), and every chunk hashed is written, also when the source breaks; a write that
    // fails drops the digests (the commit hashes the file again).
    if (w.digests && !(start === w.digests.length && start === w.size)) w.digests = undefined;
    const flush = async () => {
      if (batchBytes === 0) return;
      const parts = batch;
      const at = pos - batchBytes;
      const size = batchBytes;
      batch = [];
      batchBytes = 0;
      if (writing.length >= WRITES_AT_ONCE) await writing.shift();
      const done = writeAll(w.fh, parts, at).then(
        () => {
          if (at + size > w.size) w.size = at + size;
          w.dirty = true;
          if (at + size > written) written = at + size;
        },
        (error: unknown) => {
          w.digests = undefined;
          throw error;
        },
      );
      done.catch(() => {}); // awaited in order
      writing.push(done);
    };
    let failure: unknown;
    try {
      if (source) {
        for await (const raw of source) {
          const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw as Uint8Array);
          if (chunk.length === 0) continue;
          const end = pos + chunk.length;
          if (end > w.size && end - w.size > this.room(w)) throw new ApiError(2008);
          const d = w.digests;
          if (d) {
            d.sha1.update(chunk);
            d.md5.update(chunk);
            d.sha256.update(chunk);
            d.length += chunk.length;
          }
          batch.push(chunk);
          batchBytes += chunk.length;
          pos = end;
          if (batchBytes >= WRITE_BATCH) await flush();
        }
      }
    } catch (e) {
      failure = e;
    }
    try {
      // what arrived goes to the file, also before a break
      await flush();
    } catch (e) {
      failure ??= e;
    }
    for (const done of writing.splice(0)) {
      try {
        await done;
      } catch (e) {
        failure ??= e;
      }
    }
    // what reached the file stays, even when the source broke half-way
    if (written > start && this.store.persist) await w.fh.datasync();
    if (failure !== undefined) throw failure instanceof ApiError ? failure : new ApiError(5003);
    return { bytes: pos - start, end: pos };
  }

  /** Sets the length (cut or zero-padded). */
  async truncate(length: number): Promise<void> {
    const w = await this.working(length === 0);
    if (length === w.size) return;
    if (w.digests && length < w.digests.length) w.digests = undefined;
    if (w.digests && length > w.size) w.digests = undefined;
    await w.fh.truncate(length);
    if (this.store.persist) await w.fh.datasync();
    w.size = length;
    w.dirty = true;
  }

  /** O_TRUNC at open: an empty working copy unless the file is empty already. */
  async truncateAtOpen(): Promise<void> {
    if (!this.work && this.record().current.size === 0) return;
    await this.truncate(0);
  }

  /**
   * Makes the working copy a new version of the file when it changed.
   * `last`: no descriptor keeps the file open, so the copy itself moves into
   * the blob store and the journal goes.
   */
  async commit(last: boolean): Promise<void> {
    const w = this.work;
    if (!w) return;
    const file = this.store.files.get(this.fileid);
    if (w.dirty && file && !file.deleted) {
      const d = w.digests && w.digests.length === w.size ? w.digests : await digestsOf(w.path);
      const final = copyDigests(d);
      const info: BlobInfo = {
        sha1: final.sha1.digest('hex'),
        md5: final.md5.digest('hex'),
        sha256: final.sha256.digest('hex'),
        size: w.size,
      };
      let src = w.path;
      if (last) await w.fh.close();
      else {
        src = `${w.path}.${randomBytes(4).toString('hex')}.snap`;
        await fsp.copyFile(w.path, src);
      }
      const placed = await this.store.blobs.adopt(src, info);
      try {
        this.store.replaceContent(file, this.store.newVersion(placed.info, contentHash(info.sha1).toString()));
      } finally {
        this.store.releaseBlob(info.sha256);
      }
      rememberDigests(info.sha256, d);
      w.dirty = false;
      if (last) {
        await fsp.rm(w.journal, { force: true });
        this.work = undefined;
        return;
      }
    }
    if (last) {
      await w.fh.close().catch(() => undefined);
      await fsp.rm(w.path, { force: true });
      await fsp.rm(w.journal, { force: true });
      this.work = undefined;
    }
  }

  /** Lets go of the working copy without a version (the emulator stops; a persisted copy is recovered at the next start). */
  async abandon(): Promise<void> {
    const w = this.work;
    this.work = undefined;
    await w?.fh.close().catch(() => undefined);
  }

  // ---- advisory locks -------------------------------------------------------

  private conflict(owner: Descriptor, exclusive: boolean, start: number, end: number): boolean {
    return this.locks.some((l) => l.owner !== owner && l.start < end && start < l.end && (exclusive || l.exclusive));
  }

  /** Removes `owner`'s locks over `[start, end)`, keeping the parts outside. */
  private cut(owner: Descriptor, start: number, end: number): void {
    const out: LockRange[] = [];
    for (const l of this.locks) {
      if (l.owner !== owner || l.end <= start || end <= l.start) {
        out.push(l);
        continue;
      }
      if (l.start < start) out.push({ ...l, end: start });
      if (end < l.end) out.push({ ...l, start: end });
    }
    this.locks = out;
  }

  private wake(): void {
    for (const w of [...this.lockWaiters]) w();
  }

  /** Whether `[start, end)` could be locked now by `owner`. */
  canLock(owner: Descriptor, exclusive: boolean, start: number, end: number): boolean {
    return !this.conflict(owner, exclusive, start, end);
  }

  /**
   * Takes a lock; `wait` false answers false at once on a conflict. A
   * waiting request gives up (false) when `signal` aborts. A shared lock
   * upgraded to exclusive that has to wait drops the shared one first, so
   * two upgraders cannot deadlock each other (pCloud documents the upgrade
   * as not atomic).
   */
  async lock(owner: Descriptor, exclusive: boolean, start: number, end: number, wait: boolean, signal: AbortSignal): Promise<boolean> {
    if (this.conflict(owner, exclusive, start, end)) {
      if (!wait) return false;
      this.cut(owner, start, end);
      this.wake();
      while (this.conflict(owner, exclusive, start, end)) {
        if (signal.aborted) return false;
        await new Promise<void>((resolve) => {
          const done = () => {
            this.lockWaiters.delete(done);
            signal.removeEventListener('abort', done);
            resolve();
          };
          this.lockWaiters.add(done);
          signal.addEventListener('abort', done, { once: true });
        });
      }
    }
    this.cut(owner, start, end);
    this.locks.push({ owner, exclusive, start, end });
    this.wake();
    return true;
  }

  unlock(owner: Descriptor, start: number, end: number): void {
    this.cut(owner, start, end);
    this.wake();
  }

  /** Drops every lock of `owner` (its descriptor closes). */
  unlockAll(owner: Descriptor): void {
    const before = this.locks.length;
    this.locks = this.locks.filter((l) => l.owner !== owner);
    if (this.locks.length !== before) this.wake();
  }
}

/** The open files of one emulator (one store). */
export class OpenFiles {
  private readonly files = new Map<number, OpenFile>();
  private dir: Promise<string> | undefined;
  private stopped = false;

  constructor(readonly store: Store) {}

  /** The emulator stops: nothing is committed any more, working copies are let go (see `recoverWorkingCopies`). */
  async shutdown(): Promise<void> {
    this.stopped = true;
    // not queued behind running operations: a write waiting for its payload would hold the stop up
    for (const file of [...this.files.values()]) await file.abandon();
    this.files.clear();
  }

  /** Directory of working copies and their journals. */
  workDir(): Promise<string> {
    this.dir ??= (async () => {
      const d = workingDirOf(this.store.root);
      await fsp.mkdir(d, { recursive: true });
      return d;
    })();
    return this.dir;
  }

  /** Opens a new descriptor on `conn` for `fileid`, numbered `fd`. */
  open(conn: ConnectionState, fd: number, fileid: number, flags: number, userid: number): Descriptor {
    let file = this.files.get(fileid);
    if (!file) {
      file = new OpenFile(this, fileid);
      this.files.set(fileid, file);
    }
    const d: Descriptor = { fd, conn, userid, file, flags, offset: 0, wrote: false, closed: false };
    file.descriptors.add(d);
    table(conn).set(fd, d);
    watchConnection(this, conn);
    return d;
  }

  /** Closes a descriptor: releases its locks and commits what it wrote. */
  async close(d: Descriptor): Promise<void> {
    if (d.closed) return;
    d.closed = true;
    table(d.conn).delete(d.fd);
    const file = d.file;
    file.unlockAll(d);
    if (this.stopped) return;
    await file.run(async () => {
      file.descriptors.delete(d);
      const last = file.descriptors.size === 0;
      try {
        if (d.wrote || last) await file.commit(last);
      } finally {
        if (last && this.files.get(file.fileid) === file && file.descriptors.size === 0) this.files.delete(file.fileid);
      }
    });
  }

  /** Closes every descriptor of a connection that went away. */
  async closeConnection(conn: ConnectionState): Promise<void> {
    for (const d of [...table(conn).values()]) {
      await this.close(d).catch((e) => console.error('[emulator] closing a descriptor failed:', e));
    }
  }

  /** Whether some descriptor has this file open (tests, diagnostics). */
  isOpen(fileid: number): boolean {
    return this.files.has(fileid);
  }
}

/** A connection's descriptor table (`ConnectionState.fds`, reserved for fileops). */
export function table(conn: ConnectionState): Map<number, Descriptor> {
  return conn.fds as Map<number, Descriptor>;
}

const watched = new WeakSet<ConnectionState>();

function watchConnection(files: OpenFiles, conn: ConnectionState): void {
  if (watched.has(conn)) return;
  watched.add(conn);
  const done = () => void files.closeConnection(conn);
  if (conn.closed) queueMicrotask(done);
  else conn.closeSignal.addEventListener('abort', done, { once: true });
}

/**
 * The descriptor a call names: `fd` as given, or counted back from the
 * latest open when negative (-1 = the latest). 1007 when it is not open
 * on this connection (closed, never opened, or an open that failed) or
 * when another user opened it.
 */
export function resolveDescriptor(conn: ConnectionState, raw: string | undefined, userid: number): Descriptor {
  if (raw === undefined || !/^\s*[+-]?\d+\s*$/.test(raw)) throw new ApiError(1007);
  const n = Number(raw);
  const fd = n < 0 ? conn.nextFd + n : n;
  const d = table(conn).get(fd);
  if (!d || d.closed || d.userid !== userid) throw new ApiError(1007);
  return d;
}

function workingDirOf(root: string): string {
  return join(root, 'fileops');
}

async function syncFile(p: string): Promise<void> {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function digestsOf(path: string): Promise<Digests> {
  const d = newDigests();
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    d.sha1.update(b);
    d.md5.update(b);
    d.sha256.update(b);
    d.length += b.length;
  }
  return d;
}

/**
 * After a restart: every working copy a journal names becomes a new version
 * of its file (acknowledged writes survive a crash); copies of files that
 * are gone are removed. Runs before the servers take requests.
 */
export async function recoverWorkingCopies(store: Store): Promise<number> {
  const dir = workingDirOf(store.root);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return 0;
  }
  let recovered = 0;
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const journal = join(dir, name);
    const path = journal.replace(/\.json$/, '.bin');
    try {
      const { fileid } = JSON.parse(await fsp.readFile(journal, 'utf8')) as { fileid: number };
      const file = store.files.get(fileid);
      const st = await fsp.stat(path).catch(() => undefined);
      if (file && !file.deleted && st) {
        const d = await digestsOf(path);
        const info: BlobInfo = { sha1: d.sha1.digest('hex'), md5: d.md5.digest('hex'), sha256: d.sha256.digest('hex'), size: d.length };
        if (info.sha256 !== file.current.blob) {
          const placed = await store.blobs.adopt(path, info);
          try {
            store.replaceContent(file, store.newVersion(placed.info, contentHash(info.sha1).toString()));
          } finally {
            store.releaseBlob(info.sha256);
          }
          recovered += 1;
        }
      }
    } catch (e) {
      console.error(`[emulator] could not recover working copy ${name}:`, e);
    }
    await fsp.rm(path, { force: true });
    await fsp.rm(journal, { force: true });
  }
  // copies without a journal were never acknowledged
  for (const name of names.filter((n) => !n.endsWith('.json'))) {
    if (!names.includes(name.replace(/\.bin$/, '.json'))) await fsp.rm(join(dir, name), { force: true });
  }
  return recovered;
}

/** The open-file registry of a store (one per emulator). */
const registries = new WeakMap<Store, OpenFiles>();

export function openFilesOf(store: Store): OpenFiles {
  let r = registries.get(store);
  if (!r) {
    r = new OpenFiles(store);
    registries.set(store, r);
  }
  return r;
}
