/**
 * Turns answers into friendly values: datetimes become `Date` and the file
 * `hash` is always a `bigint`.
 */
import { jsonSafe } from './json.js';

/** Answer fields that carry datetimes. */
export const DATETIME_FIELDS: ReadonlySet<string> = new Set([
  'created',
  'modified',
  'expires',
  'expires_inactive',
  'premiumexpires',
  'registered',
  'time',
  'added',
  'lastsubscription',
]);

const RFC2822 = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

function toDate(value: unknown): unknown {
  if (typeof value === 'number') return new Date(value * 1000);
  if (typeof value === 'string' && RFC2822.test(value)) return new Date(value);
  return value;
}

function toHash(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  return value;
}

/** Returns a converted copy of an answer tree (the answer itself is left as it is), in one pass of plain loops. */
export function decodeAnswer(value: unknown, dates: boolean): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = Array.isArray(value) ? ([] as never) : {};
  for (const k in source) {
    const v = source[k];
    out[k] = k === 'hash' ? toHash(v) : dates && DATETIME_FIELDS.has(k) ? toDate(v) : decodeAnswer(v, dates);
  }
  // `JSON.stringify(answer)` must not throw on the bigint `hash`.
  return jsonSafe(out);
}
