/**
 * The getapiserver rule from pCloud's docs, shown end to end: the emulator
 * suggests a host that cannot be reached; the client tries it, falls back to
 * the region's default host, drops the bad host and keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, defineMethod, type Middleware } from '@pcloudkit/core';
import { httpTransport } from '@pcloudkit/transport-http';
import { startTestEnv, type TestEnv } from '../src/index.js';

/** userinfo as the method plugins define it: a read, so it may go to the default host after any transport failure. */
const userinfo = defineMethod({ name: 'userinfo', group: 'general', idempotent: true });

describe('getapiserver fallback (HTTP)', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv();
  });
  afterAll(() => env.close());

  it('tries the unreachable nearest host once, then stays on the default host', async () => {
    const dead = await env.emulator.faults.unreachableHost();
    env.emulator.faults.setApiServers({ api: [dead] });
    const hosts: string[] = [];
    const record: Middleware = (next) => async (request) => {
      const response = await next(request);
      hosts.push(`${request.method}@${response.host}`);
      return response;
    };
    const seen: string[] = [];
    const transport = httpTransport();
    const spy = {
      ...transport,
      name: transport.name,
      hostKind: transport.hostKind,
      close: () => transport.close(),
      call: (r: Parameters<typeof transport.call>[0]) => {
        seen.push(`${r.method}@${r.host}`);
        return transport.call(r);
      },
    };
    const client = createClient({
      transport: spy,
      region: { api: [env.emulator.api], binapi: [env.emulator.apiHost] },
      auth: { accessToken: env.emulator.access_token },
      nearestHost: true,
      retries: 0,
      middleware: [record],
    });
    const first = (await client.request(userinfo, {})) as { email: string };
    const second = (await client.request(userinfo, {})) as { email: string };
    expect(first.email).toBe(env.emulator.username);
    expect(second.email).toBe(env.emulator.username);
    const deadOrigin = `http://${dead}`;
    expect(seen).toEqual([
      `getapiserver@${env.emulator.api}`,
      `userinfo@${deadOrigin}`,
      `userinfo@${env.emulator.api}`,
      `userinfo@${env.emulator.api}`,
    ]);
    // What answered, as the middleware saw it: never the dead host.
    expect(hosts).toEqual([`getapiserver@${env.emulator.api}`, `userinfo@${env.emulator.api}`, `userinfo@${env.emulator.api}`]);
    expect((await client.hosts()).api).not.toContain(dead);
    await client.close();
  });

  it('uses a reachable suggestion directly', async () => {
    env.emulator.faults.setApiServers({ api: [env.emulator.apiHost] });
    const client = env.client('http', undefined, { nearestHost: true });
    const info = await client.call<{ email: string }>('userinfo');
    expect(info.email).toBe(env.emulator.username);
    expect((await client.hosts()).api[0]).toBe(env.emulator.apiHost);
  });
});
