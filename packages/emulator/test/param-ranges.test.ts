// Numbers outside what pCloud accepts are refused with the parameter's
// invalid-value code, like a value that is not a number at all; and a date
// that is stored out of range anyway never shows as NaN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { as, uniq, upload } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu.stop();
});

const DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;

describe('out-of-range numbers', () => {
  it('mtime and ctime beyond a date pCloud can show, or negative, are refused and nothing is stored', async () => {
    const folder = (await as(emu, 'createfolder', { folderid: 0, name: uniq('times') })).metadata.folderid as number;
    const notANumber = (await upload(emu, 'x.txt', 'x', { folderid: folder, mtime: 'abc' })).result;
    expect(notANumber).not.toBe(0);
    for (const mtime of ['99999999999999999999', '18446744073709551616', '253402300800', '-1']) {
      const r = await upload(emu, `m${mtime}.txt`, 'x', { folderid: folder, mtime });
      expect(r.result, mtime).toBe(notANumber);
    }
    const ctime = await upload(emu, 'c.txt', 'x', { folderid: folder, mtime: 1_600_000_000, ctime: '1e30' });
    expect(ctime.result).toBe(notANumber);
    const listed = await as(emu, 'listfolder', { folderid: folder });
    expect(listed.metadata.contents).toEqual([]);
    // the last second of year 9999 is the latest a date shows
    const last = await upload(emu, 'last.txt', 'x', { folderid: folder, mtime: 253402300799 });
    expect(last.result).toBe(0);
    expect(last.metadata[0].modified).toBe('Fri, 31 Dec 9999 23:59:59 +0000');
  });

  it('ids beyond 2^53 and 2^64, and negative ids, answer the id’s invalid code', async () => {
    const invalid = (await as(emu, 'listfolder', { folderid: 'abc' })).result;
    expect(invalid).not.toBe(0);
    for (const folderid of ['9007199254740993', '18446744073709551616', '99999999999999999999999', '-5']) {
      expect((await as(emu, 'listfolder', { folderid })).result, folderid).toBe(invalid);
    }
    const badFile = (await as(emu, 'stat', { fileid: 'abc' })).result;
    expect((await as(emu, 'stat', { fileid: '18446744073709551617' })).result).toBe(badFile);
    expect((await as(emu, 'stat', { fileid: -1 })).result).toBe(badFile);
  });

  it('datetime parameters past year 9999 are not understood (1013)', async () => {
    expect((await as(emu, 'diff', { after: '999999999999' })).result).toBe(1013);
    expect((await as(emu, 'diff', { after: '2020-01-01' })).result).toBe(0);
  });

  it('a date stored out of range anyway (an old data directory) shows as a date, never NaN', async () => {
    const name = uniq('bad-dates');
    const r = await as(emu, 'createfolder', { folderid: 0, name });
    const rec = emu.core.store.folders.get(r.metadata.folderid)!;
    for (const bad of [1e20, Number.NaN, -1e15, Number.POSITIVE_INFINITY]) {
      (rec as { modified: number }).modified = bad;
      const listed = await as(emu, 'listfolder', { folderid: 0 });
      expect(listed.result).toBe(0);
      const entry = listed.metadata.contents.find((x: { name: string }) => x.name === name);
      expect(entry.modified, String(bad)).toMatch(DATE);
      expect(JSON.stringify(listed)).not.toContain('NaN');
    }
  });
});
