import { describe, expect, test } from 'vitest';
import { isMethod } from '@pcloudkit/core';
import * as pkg from '../src/index.js';

const expected: Record<string, { oneOf: Record<string, string[]>; idempotent: boolean; required?: string[]; data?: string }> = {
  uploadfile: { oneOf: {}, idempotent: false, data: 'upload' },
  uploadprogress: { oneOf: {}, idempotent: true, required: ['progresshash'] },
  downloadfile: { oneOf: {}, idempotent: false, required: ['url'] },
  downloadfileasync: { oneOf: {}, idempotent: false, required: ['url'] },
  copyfile: { oneOf: { source: ['fileid', 'path'], destination: ['tofolderid', 'topath'] }, idempotent: false },
  checksumfile: { oneOf: { target: ['fileid', 'path'] }, idempotent: true },
  deletefile: { oneOf: { target: ['fileid', 'path'] }, idempotent: false },
  renamefile: { oneOf: { source: ['fileid', 'path'] }, idempotent: false },
  stat: { oneOf: { target: ['path', 'fileid'] }, idempotent: true },
};

describe('file definitions', () => {
  test('every catalogue method is defined, exported by wire name and in the plugin', () => {
    expect(pkg.definitions.map((d) => d.name)).toEqual(Object.keys(expected));
    expect(Object.keys(pkg.file.methods)).toEqual(Object.keys(expected));
    for (const [name, want] of Object.entries(expected)) {
      const def = (pkg as unknown as Record<string, unknown>)[name];
      expect(isMethod(def), name).toBe(true);
      const m = def as (typeof pkg.definitions)[number];
      expect(m.name).toBe(name);
      expect(m.group).toBe('file');
      expect(m.auth).toBe(true);
      expect(m.oneOf).toEqual(want.oneOf);
      expect(m.idempotent).toBe(want.idempotent);
      expect(m.data).toBe(want.data);
      expect(m.paramList.filter((p) => p.required).map((p) => p.name)).toEqual(want.required ?? []);
    }
  });

  test('uploadfile: filename is optional, documented flags are flags', () => {
    const types = Object.fromEntries(pkg.uploadfile.paramList.map((p) => [p.name, p.type]));
    expect(types).toEqual({
      path: 'string', folderid: 'int', filename: 'string', nopartial: 'flag', progresshash: 'string', renameifexists: 'flag', mtime: 'int', ctime: 'int',
    });
    expect(pkg.uploadfile.params.filename!.required).toBe(false);
    expect(pkg.copyfile.params.noover!.type).toBe('flag');
  });
});
