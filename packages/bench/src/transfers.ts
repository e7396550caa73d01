/**
 * Goal 6: upload and download of a big generated file (PCLOUDKIT_BENCH_MB,
 * default 1024 MiB) through the SDK on both transports, against a raw
 * loopback socket copy of the same bytes (file → bare TCP → file) measured
 * in the same run, and the client's peak RSS.
 *
 * - HTTP: `uploadfile` with `{ path }`, then `getfilelink` + `downloadToFile`.
 * - binary: `uploadfile` with `{ path }`, then one `file_pread` data answer of
 *   the whole file, streamed to disk (the bytes travel on the binary port).
 *
 * The emulator and the raw server each run in a process of their own, and so
 * does every client phase (src/transfer-client.mjs, plain Node on the built
 * packages), so the RSS is the client's alone. The six phases take turns in
 * each round; the rows hold the medians.
 *
 * Alone: `pnpm --filter @pcloudkit/bench exec tsx --conditions=source src/run.ts --only transfers`.
 */
import { type ChildProcess, execFile, fork } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startEmulatorChild } from './emulator-child.js';
import { type BenchModule, median, type Row, row } from './row.js';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;
/** The RSS limit of the goal: 150 MB. */
const RSS_LIMIT = 150e6;
const GROUP = '6 transfers';
const ANCHOR = 'raw loopback socket copy (file → TCP → file)';

/** `hashed`: the raw upload with the server computing the SHA-1 and MD5 an `uploadfile` answer carries (upload only). */
type Kind = 'raw' | 'hashed' | 'http' | 'binary';
type Direction = 'upload' | 'download';
interface Outcome {
  ms: number;
  peak: number;
  bytes: number;
  fileid?: number;
  hash?: string;
}

/** Runs one client phase in a fresh Node process and reads its outcome line. */
function phase(kind: Kind, direction: Direction, settings: Record<string, unknown>): Promise<Outcome> {
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      [resolve(here, 'transfer-client.mjs'), `${kind}-${direction}`, JSON.stringify(settings)],
      { cwd: here, maxBuffer: 16 * MiB },
      (error, stdout, stderr) => {
        if (error) return fail(new Error(`${kind} ${direction} failed: ${stderr || error.message}`));
        ok(JSON.parse(stdout.trim().split('\n').pop()!) as Outcome);
      },
    );
  });
}

function startRawServer(source: string, dir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(resolve(here, 'raw-server.mjs'), [source, dir], { execArgv: [], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the raw server exited early (${code})`)));
    lines.once('line', (line) => ok({ child, port: (JSON.parse(line) as { port: number }).port }));
  });
}

/**
 * Where the files of the bench go: a memory file system (/dev/shm) when it
 * has room for six copies of the file, else the system's temporary folder.
 * Every phase writes the file once; on a disk, the kernel writes gigabytes
 * of them back behind the bench, and the phases that happen to run then are
 * slowed by it, whoever they are (rounds varied by 2x). In memory every
 * phase, the anchor included, pays for its copy into the page cache alone.
 */
async function scratchFolder(size: number): Promise<string> {
  const shm = '/dev/shm';
  try {
    const { bavail, bsize } = await statfs(shm);
    if (bavail * bsize > 6 * size) return shm;
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}

async function writeSource(path: string, size: number): Promise<string> {
  const file = await open(path, 'w');
  const sha1 = createHash('sha1');
  for (let at = 0; at < size; at += 4 * MiB) {
    const bytes = randomBytes(Math.min(4 * MiB, size - at));
    sha1.update(bytes);
    await file.write(bytes);
  }
  await file.close();
  return sha1.digest('hex');
}

async function sha1Of(path: string): Promise<string> {
  const h = createHash('sha1');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB })) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function call(api: string, token: string, method: string, params: Record<string, string | number>): Promise<Record<string, unknown>> {
  const query = new URLSearchParams({ ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])), access_token: token });
  const answer = (await (await fetch(`${api}/${method}?${query}`)).json()) as Record<string, unknown>;
  if (answer.result !== 0) throw new Error(`${method}: ${JSON.stringify(answer)}`);
  return answer;
}

const transfers: BenchModule = async ({ quick }) => {
  const mb = Number(process.env.PCLOUDKIT_BENCH_MB ?? (quick ? 128 : 1024));
  if (!Number.isInteger(mb) || mb < 1) throw new Error(`PCLOUDKIT_BENCH_MB must be a whole number of MiB (got ${mb})`);
  const size = mb * MiB;
  const rounds = Number(process.env.PCLOUDKIT_BENCH_ROUNDS ?? (quick ? 1 : 5));
  for (const pkg of ['core', 'transport-http', 'transport-binary', 'methods-fileops']) {
    if (!existsSync(resolve(here, `../../${pkg}/dist/index.js`))) throw new Error(`build @pcloudkit/${pkg} first (pnpm bench builds it)`);
  }
  const scratch = await scratchFolder(size);
  const dir = await mkdtemp(join(scratch, 'pcloudkit-bench-transfers-'));
  const source = join(dir, 'source.bin');
  // the emulator keeps its blobs in a folder under TMPDIR
  const emulator = await startEmulatorChild(['--no-seed'], { TMPDIR: scratch });
  let raw: ChildProcess | undefined;
  try {
    const sourceSha1 = await writeSource(source, size);
    const rawServer = await startRawServer(source, dir);
    raw = rawServer.child;
    const { ready } = emulator;
    if (!ready.binapi) throw new Error('the emulator ready line has no binary host');
    const token = ready.access_token as string;
    const base = { api: ready.api, binapi: ready.binapi, token, source, size, rawPort: rawServer.port };
    const expectedHash = BigInt(`0x${sourceSha1.slice(0, 16)}`).toString();

    const samples = new Map<string, Outcome[]>();
    const add = (key: string, o: Outcome) => samples.set(key, [...(samples.get(key) ?? []), o]);
    const kinds: Kind[] = ['raw', 'http', 'binary'];
    for (let round = 0; round < rounds; round++) {
      // rotate who goes first, so no one always runs right after the same other one
      const order = kinds.map((_, i) => kinds[(i + round) % kinds.length]!);
      const fileids = new Map<Kind, number>();
      for (const kind of [...order, 'hashed' as const]) {
        const up = await phase(kind, 'upload', { ...base, name: `${kind}-${round}.bin` });
        if (up.bytes !== size) throw new Error(`${kind} upload stored ${up.bytes} bytes, not ${size}`);
        if (kind === 'http' || kind === 'binary') {
          // the emulator's content hash is the first 8 bytes of the SHA-1: the bytes arrived intact
          if (up.hash !== expectedHash) throw new Error(`${kind} upload: hash ${up.hash}, expected ${expectedHash}`);
          fileids.set(kind, up.fileid!);
        }
        add(`${kind}-upload`, up);
      }
      for (const kind of order) {
        const target = join(dir, `download-${kind}.bin`);
        const down = await phase(kind, 'download', { ...base, target, fileid: fileids.get(kind) });
        if (down.bytes !== size) throw new Error(`${kind} download wrote ${down.bytes} bytes, not ${size}`);
        if (round === 0 && (await sha1Of(target)) !== sourceSha1) throw new Error(`${kind} download: the bytes differ from the source`);
        await rm(target, { force: true });
        add(`${kind}-download`, down);
      }
      for (const fileid of fileids.values()) await call(ready.api, token, 'deletefile', { fileid });
      await call(ready.api, token, 'trash_clear', { folderid: 0 }).catch(() => undefined);
      const line = (d: Direction) =>
        [...kinds, ...(d === 'upload' ? (['hashed'] as const) : [])]
          .map((k) => `${k} ${(size / MiB / (samples.get(`${k}-${d}`)!.at(-1)!.ms / 1000)).toFixed(0)}`)
          .join(', ');
      console.error(`round ${round + 1}/${rounds}, MiB/s: upload ${line('upload')}; download ${line('download')}`);
    }

    const rate = (key: string) => median(samples.get(key)!.map((o) => size / MiB / (o.ms / 1000)));
    const peak = (key: string) => Math.max(...samples.get(key)!.map((o) => o.peak));
    const rows: Row[] = [];
    const what: Record<'http' | 'binary', Record<Direction, string>> = {
      http: { upload: 'uploadfile { path }', download: 'getfilelink + downloadToFile' },
      binary: { upload: 'uploadfile { path }', download: 'file_pread data answer → file' },
    };
    for (const kind of ['http', 'binary'] as const) {
      for (const direction of ['upload', 'download'] as const) {
        rows.push(
          row({
            group: GROUP,
            name: `pcloudkit ${kind === 'http' ? 'HTTP' : 'binary'} ${direction}, ${mb} MiB (${what[kind][direction]})`,
            value: rate(`${kind}-${direction}`),
            unit: 'MiB/s',
            anchor: `${ANCHOR}, ${direction === 'upload' ? 'client → server' : 'server → client'}`,
            anchorValue: rate(`raw-${direction}`),
            higherIsBetter: true,
            goal: 0.8,
            note: `peak client RSS ${(peak(`${kind}-${direction}`) / 1e6).toFixed(0)} MB; median of ${rounds}; files in ${scratch}`,
          }),
        );
      }
      rows.push(
        row({
          group: `${GROUP} (information)`,
          name: `pcloudkit ${kind === 'http' ? 'HTTP' : 'binary'} upload, ${mb} MiB`,
          value: rate(`${kind}-upload`),
          unit: 'MiB/s',
          anchor: `${ANCHOR}, the server also computing the SHA-1 and MD5 an uploadfile answer carries`,
          anchorValue: rate('hashed-upload'),
          higherIsBetter: true,
          note: 'the emulator computes SHA-256 as well (its blobs are named by it)',
        }),
      );
      const worst = Math.max(peak(`${kind}-upload`), peak(`${kind}-download`));
      rows.push(
        row({
          group: GROUP,
          name: `pcloudkit ${kind === 'http' ? 'HTTP' : 'binary'}, peak client RSS (upload and download)`,
          value: worst / 1e6,
          unit: 'MB',
          anchor: 'the limit',
          anchorValue: RSS_LIMIT / 1e6,
          higherIsBetter: false,
          goal: 1,
          note: `raw socket client peaks at ${(Math.max(peak('raw-upload'), peak('raw-download')) / 1e6).toFixed(0)} MB`,
        }),
      );
    }
    return rows;
  } finally {
    raw?.kill();
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
};

export default transfers;
