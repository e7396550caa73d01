/**
 * ZIP downloads into Node streams and files. The archive goes through in
 * chunks as the server sends it (`getzip`), so a tree of any size never sits
 * in memory.
 */
import type { Writable } from 'node:stream';
import type { CoreClient, ParamsOf } from '@pcloudkit/core';
import { pumpTo, writeToFile } from '@pcloudkit/core/node';
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
  const { body } = await zipStream(client, params, options);
  return pumpTo(body, destination, 'ZIP', options.signal);
}

/**
 * Writes a ZIP of a tree (`getzip`) to the file at `path`; a failed or
 * aborted transfer removes the partial file.
 */
export function zipToFile(
  client: CoreClient,
  params: ParamsOf<typeof getzip>,
  path: string,
  options: ZipStreamOptions = {},
): Promise<ZipWritten & { path: string }> {
  return writeToFile(path, (out) => zipTo(client, params, out, options));
}
