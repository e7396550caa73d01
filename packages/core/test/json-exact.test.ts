// parseJson against an oracle: random trees are written as JSON text by a
// writer of this test (random whitespace, integers written as plain
// literals, fractions and exponents, strings full of digits, quotes and
// backslashes), and parseJson must give back exactly the tree that was
// written: a plain integer literal outside the safe range as a bigint, every
// other number as the double JSON.parse gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../src/index.js';

type Tree = string | number | bigint | boolean | null | Tree[] | { [k: string]: Tree };

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** What parseJson must return for a tree written by `write`. */
function expected(t: Tree): unknown {
  if (typeof t === 'number') {
    const text = String(t);
    return /^-?\d+$/.test(text) && !Number.isSafeInteger(t) ? BigInt(text) : Number(text);
  }
  if (typeof t === 'bigint') return t >= -MAX && t <= MAX ? Number(t) : t;
  if (Array.isArray(t)) return t.map(expected);
  if (t !== null && typeof t === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(t)) out[k] = expected(v);
    return out;
  }
  return t;
}

/** JSON text of a tree; bigints as plain integer literals, `space(i)` picks the whitespace at each place. */
function write(t: Tree, space: (i: number) => string): string {
  let i = 0;
  const ws = () => space(i++);
  const go = (v: Tree): string => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return String(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => go(x) + ws()).join(`,${ws()}`)}]`;
    if (v !== null && typeof v === 'object')
      return `{${ws()}${Object.entries(v)
        .map(([k, x]) => `${JSON.stringify(k)}${ws()}:${ws()}${go(x)}${ws()}`)
        .join(`,${ws()}`)}}`;
    return JSON.stringify(v);
  };
  return go(t);
}

const bigInts = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
  fc.bigInt({ min: MAX - 3n, max: MAX + 3n }),
  fc.bigInt({ min: -MAX - 3n, max: -MAX + 3n }),
);
const numbers = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e21, -1e21, 1.2345678901234566e25, 2 ** 60, -(2 ** 63), 1e16, 123456789012345680000, 0.1 + 0.2),
);
// Strings that look like JSON members with big numbers, to lure a text search.
const lures = fc.oneof(
  fc.string(),
  fc.stringMatching(/^[0-9":,{}\\ ]{0,40}$/),
  bigInts.map((b) => `"hash":${b}`),
  bigInts.map((b) => `x\\",{"hash":${b},`),
  bigInts.map((b) => `{"hash": ${b}}`),
);
const keys = fc.oneof(
  fc.constantFrom('hash', 'size', 'fileid', 'a', 'b_2', '$x'),
  fc.string({ maxLength: 6 }),
  fc.constantFrom('0', '12', '1e5', 'hash '),
);
const tree: fc.Arbitrary<Tree> = fc.letrec<{ t: Tree }>((tie) => ({
  t: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    bigInts,
    numbers,
    lures,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('t'), { maxLength: 5 }),
    fc.dictionary(keys, tie('t'), { maxKeys: 6 }).map((o) => {
      // an own "__proto__" member is a case of its own (below)
      Reflect.deleteProperty(o, '__proto__');
      return o;
    }),
  ),
})).t;
const spaces = fc.array(fc.constantFrom('', '', '', ' ', '\n\t', '\r\n  '), { minLength: 1, maxLength: 8 });

describe('parseJson is exact', () => {
  it('gives back every written tree, big integers as bigint, other numbers as JSON.parse reads them', () => {
    fc.assert(
      fc.property(tree, spaces, (t, sp) => {
        const text = write(t, (i) => sp[i % sp.length]!);
        expect(parseJson(text)).toEqual(expected(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('listings: many objects with a 64-bit hash each, in compact and in indented form', () => {
    const file = fc.record({
      name: lures,
      fileid: fc.integer({ min: 0 }),
      size: fc.oneof(fc.integer({ min: 0 }), bigInts),
      hash: bigInts,
      created: fc.string(),
    });
    fc.assert(
      fc.property(fc.array(file, { maxLength: 30 }), fc.boolean(), (contents, pretty) => {
        const t: Tree = { result: 0, metadata: { name: '/', contents } };
        const text = write(t, pretty ? () => '\n\t' : () => '');
        expect(parseJson(text)).toEqual(expected(t));
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the slower path where the key search cannot pair: arrays, odd keys, numeric keys, exponents', () => {
    expect(parseJson('[18446744073709551615,-18446744073709551615]')).toEqual([18446744073709551615n, -18446744073709551615n]);
    expect(parseJson('{"a b":18446744073709551615,"hash":18446744073709551614}')).toEqual({
      'a b': 18446744073709551615n,
      hash: 18446744073709551614n,
    });
    // member order differs from text order with numeric keys
    const reordered = parseJson('{"x":{"hash":18446744073709551614},"1":{"hash":18446744073709551615}}') as Record<
      string,
      { hash: bigint }
    >;
    expect(reordered.x!.hash).toBe(18446744073709551614n);
    expect(reordered['1']!.hash).toBe(18446744073709551615n);
    // an exponent form in the unsafe range stays a number, next to exact integers of the same key
    expect(parseJson('[{"hash":1.8446744073709552e19},{"hash":18446744073709551615}]')).toEqual([
      { hash: 18446744073709552000 },
      { hash: 18446744073709551615n },
    ]);
    // an escaped key is the same key for JSON, but the search does not see it
    expect(parseJson('[{"h\\u0061sh":18446744073709551614},{"hash":18446744073709551615}]')).toEqual([
      { hash: 18446744073709551614n },
      { hash: 18446744073709551615n },
    ]);
    // many keys holding big integers: the general path, same result
    const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`k${i}`, 18446744073709551600n + BigInt(i)]));
    const manyText = `{${Object.entries(many)
      .map(([k, v]) => `"${k}":${v}`)
      .join(',')}}`;
    expect(parseJson(manyText)).toEqual(many);
    const proto = parseJson('{"__proto__":18446744073709551615}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(18446744073709551615n);
  });

  it('duplicate keys: the last member wins, as with JSON.parse', () => {
    expect(parseJson('{"hash":18446744073709551615,"hash":10681749967730527559}')).toEqual({ hash: 10681749967730527559n });
    expect(parseJson('{"hash":10681749967730527559,"hash":5}')).toEqual({ hash: 5 });
    expect(parseJson('{"hash":5,"hash":10681749967730527559}')).toEqual({ hash: 10681749967730527559n });
  });

  it('nesting: deep trees without big integers parse like JSON.parse; with them as deep as before or deeper', () => {
    const deep = (n: number, inner: string) => `${'{"a":['.repeat(n)}${inner}${']}'.repeat(n)}`;
    expect(() => parseJson(deep(20_000, '1'))).not.toThrow();
    const v = parseJson(deep(2_000, '{"hash":18446744073709551615}')) as { a: unknown[] };
    let x: unknown = v;
    for (let i = 0; i < 2_000; i++) x = (x as { a: unknown[] }).a[0];
    expect(x).toEqual({ hash: 18446744073709551615n });
  });
});
