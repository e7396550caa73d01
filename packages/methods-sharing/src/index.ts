/**
 * pCloud sharing methods: offer a folder to another user by e-mail, list
 * shares and offers, look an offer up by its mailed code (no login), accept,
 * decline or cancel an offer, change or remove a share.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`listshares(client)`) or add the {@link sharing}
 * plugin to a client (`client.use(sharing)`), which also adds
 * `client.shares`: the same calls with permissions as named flags and lists
 * that are always there.
 */
import {
  type CallOptions,
  type CoreClient,
  definePlugin,
  methodList,
  type MethodList,
  type ParamsOf,
  ValidationError,
} from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-sharing/methods';
import * as methods from './methods.js';
import type { ListSharesResult, Share, ShareRequest, ShareRights } from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every sharing method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

// ---------------------------------------------------------------------------
// Permissions as names

/** pCloud's permission bits; a mask is their sum, 0 (`readOnly`) allows reading only. */
export const SharePermission = { readOnly: 0, create: 1, modify: 2, delete: 4, all: 7 } as const;

/** The rights a share gives besides reading, by name; a right left out is not given. */
export interface SharePermissions {
  /** Add files and folders. */
  create?: boolean;
  /** Change files and folders (rename, overwrite, move within the share). */
  modify?: boolean;
  /** Delete files and folders. */
  delete?: boolean;
}

const NAMES = ['create', 'modify', 'delete'] as const;

/**
 * The mask for named rights: `permissionMask({ create: true, modify: true })`
 * is 3. Anything but the three names with boolean values is a
 * `ValidationError` (`method` names the call in its message).
 */
export function permissionMask(rights: SharePermissions, method = 'permissionMask'): number {
  if (typeof rights !== 'object' || rights === null || Array.isArray(rights)) {
    throw new ValidationError(method, 'permissions', "'permissions' must be an object such as { create: true, modify: false }");
  }
  let mask = 0;
  for (const [name, value] of Object.entries(rights)) {
    if (!(NAMES as readonly string[]).includes(name)) {
      throw new ValidationError(method, 'permissions', `unknown permission '${name}' (known: ${NAMES.join(', ')})`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'boolean') throw new ValidationError(method, 'permissions', `permission '${name}' must be true or false`);
    if (value) mask |= SharePermission[name as (typeof NAMES)[number]];
  }
  return mask;
}

/** The named rights of a share or offer as answers carry them (`cancreate`, `canmodify`, `candelete`). */
export function permissionsOf(share: Pick<ShareRights, 'cancreate' | 'canmodify' | 'candelete'>): Required<SharePermissions> {
  return { create: share.cancreate === true, modify: share.canmodify === true, delete: share.candelete === true };
}

// ---------------------------------------------------------------------------
// client.shares

/** `sharefolder`'s params with the rights by name (read only when left out). */
export type OfferParams =
  ParamsOf<typeof methods.sharefolder> extends infer P
    ? P extends unknown
      ? Omit<P, 'permissions'> & { permissions?: SharePermissions }
      : never
    : never;

/** `listshares` with every list present (empty when there is nothing). */
export interface ShareOverview {
  shares: { incoming: Share[]; outgoing: Share[] };
  requests: { incoming: ShareRequest[]; outgoing: ShareRequest[] };
}

/** The helpers the {@link sharing} plugin adds as `client.shares`. */
export interface SharingHelpers {
  /** `sharefolder` with the rights by name. */
  offer(params: OfferParams, options?: CallOptions): Promise<void>;
  /** `listshares`, every list present. */
  list(options?: CallOptions): Promise<ShareOverview>;
  /** `sharerequestinfo`: the offer a mailed code stands for (works without login). */
  request(code: string, options?: CallOptions): Promise<ShareRequest>;
  /** `changeshare` with the rights by name. */
  change(shareid: number, permissions: SharePermissions, options?: CallOptions): Promise<void>;
}

const lists = <T>(l: { incoming?: T[]; outgoing?: T[] } | undefined) => ({ incoming: l?.incoming ?? [], outgoing: l?.outgoing ?? [] });

function helpers(client: CoreClient): { shares: SharingHelpers } {
  return {
    shares: {
      async offer(params, options) {
        const { permissions, ...rest } = params;
        const mask = permissionMask(permissions ?? {}, 'sharefolder');
        await methods.sharefolder(client, { ...rest, permissions: mask } as ParamsOf<typeof methods.sharefolder>, options);
      },
      async list(options) {
        const r: ListSharesResult = await methods.listshares(client, {}, options);
        return { shares: lists(r.shares), requests: lists(r.requests) };
      },
      async request(code, options) {
        return (await methods.sharerequestinfo(client, { code }, options)).share;
      },
      async change(shareid, permissions, options) {
        await methods.changeshare(client, { shareid, permissions: permissionMask(permissions, 'changeshare') }, options);
      },
    },
  };
}

/**
 * Adds the sharing methods, plus `client.shares` (offers and permission
 * changes with the rights by name, lists always present), to a client:
 * `createClient(...).use(sharing)`.
 */
export const sharing = /* @__PURE__ */ definePlugin({
  name: 'sharing',
  methods: definitions,
  extend: helpers,
});
