/**
 * The sync plugin against the emulator, twice over: through core's in-memory
 * transport answered by the emulator in-process, and over real HTTP. Each
 * run mirrors a temporary folder, changes it, mirrors again and checks what
 * pCloud (the emulator) holds afterwards, byte for byte.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, createClient, ValidationError } from '@pcloudkit/core';
import { startEmulator, type Emulator } from '@pcloudkit/emulator';
import { file } from '@pcloudkit/methods-file';
import { folder } from '@pcloudkit/methods-folder';
import { streaming } from '@pcloudkit/methods-streaming';
import { httpTransport } from '@pcloudkit/transport-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sync } from '../src/index.js';
import { emulatorMemoryTransport } from './emulator-memory.js';

let emulator: Emulator;
let local: string;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: false });
  local = mkdtempSync(join(tmpdir(), 'pcloud-sync-'));
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(local, { recursive: true, force: true });
});

const transports = {
  memory: () => emulatorMemoryTransport(emulator),
  http: () => httpTransport(),
};

describe.each(Object.keys(transports) as (keyof typeof transports)[])('over the %s transport', (name) => {
  const makeClient = () =>
    createClient({ transport: transports[name](), region: { api: [emulator.api] }, auth: { accessToken: emulator.access_token } })
      .use(sync)
      .use(folder)
      .use(file)
      .use(streaming);

  const remoteText = async (client: ReturnType<typeof makeClient>, path: string) => {
    const answer = await client.gettextfile({ path });
    return new Response(answer.body).text();
  };

  it('uploads a new tree, then only what changed', async () => {
    const client = makeClient();
    const dir = join(local, name);
    mkdirSync(join(dir, 'notes', 'old'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'alpha');
    writeFileSync(join(dir, 'notes', 'b.txt'), 'bravo');
    writeFileSync(join(dir, 'notes', 'old', 'c.txt'), 'charlie');
    const to = `/Sync-${name}`;

    const events: string[] = [];
    const first = await client.syncFolder({ from: dir, to, onFile: (e) => events.push(`${e.action} ${e.path}`) });
    expect(first).toEqual({
      uploaded: ['a.txt', 'notes/b.txt', 'notes/old/c.txt'],
      unchanged: [],
      createdFolders: ['.', 'notes', 'notes/old'],
      bytes: 17,
    });
    expect(events).toEqual(['uploaded a.txt', 'uploaded notes/b.txt', 'uploaded notes/old/c.txt']);
    expect(await remoteText(client, `${to}/notes/old/c.txt`)).toBe('charlie');

    // Same size, other bytes: only the checksum tells them apart.
    writeFileSync(join(dir, 'notes', 'b.txt'), 'BRAVO');
    writeFileSync(join(dir, 'd.txt'), 'delta');
    const dry = await client.syncFolder({ from: dir, to, dryRun: true });
    expect(dry).toEqual({ uploaded: ['d.txt', 'notes/b.txt'], unchanged: ['a.txt', 'notes/old/c.txt'], createdFolders: [], bytes: 10 });
    expect(await remoteText(client, `${to}/notes/b.txt`)).toBe('bravo');

    const second = await client.syncFolder({ from: dir, to });
    expect(second).toEqual({ uploaded: ['d.txt', 'notes/b.txt'], unchanged: ['a.txt', 'notes/old/c.txt'], createdFolders: [], bytes: 10 });
    expect(await remoteText(client, `${to}/notes/b.txt`)).toBe('BRAVO');
    const listed = await client.listfolder({ path: to });
    expect(listed.metadata.contents?.map((m) => m.name).sort()).toEqual(['a.txt', 'd.txt', 'notes']);

    // remoteChecksum is checksumfile under the plugin's name.
    const sum = await client.remoteChecksum({ path: `${to}/a.txt` });
    expect(sum.sha1).toBe(createHash('sha1').update('alpha').digest('hex'));
    await client.close();
  });

  it('creates nothing on a dry run into a missing folder', async () => {
    const client = makeClient();
    const dir = join(local, `${name}-dry`);
    mkdirSync(join(dir, 'x'), { recursive: true });
    writeFileSync(join(dir, 'x', 'y.txt'), 'yankee');
    const report = await client.syncFolder({ from: dir, to: `/Dry-${name}`, dryRun: true });
    expect(report).toEqual({ uploaded: ['x/y.txt'], unchanged: [], createdFolders: ['.', 'x'], bytes: 6 });
    await expect(client.listfolder({ path: `/Dry-${name}` })).rejects.toMatchObject({ result: 2005 });
    await client.close();
  });

  it('refuses bad options before sending anything', async () => {
    const client = makeClient();
    await expect(client.syncFolder({ from: local, to: 'relative/path' })).rejects.toThrow(TypeError);
    await expect(client.syncFolder({ from: join(local, 'nope'), to: '/x' })).rejects.toThrow(/not a folder/);
    // The wrapped method validates like any other.
    await expect(client.remoteChecksum({} as never)).rejects.toBeInstanceOf(ValidationError);
    await client.close();
  });

  it('stops when its signal fires, before the next call', async () => {
    const client = makeClient();
    const dir = join(local, `${name}-abort`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'one.txt'), 'one');
    writeFileSync(join(dir, 'two.txt'), 'two');
    const controller = new AbortController();
    const seen: string[] = [];
    const run = client.syncFolder({
      from: dir,
      to: `/Abort-${name}`,
      signal: controller.signal,
      onFile: (e) => {
        seen.push(e.path);
        controller.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(seen).toEqual(['one.txt']);
    const listed = await client.listfolder({ path: `/Abort-${name}` });
    expect(listed.metadata.contents?.map((m) => m.name)).toEqual(['one.txt']);
    await client.close();
  });

  it('passes pCloud errors through as ApiError', async () => {
    const client = makeClient();
    emulator.faults.failWith('listfolder', 2003, { times: 1 });
    await expect(client.syncFolder({ from: local, to: '/Anywhere' })).rejects.toBeInstanceOf(ApiError);
    await client.close();
  });
});
