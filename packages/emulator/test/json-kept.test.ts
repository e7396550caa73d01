import { describe, expect, it } from 'vitest';
import { type Body, toJson, toJsonBytes, toJsonChunks, type Value, withJsonBytes } from '../src/json.js';

/** A deep copy of a reply tree, without anything withJsonBytes attached. */
function plain(v: Value): Value {
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** The tree is written exactly as the same tree without kept bytes, by every writer. */
function sameAsPlain(tree: Body): string {
  const expected = toJson(plain(tree));
  expect(toJson(tree)).toBe(expected);
  expect(toJsonBytes(tree).toString('utf8')).toBe(expected);
  expect(Buffer.concat(toJsonChunks(tree)).toString('utf8')).toBe(expected);
  return expected;
}

const file = (i: number, name = `file-${i}.txt`): Body => ({
  id: `f${i}`,
  isfolder: false,
  name,
  size: i,
  hash: 18446744073709551615n - BigInt(i),
  ratio: 0.5,
  missing: undefined as unknown as Value,
  nothing: null,
  thumb: i % 2 === 0,
});

describe('kept JSON (withJsonBytes)', () => {
  it('writes a kept array exactly as the array itself would be written', () => {
    const names = ['plain', 'é', '日本語', '😀 emoji', 'quote " and \\ back', 'x"\u0000n12"', '\u0000start', 'line\nbreak', '},{'];
    const contents = withJsonBytes(names.map((n, i) => file(i, n)));
    const text = sameAsPlain({ result: 0, metadata: { name: 'top', contents, hash: 5n }, id: 'x' });
    expect(text).toContain('"hash":18446744073709551615,');
    expect(text).not.toContain('missing');
    // written again from what was kept, its items untouched
    sameAsPlain({ result: 0, metadata: { name: 'again', contents } });
    expect(contents[0]).toEqual(plain(file(0, 'plain')));
  });

  it('keeps it frozen, its bytes out of sight of JSON.stringify, Object.keys and spreading', () => {
    const items = withJsonBytes([file(1), file(2)]);
    expect(Object.isFrozen(items)).toBe(true);
    expect(Object.keys(items)).toEqual(['0', '1']);
    expect(() => (items as Value[]).push(3)).toThrow(TypeError);
    // a copy is an ordinary array, written from its own items
    const copy = [...items, file(3)];
    expect(toJson({ copy })).toBe(toJson({ copy: plain(copy) }));
  });

  it('writes kept arrays nested, side by side and empty', () => {
    const items = withJsonBytes([1, 2, 3].map((i) => file(i)));
    sameAsPlain({ result: 0, list: [{ a: 1 }, items, file(9), items, 'last', withJsonBytes([])] });
    sameAsPlain({ result: 0, deep: [[[items]]] });
    // a kept array of kept arrays
    sameAsPlain({ result: 0, outer: withJsonBytes([items, withJsonBytes([file(4)]), 'x']) });
  });

  it('sends a big kept array as its own chunk, the rest in few', () => {
    const items = withJsonBytes(Array.from({ length: 500 }, (_, i) => file(i)));
    const chunks = toJsonChunks({ result: 0, metadata: { name: 'big', contents: items } });
    expect(chunks.length).toBe(3);
    expect(chunks[1]!.length).toBeGreaterThan(16 * 1024);
    // a tree without kept arrays: one chunk, the bytes of toJsonBytes
    const small = { result: 0, hash: 7n };
    expect(toJsonChunks(small)).toEqual([toJsonBytes(small)]);
  });
});
