/**
 * Starts the emulator's CLI in a child process, so the server and the client
 * being measured do not share one event loop (nor one CPU count: the child's
 * CPU is not in this process's `process.cpuUsage`).
 */
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The line of JSON the emulator CLI prints once it listens (see packages/emulator/src/cli.ts). */
export interface ReadyLine {
  api: string;
  apiHost: string;
  auth: string;
  /** `host:port` of the binary protocol port, `null` when it is off. */
  binapi: string | null;
  [key: string]: unknown;
}

export interface EmulatorChild {
  ready: ReadyLine;
  pid: number;
  /** Ends the child and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * The emulator as users run it: its built CLI. When this process runs the
 * TypeScript sources (`--conditions=source`), the emulator does too, under tsx.
 */
const fromSources = import.meta.resolve('@pcloudkit/emulator').endsWith('.ts');
const cli = fromSources
  ? ['--import', 'tsx', resolve(root, 'packages/emulator/src/cli.ts')]
  : [resolve(root, 'packages/emulator/dist/cli.js')];

/** Runs the emulator's CLI with `--port 0 ...args` (and `env` added to this process's) and waits for its ready line. */
export async function startEmulatorChild(args: readonly string[] = [], env: Record<string, string> = {}): Promise<EmulatorChild> {
  const child = spawn(process.execPath, [...cli, '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<ReadyLine>((ok, fail) => {
    child.once('exit', (code) => fail(new Error(`the emulator exited before it was ready (code ${code})`)));
    child.once('error', fail);
    lines.on('line', (line) => {
      try {
        const value = JSON.parse(line) as ReadyLine;
        if (typeof value.api === 'string') ok(value);
      } catch {
        // not the ready line
      }
    });
  });
  return {
    ready,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
