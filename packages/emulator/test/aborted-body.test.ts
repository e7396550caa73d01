// A request body cut by the client, whatever the method does with it, must
// never become an uncaught error (it used to crash the process with
// "client aborted" when nothing was reading the body yet).
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../src/index.js';
import { as } from './helpers.js';

let emu: Emulator;
const uncaught: unknown[] = [];
const onUncaught = (e: unknown) => uncaught.push(e);
beforeAll(async () => {
  emu = await startEmulator({ seed: false, binary: false });
  process.on('uncaughtException', onUncaught);
});
afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await emu.stop();
});

/** Sends a PUT head announcing `length` bytes, `sent` of them, then resets the connection. */
function cutPut(path: string, length: number, sent: number, waitMs: number): Promise<void> {
  const [host, port] = emu.apiHost.split(':');
  return new Promise((resolve) => {
    const s = connect(Number(port), host!, () => {
      s.write(`PUT ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`);
      s.write(Buffer.alloc(sent, 0x61));
      setTimeout(() => {
        s.resetAndDestroy();
        resolve();
      }, waitMs);
    });
    s.on('error', () => resolve());
  });
}

describe('a PUT body cut by the client', () => {
  it('leaves the process without uncaught errors, for methods that read the body and ones that do not', async () => {
    const paths = [
      `/userinfo?auth=${emu.auth}`,
      `/getapiserver`,
      `/uploadfile?auth=${emu.auth}&folderid=0&filename=cut.bin`,
      `/uploadfile?auth=not-a-token&folderid=0&filename=cut.bin`,
      `/nosuchmethod`,
    ];
    for (const path of paths) for (const wait of [0, 20, 100]) await cutPut(path, 100_000, 10, wait);
    // the aborts reach the server after the sockets close
    await new Promise((r) => setTimeout(r, 300));
    expect(uncaught.map(String)).toEqual([]);
    expect((await as(emu, 'userinfo')).result).toBe(0);
    expect((await as(emu, 'stat', { path: '/cut.bin' })).result).toBe(2009);
  });
});
