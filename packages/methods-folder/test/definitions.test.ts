// Catalogue facts (names, groups, login, params, one-of sets) are checked for
// every method package by packages/catalog/test/sdk-definitions.test.ts; this
// file keeps the choices the SDK makes on its own.
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('folder definitions', () => {
  test('only listfolder is safe to repeat', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['listfolder']);
  });

  test('documented flags are flag params', () => {
    const types = (m: (typeof pkg.definitions)[number]) => Object.fromEntries(m.paramList.map((p) => [p.name, p.type]));
    expect(types(pkg.listfolder)).toMatchObject({ recursive: 'flag', showdeleted: 'flag', nofiles: 'flag', noshares: 'flag' });
    expect(types(pkg.copyfolder)).toMatchObject({ noover: 'flag', skipexisting: 'flag', copycontentonly: 'flag' });
  });
});
