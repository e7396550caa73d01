/**
 * Public links as pCloud serves them: anonymous access through codes on the
 * API and the content hosts, limits and passwords, counters that count what
 * the content hosts send, changes and deletion taking effect at once (also
 * for content links handed out before), tree and collection links, copies
 * into a visitor's own account, and the link page for anonymous visitors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng, makeWav, startEmulator, type Emulator } from '../src/index.js';
import { as, call, expectOk, type Json, upload, uniq } from './helpers.js';

let emu: Emulator;
let bobAuth: string;
const BOB = { email: 'bob-publinks@pcloudkit.test', password: 'bob-password-9' };

beforeAll(async () => {
  emu = await startEmulator({ users: [BOB] });
  bobAuth = (await expectOk(call(emu, 'userinfo', { username: BOB.email, password: BOB.password, getauth: 1 }))).auth;
});
afterAll(() => emu.stop());

const asBob = (method: string, params: Record<string, string | number> = {}) => call(emu, method, { auth: bobAuth, ...params });

/** A fresh folder of the demo user with a few files: text, a WAV tone, a PNG, and a sub-folder with one file. */
async function sharedTree(): Promise<{ folderid: number; text: number; tone: number; picture: number; sub: number; deep: number }> {
  const dir = await expectOk(as(emu, 'createfolder', { path: `/${uniq('pub')}` }));
  const folderid = dir.metadata.folderid;
  const put = async (name: string, data: Buffer | string, parent = folderid) =>
    (await expectOk(upload(emu, name, data, { folderid: parent }))).metadata[0].fileid as number;
  const text = await put('hello.txt', 'hello from a public link\n');
  const tone = await put('tone.wav', Buffer.from(makeWav({ seconds: 1 })));
  const picture = await put('picture.png', Buffer.from(makePng(40, 40)));
  const sub = (await expectOk(as(emu, 'createfolder', { folderid, name: 'sub' }))).metadata.folderid;
  const deep = await put('deep.txt', 'one level down\n', sub);
  return { folderid, text, tone, picture, sub, deep };
}

/** GETs a content link (hosts + path) without credentials. */
async function fetchContent(answer: Json, headers: Record<string, string> = {}) {
  const res = await request(`http://${answer.hosts[0]}${answer.path}`, { headers });
  return { status: res.statusCode, body: Buffer.from(await res.body.arrayBuffer()), type: String(res.headers['content-type']) };
}

const linkOf = async (linkid: number) => (await expectOk(as(emu, 'listpublinks'))).publinks.find((l: Json) => l.linkid === linkid);

describe('file links', () => {
  it('serve anonymously, count what the content host sends, and stop at once when deleted', async () => {
    const t = await sharedTree();
    const link = await expectOk(as(emu, 'getfilepublink', { fileid: t.text }));
    expect(link.link).toBe(`${emu.api}/publink?code=${link.code}`);
    const shown = await expectOk(call(emu, 'showpublink', { code: link.code }));
    expect(shown.metadata).toMatchObject({ fileid: t.text, name: 'hello.txt' });
    // asking for a download link counts nothing; the bytes the content host sends do
    const dl = await expectOk(call(emu, 'getpublinkdownload', { code: link.code }));
    expect(await linkOf(link.linkid)).toMatchObject({ downloads: 0, traffic: 0 });
    const got = await fetchContent(dl);
    expect(got.body.toString()).toBe('hello from a public link\n');
    expect(await linkOf(link.linkid)).toMatchObject({ downloads: 1, traffic: got.body.length });
    // the rest of a resumed download adds traffic, not a download
    const rest = await fetchContent(dl, { range: 'bytes=6-' });
    expect(rest.status).toBe(206);
    expect(await linkOf(link.linkid)).toMatchObject({ downloads: 1, traffic: got.body.length + rest.body.length });

    await expectOk(as(emu, 'deletepublink', { linkid: link.linkid }));
    expect((await call(emu, 'getpublinkdownload', { code: link.code })).result).toBe(7002);
    // the content link handed out before the deletion stops serving too
    expect((await fetchContent(dl)).status).toBe(410);
  });

  it('maxdownloads, maxtraffic and expire; changepublink lifts and sets them at once', async () => {
    const t = await sharedTree();
    const link = await expectOk(as(emu, 'getfilepublink', { fileid: t.text, maxdownloads: 1 }));
    await fetchContent(await expectOk(call(emu, 'getpublinkdownload', { code: link.code })));
    expect((await call(emu, 'getpublinkdownload', { code: link.code })).result).toBe(7006);
    expect((await call(emu, 'showpublink', { code: link.code })).result).toBe(7006);
    // copying needs no download: still allowed
    const copy = await expectOk(asBob('copypubfile', { code: link.code, topath: '/copied.txt' }));
    expect(copy.metadata.name).toBe('copied.txt');

    await expectOk(as(emu, 'changepublink', { linkid: link.linkid, maxdownloads: 0, maxtraffic: 30 }));
    const listed = await linkOf(link.linkid);
    expect(listed).not.toHaveProperty('maxdownloads');
    expect(listed).toMatchObject({ maxtraffic: 30, traffic: 25 });
    // a second download of 25 bytes goes over the 30-byte cap (a running download is not cut), then 7005
    const dl = await expectOk(call(emu, 'getpublinkdownload', { code: link.code }));
    expect((await fetchContent(dl)).status).toBe(200);
    expect((await call(emu, 'getpublinkdownload', { code: link.code })).result).toBe(7005);

    await expectOk(as(emu, 'changepublink', { linkid: link.linkid, maxtraffic: 0, expire: '2001-01-01T00:00:00+00:00' }));
    expect((await call(emu, 'showpublink', { code: link.code })).result).toBe(7004);
    // the content link from before the expiry stops serving as well
    expect((await fetchContent(dl)).status).toBe(410);
    await expectOk(as(emu, 'changepublink', { linkid: link.linkid, deleteexpire: 1 }));
    expect((await call(emu, 'showpublink', { code: link.code })).result).toBe(0);

    const short = await expectOk(as(emu, 'changepublink', { linkid: link.linkid, shortlink: 1 }));
    expect((await call(emu, 'showpublink', { code: short.shortcode })).result).toBe(0);
    await expectOk(as(emu, 'changepublink', { linkid: link.linkid, deleteshortlink: 1 }));
    expect((await call(emu, 'showpublink', { code: short.shortcode })).result).toBe(7001);
  });

  it('a password is needed on every method; a wrong or missing one changes nothing', async () => {
    const t = await sharedTree();
    const link = await expectOk(as(emu, 'getfilepublink', { fileid: t.text, linkpassword: 'open sesame' }));
    const attempts: Record<string, string>[] = [{}, { linkpassword: 'wrong' }];
    for (const params of attempts) {
      expect((await call(emu, 'showpublink', { code: link.code, ...params })).result).toBe(7009);
      expect((await call(emu, 'getpublinkdownload', { code: link.code, ...params })).result).toBe(7009);
      expect((await call(emu, 'getpubtextfile', { code: link.code, ...params })).result).toBe(7009);
      expect((await asBob('copypubfile', { code: link.code, topath: '/never.txt', ...params })).result).toBe(7009);
    }
    expect((await asBob('stat', { path: '/never.txt' })).result).toBe(2009);
    expect(await linkOf(link.linkid)).toMatchObject({ downloads: 0, traffic: 0 });
    const text = await request(`${emu.api}/getpubtextfile?code=${link.code}&linkpassword=${encodeURIComponent('open sesame')}`);
    expect(await text.body.text()).toBe('hello from a public link\n');
    expect(await linkOf(link.linkid)).toMatchObject({ downloads: 1 });
  });

  it('refuses links to files of others, and to unverified accounts', async () => {
    const t = await sharedTree();
    expect((await asBob('getfilepublink', { fileid: t.text })).result).toBe(2009);
    expect((await asBob('deletepublink', { linkid: (await expectOk(as(emu, 'getfilepublink', { fileid: t.text }))).linkid })).result).toBe(
      2027,
    );
  });
});

describe('folder links', () => {
  it('serve thumbnails, audio, text, zips and copies of files inside, and nothing outside', async () => {
    const t = await sharedTree();
    const other = await expectOk(upload(emu, 'outside.txt', 'not shared', { folderid: 0 }));
    const link = await expectOk(as(emu, 'getfolderpublink', { folderid: t.folderid }));
    const code = link.code;
    const shown = await expectOk(call(emu, 'showpublink', { code }));
    const names = (shown.metadata.contents as Json[]).map((x) => x.name).sort();
    expect(names).toEqual(['hello.txt', 'picture.png', 'sub', 'tone.wav']);
    expect((await call(emu, 'getpublinkdownload', { code })).result).toBe(1029);
    expect((await call(emu, 'getpublinkdownload', { code, fileid: other.metadata[0].fileid })).result).toBe(2009);
    const deep = await fetchContent(await expectOk(call(emu, 'getpublinkdownload', { code, fileid: t.deep })));
    expect(deep.body.toString()).toBe('one level down\n');

    const thumb = await request(`${emu.api}/getpubthumb?code=${code}&fileid=${t.picture}&size=32x32&type=png`);
    expect(thumb.headers['content-type']).toBe('image/png');
    expect(
      Buffer.from(await thumb.body.arrayBuffer())
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const thumbLink = await expectOk(call(emu, 'getpubthumblink', { code, fileid: t.picture, size: '32x32' }));
    expect((await fetchContent(thumbLink)).type).toBe('image/jpeg');
    const thumbs = await expectOk(
      call(emu, 'getpubthumbslinks', { code, fileids: `${t.picture},${other.metadata[0].fileid}`, size: '32x32' }),
    );
    expect(thumbs.thumbs.map((x: Json) => x.result)).toEqual([0, 2009]);
    const saved = await expectOk(asBob('savepubthumb', { code, fileid: t.picture, size: '32x32', topath: '/thumb.jpg' }));
    expect(saved.metadata.name).toBe('thumb.jpg');

    const audio = await expectOk(call(emu, 'getpubaudiolink', { code, fileid: t.tone }));
    const mp3 = await fetchContent(audio);
    expect(mp3.type).toBe('audio/mpeg');
    expect(mp3.body.length).toBeGreaterThan(100);
    expect((await call(emu, 'getpubvideolinks', { code, fileid: t.tone })).result).toBe(2044);

    const zip = await request(`${emu.api}/getpubzip?code=${code}`);
    const zipBytes = Buffer.from(await zip.body.arrayBuffer());
    expect(zipBytes.subarray(0, 2).toString()).toBe('PK');
    for (const name of ['hello.txt', 'sub/deep.txt']) expect(zipBytes.includes(Buffer.from(name))).toBe(true);
    expect(zipBytes.includes(Buffer.from('outside.txt'))).toBe(false);
    expect((await call(emu, 'getpubziplink', { code, fileids: String(other.metadata[0].fileid) })).result).toBe(1018);
    const zipLink = await expectOk(call(emu, 'getpubziplink', { code, folderids: String(t.sub) }));
    expect((await fetchContent(zipLink)).body.includes(Buffer.from('sub/deep.txt'))).toBe(true);
    const savedZip = await expectOk(asBob('savepubzip', { code, topath: '/shared.zip' }));
    expect(savedZip.metadata.size).toBeGreaterThan(0);
    // Bob's copies are his; the owner's tree is untouched
    expect((await asBob('stat', { path: '/shared.zip' })).result).toBe(0);
    expect((await as(emu, 'stat', { path: '/shared.zip' })).result).toBe(2009);
    // all this went through the content hosts and the API: downloads counted
    expect((await linkOf(link.linkid)).downloads).toBeGreaterThanOrEqual(4);
  });
});

describe('tree and collection links', () => {
  it('a tree link holds exactly the chosen files and folders', async () => {
    const t = await sharedTree();
    const link = await expectOk(
      as(emu, 'gettreepublink', { name: 'Chosen', folderid: t.folderid, excludefileids: String(t.tone), fileids: String(t.deep) }),
    );
    const shown = await expectOk(call(emu, 'showpublink', { code: link.code }));
    expect(shown.metadata.name).toBe('Chosen');
    const names = (shown.metadata.contents as Json[]).map((x) => x.name).sort();
    expect(names).toEqual(['deep.txt', 'hello.txt', 'picture.png', 'sub']);
    expect((await call(emu, 'getpublinkdownload', { code: link.code, fileid: t.tone })).result).toBe(2009);
    await expectOk(call(emu, 'getpublinkdownload', { code: link.code, fileid: t.deep }));
    expect((await as(emu, 'gettreepublink', {})).result).toBe(1039);
    expect((await asBob('gettreepublink', { name: 'x', fileids: String(t.text) })).result).toBe(2009);
  });

  it('a collection link serves the collection’s files', async () => {
    const t = await sharedTree();
    const made = await expectOk(as(emu, 'collection_create', { name: uniq('list'), fileids: String(t.tone) }));
    const coll = Array.isArray(made.collection) ? made.collection[0] : made.collection;
    const link = await expectOk(as(emu, 'getcollectionpublink', { collectionid: coll.id }));
    const shown = await expectOk(call(emu, 'showpublink', { code: link.code }));
    expect((shown.metadata.contents as Json[]).map((x) => x.fileid)).toEqual([t.tone]);
    await expectOk(call(emu, 'getpubaudiolink', { code: link.code, fileid: t.tone }));
    expect((await call(emu, 'getpublinkdownload', { code: link.code, fileid: t.text })).result).toBe(2009);
    expect((await asBob('getcollectionpublink', { collectionid: coll.id })).result).toBe(2065);
    const short = (await expectOk(as(emu, 'listplshort'))).publinks.find((l: Json) => l.linkid === link.linkid);
    expect(short).toMatchObject({ isfolder: true, downloads: 0 });
  });
});

describe('the link page', () => {
  it('lists a shared folder with download links and players, and sends programs on to the bytes', async () => {
    const t = await sharedTree();
    const link = await expectOk(as(emu, 'getfolderpublink', { folderid: t.folderid }));
    const html = await request(link.link, { headers: { accept: 'text/html' } });
    expect(html.statusCode).toBe(200);
    const text = await html.body.text();
    expect(text).toContain('hello.txt');
    expect(text).toContain('deep.txt');
    expect(text).toMatch(/<audio controls[^>]+fileid=\d+&#38;audio=1/);
    const href = /href="([^"]*fileid=(\d+))"/.exec(text)!;
    const file = await fetch(`${emu.api}${href[1]!.replace(/&#38;/g, '&')}`);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);

    const fileLink = await expectOk(as(emu, 'getfilepublink', { fileid: t.text, linkpassword: 'pw' }));
    expect((await request(fileLink.link, { headers: { accept: 'text/html' } })).statusCode).toBe(401);
    const bytes = await fetch(`${fileLink.link}&linkpassword=pw`);
    expect(await bytes.text()).toBe('hello from a public link\n');
    await expectOk(as(emu, 'deletepublink', { linkid: fileLink.linkid }));
    expect((await request(fileLink.link)).statusCode).toBe(410);
  });
});

describe('after a restart', () => {
  it('links keep their limits, password, counters and what a tree link holds', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'pcloudkit-publinks-'));
    try {
      const first = await startEmulator({ dataDir, seed: false });
      const dir = await expectOk(call(first, 'createfolder', { auth: first.auth, path: '/kept' }));
      const a = await expectOk(upload(first, 'a.txt', 'aaa', { folderid: dir.metadata.folderid }, first.auth));
      await expectOk(upload(first, 'b.txt', 'bbb', { folderid: dir.metadata.folderid }, first.auth));
      const params = { auth: first.auth, name: 'Kept', folderid: dir.metadata.folderid, excludefileids: a.metadata[0].fileid };
      const tree = await expectOk(call(first, 'gettreepublink', { ...params, linkpassword: 'pw', maxtraffic: 1000 }));
      const dl = await expectOk(
        call(first, 'getpublinkdownload', { code: tree.code, linkpassword: 'pw', fileid: a.metadata[0].fileid + 1 }),
      );
      await fetchContent(dl);
      await first.stop();

      const second = await startEmulator({ dataDir, seed: false });
      try {
        expect((await call(second, 'showpublink', { code: tree.code })).result).toBe(7009);
        const shown = await expectOk(call(second, 'showpublink', { code: tree.code, linkpassword: 'pw' }));
        expect(shown.metadata.name).toBe('Kept');
        expect((shown.metadata.contents as Json[]).map((x) => x.name)).toEqual(['b.txt']);
        const listed = (await expectOk(call(second, 'listpublinks', { auth: second.auth }))).publinks[0];
        expect(listed).toMatchObject({ linkid: tree.linkid, maxtraffic: 1000, downloads: 1, traffic: 3 });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
