import type { CallContext } from './context.js';
import { type Body, type Value, withJson } from './json.js';
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
 * What a listed file's metadata was rendered from, with that metadata (and
 * its JSON bytes, see `withJson`). Every record field renderFile reads is
 * here; the file's id and `kind` never change, nor does whether its parent
 * is a root (which decides `parentfolderid` 0), and a version record is
 * never changed once made (a new content is a new `current`).
 */
interface ListedFile {
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

/**
 * Listed files' metadata by file record: a big folder listed again answers
 * the entries of unchanged files from here. An entry is used only while each
 * field it was rendered from is still what the record holds (checked on every
 * use, so no change, by whichever store intent, can leave a stale entry), and
 * the record going (purged, reloaded after a rollback) takes it along.
 */
const listedFiles = new WeakMap<FileRec, ListedFile>();

/**
 * A file's metadata as a listing shows it: renderFile's answer, kept for
 * the next listing when only the file's own fields decide it (the caller
 * owns the file, so no share fields; no field filter; no path; the date
 * format is part of the key).
 */
export function renderListedFile(c: CallContext, f: FileRec): Body {
  const conn = c.conn;
  if (
    c.user === undefined ||
    c.user.userid !== f.owner ||
    conn.filterFileMeta !== undefined ||
    conn.filterMeta !== undefined ||
    f.deletedfileid !== undefined
  ) {
    return renderFile(c, f);
  }
  const hit = listedFiles.get(f);
  if (
    hit !== undefined &&
    hit.name === f.name &&
    hit.parent === f.parent &&
    hit.owner === f.owner &&
    hit.created === f.created &&
    hit.modified === f.modified &&
    hit.contenttype === f.contenttype &&
    hit.current === f.current &&
    hit.deleted === f.deleted &&
    hit.timestamps === c.timestamps
  ) {
    return hit.meta;
  }
  const meta = withJson(renderFile(c, f));
  listedFiles.set(f, {
    name: f.name,
    parent: f.parent,
    owner: f.owner,
    created: f.created,
    modified: f.modified,
    contenttype: f.contenttype,
    current: f.current,
    deleted: f.deleted,
    timestamps: c.timestamps,
    meta,
  });
  return meta;
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
