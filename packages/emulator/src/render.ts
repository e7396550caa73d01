import type { CallContext } from './context.js';
import type { Body, Value } from './json.js';
import { type TypeInfo, typeInfoFor } from './mime.js';
import { type FileRec, type FolderRec, type NodeRec, PERM_CREATE, PERM_DELETE, PERM_MODIFY, type Version } from './store.js';
import { canThumbnail } from './thumbnail.js';

export interface RenderOptions {
  /** Adds a `path` field (answers to calls that named the node by path). */
  path?: string | undefined;
  /** A folder's listed children (`contents`), never filtered away. */
  contents?: Value[] | undefined;
  /**
   * Trash listings: the item's place inside the Trash (0 for its root),
   * answered as `parentfolderid`, while `origparentfolderid` tells where it
   * lived before it was deleted.
   */
  trashParent?: number | undefined;
}

/**
 * The share fields of a node the viewer reaches through a share (`ismine`
 * false, the owner's `userid`, the share's rights); for the viewer's own
 * nodes only `isshared` (a folder with accepted shares).
 */
function shareFields(c: CallContext, m: Body, owner: number, folderId: number, isFolder: boolean): void {
  const viewer = c.user?.userid;
  if (viewer === undefined || viewer === owner) {
    if (isFolder) m.isshared = c.store.shares(folderId).length > 0;
    return;
  }
  const perms = c.store.access(viewer, folderId)?.perms ?? 0;
  m.ismine = false;
  m.isshared = true;
  m.userid = owner;
  m.canread = true;
  m.canmodify = (perms & PERM_MODIFY) !== 0;
  m.candelete = (perms & PERM_DELETE) !== 0;
  if (isFolder) m.cancreate = (perms & PERM_CREATE) !== 0;
}

function placeInTrash(c: CallContext, m: Body, parent: number, opts: RenderOptions): void {
  if (opts.trashParent === undefined) return;
  m.parentfolderid = opts.trashParent;
  m.origparentfolderid = c.publicFolderId(parent);
}

/**
 * pCloud metadata objects for folders and files, shaped by the call: dates
 * in its `timeformat`, fields limited by the connection's sticky
 * `filtermeta` / `filterfilemeta` / `filterfoldermeta`.
 */
export function renderFolder(c: CallContext, f: FolderRec, opts: RenderOptions = {}): Body {
  const isRoot = f.parent === null;
  const id = isRoot ? 0 : f.id;
  const m: Body = {
    id: `d${id}`,
    isfolder: true,
    name: f.name,
    folderid: id,
    created: c.time(f.created),
    modified: c.time(f.modified),
    ismine: true,
    isshared: false,
    icon: 'folder',
    thumb: false,
    comments: 0,
  };
  if (!isRoot) m.parentfolderid = c.publicFolderId(f.parent!);
  shareFields(c, m, f.owner, f.id, true);
  // the folder of a share as its recipient sees it: where and under which name it is mounted
  const mount = c.user && c.user.userid !== f.owner ? c.store.mountOf(c.user.userid, f.id) : undefined;
  if (mount) {
    m.name = mount.name;
    m.parentfolderid = c.publicFolderId(mount.mountparent);
  }
  if (opts.path !== undefined) m.path = opts.path;
  if (f.deleted) m.isdeleted = true;
  if (!isRoot) placeInTrash(c, m, f.parent!, opts);
  return filterFields(c, m, c.conn.filterFolderMeta, opts.contents);
}

/** A file's metadata; `version` picks a revision's size, hash and date (current by default). */
/** What a content type alone decides: icon and category (when pCloud classifies the type) and whether it has thumbnails. */
interface TypeFacts {
  info: TypeInfo | undefined;
  thumb: boolean;
}
/** Type facts by content type, and infos by extension for the types that borrow them from the name; both kept small. */
const typeFacts = new Map<string, TypeFacts>();
const nameInfos = new Map<string, TypeInfo>();
const CACHE_LIMIT = 4096;

/** typeInfoFor and canThumbnail, remembered: a listing asks the same few types thousands of times. */
function factsFor(contenttype: string, name: string): { info: TypeInfo; thumb: boolean } {
  let facts = typeFacts.get(contenttype);
  if (!facts) {
    if (typeFacts.size >= CACHE_LIMIT) typeFacts.clear();
    // a type pCloud classifies gives the same info whatever the name (the name is only asked otherwise)
    const probe = typeInfoFor(contenttype, '');
    const byType = probe.icon !== typeInfoFor(contenttype, 'x.txt').icon ? undefined : probe;
    facts = { info: byType, thumb: canThumbnail(contenttype) };
    typeFacts.set(contenttype, facts);
  }
  if (facts.info) return { info: facts.info, thumb: facts.thumb };
  // the name counts through its extension only (as typeOf reads it)
  const dot = name.lastIndexOf('.');
  const key = `${contenttype}\n${dot > 0 && dot < name.length - 1 ? name.slice(dot).toLowerCase() : ''}`;
  let info = nameInfos.get(key);
  if (!info) {
    if (nameInfos.size >= CACHE_LIMIT) nameInfos.clear();
    info = typeInfoFor(contenttype, name);
    nameInfos.set(key, info);
  }
  return { info, thumb: facts.thumb };
}

export function renderFile(c: CallContext, f: FileRec, opts: RenderOptions = {}, version: Version = f.current): Body {
  const { info, thumb } = factsFor(f.contenttype, f.name);
  const m: Body = {
    id: `f${f.id}`,
    isfolder: false,
    name: f.name,
    parentfolderid: c.publicFolderId(f.parent),
    fileid: f.id,
    created: c.time(f.created),
    modified: c.time(version === f.current ? f.modified : version.created),
    ismine: true,
    isshared: false,
    icon: info.icon,
    category: info.category,
    thumb,
    size: version.size,
    contenttype: f.contenttype,
    hash: BigInt(version.hash),
    comments: 0,
  };
  shareFields(c, m, f.owner, f.parent, false);
  if (opts.path !== undefined) m.path = opts.path;
  if (f.deleted) m.isdeleted = true;
  if (f.deletedfileid !== undefined) m.deletedfileid = f.deletedfileid;
  placeInTrash(c, m, f.parent, opts);
  return filterFields(c, m, c.conn.filterFileMeta, undefined);
}

/**
 * A listed file's metadata and what it was rendered from: every record field renderFile reads. The file's id and
 * `kind` never change, nor does whether its parent is a root (which decides
 * `parentfolderid` 0), and a version record is never changed once made (new
 * content is a new `current`).
 */
export interface ListedFile {
  readonly name: string;
  readonly parent: number;
  readonly owner: number;
  readonly created: number;
  readonly modified: number;
  readonly contenttype: string;
  readonly current: Version;
  readonly deleted: boolean | undefined;
  readonly timestamps: boolean;
  readonly meta: Body;
}

/** Whether the call renders the metadata of `owner`'s files from their own fields alone: the caller is the owner and no field filter is on. */
export function keepsListings(c: CallContext, owner: number): boolean {
  return c.user !== undefined && c.user.userid === owner && c.conn.filterFileMeta === undefined && c.conn.filterMeta === undefined;
}

/**
 * A file's metadata as a listing shows it, in a form the listing can keep
 * for the next one: `kept` (what an earlier listing kept for this file)
 * when each field it was rendered from is still what the record holds
 * (checked on every use, so no change, by whichever store intent, can go
 * unseen), else renderFile's answer, rendered now. Undefined when the
 * answer depends on more than the file's own fields, which is not kept:
 * the caller does not own the file (share fields), a field filter is on,
 * or a rename's `deletedfileid` is being reported.
 */
export function listedFile(c: CallContext, f: FileRec, kept: ListedFile | undefined): ListedFile | undefined {
  if (!keepsListings(c, f.owner) || f.deletedfileid !== undefined) return undefined;
  if (
    kept !== undefined &&
    kept.name === f.name &&
    kept.parent === f.parent &&
    kept.owner === f.owner &&
    kept.created === f.created &&
    kept.modified === f.modified &&
    kept.contenttype === f.contenttype &&
    kept.current === f.current &&
    kept.deleted === f.deleted &&
    kept.timestamps === c.timestamps
  ) {
    return kept;
  }
  return {
    name: f.name,
    parent: f.parent,
    owner: f.owner,
    created: f.created,
    modified: f.modified,
    contenttype: f.contenttype,
    current: f.current,
    deleted: f.deleted,
    timestamps: c.timestamps,
    meta: renderFile(c, f),
  };
}

/** Metadata of a folder or a file. */
export function renderNode(c: CallContext, n: NodeRec, opts: RenderOptions = {}): Body {
  return n.kind === 'folder' ? renderFolder(c, n, opts) : renderFile(c, n, opts);
}

function filterFields(c: CallContext, m: Body, specific: Set<string> | undefined, contents: Value[] | undefined): Body {
  const keep = specific ?? c.conn.filterMeta;
  let out = m;
  if (keep) {
    out = {};
    for (const [k, v] of Object.entries(m)) if (keep.has(k)) out[k] = v;
  }
  if (contents !== undefined) out.contents = contents;
  return out;
}
