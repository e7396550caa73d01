/**
 * Test helpers shared by the method packages: one emulator per suite and a
 * client per transport, logged in as the demo user unless told otherwise.
 * Private to this repository.
 */
import { createClient, type AuthOptions, type ClientOptions, type CoreClient, type Transport } from '@pcloudkit/core';
import { startEmulator, type Emulator, type EmulatorOptions } from '@pcloudkit/emulator';
import { httpTransport } from '@pcloudkit/transport-http';
import { binaryTransport } from '@pcloudkit/transport-binary';
import { fetchTransport } from '@pcloudkit/transport-fetch';

export type TransportName = 'http' | 'binary' | 'fetch';

/**
 * The transports every integration suite runs over (`PCLOUDKIT_TRANSPORTS=http` narrows it). `fetch` is
 * opt-in (`PCLOUDKIT_TRANSPORTS=http,binary,fetch`): it would add a third run of every suite.
 */
export const transportNames: TransportName[] = (process.env.PCLOUDKIT_TRANSPORTS?.split(',') as TransportName[] | undefined) ?? [
  'http',
  'binary',
];

export interface TestEnv {
  emulator: Emulator;
  /** A new client on the given transport; `auth` defaults to the demo user's access token, `null` means anonymous. */
  client(kind: TransportName, auth?: AuthOptions | null, extra?: Partial<ClientOptions>): CoreClient;
  /** Makes a bare transport of the given kind pointed at the emulator. */
  transport(kind: TransportName): Transport;
  close(): Promise<void>;
}

export async function startTestEnv(options: EmulatorOptions = {}): Promise<TestEnv> {
  const emulator = await startEmulator({ port: 0, ...options });
  const opened: Transport[] = [];
  const binaryHost = () => {
    const b = emulator.binary;
    if (!b) throw new Error('this emulator has no binary port');
    return `${b.host}:${b.port}`;
  };
  const transport = (kind: TransportName): Transport => {
    const t =
      kind === 'http'
        ? httpTransport({ tls: { rejectUnauthorized: false } })
        : kind === 'fetch'
          ? fetchTransport()
          : binaryTransport({ tls: emulator.certificate !== undefined, tlsOptions: { rejectUnauthorized: false } });
    opened.push(t);
    return t;
  };
  return {
    emulator,
    transport,
    client(kind, auth, extra) {
      return createClient({
        transport: transport(kind),
        region: { api: [emulator.api], binapi: kind === 'binary' ? [binaryHost()] : [emulator.apiHost] },
        auth: auth === null ? undefined : (auth ?? { accessToken: emulator.access_token }),
        retries: 0,
        ...extra,
      });
    },
    async close() {
      await Promise.allSettled(opened.map((t) => t.close()));
      await emulator.stop();
    },
  };
}
export { CHROMIUM, launchChromium } from './chromium.js';
export { hoverService, type HoverService } from './hover.js';
export { listenLocal, type LocalServer } from './serve.js';
