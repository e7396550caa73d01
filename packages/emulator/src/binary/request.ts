/**
 * Parser for binary-protocol request headers, as the server side sees them.
 *
 *   u16 reqlen | u8 methodbyte (bit 7: payload follows) | [u64 datalen]
 *   | method name | u8 count | params
 *
 * A param is a header byte (bits 6-7 type: 0 string, 1 number, 2 bool;
 * bits 0-5 name length), the name, then u32 length + UTF-8 bytes, a u64, or
 * one byte. `reqlen` covers everything after itself except the payload.
 */
import type { RawParam } from '../params.js';

export interface BinaryRequest {
  method: string;
  params: Record<string, RawParam>;
  /** Payload bytes following the header; undefined when the data bit is clear. */
  dataLength: number | undefined;
}

/** Thrown for a header the server cannot make sense of: the connection is dropped. */
export class MalformedRequest extends Error {
  constructor(reason: string) {
    super(`malformed binary request: ${reason}`);
    this.name = 'MalformedRequest';
  }
}

const METHOD_NAME = /^[A-Za-z0-9_]+$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes needed before `headerLength` can tell the header's size. */
export const LENGTH_BYTES = 2;

/** Total header size (prefix included) announced by the first two bytes. */
export function headerLength(buf: Buffer): number {
  return 2 + buf.readUInt16LE(0);
}

/** `buf[start..end]` as UTF-8 text (`what` names it in the error); ASCII, the common case, without a decoder. */
function text(buf: Buffer, start: number, end: number, what: string): string {
  let i = start;
  while (i < end && buf[i]! < 0x80) i++;
  if (i === end) return buf.toString('latin1', start, end);
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw new MalformedRequest(`${what} is not UTF-8`);
  }
}

/** An unsigned 64-bit little-endian value: a number when it is safe, else a bigint. */
function u64(buf: Buffer, o: number): number | bigint {
  const hi = buf.readUInt32LE(o + 4);
  if (hi < 0x200000) return hi * 0x100000000 + buf.readUInt32LE(o);
  return buf.readBigUInt64LE(o);
}

/** Parses one complete header (`buf` holds exactly `headerLength` bytes). */
export function parseHeader(buf: Buffer): BinaryRequest {
  const end = buf.length;
  let o = 2;
  const need = (n: number, what: string) => {
    if (o + n > end) throw new MalformedRequest(`${what} runs past the announced length`);
  };
  need(1, 'method byte');
  const mb = buf[o++]!;
  let dataLength: number | undefined;
  if (mb & 0x80) {
    need(8, 'data length');
    const size = u64(buf, o);
    o += 8;
    if (typeof size === 'bigint') throw new MalformedRequest(`data length ${size} is too large`);
    dataLength = size;
  }
  const nameLen = mb & 0x7f;
  if (nameLen === 0) throw new MalformedRequest('empty method name');
  need(nameLen, 'method name');
  const method = buf.toString('latin1', o, o + nameLen);
  o += nameLen;
  if (!METHOD_NAME.test(method)) throw new MalformedRequest('method name has characters outside [A-Za-z0-9_]');
  need(1, 'parameter count');
  const count = buf[o++]!;
  // A plain object for the dispatcher; a "__proto__" param is an own member like any other.
  const params: Record<string, RawParam> = {};
  for (let i = 0; i < count; i++) {
    need(1, 'parameter header');
    const h = buf[o++]!;
    const type = h >> 6;
    const len = h & 0x3f;
    need(len, 'parameter name');
    const name = text(buf, o, o + len, 'parameter name');
    o += len;
    let value: RawParam;
    if (type === 0) {
      need(4, 'string length');
      const n = buf.readUInt32LE(o);
      o += 4;
      need(n, 'string value');
      value = text(buf, o, o + n, `parameter ${name}`);
      o += n;
    } else if (type === 1) {
      need(8, 'number value');
      value = u64(buf, o);
      o += 8;
    } else if (type === 2) {
      need(1, 'bool value');
      value = buf[o++] !== 0;
    } else {
      throw new MalformedRequest(`parameter ${name} has unknown type 3`);
    }
    if (name === '__proto__') Object.defineProperty(params, name, { value, enumerable: true, writable: true, configurable: true });
    else params[name] = value;
  }
  if (o !== end) throw new MalformedRequest(`${end - o} bytes left after the last parameter`);
  return { method, params, dataLength };
}
