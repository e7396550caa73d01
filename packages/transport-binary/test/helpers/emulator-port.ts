import type { Emulator } from '@pcloudkit/emulator';

/**
 * `host:port` of the emulator's binary port. Uses the port startEmulator
 * reports (`binary`); for an emulator without one, attaches a port to it.
 */
export async function binaryHost(emu: Emulator): Promise<string> {
  const own = (emu as { binary?: { host: string; port: number } }).binary;
  if (own) return `${own.host}:${own.port}`;
  // emulator: startEmulator does not start the binary port yet; attach one.
  const { startBinaryPort } = await import('../../../emulator/src/binary/index.js');
  const port = await startBinaryPort(emu.core);
  emu.attachTransport({ kind: 'binapi', host: port.hostPort, close: () => port.close() });
  return port.hostPort;
}
