import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  socket: number;
}

export interface TestServer {
  origin: string;
  port: number;
  requests: SeenRequest[];
  /** Number of TCP connections accepted so far. */
  connections: () => number;
  close: () => Promise<void>;
}

/** A plain node:http server on 127.0.0.1:0 that records every request (with its whole body) before handing it to `handler`. */
export async function startServer(handler: (req: SeenRequest, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Map<Socket, number>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return; // the client gave up mid-request
    }
    const seen: SeenRequest = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      body: Buffer.concat(chunks),
      socket: sockets.get(req.socket)!,
    };
    requests.push(seen);
    await handler(seen, res);
  });
  server.keepAliveTimeout = 10_000;
  server.on('connection', (s) => sockets.set(s, sockets.size + 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets.keys()) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Answers with a JSON body. */
/**
 * A content server for `file` that honours `Range: bytes=a-b` and cuts every
 * answer after `cut` bytes (none: answers are whole), written `chunk` bytes
 * at a time; each request's Range header goes into `seen`.
 */
export function rangeServer(file: Uint8Array, options: { cut?: number; chunk?: number; seen?: string[] } = {}): Promise<TestServer> {
  const { cut, chunk = file.length, seen = [] } = options;
  return startServer(async (q, res) => {
    const range = String(q.headers.range ?? '');
    seen.push(range);
    const m = /^bytes=(\d+)-(\d*)$/.exec(range);
    const start = m ? Number(m[1]) : 0;
    const end = m?.[2] ? Math.min(Number(m[2]), file.length - 1) : file.length - 1;
    res.writeHead(m ? 206 : 200, {
      'content-length': end - start + 1,
      ...(m ? { 'content-range': `bytes ${start}-${end}/${file.length}` } : {}),
    });
    const last = cut === undefined ? end + 1 : Math.min(end + 1, start + cut);
    // each write handed to the socket before the next (and before a cut)
    for (let at = start; at < last; at += chunk)
      await new Promise((done) => res.write(file.subarray(at, Math.min(last, at + chunk)), done));
    if (last > end) res.end();
    else setTimeout(() => res.socket?.destroy(), 5);
  });
}

export function json(res: ServerResponse, body: string, status = 200, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** A raw TCP server: `onData` sees every socket's bytes and may write raw HTTP back. */
export async function startRawServer(
  onSocket: (socket: Socket) => void,
): Promise<{ origin: string; port: number; close: () => Promise<void>; connections: () => number }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createNetServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    connections: () => count,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on: bound once, then released. */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export interface Part {
  headers: Record<string, string>;
  name?: string;
  filename?: string;
  body: Buffer;
}

/** A small, strict multipart/form-data parser for assertions. */
export function parseMultipart(body: Buffer, contentType: string): { parts: Part[]; closed: boolean } {
  const m = /boundary=(.+)$/.exec(contentType);
  if (!m) throw new Error(`no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${m[1]}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  if (pos !== 0) throw new Error('body does not start with the boundary');
  let closed = false;
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') {
      closed = body.subarray(pos, pos + 4).toString() === '--\r\n' && pos + 4 === body.length;
      break;
    }
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new Error('boundary not followed by CRLF');
    pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    const head = body.subarray(pos, headEnd).toString('utf8');
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headEnd + 4);
    if (next < 0) throw new Error('part without a closing boundary');
    const disposition = headers['content-disposition'] ?? '';
    parts.push({
      headers,
      name: /\bname="([^"]*)"/.exec(disposition)?.[1],
      filename: /\bfilename="([^"]*)"/.exec(disposition)?.[1],
      body: body.subarray(headEnd + 4, next),
    });
    pos = next + 2;
  }
  return { parts, closed };
}

/** Deterministic pseudo-random bytes, generated chunk by chunk. */
export async function* generatedChunks(total: number, chunkSize = 256 * 1024, seed = 1): AsyncGenerator<Uint8Array> {
  let x = seed >>> 0 || 1;
  let left = total;
  while (left > 0) {
    const n = Math.min(chunkSize, left);
    const chunk = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      chunk[i] = x & 255;
      if (i + 1 < n) chunk[i + 1] = (x >>> 8) & 255;
      if (i + 2 < n) chunk[i + 2] = (x >>> 16) & 255;
      if (i + 3 < n) chunk[i + 3] = (x >>> 24) & 255;
    }
    left -= n;
    yield chunk;
  }
}
