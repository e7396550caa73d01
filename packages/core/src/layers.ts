/**
 * The client's layers, each a middleware factory that can be used and tested
 * on its own, and the code that puts them in a chain with the user's
 * middleware. Outermost first: retry → credentials → host → timeout → check
 * → transport.
 */
import { AbortError, ApiError, ProtocolError, TimeoutError, TransportError } from './errors.js';
import type { HostState } from './hosts.js';
import { checkRetryPolicy, defaultRetryPolicy, sleep } from './retry.js';
import { CALL_LIMIT, type CallLimit, type MakesCallLimit, type WithCallLimit, timerSignal } from './timer.js';
import type {
  AuthProvider,
  ClientRequest,
  CoreClient,
  Handler,
  Layer,
  LayerName,
  Middleware,
  MiddlewareEntry,
  RetryPolicy,
  TransportResponse,
} from './types.js';

/** The layers in chain order, outermost first. */
export const LAYER_NAMES: readonly LayerName[] = /* @__PURE__ */ Object.freeze(['retry', 'credentials', 'host', 'timeout', 'check']);

/** Answers that mean "these credentials are missing or no longer good": 1000 log in required, 2000 log in failed, 2094 invalid access token. */
const CREDENTIAL_ERRORS: ReadonlySet<number> = new Set([1000, 2000, 2094]);

function named<N extends LayerName>(name: N, middleware: Middleware): Layer<N> {
  return Object.defineProperty(middleware, 'name', { value: name }) as Layer<N>;
}

/**
 * Runs `run` under the call's deadline: `request.deadline` (or a
 * `CallLimit`, see CALL_LIMIT) when an outer part (the client, or an outer
 * layer) set one, else a new one of `request.timeout` ms, lifted when `run`
 * settles.
 */
export function withDeadline(
  request: ClientRequest,
  run: (request: ClientRequest) => Promise<TransportResponse>,
  make?: MakesCallLimit[typeof CALL_LIMIT],
): Promise<TransportResponse> {
  return request.deadline || (request as WithCallLimit)[CALL_LIMIT] ? run(request) : underNewDeadline(request, run, make);
}

async function underNewDeadline(
  request: ClientRequest,
  run: (request: ClientRequest) => Promise<TransportResponse>,
  make?: MakesCallLimit[typeof CALL_LIMIT],
): Promise<TransportResponse> {
  // `make` comes from the client only, with a request of its own making, which takes the limit as it is. (A
  // copy given the limit afterwards cost about 1.8 µs a call in V8: the copies the later layers make of it
  // went the slow way.)
  const own: ClientRequest & WithCallLimit = make ? request : { ...request };
  const reason = () => new TimeoutError(request.timeout, { method: request.method });
  // a transport's CallLimit when `make` (its `[CALL_LIMIT]`) is given, else a `deadline` signal
  const limit = make ? (own[CALL_LIMIT] = make(request.timeout, reason)) : timerSignal(request.timeout, reason);
  if (!make) own.deadline = limit.signal;
  try {
    return await run(own);
  } finally {
    limit.clear();
  }
}

/**
 * The call's deadline as something to test (`aborted`) and listen to: the
 * `deadline` signal, or the client's own {@link Limit} when it left the
 * signal out (see {@link CALL_LIMIT}).
 */
function deadlineOf(request: ClientRequest): AbortSignal | CallLimit | undefined {
  return request.deadline ?? (request as WithCallLimit)[CALL_LIMIT];
}

/** The call's deadline as an `AbortSignal` (made now if the client left it out). */
function deadlineSignal(request: ClientRequest): AbortSignal {
  return request.deadline ?? (request as WithCallLimit)[CALL_LIMIT]!.signal;
}

/** The `TimeoutError` of a call whose deadline ran out after `attempts` attempts; `cause` is what the last attempt ended with. */
function callTimeout(request: ClientRequest, attempts: number, cause?: unknown): TimeoutError {
  const inner = cause instanceof TimeoutError && cause.phase === 'call' ? cause.cause : cause;
  return new TimeoutError(request.timeout, { attempts, method: request.method, ...(inner !== undefined ? { cause: inner } : {}) });
}

/**
 * Sends a failed call again while `policy` allows it, at most
 * `request.retries` times, waiting `policy.delay` between attempts. An
 * aborted call is never retried. Retries and delays stay within the call's
 * deadline (see {@link withDeadline}): once it has passed, the call ends with
 * `TimeoutError` saying how many attempts were made.
 */
export function retryLayer(policy: RetryPolicy = defaultRetryPolicy): Layer<'retry'> {
  checkRetryPolicy(policy, 'retryLayer');
  return named('retry', (next) => {
    const attempts = async (req: ClientRequest) => {
      const deadline = deadlineOf(req)!;
      for (let attempt = 0; ; attempt++) {
        try {
          return await next(req);
        } catch (error) {
          const made = attempt + 1;
          const aborted = req.signal?.aborted === true;
          if (deadline.aborted && !aborted) throw callTimeout(req, made, error);
          if (attempt >= req.retries || aborted || !policy.shouldRetry(error, req, attempt)) throw withAttempts(error, made);
          const stop = req.signal ? AbortSignal.any([req.signal, deadlineSignal(req)]) : deadlineSignal(req);
          try {
            await sleep(Math.max(0, Number(policy.delay(attempt, error)) || 0), stop);
          } catch (interrupted) {
            if (deadline.aborted && !req.signal?.aborted) throw callTimeout(req, made, error);
            throw interrupted;
          }
        }
      }
    };
    return (request) => withDeadline(request, attempts);
  });
}

/** An attempt's `TimeoutError` counts the attempts of the whole call. */
function withAttempts(error: unknown, attempts: number): unknown {
  if (!(error instanceof TimeoutError) || error.phase !== 'attempt' || error.attempts === attempts) return error;
  return new TimeoutError(error.timeout, { phase: 'attempt', attempts, method: error.method, cause: error.cause });
}

/**
 * Adds credentials from `auth` to calls that need them (a definition with
 * `auth: true`, or a raw call not marked anonymous). After a 1000, 2000 or
 * 2094 answer it asks the provider to refresh and, if it did, tries once more.
 * `client` is handed to the provider (a password login calls through it).
 */
export function credentialsLayer(context: { auth: AuthProvider | undefined; client: CoreClient }): Layer<'credentials'> {
  const { auth, client } = context;
  return named('credentials', (next) => {
    // on a copy: the provider writes into it, and a second try starts from the original. The params are
    // copied by Object.assign: V8 adds a member (the credentials) to a spread copy far more slowly (0.7 µs).
    const withCredentials = async (request: ClientRequest) => {
      const r: ClientRequest = { ...request, params: Object.assign({}, request.params) };
      await auth!.apply(r, client);
      return next(r);
    };
    return async (request) => {
      const wantsAuth = request.definition ? request.definition.auth : !request.anonymous;
      if (!auth || !wantsAuth) return next(request);
      try {
        return await withCredentials(request);
      } catch (error) {
        if (error instanceof ApiError && CREDENTIAL_ERRORS.has(error.result) && auth.refresh && (await auth.refresh(client))) {
          return withCredentials(request);
        }
        throw error;
      }
    };
  });
}

/**
 * Fills `request.host` when no earlier middleware did: the first suggested
 * host when there is one (fetched on the first call when the state has a
 * source), else the region's default. A suggested host that fails with a
 * `TransportError` is dropped; the call goes to the default host only when
 * nothing of it reached the suggested one (`network`: refused, DNS, TLS
 * handshake) or its method is idempotent (a read). Otherwise the server may
 * have run it already: the error is the caller's, so nothing runs twice.
 */
export function hostLayer(state: HostState): Layer<'host'> {
  return named('host', (next) => async (request) => {
    if (request.host) return next(request);
    const preferred = (await state.suggestions())[0];
    const fallback = state.wire(state.defaultHost());
    if (!preferred || state.wire(preferred) === fallback) return next({ ...request, host: fallback });
    try {
      return await next({ ...request, host: state.wire(preferred) });
    } catch (error) {
      if (!(error instanceof TransportError)) throw error;
      state.drop(preferred);
      const again = error.network || (request.definition?.idempotent === true && !request.files?.length);
      if (!again) throw error;
      return next({ ...request, host: fallback });
    }
  });
}

/**
 * Runs the rest of the chain under the caller's signal, the call's deadline
 * (see {@link withDeadline}) and, when `request.attemptTimeout` is set, a
 * limit for this attempt: `AbortError` when the caller aborts, `TimeoutError`
 * when time runs out. The limits are lifted when the answer is in, so the
 * body of a data answer is ended only by the caller's signal (and the
 * transport's `bodyTimeout`).
 */
export function timeoutLayer(): Layer<'timeout'> {
  return named('timeout', (next) => {
    const limited = async (req: ClientRequest) => {
      const user = req.signal;
      const deadline = deadlineOf(req)!;
      if (user?.aborted) throw new AbortError(undefined, { cause: user.reason });
      if (deadline.aborted) throw callTimeout(req, 1);
      const limit = req.attemptTimeout;
      const attempt =
        limit === undefined ? undefined : timerSignal(limit, () => new TimeoutError(limit, { phase: 'attempt', method: req.method }));
      try {
        // The deadline alone (the usual case) needs no combined signal; a client's CallLimit stays on the
        // request as it is (the transport that made it watches it).
        const signal =
          user || attempt
            ? AbortSignal.any([deadlineSignal(req), ...(user ? [user] : []), ...(attempt ? [attempt.signal] : [])])
            : req.deadline;
        return await next(signal ? { ...req, signal } : req);
      } catch (error) {
        if (user?.aborted) throw error instanceof AbortError ? error : new AbortError(undefined, { cause: error });
        // the transport's own error is only the echo of the abort: it is not kept as the cause
        if (deadline.aborted) throw callTimeout(req, 1);
        if (attempt?.signal.aborted) throw new TimeoutError(limit!, { phase: 'attempt', method: req.method });
        throw error;
      } finally {
        attempt?.clear();
      }
    };
    return (request) => withDeadline(request, limited);
  });
}

/** Turns an answer without a numeric `result` into `ProtocolError`, and a non-zero one into `ApiError`. */
export function checkLayer(): Layer<'check'> {
  return named('check', (next) => async (request) => {
    const response = await next(request);
    const answer = response.result;
    if (!answer || typeof answer !== 'object' || typeof answer.result !== 'number') {
      throw new ProtocolError(`${request.method}: the answer has no numeric 'result'`);
    }
    if (answer.result !== 0) {
      throw new ApiError({ result: answer.result, message: String(answer.error ?? 'Unknown error'), method: request.method, body: answer });
    }
    return response;
  });
}

/**
 * Builds one handler from the layers (in {@link LAYER_NAMES} order), the
 * user's middleware entries and the final `send`. Plain entries go outside
 * every layer; placed entries next to their layer; entries at the same place
 * keep their order (the first is the outer one). Bad entries throw a
 * TypeError before anything is sent.
 */
export function composeChain(layers: readonly Layer[], entries: readonly MiddlewareEntry[] | undefined, send: Handler): Handler {
  const order: string[] = [...layers.map((l) => l.name), 'transport'];
  if (entries !== undefined && !Array.isArray(entries)) throw new TypeError('middleware must be an array');
  // slot i holds what runs just outside order[i]
  const slots: Middleware[][] = order.map(() => []);
  for (const [i, entry] of (entries ?? []).entries()) {
    if (typeof entry === 'function') {
      slots[0]!.push(entry);
      continue;
    }
    const where = `middleware[${i}]`;
    if (!entry || typeof entry !== 'object' || typeof entry.middleware !== 'function') {
      throw new TypeError(`${where} must be a function or { middleware, before | after }`);
    }
    const { before, after } = entry as { before?: unknown; after?: unknown };
    if ((before === undefined) === (after === undefined)) throw new TypeError(`${where} needs exactly one of 'before' and 'after'`);
    const target = String(before ?? after);
    const index = order.indexOf(target);
    const valid = before !== undefined ? order : order.slice(0, -1);
    if (index < 0 || (after !== undefined && target === 'transport')) {
      const key = before !== undefined ? 'before' : 'after';
      throw new TypeError(`${where}: ${key} '${target}' names no layer (${key} takes one of ${valid.join(', ')})`);
    }
    slots[after !== undefined ? index + 1 : index]!.push(entry.middleware);
  }
  const chain: Middleware[] = order.flatMap((_, i) => [...slots[i]!, ...(i < layers.length ? [layers[i]!] : [])]);
  return chain.reduceRight<Handler>((next, layer) => layer(next), send);
}
