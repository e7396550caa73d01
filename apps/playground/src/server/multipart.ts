/**
 * A small streaming multipart/form-data reader. Parts come out one at a
 * time; a part's body is an async iterable that must be read to the end (or
 * skipped with `drain`) before the next part is asked for. File bytes are
 * never buffered whole, so an upload flows from the browser to the pcloudkit
 * client at the pace the client reads it.
 */

export interface Part {
  /** Form field name. */
  name: string;
  /** File name, for file parts. */
  filename?: string;
  contentType?: string;
  body: AsyncIterable<Buffer>;
}

const HEADER_LIMIT = 16 * 1024;
const CRLF = Buffer.from('\r\n');

export class MultipartError extends Error {}

/** Boundary from a `multipart/form-data; boundary=...` header, or undefined. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

class Reader {
  private buf: Buffer;
  private readonly it: AsyncIterator<Uint8Array>;
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>, initial: Buffer) {
    this.it = source[Symbol.asyncIterator]();
    this.buf = initial;
  }

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.it.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    return true;
  }

  /** Reads at least `n` bytes into the buffer; false at end of input. */
  async need(n: number): Promise<boolean> {
    while (this.buf.length < n) if (!(await this.fill())) return false;
    return true;
  }

  take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Reads up to `delim` (consumed, not returned), at most `limit` bytes. */
  async until(delim: Buffer, limit: number): Promise<Buffer> {
    for (;;) {
      const i = this.buf.indexOf(delim);
      if (i >= 0) {
        const out = Buffer.from(this.take(i));
        this.take(delim.length);
        return out;
      }
      if (this.buf.length > limit) throw new MultipartError('multipart headers too long');
      if (!(await this.fill())) throw new MultipartError('multipart body ended early');
    }
  }

  /** Yields bytes up to `delim` (consumed), holding back only what could be the start of it. */
  async *stream(delim: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const i = this.buf.indexOf(delim);
      if (i >= 0) {
        if (i > 0) yield Buffer.from(this.take(i));
        this.take(delim.length);
        return;
      }
      const safe = this.buf.length - (delim.length - 1);
      if (safe > 0) yield Buffer.from(this.take(safe));
      if (!(await this.fill())) throw new MultipartError('multipart body ended early');
    }
  }
}

function parseHeaders(text: string): { name?: string; filename?: string; contentType?: string } {
  const out: { name?: string; filename?: string; contentType?: string } = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      const name = /\bname="([^"]*)"/i.exec(value);
      const filename = /\bfilename="([^"]*)"/i.exec(value);
      if (name) out.name = name[1];
      if (filename) out.filename = filename[1];
    } else if (key === 'content-type') {
      out.contentType = value;
    }
  }
  return out;
}

/** Parses a multipart body part by part. */
export async function* readMultipart(source: AsyncIterable<Uint8Array>, boundary: string): AsyncGenerator<Part> {
  // Starting with CRLF lets the first boundary match the same delimiter as the others.
  const reader = new Reader(source, Buffer.from(CRLF));
  const delim = Buffer.from(`\r\n--${boundary}`);
  for await (const _ of reader.stream(delim)); // preamble
  for (;;) {
    if (!(await reader.need(2))) throw new MultipartError('multipart body ended early');
    const after = reader.take(2).toString('latin1');
    if (after === '--') return;
    if (after !== '\r\n') throw new MultipartError('malformed multipart boundary');
    const headers = parseHeaders((await reader.until(Buffer.from('\r\n\r\n'), HEADER_LIMIT)).toString('utf8'));
    if (!headers.name) throw new MultipartError('a multipart part has no name');
    const body = reader.stream(delim);
    let done = false;
    const tracked: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of body) yield chunk;
        done = true;
      },
    };
    yield { name: headers.name, filename: headers.filename, contentType: headers.contentType, body: tracked };
    if (!done) for await (const _ of body); // the consumer skipped the rest of the part
  }
}

/** Reads a small part whole, as UTF-8 text. */
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
