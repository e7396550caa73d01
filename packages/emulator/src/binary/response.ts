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
  // Most answers fit; Node takes buffers this small from its pool.
  buf = Buffer.allocUnsafe(1024);
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
    // Short ASCII strings (keys, most values) are copied here, without two native calls.
    if (s.length < 50) {
      let ascii = true;
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
      if (ascii) {
        this.ensure(1 + s.length);
        const b = this.buf;
        let o = this.len;
        b[o++] = 100 + s.length;
        for (let i = 0; i < s.length; i++) b[o++] = s.charCodeAt(i);
        this.len = o;
        return;
      }
    }
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

  /**
   * Writes one value. Containers are walked with an explicit stack (a
   * recursive listing can nest deeper than the call stack): an entry is a
   * value to write, a key string to write, or an end marker (255).
   */
  value(root: Value): void {
    // A key is written like a string value, so keys are stacked as plain strings.
    const todo: (Value | typeof END)[] = [root];
    while (todo.length > 0) {
      const v = todo.pop()!;
      if (v === END) {
        this.byte(255);
        continue;
      }
      switch (typeof v) {
        case 'string':
          this.string(v);
          continue;
        case 'number':
        case 'bigint':
          this.number(v);
          continue;
        case 'boolean':
          this.byte(v ? 19 : 18);
          continue;
        default:
      }
      if (v === null) {
        this.byte(18);
        continue;
      }
      if (Array.isArray(v)) {
        this.byte(17);
        todo.push(END);
        for (let i = v.length - 1; i >= 0; i--) if (v[i] !== undefined) todo.push(v[i]!);
        continue;
      }
      this.byte(16);
      todo.push(END);
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const x = v[keys[i]!];
        if (x !== undefined && x !== null) todo.push(x, keys[i]!);
      }
    }
  }

  /** The reply hash: like any hash, plus the `data` member of an answer that carries a payload. */
  hash(obj: Record<string, Value | undefined>, dataLength?: number): void {
    if (dataLength === undefined) return this.value(obj as Value);
    this.byte(16);
    for (const [k, v] of Object.entries(obj)) {
      if (v === undefined || v === null) continue;
      this.string(k);
      this.value(v);
    }
    this.string('data');
    this.byte(20);
    this.uint(dataLength, 8);
    this.byte(255);
  }
}

/** The end of a hash or an array on the encoder's stack. */
const END = Symbol('end');

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
  w.hash(tree, dataLength);
  w.buf.writeUInt32LE(w.len - 4, 0);
  return w.buf.subarray(0, w.len);
}
