/**
 * The Node side of the fileops helpers: `uploadLarge` that also reads
 * `{ path }` sources (random access, so a resend after a dropped connection
 * reads the file again instead of keeping it in memory) and hashes with
 * `node:crypto`, and a {@link fileops} plugin whose `client.uploadLarge`
 * is that one.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { type CoreClient, definePlugin } from '@pcloudkit/core';
import { definitions, type FileopsHelpers } from './index.js';
import { openFile } from './handle.js';
import type { HashFactory, LargeSource, PathOpener } from './source.js';
import { type UploadLargeOptions, type UploadLargeResult, type UploadTarget, uploadLargeWith } from './upload.js';

/** Incremental hashes from `node:crypto`. */
export const nodeHash: HashFactory = (name) => {
  const h = createHash(name);
  return {
    update: (bytes) => void h.update(bytes),
    digest: () => h.digest('hex'),
  };
};

/** Opens a regular file for reads at any position. */
export const openPath: PathOpener = async (path) => {
  const info = await stat(path);
  if (!info.isFile()) throw new TypeError(`not a regular file: ${path}`);
  const handle = await open(path, 'r');
  return {
    size: info.size,
    async read(offset, length) {
      const buffer = new Uint8Array(length);
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
  return uploadLargeWith({ hash: nodeHash, openPath }, client, source, target, options);
}

/** The fileops plugin of the main entry, with this entry's `uploadLarge` (paths, native hashes). Use one or the other. */
export const fileops = definePlugin({
  name: 'fileops',
  methods: definitions,
  extend: (client: CoreClient): FileopsHelpers => ({
    open: (target, flags) => openFile(client, target, flags),
    uploadLarge: (source, target, options) => uploadLarge(client, source, target, options),
  }),
});
