/**
 * pCloud folder methods: create, list, rename/move, copy and delete folders.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`listfolder(client, { folderid: 0 })`) or add the
 * {@link folder} plugin to a client (`client.use(folder).listfolder(...)`).
 */
import { definePlugin, methodList, type MethodList } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-folder/methods';
import * as methods from './methods.js';

export type { FileCategory, FileMetadata, FolderMetadata, Metadata, MetadataBase } from './metadata.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every folder method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Adds the folder methods to a client: `createClient(...).use(folder)`. */
export const folder = /* @__PURE__ */ definePlugin({
  name: 'folder',
  methods: definitions,
});
