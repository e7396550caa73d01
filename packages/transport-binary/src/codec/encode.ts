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

const utf8 = new TextEncoder();

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

type Encoded =
  | { name: Uint8Array; kind: 'string'; bytes: Uint8Array }
  | { name: Uint8Array; kind: 'number'; value: bigint }
  | { name: Uint8Array; kind: 'bool'; value: boolean };

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/**
 * How a value travels: unsigned integers that fit in 64 bits go as numbers,
 * everything else numeric (negative, fractional, not finite, too big) as its
 * decimal string, the way it would arrive over HTTP.
 */
function encodeValue(
  value: WireValue,
): { kind: 'string'; text: string } | { kind: 'number'; value: bigint } | { kind: 'bool'; value: boolean } {
  switch (typeof value) {
    case 'boolean':
      return { kind: 'bool', value };
    case 'bigint':
      return value >= 0n && value <= MAX_U64 ? { kind: 'number', value } : { kind: 'string', text: value.toString() };
    case 'number':
      if (Number.isInteger(value) && value >= 0 && !Object.is(value, -0)) {
        const big = BigInt(value);
        if (big <= MAX_U64) return { kind: 'number', value: big };
      }
      return { kind: 'string', text: String(value) };
    case 'string':
      return { kind: 'string', text: value };
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
  const methodBytes = utf8.encode(method);
  if (methodBytes.length === 0) throw new ValidationError(method, '', 'the method name is empty');
  if (!isAscii(methodBytes)) throw new ValidationError(method, '', 'the method name must be ASCII');
  if (methodBytes.length > REQUEST_LIMITS.maxMethodLength) {
    throw new ValidationError(
      method,
      '',
      `the method name is ${methodBytes.length} bytes; the binary protocol allows at most ${REQUEST_LIMITS.maxMethodLength}`,
    );
  }

  const encoded: Encoded[] = [];
  for (const [key, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    const name = utf8.encode(key);
    if (name.length === 0) throw new ValidationError(method, key, 'a parameter name is empty');
    if (name.length > REQUEST_LIMITS.maxParamNameLength) {
      throw new ValidationError(
        method,
        key,
        `parameter name "${key}" is ${name.length} bytes; the binary protocol allows at most ${REQUEST_LIMITS.maxParamNameLength}`,
      );
    }
    let v: ReturnType<typeof encodeValue>;
    try {
      v = encodeValue(raw);
    } catch (cause) {
      throw new ValidationError(method, key, `parameter "${key}": ${(cause as Error).message}`);
    }
    if (v.kind === 'string') encoded.push({ name, kind: 'string', bytes: utf8.encode(v.text) });
    else encoded.push({ name, ...v });
  }
  if (encoded.length > REQUEST_LIMITS.maxParams) {
    throw new ValidationError(method, '', `${encoded.length} parameters; the binary protocol allows at most ${REQUEST_LIMITS.maxParams}`);
  }

  const dataLength = options.dataLength === undefined ? undefined : BigInt(options.dataLength);
  if (dataLength !== undefined && (dataLength < 0n || dataLength > MAX_U64)) {
    throw new ValidationError(method, 'data', `payload length ${dataLength} does not fit a u64`);
  }
  const hasData = dataLength !== undefined && (dataLength > 0n || options.forceDataBit === true);

  // Size: methodbyte + [datalen] + method + count + params.
  let reqlen = 1 + (hasData ? 8 : 0) + methodBytes.length + 1;
  for (const p of encoded) {
    reqlen += 1 + p.name.length + (p.kind === 'string' ? 4 + p.bytes.length : p.kind === 'number' ? 8 : 1);
  }
  if (reqlen > 0xffff) {
    throw new ValidationError(
      method,
      '',
      `the request header would be ${reqlen + 2} bytes; the binary protocol allows at most ${REQUEST_LIMITS.maxHeaderBytes} (long string parameters must be shortened)`,
    );
  }

  const out = new Uint8Array(2 + reqlen);
  const view = new DataView(out.buffer);
  let o = 0;
  view.setUint16(o, reqlen, true);
  o += 2;
  out[o++] = methodBytes.length | (hasData ? 0x80 : 0);
  if (hasData) {
    view.setBigUint64(o, dataLength!, true);
    o += 8;
  }
  out.set(methodBytes, o);
  o += methodBytes.length;
  out[o++] = encoded.length;
  for (const p of encoded) {
    const type = p.kind === 'string' ? TYPE_STRING : p.kind === 'number' ? TYPE_NUMBER : TYPE_BOOL;
    out[o++] = type | p.name.length;
    out.set(p.name, o);
    o += p.name.length;
    if (p.kind === 'string') {
      view.setUint32(o, p.bytes.length, true);
      o += 4;
      out.set(p.bytes, o);
      o += p.bytes.length;
    } else if (p.kind === 'number') {
      view.setBigUint64(o, p.value, true);
      o += 8;
    } else {
      out[o++] = p.value ? 1 : 0;
    }
  }
  return out;
}
