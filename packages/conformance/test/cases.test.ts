import type { CatalogMethod } from '@pcloudkit/catalog';
import { describe, expect, it } from 'vitest';
import { findMethod } from '@pcloudkit/catalog';
import { codesNaming, outOfRange, planCases, UNKNOWN } from '../src/cases.js';

// A hand-made catalogue entry with one of everything the generator reads.
const entry: CatalogMethod = {
  name: 'demo',
  group: 'demo',
  auth: true,
  summary: 'A made-up method.',
  params: [
    { name: 'fileid', type: 'int', required: 'one-of:target', summary: 'File.' },
    { name: 'path', type: 'string', required: 'one-of:target', summary: 'File path.' },
    { name: 'name', type: 'string', required: true, summary: 'A name.' },
    { name: 'abitrate', type: 'int', required: false, summary: 'Audio bitrate in kbit/s, 16-320.' },
    { name: 'after', type: 'datetime', required: false, summary: 'Since when.' },
    { name: 'diffid', type: 'int', required: false, summary: 'Since which event.' },
    { name: 'mtime', type: 'int', required: false, summary: 'Modification time.' },
    { name: 'ctime', type: 'int', required: false, summary: 'Creation time.', requires: 'mtime' },
    { name: 'size', type: 'string', required: false, summary: "Target size 'WIDTHxHEIGHT', between 64x64 and 1280x960." },
  ],
  oneOf: { target: ['fileid', 'path'] },
  atMostOne: { since: ['after', 'diffid'] },
  output: [{ name: 'metadata', type: 'metadata', summary: 'The file.' }],
  errors: [1000, 1004, 2000, 2009],
  notes: [],
  confidence: 'docs',
};

const values = { fileid: 7, path: '/a/b.txt', name: 'n', after: '2020-01-01', diffid: 3, mtime: 10, ctime: 5 };
const provided = new Set(Object.keys(values));

describe('planCases', () => {
  const plan = planCases(entry, provided);
  const byLabel = new Map(plan.cases.map((c) => [c.label, c]));
  const paramsOf = (label: string) => byLabel.get(label)?.params(values);

  it('makes the correct call from required params, the first one-of member, one at-most-one member and the rest', () => {
    expect(plan.missing).toEqual([]);
    expect(paramsOf('correct')).toEqual({ fileid: 7, name: 'n', after: '2020-01-01', mtime: 10, ctime: 5 });
    expect(byLabel.get('correct')).toMatchObject({ kind: 'correct', login: 'user', expect: 'ok' });
    expect(paramsOf('correct, timeformat=timestamp')).toEqual({
      fileid: 7,
      name: 'n',
      after: '2020-01-01',
      mtime: 10,
      ctime: 5,
      timeformat: 'timestamp',
    });
    expect(byLabel.get('correct, timeformat=timestamp')).toMatchObject({ expect: 'ok', timestamps: true });
    expect(paramsOf('correct, target by path')).toEqual({ path: '/a/b.txt', name: 'n', after: '2020-01-01', mtime: 10, ctime: 5 });
  });

  it('derives the wrong calls from the entry', () => {
    expect(paramsOf('missing name')).toEqual({ fileid: 7, after: '2020-01-01', mtime: 10, ctime: 5 });
    expect(byLabel.get('missing name')?.expect).toBe('error');
    expect(paramsOf('none of target')).toEqual({ name: 'n', after: '2020-01-01', mtime: 10, ctime: 5 });
    // 1004 "No fileid or path provided." names the set's members
    expect(byLabel.get('none of target')?.expect).toEqual([1004]);
    expect(paramsOf('all of target')).toMatchObject({ fileid: 7, path: '/a/b.txt' });
    expect(byLabel.get('all of target')?.expect).toBe('either');
    expect(paramsOf('two of since')).toMatchObject({ after: '2020-01-01', diffid: 3 });
    expect(paramsOf('ctime without mtime')).toEqual({ fileid: 7, name: 'n', after: '2020-01-01', ctime: 5 });
    expect(paramsOf('fileid not a number')).toEqual({ fileid: 'x1', name: 'n', after: '2020-01-01', mtime: 10, ctime: 5 });
    expect(byLabel.get('fileid not a number')?.expect).toBe('error');
    expect(byLabel.get('diffid not a number')?.expect).toBe('either');
    expect(byLabel.get('after not a date')?.expect).toBe('error');
    expect(paramsOf('abitrate=15')).toMatchObject({ abitrate: 15 });
    expect(paramsOf('abitrate=321')).toMatchObject({ abitrate: 321 });
    expect(paramsOf('size=63x63')).toMatchObject({ size: '63x63' });
    expect(paramsOf('unknown fileid')).toMatchObject({ fileid: UNKNOWN.id });
    expect(byLabel.get('no login')).toMatchObject({ login: 'none', expect: [1000] });
    expect(byLabel.get('bad login')).toMatchObject({ login: 'bad', expect: [2000] });
    // a one-of member goes in the place of the chosen one
    expect(paramsOf('unknown path')).toEqual({ path: UNKNOWN.path, name: 'n', after: '2020-01-01', mtime: 10, ctime: 5 });
    // strings have no wrong type
    expect(byLabel.has('name not a number')).toBe(false);
  });

  it('gives every case a unique label', () => {
    expect(new Set(plan.cases.map((c) => c.label)).size).toBe(plan.cases.length);
  });

  it('reports what no fixture fills instead of planning calls', () => {
    const partial = planCases(entry, new Set(['fileid']));
    expect(partial.missing).toEqual(['name']);
    expect(partial.cases).toEqual([]);
    expect(planCases(entry, new Set(['name'])).missing).toEqual(['target (fileid|path)']);
  });

  it('sends companions along with their one-of member', () => {
    const folderEntry: CatalogMethod = {
      ...entry,
      params: [
        { name: 'path', type: 'string', required: 'one-of:target', summary: '' },
        { name: 'folderid', type: 'int', required: 'one-of:target', summary: '' },
        { name: 'name', type: 'string', required: false, summary: '' },
      ],
      oneOf: { target: ['path', 'folderid'] },
      atMostOne: {},
      errors: [1000, 2002],
    };
    const v = { path: '/x', folderid: 4, name: 'y' };
    const p = planCases(folderEntry, new Set(Object.keys(v)), { companions: { folderid: ['name'] } });
    const get = (label: string) => p.cases.find((c) => c.label === label)?.params(v);
    expect(get('correct')).toEqual({ path: '/x' });
    expect(get('correct, target by folderid')).toEqual({ folderid: 4, name: 'y' });
    expect(get('none of target')).toEqual({});
    // the method documents 2002, so its unknown path misses a parent too
    expect(get('unknown path')).toEqual({ path: UNKNOWN.deepPath });
  });

  it('sends upload methods also as a multipart POST', () => {
    const upload: CatalogMethod = {
      ...entry,
      data: 'upload',
      params: [...entry.params, { name: 'filename', type: 'string', required: false, summary: 'Name.' }],
    };
    expect(planCases(upload, provided).cases.find((c) => c.multipart)?.label).toBe('correct, multipart');
    expect(plan.cases.some((c) => c.multipart)).toBe(false);
  });

  it('plans anonymous methods without a no-login case', () => {
    const anon = planCases({ ...entry, auth: false, errors: [] }, provided);
    expect(anon.cases.find((c) => c.label === 'correct')?.login).toBe('none');
    expect(anon.cases.some((c) => c.kind === 'no-login' || c.kind === 'bad-login')).toBe(false);
  });
});

describe('outOfRange', () => {
  it('reads ranges from param summaries', () => {
    expect(outOfRange({ name: 'v', type: 'int', required: false, summary: 'Video bitrate, 16 to 4000.' })).toEqual([15, 4001]);
    expect(outOfRange({ name: 's', type: 'string', required: false, summary: 'WIDTHxHEIGHT; width 16-2048, height 16-1024.' })).toEqual([
      '15x15',
      '2049x1025',
    ]);
    expect(outOfRange({ name: 'n', type: 'int', required: false, summary: 'Any number.' })).toEqual([]);
  });
});

describe('codesNaming', () => {
  it('finds the documented request errors whose message names the params', () => {
    expect(codesNaming(findMethod('feedback')!, ['mail'])).toEqual([1033]);
    expect(codesNaming(findMethod('listfolder')!, ['path', 'folderid'])).toEqual([1002]);
    expect(codesNaming(findMethod('copyfile')!, ['tofolderid', 'topath'])).toEqual([1016]);
    expect(codesNaming(findMethod('uploadfile')!, ['filename'])).toEqual([]);
  });
});
