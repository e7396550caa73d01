/** Fault injection rules shared by the dispatcher and the transports. */
export interface FailRule {
  code: number;
  /** Remaining answers to fail; Infinity when not limited. */
  remaining: number;
}

/** Which bytes a drop rule counts: the answers the server sends, or the request bodies it receives. */
export type DropDirection = 'send' | 'receive';

/** A rule that cuts connections once a number of bytes went through. */
export interface DropRule {
  /** Bytes let through before the cut: fixed, or drawn anew for each answer/body (or connection). */
  bytes: number | (() => number);
  direction: DropDirection;
  /**
   * `'request'`: counted per answer (send) or per request body (receive);
   * `'connection'`: summed over every matching answer or body of one connection.
   */
  scope: 'request' | 'connection';
  /** Cuts left; Infinity when not limited. */
  remaining: number;
}

/**
 * Rules are keyed by method name; `'*'` matches every method. The content
 * servers consult the pseudo method `'content'` for `delay` and
 * `dropAfterBytes`.
 */
export class FaultRules {
  readonly delays = new Map<string, number>();
  /** Send-direction cuts as `dropAfterBytes(method, n)` always set them: every answer, until cleared. */
  readonly drops = new Map<string, number>();
  /** Rules with a direction, a scope or a count (`dropAfterBytes` with options), keyed `direction:method`. */
  readonly dropRules = new Map<string, DropRule>();
  /** What is left of connection-scoped budgets, per connection (socket) object. */
  private budgets = new WeakMap<object, Map<DropRule, number>>();
  readonly fails = new Map<string, FailRule>();
  apiOverride: string[] | undefined;
  binapiOverride: string[] | undefined;

  delayFor(method: string): number {
    if (this.delays.size === 0) return 0;
    return this.delays.get(method) ?? this.delays.get('*') ?? 0;
  }

  /** Byte budget of an answer of `method` (kept for callers that know neither the connection nor the size). */
  dropFor(method: string): number | undefined {
    return this.sendLimit(method);
  }

  private ruleFor(method: string, direction: DropDirection): [string, DropRule] | undefined {
    if (this.dropRules.size === 0) return undefined; // the common case: asked on every answer
    for (const m of [method, '*']) {
      const rule = this.dropRules.get(`${direction}:${m}`);
      if (rule) return [`${direction}:${m}`, rule];
    }
    return undefined;
  }

  /** Bytes `rule` still lets through: drawn per call, or what is left of the connection's budget. */
  private budget(rule: DropRule, conn: object | undefined): number {
    const draw = () => Math.max(0, Math.floor(typeof rule.bytes === 'function' ? rule.bytes() : rule.bytes));
    if (rule.scope === 'request' || conn === undefined) return draw();
    let left = this.budgets.get(conn);
    if (!left) {
      left = new Map();
      this.budgets.set(conn, left);
    }
    const have = left.get(rule);
    if (have !== undefined) return have;
    const fresh = draw();
    left.set(rule, fresh);
    return fresh;
  }

  /** A cut happened: counts it, and retires the rule when it has none left. */
  private fired(key: string, rule: DropRule, conn: object | undefined): void {
    if (conn) this.budgets.get(conn)?.delete(rule);
    rule.remaining -= 1;
    if (rule.remaining <= 0 && this.dropRules.get(key) === rule) this.dropRules.delete(key);
  }

  /**
   * How many bytes of an answer of `method` may go out before the
   * connection is cut, or undefined for no cut. `size` (the whole answer,
   * when known) lets an answer that fits the budget pass uncounted;
   * `conn` identifies the connection for connection-scoped rules.
   */
  sendLimit(method: string, conn?: object, size?: number): number | undefined {
    const found = this.ruleFor(method, 'send');
    if (!found) return this.drops.get(method) ?? this.drops.get('*');
    const [key, rule] = found;
    const left = this.budget(rule, conn);
    if (size !== undefined && left >= size) {
      if (rule.scope === 'connection' && conn) this.budgets.get(conn)?.set(rule, left - size);
      return undefined;
    }
    this.fired(key, rule, conn);
    return left;
  }

  /**
   * A meter for one request body of `method` (HTTP PUT body, binary
   * payload), or undefined when no rule applies: give it each chunk's
   * length, it answers how many of those bytes may pass; fewer means the
   * connection is to be cut right after them.
   */
  receiveMeter(method: string, conn?: object): ((n: number) => number) | undefined {
    const found = this.ruleFor(method, 'receive');
    if (!found) return undefined;
    const [key, rule] = found;
    let left: number | undefined;
    let cut = false;
    return (n: number) => {
      if (cut) return 0;
      left ??= this.budget(rule, conn);
      if (n < left) {
        left -= n;
        if (rule.scope === 'connection' && conn) this.budgets.get(conn)?.set(rule, left);
        return n;
      }
      cut = true;
      this.fired(key, rule, conn);
      return left;
    };
  }

  /** Consumes one failure for `method` if a rule says so. */
  takeFailure(method: string): number | undefined {
    if (this.fails.size === 0) return undefined;
    for (const key of [method, '*']) {
      const rule = this.fails.get(key);
      if (!rule) continue;
      rule.remaining -= 1;
      if (rule.remaining <= 0) this.fails.delete(key);
      return rule.code;
    }
    return undefined;
  }

  clear(): void {
    this.delays.clear();
    this.drops.clear();
    this.dropRules.clear();
    this.budgets = new WeakMap();
    this.fails.clear();
    this.apiOverride = undefined;
    this.binapiOverride = undefined;
  }
}
