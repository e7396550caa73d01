import { startEmulator } from '@pcloudkit/emulator';
import { type RunOptions, type RunReport, runConformance } from './run.js';

/** Starts an in-process emulator (HTTP and binary port), runs the checker against it and stops it. */
export async function checkEmulator(options: RunOptions = {}): Promise<RunReport> {
  const emu = await startEmulator();
  try {
    if (!emu.binary) throw new Error('the emulator started without its binary port');
    return await runConformance(
      {
        api: emu.api,
        binapi: `${emu.binary.host}:${emu.binary.port}`,
        auth: emu.auth,
        username: emu.username,
        password: emu.password,
        oauthApp: { client_id: emu.client_id, client_secret: emu.client_secret },
      },
      options,
    );
  } finally {
    await emu.stop();
  }
}
