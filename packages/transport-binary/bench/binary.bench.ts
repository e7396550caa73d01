/**
 * Numbers for the binary transport; asserts nothing.
 *
 * 1. calls/s of `userinfo` pipelined on ONE binary connection vs the same
 *    calls over HTTP (transport-http, pooled keep-alive), both against the
 *    emulator running in a child process.
 * 2. decode MB/s of a synthetic recursive `listfolder` answer with 100,000
 *    entries: binary frame (decodeResponse) vs JSON.parse and core's
 *    parseJson (exact 64-bit) of the same answer as JSON text.
 *
 * Run with `pnpm --filter @pcloudkit/transport-binary bench`
 * (BENCH_SECONDS=N per case, default 2).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseJson } from '@pcloudkit/core';
import { httpTransport } from '@pcloudkit/transport-http';
import { binaryTransport, decodeResponse } from '../src/index.js';
import { encodeTree, frameOf, type Tree } from '../test/helpers/test-encoder.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

interface Ready {
  api: string;
  auth: string;
  binapi?: string;
  [k: string]: unknown;
}

async function startChildEmulator(): Promise<{ ready: Ready; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'packages/emulator/src/cli.ts'), '--port', '0', '--no-seed'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<Ready>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`emulator exited early with code ${code}`)));
    lines.on('line', (line) => {
      try {
        const value = JSON.parse(line) as Ready;
        if (typeof value.api === 'string') ok(value);
      } catch {
        /* not the ready line */
      }
    });
  });
  return { ready, child };
}

async function rate(concurrency: number, worker: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 200; i++) await worker(); // warm-up
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await worker();
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

async function calls(): Promise<void> {
  const { ready, child } = await startChildEmulator();
  try {
    if (!ready.binapi) {
      console.log('calls/s: skipped, the emulator ready line has no `binapi` host');
      return;
    }
    const auth = ready.auth;
    console.log(`emulator: api ${ready.api}, binapi ${ready.binapi}; ${SECONDS}s per case; node ${process.version}`);
    console.log('(the emulator runs in its own process and is the ceiling for both)');
    console.log('case                          binary calls/s  http calls/s   ratio');
    for (const concurrency of [1, 16, 64]) {
      let bin = 0;
      let http = 0;
      for (let round = 0; round < 2; round++) {
        const b = binaryTransport({ tls: false, connections: 1 });
        bin = Math.max(
          bin,
          await rate(concurrency, () => b.call({ method: 'userinfo', host: ready.binapi!, params: { auth }, responseType: 'json' })),
        );
        await b.close();
        const h = httpTransport({ connections: Math.min(concurrency, 16) });
        http = Math.max(
          http,
          await rate(concurrency, () => h.call({ method: 'userinfo', host: ready.api, params: { auth }, responseType: 'json' })),
        );
        await h.close();
      }
      const label = `userinfo in flight=${concurrency}`;
      console.log(
        `${label.padEnd(29)} ${bin.toFixed(0).padStart(14)} ${http.toFixed(0).padStart(13)} ${(bin / http).toFixed(2).padStart(7)}`,
      );
    }
    console.log('(binary: all calls pipelined on one connection; http: up to 16 keep-alive connections)');
  } finally {
    child.kill('SIGTERM');
  }
}

function listing(entries: number): Tree {
  const contents: Tree[] = [];
  for (let i = 0; i < entries; i++) {
    const isFolder = i % 20 === 0;
    const base: Record<string, Tree> = {
      name: isFolder ? `folder ${i}` : `photo_${i}.jpg`,
      created: 1_700_000_000 + i,
      modified: 1_700_000_000 + i * 2,
      isfolder: isFolder,
      parentfolderid: Math.floor(i / 20) * 20 + 1000,
      ismine: true,
      isshared: false,
      thumb: !isFolder,
      icon: isFolder ? 'folder' : 'image',
      id: isFolder ? `d${i + 1000}` : `f${i + 5000}`,
    };
    if (isFolder) base.folderid = i + 1000;
    else
      Object.assign(base, {
        fileid: i + 5000,
        size: 100_000 + i * 37,
        hash: 0xf000_0000_0000_0000n + BigInt(i) * 7919n,
        category: 1,
        contenttype: 'image/jpeg',
        width: 4032,
        height: 3024,
      });
    contents.push(base);
  }
  return {
    result: 0,
    metadata: {
      name: '/',
      folderid: 0,
      isfolder: true,
      ismine: true,
      isshared: false,
      icon: 'folder',
      id: 'd0',
      created: 1_600_000_000,
      modified: 1_700_000_000,
      contents,
    },
  };
}

function toJsonText(t: Tree): string {
  if (typeof t === 'bigint') return t.toString();
  if (typeof t === 'string') return JSON.stringify(t);
  if (typeof t === 'number' || typeof t === 'boolean') return String(t);
  if (Array.isArray(t)) return `[${t.map(toJsonText).join(',')}]`;
  return `{${Object.entries(t as Record<string, Tree>)
    .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
    .join(',')}}`;
}

function throughput(bytes: number, fn: () => unknown): { mbps: number; ms: number } {
  for (let i = 0; i < 3; i++) fn(); // warm-up
  let best = Infinity;
  const end = performance.now() + SECONDS * 1000;
  let runs = 0;
  while (runs < 3 || performance.now() < end) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
    runs++;
  }
  return { mbps: bytes / 1e6 / (best / 1000), ms: best };
}

function decoding(): void {
  const tree = listing(100_000);
  const frame = frameOf(encodeTree(tree));
  const json = toJsonText(tree);
  const jsonBytes = Buffer.byteLength(json);
  const check = decodeResponse(frame).value as { metadata: { contents: unknown[] } };
  if (check.metadata.contents.length !== 100_000) throw new Error('bad synthetic frame');
  console.log(
    `\ndecode a 100,000-entry recursive listfolder answer (binary ${(frame.length / 1e6).toFixed(1)} MB, JSON ${(jsonBytes / 1e6).toFixed(1)} MB; best of runs):`,
  );
  const bin = throughput(frame.length, () => decodeResponse(frame));
  const parse = throughput(jsonBytes, () => JSON.parse(json));
  const exact = throughput(jsonBytes, () => parseJson(json));
  console.log(`binary decodeResponse   ${bin.ms.toFixed(0).padStart(5)} ms  ${bin.mbps.toFixed(0).padStart(5)} MB/s of frame`);
  console.log(`JSON.parse (inexact)    ${parse.ms.toFixed(0).padStart(5)} ms  ${parse.mbps.toFixed(0).padStart(5)} MB/s of JSON text`);
  console.log(`core parseJson (exact)  ${exact.ms.toFixed(0).padStart(5)} ms  ${exact.mbps.toFixed(0).padStart(5)} MB/s of JSON text`);
  console.log(`time ratio binary/JSON.parse ${(bin.ms / parse.ms).toFixed(2)}, binary/parseJson ${(bin.ms / exact.ms).toFixed(2)}`);
}

await calls();
decoding();
