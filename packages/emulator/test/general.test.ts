import { createHash } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methods as catalogue } from '@pcloudkit/catalog';
import { METHOD_GROUPS, passwordDigest, startEmulator, type Emulator } from '../src/index.js';
import { as, call, parseReply, upload, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator();
});
afterAll(async () => {
  await emu.stop();
});

describe('authentication', () => {
  it('logs in with username + password and hands out a token with getauth', async () => {
    const r = await call(emu, 'userinfo', { username: emu.username, password: emu.password, getauth: 1 });
    expect(r.result).toBe(0);
    expect(r.email).toBe(emu.username);
    expect(typeof r.auth).toBe('string');
    const again = await call(emu, 'userinfo', { auth: r.auth });
    expect(again.userid).toBe(r.userid);
  });

  it('accepts passwordmd5', async () => {
    const md5 = createHash('md5').update(emu.password).digest('hex');
    expect((await call(emu, 'userinfo', { username: emu.username, passwordmd5: md5 })).result).toBe(0);
    expect((await call(emu, 'userinfo', { username: emu.username, passwordmd5: 'deadbeef' })).result).toBe(2000);
  });

  it('digest login works once per digest', async () => {
    const d = await call(emu, 'getdigest');
    expect(d.result).toBe(0);
    expect(d.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(d.expires).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    const userHash = createHash('sha1').update(emu.username.toLowerCase()).digest('hex');
    const pd = createHash('sha1')
      .update(emu.password + userHash + d.digest)
      .digest('hex');
    expect(pd).toBe(passwordDigest(emu.password, emu.username, d.digest));
    const ok = await call(emu, 'userinfo', { username: emu.username, digest: d.digest, passworddigest: pd });
    expect(ok.result).toBe(0);
    const reused = await call(emu, 'userinfo', { username: emu.username, digest: d.digest, passworddigest: pd });
    expect(reused.result).toBe(2000);
  });

  it('digests expire after digestTtlMs', async () => {
    const short = await startEmulator({ digestTtlMs: 50, seed: false });
    try {
      const d = await call(short, 'getdigest');
      await new Promise((r) => setTimeout(r, 120));
      const pd = passwordDigest(short.password, short.username, d.digest);
      expect((await call(short, 'userinfo', { username: short.username, digest: d.digest, passworddigest: pd })).result).toBe(2000);
    } finally {
      await short.stop();
    }
  });

  it('answers 1000 without credentials and 2000 with wrong ones, with X-Error', async () => {
    const r = await call(emu, 'userinfo');
    expect(r).toEqual({ result: 1000, error: 'Log in required.' });
    expect(r._xerror).toBe('1000');
    const w = await call(emu, 'userinfo', { username: emu.username, password: 'nope' });
    expect(w).toEqual({ result: 2000, error: 'Log in failed.' });
    expect((await call(emu, 'userinfo', { auth: 'not-a-token' })).result).toBe(2000);
  });

  it('accepts OAuth access tokens as parameter and as Bearer header', async () => {
    expect((await call(emu, 'userinfo', { access_token: emu.access_token })).email).toBe(emu.username);
    const viaHeader = await call(emu, 'userinfo', {}, { headers: { authorization: `Bearer ${emu.access_token}` } });
    expect(viaHeader.email).toBe(emu.username);
  });

  it('accepts the auth cookie, which beats the query parameter', async () => {
    const r = await call(emu, 'userinfo', { auth: 'bogus' }, { headers: { cookie: `auth=${emu.auth}` } });
    expect(r.result).toBe(0);
  });

  it('gives 4000 after too many failed logins from one address', async () => {
    const limited = await startEmulator({ seed: false, loginFailureLimit: 3 });
    try {
      for (let i = 0; i < 3; i++)
        expect((await call(limited, 'userinfo', { username: limited.username, password: 'bad' })).result).toBe(2000);
      const r = await call(limited, 'userinfo', { username: limited.username, password: limited.password });
      expect(r).toEqual({ result: 4000, error: 'Too many login tries from this IP address.' });
      // tokens keep working
      expect((await call(limited, 'userinfo', { auth: limited.auth })).result).toBe(0);
    } finally {
      await limited.stop();
    }
  });

  it('lists and deletes tokens; logout revokes the current one', async () => {
    const login = await call(emu, 'userinfo', { username: emu.username, password: emu.password, getauth: 1 });
    const list = await call(emu, 'listtokens', { auth: login.auth });
    expect(list.result).toBe(0);
    const mine = list.tokens.find((t: any) => t.current);
    expect(mine).toBeDefined();
    expect(Object.keys(mine).sort()).toEqual(['created', 'current', 'device', 'expires', 'expires_inactive', 'tokenid'].sort());
    expect((await call(emu, 'deletetoken', { auth: login.auth })).result).toBe(1076);
    expect((await call(emu, 'deletetoken', { auth: login.auth, tokenid: 999999 })).result).toBe(2102);
    const second = await call(emu, 'userinfo', { username: emu.username, password: emu.password, getauth: 1 });
    const secondId = (await call(emu, 'listtokens', { auth: second.auth })).tokens.find((t: any) => t.current).tokenid;
    expect((await call(emu, 'deletetoken', { auth: login.auth, tokenid: secondId })).result).toBe(0);
    expect((await call(emu, 'userinfo', { auth: second.auth })).result).toBe(2000);
    const out = await call(emu, 'logout', { auth: login.auth });
    expect(out).toMatchObject({ result: 0, auth_deleted: true });
    expect((await call(emu, 'userinfo', { auth: login.auth })).result).toBe(2000);
  });
});

describe('global parameters', () => {
  it('echoes id on success and on error', async () => {
    expect((await call(emu, 'getapiserver', { id: 'abc-1' })).id).toBe('abc-1');
    expect((await call(emu, 'userinfo', { id: 'x7' })).id).toBe('x7');
  });

  it('timeformat=timestamp turns datetimes into unix seconds', async () => {
    const r = await as(emu, 'userinfo', { timeformat: 'timestamp' });
    expect(typeof r.registered).toBe('number');
    expect(Math.abs(r.registered - Date.now() / 1000)).toBeLessThan(3600);
    const rfc = await as(emu, 'userinfo');
    expect(rfc.registered).toHaveLength(31);
  });

  it('filtermeta sticks to the connection', async () => {
    const agent = new Agent({ connections: 1 });
    try {
      const get = async (q: string) =>
        parseReply(await (await request(`${emu.api}/listfolder?auth=${emu.auth}&folderid=0&${q}`, { dispatcher: agent })).body.text());
      const a = await get('filtermeta=name,folderid');
      expect(Object.keys(a.metadata).sort()).toEqual(['contents', 'folderid', 'name']);
      const b = await get('');
      expect(Object.keys(b.metadata).sort()).toEqual(['contents', 'folderid', 'name']);
      const c = await get('filtermeta=0');
      expect(c.metadata.isfolder).toBe(true);
    } finally {
      await agent.close();
    }
  });

  it('writes the 64-bit hash exactly', async () => {
    const r = await upload(emu, `${uniq('h')}.txt`, 'hash me');
    const sha1 = createHash('sha1').update('hash me').digest('hex');
    expect(r.metadata[0].hash).toBe(BigInt('0x' + sha1.slice(0, 16)).toString());
  });
});

describe('general methods', () => {
  it('getapiserver answers the emulator itself, or overrides', async () => {
    // binapi: the binary port when one is attached, else the API host itself
    expect(await call(emu, 'getapiserver')).toEqual({ result: 0, api: [emu.apiHost], binapi: [emu.core.server.binapiHost ?? emu.apiHost] });
    const dead = await emu.faults.unreachableHost();
    emu.faults.setApiServers({ api: [dead] });
    try {
      const r = await call(emu, 'getapiserver');
      expect(r.api).toEqual([dead]);
      await expect(request(`http://${dead}/getapiserver`)).rejects.toThrow();
    } finally {
      emu.faults.clear();
    }
  });

  it('currentserver and getip', async () => {
    // pCloud's hostname is a bare host name, without the port
    expect(await call(emu, 'currentserver')).toMatchObject({ result: 0, hostname: new URL(emu.api).hostname, ip: '127.0.0.1' });
    expect(await call(emu, 'getip')).toMatchObject({ result: 0, ip: '127.0.0.1' });
  });

  it('supportedlanguages and setlanguage', async () => {
    const l = await call(emu, 'supportedlanguages');
    expect(l.languages.en).toBe('English');
    expect((await as(emu, 'setlanguage')).result).toBe(1020);
    expect((await as(emu, 'setlanguage', { language: 'xx' })).result).toBe(1021);
    expect((await as(emu, 'setlanguage', { language: 'de' })).result).toBe(0);
    expect((await as(emu, 'userinfo')).language).toBe('de');
    await as(emu, 'setlanguage', { language: 'en' });
  });

  it('feedback validates its fields', async () => {
    expect((await call(emu, 'feedback', { reason: 'r', message: 'm' })).result).toBe(1033);
    expect((await call(emu, 'feedback', { mail: 'a@b.co', message: 'm' })).result).toBe(1042);
    expect((await call(emu, 'feedback', { mail: 'a@b.co', reason: 'r' })).result).toBe(1041);
    expect((await call(emu, 'feedback', { mail: 'nope', reason: 'r', message: 'm' })).result).toBe(2018);
    expect((await call(emu, 'feedback', { mail: 'a@b.co', reason: 'r', message: 'm' })).result).toBe(0);
    expect(emu.core.feedback.at(-1)).toMatchObject({ mail: 'a@b.co' });
  });

  it('userinfo reports quota and usage', async () => {
    const r = await as(emu, 'userinfo');
    expect(r).toMatchObject({ result: 0, email: emu.username, emailverified: true, language: 'en' });
    expect(r.quota).toBeGreaterThan(r.usedquota);
    expect(r.usedquota).toBeGreaterThan(0);
  });

  it('diff: last, diffid, after and limit', async () => {
    const head = await as(emu, 'diff', { last: 0 });
    expect(head, JSON.stringify(head)).toMatchObject({ result: 0, entries: [] });
    const start = head.diffid;
    const name = uniq('diff');
    await as(emu, 'createfolder', { folderid: 0, name });
    await upload(emu, 'a.txt', 'a', { path: '/' + name });
    const after = await as(emu, 'diff', { diffid: start });
    expect(after.entries.map((e: any) => e.event)).toEqual(['createfolder', 'createfile']);
    expect(after.entries[0].metadata.name).toBe(name);
    expect(after.diffid).toBe(after.entries[1].diffid);
    const limited = await as(emu, 'diff', { diffid: start, limit: 1 });
    expect(limited.entries).toHaveLength(1);
    expect(limited.diffid).toBe(after.entries[0].diffid);
    const last1 = await as(emu, 'diff', { last: 1 });
    expect(last1.entries[0].event).toBe('createfile');
    const full = await as(emu, 'diff');
    expect(full.entries.some((e: any) => e.event === 'modifyuserinfo' && e.userinfo.email === emu.username)).toBe(true);
    expect((await as(emu, 'diff', { after: 'garbage date' })).result).toBe(1013);
    const future = await as(emu, 'diff', { after: '2999-01-01T00:00:00Z' });
    expect(future.entries).toEqual([]);
  });

  it('diff with block waits for the next event', async () => {
    const head = await as(emu, 'diff', { last: 0 });
    const pending = as(emu, 'diff', { diffid: head.diffid, block: 1 });
    await new Promise((r) => setTimeout(r, 100));
    const name = uniq('blocked');
    await as(emu, 'createfolder', { folderid: 0, name });
    const r = await pending;
    expect(r.entries[0]).toMatchObject({ event: 'createfolder', metadata: { name } });
  });

  it('a new request on the same connection releases a blocked diff', async () => {
    const head = await as(emu, 'diff', { last: 0 });
    const { rawExchange, splitResponses } = await import('./helpers.js');
    const host = emu.apiHost;
    const req = (path: string) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: keep-alive\r\n\r\n`;
    const payload = req(`/diff?auth=${emu.auth}&diffid=${head.diffid}&block=1`) + req(`/getapiserver`);
    const { data } = await rawExchange(host, payload, 800);
    const replies = splitResponses(data);
    expect(replies, data.toString()).toHaveLength(2);
    expect(JSON.parse(replies[0]!.body.toString())).toMatchObject({ result: 0, entries: [] });
    expect(JSON.parse(replies[1]!.body.toString()).api).toEqual([host]);
  });

  it('getfilehistory lists the events of one file', async () => {
    const name = `${uniq('hist')}.txt`;
    const up = await upload(emu, name, 'v1');
    await upload(emu, name, 'v2');
    const fileid = up.fileids[0];
    const h = await as(emu, 'getfilehistory', { fileid });
    expect(h.entries.map((e: any) => e.event)).toEqual(['createfile', 'modifyfile']);
    expect((await as(emu, 'getfilehistory')).result).toBe(1029);
    expect((await as(emu, 'getfilehistory', { fileid: 99999999 })).result).toBe(2009);
  });

  it('answers catalogue methods it does not serve with a JSON error, never a crash', async () => {
    // the catalogue's methods no group serves (none once every group has landed); authorize is the OAuth2 page, not a method
    const served = new Set(Object.values(METHOD_GROUPS).flatMap((g) => Object.keys(g)));
    for (const m of catalogue.filter((x) => !served.has(x.name) && x.name !== 'authorize').slice(0, 5)) {
      expect([m.name, (await as(emu, m.name)).result]).toEqual([m.name, 5000]);
    }
    expect((await call(emu, 'getapiserver')).result).toBe(0);
  });
});
