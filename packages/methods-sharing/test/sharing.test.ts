import { ApiError, ValidationError } from '@pcloudkit/core';
import { startTestEnv, type TestEnv, transportNames } from '@pcloudkit/testkit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { listshares, permissionMask, permissionsOf, sharerequestinfo, sharing } from '../src/index.js';

/** Awaits `promise`, expecting an ApiError with the given code. */
async function apiError(promise: Promise<unknown>, code: number): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).result).toBe(code);
}

type Meta = { folderid: number; name: string; ismine: boolean; userid?: number; cancreate?: boolean; contents?: Meta[] };

describe.each(transportNames)('sharing methods over %s', (kind) => {
  let env: TestEnv;
  const bobLogin = { username: `bob-${kind}@sharing.test`, password: 'Bob-password-1' };
  let alice: ReturnType<typeof makeClient>;
  let bob: ReturnType<typeof makeClient>;
  const makeClient = (auth?: { username: string; password: string }) => env.client(kind, auth).use(sharing);
  let n = 0;

  beforeAll(async () => {
    env = await startTestEnv({ users: [{ email: bobLogin.username, password: bobLogin.password }] });
    alice = makeClient();
    bob = makeClient(bobLogin);
  });
  afterAll(() => env.close());

  const newFolder = async () => {
    const r = await alice.call<{ metadata: Meta }>('createfolder', { folderid: 0, name: `shared-${kind}-${++n}` });
    return r.metadata;
  };
  /** The code of the newest offer mail to Bob. */
  const mailedCode = async () => (await env.emulator.mail.next(bobLogin.username, { kind: 'share' })).code!;

  test('an offer reaches Bob by mail, he reads it without login, accepts it, and the folder is in his tree', async () => {
    const folder = await newFolder();
    await alice.shares.offer({ folderid: folder.folderid, mail: bobLogin.username, permissions: { create: true }, message: 'hi' });
    const code = await mailedCode();

    // no credentials needed for the code
    const anonymous = env.client(kind, null);
    const { share } = await sharerequestinfo(anonymous, { code });
    expect(share).toMatchObject({ folderid: folder.folderid, sharename: folder.name, tomail: bobLogin.username, message: 'hi' });
    expect(permissionsOf(share)).toEqual({ create: true, modify: false, delete: false });
    expect(share.expires).toBeInstanceOf(Date);
    expect(await bob.shares.request(code)).toEqual(share);

    const incoming = (await bob.shares.list()).requests.incoming;
    expect(incoming.map((r) => r.sharerequestid)).toContain(share.sharerequestid);
    await bob.acceptshare({ code, name: 'From Alice' });
    await apiError(sharerequestinfo(anonymous, { code }), 2021);

    const root = await bob.call<{ metadata: Meta }>('listfolder', { folderid: 0 });
    const mounted = root.metadata.contents!.find((m) => m.name === 'From Alice')!;
    expect(mounted).toMatchObject({ folderid: folder.folderid, ismine: false, cancreate: true });
    // Bob may create inside, and what he makes is Alice's
    const made = await bob.call<{ metadata: Meta }>('createfolder', { folderid: folder.folderid, name: 'by bob' });
    expect(made.metadata.ismine).toBe(false);
    const aliceView = await alice.call<{ metadata: Meta }>('listfolder', { folderid: folder.folderid });
    expect(aliceView.metadata.contents!.map((m) => [m.name, m.ismine])).toEqual([['by bob', true]]);

    // the share on both sides, then read only: Bob's next write is refused
    const out = (await alice.shares.list()).shares.outgoing.find((s) => s.folderid === folder.folderid)!;
    expect(out).toMatchObject({ tomail: bobLogin.username, cancreate: true, canmodify: false });
    expect(out.created).toBeInstanceOf(Date);
    await alice.shares.change(out.shareid, {});
    await apiError(bob.call('createfolder', { folderid: folder.folderid, name: 'again' }), 2003);
    const theirs = (await bob.shares.list()).shares.incoming.find((s) => s.shareid === out.shareid)!;
    expect(permissionsOf(theirs)).toEqual({ create: false, modify: false, delete: false });

    // removed by Bob: gone from his tree, still Alice's
    await bob.removeshare({ shareid: out.shareid });
    await apiError(bob.call('listfolder', { folderid: folder.folderid }), 2005);
    expect((await alice.call<{ metadata: Meta }>('listfolder', { folderid: folder.folderid })).metadata.ismine).toBe(true);
  });

  test('decline, cancel, and the refusals of pCloud', async () => {
    const folder = await newFolder();
    await alice.sharefolder({ folderid: folder.folderid, mail: bobLogin.username, permissions: permissionMask({}) });
    const code = await mailedCode();
    await bob.declineshare({ code });
    await apiError(bob.acceptshare({ code }), 2021);

    await alice.shares.offer({ path: `/${folder.name}`, mail: bobLogin.username });
    await mailedCode();
    const offered = (await alice.listshares({ noshares: true, noincoming: true })).requests!.outgoing!;
    const mine = offered.find((r) => r.folderid === folder.folderid)!;
    expect(mine.tomail).toBe(bobLogin.username);
    await apiError(alice.shares.offer({ folderid: folder.folderid, mail: bobLogin.username }), 2019);
    await alice.cancelsharerequest({ sharerequestid: mine.sharerequestid });
    expect((await bob.shares.list()).requests.incoming.some((r) => r.sharerequestid === mine.sharerequestid)).toBe(false);

    await apiError(alice.shares.offer({ folderid: 0, mail: bobLogin.username }), 2015);
    await apiError(alice.shares.offer({ folderid: folder.folderid, mail: 'not an address' }), 2018);
    await apiError(bob.removeshare({ shareid: 999_999 }), 2025);
    // the raw list keeps what the server sent: sections left out are absent
    const raw = await listshares(bob, { norequests: true });
    expect(raw.requests).toBeUndefined();
  });

  test('bad input is refused before anything is sent', async () => {
    await expect(alice.sharefolder({ folderid: 1, mail: 'x@y.z', permissions: 8 })).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error: one of sharerequestid / code is required
    await expect(bob.acceptshare({})).rejects.toBeInstanceOf(ValidationError);
    // @ts-expect-error: 'read' is no permission name
    await expect(alice.shares.offer({ folderid: 1, mail: 'x@y.z', permissions: { read: true } })).rejects.toThrow(
      /unknown permission 'read'/,
    );
    await expect(alice.shares.change(1, { create: 'yes' as unknown as boolean })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('permission names', () => {
  test('masks are the sums of pCloud bits', () => {
    expect(permissionMask({})).toBe(0);
    expect(permissionMask({ create: true })).toBe(1);
    expect(permissionMask({ modify: true, delete: false })).toBe(2);
    expect(permissionMask({ create: true, modify: true, delete: true })).toBe(7);
    expect(permissionsOf({ cancreate: false, canmodify: true, candelete: true })).toEqual({ create: false, modify: true, delete: true });
  });
});
