/**
 * Response decoder for pCloud's binary protocol.
 *
 * A response is a u32 length (`resplen`, little-endian) followed by exactly
 * that many bytes holding one encoded value, always a hash. Every new string
 * gets the next id in a per-response table (hash keys included) so later
 * occurrences can refer back to it. A data value (type 20) announces a raw
 * payload that follows the whole frame on the wire.
 *
 * The decoder is defensive: every length is checked against the bytes that
 * are actually there before anything is allocated, nesting depth and table
 * sizes are capped, and every malformed input ends in a `ProtocolError`.
 */
import { AnswerTooLargeError, DEFAULT_MAX_ANSWER_BYTES, ProtocolError } from '../core.js';

/** Caps applied while decoding. */
export interface DecodeLimits {
  /** Largest accepted `resplen`, in bytes. Default 64 MiB. */
  maxFrameSize?: number;
  /** Deepest nesting of hashes and arrays. Default 64. */
  maxDepth?: number;
  /** Longest accepted string, in bytes. Default 16 MiB. */
  maxStringLength?: number;
  /** Most entries in the string table of one response. Default 4,194,304. */
  maxStrings?: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<Required<DecodeLimits>> = Object.freeze({
  maxFrameSize: DEFAULT_MAX_ANSWER_BYTES,
  maxDepth: 64,
  maxStringLength: 16 * 1024 * 1024,
  maxStrings: 4 * 1024 * 1024,
});

/**
 * Stands for a data value (type 20) in a decoded tree: the announced length
 * of a payload that follows the frame.
 */
export class BinaryData {
  constructor(readonly length: number | bigint) {}
}

/** Result of {@link decodeTree}. */
export interface DecodedTree {
  /** The decoded hash. Data values appear as {@link BinaryData}. */
  value: Record<string, unknown>;
  /** Every data value found, in wire order. */
  data: BinaryData[];
}

/** Result of {@link decodeResponse}. */
export interface DecodedResponse extends DecodedTree {
  /** Bytes taken by the frame itself: 4 + `resplen`. */
  frameSize: number;
  /** Sum of the announced data lengths (0 when there is none). */
  dataLength: number | bigint;
  /** The trailing payload bytes, when they were passed in. */
  payload?: Uint8Array;
}

const TWO_32 = 2 ** 32;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const HI_SAFE = 2 ** 21; // high 32-bit word below this keeps a number under 2^53
const END = 255;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(message: string): never {
  throw new ProtocolError(`binary response: ${message}`);
}

function resolveLimits(limits?: DecodeLimits): Required<DecodeLimits> {
  return limits ? { ...DEFAULT_DECODE_LIMITS, ...limits } : DEFAULT_DECODE_LIMITS;
}

/**
 * Reads the 4-byte frame length at `offset`. Returns `undefined` when fewer
 * than 4 bytes are available; throws `ProtocolError` when the announced size
 * exceeds `maxFrameSize`.
 */
export function readFrameLength(bytes: Uint8Array, offset = 0, limits?: DecodeLimits): number | undefined {
  if (bytes.length - offset < 4) return undefined;
  const len = (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16)) + bytes[offset + 3]! * 0x1000000;
  const max = resolveLimits(limits).maxFrameSize;
  if (len > max) throw new AnswerTooLargeError(`binary response: frame of ${len} bytes exceeds the limit`, max);
  if (len === 0) fail('empty frame');
  return len;
}

/**
 * A sequence of hash keys seen in this response, as a trie of key strings.
 * Once a sequence has been seen often enough, its objects are built by a
 * generated object literal: V8 then makes each with all its members in
 * place, in one allocation, instead of growing it member by member.
 */
interface Shape {
  key: string;
  /** The shape one key shorter (undefined for the root). */
  parent?: Shape;
  /** The one following key seen so far, and the others once there are several. */
  next?: Shape;
  more?: Map<string, Shape>;
  seen: number;
  make?: (values: unknown[], base: number) => Record<string, unknown>;
}

/**
 * In big frames, ASCII strings are cut from a text of the frame's next
 * TEXT_WINDOW bytes made by one native call, rather than made one call
 * each. V8 may keep such a string as a view of that text, so a string kept
 * alone keeps at most this many bytes alive with it.
 */
const TEXT_WINDOW = 4096;

/** Objects of one shape before a factory is generated for it, and factories per response. */
const SHAPE_AFTER = 8;
const MAX_FACTORIES = 64;
const SHAPES_FROM = 4096;

function step(shape: Shape, key: string): Shape {
  const next = shape.next;
  if (next?.key === key) return next;
  // Several keys follow this one (files and folders in one listing): the last one used is tried first.
  const more = (shape.more ??= new Map());
  if (next && !more.has(next.key)) more.set(next.key, next);
  let found = more.get(key);
  if (!found) more.set(key, (found = { key, parent: shape, seen: 0 }));
  shape.next = found;
  return found;
}

/** A function building an object literal with these keys from `values[base..]`; undefined if it cannot be made. */
function factory(keys: string[]): Shape['make'] {
  if (keys.includes('__proto__')) return undefined;
  try {
    // JSON.stringify quotes each key as a valid JavaScript string literal.
    const members = keys.map((k, i) => `${JSON.stringify(k)}:v[b+${i}]`).join(',');
    return new Function('v', 'b', `return{${members}}`) as Shape['make'];
  } catch {
    return undefined; // code generation disabled in this process
  }
}

/**
 * Short ASCII keys seen in earlier answers, by a hash of their bytes (one
 * key per hash; a colliding key is simply made anew). Reusing the string
 * spares a native call per key and V8's work to make a property name of a
 * new string. Bounded, so a server sending ever new keys fills it once.
 */
const knownKeys = new Map<number, string>();
const MAX_KNOWN_KEYS = 4096;

interface NodeBuffer extends Uint8Array {
  latin1Slice(start: number, end: number): string;
}
const NodeBuffer = (globalThis as unknown as { Buffer?: { from(b: ArrayBufferLike, offset: number, length: number): NodeBuffer } }).Buffer;

/** One-byte characters of `b[start..end]` as a string. */
function oneByteString(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
}

class Reader {
  pos = 0;
  readonly strings: string[] = [];
  readonly data: BinaryData[] = [];
  private view: DataView | undefined;
  /** Keys and values of the hashes being read: a nested hash puts its members from `top` on, above its parent's. */
  private readonly keys: string[] = [];
  private readonly values: unknown[] = [];
  private top = 0;
  /** Only frames big enough to hold many objects of one shape track them. */
  private readonly shapes: Shape | undefined;
  private factories = 0;
  /** The same bytes as a Node Buffer, which makes strings of one-byte characters natively; made on first need, absent elsewhere. */
  private node: NodeBuffer | undefined;
  /** The text of the frame's bytes `textStart..textEnd`, in big frames (see TEXT_WINDOW). */
  private text = '';
  private textStart = 0;
  private textEnd = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly limits: Required<DecodeLimits>,
  ) {
    if (buf.length >= SHAPES_FROM) this.shapes = { key: '', seen: 0 };
  }

  private need(n: number, what: string): void {
    if (n > this.buf.length - this.pos)
      fail(`truncated ${what} at offset ${this.pos} (needs ${n} bytes, ${this.buf.length - this.pos} left)`);
  }

  byte(what: string): number {
    if (this.pos >= this.buf.length) fail(`truncated ${what} at offset ${this.pos}`);
    return this.buf[this.pos++]!;
  }

  /** Unsigned little-endian integer of `width` bytes (1..8), exact. */
  uint(width: number, what: string): number | bigint {
    this.need(width, what);
    const b = this.buf;
    const p = this.pos;
    this.pos += width;
    if (width <= 4) {
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = v * 256 + b[p + i]!;
      return v;
    }
    const lo = (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
    if (width === 8 && b[p + 7]! >= 0x20) {
      // At least 2^53: only a bigint is exact.
      return (this.view ??= new DataView(b.buffer, b.byteOffset, b.byteLength)).getBigUint64(p, true);
    }
    let hi = 0;
    for (let i = width - 1; i >= 4; i--) hi = hi * 256 + b[p + i]!;
    if (hi < HI_SAFE) return hi * TWO_32 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** Like {@link uint} but for sizes and ids, which must be plain numbers. */
  size(width: number, what: string): number {
    const v = this.uint(width, what);
    return typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : v;
  }

  newString(len: number): string {
    if (len > this.limits.maxStringLength) fail(`string of ${len} bytes exceeds the limit of ${this.limits.maxStringLength}`);
    this.need(len, 'string');
    if (this.strings.length >= this.limits.maxStrings) fail(`more than ${this.limits.maxStrings} strings in one response`);
    const b = this.buf;
    const start = this.pos;
    const end = start + len;
    let i = start;
    while (i < end && b[i]! < 0x80) i++;
    let s: string;
    if (i === end) {
      // ASCII, by far the commonest: every byte is its character.
      if (len === 1) s = String.fromCharCode(b[start]!);
      else if (!NodeBuffer) s = oneByteString(b, start, end);
      else {
        const node = (this.node ??= NodeBuffer.from(b.buffer, b.byteOffset, b.byteLength));
        if (!this.shapes) s = node.latin1Slice(start, end);
        else {
          if (end > this.textEnd) {
            this.textStart = start;
            this.textEnd = Math.min(b.length, start + Math.max(len, TEXT_WINDOW));
            this.text = node.latin1Slice(start, this.textEnd);
          }
          s = this.text.substring(start - this.textStart, end - this.textStart);
        }
      }
    } else {
      try {
        s = utf8.decode(b.subarray(start, end));
      } catch {
        fail(`invalid UTF-8 in string at offset ${start}`);
      }
    }
    this.pos = end;
    this.strings.push(s);
    return s;
  }

  /**
   * A short new string in key position: taken from {@link knownKeys} when the
   * same bytes were a key before (answers repeat their keys from one to the
   * next), else made as any new string.
   */
  newKey(len: number): string {
    const b = this.buf;
    const start = this.pos;
    const end = start + len;
    if (end > b.length || this.strings.length >= this.limits.maxStrings) return this.newString(len); // fails there
    let h = len;
    for (let i = start; i < end; i++) {
      const c = b[i]!;
      if (c >= 0x80) return this.newString(len);
      h = Math.imul(h ^ c, 0x01000193);
    }
    const known = knownKeys.get(h);
    if (known !== undefined && known.length === len) {
      let i = 0;
      while (i < len && known.charCodeAt(i) === b[start + i]) i++;
      if (i === len) {
        this.pos = end;
        this.strings.push(known);
        return known;
      }
    }
    const s = this.newString(len);
    if (known === undefined && knownKeys.size < MAX_KNOWN_KEYS) knownKeys.set(h, s);
    return s;
  }

  reused(id: number): string {
    const s = this.strings[id];
    if (s === undefined) fail(`string id ${id} refers to no earlier string (table has ${this.strings.length})`);
    return s;
  }

  /** Decodes a string from its type byte, or returns undefined when `t` is not a string type. */
  stringOf(t: number): string | undefined {
    if (t <= 3) return this.newString(this.size(t + 1, 'string length'));
    if (t <= 7) return this.reused(this.size(t - 3, 'string id'));
    if (t >= 100 && t <= 149) return this.newString(t - 100);
    if (t >= 150 && t <= 199) return this.reused(t - 150);
    return undefined;
  }

  value(depth: number): unknown {
    const at = this.pos;
    if (at >= this.buf.length) fail(`truncated value at offset ${at}`);
    const t = this.buf[at]!;
    this.pos = at + 1;
    // Compact codes first: they are the commonest in real answers.
    if (t >= 100) {
      if (t < 150) return this.newString(t - 100);
      if (t < 200) return this.reused(t - 150);
      if (t < 220) return t - 200;
      if (t === END) fail(`end marker at offset ${at} where a value is required`);
      fail(`unknown value type ${t} at offset ${at}`);
    }
    if (t <= 3) return this.newString(this.size(t + 1, 'string length'));
    if (t <= 7) return this.reused(this.size(t - 3, 'string id'));
    if (t <= 15) {
      const b = this.buf;
      if (t <= 11 && at + t - 6 <= b.length) {
        // One to four bytes, little-endian.
        let v = b[at + 1]!;
        if (t >= 9) v |= b[at + 2]! << 8;
        if (t >= 10) v |= b[at + 3]! << 16;
        if (t === 11) v += b[at + 4]! * 0x1000000;
        this.pos = at + t - 6;
        return v;
      }
      if (t === 15 && at + 9 <= b.length) {
        // Eight bytes: in real answers nearly always a 64-bit hash.
        this.pos = at + 9;
        const v = (this.view ??= new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength)).getBigUint64(at + 1, true);
        return v > MAX_SAFE ? v : Number(v);
      }
      return this.uint(t - 7, 'number');
    }
    switch (t) {
      case 16:
        return this.hash(depth + 1);
      case 17:
        return this.array(depth + 1);
      case 18:
        return false;
      case 19:
        return true;
      case 20: {
        const d = new BinaryData(this.uint(8, 'data length'));
        this.data.push(d);
        return d;
      }
      default:
        return fail(`unknown value type ${t} at offset ${at}`);
    }
  }

  hash(depth: number): Record<string, unknown> {
    if (depth > this.limits.maxDepth) fail(`nesting deeper than ${this.limits.maxDepth}`);
    const b = this.buf;
    const strings = this.strings;
    const keys = this.keys;
    const values = this.values;
    const base = this.top;
    let n = base;
    let shape = this.shapes;
    for (;;) {
      const at = this.pos;
      if (at >= b.length) fail(`truncated hash key at offset ${at}`);
      const t = b[at]!;
      let key: string | undefined;
      // Fast path: keys are nearly always short reused ids after the first entry.
      if (t >= 150 && t <= 199) {
        key = strings[t - 150];
        if (key === undefined) fail(`string id ${t - 150} refers to no earlier string (table has ${strings.length})`);
        this.pos = at + 1;
      } else if (t === END) {
        this.pos = at + 1;
        break;
      } else if (t >= 100 && t < 150) {
        this.pos = at + 1;
        key = this.newKey(t - 100);
      } else {
        this.pos = at + 1;
        key = this.stringOf(t);
        if (key === undefined) fail(`hash key at offset ${at} has non-string type ${t}`);
      }
      if (shape) shape = step(shape, key);
      // Fast paths for the commonest values: short strings, small numbers and booleans.
      const vt = b[this.pos];
      let v: unknown;
      if (vt === undefined) {
        v = this.value(depth); // fails: truncated
      } else if (vt >= 150 && vt <= 199) {
        v = strings[vt - 150];
        if (v === undefined) fail(`string id ${vt - 150} refers to no earlier string (table has ${strings.length})`);
        this.pos++;
      } else if (vt >= 100 && vt < 150) {
        this.pos++;
        v = this.newString(vt - 100);
      } else if (vt >= 200 && vt <= 219) {
        v = vt - 200;
        this.pos++;
      } else if (vt === 19) {
        v = true;
        this.pos++;
      } else if (vt === 18) {
        v = false;
        this.pos++;
      } else {
        this.top = n;
        v = this.value(depth);
      }
      // With a shape, the keys are its path in the trie.
      if (!shape) keys[n] = key;
      values[n++] = v;
    }
    let obj: Record<string, unknown> | undefined;
    const make = shape?.make;
    if (make !== undefined) obj = make(values, base);
    else if (shape) {
      for (let at = shape, i = n - 1; i >= base; at = at.parent!, i--) keys[i] = at.key;
      if (++shape.seen === SHAPE_AFTER && n > base && this.factories < MAX_FACTORIES) {
        this.factories++;
        shape.make = factory(keys.slice(base, n));
      }
    }
    if (obj === undefined) {
      obj = {};
      for (let i = base; i < n; i++) {
        const key = keys[i]!;
        if (key === '__proto__')
          Object.defineProperty(obj, key, { value: values[i], enumerable: true, writable: true, configurable: true });
        else obj[key] = values[i];
      }
    }
    this.top = base;
    return obj;
  }

  array(depth: number): unknown[] {
    if (depth > this.limits.maxDepth) fail(`nesting deeper than ${this.limits.maxDepth}`);
    const arr: unknown[] = [];
    for (;;) {
      if (this.pos < this.buf.length && this.buf[this.pos] === END) {
        this.pos++;
        return arr;
      }
      arr.push(this.value(depth));
    }
  }
}

/**
 * Decodes the value tree of one response (the `resplen` bytes, without the
 * 4-byte prefix). The top value must be a hash; an empty array is accepted in
 * its place and read as `{}`. Bytes left over after the tree are an error.
 */
export function decodeTree(tree: Uint8Array, limits?: DecodeLimits): DecodedTree {
  const lim = resolveLimits(limits);
  if (tree.length > lim.maxFrameSize) fail(`frame of ${tree.length} bytes exceeds the limit of ${lim.maxFrameSize}`);
  const r = new Reader(tree, lim);
  const t = r.byte('top-level value');
  let value: Record<string, unknown>;
  if (t === 16) value = r.hash(1);
  else if (t === 17 && tree[1] === END) {
    r.pos = 2;
    value = {};
  } else fail(`the top-level value must be a hash, got type ${t}`);
  if (r.pos !== tree.length) fail(`${tree.length - r.pos} trailing bytes after the value tree`);
  return { value, data: r.data };
}

/** Sum of the announced payload lengths, exact. */
export function totalDataLength(data: readonly BinaryData[]): number | bigint {
  if (data.length === 0) return 0;
  let total = 0n;
  for (const d of data) total += BigInt(d.length);
  return total <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(total) : total;
}

/**
 * Decodes one complete response: the 4-byte length, the tree, and optionally
 * the data payload that follows it. `bytes` must hold exactly the frame, or
 * the frame followed by exactly the announced payload.
 */
export function decodeResponse(bytes: Uint8Array, limits?: DecodeLimits): DecodedResponse {
  const len = readFrameLength(bytes, 0, limits);
  if (len === undefined) fail(`truncated frame: ${bytes.length} bytes, the length prefix needs 4`);
  if (bytes.length < 4 + len) fail(`truncated frame: announced ${len} bytes, got ${bytes.length - 4}`);
  const tree = decodeTree(bytes.subarray(4, 4 + len), limits);
  const dataLength = totalDataLength(tree.data);
  const rest = bytes.length - 4 - len;
  const result: DecodedResponse = { ...tree, frameSize: 4 + len, dataLength };
  if (rest > 0) {
    if (BigInt(rest) !== BigInt(dataLength)) fail(`${rest} bytes after the frame, but the tree announces ${dataLength} payload bytes`);
    result.payload = bytes.subarray(4 + len);
  }
  return result;
}
