import type { ConnectionOptions } from 'node:tls';
import { Agent, Client, type Dispatcher } from 'undici';
import {
  AnswerTooLargeError,
  CALL_LIMIT,
  DEFAULT_MAX_ANSWER_BYTES,
  DeadlineLimit,
  ProtocolError,
  TransportError,
  ValidationError,
  concatBytes,
  errorAnswer,
  parseJson,
  readHead,
} from './core.js';
import type { Transport, TransportRequest, TransportResponse, WireValue } from './core.js';
import { encodeParams } from './encode.js';
import { hostOrigin, loginKey, wirePairs } from './core.js';
import { closedBeforeAnswer, snippet, toCoreError } from './errors.js';
import { bodyIdleLimit, toWebStream } from './streams.js';
import { ProgressCounter, multipartBody, prepareFile, putBody, type PreparedFile } from './upload.js';

/** TLS settings passed to every connect, e.g. `{ rejectUnauthorized: false }` for a self-signed test server. */
export type TlsOptions = Pick<
  ConnectionOptions,
  | 'rejectUnauthorized'
  | 'ca'
  | 'cert'
  | 'key'
  | 'pfx'
  | 'passphrase'
  | 'servername'
  | 'minVersion'
  | 'maxVersion'
  | 'ciphers'
  | 'checkServerIdentity'
>;

/** Options of {@link httpTransport}. Every one is optional. */
export interface HttpTransportOptions {
  /**
   * Most sockets kept open to one origin for one set of credentials. Default
   * `8`. Calls with different credentials (or none) never share a socket: a
   * server with sticky logins runs every request of a keep-alive socket as
   * its first login.
   */
  connections?: number;
  /**
   * Requests written onto one socket before the first answer arrives. Default
   * `1` (no pipelining). pCloud answers pipelined requests in order, so higher
   * values are safe for reads; undici pipelines only GET requests.
   */
  pipelining?: number;
  /**
   * Milliseconds an idle socket is kept open for reuse. Default `4000` (undici's default); the
   * dedicated sockets of a `connectionKey` stay at least 60000 (their file descriptors die with them).
   */
  keepAliveTimeout?: number;
  /** Milliseconds to wait for the answer's headers after the request was sent. Default `300000`. */
  headersTimeout?: number;
  /**
   * Milliseconds undici allows between two chunks of any answer body, an
   * outer bound. A data answer is also held to the call's own `bodyTimeout`
   * (client option, 30 s by default), which fails with `TimeoutError`.
   * Default `300000`.
   */
  bodyTimeout?: number;
  /** TLS options for every connect. Default: Node's defaults (certificates verified). */
  tls?: TlsOptions;
  /**
   * Your own undici `Dispatcher` (Agent, Pool, ProxyAgent, MockAgent...). When
   * given, the options above that configure connections are ignored, every
   * call (including ones with a `connectionKey` or a connection-bound
   * definition, which otherwise keep to one socket of their own) goes through it, and
   * `close()` leaves it open: it is yours to close. Its sockets are shared by
   * every call whatever its credentials: against a server that keeps the
   * first login of a keep-alive socket, give each user a transport of its own.
   * Default: one `Agent` per set of credentials, created on first use and
   * destroyed in `close()`.
   */
  dispatcher?: Dispatcher;
  /**
   * Length in bytes of the encoded params above which a call is sent as a
   * POST with an `application/x-www-form-urlencoded` body instead of a GET.
   * Default `2000`, well below the URL limits of servers and proxies.
   */
  postThreshold?: number;
  /** `User-Agent` header. Default `pcloudkit-transport-http`. */
  userAgent?: string;
  /**
   * How files are uploaded. `multipart` (default): one multipart/form-data
   * POST, params as leading form fields, one part per file. `put`: a PUT whose
   * body is the single file, with every param in the query string (the file
   * name is added as `filename` unless the params already have one); only one
   * file per call. Methods whose definition has `payloadUpload` (fileops
   * writes) always go as a PUT of the bare bytes, without a file name.
   */
  uploadMethod?: 'multipart' | 'put';
  /**
   * Largest JSON answer read, in bytes (announced by Content-Length or
   * received). A longer one fails with `AnswerTooLargeError` and its
   * connection is dropped. Data answers (downloads) are streams and have no
   * cap. Default 64 MiB.
   */
  maxAnswerBytes?: number;
}

/** What this transport reads of a call's signal: an `AbortSignal`, or a call {@link DeadlineLimit}, which answers the same two. */
interface CallSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
}

function isLimit(signal: CallSignal | undefined): signal is DeadlineLimit {
  return signal instanceof DeadlineLimit;
}

const METHOD_NAME = /^[A-Za-z0-9_]+$/;
/** Connection key of connection-bound calls (fileops) made without one. */
const CONNECTION_BOUND_KEY = 'connection-bound';
/** Most agents (one per set of credentials) kept at once; the least recently used one beyond is closed. */
const MAX_AGENTS = 64;
const JSON_TYPE = /^(application|text)\/(json|javascript)|\+json/i;

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Reads a whole answer body as UTF-8 text, mapping socket failures to
 * `TransportError`. Past `limit` bytes (announced or received) the body is
 * dropped and the call fails with `AnswerTooLargeError`.
 */
async function readText(
  body: Dispatcher.ResponseData['body'],
  origin: string,
  signal: CallSignal | undefined,
  method: string,
  limit = Number.POSITIVE_INFINITY,
  announced?: string,
): Promise<string> {
  const tooLarge = () => {
    // dropping the body closes its connection; undici reports that as an error nobody needs to hear
    body.on('error', () => undefined);
    body.destroy();
    return new AnswerTooLargeError(`${method} on ${origin}`, limit);
  };
  if (announced !== undefined && Number(announced) > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof AnswerTooLargeError) throw error;
    throw toCoreError(error, origin, signal, `reading the answer of ${method}`);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Parses a JSON answer and checks it has a numeric `result`. */
function decodeAnswer(
  text: string,
  status: number,
  contentType: string | undefined,
  request: TransportRequest,
  origin: string,
): Record<string, unknown> {
  const where = () => `${request.method} on ${origin} (HTTP ${status}${contentType ? `, ${contentType}` : ''})`;
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (error) {
    const shown = snippet(text, request.params, request.bearer);
    throw new ProtocolError(
      text.length === 0 ? `${where()}: empty answer where JSON was expected` : `${where()}: answer is not valid JSON: ${shown}`,
      { cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(`${where()}: answer is JSON but not an object: ${snippet(text, request.params, request.bearer)}`);
  }
  const result = (value as Record<string, unknown>).result;
  if (typeof result !== 'number' || !Number.isInteger(result)) {
    throw new ProtocolError(`${where()}: answer has no numeric "result": ${snippet(text, request.params, request.bearer)}`);
  }
  return value as Record<string, unknown>;
}

/** A JSON answer read whole by {@link JsonAnswerHandler}. */
interface JsonAnswer {
  statusCode: number;
  contentType: string | undefined;
  text: string;
}

/**
 * Reads a JSON answer straight from undici's dispatch callbacks into one
 * string: no response stream, no async iterator, no per-call async resource,
 * which is most of what `dispatcher.request()` costs on a small answer.
 * Settles `done` with the answer, or with the error undici reports (its own
 * error before the headers, `reading` set once they arrived). Past `limit`
 * bytes (announced or received) the request is aborted with
 * `AnswerTooLargeError`, which drops its connection. The caller's `signal`
 * aborts it as `dispatcher.request()` would.
 */
class JsonAnswerHandler {
  statusCode = 0;
  contentType: string | undefined = undefined;
  /** True once the headers are in: a failure after that happened while reading the body. */
  reading = false;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private abort: ((reason: unknown) => void) | undefined = undefined;
  private settled = false;

  constructor(
    private readonly resolve: (answer: JsonAnswer) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: CallSignal | undefined,
    private readonly limit: number,
    private readonly method: string,
    private readonly origin: string,
  ) {
    if (isLimit(signal)) signal.watcher = this;
    else (signal as AbortSignal | undefined)?.addEventListener('abort', this);
  }

  /** The caller's signal fired (this object is its listener). */
  handleEvent(): void {
    const reason = this.signal!.reason ?? new Error('aborted');
    if (this.abort) this.abort(reason);
    else this.fail(reason);
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.unwatch();
    this.reject(error);
  }

  private unwatch(): void {
    const signal = this.signal;
    if (!isLimit(signal)) (signal as AbortSignal | undefined)?.removeEventListener('abort', this);
    else if (signal.watcher === this) signal.watcher = undefined;
  }

  onConnect(abort: (reason: unknown) => void): void {
    if (this.settled || this.signal?.aborted) {
      abort(this.signal?.reason ?? new Error('aborted'));
      return;
    }
    this.abort = abort;
  }

  private tooLarge(): Error {
    return new AnswerTooLargeError(`${this.method} on ${this.origin}`, this.limit);
  }

  onHeaders(statusCode: number, raw: Buffer[] | string[] | null): boolean {
    if (statusCode < 200) return true; // 1xx: the real answer follows
    this.statusCode = statusCode;
    this.reading = true;
    let length: string | undefined;
    if (raw) {
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const name = raw[i]!;
        if (name.length === 12 && isName(name, 'content-type')) this.contentType ??= raw[i + 1]!.toString();
        else if (name.length === 14 && isName(name, 'content-length')) length ??= raw[i + 1]!.toString();
      }
    }
    if (length !== undefined && Number(length) > this.limit) {
      this.abort!(this.tooLarge());
      return false;
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.size += chunk.length;
    if (this.size > this.limit) {
      this.abort!(this.tooLarge());
      return false;
    }
    this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.settled) return;
    this.settled = true;
    this.unwatch();
    const { chunks } = this;
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.size)).toString('utf8');
    this.resolve({ statusCode: this.statusCode, contentType: this.contentType, text });
  }

  onError(error: unknown): void {
    this.fail(error);
  }
}

/**
 * Whether a raw header name is `lower` in any case, compared in place: no
 * string made per header of every answer. Header names are tokens (no
 * control characters), so setting the 0x20 bit only folds letters.
 */
function isName(name: Buffer | string, lower: string): boolean {
  if (typeof name === 'string') return name.toLowerCase() === lower;
  for (let i = 0; i < lower.length; i++) if ((name[i]! | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Dispatches one request whose answer is JSON text; see {@link JsonAnswerHandler}. */
function dispatchJson(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: CallSignal | undefined,
  limit: number,
  method: string,
  origin: string,
): { answer: Promise<JsonAnswer>; handler: JsonAnswerHandler } {
  let handler!: JsonAnswerHandler;
  const answer = new Promise<JsonAnswer>((resolve, reject) => {
    handler = new JsonAnswerHandler(resolve, reject, signal, limit, method, origin);
  });
  dispatcher.dispatch(options, handler as unknown as Dispatcher.DispatchHandler);
  return { answer, handler };
}

/** What undici reported before any of the answer arrived, as a core error (an upload source's own failure wins). */
function failedBeforeAnswer(
  error: unknown,
  method: string,
  origin: string,
  signal: CallSignal | undefined,
  sourceError: Error | undefined,
): Error {
  if (sourceError && !signal?.aborted) return sourceError;
  if (!signal?.aborted && closedBeforeAnswer(error)) {
    // pCloud (and the emulator) hang up on a method they do not know instead of answering.
    return new TransportError(
      `${method}: ${origin} closed the connection before answering; the server may not know the method '${method}'`,
      { cause: error, host: origin, network: false },
    );
  }
  return toCoreError(error, origin, signal, `${method}`);
}

/**
 * Reads up to core's `ERROR_SNIFF_LIMIT` bytes of a JSON-typed data answer. A small
 * body that parses to an object with a numeric non-zero `result` is an error
 * answer; anything else is data, handed back whole (read bytes first).
 */
async function sniffJsonError(
  body: AsyncIterable<Uint8Array>,
  origin: string,
  signal: CallSignal | undefined,
  method: string,
): Promise<{ answer?: Record<string, unknown>; rest: AsyncIterable<Uint8Array> }> {
  const iterator = body[Symbol.asyncIterator]();
  const { head, ended } = await readHead(() => iterator.next()).catch((error: unknown) => {
    throw toCoreError(error, origin, signal, `reading the answer of ${method}`);
  });
  const answer = ended ? errorAnswer(concatBytes(head)) : undefined;
  if (answer) return { answer, rest: [] as never };
  const rest = (async function* () {
    yield* head;
    if (!ended) for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
  return { rest };
}

/**
 * Creates the HTTP JSON transport. Calls become `GET /<method>?<params>` (or a
 * url-encoded POST above `postThreshold`), uploads a streamed multipart POST or
 * PUT, data answers a web stream. No retries, auth or validation here: the
 * client does those.
 */
export function httpTransport(options: HttpTransportOptions = {}): Transport {
  const postThreshold = options.postThreshold ?? 2000;
  const userAgent = options.userAgent ?? 'pcloudkit-transport-http';
  const uploadMethod = options.uploadMethod ?? 'multipart';
  const pipelining = options.pipelining ?? 1;
  const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  if (uploadMethod !== 'multipart' && uploadMethod !== 'put')
    throw new TypeError(`uploadMethod must be 'multipart' or 'put', not ${String(uploadMethod)}`);
  const connectOptions = {
    keepAliveTimeout: options.keepAliveTimeout ?? 4000,
    headersTimeout: options.headersTimeout ?? 300_000,
    bodyTimeout: options.bodyTimeout ?? 300_000,
    ...(options.tls ? { connect: { ...options.tls } } : {}),
  };

  /** Agents by core's `loginKey` (`''`: anonymous calls), least recently used first. */
  const agents = new Map<string, Agent>();
  let closed = false;
  /** Dedicated sockets by `connectionKey\norigin`, with the credentials they were given first (`''`: none yet). */
  const sticky = new Map<string, { client: Client; login: string }>();
  let lastLogin: string | undefined;
  let lastAgent: Agent | undefined;

  /**
   * The dispatcher of a call. A server with sticky logins keeps a socket's
   * first login and ignores later credentials, so sockets are never shared
   * between calls with different credentials: one agent per login key, and
   * a dedicated socket refuses (ValidationError) credentials other than its first.
   */
  function dispatcherFor(origin: string, connectionKey: string | undefined, login: string, method: string, ownKey: boolean): Dispatcher {
    if (options.dispatcher) return options.dispatcher;
    if (connectionKey !== undefined) {
      // A connection-bound call without a key of the caller's gets a socket per set of credentials.
      const key = ownKey ? `${connectionKey}\n${origin}` : `${connectionKey}\n${origin}\n${login}`;
      const entry = sticky.get(key);
      if (entry) {
        if (login !== '' && entry.login !== '' && entry.login !== login) {
          throw new ValidationError(
            method,
            'connectionKey',
            `connection key "${connectionKey}" is logged in with other credentials; a server with sticky logins would run this call as that login. Use another key, or release this one first`,
          );
        }
        if (entry.login === '') entry.login = login;
        return entry.client;
      }
      // A dedicated socket carries state (file descriptors) that dies with it: keep it through pauses
      // of up to a minute (a shorter Keep-Alive hint from the server still wins).
      const client = new Client(origin, {
        ...connectOptions,
        keepAliveTimeout: Math.max(connectOptions.keepAliveTimeout, 60_000),
        pipelining: 1,
      });
      sticky.set(key, { client, login });
      return client;
    }
    // Most calls carry the login of the call before: its agent is already the most recent one.
    if (login === lastLogin && lastAgent !== undefined && agents.get(login) === lastAgent) return lastAgent;
    let agent = agents.get(login);
    if (agent) {
      agents.delete(login); // re-inserted below: most recently used last
    } else {
      agent = new Agent({ ...connectOptions, connections: options.connections ?? 8, pipelining });
      if (agents.size >= MAX_AGENTS) {
        const [oldLogin, oldest] = agents.entries().next().value!;
        agents.delete(oldLogin);
        oldest.close().catch(() => {}); // lets its requests in flight finish
      }
    }
    agents.set(login, agent);
    lastLogin = login;
    lastAgent = agent;
    return agent;
  }

  /** The last method name found valid: most calls repeat the one before. */
  let lastMethod: string | undefined;
  // The origin of the last host called: most calls go to the same host.
  let lastHost: string | null = null;
  let lastOrigin = '';

  async function call(request: TransportRequest): Promise<TransportResponse> {
    const { method } = request;
    // A call without a signal of its own may carry a call DeadlineLimit made by this transport instead (core's
    // CALL_LIMIT): it answers `aborted` and `reason` like a signal and tells one watcher, without the cost of
    // a signal. A JSON answer uses it as it is; a data answer, which undici and web streams watch, gets its signal.
    const carried = request.signal === undefined ? (request as { [CALL_LIMIT]?: unknown })[CALL_LIMIT] : undefined;
    const limit = carried instanceof DeadlineLimit ? carried : undefined;
    const signal: CallSignal | undefined = limit !== undefined ? (request.responseType === 'data' ? limit.signal : limit) : request.signal;
    if (closed) throw new TransportError('http: the transport is closed', { host: request.host, network: true });
    if (method !== lastMethod) {
      if (typeof method !== 'string' || !METHOD_NAME.test(method)) {
        throw new ValidationError(String(method), 'method', `invalid method name ${JSON.stringify(method)}`);
      }
      lastMethod = method;
    }
    if (signal?.aborted) throw toCoreError(signal.reason, request.host, signal, method);
    if (request.host !== lastHost) {
      lastOrigin = hostOrigin(request.host);
      lastHost = request.host;
    }
    const origin = lastOrigin;

    const headers: Record<string, string> = request.bearer
      ? { 'user-agent': userAgent, connection: 'keep-alive', authorization: `Bearer ${request.bearer}` }
      : { 'user-agent': userAgent, connection: 'keep-alive' };

    let httpMethod: 'GET' | 'POST' | 'PUT' = 'GET';
    let path = `/${method}`;
    let body: string | AsyncIterable<Uint8Array> | undefined;
    // Set when an upload source fails or lies about its size, so that error wins over undici's.
    let sourceError: Error | undefined;

    let query: string;
    try {
      query = encodeParams(request.params);
    } catch (error) {
      throw new ValidationError(method, 'params', (error as Error).message);
    }

    const files = request.files;
    const definition = request.definition;
    // The bare payload of fileops writes: no form, no file name.
    const payloadUpload = definition?.payloadUpload === true;
    if (files !== undefined && files.length > 0) {
      if (payloadUpload && files.length !== 1)
        throw new ValidationError(method, 'files', `${method} carries exactly one payload, got ${files.length} files`);
      let prepared: PreparedFile[];
      try {
        prepared = await Promise.all(files.map((f) => prepareFile(f, payloadUpload)));
      } catch (error) {
        throw new ValidationError(method, 'files', (error as Error).message);
      }
      const sizes = prepared.map((f) => f.size);
      const total = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, s) => a + s!, 0) : undefined;
      const progress = new ProgressCounter(total, request.onUploadProgress);
      const guard = (source: AsyncIterable<Uint8Array>) =>
        (async function* () {
          try {
            yield* source;
          } catch (error) {
            sourceError =
              error instanceof RangeError || error instanceof TypeError
                ? new ValidationError(method, 'files', error.message)
                : new TransportError(`reading an upload file for ${method} failed: ${(error as Error)?.message ?? String(error)}`, {
                    cause: error,
                    host: origin,
                    network: false,
                  });
            throw sourceError;
          }
        })();
      if (uploadMethod === 'put' || payloadUpload) {
        if (prepared.length !== 1)
          throw new ValidationError(method, 'files', `a PUT upload carries exactly one file, got ${prepared.length}`);
        const file = prepared[0]!;
        httpMethod = 'PUT';
        const params: Record<string, WireValue> = { ...request.params };
        if (!payloadUpload && !('filename' in params)) params.filename = file.name;
        const search = encodeParams(params);
        if (search) path += `?${search}`;
        headers['content-type'] = file.contentType;
        if (file.size !== undefined) headers['content-length'] = String(file.size);
        body = guard(putBody(file, progress));
      } else {
        httpMethod = 'POST';
        const form = multipartBody(wirePairs(request.params), prepared, progress);
        headers['content-type'] = form.contentType;
        if (form.length !== undefined) headers['content-length'] = String(form.length);
        body = guard(form.body());
      }
    } else if (query.length > postThreshold) {
      httpMethod = 'POST';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = query;
    } else if (query) {
      path += `?${query}`;
    }

    // A connection-bound method (fileops) keeps to one socket even when the caller gave no key.
    const connectionKey = request.connectionKey ?? (definition?.connectionBound ? CONNECTION_BOUND_KEY : undefined);
    // A long poll (`diff` with `block`) may wait for minutes before it answers.
    const longPoll = definition?.longPoll !== undefined && request.params?.[definition.longPoll] !== undefined;

    // Throws ValidationError, before anything is sent, when a dedicated socket holds another login.
    const dispatcher = dispatcherFor(
      origin,
      connectionKey,
      loginKey(request.params, request.bearer),
      method,
      request.connectionKey !== undefined,
    );
    const dispatchOptions: Dispatcher.DispatchOptions = {
      origin,
      path,
      method: httpMethod,
      headers,
      body: body as Dispatcher.DispatchOptions['body'],
      // undici holds the pipeline until the headers of a "blocking" request
      // arrive. Ordinary JSON GETs answer quickly, so they may pipeline when
      // asked to; data answers and long polls (a definition's `longPoll`
      // param, e.g. `block` of `diff`) may not, as anything written behind
      // a waiting long poll would release it early.
      blocking: !(pipelining > 1 && httpMethod === 'GET' && request.responseType === 'json' && connectionKey === undefined && !longPoll),
    };
    if (request.responseType !== 'data') {
      const { answer, handler } = dispatchJson(dispatcher, dispatchOptions, signal, maxAnswerBytes, method, origin);
      let json: JsonAnswer;
      try {
        json = await answer;
      } catch (error) {
        if (error instanceof AnswerTooLargeError) throw error;
        if (handler.reading) throw toCoreError(error, origin, signal, `reading the answer of ${method}`);
        throw failedBeforeAnswer(error, method, origin, signal, sourceError);
      }
      return { result: decodeAnswer(json.text, json.statusCode, json.contentType, request, origin), host: request.host };
    }

    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({ ...dispatchOptions, signal: signal as AbortSignal | undefined });
    } catch (error) {
      throw failedBeforeAnswer(error, method, origin, signal, sourceError);
    }

    const { statusCode, headers: answerHeaders } = response;
    const contentType = header(answerHeaders, 'content-type');
    const xError = header(answerHeaders, 'x-error');
    const jsonType = contentType !== undefined && JSON_TYPE.test(contentType);

    if (xError === undefined) {
      if (statusCode >= 400 && !jsonType) {
        const text = await readText(response.body, origin, signal, method).catch(() => '');
        throw new ProtocolError(
          `${method} on ${origin} (HTTP ${statusCode}${contentType ? `, ${contentType}` : ''}): data answer failed without a JSON error: ${snippet(text, request.params, request.bearer)}`,
        );
      }
      let source: AsyncIterable<Uint8Array> = response.body as AsyncIterable<Uint8Array>;
      if (jsonType) {
        // pCloud marks its errors with X-Error, but a JSON *file* is served as
        // JSON too: look at a small body, and treat it as an answer only if it
        // has pCloud's error shape.
        const sniffed = await sniffJsonError(source, origin, signal, method);
        if (sniffed.answer) return { result: sniffed.answer, host: request.host };
        source = sniffed.rest;
      }
      const lengthText = header(answerHeaders, 'content-length');
      const length = lengthText !== undefined && /^\d+$/.test(lengthText) ? Number(lengthText) : undefined;
      // Once returned, the body is ended by the caller's signal (the client lifts its time limits when the
      // call returns) or by `bodyTimeout` without a byte.
      const stream = toWebStream(source, {
        mapError: (error) => toCoreError(error, origin, signal, `reading the data of ${method}`),
        idle: bodyIdleLimit(request.bodyTimeout, method, response.body),
      });
      return {
        result: { result: 0 },
        data: { body: stream, ...(length !== undefined ? { length } : {}), ...(contentType ? { contentType } : {}) },
        host: request.host,
      };
    }

    // A data call answered with an error (X-Error): read it as JSON.
    const text = await readText(response.body, origin, signal, method, maxAnswerBytes, header(answerHeaders, 'content-length'));
    return { result: decodeAnswer(text, statusCode, contentType, request, origin), host: request.host };
  }

  /** Closes the dedicated sockets kept for `connectionKey` (one per origin); their file descriptors die with them. */
  async function release(connectionKey: string): Promise<void> {
    const prefix = `${connectionKey}\n`;
    const gone: Dispatcher[] = [];
    for (const [key, entry] of sticky) {
      if (!key.startsWith(prefix)) continue;
      sticky.delete(key);
      gone.push(entry.client);
    }
    await Promise.all(gone.map((d) => d.destroy().catch(() => {})));
  }

  async function close(): Promise<void> {
    closed = true;
    const owned: Dispatcher[] = [...[...sticky.values()].map((e) => e.client), ...agents.values()];
    agents.clear();
    sticky.clear();
    await Promise.all(owned.map((d) => d.destroy().catch(() => {})));
  }

  const makeLimit = (ms: number, reason: () => unknown) => new DeadlineLimit(ms, reason);
  return { name: 'http', hostKind: 'api', call, release, close, [CALL_LIMIT]: makeLimit } as Transport;
}
