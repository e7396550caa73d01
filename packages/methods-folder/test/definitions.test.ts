import { describe, expect, test } from 'vitest';
import { isMethod } from '@pcloudkit/core';
import * as pkg from '../src/index.js';

const expected = {
  createfolder: { oneOf: { target: ['path', 'folderid'] }, idempotent: false },
  createfolderifnotexists: { oneOf: { target: ['path', 'folderid'] }, idempotent: false },
  listfolder: { oneOf: { target: ['path', 'folderid'] }, idempotent: true },
  renamefolder: { oneOf: { source: ['folderid', 'path'] }, idempotent: false },
  deletefolder: { oneOf: { target: ['folderid', 'path'] }, idempotent: false },
  deletefolderrecursive: { oneOf: { target: ['path', 'folderid'] }, idempotent: false },
  copyfolder: { oneOf: { source: ['folderid', 'path'], destination: ['tofolderid', 'topath'] }, idempotent: false },
};

describe('folder definitions', () => {
  test('every catalogue method is defined, exported by wire name and in the plugin', () => {
    expect(pkg.definitions.map((d) => d.name)).toEqual(Object.keys(expected));
    expect(Object.keys(pkg.folder.methods)).toEqual(Object.keys(expected));
    for (const [name, want] of Object.entries(expected)) {
      const def = (pkg as unknown as Record<string, unknown>)[name];
      expect(isMethod(def), name).toBe(true);
      const m = def as (typeof pkg.definitions)[number];
      expect(m.name).toBe(name);
      expect(m.group).toBe('folder');
      expect(m.auth).toBe(true);
      expect(m.oneOf).toEqual(want.oneOf);
      expect(m.idempotent).toBe(want.idempotent);
      expect(pkg.folder.methods[name as keyof typeof pkg.folder.methods]).toBe(m);
      // one-of members are never marked required
      for (const p of m.paramList) if (p.oneOf) expect(p.required, `${name}.${p.name}`).toBe(false);
    }
  });

  test('documented flags are flag params', () => {
    const types = (m: (typeof pkg.definitions)[number]) => Object.fromEntries(m.paramList.map((p) => [p.name, p.type]));
    expect(types(pkg.listfolder)).toMatchObject({ recursive: 'flag', showdeleted: 'flag', nofiles: 'flag', noshares: 'flag', folderid: 'int', path: 'string' });
    expect(types(pkg.copyfolder)).toMatchObject({ noover: 'flag', skipexisting: 'flag', copycontentonly: 'flag' });
  });
});
