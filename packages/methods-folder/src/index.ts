/**
 * pCloud folder methods: create, list, rename/move, copy and delete folders.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`listfolder(client, { folderid: 0 })`) or add the
 * {@link folder} plugin to a client (`client.use(folder).listfolder(...)`).
 */
import { defineMethod, definePlugin, param, returns } from '@pcloudkit/core';
import type { FolderMetadata, Metadata } from './metadata.js';

export type { FileCategory, FileMetadata, FolderMetadata, Metadata, MetadataBase } from './metadata.js';

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

const folderPath = () => param.string({ summary: 'Absolute path of the folder (starts with "/", no trailing slash); ids are preferred.' });
const folderId = () => param.int({ summary: 'Numeric id of the folder (0 is the root).', min: 0 });

// ---------------------------------------------------------------------------
// Definitions

/** Creates a folder, from a full `path` or from a parent `folderid` plus `name`. Fails with 2004 when it exists. */
export const createfolder = defineMethod({
  name: 'createfolder',
  group: GROUP,
  summary: 'Create a folder, either at a full path or as `name` inside the parent `folderid`; 2004 if the name is taken.',
  params: {
    path: folderPath(),
    folderid: param.int({ summary: 'Id of the parent folder to create the new folder in.', min: 0 }),
    name: param.string({ summary: 'Name of the new folder; needed with `folderid`.' }),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  result: returns<CreateFolderResult>(),
});

/** Like `createfolder`, but answers with the existing folder (and `created: false`) instead of failing. */
export const createfolderifnotexists = defineMethod({
  name: 'createfolderifnotexists',
  group: GROUP,
  summary: 'Create a folder unless it already exists; `created` tells which happened.',
  params: {
    path: folderPath(),
    folderid: param.int({ summary: 'Id of the parent folder.', min: 0 }),
    name: param.string({ summary: 'Name of the folder; needed with `folderid`.' }),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  result: returns<CreateFolderIfNotExistsResult>(),
});

/** Lists a folder: its metadata with a `contents` array, optionally for the whole subtree. */
export const listfolder = defineMethod({
  name: 'listfolder',
  group: GROUP,
  summary: 'List the children of a folder, or its whole subtree with `recursive`.',
  params: {
    path: folderPath(),
    folderid: folderId(),
    recursive: param.flag({ summary: 'List the full subtree; each subfolder gets its own `contents`.' }),
    showdeleted: param.flag({ summary: 'Also list deleted items that can still be restored.' }),
    nofiles: param.flag({ summary: 'List folders only.' }),
    noshares: param.flag({ summary: 'List only items the user owns, hiding folders shared with them.' }),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  idempotent: true,
  result: returns<ListFolderResult>(),
});

/**
 * Renames and/or moves a folder. Give at least one of `topath`, `tofolderid`,
 * `toname` (the server answers 1037 otherwise); `tofolderid` and `toname`
 * combine. A `topath` ending in `/` names the new parent and keeps the name.
 */
export const renamefolder = defineMethod({
  name: 'renamefolder',
  group: GROUP,
  summary: 'Rename a folder and/or move it under another parent.',
  params: {
    folderid: folderId(),
    path: folderPath(),
    topath: param.string({ summary: 'New full path; ending it with "/" moves the folder into that existing folder and keeps its name.' }),
    tofolderid: param.int({ summary: 'Id of the new parent folder.', min: 0 }),
    toname: param.string({ summary: 'New name.' }),
  },
  oneOf: { source: ['folderid', 'path'] },
  auth: true,
  result: returns<RenameFolderResult>(),
});

/** Deletes an empty folder (2006 when it is not empty). */
export const deletefolder = defineMethod({
  name: 'deletefolder',
  group: GROUP,
  summary: 'Delete an empty folder; a folder with children fails with 2006.',
  params: {
    folderid: folderId(),
    path: folderPath(),
  },
  oneOf: { target: ['folderid', 'path'] },
  auth: true,
  result: returns<DeleteFolderResult>(),
});

/** Deletes a folder and everything below it, reporting how many files and folders went. Also drops shares. */
export const deletefolderrecursive = defineMethod({
  name: 'deletefolderrecursive',
  group: GROUP,
  summary: 'Delete a folder with its whole subtree (shares included) and count what was removed.',
  params: {
    path: folderPath(),
    folderid: folderId(),
  },
  oneOf: { target: ['path', 'folderid'] },
  auth: true,
  result: returns<DeleteFolderRecursiveResult>(),
});

/**
 * Copies a folder into another one. Same-named files at the destination are
 * overwritten (the old content stays as a revision) unless `noover` (fail with
 * 2004) or `skipexisting` (leave them) is set. `copycontentonly` copies the
 * children without the folder itself.
 */
export const copyfolder = defineMethod({
  name: 'copyfolder',
  group: GROUP,
  summary: 'Copy a folder, or only its contents, into another folder.',
  params: {
    folderid: folderId(),
    path: folderPath(),
    tofolderid: param.int({ summary: 'Id of the destination folder.', min: 0 }),
    topath: param.string({ summary: 'Path of the destination folder.' }),
    noover: param.flag({ summary: 'Fail with 2004 rather than overwrite a file of the same name.' }),
    skipexisting: param.flag({ summary: 'Leave files that already exist at the destination untouched.' }),
    copycontentonly: param.flag({ summary: 'Copy only what is inside the source folder, not the folder itself.' }),
  },
  oneOf: { source: ['folderid', 'path'], destination: ['tofolderid', 'topath'] },
  auth: true,
  result: returns<CopyFolderResult>(),
});

/** Every folder method, in catalogue order. */
export const definitions = [
  createfolder,
  createfolderifnotexists,
  listfolder,
  renamefolder,
  deletefolder,
  deletefolderrecursive,
  copyfolder,
] as const;

/** Adds the folder methods to a client: `createClient(...).use(folder)`. */
export const folder = definePlugin({
  name: 'folder',
  methods: {
    createfolder,
    createfolderifnotexists,
    listfolder,
    renamefolder,
    deletefolder,
    deletefolderrecursive,
    copyfolder,
  },
});
