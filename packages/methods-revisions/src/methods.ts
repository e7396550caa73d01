/**
 * The file revision methods and their result types. Its only run-time
 * exports are the method definitions, each under its wire name: the
 * package's `definitions` list and plugin are built from them, and each
 * method's JSDoc (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';
import type { FileMetadata } from '@pcloudkit/core';

const GROUP = 'revisions';

// ---------------------------------------------------------------------------
// Result types

/** One earlier version of a file. */
export interface Revision {
  /** Id to give `revertrevision`, or the global `revisionid` param of file reads and links. */
  revisionid: number;
  /** Size of that version in bytes. */
  size: number;
  /** Content hash of that version (unsigned 64-bit, like `FileMetadata.hash`). */
  hash: bigint;
  /** When that version was stored. */
  created: Date;
}

/** Answer of `listrevisions`. */
export interface ListRevisionsResult {
  /** The stored earlier versions. */
  revisions: Revision[];
  /** The file as it is now. */
  metadata: FileMetadata;
}

/** Answer of `revertrevision`. */
export interface RevertRevisionResult {
  /** The file after the revert, with the old version's content. */
  metadata: FileMetadata;
}

// ---------------------------------------------------------------------------
// Definitions

/**
 * Lists the earlier versions pCloud keeps of a file (made when it was
 * overwritten), with the file's current metadata.
 */
export const listrevisions = /* @__PURE__ */ defineMethod({
  name: 'listrevisions',
  group: GROUP,
  params: {
    /** Id of the file. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Absolute path of the file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ListRevisionsResult>(),
});

/**
 * Brings back one earlier version of a file. The content it replaces is
 * kept as a new revision, so a revert can itself be reverted. An unknown
 * `revisionid` answers 2029.
 */
export const revertrevision = /* @__PURE__ */ defineMethod({
  name: 'revertrevision',
  group: GROUP,
  params: {
    /** Id of the file. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Absolute path of the file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the version to bring back (from `listrevisions`). */
    revisionid: /* @__PURE__ */ param.int({ min: 0, required: true }),
  },
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<RevertRevisionResult>(),
});
