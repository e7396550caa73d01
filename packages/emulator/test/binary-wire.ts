/**
 * Test-only helpers for the binary port: hand-written request frames and a
 * minimal decoder of answer frames, independent of the emulator's encoder.
 */
import { connect, type Socket } from 'node:net';
import type { Emulator } from '../src/index.js';

/** The binary port startEmulator opened. */
export async function binaryPort(e: Emulator): Promise<{ host: string; port: number }> {
  if (!e.binary) throw new Error('the emulator has no binary port');
  return e.binary;
}

// Hand-written frames over raw sockets. The reader below is a minimal,
// test-only decoder of answer frames, independent of the emulator's encoder.

export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

/** Builds a request frame: strings as type 0, numbers as type 1, booleans as type 2. */
export function frame(method: string, params: Record<string, string | number | boolean> = {}, payload?: Buffer): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(params);
  for (const [name, v] of entries) {
    const n = Buffer.from(name);
    if (typeof v === 'string') {
      const s = Buffer.from(v);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(s.length);
      parts.push(Buffer.from([n.length]), n, len, s);
    } else if (typeof v === 'number') {
      const num = Buffer.alloc(8);
      num.writeBigUInt64LE(BigInt(v));
      parts.push(Buffer.from([0x40 | n.length]), n, num);
    } else {
      parts.push(Buffer.from([0x80 | n.length]), n, Buffer.from([v ? 1 : 0]));
    }
  }
  const m = Buffer.from(method);
  const data = payload ? Buffer.alloc(8) : Buffer.alloc(0);
  if (payload) data.writeBigUInt64LE(BigInt(payload.length));
  const body = Buffer.concat([Buffer.from([m.length | (payload ? 0x80 : 0)]), data, m, Buffer.from([entries.length]), ...parts]);
  const head = Buffer.alloc(2);
  head.writeUInt16LE(body.length);
  return Buffer.concat([head, body, payload ?? Buffer.alloc(0)]);
}

export type V = string | number | bigint | boolean | V[] | { [k: string]: V } | { $data: number };

/** Reads answers (and their payloads) from a socket, in order. */
export class Reader {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }
  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
  private async bytes(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`connection closed with ${this.buf.length} of ${n} bytes`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
  /** Resolves true once the server closed the connection. */
  async closedByServer(): Promise<boolean> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
    return true;
  }
  async answer(): Promise<{ value: Record<string, V>; payload?: Buffer; raw: Buffer }> {
    const len = (await this.bytes(4)).readUInt32LE(0);
    const raw = await this.bytes(len);
    const strings: string[] = [];
    let o = 0;
    let dataLen: number | undefined;
    const uint = (w: number) => {
      let v = 0n;
      for (let i = w - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[o + i]!);
      o += w;
      return v;
    };
    const num = (v: bigint) => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
    const str = (n: number) => {
      const s = raw.toString('utf8', o, o + n);
      o += n;
      strings.push(s);
      return s;
    };
    const val = (): V => {
      const t = raw[o++]!;
      if (t <= 3) return str(Number(uint(t + 1)));
      if (t <= 7) return strings[Number(uint(t - 3))]!;
      if (t <= 15) return num(uint(t - 7));
      if (t === 16) {
        const h: Record<string, V> = {};
        while (raw[o] !== 255) {
          const k = val() as string;
          h[k] = val();
        }
        o++;
        return h;
      }
      if (t === 17) {
        const a: V[] = [];
        while (raw[o] !== 255) a.push(val());
        o++;
        return a;
      }
      if (t === 18 || t === 19) return t === 19;
      if (t === 20) {
        dataLen = Number(uint(8));
        return { $data: dataLen };
      }
      if (t >= 100 && t < 150) return str(t - 100);
      if (t >= 150 && t < 200) return strings[t - 150]!;
      if (t >= 200 && t < 220) return t - 200;
      throw new Error(`unexpected type ${t}`);
    };
    const value = val() as Record<string, V>;
    if (o !== raw.length) throw new Error(`answer frame has ${raw.length - o} bytes after its value`);
    const out: { value: Record<string, V>; payload?: Buffer; raw: Buffer } = { value, raw: Buffer.from(raw) };
    if (dataLen !== undefined) out.payload = Buffer.from(await this.bytes(dataLen));
    return out;
  }
}

export async function open(emu: Emulator): Promise<Reader> {
  const { host, port } = await binaryPort(emu);
  const socket = connect(port, host);
  await new Promise<void>((r, j) => {
    socket.once('connect', r);
    socket.once('error', j);
  });
  return new Reader(socket);
}
