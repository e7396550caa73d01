import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex, Readable, Transform } from 'node:stream';
import { Server as TlsServer } from 'node:tls';
import { ConnectionState } from '../connection.js';
import type { UploadPart } from '../context.js';
import type { DispatchResult, EmulatorCore } from '../core.js';
import { ApiError, DropConnection, errorMessage } from '../errors.js';
import { toJsonChunks } from '../json.js';
import type { RawParam } from '../params.js';
import { bodyIdleLimit, DEFAULT_TIME_LIMITS, pumpWithLimit, sendBody } from './limit.js';
import { isMultipart, type MultipartBody, MultipartError, readMultipart } from './multipart.js';

const MAX_FORM_BYTES = 1024 * 1024;

export interface ApiHttpOptions {
  /** Keep logins sticky per connection (pCloud does; off by default for HTTP). */
  stickyAuth: boolean;
  /** Extra routes served before the method table (OAuth pages). */
  routes: Record<string, (req: IncomingMessage, res: ServerResponse, conn: ConnectionState) => void | Promise<void>>;
  /** Milliseconds a request body may go without a byte before the connection is cut (default 60 s; 0 = never). */
  bodyTimeoutMs?: number;
}

/** Parses a Cookie header into a map. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const piece of header.split(';')) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    const k = piece.slice(0, eq).trim();
    let v = piece.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      out[k] = v;
    }
  }
  return out;
}

/** Reads a small request body into a buffer; null when it exceeds `limit`. */
export async function readSmallBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    n += (chunk as Buffer).length;
    if (n > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Response headers a browser app may read from a cross-origin answer. */
const EXPOSED_HEADERS = 'X-Error, Content-Length, Content-Type, Content-Disposition, Content-Range, Accept-Ranges, Cache-Control';
/** Request headers allowed when a preflight does not name any. */
const DEFAULT_ALLOWED_HEADERS = 'Authorization, Content-Type, Range, X-Requested-With';

/**
 * CORS as pCloud answers it, for the API and the content hosts: any origin
 * may call (authentication is a parameter or a Bearer header, never a
 * cookie that a browser would attach, so `*` without credentials is
 * enough; Authorization is allowed as an ordinary request header).
 * Sets the headers on every answer; answers an `OPTIONS` preflight itself
 * with 204 (allowing `methods`) and returns true, so the caller stops there.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, methods = 'GET, POST, PUT, HEAD, OPTIONS'): boolean {
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  if (req.method !== 'OPTIONS') return false;
  const asked = req.headers['access-control-request-headers'];
  res.writeHead(204, {
    'Access-Control-Allow-Methods': methods,
    'Access-Control-Allow-Headers': asked && /^[\w\s,-]+$/.test(asked) ? asked : DEFAULT_ALLOWED_HEADERS,
    'Access-Control-Max-Age': '86400',
    'Content-Length': 0,
  });
  res.end();
  return true;
}

function keepAliveRequested(req: IncomingMessage): boolean {
  const h = req.headers.connection;
  if (!h) return false;
  return h
    .toLowerCase()
    .split(',')
    .some((t) => t.trim() === 'keep-alive');
}

/**
 * The HTTP JSON front end: turns requests into dispatcher calls and replies
 * into pCloud-shaped HTTP answers.
 */
export function createApiHandler(core: EmulatorCore, opts: ApiHttpOptions) {
  const connections = new WeakMap<Socket, ConnectionState>();

  const connFor = (req: IncomingMessage): ConnectionState => {
    const socket = req.socket;
    let conn = connections.get(socket);
    if (!conn) {
      conn = new ConnectionState({
        remoteAddress: socket.remoteAddress ?? '127.0.0.1',
        transport: core.server.scheme,
        stickyAuth: opts.stickyAuth,
      });
      connections.set(socket, conn);
      const c = conn;
      socket.once('close', () => c.close());
      // a client that half-closed sends no further request: a blocked diff answers now, like on a close
      socket.once('end', () => c.interruptBlocking());
    }
    return conn;
  };

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const conn = connFor(req);
    bodyIdleLimit(req, opts.bodyTimeoutMs ?? DEFAULT_TIME_LIMITS.body);
    // pCloud closes the connection after a request that does not ask for keep-alive
    if (!keepAliveRequested(req)) res.shouldKeepAlive = false;
    try {
      await serve(req, res, conn);
    } catch (e) {
      if (!(e instanceof DropConnection)) console.error('[emulator] request failed:', e);
      req.socket?.destroy();
    }
  };

  async function serve(req: IncomingMessage, res: ServerResponse, conn: ConnectionState): Promise<void> {
    const url = parseTarget(req.url ?? '/');
    const route = opts.routes[url.pathname];
    if (route) {
      await route(req, res, conn);
      return;
    }
    if (handleCors(req, res)) {
      req.resume(); // a preflight has no body; discard whatever came anyway
      return;
    }
    if (url.pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      const text = 'pcloudkit emulator: pCloud HTTP JSON API. Call /<method>?params.\n';
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    let method: string;
    try {
      method = decodeURIComponent(url.pathname.slice(1));
    } catch {
      throw new DropConnection('bad method name');
    }
    if (!/^[A-Za-z0-9_]{1,64}$/.test(method)) throw new DropConnection('bad method name');

    const params: Record<string, RawParam> = {};
    for (const [k, v] of url.searchParams) params[k] = v;

    const ctype = req.headers['content-type'];
    let multipart: MultipartBody | undefined;
    let files: AsyncIterable<UploadPart> | undefined;
    let data: Readable | undefined;
    let received = () => 0;
    if (req.method === 'POST' && isMultipart(ctype)) {
      try {
        const mp = await readMultipart(req);
        multipart = mp;
        received = mp.received;
        // ordinary fields come first; the file parts are read by the method
        for (const [k, v] of mp.fields) params[k] = v;
        files = mp.files;
      } catch (e) {
        if (!(e instanceof MultipartError) || e.kind === 'malformed' || e.kind === 'broken') {
          throw new DropConnection('malformed multipart body');
        }
        if (e.kind === 'limit') {
          refuseBody(res, params, e.message);
          return;
        }
        // no boundary: the parts cannot be found, so a method that reads files fails clearly
        files = noFileParts();
      }
    } else if (req.method === 'POST' && /^application\/x-www-form-urlencoded/i.test(ctype ?? '')) {
      const body = await readSmallBody(req, MAX_FORM_BYTES);
      if (body === null) throw new DropConnection('form too large');
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
    } else if (req.method === 'PUT') {
      let n = 0;
      received = () => n;
      // fault injection: a receive-direction drop cuts the connection inside the body
      const meter = core.faults.receiveMeter(method, req.socket);
      const counter = new Transform({
        transform(chunk: Buffer, _e, cb) {
          const pass = meter ? meter(chunk.length) : chunk.length;
          n += pass;
          if (pass < chunk.length) {
            cb(null, chunk.subarray(0, pass));
            setImmediate(() => req.socket?.destroy());
            return;
          }
          cb(null, chunk);
        },
      });
      req.on('error', (err) => counter.destroy(err));
      req.on('aborted', () => counter.destroy(new Error('client aborted')));
      // a method that reads the body sees the error through its own stream calls; until one
      // does (or when it never does) the error must not go unheard and crash the process
      counter.on('error', () => undefined);
      req.pipe(counter);
      data = counter;
    }
    const cookies = parseCookies(req.headers.cookie);
    if (cookies.auth !== undefined) params.auth = cookies.auth;

    let bearer: string | undefined;
    const authz = req.headers.authorization;
    if (authz && /^bearer\s+/i.test(authz)) bearer = authz.replace(/^bearer\s+/i, '').trim();

    const lengthHeader = req.headers['content-length'];
    const bodyLength = lengthHeader !== undefined && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    const result = await core.dispatch(conn, {
      method,
      params,
      ...(files ? { files } : {}),
      ...(data ? { data } : {}),
      transport: {
        ...(bodyLength !== undefined ? { bodyLength } : {}),
        bodyReceived: () => received(),
        device: String(req.headers['user-agent'] ?? 'unknown device'),
        ...(bearer !== undefined ? { bearer } : {}),
      },
    });

    // whatever the handler did not read is drained so keep-alive stays usable
    if (multipart) await multipart.discard();
    else if (data) {
      data.resume();
      await requestDone(req);
    } else if (!req.complete) {
      req.resume();
      await requestDone(req);
    }
    writeResult(core, method, req, res, result);
  }
}

/** A plain `/method?query` target, which needs none of the URL parser's normalising. */
const PLAIN_TARGET = /^\/[A-Za-z0-9_]*(?:\?[^#]*)?$/;

/**
 * Path and query of a request target. The common `/method?query` form is
 * split directly; anything else (dot segments, escapes, a fragment) goes
 * through the URL parser.
 */
function parseTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  if (PLAIN_TARGET.test(target)) {
    const q = target.indexOf('?');
    return q < 0
      ? { pathname: target, searchParams: new URLSearchParams() }
      : { pathname: target.slice(0, q), searchParams: new URLSearchParams(target.slice(q + 1)) };
  }
  try {
    return new URL(target, 'http://emulator.invalid');
  } catch {
    throw new DropConnection('bad url');
  }
}

/** File parts of a multipart request without a boundary: reading them fails with 2088. */
function noFileParts(): AsyncIterable<UploadPart> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(new ApiError(2088, { emulator: 'multipart/form-data without a boundary: no part can be read' })),
    }),
  };
}

/**
 * Answers a multipart body that passed a cap before its file parts (5001,
 * pCloud's upload error) and closes the connection without reading the rest.
 */
function refuseBody(res: ServerResponse, params: Record<string, RawParam>, why: string): void {
  const body: Record<string, string | number> = { result: 5001, error: errorMessage(5001), emulator: why };
  if (typeof params.id === 'string') body.id = params.id;
  const text = Buffer.from(JSON.stringify(body), 'utf8');
  res.shouldKeepAlive = false;
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': text.length,
    'X-Error': 5001,
    Connection: 'close',
  });
  // the rest of the body is read and dropped for a moment so the client sees the answer, then the connection goes
  res.end(text, () => {
    const socket = res.socket;
    socket?.end();
    setTimeout(() => socket?.destroy(), 2000).unref();
  });
}

/** Resolves once the request body has been read to its end (or the request is gone). */
function requestDone(req: IncomingMessage): Promise<void> {
  if (req.complete) return Promise.resolve();
  return new Promise<void>((resolve) => {
    req.once('end', resolve);
    req.once('close', resolve);
  });
}

/** Writes a dispatcher result as an HTTP answer, honouring `dropAfterBytes` faults. */
export function writeResult(core: EmulatorCore, method: string, req: IncomingMessage, res: ServerResponse, result: DispatchResult): void {
  if (result.data && result.body.result === 0) {
    const d = result.data;
    const drop = core.faults.sendLimit(method, req.socket, d.length);
    const headers: Record<string, string | number> = { 'Content-Type': d.contentType, 'Content-Length': d.length };
    if (d.filename !== undefined) headers['Content-Disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(d.filename)}`;
    res.writeHead(200, headers);
    if (drop !== undefined) {
      void pumpWithLimit(d.stream, res, req.socket, drop);
    } else {
      sendBody(d.stream, res, d.length);
    }
    return;
  }
  if (result.data) result.data.stream.destroy();
  // a big listing comes in a few chunks (its kept parts are sent as they are, not copied into one buffer)
  const chunks = toJsonChunks(result.body);
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const headers: Record<string, string | number> = { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': length };
  const code = result.body.result;
  if (typeof code === 'number' && code !== 0) headers['X-Error'] = code;
  res.writeHead(200, headers);
  const drop = core.faults.sendLimit(method, req.socket, length);
  if (drop !== undefined) {
    void pumpWithLimit(Readable.from(chunks), res, req.socket, drop);
    return;
  }
  if (chunks.length === 1) {
    res.end(chunks[0]);
    return;
  }
  // written together (one writev) when the answer ends
  res.cork();
  for (const chunk of chunks) res.write(chunk);
  res.end();
}

/** A request head longer than this is handed to Node's parser as it is (which refuses it). */
const MAX_SNIFFED_HEAD = 64 * 1024;

/**
 * Whether a request head announces a body that only ends when the client
 * half-closes: pCloud reads a PUT without Content-Length (and not chunked)
 * that way, whatever the HTTP version.
 */
function bodyEndsAtHalfClose(head: string): boolean {
  const lines = head.split('\r\n');
  if (!/^PUT\s/.test(lines[0] ?? '')) return false;
  return !lines.slice(1).some((l) => /^\s*(content-length|transfer-encoding)\s*:/i.test(l));
}

/**
 * Rewrites such a head for Node's parser: the body is re-framed as chunks
 * (announced here) and the connection is closed after the answer, since
 * nothing can follow a body that ends at half-close.
 */
function rewriteHead(head: string): string {
  const lines = head.split('\r\n').filter((l, i) => i === 0 || !/^\s*connection\s*:/i.test(l));
  return `${lines.join('\r\n')}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
}

/**
 * Puts a half-close-ended body into chunked framing: what the client sends
 * after the head becomes chunks, and its half-close the last chunk. The HTTP
 * server reads this stream instead of the socket; answers go to the socket.
 */
function chunkedView(socket: Socket, head: string, rest: Buffer): Duplex {
  const chunk = (b: Buffer) => Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`, 'latin1'), b, Buffer.from('\r\n')]);
  const view = new Duplex({
    allowHalfOpen: true,
    read() {
      socket.resume();
    },
    write(data: Buffer, _enc, cb) {
      socket.write(data, cb);
    },
    final(cb) {
      socket.end(cb);
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  // what Node's HTTP server and the handlers read from a socket
  for (const k of ['remoteAddress', 'remotePort', 'remoteFamily', 'localAddress', 'localPort', 'encrypted'] as const) {
    Object.defineProperty(view, k, { get: () => (socket as unknown as Record<string, unknown>)[k] });
  }
  Object.assign(view, {
    // time limits apply to the real socket; its timeout reaches the HTTP server through the view
    setTimeout: (ms: number) => {
      socket.setTimeout(ms);
      return view;
    },
    setNoDelay: () => view,
    setKeepAlive: () => view,
  });
  socket.on('timeout', () => view.emit('timeout'));
  view.push(Buffer.from(rewriteHead(head), 'latin1'));
  if (rest.length > 0) view.push(chunk(rest));
  socket.on('data', (b: Buffer) => {
    if (b.length > 0 && !view.push(chunk(b))) socket.pause();
  });
  socket.on('end', () => {
    view.push(Buffer.from('0\r\n\r\n'));
    view.push(null);
  });
  socket.on('error', (e) => view.destroy(e));
  socket.on('close', () => view.destroy());
  return view;
}

/**
 * Lets an HTTP server read PUT bodies that end at half-close, as pCloud
 * does, and answer clients that half-close after their request.
 *
 * Node's parser takes a request without Content-Length or chunked encoding
 * as having no body, so the first request head of each connection is read
 * here: a PUT of that kind is handed to the server through `chunkedView`;
 * anything else gets the socket back untouched (bytes unshifted), so
 * keep-alive, pipelining and Node's fast path stay as they were. Only the
 * first request of a connection is looked at: a later one on a kept-alive
 * connection is framed by Node alone (a body that ends at half-close is
 * always the connection's last anyway, but a client would have to open a
 * new connection for it). `httpAllowHalfOpen` (a long-standing property of
 * Node's HTTP server) keeps a half-closed connection open until the answer
 * is written, then closes it; `allowHalfOpen` (the `net.Server` option)
 * does the same for the TLS sockets under an HTTPS server.
 */
export function readBodiesToHalfClose(server: Server, headerTimeoutMs: number = DEFAULT_TIME_LIMITS.header): void {
  // an HTTP server's sockets are half-open already; TLS ones only when asked
  Object.assign(server, { httpAllowHalfOpen: true, allowHalfOpen: true });
  const event = server instanceof TlsServer ? 'secureConnection' : 'connection';
  const [nodeListener] = server.listeners(event) as ((s: Duplex) => void)[];
  if (!nodeListener) throw new Error('readBodiesToHalfClose: the server has no connection listener');
  server.removeListener(event, nodeListener);
  server.prependListener(event, (socket: Socket) => {
    let head = Buffer.alloc(0);
    const handOver = (stream: Duplex) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      clearTimeout(headTimer);
      nodeListener.call(server, stream);
    };
    const onData = (b: Buffer) => {
      head = Buffer.concat([head, b]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0 && head.length < MAX_SNIFFED_HEAD) return;
      socket.pause();
      const text = end < 0 ? '' : head.toString('latin1', 0, end);
      if (end >= 0 && bodyEndsAtHalfClose(text)) {
        handOver(chunkedView(socket, text, head.subarray(end + 4)));
        return;
      }
      // the bytes go back in front of the stream; Node's server reads them
      // once the socket flows again (new bytes go straight to its parser)
      socket.unshift(head);
      handOver(socket);
      socket.resume();
    };
    // the client half-closed (or went away) before a whole request head: nothing to answer
    const onEnd = () => socket.destroy();
    socket.on('data', onData);
    socket.once('end', onEnd);
    // the first request head must be complete in time, however slowly its bytes come
    const headTimer = setTimeout(() => socket.destroy(), headerTimeoutMs > 0 ? headerTimeoutMs : 2 ** 31 - 1);
    headTimer.unref();
    socket.once('close', () => clearTimeout(headTimer));
  });
}

export { errorMessage };
