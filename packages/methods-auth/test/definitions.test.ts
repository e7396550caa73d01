// Catalogue facts (names, groups, login, params) are checked for every method
// package by packages/catalog/test/sdk-definitions.test.ts; this file keeps
// the SDK's own choices and the token helpers' logic, driven by answers the
// emulator does not send (no `current` mark, a token gone meanwhile, ...).
import { ApiError, createClient, memoryTransport, ProtocolError, type TransportRequest, ValidationError } from '@pcloudkit/core';
import { describe, expect, test } from 'vitest';
import * as pkg from '../src/index.js';

describe('account definitions', () => {
  test('only the reads are safe to repeat', () => {
    expect(pkg.definitions.filter((d) => d.idempotent).map((d) => d.name)).toEqual(['invite', 'listtokens', 'userinvites']);
  });

  test('the plugin has every method but logout, which core’s client.logout() already calls', () => {
    expect(pkg.definitions).toHaveLength(15);
    expect(Object.keys(pkg.account.methods).sort()).toEqual(pkg.definitions.map((d) => d.name).filter((n) => n !== 'logout'));
    const transport = memoryTransport();
    const client = createClient({ transport, auth: { accessToken: 'x' }, retries: 0 }).use(pkg.account);
    expect(typeof client.logout).toBe('function');
    expect('definition' in client.logout).toBe(false);
  });

  test('register refuses anything but termsaccepted: "yes" before sending', async () => {
    const transport = memoryTransport();
    const client = createClient({ transport, retries: 0 }).use(pkg.account);
    const err = await client.register({ termsaccepted: 'no', mail: 'a@b.test', password: 'Secret-9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).param).toBe('termsaccepted');
    expect(transport.requests).toHaveLength(0);
    // the anonymous methods go without credentials, the others with them
    await client.register({ termsaccepted: 'yes', mail: 'a@b.test', password: 'Secret-9' });
    expect(transport.requests[0]!.bearer).toBeUndefined();
  });

  test('codes and passwords never show in error messages', async () => {
    const transport = memoryTransport({ answer: () => ({ result: 2272, error: "Wrong 'password' provided." }) });
    const client = createClient({ transport, auth: { accessToken: 'x' }, retries: 0 }).use(pkg.account);
    const err = (await client.changemail({ password: 'hunter2-secret', code: 'mailed-code-123' }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.result).toBe(2272);
    expect(`${err.message} ${err.stack ?? ''} ${JSON.stringify(err)}`).not.toMatch(/hunter2|mailed-code/);
  });
});

const token = (tokenid: number, extra: Record<string, unknown> = {}) => ({
  tokenid,
  device: `device ${tokenid}`,
  created: 1_700_000_000,
  expires_inactive: 1_800_000_000,
  expires: 1_900_000_000,
  ...extra,
});

/** A client whose server lists `tokens` and answers deletetoken by `onDelete`. */
function server(tokens: Record<string, unknown>[], onDelete: (tokenid: number) => Record<string, unknown> = () => ({ result: 0 })) {
  const transport = memoryTransport({
    answer: (r: TransportRequest) => (r.method === 'listtokens' ? { result: 0, tokens } : onDelete(Number(r.params.tokenid))),
  });
  const client = createClient({ transport, auth: { accessToken: 'x' }, retries: 0 }).use(pkg.account);
  const deleted = () => transport.requests.filter((r) => r.method === 'deletetoken').map((r) => Number(r.params.tokenid));
  return { client, deleted };
}

describe('client.tokens', () => {
  test('list decodes the dates', async () => {
    const { client } = server([token(1), token(2, { current: true })]);
    const tokens = await client.tokens.list();
    expect(tokens.map((t) => t.tokenid)).toEqual([1, 2]);
    expect(tokens[0]!.expires).toBeInstanceOf(Date);
    expect(tokens[0]!.expires_inactive).toBeInstanceOf(Date);
  });

  test('revokeOthers keeps the current token and skips tokens already gone', async () => {
    const { client, deleted } = server([token(1), token(2, { current: true }), token(3), token(4)], (id) =>
      id === 3 ? { result: 2102, error: "Provided 'tokenid' not found." } : { result: 0 },
    );
    const revoked = await client.tokens.revokeOthers();
    expect(deleted()).toEqual([1, 3, 4]);
    expect(revoked.map((t) => t.tokenid)).toEqual([1, 4]);
  });

  test('revokeOthers will not guess which token is in use', async () => {
    const { client, deleted } = server([token(1), token(2)]);
    await expect(client.tokens.revokeOthers()).rejects.toThrow(/no token is marked as the current one.*keep/);
    await expect(client.tokens.revokeOthers()).rejects.toBeInstanceOf(ProtocolError);
    expect(deleted()).toEqual([]);
    expect((await client.tokens.revokeOthers({ keep: 2 })).map((t) => t.tokenid)).toEqual([1]);
    await expect(client.tokens.revokeOthers({ keep: -1 })).rejects.toBeInstanceOf(ValidationError);
  });

  test('revokeOthers stops at the first other error', async () => {
    const { client, deleted } = server([token(1), token(2), token(3, { current: true })], (id) =>
      id === 1 ? { result: 2000, error: 'Log in failed.' } : { result: 0 },
    );
    await expect(client.tokens.revokeOthers()).rejects.toBeInstanceOf(ApiError);
    expect(deleted()).toEqual([1]);
  });

  test('a tokens field that is not an array is a ProtocolError', async () => {
    const transport = memoryTransport({ answer: () => ({ result: 0, tokens: {} }) });
    const client = createClient({ transport, auth: { accessToken: 'x' }, retries: 0 });
    await expect(pkg.listTokens(client)).rejects.toBeInstanceOf(ProtocolError);
  });
});
