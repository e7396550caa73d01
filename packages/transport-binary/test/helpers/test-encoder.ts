/**
 * A test-only response encoder, written independently of the decoder, that
 * can pick any legal form for each value (width of numbers, string lengths
 * and ids; compact codes or not; reuse of strings or not). Used by the round
 * trip property tests and the bench.
 */
export type Tree = string | number | bigint | boolean | null | Tree[] | { [k: string]: Tree } | DataMark;

/** A data value (type 20) with the given payload length. */
export class DataMark {
  constructor(readonly length: number | bigint) {}
}

export interface EncoderChoices {
  /** Returns an integer in [0, n). Default: always 0 (most compact form). */
  pick?: (n: number) => number;
}

const utf8 = new TextEncoder();

function bytesFor(v: bigint): number {
  let n = 1;
  while (v >= 1n << BigInt(8 * n)) n++;
  return n;
}

export function encodeTree(value: Tree, choices: EncoderChoices = {}): Uint8Array {
  const pick = choices.pick ?? (() => 0);
  const out: number[] = [];
  const ids = new Map<string, number>();
  let nextId = 0;

  const uintLE = (v: bigint, width: number) => {
    for (let i = 0; i < width; i++) out.push(Number((v >> BigInt(8 * i)) & 0xffn));
  };

  const str = (s: string) => {
    const known = ids.get(s);
    // Reuse when possible unless the picker says to write it again.
    if (known !== undefined && pick(4) !== 3) {
      if (known < 50 && pick(2) === 0) {
        out.push(150 + known);
        return;
      }
      const w = Math.max(bytesFor(BigInt(known)), 1) + pick(2);
      const width = Math.min(w, 4);
      out.push(3 + width);
      uintLE(BigInt(known), width);
      return;
    }
    const b = utf8.encode(s);
    if (b.length < 50 && pick(2) === 0) {
      out.push(100 + b.length);
    } else {
      const width = Math.min(Math.max(bytesFor(BigInt(b.length)), 1) + pick(3), 4);
      out.push(width - 1);
      uintLE(BigInt(b.length), width);
    }
    for (const x of b) out.push(x);
    if (!ids.has(s)) ids.set(s, nextId);
    nextId++;
  };

  const num = (v: bigint) => {
    if (v < 20n && pick(2) === 0) {
      out.push(200 + Number(v));
      return;
    }
    const width = Math.min(bytesFor(v) + pick(4), 8);
    out.push(7 + width);
    uintLE(v, width);
  };

  const val = (v: Tree): void => {
    if (v instanceof DataMark) {
      out.push(20);
      uintLE(BigInt(v.length), 8);
      return;
    }
    if (typeof v === 'string') return str(v);
    if (typeof v === 'number') return num(BigInt(v));
    if (typeof v === 'bigint') return num(v);
    if (v === true) {
      out.push(19);
      return;
    }
    if (v === false) {
      out.push(18);
      return;
    }
    if (v === null) throw new Error('null has no binary form');
    if (Array.isArray(v)) {
      out.push(17);
      for (const x of v) val(x);
      out.push(255);
      return;
    }
    out.push(16);
    for (const [k, x] of Object.entries(v)) {
      str(k);
      val(x);
    }
    out.push(255);
  };

  val(value);
  return Uint8Array.from(out);
}

/** Prefixes a tree with its u32 little-endian length. */
export function frameOf(tree: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + tree.length);
  new DataView(out.buffer).setUint32(0, tree.length, true);
  out.set(tree, 4);
  return out;
}
