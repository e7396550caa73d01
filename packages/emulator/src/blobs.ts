import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
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
 */
export class BlobStore {
  readonly dir: string;
  private readonly tmpDir: string;
  private readonly known = new Map<string, BlobInfo>();

  constructor(root: string) {
    this.dir = join(root, 'blobs');
    this.tmpDir = join(root, 'tmp');
  }

  async init(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    await fsp.mkdir(this.tmpDir, { recursive: true });
    // leftovers of an interrupted write are never referenced
    for (const f of await fsp.readdir(this.tmpDir)) await fsp.rm(join(this.tmpDir, f), { force: true });
  }

  remember(info: BlobInfo): void {
    this.known.set(info.sha256, info);
  }

  info(sha256: string): BlobInfo | undefined {
    return this.known.get(sha256);
  }

  all(): BlobInfo[] {
    return [...this.known.values()];
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('bad blob id');
    return join(this.dir, sha256.slice(0, 2), sha256);
  }

  /**
   * Streams `source` into the store. `onBytes` sees every chunk length as it
   * arrives (upload progress). With `keepPartial` false a broken source makes
   * the call reject; otherwise the bytes received so far are kept.
   */
  async write(source: Readable | AsyncIterable<Buffer>, opts: { onBytes?: (n: number) => void; maxBytes?: number } = {}): Promise<BlobWriteResult> {
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
    const out = createWriteStream(tmp);
    try {
      await pipeline(source as Readable, hasher, out);
    } catch (e) {
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

  private async place(tmp: string, info: BlobInfo, partial: boolean, error?: Error): Promise<BlobWriteResult> {
    const dest = this.pathOf(info.sha256);
    await fsp.mkdir(join(this.dir, info.sha256.slice(0, 2)), { recursive: true });
    if (this.known.has(info.sha256) || (await exists(dest))) await fsp.rm(tmp, { force: true });
    else await fsp.rename(tmp, dest);
    this.known.set(info.sha256, info);
    return error ? { info, partial, error } : { info, partial };
  }

  /** Stores a buffer (seed data, small generated files). */
  async writeBuffer(buf: Buffer): Promise<BlobInfo> {
    async function* one() {
      yield buf;
    }
    return (await this.write(one())).info;
  }

  /** A read stream over `[start, end]` (inclusive, like fs.createReadStream). */
  open(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }

  async read(sha256: string): Promise<Buffer> {
    return fsp.readFile(this.pathOf(sha256));
  }

  async remove(sha256: string): Promise<void> {
    this.known.delete(sha256);
    await fsp.rm(this.pathOf(sha256), { force: true });
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

/** pCloud's content `hash`: here the first 8 bytes of the SHA-1 read as an unsigned 64-bit integer. */
export function contentHash(sha1hex: string): bigint {
  return BigInt('0x' + sha1hex.slice(0, 16));
}
