import { type Emulator, startEmulator } from '@pcloudkit/emulator';
import { type RunOptions, type RunReport, runConformance, type ServerTarget } from './run.js';

/** What the checker needs to reach an emulator: both ports, its ready token, the demo account and app. */
export function emulatorTarget(emu: Emulator): ServerTarget {
  if (!emu.binary) throw new Error('the emulator runs without its binary port');
  return {
    api: emu.api,
    binapi: `${emu.binary.host}:${emu.binary.port}`,
    auth: emu.auth,
    username: emu.username,
    password: emu.password,
    oauthApp: { client_id: emu.client_id, client_secret: emu.client_secret },
  };
}

/** Starts an in-process emulator (HTTP and binary port), runs the checker against it and stops it. */
export async function checkEmulator(options: RunOptions = {}): Promise<RunReport> {
  const emu = await startEmulator({ allowPrivateDownloads: true });
  try {
    return await runConformance(emulatorTarget(emu), options);
  } finally {
    await emu.stop();
  }
}
