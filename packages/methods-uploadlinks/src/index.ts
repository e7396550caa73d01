/**
 * pCloud upload link methods: create, list, change and delete links into
 * your folders; look a link up, upload through it and follow the upload
 * without an account; copy one of your files into someone's link.
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions (`showuploadlink(client, { code })`) or add the
 * {@link uploadlinks} plugin to a client (`client.use(uploadlinks)`), which
 * also adds `client.uploadLinks.upload(code, files)`.
 */
import {
  type CoreClient,
  definePlugin,
  knownSize,
  methodList,
  type MethodList,
  type Progress,
  type UploadFile,
  ValidationError,
} from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-uploadlinks/methods';
import * as methods from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every upload link method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Options of {@link UploadLinkHelpers.upload}. */
export interface UploadToLinkOptions {
  /**
   * Who uploads: the link's owner sees it with the files. Default
   * `'anonymous'`: pCloud has been reported to refuse uploads through a link
   * that carry no `names` (2001), so the helper always sends one.
   */
  names?: string;
  /** A note for the link's owner. */
  comment?: string;
  /**
   * Drop files whose upload was cut short instead of keeping partial data.
   * Default `true`: an interrupted upload never leaves a truncated file.
   */
  nopartial?: boolean;
  /** Key of your choice to follow the upload with `uploadlinkprogress` (from another client, for example). */
  progresshash?: string;
  /** Called as bytes go out, summed over all the files. */
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Milliseconds before a request fails; large uploads may need more than the client default. */
  timeout?: number;
}

/** The helpers the {@link uploadlinks} plugin adds as `client.uploadLinks`. */
export interface UploadLinkHelpers {
  /**
   * Uploads one file or several through the link `code`, with no login
   * needed. Each file is `{ name, data }` with bytes, a Blob, a stream, an
   * async iterable of chunks or (in Node) `{ path }`. Over HTTP the files go
   * in one request; the binary protocol carries one file per request, so
   * there they go one after the other (a refusal stops the rest, the files
   * before it stay with the owner). Resolves with the number of files sent.
   */
  upload(code: string, files: UploadFile | readonly UploadFile[], options?: UploadToLinkOptions): Promise<{ files: number }>;
}

function makeUpload(client: CoreClient): UploadLinkHelpers['upload'] {
  return async (code, files, options = {}) => {
    const list: UploadFile[] = Array.isArray(files) ? [...files] : [files as UploadFile];
    if (typeof code !== 'string' || code === '') throw new ValidationError('uploadtolink', 'code', "'code' must be the link's code");
    if (list.length === 0) throw new ValidationError('uploadtolink', 'files', 'give at least one file to upload');
    const params: Record<string, unknown> = { code, nopartial: options.nopartial ?? true };
    params.names = options.names ?? 'anonymous';
    if (options.comment !== undefined) params.comment = options.comment;
    if (options.progresshash !== undefined) params.progresshash = options.progresshash;
    const send = (batch: UploadFile[], onUploadProgress?: (p: Progress) => void) =>
      client.request(methods.uploadtolink, params as Parameters<typeof methods.uploadtolink>[1], {
        files: batch,
        ...(onUploadProgress ? { onUploadProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      });
    if (list.length === 1 || client.transport.hostKind !== 'binapi') {
      await send(list, options.onProgress);
      return { files: list.length };
    }
    // one request per file; progress summed over the list
    const sizes = list.map(knownSize);
    const total = sizes.every((s) => s !== undefined) ? sizes.reduce<number>((a, b) => a + b!, 0) : undefined;
    let done = 0;
    for (const one of list) {
      let last = 0;
      const report = options.onProgress;
      await send(
        [one],
        report &&
          ((p) => {
            last = p.loaded;
            report(total === undefined ? { loaded: done + p.loaded } : { loaded: done + p.loaded, total });
          }),
      );
      done += knownSize(one) ?? last;
    }
    return { files: list.length };
  };
}

/**
 * Adds the upload link methods, plus `client.uploadLinks.upload(code,
 * files, options)`, to a client: `createClient(...).use(uploadlinks)`.
 */
export const uploadlinks = /* @__PURE__ */ definePlugin({
  name: 'uploadlinks',
  methods: definitions,
  extend: (client: CoreClient): { uploadLinks: UploadLinkHelpers } => ({ uploadLinks: { upload: makeUpload(client) } }),
});
