import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, Outbox, startEmulator } from '../src/index.js';
import { frame, open, type Reader } from './binary-wire.js';
import { call, expectOk, type Json } from './helpers.js';

// Sessions across ports (a token revoked over HTTP stops a binary connection
// that logged in with it), the mail rate limits, the outbox's admin path
// and the CLI's --user and --mail-log.

const here = dirname(fileURLToPath(import.meta.url));
let emu: Emulator;
const ANN = { email: 'ann@sessions.test', password: 'Ann-pass-123' };

beforeAll(async () => {
  emu = await startEmulator({ seed: false, users: [ANN], mailRateLimit: 3 });
});
afterAll(async () => {
  await emu.stop();
});

async function token(who = ANN): Promise<string> {
  return String((await expectOk(call(emu, 'userinfo', { username: who.email, password: who.password, getauth: 1 }))).auth);
}

/** One call on an open binary connection. */
async function bin(r: Reader, method: string, params: Record<string, string | number> = {}): Promise<Json> {
  r.socket.write(frame(method, params));
  return (await r.answer()).value as Json;
}

describe('token revocation reaches every port at once', () => {
  it('logout over HTTP ends the token over HTTP and on a binary connection logged in with it', async () => {
    const auth = await token();
    const r = await open(emu);
    try {
      expect((await bin(r, 'userinfo', { auth })).email).toBe(ANN.email);
      // the binary login sticks: later calls need no credentials
      expect((await bin(r, 'listfolder', { folderid: 0 })).result).toBe(0);
      expect(await call(emu, 'logout', { auth })).toEqual({ result: 0, auth_deleted: true });
      expect((await call(emu, 'userinfo', { auth })).result).toBe(2000);
      expect((await bin(r, 'listfolder', { folderid: 0 })).result).toBe(1000);
      expect((await bin(r, 'userinfo', { auth })).result).toBe(2000);
    } finally {
      r.socket.destroy();
    }
  });

  it('deletetoken over HTTP ends a binary connection that logged in with that token; other tokens live on', async () => {
    const victim = await token();
    const keeper = await token();
    const r = await open(emu);
    try {
      expect((await bin(r, 'userinfo', { auth: victim })).result).toBe(0);
      const list = await expectOk(call(emu, 'listtokens', { auth: victim }));
      const id = list.tokens.find((t: Json) => t.current).tokenid;
      expect((await call(emu, 'deletetoken', { auth: keeper, tokenid: 987654321 })).result).toBe(2102);
      await expectOk(call(emu, 'deletetoken', { auth: keeper, tokenid: id }));
      expect((await bin(r, 'userinfo', {})).result).toBe(1000);
      expect((await call(emu, 'userinfo', { auth: victim })).result).toBe(2000);
      expect((await call(emu, 'userinfo', { auth: keeper })).result).toBe(0);
      // another user's tokenid is not found for this user
      const bob = await emu.createUser({ username: 'bob@sessions.test', password: 'Bob-pass-123' });
      const bobs = (await expectOk(call(emu, 'listtokens', { auth: bob.auth }))).tokens[0].tokenid;
      expect((await call(emu, 'deletetoken', { auth: keeper, tokenid: bobs })).result).toBe(2102);
      expect((await call(emu, 'userinfo', { auth: bob.auth })).result).toBe(0);
    } finally {
      r.socket.destroy();
    }
  });

  it('logout on the binary connection itself ends its token for HTTP too', async () => {
    const auth = await token();
    const r = await open(emu);
    try {
      expect((await bin(r, 'userinfo', { auth })).result).toBe(0);
      expect(await bin(r, 'logout')).toEqual({ result: 0, auth_deleted: true });
      expect((await bin(r, 'userinfo')).result).toBe(1000);
      expect((await call(emu, 'userinfo', { auth })).result).toBe(2000);
    } finally {
      r.socket.destroy();
    }
  });

  it('changepassword ends password logins of other binary connections, not the calling one', async () => {
    const carl = { email: 'carl@sessions.test', password: 'Carl-pass-1' };
    await emu.createUser({ username: carl.email, password: carl.password });
    const caller = await open(emu);
    const other = await open(emu);
    try {
      expect((await bin(other, 'userinfo', { username: carl.email, password: carl.password })).result).toBe(0);
      expect((await bin(caller, 'userinfo', { username: carl.email, password: carl.password })).result).toBe(0);
      expect((await bin(caller, 'changepassword', { oldpassword: carl.password, newpassword: 'Carl-pass-2' })).result).toBe(0);
      expect((await bin(caller, 'userinfo')).email).toBe(carl.email);
      expect((await bin(other, 'userinfo')).result).toBe(1000);
      expect((await call(emu, 'userinfo', { username: carl.email, password: 'Carl-pass-2' })).result).toBe(0);
    } finally {
      caller.socket.destroy();
      other.socket.destroy();
    }
  });
});

describe('rate limits on mail-sending methods', () => {
  it('counts mails per address and kind and answers 4000 past the limit', async () => {
    const dora = await emu.createUser({ username: 'dora@sessions.test', password: 'Dora-pass-1' });
    for (let i = 0; i < 3; i++) await expectOk(call(emu, 'senddeactivatemail', { auth: dora.auth }));
    expect((await call(emu, 'senddeactivatemail', { auth: dora.auth })).result).toBe(4000);
    expect(emu.mail.list({ to: 'dora@sessions.test', kind: 'deactivate' })).toHaveLength(3);
    // another kind to the same address has its own count
    await expectOk(call(emu, 'sendchangemail', { auth: dora.auth }));
    // lostpassword counts unknown addresses too, so the limit does not tell them apart
    for (const mail of ['dora@sessions.test', 'nobody@sessions.test']) {
      for (let i = 0; i < 3; i++) expect((await call(emu, 'lostpassword', { mail })).result).toBe(0);
      expect((await call(emu, 'lostpassword', { mail })).result).toBe(4000);
    }
    expect(emu.mail.list({ to: 'dora@sessions.test', kind: 'resetpassword' })).toHaveLength(3);
  });

  it('register makes the account even past the limit, without the mail', async () => {
    const strict = await startEmulator({ seed: false, binary: false, mailRateLimit: 1 });
    try {
      const mail = 'again@sessions.test';
      const signUp = () => call(strict, 'register', { mail, password: 'Again-pass-1', termsaccepted: 'yes' });
      await expectOk(signUp());
      const auth = String((await expectOk(call(strict, 'userinfo', { username: mail, password: 'Again-pass-1', getauth: 1 }))).auth);
      expect((await call(strict, 'sendverificationemail', { auth })).result).toBe(4000);
      await expectOk(call(strict, 'senddeactivatemail', { auth }));
      const code = (await strict.mail.next(mail, { kind: 'deactivate' })).code!;
      await expectOk(call(strict, 'deactivateuser', { auth, password: 'Again-pass-1', code }));
      await expectOk(signUp());
      expect(strict.core.store.userByEmail(mail)).toBeDefined();
      expect(strict.mail.list({ to: mail, kind: 'verifyemail' })).toHaveLength(1);
    } finally {
      await strict.stop();
    }
  });

  it('newsletter_unsibscribemail stays silent past the limit', async () => {
    const mail = 'reader@sessions.test';
    await expectOk(call(emu, 'newsletter_subscribe', { mail }));
    for (let i = 0; i < 5; i++) expect(await call(emu, 'newsletter_unsibscribemail', { mail })).toEqual({ result: 0 });
    expect(emu.mail.list({ to: mail, kind: 'newsletter-unsubscribe' })).toHaveLength(3);
  });
});

describe('persistence', () => {
  it('accounts, their codes, invitations and the newsletter list outlive a restart; the outbox does not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-accounts-'));
    try {
      const first = await startEmulator({
        seed: false,
        binary: false,
        dataDir: dir,
        users: [{ email: 'ivy@sessions.test', password: 'Ivy-pass-123' }],
      });
      const ivy = first.core.store.userByEmail('ivy@sessions.test')!;
      await expectOk(
        call(first, 'register', { mail: 'jon@sessions.test', password: 'Jon-pass-123', termsaccepted: 'yes', referer: ivy.userid }),
      );
      const code = (await first.mail.next('jon@sessions.test', { kind: 'verifyemail' })).code!;
      await expectOk(call(first, 'newsletter_subscribe', { mail: 'ivy@sessions.test' }));
      await first.stop();

      // the seeded user is not created again: the stored account, password included, wins over the option
      const second = await startEmulator({
        seed: false,
        binary: false,
        dataDir: dir,
        users: [{ email: 'ivy@sessions.test', password: 'other' }],
      });
      try {
        expect(second.mail.list()).toEqual([]);
        expect(await call(second, 'verifyemail', { code })).toMatchObject({ result: 0, email: 'jon@sessions.test' });
        const auth = String(
          (await expectOk(call(second, 'userinfo', { username: 'ivy@sessions.test', password: 'Ivy-pass-123', getauth: 1 }))).auth,
        );
        expect((await expectOk(call(second, 'userinfo', { auth }))).userid).toBe(ivy.userid);
        expect((await expectOk(call(second, 'userinfo', { username: 'ivy@sessions.test', password: 'Ivy-pass-123' }))).email).toBe(
          'ivy@sessions.test',
        );
        expect((await call(second, 'userinfo', { username: 'ivy@sessions.test', password: 'other' })).result).toBe(2000);
        expect((await expectOk(call(second, 'userinfo', { username: 'jon@sessions.test', password: 'Jon-pass-123' }))).emailverified).toBe(
          true,
        );
        expect((await expectOk(call(second, 'userinvites', { auth }))).invites).toEqual([
          { email: 'jo***@sessions.test', is_pending: false },
        ]);
        expect(await call(second, 'newsletter_check', { auth })).toEqual({ result: 0, subscribed: true, verified: true });
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('wrong passwords outside a login', () => {
  it('count toward the login failure limit of the address (4000)', async () => {
    const strict = await startEmulator({ seed: false, binary: false, loginFailureLimit: 2 });
    try {
      const { auth } = await strict.createUser({ username: 'hal@sessions.test', password: 'Hal-pass-123' });
      const change = (oldpassword: string) => call(strict, 'changepassword', { auth, oldpassword, newpassword: 'Hal-pass-456' });
      expect((await change('wrong-1')).result).toBe(2031);
      await expectOk(call(strict, 'senddeactivatemail', { auth }));
      const code = (await strict.mail.next('hal@sessions.test')).code!;
      expect((await call(strict, 'deactivateuser', { auth, password: 'wrong-2', code })).result).toBe(2272);
      // over the limit even the right password is refused, and a password login as well
      expect((await change('Hal-pass-123')).result).toBe(4000);
      expect((await call(strict, 'userinfo', { username: 'hal@sessions.test', password: 'Hal-pass-123' })).result).toBe(4000);
      expect((await call(strict, 'userinfo', { auth })).result).toBe(0);
    } finally {
      await strict.stop();
    }
  });
});

describe('the outbox', () => {
  it('next hands out each mail once, waits for one, and gives up after timeoutMs', async () => {
    const box = new Outbox({ keep: 3 });
    const send = (to: string, kind = 'note') => box.send({ to, kind, subject: 's', text: 't' });
    send('a@x.test');
    send('b@x.test');
    expect((await box.next('A@x.test')).to).toBe('a@x.test');
    const waiting = box.next('a@x.test', { timeoutMs: 2000 });
    send('a@x.test', 'later');
    expect((await waiting).kind).toBe('later');
    await expect(box.next('a@x.test', { timeoutMs: 30 })).rejects.toThrow(/no mail to a@x.test within 30 ms/);
    // only the newest `keep` mails stay
    for (let i = 0; i < 3; i++) send('c@x.test');
    expect(box.list().map((m) => m.to)).toEqual(['c@x.test', 'c@x.test', 'c@x.test']);
    expect(box.list({ after: box.list()[1]!.id })).toHaveLength(1);
  });
});

describe('the outbox admin path', () => {
  const path = () => `${emu.api}/_emulator/mail`;

  it('lists mails (filtered, after an id), waits for the next one and empties on DELETE', async () => {
    const erin = await emu.createUser({ username: 'erin@sessions.test', password: 'Erin-pass-1' });
    await expectOk(call(emu, 'senddeactivatemail', { auth: erin.auth }));
    const res = await fetch(`${path()}?to=ERIN@sessions.test`, { headers: { origin: 'http://playground.test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const { mails } = (await res.json()) as { mails: Json[] };
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: 'erin@sessions.test', kind: 'deactivate', code: expect.any(String) });

    // with wait, the answer comes when the next mail does
    const waiting = fetch(`${path()}?to=erin@sessions.test&after=${mails[0]!.id}&wait=5000`).then((r) => r.json() as Promise<Json>);
    await new Promise((r) => setTimeout(r, 100));
    await expectOk(call(emu, 'sendchangemail', { auth: erin.auth }));
    const next = await waiting;
    expect(next.mails).toHaveLength(1);
    expect(next.mails[0]).toMatchObject({ kind: 'changemail-old', id: mails[0]!.id + 1 });
    // and an empty list when nothing comes in time
    expect(await (await fetch(`${path()}?to=erin@sessions.test&after=${next.mails[0].id}&wait=50`)).json()).toEqual({ mails: [] });

    const preflight = await fetch(path(), {
      method: 'OPTIONS',
      headers: { origin: 'http://playground.test', 'access-control-request-method': 'DELETE' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
    const cleared = await fetch(path(), { method: 'DELETE' });
    expect(((await cleared.json()) as Json).cleared).toBeGreaterThan(0);
    expect(emu.mail.list()).toEqual([]);
    expect((await fetch(path(), { method: 'POST' })).status).toBe(405);
  });

  it('refuses any request that carries credentials', async () => {
    const auth = await token();
    await expectOk(call(emu, 'sendchangemail', { auth }));
    for (const query of [`auth=${auth}`, `access_token=${emu.access_token}`, `username=${ANN.email}&password=${ANN.password}`]) {
      const res = await fetch(`${path()}?${query}`);
      expect(res.status).toBe(403);
      expect(JSON.stringify(await res.json())).not.toContain('changemail');
    }
    const bearer = await fetch(path(), { headers: { authorization: `Bearer ${emu.access_token}` } });
    expect(bearer.status).toBe(403);
    expect((await fetch(path(), { method: 'DELETE', headers: { authorization: `Bearer ${emu.access_token}` } })).status).toBe(403);
    expect(emu.mail.list({ to: ANN.email }).length).toBeGreaterThan(0);
    // the path is no API method: over the binary port it does not exist
    const r = await open(emu);
    try {
      r.socket.write(frame('_emulator/mail', { auth }));
      expect(await r.closedByServer()).toBe(true);
    } finally {
      r.socket.destroy();
    }
  });
});

describe('CLI', () => {
  it('--user seeds accounts and --mail-log prints each mail as a JSON line', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        join(here, '../src/cli.ts'),
        '--no-seed',
        '--user',
        'fay@cli.test:Fay-pass-1',
        '--user',
        'gus@cli.test:Gus:pass:2',
        '--mail-log',
      ],
      { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (d) => {
      out += d;
      let nl = out.indexOf('\n');
      while (nl >= 0) {
        lines.push(out.slice(0, nl));
        out = out.slice(nl + 1);
        nl = out.indexOf('\n');
      }
      for (const w of waiters.splice(0)) w();
    });
    const line = async (n: number) => {
      const deadline = Date.now() + 20_000;
      while (lines.length <= n) {
        if (Date.now() > deadline) throw new Error(`no line ${n}; stderr: ${err}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 500);
        });
      }
      return lines[n]!;
    };
    try {
      const ready = JSON.parse(await line(0));
      expect(ready.users).toEqual(['fay@cli.test', 'gus@cli.test']);
      expect(ready.mail).toBe(`${ready.api}/_emulator/mail`);
      const fay = (await (await fetch(`${ready.api}/userinfo?username=fay@cli.test&password=Fay-pass-1&getauth=1`)).json()) as Json;
      expect(fay.result).toBe(0);
      // the password is everything after the first colon
      const gus = (await (await fetch(`${ready.api}/userinfo?username=gus@cli.test&password=Gus:pass:2`)).json()) as Json;
      expect(gus.result).toBe(0);
      expect(gus.userid).not.toBe(fay.userid);
      await fetch(`${ready.api}/senddeactivatemail?auth=${fay.auth}`);
      const logged = JSON.parse(await line(1));
      expect(logged.mail).toMatchObject({ to: 'fay@cli.test', kind: 'deactivate', code: expect.any(String) });
      expect(logged.mail.link).toContain(`/deactivateuser?code=${logged.mail.code}`);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
