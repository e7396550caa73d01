import { ProtocolError, TransportError, ValidationError, hostOrigin, parseJson, wirePairs } from './core.js';
import type { Transport, TransportRequest, TransportResponse } from './core.js';
import { bodyTimeoutError, snippet, toCoreError } from './errors.js';
import { guardStream } from './streams.js';
import { type PreparedFile, prepareFile, progressReporter } from './upload.js';
import { hasXhr, xhrSend } from './xhr.js';

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
}

const METHOD_NAME = /^[A-Za-z0-9_]+$/;
const JSON_TYPE = /^(application|text)\/(json|javascript)|\+json/i;
/** Largest JSON-typed data answer that is checked for pCloud's error shape. */
const SNIFF_LIMIT = 64 * 1024;

/** Parses a JSON answer and checks it is an object with a numeric `result`. */
function decodeAnswer(text: string, status: number, contentType: string | undefined, request: TransportRequest, origin: string) {
  const where = `${request.method} on ${origin} (HTTP ${status}${contentType ? `, ${contentType}` : ''})`;
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    throw new ProtocolError(
      text.length === 0
        ? `${where}: empty answer where JSON was expected`
        : `${where}: answer is not valid JSON: ${snippet(text, request.params, request.bearer)}`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ProtocolError(`${where}: answer is JSON but not an object: ${snippet(text, request.params, request.bearer)}`);
  const result = (value as Record<string, unknown>).result;
  if (typeof result !== 'number' || !Number.isInteger(result))
    throw new ProtocolError(`${where}: answer has no numeric "result": ${snippet(text, request.params, request.bearer)}`);
  return value as Record<string, unknown>;
}

/** A pCloud error answer (object with a non-zero integer `result`), or undefined. */
function errorAnswer(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = parseJson(new TextDecoder().decode(bytes));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const result = (value as Record<string, unknown>).result;
      if (typeof result === 'number' && Number.isInteger(result) && result !== 0) return value as Record<string, unknown>;
    }
  } catch {
    // not JSON: it is data
  }
  return undefined;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * Creates the HTTP JSON transport over the standard `fetch`. Calls become
 * `GET /<method>?<params>` (or a url-encoded POST above `postThreshold`),
 * uploads a `FormData` POST or a PUT, data answers a web stream. It imports
 * nothing from Node, so it runs wherever `fetch` does. No retries, auth or
 * validation here: the client does those.
 */
export function fetchTransport(options: FetchTransportOptions = {}): Transport {
  const postThreshold = options.postThreshold ?? 2000;
  const uploadMethod = options.uploadMethod ?? 'multipart';
  if (uploadMethod !== 'multipart' && uploadMethod !== 'put')
    throw new TypeError(`uploadMethod must be 'multipart' or 'put', not ${String(uploadMethod)}`);
  const useXhr = options.xhrUploads ?? true;
  let closed = false;

  async function call(request: TransportRequest): Promise<TransportResponse> {
    const { method, signal } = request;
    if (closed) throw new TransportError('fetch: the transport is closed', { host: request.host, network: true });
    if (typeof method !== 'string' || !METHOD_NAME.test(method))
      throw new ValidationError(String(method), 'method', `invalid method name ${JSON.stringify(method)}`);
    if (signal?.aborted) throw toCoreError(signal.reason, request.host, signal, method);
    if (request.definition?.connectionBound)
      throw new ValidationError(
        method,
        'transport',
        `${method} must travel on one connection (fileops descriptors live on it), which fetch cannot promise: use @pcloudkit/transport-http or @pcloudkit/transport-binary`,
      );
    const doFetch = options.fetch ?? globalThis.fetch;
    if (typeof doFetch !== 'function') throw new TransportError('fetch: this runtime has no fetch', { host: request.host, network: true });
    const origin = hostOrigin(request.host);

    let pairs: Array<[string, string]>;
    try {
      pairs = wirePairs(request.params);
    } catch (error) {
      throw new ValidationError(method, 'params', (error as Error).message);
    }
    const headers: Record<string, string> = { ...options.headers };
    if (request.bearer) headers.authorization = `Bearer ${request.bearer}`;

    let httpMethod: 'GET' | 'POST' | 'PUT' = 'GET';
    let query = new URLSearchParams(pairs).toString();
    let body: string | FormData | Blob | undefined;
    let uploadTotal: number | undefined;

    const files = request.files ?? [];
    const payloadUpload = request.definition?.payloadUpload === true;
    if (files.length > 0) {
      if (payloadUpload && files.length !== 1)
        throw new ValidationError(method, 'files', `${method} carries exactly one payload, got ${files.length} files`);
      if (uploadMethod === 'put' && files.length !== 1)
        throw new ValidationError(method, 'files', `a PUT upload carries exactly one file, got ${files.length}`);
      let prepared: PreparedFile[];
      try {
        prepared = await Promise.all(files.map((f) => prepareFile(f, payloadUpload)));
      } catch (error) {
        throw new ValidationError(method, 'files', (error as Error).message);
      }
      if (signal?.aborted) throw toCoreError(signal.reason, origin, signal, method);
      uploadTotal = prepared.reduce((n, f) => n + f.blob.size, 0);
      if (uploadMethod === 'put' || payloadUpload) {
        const file = prepared[0]!;
        httpMethod = 'PUT';
        if (!payloadUpload && !pairs.some(([k]) => k === 'filename'))
          query = new URLSearchParams([...pairs, ['filename', file.name]]).toString();
        headers['content-type'] = file.contentType;
        body = file.blob;
      } else {
        httpMethod = 'POST';
        const form = new FormData();
        for (const [k, v] of pairs) form.append(k, v);
        // pCloud reads the params before the first file: files go last.
        for (const file of prepared) form.append('file', file.blob, file.name);
        body = form;
        query = '';
      }
    } else if (query.length > postThreshold) {
      httpMethod = 'POST';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = query;
      query = '';
    }
    const url = `${origin}/${method}${query ? `?${query}` : ''}`;

    // Upload progress: XMLHttpRequest where it exists, else only the start and the end.
    const report = uploadTotal !== undefined ? progressReporter(uploadTotal, request.onUploadProgress) : undefined;
    report?.(0);
    if (
      report &&
      request.onUploadProgress &&
      useXhr &&
      hasXhr() &&
      request.responseType === 'json' &&
      body !== undefined &&
      typeof body !== 'string'
    ) {
      let answer: Awaited<ReturnType<typeof xhrSend>>;
      try {
        answer = await xhrSend(url, httpMethod, headers, body, signal, (sent, total) =>
          report(total > 0 ? Math.round((sent / total) * uploadTotal!) : 0),
        );
      } catch (error) {
        throw toCoreError(error, origin, signal, method, true);
      }
      report(uploadTotal!);
      const type = answer.header('content-type');
      return { result: decodeAnswer(answer.text, answer.status, type, request, origin), host: request.host };
    }

    let response: Response;
    try {
      response = await doFetch(url, {
        method: httpMethod,
        headers,
        ...(body !== undefined ? { body } : {}),
        ...(signal ? { signal } : {}),
        redirect: 'follow',
      });
    } catch (error) {
      throw toCoreError(error, origin, signal, method, true);
    }
    report?.(uploadTotal!);

    const status = response.status;
    const contentType = response.headers.get('content-type') ?? undefined;
    const xError = response.headers.get('x-error');
    const jsonType = contentType !== undefined && JSON_TYPE.test(contentType);

    if (request.responseType === 'data' && xError === null) {
      if (status >= 400 && !jsonType) {
        const text = await response.text().catch(() => '');
        throw new ProtocolError(
          `${method} on ${origin} (HTTP ${status}${contentType ? `, ${contentType}` : ''}): data answer failed without a JSON error: ${snippet(text, request.params, request.bearer)}`,
        );
      }
      if (!response.body) {
        return {
          result: { result: 0 },
          data: { body: new Blob([]).stream(), length: 0, ...(contentType ? { contentType } : {}) },
          host: request.host,
        };
      }
      const reader = response.body.getReader();
      const mapError = (error: unknown) => toCoreError(error, origin, signal, `reading the data of ${method}`);
      const head: Uint8Array[] = [];
      if (jsonType) {
        // A stored .json file is served as JSON too: only a small body with pCloud's error shape is an error answer.
        let size = 0;
        let ended = false;
        try {
          while (size <= SNIFF_LIMIT) {
            const next = await reader.read();
            if (next.done) {
              ended = true;
              break;
            }
            head.push(next.value);
            size += next.value.byteLength;
          }
        } catch (error) {
          throw mapError(error);
        }
        const answer = ended ? errorAnswer(concat(head)) : undefined;
        if (answer) return { result: answer, host: request.host };
      }
      const lengthText = response.headers.get('content-length');
      const length = lengthText !== null && /^\d+$/.test(lengthText) ? Number(lengthText) : undefined;
      const ms = request.bodyTimeout;
      const stream = guardStream(reader, {
        mapError,
        head,
        ...(ms !== undefined ? { idle: { ms, error: () => bodyTimeoutError(ms, method) } } : {}),
      });
      return {
        result: { result: 0 },
        data: { body: stream, ...(length !== undefined ? { length } : {}), ...(contentType ? { contentType } : {}) },
        host: request.host,
      };
    }

    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw toCoreError(error, origin, signal, `reading the answer of ${method}`);
    }
    return { result: decodeAnswer(text, status, contentType, request, origin), host: request.host };
  }

  async function close(): Promise<void> {
    closed = true;
  }

  return { name: 'fetch', hostKind: 'api', call, close };
}
