import { Worker } from 'node:worker_threads';

/** The three digests the emulator keeps of every blob, as lowercase hex. */
export interface Digests {
  sha256: string;
  sha1: string;
  md5: string;
}

/**
 * The worker's code (plain CommonJS, run with `eval`, so the same text works
 * from the TypeScript sources, the ESM and the CJS builds). A job hashes one
 * file that the main thread is still writing: `more` says how far the bytes
 * are on disk, `end` gives the final length; the worker reads the file from
 * the page cache behind the writer, so no byte crosses the thread boundary.
 */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(1024 * 1024);
const jobs = new Map();
function catchUp(job, upto) {
  while (job.at < upto) {
    const n = fs.readSync(job.fd, buf, 0, Math.min(buf.length, upto - job.at), job.at);
    if (n === 0) throw new Error('the file is shorter than the bytes written to it');
    const bytes = n === buf.length ? buf : buf.subarray(0, n);
    for (const h of job.hashes) h.update(bytes);
    job.at += n;
  }
}
function drop(id) {
  const job = jobs.get(id);
  jobs.delete(id);
  if (job && job.fd !== undefined) fs.closeSync(job.fd);
}
parentPort.on('message', (m) => {
  let job = jobs.get(m.id);
  try {
    if (m.t === 'start') {
      job = { fd: undefined, at: 0, algs: m.algs, hashes: m.algs.map((a) => createHash(a)) };
      jobs.set(m.id, job);
      job.fd = fs.openSync(m.path, 'r');
    } else if (m.t === 'abort') {
      drop(m.id);
    } else if (job && job.error === undefined) {
      catchUp(job, m.upto);
      if (m.t === 'end') {
        const out = {};
        job.algs.forEach((a, i) => { out[a] = job.hashes[i].digest('hex'); });
        drop(m.id);
        parentPort.postMessage({ id: m.id, digests: out });
      }
    } else if (job && m.t === 'end') {
      const error = job.error;
      drop(m.id);
      parentPort.postMessage({ id: m.id, error });
    }
  } catch (e) {
    const error = String((e && e.message) || e);
    if (m.t === 'end') {
      drop(m.id);
      parentPort.postMessage({ id: m.id, error });
    } else if (job) job.error = error; // answered with the end message
  }
});
`;

type Alg = keyof Digests;
/** md5 is the slowest of the three; sha1 and sha256 (hardware-assisted on most CPUs) share the other thread. */
const GROUPS: readonly (readonly Alg[])[] = [['md5'], ['sha1', 'sha256']];

interface Pending {
  resolve: (d: Partial<Digests>) => void;
  reject: (e: Error) => void;
}

/** One hashing thread, started on first use; it keeps the process alive only while a job is open. */
class DigestThread {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();

  private get live(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', (m: { id: number; digests?: Partial<Digests>; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.digests) p.resolve(m.digests);
      else p.reject(new Error(`digest thread: ${m.error ?? 'no digest'}`));
    });
    const fail = (e: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`digest thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  start(id: number, path: string, algs: readonly Alg[]): void {
    const worker = this.live;
    worker.ref();
    worker.postMessage({ t: 'start', id, path, algs });
    // the answer's promise exists from the start, so a thread that dies mid-job fails the job
    this.pending.set(id, { resolve: () => undefined, reject: () => undefined });
  }

  more(id: number, upto: number): void {
    if (this.pending.has(id)) this.worker?.postMessage({ t: 'more', id, upto });
  }

  end(id: number, size: number): Promise<Partial<Digests>> {
    return new Promise((resolve, reject) => {
      if (!this.pending.has(id) || !this.worker) {
        reject(new Error('digest thread: the job was lost'));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ t: 'end', id, upto: size });
    });
  }

  abort(id: number): void {
    if (!this.pending.delete(id)) return;
    this.worker?.postMessage({ t: 'abort', id });
    if (this.pending.size === 0) this.worker?.unref();
  }
}

let threads: DigestThread[] | undefined;
let nextId = 1;

/** Digests of a file being written, computed on other threads while the writing goes on. */
export interface FileDigestJob {
  /** The first `upto` bytes of the file are written: they may be hashed. */
  advance(upto: number): void;
  /** The file holds `size` bytes in all: resolves with the digests of those bytes. */
  finish(size: number): Promise<Digests>;
  /** Gives the job up (the file is dropped). */
  abort(): void;
}

/**
 * Starts hashing the file at `path` (which must exist) on the digest threads.
 * The caller reports with `advance` how far the bytes are written, and ends
 * with `finish` or `abort`.
 */
export function startFileDigests(path: string): FileDigestJob {
  threads ??= GROUPS.map(() => new DigestThread());
  const all = threads;
  const id = nextId++;
  try {
    for (const [i, t] of all.entries()) t.start(id, path, GROUPS[i]!);
  } catch (error) {
    // a thread that could not start: the others give the job up too
    for (const t of all) t.abort(id);
    throw error;
  }
  let open = true;
  return {
    advance(upto) {
      if (open) for (const t of all) t.more(id, upto);
    },
    async finish(size) {
      open = false;
      const parts = await Promise.all(all.map((t) => t.end(id, size)));
      return Object.assign({}, ...parts) as Digests;
    },
    abort() {
      if (!open) return;
      open = false;
      for (const t of all) t.abort(id);
    },
  };
}
