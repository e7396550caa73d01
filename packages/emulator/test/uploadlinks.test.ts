import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, call, download, expectOk, parseReply, uniq, type Json } from './helpers.js';

// The methods as the SDK sees them, over both transports, are tested in
// packages/methods-uploadlinks; this file keeps the wire details and the page.

let emu: Emulator;
let bob: string;
beforeAll(async () => {
  emu = await startEmulator({ users: [{ email: 'bob@example.com', password: 'bob-secret' }] });
  bob = (await expectOk(call(emu, 'userinfo', { username: 'bob@example.com', password: 'bob-secret', getauth: 1 }))).auth as string;
});
afterAll(async () => {
  await emu.stop();
});

/** A fresh folder of the demo user and an upload link into it. */
async function linkInto(
  params: Record<string, string | number> = {},
): Promise<{ folderid: number; code: string; uploadlinkid: number; link: string }> {
  const { metadata } = await expectOk(as(emu, 'createfolder', { folderid: 0, name: uniq('drop') }));
  const made = await expectOk(as(emu, 'createuploadlink', { folderid: metadata.folderid, comment: 'Send me the photos', ...params }));
  return { folderid: metadata.folderid, ...(made as { code: string; uploadlinkid: number; link: string }) };
}

/** Anonymous multipart upload through a link code. */
async function toLink(code: string, files: Record<string, Buffer | string>, extra: Record<string, string> = {}): Promise<Json> {
  const fd = new FormData();
  fd.append('code', code);
  for (const [k, v] of Object.entries(extra)) fd.append(k, v);
  for (const [name, data] of Object.entries(files)) fd.append('file', new Blob([new Uint8Array(Buffer.from(data))]), name);
  const res = await fetch(`${emu.api}/uploadtolink`, { method: 'POST', body: fd });
  return parseReply(await res.text());
}

async function listing(folderid: number): Promise<Json[]> {
  return (await expectOk(as(emu, 'listfolder', { folderid }))).metadata.contents as Json[];
}

describe('upload links on the wire', () => {
  it('creates a link on the emulator’s own host; anyone reads its comment and uploads into the owner’s folder', async () => {
    const { folderid, code, link } = await linkInto();
    expect(link).toBe(`${emu.api}/puplink?code=${encodeURIComponent(code)}`);
    const shown = await expectOk(call(emu, 'showuploadlink', { code }));
    expect(shown.comment).toBe('Send me the photos');
    expect(shown.mail).toMatch(/@u\.pcloudkit\.test$/);
    const r = await toLink(code, { 'a.txt': 'first bytes', 'b.txt': 'second' }, { names: 'Carol', comment: 'here you go' });
    expect(r).toEqual({ result: 0 });
    const names = (await listing(folderid)).map((f) => f.name).sort();
    expect(names).toEqual(['a.txt', 'b.txt']);
    const a = (await listing(folderid)).find((f) => f.name === 'a.txt')!;
    expect((await download(emu, a.fileid)).toString()).toBe('first bytes');
    // a second upload of the same name never replaces the owner's file
    expect(await toLink(code, { 'a.txt': 'again' })).toEqual({ result: 0 });
    expect((await listing(folderid)).map((f) => f.name).sort()).toEqual(['a (2).txt', 'a.txt', 'b.txt']);
    expect(emu.core.store.uploadLinkFile(a.fileid)).toMatchObject({ uploader: 'Carol', comment: 'here you go' });
    const { uploadlinks } = await expectOk(as(emu, 'listuploadlinks'));
    const item = uploadlinks.find((l: Json) => l.code === code);
    expect(item).toMatchObject({ files: 3, space: 'first bytes'.length + 'second'.length + 'again'.length, comment: 'Send me the photos' });
    expect(item.metadata).toMatchObject({ folderid, isfolder: true });
    expect(item.link).toBe(link);
  });

  it('maxfiles and maxspace are enforced with 7008 and 7007; nothing of a refused file stays', async () => {
    const files = await linkInto({ maxfiles: 1 });
    expect(await toLink(files.code, { 'one.txt': '1' })).toEqual({ result: 0 });
    expect((await toLink(files.code, { 'two.txt': '2' })).result).toBe(7008);
    expect((await call(emu, 'showuploadlink', { code: files.code })).result).toBe(7008);
    expect((await listing(files.folderid)).map((f) => f.name)).toEqual(['one.txt']);

    const space = await linkInto({ maxspace: 10 });
    expect((await toLink(space.code, { 'big.bin': Buffer.alloc(11, 1) })).result).toBe(7007);
    expect(await listing(space.folderid)).toEqual([]);
    expect(await toLink(space.code, { 'ten.bin': Buffer.alloc(10, 1) })).toEqual({ result: 0 });
    expect((await toLink(space.code, { 'more.bin': 'x' })).result).toBe(7007);
  });

  it('expire, change and delete take effect at once', async () => {
    const past = await linkInto({ expire: '2001-01-01T00:00:00Z' });
    expect((await call(emu, 'showuploadlink', { code: past.code })).result).toBe(7004);
    expect((await toLink(past.code, { 'x.txt': 'x' })).result).toBe(7004);
    await expectOk(as(emu, 'changeuploadlink', { uploadlinkid: past.uploadlinkid, deleteexpire: 1 }));
    expect(await toLink(past.code, { 'x.txt': 'x' })).toEqual({ result: 0 });
    await expectOk(as(emu, 'changeuploadlink', { uploadlinkid: past.uploadlinkid, maxfiles: 1 }));
    expect((await toLink(past.code, { 'y.txt': 'y' })).result).toBe(7008);
    await expectOk(as(emu, 'changeuploadlink', { uploadlinkid: past.uploadlinkid, maxfiles: 0 }));
    expect(await toLink(past.code, { 'y.txt': 'y' })).toEqual({ result: 0 });
    await expectOk(as(emu, 'deleteuploadlink', { uploadlinkid: past.uploadlinkid }));
    expect((await call(emu, 'showuploadlink', { code: past.code })).result).toBe(7002);
    expect((await toLink(past.code, { 'z.txt': 'z' })).result).toBe(7002);
    expect((await as(emu, 'deleteuploadlink', { uploadlinkid: past.uploadlinkid })).result).toBe(2040);
    const { uploadlinks } = await expectOk(as(emu, 'listuploadlinks'));
    expect(uploadlinks.some((l: Json) => l.code === past.code)).toBe(false);
    // the files that came in stay with the owner
    expect((await listing(past.folderid)).map((f) => f.name).sort()).toEqual(['x.txt', 'y.txt']);
  });

  it('answers the documented request errors', async () => {
    expect((await as(emu, 'createuploadlink', { folderid: 0 })).result).toBe(1035);
    expect((await as(emu, 'createuploadlink', { comment: 'c' })).result).toBe(1002);
    expect((await as(emu, 'createuploadlink', { folderid: 987654, comment: 'c' })).result).toBe(2005);
    expect((await as(emu, 'createuploadlink', { folderid: 0, comment: 'c', expire: 'soon-ish' })).result).toBe(1013);
    expect((await call(emu, 'createuploadlink', { folderid: 0, comment: 'c' })).result).toBe(1000);
    expect((await as(emu, 'changeuploadlink', {})).result).toBe(1036);
    expect((await as(emu, 'deleteuploadlink', { uploadlinkid: 99999 })).result).toBe(2040);
    expect((await call(emu, 'showuploadlink', {})).result).toBe(1022);
    expect((await call(emu, 'showuploadlink', { code: 'no-such-code' })).result).toBe(7001);
    expect((await call(emu, 'uploadlinkprogress', { code: 'no-such-code', progresshash: 'h' })).result).toBe(1900);
  });

  it('another user neither sees nor changes the link, but may copy a file of their own into it', async () => {
    const { code, uploadlinkid, folderid } = await linkInto();
    expect((await call(emu, 'changeuploadlink', { auth: bob, uploadlinkid, maxfiles: 1 })).result).toBe(2040);
    expect((await call(emu, 'deleteuploadlink', { auth: bob, uploadlinkid })).result).toBe(2040);
    const theirs = await expectOk(call(emu, 'listuploadlinks', { auth: bob }));
    expect(theirs.uploadlinks).toEqual([]);
    const fd = new FormData();
    fd.append('file', new Blob([new Uint8Array(Buffer.from('bob’s report'))]), 'report.txt');
    const up = parseReply(await (await fetch(`${emu.api}/uploadfile?auth=${bob}&folderid=0`, { method: 'POST', body: fd })).text());
    const fileid = up.metadata[0].fileid as number;
    expect(await call(emu, 'copytolink', { auth: bob, code, fileid, toname: 'from-bob.txt' })).toEqual({ result: 0 });
    const copied = (await listing(folderid)).find((f) => f.name === 'from-bob.txt')!;
    expect((await download(emu, copied.fileid)).toString()).toBe('bob’s report');
    // the demo user cannot copy Bob's file by its id
    expect((await as(emu, 'copytolink', { code, fileid })).result).toBe(2009);
  });

  it('uploadlinkprogress follows an upload tagged with a progresshash', async () => {
    const { code } = await linkInto();
    const fd = new FormData();
    fd.append('code', code);
    fd.append('progresshash', 'wire-progress');
    fd.append('file', new Blob([new Uint8Array(300_000)]), 'zeros.bin');
    const res = await fetch(`${emu.api}/uploadtolink`, { method: 'POST', body: fd });
    expect(parseReply(await res.text())).toEqual({ result: 0 });
    const p = await expectOk(call(emu, 'uploadlinkprogress', { code, progresshash: 'wire-progress' }));
    expect(p).toMatchObject({ finished: true, filenumber: 1 });
    expect(p.uploaded).toBe(p.total);
    expect(p.total).toBeGreaterThan(300_000);
    expect(p.files).toBeUndefined();
    // the hash belongs to the link: another code does not find it
    expect((await call(emu, 'uploadlinkprogress', { code: 'other', progresshash: 'wire-progress' })).result).toBe(1900);
  });

  it('serves an upload page whose form posts to uploadtolink', async () => {
    const { code, link, folderid } = await linkInto();
    const res = await request(link);
    expect(res.statusCode).toBe(200);
    const html = await res.body.text();
    expect(html).toContain('Send me the photos');
    expect(html).toContain('action="/uploadtolink"');
    expect(html).toContain(`name="code" value="${code}"`);
    const gone = await request(`${emu.api}/puplink?code=nothing-here`);
    expect(gone.statusCode).toBe(404);
    await gone.body.dump();
    // the form as a browser without scripts sends it: the code first, then the file
    expect(await toLink(code, { 'page.txt': 'from the page' })).toEqual({ result: 0 });
    expect((await listing(folderid)).map((f) => f.name)).toEqual(['page.txt']);
  });

  it('links and their counters survive a restart of a data directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-uplinks-'));
    try {
      let e = await startEmulator({ dataDir: dir });
      const made = await expectOk(call(e, 'createuploadlink', { auth: e.auth, folderid: 0, comment: 'kept', maxfiles: 5 }));
      const fd = new FormData();
      fd.append('code', made.code);
      fd.append('file', new Blob([new Uint8Array(Buffer.from('kept bytes'))]), 'kept.txt');
      await fetch(`${e.api}/uploadtolink`, { method: 'POST', body: fd }).then((r) => r.text());
      await e.stop();
      e = await startEmulator({ dataDir: dir });
      const { uploadlinks } = await expectOk(call(e, 'listuploadlinks', { auth: e.auth }));
      expect(uploadlinks).toHaveLength(1);
      expect(uploadlinks[0]).toMatchObject({ code: made.code, files: 1, space: 10, maxfiles: 5, comment: 'kept' });
      expect(uploadlinks[0].link.startsWith(e.api)).toBe(true);
      await e.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
