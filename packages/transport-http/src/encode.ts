import { type WireValue, wireText } from './core.js';

/** Most params kept in {@link pairs}; past it the memory starts over. */
const MAX_PAIRS = 256;

/**
 * The last value seen under each param name with its encoded `name=value`
 * pair: most calls send the same token and options as the call before, so
 * they skip `encodeURIComponent`.
 */
const pairs = new Map<string, { value: WireValue; pair: string }>();

/**
 * Encodes params as `application/x-www-form-urlencoded` text, which is also a
 * valid query string. Keys keep their insertion order; `undefined` and `null`
 * entries are skipped so a caller's optional fields never turn into the text
 * "undefined".
 */
export function encodeParams(params: Record<string, WireValue> | undefined): string {
  let out = '';
  for (const key in params) {
    const value = params[key] as WireValue | undefined | null;
    if (value === undefined || value === null || !Object.hasOwn(params, key)) continue;
    let last = pairs.get(key);
    if (last === undefined || last.value !== value) {
      last = { value, pair: `${encodeURIComponent(key)}=${encodeURIComponent(wireText(value))}` };
      if (pairs.size >= MAX_PAIRS) pairs.clear();
      pairs.set(key, last);
    }
    out = out === '' ? last.pair : `${out}&${last.pair}`;
  }
  return out;
}
