/**
 * Plain protocol clients, one connection per call so that no login sticks
 * from one call to the next: HTTP JSON through undici with core's exact
 * JSON parser, and pCloud's binary protocol through the codec of
 * @pcloudkit/transport-binary over a raw socket. Sessions keep one
 * connection for several calls (an HTTP keep-alive connection, one binary
 * socket), for the methods whose state lives on a connection (fileops
 * descriptors).
 */
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { parseJson } from '@pcloudkit/core';
import { decodeTree, encodeRequest, readFrameLength, totalDataLength } from '@pcloudkit/transport-binary';
import { Client, type Dispatcher, request } from 'undici';
import type { Value } from './cases.js';

export type Protocol = 'http' | 'binary';

/** One answer: the JSON (or binary tree) object, or that the server dropped the connection. */
export type Answer =
  | {
      kind: 'body';
      body: Record<string, unknown>;
      /** Bytes of a data answer. */
      data?: Uint8Array;
      /** HTTP only: the `X-Error` header, when there is one. */
      xError?: string;
    }
  | { kind: 'dropped'; reason: string };

export interface CallOptions {
  /** Bytes sent with the request (uploads). */
  payload?: Uint8Array;
  /**
   * HTTP only: send the payload as a multipart/form-data POST (params as
   * fields, then one file part named after the `filename` param) instead of
   * a PUT.
   */
  multipart?: boolean;
  timeoutMs?: number;
}

/** HTTP only: the connection to send on (a session's); without it each call has a connection of its own. */
interface HttpCallOptions extends CallOptions {
  dispatcher?: Dispatcher;
}

export interface Endpoints {
  /** Base URL of the HTTP JSON API, e.g. `http://127.0.0.1:8080`. */
  api: string;
  /** `host:port` of the binary port. */
  binapi: string;
  /** The binary port speaks TLS (pCloud's binapi hosts on port 443). */
  binapiTls?: boolean;
}

const DEFAULT_TIMEOUT = 15_000;

const text = (v: Value) => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/** Calls a method over HTTP JSON (GET; with a payload PUT, or a multipart POST). */
export async function httpCall(api: string, method: string, params: Record<string, Value>, options: HttpCallOptions = {}): Promise<Answer> {
  const url = new URL(`${api.replace(/\/$/, '')}/${method}`);
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT;
  let body: Buffer | undefined;
  let contentType: string | undefined;
  if (options.payload && options.multipart) {
    const form = new FormData();
    for (const [k, v] of Object.entries(params)) if (k !== 'filename') form.append(k, text(v));
    form.append('file', new Blob([Buffer.from(options.payload)]), String(params.filename ?? 'upload.bin'));
    // serialised by the platform's own Response: undici's request() accepts only the FormData class of one
    // undici copy (the package's on Node 20, Node's own on Node 24), so it gets plain bytes
    const encoded = new Response(form);
    body = Buffer.from(await encoded.arrayBuffer());
    contentType = encoded.headers.get('content-type') ?? undefined;
  } else {
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, text(v));
    if (options.payload) body = Buffer.from(options.payload);
  }
  try {
    const res = await request(url, {
      method: contentType ? 'POST' : body ? 'PUT' : 'GET',
      ...(body ? { body } : {}),
      ...(contentType ? { headers: { 'content-type': contentType } } : {}),
      // a call of its own closes its connection; a session's keeps it open for the next call
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : { reset: true }),
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    const bytes = new Uint8Array(await res.body.arrayBuffer());
    const type = String(res.headers['content-type'] ?? '');
    if (type.includes('json')) {
      const body = parseJson(Buffer.from(bytes).toString('utf8'));
      if (!body || typeof body !== 'object' || Array.isArray(body)) return { kind: 'dropped', reason: 'the answer is not a JSON object' };
      const xError = res.headers['x-error'];
      return { kind: 'body', body: body as Record<string, unknown>, ...(xError !== undefined ? { xError: String(xError) } : {}) };
    }
    return { kind: 'body', body: { result: 0 }, data: bytes };
  } catch (e) {
    return { kind: 'dropped', reason: (e as Error).message };
  }
}

/** Calls a method over the binary protocol on a fresh connection. */
export async function binaryCall(
  binapi: string,
  method: string,
  params: Record<string, Value>,
  options: CallOptions & { tls?: boolean } = {},
): Promise<Answer> {
  const connection = new BinaryConnection(binapi, options.tls ?? false);
  try {
    return await connection.call(method, params, options);
  } finally {
    connection.close();
  }
}

/**
 * One binary-protocol socket that takes calls one after another: each call
 * writes its request and waits for its answer (tree, then its data). A call
 * with no answer in time, or a connection that ends, gives `dropped`, for
 * this call and every later one.
 */
class BinaryConnection {
  private readonly socket;
  private readonly ready: Promise<void>;
  private buffered = Buffer.alloc(0);
  /** Why the connection is unusable, once it is. */
  private ended: string | undefined;
  /** The call waiting for its answer. */
  private waiting: ((answer: Answer) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(binapi: string, tls: boolean) {
    const colon = binapi.lastIndexOf(':');
    const host = binapi.slice(0, colon).replace(/^\[|\]$/g, '');
    const port = Number(binapi.slice(colon + 1));
    const socket = tls ? connectTls({ host, port, servername: host }) : connect({ host, port });
    this.socket = socket;
    this.ready = new Promise<void>((resolve) => {
      socket.once(tls ? 'secureConnect' : 'connect', () => resolve());
      // a connection that never comes up: the waiting call (or the next one) sees why
      socket.once('close', () => resolve());
    });
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
    socket.on('error', (e) => this.end(e.message));
    socket.on('close', () => this.end('connection closed without an answer'));
  }

  /** Makes one call once the earlier ones have their answers. */
  call(method: string, params: Record<string, Value>, options: CallOptions = {}): Promise<Answer> {
    const run = this.queue.then(() => this.exchange(method, params, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exchange(method: string, params: Record<string, Value>, options: CallOptions): Promise<Answer> {
    const head = encodeRequest(method, params, options.payload ? { dataLength: options.payload.length, forceDataBit: true } : {});
    await this.ready;
    if (this.ended !== undefined) return { kind: 'dropped', reason: this.ended };
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => {
        this.end('no answer in time');
        this.socket.destroy();
      }, options.timeoutMs ?? DEFAULT_TIMEOUT);
      this.waiting = (answer) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(answer);
      };
      this.socket.write(head);
      if (options.payload) this.socket.write(options.payload);
      this.parse();
    });
  }

  /** Hands a complete answer in the buffer to the waiting call. */
  private parse(): void {
    if (!this.waiting || this.ended !== undefined) return;
    try {
      const len = readFrameLength(this.buffered);
      if (len === undefined || this.buffered.length < 4 + len) return;
      const tree = decodeTree(this.buffered.subarray(4, 4 + len));
      const dataLength = Number(totalDataLength(tree.data));
      if (this.buffered.length < 4 + len + dataLength) return;
      const data = tree.data.length > 0 ? new Uint8Array(this.buffered.subarray(4 + len, 4 + len + dataLength)) : undefined;
      this.buffered = this.buffered.subarray(4 + len + dataLength);
      this.waiting({ kind: 'body', body: tree.value, ...(data ? { data } : {}) });
    } catch (e) {
      this.end(`undecodable answer: ${(e as Error).message}`);
      this.socket.destroy();
    }
  }

  private end(reason: string): void {
    if (this.ended !== undefined) return;
    this.ended = reason;
    this.waiting?.({ kind: 'dropped', reason });
  }

  close(): void {
    this.end('the session was closed');
    this.socket.destroy();
  }
}

/** Calls on one connection, one after another (see {@link openSession}). */
export interface Session {
  call(method: string, params: Record<string, Value>, options?: CallOptions): Promise<Answer>;
  close(): Promise<void>;
}

/**
 * One connection for several calls: a binary socket, or a single HTTP
 * keep-alive connection (an undici `Client`, which holds one socket). State
 * that pCloud keeps per connection (file descriptors, a login) carries from
 * one call to the next, as it does for an SDK's dedicated connection.
 */
export function openSession(endpoints: Endpoints, protocol: Protocol): Session {
  if (protocol === 'binary') {
    const connection = new BinaryConnection(endpoints.binapi, endpoints.binapiTls ?? false);
    return {
      call: (method, params, options) => connection.call(method, params, options),
      close: async () => connection.close(),
    };
  }
  const origin = new URL(endpoints.api).origin;
  const client = new Client(origin, { pipelining: 1 });
  return {
    call: (method, params, options = {}) => httpCall(endpoints.api, method, params, { ...options, dispatcher: client }),
    close: () => client.destroy(),
  };
}

/** Calls a method over the given protocol. */
export function call(
  endpoints: Endpoints,
  protocol: Protocol,
  method: string,
  params: Record<string, Value>,
  options: CallOptions = {},
): Promise<Answer> {
  return protocol === 'http'
    ? httpCall(endpoints.api, method, params, options)
    : binaryCall(endpoints.binapi, method, params, { ...options, ...(endpoints.binapiTls ? { tls: true } : {}) });
}
