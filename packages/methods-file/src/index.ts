/**
 * pCloud file methods: upload, server-side download from URLs, copy, rename,
 * delete, stat and checksums.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`stat(client, { fileid })`) or add the {@link file}
 * plugin to a client (`client.use(file).stat(...)`), which also brings the
 * friendlier `upload()` helper.
 */
import { defineMethod, definePlugin, param, returns } from '@pcloudkit/core';
import type { FileMetadata, Metadata } from '@pcloudkit/core';
import { makeUpload } from './upload.js';

export type { FileCategory, FileMetadata, FolderMetadata, Metadata, MetadataBase, MetadataIcon } from '@pcloudkit/core';
export type { UploadHelper, UploadOptions } from './upload.js';

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

const fileId = () => param.int({ summary: 'Numeric id of the file.', min: 0 });
const filePath = () => param.string({ summary: 'Absolute path of the file (starts with "/"); ids are preferred.' });
const destFolderId = () => param.int({ summary: 'Id of the destination folder; the root when neither folderid nor path is given.', min: 0 });
const destPath = () => param.string({ summary: 'Path of the destination folder; the root when neither folderid nor path is given.' });

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
export const uploadfile = defineMethod({
  name: 'uploadfile',
  group: GROUP,
  summary: 'Upload one or more files into a folder.',
  params: {
    path: destPath(),
    folderid: destFolderId(),
    filename: param.string({ summary: 'Stored name for PUT and binary uploads (transports fill it from the file name).' }),
    nopartial: param.flag({ summary: 'Drop files whose upload was cut short instead of keeping the partial data.' }),
    progresshash: param.string({ summary: 'Key of your choice to follow this upload with uploadprogress.' }),
    renameifexists: param.flag({ summary: 'On a name clash, store under a new name such as "name (2).ext" instead of overwriting.' }),
    mtime: param.int({ summary: 'Modification time to record, in Unix seconds.' }),
    ctime: param.int({ summary: 'Creation time to record, in Unix seconds; only used together with mtime.' }),
  },
  auth: true,
  data: 'upload',
  result: returns<UploadFileResult>(),
});

/**
 * Reports how far an upload (or a server-side URL download) tagged with a
 * `progresshash` has got. The call must reach the API server that receives
 * the upload. 1900 may just mean the upload is not being processed yet.
 */
export const uploadprogress = defineMethod({
  name: 'uploadprogress',
  group: GROUP,
  summary: 'Poll the progress of an upload or URL download by its progresshash.',
  params: {
    progresshash: param.string({ required: true, summary: 'The key given to the upload or download being watched.' }),
  },
  auth: true,
  idempotent: true,
  result: returns<UploadProgressResult>(),
});

/**
 * Makes the server fetch URLs into a folder; the answer comes once every
 * download is done, so do not use a short timeout.
 */
export const downloadfile = defineMethod({
  name: 'downloadfile',
  group: GROUP,
  summary: 'Have the server download one or more URLs into a folder and wait for them.',
  params: {
    url: param.string({ required: true, summary: 'One or more source URLs, separated by whitespace.' }),
    path: destPath(),
    folderid: destFolderId(),
    target: param.string({ summary: 'Comma-separated, URL-encoded names for the saved files, by URL position; empty entries keep the URL-derived name.' }),
    progresshash: param.string({ summary: 'Key to follow the downloads with uploadprogress.' }),
  },
  auth: true,
  result: returns<DownloadFileResult>(),
});

/** Queues server-side downloads of URLs into a folder and answers without waiting for them. */
export const downloadfileasync = defineMethod({
  name: 'downloadfileasync',
  group: GROUP,
  summary: 'Queue server-side downloads of one or more URLs into a folder.',
  params: {
    url: param.string({ required: true, summary: 'One or more source URLs, separated by whitespace.' }),
    path: destPath(),
    folderid: destFolderId(),
    target: param.string({ summary: 'Comma-separated, URL-encoded names for the saved files, by URL position; empty entries keep the URL-derived name.' }),
    progresshash: param.string({ summary: 'Key to follow the downloads with uploadprogress.' }),
  },
  auth: true,
  result: returns<DownloadFileAsyncResult>(),
});

/**
 * Copies a file. Give exactly one source (`fileid` or `path`) and exactly one
 * destination (`tofolderid`, optionally with `toname`, or `topath`; a
 * `topath` ending in `/` keeps the name). An existing target is overwritten
 * unless `noover` is set (then 2004). The global `revisionid` copies an
 * older revision.
 */
export const copyfile = defineMethod({
  name: 'copyfile',
  group: GROUP,
  summary: 'Copy a file to another folder and/or name.',
  params: {
    fileid: fileId(),
    path: filePath(),
    tofolderid: param.int({ summary: 'Id of the destination folder.', min: 0 }),
    topath: param.string({ summary: 'Destination path; ending it with "/" keeps the source name.' }),
    toname: param.string({ summary: 'Name of the copy, with tofolderid; defaults to the source name.' }),
    noover: param.flag({ summary: 'Fail with 2004 rather than replace an existing file.' }),
    mtime: param.int({ summary: 'Modification time of the copy, in Unix seconds.' }),
    ctime: param.int({ summary: 'Creation time of the copy, in Unix seconds; needs mtime.' }),
  },
  oneOf: { source: ['fileid', 'path'], destination: ['tofolderid', 'topath'] },
  auth: true,
  result: returns<CopyFileResult>(),
});

/** Computes the content hashes of a file: `sha1` everywhere, plus `md5` (US) or `sha256` (EU). */
export const checksumfile = defineMethod({
  name: 'checksumfile',
  group: GROUP,
  summary: 'Get the SHA-1 and MD5 or SHA-256 of a file, with its metadata.',
  params: {
    fileid: fileId(),
    path: filePath(),
  },
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  idempotent: true,
  result: returns<ChecksumFileResult>(),
});

/** Deletes a file (it goes to the Trash). */
export const deletefile = defineMethod({
  name: 'deletefile',
  group: GROUP,
  summary: 'Delete a file.',
  params: {
    fileid: fileId(),
    path: filePath(),
  },
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  result: returns<DeleteFileResult>(),
});

/**
 * Renames and/or moves a file. Give at least one of `topath`, `tofolderid`,
 * `toname` (1037 otherwise). A taken destination name is replaced atomically:
 * the answer's `deletedfileid` names the file that was replaced.
 */
export const renamefile = defineMethod({
  name: 'renamefile',
  group: GROUP,
  summary: 'Rename a file and/or move it to another folder, replacing a file of the same name.',
  params: {
    fileid: fileId(),
    path: filePath(),
    topath: param.string({ summary: 'New full path; a folder path must end with "/".' }),
    tofolderid: param.int({ summary: 'Id of the new parent folder.', min: 0 }),
    toname: param.string({ summary: 'New name.' }),
  },
  oneOf: { source: ['fileid', 'path'] },
  auth: true,
  result: returns<RenameFileResult>(),
});

/** Returns the metadata of one file. */
export const stat = defineMethod({
  name: 'stat',
  group: GROUP,
  summary: 'Get the metadata of a file.',
  params: {
    path: filePath(),
    fileid: fileId(),
  },
  oneOf: { target: ['path', 'fileid'] },
  auth: true,
  idempotent: true,
  result: returns<StatResult>(),
});

/** Every file method, in catalogue order. */
export const definitions = [
  uploadfile,
  uploadprogress,
  downloadfile,
  downloadfileasync,
  copyfile,
  checksumfile,
  deletefile,
  renamefile,
  stat,
] as const;

/**
 * Adds the file methods to a client, plus `upload(files, options)`:
 * `createClient(...).use(file).upload({ name: 'a.txt', data: bytes }, { folderid: 0 })`.
 */
export const file = definePlugin({
  name: 'file',
  methods: {
    uploadfile,
    uploadprogress,
    downloadfile,
    downloadfileasync,
    copyfile,
    checksumfile,
    deletefile,
    renamefile,
    stat,
  },
  extend: (client) => ({ upload: makeUpload(client, uploadfile) }),
});
