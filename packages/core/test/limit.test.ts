// The time limit behind every call's deadline: it fires once with its
// reason, tells its listeners, makes its AbortSignal only when asked (already
// aborted if asked late), can be lifted, and never keeps the process alive.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Limit, timerSignal } from '../src/timer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Limit', () => {
  it('fires once with reason(context), tells its listeners, and a signal asked for later is already aborted', async () => {
    const calls: string[] = [];
    const limit = new Limit(20, (context: { name: string }) => new Error(`late: ${context.name}`), { name: 'userinfo' });
    const removed = () => calls.push('removed');
    limit.addEventListener('abort', () => calls.push('function'));
    limit.addEventListener('abort', { handleEvent: () => calls.push('object') });
    limit.addEventListener('abort', removed);
    limit.removeEventListener('abort', removed);
    expect(limit.aborted).toBe(false);
    await sleep(60);
    expect(limit.aborted).toBe(true);
    expect((limit.reason as Error).message).toBe('late: userinfo');
    expect(calls).toEqual(['function', 'object']);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.signal.reason).toBe(limit.reason);
  });

  it('aborts a signal made before it fires', async () => {
    const limit = new Limit(20, () => 'done');
    const signal = limit.signal;
    const seen = new Promise((r) => signal.addEventListener('abort', () => r(signal.reason)));
    expect(await seen).toBe('done');
  });

  it('does not fire once cleared, nor with Infinity', async () => {
    const cleared = new Limit(20, () => 'x');
    cleared.clear();
    const never = new Limit(Number.POSITIVE_INFINITY, () => 'x');
    await sleep(60);
    expect(cleared.aborted).toBe(false);
    expect(cleared.signal.aborted).toBe(false);
    expect(never.aborted).toBe(false);
  });

  it('timerSignal hands out a clear that works detached', async () => {
    const { signal, clear } = timerSignal(20, () => 'x');
    clear();
    await sleep(60);
    expect(signal.aborted).toBe(false);
  });

  it('a pending limit does not keep the process alive', async () => {
    const timer = fileURLToPath(new URL('../src/timer.ts', import.meta.url));
    const script = `const { Limit, timerSignal } = await import(${JSON.stringify(timer)});
      new Limit(60_000, () => 'x'); timerSignal(60_000, () => 'x'); new Limit(60_000, () => 'x').signal;`;
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
