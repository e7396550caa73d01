/**
 * Starts the emulator for the bench in its own process and prints one JSON
 * line with its hosts (`api`, `binapi`) and a ready auth token.
 */
import { startEmulator } from '@pcloudkit/emulator';
import { binaryHost } from '../test/helpers/emulator-port.js';

const emu = await startEmulator({ port: 0, seed: false });
const binapi = await binaryHost(emu);
process.stdout.write(JSON.stringify({ api: emu.api, binapi, auth: emu.auth }) + '\n');
const stop = () => { void emu.stop().then(() => process.exit(0)); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
