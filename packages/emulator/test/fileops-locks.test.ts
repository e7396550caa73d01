import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { binarySession, httpSession, type Session } from './fileops-sessions.js';
import { as } from './helpers.js';

const O_CREAT = 0x0040;

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu?.stop();
});

let seq = 0;
/** A new file, opened once on each session: [fd on a, fd on b, fileid]. */
async function shared(a: Session, b: Session): Promise<{ fa: number; fb: number; fileid: number }> {
  const path = `/locks-${++seq}.bin`;
  const oa = await a.call('file_open', { flags: O_CREAT, path });
  expect(oa.body.result).toBe(0);
  const ob = await b.call('file_open', { flags: 0, fileid: oa.body.fileid });
  expect(ob.body.result).toBe(0);
  return { fa: oa.body.fd, fb: ob.body.fd, fileid: oa.body.fileid };
}

/** Whether a promise is still pending after a short while. */
async function pending(p: Promise<unknown>, ms = 150): Promise<boolean> {
  return Promise.race([p.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), ms))]);
}

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('condition not met in time');
};

describe('file_lock across two connections (binary and HTTP keep-alive)', () => {
  it('exclusive blocks shared; noblock and get answer locked: false; a blocked request gets it once released', async () => {
    const a = await binarySession(emu);
    const b = httpSession(emu);
    const { fa, fb } = await shared(a, b);
    expect((await a.call('file_lock', { fd: fa, type: 2 })).body).toMatchObject({ result: 0, locked: true });
    expect((await b.call('file_lock', { fd: fb, type: 1, noblock: 1 })).body).toMatchObject({ result: 0, locked: false });
    expect((await b.call('file_lock', { fd: fb, type: 1, get: 1 })).body).toMatchObject({ result: 0, locked: false });
    const waiting = b.call('file_lock', { fd: fb, type: 1 });
    expect(await pending(waiting)).toBe(true);
    expect((await a.call('file_lock', { fd: fa, type: 0 })).body).toMatchObject({ result: 0, locked: true });
    expect((await waiting).body).toMatchObject({ result: 0, locked: true });
    // now b holds a shared lock: a may share, not take it exclusively
    expect((await a.call('file_lock', { fd: fa, type: 1, noblock: 1 })).body.locked).toBe(true);
    expect((await a.call('file_lock', { fd: fa, type: 2, noblock: 1 })).body.locked).toBe(false);
    expect((await b.call('file_lock', { fd: fb, type: 0 })).body.locked).toBe(true);
    // upgrade: a's shared lock becomes exclusive once nobody else shares
    expect((await a.call('file_lock', { fd: fa, type: 2, noblock: 1 })).body.locked).toBe(true);
    expect((await b.call('file_lock', { fd: fb, type: 1, get: 1 })).body.locked).toBe(false);
    await a.close();
    await b.close();
  });

  it('locks byte ranges independently, with whence and length 0 meaning to the end', async () => {
    const a = await binarySession(emu);
    const b = await binarySession(emu);
    const { fa, fb } = await shared(a, b);
    expect((await a.call('file_lock', { fd: fa, type: 2, offset: 0, length: 10 })).body.locked).toBe(true);
    expect((await b.call('file_lock', { fd: fb, type: 2, offset: 10, length: 10, noblock: 1 })).body.locked).toBe(true);
    expect((await b.call('file_lock', { fd: fb, type: 2, offset: 5, length: 10, noblock: 1 })).body.locked).toBe(false);
    // b holds [10, 20): a tail lock from 100 is free, from 15 is not
    expect((await a.call('file_lock', { fd: fa, type: 2, offset: 100, get: 1 })).body.locked).toBe(true);
    expect((await a.call('file_lock', { fd: fa, type: 2, offset: 15, get: 1 })).body.locked).toBe(false);
    // whence 1: relative to the descriptor's offset
    await a.call('file_seek', { fd: fa, offset: 12 });
    expect((await a.call('file_lock', { fd: fa, type: 1, offset: '-12', whence: 1, length: 5, noblock: 1 })).body.locked).toBe(true);
    // releasing the middle of a range keeps both ends
    await a.call('file_lock', { fd: fa, type: 2, offset: 30, length: 30 });
    await a.call('file_lock', { fd: fa, type: 0, offset: 40, length: 10 });
    expect((await b.call('file_lock', { fd: fb, type: 1, offset: 40, length: 10, get: 1 })).body.locked).toBe(true);
    expect((await b.call('file_lock', { fd: fb, type: 1, offset: 35, length: 10, get: 1 })).body.locked).toBe(false);
    expect((await b.call('file_lock', { fd: fb, type: 1, offset: 55, length: 10, get: 1 })).body.locked).toBe(false);
    await a.close();
    await b.close();
  });

  it('file_close and a dropped connection release the locks', async () => {
    const a = await binarySession(emu);
    const b = httpSession(emu);
    const { fa, fb, fileid } = await shared(a, b);
    await a.call('file_lock', { fd: fa, type: 2 });
    await a.call('file_close', { fd: fa });
    expect((await b.call('file_lock', { fd: fb, type: 2, noblock: 1 })).body.locked).toBe(true);
    await b.call('file_lock', { fd: fb, type: 0 });

    const a2 = await binarySession(emu);
    const fd2 = (await a2.call('file_open', { flags: 0, fileid })).body.fd as number;
    await a2.call('file_lock', { fd: fd2, type: 2 });
    const waiting = b.call('file_lock', { fd: fb, type: 2 });
    expect(await pending(waiting)).toBe(true);
    await a2.destroy();
    expect((await waiting).body).toMatchObject({ result: 0, locked: true });
    await b.close();
  });
});

describe('descriptors and connections', () => {
  it('a dropped connection closes its descriptors: what they wrote becomes the file version', async () => {
    const a = await binarySession(emu);
    const opened = await a.call('file_open', { flags: O_CREAT, path: `/dropped-${++seq}.txt` });
    const fileid = opened.body.fileid as number;
    await a.call('file_write', { fd: opened.body.fd }, Buffer.from('kept after the drop'));
    // another connection sees the acknowledged bytes at once, before the drop is noticed
    const b = httpSession(emu);
    const fb = (await b.call('file_open', { flags: 0, fileid })).body.fd as number;
    expect((await b.call('file_size', { fd: fb })).body.size).toBe(19);
    await b.call('file_close', { fd: fb });
    expect((await as(emu, 'stat', { fileid })).metadata.size).toBe(0);
    await a.destroy();
    await until(async () => (await as(emu, 'stat', { fileid })).metadata.size === 19);
    await b.close();
  });

  it('diff reports the file created at open and modified at close, and each close that changed it adds a revision', async () => {
    const start = (await as(emu, 'diff', { last: 0 })).diffid as number;
    const s = httpSession(emu);
    const o = await s.call('file_open', { flags: O_CREAT, path: `/diffed-${++seq}.txt` });
    const fileid = o.body.fileid as number;
    await s.call('file_write', { fd: o.body.fd }, Buffer.from('one'));
    await s.call('file_close', { fd: o.body.fd });
    const again = (await s.call('file_open', { flags: 0, fileid })).body.fd as number;
    await s.call('file_write', { fd: again }, Buffer.from('two'));
    await s.call('file_close', { fd: again });
    // reading only: no revision, no event
    const reader = (await s.call('file_open', { flags: 0, fileid })).body.fd as number;
    await s.call('file_pread', { fd: reader, offset: 0, count: 3 });
    await s.call('file_close', { fd: reader });
    await s.close();
    const events = ((await as(emu, 'diff', { diffid: start })).entries as { event: string; metadata?: { fileid?: number } }[])
      .filter((e) => e.metadata?.fileid === fileid)
      .map((e) => e.event);
    expect(events).toEqual(['createfile', 'modifyfile', 'modifyfile']);
    const revs = (await as(emu, 'listrevisions', { fileid })).revisions as { size: number }[];
    expect(revs.map((r) => r.size)).toEqual([3, 0]);
  });

  it('a file deleted while open answers 5004 to reads and 5003 to writes, and closing does not bring it back', async () => {
    const s = await binarySession(emu);
    const path = `/deleted-${++seq}.txt`;
    const o = await s.call('file_open', { flags: O_CREAT, path });
    expect((await as(emu, 'deletefile', { fileid: o.body.fileid })).result).toBe(0);
    expect((await s.call('file_pread', { fd: o.body.fd, offset: 0, count: 10 })).body.result).toBe(5004);
    expect((await s.call('file_write', { fd: o.body.fd }, Buffer.from('late'))).body.result).toBe(5003);
    expect((await s.call('file_close', { fd: o.body.fd })).body.result).toBe(0);
    expect((await as(emu, 'stat', { path })).result).toBe(2009);
    await s.close();
  });

  it('each keep-alive HTTP connection has its own descriptor table', async () => {
    const a = httpSession(emu);
    const b = httpSession(emu);
    const oa = await a.call('file_open', { flags: O_CREAT, path: `/tables-${++seq}.txt` });
    expect(oa.body.fd).toBe(1);
    expect((await b.call('file_size', { fd: 1 })).body.result).toBe(1007);
    const ob = await b.call('file_open', { flags: 0, fileid: oa.body.fileid });
    expect(ob.body.fd).toBe(1);
    expect((await a.call('file_open', { flags: 0, fileid: oa.body.fileid })).body.fd).toBe(2);
    await a.close();
    // a new connection starts again at 1
    const c = httpSession(emu);
    expect((await c.call('file_open', { flags: 0, fileid: oa.body.fileid })).body.fd).toBe(1);
    await b.close();
    await c.close();
  });
});
