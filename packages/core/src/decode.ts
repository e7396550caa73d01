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

/**
 * Returns a converted copy of an answer tree (the answer itself is left as
 * it is). One pass with plain loops: this runs on every answer.
 */
export function decodeAnswer(value: unknown, dates: boolean): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
  let bigints = false;
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = decodeAnswer(value[i], dates);
      if (typeof v === 'bigint') bigints = true;
      out[i] = v;
    }
    return bigints ? jsonSafe(out) : out;
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in source) {
    if (!Object.hasOwn(source, k)) continue;
    const v = source[k];
    let decoded: unknown;
    if (k === 'hash') decoded = toHash(v);
    else if (dates && DATETIME_FIELDS.has(k)) decoded = toDate(v);
    else decoded = typeof v === 'object' && v !== null ? decodeAnswer(v, dates) : v;
    if (typeof decoded === 'bigint') bigints = true;
    out[k] = decoded;
  }
  // `JSON.stringify(answer)` must not throw on the bigint `hash`.
  return bigints ? jsonSafe(out) : out;
}
