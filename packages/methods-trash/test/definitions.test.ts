// Catalogue facts are checked by packages/catalog/test/sdk-definitions.test.ts;
// this file keeps the choices the SDK makes on its own.
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('trash definitions', () => {
  test('only the reads are safe to repeat', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['trash_list', 'trash_restorepath']);
  });

  test('documented int flags are flag params', () => {
    const types = (m: (typeof pkg.definitions)[number]) => Object.fromEntries(m.paramList.map((p) => [p.name, p.type]));
    expect(types(pkg.trash_list)).toMatchObject({ recursive: 'flag', nofiles: 'flag', folderid: 'int' });
    expect(types(pkg.trash_restore)).toMatchObject({ metadata: 'flag', restoreto: 'int' });
  });
});
