/**
 * ZIP downloads into Node streams and files. The archive goes through in
 * chunks as the server sends it (`getzip`), so a tree of any size never sits
 * in memory.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { AbortError, type CoreClient, type ParamsOf } from '@pcloudkit/core';
import { type getzip, zipStream, type ZipStreamOptions } from './index.js';

/** How much of the archive went where. */
export interface ZipWritten {
  /** Bytes written. */
  bytes: number;
}

/**
 * Streams a ZIP of a tree (`getzip`) into `destination`, which is ended
 * when the archive is complete. `onProgress` sees the bytes as they pass;
 * `signal` stops the transfer (AbortError).
 */
export async function zipTo(
  client: CoreClient,
  params: ParamsOf<typeof getzip>,
  destination: Writable,
  options: ZipStreamOptions = {},
): Promise<ZipWritten> {
  const { signal } = options;
  const { body } = await zipStream(client, params, options);
  let bytes = 0;
  const source = Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
  source.on('data', (chunk: Uint8Array) => {
    bytes += chunk.byteLength;
  });
  try {
    await pipeline(source, destination, ...(signal ? ([{ signal }] as const) : []));
  } catch (error) {
    if (signal?.aborted) throw new AbortError('the ZIP download was aborted', { cause: signal.reason });
    throw error;
  }
  return { bytes };
}

/**
 * Writes a ZIP of a tree (`getzip`) to the file at `path`; a failed or
 * aborted transfer removes the partial file.
 */
export async function zipToFile(
  client: CoreClient,
  params: ParamsOf<typeof getzip>,
  path: string,
  options: ZipStreamOptions = {},
): Promise<ZipWritten & { path: string }> {
  try {
    const written = await zipTo(client, params, createWriteStream(path), options);
    return { ...written, path };
  } catch (error) {
    await rm(path, { force: true }).catch(() => {});
    throw error;
  }
}
