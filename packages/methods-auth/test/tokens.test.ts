// Token management against the emulator over both transports: listtokens,
// deletetoken, logout and the client.tokens helpers built on them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ApiError, type CoreClient } from '@pcloudkit/core';
import { startTestEnv, transportNames, type TestEnv } from '@pcloudkit/testkit';
import { account, deletetoken, listtokens, logout } from '../src/index.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
  return error as ApiError;
}

describe.each(transportNames)('auth tokens over %s', (kind) => {
  let env: TestEnv;
  let n = 0;
  beforeAll(async () => {
    env = await startTestEnv();
  });
  afterAll(() => env.close());

  /** A fresh user with `count` auth tokens (oldest first) and a client per token. */
  async function userWithTokens(count: number) {
    const username = `tokens-${kind}-${++n}@pcloudkit.test`;
    const password = 'Tokens-Password-9';
    const first = await env.emulator.createUser({ username, password });
    const tokens = [first.auth];
    const anonymous = env.client(kind, null);
    while (tokens.length < count) {
      const r = await anonymous.call<{ auth: string }>('userinfo', { username, password, getauth: 1 }, { auth: false });
      tokens.push(r.auth);
    }
    const clients = tokens.map((authToken) => env.client(kind, { authToken }).use(account));
    return { username, tokens, clients };
  }

  const works = (c: CoreClient) => c.call<{ email: string }>('userinfo');

  test('listtokens: one entry per token, dates decoded, the one in use marked current', async () => {
    const { clients } = await userWithTokens(3);
    const { tokens } = await listtokens(clients[1]!);
    expect(tokens).toHaveLength(3);
    const ids = tokens.map((t) => t.tokenid);
    expect(new Set(ids).size).toBe(3);
    for (const t of tokens) {
      expect(t.created).toBeInstanceOf(Date);
      expect(t.expires.getTime()).toBeGreaterThan(t.created.getTime());
      expect(t.expires_inactive.getTime()).toBeLessThanOrEqual(t.expires.getTime());
      expect(typeof t.device).toBe('string');
    }
    expect(tokens.filter((t) => t.current).map((t) => t.tokenid)).toEqual([ids[1]]);
    // the helper gives the same list
    expect((await clients[2]!.tokens.list()).map((t) => t.tokenid)).toEqual(ids);
  });

  test('tokens.revoke ends that token at once; the others keep working', async () => {
    const { clients } = await userWithTokens(3);
    const [oldest] = await clients[2]!.tokens.list();
    await clients[2]!.tokens.revoke(oldest!.tokenid);
    await apiError(works(clients[0]!), 2000);
    await expect(works(clients[1]!)).resolves.toMatchObject({ result: 0 });
    expect((await clients[2]!.tokens.list()).map((t) => t.tokenid)).not.toContain(oldest!.tokenid);
    // revoking it again: no such token
    await apiError(clients[2]!.tokens.revoke(oldest!.tokenid), 2102);
  });

  test('tokens.revokeOthers signs every other device out and keeps the one in use', async () => {
    const { clients } = await userWithTokens(4);
    const before = await clients[2]!.tokens.list();
    const revoked = await clients[2]!.tokens.revokeOthers();
    expect(revoked.map((t) => t.tokenid)).toEqual(before.filter((t) => !t.current).map((t) => t.tokenid));
    expect(revoked).toHaveLength(3);
    for (const i of [0, 1, 3]) await apiError(works(clients[i]!), 2000);
    const after = await clients[2]!.tokens.list();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ current: true });
    // nothing left to revoke
    expect(await clients[2]!.tokens.revokeOthers()).toEqual([]);
  });

  test('signed in with an OAuth access token, no listed token is the current one: revokeOthers wants keep', async () => {
    const { clients } = await userWithTokens(2);
    const tokens = await clients[0]!.tokens.list();
    const oauth = env.client(kind).use(account); // the demo user's access token
    const demoTokens = await oauth.tokens.list();
    expect(demoTokens.length).toBeGreaterThan(0);
    expect(demoTokens.some((t) => t.current)).toBe(false);
    await expect(oauth.tokens.revokeOthers()).rejects.toThrow(/pass \{ keep: tokenid \}/);
    // the other user's tokens are untouched, and revoking one of them from here is refused
    expect((await clients[0]!.tokens.list()).map((t) => t.tokenid)).toEqual(tokens.map((t) => t.tokenid));
    await apiError(oauth.tokens.revoke(tokens[0]!.tokenid), 2102);
    const kept = demoTokens[0]!.tokenid;
    const revoked = await oauth.tokens.revokeOthers({ keep: kept });
    expect(revoked.map((t) => t.tokenid)).toEqual(demoTokens.slice(1).map((t) => t.tokenid));
    expect((await oauth.tokens.list()).map((t) => t.tokenid)).toEqual([kept]);
  });

  test('deletetoken: missing or unknown tokenid', async () => {
    const { clients } = await userWithTokens(1);
    await apiError(deletetoken(clients[0]!, { tokenid: 987654321 }), 2102);
    await apiError(clients[0]!.call('deletetoken', {}), 1076);
  });

  test('logout revokes the token of the call, on every transport', async () => {
    const { tokens, clients } = await userWithTokens(2);
    const other = kind === 'http' ? 'binary' : 'http';
    const elsewhere = env.client(other, { authToken: tokens[0]! });
    await expect(works(elsewhere)).resolves.toMatchObject({ result: 0 });
    expect(await logout(clients[0]!)).toEqual({ result: 0, auth_deleted: true });
    await apiError(works(clients[0]!), 2000);
    await apiError(works(elsewhere), 2000);
    expect((await clients[1]!.tokens.list()).map((t) => t.current)).toEqual([true]);
  });

  test("core's client.logout() revokes the token and forgets it", async () => {
    const { tokens, clients } = await userWithTokens(2);
    await clients[0]!.logout();
    await apiError(works(env.client(kind, { authToken: tokens[0]! })), 2000);
    expect(await clients[1]!.tokens.list()).toHaveLength(1);
  });
});
