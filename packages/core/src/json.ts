const MAX = Number.MAX_SAFE_INTEGER;
/** Most distinct keys holding unsafe integers that are searched for in the text. */
const MAX_KEYS = 8;

/**
 * A JSON parser that keeps 64-bit integers exact: integers outside the safe
 * range of a double come back as `bigint`, every other number as `number`.
 * pCloud's file `hash` is an unsigned 64-bit value that nearly always needs
 * this; `JSON.parse` would silently round it.
 *
 * How it stays close to `JSON.parse`'s speed: the text is parsed once by
 * `JSON.parse`, the tree is searched for rounded integers (outside the safe
 * range), and each one is given its exact digits from the text. Those are
 * found by searching for the member's key (`"hash":`), per key in document
 * order; every literal found must round to the very double the tree holds.
 * Whatever this cannot pair with certainty (integers in arrays, unusual
 * keys, numeric keys that reorder members, an exponent-form number that
 * reaches the unsafe range, a literal left over or missing) is parsed again
 * by the general but slower path. With duplicate keys, whose meaning JSON
 * leaves open, an integer may take the digits of another literal of the same
 * key that rounds to the same double.
 */
export function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  const found: Found = { at: [], keys: [], values: [], inArray: false, reordered: false };
  try {
    collect([value], found);
  } catch {
    return parseSlowly(text); // nesting deeper than the call stack
  }
  if (found.inArray) return parseSlowly(text);
  if (!found.at.length) return value;
  if (found.reordered) return parseSlowly(text);
  const done = new Set<string>();
  for (const key of found.keys) {
    if (done.has(key)) continue;
    done.add(key);
    // Each key is one search through the text: past a few, the general path is cheaper.
    if (done.size > MAX_KEYS || !exactDigits(text, key, found)) return parseSlowly(text);
  }
  return value;
}

/** The rounded integers of a parsed tree, in document order: holder, key and value. */
interface Found {
  at: Record<string, unknown>[];
  keys: string[];
  values: number[];
  /** An unsafe integer in an array, which has no key to search for. */
  inArray: boolean;
  /** An object with a numeric key: its members are not in text order. */
  reordered: boolean;
}

function collect(v: unknown, f: Found): void {
  if (Array.isArray(v)) {
    for (const x of v) {
      if (typeof x === 'object') {
        if (x !== null) collect(x, f);
      } else if (typeof x === 'number' && (x > MAX || x < -MAX)) f.inArray = true;
    }
    return;
  }
  let first = true;
  for (const k in v as Record<string, unknown>) {
    if (first) {
      first = false;
      // Integer-like keys come first in property order, not in text order.
      const c = k.charCodeAt(0);
      if (c >= 48 && c <= 57) f.reordered = true;
    }
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === 'object') {
      if (x !== null) collect(x, f);
    } else if (typeof x === 'number' && (x > MAX || x < -MAX)) {
      f.at.push(v as Record<string, unknown>);
      f.keys.push(k);
      f.values.push(x);
    }
  }
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * Gives the rounded integers under `key` (in document order) the exact
 * values of the literals that follow `"key":` in the text, in the same
 * order. False when they do not pair one to one.
 *
 * A match counts only when the quote before the key follows `{` or `,`: with
 * a key of word characters that quote cannot be inside a string (it would be
 * escaped, or the string would be followed by a letter), so the match is a
 * real member of an object.
 */
function exactDigits(text: string, key: string, f: Found): boolean {
  if (!/^[A-Za-z_$][\w$]*$/.test(key) || key === '__proto__') return false;
  // Searching from the key's first letter (rarer than a quote) is much faster.
  const needle = `${key}"`;
  const { keys, values, at } = f;
  // The next rounded integer of this key.
  let j = keys.indexOf(key);
  for (let p = text.indexOf(needle); p !== -1; p = text.indexOf(needle, p + 1)) {
    let b = p - 2;
    let c = text.charCodeAt(p - 1);
    if (c !== 34) continue;
    while (isSpace((c = text.charCodeAt(b)))) b--;
    if (c !== 123 && c !== 44) continue;
    let q = p + needle.length;
    while (isSpace((c = text.charCodeAt(q)))) q++;
    if (c !== 58) continue;
    while (isSpace((c = text.charCodeAt(++q))));
    const s = q;
    if (c === 45) c = text.charCodeAt(++q);
    if (c < 48 || c > 57) continue; // not a number
    while ((c = text.charCodeAt(++q)) >= 48 && c <= 57);
    if (c === 46 || c === 101 || c === 69) {
      // A fraction or an exponent: a number stays a number, unless it reaches
      // the unsafe range, where the tree cannot tell it from a rounded integer.
      while ((c = text.charCodeAt(++q)) === 43 || c === 45 || c === 46 || c === 101 || c === 69 || (c >= 48 && c <= 57));
      const n = Number(text.slice(s, q));
      if (n > MAX || n < -MAX) return false;
    } else if (q - s > 15) {
      const big = BigInt(text.slice(s, q));
      const n = Number(big);
      if (n > MAX || n < -MAX) {
        if (j === -1 || values[j] !== n) return false;
        at[j]![key] = big;
        j = keys.indexOf(key, j + 1);
      }
    }
  }
  return j === -1;
}

/** The general path: every unsafe integer literal becomes a marked string, which a reviver turns into a bigint. */
function parseSlowly(text: string): unknown {
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
