// Catalogue facts (names, groups, login, params, one-of and at-most-one sets,
// data direction) are checked for every method package by
// packages/catalog/test/sdk-definitions.test.ts; this file keeps the choices
// the SDK makes on its own.
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('file definitions', () => {
  test('only the reads are safe to repeat', () => {
    expect(
      pkg.definitions
        .filter((d) => d.idempotent)
        .map((d) => d.name)
        .sort(),
    ).toEqual(['checksumfile', 'stat', 'uploadprogress']);
  });

  test('documented flags are flag params', () => {
    expect(pkg.uploadfile.params).toMatchObject({ nopartial: { type: 'flag' }, renameifexists: { type: 'flag' } });
    expect(pkg.copyfile.params.noover!.type).toBe('flag');
  });
});
