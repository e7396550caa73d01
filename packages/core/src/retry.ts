/**
 * When a failed call is sent again, and after how long: a retry policy is a
 * plain object, so it can be swapped, composed or tested on its own.
 */
import { AbortError, PcloudError, TransportError } from './errors.js';
import type { ClientRequest, RetryPolicy } from './types.js';

/** Delay before retry number `attempt` (0-based): exponential with full jitter, capped at 8 s. */
export function backoffDelay(attempt: number, base = 250): number {
  return Math.random() * Math.min(8_000, base * 2 ** attempt);
}

/**
 * The default rule: never an aborted call or an upload (its body may be a
 * one-shot stream); always a network error that never reached the server;
 * otherwise only retryable errors (19xx, 4xxx and 5xxx results, timeouts,
 * other transport errors) of idempotent methods.
 */
function retryableByDefault(error: unknown, request: ClientRequest): boolean {
  if (request.signal?.aborted) return false;
  if (request.files?.length) return false;
  if (error instanceof TransportError && error.network) return true;
  if (!request.definition?.idempotent) return false;
  return error instanceof PcloudError && error.retryable;
}

/** Today's behaviour: 2 retries, {@link backoffDelay} between attempts, and the rule described above. */
export const defaultRetryPolicy: RetryPolicy = Object.freeze({
  retries: 2,
  shouldRetry: (error: unknown, request: ClientRequest) => retryableByDefault(error, request),
  delay: (attempt: number) => backoffDelay(attempt),
});

/**
 * Builds a policy from the parts given, taking the rest from
 * {@link defaultRetryPolicy}. Checks the parts up front.
 */
export function retryPolicy(parts: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...parts };
  checkRetryPolicy(policy, 'retryPolicy');
  return Object.freeze(policy);
}

/** Throws a TypeError naming the first part of `policy` that is missing or wrong. */
export function checkRetryPolicy(policy: RetryPolicy, where: string): void {
  if (!policy || typeof policy !== 'object') throw new TypeError(`${where}: a retry policy must be an object`);
  if (!Number.isInteger(policy.retries) || policy.retries < 0)
    throw new TypeError(`${where}: retry policy 'retries' must be a non-negative integer`);
  if (typeof policy.shouldRetry !== 'function') throw new TypeError(`${where}: retry policy 'shouldRetry' must be a function`);
  if (typeof policy.delay !== 'function') throw new TypeError(`${where}: retry policy 'delay' must be a function`);
}

/** Waits `ms`, or rejects with AbortError as soon as `signal` fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError(undefined, { cause: signal.reason }));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new AbortError(undefined, { cause: signal!.reason }));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
