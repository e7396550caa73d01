/**
 * pCloud collection methods: user playlists and the server's own
 * collections (list, details with paging, create, rename, delete, link,
 * unlink, move items).
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`collection_list(client)`) or add the
 * {@link collection} plugin to a client (`client.use(collection)`), which
 * also adds `client.collections`: the same calls with one answer shape.
 */
import {
  type CallOptions,
  type CoreClient,
  definePlugin,
  methodList,
  type MethodList,
  type ParamsOf,
  ProtocolError,
} from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-collection/methods';
import * as methods from './methods.js';
import type { Collection, CollectionAnswer, LinkResult } from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every collection method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

// ---------------------------------------------------------------------------
// One shape for the answers the docs show two ways

/** A `linkresult` entry with `fileid` always a number. */
export interface LinkedFile extends Omit<LinkResult, 'fileid'> {
  fileid: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The collection object of an answer, whether the server sent it as an
 * object or as a one-element array. Anything else is a `ProtocolError`.
 */
export function normaliseCollection(answer: CollectionAnswer, method = 'collection'): Collection {
  const value: unknown = Array.isArray(answer) ? (answer.length === 1 ? answer[0] : undefined) : answer;
  if (!isRecord(value) || typeof value.id !== 'number') {
    throw new ProtocolError(`${method}: expected one collection object in the answer, got ${describe(answer)}`);
  }
  return value as unknown as Collection;
}

/**
 * `linkresult` as an array with numeric file ids: `false` (nothing could be
 * linked at all) and a missing field become `[]`. Anything else that is not
 * an array of entries is a `ProtocolError`.
 */
export function normaliseLinkResult(linkresult: LinkResult[] | false | undefined, method = 'collection'): LinkedFile[] {
  if (linkresult === false || linkresult === undefined) return [];
  if (!Array.isArray(linkresult))
    throw new ProtocolError(`${method}: expected linkresult to be an array or false, got ${describe(linkresult)}`);
  return linkresult.map((entry) => {
    const id = isRecord(entry) ? entry.fileid : undefined;
    const fileid = typeof id === 'number' ? id : typeof id === 'string' && /^\d+$/.test(id) ? Number(id) : undefined;
    if (fileid === undefined || typeof entry.result !== 'number') {
      throw new ProtocolError(`${method}: a linkresult entry has no numeric fileid and result: ${describe(entry)}`);
    }
    return { ...entry, fileid };
  });
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  try {
    const text = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return typeof v;
  }
}

/** The helpers the {@link collection} plugin adds as `client.collections`. */
export interface CollectionHelpers {
  /** `collection_list`: the collections array. */
  list(params?: ParamsOf<typeof methods.collection_list>, options?: CallOptions): Promise<Collection[]>;
  /** `collection_details`: the collection object. */
  details(params: ParamsOf<typeof methods.collection_details>, options?: CallOptions): Promise<Collection>;
  /** `collection_create`: the new collection and one entry per requested file (`[]` without `fileids`). */
  create(
    params: ParamsOf<typeof methods.collection_create>,
    options?: CallOptions,
  ): Promise<{ collection: Collection; linkresult: LinkedFile[] }>;
  /** `collection_rename`: the renamed collection. */
  rename(params: ParamsOf<typeof methods.collection_rename>, options?: CallOptions): Promise<Collection>;
  /** `collection_delete`. */
  delete(params: ParamsOf<typeof methods.collection_delete>, options?: CallOptions): Promise<void>;
  /** `collection_linkfiles`: the collection after the call and one entry per requested file. */
  linkFiles(
    params: ParamsOf<typeof methods.collection_linkfiles>,
    options?: CallOptions,
  ): Promise<{ collection: Collection; linkresult: LinkedFile[] }>;
  /** `collection_unlinkfiles`: the collection after the call. */
  unlinkFiles(params: ParamsOf<typeof methods.collection_unlinkfiles>, options?: CallOptions): Promise<Collection>;
  /** `collection_move`. */
  move(params: ParamsOf<typeof methods.collection_move>, options?: CallOptions): Promise<void>;
}

function helpers(client: CoreClient): { collections: CollectionHelpers } {
  return {
    collections: {
      async list(params, options) {
        const r = await methods.collection_list(client, params, options);
        if (!Array.isArray(r.collections))
          throw new ProtocolError(`collection_list: expected a collections array, got ${describe(r.collections)}`);
        return r.collections;
      },
      async details(params, options) {
        return normaliseCollection((await methods.collection_details(client, params, options)).collection, 'collection_details');
      },
      async create(params, options) {
        const r = await methods.collection_create(client, params, options);
        return {
          collection: normaliseCollection(r.collection, 'collection_create'),
          linkresult: normaliseLinkResult(r.linkresult, 'collection_create'),
        };
      },
      async rename(params, options) {
        return normaliseCollection((await methods.collection_rename(client, params, options)).collection, 'collection_rename');
      },
      async delete(params, options) {
        await methods.collection_delete(client, params, options);
      },
      async linkFiles(params, options) {
        const r = await methods.collection_linkfiles(client, params, options);
        return {
          collection: normaliseCollection(r.collection, 'collection_linkfiles'),
          linkresult: normaliseLinkResult(r.linkresult, 'collection_linkfiles'),
        };
      },
      async unlinkFiles(params, options) {
        return normaliseCollection((await methods.collection_unlinkfiles(client, params, options)).collection, 'collection_unlinkfiles');
      },
      async move(params, options) {
        await methods.collection_move(client, params, options);
      },
    },
  };
}

/**
 * Adds the collection methods, plus `client.collections` (the same calls
 * with one answer shape), to a client: `createClient(...).use(collection)`.
 */
export const collection = /* @__PURE__ */ definePlugin({
  name: 'collection',
  methods: definitions,
  extend: helpers,
});
