/**
 * The upload link methods and their result types. Its only run-time exports
 * are the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * An upload link lets anyone, without an account, put files into one of the
 * owner's folders through a code. `showuploadlink`, `uploadtolink` and
 * `uploadlinkprogress` need no login; the others belong to a signed-in user.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';
import type { FolderMetadata } from '@pcloudkit/core';

const GROUP = 'uploadlinks';

// ---------------------------------------------------------------------------
// Result types

/** What `createuploadlink` answers: how to reach the new link. */
export interface UploadLinkCreated {
  /** Id for changeuploadlink and deleteuploadlink. */
  uploadlinkid: number;
  /** The web page uploaders open. */
  link: string;
  /** E-mail address whose attachments land in the folder. */
  mail: string;
  /** The code showuploadlink, uploadtolink, uploadlinkprogress and copytolink take. */
  code: string;
}

/** One of the caller's upload links, as `listuploadlinks` shows it. */
export interface UploadLink extends UploadLinkCreated {
  /** The owner's instructions for uploaders. */
  comment: string;
  /** Files received so far. */
  files: number;
  /** Bytes received so far. */
  space: number;
  /** The folder that receives the files. */
  metadata?: FolderMetadata;
  created: Date;
  modified: Date;
  /** Set when the link has an expiry. */
  expires?: Date;
  /** Byte cap, when set. */
  maxspace?: number;
  /** File-count cap, when set. */
  maxfiles?: number;
}

/** Progress of an `uploadtolink` request tagged with a `progresshash`. */
export interface UploadLinkProgress {
  /** Bytes of the whole request (protocol overhead included). */
  total: number;
  /** Bytes received so far, on the same basis. */
  uploaded: number;
  /** Name of the file being received; absent once finished. */
  currentfile?: string;
  /** Bytes of the current file received so far; absent once finished. */
  currentfileuploaded?: number;
  /** 1-based position of the current file in the request. */
  filenumber?: number;
  finished: boolean;
}

/** What an uploader learns about a link: the owner's comment and the drop address. */
export interface UploadLinkInfo {
  comment: string;
  mail: string;
}

// ---------------------------------------------------------------------------
// Methods

const expire = () => param.datetime();

/**
 * Creates an upload link into one of your folders: anyone with its code can
 * put files there, without seeing anything else of your account. The
 * comment is all an uploader sees, so say what you expect. Optional caps:
 * `expire` (a moment), `maxspace` (bytes), `maxfiles`. Needs a verified
 * e-mail address (2014).
 */
export const createuploadlink = /* @__PURE__ */ defineMethod({
  name: 'createuploadlink',
  group: GROUP,
  params: {
    /** Id of the folder that receives the uploads. */
    folderid: /* @__PURE__ */ param.int(),
    /** Full path of the folder that receives the uploads. */
    path: /* @__PURE__ */ param.string(),
    /** Instructions shown to uploaders. */
    comment: /* @__PURE__ */ param.string({ required: true }),
    /** Moment after which the link takes no upload. */
    expire: /* @__PURE__ */ expire(),
    /** Cap on the bytes that may be uploaded in all. */
    maxspace: /* @__PURE__ */ param.int({ min: 1 }),
    /** Cap on the number of files that may be uploaded. */
    maxfiles: /* @__PURE__ */ param.int({ min: 1 }),
  },
  oneOf: { target: ['folderid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<UploadLinkCreated>(),
});

/** Lists your upload links with their counters (`files`, `space`) and caps. */
export const listuploadlinks = /* @__PURE__ */ defineMethod({
  name: 'listuploadlinks',
  group: GROUP,
  params: {},
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<{ uploadlinks: UploadLink[] }>(),
});

/** Deletes one of your upload links at once; the files it brought stay in the folder. */
export const deleteuploadlink = /* @__PURE__ */ defineMethod({
  name: 'deleteuploadlink',
  group: GROUP,
  params: {
    /** Id of the link (from createuploadlink or listuploadlinks). */
    uploadlinkid: /* @__PURE__ */ param.int({ required: true }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<Record<string, never>>(),
});

/**
 * Changes an upload link's expiry and caps, effective at once. A cap of 0
 * removes it; `deleteexpire` removes the expiry.
 */
export const changeuploadlink = /* @__PURE__ */ defineMethod({
  name: 'changeuploadlink',
  group: GROUP,
  params: {
    /** Id of the link. */
    uploadlinkid: /* @__PURE__ */ param.int({ required: true }),
    /** New expiry moment. */
    expire: /* @__PURE__ */ expire(),
    /** Remove the expiry. */
    deleteexpire: /* @__PURE__ */ param.flag(),
    /** New byte cap; 0 removes it. */
    maxspace: /* @__PURE__ */ param.int({ min: 0 }),
    /** New file-count cap; 0 removes it. */
    maxfiles: /* @__PURE__ */ param.int({ min: 0 }),
  },
  atMostOne: { expiry: ['deleteexpire', 'expire'] },
  auth: true,
  result: /* @__PURE__ */ returns<Record<string, never>>(),
});

/**
 * Looks up a link by its code, without login: the owner's comment and the
 * drop address. A deleted, expired or full link answers 7002, 7004, 7007 or
 * 7008: show those as the link's state.
 */
export const showuploadlink = /* @__PURE__ */ defineMethod({
  name: 'showuploadlink',
  group: GROUP,
  params: {
    /** The link's code. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<UploadLinkInfo>(),
});

/**
 * Uploads files through a link, without login: pass them as
 * `options.files` (`client.request(uploadtolink, { code }, { files })`), or
 * use the plugin's `uploadLinks.upload()` helper. A name already in the
 * folder never replaces the owner's file: the new one gets another name.
 * The answer tells the uploader nothing of the owner's tree.
 */
export const uploadtolink = /* @__PURE__ */ defineMethod({
  name: 'uploadtolink',
  group: GROUP,
  params: {
    /** The link's code. */
    code: /* @__PURE__ */ param.string({ required: true }),
    /** Drop files whose upload was cut short instead of keeping partial data. */
    nopartial: /* @__PURE__ */ param.flag(),
    /** Key of your choice to follow the upload with uploadlinkprogress. */
    progresshash: /* @__PURE__ */ param.string(),
    /** Who uploads, kept with each file for the link's owner; pCloud has been reported to refuse uploads without it (2001). */
    names: /* @__PURE__ */ param.string(),
    /** A note from the uploader, kept with each file for the link's owner. */
    comment: /* @__PURE__ */ param.string(),
  },
  auth: false,
  data: 'upload',
  result: /* @__PURE__ */ returns<Record<string, never>>(),
});

/**
 * Progress of an uploadtolink request tagged with `progresshash`, without
 * login. 1900 right after the start may only mean the upload has not reached
 * the server yet.
 */
export const uploadlinkprogress = /* @__PURE__ */ defineMethod({
  name: 'uploadlinkprogress',
  group: GROUP,
  params: {
    /** The link's code. */
    code: /* @__PURE__ */ param.string({ required: true }),
    /** The key given to uploadtolink. */
    progresshash: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<UploadLinkProgress>(),
});

/** Copies one of your own files into the folder behind someone's upload link. */
export const copytolink = /* @__PURE__ */ defineMethod({
  name: 'copytolink',
  group: GROUP,
  params: {
    /** The link's code. */
    code: /* @__PURE__ */ param.string({ required: true }),
    /** Id of your file to copy. */
    fileid: /* @__PURE__ */ param.int(),
    /** Full path of your file to copy. */
    path: /* @__PURE__ */ param.string(),
    /** Name for the copy (the file's own name by default). */
    toname: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['fileid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<Record<string, never>>(),
});
