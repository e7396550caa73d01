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

/** Something told when a {@link Limit} runs out: an event listener object or function, as for an AbortSignal. */
type LimitListener = { handleEvent(): void } | (() => void);

/**
 * A time limit: one timer, and no closure per limit (the client makes one
 * for every call). Its `AbortSignal` is only made when something asks for
 * `signal`; code that only needs to know whether the limit ran out, and to
 * be told when it does, uses `aborted`, `reason` and the
 * `addEventListener`/`removeEventListener` pair, which cost far less than a
 * signal and its listeners. `clear` is a prototype method here, so call it on
 * the object; {@link timerSignal} hands out a detachable one.
 */
export class Limit {
  private controller: AbortController | undefined = undefined;
  private readonly timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private readonly makeReason: (context: never) => unknown;
  private readonly context: unknown;
  private fired = false;
  private firedReason: unknown = undefined;
  private listeners: LimitListener[] | undefined = undefined;

  /** Fires after `ms` with `reason(context)` (a shared function and its argument, so no closure is needed). */
  constructor(ms: number, reason: (context: never) => unknown, context?: unknown) {
    this.makeReason = reason;
    this.context = context;
    if (!(ms <= MAX_DELAY)) return;
    const timer = setTimeout(fire, Math.max(0, ms), this);
    (timer as { unref?: () => void }).unref?.();
    this.timer = timer;
  }

  /** Fires with the reason once the time is up, unless cleared first. Made on first use. */
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.fired) this.controller.abort(this.firedReason);
    }
    return this.controller.signal;
  }

  /** True once the time ran out. */
  get aborted(): boolean {
    return this.fired;
  }

  /** The reason given when the time ran out. */
  get reason(): unknown {
    return this.firedReason;
  }

  /** Calls `listener` once the time runs out (`type` is always `'abort'`). */
  addEventListener(_type: 'abort', listener: LimitListener): void {
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: LimitListener): void {
    const list = this.listeners;
    if (list === undefined) return;
    const at = list.indexOf(listener);
    if (at >= 0) list.splice(at, 1);
  }

  /** Called by the timer. */
  fire(): void {
    if (this.fired) return;
    this.fired = true;
    this.firedReason = this.makeReason(this.context as never);
    const list = this.listeners;
    this.listeners = undefined;
    if (list) for (const l of list) typeof l === 'function' ? l() : l.handleEvent();
    this.controller?.abort(this.firedReason);
  }

  /** Lifts the limit: it will not run out any more. */
  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
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
  const limit = new Limit(ms, reason);
  return { signal: limit.signal, clear: () => limit.clear() };
}

/** Throws a TypeError unless `value` is a positive number of milliseconds (`Infinity` means no limit). */
export function checkDuration(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number of milliseconds (Infinity for no limit), not ${String(value)}`);
  }
}

/**
 * Key under which the client puts a call's {@link Limit} on its requests in
 * place of an `AbortSignal` `deadline`, when nothing but its own parts sees
 * them (no middleware, a built-in credential provider, the default retry
 * rule) and the transport says it takes one (see {@link TAKES_CALL_LIMIT}).
 * A transport then finds the limit here when the request has no `signal`.
 * Registered symbols, so copies of core in one program agree.
 */
export const CALL_LIMIT: unique symbol = Symbol.for('pcloudkit.callLimit') as never;
/** A transport with `[TAKES_CALL_LIMIT]: true` reads `request[CALL_LIMIT]` when `request.signal` is absent. */
export const TAKES_CALL_LIMIT: unique symbol = Symbol.for('pcloudkit.takesCallLimit') as never;

/** A request that may carry its call's limit. */
export type WithCallLimit = { [CALL_LIMIT]?: Limit };
