import { describe, expect, it } from 'vitest';
import { answerSnippet, downloadUrls, loginKey, rangeHeader, wirePairs, wireText } from '../src/index.js';

describe('wire text', () => {
  it('writes booleans as 1/0, bigints exactly and refuses what cannot be sent', () => {
    expect(wireText(true)).toBe('1');
    expect(wireText(false)).toBe('0');
    expect(wireText(18446744073709551615n)).toBe('18446744073709551615');
    expect(wireText(12.5)).toBe('12.5');
    expect(() => wireText(Number.NaN)).toThrow(TypeError);
    expect(() => wireText({} as never)).toThrow(/cannot send a value of type object/);
  });

  it('keeps insertion order and skips unset fields', () => {
    expect(wirePairs({ b: 1, a: 'x', skip: undefined, none: null, flag: true })).toEqual([
      ['b', '1'],
      ['a', 'x'],
      ['flag', '1'],
    ]);
    expect(wirePairs(undefined)).toEqual([]);
  });
});

describe('answerSnippet', () => {
  it('blanks the credentials the request carried, flattens white space and control characters, and cuts long text', () => {
    const text = `<html>\n token=secret-token bearer=abcd1234\u0001 ${'x'.repeat(400)}`;
    const s = answerSnippet(text, { auth: 'secret-token', folderid: 1 }, 'abcd1234', 60);
    expect(s).toBe(`<html> token=[redacted] bearer=[redacted]? ${'x'.repeat(17)}…`);
  });
});

describe('download sources and ranges', () => {
  it('lists the URLs of a link answer, one URL or a list', () => {
    expect(downloadUrls({ hosts: ['c1.example', 'c2.example'], path: '/k/f.txt' })).toEqual([
      'https://c1.example/k/f.txt',
      'https://c2.example/k/f.txt',
    ]);
    expect(downloadUrls('http://h/x')).toEqual(['http://h/x']);
    expect(downloadUrls(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('writes the Range header of a valid range and refuses bad ones', () => {
    expect(rangeHeader({ start: 5 })).toBe('bytes=5-');
    expect(rangeHeader({ start: 0, end: 9 })).toBe('bytes=0-9');
    expect(() => rangeHeader({ start: 5, end: 2 })).toThrow(RangeError);
    expect(() => rangeHeader({ start: -1 })).toThrow(RangeError);
  });
});

describe('loginKey', () => {
  it('is empty for an anonymous call, whatever else it carries', () => {
    expect(loginKey({})).toBe('');
    expect(loginKey({ folderid: 0, path: '/x', auth: undefined, username: null })).toBe('');
  });

  it('tells logins apart and ignores params that are not credentials', () => {
    const a = loginKey({ auth: 'token-a', folderid: 1 });
    expect(loginKey({ auth: 'token-a', folderid: 2 })).toBe(a);
    expect(loginKey({ auth: 'token-b' })).not.toBe(a);
    expect(loginKey({ access_token: 'token-a' })).not.toBe(a);
    expect(loginKey({ username: 'a@x.test', password: 'one' })).not.toBe(loginKey({ username: 'a@x.test', password: 'two' }));
  });

  it('counts a bearer header as a login unless access_token is sent too', () => {
    expect(loginKey({}, 'tok')).not.toBe('');
    expect(loginKey({}, 'tok')).not.toBe(loginKey({}, 'other'));
    expect(loginKey({ access_token: 'tok' }, 'tok')).toBe(loginKey({ access_token: 'tok' }));
  });
});
