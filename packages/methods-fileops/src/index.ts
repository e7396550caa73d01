/**
 * pCloud's fileops methods: a file descriptor on one connection, read and
 * written in pieces.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`file_size(client, { fd }, { connectionKey })`) or
 * add the {@link fileops} plugin to a client (`client.use(fileops)`), which
 * also brings the helpers: `client.open()` (a {@link FileHandle} on a
 * connection of its own, closed with it, usable with `await using`) and
 * `client.uploadLarge()` (a resumable, verified upload through
 * `file_pwrite`). Uploads from a path on disk, with Node's native hashes,
 * live in `@pcloudkit/methods-fileops/node`.
 */
import { type CoreClient, definePlugin, methodList, type MethodList } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-fileops/methods';
import { type FileHandle, type OpenTarget, openFile } from './handle.js';
import * as methods from './methods.js';
import { type LargeSource, portableHash } from './source.js';
import { type UploadLargeOptions, type UploadLargeResult, type UploadTarget, uploadLargeWith } from './upload.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';
export {
  collect,
  FileHandle,
  O_APPEND,
  O_CREAT,
  O_EXCL,
  O_TRUNC,
  O_WRITE,
  openFile,
  uniqueConnectionKey,
  type HandleCallOptions,
  type LockOptions,
  type LockRange,
  type OpenTarget,
  type Whence,
  type WriteData,
} from './handle.js';
export { portableHash, type HashFactory, type Hasher, type HashName, type LargeSource } from './source.js';
export type { UploadLargeOptions, UploadLargeProgress, UploadLargeResult, UploadTarget } from './upload.js';

/** Every fileops method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/**
 * Uploads a large file through `file_pwrite` in chunks, going on after
 * dropped connections from where the server got, and checks the server's
 * whole-file checksums before it renames the file into place. Takes bytes,
 * a Blob, a web stream or an async iterable; `{ path }` sources need the
 * Node entry (`@pcloudkit/methods-fileops/node`).
 */
export function uploadLarge(
  client: CoreClient,
  source: LargeSource,
  target: UploadTarget,
  options?: UploadLargeOptions,
): Promise<UploadLargeResult> {
  return uploadLargeWith({ hash: portableHash }, client, source, target, options);
}

/** What the {@link fileops} plugin adds besides the methods. */
export interface FileopsHelpers {
  /** Opens a file on a connection of its own; see {@link openFile}. */
  open(target: OpenTarget, flags?: number): Promise<FileHandle>;
  /** {@link uploadLarge} with this client. */
  uploadLarge(source: LargeSource, target: UploadTarget, options?: UploadLargeOptions): Promise<UploadLargeResult>;
}

/** The fileops methods plus `client.open()` and `client.uploadLarge()`. */
export const fileops = /* @__PURE__ */ definePlugin({
  name: 'fileops',
  methods: definitions,
  extend: (client: CoreClient): FileopsHelpers => ({
    open: (target, flags) => openFile(client, target, flags),
    uploadLarge: (source, target, options) => uploadLarge(client, source, target, options),
  }),
});
