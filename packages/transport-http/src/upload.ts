import { randomBytes } from 'node:crypto';
import type { Progress, UploadFile } from './core.js';

/** Size of the pieces byte arrays are cut into, so progress moves smoothly. */
const PIECE = 64 * 1024;

/** An upload source made ready: its length when known and a way to read it once. */
export interface PreparedFile {
  name: string;
  contentType: string;
  size: number | undefined;
  chunks: () => AsyncIterable<Uint8Array>;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

function isBlob(value: unknown): value is Blob {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

function isPathSource(value: unknown): value is { path: string } {
  return typeof value === 'object' && value !== null && typeof (value as { path?: unknown }).path === 'string' && !isAsyncIterable(value);
}

/** Turns any chunk a stream may yield into bytes (Node streams with an encoding yield strings). */
function asBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError('an upload stream yielded something that is not bytes');
}

async function* sliceBytes(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += PIECE) yield bytes.subarray(i, Math.min(i + PIECE, bytes.byteLength));
}

async function* readWebStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) { done = true; return; }
      yield asBytes(next.value);
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

async function* readIterable(source: AsyncIterable<unknown>): AsyncGenerator<Uint8Array> {
  for await (const chunk of source) {
    const bytes = asBytes(chunk);
    if (bytes.byteLength > 0) yield bytes;
  }
}

/**
 * Checks an upload file and works out its length. Nothing is read here
 * except `fs.stat` for `{ path }` sources. Throws `TypeError` on a source
 * this transport cannot read.
 */
export async function prepareFile(file: UploadFile): Promise<PreparedFile> {
  if (!file || typeof file.name !== 'string' || file.name === '') throw new TypeError('every upload file needs a non-empty name');
  const data = file.data as unknown;
  const contentType = file.contentType ?? 'application/octet-stream';
  const base = { name: file.name, contentType };
  if (data instanceof Uint8Array) return { ...base, size: data.byteLength, chunks: () => sliceBytes(data) };
  if (isBlob(data)) return { ...base, size: data.size, contentType: file.contentType ?? (data.type || contentType), chunks: () => readWebStream(data.stream() as ReadableStream<Uint8Array>) };
  if (isReadableStream(data)) return { ...base, size: file.size, chunks: () => readWebStream(data) };
  if (isAsyncIterable(data)) return { ...base, size: file.size, chunks: () => readIterable(data) };
  if (isPathSource(data)) {
    const { stat } = await import('node:fs/promises');
    const { createReadStream } = await import('node:fs');
    const info = await stat(data.path);
    if (!info.isFile()) throw new TypeError(`upload source ${data.path} is not a regular file`);
    return { ...base, size: info.size, chunks: () => readIterable(createReadStream(data.path, { highWaterMark: PIECE })) };
  }
  throw new TypeError(`upload file ${file.name}: unsupported data source`);
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
