import type { WireValue } from '@pcloudkit/core';

/** Turns one wire value into the text sent over HTTP. Booleans become `1`/`0`. */
export function wireText(value: WireValue): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'boolean':
      return value ? '1' : '0';
    case 'bigint':
      return value.toString();
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot send the number ${value}`);
      return String(value);
    default:
      throw new TypeError(`cannot send a value of type ${typeof value}`);
  }
}

/**
 * Encodes params as `application/x-www-form-urlencoded` text, which is also a
 * valid query string. Keys keep their insertion order; `undefined` entries are
 * skipped so a caller's optional fields never turn into the text "undefined".
 */
export function encodeParams(params: Record<string, WireValue> | undefined): string {
  if (!params) return '';
  let out = '';
  for (const key of Object.keys(params)) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    if (out) out += '&';
    out += `${encodeURIComponent(key)}=${encodeURIComponent(wireText(value))}`;
  }
  return out;
}
