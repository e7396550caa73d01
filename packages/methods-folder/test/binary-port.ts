import type { TestEnv } from '@pcloudkit/testkit';

/**
 * emulator: startEmulator does not open its binary port yet, so testkit's
 * binary clients have no host. Until it does, attach the emulator's own
 * binary server to it here. Does nothing once the emulator reports `binary`.
 */
export async function ensureBinaryPort(env: TestEnv): Promise<void> {
  const emu = env.emulator as TestEnv['emulator'] & { binary?: { host: string; port: number } };
  if (emu.binary) return;
  const { startBinaryPort } = await import('../../emulator/src/binary/index.js');
  const port = await startBinaryPort(emu.core);
  emu.attachTransport({ kind: 'binapi', host: port.hostPort, close: () => port.close() });
  const [host, portNumber] = port.hostPort.split(':');
  Object.defineProperty(emu, 'binary', { value: { host, port: Number(portNumber) }, configurable: true });
}
