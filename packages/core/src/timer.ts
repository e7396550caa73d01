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

/** The limit behind a {@link TimerSignal}: one controller and one timer, no closure per limit. */
class Limit implements TimerSignal {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;
  private readonly reason: () => unknown;

  constructor(ms: number, reason: () => unknown) {
    this.reason = reason;
    if (!(ms <= MAX_DELAY)) return;
    const timer = setTimeout(fire, Math.max(0, ms), this);
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Called by the timer. */
  fire(): void {
    this.controller.abort(this.reason());
  }

  /** An own function, so `const { clear } = timerSignal(...)` works too. */
  readonly clear = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
  };
}

function fire(limit: Limit): void {
  limit.fire();
}

/**
 * A signal that fires after `ms` milliseconds with the value `reason()`
 * returns. `Infinity` (or anything above setTimeout's range) never fires. The
 * timer does not keep the process alive.
 */
export function timerSignal(ms: number, reason: () => unknown): TimerSignal {
  return new Limit(ms, reason);
}

/** Throws a TypeError unless `value` is a positive number of milliseconds (`Infinity` means no limit). */
export function checkDuration(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number of milliseconds (Infinity for no limit), not ${String(value)}`);
  }
}
