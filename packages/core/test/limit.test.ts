// The time limit behind a call's deadline when the transport offers no
// lighter one: it fires with its reason, can be lifted (also detached), never
// fires for Infinity, and never keeps the process alive.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { timerSignal } from '../src/timer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('timerSignal', () => {
  it('fires with reason()', async () => {
    const { signal } = timerSignal(20, () => 'late');
    await sleep(60);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('late');
  });

  it('does not fire once cleared (clear works detached), nor with Infinity', async () => {
    const { signal, clear } = timerSignal(20, () => 'x');
    clear();
    const never = timerSignal(Number.POSITIVE_INFINITY, () => 'x');
    await sleep(60);
    expect(signal.aborted).toBe(false);
    expect(never.signal.aborted).toBe(false);
  });

  it('a pending limit does not keep the process alive', async () => {
    const timer = fileURLToPath(new URL('../src/timer.ts', import.meta.url));
    const script = `const { timerSignal } = await import(${JSON.stringify(timer)}); timerSignal(60_000, () => 'x');`;
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'inherit' });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
