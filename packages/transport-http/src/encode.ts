import { type WireValue, wirePairs } from './core.js';

/**
 * Encodes params as `application/x-www-form-urlencoded` text, which is also a
 * valid query string. Keys keep their insertion order; `undefined` entries are
 * skipped so a caller's optional fields never turn into the text "undefined".
 */
export function encodeParams(params: Record<string, WireValue> | undefined): string {
  return wirePairs(params)
    .map(([key, text]) => `${encodeURIComponent(key)}=${encodeURIComponent(text)}`)
    .join('&');
}
