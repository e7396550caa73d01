/**
 * Sources of a resumable upload, read in fixed-size chunks, and the hashes
 * kept over them. Nothing here touches the file system: a `{ path }` source
 * is read through an opener the Node entry passes in.
 */
import { bytesToHex } from '@noble/hashes/utils';
import { md5, sha1 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { isAsyncIterable, isBlob, isPathSource, isReadableStream, toBytes } from '@pcloudkit/core';

/** Hash names pCloud reports for a whole file. */
export type HashName = 'sha1' | 'md5' | 'sha256';

/** An incremental hash. */
export interface Hasher {
  update(bytes: Uint8Array): void;
  /** Lowercase hex digest. */
  digest(): string;
}

/** Makes incremental hashes; the Node entry passes one built on `node:crypto`. */
export type HashFactory = (name: HashName) => Hasher;

const noble = { sha1, md5, sha256 };

/** Incremental hashes in plain JavaScript (`@noble/hashes`), for any runtime. */
export const portableHash: HashFactory = (name) => {
  const h = noble[name].create();
  return {
    update: (bytes) => void h.update(bytes),
    digest: () => bytesToHex(h.digest()),
  };
};

/** What a resumable upload reads: bytes, a Blob, a web or Node stream, an async iterable, or `{ path }` (Node entry). */
export type LargeSource = Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | { path: string };

/** A source opened for reading chunk after chunk. */
export interface ChunkReader {
  /** Total size when known. */
  readonly size: number | undefined;
  /** True when any range can be read again (bytes, Blobs, files). */
  readonly seekable: boolean;
  /** The next `length` bytes (fewer only at the end; empty at the end); for files, valid for as many more calls as the ring has buffers. */
  next(length: number): Promise<Uint8Array>;
  /** Skips to `offset` (forwards only for streams). */
  skipTo(offset: number): Promise<void>;
  /** Bytes at `offset` (seekable sources only). */
  readAt(offset: number, length: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Random access to a file on disk, as the Node entry opens it. */
export interface RandomAccessFile {
  size: number;
  /** Bytes at `offset`; into `buffer` (from its start) when one is given. */
  read(offset: number, length: number, buffer?: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Buffers `next()` of a file source reads into by default, used in turn: a
 * chunk's bytes stay valid until this many later `next()` calls, so memory
 * is reused instead of left to the garbage collector.
 */
export const READ_RING = 6;

/** Opens `{ path }` sources. */
export type PathOpener = (path: string) => Promise<RandomAccessFile>;

function randomReader(
  size: number,
  read: (offset: number, length: number, buffer?: Uint8Array) => Promise<Uint8Array>,
  close = async () => {},
  ring = 0,
): ChunkReader {
  let position = 0;
  const buffers: Uint8Array[] = [];
  let turn = 0;
  const into = (n: number): Uint8Array | undefined => {
    if (!ring) return undefined;
    const slot = turn++ % ring;
    if ((buffers[slot]?.byteLength ?? -1) < n) buffers[slot] = new Uint8Array(n);
    return buffers[slot]!.subarray(0, n);
  };
  return {
    size,
    seekable: true,
    async next(length) {
      const n = Math.max(0, Math.min(length, size - position));
      const bytes = n === 0 ? new Uint8Array(0) : await read(position, n, into(n));
      position += bytes.byteLength;
      return bytes;
    },
    async skipTo(offset) {
      position = Math.min(offset, size);
    },
    readAt: (offset, length) => read(offset, Math.max(0, Math.min(length, size - offset))),
    close,
  };
}

function streamReader(source: AsyncIterable<unknown>, size: number | undefined): ChunkReader {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Uint8Array | undefined;
  let position = 0;
  let ended = false;
  async function next(length: number): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    let have = 0;
    while (have < length) {
      if (!pending || pending.byteLength === 0) {
        if (ended) break;
        const step = await iterator.next();
        if (step.done) {
          ended = true;
          break;
        }
        pending = toBytes(step.value);
        continue;
      }
      const take = Math.min(length - have, pending.byteLength);
      parts.push(pending.subarray(0, take));
      pending = pending.subarray(take);
      have += take;
    }
    position += have;
    if (parts.length === 1) return parts[0]!;
    const out = new Uint8Array(have);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.byteLength;
    }
    return out;
  }
  return {
    size,
    seekable: false,
    next,
    async skipTo(offset) {
      if (offset < position) throw new RangeError(`a stream cannot go back to byte ${offset} (it is at ${position})`);
      while (position < offset) if ((await next(Math.min(offset - position, 1 << 20))).byteLength === 0) break;
    },
    readAt() {
      throw new RangeError('a stream cannot be read twice');
    },
    async close() {
      if (!ended) await iterator.return?.();
    },
  };
}

async function* webChunks(stream: ReadableStream<unknown>): AsyncGenerator<unknown> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const step = await reader.read();
      if (step.done) {
        done = true;
        return;
      }
      yield step.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/** Opens a source for chunked reading; `size` declares a stream's length. */
export async function openSource(
  source: LargeSource,
  size: number | undefined,
  openPath?: PathOpener,
  ring = READ_RING,
): Promise<ChunkReader> {
  if (source instanceof Uint8Array) return randomReader(source.byteLength, async (o, n) => source.subarray(o, o + n));
  if (isBlob(source)) return randomReader(source.size, async (o, n) => new Uint8Array(await source.slice(o, o + n).arrayBuffer()));
  if (isReadableStream(source)) return streamReader(webChunks(source), size);
  if (isAsyncIterable(source)) return streamReader(source, size);
  if (isPathSource(source)) {
    if (!openPath)
      throw new TypeError('a { path } source needs the Node entry: import { uploadLarge } from "@pcloudkit/methods-fileops/node"');
    const file = await openPath(source.path);
    return randomReader(
      file.size,
      (o, n, buffer) => file.read(o, n, buffer),
      () => file.close(),
      ring,
    );
  }
  throw new TypeError('uploadLarge takes bytes, a Blob, a web ReadableStream, a Node Readable, an async iterable or { path }');
}
