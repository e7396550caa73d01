import { AbortError, PcloudError, ProtocolError, TimeoutError, TransportError, answerSnippet, parseJson } from './core.js';
import type { TransportRequest } from './core.js';

/**
 * Codes some runtimes (Node, Bun, Deno) put on the cause of a rejected fetch
 * when the connection never carried the request: DNS, refused or unreachable
 * connects, connect timeouts, TLS handshake failures.
 */
const CONNECT_CODES =
  /^(ECONNREFUSED|ENOTFOUND|EAI_\w+|EHOSTUNREACH|EHOSTDOWN|ENETUNREACH|ENETDOWN|EADDRNOTAVAIL|UND_ERR_CONNECT_TIMEOUT|CERT_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_\w+|ERR_TLS_\w+|ERR_SSL_\w+|EPROTO|ConnectionRefused|FailedToOpenSocket)$/;

/** The first string `code` found on an error or its causes. */
export function errorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner))
    for (const e of inner) {
      const c = errorCode(e, depth + 1);
      if (c) return c;
    }
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? errorCode(cause, depth + 1) : undefined;
}

function describe(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let i = 0; i < 4 && typeof e === 'object' && e !== null; i++) {
    const m = (e as { message?: unknown }).message;
    if (typeof m === 'string' && m && !parts.includes(m)) parts.push(m);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.length ? parts.join(': ') : String(error);
}

/**
 * Maps a rejected `fetch` (or a failed body read) to a core error:
 * the core error the caller's signal carries, or `AbortError`, when the
 * signal fired; core errors unchanged; anything else a `TransportError`.
 * `beforeAnswer` says fetch itself rejected (no status line arrived): then
 * `network` is true unless the runtime's error code shows that the request
 * did reach the server (a reset after connecting). Browsers give no code at
 * all, so a rejected fetch there counts as never reaching the server.
 */
export function toCoreError(error: unknown, origin: string, signal: AbortSignal | undefined, what: string, beforeAnswer = false): Error {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof PcloudError) return reason;
    return new AbortError(`${what} was aborted`, { cause: reason ?? error });
  }
  if (error instanceof PcloudError) return error;
  const code = errorCode(error);
  const network = beforeAnswer && (code === undefined || CONNECT_CODES.test(code));
  return new TransportError(`${what} to ${origin} failed${code ? ` (${code})` : ''}: ${describe(error)}`, {
    cause: error,
    host: origin,
    network,
  });
}

export { answerSnippet as snippet };

/** The `ProtocolError` of an answer that is not a pCloud JSON object (one with a numeric `result`): what is wrong, and a piece of it. */
export function badAnswer(
  text: string,
  status: number,
  contentType: string | undefined,
  request: TransportRequest,
  origin: string,
): ProtocolError {
  let problem = 'answer has no numeric "result"';
  let cause: unknown;
  try {
    const value = parseJson(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) problem = 'answer is JSON but not an object';
  } catch (error) {
    cause = error;
    problem = text ? 'answer is not valid JSON' : 'empty answer where JSON was expected';
  }
  return new ProtocolError(
    `${request.method} on ${origin} (HTTP ${status}${contentType ? `, ${contentType}` : ''}): ${problem}${text ? `: ${answerSnippet(text, request.params, request.bearer)}` : ''}`,
    cause === undefined ? undefined : { cause },
  );
}

/** The `TimeoutError` of a data answer whose body went `ms` without a byte. */
export function bodyTimeoutError(ms: number, what: string): TimeoutError {
  return new TimeoutError(ms, { phase: 'body', method: what });
}
