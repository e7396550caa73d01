// The account methods against the emulator over both transports, and the
// flows that go through the mailbox (sign-up, forgotten password, change of
// address, deactivation, invitations), each code read from the emulator's
// outbox as a user would read it from their mail.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, type CoreClient } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { account } from '../src/index.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected pCloud error ${code}`).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
  return error as ApiError;
}

const PASSWORD = 'Correct-Horse-7';

describe.each(transportNames)('account methods over %s', (kind) => {
  let env: TestEnv;
  let anonymous: ReturnType<typeof anon>;
  let n = 0;
  const anon = () => env.client(kind, null).use(account);
  const signedIn = (username: string, password = PASSWORD) => env.client(kind, { username, password }).use(account);
  const address = (what: string) => `${what}-${kind}-${++n}@pcloudkit.test`;
  /** The code of the next mail of `mailKind` to `to`, as the user would copy it. */
  const codeFrom = async (to: string, mailKind: string) => {
    const mail = await env.emulator.mail.next(to, { kind: mailKind });
    expect(mail.code, `${mailKind} mail to ${to} has a code`).toBeTruthy();
    expect(mail.text).toContain(mail.code!);
    return mail.code!;
  };
  const noMailTo = (to: string) => env.emulator.mail.list({ to });
  const userinfo = (c: CoreClient) => c.call<{ email: string; userid: number; emailverified: boolean; language: string }>('userinfo');

  /** A registered and verified account. */
  async function member(what: string) {
    const mail = address(what);
    await anonymous.register({ termsaccepted: 'yes', mail, password: PASSWORD });
    await anonymous.verifyemail({ code: await codeFrom(mail, 'verifyemail') });
    return { mail, client: signedIn(mail) };
  }

  beforeAll(async () => {
    env = await startTestEnv();
    anonymous = anon();
  });
  afterAll(() => env.close());

  test('sign up and verify: register, the mailed code, verifyemail', async () => {
    const mail = address('new');
    expect(await anonymous.register({ termsaccepted: 'yes', mail, password: PASSWORD, language: 'de' })).toEqual({ result: 0 });
    const me = signedIn(mail);
    expect(await userinfo(me)).toMatchObject({ email: mail, emailverified: false, language: 'de' });

    // the first mail may get lost: ask for another one, either code works once
    const first = await codeFrom(mail, 'verifyemail');
    await me.sendverificationemail();
    const second = await codeFrom(mail, 'verifyemail');
    expect(second).not.toBe(first);
    const verified = await anonymous.verifyemail({ code: second });
    expect(verified).toEqual({ result: 0, email: mail, userid: (await userinfo(me)).userid });
    expect((await userinfo(me)).emailverified).toBe(true);

    await apiError(anonymous.verifyemail({ code: second }), 2012); // used
    await apiError(anonymous.verifyemail({ code: first }), 2012); // the other code is void once the address is confirmed
    await apiError(me.sendverificationemail(), 2013);
  });

  test('register refuses taken and invalid addresses, and passwords that break the rules', async () => {
    const { mail } = await member('taken');
    const fresh = address('rules');
    await apiError(anonymous.register({ termsaccepted: 'yes', mail, password: PASSWORD }), 2038);
    await apiError(anonymous.register({ termsaccepted: 'yes', mail: 'not-an-address', password: PASSWORD }), 2018);
    await apiError(anonymous.register({ termsaccepted: 'yes', mail: fresh, password: 'Ab1' }), 2032);
    await apiError(anonymous.register({ termsaccepted: 'yes', mail: fresh, password: ' Spaced-out-9' }), 2033);
    await apiError(anonymous.register({ termsaccepted: 'yes', mail: fresh, password: 'aabbaabb' }), 2034);
    await apiError(anonymous.register({ termsaccepted: 'yes', mail: fresh, password: 'abcdefgh' }), 2035);
    // the SDK refuses anything but 'yes' before sending; the server's own answer, by a raw call
    await apiError(anonymous.call('register', { termsaccepted: 'no', mail: fresh, password: PASSWORD }, { auth: false }), 2037);
    expect(noMailTo(fresh)).toEqual([]);
  });

  test('forgot password: lostpassword, the mailed code, resetpassword', async () => {
    const { mail, client: before } = await member('forgot');
    await userinfo(before);
    expect(await anonymous.lostpassword({ mail })).toEqual({ result: 0 });
    const code = await codeFrom(mail, 'resetpassword');
    await apiError(anonymous.resetpassword({ code, newpassword: 'short' }), 2032);
    await anonymous.resetpassword({ code, newpassword: 'Fresh-Start-42' });
    // every session ends and the old password is gone
    await apiError(userinfo(before), 2000);
    await apiError(userinfo(signedIn(mail)), 2000);
    expect((await userinfo(signedIn(mail, 'Fresh-Start-42'))).email).toBe(mail);
    await apiError(anonymous.resetpassword({ code, newpassword: 'Another-One-43' }), 2012);

    // an address without an account: the same answer, and no mail
    const nobody = address('nobody');
    expect(await anonymous.lostpassword({ mail: nobody })).toEqual({ result: 0 });
    expect(noMailTo(nobody)).toEqual([]);
  });

  test('changepassword checks the old one and ends the other sessions', async () => {
    const { mail, client } = await member('change');
    const otherDevice = signedIn(mail);
    await userinfo(otherDevice);
    await userinfo(client);
    await apiError(client.changepassword({ oldpassword: 'Wrong-Password-1', newpassword: 'Brand-New-55' }), 2031);
    await apiError(client.changepassword({ oldpassword: PASSWORD, newpassword: PASSWORD }), 2030);
    await apiError(client.changepassword({ oldpassword: PASSWORD, newpassword: 'qwerty' }), 2035);
    expect(await client.changepassword({ oldpassword: PASSWORD, newpassword: 'Brand-New-55' })).toEqual({ result: 0 });
    await expect(userinfo(client)).resolves.toMatchObject({ email: mail });
    await apiError(userinfo(otherDevice), 2000);
    await expect(userinfo(signedIn(mail, 'Brand-New-55'))).resolves.toMatchObject({ email: mail });
  });

  test('change of address: sendchangemail, sendchangemail with the new address and code, changemail', async () => {
    const { mail, client } = await member('moving');
    const next = address('moved');
    await client.sendchangemail();
    const fromOld = await codeFrom(mail, 'changemail-old');
    await apiError(client.sendchangemail({ newmail: mail, code: fromOld }), 2271);
    await client.sendchangemail();
    const again = await codeFrom(mail, 'changemail-old');
    await client.sendchangemail({ newmail: next, code: again });
    const fromNew = await codeFrom(next, 'changemail-new');
    await apiError(client.changemail({ password: 'Wrong-Password-1', code: fromNew }), 2272);
    expect(await client.changemail({ password: PASSWORD, code: fromNew })).toEqual({ result: 0 });
    expect((await userinfo(client)).email).toBe(next);
    // the old address is told
    expect((await env.emulator.mail.next(mail, { kind: 'changemail-done' })).text).toContain(next);
    await apiError(client.changemail({ password: PASSWORD, code: fromNew }), 2012);
    // the new address signs in; the old one no longer does
    await expect(userinfo(signedIn(next))).resolves.toMatchObject({ email: next });
    await apiError(userinfo(signedIn(mail)), 2000);
  });

  test('sendchangemail refuses an address in use and codes of other users', async () => {
    const { client } = await member('mover');
    const { mail: taken, client: other } = await member('holder');
    await client.sendchangemail();
    const code = await codeFrom((await userinfo(client)).email, 'changemail-old');
    await apiError(other.sendchangemail({ newmail: address('thief'), code }), 2012);
    await apiError(client.sendchangemail({ newmail: taken, code }), 2038);
    await apiError(client.sendchangemail({ newmail: address('x'), code: 'made-up-code' }), 2012);
  });

  test('deactivate: senddeactivatemail, the mailed code, deactivateuser', async () => {
    const { mail, client } = await member('leaving');
    await client.call('createfolder', { folderid: 0, name: 'to be deleted' });
    await client.senddeactivatemail();
    const code = await codeFrom(mail, 'deactivate');
    await apiError(client.deactivateuser({ password: 'Wrong-Password-1', code }), 2272);
    await apiError(client.deactivateuser({ password: PASSWORD, code: 'made-up-code' }), 2012);
    expect(await client.deactivateuser({ password: PASSWORD, code })).toEqual({ result: 0 });
    await apiError(userinfo(signedIn(mail)), 2000);
    // the address is free again
    await anonymous.register({ termsaccepted: 'yes', mail, password: PASSWORD });
    const reborn = signedIn(mail);
    const root = await reborn.call<{ metadata: { contents: unknown[] } }>('listfolder', { folderid: 0 });
    expect(root.metadata.contents).toEqual([]);
  });

  test('invite and userinvites: the referral link, then who signed up with it', async () => {
    const { mail, client } = await member('inviter');
    const { url, spacelimitreached } = await client.invite();
    const { userid } = await userinfo(client);
    expect(url).toMatch(/^https?:\/\//);
    expect(url).toContain(String(userid));
    expect(spacelimitreached).toBe(false);
    expect(await client.userinvites()).toEqual({ result: 0, invites: [] });

    const friend = address('friend');
    await anonymous.register({ termsaccepted: 'yes', mail: friend, password: PASSWORD, referer: userid });
    expect((await env.emulator.mail.next(mail, { kind: 'invite' })).to).toBe(mail);
    const [pending] = (await client.userinvites()).invites;
    expect(pending!.email).toMatch(/\*\*\*@pcloudkit\.test$/);
    expect(pending!.email).not.toBe(friend);
    expect(Boolean(pending!.is_pending)).toBe(true);
    await anonymous.verifyemail({ code: await codeFrom(friend, 'verifyemail') });
    expect(Boolean((await client.userinvites()).invites[0]!.is_pending)).toBe(false);
  });

  test('the signed-in methods need a login', async () => {
    await apiError(anonymous.call('invite', {}, { auth: false }), 1000);
    await apiError(anonymous.call('senddeactivatemail', {}, { auth: false }), 1000);
  });
});
