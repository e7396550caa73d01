/**
 * The `upload()` helper the file plugin adds to a client: a friendlier front
 * for `uploadfile` that takes the files first and options second.
 */
import { ValidationError, knownSize } from '@pcloudkit/core';
import type { CoreClient, MethodDefinition, Progress, UploadFile } from '@pcloudkit/core';
import type { UploadFileResult } from './index.js';

/** Where the files go: a folder id or a folder path (the root when neither is given). */
export type UploadDestination = { folderid?: number | bigint | string; path?: never } | { path?: string; folderid?: never };

/** Options of {@link UploadHelper}. */
export type UploadOptions = UploadDestination & {
  /** On a name clash, store as "name (2).ext" instead of overwriting (which keeps a revision). */
  renameifexists?: boolean;
  /**
   * Drop files whose upload was cut short instead of keeping partial data.
   * Default `true` (sent as `nopartial=1`): an interrupted upload never
   * leaves a truncated file behind; pass `false` to let pCloud keep what arrived.
   */
  nopartial?: boolean;
  /** Modification time to record: a `Date` or Unix seconds. */
  mtime?: Date | number;
  /** Creation time to record: a `Date` or Unix seconds; pCloud only uses it together with `mtime`. */
  ctime?: Date | number;
  /** Key of your choice to follow the upload with `uploadprogress`. */
  progresshash?: string;
  /** Called as bytes go out. */
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Milliseconds before the call fails; large uploads may need more than the client default. */
  timeout?: number;
};

/**
 * `client.upload(files, options)`: uploads one file or several.
 *
 * Over HTTP, several files go in one multipart request. The binary protocol
 * carries one file per request, so over a binary transport the files are sent
 * one after the other and the answers are merged in order; if one fails, the
 * files before it stay stored and the error is thrown.
 */
export type UploadHelper = (files: UploadFile | readonly UploadFile[], options?: UploadOptions) => Promise<UploadFileResult>;

function seconds(name: string, value: Date | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new ValidationError('uploadfile', name, `'${name}' is an invalid Date`);
    return Math.floor(ms / 1000);
  }
  return value;
}

/** Builds the helper for one client. */
export function makeUpload(client: CoreClient, uploadfile: MethodDefinition<'uploadfile', any, UploadFileResult>): UploadHelper {
  return (files, options = {}) => {
    const list: UploadFile[] = Array.isArray(files) ? [...files] : [files as UploadFile];
    if (list.length === 0) return Promise.reject(new ValidationError('uploadfile', 'files', 'give at least one file to upload'));
    let params: Record<string, unknown>;
    try {
      params = {
        folderid: options.folderid,
        path: options.path,
        renameifexists: options.renameifexists,
        nopartial: options.nopartial ?? true,
        mtime: seconds('mtime', options.mtime),
        ctime: seconds('ctime', options.ctime),
        progresshash: options.progresshash,
      };
      if (params.folderid !== undefined && params.path !== undefined) {
        throw new ValidationError('uploadfile', 'folderid|path', "give only one of 'folderid' and 'path'");
      }
    } catch (error) {
      return Promise.reject(error);
    }
    for (const key of Object.keys(params)) if (params[key] === undefined) delete params[key];
    const send = (files: UploadFile[], onUploadProgress: ((p: Progress) => void) | undefined) =>
      client.request(uploadfile, params, { files, onUploadProgress, signal: options.signal, timeout: options.timeout });
    if (list.length === 1 || client.transport.hostKind !== 'binapi') return send(list, options.onProgress);
    return sequential(list, options.onProgress, send);
  };
}

/** One request per file, progress summed over the whole list, answers merged. */
async function sequential(
  list: UploadFile[],
  onProgress: ((p: Progress) => void) | undefined,
  send: (files: UploadFile[], onUploadProgress: ((p: Progress) => void) | undefined) => Promise<UploadFileResult>,
): Promise<UploadFileResult> {
  const sizes = list.map(knownSize);
  const total = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, b) => a + b!, 0) : undefined;
  const merged: UploadFileResult = { fileids: [], metadata: [], checksums: [] };
  let done = 0;
  for (const one of list) {
    let last = 0;
    const report =
      onProgress &&
      ((p: Progress) => {
        last = p.loaded;
        onProgress(total === undefined ? { loaded: done + p.loaded } : { loaded: done + p.loaded, total });
      });
    const r = await send([one], report);
    done += knownSize(one) ?? last;
    merged.fileids.push(...r.fileids);
    merged.metadata.push(...r.metadata);
    merged.checksums.push(...(r.checksums ?? []));
  }
  return merged;
}
