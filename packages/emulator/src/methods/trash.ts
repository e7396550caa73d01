import type { CallContext, MethodGroup } from '../context.js';
import { ApiError } from '../errors.js';
import type { Body, Value } from '../json.js';
import { renderFile, renderFolder, renderNode } from '../render.js';
import type { FileRec, FolderRec, NodeRec, UserRec } from '../store.js';
import { quotaRoom } from './file.js';

// The Trash is not a folder of its own: it is every deleted node of the user.
// Its root holds the deleted nodes whose parent is not deleted (or is gone);
// a deleted folder holds its deleted children, as it did before the delete.

/** A deleted folder of the current user, or 2005. */
function trashFolder(c: CallContext, id: number): FolderRec {
  const user = c.requireUser();
  const f = c.store.folders.get(id);
  if (!f || f.owner !== user.userid || !f.deleted || f.parent === null) throw new ApiError(2005);
  return f;
}

/** A deleted file of the current user, or 2009. */
function trashFile(c: CallContext, id: number): FileRec {
  const user = c.requireUser();
  const f = c.store.files.get(id);
  if (!f || f.owner !== user.userid || !f.deleted) throw new ApiError(2009);
  return f;
}

/** The Trash item named by `fileid` or `folderid`; undefined for `folderid=0` (the whole Trash); 1053 when neither. */
function trashTarget(c: CallContext): NodeRec | undefined {
  const fileid = c.params.int('fileid');
  if (fileid !== undefined) return trashFile(c, fileid);
  const folderid = c.params.int('folderid');
  if (folderid === undefined) throw new ApiError(1053);
  return folderid === 0 ? undefined : trashFolder(c, folderid);
}

/** Where a node sits inside the Trash: its deleted parent folder, else the Trash root (0). */
function trashPosition(c: CallContext, n: NodeRec): number {
  const parent = n.parent === null ? undefined : c.store.folders.get(n.parent);
  return parent?.deleted ? parent.id : 0;
}

/** The deleted nodes at the Trash root, folders first, each kind by name. */
function trashRoot(c: CallContext, user: UserRec): { folders: FolderRec[]; files: FileRec[] } {
  const top = <T extends NodeRec>(n: T) => n.owner === user.userid && n.deleted === true && n.parent !== null && trashPosition(c, n) === 0;
  return {
    folders: [...c.store.folders.values()].filter(top).sort(byName),
    files: [...c.store.files.values()].filter(top).sort(byName),
  };
}

const byName = (a: NodeRec, b: NodeRec) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id);

function listTrash(
  c: CallContext,
  items: { folders: FolderRec[]; files: FileRec[] },
  o: { recursive: boolean; nofiles: boolean },
): Value[] {
  const top: Value[] = [];
  // its own stack, not recursion: a deleted tree can be deeper than the call stack
  const todo: [{ folders: FolderRec[]; files: FileRec[] }, Value[]][] = [[items, top]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [level, out] = next;
    for (const f of level.folders) {
      const contents: Value[] | undefined = o.recursive ? [] : undefined;
      out.push(renderFolder(c, f, { trashParent: trashPosition(c, f), contents }));
      if (contents) todo.push([deletedChildren(c, f), contents]);
    }
    if (!o.nofiles) for (const f of level.files) out.push(renderFile(c, f, { trashParent: trashPosition(c, f) }));
  }
  return top;
}

function deletedChildren(c: CallContext, folder: FolderRec): { folders: FolderRec[]; files: FileRec[] } {
  return {
    folders: c.store
      .subfolders(folder.id, true)
      .filter((f) => f.deleted)
      .sort(byName),
    files: c.store
      .subfiles(folder.id, true)
      .filter((f) => f.deleted)
      .sort(byName),
  };
}

/** The live folder a node goes back to: its old parent, else the nearest live ancestor, else the root. */
function restoreDestination(c: CallContext, n: NodeRec, user: UserRec): FolderRec {
  let id = n.parent;
  while (id !== null) {
    const f = c.store.folders.get(id);
    if (!f) break;
    if (!f.deleted && f.owner === user.userid) return f;
    id = f.parent;
  }
  return c.store.folders.get(user.rootId)!;
}

/** `name`, or `name (2)`, `name (3)`, ... the first one no live node of that kind uses in `folder`. */
function freeName(c: CallContext, folder: FolderRec, n: NodeRec, name: string): string {
  const taken = (candidate: string) =>
    n.kind === 'folder' ? c.store.findChildFolder(folder.id, candidate) : c.store.findChildFile(folder.id, candidate);
  if (!taken(name)) return name;
  const dot = n.kind === 'file' ? name.lastIndexOf('.') : -1;
  const base = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let i = 2; ; i++) {
    const candidate = `${base} (${i})${ext}`;
    if (!taken(candidate)) return candidate;
  }
}

/**
 * Restores a node into `folder`, and for a folder everything deleted inside
 * it, one node at a time: when the quota runs out (2008) the nodes restored
 * so far stay restored.
 */
function restoreInto(c: CallContext, node: NodeRec, into: FolderRec): void {
  // parents before their children, in the order a recursive walk would take, without recursion
  const todo: [NodeRec, FolderRec][] = [[node, into]];
  for (let next = todo.pop(); next; next = todo.pop()) {
    const [n, folder] = next;
    if (n.kind === 'file') {
      // the owner of the folder it comes back into pays (the share's owner inside a share)
      if (n.current.size > quotaRoom(c, folder.owner)) throw new ApiError(2008);
    }
    c.store.restore(n, folder.id, freeName(c, folder, n, n.name));
    if (n.kind === 'folder') {
      const inside = deletedChildren(c, n);
      const children: NodeRec[] = [...inside.folders, ...inside.files];
      for (let i = children.length - 1; i >= 0; i--) todo.push([children[i]!, n]);
    }
  }
}

/** The live folder named by `restoreto`, or 1054. */
function restoreTo(c: CallContext): FolderRec | undefined {
  const id = c.params.int('restoreto');
  if (id === undefined) return undefined;
  try {
    return c.folderById(id);
  } catch (e) {
    if (e instanceof ApiError) throw new ApiError(1054);
    throw e;
  }
}

function renderRestored(c: CallContext, n: NodeRec, withContents: boolean): Body {
  const fresh = n.kind === 'folder' ? c.store.folders.get(n.id)! : c.store.files.get(n.id)!;
  if (fresh.kind === 'file' || !withContents) return renderNode(c, fresh);
  const contents: Value[] = [
    ...c.store
      .subfolders(fresh.id)
      .sort(byName)
      .map((f) => renderFolder(c, f)),
    ...c.store
      .subfiles(fresh.id)
      .sort(byName)
      .map((f) => renderFile(c, f)),
  ];
  return renderFolder(c, fresh, { contents });
}

export const trashMethods: MethodGroup = {
  trash_list(c) {
    const user = c.requireUser();
    const folderid = c.params.int('folderid') ?? 0;
    const o = { recursive: c.params.flag('recursive'), nofiles: c.params.flag('nofiles') };
    if (folderid === 0) {
      const root = c.store.folders.get(user.rootId)!;
      return { metadata: renderFolder(c, root, { contents: listTrash(c, trashRoot(c, user), o) }) };
    }
    const folder = trashFolder(c, folderid);
    const contents = listTrash(c, deletedChildren(c, folder), o);
    return { metadata: renderFolder(c, folder, { trashParent: trashPosition(c, folder), contents }) };
  },

  trash_restorepath(c) {
    const user = c.requireUser();
    const n = trashTarget(c);
    if (!n) throw new ApiError(2005);
    const dest = restoreDestination(c, n, user);
    const name = freeName(c, dest, n, n.name);
    const restored = { ...n, parent: dest.id, name, deleted: false } as NodeRec;
    return { metadata: renderNode(c, restored), destination: renderFolder(c, dest) };
  },

  trash_restore(c): Body {
    const user = c.requireUser();
    const n = trashTarget(c);
    const to = restoreTo(c);
    if (n) {
      restoreInto(c, n, to ?? restoreDestination(c, n, user));
      return { metadata: renderRestored(c, n, c.params.flag('metadata')) };
    }
    // folderid=0: the whole Trash, item by item
    const items = trashRoot(c, user);
    const all: NodeRec[] = [...items.folders, ...items.files];
    const restored: Body[] = [];
    for (const item of all) {
      restoreInto(c, item, to ?? restoreDestination(c, item, user));
      if (!to) restored.push(renderRestored(c, item, false));
    }
    if (to) return { metadata: renderFolder(c, c.store.folders.get(to.id)!) };
    return { metadata: renderFolder(c, c.store.folders.get(user.rootId)!), restored };
  },

  trash_clear(c) {
    const user = c.requireUser();
    const n = trashTarget(c);
    if (n) c.store.purgeDeleted([n]);
    else {
      const items = trashRoot(c, user);
      c.store.purgeDeleted([...items.folders, ...items.files]);
    }
    return {};
  },
};
