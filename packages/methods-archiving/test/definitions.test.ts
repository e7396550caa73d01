// Catalogue facts (names, groups, login, params, one-of sets) are checked for
// every method package by packages/catalog/test/sdk-definitions.test.ts; this
// file keeps the choices the SDK makes on its own.
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('archiving definitions', () => {
  test('getzip answers data; the reads are safe to repeat, the jobs are not', () => {
    expect(pkg.getzip.data).toBe('download');
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual([
      'extractarchiveprogress',
      'getzip',
      'getziplink',
      'savezipprogress',
    ]);
  });

  test('tree ids are int lists, overwrite is one of three words', () => {
    const types = (m: (typeof pkg.definitions)[number]) => Object.fromEntries(m.paramList.map((p) => [p.name, p.type]));
    expect(types(pkg.getzip)).toMatchObject({
      folderids: 'int-list',
      fileids: 'int-list',
      excludefolderids: 'int-list',
      forcedownload: 'flag',
    });
    expect(pkg.extractarchive.paramList.find((p) => p.name === 'overwrite')).toMatchObject({ enum: ['rename', 'overwrite', 'skip'] });
  });
});
