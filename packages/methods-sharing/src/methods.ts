/**
 * The sharing methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * A share is one of the caller's folders offered to another pCloud user by
 * e-mail with a permission mask (see `SharePermission` in index.ts). The
 * offer (a "share request") waits until the recipient accepts it (by id or
 * by the code the mail carries) or declines it, or the sender cancels it;
 * an accepted share appears in the recipient's tree and can be changed or
 * removed.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';

const GROUP = 'sharing';

// ---------------------------------------------------------------------------
// Result types

/** The rights a share gives, as share objects carry them (reading is always allowed). */
export interface ShareRights {
  canread: boolean;
  cancreate: boolean;
  canmodify: boolean;
  candelete: boolean;
}

/** An offer waiting for its answer, as `listshares` and `sharerequestinfo` show it. */
export interface ShareRequest extends ShareRights {
  sharerequestid: number;
  /** The offered folder (the sender's id for it). */
  folderid: number;
  /** The name the folder is offered under. */
  sharename: string;
  created: Date;
  /** After this the offer is gone. */
  expires: Date;
  /** The sender's note, when there is one. */
  message?: string;
  /** Outgoing offers: the address it went to. */
  tomail?: string;
  /** Incoming offers: who sent it. */
  frommail?: string;
  fromuserid?: number;
}

/** An accepted share, as `listshares` shows it. */
export interface Share extends ShareRights {
  shareid: number;
  /** The shared folder; the recipient reaches it by this id too. */
  folderid: number;
  sharename: string;
  created: Date;
  message?: string;
  /** Outgoing shares: the recipient. */
  tomail?: string;
  touserid?: number;
  /** Incoming shares: the owner. */
  frommail?: string;
  fromuserid?: number;
}

/** Incoming and outgoing entries of one kind; a list left out with `noincoming` / `nooutgoing` is absent. */
export interface ShareLists<T> {
  incoming?: T[];
  outgoing?: T[];
}

/** Answer of `listshares`; a section left out with `noshares` / `norequests` is absent. */
export interface ListSharesResult {
  shares?: ShareLists<Share>;
  requests?: ShareLists<ShareRequest>;
}

/** Answer of `sharerequestinfo`. */
export interface ShareRequestInfoResult {
  share: ShareRequest;
}

/** Answer of the methods that only report success. */
export type SharingDoneResult = Record<string, never>;

// ---------------------------------------------------------------------------
// Shared param specs

/** The permission mask: a sum of 1 create, 2 modify, 4 delete; 0 is read only. */
const permissions = () => param.int({ required: true, min: 0, max: 7 });

// ---------------------------------------------------------------------------
// Definitions

/**
 * Offers one of the caller's own folders to another user, by e-mail, with a
 * permission mask. The recipient gets a mail with a code and sees the offer
 * in `listshares`. Codes: 2014 the caller's e-mail is not verified, 2015 the
 * root folder, 2016 not the caller's folder, 2017 the recipient refuses
 * offers, 2019 the same offer exists, 2020 the caller's own address, 2024
 * the recipient reaches the folder already.
 */
export const sharefolder = /* @__PURE__ */ defineMethod({
  name: 'sharefolder',
  group: GROUP,
  params: {
    /** The folder to offer. */
    folderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** The folder to offer, by path. */
    path: /* @__PURE__ */ param.string(),
    /** The recipient's e-mail address. */
    mail: /* @__PURE__ */ param.string({ required: true }),
    /** 0 read only; add 1 to create, 2 to modify, 4 to delete (`permissionMask` builds it from names). */
    permissions: /* @__PURE__ */ permissions(),
    /** The name the folder is offered under (its own name by default). */
    name: /* @__PURE__ */ param.string(),
    /** A note for the recipient. */
    message: /* @__PURE__ */ param.string(),
  },
  oneOf: { target: ['folderid', 'path'] },
  auth: true,
  result: /* @__PURE__ */ returns<SharingDoneResult>(),
});

/** The caller's shares and pending offers, each split into incoming and outgoing. */
export const listshares = /* @__PURE__ */ defineMethod({
  name: 'listshares',
  group: GROUP,
  params: {
    /** Leave the pending offers out. */
    norequests: /* @__PURE__ */ param.flag(),
    /** Leave the accepted shares out. */
    noshares: /* @__PURE__ */ param.flag(),
    /** Leave the incoming lists out. */
    noincoming: /* @__PURE__ */ param.flag(),
    /** Leave the outgoing lists out. */
    nooutgoing: /* @__PURE__ */ param.flag(),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<ListSharesResult>(),
});

/** An offer by the code its mail carries; needs no login. 2021 once it was answered, cancelled or expired. */
export const sharerequestinfo = /* @__PURE__ */ defineMethod({
  name: 'sharerequestinfo',
  group: GROUP,
  params: {
    /** The code from the offer mail. */
    code: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<ShareRequestInfoResult>(),
});

/** Withdraws an offer the caller sent that has no answer yet (2021 otherwise). */
export const cancelsharerequest = /* @__PURE__ */ defineMethod({
  name: 'cancelsharerequest',
  group: GROUP,
  params: {
    /** The outgoing offer (from `listshares`). */
    sharerequestid: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<SharingDoneResult>(),
});

/**
 * Accepts an offer made to the caller, named by its id or by the mailed
 * code: the folder appears in the caller's tree, in the root folder or the
 * chosen one, under the offered name or the chosen one. 2022 the offer went
 * to someone else, 2023 the chosen place is inside another share, 2024 the
 * caller reaches the folder already.
 */
export const acceptshare = /* @__PURE__ */ defineMethod({
  name: 'acceptshare',
  group: GROUP,
  params: {
    /** The incoming offer (from `listshares` or `diff`). */
    sharerequestid: /* @__PURE__ */ param.int({ min: 0 }),
    /** The code from the offer mail. */
    code: /* @__PURE__ */ param.string(),
    /** The name of the folder in the caller's tree. */
    name: /* @__PURE__ */ param.string(),
    /** The folder to put the share in. */
    folderid: /* @__PURE__ */ param.int({ min: 0 }),
    /** The folder to put the share in, by path. */
    path: /* @__PURE__ */ param.string(),
    /** From now on, take every offer of this sender without asking. */
    always: /* @__PURE__ */ param.flag(),
  },
  oneOf: { request: ['sharerequestid', 'code'] },
  auth: true,
  result: /* @__PURE__ */ returns<SharingDoneResult>(),
});

/** Declines an offer made to the caller; with `block`, every later offer of the sender is refused too (2017). */
export const declineshare = /* @__PURE__ */ defineMethod({
  name: 'declineshare',
  group: GROUP,
  params: {
    /** The incoming offer. */
    sharerequestid: /* @__PURE__ */ param.int({ min: 0 }),
    /** The code from the offer mail. */
    code: /* @__PURE__ */ param.string(),
    /** Refuse every later offer of this sender. */
    block: /* @__PURE__ */ param.flag(),
  },
  oneOf: { request: ['sharerequestid', 'code'] },
  auth: true,
  result: /* @__PURE__ */ returns<SharingDoneResult>(),
});

/** Ends an accepted share; the owner and the recipient may both call it (2025 for anyone else). */
export const removeshare = /* @__PURE__ */ defineMethod({
  name: 'removeshare',
  group: GROUP,
  params: {
    /** The share (from `listshares`). */
    shareid: /* @__PURE__ */ param.int({ required: true, min: 0 }),
  },
  auth: true,
  result: /* @__PURE__ */ returns<SharingDoneResult>(),
});

/** Sets new permissions on an accepted share; only its owner may (2025 otherwise). */
export const changeshare = /* @__PURE__ */ defineMethod({
  name: 'changeshare',
  group: GROUP,
  params: {
    /** The outgoing share (from `listshares`). */
    shareid: /* @__PURE__ */ param.int({ required: true, min: 0 }),
    /** The new mask: 0 read only; add 1 to create, 2 to modify, 4 to delete. */
    permissions: /* @__PURE__ */ permissions(),
  },
  auth: true,
  result: /* @__PURE__ */ returns<SharingDoneResult>(),
});
