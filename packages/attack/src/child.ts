import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The JSON line the emulator CLI prints once it listens. */
export interface ReadyLine {
  api: string;
  apiHost: string;
  contentHosts: string[];
  username: string;
  password: string;
  auth: string;
  binapi: string | null;
  pid: number;
}

/** An emulator running in its own process, so its memory can be measured apart from the attacker's. */
export interface ChildEmulator {
  readonly ready: ReadyLine;
  readonly pid: number;
  /** Resident memory of the process now, in bytes. */
  rss(): number;
  /** Starts sampling the resident memory every `everyMs`; `stop()` gives the peak. */
  sample(everyMs?: number): RssSampler;
  /** Whether the process is still running. */
  alive(): boolean;
  /** What the process wrote on stderr so far. */
  stderr(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code (null after a signal). */
  stop(): Promise<number | null>;
  /** `kill -9`: no cleanup at all; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Open file descriptors of the process (sockets included), or undefined where /proc is missing. */
  openFiles(): number | undefined;
}

export interface RssSampler {
  /** Highest resident memory seen so far, in bytes. */
  peak(): number;
  /** Stops sampling; resolves with the peak. */
  stop(): number;
}

const require = createRequire(import.meta.url);

/** The emulator CLI's TypeScript entry, run from sources like every test. */
function cliPath(): string {
  return join(dirname(require.resolve('@pcloudkit/emulator/package.json')), 'src', 'cli.ts');
}

/** Resident set size of a process in bytes (Linux /proc, else `ps`). */
export function rssOf(pid: number): number {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(status, 'utf8'));
    if (m) return Number(m[1]) * 1024;
  }
  const out = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(out.trim()) * 1024;
}

/**
 * Starts the emulator CLI (`--no-seed` plus `flags`) in a child Node process
 * with tsx and the `source` export condition, and resolves once it printed
 * its ready line.
 */
export async function spawnEmulator(flags: string[] = [], opts: { startTimeoutMs?: number } = {}): Promise<ChildEmulator> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cliPath(), '--no-seed', ...flags], {
    // tsx is resolved from this package's folder (src/ or dist/ sits one level below it)
    cwd: dirname(dirname(fileURLToPath(import.meta.url))),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    err += d;
    if (err.length > 64 * 1024) err = err.slice(-32 * 1024);
  });
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const ready = await new Promise<ReadyLine>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the emulator did not start in time; stderr: ${err}`)), opts.startTimeoutMs ?? 60_000);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out.slice(0, nl)) as ReadyLine);
      } catch (e) {
        reject(e);
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}) before it was ready; stderr: ${err}`));
    });
  });
  const pid = child.pid!;
  return {
    ready,
    pid,
    rss: () => rssOf(pid),
    sample(everyMs = 50) {
      let peak = rssOf(pid);
      const timer = setInterval(() => {
        if (exited) return;
        try {
          peak = Math.max(peak, rssOf(pid));
        } catch {
          // the process is gone; the caller sees it through alive()
        }
      }, everyMs);
      return {
        peak: () => peak,
        stop() {
          clearInterval(timer);
          return peak;
        },
      };
    },
    alive: () => !exited,
    stderr: () => err,
    async kill() {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
    openFiles() {
      try {
        return readdirSync(`/proc/${pid}/fd`).length;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (exited) return exit;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exit;
      clearTimeout(killer);
      return code;
    },
  };
}
