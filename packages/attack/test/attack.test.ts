// The standing attack suite: the emulator runs in a child process whose
// memory is sampled while it is flooded, fed malformed input and held by slow
// clients. Every attack must leave it alive, bounded and with every stored
// file intact. The figures are printed at the end of the run.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, TransportError } from '@pcloudkit/core';
import { folder } from '@pcloudkit/methods-folder';
import { general } from '@pcloudkit/methods-general';
import { decodeResponse, readFrameLength } from '@pcloudkit/transport-binary';
import { httpTransport } from '@pcloudkit/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  binaryRequest,
  type ChildEmulator,
  chunk,
  Figures,
  httpAnswers,
  lossyProxy,
  Multipart,
  openRaw,
  pause,
  postHead,
  type RawConnection,
  spawnEmulator,
  trickle,
} from '../src/index.js';

const MiB = 1024 * 1024;
/**
 * What the emulator may take at most while attacked. It starts near 120 MB
 * on Node 20 and higher on Node 24, whose heap grows more before collecting
 * (peaks of 180-270 MB on 20, up to about 430 MB on 24). The floods send a
 * gigabyte or more, so a server that buffered them would pass this by far.
 */
const RSS_BOUND = 512 * MiB;
const figures = new Figures();
let inputsTried = 0;

let emu: ChildEmulator;
/** Files stored before the attacks: they must come out of them unchanged. */
const kept: { name: string; fileid: number; sha1: string; size: number }[] = [];

type Json = Record<string, any>;

async function api(method: string, params: Record<string, string | number> = {}, init: RequestInit = {}): Promise<Json> {
  const qs = new URLSearchParams(Object.entries({ auth: emu.ready.auth, ...params }).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`${emu.ready.api}/${method}?${qs}`, init);
  return JSON.parse((await res.text()).replace(/"hash":(\d+)/g, '"hash":"$1"')) as Json;
}

async function store(name: string, bytes: Buffer): Promise<void> {
  const r = await api('uploadfile', { folderid: 0, filename: name }, { method: 'PUT', body: new Uint8Array(bytes) });
  expect(r.result).toBe(0);
  kept.push({ name, fileid: r.metadata[0].fileid, sha1: createHash('sha1').update(bytes).digest('hex'), size: bytes.length });
}

/** The server still answers a new client quickly. */
async function stillServes(): Promise<number> {
  const began = Date.now();
  expect((await api('getapiserver')).result).toBe(0);
  return Date.now() - began;
}

beforeAll(async () => {
  emu = await spawnEmulator();
  await store('kept-small.txt', Buffer.from('nothing may change this file'));
  await store('kept-4mib.bin', randomBytes(4 * MiB));
});

afterAll(async () => {
  const code = await emu?.stop();
  figures.add('emulator process', 'exit code after SIGTERM', code ?? -1);
  process.stdout.write(
    figures.format({
      'load held': `${(figures.total('bytes sent by the attacker') / 1024 ** 3).toFixed(2)} GiB sent in floods, peak RSS ${Math.round(
        Math.max(
          ...figures
            .all()
            .filter((f) => f.label === 'peak RSS')
            .map((f) => f.value),
          0,
        ) / MiB,
      )} MiB (bound ${RSS_BOUND / MiB} MiB)`,
      'connections cut or refused': figures.total('connections cut by a time limit') + figures.total('connections refused by the cap'),
      'faults survived': figures.total('faults survived'),
      'inputs tried': inputsTried,
      'data lost': figures.total('files lost or changed'),
    }),
  );
});

describe('property names are unknown methods on both ports', () => {
  const names = [
    'constructor',
    'toString',
    '__proto__',
    'hasOwnProperty',
    'valueOf',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__defineGetter__',
    '__lookupGetter__',
    'prototype',
  ];

  it('HTTP: the connection is dropped without an answer, like any unknown method', async () => {
    for (const name of names) {
      const c = await openRaw(emu.ready.apiHost);
      await c.send(
        `GET /${name}?auth=${emu.ready.auth} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\nGET /getapiserver HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      expect(await c.waitClosed(3000), name).toBeDefined();
      expect(c.received().length, name).toBe(0);
      inputsTried += 1;
    }
    await stillServes();
  });

  it('binary: the connection is closed without an answer', async () => {
    for (const name of names) {
      const c = await openRaw(emu.ready.binapi!);
      await c.send(binaryRequest(name, { auth: emu.ready.auth }));
      expect(await c.waitClosed(3000), name).toBeDefined();
      expect(c.received().length, name).toBe(0);
      inputsTried += 1;
    }
    expect(emu.alive()).toBe(true);
  });

  it('as parameter names they are ignored like any unknown parameter', async () => {
    const params = Object.fromEntries(names.map((n, i) => [n, String(i)]));
    const viaHttp = await api('userinfo', params);
    expect(viaHttp.result).toBe(0);
    const c = await openRaw(emu.ready.binapi!);
    await c.send(binaryRequest('userinfo', { auth: emu.ready.auth, ...params }));
    const until = Date.now() + 3000;
    let frame: Buffer | undefined;
    while (!frame && Date.now() < until) {
      const got = c.received();
      const len = readFrameLength(got);
      if (len !== undefined && got.length >= 4 + len) frame = got.subarray(0, 4 + len);
      else await pause(20);
    }
    expect(decodeResponse(frame!).value).toMatchObject({ result: 0 });
    c.socket.destroy();
    inputsTried += 2;
    figures.add('property names', 'names tried on both ports', names.length);
  });
});

describe('malformed multipart bodies', () => {
  /** Sends one POST and collects the answer (or the close). */
  async function exchange(
    path: string,
    contentType: string,
    body: Buffer,
    length = body.length,
  ): Promise<{ answers: Json[]; closed: boolean }> {
    const c = await openRaw(emu.ready.apiHost);
    await c.send(Buffer.concat([Buffer.from(postHead(path, contentType, length)), body]));
    const until = Date.now() + 5000;
    while (Date.now() < until && httpAnswers(c.received()).length === 0 && c.closedAfter() === undefined) await pause(10);
    const answers = httpAnswers(c.received()).map((a) => JSON.parse(a.body.toString()) as Json);
    const closed = c.closedAfter() !== undefined;
    c.socket.destroy();
    return { answers, closed };
  }

  it('a body cut at any point never stores a file, and the whole body does', async () => {
    const mp = new Multipart();
    const name = 'sweep.bin';
    const whole = Buffer.concat([
      mp.field('auth', emu.ready.auth),
      mp.field('folderid', '0'),
      mp.file(name, randomBytes(3000)),
      mp.close(),
    ]);
    // the body is complete once the closing boundary's "--" is there (the CRLF after it is optional)
    const complete = whole.length - 2;
    const cuts: number[] = [];
    for (let at = 1; at < complete; at += 29) cuts.push(at);
    // every offset around the end, where the file's last bytes and the closing boundary are
    for (let at = complete - 80; at < complete; at++) cuts.push(at);
    let refused = 0;
    for (let i = 0; i < cuts.length; i += 8) {
      const batch = cuts.slice(i, i + 8);
      const outcomes = await Promise.all(batch.map((at) => exchange('/uploadfile', mp.contentType, whole.subarray(0, at))));
      for (const [j, o] of outcomes.entries()) {
        // either an error answer or a dropped connection: never a stored file
        for (const a of o.answers) expect(a.result, `cut at ${batch[j]}`).not.toBe(0);
        refused += 1;
      }
    }
    inputsTried += cuts.length;
    expect((await api('stat', { path: `/${name}` })).result).toBe(2009);
    for (const end of [complete, whole.length]) {
      const full = await exchange('/uploadfile', mp.contentType, whole.subarray(0, end));
      expect(full.answers[0]).toMatchObject({ result: 0, metadata: [{ name, size: 3000 }] });
      expect((await api('deletefile', { path: `/${name}` })).result).toBe(0);
    }
    figures.add('malformed multipart', 'truncated bodies refused', refused);
  });

  it('junk in every part of the format: answered or dropped, the server keeps serving', async () => {
    const mp = new Multipart();
    const auth = mp.field('auth', emu.ready.auth);
    const file = mp.file('junk.bin', Buffer.from('junk'));
    const cases: [string, string, Buffer][] = [
      ['random bytes', mp.contentType, randomBytes(64 * 1024)],
      ['no boundary parameter', 'multipart/form-data', Buffer.concat([auth, file, mp.close()])],
      ['an empty boundary', 'multipart/form-data; boundary=', Buffer.concat([auth, file, mp.close()])],
      ['a 5000-character boundary', `multipart/form-data; boundary=${'b'.repeat(5000)}`, Buffer.concat([auth, file, mp.close()])],
      [
        'part headers of 200 KB',
        mp.contentType,
        Buffer.from(`--${mp.boundary}\r\nX-Big: ${'h'.repeat(200_000)}\r\n\r\nv\r\n--${mp.boundary}--\r\n`),
      ],
      [
        '10,000 header lines in one part',
        mp.contentType,
        Buffer.from(
          `--${mp.boundary}\r\n${'X-A: b\r\n'.repeat(10_000)}Content-Disposition: form-data; name="a"\r\n\r\nv\r\n--${mp.boundary}--\r\n`,
        ),
      ],
      [
        'LF line ends only',
        mp.contentType,
        Buffer.from(`--${mp.boundary}\nContent-Disposition: form-data; name="a"\n\nv\n--${mp.boundary}--\n`),
      ],
      ['only the closing boundary', mp.contentType, mp.close()],
      [
        'a part without Content-Disposition',
        mp.contentType,
        Buffer.from(`--${mp.boundary}\r\nContent-Type: text/plain\r\n\r\nv\r\n--${mp.boundary}--\r\n`),
      ],
      ['a nested multipart part', mp.contentType, Buffer.concat([auth, mp.field('inner', `--x\r\n\r\n--x--`), file, mp.close()])],
      [
        'a quote-broken filename',
        mp.contentType,
        Buffer.from(`--${mp.boundary}\r\nContent-Disposition: form-data; name="f"; filename="a\r\n\r\nv\r\n--${mp.boundary}--\r\n`),
      ],
      ['a filename with a NUL', mp.contentType, Buffer.concat([auth, mp.file('a\u0000b.bin', Buffer.from('x')), mp.close()])],
      [
        'a filename* with bad escapes',
        mp.contentType,
        Buffer.from(
          `--${mp.boundary}\r\nContent-Disposition: form-data; name="f"; filename*=UTF-8''%ZZ%\r\n\r\nv\r\n--${mp.boundary}--\r\n`,
        ),
      ],
      [
        'a fields-only body of 1,001 fields',
        mp.contentType,
        Buffer.concat([...Array.from({ length: 1001 }, (_, i) => mp.field(`p${i}`, 'v')), mp.close()]),
      ],
      ['a field of 1 MiB + 1', mp.contentType, Buffer.concat([mp.field('auth', Buffer.alloc(MiB + 1, 0x61)), mp.close()])],
    ];
    for (const [label, type, body] of cases) {
      const o = await exchange('/uploadfile?folderid=0', type, body);
      for (const a of o.answers) expect(typeof a.result, label).toBe('number');
      expect(emu.alive(), label).toBe(true);
      inputsTried += 1;
    }
    // Content-Length longer than the body, then a half-close
    const c = await openRaw(emu.ready.apiHost);
    await c.send(Buffer.concat([Buffer.from(postHead('/uploadfile', mp.contentType, 10_000)), auth, file]));
    c.socket.end();
    await c.waitClosed(5000);
    inputsTried += 1;
    await stillServes();
    // odd but valid bodies (a long boundary, a field that looks like multipart) store the whole file
    const junk = await api('stat', { path: '/junk.bin' });
    if (junk.result === 0) {
      expect(junk.metadata.size).toBe(4);
      await api('deletefile', { path: '/junk.bin' });
    }
    const listed = await api('listfolder', { folderid: 0 });
    expect(listed.metadata.contents.map((f: Json) => f.name).sort()).toEqual(kept.map((k) => k.name).sort());
    figures.add('malformed multipart', 'kinds of junk tried', cases.length + 1);
  });
});

describe('memory floods', () => {
  it('HTTP: 1 GiB of multipart fields ahead of the files, no login needed, leaves memory bounded', async () => {
    const sampler = emu.sample();
    const mp = new Multipart();
    const field = chunk(mp.field('f', Buffer.alloc(MiB - 200, 0x66)));
    const target = 1024 * MiB;
    let sent = 0;
    let connections = 0;
    let refusals = 0;
    const attacker = async () => {
      while (sent < target) {
        const c = await openRaw(emu.ready.apiHost);
        connections += 1;
        await c.send(postHead('/uploadfile?folderid=0', mp.contentType));
        // fields without end until the server has had enough
        for (let i = 0; i < 4000 && sent < target; i++) {
          const before = c.flushed();
          const ok = await c.send(field);
          sent += c.flushed() - before;
          if (!ok) break;
        }
        await c.waitClosed(5000);
        const answers = httpAnswers(c.received()).map((a) => JSON.parse(a.body.toString()) as Json);
        if (answers[0]?.result === 5001) refusals += 1;
        c.socket.destroy();
      }
    };
    const began = Date.now();
    await Promise.all([attacker(), attacker(), attacker(), attacker()]);
    const took = Date.now() - began;
    // many tiny fields on top
    const tiny = await openRaw(emu.ready.apiHost);
    await tiny.send(postHead('/uploadfile?folderid=0', mp.contentType));
    for (let i = 0; i < 50 && tiny.closedAfter() === undefined; i++) {
      const before = tiny.flushed();
      await tiny.send(chunk(Buffer.concat(Array.from({ length: 1000 }, (_, j) => mp.field(`t${i}-${j}`, 'v')))));
      sent += tiny.flushed() - before;
    }
    await tiny.waitClosed(5000);
    const peak = sampler.stop();
    expect(emu.alive()).toBe(true);
    expect(sent).toBeGreaterThanOrEqual(target);
    expect(refusals).toBeGreaterThan(0);
    expect(peak).toBeLessThan(RSS_BOUND);
    await stillServes();
    figures.add('HTTP multipart field flood', 'bytes sent by the attacker', sent, 'bytes');
    figures.add('HTTP multipart field flood', 'connections opened', connections);
    figures.add('HTTP multipart field flood', 'answered 5001 and closed', refusals);
    figures.add('HTTP multipart field flood', 'time', took, 'ms');
    figures.add('HTTP multipart field flood', 'peak RSS', peak, 'bytes');
  });

  it('binary: clients that pipeline requests and never read are stopped; memory stays bounded', async () => {
    const zipSource = kept.find((k) => k.name === 'kept-4mib.bin')!;
    const sampler = emu.sample();
    const small = binaryRequest('userinfo', { auth: 'not-a-token' });
    const big = binaryRequest('getzip', { auth: emu.ready.auth, fileids: zipSource.fileid });
    const burst = (req: Buffer) => Buffer.concat(Array.from({ length: Math.ceil((256 * 1024) / req.length) }, () => req));
    const conns: { c: RawConnection; size: number }[] = [];
    for (let i = 0; i < 8; i++) conns.push({ c: await openRaw(emu.ready.binapi!, { keepReceived: false }), size: small.length });
    for (let i = 0; i < 2; i++) conns.push({ c: await openRaw(emu.ready.binapi!, { keepReceived: false }), size: big.length });
    // the attackers never read what comes back
    for (const { c } of conns) c.socket.pause();
    const until = Date.now() + 8000;
    let offered = 0;
    await Promise.all(
      conns.map(async ({ c, size }) => {
        const bytes = burst(size === small.length ? small : big);
        while (Date.now() < until && c.closedAfter() === undefined) {
          // a write the server does not take stays pending: stop offering at the deadline
          const ok = await Promise.race([c.send(bytes), pause(Math.max(0, until - Date.now())).then(() => false)]);
          if (!ok) break;
          offered += bytes.length;
        }
      }),
    );
    const latency = await stillServes();
    const peak = sampler.stop();
    const accepted = conns.reduce((n, { c }) => n + c.flushed(), 0);
    const requests = conns.reduce((n, { c, size }) => n + Math.floor(c.flushed() / size), 0);
    for (const { c } of conns) c.socket.destroy();
    expect(emu.alive()).toBe(true);
    expect(peak).toBeLessThan(RSS_BOUND);
    // generous: the whole repository's tests may share the two cores meanwhile
    expect(latency).toBeLessThan(5000);
    figures.add('binary pipelining flood (10 connections, 8 s)', 'bytes sent by the attacker', offered, 'bytes');
    figures.add('binary pipelining flood (10 connections, 8 s)', 'requests the kernel took', requests);
    figures.add('binary pipelining flood (10 connections, 8 s)', 'bytes the kernel took', accepted, 'bytes');
    figures.add('binary pipelining flood (10 connections, 8 s)', 'latency of a new client', latency, 'ms');
    figures.add('binary pipelining flood (10 connections, 8 s)', 'peak RSS', peak, 'bytes');
  });

  it('binary: a 1 GiB upload cut at 600 MiB streams to disk with bounded memory and stores nothing', async () => {
    const sampler = emu.sample();
    const name = 'cut-gib.bin';
    const c = await openRaw(emu.ready.binapi!);
    await c.send(binaryRequest('uploadfile', { auth: emu.ready.auth, folderid: 0, filename: name, progresshash: 'cut-gib' }, 1024 * MiB));
    const block = Buffer.alloc(4 * MiB, 0x5a);
    let sent = 0;
    while (sent < 600 * MiB) {
      if (!(await c.send(block))) break;
      sent += block.length;
    }
    c.socket.destroy();
    // the upload ends (2041 inside the server) rather than wait for bytes that never come
    for (let i = 0; i < 200; i++) {
      const p = await api('uploadprogress', { progresshash: 'cut-gib' });
      if (p.finished) break;
      await pause(50);
    }
    const peak = sampler.stop();
    expect((await api('stat', { path: `/${name}` })).result).toBe(2009);
    expect(peak).toBeLessThan(RSS_BOUND);
    figures.add('binary upload cut short', 'bytes sent by the attacker', sent, 'bytes');
    figures.add('binary upload cut short', 'files stored from it', 0);
    figures.add('binary upload cut short', 'peak RSS', peak, 'bytes');
  });
});

describe('slow clients', () => {
  let slow: ChildEmulator;
  beforeAll(async () => {
    slow = await spawnEmulator([
      '--header-timeout',
      '1000',
      '--body-timeout',
      '1000',
      '--idle-timeout',
      '1000',
      '--binary-idle-timeout',
      '1000',
      '--max-connections-per-address',
      '100',
    ]);
  });
  afterAll(async () => {
    await slow?.stop();
  });

  it('trickling heads, stalled bodies and silent connections are cut by the time limits; extra connections are refused', async () => {
    const { apiHost, binapi, auth, contentHosts } = slow.ready;
    const conns: RawConnection[] = [];
    const work: Promise<void>[] = [];
    const began = Date.now();
    for (let i = 0; i < 40; i++) {
      const head = await openRaw(apiHost);
      conns.push(head);
      work.push(trickle(head, `GET /userinfo?auth=${auth} HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(500)}\r\n\r\n`, 100, 10_000));
      const body = await openRaw(apiHost);
      conns.push(body);
      await body.send(
        `PUT /uploadfile?auth=${auth}&folderid=0&filename=slow-${i}.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n`,
      );
      await body.send(Buffer.alloc(100, 1));
      if (i % 2) continue;
      const bin = await openRaw(binapi!);
      conns.push(bin);
      work.push(trickle(bin, binaryRequest('userinfo', { auth, pad: 'p'.repeat(500) }), 100, 10_000));
      conns.push(await openRaw(contentHosts[0]!));
    }
    // the cap: 100 per address and port; 80 are held on the API port now
    const extra: RawConnection[] = [];
    for (let i = 0; i < 40; i++) extra.push(await openRaw(apiHost));
    await pause(300);
    const refused = extra.filter((c) => c.closedAfter() !== undefined).length;
    expect(refused).toBeGreaterThan(0);
    for (const c of extra) c.socket.destroy();
    await pause(200);
    // a steady upload on a slow link (a byte every 300 ms, 3 s in all) outlives every limit
    const steady = await openRaw(apiHost);
    await steady.send(`PUT /uploadfile?auth=${auth}&folderid=0&filename=steady.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n`);
    await trickle(steady, Buffer.alloc(10, 7), 300, 10_000);
    for (let i = 0; i < 100 && httpAnswers(steady.received()).length === 0; i++) await pause(20);
    expect(JSON.parse(httpAnswers(steady.received())[0]!.body.toString())).toMatchObject({ result: 0, metadata: [{ size: 10 }] });
    steady.socket.destroy();
    // every slow connection is gone well before its bytes could have arrived
    const closed = await Promise.all(conns.map((c) => c.waitClosed(6000)));
    const cut = closed.filter((t) => t !== undefined).length;
    expect(cut).toBe(conns.length);
    expect(Math.max(...(closed as number[]))).toBeLessThan(6000);
    await Promise.all(work);
    const stats = await fetch(`${slow.ready.api}/stat?auth=${auth}&path=/slow-0.bin`).then((r) => r.json() as Promise<Json>);
    expect(stats.result).toBe(2009);
    expect(slow.alive()).toBe(true);
    figures.add('slow clients (limits 1 s, cap 100)', 'connections cut by a time limit', cut);
    figures.add('slow clients (limits 1 s, cap 100)', 'connections refused by the cap', refused);
    figures.add('slow clients (limits 1 s, cap 100)', 'time until the last was cut', Math.max(...(closed as number[])), 'ms');
    figures.add('slow clients (limits 1 s, cap 100)', 'steady 3 s upload stored', 1);
    figures.add('slow clients (limits 1 s, cap 100)', 'whole run', Date.now() - began, 'ms');
  });
});

describe('malformed binary frames', () => {
  it('random bytes and mutated frames close the connection or get an answer; the port keeps serving', async () => {
    let seed = 0x5eed;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    const valid = [
      binaryRequest('getapiserver', { id: 'x' }),
      binaryRequest('userinfo', { auth: 'bogus', getauth: 1 }),
      binaryRequest('listfolder', { folderid: 0 }),
    ];
    const inputs: Buffer[] = [];
    for (let i = 0; i < 100; i++) inputs.push(Buffer.from(Array.from({ length: 1 + (rand() % 400) }, () => rand() & 0xff)));
    for (let i = 0; i < 100; i++) {
      const f = Buffer.from(valid[i % valid.length]!);
      for (let k = 0; k <= rand() % 3; k++) f[rand() % f.length] = rand() & 0xff;
      inputs.push(f);
    }
    let closed = 0;
    for (let i = 0; i < inputs.length; i += 25) {
      const batch = await Promise.all(
        inputs.slice(i, i + 25).map(async (bytes) => {
          const c = await openRaw(emu.ready.binapi!);
          await c.send(bytes);
          const after = await c.waitClosed(1000);
          c.socket.destroy();
          return after !== undefined;
        }),
      );
      closed += batch.filter(Boolean).length;
    }
    inputsTried += inputs.length;
    expect(emu.alive()).toBe(true);
    const c = await openRaw(emu.ready.binapi!);
    await c.send(binaryRequest('getapiserver'));
    for (let i = 0; i < 100 && c.received().length < 4; i++) await pause(20);
    expect(c.received().length).toBeGreaterThan(4);
    c.socket.destroy();
    figures.add('malformed binary frames', 'frames tried', inputs.length);
    figures.add('malformed binary frames', 'connections closed by the server', closed);
  });
});

describe('load', () => {
  it('10,000 HTTP calls at 64 in flight: no errors, no leaked sockets', async () => {
    const base = emu.openFiles();
    const request = `GET /userinfo?auth=${emu.ready.auth} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`;
    let next = 0;
    let errors = 0;
    const began = Date.now();
    const worker = async () => {
      const c = await openRaw(emu.ready.apiHost);
      let answered = 0;
      while (next < 10_000) {
        next += 1;
        await c.send(request);
        const until = Date.now() + 10_000;
        while (httpAnswers(c.received()).length === answered && c.closedAfter() === undefined && Date.now() < until) await pause(1);
        const all = httpAnswers(c.received());
        if (all.length === answered) {
          errors += 1;
          break;
        }
        if (JSON.parse(all[answered]!.body.toString()).result !== 0) errors += 1;
        answered += 1;
      }
      c.socket.destroy();
      return answered;
    };
    const done = (await Promise.all(Array.from({ length: 64 }, worker))).reduce((a, b) => a + b, 0);
    const took = Date.now() - began;
    expect(errors).toBe(0);
    expect(done).toBe(10_000);
    // the server lets go of every connection the clients closed
    let now = emu.openFiles();
    for (let i = 0; i < 50 && base !== undefined && now !== undefined && now > base + 2; i++) {
      await pause(100);
      now = emu.openFiles();
    }
    if (base !== undefined && now !== undefined) expect(now).toBeLessThanOrEqual(base + 2);
    figures.add('load: 10,000 HTTP calls, 64 in flight', 'calls answered', done);
    figures.add('load: 10,000 HTTP calls, 64 in flight', 'errors', errors);
    figures.add('load: 10,000 HTTP calls, 64 in flight', 'time', took, 'ms');
    figures.add('load: 10,000 HTTP calls, 64 in flight', 'open descriptors after, over before', (now ?? 0) - (base ?? 0));
  });
});

describe('deep trees', () => {
  /** The id of the deepest folder of a listing (first subfolder at each level). */
  const deepest = (m: Json): { id: number; levels: number } => {
    let cur = m;
    let levels = 0;
    for (let next = cur.contents?.find((x: Json) => x.isfolder); next; next = cur.contents?.find((x: Json) => x.isfolder)) {
      cur = next;
      levels += 1;
    }
    return { id: cur.folderid, levels };
  };

  it('a chain of 12,288 folders is listed on both ports, copied, deleted, listed in the trash and restored', async () => {
    const sampler = emu.sample();
    const began = Date.now();
    const home = (await api('createfolder', { folderid: 0, name: 'attack-deep' })).metadata.folderid as number;
    const tmp = (await api('createfolder', { folderid: home, name: 'tmp' })).metadata.folderid as number;
    const copies = (await api('createfolder', { folderid: home, name: 'copies' })).metadata.folderid as number;
    const top = (await api('createfolder', { folderid: home, name: 'a' })).metadata.folderid as number;
    // doubling: copy the chain aside, then move the copy under the chain's bottom
    // three levels, doubled twelve times: 12,288
    let bottom = (await api('createfolder', { folderid: top, name: 'a' })).metadata.folderid as number;
    bottom = (await api('createfolder', { folderid: bottom, name: 'a' })).metadata.folderid as number;
    let depth = 3;
    while (depth < 12_000) {
      const copy = await api('copyfolder', { folderid: top, tofolderid: tmp });
      expect(copy.result).toBe(0);
      const listed = await api('listfolder', { folderid: copy.metadata.folderid, recursive: 1 });
      const next = deepest(listed.metadata).id;
      expect((await api('renamefolder', { folderid: copy.metadata.folderid, tofolderid: bottom })).result).toBe(0);
      bottom = next;
      depth *= 2;
    }
    const built = Date.now() - began;
    const timed: Record<string, number> = {};
    const time = async <T>(label: string, run: () => Promise<T>): Promise<T> => {
      const t = Date.now();
      const out = await run();
      timed[label] = Date.now() - t;
      return out;
    };
    const listed = await time('listfolder recursive (HTTP)', () => api('listfolder', { folderid: top, recursive: 1 }));
    expect(listed.result).toBe(0);
    expect(deepest(listed.metadata).levels).toBe(depth - 1);
    // the binary port encodes the same tree; its answer starts with result 0
    const bin = await openRaw(emu.ready.binapi!);
    await time('listfolder recursive (binary)', async () => {
      await bin.send(binaryRequest('listfolder', { auth: emu.ready.auth, folderid: top, recursive: 1 }));
      const until = Date.now() + 30_000;
      for (;;) {
        const got = bin.received();
        const len = got.length >= 4 ? got.readUInt32LE(0) : undefined;
        if (len !== undefined && got.length >= 4 + len) break;
        if (Date.now() > until || bin.closedAfter() !== undefined) throw new Error('no whole binary answer');
        await pause(20);
      }
    });
    expect([...bin.received().subarray(4, 13)]).toEqual([16, 106, ...Buffer.from('result'), 200]);
    bin.socket.destroy();
    const copy = await time('copyfolder', () => api('copyfolder', { folderid: top, tofolderid: copies }));
    expect(copy.result).toBe(0);
    const del = await time('deletefolderrecursive', () => api('deletefolderrecursive', { folderid: copy.metadata.folderid }));
    expect(del).toMatchObject({ result: 0, deletedfolders: depth });
    const trash = await time('trash_list recursive', () => api('trash_list', { folderid: copy.metadata.folderid, recursive: 1 }));
    expect(trash.result).toBe(0);
    expect(deepest(trash.metadata).levels).toBe(depth - 1);
    const restored = await time('trash_restore', () => api('trash_restore', { folderid: copy.metadata.folderid }));
    expect(restored.result).toBe(0);
    expect((await api('deletefolderrecursive', { folderid: home })).result).toBe(0);
    const peak = sampler.stop();
    expect(emu.alive()).toBe(true);
    expect(peak).toBeLessThan(RSS_BOUND);
    inputsTried += 7;
    figures.add('deep trees', 'levels', depth);
    figures.add('deep trees', 'time to build (doubling)', built, 'ms');
    for (const [label, ms] of Object.entries(timed)) figures.add('deep trees', label, ms, 'ms');
    figures.add('deep trees', 'peak RSS', peak, 'bytes');
  });
});

describe('out-of-range values', () => {
  it("numbers past what pCloud accepts are refused with the param's code; no listing shows NaN", async () => {
    const dir = (await api('createfolder', { folderid: 0, name: 'attack-ranges' })).metadata.folderid as number;
    const put = (params: Record<string, string | number>) =>
      api('uploadfile', { folderid: dir, filename: `r${inputsTried}.txt`, ...params }, { method: 'PUT', body: new Uint8Array([120]) });
    const huge = ['99999999999999999999', '18446744073709551616', '9007199254740993', '-1', '253402300800', '1e30', '0x10', ' 12 34'];
    let refused = 0;
    let tried = 0;
    for (const v of huge) {
      for (const params of [{ mtime: v }, { mtime: 1_600_000_000, ctime: v }] as Record<string, string | number>[]) {
        tried += 1;
        if ((await put(params)).result !== 0) refused += 1;
      }
      for (const [method, params] of [
        ['listfolder', { folderid: v }],
        ['stat', { fileid: v }],
        ['copyfolder', { folderid: dir, tofolderid: v }],
        ['getfilelink', { fileid: v }],
      ] as const) {
        tried += 1;
        if ((await api(method, params)).result !== 0) refused += 1;
      }
    }
    for (const after of ['999999999999', '99999-01-01', '2020-13-45']) {
      tried += 1;
      if ((await api('diff', { after })).result !== 0) refused += 1;
    }
    const listed = await fetch(`${emu.ready.api}/listfolder?auth=${emu.ready.auth}&folderid=${dir}&recursive=1`).then((r) => r.text());
    const nan = (listed.match(/NaN|undefined/g) ?? []).length;
    expect(nan).toBe(0);
    expect(JSON.parse(listed).metadata.contents).toEqual([]);
    expect(refused).toBe(tried);
    expect((await api('deletefolderrecursive', { folderid: dir })).result).toBe(0);
    inputsTried += tried;
    figures.add('out-of-range values', 'values tried', tried);
    figures.add('out-of-range values', 'refused', refused);
    figures.add('out-of-range values', 'NaN or undefined in listings', nan);
  });
});

describe('10% dropped connections', () => {
  it('1,000 calls through a lossy proxy: every read succeeds through retries, nothing runs twice, the rest fail clearly', async () => {
    const proxy = await lossyProxy(emu.ready.apiHost, 0.1);
    const client = createClient({
      transport: httpTransport(),
      region: { api: [`http://${proxy.host}`], binapi: [proxy.host] },
      auth: { authToken: emu.ready.auth },
      retries: 8,
    })
      .use(general)
      .use(folder);
    const dir = (await api('createfolder', { folderid: 0, name: 'attack-lossy' })).metadata.folderid as number;
    const counts = { reads: 0, readsOk: 0, writes: 0, writesOk: 0, writesFailedClearly: 0, unexpected: 0 };
    const failedNames: string[] = [];
    const okNames: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < 1000) {
        const i = next++;
        if (i % 3 === 0) {
          counts.writes += 1;
          const name = `n${i}`;
          try {
            await client.createfolder({ folderid: dir, name });
            counts.writesOk += 1;
            okNames.push(name);
          } catch (e) {
            // cut or refused on the way: a TransportError; a second run would answer 2004 (already exists)
            if (e instanceof TransportError) {
              counts.writesFailedClearly += 1;
              failedNames.push(name);
            } else counts.unexpected += 1;
          }
        } else {
          counts.reads += 1;
          try {
            if (i % 3 === 1) await client.listfolder({ folderid: dir });
            else await client.userinfo();
            counts.readsOk += 1;
          } catch {
            counts.unexpected += 1;
          }
        }
      }
    };
    const began = Date.now();
    await Promise.all(Array.from({ length: 8 }, worker));
    const took = Date.now() - began;
    await client.close();
    await proxy.close();
    const names = new Set(((await api('listfolder', { folderid: dir })).metadata.contents as Json[]).map((c) => c.name as string));
    const missing = okNames.filter((n) => !names.has(n));
    const ranAnyway = failedNames.filter((n) => names.has(n)).length;
    expect(counts.reads + counts.writes).toBe(1000);
    expect(counts.readsOk).toBe(counts.reads);
    expect(counts.unexpected).toBe(0);
    expect(counts.writesOk + counts.writesFailedClearly).toBe(counts.writes);
    expect(missing).toEqual([]);
    expect(proxy.stats.cut + proxy.stats.refused).toBeGreaterThan(20);
    expect((await api('deletefolderrecursive', { folderid: dir })).result).toBe(0);
    expect(emu.alive()).toBe(true);
    const a = '10% dropped connections (1,000 calls, 8 at a time)';
    figures.add(a, 'connections refused by the proxy', proxy.stats.refused);
    figures.add(a, 'answers cut by the proxy', proxy.stats.cut);
    figures.add(a, 'reads answered (of all reads)', counts.readsOk);
    figures.add(a, 'reads failed', counts.reads - counts.readsOk);
    figures.add(a, 'createfolder answered', counts.writesOk);
    figures.add(a, 'createfolder failed with TransportError', counts.writesFailedClearly);
    figures.add(a, '  of which the server had run', ranAnyway);
    figures.add(a, 'calls run twice', counts.unexpected);
    figures.add(a, 'time', took, 'ms');
    figures.add('faults', 'faults survived', proxy.stats.cut + proxy.stats.refused);
  });
});

describe('no data lost', () => {
  it('every file stored before the attacks reads back with its checksum', async () => {
    let lost = 0;
    for (const k of kept) {
      const r = await api('checksumfile', { fileid: k.fileid });
      if (r.result !== 0 || r.sha1 !== k.sha1 || r.metadata.size !== k.size) lost += 1;
    }
    const listed = await api('listfolder', { folderid: 0 });
    const names = listed.metadata.contents.map((f: Json) => f.name).sort();
    figures.add('consistency', 'files checked', kept.length);
    figures.add('consistency', 'files lost or changed', lost);
    expect(lost).toBe(0);
    expect(names).toEqual(kept.map((k) => k.name).sort());
  });
});

describe('kill -9', () => {
  it('during uploads and a burst of changes: after a restart every listed file reads back whole, every acknowledged change is there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-attack-'));
    try {
      let child = await spawnEmulator(['--data', dir]);
      const call = async (
        ready: ChildEmulator['ready'],
        method: string,
        params: Record<string, string | number>,
        init: RequestInit = {},
      ) => {
        const qs = new URLSearchParams(Object.entries({ auth: ready.auth, ...params }).map(([k, v]) => [k, String(v)]));
        return JSON.parse(
          (await (await fetch(`${ready.api}/${method}?${qs}`, init)).text()).replace(/"hash":(\d+)/g, '"hash":"$1"'),
        ) as Json;
      };
      /** What each upload sent, acknowledged or not. */
      const sent = new Map<string, string>();
      const ackedFiles: string[] = [];
      const ackedFolders: string[] = [];
      let stop = false;
      const uploader = async (k: number) => {
        for (let i = 0; !stop; i++) {
          const bytes = randomBytes(64 * 1024 + ((k * 7919 + i * 104_729) % (2 * MiB)));
          const name = `u${k}-${i}.bin`;
          sent.set(name, createHash('sha1').update(bytes).digest('hex'));
          try {
            const r = await call(
              child.ready,
              'uploadfile',
              { folderid: 0, filename: name },
              { method: 'PUT', body: new Uint8Array(bytes) },
            );
            if (r.result === 0) ackedFiles.push(name);
          } catch {
            return;
          }
        }
      };
      const burst = async () => {
        for (let i = 0; !stop; i++) {
          try {
            const r = await call(child.ready, 'createfolder', { folderid: 0, name: `d${i}` });
            if (r.result === 0) ackedFolders.push(`d${i}`);
          } catch {
            return;
          }
        }
      };
      const running = [uploader(0), uploader(1), uploader(2), burst()];
      await pause(1500);
      await child.kill();
      stop = true;
      await Promise.allSettled(running);

      child = await spawnEmulator(['--data', dir]);
      try {
        const listed = await call(child.ready, 'listfolder', { folderid: 0, recursive: 1 });
        expect(listed.result).toBe(0);
        const entries = listed.metadata.contents as Json[];
        const files = entries.filter((e) => !e.isfolder);
        const names = new Set(entries.map((e) => e.name as string));
        let unreadable = 0;
        for (const f of files) {
          const link = await call(child.ready, 'getfilelink', { fileid: f.fileid });
          const bytes = Buffer.from(await (await fetch(`http://${link.hosts[0]}${link.path}`)).arrayBuffer());
          const sha1 = createHash('sha1').update(bytes).digest('hex');
          const sums = await call(child.ready, 'checksumfile', { fileid: f.fileid });
          // readable, as large as listed, the checksum the server states, and exactly what was sent under that name
          if (bytes.length !== f.size || sums.sha1 !== sha1 || sent.get(f.name) !== sha1) unreadable += 1;
        }
        const missing = [...ackedFiles, ...ackedFolders].filter((n) => !names.has(n));
        expect(unreadable).toBe(0);
        expect(missing).toEqual([]);
        expect(ackedFiles.length).toBeGreaterThan(0);
        figures.add('kill -9 during uploads and changes', 'acknowledged uploads', ackedFiles.length);
        figures.add('kill -9 during uploads and changes', 'acknowledged folders', ackedFolders.length);
        figures.add('kill -9 during uploads and changes', 'files checked after restart', files.length);
        figures.add('kill -9 during uploads and changes', 'files lost or changed', unreadable + missing.length);
      } finally {
        await child.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
