/**
 * The collection methods and their result types. Its only run-time exports
 * are the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * Results are typed as the server may send them: pCloud's own examples show
 * `collection` as an object for some methods and as a one-element array for
 * others, and `linkresult` of `collection_create` as an array or `false`.
 * The plugin's `collections` helpers return one shape (see index.ts).
 */
import { defineMethod, param, returns } from '@pcloudkit/core';
import type { FileMetadata } from '@pcloudkit/core';

const GROUP = 'collection';

// ---------------------------------------------------------------------------
// Result types

/** What a collection may hold, as answers name it: `generic` (type 0, any file) or `audio` (type 1, playlists). */
export type CollectionTypeName = 'generic' | 'audio';

/** A file in a collection: its metadata plus its place and when it was linked. */
export interface CollectionItem extends FileMetadata {
  /** 1-based place in the collection. */
  position: number;
  /** When the file was linked to the collection. */
  added: Date;
}

/** A collection (playlist). */
export interface Collection {
  id: number;
  name: string;
  /** What it may hold; other names may appear if pCloud adds types. */
  type: CollectionTypeName | (string & {});
  /** Made by the server (such collections cannot be renamed or deleted). */
  system: boolean;
  ismine: boolean;
  /** Number of items in the whole collection (not only those in `contents`). */
  items: number;
  created: Date;
  modified: Date;
  /** Listed items: all of them, a page of them, or none (`collection_list` without `showfiles`). */
  contents: CollectionItem[];
  /** For server-made collections: which one it is. */
  subtype?: number;
  /** `collection_details` with `page`: the page shown (from 1). */
  page?: number;
  /** `collection_details` with `page`: items per page. */
  pagesize?: number;
}

/** `collection` as it arrives: an object, or (in some of pCloud's examples) a one-element array. */
export type CollectionAnswer = Collection | Collection[];

/** The outcome of linking one file. */
export interface LinkResult {
  /** 0 when the file is in the collection, else the error code (2009: no such file). */
  result: number;
  /** The id as requested; pCloud's example sends it as a string. */
  fileid: number | string;
  /** The error text, on failure only. */
  message?: string;
  /** The linked file with its `position` and `added`, on success only. */
  metadata?: CollectionItem;
}

/** Answer of `collection_list`. */
export interface CollectionListResult {
  collections: Collection[];
}

/** Answer of `collection_details`. */
export interface CollectionDetailsResult {
  collection: CollectionAnswer;
}

/** Answer of `collection_create`. */
export interface CollectionCreateResult {
  collection: CollectionAnswer;
  /** Only when `fileids` was given: one entry per file, or `false` when nothing could be linked at all. */
  linkresult?: LinkResult[] | false;
}

/** Answer of `collection_rename`. */
export interface CollectionRenameResult {
  collection: CollectionAnswer;
}

/** Answer of `collection_delete` (nothing besides success). */
export type CollectionDeleteResult = Record<string, never>;

/** Answer of `collection_linkfiles`. */
export interface CollectionLinkFilesResult {
  collection: CollectionAnswer;
  /** One entry per requested file, in the order sent (empty with `noitems`). */
  linkresult: LinkResult[];
}

/** Answer of `collection_unlinkfiles`. */
export interface CollectionUnlinkFilesResult {
  collection: CollectionAnswer;
}

/** Answer of `collection_move` (nothing besides success). */
export type CollectionMoveResult = Record<string, never>;

// ---------------------------------------------------------------------------
// Shared param specs

const collectionId = () => param.int({ required: true, min: 0 });

// ---------------------------------------------------------------------------
// Definitions

/**
 * Lists the user's collections, optionally only one type and optionally with
 * their first items. The first call makes the user's system collections;
 * items whose files can no longer be reached are dropped during the call.
 */
export const collection_list = /* @__PURE__ */ defineMethod({
  name: 'collection_list',
  group: GROUP,
  params: {
    /** Only collections of this type: 0 generic, 1 audio playlists. */
    type: /* @__PURE__ */ param.int({ min: 0 }),
    /** Fill each collection's `contents` with its items. */
    showfiles: /* @__PURE__ */ param.flag(),
    /** With `showfiles`: at most this many items per collection. */
    pagesize: /* @__PURE__ */ param.int({ min: 1 }),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<CollectionListResult>(),
});

/**
 * One collection with its items, all of them or one page. Unreachable items
 * are dropped during the call, so a page may be short even when more pages
 * follow: page until `items` is reached, not until a short page.
 */
export const collection_details = /* @__PURE__ */ defineMethod({
  name: 'collection_details',
  group: GROUP,
  params: {
    /** Id of one of the user's collections. */
    collectionid: /* @__PURE__ */ collectionId(),
    /** Page to return, from 1; 0 or none returns every item. */
    page: /* @__PURE__ */ param.int({ min: 0 }),
    /** Items per page (the server's default is 20). */
    pagesize: /* @__PURE__ */ param.int({ min: 1 }),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<CollectionDetailsResult>(),
});

/** Creates a collection, optionally with files in it. Names are unique per user (2073 when taken). */
export const collection_create = /* @__PURE__ */ defineMethod({
  name: 'collection_create',
  group: GROUP,
  params: {
    /** Name of the new collection. */
    name: /* @__PURE__ */ param.string({ required: true }),
    /** 0 generic, 1 audio playlist (the default). */
    type: /* @__PURE__ */ param.int({ min: 0 }),
    /** Files to put in it, in this order; each gets an entry in `linkresult`. */
    fileids: /* @__PURE__ */ param.intList(),
  },
  auth: true,
  result: /* @__PURE__ */ returns<CollectionCreateResult>(),
});

/** Renames one of the user's collections. */
export const collection_rename = /* @__PURE__ */ defineMethod({
  name: 'collection_rename',
  group: GROUP,
  params: {
    /** Id of one of the user's collections. */
    collectionid: /* @__PURE__ */ collectionId(),
    /** The new name. */
    name: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<CollectionRenameResult>(),
});

/** Deletes one of the user's collections (not the files in it). System collections answer 2065. */
export const collection_delete = /* @__PURE__ */ defineMethod({
  name: 'collection_delete',
  group: GROUP,
  params: {
    /** Id of one of the user's collections. */
    collectionid: /* @__PURE__ */ collectionId(),
  },
  auth: true,
  result: /* @__PURE__ */ returns<CollectionDeleteResult>(),
});

/**
 * Appends files to the end of a collection in the order given; a file is
 * never in a collection twice. The call succeeds even when some files fail:
 * read each `linkresult` entry. To place files elsewhere, link them, then
 * `collection_move`.
 */
export const collection_linkfiles = /* @__PURE__ */ defineMethod({
  name: 'collection_linkfiles',
  group: GROUP,
  params: {
    /** Id of one of the user's collections. */
    collectionid: /* @__PURE__ */ collectionId(),
    /** The files to append, in this order. */
    fileids: /* @__PURE__ */ param.intList({ required: true }),
    /** Leave `linkresult` empty. */
    noitems: /* @__PURE__ */ param.flag(),
  },
  auth: true,
  result: /* @__PURE__ */ returns<CollectionLinkFilesResult>(),
});

/**
 * Removes items from a collection: by position, all of them, or by file id
 * (give exactly one; were several sent, the server would use positions, then
 * all, then fileids). Later items move up.
 */
export const collection_unlinkfiles = /* @__PURE__ */ defineMethod({
  name: 'collection_unlinkfiles',
  group: GROUP,
  params: {
    /** Id of one of the user's collections. */
    collectionid: /* @__PURE__ */ collectionId(),
    /** Remove every item. */
    all: /* @__PURE__ */ param.flag(),
    /** Positions (from 1) of the items to remove. */
    positions: /* @__PURE__ */ param.intList(),
    /** Files to remove. */
    fileids: /* @__PURE__ */ param.intList(),
  },
  oneOf: { selector: ['all', 'positions', 'fileids'] },
  auth: true,
  result: /* @__PURE__ */ returns<CollectionUnlinkFilesResult>(),
});

/** Moves one item, named by its position or its file id, to another position (2066 when either is out of range). */
export const collection_move = /* @__PURE__ */ defineMethod({
  name: 'collection_move',
  group: GROUP,
  params: {
    /** Id of one of the user's collections. */
    collectionid: /* @__PURE__ */ collectionId(),
    /** Current position (from 1) of the item to move. */
    item: /* @__PURE__ */ param.int({ min: 1 }),
    /** File id of the item to move. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Where the item goes (from 1). */
    position: /* @__PURE__ */ param.int({ required: true, min: 1 }),
  },
  oneOf: { item: ['item', 'fileid'] },
  auth: true,
  result: /* @__PURE__ */ returns<CollectionMoveResult>(),
});
