/**
 * pcloud-plugin-sync: mirrors a local folder up to a pCloud folder. New and
 * changed files are uploaded, files whose size and SHA-1 already match are
 * left alone, missing folders are created. Nothing is ever deleted on
 * either side.
 *
 * A third-party plugin built only on public APIs: core's `definePlugin`, and
 * the standalone method functions of `@pcloudkit/methods-folder` and
 * `@pcloudkit/methods-file` (so the client needs no other plugin).
 *
 * ```ts
 * const client = createClient({ transport: httpTransport(), auth: { accessToken } }).use(sync);
 * const report = await client.syncFolder({ from: './photos', to: '/Backup/photos' });
 * ```
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError, type CoreClient, definePlugin, type FolderMetadata, type Metadata } from '@pcloudkit/core';
import { checksumfile, uploadfile } from '@pcloudkit/methods-file';
import { createfolderifnotexists, listfolder } from '@pcloudkit/methods-folder';

export interface SyncOptions {
  /** Local folder to mirror. */
  from: string;
  /** Absolute path of the pCloud folder to mirror into (created when missing), e.g. `/Backup/photos`. */
  to: string;
  /** Work out what would change, upload nothing and create no folder. */
  dryRun?: boolean;
  /** Called once per local file, after it was uploaded or found unchanged. */
  onFile?: (event: SyncEvent) => void;
  /** Stops the sync between two calls (and aborts the call in flight). */
  signal?: AbortSignal;
}

/** One file the sync looked at. */
export interface SyncEvent {
  /** Path relative to `from`, with `/` separators. */
  path: string;
  action: 'uploaded' | 'unchanged';
  bytes: number;
}

/** What a sync did (or, with `dryRun`, would do). */
export interface SyncReport {
  /** Files uploaded because they were new or different, relative to `from`. */
  uploaded: string[];
  /** Files already on pCloud with the same size and SHA-1. */
  unchanged: string[];
  /** Remote folders created, relative to `to` (the `to` folder itself is `.`). */
  createdFolders: string[];
  /** Bytes uploaded. */
  bytes: number;
}

/** The remote tree below `to`: path relative to it -> metadata. */
type RemoteTree = Map<string, Metadata>;

function flatten(folder: FolderMetadata, prefix: string, into: RemoteTree): RemoteTree {
  for (const item of folder.contents ?? []) {
    const rel = prefix ? `${prefix}/${item.name}` : item.name;
    into.set(rel, item);
    if (item.isfolder) flatten(item, rel, into);
  }
  return into;
}

const sha1 = (bytes: Uint8Array) => createHash('sha1').update(bytes).digest('hex');

async function checkOptions(options: SyncOptions): Promise<void> {
  if (!options || typeof options.from !== 'string' || typeof options.to !== 'string')
    throw new TypeError('syncFolder: options need `from` (a local folder) and `to` (a pCloud path)');
  if (!options.to.startsWith('/'))
    throw new TypeError(`syncFolder: \`to\` must be an absolute pCloud path, got ${JSON.stringify(options.to)}`);
  const info = await stat(options.from).catch(() => undefined);
  if (!info?.isDirectory()) throw new TypeError(`syncFolder: \`from\` is not a folder: ${options.from}`);
}

/** Mirrors `options.from` into `options.to`; see {@link SyncOptions}. */
export async function syncFolder(client: CoreClient, options: SyncOptions): Promise<SyncReport> {
  await checkOptions(options);
  const { signal, dryRun = false } = options;
  const call = { signal };
  const to = options.to.replace(/\/+$/, '') || '/';
  const report: SyncReport = { uploaded: [], unchanged: [], createdFolders: [], bytes: 0 };

  // The target folder: created unless this is a dry run, where a missing folder means "everything is new".
  let rootId: number | undefined;
  let remote: RemoteTree = new Map();
  try {
    const listed = await listfolder(client, { path: to, recursive: true }, call);
    rootId = listed.metadata.folderid;
    remote = flatten(listed.metadata, '', new Map());
  } catch (e) {
    if (!(e instanceof ApiError && e.result === 2005)) throw e;
    report.createdFolders.push('.');
    if (!dryRun) rootId = (await createfolderifnotexists(client, { path: to }, call)).metadata.folderid;
  }

  const walk = async (dir: string, rel: string, folderId: number | undefined): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      signal?.throwIfAborted();
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const there = remote.get(path);
      if (entry.isDirectory()) {
        let id = there?.isfolder ? there.folderid : undefined;
        if (!there?.isfolder) {
          report.createdFolders.push(path);
          if (!dryRun && folderId !== undefined)
            id = (await createfolderifnotexists(client, { folderid: folderId, name: entry.name }, call)).metadata.folderid;
        }
        await walk(join(dir, entry.name), path, id);
      } else if (entry.isFile()) {
        const bytes = await readFile(join(dir, entry.name));
        const file = there && !there.isfolder ? there : undefined;
        const same = file?.size === bytes.byteLength && (await checksumfile(client, { fileid: file.fileid }, call)).sha1 === sha1(bytes);
        if (same) report.unchanged.push(path);
        else {
          if (!dryRun && folderId !== undefined)
            await uploadfile(client, { folderid: folderId, nopartial: true }, { ...call, files: [{ name: entry.name, data: bytes }] });
          report.uploaded.push(path);
          report.bytes += bytes.byteLength;
        }
        options.onFile?.({ path, action: same ? 'unchanged' : 'uploaded', bytes: bytes.byteLength });
      }
    }
  };
  await walk(options.from, '', rootId);
  return report;
}

/** What the {@link sync} plugin adds to a client besides its methods. */
export interface SyncHelpers {
  /** Mirrors a local folder into a pCloud folder; see {@link SyncOptions}. */
  syncFolder(options: SyncOptions): Promise<SyncReport>;
}

/**
 * `createClient(...).use(sync)` adds `client.syncFolder(options)` and
 * `client.remoteChecksum(params)` (pCloud's `checksumfile` under a name of the
 * plugin's choosing, fully typed).
 */
export const sync = /* @__PURE__ */ definePlugin({
  name: 'sync',
  methods: { remoteChecksum: checksumfile },
  extend: (client): SyncHelpers => ({ syncFolder: (options) => syncFolder(client, options) }),
});
