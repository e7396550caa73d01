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

/**
 * The {@link CallLimit} both Node transports make: one unref'd timer, and an
 * `AbortSignal` only when something asks for `signal`. A JSON call sets
 * itself as `watcher` (told once, before the signal fires) instead of
 * listening to a signal, which costs far less than a signal and a listener.
 */
export class DeadlineLimit implements CallLimit {
  /** True once the time ran out; `reason` is then what the limit fired with. */
  aborted = false;
  reason: unknown = undefined;
  watcher: { handleEvent(): void } | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  private readonly timer: ReturnType<typeof setTimeout> | undefined = undefined;

  /** Fires after `ms` (never for more than setTimeout's range) with what `makeReason()` gives. */
  constructor(
    ms: number,
    private readonly makeReason: () => unknown,
  ) {
    if (!(ms <= MAX_DELAY)) return;
    this.timer = setTimeout(fireLimit, Math.max(0, ms), this);
    (this.timer as { unref?: () => void }).unref?.();
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Called by the timer. */
  fire(): void {
    this.aborted = true;
    this.reason = this.makeReason();
    this.watcher?.handleEvent();
    this.controller?.abort(this.reason);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

function fireLimit(limit: DeadlineLimit): void {
  limit.fire();
}
