/**
 * Small calls (`userinfo`) against the emulator in a child process, four
 * clients side by side: bare undici + `JSON.parse` (the floor), pcloud-sdk-js
 * 2.x, pcloudkit over HTTP and pcloudkit over the binary protocol (every call
 * pipelined on one connection). Each runs with 16 calls in flight and with 1,
 * in interleaved rounds (the clients take turns within a round, so drift of
 * the machine hits all alike); the rows hold the medians. Client CPU per call
 * comes from `process.cpuUsage` of this process (the emulator's CPU is its
 * child's).
 *
 * pcloudkit is measured as users get it: the built packages (`dist`), so the
 * script runs without the `source` export condition (`pnpm bench` builds them
 * first). Run with `--conditions=source`, the clients would be tsx-compiled
 * sources, with helpers users never pay for; the rows then say so.
 *
 * Alone, after a build: `pnpm --filter @pcloudkit/bench exec tsx src/calls.ts [--quick]`.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { createClient } from '@pcloudkit/core';
import { general } from '@pcloudkit/methods-general';
import { binaryTransport } from '@pcloudkit/transport-binary';
import { httpTransport } from '@pcloudkit/transport-http';
import { Pool } from 'undici';
import { startEmulatorChild, type ReadyLine } from './emulator-child.js';
import { type BenchModule, type Row, median, row } from './row.js';

/** One measured client: `call(i)` makes one `userinfo` call (`i` is unique per call), `close()` frees its sockets. */
interface Contender {
  name: string;
  call(i: number): Promise<unknown>;
  close(): Promise<void>;
}

interface Sample {
  perSecond: number;
  cpuMicros: number;
  /** The emulator's CPU per call, where the system tells it (Linux `/proc`); NaN elsewhere. */
  serverMicros: number;
}

/** CPU time used so far by process `pid`, in µs, from `/proc/<pid>/stat` (clock ticks of 10 ms); NaN where there is no `/proc`. */
function processCpu(pid: number): number {
  try {
    // the fields after the command name (which may hold spaces) start at its closing parenthesis
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

const FLIGHTS = [16, 1] as const;
type Flight = (typeof FLIGHTS)[number];

const BARE = 'bare undici Pool + JSON.parse';
const SDK_JS = 'pcloud-sdk-js 2.0.0';
const HTTP = 'pcloudkit HTTP';
const BINARY = 'pcloudkit binary, one connection';

/** The pcloud-sdk-js client's surface used here (the package ships no types for its CommonJS build in this form). */
interface SdkJsClient {
  api(method: string, options: { apiServer: string; apiProtocol: string; params: Record<string, unknown> }): Promise<unknown>;
}

function sdkJs(ready: ReadyLine): Contender {
  const require = createRequire(import.meta.url);
  // Its request builder reads a global `locationid` (set by its browser OAuth flow); undefined means "use apiServer".
  (globalThis as { locationid?: unknown }).locationid ??= undefined;
  const sdk = require('pcloud-sdk-js') as { createClient(token: string, type: 'oauth' | 'pcloud'): SdkJsClient };
  const client = sdk.createClient(ready.auth, 'pcloud');
  const apiServer = new URL(ready.api).host;
  return {
    name: SDK_JS,
    // pcloud-sdk-js merges identical GETs in flight: a distinct `id` per call keeps every call its own.
    call: (i) => client.api('userinfo', { apiServer, apiProtocol: 'http', params: { id: i } }),
    close: async () => {},
  };
}

function bare(ready: ReadyLine, flight: Flight): Contender {
  const pool = new Pool(ready.api, { connections: flight });
  const path = `/userinfo?auth=${encodeURIComponent(ready.auth)}&timeformat=timestamp`;
  const headers = { 'user-agent': 'bench', connection: 'keep-alive' };
  return {
    name: BARE,
    call: async () => {
      const response = await pool.request({ path, method: 'GET', headers });
      const answer = JSON.parse(await response.body.text()) as { result: number };
      if (answer.result !== 0) throw new Error(`userinfo failed: ${answer.result}`);
      return answer;
    },
    close: () => pool.close(),
  };
}

function pcloudkit(ready: ReadyLine, flight: Flight, kind: 'http' | 'binary'): Contender {
  const transport = kind === 'http' ? httpTransport({ connections: flight }) : binaryTransport({ tls: false, connections: 1 });
  const client = createClient({
    transport,
    region: { api: [ready.api], binapi: [ready.binapi ?? ready.apiHost] },
    auth: { authToken: ready.auth },
  }).use(general);
  return { name: kind === 'http' ? HTTP : BINARY, call: () => client.userinfo(), close: () => client.close() };
}

/** Set when the pcloudkit packages resolve to their TypeScript sources rather than their builds. */
const fromSources = import.meta.resolve('@pcloudkit/transport-http').endsWith('.ts');
const SOURCES_NOTE = 'measured from TypeScript sources (--conditions=source), not the built packages';

let serial = 0;

/** Runs `contender` with `flight` calls in flight for `ms`; `server` is the emulator's process id. */
async function measure(contender: Contender, flight: number, ms: number, server: number): Promise<Sample> {
  let count = 0;
  const start = performance.now();
  const end = start + ms;
  const serverCpu = processCpu(server);
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: flight }, async () => {
      while (performance.now() < end) {
        await contender.call(serial++);
        count++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - start) / 1000;
  return {
    perSecond: count / seconds,
    cpuMicros: (used.user + used.system) / count,
    serverMicros: (processCpu(server) - serverCpu) / count,
  };
}

/** Measures every client at each number in flight; gives back the medians by client and flight. */
export async function measureCalls(options: { quick: boolean; log?: (line: string) => void }) {
  const rounds = options.quick ? 3 : 5;
  const ms = options.quick ? 150 : 1500;
  const warmMs = options.quick ? 300 : 1000;
  const emulator = await startEmulatorChild(['--no-seed']);
  const results = new Map<string, Sample>();
  try {
    const { ready } = emulator;
    if (!ready.binapi) throw new Error('the emulator ready line has no binary host');
    for (const flight of FLIGHTS) {
      const contenders = [bare(ready, flight), sdkJs(ready), pcloudkit(ready, flight, 'http'), pcloudkit(ready, flight, 'binary')];
      try {
        // unmeasured, so each client's code is compiled and its sockets open before the rounds
        for (const c of contenders) await measure(c, flight, warmMs, emulator.pid);
        const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
        for (let round = 0; round < rounds; round++) {
          // rotate the order each round, so no client always runs right after the same other one
          for (let k = 0; k < contenders.length; k++) {
            const c = contenders[(k + round) % contenders.length]!;
            samples.get(c.name)!.push(await measure(c, flight, ms, emulator.pid));
          }
        }
        for (const [name, list] of samples) {
          const sample = {
            perSecond: median(list.map((s) => s.perSecond)),
            cpuMicros: median(list.map((s) => s.cpuMicros)),
            serverMicros: median(list.map((s) => s.serverMicros)),
          };
          results.set(`${name}@${flight}`, sample);
          options.log?.(
            `${name.padEnd(34)} ${String(flight).padStart(2)} in flight: ${sample.perSecond.toFixed(0).padStart(6)} calls/s, ${sample.cpuMicros.toFixed(1).padStart(6)} µs CPU/call, emulator ${sample.serverMicros.toFixed(1)}`,
          );
        }
      } finally {
        await Promise.all(contenders.map((c) => c.close()));
      }
    }
  } finally {
    await emulator.stop();
  }
  return (name: string, flight: Flight) => results.get(`${name}@${flight}`)!;
}

/** Set when run alone: prints each client's medians as they come. */
let log: ((line: string) => void) | undefined;

const calls: BenchModule = async ({ quick }) => {
  const get = await measureCalls({ quick, log });
  /** CPU per call at 16 in flight as `client + emulator` (the emulator's share where the system tells it). */
  const cpuOf = (name: string) => {
    const { cpuMicros, serverMicros } = get(name, 16);
    return Number.isNaN(serverMicros) ? cpuMicros.toFixed(0) : `${cpuMicros.toFixed(1)} + ${serverMicros.toFixed(1)}`;
  };
  const rows: Row[] = [];
  for (const flight of FLIGHTS) {
    rows.push(
      row({
        group: '1 HTTP CPU per call',
        name: `${HTTP}, userinfo, ${flight} in flight`,
        value: get(HTTP, flight).cpuMicros,
        unit: 'µs CPU/call',
        anchor: BARE,
        anchorValue: get(BARE, flight).cpuMicros,
        higherIsBetter: false,
        goal: 1 / 1.15,
        ...(fromSources ? { note: SOURCES_NOTE } : {}),
      }),
    );
  }
  rows.push(
    row({
      group: '2 HTTP calls/s vs pcloud-sdk-js',
      name: `${HTTP}, userinfo, 16 in flight`,
      value: get(HTTP, 16).perSecond,
      unit: 'calls/s',
      anchor: `${SDK_JS} (distinct id per call)`,
      anchorValue: get(SDK_JS, 16).perSecond,
      higherIsBetter: true,
      goal: 4,
      note: `pcloud-sdk-js ${get(SDK_JS, 16).cpuMicros.toFixed(0)} µs CPU/call, pcloudkit ${get(HTTP, 16).cpuMicros.toFixed(0)}`,
    }),
  );
  rows.push(
    row({
      group: '3 binary calls/s vs HTTP',
      name: `${BINARY}, userinfo, 16 in flight`,
      value: get(BINARY, 16).perSecond,
      unit: 'calls/s',
      anchor: HTTP,
      anchorValue: get(HTTP, 16).perSecond,
      higherIsBetter: true,
      goal: 2.5,
      note: `CPU/call binary ${cpuOf(BINARY)} µs, HTTP ${cpuOf(HTTP)} µs (client + emulator); 1 in flight: ${get(BINARY, 1).perSecond.toFixed(0)} against ${get(HTTP, 1).perSecond.toFixed(0)} calls/s`,
    }),
  );
  // the other measurements, as rows that only inform
  for (const flight of FLIGHTS) {
    for (const name of [SDK_JS, HTTP, BINARY]) {
      rows.push(
        row({
          group: 'calls (information)',
          name: `${name}, ${flight} in flight`,
          value: get(name, flight).perSecond,
          unit: 'calls/s',
          anchor: BARE,
          anchorValue: get(BARE, flight).perSecond,
          higherIsBetter: true,
          note: `${get(name, flight).cpuMicros.toFixed(0)} µs CPU/call against ${get(BARE, flight).cpuMicros.toFixed(0)}`,
        }),
      );
    }
  }
  return rows;
};

export default calls;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  log = (line) => console.log(line);
  if (fromSources) console.warn(`warning: pcloudkit ${SOURCES_NOTE}`);
  const rows = await calls({ quick });
  for (const r of rows) {
    const goal = r.goal === undefined ? '' : ` (goal ${r.goal.toFixed(2)}: ${r.ratio >= r.goal ? 'met' : 'NOT met'})`;
    console.log(
      `[${r.group}] ${r.name}: ${r.value.toFixed(1)} ${r.unit} vs ${r.anchor} ${r.anchorValue.toFixed(1)} → ratio ${r.ratio.toFixed(2)}${goal}${r.note ? `; ${r.note}` : ''}`,
    );
  }
}
