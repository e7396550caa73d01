import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, FormData } from 'undici';
import { startEmulator, type Emulator } from '../src/index.js';
import { binarySession, httpSession, type Session } from './fileops-sessions.js';
import { as, type Json, parseReply } from './helpers.js';

const O_WRITE = 0x0002;
const O_CREAT = 0x0040;
const O_EXCL = 0x0080;
const O_TRUNC = 0x0200;
const O_APPEND = 0x0400;

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false, binary: true });
});
afterAll(async () => {
  await emu?.stop();
});

let folderSeq = 0;
async function freshFolder(): Promise<{ folderid: number; path: string }> {
  const path = `/fileops-${process.pid}-${++folderSeq}`;
  const r = await as(emu, 'createfolder', { path });
  expect(r.result).toBe(0);
  return { folderid: r.metadata.folderid, path };
}

async function fileContent(fileid: number): Promise<Buffer> {
  const link = await as(emu, 'getfilelink', { fileid });
  expect(link.result).toBe(0);
  const res = await fetch(`http://${link.hosts[0]}${link.path}`);
  return Buffer.from(await res.arrayBuffer());
}

const ports: [string, (e: Emulator) => Promise<Session> | Session][] = [
  ['HTTP keep-alive', httpSession],
  ['binary', binarySession],
];

describe.each(ports)('fileops over %s', (_name, connect) => {
  it('creates, writes, reads back, sizes and closes; the version appears at close', async () => {
    const { folderid, path } = await freshFolder();
    const s = await connect(emu);
    const opened = await s.call('file_open', { flags: O_CREAT | O_WRITE, folderid, name: 'a.bin' });
    expect(opened.body).toMatchObject({ result: 0, fd: 1 });
    const fileid = opened.body.fileid as number;
    const part1 = Buffer.from('hello, ');
    const part2 = Buffer.from('world');
    expect((await s.call('file_write', { fd: 1 }, part1)).body).toMatchObject({ result: 0, bytes: part1.length });
    expect((await s.call('file_write', { fd: '-1' }, part2)).body).toMatchObject({ result: 0, bytes: part2.length });
    expect((await s.call('file_size', { fd: 1 })).body).toMatchObject({ result: 0, size: 12, offset: 12 });
    // pwrite does not move the offset
    expect((await s.call('file_pwrite', { fd: 1, offset: 0 }, Buffer.from('J'))).body).toMatchObject({ result: 0, bytes: 1 });
    expect((await s.call('file_size', { fd: 1 })).body).toMatchObject({ size: 12, offset: 12 });
    const whole = await s.call('file_pread', { fd: 1, offset: 0, count: 100 });
    expect(whole.data?.toString()).toBe('Jello, world');
    // before close, other methods still see the empty version
    expect((await as(emu, 'stat', { fileid })).metadata.size).toBe(0);
    expect((await s.call('file_close', { fd: 1 })).body.result).toBe(0);
    expect((await s.call('file_size', { fd: 1 })).body.result).toBe(1007);
    const st = await as(emu, 'stat', { path: `${path}/a.bin` });
    expect(st.metadata.size).toBe(12);
    expect((await fileContent(fileid)).toString()).toBe('Jello, world');
    await s.close();
  });

  it('reads sequentially with file_read until a short read, and seeks', async () => {
    const { folderid } = await freshFolder();
    const s = await connect(emu);
    const content = Buffer.from('0123456789abcdef');
    const fd = (await s.call('file_open', { flags: O_CREAT, folderid, name: 'r.txt' })).body.fd as number;
    await s.call('file_write', { fd }, content);
    expect((await s.call('file_seek', { fd, offset: 0 })).body).toMatchObject({ result: 0, offset: 0 });
    expect((await s.call('file_read', { fd, count: 10 })).data?.toString()).toBe('0123456789');
    expect((await s.call('file_read', { fd, count: 10 })).data?.toString()).toBe('abcdef');
    expect((await s.call('file_read', { fd, count: 10 })).data?.length ?? 0).toBe(0);
    expect((await s.call('file_seek', { fd, offset: '-4', whence: 2 })).body.offset).toBe(12);
    expect((await s.call('file_seek', { fd, offset: '-2', whence: 1 })).body.offset).toBe(10);
    expect((await s.call('file_read', { fd, count: 3 })).data?.toString()).toBe('abc');
    expect((await s.call('file_seek', { fd, offset: '-100', whence: 1 })).body.result).toBe(1009);
    expect((await s.call('file_pread', { fd, offset: 14, count: 10 })).data?.toString()).toBe('ef');
    await s.close();
  });

  it('numbers descriptors upwards only, failed opens included, and resolves relative ones', async () => {
    const { folderid, path } = await freshFolder();
    const s = await connect(emu);
    const a = await s.call('file_open', { flags: O_CREAT, folderid, name: 'one' });
    expect(a.body.fd).toBe(1);
    const failed = await s.call('file_open', { flags: 0, path: `${path}/missing` });
    expect(failed.body.result).toBe(2009);
    const b = await s.call('file_open', { flags: O_CREAT, path: `${path}/two` });
    expect(b.body.fd).toBe(3);
    // -2 is the failed open
    expect((await s.call('file_size', { fd: '-2' })).body.result).toBe(1007);
    expect((await s.call('file_write', { fd: '-3' }, Buffer.from('x'))).body).toMatchObject({ result: 0, bytes: 1 });
    await s.call('file_close', { fd: 1 });
    const c = await s.call('file_open', { flags: 0, fileid: a.body.fileid });
    expect(c.body.fd).toBe(4);
    expect((await s.call('file_size', { fd: '-1' })).body).toMatchObject({ size: 1 });
    expect((await s.call('file_size', { fd: 0 })).body.result).toBe(1007);
    expect((await s.call('file_size', { fd: 99 })).body.result).toBe(1007);
    await s.close();
  });

  it('answers the catalogue errors for bad opens and missing params', async () => {
    const { folderid, path } = await freshFolder();
    const s = await connect(emu);
    expect((await s.call('file_open', { path: `${path}/x` })).body.result).toBe(1006);
    expect((await s.call('file_open', { flags: O_CREAT })).body.result).toBe(1001);
    expect((await s.call('file_open', { flags: 0 })).body.result).toBe(1004);
    expect((await s.call('file_open', { flags: O_CREAT, folderid })).body.result).toBe(1001);
    expect((await s.call('file_open', { flags: O_CREAT, path: `${path}/nope/x` })).body.result).toBe(2002);
    expect((await s.call('file_open', { flags: O_CREAT, path: 'relative' })).body.result).toBe(2010);
    expect((await s.call('file_open', { flags: 0, fileid: 999_999_999 })).body.result).toBe(2009);
    const ok = await s.call('file_open', { flags: O_CREAT | O_EXCL, folderid, name: 'e' });
    expect(ok.body.result).toBe(0);
    expect((await s.call('file_open', { flags: O_CREAT | O_EXCL, folderid, name: 'e' })).body.result).toBe(2004);
    expect((await s.call('file_open', { flags: O_CREAT, folderid, name: 'bad/name' })).body.result).toBe(2001);
    const fd = ok.body.fd as number;
    expect((await s.call('file_read', { fd })).body.result).toBe(1011);
    expect((await s.call('file_pread', { fd, count: 1 })).body.result).toBe(1009);
    expect((await s.call('file_pwrite', { fd }, Buffer.from('x'))).body.result).toBe(1009);
    expect((await s.call('file_truncate', { fd })).body.result).toBe(1010);
    expect((await s.call('file_checksum', { fd, offset: 0 })).body.result).toBe(1011);
    expect((await s.call('file_pread_ifmod', { fd, offset: 0, count: 1 })).body.result).toBe(1019);
    expect((await s.call('file_lock', { fd })).body.result).toBe(1008);
    expect((await s.call('file_lock', { fd, type: 3 })).body.result).toBe(1012);
    expect((await s.call('file_close', {})).body.result).toBe(1007);
    await s.close();
  });

  it('truncates, appends with O_APPEND, empties with O_TRUNC, keeps revisions', async () => {
    const { folderid } = await freshFolder();
    const s = await connect(emu);
    const fd = (await s.call('file_open', { flags: O_CREAT, folderid, name: 't.txt' })).body.fd as number;
    await s.call('file_write', { fd }, Buffer.from('abcdef'));
    expect((await s.call('file_truncate', { fd, length: 3 })).body.result).toBe(0);
    expect((await s.call('file_size', { fd })).body).toMatchObject({ size: 3, offset: 6 });
    expect((await s.call('file_truncate', { fd, length: 5 })).body.result).toBe(0);
    expect((await s.call('file_pread', { fd, offset: 0, count: 10 })).data).toEqual(Buffer.from('abc\0\0'));
    await s.call('file_close', { fd });

    const list = await as(emu, 'listfolder', { folderid });
    const id = list.metadata.contents[0].fileid as number;
    const fd2 = (await s.call('file_open', { flags: O_APPEND, fileid: id })).body.fd as number;
    await s.call('file_write', { fd: fd2 }, Buffer.from('XY'));
    await s.call('file_seek', { fd: fd2, offset: 0 });
    await s.call('file_write', { fd: fd2 }, Buffer.from('Z'));
    await s.call('file_close', { fd: fd2 });
    expect((await fileContent(id)).toString()).toBe('abc\0\0XYZ');

    const fd3 = (await s.call('file_open', { flags: O_TRUNC | O_WRITE, fileid: id })).body.fd as number;
    expect((await s.call('file_size', { fd: fd3 })).body.size).toBe(0);
    await s.call('file_close', { fd: fd3 });
    expect((await as(emu, 'stat', { fileid: id })).metadata.size).toBe(0);
    const revs = await as(emu, 'listrevisions', { fileid: id });
    expect(revs.result).toBe(0);
    const sizes = (revs.revisions as Json[]).map((r) => r.size);
    expect(sizes).toEqual(expect.arrayContaining([5, 8]));
    await s.close();
  });

  it('hashes ranges with file_checksum and answers 6000 from file_pread_ifmod when they match', async () => {
    const { folderid } = await freshFolder();
    const s = await connect(emu);
    const content = Buffer.from('The quick brown fox jumps over the lazy dog');
    const fd = (await s.call('file_open', { flags: O_CREAT, folderid, name: 'h.txt' })).body.fd as number;
    await s.call('file_write', { fd }, content);
    const sum = await s.call('file_checksum', { fd, offset: 4, count: 5 });
    expect(sum.body).toMatchObject({ result: 0, sha1: sha1(content.subarray(4, 9)), md5: md5(content.subarray(4, 9)), size: 5 });
    const past = await s.call('file_checksum', { fd, offset: 40, count: 100 });
    expect(past.body).toMatchObject({ sha1: sha1(content.subarray(40)), size: 3 });
    const same = await s.call('file_pread_ifmod', { fd, offset: 4, count: 5, sha1: sha1(content.subarray(4, 9)) });
    expect(same.body.result).toBe(6000);
    expect(same.data).toBeUndefined();
    const sameMd5 = await s.call('file_pread_ifmod', { fd, offset: 4, count: 5, md5: md5(content.subarray(4, 9)) });
    expect(sameMd5.body.result).toBe(6000);
    const changed = await s.call('file_pread_ifmod', { fd, offset: 4, count: 5, sha1: sha1(Buffer.from('other')) });
    expect(changed.data?.toString()).toBe('quick');
    await s.close();
  });
});

describe('fileops over HTTP: numbering when an open is refused before it runs', () => {
  it('a file_open without login still takes a number, so -1 names it (1007), not an older descriptor', async () => {
    const { folderid } = await freshFolder();
    const client = new Client(emu.api, { pipelining: 1 });
    const get = async (method: string, params: Record<string, string | number>) => {
      const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
      const res = await client.request({ path: `/${method}?${qs}`, method: 'GET', headers: { connection: 'keep-alive' } });
      return parseReply(await res.body.text());
    };
    expect(await get('file_open', { auth: emu.auth, flags: O_CREAT, folderid, name: 'n.txt' })).toMatchObject({ result: 0, fd: 1 });
    expect(await get('file_open', { flags: O_CREAT, folderid, name: 'n.txt' })).toMatchObject({ result: 1000 });
    expect(await get('file_size', { auth: emu.auth, fd: '-1' })).toMatchObject({ result: 1007 });
    expect(await get('file_size', { auth: emu.auth, fd: '-2' })).toMatchObject({ result: 0, size: 0 });
    expect(await get('file_open', { auth: emu.auth, flags: 0, folderid, name: 'n.txt' })).toMatchObject({ result: 1004 });
    expect(await get('file_open', { auth: emu.auth, flags: O_CREAT, folderid, name: 'n.txt' })).toMatchObject({ result: 0, fd: 4 });
    await client.close();
  });
});

describe('fileops over HTTP: other ways to send the payload', () => {
  it('file_write takes a multipart POST whose data part follows the fields (with or without a file name)', async () => {
    const { folderid } = await freshFolder();
    const client = new Client(emu.api, { pipelining: 1 });
    const post = async (method: string, fields: Record<string, string>, data: Blob | string) => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ auth: emu.auth, ...fields })) form.append(k, v);
      if (typeof data === 'string') form.append('data', data);
      else form.append('data', data, 'chunk.bin');
      const res = await client.request({ path: `/${method}`, method: 'POST', body: form, headers: { connection: 'keep-alive' } });
      return parseReply(await res.body.text());
    };
    const q = (params: Record<string, string | number>) =>
      new URLSearchParams(Object.entries({ auth: emu.auth, ...params }).map(([k, v]) => [k, String(v)]));
    const opened = parseReply(
      await (
        await client.request({
          path: `/file_open?${q({ flags: O_CREAT, folderid, name: 'm.bin' })}`,
          method: 'GET',
          headers: { connection: 'keep-alive' },
        })
      ).body.text(),
    );
    const binary = Buffer.from([0, 255, 128, 10, 13, 0xc3]);
    expect(await post('file_write', { fd: String(opened.fd) }, new Blob([binary]))).toMatchObject({ result: 0, bytes: 6 });
    expect(await post('file_pwrite', { fd: '-1', offset: '6' }, 'text part')).toMatchObject({ result: 0, bytes: 9 });
    await client
      .request({ path: `/file_close?${q({ fd: opened.fd })}`, method: 'GET', headers: { connection: 'keep-alive' } })
      .then((r) => r.body.text());
    expect(await fileContent(opened.fileid)).toEqual(Buffer.concat([binary, Buffer.from('text part')]));
    await client.close();
  });
});
