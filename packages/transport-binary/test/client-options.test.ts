// Failures that say what happened, over the binary protocol: an unknown method, TLS spoken
// to a plain-TCP port, a call after close().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransportError, createClient, type CoreClient } from '@pcloudkit/core';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import { binaryTransport } from '../src/index.js';
import { binaryHost } from './helpers/emulator-port.js';

let emu: Emulator;
let host: string;
let client: CoreClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  host = await binaryHost(emu);
  client = createClient({
    transport: binaryTransport({ tls: false }),
    region: { api: [emu.api], binapi: [host] },
    auth: { accessToken: emu.access_token },
    retries: 0,
  });
});
afterAll(async () => {
  await client?.close();
  await emu?.stop();
});

describe('binary transport failures', () => {
  it('an unknown method: the server hung up, and the error says it may not know the method', async () => {
    const error = await client.call('nosuchmethod').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(
      /closed the connection before answering nosuchmethod; the server may not know the method 'nosuchmethod'/,
    );
    expect((await client.call<{ result: number }>('getdigest', {}, { auth: false })).result).toBe(0);
  });

  it('TLS against a plain-TCP port fails within the connect timeout, retries included, and says the port may not speak TLS', async () => {
    const c = createClient({
      transport: binaryTransport({ connectTimeout: 1500 }), // tls is on by default
      region: { api: [emu.api], binapi: [host] },
      retries: 2,
    });
    const started = Date.now();
    const error = await c.call('getdigest').catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ network: true });
    // on Node 20 the handshake waits out the connect timeout; on Node 24 the emulator's binary port hangs up on the ClientHello at once
    expect((error as Error).message).toMatch(
      /(timed out after 1500 ms: .*answered no TLS handshake; it may not speak TLS|the TLS handshake failed, the port may not speak TLS).*tls: false/,
    );
    // one connect timeout and the retry delays, not one connect timeout per attempt
    expect(took).toBeLessThan(2900);
    await c.close();
  });

  it('a call after close() fails at once, on the client and on the bare transport', async () => {
    const transport = binaryTransport({ tls: false });
    const c = createClient({ transport, region: { api: [emu.api], binapi: [host] } });
    await c.call('getdigest');
    await c.close();
    const onClient = await c.call('getdigest').catch((e: unknown) => e);
    expect(onClient).toBeInstanceOf(TransportError);
    expect((onClient as Error).message).toBe('getdigest: the client is closed');
    const onTransport = await transport
      .call({ method: 'getdigest', host, params: {}, responseType: 'json' } as never)
      .catch((e: unknown) => e);
    expect(onTransport).toBeInstanceOf(TransportError);
    expect((onTransport as Error).message).toBe('binary: the transport is closed');
  });
});
