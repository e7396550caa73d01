/**
 * multipart/form-data for the playground's upload routes, parsed with
 * `@fastify/busboy` (as the emulator does) and handed out part by part: a
 * part's body is an async iterable that must be read to the end (or is
 * skipped when the next part is asked for). File bytes are never buffered
 * whole, so an upload flows from the browser to the pcloudkit client at the
 * pace the client reads it. The number of parts and of header lines are
 * capped; a field is read whole only up to `partText`'s limit.
 */
import { PassThrough, Readable } from 'node:stream';
import { Busboy, type BusboyFileStream } from '@fastify/busboy';

export interface Part {
  /** Form field name. */
  name: string;
  /** File name, for file parts. */
  filename?: string;
  contentType?: string;
  body: AsyncIterable<Buffer>;
}

/** Caps of one form. */
export interface MultipartLimits {
  /** Parts (fields and files) in all. */
  parts: number;
  /** File parts. */
  files: number;
  /** Header lines of one part. */
  headerPairs: number;
}

export const DEFAULT_LIMITS: MultipartLimits = { parts: 32, files: 1, headerPairs: 32 };

export class MultipartError extends Error {}

/** Boundary from a `multipart/form-data; boundary=...` header, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/**
 * Parses a multipart body part by part. A part's stream ends only once the
 * parser has moved past it (the next part or the closing boundary), so a
 * body cut inside a part fails that part ("ended early") instead of handing
 * out a shortened one.
 */
export async function* readMultipart(
  source: AsyncIterable<Uint8Array>,
  boundary: string,
  limits: MultipartLimits = DEFAULT_LIMITS,
): AsyncGenerator<Part> {
  const parser = new Busboy({
    headers: { 'content-type': `multipart/form-data; boundary="${boundary}"` },
    // every part comes as a stream, fields too: the caller decides how much of one it reads
    isPartAFile: () => true,
    limits: { parts: limits.parts, files: limits.parts, headerPairs: limits.headerPairs },
  });
  const ready: Part[] = [];
  let failure: Error | undefined;
  let finished = false;
  let files = 0;
  /** The stream of the part being parsed: ended when the parser moves on, failed with the body. */
  let current: { out: PassThrough; ended: boolean } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const moveOn = () => {
    if (current?.ended) current.out.end();
    current = undefined;
  };
  const fail = (error: Error) => {
    if (failure) return;
    failure = error;
    current?.out.destroy(error);
    current = undefined;
    notify();
  };

  parser.on('file', (name: string | undefined, stream: BusboyFileStream, filename: string | undefined, _e: string, type: string) => {
    moveOn();
    if (failure) {
      stream.resume();
      return;
    }
    if (filename !== undefined && ++files > limits.files) return fail(new MultipartError(`more than ${limits.files} file parts`));
    const out = new PassThrough();
    // a part failed before anyone read it must not become an uncaught error
    out.on('error', () => undefined);
    const part = { out, ended: false };
    current = part;
    stream.on('end', () => {
      part.ended = true;
      // the parser moved past it: complete (a part cut by a failure was destroyed instead)
      if (current !== part) out.end();
    });
    stream.on('error', (e: Error) => fail(new MultipartError(`multipart body ended early: ${e.message}`)));
    stream.pipe(out, { end: false });
    ready.push({ name: name ?? '', ...(filename !== undefined ? { filename } : {}), contentType: type, body: out });
    notify();
  });
  parser.on('partsLimit', () => fail(new MultipartError(`more than ${limits.parts} parts`)));
  parser.on('filesLimit', () => fail(new MultipartError(`more than ${limits.parts} parts`)));
  parser.on('error', (e: Error) =>
    fail(new MultipartError(/unexpected end/i.test(e.message) ? 'multipart body ended early' : `malformed multipart body: ${e.message}`)),
  );
  parser.on('finish', () => {
    moveOn();
    finished = true;
    notify();
  });
  const input = Readable.from(source, { objectMode: false });
  input.on('error', (e: Error) => fail(new MultipartError(`multipart body ended early: ${e.message}`)));
  input.on('end', () => {
    // the input ended and the parser did not finish the form: a cut body
    setImmediate(() => {
      if (!finished) fail(new MultipartError('multipart body ended early'));
    });
  });
  input.pipe(parser);

  try {
    for (;;) {
      // a form that broke a cap or was cut is refused as a whole, whatever parts came before
      if (failure) throw failure;
      const part = ready.shift();
      if (part) {
        yield part;
        // the consumer asked for the next part: what it left of this one is dropped
        (part.body as PassThrough).resume();
        continue;
      }
      if (finished) return;
      await new Promise<void>((r) => {
        wake = r;
      });
    }
  } finally {
    if (!finished && !failure) {
      failure = new MultipartError('the form was not read to its end');
      input.unpipe(parser);
      input.destroy();
    }
  }
}

/** Reads a small part whole, as UTF-8 text (a longer one is a `MultipartError`). */
export async function partText(part: Part, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of part.body) {
    size += chunk.length;
    if (size > limit) throw new MultipartError(`form field '${part.name}' is too large`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
