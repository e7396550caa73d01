// Catalogue facts are checked by packages/catalog/test/sdk-definitions.test.ts;
// this file keeps the choices the SDK makes on its own.
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('revision definitions', () => {
  test('listrevisions is safe to repeat, revertrevision is not', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['listrevisions']);
  });
});
