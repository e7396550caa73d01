import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, upload, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

const url = (link: any, host = 0) => `http://${link.hosts[host]}${link.path}`;

describe('getfilelink and the content servers', () => {
  it('answers at least two distinct live hosts, a path and an expiry', async () => {
    const link = await as(emu, 'getfilelink', { path: '/Documents/readme.txt' });
    expect(link.result).toBe(0);
    expect(new Set(link.hosts).size).toBeGreaterThanOrEqual(2);
    expect(link.hosts).toEqual(emu.contentHosts);
    expect(link.path).toMatch(/^\/[\w-]+\/readme\.txt$/);
    expect(link.expires).toHaveLength(31);
    for (let i = 0; i < link.hosts.length; i++) {
      const res = await request(url(link, i));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain');
      const body = await res.body.text();
      expect(body).toContain('Welcome to the pcloudkit emulator');
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(body));
    }
  });

  it('serves byte ranges (206), suffix ranges, and 416 when unsatisfiable', async () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    const up = await upload(emu, `${uniq('range')}.bin`, data);
    const link = await as(emu, 'getfilelink', { fileid: up.fileids[0] });
    const part = await request(url(link), { headers: { range: 'bytes=10-19' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/1000');
    expect(Buffer.from(await part.body.arrayBuffer()).equals(data.subarray(10, 20))).toBe(true);
    const tail = await request(url(link), { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await tail.body.arrayBuffer()).equals(data.subarray(995))).toBe(true);
    const open = await request(url(link), { headers: { range: 'bytes=990-' } });
    expect(open.headers['content-length']).toBe('10');
    await open.body.dump();
    const bad = await request(url(link), { headers: { range: 'bytes=5000-6000' } });
    expect(bad.statusCode).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */1000');
    await bad.body.dump();
  });

  it('HEAD gives headers only; forcedownload and contenttype change the type', async () => {
    const link = await as(emu, 'getfilelink', { path: '/Pictures/gradient.png' });
    const head = await request(url(link), { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('image/png');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(100);
    await head.body.dump();
    const png = Buffer.from(await (await request(url(link))).body.arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const forced = await as(emu, 'getfilelink', { path: '/Pictures/gradient.png', forcedownload: 1 });
    const f = await request(url(forced));
    expect(f.headers['content-type']).toBe('application/octet-stream');
    expect(f.headers['content-disposition']).toContain('gradient.png');
    await f.body.dump();
    const typed = await as(emu, 'getfilelink', { path: '/Pictures/gradient.png', contenttype: 'image/x-test' });
    const t = await request(url(typed));
    expect(t.headers['content-type']).toBe('image/x-test');
    await t.body.dump();
    expect((await as(emu, 'getfilelink', { path: '/Pictures/gradient.png', contenttype: 'not a type' })).result).toBe(1005);
    expect((await as(emu, 'getfilelink', { path: '/Pictures/gradient.png', maxspeed: 10 })).result).toBe(2011);
  });

  it('skipfilename drops the name; unknown link paths give 404', async () => {
    const link = await as(emu, 'getfilelink', { path: '/Documents/readme.txt', skipfilename: 1 });
    expect(link.path).toMatch(/^\/[\w-]+$/);
    expect((await request(url(link))).statusCode).toBe(200);
    const nf = await request(`http://${emu.contentHosts[0]}/nonexistent/readme.txt`);
    expect(nf.statusCode).toBe(404);
    await nf.body.dump();
  });

  it('rejects expired links', async () => {
    const short = await startEmulator({ linkTtlMs: 100 });
    try {
      const link = await as(short, 'getfilelink', { path: '/Documents/readme.txt' });
      expect((await request(url(link))).statusCode).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
      const res = await request(url(link));
      expect(res.statusCode).toBe(410);
      await res.body.dump();
    } finally {
      await short.stop();
    }
  });

  it('revisionid serves an older content version', async () => {
    const name = `${uniq('rev')}.txt`;
    const a = await upload(emu, name, 'old content');
    await upload(emu, name, 'new content!');
    const hist = await as(emu, 'getfilehistory', { fileid: a.fileids[0] });
    expect(hist.entries).toHaveLength(2);
    const cur = await request(url(await as(emu, 'getfilelink', { fileid: a.fileids[0] })));
    expect(await cur.body.text()).toBe('new content!');
    const revs = emu.core.store.files.get(a.fileids[0])!.revisions;
    const old = await request(url(await as(emu, 'getfilelink', { fileid: a.fileids[0], revisionid: revs[0]!.revisionid })));
    expect(await old.body.text()).toBe('old content');
  });

  it('errors: 1004 without a target, 2009 for a missing file', async () => {
    expect((await as(emu, 'getfilelink', {})).result).toBe(1004);
    expect((await as(emu, 'getfilelink', { fileid: 123456789 })).result).toBe(2009);
    expect((await as(emu, 'getfilelink', { path: '/Documents/none.txt' })).result).toBe(2009);
  });
});

describe('audio and video links', () => {
  it('getaudiolink serves the WAV transcoded to MP3; start skips about that many seconds', async () => {
    const link = await as(emu, 'getaudiolink', { path: '/Music/tone.wav' });
    expect(link.result).toBe(0);
    const res = await request(url(link));
    expect(res.headers['content-type']).toBe('audio/mpeg');
    const full = Buffer.from(await res.body.arrayBuffer());
    expect(Number(res.headers['content-length'])).toBe(full.length);
    // an MPEG audio frame header: sync word, then Layer III
    expect(full.readUInt16BE(0) >>> 5).toBe(0x7ff);
    expect((full[1]! >>> 1) & 3).toBe(1);
    // constant bitrate, so one second less is about half the bytes of this 2-second tone
    const cut = Buffer.from(await (await request(`${url(link)}?start=1`)).body.arrayBuffer());
    expect(cut.readUInt16BE(0) >>> 5).toBe(0x7ff);
    expect(Math.abs(cut.length / full.length - 0.5)).toBeLessThan(0.05);
    expect(full.subarray(full.length - cut.length).equals(cut)).toBe(true);
  });

  it('getaudiolink checks abitrate and the file type', async () => {
    expect((await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: 320 })).result).toBe(0);
    // pCloud documents 16-320 but no error for leaving it: out-of-range values are taken to the nearest bound
    expect((await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: 8 })).result).toBe(0);
    expect((await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: 321 })).result).toBe(0);
    expect((await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: 'loud' })).result).toBe(1013);
    expect((await as(emu, 'getaudiolink', { path: '/Documents/readme.txt' })).result).toBe(2044);
  });

  it('video links: getvideolink, getvideolinks, gethlslink', async () => {
    const up = await upload(emu, `${uniq('clip')}.mp4`, Buffer.from('not really a video'));
    const fileid = up.fileids[0];
    const v = await as(emu, 'getvideolink', { fileid, vbitrate: 1000, resolution: '640x480' });
    expect(v.result).toBe(0);
    const res = await request(url(v));
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(await res.body.text()).toBe('not really a video');
    expect((await as(emu, 'getvideolink', { fileid, resolution: '10x10' })).result).toBe(1005);
    const vs = await as(emu, 'getvideolinks', { fileid });
    expect(vs.variants).toHaveLength(1);
    expect(vs.variants[0]).toMatchObject({ isoriginal: true });
    expect(typeof vs.variants[0].duration).toBe('string');
    const hls = await as(emu, 'gethlslink', { fileid });
    expect(hls.path).toMatch(/\.m3u8$/);
    const playlist = await (await request(url(hls))).body.text();
    expect(playlist.startsWith('#EXTM3U')).toBe(true);
    const segment = playlist.split('\n').find((l) => l.startsWith('/'))!;
    expect(await (await request(`http://${hls.hosts[0]}${segment}`)).body.text()).toBe('not really a video');
    expect((await as(emu, 'getvideolink', { path: '/Music/tone.wav' })).result).toBe(2044);
    expect((await as(emu, 'gethlslink', { path: '/Music/tone.wav' })).result).toBe(2044);
  });
});

describe('gettextfile', () => {
  it('answers the raw bytes with Content-Type and Content-Length', async () => {
    const res = await request(`${emu.api}/gettextfile?auth=${emu.auth}&path=/Documents/readme.txt`);
    expect(res.headers['content-type']).toBe('text/plain');
    const text = await res.body.text();
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(text));
    expect(text.startsWith('Welcome')).toBe(true);
    expect(res.headers['x-error']).toBeUndefined();
  });

  it('answers JSON with X-Error when it fails', async () => {
    const res = await request(`${emu.api}/gettextfile?auth=${emu.auth}&path=/Documents/missing.txt`);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.headers['x-error']).toBe('2009');
    expect(await res.body.json()).toEqual({ result: 2009, error: 'File not found.' });
  });

  it('converts encodings', async () => {
    const up = await upload(emu, `${uniq('latin')}.txt`, Buffer.from('café', 'latin1'));
    const res = await request(`${emu.api}/gettextfile?auth=${emu.auth}&fileid=${up.fileids[0]}&fromencoding=iso-8859-1`);
    expect(await res.body.text()).toBe('café');
    const forced = await request(`${emu.api}/gettextfile?auth=${emu.auth}&fileid=${up.fileids[0]}&forcedownload=1`);
    expect(forced.headers['content-type']).toBe('application/octet-stream');
    await forced.body.dump();
  });
});

describe('isolation between users', () => {
  it('no id, path or link of one user reaches another', async () => {
    const other = await emu.createUser({ username: `${uniq('iso')}@x.test`, password: 'other-password' });
    const demoFile = (await as(emu, 'stat', { path: '/Documents/readme.txt' })).metadata;
    const demoFolder = (await as(emu, 'listfolder', { path: '/Documents' })).metadata;
    const o = (method: string, params: Record<string, string | number>) => as({ ...emu, auth: other.auth } as Emulator, method, params);
    expect((await o('stat', { fileid: demoFile.fileid })).result).toBe(2009);
    expect((await o('getfilelink', { fileid: demoFile.fileid })).result).toBe(2009);
    expect((await o('deletefile', { fileid: demoFile.fileid })).result).toBe(2009);
    expect((await o('copyfile', { fileid: demoFile.fileid, tofolderid: 0 })).result).toBe(2009);
    expect((await o('renamefile', { fileid: demoFile.fileid, toname: 'stolen' })).result).toBe(2009);
    expect((await o('checksumfile', { fileid: demoFile.fileid })).result).toBe(2009);
    expect((await o('getfilehistory', { fileid: demoFile.fileid })).result).toBe(2009);
    expect((await o('listfolder', { folderid: demoFolder.folderid })).result).toBe(2005);
    expect((await o('deletefolderrecursive', { folderid: demoFolder.folderid })).result).toBe(2005);
    expect((await o('listfolder', { path: '/Documents' })).result).toBe(2005);
    expect((await o('createfolder', { folderid: demoFolder.folderid, name: 'x' })).result).toBe(2002);
    const up = await upload(emu, 'x.txt', 'x', { folderid: demoFolder.folderid }, other.auth);
    expect(up.result).toBe(2005);
    expect((await o('copyfolder', { folderid: 0, tofolderid: demoFolder.folderid })).result).toBe(2208);
    const root = await o('listfolder', { folderid: 0 });
    expect(root.metadata.contents).toEqual([]);
    const diff = await o('diff', {});
    expect(diff.entries.every((e: any) => e.event === 'modifyuserinfo')).toBe(true);
    // the demo user's data is intact
    expect((await as(emu, 'stat', { fileid: demoFile.fileid })).result).toBe(0);
  });
});
