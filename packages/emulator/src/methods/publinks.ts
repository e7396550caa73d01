import { Readable } from 'node:stream';
import type { CallContext, MethodGroup } from '../context.js';
import { DataReply } from '../context.js';
import type { ZipSource } from '../archive.js';
import { ApiError } from '../errors.js';
import type { Body, Value } from '../json.js';
import type { ContentLink } from '../link-registry.js';
import { renderFile, renderFolder } from '../render.js';
import type { CollectionRec, FileRec, FolderRec, PubLinkRec, PubTree, Store, UserRec } from '../store.js';
import { nowSeconds } from '../time.js';
import { savezip, treeEntries, type TreeScope, zipLink, zipReply } from './archiving.js';
import { storeFile } from './file.js';
import { checkName, destination } from './shared.js';
import { audioLink, makeLink, textFile, videoLinks } from './streaming.js';
import { request as thumbRequestOf, saveThumb, thumbLink, thumbOf, thumbsLinks } from './thumbnails.js';

/**
 * The publinks group: links to a file, a folder, a chosen tree or a
 * collection that anyone with the code may read without logging in, with
 * expiry, download and traffic caps, passwords and short codes. Downloads,
 * thumbnails, zips, audio/video links and text files go through the same
 * code as the private methods; content links handed out through a link ask
 * it before every request (a deleted link stops serving at once) and count
 * what they send toward its downloads and traffic.
 */

/** Path of the emulator's public-link page on the API server (pCloud: `#page=publink&code=`). */
export const PUBLINK_PAGE = '/publink';

/**
 * pCloud documents no code for a password-protected link opened without (or
 * with a wrong) `linkpassword`; the emulator answers 7009, the code pCloud
 * uses for a password-protected archive (see the conformance deviations).
 */
export const PASSWORD_NEEDED = 7009;

/** The web address of a link's page (the emulator's own host, never pCloud's). */
export function linkUrl(apiUrl: string, code: string): string {
  return `${apiUrl}${PUBLINK_PAGE}?code=${encodeURIComponent(code)}`;
}

/** `shortcode` and `shortlink` of a link that has a short code. */
function shortFields(c: CallContext, link: PubLinkRec): Body {
  return link.shortcode === undefined ? {} : { shortcode: link.shortcode, shortlink: linkUrl(c.core.server.apiUrl, link.shortcode) };
}

/** A positive cap, or undefined (0 or less means none). */
const cap = (v: number | undefined) => (v !== undefined && v > 0 ? v : undefined);

function create(c: CallContext, user: UserRec, kind: PubLinkRec['kind'], targetId: number, tree?: PubTree): Body {
  if (!user.emailverified) throw new ApiError(2014);
  const expire = c.params.datetime('expire');
  const maxdownloads = cap(c.params.int('maxdownloads'));
  const maxtraffic = cap(c.params.int('maxtraffic'));
  const password = c.params.str('linkpassword');
  const rec = c.store.createPublink(user.userid, kind, targetId, {
    ...(expire !== undefined ? { expires: expire } : {}),
    ...(maxdownloads !== undefined ? { maxdownloads } : {}),
    ...(maxtraffic !== undefined ? { maxtraffic } : {}),
    ...(password ? { password } : {}),
    ...(tree ? { tree } : {}),
    shortlink: c.params.flag('shortlink'),
  });
  return { linkid: rec.linkid, code: rec.code, link: linkUrl(c.core.server.apiUrl, rec.code), ...shortFields(c, rec) };
}

// ---------------------------------------------------------------------------
// What a link holds (store level, so that the link page can use it too)

/** A link that may be served, with its owner. */
export interface OpenLink {
  link: PubLinkRec;
  owner: UserRec;
}

/** Internal id of a public folder id of `owner` (0 is the root). */
const internalFolder = (owner: UserRec, id: number) => (id === 0 ? owner.rootId : id);

function liveCollection(store: Store, link: PubLinkRec): { coll: CollectionRec; files: FileRec[] } | undefined {
  const coll = store.collection(link.targetId);
  if (!coll || coll.userid !== link.userid) return undefined;
  const files = store
    .collectionItems(coll.id)
    .map((i) => store.files.get(i.fileid))
    .filter((f): f is FileRec => !!f && !f.deleted && f.owner === link.userid);
  return { coll, files };
}

/** Is a live folder of the owner inside the link (an entry of it or below one)? */
export function folderInLink(store: Store, open: OpenLink, folder: FolderRec): boolean {
  const { link, owner } = open;
  if (folder.deleted || folder.owner !== link.userid) return false;
  if (link.kind === 'folder') return store.isWithin(folder.id, link.targetId);
  if (link.kind !== 'tree' || !link.tree) return false;
  const t = link.tree;
  const excluded = new Set(t.excludefolderids.map((id) => internalFolder(owner, id)));
  const roots = new Set(t.folderids.map((id) => internalFolder(owner, id)));
  const spilled = t.folderid === undefined ? undefined : internalFolder(owner, t.folderid);
  for (let cur: number | null = folder.id; cur !== null; cur = store.folders.get(cur)?.parent ?? null) {
    if (excluded.has(cur)) return false;
    if (roots.has(cur)) return true;
    // the contents of `folderid` are entries, not the folder itself
    if (cur === spilled) return cur !== folder.id;
  }
  return false;
}

/** Is a live file of the owner in the link? */
export function fileInLink(store: Store, open: OpenLink, file: FileRec): boolean {
  const { link } = open;
  if (file.deleted || file.owner !== link.userid) return false;
  switch (link.kind) {
    case 'file':
      return file.id === link.targetId;
    case 'folder':
      return store.isWithin(file.parent, link.targetId);
    case 'collection':
      return liveCollection(store, link)?.files.some((f) => f.id === file.id) ?? false;
    case 'tree': {
      const t = link.tree!;
      if (t.excludefileids.includes(file.id)) return false;
      if (t.fileids.includes(file.id)) return true;
      const parent = store.folders.get(file.parent);
      if (!parent) return false;
      const spilled = t.folderid === undefined ? undefined : internalFolder(open.owner, t.folderid);
      return parent.id === spilled ? !t.excludefolderids.includes(t.folderid!) : folderInLink(store, open, parent);
    }
  }
}

/** Does the link still stand for something (its file, folder or collection is there)? */
function targetAlive(store: Store, link: PubLinkRec): boolean {
  if (link.kind === 'file') {
    const f = store.files.get(link.targetId);
    return !!f && !f.deleted && f.owner === link.userid;
  }
  if (link.kind === 'folder') {
    const f = store.folders.get(link.targetId);
    return !!f && !f.deleted && f.owner === link.userid;
  }
  if (link.kind === 'collection') return liveCollection(store, link) !== undefined;
  return true;
}

/**
 * The link behind a code (long or short) as a visitor may use it, or the
 * code pCloud answers: 7001 unknown, 7002 deleted (or what it pointed to is
 * gone), 7004 expired, the password code, and with `limits` 7005 traffic
 * and 7006 downloads used up.
 */
export function openLink(store: Store, code: string, password: string | undefined, limits = true): OpenLink | number {
  const link = store.publinkByCode(code);
  const owner = link && store.users.get(link.userid);
  if (!link || !owner) return 7001;
  if (link.deleted || !targetAlive(store, link)) return 7002;
  if (link.expires !== undefined && nowSeconds() > link.expires) return 7004;
  if (link.password !== undefined && password !== link.password) return PASSWORD_NEEDED;
  if (limits && link.maxtraffic !== undefined && link.traffic >= link.maxtraffic) return 7005;
  if (limits && link.maxdownloads !== undefined && link.downloads >= link.maxdownloads) return 7006;
  return { link, owner };
}

/**
 * What a content link handed out through `link` asks it: still served while
 * the link is not deleted or expired and the file is still in it; counts
 * each request's bytes (and a download when it starts one) when `count`.
 */
export function gate(store: Store, open: OpenLink, fileid: number | undefined, count = true): NonNullable<ContentLink['publink']> {
  const linkid = open.link.linkid;
  return {
    live: () => {
      const l = store.publinks.get(linkid);
      if (!l || l.deleted || !targetAlive(store, l) || (l.expires !== undefined && nowSeconds() > l.expires)) return false;
      if (fileid === undefined) return true;
      const f = store.files.get(fileid);
      return !!f && fileInLink(store, { link: l, owner: open.owner }, f);
    },
    served: (bytes, starts) => {
      const l = store.publinks.get(linkid);
      if (l && count) store.countPublinkDownload(l, bytes, starts ? 1 : 0);
    },
  };
}

/** The file a link holds by its own id (file links may leave `fileid` out), or undefined. */
export function linkedFile(store: Store, open: OpenLink, fileid: number | undefined): FileRec | undefined {
  const id = fileid ?? (open.link.kind === 'file' ? open.link.targetId : undefined);
  const f = id === undefined ? undefined : store.files.get(id);
  return f && fileInLink(store, open, f) ? f : undefined;
}

/** The entries of a link's top level: folders and files. */
export function linkTop(store: Store, open: OpenLink): { folders: FolderRec[]; files: FileRec[] } {
  const { link, owner } = open;
  const visibleFolders = (list: FolderRec[]) => list.filter((f) => folderInLink(store, open, f));
  switch (link.kind) {
    case 'file':
      return { folders: [], files: [store.files.get(link.targetId)!] };
    case 'folder': {
      const f = store.folders.get(link.targetId)!;
      return { folders: store.subfolders(f.id), files: store.subfiles(f.id) };
    }
    case 'collection':
      return { folders: [], files: liveCollection(store, link)?.files ?? [] };
    case 'tree': {
      const t = link.tree!;
      const folders: FolderRec[] = [];
      const files: FileRec[] = [];
      if (t.folderid !== undefined && !t.excludefolderids.includes(t.folderid)) {
        const spilled = internalFolder(owner, t.folderid);
        folders.push(...visibleFolders(store.subfolders(spilled)));
        files.push(...store.subfiles(spilled).filter((f) => fileInLink(store, open, f)));
      }
      for (const id of t.folderids) {
        const f = store.folders.get(internalFolder(owner, id));
        if (f && folderInLink(store, open, f)) folders.push(f);
      }
      for (const id of t.fileids) {
        const f = store.files.get(id);
        if (f && fileInLink(store, open, f)) files.push(f);
      }
      return { folders, files };
    }
  }
}

/** Children of a folder inside the link. */
export function linkChildren(store: Store, open: OpenLink, folder: FolderRec): { folders: FolderRec[]; files: FileRec[] } {
  return {
    folders: store.subfolders(folder.id).filter((f) => folderInLink(store, open, f)),
    files: store.subfiles(folder.id).filter((f) => fileInLink(store, open, f)),
  };
}

/** The name a link shows for what it holds. */
export function linkName(store: Store, open: OpenLink): string {
  const { link } = open;
  if (link.kind === 'file') return store.files.get(link.targetId)?.name ?? '';
  if (link.kind === 'folder') return store.folders.get(link.targetId)?.name ?? '';
  if (link.kind === 'collection') return liveCollection(store, link)?.coll.name ?? '';
  return link.tree?.name ?? '';
}

// ---------------------------------------------------------------------------
// Calls

/** The call's link (`code`, `linkpassword`), or the code pCloud answers. */
function byCode(c: CallContext, limits = true, missing = 1028): OpenLink {
  const code = c.params.needStr('code', missing);
  const open = openLink(c.store, code, c.params.str('linkpassword'), limits);
  if (typeof open === 'number') throw new ApiError(open, open === PASSWORD_NEEDED ? { emulator: 'this link needs its linkpassword' } : {});
  return open;
}

/** The file of the call (`fileid`, needed unless the link is a file link): 1029 missing, 2009 not in the link. */
function callFile(c: CallContext, open: OpenLink): FileRec {
  const fileid = c.params.int('fileid');
  if (fileid === undefined && open.link.kind !== 'file') throw new ApiError(1029);
  const file = linkedFile(c.store, open, fileid);
  if (!file) throw new ApiError(2009);
  return file;
}

/** Runs `fn` as the link's owner (metadata is rendered as its owner sees it), then back as the caller. */
async function asOwner<T>(c: CallContext, open: OpenLink, fn: () => T | Promise<T>): Promise<T> {
  const saved = c.user;
  c.user = open.owner;
  try {
    return await fn();
  } finally {
    c.user = saved;
  }
}

/** The link's whole content as a metadata tree (folders with `contents`). */
function linkMetadata(c: CallContext, open: OpenLink, withContents: boolean): Body {
  const store = c.store;
  // a tree can be deeper than the call stack: each folder's contents are filled from a stack of its own
  const walk = (folder: FolderRec): Body => {
    if (!withContents) return renderFolder(c, folder);
    const top: Value[] = [];
    const body = renderFolder(c, folder, { contents: top });
    const todo: [FolderRec, Value[]][] = [[folder, top]];
    for (let next = todo.pop(); next; next = todo.pop()) {
      const [f, out] = next;
      const kids = linkChildren(store, open, f);
      for (const sub of kids.folders) {
        const contents: Value[] = [];
        out.push(renderFolder(c, sub, { contents }));
        todo.push([sub, contents]);
      }
      for (const x of kids.files) out.push(renderFile(c, x));
    }
    return body;
  };
  const { link } = open;
  if (link.kind === 'file') return renderFile(c, store.files.get(link.targetId)!);
  if (link.kind === 'folder') return walk(store.folders.get(link.targetId)!);
  // tree and collection links: a virtual folder named after the link
  const top = linkTop(store, open);
  const root = store.folders.get(open.owner.rootId)!;
  const contents: Value[] | undefined = withContents ? [...top.folders.map(walk), ...top.files.map((x) => renderFile(c, x))] : undefined;
  const m = renderFolder(c, { ...root, created: link.created, modified: link.modified }, { contents });
  m.name = linkName(store, open);
  return m;
}

/** The Tree scope of a link: ids resolve only to what it holds (1017/1018 otherwise). */
function scopeOf(c: CallContext, open: OpenLink): TreeScope {
  const store = c.store;
  const { link, owner } = open;
  const folder = (id: number): FolderRec => {
    const f = store.folders.get(internalFolder(owner, id));
    const inside = f && (folderInLink(store, open, f) || (link.kind === 'tree' && link.tree?.folderid === id));
    if (!f || !inside) throw new ApiError(1017);
    return f;
  };
  const file = (id: number): FileRec => {
    const f = store.files.get(id);
    if (!f || !fileInLink(store, open, f)) throw new ApiError(1018);
    return f;
  };
  let whole: TreeScope['whole'];
  if (link.kind === 'file') whole = { folderids: [], fileids: [link.targetId] };
  else if (link.kind === 'folder') whole = { folderids: [c.publicFolderId(link.targetId)], fileids: [] };
  else if (link.kind === 'collection') whole = { folderids: [], fileids: linkTop(store, open).files.map((f) => f.id) };
  else {
    const top = linkTop(store, open);
    whole = { folderids: top.folders.map((f) => f.id), fileids: top.files.map((f) => f.id) };
  }
  // below the entries, what a tree link leaves out stays out of archives too
  const t = link.tree;
  return { folder, file, whole, ...(t ? { exclude: { folderids: t.excludefolderids, fileids: t.excludefileids } } : {}) };
}

/** Zip entries of a link (what the call names inside it, or all of it). */
function linkEntries(c: CallContext, open: OpenLink): ZipSource[] {
  return treeEntries(c, scopeOf(c, open));
}

function fileLinkAnswer(c: CallContext, open: OpenLink, kind: 'file'): Body {
  const file = callFile(c, open);
  return makeLink(c, file, file.current, kind, { publink: gate(c.store, open, file.id) });
}

export const publinkMethods: MethodGroup = {
  getfilepublink(c) {
    const user = c.requireUser();
    const { file } = c.targetFile();
    return create(c, user, 'file', file.id);
  },

  getfolderpublink(c) {
    const user = c.requireUser();
    const { folder } = c.targetFolder(1002);
    if (folder.parent === null) throw new ApiError(2015);
    return create(c, user, 'folder', folder.id);
  },

  gettreepublink(c) {
    const user = c.requireUser();
    const name = c.params.needStr('name', 1039);
    const ids = (param: string, code: number): number[] =>
      (c.params.list(param) ?? []).map((x) => {
        if (!/^\d+$/.test(x)) throw new ApiError(code);
        return Number(x);
      });
    const folderid = c.params.int('folderid');
    const tree: PubTree = {
      name,
      ...(folderid !== undefined ? { folderid } : {}),
      folderids: ids('folderids', 1017),
      fileids: ids('fileids', 1018),
      excludefolderids: ids('excludefolderids', 1017),
      excludefileids: ids('excludefileids', 1018),
    };
    // every named folder and file must be the caller's
    for (const id of [...(folderid !== undefined ? [folderid] : []), ...tree.folderids]) {
      const f = id === 0 ? undefined : c.store.folders.get(id);
      if (id !== 0 && (!f || f.deleted || f.owner !== user.userid)) throw new ApiError(1017);
    }
    for (const id of tree.fileids) {
      const f = c.store.files.get(id);
      if (!f || f.deleted || f.owner !== user.userid) throw new ApiError(2009);
    }
    return create(c, user, 'tree', 0, tree);
  },

  getcollectionpublink(c) {
    const user = c.requireUser();
    const id = c.params.needInt('collectionid', 1057);
    const coll = c.store.collection(id);
    if (!coll || coll.userid !== user.userid) throw new ApiError(2065);
    return create(c, user, 'collection', coll.id);
  },

  listpublinks(c) {
    const user = c.requireUser();
    const publinks = [...c.store.publinks.values()]
      .filter((l) => l.userid === user.userid && !l.deleted)
      .map((l) => {
        const out = listed(c, l);
        if (targetAlive(c.store, l)) out.metadata = linkMetadata(c, { link: l, owner: user }, false);
        return out;
      });
    return { publinks };
  },

  listplshort(c) {
    const user = c.requireUser();
    const publinks = [...c.store.publinks.values()]
      .filter((l) => l.userid === user.userid && !l.deleted)
      .map((l) => {
        const out = listed(c, l);
        const folder = l.kind !== 'file';
        const id = folder ? (l.kind === 'folder' ? c.publicFolderId(l.targetId) : 0) : l.targetId;
        Object.assign(out, { isfolder: folder, ...(folder ? { folderid: id } : { fileid: id }), id: `${folder ? 'd' : 'f'}${id}` });
        return out;
      });
    return { publinks };
  },

  deletepublink(c) {
    const user = c.requireUser();
    const id = c.params.needInt('linkid', 1030);
    const link = c.store.publinks.get(id);
    if (!link || link.userid !== user.userid || link.deleted) throw new ApiError(2027);
    c.store.deletePublink(id);
    return {};
  },

  changepublink(c) {
    const user = c.requireUser();
    const id = c.params.needInt('linkid', 1030);
    const p = c.params;
    const expire = p.datetime('expire');
    const maxdownloads = p.int('maxdownloads');
    const maxtraffic = p.int('maxtraffic');
    const password = p.str('linkpassword');
    const link = c.store.publinks.get(id);
    if (!link || link.userid !== user.userid || link.deleted) throw new ApiError(2027);
    const wantShort = p.flag('shortlink');
    const changed = c.store.changePublink(id, {
      ...(p.flag('deleteexpire') ? { expires: null } : expire !== undefined ? { expires: expire } : {}),
      ...(maxdownloads !== undefined ? { maxdownloads: cap(maxdownloads) ?? null } : {}),
      ...(maxtraffic !== undefined ? { maxtraffic: cap(maxtraffic) ?? null } : {}),
      ...(password !== undefined ? { password: password === '' ? null : password } : {}),
      ...(wantShort ? { shortlink: 'add' as const } : p.flag('deleteshortlink') ? { shortlink: 'remove' as const } : {}),
    });
    return wantShort ? shortFields(c, changed) : {};
  },

  showpublink(c) {
    const open = byCode(c);
    return asOwner(c, open, () => ({ metadata: linkMetadata(c, open, true) }));
  },

  getpublinkdownload(c) {
    return fileLinkAnswer(c, byCode(c), 'file');
  },

  copypubfile(c) {
    const user = c.requireUser();
    // nothing is downloaded: links whose caps are used up still allow it
    const open = byCode(c, false);
    const file = callFile(c, open);
    if (c.params.str('topath') === undefined && c.params.int('tofolderid') === undefined) throw new ApiError(1016);
    const dest = destination(c, { parentId: user.rootId, name: file.name }, { missingParent: 2002, missingFolder: 2002 })!;
    const name = checkName(dest.name);
    if (c.params.flag('noover') && c.store.findChildFile(dest.folder.id, name)) throw new ApiError(2004);
    const info = c.store.blobInfo(file.current.blob);
    if (!info) throw new ApiError(5000);
    const copy = storeFile(c, dest.folder, name, info);
    return { metadata: renderFile(c, copy) };
  },

  async getpubthumb(c) {
    const open = byCode(c);
    const req = thumbRequestOf(c);
    const file = callFile(c, open);
    const thumb = await thumbOf(c, file, req, file.current);
    return new DataReply(Readable.from([thumb.data]), thumb.data.length, thumb.contentType, undefined, {
      size: `${thumb.width}x${thumb.height}`,
    });
  },

  async getpubthumblink(c) {
    const open = byCode(c);
    const req = thumbRequestOf(c);
    const file = callFile(c, open);
    return thumbLink(c, file, req, file.current, { publink: gate(c.store, open, file.id, false) });
  },

  async getpubthumbslinks(c) {
    const open = byCode(c);
    return thumbsLinks(c, (fileid, req) => {
      const file = linkedFile(c.store, open, fileid);
      if (!file) throw new ApiError(2009);
      return thumbLink(c, file, req, file.current, { publink: gate(c.store, open, file.id, false) });
    });
  },

  async savepubthumb(c) {
    c.requireUser();
    // savepubthumb's list has no 1028: a missing code is an invalid one
    const open = byCode(c, true, 7001);
    const req = thumbRequestOf(c);
    const file = callFile(c, open);
    return saveThumb(c, file, req, file.current);
  },

  async getpubzip(c) {
    const open = byCode(c);
    const reply = await zipReply(c, linkEntries(c, open));
    c.store.countPublinkDownload(open.link, reply.length);
    return reply;
  },

  async getpubziplink(c) {
    const open = byCode(c);
    return zipLink(c, linkEntries(c, open), open.owner.userid, { publink: gate(c.store, open, undefined) });
  },

  async savepubzip(c) {
    c.requireUser();
    const open = byCode(c);
    return savezip(c, linkEntries(c, open));
  },

  getpubvideolinks(c) {
    const open = byCode(c);
    const file = callFile(c, open);
    return videoLinks(c, file, file.current, { publink: gate(c.store, open, file.id) });
  },

  getpubaudiolink(c) {
    const open = byCode(c);
    const file = callFile(c, open);
    return audioLink(c, file, file.current, { publink: gate(c.store, open, file.id) });
  },

  async getpubtextfile(c) {
    const open = byCode(c);
    const file = callFile(c, open);
    const reply = await textFile(c, file, file.current);
    c.store.countPublinkDownload(open.link, reply.length);
    return reply;
  },
};

/** The fields listpublinks and listplshort share. */
function listed(c: CallContext, l: PubLinkRec): Body {
  const out: Body = {
    linkid: l.linkid,
    code: l.code,
    link: linkUrl(c.core.server.apiUrl, l.code),
    ...shortFields(c, l),
    created: c.time(l.created),
    modified: c.time(l.modified),
    downloads: l.downloads,
    traffic: l.traffic,
  };
  if (l.expires !== undefined) out.expires = c.time(l.expires);
  if (l.maxdownloads !== undefined) out.maxdownloads = l.maxdownloads;
  if (l.maxtraffic !== undefined) out.maxtraffic = l.maxtraffic;
  return out;
}
