import { Readable } from 'node:stream';

/** One part of a multipart/form-data body. */
export interface MultipartPart {
  name: string | undefined;
  filename: string | undefined;
  contentType: string | undefined;
  /** The part's bytes. Must be consumed (or left to `next()` to skip) before the next part. */
  stream: Readable;
}

const MAX_HEADER_BYTES = 16 * 1024;

/** Extracts the boundary from a Content-Type header, if it is multipart/form-data. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b || b.length > 200) return undefined;
  return b;
}

/**
 * A streaming multipart/form-data reader. It pulls chunks from the source
 * only as fast as the consumer reads part bodies, keeping at most one chunk
 * plus a boundary's worth of bytes in memory.
 */
export class MultipartReader {
  private buf: Buffer;
  private readonly delim: Buffer;
  private readonly iter: AsyncIterator<Buffer>;
  private state: 'between' | 'body' | 'end' = 'between';
  private current: Readable | undefined;
  /** Bytes pulled from the source so far. */
  received = 0;

  constructor(source: AsyncIterable<Buffer>, boundary: string) {
    this.delim = Buffer.from(`\r\n--${boundary}`, 'latin1');
    // a virtual CRLF lets the opening boundary match like all the others
    this.buf = Buffer.from('\r\n');
    this.iter = source[Symbol.asyncIterator]();
    this.started = false;
  }

  private started: boolean;

  private async fill(): Promise<boolean> {
    const r = await this.iter.next();
    if (r.done) return false;
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    this.received += chunk.length;
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return true;
  }

  /** Skips the preamble up to the first boundary. */
  private async start(): Promise<void> {
    this.started = true;
    for (;;) {
      const idx = this.buf.indexOf(this.delim);
      if (idx >= 0) {
        this.buf = this.buf.subarray(idx + this.delim.length);
        return;
      }
      if (this.buf.length > this.delim.length) this.buf = this.buf.subarray(this.buf.length - this.delim.length);
      if (!(await this.fill())) throw new Error('multipart: no boundary found');
    }
  }

  private chain: Promise<unknown> = Promise.resolve();

  /** bodyChunk, serialised so a stream read and a skip never overlap. */
  private lockedChunk(): Promise<Buffer | null> {
    const run = this.chain.then(() => this.bodyChunk());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Next chunk of the current part's body, or null at its end. */
  private async bodyChunk(): Promise<Buffer | null> {
    if (this.state !== 'body') return null;
    for (;;) {
      const idx = this.buf.indexOf(this.delim);
      if (idx >= 0) {
        const out = this.buf.subarray(0, idx);
        this.buf = this.buf.subarray(idx + this.delim.length);
        this.state = 'between';
        return out.length > 0 ? out : null;
      }
      const safe = this.buf.length - (this.delim.length - 1);
      if (safe > 0) {
        const out = this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
        return out;
      }
      if (!(await this.fill())) throw new Error('multipart: body ended inside a part');
    }
  }

  /** The next part, or null after the closing boundary. */
  async next(): Promise<MultipartPart | null> {
    if (!this.started) await this.start();
    await this.chain;
    if (this.state === 'body') {
      // the consumer left the previous part unread: skip it
      this.current?.destroy();
      while (this.state === 'body') await this.lockedChunk();
    }
    if (this.state === 'end') return null;
    // after a boundary: "--" closes the body, CRLF opens a part
    while (this.buf.length < 2) if (!(await this.fill())) throw new Error('multipart: truncated');
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      this.state = 'end';
      return null;
    }
    // tolerate transport padding before the CRLF
    let crlf = this.buf.indexOf('\r\n');
    while (crlf < 0) {
      if (this.buf.length > 1024 || !(await this.fill())) throw new Error('multipart: bad boundary line');
      crlf = this.buf.indexOf('\r\n');
    }
    this.buf = this.buf.subarray(crlf + 2);
    let end = this.buf.indexOf('\r\n\r\n');
    let headerText: string;
    if (this.buf.length >= 2 && this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
      headerText = '';
      this.buf = this.buf.subarray(2);
    } else {
      while (end < 0) {
        if (this.buf.length > MAX_HEADER_BYTES) throw new Error('multipart: part headers too large');
        if (!(await this.fill())) throw new Error('multipart: truncated part headers');
        end = this.buf.indexOf('\r\n\r\n');
      }
      headerText = this.buf.subarray(0, end).toString('utf8');
      this.buf = this.buf.subarray(end + 4);
    }
    const part = parsePartHeaders(headerText);
    this.state = 'body';
    const reader = this;
    const stream = new Readable({
      highWaterMark: 256 * 1024,
      read() {
        reader.lockedChunk().then(
          (chunk) => {
            this.push(chunk);
          },
          (err: Error) => this.destroy(err),
        );
      },
    });
    this.current = stream;
    return { ...part, stream };
  }

  /** Reads and discards everything left in the source. */
  async drain(): Promise<void> {
    try {
      while (this.state !== 'end') {
        const p = await this.next();
        if (!p) break;
      }
    } catch {
      // malformed tail: fall through and swallow the rest
    }
    try {
      for (;;) {
        const r = await this.iter.next();
        if (r.done) break;
      }
    } catch {
      // source broke; nothing to drain
    }
  }
}

function parsePartHeaders(text: string): Omit<MultipartPart, 'stream'> {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') contentType = value;
    if (key !== 'content-disposition') continue;
    for (const m of value.matchAll(/;\s*([A-Za-z*]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g)) {
      const k = m[1]!.toLowerCase();
      // only \" is unescaped: browsers send backslashes in names as they are
      const v = m[2] !== undefined ? m[2].replace(/\\"/g, '"') : m[3]!.trim();
      if (k === 'name') name = v;
      else if (k === 'filename' && filename === undefined) filename = v;
      else if (k === 'filename*') {
        const ext = /^([^']*)'[^']*'(.*)$/.exec(v);
        try {
          filename = ext ? decodeURIComponent(ext[2]!) : v;
        } catch {
          filename = v;
        }
      }
    }
  }
  return { name, filename, contentType };
}
