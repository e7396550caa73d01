/**
 * Public files and ZIPs into Node streams and files, with progress. The
 * bytes go through in chunks as the server sends them, so nothing of any
 * size sits in memory; a failed or aborted transfer removes the partial file.
 */
import type { Writable } from 'node:stream';
import { AbortError, type CoreClient, type ParamsOf, TransportError } from '@pcloudkit/core';
import { pumpTo, type Written, writeToFile } from '@pcloudkit/core/node';
import { type getpublinkdownload, type getpubzip, publicFile, publicZipStream, type PublicZipOptions } from './index.js';

export type { Written };

/** Options of the Node helpers: progress (bytes so far, and the total when known) and a stop signal. */
export type TransferOptions = PublicZipOptions;

/**
 * Streams a file of a public link into `destination`: asks
 * `getpublinkdownload` (no login needed), then fetches the bytes from the
 * first content host that serves them.
 */
export async function publicFileTo(
  client: CoreClient,
  params: ParamsOf<typeof getpublinkdownload>,
  destination: Writable,
  options: TransferOptions = {},
): Promise<Written> {
  const { onProgress, signal, ...call } = options;
  const link = await publicFile(client, params, { ...call, ...(signal ? { signal } : {}) });
  let failure: unknown;
  for (const url of link.urls) {
    let res: Response;
    try {
      res = await fetch(url, signal ? { signal } : {});
    } catch (e) {
      if (signal?.aborted) throw new AbortError('the public file download was aborted', { cause: signal.reason });
      failure = new TransportError(`could not fetch ${url}`, { host: new URL(url).host, cause: e });
      continue;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      failure = new TransportError(`${url} answered HTTP ${res.status}`, { host: new URL(url).host, network: false });
      continue;
    }
    const length = Number(res.headers.get('content-length') ?? Number.NaN);
    const total = Number.isSafeInteger(length) ? length : undefined;
    let loaded = 0;
    const body = onProgress
      ? res.body.pipeThrough(
          new TransformStream<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              loaded += chunk.byteLength;
              onProgress(total === undefined ? { loaded } : { loaded, total });
              controller.enqueue(chunk);
            },
          }),
        )
      : res.body;
    return pumpTo(body, destination, 'public file', signal);
  }
  throw failure ?? new TransportError('getpublinkdownload answered no content host', { network: false });
}

/** Writes a file of a public link to `path` (see {@link publicFileTo}). */
export function publicFileToFile(
  client: CoreClient,
  params: ParamsOf<typeof getpublinkdownload>,
  path: string,
  options: TransferOptions = {},
): Promise<Written & { path: string }> {
  return writeToFile(path, (out) => publicFileTo(client, params, out, options));
}

/** Streams a ZIP of a public link (`getpubzip`, no login needed) into `destination`. */
export async function publicZipTo(
  client: CoreClient,
  params: ParamsOf<typeof getpubzip>,
  destination: Writable,
  options: TransferOptions = {},
): Promise<Written> {
  const { body } = await publicZipStream(client, params, options);
  return pumpTo(body, destination, 'ZIP', options.signal);
}

/** Writes a ZIP of a public link to `path` (see {@link publicZipTo}). */
export function publicZipToFile(
  client: CoreClient,
  params: ParamsOf<typeof getpubzip>,
  path: string,
  options: TransferOptions = {},
): Promise<Written & { path: string }> {
  return writeToFile(path, (out) => publicZipTo(client, params, out, options));
}
