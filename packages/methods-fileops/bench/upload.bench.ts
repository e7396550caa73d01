/**
 * Resumable upload and resumed download of a big generated file against the
 * emulator in a child process, while the emulator cuts the connection at
 * random points. Prints: the server's checksum against the local one, bytes
 * sent against the file size, how often the most sent byte went out, peak
 * RSS of this (client) process, and the upload's throughput without faults
 * against plain `uploadfile`. Size: PCLOUDKIT_BENCH_MB (default 1024);
 * transports: PCLOUDKIT_BENCH_TRANSPORTS (default binary,http).
 * Run with `pnpm --filter @pcloudkit/methods-fileops bench`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createClient, type Middleware } from '@pcloudkit/core';
import { binaryTransport } from '@pcloudkit/transport-binary';
import { downloads, httpTransport } from '@pcloudkit/transport-http';
import { fileops } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const SIZE = Number(process.env.PCLOUDKIT_BENCH_MB ?? 1024) * MiB;
const CHUNK = 8 * MiB;
const DROPS = 5;
const RSS_LIMIT = 150 * MiB;
const TRANSPORTS = (process.env.PCLOUDKIT_BENCH_TRANSPORTS ?? 'binary,http').split(',') as Array<'binary' | 'http'>;

interface Ready {
  api: string;
  binapi: string;
  access_token: string;
}

function startChild(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(resolve(here, 'emulator-child.ts'), [], {
    execArgv: ['--import', 'tsx', '--conditions=source'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the emulator exited early (${code})`)));
    lines.on('line', (line) => {
      try {
        const value = JSON.parse(line) as Ready;
        if (typeof value.api === 'string') ok({ child, ready: value });
      } catch {
        /* not the ready line */
      }
    });
  });
}

function ask<T = unknown>(child: ChildProcess, message: Record<string, unknown>): Promise<T> {
  return new Promise((ok) => {
    child.once('message', (answer) => ok(answer as T));
    child.send(message);
  });
}

/** Peak RSS while `work` runs, sampled every 20 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ value: T; peak: number; ms: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peak, ms: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

async function sha1File(path: string): Promise<string> {
  const h = createHash('sha1');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** True when both files hold the same bytes (read side by side, 1 MiB at a time). */
async function sameBytes(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a), open(b)]);
  try {
    if ((await fa.stat()).size !== (await fb.stat()).size) return false;
    const ba = Buffer.alloc(MiB);
    const bb = Buffer.alloc(MiB);
    for (let at = 0; ; at += MiB) {
      const [{ bytesRead: ra }, { bytesRead: rb }] = await Promise.all([fa.read(ba, 0, MiB, at), fb.read(bb, 0, MiB, at)]);
      if (ra !== rb || ba.compare(bb, 0, rb, 0, ra) !== 0) return false;
      if (ra === 0) return true;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

/** How many times the most sent byte went out, from [offset, length] writes. */
function mostSent(writes: Array<[number, number]>): number {
  const edges = writes.flatMap(([offset, length]) => [[offset, 1] as const, [offset + length, -1] as const]);
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let most = 0;
  for (const [, step] of edges) most = Math.max(most, (now += step));
  return most;
}

const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
const rate = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-fileops-bench-'));
  const source = join(dir, 'source.bin');
  const { child, ready } = await startChild();
  let failed = false;
  const check = (ok: boolean, line: string) => {
    if (!ok) failed = true;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
  };
  try {
    // The file: random bytes, written 8 MiB at a time.
    const file = await open(source, 'w');
    for (let at = 0; at < SIZE; at += CHUNK) await file.write(randomBytes(Math.min(CHUNK, SIZE - at)));
    await file.close();
    const localSha1 = await sha1File(source);
    console.log(`file: ${mb((await stat(source)).size)} in ${tmpdir()}, sha1 ${localSha1}`);

    for (const kind of TRANSPORTS) {
      console.log(`\n== ${kind} ==`);
      const writes: Array<[number, number]> = [];
      const record: Middleware = (next) => (request) => {
        if (request.method === 'file_pwrite')
          writes.push([Number(request.params.offset), (request.files?.[0]?.data as Uint8Array).byteLength]);
        return next(request);
      };
      const client = createClient({
        transport: kind === 'binary' ? binaryTransport({ tls: false }) : httpTransport(),
        region: { api: [ready.api], binapi: [ready.binapi] },
        auth: { accessToken: ready.access_token },
        timeout: 120_000,
        middleware: [record],
      })
        .use(fileops)
        .use(downloads);
      const folder = await client.call<{ metadata: { folderid: number } }>('createfolder', { folderid: 0, name: `bench-${kind}` });
      const { folderid } = folder.metadata;

      // 1. Resumable upload with five cuts at random points.
      await ask(child, { type: 'clear' });
      await ask(child, {
        type: 'drop',
        method: 'file_pwrite',
        min: CHUNK + MiB,
        max: Math.max(CHUNK + 2 * MiB, Math.floor(SIZE / (DROPS + 1))),
        times: DROPS,
        direction: 'receive',
        scope: 'connection',
      });
      const up = await peakRss(() => client.uploadLarge({ path: source }, { folderid, name: 'dropped.bin' }, { chunkSize: CHUNK }));
      const { cuts } = await ask<{ cuts: number[] }>(child, { type: 'cuts' });
      const remote = await client.call<{ sha1: string; md5?: string; sha256?: string }>('checksumfile', {
        fileid: up.value.metadata.fileid,
      });
      console.log(`uploadLarge with ${cuts.length} cuts: ${rate(SIZE, up.ms)}, ${up.value.resumes} resumes`);
      check(remote.sha1 === localSha1 && up.value.checksums.sha1 === localSha1, `server sha1 ${remote.sha1} = local sha1 ${localSha1}`);
      if (remote.md5) check(remote.md5 === up.value.checksums.md5, `server md5 ${remote.md5} = local md5`);
      check(cuts.length === DROPS && up.value.resumes === DROPS, `${DROPS} cuts, ${up.value.resumes} resumes`);
      console.log(`     bytes sent ${up.value.sent} for a file of ${SIZE} (${(up.value.sent / SIZE).toFixed(4)}x)`);
      const most = mostSent(writes);
      check(most <= 2, `no byte range sent more than twice (most: ${most})`);
      check(up.peak < RSS_LIMIT, `peak client RSS during the upload ${mb(up.peak)} (limit ${mb(RSS_LIMIT)})`);

      // 2. downloadToFile with five cuts, checked against checksumfile.
      await ask(child, { type: 'clear' });
      await ask(child, { type: 'drop', method: 'content', min: MiB, max: Math.max(2 * MiB, Math.floor(SIZE / (DROPS + 1))), times: DROPS });
      const link = await client.call<{ hosts: string[]; path: string }>('getfilelink', { fileid: up.value.metadata.fileid });
      const target = join(dir, `download-${kind}.bin`);
      const down = await peakRss(() => client.downloadToFile(link, target, { verify: { fileid: up.value.metadata.fileid } }));
      const downCuts = (await ask<{ cuts: number[] }>(child, { type: 'cuts' })).cuts;
      console.log(`downloadToFile with ${downCuts.length} cuts: ${rate(SIZE, down.ms)}, ${down.value.resumes} resumes`);
      check(down.value.resumes === DROPS, `${DROPS} cuts, ${down.value.resumes} resumes`);
      check(await sameBytes(source, target), 'downloaded bytes identical to the source');
      check(down.peak < RSS_LIMIT, `peak client RSS during the download ${mb(down.peak)} (limit ${mb(RSS_LIMIT)})`);
      await rm(target, { force: true });

      // 3. Throughput without faults: uploadLarge against plain uploadfile, same file, same run.
      await ask(child, { type: 'clear' });
      const plain = await peakRss(() =>
        client.call('uploadfile', { folderid }, { files: [{ name: 'plain.bin', data: { path: source } }] }),
      );
      const large = await peakRss(() => client.uploadLarge({ path: source }, { folderid, name: 'clean.bin' }, { chunkSize: CHUNK }));
      const ratio = plain.ms / large.ms;
      console.log(`uploadfile ${rate(SIZE, plain.ms)}, uploadLarge ${rate(SIZE, large.ms)} (peak RSS ${mb(large.peak)})`);
      check(ratio >= 0.8, `uploadLarge / uploadfile throughput ratio ${ratio.toFixed(2)}x (goal >= 0.8x)`);
      await client.call('deletefolderrecursive', { folderid });
      await client.close();
    }
  } finally {
    child.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`\npeak RSS of this process over the whole run: ${mb(process.resourceUsage().maxRSS * 1024)}`);
  if (failed) process.exitCode = 1;
}

await main();
