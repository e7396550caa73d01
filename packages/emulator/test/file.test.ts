import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, download, parseReply, upload, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false, allowPrivateDownloads: true });
});
afterAll(async () => {
  await emu.stop();
});

const sha1 = (b: string | Buffer) => createHash('sha1').update(b).digest('hex');
const newFolder = async () => (await as(emu, 'createfolder', { folderid: 0, name: uniq('fd') })).metadata.folderid as number;

describe('uploadfile', () => {
  it('multipart with several files answers fileids, metadata and checksums in order', async () => {
    const folderid = await newFolder();
    const fd = new FormData();
    fd.append('folderid', String(folderid));
    fd.append('a', new Blob(['first file']), 'one.txt');
    fd.append('b', new Blob(['second']), 'two.png');
    const res = await fetch(`${emu.api}/uploadfile?auth=${emu.auth}`, { method: 'POST', body: fd });
    const r = parseReply(await res.text());
    expect(r.result).toBe(0);
    expect(r.fileids).toHaveLength(2);
    expect(r.metadata.map((m: any) => [m.name, m.size, m.contenttype, m.category])).toEqual([
      ['one.txt', 10, 'text/plain', 4],
      ['two.png', 6, 'image/png', 1],
    ]);
    expect(r.metadata[0].fileid).toBe(r.fileids[0]);
    expect(r.metadata[0].id).toBe(`f${r.fileids[0]}`);
    // US region (the default): sha1 + md5, never sha256
    expect(r.checksums[0]).toEqual({
      sha1: sha1('first file'),
      md5: createHash('md5').update('first file').digest('hex'),
    });
  });

  it('PUT stores the body under filename; path param picks the folder', async () => {
    const folderid = await newFolder();
    const name = (await as(emu, 'listfolder', { folderid })).metadata.name;
    const res = await fetch(`${emu.api}/uploadfile?auth=${emu.auth}&path=/${name}&filename=put.bin`, { method: 'PUT', body: 'put-bytes' });
    const r = parseReply(await res.text());
    expect(r.metadata[0]).toMatchObject({ name: 'put.bin', size: 9, parentfolderid: folderid });
    expect((await download(emu, r.fileids[0])).toString()).toBe('put-bytes');
  });

  it('overwriting keeps the fileid and keeps a revision; renameifexists makes a new name', async () => {
    const folderid = await newFolder();
    const a = await upload(emu, 'doc.txt', 'v1', { folderid });
    const b = await upload(emu, 'doc.txt', 'version 2', { folderid });
    expect(b.fileids[0]).toBe(a.fileids[0]);
    expect(b.metadata[0].size).toBe(9);
    expect(b.metadata[0].hash).not.toBe(a.metadata[0].hash);
    const c = await upload(emu, 'doc.txt', 'v3', { folderid, renameifexists: 1 });
    expect(c.metadata[0].name).toBe('doc (2).txt');
    expect(c.fileids[0]).not.toBe(a.fileids[0]);
    const hist = await as(emu, 'getfilehistory', { fileid: a.fileids[0] });
    expect(hist.entries.map((e: any) => e.event)).toEqual(['createfile', 'modifyfile']);
  });

  it('honours mtime and ctime', async () => {
    const r = await upload(emu, `${uniq('t')}.txt`, 'x', { mtime: 1_600_000_000, ctime: 1_500_000_000 }, emu.auth);
    const s = await as(emu, 'stat', { fileid: r.fileids[0], timeformat: 'timestamp' });
    expect(s.metadata.modified).toBe(1_600_000_000);
    expect(s.metadata.created).toBe(1_500_000_000);
  });

  it('rejects bad names and missing folders', async () => {
    expect((await upload(emu, 'bad\\name', 'x')).result).toBe(2001);
    expect((await upload(emu, 'fine.txt', 'x', { folderid: 9999999 })).result).toBe(2005);
    expect((await upload(emu, 'fine.txt', 'x', { folderid: 0 }, 'bad-token')).result).toBe(2000);
  });

  it('uploadprogress follows a running upload by progresshash', async () => {
    const hash = uniq('ph');
    expect((await as(emu, 'uploadprogress', { progresshash: hash })).result).toBe(1900);
    const total = 3 * 1024 * 1024;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const body = new ReadableStream<Uint8Array>({
      async start(ctl) {
        ctl.enqueue(new Uint8Array(total / 2));
        await gate;
        ctl.enqueue(new Uint8Array(total / 2));
        ctl.close();
      },
    });
    const pending = fetch(`${emu.api}/uploadfile?auth=${emu.auth}&filename=progress.bin&progresshash=${hash}`, {
      method: 'PUT',
      body,
      duplex: 'half',
      headers: { 'content-length': String(total) },
    } as RequestInit);
    let mid: any;
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20));
      mid = await as(emu, 'uploadprogress', { progresshash: hash });
      if (mid.result === 0 && mid.currentfileuploaded > 0) break;
    }
    expect(mid).toMatchObject({ result: 0, finished: false, currentfile: 'progress.bin', total });
    expect(mid.uploaded).toBeGreaterThan(0);
    expect(mid.uploaded).toBeLessThan(total);
    release();
    const done = parseReply(await (await pending).text());
    expect(done.metadata[0].size).toBe(total);
    const end = await as(emu, 'uploadprogress', { progresshash: hash });
    expect(end).toMatchObject({ result: 0, finished: true, uploaded: total });
    expect(end.files[0].name).toBe('progress.bin');
  });

  it('refuses uploads over the quota with 2008', async () => {
    const small = await emu.createUser({ username: `${uniq('q')}@x.test`, password: 'secret-pass', quota: 10 });
    const r = await upload(emu, 'big.bin', Buffer.alloc(100), {}, small.auth);
    expect(r.result).toBe(2008);
  });
});

describe('file operations', () => {
  it('copyfile copies to a folder, honours noover, toname and revisionid', async () => {
    const folderid = await newFolder();
    const a = await upload(emu, 'orig.txt', 'one', { folderid });
    await upload(emu, 'orig.txt', 'two', { folderid });
    const c = await as(emu, 'copyfile', { fileid: a.fileids[0], tofolderid: folderid, toname: 'copy.txt' });
    expect(c.metadata).toMatchObject({ name: 'copy.txt', size: 3 });
    expect((await download(emu, c.metadata.fileid)).toString()).toBe('two');
    expect((await as(emu, 'copyfile', { fileid: a.fileids[0], tofolderid: folderid, toname: 'copy.txt', noover: 1 })).result).toBe(2004);
    const fname = (await as(emu, 'listfolder', { folderid })).metadata.name;
    const viaPath = await as(emu, 'copyfile', { path: `/${fname}/orig.txt`, topath: `/${fname}/p.txt` });
    expect(viaPath.metadata.name).toBe('p.txt');
    const intoFolder = await as(emu, 'copyfile', { fileid: a.fileids[0], topath: '/' });
    expect(intoFolder.metadata).toMatchObject({ name: 'orig.txt', parentfolderid: 0 });
    const revs = (await as(emu, 'checksumfile', { fileid: a.fileids[0] })).metadata;
    expect(revs.size).toBe(3);
    expect((await as(emu, 'copyfile', { fileid: a.fileids[0] })).result).toBe(1016);
    expect((await as(emu, 'copyfile', { tofolderid: 0 })).result).toBe(1004);
    expect((await as(emu, 'copyfile', { fileid: 'zz', tofolderid: 0 })).result).toBe(1018);
    expect((await as(emu, 'copyfile', { fileid: 31337, tofolderid: 0 })).result).toBe(2009);
    expect((await as(emu, 'copyfile', { fileid: a.fileids[0], tofolderid: 0, revisionid: 999999 })).result).toBe(2029);
  });

  it('checksumfile gives sha1 + md5 (US region) and the metadata', async () => {
    const data = Buffer.from('checksum me please');
    const r = await upload(emu, `${uniq('c')}.bin`, data);
    const c = await as(emu, 'checksumfile', { fileid: r.fileids[0] });
    expect(c).toMatchObject({
      result: 0,
      sha1: sha1(data),
      md5: createHash('md5').update(data).digest('hex'),
    });
    expect(c.sha256).toBeUndefined();
    expect(c.metadata.fileid).toBe(r.fileids[0]);
    expect(c.metadata.hash).toBe(BigInt('0x' + sha1(data).slice(0, 16)).toString());
    expect((await as(emu, 'checksumfile', {})).result).toBe(1004);
    expect((await as(emu, 'checksumfile', { path: '/missing/x' })).result).toBe(2002);
    expect((await as(emu, 'checksumfile', { path: '/missing-file.bin' })).result).toBe(2009);
  });

  it('the EU region answers sha1 + sha256 instead, and locationid 2', async () => {
    const eu = await startEmulator({ seed: false, region: 'eu' });
    try {
      const data = Buffer.from('european bytes');
      const r = await upload(eu, 'eu.bin', data);
      const sha256 = createHash('sha256').update(data).digest('hex');
      expect(r.checksums[0]).toEqual({ sha1: sha1(data), sha256 });
      const c = await as(eu, 'checksumfile', { fileid: r.fileids[0] });
      expect(c.sha256).toBe(sha256);
      expect(c.md5).toBeUndefined();
      const res = await fetch(`${eu.api}/oauth2/authorize`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: eu.client_id,
          response_type: 'code',
          redirect_uri: 'http://127.0.0.1:9/cb',
          username: eu.username,
          password: eu.password,
        }),
      });
      expect(new URL(res.headers.get('location')!).searchParams.get('locationid')).toBe('2');
    } finally {
      await eu.stop();
    }
  });

  it('deletefile marks the file deleted; stat then fails with 2009', async () => {
    const r = await upload(emu, `${uniq('del')}.txt`, 'bye');
    const d = await as(emu, 'deletefile', { fileid: r.fileids[0] });
    expect(d.metadata).toMatchObject({ fileid: r.fileids[0], isdeleted: true });
    expect((await as(emu, 'stat', { fileid: r.fileids[0] })).result).toBe(2009);
    expect((await as(emu, 'deletefile', { fileid: r.fileids[0] })).result).toBe(2009);
  });

  it('renamefile renames, moves, and replaces atomically with deletedfileid', async () => {
    const folderid = await newFolder();
    const a = await upload(emu, 'a.txt', 'A', { folderid });
    const b = await upload(emu, 'b.txt', 'B', { folderid });
    const r = await as(emu, 'renamefile', { fileid: a.fileids[0], toname: 'c.txt' });
    expect(r.metadata).toMatchObject({ fileid: a.fileids[0], name: 'c.txt' });
    const replaced = await as(emu, 'renamefile', { fileid: a.fileids[0], toname: 'b.txt' });
    expect(replaced.metadata).toMatchObject({ fileid: a.fileids[0], name: 'b.txt', deletedfileid: b.fileids[0] });
    expect((await as(emu, 'stat', { fileid: b.fileids[0] })).result).toBe(2009);
    const list = await as(emu, 'listfolder', { folderid });
    expect(list.metadata.contents.map((e: any) => e.name)).toEqual(['b.txt']);
    const moved = await as(emu, 'renamefile', { fileid: a.fileids[0], tofolderid: 0 });
    expect(moved.metadata.parentfolderid).toBe(0);
    expect((await as(emu, 'renamefile', { fileid: a.fileids[0] })).result).toBe(1037);
    expect((await as(emu, 'renamefile', { fileid: a.fileids[0], toname: 'x/y' })).result).toBe(2001);
  });

  it('stat by id and by path', async () => {
    const name = `${uniq('st')}.txt`;
    const r = await upload(emu, name, 'stat');
    const byId = await as(emu, 'stat', { fileid: r.fileids[0] });
    expect(byId.metadata).toMatchObject({ name, size: 4, isfolder: false });
    const byPath = await as(emu, 'stat', { path: `/${name}` });
    expect(byPath.metadata).toMatchObject({ fileid: r.fileids[0], path: `/${name}` });
  });
});

describe('downloadfile / downloadfileasync', () => {
  let origin: ReturnType<typeof createServer>;
  let originUrl = '';
  beforeAll(async () => {
    origin = createServer((req, res) => {
      if (req.url === '/missing') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`served ${req.url}`);
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    const a = origin.address();
    originUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => origin.close(() => r())));

  it('fetches local URLs into a folder, with target names', async () => {
    const folderid = await newFolder();
    const r = await as(emu, 'downloadfile', { url: `${originUrl}/one.txt ${originUrl}/two.txt`, folderid, target: 'first.txt' });
    expect(r.result).toBe(0);
    expect(r.metadata.map((m: any) => [m.name, m.size])).toEqual([
      ['first.txt', 'served /one.txt'.length],
      ['two.txt', 'served /two.txt'.length],
    ]);
    expect((await download(emu, r.metadata[1].fileid)).toString()).toBe('served /two.txt');
  });

  it('copies from its own content servers too', async () => {
    const up = await upload(emu, `${uniq('src')}.bin`, 'content-server bytes');
    const link = await as(emu, 'getfilelink', { fileid: up.fileids[0] });
    const r = await as(emu, 'downloadfile', { url: `http://${link.hosts[0]}${link.path}`, target: `${uniq('dl')}.bin` });
    expect(r.metadata[0].size).toBe(20);
  });

  it('never fetches external addresses', async () => {
    const r = await as(emu, 'downloadfile', { url: 'http://example.com/file.txt' });
    expect(r.result).toBe(2003);
    expect(r.error).toBe('Access denied. You do not have permissions to preform this operation.');
    expect((await as(emu, 'downloadfile', { url: 'ftp://127.0.0.1/x' })).result).toBe(2003);
    expect((await as(emu, 'downloadfile', {})).result).toBe(1040);
  });

  it('downloadfileasync answers at once and reports through uploadprogress', async () => {
    const hash = uniq('async');
    const r = await as(emu, 'downloadfileasync', { url: `${originUrl}/later.txt`, progresshash: hash, target: `${hash}.txt` });
    expect(r.result).toBe(0);
    let p: any;
    for (let i = 0; i < 50; i++) {
      p = await as(emu, 'uploadprogress', { progresshash: hash });
      if (p.finished) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(p).toMatchObject({ result: 0, urlcount: 1, urlready: 1, finished: true });
    expect(p.files[0]).toMatchObject({ status: 'ready', metadata: { name: `${hash}.txt` } });
  });
});

describe('raw request handling', () => {
  it('gives 1000 on an upload without credentials and keeps the connection usable', async () => {
    const res = await request(`${emu.api}/uploadfile?filename=x.txt`, {
      method: 'PUT',
      body: 'abc',
      headers: { connection: 'keep-alive' },
    });
    expect(parseReply(await res.body.text()).result).toBe(1000);
    expect(res.headers['x-error']).toBe('1000');
  });
});
