/**
 * The general methods and their result types. Its only run-time exports are
 * the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';
import type { DiffEntry } from './metadata.js';

const group = 'general';

/** Answer of {@link getapiserver}. */
export interface GetApiServerResult {
  /** Hosts for the HTTP JSON protocol, best first (e.g. `api-ams1.pcloud.com`). */
  api: string[];
  /** Hosts for the binary protocol, best first (e.g. `binapi-ams1.pcloud.com`). */
  binapi: string[];
}

/**
 * Asks pCloud which API hosts are best placed for this machine. No login is
 * needed.
 *
 * The answer is a hint: the hosts it names belong to the region that
 * answered, and if one of them later fails at the network level a client
 * should go back to the region's default host (`api.pcloud.com` or
 * `eapi.pcloud.com`). Core does this for you when the client is made with
 * `nearestHost: true`; call this method yourself only to inspect or pin
 * hosts.
 *
 * @example
 * ```ts
 * import { createClient } from '@pcloudkit/core';
 * import { httpTransport } from '@pcloudkit/transport-http';
 * import { getapiserver } from '@pcloudkit/methods-general';
 *
 * const client = createClient({ transport: httpTransport(), region: 'eu' });
 * const { api, binapi } = await getapiserver(client);
 * console.log(api[0]); // e.g. "eapi-ams1.pcloud.com"
 * ```
 *
 * @example With the plugin
 * ```ts
 * const c = client.use(general);
 * const hosts = await c.getapiserver();
 * ```
 */
export const getapiserver = /* @__PURE__ */ defineMethod({
  name: 'getapiserver',
  group,
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetApiServerResult>(),
});

/** Answer of {@link userinfo}. */
export interface UserInfoResult {
  userid: number;
  email: string;
  emailverified: boolean;
  /** When the account was created. */
  registered: Date;
  premium: boolean;
  /** End of the paid period; only for premium accounts. */
  premiumexpires?: Date;
  /** Total storage in bytes. */
  quota: number;
  /** Storage in use, in bytes. */
  usedquota: number;
  /** Lowercase language code, e.g. `en`. */
  language: string;
}

/** Returns the signed-in user's account data (e-mail, quota, plan, language). */
export const userinfo = /* @__PURE__ */ defineMethod({
  name: 'userinfo',
  group,
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<UserInfoResult>(),
});

/** Answer of {@link getdigest}. */
export interface GetDigestResult {
  /** Random value to mix into the password hash of a digest login. */
  digest: string;
  /** When the digest stops being accepted (about 30 seconds later). */
  expires: Date;
}

/**
 * Fetches a short-lived digest for a password login that never sends the
 * password itself. Core's `{ username, password }` auth uses it for you.
 */
export const getdigest = /* @__PURE__ */ defineMethod({
  name: 'getdigest',
  group,
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetDigestResult>(),
});

/** Answer of {@link supportedlanguages}. */
export interface SupportedLanguagesResult {
  /** Language code → display name. */
  languages: Record<string, string>;
}

/** Lists the interface languages pCloud offers. */
export const supportedlanguages = /* @__PURE__ */ defineMethod({
  name: 'supportedlanguages',
  group,
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<SupportedLanguagesResult>(),
});

/** Answer of {@link setlanguage}: nothing beyond success. */
export type SetLanguageResult = Record<string, never>;

/** Sets the signed-in user's preferred language (a key of `supportedlanguages`). */
export const setlanguage = /* @__PURE__ */ defineMethod({
  name: 'setlanguage',
  group,
  params: {
    /** Language code, one of the keys that supportedlanguages returns. */
    language: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: true,
  // Setting the same language twice leaves the same state.
  idempotent: true,
  result: /* @__PURE__ */ returns<SetLanguageResult>(),
});

/** Answer of {@link feedback}: nothing beyond success. */
export type FeedbackResult = Record<string, never>;

/** Sends a message to pCloud support on behalf of someone identified by e-mail. */
export const feedback = /* @__PURE__ */ defineMethod({
  name: 'feedback',
  group,
  params: {
    /** Sender's e-mail address. */
    mail: /* @__PURE__ */ param.string({ required: true }),
    /** Subject of the message. */
    reason: /* @__PURE__ */ param.string({ required: true }),
    /** Body of the message. */
    message: /* @__PURE__ */ param.string({ required: true }),
    /** Sender's full name. */
    name: /* @__PURE__ */ param.string(),
  },
  auth: false,
  result: /* @__PURE__ */ returns<FeedbackResult>(),
});

/** Answer of {@link currentserver}. */
export interface CurrentServerResult {
  /** IPv4 address of the machine that answered. */
  ip: string;
  /** A second IPv4 address of that machine. */
  ipbin: string;
  ipv6: string;
  /** A host name that resolves to this machine only, e.g. `api7.pcloud.com`. */
  hostname: string;
}

/**
 * Names the exact server that answered, so a follow-up call (upload
 * progress, say) can be sent to the same machine.
 */
export const currentserver = /* @__PURE__ */ defineMethod({
  name: 'currentserver',
  group,
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<CurrentServerResult>(),
});

/** Answer of {@link diff}. */
export interface DiffResult {
  /** Events, oldest first. */
  entries: DiffEntry[];
  /** The id to store and send as `diffid` next time, once every entry is applied. */
  diffid: number;
}

/**
 * Reads the user's change log.
 *
 * Give at most one of `diffid` (events after it), `after` (events after a
 * moment) or `last` (the newest N; `last: 0` just reports the current
 * diffid). `block: true`, together with `diffid`, holds the call open until
 * something happens: pass a `timeout` that suits the long poll, and
 * `retries: 0` if a timeout should not start a new wait.
 *
 * Skip entries whose `event` you do not know; pCloud adds new ones.
 */
export const diff = /* @__PURE__ */ defineMethod({
  name: 'diff',
  group,
  params: {
    /** Only events after this diffid. */
    diffid: /* @__PURE__ */ param.int(),
    /** Only events after this moment. */
    after: /* @__PURE__ */ param.datetime(),
    /** Only the N newest events; 0 reports the current diffid cheaply. */
    last: /* @__PURE__ */ param.int({ min: 0 }),
    /** Wait until an event arrives; only together with diffid. */
    block: /* @__PURE__ */ param.flag({ requires: 'diffid' }),
    /** Return at most this many entries. */
    limit: /* @__PURE__ */ param.int({ min: 0 }),
  },
  atMostOne: { since: ['diffid', 'after', 'last'] },
  auth: true,
  longPoll: 'block',
  // A read, blocking or not: repeating it cannot change anything.
  idempotent: true,
  result: /* @__PURE__ */ returns<DiffResult>(),
});

/** Answer of {@link getfilehistory}. */
export interface GetFileHistoryResult {
  /** Events about this file, in the same format as `diff` entries. */
  entries: DiffEntry[];
}

/** Lists every event that touched one file, deleted files included. */
export const getfilehistory = /* @__PURE__ */ defineMethod({
  name: 'getfilehistory',
  group,
  params: {
    /** Id of the file. */
    fileid: /* @__PURE__ */ param.int({ required: true }),
  },
  auth: true,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetFileHistoryResult>(),
});

/** Answer of {@link getip}. */
export interface GetIpResult {
  /** The caller's address as the API sees it. */
  ip: string;
  /** Lowercase two-letter country code, or `false` when unknown. */
  country: string | false;
}

/** Reports the caller's public IP address and a country guess for it. */
export const getip = /* @__PURE__ */ defineMethod({
  name: 'getip',
  group,
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<GetIpResult>(),
});
