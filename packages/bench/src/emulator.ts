/**
 * Goal 7: the emulator as users run it in their test suites.
 *
 * - A small call: `userinfo` answered by the emulator against a bare
 *   `node:http` server (src/bare-server.mjs) that answers every request with
 *   the same JSON text, both in processes of their own, driven by the same
 *   load generator (an undici Pool, 16 requests in flight), in interleaved
 *   rounds.
 * - A big listing: `listfolder` of a folder of 10,000 files, from the request
 *   to the last byte of the answer, against `JSON.stringify` of that answer
 *   (parsed once) in this process.
 *
 * Alone: `pnpm --filter @pcloudkit/bench exec tsx --conditions=source src/run.ts --only emulator`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient } from '@pcloudkit/core';
import { httpTransport } from '@pcloudkit/transport-http';
import { Pool } from 'undici';
import { startEmulatorChild } from './emulator-child.js';
import { type BenchModule, median, type Row, row } from './row.js';

const here = dirname(fileURLToPath(import.meta.url));
const GROUP = '7 emulator';
const FLIGHT = 16;
const ENTRIES = 10_000;
/** pCloud (and so the emulator) closes the connection after a request that does not ask to keep it; the SDK asks. */
const KEEP_ALIVE = { connection: 'keep-alive' };

function startBareServer(body: string): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(resolve(here, 'bare-server.mjs'), [body], { execArgv: [], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the bare server exited early (${code})`)));
    lines.once('line', (line) => ok({ child, url: `http://127.0.0.1:${(JSON.parse(line) as { port: number }).port}` }));
  });
}

/** Requests per second with FLIGHT requests in flight for `ms`; every answer must be the expected text. */
async function rate(pool: Pool, path: string, expected: string, ms: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  const end = start + ms;
  await Promise.all(
    Array.from({ length: FLIGHT }, async () => {
      while (performance.now() < end) {
        const response = await pool.request({ path, method: 'GET', headers: KEEP_ALIVE });
        const text = await response.body.text();
        if (text !== expected) throw new Error(`unexpected answer: ${text.slice(0, 200)}`);
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

/** Adds ENTRIES small files to a new folder through the SDK, in uploads of 500 files. */
async function seedFolder(api: string, token: string): Promise<number> {
  const client = createClient({ transport: httpTransport(), region: { api: [api] }, auth: { accessToken: token }, timeout: 120_000 });
  try {
    const folder = await client.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: 'ten-thousand' });
    const folderid = folder.metadata.folderid;
    const encoder = new TextEncoder();
    for (let at = 0; at < ENTRIES; at += 500) {
      const files = Array.from({ length: Math.min(500, ENTRIES - at) }, (_, i) => ({
        name: `file-${String(at + i).padStart(5, '0')}.txt`,
        data: encoder.encode(`content of file ${at + i}\n`),
      }));
      await client.call('uploadfile', { folderid }, { files });
    }
    return folderid;
  } finally {
    await client.close();
  }
}

const emulatorBench: BenchModule = async ({ quick }) => {
  const rounds = quick ? 3 : 5;
  const ms = quick ? 1000 : 2000;
  const emulator = await startEmulatorChild(['--no-seed']);
  let bare: ChildProcess | undefined;
  const pools: Pool[] = [];
  try {
    const { ready } = emulator;
    const token = ready.access_token as string;
    const emulatorPool = new Pool(ready.api, { connections: FLIGHT });
    pools.push(emulatorPool);
    // the same text from both servers: the emulator's answer, taken once
    const userinfoPath = `/userinfo?access_token=${encodeURIComponent(token)}`;
    const userinfo = await (await emulatorPool.request({ path: userinfoPath, method: 'GET' })).body.text();
    if ((JSON.parse(userinfo) as { result: number }).result !== 0) throw new Error(`userinfo failed: ${userinfo}`);
    const started = await startBareServer(userinfo);
    bare = started.child;
    const barePool = new Pool(started.url, { connections: FLIGHT });
    pools.push(barePool);

    // warm both up, then take turns
    await rate(emulatorPool, userinfoPath, userinfo, 2000);
    await rate(barePool, userinfoPath, userinfo, 1000);
    const emulatorRates: number[] = [];
    const bareRates: number[] = [];
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        emulatorRates.push(await rate(emulatorPool, userinfoPath, userinfo, ms));
        bareRates.push(await rate(barePool, userinfoPath, userinfo, ms));
      } else {
        bareRates.push(await rate(barePool, userinfoPath, userinfo, ms));
        emulatorRates.push(await rate(emulatorPool, userinfoPath, userinfo, ms));
      }
    }

    // the listing: one request at a time, each followed by JSON.stringify of the answer
    const folderid = await seedFolder(ready.api, token);
    const listPath = `/listfolder?folderid=${folderid}&access_token=${encodeURIComponent(token)}`;
    const listTimes: number[] = [];
    const stringifyTimes: number[] = [];
    let bytes = 0;
    const listRounds = quick ? 7 : 21;
    for (let i = 0; i < listRounds + 2; i++) {
      const t0 = performance.now();
      const text = await (await emulatorPool.request({ path: listPath, method: 'GET', headers: KEEP_ALIVE })).body.text();
      const t1 = performance.now();
      const answer = JSON.parse(text) as { result: number; metadata?: { contents?: unknown[] } };
      if (answer.result !== 0 || answer.metadata?.contents?.length !== ENTRIES) throw new Error(`listfolder: ${text.slice(0, 200)}`);
      const t2 = performance.now();
      bytes = JSON.stringify(answer).length;
      const t3 = performance.now();
      // the first two are warm-up
      if (i >= 2) {
        listTimes.push(t1 - t0);
        stringifyTimes.push(t3 - t2);
      }
    }

    const rows: Row[] = [
      row({
        group: GROUP,
        name: `emulator, userinfo, ${FLIGHT} in flight`,
        value: median(emulatorRates),
        unit: 'calls/s',
        anchor: 'bare node:http server, same JSON',
        anchorValue: median(bareRates),
        higherIsBetter: true,
        goal: 0.5,
        note: `undici Pool, ${FLIGHT} connections, keep-alive; median of ${rounds} rounds of ${ms} ms`,
      }),
      row({
        group: GROUP,
        name: `emulator, listfolder of ${ENTRIES.toLocaleString('en-US')} files (request to last byte)`,
        value: median(listTimes),
        unit: 'ms',
        anchor: 'JSON.stringify of that answer',
        anchorValue: median(stringifyTimes),
        higherIsBetter: false,
        goal: 0.5,
        note: `${(bytes / 1e6).toFixed(1)} MB of JSON; median of ${listRounds}`,
      }),
    ];
    return rows;
  } finally {
    await Promise.all(pools.map((p) => p.close()));
    bare?.kill();
    await emulator.stop();
  }
};

export default emulatorBench;
