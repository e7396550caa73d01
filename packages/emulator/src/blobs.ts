import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Digest set of one stored blob. */
export interface BlobInfo {
  sha256: string;
  sha1: string;
  md5: string;
  size: number;
}

/** Result of streaming a source into the store. */
export interface BlobWriteResult {
  info: BlobInfo;
  /** True when the source ended with an error (connection broken, limit hit...). */
  partial: boolean;
  error?: Error;
}

/**
 * Content-addressed blob storage on disk. Every blob is a file named after the
 * SHA-256 of its bytes under `<dir>/blobs/<2 hex>/<sha256>`; user-chosen names
 * never reach the file system. Uploads are streamed through the three hashes
 * into a temp file and renamed into place, so no file is held in memory.
 *
 * With `durable` set (a data directory), a blob is fsynced, renamed, and its
 * directory fsynced before `write` resolves: the database transaction that
 * refers to it commits only after that. Which blobs are still needed is the
 * database's business (see Store); this class only counts blobs written but
 * not yet claimed by a committed row (a hold taken by `write`, ended by
 * `release`), so that a cleanup never removes them in between.
 */
export class BlobStore {
  readonly dir: string;
  private readonly tmpDir: string;
  private readonly held = new Map<string, number>();

  constructor(
    root: string,
    private readonly durable: boolean,
  ) {
    this.dir = join(root, 'blobs');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
    // leftovers of an interrupted write are never referenced
    for (const f of await fsp.readdir(this.tmpDir)) await fsp.rm(join(this.tmpDir, f), { force: true });
  }

  /** Every blob id present on disk (for the sweep at start). */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const sub of await fsp.readdir(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const f of await fsp.readdir(join(this.dir, sub))) if (/^[0-9a-f]{64}$/.test(f)) out.push(f);
    }
    return out;
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad blob id');
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /** Whether a written blob still waits for the row that refers to it. */
  isHeld(sha256: string): boolean {
    return (this.held.get(sha256) ?? 0) > 0;
  }

  /** Ends the hold `write` took; the caller then lets the store drop the blob if nothing refers to it. */
  release(sha256: string): void {
    const n = (this.held.get(sha256) ?? 0) - 1;
    if (n > 0) this.held.set(sha256, n);
    else this.held.delete(sha256);
  }

  /** Removes a blob file now (synchronously, so no write can slip in between the check and the removal). */
  removeNow(sha256: string): void {
    rmSync(this.pathOf(sha256), { force: true });
  }

  /**
   * Streams `source` into the store. `onBytes` sees every chunk length as it
   * arrives (upload progress). A broken source gives `partial: true` with the
   * bytes received so far; a failing disk rejects. The blob stays held until
   * the caller ends the hold (Store.releaseBlob), after its row committed or
   * once the upload is given up.
   */
  async write(
    source: Readable | AsyncIterable<Buffer>,
    opts: { onBytes?: (n: number) => void; maxBytes?: number } = {},
  ): Promise<BlobWriteResult> {
    const h256 = createHash('sha256');
    const h1 = createHash('sha1');
    const hmd5 = createHash('md5');
    let size = 0;
    const tmp = join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const hasher = new Transform({
      transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) {
        size += chunk.length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) {
          cb(new Error('size limit exceeded'));
          return;
        }
        h256.update(chunk);
        h1.update(chunk);
        hmd5.update(chunk);
        opts.onBytes?.(chunk.length);
        cb(null, chunk);
      },
    });
    let error: Error | undefined;
    let diskError: Error | undefined;
    const out = createWriteStream(tmp);
    // Only the file's own failures are disk errors: since Node 24, pipeline() also hands the source's
    // or the hasher's error (a broken or over-quota upload) to the file stream it destroys.
    out.once('error', (e) => {
      if (isDiskError(e)) diskError = e;
    });
    try {
      await pipeline(source as Readable, hasher, out);
    } catch (e) {
      if (diskError) {
        // the disk failed (ENOSPC, EMFILE, EIO...), not the source: nothing partial to keep
        await fsp.rm(tmp, { force: true });
        throw diskError;
      }
      error = e instanceof Error ? e : new Error(String(e));
      out.destroy();
      // make sure what was hashed is exactly what is on disk
      await new Promise<void>((r) => (out.closed ? r() : out.once('close', () => r())));
      const st = await fsp.stat(tmp).catch(() => undefined);
      if (!st || st.size !== size) {
        // re-hash from disk to stay consistent
        const data = st ? await hashFile(tmp) : undefined;
        if (!data) {
          await fsp.rm(tmp, { force: true });
          throw error;
        }
        return this.place(tmp, data, true, error);
      }
    }
    const info: BlobInfo = { sha256: h256.digest('hex'), sha1: h1.digest('hex'), md5: hmd5.digest('hex'), size };
    return this.place(tmp, info, error !== undefined, error);
  }

  /**
   * Moves a finished file (on the same file system, digests already known)
   * into the store, held like a `write` result. Used for fileops working
   * copies, which are written in place rather than streamed.
   */
  adopt(path: string, info: BlobInfo): Promise<BlobWriteResult> {
    return this.place(path, info, false);
  }

  private async place(tmp: string, info: BlobInfo, partial: boolean, error?: Error): Promise<BlobWriteResult> {
    // held from here on: a concurrent cleanup must not remove the blob before its row commits
    this.held.set(info.sha256, (this.held.get(info.sha256) ?? 0) + 1);
    try {
      const sub = join(this.dir, info.sha256.slice(0, 2));
      const created = await fsp.mkdir(sub, { recursive: true });
      if (this.durable && created !== undefined) await syncPath(this.dir);
      const dest = this.pathOf(info.sha256);
      if (await exists(dest)) await fsp.rm(tmp, { force: true });
      else {
        if (this.durable) await syncPath(tmp);
        await fsp.rename(tmp, dest);
        if (this.durable) await syncPath(sub);
      }
    } catch (e) {
      this.release(info.sha256);
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    return error ? { info, partial, error } : { info, partial };
  }

  /**
   * Stores a buffer (seed data, small generated files). No hold is kept: the
   * caller must refer to the blob in the same tick as this resolves.
   */
  async writeBuffer(buf: Buffer): Promise<BlobInfo> {
    async function* one() {
      yield buf;
    }
    const { info } = await this.write(one());
    this.release(info.sha256);
    return info;
  }

  /** A read stream over `[start, end]` (inclusive, like fs.createReadStream). */
  open(sha256: string, range?: { start: number; end: number }): Readable {
    // Node's default 64 KiB reads: 256 KiB reads were faster for one download, but every
    // answer waiting to be sent held four times as much, and the attack suite's clients
    // that queue 128 archives and never read took the emulator past its memory bound.
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }

  async read(sha256: string): Promise<Buffer> {
    return fsp.readFile(this.pathOf(sha256));
  }
}

/** fsync of a file or a directory (directory entries are durable only after this). */
async function syncPath(p: string): Promise<void> {
  const fh = await fsp.open(p, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

async function hashFile(path: string): Promise<BlobInfo> {
  const h256 = createHash('sha256');
  const h1 = createHash('sha1');
  const hmd5 = createHash('md5');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    const b = chunk as Buffer;
    size += b.length;
    h256.update(b);
    h1.update(b);
    hmd5.update(b);
  }
  return { sha256: h256.digest('hex'), sha1: h1.digest('hex'), md5: hmd5.digest('hex'), size };
}

/** Whether an error comes from the file system (ENOSPC, EMFILE, EIO...) rather than from the data source. */
export function isDiskError(e: unknown): boolean {
  return typeof (e as { syscall?: unknown })?.syscall === 'string';
}

/** pCloud's content `hash`: here the first 8 bytes of the SHA-1 read as an unsigned 64-bit integer. */
export function contentHash(sha1hex: string): bigint {
  return BigInt(`0x${sha1hex.slice(0, 16)}`);
}
