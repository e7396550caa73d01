import { describe, expect, it } from 'vitest';
import { encodeReply, MalformedRequest, parseHeader } from '../src/binary/index.js';

const hex = (text: string) => Buffer.from(text.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
const show = (b: Buffer) => b.toString('hex').replace(/(..)/g, '$1 ').trim();

describe('binary port: answer encoder (byte-exact)', () => {
  it('response 1 of the protocol notes: compact strings and numbers', () => {
    expect(show(encodeReply({ result: 0, fd: 1, fileid: 3489 }))).toBe(
      show(
        hex(`
      18 00 00 00                      # resplen = 24
      10                               # hash
      6a 72 65 73 75 6c 74 c8          # "result" (id 0): 0
      66 66 64 c9                      # "fd" (id 1): 1
      6a 66 69 6c 65 69 64 09 a1 0d    # "fileid" (id 2): 2-byte 3489
      ff
    `),
      ),
    );
  });

  it('response 2: keys reused by id', () => {
    expect(
      show(
        encodeReply({
          result: 0,
          list: [
            { fileid: 10, result: 0 },
            { fileid: 11, result: 2009 },
          ],
        }),
      ),
    ).toBe(
      show(
        hex(`
      25 00 00 00 10
      6a 72 65 73 75 6c 74 c8          # "result": 0
      68 6c 69 73 74 11                # "list": [
      10 6a 66 69 6c 65 69 64 d2 96 c8 ff   # { "fileid": 10, id 0 "result": 0 }
      10 98 d3 96 09 d9 07 ff          # { id 2 "fileid": 11, id 0 "result": 2009 }
      ff ff
    `),
      ),
    );
  });

  it('response 3: a data value announcing the payload', () => {
    expect(show(encodeReply({ result: 0 }, 5))).toBe(
      show(
        hex(`
      18 00 00 00 10 6a 72 65 73 75 6c 74 c8   # { "result": 0,
      68 64 61 74 61 14 05 00 00 00 00 00 00 00 # "data": data value of 5 bytes
      ff                                        # }
    `),
      ),
    );
  });

  it('long strings, ids beyond 49, every number width, bigints and mapped values', () => {
    const long = 'L'.repeat(50);
    const veryLong = 'é'.repeat(200); // 400 bytes
    const keys = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, true]));
    const frame = encodeReply({
      ...keys,
      a: long,
      b: long,
      c: veryLong,
      n: [20, 255, 256, 65536, 2 ** 32, 2 ** 40, 2 ** 48, 2 ** 53 - 1, 2n ** 64n - 1n, -1, 1.5],
      z: null,
      u: [null],
    });
    const tail = frame.subarray(frame.indexOf(Buffer.from([0x65, 0x61]))); // from key "a"
    expect(show(tail)).toBe(
      show(
        hex(`
      65 61                            # "a" (k0-k48 took ids 0-48, so "a" is id 49)
      00 32 ${'4c '.repeat(50)}        # 50-byte string: type 0, 1-byte length 0x32 (id 50)
      65 62                            # "b" (id 51)
      04 32                            # reused id 50 -> type 4, 1-byte id
      65 63                            # "c" (id 52)
      01 90 01 ${'c3 a9 '.repeat(200)} # type 1, 2-byte length 400 (id 53)
      65 6e 11                         # "n": [
      08 14                            #   20: 1 byte (not compact beyond 19)
      08 ff                            #   255
      09 00 01                         #   256: 2 bytes
      0a 00 00 01                      #   65536: 3 bytes
      0c 00 00 00 00 01                #   2^32: 5 bytes
      0d 00 00 00 00 00 01             #   2^40: 6 bytes
      0e 00 00 00 00 00 00 01          #   2^48: 7 bytes
      0e ff ff ff ff ff ff 1f          #   2^53 - 1: 7 bytes
      0f ff ff ff ff ff ff ff ff       #   2^64 - 1: 8 bytes
      66 2d 31                         #   -1 as the string "-1"
      67 31 2e 35                      #   1.5 as "1.5"
      ff                               # ]
      65 75 11 12 ff                   # "u": [false]  (null inside an array; "z": null was left out)
      ff
    `),
      ),
    );
    expect(frame.readUInt32LE(0)).toBe(frame.length - 4);
  });

  it('each answer starts its own string table: nothing refers to a string of an earlier answer', () => {
    const first = encodeReply({ result: 0, name: 'a.txt', list: [{ name: 'a.txt' }] });
    const again = encodeReply({ result: 0, name: 'a.txt', list: [{ name: 'a.txt' }] });
    expect(show(again)).toBe(
      show(
        hex(`
      20 00 00 00 10
      6a 72 65 73 75 6c 74 c8          # "result" (id 0): 0
      68 6e 61 6d 65 69 61 2e 74 78 74 # "name" (id 1): "a.txt" (id 2)
      68 6c 69 73 74 11                # "list" (id 3): [
      10 97 98 ff                      #   { id 1 "name": id 2 "a.txt" }
      ff ff
    `),
      ),
    );
    expect(show(first)).toBe(show(again));
  });

  it('a large frame stays intact while later answers are encoded', () => {
    const names = Array.from({ length: 3000 }, (_, i) => ({ name: `file-${i}.bin`, size: i }));
    const big = encodeReply({ result: 0, contents: names });
    const copy = Buffer.from(big);
    expect(big.length).toBeGreaterThan(32 * 1024);
    for (let i = 0; i < 50; i++) encodeReply({ result: 0, name: `other-${i}`, contents: names.slice(0, 100) });
    expect(big.equals(copy)).toBe(true);
    expect(big.readUInt32LE(0)).toBe(big.length - 4);
  });
});

describe('binary port: request parser', () => {
  it('request 1 of the protocol notes', () => {
    const req = parseHeader(
      hex(`
      34 00 0a 6c 69 73 74 66 6f 6c 64 65 72 03
      04 61 75 74 68 03 00 00 00 74 6f 6b
      48 66 6f 6c 64 65 72 69 64 00 00 00 00 00 00 00 00
      89 72 65 63 75 72 73 69 76 65 01
    `),
    );
    expect(req).toEqual({ method: 'listfolder', params: { auth: 'tok', folderid: 0, recursive: true }, dataLength: undefined });
  });

  it('request 2: data length and a negative fd as a string', () => {
    const req = parseHeader(hex('1d 00 8a 05 00 00 00 00 00 00 00 66 69 6c 65 5f 77 72 69 74 65 01 02 66 64 02 00 00 00 2d 31'));
    expect(req).toEqual({ method: 'file_write', params: { fd: '-1' }, dataLength: 5 });
  });

  it('numbers above 2^53 stay exact as bigint', () => {
    const req = parseHeader(hex('0d 00 01 6d 01 41 61 01 00 00 00 00 00 20 00'));
    expect(req.params.a).toBe(2n ** 53n + 1n);
  });

  it('UTF-8 names and values, numbers at the safe limit, and a "__proto__" param as a plain member', () => {
    const req = parseHeader(
      hex(`
      2b 00 01 6d 04
      02 c3 a9 01 00 00 00 31             # string "é" = "1"
      01 76 02 00 00 00 c3 a9             # string "v" = "é"
      41 6e ff ff ff ff ff ff 1f 00       # number "n" = 2^53 - 1
      09 5f 5f 70 72 6f 74 6f 5f 5f 00 00 00 00   # string "__proto__" = ""
    `),
    );
    expect(Object.getPrototypeOf(req.params)).toBe(Object.prototype);
    expect(Object.keys(req.params)).toEqual(['é', 'v', 'n', '__proto__']);
    expect(req.params).toMatchObject({ é: '1', v: 'é', n: 2 ** 53 - 1 });
    expect(Object.getOwnPropertyDescriptor(req.params, '__proto__')?.value).toBe('');
  });

  it.each([
    ['invalid UTF-8 in a value', '0b 00 01 6d 01 01 61 02 00 00 00 c3 28'],
    ['unknown param type', '07 00 01 6d 01 c1 61 00 00'],
    ['stray bytes', '04 00 01 6d 00 00'],
    ['bad method characters', '04 00 02 6d 2e 00'],
    ['string past the end', '0a 00 01 6d 01 01 61 09 00 00 00 41'],
    ['huge data length', '0b 00 81 ff ff ff ff ff ff ff ff 6d 00'],
  ])('rejects %s', (_name, bytes) => {
    expect(() => parseHeader(hex(bytes))).toThrow(MalformedRequest);
  });
});
