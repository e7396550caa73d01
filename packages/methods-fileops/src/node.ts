/**
 * The Node side of the fileops helpers: `uploadLarge` that also reads
 * `{ path }` sources (random access, so a resend after a dropped connection
 * reads the file again instead of keeping it in memory) and hashes with
 * `node:crypto`, and a {@link fileops} plugin whose `client.uploadLarge`
 * is that one.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { open, stat } from 'node:fs/promises';
import { type CoreClient, definePlugin } from '@pcloudkit/core';
import { definitions, type FileopsHelpers } from './index.js';
import { openFile } from './handle.js';
import type { HashFactory, HashName, LargeSource, PathOpener } from './source.js';
import { type HashStream, type UploadLargeOptions, type UploadLargeResult, type UploadTarget, uploadLargeWith } from './upload.js';

/** Incremental hashes from `node:crypto`. */
export const nodeHash: HashFactory = (name) => {
  const h = createHash(name);
  return {
    update: (bytes) => void h.update(bytes),
    digest: () => h.digest('hex'),
  };
};

// The hashing worker: it reads each chunk from shared memory and answers once it is hashed.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = workerData.map((name) => createHash(name));
const slots = [];
parentPort.on('message', (m) => {
  if (m === null) return parentPort.postMessage(hashes.map((h) => h.digest('hex')));
  if (m.buffer) slots[m.slot] = m.buffer;
  const bytes = new Uint8Array(slots[m.slot], 0, m.length);
  for (const h of hashes) h.update(bytes);
  parentPort.postMessage(true);
});`;

/** Bytes that may wait for the workers at once (at least two chunks, whatever their size). */
const HASH_BYTES = 8 * 1024 * 1024;

/**
 * The whole file's hashes on a worker thread, so hashing runs beside the
 * network work instead of holding up the connection. Each chunk is copied
 * once into a shared buffer that the worker reads; a buffer is used again
 * only once its chunk is hashed, and at most {@link HASH_BYTES} (or two
 * chunks) wait at once, so memory stays bounded while short stalls of a
 * busy machine do not hold up the sender. One worker per hash, so the
 * hashes run side by side.
 */
export function workerHashStream(names: HashName[]): HashStream {
  // A worker answers its messages in order: a FIFO of waiting promises.
  const workers = names
    .map((name) => [name])
    .map((group) => {
      const worker = new Worker(WORKER, { eval: true, workerData: group });
      worker.unref();
      const waiting: Array<{ ok(value: unknown): void; fail(error: unknown): void }> = [];
      worker.on('message', (m) => waiting.shift()?.ok(m));
      worker.on('error', (e) => {
        for (const w of waiting.splice(0)) w.fail(e);
      });
      const send = (message: unknown) =>
        new Promise<unknown>((ok, fail) => {
          waiting.push({ ok, fail });
          worker.postMessage(message);
        });
      return { worker, send };
    });
  // Chunks sent to the workers and not hashed yet, oldest first, with the shared buffer each one holds.
  let queue: Array<{ hashed: Promise<unknown>; slot: number; size: number }> = [];
  let queued = 0;
  const slots: SharedArrayBuffer[] = [];
  const free: number[] = [];
  const settle = async () => {
    const head = queue.shift()!;
    queued -= head.size;
    await head.hashed;
    free.push(head.slot);
  };
  let lock: Promise<void> = Promise.resolve();
  return {
    update(bytes) {
      // One update at a time, in call order.
      const run = lock.then(async () => {
        while (queue.length >= 2 && queued + bytes.byteLength > HASH_BYTES) await settle();
        const slot = free.pop() ?? slots.length;
        let fresh: SharedArrayBuffer | undefined;
        if ((slots[slot]?.byteLength ?? -1) < bytes.byteLength) slots[slot] = fresh = new SharedArrayBuffer(bytes.byteLength);
        new Uint8Array(slots[slot]!).set(bytes);
        // messages are answered in order: one promise per chunk, for all workers
        const hashed = Promise.all(workers.map((w) => w.send({ slot, length: bytes.byteLength, ...(fresh ? { buffer: fresh } : {}) })));
        hashed.catch(() => {}); // awaited in settle() or digests()
        queue.push({ hashed, slot, size: bytes.byteLength });
        queued += bytes.byteLength;
      });
      lock = run.catch(() => {});
      return run;
    },
    async digests() {
      await lock;
      await Promise.all(queue.map((q) => q.hashed));
      queue = [];
      const hex = (await Promise.all(workers.map((w) => w.send(null)))).flat() as string[];
      return Object.fromEntries(names.map((name, i) => [name, hex[i]!]));
    },
    close() {
      for (const w of workers) void w.worker.terminate();
    },
  };
}

/**
 * Where the whole file is hashed: sha1 and sha256 (hardware-assisted on
 * current CPUs, a fraction of the cost of sending) on the calling thread, as
 * each piece is read; with md5 (several times slower) every hash goes to
 * worker threads, so hashing does not hold up the connection. On a busy
 * machine the hand-over to a worker costs more than the hashing it saves
 * (bench: a 256 MiB upload took 1.6-4.0 s with sha1 on the calling thread,
 * 3.1-7.1 s with it on a worker).
 */
function hashElsewhere(names: HashName[]): HashStream | undefined {
  return names.includes('md5') ? workerHashStream(names) : undefined;
}

/** Opens a regular file for reads at any position. */
export const openPath: PathOpener = async (path) => {
  const info = await stat(path);
  if (!info.isFile()) throw new TypeError(`not a regular file: ${path}`);
  const handle = await open(path, 'r');
  return {
    size: info.size,
    async read(offset, length, into) {
      // not zero-filled first: the read overwrites it (a short read hands back only what was read)
      const buffer = into ?? Buffer.allocUnsafe(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? buffer : buffer.subarray(0, done);
    },
    close: () => handle.close(),
  };
};

/** `uploadLarge` of the main entry, plus `{ path }` sources and Node's native hashes. */
export function uploadLarge(
  client: CoreClient,
  source: LargeSource,
  target: UploadTarget,
  options?: UploadLargeOptions,
): Promise<UploadLargeResult> {
  return uploadLargeWith({ hash: nodeHash, hashStream: hashElsewhere, openPath }, client, source, target, options);
}

/** The fileops plugin of the main entry, with this entry's `uploadLarge` (paths, native hashes). Use one or the other. */
export const fileops = /* @__PURE__ */ definePlugin({
  name: 'fileops',
  methods: definitions,
  extend: (client: CoreClient): FileopsHelpers => ({
    open: (target, flags) => openFile(client, target, flags),
    uploadLarge: (source, target, options) => uploadLarge(client, source, target, options),
  }),
});
