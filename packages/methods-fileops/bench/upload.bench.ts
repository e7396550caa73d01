/**
 * Resumable upload and resumed download of a big generated file against the
 * emulator in a child process, while the emulator cuts the connection at
 * random points. Prints: the server's checksum against the local one, bytes
 * sent against the file size, how often the most sent byte went out, peak
 * RSS of this (client) process, and the upload's throughput without faults
 * against plain `uploadfile`. Size: PCLOUDKIT_BENCH_MB (default 1024);
 * transports: PCLOUDKIT_BENCH_TRANSPORTS (default binary,http). Each client
 * phase runs in a plain Node process of its own (bench/client.mjs, bundled
 * with esbuild from the packages' sources at the start, so other builds of
 * the workspace cannot change it half-way), so the RSS printed is the
 * client's alone. Run with `pnpm --filter @pcloudkit/methods-fileops bench`.
 * Other knobs: PCLOUDKIT_BENCH_PARTS (faults,throughput) and
 * PCLOUDKIT_BENCH_ROUNDS (rounds of the throughput comparison, default 3).
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
const SIZE = Number(process.env.PCLOUDKIT_BENCH_MB ?? 1024) * MiB;
/** The default chunk; two travel at once, so cut points are drawn past two of them. */
const CHUNK = 4 * MiB;
const DROPS = 5;
const RSS_LIMIT = 150 * MiB;
const TRANSPORTS = (process.env.PCLOUDKIT_BENCH_TRANSPORTS ?? 'binary,http').split(',') as Array<'binary' | 'http'>;
/** Parts to run: faults (uploads and downloads with cuts) and throughput; default both. */
const PARTS = new Set((process.env.PCLOUDKIT_BENCH_PARTS ?? 'faults,throughput').split(','));
/** Options of uploadLarge in the throughput comparison (JSON), to try settings. */
const LARGE_OPTIONS = JSON.parse(process.env.PCLOUDKIT_BENCH_LARGE ?? '{}') as Record<string, unknown>;
/** Only one side of the comparison (plain or large), to profile it. */
const ONLY = process.env.PCLOUDKIT_BENCH_ONLY;
/** Rounds of the interleaved throughput comparison. */
const ROUNDS = Number(process.env.PCLOUDKIT_BENCH_ROUNDS ?? 3);

interface Ready {
  api: string;
  binapi: string;
  access_token: string;
}

function startChild(): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(resolve(here, 'emulator-child.ts'), [], {
    execArgv: [
      '--import',
      'tsx',
      '--conditions=source',
      ...(process.env.PCLOUDKIT_BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PCLOUDKIT_BENCH_PROFILE}`] : []),
    ],
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

async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const answer = (await (await fetch(url)).json()) as Record<string, unknown>;
  if (answer.result !== 0) throw new Error(`${url.replace(/access_token=.*/, '')}: ${JSON.stringify(answer)}`);
  return answer;
}

function ask<T = unknown>(child: ChildProcess, message: Record<string, unknown>): Promise<T> {
  return new Promise((ok) => {
    child.once('message', (answer) => ok(answer as T));
    child.send(message);
  });
}

interface Phase {
  ms: number;
  /** CPU milliseconds of the client process, and of the emulator during the phase. */
  cpu: number;
  serverCpu?: number;
  peak: number;
  parts: { heapUsed: number; external: number; arrayBuffers: number };
  [key: string]: unknown;
}

/** bench/client.mjs and the packages it imports (their sources), as one file. */
let clientBundle = '';

async function bundleClient(dir: string): Promise<void> {
  clientBundle = join(dir, 'client.mjs');
  await build({
    entryPoints: [resolve(here, 'client.mjs')],
    outfile: clientBundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    // CommonJS dependencies (undici) call require() from inside the ES module
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'error',
  });
}

/** Runs one client phase in a fresh Node process (bench/client.mjs) and reads its outcome. */
function phase<T extends Phase>(name: string, kind: string, settings: Record<string, unknown>): Promise<T> {
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      [clientBundle, name, kind, JSON.stringify(settings)],
      { cwd: here, maxBuffer: 64 * MiB },
      (error, stdout, stderr) => {
        if (error) return fail(new Error(`${name} over ${kind} failed: ${stderr || error.message}`));
        ok(JSON.parse(stdout.trim().split('\n').pop()!) as T);
      },
    );
  });
}

async function hashFile(path: string, name: string): Promise<string> {
  const h = createHash(name);
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

/** Runs a phase and adds the emulator's CPU time during it. */
async function measured<T extends Phase>(child: ChildProcess, run: () => Promise<T>): Promise<T> {
  const before = await ask<{ ms: number }>(child, { type: 'cpu' });
  const outcome = await run();
  const after = await ask<{ ms: number }>(child, { type: 'cpu' });
  return { ...outcome, serverCpu: after.ms - before.ms };
}

const show = (p: Phase) =>
  `${p.ms.toFixed(0)} (${p.cpu.toFixed(0)}+${(p.serverCpu ?? 0).toFixed(0)})${
    process.env.PCLOUDKIT_BENCH_TIMELINE
      ? ` [${(p.calls as Array<[string, number, number]>).map(([m, a, b]) => `${m} ${a.toFixed(0)}-${b.toFixed(0)}`).join(', ')}]`
      : ''
  }`;

const mb = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
const rate = (bytes: number, ms: number) => `${(bytes / MiB / (ms / 1000)).toFixed(0)} MiB/s`;

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pcloudkit-fileops-bench-'));
  const source = join(dir, 'source.bin');
  await bundleClient(dir);
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
    const localSha1 = await hashFile(source, 'sha1');
    const localMd5 = await hashFile(source, 'md5');
    console.log(`file: ${mb((await stat(source)).size)} in ${tmpdir()}, sha1 ${localSha1}`);

    for (const kind of TRANSPORTS) {
      console.log(`\n== ${kind} ==`);
      const base = { api: ready.api, binapi: ready.binapi, token: ready.access_token };
      const folder = await fetchJson(`${ready.api}/createfolder?folderid=0&name=bench-${kind}&access_token=${ready.access_token}`);
      const folderid = (folder.metadata as { folderid: number }).folderid;

      if (PARTS.has('faults')) {
        // 1. Resumable upload with five cuts at random points, each past what the previous one made it send again.
        await ask(child, { type: 'clear' });
        await ask(child, {
          type: 'drop',
          method: 'file_pwrite',
          min: 2 * CHUNK + MiB,
          max: Math.max(2 * CHUNK + 2 * MiB, Math.floor(SIZE / (DROPS + 1))),
          times: DROPS,
          direction: 'receive',
          scope: 'connection',
        });
        const up = await phase<
          Phase & { fileid: number; sent: number; resumes: number; checksums: Record<string, string>; writes: Array<[number, number]> }
        >('large', kind, { ...base, source, folderid, name: 'dropped.bin' });
        const remote = await fetchJson(`${ready.api}/checksumfile?fileid=${up.fileid}&access_token=${ready.access_token}`);
        console.log(`uploadLarge with cuts: ${rate(SIZE, up.ms)}, ${up.resumes} resumes`);
        check(remote.sha1 === localSha1 && up.checksums.sha1 === localSha1, `server sha1 ${String(remote.sha1)} = local sha1 ${localSha1}`);
        if (typeof remote.md5 === 'string') check(remote.md5 === localMd5, `server md5 ${remote.md5} = local md5 ${localMd5}`);
        check(up.resumes === DROPS, `${DROPS} cuts, ${up.resumes} resumes`);
        console.log(
          `     bytes handed to the connection (what the transport took, sent or not) ${up.sent} for a file of ${SIZE} (${(up.sent / SIZE).toFixed(4)}x)`,
        );
        const most = mostSent(up.writes);
        check(most <= 2, `no byte range sent more than twice (the most sent byte went out ${most} times)`);
        check(
          up.peak < RSS_LIMIT,
          `peak client RSS during the upload ${mb(up.peak)} (limit ${mb(RSS_LIMIT)}; peak JS heap ${mb(up.parts.heapUsed)}, buffers ${mb(up.parts.arrayBuffers)})`,
        );

        // 2. downloadToFile with five cuts, checked against checksumfile.
        await ask(child, { type: 'clear' });
        await ask(child, {
          type: 'drop',
          method: 'content',
          min: MiB,
          max: Math.max(2 * MiB, Math.floor(SIZE / (DROPS + 1))),
          times: DROPS,
        });
        const target = join(dir, `download-${kind}.bin`);
        const down = await phase<Phase & { bytes: number; resumes: number }>('download', kind, { ...base, fileid: up.fileid, target });
        console.log(`downloadToFile with cuts: ${rate(SIZE, down.ms)}, ${down.resumes} resumes`);
        check(down.resumes === DROPS, `${DROPS} cuts, ${down.resumes} resumes`);
        check(await sameBytes(source, target), 'downloaded bytes identical to the source');
        check(down.peak < RSS_LIMIT, `peak client RSS during the download ${mb(down.peak)} (limit ${mb(RSS_LIMIT)})`);
        await rm(target, { force: true });
      }

      if (PARTS.has('throughput')) {
        // 3. Throughput without faults: uploadLarge against plain uploadfile, same file, same run (best of
        // PCLOUDKIT_BENCH_ROUNDS rounds each, default 3, taken in turn).
        await ask(child, { type: 'clear' });
        const plains: Phase[] = [];
        const larges: Phase[] = [];
        // each uploaded file goes (trash included) once measured, so many rounds stay within the account's quota
        const drop = async (p: Phase) => {
          const query = `fileid=${String(p.fileid)}&access_token=${ready.access_token}`;
          await fetchJson(`${ready.api}/deletefile?${query}`);
          await fetchJson(`${ready.api}/trash_clear?${query}`);
          return p;
        };
        for (let round = 0; round < ROUNDS; round++) {
          if (ONLY !== 'large')
            plains.push(
              await drop(await measured(child, () => phase('plain', kind, { ...base, source, folderid, name: `plain-${round}.bin` }))),
            );
          if (ONLY !== 'plain')
            larges.push(
              await drop(
                await measured(child, () =>
                  phase('large', kind, { ...base, source, folderid, name: `clean-${round}.bin`, options: LARGE_OPTIONS }),
                ),
              ),
            );
        }
        if (ONLY) {
          console.log(`only ${ONLY}: ${[...plains, ...larges].map(show).join(', ')}`);
          continue;
        }
        const plain = Math.min(...plains.map((p) => p.ms));
        const large = Math.min(...larges.map((p) => p.ms));
        const ratio = plain / large;
        console.log(
          `uploadfile ${rate(SIZE, plain)}, uploadLarge ${rate(SIZE, large)} (peak RSS ${mb(Math.max(...larges.map((p) => p.peak)))})`,
        );
        // a goal, not a check: both numbers move with the machine's load
        console.log(`${ratio >= 0.8 ? 'ok  ' : 'MISS'} uploadLarge / uploadfile throughput ratio ${ratio.toFixed(2)}x (goal >= 0.8x)`);
        // the best rounds show each side on a quiet moment; the medians how a busy machine treats them
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
        console.log(
          `     median of the rounds: uploadfile ${rate(SIZE, median(plains.map((p) => p.ms)))}, uploadLarge ${rate(SIZE, median(larges.map((p) => p.ms)))}, ratio ${(median(plains.map((p) => p.ms)) / median(larges.map((p) => p.ms))).toFixed(2)}x`,
        );
        console.log(
          `     rounds, uploadfile / uploadLarge ms (CPU ms client + emulator): ${plains
            .map((p, i) => `${show(p)} / ${show(larges[i]!)}`)
            .join(', ')}`,
        );
      }
      await fetchJson(`${ready.api}/deletefolderrecursive?folderid=${folderid}&access_token=${ready.access_token}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    if (child.connected) child.disconnect();
  }
  if (failed) process.exitCode = 1;
}

await main();
