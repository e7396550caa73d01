import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { Busboy, type BusboyFileStream, type BusboyHeaders, type BusboyInstance } from '@fastify/busboy';

/** Caps on what a multipart/form-data body may hold before its file parts. */
export interface MultipartLimits {
  /** Ordinary fields before the first file part. */
  fields: number;
  /** Bytes of one field's value. */
  fieldBytes: number;
  /** Bytes of all field values together. */
  totalFieldBytes: number;
  /** File parts in one body. */
  files: number;
}

/**
 * Far above what any pCloud call sends (a few dozen short params), and the
 * same 1 MiB a url-encoded form may hold: what a refused body leaves for the
 * garbage collector stays small.
 */
export const DEFAULT_MULTIPART_LIMITS: Readonly<MultipartLimits> = Object.freeze({
  fields: 1000,
  fieldBytes: 1024 * 1024,
  totalFieldBytes: 1024 * 1024,
  files: 10_000,
});

/**
 * Why a multipart body could not be read: `boundary` (the Content-Type names
 * none), `limit` (a cap of `MultipartLimits` was passed), `malformed` (the
 * bytes are not multipart) or `broken` (the connection ended early).
 */
export class MultipartError extends Error {
  constructor(
    message: string,
    readonly kind: 'boundary' | 'limit' | 'malformed' | 'broken',
  ) {
    super(message);
    this.name = 'MultipartError';
  }
}

/** One file part; its stream errors when the body does not complete properly after it. */
export interface FilePart {
  filename: string;
  contentType: string | undefined;
  stream: Readable;
}

export interface MultipartBody {
  /** The ordinary fields before the first file part, in order. Fields after a file part are ignored, as pCloud does. */
  fields: [string, string][];
  /** The file parts, in order, each streamed as it arrives. */
  files: AsyncIterable<FilePart>;
  /** Body bytes received so far. */
  received(): number;
  /** Discards whatever the consumer left unread; resolves once the body was read to its end or the request is gone. */
  discard(): Promise<void>;
}

/** Whether a Content-Type announces multipart/form-data (with or without a usable boundary). */
export function isMultipart(contentType: string | undefined): boolean {
  return contentType !== undefined && /^multipart\/form-data/i.test(contentType);
}

const PART_HIGH_WATER = 256 * 1024;

/**
 * Reads a multipart/form-data request with `@fastify/busboy`. Resolves with
 * the ordinary fields once the first file part starts (or the body ended
 * without one), rejects with a `MultipartError` when the fields cannot be
 * read. Nothing is buffered beyond one field (capped) and a few stream
 * buffers: file parts are pulled only as fast as the consumer reads them.
 *
 * A file part's stream ends only once the parser has moved past it (the next
 * part started or the closing boundary came); a body that stops inside a
 * part or before its closing boundary makes the stream fail instead, so an
 * interrupted upload is never taken for a complete one.
 */
export function readMultipart(req: IncomingMessage, limits: MultipartLimits = DEFAULT_MULTIPART_LIMITS): Promise<MultipartBody> {
  let parser: BusboyInstance;
  try {
    parser = new Busboy({
      headers: req.headers as BusboyHeaders,
      preservePath: true,
      // every part comes as a stream: fields are gathered here, under the caps
      isPartAFile: () => true,
      highWaterMark: 64 * 1024,
      fileHwm: PART_HIGH_WATER,
      limits: { headerPairs: 100 },
    });
  } catch {
    return Promise.reject(new MultipartError('multipart/form-data without a boundary', 'boundary'));
  }

  let received = 0;
  const fields: [string, string][] = [];
  let fieldBytes = 0;
  let fileSeen = false;
  let failure: Error | undefined;
  let finished = false;
  let discarding = false;
  /** File parts not yet handed to the consumer. */
  const waiting: FilePart[] = [];
  /** Streams handed out and not yet ended or failed. */
  const open = new Set<PassThrough>();
  /** A part whose bytes all arrived, ended once the parser moves on. */
  let held: PassThrough | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  let settle: { resolve: (b: MultipartBody) => void; reject: (e: Error) => void } | undefined;
  const result = new Promise<MultipartBody>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let allDone!: () => void;
  const done = new Promise<void>((r) => {
    allDone = r;
  });

  /** Parts the parser has moved past: their end may come (streams end a tick after the next part starts). */
  const passed = new WeakSet<PassThrough>();
  const release = () => {
    for (const s of open) passed.add(s);
    const h = held;
    held = undefined;
    if (h) {
      h.end();
      open.delete(h);
    }
  };
  const fail = (err: Error) => {
    if (failure || finished) return;
    failure = err;
    held = undefined;
    for (const s of open) s.destroy(err);
    open.clear();
    for (const p of waiting) p.stream.destroy(err);
    req.unpipe(parser);
    // the rest of the body is read and dropped, so the answer can still be written
    req.resume();
    settle?.reject(err);
    settle = undefined;
    notify();
    allDone();
  };

  const body: MultipartBody = {
    fields,
    received: () => received,
    files: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next = waiting.shift();
          if (next) {
            yield next;
            continue;
          }
          if (failure) throw failure;
          if (finished) return;
          await new Promise<void>((r) => {
            wake = r;
          });
        }
      },
    },
    async discard() {
      discarding = true;
      for (const s of open) s.resume();
      for (const p of waiting) p.stream.resume();
      await done;
      if (!req.complete && !req.destroyed) {
        req.resume();
        await new Promise<void>((r) => {
          req.once('end', r);
          req.once('close', r);
        });
      }
    },
  };

  /** Fields whose bytes are still arriving: the fields are handed over once none is left. */
  let fieldsOpen = 0;
  let fieldCount = 0;
  let fileCount = 0;
  /** Field values stay bytes until all are in: a refused body leaves no strings behind. */
  const rawFields: [string, Buffer][] = [];
  const maybeReady = () => {
    if ((fileSeen || finished) && fieldsOpen === 0 && !failure && settle) {
      for (const [name, value] of rawFields) fields.push([name, value.toString('utf8')]);
      rawFields.length = 0;
      settle.resolve(body);
      settle = undefined;
    }
  };
  /**
   * An ordinary field, gathered as bytes (not as a growing string, which
   * would leave megabytes of garbage behind per field) and refused as soon
   * as it passes a cap.
   */
  const readField = (name: string | undefined, source: BusboyFileStream) => {
    fieldCount += 1;
    if (fieldCount > limits.fields) return fail(new MultipartError(`more than ${limits.fields} form fields`, 'limit'));
    fieldsOpen += 1;
    const chunks: Buffer[] = [];
    let size = 0;
    source.on('data', (b: Buffer) => {
      if (failure) return;
      size += b.length;
      fieldBytes += b.length;
      if (size > limits.fieldBytes) return fail(new MultipartError(`a form field is longer than ${limits.fieldBytes} bytes`, 'limit'));
      if (fieldBytes > limits.totalFieldBytes) {
        return fail(new MultipartError(`the form fields hold more than ${limits.totalFieldBytes} bytes`, 'limit'));
      }
      chunks.push(b);
    });
    source.on('error', () => undefined);
    source.on('end', () => {
      fieldsOpen -= 1;
      if (failure) return;
      if (name !== undefined) rawFields.push([name, Buffer.concat(chunks)]);
      maybeReady();
    });
  };
  parser.on(
    'file',
    (name: string | undefined, source: BusboyFileStream, filename: string | undefined, _enc: string, contentType: string) => {
      release();
      // fields after a file part are ignored, as are all parts once the body failed
      if (failure || (filename === undefined && fileSeen)) {
        source.on('error', () => undefined);
        source.resume();
        return;
      }
      if (filename === undefined) return readField(name, source);
      fileCount += 1;
      if (fileCount > limits.files) return fail(new MultipartError(`more than ${limits.files} file parts`, 'limit'));
      fileSeen = true;
      const out = new PassThrough({ highWaterMark: PART_HIGH_WATER });
      // a part failed before anyone read it must not become an uncaught error
      out.on('error', () => undefined);
      open.add(out);
      source.on('error', (e: Error) => out.destroy(e));
      source.on('end', () => {
        if (failure || out.destroyed) return;
        if (finished || passed.has(out)) {
          out.end();
          open.delete(out);
        } else held = out;
      });
      source.pipe(out, { end: false });
      // A consumer that stops reading destroys the stream (an over-quota upload): the rest of the part is then
      // dropped, so the parser can reach the end of the body (since Node 24, pipe() leaves the source paused).
      out.once('close', () => {
        if (source.readableEnded) return;
        source.unpipe(out);
        source.resume();
      });
      const part: FilePart = { filename, contentType, stream: out };
      if (discarding) out.resume();
      else waiting.push(part);
      maybeReady();
      notify();
    },
  );
  parser.on('error', (e: Error) => fail(new MultipartError(`malformed multipart body: ${e.message}`, 'malformed')));
  parser.on('finish', () => {
    if (failure) return;
    release();
    finished = true;
    maybeReady();
    notify();
    allDone();
  });

  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  const broken = () => {
    if (!req.complete) fail(new MultipartError('the connection ended inside the multipart body', 'broken'));
  };
  req.once('aborted', broken);
  req.once('error', broken);
  req.once('close', broken);
  req.pipe(parser);
  return result;
}
