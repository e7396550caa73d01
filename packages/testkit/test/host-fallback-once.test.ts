/**
 * With `nearestHost`, a call whose answer is cut on the suggested host after
 * the server ran it is not sent again to the default host (it would run
 * twice); an idempotent call is, and one that never reached the server is.
 */
import { ApiError, defineMethod, TransportError } from '@pcloudkit/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv, type TransportName } from '../src/index.js';

const kinds: TransportName[] = ['http', 'fetch', 'binary'];

/** A read, marked idempotent as the method plugins mark theirs. */
const userinfo = defineMethod({ name: 'userinfo', group: 'general', idempotent: true });

describe.each(kinds)('nearestHost fallback over %s', (kind) => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv();
    // the suggestion reaches the same emulator under another name, so both hosts share its state
    const port = new URL(env.emulator.api).port;
    env.emulator.faults.setApiServers({ api: [`localhost:${port}`], binapi: [`localhost:${env.emulator.binary!.port}`] });
  });
  afterAll(() => env.close());

  it('a createfolder whose answer is cut on the suggested host fails clearly and runs once', async () => {
    const client = env.client(kind, undefined, { nearestHost: true, retries: 0 });
    await client.call('getapiserver');
    const name = `once-${kind}-${Date.now()}`;
    env.emulator.faults.dropAfterBytes('createfolder', 10, { times: 1 });
    const error = await client.call('createfolder', { folderid: 0, name }).catch((e: unknown) => e);
    env.emulator.faults.clear();
    env.emulator.faults.setApiServers({
      api: [`localhost:${new URL(env.emulator.api).port}`],
      binapi: [`localhost:${env.emulator.binary!.port}`],
    });
    // not the 2004 (already exists) a second run on the default host answers
    expect(error).not.toBeInstanceOf(ApiError);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).network).toBe(false);
    const listed = await client.call<{ metadata: { contents: { name: string }[] } }>('listfolder', { folderid: 0 });
    expect(listed.metadata.contents.filter((c) => c.name === name)).toHaveLength(1);
    await client.close();
  });

  it('an idempotent call whose answer is cut on the suggested host is answered by the default host', async () => {
    const client = env.client(kind, undefined, { nearestHost: true, retries: 0 });
    await client.call('getapiserver');
    env.emulator.faults.dropAfterBytes('userinfo', 10, { times: 1 });
    const info = (await client.request(userinfo, {})) as { email: string };
    env.emulator.faults.clear();
    expect(info.email).toBe(env.emulator.username);
    await client.close();
  });
});
