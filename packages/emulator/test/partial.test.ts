import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../src/index.js';
import { as, uniq } from './helpers.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ seed: false });
});
afterAll(async () => {
  await emu.stop();
});

/** Starts a PUT upload announcing 1000 bytes, sends 500 and hangs up. */
async function brokenPut(query: string): Promise<void> {
  const [host, port] = emu.apiHost.split(':');
  await new Promise<void>((resolve) => {
    const s = connect(Number(port), host!, () => {
      s.write(`PUT /uploadfile?${query} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nContent-Length: 1000\r\n\r\n`);
      s.write(Buffer.alloc(500, 7), () => setTimeout(() => s.destroy(), 100));
    });
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
  await new Promise((r) => setTimeout(r, 200));
}

describe('uploads cut short', () => {
  it('leave nothing behind without nopartial either', async () => {
    const name = `${uniq('partial')}.bin`;
    await brokenPut(`auth=${emu.auth}&folderid=0&filename=${name}`);
    expect((await as(emu, 'stat', { path: `/${name}` })).result).toBe(2009);
  });

  it('never replace an existing file with the bytes that arrived', async () => {
    const name = `${uniq('keep')}.bin`;
    const whole = Buffer.alloc(1000, 3);
    const put = await fetch(`${emu.api}/uploadfile?auth=${emu.auth}&folderid=0&filename=${name}`, { method: 'PUT', body: whole });
    expect(((await put.json()) as { result: number }).result).toBe(0);
    await brokenPut(`auth=${emu.auth}&folderid=0&filename=${name}`);
    const s = await as(emu, 'stat', { path: `/${name}` });
    expect(s.metadata.size).toBe(1000);
    expect((await as(emu, 'listrevisions', { path: `/${name}` })).revisions).toHaveLength(0);
  });

  it('leave nothing behind with nopartial', async () => {
    const name = `${uniq('nopartial')}.bin`;
    await brokenPut(`auth=${emu.auth}&folderid=0&filename=${name}&nopartial=1`);
    expect((await as(emu, 'stat', { path: `/${name}` })).result).toBe(2009);
    expect((await as(emu, 'getapiserver')).result).toBe(0);
  });
});
