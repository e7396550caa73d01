import { ApiError, type CoreClient } from '@pcloudkit/core';
import { makeWav } from '@pcloudkit/emulator';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getaudiolink, streaming } from '../src/index.js';

async function upload(client: CoreClient, name: string, data: Uint8Array): Promise<number> {
  const answer = await client.call<{ metadata: Array<{ fileid: number }> }>('uploadfile', { folderid: 0 }, { files: [{ name, data }] });
  return answer.metadata[0]!.fileid;
}

async function fetchBytes(url: string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  const res = await request(url);
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

/** The first MPEG audio frame header's sync word, version and layer bits and (MPEG-1 Layer III) bitrate. */
function mp3Header(b: Buffer): { sync: number; version: number; layer: number; kbps: number | undefined } {
  const h = b.readUInt32BE(0);
  const kbps = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320][(h >>> 12) & 15];
  return { sync: h >>> 21, version: (h >>> 19) & 3, layer: (h >>> 17) & 3, kbps };
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

const wav = makeWav({ seconds: 2, hz: 440, sampleRate: 8000 });
const video = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7) % 256));
const utf8Text = 'Grüße aus dem Emulator — ünïcödé\n';
const latin1Bytes = Buffer.from('café crème\n', 'latin1');

describe.each(transportNames)('streaming over %s', (kind) => {
  let env: TestEnv;
  const ids = { song: 0, clip: 0, notes: 0, latin: 0 };
  beforeAll(async () => {
    env = await startTestEnv();
    const uploader = env.client('http');
    ids.song = await upload(uploader, 'song.wav', wav);
    ids.clip = await upload(uploader, 'clip.mp4', video);
    ids.notes = await upload(uploader, 'notes.txt', Buffer.from(utf8Text, 'utf8'));
    ids.latin = await upload(uploader, 'latin.txt', latin1Bytes);
  });
  afterAll(() => env.close());
  const c = (auth?: Parameters<TestEnv['client']>[1]) => env.client(kind, auth).use(streaming);

  describe('getfilelink', () => {
    it('links to the exact bytes on every content host, by id and by path', async () => {
      const client = c();
      const byId = await client.getfilelink({ fileid: ids.clip });
      expect(byId.hosts).toEqual(env.emulator.contentHosts);
      expect(byId.expires).toBeInstanceOf(Date);
      expect(byId.expires.getTime()).toBeGreaterThan(Date.now());
      const urls = client.linkUrls(byId);
      expect(urls).toHaveLength(env.emulator.contentHosts.length);
      for (const url of urls) {
        expect(url.startsWith('http://')).toBe(true);
        const got = await fetchBytes(url);
        expect(got.status).toBe(200);
        expect(got.body.equals(video)).toBe(true);
      }
      const byPath = await client.getfilelink({ path: '/notes.txt' });
      expect((await fetchBytes(client.linkUrls(byPath)[0]!)).body.toString('utf8')).toBe(utf8Text);
    });

    it('forcedownload and skipfilename change the link', async () => {
      const client = c();
      const link = await client.getfilelink({ fileid: ids.notes, forcedownload: true, skipfilename: true });
      expect(link.path).not.toContain('notes.txt');
      const got = await fetchBytes(client.linkUrls(link)[0]!);
      expect(got.headers['content-type']).toBe('application/octet-stream');
      expect(String(got.headers['content-disposition'])).toContain('notes.txt');
      const named = await client.getfilelink({ fileid: ids.notes });
      expect(named.path).toContain('notes.txt');
    });

    it('fails with 2009 for a missing file and 1000 without login', async () => {
      expect(await apiError(c().getfilelink({ fileid: 99999999 }))).toMatchObject({
        result: 2009,
        errorClass: 'state',
        method: 'getfilelink',
      });
      expect(await apiError(c().getfilelink({ path: '/no/such/file.bin' }))).toMatchObject({ errorClass: 'state' });
      expect(await apiError(c(null).getfilelink({ fileid: ids.clip }))).toMatchObject({ result: 1000, errorClass: 'bad-request' });
    });

    it('fails with 2011 for a speed cap the server refuses', async () => {
      expect(await apiError(c().getfilelink({ fileid: ids.clip, maxspeed: 1 }))).toMatchObject({ result: 2011, errorClass: 'state' });
    });
  });

  describe('getaudiolink', () => {
    it('answers hosts, path and a Date expiry; the link serves the audio', async () => {
      const client = c();
      const link = await client.getaudiolink({ fileid: ids.song, abitrate: 320 });
      expect(link.hosts).toEqual(env.emulator.contentHosts);
      expect(link.path.startsWith('/')).toBe(true);
      expect(link.expires).toBeInstanceOf(Date);
      const got = await fetchBytes(client.audioUrl(link));
      expect(got.status).toBe(200);
      // pCloud transcodes to MP3 at abitrate: an MPEG-1 Layer III frame of 320 kbit/s leads
      expect(got.headers['content-type']).toBe('audio/mpeg');
      expect(mp3Header(got.body)).toEqual({ sync: 0x7ff, version: 3, layer: 1, kbps: 320 });
    });

    it('audioLink builds URLs; url(start) skips that many seconds', async () => {
      const client = c();
      const audio = await client.audioLink({ path: '/song.wav' });
      expect(audio.urls).toEqual(client.linkUrls(audio.raw));
      expect(audio.expires).toBe(audio.raw.expires);
      const full = await fetchBytes(audio.url());
      expect(mp3Header(full.body).kbps).toBe(192);
      const second = await fetchBytes(audio.url(1, 1));
      // constant bitrate: skipping 1 s of the 2 s song leaves about half, cut at a frame
      expect(Math.abs(second.body.length / full.body.length - 0.5)).toBeLessThan(0.05);
      expect(mp3Header(second.body).sync).toBe(0x7ff);
      expect(full.body.subarray(full.body.length - second.body.length).equals(second.body)).toBe(true);
      expect(new URL(audio.url(1, 1)).host).toBe(env.emulator.contentHosts[1]);
    });

    it('works as a standalone function', async () => {
      const link = await getaudiolink(env.client(kind), { fileid: ids.clip });
      expect(link.hosts.length).toBeGreaterThan(0);
    });

    it('fails with 2044 for a file without audio, 2009 for a missing one, 1000 anonymously', async () => {
      expect(await apiError(c().getaudiolink({ fileid: ids.notes }))).toMatchObject({
        result: 2044,
        errorClass: 'state',
        method: 'getaudiolink',
      });
      expect(await apiError(c().audioLink({ fileid: 99999999 }))).toMatchObject({ result: 2009 });
      expect(await apiError(c(null).getaudiolink({ fileid: ids.song }))).toMatchObject({ result: 1000 });
    });
  });

  describe('getvideolink / getvideolinks / gethlslink', () => {
    it('getvideolink links to the video', async () => {
      const client = c();
      const link = await client.getvideolink({
        fileid: ids.clip,
        abitrate: 128,
        vbitrate: 1000,
        resolution: '640x480',
        fixedbitrate: true,
      });
      expect(link.expires).toBeInstanceOf(Date);
      expect((await fetchBytes(client.linkUrls(link)[0]!)).body.equals(video)).toBe(true);
    });

    it('getvideolinks lists renditions with their own links', async () => {
      const client = c();
      const { variants } = await client.getvideolinks({ path: '/clip.mp4' });
      expect(variants.length).toBeGreaterThan(0);
      const original = variants.find((v) => v.isoriginal)!;
      expect(original).toBeDefined();
      expect(original.expires).toBeInstanceOf(Date);
      expect(typeof original.duration).toBe('string');
      expect((await fetchBytes(client.linkUrls(original)[0]!)).body.equals(video)).toBe(true);
    });

    it('gethlslink links to an m3u8 playlist whose segment serves the video', async () => {
      const client = c();
      const link = await client.gethlslink({ fileid: ids.clip });
      const url = client.linkUrls(link)[0]!;
      const playlist = await fetchBytes(url);
      const text = playlist.body.toString('utf8');
      expect(text.startsWith('#EXTM3U')).toBe(true);
      const segment = text.split('\n').find((line) => line !== '' && !line.startsWith('#'))!;
      expect((await fetchBytes(new URL(segment, url).toString())).body.equals(video)).toBe(true);
    });

    it('refuse files that are not videos with 2044', async () => {
      const client = c();
      for (const call of [
        client.getvideolink({ fileid: ids.song }),
        client.getvideolinks({ fileid: ids.song }),
        client.gethlslink({ fileid: ids.notes }),
      ]) {
        expect(await apiError(call)).toMatchObject({ result: 2044, errorClass: 'state' });
      }
    });
  });

  describe('gettextfile', () => {
    it('returns the text as a byte stream', async () => {
      const answer = await c().gettextfile({ fileid: ids.notes });
      expect(answer.body).toBeInstanceOf(ReadableStream);
      expect(await new Response(answer.body).text()).toBe(utf8Text);
    });

    it('converts between encodings', async () => {
      const answer = await c().gettextfile({ path: '/latin.txt', fromencoding: 'iso-8859-1', toencoding: 'utf-8' });
      expect(await new Response(answer.body).text()).toBe('café crème\n');
    });

    it('fails with 2009 for a missing file and 1000 without login', async () => {
      expect(await apiError(c().gettextfile({ fileid: 99999999 }))).toMatchObject({ result: 2009, method: 'gettextfile' });
      expect(await apiError(c(null).gettextfile({ fileid: ids.notes }))).toMatchObject({ result: 1000 });
    });
  });
});
