import { describe, expect, it } from 'vitest';
import { toJson, toJsonBytes } from '../src/json.js';

/** Both writers give the same text: toJson as a string, toJsonBytes as its UTF-8 bytes. */
function written(value: unknown): string {
  const text = toJson(value);
  expect(toJsonBytes(value).toString('utf8')).toBe(text);
  expect(toJsonBytes(value).length).toBe(Buffer.byteLength(text));
  return text;
}

describe('JSON writer', () => {
  it('writes bigints as exact integer literals, in objects and arrays', () => {
    const body = { result: 0, hash: 18446744073709551615n, list: [1n, 'a', 9007199254740993n], nested: { h: 0n } };
    expect(written(body)).toBe('{"result":0,"hash":18446744073709551615,"list":[1,"a",9007199254740993],"nested":{"h":0}}');
    // the tree is left as it was
    expect(body.hash).toBe(18446744073709551615n);
    expect(body.list[2]).toBe(9007199254740993n);
  });

  it('keeps byte offsets right after multi-byte names', () => {
    const contents = ['é', '日本語', '😀 emoji', 'plain'].map((name, i) => ({ name, hash: 12345678901234567890n + BigInt(i), size: i }));
    expect(written({ contents })).toBe(
      '{"contents":[{"name":"é","hash":12345678901234567890,"size":0},{"name":"日本語","hash":12345678901234567891,"size":1},' +
        '{"name":"😀 emoji","hash":12345678901234567892,"size":2},{"name":"plain","hash":12345678901234567893,"size":3}]}',
    );
  });

  it('leaves strings that only look like marks alone', () => {
    // the escaped form of a mark in a name; a quote then U+0000 (written as a mark's very text, after a backslash); U+0000 inside
    const body = { name: 'x"\\u0000n12"', quoted: 'x"\u0000n56"', other: 'a\u0000n34', hash: 5n, list: ['\\u0000n7'] };
    expect(written(body)).toBe(
      `{"name":${JSON.stringify(body.name)},"quoted":"x\\"\\u0000n56\\"","other":"a\\u0000n34","hash":5,"list":["\\\\u0000n7"]}`,
    );
  });

  it('takes strings and keys that start with U+0000 through the explicit writer', () => {
    const body = { '\u0000key': '\u0000n99', hash: 7n, skipped: undefined };
    expect(written(body)).toBe('{"\\u0000key":"\\u0000n99","hash":7}');
  });

  it('writes trees without bigints as JSON.stringify does', () => {
    const body = { result: 0, metadata: { name: 'ünï', contents: [{ a: 1 }, null, true] } };
    expect(written(body)).toBe(JSON.stringify(body));
  });
});
