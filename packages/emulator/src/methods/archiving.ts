import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { PasswordError, archiveKind, openArchive, parseTimeOffset, zipStream, type ArchiveMember, type ZipSource } from '../archive.js';
import { isDiskError } from '../blobs.js';
import type { CallContext, MethodGroup } from '../context.js';
import { DataReply } from '../context.js';
import type { EmulatorCore } from '../core.js';
import { sleep } from '../core.js';
import { ApiError } from '../errors.js';
import type { Body } from '../json.js';
import { renderFile } from '../render.js';
import type { ContentLink } from '../link-registry.js';
import type { FileRec, FolderRec } from '../store.js';
import { quotaRoom, storeFile } from './file.js';
import { generalMethods } from './general.js';
import { checkName, destination, freeFileName } from './shared.js';
import { MIN_SPEED } from './streaming.js';

/** How long extractarchive waits for its job before answering with a progress key (pCloud: about two seconds). */
const EXTRACT_WAIT_MS = 2000;
/** Finished jobs stay queryable this long. */
const JOB_KEEP_MS = 10 * 60_000;

interface ZipJob {
  files: number;
  totalfiles: number;
  bytes: number;
  totalbytes: number;
}

interface ExtractJob {
  userid: number;
  output: string[];
  finished: boolean;
  done: Promise<void>;
}

/** The archiving jobs of one emulator, in memory. */
export class ArchiveJobs {
  /** savezip progress by `userid:progresshash`. */
  readonly zips = new Map<string, ZipJob>();
  /** extractarchive jobs by progresshash. */
  readonly extractions = new Map<string, ExtractJob>();
  /** How long extractarchive waits for its job before answering `finished: false` (tests lower it). */
  waitMs = EXTRACT_WAIT_MS;

  private static readonly all = new WeakMap<EmulatorCore, ArchiveJobs>();
  static of(core: EmulatorCore): ArchiveJobs {
    let jobs = ArchiveJobs.all.get(core);
    if (!jobs) {
      jobs = new ArchiveJobs();
      ArchiveJobs.all.set(core, jobs);
    }
    return jobs;
  }

  forgetLater<K>(map: Map<K, unknown>, key: K): void {
    const entry = map.get(key);
    setTimeout(() => {
      if (map.get(key) === entry) map.delete(key);
    }, JOB_KEEP_MS).unref();
  }
}

// ---------------------------------------------------------------------------
// The Tree structure: folderid, folderids, fileids, excludefolderids, excludefileids

function idList(c: CallContext, name: string, code: number): number[] {
  const items = c.params.list(name) ?? [];
  return items.map((x) => {
    if (!/^\d+$/.test(x)) throw new ApiError(code);
    return Number(x);
  });
}

/**
 * Where the Tree params' ids are looked up: the caller's own folders and
 * files by default; a public link passes its own view (only what it holds)
 * and what it holds as a whole, used when the call names no tree.
 */
export interface TreeScope {
  folder(id: number): FolderRec;
  file(id: number): FileRec;
  whole: { folderid?: number; folderids: number[]; fileids: number[] };
  /** Folders and files left out wherever they are (on top of the call's own exclusions). */
  exclude?: { folderids: readonly number[]; fileids: readonly number[] };
}

/** The archive's entries for the Tree params, folders before their contents; none given is an empty tree (or the scope's whole). */
export function treeEntries(c: CallContext, scope?: TreeScope): ZipSource[] {
  if (!scope) c.requireUser();
  const folderById = scope ? scope.folder : (id: number) => c.folderById(id);
  const fileById = scope ? scope.file : (id: number) => c.fileById(id);
  const store = c.store;
  let folderid = c.params.int('folderid');
  let folderids = idList(c, 'folderids', 1017);
  let fileids = idList(c, 'fileids', 1018);
  if (scope && folderid === undefined && folderids.length === 0 && fileids.length === 0) {
    ({ folderid, folderids, fileids } = scope.whole);
  }
  const skipFolders = new Set([...idList(c, 'excludefolderids', 1017), ...(scope?.exclude?.folderids ?? [])]);
  const skipFiles = new Set([...idList(c, 'excludefileids', 1018), ...(scope?.exclude?.fileids ?? [])]);
  const out: ZipSource[] = [];
  const taken = new Set<string>();
  const unique = (path: string): string => {
    if (!taken.has(path)) {
      taken.add(path);
      return path;
    }
    const dot = path.lastIndexOf('.');
    const slash = path.lastIndexOf('/');
    const cut = dot > slash + 1 ? dot : path.length;
    for (let i = 2; ; i++) {
      const candidate = `${path.slice(0, cut)} (${i})${path.slice(cut)}`;
      if (!taken.has(candidate)) {
        taken.add(candidate);
        return candidate;
      }
    }
  };
  const addFile = (file: FileRec, path: string) => {
    if (skipFiles.has(file.id)) return;
    const v = file.current;
    out.push({ path: unique(path), modified: file.modified, size: v.size, open: () => store.blobs.open(v.blob) });
  };
  // a walk with its own stack (a tree can be deeper than the call stack), in the order a
  // recursive one takes: a folder, everything below its subfolders, then its files
  type Step = { folder: FolderRec; path: string; whole: boolean } | { file: FileRec; path: string };
  const walk = (first: Step) => {
    const todo: Step[] = [first];
    for (let step = todo.pop(); step; step = todo.pop()) {
      if ('file' in step) {
        addFile(step.file, step.path);
        continue;
      }
      let prefix = step.path;
      if (step.whole) {
        if (skipFolders.has(step.folder.id)) continue;
        const name = unique(step.path);
        out.push({ path: name, modified: step.folder.modified });
        prefix = `${name}/`;
      }
      const files = store.subfiles(step.folder.id);
      for (let i = files.length - 1; i >= 0; i--) todo.push({ file: files[i]!, path: `${prefix}${files[i]!.name}` });
      const subs = store.subfolders(step.folder.id);
      for (let i = subs.length - 1; i >= 0; i--) todo.push({ folder: subs[i]!, path: `${prefix}${subs[i]!.name}`, whole: true });
    }
  };
  const addContents = (folder: FolderRec, prefix: string) => walk({ folder, path: prefix, whole: false });
  const addFolder = (folder: FolderRec, path: string) => walk({ folder, path, whole: true });
  if (folderid !== undefined) {
    const folder = folderById(folderid);
    if (!skipFolders.has(c.publicFolderId(folder.id))) addContents(folder, '');
  }
  for (const id of folderids) {
    const folder = folderById(id);
    addFolder(folder, folder.parent === null ? 'pCloud' : folder.name);
  }
  for (const id of fileids) {
    const file = fileById(id);
    addFile(file, file.name);
  }
  return out;
}

export function timeOffset(c: CallContext): number {
  const offset = parseTimeOffset(c.params.str('timeoffset'));
  return offset === undefined || Number.isNaN(offset) ? 0 : offset;
}

function zipName(c: CallContext): string | undefined {
  const name = c.params.str('filename');
  return name === undefined || name === '' ? undefined : name;
}

/** A ZIP's byte count without reading any file: yazl works it out from the entry sizes. */
async function zipSize(entries: readonly ZipSource[], offset: number): Promise<number> {
  const { stream, size } = zipStream(
    entries.map((e) => ({ path: e.path, modified: e.modified, ...(e.open ? { size: e.size, open: () => emptyStream() } : {}) })),
    { offset },
  );
  const total = await size;
  stream.on('error', () => {});
  stream.destroy();
  return total;
}

/** Stands in for a file while only the size is wanted: the sizing archive is dropped before it is read. */
function emptyStream(): PassThrough {
  return new PassThrough();
}

// ---------------------------------------------------------------------------
// Where the job runs: extractarchive names the server as currentserver does (a bare
// host name, the same for both transports); clients send the progress calls there,
// on the port they already use.

function jobHost(c: CallContext): Body {
  return generalMethods.currentserver!(c) as Body;
}

// ---------------------------------------------------------------------------
// extractarchive

function memberParts(path: string): string[] | undefined {
  const parts = path.split(/[/\\]/).filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return undefined;
  return parts;
}

async function runExtraction(
  c: CallContext,
  members: AsyncIterable<ArchiveMember>,
  target: FolderRec,
  mode: 'rename' | 'overwrite' | 'skip',
  output: string[],
): Promise<void> {
  const store = c.store;
  const user = c.requireUser();
  let files = 0;
  let folders = 0;
  const folderFor = (parts: readonly string[]): FolderRec => {
    let cur = target;
    for (const name of parts) {
      checkName(name);
      const next = store.findChildFolder(cur.id, name);
      if (next) cur = next;
      else {
        cur = store.addFolder(user.userid, cur.id, name);
        folders++;
      }
    }
    return cur;
  };
  for await (const m of members) {
    const parts = memberParts(m.path);
    try {
      if (!parts || parts.length === 0) throw new ApiError(2001);
      if (m.directory) {
        folderFor(parts);
        continue;
      }
      const folder = folderFor(parts.slice(0, -1));
      const name = checkName(parts[parts.length - 1]);
      const existing = store.findChildFile(folder.id, name);
      if (existing && mode === 'skip') {
        m.data?.resume();
        output.push(`skipped: ${m.path} (exists)`);
        continue;
      }
      const written = await store.blobs.write(m.data!);
      try {
        if (written.partial) throw written.error ?? new Error('archive member cut short');
        const finalName = existing && mode === 'rename' ? freeFileName(c, folder, name) : name;
        storeFile(c, folder, finalName, written.info, m.modified !== undefined ? { times: { modified: m.modified } } : {});
      } finally {
        store.releaseBlob(written.info.sha256);
      }
      files++;
      output.push(`extracting: ${m.path}`);
    } catch (e) {
      m.data?.resume();
      if (isDiskError(e)) throw e;
      if (e instanceof ApiError && e.code === 2008) {
        output.push(`error: ${m.path}: over quota, stopping`);
        break;
      }
      output.push(`error: ${m.path}: ${e instanceof ApiError ? e.message : (e as Error).message}`);
    }
  }
  output.push(`done: ${files} files, ${folders} folders`);
}

async function extractarchive(c: CallContext): Promise<Body> {
  const user = c.requireUser();
  const { file } = c.targetFile();
  const p = c.params;
  const toid = p.int('tofolderid');
  const topath = p.str('topath');
  let target: FolderRec;
  // a destination that does not exist: 2002, as for the other methods that write into a folder (copyfile, savezip)
  if (toid !== undefined) target = c.folderById(toid, 2002);
  else if (topath !== undefined) target = c.walk(c.splitPath(topath), 2002);
  else throw new ApiError(1016);
  const modeText = p.str('overwrite') || 'rename';
  if (modeText !== 'rename' && modeText !== 'overwrite' && modeText !== 'skip')
    throw new ApiError(2003, { emulator: "overwrite must be 'rename', 'overwrite' or 'skip'" });
  const version = c.version(file);
  const blobPath = c.store.blobs.pathOf(version.blob);
  const head = Buffer.concat(
    (await c.store.blobs.open(version.blob, { start: 0, end: Math.min(version.size, 512) - 1 }).toArray()) as Buffer[],
  );
  const output: string[] = [];
  const jobs = ArchiveJobs.of(c.core);
  const kind = version.size > 0 ? archiveKind(head) : undefined;
  let work: Promise<void>;
  if (!kind) {
    output.push(`error: ${file.name}: not a ZIP, TAR or TAR.GZ archive`);
    work = Promise.resolve();
  } else {
    let archive: Awaited<ReturnType<typeof openArchive>>;
    try {
      archive = await openArchive(blobPath, kind, p.str('password'));
      await archive.check().catch(async (e: unknown) => {
        await archive.close();
        throw e;
      });
    } catch (e) {
      if (e instanceof PasswordError) throw new ApiError(7009);
      output.push(`error: ${file.name}: ${(e as Error).message}`);
      archive = undefined as never;
    }
    work = archive
      ? runExtraction(c, archive.members(), target, modeText, output)
          .catch((e: unknown) => {
            output.push(`error: ${e instanceof PasswordError ? 'wrong password' : (e as Error).message}`);
          })
          .finally(() => archive.close())
      : Promise.resolve();
  }
  const job: ExtractJob = { userid: user.userid, output, finished: false, done: Promise.resolve() };
  job.done = work.then(() => {
    job.finished = true;
  });
  const hash = randomBytes(16).toString('hex');
  jobs.extractions.set(hash, job);
  void job.done.then(() => jobs.forgetLater(jobs.extractions, hash));
  await Promise.race([job.done, sleep(jobs.waitMs)]);
  const lines = output.length;
  const answer: Body = { finished: job.finished, lines };
  if (!p.flag('nooutput')) answer.output = output.slice(0, lines);
  // the key comes with every answer, so the output can be read again later; pCloud gives it at least when not finished
  Object.assign(answer, { progresshash: hash }, jobHost(c));
  return answer;
}

// ---------------------------------------------------------------------------
// savezip

/** savezip; `given`: the entries of another scope (savepubzip), stored all the same into the caller's account. */
export async function savezip(c: CallContext, given?: ZipSource[]): Promise<Body> {
  const user = c.requireUser();
  const entries = given ?? treeEntries(c);
  const dest = destination(
    c,
    { parentId: c.store.folders.get(user.rootId)!.id, name: 'archive.zip' },
    { missingParent: 2002, missingFolder: 2002 },
  );
  if (!dest || (c.params.str('topath') === undefined && c.params.int('tofolderid') === undefined)) throw new ApiError(1016);
  const name = checkName(dest.name);
  if (c.store.findChildFile(dest.folder.id, name) || c.store.findChildFolder(dest.folder.id, name)) throw new ApiError(2004);
  const jobs = ArchiveJobs.of(c.core);
  const hash = c.params.str('progresshash');
  const progress: ZipJob = {
    files: 0,
    totalfiles: entries.filter((e) => e.open).length,
    bytes: 0,
    totalbytes: entries.reduce((n, e) => n + (e.size ?? 0), 0),
  };
  const key = hash ? `${user.userid}:${hash}` : undefined;
  if (key) jobs.zips.set(key, progress);
  try {
    const { stream } = zipStream(entries, {
      offset: timeOffset(c),
      onBytes: (n) => (progress.bytes += n),
      onFileDone: () => (progress.files += 1),
    });
    // the zip is stored in dest.folder: its owner pays (the share's owner inside a share)
    const maxBytes = Math.max(0, quotaRoom(c, dest.folder.owner)) + 1;
    const written = await c.store.blobs.write(stream, { maxBytes });
    try {
      if (written.partial) throw written.error?.message === 'size limit exceeded' ? new ApiError(2008) : new ApiError(5000);
      const saved = storeFile(c, dest.folder, name, written.info);
      return { metadata: renderFile(c, saved) };
    } finally {
      c.store.releaseBlob(written.info.sha256);
    }
  } finally {
    if (key) jobs.forgetLater(jobs.zips, key);
  }
}

/** getzip's answer: the archive of `entries`, streamed. */
export async function zipReply(c: CallContext, entries: ZipSource[]): Promise<DataReply> {
  const { stream, size } = zipStream(entries, { offset: timeOffset(c) });
  const forcedownload = c.params.flag('forcedownload');
  const filename = zipName(c) ?? (forcedownload ? 'archive.zip' : undefined);
  return new DataReply(stream, await size, forcedownload ? 'application/octet-stream' : 'application/zip', filename);
}

/** getziplink's answer: a content link that makes the archive of `entries` (files of `userid`) for each download. */
export async function zipLink(
  c: CallContext,
  entries: ZipSource[],
  userid: number,
  extra: Pick<ContentLink, 'publink'> = {},
): Promise<Body> {
  const offset = timeOffset(c);
  const name = zipName(c) ?? 'archive.zip';
  const maxspeed = c.params.int('maxspeed');
  if (maxspeed !== undefined && maxspeed < MIN_SPEED) throw new ApiError(2011, { minspeed: MIN_SPEED });
  const size = await zipSize(entries, offset);
  const { path, expires } = c.core.links.add({
    userid,
    fileid: 0,
    blob: '',
    size,
    name,
    contenttype: 'application/zip',
    kind: 'zip',
    forcedownload: c.params.flag('forcedownload') || zipName(c) !== undefined,
    ...(maxspeed ? { maxspeed } : {}),
    zip: () => zipStream(entries, { offset }).stream,
    ...extra,
  });
  return { hosts: [...c.core.server.contentHosts], path, expires: c.time(Math.floor(expires / 1000)) };
}

export const archivingMethods: MethodGroup = {
  async getzip(c) {
    return zipReply(c, treeEntries(c));
  },

  async getziplink(c) {
    const user = c.requireUser();
    return zipLink(c, treeEntries(c), user.userid);
  },

  savezip,

  savezipprogress(c) {
    const user = c.requireUser();
    const hash = c.params.str('progresshash');
    const job = hash ? ArchiveJobs.of(c.core).zips.get(`${user.userid}:${hash}`) : undefined;
    if (!job) throw new ApiError(1901);
    return { files: job.files, totalfiles: job.totalfiles, bytes: job.bytes, totalbytes: job.totalbytes };
  },

  extractarchive,

  extractarchiveprogress(c) {
    const user = c.requireUser();
    const from = Math.max(0, c.params.int('lines') ?? 0);
    // pCloud documents no error for an unknown job; the emulator answers 2003 (access denied)
    const hash = c.params.needStr('progresshash', 2003);
    const job = ArchiveJobs.of(c.core).extractions.get(hash);
    if (!job || job.userid !== user.userid) throw new ApiError(2003, { emulator: 'no extraction job with this progresshash' });
    const lines = job.output.length;
    return { finished: job.finished, output: job.output.slice(from, lines), lines };
  },
};
