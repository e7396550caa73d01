/**
 * Turns an `UploadFile` into a sized byte source. The binary protocol writes
 * the payload length before the payload, so the size must be known up front;
 * the bytes themselves are streamed, never collected in memory.
 */
import { ValidationError } from './core.js';
import type { UploadFile } from './core.js';

export interface UploadBody {
  /** Exact payload length. */
  readonly size: number;
  /** Opens the byte source; called once, when the request is written. */
  open(): AsyncIterable<Uint8Array>;
}

/** Largest slice of an in-memory buffer written at once (gives progress steps). */
const SLICE = 256 * 1024;

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as ReadableStream).getReader === 'function';
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array> {
  return typeof x === 'object' && x !== null && typeof (x as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
}

async function* fromStream(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Stops the source when the consumer gives up early.
    reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function* slices(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += SLICE) yield bytes.subarray(i, Math.min(i + SLICE, bytes.length));
}

function checkSize(method: string, size: unknown): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError(method, 'files', `the binary transport needs the byte size of a streamed upload: set UploadFile.size to a non-negative integer (got ${String(size)})`);
  }
  return size;
}

/**
 * Validates the file list (exactly one file) and returns its sized source;
 * a promise only for `{ path }`, whose size comes from the file system.
 */
export function prepareUpload(method: string, files: readonly UploadFile[]): UploadBody | Promise<UploadBody> {
  if (files.length !== 1) {
    throw new ValidationError(method, 'files', `the binary protocol carries exactly one file per request, got ${files.length}`);
  }
  const file = files[0]!;
  const data = file.data as unknown;
  if (data instanceof Uint8Array) {
    return { size: data.byteLength, open: () => slices(data) };
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    return { size: data.size, open: () => fromStream(data.stream() as ReadableStream<Uint8Array>) };
  }
  if (isReadableStream(data)) {
    return { size: checkSize(method, file.size), open: () => fromStream(data) };
  }
  if (isAsyncIterable(data)) {
    return { size: checkSize(method, file.size), open: () => data };
  }
  if (typeof data === 'object' && data !== null && typeof (data as { path?: unknown }).path === 'string') {
    return fromPath(method, (data as { path: string }).path);
  }
  throw new ValidationError(method, 'files', 'unsupported UploadFile.data: expected bytes, a Blob, a stream, an async iterable or { path }');
}

async function fromPath(method: string, path: string): Promise<UploadBody> {
  {
    const { stat } = await import('node:fs/promises');
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new Error('not a regular file');
      size = info.size;
    } catch (cause) {
      throw new ValidationError(method, 'files', `cannot upload ${path}: ${(cause as Error).message}`);
    }
    return {
      size,
      open: () => {
        // Lazy import keeps the module loadable where node:fs is absent.
        return (async function* () {
          const { createReadStream } = await import('node:fs');
          for await (const chunk of createReadStream(path, { start: 0, end: size > 0 ? size - 1 : undefined, highWaterMark: SLICE })) {
            yield chunk as Uint8Array;
          }
        })();
      },
    };
  }
}
