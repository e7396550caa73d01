/**
 * The folder methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';
import type { FolderMetadata, Metadata } from './metadata.js';

const GROUP = 'folder';

// ---------------------------------------------------------------------------
// Result types

/** Answer of `createfolder`. */
export interface CreateFolderResult {
  /** The new folder. */
  metadata: FolderMetadata;
}

/** Answer of `createfolderifnotexists`. */
export interface CreateFolderIfNotExistsResult {
  /** The new folder, or the one that was already there. */
  metadata: FolderMetadata;
  /** `true` when this call made the folder, `false` when it already existed. */
  created: boolean;
}

/** A folder as listed by `listfolder`: its children are always present. */
export interface ListedFolder extends FolderMetadata {
  contents: Metadata[];
}

/** Answer of `listfolder`. */
export interface ListFolderResult {
  /** The folder, with a `contents` array of its children (subfolders carry their own with `recursive`). */
  metadata: ListedFolder;
}

/** Answer of `renamefolder`. */
export interface RenameFolderResult {
  /** The folder after the rename or move. */
  metadata: FolderMetadata;
}

/** Answer of `deletefolder`. */
export interface DeleteFolderResult {
  /** The folder that was deleted (`isdeleted: true`). */
  metadata: FolderMetadata;
}

/** Answer of `deletefolderrecursive`. */
export interface DeleteFolderRecursiveResult {
  /** Number of files removed. */
  deletedfiles: number;
  /** Number of folders removed, the target included. */
  deletedfolders: number;
}

/** Answer of `copyfolder`. */
export interface CopyFolderResult {
  /** The folder that received the copy. */
  metadata: FolderMetadata;
}

// ---------------------------------------------------------------------------
// Shared param specs

const folderId = () => param.int({ min: 0 });

// ---------------------------------------------------------------------------
// Definitions

/** Creates a folder, from a full `path` or from a parent `folderid` plus `name`. Fails with 2004 when it exists. */
export const createfolder = /* @__PURE__ */ defineMethod({
  name: 'createfolder',
  group: GROUP,
  params: {
    /** Absolute path of the folder (starts with "/", no trailing slash); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the parent folder to create the new folder in; needs `name`. */
    folderid: /* @__PURE__ */ param.int({ min: 0, requires: 'name' }),
    /** Name of the new folder; needed with `folderid`. */
    name: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<CreateFolderResult>(),
});

/** Like `createfolder`, but answers with the existing folder (and `created: false`) instead of failing. */
export const createfolderifnotexists = /* @__PURE__ */ defineMethod({
  name: 'createfolderifnotexists',
  group: GROUP,
  params: {
    /** Absolute path of the folder (starts with "/", no trailing slash); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the parent folder; needs `name`. */
    folderid: /* @__PURE__ */ param.int({ min: 0, requires: 'name' }),
    /** Name of the folder; needed with `folderid`. */
    name: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<CreateFolderIfNotExistsResult>(),
});

/** Lists a folder: its metadata with a `contents` array, optionally for the whole subtree. */
export const listfolder = /* @__PURE__ */ defineMethod({
  name: 'listfolder',
  group: GROUP,
  params: {
    /** Absolute path of the folder (starts with "/", no trailing slash); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Numeric id of the folder (0 is the root). */
    folderid: /* @__PURE__ */ folderId(),
    /** List the full subtree; each subfolder gets its own `contents`. */
    recursive: /* @__PURE__ */ param.flag(),
    /** Also list deleted items that can still be restored. */
    showdeleted: /* @__PURE__ */ param.flag(),
    /** List folders only. */
    nofiles: /* @__PURE__ */ param.flag(),
    /** List only items the user owns, hiding folders shared with them. */
    noshares: /* @__PURE__ */ param.flag(),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ListFolderResult>(),
});

/**
 * Renames and/or moves a folder. Give at least one of `topath`, `tofolderid`,
 * `toname` (the server answers 1037 otherwise); `tofolderid` and `toname`
 * combine. A `topath` ending in `/` names the new parent and keeps the name.
 */
export const renamefolder = /* @__PURE__ */ defineMethod({
  name: 'renamefolder',
  group: GROUP,
  params: {
    /** Numeric id of the folder (0 is the root). */
    folderid: /* @__PURE__ */ folderId(),
    /** Absolute path of the folder (starts with "/", no trailing slash); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** New full path; ending it with "/" moves the folder into that existing folder and keeps its name. */
    topath: /* @__PURE__ */ param.string(),
    /** Id of the new parent folder. */
    tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** New name. */
    toname: /* @__PURE__ */ param.string(),
  },
  oneOf: { source: ['folderid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<RenameFolderResult>(),
});

/** Deletes an empty folder (2006 when it is not empty). */
export const deletefolder = /* @__PURE__ */ defineMethod({
  name: 'deletefolder',
  group: GROUP,
  params: {
    /** Numeric id of the folder (0 is the root). */
    folderid: /* @__PURE__ */ folderId(),
    /** Absolute path of the folder (starts with "/", no trailing slash); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['folderid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<DeleteFolderResult>(),
});

/** Deletes a folder and everything below it, reporting how many files and folders went. Also drops shares. */
export const deletefolderrecursive = /* @__PURE__ */ defineMethod({
  name: 'deletefolderrecursive',
  group: GROUP,
  params: {
    /** Absolute path of the folder (starts with "/", no trailing slash); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Numeric id of the folder (0 is the root). */
    folderid: /* @__PURE__ */ folderId(),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<DeleteFolderRecursiveResult>(),
});

/**
 * Copies a folder into another one. Same-named files at the destination are
 * overwritten (the old content stays as a revision) unless `noover` (fail with
 * 2004) or `skipexisting` (leave them) is set. `copycontentonly` copies the
 * children without the folder itself.
 */
export const copyfolder = /* @__PURE__ */ defineMethod({
  name: 'copyfolder',
  group: GROUP,
  params: {
    /** Numeric id of the folder (0 is the root). */
    folderid: /* @__PURE__ */ folderId(),
    /** Absolute path of the folder (starts with "/", no trailing slash); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the destination folder. */
    tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Path of the destination folder. */
    topath: /* @__PURE__ */ param.string(),
    /** Fail with 2004 rather than overwrite a file of the same name. */
    noover: /* @__PURE__ */ param.flag(),
    /** Leave files that already exist at the destination untouched. */
    skipexisting: /* @__PURE__ */ param.flag(),
    /** Copy only what is inside the source folder, not the folder itself. */
    copycontentonly: /* @__PURE__ */ param.flag(),
  },
  oneOf: { source: ['folderid', 'path'], destination: ['tofolderid', 'topath'] },
  auth: true,
  result: /* @__PURE__ */ returns<CopyFolderResult>(),
});
