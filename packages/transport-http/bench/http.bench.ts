/**
 * Throughput of the HTTP transport against the emulator running in a child
 * process (so client and server do not share one event loop). Prints
 * numbers; asserts nothing. Run with `pnpm --filter @pcloudkit/transport-http bench`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Client, Pool } from 'undici';
import { download, httpTransport } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const FILE_BYTES = 64 * 1024 * 1024;
// userinfo only reads state (getdigest would pile up digests in the server and slow it down as the bench runs).
const METHOD = 'userinfo';

interface Ready {
  api: string;
  auth?: string;
  [k: string]: unknown;
}

async function startChildEmulator(): Promise<{ ready: Ready; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(root, 'packages/emulator/src/cli.ts'), '--port', '0'], {
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

function rssSampler() {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

/**
 * Runs `worker` in `concurrency` loops for SECONDS; returns calls per second
 * and this process's CPU time per call (user + system, microseconds), which
 * is the client's own cost whatever the server's speed.
 */
async function rate(concurrency: number, worker: () => Promise<unknown>): Promise<{ perSecond: number; cpuMicros: number }> {
  for (let i = 0; i < 200; i++) await worker(); // warm-up
  const end = performance.now() + SECONDS * 1000;
  let count = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await worker();
        count++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { perSecond: count / ((performance.now() - start) / 1000), cpuMicros: (used.user + used.system) / count };
}

async function* generated(total: number, chunk = 1024 * 1024): AsyncGenerator<Uint8Array> {
  const block = new Uint8Array(chunk);
  for (let sent = 0, i = 0; sent < total; i++) {
    const n = Math.min(chunk, total - sent);
    block.fill(i & 255);
    block[0] = (i >> 8) & 255;
    yield block.slice(0, n);
    sent += n;
  }
}

async function main() {
  const { ready, child } = await startChildEmulator();
  const origin = ready.api;
  console.log(`emulator at ${origin} (child pid ${child.pid}); ${SECONDS}s per case; node ${process.version}`);
  try {
    if (typeof ready.auth !== 'string') throw new Error('the emulator ready line has no `auth` token');
    const auth = ready.auth;
    const query = `auth=${encodeURIComponent(auth)}`;
    const rows: Array<[string, { perSecond: number; cpuMicros: number }, { perSecond: number; cpuMicros: number }]> = [];
    const best = (a: { perSecond: number; cpuMicros: number } | undefined, b: { perSecond: number; cpuMicros: number }) =>
      a ? { perSecond: Math.max(a.perSecond, b.perSecond), cpuMicros: Math.min(a.cpuMicros, b.cpuMicros) } : b;
    const userAgent = 'pcloudkit-bench';
    for (const concurrency of [1, 16]) {
      // Alternate the two clients and keep each one's best round, so server warm-up and drift hit both alike.
      let oursBest: { perSecond: number; cpuMicros: number } | undefined;
      let bareBest: { perSecond: number; cpuMicros: number } | undefined;
      for (let round = 0; round < 3; round++) {
        const ours = httpTransport({ connections: concurrency, userAgent });
        oursBest = best(
          oursBest,
          await rate(concurrency, () => ours.call({ method: METHOD, host: origin, params: { auth }, responseType: 'json' })),
        );
        await ours.close();
        const bare = concurrency === 1 ? new Client(origin) : new Pool(origin, { connections: concurrency });
        bareBest = best(
          bareBest,
          await rate(concurrency, async () => {
            const res = await bare.request({
              path: `/${METHOD}?${query}`,
              method: 'GET',
              headers: { connection: 'keep-alive', 'user-agent': userAgent },
            });
            return JSON.parse(await res.body.text());
          }),
        );
        await bare.close();
      }
      rows.push([`${METHOD} c=${concurrency}`, oursBest!, bareBest!]);
    }
    console.log('\n(the emulator, in its own process, is the bottleneck of calls/s; client CPU per call is the overhead measure)');
    console.log('case             transport calls/s  bare undici calls/s  ratio   transport CPU/call  bare CPU/call  ratio');
    for (const [name, ours, bare] of rows) {
      console.log(
        `${name.padEnd(16)} ${ours.perSecond.toFixed(0).padStart(17)} ${bare.perSecond.toFixed(0).padStart(20)} ${(ours.perSecond / bare.perSecond).toFixed(2).padStart(6)}` +
          ` ${`${ours.cpuMicros.toFixed(0)} µs`.padStart(19)} ${`${bare.cpuMicros.toFixed(0)} µs`.padStart(14)} ${(ours.cpuMicros / bare.cpuMicros).toFixed(2).padStart(6)}`,
      );
    }

    const transport = httpTransport();
    const hash = createHash('sha256');
    const base = process.memoryUsage().rss;
    let sampler = rssSampler();
    let t0 = performance.now();
    let lastProgress = 0;
    const up = await transport.call({
      method: 'uploadfile',
      host: origin,
      params: { auth, folderid: 0, nopartial: 1 },
      files: [
        {
          name: `bench-${Date.now()}.bin`,
          data: (async function* () {
            for await (const c of generated(FILE_BYTES)) {
              hash.update(c);
              yield c;
            }
          })(),
          size: FILE_BYTES,
        },
      ],
      responseType: 'json',
      onUploadProgress: (p) => {
        lastProgress = p.loaded;
      },
    });
    let seconds = (performance.now() - t0) / 1000;
    let peak = sampler.stop();
    if (up.result.result !== 0) throw new Error(`upload failed: ${JSON.stringify(up.result)}`);
    const fileid = (up.result.metadata as Array<{ fileid: number }>)[0]!.fileid;
    console.log(
      `\nupload   64 MiB multipart from a stream: ${(FILE_BYTES / 1024 / 1024 / seconds).toFixed(0)} MB/s, progress ${mib(lastProgress)} MiB, peak RSS ${mib(peak)} MiB (start ${mib(base)} MiB)`,
    );

    const link = await transport.call({ method: 'getfilelink', host: origin, params: { auth, fileid }, responseType: 'json' });
    sampler = rssSampler();
    t0 = performance.now();
    const result = await download(link.result as { hosts: string[]; path: string }, { scheme: 'http' });
    const back = createHash('sha256');
    let bytes = 0;
    const reader = result.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      back.update(value);
    }
    seconds = (performance.now() - t0) / 1000;
    peak = sampler.stop();
    const same = back.digest('hex') === hash.digest('hex');
    console.log(
      `download 64 MiB via download():          ${(bytes / 1024 / 1024 / seconds).toFixed(0)} MB/s, ${mib(bytes)} MiB, sha256 ${same ? 'matches' : 'DIFFERS'}, peak RSS ${mib(peak)} MiB`,
    );
    await transport.close();
  } finally {
    child.kill('SIGTERM');
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
