import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWav, startEmulator, type Emulator } from '../src/index.js';
import { as, upload, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

const url = (link: any) => `http://${link.hosts[0]}${link.path}`;

interface Frame {
  offset: number;
  version: 'MPEG-1' | 'MPEG-2' | 'MPEG-2.5';
  layer: number;
  kbps: number;
  sampleRate: number;
  channels: number;
  length: number;
  samples: number;
}

// ISO 11172-3 / 13818-3 tables, Layer III only (what pCloud's MP3 is)
const L3_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const L3_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Walks the buffer as back-to-back Layer III frames; throws on anything else. */
function frames(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  let off = 0;
  while (off < buf.length) {
    expect(off + 4).toBeLessThanOrEqual(buf.length);
    const h = buf.readUInt32BE(off);
    expect(h >>> 21, `sync word at ${off}`).toBe(0x7ff);
    const v = (h >>> 19) & 3;
    expect(v).not.toBe(1);
    const layer = 4 - ((h >>> 17) & 3);
    expect(layer).toBe(3);
    const kbps = (v === 3 ? L3_V1 : L3_V2)[(h >>> 12) & 15]!;
    const sampleRate = RATES[v]![(h >>> 10) & 3]!;
    const padding = (h >>> 9) & 1;
    const channels = ((h >>> 6) & 3) === 3 ? 1 : 2;
    const length = Math.floor(((v === 3 ? 144 : 72) * kbps * 1000) / sampleRate) + padding;
    out.push({
      offset: off,
      version: v === 3 ? 'MPEG-1' : v === 2 ? 'MPEG-2' : 'MPEG-2.5',
      layer,
      kbps,
      sampleRate,
      channels,
      length,
      samples: v === 3 ? 1152 : 576,
    });
    off += length;
  }
  expect(off).toBe(buf.length);
  return out;
}

const seconds = (fs: Frame[]) => fs.reduce((t, f) => t + f.samples / f.sampleRate, 0);

async function fetchAudio(link: any, query = '', headers: Record<string, string> = {}) {
  const res = await request(`${url(link)}${query}`, { headers });
  const body = Buffer.from(await res.body.arrayBuffer());
  return { status: res.statusCode, headers: res.headers, body };
}

/** A stereo 16-bit WAV at `rate`, `secs` long (left and right carry different tones). */
function stereoWav(rate: number, secs: number): Buffer {
  const n = Math.round(rate * secs);
  const buf = Buffer.alloc(44 + n * 4);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + n * 4, 4);
  buf.write('WAVEfmt ', 8, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 4, 28);
  buf.writeUInt16LE(4, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(n * 4, 40);
  for (let i = 0; i < n; i++) {
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 10000), 44 + i * 4);
    buf.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 660 * i) / rate) * 10000), 46 + i * 4);
  }
  return buf;
}

describe('getaudiolink transcodes WAV to MP3 at abitrate', () => {
  it('the seed tone (8 kHz mono WAV): audio/mpeg at the default 192 kbit/s, about 2 s', async () => {
    const link = await as(emu, 'getaudiolink', { path: '/Music/tone.wav' });
    expect(link.result).toBe(0);
    const r = await fetchAudio(link);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('audio/mpeg');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    const fs = frames(r.body);
    expect(new Set(fs.map((f) => f.kbps))).toEqual(new Set([192]));
    expect(fs[0]!.channels).toBe(1);
    expect(Math.abs(seconds(fs) - 2)).toBeLessThan(0.1);
  });

  for (const kbps of [16, 64, 128, 320]) {
    it(`abitrate=${kbps}: every frame header says ${kbps} kbit/s`, async () => {
      const link = await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: kbps });
      const r = await fetchAudio(link);
      const fs = frames(r.body);
      expect(fs.length).toBeGreaterThan(10);
      for (const f of fs) expect(f.kbps).toBe(kbps);
      expect(Math.abs(seconds(fs) - 2)).toBeLessThan(0.1);
      // constant bitrate: the length follows from bitrate and duration
      expect(Math.abs(r.body.length - (kbps * 1000 * seconds(fs)) / 8)).toBeLessThan(fs[0]!.length * 2);
    });
  }

  it('stereo 44.1 kHz WAV stays stereo MPEG-1', async () => {
    const up = await upload(emu, `${uniq('stereo')}.wav`, stereoWav(44100, 1.5));
    const link = await as(emu, 'getaudiolink', { fileid: up.fileids[0], abitrate: 256 });
    const fs = frames((await fetchAudio(link)).body);
    expect(fs[0]).toMatchObject({ version: 'MPEG-1', sampleRate: 44100, channels: 2, kbps: 256 });
    expect(Math.abs(seconds(fs) - 1.5)).toBeLessThan(0.1);
  });

  it('start cuts the stream at a frame boundary', async () => {
    const link = await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: 128 });
    const full = (await fetchAudio(link)).body;
    const cut = await fetchAudio(link, '?start=1');
    expect(cut.headers['content-type']).toBe('audio/mpeg');
    expect(Number(cut.headers['content-length'])).toBe(cut.body.length);
    const fs = frames(cut.body);
    expect(Math.abs(seconds(fs) - (seconds(frames(full)) - 1))).toBeLessThan(0.03);
    // the cut is a tail of the full stream, starting on one of its frames
    const starts = frames(full).map((f) => f.offset);
    expect(starts).toContain(full.length - cut.body.length);
    expect(full.subarray(full.length - cut.body.length).equals(cut.body)).toBe(true);
    // past the end: nothing left
    const past = await fetchAudio(link, '?start=60');
    expect(past.body.length).toBe(0);
  });

  it('Range and HEAD work on the transcoded bytes', async () => {
    const link = await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: 96 });
    const full = (await fetchAudio(link)).body;
    const part = await fetchAudio(link, '', { range: 'bytes=100-199' });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${full.length}`);
    expect(part.body.equals(full.subarray(100, 200))).toBe(true);
    const head = await request(url(link), { method: 'HEAD' });
    expect(head.headers['content-type']).toBe('audio/mpeg');
    expect(Number(head.headers['content-length'])).toBe(full.length);
    await head.body.dump();
  });

  it('forcedownload and contenttype still decide the type', async () => {
    const forced = await fetchAudio(await as(emu, 'getaudiolink', { path: '/Music/tone.wav', forcedownload: 1 }));
    expect(forced.headers['content-type']).toBe('application/octet-stream');
    expect(frames(forced.body).length).toBeGreaterThan(0);
    const typed = await fetchAudio(await as(emu, 'getaudiolink', { path: '/Music/tone.wav', contenttype: 'audio/x-test' }));
    expect(typed.headers['content-type']).toBe('audio/x-test');
  });
});

describe('getaudiolink on other inputs', () => {
  it('MP3 is served as stored; start cuts at the frame boundary nearest to it', async () => {
    // an MP3 made by the emulator itself: 2 s at 64 kbit/s, mono 48 kHz frames of 24 ms
    const mp3 = (await fetchAudio(await as(emu, 'getaudiolink', { path: '/Music/tone.wav', abitrate: 64 }))).body;
    const up = await upload(emu, `${uniq('song')}.mp3`, mp3);
    const link = await as(emu, 'getaudiolink', { fileid: up.fileids[0], abitrate: 320 });
    const r = await fetchAudio(link);
    expect(r.headers['content-type']).toBe('audio/mpeg');
    expect(r.body.equals(mp3)).toBe(true);
    const fs = frames(mp3);
    const cut = await fetchAudio(link, '?start=0.5');
    const at = mp3.length - cut.body.length;
    const index = fs.findIndex((f) => f.offset === at);
    expect(index).toBeGreaterThan(0);
    const startTime = fs.slice(0, index).reduce((t, f) => t + f.samples / f.sampleRate, 0);
    expect(Math.abs(startTime - 0.5)).toBeLessThanOrEqual(fs[0]!.samples / fs[0]!.sampleRate / 2);
  });

  it('formats the emulator cannot decode are served as stored', async () => {
    const flac = Buffer.concat([Buffer.from('fLaC'), Buffer.alloc(60, 1)]);
    const up = await upload(emu, `${uniq('track')}.flac`, flac);
    const link = await as(emu, 'getaudiolink', { fileid: up.fileids[0] });
    const r = await fetchAudio(link);
    expect(r.body.equals(flac)).toBe(true);
    expect(r.headers['content-type']).not.toBe('audio/mpeg');
  });

  it('a 16 kHz WAV upload at 32 kbit/s', async () => {
    const up = await upload(emu, `${uniq('voice')}.wav`, makeWav({ seconds: 1, sampleRate: 16000, hz: 300 }));
    const fs = frames((await fetchAudio(await as(emu, 'getaudiolink', { fileid: up.fileids[0], abitrate: 32 }))).body);
    for (const f of fs) expect(f.kbps).toBe(32);
    expect(Math.abs(seconds(fs) - 1)).toBeLessThan(0.1);
  });
});
