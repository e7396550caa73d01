import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, ValidationError, type Middleware } from '@pcloudkit/core';
import { makePng, makeWav } from '@pcloudkit/emulator';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { publinks, showpublink } from '../src/index.js';
import { publicFileToFile, publicZipToFile } from '../src/node.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
}

const TEXT = 'hello through a public link\n';

describe.each(transportNames)('public link methods over %s', (kind) => {
  let env: TestEnv;
  let owner: ReturnType<typeof makeOwner>;
  let visitor: ReturnType<typeof makeVisitor>;
  const sent: string[] = [];
  const record: Middleware = (next) => (request) => {
    sent.push(request.method);
    return next(request);
  };
  const makeOwner = () => env.client(kind).use(publinks);
  // no credentials at all: what anyone with a code has
  const makeVisitor = () => env.client(kind, null, { middleware: [record] }).use(publinks);
  let dir: string;
  const ids = { folder: 0, sub: 0, text: 0, tone: 0, picture: 0, deep: 0, clip: 0 };

  const put = async (name: string, data: Uint8Array, folderid: number) => {
    const r = await owner.call<{ metadata: Array<{ fileid: number }> }>('uploadfile', { folderid }, { files: [{ name, data }] });
    return r.metadata[0]!.fileid;
  };

  beforeAll(async () => {
    env = await startTestEnv();
    owner = makeOwner();
    visitor = makeVisitor();
    dir = await mkdtemp(join(tmpdir(), 'pcloudkit-publinks-'));
    const folder = await owner.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: `shared-${kind}` });
    ids.folder = folder.metadata.folderid;
    const sub = await owner.call<{ metadata: { folderid: number } }>('createfolder', { folderid: ids.folder, name: 'sub' });
    ids.sub = sub.metadata.folderid;
    ids.text = await put('hello.txt', new TextEncoder().encode(TEXT), ids.folder);
    ids.tone = await put('tone.wav', makeWav({ seconds: 0.5 }), ids.folder);
    ids.picture = await put('picture.png', makePng(40, 40), ids.folder);
    ids.deep = await put('deep.txt', new TextEncoder().encode('one level down\n'), ids.sub);
    ids.clip = await put('clip.mp4', new TextEncoder().encode('not really a video'), ids.sub);
  });
  afterAll(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a file link: anyone reads it without login, the download counts, and deleting it ends it', async () => {
    const link = await owner.getfilepublink({ fileid: ids.text, shortlink: true });
    expect(link.link).toContain(link.code);
    expect(link.shortcode).toMatch(/^[A-Za-z0-9]+$/);
    const shown = await visitor.showpublink({ code: link.shortcode! });
    expect(shown.metadata).toMatchObject({ name: 'hello.txt', isfolder: false });
    expect(await showpublink(visitor, { code: link.code })).toEqual(shown);

    const file = await visitor.publicFile({ code: link.code });
    expect(file.expires).toBeInstanceOf(Date);
    expect(await (await fetch(file.url())).text()).toBe(TEXT);
    const path = join(dir, `${kind}-hello.txt`);
    const seen: number[] = [];
    const written = await publicFileToFile(visitor, { code: link.code }, path, { onProgress: (p) => seen.push(p.loaded) });
    expect(written.bytes).toBe(TEXT.length);
    expect(await readFile(path, 'utf8')).toBe(TEXT);
    expect(seen.at(-1)).toBe(TEXT.length);

    const listed = (await owner.listpublinks()).publinks.find((l) => l.linkid === link.linkid)!;
    expect(listed).toMatchObject({ downloads: 2, traffic: 2 * TEXT.length });
    expect(listed.created).toBeInstanceOf(Date);
    expect(listed.metadata).toMatchObject({ name: 'hello.txt' });
    const short = (await owner.listplshort()).publinks.find((l) => l.linkid === link.linkid)!;
    expect(short).toMatchObject({ isfolder: false, fileid: ids.text, id: `f${ids.text}` });

    await owner.deletepublink({ linkid: link.linkid });
    await apiError(visitor.showpublink({ code: link.code }), 7002);
    // the URL handed out before no longer serves
    expect((await fetch(file.url())).status).toBe(410);
    await apiError(owner.deletepublink({ linkid: link.linkid }), 2027);
    expect(sent.every((m) => m !== 'userinfo')).toBe(true);
  });

  test('limits and passwords: changepublink takes effect at once', async () => {
    const link = await owner.getfilepublink({ fileid: ids.text, maxdownloads: 1, linkpassword: 'secret' });
    await apiError(visitor.getpublinkdownload({ code: link.code }), 7009);
    const file = await visitor.publicFile({ code: link.code, linkpassword: 'secret' });
    await (await fetch(file.url())).arrayBuffer();
    await apiError(visitor.getpublinkdownload({ code: link.code, linkpassword: 'secret' }), 7006);
    await owner.changepublink({ linkid: link.linkid, maxdownloads: 0, linkpassword: '' });
    await visitor.getpublinkdownload({ code: link.code });
    const changed = await owner.changepublink({ linkid: link.linkid, shortlink: true, expire: new Date('2001-01-01T00:00:00Z') });
    expect(changed.shortcode).toBeDefined();
    await apiError(visitor.showpublink({ code: changed.shortcode! }), 7004);
    await owner.changepublink({ linkid: link.linkid, deleteexpire: true });
    await visitor.showpublink({ code: link.code });
  });

  test('a folder link: thumbnails, audio, video, text and ZIPs of what it holds', async () => {
    const { code } = await owner.getfolderpublink({ folderid: ids.folder });
    const shown = await visitor.showpublink({ code });
    expect(shown.metadata.isfolder).toBe(true);
    await apiError(visitor.getpublinkdownload({ code }), 1029);

    const thumb = await visitor.getpubthumb({ code, fileid: ids.picture, size: '32x32', type: 'png' });
    const png = new Uint8Array(await new Response(thumb.body).arrayBuffer());
    expect(new TextDecoder().decode(png.subarray(1, 4))).toBe('PNG');
    const thumbLink = await visitor.getpubthumblink({ code, fileid: ids.picture, size: '32x32' });
    expect(thumbLink.size).toMatch(/^\d+x\d+$/);
    const thumbs = await visitor.getpubthumbslinks({ code, fileids: [ids.picture, 999_999], size: '32x32' });
    expect(thumbs.thumbs.map((t) => t.result)).toEqual([0, 2009]);

    const audio = await visitor.publicAudio({ code, fileid: ids.tone });
    const mp3 = await fetch(audio.url());
    expect(mp3.headers.get('content-type')).toBe('audio/mpeg');
    expect(audio.url(1)).toContain('start=1');
    await apiError(visitor.getpubvideolinks({ code, fileid: ids.tone }), 2044);
    const video = await visitor.getpubvideolinks({ code, fileid: ids.clip });
    const original = video.variants.find((v) => v.isoriginal)!;
    expect(await (await fetch(`${visitor.scheme}://${original.hosts[0]}${original.path}`)).text()).toBe('not really a video');

    const text = await visitor.getpubtextfile({ code, fileid: ids.deep });
    expect(await new Response(text.body).text()).toBe('one level down\n');

    const zipLink = await visitor.getpubziplink({ code, folderids: [ids.sub] });
    const zipped = new Uint8Array(await (await fetch(`${visitor.scheme}://${zipLink.hosts[0]}${zipLink.path}`)).arrayBuffer());
    expect(new TextDecoder().decode(zipped)).toContain('sub/deep.txt');
    const progress: number[] = [];
    const path = join(dir, `${kind}-all.zip`);
    const written = await publicZipToFile(visitor, { code }, path, { onProgress: (p) => progress.push(p.loaded) });
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(written.bytes).toBe(bytes.length);
    expect(progress.at(-1)).toBe(bytes.length);
    const stream = await visitor.publicZipStream({ code, fileids: [ids.text] });
    expect(new TextDecoder().decode(await new Response(stream.body).arrayBuffer())).toContain('hello.txt');
  });

  test('copies into the caller’s account need a login; anonymous callers are refused', async () => {
    const { code } = await owner.getfolderpublink({ folderid: ids.folder });
    await apiError(visitor.copypubfile({ code, fileid: ids.text, topath: '/copy.txt' }), 1000);
    const copy = await owner.copypubfile({ code, fileid: ids.text, topath: `/copy-${kind}.txt` });
    expect(copy.metadata.name).toBe(`copy-${kind}.txt`);
    const thumb = await owner.savepubthumb({ code, fileid: ids.picture, size: '32x32', topath: `/thumb-${kind}.jpg` });
    expect(thumb.width).toBeGreaterThan(0);
    const zip = await owner.savepubzip({ code, topath: `/saved-${kind}.zip` });
    expect(zip.metadata.size).toBeGreaterThan(0);
    await apiError(visitor.listpublinks(), 1000);
  });

  test('tree and collection links', async () => {
    const tree = await owner.gettreepublink({ name: 'Picked', folderid: ids.folder, excludefolderids: [ids.sub] });
    const shown = await visitor.showpublink({ code: tree.code });
    expect(shown.metadata.name).toBe('Picked');
    const names = (shown.metadata as { contents?: { name: string }[] }).contents!.map((x) => x.name).sort();
    expect(names).toEqual(['hello.txt', 'picture.png', 'tone.wav']);
    await apiError(visitor.getpublinkdownload({ code: tree.code, fileid: ids.deep }), 2009);

    const made = await owner.call<{ collection: { id: number } | { id: number }[] }>('collection_create', {
      name: `list-${kind}`,
      fileids: String(ids.tone),
    });
    const coll = Array.isArray(made.collection) ? made.collection[0]! : made.collection;
    const link = await owner.getcollectionpublink({ collectionid: coll.id });
    const audio = await visitor.getpubaudiolink({ code: link.code, fileid: ids.tone });
    expect(audio.hosts.length).toBeGreaterThan(0);
    await apiError(owner.getcollectionpublink({ collectionid: 987_654 }), 2065);
  });

  test('bad input is refused before anything is sent', async () => {
    const before = sent.length;
    await expect(visitor.showpublink({} as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(visitor.getpubthumb({ code: 'x', size: 32 } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(visitor.getpubaudiolink({ code: 'x', abitrate: 999 })).rejects.toBeInstanceOf(ValidationError);
    expect(sent.length).toBe(before);
    await apiError(visitor.showpublink({ code: 'no-such-code' }), 7001);
  });
});
