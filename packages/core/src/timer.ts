/**
 * Time limits as abort signals that can be lifted: the client's call deadline
 * and attempt limits end when the call returns, so a data answer that is
 * still being read is not cut by them.
 */

/** Longest delay `setTimeout` accepts; a longer limit is treated as none. */
const MAX_DELAY = 2 ** 31 - 1;

export interface TimerSignal {
  /** Fires with `reason()` once the time is up, unless cleared first. */
  readonly signal: AbortSignal;
  /** Lifts the limit: the signal will not fire any more. */
  clear(): void;
}

/**
 * A signal that fires after `ms` milliseconds with the value `reason()`
 * returns. `Infinity` (or anything above setTimeout's range) never fires. The
 * timer does not keep the process alive.
 */
export function timerSignal(ms: number, reason: () => unknown): TimerSignal {
  const controller = new AbortController();
  if (!(ms <= MAX_DELAY)) return { signal: controller.signal, clear: () => {} };
  const timer = setTimeout(() => controller.abort(reason()), Math.max(0, ms));
  (timer as { unref?: () => void }).unref?.();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Throws a TypeError unless `value` is a positive number of milliseconds (`Infinity` means no limit). */
export function checkDuration(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number of milliseconds (Infinity for no limit), not ${String(value)}`);
  }
}

/**
 * A call's deadline kept without an `AbortSignal`, whose signal is made only
 * if something asks for it. A transport that can watch one offers a maker as
 * `transport[CALL_LIMIT](ms, reason)`; the client then puts the limit on its
 * requests under the same key instead of a `deadline` signal, when nothing
 * but its own parts sees them (no middleware, a built-in credential provider,
 * the default retry rule). The key is a registered symbol, so copies of core
 * in one program agree.
 */
export interface CallLimit {
  /** True once the time ran out. */
  readonly aborted: boolean;
  /** The limit as a signal, made on first use (already aborted if the time ran out). */
  readonly signal: AbortSignal;
  /** Lifts the limit. */
  clear(): void;
}
export const CALL_LIMIT: unique symbol = Symbol.for('pcloudkit.callLimit') as never;
/** A request that may carry its call's limit; a transport that may make one. */
export type WithCallLimit = { [CALL_LIMIT]?: CallLimit };
export type MakesCallLimit = { [CALL_LIMIT]?: (ms: number, reason: () => unknown) => CallLimit };
