/**
 * Command line entry: `node dist/server/main.js [--port N] [--host H] [--no-emulator]`.
 * PORT and HOST environment variables work too (flags win). Prints the URL
 * to open on a line of its own: `Playground: http://127.0.0.1:4310/`.
 */
import { parseUserArg, type SeedUser } from '@pcloudkit/emulator';
import { startPlayground } from './app.js';

function usage(): never {
  console.log(`pcloudkit playground

Usage: node dist/server/main.js [options]

  --port <n>       Port to listen on (env PORT, default 4310; 0 picks a free one)
  --host <h>       Interface to listen on (env HOST, default 127.0.0.1)
  --no-emulator    Do not start the embedded emulator (only the pCloud target works)
  --user <m:p>     One more emulator account, mail:password (repeat for more)
  --help           Show this help`);
  process.exit(0);
}

const args = process.argv.slice(2);
let port = process.env.PORT !== undefined && process.env.PORT !== '' ? Number(process.env.PORT) : 4310;
let host = process.env.HOST || '127.0.0.1';
let emulator = true;
const users: SeedUser[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--help' || a === '-h') usage();
  else if (a === '--port') port = Number(args[++i]);
  else if (a.startsWith('--port=')) port = Number(a.slice(7));
  else if (a === '--host') host = args[++i] ?? host;
  else if (a.startsWith('--host=')) host = a.slice(7);
  else if (a === '--no-emulator') emulator = false;
  else if (a === '--user' || a.startsWith('--user=')) {
    try {
      users.push(parseUserArg(a === '--user' ? (args[++i] ?? '') : a.slice(7)));
    } catch (error) {
      console.error((error as Error).message);
      process.exit(2);
    }
  } else {
    console.error(`unknown option ${a} (try --help)`);
    process.exit(2);
  }
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid port ${String(port)}`);
  process.exit(2);
}

try {
  const app = await startPlayground({ port, host, emulator, users });
  if (app.emulatorApi) console.log(`Emulator: ${app.emulatorApi} (demo account logged in)`);
  else if (emulator) console.log('Emulator: not available, see the Target menu in the page');
  console.log(`Playground: ${app.url}`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'EADDRINUSE') console.error(`Port ${port} is in use: pick another with PORT=<n> or --port <n>.`);
  else console.error(e.message ?? e);
  process.exit(1);
}
