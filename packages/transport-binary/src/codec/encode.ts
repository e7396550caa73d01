/**
 * Request encoder for pCloud's binary protocol.
 *
 * Layout of a request (all integers little-endian):
 *
 *   reqlen    u16   bytes from offset 2 to the end of the last parameter
 *                   (the optional 8-byte datalen counts, the payload does not)
 *   methodlen u8    bits 0-6 name length, bit 7 set when a payload follows
 *   datalen   u64   only when bit 7 is set
 *   method    ASCII
 *   count     u8    number of parameters
 *   params    each: header byte (type << 6 | name length), name, value
 *             string: u32 byte length + UTF-8; number: u64; bool: 1 byte
 */
import { ValidationError } from '../core.js';
import type { WireValue } from '../core.js';

/** Limits imposed by the request layout. */
export const REQUEST_LIMITS = {
  /** The 16-bit `reqlen` plus its own 2 bytes. */
  maxHeaderBytes: 65_535 + 2,
  maxMethodLength: 127,
  maxParamNameLength: 63,
  maxParams: 255,
} as const;

const MAX_U64 = (1n << 64n) - 1n;
const TYPE_STRING = 0x00;
const TYPE_NUMBER = 0x40;
const TYPE_BOOL = 0x80;
const TWO_32 = 2 ** 32;

const utf8 = new TextEncoder();

/** Node's Buffer, where there is one: a socket takes it as it is (a plain Uint8Array it would wrap first). */
const NodeBuffer = (globalThis as unknown as { Buffer?: { allocUnsafe(size: number): Uint8Array } }).Buffer;

/** Options for {@link encodeRequest}. */
export interface EncodeRequestOptions {
  /**
   * Size of a payload that will follow the request. When given and greater
   * than 0 (or `forceDataBit` is set), bit 7 of the method byte is set and the
   * length is written as a u64. The payload itself is not part of the result.
   */
  dataLength?: number | bigint;
  /** Set the data bit even for a 0-byte payload. */
  forceDataBit?: boolean;
}

/** Bytes of `s` in UTF-8, as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: two units, four bytes
      i++;
    } else n += 2;
  }
  return n;
}

/** Writes `s` (`bytes` long in UTF-8) at `o`; returns the offset after it. */
function writeText(out: Uint8Array, o: number, s: string, bytes: number): number {
  if (bytes === s.length) for (let i = 0; i < bytes; i++) out[o + i] = s.charCodeAt(i);
  else utf8.encodeInto(s, out.subarray(o, o + bytes));
  return o + bytes;
}

/** Writes an unsigned integer below 2^64 as a little-endian u64; returns the offset after it. */
function writeU64(out: Uint8Array, o: number, v: number | bigint): number {
  let lo: number;
  let hi: number;
  if (typeof v === 'number') {
    lo = v % TWO_32;
    hi = (v - lo) / TWO_32;
  } else {
    lo = Number(v & 0xffffffffn);
    hi = Number(v >> 32n);
  }
  for (let i = 0; i < 4; i++) {
    out[o + i] = lo & 0xff;
    out[o + 4 + i] = hi & 0xff;
    lo = Math.floor(lo / 256);
    hi = Math.floor(hi / 256);
  }
  return o + 8;
}

/**
 * How a value travels: unsigned integers that fit in 64 bits go as numbers,
 * everything else numeric (negative, fractional, not finite, too big) as its
 * decimal string, the way it would arrive over HTTP.
 */
function wireValue(value: WireValue): string | number | bigint | boolean {
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'bigint':
      return value >= 0n && value <= MAX_U64 ? value : value.toString();
    case 'number':
      if (Number.isInteger(value) && value >= 0 && !Object.is(value, -0)) {
        if (value <= Number.MAX_SAFE_INTEGER) return value;
        const big = BigInt(value);
        if (big <= MAX_U64) return big;
      }
      return String(value);
    default:
      throw new TypeError(`unsupported parameter value of type ${typeof value}`);
  }
}

/**
 * Encodes one request header. Throws `ValidationError` (nothing is sent) when
 * the method name, a parameter name, the parameter count or the total header
 * size exceeds what the layout can express.
 */
export function encodeRequest(
  method: string,
  params: Readonly<Record<string, WireValue | undefined>> = {},
  options: EncodeRequestOptions = {},
): Uint8Array {
  if (method.length === 0) throw new ValidationError(method, '', 'the method name is empty');
  for (let i = 0; i < method.length; i++)
    if (method.charCodeAt(i) > 0x7f) throw new ValidationError(method, '', 'the method name must be ASCII');
  if (method.length > REQUEST_LIMITS.maxMethodLength) {
    throw new ValidationError(
      method,
      '',
      `the method name is ${method.length} bytes; the binary protocol allows at most ${REQUEST_LIMITS.maxMethodLength}`,
    );
  }

  // Each parameter: its name, the name's UTF-8 length, its wire value and, for a string, its UTF-8 length.
  const names: string[] = [];
  const nameBytes: number[] = [];
  const values: (string | number | bigint | boolean)[] = [];
  const valueBytes: number[] = [];
  // Size: methodbyte + [datalen] + method + count + params.
  let reqlen = 1 + method.length + 1;
  for (const key of Object.keys(params)) {
    const raw = params[key];
    if (raw === undefined) continue;
    const nameLength = utf8Length(key);
    if (nameLength === 0) throw new ValidationError(method, key, 'a parameter name is empty');
    if (nameLength > REQUEST_LIMITS.maxParamNameLength) {
      throw new ValidationError(
        method,
        key,
        `parameter name "${key}" is ${nameLength} bytes; the binary protocol allows at most ${REQUEST_LIMITS.maxParamNameLength}`,
      );
    }
    let v: string | number | bigint | boolean;
    try {
      v = wireValue(raw);
    } catch (cause) {
      throw new ValidationError(method, key, `parameter "${key}": ${(cause as Error).message}`);
    }
    const bytes = typeof v === 'string' ? utf8Length(v) : 0;
    names.push(key);
    nameBytes.push(nameLength);
    values.push(v);
    valueBytes.push(bytes);
    reqlen += 1 + nameLength + (typeof v === 'string' ? 4 + bytes : typeof v === 'boolean' ? 1 : 8);
  }
  if (names.length > REQUEST_LIMITS.maxParams) {
    throw new ValidationError(method, '', `${names.length} parameters; the binary protocol allows at most ${REQUEST_LIMITS.maxParams}`);
  }

  const dataLength = options.dataLength === undefined ? undefined : BigInt(options.dataLength);
  if (dataLength !== undefined && (dataLength < 0n || dataLength > MAX_U64)) {
    throw new ValidationError(method, 'data', `payload length ${dataLength} does not fit a u64`);
  }
  const hasData = dataLength !== undefined && (dataLength > 0n || options.forceDataBit === true);
  if (hasData) reqlen += 8;
  if (reqlen > 0xffff) {
    throw new ValidationError(
      method,
      '',
      `the request header would be ${reqlen + 2} bytes; the binary protocol allows at most ${REQUEST_LIMITS.maxHeaderBytes} (long string parameters must be shortened)`,
    );
  }

  // Every byte is written below.
  const out = NodeBuffer ? NodeBuffer.allocUnsafe(2 + reqlen) : new Uint8Array(2 + reqlen);
  out[0] = reqlen & 0xff;
  out[1] = reqlen >>> 8;
  out[2] = method.length | (hasData ? 0x80 : 0);
  let o = 3;
  if (hasData) o = writeU64(out, o, dataLength!);
  o = writeText(out, o, method, method.length);
  out[o++] = names.length;
  for (let i = 0; i < names.length; i++) {
    const v = values[i]!;
    const type = typeof v === 'string' ? TYPE_STRING : typeof v === 'boolean' ? TYPE_BOOL : TYPE_NUMBER;
    out[o++] = type | nameBytes[i]!;
    o = writeText(out, o, names[i]!, nameBytes[i]!);
    if (typeof v === 'string') {
      const n = valueBytes[i]!;
      out[o++] = n & 0xff;
      out[o++] = (n >>> 8) & 0xff;
      out[o++] = (n >>> 16) & 0xff;
      out[o++] = n >>> 24;
      o = writeText(out, o, v, n);
    } else if (typeof v === 'boolean') out[o++] = v ? 1 : 0;
    else o = writeU64(out, o, v);
  }
  return out;
}
