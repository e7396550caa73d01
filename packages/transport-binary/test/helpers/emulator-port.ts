import type { Emulator } from '@pcloudkit/emulator';

/** `host:port` of the binary port startEmulator opened. */
export async function binaryHost(emu: Emulator): Promise<string> {
  if (!emu.binary) throw new Error('this emulator has no binary port');
  return `${emu.binary.host}:${emu.binary.port}`;
}
