import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ProtocolError } from '@pcloudkit/core';
import { BinaryData, decodeResponse, decodeTree, encodeRequest } from '../src/index.js';
import { DataMark, encodeTree, frameOf, type Tree } from './helpers/test-encoder.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Runs `fn` and returns 'ok' or 'protocol'; any other exception fails the property. */
function outcome(fn: () => unknown): 'ok' | 'protocol' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof ProtocolError) return 'protocol';
    throw e;
  }
}

/** A small deterministic generator so each encoding picks its forms from a seed. */
function picker(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const number = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.maxSafeNat(), u64);
const text = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom('result', 'name', 'fileid', ''),
);

const { tree } = fc.letrec<{ tree: Tree; value: Tree; hash: Tree; array: Tree }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, text, number, fc.boolean(), tie('hash'), tie('array')),
  hash: fc.dictionary(text, tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 6 }),
  tree: fc.dictionary(text, tie('value'), { maxKeys: 8 }),
}));

/** What the decoder must return for a tree: integers up to 2^53-1 as numbers, larger as bigints. */
function expected(v: Tree): unknown {
  if (typeof v === 'bigint') return v <= MAX_SAFE ? Number(v) : v;
  if (Array.isArray(v)) return v.map(expected);
  if (v !== null && typeof v === 'object' && !(v instanceof DataMark)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v))
      Object.defineProperty(out, k, { value: expected(x), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return v;
}

describe('decoder properties', () => {
  it('round-trips arbitrary trees in any legal encoding', () => {
    fc.assert(
      fc.property(tree, fc.integer(), (t, seed) => {
        const bytes = encodeTree(t, { pick: picker(seed) });
        const decoded = decodeResponse(frameOf(bytes));
        expect(decoded.value).toEqual(expected(t));
        expect(decoded.data).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips data values with their lengths', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 3 }), (lengths) => {
        const t: Tree = { result: 0, data: lengths.map((l) => new DataMark(l)) };
        const r = decodeTree(encodeTree(t));
        expect(r.data.map((d) => BigInt(d.length))).toEqual(lengths);
        expect((r.value.data as unknown[]).every((d) => d instanceof BinaryData)).toBe(true);
      }),
    );
  });

  it('arbitrary bytes give a value or a ProtocolError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        outcome(() => decodeTree(bytes));
        outcome(() => decodeResponse(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('arbitrary bytes behind a hash opener (so decoding goes deeper) never throw anything else', () => {
    const typed = fc.array(fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0x10, 0x11, 0xff, 0x96, 0x65, 0x61, 0x03, 0x07)), {
      maxLength: 200,
    });
    fc.assert(
      fc.property(typed, (rest) => {
        outcome(() => decodeTree(Uint8Array.from([0x10, ...rest])));
      }),
      { numRuns: 3000 },
    );
  });

  it('mutated and truncated valid frames give a value or a ProtocolError', () => {
    fc.assert(
      fc.property(
        tree,
        fc.integer(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.nat(),
        (t, seed, edits, cut) => {
          const bytes = frameOf(encodeTree(t, { pick: picker(seed) }));
          for (const [at, b] of edits) bytes[at % bytes.length] = b;
          outcome(() => decodeResponse(bytes));
          outcome(() => decodeResponse(bytes.subarray(0, cut % (bytes.length + 1))));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('huge announced lengths fail before any allocation', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 2 ** 20, max: 2 ** 32 - 1 }), (width, len) => {
        const lenBytes = Array.from({ length: width + 1 }, (_, i) => Math.floor(len / 256 ** i) % 256);
        const tree = Uint8Array.from([0x10, width, ...lenBytes]);
        expect(outcome(() => decodeTree(tree))).toBe('protocol');
      }),
    );
  });
});

describe('encoder properties', () => {
  /** A minimal independent reader of request frames, for the round trip. */
  function readRequest(bytes: Uint8Array) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const reqlen = view.getUint16(0, true);
    expect(bytes.length).toBe(reqlen + 2);
    let o = 2;
    const mb = bytes[o++]!;
    let dataLength: bigint | undefined;
    if (mb & 0x80) {
      dataLength = view.getBigUint64(o, true);
      o += 8;
    }
    const method = new TextDecoder().decode(bytes.subarray(o, o + (mb & 0x7f)));
    o += mb & 0x7f;
    const count = bytes[o++]!;
    const params: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const h = bytes[o++]!;
      const name = new TextDecoder().decode(bytes.subarray(o, o + (h & 0x3f)));
      o += h & 0x3f;
      if (h >> 6 === 0) {
        const n = view.getUint32(o, true);
        o += 4;
        params[name] = new TextDecoder().decode(bytes.subarray(o, o + n));
        o += n;
      } else if (h >> 6 === 1) {
        params[name] = view.getBigUint64(o, true);
        o += 8;
      } else {
        params[name] = bytes[o++] !== 0;
      }
    }
    expect(o).toBe(bytes.length);
    return { method, params, dataLength };
  }

  it('requests read back to the same params (numbers as u64, negatives as strings)', () => {
    const name = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => new TextEncoder().encode(s).length <= 63);
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.boolean(),
      fc.integer(),
      u64,
      fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
    );
    fc.assert(
      fc.property(fc.dictionary(name, value, { maxKeys: 20 }), fc.option(fc.maxSafeNat(), { nil: undefined }), (params, dataLength) => {
        const read = readRequest(encodeRequest('listfolder', params, { dataLength }));
        expect(read.method).toBe('listfolder');
        expect(read.dataLength).toBe(dataLength ? BigInt(dataLength) : undefined);
        const want: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(params)) {
          const big = typeof v === 'number' || typeof v === 'bigint' ? BigInt(v) : undefined;
          want[k] = big === undefined ? v : big >= 0n && big < 1n << 64n ? big : String(v);
        }
        expect(read.params).toEqual(want);
      }),
      { numRuns: 500 },
    );
  });
});
