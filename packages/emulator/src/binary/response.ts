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

/** The encoder's own buffer to start with; answers that outgrow it take it along, and the next answer gets a new one. */
const SCRATCH = 64 * 1024;
/** Strings the table keeps across answers before it starts afresh. */
const MAX_KEPT_STRINGS = 100_000;
/** Answer numbers stay small integers: the table starts afresh when they run out. */
const MAX_ANSWERS = 2 ** 30;

/**
 * One writer serves every answer in turn (encoding is synchronous): its
 * buffer, string table and stack are reused rather than made per answer,
 * which for small answers costs more than the encoding.
 */
class Writer {
  buf = Buffer.allocUnsafe(SCRATCH);
  len = 4; // room for the frame length
  /**
   * The string table, kept across answers: each entry holds the id a string
   * got in the answer that wrote it last, and that answer's number, so
   * entries of earlier answers count as absent. Refilling a cleared map for
   * every answer would cost more than the rest of a small answer.
   */
  private readonly ids = new Map<string, { answer: number; id: number }>();
  private answer = 0;
  private count = 0;
  private readonly todo: (Value | typeof END)[] = [];

  reset(): void {
    this.len = 4;
    this.todo.length = 0;
    this.count = 0;
    this.answer += 1;
    if (this.ids.size > MAX_KEPT_STRINGS || this.answer === MAX_ANSWERS) {
      this.ids.clear();
      this.answer = 1;
    }
  }

  /** The frame written so far: a copy when it is small, else the buffer itself (a new one is made for the next answer). */
  take(): Buffer {
    this.buf.writeUInt32LE(this.len - 4, 0);
    if (this.len > SCRATCH / 4) {
      const whole = this.buf.subarray(0, this.len);
      this.buf = Buffer.allocUnsafe(SCRATCH);
      return whole;
    }
    const out = Buffer.allocUnsafe(this.len);
    this.buf.copy(out, 0, 0, this.len);
    return out;
  }

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
    const known = this.ids.get(s);
    if (known !== undefined && known.answer === this.answer) {
      const id = known.id;
      if (id < 50) return this.byte(150 + id);
      const w = widthOf(id);
      this.byte(3 + w); // 4..7
      return this.uint(id, w);
    }
    if (known) {
      known.answer = this.answer;
      known.id = this.count++;
    } else this.ids.set(s, { answer: this.answer, id: this.count++ });
    // Short ASCII strings (keys, most values) are copied here, without two native calls.
    if (s.length < 50) {
      this.ensure(1 + s.length);
      const b = this.buf;
      let o = this.len + 1;
      let i = 0;
      for (; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        b[o++] = c;
      }
      if (i === s.length) {
        b[this.len] = 100 + s.length;
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
    const todo = this.todo;
    todo.push(root);
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
      // Members go on the stack key first, then reversed in place so the first key comes off first.
      const from = todo.length;
      for (const k in v) {
        const x = v[k];
        if (x !== undefined && x !== null) todo.push(k, x);
      }
      for (let i = from, j = todo.length - 1; i < j; i++, j--) {
        const t = todo[i]!;
        todo[i] = todo[j]!;
        todo[j] = t;
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

const writer = new Writer();

function widthOf(v: number | bigint): number {
  if (typeof v === 'number') {
    if (v < 0x100) return 1;
    if (v < 0x10000) return 2;
    if (v < 0x1000000) return 3;
    if (v < 0x100000000) return 4;
    if (v < 2 ** 40) return 5;
    return v < 2 ** 48 ? 6 : 7;
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
  const w = writer;
  w.reset();
  let tree: Body = body;
  if (dataLength !== undefined && 'data' in body) {
    const { data: _replaced, ...rest } = body;
    tree = rest;
  }
  w.hash(tree, dataLength);
  return w.take();
}
