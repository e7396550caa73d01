// Catalogue facts (names, groups, login, params, one-of sets) are checked for
// every method package by packages/catalog/test/sdk-definitions.test.ts; this
// file keeps the choices the SDK makes on its own.
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('thumbnail definitions', () => {
  test('every method but savethumb is safe to repeat', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['getthumb', 'getthumblink', 'getthumbslinks']);
  });

  test('crop and noover are flags; type is png or jpeg', () => {
    const types = (m: (typeof pkg.definitions)[number]) => Object.fromEntries(m.paramList.map((p) => [p.name, p.type]));
    expect(types(pkg.savethumb)).toMatchObject({ crop: 'flag', noover: 'flag', size: 'string' });
    expect(pkg.getthumblink.params.type?.enum).toEqual(['png', 'jpeg']);
  });

  test('thumbSize follows pCloud rules', () => {
    expect(pkg.thumbSize('120x120')).toBe('120x120');
    expect(pkg.thumbSize({ width: 2048, height: 1024 })).toBe('2048x1024');
    expect(pkg.thumbSize({ width: 25, height: 16 })).toBe('25x16');
    for (const bad of ['12x16', '16x12', '2052x16', '16x1028', '17x16', '16x33', '16', 'ax16'] as const) {
      expect(() => pkg.thumbSize(bad as pkg.ThumbSize), bad).toThrow(RangeError);
    }
    expect(() => pkg.thumbSize({ width: 16.5, height: 16 })).toThrow(RangeError);
  });
});
