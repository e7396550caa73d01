import { describe, expect, it } from 'vitest';
import { ProtocolError, ValidationError } from '@pcloudkit/core';
import { BinaryData, decodeResponse, decodeTree, encodeRequest, readFrameLength } from '../src/index.js';
import { hex, toHex } from './helpers/hex.js';

describe('encodeRequest: worked examples', () => {
  it('request 1: listfolder with a string, a number and a bool', () => {
    const bytes = encodeRequest('listfolder', { auth: 'tok', folderid: 0, recursive: true });
    expect(toHex(bytes)).toBe(
      toHex(
        hex(`
      34 00                            # reqlen = 52
      0a                               # method name length 10, no data
      6c 69 73 74 66 6f 6c 64 65 72    # "listfolder"
      03                               # 3 parameters
      04 61 75 74 68                   # string param, name length 4: "auth"
      03 00 00 00 74 6f 6b             # u32 length 3, "tok"
      48 66 6f 6c 64 65 72 69 64       # number param (0x40 | 8): "folderid"
      00 00 00 00 00 00 00 00          # u64 0
      89 72 65 63 75 72 73 69 76 65    # bool param (0x80 | 9): "recursive"
      01                               # true
    `),
      ),
    );
  });

  it('request 2: file_write with fd -1 (sent as a string) and a 5-byte payload', () => {
    const bytes = encodeRequest('file_write', { fd: -1 }, { dataLength: 5 });
    expect(toHex(bytes)).toBe(
      toHex(
        hex(`
      1d 00                            # reqlen = 29, the 8-byte datalen included
      8a                               # 0x80 | 10: data follows, name length 10
      05 00 00 00 00 00 00 00          # datalen = 5
      66 69 6c 65 5f 77 72 69 74 65    # "file_write"
      01                               # 1 parameter
      02 66 64 02 00 00 00 2d 31       # string "fd" = "-1"
    `),
      ),
    );
  });
});

describe('encodeRequest: value forms', () => {
  it('writes every number width exactly, as u64', () => {
    const bytes = encodeRequest('m', { a: 0x0102030405060708n, b: 2 ** 53 + 2, c: (1n << 64n) - 1n, d: false });
    expect(toHex(bytes)).toBe(
      toHex(
        hex(`
      24 00                            # reqlen = 36 = 1 + 1 + 1 + 3 * (1+1+8) + (1+1+1)
      01 6d                            # method "m"
      04                               # 4 params
      41 61 08 07 06 05 04 03 02 01    # "a" = 0x0102030405060708, little-endian
      41 62 02 00 00 00 00 00 20 00    # "b" = 2^53 + 2 = 0x0020000000000002
      41 63 ff ff ff ff ff ff ff ff    # "c" = 2^64 - 1
      81 64 00                         # bool "d" = false
    `),
      ),
    );
  });

  it('sends negative, fractional and out-of-range numbers as their decimal strings', () => {
    const bytes = encodeRequest('m', { a: -5, b: 1.5, c: 1n << 64n, d: -2n });
    expect(toHex(bytes)).toBe(
      toHex(
        hex(`
      36 00                            # reqlen = 54 = 3 + 8 + 9 + 26 + 8
      01 6d 04                         # "m", 4 params
      01 61 02 00 00 00 2d 35          # "a" = "-5"
      01 62 03 00 00 00 31 2e 35       # "b" = "1.5"
      01 63 14 00 00 00                # "c" = 20 characters:
      31 38 34 34 36 37 34 34 30 37 33 37 30 39 35 35 31 36 31 36  # "18446744073709551616"
      01 64 02 00 00 00 2d 32          # "d" = "-2"
    `),
      ),
    );
  });

  it('encodes UTF-8 strings by byte length and skips undefined params', () => {
    const bytes = encodeRequest('m', { n: 'é€😀', skip: undefined });
    expect(toHex(bytes)).toBe(
      toHex(
        hex(`
      12 00                            # reqlen = 18 = 1 + 1 + 1 + (1+1+4+9)
      01 6d 01                         # "m", 1 param
      01 6e 09 00 00 00                # "n", 9 bytes:
      c3 a9 e2 82 ac f0 9f 98 80       # é (2) € (3) 😀 (4)
    `),
      ),
    );
  });

  it('sets the data bit only for a payload, unless forced', () => {
    expect(toHex(encodeRequest('m', {}, { dataLength: 0 }))).toBe('03 00 01 6d 00');
    expect(toHex(encodeRequest('m', {}, { dataLength: 0, forceDataBit: true }))).toBe(toHex(hex('0b 00 81 00 00 00 00 00 00 00 00 6d 00')));
    expect(toHex(encodeRequest('m', {}, { dataLength: 2n ** 40n }))).toBe(toHex(hex('0b 00 81 00 00 00 00 00 01 00 00 6d 00')));
  });
});

describe('encodeRequest: limits', () => {
  const expectValidation = (fn: () => unknown, param: string, text: RegExp) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).param).toBe(param);
    expect((error as Error).message).toMatch(text);
  };

  it('accepts a 127-byte method name and rejects 128', () => {
    expect(encodeRequest('m'.repeat(127))[2]).toBe(127);
    expectValidation(() => encodeRequest('m'.repeat(128)), '', /at most 127/);
  });

  it('rejects empty and non-ASCII method names', () => {
    expectValidation(() => encodeRequest(''), '', /empty/);
    expectValidation(() => encodeRequest('listé'), '', /ASCII/);
  });

  it('accepts a 63-byte param name and rejects 64', () => {
    const ok = encodeRequest('m', { ['p'.repeat(63)]: true });
    expect(ok[5]).toBe(0x80 | 63);
    expectValidation(() => encodeRequest('m', { ['p'.repeat(64)]: true }), 'p'.repeat(64), /at most 63/);
  });

  it('accepts 255 params and rejects 256', () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, true]));
    expect(encodeRequest('m', many(255))[4]).toBe(255);
    expectValidation(() => encodeRequest('m', many(256)), '', /at most 255/);
  });

  it('accepts a header of exactly 65537 bytes and rejects one more, counting datalen', () => {
    // reqlen = 1 (methodbyte) + 1 ("m") + 1 (count) + 1 + 1 ("s") + 4 + n = 9 + n
    const okString = 'x'.repeat(65_535 - 9);
    const ok = encodeRequest('m', { s: okString });
    expect(ok.length).toBe(65_537);
    expect(ok[0]! | (ok[1]! << 8)).toBe(65_535);
    expectValidation(() => encodeRequest('m', { s: okString + 'x' }), '', /65537/);
    // The same string no longer fits once an 8-byte datalen is added.
    expectValidation(() => encodeRequest('m', { s: okString }, { dataLength: 1 }), '', /65545 bytes/);
  });
});

describe('decodeResponse: worked examples', () => {
  it('response 1: a file_open answer with compact numbers', () => {
    const r = decodeResponse(
      hex(`
      18 00 00 00                      # resplen = 24
      10                               # hash
      6a 72 65 73 75 6c 74             # "result" (new, id 0)
      c8                               # 0
      66 66 64                         # "fd" (id 1)
      c9                               # 1
      6a 66 69 6c 65 69 64             # "fileid" (id 2)
      09 a1 0d                         # 2-byte number 3489
      ff                               # end of hash
    `),
    );
    expect(r.value).toEqual({ result: 0, fd: 1, fileid: 3489 });
    expect(r.frameSize).toBe(28);
    expect(r.data).toEqual([]);
    expect(r.dataLength).toBe(0);
  });

  it('response 2: reused strings, keys included', () => {
    const r = decodeResponse(
      hex(`
      25 00 00 00 10
      6a 72 65 73 75 6c 74 c8          # "result": 0
      68 6c 69 73 74 11                # "list": [
      10 6a 66 69 6c 65 69 64 d2       #   { "fileid" (id 2): 10,
      96 c8 ff                         #     id 0 -> "result": 0 }
      10 98 d3                         #   { id 2 -> "fileid": 11,
      96 09 d9 07 ff                   #     "result": 2009 }
      ff ff                            # end of array, end of hash
    `),
    );
    expect(r.value).toEqual({
      result: 0,
      list: [
        { fileid: 10, result: 0 },
        { fileid: 11, result: 2009 },
      ],
    });
  });

  it('response 3: a data value with its payload after the frame', () => {
    const bytes = hex(`
      18 00 00 00 10 6a 72 65 73 75 6c 74 c8   # { "result": 0
      68 64 61 74 61                           #   "data":
      14 05 00 00 00 00 00 00 00               #   data value, 5 bytes
      ff                                       # }
      68 65 6c 6c 6f                           # payload "hello"
    `);
    const r = decodeResponse(bytes);
    expect(r.value.result).toBe(0);
    expect(r.value.data).toBeInstanceOf(BinaryData);
    expect((r.value.data as BinaryData).length).toBe(5);
    expect(r.dataLength).toBe(5);
    expect(new TextDecoder().decode(r.payload)).toBe('hello');
    // The frame alone decodes too; a wrong amount of trailing bytes does not.
    expect(decodeResponse(bytes.subarray(0, 28)).payload).toBeUndefined();
    expect(() => decodeResponse(bytes.subarray(0, 30))).toThrow(ProtocolError);
  });
});

describe('decodeResponse: every width', () => {
  it('numbers of 1 to 8 bytes, exact beyond 2^53 as bigint', () => {
    const r = decodeResponse(
      hex(`
      53 00 00 00                      # resplen = 83
      10 65 61 11                      # { "a": [
      08 ff                            #   1 byte: 255
      09 34 12                         #   2 bytes: 0x1234
      0a 56 34 12                      #   3 bytes: 0x123456
      0b 78 56 34 12                   #   4 bytes: 0x12345678
      0c 9a 78 56 34 12                #   5 bytes: 0x123456789a
      0d bc 9a 78 56 34 12             #   6 bytes: 0x123456789abc
      0e de bc 9a 78 56 34 12          #   7 bytes: 0x123456789abcde (below 2^53)
      0f ff ff ff ff ff ff 1f 00       #   8 bytes: 2^53 - 1, still a number
      0f 01 00 00 00 00 00 20 00       #   8 bytes: 2^53 + 1, a bigint
      0f ff ff ff ff ff ff ff ff       #   8 bytes: 2^64 - 1
      0e ff ff ff ff ff ff ff          #   7 bytes: 2^56 - 1, a bigint
      0b 00 00 00 00                   #   4 bytes: 0 in a wide form
      c8 db                            #   compact 0 and 19
      ff ff                            # ] }
    `),
    );
    expect(r.value.a).toEqual([
      255,
      0x1234,
      0x123456,
      0x12345678,
      78187493530,
      20015998343868,
      5124095576030430,
      9007199254740991,
      9007199254740993n,
      18446744073709551615n,
      72057594037927935n,
      0,
      0,
      19,
    ]);
    expect(typeof (r.value.a as unknown[])[7]).toBe('number');
    expect(typeof (r.value.a as unknown[])[8]).toBe('bigint');
  });

  it('strings with 1 to 4 byte lengths and ids, UTF-8, short and empty forms', () => {
    const r = decodeResponse(
      hex(`
      38 00 00 00                      # resplen = 56
      10                               # {
      00 01 6b                         #   type 0, 1-byte length 1: "k"        id 0
      01 03 00 61 62 63                #   type 1, 2-byte length 3: "abc"      id 1
      65 78                            #   short "x"                           id 2
      02 02 00 00 c3 a9                #   type 2, 3-byte length 2: "é"        id 3
      65 79                            #   short "y"                           id 4
      03 04 00 00 00 e2 82 ac 21       #   type 3, 4-byte length 4: "€!"       id 5
      65 7a                            #   short "z"                           id 6
      11                               #   [
      04 01                            #     type 4, 1-byte id 1 -> "abc"
      05 03 00                         #     type 5, 2-byte id 3 -> "é"
      06 05 00 00                      #     type 6, 3-byte id 5 -> "€!"
      07 00 00 00 00                   #     type 7, 4-byte id 0 -> "k"
      97                               #     short id 1 (151) -> "abc"
      64                               #     empty short string (100)        id 7
      9d                               #     short id 7 (157) -> ""
      68 f0 9f 98 80                   #     short, 4 bytes: "😀"            id 8
      ff ff                            #   ] }
    `),
    );
    expect(r.value).toEqual({ k: 'abc', x: 'é', y: '€!', z: ['abc', 'é', '€!', 'k', 'abc', '', '', '😀'] });
  });

  it('the longest short string (49 bytes, type 149) and the highest short id (49, type 199)', () => {
    // { "s0": 0, ..., "s48": 0, "long": <49 x "q">, "again": <id 49> }:
    // keys s0..s48 take ids 0-48, "long" id 49... so id 49 refers to "long".
    const parts: number[] = [0x10];
    for (let i = 0; i < 49; i++) {
      const key = new TextEncoder().encode(`s${i}`);
      parts.push(100 + key.length, ...key, 200);
    }
    parts.push(0x68, ...new TextEncoder().encode('long'), 0x95, ...Array(49).fill(0x71)); // 149 = 49-byte short string
    parts.push(0x69, ...new TextEncoder().encode('again'), 0xc7, 0xff); // 199 = short id 49
    const tree = Uint8Array.from(parts);
    const v = decodeTree(tree).value;
    expect(v.long).toBe('q'.repeat(49));
    expect(v.again).toBe('long');
  });

  it('booleans, empty containers, and an empty array standing for an empty object', () => {
    const r = decodeResponse(
      hex(`
      18 00 00 00                      # resplen = 24
      10 6a 72 65 73 75 6c 74 c8       # { "result": 0,
      65 74 13                         #   "t": true (19)
      65 66 12                         #   "f": false (18)
      65 65 11 ff                      #   "e": []
      65 68 10 ff                      #   "h": {}
      ff                               # }
    `),
    );
    expect(r.value).toEqual({ result: 0, t: true, f: false, e: [], h: {} });
    expect(decodeResponse(hex('02 00 00 00 11 ff')).value).toEqual({});
  });

  it('keeps a "__proto__" key as data', () => {
    const v = decodeTree(hex('10 6d 5f 5f 70 72 6f 74 6f 5f 5f c9 ff')).value; // { "__proto__": 1 }
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(v['__proto__']).toBe(1);
  });

  it('decodes keys right from one answer to the next, after thousands of distinct keys', () => {
    // Keys are remembered across answers; a key like a known one but for one byte, or seen
    // after the memory is full, must still come out as its own bytes say.
    const bytes = (key: Buffer) => Buffer.from([0x10, 100 + key.length, ...key, 0xc9, 0xff]);
    const frame = (key: string) => decodeTree(bytes(Buffer.from(key))).value;
    expect(frame('size')).toEqual({ size: 1 });
    expect(frame('size')).toEqual({ size: 1 });
    expect(frame('sizf')).toEqual({ sizf: 1 });
    expect(frame('siz')).toEqual({ siz: 1 });
    for (let i = 0; i < 6000; i++) expect(Object.keys(frame(`k${i}`))).toEqual([`k${i}`]);
    expect(frame('k5999x')).toEqual({ k5999x: 1 });
    expect(frame('size')).toEqual({ size: 1 });
    expect(frame('café')).toEqual({ café: 1 });
    expect(() => decodeTree(bytes(Buffer.from('café', 'latin1')))).toThrow(ProtocolError); // a lone 0xe9 is not UTF-8
  });
});

describe('decodeResponse: malformed input', () => {
  const bad = (bytes: string, text: RegExp) => {
    let error: unknown;
    try {
      decodeResponse(hex(bytes));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(text);
  };

  it.each([21, 99, 220, 254])('rejects unknown value type %i', (t) => {
    bad(`04 00 00 00 10 65 61 ${t.toString(16).padStart(2, '0')} ff`, new RegExp(`unknown value type ${t}`));
  });
  it('rejects 255 where a value is required', () => bad('04 00 00 00 10 65 61 ff', /end marker/));
  it('rejects a top-level value that is not a hash', () => {
    bad('01 00 00 00 c8', /must be a hash/);
    bad('01 00 00 00 ff', /must be a hash/);
    bad('03 00 00 00 11 c8 ff', /must be a hash/);
  });
  it('rejects a non-string key', () => bad('03 00 00 00 10 c8 c8', /non-string type 200/));
  it('rejects a string id with no earlier string', () => {
    bad('03 00 00 00 10 96 c8', /string id 0/);
    bad('07 00 00 00 10 65 61 97 c8 ff ff', /string id 1/);
    bad('08 00 00 00 10 65 61 07 01 00 00 00', /string id 1/);
  });
  it('rejects trailing bytes after the tree', () => bad('03 00 00 00 10 ff 00', /1 trailing bytes/));
  it('rejects truncated frames and values', () => {
    bad('05 00 00', /length prefix needs 4/);
    bad('05 00 00 00 10 ff', /announced 5/);
    bad('03 00 00 00 10 65 61', /truncated value/);
    bad('04 00 00 00 10 65 61 0a', /truncated number/);
    bad('02 00 00 00 10 66', /truncated string/);
    bad('04 00 00 00 10 65 61 11', /truncated value/);
    bad('04 00 00 00 10 01 03 00', /truncated string/);
  });
  it('rejects a string that claims 4 GB without allocating it', () => {
    bad('06 00 00 00 10 03 ff ff ff ff', /exceeds the limit/);
    expect(() => decodeTree(hex('10 03 ff ff ff ff'), { maxStringLength: 2 ** 33 })).toThrow(/truncated string/);
  });
  it('rejects an oversized frame before reading it', () => {
    expect(() => readFrameLength(hex('00 00 00 05'))).toThrow(/exceeds the limit/);
    expect(() => readFrameLength(hex('11 00 00 00'), 0, { maxFrameSize: 16 })).toThrow(ProtocolError);
    expect(readFrameLength(hex('10 00 00'))).toBeUndefined();
    expect(readFrameLength(hex('10 00 00 00'), 0, { maxFrameSize: 16 })).toBe(16);
  });
  it('rejects invalid UTF-8', () => bad('06 00 00 00 10 66 c3 28 c8 ff', /invalid UTF-8/));
  it('limits nesting depth and the string table', () => {
    const deep = (n: number) =>
      Uint8Array.from([0x10, ...Array.from({ length: n - 1 }, () => [0x65, 0x61, 0x10]).flat(), ...Array(n).fill(0xff)]);
    expect(() => decodeTree(deep(64))).not.toThrow();
    expect(() => decodeTree(deep(65))).toThrow(/nesting deeper than 64/);
    expect(() => decodeTree(deep(5), { maxDepth: 4 })).toThrow(ProtocolError);
    expect(() => decodeTree(hex('10 65 61 65 62 65 63 65 64 ff'), { maxStrings: 3 })).toThrow(/more than 3 strings/);
  });
});
