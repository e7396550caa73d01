import { connect, type Socket } from 'node:net';
import { encodeRequest } from '@pcloudkit/transport-binary';

/** A raw TCP connection that records what comes back and when it closed. */
export interface RawConnection {
  readonly socket: Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Milliseconds from connect to the close, or undefined while open. */
  closedAfter(): number | undefined;
  /** Resolves with `closedAfter()` once closed, or undefined after `maxMs`. */
  waitClosed(maxMs: number): Promise<number | undefined>;
  /** Bytes the kernel took from this side (what the server could read). */
  flushed(): number;
  /**
   * Writes and resolves once the bytes were handed to the kernel or the
   * connection closed; false when it closed first.
   */
  send(bytes: Buffer | string): Promise<boolean>;
}

export const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Connects to `host:port` (IPv4 or `[v6]:port`). */
export function openRaw(hostPort: string, opts: { keepReceived?: boolean } = {}): Promise<RawConnection> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(hostPort.slice(i + 1));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const began = Date.now();
    let closedAt: number | undefined;
    let flushed = 0;
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve(conn);
    });
    socket.once('error', reject);
    socket.on('data', (d: Buffer) => {
      if (opts.keepReceived !== false) chunks.push(d);
    });
    socket.on('close', () => {
      closedAt = Date.now();
    });
    const conn: RawConnection = {
      socket,
      received: () => Buffer.concat(chunks),
      closedAfter: () => (closedAt === undefined ? undefined : closedAt - began),
      async waitClosed(maxMs) {
        const until = Date.now() + maxMs;
        while (closedAt === undefined && Date.now() < until) await pause(20);
        return conn.closedAfter();
      },
      flushed: () => flushed,
      send(bytes) {
        if (socket.destroyed || closedAt !== undefined) return Promise.resolve(false);
        const n = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
        return new Promise((r) => {
          const onClose = () => r(false);
          socket.once('close', onClose);
          socket.write(bytes, (err) => {
            socket.off('close', onClose);
            if (!err) flushed += n;
            r(!err);
          });
        });
      },
    };
  });
}

/** Sends `bytes` one at a time, `everyMs` apart, until the connection closes or `maxMs` passed. */
export async function trickle(conn: RawConnection, bytes: Buffer | string, everyMs: number, maxMs: number): Promise<void> {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const until = Date.now() + maxMs;
  for (let i = 0; i < data.length && Date.now() < until && conn.closedAfter() === undefined; i++) {
    conn.socket.write(data.subarray(i, i + 1));
    await pause(everyMs);
  }
}

/** One HTTP/1.1 answer split off a byte stream. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Splits the answers (Content-Length framed, as the emulator sends them) out of what a connection received. */
export function httpAnswers(data: Buffer): HttpAnswer[] {
  const out: HttpAnswer[] = [];
  let off = 0;
  while (off < data.length) {
    const end = data.indexOf('\r\n\r\n', off);
    if (end < 0) break;
    const lines = data.subarray(off, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const c = l.indexOf(':');
      if (c > 0) headers[l.slice(0, c).trim().toLowerCase()] = l.slice(c + 1).trim();
    }
    const len = Number(headers['content-length'] ?? 0);
    if (data.length < end + 4 + len) break;
    out.push({ status: Number(lines[0]?.split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + len) });
    off = end + 4 + len;
  }
  return out;
}

/** Builds multipart/form-data bodies part by part, with one boundary. */
export class Multipart {
  constructor(readonly boundary = `pcloudkitAttack${Math.random().toString(36).slice(2)}`) {}

  get contentType(): string {
    return `multipart/form-data; boundary=${this.boundary}`;
  }

  field(name: string, value: string | Buffer): Buffer {
    return Buffer.concat([
      Buffer.from(`--${this.boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
      typeof value === 'string' ? Buffer.from(value) : value,
      Buffer.from('\r\n'),
    ]);
  }

  file(filename: string, bytes: Buffer): Buffer {
    return Buffer.concat([
      Buffer.from(
        `--${this.boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      ),
      bytes,
      Buffer.from('\r\n'),
    ]);
  }

  close(): Buffer {
    return Buffer.from(`--${this.boundary}--\r\n`);
  }
}

/** The head of a POST; `length` undefined means chunked. */
export function postHead(path: string, contentType: string, length?: number, extra = ''): string {
  const framing = length === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${length}`;
  return `POST ${path} HTTP/1.1\r\nHost: emulator\r\nConnection: keep-alive\r\nContent-Type: ${contentType}\r\n${framing}\r\n${extra}\r\n`;
}

/** One chunk of a chunked body. */
export function chunk(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

/** A binary-protocol request header (the payload, if any, follows separately). */
export function binaryRequest(method: string, params: Record<string, string | number> = {}, dataLength?: number): Buffer {
  return Buffer.from(encodeRequest(method, params, dataLength !== undefined ? { dataLength, forceDataBit: true } : {}));
}
