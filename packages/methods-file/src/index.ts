/**
 * pCloud file methods: upload, server-side download from URLs, copy, rename,
 * delete, stat and checksums.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`stat(client, { fileid })`) or add the {@link file}
 * plugin to a client (`client.use(file).stat(...)`), which also brings the
 * friendlier `upload()` helper.
 */
import { definePlugin, methodList, type MethodList } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-file/methods';
import * as methods from './methods.js';
import { makeUpload } from './upload.js';

export type { FileCategory, FileMetadata, FolderMetadata, Metadata, MetadataBase, MetadataIcon } from '@pcloudkit/core';
export type { UploadHelper, UploadOptions } from './upload.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every file method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/**
 * Adds the file methods to a client, plus `upload(files, options)`:
 * `createClient(...).use(file).upload({ name: 'a.txt', data: bytes }, { folderid: 0 })`.
 */
export const file = /* @__PURE__ */ definePlugin({
  name: 'file',
  methods: definitions,
  extend: (client) => ({ upload: makeUpload(client, methods.uploadfile) }),
});
