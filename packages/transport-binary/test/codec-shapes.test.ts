// The decoder builds the objects of a key sequence it has seen several times
// with a generated object literal. These properties check that such objects
// equal the ones built member by member, whatever the keys are (quotes,
// backslashes, line separators, numeric keys, "__proto__", duplicates) and
// however the sequences are mixed and nested.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeResponse } from '../src/index.js';
import { encodeTree, frameOf, type Tree } from './helpers/test-encoder.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** What the decoder must return: members defined one by one (a "__proto__" key is data), integers above 2^53-1 as bigint. */
function expected(v: Tree): unknown {
  if (typeof v === 'bigint') return v <= MAX_SAFE ? Number(v) : v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(expected);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, { value: expected(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

const key = fc.oneof(
  fc.constantFrom(
    'name',
    'hash',
    'size',
    '__proto__',
    'constructor',
    'toString',
    '0',
    '17',
    '"',
    '\\',
    '\u2028',
    '\u2029',
    '}',
    '$',
    '`',
    "'",
    '',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const scalar = fc.oneof(fc.string({ maxLength: 8 }), fc.nat(), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), fc.boolean());

/** Many hashes over a few key lists, in arrays and nested in each other, so that shapes repeat past the factory threshold. */
const listing = fc
  .tuple(
    fc.array(fc.uniqueArray(key, { maxLength: 7 }), { minLength: 1, maxLength: 3 }),
    fc.array(fc.tuple(fc.nat(), fc.array(scalar, { minLength: 7, maxLength: 7 })), { minLength: 1, maxLength: 60 }),
    fc.boolean(),
  )
  .map(([lists, rows, nest]) => {
    const make = (keys: string[], values: Tree[]): Tree => {
      const o: Record<string, Tree> = {};
      keys.forEach((k, i) => {
        Object.defineProperty(o, k, { value: values[i]!, enumerable: true, writable: true, configurable: true });
      });
      return o;
    };
    const items = rows.map(([which, values]) => make(lists[which % lists.length]!, values));
    if (nest)
      for (let i = 1; i < items.length; i++)
        Object.defineProperty(items[i - 1] as object, 'child', { value: items[i], enumerable: true, writable: true, configurable: true });
    // frames this large track their key sequences
    return { result: 0, contents: items, padding: 'x'.repeat(5000) } as Tree;
  });

describe('objects built from repeated key sequences', () => {
  it('equal the objects built member by member', () => {
    fc.assert(
      fc.property(listing, (t) => {
        const decoded = decodeResponse(frameOf(encodeTree(t))).value;
        expect(decoded).toEqual(expected(t));
        // "__proto__" stays an own data member, never the prototype
        for (const item of decoded.contents as object[]) expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
      }),
      { numRuns: 400 },
    );
  });

  it('a key repeated inside one hash keeps its last value, like member by member', () => {
    // The test encoder cannot write a key twice, so the frame is spelled out:
    // {"result":0,"list":[{"a":1,"a":2}, ... thirty times],"a":"xxx..."}
    const ascii = (s: string) => [0x64 + s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
    const first = [0x10, ...ascii('a'), 0xc9, 0x98, 0xca, 0xff]; // "a" is string id 2
    const again = [0x10, 0x98, 0xc9, 0x98, 0xca, 0xff];
    const padding = [0x01, 0x88, 0x13, ...Array(5000).fill(0x78)]; // a new string of 5000 "x" (id 3), to make the frame large
    const fixed = [
      0x10,
      ...ascii('result'),
      0xc8,
      ...ascii('list'),
      0x11,
      ...first,
      ...Array(29).fill(again).flat(),
      0xff,
      0x98,
      ...padding,
      0xff,
    ];
    const v = decodeResponse(frameOf(Uint8Array.from(fixed))).value as { list: Array<{ a: number }>; a: string };
    expect(v.a).toHaveLength(5000);
    expect(v.list).toHaveLength(30);
    for (const item of v.list) expect(item).toEqual({ a: 2 });
  });
});
