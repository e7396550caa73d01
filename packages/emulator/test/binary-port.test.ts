import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as tlsConnect } from 'node:tls';
import { startEmulator, type Emulator } from '../src/index.js';
import { binaryPort, frame, hex, open, Reader, type V } from './binary-wire.js';

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

  it('ends an upload whose connection dies midway, and stores nothing of it', async () => {
    const r = await open(emu);
    const name = `cut-${Date.now()}.bin`;
    const hash = `cut-${Date.now()}`;
    const whole = frame('uploadfile', { auth: emu.auth, folderid: 0, filename: name, progresshash: hash }, Buffer.alloc(1_000_000, 7));
    const header = whole.length - 1_000_000;
    r.socket.write(whole.subarray(0, header + 10_000));
    await new Promise((res) => setTimeout(res, 20));
    r.socket.destroy();
    // The method must finish rather than wait for bytes that never come.
    const progress = async () =>
      (await fetch(`${emu.api}/uploadprogress?auth=${emu.auth}&progresshash=${hash}`).then((x) => x.json())) as { finished?: boolean };
    while (!(await progress()).finished) await new Promise((res) => setTimeout(res, 20));
    const stat = (await fetch(`${emu.api}/stat?auth=${emu.auth}&path=/${name}`).then((x) => x.json())) as { result: number };
    expect(stat.result).toBe(2009);
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
