import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobWriteResult } from '../blobs.js';
import { contentHash, isDiskError } from '../blobs.js';
import type { CallContext, MethodGroup, UploadPart } from '../context.js';
import type { ResolveHost, UploadProgress } from '../core.js';
import { ApiError } from '../errors.js';
import type { Body, Value } from '../json.js';
import { typeOf } from '../mime.js';
import { renderFile } from '../render.js';
import type { FileRec, FolderRec, UserRec } from '../store.js';
import { checkName, destination, fileTimes, freeFileName } from './shared.js';

/** Destination folder of an upload: `folderid`, `path` or the root. */
function uploadFolder(c: CallContext): FolderRec {
  const p = c.params;
  const id = p.int('folderid');
  if (id !== undefined) return c.folderById(id);
  const path = p.str('path');
  if (path !== undefined) return c.folderByPath(path);
  return c.folderById(0);
}

/**
 * The account whose quota pays for bytes put under a folder owned by
 * `owner`: inside a share that is the share's owner, not the caller.
 */
export function quotaPayer(c: CallContext, owner: number): UserRec {
  return c.store.users.get(owner) ?? c.requireUser();
}

/** Bytes the account paying for a folder owned by `owner` may still take. */
export function quotaRoom(c: CallContext, owner: number): number {
  const payer = quotaPayer(c, owner);
  return payer.quota - c.store.usedQuota(payer.userid);
}

/**
 * Stores one received file in `folder` under `name` with pCloud's rules:
 * an existing file of that name keeps its fileid and gets a new revision
 * (identical content only touches `modified`), unless `renameifexists`.
 */
export function storeFile(
  c: CallContext,
  folder: FolderRec,
  name: string,
  info: BlobInfo,
  opts: { renameifexists?: boolean; times?: { created?: number; modified?: number }; owner?: UserRec } = {},
): FileRec {
  const store = c.store;
  const user = opts.owner ?? c.requireUser();
  const existing = store.findChildFile(folder.id, name);
  const grows = info.size - (existing && !opts.renameifexists ? existing.current.size : 0);
  // inside a share the file is the owner's: their quota pays
  if (grows > quotaRoom(c, folder.owner)) throw new ApiError(2008);
  const version = store.newVersion(info, contentHash(info.sha1).toString());
  if (existing && !opts.renameifexists) {
    store.replaceContent(existing, version, opts.times);
    return existing;
  }
  const finalName = existing ? freeFileName(c, folder, name) : name;
  return store.addFile(user.userid, folder.id, finalName, version, typeOf(finalName).contenttype, opts.times);
}

function checksums(c: CallContext, info: BlobInfo): Body {
  return c.core.server.checksums(info);
}

function progressKey(c: CallContext, hash: string): string {
  return `${c.requireUser().userid}:${hash}`;
}

/** The call's `progresshash`, when it names one. */
function progressHash(c: CallContext): string | undefined {
  const hash = c.params.str('progresshash');
  return hash === undefined || hash === '' ? undefined : hash;
}

function startProgress(c: CallContext, entry: UploadProgress): UploadProgress | undefined {
  const hash = progressHash(c);
  return hash === undefined ? undefined : trackProgress(c, progressKey(c, hash), entry);
}

function finishProgress(c: CallContext, entry: UploadProgress | undefined): void {
  if (entry) endProgress(c, progressKey(c, progressHash(c)!), entry);
}

/** Files the poll methods can find under `key` (uploadprogress, uploadlinkprogress, uploadtransferprogress). */
export function trackProgress(c: CallContext, key: string, entry: UploadProgress): UploadProgress {
  c.core.progress.set(key, entry);
  return entry;
}

/** Marks an upload finished; its entry stays readable for ten minutes. */
export function endProgress(c: CallContext, key: string, entry: UploadProgress): void {
  entry.finished = true;
  const t = setTimeout(() => {
    if (c.core.progress.get(key) === entry) c.core.progress.delete(key);
  }, 10 * 60_000);
  t.unref();
}

/** The progress poll answer of an upload entry (`files` only where the method lists them). */
export function progressReply(e: UploadProgress, withFiles: boolean): Body {
  const out: Body = { total: e.total, uploaded: e.uploaded(), filenumber: e.filenumber, finished: e.finished };
  if (withFiles) out.files = e.files;
  if (e.currentfile !== undefined) out.currentfile = e.currentfile;
  if (e.currentfileuploaded !== undefined) out.currentfileuploaded = e.currentfileuploaded;
  return out;
}

async function* singlePut(c: CallContext, data: Readable, defaultName = ''): AsyncIterable<UploadPart> {
  yield { filename: c.params.str('filename') ?? defaultName, stream: data };
}

/** What `receiveFiles` needs from the method that takes the files. */
export interface Receiver {
  /** Where the progress methods find this upload (none: not tracked). */
  progressKey?: string;
  /** Bytes the next file may have before `overLimit` answers. */
  maxBytes: () => number;
  /** The answer to a file that grew past `maxBytes`. */
  overLimit: () => ApiError;
  /** Name of a file sent as a raw PUT body without `filename` (none: such a body answers 2001). */
  defaultName?: string;
  /** Checks a part's name before its bytes are read. */
  checkPart?: (name: string) => void;
  /** Keeps one received file (its blob is held until this returns); returns what the progress lists. */
  keep: (name: string, info: BlobInfo) => Value | undefined;
}

/**
 * Reads the call's files (multipart parts, or a PUT body named by
 * `filename`) into blobs one by one and hands each to `r.keep`, with
 * upload progress under `r.progressKey`. A broken upload answers 2041 and
 * keeps nothing of the broken file; a failing disk answers 5000. Returns
 * how many files were kept.
 */
export async function receiveFiles(c: CallContext, r: Receiver): Promise<number> {
  const source: AsyncIterable<UploadPart> | undefined = c.files ?? (c.data ? singlePut(c, c.data, r.defaultName) : undefined);
  let currentBytes = 0;
  let kept = 0;
  const progress =
    r.progressKey === undefined
      ? undefined
      : trackProgress(c, r.progressKey, {
          total: c.transport.bodyLength ?? 0,
          uploaded: c.transport.bodyReceived ?? (() => 0),
          filenumber: 0,
          files: [],
          finished: false,
        });
  try {
    if (!source) return 0;
    for await (const part of source) {
      const name = checkName(part.filename);
      r.checkPart?.(name);
      currentBytes = 0;
      if (progress) {
        progress.filenumber += 1;
        progress.currentfile = name;
        progress.currentfileuploaded = 0;
      }
      let res: BlobWriteResult;
      try {
        res = await c.store.blobs.write(part.stream, {
          maxBytes: r.maxBytes(),
          onBytes: (n) => {
            currentBytes += n;
            if (progress) progress.currentfileuploaded = currentBytes;
          },
        });
      } catch (e) {
        // a failing disk (ENOSPC, EMFILE, EIO) answers 5000; anything else is a broken upload
        if (isDiskError(e)) throw e;
        throw new ApiError(2041);
      }
      try {
        if (res.partial) {
          if (res.error?.message === 'size limit exceeded') throw r.overLimit();
          // an upload that did not complete never creates or replaces a file, whatever nopartial says
          throw new ApiError(2041);
        }
        const listed = r.keep(name, res.info);
        kept += 1;
        if (progress && listed !== undefined) progress.files.push(listed);
      } finally {
        // an upload that was refused or not stored leaves no blob behind
        c.store.releaseBlob(res.info.sha256);
      }
    }
  } finally {
    if (progress) {
      delete progress.currentfile;
      delete progress.currentfileuploaded;
      endProgress(c, r.progressKey!, progress);
    }
  }
  return kept;
}

async function uploadfile(c: CallContext): Promise<Body> {
  c.requireUser();
  const folder = uploadFolder(c);
  const renameifexists = c.params.flag('renameifexists');
  const times = fileTimes(c);
  const fileids: Value[] = [];
  const metadata: Value[] = [];
  const sums: Value[] = [];
  const hash = progressHash(c);
  await receiveFiles(c, {
    ...(hash !== undefined ? { progressKey: progressKey(c, hash) } : {}),
    maxBytes: () => Math.max(0, quotaRoom(c, folder.owner)) + 1,
    overLimit: () => new ApiError(2008),
    keep(name, info) {
      const file = storeFile(c, folder, name, info, { renameifexists, times });
      const meta = renderFile(c, file);
      fileids.push(file.id);
      metadata.push(meta);
      sums.push(checksums(c, info));
      return meta;
    },
  });
  return { fileids, metadata, checksums: sums };
}

/** Loopback, private, link-local and shared (CGNAT) ranges: services a server-side fetch must not reach by default. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
  ['0.0.0.0', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::1', 128],
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** The dotted IPv4 address inside an IPv4-mapped IPv6 address (any spelling), else undefined. */
function mappedIPv4(ip6: string): string | undefined {
  // the URL parser writes every IPv6 address in one canonical form: ::ffff:7f00:1
  const canonical = new URL(`http://[${ip6}]/`).hostname.slice(1, -1);
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!m) return undefined;
  const hi = Number.parseInt(m[1]!, 16);
  const lo = Number.parseInt(m[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP address is in a loopback, private, link-local or shared range (IPv4-mapped IPv6 included). */
function isPrivateAddress(ip: string): boolean {
  const kind = isIP(ip);
  if (kind === 4) return PRIVATE.check(ip, 'ipv4');
  if (kind !== 6) return false;
  const mapped = mappedIPv4(ip);
  return mapped ? PRIVATE.check(mapped, 'ipv4') : PRIVATE.check(ip, 'ipv6');
}

/** `localhost`, or an IP literal in a loopback, private or link-local range. */
function isPrivateHost(u: URL): boolean {
  const h = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isPrivateAddress(h);
}

type Resolved = readonly { address: string; family: number }[];

const systemResolve: ResolveHost = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * The address downloadfile connects to for `u`, checked. The emulator never
 * goes to the internet, and reaches loopback/private/link-local addresses
 * only with the `allowPrivateDownloads` option (`--allow-private-downloads`);
 * otherwise an emulator listening beyond 127.0.0.1 would let any caller reach
 * the services of its host and network. A host name is resolved once, every
 * address it has must be private, and the request then goes to that checked
 * address: a name that answers differently later (DNS rebinding) changes
 * nothing. Refusals are 2003.
 */
async function checkedAddresses(c: CallContext, u: URL): Promise<Resolved> {
  const refuse = (why: string) => new ApiError(2003, { emulator: why });
  if (!c.core.allowPrivateDownloads) {
    // nothing is fetched, and nothing is resolved on a caller's behalf
    if (!isPrivateHost(u))
      throw refuse('the emulator never downloads from the internet, only from private addresses with allowPrivateDownloads');
    throw refuse('downloads from loopback, private and link-local addresses are off (allowPrivateDownloads / --allow-private-downloads)');
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  if (literal) {
    if (isPrivateAddress(host)) return [{ address: host, family: literal }];
    throw refuse('the emulator never downloads from the internet, only from private addresses');
  }
  let addresses: Resolved;
  try {
    addresses = await (c.core.resolveHost ?? systemResolve)(host);
  } catch {
    throw refuse(`${host} does not resolve`);
  }
  if (addresses.length === 0) throw refuse(`${host} does not resolve`);
  if (!addresses.every((a) => isPrivateAddress(a.address)))
    throw refuse(`${host} resolves to a public address: the emulator never downloads from the internet`);
  return addresses;
}

/**
 * GET `url`, connecting only to `addresses` (checked by checkedAddresses):
 * the request's own lookup answers with them instead of asking DNS again.
 */
function fetchLocal(url: URL, addresses: Resolved): Promise<IncomingMessage> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    const wanted = addresses.filter((a) => !options.family || a.family === options.family);
    const list = wanted.length > 0 ? wanted : addresses;
    if (options.all) (callback as (e: null, a: Resolved) => void)(null, list);
    else callback(null, list[0]!.address, list[0]!.family);
  };
  return new Promise((resolve, reject) => {
    const fn = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = fn(url, { method: 'GET', rejectUnauthorized: false, timeout: 30_000, lookup: pinned }, resolve);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function urlFileName(u: URL): string {
  const seg = u.pathname.split('/').filter(Boolean).at(-1);
  if (!seg) return 'index.html';
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

async function downloadInto(c: CallContext, async: boolean): Promise<Body> {
  c.requireUser();
  const p = c.params;
  const urlText = p.needStr('url', 1040);
  const urls: URL[] = [];
  for (const piece of urlText.split(/\s+/).filter(Boolean)) {
    let u: URL;
    try {
      u = new URL(piece);
    } catch {
      throw new ApiError(2003, { emulator: `not a URL: ${piece}` });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ApiError(2003, { emulator: 'only http(s) URLs are downloaded' });
    urls.push(u);
  }
  if (urls.length === 0) throw new ApiError(1040);
  const folder = uploadFolder(c);
  const addresses: Resolved[] = [];
  for (const u of urls) addresses.push(await checkedAddresses(c, u));
  const targets = (p.str('target') ?? '').split(',').map((t) => {
    try {
      return decodeURIComponent(t);
    } catch {
      return t;
    }
  });
  const entry: UploadProgress = {
    total: 0,
    uploaded: () => entry.urls!.reduce((n, u) => n + u.downloaded, 0),
    filenumber: 0,
    files: [],
    finished: false,
    urls: urls.map((u) => ({ url: u.toString(), status: 'waiting', size: 0, downloaded: 0 })),
  };
  const progress = startProgress(c, entry);
  const results: Value[] = [];
  const work = async () => {
    for (const [i, u] of urls.entries()) {
      const slot = entry.urls![i]!;
      slot.status = 'downloading';
      try {
        const res = await fetchLocal(u, addresses[i]!);
        if ((res.statusCode ?? 0) >= 400) {
          res.resume();
          throw new Error(`HTTP ${res.statusCode}`);
        }
        slot.size = Number(res.headers['content-length'] ?? 0);
        const name = checkName(targets[i] || urlFileName(u));
        const w = await c.store.blobs.write(res, { onBytes: (n) => (slot.downloaded += n) });
        let file: FileRec;
        try {
          if (w.partial) throw new ApiError(5001);
          file = storeFile(c, folder, name, w.info);
        } finally {
          c.store.releaseBlob(w.info.sha256);
        }
        const meta = renderFile(c, file);
        slot.status = 'ready';
        slot.metadata = meta;
        results.push(meta);
        entry.files.push(meta);
      } catch (e) {
        slot.status = 'error';
        if (!async) throw e instanceof ApiError ? e : new ApiError(5001);
      }
    }
  };
  if (async) {
    void work().finally(() => finishProgress(c, progress));
    return { metadata: [] };
  }
  try {
    await work();
  } finally {
    finishProgress(c, progress);
  }
  return { metadata: results };
}

export const fileMethods: MethodGroup = {
  uploadfile,

  uploadprogress(c) {
    c.requireUser();
    const hash = c.params.str('progresshash');
    if (hash === undefined || hash === '') throw new ApiError(1900);
    const e = c.core.progress.get(progressKey(c, hash));
    if (!e) throw new ApiError(1900);
    if (e.urls) {
      return {
        urlcount: e.urls.length,
        urlready: e.urls.filter((u) => u.status === 'ready').length,
        urlworking: e.urls.filter((u) => u.status === 'downloading').length,
        finished: e.finished,
        files: e.urls.map((u) => ({
          url: u.url,
          status: u.status,
          size: u.size,
          downloaded: u.downloaded,
          ...(u.metadata ? { metadata: u.metadata } : {}),
        })),
      };
    }
    return progressReply(e, true);
  },

  downloadfile: (c) => downloadInto(c, false),
  downloadfileasync: (c) => downloadInto(c, true),

  copyfile(c) {
    const { file } = c.targetFile();
    const version = c.version(file);
    const dest = destination(c, { parentId: file.parent, name: file.name }, { missingParent: 2002, missingFolder: 2002 });
    if (!dest || (c.params.str('topath') === undefined && c.params.int('tofolderid') === undefined)) throw new ApiError(1016);
    const name = checkName(dest.name);
    const store = c.store;
    const info = store.blobInfo(version.blob)!;
    const times = fileTimes(c);
    const existing = store.findChildFile(dest.folder.id, name);
    if (existing) {
      if (c.params.flag('noover')) throw new ApiError(2004);
      if (existing.id === file.id) {
        // copying a file onto itself only applies mtime/ctime (rclone sets mtimes this way)
        if (times.modified !== undefined)
          store.setFileTimes(existing, { modified: times.modified, ...(times.created !== undefined ? { created: times.created } : {}) });
        return { metadata: renderFile(c, existing) };
      }
      // the file overwritten grows: its owner pays (the share's owner inside a share)
      if (info.size - existing.current.size > quotaRoom(c, existing.owner)) throw new ApiError(2008);
      store.replaceContent(existing, store.newVersion(info, version.hash), times);
      return { metadata: renderFile(c, existing) };
    }
    if (info.size > quotaRoom(c, dest.folder.owner)) throw new ApiError(2008);
    const copy = store.addFile(file.owner, dest.folder.id, name, store.newVersion(info, version.hash), file.contenttype, times);
    return { metadata: renderFile(c, copy) };
  },

  checksumfile(c) {
    const { file, byPath } = c.targetFile();
    const version = c.version(file);
    const info = c.store.blobInfo(version.blob)!;
    return { metadata: renderFile(c, file, { path: byPath }, version), ...c.core.server.checksums(info) };
  },

  deletefile(c) {
    const { file, byPath } = c.targetFile();
    const path = byPath === undefined ? undefined : c.pathOf(file);
    c.store.markDeleted(file);
    return { metadata: renderFile(c, file, { path }) };
  },

  renamefile(c) {
    const { file, byPath } = c.targetFile();
    const dest = destination(c, { parentId: file.parent, name: file.name }, { missingParent: 2002, missingFolder: 2005 });
    if (!dest) throw new ApiError(1037);
    const name = checkName(dest.name);
    const store = c.store;
    const clash = store.findChildFile(dest.folder.id, name);
    // one transaction: the old file goes away, its history joins ours, and ours takes its place
    store.batch(() => {
      if (clash && clash.id !== file.id) store.replaceByRename(file, clash);
      if (dest.folder.id !== file.parent || name !== file.name) store.move(file, dest.folder.id, name);
    });
    // named by path (source or topath): the answer says where the file is now
    const path = byPath !== undefined || c.params.has('topath') ? c.pathOf(file) : undefined;
    const meta = renderFile(c, file, { path });
    store.clearDeletedFileId(file);
    return { metadata: meta };
  },

  stat(c) {
    const { file, byPath } = c.targetFile();
    return { metadata: renderFile(c, file, { path: byPath }, c.version(file)) };
  },
};
