// Catalogue facts (names, groups, login, params) are checked for every method
// package by packages/catalog/test/sdk-definitions.test.ts; this file keeps
// the SDK's own choices.
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('transfer definitions', () => {
  test('neither method needs a login; only the progress poll is safe to repeat', () => {
    expect(pkg.definitions.filter((d) => d.auth).map((d) => d.name)).toEqual([]);
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['uploadtransferprogress']);
  });

  test('recipients are a list param; the upload carries files', () => {
    const types = Object.fromEntries(pkg.uploadtransfer.paramList.map((p) => [p.name, p.type]));
    expect(types).toMatchObject({ sendermail: 'string', receivermails: 'string-list', message: 'string' });
    expect(pkg.uploadtransfer.data).toBe('upload');
  });
});
