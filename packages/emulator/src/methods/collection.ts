import type { CallContext, MethodGroup } from '../context.js';
import { ApiError, errorMessage } from '../errors.js';
import type { Body, Value } from '../json.js';
import { renderFile } from '../render.js';
import type { CollectionItem, CollectionRec, FileRec, UserRec } from '../store.js';
import { nowSeconds } from '../time.js';

/** Collection type codes and the names answers carry (pCloud: 0 generic, 1 audio playlists). */
const TYPE_NAMES: Readonly<Record<number, string>> = { 0: 'generic', 1: 'audio' };

/** What `collection_create` makes without a `type`: a playlist. */
const DEFAULT_TYPE = 1;

/** The collections the server makes for every user on the first `collection_list`. */
const SYSTEM_COLLECTIONS: readonly { name: string; type: number }[] = [{ name: 'Most Listened', type: 1 }];

/** Page size of `collection_details` when `page` is given without `pagesize`. */
const DEFAULT_PAGE_SIZE = 20;

/** One live item: the stored link and its file. */
interface LiveItem {
  item: CollectionItem;
  file: FileRec;
}

/** A collection of the current user by `collectionid` (1057 missing, 2065 unknown or someone else's). */
function ownCollection(c: CallContext, id: number): CollectionRec {
  const user = c.requireUser();
  const coll = c.store.collection(id);
  if (!coll || coll.userid !== user.userid) throw new ApiError(2065);
  return coll;
}

/**
 * The collection's items whose files can still be reached, in order. The
 * others (file deleted, purged, no longer the owner's) are unlinked on the
 * spot and the positions closed up, as pCloud does during the call.
 */
function liveItems(c: CallContext, coll: CollectionRec): LiveItem[] {
  const live: LiveItem[] = [];
  const stored = c.store.collectionItems(coll.id);
  for (const item of stored) {
    const file = c.store.files.get(item.fileid);
    if (file && !file.deleted && file.owner === coll.userid) live.push({ item, file });
  }
  if (live.length !== stored.length) {
    c.store.setCollectionItems(
      coll.id,
      live.map((l) => l.item),
      false,
    );
    return live.map((l, i) => ({ file: l.file, item: { ...l.item, position: i + 1 } }));
  }
  return live;
}

/** A file's metadata with its place in the collection. */
function renderItem(c: CallContext, l: LiveItem): Body {
  const m = renderFile(c, l.file);
  m.position = l.item.position;
  m.added = c.time(l.item.added);
  return m;
}

/** The collection object; `shown` are the items listed in `contents`. */
function renderCollection(c: CallContext, coll: CollectionRec, count: number, shown: readonly LiveItem[]): Body {
  return {
    id: coll.id,
    name: coll.name,
    type: TYPE_NAMES[coll.type] ?? 'generic',
    system: coll.system,
    ismine: true,
    items: count,
    created: c.time(coll.created),
    modified: c.time(coll.modified),
    contents: shown.map((l) => renderItem(c, l)),
  };
}

/** The collection as it is now, every item listed. */
function current(c: CallContext, id: number): Body {
  const coll = c.store.collection(id)!;
  const items = liveItems(c, coll);
  return renderCollection(c, coll, items.length, items);
}

function ensureSystemCollections(c: CallContext, user: UserRec): void {
  const existing = c.store.collectionsOf(user.userid);
  if (existing.some((k) => k.system)) return;
  c.store.batch(() => {
    for (const s of SYSTEM_COLLECTIONS) {
      if (!existing.some((k) => k.name === s.name)) c.store.createCollection(user.userid, s.name, s.type, true);
    }
  });
}

function nameTaken(c: CallContext, userid: number, name: string, except?: number): boolean {
  return c.store.collectionsOf(userid).some((k) => k.name === name && k.id !== except);
}

/**
 * Appends files in the order given; a file already there keeps its place.
 * One result per requested id, the id echoed as it was sent (pCloud's
 * example shows it as a string).
 */
function linkFiles(c: CallContext, coll: CollectionRec, ids: readonly string[]): Body[] {
  const items = liveItems(c, coll).map((l) => l.item);
  const now = nowSeconds();
  const results: Body[] = [];
  for (const raw of ids) {
    const id = /^\d+$/.test(raw) ? Number(raw) : undefined;
    const file = id === undefined ? undefined : c.store.files.get(id);
    if (!file || file.deleted || file.owner !== coll.userid) {
      results.push({ fileid: raw, result: 2009, message: errorMessage(2009) });
      continue;
    }
    let item = items.find((i) => i.fileid === file.id);
    if (!item) {
      item = { fileid: file.id, position: items.length + 1, added: now };
      items.push(item);
    }
    results.push({ fileid: raw, result: 0, metadata: renderItem(c, { item, file }) });
  }
  c.store.setCollectionItems(coll.id, items);
  return results;
}

/** Keeps what `drop` does not select; positions close up. */
function unlinkWhere(c: CallContext, coll: CollectionRec, drop: (l: LiveItem) => boolean): void {
  const keep = liveItems(c, coll).filter((l) => !drop(l));
  c.store.setCollectionItems(
    coll.id,
    keep.map((l) => l.item),
  );
}

/** Numbers of a comma-separated list; entries that are not numbers select nothing. */
function numbers(list: readonly string[]): Set<number> {
  return new Set(list.filter((s) => /^\d+$/.test(s)).map(Number));
}

export const collectionMethods: MethodGroup = {
  collection_list(c) {
    const user = c.requireUser();
    const p = c.params;
    const type = p.int('type');
    const showfiles = p.flag('showfiles');
    const pagesize = p.int('pagesize');
    ensureSystemCollections(c, user);
    const collections: Value[] = [];
    for (const coll of c.store.collectionsOf(user.userid)) {
      if (type !== undefined && coll.type !== type) continue;
      const items = liveItems(c, coll);
      const shown = !showfiles ? [] : pagesize !== undefined && pagesize > 0 ? items.slice(0, pagesize) : items;
      collections.push(renderCollection(c, coll, items.length, shown));
    }
    return { collections };
  },

  collection_details(c) {
    const p = c.params;
    const id = p.needInt('collectionid', 1057);
    const page = p.int('page') ?? 0;
    const pagesize = p.int('pagesize');
    const coll = ownCollection(c, id);
    const items = liveItems(c, coll);
    if (page <= 0) return { collection: renderCollection(c, coll, items.length, items) };
    const size = pagesize !== undefined && pagesize > 0 ? pagesize : DEFAULT_PAGE_SIZE;
    const body = renderCollection(c, coll, items.length, items.slice((page - 1) * size, page * size));
    body.page = page;
    body.pagesize = size;
    return { collection: body };
  },

  collection_create(c) {
    const user = c.requireUser();
    const p = c.params;
    const name = p.needStr('name', 1039);
    const type = p.int('type') ?? DEFAULT_TYPE;
    if (TYPE_NAMES[type] === undefined) throw new ApiError(1058);
    const fileids = p.has('fileids') ? (p.list('fileids') ?? []) : undefined;
    if (nameTaken(c, user.userid, name)) throw new ApiError(2073);
    return c.store.batch(() => {
      const coll = c.store.createCollection(user.userid, name, type);
      // an empty list links nothing at all: pCloud's `linkresult: false`
      const linkresult = fileids === undefined ? undefined : fileids.length === 0 ? false : linkFiles(c, coll, fileids);
      const body: Body = { collection: current(c, coll.id) };
      if (linkresult !== undefined) body.linkresult = linkresult;
      return body;
    });
  },

  collection_rename(c) {
    const p = c.params;
    const id = p.needInt('collectionid', 1057);
    const name = p.needStr('name', 1039);
    const coll = ownCollection(c, id);
    // system collections are not the user's to change: pCloud does not find them
    if (coll.system) throw new ApiError(2065);
    if (nameTaken(c, coll.userid, name, coll.id)) throw new ApiError(2073);
    if (name !== coll.name) c.store.renameCollection(coll.id, name);
    return { collection: current(c, coll.id) };
  },

  collection_delete(c) {
    const coll = ownCollection(c, c.params.needInt('collectionid', 1057));
    if (coll.system) throw new ApiError(2065);
    c.store.deleteCollection(coll.id);
    return {};
  },

  collection_linkfiles(c) {
    const p = c.params;
    const id = p.needInt('collectionid', 1057);
    const ids = p.list('fileids') ?? [];
    if (ids.length === 0) throw new ApiError(1038);
    const coll = ownCollection(c, id);
    const results = c.store.batch(() => linkFiles(c, coll, ids));
    return { collection: current(c, coll.id), linkresult: p.flag('noitems') ? [] : results };
  },

  collection_unlinkfiles(c) {
    const p = c.params;
    const id = p.needInt('collectionid', 1057);
    // the selectors are looked at in this order: positions, all, fileids
    let drop: (l: LiveItem) => boolean;
    if (p.has('positions')) {
      const positions = numbers(p.list('positions') ?? []);
      drop = (l) => positions.has(l.item.position);
    } else if (p.flag('all')) drop = () => true;
    else if (p.has('fileids')) {
      const fileids = numbers(p.list('fileids') ?? []);
      drop = (l) => fileids.has(l.file.id);
    } else throw new ApiError(1038);
    const coll = ownCollection(c, id);
    c.store.batch(() => unlinkWhere(c, coll, drop));
    return { collection: current(c, coll.id) };
  },

  collection_move(c) {
    const p = c.params;
    const id = p.needInt('collectionid', 1057);
    const item = p.int('item');
    const fileid = item === undefined ? p.int('fileid') : undefined;
    if (item === undefined && fileid === undefined) throw new ApiError(1059);
    const position = p.needInt('position', 1060);
    const coll = ownCollection(c, id);
    const items = liveItems(c, coll).map((l) => l.item);
    const from = item !== undefined ? item - 1 : items.findIndex((i) => i.fileid === fileid);
    if (from < 0 || from >= items.length || position < 1 || position > items.length) throw new ApiError(2066);
    const [moved] = items.splice(from, 1);
    items.splice(position - 1, 0, moved!);
    c.store.setCollectionItems(coll.id, items);
    return {};
  },
};
