import { findMethod } from '@pcloudkit/catalog';
import { describe, expect, it } from 'vitest';
import type { Case } from '../src/cases.js';
import { checkAnswer, checkMetadata, checkType, compareAnswers, documentedCodes } from '../src/check.js';

const listfolder = findMethod('listfolder')!;
const caseOf = (expectation: Case['expect']): Case => ({
  kind: 'correct',
  label: 'x',
  login: 'user',
  expect: expectation,
  uses: [],
  params: () => ({}),
});
const when = 'Thu, 21 Mar 2013 18:31:45 +0000';
const folder = {
  id: 'd5',
  isfolder: true,
  name: 'Docs',
  folderid: 5,
  parentfolderid: 0,
  created: when,
  modified: when,
  ismine: true,
  isshared: false,
  icon: 'folder',
  thumb: false,
};
const file = {
  id: 'f9',
  isfolder: false,
  name: 'a.txt',
  fileid: 9,
  parentfolderid: 5,
  created: when,
  modified: when,
  ismine: true,
  isshared: false,
  icon: 'document',
  category: 4,
  thumb: false,
  size: 3,
  contenttype: 'text/plain',
  hash: 10681749967730527559n,
};

describe('checkMetadata', () => {
  it('accepts the Metadata structure and finds what breaks it', () => {
    expect(checkMetadata({ ...folder, contents: [file] }, 'm')).toEqual([]);
    const { size: _size, ...noSize } = file;
    expect(checkMetadata(noSize, 'm')).toEqual(['m.size: missing']);
    expect(checkMetadata({ ...file, id: 'f8' }, 'm')).toEqual(['m.id: expected f9, got f8']);
    expect(checkMetadata({ ...file, created: '2013-03-21T18:31:45Z' }, 'm')[0]).toMatch(/created: expected an RFC 2822/);
    expect(checkMetadata({ ...file, isshared: 0 }, 'm')[0]).toMatch(/isshared: expected a boolean/);
    expect(checkMetadata({ ...file, category: 9 }, 'm')[0]).toMatch(/outside 0-5/);
    expect(checkMetadata({ ...file, ismine: false }, 'm')).toEqual([
      'm.canread: missing',
      'm.canmodify: missing',
      'm.candelete: missing',
      'm.userid: missing',
    ]);
  });
});

describe('checkType', () => {
  it('wants RFC 2822 dates by default and numbers with timeformat=timestamp', () => {
    expect(checkType('datetime', when, 'd')).toEqual([]);
    expect(checkType('datetime', 1363890705, 'd')).toHaveLength(1);
    expect(checkType('datetime', 1363890705, 'd', true)).toEqual([]);
    expect(checkType('datetime', when, 'd', true)).toHaveLength(1);
    expect(checkMetadata({ ...file, created: 1363890705, modified: 1363890705 }, 'm', true)).toEqual([]);
    expect(checkType('int', 10681749967730527559n, 'h')).toEqual([]);
    expect(checkType('string[]', ['a', 1], 's')).toHaveLength(1);
  });
});

describe('checkAnswer', () => {
  it('passes a correct answer and checks the output types', () => {
    const ok = { kind: 'body' as const, body: { result: 0, id: 'q', metadata: { ...folder, contents: [file] } } };
    expect(checkAnswer(listfolder, caseOf('ok'), ok, 'binary', 'q')).toEqual([]);
    const bad = { kind: 'body' as const, body: { result: 0, id: 'q', metadata: [] } };
    expect(checkAnswer(listfolder, caseOf('ok'), bad, 'binary', 'q').map((f) => f.aspect)).toEqual(['output metadata']);
  });

  it('wants documented codes, exact messages, X-Error and the id echo', () => {
    const answer = (result: number, error: string, xError?: string) => ({
      kind: 'body' as const,
      body: { result, error, id: 'q' },
      ...(xError ? { xError } : {}),
    });
    expect(checkAnswer(listfolder, caseOf('error'), answer(2005, 'Directory does not exist.', '2005'), 'http', 'q')).toEqual([]);
    expect(checkAnswer(listfolder, caseOf('error'), answer(2005, 'Directory does not exist', '2005'), 'http', 'q')[0]?.aspect).toBe(
      'message',
    );
    expect(checkAnswer(listfolder, caseOf('error'), answer(2009, 'File not found.', '2009'), 'http', 'q')[0]?.detail).toMatch(
      /not documented for listfolder/,
    );
    expect(checkAnswer(listfolder, caseOf('error'), answer(2005, 'Directory does not exist.'), 'http', 'q')[0]?.aspect).toBe('X-Error');
    expect(checkAnswer(listfolder, caseOf('ok'), answer(2005, 'Directory does not exist.'), 'binary', 'q')[0]?.aspect).toBe('result');
    expect(checkAnswer(listfolder, caseOf([1000]), answer(2000, 'Log in failed.'), 'binary', 'q')[0]?.detail).toMatch(/expected 1000/);
    expect(checkAnswer(listfolder, caseOf('either'), answer(2005, 'Directory does not exist.'), 'binary', 'other')[0]?.aspect).toBe(
      'id echo',
    );
    expect(checkAnswer(listfolder, caseOf('error'), { kind: 'dropped', reason: 'closed' }, 'binary')[0]?.aspect).toBe('answer');
  });

  it('counts the general codes as documented', () => {
    const codes = documentedCodes(listfolder);
    expect(codes.has(1017)).toBe(true); // takes folderid
    expect(codes.has(1018)).toBe(false); // takes no fileid
    expect(codes.has(5000)).toBe(true);
  });
});

describe('compareAnswers', () => {
  const roots = { http: '/r/http', binary: '/r/binary' };
  it('ignores ids, dates and the fixture roots, and finds real differences', () => {
    const a = { kind: 'body' as const, body: { result: 0, metadata: { ...file, path: '/r/http/a.txt' } } };
    const b = {
      kind: 'body' as const,
      body: { result: 0, metadata: { ...file, fileid: 10, id: 'f10', path: '/r/binary/a.txt', created: 1363890705 } },
    };
    expect(compareAnswers(a, b, roots).map((f) => f.aspect)).toEqual(['parity metadata.created']);
    const c = { kind: 'body' as const, body: { result: 0, metadata: { ...file, path: '/r/binary/a.txt', size: '3' } } };
    expect(compareAnswers(a, c, roots).map((f) => f.aspect)).toEqual(['parity metadata.size']);
    const { hash: _hash, ...noHash } = file;
    const d = { kind: 'body' as const, body: { result: 0, metadata: { ...noHash, hash: 10681749967730527558n } } };
    expect(compareAnswers({ kind: 'body', body: { result: 0, metadata: file } }, d, roots).map((f) => f.detail)).toEqual([
      '10681749967730527559 over HTTP, 10681749967730527558 over binary',
    ]);
  });

  it('skips only the parts that record fixture times, and only for their method', () => {
    const { hash: _hash, ...noHash } = file;
    const a = { kind: 'body' as const, body: { result: 0, metadata: file } };
    const b = { kind: 'body' as const, body: { result: 0, metadata: { ...noHash, hash: 1n } } };
    expect(compareAnswers(a, b, roots, 'savezip')).toEqual([]);
    expect(compareAnswers(a, b, roots, 'copyfile').map((f) => f.aspect)).toEqual(['parity metadata.hash']);
  });
});
