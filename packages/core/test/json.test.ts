import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../src/index.js';

describe('parseJson', () => {
  it('keeps unsigned 64-bit hashes exact as bigint', () => {
    const v = parseJson('{"result":0,"hash":10681749967730527559,"size":12}') as Record<string, unknown>;
    expect(v.hash).toBe(10681749967730527559n);
    expect(v.size).toBe(12);
  });
  it('keeps safe integers, floats and 2^53-1 as numbers', () => {
    const v = parseJson('[9007199254740991,9007199254740993,1.5,-3,1e21,18446744073709551615]') as unknown[];
    expect(v).toEqual([9007199254740991, 9007199254740993n, 1.5, -3, 1e21, 18446744073709551615n]);
  });
  it('does not touch digits inside strings, including escaped quotes', () => {
    const v = parseJson('{"a":"x\\"12345678901234567890","b":"12345678901234567890"}') as Record<string, unknown>;
    expect(v).toEqual({ a: 'x"12345678901234567890', b: '12345678901234567890' });
  });
  it('rejects broken JSON like JSON.parse does', () => {
    expect(() => parseJson('{"result":0,"hash":12345678901234567890')).toThrow(SyntaxError);
    expect(() => parseJson('<html>')).toThrow(SyntaxError);
  });
  it('stringifyJson writes bigints exactly and round-trips', () => {
    const text = '{"hash":18446744073709551615,"list":[1,-92233720368547758070]}';
    expect(stringifyJson(parseJson(text))).toBe(text);
  });
});
