/**
 * The Trash methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';
import type { FolderMetadata, Metadata } from '@pcloudkit/core';

const GROUP = 'trash';

// ---------------------------------------------------------------------------
// Result types

/**
 * A folder as `trash_list` shows it: the Trash root (`folderid` 0, name `/`)
 * or a deleted folder, with the deleted items inside it. Each item has
 * `isdeleted: true`, `origparentfolderid` (where it lived) and a
 * `parentfolderid` that is its place inside the Trash.
 */
export interface TrashFolder extends FolderMetadata {
  contents: Metadata[];
}

/** Answer of `trash_list`. */
export interface TrashListResult {
  /** The listed Trash folder; with `recursive`, deleted subfolders carry their own `contents`. */
  metadata: TrashFolder;
}

/** Answer of `trash_restorepath`. */
export interface TrashRestorePathResult {
  /** The item as it would look once restored. */
  metadata: Metadata;
  /** The live folder it would be restored into. */
  destination: FolderMetadata;
}

/** Answer of `trash_restore`. */
export interface TrashRestoreResult {
  /**
   * The restored item; after restoring the whole Trash (`folderid: 0`) into
   * `restoreto`, that folder.
   */
  metadata: Metadata;
  /** Only when the whole Trash was restored without `restoreto`: each item put back. */
  restored?: Metadata[];
}

/** Answer of `trash_clear`: nothing beyond success. */
export type TrashClearResult = Record<string, never>;

// ---------------------------------------------------------------------------
// Definitions

/**
 * Lists one folder of the Trash: the root (`folderid` 0, the default) or a
 * deleted folder. Only the user's own deleted items appear.
 */
export const trash_list = /* @__PURE__ */ defineMethod({
  name: 'trash_list',
  group: GROUP,
  params: {
    /** Trash folder to list; 0 (the default) is the Trash root. */
    folderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** List folders only. */
    nofiles: /* @__PURE__ */ param.flag(),
    /** List the whole subtree: each deleted subfolder gets its own `contents`. */
    recursive: /* @__PURE__ */ param.flag(),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<TrashListResult>(),
});

/**
 * Tells where `trash_restore` would put a deleted file or folder back,
 * without restoring it: the old parent when it still exists, else its
 * nearest live ancestor (the root at worst).
 */
export const trash_restorepath = /* @__PURE__ */ defineMethod({
  name: 'trash_restorepath',
  group: GROUP,
  params: {
    /** Id of a deleted file. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Id of a deleted folder. */
    folderid: /* @__PURE__ */ param.int({ min: 0 }),
  },
  oneOf: { target: ['fileid', 'folderid'] },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<TrashRestorePathResult>(),
});

/**
 * Puts a deleted file or folder back, where `trash_restorepath` says or
 * into `restoreto`. `folderid: 0` restores the whole Trash; when the quota
 * runs out midway the call fails and the items restored so far stay
 * restored.
 */
export const trash_restore = /* @__PURE__ */ defineMethod({
  name: 'trash_restore',
  group: GROUP,
  params: {
    /** Id of a deleted file. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Id of a deleted folder; 0 restores everything in the Trash. */
    folderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Id of a live folder to restore into, instead of the item's old place. */
    restoreto: /* @__PURE__ */ param.int({ min: 0 }),
    /** When restoring a folder, answer with its metadata including `contents`. */
    metadata: /* @__PURE__ */ param.flag(),
  },
  oneOf: { target: ['fileid', 'folderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<TrashRestoreResult>(),
});

/**
 * Deletes a file or folder from the Trash for good; `folderid: 0` empties
 * the whole Trash. Nothing removed this way can be restored.
 */
export const trash_clear = /* @__PURE__ */ defineMethod({
  name: 'trash_clear',
  group: GROUP,
  params: {
    /** Id of a deleted file. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Id of a deleted folder; 0 empties the whole Trash. */
    folderid: /* @__PURE__ */ param.int({ min: 0 }),
  },
  oneOf: { target: ['fileid', 'folderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<TrashClearResult>(),
});
