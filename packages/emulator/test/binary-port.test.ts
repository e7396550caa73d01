import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { startEmulator, type Emulator } from '../src/index.js';

/** The binary port startEmulator opened. */
async function binaryPort(e: Emulator): Promise<{ host: string; port: number }> {
  if (!e.binary) throw new Error('the emulator has no binary port');
  return e.binary;
}

// Hand-written frames over raw sockets. The reader below is a minimal,
// test-only decoder of answer frames, independent of the emulator's encoder.

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/#[^\n]*/g, '').replace(/\s+/g, ''), 'hex');
}

/** Builds a request frame: strings as type 0, numbers as type 1, booleans as type 2. */
function frame(method: string, params: Record<string, string | number | boolean> = {}, payload?: Buffer): Buffer {
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

type V = string | number | bigint | boolean | V[] | { [k: string]: V } | { $data: number };

/** Reads answers (and their payloads) from a socket, in order. */
class Reader {
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
    expect(o).toBe(raw.length);
    const out: { value: Record<string, V>; payload?: Buffer; raw: Buffer } = { value, raw: Buffer.from(raw) };
    if (dataLen !== undefined) out.payload = Buffer.from(await this.bytes(dataLen));
    return out;
  }
}

async function open(emu: Emulator): Promise<Reader> {
  const { host, port } = await binaryPort(emu);
  const socket = connect(port, host);
  await new Promise<void>((r, j) => {
    socket.once('connect', r);
    socket.once('error', j);
  });
  return new Reader(socket);
}

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  await binaryPort(emu);
});
afterAll(async () => {
  await emu?.stop();
});

describe('emulator binary port', () => {
  it('answers a hand-written frame and is listed by getapiserver', async () => {
    const r = await open(emu);
    r.socket.write(
      hex(`
      0e 00                               # reqlen = 14
      0c                                  # method name length 12, no data
      67 65 74 61 70 69 73 65 72 76 65 72 # "getapiserver"
      00                                  # no parameters
    `),
    );
    const { value } = await r.answer();
    expect(value.result).toBe(0);
    const bin = await binaryPort(emu);
    expect(value.binapi).toEqual([`${bin.host}:${bin.port}`]);
    expect(value.api).toEqual([emu.apiHost]);
    r.socket.destroy();
  });

  it('keeps a login on the connection (sticky auth) and only there', async () => {
    const r = await open(emu);
    r.socket.write(frame('userinfo', { auth: emu.auth }));
    const first = await r.answer();
    expect(first.value.result).toBe(0);
    expect(first.value.email).toBe(emu.username);
    r.socket.write(frame('userinfo'));
    expect((await r.answer()).value.email).toBe(emu.username);
    const other = await open(emu);
    other.socket.write(frame('userinfo'));
    expect((await other.answer()).value.result).toBe(1000);
    r.socket.destroy();
    other.socket.destroy();
  });

  it('answers pipelined requests in order, with numbers and booleans as params', async () => {
    const r = await open(emu);
    r.socket.write(
      Buffer.concat([
        frame('userinfo', { auth: emu.auth, id: 'one' }),
        frame('listfolder', { folderid: 0, id: 'two', nofiles: true }),
        frame('stat', { fileid: 999_999_999, id: 'three' }),
      ]),
    );
    const a = await r.answer();
    const b = await r.answer();
    const c = await r.answer();
    expect([a.value.id, b.value.id, c.value.id]).toEqual(['one', 'two', 'three']);
    expect(b.value.result).toBe(0);
    expect((b.value.metadata as Record<string, V>).folderid).toBe(0);
    expect(c.value.result).toBe(2009);
    expect(typeof c.value.error).toBe('string');
    r.socket.destroy();
  });

  it('keeps answer order when an earlier call is slow', async () => {
    const r = await open(emu);
    emu.faults.delay('getdigest', 100);
    try {
      r.socket.write(Buffer.concat([frame('getdigest', { id: 'slow' }), frame('getapiserver', { id: 'fast' })]));
      expect((await r.answer()).value.id).toBe('slow');
      expect((await r.answer()).value.id).toBe('fast');
    } finally {
      emu.faults.clear();
      r.socket.destroy();
    }
  });

  it('parses a frame sent one byte at a time', async () => {
    const r = await open(emu);
    const bytes = frame('userinfo', { auth: emu.auth, id: 'slow' });
    for (const b of bytes) {
      r.socket.write(Buffer.from([b]));
      await new Promise((res) => setImmediate(res));
    }
    expect((await r.answer()).value.id).toBe('slow');
    r.socket.destroy();
  });

  it('takes an upload after the header and serves it back as a data payload', async () => {
    const r = await open(emu);
    const content = Buffer.from('hello from the binary port ✓');
    const name = `bin-${Date.now()}.txt`;
    r.socket.write(frame('uploadfile', { auth: emu.auth, folderid: 0, filename: name }, content));
    const up = await r.answer();
    expect(up.value.result).toBe(0);
    const meta = (up.value.metadata as Array<Record<string, V>>)[0]!;
    expect(meta.name).toBe(name);
    expect(meta.size).toBe(content.length);
    expect(typeof meta.hash === 'bigint' || typeof meta.hash === 'number').toBe(true);

    // Request 2 is pipelined behind the data answer: it must come after the payload.
    r.socket.write(Buffer.concat([frame('gettextfile', { fileid: meta.fileid as number }), frame('userinfo', { id: 'after' })]));
    const text = await r.answer();
    expect(text.value.result).toBe(0);
    expect(text.value.data).toEqual({ $data: content.length });
    expect(text.payload!.equals(content)).toBe(true);
    expect((await r.answer()).value.id).toBe('after');
    r.socket.destroy();
  });

  it('gives an upload method sent without the data bit an empty file', async () => {
    const r = await open(emu);
    const name = `empty-${Date.now()}.txt`;
    r.socket.write(frame('uploadfile', { auth: emu.auth, folderid: 0, filename: name }));
    const up = await r.answer();
    expect(up.value.result).toBe(0);
    expect(up.value.metadata).toEqual([expect.objectContaining({ name, size: 0 })]);
    r.socket.destroy();
  });

  it('streams a large upload split across many writes', async () => {
    const r = await open(emu);
    const content = Buffer.alloc(3 * 1024 * 1024 + 17, 0x61);
    const bytes = frame('uploadfile', { auth: emu.auth, folderid: 0, filename: `big-${Date.now()}.bin` }, content);
    for (let i = 0; i < bytes.length; i += 100_000) r.socket.write(bytes.subarray(i, i + 100_000));
    r.socket.write(frame('userinfo', { id: 'next' }));
    const up = await r.answer();
    expect(up.value.result).toBe(0);
    expect((up.value.metadata as Array<Record<string, V>>)[0]!.size).toBe(content.length);
    expect((await r.answer()).value.id).toBe('next');
    r.socket.destroy();
  });

  it('skips the payload a failing method did not read, keeping the connection usable', async () => {
    const r = await open(emu);
    // Not logged in on this connection: uploadfile fails before reading its data.
    r.socket.write(
      Buffer.concat([
        frame('uploadfile', { folderid: 0, filename: 'x.bin' }, Buffer.alloc(50_000, 1)),
        frame('getapiserver', { id: 'ok' }),
      ]),
    );
    expect((await r.answer()).value.result).toBe(1000);
    expect((await r.answer()).value.id).toBe('ok');
    r.socket.destroy();
  });

  it('ends an upload whose connection dies midway (pCloud keeps the bytes that arrived)', async () => {
    const r = await open(emu);
    const name = `cut-${Date.now()}.bin`;
    const whole = frame('uploadfile', { auth: emu.auth, folderid: 0, filename: name }, Buffer.alloc(1_000_000, 7));
    const header = whole.length - 1_000_000;
    r.socket.write(whole.subarray(0, header + 10_000));
    await new Promise((res) => setTimeout(res, 20));
    r.socket.destroy();
    // The method must finish rather than wait for bytes that never come.
    for (;;) {
      const list = (await fetch(`${emu.api}/listfolder?auth=${emu.auth}&folderid=0`).then((x) => x.json())) as {
        metadata: { contents: Array<{ name: string; size: number }> };
      };
      const f = list.metadata.contents.find((c) => c.name === name);
      if (f) {
        expect(f.size).toBeLessThanOrEqual(10_000);
        break;
      }
      await new Promise((res) => setTimeout(res, 20));
    }
  });

  it.each([
    ['a bad method name', frame('user-info')],
    ['an unknown method', frame('nosuchmethod_xyz')],
    ['a parameter of type 3', hex('09 00 01 6d 01 c1 61 00 00 00 00')], // reqlen 9: method "m", 1 param, 0xc1 = type 3 named "a"
    ['bytes left after the parameters', hex('05 00 01 6d 00 00 00')], // reqlen 5: method "m", 0 params, then 2 stray bytes
    ['a parameter running past reqlen', hex('0a 00 01 6d 01 01 61 09 00 00 00 41')], // string "a" claims 9 bytes, 1 is there
    ['an empty method name', hex('02 00 00 00')],
    ['a zero request length', hex('00 00')],
  ])('closes the connection on %s, and keeps serving others', async (_name, bytes) => {
    const r = await open(emu);
    r.socket.write(bytes);
    expect(await r.closedByServer()).toBe(true);
    const ok = await open(emu);
    ok.socket.write(frame('getapiserver'));
    expect((await ok.answer()).value.result).toBe(0);
    ok.socket.destroy();
  });

  it('survives random garbage', async () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 30; i++) {
      const r = await open(emu);
      const junk = Buffer.from(Array.from({ length: 1 + (rand() % 300) }, () => rand() & 0xff));
      r.socket.write(junk);
      r.socket.end();
      await r.closedByServer().catch(() => true);
    }
    const ok = await open(emu);
    ok.socket.write(frame('getapiserver'));
    expect((await ok.answer()).value.result).toBe(0);
    ok.socket.destroy();
  });

  it('speaks TLS when the emulator does', async () => {
    const tlsEmu = await startEmulator({ port: 0, tls: true, seed: false });
    try {
      const bin = await binaryPort(tlsEmu);
      const socket = tlsConnect({ host: bin.host, port: bin.port, ca: tlsEmu.certificate, checkServerIdentity: () => undefined });
      await new Promise<void>((r, j) => {
        socket.once('secureConnect', r);
        socket.once('error', j);
      });
      const r = new Reader(socket);
      socket.write(frame('userinfo', { auth: tlsEmu.auth }));
      expect((await r.answer()).value.email).toBe(tlsEmu.username);
      socket.destroy();
    } finally {
      await tlsEmu.stop();
    }
  });

  it('can be turned off', async () => {
    const plain = await startEmulator({ port: 0, seed: false, binary: false });
    try {
      expect(plain.binary).toBeUndefined();
      const servers = (await fetch(`${plain.api}/getapiserver`).then((x) => x.json())) as { binapi: string[] };
      expect(servers.binapi).toEqual([plain.apiHost]);
    } finally {
      await plain.stop();
    }
  });
});
