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

  it('copies the bytes of the items an earlier kept array had, and writes the others', () => {
    const tricky = ['},{"id":"f9"', 'a"},{"id":', '\\"},{"id":', 'é},{"id":日本'];
    const old = tricky.map((n, i) => file(i, n)).concat([file(10), file(11)]);
    const first = withJsonBytes([...old]);
    sameAsPlain({ result: 0, contents: first });
    // reordered, one dropped, one new, one of them new although its name is the same
    const next = [old[5]!, old[0]!, file(20, 'new'), old[3]!, old[1]!, file(2, tricky[2])];
    const at = Int32Array.from(next.map((item) => first.indexOf(item)));
    expect([...at]).toEqual([5, 0, -1, 3, 1, -1]);
    const second = withJsonBytes(next, { from: first, at });
    sameAsPlain({ result: 0, contents: second });
    // and a third from the second
    const third = withJsonBytes([next[1]!, next[0]!], { from: second, at: Int32Array.from([1, 0]) });
    sameAsPlain({ result: 0, contents: third });
    // items that are not flat objects beginning with the same key: written in full, all the same
    const nested = withJsonBytes([{ id: 'a', list: [{ id: 1 }, { id: 2 }] }, file(1)]);
    sameAsPlain({ result: 0, contents: nested });
    sameAsPlain({ result: 0, contents: withJsonBytes([file(1), nested[0]!], { from: nested, at: Int32Array.from([1, 0]) }) });
    // another first key, and a nested boundary-like text that would make the count add up
    const keys = withJsonBytes([{ id: 'a', list: [{ id: 1 }, { id: 2 }] }, { name: 'b', id: 'c' }, { id: 'd' }]);
    sameAsPlain({ result: 0, contents: keys });
    sameAsPlain({ result: 0, contents: withJsonBytes([keys[2]!, keys[1]!, keys[0]!], { from: keys, at: Int32Array.from([2, 1, 0]) }) });
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
