import { AbortError, ProtocolError, TransportError, ValidationError, hostOrigin, parseJson, wirePairs } from './core.js';
import type { Transport, TransportRequest, TransportResponse } from './core.js';

/** Options of {@link fetchTransport}. Every one is optional. */
export interface FetchTransportOptions {
  /** The `fetch` to use. Default: `globalThis.fetch`, looked up at each call. */
  fetch?: typeof fetch;
  /**
   * Length in bytes of the encoded params above which a call is sent as a
   * POST with an `application/x-www-form-urlencoded` body instead of a GET.
   * Default `2000`.
   */
  postThreshold?: number;
  /**
   * How files are uploaded. `multipart` (default): one multipart/form-data
   * POST built with `FormData`, params first, the files last. `put`: a PUT
   * whose body is the single file, every param in the query string (`filename`
   * added from the file name unless given). Methods whose definition has
   * `payloadUpload` always go as a PUT of the bare bytes.
   */
  uploadMethod?: 'multipart' | 'put';
  /**
   * Whether an upload that asks for progress goes through `XMLHttpRequest`
   * where the runtime has it (browsers), since fetch cannot report how much of
   * a request body was sent. Default `true`.
   */
  xhrUploads?: boolean;
  /** Extra headers sent with every request (each one may cost a CORS preflight in browsers). */
  headers?: Record<string, string>;
  /** Largest JSON answer read, in bytes; a longer one fails with `AnswerTooLargeError`. Default 64 MiB. */
  maxAnswerBytes?: number;
}

const METHOD_NAME = /^[A-Za-z0-9_]+$/;

/**
 * Parses a JSON answer and checks it is an object with a numeric `result`;
 * anything else is a `ProtocolError`, whose message is built by code loaded
 * on the first one.
 */
export async function decodeAnswer(
  text: string,
  status: number,
  contentType: string | undefined,
  request: TransportRequest,
  origin: string,
): Promise<Record<string, unknown>> {
  try {
    const value = parseJson(text) as Record<string, unknown> | null;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Number.isInteger(value.result)) return value;
  } catch {
    // described below
  }
  const errors = await errorsModule();
  throw errors
    ? errors.badAnswer(text, status, contentType, request, origin)
    : new ProtocolError(`${request.method} on ${origin}: the answer is not a pCloud JSON object`);
}

/** What the upload module needs from the transport that loaded it. */
export interface CallContext {
  request: TransportRequest;
  origin: string;
  pairs: Array<[string, string]>;
  headers: Record<string, string>;
  uploadMethod: 'multipart' | 'put';
  useXhr: boolean;
  /** Sends the request with fetch and reads the answer; `sent` runs once fetch has an answer. */
  send(url: string, method: string, body: BodyInit | undefined, sent?: () => void): Promise<TransportResponse>;
}

/**
 * Creates the HTTP JSON transport over the standard `fetch`. Calls become
 * `GET /<method>?<params>` (or a url-encoded POST above `postThreshold`),
 * uploads a `FormData` POST or a PUT, data answers a web stream. It imports
 * nothing from Node, so it runs wherever `fetch` does. No retries, auth or
 * validation here: the client does those. The code for uploads and for data
 * answers is loaded the first time one is made, so apps that only call JSON
 * methods do not carry it.
 */
export function fetchTransport(options: FetchTransportOptions = {}): Transport {
  const postThreshold = options.postThreshold ?? 2000;
  const uploadMethod = options.uploadMethod ?? 'multipart';
  if (uploadMethod !== 'multipart' && uploadMethod !== 'put')
    throw new TypeError(`uploadMethod: 'multipart' or 'put', not ${String(uploadMethod)}`);
  const useXhr = options.xhrUploads ?? true;
  const maxAnswerBytes = options.maxAnswerBytes ?? 2 ** 26; // 64 MiB
  let closed = false;

  async function call(request: TransportRequest): Promise<TransportResponse> {
    const { method, signal } = request;
    if (closed) throw new TransportError('fetch: transport closed', { host: request.host, network: true });
    if (typeof method !== 'string' || !METHOD_NAME.test(method))
      throw new ValidationError(String(method), 'method', `invalid method name ${JSON.stringify(method)}`);
    if (signal?.aborted) throw await failure(signal.reason, request.host, signal, method);
    if (request.definition?.connectionBound)
      throw new ValidationError(method, 'transport', `${method} needs one connection (fileops): use transport-http or transport-binary`);
    const doFetch = options.fetch ?? globalThis.fetch;
    if (typeof doFetch !== 'function') throw new TransportError('fetch: no global fetch', { host: request.host, network: true });
    const origin = hostOrigin(request.host);

    let pairs: Array<[string, string]>;
    try {
      pairs = wirePairs(request.params);
    } catch (error) {
      throw new ValidationError(method, 'params', (error as Error).message);
    }
    const headers: Record<string, string> = { ...options.headers };
    if (request.bearer) headers.authorization = `Bearer ${request.bearer}`;

    async function send(url: string, httpMethod: string, body: BodyInit | undefined, sent?: () => void): Promise<TransportResponse> {
      let response: Response;
      try {
        response = await doFetch(url, {
          method: httpMethod,
          headers,
          ...(body !== undefined ? { body } : {}),
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        throw await failure(error, origin, signal, method, true);
      }
      sent?.();
      const contentType = response.headers.get('content-type') ?? undefined;
      if (request.responseType === 'data' && response.headers.get('x-error') === null) {
        // Data answers (downloads, thumbnails, archives) are streamed by code loaded on the first one.
        return (await load(import('./data.js'), origin)).dataAnswer(response, request, origin, contentType);
      }
      let text: string;
      try {
        // within an announced maxAnswerBytes: read at once; otherwise counted by code loaded then
        // (read whole only if that code cannot be loaded)
        text =
          +(response.headers.get('content-length') ?? NaN) <= maxAnswerBytes
            ? await response.text()
            : await import('./data.js').then(
                (m) => m.cappedText(response, maxAnswerBytes, method, origin),
                () => response.text(),
              );
      } catch (error) {
        throw await failure(error, origin, signal, `reading the answer of ${method}`);
      }
      return { result: await decodeAnswer(text, response.status, contentType, request, origin), host: request.host };
    }

    if (request.files?.length) {
      // Upload code (file reading, FormData, XMLHttpRequest) is loaded on the first upload.
      return (await load(import('./upload.js'), origin)).sendUpload({ request, origin, pairs, headers, uploadMethod, useXhr, send });
    }
    const query = new URLSearchParams(pairs).toString();
    if (query.length > postThreshold) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      return send(`${origin}/${method}`, 'POST', query);
    }
    return send(`${origin}/${method}${query ? `?${query}` : ''}`, 'GET', undefined);
  }

  async function close(): Promise<void> {
    closed = true;
  }

  return { name: 'fetch', hostKind: 'api', call, close };
}

/**
 * The error a failed fetch or body read ends the call with (see
 * `toCoreError`). The code that tells failures apart is loaded on the first
 * failure; if even that cannot be loaded (a split bundle while the network is
 * down), the failure is a network one, as a browser's failed fetch is.
 */
export async function failure(
  error: unknown,
  origin: string,
  signal: AbortSignal | undefined,
  what: string,
  beforeAnswer = false,
): Promise<Error> {
  const errors = await errorsModule();
  if (errors) return errors.toCoreError(error, origin, signal, what, beforeAnswer);
  if (signal?.aborted) return new AbortError(`${what} was aborted`, { cause: signal.reason ?? error });
  return new TransportError(`${what} to ${origin} failed: ${String(error)}`, { cause: error, host: origin, network: beforeAnswer });
}

/** errors.js, loaded on the first failure; `undefined` when it cannot be loaded (a split bundle while the network is down). */
const errorsModule = () => import('./errors.js').catch(() => undefined);

/**
 * A lazily loaded part of this package. In a bundle split into chunks the
 * browser fetches it then, which fails when the network is down: that is a
 * network failure of the call (`TransportError`), as the request itself
 * would have been.
 */
function load<T>(module: Promise<T>, origin: string): Promise<T> {
  return module.catch((error: unknown) => {
    throw new TransportError(`could not load a part of @pcloudkit/transport-fetch: ${String(error)}`, { cause: error, host: origin });
  });
}
