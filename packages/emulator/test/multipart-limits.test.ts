// Multipart bodies that are too big before their files, malformed, or cut
// short: the answer is clear and an incomplete upload never stores a file.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, parseReply, splitResponses, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu.stop();
});

const B = 'pcloudkitBoundary42';
const field = (name: string, value: string | Buffer) =>
  Buffer.concat([Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n')]);
const filePart = (filename: string, bytes: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    bytes,
    Buffer.from('\r\n'),
  ]);
const closing = Buffer.from(`--${B}--\r\n`);

interface Exchange {
  /** Parsed JSON answers, in order. */
  answers: Record<string, any>[];
  closed: boolean;
}

/**
 * Sends a POST head and the given body chunks on a raw socket, then either
 * waits for the answer or (`cut`) destroys the socket after the last chunk.
 */
function post(
  path: string,
  body: Buffer[],
  opts: { contentType?: string; length?: number; cut?: boolean; chunked?: boolean; waitMs?: number } = {},
): Promise<Exchange> {
  const [host, port] = emu.apiHost.split(':');
  const total = body.reduce((n, b) => n + b.length, 0);
  const framing = opts.chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${opts.length ?? total}`;
  const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Type: ${opts.contentType ?? `multipart/form-data; boundary=${B}`}\r\n${framing}\r\n\r\n`;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let closed = false;
    const s = connect(Number(port), host!, async () => {
      s.write(head);
      for (const b of body) {
        if (b.length === 0) continue;
        const ok = s.write(opts.chunked ? Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]) : b);
        if (!ok) await new Promise((r) => s.once('drain', r));
      }
      if (opts.chunked && !opts.cut) s.write('0\r\n\r\n');
      if (opts.cut) setTimeout(() => s.destroy(), 50);
    });
    // Settles once a whole answer is in (plus a moment to see whether the
    // server closes), when the server closes, or after `waitMs` (default
    // 10 s, so a loaded machine does not lose a slow answer).
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      s.destroy();
      const answers = splitResponses(Buffer.concat(chunks)).map((r) => parseReply(r.body.toString()));
      resolve({ answers, closed });
    };
    s.on('data', (d) => {
      chunks.push(d);
      const [reply] = splitResponses(Buffer.concat(chunks));
      if (reply && reply.body.length === Number(reply.headers['content-length'] ?? 0) && !opts.cut) setTimeout(finish, 100);
    });
    s.on('error', () => undefined);
    s.on('close', () => {
      closed = true;
      finish();
    });
    setTimeout(finish, opts.waitMs ?? 10_000);
  });
}

const stat = (name: string) => as(emu, 'stat', { path: `/${name}` });

describe('caps on the fields before the file parts', () => {
  it('refuses fields whose total passes 1 MiB with 5001 and closes the connection', async () => {
    const big = Buffer.alloc(400 * 1024, 0x61);
    const body = [field('auth', emu.auth), field('folderid', '0')];
    for (let i = 0; i < 6; i++) body.push(field(`f${i}`, big));
    body.push(filePart('never.bin', Buffer.from('x')), closing);
    const { answers, closed } = await post('/uploadfile?id=7', body);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ result: 5001, id: '7' });
    expect(answers[0]!.emulator).toMatch(/1048576 bytes/);
    expect(closed).toBe(true);
    expect((await stat('never.bin')).result).toBe(2009);
  });

  it('refuses more than 1000 fields', async () => {
    const body = Array.from({ length: 1500 }, (_, i) => field(`p${i}`, 'v'));
    body.push(closing);
    const { answers } = await post('/userinfo', body);
    expect(answers[0]).toMatchObject({ result: 5001 });
    expect(answers[0]!.emulator).toMatch(/more than 1000 form fields/);
  });

  it('refuses a field longer than 1 MiB', async () => {
    const { answers } = await post('/userinfo', [field('auth', Buffer.alloc(1024 * 1024 + 1, 0x62)), closing]);
    expect(answers[0]).toMatchObject({ result: 5001 });
  });

  it('takes fields before the first file part and ignores those after it', async () => {
    const name = `${uniq('order')}.txt`;
    const body = [
      field('auth', emu.auth),
      field('folderid', '0'),
      filePart(name, Buffer.from('hello')),
      field('renameifexists', '1'),
      closing,
    ];
    const { answers, closed } = await post('/uploadfile', body);
    expect(answers[0]).toMatchObject({ result: 0, metadata: [{ name, size: 5 }] });
    expect(closed).toBe(false);
    // the same upload again: renameifexists came after the file, so the file is replaced, not renamed
    const again = await post('/uploadfile', body);
    expect(again.answers[0]).toMatchObject({ result: 0, metadata: [{ name }] });
  });

  it('keeps names as sent: a backslash is not cut as a path (2001), filename* is decoded', async () => {
    const raw = `${uniq('a')}\\b.txt`;
    const one = await post('/uploadfile', [field('auth', emu.auth), filePart(raw, Buffer.from('1')), closing]);
    expect(one.answers[0]).toMatchObject({ result: 2001 });
    expect((await stat('b.txt')).result).toBe(2009);
    const star = Buffer.from(
      `--${B}\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8''%C3%A9t%C3%A9-${uniq('x')}.txt\r\n\r\nhi\r\n`,
    );
    const two = await post('/uploadfile', [field('auth', emu.auth), star, closing]);
    expect(two.answers[0]!.metadata[0].name).toMatch(/^été-/);
  });
});

describe('uploads that do not complete store nothing', () => {
  it('a body that ends inside the file part (Content-Length reached): 2041, no file', async () => {
    const name = `${uniq('inside')}.bin`;
    const body = [field('auth', emu.auth), field('folderid', '0'), filePart(name, Buffer.alloc(4000, 1)).subarray(0, 2000)];
    const { answers } = await post('/uploadfile', body);
    expect(answers[0]).toMatchObject({ result: 2041 });
    expect((await stat(name)).result).toBe(2009);
  });

  it('a body that ends after the file but before the closing boundary: 2041, no file', async () => {
    const name = `${uniq('noclose')}.bin`;
    const body = [field('auth', emu.auth), field('folderid', '0'), filePart(name, Buffer.alloc(3000, 1)), Buffer.from(`--${B}`)];
    const { answers } = await post('/uploadfile', body);
    expect(answers[0]).toMatchObject({ result: 2041 });
    expect((await stat(name)).result).toBe(2009);
  });

  it('a connection cut mid-file never replaces the existing file, with or without nopartial', async () => {
    const name = `${uniq('second')}.bin`;
    const first = await post('/uploadfile', [field('auth', emu.auth), filePart(name, Buffer.alloc(4 << 20, 5)), closing]);
    expect(first.answers[0]).toMatchObject({ result: 0 });
    for (const nopartial of ['0', '1']) {
      const part = filePart(name, Buffer.alloc(4 << 20, 6)).subarray(0, 2 << 20);
      await post('/uploadfile', [field('auth', emu.auth), field('nopartial', nopartial), part], { chunked: true, cut: true, waitMs: 600 });
      const s = await stat(name);
      expect(s.metadata.size).toBe(4 << 20);
      expect((await as(emu, 'listrevisions', { path: `/${name}` })).revisions).toHaveLength(0);
    }
  });

  it('a multipart request without a boundary: 2088 from uploadfile, nothing stored, connection usable', async () => {
    const name = `${uniq('nob')}.bin`;
    const { answers, closed } = await post(
      `/uploadfile?auth=${emu.auth}&folderid=0&filename=${name}`,
      [filePart(name, Buffer.from('x')), closing],
      {
        contentType: 'multipart/form-data',
      },
    );
    expect(answers[0]).toMatchObject({ result: 2088 });
    expect(closed).toBe(false);
    expect((await stat(name)).result).toBe(2009);
    // a method that reads no file answers as usual
    const info = await post(`/userinfo?auth=${emu.auth}`, [Buffer.from('whatever')], { contentType: 'multipart/form-data' });
    expect(info.answers[0]).toMatchObject({ result: 0 });
  });
});
