/**
 * The emulator in a process of its own for the bench (so its memory and
 * event loop are not the client's). It prints its ready line as JSON and
 * takes fault commands over IPC: cut points are drawn here, at random
 * between `min` and `max` bytes.
 */
import { startEmulator } from '@pcloudkit/emulator';

interface DropCommand {
  type: 'drop';
  method: string;
  min: number;
  max: number;
  times: number;
  direction?: 'send' | 'receive';
  scope?: 'request' | 'connection';
}

const emulator = await startEmulator({ port: 0, seed: false });
const cuts: number[] = [];
process.on('message', (message: DropCommand | { type: 'clear' } | { type: 'cuts' } | { type: 'cpu' }) => {
  if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ type: 'cpu', ms: (user + system) / 1000 });
  } else if (message.type === 'clear') {
    emulator.faults.clear();
    cuts.length = 0;
    process.send!({ type: 'ok' });
  } else if (message.type === 'cuts') {
    process.send!({ type: 'cuts', cuts });
  } else {
    const { method, min, max, times, direction, scope } = message;
    emulator.faults.dropAfterBytes(
      method,
      () => {
        const n = min + Math.floor(Math.random() * (max - min));
        cuts.push(n);
        return n;
      },
      { times, direction, scope },
    );
    process.send!({ type: 'ok' });
  }
});
process.on('disconnect', () => void emulator.stop().then(() => process.exit(0)));
console.log(
  JSON.stringify({
    api: emulator.api,
    binapi: `${emulator.binary!.host}:${emulator.binary!.port}`,
    access_token: emulator.access_token,
  }),
);
