import { ApiError, type CoreClient, type Middleware } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { general, getapiserver, type DiffEntry, type FileEntry } from '../src/index.js';

/** Uploads a small file through the raw API (file methods belong to another package). */
async function upload(client: CoreClient, name: string, text: string): Promise<number> {
  const answer = await client.call<{ metadata: Array<{ fileid: number }> }>(
    'uploadfile',
    { folderid: 0 },
    { files: [{ name, data: new TextEncoder().encode(text) }] },
  );
  return answer.metadata[0]!.fileid;
}

async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe.each(transportNames)('general over %s', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv();
  });
  afterAll(() => env.close());
  const c = (auth?: Parameters<TestEnv['client']>[1], extra?: Parameters<TestEnv['client']>[2]) =>
    env.client(kind, auth, extra).use(general);

  describe('getapiserver', () => {
    it('answers the host lists the server suggests, anonymously', async () => {
      const answer = await c(null).getapiserver();
      expect(answer.api).toEqual([env.emulator.apiHost]);
      expect(answer.binapi.length).toBeGreaterThan(0);
      expect(answer.binapi.every((h) => typeof h === 'string' && h.length > 0)).toBe(true);
    });

    it('works as a standalone function too', async () => {
      const answer = await getapiserver(env.client(kind, null));
      expect(answer.api).toEqual([env.emulator.apiHost]);
    });

    it('is retried after a temporary server error because it is idempotent', async () => {
      env.emulator.faults.failWith('getapiserver', 5000, { times: 1 });
      const answer = await c(null, { retries: 1 }).getapiserver();
      expect(answer.api).toEqual([env.emulator.apiHost]);
    });

    it('surfaces a server error as ApiError when retries are off', async () => {
      env.emulator.faults.failWith('getapiserver', 5000, { times: 1 });
      const error = await apiError(c(null).getapiserver());
      expect(error).toMatchObject({ result: 5000, errorClass: 'server', method: 'getapiserver' });
    });
  });

  describe('userinfo', () => {
    it("returns the demo user's account with dates and numbers", async () => {
      const info = await c().userinfo();
      expect(info.email).toBe(env.emulator.username);
      expect(typeof info.userid).toBe('number');
      expect(info.registered).toBeInstanceOf(Date);
      expect(Number.isNaN(info.registered.getTime())).toBe(false);
      expect(typeof info.quota).toBe('number');
      expect(info.usedquota).toBeLessThanOrEqual(info.quota);
      expect(typeof info.premium).toBe('boolean');
    });

    it('fails with 1000 without credentials', async () => {
      const error = await apiError(c(null).userinfo());
      expect(error).toMatchObject({ result: 1000, errorClass: 'bad-request' });
    });

    it('fails with 2000 with a wrong session token', async () => {
      const error = await apiError(c({ authToken: 'not-a-token' }).userinfo());
      expect(error).toMatchObject({ result: 2000, errorClass: 'state' });
    });

    it('fails with a state-class error with a wrong OAuth2 token', async () => {
      // emulator: answers 2094 "Invalid 'access_token' provided." like pCloud; the catalogue lists only 2000.
      const error = await apiError(c({ accessToken: 'not-a-token' }).userinfo());
      expect([2000, 2094]).toContain(error.result);
      expect(error.errorClass).toBe('state');
    });
  });

  describe('getdigest', () => {
    it('hands out a fresh digest with a future expiry', async () => {
      const a = await c(null).getdigest();
      const b = await c(null).getdigest();
      expect(a.digest).toMatch(/^\S{8,}$/);
      expect(a.digest).not.toBe(b.digest);
      expect(a.expires).toBeInstanceOf(Date);
      expect(a.expires.getTime()).toBeGreaterThan(Date.now() - 1000);
    });

    it('fails with 2000 when wrong credentials are sent along', async () => {
      const error = await apiError(c(null).getdigest(undefined, { global: { auth: 'bogus' } }));
      expect(error).toMatchObject({ result: 2000, errorClass: 'state' });
    });
  });

  describe('supportedlanguages / setlanguage', () => {
    it('lists languages and sets one of them', async () => {
      const { languages } = await c(null).supportedlanguages();
      expect(typeof languages.en).toBe('string');
      const code = Object.keys(languages).find((k) => k !== 'en')!;
      const client = c();
      await client.setlanguage({ language: code });
      expect((await client.userinfo()).language).toBe(code);
      await client.setlanguage({ language: 'en' });
      expect((await client.userinfo()).language).toBe('en');
    });

    it('supportedlanguages fails with 2000 when wrong credentials are sent along', async () => {
      const error = await apiError(c(null).supportedlanguages(undefined, { global: { auth: 'bogus' } }));
      expect(error.result).toBe(2000);
    });

    it('setlanguage rejects an unknown language with 1021', async () => {
      const error = await apiError(c().setlanguage({ language: 'xx-notalanguage' }));
      expect(error).toMatchObject({ result: 1021, errorClass: 'bad-request', method: 'setlanguage' });
    });

    it('setlanguage needs a login (1000)', async () => {
      const error = await apiError(c(null).setlanguage({ language: 'en' }));
      expect(error.result).toBe(1000);
    });
  });

  describe('feedback', () => {
    it('accepts a message', async () => {
      const answer = await c(null).feedback({ mail: 'someone@example.com', reason: 'Hello', message: 'A message body', name: 'Some One' });
      expect(answer).toMatchObject({ result: 0 });
    });

    it('rejects an invalid address with 2018', async () => {
      const error = await apiError(c(null).feedback({ mail: 'not-an-address', reason: 'r', message: 'm' }));
      expect(error).toMatchObject({ result: 2018, errorClass: 'state' });
    });

    it('is not retried after a server error because it is not idempotent', async () => {
      let sent = 0;
      const counter: Middleware = (next) => (request) => {
        if (request.method === 'feedback') sent++;
        return next(request);
      };
      env.emulator.faults.failWith('feedback', 5000, { times: 1 });
      const error = await apiError(
        c(null, { retries: 3, middleware: [counter] }).feedback({ mail: 'a@example.com', reason: 'r', message: 'm' }),
      );
      expect(error.result).toBe(5000);
      expect(sent).toBe(1);
    });
  });

  describe('currentserver / getip', () => {
    it('currentserver names the answering host', async () => {
      const answer = await c(null).currentserver();
      // a bare host name, as pCloud's api7.pcloud.com: no port
      expect(answer.hostname).toBe(new URL(`http://${env.emulator.apiHost}`).hostname);
      expect(answer.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    });

    it('currentserver fails with 2000 when wrong credentials are sent along', async () => {
      const error = await apiError(c(null).currentserver(undefined, { global: { auth: 'bogus' } }));
      expect(error.result).toBe(2000);
    });

    it("getip reports the caller's loopback address and no country", async () => {
      const answer = await c(null).getip();
      expect(answer.ip).toBe('127.0.0.1');
      expect(answer.country).toBe(false);
    });

    it('getip surfaces an injected server error', async () => {
      env.emulator.faults.failWith('getip', 5000, { times: 1 });
      const error = await apiError(c(null).getip());
      expect(error).toMatchObject({ result: 5000, errorClass: 'server' });
    });
  });

  describe('diff / getfilehistory', () => {
    it('reports new events after a stored diffid, with Date times', async () => {
      const client = c();
      const { diffid, entries } = await client.diff({ last: 0 });
      expect(entries).toEqual([]);
      expect(typeof diffid).toBe('number');
      const fileid = await upload(env.client(kind), `diff-${kind}.txt`, 'hello');
      const next = await client.diff({ diffid });
      expect(next.diffid).toBeGreaterThan(diffid);
      const created = next.entries.find((e): e is FileEntry => e.event === 'createfile' && e.metadata.fileid === fileid);
      expect(created).toBeDefined();
      expect(created!.time).toBeInstanceOf(Date);
      expect(created!.metadata.name).toBe(`diff-${kind}.txt`);
      expect(typeof created!.metadata.hash).toBe('bigint');
      expect(created!.metadata.created).toBeInstanceOf(Date);
      expect((await client.diff({ diffid: next.diffid })).entries).toEqual([]);
    });

    it('limit caps the entries and last returns the newest ones', async () => {
      const client = c();
      const all = await client.diff();
      expect(all.entries.length).toBeGreaterThan(1);
      expect((await client.diff({ limit: 1 })).entries).toHaveLength(1);
      const last = await client.diff({ last: 1 });
      expect(last.entries.map((e: DiffEntry) => e.diffid)).toEqual([all.entries.at(-1)!.diffid]);
    });

    it('after takes a Date', async () => {
      const client = c();
      const future = await client.diff({ after: new Date(Date.now() + 3_600_000) });
      expect(future.entries).toEqual([]);
    });

    it('block waits until an event arrives', async () => {
      const client = c();
      const { diffid } = await client.diff({ last: 0 });
      const waiting = client.diff({ diffid, block: true }, { timeout: 20_000 });
      // Another client (another connection) makes the event; the waiting call
      // must then answer with it, whether it was already waiting or not.
      const other = c();
      await other.setlanguage({ language: 'de' });
      const woke = await waiting;
      await other.setlanguage({ language: 'en' });
      expect(woke.diffid).toBeGreaterThan(diffid);
      expect(woke.entries.some((e) => e.event === 'modifyuserinfo')).toBe(true);
    });

    it('diff rejects an unreadable date with 1013', async () => {
      const error = await apiError(c().diff({ after: 'the day after tomorrow-ish' }));
      expect(error).toMatchObject({ result: 1013, errorClass: 'bad-request' });
    });

    it('getfilehistory lists the events of one file', async () => {
      const uploader = env.client(kind);
      const fileid = await upload(uploader, `history-${kind}.txt`, 'v1');
      await upload(uploader, `history-${kind}.txt`, 'v2 is longer');
      const { entries } = await c().getfilehistory({ fileid });
      expect(entries.length).toBeGreaterThanOrEqual(2);
      for (const e of entries) expect((e as FileEntry).metadata.fileid).toBe(fileid);
      expect(entries.map((e) => e.event)).toContain('createfile');
      expect(entries.map((e) => e.event)).toContain('modifyfile');
    });

    it('getfilehistory of a missing file fails with 2009', async () => {
      const error = await apiError(c().getfilehistory({ fileid: 987654321 }));
      expect(error).toMatchObject({ result: 2009, errorClass: 'state', method: 'getfilehistory' });
    });
  });
});
