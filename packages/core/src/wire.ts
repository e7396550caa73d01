/**
 * Wire values as text, the form every text protocol (HTTP query strings,
 * url-encoded and multipart bodies) sends them in. Shared by the transports.
 */
import type { WireValue } from './types.js';

/** One wire value as text: booleans `1`/`0`, bigints exact. Throws `TypeError` for what cannot be sent. */
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

/** Params as ordered `[name, text]` pairs, skipping `undefined` and `null` (a caller's unset optional fields). */
export function wirePairs(params: Readonly<Record<string, WireValue | undefined | null>> | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(params ?? {})) if (v !== undefined && v !== null) pairs.push([k, wireText(v)]);
  return pairs;
}

/** Params that log a connection in: a token, an OAuth2 token, or a username with one of the password forms. */
const LOGIN_PARAMS = ['auth', 'access_token', 'username', 'password', 'passwordmd5', 'digest', 'passworddigest'] as const;
/**
 * The login a call carries as one string, `''` for an anonymous call.
 * pCloud keeps the first successful login of a connection and ignores the
 * credentials of later calls on it, so a transport that reuses connections
 * may share one only between calls with the same key. The key holds the
 * secrets themselves: keep it in memory, never log or send it.
 */
export function loginKey(params: Readonly<Record<string, WireValue | undefined | null>>, bearer?: string): string {
  // One pass over the call's few params (this runs on every call), each login param in its LOGIN_PARAMS place.
  const found: string[] = [];
  for (const name in params) {
    const at = LOGIN_PARAMS.indexOf(name as never);
    if (at >= 0 && params[name] != null) found[at] = `${name}=${wireText(params[name])}\u0000`;
  }
  let key = found.join('');
  if (bearer !== undefined && params.access_token == null) key += `bearer=${bearer}\u0000`;
  return key;
}
