/**
 * pCloud Trash methods: list deleted files and folders, see where they
 * would be restored, restore them, and empty the Trash.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`trash_list(client, {})`) or add the {@link trash}
 * plugin to a client (`client.use(trash).trash_list({})`).
 */
import { definePlugin, methodList, type MethodList } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-trash/methods';
import * as methods from './methods.js';

export type { FileMetadata, FolderMetadata, Metadata } from '@pcloudkit/core';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every Trash method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Adds the Trash methods to a client: `createClient(...).use(trash)`. */
export const trash = /* @__PURE__ */ definePlugin({
  name: 'trash',
  methods: definitions,
});
