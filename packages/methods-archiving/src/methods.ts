/**
 * The archiving methods and their result types. Its only run-time exports
 * are the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * Four of them take a tree of files and folders, pCloud's "Tree" params:
 * `folderid` (its contents at the top of the archive), `folderids` (each
 * folder at the top, contents included), `fileids` (files at the top), and
 * `excludefolderids` / `excludefileids` to leave parts out. None of them
 * gives an empty archive, not an error.
 */
import { type DataResponse, type FileMetadata, defineMethod, joinParams, param, returns } from '@pcloudkit/core';

const GROUP = 'archiving';

// ---------------------------------------------------------------------------
// Result types

/** `getzip` answers with the archive's bytes, streamed as they are made. */
export type GetZipResult = DataResponse;

/** Answer of `getziplink`. */
export interface GetZipLinkResult {
  /** Content servers that serve the archive, best first. */
  hosts: string[];
  /** Path to put after `https://` + a host. */
  path: string;
  /** When the link stops working. */
  expires: Date;
}

/** Answer of `savezip`. */
export interface SaveZipResult {
  /** The archive file now stored in the account. */
  metadata: FileMetadata;
}

/** Answer of `savezipprogress`: how far the `savezip` with that progresshash has got. */
export interface SaveZipProgressResult {
  /** Files already in the archive. */
  files: number;
  /** Files the archive will hold. */
  totalfiles: number;
  /** Bytes of file content already in the archive. */
  bytes: number;
  /** Bytes of file content the archive will hold. */
  totalbytes: number;
}

/** Answer of `extractarchive`. */
export interface ExtractArchiveResult {
  /** True when the archive was unpacked within the call. */
  finished: boolean;
  /** Key for `extractarchiveprogress`; given at least while not finished. */
  progresshash?: string;
  /** Lines of the extractor's output so far (left out with `nooutput`). */
  output?: string[];
  /** Number of output lines so far; pass it to `extractarchiveprogress` to get only newer ones. */
  lines: number;
  /** Server that runs the job: send `extractarchiveprogress` there. */
  hostname?: string;
  /** IPv4 address of that server. */
  ip?: string;
  /** Second IPv4 address field, as in `currentserver`. */
  ipbin?: string;
  /** IPv6 address of that server. */
  ipv6?: string;
}

/** Answer of `extractarchiveprogress`. */
export interface ExtractArchiveProgressResult {
  /** True once the archive is unpacked. */
  finished: boolean;
  /** Output lines after the first `lines` the call asked to skip. */
  output: string[];
  /** Output lines in total so far. */
  lines: number;
}

// ---------------------------------------------------------------------------
// Shared param specs

/** pCloud's Tree params, shared by getzip, getziplink and savezip. */
const tree = {
  /** Folder whose contents make the top level of the archive (the folder itself is not in it; 0 is the root). */
  folderid: /* @__PURE__ */ param.int({ min: 0 }),
  /** Folders to put at the top level of the archive, each with its contents. */
  folderids: /* @__PURE__ */ param.intList(),
  /** Files to put at the top level of the archive. */
  fileids: /* @__PURE__ */ param.intList(),
  /** Folders to leave out of the tree, wherever they are in it. */
  excludefolderids: /* @__PURE__ */ param.intList(),
  /** Files to leave out of the tree, wherever they are in it. */
  excludefileids: /* @__PURE__ */ param.intList(),
  /** Time zone of the timestamps inside the archive (`+0200`, `-05:00`, ...); UTC by default. */
  timeoffset: /* @__PURE__ */ param.string(),
};

// ---------------------------------------------------------------------------
// Definitions

/**
 * Answers with a ZIP archive of a tree, made while it is sent (stored
 * entries, UTF-8 names, zip64 past 4 GB or 65,535 entries). The answer's
 * `body` is a web stream: read it, pipe it, or use `client.zipTo` /
 * `zipToFile` from `@pcloudkit/methods-archiving/node`.
 */
export const getzip = /* @__PURE__ */ defineMethod({
  name: 'getzip',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(tree, {
    /** Send the archive as application/octet-stream instead of application/zip. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** File name for the Content-Disposition header; include `.zip`. */
    filename: /* @__PURE__ */ param.string(),
  }),
  auth: true,
  data: 'download',
  idempotent: true,
  result: /* @__PURE__ */ returns<GetZipResult>(),
});

/** Makes a ZIP archive of a tree and answers with a temporary link to it on the content servers. */
export const getziplink = /* @__PURE__ */ defineMethod({
  name: 'getziplink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(tree, {
    /** Speed limit of the link, in bytes per second. */
    maxspeed: /* @__PURE__ */ param.int({ min: 1 }),
    /** Serve the archive as application/octet-stream instead of application/zip. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** File name the link serves the archive under (Content-Disposition); include `.zip`. */
    filename: /* @__PURE__ */ param.string(),
  }),
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetZipLinkResult>(),
});

/** Makes a ZIP archive of a tree and stores it as a file in the account; answers with its metadata. */
export const savezip = /* @__PURE__ */ defineMethod({
  name: 'savezip',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(tree, {
    /** Full path of the new archive; ending with `/` only names the folder. */
    topath: /* @__PURE__ */ param.string(),
    /** Folder to store the archive in. */
    tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** File name of the archive, with `tofolderid` (or a `topath` ending in `/`). */
    toname: /* @__PURE__ */ param.string(),
    /** Your own key for following the job with `savezipprogress`; a fresh one per call. */
    progresshash: /* @__PURE__ */ param.string(),
  }),
  oneOf: { destination: ['topath', 'tofolderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<SaveZipResult>(),
});

/** How far the `savezip` started with this `progresshash` has got; 1901 when there is no such job. */
export const savezipprogress = /* @__PURE__ */ defineMethod({
  name: 'savezipprogress',
  group: GROUP,
  params: {
    /** The key given to `savezip`. */
    progresshash: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<SaveZipProgressResult>(),
});

/**
 * Unpacks an archive stored in the account (ZIP, TAR, TAR.GZ, ...) into a
 * folder. Waits about two seconds; when the job is not done by then, follow
 * it with `extractarchiveprogress` on the server named by `hostname`, or use
 * `client.extract()`, which does that. An encrypted archive without the
 * right `password` fails with 7009.
 */
export const extractarchive = /* @__PURE__ */ defineMethod({
  name: 'extractarchive',
  group: GROUP,
  params: {
    /** Id of the archive file. */
    fileid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Absolute path of the archive file (starts with "/"); ids are preferred. */
    path: /* @__PURE__ */ param.string(),
    /** Folder to unpack into. */
    tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** Path of the folder to unpack into. */
    topath: /* @__PURE__ */ param.string(),
    /** Leave the extractor's output lines out of the answer. */
    nooutput: /* @__PURE__ */ param.bool(),
    /** When a file already exists: `'rename'` the new one (default), `'overwrite'` it, or `'skip'` it. */
    overwrite: /* @__PURE__ */ param.string({ enum: ['rename', 'overwrite', 'skip'] }),
    /** Password of an encrypted archive. */
    password: /* @__PURE__ */ param.string(),
  },
  oneOf: { source: ['fileid', 'path'], destination: ['tofolderid', 'topath'] },
  auth: true,
  result: /* @__PURE__ */ returns<ExtractArchiveResult>(),
});

/** Output and state of an extraction; send it to the server `extractarchive` named in `hostname`. */
export const extractarchiveprogress = /* @__PURE__ */ defineMethod({
  name: 'extractarchiveprogress',
  group: GROUP,
  params: {
    /** The key `extractarchive` answered. */
    progresshash: /* @__PURE__ */ param.string({ required: true }),
    /** Output lines already received: only later ones are sent. */
    lines: /* @__PURE__ */ param.int({ min: 0 }),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ExtractArchiveProgressResult>(),
});
