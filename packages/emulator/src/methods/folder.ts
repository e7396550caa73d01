import type { CallContext, MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import { type Body, type Value, withJsonBytes } from '../json.js';
import { keepsListings, type ListedFile, listedFile, renderFile, renderFolder } from '../render.js';
import type { FileRec, FolderRec } from '../store.js';
import { checkName, destination } from './shared.js';
import { leaveMount, renameMount } from './sharing.js';

/** Parent folder and new name from `folderid`+`name` or `path` (1001 when neither). */
function creationTarget(c: CallContext): { parent: FolderRec; name: string; path: string | undefined } {
  const p = c.params;
  const folderid = p.int('folderid');
  if (folderid !== undefined) {
    const name = p.str('name');
    if (name === undefined) throw new ApiError(1001);
    return { parent: c.folderById(folderid, 2002), name: checkName(name), path: undefined };
  }
  const path = p.str('path');
  if (path === undefined) throw new ApiError(1001);
  const parts = c.splitPath(path);
  if (parts.length === 0) throw new ApiError(2004);
  const parent = c.walk(parts.slice(0, -1), 2002);
  return { parent, name: checkName(parts[parts.length - 1]), path: '/' + parts.join('/') };
}

interface ListOptions {
  recursive: boolean;
  nofiles: boolean;
  showdeleted: boolean;
  basePath: string | undefined;
}

/**
 * A folder's listed children; with `recursive`, every level below. Walks
 * with its own stack (trees can be far deeper than the call stack): each
 * subfolder's metadata is rendered with an empty `contents`, which is
 * filled in when its turn comes.
 */
function listContents(c: CallContext, folder: FolderRec, o: ListOptions): Value[] {
  let top: Value[] = [];
  // each folder to list, with the metadata whose `contents` it fills (none for the listed folder itself)
  const todo: [FolderRec, Body | undefined][] = [[folder, undefined]];
  const withDeleted = o.showdeleted;
  const childPath = (name: string) =>
    o.basePath === undefined || o.recursive ? undefined : (o.basePath === '/' ? '' : o.basePath) + '/' + name;
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [current, meta] = next;
    // shares the user accepted into this folder are listed with its own subfolders
    const mounted = c.user ? c.store.mountsIn(c.user.userid, current.id).map((sh) => c.store.folders.get(sh.folderid)!) : [];
    const folders = [...c.store.subfolders(current.id, withDeleted), ...mounted.filter((f) => f && !f.deleted)];
    const out: Value[] = [];
    for (const f of folders.sort(byName)) {
      const m = renderFolder(c, f, { path: childPath(f.name), contents: o.recursive ? [] : undefined });
      out.push(m);
      if (o.recursive) todo.push([f, m]);
    }
    let contents = out;
    if (!o.nofiles) {
      if (o.basePath !== undefined && !o.recursive) {
        for (const f of c.store.subfiles(current.id, withDeleted).sort(byName)) out.push(renderFile(c, f, { path: childPath(f.name) }));
      } else {
        const files = listedFiles(c, current, withDeleted);
        contents = out.length === 0 ? files : out.concat(files);
      }
    }
    if (meta) meta.contents = contents;
    else top = contents;
  }
  return top;
}

/** A folder's files as a listing showed them, kept for the next listing of the same kind (see listedFiles). */
interface FolderListing {
  /** The files in the store's order (subfiles), and the name each had. */
  readonly stored: readonly FileRec[];
  readonly names: readonly string[];
  /** The same files in listing order, and what was kept of each (undefined: not kept, see listedFile). */
  readonly sorted: readonly FileRec[];
  readonly kept: readonly (ListedFile | undefined)[];
  /** Their metadata, frozen, with its JSON (withJsonBytes). */
  readonly entries: Value[];
}

/**
 * The last listings of each folder, one per kind (date format, with or
 * without deleted files, so that switching between them keeps both); they go
 * with the folder's record.
 */
const folderListings = new WeakMap<FolderRec, (FolderListing | undefined)[]>();

/**
 * The metadata of a folder's files in listing order (by name, then id).
 * When the store gives the same files in the same order and under the same
 * names as at the folder's last listing of this kind, their order is that
 * listing's (no sort); when each file's metadata is also what was kept
 * (listedFile checks each one against its record), the answer is that
 * listing's very array, whose JSON is written once for all the answers that
 * hold it.
 */
function listedFiles(c: CallContext, folder: FolderRec, withDeleted: boolean): Value[] {
  const stored = c.store.subfiles(folder.id, withDeleted);
  // someone else's folder (a share), or filtered fields: rendered afresh, and the owner's kept listing left as it is
  if (!keepsListings(c, folder.owner)) return stored.sort(byName).map((f) => renderFile(c, f));
  let listings = folderListings.get(folder);
  if (!listings) folderListings.set(folder, (listings = []));
  const kind = (c.timestamps ? 2 : 0) + (withDeleted ? 1 : 0);
  const last = listings[kind];
  let same = last !== undefined && last.stored.length === stored.length;
  for (let i = 0; same && i < stored.length; i++) same = stored[i] === last!.stored[i] && stored[i]!.name === last!.names[i];
  const sorted = same ? last!.sorted : [...stored].sort(byName);
  // where each file was in the last listing: the same place when the order is the same
  const placeOf = last === undefined || same ? undefined : new Map(last.sorted.map((f, i) => [f, i]));
  const kept: (ListedFile | undefined)[] = new Array(sorted.length);
  const entries: Value[] = new Array(sorted.length);
  // for each entry, where the last listing had it unchanged (its JSON is copied from there), else -1
  const at = new Int32Array(sorted.length);
  let unchanged = same;
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i]!;
    const place = same ? i : (placeOf?.get(f) ?? -1);
    const before = place < 0 ? undefined : last!.kept[place];
    const now = listedFile(c, f, before);
    const reused = now !== undefined && now === before;
    if (!reused) unchanged = false;
    at[i] = reused ? place : -1;
    kept[i] = now;
    entries[i] = now === undefined ? renderFile(c, f) : now.meta;
  }
  if (unchanged) return last!.entries;
  const list = withJsonBytes(entries, last === undefined ? undefined : { from: last.entries, at });
  listings[kind] = { stored, names: stored.map((f) => f.name), sorted, kept, entries: list };
  return list;
}

const byName = (a: { name: string; id: number }, b: { name: string; id: number }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id;

/** Every live folder of a tree, parents before their children (no recursion: trees can be deeper than the stack). */
function treeFolders(c: CallContext, root: FolderRec): FolderRec[] {
  const folders = [root];
  for (let i = 0; i < folders.length; i++) folders.push(...c.store.subfolders(folders[i]!.id));
  return folders;
}

function countAndDelete(c: CallContext, folder: FolderRec, counts: { files: number; folders: number }): void {
  // children before their parents, each folder's files before the folder
  for (const f of treeFolders(c, folder).reverse()) {
    for (const file of c.store.subfiles(f.id)) {
      c.store.markDeleted(file);
      counts.files++;
    }
    c.store.markDeleted(f);
    counts.folders++;
  }
}

function copyInto(c: CallContext, from: FolderRec, to: FolderRec, mode: { noover: boolean; skipexisting: boolean }): void {
  const store = c.store;
  const todo: [FolderRec, FolderRec][] = [[from, to]];
  for (let next = todo.shift(); next; next = todo.shift()) {
    const [src, dest] = next;
    for (const f of store.subfiles(src.id)) {
      const existing = store.findChildFile(dest.id, f.name);
      if (existing) {
        if (mode.skipexisting) continue;
        if (mode.noover) throw new ApiError(2004);
        const info = store.blobInfo(f.current.blob)!;
        store.replaceContent(existing, store.newVersion(info, f.current.hash));
        continue;
      }
      const info = store.blobInfo(f.current.blob)!;
      store.addFile(dest.owner, dest.id, f.name, store.newVersion(info, f.current.hash), f.contenttype, {
        created: f.created,
        modified: f.modified,
      });
    }
    for (const sub of store.subfolders(src.id)) {
      const target =
        store.findChildFolder(dest.id, sub.name) ??
        store.addFolder(dest.owner, dest.id, sub.name, { created: sub.created, modified: sub.modified });
      todo.push([sub, target]);
    }
  }
}

export const folderMethods: MethodGroup = {
  createfolder(c) {
    const { parent, name, path } = creationTarget(c);
    if (c.store.findChildFolder(parent.id, name)) throw new ApiError(2004);
    const folder = c.store.addFolder(parent.owner, parent.id, name);
    return { metadata: renderFolder(c, folder, { path }) };
  },

  createfolderifnotexists(c) {
    const { parent, name, path } = creationTarget(c);
    const existing = c.store.findChildFolder(parent.id, name);
    if (existing) return { metadata: renderFolder(c, existing, { path }), created: false };
    const folder = c.store.addFolder(parent.owner, parent.id, name);
    return { metadata: renderFolder(c, folder, { path }), created: true };
  },

  listfolder(c) {
    const { folder, byPath } = c.targetFolder(1002);
    const p = c.params;
    const o: ListOptions = {
      recursive: p.flag('recursive'),
      nofiles: p.flag('nofiles'),
      showdeleted: p.flag('showdeleted'),
      basePath: byPath === undefined ? undefined : c.pathOf(folder),
    };
    return { metadata: renderFolder(c, folder, { path: o.basePath, contents: listContents(c, folder, o) }) };
  },

  renamefolder(c) {
    const { folder, byPath } = c.targetFolder(1002);
    if (folder.parent === null) throw new ApiError(2042);
    // a share the caller accepted: only its place and name in the caller's tree change
    const mount = renameMount(c, folder, byPath);
    if (mount) return mount;
    const dest = destination(c, { parentId: folder.parent, name: folder.name }, { missingParent: 2005, missingFolder: 2005 });
    if (!dest) throw new ApiError(1037);
    const name = checkName(dest.name);
    if (c.store.isWithin(dest.folder.id, folder.id)) throw new ApiError(2043);
    const clash = c.store.findChildFolder(dest.folder.id, name);
    if (clash && clash.id !== folder.id) throw new ApiError(2004);
    if (dest.folder.id !== folder.parent || name !== folder.name) c.store.move(folder, dest.folder.id, name);
    // named by path (source or topath): the answer says where the folder is now
    const path = byPath !== undefined || c.params.has('topath') ? c.pathOf(folder) : undefined;
    return { metadata: renderFolder(c, folder, { path }) };
  },

  deletefolder(c) {
    const { folder, byPath } = c.targetFolder(1002);
    if (folder.parent === null) throw new ApiError(2007);
    const path = byPath === undefined ? undefined : c.pathOf(folder);
    // a share's recipient deleting its folder leaves the share, whatever it holds (rendered as they saw it)
    const seen = renderFolder(c, folder, { path });
    if (leaveMount(c, folder)) return { metadata: seen };
    if (c.store.subfolders(folder.id).length > 0 || c.store.subfiles(folder.id).length > 0) throw new ApiError(2006);
    c.store.markDeleted(folder);
    return { metadata: renderFolder(c, folder, { path }) };
  },

  deletefolderrecursive(c) {
    const { folder } = c.targetFolder(1002);
    if (folder.parent === null) throw new ApiError(2007);
    // a share's recipient leaves it: nothing of the owner's is deleted
    if (leaveMount(c, folder)) return { deletedfiles: 0, deletedfolders: 0 };
    const counts = { files: 0, folders: 0 };
    // the whole tree goes in one transaction
    c.store.batch(() => countAndDelete(c, folder, counts));
    return { deletedfiles: counts.files, deletedfolders: counts.folders };
  },

  copyfolder(c) {
    const { folder: src } = c.targetFolder(1002);
    const p = c.params;
    let dest: FolderRec;
    const tofolderid = p.int('tofolderid');
    const topath = p.str('topath');
    if (tofolderid !== undefined) dest = c.folderById(tofolderid, 2208);
    else if (topath !== undefined) {
      try {
        dest = c.folderByPath(topath.length > 1 ? topath.replace(/\/+$/, '') : topath);
      } catch (e) {
        if (e instanceof ApiError && (e.code === 2005 || e.code === 2002)) throw new ApiError(2208);
        throw e;
      }
    } else throw new ApiError(1016);
    if (dest.id === src.id) throw new ApiError(2206);
    if (c.store.isWithin(dest.id, src.id)) throw new ApiError(2207);
    const mode = { noover: p.flag('noover'), skipexisting: p.flag('skipexisting') };
    let result: FolderRec = dest;
    // one transaction: a copy that fails half-way (noover) leaves nothing behind
    c.store.batch(() => {
      if (!p.flag('copycontentonly') && src.parent !== null) {
        const existing = c.store.findChildFolder(dest.id, src.name);
        if (existing && mode.noover) throw new ApiError(2004);
        result = existing ?? c.store.addFolder(dest.owner, dest.id, src.name);
      }
      copyInto(c, src, result, mode);
    });
    const body: Body = { metadata: renderFolder(c, result) };
    return body;
  },
};
