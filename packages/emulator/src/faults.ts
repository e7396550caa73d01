/** Fault injection rules shared by the dispatcher and the transports. */
export interface FailRule {
  code: number;
  /** Remaining answers to fail; Infinity when not limited. */
  remaining: number;
}

/**
 * Rules are keyed by method name; `'*'` matches every method. The content
 * servers consult the pseudo method `'content'` for `delay` and
 * `dropAfterBytes`.
 */
export class FaultRules {
  readonly delays = new Map<string, number>();
  readonly drops = new Map<string, number>();
  readonly fails = new Map<string, FailRule>();
  apiOverride: string[] | undefined;
  binapiOverride: string[] | undefined;

  delayFor(method: string): number {
    return this.delays.get(method) ?? this.delays.get('*') ?? 0;
  }

  dropFor(method: string): number | undefined {
    return this.drops.get(method) ?? this.drops.get('*');
  }

  /** Consumes one failure for `method` if a rule says so. */
  takeFailure(method: string): number | undefined {
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
    this.fails.clear();
    this.apiOverride = undefined;
    this.binapiOverride = undefined;
  }
}
