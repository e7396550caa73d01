/**
 * Plain protocol clients, one connection per call so that no login sticks
 * from one call to the next: HTTP JSON through undici with core's exact
 * JSON parser, and pCloud's binary protocol through the codec of
 * @pcloudkit/transport-binary over a raw socket.
 */
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { parseJson } from '@pcloudkit/core';
import { decodeTree, encodeRequest, readFrameLength, totalDataLength } from '@pcloudkit/transport-binary';
import { request } from 'undici';
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
export async function httpCall(api: string, method: string, params: Record<string, Value>, options: CallOptions = {}): Promise<Answer> {
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
      reset: true,
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
export function binaryCall(
  binapi: string,
  method: string,
  params: Record<string, Value>,
  options: CallOptions & { tls?: boolean } = {},
): Promise<Answer> {
  const colon = binapi.lastIndexOf(':');
  const host = binapi.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(binapi.slice(colon + 1));
  const head = encodeRequest(method, params, options.payload ? { dataLength: options.payload.length, forceDataBit: true } : {});
  return new Promise((resolve) => {
    const socket = options.tls ? connectTls({ host, port, servername: host }) : connect({ host, port });
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (answer: Answer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ kind: 'dropped', reason: 'no answer in time' }), options.timeoutMs ?? DEFAULT_TIMEOUT);
    socket.on(options.tls ? 'secureConnect' : 'connect', () => {
      socket.write(head);
      if (options.payload) socket.write(options.payload);
    });
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      try {
        const len = readFrameLength(buffered);
        if (len === undefined || buffered.length < 4 + len) return;
        const tree = decodeTree(buffered.subarray(4, 4 + len));
        const dataLength = Number(totalDataLength(tree.data));
        if (buffered.length < 4 + len + dataLength) return;
        finish({
          kind: 'body',
          body: tree.value,
          ...(tree.data.length > 0 ? { data: new Uint8Array(buffered.subarray(4 + len, 4 + len + dataLength)) } : {}),
        });
      } catch (e) {
        finish({ kind: 'dropped', reason: `undecodable answer: ${(e as Error).message}` });
      }
    });
    socket.on('error', (e) => finish({ kind: 'dropped', reason: e.message }));
    socket.on('close', () => finish({ kind: 'dropped', reason: 'connection closed without an answer' }));
  });
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
