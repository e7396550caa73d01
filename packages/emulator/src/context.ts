import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable } from 'node:stream';
import type { ConnectionState } from './connection.js';
import type { EmulatorCore } from './core.js';
import { ApiError } from './errors.js';
import type { Body, Value } from './json.js';
import type { Params } from './params.js';
import type { FileRec, FolderRec, Store, TokenRec, UserRec, Version } from './store.js';
import { formatRfc2822 } from './time.js';

/** One uploaded file as a transport hands it over. */
export interface UploadPart {
  filename: string;
  stream: Readable;
  size?: number;
}

/** A raw-bytes answer (gettextfile, fileops reads, ...). */
export class DataReply {
  constructor(
    readonly stream: Readable,
    readonly length: number,
    readonly contentType: string,
    readonly filename?: string,
    /** JSON fields to send along where the transport has room (binary). */
    readonly body: Body = {},
  ) {}
}

/** What a method handler returns: a reply object or raw bytes. */
export type HandlerResult = Body | DataReply;

/** A method implementation. */
export type Handler = (c: CallContext) => HandlerResult | Promise<HandlerResult>;

/** A method group: method name -> handler. */
export type MethodGroup = Readonly<Record<string, Handler>>;

/** Transport facts the upload progress reporting can use. */
export interface TransportInfo {
  /** Bytes the whole request body will have (HTTP Content-Length), if known. */
  bodyLength?: number;
  /** Bytes of the request body received so far. */
  bodyReceived?: () => number;
  /** Value of the User-Agent (or similar) for token "device" names. */
  device?: string;
}

/** The call a handler runs for (the dispatcher enters it), so the store's write guard knows who is writing. */
export const currentCall = new AsyncLocalStorage<CallContext>();

/** RFC 2822 texts of recent datetimes, by unix seconds. */
const dateTexts = new Map<number, string>();

/** Everything a handler needs about the call being served. */
export class CallContext {
  user: UserRec | undefined;
  /** Token used to log in on this call (auth or OAuth). */
  token: TokenRec | undefined;
  /** Set when this call logged in with credentials (not a sticky connection). */
  freshLogin = false;
  /** The descriptor number a `file_open` call took (the dispatcher assigns it first thing). */
  fdNumber: number | undefined;
  readonly timestamps: boolean;

  constructor(
    readonly core: EmulatorCore,
    readonly conn: ConnectionState,
    readonly method: string,
    readonly params: Params,
    readonly files: AsyncIterable<UploadPart> | undefined,
    readonly data: Readable | undefined,
    readonly transport: TransportInfo,
  ) {
    this.timestamps = params.str('timeformat') === 'timestamp';
  }

  get store(): Store {
    return this.core.store;
  }

  requireUser(): UserRec {
    if (!this.user) throw new ApiError(1000);
    return this.user;
  }

  /** A datetime in the reply's chosen format. */
  time(seconds: number): Value {
    if (this.timestamps) return seconds;
    // the files of a listing share few distinct dates: each is formatted once
    let text = dateTexts.get(seconds);
    if (text === undefined) {
      if (dateTexts.size >= 4096) dateTexts.clear();
      text = formatRfc2822(seconds);
      dateTexts.set(seconds, text);
    }
    return text;
  }

  // ---- lookups -------------------------------------------------------------

  /** Public id of a folder: 0 for the user's root. */
  publicFolderId(internalId: number): number {
    const f = this.store.folders.get(internalId);
    if (f && f.parent === null) return 0;
    return internalId;
  }

  /** A folder of the current user by public id, or 2005. */
  folderById(id: number, notFound = 2005): FolderRec {
    const user = this.requireUser();
    if (id === 0) return this.store.folders.get(user.rootId)!;
    const f = this.store.folders.get(id);
    if (!f || f.deleted || f.parent === null || !this.store.access(user.userid, f.id)) throw new ApiError(notFound);
    return f;
  }

  /** A file of the current user by id, or 2009. */
  fileById(id: number): FileRec {
    const user = this.requireUser();
    const f = this.store.files.get(id);
    if (!f || f.deleted || !this.store.access(user.userid, f.parent)) throw new ApiError(2009);
    return f;
  }

  /** Absolute path of a node as the current user sees it (shares they accepted at their place in the user's tree). */
  pathOf(n: FileRec | FolderRec): string {
    return this.store.pathOf(n, this.user?.userid);
  }

  /** Splits an absolute path into components; 2010 when it is not absolute. */
  splitPath(path: string): string[] {
    if (!path.startsWith('/')) throw new ApiError(2010);
    const parts = path.split('/').filter((p) => p !== '');
    return parts;
  }

  /** Walks folder names from the root; a missing component gives `missing`. */
  walk(parts: string[], missing: number): FolderRec {
    const user = this.requireUser();
    let cur = this.store.folders.get(user.rootId)!;
    for (const name of parts) {
      const next = this.childFolder(cur.id, name);
      if (!next) throw new ApiError(missing);
      cur = next;
    }
    return cur;
  }

  /** A child folder by name as the current user sees it: their own folders and the shares mounted there. */
  childFolder(parentId: number, name: string): FolderRec | undefined {
    const own = this.store.findChildFolder(parentId, name);
    if (own || !this.user) return own;
    const mount = this.store.mountsIn(this.user.userid, parentId, name)[0];
    const f = mount && this.store.folders.get(mount.folderid);
    return f && !f.deleted ? f : undefined;
  }

  folderByPath(path: string): FolderRec {
    const parts = this.splitPath(path);
    const parent = this.walk(parts.slice(0, -1), 2002);
    if (parts.length === 0) return parent;
    const f = this.childFolder(parent.id, parts[parts.length - 1]!);
    if (!f) throw new ApiError(2005);
    return f;
  }

  fileByPath(path: string): FileRec {
    const parts = this.splitPath(path);
    if (parts.length === 0) throw new ApiError(2009);
    const parent = this.walk(parts.slice(0, -1), 2002);
    const f = this.store.findChildFile(parent.id, parts[parts.length - 1]!);
    if (!f) throw new ApiError(2009);
    return f;
  }

  /** Folder named by `folderid` or `path` (the usual one-of pair); `missing` when neither. */
  targetFolder(missing: number, idName = 'folderid', pathName = 'path'): { folder: FolderRec; byPath: string | undefined } {
    const id = this.params.int(idName);
    if (id !== undefined) return { folder: this.folderById(id), byPath: undefined };
    const path = this.params.str(pathName);
    if (path !== undefined) return { folder: this.folderByPath(path), byPath: path };
    throw new ApiError(missing);
  }

  /** File named by `fileid` or `path`; 1004 when neither. */
  targetFile(idName = 'fileid', pathName = 'path'): { file: FileRec; byPath: string | undefined } {
    const id = this.params.int(idName);
    if (id !== undefined) return { file: this.fileById(id), byPath: undefined };
    const path = this.params.str(pathName);
    if (path !== undefined) return { file: this.fileByPath(path), byPath: path };
    throw new ApiError(1004);
  }

  /** The content version selected by the global `revisionid` (current by default). */
  version(file: FileRec): Version {
    const rid = this.params.int('revisionid');
    if (rid === undefined || rid === file.current.revisionid) return file.current;
    const v = file.revisions.find((r) => r.revisionid === rid);
    if (!v) throw new ApiError(2029);
    return v;
  }
}
