import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { downloadToFile } from '../src/index.js';
import { rangeServer } from './helpers.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

// Several write batches (1 MiB each): one is written while the next gathers, and a break waits for both.
const FILE = randomBytes(7 * 1024 * 1024 + 333);
const sha1 = createHash('sha1').update(FILE).digest('hex');

/** Serves FILE with ranges, in writes of 100,000 bytes, cutting each answer after `cut` bytes (none: whole). */
async function server(cut: number | undefined, seen: string[]) {
  const s = await rangeServer(FILE, { cut, chunk: 100_000, seen });
  cleanup.push(s.close);
  return s;
}

async function target(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pck-dl-batches-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'out.bin');
}

describe('downloadToFile with several write batches', () => {
  it('writes every byte in place, in order, with progress up to the end', async () => {
    const seen: string[] = [];
    const s = await server(undefined, seen);
    const path = await target();
    const progress: number[] = [];
    const done = await downloadToFile(`${s.origin}/f`, path, { checksum: { sha1 }, onProgress: (p) => progress.push(p.loaded) });
    expect(done).toMatchObject({ bytes: FILE.length, resumes: 0, checksums: { sha1 } });
    expect(Buffer.compare(await readFile(path), FILE)).toBe(0);
    expect(progress.at(-1)).toBe(FILE.length);
    expect(progress.every((n, i) => i === 0 || n >= progress[i - 1]!)).toBe(true);
  });

  it('resumes after breaks in the middle of a batch from the byte the file reached', async () => {
    const seen: string[] = [];
    const cut = 2_500_001;
    const s = await server(cut, seen);
    const path = await target();
    const done = await downloadToFile(`${s.origin}/f`, path, { retryDelay: 1, checksum: { sha1 } });
    expect(done).toMatchObject({ bytes: FILE.length, resumes: 2, checksums: { sha1 } });
    expect(seen).toEqual(['', `bytes=${cut}-${FILE.length - 1}`, `bytes=${2 * cut}-${FILE.length - 1}`]);
    expect(Buffer.compare(await readFile(path), FILE)).toBe(0);
  });

  it('a range of a big file lands at the start of the target', async () => {
    const seen: string[] = [];
    const s = await server(undefined, seen);
    const path = await target();
    const range = { start: 1_234_567, end: 5_999_999 };
    const done = await downloadToFile(`${s.origin}/f`, path, { range });
    expect(done.bytes).toBe(range.end - range.start + 1);
    expect(Buffer.compare(await readFile(path), FILE.subarray(range.start, range.end + 1))).toBe(0);
  });
});
