/**
 * Cost of the emulator's storage: calls per second of a read (userinfo) and
 * of a change (createfolder), in memory and with a data directory, for an
 * account of 1,000 and of 100,000 files (seeded through the store directly).
 * The ratio 100k/1k of the change rate shows whether a change costs more in
 * a bigger account (it should stay near 1). Prints numbers; asserts nothing.
 * Run with `pnpm --filter @pcloudkit/emulator bench` (BENCH_SECONDS=N per case, default 2).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { contentHash } from '../src/blobs.js';
import { startEmulator, type Emulator } from '../src/index.js';
import type { Store } from '../src/store.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONCURRENCY = 8;
const PER_FOLDER = 1000;

/** Adds `count` small files to the demo account, PER_FOLDER per folder, in a few transactions. */
async function seedFiles(store: Store, count: number): Promise<void> {
  const user = store.users.get(1) ?? [...store.users.values()][0]!;
  const info = await store.blobs.writeBuffer(Buffer.from('seeded content\n'));
  const hash = contentHash(info.sha1).toString();
  for (let done = 0; done < count; ) {
    store.batch(() => {
      const folder = store.addFolder(user.userid, user.rootId, `seed-${done / PER_FOLDER}`);
      for (let i = 0; i < PER_FOLDER && done < count; i++, done++)
        store.addFile(user.userid, folder.id, `file-${i}.txt`, store.newVersion(info, hash), 'text/plain');
    });
  }
}

async function rate(pool: Pool, path: () => string): Promise<number> {
  const one = async () => {
    const res = await pool.request({ path: path(), method: 'GET' });
    const body = (await res.body.json()) as { result: number };
    if (body.result !== 0) throw new Error(`call failed: ${JSON.stringify(body)}`);
  };
  for (let i = 0; i < 50; i++) await one(); // warm-up
  const end = performance.now() + SECONDS * 1000;
  const start = performance.now();
  let count = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await one();
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

interface Setup {
  emu: Emulator;
  pool: Pool;
  auth: string;
  seedSeconds: number;
  dir: string | undefined;
  folders: number;
}

async function setup(mode: 'memory' | 'data', files: number): Promise<Setup> {
  const dir = mode === 'data' ? await mkdtemp(join(tmpdir(), 'pcloudkit-bench-')) : undefined;
  const emu = await startEmulator({ seed: false, binary: false, ...(dir ? { dataDir: join(dir, 'data') } : {}) });
  const t0 = performance.now();
  await seedFiles(emu.core.store, files);
  const seedSeconds = (performance.now() - t0) / 1000;
  return { emu, pool: new Pool(emu.api, { connections: CONCURRENCY }), auth: encodeURIComponent(emu.auth), seedSeconds, dir, folders: 0 };
}

async function teardown(s: Setup): Promise<void> {
  await s.pool.close();
  await s.emu.stop();
  if (s.dir) await rm(s.dir, { recursive: true, force: true });
}

const read = (s: Setup) => rate(s.pool, () => `/userinfo?auth=${s.auth}`);
const change = (s: Setup) => rate(s.pool, () => `/createfolder?auth=${s.auth}&folderid=0&name=bench-${s.folders++}`);

async function main(): Promise<void> {
  console.log(
    `emulator storage bench: ${SECONDS}s per case, ${CONCURRENCY} connections, best of 3 alternating rounds, node ${process.version}`,
  );
  console.log('(client and emulator share this process; with --data a change commits with synchronous=FULL, so it waits for fsync)\n');
  for (const mode of ['memory', 'data'] as const) {
    const small = await setup(mode, 1_000);
    const big = await setup(mode, 100_000);
    try {
      // alternate the two accounts and keep each one's best round, so drift and other load hit both alike
      const best = { smallRead: 0, bigRead: 0, smallChange: 0, bigChange: 0 };
      for (let round = 0; round < 3; round++) {
        best.smallRead = Math.max(best.smallRead, await read(small));
        best.bigRead = Math.max(best.bigRead, await read(big));
        best.smallChange = Math.max(best.smallChange, await change(small));
        best.bigChange = Math.max(best.bigChange, await change(big));
      }
      const line = (files: number, s: Setup, r: number, c: number) =>
        `${mode.padEnd(6)} ${String(files).padStart(7)} files (seeded in ${s.seedSeconds.toFixed(1).padStart(4)} s)  userinfo ${r.toFixed(0).padStart(6)} calls/s  createfolder ${c.toFixed(0).padStart(6)} calls/s`;
      console.log(line(1_000, small, best.smallRead, best.smallChange));
      console.log(line(100_000, big, best.bigRead, best.bigChange));
      console.log(
        `${mode.padEnd(6)} ratio 100k/1k: createfolder ${(best.bigChange / best.smallChange).toFixed(2)} (cost of a change; near 1 = independent of the account size), userinfo ${(best.bigRead / best.smallRead).toFixed(2)}\n`,
      );
    } finally {
      await teardown(small);
      await teardown(big);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
