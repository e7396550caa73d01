const MAX = Number.MAX_SAFE_INTEGER;

/**
 * A JSON parser that keeps 64-bit integers exact: integers outside the safe
 * range of a double come back as `bigint`, every other number as `number`.
 * pCloud's file `hash` is an unsigned 64-bit value that nearly always needs
 * this; `JSON.parse` would silently round it.
 *
 * How it stays close to `JSON.parse`'s speed: the text is parsed once by
 * `JSON.parse`, and a walk over the tree gives each rounded integer (outside
 * the safe range) its exact digits from the text, taken in document order
 * from a regular-expression search for the members `"key": digits` of its
 * key; each literal must round to the very double the tree holds. With a key
 * of word characters, the quote after it follows a word character, so it is
 * a real string delimiter and the match a real member (or a member whose key
 * ends in an escaped quote and the same word: a key of other characters,
 * which the walk meets and sends to the general path). Whatever cannot be
 * paired with certainty (integers in arrays, unusual keys, more than one
 * key, keys starting with a digit, which may reorder members, an
 * exponent-form number in the unsafe range, a literal left over or missing)
 * is parsed again by the general, slower path, which marks every such
 * literal outside strings. With duplicate keys, whose meaning JSON leaves
 * open, an integer may take the digits of another literal of the same key
 * that rounds to the same double.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  // The one key that holds rounded integers, and the search for its members in the text.
  let key: string | undefined;
  let re: RegExp | undefined;
  /** The exact value of the next literal under `key` that is outside the safe range. */
  const next = (): bigint | undefined => {
    for (let m: RegExpExecArray | null; (m = re!.exec(text)); ) {
      const big = BigInt(m[1]!);
      const n = Number(big);
      if (n > MAX || n < -MAX) return big;
    }
  };
  const walk = (v: Record<string, unknown>): void => {
    if (Array.isArray(v)) {
      for (const x of v)
        if (typeof x === 'object') {
          if (x) walk(x);
        } else if (x > MAX || x < -MAX) throw 0; // no key to search for (a string of digits takes the general path too)
      return;
    }
    for (const k in v) {
      // Integer-like keys come first in property order, not in text order: keys that start with a digit take the general path.
      if (k < ':' && k >= '0') throw 0;
      const x = v[k];
      if (typeof x === 'object') {
        if (x) walk(x as Record<string, unknown>);
      } else if (typeof x === 'number' && (x > MAX || x < -MAX)) {
        // The first key (of word characters only) sets the search; another key, or an unusual one, throws.
        re ??= /^\w+$/.test(k) ? new RegExp(`"${(key = k)}"\\s*:\\s*(-?\\d{16,})(?![.eE])`, 'g') : undefined;
        if (k !== key || Number((v[k] = next())) !== x) throw 0;
      }
    }
  };
  try {
    walk([value] as never);
    // A literal left over: the general path.
    if (re && next()) throw 0; // (an unsafe bigint is never 0n)
    return value;
  } catch {
    // The general path: every unsafe integer literal outside strings becomes a
    // marked string, which a reviver turns into a bigint.
    const marker = `${Math.random()}`;
    const marked = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.+-])(-?\d{16,})(?![\w.])/g, (m, d?: string) =>
      d && !Number.isSafeInteger(+d) ? `"${marker}${d}"` : m,
    );
    // Without marks, no reviver (JSON.parse ignores one that is not a function): it would recurse as deep as the
    // tree. The walk may have changed `value`, so the text is parsed again.
    const revive = (_k: string, v: unknown) => (typeof v === 'string' && v.startsWith(marker) ? BigInt(v.slice(marker.length)) : v);
    return JSON.parse(marked, (marked !== text && revive) as never);
  }
}

/**
 * The `toJSON` that answer objects holding a `bigint` carry (see
 * {@link jsonSafe}): a copy in which each bigint is its exact decimal string,
 * since `JSON.stringify` cannot write a bigint and a number would round it.
 */
function bigintsAsStrings(this: Record<string, unknown>): unknown {
  const out: Record<string, unknown> = Array.isArray(this) ? ([] as never) : {};
  for (const k in this) {
    const v = this[k];
    out[k] = typeof v === 'bigint' ? `${v}` : v;
  }
  return out;
}

/**
 * Makes `JSON.stringify` work on an object or array that holds `bigint`
 * values (the file `hash`): when one of its own values is a bigint, it gets a
 * non-enumerable `toJSON` that writes each bigint as its exact decimal
 * string. Nothing global is patched (`BigInt.prototype` stays as it is), and
 * the property is invisible to `Object.keys`, spreading, `structuredClone`
 * and deep-equality checks. The client applies this to every answer;
 * {@link stringifyJson} skips it and writes the bigints as exact numbers.
 */
export function jsonSafe<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  for (const k in value)
    if (typeof value[k] === 'bigint')
      return Object.defineProperty(value, 'toJSON', { value: bigintsAsStrings, writable: true, configurable: true });
  return value;
}

/**
 * Serialises like `JSON.stringify`, but writes bigints as exact JSON integers
 * (the form pCloud sends), so `parseJson(stringifyJson(answer))` gives the
 * same numbers back. `JSON.stringify` on an answer writes them as strings
 * instead (see {@link jsonSafe}).
 */
export function stringifyJson(value: unknown, space?: number | string): string {
  const marks: string[] = [];
  // A random tag, so that no string in the value can pass for a placeholder.
  const tag = `\u0000${Math.random().toString(36).slice(2)}:`;
  const text = JSON.stringify(
    value,
    function (this: Record<string, unknown>, key: string, v: unknown) {
      const raw = this[key];
      if (typeof raw === 'bigint') return `${tag}${marks.push(raw.toString()) - 1}`;
      // Our own toJSON turned bigints into strings: serialise the original instead.
      if (raw !== v && raw !== null && typeof raw === 'object' && (raw as { toJSON?: unknown }).toJSON === bigintsAsStrings) return raw;
      return v;
    },
    space,
  );
  if (!marks.length) return text;
  const placeholder = new RegExp(`"\\\\u0000${tag.slice(1, -1)}:(\\d+)"`, 'g');
  return text.replace(placeholder, (_m, i: string) => marks[Number(i)]!);
}
