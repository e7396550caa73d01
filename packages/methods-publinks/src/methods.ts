/**
 * The public link methods and their result types. Its only run-time exports
 * are the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * A public link is a `code` anyone may use, without logging in, to read what
 * the link holds: a file, a folder, a chosen tree, or a collection. The
 * methods that take a `code` and need no login (`showpublink`,
 * `getpublinkdownload`, `getpub*`) work on a client without credentials.
 * Results 7001-7006 describe the link (unknown, deleted, expired, traffic or
 * download cap reached): show them as a state, not as a failure.
 */
import { type DataResponse, type FileMetadata, type Metadata, defineMethod, joinParams, param, returns } from '@pcloudkit/core';

const GROUP = 'publinks';

// ---------------------------------------------------------------------------
// Result types

/** Answer of the methods that create a link. */
export interface PublinkCreated {
  /** Id for `changepublink` and `deletepublink`. */
  linkid: number;
  /** The link's code, for `showpublink`, `getpublinkdownload` and the `getpub*` methods. */
  code: string;
  /** Web address of the link's page. */
  link: string;
  /** With `shortlink`: a short code, accepted wherever `code` is. */
  shortcode?: string;
  /** With `shortlink`: web address built on the short code. */
  shortlink?: string;
}

/** The counters and limits of a link, as the listing methods show them. */
export interface PublinkState {
  linkid: number;
  code: string;
  link: string;
  shortcode?: string;
  shortlink?: string;
  created: Date;
  modified: Date;
  /** Downloads so far (the server counts, it does not enforce anything here). */
  downloads: number;
  /** Bytes served so far. */
  traffic: number;
  /** When the link stops working, if it has an end. */
  expires?: Date;
  maxdownloads?: number;
  maxtraffic?: number;
}

/** One entry of `listpublinks`. */
export interface PublinkInfo extends PublinkState {
  /** What the link holds (folders without `contents`); absent once it is gone. */
  metadata?: Metadata;
}

/** One entry of `listplshort`: no metadata, the target's id instead. */
export interface PublinkShortInfo extends PublinkState {
  isfolder: boolean;
  /** Folder links (tree and collection links: 0). */
  folderid?: number;
  /** File links. */
  fileid?: number;
  /** `d<folderid>` or `f<fileid>`. */
  id: string;
}

/** Answer of {@link listpublinks}. */
export interface ListPublinksResult {
  publinks: PublinkInfo[];
}

/** Answer of {@link listplshort}. */
export interface ListPlShortResult {
  publinks: PublinkShortInfo[];
}

/** Answer of {@link changepublink}: the short link when `shortlink` was asked for. */
export interface ChangePublinkResult {
  shortcode?: string;
  shortlink?: string;
}

/** Answer of {@link showpublink}: what the link holds; a folder carries its whole tree in `contents`. */
export interface ShowPublinkResult {
  metadata: Metadata;
}

/** A temporary link on the content servers. */
export interface PubLinkResult {
  /** Content servers, best first. */
  hosts: string[];
  /** Path to put after the scheme and a host. */
  path: string;
  /** When the link stops working. */
  expires: Date;
}

/** Answer of {@link getpubthumblink}. */
export interface PubThumbLinkResult extends PubLinkResult {
  /** Size of the thumbnail, `WIDTHxHEIGHT`. */
  size: string;
}

/** One file's entry in a {@link getpubthumbslinks} answer: a link, or why there is none. */
export type PubThumbsLinksEntry =
  | ({ result: 0; fileid: number } & PubThumbLinkResult)
  | {
      /** pCloud error code for this file (2009: not in the link, 1014: not an image, ...). */
      result: number;
      fileid: number;
      error: string;
    };

/** Answer of {@link getpubthumbslinks}. */
export interface PubThumbsLinksResult {
  thumbs: PubThumbsLinksEntry[];
}

/** One rendition of a video, from {@link getpubvideolinks}. */
export interface PubVideoVariant extends PubLinkResult {
  width: number;
  height: number;
  /** Seconds, as a decimal string. */
  duration: string;
  fps: string;
  videobitrate: number;
  audiobitrate: number;
  videocodec: string;
  audiocodec: string;
  /** True for the original file. */
  isoriginal: boolean;
}

/** Answer of {@link getpubvideolinks}. */
export interface PubVideoLinksResult {
  variants: PubVideoVariant[];
}

/** Answer of {@link copypubfile} and {@link savepubzip}: the new file in your account. */
export interface PubSavedFile {
  metadata: FileMetadata;
}

/** Answer of {@link savepubthumb}. */
export interface SavePubThumbResult extends PubSavedFile {
  width: number;
  height: number;
}

// ---------------------------------------------------------------------------
// Shared param specs

/** Limits and options every link creator takes. */
const limits = {
  /** When the link stops working. */
  expire: /* @__PURE__ */ param.datetime(),
  /** Downloads allowed through the link (a folder link counts every file). */
  maxdownloads: /* @__PURE__ */ param.int({ min: 0 }),
  /** Bytes the link may serve; a download already running is not cut off. */
  maxtraffic: /* @__PURE__ */ param.int({ min: 0 }),
  /** Also make a short code (short codes can be guessed: ask the user first). */
  shortlink: /* @__PURE__ */ param.flag(),
};

/** Password visitors must give (newer pCloud docs). */
const linkpassword = /* @__PURE__ */ param.string();

/** The link a visitor names. */
const code = {
  /** The link's code (or short code). */
  code: /* @__PURE__ */ param.string({ required: true }),
  /** Password of a protected link; without it (or with a wrong one) the server refuses the call. */
  linkpassword,
};

/** A file inside a folder, tree or collection link; not needed for file links. */
const fileid = /* @__PURE__ */ param.int({ min: 0 });

/** pCloud's Tree params, to pick part of a link for a ZIP. */
const tree = {
  /** Folder of the link whose contents make the top level. */
  folderid: /* @__PURE__ */ param.int({ min: 0 }),
  /** Folders of the link to put at the top level. */
  folderids: /* @__PURE__ */ param.intList(),
  /** Files of the link to put at the top level. */
  fileids: /* @__PURE__ */ param.intList(),
  /** Folders to leave out. */
  excludefolderids: /* @__PURE__ */ param.intList(),
  /** Files to leave out. */
  excludefileids: /* @__PURE__ */ param.intList(),
};

/** Thumbnail shape: size, crop, type. */
const shape = {
  /** Box to fit, `WIDTHxHEIGHT`: width 16-2048, height 16-1024, each divisible by 4 or 5. */
  size: /* @__PURE__ */ param.string({ required: true }),
  /** Fill the box exactly, cutting the edges. */
  crop: /* @__PURE__ */ param.flag(),
  /** `'png'` for a PNG; JPEG otherwise. */
  type: /* @__PURE__ */ param.string({ enum: ['png', 'jpg'] }),
};

/** Where a copy goes in your own account. */
const destination = {
  /** Full path of the new file (ending in `/`: the folder, with the original name). */
  topath: /* @__PURE__ */ param.string(),
  /** Folder for the new file. */
  tofolderid: /* @__PURE__ */ param.int({ min: 0 }),
  /** Name of the new file with `tofolderid`. */
  toname: /* @__PURE__ */ param.string(),
};

// ---------------------------------------------------------------------------
// Creating and managing links

/** Makes a public link to one of your files. Needs a confirmed e-mail address (2014). */
export const getfilepublink = /* @__PURE__ */ defineMethod({
  name: 'getfilepublink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    {
      /** Id of the file. */
      fileid: /* @__PURE__ */ param.int({ min: 0 }),
      /** Absolute path of the file. */
      path: /* @__PURE__ */ param.string(),
    },
    limits,
    {
      linkpassword,
    },
  ),
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<PublinkCreated>(),
});

/** Makes a public link to one of your folders (not the root: 2015). Needs a confirmed e-mail address. */
export const getfolderpublink = /* @__PURE__ */ defineMethod({
  name: 'getfolderpublink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    {
      /** Id of the folder. */
      folderid: /* @__PURE__ */ param.int({ min: 0 }),
      /** Absolute path of the folder. */
      path: /* @__PURE__ */ param.string(),
    },
    limits,
    {
      linkpassword,
    },
  ),
  oneOf: { target: ['folderid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<PublinkCreated>(),
});

/**
 * Makes a public link to a chosen set of your files and folders, shown as
 * one folder called `name`: `folderid` spills a folder's contents into it,
 * `folderids` and `fileids` add folders and files, the `exclude*` lists
 * leave parts out.
 */
export const gettreepublink = /* @__PURE__ */ defineMethod({
  name: 'gettreepublink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    {
      /** Name of the link's top folder. */
      name: /* @__PURE__ */ param.string({ required: true }),
    },
    tree,
    limits,
    {
      linkpassword,
    },
  ),
  auth: true,
  result: /* @__PURE__ */ returns<PublinkCreated>(),
});

/** Makes a public link to one of your collections (playlists). */
export const getcollectionpublink = /* @__PURE__ */ defineMethod({
  name: 'getcollectionpublink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    {
      /** Id of the collection. */
      collectionid: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    },
    limits,
  ),
  auth: true,
  result: /* @__PURE__ */ returns<PublinkCreated>(),
});

/** Your public links, with their counters, limits and what each holds. */
export const listpublinks = /* @__PURE__ */ defineMethod({
  name: 'listpublinks',
  group: GROUP,
  params: {},
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ListPublinksResult>(),
});

/** Your public links in short form: the target's id instead of its metadata. */
export const listplshort = /* @__PURE__ */ defineMethod({
  name: 'listplshort',
  group: GROUP,
  params: {},
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ListPlShortResult>(),
});

/** Deletes one of your links: its code answers 7002 from now on, content links handed out stop too. */
export const deletepublink = /* @__PURE__ */ defineMethod({
  name: 'deletepublink',
  group: GROUP,
  params: {
    /** Id of the link. */
    linkid: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<Record<string, never>>(),
});

/** Changes a link's limits, password or short link; takes effect at once. A cap of 0 removes it. */
export const changepublink = /* @__PURE__ */ defineMethod({
  name: 'changepublink',
  group: GROUP,
  params: {
    /** Id of the link. */
    linkid: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    /** Give the link a short code (the answer carries it). */
    shortlink: /* @__PURE__ */ param.flag(),
    /** Remove the link's short code. */
    deleteshortlink: /* @__PURE__ */ param.flag(),
    /** New end of the link. */
    expire: /* @__PURE__ */ param.datetime(),
    /** Let the link never expire. */
    deleteexpire: /* @__PURE__ */ param.flag(),
    /** New traffic cap in bytes; 0 removes it. */
    maxtraffic: /* @__PURE__ */ param.int({ min: 0 }),
    /** New download cap; 0 removes it. */
    maxdownloads: /* @__PURE__ */ param.int({ min: 0 }),
    /** New password visitors must give. */
    linkpassword,
  },
  auth: true,
  result: /* @__PURE__ */ returns<ChangePublinkResult>(),
});

// ---------------------------------------------------------------------------
// Reading through a link (no login)

/** What a link holds; a folder comes with its whole tree. Does not count as a download. */
export const showpublink = /* @__PURE__ */ defineMethod({
  name: 'showpublink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code),
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<ShowPublinkResult>(),
});

/**
 * A temporary link to the bytes of a file of the link (`fileid` for folder
 * links, else 1029). Call it only to download: the download counts.
 */
export const getpublinkdownload = /* @__PURE__ */ defineMethod({
  name: 'getpublinkdownload',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, {
    /** File inside a folder link. */
    fileid,
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead. */
    contenttype: /* @__PURE__ */ param.string(),
    /** Speed limit in bytes per second. */
    maxspeed: /* @__PURE__ */ param.int({ min: 1 }),
    /** Leave the file name out of the path. */
    skipfilename: /* @__PURE__ */ param.flag(),
  }),
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<PubLinkResult>(),
});

/** Answers with a thumbnail of an image of the link (the bytes). */
export const getpubthumb = /* @__PURE__ */ defineMethod({
  name: 'getpubthumb',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, { fileid }, shape),
  auth: false,
  data: 'download',
  idempotent: true,
  result: /* @__PURE__ */ returns<DataResponse>(),
});

/** A temporary link to a thumbnail of an image of the link. */
export const getpubthumblink = /* @__PURE__ */ defineMethod({
  name: 'getpubthumblink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, { fileid }, shape),
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<PubThumbLinkResult>(),
});

/** Thumbnail links for several images of the link; each file's problem is reported in its own entry. */
export const getpubthumbslinks = /* @__PURE__ */ defineMethod({
  name: 'getpubthumbslinks',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    code,
    {
      /** Files of the link. */
      fileids: /* @__PURE__ */ param.intList({ required: true }),
    },
    shape,
  ),
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<PubThumbsLinksResult>(),
});

/** Answers with a ZIP of the link (or the part the Tree params pick), made while it is sent. */
export const getpubzip = /* @__PURE__ */ defineMethod({
  name: 'getpubzip',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, tree, {
    /** Send as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** File name for Content-Disposition; include `.zip`. */
    filename: /* @__PURE__ */ param.string(),
    /** Time zone of the timestamps inside the archive; UTC by default. */
    timeoffset: /* @__PURE__ */ param.string(),
  }),
  auth: false,
  data: 'download',
  idempotent: true,
  result: /* @__PURE__ */ returns<DataResponse>(),
});

/** A temporary link to a ZIP of the link (or the part the Tree params pick). */
export const getpubziplink = /* @__PURE__ */ defineMethod({
  name: 'getpubziplink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, tree, {
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** File name the link serves the archive under; include `.zip`. */
    filename: /* @__PURE__ */ param.string(),
    /** Time zone of the timestamps inside the archive. */
    timeoffset: /* @__PURE__ */ param.string(),
    /** Speed limit in bytes per second. */
    maxspeed: /* @__PURE__ */ param.int({ min: 1 }),
  }),
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<PubLinkResult>(),
});

/** Temporary links to a video of the link, one per rendition. */
export const getpubvideolinks = /* @__PURE__ */ defineMethod({
  name: 'getpubvideolinks',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, {
    fileid,
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead. */
    contenttype: /* @__PURE__ */ param.string(),
    /** Speed limit in bytes per second. */
    maxspeed: /* @__PURE__ */ param.int({ min: 1 }),
    /** Leave the file name out of the paths. */
    skipfilename: /* @__PURE__ */ param.bool(),
  }),
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<PubVideoLinksResult>(),
});

/** A temporary link to an audio file of the link as MP3 (see the plugin's `publicAudio` for ready URLs). */
export const getpubaudiolink = /* @__PURE__ */ defineMethod({
  name: 'getpubaudiolink',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, {
    fileid,
    /** Serve as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type to serve instead. */
    contenttype: /* @__PURE__ */ param.string(),
    /** MP3 bitrate in kbit/s, 16-320. */
    abitrate: /* @__PURE__ */ param.int({ min: 16, max: 320 }),
  }),
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<PubLinkResult>(),
});

/** Answers with a text file of the link, converted to `toencoding` (UTF-8 by default). */
export const getpubtextfile = /* @__PURE__ */ defineMethod({
  name: 'getpubtextfile',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(code, {
    fileid,
    /** Encoding of the file; guessed when left out. */
    fromencoding: /* @__PURE__ */ param.string(),
    /** Encoding of the answer. */
    toencoding: /* @__PURE__ */ param.string(),
    /** Answer as application/octet-stream. */
    forcedownload: /* @__PURE__ */ param.flag(),
    /** Content-Type of the answer. */
    contenttype: /* @__PURE__ */ param.string(),
  }),
  auth: false,
  data: 'download',
  idempotent: true,
  result: /* @__PURE__ */ returns<DataResponse>(),
});

// ---------------------------------------------------------------------------
// Into your own account (login needed)

/**
 * Copies a file of the link into your account (an existing file of that
 * name is overwritten unless `noover`). Works on links whose caps are used
 * up, as nothing is downloaded.
 */
export const copypubfile = /* @__PURE__ */ defineMethod({
  name: 'copypubfile',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    code,
    {
      fileid,
      /** Source path (pCloud's docs list it; `fileid` is what works). */
      path: /* @__PURE__ */ param.string(),
    },
    destination,
    {
      /** Fail with 2004 rather than overwrite. */
      noover: /* @__PURE__ */ param.flag(),
    },
  ),
  oneOf: { destination: ['topath', 'tofolderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<PubSavedFile>(),
});

/** Stores a thumbnail of an image of the link as a file of your account. */
export const savepubthumb = /* @__PURE__ */ defineMethod({
  name: 'savepubthumb',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    code,
    {
      fileid,
    },
    shape,
    destination,
    {
      /** Fail with 2004 rather than overwrite. */
      noover: /* @__PURE__ */ param.flag(),
    },
  ),
  oneOf: { destination: ['topath', 'tofolderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<SavePubThumbResult>(),
});

/** Stores a ZIP of the link (or the part the Tree params pick) as a file of your account. */
export const savepubzip = /* @__PURE__ */ defineMethod({
  name: 'savepubzip',
  group: GROUP,
  params: /* @__PURE__ */ joinParams(
    code,
    tree,
    {
      /** Time zone of the timestamps inside the archive. */
      timeoffset: /* @__PURE__ */ param.string(),
    },
    destination,
  ),
  oneOf: { destination: ['topath', 'tofolderid'] },
  auth: true,
  result: /* @__PURE__ */ returns<PubSavedFile>(),
});
