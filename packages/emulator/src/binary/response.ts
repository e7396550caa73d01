/**
 * Encoder for binary-protocol answers, the server's own implementation.
 *
 * A frame is a u32 length followed by one value (the reply hash). The
 * encoder uses the compact forms: short strings (100-149) and short string
 * references (150-199), small numbers (200-219), and the narrowest width for
 * longer strings, references and numbers. Every string, hash keys included,
 * goes into the per-answer table so repeated keys cost one byte.
 *
 * Values the protocol has no form for are mapped: negative or fractional
 * numbers become their decimal string; `null` members are left out of
 * hashes and become `false` inside arrays; `undefined` members are skipped.
 */
import type { Body, Value } from '../json.js';

const MAX_U64 = (1n << 64n) - 1n;

class Writer {
  buf = Buffer.allocUnsafe(256);
  len = 4; // room for the frame length
  private readonly ids = new Map<string, number>();
  private nextId = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** Unsigned little-endian integer in `width` bytes. */
  uint(v: number | bigint, width: number): void {
    this.ensure(width);
    if (typeof v === 'number' && width <= 6) {
      this.buf.writeUIntLE(v, this.len, width);
    } else {
      let x = BigInt(v);
      for (let i = 0; i < width; i++) {
        this.buf[this.len + i] = Number(x & 0xffn);
        x >>= 8n;
      }
    }
    this.len += width;
  }

  string(s: string): void {
    const id = this.ids.get(s);
    if (id !== undefined) {
      if (id < 50) return this.byte(150 + id);
      const w = widthOf(id);
      this.byte(3 + w); // 4..7
      return this.uint(id, w);
    }
    this.ids.set(s, this.nextId++);
    const n = Buffer.byteLength(s, 'utf8');
    if (n < 50) {
      this.byte(100 + n);
    } else {
      const w = widthOf(n);
      this.byte(w - 1); // 0..3
      this.uint(n, w);
    }
    this.ensure(n);
    this.buf.write(s, this.len, n, 'utf8');
    this.len += n;
  }

  number(v: number | bigint): void {
    const ok = typeof v === 'bigint' ? v >= 0n && v <= MAX_U64 : Number.isSafeInteger(v) && v >= 0;
    if (!ok) return this.string(String(v));
    if (v < 20) return this.byte(200 + Number(v));
    const w = widthOf(v);
    this.byte(7 + w); // 8..15
    this.uint(v, w);
  }

  value(v: Value, depth: number): void {
    if (depth > 200) throw new Error('reply tree too deep');
    switch (typeof v) {
      case 'string':
        return this.string(v);
      case 'number':
      case 'bigint':
        return this.number(v);
      case 'boolean':
        return this.byte(v ? 19 : 18);
      default:
    }
    if (v === null) return this.byte(18);
    if (Array.isArray(v)) {
      this.byte(17);
      for (const x of v) if (x !== undefined) this.value(x, depth + 1);
      return this.byte(255);
    }
    this.hash(v as Record<string, Value>, depth + 1);
  }

  hash(obj: Record<string, Value | undefined>, depth: number, dataLength?: number): void {
    this.byte(16);
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || v === null) continue;
      this.string(k);
      this.value(v, depth);
    }
    if (dataLength !== undefined) {
      this.string('data');
      this.byte(20);
      this.uint(dataLength, 8);
    }
    this.byte(255);
  }
}

function widthOf(v: number | bigint): number {
  if (typeof v === 'number') {
    let w = 1;
    while (w < 7 && v >= 2 ** (8 * w)) w++;
    return w;
  }
  let x = v;
  let w = 1;
  while (x > 0xffn) {
    x >>= 8n;
    w++;
  }
  return w;
}

/**
 * Encodes a reply as a complete frame. With `dataLength`, a data value
 * under the key `data` announces a payload that the caller writes after it.
 */
export function encodeReply(body: Body, dataLength?: number): Buffer {
  const w = new Writer();
  let tree: Body = body;
  if (dataLength !== undefined && 'data' in body) {
    const { data: _replaced, ...rest } = body;
    tree = rest;
  }
  w.hash(tree, 1, dataLength);
  w.buf.writeUInt32LE(w.len - 4, 0);
  return w.buf.subarray(0, w.len);
}
