import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { BlobStore, type BlobInfo } from './blobs.js';
import { nowSeconds } from './time.js';

export interface UserRec {
  userid: number;
  email: string;
  /** Kept in clear text: the digest login needs it. This is an emulator. */
  password: string;
  rootId: number;
  language: string;
  registered: number;
  quota: number;
  premium: boolean;
  emailverified: boolean;
}

export interface FolderRec {
  kind: 'folder';
  id: number;
  owner: number;
  /** Internal id of the parent folder; null for a root. */
  parent: number | null;
  name: string;
  created: number;
  modified: number;
  deleted?: boolean;
}

/** One stored content version of a file. */
export interface Version {
  revisionid: number;
  blob: string;
  size: number;
  /** Decimal text of the unsigned 64-bit content hash. */
  hash: string;
  created: number;
}

export interface FileRec {
  kind: 'file';
  id: number;
  owner: number;
  parent: number;
  name: string;
  created: number;
  modified: number;
  contenttype: string;
  current: Version;
  /** Older versions, oldest first. */
  revisions: Version[];
  deleted?: boolean;
  deletedfileid?: number;
}

export type NodeRec = FolderRec | FileRec;

export interface TokenRec {
  token: string;
  tokenid: number;
  userid: number;
  kind: 'auth' | 'oauth';
  created: number;
  expires: number;
  lastUsed: number;
  device: string;
  clientId?: string;
}

export interface AppRec {
  client_id: string;
  client_secret: string;
  name: string;
  redirectUris: string[];
}

export interface PubLinkRec {
  linkid: number;
  code: string;
  userid: number;
  kind: 'file' | 'folder';
  targetId: number;
  created: number;
  expires?: number;
  maxdownloads?: number;
  downloads: number;
  traffic: number;
}

export interface EventRec {
  diffid: number;
  userid: number;
  event: string;
  time: number;
  node?: NodeRec;
}

interface Snapshot {
  format: 1;
  counters: Counters;
  users: UserRec[];
  folders: FolderRec[];
  files: FileRec[];
  tokens: TokenRec[];
  apps: AppRec[];
  events: EventRec[];
  blobs: BlobInfo[];
  publinks?: PubLinkRec[];
}

interface Counters {
  userid: number;
  folderid: number;
  fileid: number;
  revisionid: number;
  diffid: number;
  tokenid: number;
  linkid?: number;
}

const AUTH_TOKEN_LIFETIME = 365 * 24 * 3600;
const OAUTH_TOKEN_LIFETIME = 10 * 365 * 24 * 3600;
export const AUTH_TOKEN_INACTIVE = 30 * 24 * 3600;

/**
 * The emulator's whole state: accounts, trees, tokens, apps and the event log.
 * Everything lives in maps; with a data directory a JSON snapshot is written
 * atomically (temp file + rename) shortly after each change and on stop.
 */
export class Store {
  readonly blobs: BlobStore;
  private counters: Counters = { userid: 0, folderid: 0, fileid: 0, revisionid: 0, diffid: 0, tokenid: 0 };
  readonly users = new Map<number, UserRec>();
  readonly usersByEmail = new Map<string, UserRec>();
  readonly folders = new Map<number, FolderRec>();
  readonly files = new Map<number, FileRec>();
  readonly tokens = new Map<string, TokenRec>();
  readonly apps = new Map<string, AppRec>();
  readonly events: EventRec[] = [];
  readonly publinks = new Map<number, PubLinkRec>();
  private readonly childFolders = new Map<number, Set<number>>();
  private readonly childFiles = new Map<number, Set<number>>();
  private readonly listeners = new Set<(e: EventRec) => void>();
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    readonly root: string,
    readonly persist: boolean,
  ) {
    this.blobs = new BlobStore(root);
  }

  private get snapshotPath(): string {
    return join(this.root, 'state.json');
  }

  async load(): Promise<void> {
    await this.blobs.init();
    if (!this.persist) return;
    let text: string;
    try {
      text = await fsp.readFile(this.snapshotPath, 'utf8');
    } catch {
      return;
    }
    const snap = JSON.parse(text) as Snapshot;
    this.counters = snap.counters;
    for (const u of snap.users) this.addUserRec(u);
    for (const f of snap.folders) this.folders.set(f.id, f);
    for (const f of snap.files) this.files.set(f.id, f);
    for (const f of snap.folders) if (f.parent !== null) this.link(f);
    for (const f of snap.files) this.link(f);
    for (const t of snap.tokens) this.tokens.set(t.token, t);
    for (const a of snap.apps) this.apps.set(a.client_id, a);
    this.events.push(...snap.events);
    for (const b of snap.blobs) this.blobs.remember(b);
    for (const l of snap.publinks ?? []) this.publinks.set(l.linkid, l);
  }

  /** Marks the state changed; a snapshot follows shortly (persisted mode). */
  touch(): void {
    if (!this.persist) return;
    this.dirty = true;
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush();
    }, 25);
  }

  /** Writes the snapshot now if anything changed. */
  flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    this.saving = this.saving.then(async () => {
      if (!this.persist || !this.dirty) return;
      this.dirty = false;
      const snap: Snapshot = {
        format: 1,
        counters: this.counters,
        users: [...this.users.values()],
        folders: [...this.folders.values()],
        files: [...this.files.values()],
        tokens: [...this.tokens.values()],
        apps: [...this.apps.values()],
        events: this.events,
        blobs: this.blobs.all(),
        publinks: [...this.publinks.values()],
      };
      const tmp = `${this.snapshotPath}.${process.pid}.tmp`;
      const fh = await fsp.open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify(snap));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, this.snapshotPath);
    });
    return this.saving;
  }

  next(kind: keyof Counters): number {
    this.counters[kind] = (this.counters[kind] ?? 0) + 1;
    return this.counters[kind]!;
  }

  get lastDiffId(): number {
    return this.counters.diffid;
  }

  // ---- users ---------------------------------------------------------------

  private addUserRec(u: UserRec): void {
    this.users.set(u.userid, u);
    this.usersByEmail.set(u.email.toLowerCase(), u);
  }

  createUser(email: string, password: string, opts: { quota?: number; premium?: boolean } = {}): UserRec {
    const userid = this.next('userid');
    const now = nowSeconds();
    const root: FolderRec = { kind: 'folder', id: this.next('folderid'), owner: userid, parent: null, name: '/', created: now, modified: now };
    this.folders.set(root.id, root);
    const user: UserRec = {
      userid,
      email,
      password,
      rootId: root.id,
      language: 'en',
      registered: now,
      quota: opts.quota ?? 10 * 1024 ** 3,
      premium: opts.premium ?? false,
      emailverified: true,
    };
    this.addUserRec(user);
    this.emit(userid, 'modifyuserinfo');
    this.touch();
    return user;
  }

  userByEmail(email: string): UserRec | undefined {
    return this.usersByEmail.get(email.toLowerCase());
  }

  usedQuota(userid: number): number {
    let n = 0;
    for (const f of this.files.values()) if (f.owner === userid && !f.deleted) n += f.current.size;
    return n;
  }

  // ---- tokens / apps -------------------------------------------------------

  createToken(userid: number, kind: 'auth' | 'oauth', device: string, clientId?: string): TokenRec {
    const now = nowSeconds();
    const rec: TokenRec = {
      token: randomBytes(kind === 'auth' ? 24 : 30).toString('base64url'),
      tokenid: this.next('tokenid'),
      userid,
      kind,
      created: now,
      expires: now + (kind === 'auth' ? AUTH_TOKEN_LIFETIME : OAUTH_TOKEN_LIFETIME),
      lastUsed: now,
      device: device.slice(0, 200),
    };
    if (clientId !== undefined) rec.clientId = clientId;
    this.tokens.set(rec.token, rec);
    this.touch();
    return rec;
  }

  /** Looks a token up, dropping it when it has expired. */
  useToken(token: string): TokenRec | undefined {
    const rec = this.tokens.get(token);
    if (!rec) return undefined;
    const now = nowSeconds();
    if (now >= rec.expires || (rec.kind === 'auth' && now >= rec.lastUsed + AUTH_TOKEN_INACTIVE)) {
      this.tokens.delete(token);
      this.touch();
      return undefined;
    }
    if (now !== rec.lastUsed) {
      rec.lastUsed = now;
      this.touch();
    }
    return rec;
  }

  deleteToken(token: string): void {
    this.tokens.delete(token);
    this.touch();
  }

  createApp(app: AppRec): AppRec {
    this.apps.set(app.client_id, app);
    this.touch();
    return app;
  }

  // ---- tree ----------------------------------------------------------------

  private link(n: NodeRec): void {
    if (n.parent === null) return;
    const map = n.kind === 'folder' ? this.childFolders : this.childFiles;
    let set = map.get(n.parent);
    if (!set) map.set(n.parent, (set = new Set()));
    set.add(n.id);
  }

  private unlink(n: NodeRec): void {
    if (n.parent === null) return;
    (n.kind === 'folder' ? this.childFolders : this.childFiles).get(n.parent)?.delete(n.id);
  }

  /** Child folders of a folder (deleted ones only when asked). */
  subfolders(folderId: number, withDeleted = false): FolderRec[] {
    const ids = this.childFolders.get(folderId);
    if (!ids) return [];
    const out: FolderRec[] = [];
    for (const id of ids) {
      const f = this.folders.get(id);
      if (f && (withDeleted || !f.deleted)) out.push(f);
    }
    return out;
  }

  subfiles(folderId: number, withDeleted = false): FileRec[] {
    const ids = this.childFiles.get(folderId);
    if (!ids) return [];
    const out: FileRec[] = [];
    for (const id of ids) {
      const f = this.files.get(id);
      if (f && (withDeleted || !f.deleted)) out.push(f);
    }
    return out;
  }

  findChildFolder(folderId: number, name: string): FolderRec | undefined {
    return this.subfolders(folderId).find((f) => f.name === name);
  }

  findChildFile(folderId: number, name: string): FileRec | undefined {
    return this.subfiles(folderId).find((f) => f.name === name);
  }

  addFolder(owner: number, parent: number, name: string, times?: { created?: number; modified?: number }): FolderRec {
    const now = nowSeconds();
    const rec: FolderRec = { kind: 'folder', id: this.next('folderid'), owner, parent, name, created: times?.created ?? now, modified: times?.modified ?? now };
    this.folders.set(rec.id, rec);
    this.link(rec);
    this.bumpFolder(parent, now);
    this.emit(owner, 'createfolder', rec);
    return rec;
  }

  newVersion(info: BlobInfo, hash: string, created = nowSeconds()): Version {
    this.blobs.remember(info);
    return { revisionid: this.next('revisionid'), blob: info.sha256, size: info.size, hash, created };
  }

  addFile(owner: number, parent: number, name: string, version: Version, contenttype: string, times?: { created?: number; modified?: number }): FileRec {
    const now = nowSeconds();
    const rec: FileRec = {
      kind: 'file',
      id: this.next('fileid'),
      owner,
      parent,
      name,
      created: times?.created ?? now,
      modified: times?.modified ?? now,
      contenttype,
      current: version,
      revisions: [],
    };
    this.files.set(rec.id, rec);
    this.link(rec);
    this.bumpFolder(parent, now);
    this.emit(owner, 'createfile', rec);
    return rec;
  }

  /** Replaces a file's content, keeping the old content as a revision. */
  replaceContent(file: FileRec, version: Version, times?: { created?: number; modified?: number }): void {
    if (file.current.blob !== version.blob) {
      file.revisions.push(file.current);
      file.current = version;
    }
    file.modified = times?.modified ?? nowSeconds();
    if (times?.created !== undefined) file.created = times.created;
    this.emit(file.owner, 'modifyfile', file);
  }

  /** Moves/renames a node. */
  move(n: NodeRec, parent: number, name: string): void {
    const now = nowSeconds();
    const oldParent = n.parent;
    this.unlink(n);
    n.parent = parent;
    n.name = name;
    this.link(n);
    if (oldParent !== null && oldParent !== parent) this.bumpFolder(oldParent, now);
    this.bumpFolder(parent, now);
    this.emit(n.owner, n.kind === 'folder' ? 'modifyfolder' : 'modifyfile', n);
  }

  markDeleted(n: NodeRec): void {
    n.deleted = true;
    if (n.parent !== null) this.bumpFolder(n.parent, nowSeconds());
    this.emit(n.owner, n.kind === 'folder' ? 'deletefolder' : 'deletefile', n);
  }

  private bumpFolder(id: number, time: number): void {
    const f = this.folders.get(id);
    if (f && f.modified < time) f.modified = time;
    this.touch();
  }

  /** Is `folderId` equal to `ancestorId` or inside it? */
  isWithin(folderId: number, ancestorId: number): boolean {
    let cur: number | null = folderId;
    while (cur !== null) {
      if (cur === ancestorId) return true;
      cur = this.folders.get(cur)?.parent ?? null;
    }
    return false;
  }

  /** Absolute path of a node ("/" for a root). */
  pathOf(n: NodeRec): string {
    const parts: string[] = [];
    let cur: NodeRec | undefined = n;
    while (cur && cur.parent !== null) {
      parts.unshift(cur.name);
      cur = this.folders.get(cur.parent);
    }
    return '/' + parts.join('/');
  }

  // ---- events --------------------------------------------------------------

  emit(userid: number, event: string, node?: NodeRec): EventRec {
    const rec: EventRec = { diffid: this.next('diffid'), userid, event, time: nowSeconds() };
    if (node) {
      const copy = structuredClone(node);
      if (copy.kind === 'file') copy.revisions = [];
      rec.node = copy;
    }
    this.events.push(rec);
    this.touch();
    for (const l of this.listeners) l(rec);
    return rec;
  }

  onEvent(fn: (e: EventRec) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
