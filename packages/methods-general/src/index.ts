/**
 * pCloud's "general" methods: account info, server selection, the change
 * log, login digests and a few odds and ends.
 *
 * Every definition is a standalone function (`getapiserver(client)`) and the
 * {@link general} plugin adds them all to a client (`client.use(general)`).
 */
import { defineMethod, definePlugin, param, returns } from '@pcloudkit/core';
import type { DiffEntry } from './metadata.js';

export type {
  DiffEntry, DiffEventName, EntryBase, FileCategory, FileEntry, FileMetadata, FolderEntry, FolderMetadata, Metadata, MetadataBase,
  MetadataIcon, ResetEntry, Share, ShareEntry, ShareEvent, UserInfoEntry, UserInfoSnapshot,
} from './metadata.js';

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
export const getapiserver = defineMethod({
  name: 'getapiserver',
  group,
  summary: 'Lists the API hosts (HTTP and binary) closest to the caller, best first.',
  auth: false,
  idempotent: true,
  result: returns<GetApiServerResult>(),
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
export const userinfo = defineMethod({
  name: 'userinfo',
  group,
  summary: "Returns the signed-in user's account details: e-mail, quota, plan and language.",
  auth: true,
  idempotent: true,
  result: returns<UserInfoResult>(),
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
export const getdigest = defineMethod({
  name: 'getdigest',
  group,
  summary: 'Hands out a random digest, valid for about 30 seconds, for a login that never sends the password.',
  auth: false,
  idempotent: true,
  result: returns<GetDigestResult>(),
});

/** Answer of {@link supportedlanguages}. */
export interface SupportedLanguagesResult {
  /** Language code → display name. */
  languages: Record<string, string>;
}

/** Lists the interface languages pCloud offers. */
export const supportedlanguages = defineMethod({
  name: 'supportedlanguages',
  group,
  summary: 'Lists the interface languages pCloud knows, as a code-to-name map.',
  auth: false,
  idempotent: true,
  result: returns<SupportedLanguagesResult>(),
});

/** Answer of {@link setlanguage}: nothing beyond success. */
export type SetLanguageResult = Record<string, never>;

/** Sets the signed-in user's preferred language (a key of `supportedlanguages`). */
export const setlanguage = defineMethod({
  name: 'setlanguage',
  group,
  summary: "Changes the signed-in user's preferred language.",
  params: {
    language: param.string({ required: true, summary: 'Language code, one of the keys that supportedlanguages returns.' }),
  },
  auth: true,
  // Setting the same language twice leaves the same state.
  idempotent: true,
  result: returns<SetLanguageResult>(),
});

/** Answer of {@link feedback}: nothing beyond success. */
export type FeedbackResult = Record<string, never>;

/** Sends a message to pCloud support on behalf of someone identified by e-mail. */
export const feedback = defineMethod({
  name: 'feedback',
  group,
  summary: 'Sends a message to pCloud support from the given e-mail address.',
  params: {
    mail: param.string({ required: true, summary: "Sender's e-mail address." }),
    reason: param.string({ required: true, summary: 'Subject of the message.' }),
    message: param.string({ required: true, summary: 'Body of the message.' }),
    name: param.string({ summary: "Sender's full name." }),
  },
  auth: false,
  result: returns<FeedbackResult>(),
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
export const currentserver = defineMethod({
  name: 'currentserver',
  group,
  summary: 'Tells which API server answered, with a host name that reaches only that machine.',
  auth: false,
  idempotent: true,
  result: returns<CurrentServerResult>(),
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
export const diff = defineMethod({
  name: 'diff',
  group,
  summary: 'Returns the change log of files, folders, shares and account, optionally waiting for new events.',
  params: {
    diffid: param.int({ summary: 'Only events after this diffid.' }),
    after: param.datetime({ summary: 'Only events after this moment.' }),
    last: param.int({ min: 0, summary: 'Only the N newest events; 0 reports the current diffid cheaply.' }),
    block: param.flag({ requires: 'diffid', summary: 'Wait until an event arrives; only together with diffid.' }),
    limit: param.int({ min: 0, summary: 'Return at most this many entries.' }),
  },
  atMostOne: { since: ['diffid', 'after', 'last'] },
  auth: true,
  longPoll: 'block',
  // A read, blocking or not: repeating it cannot change anything.
  idempotent: true,
  result: returns<DiffResult>(),
});

/** Answer of {@link getfilehistory}. */
export interface GetFileHistoryResult {
  /** Events about this file, in the same format as `diff` entries. */
  entries: DiffEntry[];
}

/** Lists every event that touched one file, deleted files included. */
export const getfilehistory = defineMethod({
  name: 'getfilehistory',
  group,
  summary: 'Lists every event that ever touched one file, in diff entry format.',
  params: {
    fileid: param.int({ required: true, summary: 'Id of the file.' }),
  },
  auth: true,
  idempotent: true,
  result: returns<GetFileHistoryResult>(),
});

/** Answer of {@link getip}. */
export interface GetIpResult {
  /** The caller's address as the API sees it. */
  ip: string;
  /** Lowercase two-letter country code, or `false` when unknown. */
  country: string | false;
}

/** Reports the caller's public IP address and a country guess for it. */
export const getip = defineMethod({
  name: 'getip',
  group,
  summary: "Reports the caller's public IP address and a guess of its country.",
  auth: false,
  idempotent: true,
  result: returns<GetIpResult>(),
});

/** Every definition of the group, in catalogue order. */
export const definitions = [
  getdigest, userinfo, supportedlanguages, setlanguage, feedback, currentserver, diff, getfilehistory, getip, getapiserver,
] as const;

/** Adds the general methods to a client: `createClient(...).use(general)`. */
export const general = definePlugin({
  name: 'general',
  methods: { getdigest, userinfo, supportedlanguages, setlanguage, feedback, currentserver, diff, getfilehistory, getip, getapiserver },
});
