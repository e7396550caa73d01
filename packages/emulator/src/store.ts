import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { BlobStore, type BlobInfo } from './blobs.js';
import { openDatabase, type Db } from './storage/database.js';
import { nowSeconds } from './time.js';

// Records are read-only outside the store: every change goes through an intent
// method below, which writes the rows it changes in one transaction.

export interface UserRec {
  readonly userid: number;
  readonly email: string;
  /** Kept in clear text: the digest login needs it. This is an emulator. */
  readonly password: string;
  readonly rootId: number;
  readonly language: string;
  readonly registered: number;
  readonly quota: number;
  readonly premium: boolean;
  readonly emailverified: boolean;
}

export interface FolderRec {
  readonly kind: 'folder';
  readonly id: number;
  readonly owner: number;
  /** Internal id of the parent folder; null for a root. */
  readonly parent: number | null;
  readonly name: string;
  readonly created: number;
  readonly modified: number;
  readonly deleted?: boolean;
}

/** One stored content version of a file. */
export interface Version {
  readonly revisionid: number;
  readonly blob: string;
  readonly size: number;
  /** Decimal text of the unsigned 64-bit content hash. */
  readonly hash: string;
  readonly created: number;
}

export interface FileRec {
  readonly kind: 'file';
  readonly id: number;
  readonly owner: number;
  readonly parent: number;
  readonly name: string;
  readonly created: number;
  readonly modified: number;
  readonly contenttype: string;
  readonly current: Version;
  /** Older versions, oldest first. */
  readonly revisions: readonly Version[];
  readonly deleted?: boolean;
  /** Only set while the answer of a renamefile that replaced another file is rendered; never stored. */
  readonly deletedfileid?: number;
}

export type NodeRec = FolderRec | FileRec;

export interface TokenRec {
  readonly token: string;
  readonly tokenid: number;
  readonly userid: number;
  readonly kind: 'auth' | 'oauth';
  readonly created: number;
  readonly expires: number;
  readonly lastUsed: number;
  readonly device: string;
  readonly clientId?: string;
}

/** A code a mail carried (verification, password reset, e-mail change, deactivation, newsletter). */
export interface MailCodeRec {
  readonly code: string;
  /** What the code is for (`verifyemail`, `resetpassword`, `changemail-old`, ...). */
  readonly kind: string;
  /** The account it belongs to (none for newsletter codes of addresses without one). */
  userid?: number;
  /** The address the mail went to. */
  readonly email: string;
  /** E-mail change: the new address the code confirms. */
  newmail?: string;
  /** Epoch milliseconds. */
  readonly created: number;
  readonly expires: number;
}

export interface AppRec {
  readonly client_id: string;
  readonly client_secret: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
}

/** What a tree link (gettreepublink) holds: the Tree params it was made with (public folder ids, file ids). */
export interface PubTree {
  readonly name: string;
  readonly folderid?: number;
  readonly folderids: readonly number[];
  readonly fileids: readonly number[];
  readonly excludefolderids: readonly number[];
  readonly excludefileids: readonly number[];
}

export interface PubLinkRec {
  readonly linkid: number;
  readonly code: string;
  readonly userid: number;
  /** tree: `targetId` is 0 and `tree` says what it holds; collection: `targetId` is the collection id. */
  readonly kind: 'file' | 'folder' | 'tree' | 'collection';
  readonly targetId: number;
  readonly created: number;
  readonly modified: number;
  readonly expires?: number;
  readonly maxdownloads?: number;
  readonly maxtraffic?: number;
  /** Visitors must give it as `linkpassword`. */
  readonly password?: string;
  readonly tree?: PubTree;
  readonly downloads: number;
  readonly traffic: number;
  /** Short code (`shortlink` was asked for), accepted wherever the code is. */
  readonly shortcode?: string;
  /** Deleted by its owner: the code still resolves, to answer 7002. */
  readonly deleted?: boolean;
}

/** The account as a `modifyuserinfo` event carries it, taken when the event happened. */
export interface UserSnapshot {
  readonly userid: number;
  readonly email: string;
  readonly emailverified: boolean;
  readonly premium: boolean;
  /** Unix seconds; only for premium accounts. */
  readonly premiumexpires?: number;
  readonly language: string;
  readonly quota: number;
  readonly usedquota: number;
}

export interface EventRec {
  diffid: number;
  userid: number;
  event: string;
  time: number;
  node?: NodeRec;
  /** `modifyuserinfo` only; absent in events stored by older emulators. */
  userinfo?: UserSnapshot;
  /** Share events (`requestsharein`, ...): the share as the event carries it (times in Unix seconds). */
  share?: SharePayload;
}

/** The `share` object of a share event, as stored (datetimes in Unix seconds, rendered by the diff method). */
export type SharePayload = Readonly<Record<string, string | number | boolean>>;

/** Share permission bits (pCloud): create 1, modify 2, delete 4; 0 is read only. */
export const PERM_CREATE = 1;
export const PERM_MODIFY = 2;
export const PERM_DELETE = 4;
export const PERM_ALL = PERM_CREATE | PERM_MODIFY | PERM_DELETE;

/** An accepted share: `folderid` of `owner`, mounted in `touserid`'s tree under `mountparent` as `name`. */
export interface ShareRec {
  readonly id: number;
  readonly folderid: number;
  readonly owner: number;
  readonly touserid: number;
  readonly permissions: number;
  /** The name the offer carried. */
  readonly sharename: string;
  /** Internal id of the recipient's folder the share appears in. */
  readonly mountparent: number;
  /** The name it has there. */
  readonly name: string;
  readonly message?: string;
  readonly created: number;
}

/** An offer waiting for its recipient's answer. */
export interface ShareRequestRec {
  readonly id: number;
  /** The code the offer mail carries. */
  readonly code: string;
  readonly folderid: number;
  readonly owner: number;
  readonly tomail: string;
  readonly permissions: number;
  readonly name: string;
  readonly message?: string;
  readonly created: number;
  readonly expires: number;
}

/** What a user may do in a folder: all in their own tree, a share's bits inside an accepted share. */
export interface Access {
  /** The owner of the folder (whose tree and quota it is). */
  readonly owner: number;
  readonly perms: number;
  /** Set when the access comes through a share. */
  readonly share?: ShareRec;
}

/** A change a store intent is about to make, for the write guard. */
export type WriteOp =
  | { readonly op: 'create'; readonly parent: number }
  | { readonly op: 'modify'; readonly node: NodeRec }
  | { readonly op: 'move'; readonly node: NodeRec; readonly to: number }
  | { readonly op: 'delete'; readonly node: NodeRec };

/** Length of the emulated paid period. */
const PREMIUM_PERIOD = 365 * 24 * 3600;

/**
 * End of a premium account's paid period (pCloud's `premiumexpires`): the
 * emulated plan renews yearly from registration, so this is the first
 * anniversary after `now`. Undefined for free accounts.
 */
export function premiumExpires(u: UserRec, now = nowSeconds()): number | undefined {
  if (!u.premium) return undefined;
  const periods = Math.max(1, Math.floor((now - u.registered) / PREMIUM_PERIOD) + 1);
  return u.registered + periods * PREMIUM_PERIOD;
}

type Mut<T> = { -readonly [K in keyof T]: T[K] };
type MFile = Mut<FileRec> & { revisions: Version[] };

type CounterName = 'userid' | 'folderid' | 'fileid' | 'revisionid' | 'diffid' | 'tokenid' | 'linkid';
const COUNTERS: CounterName[] = ['userid', 'folderid', 'fileid', 'revisionid', 'diffid', 'tokenid', 'linkid'];

const AUTH_TOKEN_LIFETIME = 365 * 24 * 3600;
const OAUTH_TOKEN_LIFETIME = 10 * 365 * 24 * 3600;
export const AUTH_TOKEN_INACTIVE = 30 * 24 * 3600;

export interface StoreOptions {
  /** Where blobs (and, when `persist`, the database) live. */
  root: string;
  /** Keep the database in `root` (else SQLite `:memory:`, blobs still under `root`). */
  persist: boolean;
  /** Diff events kept per user (default 10,000); older ones are dropped and answered with a `reset`. */
  historyLimit?: number;
  /** Days a deleted file or folder stays listable with `showdeleted` before it and its blobs are removed (default 15). */
  trashRetentionDays?: number;
}

interface Row {
  [k: string]: unknown;
}

/**
 * The emulator's state in SQLite (a file under the data directory, or
 * `:memory:`). Every intent method (createUser, addFile, move, emit, ...)
 * writes only the rows it changes, inside one transaction that commits before
 * the method returns; several intents run in one transaction with `batch`.
 * Reads go to maps loaded at start and updated together with the rows. When a
 * transaction fails (disk full, I/O error) it rolls back, the maps are
 * reloaded from the database, and the error reaches the caller (the
 * dispatcher answers 5000).
 *
 * Blob cleanup is reference counting through the database: a blob row is
 * dropped, and its file removed, as soon as no version row refers to it
 * (after trash expiry or when an upload was never stored); a sweep at start
 * removes files no row knows (writes cut short by a crash).
 */
export class Store {
  readonly blobs: BlobStore;
  readonly root: string;
  readonly persist: boolean;
  readonly historyLimit: number;
  readonly trashRetentionSeconds: number;
  private readonly db: Db;
  private readonly st: Record<string, Database.Statement>;
  private readonly runInTx: (fn: () => unknown) => unknown;
  private counters = {} as Record<CounterName, number>;
  private readonly dirtyCounters = new Set<CounterName>();
  private readonly usersMap = new Map<number, Mut<UserRec>>();
  private readonly usersByEmail = new Map<string, Mut<UserRec>>();
  private readonly foldersMap = new Map<number, Mut<FolderRec>>();
  private readonly filesMap = new Map<number, MFile>();
  private readonly tokensMap = new Map<string, Mut<TokenRec>>();
  private readonly appsMap = new Map<string, AppRec>();
  private readonly publinksMap = new Map<number, Mut<PubLinkRec>>();
  private readonly publinksByCode = new Map<string, number>();
  private readonly sharesMap = new Map<number, Mut<ShareRec>>();
  private readonly blobInfos = new Map<string, BlobInfo>();
  private readonly childFolders = new Map<number, Set<number>>();
  private readonly childFiles = new Map<number, Set<number>>();
  /** `d<parent>/<name>` or `f<parent>/<name>` -> id of the live (not deleted) child. */
  private readonly liveNames = new Map<string, number>();
  private readonly used = new Map<number, number>();
  private readonly eventCounts = new Map<number, number>();
  private readonly floors = new Map<number, number>();
  private readonly listeners = new Set<(e: EventRec) => void>();
  private inTx = false;
  private pendingEvents: EventRec[] = [];
  private deletedInTx = false;
  /** Blob rows inserted by the running transaction (known to blobInfos once it commits). */
  private readonly newBlobs = new Map<string, BlobInfo>();
  /** Digests of blobs handed to newVersion, until a version row refers to them. */
  private readonly pendingInfos = new Map<string, BlobInfo>();
  private purgeTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(opts: StoreOptions) {
    this.root = opts.root;
    this.persist = opts.persist;
    this.historyLimit = Math.max(1, Math.floor(opts.historyLimit ?? 10_000));
    this.trashRetentionSeconds = Math.max(0, (opts.trashRetentionDays ?? 15) * 24 * 3600);
    this.db = openDatabase(opts.persist ? opts.root : undefined);
    this.blobs = new BlobStore(opts.root, opts.persist);
    const db = this.db;
    const tx = db.transaction((fn: () => unknown) => fn());
    this.runInTx = (fn) => tx(fn);
    const p = (sql: string) => db.prepare(sql);
    this.st = {
      counter: p('INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
      insUser: p(
        'INSERT INTO users (userid, email, password, rootid, language, registered, quota, premium, emailverified) VALUES (@userid, @email, @password, @rootId, @language, @registered, @quota, @premium, @emailverified)',
      ),
      setLanguage: p('UPDATE users SET language = ? WHERE userid = ?'),
      setFloor: p('UPDATE users SET history_floor = ? WHERE userid = ?'),
      insToken: p(
        'INSERT INTO tokens (token, tokenid, userid, kind, created, expires, lastused, device, clientid) VALUES (@token, @tokenid, @userid, @kind, @created, @expires, @lastUsed, @device, @clientId)',
      ),
      touchToken: p('UPDATE tokens SET lastused = ? WHERE token = ?'),
      delToken: p('DELETE FROM tokens WHERE token = ?'),
      insApp: p('INSERT OR REPLACE INTO apps (client_id, client_secret, name, redirect_uris) VALUES (?, ?, ?, ?)'),
      insFolder: p(
        'INSERT INTO folders (id, owner, parent, name, created, modified) VALUES (@id, @owner, @parent, @name, @created, @modified)',
      ),
      folderModified: p('UPDATE folders SET modified = ? WHERE id = ?'),
      moveFolder: p('UPDATE folders SET parent = ?, name = ? WHERE id = ?'),
      delFolder: p('UPDATE folders SET deleted = ? WHERE id = ?'),
      insFile: p(
        'INSERT INTO files (id, owner, parent, name, created, modified, contenttype, current_rev) VALUES (@id, @owner, @parent, @name, @created, @modified, @contenttype, @rev)',
      ),
      fileContent: p('UPDATE files SET current_rev = ?, created = ?, modified = ? WHERE id = ?'),
      moveFile: p('UPDATE files SET parent = ?, name = ? WHERE id = ?'),
      delFile: p('UPDATE files SET deleted = ? WHERE id = ?'),
      insVersion: p('INSERT OR IGNORE INTO versions (fileid, revisionid, blob, size, hash, created) VALUES (?, ?, ?, ?, ?, ?)'),
      copyVersions: p(
        'INSERT OR IGNORE INTO versions (fileid, revisionid, blob, size, hash, created) SELECT ?, revisionid, blob, size, hash, created FROM versions WHERE fileid = ?',
      ),
      insBlob: p('INSERT OR IGNORE INTO blobs (sha256, sha1, md5, size) VALUES (?, ?, ?, ?)'),
      blobUsed: p(
        'SELECT 1 FROM (SELECT ? AS sha) AS b WHERE EXISTS (SELECT 1 FROM versions WHERE blob = b.sha) OR EXISTS (SELECT 1 FROM transfer_files WHERE blob = b.sha)',
      ).pluck(),
      delBlob: p('DELETE FROM blobs WHERE sha256 = ?'),
      insLink: p(
        'INSERT INTO publinks (linkid, code, userid, kind, target, created, expires, maxdownloads, downloads, traffic, shortcode) VALUES (@linkid, @code, @userid, @kind, @targetId, @created, @expires, @maxdownloads, 0, 0, @shortcode)',
      ),
      delLink: p('UPDATE publinks SET deleted = 1 WHERE linkid = ?'),
      countLink: p('UPDATE publinks SET downloads = ?, traffic = ? WHERE linkid = ?'),
      insEvent: p('INSERT INTO events (diffid, userid, event, time, node_kind, node_id, node, userinfo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      nthNewest: p('SELECT diffid FROM events WHERE userid = ? ORDER BY diffid DESC LIMIT 1 OFFSET ?').pluck(),
      trimEvents: p('DELETE FROM events WHERE userid = ? AND diffid <= ?'),
      eventsAfter: p('SELECT * FROM events WHERE userid = ? AND diffid > ? ORDER BY diffid LIMIT ?'),
      eventsAfterTime: p('SELECT * FROM events WHERE userid = ? AND time > ? ORDER BY diffid LIMIT ?'),
      lastEvents: p('SELECT * FROM (SELECT * FROM events WHERE userid = ? ORDER BY diffid DESC LIMIT ?) ORDER BY diffid'),
      lastDiff: p('SELECT MAX(diffid) FROM events WHERE userid = ?').pluck(),
      oldestTime: p('SELECT time FROM events WHERE userid = ? ORDER BY diffid LIMIT 1').pluck(),
      fileEvents: p("SELECT * FROM events WHERE node_id = ? AND node_kind = 'file' AND userid = ? ORDER BY diffid"),
      expiredFiles: p('SELECT id FROM files WHERE deleted IS NOT NULL AND deleted <= ?').pluck(),
      expiredFolders: p('SELECT id FROM folders WHERE deleted IS NOT NULL AND deleted <= ?').pluck(),
      fileBlobs: p('SELECT DISTINCT blob FROM versions WHERE fileid = ?').pluck(),
      purgeVersions: p('DELETE FROM versions WHERE fileid = ?'),
      purgeFile: p('DELETE FROM files WHERE id = ?'),
      purgeFolder: p('DELETE FROM folders WHERE id = ?'),
      unusedBlobs: p(
        'SELECT sha256 FROM blobs WHERE NOT EXISTS (SELECT 1 FROM versions WHERE versions.blob = blobs.sha256) AND NOT EXISTS (SELECT 1 FROM transfer_files WHERE transfer_files.blob = blobs.sha256)',
      ).pluck(),
    };
  }

  /** Opens the database (taking the data directory's lock), loads it and cleans up what a crash or expiry left. */
  static async open(opts: StoreOptions): Promise<Store> {
    const store = new Store(opts);
    try {
      // after the lock: a refused second emulator must not touch the first one's temp files
      await store.blobs.init();
      store.load();
      await store.sweep();
    } catch (e) {
      store.close();
      throw e;
    }
    if (store.trashRetentionSeconds > 0) {
      store.purgeTimer = setInterval(() => store.cleanUp(), Math.min(3600_000, store.trashRetentionSeconds * 1000));
      store.purgeTimer.unref();
    }
    return store;
  }

  /** Closes the database (releases the data directory). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.purgeTimer) clearInterval(this.purgeTimer);
    this.db.close();
  }

  // ---- read access ---------------------------------------------------------

  get users(): ReadonlyMap<number, UserRec> {
    return this.usersMap;
  }
  get folders(): ReadonlyMap<number, FolderRec> {
    return this.foldersMap;
  }
  get files(): ReadonlyMap<number, FileRec> {
    return this.filesMap;
  }
  get tokens(): ReadonlyMap<string, TokenRec> {
    return this.tokensMap;
  }
  get apps(): ReadonlyMap<string, AppRec> {
    return this.appsMap;
  }
  get publinks(): ReadonlyMap<number, PubLinkRec> {
    return this.publinksMap;
  }

  get lastDiffId(): number {
    return this.counters.diffid;
  }

  userByEmail(email: string): UserRec | undefined {
    return this.usersByEmail.get(email.toLowerCase());
  }

  usedQuota(userid: number): number {
    return this.used.get(userid) ?? 0;
  }

  blobInfo(sha256: string): BlobInfo | undefined {
    return this.blobInfos.get(sha256);
  }

  publinkByCode(code: string): PubLinkRec | undefined {
    const id = this.publinksByCode.get(code);
    return id === undefined ? undefined : this.publinksMap.get(id);
  }

  /** Child folders of a folder (deleted ones only when asked). */
  subfolders(folderId: number, withDeleted = false): FolderRec[] {
    const out: FolderRec[] = [];
    for (const id of this.childFolders.get(folderId) ?? []) {
      const f = this.foldersMap.get(id);
      if (f && (withDeleted || !f.deleted)) out.push(f);
    }
    return out;
  }

  subfiles(folderId: number, withDeleted = false): FileRec[] {
    const out: FileRec[] = [];
    for (const id of this.childFiles.get(folderId) ?? []) {
      const f = this.filesMap.get(id);
      if (f && (withDeleted || !f.deleted)) out.push(f);
    }
    return out;
  }

  findChildFolder(folderId: number, name: string): FolderRec | undefined {
    const id = this.liveNames.get(`d${folderId}/${name}`);
    return id === undefined ? undefined : this.foldersMap.get(id);
  }

  findChildFile(folderId: number, name: string): FileRec | undefined {
    const id = this.liveNames.get(`f${folderId}/${name}`);
    return id === undefined ? undefined : this.filesMap.get(id);
  }

  /** Is `folderId` equal to `ancestorId` or inside it? */
  isWithin(folderId: number, ancestorId: number): boolean {
    let cur: number | null = folderId;
    while (cur !== null) {
      if (cur === ancestorId) return true;
      cur = this.foldersMap.get(cur)?.parent ?? null;
    }
    return false;
  }

  /**
   * Absolute path of a node ("/" for a root). With `viewer`, as that user
   * sees it: a share they accepted is at its place and under its name in
   * their tree.
   */
  pathOf(n: NodeRec, viewer?: number): string {
    const parts: string[] = [];
    let cur: NodeRec | undefined = n;
    while (cur && cur.parent !== null) {
      const mount = viewer !== undefined && cur.kind === 'folder' && cur.owner !== viewer ? this.mountOf(viewer, cur.id) : undefined;
      parts.unshift(mount ? mount.name : cur.name);
      cur = this.foldersMap.get(mount ? mount.mountparent : cur.parent);
    }
    return `/${parts.join('/')}`;
  }

  /** Every live folder (parents before children) and file under a root, for a `reset` answer. */
  liveTree(rootId: number): { folders: FolderRec[]; files: FileRec[] } {
    const folders: FolderRec[] = [];
    const files: FileRec[] = [];
    const queue = [rootId];
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      for (const f of this.subfolders(id)) {
        folders.push(f);
        queue.push(f.id);
      }
      files.push(...this.subfiles(id));
    }
    return { folders, files };
  }

  // ---- events (read straight from the database) -----------------------------

  /** Events of a user after `diffid`, oldest first. */
  eventsAfter(userid: number, diffid: number, limit = -1): EventRec[] {
    return this.st.eventsAfter!.all(userid, diffid, limit).map((r) => this.eventOf(r));
  }

  eventsAfterTime(userid: number, time: number, limit = -1): EventRec[] {
    return this.st.eventsAfterTime!.all(userid, time, limit).map((r) => this.eventOf(r));
  }

  /** The newest `n` events of a user, oldest first. */
  lastEvents(userid: number, n: number): EventRec[] {
    return this.st.lastEvents!.all(userid, n).map((r) => this.eventOf(r));
  }

  lastDiffOf(userid: number): number {
    return (this.st.lastDiff!.get(userid) as number | null) ?? 0;
  }

  /** Highest diffid dropped from the user's history (0 while nothing was dropped). */
  historyFloor(userid: number): number {
    return this.floors.get(userid) ?? 0;
  }

  /** Time of the oldest event still kept for the user. */
  oldestEventTime(userid: number): number | undefined {
    return (this.st.oldestTime!.get(userid) as number | undefined) ?? undefined;
  }

  fileEvents(userid: number, fileid: number): EventRec[] {
    return this.st.fileEvents!.all(fileid, userid).map((r) => this.eventOf(r));
  }

  onEvent(fn: (e: EventRec) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // ---- transactions ----------------------------------------------------------

  /**
   * Runs several intents in one transaction (one API call that changes many
   * things, like a recursive delete). Nested calls join the outer one.
   */
  batch<T>(fn: () => T): T {
    return this.write(fn);
  }

  private write<T>(fn: () => T): T {
    if (this.inTx) return fn();
    this.inTx = true;
    let out: T;
    try {
      out = this.runInTx(() => {
        const r = fn();
        for (const name of this.dirtyCounters) this.st.counter!.run(name, this.counters[name]);
        return r;
      }) as T;
    } catch (e) {
      this.inTx = false;
      this.pendingEvents = [];
      this.deletedInTx = false;
      this.newBlobs.clear();
      // the maps were changed along with the rows: bring them back to what committed
      this.load();
      throw e;
    }
    this.inTx = false;
    this.dirtyCounters.clear();
    for (const [sha, info] of this.newBlobs) {
      this.blobInfos.set(sha, info);
      this.pendingInfos.delete(sha);
    }
    this.newBlobs.clear();
    const events = this.pendingEvents;
    this.pendingEvents = [];
    for (const e of events) for (const l of this.listeners) l(e);
    if (this.deletedInTx) {
      this.deletedInTx = false;
      if (this.trashRetentionSeconds === 0) this.cleanUp();
    }
    return out;
  }

  /** purgeExpired for background use: the change that triggered it has committed, so a failure here is only logged. */
  private cleanUp(): void {
    try {
      this.purgeExpired();
    } catch (e) {
      console.error('[emulator] trash cleanup failed (retried later):', e);
    }
  }

  next(kind: CounterName): number {
    this.counters[kind] = (this.counters[kind] ?? 0) + 1;
    this.dirtyCounters.add(kind);
    return this.counters[kind];
  }

  // ---- loading -------------------------------------------------------------

  private resetMaps(): void {
    for (const m of [
      this.usersMap,
      this.usersByEmail,
      this.foldersMap,
      this.filesMap,
      this.tokensMap,
      this.appsMap,
      this.publinksMap,
      this.publinksByCode,
      this.sharesMap,
      this.blobInfos,
      this.childFolders,
      this.childFiles,
      this.liveNames,
      this.used,
      this.eventCounts,
      this.floors,
    ] as Map<unknown, unknown>[])
      m.clear();
  }

  /** (Re)builds every map from the database. */
  private load(): void {
    this.resetMaps();
    const db = this.db;
    const saved = Object.fromEntries(
      (db.prepare('SELECT name, value FROM counters').all() as Row[]).map((r) => [r.name, r.value as number]),
    );
    // counters that were handed out but not yet committed stay ahead of the stored ones
    for (const c of COUNTERS) this.counters[c] = Math.max(saved[c] ?? 0, this.counters[c] ?? 0);
    for (const r of db.prepare('SELECT * FROM users').iterate() as IterableIterator<Row>) {
      const u: Mut<UserRec> = {
        userid: r.userid as number,
        email: r.email as string,
        password: r.password as string,
        rootId: r.rootid as number,
        language: r.language as string,
        registered: r.registered as number,
        quota: r.quota as number,
        premium: r.premium === 1,
        emailverified: r.emailverified === 1,
      };
      this.usersMap.set(u.userid, u);
      this.usersByEmail.set(u.email.toLowerCase(), u);
      if ((r.history_floor as number) > 0) this.floors.set(u.userid, r.history_floor as number);
    }
    for (const r of db.prepare('SELECT * FROM folders').iterate() as IterableIterator<Row>) {
      const f: Mut<FolderRec> = {
        kind: 'folder',
        id: r.id as number,
        owner: r.owner as number,
        parent: r.parent as number | null,
        name: r.name as string,
        created: r.created as number,
        modified: r.modified as number,
      };
      if (r.deleted !== null) f.deleted = true;
      this.foldersMap.set(f.id, f);
      this.link(f);
    }
    const versions = new Map<number, Version[]>();
    for (const r of db.prepare('SELECT * FROM versions ORDER BY fileid, revisionid').iterate() as IterableIterator<Row>) {
      const v: Version = {
        revisionid: r.revisionid as number,
        blob: r.blob as string,
        size: r.size as number,
        hash: r.hash as string,
        created: r.created as number,
      };
      let list = versions.get(r.fileid as number);
      if (!list) versions.set(r.fileid as number, (list = []));
      list.push(v);
    }
    for (const r of db.prepare('SELECT * FROM files').iterate() as IterableIterator<Row>) {
      const all = versions.get(r.id as number) ?? [];
      const current = all.find((v) => v.revisionid === r.current_rev);
      if (!current) throw new Error(`database damaged: file ${r.id} has no current version`);
      const f: MFile = {
        kind: 'file',
        id: r.id as number,
        owner: r.owner as number,
        parent: r.parent as number,
        name: r.name as string,
        created: r.created as number,
        modified: r.modified as number,
        contenttype: r.contenttype as string,
        current,
        revisions: all.filter((v) => v !== current),
      };
      if (r.deleted !== null) f.deleted = true;
      else this.used.set(f.owner, (this.used.get(f.owner) ?? 0) + current.size);
      this.filesMap.set(f.id, f);
      this.link(f);
    }
    for (const r of db.prepare('SELECT * FROM tokens').iterate() as IterableIterator<Row>) {
      const t: Mut<TokenRec> = {
        token: r.token as string,
        tokenid: r.tokenid as number,
        userid: r.userid as number,
        kind: r.kind as 'auth' | 'oauth',
        created: r.created as number,
        expires: r.expires as number,
        lastUsed: r.lastused as number,
        device: r.device as string,
      };
      if (r.clientid !== null) t.clientId = r.clientid as string;
      this.tokensMap.set(t.token, t);
    }
    for (const r of db.prepare('SELECT * FROM apps').iterate() as IterableIterator<Row>) {
      const a: AppRec = {
        client_id: r.client_id as string,
        client_secret: r.client_secret as string,
        name: r.name as string,
        redirectUris: JSON.parse(r.redirect_uris as string) as string[],
      };
      this.appsMap.set(a.client_id, a);
    }
    const linkRows = 'SELECT p.*, e.maxtraffic, e.password, e.modified, e.tree FROM publinks p LEFT JOIN publink_extra e USING (linkid)';
    for (const r of db.prepare(linkRows).iterate() as IterableIterator<Row>) {
      const l: Mut<PubLinkRec> = {
        linkid: r.linkid as number,
        code: r.code as string,
        userid: r.userid as number,
        kind: r.kind as PubLinkRec['kind'],
        targetId: r.target as number,
        created: r.created as number,
        modified: (r.modified as number | null) ?? (r.created as number),
        downloads: r.downloads as number,
        traffic: r.traffic as number,
      };
      if (r.expires !== null) l.expires = r.expires as number;
      if (r.maxdownloads !== null) l.maxdownloads = r.maxdownloads as number;
      if (r.maxtraffic !== null) l.maxtraffic = r.maxtraffic as number;
      if (r.password !== null) l.password = r.password as string;
      if (r.tree !== null) l.tree = JSON.parse(r.tree as string) as PubTree;
      if (r.shortcode !== null) l.shortcode = r.shortcode as string;
      if (r.deleted) l.deleted = true;
      this.publinksMap.set(l.linkid, l);
      this.publinksByCode.set(l.code, l.linkid);
      if (l.shortcode !== undefined) this.publinksByCode.set(l.shortcode, l.linkid);
    }
    for (const r of db.prepare('SELECT * FROM blobs').iterate() as IterableIterator<Row>) {
      this.blobInfos.set(r.sha256 as string, {
        sha256: r.sha256 as string,
        sha1: r.sha1 as string,
        md5: r.md5 as string,
        size: r.size as number,
      });
    }
    for (const r of db.prepare('SELECT * FROM shares').iterate() as IterableIterator<Row>) {
      const sh = toShare(r);
      this.sharesMap.set(sh.id, sh);
    }
    for (const r of db.prepare('SELECT userid, COUNT(*) AS n FROM events GROUP BY userid').iterate() as IterableIterator<Row>) {
      this.eventCounts.set(r.userid as number, r.n as number);
    }
  }

  /**
   * Start-up cleanup: drops trash past its retention, blob rows nothing refers
   * to, and blob files no row knows (a crash between writing a blob and
   * committing its row, or an upload that was never stored).
   */
  private async sweep(): Promise<void> {
    this.purgeExpired();
    const unused = this.st.unusedBlobs!.all() as string[];
    if (unused.length > 0) {
      this.write(() => {
        for (const sha of unused) this.dropBlobRow(sha);
      });
    }
    for (const sha of await this.blobs.list()) if (!this.blobInfos.has(sha) && !this.blobs.isHeld(sha)) this.blobs.removeNow(sha);
  }

  // ---- users ---------------------------------------------------------------

  private link(n: NodeRec): void {
    if (n.parent === null) return;
    const map = n.kind === 'folder' ? this.childFolders : this.childFiles;
    let set = map.get(n.parent);
    if (!set) map.set(n.parent, (set = new Set()));
    set.add(n.id);
    if (!n.deleted) this.liveNames.set(nameKey(n), n.id);
  }

  private unlink(n: NodeRec): void {
    if (n.parent === null) return;
    (n.kind === 'folder' ? this.childFolders : this.childFiles).get(n.parent)?.delete(n.id);
    const key = nameKey(n);
    if (this.liveNames.get(key) === n.id) this.liveNames.delete(key);
  }

  createUser(
    email: string,
    password: string,
    opts: { quota?: number; premium?: boolean; emailverified?: boolean; language?: string } = {},
  ): UserRec {
    return this.write(() => {
      const userid = this.next('userid');
      const now = nowSeconds();
      const root: Mut<FolderRec> = {
        kind: 'folder',
        id: this.next('folderid'),
        owner: userid,
        parent: null,
        name: '/',
        created: now,
        modified: now,
      };
      const user: Mut<UserRec> = {
        userid,
        email,
        password,
        rootId: root.id,
        language: opts.language ?? 'en',
        registered: now,
        quota: opts.quota ?? 10 * 1024 ** 3,
        premium: opts.premium ?? false,
        emailverified: opts.emailverified ?? true,
      };
      this.insertFolder(root);
      this.st.insUser!.run({
        userid,
        email,
        password,
        rootId: root.id,
        language: user.language,
        registered: now,
        quota: user.quota,
        premium: user.premium ? 1 : 0,
        emailverified: user.emailverified ? 1 : 0,
      });
      this.foldersMap.set(root.id, root);
      this.usersMap.set(userid, user);
      this.usersByEmail.set(email.toLowerCase(), user);
      this.emit(userid, 'modifyuserinfo');
      return user;
    });
  }

  setLanguage(user: UserRec, language: string): void {
    const u = this.usersMap.get(user.userid);
    if (!u || u.language === language) return;
    this.write(() => {
      this.st.setLanguage!.run(language, u.userid);
      u.language = language;
      this.emit(u.userid, 'modifyuserinfo');
    });
  }

  // ---- accounts (passwords, addresses, mailed codes, invites, newsletter) ----
  // Codes, invites and the newsletter list are read straight from the database.

  private accountSql?: Record<string, Database.Statement>;

  private get asql(): Record<string, Database.Statement> {
    if (!this.accountSql) {
      const p = (sql: string) => this.db.prepare(sql);
      this.accountSql = {
        setPassword: p('UPDATE users SET password = ? WHERE userid = ?'),
        setEmail: p('UPDATE users SET email = ?, emailverified = ? WHERE userid = ?'),
        setVerified: p('UPDATE users SET emailverified = ? WHERE userid = ?'),
        insCode: p(
          'INSERT INTO mail_codes (code, kind, userid, email, newmail, created, expires) VALUES (@code, @kind, @userid, @email, @newmail, @created, @expires)',
        ),
        code: p('SELECT * FROM mail_codes WHERE code = ?'),
        delCode: p('DELETE FROM mail_codes WHERE code = ?'),
        delUserCodes: p('DELETE FROM mail_codes WHERE userid = ? AND kind = ?'),
        delExpiredCodes: p('DELETE FROM mail_codes WHERE expires < ?'),
        insInvite: p('INSERT OR IGNORE INTO invites (inviter, invitee, email, created) VALUES (?, ?, ?, ?)'),
        invites: p('SELECT * FROM invites WHERE inviter = ? ORDER BY created, invitee'),
        newsletter: p('SELECT * FROM newsletter WHERE email = ?'),
        subscribe: p(
          'INSERT INTO newsletter (email, verified, created) VALUES (?, ?, ?) ON CONFLICT(email) DO UPDATE SET verified = MAX(verified, excluded.verified)',
        ),
        unsubscribe: p('DELETE FROM newsletter WHERE email = ?'),
        // what deleteUser removes besides the tree (tables of later method groups add their rows here)
        delUserTokens: p('DELETE FROM tokens WHERE userid = ?'),
        delUserLinks: p('DELETE FROM publinks WHERE userid = ?'),
        delUserEvents: p('DELETE FROM events WHERE userid = ?'),
        delUserItems: p('DELETE FROM collection_items WHERE collectionid IN (SELECT id FROM collections WHERE userid = ?)'),
        delUserCollections: p('DELETE FROM collections WHERE userid = ?'),
        delAllUserCodes: p('DELETE FROM mail_codes WHERE userid = ?'),
        delUserInvites: p('DELETE FROM invites WHERE inviter = ? OR invitee = ?'),
        delUser: p('DELETE FROM users WHERE userid = ?'),
      };
    }
    return this.accountSql;
  }

  setPassword(user: UserRec, password: string): void {
    const u = this.usersMap.get(user.userid);
    if (!u) return;
    this.write(() => {
      this.asql.setPassword!.run(password, u.userid);
      u.password = password;
    });
  }

  /** Gives the account a new address (verified: the change was confirmed from it). */
  setEmail(user: UserRec, email: string): void {
    const u = this.usersMap.get(user.userid);
    if (!u) return;
    this.write(() => {
      this.asql.setEmail!.run(email, 1, u.userid);
      this.usersByEmail.delete(u.email.toLowerCase());
      u.email = email;
      u.emailverified = true;
      this.usersByEmail.set(email.toLowerCase(), u);
      this.emit(u.userid, 'modifyuserinfo');
    });
  }

  setEmailVerified(user: UserRec): void {
    const u = this.usersMap.get(user.userid);
    if (!u || u.emailverified) return;
    this.write(() => {
      this.asql.setVerified!.run(1, u.userid);
      u.emailverified = true;
      this.emit(u.userid, 'modifyuserinfo');
    });
  }

  /**
   * Stores a code a mail carries. `expires` is in epoch milliseconds.
   * Earlier codes of the same kind for the same user stay valid until they
   * expire or are used (several mails may be in flight).
   */
  createMailCode(rec: Omit<MailCodeRec, 'code' | 'created'>, now: number): MailCodeRec {
    return this.write(() => {
      this.asql.delExpiredCodes!.run(now);
      const code = randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
      const full: MailCodeRec = { ...rec, code, created: now };
      this.asql.insCode!.run({ ...full, userid: full.userid ?? null, newmail: full.newmail ?? null });
      return full;
    });
  }

  mailCode(code: string): MailCodeRec | undefined {
    const r = this.asql.code!.get(code) as Row | undefined;
    if (!r) return undefined;
    const out: MailCodeRec = {
      code: r.code as string,
      kind: r.kind as string,
      email: r.email as string,
      created: r.created as number,
      expires: r.expires as number,
    };
    if (r.userid !== null) out.userid = r.userid as number;
    if (r.newmail !== null) out.newmail = r.newmail as string;
    return out;
  }

  /** Uses a code up; with `allOfKind`, every other code of that kind of its user goes too. */
  dropMailCode(rec: MailCodeRec, allOfKind = false): void {
    this.write(() => {
      this.asql.delCode!.run(rec.code);
      if (allOfKind && rec.userid !== undefined) this.asql.delUserCodes!.run(rec.userid, rec.kind);
    });
  }

  addInvite(inviter: number, invitee: UserRec): void {
    this.write(() => this.asql.insInvite!.run(inviter, invitee.userid, invitee.email, nowSeconds()));
  }

  /** People `inviter` brought in, oldest first; `email` is the address they signed up with. */
  invitesOf(inviter: number): { invitee: number; email: string; created: number }[] {
    return (this.asql.invites!.all(inviter) as Row[]).map((r) => ({
      invitee: r.invitee as number,
      email: r.email as string,
      created: r.created as number,
    }));
  }

  /** The newsletter entry of an address, if it is on the list. */
  newsletterEntry(email: string): { email: string; verified: boolean } | undefined {
    const r = this.asql.newsletter!.get(email.toLowerCase()) as Row | undefined;
    return r ? { email: r.email as string, verified: r.verified === 1 } : undefined;
  }

  /** Puts an address on the newsletter list (verified stays once set). */
  subscribeNewsletter(email: string, verified: boolean): void {
    this.write(() => this.asql.subscribe!.run(email.toLowerCase(), verified ? 1 : 0, nowSeconds()));
  }

  unsubscribeNewsletter(email: string): void {
    this.write(() => this.asql.unsubscribe!.run(email.toLowerCase()));
  }

  /**
   * Removes an account and everything it owns: its tokens (and OAuth grants),
   * links, history, collections, codes, invites and newsletter entry first,
   * so nobody can use it any more, then its whole tree (trash included) and
   * the blobs no other file refers to.
   */
  deleteUser(user: UserRec): void {
    const u = this.usersMap.get(user.userid);
    if (!u) return;
    const id = u.userid;
    this.write(() => {
      const s = this.asql;
      s.delUserTokens!.run(id);
      for (const [token, t] of this.tokensMap) if (t.userid === id) this.tokensMap.delete(token);
      this.pubSql.delUser!.run(id);
      s.delUserLinks!.run(id);
      for (const [linkid, l] of this.publinksMap) {
        if (l.userid !== id) continue;
        this.publinksMap.delete(linkid);
        this.publinksByCode.delete(l.code);
        if (l.shortcode !== undefined) this.publinksByCode.delete(l.shortcode);
      }
      s.delUserEvents!.run(id);
      s.delUserItems!.run(id);
      s.delUserCollections!.run(id);
      this.usql.delUser!.run(id);
      s.delAllUserCodes!.run(id);
      s.delUserInvites!.run(id, id);
      this.dropUserShares(id);
      s.unsubscribe!.run(u.email.toLowerCase());
      s.delUser!.run(id);
      this.usersMap.delete(id);
      this.usersByEmail.delete(u.email.toLowerCase());
      this.eventCounts.delete(id);
      this.floors.delete(id);
    });
    const files = [...this.filesMap.values()].filter((f) => f.owner === id).map((f) => f.id);
    const folders = [...this.foldersMap.values()].filter((f) => f.owner === id).map((f) => f.id);
    this.purgeRows(files, folders);
    this.used.delete(id);
  }

  // ---- tokens / apps -------------------------------------------------------

  /** Revokes a user's auth tokens (OAuth grants stay), all but `keep` when given. */
  deleteAuthTokens(userid: number, keep?: string): number {
    const victims = [...this.tokensMap.values()].filter((t) => t.userid === userid && t.kind === 'auth' && t.token !== keep);
    if (victims.length === 0) return 0;
    this.write(() => {
      for (const t of victims) {
        this.st.delToken!.run(t.token);
        this.tokensMap.delete(t.token);
      }
    });
    return victims.length;
  }

  createToken(userid: number, kind: 'auth' | 'oauth', device: string, clientId?: string): TokenRec {
    return this.write(() => {
      const now = nowSeconds();
      const rec: Mut<TokenRec> = {
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
      this.st.insToken!.run({
        token: rec.token,
        tokenid: rec.tokenid,
        userid,
        kind,
        created: now,
        expires: rec.expires,
        lastUsed: now,
        device: rec.device,
        clientId: clientId ?? null,
      });
      this.tokensMap.set(rec.token, rec);
      return rec;
    });
  }

  /** Looks a token up, dropping it when it has expired. */
  useToken(token: string): TokenRec | undefined {
    const rec = this.tokensMap.get(token);
    if (!rec) return undefined;
    const now = nowSeconds();
    if (now >= rec.expires || (rec.kind === 'auth' && now >= rec.lastUsed + AUTH_TOKEN_INACTIVE)) {
      this.deleteToken(token);
      return undefined;
    }
    // at most one write per token and second; bookkeeping only, so a full disk must not stop reads
    if (now !== rec.lastUsed) {
      try {
        this.write(() => {
          this.st.touchToken!.run(now, token);
          rec.lastUsed = now;
        });
      } catch {
        // remember the time anyway so that reads do not retry (and reload) on every call while the disk is full
        const fresh = this.tokensMap.get(token);
        if (fresh) fresh.lastUsed = now;
        return fresh;
      }
    }
    return rec;
  }

  deleteToken(token: string): void {
    this.write(() => {
      this.st.delToken!.run(token);
      this.tokensMap.delete(token);
    });
  }

  createApp(app: AppRec): AppRec {
    return this.write(() => {
      this.st.insApp!.run(app.client_id, app.client_secret, app.name, JSON.stringify(app.redirectUris));
      this.appsMap.set(app.client_id, app);
      return app;
    });
  }

  // ---- tree ----------------------------------------------------------------

  private folderRec(id: number): Mut<FolderRec> {
    const f = this.foldersMap.get(id);
    if (!f) throw new Error(`unknown folder ${id}`);
    return f;
  }

  private fileRec(id: number): MFile {
    const f = this.filesMap.get(id);
    if (!f) throw new Error(`unknown file ${id}`);
    return f;
  }

  addFolder(owner: number, parent: number, name: string, times?: { created?: number; modified?: number }): FolderRec {
    this.writeGuard?.({ op: 'create', parent });
    // a folder made inside a share belongs to the share's owner
    owner = this.foldersMap.get(parent)?.owner ?? owner;
    return this.write(() => {
      const now = nowSeconds();
      const rec: Mut<FolderRec> = {
        kind: 'folder',
        id: this.next('folderid'),
        owner,
        parent,
        name,
        created: times?.created ?? now,
        modified: times?.modified ?? now,
      };
      this.insertFolder(rec);
      this.foldersMap.set(rec.id, rec);
      this.link(rec);
      this.bumpFolder(parent, now);
      this.emit(owner, 'createfolder', rec);
      return rec;
    });
  }

  private insertFolder(f: FolderRec): void {
    this.st.insFolder!.run({ id: f.id, owner: f.owner, parent: f.parent, name: f.name, created: f.created, modified: f.modified });
  }

  /**
   * A new version of blob `info` (the revision id is taken now, the row is
   * written by addFile/replaceContent). The blob must be on disk already.
   */
  newVersion(info: BlobInfo, hash: string, created = nowSeconds()): Version {
    if (!this.blobInfos.has(info.sha256)) this.pendingInfos.set(info.sha256, info);
    return { revisionid: this.next('revisionid'), blob: info.sha256, size: info.size, hash, created };
  }

  private insertVersion(fileid: number, v: Version): void {
    const info = this.blobInfos.get(v.blob) ?? this.newBlobs.get(v.blob) ?? this.pendingInfos.get(v.blob);
    if (!info) throw new Error(`blob ${v.blob} is unknown`);
    if (!this.blobInfos.has(v.blob) && !this.newBlobs.has(v.blob)) {
      this.st.insBlob!.run(info.sha256, info.sha1, info.md5, info.size);
      this.newBlobs.set(v.blob, info);
    }
    this.st.insVersion!.run(fileid, v.revisionid, v.blob, v.size, v.hash, v.created);
  }

  addFile(
    owner: number,
    parent: number,
    name: string,
    version: Version,
    contenttype: string,
    times?: { created?: number; modified?: number },
  ): FileRec {
    this.writeGuard?.({ op: 'create', parent });
    // a file stored inside a share belongs to (and counts against the quota of) the share's owner
    owner = this.foldersMap.get(parent)?.owner ?? owner;
    return this.write(() => {
      const now = nowSeconds();
      const rec: MFile = {
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
      this.insertVersion(rec.id, version);
      this.st.insFile!.run({
        id: rec.id,
        owner,
        parent,
        name,
        created: rec.created,
        modified: rec.modified,
        contenttype,
        rev: version.revisionid,
      });
      this.filesMap.set(rec.id, rec);
      this.link(rec);
      this.used.set(owner, this.usedQuota(owner) + version.size);
      this.bumpFolder(parent, now);
      this.emit(owner, 'createfile', rec);
      return rec;
    });
  }

  /** Replaces a file's content, keeping the old content as a revision. */
  replaceContent(file: FileRec, version: Version, times?: { created?: number; modified?: number }): void {
    const f = this.fileRec(file.id);
    this.writeGuard?.({ op: 'modify', node: f });
    this.write(() => {
      const old = f.current;
      const created = times?.created ?? f.created;
      const modified = times?.modified ?? nowSeconds();
      if (old.blob !== version.blob) {
        this.insertVersion(f.id, version);
        f.revisions.push(old);
        f.current = version;
        if (!f.deleted) this.used.set(f.owner, this.usedQuota(f.owner) + version.size - old.size);
      }
      this.st.fileContent!.run(f.current.revisionid, created, modified, f.id);
      f.created = created;
      f.modified = modified;
      this.emit(f.owner, 'modifyfile', f);
    });
  }

  /** Sets a file's times without touching its content (copying a file onto itself). */
  setFileTimes(file: FileRec, times: { created?: number; modified: number }): void {
    const f = this.fileRec(file.id);
    this.writeGuard?.({ op: 'modify', node: f });
    this.write(() => {
      const created = times.created ?? f.created;
      this.st.fileContent!.run(f.current.revisionid, created, times.modified, f.id);
      f.created = created;
      f.modified = times.modified;
      this.emit(f.owner, 'modifyfile', f);
    });
  }

  /**
   * renamefile onto an existing file: `victim` is deleted and its history
   * joins `file`'s revisions. `file` reports `deletedfileid` until the next
   * change of it.
   */
  replaceByRename(file: FileRec, victim: FileRec): void {
    const f = this.fileRec(file.id);
    const v = this.fileRec(victim.id);
    this.write(() => {
      this.st.copyVersions!.run(f.id, v.id);
      this.markDeleted(v);
      const seen = new Set(f.revisions.map((r) => r.revisionid));
      for (const r of [...v.revisions, v.current])
        if (!seen.has(r.revisionid) && r.revisionid !== f.current.revisionid) f.revisions.push(r);
      f.revisions.sort((a, b) => a.revisionid - b.revisionid);
      f.deletedfileid = v.id;
    });
  }

  /** Forgets the transient `deletedfileid` once rendered. */
  clearDeletedFileId(file: FileRec): void {
    delete this.filesMap.get(file.id)?.deletedfileid;
  }

  /** Moves/renames a node. */
  move(n: NodeRec, parent: number, name: string): void {
    const rec = n.kind === 'folder' ? this.folderRec(n.id) : this.fileRec(n.id);
    this.writeGuard?.({ op: 'move', node: rec, to: parent });
    this.write(() => {
      const now = nowSeconds();
      const oldParent = rec.parent;
      const oldViewers = new Set(this.shareViewers(rec));
      const before = { ...rec } as NodeRec;
      (rec.kind === 'folder' ? this.st.moveFolder! : this.st.moveFile!).run(parent, name, rec.id);
      this.unlink(rec);
      rec.parent = parent;
      rec.name = name;
      this.link(rec);
      if (oldParent !== null && oldParent !== parent) this.bumpFolder(oldParent, now);
      this.bumpFolder(parent, now);
      this.emit(rec.owner, rec.kind === 'folder' ? 'modifyfolder' : 'modifyfile', rec, undefined, false);
      // for users who see it through a share, the node changed, came into their tree or left it
      const newViewers = new Set(this.shareViewers(rec));
      for (const uid of newViewers) {
        if (oldViewers.has(uid)) this.emit(uid, rec.kind === 'folder' ? 'modifyfolder' : 'modifyfile', rec, undefined, false);
        else this.emitTree(uid, rec);
      }
      for (const uid of oldViewers) {
        if (!newViewers.has(uid)) this.emit(uid, rec.kind === 'folder' ? 'deletefolder' : 'deletefile', before, undefined, false);
      }
    });
  }

  markDeleted(n: NodeRec): void {
    const rec = n.kind === 'folder' ? this.folderRec(n.id) : this.fileRec(n.id);
    if (rec.deleted) return;
    this.writeGuard?.({ op: 'delete', node: rec });
    this.write(() => {
      const now = nowSeconds();
      (rec.kind === 'folder' ? this.st.delFolder! : this.st.delFile!).run(now, rec.id);
      this.unlink(rec);
      rec.deleted = true;
      this.link(rec);
      if (rec.kind === 'file') this.used.set(rec.owner, this.usedQuota(rec.owner) - rec.current.size);
      if (rec.parent !== null) this.bumpFolder(rec.parent, now);
      this.deletedInTx = true;
      this.emit(rec.owner, rec.kind === 'folder' ? 'deletefolder' : 'deletefile', rec);
    });
  }

  private bumpFolder(id: number, time: number): void {
    const f = this.foldersMap.get(id);
    if (f && f.modified < time) {
      this.st.folderModified!.run(time, id);
      f.modified = time;
    }
  }

  // ---- trash and blob cleanup ----------------------------------------------

  /**
   * Removes deleted files and folders older than the trash retention, then the
   * blobs no version refers to any more. Runs at start, periodically, and
   * right after each delete when the retention is 0.
   */
  purgeExpired(): void {
    if (this.closed) return;
    const cutoff = nowSeconds() - this.trashRetentionSeconds;
    const files = this.st.expiredFiles!.all(cutoff) as number[];
    const folders = this.st.expiredFolders!.all(cutoff) as number[];
    this.purgeRows(files, folders);
  }

  /** Drops the rows (and then the unused blobs) of deleted files and folders. */
  private purgeRows(files: readonly number[], folders: readonly number[]): void {
    if (files.length === 0 && folders.length === 0) return;
    const dropped: string[] = [];
    this.write(() => {
      const candidates = new Set<string>();
      for (const id of files) {
        for (const sha of this.st.fileBlobs!.all(id) as string[]) candidates.add(sha);
        this.st.purgeVersions!.run(id);
        this.st.purgeFile!.run(id);
        const f = this.filesMap.get(id);
        if (f) {
          this.unlink(f);
          this.filesMap.delete(id);
        }
      }
      for (const id of folders) {
        this.st.purgeFolder!.run(id);
        const f = this.foldersMap.get(id);
        if (f) {
          this.unlink(f);
          this.foldersMap.delete(id);
        }
        this.childFolders.delete(id);
        this.childFiles.delete(id);
      }
      for (const sha of candidates) {
        if (this.st.blobUsed!.get(sha) === undefined) {
          this.dropBlobRow(sha);
          dropped.push(sha);
        }
      }
    });
    for (const sha of dropped) if (!this.blobs.isHeld(sha)) this.removeBlobFile(sha);
  }

  // ---- trash: restore and permanent removal ---------------------------------

  private trashSql?: Record<string, Database.Statement>;

  private get tsql(): Record<string, Database.Statement> {
    if (!this.trashSql) {
      const p = (sql: string) => this.db.prepare(sql);
      this.trashSql = {
        restoreFolder: p('UPDATE folders SET deleted = NULL, parent = ?, name = ?, owner = ? WHERE id = ?'),
        restoreFile: p('UPDATE files SET deleted = NULL, parent = ?, name = ?, owner = ? WHERE id = ?'),
      };
    }
    return this.trashSql;
  }

  /**
   * Puts one deleted node back under `parent` as `name` (a folder's deleted
   * children stay deleted until restored themselves). Counts a file against
   * the quota again and tells diff listeners it was created.
   */
  restore(n: NodeRec, parent: number, name: string): void {
    const rec = n.kind === 'folder' ? this.folderRec(n.id) : this.fileRec(n.id);
    if (!rec.deleted) return;
    // coming back into a folder is creating there: a share's permission bits apply
    this.writeGuard?.({ op: 'create', parent });
    // back inside a share, the node is the share owner's (their quota), like anything stored there
    const owner = this.foldersMap.get(parent)?.owner ?? rec.owner;
    this.write(() => {
      (rec.kind === 'folder' ? this.tsql.restoreFolder! : this.tsql.restoreFile!).run(parent, name, owner, rec.id);
      this.unlink(rec);
      rec.owner = owner;
      rec.parent = parent;
      rec.name = name;
      delete rec.deleted;
      this.link(rec);
      if (rec.kind === 'file') this.used.set(rec.owner, this.usedQuota(rec.owner) + rec.current.size);
      this.bumpFolder(parent, nowSeconds());
      this.emit(rec.owner, rec.kind === 'folder' ? 'createfolder' : 'createfile', rec);
    });
  }

  /** Removes deleted nodes for good now (trash_clear): a deleted folder goes with everything inside it. */
  purgeDeleted(nodes: readonly NodeRec[]): void {
    const files = new Set<number>();
    const folders = new Set<number>();
    const collect = (n: NodeRec) => {
      if (!n.deleted) return;
      if (n.kind === 'file') {
        files.add(n.id);
        return;
      }
      if (folders.has(n.id)) return;
      folders.add(n.id);
      for (const f of this.subfolders(n.id, true)) collect(f);
      for (const f of this.subfiles(n.id, true)) collect(f);
    };
    for (const n of nodes) collect(n);
    this.purgeRows([...files], [...folders]);
  }

  /** A blob file whose row is gone; if removing it fails, the sweep at next start retries. */
  private removeBlobFile(sha: string): void {
    try {
      this.blobs.removeNow(sha);
    } catch (e) {
      console.error(`[emulator] could not remove blob ${sha}:`, e);
    }
  }

  private dropBlobRow(sha: string): void {
    this.st.delBlob!.run(sha);
    this.blobInfos.delete(sha);
  }

  /**
   * Ends the hold of a blob written for this call (BlobStore.write) and
   * removes it when no committed row refers to it: an aborted or refused
   * upload leaves nothing behind.
   */
  releaseBlob(sha256: string): void {
    this.blobs.release(sha256);
    if (!this.blobs.isHeld(sha256)) this.pendingInfos.delete(sha256);
    if (this.blobs.isHeld(sha256) || this.blobInfos.has(sha256) || this.closed) return;
    this.removeBlobFile(sha256);
  }

  // ---- public links ---------------------------------------------------------

  createPublink(
    userid: number,
    kind: PubLinkRec['kind'],
    targetId: number,
    opts: { expires?: number; maxdownloads?: number; maxtraffic?: number; password?: string; tree?: PubTree; shortlink?: boolean } = {},
  ): PubLinkRec {
    return this.write(() => {
      const now = nowSeconds();
      const rec: Mut<PubLinkRec> = {
        linkid: this.next('linkid'),
        code: randomBytes(20).toString('base64url').replace(/[-_]/g, 'x'),
        userid,
        kind,
        targetId,
        created: now,
        modified: now,
        downloads: 0,
        traffic: 0,
      };
      if (opts.expires !== undefined) rec.expires = opts.expires;
      if (opts.maxdownloads !== undefined) rec.maxdownloads = opts.maxdownloads;
      if (opts.maxtraffic !== undefined) rec.maxtraffic = opts.maxtraffic;
      if (opts.password !== undefined) rec.password = opts.password;
      if (opts.tree !== undefined) rec.tree = opts.tree;
      if (opts.shortlink) rec.shortcode = this.newShortcode();
      this.st.insLink!.run({
        linkid: rec.linkid,
        code: rec.code,
        userid,
        kind,
        targetId,
        created: rec.created,
        expires: rec.expires ?? null,
        maxdownloads: rec.maxdownloads ?? null,
        shortcode: rec.shortcode ?? null,
      });
      this.pubSql.extra!.run(rec.linkid, rec.maxtraffic ?? null, rec.password ?? null, now, rec.tree ? JSON.stringify(rec.tree) : null);
      this.publinksMap.set(rec.linkid, rec);
      this.publinksByCode.set(rec.code, rec.linkid);
      if (rec.shortcode !== undefined) this.publinksByCode.set(rec.shortcode, rec.linkid);
      return rec;
    });
  }

  /** A short code no link uses yet (letters and digits, like pCloud's pc.cd codes). */
  private newShortcode(): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (;;) {
      const code = [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
      if (!this.publinksByCode.has(code)) return code;
    }
  }

  /** Marks a link deleted; its codes keep resolving so visitors learn it was deleted (7002). */
  deletePublink(linkid: number): void {
    const l = this.publinksMap.get(linkid);
    if (!l || l.deleted) return;
    this.write(() => {
      this.st.delLink!.run(linkid);
      l.deleted = true;
    });
  }

  /** Counts what a link served: `downloads` (1 by default; 0 for the rest of a resumed download) and bytes. */
  countPublinkDownload(link: PubLinkRec, bytes: number, downloads = 1): void {
    const l = this.publinksMap.get(link.linkid);
    if (!l) return;
    this.write(() => {
      this.st.countLink!.run(l.downloads + downloads, l.traffic + bytes, l.linkid);
      l.downloads += downloads;
      l.traffic += bytes;
    });
  }

  private publinkSql?: Record<string, Database.Statement>;

  private get pubSql(): Record<string, Database.Statement> {
    if (!this.publinkSql) {
      const p = (sql: string) => this.db.prepare(sql);
      this.publinkSql = {
        extra: p('INSERT OR REPLACE INTO publink_extra (linkid, maxtraffic, password, modified, tree) VALUES (?, ?, ?, ?, ?)'),
        change: p('UPDATE publinks SET expires = @expires, maxdownloads = @maxdownloads, shortcode = @shortcode WHERE linkid = @linkid'),
        delUser: p('DELETE FROM publink_extra WHERE linkid IN (SELECT linkid FROM publinks WHERE userid = ?)'),
      };
    }
    return this.publinkSql;
  }

  /**
   * changepublink: `null` removes a limit (or the password), undefined keeps
   * it; `shortlink` adds a short code (kept when there is one) or removes it.
   */
  changePublink(
    linkid: number,
    ch: {
      expires?: number | null;
      maxdownloads?: number | null;
      maxtraffic?: number | null;
      password?: string | null;
      shortlink?: 'add' | 'remove';
    },
  ): PubLinkRec {
    const l = this.publinksMap.get(linkid);
    if (!l) throw new Error(`unknown public link ${linkid}`);
    return this.write(() => {
      const set = <K extends 'expires' | 'maxdownloads' | 'maxtraffic' | 'password'>(k: K, v: PubLinkRec[K] | null | undefined) => {
        if (v === undefined) return;
        if (v === null) delete l[k];
        else l[k] = v as Mut<PubLinkRec>[K];
      };
      set('expires', ch.expires);
      set('maxdownloads', ch.maxdownloads);
      set('maxtraffic', ch.maxtraffic);
      set('password', ch.password);
      if (ch.shortlink === 'add' && l.shortcode === undefined) {
        l.shortcode = this.newShortcode();
        this.publinksByCode.set(l.shortcode, l.linkid);
      } else if (ch.shortlink === 'remove' && l.shortcode !== undefined) {
        this.publinksByCode.delete(l.shortcode);
        delete l.shortcode;
      }
      l.modified = nowSeconds();
      this.pubSql.change!.run({ linkid, expires: l.expires ?? null, maxdownloads: l.maxdownloads ?? null, shortcode: l.shortcode ?? null });
      this.pubSql.extra!.run(linkid, l.maxtraffic ?? null, l.password ?? null, l.modified, l.tree ? JSON.stringify(l.tree) : null);
      return l;
    });
  }

  // ---- upload links and transfers -------------------------------------------
  // Read straight from the database (no maps): only their own methods read them.

  private uploadSql?: Record<string, Database.Statement>;

  private get usql(): Record<string, Database.Statement> {
    if (!this.uploadSql) {
      const p = (sql: string) => this.db.prepare(sql);
      this.uploadSql = {
        byUser: p('SELECT * FROM uploadlinks WHERE userid = ? AND deleted = 0 ORDER BY id'),
        byId: p('SELECT * FROM uploadlinks WHERE id = ?'),
        byCode: p('SELECT * FROM uploadlinks WHERE code = ?'),
        ins: p(
          'INSERT INTO uploadlinks (code, userid, folderid, comment, created, modified, expires, maxspace, maxfiles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        change: p('UPDATE uploadlinks SET expires = ?, maxspace = ?, maxfiles = ?, modified = ? WHERE id = ?'),
        del: p('UPDATE uploadlinks SET deleted = 1, modified = ? WHERE id = ?'),
        count: p('UPDATE uploadlinks SET files = files + 1, space = space + ? WHERE id = ?'),
        insFile: p('INSERT OR REPLACE INTO uploadlink_files (fileid, linkid, uploader, comment, created) VALUES (?, ?, ?, ?, ?)'),
        fileOf: p('SELECT * FROM uploadlink_files WHERE fileid = ?'),
        delUser: p('UPDATE uploadlinks SET deleted = 1 WHERE userid = ?'),
        insTransfer: p('INSERT INTO transfers (sender, receivers, message, created, secret) VALUES (?, ?, ?, ?, ?)'),
        insTransferFile: p('INSERT INTO transfer_files (transferid, position, name, blob, size) VALUES (?, ?, ?, ?, ?)'),
        transferFile: p(
          'SELECT f.*, t.created, t.secret FROM transfer_files AS f JOIN transfers AS t ON t.id = f.transferid WHERE f.transferid = ? AND f.position = ?',
        ),
        transferBlobs: p('SELECT DISTINCT blob FROM transfer_files WHERE transferid = ?').pluck(),
        delTransferFiles: p('DELETE FROM transfer_files WHERE transferid = ?'),
        delTransfer: p('DELETE FROM transfers WHERE id = ?'),
      };
    }
    return this.uploadSql;
  }

  /** A new upload link into `folderid` (internal id) of `userid`, with a fresh random code. */
  createUploadLink(
    userid: number,
    folderid: number,
    comment: string,
    limits: { expires?: number; maxspace?: number; maxfiles?: number },
  ): UploadLinkRec {
    return this.write(() => {
      const code = randomBytes(24).toString('base64url').replace(/[-_]/g, 'x');
      const now = nowSeconds();
      const info = this.usql.ins!.run(
        code,
        userid,
        folderid,
        comment,
        now,
        now,
        limits.expires ?? null,
        limits.maxspace ?? null,
        limits.maxfiles ?? null,
      );
      return this.uploadLink(Number(info.lastInsertRowid))!;
    });
  }

  /** A link by its id (deleted ones too). */
  uploadLink(id: number): UploadLinkRec | undefined {
    const row = this.usql.byId!.get(id);
    return row === undefined ? undefined : toUploadLink(row);
  }

  /** A link by its code (deleted ones too, so visitors learn it was deleted). */
  uploadLinkByCode(code: string): UploadLinkRec | undefined {
    const row = this.usql.byCode!.get(code);
    return row === undefined ? undefined : toUploadLink(row);
  }

  /** A user's live upload links, oldest first. */
  uploadLinksOf(userid: number): UploadLinkRec[] {
    return this.usql.byUser!.all(userid).map(toUploadLink);
  }

  /** Sets a link's expiry and caps (undefined removes one). */
  changeUploadLink(id: number, limits: { expires?: number; maxspace?: number; maxfiles?: number }): void {
    this.write(() => this.usql.change!.run(limits.expires ?? null, limits.maxspace ?? null, limits.maxfiles ?? null, nowSeconds(), id));
  }

  /** Marks a link deleted: its code keeps resolving, to answer 7002. Uploaded files stay. */
  deleteUploadLink(id: number): void {
    this.write(() => this.usql.del!.run(nowSeconds(), id));
  }

  /** Counts one file received through a link and keeps who sent it with what comment. */
  recordUploadLinkFile(linkid: number, fileid: number, size: number, uploader: { name?: string; comment?: string }): void {
    this.write(() => {
      this.usql.count!.run(size, linkid);
      this.usql.insFile!.run(fileid, linkid, uploader.name ?? null, uploader.comment ?? null, nowSeconds());
    });
  }

  /** Who put a file in through an upload link, and their comment (undefined for other files). */
  uploadLinkFile(fileid: number): { linkid: number; uploader?: string; comment?: string; created: number } | undefined {
    const r = this.usql.fileOf!.get(fileid) as Row | undefined;
    if (!r) return undefined;
    return {
      linkid: r.linkid as number,
      created: r.created as number,
      ...(r.uploader !== null ? { uploader: r.uploader as string } : {}),
      ...(r.comment !== null ? { comment: r.comment as string } : {}),
    };
  }

  /**
   * A new transfer (its files follow with addTransferFile); returns its id.
   * `secret` is the random key its download links carry.
   */
  createTransfer(sender: string, receivers: readonly string[], message: string, secret: string): number {
    return this.write(() => Number(this.usql.insTransfer!.run(sender, receivers.join(','), message, nowSeconds(), secret).lastInsertRowid));
  }

  /**
   * Adds a received file (its blob on disk, held by the caller) to a
   * transfer at a 1-based position. The row refers to the blob, so the blob
   * stays as long as the transfer does.
   */
  addTransferFile(transferid: number, position: number, name: string, info: BlobInfo): void {
    this.write(() => {
      if (!this.blobInfos.has(info.sha256) && !this.newBlobs.has(info.sha256)) {
        this.st.insBlob!.run(info.sha256, info.sha1, info.md5, info.size);
        this.newBlobs.set(info.sha256, info);
      }
      this.usql.insTransferFile!.run(transferid, position, name, info.sha256, info.size);
    });
  }

  /** Removes a transfer (one whose upload broke) and the blobs only it referred to. */
  deleteTransfer(transferid: number): void {
    const dropped: string[] = [];
    this.write(() => {
      const blobs = this.usql.transferBlobs!.all(transferid) as string[];
      this.usql.delTransferFiles!.run(transferid);
      this.usql.delTransfer!.run(transferid);
      for (const sha of blobs) {
        if (this.st.blobUsed!.get(sha) === undefined) {
          this.dropBlobRow(sha);
          dropped.push(sha);
        }
      }
    });
    for (const sha of dropped) if (!this.blobs.isHeld(sha)) this.removeBlobFile(sha);
  }

  /** One file of a transfer by its 1-based position, with the transfer's creation time (Unix seconds). */
  transferFile(
    transferid: number,
    position: number,
  ): { name: string; blob: string; size: number; created: number; secret: string } | undefined {
    const r = this.usql.transferFile!.get(transferid, position) as Row | undefined;
    return r
      ? { name: r.name as string, blob: r.blob as string, size: r.size as number, created: r.created as number, secret: r.secret as string }
      : undefined;
  }

  // ---- collections (playlists) ----------------------------------------------
  // Read straight from the database (no maps): collections are small and only
  // their own methods read them.

  private collectionSql?: Record<string, Database.Statement>;

  private get csql(): Record<string, Database.Statement> {
    if (!this.collectionSql) {
      const p = (sql: string) => this.db.prepare(sql);
      this.collectionSql = {
        byUser: p('SELECT * FROM collections WHERE userid = ? ORDER BY id'),
        byId: p('SELECT * FROM collections WHERE id = ?'),
        ins: p('INSERT INTO collections (userid, name, type, system, created, modified) VALUES (?, ?, ?, ?, ?, ?)'),
        rename: p('UPDATE collections SET name = ?, modified = ? WHERE id = ?'),
        touch: p('UPDATE collections SET modified = ? WHERE id = ?'),
        del: p('DELETE FROM collections WHERE id = ?'),
        items: p('SELECT fileid, position, added FROM collection_items WHERE collectionid = ? ORDER BY position'),
        clearItems: p('DELETE FROM collection_items WHERE collectionid = ?'),
        insItem: p('INSERT INTO collection_items (collectionid, position, fileid, added) VALUES (?, ?, ?, ?)'),
      };
    }
    return this.collectionSql;
  }

  /** A user's collections, oldest first. */
  collectionsOf(userid: number): CollectionRec[] {
    return this.csql.byUser!.all(userid).map(toCollection);
  }

  collection(id: number): CollectionRec | undefined {
    const row = this.csql.byId!.get(id);
    return row === undefined ? undefined : toCollection(row);
  }

  /** Items of a collection in their order (positions 1, 2, ...). */
  collectionItems(id: number): CollectionItem[] {
    return this.csql.items!.all(id) as CollectionItem[];
  }

  createCollection(userid: number, name: string, type: number, system = false): CollectionRec {
    return this.write(() => {
      const now = nowSeconds();
      const info = this.csql.ins!.run(userid, name, type, system ? 1 : 0, now, now);
      return this.collection(Number(info.lastInsertRowid))!;
    });
  }

  renameCollection(id: number, name: string): void {
    this.write(() => this.csql.rename!.run(name, nowSeconds(), id));
  }

  deleteCollection(id: number): void {
    this.write(() => {
      this.csql.clearItems!.run(id);
      this.csql.del!.run(id);
    });
  }

  /**
   * Replaces a collection's items with `items`, in that order (positions are
   * renumbered from 1). `touch` marks the collection modified (not done when
   * only unreachable items were pruned).
   */
  setCollectionItems(id: number, items: readonly { fileid: number; added: number }[], touch = true): void {
    this.write(() => {
      this.csql.clearItems!.run(id);
      for (const [i, it] of items.entries()) this.csql.insItem!.run(id, i + 1, it.fileid, it.added);
      if (touch) this.csql.touch!.run(nowSeconds(), id);
    });
  }

  // ---- shares ----------------------------------------------------------------
  // Accepted shares live in a map (every lookup asks `access`); offers and
  // per-sender rules are read straight from the database.

  /**
   * Called by the tree intents (addFolder, addFile, replaceContent,
   * setFileTimes, move, markDeleted) before they change anything; it may
   * throw to refuse the change (the emulator's share permissions).
   */
  writeGuard: ((op: WriteOp) => void) | undefined;

  private shareSqlCache?: Record<string, Database.Statement>;

  private get ssql(): Record<string, Database.Statement> {
    if (!this.shareSqlCache) {
      const p = (sql: string) => this.db.prepare(sql);
      this.shareSqlCache = {
        insRequest: p(
          'INSERT INTO share_requests (code, folderid, owner, tomail, permissions, name, message, created, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        request: p('SELECT * FROM share_requests WHERE id = ?'),
        requestByCode: p('SELECT * FROM share_requests WHERE code = ?'),
        requestsFrom: p('SELECT * FROM share_requests WHERE owner = ? ORDER BY id'),
        requestsTo: p('SELECT * FROM share_requests WHERE tomail = ? COLLATE NOCASE ORDER BY id'),
        requestsOfFolder: p('SELECT * FROM share_requests WHERE folderid = ? ORDER BY id'),
        delRequest: p('DELETE FROM share_requests WHERE id = ?'),
        insShare: p(
          'INSERT INTO shares (folderid, owner, touserid, permissions, sharename, mountparent, name, message, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        ),
        shareById: p('SELECT * FROM shares WHERE id = ?'),
        delShare: p('DELETE FROM shares WHERE id = ?'),
        setPerms: p('UPDATE shares SET permissions = ? WHERE id = ?'),
        moveMount: p('UPDATE shares SET mountparent = ?, name = ? WHERE id = ?'),
        rule: p('SELECT * FROM share_rules WHERE userid = ? AND fromuserid = ?'),
        setRule: p('INSERT OR REPLACE INTO share_rules (userid, fromuserid, rule, folderid) VALUES (?, ?, ?, ?)'),
        delUserShares: p('DELETE FROM shares WHERE owner = ? OR touserid = ?'),
        delUserRequests: p('DELETE FROM share_requests WHERE owner = ?'),
        delUserRules: p('DELETE FROM share_rules WHERE userid = ? OR fromuserid = ?'),
        insEventShare: p('INSERT INTO event_shares (diffid, share) VALUES (?, ?)'),
        eventShare: p('SELECT share FROM event_shares WHERE diffid = ?').pluck(),
      };
    }
    return this.shareSqlCache;
  }

  /**
   * What `userid` may do in folder `folderId` (internal id): everything in
   * their own tree, the bits of an accepted share inside it (the share's
   * folder or any folder below), undefined when neither. The one ownership
   * check every lookup and write goes through.
   */
  access(userid: number, folderId: number): Access | undefined {
    const f = this.foldersMap.get(folderId);
    if (!f) return undefined;
    if (f.owner === userid) return { owner: userid, perms: PERM_ALL };
    for (let cur: FolderRec | undefined = f; cur; cur = cur.parent === null ? undefined : this.foldersMap.get(cur.parent)) {
      for (const sh of this.sharesMap.values()) {
        if (sh.folderid === cur.id && sh.touserid === userid) return { owner: f.owner, perms: sh.permissions, share: sh };
      }
    }
    return undefined;
  }

  /** Accepted shares (every one, or those of a folder). */
  shares(folderId?: number): ShareRec[] {
    const all = [...this.sharesMap.values()];
    return folderId === undefined ? all : all.filter((sh) => sh.folderid === folderId);
  }

  share(id: number): ShareRec | undefined {
    return this.sharesMap.get(id);
  }

  /** The share `userid` has of folder `folderId` itself (its mount), if any. */
  mountOf(userid: number, folderId: number): ShareRec | undefined {
    for (const sh of this.sharesMap.values()) if (sh.folderid === folderId && sh.touserid === userid) return sh;
    return undefined;
  }

  /** Shares mounted in `userid`'s folder `parentId` (by `name` when given). */
  mountsIn(userid: number, parentId: number, name?: string): ShareRec[] {
    return [...this.sharesMap.values()].filter(
      (sh) => sh.touserid === userid && sh.mountparent === parentId && (name === undefined || sh.name === name),
    );
  }

  shareRequest(id: number): ShareRequestRec | undefined {
    const r = this.ssql.request!.get(id);
    return r === undefined ? undefined : toShareRequest(r);
  }

  shareRequestByCode(code: string): ShareRequestRec | undefined {
    const r = this.ssql.requestByCode!.get(code);
    return r === undefined ? undefined : toShareRequest(r);
  }

  /** Offers sent by a user (`from`), to an address (`to`), or of a folder. */
  shareRequests(q: { from: number } | { to: string } | { folderId: number }): ShareRequestRec[] {
    const rows =
      'from' in q
        ? this.ssql.requestsFrom!.all(q.from)
        : 'to' in q
          ? this.ssql.requestsTo!.all(q.to)
          : this.ssql.requestsOfFolder!.all(q.folderId);
    return rows.map(toShareRequest);
  }

  createShareRequest(rec: Omit<ShareRequestRec, 'id' | 'code'>): ShareRequestRec {
    return this.write(() => {
      const code = randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
      const info = this.ssql.insRequest!.run(
        code,
        rec.folderid,
        rec.owner,
        rec.tomail,
        rec.permissions,
        rec.name,
        rec.message ?? null,
        rec.created,
        rec.expires,
      );
      return this.shareRequest(Number(info.lastInsertRowid))!;
    });
  }

  dropShareRequest(id: number): void {
    this.write(() => this.ssql.delRequest!.run(id));
  }

  /** Turns an offer into an accepted share mounted in the recipient's folder `mountparent` as `name`. */
  acceptShareRequest(req: ShareRequestRec, touserid: number, mountparent: number, name: string): ShareRec {
    return this.write(() => {
      this.ssql.delRequest!.run(req.id);
      const info = this.ssql.insShare!.run(
        req.folderid,
        req.owner,
        touserid,
        req.permissions,
        req.name,
        mountparent,
        name,
        req.message ?? null,
        nowSeconds(),
      );
      const sh = toShare(this.ssql.shareById!.get(Number(info.lastInsertRowid)));
      this.sharesMap.set(sh.id, sh);
      return sh;
    });
  }

  removeShare(id: number): void {
    this.write(() => {
      this.ssql.delShare!.run(id);
      this.sharesMap.delete(id);
    });
  }

  setSharePermissions(id: number, permissions: number): ShareRec {
    const sh = this.sharesMap.get(id);
    if (!sh) throw new Error(`unknown share ${id}`);
    return this.write(() => {
      this.ssql.setPerms!.run(permissions, id);
      sh.permissions = permissions;
      return sh;
    });
  }

  /** Puts an accepted share at another place (`mountparent`, a folder of the recipient) or name in the recipient's tree. */
  moveMount(id: number, mountparent: number, name: string): void {
    const sh = this.sharesMap.get(id);
    if (!sh) throw new Error(`unknown share ${id}`);
    this.write(() => {
      this.ssql.moveMount!.run(mountparent, name, id);
      sh.mountparent = mountparent;
      sh.name = name;
    });
  }

  /** A recipient's rule for offers from `fromuserid`: accept `always` (into `folderid`) or `block`. */
  shareRule(userid: number, fromuserid: number): { rule: 'always' | 'block'; folderid?: number } | undefined {
    const r = this.ssql.rule!.get(userid, fromuserid) as Row | undefined;
    if (!r) return undefined;
    return { rule: r.rule as 'always' | 'block', ...(r.folderid !== null ? { folderid: r.folderid as number } : {}) };
  }

  setShareRule(userid: number, fromuserid: number, rule: 'always' | 'block', folderid?: number): void {
    this.write(() => this.ssql.setRule!.run(userid, fromuserid, rule, folderid ?? null));
  }

  /** `create*` events for a node and, for a folder, everything in it, to one user (it came into their view). */
  emitTree(userid: number, node: NodeRec): void {
    this.write(() => {
      this.emit(userid, node.kind === 'folder' ? 'createfolder' : 'createfile', node, undefined, false);
      if (node.kind === 'file') return;
      const inside = this.liveTree(node.id);
      for (const f of inside.folders) this.emit(userid, 'createfolder', f, undefined, false);
      for (const f of inside.files) this.emit(userid, 'createfile', f, undefined, false);
    });
  }

  /** Recipients of accepted shares that hold `node` (the share's folder or anything below it). */
  private shareViewers(node: NodeRec): number[] {
    if (this.sharesMap.size === 0) return [];
    const folderId = node.kind === 'folder' ? node.id : node.parent;
    const out = new Set<number>();
    for (const sh of this.sharesMap.values()) if (this.isWithin(folderId, sh.folderid)) out.add(sh.touserid);
    return [...out];
  }

  /** An event row with the share object of a share event. */
  private eventOf(row: unknown): EventRec {
    const e = toEvent(row);
    if (e.event.includes('share')) {
      const json = this.ssql.eventShare!.get(e.diffid) as string | undefined;
      if (json !== undefined) e.share = JSON.parse(json) as SharePayload;
    }
    return e;
  }

  /** Drops every share, offer and rule a user is part of (account deletion). */
  private dropUserShares(userid: number): void {
    this.ssql.delUserShares!.run(userid, userid);
    this.ssql.delUserRequests!.run(userid);
    this.ssql.delUserRules!.run(userid, userid);
    for (const [id, sh] of this.sharesMap) if (sh.owner === userid || sh.touserid === userid) this.sharesMap.delete(id);
  }

  // ---- events --------------------------------------------------------------

  /** Appends an event to the user's diff history (trimmed to `historyLimit`). */
  emit(userid: number, event: string, node?: NodeRec, share?: SharePayload, toViewers = true): EventRec {
    return this.write(() => {
      // users who see the node through a share they accepted get the same event
      if (node && toViewers) for (const uid of this.shareViewers(node)) if (uid !== userid) this.emit(uid, event, node, undefined, false);
      const rec: EventRec = { diffid: this.next('diffid'), userid, event, time: nowSeconds() };
      if (share) rec.share = share;
      const user = event === 'modifyuserinfo' ? this.usersMap.get(userid) : undefined;
      // the account as it is now: later changes must not rewrite this event
      if (user) rec.userinfo = this.userSnapshot(user, rec.time);
      let json: string | null = null;
      if (node) {
        const copy = { ...node, revisions: [] } as NodeRec;
        if (copy.kind === 'folder') delete (copy as { revisions?: unknown }).revisions;
        rec.node = copy;
        json = JSON.stringify(copy);
      }
      const info = rec.userinfo ? JSON.stringify(rec.userinfo) : null;
      this.st.insEvent!.run(rec.diffid, userid, event, rec.time, node?.kind ?? null, node?.id ?? null, json, info);
      if (share) this.ssql.insEventShare!.run(rec.diffid, JSON.stringify(share));
      let count = (this.eventCounts.get(userid) ?? 0) + 1;
      // trim in steps of a tenth of the limit, so trimming costs O(1) per event on average
      if (count > this.historyLimit + Math.max(1, Math.floor(this.historyLimit / 10))) {
        const floor = this.st.nthNewest!.get(userid, this.historyLimit) as number;
        this.st.trimEvents!.run(userid, floor);
        this.st.setFloor!.run(floor, userid);
        this.floors.set(userid, floor);
        count = this.historyLimit;
      }
      this.eventCounts.set(userid, count);
      this.pendingEvents.push(rec);
      return rec;
    });
  }

  /** The account fields a `modifyuserinfo` event carries, as they are at `at`. */
  userSnapshot(u: UserRec, at = nowSeconds()): UserSnapshot {
    const expires = premiumExpires(u, at);
    return {
      userid: u.userid,
      email: u.email,
      emailverified: u.emailverified,
      premium: u.premium,
      ...(expires !== undefined ? { premiumexpires: expires } : {}),
      language: u.language,
      quota: u.quota,
      usedquota: this.usedQuota(u.userid),
    };
  }
}

function nameKey(n: NodeRec): string {
  return `${n.kind === 'folder' ? 'd' : 'f'}${n.parent}/${n.name}`;
}

function toEvent(row: unknown): EventRec {
  const r = row as Row;
  const e: EventRec = { diffid: r.diffid as number, userid: r.userid as number, event: r.event as string, time: r.time as number };
  if (r.node !== null) e.node = JSON.parse(r.node as string) as NodeRec;
  if (r.userinfo !== null && r.userinfo !== undefined) e.userinfo = JSON.parse(r.userinfo as string) as UserSnapshot;
  return e;
}

/** An upload link: anonymous uploads into a folder of its owner. Times in Unix seconds. */
export interface UploadLinkRec {
  readonly id: number;
  readonly code: string;
  readonly userid: number;
  /** Internal id of the target folder. */
  readonly folderid: number;
  readonly comment: string;
  readonly created: number;
  readonly modified: number;
  readonly expires?: number;
  readonly maxspace?: number;
  readonly maxfiles?: number;
  /** Files received so far. */
  readonly files: number;
  /** Bytes received so far. */
  readonly space: number;
  readonly deleted: boolean;
}

function toUploadLink(row: unknown): UploadLinkRec {
  const r = row as Row;
  return {
    id: r.id as number,
    code: r.code as string,
    userid: r.userid as number,
    folderid: r.folderid as number,
    comment: r.comment as string,
    created: r.created as number,
    modified: r.modified as number,
    ...(r.expires !== null ? { expires: r.expires as number } : {}),
    ...(r.maxspace !== null ? { maxspace: r.maxspace as number } : {}),
    ...(r.maxfiles !== null ? { maxfiles: r.maxfiles as number } : {}),
    files: r.files as number,
    space: r.space as number,
    deleted: r.deleted === 1,
  };
}

function toShare(row: unknown): Mut<ShareRec> {
  const r = row as Row;
  return {
    id: r.id as number,
    folderid: r.folderid as number,
    owner: r.owner as number,
    touserid: r.touserid as number,
    permissions: r.permissions as number,
    sharename: r.sharename as string,
    mountparent: r.mountparent as number,
    name: r.name as string,
    ...(r.message !== null ? { message: r.message as string } : {}),
    created: r.created as number,
  };
}

function toShareRequest(row: unknown): ShareRequestRec {
  const r = row as Row;
  return {
    id: r.id as number,
    code: r.code as string,
    folderid: r.folderid as number,
    owner: r.owner as number,
    tomail: r.tomail as string,
    permissions: r.permissions as number,
    name: r.name as string,
    ...(r.message !== null ? { message: r.message as string } : {}),
    created: r.created as number,
    expires: r.expires as number,
  };
}

/** A collection (playlist) of a user. `type`: 0 generic, 1 audio. */
export interface CollectionRec {
  readonly id: number;
  readonly userid: number;
  readonly name: string;
  readonly type: number;
  /** Made by the server; cannot be renamed or deleted. */
  readonly system: boolean;
  readonly created: number;
  readonly modified: number;
}

/** One file in a collection. */
export interface CollectionItem {
  readonly fileid: number;
  /** 1-based place in the collection. */
  readonly position: number;
  /** Unix seconds when it was linked. */
  readonly added: number;
}

function toCollection(row: unknown): CollectionRec {
  const r = row as Row;
  return {
    id: r.id as number,
    userid: r.userid as number,
    name: r.name as string,
    type: r.type as number,
    system: r.system === 1,
    created: r.created as number,
    modified: r.modified as number,
  };
}
