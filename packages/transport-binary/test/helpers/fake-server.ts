/**
 * A scripted binary-protocol server for transport tests: it parses request
 * frames (with payloads) on its own and lets each test decide the answers.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { encodeTree, frameOf, type Tree } from './test-encoder.js';

export interface ParsedRequest {
  method: string;
  params: Record<string, string | bigint | boolean>;
  /** Present when the data bit was set. */
  payload?: Uint8Array;
  /** Raw header bytes (reqlen prefix included). */
  header: Uint8Array;
}

export interface ServerConn {
  id: number;
  socket: net.Socket;
  requests: ParsedRequest[];
  /** Writes an encoded answer, optionally followed by a payload. */
  reply(tree: Tree, payload?: Uint8Array): void;
  raw(bytes: Uint8Array): void;
}

export type Handler = (req: ParsedRequest, conn: ServerConn) => void;

export interface FakeServer {
  host: string;
  port: number;
  conns: ServerConn[];
  requests: ParsedRequest[];
  /** Resolves once `n` requests in total have been parsed. */
  waitRequests(n: number): Promise<void>;
  /** Resolves once `n` connections have closed. */
  waitClosed(n: number): Promise<void>;
  closed: number;
  stop(): Promise<void>;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));
export const TLS_CERT = fixture('cert.pem');
export const TLS_KEY = fixture('key.pem');

/** Parses as many complete requests as `buf` holds; returns them and the bytes used. */
export function parseRequests(buf: Uint8Array): { requests: ParsedRequest[]; used: number } {
  const requests: ParsedRequest[] = [];
  let o = 0;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dec = new TextDecoder();
  for (;;) {
    if (buf.length - o < 2) break;
    const reqlen = view.getUint16(o, true);
    if (buf.length - o < 2 + reqlen) break;
    let p = o + 2;
    const mb = buf[p++]!;
    let datalen = 0;
    if (mb & 0x80) {
      datalen = Number(view.getBigUint64(p, true));
      p += 8;
    }
    if (buf.length - o < 2 + reqlen + datalen) break;
    const method = dec.decode(buf.subarray(p, p + (mb & 0x7f)));
    p += mb & 0x7f;
    const count = buf[p++]!;
    const params: ParsedRequest['params'] = {};
    for (let i = 0; i < count; i++) {
      const h = buf[p++]!;
      const name = dec.decode(buf.subarray(p, p + (h & 0x3f)));
      p += h & 0x3f;
      if (h >> 6 === 0) {
        const n = view.getUint32(p, true);
        p += 4;
        params[name] = dec.decode(buf.subarray(p, p + n));
        p += n;
      } else if (h >> 6 === 1) {
        params[name] = view.getBigUint64(p, true);
        p += 8;
      } else params[name] = buf[p++] !== 0;
    }
    if (p !== o + 2 + reqlen) throw new Error('fake server: malformed request');
    const req: ParsedRequest = { method, params, header: buf.slice(o, o + 2 + reqlen) };
    if (mb & 0x80) req.payload = buf.slice(p, p + datalen);
    requests.push(req);
    o = p + datalen;
  }
  return { requests, used: o };
}

export async function startFakeServer(handler: Handler, options: { tls?: boolean } = {}): Promise<FakeServer> {
  const conns: ServerConn[] = [];
  const requests: ParsedRequest[] = [];
  const waiters: Array<() => void> = [];
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };
  const sockets = new Set<net.Socket>();
  let nextConn = 1;
  const state = { closed: 0 };

  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    let buf = new Uint8Array(0);
    const conn: ServerConn = {
      id: nextConn++,
      socket,
      requests: [],
      reply: (tree, payload) => {
        socket.write(frameOf(encodeTree(tree)));
        if (payload) socket.write(payload);
      },
      raw: (bytes) => {
        socket.write(bytes);
      },
    };
    conns.push(conn);
    socket.on('data', (chunk: Buffer) => {
      const joined = new Uint8Array(buf.length + chunk.length);
      joined.set(buf);
      joined.set(chunk, buf.length);
      const { requests: got, used } = parseRequests(joined);
      buf = joined.slice(used);
      for (const r of got) {
        conn.requests.push(r);
        requests.push(r);
        handler(r, conn);
      }
      if (got.length) notify();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      state.closed++;
      notify();
    });
  };

  const server = options.tls ? tls.createServer({ cert: TLS_CERT, key: TLS_KEY }, onSocket) : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const until = (cond: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (cond() ? resolve() : waiters.push(check));
      check();
    });
  return {
    host: `127.0.0.1:${port}`,
    port,
    conns,
    requests,
    get closed() {
      return state.closed;
    },
    waitRequests: (n) => until(() => requests.length >= n),
    waitClosed: (n) => until(() => state.closed >= n),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
