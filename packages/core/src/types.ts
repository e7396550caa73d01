/**
 * The contracts every pcloudkit package shares: how a method is described,
 * what a transport receives and returns, and what a client looks like.
 */
import type { Region } from './regions.js';

/** Wire types a parameter can have, as the pCloud catalogue names them. */
export type ParamType = 'int' | 'string' | 'bool' | 'datetime' | 'int-list' | 'string-list' | 'flag';

/** TypeScript value accepted for each wire type. */
export interface ParamValueMap {
  /** Integers: numbers, bigints (ids beyond 2^53) or decimal strings. */
  int: number | bigint | string;
  string: string;
  bool: boolean;
  /** A `Date`, a Unix timestamp in seconds, or a date string pCloud understands. */
  datetime: Date | number | string;
  'int-list': ReadonlyArray<number | bigint | string> | string;
  'string-list': readonly string[] | string;
  /** Presence flag: `true` sends `1`, `false` or absence sends nothing. */
  flag: boolean;
}

/** Describes one parameter of a method. */
export interface ParamSpec<T extends ParamType = ParamType, R extends boolean = boolean> {
  readonly type: T;
  /** A required param must be given; params in a one-of set are not marked required. */
  readonly required: R;
  /**
   * Optional run-time description. pcloudkit's own packages document params
   * with JSDoc above each key of `params` instead (editors show it); the
   * catalogue package `@pcloudkit/catalog` has descriptions as data.
   */
  readonly summary?: string;
  /** Inclusive bounds for `int` params, checked before sending. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for `string` params. */
  readonly enum?: readonly string[];
  /** Another param that must be given for this one to be valid (`block` needs `diffid`). */
  readonly requires?: string;
}

/** A parameter as listed at run time by {@link MethodDefinition.paramList}. */
export interface ParamInfo extends ParamSpec {
  readonly name: string;
  /** Name of the one-of set this param belongs to, if any. */
  readonly oneOf?: string;
  /** Name of the at-most-one set this param belongs to, if any. */
  readonly atMostOne?: string;
}

/** Where a method's file bytes go. */
export type DataDirection = 'upload' | 'download';

/**
 * A pCloud method described as data. Created with `defineMethod`; the type
 * parameters carry the params and result types for inference only.
 */
export interface MethodDefinition<Name extends string = string, Params = any, Result = any> {
  /** Name as sent on the wire (the URL path over HTTP). */
  readonly name: Name;
  /** Group slug, e.g. `streaming`. */
  readonly group: string;
  /** Optional run-time description; pcloudkit's own methods are described by their JSDoc instead. */
  readonly summary?: string;
  /** Parameters by name. */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** One-of sets: exactly one param of each set must be given. */
  readonly oneOf: Readonly<Record<string, readonly string[]>>;
  /** At-most-one sets: no more than one param of each set may be given. */
  readonly atMostOne: Readonly<Record<string, readonly string[]>>;
  /** The same params as a list, with one-of membership filled in. */
  readonly paramList: readonly ParamInfo[];
  /** True when a logged-in user is needed. */
  readonly auth: boolean;
  /** `upload`: the request carries file data; `download`: the answer is data. */
  readonly data?: DataDirection;
  /** True when repeating the call cannot change state twice (used by retries). */
  readonly idempotent: boolean;
  /** True where the method only works on one persistent connection (fileops). */
  readonly connectionBound?: boolean;
  /**
   * Name of the param whose presence makes the call wait for events before it
   * answers (long polling, e.g. `block` of `diff`). Transports keep such a call
   * from holding up others queued behind it.
   */
  readonly longPoll?: string;
  /**
   * True when the request body is the bare file payload: no multipart form and
   * no file name (`file_write`, `file_pwrite`). Over HTTP the bytes are the
   * whole body with the params in the query; over the binary protocol they are
   * the request's data payload.
   */
  readonly payloadUpload?: boolean;
  /** Phantom fields: never set at run time. */
  readonly __params?: Params;
  readonly __result?: Result;
}

export type AnyMethod = MethodDefinition<string, any, any>;
export type ParamsOf<M> = M extends MethodDefinition<string, infer P, any> ? P : never;
export type ResultOf<M> = M extends MethodDefinition<string, any, infer R> ? R : never;

/** Wire-level parameter value, after encoding by core. */
export type WireValue = string | number | bigint | boolean;

/** One file to upload. */
export interface UploadFile {
  /** Stored file name. */
  name: string;
  /**
   * Content: bytes, a Blob, a Node `Readable`, a web `ReadableStream`, an
   * async iterable of chunks, or `{ path }` for a file on disk (Node only).
   */
  data: Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | { path: string };
  /** Byte length, when known; required for some transports if `data` is a stream. */
  size?: number;
  contentType?: string;
}

/** Progress of an upload or download. */
export interface Progress {
  /** Bytes done so far. */
  loaded: number;
  /** Total bytes, when known. */
  total?: number;
}

/** What a transport receives for one call. */
export interface TransportRequest {
  /** Wire method name. */
  method: string;
  /** Encoded params, in insertion order. Credentials are included here when the auth layer adds them as params. */
  params: Record<string, WireValue>;
  /** The definition, when the call came from one (absent for raw calls). */
  definition?: AnyMethod;
  /** Host to use: a bare `host[:port]` or a full origin such as `http://127.0.0.1:8080`. */
  host: string;
  /** OAuth2 access token for an `Authorization: Bearer` header; transports without headers send it as the `access_token` param. */
  bearer?: string;
  /** Files to upload with the call. */
  files?: UploadFile[];
  /** `data` when the answer is a byte stream instead of JSON. */
  responseType: 'json' | 'data';
  /**
   * Ends the call. The client's time limits are lifted as soon as the call
   * returns, so once a data answer is handed back this signal fires only when
   * the caller aborts; the transport keeps watching it while the body is read.
   */
  signal?: AbortSignal;
  /**
   * Milliseconds the body of a data answer may go without a byte before
   * reading it fails with `TimeoutError` (phase `body`). Absent: only the
   * transport's own limits apply.
   */
  bodyTimeout?: number;
  onUploadProgress?: (progress: Progress) => void;
  /** Per-call hint: keep this call on its own persistent connection key (fileops, sticky login). */
  connectionKey?: string;
}

/** A byte stream answer. */
export interface DataResponse {
  /** The bytes, as a web stream. */
  body: ReadableStream<Uint8Array>;
  /** Length in bytes, when the server said. */
  length?: number;
  contentType?: string;
}

/** What a transport returns. `result` is the decoded answer object (including `result`, `error`). */
export interface TransportResponse {
  result: Record<string, unknown>;
  /** Present for data answers that succeeded. */
  data?: DataResponse;
  /** The host that answered. */
  host: string;
}

/** Which host list a transport uses. */
export type HostKind = 'api' | 'binapi';

/**
 * A transport carries calls to pCloud. It does no validation and no auth; it
 * encodes, sends, and decodes. Errors it throws are `TransportError` (network
 * level, `network: true` when the host could not be reached) or
 * `ProtocolError` (a bad answer).
 */
export interface Transport {
  /** Short name, e.g. `http` or `binary`. */
  readonly name: string;
  /** The host list this transport talks to. */
  readonly hostKind: HostKind;
  call(request: TransportRequest): Promise<TransportResponse>;
  /**
   * Optional: closes the dedicated connection(s) kept for `connectionKey`
   * (file descriptors live and die with it). A later call with the same key
   * opens a fresh connection. Transports without dedicated connections leave
   * it out.
   */
  release?(connectionKey: string): Promise<void>;
  /** Releases sockets and pools. Later calls fail with `TransportError` ("the transport is closed"). */
  close(): Promise<void>;
}

/** Options accepted by every call. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Milliseconds for the whole call, retries and backoff included, before it fails with `TimeoutError`. Default: the client's `timeout`. */
  timeout?: number;
  /** Milliseconds for each attempt of the call. Default: the client's `attemptTimeout` (none). */
  attemptTimeout?: number;
  /** Milliseconds a data answer's body may go without a byte. Default: the client's `bodyTimeout`. */
  bodyTimeout?: number;
  /** Upload progress callback. */
  onUploadProgress?: (progress: Progress) => void;
  /** Global params for this call (id, timeformat, filtermeta, ...). */
  global?: GlobalParams;
  /** Retries for this call; `0` disables. Default: the client's `retries`. */
  retries?: number;
  /** Files for methods whose definition has `data: 'upload'`. */
  files?: UploadFile[];
  /**
   * Keeps this call on the transport's dedicated connection for this key
   * instead of the shared pool (file descriptors belong to one connection).
   * `transport.release(key)` closes that connection.
   */
  connectionKey?: string;
  /**
   * Sends this call to this host (`host[:port]` or a full origin) instead of
   * the one the client would choose; no suggested-host fallback applies.
   */
  host?: string;
}

/** Global parameters that every pCloud method accepts. */
export interface GlobalParams {
  /** Echoed back in the answer. */
  id?: string;
  /** Keep only these metadata fields. */
  filtermeta?: readonly string[];
  filterfilemeta?: readonly string[];
  filterfoldermeta?: readonly string[];
  /** Act on a past revision of the file. */
  revisionid?: number | bigint | string;
  /** Anything else to send verbatim. */
  [name: string]: WireValue | readonly string[] | undefined;
}

/** A request as seen by middleware. */
export interface ClientRequest extends Omit<TransportRequest, 'host'> {
  /** Host chosen so far; middleware may change it. Filled by the host layer when absent. */
  host?: string;
  /** Retries allowed for this call. */
  retries: number;
  /** Milliseconds for the whole call, retries and backoff included. */
  timeout: number;
  /**
   * Fires when the call's `timeout` has run out, with a `TimeoutError` as
   * reason. Set by the client for each call (or by the retry or timeout layer
   * when used alone), and lifted when the call returns. When nothing outside
   * the client can see its requests (no middleware, a built-in credential
   * provider, the default retry rule) and the transport offers a lighter
   * limit (`transport[CALL_LIMIT]`, see timer.ts), the client puts that on
   * the requests instead and makes no signal.
   */
  deadline?: AbortSignal;
  /** Milliseconds for one attempt (the timeout layer); absent means no limit per attempt. */
  attemptTimeout?: number;
  /** Send no credentials (login calls themselves, anonymous raw calls). */
  anonymous?: boolean;
}

export type Handler = (request: ClientRequest) => Promise<TransportResponse>;
/** One link in the middleware chain: gets the next handler, returns a handler. */
export type Middleware = (next: Handler) => Handler;

/**
 * The client's own layers, outermost first: retries, credentials, host
 * choice, timeout, answer check. The transport comes after `check`.
 */
export type LayerName = 'retry' | 'credentials' | 'host' | 'timeout' | 'check';
/** A built-in layer: a middleware whose `name` says which one it is. */
export type Layer<N extends LayerName = LayerName> = Middleware & { readonly name: N };

/**
 * A middleware placed relative to the client's layers. `before: X` puts it
 * just outside layer X (it sees the request before X does), `after: X` just
 * inside it. `before: 'transport'` is the innermost place: the request there
 * carries the chosen host and the credentials, and the answer has not been
 * checked yet.
 */
export type PlacedMiddleware =
  | { middleware: Middleware; before: LayerName | 'transport'; after?: never }
  | { middleware: Middleware; after: LayerName; before?: never };
/** A plain middleware goes outside every layer; a placed one where it says. */
export type MiddlewareEntry = Middleware | PlacedMiddleware;

/** Decides which failed calls are sent again, how often, and after how long. */
export interface RetryPolicy {
  /** Retries when neither the call nor the client sets `retries`. */
  readonly retries: number;
  /**
   * Whether to send the call again after `error`. `attempt` counts the
   * retries already made (0 after the first failure). Aborted calls are
   * never retried, whatever this says.
   */
  shouldRetry(error: unknown, request: ClientRequest, attempt: number): boolean;
  /** Milliseconds to wait before retry number `attempt` (0-based). */
  delay(attempt: number, error: unknown): number;
}

/** Credentials. OAuth2 access tokens are the main way in. */
export type AuthOptions = { accessToken: string } | { authToken: string } | { username: string; password: string } | AuthProvider;

/** A custom credential source: adds credentials to a request. */
export interface AuthProvider {
  apply(request: ClientRequest, client: CoreClient): Promise<void> | void;
  /** Forgets credentials (called by `client.logout()`). */
  clear?(): void;
  /** Called after a 1000, 2000 or 2094 answer; return true to retry once with fresh credentials. */
  refresh?(client: CoreClient): Promise<boolean> | boolean;
}

export interface ClientOptions {
  transport: Transport;
  /** Credentials; omit for anonymous calls. */
  auth?: AuthOptions;
  /** `us` (default), `eu`, or a custom host list (for the emulator or a fixed host). */
  region?: 'us' | 'eu' | Region;
  /** Ask `getapiserver` for the nearest host before the first call. Default `false`. */
  nearestHost?: boolean;
  /**
   * Milliseconds for a whole call, retries and backoff included: the call
   * fails with `TimeoutError` once they have passed. A data answer returned in
   * time is then read under `bodyTimeout` only. Default 30000.
   */
  timeout?: number;
  /** Milliseconds for each attempt of a call, so a stalled attempt leaves time for a retry. Default: no per-attempt limit. */
  attemptTimeout?: number;
  /**
   * Milliseconds the body of a data answer (a download method) may go without
   * a byte before reading it fails with `TimeoutError`. Default 30000.
   */
  bodyTimeout?: number;
  /** How many retries the retry policy may make per call. Default: the policy's `retries` (2 for the default policy). */
  retries?: number;
  /** Which failures are retried and after which delays. Default `defaultRetryPolicy`. */
  retry?: RetryPolicy;
  /** Send `timeformat=timestamp` and return `Date` objects. Default `true`. */
  dates?: boolean;
  /**
   * Extra middleware. Plain functions go outside every layer, outermost
   * first; `{ middleware, before | after: layer }` entries go next to a layer.
   */
  middleware?: readonly MiddlewareEntry[];
}

/** The client without any plugin methods. */
export interface CoreClient {
  /** The options the client was made with, without the credentials. */
  readonly options: Readonly<Omit<ClientOptions, 'auth'>>;
  /** The region in use (changes when a sign-in reports another one). */
  readonly region: Region;
  /** Origin scheme for bare hosts: `http` when the region's default API host is an `http://` origin. */
  readonly scheme: 'https' | 'http';
  readonly transport: Transport;
  /** Calls a defined method: validates, encodes, sends, decodes. */
  request<M extends AnyMethod>(method: M, params: ParamsOf<M>, options?: CallOptions): Promise<ResultOf<M>>;
  /** Calls any method by wire name without validation. */
  call<R = Record<string, unknown>>(
    method: string,
    params?: Record<string, WireValue | undefined>,
    options?: CallOptions & { responseType?: 'json' | 'data'; auth?: boolean },
  ): Promise<R>;
  /** Host list in use. */
  hosts(): Promise<{ api: string[]; binapi: string[] }>;
  /** Adds a plugin; returns the same client typed with the plugin's methods. */
  use<P extends Plugin<any>>(plugin: P): this & PluginApi<P>;
  /** Switches to another region, e.g. the one an OAuth2 redirect reported; forgets host suggestions. */
  setRegion(region: 'us' | 'eu' | Region): void;
  /** Logs out on the server (where the credentials allow it) and forgets credentials. */
  logout(): Promise<void>;
  /** Closes the transport. Later calls fail at once with `TransportError` ("the client is closed"), whatever the transport. */
  close(): Promise<void>;
}

/** A plugin adds methods (from definitions) and optionally helpers. */
export interface Plugin<Methods extends Record<string, AnyMethod> = Record<string, AnyMethod>, Extra = {}> {
  readonly name: string;
  readonly methods: Methods;
  /** Extra members computed from the client (helpers such as link builders). */
  readonly extend?: (client: CoreClient) => Extra;
}

/** A method bound to a client. */
export type BoundMethod<M> =
  M extends MethodDefinition<string, infer P, infer R>
    ? {} extends P
      ? (params?: P, options?: CallOptions) => Promise<R>
      : (params: P, options?: CallOptions) => Promise<R>
    : never;

/** The members a plugin adds to a client. */
export type PluginApi<P> = P extends Plugin<infer Methods, infer Extra> ? { [K in keyof Methods]: BoundMethod<Methods[K]> } & Extra : never;
