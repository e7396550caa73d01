/** A value in a reply tree; what both the JSON and the binary encoders accept. */
export type Value = string | number | bigint | boolean | null | Value[] | { [key: string]: Value };

/** The top-level object of a reply. */
export type Body = { [key: string]: Value };

/**
 * Serialises a reply tree to JSON text. Unlike JSON.stringify it writes
 * bigint values as exact integer literals, which is how pCloud sends the
 * unsigned 64-bit content `hash`. Undefined members are skipped.
 */
export function toJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(v: unknown, out: string[]): void {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'number':
      out.push(Number.isFinite(v) ? String(v) : 'null');
      return;
    case 'bigint':
      out.push(v.toString());
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'object':
      if (v === null) {
        out.push('null');
        return;
      }
      if (Array.isArray(v)) {
        out.push('[');
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out.push(',');
          write(v[i] === undefined ? null : v[i], out);
        }
        out.push(']');
        return;
      }
      {
        out.push('{');
        let first = true;
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          if (item === undefined || typeof item === 'function') continue;
          if (!first) out.push(',');
          first = false;
          out.push(JSON.stringify(k), ':');
          write(item, out);
        }
        out.push('}');
      }
      return;
    default:
      out.push('null');
  }
}
