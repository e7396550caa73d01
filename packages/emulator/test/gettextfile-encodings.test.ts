import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, upload, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu.stop();
});

/** Uploads `bytes` as a .txt file and fetches it back through gettextfile with `params`. */
async function roundTrip(bytes: Buffer, params: Record<string, string> = {}) {
  const up = await upload(emu, `${uniq('text')}.txt`, bytes);
  const qs = new URLSearchParams({ auth: emu.auth, fileid: String(up.fileids[0]), ...params });
  const res = await request(`${emu.api}/gettextfile?${qs}`);
  const body = Buffer.from(await res.body.arrayBuffer());
  return { type: String(res.headers['content-type']), xerror: res.headers['x-error'], body };
}

describe('gettextfile: fromencoding is guessed when absent', () => {
  it('Latin-1 bytes come back as UTF-8', async () => {
    const r = await roundTrip(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xe0, 0x20, 0xfc])); // "café à ü" in Latin-1
    expect(r.body.toString('utf8')).toBe('café à ü');
    expect(r.type).toBe('text/plain; charset=utf-8');
  });

  it('the single-byte fallback is windows-1252 (0x80 is the euro sign)', async () => {
    const r = await roundTrip(Buffer.from([0x80, 0x31, 0x30]));
    expect(r.body.toString('utf8')).toBe('€10');
  });

  it('valid UTF-8 is served as stored, with or without a byte order mark', async () => {
    const plain = Buffer.from('naïve – ünïcödé ✓', 'utf8');
    const p = await roundTrip(plain);
    expect(p.body.equals(plain)).toBe(true);
    expect(p.type).toBe('text/plain');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
    expect((await roundTrip(bom)).body.equals(bom)).toBe(true);
  });

  it('UTF-16 is recognised by its byte order mark, either byte order', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße', 'utf16le')]);
    expect((await roundTrip(le)).body.toString('utf8')).toBe('Grüße');
    const be = Buffer.from(Buffer.concat([Buffer.from('Grüße', 'utf16le')])).swap16();
    const beBom = Buffer.concat([Buffer.from([0xfe, 0xff]), be]);
    expect((await roundTrip(beBom)).body.toString('utf8')).toBe('Grüße');
  });

  it('a given fromencoding wins over the guess', async () => {
    // these bytes are valid UTF-8 ("Ã©"), but the caller says they are windows-1251
    const r = await roundTrip(Buffer.from([0xc3, 0xa9]), { fromencoding: 'windows-1251' });
    expect(r.body.toString('utf8')).toBe('Г©');
  });
});

describe('gettextfile: target encodings beyond the Unicode ones', () => {
  it('toencoding converts to legacy code pages', async () => {
    const koi = await roundTrip(Buffer.from('Жж', 'utf8'), { toencoding: 'koi8-r' });
    expect([...koi.body]).toEqual([0xf6, 0xd6]);
    expect(koi.type).toBe('text/plain; charset=koi8-r');
    const sjis = await roundTrip(Buffer.from('あ', 'utf8'), { toencoding: 'Shift_JIS' });
    expect([...sjis.body]).toEqual([0x82, 0xa0]);
    const w1252 = await roundTrip(Buffer.from('€', 'utf8'), { toencoding: 'windows-1252' });
    expect([...w1252.body]).toEqual([0x80]);
    const u16 = await roundTrip(Buffer.from('é', 'utf8'), { toencoding: 'utf-16le' });
    expect([...u16.body]).toEqual([0xe9, 0x00]);
  });

  it('fromencoding and toencoding together', async () => {
    const r = await roundTrip(Buffer.from([0xf6, 0xd6]), { fromencoding: 'KOI8-R', toencoding: 'windows-1251' });
    expect([...r.body]).toEqual([0xc6, 0xe6]);
  });

  it('unknown encodings answer 1005 with X-Error', async () => {
    const file = await upload(emu, `${uniq('text')}.txt`, 'abc');
    for (const params of [{ fromencoding: 'no-such-charset' }, { toencoding: 'klingon-8' }] as Record<string, string>[]) {
      const r = await as(emu, 'gettextfile', { fileid: file.fileids[0], ...params });
      expect(r.result).toBe(1005);
    }
  });
});
