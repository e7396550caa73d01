import { imageSize } from 'image-size';
import sharp from 'sharp';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { fittedSize, thumbRequest } from '../src/thumbnail.js';
import { as, call, upload, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

const url = (link: any, host = 0) => `http://${link.hosts[host]}${link.path}`;

async function fetchBytes(u: string): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await request(u);
  return { status: res.statusCode, type: String(res.headers['content-type']), body: Buffer.from(await res.body.arrayBuffer()) };
}

/** A 300x100 image: red left third, blue middle third, green right third. */
async function stripes(format: 'png' | 'gif' | 'webp' | 'jpeg'): Promise<Buffer> {
  const w = 300;
  const h = 100;
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const band = Math.floor(x / 100);
      raw[i + (band === 0 ? 0 : band === 1 ? 2 : 1)] = 255;
    }
  return sharp(raw, { raw: { width: w, height: h, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

async function uploadOne(name: string, data: Buffer): Promise<number> {
  const up = await upload(emu, name, data);
  expect(up.result).toBe(0);
  return up.fileids[0];
}

describe('sizes', () => {
  it('accepts WIDTHxHEIGHT within pCloud limits, each side divisible by 4 or 5', () => {
    expect(thumbRequest('16x16', false, undefined)).toEqual({ width: 16, height: 16, crop: false, type: 'jpeg' });
    expect(thumbRequest('2048x1024', true, 'png')).toEqual({ width: 2048, height: 1024, crop: true, type: 'png' });
    expect(thumbRequest('25x125', false, 'jpeg').width).toBe(25);
    for (const bad of ['', '32', '32x', 'x32', '12x16', '16x12', '2052x16', '16x1028', '17x16', '16x33', '32 x32', '-32x32']) {
      expect(() => thumbRequest(bad, false, undefined), bad).toThrow(expect.objectContaining({ code: 1015 }));
    }
  });

  it('keeps the aspect without crop (one side touches the box) and fills it with crop', () => {
    expect(fittedSize(1024, 768, { width: 128, height: 128, crop: false })).toEqual({ width: 128, height: 96 });
    expect(fittedSize(768, 1024, { width: 128, height: 128, crop: false })).toEqual({ width: 96, height: 128 });
    expect(fittedSize(1024, 768, { width: 128, height: 128, crop: true })).toEqual({ width: 128, height: 128 });
    expect(fittedSize(64, 64, { width: 256, height: 128, crop: false })).toEqual({ width: 128, height: 128 });
  });
});

describe('thumbnail methods over HTTP', () => {
  it('marks thumbnailable images with thumb: true, other files with thumb: false', async () => {
    const list = await as(emu, 'listfolder', { path: '/Pictures' });
    const byName = Object.fromEntries(list.metadata.contents.map((m: any) => [m.name, m]));
    expect(byName['landscape.jpg'].thumb).toBe(true);
    expect(byName['gradient.png'].thumb).toBe(true);
    const doc = await as(emu, 'stat', { path: '/Documents/readme.txt' });
    expect(doc.metadata.thumb).toBe(false);
    const bmp = await upload(emu, `${uniq('pic')}.bmp`, Buffer.from('BM not really'));
    expect(bmp.metadata[0].thumb).toBe(false);
  });

  it('getthumblink serves a JPEG of the seeded photo from every content host, aspect kept', async () => {
    const link = await as(emu, 'getthumblink', { path: '/Pictures/landscape.jpg', size: '256x256' });
    expect(link.result).toBe(0);
    expect(link.size).toBe('256x192');
    expect(link.hosts).toEqual(emu.contentHosts);
    expect(link.path).toMatch(/\/th-\d+-256x192\.jpg$/);
    expect(link.expires).toHaveLength(31);
    for (let i = 0; i < link.hosts.length; i++) {
      const got = await fetchBytes(url(link, i));
      expect(got.status).toBe(200);
      expect(got.type).toBe('image/jpeg');
      expect(imageSize(got.body)).toMatchObject({ type: 'jpg', width: 256, height: 192 });
    }
  });

  it('crop trims evenly from both sides to the exact size; type png gives PNG', async () => {
    const fileid = await uploadOne(`${uniq('stripes')}.png`, await stripes('png'));
    const link = await as(emu, 'getthumblink', { fileid, size: '40x40', crop: 1, type: 'png' });
    expect(link.size).toBe('40x40');
    const got = await fetchBytes(url(link));
    expect(got.type).toBe('image/png');
    expect(imageSize(got.body)).toMatchObject({ type: 'png', width: 40, height: 40 });
    // the middle third is blue: a centred square crop keeps only that band
    const { data } = await sharp(got.body).raw().toBuffer({ resolveWithObject: true });
    const [r, g, b] = [data[0]!, data[1]!, data[2]!];
    expect(b).toBeGreaterThan(200);
    expect(r + g).toBeLessThan(60);
    const wide = await as(emu, 'getthumblink', { fileid, size: '120x120' });
    expect(wide.size).toBe('120x40');
  });

  it('thumbnails GIF, WebP and JPEG sources', async () => {
    for (const format of ['gif', 'webp', 'jpeg'] as const) {
      const fileid = await uploadOne(`${uniq('src')}.${format === 'jpeg' ? 'jpg' : format}`, await stripes(format));
      const res = await request(`${emu.api}/getthumb?auth=${emu.auth}&fileid=${fileid}&size=60x60`);
      expect(res.headers['content-type'], format).toBe('image/jpeg');
      expect(imageSize(Buffer.from(await res.body.arrayBuffer())), format).toMatchObject({ type: 'jpg', width: 60, height: 20 });
    }
  });

  it('getthumb answers the image itself, with JSON and X-Error on failure', async () => {
    const res = await request(`${emu.api}/getthumb?auth=${emu.auth}&path=/Pictures/landscape.jpg&size=100x100&crop=1`);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(imageSize(Buffer.from(await res.body.arrayBuffer()))).toMatchObject({ width: 100, height: 100 });
    const bad = await call(emu, 'getthumb', { auth: emu.auth, path: '/Pictures/landscape.jpg', size: '33x33' });
    expect(bad.result).toBe(1015);
    expect(bad._xerror).toBe('1015');
  });

  it('answers 1014 for files that are not images and 3001 for images that do not decode', async () => {
    expect((await as(emu, 'getthumblink', { path: '/Documents/readme.txt', size: '64x64' })).result).toBe(1014);
    const fake = await uploadOne(`${uniq('fake')}.jpg`, Buffer.from('just text with a .jpg name'));
    expect((await as(emu, 'getthumblink', { fileid: fake, size: '64x64' })).result).toBe(3001);
    expect((await as(emu, 'getthumb', { fileid: fake, size: '64x64' })).result).toBe(3001);
    expect((await as(emu, 'getthumblink', { size: '64x64' })).result).toBe(1004);
    expect((await as(emu, 'getthumblink', { fileid: 99999999, size: '64x64' })).result).toBe(2009);
  });

  it('getthumbslinks reports per-file results in one successful call', async () => {
    const photo = (await as(emu, 'stat', { path: '/Pictures/landscape.jpg' })).metadata.fileid;
    const text = (await as(emu, 'stat', { path: '/Documents/readme.txt' })).metadata.fileid;
    const fake = await uploadOne(`${uniq('fake')}.png`, Buffer.from('not a png'));
    const got = await as(emu, 'getthumbslinks', { fileids: `${photo},${text},99999999,${fake}`, size: '64x64', type: 'png' });
    expect(got.result).toBe(0);
    expect(got.thumbs.map((t: any) => [t.fileid, t.result])).toEqual([
      [photo, 0],
      [text, 1014],
      [99999999, 2009],
      [fake, 3001],
    ]);
    expect(got.thumbs[1].error).toBe('Thumb can not be created from this file type.');
    expect(got.thumbs[0].size).toBe('64x48');
    const img = await fetchBytes(url(got.thumbs[0]));
    expect(imageSize(img.body)).toMatchObject({ type: 'png', width: 64, height: 48 });
    expect((await as(emu, 'getthumbslinks', { size: '64x64' })).result).toBe(1038);
    expect((await as(emu, 'getthumbslinks', { fileids: String(photo), size: '64x63' })).result).toBe(1015);
  });

  it('savethumb stores the thumbnail as a file, replacing unless noover', async () => {
    const folderPath = `/${uniq('thumbs')}`;
    const folder = (await as(emu, 'createfolder', { path: folderPath })).metadata;
    const saved = await as(emu, 'savethumb', {
      path: '/Pictures/landscape.jpg',
      size: '80x80',
      tofolderid: folder.folderid,
      toname: 'small.jpg',
    });
    expect(saved.result).toBe(0);
    expect([saved.width, saved.height]).toEqual([80, 60]);
    expect(saved.metadata).toMatchObject({ name: 'small.jpg', contenttype: 'image/jpeg', thumb: true, parentfolderid: folder.folderid });
    const link = await as(emu, 'getfilelink', { fileid: saved.metadata.fileid });
    const stored = await fetchBytes(url(link));
    expect(stored.body.length).toBe(saved.metadata.size);
    expect(imageSize(stored.body)).toMatchObject({ type: 'jpg', width: 80, height: 60 });

    const byPath = await as(emu, 'savethumb', {
      path: '/Pictures/landscape.jpg',
      size: '40x40',
      crop: 1,
      topath: `${folderPath}/small.jpg`,
    });
    expect(byPath.metadata.fileid).toBe(saved.metadata.fileid);
    const replaced = await fetchBytes(url(await as(emu, 'getfilelink', { fileid: saved.metadata.fileid })));
    expect(imageSize(replaced.body)).toMatchObject({ width: 40, height: 40 });
    expect([byPath.width, byPath.height]).toEqual([40, 40]);
    const noover = await as(emu, 'savethumb', {
      path: '/Pictures/landscape.jpg',
      size: '40x40',
      tofolderid: folder.folderid,
      toname: 'small.jpg',
      noover: 1,
    });
    expect(noover.result).toBe(2004);
    expect((await as(emu, 'savethumb', { path: '/Pictures/landscape.jpg', size: '40x40' })).result).toBe(1016);
    expect((await as(emu, 'savethumb', { path: '/Documents/readme.txt', size: '40x40', tofolderid: folder.folderid })).result).toBe(1014);
  });
});
