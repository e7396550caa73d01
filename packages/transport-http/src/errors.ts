import { AbortError, PcloudError, ProtocolError, TransportError } from './core.js';

/**
 * Error codes meaning the request never left this machine or never reached
 * the server: DNS, refused or unreachable connects, connect timeouts and TLS
 * handshake failures (a certificate is checked before any request byte is
 * written).
 */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

/** The `code` of an error, looking inside AggregateErrors (happy-eyeballs connects). */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code !== 'ERR_INTERNAL_ASSERTION') return code;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner))
    for (const e of inner) {
      const c = errorCode(e);
      if (c) return c;
    }
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? errorCode(cause) : undefined;
}

/** Node's message when the peer hangs up during the TLS handshake, before a byte of the request was written. */
const TLS_NOT_ESTABLISHED = /before secure TLS connection was established/i;

function messages(error: unknown, depth = 0): string[] {
  if (typeof error !== 'object' || error === null || depth > 4) return [];
  const own = typeof (error as { message?: unknown }).message === 'string' ? [(error as { message: string }).message] : [];
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? [...own, ...messages(cause, depth + 1)] : own;
}

/** Whether the error says the server was never reached (a TLS handshake that failed counts: no request byte was sent). */
export function isConnectFailure(error: unknown): boolean {
  const code = errorCode(error);
  if (code !== undefined && (CONNECT_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))) return true;
  return messages(error).some((m) => TLS_NOT_ESTABLISHED.test(m));
}

/**
 * Whether undici reports that the server closed the connection before any of
 * the answer arrived (undici rejects the request only before the headers).
 */
export function closedBeforeAnswer(error: unknown): boolean {
  return errorCode(error) === 'UND_ERR_SOCKET' && messages(error).some((m) => /other side closed/i.test(m));
}

/**
 * Maps whatever undici or the socket threw to a core error: `AbortError` when
 * the caller's signal fired, core errors unchanged, everything else a
 * `TransportError` (with `network: true` only for connect failures).
 */
export function toCoreError(
  error: unknown,
  origin: string,
  signal: { readonly aborted: boolean; readonly reason: unknown } | undefined,
  what: string,
): Error {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    // A TimeoutError (or any core error) the caller aborted with is passed through as is.
    if (reason instanceof PcloudError) return reason;
    return new AbortError(`${what} was aborted`, { cause: reason ?? error });
  }
  if (error instanceof AbortError || error instanceof ProtocolError || error instanceof TransportError) return error;
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  // undici's HTTP parser failed: the server answered, but not in HTTP/1.1.
  if (code?.startsWith('HPE_') || (error instanceof Error && error.name === 'HTTPParserError')) {
    return new ProtocolError(`${what}: ${origin} did not answer in HTTP/1.1: ${message}`, { cause: error });
  }
  const network = isConnectFailure(error);
  const tlsFailed =
    origin.startsWith('https:') && (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || messages(error).some((m) => TLS_NOT_ESTABLISHED.test(m)));
  const hint = tlsFailed
    ? `; the TLS handshake failed: if ${origin.slice('https://'.length)} speaks plain HTTP, write the host as http://`
    : '';
  return new TransportError(`${what} to ${origin} failed${code ? ` (${code})` : ''}: ${message}${hint}`, {
    cause: error,
    host: origin,
    network,
  });
}

export { answerSnippet as snippet } from './core.js';
