import { randomBytes } from 'node:crypto';
import { uploadSource } from './core.js';
import type { FileOpener, Progress, UploadFile } from './core.js';

/** Size of the pieces byte arrays are cut into, so progress moves smoothly. */
const PIECE = 64 * 1024;
/**
 * Size of one read of a `{ path }` file: sixteen times fewer reads, buffers
 * and generator steps per gigabyte sent than 64 KiB (and much less garbage
 * collection), still a fine progress step for a file worth reading from disk.
 */
const FILE_READ = 1024 * 1024;

/** An upload source made ready: its length when known and a way to read it once. */
export interface PreparedFile {
  name: string;
  contentType: string;
  size: number | undefined;
  chunks: () => AsyncIterable<Uint8Array>;
}

/** Opens `{ path }` upload sources with `node:fs`; loaded lazily so the module stays importable without it. */
export const openNodeFile: FileOpener = async (path) => {
  const { stat } = await import('node:fs/promises');
  const { createReadStream } = await import('node:fs');
  const info = await stat(path);
  if (!info.isFile()) throw new TypeError(`upload source ${path} is not a regular file`);
  const size = info.size;
  // Reads no further than the size announced up front, should the file grow meanwhile.
  return { size, chunks: () => createReadStream(path, { start: 0, end: size > 0 ? size - 1 : undefined, highWaterMark: FILE_READ }) };
};

/**
 * Checks an upload file and works out its length. Nothing is read here
 * except `fs.stat` for `{ path }` sources. Throws `TypeError` on a source
 * this transport cannot read. `anonymous` files (bare payload uploads) need
 * no name.
 */
export async function prepareFile(file: UploadFile, anonymous = false): Promise<PreparedFile> {
  if (!file || typeof file !== 'object') throw new TypeError('every upload file must be an object with name and data');
  if (!anonymous && (typeof file.name !== 'string' || file.name === '')) throw new TypeError('every upload file needs a non-empty name');
  const source = await uploadSource(file.data, { size: file.size, openFile: openNodeFile, pieceSize: PIECE });
  const name = typeof file.name === 'string' && file.name !== '' ? file.name : 'file';
  return {
    name,
    contentType: file.contentType ?? source.type ?? 'application/octet-stream',
    size: source.size,
    chunks: () => source.chunks(),
  };
}

/** Counts file bytes as the consumer pulls them and reports progress. */
export class ProgressCounter {
  loaded = 0;
  constructor(
    readonly total: number | undefined,
    private readonly listener: ((progress: Progress) => void) | undefined,
  ) {}
  start(): void {
    this.emit();
  }
  add(n: number): void {
    this.loaded += n;
    this.emit();
  }
  private emit(): void {
    if (!this.listener) return;
    const event: Progress = this.total === undefined ? { loaded: this.loaded } : { loaded: this.loaded, total: this.total };
    try {
      this.listener(event);
    } catch {
      // A throwing progress listener must not break the upload.
    }
  }
}

/**
 * Yields a file's chunks, counting each one after the consumer asked for the
 * next (so it has been handed to the socket), and checks the declared size.
 */
async function* counted(file: PreparedFile, progress: ProgressCounter): AsyncGenerator<Uint8Array> {
  let sent = 0;
  for await (const chunk of file.chunks()) {
    if (file.size !== undefined && sent + chunk.byteLength > file.size) {
      throw new RangeError(`upload file ${file.name} has more bytes than its declared size ${file.size}`);
    }
    yield chunk;
    sent += chunk.byteLength;
    progress.add(chunk.byteLength);
  }
  if (file.size !== undefined && sent !== file.size) {
    throw new RangeError(`upload file ${file.name} ended after ${sent} bytes, but its declared size is ${file.size}`);
  }
}

/** Body of a PUT upload: the one file's bytes. */
export async function* putBody(file: PreparedFile, progress: ProgressCounter): AsyncGenerator<Uint8Array> {
  progress.start();
  yield* counted(file, progress);
}

const encoder = new TextEncoder();

/** Quotes a form-data name or filename the way browsers do (`"`, CR and LF percent-escaped). */
function quote(value: string): string {
  return `"${value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22')}"`;
}

/** A multipart/form-data body: ordinary fields first, then one part per file. */
export interface MultipartBody {
  boundary: string;
  contentType: string;
  /** Total length in bytes when every file size is known. */
  length: number | undefined;
  body: () => AsyncIterable<Uint8Array>;
}

export function multipartBody(fields: Array<[string, string]>, files: PreparedFile[], progress: ProgressCounter): MultipartBody {
  const boundary = `----pcloudkit${randomBytes(12).toString('hex')}`;
  let head = '';
  for (const [name, value] of fields) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name=${quote(name)}\r\n\r\n${value}\r\n`;
  }
  const headBytes = encoder.encode(head);
  const partHeads = files.map((file) =>
    encoder.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quote(file.name)}\r\nContent-Type: ${file.contentType}\r\n\r\n`,
    ),
  );
  const crlf = encoder.encode('\r\n');
  const tail = encoder.encode(`--${boundary}--\r\n`);
  let length: number | undefined = headBytes.byteLength + tail.byteLength;
  files.forEach((file, i) => {
    if (length === undefined || file.size === undefined) length = undefined;
    else length += partHeads[i]!.byteLength + file.size + crlf.byteLength;
  });
  async function* body(): AsyncGenerator<Uint8Array> {
    progress.start();
    if (headBytes.byteLength) yield headBytes;
    for (let i = 0; i < files.length; i++) {
      yield partHeads[i]!;
      yield* counted(files[i]!, progress);
      yield crlf;
    }
    yield tail;
  }
  return { boundary, contentType: `multipart/form-data; boundary=${boundary}`, length, body };
}
