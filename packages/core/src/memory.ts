/**
 * A transport that never leaves the process: for unit tests of plugins,
 * middleware and apps. It records every request and answers through a
 * function the test gives.
 */
import { AbortError } from './errors.js';
import type { DataResponse, HostKind, Transport, TransportRequest, TransportResponse } from './types.js';
import { isBlob, isReadableStream, toBytes } from './upload-source.js';

/**
 * What `answer` may give back: a JSON answer object (`{ result: 0, ... }` or
 * an error answer such as `{ result: 2009, error: '...' }`); bytes, a string,
 * a Blob or a web stream for a data answer; or an Error, which the call
 * throws (throwing from `answer` does the same).
 */
export type MemoryAnswer = Record<string, unknown> | Uint8Array | string | Blob | ReadableStream<Uint8Array> | Error;

export interface MemoryTransportOptions {
  /** Answers one request. Default: `{ result: 0 }` for every call. */
  answer?(request: TransportRequest): MemoryAnswer | Promise<MemoryAnswer>;
  /** Transport name. Default `memory`. */
  name?: string;
  /** Which host list the client gives it. Default `api`. */
  hostKind?: HostKind;
}

export interface MemoryTransport extends Transport {
  /** Every request that reached the transport, in order (params copied as they arrived). */
  readonly requests: TransportRequest[];
  /** True once `close()` was called. */
  readonly closed: boolean;
}

function dataResponse(answer: Uint8Array | string | Blob | ReadableStream<Uint8Array>): DataResponse {
  if (isReadableStream(answer)) return { body: answer };
  if (isBlob(answer)) return { body: answer.stream(), length: answer.size, contentType: answer.type || undefined };
  const bytes = toBytes(answer);
  return {
    body: new ReadableStream({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    }),
    length: bytes.byteLength,
  };
}

function toResponse(answer: MemoryAnswer, host: string): TransportResponse {
  if (answer instanceof Error) throw answer;
  if (typeof answer === 'string' || answer instanceof Uint8Array || isBlob(answer) || isReadableStream(answer)) {
    return { result: { result: 0 }, data: dataResponse(answer), host };
  }
  if (!answer || typeof answer !== 'object')
    throw new TypeError(`memoryTransport: answer gave ${String(answer)}, not an answer object, data or an Error`);
  return { result: answer, host };
}

/**
 * Creates an in-memory transport. Calls whose signal fires before `answer`
 * settles reject with `AbortError`, as a real transport would.
 *
 * ```ts
 * const transport = memoryTransport({ answer: (req) => (req.method === 'userinfo' ? { result: 0, email: 'a@b.c' } : { result: 2000, error: 'Log in failed.' }) });
 * const client = createClient({ transport, auth: { accessToken: 't' } });
 * await client.call('userinfo');
 * transport.requests[0]!.bearer; // 't'
 * ```
 */
export function memoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const requests: TransportRequest[] = [];
  const answer = options.answer ?? (() => ({ result: 0 }));
  let closed = false;
  return {
    name: options.name ?? 'memory',
    hostKind: options.hostKind ?? 'api',
    requests,
    get closed() {
      return closed;
    },
    async call(request) {
      requests.push({ ...request, params: { ...request.params } });
      const { signal } = request;
      if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
      const answered = Promise.resolve().then(() => answer(request));
      if (!signal) return toResponse(await answered, request.host);
      answered.catch(() => {}); // when the abort wins, a late failure must not go unhandled
      let onAbort!: () => void;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(new AbortError(undefined, { cause: signal.reason }));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return toResponse(await Promise.race([answered, aborted]), request.host);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      closed = true;
    },
  };
}
