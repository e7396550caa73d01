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
 *   (parsed once) in this process. The goal's row lists the folder just
 *   after one of its files was renamed (the emulator renders that file anew
 *   and takes the others from the listing it kept); two rows only inform:
 *   the same listing again unchanged (the kept listing answered as it is),
 *   and the first listing of the folder (everything rendered, one sample).
 *
 * Alone: `pnpm --filter @pcloudkit/bench exec tsx --conditions=source src/run.ts --only emulator`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
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

/** CPU seconds (user + system) a process has used so far, from /proc; 0 where there is none. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
}

interface Round {
  perSecond: number;
  /** Server CPU per request, in µs. */
  cpuMicros: number;
}

/** One round against a server process: its rate and its CPU per request. */
async function round(pool: Pool, pid: number, path: string, expected: string, ms: number): Promise<Round> {
  const cpu = await cpuSeconds(pid);
  const started = performance.now();
  const perSecond = await rate(pool, path, expected, ms);
  const requests = (perSecond * (performance.now() - started)) / 1000;
  return { perSecond, cpuMicros: (((await cpuSeconds(pid)) - cpu) * 1e6) / Math.max(1, requests) };
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

/**
 * A new folder of ENTRIES small files: one upload through the SDK, then
 * copies of it under other names (`copyfile`, 16 in flight), which is much
 * quicker than uploading them all.
 */
async function seedFolder(api: string, token: string, pool: Pool): Promise<number> {
  const client = createClient({ transport: httpTransport(), region: { api: [api] }, auth: { accessToken: token }, timeout: 120_000 });
  let folderid: number;
  let fileid: number;
  try {
    folderid = (await client.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: 'ten-thousand' })).metadata
      .folderid;
    const name = (i: number) => `file-${String(i).padStart(5, '0')}.txt`;
    const up = await client.call<{ metadata: Array<{ fileid: number }> }>(
      'uploadfile',
      { folderid },
      { files: [{ name: name(0), data: new TextEncoder().encode('content of a listed file\n') }] },
    );
    fileid = up.metadata[0]!.fileid;
  } finally {
    await client.close();
  }
  let next = 1;
  await Promise.all(
    Array.from({ length: FLIGHT }, async () => {
      for (let i = next++; i < ENTRIES; i = next++) {
        const path = `/copyfile?fileid=${fileid}&tofolderid=${folderid}&toname=file-${String(i).padStart(5, '0')}.txt&access_token=${encodeURIComponent(token)}`;
        const answer = JSON.parse(await (await pool.request({ path, method: 'GET', headers: KEEP_ALIVE })).body.text()) as {
          result: number;
        };
        if (answer.result !== 0) throw new Error(`copyfile: ${JSON.stringify(answer)}`);
      }
    }),
  );
  return folderid;
}

const emulatorBench: BenchModule = async ({ quick }) => {
  const rounds = quick ? 4 : 10;
  const ms = quick ? 1000 : 1500;
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
    const emulatorRounds: Round[] = [];
    const bareRounds: Round[] = [];
    const bareServer = { pool: barePool, pid: bare.pid!, list: bareRounds };
    const emulatorServer = { pool: emulatorPool, pid: emulator.pid, list: emulatorRounds };
    for (let i = 0; i < rounds; i++) {
      // take turns, the other one first every other round
      for (const s of i % 2 === 0 ? [emulatorServer, bareServer] : [bareServer, emulatorServer]) {
        s.list.push(await round(s.pool, s.pid, userinfoPath, userinfo, ms));
      }
      const last = (list: Round[]) => `${list.at(-1)!.perSecond.toFixed(0)}/s (${list.at(-1)!.cpuMicros.toFixed(0)} µs CPU)`;
      console.error(`round ${i + 1}/${rounds}: emulator ${last(emulatorRounds)}, bare node:http ${last(bareRounds)}`);
    }
    const emulatorRates = emulatorRounds.map((r) => r.perSecond);
    const bareRates = bareRounds.map((r) => r.perSecond);
    const emulatorCpu = median(emulatorRounds.map((r) => r.cpuMicros));
    const bareCpu = median(bareRounds.map((r) => r.cpuMicros));

    // the listing: one request at a time, each followed by JSON.stringify of the answer; each round
    // first renames one of the files (the emulator renders what changed and writes the JSON anew),
    // then lists the folder twice: once just after the change, once again unchanged
    const folderid = await seedFolder(ready.api, token, emulatorPool);
    const auth = `access_token=${encodeURIComponent(token)}`;
    const listPath = `/listfolder?folderid=${folderid}&${auth}`;
    const listTimes: number[] = [];
    const changedTimes: number[] = [];
    const stringifyTimes: number[] = [];
    let bytes = 0;
    const listRounds = quick ? 7 : 21;
    const list = async (): Promise<{ ms: number; answer: { metadata: { contents: Array<{ fileid: number }> } } }> => {
      const t0 = performance.now();
      const text = await (await emulatorPool.request({ path: listPath, method: 'GET', headers: KEEP_ALIVE })).body.text();
      const ms = performance.now() - t0;
      const answer = JSON.parse(text) as { result: number; metadata?: { contents?: Array<{ fileid: number }> } };
      if (answer.result !== 0 || answer.metadata?.contents?.length !== ENTRIES) throw new Error(`listfolder: ${text.slice(0, 200)}`);
      return { ms, answer: answer as { metadata: { contents: Array<{ fileid: number }> } } };
    };
    // the first listing of the folder: nothing of it is kept yet
    const first = await list();
    let fileid = first.answer.metadata.contents[0]!.fileid;
    for (let i = 0; i < listRounds + 2; i++) {
      const renamed = `/renamefile?fileid=${fileid}&toname=renamed-${i}.txt&${auth}`;
      const rename = JSON.parse(await (await emulatorPool.request({ path: renamed, method: 'GET', headers: KEEP_ALIVE })).body.text()) as {
        result: number;
      };
      if (rename.result !== 0) throw new Error(`renamefile: ${JSON.stringify(rename)}`);
      const changed = await list();
      const again = await list();
      const t2 = performance.now();
      bytes = JSON.stringify(again.answer).length;
      const t3 = performance.now();
      fileid = again.answer.metadata.contents[i % ENTRIES]!.fileid;
      // the first two are warm-up
      if (i >= 2) {
        changedTimes.push(changed.ms);
        listTimes.push(again.ms);
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
        note: `undici Pool, ${FLIGHT} connections, keep-alive; median of ${rounds} rounds of ${ms} ms; server CPU per call ${emulatorCpu.toFixed(0)} µs against ${bareCpu.toFixed(0)} µs`,
      }),
      row({
        group: GROUP,
        name: `emulator, listfolder of ${ENTRIES.toLocaleString('en-US')} files just after one of them was renamed (request to last byte)`,
        value: median(changedTimes),
        unit: 'ms',
        anchor: 'JSON.stringify of that answer',
        anchorValue: median(stringifyTimes),
        higherIsBetter: false,
        goal: 0.5,
        note: `${(bytes / 1e6).toFixed(1)} MB of JSON; the renamed file rendered anew, the others from the folder's kept listing; median of ${listRounds}`,
      }),
      row({
        group: GROUP,
        name: `emulator, the same listing again, the folder unchanged`,
        value: median(listTimes),
        unit: 'ms',
        anchor: 'JSON.stringify of that answer',
        anchorValue: median(stringifyTimes),
        higherIsBetter: false,
        note: `informs only: the kept listing answered as it is; median of ${listRounds}`,
      }),
      row({
        group: GROUP,
        name: `emulator, the first listing of the folder`,
        value: first.ms,
        unit: 'ms',
        anchor: 'JSON.stringify of that answer',
        anchorValue: median(stringifyTimes),
        higherIsBetter: false,
        note: 'informs only: every entry rendered and written, nothing kept yet; one sample',
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
