import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { call, expectOk, type Json, upload } from './helpers.js';

// Account flows over real HTTP, each step's code read from the emulator's
// outbox, the way a user would take it from the mail.

let emu: Emulator;
const BOB = { email: 'bob@accounts.test', password: 'bob-Password-1' };

beforeAll(async () => {
  // the tests try many wrong passwords from one address: keep them under the login failure limit
  emu = await startEmulator({ seed: false, binary: false, users: [BOB], loginFailureLimit: 100 });
});
afterAll(async () => {
  await emu.stop();
});

let serial = 0;
/** A fresh address no test used yet. */
const freshMail = (tag: string) => `${tag}-${++serial}-${Date.now().toString(36)}@accounts.test`;

async function register(mail: string, password = 'Good-pass-77', extra: Record<string, string | number> = {}): Promise<Json> {
  return call(emu, 'register', { mail, password, termsaccepted: 'yes', ...extra });
}

async function login(username: string, password: string): Promise<Json> {
  return call(emu, 'userinfo', { username, password, getauth: 1 });
}

/** Registers, then logs in: the new account's auth token. */
async function newAccount(tag: string, password = 'Good-pass-77'): Promise<{ mail: string; auth: string; userid: number }> {
  const mail = freshMail(tag);
  await expectOk(register(mail, password));
  const info = await expectOk(login(mail, password));
  return { mail, auth: String(info.auth), userid: Number(info.userid) };
}

describe('register', () => {
  it('refuses what pCloud refuses, with its codes', async () => {
    const mail = freshMail('rules');
    expect((await call(emu, 'register', { password: 'Good-pass-77', termsaccepted: 'yes' })).result).toBe(1033);
    expect((await call(emu, 'register', { mail, termsaccepted: 'yes' })).result).toBe(1034);
    expect((await call(emu, 'register', { mail, password: 'Good-pass-77' })).result).toBe(2037);
    expect((await register(mail, 'Good-pass-77', { termsaccepted: 'no' })).result).toBe(2037);
    expect((await register('not-an-address')).result).toBe(2018);
    expect((await register('a@b')).result).toBe(2018);
    const rules: [string, number][] = [
      ['ab1!', 2032],
      ['Xy9!', 2032],
      [' Good-pass-77', 2033],
      ['Good-pass-77 ', 2033],
      ['aaaaaaaa', 2034],
      ['abab1abab', 2034],
      ['abcdefgh', 2035],
      ['123456', 2035],
      ['987654', 2035],
      ['QWERTY', 2035],
    ];
    for (const [password, code] of rules) {
      const r = await register(mail, password);
      expect([password, r.result, r.error]).toEqual([password, code, expect.any(String)]);
    }
    // nothing was created by the refused calls
    expect(emu.core.store.userByEmail(mail)).toBeUndefined();
    expect(emu.mail.list({ to: mail })).toEqual([]);
  });

  it('creates an account with its own empty tree, unconfirmed, in the language asked for', async () => {
    const mail = freshMail('new');
    expect((await register(mail, 'Good-pass-77', { language: 'de' })).result).toBe(0);
    const info = await expectOk(login(mail, 'Good-pass-77'));
    expect(info).toMatchObject({ email: mail, emailverified: false, language: 'de', usedquota: 0 });
    expect(info.userid).not.toBe(emu.core.store.userByEmail(BOB.email)!.userid);
    const root = await expectOk(call(emu, 'listfolder', { auth: info.auth, folderid: 0 }));
    expect(root.metadata.contents).toEqual([]);
    // the same address (in any case) cannot register twice
    expect((await register(mail.toUpperCase())).result).toBe(2038);
    expect((await register(BOB.email)).result).toBe(2038);
  });

  it('records who invited whom (referer) and tells the inviter', async () => {
    const inviter = await newAccount('inviter');
    const invite = await expectOk(call(emu, 'invite', { auth: inviter.auth }));
    expect(invite.spacelimitreached).toBe(false);
    expect(new URL(invite.url).searchParams.get('referer')).toBe(String(inviter.userid));
    expect((await expectOk(call(emu, 'userinvites', { auth: inviter.auth }))).invites).toEqual([]);

    const invitee = freshMail('invitee');
    await expectOk(register(invitee, 'Good-pass-77', { referer: inviter.userid }));
    const told = await emu.mail.next(inviter.mail, { kind: 'invite' });
    expect(told.text).toContain(invitee.slice(0, 2));
    const pending = (await expectOk(call(emu, 'userinvites', { auth: inviter.auth }))).invites;
    expect(pending).toEqual([{ email: expect.stringMatching(/^\w{2}\*\*\*@accounts\.test$/), is_pending: true }]);
    expect(pending[0].email).not.toContain(invitee.split('@')[0]);

    const verify = await emu.mail.next(invitee, { kind: 'verifyemail' });
    await expectOk(call(emu, 'verifyemail', { code: verify.code! }));
    expect((await expectOk(call(emu, 'userinvites', { auth: inviter.auth }))).invites[0].is_pending).toBe(false);
    // another user sees none of these invitations
    const other = await newAccount('other');
    expect((await expectOk(call(emu, 'userinvites', { auth: other.auth }))).invites).toEqual([]);
  });
});

describe('sign up and confirm the address', () => {
  it('register mails a code; verifyemail confirms it once', async () => {
    const mail = freshMail('signup');
    await expectOk(register(mail));
    const m = await emu.mail.next(mail);
    expect(m).toMatchObject({ to: mail, kind: 'verifyemail', code: expect.any(String) });
    expect(m.text).toContain(m.code);
    expect(m.link).toBe(`${emu.api}/verifyemail?code=${m.code}`);
    // the link works as it is
    const clicked = (await (await fetch(m.link!)).json()) as Json;
    expect(clicked).toMatchObject({ result: 0, email: mail, userid: emu.core.store.userByEmail(mail)!.userid });
    expect((await expectOk(login(mail, 'Good-pass-77'))).emailverified).toBe(true);
    // used codes and unknown codes fail; a confirmed address gets no new mail
    expect((await call(emu, 'verifyemail', { code: m.code! })).result).toBe(2012);
    expect((await call(emu, 'verifyemail', { code: 'nosuchcode' })).result).toBe(2012);
    expect((await call(emu, 'verifyemail', {})).result).toBe(1022);
    const auth = String((await login(mail, 'Good-pass-77')).auth);
    expect((await call(emu, 'sendverificationemail', { auth })).result).toBe(2013);
  });

  it('sendverificationemail sends a new code; a code of another kind does not confirm', async () => {
    const acct = await newAccount('resend');
    await emu.mail.next(acct.mail, { kind: 'verifyemail' });
    await expectOk(call(emu, 'sendverificationemail', { auth: acct.auth }));
    const again = await emu.mail.next(acct.mail, { kind: 'verifyemail' });
    await expectOk(call(emu, 'lostpassword', { mail: acct.mail }));
    const reset = await emu.mail.next(acct.mail, { kind: 'resetpassword' });
    expect((await call(emu, 'verifyemail', { code: reset.code! })).result).toBe(2012);
    expect((await call(emu, 'verifyemail', { code: again.code! })).userid).toBe(acct.userid);
    expect((await call(emu, 'sendverificationemail', {})).result).toBe(1000);
  });
});

describe('forgot password', () => {
  it('lostpassword answers the same for any address and mails only real accounts', async () => {
    const nobody = freshMail('nobody');
    expect(await call(emu, 'lostpassword', { mail: nobody })).toEqual({ result: 0 });
    expect(await call(emu, 'lostpassword', { mail: 'not even an address' })).toEqual({ result: 0 });
    expect(emu.mail.list({ to: nobody })).toEqual([]);
    expect((await call(emu, 'lostpassword', {})).result).toBe(1033);
  });

  it('resetpassword sets the new password with the mailed code, once, and ends every session', async () => {
    const acct = await newAccount('forgot', 'Old-pass-123');
    const second = String((await login(acct.mail, 'Old-pass-123')).auth);
    expect(await call(emu, 'lostpassword', { mail: acct.mail.toUpperCase() })).toEqual({ result: 0 });
    const m = await emu.mail.next(acct.mail, { kind: 'resetpassword' });
    expect(m.link).toContain('/resetpassword?code=');
    expect((await call(emu, 'resetpassword', { code: m.code! })).result).toBe(1032);
    expect((await call(emu, 'resetpassword', { newpassword: 'New-pass-456' })).result).toBe(1022);
    expect((await call(emu, 'resetpassword', { code: m.code!, newpassword: 'short' })).result).toBe(2032);
    expect((await call(emu, 'resetpassword', { code: 'nosuchcode', newpassword: 'New-pass-456' })).result).toBe(2012);
    await expectOk(call(emu, 'resetpassword', { code: m.code!, newpassword: 'New-pass-456' }));
    expect((await call(emu, 'resetpassword', { code: m.code!, newpassword: 'Other-pass-789' })).result).toBe(2012);
    expect((await login(acct.mail, 'Old-pass-123')).result).toBe(2000);
    await expectOk(login(acct.mail, 'New-pass-456'));
    for (const auth of [acct.auth, second]) expect((await call(emu, 'userinfo', { auth })).result).toBe(2000);
  });

  it('an outdated reset code answers 2036', async () => {
    const short = await startEmulator({ seed: false, binary: false, mailCodeTtlMs: 30, users: [BOB] });
    try {
      await expectOk(call(short, 'lostpassword', { mail: BOB.email }));
      const m = await short.mail.next(BOB.email);
      await new Promise((r) => setTimeout(r, 80));
      expect((await call(short, 'resetpassword', { code: m.code!, newpassword: 'New-pass-456' })).result).toBe(2036);
      // an outdated code is gone: asking again is an unknown code
      expect((await call(short, 'resetpassword', { code: m.code!, newpassword: 'New-pass-456' })).result).toBe(2012);
    } finally {
      await short.stop();
    }
  });
});

describe('change password', () => {
  it('checks the old password and the rules, keeps the current token and revokes the others', async () => {
    const acct = await newAccount('chpw', 'First-pass-1');
    const other = String((await login(acct.mail, 'First-pass-1')).auth);
    const p = { auth: acct.auth };
    expect((await call(emu, 'changepassword', { ...p, newpassword: 'Second-pass-2' })).result).toBe(1031);
    expect((await call(emu, 'changepassword', { ...p, oldpassword: 'First-pass-1' })).result).toBe(1032);
    expect((await call(emu, 'changepassword', { ...p, oldpassword: 'wrong-pass-0', newpassword: 'Second-pass-2' })).result).toBe(2031);
    expect((await call(emu, 'changepassword', { ...p, oldpassword: 'First-pass-1', newpassword: 'First-pass-1' })).result).toBe(2030);
    expect((await call(emu, 'changepassword', { ...p, oldpassword: 'First-pass-1', newpassword: 'zzzzzzzz' })).result).toBe(2034);
    await expectOk(call(emu, 'changepassword', { ...p, oldpassword: 'First-pass-1', newpassword: 'Second-pass-2' }));
    expect((await call(emu, 'userinfo', { auth: acct.auth })).email).toBe(acct.mail);
    expect((await call(emu, 'userinfo', { auth: other })).result).toBe(2000);
    expect((await login(acct.mail, 'First-pass-1')).result).toBe(2000);
    await expectOk(login(acct.mail, 'Second-pass-2'));
  });
});

describe('change e-mail', () => {
  it('old address gets a code, new address gets a code, changemail with the password switches', async () => {
    const acct = await newAccount('chmail', 'Mail-pass-1');
    const stranger = await newAccount('stranger');
    const target = freshMail('target');
    await expectOk(call(emu, 'sendchangemail', { auth: acct.auth }));
    const first = await emu.mail.next(acct.mail, { kind: 'changemail-old' });
    expect(first.link).toContain('/sendchangemail?code=');
    // the code is this user's: another user cannot use it, and the new address must be new and free
    await expectOk(call(emu, 'sendchangemail', { auth: stranger.auth }));
    const foreign = await emu.mail.next(stranger.mail, { kind: 'changemail-old' });
    expect((await call(emu, 'sendchangemail', { auth: acct.auth, newmail: target, code: foreign.code! })).result).toBe(2012);
    expect((await call(emu, 'sendchangemail', { auth: acct.auth, newmail: target })).result).toBe(2012);
    expect((await call(emu, 'sendchangemail', { auth: acct.auth, newmail: acct.mail, code: first.code! })).result).toBe(2271);
    expect((await call(emu, 'sendchangemail', { auth: acct.auth, newmail: stranger.mail, code: first.code! })).result).toBe(2038);
    await expectOk(call(emu, 'sendchangemail', { auth: acct.auth, newmail: target, code: first.code! }));
    expect((await call(emu, 'sendchangemail', { auth: acct.auth, newmail: target, code: first.code! })).result).toBe(2012);
    const second = await emu.mail.next(target, { kind: 'changemail-new' });
    expect(second.link).toContain('/changemail?code=');

    expect((await call(emu, 'changemail', { auth: acct.auth, code: second.code! })).result).toBe(1034);
    expect((await call(emu, 'changemail', { auth: acct.auth, password: 'Mail-pass-1' })).result).toBe(1022);
    expect((await call(emu, 'changemail', { auth: acct.auth, password: 'wrong-pass-0', code: second.code! })).result).toBe(2272);
    expect((await call(emu, 'changemail', { auth: stranger.auth, password: 'Good-pass-77', code: second.code! })).result).toBe(2012);
    await expectOk(call(emu, 'changemail', { auth: acct.auth, password: 'Mail-pass-1', code: second.code! }));
    const info = await expectOk(call(emu, 'userinfo', { auth: acct.auth }));
    expect(info).toMatchObject({ email: target, emailverified: true });
    expect((await login(acct.mail, 'Mail-pass-1')).result).toBe(2000);
    await expectOk(login(target, 'Mail-pass-1'));
    expect((await emu.mail.next(acct.mail, { kind: 'changemail-done' })).text).toContain(target);
    expect((await call(emu, 'changemail', { auth: acct.auth, password: 'Mail-pass-1', code: second.code! })).result).toBe(2012);
    // the old address is free again
    expect((await register(acct.mail)).result).toBe(0);
  });

  it('an outdated change code answers 2074', async () => {
    const short = await startEmulator({ seed: false, binary: false, mailCodeTtlMs: 30, users: [BOB] });
    try {
      const auth = String((await expectOk(call(short, 'userinfo', { username: BOB.email, password: BOB.password, getauth: 1 }))).auth);
      await expectOk(call(short, 'sendchangemail', { auth }));
      const m = await short.mail.next(BOB.email);
      await new Promise((r) => setTimeout(r, 80));
      expect((await call(short, 'sendchangemail', { auth, newmail: 'bob2@accounts.test', code: m.code! })).result).toBe(2074);
    } finally {
      await short.stop();
    }
  });
});

describe('deactivate', () => {
  it('removes the account, its tokens, tree and blobs only with the mailed code and the password', async () => {
    const acct = await newAccount('leaving', 'Leave-pass-1');
    const keeper = await newAccount('keeper');
    const only = await upload(emu, 'only-mine.txt', `unique content ${Date.now()}`, { folderid: 0 }, acct.auth);
    const shared = `shared content ${Date.now()}`;
    await upload(emu, 'same.txt', shared, { folderid: 0 }, acct.auth);
    await upload(emu, 'same.txt', shared, { folderid: 0 }, keeper.auth);
    const store = emu.core.store;
    const onlyBlob = store.files.get(only.metadata[0].fileid)!.current.blob;
    // public links need a confirmed address (2014 otherwise)
    store.setEmailVerified(store.users.get(acct.userid)!);
    const pub = await expectOk(call(emu, 'getfilepublink', { auth: acct.auth, fileid: only.metadata[0].fileid }));
    const link = await expectOk(call(emu, 'getfilelink', { auth: acct.auth, fileid: only.metadata[0].fileid }));

    expect((await call(emu, 'deactivateuser', { auth: acct.auth, password: 'Leave-pass-1', code: 'nosuchcode' })).result).toBe(2012);
    await expectOk(call(emu, 'senddeactivatemail', { auth: acct.auth }));
    const m = await emu.mail.next(acct.mail, { kind: 'deactivate' });
    expect(m.link).toContain('/deactivateuser?code=');
    await expectOk(call(emu, 'senddeactivatemail', { auth: keeper.auth }));
    const foreign = await emu.mail.next(keeper.mail, { kind: 'deactivate' });
    expect((await call(emu, 'deactivateuser', { auth: acct.auth, password: 'Leave-pass-1', code: foreign.code! })).result).toBe(2012);
    expect((await call(emu, 'deactivateuser', { auth: acct.auth, password: 'wrong-pass-0', code: m.code! })).result).toBe(2272);
    expect((await call(emu, 'deactivateuser', { auth: acct.auth, code: m.code! })).result).toBe(1034);
    expect((await call(emu, 'deactivateuser', { auth: acct.auth, password: 'Leave-pass-1' })).result).toBe(1022);
    // still there after all the refusals
    await expectOk(call(emu, 'userinfo', { auth: acct.auth }));

    await expectOk(call(emu, 'deactivateuser', { auth: acct.auth, password: 'Leave-pass-1', code: m.code! }));
    expect((await call(emu, 'userinfo', { auth: acct.auth })).result).toBe(2000);
    expect((await login(acct.mail, 'Leave-pass-1')).result).toBe(2000);
    expect(store.userByEmail(acct.mail)).toBeUndefined();
    expect([...store.folders.values()].filter((f) => f.owner === acct.userid)).toEqual([]);
    expect([...store.files.values()].filter((f) => f.owner === acct.userid)).toEqual([]);
    expect([...store.tokens.values()].filter((t) => t.userid === acct.userid)).toEqual([]);
    expect([...store.publinks.values()].filter((l) => l.userid === acct.userid)).toEqual([]);
    expect(store.blobInfo(onlyBlob)).toBeUndefined();
    // its public links and content links are gone too
    expect((await call(emu, 'showpublink', { code: pub.code })).result).toBe(7001);
    expect((await fetch(`http://${link.hosts[0]}${link.path}`)).status).toBe(404);
    // the other user's copy of the same bytes is untouched
    const kept = await expectOk(call(emu, 'getfilelink', { auth: keeper.auth, path: '/same.txt' }));
    const bytes = await (await fetch(`http://${kept.hosts[0]}${kept.path}`)).text();
    expect(bytes).toBe(shared);
    // the address can sign up again, as a new account
    await expectOk(register(acct.mail));
    expect(store.userByEmail(acct.mail)!.userid).not.toBe(acct.userid);
  });
});

describe('newsletter', () => {
  it('subscribe, confirm, check, ask for the leave code, leave', async () => {
    const mail = freshMail('news');
    expect((await call(emu, 'newsletter_subscribe', {})).result).toBe(1033);
    expect((await call(emu, 'newsletter_subscribe', { mail: 'nope' })).result).toBe(2018);
    expect(await call(emu, 'newsletter_subscribe', { mail })).toEqual({ result: 0, verifymail: true });
    const m = await emu.mail.next(mail, { kind: 'newsletter-verify' });
    expect(await call(emu, 'newsletter_verifyemail', { code: m.code! })).toEqual({ result: 0, email: mail });
    expect((await call(emu, 'newsletter_verifyemail', { code: m.code! })).result).toBe(2012);
    expect(await call(emu, 'newsletter_subscribe', { mail })).toEqual({ result: 0, verifymail: false });

    // a confirmed account address needs no mail; newsletter_check reads the caller's own address
    const acct = await newAccount('reader');
    expect(await call(emu, 'newsletter_check', { auth: acct.auth })).toEqual({ result: 0, subscribed: false, verified: false });
    const verify = await emu.mail.next(acct.mail, { kind: 'verifyemail' });
    await expectOk(call(emu, 'verifyemail', { code: verify.code! }));
    expect(await call(emu, 'newsletter_subscribe', { mail: acct.mail })).toEqual({ result: 0, verifymail: false });
    expect(await call(emu, 'newsletter_check', { auth: acct.auth })).toEqual({ result: 0, subscribed: true, verified: true });
    expect((await call(emu, 'newsletter_check', {})).result).toBe(1000);

    // leaving: the answer is the same for listed and unlisted addresses; only listed ones get a mail
    const unlisted = freshMail('unlisted');
    expect(await call(emu, 'newsletter_unsibscribemail', { mail: unlisted })).toEqual({ result: 0 });
    expect(emu.mail.list({ to: unlisted })).toEqual([]);
    expect(await call(emu, 'newsletter_unsibscribemail', { mail: acct.mail })).toEqual({ result: 0 });
    const leave = await emu.mail.next(acct.mail, { kind: 'newsletter-unsubscribe' });
    expect((await call(emu, 'newsletter_unsubscribe', { code: 'nosuchcode' })).result).toBe(2012);
    expect(await call(emu, 'newsletter_unsubscribe', { code: leave.code! })).toEqual({ result: 0 });
    expect(await call(emu, 'newsletter_check', { auth: acct.auth })).toEqual({ result: 0, subscribed: false, verified: false });
  });
});

describe('seeded users', () => {
  it('users from the option log in with their own empty tree, apart from each other', async () => {
    const bob = String((await expectOk(login(BOB.email, BOB.password))).auth);
    const listing = await expectOk(call(emu, 'listfolder', { auth: bob, folderid: 0 }));
    await expectOk(call(emu, 'createfolder', { auth: bob, name: 'bobs', folderid: 0 }));
    const acct = await newAccount('neighbour');
    const bobsFolder = emu.core.store.findChildFolder(emu.core.store.userByEmail(BOB.email)!.rootId, 'bobs')!;
    expect(listing.metadata.folderid).toBe(0);
    expect((await call(emu, 'listfolder', { auth: acct.auth, folderid: bobsFolder.id })).result).toBe(2005);
    expect((await call(emu, 'listfolder', { auth: acct.auth, path: '/bobs' })).result).toBe(2005);
  });
});
