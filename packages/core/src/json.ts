/**
 * A JSON parser that keeps 64-bit integers exact: integers outside the safe
 * range of a double come back as `bigint`, every other number as `number`.
 * pCloud's file `hash` is an unsigned 64-bit value that nearly always needs
 * this; `JSON.parse` would silently round it.
 */
export function parseJson(text: string): unknown {
  // Fast path: without a run of 16+ digits every integer is exact as a double.
  if (!/\d{16}/.test(text)) return JSON.parse(text);
  const marker = `\u0000${Math.random().toString(36).slice(2)}:`;
  const big = quoteBigIntegers(text, marker);
  if (big === text) return JSON.parse(text);
  return JSON.parse(big, (_key, value: unknown) =>
    typeof value === 'string' && value.startsWith(marker) ? BigInt(value.slice(marker.length)) : value,
  );
}

/** Wraps unsafe integer literals (outside strings) in marked strings. */
function quoteBigIntegers(text: string, marker: string): string {
  let out = '';
  let last = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 92 /* \ */) i += 2;
        else if (d === 34) {
          i++;
          break;
        } else i++;
      }
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      const start = i;
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if ((d >= 48 && d <= 57) || d === 46 || d === 101 || d === 69 || d === 43 || d === 45) i++;
        else break;
      }
      const literal = text.slice(start, i);
      if (/^-?\d{16,}$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += text.slice(last, start) + JSON.stringify(marker + literal);
        last = i;
      }
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * The `toJSON` that answer objects holding a `bigint` carry (see
 * {@link jsonSafe}): a copy in which each bigint is its exact decimal string,
 * since `JSON.stringify` cannot write a bigint and a number would round it.
 */
function bigintsAsStrings(this: object): unknown {
  const convert = (v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
  if (Array.isArray(this)) return this.map(convert);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(this)) out[k] = convert(v);
  return out;
}

const TO_JSON: PropertyDescriptor = { value: bigintsAsStrings, enumerable: false, writable: true, configurable: true };

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
  const values = Array.isArray(value) ? value : Object.values(value);
  if (values.some((v) => typeof v === 'bigint')) Object.defineProperty(value, 'toJSON', TO_JSON);
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
