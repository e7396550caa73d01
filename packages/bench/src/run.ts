/**
 * `pnpm bench`: runs every bench module one after another, prints one table
 * (each measured value beside its anchor, the ratio and the goal) and writes
 * it as JSON to `packages/bench/results/latest.json`.
 *
 * Flags: `--check` exits non-zero when a ratio falls below its goal (or a
 * module is missing or fails); `--quick` makes every module run a short
 * version; `--only calls,transfers` runs some modules only.
 * Environment: `PCLOUDKIT_BENCH_MB` (transfer size, default 1024).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { exitCode, failures, formatTable, type Missing, toResults } from './report.js';
import type { BenchModule, Row } from './row.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The modules in the order they run: small calls, JSON decoding, transfers, the emulator. */
const MODULES = ['calls', 'json', 'transfers', 'emulator'] as const;
export const RESULTS_FILE = resolve(here, '../results/latest.json');

/** Loads a module's bench function, or undefined when its file is not there (yet). */
async function load(name: string): Promise<BenchModule | undefined> {
  if (!existsSync(resolve(here, `${name}.ts`)) && !existsSync(resolve(here, `${name}.js`))) return undefined;
  const mod = (await import(`./${name}.js`)) as { default?: BenchModule; bench?: BenchModule };
  const fn = mod.default ?? mod.bench;
  if (typeof fn !== 'function') throw new Error(`src/${name}.ts exports no bench function (default export)`);
  return fn;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    // `pnpm bench -- --quick` passes the `--` on
    args: process.argv.slice(2).filter((a) => a !== '--'),
    options: { check: { type: 'boolean' }, quick: { type: 'boolean' }, only: { type: 'string' } },
    strict: true,
  });
  const quick = values.quick ?? false;
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((n) => !(MODULES as readonly string[]).includes(n));
  if (unknown?.length) throw new Error(`--only: unknown module ${unknown.join(', ')} (known: ${MODULES.join(', ')})`);
  const selected = MODULES.filter((m) => !only || only.includes(m));

  const started = performance.now();
  const loadBefore = loadavg()[0]!;
  const rows: Row[] = [];
  const missing: Missing[] = [];
  for (const name of selected) {
    const t0 = performance.now();
    console.error(`\n== ${name} ==`);
    try {
      const fn = await load(name);
      if (!fn) {
        missing.push({ module: name, status: 'skipped', reason: `src/${name}.ts is not there` });
        console.error(`skipped: src/${name}.ts is not there`);
        continue;
      }
      const got = await fn({ quick });
      rows.push(...got);
      console.error(`${got.length} rows in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    } catch (error) {
      const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
      missing.push({ module: name, status: 'failed', reason: reason.split('\n')[0]! });
      console.error(`failed: ${reason}`);
    }
  }

  const results = toResults(rows, missing, {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: cpus().length,
    load: { before: loadBefore, after: loadavg()[0]! },
    quick,
    seconds: Math.round((performance.now() - started) / 1000),
  });
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);

  console.log(`\n${formatTable(rows, missing)}\n`);
  console.log(
    `node ${results.node}, ${results.cpus} CPUs, load ${results.load.before.toFixed(1)} → ${results.load.after.toFixed(1)}, ${results.seconds} s${quick ? ', --quick' : ''}; JSON in ${RESULTS_FILE}`,
  );
  const code = exitCode(rows, missing, values.check ?? false);
  if (values.check) {
    const below = failures(rows);
    console.log(
      code === 0
        ? 'bench:check: every ratio meets its goal'
        : `bench:check: ${below.length} ratio(s) below the goal${missing.length ? `, ${missing.length} module(s) missing or failed` : ''}`,
    );
  }
  // a module that left a handle open must not keep the run alive
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
