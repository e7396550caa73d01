/**
 * Node-only helpers for the method packages' `./node` entries: a web stream
 * into a Node `Writable` or a file. The rest of core has no I/O; this entry
 * is apart so browsers and edge runtimes never load it.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { AbortError } from './errors.js';

/** How much went where. */
export interface Written {
  /** Bytes written. */
  bytes: number;
}

/**
 * Pipes `body` into `destination` (ended when the body is), counting the
 * bytes. When `signal` stops it, the failure is an AbortError naming `what`
 * ("the ZIP download was aborted").
 */
export async function pumpTo(
  body: ReadableStream<Uint8Array>,
  destination: Writable,
  what: string,
  signal?: AbortSignal,
): Promise<Written> {
  let bytes = 0;
  const source = Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
  source.on('data', (chunk: Uint8Array) => {
    bytes += chunk.byteLength;
  });
  try {
    await pipeline(source, destination, ...(signal ? ([{ signal }] as const) : []));
  } catch (error) {
    if (signal?.aborted) throw new AbortError(`the ${what} download was aborted`, { cause: signal.reason });
    throw error;
  }
  return { bytes };
}

/** Runs `write` into a new file at `path`; a failed or aborted transfer removes the partial file. */
export async function writeToFile<T extends object>(path: string, write: (out: Writable) => Promise<T>): Promise<T & { path: string }> {
  try {
    return { ...(await write(createWriteStream(path))), path };
  } catch (error) {
    await rm(path, { force: true }).catch(() => {});
    throw error;
  }
}
