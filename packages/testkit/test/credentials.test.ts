/**
 * One transport shared by several users, on both transports. The binary port
 * keeps the first login of a connection and ignores the credentials of later
 * calls on it; with sticky HTTP logins (as pCloud does on keep-alive sockets,
 * and the emulator with `httpStickyAuth`) a socket does the same. So a
 * transport must never put calls with different credentials on the same
 * connection.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ValidationError, createClient, type AuthOptions, type CoreClient, type Transport } from '@pcloudkit/core';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import { binaryTransport } from '@pcloudkit/transport-binary';
import { httpTransport } from '@pcloudkit/transport-http';
import { transportNames } from '../src/index.js';

const second = { email: 'second-user@example.com', password: 'second-secret-9' };

type Me = { email: string; userid: number };

interface Case {
  /** The emulator's binary port or API host, where the transport's calls go. */
  host(emu: Emulator): string;
  sticky: boolean;
  /** Few connections, so calls have to share them. */
  transport(): Transport;
}

const cases: Record<'http' | 'binary', Case> = {
  http: {
    host: (emu) => emu.api,
    sticky: true,
    transport: () => httpTransport({ connections: 2, keepAliveTimeout: 30_000 }),
  },
  binary: {
    host: (emu) => {
      if (!emu.binary) throw new Error('this emulator has no binary port');
      return `${emu.binary.host}:${emu.binary.port}`;
    },
    sticky: false,
    transport: () => binaryTransport({ tls: false, connections: 2 }),
  },
};

// fetch leaves connections to the browser or runtime: nothing of this is its to keep apart.
const names = transportNames.filter((n): n is 'http' | 'binary' => n !== 'fetch');

describe.each(names)('%sTransport with several users on one transport', (name) => {
  const kind = cases[name];
  let emu: Emulator;
  let host: string;
  let transport: Transport;

  function clientWith(auth: AuthOptions | undefined): CoreClient {
    return createClient({
      transport,
      region: { api: [emu.api], binapi: [name === 'binary' ? host : emu.apiHost] },
      ...(auth ? { auth } : {}),
      retries: 0,
    });
  }

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, users: [second], ...(kind.sticky ? { httpStickyAuth: true } : {}) });
    host = kind.host(emu);
    transport = kind.transport();
  });
  afterAll(async () => {
    await transport?.close();
    await emu?.stop();
  });

  it('answers interleaved calls of two users as their own user', async () => {
    const a = clientWith({ accessToken: emu.access_token });
    const b = clientWith({ username: second.email, password: second.password });
    for (let round = 0; round < 3; round++) {
      const calls: Promise<[string, Me]>[] = [];
      for (let i = 0; i < 6; i++) {
        calls.push(a.call<Me>('userinfo').then((me) => ['a', me]));
        calls.push(b.call<Me>('userinfo').then((me) => ['b', me]));
      }
      for (const [who, me] of await Promise.all(calls)) expect(me.email).toBe(who === 'a' ? emu.username : second.email);
    }
  });

  it('never runs an anonymous call as a user logged in earlier', async () => {
    const a = clientWith({ accessToken: emu.access_token });
    const anonymous = clientWith(undefined);
    expect((await a.call<Me>('userinfo')).email).toBe(emu.username);
    // pCloud answers userinfo without credentials with "Log in required" (1000).
    const calls = [anonymous.call('userinfo'), a.call<Me>('userinfo'), anonymous.call('userinfo')];
    const [first, mine, last] = await Promise.allSettled(calls);
    for (const r of [first!, last!]) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ApiError);
      expect(((r as PromiseRejectedResult).reason as ApiError).result).toBe(1000);
    }
    expect((mine! as PromiseFulfilledResult<Me>).value.email).toBe(emu.username);
    // Anonymous methods still work.
    await expect(anonymous.call('getapiserver')).resolves.toMatchObject({ result: 0 });
  });

  it('refuses other credentials on a connectionKey connection before sending', async () => {
    const a = clientWith({ accessToken: emu.access_token });
    const b = clientWith({ username: second.email, password: second.password });
    expect((await b.call<Me>('userinfo')).email).toBe(second.email); // logs b in (getauth) on a pooled connection
    expect((await a.call<Me>('userinfo', {}, { connectionKey: 'shared' })).email).toBe(emu.username);
    await expect(b.call('userinfo', {}, { connectionKey: 'shared' })).rejects.toBeInstanceOf(ValidationError);
    expect((await b.call<Me>('userinfo', {}, { connectionKey: 'b-own' })).email).toBe(second.email);
    await transport.release?.('shared');
    expect((await b.call<Me>('userinfo', {}, { connectionKey: 'shared' })).email).toBe(second.email);
  });

  it('gives connection-bound calls without a key a connection per user', async () => {
    const token = await clientWith(undefined).call<{ auth: string }>('userinfo', {
      username: second.email,
      password: second.password,
      getauth: 1,
    });
    const definition = { connectionBound: true } as never;
    const call = (params: Record<string, string>) => transport.call({ method: 'userinfo', host, params, responseType: 'json', definition });
    const answers = await Promise.all([
      call({ auth: emu.auth }),
      call({ auth: token.auth }),
      call({ auth: emu.auth }),
      call({ auth: token.auth }),
    ]);
    expect(answers.map((r) => (r.result as { email: string }).email)).toEqual([emu.username, second.email, emu.username, second.email]);
    const anonymous = await call({});
    expect((anonymous.result as { result: number }).result).toBe(1000);
  });
});
