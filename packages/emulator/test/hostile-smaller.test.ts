// The smaller findings of the attack on the emulator: invalid ranges, links
// to deleted files, the login failure limit, server-side fetches of private
// addresses, and names in NFC and NFD.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { as, call, uniq, upload } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false, loginFailureLimit: 3 });
});
afterAll(async () => {
  await emu.stop();
});

async function linkOf(fileid: number): Promise<string> {
  const l = await as(emu, 'getfilelink', { fileid });
  expect(l.result).toBe(0);
  return `http://${l.hosts[0]}${l.path}`;
}

describe('Range headers', () => {
  it('an invalid range (last byte before the first) is ignored: 200 with the whole file (RFC 9110 14.1.1, 14.2)', async () => {
    const up = await upload(emu, `${uniq('r')}.txt`, '0123456789');
    const url = await linkOf(up.fileids[0]);
    const invalid = await fetch(url, { headers: { Range: 'bytes=5-2' } });
    expect(invalid.status).toBe(200);
    expect(await invalid.text()).toBe('0123456789');
    // a satisfiable range still gets 206, one past the end still 416
    const part = await fetch(url, { headers: { Range: 'bytes=2-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('234');
    const past = await fetch(url, { headers: { Range: 'bytes=10-12' } });
    expect(past.status).toBe(416);
    await past.arrayBuffer();
  });
});

describe('content links of deleted files', () => {
  it('stop serving at once after deletefile, deletefolderrecursive and a move to the trash', async () => {
    const a = await upload(emu, `${uniq('a')}.txt`, 'aaa');
    const folder = (await as(emu, 'createfolder', { folderid: 0, name: uniq('dir') })).metadata.folderid;
    const b = await upload(emu, 'b.txt', 'bbb', { folderid: folder });
    const c = await upload(emu, `${uniq('c')}.txt`, 'ccc');
    const urls = [await linkOf(a.fileids[0]), await linkOf(b.fileids[0]), await linkOf(c.fileids[0])];
    for (const u of urls) expect((await fetch(u)).status).toBe(200);
    expect((await as(emu, 'deletefile', { fileid: a.fileids[0] })).result).toBe(0);
    expect((await as(emu, 'deletefolderrecursive', { folderid: folder })).result).toBe(0);
    expect((await as(emu, 'deletefile', { fileid: c.fileids[0] })).result).toBe(0);
    for (const u of urls) {
      const res = await fetch(u);
      expect(res.status, u).toBe(404);
      await res.arrayBuffer();
    }
    // a file restored from the trash gets new links
    expect((await as(emu, 'trash_restore', { fileid: c.fileids[0] })).result).toBe(0);
    expect(await (await fetch(await linkOf(c.fileids[0]))).text()).toBe('ccc');
  });
});

describe('login failure limit', () => {
  it('counts per account and address: other accounts from the same address and the account elsewhere still log in', async () => {
    const alice = { username: 'alice@limit.test', password: 'Alice-pass-1' };
    const bob = { username: 'bob@limit.test', password: 'Bob-pass-1' };
    await emu.createUser(alice);
    await emu.createUser(bob);
    for (let i = 0; i < 3; i++) expect((await call(emu, 'userinfo', { ...alice, password: 'wrong' })).result).toBe(2000);
    // alice from this address: blocked, even with the right password (it would tell a guesser which guess was right)
    expect((await call(emu, 'userinfo', alice)).result).toBe(4000);
    // bob from the same address is not
    expect((await call(emu, 'userinfo', bob)).result).toBe(0);
    // alice from another address is not
    const elsewhere = emu.newConnection({ remoteAddress: '10.9.8.7' });
    const r = await emu.dispatch(elsewhere, { method: 'userinfo', params: alice });
    expect(r.body.result).toBe(0);
  });
});

describe('downloadfile and private addresses', () => {
  let origin: Server;
  let url = '';
  const hostsSeen: string[] = [];
  beforeAll(async () => {
    origin = createServer((req, res) => {
      hostsSeen.push(String(req.headers.host));
      res.end('secret of the host');
    });
    await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/secret.txt`;
  });
  afterAll(() => new Promise<void>((r) => origin.close(() => r())));

  it('are refused (2003) by default: loopback, private, link-local, mapped and localhost', async () => {
    const port = new URL(url).port;
    for (const host of [
      '127.0.0.1',
      'localhost',
      '[::1]',
      '10.1.2.3',
      '192.168.1.1',
      '172.16.0.9',
      '169.254.169.254',
      '[::ffff:127.0.0.1]',
      '[fe80::1]',
    ]) {
      const r = await as(emu, 'downloadfile', { url: `http://${host}:${port}/secret.txt`, folderid: 0 });
      expect(r.result, host).toBe(2003);
    }
    expect((await as(emu, 'stat', { path: '/secret.txt' })).result).toBe(2009);
  });

  it('are fetched with allowPrivateDownloads', async () => {
    const open = await startEmulator({ seed: false, binary: false, allowPrivateDownloads: true });
    try {
      const r = await as(open, 'downloadfile', { url, folderid: 0 });
      expect(r.result).toBe(0);
      expect(r.metadata[0]).toMatchObject({ name: 'secret.txt', size: 18 });
    } finally {
      await open.stop();
    }
  });

  it('resolve a host name once, refuse it unless every address is private, and connect to the address checked', async () => {
    const port = new URL(url).port;
    const asked: string[] = [];
    // a name that answers 127.0.0.1 the first time and a public address afterwards (DNS rebinding)
    const names: Record<string, string[][]> = {
      'origin.internal': [['127.0.0.1']],
      'rebind.internal': [['127.0.0.1'], ['203.0.113.7']],
      'mixed.internal': [['127.0.0.1', '93.184.215.14']],
      'public.internal': [['203.0.113.7']],
      'mapped.internal': [['::ffff:8.8.8.8']],
      'mappedhex.internal': [['::ffff:808:808']],
    };
    const open = await startEmulator({
      seed: false,
      binary: false,
      allowPrivateDownloads: true,
      resolveHost: async (hostname) => {
        asked.push(hostname);
        const answers = names[hostname];
        if (!answers) throw Object.assign(new Error(`no such name ${hostname}`), { code: 'ENOTFOUND' });
        const seen = asked.filter((h) => h === hostname).length;
        const list = answers[Math.min(seen, answers.length) - 1]!;
        return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      },
    });
    try {
      const get = (host: string, target: string) =>
        as(open, 'downloadfile', { url: `http://${host}:${port}/secret.txt`, folderid: 0, target });
      hostsSeen.length = 0;
      const first = await get('origin.internal', 'by-name.txt');
      expect(first.result).toBe(0);
      expect(first.metadata[0]).toMatchObject({ name: 'by-name.txt', size: 18 });
      // the request still names the host it was given
      expect(hostsSeen).toEqual([`origin.internal:${port}`]);
      // checked once, fetched from the checked address: the later public answer is never used
      const rebound = await get('rebind.internal', 'rebound.txt');
      expect(rebound.result).toBe(0);
      expect(asked.filter((h) => h === 'rebind.internal')).toEqual(['rebind.internal']);
      for (const host of [
        'mixed.internal',
        'public.internal',
        'mapped.internal',
        'mappedhex.internal',
        'nowhere.internal',
        '[::ffff:808:808]',
        '8.8.8.8',
      ])
        expect((await get(host, 'refused.txt')).result, host).toBe(2003);
      expect((await as(open, 'stat', { path: '/refused.txt' })).result).toBe(2009);
    } finally {
      await open.stop();
    }
  });

  it('are not resolved at all without allowPrivateDownloads', async () => {
    const asked: string[] = [];
    const closed = await startEmulator({
      seed: false,
      binary: false,
      resolveHost: async (hostname) => {
        asked.push(hostname);
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    try {
      expect((await as(closed, 'downloadfile', { url: 'http://origin.internal/x.txt', folderid: 0 })).result).toBe(2003);
      expect(asked).toEqual([]);
    } finally {
      await closed.stop();
    }
  });
});

describe('names in NFC and NFD', () => {
  it('are different names, kept byte for byte as sent (what pCloud does; see README)', async () => {
    const folder = (await as(emu, 'createfolder', { folderid: 0, name: uniq('nf') })).metadata.folderid;
    const nfc = 'Übung.txt'.normalize('NFC');
    const nfd = 'Übung.txt'.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect((await upload(emu, nfc, 'composed', { folderid: folder })).result).toBe(0);
    expect((await upload(emu, nfd, 'decomposed', { folderid: folder })).result).toBe(0);
    const names = (await as(emu, 'listfolder', { folderid: folder })).metadata.contents.map((x: { name: string }) => x.name);
    expect(names.sort()).toEqual([nfc, nfd].sort());
    const one = await as(emu, 'stat', { path: `/${(await as(emu, 'listfolder', { folderid: folder })).metadata.name}/${nfd}` });
    expect(one.metadata.name).toBe(nfd);
  });
});
