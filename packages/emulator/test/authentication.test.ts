import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ApiError,
  Authenticator,
  ConnectionState,
  Params,
  passwordDigest,
  startEmulator,
  type AuthOptions,
  type Emulator,
  type RawParam,
} from '../src/index.js';

// The authenticator runs against the store of a real emulator; a hand-moved
// clock stands in for time so expiry is exact.
let emu: Emulator;
let user: { userid: number; auth: string };
const USERNAME = 'auth-unit@example.test';
const PASSWORD = 'auth-unit-password';

beforeAll(async () => {
  emu = await startEmulator({ seed: false, binary: false });
  user = await emu.createUser({ username: USERNAME, password: PASSWORD });
});
afterAll(async () => {
  await emu.stop();
});

let clock = 0;
let auth: Authenticator;
const options: AuthOptions = {
  digestTtlMs: 1000,
  loginFailureLimit: 3,
  loginFailureWindowMs: 5000,
  oauthCodeTtlMs: 2000,
  now: () => clock,
};
beforeEach(() => {
  clock = 1_000_000;
  auth = new Authenticator(emu.core.store, options);
});

const conn = (remoteAddress = '10.0.0.1', stickyAuth = false) => new ConnectionState({ remoteAddress, stickyAuth });
const identify = (c: ConnectionState, params: Record<string, RawParam>, bearer?: string) =>
  auth.identify(c, new Params(params), { bearer, checkCredentials: true });

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return undefined;
}

describe('logins', () => {
  it('resolves auth tokens, passwords and md5 passwords; wrong tokens give 2000 / 2094', () => {
    expect(identify(conn(), { auth: user.auth })?.user.userid).toBe(user.userid);
    expect(identify(conn(), {}, user.auth)?.user.userid).toBe(user.userid);
    expect(identify(conn(), { username: USERNAME, password: PASSWORD })).toMatchObject({
      user: { userid: user.userid },
      token: undefined,
      fresh: true,
    });
    expect(code(() => identify(conn(), { auth: 'not-a-token' }))).toBe(2000);
    expect(code(() => identify(conn(), { access_token: 'not-a-token' }))).toBe(2094);
    expect(identify(conn(), {})).toBeUndefined();
    expect(auth.identify(conn(), new Params({ auth: 'not-a-token' }), { checkCredentials: false })).toBeUndefined();
  });

  it('keeps a login on a sticky connection until logout', () => {
    const c = conn('10.0.0.2', true);
    identify(c, { username: USERNAME, password: PASSWORD });
    expect(identify(c, { auth: 'ignored on a logged-in connection' })).toMatchObject({ user: { userid: user.userid }, fresh: false });
    auth.logout(c);
    expect(identify(c, {})).toBeUndefined();
  });

  it('answers getauth with the token used, or a new auth token', () => {
    const byToken = identify(conn(), { auth: user.auth })!;
    expect(auth.tokenForReply(byToken, 'unit')).toBe(user.auth);
    const byPassword = identify(conn(), { username: USERNAME, password: PASSWORD })!;
    const fresh = auth.tokenForReply(byPassword, 'unit');
    expect(fresh).not.toBe(user.auth);
    expect(identify(conn(), { auth: fresh })?.user.userid).toBe(user.userid);
  });
});

describe('digests', () => {
  it('are single use', () => {
    const { digest, expires } = auth.newDigest();
    expect(expires).toBe(clock + 1000);
    const params = { username: USERNAME, digest, passworddigest: passwordDigest(PASSWORD, USERNAME, digest) };
    expect(identify(conn(), params)?.user.userid).toBe(user.userid);
    expect(code(() => identify(conn(), params))).toBe(2000);
  });

  it('expire after digestTtlMs', () => {
    const a = auth.newDigest();
    const b = auth.newDigest();
    clock += 1000;
    expect(auth.takeDigest(a.digest)).toBe(true);
    clock += 1;
    expect(
      code(() => identify(conn(), { username: USERNAME, digest: b.digest, passworddigest: passwordDigest(PASSWORD, USERNAME, b.digest) })),
    ).toBe(2000);
    expect(auth.takeDigest('never-issued')).toBe(false);
  });

  it('need the right password digest', () => {
    const { digest } = auth.newDigest();
    expect(code(() => identify(conn(), { username: USERNAME, digest, passworddigest: passwordDigest('wrong', USERNAME, digest) }))).toBe(
      2000,
    );
  });
});

describe('login failure limit', () => {
  it('answers 4000 after loginFailureLimit failures from one address, within the window only', () => {
    const c = conn('10.0.0.3');
    for (let i = 0; i < 3; i++) expect(code(() => identify(c, { username: USERNAME, password: 'wrong' }))).toBe(2000);
    // even the right password is refused now, from this address only
    expect(code(() => identify(c, { username: USERNAME, password: PASSWORD }))).toBe(4000);
    expect(identify(conn('10.0.0.4'), { username: USERNAME, password: PASSWORD })?.user.userid).toBe(user.userid);
    // token logins are not password logins
    expect(identify(c, { auth: user.auth })?.user.userid).toBe(user.userid);
    clock += 5000;
    expect(identify(c, { username: USERNAME, password: PASSWORD })?.user.userid).toBe(user.userid);
  });

  it('counts unknown users and wrong digests too, per account and address', () => {
    const c = conn('10.0.0.5');
    for (let i = 0; i < 3; i++) expect(code(() => identify(c, { username: 'nobody@example.test', password: 'x' }))).toBe(2000);
    expect(code(() => auth.passwordLogin('10.0.0.5', 'Nobody@Example.test', () => true))).toBe(4000);
    // another account from the same address is not blocked by them
    expect(code(() => identify(c, { username: USERNAME, passwordmd5: '00' }))).toBe(2000);
    expect(code(() => identify(c, { username: USERNAME, digest: 'never-issued', passworddigest: '00' }))).toBe(2000);
    expect(code(() => identify(c, { username: USERNAME, password: 'wrong' }))).toBe(2000);
    expect(code(() => auth.passwordLogin('10.0.0.5', USERNAME, () => true))).toBe(4000);
  });
});

describe('OAuth2 codes', () => {
  it('redeem once for the app they were issued to', () => {
    const c = auth.issueCode({ clientId: 'app-a', userid: user.userid, redirectUri: undefined });
    expect(code(() => auth.redeemCode(c, 'app-b'))).toBe(2012);
    expect(auth.redeemCode(c, 'app-a')).toMatchObject({ clientId: 'app-a', userid: user.userid, expires: clock + 2000 });
    expect(code(() => auth.redeemCode(c, 'app-a'))).toBe(2012);
    expect(code(() => auth.redeemCode('never-issued', 'app-a'))).toBe(2012);
  });

  it('expire after oauthCodeTtlMs, and an expired code is used up', () => {
    const fresh = auth.issueCode({ clientId: 'app-a', userid: user.userid, redirectUri: 'http://127.0.0.1:9/cb' });
    const old = auth.issueCode({ clientId: 'app-a', userid: user.userid, redirectUri: undefined });
    clock += 2000;
    expect(auth.redeemCode(fresh, 'app-a').redirectUri).toBe('http://127.0.0.1:9/cb');
    clock += 1;
    expect(code(() => auth.redeemCode(old, 'app-a'))).toBe(2074);
    expect(code(() => auth.redeemCode(old, 'app-a'))).toBe(2012);
  });
});
