import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, ValidationError, createClient, type AuthOptions, type CoreClient, type Transport } from '@pcloudkit/core';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import { binaryTransport } from '../src/index.js';
import { binaryHost } from './helpers/emulator-port.js';

// The binary port keeps the first login of a connection and ignores the
// credentials of later calls on it: one transport shared by several users
// must never put their calls on the same connection.

const second = { email: 'second-user@example.com', password: 'second-secret-9' };

let emu: Emulator;
let host: string;
let transport: Transport;
const clients: CoreClient[] = [];

function clientWith(auth: AuthOptions | undefined): CoreClient {
  const c = createClient({ transport, region: { api: [emu.api], binapi: [host] }, ...(auth ? { auth } : {}), retries: 0 });
  clients.push(c);
  return c;
}

type Me = { email: string; userid: number };

beforeAll(async () => {
  emu = await startEmulator({ port: 0, users: [second] });
  host = await binaryHost(emu);
  // Few connections, so calls have to share them.
  transport = binaryTransport({ tls: false, connections: 2 });
});
afterAll(async () => {
  await transport?.close();
  await emu?.stop();
});

describe('binaryTransport with several users on one transport', () => {
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
