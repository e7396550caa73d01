/**
 * Upload sources, normalised once for every transport and helper: which kind
 * of source a value is, its size when it can be known without reading it, and
 * a way to read it as an async iterable of byte chunks.
 *
 * No I/O happens here. A `{ path }` source is opened through the function the
 * caller passes in (the Node transports pass one built on `node:fs`), so this
 * module stays usable in browsers.
 */
import type { UploadFile } from './types.js';

/** What `UploadFile.data` may hold. */
export type UploadData = UploadFile['data'];

/** An upload source made ready: its length when known and a way to read it (once). */
export interface UploadSource {
  /** Byte length: exact for bytes, Blobs and files; the declared `UploadFile.size` for streams (or `undefined`). */
  readonly size: number | undefined;
  /** A Blob's own MIME type, when it has one. */
  readonly type?: string;
  /** Reads the source; chunks are never empty. Stops the underlying stream when the consumer stops early. */
  chunks(): AsyncIterable<Uint8Array>;
}

/** A file on disk as a {@link FileOpener} reports it. */
export interface OpenedFile {
  /** Size in bytes. */
  size: number;
  /** Reads the file from its start. */
  chunks(): AsyncIterable<unknown>;
}

/**
 * Opens `{ path }` sources: resolves with the file's size and a reader, and
 * rejects when the path is not a readable regular file.
 */
export type FileOpener = (path: string) => Promise<OpenedFile>;

/** Options of {@link uploadSource}. */
export interface UploadSourceOptions {
  /** Declared length of a stream or iterable (`UploadFile.size`). */
  size?: number;
  /** Opens `{ path }` sources; without it such a source is refused. */
  openFile?: FileOpener;
  /** Largest chunk an in-memory byte array is cut into (gives progress steps). Default 64 KiB. */
  pieceSize?: number;
}

/** True for a web `ReadableStream`. */
export function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

/** True for a `Blob` (a `File` included). */
export function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

/** True for an async iterable, which includes Node `Readable` streams. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** True for a `{ path }` source (a file on disk). Streams that happen to carry a `path` field (Node `fs.ReadStream`) are streams. */
export function isPathSource(value: unknown): value is { path: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { path?: unknown }).path === 'string' &&
    !isAsyncIterable(value) &&
    !isReadableStream(value)
  );
}

/** Turns a chunk a stream may yield into bytes (Node streams with an encoding yield strings). */
export function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('an upload stream yielded something that is not bytes');
}

/**
 * Byte size of an upload source when it is known without reading or opening
 * it: bytes and Blobs have one, streams only the declared `size`.
 */
export function knownSize(file: Pick<UploadFile, 'data' | 'size'>): number | undefined {
  if (file.data instanceof Uint8Array) return file.data.byteLength;
  if (isBlob(file.data)) return file.data.size;
  return file.size;
}

async function* pieces(bytes: Uint8Array, piece: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += piece) yield bytes.subarray(i, Math.min(i + piece, bytes.byteLength));
}

async function* readWebStream(stream: ReadableStream<unknown>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      const bytes = toBytes(next.value);
      if (bytes.byteLength > 0) yield bytes;
    }
  } finally {
    // Stops the source when the consumer gives up early.
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function* readIterable(source: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    const bytes = toBytes(chunk);
    if (bytes.byteLength > 0) yield bytes;
  }
}

/**
 * Normalises one upload source. Answers at once for bytes, Blobs, web
 * streams, Node `Readable`s and async iterables, and with a promise only for
 * `{ path }` (its size comes from the opener), so a caller that must keep
 * request order can tell the two apart. Throws (or rejects with) a
 * `TypeError` for a source it cannot read; the caller turns it into its own
 * error type.
 */
export function uploadSource(data: unknown, options: UploadSourceOptions = {}): UploadSource | Promise<UploadSource> {
  const piece = options.pieceSize ?? 64 * 1024;
  if (data instanceof Uint8Array) return { size: data.byteLength, chunks: () => pieces(data, piece) };
  if (isBlob(data)) {
    return { size: data.size, ...(data.type ? { type: data.type } : {}), chunks: () => readWebStream(data.stream()) };
  }
  if (isReadableStream(data)) return { size: options.size, chunks: () => readWebStream(data) };
  if (isAsyncIterable(data)) return { size: options.size, chunks: () => readIterable(data) };
  if (isPathSource(data)) {
    const open = options.openFile;
    if (!open)
      throw new TypeError(
        `upload source { path: ${JSON.stringify(data.path)} } needs file system access, which this transport does not have`,
      );
    return open(data.path).then((file) => ({ size: file.size, chunks: () => readIterable(file.chunks()) }));
  }
  throw new TypeError(
    'unsupported upload source: expected bytes, a Blob, a web ReadableStream, a Node Readable, an async iterable or { path }',
  );
}
