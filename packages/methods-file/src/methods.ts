/**
 * The file methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';
import type { FileMetadata, Metadata } from '@pcloudkit/core';

const GROUP = 'file';

// ---------------------------------------------------------------------------
// Result types

/** Checksums of one uploaded file. */
export interface UploadChecksums {
  /** Hex SHA-1 (every region). */
  sha1: string;
  /** Hex MD5 (US region only). */
  md5?: string;
  /** Hex SHA-256 (EU region only). */
  sha256?: string;
}

/** Answer of `uploadfile`. The three arrays follow upload order. */
export interface UploadFileResult {
  fileids: number[];
  metadata: FileMetadata[];
  checksums: UploadChecksums[];
}

/** `uploadprogress` for an upload request. */
export interface UploadTransferProgress {
  /** Bytes expected in the whole request (protocol overhead included). */
  total: number;
  /** Bytes received so far (protocol overhead included). */
  uploaded: number;
  /** Name of the file being received; absent once finished. */
  currentfile?: string;
  /** Bytes of the current file received so far; absent once finished. */
  currentfileuploaded?: number;
  /** 1-based position of the current file in the request. */
  filenumber?: number;
  /** Files already stored (the current one excluded). */
  files: FileMetadata[];
  finished: boolean;
}

/** One URL of a server-side download, as `uploadprogress` reports it. */
export interface UrlDownloadItem {
  url: string;
  status: 'waiting' | 'downloading' | 'ready' | 'error';
  size?: number;
  downloaded?: number;
  /** The stored file, once ready. */
  metadata?: FileMetadata;
}

/** `uploadprogress` for a `downloadfile`/`downloadfileasync` request. */
export interface UrlDownloadProgress {
  urlcount: number;
  urlready: number;
  urlworking: number;
  files: UrlDownloadItem[];
  finished: boolean;
}

/**
 * Answer of `uploadprogress`: upload progress, or URL download progress when
 * the hash was given to `downloadfile`/`downloadfileasync`. Narrow with
 * `'urlcount' in result`.
 */
export type UploadProgressResult = UploadTransferProgress | UrlDownloadProgress;

/** Answer of `downloadfile`. */
export interface DownloadFileResult {
  /** The saved files. */
  metadata: FileMetadata[];
}

/**
 * Answer of `downloadfileasync`. The documentation contradicts itself on
 * what comes back once the URLs are queued, so `metadata` is optional.
 */
export interface DownloadFileAsyncResult {
  metadata?: FileMetadata[];
}

/** Answer of `copyfile`. */
export interface CopyFileResult {
  /** The new copy. */
  metadata: FileMetadata;
}

/** Answer of `checksumfile`. */
export interface ChecksumFileResult {
  metadata: FileMetadata;
  /** Hex SHA-1 of the content (every region). */
  sha1: string;
  /** Hex MD5 of the content (US region only). */
  md5?: string;
  /** Hex SHA-256 of the content (EU region only). */
  sha256?: string;
}

/** Answer of `deletefile`. */
export interface DeleteFileResult {
  /** The deleted file (`isdeleted: true`). */
  metadata: FileMetadata;
}

/** Answer of `renamefile`. */
export interface RenameFileResult {
  /** The file after the move; `deletedfileid` is set when it replaced another file. */
  metadata: FileMetadata;
}

/**
 * Answer of `stat`. pCloud documents it for files; it is typed as
 * {@link Metadata} because a path may name a folder. Narrow with `isfolder`.
 */
export interface StatResult {
  metadata: Metadata;
}

// ---------------------------------------------------------------------------
// Shared param specs

const fileId = () => param.int({ min: 0 });
const destFolderId = () => param.int({ min: 0 });

// ---------------------------------------------------------------------------
// Definitions

/**
 * Stores the files sent with the request in a folder (the root when neither
 * `folderid` nor `path` is given; give at most one). Pass the files in
 * `options.files`: `client.request(uploadfile, { folderid }, { files })`, or
 * use the plugin's `upload()` helper.
 *
 * `filename` is optional here although pCloud lists it as required: it is
 * only read by PUT and binary-protocol uploads, and the transports fill it
 * from the file's `name` when they use those forms. A multipart upload takes
 * each stored name from its part, so sending `filename` would be redundant.
 * Uploading over an existing name replaces the content and keeps the old one
 * as a revision, unless `renameifexists` is set.
 */
export const uploadfile = /* @__PURE__ */ defineMethod({
  name: 'uploadfile',
  group: GROUP,
  params: {
    /** Path of the destination folder; the root when neither folderid nor path is given. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the destination folder; the root when neither folderid nor path is given. */
    folderid: /* @__PURE__ */ destFolderId(),
    /** Stored name for PUT and binary uploads (transports fill it from the file name). */
    filename: /* @__PURE__ */ param.string(),
    /** Drop files whose upload was cut short instead of keeping the partial data. */
    nopartial: /* @__PURE__ */ param.flag(),
    /** Key of your choice to follow this upload with uploadprogress. */
    progresshash: /* @__PURE__ */ param.string(),
    /** On a name clash, store under a new name such as "name (2).ext" instead of overwriting. */
    renameifexists: /* @__PURE__ */ param.flag(),
    /** Modification time to record, in Unix seconds. */
    mtime: /* @__PURE__ */ param.int(),
    /** Creation time to record, in Unix seconds; only used together with mtime. */
    ctime: /* @__PURE__ */ param.int(),
  },
  atMostOne: { target: ['path', 'folderid'] },
  auth: true,
  data: 'upload',
  result: /* @__PURE__ */ returns<UploadFileResult>(),
});

/**
 * Reports how far an upload (or a server-side URL download) tagged with a
 * `progresshash` has got. The call must reach the API server that receives
 * the upload. 1900 may just mean the upload is not being processed yet.
 */
export const uploadprogress = /* @__PURE__ */ defineMethod({
  name: 'uploadprogress',
  group: GROUP,
  params: {
    /** The key given to the upload or download being watched. */
    progresshash: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<UploadProgressResult>(),
});

/**
 * Makes the server fetch URLs into a folder; the answer comes once every
 * download is done, so do not use a short timeout.
 */
export const downloadfile = /* @__PURE__ */ defineMethod({
  name: 'downloadfile',
  group: GROUP,
  params: {
    /** One or more source URLs, separated by whitespace. */
    url: /* @__PURE__ */ param.string({ required: true }),
    /** Path of the destination folder; the root when neither folderid nor path is given. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the destination folder; the root when neither folderid nor path is given. */
    folderid: /* @__PURE__ */ destFolderId(),
    /** Comma-separated, URL-encoded names for the saved files, by URL position; empty entries keep the URL-derived name. */
    target: /* @__PURE__ */ param.string(),
    /** Key to follow the downloads with uploadprogress. */
    progresshash: /* @__PURE__ */ param.string(),
  },
  auth: true,
  result: /* @__PURE__ */ returns<DownloadFileResult>(),
});

/** Queues server-side downloads of URLs into a folder and answers without waiting for them. */
export const downloadfileasync = /* @__PURE__ */ defineMethod({
  name: 'downloadfileasync',
  group: GROUP,
  params: {
    /** One or more source URLs, separated by whitespace. */
    url: /* @__PURE__ */ param.string({ required: true }),
    /** Path of the destination folder; the root when neither folderid nor path is given. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the destination folder; the root when neither folderid nor path is given. */
    folderid: /* @__PURE__ */ destFolderId(),
    /** Comma-separated, URL-encoded names for the saved files, by URL position; empty entries keep the URL-derived name. */
    target: /* @__PURE__ */ param.string(),
    /** Key to follow the downloads with uploadprogress. */
    progresshash: /* @__PURE__ */ param.string(),
  },
  auth: true,
  result: /* @__PURE__ */ returns<DownloadFileAsyncResult>(),
});

/**
 * Copies a file. Give exactly one source (`fileid` or `path`) and exactly one
 * destination (`tofolderid`, optionally with `toname`, or `topath`; a
 * `topath` ending in `/` keeps the name). An existing target is overwritten
 * unless `noover` is set (then 2004). The global `revisionid` copies an
 * older revision.
 */
export const copyfile = /* @__PURE__ */ defineMethod({
  name: 'copyfile',
  group: GROUP,
  params: {
    /** Numeric id of the file. */
    fileid: /* @__PURE__ */ fileId(),
    /** Absolute path of the file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Id of the destination folder. */
    tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Destination path; ending it with "/" keeps the source name. */
    topath: /* @__PURE__ */ param.string(),
    /** Name of the copy, with tofolderid; defaults to the source name. */
    toname: /* @__PURE__ */ param.string(),
    /** Fail with 2004 rather than replace an existing file. */
    noover: /* @__PURE__ */ param.flag(),
    /** Modification time of the copy, in Unix seconds. */
    mtime: /* @__PURE__ */ param.int(),
    /** Creation time of the copy, in Unix seconds; needs mtime. */
    ctime: /* @__PURE__ */ param.int({ requires: 'mtime' }),
  },
  oneOf: { source: ['fileid', 'path'], destination: ['tofolderid', 'topath'] },
  auth: true,
  result: /* @__PURE__ */ returns<CopyFileResult>(),
});

/** Computes the content hashes of a file: `sha1` everywhere, plus `md5` (US) or `sha256` (EU). */
export const checksumfile = /* @__PURE__ */ defineMethod({
  name: 'checksumfile',
  group: GROUP,
  params: {
    /** Numeric id of the file. */
    fileid: /* @__PURE__ */ fileId(),
    /** Absolute path of the file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ChecksumFileResult>(),
});

/** Deletes a file (it goes to the Trash). */
export const deletefile = /* @__PURE__ */ defineMethod({
  name: 'deletefile',
  group: GROUP,
  params: {
    /** Numeric id of the file. */
    fileid: /* @__PURE__ */ fileId(),
    /** Absolute path of the file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<DeleteFileResult>(),
});

/**
 * Renames and/or moves a file. Give at least one of `topath`, `tofolderid`,
 * `toname` (1037 otherwise). A taken destination name is replaced atomically:
 * the answer's `deletedfileid` names the file that was replaced.
 */
export const renamefile = /* @__PURE__ */ defineMethod({
  name: 'renamefile',
  group: GROUP,
  params: {
    /** Numeric id of the file. */
    fileid: /* @__PURE__ */ fileId(),
    /** Absolute path of the file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** New full path; a folder path must end with "/". */
    topath: /* @__PURE__ */ param.string(),
    /** Id of the new parent folder. */
    tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** New name. */
    toname: /* @__PURE__ */ param.string(),
  },
  oneOf: { source: ['fileid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<RenameFileResult>(),
});

/** Returns the metadata of one file. */
export const stat = /* @__PURE__ */ defineMethod({
  name: 'stat',
  group: GROUP,
  params: {
    /** Absolute path of the file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Numeric id of the file. */
    fileid: /* @__PURE__ */ fileId(),
  },
  oneOf: { target: ['path', 'fileid'] },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<StatResult>(),
});
