/**
 * pCloud's "general" methods: account info, server selection, the change
 * log, login digests and a few odds and ends.
 *
 * Every definition is a standalone function (`getapiserver(client)`) and the
 * {@link general} plugin adds them all to a client (`client.use(general)`).
 */
import { definePlugin, methodList, type MethodList } from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-general/methods';
import * as methods from './methods.js';

export type {
  DiffEntry,
  DiffEventName,
  EntryBase,
  FileCategory,
  FileEntry,
  FileMetadata,
  FolderEntry,
  FolderMetadata,
  Metadata,
  MetadataBase,
  MetadataIcon,
  ResetEntry,
  Share,
  ShareEntry,
  ShareEvent,
  UserInfoEntry,
  UserInfoSnapshot,
} from './metadata.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every general method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Adds the general methods to a client: `createClient(...).use(general)`. */
export const general = /* @__PURE__ */ definePlugin({
  name: 'general',
  methods: definitions,
});
