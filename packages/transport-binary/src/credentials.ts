import { createHash } from 'node:crypto';
import type { WireValue } from './core.js';

/** Params that log a connection in (token, OAuth2 token, or a username with a password form). */
const CREDENTIAL_PARAMS = ['auth', 'access_token', 'username', 'password', 'passwordmd5', 'digest', 'passworddigest'] as const;

/**
 * A short digest of the credentials a call carries, or `''` for an anonymous
 * call. pCloud keeps the first successful login of a connection and ignores
 * the credentials of later calls on it, so connections are shared only
 * between calls with the same fingerprint. It stays in memory and is never
 * logged; hashing keeps the secrets themselves out of map keys.
 */
export function credentialFingerprint(params: Record<string, WireValue>, bearer?: string): string {
  const parts: string[] = [];
  for (const name of CREDENTIAL_PARAMS) {
    const value = params[name];
    if (value !== undefined) parts.push(`${name}=${String(value)}`);
  }
  if (bearer !== undefined && params.access_token === undefined) parts.push(`bearer=${bearer}`);
  if (parts.length === 0) return '';
  return createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);
}
