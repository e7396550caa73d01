import { describe, expect, it } from 'vitest';
import { type Body, toJson, toJsonBytes, toJsonChunks, type Value, withJson, withJsonItems } from '../src/json.js';

/** A deep copy of a reply tree, without anything withJson attached. */
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

describe('kept JSON (withJson, withJsonItems)', () => {
  it('writes kept objects exactly as their members would be written', () => {
    const names = ['plain', 'é', '日本語', '😀 emoji', 'quote " and \\ back', 'x"\u0000n12"', '\u0000start', 'line\nbreak', '},{'];
    const entries = names.map((n, i) => withJson(file(i, n)));
    const text = sameAsPlain({ result: 0, metadata: { name: 'top', contents: entries, hash: 5n }, id: 'x' });
    expect(text).toContain('"hash":18446744073709551615,');
    expect(text).not.toContain('missing');
  });

  it('keeps them frozen, their bytes out of sight of JSON.stringify and Object.keys', () => {
    const m = withJson(file(1));
    expect(Object.isFrozen(m)).toBe(true);
    expect(Object.keys(m)).toEqual(['id', 'isfolder', 'name', 'size', 'hash', 'ratio', 'missing', 'nothing', 'thumb']);
    expect(() => {
      (m as Record<string, Value>).name = 'other';
    }).toThrow(TypeError);
  });

  it('leaves objects with nested members as they are', () => {
    const nested = { a: 1, list: [1n] } as Body;
    expect(withJson(nested)).toBe(nested);
    expect(Object.isFrozen(nested)).toBe(false);
  });

  it('writes a kept array, alone, after other items and nested, and an empty one', () => {
    const items = withJsonItems([1, 2, 3].map((i) => withJson(file(i))));
    expect(Object.isFrozen(items)).toBe(true);
    sameAsPlain({ result: 0, metadata: { contents: items } });
    sameAsPlain({ result: 0, list: [{ a: 1 }, items, withJson(file(9)), items, 'last'] });
    sameAsPlain({ result: 0, metadata: { contents: withJsonItems([]) } });
    // items that are not all kept: the array stays as it was
    const mixed = [withJson(file(1)), { name: 'fresh' }];
    expect(withJsonItems(mixed)).toBe(mixed);
    expect(Object.isFrozen(mixed)).toBe(false);
    sameAsPlain({ result: 0, contents: mixed });
  });

  it('sends a big kept array as its own chunk, the rest in few', () => {
    const items = withJsonItems(Array.from({ length: 500 }, (_, i) => withJson(file(i))));
    const chunks = toJsonChunks({ result: 0, metadata: { name: 'big', contents: items } });
    expect(chunks.length).toBe(3);
    expect(chunks[1]!.length).toBeGreaterThan(16 * 1024);
    // a tree without kept values: one chunk, the bytes of toJsonBytes
    const small = { result: 0, hash: 7n };
    expect(toJsonChunks(small)).toEqual([toJsonBytes(small)]);
  });
});
