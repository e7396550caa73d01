/**
 * pCloud file revision methods: list the earlier versions of a file and
 * bring one back.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`listrevisions(client, { fileid })`) or add the
 * {@link revisions} plugin to a client (`client.use(revisions)`).
 */
import { definePlugin, methodList, type MethodList } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-revisions/methods';
import * as methods from './methods.js';

export type { FileMetadata } from '@pcloudkit/core';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every revision method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Adds the revision methods to a client: `createClient(...).use(revisions)`. */
export const revisions = /* @__PURE__ */ definePlugin({
  name: 'revisions',
  methods: definitions,
});
