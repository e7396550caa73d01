import { parseJson } from './json.js';

/**
 * Largest JSON-typed data answer a transport checks for pCloud's error shape:
 * a stored `.json` file is served as JSON too, so only a small body can be an
 * error answer.
 */
export const ERROR_SNIFF_LIMIT = 64 * 1024;

/** Joins byte chunks into one array (a single chunk is returned as it is). */
export function concatBytes(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * Reads the start of a data answer: chunks from `next` until more than
 * `limit` bytes came or the body ended (`ended`). Read failures are thrown
 * as they are, for the transport to map.
 */
export async function readHead(
  next: () => Promise<{ done?: boolean | undefined; value?: Uint8Array | undefined }>,
  limit: number = ERROR_SNIFF_LIMIT,
): Promise<{ head: Uint8Array[]; ended: boolean }> {
  const head: Uint8Array[] = [];
  let size = 0;
  while (size <= limit) {
    const chunk = await next();
    if (chunk.done) return { head, ended: true };
    const bytes = chunk.value as Uint8Array;
    head.push(bytes);
    size += bytes.byteLength;
  }
  return { head, ended: false };
}

/** The pCloud error answer `bytes` hold (a JSON object with a non-zero integer `result`), or undefined for data. */
export function errorAnswer(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value = parseJson(new TextDecoder().decode(bytes));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const result = (value as Record<string, unknown>).result;
      if (typeof result === 'number' && Number.isInteger(result) && result !== 0) return value as Record<string, unknown>;
    }
  } catch {
    // not JSON: it is data
  }
  return undefined;
}
