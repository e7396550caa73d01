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

/** Serialises like JSON.stringify, writing bigints as exact integers. */
export function stringifyJson(value: unknown, space?: number): string {
  const marks: string[] = [];
  const text = JSON.stringify(
    value,
    (_k, v: unknown) => (typeof v === 'bigint' ? `\u0000${marks.push(v.toString()) - 1}\u0000` : v),
    space,
  );
  return marks.length ? text.replace(/"\\u0000(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]!) : text;
}
