import { type WireValue, wireText } from './core.js';

/**
 * Encodes params as `application/x-www-form-urlencoded` text, which is also a
 * valid query string. Keys keep their insertion order; `undefined` and `null`
 * entries are skipped so a caller's optional fields never turn into the text
 * "undefined".
 */
export function encodeParams(params: Record<string, WireValue> | undefined): string {
  let out = '';
  for (const key in params) {
    if (!Object.hasOwn(params, key)) continue;
    const value = params[key] as WireValue | undefined | null;
    if (value === undefined || value === null) continue;
    out += `${out === '' ? '' : '&'}${encodeURIComponent(key)}=${encodeURIComponent(wireText(value))}`;
  }
  return out;
}
