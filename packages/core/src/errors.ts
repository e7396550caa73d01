/**
 * Error classes. Every pcloudkit error carries a marker symbol from the global
 * registry, so `instanceof` works even when two copies of core are installed.
 */
const MARK = Symbol.for('pcloudkit.error');

/** Params whose values must never be shown. */
export const SECRET_PARAMS: ReadonlySet<string> = new Set([
  'auth',
  'access_token',
  'password',
  'passwordmd5',
  'passworddigest',
  'digest',
  'client_secret',
  'code',
  'newpassword',
  'oldpassword',
]);

/** Replaces secret values in a params object, for messages and logs. */
export function redactParams(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) out[k] = SECRET_PARAMS.has(k) ? '[redacted]' : v;
  return out;
}

function markedBy(kind: symbol) {
  return (value: unknown): boolean => typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kind] === true;
}

/** Base of every error pcloudkit throws. */
export class PcloudError extends Error {
  // Each class spells out its name: bundlers rename classes (esbuild makes `_ApiError`), so the class's own name is not reliable.
  override name = 'PcloudError';
  /** Stable machine-readable code such as `PCLOUD_API_ERROR`. */
  readonly code: string = 'PCLOUD_ERROR';
  /** Whether repeating the same call may succeed. */
  readonly retryable: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, MARK, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!markedBy(MARK)(value)) return false;
    if (this === PcloudError) return true;
    const kind = (this as unknown as { kind?: symbol }).kind;
    return kind !== undefined && markedBy(kind)(value);
  }
}

/**
 * The class of a pCloud result code: the thousands digit, with 19xx split
 * out of 1xxx because those may be timing issues.
 */
export type ErrorClass =
  | 'bad-request'
  | 'timing'
  | 'state'
  | 'permanent'
  | 'rate-limit'
  | 'server'
  | 'not-modified'
  | 'condition'
  | 'unknown';

export function errorClassOf(code: number): ErrorClass {
  if (code >= 1900 && code < 2000) return 'timing';
  switch (Math.floor(code / 1000)) {
    case 1:
      return 'bad-request';
    case 2:
      return 'state';
    case 3:
      return 'permanent';
    case 4:
      return 'rate-limit';
    case 5:
      return 'server';
    case 6:
      return 'not-modified';
    case 7:
      return 'condition';
    default:
      return 'unknown';
  }
}

/** Whether pCloud says a retry may help for this code. */
export function isRetryableCode(code: number): boolean {
  const c = errorClassOf(code);
  return c === 'rate-limit' || c === 'server' || c === 'timing';
}

/** The server answered with a non-zero `result`. */
export class ApiError extends PcloudError {
  override name = 'ApiError';
  static readonly kind = Symbol.for('pcloudkit.ApiError');
  override readonly code = 'PCLOUD_API_ERROR';
  override readonly retryable: boolean;
  /** pCloud's result code, e.g. 2009. */
  readonly result: number;
  /** The server's own message text. */
  readonly serverMessage: string;
  /** Wire name of the method that failed. */
  readonly method: string;
  readonly errorClass: ErrorClass;
  /** The whole answer (extra fields such as `token` for 2297). */
  readonly body: Readonly<Record<string, unknown>>;

  constructor(init: { result: number; message: string; method: string; body?: Record<string, unknown> }) {
    super(`${init.method}: ${init.result} ${init.message}`);
    Object.defineProperty(this, ApiError.kind, { value: true });
    this.result = init.result;
    this.serverMessage = init.message;
    this.method = init.method;
    this.errorClass = errorClassOf(init.result);
    this.retryable = isRetryableCode(init.result);
    this.body = init.body ?? { result: init.result, error: init.message };
  }
}

/** A param failed validation; nothing was sent. */
export class ValidationError extends PcloudError {
  override name = 'ValidationError';
  static readonly kind = Symbol.for('pcloudkit.ValidationError');
  override readonly code = 'PCLOUD_VALIDATION_ERROR';
  readonly method: string;
  /** The offending param (or params, for a one-of set, joined by `|`). */
  readonly param: string;

  constructor(method: string, param: string, message: string) {
    super(`${method}: ${message}`);
    Object.defineProperty(this, ValidationError.kind, { value: true });
    this.method = method;
    this.param = param;
  }
}

/** The network failed: connect, reset, TLS, DNS. */
export class TransportError extends PcloudError {
  override name = 'TransportError';
  static readonly kind = Symbol.for('pcloudkit.TransportError');
  override readonly code = 'PCLOUD_TRANSPORT_ERROR';
  override readonly retryable = true;
  readonly host?: string;
  /** True when the host could not be reached at all (the request never arrived). */
  readonly network: boolean;

  constructor(message: string, init: { cause?: unknown; host?: string; network?: boolean } = {}) {
    super(message, { cause: init.cause });
    Object.defineProperty(this, TransportError.kind, { value: true });
    this.host = init.host;
    this.network = init.network ?? true;
  }
}

/** The server answered something that is not valid pCloud protocol. */
export class ProtocolError extends PcloudError {
  override name = 'ProtocolError';
  static readonly kind: symbol = Symbol.for('pcloudkit.ProtocolError');
  override readonly code = 'PCLOUD_PROTOCOL_ERROR';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, ProtocolError.kind, { value: true });
  }
}

/** Default cap on the size of one JSON (or binary-protocol) answer: 64 MiB. */
export const DEFAULT_MAX_ANSWER_BYTES = 2 ** 26;

/**
 * An answer longer than the transport's `maxAnswerBytes`: refused (and the
 * connection dropped) instead of being held in memory. Data answers
 * (downloads) are streams and have no such cap.
 */
export class AnswerTooLargeError extends ProtocolError {
  override name = 'AnswerTooLargeError';
  static override readonly kind: symbol = Symbol.for('pcloudkit.AnswerTooLargeError');
  /** The cap, in bytes. */
  readonly limit: number;

  constructor(what: string, limit: number) {
    super(`${what}: the answer is larger than maxAnswerBytes (${limit} bytes)`);
    Object.defineProperty(this, AnswerTooLargeError.kind, { value: true });
    this.limit = limit;
  }
}

/** The caller's AbortSignal fired. */
export class AbortError extends PcloudError {
  override name = 'AbortError';
  static readonly kind = Symbol.for('pcloudkit.AbortError');
  override readonly code = 'PCLOUD_ABORTED';
  constructor(message = 'The call was aborted', options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, AbortError.kind, { value: true });
  }
}

/** Which limit ran out: the whole call, one attempt of it, or a data answer's body waiting for bytes. */
export type TimeoutPhase = 'call' | 'attempt' | 'body';

/**
 * A time limit ran out. `phase` says which one: `call` (the client's
 * `timeout`, retries and backoff included, or a download's wait for its
 * answer), `attempt` (`attemptTimeout`, one attempt) or `body` (`bodyTimeout`:
 * a data answer sent no byte for that long).
 */
export class TimeoutError extends PcloudError {
  override name = 'TimeoutError';
  static readonly kind = Symbol.for('pcloudkit.TimeoutError');
  override readonly code = 'PCLOUD_TIMEOUT';
  override readonly retryable = true;
  /** Milliseconds of the limit that ran out. */
  readonly timeout: number;
  /** Attempts made before the limit ran out (hosts tried, for a download); 1 for a body that stalled. */
  readonly attempts: number;
  readonly phase: TimeoutPhase;
  /** Wire method name or what was running (`download from host`), when known. */
  readonly method?: string;

  constructor(timeout: number, init: { attempts?: number; phase?: TimeoutPhase; method?: string; cause?: unknown } = {}) {
    const attempts = init.attempts ?? 1;
    const phase = init.phase ?? 'call';
    const who = init.method ?? 'The call';
    const tries = `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`;
    const message =
      phase === 'body'
        ? `${who}: no byte of the data answer arrived for ${timeout} ms (bodyTimeout)`
        : phase === 'attempt'
          ? `${who}: attempt ${attempts} did not finish within ${timeout} ms (attemptTimeout)`
          : `${who} did not finish within ${timeout} ms (${tries} made)`;
    super(message, { cause: init.cause });
    Object.defineProperty(this, TimeoutError.kind, { value: true });
    this.timeout = timeout;
    this.attempts = attempts;
    this.phase = phase;
    if (init.method !== undefined) this.method = init.method;
  }
}

/**
 * Transferred bytes do not match the checksum the server reports for them
 * (an upload or download that was verified end to end). `algorithm` names
 * the hash that differed.
 */
export class IntegrityError extends PcloudError {
  override name = 'IntegrityError';
  static readonly kind = Symbol.for('pcloudkit.IntegrityError');
  override readonly code = 'PCLOUD_INTEGRITY';
  readonly algorithm: string;
  /** Hex digest of the local bytes. */
  readonly local: string;
  /** Hex digest the server reported. */
  readonly remote: string;
  constructor(message: string, init: { algorithm: string; local: string; remote: string; cause?: unknown }) {
    super(message, { cause: init.cause });
    Object.defineProperty(this, IntegrityError.kind, { value: true });
    this.algorithm = init.algorithm;
    this.local = init.local;
    this.remote = init.remote;
  }
}

/**
 * A short, printable piece of an unexpected answer for error messages, with
 * every credential the request carried blanked out in case the server echoed it.
 */
export function answerSnippet(text: string, params?: Readonly<Record<string, unknown>>, bearer?: string, max = 160): string {
  let s = text.length > max * 4 ? text.slice(0, max * 4) : text;
  const secrets: string[] = [];
  if (bearer) secrets.push(bearer);
  if (params)
    for (const [k, v] of Object.entries(params))
      if (SECRET_PARAMS.has(k) && v !== undefined && v !== null && String(v).length >= 4) secrets.push(String(v));
  for (const secret of secrets) s = s.split(secret).join('[redacted]');
  s = s.replace(/\s+/g, ' ').trim();
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this replaces
  s = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
