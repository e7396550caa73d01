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
  // an explicit stack instead of recursion: a recursive listing can nest deeper than the call stack
  const todo: unknown[] = [value];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v instanceof Text) parts.push(v.text);
    else write(v, parts, todo);
  }
  return parts.join('');
}

/** Literal JSON text waiting on the stack (a bracket, a comma, a key). */
class Text {
  constructor(readonly text: string) {}
}

const COMMA = new Text(',');
const CLOSE_ARRAY = new Text(']');
const CLOSE_OBJECT = new Text('}');

/** Writes a scalar, or opens a container and stacks its members (last first). */
function write(v: unknown, out: string[], todo: unknown[]): void {
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
        todo.push(CLOSE_ARRAY);
        for (let i = v.length - 1; i >= 0; i--) {
          todo.push(v[i] === undefined ? null : v[i]);
          if (i > 0) todo.push(COMMA);
        }
        return;
      }
      {
        out.push('{');
        todo.push(CLOSE_OBJECT);
        const members = Object.entries(v as Record<string, unknown>).filter(([, item]) => item !== undefined && typeof item !== 'function');
        for (let i = members.length - 1; i >= 0; i--) {
          const [k, item] = members[i]!;
          todo.push(item, new Text(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
        }
      }
      return;
    default:
      out.push('null');
  }
}
