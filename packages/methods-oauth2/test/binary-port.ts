import type { TestEnv } from '@pcloudkit/testkit';

type WithBinary = TestEnv['emulator'] & { binary?: { host: string; port: number } };

/**
 * emulator: `startEmulator` does not open its binary-protocol port yet, so
 * testkit's binary clients have no host to talk to. Until it does, start the
 * emulator's own binary server on the same core and announce it the way
 * testkit expects (`emulator.binary`). Once the emulator opens the port
 * itself this returns at once.
 */
export async function attachBinaryPort(env: TestEnv): Promise<void> {
  const emulator = env.emulator as WithBinary;
  if (emulator.binary) return;
  const { startBinaryPort } = await import('../../emulator/src/binary/index.js');
  const server = await startBinaryPort(emulator.core);
  emulator.attachTransport({ kind: 'binapi', host: server.hostPort, close: () => server.close() });
  const colon = server.hostPort.lastIndexOf(':');
  const binary = { host: server.hostPort.slice(0, colon), port: Number(server.hostPort.slice(colon + 1)) };
  Object.defineProperty(emulator, 'binary', { value: binary, configurable: true });
}
