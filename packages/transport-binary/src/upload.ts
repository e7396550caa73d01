/**
 * Turns an `UploadFile` into a sized byte source. The binary protocol writes
 * the payload length before the payload, so the size must be known up front;
 * the bytes themselves are streamed, never collected in memory. Reading the
 * source is core's `uploadSource`; this file adds the size rules and the
 * `node:fs` opener for `{ path }`.
 */
import { ValidationError, uploadSource } from './core.js';
import type { FileOpener, UploadFile, UploadSource } from './core.js';

export interface UploadBody {
  /** Exact payload length. */
  readonly size: number;
  /** Opens the byte source; called once, when the request is written. */
  open(): AsyncIterable<Uint8Array>;
}

/** Largest slice of an in-memory buffer written at once (gives progress steps). */
const SLICE = 256 * 1024;

/** Opens `{ path }` sources with `node:fs`, loaded lazily so the module stays loadable where it is absent. */
const openNodeFile: FileOpener = async (path) => {
  const { stat } = await import('node:fs/promises');
  const info = await stat(path);
  if (!info.isFile()) throw new Error('not a regular file');
  const size = info.size;
  return {
    size,
    chunks: () =>
      (async function* () {
        const { createReadStream } = await import('node:fs');
        // Never more than the length already written into the header, should the file grow.
        yield* createReadStream(path, { start: 0, end: size > 0 ? size - 1 : undefined, highWaterMark: SLICE });
      })(),
  };
};

function sized(method: string, source: UploadSource): UploadBody {
  const size = source.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ValidationError(
      method,
      'files',
      `the binary transport needs the byte size of a streamed upload: set UploadFile.size to a non-negative integer (got ${String(size)})`,
    );
  }
  return { size, open: () => source.chunks() };
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
  let source: UploadSource | Promise<UploadSource>;
  try {
    source = uploadSource(file?.data, { size: file?.size, openFile: openNodeFile, pieceSize: SLICE });
  } catch (cause) {
    throw new ValidationError(method, 'files', `unsupported UploadFile.data: ${(cause as Error).message}`);
  }
  if (!(source instanceof Promise)) return sized(method, source);
  const path = (file.data as { path: string }).path;
  return source.then(
    (s) => sized(method, s),
    (cause: Error) => {
      throw new ValidationError(method, 'files', `cannot upload ${path}: ${cause.message}`);
    },
  );
}
