import { ApiError, type CoreClient, ValidationError } from '@pcloudkit/core';
import { makePng } from '@pcloudkit/emulator';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { imageSize } from 'image-size';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getthumb, getthumblink, savethumb, thumbnails } from '../src/index.js';

async function upload(client: CoreClient, name: string, data: Uint8Array, folderid = 0): Promise<number> {
  const answer = await client.call<{ metadata: Array<{ fileid: number }> }>('uploadfile', { folderid }, { files: [{ name, data }] });
  return answer.metadata[0]!.fileid;
}

async function fetchImage(url: string): Promise<{ status: number; type: string; size: ReturnType<typeof imageSize> }> {
  const res = await request(url);
  const body = new Uint8Array(await res.body.arrayBuffer());
  return { status: res.statusCode, type: String(res.headers['content-type']), size: imageSize(body) };
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe.each(transportNames)('thumbnails over %s', (kind) => {
  let env: TestEnv;
  const ids = { photo: 0, wide: 0, text: 0, fake: 0, folder: 0 };
  beforeAll(async () => {
    env = await startTestEnv();
    const uploader = env.client('http');
    const folder = await uploader.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: 'thumbs' });
    ids.folder = folder.metadata.folderid;
    const stat = await uploader.call<{ metadata: { fileid: number } }>('stat', { path: '/Pictures/landscape.jpg' });
    ids.photo = stat.metadata.fileid;
    ids.wide = await upload(uploader, 'wide.png', makePng(200, 50));
    ids.text = await upload(uploader, 'notes.txt', new TextEncoder().encode('not a picture\n'));
    ids.fake = await upload(uploader, 'fake.jpg', new TextEncoder().encode('text pretending to be a JPEG'));
  });
  afterAll(() => env.close());
  const c = () => env.client(kind).use(thumbnails);
  const url = (link: { hosts: string[]; path: string }) => `http://${link.hosts[0]}${link.path}`;

  describe('getthumblink', () => {
    it('links to a JPEG thumbnail of the seeded photo, aspect kept, by id and by path', async () => {
      const client = c();
      const byId = await client.getthumblink({ fileid: ids.photo, size: '256x256' });
      expect(byId.size).toBe('256x192');
      expect(byId.hosts).toEqual(env.emulator.contentHosts);
      expect(byId.expires).toBeInstanceOf(Date);
      expect(await fetchImage(url(byId))).toMatchObject({
        status: 200,
        type: 'image/jpeg',
        size: { type: 'jpg', width: 256, height: 192 },
      });
      const byPath = await getthumblink(client, { path: '/Pictures/landscape.jpg', size: '64x64', crop: true, type: 'png' });
      expect(byPath.size).toBe('64x64');
      expect(await fetchImage(url(byPath))).toMatchObject({ type: 'image/png', size: { type: 'png', width: 64, height: 64 } });
    });

    it('fails with 1014 for a file that is not an image, 3001 for one that does not decode, 1015 for a bad size', async () => {
      const client = c();
      expect((await apiError(client.getthumblink({ fileid: ids.text, size: '64x64' }))).result).toBe(1014);
      expect((await apiError(client.getthumblink({ fileid: ids.fake, size: '64x64' }))).result).toBe(3001);
      expect((await apiError(client.getthumblink({ fileid: ids.photo, size: '63x64' }))).result).toBe(1015);
    });
  });

  describe('getthumbslinks', () => {
    it('answers one entry per file, problems reported per file', async () => {
      const answer = await c().getthumbslinks({ fileids: [ids.photo, ids.text, ids.wide], size: '100x100' });
      expect(answer.thumbs.map((t) => [t.fileid, t.result])).toEqual([
        [ids.photo, 0],
        [ids.text, 1014],
        [ids.wide, 0],
      ]);
      const wide = answer.thumbs[2]!;
      if (wide.result !== 0 || !('hosts' in wide)) throw new Error('expected a link');
      expect(wide.size).toBe('100x25');
      expect((await fetchImage(url(wide))).size).toMatchObject({ width: 100, height: 25 });
    });
  });

  describe('getthumb', () => {
    it('sends the image bytes over the API connection', async () => {
      const client = c();
      const res = await getthumb(client, { fileid: ids.wide, size: '40x40', crop: true, type: 'png' });
      // the binary protocol carries no content type
      expect(res.contentType).toBe(kind === 'http' ? 'image/png' : undefined);
      const bytes = new Uint8Array(await new Response(res.body).arrayBuffer());
      expect(res.length).toBe(bytes.length);
      expect(imageSize(bytes)).toMatchObject({ type: 'png', width: 40, height: 40 });
      const jpeg = await client.getthumb({ path: '/Pictures/landscape.jpg', size: '120x120' });
      expect(imageSize(new Uint8Array(await new Response(jpeg.body).arrayBuffer()))).toMatchObject({ type: 'jpg', width: 120, height: 90 });
      expect((await apiError(client.getthumb({ fileid: ids.text, size: '40x40' }))).result).toBe(1014);
    });
  });

  describe('savethumb', () => {
    it('stores the thumbnail as a file, replaces it, and refuses with noover', async () => {
      const client = c();
      const name = `photo-${kind}.jpg`;
      const saved = await savethumb(client, { fileid: ids.photo, size: '160x160', tofolderid: ids.folder, toname: name });
      expect([saved.width, saved.height]).toEqual([160, 120]);
      expect(saved.metadata).toMatchObject({ name, contenttype: 'image/jpeg', thumb: true, parentfolderid: ids.folder });
      const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: saved.metadata.fileid });
      expect((await fetchImage(url(link))).size).toMatchObject({ type: 'jpg', width: 160, height: 120 });
      const again = await client.savethumb({ path: '/Pictures/landscape.jpg', size: '80x80', crop: true, topath: `/thumbs/${name}` });
      expect(again.metadata.fileid).toBe(saved.metadata.fileid);
      expect([again.width, again.height]).toEqual([80, 80]);
      const refused = await apiError(
        client.savethumb({ fileid: ids.photo, size: '80x80', tofolderid: ids.folder, toname: name, noover: true }),
      );
      expect(refused.result).toBe(2004);
    });
  });

  describe('thumbUrls', () => {
    it('gives ready URLs per file, and per-file errors without failing the call', async () => {
      const client = c();
      const got = await client.thumbUrls([ids.photo, ids.text, 987654321, ids.fake], { width: 128, height: 128 }, { type: 'png' });
      expect(got.map((t) => [t.fileid, t.ok])).toEqual([
        [ids.photo, true],
        [ids.text, false],
        [987654321, false],
        [ids.fake, false],
      ]);
      const [photo, text, missing, fake] = got;
      if (!photo?.ok) throw new Error('expected a thumbnail');
      expect([photo.width, photo.height]).toEqual([128, 96]);
      expect(photo.urls).toHaveLength(env.emulator.contentHosts.length);
      expect(photo.url).toBe(photo.urls[0]);
      expect(photo.expires).toBeInstanceOf(Date);
      for (const u of photo.urls) expect((await fetchImage(u)).size).toMatchObject({ type: 'png', width: 128, height: 96 });
      const codes = [text, missing, fake].map((t) => (t && !t.ok ? t.error.result : undefined));
      expect(codes).toEqual([1014, 2009, 3001]);
      if (text && !text.ok) {
        expect(text.error).toBeInstanceOf(ApiError);
        expect(text.error.serverMessage).toBe('Thumb can not be created from this file type.');
      }
      const cropped = await client.thumbUrls([ids.wide], '60x60', { crop: true });
      expect(cropped[0]).toMatchObject({ ok: true, width: 60, height: 60 });
    });

    it('refuses a bad size or id list before anything is sent', async () => {
      const client = c();
      await expect(client.thumbUrls([ids.photo], '64x63')).rejects.toBeInstanceOf(ValidationError);
      await expect(client.thumbUrls([ids.photo], { width: 4096, height: 64 })).rejects.toThrow(/width must be 16-2048/);
      await expect(client.thumbUrls([], '64x64')).rejects.toBeInstanceOf(ValidationError);
      await expect(client.thumbUrls([1.5], '64x64')).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
